"""The deck's storyline (the seed's working-session slides), built on the annex's sections.

Order: title; sources; the page-one answer; "Positief / Maar" per focus area (the gemeente, the
focus wijk); opinions, overlast, veiligheidsbeleving, slachtofferschap and the gemeente's inzet;
the wijken (map and matrix of the key indicators, else per key indicator the ranked wijken);
the footprint in three steps; police per 1.000 against the group and per wijk; casework; the
statements behind the scales; the method. A slide whose section is absent is left out.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ivb_analysis.annex import common
from ivb_analysis.annex.context import Annex
from ivb_analysis.annex.model import FigureItem, Section
from ivb_analysis.deck import answer
from ivb_analysis.deck.model import Block, Cells, Slide, estimate_note, table_notes
from ivb_analysis.deck.wijken import wijk_slides

#: The themes with a table slide, in the seed's order, and the slide's heading.
THEME_SLIDES = (
    ("leefbaarheid", "Mening over de buurt"),
    ("overlast", "Overlast in de buurt"),
    ("veiligheid", "Veiligheidsbeleving"),
    ("gemeente", "Inzet van de gemeente"),
)
#: At most this many names in a title; more are counted.
TITLE_NAMES = 2


def storyline(annex: Annex, sections: list[Section]) -> list[Slide]:
    """Every slide of the deck, in order. A part whose section lacks a table or column it reads
    (a section changed shape) is left out and named in the method slide's notes, so the deck
    never stops the annex."""
    by_key = {s.key: s for s in sections}
    skipped: list[str] = []

    def part(name: str, build: Callable[[], list[Slide]]) -> list[Slide]:
        try:
            return build()
        except KeyError as error:
            skipped.append(f"{name} ({error})")
            return []

    slides = [title_slide(annex), sources_slide(annex, sections)]
    head = by_key.get("hoofdlijnen")
    if head is not None:
        slides += part("hoofdlijnen", lambda: [
            answer.answer_slide(annex, head,
                                [f"Vergelijkingsjaren: {annex.comparison.sentence()}."]),
            *answer.theme_slides(annex, head)])
    slides += part("kerncijfers", lambda: theme_table_slides(annex, by_key))
    slides += part("wijkoverzicht", lambda: wijk_slides(annex, by_key))
    slides += part("footprint", lambda: footprint_slides(annex, by_key.get("footprint")))
    slides += part("politie", lambda: police_slides(annex, by_key.get("politie")))
    slides += part("veiligheidshuis",
                   lambda: casework_slides(annex, by_key.get("veiligheidshuis")))
    slides += part("stellingen", lambda: statement_slides(annex, by_key.get("items")))
    method = method_slide(annex)
    if skipped:
        method.notes.append("Niet in deze presentatie (de sectie heeft een andere vorm): "
                            + "; ".join(skipped) + ".")
    slides.append(method)
    return slides


# --- helpers -----------------------------------------------------------------------------------


def _names(labels: list[str]) -> str:
    return common.join([lab[:1].lower() + lab[1:] for lab in labels])


def verdict_title(heading: str, labels: list[str], verdicts: list[str], base: int | None,
                  year: int) -> str:
    """One message from tested verdicts: what got better or worse since `base`, else stable."""
    if base is None:
        return f"{heading} in {year}"
    better = [lab for lab, v in zip(labels, verdicts, strict=True) if v == "beter"]
    worse = [lab for lab, v in zip(labels, verdicts, strict=True) if v == "slechter"]
    if not better and not worse:
        if verdicts and all(v == "gelijk" for v in verdicts):
            return f"{heading}: stabiel sinds {base}"
        return f"{heading}: geen significante verandering sinds {base}"
    parts = []
    for names, word in ((better, "beter"), (worse, "slechter")):
        if names:
            subject = _names(names) if len(names) <= TITLE_NAMES else \
                f"{len(names)} indicatoren"
            parts.append(f"{subject} {word}")
    return f"{heading}: {' en '.join(parts)} dan in {base}"


def _figure(section: Section, prefix: str) -> FigureItem | None:
    return next((f for f in section.figures if f.key.startswith(prefix)), None)


def _verdict_column(cells: Cells, base: int | None) -> str | None:
    if base is None:
        return None
    name = f"verdict_{base}"
    return name if name in cells.shown.columns else None


# --- title, sources, method --------------------------------------------------------------------


def title_slide(annex: Annex) -> Slide:
    s = annex.settings
    return Slide(f"Waar staat {annex.gemeente}?", "titel",
                 subtitle=f"Veiligheidsanalyse {annex.year}: {s.source_label}, "
                          f"{annex.comparison.sentence()}",
                 notes=[f"Presentatie bij de bijlage 'Waar staat {annex.gemeente}?' "
                        f"{annex.year}. {annex.source()}."])


def sources_slide(annex: Annex, sections: list[Section]) -> Slide:
    """The sources, as the annex's tables name them (one line per source)."""
    kinds = {"kerncijfers": "enquête onder inwoners", "politie": "politiecijfers",
             "veiligheidshuis": "casuïstiek Veiligheidshuis",
             "footprint": f"benchmark {common.group_name(annex.settings)}"}
    lines, names = [], []
    for section in sections:
        if section.key in kinds and section.tables:
            name = kinds[section.key]
            names.append(name)
            source = section.tables[0].source.removeprefix("Bron: ")
            lines.append(f"{name[:1].upper()}{name[1:]}: {source}")
    title = f"Op basis van {common.join(names)}" if names else "Bronnen"
    return Slide(title, "tekst", blocks=[Block(None, lines)], notes=lines)


