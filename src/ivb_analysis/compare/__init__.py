"""Significance tests on design-based estimates: domains, waves, benchmark, trends.

Every test is a test of the difference itself, z = d / SE(d), never "do the intervals overlap".
Two-sided p-values are adjusted with Benjamini-Hochberg within a family (the rows tested
together) and a difference is significant when the adjusted p <= alpha (the BH decision rule).
Each function returns a tidy table with `difference`, `se_difference`, `z`, `p`, `p_adjusted`,
`verdict` (hoger / lager / geen verschil), `reason` (why a row was not tested, else None) and,
when a polarity is given, `verdict_polarity` (beter / slechter / gelijk; for a neutral
indicator, polarity 0: hoger / lager / gelijk). A row that cannot be tested keeps NaN statistics
and no verdict.

Polarity is an int for all rows or a mapping from the values of the `indicator` column to
-1 (higher is worse), 0 (neutral) or 1 (higher is better), e.g.
{i.id: i.polarity for i in catalogue.indicators.values()}.

Method breaks: with `method_break=2021`, waves before 2021 and from 2021 on are different
series. A change or trend spanning the break is refused unless `conversion` gives a factor
(one float, or per indicator) that puts an old-method estimate on the new scale; the older
estimate and its SE are then multiplied by it (the factor's own uncertainty is ignored).
"""

from ivb_analysis.compare.benchmark import difference_in_differences, vs_benchmark
from ivb_analysis.compare.core import (
    REASON_BREAK,
    REASON_MISSING,
    REASON_SE,
    REASON_SMALL,
    REASON_WAVES,
    REASON_ZERO_SE,
    VERDICT,
    Z95,
    Factor,
    Polarity,
    Share,
    bh_adjust,
)
from ivb_analysis.compare.trend import linear_trend, trend_method_note
from ivb_analysis.compare.waves import change, domain_vs_rest, wave_vs_wave

__all__ = [
    "REASON_BREAK",
    "REASON_MISSING",
    "REASON_SE",
    "REASON_SMALL",
    "REASON_WAVES",
    "REASON_ZERO_SE",
    "VERDICT",
    "Z95",
    "Factor",
    "Polarity",
    "Share",
    "bh_adjust",
    "change",
    "difference_in_differences",
    "domain_vs_rest",
    "linear_trend",
    "trend_method_note",
    "vs_benchmark",
    "wave_vs_wave",
]
