"""The annex of a year on a small copy of the demo: complete, self-contained, without respondent
data, byte-identical when rendered twice (the second time in another process), and the notebook
facade shows the very same figures and tables."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pypdf
import pytest
import yaml
from matplotlib.container import BarContainer
from openpyxl import load_workbook
from pandas.io.formats.style import Styler

from ivb_analysis import export
from ivb_analysis.annex import Annex, annex_html, write_annex
from ivb_analysis.annex.sections import wijk
from ivb_analysis.catalogue import load_selections
from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.figures import AnnexFigure
from ivb_analysis.prepare import prepare
from ivb_analysis.report import open_wave
from tests.conftest import DEMO_DIR, ROOT

YEAR = 2015
WIJK_INDICATORS = load_selections().wijk_indicators


def _copy_demo(target: Path, years: tuple[int, ...], **settings) -> Path:
    """The demo delivery with fewer waves (as the `demo_copy` fixture, but for a module)."""
    shutil.copytree(DEMO_DIR, target)
    config = yaml.safe_load((target / "ivb.yaml").read_text(encoding="utf-8"))
    config.update(years=list(years), **settings)
    (target / "ivb.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def delivery(tmp_path_factory) -> Path:
    return _copy_demo(tmp_path_factory.mktemp("annex") / "raw" / "levering", (2013, YEAR))


@pytest.fixture(scope="module")
def rendered(delivery, tmp_path_factory) -> tuple[Path, Path, list[Path]]:
    """The same year rendered twice: here, and in a fresh process with another hash seed."""
    first = tmp_path_factory.mktemp("eerste")
    second = tmp_path_factory.mktemp("tweede")
    settings = load_settings(delivery, output_dir=first)
    prepare(settings)
    code = ("import sys; from ivb_analysis.config import load_settings; "
            "from ivb_analysis.annex import write_annex; "
            "write_annex(load_settings(sys.argv[1], output_dir=sys.argv[2]), int(sys.argv[3]))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.Popen([sys.executable, "-c", code, str(delivery), str(second), str(YEAR)],
                             env=env, cwd=ROOT)
    try:
        written = write_annex(settings, YEAR)
    finally:
        assert other.wait(timeout=300) == 0
    return first / str(YEAR), second / str(YEAR), written


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_year_renders_byte_identically_twice(rendered):
    first, second, _ = rendered
    a, b = _files(first), _files(second)
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert different == []


def test_the_annex_writes_every_figure_in_three_formats_and_every_table(rendered):
    first, _, written = rendered
    names = set(_files(first))
    assert {p.relative_to(first).as_posix() for p in written} == names
    figure_keys = {
        "footprint", "wijkkaarten", "trend_gemeente_inzet",
        "trend_leefbaarheid", "trend_gemeente", "trend_overlast",
        "trend_veiligheid", "trend_slachtofferschap",
        "trend_politie", "slachtofferschap", "politie_kaart", "politie_groep",
        "veiligheidshuis",
    }
    for key in figure_keys:
        for suffix in ("svg", "pdf", "png", "alt.txt"):
            assert f"figures/{key}.{suffix}" in names, (key, suffix)
        alt = (first / "figures" / f"{key}.alt.txt").read_text(encoding="utf-8")
        assert len(alt) > 40
    assert (first / "figures" / "footprint.png").read_bytes()[:4] == b"\x89PNG"
    table_keys = {"kerncijfers", "footprint", "wijkoverzicht",
                  *(f"wijk_{i}" for i in WIJK_INDICATORS),
                  "trends", "slachtofferschap", "politie", "veiligheidshuis"}
    for key in table_keys:
        assert f"tables/{key}.csv" in names, key
    assert f"tables/tabellen_{YEAR}.xlsx" in names and "bijlage.html" in names
    assert "tables/LEESMIJ.txt" in names
    assert "bijlage.pdf" not in names
    # one figure per wijk indicator no longer: the overview (maps + matrix) replaces them
    assert not any(n.startswith("figures/wijk_") for n in names)


def test_trend_figures_have_at_most_six_panels_and_never_repeat_a_series(delivery):
    section = Annex(load_settings(delivery), YEAR).section("trends")
    inzet = section.figure("trend_gemeente_inzet")
    lines = [t.get_text() for t in inzet.legends[0].get_texts()]
    assert len(lines) == 3
    headings = []
    for item in section.figures:
        if item.key == "trend_gemeente_inzet":
            continue
        axes = item.figure.axes
        assert 1 <= len(axes) <= 6, item.key
        headings += [ax.get_title(loc="left").replace("\n", " ") for ax in axes]
    assert len(headings) == len(set(headings))
    assert not [h for h in headings if any(h.startswith(line) for line in lines)]
    assert [h for h in headings if h.startswith("Functioneren gemeente")]


def test_no_table_holds_respondent_data_or_rows_below_min_n(rendered):
    first, _, _ = rendered
    paths = sorted((first / "tables").glob("*.csv"))
    assert len(paths) >= 8  # every table of the annex, never a vacuous pass
    for path in paths:
        table = pd.read_csv(path)
        assert "resp_id" not in table.columns and "weight" not in table.columns, path.name
        if "n" in table.columns and "population" not in table.columns:
            assert (table["n"] >= 50).all(), path.name
        if "suppressed" in table.columns:
            assert not table["suppressed"].any(), path.name


def test_workbook_has_a_sheet_per_table_with_title_header_and_method_note(rendered):
    first, _, _ = rendered
    book = load_workbook(io.BytesIO((first / "tables" / f"tabellen_{YEAR}.xlsx").read_bytes()))
    n_tables = len(list((first / "tables").glob("*.csv")))
    assert book.sheetnames[0] == "Inhoud" and book.sheetnames[-1] == "Methode"
    assert [n[:3] for n in book.sheetnames[1:-1]] == [f"T{k:02d}" for k in range(1, n_tables + 1)]
    contents = book["Inhoud"]
    assert contents["A4"].value == "T01 Kerncijfers"
    assert contents["A4"].hyperlink.location == "'T01 Kerncijfers'!A1"
    titles = {name: book[name]["A1"].value for name in book.sheetnames[1:-1]}
    wijk = next(book[n] for n, t in titles.items()
                if t.endswith("Rapportcijfer leefbaarheid per wijk, 2015"))
    assert re.fullmatch(r"Tabel \d+\. Rapportcijfer leefbaarheid per wijk, 2015", wijk["A1"].value)
    headers = [c.value for c in wijk[3]]
    assert headers[:2] == ["Wijk", f"Waarde {YEAR}"] and "T.o.v. rest gemeente" in headers
    assert wijk["A4"].value == "Binnenstad"  # the data start under the header
    assert isinstance(wijk["B4"].value, float) and wijk["B4"].number_format == "#,##0.0"
    column = [c.value for c in wijk["A"]]
    assert "Werkwijze: zie het werkblad Methode" in column
    assert "SYNTHETISCHE DEMODATA: deze cijfers zijn verzonnen" in column
    assert any(str(v).startswith("Bron: Veiligheidsmonitor") for v in column)
    kern = book["T01 Kerncijfers"]
    assert kern["A1"].value == f"Tabel 1. Footprint-indicatoren voor heel Hengelo, {YEAR}"
    headers = [c.value for c in kern[3]]
    share = next(r for r in kern.iter_rows(min_row=4) if r[0].value == "Overlast totaal")
    cell = share[headers.index(f"Waarde {YEAR}")]
    assert isinstance(cell.value, float) and cell.number_format == "0%"  # 0.39 -> '39%'
    assert share[headers.index("Eenheid")].value == "% veel overlast"
    for name in book.sheetnames[1:-1]:
        sheet = book[name]
        assert sheet.freeze_panes == "A4", name
        assert sheet.print_title_rows == "$3:$3", name
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert "resp_id" not in [c.value for c in sheet[3]]


def test_the_csv_folder_has_a_dutch_guide_with_the_label(rendered):
    first, _, _ = rendered
    guide = (first / "tables" / "LEESMIJ.txt").read_text(encoding="utf-8")
    assert guide.startswith(f"Waar staat Hengelo? Tabellen bij de bijlage {YEAR}\n")
    assert "SYNTHETISCHE DEMODATA: deze cijfers zijn verzonnen" in guide
    paths = sorted((first / "tables").glob("*.csv"))
    assert paths
    for path in paths:
        assert f"  {path.name}  " in guide, path.name
    assert "  p_adjusted  " in guide and "zie de bijlage" not in guide


def test_the_page_carries_the_print_css_exactly_once(rendered):
    first, _, _ = rendered
    page = (first / "bijlage.html").read_text(encoding="utf-8")
    assert page.count(export.PRINT_CSS_MARK) == 1
    assert export.with_print_css(page) == page  # html_to_pdf adds nothing


def test_html_is_self_contained_numbered_and_explains_the_method(rendered):
    first, _, _ = rendered
    page = (first / "bijlage.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script" not in page and "<link" not in page
    images = re.findall(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', page)
    assert len(images) == len(list((first / "figures").glob("*.svg")))
    assert all(images)
    numbers = [int(n) for n in re.findall(r"Figuur (\d+)\. ", page)]
    assert numbers == list(range(1, len(images) + 1))
    tables = [int(n) for n in re.findall(r'class="caption">Tabel (\d+)\. ', page)]
    assert tables == list(range(1, len(tables) + 1))
    assert "SYNTHETISCHE DEMODATA" in page and "@page" in page and "size: A4" in page
    for phrase in ("design-based", "95%-betrouwbaarheidsinterval", "Benjamini-Hochberg",
                   "minder dan 50 respondenten", "indicatief", "p = 1,8%", "Methodebreuk",
                   "Bron: Veiligheidsmonitor"):
        assert phrase in page, phrase


def test_suppressed_wijken_are_absent_from_bars_and_tables_and_named_in_notes(demo_copy):
    data_dir = demo_copy(years=(2013, YEAR), min_n=300, indicatief_n=380)
    annex = Annex(load_settings(data_dir), YEAR)
    section = wijk.build_for(annex, "rapportcijfer_leefbaarheid")
    est = annex.wijk_estimates
    est = est[est["indicator"] == "rapportcijfer_leefbaarheid"]
    hidden = est.loc[est["suppressed"], "wijk_naam"].tolist()
    # n = 273 < 300; Berflo Es (the smallest other) hides it among >= 300 (suppression.py)
    assert hidden == ["Berflo Es", "Buitengebied"]
    fig = section.figure()
    ax = fig.axes[0]
    bars = [p for c in ax.containers if isinstance(c, BarContainer) for p in c.patches]
    assert len(bars) == (~est["suppressed"]).sum() == 8
    assert any("Ook niet getoond: Berflo Es" in t.get_text() for t in fig.texts)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert "Buitengebied" not in " ".join(ticks)
    assert any(t.endswith(" *") for t in ticks)  # 300 <= n < 380: indicatief
    assert any("Niet getoond (minder dan 300 respondenten): Buitengebied" in t.get_text()
               for t in fig.texts)
    assert "Buitengebied" in fig.alt_text
    table = section.table()
    assert "Buitengebied" not in table.data["wijk_naam"].tolist()
    assert (table.data["n"] >= 300).all()
    assert "Niet getoond" in table.note and "Opmerking" in table.for_readers().columns


def test_first_wave_has_positions_only_and_no_trends(delivery):
    annex = Annex(load_settings(delivery), 2013)
    keys = [s.key for s in annex.sections()]
    assert "trends" not in keys and "trends" in annex.skipped
    footprint = annex.section("footprint").table()
    assert "position_2013" in footprint.data and "development" not in footprint.data
    assert "(geen eerdere benchmark)" in " ".join(
        t.get_text() for t in annex.section("footprint").figure().texts)


def test_significant_wijken_get_a_marker(delivery):
    annex = Annex(load_settings(delivery), YEAR)
    est = annex.wijk_estimates
    est = est[est["indicator"] == "sociale_cohesie"]
    significant = est["verdict_polarity"].isin(["beter", "slechter"]).sum()
    fig = wijk.build_for(annex, "sociale_cohesie").figure()
    markers = [a for a in fig.findobj() if a.get_gid() == "significance-marker"]
    assert significant > 0 and len(markers) == significant


def test_write_annex_makes_the_pdf_without_a_browser(tmp_path, monkeypatch):
    """No Chromium anywhere: `pdf=True` renders bijlage.pdf with WeasyPrint, twice the same."""
    monkeypatch.setenv("IVB_CHROMIUM", str(tmp_path / "geen-chromium"))
    monkeypatch.setenv("PATH", "/nonexistent")
    data_dir = tmp_path / "raw" / "mini"
    shutil.copytree(ROOT / "data" / "raw" / "mini", data_dir)
    settings = load_settings(data_dir, output_dir=tmp_path / "uit", years=(2013,))
    first = write_annex(settings, 2013, pdf=True)
    pdf = tmp_path / "uit" / "2013" / "bijlage.pdf"
    assert pdf in first and pdf.read_bytes().startswith(b"%PDF")
    data = pdf.read_bytes()
    write_annex(settings, 2013, pdf=True)
    assert pdf.read_bytes() == data  # dates from the data (end of 2013), not the clock
    assert pypdf.PdfReader(io.BytesIO(data)).metadata["/CreationDate"] == "D:20131231000000Z"


def test_notebook_facade_shows_the_annex_objects(delivery, tmp_path):
    wave = open_wave(delivery, YEAR, output_dir=tmp_path)
    assert wave.base_year == 2013
    figure = wave.figure("wijkoverzicht", "wijkkaarten")
    assert isinstance(figure, AnnexFigure)
    assert figure is wave.annex.section("wijkoverzicht").figure()
    assert isinstance(wave.table("kerncijfers"), Styler)
    assert isinstance(wave.table("wijktabellen", "wijk_rapportcijfer_veiligheid"), Styler)
    assert isinstance(wave.figure("footprint"), AnnexFigure)
    assert isinstance(wave.figure("trends", "trend_gemeente_inzet"), AnnexFigure)
    assert isinstance(wave.figure("veiligheidshuis"), AnnexFigure)
    assert "footprint" in wave.sections()
    html = wave.section("slachtofferschap")._repr_html_()
    assert "data:image/svg+xml;base64," in html and "Slachtofferschap" in html
    table = wave.section("kerncijfers").table().for_readers()
    assert table.columns[0] == "Indicator" and f"{YEAR} t.o.v. 2013" in table.columns
    with pytest.raises(KeyError):
        wave.section("bestaat_niet")


def test_casework_per_10000_for_every_gemeente_from_the_group_population(delivery):
    table = Annex(load_settings(delivery), YEAR).section("veiligheidshuis").table().data
    assert set(table["gemeente"]) == {"Almelo", "Enschede", "Hengelo"}
    assert table["rate_per_10000"].notna().all()
    hengelo = table[(table["gemeente"] == "Hengelo") & (table["overleg"] == "Code Rood")]
    population = hengelo["population"].iloc[0]
    assert hengelo["count"].iloc[0] == 17  # the seed's chart
    assert hengelo["rate_per_10000"].iloc[0] == pytest.approx(17 / population * 10_000)


def test_a_delivery_with_wijk_geometry_gets_a_crime_map(demo_copy):
    """The demo ships the real CBS wijk map: the police section shows a map instead of the
    ordered bars, and the wijk overview maps its key indicators; without geometry, bars."""
    data_dir = demo_copy(years=(2013, YEAR))
    settings = load_settings(data_dir)
    assert settings.files.geometry == "cbs_wijkkaart_2023_hengelo.geojson"
    annex = Annex(settings, YEAR)
    section = annex.section("politie")
    keys = [item.key for item in section.figures]
    assert keys == ["politie_kaart", "politie_groep"]
    item = section.figures[0]
    labels = sorted(p.get_label() for p in item.figure.axes[0].patches)
    assert labels == [f"WK01640{i}" for i in range(10)]  # one polygon per wijk
    assert item.alt_text.startswith("Kaart van de 10 wijken van Hengelo")
    assert "Binnenstad" in item.alt_text  # the demo's highest crime rate
    maps = annex.section("wijkoverzicht").figure("wijkkaarten")
    assert len([ax for ax in maps.axes if ax.patches]) == 3
    assert "Onveiligheid buurt: laagste" in maps.alt_text
    bare = Annex(settings.replace(files=dataclasses.replace(settings.files, geometry=None)),
                 YEAR)
    assert [i.key for i in bare.section("politie").figures] == ["politie_totaal",
                                                                "politie_groep"]
    assert bare.section("wijkoverzicht").figures == []


def _comparison_sentence(page: str) -> str:
    """The 'vergeleken met ...' phrase a page states (text, tags stripped)."""
    text = re.sub(r"<[^>]+>", " ", page)
    found = set(re.findall(r"vergeleken met [^.;]+; benchmark [0-9]+ en [0-9]+", text))
    assert len(found) == 1, found
    return found.pop()


def test_comparison_years_come_from_the_settings_alone(demo_copy):
    from ivb_analysis.annex import comparison_years

    settings = load_settings(demo_copy(years=(2012, 2013, 2014, 2015)))
    bench = (2012, 2013, 2014, 2015, 2017)
    plain = comparison_years(settings, 2015, bench)
    assert (plain.previous, plain.reference, plain.benchmark) == (2014, None, (2014, 2015))
    fixed = comparison_years(settings.replace(reference_year=2013), 2015, bench)
    assert (fixed.previous, fixed.reference, fixed.benchmark) == (2014, 2013, (2013, 2015))
    assert fixed.sentence() == ("vergeleken met 2014 (vorige meting) en 2013 (referentiejaar); "
                                "benchmark 2013 en 2015")
    # the reference year is the previous wave: one comparison; the year itself: none
    assert comparison_years(settings.replace(reference_year=2014), 2015, bench).waves == (2014,)
    assert comparison_years(settings.replace(reference_year=2013), 2013, bench).waves == (2012,)
    # named benchmark waves win over the file's years; a year without benchmark has none
    named = settings.replace(benchmark_waves=(2013, 2015))
    assert comparison_years(named, 2015, bench).benchmark == (2013, 2015)
    assert comparison_years(named, 2014, bench).benchmark == ()
    with pytest.raises(InputError, match="reference_year"):  # refused by the settings already
        comparison_years(settings.replace(reference_year=2011), 2015, bench)


def test_the_demo_findings_state_what_the_seed_says(delivery):
    """2015 against reference year 2013: the Binnenstad's rise in both rapportcijfers, less
    sociale overlast, and a worsening position against the G32 (the seed's conclusions)."""
    from ivb_analysis.annex.sections import hoofdlijnen

    annex = Annex(load_settings(delivery).replace(reference_year=2013), YEAR)
    lines, focus, block = hoofdlijnen.collect(annex)
    texts = [line.text for line in lines]
    assert texts[0] == ("Inwoners geven in 2015 een 7,5 voor leefbaarheid en een 7,3 voor "
                        "veiligheid; 17% voelt zich vaak of soms onveilig in de buurt.")
    footprint_count = len(annex.catalogue.footprint)
    assert (f"T.o.v. de G32 scoort Hengelo in 2015 op 0 van de {footprint_count} indicatoren "
            f"beter, op {footprint_count} gelijk en op 0 slechter.") in texts
    assert any(t.startswith("Positie ten opzichte van de G32 verslechtert (2013–2015): 6 "
                            "indicatoren ontwikkelen zich significant slechter") for t in texts)
    assert any(t.startswith("De politie registreerde in 2015 62,2 misdrijven per 1.000 "
                            "inwoners, tegen 78,6 in de G32: plaats 29 van 32") for t in texts)
    # every other indicator of the gemeente tables stayed level (a count, derived not typed)
    tested = hoofdlijnen._changes(annex, hoofdlijnen.comparable_base(annex))[0]
    assert len(tested) > 20 and (tested["verdict_polarity"] == "beter").sum() == 1
    assert ("Heel Hengelo, vergeleken met 2013: sociale overlast gedaald van 1,8 naar 1,3 "
            f"(beter). Gelijk gebleven: {len(tested) - 1} indicatoren.") in texts
    attention = next(t for t in texts if t.startswith("Wijken die aandacht vragen"))
    assert "Berflo Es (8: leefbaarheid, veiligheid, overlast totaal" in attention
    # every judgement names its Benjamini-Hochberg family; registrations are not tested
    for line in lines:
        assert line.family or "geen toets" in line.text or line.kind == "niveau", line.text
    assert focus == "Binnenstad"
    focus_texts = " ".join(b.text for b in block)
    assert ("leefbaarheid gestegen van 7,0 naar 7,4 (beter); veiligheid gestegen van 6,5 naar "
            "7,1 (beter)") in focus_texts
    assert "overlast totaal (64% tegen 38%)" in focus_texts
    assert "de bezoekers niet als inwoner: dit overschat het risico" in focus_texts
    # every linked row exists in the page
    page = annex_html(annex, annex.sections())
    for line in [*lines, *block]:
        if line.anchor:
            assert f'<tr id="{line.anchor}">' in page, line.anchor


def test_key_findings_after_the_break_compare_with_the_first_wave_after_it(demo_copy):
    """Issue 21: 2023 is compared with 2021 (not with the reference year 2013 across the
    break) and says so; 2021 itself has no comparable earlier wave and says that."""
    from ivb_analysis.annex.sections import hoofdlijnen

    raw = demo_copy(years=(2013, 2021, 2023))
    settings = load_settings(raw).replace(reference_year=2013)
    later = Annex(settings, 2023)
    lines, focus, block = hoofdlijnen.collect(later)
    change = next(x for x in lines if x.text.startswith("Heel Hengelo"))
    assert change.text.startswith("Heel Hengelo, vergeleken met 2021, de eerste meting na de "
                                  "methodebreuk van 2021:")
    assert change.family == "BH per tabel (kerncijfers en slachtofferschap), verschil met 2021"
    assert len(lines) >= 5 and focus == "Binnenstad"
    assert any(b.text.startswith("Vergeleken met 2021, de eerste meting na de methodebreuk")
               for b in block)
    first = Annex(settings, 2021)
    lines, _, _ = hoofdlijnen.collect(first)
    assert ("Geen vergelijking in de tijd: 2021 is de eerste meting na de methodebreuk van "
            "2021: er is nog geen vergelijkbare eerdere meting.") in [x.text for x in lines]
    assert len(lines) >= 4  # level, position, crime, wijken: never empty after a break


@pytest.mark.slow
def test_a_notebook_page_and_the_annex_state_the_same_comparison_years(demo_copy, tmp_path):
    from ivb_analysis.run import run

    raw = demo_copy(years=(2013, 2014, YEAR))
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "staat_van_de_stad.ipynb", notebooks)
    settings = load_settings(raw, output_dir=tmp_path / "uit").replace(reference_year=2013)
    summary = run(settings, notebooks, years=[YEAR], jobs=1, progress=False,
                  parameters={"base_year": 2013})
    assert not summary.failed
    out = tmp_path / "uit" / str(YEAR)
    notebook = _comparison_sentence((out / "staat_van_de_stad.html").read_text("utf-8"))
    annex = _comparison_sentence((out / "bijlage.html").read_text("utf-8"))
    assert notebook == annex == ("vergeleken met 2014 (vorige meting) en 2013 "
                                 "(referentiejaar); benchmark 2013 en 2015")


