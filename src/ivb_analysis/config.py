"""Settings: one object for gemeente, benchmark group, years, thresholds and paths.

Settings describe a *delivery*: each data directory under data/raw/ carries an `ivb.yaml` that names
its gemeente, its files and its waves. The CLI and notebook parameters override single fields.
No library module names a gemeente; only a delivery's ivb.yaml does.
"""

from __future__ import annotations

import dataclasses
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ivb_analysis import style
from ivb_analysis.defaults import ALPHA, INDICATIEF_N, MIN_N
from ivb_analysis.errors import InputError
from ivb_analysis.io.neutral import neutral_text
from ivb_analysis.io.safe_yaml import BoundedLoader
from ivb_analysis.io.safe_yaml import problem as yaml_problem

SETTINGS_FILE = "ivb.yaml"
LONELY_PSU = ("fail", "certainty", "adjust", "average")
# Paths are given on the command line, never in ivb.yaml (a delivery must not choose where the
# pipeline writes): key -> the option to use instead.
COMMAND_LINE_ONLY = {"data_dir": "--data-dir", "processed_dir": "--processed-dir",
                     "output_dir": "--output-dir"}
_GEMEENTE_CODE = re.compile(r"GM[0-9]{4}")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class SourceFiles:
    """File names inside the data directory; `{year}` is filled per wave. `survey` may also
    map each wave to its own file (`{2013: a.sav, 2015: b.csv}`)."""

    survey: str | dict[int, str]
    codebook: str
    wijken: str
    benchmark: str | None = None
    police: str | None = None
    population: str | None = None
    casework: str | None = None
    # Benchmark group (police figures, casework rates): the membership file (gemeentecode,
    # statline_naam, group columns), gemeente crime totals as a StatLine 47013NED download and
    # end-of-year population as a 37230ned download. Those downloads carry names only; they are
    # joined to GM codes via `region_metadata` (a 47013NED metadata export) when given, else via
    # the membership file's `statline_naam`.
    group_members: str | None = None
    group_crime: str | None = None
    group_population: str | None = None
    region_metadata: str | None = None
    # Wijk geometry (GeoJSON/GeoPackage with the CBS wijk code in `statcode`): adds maps.
    geometry: str | None = None
    # The gemeente's PowerPoint template (.pptx/.potx) for presentatie_<year>.pptx (deck).
    deck_template: str | None = None


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know, in one place."""

    gemeente_code: str
    gemeente_naam: str
    years: tuple[int, ...]
    files: SourceFiles
    data_dir: Path
    processed_dir: Path = Path("data/processed")
    output_dir: Path = Path("outputs")
    synthetic: bool = False
    source_label: str = "Veiligheidsmonitor"
    # A named group of the membership file ("G32", "G40", "kolom=waarde") or a list of GM codes.
    benchmark_group: str | list[str] = "G32"
    # Share p of the gemeente in the benchmark group (weighted population); 0 when the published
    # benchmark excludes the gemeente. Used for the part-whole correction of the difference's SE.
    # None: computed per wave from the group's population (benchmark.benchmark_shares).
    benchmark_share: float | None = None
    min_n: int = MIN_N
    indicatief_n: int = INDICATIEF_N
    alpha: float = ALPHA
    # First wave of a new survey design: no change or trend test spans it.
    method_break: int | None = 2021
    # Fixed reference year (CBS publishes +/- against a fixed year and against the previous
    # edition); None: only the previous wave. The notebooks' `base_year` parameter sets it.
    reference_year: int | None = None
    # The waves the benchmark was published for (the footprint compares the first and last);
    # empty: the years of the benchmark file.
    benchmark_waves: tuple[int, ...] = ()
    # A stratum with a single respondent/PSU: "fail" (R's default), "certainty", "adjust",
    # "average" (R's options(survey.lonely.psu=...)).
    lonely_psu: str = "adjust"
    # Checked deviations the plausibility guards accept: [{indicator|variable, year?, reason}]
    # (checked and used by `plausibility.accepted`; the method note states them).
    accepted_deviations: tuple[Any, ...] | list[Any] = ()
    # The wijk (name or CBS code) that gets its own block in the key findings, e.g. the centre.
    focus_wijk: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Every Settings object is valid: ranges of the thresholds and shares, the years, the
        benchmark group, and no output or processed folder inside the raw delivery."""
        _check_values(self)
        _check_write_targets(self)

    @property
    def banner(self) -> str | None:
        """The text every output built from synthetic data must carry."""
        return style.SYNTHETIC_LABEL if self.synthetic else None

    def path(self, name: str, year: int | None = None) -> Path:
        """Path of one source file (the pattern filled in for `year`), inside the delivery.

        The file must resolve (symlinks followed) inside the data directory: a delivery cannot
        make the pipeline read `../elders`, an absolute path or a symlink out of the folder.
        """
        pattern = getattr(self.files, name)
        if pattern is None:
            raise InputError(f"deze levering heeft geen bron {name!r}", file=self.settings_file)
        if isinstance(pattern, dict):  # one file per wave
            if year not in pattern:
                raise InputError("geen bestand voor dit meetjaar", file=self.settings_file,
                                 column=f"files.{name}", found=year,
                                 expected=", ".join(map(str, pattern)))
            pattern = pattern[year].replace("{", "{{").replace("}", "}}")
        path = self.data_dir / pattern.format(year=year)
        if not self.contains(path):
            if path.is_symlink():  # name the link itself, and where it points
                raise InputError(
                    f"{path.name} is een snelkoppeling (symlink) naar een bestand buiten de "
                    "levering; kopieer het bestand in de levering", file=path,
                    column=f"files.{name}", expected=f"een bestand in {self.data_dir}",
                    found=str(path.resolve()))
            raise InputError(
                "bestand ligt buiten de levering", file=self.settings_file,
                column=f"files.{name}", expected=f"een bestand in {self.data_dir}",
                found=pattern)
        return path

    def contains(self, path: Path) -> bool:
        """Does `path` resolve (symlinks followed) inside the data directory?"""
        return path.resolve().is_relative_to(self.data_dir.resolve())

    @property
    def settings_file(self) -> Path:
        return self.data_dir / SETTINGS_FILE

    def waves(self, years: Any = None) -> list[int]:
        """The requested survey years (default: all), each checked against the delivery and
        counted once (`--years 2015 2015` is 2015)."""
        chosen = list(dict.fromkeys(int(y) for y in (years if years else self.years)))
        unknown = [y for y in chosen if y not in self.years]
        if unknown:
            raise InputError("geen gegevens voor dit meetjaar in de levering",
                             file=self.settings_file, column="years", found=unknown[0],
                             expected=", ".join(map(str, self.years)))
        return chosen

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields overridden (None values are ignored)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        for key in ("data_dir", "processed_dir", "output_dir"):
            if key in changes:
                changes[key] = Path(changes[key])
        for key in ("years", "benchmark_waves"):  # types are checked in __post_init__
            if key in changes and isinstance(changes[key], list | tuple):
                changes[key] = tuple(changes[key])
        return dataclasses.replace(self, **changes)


