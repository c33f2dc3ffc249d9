"""raw -> processed: validate every source of a delivery and write tidy parquet tables.

Reads only from the delivery's data directory (never writes there) and writes to
`<processed_dir>/<delivery>/`. Every file is written to a temporary name and renamed, so a failed
run leaves the previous processed files intact; validation of all sources happens before any write.
The processed folder carries a manifest (`freshness`): `prepare` is skipped when it proves the raw
files, settings and code unchanged, and `load_table` re-prepares when they changed.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pandas as pd

from ivb_analysis import freshness, guards
from ivb_analysis.atomic import write_parquet
from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.clean.background import attach_background
from ivb_analysis.clean.indicators import indicator_status, score_indicators
from ivb_analysis.clean.recode import recode_items
from ivb_analysis.config import Settings
from ivb_analysis.errors import InputError
from ivb_analysis.io.background import read_background
from ivb_analysis.io.geometry import check_geometry
from ivb_analysis.io.microdata import read_codebook, read_raw_survey, read_wijken, validate_survey
from ivb_analysis.io.police import (
    aggregate_to_wijk,
    fill_crime_labels,
    group_codes,
    membership_names,
    read_membership,
    select_group,
    wijk_names,
)
from ivb_analysis.io.statline import (
    read_crime_47018,
    read_population_85984,
    read_statline_export,
    read_statline_metadata,
    region_codes_by_name,
    statline_by_code,
)
from ivb_analysis.io.tables import read_benchmark, read_casework
from ivb_analysis.io.text import MAX_COUNT

SURVEY_TABLE = "survey_long"
STATUS_TABLE = "indicator_status"  # beschikbaar / gedeeltelijk / niet in deze levering
WIJKEN_TABLE = "wijken"
#: Wijk code -> name from the police and population files (a wijk the survey list lacks).
WIJK_NAMES_TABLE = "wijk_names"
BENCHMARK_TABLE = "benchmark"
CRIME_TABLE = "crime"
POPULATION_TABLE = "population"
CASEWORK_TABLE = "casework"
GROUP_MEMBERS_TABLE = "group_members"
GROUP_CRIME_TABLE = "group_crime"
GROUP_POPULATION_TABLE = "group_population"
# The published scale of each kind of indicator (benchmark values are checked against it).
SCALES = {"percentage": (0.0, 100.0), "rapportcijfer": (1.0, 10.0), "schaalscore": (0.0, 10.0)}


processed_dir = freshness.processed_dir


def survey_long(settings: Settings) -> pd.DataFrame:
    """Every wave of the delivery, validated and scored: one row per respondent and indicator."""
    catalogue = load_catalogue()
    codebook = read_codebook(settings.path("codebook"), catalogue)
    wijken = read_wijken(settings.path("wijken"))
    background = read_background(settings.path("codebook"))  # age, sex ...: for subgroups
    frames = []
    for year in settings.years:
        path = settings.path("survey", year)
        raw = read_raw_survey(path)
        valid = validate_survey(raw, codebook, catalogue,
                                set(wijken["wijk"].astype(int)), path, year=year)
        scored = score_indicators(recode_items(valid, codebook, wijken, year, catalogue),
                                  catalogue)
        frames.append(attach_background(scored, raw, valid["resp_id"], background, year,
                                        codebook.missing_codes, path))
    return pd.concat(frames, ignore_index=True)


def benchmark(settings: Settings) -> pd.DataFrame:
    """The published benchmark; every survey wave must have one (else the footprint is empty)."""
    path = settings.path("benchmark")
    catalogue = load_catalogue()
    ranges = {i.id: (*SCALES[i.kind], i.kind) for i in catalogue.indicators.values()}
    table = read_benchmark(path, known_indicators=set(catalogue.ids()), ranges=ranges)
    absent = sorted(set(settings.years) - set(table["year"]))
    if absent:
        raise InputError("meetjaar ontbreekt in de benchmark", file=path, column="jaar",
                         expected=", ".join(map(str, settings.years)), found=absent[0])
    return table


def crime(settings: Settings) -> pd.DataFrame:
    """Registered crime per wijk and year (buurt rows are summed to their wijk)."""
    table = fill_crime_labels(read_crime_47018(settings.path("police")))  # label optional
    buurten = table[table["region_level"] == "buurt"]
    wijken = table[table["region_level"] == "wijk"]
    if not buurten.empty:
        wijken = pd.concat([wijken, aggregate_to_wijk(buurten)], ignore_index=True)
    return wijken.sort_values(["year", "crime_code", "region_code"], ignore_index=True)


def population(settings: Settings, years: list[int]) -> pd.DataFrame:
    """Population per wijk for every year with a population file (one file per year)."""
    frames = []
    for year in years:
        path = settings.path("population", year)
        if path.is_file():
            frames.append(read_population_85984(path).assign(year=year))
    if not frames:
        raise InputError("geen bevolkingsbestand gevonden", file=settings.path("population", 0),
                         expected=f"een bestand per jaar volgens {settings.files.population}")
    return pd.concat(frames, ignore_index=True)


def _region_codes(settings: Settings, membership: pd.DataFrame | None) -> dict[str, str]:
    """StatLine name -> GM code: from the 47013NED metadata when delivered, else the members."""
    if settings.files.region_metadata:
        return region_codes_by_name(read_statline_metadata(settings.path("region_metadata")))
    if membership is not None:
        return membership_names(membership, file=settings.path("group_members"))
    raise InputError(
        "StatLine-download heeft alleen namen; geen koppeling aan gemeentecodes",
        file=settings.settings_file, column="files",
        expected="bron region_metadata (47013NED-metadata) of group_members met statline_naam",
    )


def _gemeente_table(settings: Settings, name: str, codes: dict[str, str], value: str
                    ) -> pd.DataFrame:
    """A names-only StatLine download (one topic) as `region_code, region_name, year, value`.

    Regions without a code (Nederland, provinces, police units) fall away; counts must be whole
    numbers; the delivery's own gemeente must be in it.
    """
    path = settings.path(name)
    try:
        table = statline_by_code(read_statline_export(path), codes, value)
    except InputError as error:  # statline_by_code works on a table: name the file
        error.file = error.file or path
        raise
    numbers = table[value]
    negative = numbers.notna() & (numbers < 0)
    if negative.any():
        row = table[negative].iloc[0]
        raise InputError("negatief aantal", file=path, column=str(row["year"]),
                         row=row["region_name"], expected="0 of meer", found=row[value])
    huge = numbers.notna() & (numbers > MAX_COUNT)
    if huge.any():
        row = table[huge].iloc[0]
        raise InputError("onmogelijk groot aantal", file=path, column=str(row["year"]),
                         row=row["region_name"], expected=f"hoogstens {MAX_COUNT:_}".replace(
                             "_", "."), found=f"{row[value]:.0f}")
    fraction = numbers.notna() & (numbers % 1 != 0)
    if fraction.any():
        row = table[fraction].iloc[0]
        raise InputError("geen geheel getal", file=path, column=str(row["year"]),
                         row=row["region_name"], found=row[value])
    table[value] = numbers.astype("Int64")
    if not (table["region_code"] == settings.gemeente_code).any():
        raise InputError("de eigen gemeente ontbreekt", file=path,
                         expected=f"een rij voor {settings.gemeente_code}",
                         found=", ".join(sorted(table["region_name"].unique())[:5]) or None)
    return table


def group_tables(settings: Settings) -> dict[str, pd.DataFrame]:
    """Benchmark group sources: membership, gemeente crime totals and population (GM codes).

    The benchmark group setting is checked against the membership file here, so a typo in a
    group name fails before anything is written.
    """
    tables: dict[str, pd.DataFrame] = {}
    membership = None
    if settings.files.group_members:
        path = settings.path("group_members")
        membership = read_membership(path)
        tables[GROUP_MEMBERS_TABLE] = membership
        if group_codes(settings.benchmark_group) is None:
            select_group(membership, str(settings.benchmark_group), file=path)
    else:
        group_codes(settings.benchmark_group)  # an explicit list is checked all the same
    sources = (("group_crime", GROUP_CRIME_TABLE, "count"),
               ("group_population", GROUP_POPULATION_TABLE, "population"))
    wanted = [s for s in sources if getattr(settings.files, s[0])]
    if wanted:
        codes = _region_codes(settings, membership)
        for name, table, value in wanted:
            tables[table] = _gemeente_table(settings, name, codes, value)
    return tables


def wijk_name_table(settings: Settings, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """`wijk_code, wijk_naam` of every wijk named in the police file or a population download
    (issue 18.7: a wijk in the police file but not in the survey's wijk list keeps its name)."""
    paths = [settings.path("police")]
    if settings.files.population and POPULATION_TABLE in tables:
        paths += [settings.path("population", int(year)) for year in
                  sorted(tables[POPULATION_TABLE]["year"].unique())]
    names = wijk_names(p for p in paths if p.is_file())
    # StatLine labels a wijk "Wijk 03 Berflo Es": the name is what follows the number
    return pd.DataFrame({"wijk_code": list(names),
                         "wijk_naam": [re.sub(r"^Wijk \d{2} ", "", n) for n in names.values()]},
                        dtype="string")


def validate_delivery(settings: Settings) -> dict[str, pd.DataFrame]:
    """Read and validate every source of the delivery into memory; writes nothing.

    The one validation path: `prepare` writes what this returns, `ivb check` reports on it and
    `ivb run` calls it before the first notebook starts, so bad input fails in the same way
    everywhere (an InputError naming file, column and row).
    """
    if not settings.years:
        raise InputError("geen meetjaren opgegeven", file=settings.settings_file, column="years")
    tables = {
        SURVEY_TABLE: survey_long(settings),
        STATUS_TABLE: indicator_status(
            read_codebook(settings.path("codebook"), load_catalogue()).items_present,
            load_catalogue()),
        WIJKEN_TABLE: read_wijken(settings.path("wijken")),
    }
    if settings.files.benchmark:
        tables[BENCHMARK_TABLE] = benchmark(settings)
    if settings.files.casework:
        tables[CASEWORK_TABLE] = read_casework(settings.path("casework"))
    if settings.files.police:
        tables[CRIME_TABLE] = crime(settings)
    if settings.files.population:  # the crime years, else the survey waves
        years = (sorted(tables[CRIME_TABLE]["year"].unique().tolist())
                 if CRIME_TABLE in tables else list(settings.years))
        tables[POPULATION_TABLE] = population(settings, years)
    if settings.files.police:
        tables[WIJK_NAMES_TABLE] = wijk_name_table(settings, tables)
    tables.update(group_tables(settings))
    if settings.files.geometry:
        check_geometry(settings.path("geometry"))
    return tables


def prepare(settings: Settings, *, force: bool = False) -> dict[str, Path]:
    """Validate all sources, then write them as parquet; returns table name -> path.

    Skipped (nothing read, nothing written) when the processed folder's manifest shows the same
    raw files, settings and code, unless `force`. On bad input nothing is written: the previous
    tables stay, but without a matching manifest they are never used.
    """
    target = processed_dir(settings)
    expected = freshness.current(settings)  # hashed before reading: a later change is seen
    names = None if force else freshness.fresh_tables(target, expected)
    if names is not None:
        return {name: target / f"{name}.parquet" for name in names}
    guards.require_sound(settings)  # open decisions, mapping evidence (issue 18)
    tables = validate_delivery(settings)
    guards.require_plausible(settings, tables)  # plausibility guards (issue 18)
    target.mkdir(parents=True, exist_ok=True)
    freshness.remove_manifest(target)
    written = {name: write_parquet(frame, target / f"{name}.parquet")
               for name, frame in tables.items()}
    for old in target.glob("*.parquet"):  # a source dropped from ivb.yaml leaves no table behind
        if old.stem not in written:
            old.unlink()
    freshness.write_manifest(target, expected, list(written))
    return written


def load_table(settings: Settings, name: str) -> pd.DataFrame:
    """A processed table, (re)prepared first when missing or stale (raw files or settings changed).

    The bytes read are the bytes the manifest vouches for (SHA-256): a table changed, truncated or
    swapped after `prepare` is rebuilt from the raw files, never read. Raises InputError when the
    delivery has no such table (its source is not in ivb.yaml).
    """
    for force in (False, True):
        written = prepare(settings, force=force)
        if name not in written:
            raise InputError(f"de levering heeft geen tabel {name!r}", file=settings.settings_file,
                             column="files", expected=", ".join(sorted(written)))
        data = _vouched_bytes(written[name], name)
        if data is not None:
            return pd.read_parquet(io.BytesIO(data))
    raise InputError("bewerkte tabel verandert tijdens het lezen; draai ivb opnieuw",
                     file=written[name], expected="de tabel die ivb prepare schreef")


def _vouched_bytes(path: Path, name: str) -> bytes | None:
    """The table's bytes when their SHA-256 is the one in the folder's manifest, else None."""
    hashes = (freshness.read_manifest(path.parent) or {}).get("table_hashes")
    expected = hashes.get(name) if isinstance(hashes, dict) else None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if expected and hashlib.sha256(data).hexdigest() == expected else None
