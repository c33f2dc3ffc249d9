"""Tidy numbers -> tables for readers: Dutch headers and number format (7,4; 23%; 1.234).

A table of the annex is an `AnnexTable`: a tidy, numeric frame (written as CSV for machines) plus
the columns a reader sees, each with a Dutch header and a number format. The same column specs
drive the formatted workbook (`export.write_workbook`), the annex HTML and the notebooks
(`AnnexTable.for_display`), so a number looks the same everywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import pandas as pd
from pandas.io.formats.style import Styler

from ivb_analysis.suppression import REST_COLUMNS

SUPPRESSED = "–"  # shown instead of an estimate for a domain below min_n
MINUS = "−"  # typographic minus sign
#: Digits of a float taken as its decimal value before rounding (noise of x100 lies beyond).
SIGNIFICANT_DIGITS = 12

#: How a column is written for readers (and which Excel number format it gets).
#: `value` follows the row's `kind` column: percentages as "23%", cijfers and scores as "7,4".
Format = Literal["text", "integer", "decimal1", "decimal2", "percent", "value", "change",
                 "pvalue", "year"]

#: Excel number formats. Percentages are stored as fractions (0.191) with a percent format, so
#: Excel shows 19,1% in a Dutch Excel and 19.1% in an English one; differences of percentages
#: are procentpunten (a number with a label, not a percentage). p-values are text (below).
EXCEL_FORMATS: dict[str, str] = {
    "text": "@",
    "integer": "#,##0",
    "decimal1": "#,##0.0",
    "decimal2": "#,##0.00",
    "percent": "0%",
    "percent1": "0.0%",
    "change_percent": '+0.0" %-punt";-0.0" %-punt";0.0" %-punt"',
    "change": "+0.0;-0.0;0.0",
    "pvalue": "@",
    "year": "0",
}


def dutch_number(value: float | None, decimals: int = 1, *, grouping: bool = True) -> str:
    """7.44 -> '7,4'; 1234.5 -> '1.234,5'; NaN -> ''.

    Rounds half away from zero on the decimal value, not on the binary float: the float is
    first read with 12 significant digits (so 2.675 becomes 2,68 and 0.0725 x 100, stored as
    7.249999999999999, becomes 7,3, as published), then rounded half up. A result that rounds to
    zero carries no minus sign.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, float | int) and pd.isna(value):
        return ""
    exact = Decimal(f"{float(value):.{SIGNIFICANT_DIGITS}g}")  # the decimal value meant
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    text = f"{abs(rounded):,.{decimals}f}" if grouping else f"{abs(rounded):.{decimals}f}"
    text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return f"{MINUS}{text}" if rounded < 0 else text


def dutch_percent(value: float | None, decimals: int = 0) -> str:
    """23.4 -> '23%' (the value is already x100); NaN -> ''."""
    text = dutch_number(value, decimals)
    return f"{text}%" if text else ""


def format_value(value: float, kind: str) -> str:
    """An estimate in its unit: percentages as '23%' (below 10% with one decimal: '4,6%', so
    small shares keep two digits), scores and cijfers with one decimal ('7,4')."""
    if kind == "percentage":
        return dutch_percent(value, 1 if abs(value) < 9.95 else 0)
    return dutch_number(value, 1)


def value_decimals(value: float, kind: str) -> int:
    """The decimals `format_value` shows: percentages 0 (below 10%: 1), everything else 1."""
    if kind == "percentage":
        return 1 if abs(value) < 9.95 else 0
    return 1


def format_value_at(value: float, kind: str, decimals: int) -> str:
    """An estimate in its unit with a given number of decimals ('7,36', '23,4%')."""
    if kind == "percentage":
        return dutch_percent(value, decimals)
    return dutch_number(value, decimals)


MAX_EXTRA_DECIMALS = 2
#: Verdicts of a test that found a difference.
DIFFERENCES = frozenset({"beter", "slechter", "hoger", "lager"})