_REQUIRED = ("gemeente_code", "gemeente_naam", "years", "files")
_INT_FIELDS = ("min_n", "indicatief_n")
_OPTIONAL_YEARS = ("reference_year", "method_break")


def _bad(settings_file: Path, key: str, message: str, expected: str, found: Any = None
         ) -> InputError:
    return InputError(message, file=settings_file, column=key, expected=expected, found=found)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_values(s: Settings) -> None:
    """Types and ranges of every setting (from ivb.yaml, the CLI or notebook parameters)."""
    file = s.settings_file
    if not isinstance(s.gemeente_code, str) or not _GEMEENTE_CODE.fullmatch(s.gemeente_code):
        raise _bad(file, "gemeente_code", "ongeldige gemeentecode",
                   "GM gevolgd door 4 cijfers, bijv. GM0153", s.gemeente_code)
    if not isinstance(s.gemeente_naam, str) or not s.gemeente_naam.strip():
        raise _bad(file, "gemeente_naam", "gemeentenaam ontbreekt", "een naam", s.gemeente_naam)
    _check_years(file, "years", s.years)
    if not s.years:
        raise _bad(file, "years", "geen meetjaren opgegeven", "een lijst, bijv. [2013, 2015]")
    for key in _INT_FIELDS:
        if not _is_int(getattr(s, key)):
            raise _bad(file, key, "geen geheel getal", "een geheel getal", getattr(s, key))
    if s.min_n < 1:
        raise _bad(file, "min_n", "minimum aantal respondenten te klein", "1 of meer", s.min_n)
    if s.indicatief_n < s.min_n:
        raise _bad(file, "indicatief_n", "indicatief_n is kleiner dan min_n",
                   f"{s.min_n} (min_n) of meer", s.indicatief_n)
    if not _is_number(s.alpha) or not 0 < s.alpha <= 0.5:
        raise _bad(file, "alpha", "significantieniveau buiten bereik",
                   "een getal groter dan 0 en hoogstens 0.5, bijv. 0.05", s.alpha)
    share = s.benchmark_share  # None (stats branch: from the group's population) is allowed
    if share is not None and (not _is_number(share) or not 0 <= share < 1):
        raise _bad(file, "benchmark_share", "aandeel in de benchmark buiten bereik",
                   "een getal van 0 tot 1 (0 als de benchmark de gemeente niet bevat), "
                   "bijv. 0.018", s.benchmark_share)
    if s.lonely_psu not in LONELY_PSU:
        raise _bad(file, "lonely_psu", "onbekende keuze", ", ".join(LONELY_PSU), s.lonely_psu)
    for key in _OPTIONAL_YEARS:
        value = getattr(s, key)
        if value is not None and not _is_int(value):
            raise _bad(file, key, "geen jaartal", "een jaar als getal, bijv. 2013", value)
    if s.reference_year is not None and s.reference_year not in s.years:
        raise _bad(file, "reference_year", "vergelijkingsjaar is geen meetjaar van de levering",
                   ", ".join(map(str, s.years)), s.reference_year)
    _check_years(file, "benchmark_waves", s.benchmark_waves)
    outside = [y for y in s.benchmark_waves if y not in s.years]
    if outside:
        raise _bad(file, "benchmark_waves", "benchmarkjaar is geen meetjaar van de levering",
                   ", ".join(map(str, s.years)), outside[0])
    _check_group(file, s.benchmark_group)
    for key in ("synthetic",):
        if not isinstance(getattr(s, key), bool):
            raise _bad(file, key, "geen ja/nee-waarde", "true of false", getattr(s, key))
    if not isinstance(s.source_label, str):
        raise _bad(file, "source_label", "geen tekst", "een tekst", s.source_label)
    if not isinstance(s.extra, dict):
        raise _bad(file, "extra", "geen mapping", "sleutel: waarde", s.extra)


