"""Significance tests on design-based estimates: domains, waves, benchmark, trends.

Every test is a test of the difference itself, z = d / SE(d), never "do the intervals overlap".
Two-sided p-values are adjusted with Benjamini-Hochberg within a family (the rows tested
together) and a difference is significant when the adjusted p <= alpha (the BH decision rule).
Each function returns a tidy table with `difference`, `se_difference`, `z`, `p`, `p_adjusted`,
`verdict` (hoger / lager / geen verschil), `reason` (why a row was not tested, else None) and,
when a polarity is given, `verdict_polarity` (beter / slechter / gelijk; for a neutral
indicator, polarity 0: hoger / lager / gelijk). A row that cannot be tested keeps NaN statistics
and no verdict.

Polarity is an int for all rows or a mapping from the values of the `indicator` column to
-1 (higher is worse), 0 (neutral) or 1 (higher is better), e.g.
{i.id: i.polarity for i in catalogue.indicators.values()}.

Method breaks: with `method_break=2021`, waves before 2021 and from 2021 on are different
series. A change or trend spanning the break is refused unless `conversion` gives a factor
(one float, or per indicator) that puts an old-method estimate on the new scale; the older
estimate and its SE are then multiplied by it (the factor's own uncertainty is ignored).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import chi2 as chi2_dist
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests

from ivb_analysis import survey
from ivb_analysis.defaults import ALPHA, MIN_N, alpha_text
from ivb_analysis.errors import InputError

#: Quantile behind a published 95% interval: SE = (upper - lower) / (2 * 1.96).
Z95 = 1.96

Polarity = int | Mapping[Any, int] | None
Factor = float | Mapping[Any, float] | None
Share = float | Mapping[Any, float]

#: The column of a tested difference judged with the polarity (beter / slechter / gelijk).
VERDICT = "verdict_polarity"
REASON_SMALL = "te weinig waarnemingen"
REASON_MISSING = "geen vergelijkingscijfer"
REASON_BREAK = "methodebreuk"
REASON_SE = "standaardfout ontbreekt"
REASON_WAVES = "te weinig metingen"
REASON_ZERO_SE = "standaardfout is 0"


def bh_adjust(p_values: ArrayLike) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values; NaN stays NaN and is not counted in the family."""
    p = np.asarray(p_values, dtype="float64")
    adjusted = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        adjusted[tested] = multipletests(p[tested], method="fdr_bh")[1]
    return adjusted


def _columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise InputError(f"kolom ontbreekt in {what}", column=column)


def _keys(frame: pd.DataFrame, keys: Sequence[str] | None, year: str | None) -> list[str]:
    """Identifying columns: given, or every column that is not a result column or the year."""
    if keys is not None:
        return list(keys)
    return [c for c in frame.columns if c not in survey.RESULT_COLUMNS and c != year]


def _per_row(frame: pd.DataFrame, spec: Any, column: str, what: str) -> np.ndarray:
    """A scalar, or a mapping looked up in `column`, as one float per row (NaN when absent)."""
    if spec is None:
        return np.full(len(frame), np.nan)
    if not isinstance(spec, Mapping):
        return np.full(len(frame), float(spec))
    _columns(frame, [column], what)
    return frame[column].map(spec).to_numpy(dtype="float64", na_value=np.nan)


def _polarity(frame: pd.DataFrame, polarity: Polarity, indicator: str) -> np.ndarray | None:
    if polarity is None:
        return None
    values = _per_row(frame, polarity, indicator, "de schattingen")
    if np.isnan(values).any():
        missing = frame[indicator].to_numpy()[np.isnan(values)][0]
        raise InputError("geen polariteit voor indicator", column=indicator, found=missing)
    if not np.isin(values, (-1, 0, 1)).all():
        raise InputError("polariteit moet -1, 0 of 1 zijn", found=values[0])
    return values


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


def _magnitude(*values: ArrayLike) -> np.ndarray:
    """The largest absolute value per row of the compared estimates (scale of the tolerance)."""
    stacked = np.vstack([np.abs(np.asarray(v, dtype="float64")) for v in values])
    return np.fmax.reduce(stacked, axis=0)  # NaN only where every value is missing


