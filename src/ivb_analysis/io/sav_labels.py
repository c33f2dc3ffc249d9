"""What the .sav itself says each code means, against what the codebook makes of it.

An SPSS file carries value labels (2 = "achteruit") and user-missing definitions (98, 99). After
the codebook's recode, every labelled code must land on the catalogue category its label names:
code 2 labelled "achteruit" mapped onto "gelijk gebleven" is a mix-up, and so is a code the
codebook treats as missing while its label is a valid answer, or a "weet niet" counted as an
answer. Labels are compared with `labelmatch.answer_similarity` (the one label-matching module,
shared with `ivb init`). A label clearly names another category when that category scores at
least `CLEAR` and beats the mapped one by `MARGIN`; a label that matches nothing well is only a
warning (for `ivb check`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ivb_analysis.catalogue import Catalogue, Item
from ivb_analysis.io.codebook import Codebook, VariableSpec
from ivb_analysis.labelmatch import answer_similarity as similarity
from ivb_analysis.labelmatch import normalise

#: A label this similar to a category names it (used for mix-ups and missing-like labels).
CLEAR = 0.6
#: The mapped category counts as matched from this similarity on ...
MATCHED = 0.5
#: ... and a mix-up needs the named category to beat the mapped one by this much.
MARGIN = 0.2
#: Labels that say "no answer" (besides the codebook's own missing_codes labels).
MISSING_WORDS = ("weet niet", "weet ik niet", "geen antwoord", "geen mening",
                 "niet van toepassing", "nvt", "n v t", "wil niet zeggen", "onbekend",
                 "weigert", "weigering", "niet gevraagd", "geen opgave", "missing", "sysmis")

Severity = Literal["fout", "waarschuwing", "ok"]


@dataclass(frozen=True)
class SavMeta:
    """Value labels and user-missing definitions of one .sav, per variable."""

    value_labels: dict[str, dict[int, str]] = field(default_factory=dict)
    user_missing: dict[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)  # the question texts

    @classmethod
    def from_pyreadstat(cls, meta: object) -> SavMeta:
        labels = {
            str(var): {int(code): str(text) for code, text in codes.items()
                       if isinstance(code, (int, float)) and float(code).is_integer()}
            for var, codes in (getattr(meta, "variable_value_labels", None) or {}).items()
        }
        ranges: dict[str, list[tuple[float, float]]] = {}
        for var, spans in (getattr(meta, "missing_ranges", None) or {}).items():
            for span in spans:
                lo, hi = span.get("lo"), span.get("hi")
                if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
                    ranges.setdefault(str(var), []).append((float(lo), float(hi)))
        for var, values in (getattr(meta, "missing_user_values", None) or {}).items():
            for value in values:
                if isinstance(value, (int, float)):
                    ranges.setdefault(str(var), []).append((float(value), float(value)))
        names = getattr(meta, "column_names_to_labels", None) or {}
        texts = {str(k): str(v) for k, v in names.items() if v}
        return cls(labels, {k: tuple(v) for k, v in ranges.items()}, texts)

    def __deepcopy__(self, memo: dict) -> SavMeta:
        """Immutable: pandas copies a frame's attrs on every operation, so share, don't copy."""
        return self

    def is_user_missing(self, variable: str, code: int) -> bool:
        return any(lo <= code <= hi for lo, hi in self.user_missing.get(variable, ()))


@dataclass(frozen=True)
class LabelFinding:
    """One labelled (or SPSS-missing) code of one variable, compared with the codebook."""

    variable: str
    item: str
    code: int
    label: str | None
    severity: Severity
    message: str


def best_category(label: str, item: Item) -> tuple[int, float, dict[int, float]]:
    """The category the label names best: code, similarity, and every category's similarity."""
    scores = {code: similarity(label, text) for code, text in item.categories.items()}
    code = max(scores, key=lambda c: (scores[c], -c))
    return code, scores[code], scores


def missing_like(label: str, codebook: Codebook) -> str | None:
    """The "no answer" phrase a label matches, or None."""
    text = f" {normalise(label)} "
    words = (*MISSING_WORDS, *codebook.missing_codes.values())
    for phrase in words:
        norm = normalise(phrase)
        if norm and (f" {norm} " in text or similarity(label, phrase) >= 0.8):
            return phrase
    return None


