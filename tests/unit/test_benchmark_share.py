"""benchmark.benchmark_shares: the part-whole share p per wave, fixed or from data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ivb_analysis.benchmark import benchmark_shares, group_members
from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.prepare import group_tables

POPULATION = pd.DataFrame({
    "region_code": ["GM1", "GM2", "GM3", "GM1", "GM2", "GM3", "GM4"],
    "year": [2013, 2013, 2013, 2015, 2015, 2015, 2015],
    "population": [100, 300, 600, 120, 280, 600, 5000],  # GM4 is no member
})


def test_population_share_per_wave_by_hand():
    table = benchmark_shares([2013, 2015, 2016], "GM1", members=["GM1", "GM2", "GM3"],
                             population=POPULATION)
    assert table["share"].tolist() == pytest.approx([100 / 1000, 120 / 1000, 120 / 1000])
    assert table["source"].tolist() == ["bevolkingsaandeel"] * 3
    assert table["population_year"].tolist() == [2013, 2015, 2015]  # 2016: latest earlier year


def test_unweighted_fixed_and_outside_the_group():
    unweighted = benchmark_shares([2015], "GM1", members=["GM1", "GM2", "GM3", "GM5"],
                                  weighting="unweighted")
    assert unweighted["share"].iloc[0] == pytest.approx(0.25)
    fixed = benchmark_shares([2013, 2015], "GM1", fixed=0.018, members=["GM1"],
                             population=POPULATION)
    assert fixed["share"].tolist() == [0.018, 0.018]
    assert (fixed["source"] == "instelling").all()
    outside = benchmark_shares([2015], "GM9", members=["GM1", "GM2"], population=POPULATION)
    assert outside["share"].iloc[0] == 0.0


def test_missing_population_is_bad_input():
    with pytest.raises(InputError, match="bevolkingscijfers"):
        benchmark_shares([2015], "GM1", members=["GM1", "GM2"])
    with pytest.raises(InputError, match="geen bevolkingscijfer"):
        benchmark_shares([2012], "GM1", members=["GM1", "GM2"], population=POPULATION)


def test_mini_delivery_share_from_its_group_files():
    settings = load_settings(Path(__file__).resolve().parents[2] / "data" / "raw" / "mini")
    tables = group_tables(settings)
    members = group_members(settings.benchmark_group, tables["group_members"])
    pop = tables["group_population"]
    table = benchmark_shares(settings.years, settings.gemeente_code, members=members,
                             population=pop)
    in_group = pop[pop["region_code"].isin(members) & (pop["year"] == 2015)]
    hengelo = in_group.loc[in_group["region_code"] == "GM0164", "population"].iloc[0]
    assert len(members) == 32
    assert table.set_index("year").loc[2015, "share"] == pytest.approx(
        hengelo / in_group["population"].sum())
    assert 0.015 < table["share"].min() < table["share"].max() < 0.025
