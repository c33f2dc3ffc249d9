"""The deck's template: the gemeente's own .pptx/.potx (layouts, fonts, colours, logo) or the
plain house style, and which of the layouts the deck needs a template lacks.

A layout is found by its name (English or Dutch PowerPoint names) and otherwise by its
placeholders (a title and a subtitle; a title and one content area; a title and two; a title
only), so a template with its own layout names still works.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.presentation import Presentation as Deck
from pptx.slide import SlideLayout
from pptx.util import Emu, Inches

from ivb_analysis.config import Settings
from ivb_analysis.errors import InputError

_POTX = b"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
_PPTX = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
#: The plain house style: 16:9 (the default template is 4:3 and is widened).
WIDE = (Inches(13.333), Inches(7.5))

_TITLES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE}
_CONTENT = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT}


def _types(layout: SlideLayout) -> list[PP_PLACEHOLDER]:
    return [ph.placeholder_format.type for ph in layout.placeholders]


def _has_title(layout: SlideLayout) -> bool:
    return any(t in _TITLES for t in _types(layout))


def _content_count(layout: SlideLayout) -> int:
    return sum(t in _CONTENT for t in _types(layout))


@dataclass(frozen=True)
class Role:
    """A layout the deck needs: its Dutch description, known names and placeholder shape."""

    key: str
    description: str
    names: frozenset[str]
    fits: Callable[[SlideLayout], bool]


ROLES = (
    Role("titel", "titeldia (titel en ondertitel)",
         frozenset({"title slide", "titeldia"}),
         lambda lay: _has_title(lay) and PP_PLACEHOLDER.SUBTITLE in _types(lay)),
    Role("inhoud", "titel en inhoud (één tekstvak)",
         frozenset({"title and content", "titel en object", "titel en inhoud"}),
         lambda lay: _has_title(lay) and _content_count(lay) == 1),
    Role("twee", "twee inhoudsvakken (titel en twee tekstvakken)",
         frozenset({"two content", "twee objecten", "twee inhoudsvakken", "twee inhoud"}),
         lambda lay: _has_title(lay) and _content_count(lay) == 2),
    Role("alleen_titel", "alleen titel (titel zonder inhoudsvak)",
         frozenset({"title only", "alleen titel"}),
         lambda lay: _has_title(lay) and _content_count(lay) == 0
         and PP_PLACEHOLDER.SUBTITLE not in _types(lay)),
)
ROLE = {r.key: r for r in ROLES}


def find_layout(deck: Deck, role: str) -> SlideLayout | None:
    """The template's layout for `role`: by name first, else by its placeholders."""
    spec = ROLE[role]
    layouts = list(deck.slide_layouts)
    for layout in layouts:
        if layout.name.strip().lower() in spec.names:
            return layout
    return next((lay for lay in layouts if spec.fits(lay)), None)


def open_template(path: Path | None) -> Deck:
    """The template as an empty presentation (its own slides removed); None: the house style."""
    if path is None:
        deck = Presentation()
        _widen(deck)
        return deck
    if not path.is_file():
        raise InputError("sjabloon voor de presentatie niet gevonden", file=path,
                         column="files.deck_template", expected="een .pptx- of .potx-bestand "
                         "in de levering")
    data = path.read_bytes()
    try:
        deck = Presentation(io.BytesIO(_as_presentation(data)))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError("sjabloon is geen PowerPoint-bestand (.pptx of .potx)", file=path,
                         expected="een .pptx- of .potx-sjabloon", found=str(exc)) from None
    _drop_slides(deck)
    return deck


def missing_layouts(path: Path) -> list[str]:
    """The layouts the deck needs that the template lacks (Dutch descriptions); [] if none."""
    deck = open_template(path)
    return [r.description for r in ROLES if find_layout(deck, r.key) is None]


def template_findings(settings: Settings) -> list[tuple[str, str]]:
    """For `ivb check`: (level, text) about the delivery's template: which needed layouts it
    lacks (a warning: the deck falls back on a simpler layout), or why it cannot be used."""
    pattern = settings.files.deck_template
    if pattern is None:
        return []
    try:
        path = settings.path("deck_template")
        missing = missing_layouts(path)
    except InputError as error:
        return [("fout", str(error))]
    if not missing:
        return [("info", f"sjabloon {Path(pattern).name}: alle opmaken voor de presentatie "
                         "gevonden")]
    return [("waarschuwing", f"sjabloon {Path(pattern).name} mist de opmaak '{lay}' (op naam "
                             "of op tekstvakken); de presentatie valt daar terug op een "
                             "eenvoudiger opmaak") for lay in missing]


def _as_presentation(data: bytes) -> bytes:
    """A .potx with the content type of a .pptx (python-pptx opens only the latter)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        types = source.read("[Content_Types].xml")
        if _POTX not in types:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                content = source.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    content = content.replace(_POTX, _PPTX)
                target.writestr(info, content)
    return out.getvalue()


def _drop_slides(deck: Deck) -> None:
    """Remove the template's example slides (the deck adds its own)."""
    ids = deck.slides._sldIdLst
    for sld in list(ids):
        deck.part.drop_rel(sld.rId)
        ids.remove(sld)


def _widen(deck: Deck) -> None:
    """The default 4:3 template as 16:9: every master and layout shape stretched sideways."""
    factor = WIDE[0] / deck.slide_width
    deck.slide_width, deck.slide_height = WIDE
    masters = list(deck.slide_masters)
    for shapes in [m.shapes for m in masters] + [lay.shapes for lay in deck.slide_layouts]:
        for shape in shapes:
            if shape._element.xpath("./p:spPr/a:xfrm"):
                shape.left = Emu(round(shape.left * factor))
                shape.width = Emu(round(shape.width * factor))
