"""One output folder per delivery: the default `outputs/<delivery>/`, no stale or foreign file after
a run, repair after a killed run, and an index that lists only this delivery's pages, escaped."""

from __future__ import annotations

import json
import re

import pytest

from ivb_analysis.config import load_settings
from ivb_analysis.index import describe_notebook, render_index
from ivb_analysis.outfolder import OLD_PREFIX, STAGING_PREFIX, recover
from ivb_analysis.run import run, strip_volatile
from tests.conftest import ROOT
from tests.e2e.test_run_parameters import contract_notebook, mini  # noqa: F401 (fixture)


def test_default_output_folder_is_per_delivery(tmp_path, monkeypatch):
    for name in ("demo", "mini"):
        settings = load_settings(ROOT / "data" / "raw" / name)
        assert settings.output_dir == ROOT / "outputs" / name
    monkeypatch.chdir(ROOT)
    assert load_settings("data/raw/mini").output_dir.as_posix() == "outputs/mini"
    elsewhere = tmp_path / "levering_enschede"  # not under data/raw: outputs/<folder name>
    elsewhere.mkdir()
    (elsewhere / "ivb.yaml").write_text((ROOT / "data/raw/mini/ivb.yaml").read_text("utf-8"),
                                        encoding="utf-8")
    assert load_settings(elsewhere).output_dir.as_posix() == "outputs/levering_enschede"


def test_recover_puts_back_a_year_moved_aside_and_sweeps_leftovers(tmp_path):
    moved = tmp_path / f"{OLD_PREFIX}2015-abc123"
    moved.mkdir()
    (moved / "bijlage.html").write_text("oud en compleet", encoding="utf-8")
    both = tmp_path / f"{OLD_PREFIX}2013-def456"  # 2013 itself exists: the copy is stale
    both.mkdir()
    (tmp_path / "2013").mkdir()
    (tmp_path / f"{STAGING_PREFIX}x1").mkdir()
    (tmp_path / ".index.html.k2.tmp").write_text("half", encoding="utf-8")
    (tmp_path / ".eigen").write_text("van de gebruiker", encoding="utf-8")
    recover(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".eigen", "2013", "2015"]
    assert (tmp_path / "2015" / "bijlage.html").read_text(encoding="utf-8") == "oud en compleet"


def test_strip_volatile_keeps_parameters_and_outputs_only():
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "duration": 1.2,
                                      "input_path": "/home/x/nb.ipynb", "environment_variables":
                                      {}, "parameters": {"year": 2015}, "version": "2.7.0"}
    cell = nbformat.v4.new_code_cell("1")
    cell.metadata.update({"papermill": {"duration": 0.1, "status": "completed"},
                          "execution": {"iopub.status.busy": "2026-01-01"}, "tags": ["x"]})
    cell.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    notebook.cells = [cell]
    strip_volatile(notebook)
    assert notebook.metadata["papermill"] == {"parameters": {"year": 2015}}
    assert notebook.cells[0].metadata == {"tags": ["x"]}
    assert notebook.cells[0].id == "cel-000" and notebook.cells[0].outputs[0]["text"] == "1\n"


def test_notebook_titles_are_read_from_the_notebooks():
    title, what = describe_notebook(ROOT / "notebooks" / "staat_van_de_stad.ipynb")
    assert title == "Staat van de stad"
    assert what.startswith("Hoe oordelen inwoners over leefbaarheid") and what.endswith("?")


def test_index_escapes_the_delivery_and_puts_the_annex_first(mini, tmp_path):  # noqa: F811
    hostile = '<script>alert("x")</script>'
    settings = load_settings(mini, output_dir=tmp_path / "uit").replace(
        gemeente_naam=hostile, source_label="<img src=x onerror=alert(1)>")
    notebooks = tmp_path / "nb"
    contract_notebook(notebooks, "kaart")
    year = tmp_path / "uit" / "2015"
    (year / "tables").mkdir(parents=True)
    for name in ("bijlage.html", "bijlage.pdf", "kaart.html", "kaart.analist.html",
                 "tables/tabellen_2015.xlsx"):
        (year / name).write_text("x", encoding="utf-8")
    page = render_index(settings, [notebooks / "kaart.ipynb"])
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    links = re.findall(r'href="([^"]+)"', page)
    assert links == ["2015/bijlage.html", "2015/bijlage.pdf", "2015/tables/tabellen_2015.xlsx",
                     "2015/kaart.html", "2015/kaart.analist.html"]  # 2013 has no pages
    assert "Titel van kaart" in page and "Wat kaart laat zien." in page
    assert "Tweede zin" not in page and "kaart.ipynb" not in page


@pytest.mark.slow
def test_a_run_leaves_only_what_it_wrote(mini, tmp_path):  # noqa: F811
    """Stale files of an earlier run and year folders of another delivery are gone."""
    notebooks = tmp_path / "nb"
    contract_notebook(notebooks, "een", "print(year)")
    contract_notebook(notebooks, "twee", "print(year)")
    out = tmp_path / "uit"
    settings = load_settings(mini, output_dir=out, processed_dir=tmp_path / "proc")
    (out / "2015" / "tables").mkdir(parents=True)
    (out / "2015" / "tables" / "trendtoets.csv").write_text("van een andere levering", "utf-8")
    (out / "2021").mkdir()  # made by ivb run for another delivery
    (out / "2021" / "run.json").write_text(json.dumps(
        {"delivery": {"folder": "demo", "gemeente": "GM0164"}}), encoding="utf-8")
    (out / "notities").mkdir()  # not made by ivb run: left alone
    summary = run(settings, notebooks, years=[2015], jobs=2, progress=False, annex=False)
    assert not summary.failed, summary.report()
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert made == [".ivb-lock", "2015/een.analist.html", "2015/een.html",
                    "2015/notebooks/een.ipynb", "2015/notebooks/twee.ipynb", "2015/run.json",
                    "2015/twee.analist.html", "2015/twee.html", "index.html"]
    assert (out / "notities").is_dir()
    # the second notebook goes: a rerun removes its pages instead of keeping stale ones
    (notebooks / "twee.ipynb").unlink()
    run(settings, notebooks, years=[2015], jobs=2, progress=False, annex=False)
    assert not list(out.rglob("twee*"))
    assert "twee" not in (out / "index.html").read_text(encoding="utf-8")
