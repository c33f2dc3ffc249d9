"""Tables for readers: Dutch number format (hand-checked), column specs, CSV and the workbook."""

from __future__ import annotations

import io
import math
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from ivb_analysis import export
from ivb_analysis.suppression import published, round_shown
from ivb_analysis.tables import (
    AnnexTable,
    Column,
    dutch_number,
    dutch_percent,
    for_display,
    format_cell,
    format_change,
    format_interval,
    format_value,
)


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (7.44, 1, "7,4"),
    (7.45, 1, "7,5"),  # half away from zero
    (7.25, 1, "7,3"),  # not banker's rounding (Python's round gives 7.2)
    (-7.45, 1, "−7,5"),  # away from zero, with a real minus sign
    (2.675, 2, "2,68"),  # the float is 2.67499999..., a reader means 2.675
    (0.5, 0, "1"),
    (-0.5, 0, "−1"),
    (1.5, 0, "2"),
    (2.5, 0, "3"),
    (-0.04, 1, "0,0"),  # no "−0,0"
    (1234.5, 1, "1.234,5"),
    (1234567, 0, "1.234.567"),
    (7, 1, "7,0"),
    (np.float64(7.45), 1, "7,5"),
])
def test_dutch_number_rounds_half_away_from_zero(value, decimals, expected):
    assert dutch_number(value, decimals) == expected


def test_dutch_number_without_grouping_and_missing_values():
    assert dutch_number(1234.5, 1, grouping=False) == "1234,5"
    assert dutch_number(float("nan")) == ""
    assert dutch_number(None) == ""
    assert dutch_number(math.inf) == ""


@pytest.mark.parametrize(("value", "expected"), [
    (23.4, "23%"), (23.5, "24%"), (0.4, "0%"), (100, "100%"), (float("nan"), ""),
])
def test_dutch_percent(value, expected):
    assert dutch_percent(value) == expected


def test_format_value_by_kind():
    assert format_value(7.44, "rapportcijfer") == "7,4"
    assert format_value(6.05, "schaalscore") == "6,1"
    assert format_value(23.4, "percentage") == "23%"
    assert format_value(4.56, "percentage") == "4,6%"  # small shares keep two digits
    assert format_value(9.96, "percentage") == "10%"
    assert format_interval(21.2, 25.7, "percentage") == "21% – 26%"
    assert format_interval(float("nan"), 2.0, "percentage") == ""


def test_format_change_and_p_values():
    assert format_change(-1.23, "percentage") == "−1,2 %-punt"
    assert format_change(0.31, "schaalscore") == "+0,3"
    assert format_change(0.01, "schaalscore") == "0,0"
    assert format_cell(0.0004, "pvalue") == "< 0,001"
    assert format_cell(0.0234, "pvalue") == "0,023"
    assert format_cell(2015, "year") == "2015"
    assert format_cell(3725, "integer") == "3.725"
    assert format_cell(None, "decimal1") == ""
    assert format_cell("beter", "text") == "beter"


def _table() -> AnnexTable:
    data = pd.DataFrame({
        "indicator": ["rapportcijfer_leefbaarheid", "overlast_totaal"],
        "label": ["Rapportcijfer leefbaarheid", "Overlast totaal"],
        "kind": ["rapportcijfer", "percentage"],
        "estimate": [7.449, 38.6],
        "n": [3725, 3790],
        "verdict": ["beter", None],
    })
    columns = (Column("label", "Indicator", "text", 30), Column("estimate", "Waarde", "value"),
               Column("n", "n", "integer", 8), Column("verdict", "Oordeel", "text"))
    return AnnexTable("proef", "Proeftabel", data, columns, note="Noot.", source="Bron: test")


def test_annex_table_for_readers_uses_dutch_headers_and_formats():
    readers = _table().for_readers()
    assert list(readers.columns) == ["Indicator", "Waarde", "n", "Oordeel"]
    assert readers["Waarde"].tolist() == ["7,4", "39%"]
    assert readers["n"].tolist() == ["3.725", "3.790"]
    assert readers["Oordeel"].tolist() == ["beter", ""]


def test_annex_table_checks_its_columns():
    with pytest.raises(ValueError, match="ontbreken"):
        AnnexTable("x", "X", pd.DataFrame({"a": [1]}), (Column("b", "B"),))
    with pytest.raises(ValueError, match="kind"):
        AnnexTable("x", "X", pd.DataFrame({"a": [1.0]}), (Column("a", "A", "value"),))


def test_display_is_deterministic_and_aligns_numbers_right():
    first = _table().for_display().to_html()
    assert first == _table().for_display().to_html()
    assert 'id="T_proef"' in first
    assert "text-align: right" in first and "text-align: left" in first
    plain = for_display(pd.DataFrame({"a": ["x"], "b": [1]}), key="k").to_html()
    assert "T_k" in plain


def test_csv_is_tidy_numeric_utf8():
    text = export.csv_text(_table().data)
    assert text.splitlines()[0] == "indicator,label,kind,estimate,n,verdict"
    # point decimals, \n endings; published with 2 decimals, never rounding across what the
    # annex shows: 7.449 reads 7,4, so it goes out as 7.44 (7.45 would read 7,5)
    assert "7.44," in text and "\r" not in text


