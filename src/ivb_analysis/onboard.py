"""`ivb init`: a delivery skeleton and a codebook draft from the survey's own SPSS metadata.

The .sav files carry what every code means: variable labels, value labels and user-missing
definitions. This module matches them against the catalogue (item labels and answer scales) with
deterministic text matching (normalised text, difflib ratios, token overlap; an optimal one-to-one
assignment with scipy), and writes what it found as a draft for a person to review:

* `ivb.yaml` with every key explained in a Dutch comment;
* a codebook in the codebook language (design, missing_codes, not_asked, variables with `item`,
  `recode`, `missing`, `filter`), every match with its evidence and a confidence as a comment;
  variables without a match and catalogue items without a variable are listed;
* the wijk list from the wijk variable's value labels.

Nothing is guessed silently: what cannot be derived from the file is marked `TE BESLISSEN`.
Existing files are never overwritten without `force`; only `out` is written.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import yaml
from scipy.optimize import linear_sum_assignment

from ivb_analysis.atomic import write_bytes, write_text
from ivb_analysis.catalogue import Catalogue, Item, load_catalogue
from ivb_analysis.errors import InputError
from ivb_analysis.io.sav_labels import similarity

CODEBOOK_FILE = "codeboek.yaml"
WIJKEN_FILE = "wijken.csv"
TODO = "TE BESLISSEN"
#: Value labels that mean "no valid answer" (besides SPSS user-missing declarations).
MISSING_WORDS = re.compile(r"weet\s*niet|geen\s*antwoord|geen\s*mening|wil\s*niet|onbekend|"
                           r"missing|weigert|n\.?v\.?t\.?$")
FILTER_WORDS = re.compile(r"niet\s*gevraagd|niet\s*van\s*toepassing|filter|overgeslagen")
ROLE_WORDS = {
    "id": re.compile(r"respondent|resp_?n|volgn|\bid\b|^id|respnr|volgnr"),
    "wijk": re.compile(r"wijk"),
    "weight": re.compile(r"gewicht|weeg|weight"),
    "strata": re.compile(r"strat"),
    "year": re.compile(r"\bjaar\b|meetjaar|\byear\b"),
}
_STOP = ("de het een van in op en of u uw is er zijn met voor bij aan te dat die deze hoe over om "
         "als wel niet door wat naar ik me mijn zich heeft hebben wordt worden komt")
STOPWORDS = frozenset(_STOP.split())
MATCH_MIN = 0.35  # below this label similarity a variable is left unmatched
WEAK_ANSWER = 0.6  # an answer label less similar than this to its category is flagged
CONFIDENCE = ((0.75, "hoog"), (0.5, "gemiddeld"), (0.0, "laag"))


# ---------------------------------------------------------------------------------------------
# Reading the SPSS metadata
# ---------------------------------------------------------------------------------------------


@dataclass
class Variable:
    """One variable of the survey files: labels, missing definitions and codes seen."""

    name: str
    label: str
    value_labels: dict[int, str]
    user_missing: set[int]
    codes: set[int] = field(default_factory=set)
    unique: bool = True
    positive: bool = True
    integer: bool = True
    files: int = 0  # number of survey files the variable is in

    @property
    def missing_codes(self) -> dict[int, str]:
        """Codes that are no answer: SPSS user-missing, or labelled as such (filter codes
        excepted: what they mean is a decision, see `filter_codes`)."""
        codes = sorted((self.codes | set(self.value_labels)) - set(self.filter_codes))
        return {c: self.value_labels.get(c, "") for c in codes if c in self.user_missing
                or MISSING_WORDS.search(_norm(self.value_labels.get(c, "")))}

    @property
    def filter_codes(self) -> dict[int, str]:
        """Codes labelled as 'not asked' after a filter question, even when SPSS declares them
        missing: after "(bijna) nooit" such a code can mean an answer ("geen overlast")."""
        return {c: lab for c, lab in sorted(self.value_labels.items())
                if FILTER_WORDS.search(_norm(lab))}

    @property
    def answers(self) -> dict[int, str]:
        """The labelled answer codes (neither missing nor filter)."""
        skip = set(self.missing_codes) | set(self.filter_codes)
        return {c: lab for c, lab in sorted(self.value_labels.items()) if c not in skip}


def _as_int(value: float) -> int | None:
    return int(value) if float(value).is_integer() else None


def read_survey_metadata(paths: list[Path]) -> dict[str, Variable]:
    """Variables of one or more waves (.sav): labels from the first file, codes from all."""
    variables: dict[str, Variable] = {}
    for path in paths:
        if not path.is_file():
            raise InputError("enquêtebestand ontbreekt", file=path)
        if path.suffix.lower() != ".sav":
            raise InputError("ivb init leest alleen SPSS-bestanden", file=path,
                             expected=".sav (met variabele- en waardelabels)", found=path.suffix)
        try:
            data, meta = pyreadstat.read_sav(str(path), user_missing=True)
        except pyreadstat.ReadstatError as exc:
            raise InputError(f"SPSS-bestand is onleesbaar ({exc})", file=path) from exc
        for name in data.columns:
            column = data[name]
            numeric = pd.api.types.is_numeric_dtype(column)
            values = column.dropna().to_numpy(dtype="float64") if numeric else np.array([])
            var = variables.get(name)
            if var is None:
                labels = {}
                for code, text in (meta.variable_value_labels.get(name) or {}).items():
                    if isinstance(code, (int, float)) and _as_int(code) is not None:
                        labels[int(code)] = str(text)
                var = Variable(name, str(meta.column_names_to_labels.get(name) or ""), labels,
                               _user_missing(meta, name, labels))
                variables[name] = var
            var.files += 1
            var.integer &= bool(numeric) and bool(np.all(np.mod(values, 1) == 0))
            var.positive &= (bool(numeric) and bool(np.all(values > 0))
                             and len(values) == len(column))
            var.unique &= bool(column.notna().all() and column.is_unique)
            if var.integer:
                var.codes |= {int(v) for v in np.unique(values)}
    return variables


def _user_missing(meta, name: str, labels: dict[int, str]) -> set[int]:
    """Discrete user-missing values and labelled codes inside user-missing ranges."""
    out: set[int] = set()
    for spec in (meta.missing_ranges or {}).get(name, []) or []:
        lo, hi = spec["lo"], spec["hi"]
        if lo == hi and _as_int(lo) is not None:
            out.add(int(lo))
        else:
            out |= {c for c in labels if lo <= c <= hi}
    for value in (getattr(meta, "missing_user_values", None) or {}).get(name, []) or []:
        if isinstance(value, (int, float)) and _as_int(value) is not None:
            out.add(int(value))
    return out


# ---------------------------------------------------------------------------------------------
# Text matching
# ---------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _tokens(text: str) -> set[str]:
    """Content words, cut to a stem of 6 letters (geluidsoverlast ~ geluid, overlast)."""
    return {w[:6] for w in _norm(text).split() if len(w) > 2 and w not in STOPWORDS}


def label_similarity(a: str, b: str) -> float:
    """0-1: the larger of a character ratio and a token overlap (Dice) of two labels."""
    na, nb = _norm(a), _norm(b)
    if not na or not nb:
        return 0.0
    ratio = difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()
    ta, tb = _tokens(a), _tokens(b)
    dice = 2 * len(ta & tb) / (len(ta) + len(tb)) if ta and tb else 0.0
    return max(ratio, dice)


def _answer_similarity(label: str, category: str) -> float:
    """How well a value label names a scale category: the measure the codebook check uses
    (`io.sav_labels.similarity`), so a drafted recode is one the check accepts."""
    return similarity(label, category)


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
    sim = np.array([[_answer_similarity(answers[o], categories[n]) for n in new] for o in old])
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
        out[var.name] = ItemMatch(var.name, item.id, float(label_scores[i, j]),
                                  scales[(var.name, item.scale)],  # type: ignore[arg-type]
                                  (others[0][0], float(others[0][1])) if others else None)
    return out


def find_design(variables: dict[str, Variable]) -> dict[str, tuple[str, str]]:
    """Design roles -> (variable, evidence) from names, labels and values."""
    found: dict[str, tuple[str, str]] = {}
    for role in ("id", "wijk", "weight", "strata", "year"):
        for var in variables.values():
            if any(var.name == v for v, _ in found.values()):
                continue
            text = f"{_norm(var.name)} {_norm(var.label)}"
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


# ---------------------------------------------------------------------------------------------
# Writing the draft
# ---------------------------------------------------------------------------------------------


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


def draft_codebook(paths: list[Path], catalogue: Catalogue | None = None) -> Draft:
    """Match the survey files' metadata against the catalogue."""
    catalogue = catalogue or load_catalogue()
    variables = read_survey_metadata(paths)
    design = find_design(variables)
    design_names = {v for v, _ in design.values()}
    candidates = [v for v in variables.values() if v.name not in design_names and v.answers]
    matches = match_items(candidates, catalogue)
    unmatched = {}
    for var in variables.values():
        if var.name in design_names or var.name in matches:
            continue
        unmatched[var.name] = (f'"{_c(var.label)}": ' + (
            "geen waardelabels" if not var.value_labels else
            f"antwoordcodes {_c(var.answers)} passen bij geen item van de catalogus"))
    # Missing codes with the same meaning in every matched variable are global.
    per_var = [variables[name].missing_codes for name in matches]
    common = set.intersection(*(set(m) for m in per_var)) if per_var else set()
    global_missing = {}
    for code in sorted(common):
        labels = {_norm(m[code]) for m in per_var}
        if len(labels) == 1:
            global_missing[code] = per_var[0][code] or "ontbrekend"
    used = {m.item for m in matches.values()}
    not_found = [item for item in catalogue.items.values() if item.id not in used]
    draft = Draft(design, matches, global_missing, unmatched, not_found, variables,
                  [p.name for p in paths])
    for role in ("id", "wijk", "weight"):
        if role not in design:
            draft.todo.append(f"ontwerpvariabele {role} niet gevonden: vul design.{role} in")
    return draft


