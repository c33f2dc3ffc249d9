"""House style by role: which colour means what, and the synthetic-data label.

One home for colours that carry a meaning (benchmark, better, worse, neutral, the banner) and for
the sentence every output built from synthetic data carries, so figures, the annex page and the
notebook pages cannot drift apart. Colours are the Okabe-Ito palette (colour-blind safe); the
meaning is always also carried by a symbol or a word, so a black-and-white print stays readable.
"""

from __future__ import annotations

#: The benchmark group's value (G32 line, group bar).
BENCHMARK = "#0072B2"
#: Significantly better (judged with the catalogue's polarity).
BETTER = "#009E73"
#: Significantly worse.
WORSE = "#D55E00"
#: No significant difference, or not tested.
NEUTRAL = "#777777"
#: The synthetic-data banner.
BANNER = "#b2182b"
#: Secondary text (notes, sources).
TEXT_GREY = "#444444"

#: Verdict word -> role colour.
VERDICT_COLOURS = {"beter": BETTER, "slechter": WORSE, "gelijk": NEUTRAL, "hoger": BENCHMARK,
                   "lager": BENCHMARK}

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
