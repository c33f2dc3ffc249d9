"""The council annex of one year ("Waar staat <gemeente>?"): every section's figures and tables.

`Annex(settings, year)` (the context: inputs, caches, settings, comparison years) builds each
section once through the declared specs (`annex.registry`, one module per section in
`annex.sections`, each typed against the `Context` interface of `annex.interface`);
`write_annex` exports them (figures/, tables/, bijlage.html, optionally bijlage.pdf).
The notebook facade (`report.Wave`) shows the very same Section objects, so a
notebook and the annex can never disagree.
"""

from functools import partial

from ivb_analysis.annex.context import Annex, comparison_years, previous_wave
from ivb_analysis.annex.interface import Comparison, Context, SectionSpec
from ivb_analysis.annex.method import glossary, method_note
from ivb_analysis.annex.model import FigureItem, Section, set_html_renderer
from ivb_analysis.annex.page import annex_html, esc, section_html, table_html
from ivb_analysis.annex.write import workbook_name, write_annex, year_dir

set_html_renderer(partial(section_html, level=3))

__all__ = [
    "Annex",
    "Comparison",
    "Context",
    "FigureItem",
    "Section",
    "SectionSpec",
    "annex_html",
    "comparison_years",
    "esc",
    "glossary",
    "method_note",
    "previous_wave",
    "section_html",
    "table_html",
    "workbook_name",
    "write_annex",
    "year_dir",
]
