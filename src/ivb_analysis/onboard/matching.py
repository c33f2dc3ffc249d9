"""Matching variables onto catalogue items (question text and answer scale) and finding the
design variables, for `ivb init`. Label comparison is `labelmatch` (shared with the checks)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from ivb_analysis.catalogue import Catalogue
from ivb_analysis.labelmatch import answer_similarity, plain, question_similarity
from ivb_analysis.onboard.metadata import Variable

ROLE_WORDS = {
    "id": re.compile(r"respondent|resp_?n|volgn|\bid\b|^id|respnr|volgnr"),
    "wijk": re.compile(r"wijk"),
    "weight": re.compile(r"gewicht|weeg|weight"),
    "strata": re.compile(r"strat"),
    "year": re.compile(r"\bjaar\b|meetjaar|\byear\b"),
}
MATCH_MIN = 0.35  # below this label similarity a variable is left unmatched
WEAK_ANSWER = 0.6  # an answer label less similar than this to its category is flagged
CONFIDENCE = ((0.75, "hoog"), (0.5, "gemiddeld"), (0.0, "laag"))
SURE_LABEL = 0.6  # question text at least this similar to the item's label ...
SURE_MARGIN = 0.1  # ... and this much ahead of the next item on the same scale


# ---------------------------------------------------------------------------------------------
# Text matching
# ---------------------------------------------------------------------------------------------


label_similarity = question_similarity  # the name `ivb init` has always used


@dataclass(frozen=True)
class ScaleMatch:
    """How a variable's answer codes map onto a catalogue scale."""

    scale: str
    mapping: dict[int, int]  # variable code -> catalogue code
    pairs: tuple[tuple[int, str, int, str, float], ...]  # old, old label, new, new label, sim
    score: float

    @property
    def recode(self) -> dict[int, int]:
        return {old: new for old, new in self.mapping.items() if old != new}


def match_scale(answers: dict[int, str], scale: str, categories: dict[int, str]
                ) -> ScaleMatch | None:
    """The best one-to-one mapping of the answer labels onto the scale's, or None."""
    if len(answers) != len(categories) or not answers:
        return None
    old = list(answers)
    new = list(categories)
    sim = np.array([[answer_similarity(answers[o], categories[n]) for n in new] for o in old])
    rows, cols = linear_sum_assignment(-sim)
    pairs = tuple((old[r], answers[old[r]], new[c], categories[new[c]], float(sim[r, c]))
                  for r, c in zip(rows, cols, strict=True))
    return ScaleMatch(scale, {p[0]: p[2] for p in pairs}, pairs, float(sim[rows, cols].mean()))


@dataclass(frozen=True)
class ItemMatch:
    variable: str
    item: str
    label_score: float
    scale: ScaleMatch
    runner_up: tuple[str, float] | None

    @property
    def score(self) -> float:
        return 0.7 * self.label_score + 0.3 * self.scale.score

    @property
    def confidence(self) -> str:
        value = min(self.label_score + 0.2, self.scale.score)
        if self.runner_up and self.score - self.runner_up[1] < 0.05:
            value = min(value, 0.5)  # a close second candidate
        if any(pair[4] < WEAK_ANSWER for pair in self.scale.pairs):
            value = min(value, 0.6)  # an answer label that hardly resembles its category
        return next(name for bound, name in CONFIDENCE if value >= bound)

    @property
    def certain(self) -> bool:
        """Mapped without review only when the answer labels AND the question text match:
        every answer label names its category, the question text is close to the item's and
        clearly closer than to any other item on the same scale."""
        return (all(pair[4] >= WEAK_ANSWER for pair in self.scale.pairs)
                and self.label_score >= SURE_LABEL
                and self.label_score - self.label_runner_up[1] >= SURE_MARGIN)

    label_runner_up: tuple[str, float] = ("", 0.0)  # best other item on the scale, by label


def match_items(variables: list[Variable], catalogue: Catalogue) -> dict[str, ItemMatch]:
    """Variable -> catalogue item: an optimal one-to-one assignment on label and scale fit."""
    items = list(catalogue.items.values())
    scales: dict[tuple[str, str], ScaleMatch | None] = {}
    score = np.full((len(variables), len(items)), -1.0)
    label_scores = np.zeros_like(score)
    for i, var in enumerate(variables):
        for j, item in enumerate(items):
            key = (var.name, item.scale)
            if key not in scales:
                scales[key] = match_scale(var.answers, item.scale, item.categories)
            fit = scales[key]
            if fit is None:
                continue
            label_scores[i, j] = label_similarity(var.label, item.label)
            score[i, j] = 0.7 * label_scores[i, j] + 0.3 * fit.score
    rows, cols = linear_sum_assignment(-score)
    out: dict[str, ItemMatch] = {}
    for i, j in zip(rows, cols, strict=True):
        if score[i, j] < 0 or label_scores[i, j] < MATCH_MIN:
            continue
        var, item = variables[i], items[j]
        others = [(items[k].id, score[i, k]) for k in np.argsort(-score[i]) if k != j
                  and score[i, k] >= 0]
        same = [(items[k].id, float(label_scores[i, k])) for k in np.argsort(-label_scores[i])
                if k != j and items[k].scale == item.scale and score[i, k] >= 0]
        out[var.name] = ItemMatch(var.name, item.id, float(label_scores[i, j]),
                                  scales[(var.name, item.scale)],  # type: ignore[arg-type]
                                  (others[0][0], float(others[0][1])) if others else None,
                                  same[0] if same else ("", 0.0))
    return out


def find_design(variables: dict[str, Variable]) -> dict[str, tuple[str, str]]:
    """Design roles -> (variable, evidence) from names, labels and values."""
    found: dict[str, tuple[str, str]] = {}
    for role in ("id", "wijk", "weight", "strata", "year"):
        for var in variables.values():
            if any(var.name == v for v, _ in found.values()):
                continue
            text = f"{plain(var.name)} {plain(var.label)}"
            if not ROLE_WORDS[role].search(text.replace(" ", "_") if role == "id" else text):
                continue
            if role == "id" and var.unique and var.integer:
                found[role] = (var.name, f'"{var.label}": unieke gehele getallen')
            elif role == "wijk" and var.value_labels and var.integer:
                found[role] = (var.name, f'"{var.label}": {len(var.value_labels)} waardelabels')
            elif role == "weight" and var.positive and not var.value_labels:
                found[role] = (var.name, f'"{var.label}": alle waarden > 0')
            elif role == "strata" and var.integer:
                found[role] = (var.name, f'"{var.label}"')
            elif (role == "year" and var.integer and var.codes
                  and all(1900 <= c <= 2100 for c in var.codes)
                  and len(var.codes) <= var.files):
                found[role] = (var.name, f'"{var.label}": waarden '
                               + ", ".join(map(str, sorted(var.codes))))
            if role in found:
                break
    return found


