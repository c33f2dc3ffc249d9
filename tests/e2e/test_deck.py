"""The deck (presentatie_<year>.pptx) on the committed mini delivery: read back with python-pptx,
every number in it is a number of the annex's own sections, every picture has alt text, every
slide a title and the synthetic-data label, the gemeente's template is applied, `ivb check` names
a layout a template lacks, and a rerun (in another process) gives the same bytes."""

from __future__ import annotations

import dataclasses
import html
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pptx import Presentation
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT

from ivb_analysis import export, style
from ivb_analysis.annex import Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.annex.sections import hoofdlijnen
from ivb_analysis.check import check_delivery
from ivb_analysis.config import load_settings
from ivb_analysis.deck import deck_bytes, render, story, template_findings, wijken
from ivb_analysis.deck.model import Block, Slide
from ivb_analysis.deck.render import EMU_PER_PT, LINE, Renderer, fit_size
from ivb_analysis.deck.story import storyline
from ivb_analysis.deck.template import open_template
from ivb_analysis.prepare import prepare
from ivb_analysis.tables import AnnexTable, Column, format_cell, format_interval, format_value
from tests.conftest import ROOT
from tests.fixtures.deck import make_template

YEAR = 2015
MINI = ROOT / "data" / "raw" / "mini"
FIXTURE = make_template.TARGET
NUMBER = re.compile(r"(?<![\w.,])[−+-]?\d(?:[\d.]*\d)?(?:,\d+)?%?")
VERDICTS = {"beter", "slechter", "gelijk", "hoger", "lager"}


