"""The analyst's workbench (`ivb_analysis.workbench`): R golden values, the annex's numbers,
suppression that cannot be undone through the API, and the README's recipes."""

from __future__ import annotations

import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ivb_analysis import compare
from ivb_analysis.annex.context import Annex
from ivb_analysis.errors import InputError
from ivb_analysis.estimates import indicator_estimates
from ivb_analysis.workbench import Delivery, open_delivery
from tests.conftest import ROOT

MINI = ROOT / "data" / "raw" / "mini"
GOLDEN = ROOT / "tests" / "reference" / "workbench_reference.csv"
OUDEREN = {"leeftijd": {"ouderen": ["55-69", "70+"]}}
OOST = {"Oost": ["Groot Driene", "Berflo Es", "Wilderinkshoek"]}
IDS = ["onveiligheid_buurt", "rapportcijfer_veiligheid", "sociale_cohesie"]


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Delivery:
    return open_delivery(MINI, processed_dir=tmp_path_factory.mktemp("processed"))


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    table = pd.read_csv(GOLDEN)
    return table.pivot_table(index=["kind", "indicator", "year", "domain"],
                             columns="statistic", values="value")


def _row(table: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(table), dtype=bool)
    for column, value in where.items():
        mask &= (table[column] == value).to_numpy()
    assert mask.sum() == 1, where
    return table[mask].iloc[0]


# --- R survey ------------------------------------------------------------------------------------


@pytest.mark.parametrize("indicator", IDS)
@pytest.mark.parametrize("year", [2013, 2015])
def test_subgroups_and_a_group_of_wijken_equal_r_survey(mini, golden, indicator, year):
    cases = [("subgroup", "ouderen", mini.estimate(indicator, years=[year], by=OUDEREN),
              {"leeftijd": "ouderen"}),
             ("subgroup", "vrouw", mini.estimate(indicator, years=[year], by="geslacht"),
              {"geslacht": "vrouw"}),
             ("wijk_group", "Oost", mini.estimate(indicator, years=[year], domain=OOST),
              {"gebied": "Oost"})]
    for kind, name, table, where in cases:
        row = _row(table, **where)
        ref = golden.loc[(kind, indicator, year, name)]
        assert not row["suppressed"]
        assert row["n"] == ref["n"]
        for column in ("estimate", "se"):
            assert row[column] == pytest.approx(ref[column], rel=1e-9), (kind, column)
        for column in ("ci_low", "ci_high"):  # R's svyciprop works on the subset: 1e-9 apart
            assert row[column] == pytest.approx(ref[column], rel=1e-7), (kind, column)


@pytest.mark.parametrize("indicator", IDS)
def test_differences_and_their_p_equal_r_survey(mini, golden, indicator):
    groups = {"leeftijd": {"ouderen": ["55-69", "70+"], "jongeren": ["15-24", "25-39"]}}
    domains = mini.compare(indicator, against="domains", by=groups)
    waves = mini.compare(indicator, against="wave", by="geslacht", reference_year=2013)
    for year in (2013, 2015):
        row = _row(domains, year=year)
        ref = golden.loc[("domains", indicator, year, "ouderen-jongeren")]
        for column in ("difference", "se_difference", "p"):
            assert row[column] == pytest.approx(ref[column], rel=1e-8), column
    row = _row(waves, geslacht="vrouw", year=2015)
    ref = golden.loc[("waves", indicator, 2015, "vrouw")]
    for column in ("difference", "se_difference", "p"):
        assert row[column] == pytest.approx(ref[column], rel=1e-8), column
    # BH over the family asked for: two tests (man, vrouw) in one family
    p = waves.sort_values("geslacht")["p"].to_numpy()
    assert waves.sort_values("geslacht")["p_adjusted"].to_numpy() == pytest.approx(
        compare.bh_adjust(p))


# --- the annex's numbers -------------------------------------------------------------------------