def _decide(
    frame: pd.DataFrame, difference: ArrayLike, variance: ArrayLike, reason: np.ndarray, *,
    polarity: Polarity, indicator: str, family: str | Sequence[str] | None, alpha: float,
    magnitude: ArrayLike | None = None,
) -> pd.DataFrame:
    """Add the test columns to `frame` (one row per test).

    `magnitude` (the compared estimates' size) sets the tolerance below which an SE and a
    difference are 0 (`survey.ZERO_SE_RTOL`): a difference of 0 with SE 0 (two samples without
    variation, both the same) is `geen verschil` without a test; a nonzero difference with SE 0
    is not tested (REASON_ZERO_SE).
    """
    difference = np.asarray(difference, dtype="float64").copy()
    variance = np.asarray(variance, dtype="float64")
    tolerance = survey.ZERO_SE_RTOL * (
        np.abs(difference) if magnitude is None else np.asarray(magnitude, dtype="float64"))
    reason = reason.astype(object)
    reason[pd.isna(reason) & np.isnan(difference)] = REASON_MISSING
    with np.errstate(invalid="ignore"):
        zero_se = pd.isna(reason) & (variance <= tolerance**2)
        same = zero_se & (np.abs(difference) <= tolerance)
    reason[zero_se & ~same] = REASON_ZERO_SE
    no_se = pd.isna(reason) & ~(variance > 0) & ~same
    reason[no_se] = REASON_SE
    tested = pd.isna(reason) & ~same
    shown = tested | same  # rows with a verdict
    difference[same] = 0.0
    difference[~shown] = np.nan
    se = np.where(tested, np.sqrt(np.where(variance > 0, variance, np.nan)), np.nan)
    z = difference / se
    p = 2 * norm.sf(np.abs(z))
    result = frame.assign(difference=difference, se_difference=se, z=z, p=p)
    family_cols = [family] if isinstance(family, str) else list(family or [])
    if family_cols:
        _columns(result, family_cols, "de toetsen")
        p_adjusted = result.groupby(family_cols, dropna=False, sort=False)["p"].transform(
            bh_adjust).to_numpy()
    else:
        p_adjusted = bh_adjust(p)
    significant = p_adjusted <= alpha
    higher = difference > 0
    verdict = np.where(significant, np.where(higher, "hoger", "lager"), "geen verschil")
    result = result.assign(
        p_adjusted=p_adjusted,
        verdict=pd.Series(verdict, index=result.index, dtype=object).where(shown, None),
    )
    signs = _polarity(frame, polarity, indicator)
    if signs is not None:
        better = np.where(higher == (signs > 0), "beter", "slechter")
        direction = np.where(signs == 0, verdict, better)
        worded = np.where(significant, direction, "gelijk")
        result[VERDICT] = pd.Series(worded, index=result.index, dtype=object).where(
            shown, None)
    result["reason"] = reason
    return result


