"""Footprint: position against the benchmark group in the benchmark waves, and development."""

from __future__ import annotations

import pandas as pd

from ivb_analysis import benchmark as bm
from ivb_analysis import compare, figures
from ivb_analysis.annex import common
from ivb_analysis.annex.interface import NOT_DELIVERED, PARTIAL, VERDICT
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import FigureItem, Section
from ivb_analysis.prepare import BENCHMARK_TABLE
from ivb_analysis.tables import AnnexTable, Column

KEY = "footprint"


def numbers(annex: Annex) -> pd.DataFrame | None:
    """`benchmark.footprint` over the benchmark waves (position only with one wave); None
    without a benchmark for this year. Indicators the delivery lacks say so."""
    bench = annex.optional("benchmark", BENCHMARK_TABLE)
    waves = annex.comparison.benchmark
    if bench is None or not waves:
        return None
    ids = [i.id for i in annex.catalogue.footprint]
    est = annex.gemeente_estimates
    est = est[est["indicator"].isin(ids) & est["year"].isin(waves)]
    s = annex.settings
    if len(waves) == 2:
        result = bm.footprint(est, bench, waves[0], waves[1], alpha=s.alpha,
                              share=annex.share, method_break=s.method_break)
    else:
        y = waves[0]
        tested = compare.vs_benchmark(
            est[["indicator", "year", "estimate", "se", "suppressed"]],
            bench[bench["year"] == y][["indicator", "year", "estimate", "ci_low", "ci_high"]],
            share=annex.share, keys=["indicator", "year"], polarity=annex.polarity,
            family="year", alpha=s.alpha,
        ).set_index("indicator").reindex(ids)
        result = pd.DataFrame({
            "indicator": ids,
            "label": [annex.catalogue[i].label for i in ids],
            f"position_{y}": tested[VERDICT].to_numpy(),
            f"estimate_{y}": tested["estimate"].to_numpy(),
            f"benchmark_{y}": tested["estimate_benchmark"].to_numpy(),
            f"p_adjusted_{y}": tested["p_adjusted"].to_numpy(),
            f"reason_{y}": tested["reason"].to_numpy(),
            "unit": [annex.catalogue[i].unit for i in ids],
        })
    result = result.assign(kind=result["indicator"].map(lambda i: annex.catalogue[i].kind),
                           status=result["indicator"].map(
                               lambda i: annex.indicator_status.get(i, "beschikbaar")))
    absent = result["status"] == NOT_DELIVERED
    for y in waves:
        judged = common.judgement(result[f"position_{y}"], result[f"reason_{y}"])
        result[f"judgement_{y}"] = [NOT_DELIVERED if a else j
                                    for a, j in zip(absent, judged, strict=True)]
    if len(waves) == 2:
        judged = common.judgement(result["development"], result["development_reason"])
        result["development_judgement"] = [NOT_DELIVERED if a else j
                                           for a, j in zip(absent, judged, strict=True)]
    return result


def counts(result: pd.DataFrame, waves: tuple[int, ...]) -> dict[str, int]:
    """Per wave and for the development: how many indicators are beter, gelijk, slechter than
    the group, and how many were not tested (counted apart from gelijk), over the indicators
    present. Keys `beter_2015`, ..., `niet_getoetst_development`."""
    present = result[result["status"] != NOT_DELIVERED]
    out = {"present": len(present)}
    columns = {str(y): f"position_{y}" for y in waves}
    if "development" in present.columns:
        columns["development"] = "development"
    for name, column in columns.items():
        verdicts = present[column]
        for word in ("beter", "slechter", "gelijk"):
            out[f"{word}_{name}"] = int((verdicts == word).sum())
        out[f"niet_getoetst_{name}"] = int(
            (~verdicts.isin(["beter", "slechter", "gelijk"])).sum())
    return out


def build(annex: Annex) -> Section | None:
    if annex.optional("benchmark", BENCHMARK_TABLE) is None:
        annex.skipped[KEY] = "de levering heeft geen benchmark"
        return None
    result = numbers(annex)
    if result is None:
        annex.skipped[KEY] = f"de benchmark heeft geen cijfers voor {annex.year}"
        return None
    waves = annex.comparison.benchmark
    group = common.group_name(annex.settings)
    chart_columns = [(f"position_{y}", f"Positie {y} t.o.v. {group}") for y in waves]
    if len(waves) == 2:
        chart_columns.append(("development", f"Ontwikkeling {waves[0]}–{waves[1]} t.o.v. "
                              f"{group}"))
    share = common.share_note(annex.settings, annex.shares, waves)
    years = " en ".join(map(str, waves))
    source = (f"Bron: {annex.settings.source_label} {years}; benchmark {group}, bewerking "
              f"gemeente {annex.gemeente}")
    title = f"Footprint: {annex.gemeente} t.o.v. {group}"
    notes = [share]
    partial = result.loc[result["status"] == PARTIAL, "label"].tolist()
    if partial:
        notes.append(f"Gedeeltelijk in deze levering (niet alle items): {common.join(partial)}.")
    missing = result.loc[result["status"] == NOT_DELIVERED, "label"].tolist()
    if missing:
        notes.append(common.missing_note(missing))
    fig = figures.footprint_chart(
        result, chart_columns, title=title,
        subtitle=(f"Positie per meetjaar en ontwikkeling {waves[0]}–{waves[1]}"
                  if len(waves) == 2 else f"Positie in {waves[0]} (geen eerdere benchmark)"),
        source=source, banner=annex.settings.banner, notes=notes, alpha=annex.settings.alpha,
    )
    columns = [Column("label", "Indicator", "text", 30)]
    for y in waves:
        columns += [Column(f"estimate_{y}", f"{annex.gemeente} {y}", "value", 12,
                           apart_from=(f"benchmark_{y}", f"position_{y}")),
                    Column(f"benchmark_{y}", f"{group} {y}", "value", 11),
                    Column(f"judgement_{y}", f"Positie {y} t.o.v. {group}", "text", 14)]
    if len(waves) == 2:
        columns += [Column("development_difference",
                           f"Verschil in ontwikkeling t.o.v. {group}", "change", 14),
                    Column("development_judgement",
                           f"Ontwikkeling {waves[0]}–{waves[1]} t.o.v. {group}", "text", 16)]
    note = (f"Toets op {common.alpha_text(annex.settings)} met Benjamini-Hochberg-correctie "
            f"(p-waarden in de CSV-versie). {' '.join(notes)}")
    if len(waves) == 2 and common.spans_break(list(waves), annex.settings.method_break):
        note += (f" De ontwikkeling is niet getoetst: methodebreuk in "
                 f"{annex.settings.method_break}.")
    table = AnnexTable(KEY, f"Footprint {annex.gemeente} t.o.v. {group}", result,
                       tuple(columns), source=source, note=note, row_key="indicator")
    return Section(
        KEY, f"Footprint: {annex.gemeente} vergeleken met de {group}",
        f"Scoort {annex.gemeente} significant beter, gelijk of slechter dan het gemiddelde "
        f"van de {group}, en ontwikkelt de gemeente zich beter of slechter dan de {group}? "
        "Beter en slechter houden rekening met wat gunstig is (bij overlast is lager beter).",
        figures=[FigureItem(KEY, title, fig)], tables=[table],
    )
