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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from ivb_analysis.defaults import INDICATIEF_N, MIN_N
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


#: Rows per block of the row-wise passes: their temporaries stay a few MB, which keeps the peak
#: memory near that of the codes themselves and the data in the CPU cache (speed).
BLOCK = 1 << 20
#: Key combinations up to this many possible values are coded through a lookup table (one
#: linear pass, order kept); larger ones through pandas' hash table.
DENSE_LIMIT = 1 << 24


def _blocks(n: int) -> Iterator[slice]:
    for start in range(0, n, BLOCK):
        yield slice(start, min(start + BLOCK, n))


def _remap(key: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys in [0, n) (or -1 = none) renumbered 0..k-1 over the `present` ones, order kept.

    Returns the new codes (the same array when every key is present) and the key of each code.
    """
    old = np.flatnonzero(present)
    if len(old) == len(present):
        return key, old  # already dense
    remap = np.full(len(present) + 1, -1, dtype=np.intp)  # remap[-1] = -1 keeps "none"
    remap[old] = np.arange(len(old))
    for part in _blocks(len(key)):
        key[part] = remap[key[part]]
    return key, old


#: One key column as integers: the codes, the offset to subtract, their range, and whether -1
#: means "missing" (categorical and factorized codes) rather than a value.
RawCodes = tuple[np.ndarray, int, int, bool]


def _raw_codes(series: pd.Series) -> RawCodes:
    """Integer codes of one key column, in sorted order but not necessarily dense.

    Categorical and small-range integer columns are used as they are (no hashing or sorting:
    speed); anything else goes through pd.factorize.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), 0, max(len(dtype.categories), 1), True
    if isinstance(dtype, np.dtype) and dtype.kind in "iu" and len(series):
        values = series.to_numpy()
        low, high = int(values.min()), int(values.max())
        if high - low < DENSE_LIMIT:
            return values, low, high - low + 1, False
    codes, uniques = pd.factorize(series, sort=True)
    return codes, 0, max(len(uniques), 1), True


def _codes(
    frame: pd.DataFrame, columns: list[str], base: np.ndarray | None = None, n_base: int = 1,
) -> tuple[np.ndarray, int, np.ndarray]:
    """Dense integer codes of the column combination, nested in `base`, in sorted key order.

    Rows with a missing key get -1 (as do rows whose `base` code is -1). Returns the codes,
    their number and the `base` code of each (0 without base).
    """
    raw = [_raw_codes(frame[column]) for column in columns]
    return _key_codes(len(frame), raw, base, n_base)


def _key_codes(
    n_rows: int, raw: list[RawCodes], base: np.ndarray | None, n_base: int,
) -> tuple[np.ndarray, int, np.ndarray]:
    if base is None and not raw:
        return np.zeros(n_rows, dtype=np.intp), 1, np.zeros(1, dtype=np.intp)
    n_key = n_base
    for _, _, n, _ in raw:
        n_key *= n
    if n_key >= DENSE_LIMIT:  # too many combinations for a lookup table: hash them
        return _hashed_codes(n_rows, raw, base, n_base)
    key = np.empty(n_rows, dtype=np.intp)
    present = np.zeros(n_key + 1, dtype=bool)  # the extra last slot absorbs key -1
    for part in _blocks(n_rows):
        # One fused pass per block: the mixed-radix key and which keys occur.
        block = None if base is None else base[part] * raw[0][2] if raw else base[part].copy()
        missing = None if base is None else block < 0
        for position, (codes, low, n, may_miss) in enumerate(raw):
            values = codes[part]
            if block is None:
                block = values.astype(np.intp)
            else:
                if position:  # the base's multiplication is done above
                    block *= n
                block += values
            if low:
                block -= low
            if may_miss and values.min(initial=0) < 0:
                missing = values < 0 if missing is None else missing | (values < 0)
        assert block is not None
        if missing is not None and missing.any():
            block[missing] = -1
        present[block] = True
        key[part] = block
    codes, old = _remap(key, present[:n_key])
    return codes, len(old), old // (n_key // n_base)


