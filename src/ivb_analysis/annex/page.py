"""The annex page: screen CSS + the print CSS (templates/print.css, once), sections as HTML.

Escaping by construction: every text reaches the page through `esc` (headings, captions, notes,
alt texts, the method note) or through `AnnexTable.to_html` (cells and headers escaped by the
Styler); a section's `html` is pre-built from escaped parts only.
"""

from __future__ import annotations

import base64
import html
import os
import re
from datetime import UTC, datetime

from ivb_analysis import export, figures, style
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import FigureItem, Section
from ivb_analysis.tables import AnnexTable


def esc(text: object) -> str:
    """The one escape for text on a page (quotes included: safe in attributes too)."""
    return html.escape(str(text), quote=True)


#: A run of right-to-left script (Hebrew, Arabic, Syriac, Thaana, N'Ko, ... and their
#: presentation forms), with the spaces and marks inside a name.
_RTL_RUN = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]+"
                      "(?:[ \u00a0'\u2019.-]+[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]+)*")
#: Elements whose text is not HTML text (no <bdi> inside): head matter, inline SVG, style.
_NOT_TEXT = re.compile(r"(<(?:title|style|script|svg)\b.*?</(?:title|style|script|svg)>)",
                       re.S | re.I)
_TAG = re.compile(r"(<[^>]*>)")


def isolate_bidi(page: str) -> str:
    """Every run of right-to-left text in the page's text nodes in `<bdi>` (WCAG, issue 19):
    a wijk or group name in Arabic or Hebrew script can then never pull the numbers beside
    it into its own direction. Attributes, <title>, <style> and inline SVG are left alone
    (delivery text there is escaped, and bidi control characters are refused on reading);
    text already in a <bdi> is not wrapped twice."""
    if _RTL_RUN.search(page) is None:
        return page
    out = []
    for k, chunk in enumerate(_NOT_TEXT.split(page)):
        if k % 2:  # a <title>, <style>, <script> or <svg> element: as it is
            out.append(chunk)
            continue
        previous = ""
        for part in _TAG.split(chunk):
            if part.startswith("<"):
                previous = part.lower()
                out.append(part)
            else:
                out.append(part if previous.startswith("<bdi") else _RTL_RUN.sub(
                    lambda m: f"<bdi>{m.group()}</bdi>", part))
    return "".join(out)


CSS = f"""
body {{ font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 10pt; line-height: 1.4;
       color: #111; max-width: 52em; margin: 1.5em auto; padding: 0 1em; }}
h1 {{ font-size: 17pt; margin-bottom: 0.2em; }}
h2 {{ font-size: 13pt; margin-top: 1.6em; border-bottom: 1px solid #999; }}
h3 {{ font-size: 10.5pt; margin: 1em 0 0.2em; }}
.meta {{ color: {style.TEXT_GREY}; font-size: 9pt; }}
.banner {{ background: {style.BANNER}; color: #fff; font-weight: bold; padding: 0.3em 0.8em;
          letter-spacing: 0.04em; text-align: center; }}
figure {{ margin: 1.2em 0; break-inside: avoid; page-break-inside: avoid; }}
figure img {{ width: 100%; max-width: 16cm; max-height: 24cm; height: auto; display: block;
             object-fit: contain; object-position: left top; }}
figcaption, .caption {{ font-weight: bold; font-size: 9.5pt; margin: 0.3em 0; }}
figure.table {{ break-inside: auto; page-break-inside: auto; }}
.scroll {{ overflow-x: auto; }}
.scroll:focus {{ outline: 2px solid #0b5394; outline-offset: 2px; }}
figure.table table {{ border-collapse: collapse; font-size: 8pt; width: 100%; }}
figure.table th {{ border-bottom: 1.5px solid #333; text-align: left; vertical-align: bottom;
                  padding: 2px 6px; }}
figure.table td {{ border-bottom: 1px solid #ddd; padding: 2px 6px; }}
figure.table tr {{ break-inside: avoid; page-break-inside: avoid; }}
figure.table tr:target {{ background: #fff3b0; }}
.note {{ color: {style.TEXT_GREY}; font-size: 8.5pt; margin: 0.2em 0; }}
.kop {{ font-weight: bold; margin: 0.4em 0 0.1em; }}
.thema ul {{ margin-top: 0.1em; }}
.footprint-zin {{ font-weight: bold; }}
dl.begrippen dt {{ font-weight: bold; margin-top: 0.4em; }}
dl.begrippen dd {{ margin-left: 1.5em; }}
nav.toc ol {{ columns: 2; font-size: 9pt; }}
@media print {{
  body {{ max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }}
  .banner {{ display: none; }}
  h2 {{ break-after: avoid; page-break-after: avoid; }}
  section {{ break-before: page; page-break-before: always; }}
  section.first {{ break-before: auto; page-break-before: auto; }}
  a {{ color: inherit; text-decoration: none; }}
}}
"""

