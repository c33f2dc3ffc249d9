"""One indicator per wijk: each wijk against the rest of the gemeente (this year) and against
its own earlier waves (previous wave, reference year).

`table_for` is the compact table of the appendix (`wijktabellen`); `build_for` (table and
figures) is kept for notebooks and analysts but no longer a section of the annex: the overview
is `wijkoverzicht`.
"""

from __future__ import annotations

import pandas as pd

from ivb_analysis import figures, suppression
from ivb_analysis.annex import common
from ivb_analysis.annex.interface import VERDICT
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import FigureItem, Section
from ivb_analysis.annex.sections.comparable import comparable_base
from ivb_analysis.tables import AnnexTable, Column, format_interval, remark


def key(indicator: str) -> str:
    return f"wijk_{indicator}"


def over_time(annex: Annex, indicator: str, data: pd.DataFrame
              ) -> tuple[pd.DataFrame, list[Column]]:
    """Each wijk of `data` (this year) tested against its own earlier waves (one BH family per
    indicator and comparison wave)."""
    history = annex.wijk_history
    if history.empty or not annex.comparison.waves:
        return data, []
    est = history[history["indicator"] == indicator]
    return common.add_comparisons(annex, est, data, keys=["indicator", "wijk_code"])


def build_for(annex: Annex, indicator: str) -> Section | None:
    spec = annex.catalogue[indicator]
    if not annex.delivered(indicator):
        annex.skipped[key(indicator)] = f"{spec.label}: niet in deze levering"
        return None
    est = annex.wijk_estimates[annex.wijk_estimates["indicator"] == indicator]
    est = est.sort_values("wijk_code", ignore_index=True)
    title = f"{spec.label} per wijk, {annex.year}"
    s = annex.settings
    extra = est["suppressed"].astype(bool) & (est["n"] >= s.min_n)  # complementary
    fig = figures.wijk_bars(
        est[~extra].assign(verdict=est[VERDICT]), title=title,
        note=suppression.complementary_note(est, s.min_n) or None,
        subtitle=f"{common.unit_phrase(spec.unit)}; wijk vergeleken met de rest van de gemeente",
        source=annex.source(), banner=s.banner,
        gemeente_value=annex.gemeente_value(indicator), kind=spec.kind,
        gemeente_label=f"heel {annex.gemeente}", min_n=s.min_n, indicatief_n=s.indicatief_n,
        alpha=s.alpha,
    )
    items = [FigureItem(key(indicator), title, fig)]
    data = est.assign(judgement=common.judgement(est[VERDICT], est["reason"]),
                      remark=[remark(i, u) for i, u in zip(est["indicatief"], est["unreliable"],
                                                          strict=True)])
    data = data[["indicator", "label", "kind", "unit", "year", "wijk_code", "wijk_naam",
                 "estimate", "se", "ci_low", "ci_high", "n", "n_eff", "indicatief",
                 "unreliable", "suppressed", "estimate_rest", "difference", "se_difference",
                 "p", "p_adjusted", VERDICT, "reason", "judgement", "remark"]]
    hidden = est.loc[est["suppressed"].astype(bool) & (est["n"] < s.min_n),
                     "wijk_naam"].astype(str).tolist()
    visible = common.shown(data, s.min_n)
    visible, compared = over_time(annex, indicator, visible)
    note = " ".join(t for t in (
        common.suppression_note(hidden, bool(visible["indicatief"].any()), s.min_n,
                                s.indicatief_n), suppression.note(est, s.min_n),
        annex.empty_wijken_note) if t)
    if compared:
        note = " ".join(t for t in (note, common.change_note(
            annex, list(annex.comparison.waves))) if t)
        items.append(_over_time_figure(annex, indicator, visible))
    table = AnnexTable(
        key(indicator), title, visible,
        (Column("wijk_naam", "Wijk", "text", 18), *common.estimate_columns(str(annex.year)),
         Column("estimate_rest", "Rest gemeente", "value", 12),
         Column("p_adjusted", "p (gecorrigeerd)", "pvalue", 12),
         Column("judgement", "T.o.v. rest gemeente", "text", 18), *compared,
         *common.remark_columns(visible)),
        source=annex.source(), note=note, row_key="wijk_code",
    )
    earlier = annex.comparison.waves
    text = (f"{spec.label} ({spec.unit}) per wijk in {annex.year}. Elke wijk is getoetst tegen "
            "de rest van de gemeente")
    text += (f" en tegen de eigen uitkomst in {' en in '.join(map(str, earlier))}."
             if compared else ".")
    return Section(key(indicator), f"{spec.label} per wijk", text, figures=items,
                   tables=[table])


