"""Domain sums and Taylor-linearised variances of ratio means over a coded design.

The mean of a domain d is the ratio estimator sum(d w y) / sum(d w) (R's svymean / svyby); its
linearised variable (Binder 1983; Wolter 2007, ch. 6; Lohr 2022, sec. 9.1) is
z_i = d_i w_i (y_i - mean_d) / sum(d w), and its variance
sum_h (1 - f_h) n_h / (n_h - 1) sum_j (z_hj - mean_h z)^2 over the PSU totals z_hj of every
stratum h, with n_h the PSUs of h in the WHOLE design: PSUs without domain members count as zero
totals and no stratum is dropped (domain estimation as R's svyby / subset; Lohr 2022, sec. 4.3).
Only the first stage enters (the ultimate-cluster approximation, as R survey).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.survey.codes import (
    _blocks,
    _codes,
    _combine,
    _nested,
    _representatives,
    _small_pairs,
)
from ivb_analysis.survey.design import _Design


@dataclass(frozen=True)
class _Domains:
    """Domain code per row (-1 outside every domain), their key columns and nesting."""

    code: np.ndarray
    n: int
    keys: pd.DataFrame
    group: np.ndarray  # the design group of each domain
    is_group: bool  # no `by`: each domain is a whole analysis
    complete: bool  # every row lies in a domain


def _domains(
    frame: pd.DataFrame, design: _Design, by: list[str], design_by: list[str],
) -> _Domains:
    for column in by:
        if column not in frame.columns:
            raise InputError("kolom ontbreekt", column=column)
    if by:
        code, n, group = _codes(frame, by, design.group, design.n_groups)
    else:
        code, n, group = design.group, design.n_groups, np.arange(design.n_groups)
    keys = frame[[*design_by, *by]].iloc[_representatives(code, n)].reset_index(drop=True)
    return _Domains(code, n, keys, group, not by, bool(n) and bool((code >= 0).all()))


def _rows(design: _Design, domains: _Domains, part: slice) -> np.ndarray | None:
    """Mask of the block's rows that count (a value, inside a domain); None: all of them."""
    mask = None if design.all_valid else ~np.isnan(design.y[part])
    if not domains.complete:
        inside = domains.code[part] >= 0
        mask = inside if mask is None else mask & inside
    return mask


def _take(mask: np.ndarray | None, *arrays: np.ndarray) -> list[np.ndarray]:
    return list(arrays) if mask is None else [a[mask] for a in arrays]


@dataclass(frozen=True)
class _Pairs:
    """Coding of (domain, unit) pairs, unit = a stratum or PSU: per row, and per pair its domain
    and unit. Nested codings reuse the finer code array itself (no pass over the rows)."""

    code: np.ndarray
    n: int
    domain: np.ndarray
    unit: np.ndarray


def _pairs(design: _Design, domains: _Domains, unit: np.ndarray, n_units: int,
           unit_group: np.ndarray) -> _Pairs:
    if domains.is_group:  # units are nested in their analysis
        return _Pairs(unit, n_units, unit_group, np.arange(n_units))
    unit_of_domain = _nested(domains.code, unit, domains.n)
    if unit_of_domain is not None:  # e.g. wijken inside strata
        return _Pairs(domains.code, domains.n, np.arange(domains.n), unit_of_domain)
    code, n, domain, unit_of_pair = _combine(domains.code, domains.n, unit, n_units)
    return _Pairs(code, n, domain, unit_of_pair)



def _stratum_variance(
    design: _Design, s1: np.ndarray, s2: np.ndarray, domain: np.ndarray, stratum: np.ndarray,
    n_domains: int, extra: np.ndarray | None = None,
) -> np.ndarray:
    """Variance per domain from per-(domain, stratum) sums of its PSU totals x and x^2.

    sum_j (x_j - xbar)^2 over all n_h PSUs of the stratum (the ones without domain members are
    0) = S2 - S1^2 / n_h; with lonely_psu="adjust" a lonely stratum is not centred (S2).
    `extra` is added before scaling (the cross term of `domain_contrasts`).
    """
    n_h = design.n_psu[stratum]
    ss = s2 - design.centre[stratum] * s1 * s1 / n_h
    # Rounding can leave a sum of squares a hair below 0; with `extra` it is only one part.
    ss = np.maximum(ss, 0.0) if extra is None else ss + extra
    return np.bincount(domain, weights=design.scale[stratum] * ss, minlength=n_domains)


