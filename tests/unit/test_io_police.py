"""Police inputs on the real public slices: buurt -> wijk aggregation and group membership.

Expected numbers are recomputed in plain Python from the raw rows (csv module), not through the
library, so a reader bug cannot hide in both sides of an assertion. Rates, ranks and group rates
moved to `ivb_analysis.benchmark` and are tested in test_benchmark.py.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from ivb_analysis.errors import InputError
from ivb_analysis.io.police import (
    aggregate_to_wijk,
    group_codes,
    membership_names,
    read_group_membership,
    read_membership,
    select_group,
)
from ivb_analysis.io.statline import read_crime_47018
from tests.conftest import BUURT_CRIME, MEMBERS, raw_rows

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


def test_membership_table_select_group_and_names(public: Path) -> None:
    path = public / MEMBERS
    rows = raw_rows(path, ";")
    header, data = rows[0], rows[1:]
    table = read_membership(path)
    assert table["gemeentecode"].tolist() == [r[0] for r in data]
    assert list(table.columns) == header
    original = header.index("in_oorspronkelijke_G32_2009")
    assert select_group(table, "G32") == sorted(r[0] for r in data if r[original] == "ja")
    assert select_group(table, "G40") == read_group_membership(path, "G40")
    names = membership_names(table)
    assert names == {r[1]: r[0] for r in data}
    assert names["Hengelo (O.)"] == "GM0164" and names["Groningen (gemeente)"] == "GM0014"


def test_membership_names_refuses_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "leden.csv"
    path.write_text("gemeentecode;statline_naam\nGM0141;Almelo\nGM0153;Almelo\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="naam komt dubbel voor") as err:
        membership_names(read_membership(path), file=path)
    assert err.value.row == 3
    path.write_text("gemeentecode;naam\nGM0141;Almelo\n", encoding="utf-8")
    with pytest.raises(InputError, match="statline_naam"):
        membership_names(read_membership(path))


def test_group_codes_from_a_list_or_a_string() -> None:
    assert group_codes(["GM0164", "GM0141", " GM0153"]) == ["GM0141", "GM0153", "GM0164"]
    assert group_codes("GM0164, GM0141") == ["GM0141", "GM0164"]
    assert group_codes("G32") is None and group_codes("groep=later") is None
    with pytest.raises(InputError, match="ongeldige gemeentecode"):
        group_codes(["GM0164", "Hengelo"])
    with pytest.raises(InputError, match="dubbel"):
        group_codes(["GM0164", "GM0164"])
    with pytest.raises(InputError, match="geen leden"):
        group_codes([])


# --- optional columns and wijk names from any delivered file (issue 18.7) ---------------------


def test_crime_labels_are_filled_when_the_optional_label_column_is_absent(tmp_path) -> None:
    from ivb_analysis.io.police import fill_crime_labels

    source = Path(__file__).resolve().parents[2] / "data" / "raw" / "mini"
    police = pd.read_csv(source / "politie_47018NED_wijken_SYNTHETISCH.csv", dtype=str)
    path = tmp_path / "politie.csv"
    police.drop(columns=["SoortMisdrijf_label"]).to_csv(path, index=False)
    table = fill_crime_labels(read_crime_47018(path))
    labels = dict(zip(table["crime_code"].str.strip(), table["crime_label"], strict=False))
    assert labels["0.0.0"] == "Totaal misdrijven"
    assert labels["1.1.1"] == "1.1.1 Diefstal/inbraak woning"
    assert all(isinstance(x, str) and x for x in table["crime_label"])
    # A given label is kept; an unknown key without label gets a readable fallback.
    given = pd.DataFrame({"crime_code": ["0.0.0 ", "9.9.9", "1.1.1"],
                          "crime_label": ["Totaal (eigen)", None, float("nan")]})
    assert fill_crime_labels(given)["crime_label"].tolist() == [
        "Totaal (eigen)", "Soort misdrijf 9.9.9", "1.1.1 Diefstal/inbraak woning"]
    assert fill_crime_labels(given.drop(columns=["crime_label"]))["crime_label"].tolist()[1] == (
        "Soort misdrijf 9.9.9")


def test_prepare_reads_a_police_file_without_its_optional_label(tmp_path) -> None:
    import shutil

    from ivb_analysis.config import load_settings
    from ivb_analysis.prepare import crime

    source = Path(__file__).resolve().parents[2] / "data" / "raw" / "mini"
    for name in ("ivb.yaml", "codeboek_SYNTHETISCH.yaml", "wijken_SYNTHETISCH.csv"):
        shutil.copy(source / name, tmp_path / name)
    police = pd.read_csv(source / "politie_47018NED_wijken_SYNTHETISCH.csv", dtype=str)
    police.drop(columns=["SoortMisdrijf_label"]).to_csv(
        tmp_path / "politie_47018NED_wijken_SYNTHETISCH.csv", index=False)
    settings = load_settings(source).replace(data_dir=tmp_path)
    table = crime(settings)
    assert len(table) == len(police)
    assert table["crime_label"].map(type).eq(str).all()
    total = table[table["crime_code"].str.strip() == "0.0.0"]
    assert set(total["crime_label"]) == {"Totaal misdrijven"}


def test_wijk_names_come_from_any_delivered_file(tmp_path) -> None:
    from ivb_analysis.io.police import wijk_names

    wijken = tmp_path / "wijken.csv"
    wijken.write_text("nummer;wijkcode;wijknaam\n1;WK016400;Binnenstad\n", encoding="utf-8")
    police = tmp_path / "politie.csv"
    police.write_text(
        '"SoortMisdrijf","WijkenEnBuurten","WijkenEnBuurten_label","Perioden"\n'
        '"0.0.0 ","WK016400  ","Wijk 00 Binnenstad (politie)","2023JJ00"\n'
        '"0.0.0 ","WK016409  ","Wijk 09 Buitengebied","2023JJ00"\n'
        '"0.0.0 ","BU01640001","Buurt 01","2023JJ00"\n', encoding="utf-8")
    population = tmp_path / "kwb.csv"
    population.write_text('"WijkenEnBuurten","AantalInwoners_5"\n"WK016408  ",120\n',
                          encoding="utf-8")
    names = wijk_names([wijken, police, population, tmp_path / "absent.csv"])
    # The wijk list wins; a wijk only in the police file takes the police file's name;
    # buurten and files without a name column add nothing.
    assert names == {"WK016400": "Binnenstad", "WK016409": "Wijk 09 Buitengebied"}
