"""The codebook draft of `ivb init`: what the survey's labels prove is written as a mapping;
every choice the files cannot prove is a `TE BESLISSEN` line with its evidence and alternatives.

* A variable is mapped without review only when its answer labels AND its question text match
  the item (`ItemMatch.certain`); otherwise the mapping is written with `TE BESLISSEN`.
* A filter code's meaning is written without review only on evidence: a label naming the answer
  ("nooit onveilig" = "(bijna) nooit"), or the data (the code occurs exactly where the preceding
  question was answered "(bijna) nooit" / "nee"). Otherwise `TE BESLISSEN`.
* `not_asked` lists only items without any candidate variable; an item with a candidate is a
  `TE BESLISSEN` comment naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyreadstat
import yaml

from ivb_analysis.catalogue import Catalogue, Item, load_catalogue
from ivb_analysis.decisions import TODO
from ivb_analysis.labelmatch import none_category, plain, question_similarity
from ivb_analysis.onboard.matching import (
    MATCH_MIN,
    WEAK_ANSWER,
    ItemMatch,
    find_design,
    match_items,
    match_scale,
)
from ivb_analysis.onboard.metadata import Variable, read_survey_metadata

#: item -> (preceding item, its catalogue answer that skips the item, the answer the skip means)
FILTER_PAIRS = {"onv_buurt": ("onv_algemeen", 2, 3)}


def _y(value: object) -> str:
    """A YAML flow scalar/collection on one line."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return text.strip().removesuffix("...").strip()


def _c(text: str) -> str:
    """Text safe inside a YAML comment (one line)."""
    return " ".join(str(text).split())


@dataclass
class Draft:
    """Everything `ivb init` derived, for the files and for the summary on screen."""

    design: dict[str, tuple[str, str]]
    matches: dict[str, ItemMatch]
    global_missing: dict[int, str]
    unmatched: dict[str, str]
    not_found: list[Item]
    variables: dict[str, Variable]
    sources: list[str]
    todo: list[str] = field(default_factory=list)
    candidates: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # item -> vars
    filters: dict[str, dict[int, tuple[int | None, str]]] = field(default_factory=dict)

    @property
    def not_asked(self) -> list[Item]:
        """Items without any candidate variable."""
        return [i for i in self.not_found if i.id not in self.candidates]


def _pairs(catalogue: Catalogue) -> dict[str, tuple[str, int, int]]:
    pairs = dict(FILTER_PAIRS)
    for item_id in catalogue.items:
        if item_id.startswith("ovh_") and "ovf_" + item_id[4:] in catalogue.items:
            pairs[item_id] = ("ovf_" + item_id[4:], 3, 3)
    return pairs


def _filter_evidence(paths: list[Path], draft: Draft, catalogue: Catalogue) -> None:
    """A meaning per filter code where the label or the data prove it."""
    by_item = {m.item: name for name, m in draft.matches.items()}
    pairs = _pairs(catalogue)
    data = {}
    for name, match in draft.matches.items():
        var = draft.variables[name]
        scale = catalogue.items[match.item].scale
        for code, label in var.filter_codes.items():
            none = none_category(label, scale)
            if none is not None:
                answer = catalogue.items[match.item].categories[none]
                draft.filters.setdefault(name, {})[code] = (
                    none, f'label "{_c(label)}" = {none} "{answer}"')
                continue
            pair = pairs.get(match.item)
            first = by_item.get(pair[0]) if pair else None
            if pair is None or first is None:
                continue
            if not data:
                data = _columns(paths)
            skip_codes = [o for o, n in draft.matches[first].scale.mapping.items() if n == pair[1]]
            values = data.get(name)
            before = data.get(first)
            if values is None or before is None:
                continue
            mask = values == code
            if mask.sum() >= 10 and np.mean(np.isin(before[mask], skip_codes)) >= 0.9:
                item = catalogue.items[match.item]
                draft.filters.setdefault(name, {})[code] = (pair[2], (
                    f"{code} staat alleen bij wie bij {first} "
                    f"\"{catalogue.items[pair[0]].categories[pair[1]]}\" antwoordde: "
                    f"{pair[2]} \"{item.categories[pair[2]]}\""))