def method_slide(annex: Annex) -> Slide:
    """The method in plain Dutch; the annex's full method note in the speaker notes."""
    s = annex.settings
    lines = [
        "De antwoorden zijn gewogen, zodat ze de inwoners van de gemeente goed weergeven.",
        "Elk cijfer heeft een marge: de 95%-betrouwbaarheidsgrenzen staan in de notities "
        "en de bijlage.",
        f"Beter of slechter heet een verschil alleen als het getoetst is en niet op toeval lijkt "
        f"(op {common.alpha_text(s)}, gecorrigeerd voor het aantal toetsen); anders: stabiel.",
        f"Met minder dan {s.min_n} antwoorden tonen we geen cijfer; van {s.min_n} tot "
        f"{s.indicatief_n} is het indicatief.",
        f"Vergelijkingsjaren: {annex.comparison.sentence()}.",
        "Politiecijfers zijn registraties, geen steekproef. Er staan nooit gegevens van "
        "individuele inwoners in.",
    ]
    return Slide("Zo is gerekend: gewogen, getoetst, alleen groepen", "tekst",
                 blocks=[Block(None, lines)], notes=annex.method_note())


# --- themes from the key figures ---------------------------------------------------------------


def theme_table_slides(annex: Annex, by_key: dict[str, Section]) -> list[Slide]:
    """Per theme of THEME_SLIDES: the key figures this year and in the comparison waves, with
    the tested verdict; overlast also as % veel overlast per kind, the gemeente's inzet as its
    trend figure, and slachtofferschap after veiligheidsbeleving."""
    core = by_key.get("kerncijfers")
    if core is None:
        return []
    cells = Cells(core.table())
    base = annex.comparison.main
    slides = []
    for theme, heading in THEME_SLIDES:
        rows = [k for k in range(len(cells))
                if annex.catalogue[str(cells.raw(k, "indicator"))].theme == theme
                and pd.notna(cells.raw(k, "estimate"))]
        if not rows:
            continue
        slides.append(_key_figure_table(annex, cells, rows, heading, base))
        trends = by_key.get("trends")
        if theme == "overlast" and trends is not None:
            slides += _trend_figure(annex, trends, "trend_overlast", "overlast",
                                    "Overlast in de buurt: % veel overlast per soort")
        if theme == "veiligheid" and "slachtofferschap" in by_key:
            slides.append(_victims(annex, by_key["slachtofferschap"], base))
        if theme == "gemeente" and trends is not None:
            slides += _trend_figure(annex, trends, "trend_gemeente_inzet", None,
                                    f"Inwoners over de inzet van {annex.gemeente}")
    return slides


def _key_figure_table(annex: Annex, cells: Cells, rows: list[int], heading: str,
                      base: int | None) -> Slide:
    waves = [y for y in (base,) if y is not None]
    header = ["Indicator", *(cells.header(f"estimate_{y}") for y in waves),
              cells.header("estimate"), *(cells.header(f"judgement_{y}") for y in waves)]
    body, colours = [], []
    for k in rows:
        body.append([cells.cell(k, "label"), *(cells.cell(k, f"estimate_{y}") for y in waves),
                     cells.cell(k, "estimate"), *(cells.cell(k, f"judgement_{y}")
                                                  for y in waves)])
        colours.append([None] * (2 + len(waves)) + [
            str(cells.raw(k, f"verdict_{y}")) for y in waves])
    verdict = _verdict_column(cells, base)
    title = verdict_title(heading, [str(cells.raw(k, "label")) for k in rows],
                          [str(cells.raw(k, verdict)) for k in rows] if verdict else [],
                          base, annex.year)
    return Slide(title, "tabel", table=[header, *body], verdicts=colours,
                 notes=[estimate_note(cells, k) for k in rows] + table_notes(cells.table),
                 section="kerncijfers")


