"""The workbook for council staff and the guide to the CSV files, read back cell by cell."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from ivb_analysis import export
from ivb_analysis.tables import AnnexTable, Column

BANNER = "SYNTHETISCHE DEMODATA"
SOURCE = "Bron: Veiligheidsmonitor 2015, bewerking gemeente Proefstad"
METHOD = ["Gewogen uitkomsten met design-based standaardfouten.",
          "Toets op 5% met Benjamini-Hochberg-correctie."]


@pytest.fixture
def tables() -> list[AnnexTable]:
    wijken = pd.DataFrame({
        "wijk_naam": ["Noord", "Zuid"], "kind": ["percentage", "percentage"],
        "estimate": [23.4, 4.56], "ci_low": [20.0, 3.1], "ci_high": [27.0, 6.5],
        "n": [310, 1234], "p_adjusted": [0.0004, 0.0456],
        "judgement": ["slechter", "gelijk"], "remark": ["", "indicatief"],
    })
    wide_columns = (Column("wijk_naam", "Wijk", "text", 18),
                    Column("estimate", "Waarde 2015", "value", 11),
                    Column("ci_low", "Ondergrens 95%", "value", 11),
                    Column("ci_high", "Bovengrens 95%", "value", 11),
                    Column("n", "n", "integer", 8),
                    Column("p_adjusted", "p (gecorrigeerd)", "pvalue", 12),
                    Column("judgement", "T.o.v. rest gemeente", "text", 18),
                    Column("remark", "Opmerking", "text", 14),
                    Column("wijk_naam", "Wijk (herhaald)", "text", 18))
    cijfers = pd.DataFrame({"label": ["Rapportcijfer leefbaarheid"], "kind": ["rapportcijfer"],
                            "estimate": [7.44]})
    return [
        AnnexTable("kerncijfers", "Footprint-indicatoren voor heel Proefstad, 2015", cijfers,
                   (Column("label", "Indicator", "text", 30),
                    Column("estimate", "Waarde 2015", "value", 11)),
                   source=SOURCE, number=1),
        AnnexTable("wijk_overlast", "Overlast totaal per wijk, 2015 (met een titel die veel "
                   "langer is dan 31 tekens)", wijken, wide_columns, source=SOURCE,
                   note="Verschil getoetst op 5%.", number=2),
    ]


def _book(tables, **kwargs):
    data = export.workbook_bytes(tables, heading="Tabellen bij de bijlage 2015", **kwargs)
    return data, load_workbook(io.BytesIO(data))


def test_one_sheet_per_table_with_title_table_source_label_and_method_link(tables):
    _, book = _book(tables, banner=BANNER, method_note=METHOD)
    assert book.sheetnames == ["Inhoud", "T01 Kerncijfers", "T02 Overlast totaal wijk, 2015",
                               "Methode"]
    assert all(len(name) <= 31 for name in book.sheetnames)
    sheet = book["T02 Overlast totaal wijk, 2015"]
    assert sheet["A1"].value == ("Tabel 2. Overlast totaal per wijk, 2015 (met een titel die "
                                 "veel langer is dan 31 tekens)")
    assert sheet["A1"].font.bold
    assert sheet["A2"].value is None
    assert [c.value for c in sheet[3]][:3] == ["Wijk", "Waarde 2015", "Ondergrens 95%"]
    assert sheet.freeze_panes == "A4"
    # percentages are fractions with a percent format: Excel shows 23%, not 2340%
    assert sheet["A4"].value == "Noord" and sheet["B4"].value == pytest.approx(0.234)
    assert sheet["B4"].number_format == "0%" and sheet["B5"].number_format == "0.0%"
    assert sheet["B5"].value == pytest.approx(0.0456) and sheet["C5"].value == pytest.approx(0.031)
    assert sheet["E5"].value == 1234 and sheet["E5"].number_format == "#,##0"
    under = [sheet.cell(row=r, column=1).value for r in range(6, sheet.max_row + 1)]
    assert under == [None, "Verschil getoetst op 5%.", SOURCE,
                     f"{BANNER}: deze cijfers zijn verzonnen",
                     "Werkwijze: zie het werkblad Methode"]
    assert sheet["A9"].font.color.rgb.endswith("B2182B")
    assert sheet["A10"].hyperlink.location == "'Methode'!A1"
    first = book["T01 Kerncijfers"]
    assert first["A1"].value == "Tabel 1. Footprint-indicatoren voor heel Proefstad, 2015"
    assert first["B4"].value == pytest.approx(7.44) and first["B4"].number_format == "#,##0.0"


def test_the_method_note_is_on_one_sheet_only(tables):
    _, book = _book(tables, banner=BANNER, method_note=METHOD)
    method = book["Methode"]
    column = [c.value for c in method["A"]]
    assert column[0] == "Werkwijze — Tabellen bij de bijlage 2015"
    assert column[1] == f"{BANNER}: deze cijfers zijn verzonnen"
    assert column[2:] == [f"- {METHOD[0]}", f"- {METHOD[1]}"]
    for name in book.sheetnames[1:-1]:
        texts = [str(c.value) for row in book[name].iter_rows() for c in row if c.value]
        assert not any(METHOD[0] in t for t in texts), name
    assert [c.value for c in book["Inhoud"]["A"]][-1] == "Methode"
    _, without = _book(tables)
    assert "Methode" not in without.sheetnames


def test_p_values_have_one_format_the_annex_text(tables):
    _, book = _book(tables)
    sheet = book["T02 Overlast totaal wijk, 2015"]
    assert [c.value for c in sheet[3]][5] == "p (gecorrigeerd)"
    shown = tables[1].for_readers()["p (gecorrigeerd)"].tolist()
    assert [sheet["F4"].value, sheet["F5"].value] == shown == ["< 0,001", "0,046"]
    assert sheet["F4"].data_type == sheet["F5"].data_type == "s"
    assert sheet["F4"].number_format == sheet["F5"].number_format == "@"


def test_contents_sheet_links_to_every_table(tables):
    _, book = _book(tables, banner=BANNER)
    contents = book["Inhoud"]
    assert contents["A1"].value == "Tabellen bij de bijlage 2015"
    assert contents["A2"].value == f"{BANNER}: deze cijfers zijn verzonnen"
    rows = [[c.value for c in row] for row in contents.iter_rows(min_row=4, max_col=2)]
    assert rows == [["T01 Kerncijfers", "Tabel 1. Footprint-indicatoren voor heel Proefstad, 2015"],
                    ["T02 Overlast totaal wijk, 2015", tables[1].caption]]
    links = [contents.cell(row=r, column=1).hyperlink.location for r in (4, 5)]
    assert links == ["'T01 Kerncijfers'!A1", "'T02 Overlast totaal wijk, 2015'!A1"]


def test_print_setup_a4_fit_to_width_landscape_when_wide_and_header_repeated(tables):
    _, book = _book(tables)
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$3:$3"
    assert book["T01 Kerncijfers"].page_setup.orientation == "portrait"  # 41 characters wide
    assert book.worksheets[2].page_setup.orientation == "landscape"  # 129 characters wide


def test_workbook_bytes_are_stable(tables):
    first, _ = _book(tables, banner=BANNER, method_note=METHOD)
    second, _ = _book(tables, banner=BANNER, method_note=METHOD)
    assert first == second


def test_sheet_names_say_what_they_hold_and_are_short_and_unique():
    used = {"Inhoud"}
    table = AnnexTable("x", "X", pd.DataFrame({"a": [1]}), (Column("a", "A"),), number=3)
    assert export.sheet_name(table, used) == "T03 X"
    assert export.sheet_name(table, used) == "T03 X-2"
    unnumbered = AnnexTable("y", "Y", pd.DataFrame({"a": [1]}), (Column("a", "A"),))
    assert export.sheet_name(unnumbered, used, 7) == "T07 Y"
    titles = {"kerncijfers": "Footprint-indicatoren voor heel Hengelo, 2015",
              "wijk_rapportcijfer_leefbaarheid": "Rapportcijfer leefbaarheid per wijk, 2015",
              "wijk_fysieke_voorzieningen": "Fysieke voorzieningen per wijk, 2015",
              "items_sociale_cohesie": "Sociale cohesie: de stellingen, 2015",
              "trends": "Alle indicatoren voor heel Hengelo, 2012–2015",
              "onbekend": "Een titel: met [verboden] tekens/en heel veel woorden erachter"}
    names = [export.sheet_name(AnnexTable(k, t, pd.DataFrame({"a": [1]}), (Column("a", "A"),),
                                          number=n), used)
             for n, (k, t) in enumerate(titles.items(), start=1)]
    assert names == ["T01 Kerncijfers", "T02 Cijfer leefbaarheid wijk",
                     "T03 Fysieke voorzieningen wijk", "T04 Items sociale cohesie",
                     "T05 Trends alle indicatoren", "T06 Een titel"]
    assert all(len(n) <= 31 and not set("[]:*?/\\'") & set(n) for n in names)


def test_csv_guide_explains_every_column_in_dutch_and_carries_the_label(tmp_path, tables):
    path = export.write_csv_guide(tables, tmp_path, heading="Tabellen bij de bijlage 2015",
                                  banner=BANNER, workbook="tabellen_2015.xlsx")
    text = path.read_text(encoding="utf-8")
    assert path.name == "LEESMIJ.txt"
    assert text.startswith("Tabellen bij de bijlage 2015\n\nSYNTHETISCHE DEMODATA: deze cijfers")
    assert "  kerncijfers.csv    Tabel 1. Footprint-indicatoren" in text
    lines = text.splitlines()
    for column in ("wijk_naam", "estimate", "ci_low", "p_adjusted", "remark"):
        line = next(x for x in lines if x.startswith(f"  {column} "))
        assert "zie de bijlage" not in line, line
    assert next(x for x in lines if x.startswith("  p_adjusted ")).endswith(
        "significant als kleiner dan 0,05")


def test_column_descriptions_for_year_columns():
    assert export.column_description("estimate_2013") == (
        "gewogen uitkomst (percentages als 0-100) (meting 2013)")
    assert export.column_description("2015") == "uitkomst in 2015"
    assert export.column_description("p_adjusted_2015").startswith("p-waarde na Benjamini")
    assert export.column_description("onbekend") is None
