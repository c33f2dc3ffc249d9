"""Each domain against the rest of its analysis, with the covariance of the shared design.

R equivalent: svyby(~y, ~domain, design, svymean, covmat=TRUE) followed by
svycontrast(..., domain - rest) (?svyby, ?svycontrast); the contrast is linearised as one
statistic (Binder 1983) and its variance taken over the whole design.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.survey.codes import _as_list, _blocks
from ivb_analysis.survey.design import SurveyDesign, code_design, design_from
from ivb_analysis.survey.flags import _snap_zero
from ivb_analysis.survey.variance import (
    _domain_sums,
    _domains,
    _pairs,
    _stratum_variance,
    _take,
    _unit_sums,
)


def domain_contrasts(
    long: pd.DataFrame,
    *,
    by: str | Sequence[str],
    design: SurveyDesign | None = None,
    value: str = "value",
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    design_by: str | Sequence[str] | None = None,
    lonely_psu: str | None = None,
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

    `design` as in `estimate_long` (with the loose arguments, design_by defaults to
    ("indicator", "year")).

    Returns the `design_by` and `by` columns, `estimate`, `estimate_rest`, `difference`,
    `se_difference`, `n` and `n_rest` (unweighted respondents with a value).
    """
    spec = design_from(design, weight=weight, strata=strata, psu=psu, fpc=fpc,
                       lonely_psu=lonely_psu, design_by=design_by,
                       default_by=("indicator", "year"))
    by_cols = _as_list(by)
    if not by_cols:
        raise InputError("domain_contrasts vraagt een domeinkolom (by)")
    design = code_design(long, value, spec)
    domains = _domains(long, design, by_cols, list(spec.design_by))
    n_domains, n_groups, n_strata = domains.n, design.n_groups, design.n_strata
    sums = _domain_sums(design, domains, full=False)
    domain_group = domains.group

    # Per analysis, sums over all rows with a value (from the domains when they cover them).
    if domains.complete:
        w_all = np.bincount(domain_group, weights=sums.sum_w, minlength=n_groups)
        wy_all = np.bincount(domain_group, weights=sums.sum_wy, minlength=n_groups)
        n_all = np.bincount(domain_group, weights=sums.n, minlength=n_groups).astype(np.int64)
    else:
        w_all, wy_all = np.zeros(n_groups), np.zeros(n_groups)
        n_all = np.zeros(n_groups, dtype=np.int64)
        for part in _blocks(len(design.y)):
            mask = None if design.all_valid else ~np.isnan(design.y[part])
            group, w, y = _take(mask, design.group[part], design.w[part], design.y[part])
            n_all += np.bincount(group, minlength=n_groups)
            w_all += np.bincount(group, weights=w, minlength=n_groups)
            wy_all += np.bincount(group, weights=w * y, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        m_all = wy_all / w_all
    # Centre on the analysis mean: the rest's centred total is minus the domain's.
    wyc_dom = sums.sum_wy - m_all[domain_group] * sums.sum_w
    w_rest = w_all[domain_group] - sums.sum_w
    n_rest = n_all[domain_group] - sums.n
    with np.errstate(invalid="ignore", divide="ignore"):
        mc_dom = wyc_dom / sums.sum_w  # m_d - m
        mc_rest = -wyc_dom / w_rest  # m_r - m
        a, b = -1 / w_rest, mc_rest / w_rest
        # In-domain part s = w ((yc - mc_dom) / W_d + (yc - mc_rest) / W_r) = w (yc alpha - beta)
        alpha = 1 / sums.sum_w + 1 / w_rest
        beta = mc_dom / sums.sum_w + mc_rest / w_rest

    # One pass over the rows with a value. Dense part: per PSU the totals T of t = w (y - m) and
    # V of w, as moments per stratum. Sparse part: per (domain, PSU) the totals of s (and, when
    # rows are the PSUs, of s^2, s t and s w for the cross term).
    unit, n_units, unit_stratum = design.unit()
    pairs = _pairs(design, domains, unit, n_units, design.stratum_group[unit_stratum])
    rows_are_units = design.psu is None
    dense = np.zeros((5 if rows_are_units else 2, n_units))
    sparse = np.zeros((4 if rows_are_units else 1, pairs.n))
    for part in _blocks(len(design.y)):
        mask = None if design.all_valid else ~np.isnan(design.y[part])
        cell, pair, group, u, w, y = _take(
            mask, domains.code[part], pairs.code[part], design.group[part], unit[part],
            design.w[part], design.y[part])
        yc = y - m_all[group]
        t = w * yc
        dense[0] += np.bincount(u, weights=t, minlength=n_units)
        dense[1] += np.bincount(u, weights=w, minlength=n_units)
        if rows_are_units:
            dense[2] += np.bincount(u, weights=t * t, minlength=n_units)
            dense[3] += np.bincount(u, weights=w * w, minlength=n_units)
            dense[4] += np.bincount(u, weights=t * w, minlength=n_units)
        if not domains.complete:
            inside = cell >= 0
            cell, pair, w, yc, t = cell[inside], pair[inside], w[inside], yc[inside], t[inside]
        s = w * (yc * alpha[cell] - beta[cell])
        sparse[0] += np.bincount(pair, weights=s, minlength=pairs.n)
        if rows_are_units:
            sparse[1] += np.bincount(pair, weights=s * s, minlength=pairs.n)
            sparse[2] += np.bincount(pair, weights=s * t, minlength=pairs.n)
            sparse[3] += np.bincount(pair, weights=s * w, minlength=pairs.n)
    if rows_are_units:
        s_t, s_v, s_tt, s_vv, s_tv = dense
    else:
        t_unit, v_unit = dense
        s_t, s_v, s_tt, s_vv, s_tv = (
            np.bincount(unit_stratum, weights=x, minlength=n_strata)
            for x in (t_unit, v_unit, t_unit * t_unit, v_unit * v_unit, t_unit * v_unit))
    mean_t = design.centre * s_t / design.n_psu  # PSU mean per stratum (0 if not centred)
    mean_v = design.centre * s_v / design.n_psu

    def moment(sxy: np.ndarray, sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
        centred = sxy - design.centre * sx * sy / design.n_psu
        return np.bincount(design.stratum_group, weights=design.scale * centred,
                           minlength=n_groups)[domain_group]

    with np.errstate(invalid="ignore"):  # an analysis without values: NaN, as in R
        dense_part = (a * a * moment(s_tt, s_t, s_t) + b * b * moment(s_vv, s_v, s_v)
                      + 2 * a * b * moment(s_tv, s_t, s_v))

    # Cross term: 2 sum_j s_j (a T_c,j + b V_c,j) with T_c, V_c centred within the stratum.
    pair_a, pair_b = a[pairs.domain], b[pairs.domain]
    if rows_are_units:
        s1, s2, s_st, s_sv = sparse
        h = pairs.unit
        cross = 2 * (pair_a * (s_st - mean_t[h] * s1) + pair_b * (s_sv - mean_v[h] * s1))
        sparse_part = _stratum_variance(design, s1, s2, pairs.domain, h, n_domains,
                                        extra=cross)
    else:
        s1 = sparse[0]
        h = unit_stratum[pairs.unit]
        with np.errstate(invalid="ignore"):
            centred = (pair_a * (t_unit[pairs.unit] - mean_t[h])
                       + pair_b * (v_unit[pairs.unit] - mean_v[h]))
        (p1, p2), domain, stratum, codes = _unit_sums(design, pairs, [s1, s1], n_domains)
        assert codes is not None
        extra = np.bincount(codes, weights=2 * s1 * centred, minlength=len(domain))
        sparse_part = _stratum_variance(design, p1, p2, domain, stratum, n_domains,
                                        extra=extra)

    variance = (dense_part + sparse_part) * design.inflate[domain_group]
    estimate_rest = m_all[domain_group] + mc_rest
    return domains.keys.assign(
        estimate=sums.mean,
        estimate_rest=estimate_rest,
        difference=mc_dom - mc_rest,
        se_difference=_snap_zero(np.sqrt(np.maximum(variance, 0.0)), sums.mean, estimate_rest),
        n=sums.n,
        n_rest=n_rest,
    )