def test_method_notes_match_their_tables_across_the_break(demo_copy):
    """2021 against 2019 spans the break: the note says so and claims no test; 2023 against
    2021 does not; the wide trend table marks the break between 2019 and 2021."""
    settings = load_settings(demo_copy(years=(2017, 2019, 2021, 2023)))
    first = Annex(settings, 2021).section("kerncijfers").table()
    assert set(first.data["judgement_2019"]) == {"niet getoetst (methodebreuk)"}
    assert first.note == ("Met 2019 is niet getoetst: de Veiligheidsmonitor is in 2021 "
                          "vernieuwd (methodebreuk).")
    annex = Annex(settings, 2023)
    table = annex.section("kerncijfers").table()
    assert table.note.startswith("Verschil met 2021 getoetst op 5% ")
    assert "methodebreuk" not in table.note
    wide = annex.section("trends").table("trends")
    headers = list(wide.for_readers().columns)
    assert headers[headers.index("2019") + 1] == "┃" and headers[-1] == "2023"
    assert any(p.startswith("Methodebreuk: vanaf 2021") for p in annex.method_note())
    # a 2017 annex of the same delivery has no wave after the break: no break note at all
    early = Annex(settings, 2019)
    assert not any("Methodebreuk" in p for p in early.method_note())
    assert "┃" not in early.section("trends").table("trends").for_readers().columns


