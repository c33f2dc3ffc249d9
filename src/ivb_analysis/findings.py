"""Key findings: plain Dutch sentences from tested results, by fixed rules (no free text).

Only a result that is significant after Benjamini-Hochberg becomes a "Positief" or
"Aandachtspunt" bullet, and its direction is judged by the catalogue's polarity (the verdicts
`beter`/`slechter` of `compare`); a tested result without a significant change counts as
"stabiel". Neutral indicators (verdicts `hoger`/`lager`) are never judged. Every bullet keeps the
anchor of the table row it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from ivb_analysis.tables import format_value

POSITIVE = "Positief"
ATTENTION = "Aandachtspunten"
STABLE = "Stabiel"
#: Columns a result frame must have (one row per tested result).
COLUMNS = ("anchor", "theme", "label", "kind", "estimate", "estimate_earlier", "verdict")


@dataclass(frozen=True)
class Finding:
    """One bullet: its theme, whether it is positive or a point of attention, text and link."""

    theme: str
    kind: Literal["positief", "aandachtspunt", "stabiel"]
    text: str
    anchor: str | None = None


def _direction(estimate: float, earlier: float) -> str:
    return "gestegen" if estimate > earlier else "gedaald"


def change_findings(results: pd.DataFrame, year: int, earlier: int) -> list[Finding]:
    """Bullets for changes since `earlier`: one per significant row (beter -> positief,
    slechter -> aandachtspunt), in the frame's order; a `where` column (e.g. a wijk name)
    prefixes the text. Rows that are not significant give no bullet (see `stable`)."""
    missing = [c for c in COLUMNS if c not in results.columns]
    if missing:
        raise ValueError(f"resultaten missen kolommen: {missing}")
    out = []
    for row in results.itertuples(index=False):
        if row.verdict not in ("beter", "slechter"):
            continue
        where = getattr(row, "where", None)
        subject = row.label if not isinstance(where, str) or not where \
            else f"{where}: {row.label[0].lower()}{row.label[1:]}"
        text = (f"{subject} {_direction(row.estimate, row.estimate_earlier)} van "
                f"{format_value(row.estimate_earlier, row.kind)} ({earlier}) naar "
                f"{format_value(row.estimate, row.kind)} ({year})")
        kind = "positief" if row.verdict == "beter" else "aandachtspunt"
        out.append(Finding(row.theme, kind, text, row.anchor))
    return out


def stable(results: pd.DataFrame) -> dict[str, list[str]]:
    """Per theme, the labels of tested rows without a significant change (verdict `gelijk`)."""
    out: dict[str, list[str]] = {}
    for row in results.itertuples(index=False):
        if row.verdict == "gelijk":
            out.setdefault(row.theme, []).append(row.label)
    return out


def footprint_sentence(counts: dict[str, int], waves: tuple[int, ...], group: str
                       ) -> tuple[str, Finding | None]:
    """'Beter dan de G32 op 0 van de 19 indicatoren in 2015, in 2013 op 15; ontwikkeling
    2013–2015 slechter op 6, beter op 0.' and, when the position worsened (fewer indicators
    better, or more developing worse than better), an Aandachtspunt."""
    if not waves:
        return "", None
    n = counts["present"]
    last = waves[-1]
    text = f"Beter dan de {group} op {counts[f'beter_{last}']} van de {n} indicatoren in {last}"
    if len(waves) == 2:
        first = waves[0]
        text += (f", in {first} op {counts[f'beter_{first}']}; slechter dan de {group} op "
                 f"{counts[f'slechter_{last}']} in {last}, in {first} op "
                 f"{counts[f'slechter_{first}']}. Ontwikkeling {first}–{last} ten opzichte van "
                 f"de {group}: slechter op {counts['development_slechter']}, beter op "
                 f"{counts['development_beter']}.")
        worse = (counts[f"beter_{last}"] < counts[f"beter_{first}"]
                 or counts[f"slechter_{last}"] > counts[f"slechter_{first}"]
                 or counts["development_slechter"] > counts["development_beter"])
        better = (counts[f"beter_{last}"] > counts[f"beter_{first}"]
                  and counts["development_beter"] > counts["development_slechter"])
        if worse:
            return text, Finding("benchmark", "aandachtspunt",
                                 f"Positie ten opzichte van de {group} verslechtert "
                                 f"({first}–{last})", None)
        if better:
            return text, Finding("benchmark", "positief",
                                 f"Positie ten opzichte van de {group} verbetert "
                                 f"({first}–{last})", None)
        return text, None
    return text + f", slechter op {counts[f'slechter_{last}']}.", None


def difference_findings(results: pd.DataFrame, against: str, year: int) -> list[Finding]:
    """Bullets for significant differences with a comparison group in one year (e.g. a wijk
    against the rest of the gemeente): `estimate_earlier` holds the group's value."""
    out = []
    for row in results.itertuples(index=False):
        if row.verdict not in ("beter", "slechter"):
            continue
        where = getattr(row, "where", None)
        subject = row.label if not isinstance(where, str) or not where \
            else f"{where}: {row.label[0].lower()}{row.label[1:]}"
        word = "hoger" if row.estimate > row.estimate_earlier else "lager"
        text = (f"{subject} {word} dan in {against}: {format_value(row.estimate, row.kind)} "
                f"tegen {format_value(row.estimate_earlier, row.kind)} ({year})")
        kind = "positief" if row.verdict == "beter" else "aandachtspunt"
        out.append(Finding(row.theme, kind, text, row.anchor))
    return out