def decimals_apart(value: float, other: float, kind: str) -> int | None:
    """The decimals at which two estimates that a test found different no longer look equal:
    None when the usual ones (`value_decimals`) already differ, or when even
    MAX_EXTRA_DECIMALS more do not."""
    if any(pd.isna(v) for v in (value, other)):
        return None
    base = max(value_decimals(value, kind), value_decimals(other, kind))
    if format_value_at(value, kind, base) != format_value_at(other, kind, base):
        return None
    for decimals in range(base + 1, base + MAX_EXTRA_DECIMALS + 1):
        if format_value_at(value, kind, decimals) != format_value_at(other, kind, decimals):
            return decimals
    return None


def format_values_apart(
    value: float, other: float, kind: str, *, differ: bool = True,
) -> tuple[str, str]:
    """Two estimates compared in a test, formatted so that a significant difference shows.

    With `differ` (the test found a difference) both get the fewest decimals, from the usual
    ones (`value_decimals`) up to MAX_EXTRA_DECIMALS more, at which they no longer look equal:
    5,36 against 5,4 (shown 5,4 vs 5,4, "beter") becomes 5,36 vs 5,42. Without it, or when they
    still look equal, the usual format. The same decimals for both, so they read alike.
    """
    decimals = decimals_apart(value, other, kind) if differ else None
    if decimals is None:
        return (format_value(value, kind) if not pd.isna(value) else "",
                format_value(other, kind) if not pd.isna(other) else "")
    return format_value_at(value, kind, decimals), format_value_at(other, kind, decimals)


def excel_value_format(kind: str, decimals: int) -> str:
    """The Excel number format of an estimate shown with `decimals` decimals (percentages:
    the value stored as a fraction, `excel_value`)."""
    digits = "0." + "0" * decimals if decimals else "0"
    return f"{digits}%" if kind == "percentage" else f"#,##{digits}"


def format_change(value: float, kind: str) -> str:
    """A difference: percentages in procentpunten ('−1,2 %-punt'), else '+0,3'."""
    text = dutch_number(value, 1)
    if not text:
        return ""
    if not text.startswith(MINUS) and text.strip("0,") != "":
        text = f"+{text}"
    return f"{text} %-punt" if kind == "percentage" else text


def format_interval(low: float, high: float, kind: str) -> str:
    """'7,2 – 7,6' (or '21% – 25%'); empty when a bound is missing."""
    if any(pd.isna(v) for v in (low, high)):
        return ""
    return f"{format_value(low, kind)} – {format_value(high, kind)}"


