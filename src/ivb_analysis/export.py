"""Every file the annex writes, byte-reproducible and atomic: figures, CSV, XLSX and PDF.

Same inputs and the same locked environment give the same bytes: no timestamps or software
versions in SVG/PDF/PNG (matplotlib metadata set to None, a fixed `svg.hashsalt`), CSV with fixed
line endings and full float precision, an XLSX whose document properties and zip entry dates are
fixed, and a WeasyPrint PDF with fixed dates and generator (its identifier is a hash of the
content). Every file goes through `atomic.write_*`.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ivb_analysis.atomic import write_bytes, write_text
from ivb_analysis.errors import InputError
from ivb_analysis.figures import PRINT_DPI, figure_bytes
from ivb_analysis.tables import AnnexTable, excel_format

FIGURE_FORMATS = ("svg", "pdf", "png")
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PdfUnavailableError(InputError):
    """No headless Chromium where one is required (browser checks): the CLI exits 2."""


# --- figures ------------------------------------------------------------------------------------


def save_figure(fig: Figure, directory: Path, name: str, alt_text: str | None = None,
                ) -> list[Path]:
    """`<name>.svg`, `.pdf`, `.png` (300 dpi) and `<name>.alt.txt` in `directory`.

    The alt text defaults to the figure's own (`AnnexFigure.alt_text`); a figure without one
    is refused, so no exported figure lacks a description.
    """
    text = alt_text if alt_text is not None else getattr(fig, "alt_text", "")
    if not text.strip():
        raise ValueError(f"figuur {name}: alt-tekst ontbreekt")
    written = [write_bytes(directory / f"{name}.{fmt}", figure_bytes(fig, fmt, PRINT_DPI))
               for fmt in FIGURE_FORMATS]
    written.append(write_text(directory / f"{name}.alt.txt", text.strip() + "\n"))
    return written


# --- CSV ----------------------------------------------------------------------------------------


def csv_text(frame: pd.DataFrame) -> str:
    """Tidy CSV for machines: UTF-8, comma-separated, point decimals, '\\n' line ends."""
    return frame.to_csv(index=False, lineterminator="\n")


def write_csv(frame: pd.DataFrame, target: Path) -> Path:
    return write_text(target, csv_text(frame))


# --- XLSX ---------------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
_FORBIDDEN_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_name(table: AnnexTable, used: set[str]) -> str:
    """'T03 Rapportcijfer leefbaarh…' style names: at most 31 characters, unique."""
    prefix = f"T{table.number:02d} " if table.number else ""
    base = _FORBIDDEN_SHEET_CHARS.sub("", f"{prefix}{table.title}")[:31].rstrip()
    name, k = base, 2
    while name in used:
        suffix = f" ({k})"
        name, k = base[: 31 - len(suffix)] + suffix, k + 1
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


def _write_table_sheet(sheet: Worksheet, table: AnnexTable) -> None:
    """Dutch header row (bold, frozen), numbers as numbers with a number format per cell."""
    for c, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=c, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(c)].width = column.width
    frame = table.shown
    kinds = frame["kind"].tolist() if "kind" in frame.columns else None
    names = [c.name for c in table.columns]
    for r, values in enumerate(frame[names].itertuples(index=False, name=None), start=2):
        row = dict(zip(names, values, strict=True))
        for c, column in enumerate(table.columns, start=1):
            value = _cell_value(row[column.name])
            cell = sheet.cell(row=r, column=c, value=value)
            kind = kinds[r - 2] if kinds is not None else None
            number_format = excel_format(column.format, kind, value)
            if number_format is not None and not isinstance(value, str):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    if len(frame):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(frame) + 1}"


def _write_contents_sheet(sheet: Worksheet, tables: Sequence[AnnexTable], names: list[str],
                          heading: str, banner: str | None) -> None:
    headers = ["Tabel", "Werkblad", "Titel", "Toelichting", "Bron"]
    widths = [8, 34, 60, 80, 50]
    for c, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=c, value=header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(c)].width = width
    for r, (table, name) in enumerate(zip(tables, names, strict=True), start=2):
        values = [table.number, name, table.title, table.note, table.source]
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    last = len(tables) + 3
    sheet.cell(row=last, column=1, value=heading).font = Font(bold=True)
    if banner:
        cell = sheet.cell(row=last + 1, column=1, value=f"{banner}: deze cijfers zijn verzonnen")
        cell.font = Font(bold=True, color="B2182B")


def workbook_bytes(tables: Sequence[AnnexTable], *, heading: str, banner: str | None = None,
                   ) -> bytes:
    """One workbook: a contents sheet ('Inhoud') and a sheet per table."""
    wb = Workbook()
    contents = wb.active
    contents.title = "Inhoud"
    used = {"Inhoud"}
    names = []
    for table in tables:
        name = sheet_name(table, used)
        names.append(name)
        _write_table_sheet(wb.create_sheet(name), table)
    _write_contents_sheet(contents, tables, names, heading, banner)
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


def write_workbook(tables: Sequence[AnnexTable], target: Path, *, heading: str,
                   banner: str | None = None) -> Path:
    return write_bytes(target, workbook_bytes(tables, heading=heading, banner=banner))


# --- PDF of the HTML annex ------------------------------------------------------------------------

PRINT_CSS = Path(__file__).parent / "templates" / "print.css"
#: Creation and modification date written into every PDF (W3C date; no clock in the bytes).
PDF_DATE = "2000-01-01T00:00:00Z"
PDF_GENERATOR = "ivb-analysis"
PRINT_CSS_MARK = "ivb-analysis print.css"  # the first line of print.css


def print_css() -> str:
    """The paged-media rules of the annex (A4, running header/footer, TOC page numbers,
    bookmarks, no orphaned captions or sources); the annex page includes them too."""
    return PRINT_CSS.read_text(encoding="utf-8")


def with_print_css(page: str) -> str:
    """The page with `print.css` as its last style sheet, unless the page already has it.

    Added to the page itself (not as a WeasyPrint user style sheet), because user style sheets
    lose against the page's own rules."""
    if PRINT_CSS_MARK in page:
        return page
    style = f"<style>{print_css()}</style>"
    end = page.lower().rfind("</head>")
    return page[:end] + style + page[end:] if end >= 0 else style + page