_MARGIN_FONT = 'font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 7.5pt; color: #555;'


def page_css(title: str, banner: str | None) -> str:
    """A4 pages with the banner in the top margin of EVERY printed page and a page number."""
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"'

    top = (f"@top-center {{ content: {quoted(style.banner_text(banner, short=True))}; "
           f"color: {style.BANNER}; font-weight: bold; {_MARGIN_FONT} font-size: 9pt; }}"
           if banner else "")
    return (f"@page {{ size: A4; margin: 18mm 15mm 16mm 15mm; {top} "
            f"@bottom-left {{ content: {quoted(title)}; {_MARGIN_FONT} }} "
            '@bottom-right { content: "pagina " counter(page) " van " counter(pages); '
            f"{_MARGIN_FONT} }} }}")


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def figure_html(item: FigureItem, svg: bytes | None = None) -> str:
    """A numbered figure: the SVG as a data URI (vector, self-contained) with its alt text."""
    anchor = f"figuur-{item.number}" if item.number else f"figuur-{item.key}"
    image = svg if svg is not None else figures.figure_bytes(item.figure, "svg")
    return (f'<figure id="{esc(anchor)}"><figcaption>{esc(item.caption)}</figcaption>'
            f'<img src="{_data_uri(image)}" alt="{esc(item.alt_text)}">'
            "</figure>")


_HEADER_CELL = re.compile(r'<th class="(col_heading|row_heading|index_name|blank)')
_SCOPE = {"col_heading": ' scope="col"', "row_heading": ' scope="row"'}


def _scoped(table: str) -> str:
    """Every header cell of a Styler table with its scope (column or row headers)."""
    return _HEADER_CELL.sub(lambda m: f'<th{_SCOPE.get(m.group(1), "")} class="{m.group(1)}',
                            table)


def table_html(table: AnnexTable) -> str:
    """A numbered table with caption, notes and source (the same Styler as in notebooks).

    The table sits in a scroll box that a keyboard can reach and a screen reader names by the
    caption (WCAG 2.1.1: `tabindex="0"`, `role="region"`, `aria-labelledby`)."""
    anchor = f"tabel-{table.number}" if table.number else f"tabel-{table.key}"
    caption = f"{anchor}-titel"
    notes = "".join(f'<p class="note">{esc(t)}</p>' for t in (table.note, table.source) if t)
    return (f'<figure class="table" id="{esc(anchor)}"><figcaption class="caption" '
            f'id="{esc(caption)}">{esc(table.caption)}</figcaption>'
            f'<div class="scroll" tabindex="0" role="region" aria-labelledby="{esc(caption)}">'
            f"{_scoped(table.to_html())}</div>{notes}</figure>")


_HEADING = re.compile(r"<(/?)h([1-6])\b")


