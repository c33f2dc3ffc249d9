"""Shared machinery of the significance tests: BH adjustment, verdicts, reasons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests

from ivb_analysis import survey
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

