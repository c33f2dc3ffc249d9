"""The workbook for council staff (`tabellen_<year>.xlsx`), byte-reproducible.

A contents sheet with links, one sheet per table ('T01 Kerncijfers': number and what it holds,
within Excel's 31 characters; the full title in A1), the method note once on its own sheet
('Methode'). Numbers are numbers with a number format, as published (`suppression.published`);
percentages are fractions with a percent format; p-values are the annex's text; every text is a
text cell, never a formula. Document properties and zip entry dates are fixed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ivb_analysis import style
from ivb_analysis.suppression import ESTIMATE_DECIMALS, published, round_shown
from ivb_analysis.tables import (
    AnnexTable,
    Column,
    excel_format,
    excel_value,
    excel_value_format,
)

FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: A text starting with one of these is read as a formula by spreadsheet programs (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# --- XLSX ---------------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
_BANNER_FONT = Font(bold=True, color="B2182B")
_NOTE_FONT = Font(italic=True, color="444444")
_LINK_FONT = Font(color="0563C1", underline="single")
#: The table's header row; the title is in A1, a blank row between.
HEADER_ROW = 3
#: Sum of column widths (characters) above which a sheet prints in landscape.
LANDSCAPE_WIDTH = 110
#: The sheet with the method note (once; every table sheet links to it).
METHOD_SHEET = "Methode"
CONTENTS_SHEET = "Inhoud"
#: Excel's limit on a sheet name, and the characters it forbids (plus the quote that would end
#: a link's sheet reference).
MAX_SHEET_NAME = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")
#: Short names of the annex's tables (the title, with the year, stays in A1).
SHEET_TITLES: dict[str, str] = {
    "kerncijfers": "Kerncijfers",
    "footprint": "Footprint benchmark",
    "trends": "Trends alle indicatoren",
    "trendtoets": "Trendtoets",
    "slachtofferschap": "Slachtofferschap",
    "slachtofferschap_wijk": "Slachtofferschap per wijk",
    "politie": "Misdrijven per wijk",
    "politie_groep": "Misdrijven benchmarkgroep",
    "veiligheidshuis": "Veiligheidshuis",
    "items": "Schaalscores en vragen",
}
#: Shortenings tried in order while a title is too long for a sheet name.
_SHORTER: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r",? (19|20)\d\d(–(19|20)\d\d)?$"), ""),
    (re.compile(r" voor heel .*$"), ""),
    (re.compile(r"^(.+): de stellingen$"), lambda m: f"Items {m[1][:1].lower()}{m[1][1:]}"),
    (re.compile(r" per wijk"), " wijk"),
    (re.compile(r"^Rapportcijfer "), "Cijfer "),
    (re.compile(r":.*$"), ""),
)


def short_title(table: AnnexTable, room: int) -> str:
    """What a table holds in at most `room` characters: its short name (`SHEET_TITLES`), else
    its title shortened (year, 'voor heel ...', 'per wijk' -> 'wijk', ...), cut at a word."""
    text = SHEET_TITLES.get(table.key, table.title).strip()
    for pattern, replacement in _SHORTER:
        if len(text) <= room:
            break
        text = pattern.sub(replacement, text).strip()
    text = _FORBIDDEN.sub("-", text)
    if len(text) > room:
        cut = text[:room + 1].rsplit(" ", 1)[0]
        text = cut if 0 < len(cut) <= room else text[:room]
    return text.strip(" -,")


def sheet_name(table: AnnexTable, used: set[str], position: int | None = None) -> str:
    """'T01 Kerncijfers': the table's number (else its position), two digits, and what it
    holds (`short_title`), at most 31 characters, unique; the full title goes in A1."""
    number = table.number or position or len(used)
    prefix = f"T{number:02d}"
    title = short_title(table, MAX_SHEET_NAME - len(prefix) - 1)
    base = f"{prefix} {title}" if title else prefix
    name, k = base, 2
    while name in used:
        suffix = f"-{k}"
        name, k = base[:MAX_SHEET_NAME - len(suffix)] + suffix, k + 1
    used.add(name)
    return name


def _cell_value(value: object) -> object:
    """Python scalars for openpyxl; missing values as empty cells."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if pd.isna(value):  # type: ignore[call-overload]
        return None
    if isinstance(value, np.bool_ | bool):
        return "ja" if value else "nee"
    if isinstance(value, np.integer | int):
        return int(value)
    if isinstance(value, np.floating | float):
        return float(value)
    return str(value)


