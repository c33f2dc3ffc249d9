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
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ivb_analysis import style
from ivb_analysis.atomic import write_bytes, write_text
from ivb_analysis.defaults import ALPHA, alpha_decimal
from ivb_analysis.figures import PRINT_DPI, figure_bytes
from ivb_analysis.tables import AnnexTable, excel_format, excel_value_format

FIGURE_FORMATS = ("svg", "pdf", "png")
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


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
_BANNER_FONT = Font(bold=True, color="B2182B")
_NOTE_FONT = Font(italic=True, color="444444")
_LINK_FONT = Font(color="0563C1", underline="single")
#: p-values as '<0,001' below 0.001, else three decimals (shown with the reader's separator).
PVALUE_FORMAT = '[<0.001]"<0,001";0.000'
#: The table's header row; the title is in A1, a blank row between.
HEADER_ROW = 3
#: Sum of column widths (characters) above which a sheet prints in landscape.
LANDSCAPE_WIDTH = 110


def sheet_name(table: AnnexTable, used: set[str], position: int | None = None) -> str:
    """'T03': the table's number (else its position), two digits, unique; the title goes in A1
    (a sheet name of at most 31 characters cannot hold it)."""
    number = table.number or position or len(used)
    base = f"T{number:02d}"
    name, k = base, 2
    while name in used:
        name, k = f"{base}-{k}", k + 1
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


def _lines_under(table: AnnexTable, banner: str | None, method_note: Sequence[str]) -> list[
        tuple[str, Font | None]]:
    """What follows a table on its sheet: note, source, synthetic label, method note."""
    lines: list[tuple[str, Font | None]] = []
    if table.note:
        lines.append((table.note, _NOTE_FONT))
    if table.source:
        lines.append((table.source, None))
    if banner:
        lines.append((style.banner_text(banner, short=True), _BANNER_FONT))
    if method_note:
        lines.append(("Werkwijze", Font(bold=True)))
        lines += [(f"- {point}", _NOTE_FONT) for point in method_note]
    return lines


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


def _write_table_sheet(sheet: Worksheet, table: AnnexTable, *, banner: str | None = None,
                       method_note: Sequence[str] = ()) -> None:
    """Title in A1, the Dutch header row (bold, frozen) in row 3, numbers as numbers with a
    number format per cell; note, source, synthetic label and method note below."""
    title = sheet.cell(row=1, column=1, value=table.caption)
    title.font = Font(bold=True, size=12)
    for c, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=c, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(c)].width = column.width
    frame = table.shown
    kinds = frame["kind"].tolist() if "kind" in frame.columns else None
    names = [c.name for c in table.columns]
    apart = table.apart_decimals()  # as in the reader's table: a tested difference stays visible
    first = HEADER_ROW + 1
    for r, values in enumerate(frame[names].itertuples(index=False, name=None), start=first):
        row = dict(zip(names, values, strict=True))
        for c, column in enumerate(table.columns, start=1):
            value = _cell_value(row[column.name])
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                continue
            kind = kinds[r - first] if kinds is not None else None
            number_format = (PVALUE_FORMAT if column.format == "pvalue"
                             else excel_value_format(kind, apart[r - first, column.name])
                             if (r - first, column.name) in apart
                             else excel_format(column.format, kind, value))
            if number_format is not None:
                cell.number_format = number_format
    last = HEADER_ROW + len(frame)
    sheet.freeze_panes = f"A{first}"
    if len(frame):
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(table.columns))}{last}"
    for k, (text, font) in enumerate(_lines_under(table, banner, method_note), start=last + 2):
        cell = sheet.cell(row=k, column=1, value=text)
        if font is not None:
            cell.font = font
    _print_setup(sheet, sum(c.width for c in table.columns), HEADER_ROW)


