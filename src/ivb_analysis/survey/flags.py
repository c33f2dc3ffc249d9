"""Reliability flags, intervals and the SE noise floor of an estimate table.

Intervals: Wald for means (R's confint(svymean(...))); for proportions the logit interval of R's
svyciprop(method="logit"), with a Clopper-Pearson bound at p = 0 or 1 (Korn & Graubard 1998).
Unreliable: Kish n_eff < 30; for means a relative SE above 0.30; for proportions the NCHS data
presentation standards for proportions (Parker et al. 2017): a CI width of at least 0.30, or a
width above 0.05 that exceeds 130% of min(p, 1 - p).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

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


def _snap_zero(se: np.ndarray, *magnitudes: np.ndarray) -> np.ndarray:
    """SE with noise below ZERO_SE_RTOL x the largest magnitude set to exactly 0."""
    scale = np.max(np.abs(np.vstack(magnitudes)), axis=0) if magnitudes else 0.0
    return np.where(se <= ZERO_SE_RTOL * scale, 0.0, se)



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

