"""Failure and recovery: raw data never changes, a timeout or a dead kernel is isolated and
reported, a rerun completes only what is missing, a killed run leaves complete old outputs, and
`ivb verify` proves byte-identical regeneration."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from ivb_analysis.config import load_settings
from ivb_analysis.guard import RawDataChanged, differences, manifest, raw_data_unchanged
from ivb_analysis.run import run
from ivb_analysis.verify import deliverables, verify
from tests.conftest import ROOT

TEMPLATE = ROOT / "notebooks" / "staat_van_de_stad.ipynb"


def _notebook(folder: Path, name: str, *code: str) -> Path:
    """A notebook with the project's parameters cell followed by `code` cells."""
    template = nbformat.read(TEMPLATE, as_version=4)
    params = next(c for c in template.cells if "parameters" in c.metadata.get("tags", []))
    notebook = nbformat.v4.new_notebook(metadata=template.metadata)
    notebook.cells = [nbformat.v4.new_code_cell("from typing import Optional"), params,
                      *(nbformat.v4.new_code_cell(c) for c in code)]
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def delivery(tmp_path):
    """Settings for a copy of the mini delivery (2013, 2015), outputs and processed data in tmp."""
    raw = tmp_path / "raw" / "mini"
    shutil.copytree(ROOT / "data" / "raw" / "mini", raw)
    return load_settings(raw, output_dir=tmp_path / "outputs", processed_dir=tmp_path / "proc")


def test_guard_detects_a_changed_added_or_removed_raw_file(tmp_path):
    (tmp_path / "a.csv").write_text("1", encoding="utf-8")
    (tmp_path / "b.csv").write_text("2", encoding="utf-8")
    before = manifest(tmp_path)
    (tmp_path / "a.csv").write_text("changed", encoding="utf-8")
    (tmp_path / "b.csv").unlink()
    (tmp_path / "c.csv").write_text("3", encoding="utf-8")
    assert differences(before, manifest(tmp_path)) == ["a.csv", "b.csv", "c.csv"]
    with pytest.raises(RawDataChanged, match=r"a\.csv"), raw_data_unchanged(tmp_path):
        (tmp_path / "a.csv").write_text("again", encoding="utf-8")


@pytest.mark.slow
def test_timeout_and_dead_kernel_are_isolated(delivery, tmp_path):
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    _notebook(notebooks, "goed", "x = year * 2")
    _notebook(notebooks, "traag", "import time\ntime.sleep(60)")
    _notebook(notebooks, "sterft", "import os\nos._exit(1)")
    summary = run(delivery, notebooks, years=[2015], jobs=2, progress=False, timeout=3,
                  annex=False)
    by_name = {r.notebook: r for r in summary.results}
    assert by_name["goed"].ok
    assert not by_name["traag"].ok and "timed out" in by_name["traag"].error.lower()
    assert not by_name["sterft"].ok and "dead" in by_name["sterft"].error.lower()
    report = summary.report()
    assert "MISLUKT 2015 traag" in report and "MISLUKT 2015 sterft" in report
    assert (delivery.output_dir / "2015" / "goed.html").is_file()
    kept = delivery.output_dir / "2015" / "failed" / "traag.ipynb"  # up to the timed-out cell
    assert by_name["traag"].kept == str(kept)
    assert "time.sleep(60)" in kept.read_text(encoding="utf-8")


@pytest.mark.slow
def test_rerun_after_a_transient_failure_completes_only_what_is_missing(delivery, tmp_path):
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    marker = tmp_path / "storing"
    marker.write_text("", encoding="utf-8")
    _notebook(notebooks, "wisselvallig",
              f"from pathlib import Path\nif year == 2015 and Path({str(marker)!r}).exists():\n"
              "    raise RuntimeError('tijdelijke storing')")
    first = run(delivery, notebooks, jobs=2, progress=False, annex=False)
    assert [(r.year, r.ok) for r in first.results] == [(2013, True), (2015, False)]
    marker.unlink()
    second = run(delivery, notebooks, jobs=2, progress=False, annex=False)
    assert [(r.year, r.ok) for r in second.results] == [(2015, True)]
    assert second.skipped_years == [2013]


def _one_notebook(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "staat_van_de_stad.ipynb", folder)
    return folder


@pytest.mark.slow
def test_a_killed_run_leaves_the_previous_outputs_complete(delivery, tmp_path):
    notebooks = _one_notebook(tmp_path / "nb")
    assert not run(delivery, notebooks, jobs=2, progress=False, annex=False).failed
    pages = sorted(delivery.output_dir.rglob("*.html"))
    before = {p: p.read_bytes() for p in pages}
    process = subprocess.Popen(
        [sys.executable, "-m", "ivb_analysis", "run", "--force", "--quiet", "--jobs", "2",
         "--no-annex",
         "--data-dir", str(delivery.data_dir), "--output-dir", str(delivery.output_dir),
         "--processed-dir", str(delivery.processed_dir), "--notebook-dir", str(notebooks)],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(4)  # midway: kernels are running, some pages may be rewritten already
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for page in pages:
        text = page.read_bytes()
        assert text.rstrip().endswith(b"</html>"), page  # complete: old or new, never half
        assert len(text) > 0.9 * len(before[page])


@pytest.mark.slow
def test_verify_passes_on_fresh_outputs_and_names_a_changed_file(tmp_path):
    raw = tmp_path / "raw" / "mini"
    shutil.copytree(ROOT / "data" / "raw" / "mini", raw)
    config = raw / "ivb.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("- 2013\n", "")
                      .replace("reference_year: 2013\n", ""), "utf-8")
    one_wave = load_settings(raw, output_dir=tmp_path / "outputs",
                             processed_dir=tmp_path / "proc")
    assert one_wave.years == (2015,)
    notebooks = _one_notebook(tmp_path / "notebooks")
    assert not run(one_wave, notebooks, jobs=2, progress=False).failed
    report = verify(one_wave, notebooks, jobs=2)
    assert report.ok, report.text()
    made = deliverables(one_wave.output_dir, one_wave.years)
    assert {"2015/bijlage.html", "2015/staat_van_de_stad.html", "index.html",
            "2015/notebooks/staat_van_de_stad.ipynb"} <= set(made)  # executed notebooks too
    assert "2015/run.json" not in made
    assert any(name.endswith(".xlsx") for name in made)  # the annex's workbook is compared too
    executed = one_wave.output_dir / "2015" / "notebooks" / "staat_van_de_stad.ipynb"
    assert "start_time" not in executed.read_text(encoding="utf-8")
    page = one_wave.output_dir / "2015" / "staat_van_de_stad.html"
    page.write_text(page.read_text(encoding="utf-8").replace("gelijk", "beter", 1),
                    encoding="utf-8")
    tampered = verify(one_wave, notebooks, jobs=2)
    assert not tampered.ok and tampered.changed == ["2015/staat_van_de_stad.html"]
