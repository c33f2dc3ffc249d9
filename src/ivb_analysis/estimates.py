"""Catalogue-aware estimates: every indicator x wave (x domain) from the processed long table.

A thin layer over `survey.estimate_long`: the design is stratified by the delivery's strata,
each indicator in each wave is its own analysis, percentages are estimated as proportions
(logit intervals) and reported x100, and each row carries the indicator's label, kind and unit.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.config import Settings
from ivb_analysis.survey import estimate_long

SCALED_COLUMNS = ("estimate", "se", "ci_low", "ci_high")


def indicator_estimates(
    long: pd.DataFrame,
    settings: Settings,
    *,
    by: str | Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Design-based estimates per indicator, wave and optional domain (e.g. `by="wijk_code"`)."""
    catalogue = load_catalogue()
    chosen = list(indicators) if indicators is not None else catalogue.ids()
    for indicator_id in chosen:
        catalogue[indicator_id]  # unknown ids raise a clear InputError
    data = long[long["indicator"].isin(chosen)]
    if years is not None:
        data = data[data["year"].isin(list(years))]
    proportion = {i.id: i.is_proportion for i in catalogue.indicators.values()}
    data = data.assign(is_proportion=data["indicator"].map(proportion).astype(bool))
    result = estimate_long(
        data, value="value", weight="weight", strata="stratum", design_by=("indicator", "year"),
        by=by, min_n=settings.min_n, indicatief_n=settings.indicatief_n,
        proportion_col="is_proportion", lonely_psu=settings.lonely_psu,
    )
    scale = result["indicator"].map({k: 100.0 if v else 1.0 for k, v in proportion.items()})
    for column in SCALED_COLUMNS:
        result[column] = result[column] * scale
    meta = pd.DataFrame(
        [(i.id, i.label, i.kind, i.unit, i.polarity) for i in catalogue.indicators.values()],
        columns=["indicator", "label", "kind", "unit", "polarity"],
    )
    result = result.merge(meta, on="indicator", how="left")
    order = {ind_id: k for k, ind_id in enumerate(catalogue.ids())}
    keys = ["year", *([by] if isinstance(by, str) else list(by or []))]
    return result.sort_values(keys, kind="stable").sort_values(
        "indicator", key=lambda s: s.map(order), kind="stable", ignore_index=True)