def pdf_bytes(html_text: str, *, base_url: str | None = None) -> bytes:
    """HTML rendered to an A4 PDF by WeasyPrint with `print.css`; byte-identical on rerun
    (fixed dates and generator, no random identifier)."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    # Only data: URIs: the annex is self-contained, so the PDF never fetches anything outside it.
    fetcher = URLFetcher(allowed_protocols={"data"})
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)  # unknown screen-only properties are not the reader's concern
    try:
        document = weasyprint.HTML(string=with_print_css(html_text), base_url=base_url,
                                   url_fetcher=fetcher).render()
    finally:
        logger.setLevel(level)
    document.metadata.created = PDF_DATE
    document.metadata.modified = PDF_DATE
    document.metadata.generator = PDF_GENERATOR
    # PDF 1.4: no compressed object streams, so the fixed dates stay readable in the file.
    return document.write_pdf(pdf_version="1.4")


def html_to_pdf(html_file: Path, target: Path, chromium: str | None = None) -> Path:
    """Render a local HTML file (the annex) to PDF with WeasyPrint; no browser needed.

    `chromium` is accepted for old callers and ignored.
    """
    del chromium
    html_file = Path(html_file)
    data = pdf_bytes(html_file.read_text(encoding="utf-8"),
                     base_url=html_file.resolve().parent.as_uri() + "/")
    return write_bytes(target, data)


# --- headless Chromium (browser screenshot tests only) -----------------------------------------


def find_chromium() -> str | None:
    """Path of a headless-capable Chromium: $IVB_CHROMIUM, /usr/bin/chromium, or on PATH."""
    configured = os.environ.get("IVB_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The Chromium path, or a clear error for users (exit 2 in the CLI). Only the browser
    test needs Chromium; the PDF is made by WeasyPrint (`html_to_pdf`)."""
    path = find_chromium()
    if path is None:
        raise PdfUnavailableError(
            "geen headless Chromium gevonden. Installeer Chromium, of geef het pad in de "
            "omgevingsvariabele IVB_CHROMIUM",
            expected="/usr/bin/chromium of chromium op het PATH",
        )
    return path


# Post-processing of a Chromium PDF (dates, node ids); the annex PDF no longer needs it (WeasyPrint
# writes fixed dates itself). Kept while tests of other modules still call it.

_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}([+-]\d\d'\d\d'|Z)?")
_PDF_NODE = re.compile(rb"\(node(\d{8})\)")


def fixed_pdf_dates(data: bytes) -> bytes:
    """Overwrite the creation and modification dates with 2000-01-01 (same byte length)."""

    def fixed(match: re.Match[bytes]) -> bytes:
        zone = match.group(2) or b""
        zone = b"+00'00'" if len(zone) == 7 else zone
        return b"/" + match.group(1) + b" (D:20000101000000" + zone

    return _PDF_DATE.sub(fixed, data)


def renumbered_pdf_nodes(data: bytes) -> bytes:
    """Chromium names structure elements after DOM node ids, which shift between runs; replace
    each by its rank (same width, order kept, every byte offset stays valid)."""
    ids = sorted({int(m) for m in _PDF_NODE.findall(data)})
    rank = {number: k for k, number in enumerate(ids, start=1)}
    return _PDF_NODE.sub(lambda m: b"(node%08d)" % rank[int(m.group(1))], data)


def deterministic_pdf(data: bytes) -> bytes:
    """A Chromium PDF without its run-dependent bytes (dates, structure node ids)."""
    return renumbered_pdf_nodes(fixed_pdf_dates(data))
