"""The page-one answer and the "Positief / Maar" slides, read from the Hoofdlijnen section.

The deck reads the section exactly as the annex shows it (its escaped markup): the sentences
before the first theme heading are the answer to "Waar staat <gemeente>?"; each theme heading
with its "Positief" and "Aandachtspunten" lists becomes one "Positief / Maar" slide. Whatever the
section says, the deck says: no second set of rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from ivb_analysis import findings
from ivb_analysis.annex.model import Section
from ivb_analysis.deck.model import Block, Slide

#: The seed's word for the points of attention on a slide.
BUT = "Maar"
#: A finding longer than this is not a title (it stays on the slide as its first line).
TITLE_MAX = 90
_HEADINGS = {"h2", "h3", "h4", "h5"}


@dataclass
class Theme:
    """One heading of the section with its positive and attention bullets and other lines."""

    heading: str
    positive: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


class _Blocks(HTMLParser):
    """The section's markup as (tag, class, text) blocks in reading order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, str]] = []
        self._open: tuple[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"p", "li", *_HEADINGS}:
            self._flush()
            self._open = (tag, dict(attrs).get("class") or "")

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag == self._open[0]:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        if self._open is not None and text:
            self.blocks.append((*self._open, text))
        self._open, self._text = None, []


def read(section: Section) -> tuple[list[str], list[Theme]]:
    """The lead sentences and the themes of a Hoofdlijnen section."""
    parser = _Blocks()
    parser.feed(section.html)
    parser.close()
    lead: list[str] = []
    themes: list[Theme] = []
    target: list[str] | None = None
    for tag, css, text in parser.blocks:
        if tag in _HEADINGS:
            themes.append(Theme(text))
            target = themes[-1].other
        elif not themes:
            lead.append(text)
        elif css == "kop" and text == findings.POSITIVE:
            target = themes[-1].positive
        elif css == "kop" and text == findings.ATTENTION:
            target = themes[-1].attention
        elif tag == "li" and target is not None:
            target.append(text)
        else:
            themes[-1].other.append(text)
            target = themes[-1].other
    return lead, themes


def answer_slide(section: Section, gemeente: str, year: int, notes: list[str]) -> Slide:
    """Where the gemeente stands: the lead sentences and the benchmark theme, one slide."""
    lead, themes = read(section)
    bench = [t for t in themes if t.heading.lower().startswith("positie")]
    lines = list(lead)
    message = ""
    for theme in bench:
        lines += theme.attention + theme.positive + theme.other
        message = message or next(iter(theme.attention + theme.positive), "")
    title = message if message and len(message) <= TITLE_MAX else \
        f"Waar staat {gemeente} in {year}?"
    lines = [line for line in lines if line != title]
    return Slide(title, "tekst", blocks=[Block(None, lines or [section.text])],
                 notes=[section.text, *lines, *notes], section=section.key)


def theme_slides(section: Section) -> list[Slide]:
    """One "Positief / Maar" slide per theme with a positive or attention bullet."""
    _, themes = read(section)
    slides = []
    for theme in themes:
        if theme.heading.lower().startswith("positie"):
            continue
        if not (theme.positive or theme.attention):
            continue
        if theme.positive and theme.attention:
            title = f"{theme.heading}: positief, maar ook aandachtspunten"
        elif theme.positive:
            title = f"{theme.heading}: positieve ontwikkeling"
        else:
            title = f"{theme.heading}: aandachtspunten"
        blocks = [Block(findings.POSITIVE, theme.positive or ["geen significante verbetering"]),
                  Block(f"{BUT}:", theme.attention or ["geen significante verslechtering"])]
        slides.append(Slide(title, "kolommen", blocks=blocks,
                            notes=[*theme.positive, *theme.attention, *theme.other,
                                   section.text],
                            subtitle=" ".join(theme.other), section=section.key))
    return slides
