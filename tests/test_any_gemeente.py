"""A delivery for another gemeente, end to end: the synthetic Enschede delivery (another bureau's
names and codes, no preventie and horeca items) goes from `ivb init` (draft) via the committed
reviewed codebook to `ivb prepare` and `ivb annex`.

Expected values are computed here straight from the raw .sav files with pyreadstat and numpy
(the bureau's own codes), independently of the pipeline.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from ivb_analysis.config import load_settings
from ivb_analysis.io.tables import read_benchmark, read_casework
from ivb_analysis.prepare import crime, group_tables, population

FIXTURE = Path(__file__).parent / "fixtures" / "levering_enschede"
SCRIPT = Path(__file__).parent / "fixtures" / "make_levering_enschede.py"
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
    assert len(benchmark) == 2 * 19
    casework = read_casework(settings.path("casework"))
    assert set(casework["gemeente_code"]) == {"GM0141", "GM0153", "GM0164"}
