"""Every mapping of the codebook held against the delivery's own evidence, whoever wrote it.

A .sav says what each variable asks (its variable label) and what each code means (value
labels). The codebook must agree with both:

* a variable whose question text fits another catalogue item of the same scale better than the
  one it is mapped to is an error naming both (two items on a scale swapped, an item mapped to its
  neighbour);
* an item under `not_asked` (or left unmapped) while an unmapped variable asks it is an error;
* a code whose label says "nooit" / "geen overlast" must mean the scale's "none" answer, whether
  it is a filter code, a missing code or an answer; a filter code that occurs exactly where the
  preceding question was answered "nooit"/"nee" means that answer;
* a filter code labelled "n.v.t."/"niet gevraagd" counted as an answer is flagged;
* "veel overlast" of X must come from respondents who say X happens (internal consistency);
* the weight must be a weight: not constant, not a handful of whole-number classes, not labelled
  like a background variable (leeftijd, geslacht, ...).

Label comparisons use `labelmatch`, the one label-matching module (also used by `ivb init`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd

from ivb_analysis.catalogue import Catalogue, Item
from ivb_analysis.clean.recode import decode
from ivb_analysis.io.codebook import Codebook
from ivb_analysis.io.sav_labels import SavMeta, missing_like
from ivb_analysis.labelmatch import (
    SKIP_WORDS,
    answer_similarity,
    none_category,
    plain,
    question_similarity,
)

Level = Literal["fout", "waarschuwing", "info"]
#: A variable's label must beat its mapped item's by this much for another item to be preferred.
MARGIN = 0.08
#: An unmapped variable whose label is this similar to a not-asked item asks that item.
ASKED = 0.5
#: The weight: at most this many distinct whole numbers is a classification, not a weight.
WEIGHT_CLASSES = 12
BACKGROUND = re.compile(r"leeftijd|geslacht|\bsekse\b|opleiding|huishoud|inkomen|herkomst|"
                        r"etnici|woonduur|postcode|\bgolf\b|\bjaar\b|stratum|\bwijk\b|"
                        r"\bklasse\b|\bman\b|\bvrouw\b")
WEIGHT_WORDS = re.compile(r"gewicht|weeg|weight|ophoog|factor")
#: Filter pairs: item -> (preceding item, its answer that skips the item, the answer it means).
FILTER_PAIRS = {"onv_buurt": ("onv_algemeen", 2, 3)}


@dataclass(frozen=True)
class Flag:
    """One finding: level, topic, text and the variable or item it names."""

    level: Level
    topic: str
    text: str
    subject: str


def _scale_fits(labels: dict[int, str], item: Item, codebook: Codebook) -> bool:
    """Do a variable's answer labels name the item's categories (one-to-one, loosely)?"""
    answers = [lab for lab in labels.values() if missing_like(lab, codebook) is None
               and not SKIP_WORDS.search(plain(lab))]
    if len(answers) != len(item.categories):
        return False
    scores = [max(answer_similarity(lab, cat) for cat in item.categories.values())
              for lab in answers]
    return float(np.mean(scores)) >= 0.5


def mapping_flags(codebook: Codebook, catalogue: Catalogue, meta: SavMeta) -> list[Flag]:
    """Swapped / neighbouring items and wrongly 'not asked' items, from the variable labels."""
    texts = meta.variable_labels
    flags: list[Flag] = []
    mapped = {name: spec.item for name, spec in codebook.variables.items() if texts.get(name)}
    sim = {(v, i): question_similarity(texts[v], catalogue.items[i].label)
           for v in mapped for i in catalogue.items}
    scale = {i: catalogue.items[i].scale for i in catalogue.items}
    swapped: set[str] = set()
    for a, b in combinations(sorted(mapped), 2):
        ia, ib = mapped[a], mapped[b]
        if scale[ia] != scale[ib]:
            continue
        gain = sim[(a, ib)] + sim[(b, ia)] - sim[(a, ia)] - sim[(b, ib)]
        if gain >= 2 * MARGIN:
            swapped |= {a, b}
            flags.append(Flag("fout", "koppeling", (
                f"variabelen {a} en {b} lijken verwisseld: {a} (\"{texts[a]}\") past beter bij "
                f"{ib} dan bij {ia}, {b} (\"{texts[b]}\") beter bij {ia} dan bij {ib} "
                f"(gelijkenis {sim[(a, ib)]:.2f}/{sim[(b, ia)]:.2f} tegen "
                f"{sim[(a, ia)]:.2f}/{sim[(b, ib)]:.2f}). Koppel {a} aan {ib} en {b} aan {ia}, "
                "of leg vast waarom het zo klopt (accepted_deviations)"), a))
    free = [i for i in catalogue.items if i not in codebook.items_present]
    for v, item in sorted(mapped.items()):
        if v in swapped:
            continue
        better = [(sim[(v, j)], j) for j in free if scale[j] == scale[item]
                  and sim[(v, j)] >= sim[(v, item)] + MARGIN]
        if better:
            score, j = max(better)
            where = "onder not_asked" if j in codebook.not_asked else "niet gekoppeld"
            now, alt = catalogue.items[item].label, catalogue.items[j].label
            flags.append(Flag("fout", "koppeling", (
                f"variabele {v} (\"{texts[v]}\") is gekoppeld aan {item} (\"{now}\", "
                f"gelijkenis {sim[(v, item)]:.2f}), maar past beter bij {j} (\"{alt}\", "
                f"{score:.2f}; {where}). Controleer de koppeling"), v))
    flags += _not_asked_flags(codebook, catalogue, meta)
    return flags


def _not_asked_flags(codebook: Codebook, catalogue: Catalogue, meta: SavMeta) -> list[Flag]:
    """An item not mapped while an unmapped variable's label and answers fit it."""
    design = set(codebook.design.values())
    loose = [v for v, text in meta.variable_labels.items()
             if v not in codebook.variables and v not in design and meta.value_labels.get(v)]
    flags = []
    for item_id in catalogue.items:
        if item_id in codebook.items_present:
            continue
        item = catalogue.items[item_id]
        fits = []
        for v in loose:
            score = question_similarity(meta.variable_labels[v], item.label)
            if score < ASKED or not _scale_fits(meta.value_labels[v], item, codebook):
                continue
            best = max(question_similarity(meta.variable_labels[v], other.label)
                       for other in catalogue.items.values() if other.scale == item.scale)
            if score >= best - 1e-9:
                fits.append((score, v))
        if fits:
            score, v = max(fits)
            where = ("staat onder not_asked" if item_id in codebook.not_asked
                     else "is niet gekoppeld")
            flags.append(Flag("fout", "koppeling", (
                f"item {item_id} (\"{item.label}\") {where}, maar variabele {v} vraagt het "
                f"(\"{meta.variable_labels[v]}\", gelijkenis {score:.2f}; waardelabels passen bij "
                f"de schaal {item.scale}). Koppel {v} aan {item_id}"), item_id))
    return flags


