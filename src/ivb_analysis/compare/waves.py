"""Domain against the rest of its gemeente, and wave against wave (independent samples)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ivb_analysis import survey
from ivb_analysis.compare.core import (
    REASON_BREAK,
    REASON_SMALL,
    Factor,
    Polarity,
    _columns,
    _decide,
    _first_reason,
    _keys,
    _magnitude,
    _per_row,
    _side,
    _spans_break,
)
from ivb_analysis.defaults import ALPHA, MIN_N
from ivb_analysis.errors import InputError


def domain_vs_rest(
    long: pd.DataFrame,
    *,
    by: str | Sequence[str],
    design: survey.SurveyDesign | None = None,
    value: str = "value",
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    design_by: str | Sequence[str] | None = None,
    min_n: int = MIN_N,
    polarity: Polarity = None,
    indicator: str = "indicator",
    family: str | Sequence[str] | None = None,
    alpha: float = ALPHA,
    lonely_psu: str | None = None,
) -> pd.DataFrame:
    """Each domain (e.g. wijk) against the rest of the gemeente in the same analysis.

    The difference and its SE come from `survey.domain_contrasts` under `design` (a
    `survey.SurveyDesign`; the loose weight/strata/psu/fpc/design_by/lonely_psu arguments still
    build one): domain and rest share the design, so their covariance is included. Domains or
    rests with n < min_n are not tested. The family defaults to the design's `design_by`: all
    domains of one indicator in one wave.
    """
    spec = survey.design_from(design, weight=weight, strata=strata, psu=psu, fpc=fpc,
                              lonely_psu=lonely_psu, design_by=design_by,
                              default_by=("indicator", "year"))
    contrasts = survey.domain_contrasts(long, design=spec, value=value, by=by)
    small = (contrasts["n"] < min_n) | (contrasts["n_rest"] < min_n)
    reason = np.where(small, REASON_SMALL, None)
    frame = contrasts.drop(columns=["difference", "se_difference"])
    frame.loc[small.to_numpy(), ["estimate", "estimate_rest"]] = np.nan
    return _decide(
        frame, contrasts["difference"], contrasts["se_difference"] ** 2, reason,
        polarity=polarity, indicator=indicator, alpha=alpha,
        magnitude=_magnitude(contrasts["estimate"], contrasts["estimate_rest"]),
        family=list(spec.design_by) if family is None else family,
    )


def wave_vs_wave(
    estimates: pd.DataFrame,
    reference_year: int,
    *,
    year: str = "year",
    keys: Sequence[str] | None = None,
    method_break: int | None = None,
    conversion: Factor = None,
    polarity: Polarity = None,
    indicator: str = "indicator",
    family: str | Sequence[str] | None = None,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Every other wave against `reference_year`, for the same keys (indicator, domain).

    Waves are independent samples: z = (a - b) / sqrt(SE_a^2 + SE_b^2). `keys` defaults to all
    columns of `estimates` except the year and the result columns. Returns the keys, `year`,
    `reference_year`, `estimate`, `estimate_reference` and the test columns; difference =
    estimate - estimate_reference. The family defaults to the whole table.
    """
    key_cols = _keys(estimates, keys, year)
    _columns(estimates, [*key_cols, year, "estimate", "se"], "de schattingen")
    wanted = [c for c in ("estimate", "se", "suppressed") if c in estimates.columns]
    reference = estimates.loc[estimates[year] == reference_year, [*key_cols, *wanted]]
    if reference.duplicated(key_cols).any():
        raise InputError("referentiejaar heeft dubbele rijen voor dezelfde sleutel",
                         column=year, found=reference_year)
    current = estimates.loc[estimates[year] != reference_year, [*key_cols, year, *wanted]]
    merged = current.merge(reference, on=key_cols, how="left", suffixes=("", "_reference"))
    est, se, reason_now = _side(merged)
    ref, se_ref, reason_ref = _side(merged, "_reference")
    years = merged[year].to_numpy()
    spans = _spans_break(np.minimum(years, reference_year), np.maximum(years, reference_year),
                         method_break)
    factor = _per_row(merged, conversion, indicator, "de schattingen")
    refused = spans & np.isnan(factor)
    if method_break is not None:
        convert_now = spans & ~refused & (years < method_break)
        convert_ref = spans & ~refused & (reference_year < method_break)
        est, se = np.where(convert_now, est * factor, est), np.where(convert_now, se * factor, se)
        ref = np.where(convert_ref, ref * factor, ref)
        se_ref = np.where(convert_ref, se_ref * factor, se_ref)
    reason = _first_reason(np.where(refused, REASON_BREAK, None), reason_now, reason_ref)
    frame = merged[[*key_cols, year]].assign(
        reference_year=reference_year, estimate=est, estimate_reference=ref)
    return _decide(frame, est - ref, se**2 + se_ref**2, reason, polarity=polarity,
                   indicator=indicator, family=family, alpha=alpha,
                   magnitude=_magnitude(est, ref))


def change(
    estimates: pd.DataFrame, year_a: int, year_b: int, *, year: str = "year", **options: Any,
) -> pd.DataFrame:
    """Change from wave `year_a` to wave `year_b` (difference = b - a); options as wave_vs_wave."""
    pair = estimates[estimates[year].isin([year_a, year_b])]
    return wave_vs_wave(pair, year_a, year=year, **options)

