"""House style by role: which colour means what, and the synthetic-data label.

One home for colours that carry a meaning, so figures, the annex page, the PDF and the notebook
pages cannot drift apart: every colour has ONE role, and changing a role is one line here. Code
reads the roles when it draws (`style.BENCHMARK`, never a copy), so a changed line recolours
exactly that role (tests/unit/test_figures.py proves it).

- Judgement colours (beter, slechter, gelijk / niet getoetst, a neutral hoger/lager) colour only
  marks and words of a tested difference, never a year, a gemeente or a group.
- Series colours tell apart what a figure compares (the gemeente, an earlier wave, the
  benchmark group, other gemeenten); the legend names each one.

Colours come from the colour-blind-safe Okabe-Ito palette (and Paul Tol's for the extra series),
the judgement colours darkened to a contrast of at least 4.5:1 on white, because they colour
text (WCAG 1.4.3). The meaning is always also carried by a symbol or a word (WCAG 1.4.1), so a
black-and-white print stays readable.
"""

from __future__ import annotations

# --- series: what a figure compares ----------------------------------------------------------
#: The gemeente itself: its wijken's bars, its series, the year of the annex (first group).
GEMEENTE = "#0072B2"
#: The whole gemeente as a reference line over the bars of its wijken (a darker gemeente blue).
GEMEENTE_TOTAL = "#003D5C"
#: An earlier wave, beside the year of the annex.
EARLIER = "#5E8FBF"
#: The benchmark group (G32 bar, line or average).
BENCHMARK = "#CC79A7"
#: Further series (other gemeenten, more indicators in one trend), in this order.
OTHERS = ("#332288", "#999933", "#DDCC77")

# --- judgement: marks and words of a tested difference -----------------------------------------
#: Significantly better (judged with the catalogue's polarity).
BETTER = "#007A5A"
#: Significantly worse.
WORSE = "#B84A00"
#: No significant difference, or not tested.
NEUTRAL = "#636363"
#: A significant difference of an indicator without a better direction (hoger / lager).
DIFFERENT = "#3A3A3A"

# --- page ------------------------------------------------------------------------------------
#: The synthetic-data banner.
BANNER = "#b2182b"
#: Secondary text (notes, sources).
TEXT_GREY = "#444444"

#: The judgement colours (never used for a series).
JUDGEMENT_ROLES = ("BETTER", "WORSE", "NEUTRAL", "DIFFERENT")
#: The series colours (never used for a judgement).
SERIES_ROLES = ("GEMEENTE", "GEMEENTE_TOTAL", "EARLIER", "BENCHMARK", "OTHERS")


def verdict_colour(verdict: object) -> str:
    """Verdict word -> its judgement colour (anything else: neutral), read at call time."""
    return {"beter": BETTER, "slechter": WORSE, "hoger": DIFFERENT,
            "lager": DIFFERENT}.get(verdict if isinstance(verdict, str) else "", NEUTRAL)


#: The banner on every output built from synthetic data, and its explanation.
SYNTHETIC_LABEL = "SYNTHETISCHE DEMODATA"
SYNTHETIC_SENTENCE = "deze cijfers zijn verzonnen en alleen bedoeld om de werkwijze te tonen"
#: The short form for page margins and figure bands.
SYNTHETIC_SHORT = "deze cijfers zijn verzonnen"


def banner_text(banner: str | None, *, short: bool = False) -> str:
    """'SYNTHETISCHE DEMODATA: deze cijfers zijn verzonnen ...' ('' without a banner)."""
    if not banner:
        return ""
    return f"{banner}: {SYNTHETIC_SHORT if short else SYNTHETIC_SENTENCE}"
