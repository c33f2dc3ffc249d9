"""What a section of the annex is made of: a heading, short text, figures and tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ivb_analysis import figures
from ivb_analysis.tables import AnnexTable


@dataclass
class FigureItem:
    """One figure of the annex: file name stem, caption and the figure itself."""

    key: str
    title: str
    figure: figures.AnnexFigure
    number: int | None = None

    @property
    def caption(self) -> str:
        return f"Figuur {self.number}. {self.title}" if self.number else self.title

    @property
    def alt_text(self) -> str:
        return self.figure.alt_text


@dataclass
class Section:
    """A section of the annex: heading, short text, figures and tables (in that order).

    `html` is pre-built, already escaped markup shown before the figures (the key findings'
    bullet lists, the glossary); everything else is plain text escaped when the page is built.
    """

    key: str
    title: str
    text: str
    figures: list[FigureItem] = field(default_factory=list)
    tables: list[AnnexTable] = field(default_factory=list)
    html: str = ""

    def figure(self, key: str | None = None) -> figures.AnnexFigure:
        """The section's figure (the first, or the one with this key)."""
        for item in self.figures:
            if key is None or item.key == key:
                return item.figure
        raise KeyError(f"sectie {self.key} heeft geen figuur {key!r}")

    def table(self, key: str | None = None) -> AnnexTable:
        for table in self.tables:
            if key is None or table.key == key:
                return table
        raise KeyError(f"sectie {self.key} heeft geen tabel {key!r}")

    def _repr_html_(self) -> str:
        """In a notebook: the section exactly as in the annex (figures as inline SVG)."""
        if _html is None:
            raise RuntimeError("no HTML renderer: import ivb_analysis.annex")
        return _html(self)


#: How a Section shows itself as HTML: `annex.page.section_html`, installed by the package
#: `ivb_analysis.annex` on import (page builds on this module, so this module cannot import it).
_html: Callable[[Section], str] | None = None


def set_html_renderer(render: Callable[[Section], str]) -> None:
    """Install the one HTML builder sections use in notebooks (`_repr_html_`)."""
    global _html
    _html = render