def _trend_figure(annex: Annex, trends: Section, prefix: str, theme: str | None,
                  title: str) -> list[Slide]:
    """A trend figure of the annex with the first and last wave of its series beside it."""
    item = _figure(trends, prefix)
    if item is None:
        return []
    cells = Cells(trends.table(trends.tables[0].key))
    first, last = str(min(annex.waves)), str(annex.year)
    if not cells.has(first) or not cells.has(last):
        return []
    if theme is None:
        ids = list(annex.selections.gemeente_series)
    else:
        ids = [i for i in cells.shown["indicator"]
               if annex.catalogue[i].theme == theme and annex.catalogue[i].kind == "percentage"]
    rows = cells.rows("indicator", ids)
    lines = [f"{cells.cell(k, 'label')}: {cells.cell(k, first)} ({first}), "
             f"{cells.cell(k, last)} ({last})" for k in rows]
    return [Slide(title, "figuur", figure=item, blocks=[Block(None, lines)],
                  notes=[item.caption, *lines, *table_notes(cells.table)],
                  section=trends.key)]


def _victims(annex: Annex, section: Section, base: int | None) -> Slide:
    cells = Cells(section.table())
    rows = cells.rows()
    verdict = _verdict_column(cells, base)
    title = verdict_title("Slachtofferschap", [str(cells.raw(k, "label")) for k in rows],
                          [str(cells.raw(k, verdict)) for k in rows] if verdict else [],
                          base, annex.year)
    lines = [f"{cells.cell(k, 'label')}: {cells.cell(k, 'estimate')}" for k in rows]
    return Slide(title, "figuur", figure=section.figures[0] if section.figures else None,
                 blocks=[Block(None, lines)],
                 notes=[estimate_note(cells, k) for k in rows] + table_notes(cells.table),
                 section=section.key)


# --- footprint ---------------------------------------------------------------------------------


def footprint_slides(annex: Annex, section: Section | None) -> list[Slide]:
    """The seed's three build-up steps: the first wave's position, then both waves, then the
    development; each step a table of words coloured by verdict."""
    if section is None:
        return []
    cells = Cells(section.table())
    waves = annex.comparison.benchmark
    group = common.group_name(annex.settings)
    steps: list[list[tuple[str, str]]] = []
    shown: list[tuple[str, str]] = []
    for y in waves:
        shown = [*shown, (f"judgement_{y}", f"position_{y}")]
        steps.append(shown)
    if len(waves) == 2 and cells.has("development_judgement"):
        steps.append([*shown, ("development_judgement", "development")])
    rows = cells.rows()
    notes_rows = [_footprint_note(cells, k, waves) for k in rows]
    slides = []
    for step, columns in enumerate(steps):
        verdict = columns[-1][1]
        labels = [str(cells.raw(k, verdict)) for k in rows]
        if verdict == "development":
            title = (f"Ontwikkeling {waves[0]}–{waves[1]} t.o.v. {group}: slechter op "
                     f"{labels.count('slechter')}, beter op {labels.count('beter')} "
                     f"van {len(rows)} indicatoren")
        else:
            year = verdict.removeprefix("position_")
            title = (f"Footprint {year}: beter dan de {group} op {labels.count('beter')}, "
                     f"slechter op {labels.count('slechter')} van {len(rows)} indicatoren")
        header = ["Indicator", *(cells.header(j) for j, _ in columns)]
        body = [[cells.cell(k, "label"), *(cells.cell(k, j) for j, _ in columns)] for k in rows]
        colours = [[None, *(str(cells.raw(k, v)) for _, v in columns)] for k in rows]
        slides.append(Slide(title, "tabel", table=[header, *body], verdicts=colours,
                            notes=[f"Stap {step + 1} van {len(steps)}.", *notes_rows,
                                   *table_notes(cells.table)], section=section.key))
    return slides


def _footprint_note(cells: Cells, row: int, waves: tuple[int, ...]) -> str:
    parts = [f"{cells.cell(row, 'label')}:"]
    for y in waves:
        parts.append(f"{y} {cells.cell(row, f'estimate_{y}')} tegen "
                     f"{cells.cell(row, f'benchmark_{y}')} ({cells.cell(row, f'judgement_{y}')})")
    if cells.has("development_difference"):
        parts.append(f"verschil in ontwikkeling {cells.cell(row, 'development_difference')} "
                     f"({cells.cell(row, 'development_judgement')})")
    return " ".join(parts)


# --- police and casework -----------------------------------------------------------------------


