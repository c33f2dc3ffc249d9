"""Canonical items -> one value per respondent and indicator, by the catalogue's rules.

value  rapportcijfer as answered (1-10).
share  1/0 per respondent (shown as % after estimation); 1 as soon as `at_least` items are positive,
       0 when at least `min_items` items were answered and fewer are positive, else missing.
scale  item points (reversed items first: max - points), mean of answered items rescaled to 0-10,
       missing when fewer than `min_items` items were answered (Veiligheidsmonitor practice).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ivb_analysis.catalogue import Catalogue, Indicator
from ivb_analysis.clean.recode import DESIGN_COLUMNS


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


def _scale(block: np.ndarray, indicator: Indicator, items: tuple[str, ...]) -> np.ndarray:
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
    """Per-respondent value of one indicator (NaN where it cannot be scored)."""
    block = items[list(indicator.items)].to_numpy(dtype="float64")
    if indicator.rule == "value":
        return block[:, 0].copy()
    if indicator.rule == "share":
        return _share(block, indicator)
    return _scale(block, indicator, indicator.items)


def score_indicators(items: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Tidy long table: design columns + `indicator`, `value` (NaN where it cannot be scored).

    Respondents without a score stay in the table: they are outside the estimation domain but
    still part of the design (their stratum's number of PSUs), as in R's subset designs.
    """
    frames = []
    for indicator in catalogue.indicators.values():
        frame = items[DESIGN_COLUMNS].copy()
        frame["indicator"] = indicator.id
        frame["value"] = indicator_values(items, indicator)
        frames.append(frame)
    long = pd.concat(frames, ignore_index=True)
    long["indicator"] = long["indicator"].astype("string")
    return long