def _side(frame: pd.DataFrame, suffix: str = "") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimate, SE and reason per row for one side of a comparison."""
    estimate = frame[f"estimate{suffix}"].to_numpy(dtype="float64", na_value=np.nan)
    se = frame[f"se{suffix}"].to_numpy(dtype="float64", na_value=np.nan)
    suppressed = f"suppressed{suffix}"
    small = (
        frame[suppressed].eq(True).to_numpy()
        if suppressed in frame.columns else np.zeros(len(frame), dtype=bool)
    )
    reason = np.where(small, REASON_SMALL, np.where(np.isnan(estimate), REASON_MISSING, None))
    return estimate, se, reason


def _first_reason(*reasons: np.ndarray) -> np.ndarray:
    out = np.full(len(reasons[0]), None, dtype=object)
    for reason in reasons:
        out = np.where(pd.isna(out), reason, out)
    return out


def _spans_break(
    early: ArrayLike, late: ArrayLike, method_break: int | None,
) -> np.ndarray:
    early, late = np.asarray(early), np.asarray(late)
    if method_break is None:
        return np.zeros(early.shape, dtype=bool)
    return (early < method_break) != (late < method_break)


def domain_vs_rest(
    long: pd.DataFrame,
    *,
    value: str = "value",
    weight: str,
    by: str | Sequence[str],
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    design_by: str | Sequence[str] = ("indicator", "year"),
    min_n: int = MIN_N,
    polarity: Polarity = None,
    indicator: str = "indicator",
    family: str | Sequence[str] | None = None,
    alpha: float = ALPHA,
    lonely_psu: str = "fail",
) -> pd.DataFrame:
    """Each domain (e.g. wijk) against the rest of the gemeente in the same analysis.

    The difference and its SE come from `survey.domain_contrasts` (domain and rest share the
    design, so their covariance is included). Domains or rests with n < min_n are not tested.
    The family defaults to `design_by`: all domains of one indicator in one wave. `lonely_psu`
    as in `survey.estimate` (pass `settings.lonely_psu`).
    """
    contrasts = survey.domain_contrasts(
        long, value=value, weight=weight, by=by, strata=strata, psu=psu, fpc=fpc,
        design_by=design_by, lonely_psu=lonely_psu,
    )
    small = (contrasts["n"] < min_n) | (contrasts["n_rest"] < min_n)
    reason = np.where(small, REASON_SMALL, None)
    frame = contrasts.drop(columns=["difference", "se_difference"])
    frame.loc[small.to_numpy(), ["estimate", "estimate_rest"]] = np.nan
    return _decide(
        frame, contrasts["difference"], contrasts["se_difference"] ** 2, reason,
        polarity=polarity, indicator=indicator, alpha=alpha,
        magnitude=_magnitude(contrasts["estimate"], contrasts["estimate_rest"]),
        family=([design_by] if isinstance(design_by, str) else list(design_by))
        if family is None else family,
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


def linear_trend(
    estimates: pd.DataFrame,
    *,
    year: str = "year",
    keys: Sequence[str] | None = None,
    method_break: int | None = None,
    conversion: Factor = None,
    min_waves: int = 3,
    polarity: Polarity = None,
    indicator: str = "indicator",
    family: str | Sequence[str] | None = None,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Linear trend per key (indicator, domain) and per side of the method break.

    Each wave's estimate is an independent sample with a known design-based SE, so the trend is
    the inverse-variance weighted least-squares fit of estimate on year with weights
    w = 1 / SE^2: slope = sum w (x - xbar_w) y / sum w (x - xbar_w)^2. The waves need not lie on
    a line: real series vary between waves more than their sampling errors say. The residual
    chi2 = sum w (y - fit)^2 on k - 2 degrees of freedom tests that lack of fit, and the slope's
    SE is scaled for it (overdispersion-scaled WLS, as in fixed-effect meta-regression with
    multiplicative dispersion): SE(slope) = sqrt(phi / sum w (x - xbar_w)^2) with
    phi = max(1, chi2 / (k - 2)), then a z test. With two waves there is no lack-of-fit test
    (phi = 1). Waves before and after `method_break` are fitted separately (one series when
    `conversion` has a factor for the indicator: old waves are then converted). Suppressed waves
    are left out; fewer than `min_waves` usable waves is not tested.

    Returns the keys, `first_year`, `last_year`, `n_waves`, `slope`, `se_slope` (scaled),
    `se_slope_ivw` (unscaled), `chi2_lack_of_fit`, `df_lack_of_fit`, `p_lack_of_fit`,
    `dispersion` (phi) and the test columns, where difference = slope x (last_year -
    first_year), the fitted change over the period (so z and p are those of the slope).
    `trend_method_note` words the method for the annex.
    """
    key_cols = _keys(estimates, keys, year)
    _columns(estimates, [*key_cols, year, "estimate", "se"], "de schattingen")
    x = estimates[year].to_numpy(dtype="float64")
    y = estimates["estimate"].to_numpy(dtype="float64", na_value=np.nan)
    se = estimates["se"].to_numpy(dtype="float64", na_value=np.nan)
    after = np.ones(len(x), dtype=bool) if method_break is None else x >= method_break
    factor = _per_row(estimates, conversion, indicator, "de schattingen")
    convert = ~after & ~np.isnan(factor)
    y, se = np.where(convert, y * factor, y), np.where(convert, se * factor, se)
    after |= ~np.isnan(factor)
    usable = np.isfinite(y) & (se > 0)
    w = np.where(usable, 1 / np.where(usable, se, 1.0) ** 2, 0.0)
    y0 = np.where(usable, y, 0.0)
    work = estimates[key_cols].assign(
        _after=after, _w=w, _wx=w * x, _wy=w * y0, _usable=usable,
        _x=np.where(usable, x, np.nan),
    )
    groups = work.groupby([*key_cols, "_after"], sort=True, dropna=False)
    xbar = (groups["_wx"].transform("sum") / groups["_w"].transform("sum")).to_numpy()
    ybar = (groups["_wy"].transform("sum") / groups["_w"].transform("sum")).to_numpy()
    dx = np.where(usable, x - xbar, 0.0)
    dy = np.where(usable, y0 - ybar, 0.0)
    work = work.assign(_sxx=w * dx * dx, _sxy=w * dx * dy, _syy=w * dy * dy)
    fit = work.groupby([*key_cols, "_after"], sort=True, dropna=False).agg(
        first_year=("_x", "min"), last_year=("_x", "max"), n_waves=("_usable", "sum"),
        sxx=("_sxx", "sum"), sxy=("_sxy", "sum"), syy=("_syy", "sum"),
    ).reset_index()
    enough = ((fit["n_waves"] >= min_waves) & (fit["sxx"] > 0)).to_numpy()
    sxx, sxy, syy = (fit[c].to_numpy(dtype="float64") for c in ("sxx", "sxy", "syy"))
    df = fit["n_waves"].to_numpy(dtype="float64") - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(enough, sxy / sxx, np.nan)
        se_ivw = np.where(enough, np.sqrt(1 / sxx), np.nan)
        chi2 = np.where(enough & (df > 0), np.maximum(syy - sxy**2 / sxx, 0.0), np.nan)
        p_fit = chi2_dist.sf(chi2, df)
        dispersion = np.where(enough, np.fmax(1.0, chi2 / df), np.nan)
    se_slope = se_ivw * np.sqrt(dispersion)
    span = (fit["last_year"] - fit["first_year"]).to_numpy()
    frame = fit[[*key_cols, "first_year", "last_year", "n_waves"]].assign(
        slope=slope, se_slope=se_slope, se_slope_ivw=se_ivw, chi2_lack_of_fit=chi2,
        df_lack_of_fit=np.where(enough & (df > 0), df, np.nan), p_lack_of_fit=p_fit,
        dispersion=dispersion)
    frame[["first_year", "last_year"]] = frame[["first_year", "last_year"]].astype("Int64")
    reason = np.where(enough, None, REASON_WAVES)
    return _decide(frame, slope * span, (se_slope * span) ** 2, reason, polarity=polarity,
                   indicator=indicator, family=family, alpha=alpha)


def trend_method_note(trends: pd.DataFrame, alpha: float = ALPHA) -> str:
    """The annex's Dutch method sentence for `linear_trend`, with how often the fit was scaled."""
    tested = trends[trends["p"].notna()] if "p" in trends.columns else trends.iloc[:0]
    lack = int((tested["p_lack_of_fit"] <= alpha).sum()) if len(tested) else 0
    scaled = int((tested["dispersion"] > 1).sum()) if len(tested) else 0
    level = alpha_text(alpha)
    return (
        "Trends zijn geschat als rechte lijn door de cijfers per meetjaar, gewogen met de "
        "precisie van elke meting (gewogen kleinste kwadraten, gewicht 1/SE²). Liggen de "
        "metingen verder van die lijn dan hun steekproeffouten verklaren, dan is de "
        "standaardfout van de trend vergroot met de wortel uit χ²/vrijheidsgraden "
        "(overdispersie), zodat schommelingen tussen jaren geen schijnbare trend opleveren. "
        f"Dat gold voor {scaled} van de {len(tested)} getoetste reeksen; bij {lack} daarvan "
        f"wijken de metingen significant (op {level}) af van een rechte lijn."
    )

