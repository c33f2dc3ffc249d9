"""The delivery's start page `index.html`: per year the annex first, then every notebook page,
each with a readable Dutch title and a one-line explanation.

Titles and explanations come from the notebooks themselves (the first heading and the first
sentence under it), so they are written once, in the notebook. The page is rendered by Jinja2
with autoescape: a gemeente name or source label from the delivery is text, never markup.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ivb_analysis import style
from ivb_analysis.atomic import write_text
from ivb_analysis.config import Settings

ANNEX = "bijlage"
INDEX = "index.html"
ANNEX_WHAT = ("De bijlage voor de raad: alle figuren en tabellen met toelichting, bronnen en "
              "methode, om te lezen, te printen of als PDF bij de raadsstukken te voegen.")


@dataclass(frozen=True)
class Link:
    href: str
    label: str


@dataclass(frozen=True)
class Page:
    href: str
    title: str
    what: str
    extra: list[Link] = field(default_factory=list)


def _plain(markdown: str) -> str:
    """Markdown emphasis and code marks removed, whitespace collapsed (the text, not markup)."""
    text = re.sub(r"[*`]", "", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url) -> text
    return " ".join(text.split())


def describe_notebook(notebook: Path) -> tuple[str, str]:
    """(title, one-line explanation) of a notebook: its first `# ` heading and the first
    sentence of the paragraph under it; the file name when the notebook has no heading."""
    fallback = notebook.stem.replace("_", " ").capitalize()
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        lines = source.splitlines()
        heading = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
        if heading is None:
            continue
        title = _plain(lines[heading][2:])
        paragraph: list[str] = []
        for line in lines[heading + 1:]:
            if line.strip():
                paragraph.append(line)
            elif paragraph:
                break
        sentences = re.split(r"(?<=[.?!])\s+", _plain(" ".join(paragraph)))
        return title or fallback, sentences[0] if sentences else ""
    return fallback, ""


def _environment():
    import jinja2

    templates = Path(str(resources.files("ivb_analysis").joinpath("templates")))
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)),
                              autoescape=True, keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined)


def year_pages(settings: Settings, year: int,
               notebooks: dict[Path, tuple[str, str]]) -> list[Page]:
    """What the year's folder holds, the annex first; only pages that exist. `notebooks` maps
    each notebook to its (title, explanation)."""
    folder = settings.output_dir / str(year)
    pages = []
    if (folder / f"{ANNEX}.html").is_file():
        extra = []
        if (folder / f"{ANNEX}.pdf").is_file():
            extra.append(Link(f"{year}/{ANNEX}.pdf", "pdf"))
        workbook = folder / "tables" / f"tabellen_{year}.xlsx"
        if workbook.is_file():
            extra.append(Link(f"{year}/tables/{workbook.name}", "tabellen (Excel)"))
        pages.append(Page(f"{year}/{ANNEX}.html",
                          f"Bijlage: Waar staat {settings.gemeente_naam}? ({year})",
                          ANNEX_WHAT, extra))
    for notebook, (title, what) in notebooks.items():
        if not (folder / f"{notebook.stem}.html").is_file():
            continue
        extra = []
        if (folder / f"{notebook.stem}.analist.html").is_file():
            extra.append(Link(f"{year}/{notebook.stem}.analist.html", "met code (voor analisten)"))
        pages.append(Page(f"{year}/{notebook.stem}.html", title, what, extra))
    return pages


def render_index(settings: Settings, notebooks: list[Path]) -> str:
    described = {notebook: describe_notebook(notebook) for notebook in notebooks}
    years = []
    for year in sorted(settings.years, reverse=True):  # the latest year first
        pages = year_pages(settings, year, described)
        if pages:
            years.append({"year": year, "pages": pages})
    template = _environment().get_template("index.html.j2")
    return template.render(banner=settings.banner, gemeente=settings.gemeente_naam,
                           source=settings.source_label, years=years,
                           banner_colour=style.BANNER)


def write_index(settings: Settings, notebooks: list[Path]) -> Path:
    """`<output_dir>/index.html` for the delivery's years present in the output folder."""
    return write_text(settings.output_dir / INDEX, render_index(settings, notebooks))
