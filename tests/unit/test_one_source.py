"""One source per fact: the significance level, min_n and the synthetic-data sentence are defined
once (`defaults`, `style`) and every text a reader sees follows them; changing one is one line."""

from __future__ import annotations

import ast
import inspect
import io
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import pandas as pd
from openpyxl import load_workbook

matplotlib.use("Agg")
from matplotlib.figure import Figure

from ivb_analysis import benchmark, compare, defaults, export, figures, style, survey
from ivb_analysis.annex import common, method, page
from ivb_analysis.annex.context import Annex
from ivb_analysis.annex.interface import Comparison
from ivb_analysis.config import Settings, load_settings
from ivb_analysis.tables import AnnexTable, Column
from tests.conftest import DEMO_DIR, ROOT

SOURCE = ROOT / "src" / "ivb_analysis"
#: Parameter name -> the one constant its default must be.
ONE_SOURCE = {"alpha": "ALPHA", "min_n": "MIN_N", "indicatief_n": "INDICATIEF_N"}


def _literal_defaults(source: Path = SOURCE) -> list[str]:
    """'module:function(parameter=value)' for every parameter in ONE_SOURCE whose default is
    typed as a number instead of read from `defaults`."""
    found = []
    for path in sorted(source.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            pairs = [*zip(positional[len(positional) - len(args.defaults):], args.defaults,
                          strict=True),
                     *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                       if d is not None)]
            found += [f"{path.relative_to(source)}:{node.name}({arg.arg}={default.value})"
                      for arg, default in pairs
                      if arg.arg in ONE_SOURCE and isinstance(default, ast.Constant)
                      and isinstance(default.value, int | float)]
    return found


def test_no_function_types_its_own_alpha_or_min_n():
    assert _literal_defaults() == []


def test_the_literal_finder_finds_a_typed_default(tmp_path):
    (tmp_path / "m.py").write_text("def f(x, min_n=50, *, alpha=0.05, indicatief_n=N):\n"
                                   "    pass\n")
    assert _literal_defaults(tmp_path) == ["m.py:f(min_n=50)", "m.py:f(alpha=0.05)"]


def test_settings_and_every_keyword_default_read_the_one_source():
    fields = Settings.__dataclass_fields__
    assert fields["alpha"].default == defaults.ALPHA == 0.05
    assert fields["min_n"].default == defaults.MIN_N == 50
    assert fields["indicatief_n"].default == defaults.INDICATIEF_N == 100
    checked = 0
    for module in (benchmark, compare, figures, survey):
        for _, function in inspect.getmembers(module, inspect.isfunction):
            for name, parameter in inspect.signature(function).parameters.items():
                if name in ONE_SOURCE and parameter.default is not inspect.Parameter.empty:
                    assert parameter.default == getattr(defaults, ONE_SOURCE[name]), function
                    checked += 1
    assert checked >= 8


def test_alpha_as_a_percentage_is_one_function():
    assert [defaults.alpha_text(a) for a in (0.05, 0.01, 0.025, 0.0125)] == [
        "5%", "1%", "2,5%", "1,25%"]
    assert figures.alpha_text is defaults.alpha_text
    assert defaults.alpha_decimal(0.01) == "0,01"


def _context(settings: Settings) -> SimpleNamespace:
    """The least a method note needs (the `Context` interface, not the class behind it)."""
    shares = pd.DataFrame({"year": [2015], "share": [0.0], "source": ["instelling"]})
    long = pd.DataFrame({"resp_id": [1, 2], "year": [2015, 2015], "wijk_code": ["A", "B"],
                         "stratum": ["A", "B"], "weight": [1.0, 1.0]})
    return SimpleNamespace(settings=settings, comparison=Comparison(2015, 2013, None, ()),
                           shares=shares, lonely_note=None, waves=[2013, 2015], year=2015,
                           long=long, catalogue={})


def _table() -> AnnexTable:
    data = pd.DataFrame({"indicator": ["x"], "estimate": [1.0], "p_adjusted": [0.2]})
    return AnnexTable("kerncijfers", "Kerncijfers", data,
                      (Column("indicator", "Indicator", "text", 10),), source="Bron: test")


def test_alpha_of_the_settings_reaches_every_text(tmp_path):
    """ivb.yaml `alpha: 0.01` is one line: the method note, the glossary, the change notes, the
    trend note, the figure legend and LEESMIJ.txt all say 1% (0,01), none 5% (0,05)."""
    settings = load_settings(DEMO_DIR, output_dir=tmp_path).replace(alpha=0.01)
    trends = pd.DataFrame({"p": [0.5], "p_lack_of_fit": [0.5], "dispersion": [1.0]})
    annex = _context(settings)
    texts = {
        "method": " ".join(method.method_note(annex)),
        "glossary": " ".join(t for _, t in method.glossary(settings)),
        "change": common.change_note(annex, [2013]),
        "trend": compare.trend_method_note(trends, alpha=settings.alpha),
        "legend": figures.marks._verdict_note(pd.Series(["beter"]), "2013", alpha=settings.alpha),
    }
    for name, text in texts.items():
        assert "1%" in text and "op 5%" not in text and "van 5%" not in text, name
    guide = export.csv_guide([_table()], heading="Tabellen", alpha=settings.alpha)
    assert "significant als kleiner dan 0,01" in guide and "0,05" not in guide


def test_the_synthetic_sentence_is_one_line(monkeypatch, tmp_path):
    """Change the sentence in `style` and every output that carries it changes with it: the
    settings' banner, the annex page, LEESMIJ.txt, the workbook, the figure band, the source."""
    monkeypatch.setattr(style, "SYNTHETIC_LABEL", "PROEFDATA")
    monkeypatch.setattr(style, "SYNTHETIC_SENTENCE", "niets hiervan is echt")
    monkeypatch.setattr(style, "SYNTHETIC_SHORT", "niet echt")
    settings = load_settings(DEMO_DIR, output_dir=tmp_path)
    banner = settings.banner
    assert banner == "PROEFDATA"
    assert "PROEFDATA: niets hiervan is echt" in page.banner_html(banner)
    guide = export.csv_guide([_table()], heading="Tabellen", banner=banner)
    assert "PROEFDATA: niets hiervan is echt." in guide and "verzonnen" not in guide
    book = load_workbook(io.BytesIO(export.write_workbook(
        [_table()], tmp_path / "t.xlsx", heading="Tabellen", banner=banner).read_bytes()))
    cells = {c.value for sheet in book for row in sheet.iter_rows() for c in row}
    assert "PROEFDATA: niet echt" in cells
    assert not [v for v in cells if isinstance(v, str) and "verzonnen" in v]
    fig = figures.finish(Figure(figsize=(6, 4)), source="Bron: test", banner=banner)
    assert "PROEFDATA: niet echt" in [t.get_text() for t in fig.texts]
    other = Annex.other_source(SimpleNamespace(settings=settings, gemeente="Hengelo"),
                               "police_label", "Politie", 2023)
    assert other == "Bron: Politie 2023 (proefdata), bewerking gemeente Hengelo"