def test_gemeente_wijk_and_rest_numbers_equal_the_annex(mini):
    annex = Annex(mini.settings, 2015)
    gemeente = mini.estimate(IDS, years=[2013, 2015])
    ref = annex.gemeente_estimates.set_index(["indicator", "year"])
    for row in gemeente.itertuples():
        expected = ref.loc[(row.indicator, row.year)]
        assert row.estimate == pytest.approx(expected["estimate"], rel=1e-12)
        assert row.se == pytest.approx(expected["se"], rel=1e-12)
        assert row.n == expected["n"]
    tested = mini.compare(["onveiligheid_buurt"], against="rest", domain="wijk", years=[2015],
                          family=["indicator", "year"])
    wijk = annex.wijk_estimates
    wijk = wijk[wijk["indicator"] == "onveiligheid_buurt"].set_index("wijk_naam")
    shown = tested[~tested["suppressed"]]
    assert len(shown) >= 7
    for row in shown.itertuples():
        expected = wijk.loc[row.gebied]
        for column in ("estimate", "ci_low", "ci_high", "estimate_rest", "difference", "p"):
            assert getattr(row, column) == pytest.approx(expected[column], rel=1e-10, nan_ok=True)
        assert row.verdict_polarity == expected["verdict_polarity"]


def test_trend_is_the_annex_test(mini):
    """Two waves: the annex's trend refuses (too few waves), and so does the workbench."""
    trend = mini.trend("onveiligheid_buurt", by="geslacht")
    assert list(trend["reason"]) == [compare.REASON_WAVES] * 2
    est = indicator_estimates(mini._long, mini.settings, indicators=["onveiligheid_buurt"])
    annex = compare.linear_trend(est[["indicator", "year", "estimate", "se"]],
                                 keys=["indicator"], min_waves=2)
    ours = compare.linear_trend(mini.estimate("onveiligheid_buurt")[
        ["indicator", "year", "estimate", "se"]], keys=["indicator"], min_waves=2)
    assert ours["slope"].iloc[0] == pytest.approx(annex["slope"].iloc[0], rel=1e-12)


# --- suppression ---------------------------------------------------------------------------------


def _true_value(mini: Delivery, year: int, **where) -> float:
    """The hidden number itself (computed around the API, with min_n = 1)."""
    data = mini._long[(mini._long["indicator"] == "onveiligheid_buurt")
                      & (mini._long["year"] == year)].copy()
    inside = np.ones(len(data), dtype=bool)
    for column, value in where.items():
        inside &= (data[column].astype(str) == value).to_numpy()
    data["cell"] = np.where(inside, "x", None)
    settings = mini.settings.__class__(**{**vars(mini.settings), "min_n": 1})
    est = indicator_estimates(data, settings, by="cell")
    return float(est["estimate"].iloc[0])


def _numbers(frame: pd.DataFrame) -> np.ndarray:
    values = frame.select_dtypes("number").to_numpy(dtype="float64", na_value=np.nan).ravel()
    return values[np.isfinite(values)]