def test_published_numbers_round_like_the_annex():
    assert round_shown(7.449, 2) == 7.44 and round_shown(7.4561, 2) == 7.46
    assert round_shown(7.2451, 2) == 7.24  # 7.25 would read 7,3; the exact value reads 7,2
    assert round_shown(23.4951, 2) == 23.49  # 23.50 would read 24%
    assert round_shown(9.9499, 2) == 9.94  # 9.95 would lose the percentage's decimal
    assert round_shown(-1.2451, 2) == -1.24 and round_shown(-1.2449, 2) == -1.24
    assert round_shown(0.04999, 4, cut=True) == 0.0499  # stays below 0.05
    assert round_shown(0.000999, 4, cut=True) == 0.0009  # stays below 0.001
    assert round_shown(0.0725 * 100, 2) == 7.25  # the decimal value meant, not the float
    frame = pd.DataFrame({"kind": ["percentage"], "estimate": [23.45678], "se": [0.71234],
                          "p_adjusted_2013": [0.049999], "n_eff": [2958.51], "z": [1.95996],
                          "count": [1.23456], "rate_per_1000": [218.70748]})
    out = published(frame).iloc[0].to_dict()
    assert out == {"kind": "percentage", "estimate": 23.46, "se": 0.712,
                   "p_adjusted_2013": 0.0499, "n_eff": 2959.0, "z": 1.96, "count": 1.23456,
                   "rate_per_1000": 218.70748}
    for exact in (7.449, 7.2451, 23.4951, 4.6451, 9.9499):
        kind = "percentage" if exact > 8 else "rapportcijfer"
        assert format_value(round_shown(exact, 2), kind) == format_value(exact, kind)


def test_workbook_has_frozen_dutch_header_number_formats_and_contents():
    table = AnnexTable(**{**_table().__dict__, "number": 3})
    data = export.workbook_bytes([table], heading="Tabellen", banner="SYNTHETISCHE DEMODATA")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Inhoud", "T03 Proeftabel"]
    sheet = book["T03 Proeftabel"]
    assert sheet["A1"].value == "Tabel 3. Proeftabel"  # the full title; the sheet name is short
    assert sheet.freeze_panes == "A4"
    assert [c.value for c in sheet[3]] == ["Indicator", "Waarde", "n", "Oordeel"]
    assert all(c.font.bold for c in sheet[3])
    assert sheet["B4"].value == 7.44 and sheet["B4"].number_format == "#,##0.0"  # as published
    assert sheet["B5"].value == pytest.approx(0.386) and sheet["B5"].number_format == "0%"
    assert sheet["C4"].value == 3725 and sheet["C4"].number_format == "#,##0"
    assert sheet["D5"].value is None
    assert [sheet[f"A{r}"].value for r in (7, 8, 9)] == [
        "Noot.", "Bron: test", "SYNTHETISCHE DEMODATA: deze cijfers zijn verzonnen"]
    contents = book["Inhoud"]
    assert [c.value for c in contents[4]] == ["T03 Proeftabel", "Tabel 3. Proeftabel", "Noot.",
                                              "Bron: test"]
    assert any("SYNTHETISCHE DEMODATA" in str(c.value) for row in contents.iter_rows()
               for c in row)


def test_workbook_bytes_carry_no_timestamps():
    data = export.workbook_bytes([_table()], heading="Tabellen")
    assert data == export.workbook_bytes([_table()], heading="Tabellen")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {export.ZIP_TIME}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2  # created and modified


def test_sheet_names_are_short_and_unique():
    used: set[str] = set()
    long = AnnexTable("a", "Een heel lange titel: met [verboden] tekens en nog veel meer",
                      pd.DataFrame({"x": [1]}), (Column("x", "X"),), number=1)
    first = export.sheet_name(long, used)
    second = export.sheet_name(long, used)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not set("[]:*?/\\") & set(first)


def test_a_significant_difference_is_never_shown_as_two_equal_numbers():
    """5,42 against a benchmark of 5,36 judged 'beter' must not read '5,4 vs 5,4 beter'."""
    data = pd.DataFrame({"label": ["A", "B", "C"], "kind": ["rapportcijfer"] * 2 + ["percentage"],
                         "estimate": [5.42, 5.42, 24.96], "benchmark": [5.36, 5.36, 25.04],
                         "position": ["beter", "gelijk", "lager"]})
    table = AnnexTable("t", "Proef", data, (
        Column("label", "Indicator"),
        Column("estimate", "Gemeente", "value", apart_from=("benchmark", "position")),
        Column("benchmark", "Benchmark", "value"), Column("position", "Positie")))
    shown = table.for_readers()
    assert shown["Gemeente"].tolist() == ["5,42", "5,4", "24,96%"]
    assert shown["Benchmark"].tolist() == ["5,36", "5,4", "25,04%"]
    book = load_workbook(io.BytesIO(export.workbook_bytes([table], heading="Tabellen")))
    sheet = book[book.sheetnames[1]]
    assert [sheet[f"B{r}"].number_format for r in (4, 5, 6)] == ["#,##0.00", "#,##0.0",
                                                                  "0.00%"]
    assert sheet["B6"].value == pytest.approx(0.2496)  # a fraction, shown 24,96%
    assert sheet["C4"].number_format == "#,##0.00"  # the pair reads alike in Excel too