def _write_contents_sheet(sheet: Worksheet, tables: Sequence[AnnexTable], names: list[str],
                          heading: str, banner: str | None) -> None:
    """Heading, label, and one row per table with a link to its sheet."""
    sheet.cell(row=1, column=1, value=heading).font = Font(bold=True, size=12)
    if banner:
        sheet.cell(row=2, column=1, value=style.banner_text(banner, short=True)).font = \
            _BANNER_FONT
    headers = ["Werkblad", "Tabel", "Toelichting", "Bron"]
    widths = [10, 60, 80, 50]
    for c, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=c, value=header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(c)].width = width
    for r, (table, name) in enumerate(zip(tables, names, strict=True), start=HEADER_ROW + 1):
        link = sheet.cell(row=r, column=1, value=name)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1", display=name)
        link.font = _LINK_FONT
        for c, value in enumerate((table.caption, table.note, table.source), start=2):
            cell = sheet.cell(row=r, column=c, value=value or None)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    _print_setup(sheet, sum(widths), HEADER_ROW)


def workbook_bytes(tables: Sequence[AnnexTable], *, heading: str, banner: str | None = None,
                   method_note: Sequence[str] | str | None = None) -> bytes:
    """One workbook: a contents sheet ('Inhoud') with links, and a sheet per table ('T01', ...)
    with its title, the table, note, source, synthetic label and method note."""
    notes = [method_note] if isinstance(method_note, str) else list(method_note or [])
    wb = Workbook()
    contents = wb.active
    contents.title = "Inhoud"
    used = {"Inhoud"}
    names = []
    for k, table in enumerate(tables, start=1):
        name = sheet_name(table, used, k)
        names.append(name)
        _write_table_sheet(wb.create_sheet(name), table, banner=banner, method_note=notes)
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
                   banner: str | None = None,
                   method_note: Sequence[str] | str | None = None) -> Path:
    """The formatted workbook for council staff (`workbook_bytes`), written atomically."""
    return write_bytes(target, workbook_bytes(tables, heading=heading, banner=banner,
                                              method_note=method_note))


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


def html_to_pdf(html_file: Path, target: Path) -> Path:
    """Render a local HTML file (the annex) to PDF with WeasyPrint; no browser needed."""
    html_file = Path(html_file)
    data = pdf_bytes(html_file.read_text(encoding="utf-8"),
                     base_url=html_file.resolve().parent.as_uri() + "/")
    return write_bytes(target, data)


# --- the guide to the CSV files (tables/LEESMIJ.txt) ----------------------------------------

