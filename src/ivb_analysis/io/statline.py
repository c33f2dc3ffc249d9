"""Readers for CBS/Politie StatLine exports: human CSV downloads, bulk/OData tables, metadata.

This module reads the human downloads; `odata` the bulk tables and the metadata, `periods` the
shared period keys and region codes. Every reader is importable from here.

`read_statline_export` reads the "download as CSV" files people get from StatLine, in the three
layouts seen in practice (see the function), into a tidy, sorted `region_name, [dims], topic,
unit, period, value`. The bulk/OData readers and the metadata reader are described in `odata`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.io.odata import (  # noqa: F401 (one place to import every StatLine reader)
    read_crime_47018,
    read_kwb_json,
    read_odata_csv,
    read_population_85984,
    read_statline_metadata,
    region_codes_by_name,
)
from ivb_analysis.io.periods import (  # noqa: F401 (re-exported)
    PERIOD_KINDS,
    PERIODS,
    REGION_LEVELS,
    parse_period_keys,
    parse_year_labels,
    region_levels,
)
from ivb_analysis.io.text import (
    CsvText,
    first_true,
    load_csv,
    parse_numbers,
    require_columns,
    snake_case,
)

REGION = "Regio's"
TOPIC = "Onderwerp"
_UNIT_HEADER = re.compile(r"^(?P<path>.*?)\s*\((?P<unit>[^()]*)\)\s*$")


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