def codebook_text(draft: Draft) -> str:
    """The draft codebook as YAML with comments (evidence, confidence, what to decide)."""
    lines = [
        f"# CONCEPT-codeboek, gemaakt door `ivb init` uit: {', '.join(draft.sources)}.",
        "# Elke koppeling staat met bewijs (variabelelabel ~ itemlabel, waardelabels ~",
        "# antwoordschaal) en zekerheid (hoog/gemiddeld/laag) als commentaar. Controleer alles;",
        f"# regels met {TODO} vragen een keuze die niet uit het bestand volgt.",
        "# De taal van het codeboek staat in docs/levering.md.",
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
    if draft.not_found:
        lines.append("not_asked:  # catalogusitems zonder variabele in de levering: bevestig, of")
        lines.append("            # koppel alsnog een variabele onder variables")
        for item in draft.not_found:
            lines.append(f"  - {item.id}  # niet gevonden: \"{_c(item.label)}\"")
    else:
        lines.append("not_asked: []")
    lines.append("variables:")
    for name, match in sorted(draft.matches.items(), key=lambda kv: _order(kv[1].item)):
        lines += _variable_lines(draft.variables[name], match, draft.global_missing)
    if draft.unmatched:
        lines.append("# Niet gekoppelde variabelen (staan niet in het codeboek; koppel ze met")
        lines.append("# `naam: item` onder variables als ze een catalogusitem meten):")
        for name, why in draft.unmatched.items():
            lines.append(f"#   {name}: {why}")
    return "\n".join(lines) + "\n"


def _order(item_id: str) -> int:
    return list(load_catalogue().items).index(item_id)


def _variable_lines(var: Variable, match: ItemMatch, global_missing: dict[int, str]
                    ) -> list[str]:
    item = load_catalogue().items[match.item]
    runner = (f"; daarna {match.runner_up[0]} ({match.runner_up[1]:.2f})"
              if match.runner_up else "")
    lines = [
        f"  {_y(var.name)}:",
        f"    item: {match.item}  # zekerheid: {match.confidence}; score {match.score:.2f}"
        f"{runner}; label \"{_c(var.label)}\" ~ \"{_c(item.label)}\" ({match.label_score:.2f})",
    ]
    scale = match.scale
    weak = [p for p in scale.pairs if p[4] < WEAK_ANSWER]
    if scale.recode:
        pairs = "; ".join(f"{o} \"{_c(ol)}\" = {n} \"{_c(nl)}\"" for o, ol, n, nl, _ in scale.pairs
                          if o != n)
        lines.append(f"    recode: {_y(scale.recode)}  # waardelabels: {pairs}")
    else:
        lines.append(f"    # codes als de schaal {scale.scale} ({scale.score:.2f})")
    for old, old_label, new, new_label, sim in weak:
        lines.append(f"    # controleren: {old} \"{_c(old_label)}\" -> {new} \"{_c(new_label)}\" "
                     f"(labels lijken weinig op elkaar: {sim:.2f})")
    own = {c: lab for c, lab in var.missing_codes.items() if c not in global_missing}
    if own:
        undeclared = "(label; niet als user-missing gedeclareerd)"
        why = "; ".join(f"{c} \"{_c(lab)}\" "
                        + ("(SPSS user-missing)" if c in var.user_missing else undeclared)
                        for c, lab in own.items())
        lines.append(f"    missing: {_y(sorted(own))}  # {why}")
    if var.filter_codes:
        codes = {c: None for c in var.filter_codes}
        why = "; ".join(f"{c} \"{_c(lab)}\"" for c, lab in var.filter_codes.items())
        lines.append(f"    filter: {_y(codes)}  # {TODO}: {why}. null = vraag niet van "
                     "toepassing; of de code van het antwoord dat de filter betekent")
    unlabelled = sorted(var.codes - set(var.value_labels))
    if unlabelled:
        lines.append(f"    # let op: codes zonder waardelabel in de data: {_y(unlabelled)}")
    return lines


def wijken_frame(draft: Draft, gemeente_code: str, reference: pd.DataFrame | None = None
                 ) -> tuple[pd.DataFrame, list[str]]:
    """The wijk list from the wijk variable's value labels, and notes on how codes were found.

    A label with a CBS code (`WK015300 ...`) gives the code; else a label `Wijk 00 Name` (the CBS
    title) whose number equals the value gives `WK` + the gemeente's digits + the number, which is
    reported for checking; else, with `reference` (the CBS codes and names that `ivb fetch`
    writes, columns `wijkcode`, `wijknaam`), the one CBS name the label matches (similarity at
    least 0.8, clearly ahead of the next).
    """
    if "wijk" not in draft.design:
        return pd.DataFrame(columns=["nummer", "wijkcode", "wijknaam"]), [
            f"wijkvariabele niet gevonden: {WIJKEN_FILE} is leeg ({TODO})"]
    var = draft.variables[draft.design["wijk"][0]]
    rows, notes = [], []
    digits = gemeente_code[2:]
    for value, label in sorted(var.value_labels.items()):
        code = re.search(r"WK\d{6}", label)
        title = re.fullmatch(r"\s*[Ww]ijk\s+(\d{1,2})\s+(.*)", label)
        name = re.sub(r"WK\d{6}\s*", "", label).strip()
        if code:
            wijkcode = code.group(0)
        elif title and int(title.group(1)) == value and 0 <= value <= 99:
            wijkcode = f"WK{digits}{value:02d}"
            name = title.group(2).strip()
            notes.append(f"{value} \"{label}\": {wijkcode} afgeleid uit gemeentecode en "
                         "wijknummer (controleren)")
        elif (found := _reference_code(label, reference)) is not None:
            wijkcode, cbs_name, score = found
            if score < 1.0:
                notes.append(f"{value} \"{label}\": {wijkcode} \"{cbs_name}\" uit de CBS-namen "
                             f"(gelijkenis {score:.2f}; controleren)")
        else:
            wijkcode = ""
            notes.append(f"{value} \"{label}\": geen CBS-wijkcode af te leiden ({TODO})")
        rows.append((value, wijkcode, name))
    return pd.DataFrame(rows, columns=["nummer", "wijkcode", "wijknaam"]), notes


def _reference_code(label: str, reference: pd.DataFrame | None) -> tuple[str, str, float] | None:
    """(code, CBS name, similarity) of the one CBS wijk name the label matches, else None."""
    if reference is None or reference.empty:
        return None
    scores = sorted(((label_similarity(label, str(name)), str(code), str(name))
                     for code, name in zip(reference["wijkcode"], reference["wijknaam"],
                                           strict=True)), reverse=True)
    best = scores[0]
    runner = scores[1][0] if len(scores) > 1 else 0.0
    if best[0] >= 0.8 and best[0] - runner >= 0.1:
        return best[1], best[2], best[0]
    return None


def survey_pattern(paths: list[Path]) -> tuple[str, list[int]]:
    """`{year}` file-name pattern and the waves, from the survey files' names."""
    names = [p.name for p in paths]
    years = []
    patterns = set()
    for name in names:
        found = re.findall(r"(?<!\d)(20\d\d|19\d\d)(?!\d)", name)
        if len(found) != 1:
            return (names[0] if len(names) == 1 else TODO), []
        years.append(int(found[0]))
        patterns.add(name.replace(found[0], "{year}"))
    if len(patterns) != 1:
        return TODO, sorted(years)
    return patterns.pop(), sorted(years)


def settings_text(gemeente_code: str, gemeente_naam: str | None, survey: str, years: list[int]
                  ) -> str:
    """A commented ivb.yaml: every key with a Dutch explanation; optional sources commented out."""
    naam = _y(gemeente_naam) if gemeente_naam else f'""  # {TODO}: naam van de gemeente'
    jaren = _y(years) if years else f"[]  # {TODO}: de meetjaren"
    return f"""# Instellingen van deze levering (ivb.yaml), gemaakt door `ivb init`.
# Alle sleutels staan in docs/levering.md. Regels die met # beginnen doen niets; haal het #
# weg (en vul in) voor een bron die u aanlevert.

gemeente_code: {gemeente_code}  # CBS-gemeentecode: GM + 4 cijfers
gemeente_naam: {naam}  # zoals lezers hem zien in titels en tekst
years: {jaren}  # meetjaren (golven) van de enquête
synthetic: false  # true: alle uitvoer krijgt de banner SYNTHETISCHE DEMODATA
source_label: Veiligheidsmonitor  # bronvermelding onder figuren en tabellen
benchmark_group: G32  # G32, G40, kolom=waarde uit het ledenbestand, of een lijst GM-codes
benchmark_share: 0.0  # aandeel p van de gemeente in de benchmark (0: benchmark zonder gemeente)
min_n: 50  # minder respondenten in een domein: geen cijfer (onderdrukt)
indicatief_n: 100  # minder respondenten: cijfer getoond als indicatief
alpha: 0.05  # significantieniveau van de toetsen
method_break: 2021  # eerste golf na een methodebreuk: geen toets overspant hem (null: geen)
reference_year: null  # vast vergelijkingsjaar naast de vorige golf (null: alleen vorige golf)
benchmark_waves: []  # golven met een gepubliceerde benchmark ([]: de jaren in het benchmarkbestand)
lonely_psu: fail  # stratum met één respondent: fail, certainty, adjust of average
files:  # bestandsnamen in deze map; {{year}} wordt per meetjaar ingevuld
  survey: {_y(survey)}  # enquête per golf (.sav of .csv)
  codebook: {CODEBOOK_FILE}  # ruwe variabelen -> catalogusitems (CONCEPT: eerst nakijken)
  wijken: {WIJKEN_FILE}  # wijknummer in de enquête -> CBS-wijkcode en naam
  # benchmark: benchmark.csv  # jaar;indicator;waarde;ondergrens;bovengrens;n
  # police: politie_47018NED_wijken.csv  # misdrijven per wijk/buurt (ivb fetch)
  # population: kwb_{{year}}_wijken.csv  # inwoners per wijk per jaar (ivb fetch)
  # casework: casuistiek.csv  # jaar;gemeentecode;gemeente;overleg;aantal
  # group_members: groep_leden.csv  # gemeentecode;statline_naam;<groepkolommen>
  # group_crime: politie_47013NED_gemeenten.csv  # misdrijven per gemeente (ivb fetch)
  # group_population: cbs_37230ned_gemeenten.csv  # inwoners per gemeente (ivb fetch)
  # region_metadata: politie_47013NED_metadata.csv  # naam -> GM-code (ivb fetch)
  # geometry: wijken.geojson  # wijkgrenzen met CBS-code in statcode (ivb fetch)
"""


def init_delivery(gemeente_code: str, surveys: list[Path], out: Path, *,
                  gemeente_naam: str | None = None, force: bool = False) -> tuple[list[Path], str]:
    """Write the delivery skeleton into `out`; returns the written paths and a summary text."""
    if not re.fullmatch(r"GM\d{4}", gemeente_code):
        raise InputError("ongeldige gemeentecode", column="--gemeente",
                         expected="GM gevolgd door 4 cijfers, bijv. GM0153", found=gemeente_code)
    if not surveys:
        raise InputError("geen enquêtebestand opgegeven", column="--survey",
                         expected="minstens één .sav")
    draft = draft_codebook(surveys)
    pattern, years = survey_pattern(surveys)
    cbs_names = out / f"cbs_wijken_{gemeente_code}.csv"  # written by `ivb fetch`
    reference = None
    if cbs_names.is_file():
        reference = pd.read_csv(cbs_names, sep=";", dtype=str, encoding="utf-8")
        if not {"wijkcode", "wijknaam"} <= set(reference.columns):
            raise InputError("kolom ontbreekt", file=cbs_names, column="wijkcode, wijknaam",
                             found=", ".join(reference.columns),
                             expected="het bestand zoals ivb fetch het schrijft")
    wijken, wijk_notes = wijken_frame(draft, gemeente_code, reference)
    targets: dict[Path, bytes | Path] = {
        out / "ivb.yaml": settings_text(gemeente_code, gemeente_naam, pattern, years).encode(),
        out / CODEBOOK_FILE: codebook_text(draft).encode("utf-8"),
        out / WIJKEN_FILE: wijken.to_csv(sep=";", index=False, lineterminator="\n").encode(),
    }
    for path in surveys:
        if path.resolve().parent != out.resolve():
            targets[out / path.name] = path
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise InputError("bestand bestaat al; ivb init overschrijft niets zonder --force",
                         file=existing[0], expected="een lege of nieuwe map voor --out")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for target, content in targets.items():
        if isinstance(content, Path):
            written.append(write_bytes(target, content.read_bytes()))
        else:
            written.append(write_bytes(target, content))
    notes = [*draft.todo, *wijk_notes]
    summary = _summary(draft, out, notes, gemeente_naam)
    write_text(out / "INIT.txt", summary)
    written.append(out / "INIT.txt")
    return written, summary


def _summary(draft: Draft, out: Path, notes: list[str], naam: str | None) -> str:
    by_conf: dict[str, int] = {}
    for match in draft.matches.values():
        by_conf[match.confidence] = by_conf.get(match.confidence, 0) + 1
    lines = [
        f"ivb init: levering-skelet in {out}",
        f"  {len(draft.matches)} variabelen gekoppeld ("
        + ", ".join(f"{k}: {v}" for k, v in sorted(by_conf.items())) + ")",
        f"  {len(draft.unmatched)} variabelen niet gekoppeld: " + ", ".join(draft.unmatched),
        f"  {len(draft.not_found)} catalogusitems niet gevonden (onder not_asked): "
        + ", ".join(i.id for i in draft.not_found),
        "  recodes voorgesteld: " + (", ".join(
            f"{m.variable} {m.scale.recode}" for m in draft.matches.values() if m.scale.recode)
            or "geen"),
    ]
    todo = list(notes)
    if not naam:
        todo.append("gemeente_naam in ivb.yaml invullen")
    filters = [n for n, v in draft.variables.items() if n in draft.matches and v.filter_codes]
    if filters:
        todo.append(f"betekenis van de filtercodes kiezen ({TODO}) bij: " + ", ".join(filters))
    todo.append("codeboek nakijken; daarna `ivb check` / `ivb prepare --data-dir "
                f"{out}`")
    lines.append("Nog te doen:")
    lines += [f"  - {t}" for t in todo]
    return "\n".join(lines) + "\n"