def _columns(paths: list[Path]) -> dict[str, np.ndarray]:
    """Every column of the survey files as one float array (waves stacked)."""
    frames = [pyreadstat.read_sav(str(p), user_missing=True)[0] for p in paths]
    names = set.intersection(*(set(f.columns) for f in frames))
    out = {}
    for name in names:
        try:
            out[name] = np.concatenate([f[name].to_numpy(dtype="float64") for f in frames])
        except (TypeError, ValueError):
            continue
    return out


def _fits(var: Variable, item: Item) -> bool:
    """Do the variable's answer labels name the item's categories (on average at least 0.5)?"""
    fit = match_scale(var.answers, item.scale, item.categories) if var.value_labels else None
    return fit is not None and fit.score >= 0.5


def _why_unmatched(var: Variable, catalogue: Catalogue, matched: dict[str, str]) -> str:
    """The real reason a variable has no item."""
    if not var.value_labels:
        return "geen waardelabels"
    fits = [(question_similarity(var.label, item.label), item.id)
            for item in catalogue.items.values() if _fits(var, item)]
    if not fits:
        return f"antwoordcodes {_c(var.answers)} passen bij geen antwoordschaal van de catalogus"
    score, best = max(fits)
    if best in matched:
        return (f"beste item {best} (vraagtekst {score:.2f}) is al gekoppeld aan "
                f"{matched[best]}")
    return (f"vraagtekst lijkt te weinig op een item (beste: {best}, {score:.2f}; drempel "
            f"{MATCH_MIN})")


def draft_codebook(paths: list[Path], catalogue: Catalogue | None = None) -> Draft:
    """Match the survey files' metadata against the catalogue."""
    catalogue = catalogue or load_catalogue()
    variables = read_survey_metadata(paths)
    design = find_design(variables)
    design_names = {v for v, _ in design.values()}
    candidates = [v for v in variables.values() if v.name not in design_names and v.answers]
    matches = match_items(candidates, catalogue)
    matched = {m.item: name for name, m in matches.items()}
    unmatched = {}
    for var in variables.values():
        if var.name in design_names or var.name in matches:
            continue
        unmatched[var.name] = f'"{_c(var.label)}": ' + _why_unmatched(var, catalogue, matched)
    # Missing codes with the same meaning in every matched variable are global.
    per_var = [variables[name].missing_codes for name in matches]
    common = set.intersection(*(set(m) for m in per_var)) if per_var else set()
    global_missing = {}
    for code in sorted(common):
        labels = {plain(m[code]) for m in per_var}
        if len(labels) == 1:
            global_missing[code] = per_var[0][code] or "ontbrekend"
    not_found = [item for item in catalogue.items.values() if item.id not in matched]
    draft = Draft(design, matches, global_missing, unmatched, not_found, variables,
                  [p.name for p in paths])
    for item in not_found:
        found = sorted(((question_similarity(variables[v].label, item.label), v)
                        for v in unmatched if _fits(variables[v], item)),
                       reverse=True)
        found = [(v, s) for s, v in found if s >= MATCH_MIN]
        if found:
            draft.candidates[item.id] = found[:3]
    _filter_evidence(paths, draft, catalogue)
    for role in ("id", "wijk", "weight"):
        if role not in design:
            draft.todo.append(f"ontwerpvariabele {role} niet gevonden: vul design.{role} in")
    return draft


