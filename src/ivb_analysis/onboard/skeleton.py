"""The delivery skeleton of `ivb init`: ivb.yaml (defaults from `Settings`, every key
explained), the codebook draft, the wijk list, and a summary. Nothing a user edited is
overwritten: `--force` replaces only files still exactly as `ivb init` wrote them (their SHA-256
is kept in INIT.txt) and otherwise refuses, naming the lines that differ."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
from pathlib import Path

import pandas as pd

from ivb_analysis.atomic import write_bytes, write_text
from ivb_analysis.config import Settings
from ivb_analysis.decisions import TODO
from ivb_analysis.errors import InputError
from ivb_analysis.labelmatch import question_similarity as label_similarity
from ivb_analysis.onboard.draft import Draft, _y, codebook_text, draft_codebook

CODEBOOK_FILE = "codeboek.yaml"
WIJKEN_FILE = "wijken.csv"
SUMMARY_FILE = "INIT.txt"
_HASH = re.compile(r"^  sha256 (\S+) ([0-9a-f]{64})$", re.MULTILINE)


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


def defaults() -> dict[str, object]:
    """The defaults of every optional ivb.yaml key, from `Settings` (the one source)."""
    return {f.name: f.default for f in dataclasses.fields(Settings)
            if f.default is not dataclasses.MISSING}


def settings_text(gemeente_code: str, gemeente_naam: str | None, survey: str, years: list[int]
                  ) -> str:
    """A commented ivb.yaml: every key with a Dutch explanation and the default of `Settings`;
    optional sources commented out."""
    d = defaults()
    naam = _y(gemeente_naam) if gemeente_naam else f'""  # {TODO}: naam van de gemeente'
    jaren = _y(years) if years else f"[]  # {TODO}: de meetjaren"
    return f"""# Instellingen van deze levering (ivb.yaml), gemaakt door `ivb init`.
# Alle sleutels staan in docs/levering.md. Regels die met # beginnen doen niets; haal het #
# weg (en vul in) voor een bron die u aanlevert.

gemeente_code: {gemeente_code}  # CBS-gemeentecode: GM + 4 cijfers
gemeente_naam: {naam}  # zoals lezers hem zien in titels en tekst
years: {jaren}  # meetjaren (golven) van de enquête
synthetic: {_y(d["synthetic"])}  # true: alle uitvoer krijgt de banner SYNTHETISCHE DEMODATA
source_label: {_y(d["source_label"])}  # bronvermelding onder figuren en tabellen
benchmark_group: {_y(d["benchmark_group"])}  # G32, G40, kolom=waarde (ledenbestand) of GM-codes
# benchmark_share: 0.04  # aandeel p in de benchmark (0: zonder gemeente); weg: uit bevolking
min_n: {_y(d["min_n"])}  # minder respondenten in een domein: geen cijfer (onderdrukt)
indicatief_n: {_y(d["indicatief_n"])}  # minder respondenten: cijfer getoond als indicatief
alpha: {_y(d["alpha"])}  # significantieniveau van de toetsen
method_break: {_y(d["method_break"])}  # eerste golf na een methodebreuk (null: geen)
reference_year: {_y(d["reference_year"])}  # vast vergelijkingsjaar (null: alleen vorige golf)
benchmark_waves: {_y(list(d["benchmark_waves"]))}  # golven met benchmark ([]: uit het bestand)
lonely_psu: {_y(d["lonely_psu"])}  # stratum met één respondent: fail/certainty/adjust/average
accepted_deviations: {_y(list(d["accepted_deviations"]))}  # nagekeken afwijkingen met reden
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


def _written_before(out: Path) -> dict[str, str]:
    """File name -> SHA-256 of what the previous `ivb init` wrote (from INIT.txt)."""
    summary = out / SUMMARY_FILE
    if not summary.is_file():
        return {}
    return dict(_HASH.findall(summary.read_text(encoding="utf-8")))


def _refuse_edited(targets: dict[Path, bytes | Path], out: Path, force: bool) -> None:
    """Existing files: without force refused; with force only when unchanged since ivb init."""
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise InputError("bestand bestaat al; ivb init overschrijft niets zonder --force",
                         file=existing[0], expected="een lege of nieuwe map voor --out")
    before = _written_before(out)
    for path in existing:
        content = targets[path]
        data = content.read_bytes() if isinstance(content, Path) else content
        current = path.read_bytes()
        if current == data or hashlib.sha256(current).hexdigest() == before.get(path.name):
            continue
        try:
            old = current.decode("utf-8").splitlines()
            new = data.decode("utf-8").splitlines()
            diff = [line for line in difflib.unified_diff(old, new, lineterm="", n=0)
                    if line[:1] in "+-" and not line.startswith(("+++", "---"))]
            shown = "; ".join(diff[:6]) + (f"; ... ({len(diff)} regels)" if len(diff) > 6 else "")
        except UnicodeDecodeError:
            shown = "binair bestand"
        raise InputError(
            "bestand is na ivb init bewerkt; --force gooit geen bewerkingen weg "
            f"(verschil met een nieuw concept: {shown})", file=path,
            expected="neem de wijzigingen over of verwijder het bestand zelf, en draai opnieuw")


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
    _refuse_edited(targets, out, force)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for target, content in targets.items():
        if isinstance(content, Path):
            written.append(write_bytes(target, content.read_bytes()))
        else:
            written.append(write_bytes(target, content))
    notes = [*draft.todo, *wijk_notes]
    summary = _summary(draft, out, notes, gemeente_naam)
    record = "".join(f"  sha256 {p.name} {hashlib.sha256(p.read_bytes()).hexdigest()}\n"
                     for p in written if p.name in (CODEBOOK_FILE, WIJKEN_FILE, "ivb.yaml"))
    write_text(out / SUMMARY_FILE, summary + "Zoals ivb init ze schreef (ivb init --force "
               "vervangt alleen onbewerkte bestanden):\n" + record)
    written.append(out / SUMMARY_FILE)
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
        f"  {len(draft.not_asked)} catalogusitems zonder kandidaat (onder not_asked): "
        + ", ".join(i.id for i in draft.not_asked),
        "  recodes voorgesteld: " + (", ".join(
            f"{m.variable} {m.scale.recode}" for m in draft.matches.values() if m.scale.recode)
            or "geen"),
    ]
    todo = list(notes)
    if not naam:
        todo.append("gemeente_naam in ivb.yaml invullen")
    filters = [n for n, v in draft.variables.items() if n in draft.matches
               and set(v.filter_codes) - set(draft.filters.get(n, {}))]
    if filters:
        todo.append(f"betekenis van de filtercodes kiezen ({TODO}) bij: " + ", ".join(filters))
    doubtful = [n for n, m in draft.matches.items() if not m.certain]
    if doubtful:
        todo.append(f"koppeling bevestigen ({TODO}) bij: " + ", ".join(doubtful))
    if draft.candidates:
        todo.append(f"items met een kandidaat-variabele koppelen of onder not_asked zetten "
                    f"({TODO}): " + ", ".join(draft.candidates))
    todo.append("codeboek nakijken; daarna `ivb check` / `ivb prepare --data-dir "
                f"{out}`")
    lines.append("Nog te doen:")
    lines += [f"  - {t}" for t in todo]
    return "\n".join(lines) + "\n"

