"""The annex's numbers on the committed mini delivery against R `survey` (golden values).

tests/reference/mini_reference.csv is written by tests/reference/r_reference.R (`make
r-reference`), which reads the raw .sav files with haven and applies the codebook and catalogue
itself; this test never needs R. Covered: gemeente and wijk estimates and SEs of nine indicators
(two rapportcijfers, four percentages, three scale scores) in 2013 and 2015, every wijk against
the rest of the gemeente, 2015 against 2013, logit intervals of the wijk percentages, and the
lonely-stratum rules certainty/adjust/average (one respondent left in a wijk).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ivb_analysis import compare
from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.estimates import indicator_estimates
from ivb_analysis.prepare import survey_long

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "reference" / "mini_reference.csv"
TOLERANCE = 1e-6  # absolute, on the shown scale (percentages x 100)
LONELY_YEAR, LONELY_STRATUM = 2015, 9


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    table = pd.read_csv(GOLDEN, dtype={"wijk_code": "string", "lonely_psu": "string"})
    return table.fillna({"wijk_code": "", "lonely_psu": ""})


@pytest.fixture(scope="module")
def long() -> pd.DataFrame:
    return survey_long(load_settings(ROOT / "data" / "raw" / "mini"))


@pytest.fixture(scope="module")
def settings():
    return load_settings(ROOT / "data" / "raw" / "mini").replace(min_n=1)


def _tidy(frame: pd.DataFrame, section: str, statistics: list[str], lonely: str = ""
          ) -> pd.DataFrame:
    """Project results in the golden file's long layout."""
    frame = frame.assign(wijk_code=frame["wijk_code"].astype("string")
                         if "wijk_code" in frame else "")
    out = frame.melt(id_vars=["indicator", "year", "wijk_code"], value_vars=statistics,
                     var_name="statistic", value_name="project")
    return out.assign(section=section, lonely_psu=lonely)


def _scale(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    catalogue = load_catalogue()
    factor = frame["indicator"].map(lambda i: 100.0 if catalogue[i].is_proportion else 1.0)
    return frame.assign(**{c: frame[c] * factor for c in columns})


def project_numbers(long: pd.DataFrame, settings, indicators: list[str], prefix: str = "",
                    lonely: str = "") -> list[pd.DataFrame]:
    data = long[long["indicator"].isin(indicators)]
    years = sorted(data["year"].unique())
    gemeente = indicator_estimates(data, settings, indicators=indicators, years=years)
    wijk = indicator_estimates(data, settings, by="wijk_code", indicators=indicators,
                               years=years)
    rest = compare.domain_vs_rest(data, weight="weight", by="wijk_code", strata="stratum",
                                  min_n=0, lonely_psu=settings.lonely_psu)
    rest = _scale(rest, ["difference", "se_difference"])
    parts = [
        _tidy(gemeente.assign(n=gemeente["n"].astype(float)), f"{prefix}gemeente",
              ["estimate", "se", "n"], lonely),
        _tidy(wijk.assign(n=wijk["n"].astype(float)), f"{prefix}wijk", ["estimate", "se", "n"],
              lonely),
        _tidy(rest, f"{prefix}wijk_vs_rest", ["difference", "se_difference"], lonely),
    ]
    if not prefix:
        shares = wijk[wijk["kind"] == "percentage"]
        parts.append(_tidy(shares, "wijk_interval", ["ci_low", "ci_high"]))
        change = compare.change(gemeente[["indicator", "year", "estimate", "se"]], 2013, 2015,
                                keys=["indicator"])
        parts.append(_tidy(change, "wave_vs_wave", ["difference", "se_difference"]))
    return parts


def compared(golden: pd.DataFrame, parts: list[pd.DataFrame], section_prefix: str
             ) -> pd.DataFrame:
    ours = pd.concat(parts, ignore_index=True)
    theirs = golden[golden["section"].str.startswith(section_prefix)]
    keys = ["section", "lonely_psu", "indicator", "year", "wijk_code", "statistic"]
    merged = theirs.merge(ours, on=keys, how="left", validate="one_to_one")
    assert len(merged) == len(theirs)
    return merged


def test_annex_numbers_equal_r_survey(golden, long, settings):
    indicators = sorted(golden.loc[golden["section"] == "gemeente", "indicator"].unique())
    assert len(indicators) == 9
    merged = compared(golden[~golden["section"].str.startswith("lonely")],
                      project_numbers(long, settings, indicators), "")
    assert merged["project"].notna().all(), merged[merged["project"].isna()]
    diff = (merged["project"] - merged["value"]).abs()
    assert diff.max() < TOLERANCE, merged.loc[diff.idxmax()]
    assert len(merged) >= 1_000


def lonely_long(long: pd.DataFrame) -> pd.DataFrame:
    """One wave with a single respondent (the lowest resp_id) left in one stratum."""
    wave = long[long["year"] == LONELY_YEAR]
    inside = wave["stratum"] == LONELY_STRATUM
    keep = ~inside | (wave["resp_id"] == wave.loc[inside, "resp_id"].min())
    return wave[keep]


@pytest.mark.parametrize("rule", ["certainty", "adjust", "average"])
def test_lonely_stratum_rules_equal_r(golden, long, settings, rule):
    indicators = sorted(golden.loc[golden["section"] == "lonely_gemeente", "indicator"].unique())
    data = lonely_long(long)
    parts = project_numbers(data, settings.replace(lonely_psu=rule), indicators, "lonely_",
                            rule)
    merged = compared(golden[golden["lonely_psu"] == rule], parts, "lonely_")
    ok = merged["project"].notna() | merged["value"].isna()
    assert ok.all(), merged[~ok]
    diff = (merged["project"] - merged["value"]).abs()
    assert diff.max() < TOLERANCE, merged.loc[diff.idxmax()]


def test_lonely_stratum_fail_is_bad_input(long, settings):
    with pytest.raises(InputError, match="maar één PSU"):
        indicator_estimates(lonely_long(long), settings.replace(lonely_psu="fail"),
                            indicators=["rapportcijfer_leefbaarheid"])


def test_the_rules_differ_on_this_design(golden):
    se = golden[(golden["section"] == "lonely_gemeente") & (golden["statistic"] == "se")]
    by_rule = se.pivot_table(index="indicator", columns="lonely_psu", values="value")
    assert (by_rule["certainty"] < by_rule["average"]).all()
    assert (by_rule["certainty"] < by_rule["adjust"]).all()
    assert np.isfinite(by_rule.to_numpy()).all()
