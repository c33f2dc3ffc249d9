"""Writing the deck: `presentatie_<year>.pptx` beside the annex, byte-identical on rerun."""

from __future__ import annotations

import io
from pathlib import Path

from pptx.presentation import Presentation as Deck

from ivb_analysis import export
from ivb_analysis.annex.context import Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.atomic import write_bytes
from ivb_analysis.config import Settings
from ivb_analysis.deck.render import Renderer
from ivb_analysis.deck.story import storyline
from ivb_analysis.deck.template import missing_layouts, open_template

#: The key of `files:` in ivb.yaml naming the gemeente's .pptx/.potx template.
TEMPLATE_KEY = "deck_template"


def deck_name(year: int) -> str:
    return f"presentatie_{year}.pptx"


def template_path(settings: Settings) -> Path | None:
    """The delivery's template (inside the delivery, like every source), or None."""
    if getattr(settings.files, TEMPLATE_KEY, None) is None:
        return None
    return settings.path(TEMPLATE_KEY)


def template_problems(settings: Settings) -> list[str]:
    """For `ivb check`: the layouts the deck needs that the delivery's template lacks."""
    path = template_path(settings)
    if path is None or not path.is_file():
        return []
    return [f"het sjabloon {path.name} mist de opmaak '{lay}'; de presentatie gebruikt dan "
            "een eenvoudiger opmaak" for lay in missing_layouts(path)]


def build(annex: Annex, sections: list[Section]) -> Deck:
    """The deck of one year as a python-pptx presentation (in the template, if any)."""
    deck = open_template(template_path(annex.settings))
    renderer = Renderer(deck, annex.settings.banner)
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
    return deck


def deck_bytes(annex: Annex, sections: list[Section]) -> bytes:
    """The .pptx bytes: fixed zip dates and document properties (same input, same bytes)."""
    buffer = io.BytesIO()
    build(annex, sections).save(buffer)
    return export.normalize_zip(buffer.getvalue())


def write_deck(annex: Annex, sections: list[Section], directory: Path) -> Path:
    """`<directory>/presentatie_<year>.pptx` from the annex's computed sections."""
    return write_bytes(directory / deck_name(annex.year), deck_bytes(annex, sections))
