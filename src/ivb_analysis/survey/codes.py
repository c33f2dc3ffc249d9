"""Integer coding of key columns (strata, PSUs, domains, analyses), fast and order-keeping.

Every pass of the engine works on dense integer codes: a key column (or combination of
columns) becomes codes 0..k-1 in sorted key order, nested in a parent coding when asked (PSUs
within strata within analyses, as R's svydesign(nest=TRUE)). Small key ranges go through a
lookup table in one linear pass; large ones through pandas' hash table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

Columns = str | Sequence[str] | None


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


def _small_pairs(a: np.ndarray, b: np.ndarray, n_b: int) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """Pairs of two short code arrays: code per element, and a and b per pair."""
    codes, uniques = pd.factorize(a.astype(np.int64) * n_b + b)
    first = _representatives(codes, len(uniques))
    return codes, a[first], b[first]

