"""raw -> processed: validate every source of a delivery and write tidy parquet tables.

Reads only from the delivery's data directory (never writes there) and writes to
`<processed_dir>/<delivery>/`. Every file is written to a temporary name and renamed, so a failed
run leaves the previous processed files intact; validation of all sources happens before any write.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ivb_analysis.atomic import write_parquet
from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.clean.indicators import score_indicators
from ivb_analysis.clean.recode import recode_items
from ivb_analysis.config import Settings
from ivb_analysis.errors import InputError
from ivb_analysis.io.microdata import read_codebook, read_raw_survey, read_wijken, validate_survey
from ivb_analysis.io.police import aggregate_to_wijk
from ivb_analysis.io.statline import read_crime_47018, read_population_85984
from ivb_analysis.io.tables import read_benchmark, read_casework

SURVEY_TABLE = "survey_long"
WIJKEN_TABLE = "wijken"
BENCHMARK_TABLE = "benchmark"
CRIME_TABLE = "crime"
POPULATION_TABLE = "population"
CASEWORK_TABLE = "casework"


def processed_dir(settings: Settings) -> Path:
    """Where the processed tables of this delivery live."""
    return settings.processed_dir / settings.data_dir.resolve().name


def survey_long(settings: Settings) -> pd.DataFrame:
    """Every wave of the delivery, validated and scored: one row per respondent and indicator."""
    catalogue = load_catalogue()
    codebook = read_codebook(settings.path("codebook"), catalogue)
    wijken = read_wijken(settings.path("wijken"))
    frames = []
    for year in settings.years:
        path = settings.path("survey", year)
        valid = validate_survey(read_raw_survey(path), codebook, catalogue,
                                set(wijken["wijk"].astype(int)), path)
        frames.append(score_indicators(recode_items(valid, codebook, wijken, year), catalogue))
    return pd.concat(frames, ignore_index=True)


def benchmark(settings: Settings) -> pd.DataFrame:
    """The published benchmark; every survey wave must have one (else the footprint is empty)."""
    path = settings.path("benchmark")
    table = read_benchmark(path, known_indicators=set(load_catalogue().ids()))
    absent = sorted(set(settings.years) - set(table["year"]))
    if absent:
        raise InputError("meetjaar ontbreekt in de benchmark", file=path, column="jaar",
                         expected=", ".join(map(str, settings.years)), found=absent[0])
    return table


def crime(settings: Settings) -> pd.DataFrame:
    """Registered crime per wijk and year (buurt rows are summed to their wijk)."""
    table = read_crime_47018(settings.path("police"))
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


def build_tables(settings: Settings) -> dict[str, pd.DataFrame]:
    """All processed tables of the delivery, in memory: everything is validated before a write."""
    if not settings.years:
        raise InputError("geen meetjaren opgegeven", file=settings.settings_file, column="years")
    tables = {
        SURVEY_TABLE: survey_long(settings),
        WIJKEN_TABLE: read_wijken(settings.path("wijken")),
    }
    if settings.files.benchmark:
        tables[BENCHMARK_TABLE] = benchmark(settings)
    if settings.files.casework:
        tables[CASEWORK_TABLE] = read_casework(settings.path("casework"))
    if settings.files.police:
        tables[CRIME_TABLE] = crime(settings)
        if settings.files.population:
            years = sorted(tables[CRIME_TABLE]["year"].unique().tolist())
            tables[POPULATION_TABLE] = population(settings, years)
    return tables


def prepare(settings: Settings) -> dict[str, Path]:
    """Validate all sources, then write them as parquet; returns table name -> path."""
    tables = build_tables(settings)
    target = processed_dir(settings)
    return {name: write_parquet(frame, target / f"{name}.parquet")
            for name, frame in tables.items()}


def load_table(settings: Settings, name: str) -> pd.DataFrame:
    """A processed table; prepares the delivery first when it is missing."""
    path = processed_dir(settings) / f"{name}.parquet"
    if not path.is_file():
        prepare(settings)
    return pd.read_parquet(path)
