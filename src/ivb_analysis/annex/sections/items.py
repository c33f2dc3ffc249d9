"""Items en definities: what every scale score and share is made of, in the catalogue's words."""

from __future__ import annotations

import pandas as pd

from ivb_analysis.annex.common import count_word, join
from ivb_analysis.annex.context import Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.catalogue import Catalogue, Indicator
from ivb_analysis.tables import AnnexTable, Column, dutch_number

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


def build(annex: Annex) -> Section | None:
    cat = annex.catalogue
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
                "answers": " / ".join(item.categories.values()),
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
                   "is een andere maat dan de schaalscore met dezelfde naam.", tables=[table])
