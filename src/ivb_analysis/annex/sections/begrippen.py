"""Begrippen: the glossary for lay readers (terms used in the tables and notes)."""

from __future__ import annotations

import html

from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.method import glossary
from ivb_analysis.annex.model import Section
from ivb_analysis.config import Settings

KEY = "begrippen"


def glossary_html(settings: Settings, waves: list[int] | None = None) -> str:
    """The glossary as an escaped definition list (annex and reviewer pages)."""
    rows = "".join(f"<dt>{html.escape(term)}</dt><dd>{html.escape(text)}</dd>"
                   for term, text in glossary(settings, waves))
    return f'<dl class="begrippen">{rows}</dl>'


def build(annex: Annex) -> Section:
    return Section(KEY, "Begrippen", "Wat de woorden in de tabellen en figuren betekenen.",
                   html=glossary_html(annex.settings, annex.waves))
