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


def test_values_apart_show_a_significant_difference():
    from ivb_analysis.tables import format_values_apart

    # Benchmark published as 5.36, gemeente 5.42: "5,4 vs 5,4 — beter" reads as a contradiction.
    assert format_values_apart(5.42, 5.36, "schaalscore") == ("5,42", "5,36")
    assert format_values_apart(5.42, 5.36, "schaalscore", differ=False) == ("5,4", "5,4")
    assert format_values_apart(7.4, 7.1, "rapportcijfer") == ("7,4", "7,1")  # already apart
    assert format_values_apart(23.4, 22.6, "percentage") == ("23,4%", "22,6%")
    assert format_values_apart(23.4, 21.6, "percentage") == ("23%", "22%")
    assert format_values_apart(4.61, 4.64, "percentage") == ("4,61%", "4,64%")
    # Equal up to MAX_EXTRA_DECIMALS more decimals: the usual format stays.
    assert format_values_apart(7.40001, 7.4, "rapportcijfer") == ("7,4", "7,4")
    assert format_values_apart(float("nan"), 7.4, "rapportcijfer") == ("", "7,4")
