"""Readers for CBS/Politie StatLine exports: human CSV downloads, bulk/OData tables, metadata.

Three families, all returning tidy, sorted DataFrames:

* `read_statline_export`: the "download as CSV" files people get from StatLine, in the three
  layouts seen in practice (see the function). Output: `region_name, [dims], topic, unit, period,
  value`.
* `read_odata_csv` and the table readers built on it (`read_crime_47018`,
  `read_population_85984`) for the bulk/OData/cbsodataR layout with padded keys and `2023JJ00`
  periods; `read_kwb_json` for a reduced JSON of Kerncijfers wijken en buurten.
* `read_statline_metadata` for the stacked metadata export (TableInfos, DataProperties, one
  section per dimension) and `region_codes_by_name` to join name-only exports to GM codes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.io.text import (
    CsvText,
    Locator,
    first_true,
    line_at,
    load_csv,
    parse_numbers,
    read_text,
    require_columns,
    snake_case,
    strip_strings,
)

REGION = "Regio's"
PERIODS = "Perioden"
TOPIC = "Onderwerp"
_UNIT_HEADER = re.compile(r"^(?P<path>.*?)\s*\((?P<unit>[^()]*)\)\s*$")
_YEAR_LABEL = re.compile(r"(\d{4})\**")
_PERIOD_KEY = re.compile(r"(\d{4})(?:(JJ|KW|MM)(\d{2}))?\**")
PERIOD_KINDS = {"JJ": "jaar", "KW": "kwartaal", "MM": "maand"}
REGION_LEVELS = {
    "BU": "buurt",
    "WK": "wijk",
    "GM": "gemeente",
    "PV": "provincie",
    "RE": "regionale eenheid",
    "LD": "landsdeel",
    "NL": "land",
}
_SUFFIX = re.compile(r"^(?P<key>.+?)_\d+$")


# --------------------------------------------------------------------------------------------
# Periods and region codes
# --------------------------------------------------------------------------------------------


def parse_year_labels(
    labels: Sequence[str], *, file: str | Path | None, row: int | None = None
) -> list[int]:
    """StatLine period labels (`2023`, provisional `2023*`) -> years; anything else is an error.

    Monthly or quarterly labels (`2025 januari*`) are rejected: these readers produce yearly data.
    """
    years = []
    for label in labels:
        match = _YEAR_LABEL.fullmatch(label.strip())
        if match is None:
            raise InputError(
                "periode is geen jaartal", file=file, column=PERIODS, row=row,
                expected="een jaar zoals 2023 (voorlopig: 2023*)", found=label,
            )
        years.append(int(match.group(1)))
    return years


def parse_period_keys(
    keys: pd.Series, *, file: str | Path | None, line: Locator | None = None
) -> pd.DataFrame:
    """OData period keys (`2023JJ00`, `2025MM01`, `2024KW02`; a bare `2023` is a year) ->
    `year` (Int64) and `period_kind` (`jaar`, `kwartaal`, `maand`)."""
    codes, uniques = pd.factorize(keys.str.strip())  # few distinct periods: parse each once
    parsed = [_PERIOD_KEY.fullmatch(u) for u in uniques]
    unparsed = np.array([m is None for m in parsed] + [True])  # index -1 = NA key
    bad = first_true(pd.Series(unparsed[codes]))
    if bad is not None:
        raise InputError(
            "onbekende periodecode", file=file, column=PERIODS, row=line_at(line, bad),
            expected="jjjjJJ00, jjjjKWnn of jjjjMMnn", found=keys.iloc[bad],
        )
    years = np.array([int(m.group(1)) for m in parsed], dtype="int64")
    kinds = np.array([PERIOD_KINDS[m.group(2) or "JJ"] for m in parsed], dtype=object)
    return pd.DataFrame({
        "year": pd.array(years[codes], dtype="Int64"),
        "period_kind": pd.array(kinds[codes], dtype="str"),
    }, index=keys.index)


def region_levels(
    codes: pd.Series, *, file: str | Path | None = None, line: Locator | None = None
) -> pd.Series:
    """Region level from the code prefix (`BU` buurt, `WK` wijk, `GM` gemeente, ...).

    Robust where `SoortRegio` is blank: 47018NED leaves it as spaces for buurten without crimes.
    """
    levels = codes.str[:2].map(REGION_LEVELS)
    bad = first_true(levels.isna())
    if bad is not None:
        raise InputError(
            "onbekende regiocode", file=file, row=line_at(line, bad),
            expected="een code die begint met " + "/".join(REGION_LEVELS),
            found=codes.iloc[bad],
        )
    return levels.astype("str")


# --------------------------------------------------------------------------------------------
# Human StatLine export ("download as CSV")
# --------------------------------------------------------------------------------------------


def read_statline_export(path: str | Path, *, require_complete: bool = False) -> pd.DataFrame:
    """Read a StatLine "download as CSV" export into `region_name, [dims], topic, unit, period,
    value` (value float, NaN for the CBS missing markers; `require_complete` makes them errors).

    Layouts (detected from the header):
    * columns per topic and period (47013NED style): title and filter lines, then header rows
      `"Onderwerp";...`, `"Perioden";...`, `"Regio's";<units>`, data rows, footer `"Bron: ..."`.
    * rows per topic (37230ned style): `"";"";"";"Perioden"` above
      `"Regio's";"Onderwerp";"";<periods>`: topic and unit are columns, periods are columns.
    * flat (2019 style): no title block; dimension columns (`Marges`, `Perioden`, `Regio's`, ...)
      then one column per topic headed `path/of/topic  (unit)`; numbers unquoted.

    Filter lines (`Soort misdrijf: Totaal misdrijven`) become constant columns (`soort_misdrijf`),
    so an export filtered on a dimension and one with that dimension as a column line up.
    The header block varies in depth per export, which read_csv's header options cannot express,
    so the first two layouts are tokenised with the csv module and reshaped with pandas; the flat
    layout is a regular table and goes through read_csv.
    """
    csv = load_csv(path)
    first = {f.strip() for f in csv.records[0][1]}
    if {REGION, PERIODS} <= first:
        tidy = _read_flat_export(csv, require_complete)
    else:
        tidy = _read_block_export(csv, require_complete)
    return _finish_tidy(tidy, csv.path)


def _read_block_export(csv: CsvText, require_complete: bool) -> pd.DataFrame:
    """Title block + header rows + data rows + footer (47013NED and 37230ned styles)."""
    records = csv.records
    filters = _title_filters(records, csv.path)
    head = next((i for i, (_, f) in enumerate(records) if len(f) > 1), None)
    region_row = next(
        (i for i, (_, f) in enumerate(records) if len(f) > 1 and f[0].strip() == REGION), None
    )
    if head is None or region_row is None:
        raise InputError(
            f"kopregel \"{REGION}\" niet gevonden; is dit een StatLine-export per regio, "
            "of is het bestand afgekapt?",
            file=csv.path, row=records[-1][0], expected=f"een kopregel die begint met {REGION!r}",
        )
    data = _data_records(csv, region_row)
    fields = records[region_row][1]
    if len(fields) > 1 and fields[1].strip() == TOPIC:
        wide = _rows_per_topic(csv, region_row, data)
    else:
        wide = _columns_per_topic(csv, head, region_row, data)
    for name, value in filters.items():
        if name not in wide.columns:  # a dimension shown in the table wins over a filter line
            wide[name] = value
    return _values(wide, csv.path, require_complete)


def _title_filters(records: list[tuple[int, list[str]]], file: Path) -> dict[str, str]:
    """Filter lines of the title block (`Label: value`) as {snake_case(label): value}.

    The first line is the table title and is not a filter.
    """
    filters: dict[str, str] = {}
    for _, fields in records[1:]:
        if len(fields) > 1:
            break
        label, sep, value = fields[0].partition(":")
        if sep and label.strip() and value.strip():
            filters[_dim_name(label)] = value.strip()
    return filters


def _data_records(csv: CsvText, region_row: int) -> list[tuple[int, list[str]]]:
    """Records after the header row with the header's width; single-field records are footer.

    Raises when there are none (an export truncated before its data) or a row has the wrong
    number of fields.
    """
    header_line, header = csv.records[region_row]
    width = len(header)
    data = []
    for line, fields in csv.records[region_row + 1:]:
        if len(fields) == 1:
            continue  # footer such as "Bron: CBS" or a footnote
        if len(fields) != width:
            raise InputError(
                "verkeerd aantal velden in gegevensrij", file=csv.path, row=line,
                expected=f"{width} velden zoals de kopregel", found=len(fields),
            )
        data.append((line, fields))
    if not data:
        raise InputError(
            "geen gegevensrijen na de kopregels; is het bestand afgekapt?",
            file=csv.path, row=header_line + 1, expected="rijen met een regio en waarden",
        )
    return data


def _columns_per_topic(
    csv: CsvText, head: int, region_row: int, data: list[tuple[int, list[str]]]
) -> pd.DataFrame:
    """47013NED style: header rows label their dimension in column 0, the units row is Regio's."""
    columns: dict[str, list[str]] = {}
    header_lines: dict[str, int] = {}
    for line, fields in csv.records[head:region_row]:
        if len(fields) != len(csv.records[region_row][1]):
            raise InputError(
                "kopregels hebben ongelijke lengte", file=csv.path, row=line,
                expected=f"{len(csv.records[region_row][1])} velden", found=len(fields),
            )
        columns[_dim_name(fields[0])] = [f.strip() for f in fields[1:]]
        header_lines[_dim_name(fields[0])] = line
    if "period" not in columns:
        raise InputError(
            f"kopregel {PERIODS!r} ontbreekt", file=csv.path, row=csv.records[region_row][0],
            expected=f"een kopregel die begint met {PERIODS!r}",
        )
    columns["unit"] = [f.strip() for f in csv.records[region_row][1][1:]]
    n_values = len(columns["unit"])
    lines = np.repeat([line for line, _ in data], n_values)
    wide = pd.DataFrame({
        "region_name": np.repeat([f[0].strip() for _, f in data], n_values),
        "_text": [v for _, f in data for v in f[1:]],
        "_line": lines,
    })
    for name, cells in columns.items():
        wide[name] = np.tile(cells, len(data))
    header_labels = [" ".join(c for c in col if c) for col in zip(
        *(cells for name, cells in columns.items() if name != "unit"), strict=True)]
    wide["_column"] = np.tile(header_labels, len(data))
    return _years(wide, csv, header_lines["period"])


