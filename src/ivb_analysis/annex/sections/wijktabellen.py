"""Bijlage wijktabellen: per wijk indicator the full wijk table (value, interval, n, the rest of
the gemeente, the last comparable wave), compact and without figures; the overview is
`wijkoverzicht`."""

from __future__ import annotations

from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.annex.sections import wijk

KEY = "wijktabellen"


def build(annex: Annex) -> Section | None:
    tables = [t for t in (wijk.table_for(annex, i) for i in annex.selections.wijk_indicators)
              if t is not None]
    if not tables:
        annex.skipped[KEY] = "geen wijkcijfers in deze levering"
        return None
    return Section(KEY, "Bijlage: wijktabellen",
                   "Per wijkindicator alle wijken: waarde met 95%-interval, aantal "
                   "respondenten, de rest van de gemeente en de laatste vergelijkbare meting.",
                   tables=tables)
