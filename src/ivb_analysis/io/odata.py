"""Readers for CBS/Politie bulk tables (OData, cbsodataR layout) and StatLine's stacked metadata.

* `read_odata_csv` and the table readers built on it (`read_crime_47018`,
  `read_population_85984`) for the bulk/OData/cbsodataR layout with padded keys and `2023JJ00`
  periods; `read_kwb_json` for a reduced JSON of Kerncijfers wijken en buurten.
* `read_statline_metadata` for the stacked metadata export (TableInfos, DataProperties, one
  section per dimension) and `region_codes_by_name` to join name-only exports to GM codes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.io.periods import PERIODS, parse_period_keys, region_levels
from ivb_analysis.io.text import (
    CsvText,
    Locator,
    first_true,
    line_at,
    load_csv,
    parse_numbers,
    read_text,
    require_columns,
    strip_strings,
)

_SUFFIX = re.compile(r"^(?P<key>.+?)_\d+$")


# --------------------------------------------------------------------------------------------
# Bulk / OData / cbsodataR tables
# --------------------------------------------------------------------------------------------


def read_odata_csv(
    path: str | Path, *, strip_suffix: bool = False, numeric: Iterable[str] = ()
) -> pd.DataFrame:
    """Read a bulk/OData table or metadata CSV (cbsodataR output included) as strings.

    All cells are trimmed (keys are right-padded: `GM0014    `, `0.0.0 `; blank-only names
    become NA), the R row-name column (empty header) is dropped, columns in `numeric` are parsed
    as numbers, and a `Perioden` column gets `year` and `period_kind` beside it. With
    `strip_suffix`, topic keys lose their `_N` position suffix (`AantalInwoners_5` ->
    `AantalInwoners`), which differs between table versions.
    """
    return _odata_frame(load_csv(path), strip_suffix=strip_suffix, numeric=numeric)


def _odata_frame(
    csv: CsvText, *, strip_suffix: bool = False, numeric: Iterable[str] = ()
) -> pd.DataFrame:
    frame = csv.frame()
    frame = frame.drop(columns=[c for c in frame.columns if re.fullmatch(r"Unnamed: \d+", c)])
    for name in numeric:
        require_columns(frame, [name], csv.path)
        frame[name] = parse_numbers(frame[name], file=csv.path, column=name, line=csv.line_of)
    if PERIODS in frame.columns:
        frame = frame.join(parse_period_keys(frame[PERIODS], file=csv.path, line=csv.line_of))
    if strip_suffix:
        frame = _strip_suffixes(frame, csv.path)
    return frame


def _strip_suffixes(frame: pd.DataFrame, file: Path) -> pd.DataFrame:
    """Rename `Key_N` -> `Key`; two columns ending up with one name is an error."""
    names = {c: (m.group("key") if (m := _SUFFIX.match(c)) else c) for c in frame.columns}
    seen: dict[str, str] = {}
    for old, new in names.items():
        if new in seen:
            raise InputError(
                "kolomnamen vallen samen na het weglaten van het _N-achtervoegsel", file=file,
                column=old, found=f"{seen[new]} en {old}",
            )
        seen[new] = old
    return frame.rename(columns=names)


def _find_column(frame: pd.DataFrame, key: str, file: Path) -> str:
    """The column for topic `key` with or without its `_N` suffix."""
    for name in frame.columns:
        if name == key or re.fullmatch(rf"{re.escape(key)}_\d+", name):
            return name
    raise InputError(
        f"kolom {key} ontbreekt", file=file, column=key,
        expected=f"{key} of {key}_N", found=", ".join(frame.columns),
    )


def _subset_lines(csv: CsvText, keep: pd.Series) -> Locator:
    """Locator for the rows of a filtered frame: position in the subset -> line in the file."""
    positions = np.flatnonzero(keep.to_numpy(dtype=bool))
    return lambda pos: csv.line_of(int(positions[pos]))


def read_crime_47018(
    path: str | Path,
    *,
    require_complete: bool = False,
    crime_types: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Registered crime per region and year (Politie 47018NED; 47013NED bulk files work too).

    Returns `region_code, region_level, crime_code, crime_label, year, count` (count Int64),
    sorted. Only yearly rows (`JJ00`) are kept: monthly rows of the same table would double
    count. The region column is `WijkenEnBuurten` or `RegioS`; the level comes from the code
    prefix (`buurt`, `wijk`, `gemeente`, and `land`, `provincie`, ... for the other levels).
    `crime_label` comes from `SoortMisdrijf_label` when cbsodataR wrote it, else from
    `crime_types` (the SoortMisdrijf metadata: `Key`, `Title`), else NA.
    """
    csv = load_csv(path)
    frame = _odata_frame(csv)
    region_col = next((c for c in ("WijkenEnBuurten", "RegioS") if c in frame.columns),
                      "WijkenEnBuurten")
    require_columns(frame, ["SoortMisdrijf", region_col, PERIODS], csv.path)
    count_col = _find_column(frame, "GeregistreerdeMisdrijven", csv.path)
    keep = frame["period_kind"] == "jaar"
    line = _subset_lines(csv, keep)
    frame = frame[keep].reset_index(drop=True)
    out = pd.DataFrame({
        "region_code": frame[region_col],
        "region_level": region_levels(frame[region_col], file=csv.path, line=line),
        "crime_code": frame["SoortMisdrijf"],
        "crime_label": _crime_labels(frame, crime_types),
        "year": frame["year"],
        "count": parse_numbers(frame[count_col], file=csv.path, column=count_col, line=line,
                               required=require_complete, integer=True),
    })
    _check_non_negative(out["count"], csv.path, count_col, line)
    _check_unique(out, ["region_code", "crime_code", "year"], csv.path, line)
    return out.sort_values(["region_code", "crime_code", "year"]).reset_index(drop=True)