def _number(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def proposed_recode(spec: VariableSpec, item: Item, labels: dict[int, str],
                    codebook: Codebook) -> dict[int, int]:
    """The recode the labels ask for: every clearly labelled code onto the category it names."""
    out: dict[int, int] = {}
    for code, label in sorted(labels.items()):
        if code in spec.filter or code in spec.missing or missing_like(label, codebook):
            continue
        best, score, _ = best_category(label, item)
        if score >= CLEAR and best != code:
            out[code] = best
    return out


def compare_labels(codebook: Codebook, catalogue: Catalogue, meta: SavMeta,
                   present: dict[str, set[int]] | None = None) -> list[LabelFinding]:
    """Every labelled or SPSS-missing code of the mapped variables, judged against the codebook.

    `present` (variable -> codes in the data) adds codes inside SPSS missing ranges that carry
    no label. Findings come in codebook order, then by code.
    """
    findings: list[LabelFinding] = []
    for name, spec in codebook.variables.items():
        item = catalogue.items[spec.item]
        meaning = codebook.meaning(spec, item)
        labels = meta.value_labels.get(name, {})
        codes = set(labels) | {c for c in (present or {}).get(name, set())
                               if meta.is_user_missing(name, c)}
        for code in sorted(codes):
            finding = _judge(codebook, spec, item, meaning, meta, code, labels.get(code))
            if finding is not None:
                findings.append(finding)
    return findings


def _judge(codebook: Codebook, spec: VariableSpec, item: Item, meaning: dict[int, int | None],
           meta: SavMeta, code: int, label: str | None) -> LabelFinding | None:
    def found(severity: Severity, message: str) -> LabelFinding:
        return LabelFinding(spec.name, spec.item, code, label, severity, message)

    if code not in meaning or code in spec.filter:
        return None  # invalid codes are the data check's job; filter codes have their own rule
    target = meaning[code]
    said = f"code {code} (label '{label}')" if label is not None else f"code {code}"
    where = f"variabele {spec.name} ({spec.item}, schaal '{item.scale}')"
    if target is not None and meta.is_user_missing(spec.name, code) and code not in spec.recode:
        return found("fout", f"{where}: {said} is in het .sav als ontbrekend gedefinieerd "
                     f"(SPSS user-missing), maar telt nu als het antwoord "
                     f"'{item.categories[target]}'. Oplossing: zet {code} onder 'missing:' van "
                     f"{spec.name} (of onder missing_codes als het overal ontbrekend is)")
    if label is None:
        return None
    no_answer = missing_like(label, codebook)
    best, score, scores = best_category(label, item)
    if target is None:
        if no_answer is None and score >= CLEAR:
            source = ("missing_codes" if code in codebook.missing_codes
                      else f"'missing:' van {spec.name}")
            return found("fout", f"{where}: {said} is volgens het .sav het geldige antwoord "
                         f"'{item.categories[best]}' (code {best}, gelijkenis {_number(score)}), "
                         f"maar het codeboek maakt het ontbrekend via {source}. Oplossing: haal "
                         f"{code} weg onder {source}"
                         + (" en zet het alleen onder 'missing:' van de variabelen waar het "
                            "'geen antwoord' betekent" if code in codebook.missing_codes else ""))
        return found("ok", f"{where}: {said} = ontbrekend")
    if no_answer is not None:
        return found("fout", f"{where}: {said} betekent '{no_answer}', maar telt nu als het "
                     f"antwoord '{item.categories[target]}'. Oplossing: zet {code} onder "
                     f"'missing:' van {spec.name}")
    mapped = scores[target]
    if mapped >= MATCHED and mapped >= score - 0.05:
        return found("ok", f"{where}: {said} -> '{item.categories[target]}' "
                     f"(gelijkenis {_number(mapped)})")
    if score >= CLEAR and best != target and score - mapped >= MARGIN:
        labels = meta.value_labels.get(spec.name, {})
        proposal = proposed_recode(spec, item, labels, codebook)
        fix = (f"recode: {{{', '.join(f'{k}: {v}' for k, v in proposal.items())}}}"
               if proposal else f"recode: {{{code}: {best}}}")
        return found("fout", f"{where}: {said} wordt '{item.categories[target]}' (code {target}), "
                     f"maar het label lijkt op '{item.categories[best]}' (code {best}, "
                     f"gelijkenis {_number(score)} tegen {_number(mapped)}). Oplossing: zet bij "
                     f"{spec.name} {fix}")
    return found("waarschuwing", f"{where}: {said} lijkt op geen categorie duidelijk; het "
                 f"codeboek maakt er '{item.categories[target]}' van (gelijkenis "
                 f"{_number(mapped)}). Controleer de codering")
