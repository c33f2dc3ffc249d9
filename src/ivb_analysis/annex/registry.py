"""The declared sections of the annex, in annex order: adding a section is one module in
`annex.sections` and one line here (its key, builder, the notebook that shows it and whether it
feeds the key findings). The TOC, PDF bookmarks, CSV, workbook, notebooks' `show` (a test checks
notebooks/*.py) and the key findings all read this one list."""

from __future__ import annotations

from ivb_analysis.annex.interface import EVERY_NOTEBOOK, SectionSpec
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


def specs(selections: Selections) -> list[SectionSpec]:
    """Every section of the annex, in annex order (the wijken as one overview; their full
    tables in the appendix `wijktabellen`). `selections` (catalogue.yaml) chooses the wijk
    indicators the overview and the appendix show."""
    return [
        SectionSpec(hoofdlijnen.KEY, hoofdlijnen.build, "staat_van_de_stad"),
        SectionSpec(kerncijfers.KEY, kerncijfers.build, "staat_van_de_stad", findings="gemeente"),
        SectionSpec(footprint.KEY, footprint.build, "g32_footprint"),
        SectionSpec(wijkoverzicht.KEY, wijkoverzicht.build, "wijkprofielen", findings="wijk"),
        SectionSpec(trends.KEY, trends.build, "trends"),
        SectionSpec(slachtofferschap.KEY, slachtofferschap.build, "wijkprofielen",
                    findings="gemeente"),
        SectionSpec(slachtofferschap_wijk.KEY, slachtofferschap_wijk.build, "wijkprofielen",
                    findings="rest"),
        SectionSpec(politie.KEY, politie.build, "politie_en_veiligheidshuis"),
        SectionSpec(veiligheidshuis.KEY, veiligheidshuis.build, "politie_en_veiligheidshuis"),
        SectionSpec(items.KEY, items.build, "wijkprofielen"),
        SectionSpec(begrippen.KEY, begrippen.build, EVERY_NOTEBOOK),
        SectionSpec(wijktabellen.KEY, wijktabellen.build, "wijkprofielen"),
    ]
