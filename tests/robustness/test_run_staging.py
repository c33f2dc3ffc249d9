"""Staging and the PDF by default (issues 19.4 and 21.7): every command that writes outputs
swaps the whole year in at the end (`ivb annex` included), a year given twice counts once, a task
never reports success while its files are gone, and `ivb run` writes bijlage.pdf unless
`--no-pdf`; a rerun that differs only in that choice renders only the PDF."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

import ivb_analysis.annex
import ivb_analysis.export
from ivb_analysis.cli import main
from ivb_analysis.config import load_settings
from ivb_analysis.outfolder import STAGING_PREFIX
from ivb_analysis.run import run
from tests.e2e.test_run_parameters import contract_notebook, mini  # noqa: F401 (fixture)


def fake_annex(settings, year, *, pdf=False):  # runs in the (forked) worker
    out = settings.output_dir / str(year)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "bijlage.html").write_text(f"bijlage {year}", encoding="utf-8")
    (out / "tables" / "t.csv").write_text("a\n1\n", encoding="utf-8")
    written = [out / "bijlage.html", out / "tables" / "t.csv"]
    if pdf:
        (out / "bijlage.pdf").write_bytes(b"%PDF fake " + str(year).encode())
        written.append(out / "bijlage.pdf")
    return written


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def setup(mini, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(ivb_analysis.annex, "write_annex", fake_annex)
    notebooks = tmp_path / "nb"
    contract_notebook(notebooks, "een", "print(year)")
    return mini, notebooks, tmp_path / "uit"


def _cli(raw, notebooks, out, *extra):
    return main(["run", "--data-dir", str(raw), "--notebook-dir", str(notebooks),
                 "--output-dir", str(out), "--processed-dir", str(out.parent / "proc"),
                 "--quiet", "--jobs", "1", "--years", "2015", *extra])


@pytest.mark.slow
def test_a_year_given_twice_counts_once_and_keeps_every_file(setup):
    raw, notebooks, out = setup
    settings = load_settings(raw, output_dir=out, processed_dir=out.parent / "proc")
    first = run(settings, notebooks, years=[2015], jobs=1, progress=False)
    files = _files(out / "2015")
    summary = run(settings, notebooks, years=[2015, 2015], jobs=1, progress=False, force=True)
    assert not summary.failed, summary.report()
    assert [(r.year, r.notebook) for r in summary.results] == [(2015, "bijlage"), (2015, "een")]
    assert _files(out / "2015") == files == [
        "bijlage.html", "een.analist.html", "een.html", "notebooks/een.ipynb", "run.json",
        "tables/t.csv"]
    assert json.loads((out / "2015" / "run.json").read_text(encoding="utf-8"))["ok"] is True
    assert len(first.results) == 2


@pytest.mark.slow
def test_a_task_whose_files_are_gone_is_a_failure_not_ok(setup, monkeypatch):
    raw, notebooks, out = setup

    def silent_annex(settings, year, *, pdf=False):  # says it worked, writes nothing
        return []

    monkeypatch.setattr(ivb_analysis.annex, "write_annex", silent_annex)
    settings = load_settings(raw, output_dir=out, processed_dir=out.parent / "proc")
    summary = run(settings, notebooks, years=[2015], jobs=1, progress=False)
    assert [r.notebook for r in summary.failed] == ["bijlage"]
    assert "bijlage.html" in summary.failed[0].error
    assert json.loads((out / "2015" / "run.json").read_text(encoding="utf-8"))["ok"] is False


@pytest.mark.slow
def test_ivb_run_writes_the_pdf_by_default_and_a_rerun_only_adds_what_is_missing(
        setup, monkeypatch, capsys):
    raw, notebooks, out = setup
    assert _cli(raw, notebooks, out, "--no-pdf") == 0  # a draft: no PDF
    assert not (out / "2015" / "bijlage.pdf").exists()
    notebook = out / "2015" / "notebooks" / "een.ipynb"
    stamp = notebook.stat().st_mtime_ns
    rendered = []

    def fake_pdf(html, target):  # the main process renders the PDF from bijlage.html
        rendered.append(html.read_text(encoding="utf-8"))
        target.write_bytes(b"%PDF uit html")
        return target

    monkeypatch.setattr(ivb_analysis.export, "html_to_pdf", fake_pdf)
    capsys.readouterr()
    time.sleep(0.01)
    assert _cli(raw, notebooks, out) == 0  # what `make report` runs: the PDF by default
    report = capsys.readouterr().out
    assert rendered == ["bijlage 2015"]  # rendered once, from the page already there
    assert "1 taken uitgevoerd" in report  # only the PDF: no notebook executed again
    assert notebook.stat().st_mtime_ns == stamp
    assert (out / "2015" / "bijlage.pdf").read_bytes() == b"%PDF uit html"
    record = json.loads((out / "2015" / "run.json").read_text(encoding="utf-8"))
    assert record["annex"] == {"written": True, "pdf": True} and record["ok"] is True
    # a draft run after it changes nothing and keeps the PDF; --pdf is still accepted
    assert _cli(raw, notebooks, out, "--no-pdf") == 0
    assert _cli(raw, notebooks, out, "--pdf") == 0
    assert rendered == ["bijlage 2015"]
    assert "overgeslagen (ongewijzigd): 2015" in capsys.readouterr().out
    assert (out / "2015" / "bijlage.pdf").is_file() and notebook.stat().st_mtime_ns == stamp
    # a fresh year with the default writes the PDF in the same run
    assert _cli(raw, notebooks, out, "--force") == 0
    assert (out / "2015" / "bijlage.pdf").read_bytes() == b"%PDF fake 2015"


def test_ivb_annex_is_staged_a_signal_during_the_pdf_leaves_the_old_year(mini, tmp_path,  # noqa: F811
                                                                       monkeypatch, capsys):
    out = tmp_path / "uit"
    old = out / "2015"
    (old / "figures").mkdir(parents=True)
    (old / "bijlage.html").write_text("oud", encoding="utf-8")
    (old / "bijlage.pdf").write_bytes(b"%PDF oud")
    (old / "figures" / "f.svg").write_text("<svg/>", encoding="utf-8")
    before = {p: p.read_bytes() for p in old.rglob("*") if p.is_file()}

    def killed_annex(settings, year, *, pdf=False):
        page = settings.output_dir / str(year) / "bijlage.html"
        page.write_text("nieuw", encoding="utf-8")  # the page is new ...
        os.kill(os.getpid(), signal.SIGTERM)  # ... and the PDF is being rendered
        time.sleep(5)
        raise AssertionError("not reached")

    monkeypatch.setattr(ivb_analysis.annex, "write_annex", killed_annex)
    args = ["annex", "--data-dir", str(mini), "--output-dir", str(out),
            "--processed-dir", str(tmp_path / "proc"), "--years", "2015"]
    assert main(args) == 128 + signal.SIGTERM
    assert "de vorige uitvoer is ongewijzigd" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in old.rglob("*") if p.is_file()} == before
    assert not list(out.glob(STAGING_PREFIX + "*"))

    monkeypatch.setattr(ivb_analysis.annex, "write_annex", fake_annex)
    assert main([*args, "--years", "2015", "2015"]) == 0  # a year named twice: once
    assert _files(old) == ["bijlage.html", "bijlage.pdf", "tables/t.csv"]  # old figure gone
    assert (old / "bijlage.html").read_text(encoding="utf-8") == "bijlage 2015"


@pytest.mark.slow
def test_a_signal_while_only_the_pdf_is_rendered_leaves_the_year_as_it_was(setup, monkeypatch,
                                                                         capsys):
    raw, notebooks, out = setup
    assert _cli(raw, notebooks, out, "--no-pdf") == 0
    before = {p: p.read_bytes() for p in (out / "2015").rglob("*") if p.is_file()}

    def killed_pdf(html, target):
        target.write_bytes(b"%PDF half")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
        raise AssertionError("not reached")

    monkeypatch.setattr(ivb_analysis.export, "html_to_pdf", killed_pdf)
    assert _cli(raw, notebooks, out) == 128 + signal.SIGTERM
    assert "de vorige uitvoer is ongewijzigd" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in (out / "2015").rglob("*") if p.is_file()} == before
    assert not list(out.glob(STAGING_PREFIX + "*"))
