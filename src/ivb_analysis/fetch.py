"""`ivb fetch`: the public CBS/Politie sources of a delivery, by GM code, in the readers' layouts.

Downloads with the maintained `cbsodata` client (CBS OData v3: opendata.cbs.nl for CBS tables,
dataderden.cbs.nl for the Politie catalog) and, for the wijk geometry, a PDOK WFS request:

* `politie_47018NED_<GM>.csv`: 47018NED crime per wijk (buurten where the table has no wijk
  row), the OData CSV layout of `read_crime_47018`; `cbs_wijken_<GM>.csv`: wijk codes and names;
* `politie_47013NED_gemeenten.csv` (crime per gemeente) and `cbs_37230ned_gemeenten.csv`
  (population per gemeente): StatLine "download as CSV" layouts of `read_statline_export`, with
  `politie_47013NED_metadata.csv` (stacked metadata) to join their names to GM codes;
* `kwb_<year>_<GM>.csv`: population per wijk from the Kerncijfers wijken en buurten of each
  year, the OData CSV layout of `read_population_85984`;
* `wijken_<GM>_<year>.geojson`: the CBS/Kadaster wijk- en buurtkaart (PDOK), code in `statcode`.

Every response is cached under `<out>/.cache/` (with its URL and retrieval time), so a rerun needs
no network and writes the same bytes; `bronnen.yaml` lists table, URL, retrieval time and SHA-256 of
every written file. Fetching is the only part of the project that needs internet access.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
import yaml

from ivb_analysis.atomic import write_bytes
from ivb_analysis.errors import InputError

CBS = "opendata.cbs.nl"
POLITIE = "dataderden.cbs.nl"
FEED = "ODataFeed/odata"
#: Kerncijfers wijken en buurten: one table per year (the region dimension is `RegioS` in 2013).
KWB_TABLES = {
    2013: "82339NED", 2014: "82931NED", 2015: "83220NED", 2016: "83487NED", 2017: "83765NED",
    2018: "84286NED", 2019: "84583NED", 2020: "84799NED", 2021: "85039NED", 2022: "85318NED",
    2023: "85618NED", 2024: "85984NED", 2025: "86165NED",
}
CRIME_WIJK = "47018NED"
CRIME_GEMEENTE = "47013NED"
POPULATION_GEMEENTE = "37230ned"
TOTAL_CRIME = "0.0.0 "  # SoortMisdrijf key of "Totaal misdrijven" (padded to 6)
CRIME_TOPIC = "Geregistreerde misdrijven"
POPULATION_TOPIC = "Bevolking aan het einde van de periode"
PDOK_WFS = "https://service.pdok.nl/cbs/wijkenbuurten/{year}/wfs/v1_0"
CACHE_DIR = ".cache"
SOURCES_FILE = "bronnen.yaml"
MAX_COUNT = 10**9  # no gemeente or wijk has a billion inhabitants or crimes


def odata_url(catalog: str, table: str, name: str, params: dict[str, str]) -> str:
    """The URL cbsodata requests (first page), as recorded in bronnen.yaml."""
    base = f"https://{catalog}/{FEED}/{table}/{name}"
    return requests.Request("GET", base, params={"$format": "json", **params}).prepare().url


def _cbsodata_get(catalog: str, table: str, name: str, filters: str | None,
                  select: list[str] | None) -> list[dict]:
    """One (paged) OData request through cbsodata; its `odata.nextLink` pages are followed."""
    import cbsodata

    return cbsodata.get_meta(table, name, catalog_url=catalog, filters=filters, select=select)


@dataclass
class Downloader:
    """OData and HTTP downloads with an on-disk cache: a cached request never hits the network.

    `odata` and `session` are injectable (tests serve recorded responses through them).
    """

    cache: Path
    odata: Callable[[str, str, str, str | None, list[str] | None], list[dict]] = _cbsodata_get
    session: requests.Session | None = None
    offline: bool = False
    log: list[dict] = field(default_factory=list)

    def _cached(self, key: dict, fetch: Callable[[], object]) -> dict:
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:20]
        path = self.cache / f"{key.get('table', 'http')}_{key.get('name', '')}_{digest}.json"
        if path.is_file():
            entry = _read_cache(path)
        else:
            if self.offline:
                raise InputError("niet in de cache en --offline gegeven", file=path,
                                 expected=f"een eerdere ivb fetch met internet ({key['url']})")
            try:
                body = fetch()
            except (requests.RequestException, OSError, KeyError, ValueError) as exc:
                raise InputError(f"downloaden mislukt: {exc}", file=key["url"],
                                 expected="internettoegang tot de CBS/PDOK-diensten") from None
            entry = {"url": key["url"], "retrieved": datetime.now(UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"), "body": body}
            write_bytes(path, json.dumps(entry, ensure_ascii=False, indent=1).encode("utf-8"))
        self.log.append({"url": entry["url"], "retrieved": entry["retrieved"]})
        return entry

    def table(self, catalog: str, table: str, name: str, *, filters: str | None = None,
              select: list[str] | None = None) -> list[dict]:
        params = {}
        if select:
            params["$select"] = ",".join(select)
        if filters:
            params["$filter"] = filters
        url = odata_url(catalog, table, name, params)
        key = {"catalog": catalog, "table": table, "name": name, "filters": filters,
               "select": select, "url": url}
        body = self._cached(key, lambda: self.odata(catalog, table, name, filters, select))["body"]
        if not (isinstance(body, list) and all(isinstance(row, dict) for row in body)):
            raise InputError(f"antwoord voor {table}/{name} heeft een onverwachte vorm", file=url,
                             expected="een lijst van rijen (OData 'value')",
                             found=type(body).__name__)
        return body

    def json(self, url: str, params: dict[str, str]) -> dict:
        full = requests.Request("GET", url, params=params).prepare().url

        def get() -> object:
            session = self.session or requests.Session()
            response = session.get(url, params=params, timeout=120)
            response.raise_for_status()
            return response.json()

        body = self._cached({"url": full, "name": "geojson"}, get)["body"]
        if not isinstance(body, dict):
            raise InputError("antwoord heeft een onverwachte vorm", file=full,
                             expected="een GeoJSON-object", found=type(body).__name__)
        return body


def _read_cache(path: Path) -> dict:
    """A cache file, checked like a delivery: JSON with url, retrieved and body."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        entry = None
    if not (isinstance(entry, dict) and isinstance(entry.get("url"), str)
            and isinstance(entry.get("retrieved"), str) and "body" in entry):
        raise InputError("cachebestand is beschadigd of heeft een onverwachte vorm; verwijder "
                         "het, dan haalt ivb fetch het opnieuw op", file=path,
                         expected="JSON met url, retrieved en body (geschreven door ivb fetch)")
    return entry


