"""An accessible, archivable PDF from WeasyPrint: PDF/A-3a and PDF/UA-1 in one file.

WeasyPrint writes one PDF variant at a time. `pdf/a-3a` already asks for the tagged structure
PDF/UA needs (headings, lists, tables with their headers, figures with alt text, links with
their text) and adds the archival part (sRGB output intent, embedded fonts, a file identifier,
printable annotations). Three things PDF/UA-1 asks for on top are added here, around
WeasyPrint's own tagging and nowhere else:

- the running header and footer (CSS page-margin boxes) are marked as artefacts, not left as
  content outside the structure tree (Matterhorn 01-001);
- every table header cell gets a `/Scope` (`/Column`, or `/Row` for `<th scope="row">`);
- a link's description (`/Contents`) is its text (or its `title`), not the anchor it points to;
- the XMP metadata carry the PDF/UA identifier (`pdfuaid:part="1"`) beside the PDF/A one.

The hooks wrap two WeasyPrint functions for the duration of one `write_pdf` call
(`Stream.marked` and `pdf.tags._build_box_tree`, WeasyPrint 70, pinned in constraints.txt);
tests/e2e/test_pdf.py reads the result back with pikepdf, so a WeasyPrint upgrade that changes them
fails the tests instead of silently dropping a guarantee.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: PDF/A-3a: archival and tagged ("a": accessible) in the same WeasyPrint variant.
VARIANT = "pdf/a-3a"
_UA_NAMESPACE = b'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"'
_UA_PART = b'pdfuaid:part="1"'
#: The hooks patch WeasyPrint for the duration of one write: one write at a time per process.
_LOCK = threading.Lock()


def _margin_boxes(document) -> set[int]:
    """The ids of every box inside a page-margin box (running header and footer)."""
    from weasyprint.formatting_structure import boxes

    found: set[int] = set()

    def walk(box, inside: bool) -> None:
        inside = inside or isinstance(box, boxes.MarginBox)
        if inside:
            found.add(id(box))
        for child in getattr(box, "children", ()):
            walk(child, inside)

    for page in document.pages:
        walk(page._page_box, False)
    return found


@contextmanager
def _hooks(document) -> Iterator[None]:
    """Margin boxes as artefacts and table header cells with a scope, for one write."""
    import pydyf
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import stream as pdf_stream
    from weasyprint.pdf import tags as pdf_tags

    margins = _margin_boxes(document)
    marked, build = pdf_stream.Stream.marked, pdf_tags._build_box_tree

    @contextmanager
    def marked_or_artefact(self, box, tag):
        if id(box) in margins:  # a running header or footer: an artefact, no MCID
            with self.artifact():
                yield
        else:
            with marked(self, box, tag):
                yield

    def build_without_margins(box, parent, *args):
        if isinstance(box, boxes.MarginBox):
            return  # nothing of it was tagged (see above)
        if getattr(box, "link_annotation", None) is not None and box.element is not None:
            text = box.element.get("title") or " ".join("".join(box.element.itertext()).split())
            if text:
                box.link_annotation["Contents"] = pydyf.String(text)
        for element in build(box, parent, *args):
            if element["S"] == "/TH" and box.element is not None:
                row = box.element.attrib.get("scope") == "row"
                element["A"]["Scope"] = "/Row" if row else "/Column"
            yield element

    pdf_stream.Stream.marked = marked_or_artefact
    pdf_tags._build_box_tree = build_without_margins
    try:
        yield
    finally:
        pdf_stream.Stream.marked = marked
        pdf_tags._build_box_tree = build


def _add_ua_identifier(document, pdf) -> None:
    """`finisher` of write_pdf: the PDF/UA-1 identifier in the XMP metadata stream."""
    reference = int(pdf.catalog["Metadata"].split()[0])
    metadata = pdf.objects[reference]
    content = b"".join(metadata.stream)
    marker = b'pdfaid:part="3"'
    if marker not in content:  # pragma: no cover - WeasyPrint changed its XMP
        raise RuntimeError("PDF/A-identificatie niet gevonden in de XMP-metadata")
    metadata.stream = [content.replace(
        marker, b" ".join((_UA_NAMESPACE, _UA_PART, marker)), 1)]


def write(document) -> bytes:
    """A rendered WeasyPrint document as PDF/A-3a + PDF/UA-1 bytes."""
    with _LOCK, _hooks(document):
        return document.write_pdf(pdf_variant=VARIANT, finisher=_add_ua_identifier,
                                  uncompressed_pdf=False)
