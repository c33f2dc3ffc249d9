"""The annex as a print document: WeasyPrint renders the 2015 annex of the small delivery
`data/raw/mini` to an A4 PDF; its text and outline are read back with pypdf and checked as a
council member would page through it (bookmarks, a table of contents whose page numbers are
right, every table complete, no source line orphaned from its table, the label on every page).
Its structure is read back with pikepdf and checked against PDF/UA-1 (tagged, every figure with
its alt text, tables with header cells and scope, headings without skipped levels, running
header and footer as artefacts, language, title, the PDF/UA and PDF/A identifiers)."""

from __future__ import annotations

import base64
import io
import itertools
import re
import xml.etree.ElementTree as ET

import pikepdf
import pypdf
import pytest

from ivb_analysis import export
from ivb_analysis.annex import Annex, write_annex
from ivb_analysis.config import load_settings
from ivb_analysis.prepare import prepare
from tests.conftest import ROOT

YEAR = 2015
A4 = (595.28, 841.89)  # points
LABEL = "SYNTHETISCHE DEMODATA"


@pytest.fixture(scope="module")
def annex_file(tmp_path_factory):
    """(annex, sections, PDF bytes) for the mini delivery's 2015 annex rendered to PDF."""
    out = tmp_path_factory.mktemp("pdf")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        settings = load_settings(ROOT / "data" / "raw" / "mini", output_dir=out / "uit",
                                 processed_dir=out / "proc")
        prepare(settings)
        write_annex(settings, YEAR)
        page = out / "uit" / str(YEAR) / "bijlage.html"
        target = export.html_to_pdf(page, out / "uit" / str(YEAR) / "bijlage.pdf")
    annex = Annex(settings, YEAR)
    return annex, annex.sections(), target.read_bytes()


@pytest.fixture(scope="module")
def annex_pdf(annex_file):
    """(annex, sections, pypdf reader) of the annex PDF."""
    annex, sections, data = annex_file
    return annex, sections, pypdf.PdfReader(io.BytesIO(data))


def _outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page number from 1) of every bookmark, in order."""
    found: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def _pages(reader: pypdf.PdfReader) -> list[str]:
    return [p.extract_text() for p in reader.pages]


def _body_lines(text: str, title: str) -> list[str]:
    """A page's lines without the running header (label) and footer (title, page number)."""
    return [line for line in text.splitlines()
            if line.strip() and not line.startswith((LABEL, title)) and line.strip() != "tonen"
            and not re.fullmatch(r".*pagina \d+ van \d+", line)]


def test_a4_pages_a_sane_count_and_a_running_header_and_footer(annex_pdf):
    _, sections, reader = annex_pdf
    count = len(reader.pages)
    figures = sum(len(s.figures) for s in sections)
    assert figures > 0 and count > 1
    assert figures <= count <= 2 * (figures + len(sections))  # 20 figures, 15 sections: 25
    wide = [t for s in sections for t in s.tables if len(t.columns) >= 10]
    sizes = []
    for k, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        size = (round(float(box.width), 1), round(float(box.height), 1))
        assert size in ((595.3, 841.9), (841.9, 595.3)), k  # A4, portrait or landscape
        sizes.append(size)
        text = page.extract_text()
        assert f"pagina {k} van {count}" in text, k
        assert LABEL in text, k  # the band on page 1, the running header on every other page
    # the wide tables (ten columns and more: the wijk tables) get landscape pages, the rest
    # is portrait
    assert sizes[0] == (595.3, 841.9)  # (the wijk tables are no longer ten columns wide)
    texts = _pages(reader)
    wide_keys = {t.key for t in wide}
    placed = 0
    for k, size in enumerate(sizes):
        for table in (t for s in sections for t in s.tables if t.caption in texts[k]):
            assert (size == (841.9, 595.3)) == (table.key in wide_keys), (k + 1, table.caption)
            placed += 1
    assert placed >= sum(len(s.tables) for s in sections) > 0
    assert all(any(t.caption in text for text in texts) for t in wide)
    # Dates from the data (the end of the survey year), not the clock and not 2000-01-01.
    assert reader.metadata["/CreationDate"] == f"D:{YEAR}1231000000Z"
    assert reader.metadata["/ModDate"] == f"D:{YEAR}1231000000Z"


