"""benchmark.py: the footprint on hand-built cases, police rates on the real files, casework.

Footprint expectations are worked out by hand from the formulas (scipy only for the normal tail,
Benjamini-Hochberg re-implemented in plain Python here). Police and casework expectations are
recomputed with the csv module from the raw rows, independently of the readers.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import norm

from ivb_analysis.benchmark import (
    REASON_NO_ESTIMATE,
    footprint,
    group_members,
    population_share,
)
from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.errors import InputError
from ivb_analysis.io.police import aggregate_to_wijk, read_group_membership
from ivb_analysis.io.statline import (
    read_crime_47018,
    read_kwb_json,
    read_statline_export,
    read_statline_metadata,
    region_codes_by_name,
    statline_by_code,
)
from ivb_analysis.rates import (
    casework_rates,
    crime_figures,
    crime_rates,
    gemeente_vs_group,
    group_rate,
    rank_in_group,
    total_rate,
)
from tests.conftest import (
    BUURT_CRIME,
    DEMO_DIR,
    KWB,
    MEMBERS,
    METADATA,
    POPULATION,
    raw_rows,
)

CRIME_2023 = "politie_47013NED_statline_gemeente_totaal/misdrijven_2022_2023_G40_slice.csv"
FOOTPRINT = [i.id for i in load_catalogue().footprint]


# --- footprint: hand-built cases ---------------------------------------------------------------


def ours(rows: list[tuple]) -> pd.DataFrame:
    """(indicator, year, estimate, se) rows as the gemeente's estimates."""
    return pd.DataFrame(rows, columns=["indicator", "year", "estimate", "se"])


def published(rows: list[tuple]) -> pd.DataFrame:
    """(indicator, year, value, se) rows as a benchmark published with a 95% interval."""
    return pd.DataFrame([(i, y, v, v - 1.96 * se, v + 1.96 * se) for i, y, v, se in rows],
                        columns=["indicator", "year", "estimate", "ci_low", "ci_high"])


def p_two_sided(z: float) -> float:
    return 2 * norm.sf(abs(z))


