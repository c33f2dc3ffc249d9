"""Tidy estimates -> tables for readers: Dutch headers and number format (7,4; 23%), suppression.

The tidy frames stay numeric for machines (CSV); these functions make the reader's version.
"""

from __future__ import annotations

import math

import pandas as pd
from pandas.io.formats.style import Styler

SUPPRESSED = "–"  # shown instead of an estimate for a domain below min_n


def dutch_number(value: float | None, decimals: int = 1) -> str:
    """7.44 -> '7,4'; NaN -> ''. Rounds half away from zero, as readers expect."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    quantum = 10**decimals
    rounded = math.floor(abs(value) * quantum + 0.5) / quantum
    text = f"{math.copysign(rounded, value):.{decimals}f}"
    return text.replace("-", "−").replace(".", ",")


def format_value(value: float, kind: str) -> str:
    """An estimate in its unit: percentages as '23%', scores and cijfers with one decimal."""
    if kind == "percentage":
        text = dutch_number(value, 0)
        return f"{text}%" if text else ""
    return dutch_number(value, 1)


def format_interval(low: float, high: float, kind: str) -> str:
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        return ""
    return f"{format_value(low, kind)} – {format_value(high, kind)}"


def estimates_for_readers(estimates: pd.DataFrame, domain: str | None = None) -> pd.DataFrame:
    """Reader's table of tidy estimates: indicator, (domain,) value, 95% interval, n, remarks."""
    rows = []
    for row in estimates.itertuples(index=False):
        if row.suppressed:
            value, interval, note = SUPPRESSED, "", "te weinig respondenten (niet getoond)"
        else:
            value = format_value(row.estimate, row.kind)
            interval = format_interval(row.ci_low, row.ci_high, row.kind)
            note = "indicatief" if row.indicatief else ("onbetrouwbaar" if row.unreliable else "")
        record = {"Indicator": row.label}
        if domain is not None:
            record["Gebied"] = getattr(row, domain)
        record.update({"Waarde": value, "95%-interval": interval, "Eenheid": row.unit,
                       "n": int(row.n), "Opmerking": note})
        rows.append(record)
    return pd.DataFrame(rows)


def for_display(table: pd.DataFrame, key: str = "t") -> Styler:
    """A reader's table as HTML: no index, text left, numbers right, fixed ids (same bytes)."""
    styler = Styler(table, uuid=key, cell_ids=False).hide(axis="index")
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
    text = [c for c in table.columns if c not in numeric]
    return styler.set_properties(subset=text, **{"text-align": "left"})
