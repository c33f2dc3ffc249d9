"""Guards before any table or annex: open decisions, the plausibility of the numbers, accepted
deviations (issue 18). On the synthetic Zwolle delivery (tests/fixtures/levering_zwolle) and on
hand-made frames with hand-computed values."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.check import check_delivery
from ivb_analysis.cli import main
from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.plausibility import accepted, gemeente_estimates, plausibility_flags

ZWOLLE = Path(__file__).parents[1] / "fixtures" / "levering_zwolle"
CATALOGUE = load_catalogue()


@pytest.fixture
def zwolle(tmp_path) -> Path:
    folder = tmp_path / "levering_zwolle"
    shutil.copytree(ZWOLLE, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_gemeente_estimate_and_its_se_by_hand():
    long = pd.DataFrame({"year": 2021, "resp_id": [1, 2, 3, 4], "wijk_code": "WK019301",
                         "stratum": [1, 1, 2, 2], "weight": [1.0, 3.0, 2.0, 1.0],
                         "indicator": "rapportcijfer_leefbaarheid",
                         "value": [6.0, 8.0, 7.0, np.nan]})
    row = gemeente_estimates(long, CATALOGUE).iloc[0]
    # mean 44/6; z = w (y - mean) / 6 = -2/9, 1/3, -1/9, 0 (outside the domain, still in its
    # stratum); var = sum_h n_h/(n_h - 1) sum (z - zbar_h)^2 = 2 * 0.154321 + 2 * 0.0061728
    assert row["value"] == pytest.approx(44 / 6)
    assert row["se"] == pytest.approx(np.sqrt(2 * (2 * (5 / 18) ** 2) + 2 * (2 * (1 / 18) ** 2)))


def _long(shares: dict[int, float], n: int = 500) -> pd.DataFrame:
    frames = []
    for year, share in shares.items():
        ones = round(share * n)
        frames.append(pd.DataFrame({
            "year": year, "resp_id": np.arange(n), "wijk_code": "WK019301",
            "stratum": np.arange(n) % 5, "weight": 1.0, "indicator": "onveiligheid_buurt",
            "value": np.r_[np.ones(ones), np.zeros(n - ones)]}))
    return pd.concat(frames, ignore_index=True)


def test_a_jump_no_sampling_error_explains_is_refused_but_not_across_a_method_break():
    settings = load_settings(ZWOLLE).replace(method_break=2019)
    flags = plausibility_flags(settings, {"survey_long": _long({2021: 0.20, 2023: 0.60})},
                               CATALOGUE)
    assert [(f.level, f.subject) for f in flags] == [("fout", "onveiligheid_buurt@2023")]
    assert "springt van 20% (2021) naar 60% (2023)" in flags[0].text
    assert plausibility_flags(settings, {"survey_long": _long({2021: 0.20, 2023: 0.24})},
                              CATALOGUE) == []
    broken = settings.replace(method_break=2023)
    assert plausibility_flags(broken, {"survey_long": _long({2021: 0.20, 2023: 0.60})},
                              CATALOGUE) == []


def test_weights_must_sum_to_the_sample_or_the_population():
    settings = load_settings(ZWOLLE)
    population = pd.DataFrame({"region_code": ["GM0193"], "region_name": ["Zwolle"],
                               "year": [2021], "population": [128_000]})
    long = _long({2021: 0.2})
    for weight, level in ((1.0, None), (256.0, None), (40.0, "fout")):
        tables = {"survey_long": long.assign(weight=weight), "group_population": population}
        flags = plausibility_flags(settings, tables, CATALOGUE)
        assert [f.level for f in flags] == ([] if level is None else [level]), weight
    assert "tellen op tot 20.000 voor 500 respondenten" in flags[0].text


def test_benchmark_guard_names_the_codes_and_a_checked_deviation_is_accepted(zwolle):
    bench = zwolle / "benchmark_SYNTHETISCH.csv"
    line = next(x for x in bench.read_text(encoding="utf-8").splitlines()
                if x.startswith("2023;onveiligheid_buurt;"))
    _edit(bench, line, "2023;onveiligheid_buurt;4.0;3.5;4.5;30000")
    report = check_delivery(load_settings(zwolle))
    errors = [f.text for f in report.of("fout")]
    assert len(errors) == 1 and errors[0].startswith("onveiligheid_buurt 2023: Zwolle ")
    assert "tegen de benchmark 4%" in errors[0]
    assert "v11 -> onv_algemeen" not in errors[0]
    assert "v12 -> onv_buurt (recode {1: 3, 3: 1}; filter {-2: 3}; missing [8])" in errors[0]
    with (zwolle / "ivb.yaml").open("a", encoding="utf-8") as handle:
        handle.write("accepted_deviations:\n  - {indicator: onveiligheid_buurt, year: 2023, "
                     "reason: benchmark van een andere vraagstelling}\n")
    report = check_delivery(load_settings(zwolle))
    assert report.ok
    info = [f.text for f in report.of("info")]
    assert any(t.startswith("geaccepteerde afwijking (benchmark van een andere vraagstelling): "
                            "onveiligheid_buurt 2023") for t in info)
    assert [(a.subject, a.year) for a in accepted(load_settings(zwolle))] == [
        ("onveiligheid_buurt", 2023)]


@pytest.mark.parametrize("entry, column", [
    ("- {indicator: onveiligheid_buurt}", "accepted_deviations[1].reason"),
    ("- {indicator: onveiligheid_buurt, year: 2019, reason: nagekeken bij het bureau}",
     "accepted_deviations[1].year"),
    ("- {indicatr: onveiligheid_buurt, reason: nagekeken bij het bureau}",
     "accepted_deviations[1]"),
])
def test_an_accepted_deviation_needs_a_subject_a_wave_and_a_reason(zwolle, entry, column):
    with (zwolle / "ivb.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"accepted_deviations:\n  {entry}\n")
    with pytest.raises(InputError) as error:
        accepted(load_settings(zwolle))
    assert error.value.column == column


def test_open_decisions_and_every_error_category_in_one_check_and_refused_everywhere(
        zwolle, tmp_path, capsys):
    book = zwolle / "codeboek.yaml"
    _edit(book, "  v14: {item: pol_tevreden_contact, missing: [8], filter: {7: null}}",
          "  v14: {item: pol_tevreden_contact, missing: [8], filter: {7: null}}  # TE BESLISSEN: "
          "7 'n.v.t. (geen contact)'")
    _edit(book, "  v10g: {item: ovh_jongeren", "  v10g: {item: ovh_buurtbewoners")
    _edit(book, "  v10h: {item: ovh_buurtbewoners", "  v10h: {item: ovh_jongeren")
    _edit(book, "weight: wf_def", "weight: lft_klasse")
    _edit(zwolle / "ivb.yaml", "benchmark_group: [GM0193, GM0141, GM0150]",
          "benchmark_group: [GM0193, GM0141, GM0150]  # TE BESLISSEN: de groep")
    common = ["--data-dir", str(zwolle), "--processed-dir", str(tmp_path / "processed")]
    assert main(["check", *common]) == 2
    out = capsys.readouterr().out
    assert "TE BESLISSEN open in ivb.yaml regel 5: benchmark_group" in out
    assert "TE BESLISSEN open in codeboek.yaml regel " in out
    assert "[koppeling] variabelen v10g en v10h lijken verwisseld" in out
    assert "[gewicht] design.weight lft_klasse heeft waardelabels" in out
    for command in (["prepare"], ["annex", "--years", "2021", "--output-dir",
                                  str(tmp_path / "out")]):
        assert main([*command, *common]) == 2
        err = capsys.readouterr().err
        assert "[beslissing]" in err and "v10g en v10h" in err and "lft_klasse" in err
    assert not (tmp_path / "out").exists()
    assert not list((tmp_path / "processed").rglob("*.parquet"))


def test_check_reports_every_bad_source_in_one_run(zwolle):
    """A bad wijk list and a bad benchmark: both in one report, not one per run."""
    _edit(zwolle / "wijken.csv", "3;WK019303;Assendorp", "3;WK19303;Assendorp")
    bench = zwolle / "benchmark_SYNTHETISCH.csv"
    _edit(bench, "2021;rapportcijfer_leefbaarheid;", "2021;rapportcijfer_leefbaarheidd;")
    report = check_delivery(load_settings(zwolle))
    errors = " | ".join(f.text for f in report.of("fout"))
    assert "WK19303" in errors and "rapportcijfer_leefbaarheidd" in errors
