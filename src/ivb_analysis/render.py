"""Executed notebook -> self-contained HTML: for reviewers without code, for analysts with code.

Uses nbconvert's HTMLExporter with the package's `ivb_html` template (the lab template minus every
script loaded from the internet, with code colours of sufficient contrast); images are embedded
by nbconvert as data URIs; the page says `lang="nl"`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from ivb_analysis import style

TEMPLATE = "ivb_html"
#: The language of the pages (the narrative is Dutch): `<html lang="nl">`.
LANGUAGE = "nl"


def _exporter(with_code: bool) -> HTMLExporter:
    templates = Path(str(resources.files("ivb_analysis").joinpath("templates")))
    exporter = HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(templates)])
    exporter.exclude_input = not with_code
    exporter.exclude_input_prompt = not with_code
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.language_code = LANGUAGE
    return exporter


def notebook_html(notebook: nbformat.NotebookNode, *, with_code: bool, title: str) -> str:
    """Render an executed notebook to one self-contained HTML page."""
    notebook = nbformat.from_dict(notebook)
    notebook.metadata["title"] = title
    # Cell ids end up in the HTML; papermill's injected cell (and notebooks without ids) get
    # random ones, so number them: the same notebook gives the same bytes.
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cel-{number:03d}"
    body, _ = _exporter(with_code).from_notebook_node(
        notebook, resources={"ivb_banner_colour": style.BANNER})
    return body
