"""The number-format functions of tables.py: Dutch notation and published rounding (half up)."""

from __future__ import annotations

import pytest

from ivb_analysis.tables import dutch_number, dutch_percent, format_value


@pytest.mark.parametrize(
    ("proportion", "expected"),
    [(0.0725, "7,3%"), (0.145, "15%"), (0.285, "29%"), (0.0724, "7,2%"), (0.5, "50%"),
     (0.035, "3,5%"), (0.0965, "9,7%")],
)
def test_percentage_ties_round_half_up_on_the_decimal_value(proportion, expected):
    # estimates multiplies proportions by 100: 0.0725 * 100 is 7.249999999999999 in binary.
    assert format_value(proportion * 100, "percentage") == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(2.675, 2, "2,68"), (7.45, 1, "7,5"), (0.145 * 10, 1, "1,5"), (-0.05, 1, "−0,1"),
     (1234.5, 0, "1.235"), (0.285 * 100, 0, "29"), (-0.04, 1, "0,0")],
)
def test_dutch_number_rounds_half_up_for_every_unit(value, decimals, expected):
    assert dutch_number(value, decimals) == expected


def test_dutch_percent_tie():
    assert dutch_percent(0.145 * 100) == "15%"