def _check_years(file: Path, key: str, years: Any) -> None:
    for year in years:
        if not _is_int(year) or not 1900 <= year <= 2100:
            raise _bad(file, key, "ongeldig jaartal",
                       "jaren als getal zonder aanhalingstekens, bijv. [2013, 2015]", year)
    dup = next((y for i, y in enumerate(years) if y in years[:i]), None)
    if dup is not None:
        raise _bad(file, key, "jaar komt dubbel voor", "elk jaar één keer", dup)


def _check_group(file: Path, group: Any) -> None:
    """A group name (`G32`, `G40`, `kolom=waarde`, `GM..,GM..`) or a list of GM codes."""
    expected = "een groepsnaam (G32, G40, kolom=waarde) of een lijst gemeentecodes [GM0153, ...]"
    if isinstance(group, str):
        if not group.strip():
            raise _bad(file, "benchmark_group", "benchmarkgroep is leeg", expected)
        return
    if not isinstance(group, list | tuple) or not group:
        raise _bad(file, "benchmark_group", "ongeldige benchmarkgroep", expected, group)
    bad = next((c for c in group if not isinstance(c, str) or not _GEMEENTE_CODE.fullmatch(c)),
               None)
    if bad is not None:
        raise _bad(file, "benchmark_group", "ongeldige gemeentecode in benchmarkgroep",
                   "GM gevolgd door 4 cijfers", bad)


def _forbidden_roots(data_dir: Path) -> list[Path]:
    """The raw delivery, and the `raw` folder holding it (data/raw/ is never written)."""
    root = data_dir.resolve()
    return [root, root.parent] if root.parent.name == "raw" else [root]