def _over_time_figure(annex: Annex, indicator: str, visible: pd.DataFrame) -> FigureItem:
    """Grouped bars per wijk: this year and the main comparison wave, ▲/▼ where the wijk
    changed significantly."""
    spec = annex.catalogue[indicator]
    base = annex.comparison.main
    history = annex.wijk_history
    part = history[(history["indicator"] == indicator)
                   & history["year"].isin([base, annex.year])
                   & history["wijk_code"].isin(visible["wijk_code"])
                   & ~history["suppressed"].astype(bool)]
    names = dict(zip(annex.wijken["wijk_code"], annex.wijken["wijk_naam"], strict=True))
    part = part.assign(wijk_naam=part["wijk_code"].map(names)).sort_values(
        ["wijk_code", "year"], kind="stable")
    verdicts = pd.Series(visible[f"verdict_{base}"].to_numpy(),
                         index=visible["wijk_code"].map(names))
    title = f"{spec.label} per wijk, {base} en {annex.year}"
    fig = figures.grouped_bars(
        part, category="wijk_naam", group="year", category_name="wijk", title=title,
        subtitle=f"{common.unit_phrase(spec.unit)}; wijk vergeleken met de eigen uitkomst in "
                 f"{base}",
        source=annex.source(base), banner=annex.settings.banner, kind=spec.kind,
        groups=[annex.year, base], verdicts=verdicts, alpha=annex.settings.alpha,
    )
    return FigureItem(f"{key(indicator)}_ontwikkeling", title, fig)


def table_for(annex: Annex, indicator: str) -> AnnexTable | None:
    """The appendix table of one wijk indicator: every wijk with value, interval, n, the rest of
    the gemeente and the test against it, and the test against the last comparable wave (the
    CSV and the workbook keep every comparison wave). None when the delivery lacks it."""
    spec = annex.catalogue[indicator]
    if not annex.delivered(indicator):
        return None
    s = annex.settings
    est = annex.wijk_estimates[annex.wijk_estimates["indicator"] == indicator]
    if est.empty:
        return None
    est = est.sort_values("wijk_code", ignore_index=True)
    data = est.assign(judgement=common.judgement(est[VERDICT], est["reason"]),
                      remark=[remark(i, u) for i, u in zip(est["indicatief"], est["unreliable"],
                                                          strict=True)])
    hidden = est.loc[est["suppressed"].astype(bool), "wijk_naam"].astype(str).tolist()
    visible = common.shown(data, s.min_n)
    visible, _ = over_time(annex, indicator, visible)
    reader = visible.assign(interval=[format_interval(lo, hi, k) for lo, hi, k in zip(
        visible["ci_low"], visible["ci_high"], visible["kind"], strict=True)])
    base = comparable_base(annex).year
    compared: list[Column] = []
    if base is not None and f"estimate_{base}" in visible.columns:
        compared = [Column(f"estimate_{base}", f"Waarde {base}", "value", 10,
                           apart_from=("estimate", f"verdict_{base}")),
                    Column(f"judgement_{base}", f"{annex.year} t.o.v. {base}", "text", 16)]
    note = " ".join(t for t in (
        f"{common.unit_phrase(spec.unit)}.",
        common.suppression_note(hidden, bool(visible["indicatief"].any()), s.min_n,
                                s.indicatief_n), annex.empty_wijken_note,
        f"T.o.v. rest gemeente: getoetst op {common.alpha_text(s)}, Benjamini-Hochberg per "
        "indicator over de wijken.",
        common.change_note(annex, [base]) if compared else "") if t)
    return AnnexTable(
        key(indicator), f"{spec.label} per wijk, {annex.year}", visible,
        (Column("wijk_naam", "Wijk", "text", 18),
         Column("estimate", f"Waarde {annex.year}", "value", 10,
                apart_from=("estimate_rest", VERDICT)),
         Column("interval", "Interval (95%)", "text", 12, nowrap=True),
         Column("n", "n", "integer", 7),
         Column("estimate_rest", "Rest gemeente", "value", 10),
         Column("judgement", "T.o.v. rest gemeente", "text", 16), *compared,
         *common.remark_columns(reader)),
        source=annex.source(), note=note, row_key="wijk_code", reader_data=reader,
    )
