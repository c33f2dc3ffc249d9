"""The house: no import cycle among the library's modules (every import, also inside functions
and under TYPE_CHECKING), no module over 500 lines, and the declared sections are what the
notebooks show."""

from __future__ import annotations

import ast
import graphlib
import inspect
import re
from pathlib import Path

import pytest

from ivb_analysis.annex import registry
from ivb_analysis.annex.context import Annex
from ivb_analysis.annex.interface import EVERY_NOTEBOOK, Context
from ivb_analysis.catalogue import load_selections
from ivb_analysis.exploration import EXPLORATION_NOTEBOOKS
from tests.conftest import ROOT

SRC = ROOT / "src"
PACKAGE = SRC / "ivb_analysis"
NOTEBOOKS = ROOT / "notebooks"
MAX_LINES = 500


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of the package `name` imports, at any level of its syntax tree (module
    level, inside functions, under `if TYPE_CHECKING:`); `from a import b` counts as `a.b`
    when `a.b` is a module, else as `a`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        found |= {t for t in targets if t in known and t != name}
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle ([] when there is none)."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return list(error.args[1])
    return []


def test_the_import_graph_sees_function_level_and_type_checking_imports(tmp_path):
    """The checker itself: an import inside a function or under TYPE_CHECKING is an edge."""
    pkg = tmp_path / "src" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from pkg import b\n")
    (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    from pkg.a import f\n")
    known = {"pkg", "pkg.a", "pkg.b"}
    assert _imports("pkg.a", pkg / "a.py", known) == {"pkg.b"}
    assert _imports("pkg.b", pkg / "b.py", known) == {"pkg.a"}


def test_no_import_cycle_among_the_modules():
    graph = import_graph()
    assert len(graph) > 60
    assert "ivb_analysis.annex.registry" in graph["ivb_analysis.annex.context"]
    assert find_cycle(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) != []
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_no_module_over_500_lines():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines())
             for name, path in _modules().items()}
    assert len(sizes) > 60
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


SHOW = re.compile(r"""wave\.show\(\s*["']([^"']+)["']\s*\)""")


def _shown() -> dict[str, set[str]]:
    """Annex notebook name -> the section keys its `wave.show("...")` cells show (exploration
    notebooks, `exploration.EXPLORATION_NOTEBOOKS`, show no section and are not counted)."""
    return {path.stem: set(SHOW.findall(path.read_text(encoding="utf-8")))
            for path in sorted(NOTEBOOKS.glob("*.py")) if path.stem not in EXPLORATION_NOTEBOOKS}


def test_the_notebooks_show_exactly_the_declared_sections():
    """Every declared section is shown by the notebook its spec names, and every notebook shows
    only declared sections (a new section or wijk indicator without a notebook fails here)."""
    specs = registry.specs(load_selections())
    shown = _shown()
    assert len(shown) == 5
    declared = {(spec.notebook, spec.key) for spec in specs if spec.notebook != EVERY_NOTEBOOK}
    assert {(nb, key) for nb, keys in shown.items() for key in keys} == declared
    for spec in specs:
        if spec.notebook == EVERY_NOTEBOOK:  # the glossary: wave.glossary() in every notebook
            for path in (NOTEBOOKS / f"{name}.py" for name in shown):
                assert "wave.glossary()" in path.read_text(encoding="utf-8"), path.name


def test_section_keys_are_unique_and_every_findings_role_is_known():
    specs = registry.specs(load_selections())
    keys = [spec.key for spec in specs]
    assert len(keys) == len(set(keys))
    assert {spec.findings for spec in specs} == {None, "gemeente", "wijk", "rest"}


@pytest.mark.parametrize("notebook", ["staat_van_de_stad", "wijkprofielen"])
def test_the_notebook_show_pattern_finds_the_cells(notebook):
    """The regular expression reads the notebooks' real cells (not an empty match)."""
    assert _shown()[notebook]


def test_the_annex_implements_the_context_interface():
    """Every member of the `Context` protocol the sections type against exists on `Annex`."""
    methods = {n for n in vars(Context) if not n.startswith("_")}
    fields = set(Context.__annotations__)
    assert len(methods) > 25 and {"settings", "year", "skipped"} <= fields
    assert sorted(n for n in methods if not hasattr(Annex, n)) == []
    init = inspect.getsource(Annex.__init__)
    assert sorted(n for n in fields if f"self.{n} " not in init and f"self.{n}:" not in init) == []