def test_a_small_subgroup_cannot_be_had_back_by_crossing_or_subtraction(tmp_path):
    d = open_delivery(MINI, processed_dir=tmp_path / "p", min_n=85)  # 15-24 in 2015: n = 83
    hidden = _true_value(d, 2015, leeftijd="15-24")
    by_age = d.estimate("onveiligheid_buurt", years=[2015], by="leeftijd")
    young = _row(by_age, leeftijd="15-24")
    assert young["suppressed"] and pd.isna(young["estimate"])
    assert young["suppression"] == "te weinig respondenten"
    # the line: hidden cells hold >= min_n respondents, so total - shown is no small group
    assert by_age["suppressed"].sum() == 2
    assert by_age.loc[by_age["suppressed"], "n"].sum() >= 85
    attempts = [
        by_age,
        d.estimate("onveiligheid_buurt", years=[2015]),
        d.estimate("onveiligheid_buurt", years=[2015],
                   by={"leeftijd": {"25+": ["25-39", "40-54", "55-69", "70+"]}}),
        d.estimate("onveiligheid_buurt", years=[2015],
                   by={"leeftijd": {"jong": ["15-24", "25-39"]}}),
        d.estimate("onveiligheid_buurt", years=[2015], domain="wijk", by="leeftijd"),
        d.compare("onveiligheid_buurt", years=[2015], against="rest", by="leeftijd"),
        d.compare("onveiligheid_buurt", years=[2015], against="domains",
                  by={"leeftijd": {"jong": ["15-24"], "oud": ["70+"]}}),
        d.compare("onveiligheid_buurt", against="wave", by="leeftijd"),
    ]
    for table in attempts[2:4]:  # the complement, and a group with the small part
        assert table["suppressed"].all() and table["estimate"].isna().all()
    crossed = attempts[4]
    assert crossed["estimate"].isna().all()  # every wijk x age cell is below 85
    assert attempts[5].loc[attempts[5]["leeftijd"] == "15-24", "p"].isna().all()
    assert attempts[6]["p"].isna().all()
    for table in attempts:
        assert not np.isclose(_numbers(table), hidden, rtol=0, atol=5e-4).any()
    shown = by_age[~by_age["suppressed"]]
    total = _row(attempts[1], gebied="Hengelo")
    guess = (total["estimate"] * total["n"] - (shown["estimate"] * shown["n"]).sum()) \
        / (total["n"] - shown["n"].sum())
    assert abs(guess - hidden) > 1.0  # subtraction gives a mix with another group, not 15-24


def test_a_small_wijk_cannot_be_had_back_through_groups_of_wijken(mini):
    names = mini.wijken()["wijk_naam"].tolist()
    small = "Buitengebied"  # 49 respondents with a value in 2015 (min_n 50)
    rest = {"Rest": [n for n in names if n != small]}
    with_small = {"Twee": [small, "Woolde"]}
    for domain in (rest, with_small):
        table = mini.estimate("onveiligheid_buurt", years=[2015], domain=domain)
        assert table["suppressed"].all() and table["estimate"].isna().all()
    wijk = mini.estimate("onveiligheid_buurt", years=[2015], domain="wijk")
    assert _row(wijk, gebied=small)["suppression"] == "te weinig respondenten"
    assert wijk.loc[wijk["suppressed"], "n"].sum() >= mini.settings.min_n  # a second one


def test_hidden_cells_are_not_drawn_or_exported(tmp_path):
    d = open_delivery(MINI, processed_dir=tmp_path / "p", min_n=85)
    table = d.estimate("onveiligheid_buurt", by="leeftijd", years=[2015])
    hidden = table[table["suppressed"]]
    assert len(hidden) == 2
    fig = d.plot(table)
    ticks = {t.get_text() for ax in fig.axes for t in ax.get_yticklabels()}
    assert ticks == set(table.loc[~table["suppressed"], "leeftijd"])
    assert "15-24" in fig.texts[-1].get_text() or any(
        "Niet getoond" in t.get_text() and "15-24" in t.get_text() for t in fig.texts)
    path = d.to_excel(table, tmp_path / "tabel.xlsx", title="Onveiligheid naar leeftijd")
    book = openpyxl.load_workbook(path)
    sheet = next(book[name] for name in book.sheetnames if name.startswith("T01"))
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    # the annex's workbook stores a percentage as a fraction (0.234 shown as 23,4%)
    numbers = [c * 100 for c in cells if isinstance(c, float)]
    shown = table[~table["suppressed"]]
    assert any(np.isclose(c, shown["estimate"].iloc[0], atol=5e-2) for c in numbers)
    truth = _true_value(d, 2015, leeftijd="15-24")
    assert not any(np.isclose(c, truth, atol=5e-2) for c in numbers)