def test_indicators_not_in_the_delivery_say_so_everywhere(delivery):
    """Contract 4: an indicator the delivery lacks (no survey rows, status 'niet in deze
    levering') appears as such in tables and footprint, and counts leave it out."""
    annex = Annex(load_settings(delivery).replace(reference_year=2013), YEAR)
    annex.__dict__["long"] = annex.long[annex.long["indicator"] != "sociale_cohesie"]
    annex.__dict__["indicator_status"] = {"sociale_cohesie": "niet in deze levering"}
    table = annex.section("kerncijfers").table()
    row = table.data.set_index("indicator").loc["sociale_cohesie"]
    assert row["remark"] == "niet in deze levering" and pd.isna(row["estimate"])
    footprint = annex.section("footprint").table().data.set_index("indicator")
    assert footprint.loc["sociale_cohesie", "judgement_2015"] == "niet in deze levering"
    assert "Niet in deze levering: Sociale cohesie." in annex.section("footprint").table().note
    assert wijk.build_for(annex, "sociale_cohesie") is None
    assert "niet in deze levering" in annex.skipped["wijk_sociale_cohesie"]
    assert "sociale_cohesie" not in set(annex.section("wijkoverzicht").table().data["indicator"])
    from ivb_analysis.annex.sections import hoofdlijnen

    lines, _, _ = hoofdlijnen.collect(annex)
    assert any("op 0 van de 18 indicatoren beter" in line.text for line in lines)


