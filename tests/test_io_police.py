"""Police aggregation, rates, ranks and benchmark groups on the real public slices.

Expected numbers are recomputed in plain Python from the raw rows (csv module), not through the
library, so a reader bug cannot hide in both sides of an assertion.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from ivb_analysis.errors import InputError
from ivb_analysis.io.police import (
    aggregate_to_wijk,
    crime_rates,
    group_rate,
    rank_in_group,
    read_group_membership,
)
from ivb_analysis.io.statline import (
    read_crime_47018,
    read_kwb_json,
    read_statline_export,
    read_statline_metadata,
    region_codes_by_name,
    statline_by_code,
)

PUBLIC = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "public"
BUURT_CRIME = "politie_47018NED_buurt_2023_hengelo/PolRegCrime47018_2023_hengelo_rows.csv"
KWB = "cbs_85984NED_kwb2024_hengelo/kwb2024_stripped_GM0164_wijken.json"
CRIME_2023 = "politie_47013NED_statline_gemeente_totaal/misdrijven_2022_2023_G40_slice.csv"
POPULATION = "cbs_37230ned_bevolking_gemeente/bevolking_einde_periode_2002_2024_G40_slice.csv"
METADATA = "politie_47013NED_metadata/allemisdrijven_metadata_21122025.csv"
MEMBERS = "g32_membership/g32_g40_members_compiled.csv"


@pytest.fixture(scope="module")
def public() -> Path:
    if not PUBLIC.is_dir():
        pytest.skip(f"publieke data niet gevonden: {PUBLIC}")
    return PUBLIC


def raw_rows(path: Path, sep: str) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=sep))


def raw_by_name(path: Path, column: int) -> dict[str, int]:
    """Region name -> integer in `column` of a StatLine export's data rows (plain csv)."""
    rows = raw_rows(path, ";")
    return {r[0]: int(r[column]) for r in rows if len(r) > column and r[column].isdigit()}