def put(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """One cell; text is always a text cell (never a formula, whatever it starts with: '=',
    '+', '-', '@', a DDE 'cmd|...'), marked with Excel's quote prefix so that editing the cell
    does not turn it into one either."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START) or "|" in value:
            cell.quotePrefix = True
    return cell


def _lines_under(table: AnnexTable, banner: str | None, method: bool) -> list[
        tuple[str, Font | None]]:
    """What follows a table on its sheet: note, source, synthetic label, the link to the
    method sheet."""
    lines: list[tuple[str, Font | None]] = []
    if table.note:
        lines.append((table.note, _NOTE_FONT))
    if table.source:
        lines.append((table.source, None))
    if banner:
        lines.append((style.banner_text(banner, short=True), _BANNER_FONT))
    if method:
        lines.append((METHOD_LINK, _LINK_FONT))
    return lines


#: The line under every table that points to the method sheet.
METHOD_LINK = f"Werkwijze: zie het werkblad {METHOD_SHEET}"


def _link(cell: Cell, sheet: str) -> None:
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1",
                               display=str(cell.value))
    cell.font = _LINK_FONT


def _print_setup(sheet: Worksheet, width: float, header_row: int | None) -> None:
    """A4, landscape when wide, fit to the page width, header row repeated on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if width > LANDSCAPE_WIDTH else "portrait"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.gridLines = False
    if header_row is not None:
        sheet.print_title_rows = f"{header_row}:{header_row}"


def _number_cell(cell: Cell, value: object, column: Column, kind: str | None,
                 decimals: int | None) -> None:
    """A number as the annex shows it: percentages as fractions with a percent format,
    p-values as the annex's text, the decimals of a tested pair (`apart_decimals`)."""
    stored = excel_value(value, column.format, kind)
    cell.value = stored
    if isinstance(stored, str):
        cell.data_type = "s"
        cell.alignment = Alignment(horizontal="right")
        cell.number_format = "@"
        return
    number_format = (excel_value_format(kind or "", decimals) if decimals is not None
                     else excel_format(column.format, kind, value))
    if number_format is not None:
        cell.number_format = number_format


def _write_table_sheet(sheet: Worksheet, table: AnnexTable, *, banner: str | None = None,
                       method: bool = False) -> None:
    """Title in A1, the Dutch header row (bold, frozen) in row 3, numbers as numbers with a
    number format per cell (as published: `suppression.published`); note, source, synthetic
    label and a link to the method sheet below."""
    put(sheet, 1, 1, table.caption).font = Font(bold=True, size=12)
    for c, column in enumerate(table.columns, start=1):
        cell = put(sheet, HEADER_ROW, c, column.header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(c)].width = column.width
    exact = table.shown
    frame = published(exact)
    kinds = frame["kind"].tolist() if "kind" in frame.columns else None
    names = [c.name for c in table.columns]
    apart = table.apart_decimals()  # as in the reader's table: a tested difference stays visible
    first = HEADER_ROW + 1
    for r, values in enumerate(frame[names].itertuples(index=False, name=None), start=first):
        row = dict(zip(names, values, strict=True))
        for c, column in enumerate(table.columns, start=1):
            value = _cell_value(row[column.name])
            cell = put(sheet, r, c, value)
            if isinstance(value, str):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                continue
            if value is None:
                continue
            decimals = apart.get((r - first, column.name))
            if decimals is not None and decimals > ESTIMATE_DECIMALS:
                value = round_shown(float(exact[column.name].iloc[r - first]), decimals)
            _number_cell(cell, value, column, kinds[r - first] if kinds is not None else None,
                         decimals)
    last = HEADER_ROW + len(frame)
    sheet.freeze_panes = f"A{first}"
    if len(frame):
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(table.columns))}{last}"
    for k, (text, font) in enumerate(_lines_under(table, banner, method), start=last + 2):
        cell = put(sheet, k, 1, text)
        if text == METHOD_LINK:
            _link(cell, METHOD_SHEET)
        elif font is not None:
            cell.font = font
    _print_setup(sheet, sum(c.width for c in table.columns), HEADER_ROW)