def bh(p_values: list[float]) -> list[float]:
    """Benjamini-Hochberg by hand: p x m / rank, made monotone from the largest p down."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted, running = [0.0] * m, 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = running
    return adjusted


def row(table: pd.DataFrame, indicator: str) -> pd.Series:
    hits = table[table["indicator"] == indicator]
    assert len(hits) == 1
    return hits.iloc[0]


THREE = (
    ours([("rapportcijfer_leefbaarheid", 2013, 7.5, 0.05),
          ("rapportcijfer_leefbaarheid", 2015, 7.3, 0.05),
          ("buurt_achteruit", 2013, 20.0, 1.0), ("buurt_achteruit", 2015, 24.0, 1.0),
          ("preventie", 2013, 60.0, 1.0), ("preventie", 2015, 50.0, 1.0)]),
    published([("rapportcijfer_leefbaarheid", 2013, 7.3, 0.01),
               ("rapportcijfer_leefbaarheid", 2015, 7.3, 0.01),
               ("buurt_achteruit", 2013, 25.0, 0.5), ("buurt_achteruit", 2015, 25.0, 0.5),
               ("preventie", 2013, 55.0, 0.5), ("preventie", 2015, 55.0, 0.5)]),
)


def test_footprint_columns_and_order():
    table = footprint(*THREE, 2013, 2015)
    assert list(table.columns[:5]) == ["indicator", "label", "position_2013", "position_2015",
                                       "development"]
    for year in (2013, 2015):
        for name in ("estimate", "se", "benchmark", "benchmark_se", "difference", "p",
                     "p_adjusted"):
            assert f"{name}_{year}" in table.columns
    for name in ("development_difference", "development_se", "development_p",
                 "development_p_adjusted"):
        assert name in table.columns
    assert table["indicator"].tolist() == FOOTPRINT and len(table) == len(FOOTPRINT)
    assert row(table, "rapportcijfer_leefbaarheid")["label"] == "Rapportcijfer leefbaarheid"


def test_footprint_positions_polarity_and_neutral_by_hand():
    table = footprint(*THREE, 2013, 2015)
    leef, achter, prev = (row(table, i) for i in
                          ("rapportcijfer_leefbaarheid", "buurt_achteruit", "preventie"))
    # 2013: leefbaarheid 7,5 vs 7,3: z = 0,2 / sqrt(0,05^2 + 0,01^2)
    z_leef = 0.2 / math.sqrt(0.05**2 + 0.01**2)
    z_achter = (20 - 25) / math.sqrt(1 + 0.25)  # lower share "achteruit" is better
    z_prev = (60 - 55) / math.sqrt(1 + 0.25)  # neutral: only higher / lower
    p13 = [p_two_sided(z) for z in (z_leef, z_achter, z_prev)]
    assert leef["benchmark_se_2013"] == pytest.approx(0.01)
    assert leef["difference_2013"] == pytest.approx(0.2)
    assert leef["se_difference_2013"] == pytest.approx(math.sqrt(0.0026))
    assert leef["p_2013"] == pytest.approx(p13[0])
    assert [leef["p_adjusted_2013"], achter["p_adjusted_2013"], prev["p_adjusted_2013"]] == (
        pytest.approx(bh(p13)))
    assert (leef["position_2013"], achter["position_2013"], prev["position_2013"]) == (
        "beter", "beter", "hoger")
    # 2015: 7,3 vs 7,3 and 24 vs 25 not different; preventie 50 vs 55 significantly lower
    p15 = [p_two_sided(z) for z in (0.0, -1 / math.sqrt(1.25), -5 / math.sqrt(1.25))]
    assert [leef["p_adjusted_2015"], achter["p_adjusted_2015"], prev["p_adjusted_2015"]] == (
        pytest.approx(bh(p15)))
    assert (leef["position_2015"], achter["position_2015"], prev["position_2015"]) == (
        "gelijk", "gelijk", "lager")
    # untested footprint rows say why
    assert row(table, "sociale_cohesie")["position_2013"] is None
    assert row(table, "sociale_cohesie")["reason_2013"] == REASON_NO_ESTIMATE


def test_footprint_development_by_hand():
    table = footprint(*THREE, 2013, 2015)
    leef, achter, prev = (row(table, i) for i in
                          ("rapportcijfer_leefbaarheid", "buurt_achteruit", "preventie"))
    # (G15 - G13) - (B15 - B13); the two waves' variances add
    d = {"leef": (7.3 - 7.5) - (7.3 - 7.3), "achter": (24 - 20) - (25 - 25),
         "prev": (50 - 60) - (55 - 55)}
    var = {"leef": 2 * (0.05**2 + 0.01**2), "achter": 2 * 1.25, "prev": 2 * 1.25}
    p = [p_two_sided(d[k] / math.sqrt(var[k])) for k in ("leef", "achter", "prev")]
    assert leef["development_difference"] == pytest.approx(-0.2)
    assert leef["development_se"] == pytest.approx(math.sqrt(0.0052))
    assert achter["development_difference"] == pytest.approx(4.0)
    assert [leef["development_p"], achter["development_p"], prev["development_p"]] == (
        pytest.approx(p))
    assert [leef["development_p_adjusted"], achter["development_p_adjusted"],
            prev["development_p_adjusted"]] == pytest.approx(bh(p))
    assert leef["change"] == pytest.approx(-0.2) and leef["change_benchmark"] == pytest.approx(0)
    # leefbaarheid went down against the benchmark (worse); "achteruit" went up (worse);
    # preventie fell against the benchmark: neutral, so "lager"
    assert (leef["development"], achter["development"], prev["development"]) == (
        "slechter", "slechter", "lager")


def test_footprint_development_significant_although_both_positions_equal():
    # 1,5 SE above the benchmark in 2013 and 1,5 SE below in 2015: neither differs (p = 0,134),
    # but the development -0,3 / sqrt(2 x 0,01) = -2,12 does (p = 0,034)
    gemeente = ours([("sociale_cohesie", 2013, 6.15, 0.08), ("sociale_cohesie", 2015, 5.85, 0.08)])
    bench = published([("sociale_cohesie", 2013, 6.0, 0.06), ("sociale_cohesie", 2015, 6.0, 0.06)])
    cohesie = row(footprint(gemeente, bench, 2013, 2015), "sociale_cohesie")
    assert cohesie["p_2013"] == pytest.approx(p_two_sided(1.5))
    assert cohesie["p_2015"] == pytest.approx(p_two_sided(1.5))
    assert cohesie["position_2013"] == cohesie["position_2015"] == "gelijk"
    assert cohesie["development_z"] == pytest.approx(-0.3 / math.sqrt(0.02))
    assert cohesie["development_p"] == pytest.approx(p_two_sided(0.3 / math.sqrt(0.02)))
    assert cohesie["development_p"] == pytest.approx(0.0339, abs=1e-4)
    assert cohesie["development"] == "slechter"


def test_footprint_part_whole_share():
    gemeente, bench = THREE
    table = footprint(gemeente, bench, 2013, 2015, share=0.2)
    leef = row(table, "rapportcijfer_leefbaarheid")
    # SE^2(G - B) = SE^2(B) + (1 - 2p) SE^2(G) = 0,0001 + 0,6 x 0,0025 = 0,0016
    assert leef["se_difference_2013"] == pytest.approx(0.04)
    assert leef["z_2013"] == pytest.approx(5.0)
    assert leef["share_2013"] == pytest.approx(0.2)
    by_year = footprint(gemeente, bench, 2013, 2015, share={2013: 0.2, 2015: 0.0})
    leef = row(by_year, "rapportcijfer_leefbaarheid")
    assert leef["development_se"] == pytest.approx(math.sqrt(0.0016 + 0.0026))


def test_footprint_untested_rows_say_why():
    gemeente, bench = THREE
    gemeente = pd.concat([gemeente, ours([("functioneren_gemeente", 2013, 5.8, 0.04),
                                          ("functioneren_gemeente", 2015, None, None),
                                          ("sociale_overlast", 2013, 8.0, 0.3),
                                          ("sociale_overlast", 2015, 8.0, 0.3)])])
    gemeente["suppressed"] = gemeente["estimate"].isna()
    bench = pd.concat([bench, published([("functioneren_gemeente", 2013, 5.6, 0.01),
                                          ("functioneren_gemeente", 2015, 5.6, 0.01),
                                          ("sociale_overlast", 2013, 9.0, 0.2)])])
    table = footprint(gemeente, bench, 2013, 2015)
    functioneren = row(table, "functioneren_gemeente")
    assert functioneren["position_2013"] == "beter"
    assert functioneren["position_2015"] is None
    assert functioneren["reason_2015"] == "te weinig waarnemingen"
    assert functioneren["development"] is None
    assert functioneren["development_reason"] == "te weinig waarnemingen"
    overlast = row(table, "sociale_overlast")
    assert overlast["position_2013"] == "beter"  # 8 % vs 9 % veel overlast: lower is better
    assert overlast["reason_2015"] == "geen vergelijkingscijfer"
    assert overlast["development_reason"] == "geen vergelijkingscijfer"
    assert row(table, "vernielingen")["development_reason"] == REASON_NO_ESTIMATE


def test_footprint_refuses_a_development_across_the_method_break():
    gemeente = ours([("rapportcijfer_veiligheid", 2019, 7.0, 0.05),
                     ("rapportcijfer_veiligheid", 2021, 7.4, 0.05)])
    bench = published([("rapportcijfer_veiligheid", 2019, 7.0, 0.01),
                       ("rapportcijfer_veiligheid", 2021, 7.0, 0.01)])
    veilig = row(footprint(gemeente, bench, 2019, 2021, method_break=2021),
                 "rapportcijfer_veiligheid")
    assert veilig["development"] is None and veilig["development_reason"] == "methodebreuk"
    assert veilig["position_2021"] == "beter"
    converted = row(footprint(gemeente, bench, 2019, 2021, method_break=2021,
                              conversion={"rapportcijfer_veiligheid": 1.0}),
                    "rapportcijfer_veiligheid")
    assert converted["development"] == "beter"
    assert converted["development_difference"] == pytest.approx(0.4)


def test_footprint_takes_the_se_from_the_interval_when_absent():
    gemeente = ours([("sociale_cohesie", 2013, 6.3, 0.1), ("sociale_cohesie", 2015, 6.0, 0.1)])
    gemeente = gemeente.assign(ci_low=gemeente["estimate"] - 0.196,
                               ci_high=gemeente["estimate"] + 0.196).drop(columns="se")
    bench = published([("sociale_cohesie", 2013, 6.0, 0.0), ("sociale_cohesie", 2015, 6.0, 0.0)])
    cohesie = row(footprint(gemeente, bench, 2013, 2015), "sociale_cohesie")
    assert cohesie["se_2013"] == pytest.approx(0.1)
    assert cohesie["z_2013"] == pytest.approx(3.0)


def test_footprint_errors():
    gemeente, bench = THREE
    with pytest.raises(InputError, match="verschillen"):
        footprint(gemeente, bench, 2015, 2015)
    with pytest.raises(InputError, match="meetjaar ontbreekt in de benchmark"):
        footprint(gemeente, bench[bench["year"] == 2013], 2013, 2015)
    with pytest.raises(InputError, match="meetjaar ontbreekt in de schattingen"):
        footprint(gemeente, bench, 2013, 2017)
    per_wijk = pd.concat([gemeente.assign(wijk_code="WK016400"),
                          gemeente.assign(wijk_code="WK016401")])
    with pytest.raises(InputError, match="meer dan één rij"):
        footprint(per_wijk, bench, 2013, 2015)


# --- benchmark groups ---------------------------------------------------------------------------




def raw_by_name(path: Path, column: int) -> dict[str, int]:
    """Region name -> integer in `column` of a StatLine export's data rows (plain csv)."""
    rows = raw_rows(path, ";")
    return {r[0]: int(r[column]) for r in rows if len(r) > column and r[column].isdigit()}