def test_bad_questions_are_refused_in_dutch(mini):
    with pytest.raises(InputError, match="onbekende achtergrondvariabele"):
        mini.estimate("onveiligheid_buurt", by="inkomen")
    with pytest.raises(InputError, match="onbekende wijk"):
        mini.estimate("onveiligheid_buurt", domain={"X": ["Atlantis"]})
    with pytest.raises(InputError, match="groepen overlappen"):
        mini.estimate("onveiligheid_buurt", domain={"A": ["Woolde"], "B": ["Woolde"]})
    with pytest.raises(InputError, match="niet in deze levering"):
        mini.estimate("geen_indicator")


# --- the README's recipes ------------------------------------------------------------------------


def _recipes() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Voor analisten", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```python\n(.*?)```", section, flags=re.S))


def test_the_readme_recipes_run_and_equal_the_annex(tmp_path, monkeypatch, mini):
    code = _recipes()
    assert code.count("d.") >= 6
    monkeypatch.chdir(tmp_path)
    code = code.replace('open_delivery("data/raw/mini")',
                        f'open_delivery({str(MINI)!r}, processed_dir={str(tmp_path / "p")!r})')
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # our own README
    subgroup, oost, waves, tests = (namespace[k] for k in ("subgroup", "oost", "waves", "tests"))
    assert (subgroup["leeftijd"] == "ouderen").all() and len(subgroup) == 2
    assert _row(oost, year=2015)["estimate"] == pytest.approx(
        _row(mini.estimate("onveiligheid_buurt", domain=OOST), year=2015)["estimate"])
    annex = Annex(mini.settings, 2015).gemeente_estimates.set_index(["indicator", "year"])
    men_women = mini.estimate("onveiligheid_buurt", by="geslacht")
    for row in waves.itertuples():
        now = _row(men_women, geslacht=row.geslacht, year=2015)["estimate"]
        assert row.estimate == pytest.approx(now)
    assert annex.loc[("onveiligheid_buurt", 2015), "estimate"] == pytest.approx(
        mini.estimate("onveiligheid_buurt", years=[2015])["estimate"].iloc[0], rel=1e-12)
    assert len(tests) == 3 and tests["p_adjusted"].to_numpy() == pytest.approx(
        compare.bh_adjust(tests["p"].to_numpy()))
    assert namespace["path"].is_file() and namespace["path"].name == "oostkant.xlsx"


# --- the exploration notebook --------------------------------------------------------------------


def test_the_exploration_notebook_is_paired_clean_and_not_run_by_ivb_run():
    import jupytext
    import nbformat

    from ivb_analysis.run import KERNEL, discover_notebooks

    path = ROOT / "notebooks" / "verkenning.ipynb"
    notebook = nbformat.read(path, as_version=4)
    source = jupytext.read(path.with_suffix(".py"))
    assert [(c.cell_type, c.source) for c in source.cells] == [
        (c.cell_type, c.source) for c in notebook.cells]
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert notebook.metadata["kernelspec"]["name"] == KERNEL
    text = path.with_suffix(".py").read_text(encoding="utf-8")
    assert "import seaborn" in text and "wave.show(" not in text
    assert text.count('against="') >= 3  # the three questions use the workbench's tests
    assert path not in discover_notebooks(path.parent)
    assert (path.parent / "trends.ipynb") in discover_notebooks(path.parent)


def test_a_comparison_exports_and_the_benchmark_uses_the_delivery_s_share(mini, tmp_path):
    bench = mini.compare(["onveiligheid_buurt", "rapportcijfer_veiligheid"],
                         against="benchmark", family=["year"])
    assert set(bench["share"]) == {0.018}  # benchmark_share in the mini ivb.yaml
    assert (bench["difference"] == bench["estimate"] - bench["estimate_benchmark"]).all()
    for _year, part in bench.groupby("year"):  # each wave its own BH family
        assert part["p_adjusted"].to_numpy() == pytest.approx(
            compare.bh_adjust(part["p"].to_numpy()))
    path = mini.to_excel(bench, tmp_path / "benchmark.xlsx", title="Tegen de G32")
    sheet = openpyxl.load_workbook(path).worksheets[1]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Onveiligheid buurt" in cells and "Oordeel" in cells