def _rows_per_topic(
    csv: CsvText, region_row: int, data: list[tuple[int, list[str]]]
) -> pd.DataFrame:
    """37230ned style: `Perioden` stands above the first value column; the header row below
    holds the row-dimension names (Regio's, Onderwerp, "" = unit) and the period labels."""
    header_line, header = csv.records[region_row]
    above = csv.records[region_row - 1][1] if region_row > 0 else []
    first = next((i for i, f in enumerate(above) if f.strip() == PERIODS), None)
    if first is None:
        raise InputError(
            f"kopregel met {PERIODS!r} boven de waardenkolommen ontbreekt", file=csv.path,
            row=header_line - 1, expected=f'"";"";"";"{PERIODS}"',
        )
    row_dims = [_dim_name(name) if name.strip() else "unit" for name in header[:first]]
    periods = [p.strip() for p in header[first:]]
    frame = pd.DataFrame([f for _, f in data], dtype="str")
    frame.columns = [*row_dims, *periods]
    frame["_line"] = [line for line, _ in data]
    wide = frame.melt(id_vars=[*row_dims, "_line"], var_name="period", value_name="_text")
    wide["_column"] = wide["period"]
    for name in row_dims:
        wide[name] = wide[name].str.strip()
    return _years(wide, csv, header_line)