def test_an_earlier_wave_below_min_n_is_not_shown_beside_a_later_one(tmp_path):
    """In the mini delivery Buitengebied has 48 respondents in 2013 (suppressed) and 50 in
    2015 (shown): its 2013 value (and the difference) must not appear beside the 2015 row."""
    data_dir = tmp_path / "raw" / "mini"
    shutil.copytree(ROOT / "data" / "raw" / "mini", data_dir)
    annex = Annex(load_settings(data_dir), YEAR)
    history = annex.wijk_history
    small = history[(history["wijk_code"] == "WK016409")
                    & (history["indicator"] == "rapportcijfer_leefbaarheid")].set_index("year")
    assert list(small["n"]) == [48, 50] and list(small["suppressed"]) == [True, False]
    table = wijk.build_for(annex, "rapportcijfer_leefbaarheid").table()
    row = table.data.set_index("wijk_code").loc["WK016409"]
    assert pd.isna(row["estimate_2013"]) and pd.isna(row["difference_2013"])
    assert row["judgement_2013"] == "niet getoetst (te weinig waarnemingen)"
    assert table.for_readers().set_index("Wijk").loc["Buitengebied", "Waarde 2013"] == ""


def test_items_show_each_statement_per_wave_with_its_test(delivery):
    """Issue 11 item 4: the five fysieke-voorzieningen and five cohesie statements as '%
    (helemaal) eens' per wave, tested against the earlier wave, with a figure per scale; the
    reversed statement counts lower-is-better; none of them is in the footprint or the
    trends."""
    annex = Annex(load_settings(delivery), YEAR)
    section = annex.section("items")
    keys = [t.key for t in section.tables]
    assert keys == ["items", "items_sociale_cohesie", "items_fysieke_voorzieningen"]
    assert [f.key for f in section.figures] == keys[1:]
    cohesie = section.table("items_sociale_cohesie")
    data = cohesie.data.set_index("indicator")
    assert list(data.index) == ["coh_kennen_eens", "coh_omgang_eens", "coh_thuis_eens",
                                "coh_gezellig_eens", "coh_contact_eens"]
    assert data.loc["coh_kennen_eens", "label"] == \
        "De mensen kennen elkaar in deze buurt nauwelijks"
    assert annex.polarity["coh_kennen_eens"] == -1 and annex.polarity["coh_thuis_eens"] == 1
    # the share is the weighted share answering 1 or 2 on the single item (hand-computed)
    long = annex.long
    one = long[(long["year"] == YEAR) & (long["indicator"] == "fv_verlichting_eens")
               & long["value"].notna()]
    expected = 100 * (one["value"] * one["weight"]).sum() / one["weight"].sum()
    fv = section.table("items_fysieke_voorzieningen").data.set_index("indicator")
    assert fv.loc["fv_verlichting_eens", "estimate"] == pytest.approx(expected)
    assert set(fv["judgement_2013"]) <= {"beter", "gelijk", "slechter"}
    assert {"estimate_2013", "p_adjusted_2013"} <= set(fv.columns)
    headers = list(cohesie.for_readers().columns)
    assert headers[:2] == ["Stelling", f"Waarde {YEAR}"] and f"{YEAR} t.o.v. 2013" in headers
    assert "lager percentage gunstig" in cohesie.note
    items = {i.id for i in annex.catalogue.indicators.values() if i.item_of}
    assert items and not items & {i.id for i in annex.catalogue.footprint}
    trends = annex.section("trends").table("trends").data
    assert not items & set(trends["indicator"])


