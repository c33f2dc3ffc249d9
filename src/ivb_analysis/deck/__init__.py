"""The deck for the political market: the seed's slides, generated from the annex's sections.

`write_deck(annex, sections, directory)` writes `presentatie_<year>.pptx` beside the annex, in
the gemeente's template (`files: deck_template:` in ivb.yaml) or the plain house style.
"""

from ivb_analysis.deck.template import ROLES, missing_layouts, template_findings
from ivb_analysis.deck.write import (
    TEMPLATE_KEY,
    deck_bytes,
    deck_name,
    render,
    write_deck,
)

__all__ = ["ROLES", "TEMPLATE_KEY", "deck_bytes", "deck_name", "missing_layouts", "render",
           "template_findings", "write_deck"]
