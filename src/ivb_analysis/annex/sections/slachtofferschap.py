"""Slachtofferschap naar soort delict (gemeente), against the comparison waves."""

from __future__ import annotations

import pandas as pd

from ivb_analysis import figures
from ivb_analysis.annex import common
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import FigureItem, Section
from ivb_analysis.annex.sections.comparable import comparable_base
from ivb_analysis.tables import AnnexTable, Column

KEY = "slachtofferschap"


def build(annex: Annex) -> Section | None:
    ids = [i.id for i in annex.catalogue.indicators.values() if i.delict and annex.delivered(i.id)]
    if not ids:
        annex.skipped[KEY] = "niet in deze levering"
        return None
    waves = list(annex.comparison.waves)
    est = annex.gemeente_estimates
    est = est[est["indicator"].isin(ids) & est["year"].isin([*waves, annex.year])].copy()
    data = est[est["year"] == annex.year][["indicator", "label", "kind", "unit", "year",
                                           "estimate", "se", "ci_low", "ci_high", "n",
                                           "n_eff", "suppressed"]].reset_index(drop=True)
    data, compared = common.add_comparisons(annex, est, data)
    # the figure compares with the last comparable wave (never across the method break)
    base = comparable_base(annex).year
    if base is not None and f"verdict_{base}" not in data.columns:
        base = None
    verdicts = None
    if base is not None:
        verdicts = pd.Series(data[f"verdict_{base}"].to_numpy(), index=data["label"])
    title = f"Slachtofferschap naar soort delict, {annex.year}"
    s = annex.settings
    shown_years = [y for y in (annex.year, base) if y is not None]
    fig = figures.grouped_bars(
        est[est["year"].isin(shown_years)].sort_values(["year"], kind="stable"),
        category="label", group="year", category_name="delict",
        title=title, subtitle="% inwoners dat in de afgelopen twaalf maanden slachtoffer was",
        source=annex.source(base), banner=s.banner, kind="percentage", groups=shown_years,
        verdicts=verdicts, alpha=s.alpha,
        notes=[f"De verandering sinds {base} is niet getoetst: methodebreuk in "
               f"{s.method_break}."] if base is not None and common.spans_break(
                   [base, annex.year], s.method_break) else [],
    )
    missing = annex.missing(i.id for i in annex.catalogue.indicators.values() if i.delict)
    note = " ".join(t for t in (common.change_note(annex, waves),
                                common.missing_note(missing)) if t)
    table = AnnexTable(KEY, title, common.shown(data, s.min_n),
                       (Column("label", "Delict", "text", 30),
                        *common.estimate_columns(str(annex.year)), *compared),
                       source=annex.source(min(waves) if waves else None), note=note,
                       row_key="indicator")
    return Section(KEY, "Slachtofferschap naar soort delict",
                   "Het percentage inwoners dat slachtoffer werd, per soort delict.",
                   figures=[FigureItem(KEY, title, fig)], tables=[table])
