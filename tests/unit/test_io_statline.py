"""StatLine/OData readers against the real public slices, plus malformed inputs.

Expected values are computed here from the raw rows with the csv/json modules, independently of
the readers, wherever that is possible; a few published figures are asserted literally.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from ivb_analysis.errors import InputError
from ivb_analysis.io import statline, text
from ivb_analysis.io.statline import (
    read_crime_47018,
    read_kwb_json,
    read_odata_csv,
    read_population_85984,
    read_statline_export,
    read_statline_metadata,
    region_codes_by_name,
    statline_by_code,
)
from tests.conftest import MEMBERS, METADATA, POPULATION, raw_rows

CRIME_DIR = "politie_47013NED_statline_gemeente_totaal"
BUURT_DIR = "politie_47018NED_buurt_2023_hengelo"
KWB_DIR = "cbs_85984NED_kwb2024_hengelo"
FORMAT_DIR = "cbs_statline_provincie_2013_2018_format_samples"




def value(tidy: pd.DataFrame, region: str, period: int, **dims: str) -> float:
    mask = (tidy["region_name"] == region) & (tidy["period"] == period)
    for name, wanted in dims.items():
        mask &= tidy[name] == wanted
    [result] = tidy.loc[mask, "value"].tolist()
    return result


# --- human StatLine exports -----------------------------------------------------------------


def test_47013_export_2022_2023(public: Path) -> None:
    path = public / CRIME_DIR / "misdrijven_2022_2023_G40_slice.csv"
    tidy = read_statline_export(path)
    rows = raw_rows(path, ";")
    data = [r for r in rows[6:] if len(r) == 3]
    assert len(data) == 43  # Nederland + 41 G40 + Oost-Nederland (RE)
    assert len(tidy) == 2 * len(data)
    expected = {(r[0], 2022): float(r[1]) for r in data} | {(r[0], 2023): float(r[2]) for r in data}
    keys = zip(tidy["region_name"], tidy["period"], strict=True)
    got = dict(zip(keys, tidy["value"], strict=True))
    assert got == expected
    assert value(tidy, "Hengelo (O.)", 2022) == 3907
    assert value(tidy, "Hengelo (O.)", 2023) == 3676
    assert value(tidy, "Nederland", 2022) == 800027
    assert value(tidy, "Nederland", 2023) == 805590
    assert set(tidy["soort_misdrijf"]) == {"Totaal misdrijven"}  # from the filter line
    assert set(tidy["topic"]) == {"Geregistreerde misdrijven"}
    assert set(tidy["unit"]) == {"aantal"}
    assert list(tidy.columns) == ["region_name", "soort_misdrijf", "topic", "unit", "period",
                                  "value"]
    assert tidy.equals(tidy.sort_values(["region_name", "period"]).reset_index(drop=True))


def test_47013_export_2024(public: Path) -> None:
    tidy = read_statline_export(public / CRIME_DIR / "misdrijven_2024_G40_slice.csv")
    assert len(tidy) == 43
    assert set(tidy["period"]) == {2024}
    assert value(tidy, "Hengelo (O.)", 2024) == 3752
    assert value(tidy, "Nederland", 2024) == 805559


def test_37230_population_export(public: Path) -> None:
    path = public / POPULATION
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    tidy = read_statline_export(path)
    rows = raw_rows(path, ";")
    years = [int(y) for y in rows[3][3:]]
    data = [r for r in rows[4:] if len(r) > 1]
    assert years == list(range(2002, 2025))
    assert len(tidy) == len(data) * len(years) == 43 * 23
    hengelo = next(r for r in data if r[0] == "Hengelo (O.)")
    for year, cell in zip(years, hengelo[3:], strict=True):
        assert value(tidy, "Hengelo (O.)", year) == float(cell)
    assert value(tidy, "Hengelo (O.)", 2023) == 83058
    assert value(tidy, "Hengelo (O.)", 2012) == 80952
    series = tidy.loc[(tidy["region_name"] == "Hengelo (O.)") & (tidy["period"] >= 2012),
                      "value"].tolist()
    assert series == [80952, 80957, 81059, 81075, 80802, 80593, 80683, 81140, 81049, 81476,
                      82311, 83058, 83655]
    assert set(tidy["topic"]) == {"Bevolking aan het einde van de periode"}
    assert set(tidy["unit"]) == {"aantal"}
    assert value(tidy, "Groningen (gemeente)", 2019) == 232874  # after the 2019 merger


def test_37230_empty_string_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "bevolking.csv"
    path.write_bytes(
        b'\xef\xbb\xbf"Bevolkingsontwikkeling; regio per maand"\r\n""\r\n'
        b'"";"";"";"Perioden"\r\n'
        b'"Regio\'s";"Onderwerp";"";"2018";"2019"\r\n'
        b'"Haren";"Bevolking aan het einde van de periode";"aantal";"20110";""\r\n'
        b'"Bron: CBS"\r\n'
    )
    tidy = read_statline_export(path)
    assert value(tidy, "Haren", 2018) == 20110
    assert math.isnan(value(tidy, "Haren", 2019))
    with pytest.raises(InputError) as err:
        read_statline_export(path, require_complete=True)
    assert err.value.row == 5 and err.value.column == "2019"
    assert "bevolking.csv" in str(err.value) and "leeg" in str(err.value)


def test_2019_style_veiligheidsbeleving(public: Path) -> None:
    path = public / FORMAT_DIR / "veiligheidsbeleving_NL_Overijssel_slice.csv"
    tidy = read_statline_export(path)
    rows = raw_rows(path, ";")
    assert len(tidy) == (len(rows) - 1) * (len(rows[0]) - 3) == 10 * 7
    topic = "Rapportcijfer veiligheid in buurt"
    assert value(tidy, "Overijssel (PV)", 2017, topic=topic) == 7.5
    assert value(tidy, "Nederland", 2017, topic=topic) == 7.3
    raw = {(r[2], int(r[1])): float(r[3].replace(",", ".")) for r in rows[1:]}
    for (region, year), expected in raw.items():
        assert value(tidy, region, year, topic="Voelt zich wel eens onveilig") == expected
    assert set(tidy["marges"]) == {"Waarde"}
    assert set(tidy.loc[tidy["topic"] == topic, "unit"]) == {"rapportcijfer"}
    assert tidy["topic"].nunique() == 7


def test_2019_style_misdrijven(public: Path) -> None:
    path = public / FORMAT_DIR / "misdrijven_NL_Overijssel_slice.csv"
    tidy = read_statline_export(path)
    rows = raw_rows(path, ";")[1:]
    assert len(tidy) == len(rows) == 120
    expected = {(r[0], r[2], int(r[1])): float(r[3]) for r in rows}
    got = {
        (k, r, p): v for k, r, p, v in
        zip(tidy["soort_misdrijf"], tidy["region_name"], tidy["period"], tidy["value"],
            strict=True)
    }
    assert got == expected
    assert set(tidy["topic"]) == {"Geregisteerde misdrijven"}  # typo is the source's
    assert value(tidy, "Nederland", 2013, soort_misdrijf="Totaal misdrijven") == 1078439


# --- OData / bulk -----------------------------------------------------------------------------


def test_crime_47018_buurten(public: Path) -> None:
    path = public / BUURT_DIR / "PolRegCrime47018_2023_hengelo_rows.csv"
    crime = read_crime_47018(path)
    rows = raw_rows(path, ",")
    header, data = rows[0], rows[1:]
    counts = {r[header.index("WijkenEnBuurten")]: int(r[header.index(
        "GeregistreerdeMisdrijven_1")]) for r in data}
    assert len(crime) == len(data) == 62
    assert crime["count"].sum() == sum(counts.values()) == 3665
    assert dict(zip(crime["region_code"], crime["count"], strict=True)) == counts
    assert set(crime["region_level"]) == {"buurt"}
    assert set(crime["crime_code"]) == {"0.0.0"}  # padded "0.0.0 " in the file
    assert set(crime["crime_label"]) == {"Totaal misdrijven"}
    assert set(crime["year"]) == {2023}
    assert crime["region_code"].is_monotonic_increasing
    assert list(crime.columns) == ["region_code", "region_level", "crime_code", "crime_label",
                                   "year", "count"]


def test_odata_generic_and_suffix(public: Path) -> None:
    path = public / BUURT_DIR / "PolRegCrime47018_2023_hengelo_rows.csv"
    frame = read_odata_csv(path, strip_suffix=True, numeric=["GeregistreerdeMisdrijven_1"])
    assert "GeregistreerdeMisdrijven" in frame.columns
    assert {"Gemeentenaam", "SoortRegio"} <= set(frame.columns)
    assert set(frame["Gemeentenaam"]) == {"Hengelo"}  # padded to 30; "Hengelo", not "(O.)"
    assert set(frame["SoortRegio"]) == {"Buurt"}
    assert frame["GeregistreerdeMisdrijven"].sum() == 3665
    assert set(frame["year"]) == {2023} and set(frame["period_kind"]) == {"jaar"}
    assert "Unnamed: 0" not in frame.columns  # R row names dropped


@pytest.mark.parametrize(("folder", "name", "rows", "key"), [
    (BUURT_DIR, "47018NED_DataProperties.csv", 7, "GeregistreerdeMisdrijven_1"),
    (BUURT_DIR, "47018NED_Perioden.csv", 12, "2023JJ00"),
    (BUURT_DIR, "47018NED_SoortMisdrijf.csv", 59, "1.1.1"),
    (BUURT_DIR, "47018NED_TableInfos.csv", 1, None),
    (BUURT_DIR, "47018NED_WijkenEnBuurten_hengelo_slice.csv", 74, "WK016400"),
    (KWB_DIR, "85984NED_DataProperties.csv", 161, "AantalInwoners_5"),
    (KWB_DIR, "85984NED_TableInfos.csv", 1, None),
])
def test_odata_metadata_files(public: Path, folder: str, name: str, rows: int,
                              key: str | None) -> None:
    path = public / folder / name
    frame = read_odata_csv(path)
    assert len(frame) == len(raw_rows(path, ",")) - 1 == rows
    if key is not None:
        assert key in set(frame["Key"])
    else:
        assert frame.loc[0, "Identifier"] in {"47018NED", "85984NED"}
    for column in frame.columns:  # nothing left padded, no CR left from CRLF/CR text
        cells = frame[column].dropna().astype("str")
        assert (cells == cells.str.strip()).all()
        assert not cells.str.contains("\r").any()


def test_wijken_metadata_names(public: Path) -> None:
    frame = read_odata_csv(public / BUURT_DIR / "47018NED_WijkenEnBuurten_hengelo_slice.csv")
    wijken = region_codes_by_name(frame, prefixes=("WK",))
    assert len(wijken) == 10
    assert wijken["Wijk 00 Binnenstad"] == "WK016400"
    assert wijken["Wijk 09 Buitengebied"] == "WK016409"
    assert (frame["Key"].str.len() <= 10).all() and "GM0164" in set(frame["Key"])


def test_population_85984_derived(public: Path) -> None:
    path = public / KWB_DIR / "Population85984_2024_hengelo_buurten.csv"
    population = read_population_85984(path)
    data = raw_rows(path, ",")[1:]
    assert len(population) == len(data) == 62
    assert population["population"].sum() == sum(int(r[2]) for r in data) == 83060
    assert set(population["region_level"]) == {"buurt"}
    assert list(population.columns) == ["region_code", "region_level", "population"]


def test_population_85984_full_layout(tmp_path: Path) -> None:
    path = tmp_path / "85984NED_TypedDataSet.csv"
    name = '"' + "Hengelo".ljust(40) + '"'  # Gemeentenaam is right-padded in the bulk file
    rows = [
        '"ID","WijkenEnBuurten","Gemeentenaam_1","SoortRegio_2","Codering_3","AantalInwoners_5"',
        f'0,"GM0164    ",{name},"Gemeente  ","GM0164    ",83058',
        f'1,"WK016400  ",{name},"Wijk      ","WK016400  ",3010',
        f'2,"BU01640000",{name},"Buurt     ","BU01640000",1170',
        f'3,"BU01640999",{name},"Buurt     ","BU01640999",.',
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    population = read_population_85984(path)
    assert population["region_code"].tolist() == ["BU01640000", "BU01640999", "GM0164",
                                                  "WK016400"]
    assert population["region_level"].tolist() == ["buurt", "buurt", "gemeente", "wijk"]
    assert population["population"].iloc[0] == 1170
    assert pd.isna(population["population"].iloc[1])  # "." = suppressed small buurt
    with pytest.raises(InputError) as err:
        read_population_85984(path, require_complete=True)
    assert err.value.row == 5 and err.value.column == "AantalInwoners_5"


def test_kwb_json(public: Path) -> None:
    path = public / KWB_DIR / "kwb2024_stripped_GM0164_wijken.json"
    population = read_kwb_json(path)
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert len(population) == len(raw) == 11
    values = dict(zip(population["region_code"], population["population"], strict=True))
    assert values["GM0164"] == 83058
    wijken = {k: v["AantalInwoners_5"] for k, v in raw.items() if k.startswith("WK")}
    assert sum(values[k] for k in wijken) == sum(wijken.values()) == 83060
    assert population.loc[population["region_code"] == "WK016400", "region_level"].item() == "wijk"


def test_geojson_smoke(public: Path) -> None:
    import geopandas  # a dependency (pyproject): never skipped

    wijken = geopandas.read_file(
        public / "geo_cartomap_wijk_2023_hengelo" / "hengelo_wijken_2023_wgs84.geojson")
    assert len(wijken) == 10
    assert sorted(wijken["statcode"]) == [f"WK0164{i:02d}" for i in range(10)]


# --- stacked metadata and name -> code --------------------------------------------------------


def test_stacked_metadata(public: Path) -> None:
    meta = read_statline_metadata(public / METADATA)
    assert list(meta) == ["TableInfos", "DataProperties", "SoortMisdrijf", "RegioS", "Perioden"]
    assert meta["TableInfos"].loc[0, "Identifier"] == "47013NED"
    assert meta["DataProperties"]["Key"].tolist() == [
        "SoortMisdrijf", "RegioS", "Perioden", "GeregistreerdeMisdrijven_1", "Aangiften_2",
        "Internetaangiften_3"]
    regions = meta["RegioS"]
    assert list(regions.columns) == ["Key", "Title", "Description"]  # padding columns dropped
    assert len(regions) == 375
    assert (regions["Key"] == regions["Key"].str.strip()).all()
    assert {"NL01", "PV20", "GM0164"} <= set(regions["Key"])
    assert regions.loc[regions["Key"] == "GM0164", "Title"].item() == "Hengelo (O.)"
    assert {"0.0.0", "1.1.1", "2.6.10"} <= set(meta["SoortMisdrijf"]["Key"])
    assert meta["SoortMisdrijf"]["Description"].str.contains("\n").any()  # embedded newlines
    periods = meta["Perioden"]["Key"]
    assert len(periods) == 180 and periods.str.endswith("JJ00").sum() == 13


def test_region_codes_by_name(public: Path) -> None:
    codes = region_codes_by_name(read_statline_metadata(public / METADATA))
    assert codes["Hengelo (O.)"] == "GM0164"
    assert codes["Groningen (gemeente)"] == "GM0014"
    assert codes["'s-Hertogenbosch"] == "GM0796"
    assert all(code.startswith("GM") for code in codes.values())
    members = raw_rows(public / MEMBERS, ";")[1:]
    assert {name: codes[name] for _, name, *_ in members} == {n: c for c, n, *_ in members}


def test_name_only_export_joins_to_codes(public: Path) -> None:
    codes = region_codes_by_name(read_statline_metadata(public / METADATA))
    tidy = read_statline_export(public / CRIME_DIR / "misdrijven_2022_2023_G40_slice.csv")
    totals = statline_by_code(tidy, codes, "count")
    assert len(totals) == 41 * 2  # Nederland and the police unit have no GM code
    hengelo = totals[totals["region_code"] == "GM0164"]
    assert hengelo["count"].tolist() == [3907, 3676]
    assert list(totals.columns) == ["region_code", "region_name", "year", "count"]


def test_ambiguous_region_name_is_an_error() -> None:
    frame = pd.DataFrame({"Key": ["GM0001", "GM0002"], "Title": ["Bergen", "Bergen"]})
    with pytest.raises(InputError, match="niet eenduidig"):
        region_codes_by_name(frame)


# --- malformed inputs ------------------------------------------------------------------------

EXPORT_HEAD = (
    '"Geregistreerde misdrijven en aangiften; soort misdrijf, gemeente 2026"\n'
    '"Soort misdrijf: Totaal misdrijven"\n""\n'
    '"Onderwerp";"Geregistreerde misdrijven";"Geregistreerde misdrijven"\n'
    '"Perioden";"2022";"2023"\n'
    '"Regio\'s";"aantal";"aantal"\n'
)


def test_truncated_export_before_data(tmp_path: Path) -> None:
    path = tmp_path / "misdrijven_afgekapt.csv"
    path.write_text(EXPORT_HEAD, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_statline_export(path)
    message = str(err.value)
    assert "misdrijven_afgekapt.csv" in message
    assert "geen gegevensrijen" in message and "afgekapt" in message
    assert err.value.row == 7


def test_truncated_export_inside_header(tmp_path: Path) -> None:
    path = tmp_path / "kop_afgekapt.csv"
    path.write_text("\n".join(EXPORT_HEAD.split("\n")[:4]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_statline_export(path)
    assert "kop_afgekapt.csv" in str(err.value) and "Regio's" in str(err.value)


def test_secret_marker_in_count_when_complete_data_required(tmp_path: Path) -> None:
    path = tmp_path / "misdrijven_geheim.csv"
    path.write_text(EXPORT_HEAD + '"Hengelo (O.)";"3907";"x"\n"Enschede";".";"9082"\n'
                    '"Bron: Politie"\n', encoding="utf-8")
    tidy = read_statline_export(path)  # markers are missing values by default
    assert math.isnan(value(tidy, "Hengelo (O.)", 2023))
    assert math.isnan(value(tidy, "Enschede", 2022))
    with pytest.raises(InputError) as err:
        read_statline_export(path, require_complete=True)
    message = str(err.value)
    assert "misdrijven_geheim.csv" in message and "geheim" in message
    assert err.value.row == 7 and "2023" in err.value.column and err.value.found == "x"


def test_secret_marker_in_odata_count(tmp_path: Path) -> None:
    path = tmp_path / "PolRegCrime.csv"
    path.write_text(
        '"","SoortMisdrijf","WijkenEnBuurten","Perioden","GeregistreerdeMisdrijven_1"\n'
        '"1","0.0.0 ","BU01640000","2023JJ00",717\n'
        '"2","0.0.0 ","BU01640001","2023JJ00",x\n', encoding="utf-8")
    crime = read_crime_47018(path)
    assert pd.isna(crime["count"].iloc[1]) and pd.isna(crime["crime_label"].iloc[0])
    with pytest.raises(InputError) as err:
        read_crime_47018(path, require_complete=True)
    assert err.value.row == 3 and err.value.column == "GeregistreerdeMisdrijven_1"
    assert "PolRegCrime.csv" in str(err.value)


def test_non_numeric_value_in_export(tmp_path: Path) -> None:
    path = tmp_path / "misdrijven_tekst.csv"
    path.write_text(EXPORT_HEAD + '"Hengelo (O.)";"3907";"veel"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_statline_export(path)
    assert "geen getal" in str(err.value) and err.value.row == 7
    assert err.value.found == "veel"


def test_wrong_field_count_in_export(tmp_path: Path) -> None:
    path = tmp_path / "misdrijven_kort.csv"
    path.write_text(EXPORT_HEAD + '"Hengelo (O.)";"3907"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_statline_export(path)
    assert err.value.row == 7 and "velden" in str(err.value)


def test_monthly_periods_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "maand.csv"
    path.write_text(EXPORT_HEAD.replace('"2022";"2023"', '"2025 januari*";"2025 februari*"')
                    + '"Hengelo (O.)";"300";"280"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_statline_export(path)
    assert "jaartal" in str(err.value) and err.value.found == "2025 januari*"


def test_latin1_export_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bevolking_latin1.csv"
    path.write_bytes((EXPORT_HEAD + '"Súdwest-Fryslân";"1";"2"\n').encode("latin-1"))
    with pytest.raises(InputError) as err:
        read_statline_export(path)
    message = str(err.value)
    assert "bevolking_latin1.csv" in message and "UTF-8" in message
    assert err.value.row == 7 and err.value.found == b"\xfa"


def test_duplicate_region_in_export(tmp_path: Path) -> None:
    path = tmp_path / "dubbel.csv"
    path.write_text(EXPORT_HEAD + '"Almelo";"1";"2"\n"Almelo";"3";"4"\n', encoding="utf-8")
    with pytest.raises(InputError, match="dubbele cel"):
        read_statline_export(path)


def test_unknown_period_key_in_odata(tmp_path: Path) -> None:
    path = tmp_path / "perioden.csv"
    path.write_text('"SoortMisdrijf","WijkenEnBuurten","Perioden","GeregistreerdeMisdrijven_1"\n'
                    '"0.0.0 ","BU01640000","2023XX00",1\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_crime_47018(path)
    assert err.value.column == "Perioden" and err.value.row == 2


# --- text helpers ----------------------------------------------------------------------------


def test_detect_separator() -> None:
    assert text.detect_separator('"Titel; met puntkomma"\n"a","b"\n') == ","
    assert text.detect_separator('"a";"b,c"\n') == ";"
    assert text.detect_separator("a;b,c;d\n") == ";"
    with pytest.raises(InputError, match="scheidingsteken"):
        text.detect_separator('"alleen een titel"\n', "x.csv")


def test_parse_numbers_rules() -> None:
    values = pd.Series(["36,7", "7.5", "-3", " 12 ", "", ".", "x", "-", None], dtype="object")
    parsed = text.parse_numbers(values, file="f.csv", column="c")
    assert parsed.iloc[:4].tolist() == [36.7, 7.5, -3.0, 12.0]
    assert parsed.iloc[4:].isna().all()
    with pytest.raises(InputError) as err:
        text.parse_numbers(pd.Series(["1.234,5"]), file="f.csv", column="c", line=[9])
    assert err.value.row == 9 and err.value.found == "1.234,5"
    with pytest.raises(InputError, match="geen geheel getal"):
        text.parse_numbers(pd.Series(["2,5"]), file="f.csv", column="c", integer=True)
    counts = text.parse_numbers(pd.Series(["3", "x"]), file="f.csv", column="c", integer=True)
    assert str(counts.dtype) == "Int64" and pd.isna(counts.iloc[1])


def test_read_text_bom_newlines_and_utf16(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b'\xef\xbb\xbf"a";"b"\r\n"1";"2\r\r\nregel"\r')
    assert text.read_text(path) == '"a";"b"\n"1";"2\nregel"\n'
    path.write_bytes('"a";"b"\n'.encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        text.read_text(path)
    with pytest.raises(InputError, match="niet gevonden"):
        text.read_text(tmp_path / "bestaat_niet.csv")


def test_region_levels_reject_unknown_prefix() -> None:
    with pytest.raises(InputError, match="onbekende regiocode"):
        statline.region_levels(pd.Series(["XX0001"], dtype="str"))


def test_flat_export_truncated_last_line(public: Path, tmp_path: Path) -> None:
    source = public / FORMAT_DIR / "veiligheidsbeleving_NL_Overijssel_slice.csv"
    content = source.read_bytes()
    path = tmp_path / "veiligheidsbeleving_afgekapt.csv"
    path.write_bytes(content[: content.rindex(b";7,5")])  # cut inside the last row
    with pytest.raises(InputError) as err:
        read_statline_export(path)
    assert err.value.row == 11 and "velden" in str(err.value)
    assert "veiligheidsbeleving_afgekapt.csv" in str(err.value)


def test_flat_export_bad_period_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "plat.csv"
    path.write_text('"Marges";"Perioden";"Regio\'s";"Rapportcijfer veiligheid  (rapportcijfer)"\n'
                    '"Waarde";"2017";"Nederland";7,3\n'
                    '"Waarde";"2018 1e kwartaal";"Nederland";7,4\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_statline_export(path)
    assert err.value.row == 3 and err.value.column == "Perioden"


def test_filter_line_does_not_override_a_shown_dimension(tmp_path: Path) -> None:
    path = tmp_path / "filter.csv"
    path.write_text(EXPORT_HEAD.replace('"Soort misdrijf: Totaal misdrijven"',
                                        '"Onderwerp: iets anders"')
                    + '"Hengelo (O.)";"3907";"3676"\n', encoding="utf-8")
    tidy = read_statline_export(path)
    assert set(tidy["topic"]) == {"Geregistreerde misdrijven"}


def test_statline_by_code_needs_one_value_per_region_and_year(public: Path) -> None:
    tidy = read_statline_export(public / FORMAT_DIR / "misdrijven_NL_Overijssel_slice.csv")
    with pytest.raises(InputError, match="meerdere waarden"):
        statline_by_code(tidy, {"Overijssel (PV)": "PV23"}, "count")
    totaal = tidy[tidy["soort_misdrijf"] == "Totaal misdrijven"]
    result = statline_by_code(totaal, {"Overijssel (PV)": "PV23"}, "count")
    assert result["count"].tolist() == [59898, 53081, 50094, 48109, 42915, 41586]