def format_cell(value: object, fmt: Format, kind: str | None = None) -> str:
    """One cell in its reader's format (missing -> '')."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if fmt == "text":
        return str(value)
    if fmt == "year":
        return str(int(value))  # type: ignore[call-overload]
    number = float(value)  # type: ignore[arg-type]
    if fmt == "integer":
        return dutch_number(number, 0)
    if fmt == "decimal1":
        return dutch_number(number, 1)
    if fmt == "decimal2":
        return dutch_number(number, 2)
    if fmt == "percent":
        return dutch_percent(number)
    if fmt == "pvalue":
        return "< 0,001" if number < 0.001 else dutch_number(number, 3)
    if fmt == "change":
        return format_change(number, kind or "")
    return format_value(number, kind or "")


def is_percentage(fmt: Format, kind: str | None) -> bool:
    """Whether a cell holds a percentage (0-100 in the tidy data, a fraction in Excel)."""
    return fmt == "percent" or (fmt == "value" and kind == "percentage")


def excel_value(value: object, fmt: Format, kind: str | None) -> object:
    """What the workbook stores for a number: percentages as fractions (23.4 -> 0.234, shown
    23% by the percent format), p-values as the annex's text ('< 0,001', '0,023'; one rule in
    every Excel language), everything else as it is."""
    if value is None or isinstance(value, str):
        return value
    if fmt == "pvalue":
        return format_cell(value, "pvalue")
    if is_percentage(fmt, kind) and isinstance(value, float | int):
        return float(Decimal(f"{float(value):.{SIGNIFICANT_DIGITS}g}") / 100)
    return value


def excel_format(fmt: Format, kind: str | None, value: object) -> str | None:
    """The Excel number format of one cell (None: leave it as text). `value` is the tidy
    value (percentages 0-100)."""
    if fmt == "text":
        return None
    if fmt == "value":
        if kind != "percentage":
            return EXCEL_FORMATS["decimal1"]
        small = isinstance(value, float | int) and abs(value) < 9.95
        return EXCEL_FORMATS["percent1" if small else "percent"]
    if fmt == "change":
        return EXCEL_FORMATS["change_percent" if kind == "percentage" else "change"]
    return EXCEL_FORMATS[fmt]


@dataclass(frozen=True)
class Column:
    """A column as readers see it: the tidy column, its Dutch header, format and width."""

    name: str
    header: str
    format: Format = "text"
    width: float = 14.0
    nowrap: bool = False  # keep short texts such as '2012–2015' on one line
    # (other column, verdict column): where the verdict is a difference, this value and the other
    # get the decimals that make the difference visible (5,42 vs 5,36, not 5,4 vs 5,4 "beter")
    apart_from: tuple[str, str] | None = None


@dataclass(frozen=True)
class AnnexTable:
    """One table of the annex: tidy numbers for machines, `columns` for readers.

    `data` holds only aggregates (no respondent-level record, no row below min_n). `kind`
    (rapportcijfer / schaalscore / percentage) must be a column of `data` when a column has the
    format `value`.
    """

    key: str
    title: str
    data: pd.DataFrame
    columns: tuple[Column, ...]
    note: str = ""
    source: str = ""
    number: int | None = field(default=None, compare=False)
    #: The frame readers see when it differs in shape from `data` (e.g. one column per year);
    #: `columns` then refer to it. The CSV always holds the tidy `data`.
    reader_data: pd.DataFrame | None = field(default=None, compare=False)
    #: Column of `shown` whose values identify rows (anchors `row_anchor(key, value)` in HTML,
    #: so key findings can link to the row they come from).
    row_key: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        frame = self.shown
        if len(frame):  # no empty "Rest gemeente" beside a hidden wijk (suppression.py)
            object.__setattr__(self, "columns", tuple(
                c for c in self.columns if not (
                    c.name in REST_COLUMNS and c.name in frame.columns
                    and frame[c.name].isna().all())))
        missing = [c.name for c in self.columns if c.name not in frame.columns]
        if missing:
            raise ValueError(f"tabel {self.key}: kolommen ontbreken in de gegevens: {missing}")
        if any(c.format in ("value", "change") for c in self.columns) \
                and "kind" not in frame.columns:
            raise ValueError(f"tabel {self.key}: format 'value' vraagt een kolom 'kind'")

    @property
    def shown(self) -> pd.DataFrame:
        """The frame behind the reader's version (and the workbook)."""
        return self.data if self.reader_data is None else self.reader_data

    @property
    def caption(self) -> str:
        """'Tabel 3. Title' once numbered, else the title."""
        return f"Tabel {self.number}. {self.title}" if self.number else self.title

    def for_readers(self) -> pd.DataFrame:
        """The reader's version: Dutch headers, every cell a formatted string."""
        frame = self.shown
        kinds = frame["kind"].tolist() if "kind" in frame.columns else [None] * len(frame)
        out = {}
        for column in self.columns:
            values = frame[column.name].tolist()
            out[column.header] = [format_cell(v, column.format, k)
                                  for v, k in zip(values, kinds, strict=True)]
        headers = {c.name: c.header for c in self.columns}
        for (row, name), decimals in self.apart_decimals().items():
            out[headers[name]][row] = format_value_at(frame[name].iloc[row], kinds[row], decimals)
        return pd.DataFrame(out, columns=[c.header for c in self.columns])

    def apart_decimals(self) -> dict[tuple[int, str], int]:
        """(row of `shown`, column) -> decimals, for the pairs of estimates (`Column.apart_from`)
        that a test found different but that look equal at the usual decimals; a value in
        several pairs gets the most decimals any of them needs. The reader's table and the
        workbook show these cells alike."""
        frame = self.shown
        if "kind" not in frame.columns:
            return {}
        out: dict[tuple[int, str], int] = {}
        for column in self.columns:
            if column.apart_from is None:
                continue
            other, verdict = column.apart_from
            for row, (v, w, said, k) in enumerate(zip(
                    frame[column.name], frame[other], frame[verdict], frame["kind"],
                    strict=True)):
                decimals = decimals_apart(v, w, k) if said in DIFFERENCES else None
                if decimals is not None:
                    for name in (column.name, other):
                        out[row, name] = max(decimals, out.get((row, name), 0))
        return out

    def for_display(self) -> Styler:
        """The reader's version as a Styler (notebooks and the annex HTML show the same)."""
        numeric = [c.header for c in self.columns if c.format != "text"]
        styler = for_display(self.for_readers(), key=self.key, right=numeric)
        nowrap = [c.header for c in self.columns if c.format != "text" or c.nowrap]
        if nowrap:
            styler = styler.set_properties(subset=nowrap, **{"white-space": "nowrap"})
        return styler

    def row_anchors(self) -> list[str] | None:
        """The HTML id of every row (None without `row_key`)."""
        if self.row_key is None:
            return None
        return [row_anchor(self.key, v) for v in self.shown[self.row_key].tolist()]

    def to_html(self) -> str:
        """The table as escaped HTML (every cell and header from `escaped_html`), each body row
        carrying its anchor when the table has a `row_key`."""
        return escaped_html(self.for_display(), self.row_anchors())