def _count(value: object, table: str, what: str) -> str:
    """A count from a download as a CSV cell: a whole number up to MAX_COUNT (CBS's missing
    markers stay); anything else (10^20 inhabitants, text) is refused, never written."""
    text = _value(value)
    if text in ("", ".", "x", "-"):
        return text
    if not re.fullmatch(r"[0-9]{1,12}(\.0+)?", text) or float(text) > MAX_COUNT:
        raise InputError(f"onmogelijke waarde voor {what} in de download", file=table,
                         expected=f"een geheel aantal van 0 tot {MAX_COUNT:_}".replace("_", "."),
                         found=text[:30])
    return text.split(".")[0]


# ---------------------------------------------------------------------------------------------
# Helpers for the OData rows
# ---------------------------------------------------------------------------------------------


def _topic_key(properties: list[dict], title: str, table: str) -> str:
    for prop in properties:
        if prop.get("Type") == "Topic" and (prop.get("Title") or "").strip() == title:
            return prop["Key"]
    raise InputError(f"onderwerp {title!r} niet gevonden in de metadata", file=table,
                     expected=title)


def _key_starting(properties: list[dict], prefix: str, table: str) -> str:
    for prop in properties:
        if re.fullmatch(rf"{prefix}(_\d+)?", prop.get("Key") or ""):
            return prop["Key"]
    raise InputError(f"kolom {prefix} niet gevonden in de metadata", file=table)


def _geo_dimension(properties: list[dict]) -> str:
    for prop in properties:
        if prop.get("Type") in ("GeoDimension", "GeoDetail"):
            return prop["Key"]
    return "RegioS"