def test_bookmarks_follow_the_headings(annex_pdf):
    annex, sections, reader = annex_pdf
    outline = _outline(reader)
    title = f"Waar staat {annex.gemeente}? Leefbaarheid en veiligheid {YEAR}"
    assert outline[0] == (0, title, 1)
    chapters = [(title, page) for depth, title, page in outline if depth == 1]
    expected = [f"{k}. {s.title}" for k, s in enumerate(sections, start=1)] + ["Werkwijze"]
    assert [t for t, _ in chapters] == expected
    pages = _pages(reader)
    for heading, page in chapters:
        assert heading in pages[page - 1], heading  # each bookmark lands on its heading


def test_table_of_contents_has_the_right_page_numbers(annex_pdf):
    _, sections, reader = annex_pdf
    assert sections
    pages = _pages(reader)
    # the contents follow the key findings (page one is the answer), on one or two pages
    found = [dict(re.findall(r"^(.+?) \.{3,}\s*(\d+)$", page, flags=re.M)) for page in pages]
    at = next(k for k, entries in enumerate(found) if entries)
    toc = found[at] | (found[at + 1] if at + 1 < len(found) else {})
    first_entry = re.search(r"^.+? \.{3,}\s*\d+$", pages[at], flags=re.M).start()
    assert pages[0].index(f"1. {sections[0].title}\n") < (first_entry if at == 0 else 10**9)
    assert len(toc) == len(sections) + 1
    for k, section in enumerate(sections, start=1):
        number = int(toc[section.title])
        assert f"{k}. {section.title}" in pages[number - 1], section.title
    assert "Werkwijze" in pages[int(toc["Werkwijze"]) - 1]


def test_every_table_is_complete_and_no_column_is_cut_off(annex_pdf):
    _, sections, reader = annex_pdf
    pages = _pages(reader)
    words = set(" ".join(pages).split())
    margin = 15 / 25.4 * 72  # the right page margin (15 mm)
    assert sum(len(s.tables) for s in sections) > 5 and len(reader.pages) > 1
    for section in sections:
        for table in section.tables:
            assert table.caption in "\n".join(pages), table.caption
            cells = table.for_readers()
            texts = [*cells.columns, *(str(v) for v in cells.to_numpy().ravel())]
            missing = {w for text in texts for w in text.split()} - words
            assert not missing, (table.caption, sorted(missing)[:10])
    for k, page in enumerate(reader.pages, start=1):
        starts: list[float] = []
        page.extract_text(visitor_text=lambda text, cm, tm, font, size, found=starts:
                          found.append(tm[4] * cm[0] + cm[4]) if text.strip() else None)
        width = float(page.mediabox.width)
        assert max(starts) < width - margin, k  # no text begins beyond the margin
    # The last column of the widest table (the wijk tables) is on the page in full.
    assert "Opmerking" in words and "indicatief" in words


def test_no_page_begins_with_a_source_or_note_orphaned_from_its_table(annex_pdf):
    annex, sections, reader = annex_pdf
    title = f"Waar staat {annex.gemeente}? Leefbaarheid en veiligheid {YEAR}"
    notes = {t.note[:40] for s in sections for t in s.tables if t.note}
    assert notes and len(reader.pages) > 2
    for k, text in enumerate(_pages(reader)[1:], start=2):
        lines = _body_lines(text, title)
        assert lines, f"pagina {k} is leeg"
        first = lines[0]
        assert not first.startswith("Bron:"), f"pagina {k} begint met een bronregel: {first}"
        assert not any(first.startswith(n[:30]) for n in notes), f"pagina {k}: {first}"


def test_every_csv_column_of_the_annex_is_explained_in_dutch(annex_pdf, tmp_path):
    annex, sections, _ = annex_pdf
    tables = [t for s in sections for t in s.tables]
    columns = {c for t in tables for c in t.data.columns}
    assert {c for c in columns if export.column_description(c) is None} == set()
    guide = export.write_csv_guide(tables, tmp_path, heading="Tabellen",
                                   banner=annex.settings.banner).read_text(encoding="utf-8")
    assert f"{LABEL}: deze cijfers zijn verzonnen" in guide
    assert all(f"{t.key}.csv" in guide for t in tables)