def _read_flat_export(csv: CsvText, require_complete: bool) -> pd.DataFrame:
    """2019 style: a regular table; topic columns are those whose header ends in `(unit)`."""
    frame = csv.frame()
    csv.check_widths()
    topics = [c for c in frame.columns if _UNIT_HEADER.match(c)]
    dims = [c for c in frame.columns if c not in topics]
    if not topics or REGION not in dims or PERIODS not in dims:
        raise InputError(
            "onbekende StatLine-indeling", file=csv.path, row=1,
            expected=f"kolommen {REGION!r}, {PERIODS!r} en onderwerpen met '(eenheid)'",
            found=", ".join(frame.columns),
        )
    frame["_line"] = [csv.line_of(i) for i in range(len(frame))]
    wide = frame.melt(id_vars=[*dims, "_line"], value_vars=topics, var_name="_column",
                      value_name="_text")
    names = _topic_names(topics)
    wide["topic"] = wide["_column"].map({c: names[c][0] for c in topics})
    wide["unit"] = wide["_column"].map({c: names[c][1] for c in topics})
    wide = wide.rename(columns={d: _dim_name(d) for d in dims})
    return _values(_years(wide, csv), csv.path, require_complete)


def _topic_names(headers: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Topic headers -> (leaf topic, unit), e.g. `(On)veiligheidsbeleving /Buurt/.../Rapportcijfer
    veiligheid in buurt  (rapportcijfer)` -> (`Rapportcijfer veiligheid in buurt`,
    `rapportcijfer`). The whole path is the topic only where two leaves coincide."""
    parts = {}
    for header in headers:
        match = _UNIT_HEADER.match(header)
        path = [" ".join(p.split()) for p in match.group("path").split("/")]
        parts[header] = (path, match.group("unit").strip())
    leaves = [path[-1] for path, _ in parts.values()]
    return {
        header: (path[-1] if leaves.count(path[-1]) == 1 else " / ".join(path), unit)
        for header, (path, unit) in parts.items()
    }


def _dim_name(label: str) -> str:
    """Column name for a StatLine dimension label."""
    special = {REGION: "region_name", PERIODS: "period", TOPIC: "topic"}
    label = label.strip()
    return special.get(label, snake_case(label))


def _years(wide: pd.DataFrame, csv: CsvText, header_line: int | None = None) -> pd.DataFrame:
    """Replace period labels by int years, parsing each distinct label once.

    A bad label is reported on `header_line` (where the periods are column headers) or else on
    the first line whose data carries it.
    """
    years = {}
    for label in wide["period"].astype("str").unique():
        row = header_line
        if row is None:
            row = int(wide.loc[wide["period"] == label, "_line"].iloc[0])
        years[label] = parse_year_labels([label], file=csv.path, row=row)[0]
    out = wide.copy()
    out["period"] = out["period"].map(years).astype("int64")
    return out


def _values(wide: pd.DataFrame, file: Path, require_complete: bool) -> pd.DataFrame:
    """Parse `_text` into `value` with column/line for messages; drop the helper columns."""
    out = wide.reset_index(drop=True)
    out["value"] = parse_numbers(
        out["_text"], file=file, column=out["_column"].tolist(), line=out["_line"].tolist(),
        required=require_complete,
    )
    return out.drop(columns=["_text", "_column"])


def _finish_tidy(tidy: pd.DataFrame, file: Path) -> pd.DataFrame:
    """Order columns and rows; reject duplicate cells (same region, dims, topic and period)."""
    extra = [c for c in tidy.columns
             if c not in {"region_name", "topic", "unit", "period", "value", "_line"}]
    if "unit" not in tidy.columns:
        tidy = tidy.assign(unit=pd.NA)
    keys = ["region_name", *extra, "topic", "period"]
    require_columns(tidy, keys, file)
    dup = first_true(tidy.duplicated(keys))
    if dup is not None:
        raise InputError(
            "dubbele cel (zelfde regio, onderwerp en periode)", file=file,
            row=int(tidy["_line"].iloc[dup]), found=tidy["region_name"].iloc[dup],
        )
    out = tidy[[*keys[:-1], "unit", "period", "value"]].astype(
        {c: "str" for c in [*keys[:-1], "unit"]})
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def statline_by_code(
    tidy: pd.DataFrame, codes: Mapping[str, str], value_name: str = "value"
) -> pd.DataFrame:
    """A single-topic tidy export as `region_code, region_name, year, <value_name>`.

    Only regions whose name is in `codes` are kept (e.g. gemeenten; `Nederland` and police units
    fall away). Members that are absent surface later in `police.group_rate` as missing.
    """
    topics = tidy["topic"].unique()
    if len(topics) != 1:
        raise InputError(
            "verwacht precies één onderwerp", column="topic", found=", ".join(map(str, topics))
        )
    out = tidy.assign(region_code=tidy["region_name"].map(dict(codes)))
    out = out[out["region_code"].notna()]
    out = out.rename(columns={"period": "year", "value": value_name})
    dup = first_true(out.duplicated(["region_code", "year"]))
    if dup is not None:
        raise InputError(
            "meerdere waarden per regio en jaar; selecteer eerst één waarde per dimensie",
            column=", ".join(c for c in tidy.columns if c not in {"value", "period"}),
            found=f"{out['region_name'].iloc[dup]} {out['year'].iloc[dup]}",
        )
    out = out[["region_code", "region_name", "year", value_name]]
    return out.sort_values(["region_code", "year"]).reset_index(drop=True)


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