def nest_headings(fragment: str, level: int) -> str:
    """A section's own headings renumbered to follow its heading (`level`) without a skipped
    level: the levels used become level + 1, level + 2, ... in their order (h4 under an h2
    becomes h3), so a screen reader's and the PDF's outline have no gaps."""
    used = sorted({int(m.group(2)) for m in _HEADING.finditer(fragment)})
    target = {old: min(level + 1 + k, 6) for k, old in enumerate(used)}
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{target[int(m.group(2))]}", fragment)


def section_html(section: Section, level: int = 2, number: int | None = None,
                 svg: dict[str, bytes] | None = None) -> str:
    """A section as HTML; `svg` holds figures already rendered (key -> SVG bytes)."""
    heading = f"{number}. {section.title}" if number else section.title
    parts = [f"<h{level}>{esc(heading)}</h{level}>", f"<p>{esc(section.text)}</p>"]
    if section.html:
        parts.append(nest_headings(section.html, level))
    parts += [figure_html(item, (svg or {}).get(item.key)) for item in section.figures]
    parts += [table_html(table) for table in section.tables]
    return isolate_bidi("\n".join(parts))


def banner_html(banner: str | None, css_class: str = "banner") -> str:
    """The synthetic-data banner (empty for real data)."""
    return f'<div class="{css_class}">{esc(style.banner_text(banner))}</div>' if banner else ""


def document_date(year: int) -> str:
    """The annex's date in the PDF metadata: `SOURCE_DATE_EPOCH` when set (the reproducible-
    builds convention: the run fixes it), else the last day of the survey year (from the data).
    Never the clock: the same inputs give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{int(year):04d}-12-31T00:00:00Z"


def annex_html(annex: Annex, sections: list[Section], workbook: str | None = None,
               svg: dict[str, bytes] | None = None) -> str:
    """The whole annex as one self-contained, printable page (nothing loaded from outside)."""
    s = annex.settings
    title = f"Waar staat {annex.gemeente}? Leefbaarheid en veiligheid {annex.year}"
    toc = "".join(f'<li><a href="#sectie-{esc(sec.key)}">{esc(sec.title)}</a></li>'
                  for sec in sections)
    body = []
    for k, section in enumerate(sections, start=1):
        cls = ' class="first"' if k == 1 else ""
        body.append(f'<section id="sectie-{esc(section.key)}"{cls}>'
                    f"{section_html(section, 2, k, svg)}</section>")
    # The contents follow the key findings, so page one is the answer itself (issue 21).
    nav = (f'<nav class="toc" aria-label="Inhoud"><ol>{toc}'
           '<li><a href="#werkwijze">Werkwijze</a></li></ol></nav>')
    body.insert(1 if body else 0, nav)
    method = "".join(f"<li>{esc(p)}</li>" for p in annex.method_note())
    skipped = "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in sorted(annex.skipped.items()))
    skipped_html = (f"<p>Niet opgenomen:</p><ul>{skipped}</ul>" if skipped else "")
    workbook_html = (f"<p class=\"meta\">Alle tabellen staan ook in <code>tables/"
                     f"{esc(workbook)}</code> (Excel) en als CSV in <code>tables/</code>; "
                     "de figuren als SVG, PDF en PNG in <code>figures/</code>.</p>"
                     if workbook else "")
    return isolate_bidi(f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<meta name="author" content="Gemeente {esc(annex.gemeente)}">
<meta name="dcterms.created" content="{document_date(annex.year)}">
<meta name="dcterms.modified" content="{document_date(annex.year)}">
<style>{CSS}{page_css(title, s.banner)}{export.print_css()}</style>
</head>
<body>
{banner_html(s.banner)}
<header>
<h1>{esc(title)}</h1>
<p class="meta">Gemeente {esc(annex.gemeente)} ({esc(s.gemeente_code)}), meetjaar
{annex.year}; {esc(annex.comparison.sentence())}. {esc(annex.source())}.</p>
{workbook_html}
</header>
{''.join(body)}
<section id="werkwijze">
<h2>Werkwijze</h2>
<ul>{method}</ul>
{skipped_html}
</section>
</body>
</html>
""")