def test_a_pdf_is_byte_identical_on_rerun_and_fetches_nothing(tmp_path):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40">'
           '<rect width="60" height="20" fill="#0072B2"/><text x="2" y="35">7,4</text></svg>')
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    page = tmp_path / "bijlage.html"
    page.write_text(
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>T</title></head>'
        '<body><div class="banner">SYNTHETISCHE DEMODATA</div><h1>Bijlage</h1>'
        '<nav class="toc"><ol><li><a href="#s1">Wijken</a></li></ol></nav>'
        f'<section id="s1"><h2>Wijken</h2><figure><figcaption>Figuur 1</figcaption>'
        f'<img src="{uri}" alt="staaf"></figure>'
        '<img src="https://example.org/volg.png" alt="extern">'
        '<figure class="table"><figcaption>Tabel 1</figcaption><table><thead><tr>'
        "<th>Wijk</th><th>Waarde</th></tr></thead><tbody><tr><td>Noord</td><td>7,4</td></tr>"
        "</tbody></table><p>Bron: proef</p></figure></section></body></html>",
        encoding="utf-8")
    first = export.html_to_pdf(page, tmp_path / "a.pdf").read_bytes()
    second = export.html_to_pdf(page, tmp_path / "b.pdf").read_bytes()
    assert first.startswith(b"%PDF") and first == second
    reader = pypdf.PdfReader(io.BytesIO(first))
    assert [item.title for item in reader.outline if not isinstance(item, list)] == ["Bijlage"]
    assert "/CreationDate" not in reader.metadata  # no date in the page: none, not the clock
    assert re.search(r"Wijken \.{3,}\s*1", reader.pages[0].extract_text())
    assert b"example.org" not in first


def test_a_table_of_twelve_columns_gets_a_landscape_page(tmp_path):
    def block(columns: int) -> str:
        head = "".join(f"<th>Kolom {k}</th>" for k in range(columns))
        cells = "".join(f"<td>{k},5</td>" for k in range(columns))
        return (f'<figure class="table"><figcaption>Tabel {columns}</figcaption><table>'
                f"<thead><tr>{head}</tr></thead><tbody><tr>{cells}</tr></tbody></table>"
                "</figure>")

    page = tmp_path / "breed.html"
    page.write_text(f"<html><body><h1>Bijlage</h1>{block(8)}{block(13)}{block(8)}</body></html>",
                    encoding="utf-8")
    reader = pypdf.PdfReader(export.html_to_pdf(page, tmp_path / "breed.pdf"))
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
             for p in reader.pages]
    assert sizes == [(595, 842), (842, 595), (595, 842)]
    assert "Kolom 12" in reader.pages[1].extract_text()


def test_print_css_is_added_once():
    page = "<html><head><style>body{}</style></head><body></body></html>"
    once = export.with_print_css(page)
    assert once.count(export.PRINT_CSS_MARK) == 1 and once.index("@page") > once.index("body{}")
    assert export.with_print_css(once) == once


# --- PDF/UA-1 structure, read back with pikepdf ------------------------------------------------

HEADINGS = {f"/H{k}": k for k in range(1, 7)}
TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


def _tree(pdf: pikepdf.Pdf) -> tuple[list[tuple[pikepdf.Dictionary, list[str]]],
                                     set[tuple[tuple[int, int], int]]]:
    """Every structure element in reading order with the types of its ancestors, and every
    (page, MCID) the tree reaches."""
    elements: list[tuple[pikepdf.Dictionary, list[str]]] = []
    reached: set[tuple[tuple[int, int], int]] = set()

    def walk(node, ancestors: list[str], page) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid, ancestors, page)
        elif isinstance(node, int):
            reached.add((page.objgen, int(node)))
        elif isinstance(node, pikepdf.Dictionary):
            if node.get("/Type") == "/MCR":
                reached.add((node.get("/Pg", page).objgen, int(node.MCID)))
            elif "/S" in node:
                elements.append((node, ancestors))
                walk(node.get("/K", pikepdf.Array()), [*ancestors, str(node.S)],
                     node.get("/Pg", page))

    walk(pdf.Root.StructTreeRoot.K, [], None)
    return elements, reached


@pytest.fixture(scope="module")
def structure(annex_file):
    annex, sections, data = annex_file
    pdf = pikepdf.open(io.BytesIO(data))
    return annex, sections, pdf, *_tree(pdf)


def test_the_annex_pdf_is_tagged_in_dutch_with_its_title_shown(structure):
    annex, _, pdf, elements, _ = structure
    root = pdf.Root
    assert bool(root.MarkInfo.Marked) is True
    assert str(root.Lang) == "nl"
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    title = f"Waar staat {annex.gemeente}? Leefbaarheid en veiligheid {YEAR}"
    assert str(pdf.docinfo["/Title"]) == title
    assert str(root.StructTreeRoot.K[0].S) == "/Document"
    assert len(elements) > 1000