@pytest.fixture(scope="module")
def gemeente_tables(public: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Crime totals and end-of-year population per GM code, via the readers."""
    codes = region_codes_by_name(read_statline_metadata(public / METADATA))
    totals = statline_by_code(read_statline_export(public / CRIME_2023), codes, "count")
    population = statline_by_code(read_statline_export(public / POPULATION), codes,
                                  "population")
    return totals, population.drop(columns="region_name")


# --- buurt -> wijk ----------------------------------------------------------------------------


def test_aggregate_to_wijk(public: Path) -> None:
    rows = raw_rows(public / BUURT_CRIME, ",")
    header = rows[0]
    code, count = header.index("WijkenEnBuurten"), header.index("GeregistreerdeMisdrijven_1")
    expected: dict[str, int] = defaultdict(int)
    for row in rows[1:]:
        expected["WK" + row[code][2:8]] += int(row[count])
    binnenstad = [int(r[count]) for r in rows[1:] if r[code].startswith("BU016400")]
    assert binnenstad == [717, 91, 55]

    wijken = aggregate_to_wijk(read_crime_47018(public / BUURT_CRIME))
    assert len(wijken) == len(expected) == 10
    assert dict(zip(wijken["region_code"], wijken["count"], strict=True)) == dict(expected)
    assert wijken["count"].sum() == 3665
    assert wijken.loc[wijken["region_code"] == "WK016400", "count"].item() == sum(binnenstad)
    assert wijken.loc[wijken["region_code"] == "WK016400", "n_buurten"].item() == 3
    assert set(wijken["region_level"]) == {"wijk"}
    assert wijken["n_buurten"].sum() == 62
    assert wijken["region_code"].tolist() == sorted(expected)


def test_aggregate_to_wijk_keeps_missing_visible() -> None:
    crime = pd.DataFrame({
        "region_code": ["BU01640000", "BU01640001", "BU01640100", "WK016401"],
        "crime_code": ["0.0.0"] * 4,
        "year": [2023] * 4,
        "count": pd.array([10, None, 5, 999], dtype="Int64"),
    })
    wijken = aggregate_to_wijk(crime)
    assert wijken["region_code"].tolist() == ["WK016400", "WK016401"]
    assert pd.isna(wijken["count"].iloc[0])  # one buurt unknown -> wijk unknown
    assert wijken["count"].iloc[1] == 5  # the wijk row itself is not added again


def test_aggregate_rejects_bad_buurt_code() -> None:
    crime = pd.DataFrame({"region_code": ["BU0164"], "crime_code": ["0.0.0"], "year": [2023],
                          "count": [1]})
    with pytest.raises(InputError, match="ongeldige buurtcode"):
        aggregate_to_wijk(crime)


def test_wijk_rates_with_kwb_population(public: Path) -> None:
    wijken = aggregate_to_wijk(read_crime_47018(public / BUURT_CRIME))
    rates = crime_rates(wijken, read_kwb_json(public / KWB))
    binnenstad = rates[rates["region_code"] == "WK016400"].iloc[0]
    assert binnenstad["population"] == 3010
    assert binnenstad["rate_per_1000"] == pytest.approx(863 / 3010 * 1000)
    assert rates["population"].sum() == 83060


# --- gemeente rates, rank and group -----------------------------------------------------------


def test_hengelo_rate_and_rank_in_g40(public: Path, gemeente_tables) -> None:
    totals, population = gemeente_tables
    rates = crime_rates(totals[totals["year"] == 2023], population)
    hengelo = rates[rates["region_code"] == "GM0164"].iloc[0]
    assert hengelo["count"] == 3676 and hengelo["population"] == 83058
    assert hengelo["rate_per_1000"] == pytest.approx(3676 / 83058 * 1000)
    assert hengelo["rate_per_1000"] == pytest.approx(44.26, abs=0.005)

    # independent: plain Python over the raw exports and the membership file
    crimes = raw_by_name(public / CRIME_2023, 2)  # column 2 = 2023
    header = raw_rows(public / POPULATION, ";")[3]
    inhabitants = raw_by_name(public / POPULATION, header.index("2023"))
    names = [r[1] for r in raw_rows(public / MEMBERS, ";")[1:]]
    by_rate = {name: crimes[name] / inhabitants[name] * 1000 for name in names}
    expected_rank = 1 + sum(rate > by_rate["Hengelo (O.)"] for rate in by_rate.values())

    g40 = read_group_membership(public / MEMBERS, "G40")
    ranked = rank_in_group(rates, g40)
    assert len(ranked) == 41 and ranked["n_ranked"].eq(41).all()
    assert ranked.loc[ranked["region_code"] == "GM0164", "rank"].item() == expected_rank
    assert ranked["rank"].tolist() == sorted(ranked["rank"].tolist())
    top_name = max(by_rate, key=by_rate.get)
    assert ranked.iloc[0]["region_name"] == top_name


def test_group_rate_g40_is_ratio_of_sums(public: Path, gemeente_tables) -> None:
    totals, population = gemeente_tables
    g40 = read_group_membership(public / MEMBERS, "G40")
    result = group_rate(totals, population, g40)
    assert result["year"].tolist() == [2022, 2023]
    row = result[result["year"] == 2023].iloc[0]

    crimes = raw_by_name(public / CRIME_2023, 2)
    header = raw_rows(public / POPULATION, ";")[3]
    inhabitants = raw_by_name(public / POPULATION, header.index("2023"))
    names = [r[1] for r in raw_rows(public / MEMBERS, ";")[1:]]
    assert row["crimes"] == sum(crimes[n] for n in names)
    assert row["population"] == sum(inhabitants[n] for n in names)
    assert row["rate_per_1000"] == pytest.approx(
        sum(crimes[n] for n in names) / sum(inhabitants[n] for n in names) * 1000)
    assert row["n_members"] == row["n_used"] == 41 and row["missing"] == []


def test_group_rate_reports_members_without_population() -> None:
    totals = pd.DataFrame({"region_code": ["GM0001", "GM0002", "GM0003"],
                           "year": [2018] * 3, "count": [10, 20, 30]})
    population = pd.DataFrame({"region_code": ["GM0001", "GM0002", "GM0003"],
                               "year": [2018] * 3,
                               "population": pd.array([1000, None, 3000], dtype="Int64")})
    result = group_rate(totals, population, ["GM0001", "GM0002", "GM0003", "GM0004"])
    row = result.iloc[0]
    assert row["missing"] == ["GM0002", "GM0004"]  # merged away / no crime row
    assert row["n_members"] == 4 and row["n_used"] == 2
    assert row["rate_per_1000"] == pytest.approx(40 / 4000 * 1000)


def test_group_rate_with_merged_member_in_statline_export(tmp_path: Path) -> None:
    """A 37230ned-style export where a member has an empty cell (merged) is reported."""
    path = tmp_path / "bevolking.csv"
    path.write_text(
        '"Bevolkingsontwikkeling; regio per maand"\n""\n"";"";"";"Perioden"\n'
        '"Regio\'s";"Onderwerp";"";"2018";"2019"\n'
        '"Haren";"Bevolking aan het einde van de periode";"aantal";"20110";""\n'
        '"Groningen (gemeente)";"Bevolking aan het einde van de periode";"aantal";'
        '"203819";"232874"\n"Bron: CBS"\n', encoding="utf-8")
    codes = {"Haren": "GM0017", "Groningen (gemeente)": "GM0014"}
    population = statline_by_code(read_statline_export(path), codes, "population")
    totals = pd.DataFrame({"region_code": ["GM0014", "GM0017", "GM0014"],
                           "year": [2018, 2018, 2019], "count": [100, 10, 120]})
    result = group_rate(totals, population, ["GM0014", "GM0017"]).set_index("year")
    assert result.loc[2018, "missing"] == []
    assert result.loc[2019, "missing"] == ["GM0017"]
    assert result.loc[2019, "rate_per_1000"] == pytest.approx(120 / 232874 * 1000)


def test_crime_rates_population_zero_or_missing() -> None:
    crime = pd.DataFrame({"region_code": ["BU1", "BU2", "BU3"], "count": [5, 5, 5]})
    population = pd.DataFrame({"region_code": ["BU1", "BU2"], "population": [0, 500]})
    rates = crime_rates(crime, population)
    assert rates["rate_per_1000"].isna().tolist() == [True, False, True]
    assert rates["rate_per_1000"].iloc[1] == pytest.approx(10.0)


def test_crime_rates_rejects_duplicate_population() -> None:
    crime = pd.DataFrame({"region_code": ["GM0001"], "count": [5]})
    population = pd.DataFrame({"region_code": ["GM0001", "GM0001"], "population": [1, 2]})
    with pytest.raises(InputError, match="dubbel"):
        crime_rates(crime, population)


# --- membership ---------------------------------------------------------------------------------


def test_group_membership(public: Path) -> None:
    path = public / MEMBERS
    rows = raw_rows(path, ";")
    header, data = rows[0], rows[1:]
    original = header.index("in_oorspronkelijke_G32_2009")
    g40 = read_group_membership(path, "G40")
    g32 = read_group_membership(path, "G32")
    assert g40 == sorted(r[0] for r in data) and len(g40) == 41
    assert g32 == sorted(r[0] for r in data if r[original] == "ja") and len(g32) == 32
    assert "GM0164" in g32
    later = read_group_membership(path, "groep=later")
    assert later == sorted(r[0] for r in data if r[header.index("groep")] == "later")
    assert set(later).isdisjoint(g32)


def test_group_membership_errors(public: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="onbekende benchmarkgroep"):
        read_group_membership(public / MEMBERS, "G100")
    with pytest.raises(InputError) as err:
        read_group_membership(public / MEMBERS, "bestaat_niet=ja")
    assert err.value.column == "bestaat_niet"
    path = tmp_path / "leden.csv"
    path.write_text("gemeentecode;statline_naam\nGM0164;Hengelo (O.)\nGM164;Fout\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_group_membership(path)
    assert err.value.row == 3 and "leden.csv" in str(err.value)
