"""Items en definities: what every scale score is made of, in the catalogue's words, and the
single statements behind a scale with their values per wave (the seed's fysieke voorzieningen
and sociale cohesie), each tested against the earlier waves."""

from __future__ import annotations

import pandas as pd

from ivb_analysis import figures
from ivb_analysis.annex import common
from ivb_analysis.annex.common import count_word, join
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import FigureItem, Section
from ivb_analysis.annex.sections.comparable import comparable_base
from ivb_analysis.catalogue import Catalogue, Indicator
from ivb_analysis.tables import AnnexTable, Column, dutch_number, remark

KEY = "items"


def definition(catalogue: Catalogue, ind: Indicator) -> str:
    """One line: which items, which points, which range (Dutch)."""
    n = len(ind.items)
    if ind.rule == "value":
        return f"Gemiddeld {catalogue.items[ind.items[0]].label.lower()} ({ind.unit})."
    if ind.rule == "share":
        scale = catalogue.items[ind.items[0]].categories
        answers = join([scale[v] for v in ind.positive if v in scale])
        if n == 1:
            return f"Percentage dat '{answers}' antwoordt."
        return (f"Percentage dat bij minstens {count_word(ind.at_least)} van de "
                f"{count_word(n)} vragen '{answers}' antwoordt (minstens "
                f"{count_word(ind.min_items)} beantwoord).")
    scale = catalogue.items[ind.items[0]].categories
    points = ", ".join(f"{scale.get(k, k)} = {dutch_number(v, 0)}"
                       for k, v in sorted(ind.points.items()))
    top = max(ind.points.values()) if ind.points else 0
    text = (f"Schaalscore 0–10: de {count_word(n)} items krijgen punten ({points}); het "
            f"gemiddelde van de beantwoorde items (minstens {count_word(ind.min_items)}) wordt "
            f"omgerekend naar 0–10 (x 10/{dutch_number(top, 0)}).")
    if ind.reversed:
        text += " Omgekeerd gescoord: " + join(
            [f"'{catalogue.items[i].label}'" for i in ind.reversed]) + "."
    return text


def statements(annex: Annex, scale: Indicator) -> tuple[AnnexTable, FigureItem | None] | None:
    """The scale's single statements (indicators with `item_of` = the scale): this year's
    value with interval and n, each earlier comparison wave with its test; a figure of this
    year against the main comparison wave. None when the delivery has none of them."""
    ids = [i.id for i in annex.catalogue.indicators.values()
           if i.item_of == scale.id and annex.delivered(i.id)]
    if not ids:
        return None
    s = annex.settings
    years = [*annex.comparison.waves, annex.year]
    est = annex.gemeente_estimates
    est = est[est["indicator"].isin(ids) & est["year"].isin(years)]
    current = est[est["year"] == annex.year].reset_index(drop=True)
    if current.empty:
        return None
    data = current[["indicator", "label", "kind", "unit", "year", "estimate", "se", "ci_low",
                    "ci_high", "n", "n_eff", "indicatief", "unreliable", "suppressed"]].copy()
    data, compared = common.add_comparisons(annex, est, data)
    data["remark"] = [remark(i, u) for i, u in zip(data["indicatief"], data["unreliable"],
                                                   strict=True)]
    data = common.shown(data, s.min_n)
    unit = common.unit_phrase(annex.catalogue[ids[0]].unit)
    title = f"{scale.label}: de stellingen, {annex.year}"
    reversed_note = [annex.catalogue[i].label for i in ids
                     if annex.catalogue[i].polarity < 0]
    note = common.change_note(annex, list(annex.comparison.waves))
    if reversed_note:
        note += (" Bij " + join([f"'{t}'" for t in reversed_note]) + " is een lager "
                 "percentage gunstig (de stelling telt omgekeerd mee in de schaalscore).")
    table = AnnexTable(
        f"items_{scale.id}", title, data,
        (Column("label", "Stelling", "text", 40),
         *common.estimate_columns(str(annex.year))[:4], *compared,
         *common.remark_columns(data)),
        source=annex.source(min(annex.comparison.waves) if annex.comparison.waves else None),
        note=f"{unit}. {note}".strip(), row_key="indicator",
    )
    # the figure compares with the last comparable wave (never across the method break)
    base = comparable_base(annex).year
    if base is not None and f"verdict_{base}" not in data.columns:
        base = None
    shown_years = [y for y in (annex.year, base) if y is not None]
    part = est[est["year"].isin(shown_years) & est["indicator"].isin(data["indicator"])
               & ~est["suppressed"].astype(bool)].sort_values("year", kind="stable")
    verdicts = (pd.Series(data[f"verdict_{base}"].to_numpy(), index=data["label"])
                if base is not None else None)
    fig = figures.grouped_bars(
        part, category="label", group="year", category_name="stelling", title=title,
        subtitle=unit, source=annex.source(base), banner=s.banner, kind="percentage",
        groups=shown_years, verdicts=verdicts, alpha=s.alpha,
    )
    return table, FigureItem(f"items_{scale.id}", title, fig)


def build(annex: Annex) -> Section | None:
    cat = annex.catalogue
    shown_figures: list[FigureItem] = []
    shown_tables: list[AnnexTable] = []
    for ind in cat.indicators.values():
        if ind.rule == "scale":
            found = statements(annex, ind)
            if found is not None:
                shown_tables.append(found[0])
                if found[1] is not None:
                    shown_figures.append(found[1])
    rows = []
    for ind in cat.indicators.values():
        if ind.rule != "scale":
            continue
        for k, item_id in enumerate(ind.items):
            item = cat.items[item_id]
            rows.append({
                "indicator": ind.id,
                "label": f"{ind.label} ({ind.unit})" if k == 0 else "",
                "definition": definition(cat, ind) if k == 0 else "",
                "item": item_id,
                "question": item.label,
                "answers": (" / ".join(item.categories.values())
                            if k == 0 or item.categories != cat.items[ind.items[0]].categories
                            else "idem"),
                "reversed": "ja" if item_id in ind.reversed else "",
                "status": ("niet in deze levering" if not annex.delivered(ind.id) else ""),
                "row": f"{ind.id}-{item_id}",
            })
    if not rows:
        return None
    data = pd.DataFrame(rows)
    table = AnnexTable(
        KEY, "Schaalscores: definitie en vragen", data,
        (Column("label", "Indicator", "text", 22), Column("definition", "Definitie", "text", 40),
         Column("question", "Vraag of stelling", "text", 36),
         Column("answers", "Antwoorden", "text", 26),
         Column("reversed", "Omgekeerd", "text", 9)),
        source="Bron: indicatorcatalogus van ivb-analysis (vraagteksten van de "
               "Veiligheidsmonitor)",
        row_key="row",
    )
    return Section(KEY, "Schaalscores en de vragen erachter",
                   "Waaruit elke schaalscore is opgebouwd: de vragen of stellingen, de "
                   "antwoorden en hoe ze zijn geteld. Een percentage (zoals '% veel overlast') "
                   "is een andere maat dan de schaalscore met dezelfde naam. Voor de schalen "
                   "met stellingen volgt per stelling het percentage inwoners dat het er "
                   "(helemaal) mee eens is, per meting en getoetst.",
                   figures=shown_figures, tables=[table, *shown_tables])
