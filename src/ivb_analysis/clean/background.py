"""Background variables -> categories, carried into the processed survey table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.io.background import BackgroundSpec


def categories(
    raw: pd.DataFrame, spec: BackgroundSpec, year: int, missing_codes: Iterable[int], path: Path,
) -> pd.Series:
    """One wave's raw column as an ordered categorical (NA: missing or outside every class)."""
    if spec.variable not in raw.columns:
        raise InputError("achtergrondvariabele ontbreekt in het bestand", file=path,
                         column=spec.variable, expected=f"de variabele van {spec.name}")
    values = pd.to_numeric(raw[spec.variable], errors="coerce").to_numpy(dtype="float64")
    values = np.where(np.isin(values, list(missing_codes)), np.nan, values)
    out = np.full(len(values), None, dtype=object)
    if spec.labels:
        for code, label in spec.labels:
            out[values == code] = label
    else:
        number = year - values if spec.birth_year else values
        for label, low, high in spec.classes:
            out[(number >= low) & (number <= high)] = label
    dtype = pd.CategoricalDtype(spec.categories, ordered=True)
    return pd.Series(out, index=raw.index, dtype=dtype)


def attach_background(
    long: pd.DataFrame, raw: pd.DataFrame, resp_ids: pd.Series,
    specs: Mapping[str, BackgroundSpec], year: int, missing_codes: Iterable[int], path: Path,
) -> pd.DataFrame:
    """`long` (one wave, any number of rows per respondent) with a column per background
    variable, looked up by respondent (`resp_ids` holds the wave's ids in `raw`'s row order)."""
    if not specs:
        return long
    ids = pd.Index(resp_ids.to_numpy())
    position = ids.get_indexer(long["resp_id"].to_numpy())
    columns = {}
    for name, spec in specs.items():
        cats = categories(raw, spec, year, missing_codes, path)
        columns[name] = pd.Categorical.from_codes(
            cats.cat.codes.to_numpy()[position], dtype=cats.dtype)
    return long.assign(**columns)