def _write_contents_sheet(sheet: Worksheet, tables: Sequence[AnnexTable], names: list[str],
                          heading: str, banner: str | None, method: bool) -> None:
    """Heading, label, one row per table with a link to its sheet, and the method sheet."""
    put(sheet, 1, 1, heading).font = Font(bold=True, size=12)
    if banner:
        put(sheet, 2, 1, style.banner_text(banner, short=True)).font = _BANNER_FONT
    headers = ["Werkblad", "Tabel", "Toelichting", "Bron"]
    widths = [MAX_SHEET_NAME + 2, 60, 80, 50]
    for c, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = put(sheet, HEADER_ROW, c, header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(c)].width = width
    rows = [(name, table.caption, table.note, table.source)
            for table, name in zip(tables, names, strict=True)]
    if method:
        rows.append((METHOD_SHEET, "Werkwijze: methode, toetsen en definities", "", ""))
    for r, (name, *texts) in enumerate(rows, start=HEADER_ROW + 1):
        _link(put(sheet, r, 1, name), name)
        for c, value in enumerate(texts, start=2):
            cell = put(sheet, r, c, value or None)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    _print_setup(sheet, sum(widths), HEADER_ROW)


def _write_method_sheet(sheet: Worksheet, notes: Sequence[str], heading: str,
                        banner: str | None) -> None:
    """The method note once: heading, label, one point per row."""
    put(sheet, 1, 1, f"Werkwijze — {heading}").font = Font(bold=True, size=12)
    row = 2
    if banner:
        put(sheet, row, 1, style.banner_text(banner, short=True)).font = _BANNER_FONT
    sheet.column_dimensions["A"].width = 120
    for k, point in enumerate(notes, start=HEADER_ROW):
        cell = put(sheet, k, 1, f"- {point}")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _print_setup(sheet, 120, None)


def workbook_bytes(tables: Sequence[AnnexTable], *, heading: str, banner: str | None = None,
                   method_note: Sequence[str] | str | None = None) -> bytes:
    """One workbook: a contents sheet ('Inhoud') with links, a sheet per table ('T01
    Kerncijfers', ...) with its title, the table, note, source, synthetic label and a link to
    the method sheet ('Methode', the method note once)."""
    notes = [method_note] if isinstance(method_note, str) else list(method_note or [])
    wb = Workbook()
    contents = wb.active
    contents.title = CONTENTS_SHEET
    used = {CONTENTS_SHEET, METHOD_SHEET}
    names = []
    for k, table in enumerate(tables, start=1):
        name = sheet_name(table, used, k)
        names.append(name)
        _write_table_sheet(wb.create_sheet(name), table, banner=banner, method=bool(notes))
    if notes:
        _write_method_sheet(wb.create_sheet(METHOD_SHEET), notes, heading, banner)
    _write_contents_sheet(contents, tables, names, heading, banner, bool(notes))
    wb.properties.creator = "ivb-analysis"
    wb.properties.lastModifiedBy = "ivb-analysis"
    wb.properties.title = heading
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalize_zip(buffer.getvalue())


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_core_properties(xml: bytes) -> bytes:
    """openpyxl's save() stamps the current time as 'modified' whatever we set: undo that."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return _MODIFIED.sub(lambda m: m.group(1) + stamp + m.group(2), xml)


def normalize_zip(data: bytes) -> bytes:
    """The same zip with fixed entry dates, attributes and document dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fixed_core_properties(content)
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return out.getvalue()


