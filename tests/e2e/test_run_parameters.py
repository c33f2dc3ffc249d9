"""`ivb run -p`: parameters that contradict the run or the delivery are refused with exit 2 before
anything runs; parameters that are Settings fields reach the notebooks and the annex alike."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from ivb_analysis.cli import main
from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.parameters import _type_matches, apply_parameters, notebook_parameters
from ivb_analysis.run import preflight, run
from tests.conftest import ROOT

MINI = ROOT / "data" / "raw" / "mini"

# The parameters cell of the notebook contract (ROUND.md, contract 2).
PARAMETERS_CELL = """\
year: int = 2015  # meetjaar
base_year: Optional[int] = None  # vergelijkingsjaar
gemeente: Optional[str] = None  # gemeentecode ter controle
benchmark_group: Optional[Union[str, list]] = None  # vergelijkingsgroep
min_n: Optional[int] = None  # minimum aantal respondenten
data_dir: str = "."  # map van de levering
output_dir: str = "."  # map voor de uitvoer
processed_dir: Optional[str] = None  # map met de bewerkte tabellen"""


def contract_notebook(folder: Path, name: str, *code: str) -> Path:
    """A notebook with the contract's parameters cell followed by `code` cells."""
    folder.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "ivb-analysis", "language": "python",
                                       "display_name": "Python (ivb-analysis)"}
    params = nbformat.v4.new_code_cell(PARAMETERS_CELL)
    params.metadata["tags"] = ["parameters"]
    notebook.cells = [nbformat.v4.new_markdown_cell(f"# Titel van {name}\n\nWat {name} laat zien."
                                                    " Tweede zin."),
                      nbformat.v4.new_code_cell("from typing import Optional, Union"), params,
                      *(nbformat.v4.new_code_cell(c) for c in code)]
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def mini(tmp_path) -> Path:
    """A copy of the mini delivery (waves 2013 and 2015) under tmp/data/raw/mini."""
    target = tmp_path / "data" / "raw" / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.mark.parametrize(("value", "declared", "fits"), [
    ("G32", "Optional[Union[str, list]]", True),
    (["GM0014", "GM0164"], "Optional[Union[str, list]]", True),
    (None, "Optional[Union[str, list]]", True),
    (32, "Optional[Union[str, list]]", False),
    (2013, "Optional[int]", True),
    (True, "Optional[int]", False),  # a bool is not a year
    ("2013", "int", False),
    (["a"], "list[str]", True),
    (1.5, "Union[int, float]", True),
    ("x", "str | None", True),
    (3, "str | None", False),
    ({"a": 1}, "SomethingElse", True),  # an annotation we cannot read: papermill decides
])
def test_type_matches_reads_optional_and_union(value, declared, fits):
    assert _type_matches(value, declared) is fits


def test_settings_parameters_are_applied_once(mini):
    settings = load_settings(mini)
    applied, years, free = apply_parameters(
        settings, [2015], {"base_year": 2013, "min_n": 80, "benchmark_group": ["GM0153", "GM0164"],
                           "gemeente": "GM0164"})
    assert years == [2015]
    assert (applied.reference_year, applied.min_n, applied.benchmark_group) == (
        2013, 80, ["GM0153", "GM0164"])
    assert free == {"gemeente": "GM0164"}
    notebook = ROOT / "notebooks" / "trends.ipynb"
    params = notebook_parameters(applied, notebook, 2015, extra=free)
    assert params["base_year"] == 2013 and params["min_n"] == 80
    assert params["benchmark_group"] == ["GM0153", "GM0164"] and params["gemeente"] == "GM0164"
    # paths relative to the notebook's folder, processed data where the settings say
    for name, place in (("data_dir", mini), ("processed_dir", mini.parent.parent / "processed"),
                        ("output_dir", mini.parents[2] / "outputs" / "mini" / "2015")):
        assert not Path(params[name]).is_absolute()
        assert (notebook.parent / params[name]).resolve() == place.resolve()


def test_year_parameter_alone_selects_that_year(mini):
    _, years, free = apply_parameters(load_settings(mini), None, {"year": 2013})
    assert years == [2013] and free == {}