def codebook_text(draft: Draft) -> str:
    """The draft codebook as YAML with comments (evidence, confidence, what to decide)."""
    lines = [
        f"# CONCEPT-codeboek, gemaakt door `ivb init` uit: {', '.join(draft.sources)}.",
        "# Elke koppeling staat met bewijs (variabelelabel ~ itemlabel, waardelabels ~",
        "# antwoordschaal) als commentaar. Regels met de woorden TE (spatie) BESLISSEN vragen een",
        "# keuze die niet uit het bestand volgt: vul in en haal die woorden weg; ivb check,",
        "# prepare en run weigeren zolang er één staat. De taal van het codeboek staat in",
        "# docs/levering.md.",
        "design:",
    ]
    for role in ("id", "wijk", "weight", "strata", "year"):
        if role in draft.design:
            name, evidence = draft.design[role]
            lines.append(f"  {role}: {_y(name)}  # {_c(evidence)}")
        elif role == "strata":
            lines.append("  # strata: niet gevonden; zonder strata is de wijk het stratum")
        elif role == "year":
            lines.append("  # year: niet gevonden (optioneel: een kolom met het meetjaar)")
        else:
            lines.append(f"  # {role}: {TODO}: geen variabele gevonden")
    n = len(draft.matches)
    if draft.global_missing:
        lines.append("missing_codes:  # ontbrekend in elke gekoppelde variabele, zelfde label")
        for code, label in draft.global_missing.items():
            lines.append(f"  {code}: {_y(label)}  # in alle {n} variabelen")
    else:
        lines.append("missing_codes: {}  # geen code is in elke variabele ontbrekend")
    if draft.not_asked:
        lines.append("not_asked:  # catalogusitems zonder enige kandidaat-variabele")
        for item in draft.not_asked:
            lines.append(f"  - {item.id}  # niet gevonden: \"{_c(item.label)}\"")
    else:
        lines.append("not_asked: []")
    for item_id, found in draft.candidates.items():
        alternatives = ", ".join(f'{v} "{_c(draft.variables[v].label)}" ({s:.2f})'
                                 for v, s in found)
        lines.append(f"# {item_id}: {TODO}: niet gekoppeld; kandidaat: {alternatives}. Koppel "
                     f"(`{found[0][0]}: {item_id}` onder variables) of zet het onder not_asked")
    lines.append("variables:")
    order = list(load_catalogue().items)
    for name, match in sorted(draft.matches.items(), key=lambda kv: order.index(kv[1].item)):
        lines += _variable_lines(draft, name, match)
    if draft.unmatched:
        lines.append("# Niet gekoppelde variabelen (staan niet in het codeboek; koppel ze met")
        lines.append("# `naam: item` onder variables als ze een catalogusitem meten):")
        for name, why in draft.unmatched.items():
            lines.append(f"#   {name}: {why}")
    return "\n".join(lines) + "\n"


def _variable_lines(draft: Draft, name: str, match: ItemMatch) -> list[str]:
    var = draft.variables[name]
    item = load_catalogue().items[match.item]
    runner = (f"; op dezelfde schaal daarna {match.label_runner_up[0]} "
              f"({match.label_runner_up[1]:.2f})" if match.label_runner_up[0] else "")
    decide = "" if match.certain else (
        f"{TODO}: vraagtekst en antwoordlabels bewijzen de koppeling niet samen; kies het "
        "item (of haal de variabele weg); ")
    lines = [
        f"  {_y(var.name)}:",
        f"    item: {match.item}  # {decide}zekerheid: {match.confidence}; label "
        f"\"{_c(var.label)}\" ~ \"{_c(item.label)}\" ({match.label_score:.2f}){runner}",
    ]
    scale = match.scale
    if scale.recode:
        pairs = "; ".join(f"{o} \"{_c(ol)}\" = {n} \"{_c(nl)}\"" for o, ol, n, nl, _ in scale.pairs
                          if o != n)
        lines.append(f"    recode: {_y(scale.recode)}  # waardelabels: {pairs}")
    else:
        lines.append(f"    # codes als de schaal {scale.scale} ({scale.score:.2f})")
    for old, old_label, new, new_label, sim in scale.pairs:
        if sim < WEAK_ANSWER:
            lines.append(f"    # controleren: {old} \"{_c(old_label)}\" -> {new} "
                         f"\"{_c(new_label)}\" (labels lijken weinig op elkaar: {sim:.2f})")
    own = {c: lab for c, lab in var.missing_codes.items() if c not in draft.global_missing}
    if own:
        undeclared = "(label; niet als user-missing gedeclareerd)"
        why = "; ".join(f"{c} \"{_c(lab)}\" "
                        + ("(SPSS user-missing)" if c in var.user_missing else undeclared)
                        for c, lab in own.items())
        lines.append(f"    missing: {_y(sorted(own))}  # {why}")
    if var.filter_codes:
        proven = draft.filters.get(name, {})
        codes = {c: proven[c][0] if c in proven else None for c in var.filter_codes}
        open_codes = [c for c in var.filter_codes if c not in proven]
        why = "; ".join(f"{c} \"{_c(lab)}\"" for c, lab in var.filter_codes.items())
        if open_codes:
            text = (f"{TODO}: {why}. null = vraag niet van toepassing; of de code van het "
                    "antwoord dat de filter betekent")
        else:
            text = "bewijs: " + "; ".join(proven[c][1] for c in var.filter_codes)
        lines.append(f"    filter: {_y(codes)}  # {text}")
    unlabelled = sorted(var.codes - set(var.value_labels))
    if unlabelled:
        lines.append(f"    # let op: codes zonder waardelabel in de data: {_y(unlabelled)}")
    return lines