def police_slides(annex: Annex, section: Section | None) -> list[Slide]:
    if section is None:
        return []
    slides = []
    group_item = _figure(section, "politie_groep")
    if group_item is not None and len(section.tables) > 1:
        cells = Cells(section.table("politie_groep"))
        rows = cells.rows()
        last = rows[-1]
        group = cells.header("group_rate_per_1000")
        title = (f"{annex.gemeente}: {cells.cell(last, 'rate_per_1000')} misdrijven per 1.000 "
                 f"inwoners, {group} {cells.cell(last, 'group_rate_per_1000')} "
                 f"({cells.cell(last, 'year')})")
        lines = [f"{cells.cell(k, 'year')}: {cells.cell(k, 'rate_per_1000')} tegen "
                 f"{cells.cell(k, 'group_rate_per_1000')}, plaats {cells.cell(k, 'rank_text')}"
                 for k in rows]
        slides.append(Slide(title, "figuur", figure=group_item, blocks=[Block(None, lines)],
                            notes=[*lines, *table_notes(cells.table)], section=section.key))
    wijk_item = _figure(section, "politie_kaart") or _figure(section, "politie_totaal")
    if wijk_item is not None:
        cells = Cells(section.table("politie"))
        total = cells.row_of("wijk_code", annex.settings.gemeente_code)
        rows = [k for k in cells.rows() if k != total
                and pd.notna(cells.raw(k, "rate_total"))]
        ranked = sorted(rows, key=lambda k: -float(cells.raw(k, "rate_total")))
        if ranked:
            title = (f"Geregistreerde misdrijven per wijk: de meeste per inwoner in "
                     f"{cells.cell(ranked[0], 'wijk_naam')}")
            lines = [f"{cells.cell(k, 'wijk_naam')}: {cells.cell(k, 'rate_total_text')} per "
                     f"1.000 ({cells.cell(k, 'count_total')} misdrijven)"
                     for k in ([total] if total is not None else []) + ranked]
            slides.append(Slide(title, "figuur", figure=wijk_item, blocks=[Block(None, lines)],
                                notes=[*lines, *table_notes(cells.table)], section=section.key))
    return slides


def casework_slides(annex: Annex, section: Section | None) -> list[Slide]:
    if section is None or not section.figures:
        return []
    cells = Cells(section.table())
    rows = cells.rows("gemeente", [annex.gemeente]) or cells.rows()
    top = max(rows, key=lambda k: float(cells.raw(k, "count")))
    per = " per 10.000 inwoners" if cells.has("rate_per_10000") else ""
    lines = [f"{cells.cell(k, 'overleg')}: {cells.cell(k, 'count')}"
             + (f" ({cells.cell(k, 'rate_per_10000')}{per})" if per else "") for k in rows]
    title = (f"Veiligheidshuis {annex.year}: voor {cells.cell(top, 'gemeente')} de meeste "
             f"casussen in {cells.cell(top, 'overleg')}")
    return [Slide(title, "figuur", figure=section.figures[0], blocks=[Block(None, lines)],
                  notes=[*(f"{cells.cell(k, 'gemeente')}, {cells.cell(k, 'overleg')}: "
                           f"{cells.cell(k, 'count')}" for k in cells.rows()),
                         *table_notes(cells.table)], section=section.key)]


# --- statements behind the scales --------------------------------------------------------------


def statement_slides(annex: Annex, section: Section | None) -> list[Slide]:
    """Per scale with statements (sociale cohesie, fysieke voorzieningen): its figure and the
    share that agrees with each statement, with the tested verdict in the title."""
    if section is None:
        return []
    base = annex.comparison.main
    slides = []
    for table in section.tables:
        if not table.key.startswith("items_"):
            continue
        item = next((f for f in section.figures if f.key == table.key), None)
        cells = Cells(table)
        rows = cells.rows()
        scale = annex.catalogue[table.key.removeprefix("items_")].label
        verdict = _verdict_column(cells, base)
        title = verdict_title(f"{scale}: de stellingen",
                              [str(cells.raw(k, "label")) for k in rows],
                              [str(cells.raw(k, verdict)) for k in rows] if verdict else [],
                              base, annex.year)
        judged = f"judgement_{base}" if base is not None and cells.has(f"judgement_{base}") \
            else None
        lines = [f"{cells.cell(k, 'label')}: {cells.cell(k, 'estimate')}"
                 + (f" ({cells.cell(k, judged)})" if judged else "") for k in rows]
        slides.append(Slide(title, "figuur", figure=item, blocks=[Block(None, lines)],
                            notes=[estimate_note(cells, k) for k in rows] + table_notes(table),
                            section=section.key))
    return slides
