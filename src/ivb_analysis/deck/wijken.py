"""The wijk slides, from the annex's wijk overview (`wijkoverzicht`) and its appendix tables
(`wijktabellen`): the map of the key indicators when the delivery has wijk boundaries, with the
overview's matrix for those indicators; without boundaries, per key indicator the wijken ranked
(the appendix table). Every value is a cell of those tables."""

from __future__ import annotations

import pandas as pd

from ivb_analysis.annex import common
from ivb_analysis.annex.context import Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.annex.sections import wijk, wijkoverzicht, wijktabellen
from ivb_analysis.deck.model import Block, Cells, Slide, estimate_note, table_notes
from ivb_analysis.tables import format_cell, format_value

#: At most this many names in a title; more are counted.
TITLE_NAMES = 2
VERDICT = "verdict_polarity"


def _names(names: list[str]) -> str:
    """Up to TITLE_NAMES names; more as 'o.a.' the first (no count a table does not hold)."""
    return common.join(names) if len(names) <= TITLE_NAMES else \
        f"o.a. {common.join(names[:TITLE_NAMES])}"


def _standing(data: pd.DataFrame, verdict: str) -> list[str]:
    """Wijken with `verdict` on any of the rows, most such indicators first."""
    hits = data[data[VERDICT] == verdict]
    counts = hits.groupby("wijk_naam", sort=True).size().sort_values(ascending=False,
                                                                     kind="stable")
    return [str(n) for n in counts.index]


def _message(head: str, data: pd.DataFrame, gemeente: str) -> str:
    worse, better = _standing(data, "slechter"), _standing(data, "beter")
    if worse:
        return f"{head}: {_names(worse)} slechter dan de rest van {gemeente}"
    if better:
        return f"{head}: {_names(better)} beter dan de rest van {gemeente}"
    return f"{head}: geen wijk wijkt significant af van de rest"


def key_indicators(annex: Annex, overview: Section) -> list[str]:
    """The overview's key indicators: those its map shows (named in the map's alt text), or
    without a map every key indicator of the overview that the delivery has."""
    data = overview.table().data
    present = [i for i in wijkoverzicht.MAP_INDICATORS if i in set(data["indicator"])]
    maps = overview.figures[0] if overview.figures else None
    if maps is None:
        return present
    return [i for i in present if f"{annex.catalogue[i].label}: " in maps.alt_text]


def wijk_slides(annex: Annex, by_key: dict[str, Section]) -> list[Slide]:
    overview = by_key.get(wijkoverzicht.KEY)
    if overview is None or not overview.tables:
        return []
    keys = key_indicators(annex, overview)
    if overview.figures:
        return [_map_slide(annex, overview, keys), _matrix_slide(annex, overview, keys)]
    appendix = by_key.get(wijktabellen.KEY)
    if appendix is None:
        return [_matrix_slide(annex, overview, keys)]
    return [s for s in (_ranked_slide(annex, appendix, i) for i in keys) if s is not None]


def _rest_note(table_data: pd.DataFrame, cells: Cells, k: int) -> str:
    row = table_data.iloc[k]
    text = f"{row['label']}, " + estimate_note(cells, k, "wijk_naam")
    bits = ["t.o.v. de rest van de gemeente"]
    if pd.notna(row["estimate_rest"]):
        bits.append(format_value(float(row["estimate_rest"]), str(row["kind"])))
    bits.append(str(row[VERDICT]) if isinstance(row[VERDICT], str) and row[VERDICT]
                else wijkoverzicht.NOT_TESTED)
    if pd.notna(row["p_adjusted"]):
        bits.append(f"(p gecorrigeerd {format_cell(row['p_adjusted'], 'pvalue')})")
    return f"{text}; {' '.join(bits)}"


def _long_cells(table) -> Cells:
    """The overview's tidy rows (one per wijk and indicator) as Cells for `estimate_note`."""
    cells = Cells(table)
    cells.shown = table.data.reset_index(drop=True)
    return cells


def _map_slide(annex: Annex, overview: Section, keys: list[str]) -> Slide:
    table = overview.table()
    data = table.data.reset_index(drop=True)
    reader = table.for_readers()
    headers = {c.name: c.header for c in table.columns}
    lines = []
    for i in keys:
        part = data[(data["indicator"] == i) & data[VERDICT].isin(["beter", "slechter"])]
        marked = [f"{w} {_matrix_cell(reader, headers, w, i)}" for w in part["wijk_naam"]]
        lines.append(f"{annex.catalogue[i].label}: "
                     + ("; ".join(marked) if marked else "geen wijk significant anders"))
    cells = _long_cells(table)
    rows = [k for k in range(len(data)) if data["indicator"].iloc[k] in keys]
    item = overview.figures[0]
    return Slide(_message("Wijken op de kaart", data[data["indicator"].isin(keys)],
                          annex.gemeente),
                 "figuur", figure=item, blocks=[Block(None, lines)],
                 notes=[item.caption, *lines, *(_rest_note(data, cells, k) for k in rows),
                        *table_notes(table)], section=overview.key)


def _matrix_cell(reader: pd.DataFrame, headers: dict[str, str], wijk_naam: str,
                 indicator: str) -> str:
    match = reader.loc[reader[headers["wijk_naam"]] == wijk_naam, headers[indicator]]
    return str(match.iloc[0]) if len(match) else "–"


def _matrix_slide(annex: Annex, overview: Section, keys: list[str]) -> Slide:
    """The overview's matrix for the key indicators, each cell coloured by its verdict."""
    table = overview.table()
    reader = table.for_readers()
    headers = {c.name: c.header for c in table.columns}
    columns = [headers["wijk_naam"], *(headers[i] for i in keys)]
    body = reader[columns].astype(str).values.tolist()
    colours = [[None, *(c.split()[-1] if c.split() else None for c in row[1:])]
               for row in body]
    data = table.data
    title = _message("Wijken t.o.v. de rest", data[data["indicator"].isin(keys)],
                     annex.gemeente)
    return Slide(title, "tabel", table=[columns, *body], verdicts=colours,
                 notes=[table.title, *table_notes(table),
                        "Alle wijkindicatoren met intervallen: bijlage Wijktabellen."],
                 section=overview.key, table_key=table.key)


def _ranked_slide(annex: Annex, appendix: Section, indicator: str) -> Slide | None:
    """The wijken ranked on one key indicator (the appendix table, highest first)."""
    try:
        table = appendix.table(wijk.key(indicator))
    except KeyError:
        return None
    cells = Cells(table)
    rows = sorted(cells.rows(), key=lambda k: -float(cells.raw(k, "estimate")))
    shown = [c for c in ("wijk_naam", "estimate", "estimate_rest", "judgement")
             if cells.has(c)]
    header = [cells.header(c) for c in shown]
    body = [[cells.cell(k, c) for c in shown] for k in rows]
    colours = [[str(cells.raw(k, VERDICT)) if c == "judgement" else None for c in shown]
               for k in rows]
    data = cells.shown.iloc[rows]
    return Slide(_message(annex.catalogue[indicator].label, data, annex.gemeente), "tabel",
                 table=[header, *body], verdicts=colours,
                 notes=[estimate_note(cells, k, "wijk_naam") for k in rows]
                 + table_notes(table), section=appendix.key, table_key=table.key)
