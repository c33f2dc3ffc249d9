"""StatLine periods and CBS region codes, shared by the StatLine readers (`statline`, `odata`):
`2023JJ00`/`2023` period keys and labels, region levels from the code prefix (`WK`, `GM`, ...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.io.text import (
    Locator,
    first_true,
    line_at,
)

PERIODS = "Perioden"
_YEAR_LABEL = re.compile(r"([0-9]{4})\**")
_PERIOD_KEY = re.compile(r"([0-9]{4})(?:(JJ|KW|MM)([0-9]{2}))?\**")
PERIOD_KINDS = {"JJ": "jaar", "KW": "kwartaal", "MM": "maand"}
REGION_LEVELS = {
    "BU": "buurt",
    "WK": "wijk",
    "GM": "gemeente",
    "PV": "provincie",
    "RE": "regionale eenheid",
    "LD": "landsdeel",
    "NL": "land",
}


# --------------------------------------------------------------------------------------------
# Periods and region codes
# --------------------------------------------------------------------------------------------


def parse_year_labels(
    labels: Sequence[str], *, file: str | Path | None, row: int | None = None
) -> list[int]:
    """StatLine period labels (`2023`, provisional `2023*`) -> years; anything else is an error.

    Monthly or quarterly labels (`2025 januari*`) are rejected: these readers produce yearly data.
    """
    years = []
    for label in labels:
        match = _YEAR_LABEL.fullmatch(label.strip())
        if match is None:
            raise InputError(
                "periode is geen jaartal", file=file, column=PERIODS, row=row,
                expected="een jaar zoals 2023 (voorlopig: 2023*)", found=label,
            )
        years.append(int(match.group(1)))
    return years


def parse_period_keys(
    keys: pd.Series, *, file: str | Path | None, line: Locator | None = None
) -> pd.DataFrame:
    """OData period keys (`2023JJ00`, `2025MM01`, `2024KW02`; a bare `2023` is a year) ->
    `year` (Int64) and `period_kind` (`jaar`, `kwartaal`, `maand`)."""
    codes, uniques = pd.factorize(keys.str.strip())  # few distinct periods: parse each once
    parsed = [_PERIOD_KEY.fullmatch(u) for u in uniques]
    unparsed = np.array([m is None for m in parsed] + [True])  # index -1 = NA key
    bad = first_true(pd.Series(unparsed[codes]))
    if bad is not None:
        raise InputError(
            "onbekende periodecode", file=file, column=PERIODS, row=line_at(line, bad),
            expected="jjjjJJ00, jjjjKWnn of jjjjMMnn", found=keys.iloc[bad],
        )
    years = np.array([int(m.group(1)) for m in parsed], dtype="int64")
    kinds = np.array([PERIOD_KINDS[m.group(2) or "JJ"] for m in parsed], dtype=object)
    return pd.DataFrame({
        "year": pd.array(years[codes], dtype="Int64"),
        "period_kind": pd.array(kinds[codes], dtype="str"),
    }, index=keys.index)


def region_levels(
    codes: pd.Series, *, file: str | Path | None = None, line: Locator | None = None
) -> pd.Series:
    """Region level from the code prefix (`BU` buurt, `WK` wijk, `GM` gemeente, ...).

    Robust where `SoortRegio` is blank: 47018NED leaves it as spaces for buurten without crimes.
    """
    levels = codes.str[:2].map(REGION_LEVELS)
    bad = first_true(levels.isna())
    if bad is not None:
        raise InputError(
            "onbekende regiocode", file=file, row=line_at(line, bad),
            expected="een code die begint met " + "/".join(REGION_LEVELS),
            found=codes.iloc[bad],
        )
    return levels.astype("str")
