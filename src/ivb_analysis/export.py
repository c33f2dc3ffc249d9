"""Every file the annex writes, byte-reproducible and atomic: figures, CSV, XLSX and PDF.

Same inputs and the same locked environment give the same bytes: no timestamps or software
versions in SVG/PDF/PNG (matplotlib metadata set to None, a fixed `svg.hashsalt`), CSV with fixed
line endings and full float precision, an XLSX whose document properties and zip entry dates are
fixed, and a Chromium PDF whose two date fields are overwritten with a fixed date (same length,
so the PDF's cross-reference offsets stay valid). Every file goes through `atomic.write_*`.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tempfile
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
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-pdf-header-footer")
PDF_TIMEOUT = 180  # seconds


class PdfUnavailableError(InputError):
    """No headless Chromium to print the annex: the CLI reports it and exits 2."""


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
    """The Chromium path, or a clear error for users (exit 2 in the CLI)."""
    path = find_chromium()
    if path is None:
        raise PdfUnavailableError(
            "PDF maken lukt niet: geen headless Chromium gevonden. Installeer Chromium, of geef "
            "het pad in de omgevingsvariabele IVB_CHROMIUM; de HTML-bijlage is ook vanuit een "
            "browser als PDF af te drukken",
            expected="/usr/bin/chromium of chromium op het PATH",
        )
    return path


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
    """Chromium's tagged PDF names its structure elements after DOM node ids, which shift by
    one between runs; replace each by its rank (same width, order kept, so the sorted ID tree
    stays sorted and every byte offset stays valid)."""
    ids = sorted({int(m) for m in _PDF_NODE.findall(data)})
    rank = {number: k for k, number in enumerate(ids, start=1)}
    return _PDF_NODE.sub(lambda m: b"(node%08d)" % rank[int(m.group(1))], data)


def deterministic_pdf(data: bytes) -> bytes:
    """A Chromium PDF without its run-dependent bytes (dates, structure node ids)."""
    return renumbered_pdf_nodes(fixed_pdf_dates(data))


def html_to_pdf(html_file: Path, target: Path, chromium: str | None = None) -> Path:
    """Print a local HTML file to PDF with headless Chromium (A4 from the page's print CSS)."""
    binary = chromium or require_chromium()
    with tempfile.TemporaryDirectory(prefix="ivb-chromium-") as profile:
        out = Path(profile) / "bijlage.pdf"
        command = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}/profiel",
                   f"--print-to-pdf={out}", html_file.resolve().as_uri()]
        env = {**os.environ, "TZ": "UTC"}
        try:
            result = subprocess.run(command, capture_output=True, text=True, env=env,
                                    timeout=PDF_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailableError(f"PDF maken mislukt: Chromium gaf een fout ({exc})",
                                      file=html_file) from None
        if result.returncode != 0 or not out.is_file():
            tail = (result.stderr or "").strip().splitlines()[-1:] or ["geen uitvoer"]
            raise PdfUnavailableError(f"PDF maken mislukt: Chromium stopte met status "
                                      f"{result.returncode} ({tail[0]})", file=html_file)
        return write_bytes(target, deterministic_pdf(out.read_bytes()))