def _unit_sums(
    design: _Design, pairs: _Pairs, sums: list[np.ndarray], n_domains: int,
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray | None]:
    """From per-(domain, PSU) totals to per-(domain, stratum): returns for each total its sum
    and sum of squares per (domain, stratum), with their domain and stratum, and the pair code
    of each (domain, PSU) (None when every row is a PSU: the sums are then already per
    (domain, stratum) and the second entry of `sums` is the sum of squares)."""
    if design.psu is None:
        return sums, pairs.domain, pairs.unit, None
    assert design.psu_stratum is not None
    codes, domain, stratum = _small_pairs(pairs.domain, design.psu_stratum[pairs.unit],
                                          design.n_strata)
    n = len(domain)
    out = [np.bincount(codes, weights=sums[0], minlength=n),
           np.bincount(codes, weights=sums[0] ** 2, minlength=n)]
    return out, domain, stratum, codes


@dataclass(frozen=True)
class _DomainSums:
    """Per domain: weighted sums, count and mean; per group: counts for the proportion check."""

    sum_w: np.ndarray
    sum_w2: np.ndarray
    sum_wy: np.ndarray
    n: np.ndarray
    group_valid: np.ndarray
    group_other: np.ndarray  # values other than 0 and 1

    @property
    def mean(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.sum_wy / self.sum_w


def _run_counts(group: np.ndarray, flags: np.ndarray | None, n_groups: int) -> np.ndarray:
    """Per group the number of rows (with `flags` set) of a block, counted per run of equal
    codes: rows of one analysis usually follow each other, so this is much cheaper than a
    count per row, and still exact when they do not."""
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    if flags is None:
        counts = np.diff(np.r_[starts, len(group)])
    else:
        counts = np.add.reduceat(flags, starts, dtype=np.intp)
    return np.bincount(group[starts], weights=counts, minlength=n_groups).astype(np.int64)


def _domain_sums(design: _Design, domains: _Domains, *, full: bool = True) -> _DomainSums:
    """Weighted sums per domain; with `full` also sum w^2 and the per-group counts of values
    (all, and other than 0/1) that decide whether an analysis is a proportion."""
    n = domains.n
    sum_w, sum_w2, sum_wy = np.zeros(n), np.zeros(n), np.zeros(n)
    count = np.zeros(n, dtype=np.int64)
    group_valid = np.zeros(design.n_groups, dtype=np.int64)
    group_other = np.zeros(design.n_groups, dtype=np.int64)
    for part in _blocks(len(design.y)):
        y_all, g_all = design.y[part], design.group[part]
        if full:
            other = (y_all != 0) & (y_all != 1)
            if design.all_valid:
                group_valid += _run_counts(g_all, None, design.n_groups)
            else:
                valid = ~np.isnan(y_all)
                group_valid += _run_counts(g_all, valid, design.n_groups)
                other &= valid
            group_other += _run_counts(g_all, other, design.n_groups)
        cell, w, y = _take(_rows(design, domains, part), domains.code[part], design.w[part],
                           y_all)
        count += np.bincount(cell, minlength=n)
        sum_w += np.bincount(cell, weights=w, minlength=n)
        if full:
            sum_w2 += np.bincount(cell, weights=w * w, minlength=n)
        sum_wy += np.bincount(cell, weights=w * y, minlength=n)
    return _DomainSums(sum_w, sum_w2, sum_wy, count, group_valid, group_other)


def _mean_variance(design: _Design, domains: _Domains, sums: _DomainSums) -> np.ndarray:
    """Variance per domain of the ratio mean: z = w (y - mean_d) / W_d inside, 0 outside."""
    unit, n_units, unit_stratum = design.unit()
    pairs = _pairs(design, domains, unit, n_units, design.stratum_group[unit_stratum])
    mean = sums.mean
    s1, s2 = np.zeros(pairs.n), np.zeros(pairs.n)
    for part in _blocks(len(design.y)):
        cell, pair, w, y = _take(_rows(design, domains, part), domains.code[part],
                                 pairs.code[part], design.w[part], design.y[part])
        z = w * (y - mean[cell]) / sums.sum_w[cell]
        s1 += np.bincount(pair, weights=z, minlength=pairs.n)
        if design.psu is None:
            s2 += np.bincount(pair, weights=z * z, minlength=pairs.n)
    (s1, s2), domain, stratum, _ = _unit_sums(design, pairs, [s1, s2], domains.n)
    return _stratum_variance(design, s1, s2, domain, stratum, domains.n)


def _average_factor(design: _Design, domains: _Domains) -> np.ndarray:
    """lonely_psu="average" for domain estimates, as R's svyby/svymean(na.rm=TRUE) do it.

    R subsets the design to the domain's rows with a value, so the factor is, per domain, the
    number of strata with such rows over the number of them that are not lonely.
    """
    pairs = _pairs(design, domains, design.stratum, design.n_strata, design.stratum_group)
    present = np.zeros(pairs.n, dtype=bool)
    for part in _blocks(len(design.y)):
        (pair,) = _take(_rows(design, domains, part), pairs.code[part])
        present[pair] = True
    domain, stratum = pairs.domain[present], pairs.unit[present]
    total = np.bincount(domain, minlength=domains.n)
    ok = np.bincount(domain, weights=~design.lonely[stratum], minlength=domains.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return total / ok