def test_police_section_one_rate_no_empty_years_poisson_margins_and_reasons(demo_copy):
    """Issue 18.7 / 21.4: one row per wijk plus the gemeente (not 90 rows), no column for a
    year without data, a Poisson margin instead of a percentage below 30 registrations, the
    visitors caveat, and the reason when the group comparison is missing."""
    from ivb_analysis.annex.sections import politie

    # R: poisson.test(15)$conf.int = 8.395386 24.740219 (exact, Garwood)
    low, high = politie.poisson_interval(15, 1000)
    assert low == pytest.approx(8.395386, abs=1e-6) and high == pytest.approx(24.740219, abs=1e-6)
    assert politie.poisson_interval(0, 1000)[0] == 0.0
    raw = demo_copy(years=(2012, 2013, 2015))
    annex = Annex(load_settings(raw), 2012)
    table = annex.section("politie").table("politie")
    shown = table.for_readers()
    assert len(shown) == 11 and shown["Wijk"].iloc[0] == "Heel Hengelo (som van de wijken)"
    assert "Misdrijven 2012" in shown.columns and "Misdrijven 2011" not in shown.columns
    assert "Verandering" not in shown.columns  # no 2011 registrations in the delivery
    assert "visitors" not in table.note and "bezoekers" in table.note
    small = table.data[(table.data["count"] < 30) & table.data["population"].notna()]
    assert len(small) and small["ci_low"].notna().all()
    # 2015: the year before exists, so the change column is there (Buitengebied: 40 -> 25)
    later_table = Annex(load_settings(raw), 2015).section("politie").table("politie")
    later = later_table.for_readers()
    assert {"Misdrijven 2014", "Verandering"} <= set(later.columns)
    wide = later_table.shown
    few = wide[(wide["count_total"] < 30) | (wide["previous_total"] < 30)]
    assert len(few) and (few["change_total"] == "").all()  # no "+60%" on 25 registrations
    assert (wide.loc[wide["count_total"] >= 30, "change_total"].str.endswith("%")).any()
    # without the group files the section says why there is no comparison
    settings = load_settings(raw)
    bare = Annex(settings.replace(files=dataclasses.replace(settings.files, group_crime=None)),
                 2013)
    assert "Geen vergelijking met de G32: de levering heeft geen misdrijf" in \
        bare.section("politie").text


def test_a_wijk_only_in_the_police_file_takes_its_name_from_it(demo_copy):
    """Issue 18.7: a wijk the survey's wijk list lacks (here: added to the police file only)
    is named in the police table by the police file's own label, not shown as a bare code."""
    raw = demo_copy(years=(2013, YEAR))
    police = raw / "politie_47018NED_wijken_SYNTHETISCH.csv"
    lines = police.read_text(encoding="utf-8").splitlines()
    new = '"WK016499  ","Wijk 99 Havenkwartier"'
    extra = [line.replace('"WK016400  ","Wijk 00 Binnenstad"', new) for line in lines[1:]
             if '"WK016400  "' in line and f'"{YEAR}JJ00"' in line]
    assert extra  # the Binnenstad's rows of the year, copied under a new code
    police.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    section = Annex(load_settings(raw), YEAR).section("politie")
    data = section.table("politie").data
    assert set(data.loc[data["wijk_code"] == "WK016499", "wijk_naam"]) == {"Havenkwartier"}