def test_the_xmp_metadata_say_pdf_ua_1_and_pdf_a_3a(structure):
    pdf = structure[2]
    xmp = ET.fromstring(bytes(pdf.Root.Metadata.read_bytes()).split(b"?>", 1)[1]
                        .rsplit(b"<?xpacket", 1)[0])
    attributes = {k: v for node in xmp.iter() for k, v in node.attrib.items()}
    assert attributes["{http://www.aiim.org/pdfua/ns/id/}part"] == "1"
    assert attributes["{http://www.aiim.org/pdfa/ns/id/}part"] == "3"
    assert attributes["{http://www.aiim.org/pdfa/ns/id/}conformance"] == "A"
    dates = {node.tag.split("}")[1]: node.text for node in xmp.iter()
             if node.tag.endswith(("CreateDate", "ModifyDate"))}
    assert dates == {"CreateDate": f"{YEAR}-12-31T00:00:00Z",
                     "ModifyDate": f"{YEAR}-12-31T00:00:00Z"}
    assert str(pdf.Root.OutputIntents[0].S) == "/GTS_PDFA1"  # sRGB output intent (PDF/A)


def test_every_figure_has_its_alt_text(structure):
    _, sections, _, elements, _ = structure
    expected = sorted(item.alt_text for s in sections for item in s.figures)
    assert len(expected) > 5 and all(expected)
    found = sorted(str(e.get("/Alt", "")) for e, _ in elements if e.S == "/Figure")
    assert found == expected


def test_tables_have_header_cells_with_scope_linked_to_every_data_cell(structure):
    _, sections, _, elements, _ = structure
    tables = [e for e, _ in elements if e.S == "/Table"]
    # a table continued on the next page is a second Table element (WeasyPrint tags per page)
    assert len(tables) >= sum(len(s.tables) for s in sections) > 5
    headers = [(e, a) for e, a in elements if e.S == "/TH"]
    cells = [(e, a) for e, a in elements if e.S == "/TD"]
    assert len(headers) >= 2 * len(tables) and len(cells) > len(headers)
    assert {str(e.A.Scope) for e, _ in headers} == {"/Column"}
    assert all("/Table" in a for _, a in headers + cells)
    ids = {bytes(e.ID) for e, _ in headers}
    assert all(len(e.A.Headers) and {bytes(h) for h in e.A.Headers} <= ids for e, _ in cells)


def test_headings_start_at_h1_and_never_skip_a_level(structure):
    _, sections, _, elements, _ = structure
    levels = [HEADINGS[str(e.S)] for e, _ in elements if str(e.S) in HEADINGS]
    assert levels[0] == 1 and levels.count(1) == 1
    assert levels.count(2) == len(sections) + 1  # every section and the method note
    assert [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1] == []
    assert 3 in levels  # the key findings' themes: h3 under their h2 (h4 in the section html)


def test_links_are_described_and_tagged(structure):
    _, sections, pdf, elements, _ = structure
    links = [e for e, _ in elements if e.S == "/Link"]
    assert len(links) >= len(sections)  # the table of contents at least
    annotations = [a for page in pdf.pages for a in page.get("/Annots", [])
                   if a.get("/Subtype") == "/Link"]
    assert len(annotations) == len(links)
    described = {str(a.get("/Contents", "")) for a in annotations}
    assert {s.title for s in sections} | {"Werkwijze"} <= described  # the text, not "#sectie-"
    assert not any(d.startswith("sectie-") or not d.strip() for d in described)
    assert all("/StructParent" in a for a in annotations)


def test_all_text_is_tagged_and_running_header_and_footer_are_artefacts(structure):
    _, _, pdf, _, reached = structure
    for number, page in enumerate(pdf.pages, start=1):
        stack: list[tuple[str, int | None]] = []
        tagged = artefacts = 0
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                mcid = (int(operands[1].MCID) if op == "BDC" and isinstance(
                    operands[1], pikepdf.Dictionary) and "/MCID" in operands[1] else None)
                stack.append((str(operands[0]), mcid))
            elif op == "EMC":
                stack.pop()
            elif op in TEXT_OPERATORS:
                if any(tag == "/Artifact" for tag, _ in stack):
                    artefacts += 1
                else:
                    mcids = [m for _, m in stack if m is not None]
                    assert mcids and (page.objgen, mcids[-1]) in reached, (number, stack)
                    tagged += 1
        assert tagged > 0, number
        assert artefacts > 0, number  # the page number in the footer at least
