"""A clustered, stratified delivery's annex numbers against R `survey` (golden values).

tests/reference/clustered_reference.csv is written by tests/reference/clustered_reference.R from
the raw files of tests/fixtures/levering_deventer (2019 CSV, 2021 .sav; clusters nested in
strata, fpc as population clusters per stratum). R's design:
svydesign(ids=~cluster, strata=~stadsdeel, weights=~weegfactor, nest=TRUE) with and without
fpc=~N_clusters. Covered: gemeente and wijk means and proportions with SEs, every wijk against
the rest (svycontrast) and 2021 against 2019. The project's numbers come from the same functions
the annex uses (`prepare.survey_long`, `estimates.indicator_estimates`, `compare.domain_vs_rest`
with `estimates.survey_design`, `compare.wave_vs_wave`). Never needs R.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ivb_analysis import compare
from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.config import load_settings
from ivb_analysis.estimates import design_note, indicator_estimates, survey_design
from ivb_analysis.prepare import survey_long

ROOT = Path(__file__).resolve().parents[2]
DELIVERY = ROOT / "tests" / "fixtures" / "levering_deventer"
GOLDEN = ROOT / "tests" / "reference" / "clustered_reference.csv"
TOLERANCE = 1e-8  # absolute, on the shown scale (percentages x 100)
EXPECTED_ROWS = 264  # 2 variants x (gemeente 14 + wijk 56 + wijk_vs_rest 56 + waves 6)


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    table = pd.read_csv(GOLDEN, dtype={"wijk_code": "string"}).fillna({"wijk_code": ""})
    assert len(table) == EXPECTED_ROWS
    return table


@pytest.fixture(scope="module")
def settings():
    return load_settings(DELIVERY)


@pytest.fixture(scope="module")
def long(settings) -> pd.DataFrame:
    return survey_long(settings)


def _variant(long: pd.DataFrame, variant: str) -> pd.DataFrame:
    return long if variant == "fpc" else long.drop(columns=["fpc"])


def _project(long: pd.DataFrame, settings, variant: str) -> pd.DataFrame:
    """The project's numbers in the golden file's long layout."""
    data = _variant(long, variant)
    gemeente = indicator_estimates(data, settings)
    wijk = indicator_estimates(data, settings, by="wijk_code")
    rest = compare.domain_vs_rest(data, design=survey_design(data, settings), by="wijk_code",
                                  min_n=0)
    factor = rest["indicator"].map(lambda i: 100.0 if load_catalogue()[i].is_proportion else 1.0)
    rest = rest.assign(difference=rest["difference"] * factor,
                       se_difference=rest["se_difference"] * factor)
    waves = compare.wave_vs_wave(
        gemeente[["indicator", "year", "estimate", "se", "suppressed"]], 2019, keys=["indicator"])
    parts = []
    for section, frame, stats in (
        ("gemeente", gemeente.assign(wijk_code=""), ["estimate", "se"]),
        ("wijk", wijk, ["estimate", "se"]),
        ("wijk_vs_rest", rest, ["difference", "se_difference"]),
        ("wave_vs_wave", waves.assign(wijk_code=""), ["difference", "se_difference"]),
    ):
        tidy = frame.melt(id_vars=["indicator", "year", "wijk_code"], value_vars=stats,
                          var_name="statistic", value_name="project")
        parts.append(tidy.assign(section=section))
    out = pd.concat(parts, ignore_index=True)
    return out.assign(wijk_code=out["wijk_code"].astype("string"),
                      year=out["year"].astype("int64"))


@pytest.mark.parametrize("variant", ["fpc", "nofpc"])
def test_clustered_delivery_equals_r_survey(golden, long, settings, variant):
    expected = golden[golden["variant"] == variant]
    project = _project(long, settings, variant)
    merged = expected.merge(project, on=["section", "indicator", "year", "wijk_code",
                                         "statistic"], how="left", validate="one_to_one")
    assert merged["project"].notna().all(), merged[merged["project"].isna()].head()
    assert np.abs(merged["project"] - merged["value"]).max() < TOLERANCE
    # Every section and statistic is present (the comparison covers what the brief asks).
    assert set(merged["section"]) == {"gemeente", "wijk", "wijk_vs_rest", "wave_vs_wave"}
    assert len(merged) == EXPECTED_ROWS // 2


def test_clusters_and_fpc_change_the_ses(golden):
    """The design matters here: the fpc makes the SE smaller, and the clusters make it larger
    than treating every respondent as a PSU would (so a test without clusters would fail)."""
    se = golden[(golden["section"] == "gemeente") & (golden["statistic"] == "se")]
    wide = se.pivot_table(index=["indicator", "year"], columns="variant", values="value")
    assert (wide["fpc"] < wide["nofpc"]).all()


def test_clustered_ses_exceed_the_unclustered_ones(long, settings):
    data = long.drop(columns=["fpc"])
    clustered = indicator_estimates(data, settings)
    flat = indicator_estimates(data.drop(columns=["psu"]), settings)
    shown = clustered["se"].notna()
    ratio = clustered.loc[shown, "se"].to_numpy() / flat.loc[shown, "se"].to_numpy()
    assert ratio.max() > 1.3  # the cluster effect is real in this delivery


def test_wave_not_asked_and_per_wave_files(long):
    """2019 came as CSV, 2021 as .sav; rc_veiligheid was not asked in 2019: no values there."""
    veilig = long[long["indicator"] == "rapportcijfer_veiligheid"]
    assert veilig.loc[veilig["year"] == 2019, "value"].isna().all()
    assert veilig.loc[veilig["year"] == 2021, "value"].notna().sum() > 200
    assert sorted(long["year"].unique()) == [2019, 2021]


def test_design_note_states_the_design(long, settings):
    text = design_note(long, settings)
    assert "clustering" in text and "eindige-populatiecorrectie naar de populatieomvang" in text
    flat = design_note(long.drop(columns=["psu", "fpc"]), settings)
    assert "elke respondent als eigen steekproefeenheid" in flat
    assert "clustering" not in flat and "eindige" not in flat


def test_the_annex_context_uses_the_clustered_design(golden, settings, tmp_path):
    """The annex's own wijk table (Annex.wijk_estimates) carries R's clustered numbers."""
    from ivb_analysis.annex.context import Annex

    annex = Annex(settings.replace(processed_dir=tmp_path / "processed",
                                   output_dir=tmp_path / "out"), 2021)
    table = annex.wijk_estimates
    table = table[table["indicator"] == "rapportcijfer_leefbaarheid"].set_index("wijk_code")
    expected = golden[(golden["variant"] == "fpc") & (golden["year"] == 2021)
                      & (golden["indicator"] == "rapportcijfer_leefbaarheid")]
    checked = 0
    for section, statistic in (("wijk", "se"), ("wijk_vs_rest", "difference"),
                               ("wijk_vs_rest", "se_difference")):
        rows = expected[(expected["section"] == section) & (expected["statistic"] == statistic)]
        for _, row in rows.iterrows():
            assert table.loc[row["wijk_code"], statistic] == pytest.approx(row["value"],
                                                                           abs=TOLERANCE)
            checked += 1
    assert checked == 12  # 4 wijken x 3 statistics


def test_design_note_without_strata_names_no_stratification(long, settings):
    one_stratum = long.assign(stratum=0)
    text = design_note(one_stratum, settings)
    assert "stratificatie" not in text and "clustering" in text
    by_wijk = design_note(long.drop(columns=["psu", "fpc"]).assign(
        stratum=long["wijk_code"].str[-1].astype(int)), settings)
    assert "stratificatie naar wijk en elke respondent" in by_wijk