def _hashed_codes(
    n_rows: int, raw: list[RawCodes], base: np.ndarray | None, n_base: int,
) -> tuple[np.ndarray, int, np.ndarray]:
    """`_key_codes` through pd.factorize, column by column (many combinations)."""
    key = np.zeros(n_rows, dtype=np.int64) if base is None else base.astype(np.int64)
    missing = key < 0
    n = n_base
    for codes, low, n_column, may_miss in raw:
        if may_miss:
            missing |= codes < 0
        key = key * n_column + (codes.astype(np.int64) - low)
        key[missing] = -1
        dense, uniques = pd.factorize(key, sort=True)
        key, n = (dense - 1, len(uniques) - 1) if missing.any() else (dense, len(uniques))
    codes = key.astype(np.intp, copy=False)
    parent = np.zeros(n, dtype=np.intp) if base is None else _b_of(codes, base, n)
    return codes, n, parent


def _combine(
    a: np.ndarray, n_a: int, b: np.ndarray, n_b: int,
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """Dense codes of the pairs (a, b) in sorted order (-1 where a is -1), their number, and a
    and b of each pair (b: codes 0..n_b-1)."""
    codes, n, a_of = _key_codes(len(a), [(b, 0, n_b, False)], a, n_a)
    return codes, n, a_of, _b_of(codes, b, n)


def _b_of(codes: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Per code, the value of `b` on (one of) its rows."""
    out = np.zeros(n, dtype=np.intp)
    for part in _blocks(len(codes)):
        block, values = codes[part], b[part]
        keep = block >= 0
        out[block[keep]] = values[keep]
    return out


def _representatives(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """One row position per code (codes < 0 ignored)."""
    first = np.zeros(n_codes, dtype=np.intp)
    for part in _blocks(len(codes)):
        block = codes[part]
        positions = np.arange(part.start, part.stop)
        if block.min(initial=0) < 0:
            keep = block >= 0
            block, positions = block[keep], positions[keep]
        first[block] = positions
    return first


def _nested(child: np.ndarray, parent: np.ndarray, n_child: int) -> np.ndarray | None:
    """Per child code its parent code when every child lies in one parent, else None."""
    parent_of = np.zeros(n_child, dtype=parent.dtype)
    complete = child.min(initial=0) >= 0
    for part in _blocks(len(child)):
        block, above = child[part], parent[part]
        if not complete:
            keep = block >= 0
            block, above = block[keep], above[keep]
        parent_of[block] = above
    for part in _blocks(len(child)):
        block, above = child[part], parent[part]
        if not complete:
            keep = block >= 0
            block, above = block[keep], above[keep]
        if (parent_of[block] != above).any():
            return None
    return parent_of


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
    `all_valid` is True when no value is missing (then no row needs masking).
    """

    y: np.ndarray
    w: np.ndarray
    all_valid: bool
    group: np.ndarray
    n_groups: int
    stratum: np.ndarray
    n_strata: int
    stratum_group: np.ndarray
    psu: np.ndarray | None
    n_psus: int
    psu_stratum: np.ndarray | None
    n_psu: np.ndarray
    scale: np.ndarray
    lonely: np.ndarray
    centre: np.ndarray
    inflate: np.ndarray
    average: bool

    def unit(self) -> tuple[np.ndarray, int, np.ndarray]:
        """The PSU coding of the rows (the stratum when every row is a PSU), its number and
        the stratum of each code."""
        if self.psu is None:
            return self.stratum, self.n_strata, np.arange(self.n_strata)
        assert self.psu_stratum is not None
        return self.psu, self.n_psus, self.psu_stratum


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
    if not (np.isfinite(w).all() and (w > 0).all()):
        bad = ~np.isfinite(w) | (w <= 0)
        raise InputError("gewicht moet een positief getal zijn", column=weight,
                         row=_first_bad_row(frame, bad), found=w[bad][0])
    for column in [*design_by, *(c for c in (strata, psu) if c is not None)]:
        dtype = frame[column].dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "iub":
            continue  # numpy integers cannot be missing
        missing = frame[column].isna().to_numpy()
        if missing.any():
            raise InputError("ontbrekende waarde in een ontwerpkolom", column=column,
                             row=_first_bad_row(frame, missing))
    group, n_groups, _ = _codes(frame, design_by)
    if strata:
        stratum, n_strata, stratum_group = _codes(frame, [strata], group, n_groups)
    else:
        stratum, n_strata, stratum_group = group, n_groups, np.arange(n_groups)
    if psu is None:
        psu_codes, n_psus, psu_stratum = None, 0, None
        n_psu = np.bincount(stratum, minlength=n_strata)
    else:
        psu_codes, n_psus, psu_stratum = _codes(frame, [psu], stratum, n_strata)
        n_psu = np.bincount(psu_stratum, minlength=n_strata)
    fraction = _sampling_fraction(frame, fpc, stratum, n_psu)
    lonely = (n_psu == 1) & (fraction < 1)
    if lonely_psu == "fail" and lonely.any():
        first = _representatives(stratum, n_strata)[np.flatnonzero(lonely)[0]]
        where = ", ".join(f"{c}={frame[c].iloc[first]}" for c in [*design_by, strata] if c)
        raise InputError(
            "stratum met maar één PSU: de variantie is niet te schatten "
            "(zoals R met survey.lonely.psu='fail'); voeg strata samen of kies een andere "
            "lonely_psu-regel (certainty, adjust, average)",
            column=strata, row=where or None, expected="minstens 2 PSU's per stratum",
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_psu > 1, (1 - fraction) * n_psu / (n_psu - 1), 0.0)
    centre = np.ones(n_strata)
    inflate = np.ones(n_groups)
    if lonely_psu == "adjust":
        centre[lonely] = 0.0
        scale[lonely] = 1 - fraction[lonely]
    elif lonely_psu == "average" and lonely.any():
        total = np.bincount(stratum_group, minlength=n_groups)
        ok = np.bincount(stratum_group, weights=~lonely, minlength=n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            inflate = total / ok
    return _Design(
        y=y, w=w, all_valid=not np.isnan(y).any(), group=group, n_groups=n_groups,
        stratum=stratum, n_strata=n_strata, stratum_group=stratum_group, psu=psu_codes,
        n_psus=n_psus, psu_stratum=psu_stratum, n_psu=n_psu, scale=scale, lonely=lonely,
        centre=centre, inflate=inflate, average=lonely_psu == "average" and bool(lonely.any()),
    )


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


def _small_pairs(a: np.ndarray, b: np.ndarray, n_b: int) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """Pairs of two short code arrays: code per element, and a and b per pair."""
    codes, uniques = pd.factorize(a.astype(np.int64) * n_b + b)
    first = _representatives(codes, len(uniques))
    return codes, a[first], b[first]


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
    """The one implementation behind `estimate` and `estimate_long`.

    Two passes over the rows in blocks: weighted sums per domain, then the linearised values
    and their sums per (domain, PSU or stratum); everything else is per domain.
    """
    if not 0 < level < 1:
        raise InputError("betrouwbaarheidsniveau moet tussen 0 en 1 liggen", found=level)
    design = _design(frame, value, weight, strata, psu, fpc, design_by, lonely_psu)
    domains = _domains(frame, design, by, design_by)
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
    weight: str,
    *,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    min_n: int = MIN_N,
    indicatief_n: int = INDICATIEF_N,
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
    min_n: int = MIN_N,
    indicatief_n: int = INDICATIEF_N,
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
    domains = _domains(long, design, by_cols, design_cols)
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
