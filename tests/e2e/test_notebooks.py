"""Notebooks: committed clean and paired; the batch runs them per year, isolates failures,
skips unchanged years and renders self-contained HTML for reviewers and analysts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest

from ivb_analysis.config import load_settings
from ivb_analysis.run import KERNEL, discover_notebooks, run
from tests.conftest import ROOT

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = discover_notebooks(NOTEBOOK_DIR)


def test_there_are_notebooks():
    assert [p.stem for p in NOTEBOOKS] == [
        "g32_footprint", "politie_en_veiligheidshuis", "staat_van_de_stad", "trends",
        "wijkprofielen"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs_and_with_the_project_kernel(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert notebook.metadata["kernelspec"]["name"] == KERNEL
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_matches_its_paired_py_file(path):
    """The py:percent file is the source of truth; the .ipynb must say the same."""
    source = jupytext.read(path.with_suffix(".py"))
    notebook = nbformat.read(path, as_version=4)
    assert [(c.cell_type, c.source) for c in source.cells] == [
        (c.cell_type, c.source) for c in notebook.cells]


def _write_failing_notebook(folder: Path) -> None:
    good = nbformat.read(NOTEBOOK_DIR / "staat_van_de_stad.ipynb", as_version=4)
    params = next(c for c in good.cells if "parameters" in c.metadata.get("tags", []))
    bad = nbformat.v4.new_notebook(metadata=good.metadata)
    bad.cells = [nbformat.v4.new_code_cell("from typing import Optional"), params,
                 nbformat.v4.new_code_cell("x = 1"),
                 nbformat.v4.new_code_cell("raise ValueError('kapot met opzet')")]
    nbformat.write(bad, folder / "kapot.ipynb")


@pytest.mark.slow
def test_batch_runs_two_years_isolates_a_failure_and_skips_unchanged(demo_copy, tmp_path):
    raw = demo_copy(years=(2013, 2015))
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOK_DIR / "staat_van_de_stad.ipynb", notebooks)
    _write_failing_notebook(notebooks)
    settings = load_settings(raw, output_dir=tmp_path / "outputs",
                             processed_dir=tmp_path / "processed")

    summary = run(settings, notebooks, jobs=2, progress=False)

    failed = {(r.year, r.notebook, r.cell) for r in summary.failed}
    # cell = execution count in the kept notebook (papermill's injected parameters cell counts)
    assert failed == {(2013, "kapot", 5), (2015, "kapot", 5)}
    report = summary.report()
    assert "MISLUKT 2013 kapot (cel 5): ValueError: kapot met opzet" in report
    assert "raise ValueError" in report
    out = tmp_path / "outputs"
    for year in (2013, 2015):
        reviewer = (out / str(year) / "staat_van_de_stad.html").read_text(encoding="utf-8")
        analyst = (out / str(year) / "staat_van_de_stad.analist.html").read_text(encoding="utf-8")
        assert "SYNTHETISCHE DEMODATA" in reviewer and f"meetjaar {year}" in reviewer
        assert "open_wave" not in reviewer and "open_wave" in analyst
        assert "<script src=" not in reviewer and "data:image/png;base64" in reviewer
        assert (out / str(year) / "failed" / "kapot.ipynb").is_file()
        record = json.loads((out / str(year) / "run.json").read_text(encoding="utf-8"))
        assert record["ok"] is False and record["versions"]["pandas"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2013/staat_van_de_stad.html"' in index and "2015/" in index

    (notebooks / "kapot.ipynb").unlink()  # the fix
    second = run(settings, notebooks, jobs=2, progress=False, annex=False)
    assert not second.failed and len(second.results) == 2  # both years rerun once fixed
    third = run(settings, notebooks, jobs=2, progress=False, annex=False)
    assert third.results == [] and third.skipped_years == [2013, 2015]
    forced = run(settings, notebooks, years=[2015], force=True, progress=False, annex=False)
    assert [(r.year, r.ok) for r in forced.results] == [(2015, True)]
