"""What a slide of the deck is made of, and how a slide reads a value from an annex table.

Slides never compute a number: every value is a cell of an `AnnexTable` as the annex shows it
(`AnnexTable.for_readers`, the same format and decimals), or a sentence of a section's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from ivb_analysis.annex.model import FigureItem
from ivb_analysis.tables import AnnexTable, format_cell, format_interval, format_value

Kind = Literal["titel", "tekst", "kolommen", "figuur", "tabel"]


@dataclass
class Block:
    """A text column: an optional heading ("Positief", "Maar") and its lines (bullets)."""

    heading: str | None
    lines: list[str]


@dataclass
class Slide:
    """One slide: one message in its title; text columns, a table or a figure; speaker notes
    with the exact values, intervals, tests and the source line."""

    title: str
    kind: Kind
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)
    #: Table slides: the header row, then the body rows (every cell a reader's string).
    table: list[list[str]] = field(default_factory=list)
    #: Per body cell the verdict word it shows (colours the cell), or None.
    verdicts: list[list[str | None]] = field(default_factory=list)
    figure: FigureItem | None = None
    notes: list[str] = field(default_factory=list)
    #: Key of the annex section the slide comes from ("" for title and method).
    section: str = ""
    #: Table slides: the key of the section's table the rows are cells of ("" for the first).
    table_key: str = ""


class Cells:
    """An annex table as its reader sees it, addressed by row key and tidy column name."""

    def __init__(self, table: AnnexTable) -> None:
        self.table = table
        self.frame = table.for_readers()
        self.shown = table.shown.reset_index(drop=True)
        self.headers = {c.name: c.header for c in table.columns}

    def __len__(self) -> int:
        return len(self.frame)

    def has(self, column: str) -> bool:
        return column in self.headers

    def header(self, column: str) -> str:
        return self.headers[column]

    def cell(self, row: int, column: str) -> str:
        """The reader's cell of row `row` (position) in tidy column `column`."""
        return str(self.frame[self.headers[column]].iloc[row])

    def raw(self, row: int, column: str) -> object:
        """The tidy value behind a row (for choosing rows, never shown)."""
        return self.shown[column].iloc[row]

    def rows(self, column: str | None = None, values: list[str] | None = None) -> list[int]:
        """Row positions, all or those whose tidy `column` is in `values` (in table order)."""
        if column is None or values is None:
            return list(range(len(self)))
        return [k for k in range(len(self)) if self.shown[column].iloc[k] in values]

    def row_of(self, column: str, value: object) -> int | None:
        hits = [k for k in range(len(self)) if self.shown[column].iloc[k] == value]
        return hits[0] if hits else None


def estimate_note(cells: Cells, row: int, label_column: str = "label") -> str:
    """'Label: 7,4 (95%-interval 7,3 – 7,6; n = 1.234); t.o.v. 2013 7,2, beter (p = 0,004)':
    the exact values, interval, n and tests of one row of an estimates table."""
    shown = cells.shown
    kind = str(shown["kind"].iloc[row]) if "kind" in shown.columns else ""
    parts = [f"{cells.raw(row, label_column)}:"]
    if "estimate" in shown.columns and not pd.isna(shown["estimate"].iloc[row]):
        text = format_value(float(shown["estimate"].iloc[row]), kind)
        if {"ci_low", "ci_high"} <= set(shown.columns):
            interval = format_interval(shown["ci_low"].iloc[row], shown["ci_high"].iloc[row],
                                       kind)
            if interval:
                text += f" (95%-interval {interval}"
                if "n" in shown.columns and not pd.isna(shown["n"].iloc[row]):
                    text += f"; n = {format_cell(shown['n'].iloc[row], 'integer')}"
                text += ")"
        parts.append(text)
    tests = []
    for column in shown.columns:
        if not column.startswith("judgement_"):
            continue
        year = column.removeprefix("judgement_")
        bits = [f"t.o.v. {year}"]
        earlier = shown.get(f"estimate_{year}")
        if earlier is not None and not pd.isna(earlier.iloc[row]):
            bits.append(format_value(float(earlier.iloc[row]), kind))
        bits.append(str(shown[column].iloc[row]))
        p = shown.get(f"p_adjusted_{year}")
        if p is not None and not pd.isna(p.iloc[row]):
            bits.append(f"(p gecorrigeerd {format_cell(p.iloc[row], 'pvalue')})")
        tests.append(" ".join(bits))
    if "judgement" in shown.columns and "estimate_rest" in shown.columns:
        rest = shown["estimate_rest"].iloc[row]
        bits = ["t.o.v. de rest van de gemeente"]
        if not pd.isna(rest):
            bits.append(format_value(float(rest), kind))
        bits.append(str(shown["judgement"].iloc[row]))
        if "p_adjusted" in shown.columns and not pd.isna(shown["p_adjusted"].iloc[row]):
            bits.append(f"(p gecorrigeerd {format_cell(shown['p_adjusted'].iloc[row], 'pvalue')})")
        tests.append(" ".join(bits))
    text = " ".join(parts)
    return f"{text}; {'; '.join(tests)}" if tests else text


def table_notes(table: AnnexTable) -> list[str]:
    """The table's note and source line, as the annex prints them under it."""
    return [t for t in (table.note, table.source) if t]