def test_group_members_named_or_listed(public: Path):
    rows = raw_rows(public / MEMBERS, ";")
    original = rows[0].index("in_oorspronkelijke_G32_2009")
    g32 = group_members("G32", public / MEMBERS)
    assert g32 == sorted(r[0] for r in rows[1:] if r[original] == "ja") and len(g32) == 32
    assert len(group_members("G40", public / MEMBERS)) == 41
    assert group_members(["GM0153", "GM0141"]) == ["GM0141", "GM0153"]
    assert group_members("GM0153,GM0141") == ["GM0141", "GM0153"]
    with pytest.raises(InputError, match="lidmaatschapsbestand"):
        group_members("G32")
    with pytest.raises(InputError, match="onbekende benchmarkgroep"):
        group_members("G33", public / MEMBERS)


# --- police: moved from test_io_police.py -----------------------------------------------------


@pytest.fixture(scope="module")
def gemeente_tables(public: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Crime totals and end-of-year population per GM code, via the readers."""
    codes = region_codes_by_name(read_statline_metadata(public / METADATA))
    totals = statline_by_code(read_statline_export(public / CRIME_2023), codes, "count")
    population = statline_by_code(read_statline_export(public / POPULATION), codes,
                                  "population")
    return totals, population.drop(columns="region_name")


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


def test_hengelo_against_the_g40_over_the_years(public: Path, gemeente_tables) -> None:
    totals, population = gemeente_tables
    g40 = group_members("G40", public / MEMBERS)
    result = gemeente_vs_group(totals, population, "GM0164", g40).set_index("year")
    assert result.index.tolist() == [2022, 2023]
    hengelo = result.loc[2023]
    assert hengelo["count"] == 3676 and hengelo["population"] == 83058
    assert hengelo["rate_per_1000"] == pytest.approx(3676 / 83058 * 1000)

    # independent: plain Python over the raw exports and the membership file
    header = raw_rows(public / POPULATION, ";")[3]
    names = [r[1] for r in raw_rows(public / MEMBERS, ";")[1:]]
    for year, crime_column in ((2022, 1), (2023, 2)):
        crimes = raw_by_name(public / CRIME_2023, crime_column)
        inhabitants = raw_by_name(public / POPULATION, header.index(str(year)))
        rates = {n: crimes[n] / inhabitants[n] * 1000 for n in names}
        others = [n for n in names if n != "Hengelo (O.)"]
        row_year = result.loc[year]
        assert row_year["group_rate_per_1000"] == pytest.approx(
            sum(crimes[n] for n in names) / sum(inhabitants[n] for n in names) * 1000)
        assert row_year["others_rate_per_1000"] == pytest.approx(
            sum(crimes[n] for n in others) / sum(inhabitants[n] for n in others) * 1000)
        assert row_year["rank"] == 1 + sum(r > rates["Hengelo (O.)"] for r in rates.values())
        assert row_year["n_ranked"] == 41 and row_year["missing"] == []
        assert row_year["ratio"] == pytest.approx(
            rates["Hengelo (O.)"] / row_year["group_rate_per_1000"])
    assert hengelo["rate_per_1000"] < hengelo["group_rate_per_1000"]  # below the G40 rate


def test_population_share_of_hengelo_in_the_g32(public: Path, gemeente_tables) -> None:
    _totals, population = gemeente_tables
    g32 = group_members("G32", public / MEMBERS)
    share = population_share(population, "GM0164", g32).set_index("year")
    rows = raw_rows(public / MEMBERS, ";")
    original = rows[0].index("in_oorspronkelijke_G32_2009")
    names = [r[1] for r in rows[1:] if r[original] == "ja"]
    header = raw_rows(public / POPULATION, ";")[3]
    inhabitants = raw_by_name(public / POPULATION, header.index("2023"))
    assert share.loc[2023, "share"] == pytest.approx(
        83058 / sum(inhabitants[n] for n in names))
    assert 0.01 < share.loc[2023, "share"] < 0.03


def test_crime_figures_change_on_the_year_before() -> None:
    crime = pd.DataFrame({
        "region_code": ["WK016400"] * 3 + ["WK016401"] * 2,
        "crime_code": ["0.0.0"] * 5,
        "year": [2021, 2022, 2023, 2022, 2023],
        "count": pd.array([800, 900, 855, 0, 12], dtype="Int64"),
    })
    population = pd.DataFrame({"region_code": ["WK016400"] * 3 + ["WK016401"] * 2,
                               "year": [2021, 2022, 2023, 2022, 2023],
                               "population": [3000, 3000, 2850, 1000, 1200]})
    table = crime_figures(crime, population)
    binnenstad = table[table["region_code"] == "WK016400"].set_index("year")
    assert binnenstad["rate_per_1000"].tolist() == pytest.approx([800 / 3, 300, 300])
    assert pd.isna(binnenstad.loc[2021, "count_change"])  # no year before
    assert binnenstad.loc[2022, "count_change"] == 100
    assert binnenstad.loc[2022, "count_change_pct"] == pytest.approx(12.5)
    assert binnenstad.loc[2023, "count_change"] == -45
    assert binnenstad.loc[2023, "count_change_pct"] == pytest.approx(-5.0)
    assert binnenstad.loc[2023, "rate_change"] == pytest.approx(0.0)
    other = table[table["region_code"] == "WK016401"].set_index("year")
    assert other.loc[2023, "count_change"] == 12
    assert pd.isna(other.loc[2023, "count_change_pct"])  # from 0: no percentage
    assert other.loc[2023, "rate_change"] == pytest.approx(10.0)


def test_crime_figures_on_the_demo_wijken() -> None:
    from ivb_analysis.config import load_settings
    from ivb_analysis.prepare import crime, population

    settings = load_settings(DEMO_DIR)
    wijken = crime(settings)
    totals = wijken[wijken["crime_code"] == "0.0.0"]
    table = crime_figures(totals, population(settings, sorted(totals["year"].unique())))
    # independent: the raw demo rows
    rows = raw_rows(settings.path("police"), ",")
    header = rows[0]
    key, region, period, count = (header.index(c) for c in (
        "SoortMisdrijf", "WijkenEnBuurten", "Perioden", "GeregistreerdeMisdrijven_1"))
    raw = {(r[region].strip(), int(r[period][:4])): int(r[count]) for r in rows[1:]
           if r[key].strip() == "0.0.0"}
    pop_rows = raw_rows(settings.path("population", 2015), ",")
    pop = {r[1].strip(): int(r[5]) for r in pop_rows[1:]}
    b15 = table[(table["region_code"] == "WK016400") & (table["year"] == 2015)].iloc[0]
    assert b15["count"] == raw[("WK016400", 2015)]
    assert b15["rate_per_1000"] == pytest.approx(raw[("WK016400", 2015)] / pop["WK016400"] * 1000)
    assert b15["count_change"] == raw[("WK016400", 2015)] - raw[("WK016400", 2014)]
    assert len(table) == 10 * 12


# --- Veiligheidshuis casework -------------------------------------------------------------------


def test_casework_rates_by_hand() -> None:
    casework = pd.DataFrame({
        "year": [2015] * 4,
        "gemeente_code": ["GM0164", "GM0164", "GM0141", "GM0141"],
        "gemeente": ["Hengelo", "Hengelo", "Almelo", "Almelo"],
        "overleg": ["Code Rood", "Advies VHT", "Code Rood", "Advies VHT"],
        "count": [17, 35, 20, 30],
    })
    population = pd.DataFrame({"region_code": ["GM0164", "GM0141", "GM0153"],
                               "year": [2015] * 3, "population": [81075, 72000, 158000]})
    table = casework_rates(casework, population, total="Totaal")
    hengelo = table[table["gemeente_code"] == "GM0164"].set_index("overleg")
    assert hengelo.index.tolist() == ["Code Rood", "Advies VHT", "Totaal"]  # input order kept
    assert hengelo.loc["Code Rood", "rate_per_10000"] == pytest.approx(17 / 81075 * 10_000)
    assert hengelo.loc["Totaal", "count"] == 52
    assert hengelo.loc["Totaal", "rate_per_10000"] == pytest.approx(52 / 81075 * 10_000)
    almelo = table[table["gemeente_code"] == "GM0141"].set_index("overleg")
    assert almelo.loc["Code Rood", "rate_per_10000"] == pytest.approx(20 / 72000 * 10_000)
    missing = casework_rates(casework, population[population["region_code"] != "GM0141"])
    assert missing[missing["gemeente_code"] == "GM0141"]["rate_per_10000"].isna().all()


def test_casework_rates_on_the_demo() -> None:
    from ivb_analysis.config import load_settings
    from ivb_analysis.io.tables import read_casework
    from ivb_analysis.prepare import group_tables

    settings = load_settings(DEMO_DIR)
    population = group_tables(settings)["group_population"]
    table = casework_rates(read_casework(settings.path("casework")), population)
    # independent: plain csv over the demo's 37230ned download and casework file
    pop_rows = raw_rows(settings.path("group_population"), ";")
    year_column = pop_rows[3].index("2015")
    inhabitants = {r[0]: int(r[year_column]) for r in pop_rows[4:] if len(r) > year_column}
    names = {"GM0164": "Hengelo (O.)", "GM0141": "Almelo", "GM0153": "Enschede"}
    cases = [r for r in raw_rows(settings.path("casework"), ";")[1:] if r[0] == "2015"]
    assert len(cases) == 18
    for year, code, _name, overleg, count in cases:
        hit = table[(table["year"] == int(year)) & (table["gemeente_code"] == code)
                    & (table["overleg"] == overleg)].iloc[0]
        assert hit["count"] == int(count)
        assert hit["rate_per_10000"] == pytest.approx(
            int(count) / inhabitants[names[code]] * 10_000)
    code_rood = table[(table["year"] == 2015) & (table["overleg"] == "Code Rood")]
    assert code_rood.set_index("gemeente_code").loc["GM0164", "count"] == 17
    assert table["rate_per_10000"].notna().all()


# --- prepare: the group sources of a delivery -----------------------------------------------------


def _delivery(tmp_path: Path, public: Path, **files: str | None):
    """Settings whose group sources are copies of the real public downloads in a temporary
    delivery (a delivery reads only files inside its folder)."""
    import shutil

    from ivb_analysis.config import Settings, SourceFiles

    def inside(relative: str) -> str:
        target = tmp_path / Path(relative).name
        if not target.exists():
            shutil.copy(public / relative, target)
        return target.name

    sources = {"group_members": inside(MEMBERS), "group_crime": inside(CRIME_2023),
               "group_population": inside(POPULATION),
               **{k: v if v is None else inside(v) for k, v in files.items()}}
    return Settings(gemeente_code="GM0164", gemeente_naam="Hengelo", years=(2023,),
                    files=SourceFiles(survey="x.sav", codebook="c.yaml", wijken="w.csv",
                                      **sources),
                    data_dir=tmp_path, benchmark_group="G40")


@pytest.mark.parametrize("metadata", [False, True])
def test_prepare_group_tables_from_the_real_downloads(tmp_path: Path, public: Path,
                                                      metadata: bool) -> None:
    from ivb_analysis.prepare import group_tables

    extra = {"region_metadata": METADATA} if metadata else {}
    tables = group_tables(_delivery(tmp_path, public, **extra))
    crime, population = tables["group_crime"], tables["group_population"]
    members = raw_rows(public / MEMBERS, ";")[1:]
    crimes = raw_by_name(public / CRIME_2023, 2)
    hengelo = crime[(crime["region_code"] == "GM0164") & (crime["year"] == 2023)]
    assert hengelo["count"].item() == crimes["Hengelo (O.)"] == 3676
    # Nederland and Oost-Nederland (RE) have no GM code and fall away; all 41 members remain
    assert set(crime["region_code"]) == {r[0] for r in members}
    assert crime.groupby("year").size().to_dict() == {2022: 41, 2023: 41}
    pop = population[(population["region_code"] == "GM0164") & (population["year"] == 2023)]
    assert pop["population"].item() == 83058
    assert str(crime["count"].dtype) == "Int64"
    result = gemeente_vs_group(crime, population, "GM0164",
                               group_members("G40", tables["group_members"]))
    assert result.set_index("year").loc[2023, "rate_per_1000"] == pytest.approx(
        3676 / 83058 * 1000)


def test_prepare_group_tables_errors(tmp_path: Path, public: Path) -> None:
    from ivb_analysis.prepare import group_tables

    with pytest.raises(InputError, match="alleen namen"):
        group_tables(_delivery(tmp_path, public, group_members=None))
    with pytest.raises(InputError, match="onbekende benchmarkgroep"):
        group_tables(_delivery(tmp_path, public).replace(benchmark_group="G33"))
    with pytest.raises(InputError, match="ongeldige gemeentecode"):
        group_tables(_delivery(tmp_path, public).replace(benchmark_group=["GM0164", "x"]))
    with pytest.raises(InputError, match="eigen gemeente ontbreekt"):
        group_tables(_delivery(tmp_path, public).replace(gemeente_code="GM9999"))


# --- rates with a missing population (a wijk whose population CBS gives as `.`) ---------------


def _wijk_crime() -> tuple[pd.DataFrame, pd.DataFrame]:
    crime = pd.DataFrame({
        "region_code": ["WK000100", "WK000101", "WK000102", "WK000103"] * 2,
        "crime_code": ["0.0.0"] * 4 + ["1.1.1"] * 4,
        "year": [2023] * 8,
        "count": pd.array([100, 50, 30, 7, 10, 4, 2, 1], dtype="Int64"),
    })
    population = pd.DataFrame({  # WK000101: `.` in the CBS file; WK000103: no inhabitants
        "region_code": ["WK000100", "WK000101", "WK000102", "WK000103"],
        "year": [2023] * 4,
        "population": pd.array([1000, None, 2000, 0], dtype="Int64"),
    })
    return crime, population


def test_a_wijk_without_population_gets_no_rate_and_a_remark():
    crime, population = _wijk_crime()
    rates = crime_figures(crime, population)
    total = rates[rates["crime_code"] == "0.0.0"].set_index("region_code")
    assert total["rate_per_1000"].tolist()[0] == pytest.approx(100.0)  # 100 / 1000 x 1000
    assert math.isnan(total.loc["WK000101", "rate_per_1000"])
    assert total.loc["WK000102", "rate_per_1000"] == pytest.approx(15.0)  # 30 / 2000 x 1000
    assert math.isnan(total.loc["WK000103", "rate_per_1000"])
    assert total["opmerking"].tolist() == [None, "geen bevolkingscijfer", None, "geen inwoners"]


def test_the_gemeente_rate_leaves_a_wijk_without_population_out_of_both_sums():
    crime, population = _wijk_crime()
    totals = total_rate(crime_figures(crime, population)).set_index("crime_code")
    # (100 + 30) / (1000 + 2000) x 1000 = 43.33 (not 187 / 3000 x 1000 = 62.33)
    assert totals.loc["0.0.0", "rate_per_1000"] == pytest.approx(130 / 3000 * 1000)
    assert totals.loc["0.0.0", ["count", "population", "n_used"]].tolist() == [130, 3000, 2]
    assert totals.loc["0.0.0", "left_out"] == ["WK000101", "WK000103"]
    assert totals.loc["1.1.1", "rate_per_1000"] == pytest.approx(12 / 3000 * 1000)


def test_a_group_member_without_inhabitants_is_not_in_the_group_rate():
    totals = pd.DataFrame({"region_code": ["GM0001", "GM0002", "GM0003"], "year": [2023] * 3,
                           "count": pd.array([60, 40, 5], dtype="Int64")})
    population = pd.DataFrame({"region_code": ["GM0001", "GM0002", "GM0003"],
                               "year": [2023] * 3,
                               "population": pd.array([3000, 1000, 0], dtype="Int64")})
    group = group_rate(totals, population, ["GM0001", "GM0002", "GM0003"]).iloc[0]
    assert group["rate_per_1000"] == pytest.approx(100 / 4000 * 1000)  # 25.0, not 26.25
    assert (group["n_used"], group["missing"]) == (2, ["GM0003"])
