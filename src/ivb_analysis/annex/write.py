"""Writing one year's annex: figures/, tables/ (CSV, LEESMIJ.txt, workbook), bijlage.html and
bijlage.pdf (WeasyPrint: no browser needed)."""

from __future__ import annotations

from pathlib import Path

from ivb_analysis import export
from ivb_analysis.annex.context import Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.annex.page import annex_html
from ivb_analysis.atomic import write_text
from ivb_analysis.config import Settings


class DuplicateKeyError(ValueError):
    """Two tables (or two figures) of one annex share a key: one file would overwrite the other.
    A programming error in a section module, never a problem of the delivery."""


def check_unique_keys(sections: list[Section]) -> None:
    """Refuse two tables or two figures with one key (their files would overwrite each other)."""
    for kind, keyed in (("table", [(s.key, t.key) for s in sections for t in s.tables]),
                        ("figure", [(s.key, f.key) for s in sections for f in s.figures])):
        owner: dict[str, str] = {}
        for section, key in keyed:
            if key in owner:
                raise DuplicateKeyError(
                    f"{kind} key {key!r} is used by section {owner[key]!r} and by section "
                    f"{section!r}: every {kind} of the annex needs its own key (file name)")
            owner[key] = section


def year_dir(settings: Settings, year: int) -> Path:
    return settings.output_dir / str(year)


def workbook_name(year: int) -> str:
    return f"tabellen_{year}.xlsx"


def write_annex(settings: Settings, year: int, *, pdf: bool = False) -> list[Path]:
    """Write figures/, tables/, bijlage.html (and bijlage.pdf) for one year; returns the paths.

    The comparison years come from `settings` only (contract 1: `reference_year`,
    `benchmark_waves`), so the annex and the notebooks of one run state the same years. The
    tables go out three ways: one CSV per table with `tables/LEESMIJ.txt` explaining every
    column in Dutch, and the workbook for council staff (a sheet per table, with the method
    note under each). The PDF is the page itself rendered by WeasyPrint (`export.html_to_pdf`).
    """
    annex = Annex(settings, year)
    sections = annex.sections()
    check_unique_keys(sections)
    out = year_dir(settings, year)
    written: list[Path] = []
    svg: dict[str, bytes] = {}
    for section in sections:
        for item in section.figures:
            saved = export.save_figure(item.figure, out / "figures", item.key)
            svg[item.key] = saved[0].read_bytes()
            written += saved
        for table in section.tables:
            written.append(export.write_csv(table.data, out / "tables" / f"{table.key}.csv"))
    all_tables = [t for s in sections for t in s.tables]
    book = workbook_name(year)
    heading = f"Waar staat {settings.gemeente_naam}? Tabellen bij de bijlage {year}"
    written.append(export.write_csv_guide(all_tables, out / "tables", heading=heading,
                                          banner=settings.banner, workbook=book,
                                          alpha=settings.alpha))
    written.append(export.write_workbook(all_tables, out / "tables" / book,
                                         banner=settings.banner, heading=heading,
                                         method_note=annex.method_note()))
    page = write_text(out / "bijlage.html", annex_html(annex, sections, workbook=book, svg=svg))
    written.append(page)
    from ivb_analysis.deck import write_deck  # presentatie_<year>.pptx (issue 24)
    written.append(write_deck(annex, sections, out))
    if pdf:
        written.append(export.html_to_pdf(page, out / "bijlage.pdf"))
    return written