#: Every column of the annex's CSV files, in Dutch (column names stay English for machines).
CSV_COLUMNS: dict[str, str] = {
    "indicator": "code van de indicator (vaste naam, gelijk in elk jaar)",
    "label": "naam van de indicator zoals in de bijlage",
    "kind": "soort uitkomst: percentage, rapportcijfer of schaalscore",
    "unit": "eenheid van de uitkomst, bijvoorbeeld '% veel overlast' of 'cijfer 1-10'",
    "polarity": "wat gunstig is: 1 = hoger is beter, -1 = lager is beter, 0 = neutraal",
    "year": "meetjaar",
    "base_year": "vergelijkingsjaar (de eerdere meting waartegen getoetst is)",
    "wijk_code": "CBS-code van de wijk",
    "wijk_naam": "naam van de wijk",
    "gemeente_code": "CBS-code van de gemeente",
    "gemeente": "naam van de gemeente",
    "estimate": "gewogen uitkomst (percentages als 0-100)",
    "se": "standaardfout van de uitkomst (design-based: weging en steekproefopzet meegerekend)",
    "ci_low": "ondergrens van het 95%-betrouwbaarheidsinterval",
    "ci_high": "bovengrens van het 95%-betrouwbaarheidsinterval",
    "n": "aantal respondenten met een antwoord (ongewogen)",
    "n_eff": "effectief aantal respondenten (Kish): n gecorrigeerd voor het effect van de weging",
    "indicatief": "True: uitkomst op weinig respondenten, alleen indicatief",
    "unreliable": "True: uitkomst onbetrouwbaar (te weinig effectieve respondenten of te brede "
                  "marge)",
    "suppressed": "True: te weinig respondenten, uitkomst niet getoond",
    "estimate_base": "uitkomst in het vergelijkingsjaar",
    "estimate_rest": "uitkomst in de rest van de gemeente (alle andere wijken samen)",
    "difference": "verschil (deze uitkomst min de vergelijking; bij percentages in "
                  "procentpunten)",
    "se_difference": "standaardfout van het verschil",
    "z": "toetsingsgrootheid z van het verschil",
    "p": "p-waarde van de toets (tweezijdig, zonder correctie)",
    "p_adjusted": "p-waarde na Benjamini-Hochberg-correctie voor het aantal toetsen in de tabel; "
                  "significant als kleiner dan {alpha}",
    "verdict": "uitkomst van de toets zonder oordeel: hoger, lager of geen verschil",
    "verdict_polarity": "uitkomst van de toets met oordeel: beter, slechter of gelijk (bij een "
                        "neutrale indicator hoger of lager)",
    "reason": "waarom niet getoetst (leeg als wel getoetst)",
    "judgement": "oordeel zoals in de bijlage, of waarom niet getoetst",
    "remark": "opmerking zoals in de bijlage: indicatief of onbetrouwbaar",
    "benchmark": "uitkomst van de benchmarkgroep",
    "benchmark_se": "standaardfout van de benchmark (uit het gepubliceerde 95%-interval)",
    "share": "aandeel p van de gemeente in de benchmark (voor de deel-geheelcorrectie)",
    "position": "positie t.o.v. de benchmark: beter, gelijk of slechter",
    "change": "verandering van de gemeente tussen de twee metingen",
    "change_benchmark": "verandering van de benchmark tussen de twee metingen",
    "development": "ontwikkeling t.o.v. de benchmark: beter, gelijk of slechter",
    "development_difference": "verschil in ontwikkeling: verandering gemeente min verandering "
                              "benchmark",
    "development_se": "standaardfout van het verschil in ontwikkeling",
    "development_z": "toetsingsgrootheid z van het verschil in ontwikkeling",
    "development_p": "p-waarde van het verschil in ontwikkeling (zonder correctie)",
    "development_p_adjusted": "p-waarde van het verschil in ontwikkeling na "
                              "Benjamini-Hochberg-correctie",
    "development_reason": "waarom de ontwikkeling niet getoetst is (leeg als wel getoetst)",
    "development_judgement": "oordeel over de ontwikkeling zoals in de bijlage",
    "first_year": "eerste meting van de trendperiode",
    "last_year": "laatste meting van de trendperiode",
    "n_waves": "aantal metingen in de trendperiode",
    "period": "trendperiode",
    "slope": "gewogen lineaire trend: verandering per jaar",
    "se_slope": "standaardfout van de trend per jaar",
    "crime_code": "code van de soort misdrijf (Politie/CBS)",
    "crime_label": "soort misdrijf",
    "count": "aantal (geregistreerde misdrijven of behandelde casussen)",
    "population": "aantal inwoners",
    "rate_per_1000": "aantal per 1.000 inwoners",
    "rate_per_10000": "aantal per 10.000 inwoners",
    "count_previous": "aantal in het jaar ervoor",
    "count_change_pct": "verandering t.o.v. het jaar ervoor, in procenten",
    "overleg": "overleg of casustype van het Veiligheidshuis",
    "opmerking": "opmerking, bijvoorbeeld 'geen bevolkingscijfer'",
    "rank": "plaats binnen de benchmarkgroep (1 = hoogste cijfer)",
    "n_ranked": "aantal gemeenten in de rangorde",
    "rank_text": "plaats binnen de benchmarkgroep als tekst, bijvoorbeeld '3 van 33'",
    "region_code": "CBS-code van de gemeente",
    "group_rate_per_1000": "aantal per 1.000 inwoners in de hele benchmarkgroep (som van de "
                           "misdrijven gedeeld door de som van de inwoners)",
    "others_rate_per_1000": "aantal per 1.000 inwoners in de benchmarkgroep zonder de gemeente "
                            "zelf",
    "ratio": "cijfer van de gemeente gedeeld door dat van de benchmarkgroep (1 = gelijk)",
    "n_members": "aantal gemeenten in de benchmarkgroep",
    "n_used": "aantal gemeenten van de groep met cijfers voor dat jaar",
    "group_crimes": "geregistreerde misdrijven in de hele benchmarkgroep",
    "group_population": "inwoners van de hele benchmarkgroep",
    "missing": "gemeenten van de groep zonder cijfers voor dat jaar (CBS-codes)",
    "theme": "thema van de indicator (leefbaarheid, overlast, veiligheid, slachtofferschap, ...)",
    "status": "of de levering de vragen van de indicator bevat: beschikbaar, gedeeltelijk of "
              "niet in deze levering",
    "proportion": "True: de uitkomst is een percentage (interval op de logit-schaal)",
    "row": "sleutel van de rij (indicator en wijk of periode), gelijk aan het anker in de "
           "bijlage",
    "definition": "hoe de schaalscore is berekend",
    "item": "code van de vraag (vaste naam in de indicatorcatalogus)",
    "question": "vraag of stelling zoals in de vragenlijst",
    "answers": "de antwoordmogelijkheden",
    "reversed": "ja: de stelling telt omgekeerd mee (eens is ongunstig)",
}
_YEAR_SUFFIX = re.compile(r"^(?P<base>.+)_(?P<year>(19|20)\d\d)$")


