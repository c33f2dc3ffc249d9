"""Canonical items -> one value per respondent and indicator, by the catalogue's rules.

value  rapportcijfer as answered (1-10).
share  1/0 per respondent (shown as % after estimation); 1 as soon as `at_least` items are positive,
       0 when at least `min_items` items were answered and fewer are positive, else missing.
scale  item points (reversed items first: max - points), mean of answered items rescaled to 0-10,
       missing when fewer than `min_items` items were answered (Veiligheidsmonitor practice).

A delivery without some of an indicator's items (`not_asked`, or not mapped) computes it from the
items it has only when the catalogue allows it (`min_items_present`): status "gedeeltelijk";
otherwise the indicator is "niet in deze levering" and has no rows at all.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ivb_analysis.catalogue import Catalogue, Indicator
from ivb_analysis.clean.recode import DESIGN_COLUMNS
from ivb_analysis.io.codebook import DESIGN_EXTRA_COLUMNS

AVAILABLE = "beschikbaar"
PARTIAL = "gedeeltelijk"
ABSENT = "niet in deze levering"
STATUS_COLUMNS = ["indicator", "status", "items_present", "items_total"]


def indicator_status(items_present: Iterable[str], catalogue: Catalogue) -> pd.DataFrame:
    """Per catalogue indicator: status (beschikbaar / gedeeltelijk / niet in deze levering) and
    how many of its items the delivery has, in catalogue order (the `indicator_status` table)."""
    present = set(items_present)
    rows = []
    for indicator in catalogue.indicators.values():
        have = sum(item in present for item in indicator.items)
        total = len(indicator.items)
        status = (AVAILABLE if have == total else
                  PARTIAL if have >= indicator.items_required else ABSENT)
        rows.append((indicator.id, status, have, total))
    table = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    table["indicator"] = table["indicator"].astype("string")
    table["status"] = table["status"].astype("string")
    return table.astype({"items_present": "int64", "items_total": "int64"})


def _share(block: np.ndarray, indicator: Indicator) -> np.ndarray:
    answered = ~np.isnan(block)
    positive = np.isin(block, indicator.positive) & answered
    n_positive = positive.sum(axis=1)
    n_answered = answered.sum(axis=1)
    return np.where(
        n_positive >= indicator.at_least,
        1.0,
        np.where(n_answered >= indicator.min_items, 0.0, np.nan),
    )


def _scale(block: np.ndarray, indicator: Indicator, items: list[str]) -> np.ndarray:
    max_points = max(indicator.points.values())
    points = np.full(block.shape, np.nan)
    for code, score in indicator.points.items():
        points[block == code] = score
    for j, item in enumerate(items):
        if item in indicator.reversed:
            points[:, j] = max_points - points[:, j]
    n_answered = (~np.isnan(points)).sum(axis=1)
    mean = np.nansum(points, axis=1) / np.maximum(n_answered, 1)
    return np.where(n_answered >= indicator.min_items, mean / max_points * 10.0, np.nan)


def indicator_values(items: pd.DataFrame, indicator: Indicator) -> np.ndarray:
    """Per-respondent value of one indicator (NaN where it cannot be scored), from the
    indicator's items that are columns of `items` (at least `items_required` of them)."""
    have = [item for item in indicator.items if item in items.columns]
    if len(have) < indicator.items_required:
        raise ValueError(f"{indicator.id}: {len(have)} of {len(indicator.items)} items present, "
                         f"{indicator.items_required} required")
    block = items[have].to_numpy(dtype="float64")
    if indicator.rule == "value":
        return block[:, 0].copy()
    if indicator.rule == "share":
        return _share(block, indicator)
    return _scale(block, indicator, have)


def score_indicators(items: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Tidy long table: design columns + `indicator`, `value` (NaN where it cannot be scored).

    The design columns are `clean.recode.DESIGN_COLUMNS` plus `psu` and `fpc` when the delivery
    declares them.

    Respondents without a score stay in the table: they are outside the estimation domain but
    still part of the design (their stratum's number of PSUs), as in R's subset designs.
    Indicators the delivery does not have (status "niet in deze levering") have no rows.
    """
    design = [*DESIGN_COLUMNS, *(c for c in DESIGN_EXTRA_COLUMNS if c in items.columns)]
    present = [c for c in items.columns if c not in design]
    status = indicator_status(present, catalogue).set_index("indicator")["status"]
    frames = []
    for indicator in catalogue.indicators.values():
        if status[indicator.id] == ABSENT:
            continue
        frame = items[design].copy()
        frame["indicator"] = indicator.id
        frame["value"] = indicator_values(items, indicator)
        frames.append(frame)
    if not frames:
        return pd.DataFrame({**{c: items[c].iloc[:0] for c in design},
                             "indicator": pd.Series([], dtype="string"),
                             "value": pd.Series([], dtype="float64")})
    long = pd.concat(frames, ignore_index=True)
    long["indicator"] = long["indicator"].astype("string")
    return long
