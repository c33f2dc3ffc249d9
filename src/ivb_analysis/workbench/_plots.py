"""Figures and workbooks of workbench tables, through the annex's own figure and table code."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ivb_analysis import export, figures
from ivb_analysis.annex import common
from ivb_analysis.config import Settings
from ivb_analysis.tables import AnnexTable, Column, remark

_NOT_DIMENSIONS = {"indicator", "label", "kind", "unit", "year"}


def dimension_columns(table: pd.DataFrame) -> list[str]:
    """The label columns of a workbench table (those before `indicator`)."""
    columns = list(table.columns)
    return columns[:columns.index("indicator")]


def _cells(table: pd.DataFrame) -> pd.Series:
    dims = dimension_columns(table)
    varying = [c for c in dims if table[c].nunique() > 1] or dims[:1]
    parts = [table[c].astype(str) for c in varying]
    if table["indicator"].nunique() > 1 or not parts:
        parts = [table["label"].astype(str), *parts]
    cell = parts[0]
    for part in parts[1:]:
        cell = cell + ", " + part
    return cell


def figure(table: pd.DataFrame, settings: Settings, *, title: str | None, source: str) -> Figure:
    """Bars per cell (one per wave), or lines over the waves for up to four cells."""
    frame = table.assign(cell=_cells(table))
    hidden = sorted(set(frame.loc[frame["suppressed"].astype(bool), "cell"]))
    shown = frame[~frame["suppressed"].astype(bool)]
    notes = ([f"Niet getoond (te weinig respondenten of terug te rekenen): {', '.join(hidden)}."]
             if hidden else [])
    title = title or ", ".join(dict.fromkeys(frame["label"].astype(str)))
    kinds = shown["kind"].dropna().unique()
    kind = str(kinds[0]) if len(kinds) == 1 else None
    if shown["year"].nunique() > 1 and shown["cell"].nunique() <= len(figures.SERIES):
        lines = shown.assign(indicator=shown["cell"], label=shown["cell"])
        return figures.trend_lines(lines, title=title, source=source, banner=settings.banner,
                                   method_break=settings.method_break, notes=notes)
    return figures.grouped_bars(
        shown.assign(year=shown["year"].astype(str)), category="cell", group="year",
        title=title, source=source, banner=settings.banner, kind=kind, notes=notes,
        category_name="groep")


def workbook(table: pd.DataFrame, target: Path, settings: Settings, *, title: str,
             source: str, note: list[str]) -> Path:
    """The table as the annex's workbook: hidden rows left out (named in the note)."""
    dims = dimension_columns(table)
    data = table.copy()
    for flag in ("indicatief", "unreliable", "suppressed"):
        if flag not in data.columns:
            data[flag] = False
    data["remark"] = [remark(bool(i), bool(u)) for i, u in
                      zip(data["indicatief"], data["unreliable"], strict=True)]
    hidden = data[data["suppressed"].astype(bool)]
    data = common.shown(data, settings.min_n)
    columns = [*(Column(c, c.capitalize(), "text", 18) for c in dims),
               Column("label", "Indicator", "text", 30), Column("year", "Jaar", "text", 8),
               *common.estimate_columns(None),
               Column("difference", "Verschil", "change", 11),
               Column("p_adjusted", "p (BH)", "pvalue", 9),
               Column("verdict_polarity", "Oordeel", "text", 12)]
    columns = [c for c in columns if c.name in data.columns]
    columns += list(common.remark_columns(data))
    data["year"] = data["year"].astype(str)
    cells = ", ".join(_cells(hidden).unique()) if len(hidden) else ""
    table_note = (f"Niet getoond (te weinig respondenten of terug te rekenen): {cells}."
                  if cells else "")
    annex_table = AnnexTable("werkbank", title, data, tuple(columns), note=table_note,
                             source=source)
    return export.write_workbook([annex_table], target, heading=title,
                                 banner=settings.banner, method_note=note)
