"""The ordered registry of sections: adding a section is one module and one line here."""

from __future__ import annotations

from collections.abc import Callable

from ivb_analysis.annex.context import Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.annex.sections import (
    begrippen,
    footprint,
    hoofdlijnen,
    items,
    kerncijfers,
    politie,
    slachtofferschap,
    slachtofferschap_wijk,
    trends,
    veiligheidshuis,
    wijkoverzicht,
    wijktabellen,
)
from ivb_analysis.catalogue import Selections

Builder = Callable[[Annex], "Section | None"]


def builders(selections: Selections) -> dict[str, Builder]:
    """Section key -> build function, in annex order (the wijken as one overview; their full
    tables in the appendix `wijktabellen`)."""
    out: dict[str, Builder] = {
        hoofdlijnen.KEY: hoofdlijnen.build,
        kerncijfers.KEY: kerncijfers.build,
        footprint.KEY: footprint.build,
    }
    out[wijkoverzicht.KEY] = wijkoverzicht.build
    out.update({
        trends.KEY: trends.build,
        slachtofferschap.KEY: slachtofferschap.build,
        slachtofferschap_wijk.KEY: slachtofferschap_wijk.build,
        politie.KEY: politie.build,
        veiligheidshuis.KEY: veiligheidshuis.build,
        items.KEY: items.build,
        begrippen.KEY: begrippen.build,
        wijktabellen.KEY: wijktabellen.build,
    })
    return out
