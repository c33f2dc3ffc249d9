"""The declared sections of the annex, in annex order: adding a section is one module in
`annex.sections` and one line here (its key, builder, the notebook that shows it and whether it
feeds the key findings). The TOC, PDF bookmarks, CSV, workbook, notebooks' `show` (a test checks
notebooks/*.py) and the key findings all read this one list."""

from __future__ import annotations

from functools import partial

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
    wijk,
)
from ivb_analysis.catalogue import Selections

#: Wijk indicators shown in another notebook than `wijkprofielen` (the seed's first page).
WIJK_NOTEBOOK = {"rapportcijfer_leefbaarheid": "staat_van_de_stad",
                 "rapportcijfer_veiligheid": "staat_van_de_stad"}


def _wijk_specs(selections: Selections) -> list[SectionSpec]:
    """One wijk section per selected wijk indicator (catalogue.yaml `selections`)."""
    return [SectionSpec(wijk.key(i), partial(wijk.build_for, indicator=i),
                        WIJK_NOTEBOOK.get(i, "wijkprofielen"), findings="wijk")
            for i in selections.wijk_indicators]


def specs(selections: Selections) -> list[SectionSpec]:
    """Every section of the annex, in annex order."""
    return [
        SectionSpec(hoofdlijnen.KEY, hoofdlijnen.build, "staat_van_de_stad"),
        SectionSpec(kerncijfers.KEY, kerncijfers.build, "staat_van_de_stad", findings="gemeente"),
        SectionSpec(footprint.KEY, footprint.build, "g32_footprint"),
        *_wijk_specs(selections),
        SectionSpec(trends.KEY, trends.build, "trends"),
        SectionSpec(slachtofferschap.KEY, slachtofferschap.build, "wijkprofielen",
                    findings="gemeente"),
        SectionSpec(slachtofferschap_wijk.KEY, slachtofferschap_wijk.build, "wijkprofielen",
                    findings="rest"),
        SectionSpec(politie.KEY, politie.build, "politie_en_veiligheidshuis"),
        SectionSpec(veiligheidshuis.KEY, veiligheidshuis.build, "politie_en_veiligheidshuis"),
        SectionSpec(items.KEY, items.build, "wijkprofielen"),
        SectionSpec(begrippen.KEY, begrippen.build, EVERY_NOTEBOOK),
    ]