def code_flags(codebook: Codebook, catalogue: Catalogue, meta: SavMeta,
               raw: pd.DataFrame | None = None) -> list[Flag]:
    """Codes labelled "nooit"/"geen overlast" with another meaning; n.v.t. counted as an answer;
    a filter code given exactly to those who answered 'nooit'/'nee' before, with another meaning."""
    flags, confirmed = _pair_flags(codebook, catalogue, raw) if raw is not None else ([], set())
    for name, spec in codebook.variables.items():
        item = catalogue.items[spec.item]
        meaning = codebook.meaning(spec, item)
        for code, label in sorted(meta.value_labels.get(name, {}).items()):
            if code not in meaning:
                continue
            target = meaning[code]
            none = none_category(label, item.scale)
            shown = "null (niet van toepassing)" if target is None else (
                f"{target} '{item.categories[target]}'")
            if none is not None and target != none:
                flags.append(Flag("fout", "codes", (
                    f"variabele {name} ({spec.item}): code {code} '{label}' betekent volgens het "
                    f".sav '{item.categories[none]}' ({none}), maar het codeboek maakt er {shown} "
                    f"van. Zet bij {name} filter: {{{code}: {none}}} (of recode)"), name))
            elif (code in spec.filter and target is not None and none is None
                  and (name, code) not in confirmed and SKIP_WORDS.search(plain(label))):
                flags.append(Flag("waarschuwing", "codes", (
                    f"variabele {name} ({spec.item}): filtercode {code} '{label}' zegt 'niet "
                    f"gevraagd / n.v.t.', maar telt als het antwoord {shown}. Klopt dat (de filter"
                    "vraag had als antwoord precies dit)? Anders: filter: {" f"{code}: null}}"),
                    name))
    return flags


