"""The page-one answer and the "Positief / Maar" slides, from the Hoofdlijnen section's lines.

The deck takes the section's own sentences (`hoofdlijnen.collect`: each a `findings.Finding`
with its kind) and keeps only those the section shows (its escaped text is in the section's
markup): whatever page one says, the deck says, no second set of rules. The answer slide holds
every page-one line; the "Positief / Maar" slides sort the tested lines per focus area (the whole
gemeente, then the focus wijk) by their kind or, for a line of several results, by the verdict
word of each of its parts.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ivb_analysis import findings
from ivb_analysis.annex.context import Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.annex.sections import hoofdlijnen
from ivb_analysis.deck.model import Block, Slide
from ivb_analysis.tables import row_anchor

#: The seed's word for the points of attention on a slide.
BUT = "Maar"
#: A finding longer than this is not a title (it stays on the slide as its first line).
TITLE_MAX = 90
#: Kinds of a page-one line that state a tested change (sorted by their verdict words).
CHANGE_KINDS = ("verandering", "trend", "focus")
_BETTER = re.compile(r"\bbeter\b")
_WORSE = re.compile(r"\bslechter\b")
#: The anchors of page-one lines about the benchmark group (rows of the footprint table).
_BENCHMARK_ROW = row_anchor(hoofdlijnen.FOOTPRINT, "x").removesuffix("x")


@dataclass
class Area:
    """One focus area (the gemeente, the focus wijk): its positive and attention points and
    the lines that are neither (stable, registrations)."""

    name: str
    positive: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


def read(annex: Annex, section: Section) -> tuple[list[findings.Finding], str,
                                                  list[findings.Finding]]:
    """The page-one lines, the focus wijk's name and its block, as the section shows them."""
    lines, name, block = hoofdlijnen.collect(annex)

    def shown(items: list[findings.Finding]) -> list[findings.Finding]:
        return [f for f in items if html.escape(f.text) in section.html]

    return shown(lines), name, shown(block)


def _parts(text: str) -> list[tuple[str, str]]:
    """('positief'|'aandachtspunt', part) per part of a line of several tested results: the
    parts are its '; '-separated clauses, each with the line's lead ('Vergeleken met 2013: ')."""
    head, sep, rest = text.partition(": ")
    if not sep:
        head, rest = "", text
    out = []
    for part in rest.rstrip(".").split("; "):
        better, worse = bool(_BETTER.search(part)), bool(_WORSE.search(part))
        shown = f"{head}: {part}" if head else part
        if worse:
            out.append(("aandachtspunt", shown))
        if better and not worse:
            out.append(("positief", shown))
    return out


def area(name: str, lines: list[findings.Finding]) -> Area:
    """A focus area's points: positief/aandachtspunt lines whole, change lines by part."""
    out = Area(name)
    for line in lines:
        if line.kind == "positief":
            out.positive.append(line.text)
        elif line.kind == "aandachtspunt":
            out.attention.append(line.text)
        elif line.kind in CHANGE_KINDS and _parts(line.text):
            for kind, part in _parts(line.text):
                (out.positive if kind == "positief" else out.attention).append(part)
        else:
            out.other.append(line.text)
    return out


def answer_slide(annex: Annex, section: Section, notes: list[str]) -> Slide:
    """Where the gemeente stands: every page-one line; in the title the tested development
    against the benchmark group (the seed's "positie t.o.v. G32 verslechtert") when page one
    judges it, else the question."""
    lines, _, _ = read(annex, section)
    message = next((f.text.split(":")[0] for f in lines
                    if f.kind in ("positief", "aandachtspunt") and f.anchor
                    and f.anchor.startswith(_BENCHMARK_ROW)), "")
    title = message if message and len(message) <= TITLE_MAX else \
        f"Waar staat {annex.gemeente} in {annex.year}?"
    texts = [f.text for f in lines]
    return Slide(title, "tekst", blocks=[Block(None, texts or [section.text])],
                 notes=[section.text, *(_with_family(f) for f in lines), *notes],
                 section=section.key)


def _with_family(line: findings.Finding) -> str:
    return f"{line.text} [{line.family}]" if line.family else line.text


def theme_slides(annex: Annex, section: Section) -> list[Slide]:
    """One "Positief / Maar" slide per focus area with a tested point: heel <gemeente>, then
    the focus wijk (the seed's "Prioriteit Binnenstad")."""
    lines, name, block = read(annex, section)
    areas = [area(f"Heel {annex.gemeente}", lines)]
    if name:
        areas.append(area(name, block))
    slides = []
    for part, source in zip(areas, (lines, block), strict=False):
        if not (part.positive or part.attention):
            continue
        if part.positive and part.attention:
            title = f"{part.name}: positief, maar ook aandachtspunten"
        elif part.positive:
            title = f"{part.name}: positief"
        else:
            title = f"{part.name}: aandachtspunten"
        blocks = [Block(findings.POSITIVE, part.positive or ["geen significante verbetering"]),
                  Block(f"{BUT}:", part.attention or ["geen significante verslechtering"])]
        slides.append(Slide(title, "kolommen", blocks=blocks,
                            notes=[*(_with_family(f) for f in source), section.text],
                            section=section.key))
    return slides
