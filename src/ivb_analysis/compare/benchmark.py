"""Gemeente against a published benchmark, level and development (part-whole correction)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ivb_analysis import survey
from ivb_analysis.compare.core import (
    REASON_BREAK,
    REASON_MISSING,
    Z95,
    Factor,
    Polarity,
    Share,
    _columns,
    _decide,
    _first_reason,
    _keys,
    _magnitude,
    _per_row,
    _side,
    _spans_break,
)
from ivb_analysis.defaults import ALPHA
from ivb_analysis.errors import InputError


def _share(frame: pd.DataFrame, share: Share, year: str) -> np.ndarray:
    values = _per_row(frame, share, year, "de schattingen")
    if np.isnan(values).any() or ((values < 0) | (values >= 1)).any():
        raise InputError("aandeel in de benchmark moet in [0, 1) liggen", found=share,
                         expected="een getal of per jaar een getal")
    return values


def _part_whole_variance(se: ArrayLike, se_benchmark: ArrayLike, share: ArrayLike) -> np.ndarray:
    """Var(gemeente - benchmark) when the benchmark is p * gemeente + (1 - p) * others.

    = SE^2(benchmark) + (1 - 2p) SE^2(gemeente); with p = 0 (benchmark without the gemeente)
    the plain sum of the two variances.
    """
    se, se_b, p = (np.asarray(x, dtype="float64") for x in (se, se_benchmark, share))
    return se_b**2 + (1 - 2 * p) * se**2



def _with_benchmark(
    estimates: pd.DataFrame, benchmark: pd.DataFrame, keys: Sequence[str] | None,
) -> pd.DataFrame:
    """Estimates with the benchmark's `estimate_benchmark` and `se_benchmark` beside them.

    `benchmark` has key columns (e.g. indicator, year) plus `estimate`, `ci_low` and `ci_high`
    (a published 95% interval); keys default to its columns other than those.
    """
    key_cols = list(keys) if keys is not None else [
        c for c in benchmark.columns if c not in survey.RESULT_COLUMNS]
    _columns(benchmark, [*key_cols, "estimate", "ci_low", "ci_high"], "de benchmark")
    _columns(estimates, [*key_cols, "estimate", "se"], "de schattingen")
    if benchmark.duplicated(key_cols).any():
        raise InputError("benchmark heeft dubbele rijen voor dezelfde sleutel",
                         expected=", ".join(key_cols))
    bench = benchmark[key_cols].assign(
        estimate_benchmark=benchmark["estimate"].astype("float64"),
        se_benchmark=(benchmark["ci_high"] - benchmark["ci_low"]).astype("float64") / (2 * Z95),
    )
    return estimates.merge(bench, on=key_cols, how="left")


def vs_benchmark(
    estimates: pd.DataFrame,
    benchmark: pd.DataFrame,
    *,
    share: Share = 0.0,
    year: str = "year",
    keys: Sequence[str] | None = None,
    polarity: Polarity = None,
    indicator: str = "indicator",
    family: str | Sequence[str] | None = None,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Gemeente against a published benchmark (value with 95% interval); difference = G - B.

    SE(benchmark) = (upper - lower) / (2 x 1.96). Part-whole correction with p = `share`
    (a float, or a mapping year -> share): SE^2(diff) = SE^2(B) + (1 - 2p) SE^2(G); p = 0 when the
    benchmark excludes the gemeente. Returns the estimate table's key columns, `estimate`,
    `estimate_benchmark`, `share` and the test columns.
    """
    merged = _with_benchmark(estimates, benchmark, keys)
    p_share = _share(merged, share, year)
    est, se, reason = _side(merged)
    bench = merged["estimate_benchmark"].to_numpy(dtype="float64")
    reason = _first_reason(reason, np.where(np.isnan(bench), REASON_MISSING, None))
    id_cols = _keys(estimates, None, None)
    frame = merged[id_cols].assign(estimate=est, estimate_benchmark=bench, share=p_share)
    variance = _part_whole_variance(se, merged["se_benchmark"], p_share)
    return _decide(frame, est - bench, variance, reason, polarity=polarity,
                   indicator=indicator, family=family, alpha=alpha,
                   magnitude=_magnitude(est, bench))


def difference_in_differences(
    estimates: pd.DataFrame,
    benchmark: pd.DataFrame,
    year_a: int,
    year_b: int,
    *,
    share: Share = 0.0,
    year: str = "year",
    keys: Sequence[str] | None = None,
    method_break: int | None = None,
    conversion: Factor = None,
    polarity: Polarity = None,
    indicator: str = "indicator",
    family: str | Sequence[str] | None = None,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Development of the gemeente against the benchmark's: (H_b - H_a) - (G_b - G_a).

    The two waves are independent samples, so the variances of the two gemeente-minus-benchmark
    gaps add, each with its own part-whole correction (`share` per year allowed). Across a
    method break a conversion factor multiplies both old-wave values. Returns the keys,
    `year_a`, `year_b`, `change` (H_b - H_a), `change_benchmark` (G_b - G_a) and the test columns.
    """
    _columns(estimates, [year], "de schattingen")
    merged = _with_benchmark(estimates, benchmark, keys)
    merged = merged.assign(share=_share(merged, share, year))
    id_cols = _keys(estimates, None, year)
    wanted = [*id_cols, "estimate", "se", "estimate_benchmark", "se_benchmark", "share"]
    wanted += ["suppressed"] if "suppressed" in merged.columns else []
    first = merged.loc[merged[year] == year_a, wanted]
    second = merged.loc[merged[year] == year_b, wanted]
    both = first.merge(second, on=id_cols, how="outer", suffixes=("_a", "_b"))
    est_a, se_a, reason_a = _side(both, "_a")
    est_b, se_b, reason_b = _side(both, "_b")
    bench_a, bench_b, sb_a, sb_b = (
        both[c].to_numpy(dtype="float64", na_value=np.nan)
        for c in ("estimate_benchmark_a", "estimate_benchmark_b", "se_benchmark_a",
                  "se_benchmark_b")
    )
    factor = _per_row(both, conversion, indicator, "de schattingen")
    spans = np.full(len(both), bool(_spans_break(min(year_a, year_b), max(year_a, year_b),
                                                 method_break)))
    refused = spans & np.isnan(factor)
    if method_break is not None and spans.any():
        f = np.where(refused, 1.0, factor)
        if year_a < method_break:
            est_a, se_a, bench_a, sb_a = est_a * f, se_a * f, bench_a * f, sb_a * f
        else:
            est_b, se_b, bench_b, sb_b = est_b * f, se_b * f, bench_b * f, sb_b * f
    reason = _first_reason(
        np.where(refused, REASON_BREAK, None), reason_a, reason_b,
        np.where(np.isnan(bench_a) | np.isnan(bench_b), REASON_MISSING, None),
    )
    variance = (_part_whole_variance(se_a, sb_a, both["share_a"])
                + _part_whole_variance(se_b, sb_b, both["share_b"]))
    frame = both[id_cols].assign(
        year_a=year_a, year_b=year_b, change=est_b - est_a, change_benchmark=bench_b - bench_a)
    return _decide(frame, (est_b - est_a) - (bench_b - bench_a), variance, reason,
                   polarity=polarity, indicator=indicator, family=family, alpha=alpha,
                   magnitude=_magnitude(est_a, est_b, bench_a, bench_b))