def column_description(name: str) -> str | None:
    """The Dutch description of a CSV column ('estimate_2013' -> the description of
    'estimate', meetjaar 2013; a column named after a year holds that year's value)."""
    if name in CSV_COLUMNS:
        return CSV_COLUMNS[name]
    if re.fullmatch(r"(19|20)\d\d", name):
        return f"uitkomst in {name}"
    match = _YEAR_SUFFIX.match(name)
    if match and match["base"] in CSV_COLUMNS:
        return f"{CSV_COLUMNS[match['base']]} (meting {match['year']})"
    return None


def csv_guide(tables: Sequence[AnnexTable], *, heading: str, banner: str | None = None,
              workbook: str | None = None, alpha: float = ALPHA) -> str:
    """LEESMIJ.txt for the CSV folder: what the files are, every column in Dutch, the label."""
    lines = [heading, ""]
    if banner:
        lines += [f"{style.banner_text(banner)}.", ""]
    lines += [
        "Elke tabel van de bijlage staat hier als CSV-bestand voor verdere bewerking: UTF-8,",
        "komma als scheidingsteken, punt als decimaalteken, één rij per uitkomst, met de",
        "onafgeronde getallen. De kolomnamen zijn Engels (vast voor programma's); hieronder",
        "staat wat elke kolom betekent. Lege cellen: geen waarde (niet getoetst of niet van",
        "toepassing). Wijken met te weinig respondenten staan er niet in.",
    ]
    if workbook:
        lines.append(f"Dezelfde tabellen, opgemaakt zoals in de bijlage: {workbook}.")
    lines += ["", "Bestanden", ""]
    files = [f"{t.key}.csv" for t in tables]
    width = max((len(f) for f in files), default=0)
    lines += [f"  {f:<{width}}  {t.caption}" for f, t in zip(files, tables, strict=True)]
    columns = list(dict.fromkeys(c for t in tables for c in t.data.columns))
    lines += ["", "Kolommen", ""]
    width = max((len(c) for c in columns), default=0)
    for column in columns:
        text = (column_description(column) or "zie de bijlage").replace(
            "{alpha}", alpha_decimal(alpha))
        lines.append(f"  {column:<{width}}  {text}")
    return "\n".join(lines) + "\n"


def write_csv_guide(tables: Sequence[AnnexTable], directory: Path, *, heading: str,
                    banner: str | None = None, workbook: str | None = None,
                    alpha: float = ALPHA) -> Path:
    """`<directory>/LEESMIJ.txt` (`csv_guide`), written atomically."""
    return write_text(directory / "LEESMIJ.txt",
                      csv_guide(tables, heading=heading, banner=banner, workbook=workbook,
                                alpha=alpha))