def _crime_labels(frame: pd.DataFrame, crime_types: pd.DataFrame | None) -> pd.Series:
    if "SoortMisdrijf_label" in frame.columns:
        return frame["SoortMisdrijf_label"].astype("str")
    if crime_types is not None:
        labels = dict(zip(crime_types["Key"].str.strip(), crime_types["Title"], strict=True))
        return frame["SoortMisdrijf"].map(labels).astype("str")
    return pd.Series(pd.NA, index=frame.index, dtype="str")


def _check_non_negative(values: pd.Series, file: Path, column: str, line: Locator) -> None:
    bad = first_true(values.fillna(0) < 0)
    if bad is not None:
        raise InputError("negatief aantal", file=file, column=column, row=line_at(line, bad),
                         expected="0 of meer", found=values.iloc[bad])


def _check_unique(out: pd.DataFrame, keys: list[str], file: Path, line: Locator) -> None:
    dup = first_true(out.duplicated(keys))
    if dup is not None:
        raise InputError(
            "dubbele rij", file=file, column=", ".join(keys), row=line_at(line, dup),
            found=" / ".join(str(out[k].iloc[dup]) for k in keys),
        )


def read_population_85984(path: str | Path, *, require_complete: bool = False) -> pd.DataFrame:
    """Population per region from Kerncijfers wijken en buurten (85984NED and siblings).

    Accepts the full OData layout (`WijkenEnBuurten`, `Gemeentenaam_1`, `SoortRegio_2`,
    `Codering_3`, `AantalInwoners_5`; suffixes may differ per year) and the derived two-column
    file `nhood_id,population`. Returns `region_code, region_level, population` (Int64; CBS
    suppresses small areas with `.`, read as NA unless `require_complete`), sorted by code.
    """
    csv = load_csv(path)
    frame = _odata_frame(csv)
    if {"nhood_id", "population"} <= set(frame.columns):
        code_col, pop_col = "nhood_id", "population"
    elif "WijkenEnBuurten" in frame.columns:
        code_col = "WijkenEnBuurten"
        pop_col = _find_column(frame, "AantalInwoners", csv.path)
    else:
        raise InputError(
            "onbekende indeling van het bevolkingsbestand", file=csv.path, row=1,
            expected="nhood_id,population of WijkenEnBuurten,...,AantalInwoners_N",
            found=", ".join(frame.columns),
        )
    out = pd.DataFrame({
        "region_code": frame[code_col],
        "region_level": region_levels(frame[code_col], file=csv.path, line=csv.line_of),
        "population": parse_numbers(frame[pop_col], file=csv.path, column=pop_col,
                                    line=csv.line_of, required=require_complete,
                                    integer=True),
    })
    _check_non_negative(out["population"], csv.path, pop_col, csv.line_of)
    _check_unique(out, ["region_code"], csv.path, csv.line_of)
    return out.sort_values("region_code").reset_index(drop=True)


