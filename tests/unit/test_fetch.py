"""`ivb fetch`, offline: cbsodata talks to a fake CBS OData v3 service (through `responses`, which
replaces the HTTP transport of `requests`) that serves the real public extracts in
tests/data/public in the service's JSON shape: `odata.metadata`, a `value` list, pages joined by
`odata.nextLink`, untyped values as right-aligned strings, keys padded as CBS pads them. The
fake applies the request's `$filter` (eq, substringof, and, or) and `$select` like the service, so a
wrong filter gives wrong or no rows. The written files must be read by the project's readers with
the same numbers as the extracts themselves.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import geopandas as gpd
import pandas as pd
import pytest
import requests
import responses
import yaml

from ivb_analysis.cli import main
from ivb_analysis.errors import InputError
from ivb_analysis.fetch import fetch
from ivb_analysis.io.geometry import check_geometry
from ivb_analysis.io.police import aggregate_to_wijk
from ivb_analysis.io.statline import (
    read_crime_47018,
    read_kwb_json,
    read_population_85984,
    read_statline_export,
    read_statline_metadata,
    region_codes_by_name,
    statline_by_code,
)
from ivb_analysis.maps import wijk_choropleth

PAGE = 25  # rows per page of the fake service (CBS: 10,000), so paging is exercised
CRIME = "politie_47018NED_buurt_2023_hengelo"
KWB = "cbs_85984NED_kwb2024_hengelo"


def _records(path: Path) -> list[dict]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return frame.to_dict("records")


def _pad(value: object, width: int = 10) -> str:
    return str(value).rjust(width)


class FakeCBS:
    """The CBS OData v3 feed (opendata.cbs.nl, dataderden.cbs.nl) for a few recorded tables."""

    def __init__(self, tables: dict[tuple[str, str, str], list[dict]]):
        self.tables = tables
        self.calls: list[str] = []

    def __call__(self, request):
        self.calls.append(request.url)
        url = urlparse(request.url)
        match = re.fullmatch(r"/ODataFeed/odata/([^/]+)/([^/]*)", url.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        key = (url.hostname, match.group(1), match.group(2)) if match else None
        if key not in self.tables or query.get("$format") != "json":
            return 404, {}, json.dumps({"odata.error": {"message": {"value": "not found"}}})
        rows = [r for r in self.tables[key] if _matches(r, query.get("$filter"))]
        if "$select" in query:
            rows = [{c: r.get(c) for c in query["$select"].split(",")} for r in rows]
        start = int(query.get("$skiptoken", 0))
        body = {"odata.metadata": f"https://{url.hostname}/ODataFeed/odata/{key[1]}/$metadata"
                                  f"#Cbs.OData.WebAPI.{key[2]}",
                "value": rows[start:start + PAGE]}
        if start + PAGE < len(rows):
            body["odata.nextLink"] = (f"https://{url.hostname}{url.path}?"
                                      + urlencode({**query, "$skiptoken": start + PAGE}))
        return 200, {"Content-Type": "application/json;charset=utf-8"}, json.dumps(body)


def _matches(row: dict, expression: str | None) -> bool:
    """Evaluate the OData filter subset cbsodata users write: eq, substringof, and, or, ()."""
    if not expression:
        return True
    tokens = re.findall(r"substringof\('([^']*)',\s*(\w+)\)|(\w+) eq '([^']*)'|(and|or|\(|\))",
                        expression)
    python = []
    for sub, column, eq_col, eq_val, word in tokens:
        if column:
            python.append(repr(sub in (row.get(column) or "")))
        elif eq_col:
            python.append(repr((row.get(eq_col) or "") == eq_val))
        else:
            python.append(word)
    return bool(eval(" ".join(python), {"__builtins__": {}}))  # only True/False/and/or/()


def recorded_service(public: Path) -> dict:
    """The recorded tables, in the service's JSON shape, from the real public extracts."""
    tables: dict[tuple[str, str, str], list[dict]] = {}
    politie, cbs = "dataderden.cbs.nl", "opendata.cbs.nl"
    # 47018NED: metadata files and the 62 Hengelo buurten of 2023 (Totaal misdrijven).
    tables[(politie, "47018NED", "TableInfos")] = _records(
        public / CRIME / "47018NED_TableInfos.csv")
    tables[(politie, "47018NED", "DataProperties")] = _records(
        public / CRIME / "47018NED_DataProperties.csv")
    tables[(politie, "47018NED", "WijkenEnBuurten")] = _records(
        public / CRIME / "47018NED_WijkenEnBuurten_hengelo_slice.csv")
    crime = _records(public / CRIME / "PolRegCrime47018_2023_hengelo_rows.csv")
    tables[(politie, "47018NED", "UntypedDataSet")] = [
        {"ID": int(r["Unnamed: 0"]) - 1, "SoortMisdrijf": r["SoortMisdrijf"],
         "WijkenEnBuurten": r["WijkenEnBuurten"], "Perioden": r["Perioden"],
         "GeregistreerdeMisdrijven_1": _pad(r["GeregistreerdeMisdrijven_1"]),
         "Gemeentenaam_2": r["Gemeentenaam_2"], "SoortRegio_3": r["SoortRegio_3"]}
        for r in crime]
    # 47013NED: the stacked metadata export and the StatLine exports 2022-2024 (41 gemeenten).
    meta = read_statline_metadata(public / "politie_47013NED_metadata/"
                                  "allemisdrijven_metadata_21122025.csv")
    for section in ("TableInfos", "DataProperties"):
        tables[(politie, "47013NED", section)] = meta[section].to_dict("records")
    regions = meta["RegioS"]
    tables[(politie, "47013NED", "RegioS")] = regions.assign(
        Key=regions["Key"].str.ljust(6)).to_dict("records")
    codes = region_codes_by_name(meta)
    exports = [read_statline_export(p) for p in sorted(
        (public / "politie_47013NED_statline_gemeente_totaal").glob("*.csv"))]
    rows = []
    for export in exports:
        for r in export.itertuples():
            code = codes.get(r.region_name) or {"Nederland": "NL01  "}.get(r.region_name)
            if code:
                rows.append({"ID": len(rows), "SoortMisdrijf": "0.0.0 ", "RegioS": code.ljust(6),
                             "Perioden": f"{r.period}JJ00",
                             "GeregistreerdeMisdrijven_1": _pad(int(r.value)),
                             "Aangiften_2": _pad("."), "Internetaangiften_3": _pad(".")})
    tables[(politie, "47013NED", "UntypedDataSet")] = rows
    # 37230ned: the export 2002-2024; metadata from its title and the topic's published key.
    population = read_statline_export(public / "cbs_37230ned_bevolking_gemeente/"
                                      "bevolking_einde_periode_2002_2024_G40_slice.csv")
    tables[(cbs, "37230ned", "TableInfos")] = [
        {"ID": 0, "Title": "Bevolkingsontwikkeling; regio per maand", "Identifier": "37230ned"}]
    tables[(cbs, "37230ned", "DataProperties")] = [
        {"ID": 0, "Type": "GeoDimension", "Key": "RegioS", "Title": "Regio's"},
        {"ID": 1, "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
        {"ID": 2, "Type": "Topic", "Key": "BevolkingAanHetEindeVanDePeriode_15",
         "Title": "Bevolking aan het einde van de periode"}]
    tables[(cbs, "37230ned", "RegioS")] = [
        {"Key": code.ljust(6), "Title": name} for name, code in codes.items()]
    tables[(cbs, "37230ned", "UntypedDataSet")] = [
        {"ID": i, "RegioS": codes[r.region_name].ljust(6), "Perioden": f"{r.period}JJ00",
         "BevolkingAanHetEindeVanDePeriode_15": _pad("" if pd.isna(r.value) else int(r.value))}
        for i, r in enumerate(population.itertuples()) if r.region_name in codes]
    # 85984NED (KWB 2024): metadata files, gemeente and wijken (JSON) and buurten (derived CSV).
    tables[(cbs, "85984NED", "TableInfos")] = _records(public / KWB / "85984NED_TableInfos.csv")
    tables[(cbs, "85984NED", "DataProperties")] = _records(
        public / KWB / "85984NED_DataProperties.csv")
    kwb = json.loads((public / KWB / "kwb2024_stripped_GM0164_wijken.json").read_text())
    rows = [{"ID": i, "WijkenEnBuurten": code.ljust(10),
             "SoortRegio_2": ("Gemeente" if code.startswith("GM") else "Wijk").ljust(10),
             "AantalInwoners_5": _pad(v["AantalInwoners_5"])}
            for i, (code, v) in enumerate(kwb.items())]
    for r in _records(public / KWB / "Population85984_2024_hengelo_buurten.csv"):
        rows.append({"ID": len(rows), "WijkenEnBuurten": r["nhood_id"].ljust(10),
                     "SoortRegio_2": "Buurt".ljust(10), "AantalInwoners_5": _pad(r["population"])})
    tables[(cbs, "85984NED", "UntypedDataSet")] = rows
    return tables


def pdok_geojson(public: Path):
    """The PDOK WFS answer: the CBS wijk map features (wijkcode/wijknaam as PDOK names them)."""
    data = json.loads((public / "geo_cartomap_wijk_2023_hengelo/"
                       "hengelo_wijken_2023_wgs84.geojson").read_text(encoding="utf-8"))

    def answer(request):
        query = parse_qs(urlparse(request.url).query)
        if "GM0164" not in query.get("filter", [""])[0]:
            return 200, {}, json.dumps({"type": "FeatureCollection", "features": []})
        features = [{"type": "Feature", "geometry": f["geometry"], "properties": {
            "wijkcode": f["properties"]["statcode"], "wijknaam": f["properties"]["statnaam"],
            "gemeentecode": "GM0164"}} for f in data["features"]]
        return 200, {}, json.dumps({"type": "FeatureCollection", "features": features})

    return answer


@pytest.fixture(scope="module")
def service(public):
    return FakeCBS(recorded_service(public))


@pytest.fixture
def online(service, public):
    """HTTP through the fake services only; anything else fails as without internet."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.GET, re.compile(r"https://(opendata|dataderden)\.cbs\.nl/.*"),
                          callback=service)
        mock.add_callback(responses.GET, re.compile(r"https://service\.pdok\.nl/cbs/.*"),
                          callback=pdok_geojson(public))
        yield mock


@pytest.fixture
def fetched(online, service, tmp_path) -> Path:
    out = tmp_path / "publiek"
    service.calls.clear()
    assert main(["fetch", "--gemeente", "GM0164", "--years", "2023", "--kwb-years", "2024",
                 "--geometry-year", "2023", "--out", str(out)]) == 0
    return out


def test_crime_per_wijk_as_in_the_extract(fetched, public):
    ours = read_crime_47018(fetched / "politie_47018NED_GM0164.csv")
    theirs = read_crime_47018(public / CRIME / "PolRegCrime47018_2023_hengelo_rows.csv")
    columns = ["region_code", "region_level", "crime_code", "year", "count"]
    pd.testing.assert_frame_equal(ours[columns], theirs[columns])
    wijken = aggregate_to_wijk(ours)
    assert int(wijken["count"].sum()) == 3665  # the sum of Hengelo's 62 buurten in 2023
    assert len(wijken) == 10
    names = pd.read_csv(fetched / "cbs_wijken_GM0164.csv", sep=";")
    assert names.iloc[0].tolist() == ["WK016400", "Binnenstad", "Wijk 00 Binnenstad"]
    assert len(names) == 10


def test_group_crime_and_population_as_in_the_extracts(fetched, public):
    codes = region_codes_by_name(read_statline_metadata(fetched / "politie_47013NED_metadata.csv"))
    crime = statline_by_code(read_statline_export(fetched / "politie_47013NED_gemeenten.csv"),
                             codes, "count")
    public_codes = region_codes_by_name(read_statline_metadata(
        public / "politie_47013NED_metadata/allemisdrijven_metadata_21122025.csv"))
    expected = statline_by_code(read_statline_export(
        public / "politie_47013NED_statline_gemeente_totaal/misdrijven_2022_2023_G40_slice.csv"),
        public_codes, "count")
    expected = expected[expected["year"] == 2023].reset_index(drop=True)
    pd.testing.assert_frame_equal(crime, expected)
    assert crime.set_index("region_code").loc["GM0164", "count"] == 3676
    assert len(crime) == 41
    population = statline_by_code(read_statline_export(
        fetched / "cbs_37230ned_gemeenten.csv"), codes, "population")
    expected = statline_by_code(read_statline_export(
        public / "cbs_37230ned_bevolking_gemeente/bevolking_einde_periode_2002_2024_G40_slice.csv"),
        public_codes, "population")
    expected = expected[expected["year"] == 2023].reset_index(drop=True)
    pd.testing.assert_frame_equal(population, expected)
    assert population.set_index("region_code").loc["GM0164", "population"] == 83058


def test_population_per_wijk_as_in_the_extract(fetched, public):
    ours = read_population_85984(fetched / "kwb_2024_GM0164.csv")
    wijken = read_kwb_json(public / KWB / "kwb2024_stripped_GM0164_wijken.json")
    pd.testing.assert_frame_equal(ours[ours["region_level"] != "buurt"].reset_index(drop=True),
                                  wijken)
    buurten = ours[ours["region_level"] == "buurt"]
    assert len(buurten) == 62 and int(buurten["population"].sum()) == 83060
    assert wijken.set_index("region_code").loc["WK016400", "population"] == 3010


def test_geometry_has_the_wijk_codes(fetched):
    assert check_geometry(fetched / "wijken_GM0164_2023.geojson") == 10  # prepare's check
    frame = gpd.read_file(fetched / "wijken_GM0164_2023.geojson")
    assert sorted(frame["statcode"]) == [f"WK0164{i:02d}" for i in range(10)]
    assert frame.set_index("statcode").loc["WK016409", "statnaam"] == "Wijk 09 Buitengebied"


def test_sources_file_and_paging(fetched, service):
    sources = yaml.safe_load((fetched / "bronnen.yaml").read_text(encoding="utf-8"))
    assert sources["gemeente"] == "GM0164" and sources["jaren"] == [2023]
    entries = {e["bestand"]: e for e in sources["bronnen"]}
    assert set(entries) == {
        "politie_47018NED_GM0164.csv", "cbs_wijken_GM0164.csv", "politie_47013NED_gemeenten.csv",
        "politie_47013NED_metadata.csv", "cbs_37230ned_gemeenten.csv", "kwb_2024_GM0164.csv",
        "wijken_GM0164_2023.geojson"}
    for name, entry in entries.items():
        assert entry["sha256"] == hashlib.sha256((fetched / name).read_bytes()).hexdigest()
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["opgehaald"])
    crime = entries["politie_47018NED_GM0164.csv"]
    assert crime["tabel"] == "47018NED"
    assert crime["titel"] == "Geregistreerde misdrijven; soort misdrijf, wijk, buurt, jaarcijfers"
    assert ("https://dataderden.cbs.nl/ODataFeed/odata/47018NED/UntypedDataSet?%24format=json"
            in "\n".join(crime["urls"]))
    # 62 buurten in pages of 25: the client followed odata.nextLink twice
    pages = [c for c in service.calls if "47018NED/UntypedDataSet" in c]
    assert len(pages) == 3 and "skiptoken=50" in pages[-1]


def test_rerun_needs_no_network_and_writes_the_same_bytes(fetched, online, service):
    before = {p.name: p.read_bytes() for p in fetched.iterdir() if p.is_file()}
    calls = len(service.calls)
    online.reset()  # no fake service any more: every request would fail as without internet
    assert main(["fetch", "--gemeente", "GM0164", "--years", "2023", "--kwb-years", "2024",
                 "--geometry-year", "2023", "--out", str(fetched), "--offline"]) == 0
    assert len(service.calls) == calls
    assert {p.name: p.read_bytes() for p in fetched.iterdir() if p.is_file()} == before


def test_without_internet_a_clear_message(tmp_path, capsys):
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, re.compile(r"https://.*"),
                 body=requests.ConnectionError("geen verbinding"))
        assert main(["fetch", "--gemeente", "GM0153", "--years", "2023",
                     "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "downloaden mislukt" in err and "internettoegang" in err
    assert "Traceback" not in err
    assert not list((tmp_path / "x").glob("*.csv"))


def test_unknown_kwb_year_and_bad_code(online, tmp_path):
    with pytest.raises(InputError, match="ongeldige gemeentecode"):
        fetch("0164", [2023], tmp_path)
    with pytest.raises(InputError, match="Kerncijfers wijken en buurten"):
        fetch("GM0164", [2023], tmp_path, population_years=[2010], geometry=False)


def test_a_gemeente_without_rows_is_an_error(online, tmp_path, capsys):
    # the recorded 47018NED rows are Hengelo's only: Enschede has none there
    assert main(["fetch", "--gemeente", "GM0153", "--years", "2023", "--no-geometry",
                 "--out", str(tmp_path / "x")]) == 2
    assert "geen misdrijfcijfers voor deze gemeente en jaren" in capsys.readouterr().err
    assert not list((tmp_path / "x").glob("*.csv"))


def test_fetched_files_make_the_wijk_map(fetched):
    """Crime per 1,000 inhabitants from the fetched files, on the fetched wijk map."""
    crime = aggregate_to_wijk(read_crime_47018(fetched / "politie_47018NED_GM0164.csv"))
    people = read_population_85984(fetched / "kwb_2024_GM0164.csv").set_index("region_code")
    rates = (crime.set_index("region_code")["count"].astype(float)
             / people.loc[crime["region_code"], "population"].astype(float).to_numpy() * 1000)
    assert rates["WK016400"] == pytest.approx(863 / 3010 * 1000)  # Binnenstad, 2023
    fig = wijk_choropleth(rates, fetched / "wijken_GM0164_2023.geojson", title="t", source="s",
                          banner=None)
    assert sorted(p.get_label() for p in fig.axes[0].patches) == sorted(rates.index)