def estimates_for_readers(estimates: pd.DataFrame, domain: str | None = None) -> pd.DataFrame:
    """Reader's table of tidy estimates: indicator, (domain,) value, 95% interval, n, remarks."""
    rows = []
    for row in estimates.itertuples(index=False):
        if row.suppressed:
            value, interval, note = SUPPRESSED, "", "te weinig respondenten (niet getoond)"
        else:
            value = format_value(row.estimate, row.kind)
            interval = format_interval(row.ci_low, row.ci_high, row.kind)
            note = remark(bool(row.indicatief), bool(row.unreliable))
        record = {"Indicator": row.label}
        if domain is not None:
            record["Gebied"] = getattr(row, domain)
        record.update({"Waarde": value, "95%-interval": interval, "Eenheid": row.unit,
                       "n": int(row.n), "Opmerking": note})
        rows.append(record)
    return pd.DataFrame(rows)


def remark(indicatief: bool, unreliable: bool) -> str:
    """The reader's remark on an estimate that is shown."""
    if indicatief:
        return "indicatief"
    return "onbetrouwbaar" if unreliable else ""


def row_anchor(table_key: str, value: object) -> str:
    """The HTML id of a table row: 'rij-kerncijfers-sociale_overlast' (only [A-Za-z0-9_-])."""
    text = re.sub(r"[^A-Za-z0-9_-]+", "_", str(value)).strip("_") or "leeg"
    return f"rij-{table_key}-{text}"


def for_display(table: pd.DataFrame, key: str = "t", right: Sequence[str] = ()) -> Styler:
    """A reader's table as HTML: no index, text left, numbers right, fixed ids (same bytes).

    Every cell and column header is HTML-escaped (`escape="html"`): what a delivery names (a
    wijk, a gemeente) is data, never markup, in notebooks and in the annex alike.
    """
    styler = Styler(table, uuid=key, cell_ids=False).hide(axis="index")
    styler = styler.format(escape="html").format_index(escape="html", axis=1)
    right = [c for c in right if c in table.columns]
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
    right = list(dict.fromkeys([*right, *numeric]))
    text = [c for c in table.columns if c not in right]
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    if right:
        styler = styler.set_properties(subset=right, **{"text-align": "right"})
    return styler


_BODY_ROW = re.compile(r"<tr>")


def escaped_html(styler: Styler, anchors: Sequence[str] | None = None) -> str:
    """A Styler's HTML (escaped by `for_display`), body rows given the ids in `anchors`."""
    text = styler.to_html()
    if not anchors:
        return text
    head, sep, body = text.partition("<tbody>")
    if not sep:
        return text
    ids = iter(anchors)

    def with_id(match: re.Match[str]) -> str:
        anchor = next(ids, None)
        return f'<tr id="{anchor}">' if anchor else match.group(0)

    return head + sep + _BODY_ROW.sub(with_id, body)
