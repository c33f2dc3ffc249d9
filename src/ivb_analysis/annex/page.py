"""The annex page: screen CSS + the print CSS (templates/print.css, once), sections as HTML.

Escaping by construction: every text reaches the page through `esc` (headings, captions, notes,
alt texts, the method note) or through `AnnexTable.to_html` (cells and headers escaped by the
Styler); a section's `html` is pre-built from escaped parts only.
"""

from __future__ import annotations

import base64
import html

from ivb_analysis import export, figures, style
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import FigureItem, Section
from ivb_analysis.tables import AnnexTable


def esc(text: object) -> str:
    """The one escape for text on a page (quotes included: safe in attributes too)."""
    return html.escape(str(text), quote=True)


CSS = f"""
body {{ font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 10pt; line-height: 1.4;
       color: #111; max-width: 52em; margin: 1.5em auto; padding: 0 1em; }}
h1 {{ font-size: 17pt; margin-bottom: 0.2em; }}
h2 {{ font-size: 13pt; margin-top: 1.6em; border-bottom: 1px solid #999; }}
h4 {{ font-size: 10.5pt; margin: 1em 0 0.2em; }}
.meta {{ color: {style.TEXT_GREY}; font-size: 9pt; }}
.banner {{ background: {style.BANNER}; color: #fff; font-weight: bold; padding: 0.3em 0.8em;
          letter-spacing: 0.04em; text-align: center; }}
figure {{ margin: 1.2em 0; break-inside: avoid; page-break-inside: avoid; }}
figure img {{ width: 100%; max-width: 16cm; max-height: 24cm; height: auto; display: block;
             object-fit: contain; object-position: left top; }}
figcaption, .caption {{ font-weight: bold; font-size: 9.5pt; margin: 0.3em 0; }}
figure.table {{ overflow-x: auto; break-inside: auto; page-break-inside: auto; }}
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


def table_html(table: AnnexTable) -> str:
    """A numbered table with caption, notes and source (the same Styler as in notebooks)."""
    anchor = f"tabel-{table.number}" if table.number else f"tabel-{table.key}"
    notes = "".join(f'<p class="note">{esc(t)}</p>' for t in (table.note, table.source) if t)
    return (f'<figure class="table" id="{esc(anchor)}"><figcaption class="caption">'
            f"{esc(table.caption)}</figcaption>{table.to_html()}{notes}</figure>")


def section_html(section: Section, level: int = 2, number: int | None = None,
                 svg: dict[str, bytes] | None = None) -> str:
    """A section as HTML; `svg` holds figures already rendered (key -> SVG bytes)."""
    heading = f"{number}. {section.title}" if number else section.title
    parts = [f"<h{level}>{esc(heading)}</h{level}>", f"<p>{esc(section.text)}</p>"]
    if section.html:
        parts.append(section.html)
    parts += [figure_html(item, (svg or {}).get(item.key)) for item in section.figures]
    parts += [table_html(table) for table in section.tables]
    return "\n".join(parts)


def banner_html(banner: str | None, css_class: str = "banner") -> str:
    """The synthetic-data banner (empty for real data)."""
    return f'<div class="{css_class}">{esc(style.banner_text(banner))}</div>' if banner else ""


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
    method = "".join(f"<li>{esc(p)}</li>" for p in annex.method_note())
    skipped = "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in sorted(annex.skipped.items()))
    skipped_html = (f"<p>Niet opgenomen:</p><ul>{skipped}</ul>" if skipped else "")
    workbook_html = (f"<p class=\"meta\">Alle tabellen staan ook in <code>tables/"
                     f"{esc(workbook)}</code> (Excel) en als CSV in <code>tables/</code>; "
                     "de figuren als SVG, PDF en PNG in <code>figures/</code>.</p>"
                     if workbook else "")
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{CSS}{page_css(title, s.banner)}{export.print_css()}</style>
</head>
<body>
{banner_html(s.banner)}
<header>
<h1>{esc(title)}</h1>
<p class="meta">Gemeente {esc(annex.gemeente)} ({esc(s.gemeente_code)}), meetjaar
{annex.year}; {esc(annex.comparison.sentence())}. {esc(annex.source())}.</p>
{workbook_html}
<nav class="toc"><ol>{toc}<li><a href="#werkwijze">Werkwijze</a></li></ol></nav>
</header>
{''.join(body)}
<section id="werkwijze">
<h2>Werkwijze</h2>
<ul>{method}</ul>
{skipped_html}
</section>
</body>
</html>
"""
