"""Marks of a tested difference: the arrow is the direction, the word and its colour the
judgement; the one legend of the marks and the significance level as readers see it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ivb_analysis import style
from ivb_analysis.defaults import ALPHA, alpha_text

#: Verdict -> default symbol and Dutch word. The symbol is the DIRECTION (▲ higher, ▼ lower);
#: the word and its colour (`style.verdict_colour`, judgement roles only) are the JUDGEMENT:
#: beter green, slechter orange, told apart with colour blindness; the word keeps it readable
#: in black and white. beter/slechter have no default symbol: which way is better depends on
#: the indicator, so the arrow comes from the sign of the difference (`change_mark`).
VERDICTS = {
    "beter": ("", "beter"),
    "slechter": ("", "slechter"),
    "gelijk": ("●", "gelijk"),
    "hoger": ("▲", "hoger"),
    "lager": ("▼", "lager"),
}
#: Symbol and word of a difference that was not tested (colour: `style.NEUTRAL`).
NOT_TESTED = ("–", "niet getoetst")
#: An indicator the delivery lacks (contract 4): said so, never 'niet getoetst'.
NOT_DELIVERED = "niet in deze levering"
#: The significance level when a caller gives none (callers pass `Settings.alpha`).
DEFAULT_ALPHA = ALPHA
#: The one legend of the symbols and colours (figures add what they are compared with).
MARK_LEGEND = ("▲ significant hoger, ▼ significant lager; groen: beter, oranje: slechter "
               "(gelet op wat gunstig is)")


def change_mark(verdict: object, direction: float | None = None) -> tuple[str, str, str]:
    """Symbol, word and colour of a tested difference.

    The symbol is the direction (▲ higher, ▼ lower: the sign of `direction`, the difference);
    the word and colour are the judgement (beter / slechter / gelijk, or hoger / lager for a
    neutral indicator). A lower overlast that is better reads '▼ beter'. Without a direction a
    beter/slechter has no arrow, only its word; untested is '– niet getoetst'.
    """
    if not isinstance(verdict, str) or verdict not in VERDICTS:
        return (*NOT_TESTED, style.NEUTRAL)
    symbol, word = VERDICTS[verdict]
    if verdict in ("beter", "slechter") and direction is not None \
            and np.isfinite(direction) and direction != 0:
        symbol = "▲" if direction > 0 else "▼"
    return symbol, word, style.verdict_colour(verdict)


def _mark_text(verdict: object, direction: float | None) -> str:
    """'▼ beter' beside a value (empty for gelijk or not tested)."""
    if not isinstance(verdict, str) or verdict not in VERDICTS or verdict == "gelijk":
        return ""
    symbol, word, _ = change_mark(verdict, direction)
    return f"{symbol} {word}".strip()



def _verdict_note(verdicts: pd.Series, compared_with: str,
                  alpha: float = DEFAULT_ALPHA) -> str | None:
    """The one legend of the marks that occur: direction by symbol, judgement by word/colour."""
    if not verdicts.isin(["beter", "slechter", "hoger", "lager"]).any():
        return None
    return (f"{MARK_LEGEND}, vergeleken met {compared_with}; toets op {alpha_text(alpha)} met "
            "Benjamini-Hochberg-correctie. Zonder teken: geen significant verschil.")


def _directions(frame: pd.DataFrame, reference: str | None = None) -> pd.Series:
    """The sign source of each row's arrow: `difference`, else estimate minus `reference`."""
    if "difference" in frame.columns:
        return frame["difference"].astype(float)
    if reference is not None and reference in frame.columns:
        return frame["estimate"].astype(float) - frame[reference].astype(float)
    return pd.Series(np.nan, index=frame.index)


def verdict_cell(verdict: object, direction: float | None = None) -> tuple[str, str, str]:
    """Symbol, word and colour of a verdict (anything unknown or missing: not tested)."""
    return change_mark(verdict, direction)


