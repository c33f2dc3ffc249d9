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
    #: The Benjamini-Hochberg family the judgement was corrected in (Dutch, for readers).
    family: str | None = None


def _direction(estimate: float, earlier: float) -> str:
    return "gestegen" if estimate > earlier else "gedaald"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} en {parts[-1]}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def change_findings(results: pd.DataFrame, year: int, earlier: int, *,
                    group_from: int = 3) -> list[Finding]:
    """Bullets for changes since `earlier`: one per significant row (beter -> positief,
    slechter -> aandachtspunt), in the frame's order; a `where` column (e.g. a wijk name)
    prefixes the text. Rows that are not significant give no bullet (see `stable`). When
    `group_from` or more places changed the same indicator in the same direction, they share
    one bullet (linked to the first of their rows)."""
    missing = [c for c in COLUMNS if c not in results.columns]
    if missing:
        raise ValueError(f"resultaten missen kolommen: {missing}")
    significant = [row for row in results.itertuples(index=False)
                   if row.verdict in ("beter", "slechter")]
    groups: dict[tuple, list] = {}
    for row in significant:
        where = getattr(row, "where", None)
        if isinstance(where, str) and where:
            key = (row.label, row.verdict, _direction(row.estimate, row.estimate_earlier))
            groups.setdefault(key, []).append(row)
    out = []
    done: set[tuple] = set()
    for row in significant:
        kind = "positief" if row.verdict == "beter" else "aandachtspunt"
        direction = _direction(row.estimate, row.estimate_earlier)
        where = getattr(row, "where", None)
        key = (row.label, row.verdict, direction)
        if isinstance(where, str) and where and len(groups[key]) >= group_from:
            if key in done:
                continue
            done.add(key)
            places = _join([
                f"{r.where} (van {format_value(r.estimate_earlier, r.kind)} naar "
                f"{format_value(r.estimate, r.kind)})" for r in groups[key]])
            text = (f"{row.label} {direction} tussen {earlier} en {year} in "
                    f"{len(groups[key])} wijken: {places}")
            out.append(Finding(row.theme, kind, text, row.anchor))
            continue
        subject = row.label if not isinstance(where, str) or not where \
            else f"{where}: {_lower_first(row.label)}"
        text = (f"{subject} {direction} van "
                f"{format_value(row.estimate_earlier, row.kind)} ({earlier}) naar "
                f"{format_value(row.estimate, row.kind)} ({year})")
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
    """'Beter dan de G32 op 0 van de 19 indicatoren in 2015 (in 2013 op 15), gelijk op 19, ...;
    ontwikkeling 2013–2015 t.o.v. de G32: slechter op 6, beter op 0, gelijk op 13' and a
    judgement of the position that follows the TESTED development only.

    "niet getoetst" is counted apart from "gelijk" (a comparison across a method break is not
    tested, so it is not "gelijk"). The position "verslechtert" only when more indicators
    develop significantly worse than the group's than significantly better (difference in
    differences, BH over the indicators); a drop in the count of "beter" without a significant
    development is no statement.
    """
    if not waves:
        return "", None
    n = counts["present"]
    last = waves[-1]

    def tally(prefix: str) -> str:
        parts = [f"gelijk op {counts.get(f'gelijk_{prefix}', 0)}",
                 f"slechter op {counts.get(f'slechter_{prefix}', 0)}"]
        untested = counts.get(f"niet_getoetst_{prefix}", 0)
        if untested:
            parts.append(f"niet getoetst: {untested}")
        return ", ".join(parts)

    text = (f"Beter dan de {group} op {counts[f'beter_{last}']} van de {n} indicatoren in "
            f"{last}, {tally(str(last))}")
    if len(waves) != 2:
        return text + ".", None
    first = waves[0]
    text += (f" (in {first}: beter op {counts[f'beter_{first}']}, {tally(str(first))}). "
             f"Ontwikkeling {first}–{last} t.o.v. de {group}: slechter op "
             f"{counts.get('slechter_development', 0)}, beter op "
             f"{counts.get('beter_development', 0)}, {tally('development').split(', ', 1)[0]}")
    untested = counts.get("niet_getoetst_development", 0)
    text += (f", niet getoetst: {untested}." if untested else ".")
    worse, better = counts.get("slechter_development", 0), counts.get("beter_development", 0)
    period = f"{first}–{last}"
    if worse > better:
        return text, Finding("benchmark", "aandachtspunt",
                             f"Positie ten opzichte van de {group} verslechtert ({period}): "
                             f"{worse} indicatoren ontwikkelen zich significant slechter dan "
                             f"in de {group}, {better} beter", None)
    if better > worse:
        return text, Finding("benchmark", "positief",
                             f"Positie ten opzichte van de {group} verbetert ({period}): "
                             f"{better} indicatoren ontwikkelen zich significant beter dan in "
                             f"de {group}, {worse} slechter", None)
    return text, None


def difference_findings(results: pd.DataFrame, against: str, year: int) -> list[Finding]:
    """Bullets for significant differences with a comparison group in one year (e.g. a wijk
    against the rest of the gemeente): `estimate_earlier` holds the group's value."""
    out = []
    for row in results.itertuples(index=False):
        if row.verdict not in ("beter", "slechter"):
            continue
        where = getattr(row, "where", None)
        subject = row.label if not isinstance(where, str) or not where \
            else f"{where}: {_lower_first(row.label)}"
        if pd.isna(row.estimate_earlier):  # no rest beside a hidden wijk (suppression.py)
            text = (f"{subject} {row.verdict} dan in {against}: "
                    f"{format_value(row.estimate, row.kind)} ({year})")
        else:
            word = "hoger" if row.estimate > row.estimate_earlier else "lager"
            text = (f"{subject} {word} dan in {against}: {format_value(row.estimate, row.kind)} "
                    f"tegen {format_value(row.estimate_earlier, row.kind)} ({year})")
        kind = "positief" if row.verdict == "beter" else "aandachtspunt"
        out.append(Finding(row.theme, kind, text, row.anchor))
    return out
