"""Settings: one object for gemeente, benchmark group, years, thresholds and paths.

Settings describe a *delivery*: each data directory under data/raw/ carries an `ivb.yaml` that names
its gemeente, its files and its waves. The CLI and notebook parameters override single fields.
No library module names a gemeente; only a delivery's ivb.yaml does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ivb_analysis.errors import InputError

SETTINGS_FILE = "ivb.yaml"


@dataclass(frozen=True)
class SourceFiles:
    """File names inside the data directory; `{year}` is filled per wave."""

    survey: str
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
    benchmark_share: float = 0.0
    min_n: int = 50
    indicatief_n: int = 100
    alpha: float = 0.05
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
    lonely_psu: str = "fail"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def banner(self) -> str | None:
        """The text every output built from synthetic data must carry."""
        return "SYNTHETISCHE DEMODATA" if self.synthetic else None

    def path(self, name: str, year: int | None = None) -> Path:
        """Absolute path of one source file (the pattern filled in for `year`)."""
        pattern = getattr(self.files, name)
        if pattern is None:
            raise InputError(f"deze levering heeft geen bron {name!r}", file=self.settings_file)
        return self.data_dir / pattern.format(year=year)

    @property
    def settings_file(self) -> Path:
        return self.data_dir / SETTINGS_FILE

    def waves(self, years: Any = None) -> list[int]:
        """The requested survey years (default: all), each checked against the delivery."""
        chosen = [int(y) for y in (years if years else self.years)]
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
        if "years" in changes:
            changes["years"] = tuple(int(y) for y in changes["years"])
        return dataclasses.replace(self, **changes)


_REQUIRED = ("gemeente_code", "gemeente_naam", "years", "files")


def load_settings(data_dir: str | Path, **overrides: Any) -> Settings:
    """Read `<data_dir>/ivb.yaml` and apply overrides (e.g. from the CLI or notebook parameters)."""
    data_dir = Path(data_dir)
    settings_file = data_dir / SETTINGS_FILE
    if not settings_file.is_file():
        raise InputError(
            "instellingenbestand ontbreekt",
            file=settings_file,
            expected=f"een {SETTINGS_FILE} in de datamap",
        )
    try:
        raw = yaml.safe_load(settings_file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"ongeldige YAML: {exc}", file=settings_file) from exc
    if not isinstance(raw, dict):
        raise InputError("verwacht een YAML-mapping", file=settings_file, found=type(raw).__name__)
    for key in _REQUIRED:
        if key not in raw:
            raise InputError("verplichte instelling ontbreekt", file=settings_file, column=key)
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(
            "onbekende instelling", file=settings_file, column=unknown[0],
            expected=", ".join(sorted(known)),
        )
    try:
        files = SourceFiles(**raw.pop("files"))
    except TypeError as exc:
        raise InputError(f"ongeldige bronbestanden: {exc}", file=settings_file,
                         column="files") from None
    raw["years"] = tuple(int(y) for y in raw["years"])
    if "benchmark_waves" in raw:
        raw["benchmark_waves"] = tuple(int(y) for y in raw["benchmark_waves"] or ())
    settings = Settings(files=files, data_dir=data_dir,
                        processed_dir=default_processed_dir(data_dir),
                        output_dir=default_output_dir(data_dir), **raw)
    return settings.replace(**overrides)


def default_processed_dir(data_dir: Path) -> Path:
    """`data/raw/<delivery>` -> `data/processed` (the project layout), wherever the caller runs."""
    if data_dir.resolve().parent.name == "raw":
        return data_dir.parent.parent / "processed"
    return Path("data/processed")


def default_output_dir(data_dir: Path) -> Path:
    """`data/raw/<delivery>` -> `outputs/<delivery>`: one output folder per delivery, so that
    deliveries never share or overwrite each other's outputs."""
    if data_dir.resolve().parent.name == "raw":
        return data_dir.parent.parent.parent / "outputs" / data_dir.resolve().name
    return Path("outputs") / data_dir.resolve().name