def _pair_flags(codebook: Codebook, catalogue: Catalogue, raw: pd.DataFrame
                ) -> tuple[list[Flag], set[tuple[str, int]]]:
    """Filter codes against their preceding question: errors, and the (variable, code) pairs
    whose meaning the data confirm."""
    by_item = {spec.item: spec for spec in codebook.variables.values()}
    pairs = dict(FILTER_PAIRS)
    for item_id in catalogue.items:
        if item_id.startswith("ovh_"):
            pairs[item_id] = ("ovf_" + item_id[4:], 3, 3)
    flags, confirmed = [], set()
    for item_id, (before, skip, means) in pairs.items():
        spec, first = by_item.get(item_id), by_item.get(before)
        if spec is None or first is None or not spec.filter:
            continue
        if spec.name not in raw or first.name not in raw:
            continue
        answered = decode(pd.to_numeric(raw[first.name], errors="coerce"),
                          codebook.meaning(first, catalogue.items[before]))
        values = pd.to_numeric(raw[spec.name], errors="coerce").to_numpy()
        for code, target in spec.filter.items():
            mask = values == code
            if mask.sum() < 10:
                continue
            share = float(np.mean(answered[mask] == skip))
            if share >= 0.9 and target == means:
                confirmed.add((spec.name, code))
            elif share >= 0.9:
                item = catalogue.items[item_id]
                flags.append(Flag("fout", "codes", (
                    f"variabele {spec.name} ({item_id}): filtercode {code} staat bij "
                    f"{share:.0%} van wie bij {first.name} ({before}) "
                    f"'{catalogue.items[before].categories[skip]}' antwoordde; dan betekent hij "
                    f"'{item.categories[means]}' ({means}), niet "
                    f"{'null' if target is None else target}. Zet filter: {{{code}: {means}}}"),
                    spec.name))
    return flags, confirmed


def consistency_flags(codebook: Codebook, catalogue: Catalogue, raw: pd.DataFrame
                      ) -> list[Flag]:
    """"Veel overlast" of X from respondents who say X happens "(bijna) nooit" cannot be: when
    more than a fifth of the "veel overlast" answers come from them, the codes are wrong."""
    by_item = {spec.item: spec for spec in codebook.variables.values()}
    flags = []
    for item_id in catalogue.items:
        if not item_id.startswith("ovh_"):
            continue
        spec, freq = by_item.get(item_id), by_item.get("ovf_" + item_id[4:])
        if spec is None or freq is None or spec.name not in raw or freq.name not in raw:
            continue
        hinder = decode(pd.to_numeric(raw[spec.name], errors="coerce"),
                        codebook.meaning(spec, catalogue.items[item_id]))
        often = decode(pd.to_numeric(raw[freq.name], errors="coerce"),
                       codebook.meaning(freq, catalogue.items[freq.item]))
        veel = (hinder == 1) & np.isfinite(often)
        if veel.sum() < 10:
            continue
        never = float(np.mean(often[veel] == 3))
        if never > 0.2:
            flags.append(Flag("fout", "samenhang", (
                f"{never:.0%} van wie bij {spec.name} ({item_id}) 'veel overlast' heeft, zegt bij "
                f"{freq.name} ({freq.item}) dat het '(bijna) nooit' voorkomt: de codes van een "
                "van beide kloppen niet (recode, filter of koppeling)"), spec.name))
    return flags


def weight_flags(codebook: Codebook, raw: pd.DataFrame, meta: SavMeta | None) -> list[Flag]:
    """The design weight must look like a sampling weight."""
    name = codebook.design.get("weight")
    if name is None or name not in raw:
        return []
    values = pd.to_numeric(raw[name], errors="coerce").dropna().to_numpy(dtype="float64")
    if values.size == 0:
        return []
    label = (meta.variable_labels.get(name, "") if meta is not None else "")
    distinct = np.unique(values)
    why = None
    if distinct.size == 1:
        why = f"heeft maar één waarde ({distinct[0]:g}): een constante weegt niet"
    elif meta is not None and meta.value_labels.get(name):
        why = "heeft waardelabels: het is een indeling, geen gewicht"
    elif distinct.size <= WEIGHT_CLASSES and np.all(np.mod(distinct, 1) == 0):
        why = (f"heeft maar {distinct.size} verschillende gehele waarden "
               f"({', '.join(f'{v:g}' for v in distinct[:8])}): een indeling, geen gewicht")
    elif label and BACKGROUND.search(plain(label)) and not WEIGHT_WORDS.search(plain(label)):
        why = f"heeft het label \"{label}\": een achtergrondkenmerk, geen gewicht"
    elif label == "" and BACKGROUND.search(plain(name)) and not WEIGHT_WORDS.search(plain(name)):
        why = "heeft de naam van een achtergrondkenmerk, geen gewicht"
    if why is None:
        return []
    return [Flag("fout", "gewicht", f"design.weight {name} {why}. Kies de weegfactor van het "
                 "onderzoeksbureau", name)]