@pytest.fixture(scope="module")
def delivery(tmp_path_factory) -> Path:
    """The mini delivery with the fixture template named in its ivb.yaml."""
    target = tmp_path_factory.mktemp("deck") / "raw" / "levering"
    shutil.copytree(MINI, target)
    shutil.copy(FIXTURE, target / "huisstijl.potx")
    config = yaml.safe_load((target / "ivb.yaml").read_text(encoding="utf-8"))
    config["files"]["deck_template"] = "huisstijl.potx"
    (target / "ivb.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def built(delivery, tmp_path_factory):
    """The annex's sections, the deck in the template and in the house style, and the same
    deck made in a fresh process with another hash seed."""
    settings = load_settings(delivery)
    prepare(settings)
    other_file = tmp_path_factory.mktemp("ander") / "deck.pptx"
    code = ("import sys; from pathlib import Path; from ivb_analysis.config import load_settings; "
            "from ivb_analysis.annex import Annex; from ivb_analysis.deck import deck_bytes; "
            "a = Annex(load_settings(sys.argv[1]), int(sys.argv[2])); "
            "Path(sys.argv[3]).write_bytes(deck_bytes(a, a.sections()))")
    env = {**os.environ, "PYTHONHASHSEED": "4321"}
    other = subprocess.Popen([sys.executable, "-c", code, str(delivery), str(YEAR),
                              str(other_file)], env=env, cwd=ROOT)
    try:
        annex = Annex(settings, YEAR)
        sections = annex.sections()
        template, specs = _made(annex, sections, house_style=False)
        house, house_specs = _made(annex, sections, house_style=True)
    finally:
        assert other.wait(timeout=600) == 0
    return annex, sections, template, house, other_file.read_bytes(), specs, house_specs


def _made(annex: Annex, sections: list[Section], *, house_style: bool):
    """The deck's bytes (as `deck_bytes` writes them) and the slides as made."""
    deck, specs = render(annex, sections, house_style=house_style)
    buffer = io.BytesIO()
    deck.save(buffer)
    return export.normalize_zip(buffer.getvalue()), specs


def _open(data: bytes):
    return Presentation(io.BytesIO(data))


def _texts(slide) -> list[str]:
    """Every text on a slide: text frames and table cells, in shape order."""
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if getattr(shape, "has_table", False) and shape.has_table:
            out += [cell.text for row in shape.table.rows for cell in row.cells]
    return out


def _numbers(texts) -> set[str]:
    return {m.group(0).lstrip("+") for t in texts for m in NUMBER.finditer(str(t))}


def _section_numbers(section: Section) -> set[str]:
    """Every number the annex shows or holds for a section: its tables as readers see them
    (cells, headers, title, note, source), their tidy values in every reader's format, its
    texts and its figures' captions and alt texts."""
    texts = [section.title, section.text, section.html]
    for item in section.figures:
        texts += [item.title, item.alt_text]
    for table in section.tables:
        reader = table.for_readers()
        texts += [table.title, table.note, table.source, *reader.columns]
        texts += [str(v) for v in reader.to_numpy().ravel()]
        for data in (table.shown, table.data):  # the reader's frame and the tidy rows
            texts += _formatted(data)
    return _numbers(texts)


def _formatted(data: pd.DataFrame) -> list[str]:
    """Every numeric value of a table's frame in every reader's format, and its intervals."""
    texts = []
    kinds = data["kind"] if "kind" in data.columns else pd.Series("", index=data.index)
    for column in data.columns:
        if not pd.api.types.is_numeric_dtype(data[column]):
            continue
        for value, kind in zip(data[column], kinds, strict=True):
            if pd.isna(value):
                continue
            texts += [format_value(float(value), str(kind)),
                      *(format_cell(value, f) for f in ("integer", "decimal1", "pvalue"))]
    if {"ci_low", "ci_high", "kind"} <= set(data.columns):
        texts += [format_interval(lo, hi, k) for lo, hi, k in
                  zip(data["ci_low"], data["ci_high"], data["kind"], strict=True)]
    return texts


def _verdict_counts(section: Section) -> set[str]:
    """The counts a title may state: how many rows of a table carry each verdict, and rows."""
    out = set()
    for table in section.tables:
        for column in table.shown.columns:
            values = table.shown[column]
            if values.dtype == object and values.isin(VERDICTS).any():
                out |= {str(int((values == v).sum())) for v in VERDICTS}
                out.add(str(len(values)))
    return out


def _general_numbers(annex: Annex) -> set[str]:
    s = annex.settings
    return _numbers([annex.comparison.sentence(), *annex.method_note(), annex.source(),
                     *map(str, s.years), str(s.min_n), str(s.indicatief_n), "95%"])


def test_every_number_in_the_deck_is_a_number_of_the_annex(built):
    annex, sections, template, _, _, specs, _ = built
    by_key = {s.key: s for s in sections}
    deck = _open(template)
    assert len(deck.slides) == len(specs)
    general = _general_numbers(annex)
    checked = 0
    for slide, spec in zip(deck.slides, specs, strict=True):
        section = by_key.get(spec.section)
        known = general | (_section_numbers(section) if section is not None else set())
        notes = slide.notes_slide.notes_text_frame.text
        body = [t for t in _texts(slide) if t != slide.shapes.title.text_frame.text]
        found = _numbers([*body, notes])
        assert found - known == set(), (spec.title, sorted(found - known))
        counts = _verdict_counts(section) if section is not None else set()
        title = _numbers([slide.shapes.title.text_frame.text])
        assert title - known - counts == set(), (spec.title, sorted(title - known - counts))
        checked += len(found) + len(title)
    assert checked > 300


def test_table_slides_show_the_annex_rows_cell_for_cell(built):
    _, sections, template, _, _, specs, _ = built
    by_key = {s.key: s for s in sections}
    deck = _open(template)
    rows_seen = 0
    for slide, spec in zip(deck.slides, specs, strict=True):
        tables = [s for s in slide.shapes if s.has_table]
        if spec.kind != "tabel":
            continue
        reader = by_key[spec.section].table(spec.table_key or None).for_readers()
        shown = [[c.text for c in row.cells] for row in tables[0].table.rows]
        header, body = shown[0], shown[1:]
        assert header[0] == reader.columns[0]  # rows keyed by the table's first column
        for row in body:
            match = reader[reader[header[0]] == row[0]]
            assert len(match) == 1, row[0]
            for heading, cell in zip(header[1:], row[1:], strict=True):
                assert match[heading].iloc[0] == cell, (row[0], heading)
            rows_seen += 1
        assert all(len(marks) == len(header) for marks in spec.verdicts)
    footprint = [s for s in specs if s.section == "footprint"]
    assert len(footprint) == 3  # the seed's three build-up steps
    footprint_rows = len(by_key["footprint"].table().shown)
    assert footprint_rows and rows_seen >= 3 * footprint_rows


def test_the_storyline_follows_the_seed(built):
    """Every topic of the seed's slides, in the seed's order, and nothing left out."""
    annex, sections, _, _, _, specs, _ = built
    by_key = {s.key: s for s in sections}
    keys = [s.section for s in specs]
    assert keys[:3] == ["", "", "hoofdlijnen"]
    # the answer slide: every page-one line of the section, as the annex shows it
    lines, focus, block = hoofdlijnen.collect(annex)
    assert specs[2].blocks[0].lines == [f.text for f in lines]
    assert all(html.escape(f.text) in by_key["hoofdlijnen"].html for f in [*lines, *block])
    # Positief / Maar: the whole gemeente, then the focus wijk (the seed's Binnenstad)
    columns = [s for s in specs if s.kind == "kolommen"]
    assert keys[3:3 + len(columns)] == ["hoofdlijnen"] * len(columns)
    assert [s.title.split(":")[0] for s in columns] == [f"Heel {annex.gemeente}", focus]
    gemeente, wijk = ([b.lines for b in s.blocks] for s in columns)
    assert [b.heading for b in columns[0].blocks] == ["Positief", "Maar:"]
    assert {f.text for f in lines if f.kind == "positief"} <= set(gemeente[0])
    assert {f.text for f in lines if f.kind == "aandachtspunt"} <= set(gemeente[1])
    assert not set(gemeente[0]) & set(gemeente[1])
    # the focus wijk's points are its tested verdicts in the wijk tables
    overview = by_key["wijkoverzicht"].table().data
    mine = overview[overview["wijk_naam"] == focus]
    worse = [w.lower().removeprefix("rapportcijfer ")  # page one's short labels
             for w in mine.loc[mine["verdict_polarity"] == "slechter", "label"]]
    assert worse and all(any(w in line for line in wijk[1]) for w in worse)
    base = annex.comparison.main
    better = [t.shown["label"].iloc[0].lower().removeprefix("rapportcijfer ")
              for t in by_key["wijktabellen"].tables
              if (t.shown.loc[t.shown["wijk_naam"] == focus, f"verdict_{base}"] == "beter").any()]
    assert len(wijk[0]) == len(better) and all(
        b in line and "(beter)" in line for b, line in zip(better, wijk[0], strict=True))
    # the wijken: the map of the key indicators, then the matrix of those indicators
    section = by_key["wijkoverzicht"]
    wijk_specs = [s for s in specs if s.section in ("wijkoverzicht", "wijktabellen")]
    assert section.figures and [(s.kind, s.figure) for s in wijk_specs] == [
        ("figuur", section.figures[0]), ("tabel", None)]
    key = wijken.key_indicators(annex, section)
    headers = {c.name: c.header for c in section.table().columns}
    assert key and wijk_specs[1].table[0] == ["Wijk", *(headers[i] for i in key)]
    assert len(wijk_specs[1].table) == len(section.table().shown) + 1  # heel gemeente + wijken
    standing = overview[overview["indicator"].isin(key)
                        & (overview["verdict_polarity"] == "slechter")]["wijk_naam"].unique()
    assert len(standing) and (all(n in wijk_specs[0].title for n in standing)
                              if len(standing) <= 2 else
                              wijk_specs[0].title.split(": ")[1].startswith("o.a. "))
    order = ["hoofdlijnen", "kerncijfers", "trends", "slachtofferschap", "wijkoverzicht",
             "footprint", "politie", "veiligheidshuis", "items"]
    firsts = [keys.index(k) for k in order]
    assert firsts == sorted(firsts)
    core = by_key["kerncijfers"].table().shown
    themes = {annex.catalogue[i].theme for i in core.loc[core["estimate"].notna(), "indicator"]}
    items = [t for t in by_key["items"].tables if t.key.startswith("items_")]
    counts = {k: keys.count(k) for k in ("kerncijfers", "trends", "footprint", "politie",
                                         "veiligheidshuis", "items")}
    assert counts == {"kerncijfers": len(themes & {t for t, _ in story.THEME_SLIDES}),
                      "trends": 2,  # overlast per kind, the gemeente's inzet
                      "footprint": 3,  # the seed's three build-up steps
                      "politie": 2,  # against the group, per wijk
                      "veiligheidshuis": 1, "items": len(items)}
    assert specs[-1].title.startswith("Zo is gerekend") and keys[-1] == ""
    assert not any("Niet in deze presentatie" in n for n in specs[-1].notes)


def test_the_police_slides_read_the_new_tables(built):
    """Police: the gemeente's rate against the group (this year's row of the group table) and
    the wijken ranked by rate, the gemeente's own row first."""
    annex, sections, _, _, _, specs, _ = built
    section = next(s for s in sections if s.key == "politie")
    police = [s for s in specs if s.section == "politie"]
    group = section.table("politie_groep").for_readers()
    this = group[group["Jaar"] == str(annex.year)].iloc[0]
    assert police[0].title == (f"{annex.gemeente}: {this[annex.gemeente]} misdrijven per 1.000 "
                               f"inwoners, G32 (gemiddelde) {this['G32 (gemiddelde)']} "
                               f"({annex.year})")
    wijk = section.table("politie")
    reader, shown = wijk.for_readers(), wijk.shown.reset_index(drop=True)
    ranked = shown[shown["wijk_code"] != annex.settings.gemeente_code].dropna(
        subset=["rate_total"]).sort_values("rate_total", ascending=False, kind="stable")
    expected = [f"{reader['Wijk'].iloc[k]}: {reader['Per 1.000 inwoners'].iloc[k]} per 1.000 "
                f"({reader[f'Misdrijven {annex.year}'].iloc[k]} misdrijven)"
                for k in [0, *ranked.index]]
    assert police[1].blocks[0].lines == expected
    assert police[1].title.endswith(f"in {reader['Wijk'].iloc[ranked.index[0]]}")


def test_footprint_titles_count_the_annex_verdicts(built):
    annex, sections, _, _, _, specs, _ = built
    table = next(s for s in sections if s.key == "footprint").table().shown
    titles = [s.title for s in specs if s.section == "footprint"]
    first, last = annex.comparison.benchmark
    beter = int((table[f"position_{first}"] == "beter").sum())
    assert f"Footprint {first}: beter dan de G32 op {beter}," in titles[0]
    assert titles[1].startswith(f"Footprint {last}: beter dan de G32 op "
                                f"{int((table[f'position_{last}'] == 'beter').sum())},")
    worse = int((table["development"] == "slechter").sum())
    assert f"slechter op {worse}," in titles[2]
    assert f"van {len(table)} indicatoren" in titles[2]


def test_every_picture_has_alt_text_every_slide_a_title_and_the_label(built):
    _, _, template, house, _, template_specs, house_specs = built
    for data, specs in ((template, template_specs), (house, house_specs)):
        pictures = 0
        for slide, spec in zip(_open(data).slides, specs, strict=True):
            shapes = list(slide.shapes)
            assert slide.shapes.title is not None and slide.shapes.title.text_frame.text.strip()
            assert shapes[0] == slide.shapes.title  # reading order: the title first
            assert style.SYNTHETIC_LABEL in shapes[-1].text_frame.text  # the label last
            runs = [r for s in shapes if s.has_text_frame for p in s.text_frame.paragraphs
                    for r in p.runs]
            assert runs and all(r.font.language_id == MSO_LANGUAGE_ID.DUTCH for r in runs)
            for shape in shapes:
                if shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
                    descr = shape._element.nvPicPr.cNvPr.get("descr")
                    assert descr and descr == spec.figure.alt_text
                    pictures += 1
        assert pictures == sum(spec.figure is not None for spec in specs)
        assert {s.section for s in specs if s.figure is not None} == {
            "trends", "slachtofferschap", "wijkoverzicht", "politie", "veiligheidshuis", "items"}


def test_every_text_fits_its_box(built):
    """At the size set on its runs, every text passes the same fit rule that chose the size
    (nothing fell back to a size at which it does not fit)."""
    _, _, template, house, _, _, _ = built
    for data in (template, house):
        for slide in _open(data).slides:
            for shape in slide.shapes:
                if not shape.has_text_frame or not shape.text_frame.text:
                    continue
                paragraphs = [p for p in shape.text_frame.paragraphs if p.runs]
                size = max(r.font.size.pt for p in paragraphs for r in p.runs)
                texts = [p.text for p in paragraphs]
                assert fit_size(texts, shape.width, shape.height, (int(size), int(size))), \
                    texts[0][:60]
                assert size * LINE * EMU_PER_PT < shape.height


def test_the_template_is_applied(built):
    _, _, template, house, _, _, _ = built
    deck = _open(template)
    names = set(make_template.LAYOUT_NAMES.values())
    assert {s.slide_layout.name for s in deck.slides} <= names
    assert {"Titeldia", "Alleen titel"} <= {s.slide_layout.name for s in deck.slides}
    theme = deck.slide_master.part.part_related_by(RT.THEME).blob.decode()
    assert f'<a:majorFont><a:latin typeface="{make_template.MAJOR_FONT}"' in theme
    assert f'<a:minorFont><a:latin typeface="{make_template.MINOR_FONT}"' in theme
    for slot, colour in make_template.COLOURS.items():
        assert f'<a:{slot}><a:srgbClr val="{colour}"/>' in theme
    logo = [s for s in deck.slide_master.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert [s.name for s in logo] == [make_template.LOGO_NAME]
    # no typeface set on any text: the template's theme fonts apply everywhere
    for slide in deck.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [c.text_frame for row in shape.table.rows for c in row.cells]
            assert all(r.font.name is None for f in frames for p in f.paragraphs
                       for r in p.runs)
    plain = _open(house)
    assert {s.slide_layout.name for s in plain.slides} <= {
        "Title Slide", "Title and Content", "Two Content", "Title Only"}
    assert plain.slide_width > plain.slide_height * 1.7  # 16:9
    assert 'typeface="Calibri"' in plain.slide_master.part.part_related_by(RT.THEME).blob.decode()


def test_rerun_gives_identical_bytes(built):
    annex, sections, template, _, other, _, _ = built
    assert template == other  # another process, another hash seed
    assert deck_bytes(annex, sections) == template
    deck = _open(template)
    assert deck.core_properties.modified.year == 2000
    assert deck.core_properties.title == f"Waar staat Hengelo? Veiligheidsanalyse {YEAR}"


def test_check_names_the_layouts_a_template_lacks(built, delivery):
    annex, sections, *_ = built
    deck = Presentation(io.BytesIO(_as_pptx(FIXTURE.read_bytes())))
    for layout in list(deck.slide_layouts):
        if layout.name in ("Alleen titel", "Leeg"):
            deck.slide_layouts.remove(layout)
    deck.save(delivery / "kaal.pptx")
    settings = load_settings(delivery)
    lacking = dataclasses.replace(settings, files=dataclasses.replace(
        settings.files, deck_template="kaal.pptx"))
    findings = template_findings(lacking)
    assert findings == [("waarschuwing", "sjabloon kaal.pptx mist de opmaak 'alleen titel "
                         "(titel zonder inhoudsvak)' (op naam of op tekstvakken); de presentatie "
                         "valt daar terug op een eenvoudiger opmaak")]
    assert template_findings(settings) == [
        ("info", "sjabloon huisstijl.potx: alle opmaken voor de presentatie gevonden")]
    report = check_delivery(lacking)
    assert [f.text for f in report.findings if f.topic == "sjabloon"] == [findings[0][1]]
    # the deck is still made, on the layouts the template has
    annex.settings = lacking
    try:
        fallback = _open(deck_bytes(annex, sections))
    finally:
        annex.settings = settings
    assert "Alleen titel" not in {s.slide_layout.name for s in fallback.slides}
    assert all(s.shapes.title is not None for s in fallback.slides)


def test_a_template_outside_the_delivery_or_missing_is_an_error(delivery):
    settings = load_settings(delivery)
    for name in ("../buiten.potx", "bestaat_niet.potx"):
        bad = dataclasses.replace(settings, files=dataclasses.replace(
            settings.files, deck_template=name))
        [(level, text)] = template_findings(bad)
        assert level == "fout"
        assert "deck_template" in text


def _as_pptx(data: bytes) -> bytes:
    from ivb_analysis.deck.template import _as_presentation

    return _as_presentation(data)


def test_a_section_of_another_shape_is_left_out_and_named(built):
    """A section whose table lacks what the deck reads (e.g. after a change of the annex)
    leaves out its slides, says so in the notes of the method slide, and stops nothing."""
    annex, sections, *_ = built
    other = AnnexTable("footprint", "Anders", pd.DataFrame({"a": [1]}), (Column("a", "A"),))
    changed = [Section("footprint", "Footprint", "", tables=[other])
               if s.key == "footprint" else s for s in sections]
    specs = storyline(annex, changed)
    assert "footprint" not in {s.section for s in specs}
    assert specs[-1].notes[-1].startswith("Niet in deze presentatie (de sectie heeft een andere "
                                          "vorm): footprint (")


def test_a_slide_too_full_is_split_and_every_part_fits():
    deck = open_template(None)
    renderer = Renderer(deck, "SYNTHETISCHE DEMODATA")
    lines = [f"Wijk {k}: een lange regel met een uitkomst en een oordeel, {k},{k}"
             for k in range(60)]
    renderer.add(Slide("Veel wijken", "tekst", blocks=[Block(None, lines)]))
    rows = [["Indicator", "Waarde"]] + [[f"Indicator {k}", f"{k},0"] for k in range(70)]
    renderer.add(Slide("Lange tabel", "tabel", table=rows, verdicts=[[None, None]] * 70))
    titles = [s.title for s in renderer.rendered]
    assert len(titles) >= 4 and titles[0] == "Veel wijken"
    assert "Veel wijken (vervolg)" in titles and "Lange tabel (vervolg)" in titles
    shown = [p.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
             for p in shape.text_frame.paragraphs]
    assert [line for line in shown if line.startswith("Wijk ")] == lines  # all, in order
    cells = [row.cells[0].text for slide in deck.slides for shape in slide.shapes
             if shape.has_table for row in shape.table.rows]
    assert [c for c in cells if c != "Indicator"] == [r[0] for r in rows[1:]]
    assert cells.count("Indicator") == sum(s.kind == "tabel" for s in renderer.rendered)


def test_the_first_wave_has_a_deck_without_comparisons(built, delivery):
    """2013, the mini delivery's first wave: no earlier wave, a footprint of one wave."""
    annex = Annex(load_settings(delivery), 2013)
    sections = annex.sections()
    deck, specs = render(annex, sections)
    assert [s.section for s in specs].count("footprint") == 1
    tables = [s for s in specs if s.section == "kerncijfers"]
    assert tables and all(s.table[0] == ["Indicator", "Waarde 2013"] for s in tables)
    assert all(s.shapes.title.text_frame.text for s in deck.slides)


def test_without_wijk_boundaries_the_wijken_are_ranked_per_key_indicator(built):
    """No map (a delivery without geometry): per key indicator of the overview a table of the
    wijken, highest first, its cells those of the appendix table."""
    annex, sections, *_ = built
    by_key = {s.key: s for s in sections}
    unmapped = [dataclasses.replace(s, figures=[]) if s.key == "wijkoverzicht" else s
                for s in sections]
    specs = [s for s in storyline(annex, unmapped)
             if s.section in ("wijkoverzicht", "wijktabellen")]
    key = wijken.key_indicators(annex, unmapped[[s.key for s in sections].index(
        "wijkoverzicht")])
    assert len(key) >= len(wijken.key_indicators(annex, by_key["wijkoverzicht"])) > 0
    assert [s.table_key for s in specs] == [f"wijk_{i}" for i in key]
    for spec, indicator in zip(specs, key, strict=True):
        table = by_key["wijktabellen"].table(f"wijk_{indicator}")
        reader = table.for_readers()
        ranked = table.shown.reset_index(drop=True).sort_values(
            "estimate", ascending=False, kind="stable").index
        assert [row[0] for row in spec.table[1:]] == reader["Wijk"].iloc[ranked].tolist()
        assert spec.table[0][:2] == ["Wijk", f"Waarde {annex.year}"]
        assert spec.title.startswith(annex.catalogue[indicator].label)
