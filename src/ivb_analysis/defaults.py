"""The defaults a delivery may change in `ivb.yaml`, defined once.

`config.Settings` takes its defaults from here, and so does every function with an `alpha` or
`min_n` keyword (callers pass the delivery's `Settings` value); `alpha_text` is the one way the
significance level is written for readers. Changing a default is one line here.
"""

from __future__ import annotations

#: Significance level of every test (after Benjamini-Hochberg).
ALPHA = 0.05
#: Fewest respondents for a shown result (below: suppressed).
MIN_N = 50
#: Fewest respondents for a result that is not 'indicatief'.
INDICATIEF_N = 100


def alpha_text(alpha: float = ALPHA) -> str:
    """The significance level as readers see it: 0.05 -> '5%', 0.025 -> '2,5%' (exact, never
    rounded: 0.0125 -> '1,25%')."""
    return f"{alpha * 100:g}%".replace(".", ",")


def alpha_decimal(alpha: float = ALPHA) -> str:
    """The significance level as a Dutch decimal: 0.05 -> '0,05'."""
    return f"{alpha:g}".replace(".", ",")