def read_kwb_json(path: str | Path, *, key: str = "AantalInwoners") -> pd.DataFrame:
    """A reduced KWB JSON `{region_code: {"AantalInwoners_5": n, ...}}` ->
    `region_code, region_level, population` (Int64), sorted by code."""
    path = Path(path)
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"ongeldige JSON: {exc.msg}", file=path, row=exc.lineno) from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise InputError("verwacht een JSON-object per regiocode", file=path,
                         expected='{"GM0014": {"AantalInwoners_5": ...}}')
    codes, values, fields = [], [], []
    for code, record in data.items():
        name = next((k for k in record if re.fullmatch(rf"{key}(_\d+)?", k)), None)
        if name is None:
            raise InputError(f"veld {key} ontbreekt", file=path, row=code, column=key,
                             found=", ".join(record))
        codes.append(code.strip())
        values.append(record[name])
        fields.append(f"{code}.{name}")
    out = pd.DataFrame({
        "region_code": pd.Series(codes, dtype="str"),
        "population": parse_numbers(pd.Series(values, dtype="object"), file=path,
                                    column=fields, integer=True),
    })
    out.insert(1, "region_level", region_levels(out["region_code"], file=path))
    return out.sort_values("region_code").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Stacked metadata export
# --------------------------------------------------------------------------------------------


def read_statline_metadata(path: str | Path) -> dict[str, pd.DataFrame]:
    """The stacked metadata export (47013NED style) -> {section name: DataFrame of strings}.

    A section starts with a record whose first field is its name and all others are empty
    (`RegioS;;;;...`), followed by its own header record. Fields are padded with empty trailing
    columns (dropped here), keys are right-padded (trimmed), and quoted descriptions contain
    newlines. pandas cannot read several tables stacked in one file, so records are tokenised
    with the csv module (which handles the quoted newlines) and each section becomes a frame.
    """
    csv = load_csv(path)
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current: list[tuple[int, list[str]]] | None = None
    for line, fields in csv.records:
        if _is_section_start(fields):
            current = sections.setdefault(fields[0].strip(), [])
        elif current is None:
            raise InputError("metadata begint niet met een sectienaam", file=csv.path, row=line,
                             expected="een regel zoals 'TableInfos;;;;'", found=fields[0])
        else:
            current.append((line, fields))
    if not sections:
        raise InputError("geen metadatasecties gevonden", file=csv.path)
    return {name: _section_frame(name, rows, csv.path) for name, rows in sections.items()}


def _is_section_start(fields: list[str]) -> bool:
    return len(fields) > 1 and bool(fields[0].strip()) and not any(f.strip() for f in fields[1:])


def _section_frame(name: str, rows: list[tuple[int, list[str]]], file: Path) -> pd.DataFrame:
    if not rows:
        raise InputError(f"sectie {name} heeft geen kopregel", file=file)
    header = [h.strip() for h in rows[0][1]]
    width = max((i + 1 for i, h in enumerate(header) if h), default=0)
    body = [(fields + [""] * width)[:width] for _, fields in rows[1:]]
    frame = pd.DataFrame(body, columns=header[:width], dtype="str")
    return strip_strings(frame)


def region_codes_by_name(
    metadata: Mapping[str, pd.DataFrame] | pd.DataFrame, prefixes: Iterable[str] = ("GM",)
) -> dict[str, str]:
    """Map StatLine region names (`Groningen (gemeente)`, `'s-Hertogenbosch`) to codes (`GM0014`).

    `metadata` is the dict from `read_statline_metadata` (section `RegioS`) or a region frame
    with `Key` and `Title` (e.g. the 47018NED WijkenEnBuurten file). Only codes starting with one
    of `prefixes` are used; a name that occurs twice among them is an error, never a guess.
    """
    frame = metadata["RegioS"] if isinstance(metadata, Mapping) else metadata
    require_columns(frame, ["Key", "Title"], None)
    keys = frame["Key"].str.strip()
    chosen = frame.assign(Key=keys)[keys.str.startswith(tuple(prefixes))]
    dup = first_true(chosen["Title"].duplicated(keep=False))
    if dup is not None:
        name = chosen["Title"].iloc[dup]
        codes = ", ".join(chosen.loc[chosen["Title"] == name, "Key"])
        raise InputError("regionaam is niet eenduidig", column="Title", found=f"{name}: {codes}")
    return dict(sorted(zip(chosen["Title"], chosen["Key"], strict=True)))
