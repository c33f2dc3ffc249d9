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

SURVEY_TABLE = "survey_long"
WIJKEN_TABLE = "wijken"


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


def build_tables(settings: Settings) -> dict[str, pd.DataFrame]:
    """All processed tables of the delivery, in memory (nothing written yet)."""
    if not settings.years:
        raise InputError("geen meetjaren opgegeven", file=settings.settings_file, column="years")
    tables = {
        SURVEY_TABLE: survey_long(settings),
        WIJKEN_TABLE: read_wijken(settings.path("wijken")),
    }
    return tables


def prepare(settings: Settings) -> dict[str, Path]:
    """Validate all sources, then write them as parquet; returns table name -> path."""
    tables = build_tables(settings)
    target = processed_dir(settings)
    return {name: write_parquet(frame, target / f"{name}.parquet") for name, frame in tables.items()}


def load_table(settings: Settings, name: str) -> pd.DataFrame:
    """A processed table; prepares the delivery first when it is missing."""
    path = processed_dir(settings) / f"{name}.parquet"
    if not path.is_file():
        prepare(settings)
    return pd.read_parquet(path)
