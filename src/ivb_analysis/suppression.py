"""What may be published: secondary suppression and the precision of published numbers.

Primary suppression (a wijk with fewer than `min_n` respondents gets no estimate) is done by
`survey.estimate`. It is not enough on its own: the wijken partition the gemeente and the
gemeente is published, so the hidden wijken of one indicator and wave can be computed back from
the gemeente estimate and the published wijken (with their n, or weights from the population),
and the "rest of the gemeente" beside every published wijk gives each wijk's weight exactly.
Three rules close that, applied where the numbers are made, so every output form (CSV,
workbook, HTML, notebooks, figures) gets them:

1. **Complementary suppression** (`complementary`): within one indicator and wave, when a wijk
   is hidden, further wijken (smallest n first) are hidden until every wijk below `min_n` is
   mixed with at least `min_n` respondents of the other hidden wijken and the hidden wijken
   together count as at least `min_n` respondents after weighting (Kish); what can be derived
   (the hidden wijken together) then says no more about a small wijk than a published domain
   of `min_n` would, also when its few respondents carry large weights.
2. **No rest beside a hidden wijk** (`without_rest`): within one indicator and wave with a
   hidden wijk, the rest-of-the-gemeente estimate and the difference with it (and its SE) are
   not published for any wijk; the test's verdict and p-value stay.
3. **Precision** (`published`): survey numbers go out rounded (estimates, bounds and
   differences to 2 decimals, standard errors to 3, z to 2, p-values cut to 4, effective n
   whole), never so that they round to something else than the exact value at the decimals the
   annex shows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

#: Columns of a wijk-against-rest test that would give the rest of the gemeente away.
REST_COLUMNS = ("estimate_rest", "difference", "se_difference", "z")
#: Test columns blanked on a hidden row (the row itself is never shown).
TEST_COLUMNS = (*REST_COLUMNS, "p", "p_adjusted")
#: Digits of a float taken as its decimal value (as `tables.dutch_number`).
SIGNIFICANT_DIGITS = 12


# --- 1. complementary suppression ---------------------------------------------------------------


def hidden_set(n: pd.Series, hidden: pd.Series, min_n: int,
               sum_w: pd.Series | None = None, sum_w2: pd.Series | None = None) -> pd.Series:
    """The domains of one group (one indicator, one wave) to hide: the `hidden` ones, plus
    the visible ones with the smallest n (ties by position) until every hidden domain below
    `min_n` is mixed with at least `min_n` respondents of the other hidden domains and, with
    the weights given (`sum_w`, `sum_w2` per domain), the hidden domains together count as at
    least `min_n` respondents (Kish: (sum w)^2 / sum w^2), so that no heavily weighted small
    domain dominates what can be computed back. A complementary domain is not sensitive
    itself: it only has to hide the small ones."""
    primary = hidden.astype(bool)
    out = primary.copy()
    if not out.any():
        return out
    counts = n.astype(float).fillna(0)
    candidates = counts[~out & (counts > 0)].sort_values(kind="stable").index.tolist()
    while True:
        total = float(counts[out].sum())
        enough = (total - counts[primary]).min() >= min_n
        if enough and sum_w is not None and sum_w2 is not None:
            squares = float(sum_w2[out].sum())
            enough = squares > 0 and float(sum_w[out].sum()) ** 2 / squares >= min_n
        if enough or not candidates:
            return out
        out[candidates.pop(0)] = True


def weight_sums(long: pd.DataFrame, *, group: Sequence[str] = ("indicator", "year"),
                domain: str = "wijk_code", weight: str = "weight",
                value: str = "value") -> pd.DataFrame:
    """Sum of the weights and of their squares per group and domain, over the respondents
    with a value (what `complementary` needs for its dominance check)."""
    part = long.loc[long[value].notna(), [*group, domain, weight]]
    part = part.assign(w2=part[weight].astype(float) ** 2)
    sums = part.groupby([*group, domain], observed=True, dropna=False).agg(
        sum_w=(weight, "sum"), sum_w2=("w2", "sum"))
    return sums.reset_index()


def complementary(est: pd.DataFrame, min_n: int, *, group: Sequence[str] = ("indicator", "year"),
                  domain: str = "wijk_code", weights: pd.DataFrame | None = None,
                  ) -> pd.DataFrame:
    """Estimates per domain with complementary suppression (`hidden_set`; `weights` from
    `weight_sums` adds the dominance check): the added domains get `suppressed=True`, no
    estimate, SE or interval (as a domain below `min_n`) and lose `indicatief`/`unreliable`.
    Rows keep their `n`, so `complementary_names` can tell them apart. Deterministic per group
    (the same in every table and every year's annex)."""
    if est.empty or "suppressed" not in est.columns:
        return est
    keys = list(group)
    frame = est.sort_values([*keys, domain], kind="stable")
    if weights is not None:
        sums = frame[[*keys, domain]].merge(weights, on=[*keys, domain], how="left")
        sums.index = frame.index
        frame = frame.assign(_sum_w=sums["sum_w"].fillna(0), _sum_w2=sums["sum_w2"].fillna(0))
    hide = pd.concat([
        hidden_set(part["n"], part["suppressed"], min_n,
                   part["_sum_w"] if weights is not None else None,
                   part["_sum_w2"] if weights is not None else None)
        for _, part in frame.groupby(keys, sort=False, dropna=False)])
    added = hide.reindex(est.index).fillna(False).astype(bool) & ~est["suppressed"].astype(bool)
    if not added.any():
        return est
    out = est.copy()
    out["suppressed"] = out["suppressed"].astype(bool) | added
    blank = [c for c in ("estimate", "se", "ci_low", "ci_high", "n_eff") if c in out.columns]
    out.loc[added, blank] = np.nan
    for flag in ("indicatief", "unreliable"):
        if flag in out.columns:
            out.loc[added, flag] = False
    return out


def complementary_names(est: pd.DataFrame, min_n: int, name: str = "wijk_naam") -> list[str]:
    """The domains hidden although they have `min_n` respondents (complementary)."""
    rows = est[est["suppressed"].astype(bool) & (est["n"] >= min_n)]
    return sorted(set(rows[name].astype(str)))


def complementary_note(est: pd.DataFrame, min_n: int, name: str = "wijk_naam") -> str:
    """'Ook niet getoond: ...' for the complementary wijken (empty when there are none)."""
    if est.empty or not est["suppressed"].astype(bool).any():
        return ""
    extra = complementary_names(est, min_n, name)
    if not extra:
        return ""
    names = ", ".join(extra[:-1]) + (" en " if len(extra) > 1 else "") + extra[-1]
    return (f"Ook niet getoond: {names}, anders is een kleine wijk terug te rekenen uit het "
            "cijfer voor de hele gemeente.")


def note(est: pd.DataFrame, min_n: int, name: str = "wijk_naam") -> str:
    """The sentence under a wijk table on rules 1 and 2 (empty when no wijk is hidden)."""
    if est.empty or not est["suppressed"].astype(bool).any():
        return ""
    parts = [complementary_note(est, min_n, name)] if complementary_names(est, min_n, name) \
        else []
    if any(c in est.columns for c in REST_COLUMNS):
        parts.append("Omdat een wijk niet getoond wordt, staan de rest van de gemeente en het "
                     "verschil ermee er niet bij (alleen de uitkomst van de toets).")
    return " ".join(parts)


# --- 2. no rest beside a hidden wijk ------------------------------------------------------------


def without_rest(tested: pd.DataFrame, *, group: Sequence[str] = ("indicator", "year"),
                 ) -> pd.DataFrame:
    """Wijk-against-rest results without the rest estimate and the difference (and its SE)
    wherever a wijk of the same indicator and wave is hidden; hidden rows lose their test
    numbers too (they are never shown)."""
    if tested.empty or "suppressed" not in tested.columns:
        return tested
    hidden = tested["suppressed"].astype(bool)
    if not hidden.any():
        return tested
    out = tested.copy()
    affected = hidden.groupby([out[g] for g in group], dropna=False).transform("any")
    rest = [c for c in REST_COLUMNS if c in out.columns]
    out.loc[affected, rest] = np.nan
    numbers = [c for c in TEST_COLUMNS if c in out.columns]
    out.loc[hidden, numbers] = np.nan
    return out


# --- 3. precision ---------------------------------------------------------------------------


def _decimal(value: float) -> Decimal:
    return Decimal(f"{float(value):.{SIGNIFICANT_DIGITS}g}")


def round_shown(value: float, decimals: int, *, cut: bool = False) -> float:
    """`value` rounded half up to `decimals`, unless that makes it round differently at fewer
    decimals (7.2451 -> 7.25 would read 7,3 where the annex shows 7,2; then 7.24) or cross
    9.95 (where percentages lose their decimal); with `cut`, always cut towards zero (p-values:
    0.04999 stays below 0.05). Cutting towards zero never changes a coarser rounding."""
    if value is None or not math.isfinite(float(value)):
        return value
    exact = _decimal(value)
    step = Decimal(1).scaleb(-decimals)
    cut_value = exact.quantize(step, rounding=ROUND_DOWN)
    if cut:
        return float(cut_value)
    rounded = exact.quantize(step, rounding=ROUND_HALF_UP)
    coarser = [Decimal(1).scaleb(-d) for d in range(decimals)]
    same = all(rounded.quantize(s, rounding=ROUND_HALF_UP) == exact.quantize(
        s, rounding=ROUND_HALF_UP) for s in coarser)
    same &= (abs(rounded) < Decimal("9.95")) == (abs(exact) < Decimal("9.95"))
    return float(rounded if same else cut_value)


#: Published decimals per column family; `cut` for p-values.
ESTIMATE_DECIMALS = 2
SE_DECIMALS = 3
P_DECIMALS = 4
_YEAR = r"(?:_(?:19|20)\d\d)?"
_FAMILIES: tuple[tuple[re.Pattern[str], int, bool], ...] = (
    (re.compile(rf"(?:development_)?p(?:_adjusted)?{_YEAR}|p_lack_of_fit"), P_DECIMALS, True),
    (re.compile(rf"(?:development_)?se(?:_difference|_slope|_slope_ivw)?{_YEAR}"
                rf"|(?:benchmark|development)_se{_YEAR}"), SE_DECIMALS, False),
    (re.compile(rf"(?:development_)?z{_YEAR}|chi2_lack_of_fit|dispersion"), 2, False),
    (re.compile(rf"n_eff{_YEAR}"), 0, False),
    (re.compile(rf"share{_YEAR}"), 4, False),
    (re.compile(r"slope"), 3, False),
    (re.compile(rf"(?:estimate|ci_low|ci_high|estimate_rest|estimate_base|benchmark|"
                rf"difference|change|change_benchmark|development_difference){_YEAR}"
                rf"|(?:19|20)\d\d"), ESTIMATE_DECIMALS, False),
)


def column_precision(name: str) -> tuple[int, bool] | None:
    """(decimals, cut) for a published survey column, None for any other column (counts,
    police rates: not estimates from a sample)."""
    for pattern, decimals, cut in _FAMILIES:
        if pattern.fullmatch(str(name)):
            return decimals, cut
    return None


def published(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` as it may be published: every survey column (`column_precision`) rounded. Only
    frames with a `kind` column hold survey estimates; others come back unchanged."""
    if "kind" not in frame.columns:
        return frame
    out = frame.copy()
    for column in out.columns:
        rule = column_precision(column)
        if rule is None or not pd.api.types.is_numeric_dtype(out[column]) \
                or pd.api.types.is_bool_dtype(out[column]):
            continue
        decimals, cut = rule
        out[column] = [round_shown(v, decimals, cut=cut) if pd.notna(v) else v
                       for v in out[column].astype(float)]
    return out
