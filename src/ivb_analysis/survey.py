"""Design-based estimates of means and proportions by Taylor linearisation.

One vectorised core serves every entry point: `estimate` (one variable in a wide table),
`estimate_long` (all indicators x waves x domains in one pass) and `domain_contrasts`
(each domain against the rest of its design). It reproduces R `survey` (svydesign + svymean /
svyby / svyciprop) for stratified, clustered designs with sampling weights:

* the mean is the ratio estimator sum(w y) / sum(w); its linearised variable is
  z_i = d_i w_i (y_i - mean) / sum(d w), with d_i = 1 inside the domain and 0 elsewhere;
* variance = sum over strata h of (1 - f_h) n_h / (n_h - 1) sum_j (z_hj - mean_h z)^2, with z_hj the
  PSU totals and n_h the number of PSUs of stratum h in the WHOLE design, so a domain is estimated
  like R's svyby / subset: PSUs without domain members count as zero totals and no stratum is
  dropped. Rows with a missing value lie outside every domain (R's na.rm=TRUE);
* PSUs are nested in strata (R's nest=TRUE); without `psu` every row is its own PSU;
* `fpc` follows R: values > 1 are the number of PSUs in the population stratum (N_h, f_h = n_h/N_h),
  values <= 1 are sampling fractions f_h; it must be constant within a stratum;
* a stratum with a single PSU ("lonely") is handled as R's options(survey.lonely.psu=...) says,
  chosen with `lonely_psu`: "fail" (R's default) raises InputError; "certainty" lets it add no
  variance; "adjust" centres its PSU total at the grand mean (0 for a linearised mean) instead of
  the stratum mean, so it adds (1 - f_h) x total^2 (conservative); "average" leaves it out and
  multiplies the variance by (number of strata) / (number of strata that are not lonely), counting
  as R does the strata with respondents in the domain (with a value) for an estimate, and all
  strata of the analysis for a domain contrast. A stratum that the fpc says was sampled
  completely is a certainty stratum in every mode (no variance, never lonely). `lonely_strata`
  lists the lonely strata of a design.

Only the first sampling stage enters the variance (R's ultimate-cluster approximation).
Weights are sampling weights (inverse inclusion probabilities), never frequency weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from ivb_analysis.errors import InputError

#: Columns of an estimate table besides its key columns (`compare` uses this to find the keys).
RESULT_COLUMNS = (
    "estimate", "se", "ci_low", "ci_high", "n", "n_eff",
    "suppressed", "indicatief", "unreliable", "proportion",
)
#: A mean is unreliable above this relative standard error (coefficient of variation).
MAX_RELATIVE_SE = 0.30
#: Proportions: unreliable at an absolute 95% CI width of at least this ...
MAX_CI_WIDTH = 0.30
#: ... or, when wider than MIN_CI_WIDTH, at a width relative to min(p, 1 - p) above this.
MAX_RELATIVE_CI_WIDTH = 1.30
MIN_CI_WIDTH = 0.05
#: Below this Kish effective sample size a variance estimate itself is too unstable.
MIN_N_EFF = 30.0
#: An SE below this fraction of the estimate's magnitude is floating-point noise of a sample
#: without variation (every respondent gives the same value): it is set to exactly 0.
ZERO_SE_RTOL = 1e-9

Columns = str | Sequence[str] | None

#: R's options(survey.lonely.psu=...) that the engine reproduces ("remove" is R's certainty
#: at a single stage).
LONELY_PSU_RULES = ("fail", "certainty", "adjust", "average")


def _as_list(columns: Columns) -> list[str]:
    if columns is None:
        return []
    return [columns] if isinstance(columns, str) else list(columns)


def _codes(frame: pd.DataFrame, columns: list[str], base: np.ndarray | None = None) -> np.ndarray:
    """Dense integer codes of the column combination, nested in `base`, in sorted key order.

    Rows with a missing key get -1 (as do rows whose `base` code is -1).
    """
    codes = None if base is None else base.astype(np.int64)
    missing = np.zeros(len(frame), dtype=bool) if codes is None else codes < 0
    for column in columns:
        col_codes, uniques = pd.factorize(frame[column], sort=True)
        missing |= col_codes < 0
        if codes is None:
            codes = col_codes.astype(np.int64)
        else:
            codes = pd.factorize(codes * len(uniques) + np.maximum(col_codes, 0), sort=True)[0]
    if codes is None:
        return np.zeros(len(frame), dtype=np.int64)
    codes[missing] = -1
    if missing.any():
        codes[~missing] = pd.factorize(codes[~missing], sort=True)[0]
    return codes


def _representatives(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """One row index per code (codes < 0 ignored)."""
    rows = np.flatnonzero(codes >= 0)
    first = np.zeros(n_codes, dtype=np.int64)
    first[codes[rows]] = rows
    return first


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        raise InputError("kolom ontbreekt", column=column)
    series = frame[column]
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise InputError("kolom is niet numeriek", column=column, found=str(series.dtype))
    return series.to_numpy(dtype="float64", na_value=np.nan)


def _snap_zero(se: np.ndarray, *magnitudes: np.ndarray) -> np.ndarray:
    """SE with noise below ZERO_SE_RTOL x the largest magnitude set to exactly 0."""
    scale = np.max(np.abs(np.vstack(magnitudes)), axis=0) if magnitudes else 0.0
    return np.where(se <= ZERO_SE_RTOL * scale, 0.0, se)


def _first_bad_row(frame: pd.DataFrame, bad: np.ndarray) -> object:
    return frame.index[np.flatnonzero(bad)[0]]


@dataclass(frozen=True)
class _Design:
    """Integer-coded sampling design of a (long) table, plus one value column.

    `group` codes the separate analyses (design_by); `stratum` and `psu` are global codes that
    never cross groups. `psu` is None when every row is its own PSU. `scale` is, per stratum,
    (1 - f_h) n_h / (n_h - 1), the factor of the centred sum of squares of its PSU totals.
    Lonely strata (one PSU, not a certainty stratum): `centre` is 0 where their PSU total is not
    centred (lonely_psu="adjust"), else 1; `inflate` is per group the factor of "average" over
    all strata of the analysis (domain contrasts, as R's svyby(covmat=TRUE) + svycontrast);
    `average` says whether domain estimates need their own factor (`_average_factor`).
    """

    y: np.ndarray
    w: np.ndarray
    group: np.ndarray
    n_groups: int
    stratum: np.ndarray
    psu: np.ndarray | None
    n_psu: np.ndarray
    scale: np.ndarray
    lonely: np.ndarray
    centre: np.ndarray
    inflate: np.ndarray
    average: bool

    @property
    def n_strata(self) -> int:
        return len(self.n_psu)


def _sampling_fraction(
    frame: pd.DataFrame, fpc: str | None, stratum: np.ndarray, n_psu: np.ndarray,
) -> np.ndarray:
    """f_h per stratum from the fpc column, following R's as.fpc (0 without fpc)."""
    n_strata = len(n_psu)
    if fpc is None:
        return np.zeros(n_strata)
    values = _numeric(frame, fpc)
    bad = np.isnan(values) | (values <= 0)
    if bad.any():
        raise InputError("fpc moet overal een positief getal zijn", column=fpc,
                         row=_first_bad_row(frame, bad), found=values[bad][0])
    low = np.full(n_strata, np.inf)
    high = np.full(n_strata, -np.inf)
    np.minimum.at(low, stratum, values)
    np.maximum.at(high, stratum, values)
    if (low != high).any():
        raise InputError("fpc verschilt binnen een stratum", column=fpc,
                         expected="één waarde per stratum")
    if not (high > 1).any():
        return high
    if (high < 1).any():
        raise InputError("fpc mengt populatiegroottes (> 1) en fracties (<= 1)", column=fpc)
    if (high < n_psu).any():
        raise InputError("fpc is kleiner dan het aantal getrokken PSU's", column=fpc,
                         found=float(high[high < n_psu][0]))
    return n_psu / high


def _design(
    frame: pd.DataFrame, value: str, weight: str, strata: str | None, psu: str | None,
    fpc: str | None, design_by: list[str], lonely_psu: str = "fail",
) -> _Design:
    """Validate and integer-code the design of `frame`."""
    if lonely_psu not in LONELY_PSU_RULES:
        raise InputError("onbekende regel voor strata met één PSU", column="lonely_psu",
                         found=lonely_psu, expected=", ".join(LONELY_PSU_RULES))
    if frame.empty:
        raise InputError("geen gegevens om te schatten", expected="minstens één rij")
    for column in [*design_by, *(c for c in (strata, psu) if c is not None)]:
        if column not in frame.columns:
            raise InputError("kolom ontbreekt", column=column)
    y = _numeric(frame, value)
    w = _numeric(frame, weight)
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        raise InputError("gewicht moet een positief getal zijn", column=weight,
                         row=_first_bad_row(frame, bad), found=w[bad][0])
    for column in [*design_by, *(c for c in (strata, psu) if c is not None)]:
        missing = frame[column].isna().to_numpy()
        if missing.any():
            raise InputError("ontbrekende waarde in een ontwerpkolom", column=column,
                             row=_first_bad_row(frame, missing))
    group = _codes(frame, design_by)
    stratum = _codes(frame, [strata], group) if strata else group.copy()
    n_strata = int(stratum.max()) + 1
    if psu is None:
        psu_codes = None
        n_psu = np.bincount(stratum, minlength=n_strata)
    else:
        psu_codes = _codes(frame, [psu], stratum)
        n_psu = np.bincount(stratum[_representatives(psu_codes, int(psu_codes.max()) + 1)],
                            minlength=n_strata)
    fraction = _sampling_fraction(frame, fpc, stratum, n_psu)
    lonely = (n_psu == 1) & (fraction < 1)
    if lonely_psu == "fail" and lonely.any():
        first = np.flatnonzero(stratum == np.flatnonzero(lonely)[0])[0]
        where = ", ".join(f"{c}={frame[c].iloc[first]}" for c in [*design_by, strata] if c)
        raise InputError(
            "stratum met maar één PSU: de variantie is niet te schatten "
            "(zoals R met survey.lonely.psu='fail'); voeg strata samen of kies een andere "
            "lonely_psu-regel (certainty, adjust, average)",
            column=strata, row=where or None, expected="minstens 2 PSU's per stratum",
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_psu > 1, (1 - fraction) * n_psu / (n_psu - 1), 0.0)
    n_groups = int(group.max()) + 1
    centre = np.ones(n_strata)
    inflate = np.ones(n_groups)
    if lonely_psu == "adjust":
        centre[lonely] = 0.0
        scale[lonely] = 1 - fraction[lonely]
    elif lonely_psu == "average" and lonely.any():
        stratum_group = group[_representatives(stratum, n_strata)]
        total = np.bincount(stratum_group, minlength=n_groups)
        ok = np.bincount(stratum_group, weights=~lonely, minlength=n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            inflate = total / ok
    return _Design(y, w, group, n_groups, stratum, psu_codes, n_psu, scale, lonely, centre,
                   inflate, lonely_psu == "average" and bool(lonely.any()))


def _pair_codes(a: np.ndarray, b: np.ndarray, n_b: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of (a, b) pairs and one representative position per pair."""
    codes, uniques = pd.factorize(a * n_b + b)
    return codes, _representatives(codes, len(uniques))


def _psu_totals(
    design: _Design, rows: np.ndarray, cell: np.ndarray, z: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Totals of z per (cell, PSU) over the given rows.

    Returns per (cell, PSU) pair: cell, stratum, total and the PSU (its code, or its row
    position when every row is a PSU).
    """
    if design.psu is None:
        return cell, design.stratum[rows], z, rows
    psu = design.psu[rows]
    pair, first = _pair_codes(cell, psu, int(design.psu.max()) + 1)
    totals = np.bincount(pair, weights=z, minlength=len(first))
    return cell[first], design.stratum[rows[first]], totals, psu[first]


def _cell_variance(
    design: _Design, cell: np.ndarray, stratum: np.ndarray, totals: np.ndarray, n_cells: int,
    extra: np.ndarray | None = None,
) -> np.ndarray:
    """Variance per cell from its nonzero PSU totals; all other PSUs of a stratum count as 0.

    Per (cell, stratum): sum_j (x_j - xbar)^2 over all n_h PSUs, computed in two passes over the
    PSUs present (the n_h - m absent ones each add xbar^2). `extra` is added per PSU total to the
    (cell, stratum) sum before scaling (used by `domain_contrasts`).
    """
    pair, first = _pair_codes(cell, stratum, design.n_strata)
    pair_stratum = stratum[first]
    n_h = design.n_psu[pair_stratum]
    mean = np.bincount(pair, weights=totals, minlength=len(first)) / n_h
    mean *= design.centre[pair_stratum]  # lonely_psu="adjust": centred at 0, not the mean
    present = np.bincount(pair, minlength=len(first))
    ss = np.bincount(pair, weights=(totals - mean[pair]) ** 2, minlength=len(first))
    ss += (n_h - present) * mean**2
    if extra is not None:
        ss += np.bincount(pair, weights=extra, minlength=len(first))
    return np.bincount(cell[first], weights=design.scale[pair_stratum] * ss, minlength=n_cells)


def _average_factor(design: _Design, sums: _DomainSums, n_cells: int) -> np.ndarray:
    """lonely_psu="average" for domain estimates, as R's svyby/svymean(na.rm=TRUE) do it.

    R subsets the design to the domain's rows with a value, so the factor is, per domain, the
    number of strata with such rows over the number of them that are not lonely.
    """
    _, first = _pair_codes(sums.cell, design.stratum[sums.rows], design.n_strata)
    pair_cell, pair_stratum = sums.cell[first], design.stratum[sums.rows[first]]
    total = np.bincount(pair_cell, minlength=n_cells)
    ok = np.bincount(pair_cell, weights=~design.lonely[pair_stratum], minlength=n_cells)
    with np.errstate(divide="ignore", invalid="ignore"):
        return total / ok


@dataclass(frozen=True)
class _DomainSums:
    """Per domain: weighted sums, count, mean, and the coding of the rows inside it."""

    rows: np.ndarray  # positions of the rows with a valid value inside a domain
    cell: np.ndarray  # their domain code
    sum_w: np.ndarray
    sum_w2: np.ndarray
    sum_wy: np.ndarray
    n: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.sum_wy / self.sum_w


def _domain_sums(design: _Design, domain: np.ndarray, n_domains: int) -> _DomainSums:
    rows = np.flatnonzero((domain >= 0) & ~np.isnan(design.y))
    cell = domain[rows]
    w, y = design.w[rows], design.y[rows]
    return _DomainSums(
        rows=rows,
        cell=cell,
        sum_w=np.bincount(cell, weights=w, minlength=n_domains),
        sum_w2=np.bincount(cell, weights=w * w, minlength=n_domains),
        sum_wy=np.bincount(cell, weights=w * y, minlength=n_domains),
        n=np.bincount(cell, minlength=n_domains),
    )


def _domains(
    frame: pd.DataFrame, design: _Design, by: list[str], design_by: list[str],
) -> tuple[np.ndarray, pd.DataFrame]:
    """Domain code per row (-1 outside every domain) and the key columns per domain."""
    for column in by:
        if column not in frame.columns:
            raise InputError("kolom ontbreekt", column=column)
    domain = _codes(frame, by, design.group)
    n_domains = int(domain.max()) + 1 if (domain >= 0).any() else 0
    keys = frame[[*design_by, *by]].iloc[_representatives(domain, n_domains)]
    return domain, keys.reset_index(drop=True)


def _group_is_proportion(
    frame: pd.DataFrame, design: _Design, proportion_col: str | None,
) -> np.ndarray:
    """Per design group: estimate as a proportion? From `proportion_col` or 0/1-only values."""
    n_groups = design.n_groups
    valid = ~np.isnan(design.y)
    if proportion_col is None:
        other = valid & (design.y != 0) & (design.y != 1)
        return (np.bincount(design.group[other], minlength=n_groups) == 0) & (
            np.bincount(design.group[valid], minlength=n_groups) > 0
        )
    flag = _numeric(frame, proportion_col)
    if np.isnan(flag).any():
        raise InputError("ontbrekende waarde", column=proportion_col)
    count = np.bincount(design.group, minlength=n_groups)
    share = np.bincount(design.group, weights=flag != 0, minlength=n_groups) / count
    if ((share > 0) & (share < 1)).any():
        raise InputError("proportie-vlag verschilt binnen één analyse", column=proportion_col)
    outside = valid & ((design.y < 0) | (design.y > 1)) & (flag != 0)
    if outside.any():
        raise InputError("proportie buiten [0, 1]", row=_first_bad_row(frame, outside),
                         found=design.y[outside][0])
    return share == 1


def _intervals(
    estimate: np.ndarray, se: np.ndarray, n_eff: np.ndarray, proportion: np.ndarray, level: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Wald interval for means; logit interval for proportions (Clopper-Pearson bound at 0 or 1)."""
    alpha = 1 - level
    z = norm.ppf(1 - alpha / 2)
    low, high = estimate - z * se, estimate + z * se
    with np.errstate(divide="ignore", invalid="ignore"):
        p = estimate
        inner = proportion & (p > 0) & (p < 1)
        logit = np.log(p / (1 - p))
        half = z * se / (p * (1 - p))
        low = np.where(inner, 1 / (1 + np.exp(-(logit - half))), low)
        high = np.where(inner, 1 / (1 + np.exp(-(logit + half))), high)
        bound = (alpha / 2) ** (1 / n_eff)
    low = np.where(proportion & (p == 0), 0.0, low)
    high = np.where(proportion & (p == 0), 1 - bound, high)
    low = np.where(proportion & (p == 1), bound, low)
    high = np.where(proportion & (p == 1), 1.0, high)
    return low, high


def _unreliable(
    estimate: np.ndarray, se: np.ndarray, low: np.ndarray, high: np.ndarray, n_eff: np.ndarray,
    proportion: np.ndarray,
) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        relative_se = se / np.abs(estimate)
        width = high - low
        relative_width = width / np.minimum(estimate, 1 - estimate)
    proportion_rule = (width >= MAX_CI_WIDTH) | (
        (width > MIN_CI_WIDTH) & (relative_width > MAX_RELATIVE_CI_WIDTH)
    )
    mean_rule = ~(relative_se <= MAX_RELATIVE_SE)
    return (n_eff < MIN_N_EFF) | np.where(proportion, proportion_rule, mean_rule)


def _estimate_core(
    frame: pd.DataFrame, *, value: str, weight: str, strata: str | None, psu: str | None,
    fpc: str | None, design_by: list[str], by: list[str], level: float, min_n: int,
    indicatief_n: int, proportion: bool | None, proportion_col: str | None, lonely_psu: str,
) -> pd.DataFrame:
    """The one implementation behind `estimate` and `estimate_long`."""
    if not 0 < level < 1:
        raise InputError("betrouwbaarheidsniveau moet tussen 0 en 1 liggen", found=level)
    design = _design(frame, value, weight, strata, psu, fpc, design_by, lonely_psu)
    domain, keys = _domains(frame, design, by, design_by)
    sums = _domain_sums(design, domain, len(keys))
    mean = sums.mean
    w, y = design.w[sums.rows], design.y[sums.rows]
    z = w * (y - mean[sums.cell]) / sums.sum_w[sums.cell]
    cell, stratum, totals, _ = _psu_totals(design, sums.rows, sums.cell, z)
    variance = _cell_variance(design, cell, stratum, totals, len(keys))
    domain_group = design.group[_representatives(domain, len(keys))]
    if design.average:
        with np.errstate(invalid="ignore"):  # a domain of lonely strata only: NaN, as in R
            variance *= _average_factor(design, sums, len(keys))
    se = _snap_zero(np.sqrt(variance), mean)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = sums.sum_w**2 / sums.sum_w2

    if proportion is None:
        is_prop = _group_is_proportion(frame, design, proportion_col)
        is_prop = is_prop[domain_group] if len(keys) else np.zeros(0, dtype=bool)
    else:
        valid = ~np.isnan(design.y)
        if proportion and ((design.y[valid] < 0) | (design.y[valid] > 1)).any():
            raise InputError("proportie buiten [0, 1]", column=value)
        is_prop = np.full(len(keys), bool(proportion))

    low, high = _intervals(mean, se, n_eff, is_prop, level)
    suppressed = sums.n < min_n
    result = keys.assign(
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
    weight: str,
    *,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    min_n: int = 50,
    indicatief_n: int = 100,
    proportion: bool | None = None,
    lonely_psu: str = "fail",
) -> pd.DataFrame:
    """Design-based mean (or proportion) of `variable`, overall or per domain of `by`.

    One row of `data` per respondent. Returns the `by` columns, `estimate`, `se`, `ci_low`,
    `ci_high`, `n` (unweighted respondents with a value in the domain), `n_eff` (Kish:
    (sum w)^2 / sum w^2), `suppressed` (n < min_n; estimate, se and interval are then NaN),
    `indicatief` (min_n <= n < indicatief_n), `unreliable` and `proportion`.

    Intervals use the normal quantile: a Wald interval for means (R's confint(svymean(...))),
    and for proportions expit(logit(p) +- z se / (p (1 - p))), as R's
    svyciprop(method="logit", df=Inf) (R's default there is a t quantile with the design's
    degrees of freedom, which differs only for designs with few PSUs). At p = 0 or 1 the design
    SE is 0 and the logit undefined, so the open side gets the Clopper-Pearson bound
    1 - (alpha/2)^(1/n_eff) (resp. (alpha/2)^(1/n_eff)) with the effective sample size.

    `proportion=None` treats a variable holding only 0/1 as a proportion. `lonely_psu` says how
    a stratum with a single PSU is handled (R's survey.lonely.psu; see the module docstring).

    `unreliable` flags an estimate that is shown but should not be interpreted on its own:
    n_eff < 30; for means a relative SE above 0.30; for proportions (after the NCHS data
    presentation standards for proportions, 2017) a CI width of at least 0.30, or a width above
    0.05 that exceeds 130% of min(p, 1 - p).
    """
    return _estimate_core(
        data, value=variable, weight=weight, strata=strata, psu=psu, fpc=fpc, design_by=[],
        by=_as_list(by), level=level, min_n=min_n, indicatief_n=indicatief_n,
        proportion=proportion, proportion_col=None, lonely_psu=lonely_psu,
    )


def estimate_long(
    long: pd.DataFrame,
    *,
    value: str = "value",
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    design_by: str | Sequence[str] = ("indicator", "year"),
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    min_n: int = 50,
    indicatief_n: int = 100,
    proportion_col: str | None = None,
    lonely_psu: str = "fail",
) -> pd.DataFrame:
    """`estimate` for many analyses at once: one row of `long` per (respondent, indicator).

    Every combination of `design_by` (indicator x wave) is its own sample and design: strata and
    PSUs are only matched within it. `by` adds domains within each analysis. The result has the
    `design_by` and `by` columns and the columns of `estimate`, sorted by key.

    `proportion_col` (constant per analysis) says which analyses are proportions; without it an
    analysis whose values are all 0/1 is one. Keep respondents with a missing value as rows with
    NaN: they then still count in their stratum's number of PSUs, exactly as R's subset design;
    dropping them changes n_h (and the fpc) slightly when every respondent is a PSU.
    """
    return _estimate_core(
        long, value=value, weight=weight, strata=strata, psu=psu, fpc=fpc,
        design_by=_as_list(design_by), by=_as_list(by), level=level, min_n=min_n,
        indicatief_n=indicatief_n, proportion=None, proportion_col=proportion_col,
        lonely_psu=lonely_psu,
    )


def domain_contrasts(
    long: pd.DataFrame,
    *,
    value: str = "value",
    weight: str,
    by: str | Sequence[str],
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    design_by: str | Sequence[str] = ("indicator", "year"),
    lonely_psu: str = "fail",
) -> pd.DataFrame:
    """Each domain of `by` against the rest of its analysis: mean(domain) - mean(rest) and its SE.

    The rest is every respondent of the same analysis (design_by group) with a value who is not
    in the domain, including those whose `by` value is missing. Domain and rest share strata and
    PSUs, so the difference is linearised as one statistic,
    z_i = d_i w_i (y_i - m_d) / W_d - r_i w_i (y_i - m_r) / W_r (r = 1 - d among valid rows),
    and its variance taken over the whole design (this includes the covariance term).

    Vectorised without a domains x PSUs matrix: r_i = v_i - d_i splits z into a part common to
    all domains of an analysis (PSU totals T_j of w (y - m) and V_j of w, times per-domain
    constants a = -1/W_r and b = (m_r - m)/W_r, with m the analysis mean) and a sparse part s
    living only in PSUs with domain members; the centred sums of squares of a T + b V are
    expanded into per-stratum moments of T and V.

    Returns the `design_by` and `by` columns, `estimate`, `estimate_rest`, `difference`,
    `se_difference`, `n` and `n_rest` (unweighted respondents with a value).
    """
    design_cols, by_cols = _as_list(design_by), _as_list(by)
    if not by_cols:
        raise InputError("domain_contrasts vraagt een domeinkolom (by)")
    design = _design(long, value, weight, strata, psu, fpc, design_cols, lonely_psu)
    domain, keys = _domains(long, design, by_cols, design_cols)
    n_domains, n_groups = len(keys), design.n_groups
    sums = _domain_sums(design, domain, n_domains)
    domain_group = design.group[_representatives(domain, n_domains)]

    valid = ~np.isnan(design.y)
    group_v = design.group[valid]
    w_all = np.bincount(group_v, weights=design.w[valid], minlength=n_groups)
    wy_all = np.bincount(group_v, weights=design.w[valid] * design.y[valid], minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        m_all = wy_all / w_all
    # Centre on the analysis mean: the rest's centred total is minus the domain's.
    wyc_dom = sums.sum_wy - m_all[domain_group] * sums.sum_w
    w_rest = w_all[domain_group] - sums.sum_w
    n_rest = np.bincount(group_v, minlength=n_groups)[domain_group] - sums.n
    with np.errstate(invalid="ignore", divide="ignore"):
        mc_dom = wyc_dom / sums.sum_w  # m_d - m
        mc_rest = -wyc_dom / w_rest  # m_r - m
        a, b = -1 / w_rest, mc_rest / w_rest

    # Dense part: per-PSU totals of all valid rows, centred within strata.
    t_row = np.where(valid, design.w * (np.nan_to_num(design.y) - m_all[design.group]), 0.0)
    v_row = np.where(valid, design.w, 0.0)
    if design.psu is None:
        t_psu, v_psu, psu_stratum = t_row, v_row, design.stratum
    else:
        n_psus = int(design.psu.max()) + 1
        t_psu = np.bincount(design.psu, weights=t_row, minlength=n_psus)
        v_psu = np.bincount(design.psu, weights=v_row, minlength=n_psus)
        psu_stratum = design.stratum[_representatives(design.psu, n_psus)]

    def centred(x: np.ndarray) -> np.ndarray:
        stratum_mean = np.bincount(psu_stratum, weights=x, minlength=design.n_strata)
        return x - (design.centre * stratum_mean / design.n_psu)[psu_stratum]

    t_c, v_c = centred(t_psu), centred(v_psu)
    stratum_group = design.group[_representatives(design.stratum, design.n_strata)]

    def moment(x: np.ndarray) -> np.ndarray:
        per_stratum = np.bincount(psu_stratum, weights=x, minlength=design.n_strata)
        return np.bincount(stratum_group, weights=design.scale * per_stratum,
                           minlength=n_groups)[domain_group]

    dense = a * a * moment(t_c * t_c) + b * b * moment(v_c * v_c) + 2 * a * b * moment(t_c * v_c)

    # Sparse part: rows in a domain, PSU totals per (domain, PSU), plus the cross term.
    rows, cell = sums.rows, sums.cell
    wr, yc = design.w[rows], design.y[rows] - m_all[design.group[rows]]
    s_row = wr * ((yc - mc_dom[cell]) / sums.sum_w[cell] + (yc - mc_rest[cell]) / w_rest[cell])
    cell_p, stratum_p, s_tot, unit = _psu_totals(design, rows, cell, s_row)
    cross = 2 * s_tot * (a[cell_p] * t_c[unit] + b[cell_p] * v_c[unit])
    sparse = _cell_variance(design, cell_p, stratum_p, s_tot, n_domains, extra=cross)

    variance = (dense + sparse) * design.inflate[domain_group]
    estimate_rest = m_all[domain_group] + mc_rest
    return keys.assign(
        estimate=sums.mean,
        estimate_rest=estimate_rest,
        difference=mc_dom - mc_rest,
        se_difference=_snap_zero(np.sqrt(np.maximum(variance, 0.0)), sums.mean, estimate_rest),
        n=sums.n,
        n_rest=n_rest,
    )


def lonely_strata(
    long: pd.DataFrame,
    *,
    value: str = "value",
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    design_by: str | Sequence[str] = ("indicator", "year"),
) -> pd.DataFrame:
    """The strata with a single PSU (and no certainty fpc) per analysis: what `lonely_psu` acts on.

    Returns the `design_by` columns, the `strata` column (`stratum` when there is none, then the
    design group is one stratum) and `n` (respondents in the stratum, with or without a value),
    one row per lonely stratum, sorted by key; empty when the design has none. A method note
    reports these rows with the rule applied (`estimates.lonely_psu_note`).
    """
    design_cols = _as_list(design_by)
    design = _design(long, value, weight, strata, psu, fpc, design_cols, "certainty")
    rows = _representatives(design.stratum, design.n_strata)[design.lonely]
    keys = [*design_cols, *([strata] if strata else [])]
    out = long[keys].iloc[rows].reset_index(drop=True)
    if not strata:
        out["stratum"] = 0
    n = np.bincount(design.stratum, minlength=design.n_strata)[design.lonely]
    return out.assign(n=n).sort_values(list(out.columns), ignore_index=True)
