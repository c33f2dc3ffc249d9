"""Writing the deck: `presentatie_<year>.pptx` beside the annex, byte-identical on rerun."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from pptx.presentation import Presentation as Deck

from ivb_analysis import export
from ivb_analysis.annex.context import Annex
from ivb_analysis.annex.model import FigureItem, Section
from ivb_analysis.atomic import write_bytes
from ivb_analysis.config import Settings
from ivb_analysis.deck.model import Slide
from ivb_analysis.deck.render import Renderer, figure_png
from ivb_analysis.deck.story import storyline
from ivb_analysis.deck.template import open_template

#: The key of `files:` in ivb.yaml naming the gemeente's .pptx/.potx template.
TEMPLATE_KEY = "deck_template"


def deck_name(year: int) -> str:
    return f"presentatie_{year}.pptx"


def template_path(settings: Settings) -> Path | None:
    """The delivery's template (inside the delivery, like every source), or None."""
    if getattr(settings.files, TEMPLATE_KEY, None) is None:
        return None
    return settings.path(TEMPLATE_KEY)


def render(annex: Annex, sections: list[Section], *, house_style: bool = False,
           figures_dir: Path | None = None) -> tuple[Deck, list[Slide]]:
    """The deck of one year as a python-pptx presentation, in the delivery's template (or the
    plain house style: without a template, or with `house_style`), and its slides as made (a
    slide too full for one slide is split in two). `figures_dir`: the annex's figures/, whose
    PNGs (the same bytes `figure_png` makes) are used instead of rendering them again."""
    deck = open_template(None if house_style else template_path(annex.settings))
    renderer = Renderer(deck, annex.settings.banner, _png_from(figures_dir))
    for spec in storyline(annex, sections):
        renderer.add(spec)
    props = deck.core_properties
    props.title = f"Waar staat {annex.gemeente}? Veiligheidsanalyse {annex.year}"
    props.subject = annex.source()
    props.author = props.last_modified_by = "ivb-analysis"
    props.keywords = annex.settings.banner or ""
    props.created = props.modified = export.FIXED_TIME
    props.last_printed = export.FIXED_TIME
    props.revision = 1
    props.language = "nl-NL"
    return deck, renderer.rendered


def _png_from(figures_dir: Path | None) -> Callable[[FigureItem], bytes]:
    def png(item: FigureItem) -> bytes:
        saved = figures_dir / f"{item.key}.png" if figures_dir is not None else None
        return saved.read_bytes() if saved is not None and saved.is_file() else figure_png(item)

    return png


def deck_bytes(annex: Annex, sections: list[Section], *, house_style: bool = False,
               figures_dir: Path | None = None) -> bytes:
    """The .pptx bytes: fixed zip dates and document properties (same input, same bytes)."""
    buffer = io.BytesIO()
    render(annex, sections, house_style=house_style, figures_dir=figures_dir)[0].save(buffer)
    return export.normalize_zip(buffer.getvalue())


def write_deck(annex: Annex, sections: list[Section], directory: Path) -> Path:
    """`<directory>/presentatie_<year>.pptx` from the annex's computed sections (the figures'
    PNGs from `<directory>/figures/` when the annex wrote them there)."""
    return write_bytes(directory / deck_name(annex.year),
                       deck_bytes(annex, sections, figures_dir=directory / "figures"))
