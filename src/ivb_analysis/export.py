"""Every file the annex writes, byte-reproducible and atomic: figures, CSV, XLSX and PDF.

Same inputs and the same locked environment give the same bytes: no timestamps or software
versions in SVG/PDF/PNG (matplotlib metadata set to None, a fixed `svg.hashsalt`), CSV with fixed
line endings, an XLSX whose document properties and zip entry dates are fixed, and a WeasyPrint
PDF with fixed dates and generator (its identifier is a hash of the content). Every file goes
through `atomic.write_*`.

CSV and workbook carry the numbers as published (`suppression.published`: survey numbers
rounded) and never a formula: every workbook text is a text cell, and a CSV text starting with
= + - @, tab or CR gets a leading single quote (OWASP, CSV injection).
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ivb_analysis import accessible_pdf, style
from ivb_analysis.atomic import write_bytes, write_text
from ivb_analysis.defaults import ALPHA, alpha_decimal
from ivb_analysis.figures import PRINT_DPI, figure_bytes
from ivb_analysis.suppression import published
from ivb_analysis.tables import AnnexTable
from ivb_analysis.workbook import (  # noqa: F401 (the workbook's API, saved here)
    FIXED_TIME,
    FORMULA_START,
    METHOD_SHEET,
    ZIP_TIME,
    normalize_zip,
    sheet_name,
    workbook_bytes,
)

FIGURE_FORMATS = ("svg", "pdf", "png")


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

def neutral_text(value: object) -> object:
    """A text cell that no spreadsheet reads as a formula: "'=1+2" for "=1+2" (OWASP);
    anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as it is published: survey numbers rounded (`suppression.published`), text
    cells neutralised (`neutral_text`)."""
    out = published(frame)
    text = [c for c in out.columns if out[c].dtype == object or pd.api.types.is_string_dtype(
        out[c])]
    if text:
        out = out.copy() if out is frame else out
        for column in text:
            out[column] = out[column].map(neutral_text)
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """Tidy CSV for machines: UTF-8, comma-separated, point decimals, '\\n' line ends, survey
    numbers rounded and no cell a spreadsheet would run as a formula (`csv_frame`)."""
    return csv_frame(frame).to_csv(index=False, lineterminator="\n")


def write_csv(frame: pd.DataFrame, target: Path) -> Path:
    return write_text(target, csv_text(frame))


def write_workbook(tables: Sequence[AnnexTable], target: Path, *, heading: str,
                   banner: str | None = None,
                   method_note: Sequence[str] | str | None = None) -> Path:
    """The formatted workbook for council staff (`workbook_bytes`), written atomically."""
    return write_bytes(target, workbook_bytes(tables, heading=heading, banner=banner,
                                              method_note=method_note))


# --- PDF of the HTML annex ------------------------------------------------------------------------

PRINT_CSS = Path(__file__).parent / "templates" / "print.css"
#: Creation and modification date written into every PDF (W3C date; no clock in the bytes).
PDF_GENERATOR = "ivb-analysis"
PRINT_CSS_MARK = "ivb-analysis print.css"  # the first line of print.css


def print_css() -> str:
    """The paged-media rules of the annex (A4, running header/footer, TOC page numbers,
    bookmarks, no orphaned captions or sources); the annex page includes them too. Colours
    with a role (`${banner}`) come from `style`."""
    return string.Template(PRINT_CSS.read_text(encoding="utf-8")).substitute(
        banner=style.BANNER)


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
    """HTML rendered to an A4 PDF by WeasyPrint with `print.css`: tagged PDF/UA-1 and PDF/A-3a
    (`accessible_pdf`), byte-identical on rerun (dates from the page's `dcterms.created` /
    `dcterms.modified`, a fixed generator, an identifier hashed from the content)."""
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
        document.metadata.generator = PDF_GENERATOR
        return accessible_pdf.write(document)
    finally:
        logger.setLevel(level)


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
        "komma als scheidingsteken, punt als decimaalteken, één rij per uitkomst. De",
        "kolomnamen zijn Engels (vast voor programma's); hieronder staat wat elke kolom",
        "betekent. Lege cellen: geen waarde (niet getoetst of niet van toepassing).",
        "",
        "Afronding: uitkomsten uit de enquête staan er met niet meer decimalen in dan de",
        "steekproef draagt: uitkomsten, intervalgrenzen en verschillen op 2 decimalen,",
        "standaardfouten op 3, z op 2, p-waarden op 4 (afgekapt, zodat een p-waarde hier",
        f"kleiner is dan {alpha_decimal(alpha)} precies als in de toets) en het effectieve "
        "aantal respondenten op een heel getal;",
        "verder afgerond geeft elk getal hetzelfde als in de bijlage.",
        "",
        "Privacy: wijken met te weinig respondenten staan er niet in, en ook niet de wijken",
        "die nodig zijn om zo'n wijk niet uit het cijfer voor de hele gemeente terug te",
        "rekenen; naast een niet getoonde wijk staan de rest van de gemeente en het verschil",
        "ermee er niet in.",
        "",
        "Formules: een tekstcel die begint met =, +, -, @, een tab of een harde return krijgt",
        "een enkel aanhalingsteken ervoor ('=...), zodat een spreadsheet er nooit een formule",
        "van maakt; haal het weg als u de tekst zelf nodig hebt. In het werkboek is elke",
        "tekst een tekstcel.",
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