def _check_write_targets(s: Settings) -> None:
    """Output and processed folders never inside the raw delivery (nor in data/raw/)."""
    targets = (("output_dir", "--output-dir", Path(s.output_dir)),
               ("processed_dir", "--processed-dir",
                Path(s.processed_dir) / s.data_dir.resolve().name))
    for key, option, target in targets:
        resolved = target.resolve()
        for root in _forbidden_roots(Path(s.data_dir)):
            if resolved == root or resolved.is_relative_to(root):
                what = "uitvoer" if key == "output_dir" else "bewerkte tabellen"
                raise InputError(
                    f"{option}: de map voor {what} ligt in de ruwe gegevens; die worden nooit "
                    "beschreven", expected=f"een map buiten {root}", found=str(target))


def _read_settings_file(settings_file: Path) -> dict[str, Any]:
    """ivb.yaml as a mapping: UTF-8 only (a BOM is fine), every key once."""
    data = settings_file.read_bytes().removeprefix(_UTF8_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{SETTINGS_FILE} is geen geldige UTF-8 (byte {data[exc.start]:#04x} op regel {line}); "
            "waarschijnlijk opgeslagen als Windows-1252/ANSI. Sla het op als UTF-8 (Kladblok: "
            "Opslaan als, Codering UTF-8); de codering wordt niet geraden",
            file=settings_file, row=line, expected="UTF-8") from None
    text = neutral_text(text, settings_file)  # NFC; no control characters, digits 0-9
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader) or {}
    except yaml.YAMLError as exc:
        problem, line = yaml_problem(exc)
        raise InputError(f"ongeldige YAML: {problem}", file=settings_file, row=line) from None
    except RecursionError:  # a nesting PyYAML's own parser cannot follow
        raise InputError("ongeldige YAML: te diep genest", file=settings_file) from None
    if not isinstance(raw, dict):
        raise InputError("verwacht een YAML-mapping", file=settings_file, found=type(raw).__name__)
    return raw


class _UniqueKeyLoader(BoundedLoader):
    """Bounded SafeLoader (depth, aliases: `io.safe_yaml`) that refuses a key given twice
    (PyYAML would silently keep the last one)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
                    ) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:  # an unhashable key: let PyYAML report it
            continue
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"sleutel {key!r} komt dubbel voor", key_node.start_mark)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _year_list(settings_file: Path, key: str, value: Any) -> tuple[int, ...]:
    if value is None and key != "years":
        return ()
    if not isinstance(value, list):
        raise _bad(settings_file, key, "verwacht een lijst van jaartallen",
                   f"{key}: [2013, 2015] (ook bij één jaar: [2015])", value)
    _check_years(settings_file, key, value)
    return tuple(value)


def _source_files(settings_file: Path, files: Any) -> SourceFiles:
    """`files:` as SourceFiles: known keys, text values, only the `{year}` placeholder, and
    every path inside the delivery."""
    known = [f.name for f in dataclasses.fields(SourceFiles)]
    if not isinstance(files, dict):
        raise _bad(settings_file, "files", "verwacht een mapping bron: bestandsnaam",
                   "bijv. files: {survey: vm_{year}.sav, ...}", files)
    for key, pattern in files.items():
        column = f"files.{key}"
        if key not in known:
            raise _bad(settings_file, column, "onbekende bron", ", ".join(known))
        if pattern is None and dataclasses.fields(SourceFiles)[known.index(key)].default is None:
            continue
        if key == "survey" and isinstance(pattern, dict):  # one file per wave, any format
            files = {**files, key: _wave_files(settings_file, column, pattern)}
            continue
        if not isinstance(pattern, str) or not pattern.strip():
            raise _bad(settings_file, column, "verwacht een bestandsnaam", "een tekst", pattern)
        _check_pattern(settings_file, column, pattern)
    missing = [k for k in ("survey", "codebook", "wijken") if k not in files]
    if missing:
        raise _bad(settings_file, f"files.{missing[0]}", "verplichte bron ontbreekt",
                   "survey, codebook en wijken")
    return SourceFiles(**files)


def _wave_files(settings_file: Path, column: str, files: dict) -> dict[int, str]:
    """`survey: {2013: a.sav, 2015: b.csv}`: whole-number years, one file name each."""
    out: dict[int, str] = {}
    for year, name in files.items():
        if not _is_int(year):
            raise _bad(settings_file, column, "verwacht een meetjaar als sleutel",
                       "bijv. survey: {2013: vm_2013.sav, 2015: vm_2015.csv}", year)
        if not isinstance(name, str) or not name.strip():
            raise _bad(settings_file, f"{column}.{year}", "verwacht een bestandsnaam",
                       "een tekst", name)
        _check_pattern(settings_file, f"{column}.{year}", name.replace("{year}", str(year)))
        out[int(year)] = name.replace("{year}", str(year))
    return out


def _check_pattern(settings_file: Path, column: str, pattern: str) -> None:
    """Only `{year}` may be filled in; the path is relative and stays inside the delivery."""
    try:
        fields = [(name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(pattern)
                  if name is not None]
    except ValueError:
        raise _bad(settings_file, column, "ongeldige accolades in bestandsnaam",
                   "alleen de plaatshouder {year}", pattern) from None
    bad = next((f for f in fields if f != ("year", "", None)), None)
    if bad is not None:
        raise _bad(settings_file, column, f"onbekende plaatshouder {{{bad[0]}}}",
                   "alleen {year} (het meetjaar), bijv. vm_{year}.sav", pattern)
    path = Path(pattern)
    if path.is_absolute() or ".." in path.parts:
        raise _bad(settings_file, column, "bestand ligt buiten de levering",
                   "een pad binnen de datamap, zonder .. en niet absoluut", pattern)


def load_settings(data_dir: str | Path, **overrides: Any) -> Settings:
    """Read `<data_dir>/ivb.yaml` and apply overrides (e.g. from the CLI or notebook parameters).

    Every problem is an InputError naming ivb.yaml and the key: unknown or command-line-only
    keys, wrong types, values out of range, file patterns with unknown placeholders or outside
    the delivery.
    """
    data_dir = Path(data_dir)
    settings_file = data_dir / SETTINGS_FILE
    if not settings_file.is_file():
        raise InputError(
            "instellingenbestand ontbreekt",
            file=settings_file,
            expected=f"een {SETTINGS_FILE} in de datamap",
        )
    raw = _read_settings_file(settings_file)
    for key, option in COMMAND_LINE_ONLY.items():
        if key in raw:
            raise InputError(
                f"{key} hoort niet in {SETTINGS_FILE}: een levering bepaalt niet waar de "
                f"pijplijn schrijft of leest", file=settings_file, column=key,
                expected=f"de optie {option} van ivb (haal de regel weg)")
    for key in _REQUIRED:
        if key not in raw:
            raise InputError("verplichte instelling ontbreekt", file=settings_file, column=key)
    known = {f.name for f in dataclasses.fields(Settings)} - set(COMMAND_LINE_ONLY)
    unknown = sorted(set(raw) - known, key=str)
    if unknown:
        raise InputError(
            "onbekende instelling", file=settings_file, column=str(unknown[0]),
            expected=", ".join(sorted(known)),
        )
    raw["years"] = _year_list(settings_file, "years", raw["years"])
    if "benchmark_waves" in raw:
        raw["benchmark_waves"] = _year_list(settings_file, "benchmark_waves",
                                            raw["benchmark_waves"])
    if isinstance(raw.get("benchmark_group"), list):
        raw["benchmark_group"] = list(raw["benchmark_group"])
    files = _source_files(settings_file, raw.pop("files"))
    settings = Settings(files=files, data_dir=data_dir,
                        processed_dir=default_processed_dir(data_dir),
                        output_dir=default_output_dir(data_dir), **raw)
    for name in (f.name for f in dataclasses.fields(files)):
        pattern = getattr(files, name)
        if pattern is not None:  # symlinks out of the delivery, before anything runs
            for year in settings.years if isinstance(pattern, dict) or "{year}" in pattern else (
                    None,):
                settings.path(name, year)
    return settings.replace(**overrides)


def default_processed_dir(data_dir: Path) -> Path:
    """The one default for processed tables: `data/processed` beside the `data/raw` folder
    that holds the delivery, else `data/processed` under the current folder (absolute, so
    notebooks running elsewhere use the same folder)."""
    resolved = data_dir.resolve()
    if resolved.parent.name == "raw":
        return resolved.parent.parent / "processed"
    return Path("data/processed").resolve()


def default_output_dir(data_dir: Path) -> Path:
    """`data/raw/<delivery>` -> `outputs/<delivery>`: one output folder per delivery, so that
    deliveries never share or overwrite each other's outputs."""
    if data_dir.resolve().parent.name == "raw":
        return data_dir.parent.parent.parent / "outputs" / data_dir.resolve().name
    return Path("outputs") / data_dir.resolve().name