def _periods(years: Iterable[int], *, december: bool = False) -> str:
    keys = [f"{y}JJ00" for y in sorted(years)]
    if december:
        keys += [f"{y}MM12" for y in sorted(years)]
    return "(" + " or ".join(f"Perioden eq '{k}'" for k in keys) + ")"


def _value(text: object) -> str:
    """An untyped OData value as a CSV cell: trimmed; CBS's `.` and empty stay missing."""
    return "" if text is None else str(text).strip()


def _csv_text(header: list[str], rows: Iterable[list[object]], *, sep: str = ",",
              quote_all: bool = True, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n",
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode("utf-8") + buffer.getvalue().encode("utf-8")


def _title(infos: list[dict], table: str) -> str:
    return (infos[0].get("Title") or table).strip() if infos else table


# ---------------------------------------------------------------------------------------------
# The sources
# ---------------------------------------------------------------------------------------------


@dataclass
class Written:
    file: str
    table: str
    title: str
    content: bytes
    requests: list[dict]


def fetch_crime_wijken(dl: Downloader, gemeente: str, years: list[int]) -> list[Written]:
    """47018NED: registered crime (total) per wijk of the gemeente, and its wijk names."""
    start = len(dl.log)
    digits = gemeente[2:]
    infos = dl.table(POLITIE, CRIME_WIJK, "TableInfos")
    props = dl.table(POLITIE, CRIME_WIJK, "DataProperties")
    topic = _topic_key(props, CRIME_TOPIC, CRIME_WIJK)
    regions = dl.table(POLITIE, CRIME_WIJK, "WijkenEnBuurten",
                       filters=f"substringof('{digits}',Key)")
    names = {r["Key"].strip(): (r.get("Title") or "").strip() for r in regions}
    rows = dl.table(POLITIE, CRIME_WIJK, "UntypedDataSet", filters=(
        f"SoortMisdrijf eq '{TOTAL_CRIME}' and substringof('{digits}',WijkenEnBuurten) and "
        + _periods(years)), select=["ID", "SoortMisdrijf", "WijkenEnBuurten", "Perioden", topic])
    own = [r for r in rows if re.match(rf"(WK{digits}\d\d|BU{digits}\d{{4}})\s*$",
                                       r["WijkenEnBuurten"])]
    wijk_rows = {(r["WijkenEnBuurten"].strip(), r["Perioden"]) for r in own
                 if r["WijkenEnBuurten"].startswith("WK")}
    # Wijk rows where the table has them; buurt rows only for wijken without one (no double
    # counting: prepare sums buurten to their wijk).
    keep = [r for r in own if r["WijkenEnBuurten"].startswith("WK") or
            ("WK" + r["WijkenEnBuurten"].strip()[2:8], r["Perioden"]) not in wijk_rows]
    if not keep:
        raise InputError("geen misdrijfcijfers voor deze gemeente en jaren", file=CRIME_WIJK,
                         expected=f"rijen voor WK{digits}.. of BU{digits}....",
                         found=", ".join(map(str, years)))
    keep.sort(key=lambda r: (r["Perioden"], r["WijkenEnBuurten"]))
    header = ["ID", "SoortMisdrijf", "SoortMisdrijf_label", "WijkenEnBuurten",
              "WijkenEnBuurten_label", "Perioden", topic]
    body = [[_value(r.get("ID")), r["SoortMisdrijf"], "Totaal misdrijven", r["WijkenEnBuurten"],
             names.get(r["WijkenEnBuurten"].strip(), ""), r["Perioden"],
             _count(r[topic], CRIME_WIJK, "misdrijven")]
            for r in keep]
    title = _title(infos, CRIME_WIJK)
    wijken = sorted((k, t) for k, t in names.items() if k.startswith(f"WK{digits}"))
    wijk_list = [[k, re.sub(r"^Wijk\s+\d+\s+", "", t), t] for k, t in wijken]
    log = dl.log[start:]
    return [
        Written(f"politie_{CRIME_WIJK}_{gemeente}.csv", CRIME_WIJK, title,
                _csv_text(header, body), log),
        Written(f"cbs_wijken_{gemeente}.csv", CRIME_WIJK, title,
                _csv_text(["wijkcode", "wijknaam", "cbs_titel"], wijk_list, sep=";",
                          quote_all=False), log),
    ]


def _metadata_export(sections: dict[str, list[dict]]) -> bytes:
    """The stacked metadata layout: `Name;;;` line, header, rows; padded to one width."""
    width = max(len(rows[0]) for rows in sections.values() if rows)
    out = []
    for name, rows in sections.items():
        columns = list(rows[0]) if rows else ["Key", "Title"]
        out.append([name] + [""] * (width - 1))
        out.append(columns + [""] * (width - len(columns)))
        for row in rows:
            cells = ["" if row.get(c) is None else str(row.get(c)) for c in columns]
            out.append(cells + [""] * (width - len(cells)))
    return _csv_text([], out, sep=";", quote_all=False, bom=True)


def fetch_group(dl: Downloader, years: list[int]) -> tuple[list[Written], dict[str, str]]:
    """47013NED crime and 37230ned population of every gemeente (the group is chosen later)."""
    start = len(dl.log)
    infos = dl.table(POLITIE, CRIME_GEMEENTE, "TableInfos")
    props = dl.table(POLITIE, CRIME_GEMEENTE, "DataProperties")
    topic = _topic_key(props, CRIME_TOPIC, CRIME_GEMEENTE)
    regions = dl.table(POLITIE, CRIME_GEMEENTE, "RegioS")
    titles = {r["Key"].strip(): (r.get("Title") or "").strip() for r in regions}
    rows = dl.table(POLITIE, CRIME_GEMEENTE, "UntypedDataSet", filters=(
        f"SoortMisdrijf eq '{TOTAL_CRIME}' and substringof('GM',RegioS) and " + _periods(years)),
        select=["SoortMisdrijf", "RegioS", "Perioden", topic])
    crime = _by_region(rows, "RegioS", topic, years)
    title = _title(infos, CRIME_GEMEENTE)
    crime_log = dl.log[start:]
    lines = [[title], ["Soort misdrijf: Totaal misdrijven"], [""],
             ["Onderwerp", *[CRIME_TOPIC] * len(years)], ["Perioden", *map(str, years)],
             ["Regio's", *["aantal"] * len(years)]]
    lines += [[titles.get(code, code), *values] for code, values in sorted(
        crime.items(), key=lambda kv: titles.get(kv[0], kv[0]))]
    lines.append(["Bron: Politie"])
    files = [Written(f"politie_{CRIME_GEMEENTE}_gemeenten.csv", CRIME_GEMEENTE, title,
                     _csv_text([], lines, sep=";"), crime_log),
             Written(f"politie_{CRIME_GEMEENTE}_metadata.csv", CRIME_GEMEENTE, title,
                     _metadata_export({"TableInfos": infos, "DataProperties": props,
                                       "RegioS": regions}), crime_log)]
    start = len(dl.log)
    pinfos = dl.table(CBS, POPULATION_GEMEENTE, "TableInfos")
    pprops = dl.table(CBS, POPULATION_GEMEENTE, "DataProperties")
    ptopic = _topic_key(pprops, POPULATION_TOPIC, POPULATION_GEMEENTE)
    pregions = dl.table(CBS, POPULATION_GEMEENTE, "RegioS",
                        filters="substringof('GM',Key)")
    ptitles = {r["Key"].strip(): (r.get("Title") or "").strip() for r in pregions}
    # A monthly table: the year row (JJ00) where it exists, else December (end of the year).
    prows = dl.table(CBS, POPULATION_GEMEENTE, "UntypedDataSet", filters=(
        "substringof('GM',RegioS) and " + _periods(years, december=True)),
        select=["RegioS", "Perioden", ptopic])
    population = _by_region(prows, "RegioS", ptopic, years)
    ptitle = _title(pinfos, POPULATION_GEMEENTE)
    # Names as in the 47013NED metadata, so one name -> code map serves both files.
    name = {code: titles.get(code) or ptitles.get(code, code) for code in population}
    plines = [[ptitle], [""], ["", "", "", "Perioden"],
              ["Regio's", "Onderwerp", "", *map(str, years)]]
    plines += [[name[code], POPULATION_TOPIC, "aantal", *values]
               for code, values in sorted(population.items(), key=lambda kv: name[kv[0]])]
    plines.append(["Bron: CBS"])
    files.append(Written(f"cbs_{POPULATION_GEMEENTE}_gemeenten.csv", POPULATION_GEMEENTE,
                         ptitle, _csv_text([], plines, sep=";", bom=True), dl.log[start:]))
    return files, titles


def _by_region(rows: list[dict], region: str, topic: str, years: list[int]
               ) -> dict[str, list[str]]:
    """GM code -> values per requested year ("" where CBS has none)."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    for row in rows:
        code = row[region].strip()
        if not re.fullmatch(r"GM\d{4}", code):
            continue
        match = re.fullmatch(r"(\d{4})(JJ00|MM12)", row["Perioden"].strip())
        if match and int(match.group(1)) in years:
            rank = 0 if match.group(2) == "JJ00" else 1  # the year row wins over December
            out.setdefault(code, {})[(int(match.group(1)), rank)] = _count(
                row[topic], topic, "een aantal per gemeente")
    return {code: [values.get((y, 0), values.get((y, 1), "")) for y in years]
            for code, values in out.items()}


def fetch_kwb(dl: Downloader, gemeente: str, year: int) -> Written:
    """Population per wijk (and buurt) from the Kerncijfers wijken en buurten of `year`."""
    table = KWB_TABLES.get(year)
    if table is None:
        raise InputError("geen tabel Kerncijfers wijken en buurten bekend voor dit jaar",
                         column="--years", found=year,
                         expected=", ".join(map(str, KWB_TABLES)))
    start = len(dl.log)
    digits = gemeente[2:]
    infos = dl.table(CBS, table, "TableInfos")
    props = dl.table(CBS, table, "DataProperties")
    region = _geo_dimension(props)
    inhabitants = _key_starting(props, "AantalInwoners", table)
    level = next((p["Key"] for p in props if re.fullmatch(r"SoortRegio_\d+", p.get("Key") or "")),
                 None)
    select = ["ID", region, *([level] if level else []), inhabitants]
    rows = dl.table(CBS, table, "UntypedDataSet",
                    filters=f"substringof('{digits}',{region})", select=select)
    own = [r for r in rows if re.match(rf"(GM{digits}|WK{digits}\d\d|BU{digits}\d{{4}})\s*$",
                                       r[region])]
    if not own:
        raise InputError("geen kerncijfers voor deze gemeente", file=table, found=gemeente)
    header = ["ID", "WijkenEnBuurten", *([level] if level else []), inhabitants]
    body = [[_value(r.get("ID")), r[region], *([r.get(level, "")] if level else []),
             _count(r[inhabitants], table, "inwoners")] for r in own]
    return Written(f"kwb_{year}_{gemeente}.csv", table, _title(infos, table),
                   _csv_text(header, body), dl.log[start:])


def fetch_geometry(dl: Downloader, gemeente: str, year: int) -> Written:
    """Wijk boundaries of the gemeente (CBS/Kadaster wijk- en buurtkaart via PDOK), WGS84,
    with the wijk code in `statcode` and the name in `statnaam` as the maps expect."""
    start = len(dl.log)
    url = PDOK_WFS.format(year=year)
    params = {
        "service": "WFS", "version": "2.0.0", "request": "GetFeature",
        "typeNames": "wijkenbuurten:wijken", "outputFormat": "application/json",
        "srsName": "EPSG:4326",
        "filter": ("<Filter><PropertyIsEqualTo><PropertyName>gemeentecode</PropertyName>"
                   f"<Literal>{gemeente}</Literal></PropertyIsEqualTo></Filter>"),
    }
    data = dl.json(url, params)
    features = []
    for feature in data.get("features", []):
        props = dict(feature.get("properties") or {})
        code = str(props.get("wijkcode") or props.get("statcode") or "").strip()
        if not code.startswith(f"WK{gemeente[2:]}"):
            continue
        props["statcode"] = code
        props["statnaam"] = str(props.get("wijknaam") or props.get("statnaam") or "").strip()
        features.append({"type": "Feature", "properties": props,
                         "geometry": feature.get("geometry")})
    if not features:
        raise InputError("geen wijkgrenzen gevonden", file=url, found=gemeente)
    features.sort(key=lambda f: f["properties"]["statcode"])
    content = json.dumps({"type": "FeatureCollection", "features": features},
                         ensure_ascii=False).encode("utf-8")
    return Written(f"wijken_{gemeente}_{year}.geojson", f"PDOK wijkenbuurten {year}",
                   f"CBS/Kadaster wijk- en buurtkaart {year}", content, dl.log[start:])


def _download(dl: Downloader, gemeente: str, years: list[int],
              population_years: list[int] | None, geometry_year: int | None, geometry: bool
              ) -> list[Written]:
    """Every source in memory (nothing is written before all of them are checked)."""
    written: list[Written] = fetch_crime_wijken(dl, gemeente, years)
    group, _titles = fetch_group(dl, years)
    for item in group:
        row_start = f'\n"{_titles.get(gemeente, gemeente)}";'.encode()
        if item.file.endswith("_gemeenten.csv") and row_start not in item.content:
            raise InputError("de eigen gemeente ontbreekt in de download", file=item.table,
                             expected=f"een rij voor {gemeente}",
                             found=", ".join(map(str, years)))
    written += group
    kwb_years = sorted({int(y) for y in (population_years or years)})
    written += [fetch_kwb(dl, gemeente, year) for year in kwb_years]
    if geometry:
        written.append(fetch_geometry(dl, gemeente, geometry_year or years[-1]))
    return written


def fetch(gemeente: str, years: list[int], out: Path, *, population_years: list[int] | None = None,
          geometry_year: int | None = None, geometry: bool = True, offline: bool = False,
          downloader: Downloader | None = None) -> list[Path]:
    """Download every public source of a delivery into `out`; returns the written paths.

    `years` are the crime and group years; `population_years` the editions of the Kerncijfers
    wijken en buurten (default: the same years; an edition appears a year or two later).
    """
    if not re.fullmatch(r"GM\d{4}", gemeente):
        raise InputError("ongeldige gemeentecode", column="--gemeente",
                         expected="GM gevolgd door 4 cijfers, bijv. GM0153", found=gemeente)
    if not years:
        raise InputError("geen jaren opgegeven", column="--years", expected="bijv. 2021 2022 2023")
    years = sorted({int(y) for y in years})
    dl = downloader or Downloader(out / CACHE_DIR, offline=offline)
    try:
        written = _download(dl, gemeente, years, population_years, geometry_year, geometry)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # a row of the wrong shape
        raise InputError(f"een antwoord van CBS/PDOK of een cachebestand heeft een onverwachte "
                         f"vorm ({type(exc).__name__}: {str(exc)[:80]})", file=dl.cache,
                         expected="verwijder de cache en haal opnieuw op") from None
    paths = [write_bytes(out / w.file, w.content) for w in written]
    sources = [{
        "bestand": w.file, "tabel": w.table, "titel": w.title,
        "urls": sorted({r["url"] for r in w.requests}),
        "opgehaald": max(r["retrieved"] for r in w.requests),
        "sha256": hashlib.sha256(w.content).hexdigest(),
    } for w in written]
    header = (f"# Bronnen van ivb fetch --gemeente {gemeente} --years "
              f"{' '.join(map(str, years))}: tabel, URL, tijd van ophalen (UTC), SHA-256.\n"
              "# CBS en Politie open data, CC BY 4.0. Een nieuwe run gebruikt de cache in "
              f"{CACHE_DIR}/.\n")
    text = header + yaml.safe_dump({"gemeente": gemeente, "jaren": years, "bronnen": sources},
                                   sort_keys=False, allow_unicode=True, width=200)
    paths.append(write_bytes(out / SOURCES_FILE, text.encode("utf-8")))
    return paths


def settings_hint(gemeente: str, years: list[int], geometry_year: int | None) -> str:
    """The `files:` lines for ivb.yaml that name the fetched files."""
    lines = [
        f"  police: politie_{CRIME_WIJK}_{gemeente}.csv",
        f"  population: kwb_{{year}}_{gemeente}.csv",
        f"  group_crime: politie_{CRIME_GEMEENTE}_gemeenten.csv",
        f"  group_population: cbs_{POPULATION_GEMEENTE}_gemeenten.csv",
        f"  region_metadata: politie_{CRIME_GEMEENTE}_metadata.csv",
    ]
    if geometry_year is not None:
        lines.append(f"  geometry: wijken_{gemeente}_{geometry_year}.geojson")
    return "\n".join(lines)
