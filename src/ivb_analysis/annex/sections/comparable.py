"""The last comparable wave: what the key findings and the summary figures compare with.

A comparison across the method break cannot be tested, so the key findings and the overview
figures prefer the main comparison wave (reference year, else the previous wave) when it lies on
the same side of the break, and otherwise the first wave after the break (and say so). Not a
section: a helper of the sections (no KEY, no build).
"""

from __future__ import annotations

from dataclasses import dataclass

from ivb_analysis.annex.common import spans_break
from ivb_analysis.annex.interface import Context as Annex


@dataclass(frozen=True)
class Base:
    """The wave to compare with (None: no comparable earlier wave) and the reader's words."""

    year: int | None
    #: True when the main comparison wave lies across the method break and was replaced.
    replaced: bool
    phrase: str


def comparable_base(annex: Annex) -> Base:
    """The main comparison wave when it is comparable; after a method break the first wave after
    the break (before this year); None when there is no comparable earlier wave."""
    main = annex.comparison.main
    brk = annex.settings.method_break
    if main is not None and not spans_break([main, annex.year], brk):
        return Base(main, False, f"vergeleken met {main}")
    after = [y for y in annex.settings.years if brk is not None and brk <= y < annex.year]
    if after:
        first = after[0]
        return Base(first, main is not None,
                    f"vergeleken met {first}, de eerste meting na de methodebreuk van {brk}")
    if main is None:
        return Base(None, False, "geen eerdere meting")
    return Base(None, True, f"{annex.year} is de eerste meting na de methodebreuk van {brk}: "
                            "er is nog geen vergelijkbare eerdere meting")