@pytest.mark.parametrize(("years", "parameters", "column"), [
    ([2015], {"year": 2013}, "year"),  # contradicts --years
    (None, {"year": 2014}, "years"),  # not a wave of the delivery
    ([2015], {"base_year": 2015}, "base_year"),  # not earlier
    ([2013, 2015], {"base_year": 2013}, "base_year"),  # not earlier than 2013 itself
    ([2015], {"base_year": 2011}, "base_year"),  # not a wave
    ([2015], {"base_year": "2013"}, "base_year"),  # text
    ([2015], {"min_n": -5}, "min_n"),
    ([2015], {"min_n": 0}, "min_n"),
    ([2015], {"min_n": 50.5}, "min_n"),
    ([2015], {"benchmark_group": 32}, "benchmark_group"),
    ([2015], {"benchmark_group": []}, "benchmark_group"),
    ([2015], {"gemeente": "GM0153"}, "gemeente"),
    ([2015], {"data_dir": "elders"}, "data_dir"),
    ([2015], {"processed_dir": "elders"}, "processed_dir"),
])
def test_contradicting_parameters_are_refused(mini, years, parameters, column):
    with pytest.raises(InputError) as info:
        apply_parameters(load_settings(mini), years, parameters)
    assert info.value.column == column


def test_unknown_benchmark_group_is_refused_naming_the_membership_file(mini):
    with pytest.raises(InputError, match=r"g32_leden_SYNTHETISCH\.csv"):
        apply_parameters(load_settings(mini), [2015], {"benchmark_group": "G99"})


@pytest.mark.parametrize("pairs", [
    ["year", "2013"],
    ["base_year", "2015"],
    ["min_n", "-5"],
    ["onbekend", "1"],
    ["min_n", "veel"],
])
def test_cli_refuses_with_exit_2_before_anything_is_written(mini, tmp_path, capsys, pairs):
    out = tmp_path / "uit"
    code = main(["run", "--data-dir", str(mini), "--years", "2015", "--output-dir", str(out),
                 "--processed-dir", str(tmp_path / "proc"), "--notebook-dir",
                 str(ROOT / "notebooks"), "--quiet", "-p", *pairs])
    assert code == 2
    assert f"kolom {pairs[0]!r}" in capsys.readouterr().err
    assert not out.exists()


def test_preflight_checks_types_against_the_notebooks_first(mini):
    """A value of the wrong type is named as such, before the range checks of the run."""
    with pytest.raises(InputError, match="verkeerde type") as info:
        preflight(load_settings(mini), ROOT / "notebooks", years=[2015],
                  parameters={"min_n": "veel"})
    assert info.value.column == "min_n"
    _, years, extra, notebooks, declared = preflight(
        load_settings(mini), ROOT / "notebooks", years=None, parameters={"year": 2015})
    assert years == [2015] and extra == {} and len(notebooks) == len(declared) == 5


@pytest.mark.slow
def test_notebooks_and_annex_receive_the_same_settings(mini, tmp_path, monkeypatch):
    """-p base_year/min_n/benchmark_group reach the notebook parameters and write_annex."""
    import ivb_analysis.annex

    def fake_annex(settings, year, *, pdf=False):  # runs in the (forked) worker
        page = settings.output_dir / str(year) / "bijlage.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(json.dumps([settings.reference_year, settings.min_n,
                                    settings.benchmark_group]), encoding="utf-8")
        return [page]

    monkeypatch.setattr(ivb_analysis.annex, "write_annex", fake_annex)
    notebooks = tmp_path / "nb"
    contract_notebook(notebooks, "toon",
                      "import json\nprint(json.dumps([year, base_year, min_n, benchmark_group, "
                      "processed_dir]))")
    settings = load_settings(mini, output_dir=tmp_path / "uit", processed_dir=tmp_path / "proc")
    summary = run(settings, notebooks, years=[2015], jobs=2, progress=False,
                  parameters={"base_year": 2013, "min_n": 80,
                              "benchmark_group": ["GM0153", "GM0164"]})
    assert not summary.failed, summary.report()
    executed = nbformat.read(tmp_path / "uit" / "2015" / "notebooks" / "toon.ipynb", 4)
    printed = json.loads(executed.cells[-1].outputs[0]["text"])
    assert printed == [2015, 2013, 80, ["GM0153", "GM0164"], "../proc"]
    annex = json.loads((tmp_path / "uit" / "2015" / "bijlage.html").read_text(encoding="utf-8"))
    assert annex == [2013, 80, ["GM0153", "GM0164"]]
    record = json.loads((tmp_path / "uit" / "2015" / "run.json").read_text(encoding="utf-8"))
    assert record["settings"] == {"reference_year": 2013, "min_n": 80,
                                  "benchmark_group": ["GM0153", "GM0164"]}
