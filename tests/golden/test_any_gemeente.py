"""A delivery for another gemeente, end to end: the synthetic Enschede delivery (another bureau's
names and codes, no preventie and horeca items) goes from `ivb init` (draft) via the committed
reviewed codebook to `ivb prepare` and `ivb annex`.

Expected values are computed here straight from the raw .sav files with pyreadstat and numpy
(the bureau's own codes), independently of the pipeline.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.cli import main
from ivb_analysis.config import load_settings
from ivb_analysis.io.tables import read_benchmark, read_casework
from ivb_analysis.prepare import crime, group_tables, population

FIXTURE = Path(__file__).parents[1] / "fixtures" / "levering_enschede"
SCRIPT = Path(__file__).parents[1] / "fixtures" / "make_levering_enschede.py"
WAVES = (2021, 2023)


def _sav(year: int) -> pd.DataFrame:
    data, _meta = pyreadstat.read_sav(
        str(FIXTURE / f"enquete_veiligheid_enschede_{year}_SYNTHETISCH.sav"), user_missing=True)
    return data


def _weighted(values: pd.Series, weights: pd.Series) -> float:
    keep = values.notna()
    return float(np.average(values[keep], weights=weights[keep]))


def test_fixture_is_reproducible_from_its_script(tmp_path):
    """The committed files are exactly what the seeded script writes (the reviewed codebook is
    kept by hand and is not written by the script)."""
    spec = importlib.util.spec_from_file_location("make_levering_enschede", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.write(tmp_path)
    assert {p.name for p in written} | {"codeboek.yaml"} == {
        p.name for p in FIXTURE.iterdir()}
    for path in written:
        assert path.read_bytes() == (FIXTURE / path.name).read_bytes(), path.name


def test_public_and_group_sources_of_the_fixture(tmp_path):
    """The non-survey files are read by the project's readers; Enschede's totals add up."""
    settings = load_settings(FIXTURE)
    assert settings.gemeente_code == "GM0153" and settings.years == WAVES
    wijk_crime = crime(settings)
    assert sorted(wijk_crime["region_code"].unique()) == [f"WK0153{i:02d}" for i in range(10)]
    totals = wijk_crime.groupby("year")["count"].sum()
    group = group_tables(settings)
    own = group["group_crime"].set_index(["region_code", "year"]).loc["GM0153", "count"]
    assert own.to_dict() == totals.to_dict()  # the gemeente total = the sum of its wijken
    people = population(settings, [2021, 2023])
    wijken = people[people["region_level"] == "wijk"].groupby("year")["population"].sum()
    gemeente = people[people["region_level"] == "gemeente"].set_index("year")["population"]
    assert wijken.to_dict() == gemeente.to_dict()
    assert gemeente[2021] == 159_320  # the invented 2021 populations of the ten wijken, summed
    benchmark = read_benchmark(settings.path("benchmark"))
    assert sorted(benchmark["year"].unique()) == list(WAVES)
    assert len(benchmark) == 2 * len(load_catalogue().footprint)
    casework = read_casework(settings.path("casework"))
    assert set(casework["gemeente_code"]) == {"GM0141", "GM0153", "GM0164"}


@pytest.fixture(scope="module")
def delivery(tmp_path_factory) -> Path:
    """`ivb init` on the fixture's .sav files, then the analyst's reviewed files added."""
    root = tmp_path_factory.mktemp("any")
    out = root / "raw" / "enschede"
    args = ["init", "--gemeente", "GM0153", "--naam", "Enschede", "--out", str(out)]
    for year in WAVES:
        args += ["--survey", str(FIXTURE / f"enquete_veiligheid_enschede_{year}_SYNTHETISCH.sav")]
    assert main(args) == 0
    assert (out / "wijken.csv").read_bytes() == (
        FIXTURE / "wijken_enschede_SYNTHETISCH.csv").read_bytes()
    # review: the reviewed codebook and settings, and the sources the analyst adds
    for path in FIXTURE.iterdir():
        if not path.name.endswith(".sav"):
            shutil.copyfile(path, out / path.name)
    return out


def test_check_before_any_run(delivery, capsys):
    """`ivb check` on the reviewed delivery: no errors; what is missing is said."""
    capsys.readouterr()
    assert main(["check", "--data-dir", str(delivery)]) == 0
    report = capsys.readouterr().out
    assert "Indicatoren: 46 beschikbaar, 1 gedeeltelijk, 2 niet in deze levering" in report
    assert ("preventie: niet in deze levering (0 van 4 items; ontbreekt: prev_verlichting, "
            "prev_waardevol, prev_fiets, prev_slot)") in report
    assert "overlast_totaal: gedeeltelijk (12 van 13 items; ontbreekt: ovh_horeca)" in report


@pytest.fixture(scope="module")
def prepared(delivery) -> Path:
    assert main(["prepare", "--data-dir", str(delivery)]) == 0
    return delivery.parent.parent / "processed" / "enschede"


def test_prepare_uses_the_bureaus_codes(prepared):
    long = pd.read_parquet(prepared / "survey_long.parquet")
    for year in WAVES:
        raw = _sav(year)
        wave = long[long["year"] == year]

        def ours(indicator: str, wave: pd.DataFrame = wave) -> float:
            rows = wave[wave["indicator"] == indicator]
            return _weighted(rows["value"], rows["weight"])

        # rapportcijfer: 98 "weet niet" and 99 "geen antwoord" are no answers
        cijfer = raw["cijf_leefb"].where(raw["cijf_leefb"].between(1, 10))
        assert ours("rapportcijfer_leefbaarheid") == pytest.approx(
            _weighted(cijfer, raw["gewicht"]), abs=1e-12)
        # buurt achteruit: the bureau's code 2 (1 vooruit / 2 achteruit / 3 gelijk)
        answered = raw["buurt_ontw"].where(raw["buurt_ontw"].isin([1, 2, 3]))
        achteruit = (answered == 2).astype(float).where(answered.notna())
        assert ours("buurt_achteruit") == pytest.approx(
            _weighted(achteruit, raw["gewicht"]), abs=1e-12)
        # sociale cohesie: raw 1 (helemaal mee oneens) .. 5 (helemaal mee eens) gives r - 1
        # points, "kennen elkaar nauwelijks" reversed (5 - r); 6 and 99 no answer; >= 4 items
        points = pd.DataFrame({
            name: raw[name].where(raw[name].between(1, 5)) - 1 for name in
            ["soc_b", "soc_c", "soc_d", "soc_e"]})
        points["soc_a"] = 5 - raw["soc_a"].where(raw["soc_a"].between(1, 5))
        score = (points.mean(axis=1) * 10 / 4).where(points.notna().sum(axis=1) >= 4)
        assert ours("sociale_cohesie") == pytest.approx(_weighted(score, raw["gewicht"]),
                                                        abs=1e-12)
    # the items that were not asked: no rows for the preventie indicator (contract 4)
    assert "preventie" not in set(long["indicator"])
    status = pd.read_parquet(prepared / "indicator_status.parquet").set_index("indicator")
    assert status.loc["preventie", "status"] == "niet in deze levering"
    assert status.loc["preventie", "items_present"] == 0
    assert status.loc["rapportcijfer_leefbaarheid", "status"] == "beschikbaar"


@pytest.mark.slow  # the whole annex (figures in four formats, workbook, page)
def test_annex_for_enschede(delivery, prepared, tmp_path):
    out = tmp_path / "uitvoer"
    assert main(["annex", "--data-dir", str(delivery), "--years", "2023",
                 "--output-dir", str(out)]) == 0
    pages = list(out.rglob("bijlage.html"))
    assert len(pages) == 1
    html = pages[0].read_text(encoding="utf-8")
    assert "Enschede" in html
    assert "Hengelo?" not in html  # the title names this delivery's gemeente
    assert "SYNTHETISCHE DEMODATA" in html
    # the indicator whose items were not asked says so in the annex (contract 4)
    assert "niet in deze levering" in html
    at = html.index("Preventie")
    assert "niet in deze levering" in html[at:at + 2000]


@pytest.mark.parametrize(("old", "new", "message"), [
    # 1 vooruit / 2 achteruit / 3 gelijk mapped directly onto 1 / 2 gelijk / 3 achteruit
    ("    recode: {2: 3, 3: 2}  #", "    #", "zet bij buurt_ontw recode: {2: 3, 3: 2}"),
    # "weet niet" codes as global missing codes: 6 and 9 are valid answers of rapportcijfers
    ("  99: geen antwoord  # in alle 55 variabelen\n",
     "  99: geen antwoord\n  6: weet niet\n  9: weet niet\n",
     "ontbrekingscode 6 ('weet niet') is bij variabele cijf_leefb"),
])
def test_wrong_mappings_are_caught_before_any_number(tmp_path, capsys, old, new, message):
    """The two wrong codebooks of issue 10 (buurt 70% instead of 23% achteruit, rapportcijfer
    7,32 instead of 7,11) stop `ivb prepare` with exit 2 and a fix, writing nothing."""
    target = tmp_path / "raw" / "enschede"
    shutil.copytree(FIXTURE, target)
    book = target / "codeboek.yaml"
    text = book.read_text(encoding="utf-8")
    assert text.count(old) == 1
    book.write_text(text.replace(old, new), encoding="utf-8")
    assert main(["prepare", "--data-dir", str(target)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "processed").exists()
