"""Design-based means and proportions per domain: `estimate`, `estimate_long`, `lonely_strata`.

R equivalents: svymean / svyby(..., svymean, na.rm=TRUE) for the estimates and SEs, confint and
svyciprop(method="logit") for the intervals (see `flags`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ivb_analysis.defaults import INDICATIEF_N, MIN_N
from ivb_analysis.errors import InputError
from ivb_analysis.survey.codes import _as_list, _representatives
from ivb_analysis.survey.design import SurveyDesign, _Design, code_design, design_from
from ivb_analysis.survey.flags import _intervals, _snap_zero, _unreliable
from ivb_analysis.survey.lonely import _first_bad_row, _numeric
from ivb_analysis.survey.variance import (
    _average_factor,
    _domain_sums,
    _domains,
    _DomainSums,
    _mean_variance,
)


def _group_is_proportion(
    frame: pd.DataFrame, design: _Design, sums: _DomainSums, proportion_col: str | None,
) -> np.ndarray:
    """Per design group: estimate as a proportion? From `proportion_col` or 0/1-only values."""
    n_groups = design.n_groups
    if proportion_col is None:
        return (sums.group_other == 0) & (sums.group_valid > 0)
    flag = _numeric(frame, proportion_col)
    if np.isnan(flag).any():
        raise InputError("ontbrekende waarde", column=proportion_col)
    count = np.bincount(design.group, minlength=n_groups)
    share = np.bincount(design.group, weights=flag != 0, minlength=n_groups) / count
    if ((share > 0) & (share < 1)).any():
        raise InputError("proportie-vlag verschilt binnen één analyse", column=proportion_col)
    flagged = share == 1
    if (sums.group_other[flagged] > 0).any():
        y = design.y
        outside = ~np.isnan(y) & ((y < 0) | (y > 1)) & (flag != 0)
        if outside.any():
            raise InputError("proportie buiten [0, 1]", row=_first_bad_row(frame, outside),
                             found=y[outside][0])
    return flagged



def _estimate_core(
    frame: pd.DataFrame, spec: SurveyDesign, *, value: str, by: list[str], level: float,
    min_n: int, indicatief_n: int, proportion: bool | None, proportion_col: str | None,
) -> pd.DataFrame:
    """The one implementation behind `estimate` and `estimate_long`.

    Two passes over the rows in blocks: weighted sums per domain, then the linearised values
    and their sums per (domain, PSU or stratum); everything else is per domain.
    """
    if not 0 < level < 1:
        raise InputError("betrouwbaarheidsniveau moet tussen 0 en 1 liggen", found=level)
    design = code_design(frame, value, spec)
    domains = _domains(frame, design, by, list(spec.design_by))
    sums = _domain_sums(design, domains)
    mean = sums.mean
    variance = _mean_variance(design, domains, sums)
    if design.average:
        with np.errstate(invalid="ignore"):  # a domain of lonely strata only: NaN, as in R
            variance *= _average_factor(design, domains)
    se = _snap_zero(np.sqrt(variance), mean)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = sums.sum_w**2 / sums.sum_w2

    if proportion is None:
        is_prop = _group_is_proportion(frame, design, sums, proportion_col)[domains.group]
    else:
        valid = ~np.isnan(design.y)
        if proportion and ((design.y[valid] < 0) | (design.y[valid] > 1)).any():
            raise InputError("proportie buiten [0, 1]", column=value)
        is_prop = np.full(domains.n, bool(proportion))

    low, high = _intervals(mean, se, n_eff, is_prop, level)
    suppressed = sums.n < min_n
    result = domains.keys.assign(
        estimate=mean, se=se, ci_low=low, ci_high=high, n=sums.n, n_eff=n_eff,
        suppressed=suppressed,
        indicatief=(sums.n >= min_n) & (sums.n < indicatief_n),
        unreliable=~suppressed & _unreliable(mean, se, low, high, n_eff, is_prop),
        proportion=is_prop,
    )
    result.loc[suppressed, ["estimate", "se", "ci_low", "ci_high"]] = np.nan
    return result


def estimate(
    data: pd.DataFrame,
    variable: str,
    weight: str | None = None,
    *,
    design: SurveyDesign | None = None,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    min_n: int = MIN_N,
    indicatief_n: int = INDICATIEF_N,
    proportion: bool | None = None,
    lonely_psu: str | None = None,
) -> pd.DataFrame:
    """Design-based mean (or proportion) of `variable`, overall or per domain of `by`.

    R: svymean(~variable, design) and svyby(~variable, ~by, design, svymean, na.rm=TRUE).
    One row of `data` per respondent; `design` is a `SurveyDesign` (the loose arguments weight,
    strata, psu, fpc and lonely_psu ("fail" when not given) still build one, for older callers).
    Returns the `design_by` and `by` columns, `estimate`, `se`, `ci_low`,
    `ci_high`, `n` (unweighted respondents with a value in the domain), `n_eff` (Kish:
    (sum w)^2 / sum w^2), `suppressed` (n < min_n; estimate, se and interval are then NaN),
    `indicatief` (min_n <= n < indicatief_n), `unreliable` and `proportion`.

    Intervals use the normal quantile: a Wald interval for means (R's confint(svymean(...))),
    and for proportions expit(logit(p) +- z se / (p (1 - p))), as R's
    svyciprop(method="logit", df=Inf) (R's default there is a t quantile with the design's
    degrees of freedom, which differs only for designs with few PSUs). At p = 0 or 1 the design
    SE is 0 and the logit undefined, so the open side gets the Clopper-Pearson bound
    1 - (alpha/2)^(1/n_eff) (resp. (alpha/2)^(1/n_eff)) with the effective sample size.

    `proportion=None` treats a variable holding only 0/1 as a proportion. The design's
    `lonely_psu` says how a stratum with a single PSU is handled (R's survey.lonely.psu).

    `unreliable` flags an estimate that is shown but should not be interpreted on its own:
    n_eff < 30; for means a relative SE above 0.30; for proportions (after the NCHS data
    presentation standards for proportions, 2017) a CI width of at least 0.30, or a width above
    0.05 that exceeds 130% of min(p, 1 - p).
    """
    spec = design_from(design, weight=weight, strata=strata, psu=psu, fpc=fpc,
                       lonely_psu=lonely_psu)
    return _estimate_core(
        data, spec, value=variable, by=_as_list(by), level=level, min_n=min_n,
        indicatief_n=indicatief_n, proportion=proportion, proportion_col=None,
    )


def estimate_long(
    long: pd.DataFrame,
    *,
    design: SurveyDesign | None = None,
    value: str = "value",
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    design_by: str | Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    min_n: int = MIN_N,
    indicatief_n: int = INDICATIEF_N,
    proportion_col: str | None = None,
    lonely_psu: str | None = None,
) -> pd.DataFrame:
    """`estimate` for many analyses at once: one row of `long` per (respondent, indicator).

    Every combination of the design's `design_by` (indicator x wave) is its own sample and
    design: strata and PSUs are only matched within it. With the loose arguments `design_by`
    defaults to ("indicator", "year"); a `design` is used as it is. `by` adds domains within
    each analysis. The result has the `design_by` and `by` columns and the columns of
    `estimate`, sorted by key.

    `proportion_col` (constant per analysis) says which analyses are proportions; without it an
    analysis whose values are all 0/1 is one. Keep respondents with a missing value as rows with
    NaN: they then still count in their stratum's number of PSUs, exactly as R's subset design;
    dropping them changes n_h (and the fpc) slightly when every respondent is a PSU.
    """
    spec = design_from(design, weight=weight, strata=strata, psu=psu, fpc=fpc,
                       lonely_psu=lonely_psu, design_by=design_by,
                       default_by=("indicator", "year"))
    return _estimate_core(
        long, spec, value=value, by=_as_list(by), level=level, min_n=min_n,
        indicatief_n=indicatief_n, proportion=None, proportion_col=proportion_col,
    )


def lonely_strata(
    long: pd.DataFrame,
    *,
    design: SurveyDesign | None = None,
    value: str = "value",
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    design_by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """The strata with a single PSU (and no certainty fpc) per analysis: what `lonely_psu` acts on.

    Returns the `design_by` columns, the `strata` column (`stratum` when there is none, then the
    design group is one stratum) and `n` (respondents in the stratum, with or without a value),
    one row per lonely stratum, sorted by key; empty when the design has none. A method note
    reports these rows with the rule applied (`estimates.lonely_psu_note`).
    """
    spec = design_from(design, weight=weight, strata=strata, psu=psu, fpc=fpc,
                       design_by=design_by, default_by=("indicator", "year"))
    spec = spec.replace(lonely_psu="certainty")  # list them, never fail on them
    design_cols, strata = list(spec.design_by), spec.strata
    coded = code_design(long, value, spec)
    rows = _representatives(coded.stratum, coded.n_strata)[coded.lonely]
    keys = [*design_cols, *([strata] if strata else [])]
    out = long[keys].iloc[rows].reset_index(drop=True)
    if not strata:
        out["stratum"] = 0
    n = np.bincount(coded.stratum, minlength=coded.n_strata)[coded.lonely]
    return out.assign(n=n).sort_values(list(out.columns), ignore_index=True)
