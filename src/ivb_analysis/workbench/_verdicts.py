"""Verdicts of the workbench's own families (domain against domain, tested per cell).

The z and p come from `compare.domain_vs_rest`; this applies `compare.bh_adjust` over the
analyst's family and words the result with the rule of `compare` (significant when the
adjusted p <= alpha: hoger / lager / geen verschil; with polarity beter / slechter / gelijk).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ivb_analysis import compare


def decide(frame: pd.DataFrame, family: Sequence[str], alpha: float,
           polarity: Mapping[str, int]) -> pd.DataFrame:
    """`frame` (with `p`, `difference`, `indicator`) plus `p_adjusted`, `verdict`,
    `verdict_polarity` and `reason` (rows without p: not tested)."""
    out = frame.copy()
    if family:
        out["p_adjusted"] = out.groupby(list(family), dropna=False, sort=False)["p"].transform(
            compare.bh_adjust)
    else:
        out["p_adjusted"] = compare.bh_adjust(out["p"].to_numpy(dtype="float64"))
    tested = out["p"].notna().to_numpy()
    significant = (out["p_adjusted"] <= alpha).to_numpy()
    higher = (out["difference"] > 0).to_numpy()
    verdict = np.where(significant, np.where(higher, "hoger", "lager"), "geen verschil")
    signs = out["indicator"].astype(str).map(polarity).to_numpy(dtype="float64")
    better = np.where(higher == (signs > 0), "beter", "slechter")
    worded = np.where(significant, np.where(signs == 0, verdict, better), "gelijk")
    out["verdict"] = pd.Series(verdict, index=out.index, dtype=object).where(tested, None)
    out[compare.VERDICT] = pd.Series(worded, index=out.index, dtype=object).where(tested, None)
    out["reason"] = pd.Series(None, index=out.index, dtype=object).where(
        tested, compare.REASON_SMALL)
    return out
