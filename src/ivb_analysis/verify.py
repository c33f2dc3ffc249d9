"""`ivb verify`: regenerate everything in a temporary folder and compare byte for byte.

Every file counts, the executed notebooks included (they carry no timestamps); only `run.json`
(durations, package versions) is left out, and the runner's own hidden files (lock, staging).
Each year is rerun with the `-p` parameters, annex and PDF choice its `run.json` records, so like
is compared with like.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ivb_analysis.config import Settings
from ivb_analysis.outfolder import read_run_file
from ivb_analysis.prepare import prepare
from ivb_analysis.run import RUN_FILE, run


def deliverables(output_dir: Path, years: tuple[int, ...]) -> dict[str, str]:
    """SHA-256 of every output file under `output_dir` for the given years (+ index.html)."""
    files: dict[str, str] = {}
    candidates = [output_dir / "index.html"]
    for year in years:
        candidates += sorted((output_dir / str(year)).rglob("*"))
    for path in candidates:
        relative = path.relative_to(output_dir)
        if (not path.is_file() or path.name == RUN_FILE
                or any(part.startswith(".") for part in relative.parts)):
            continue
        files[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


@dataclass
class VerifyReport:
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # in the fresh run, not in outputs/
    extra: list[str] = field(default_factory=list)  # in outputs/, not made by the fresh run
    failed_notebooks: int = 0
    compared: int = 0
    unreadable: list[str] = field(default_factory=list)  # run.json files that are no record

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.extra or self.failed_notebooks
                    or self.unreadable)

    def text(self) -> str:
        lines = [f"{self.compared} bestanden vergeleken"]
        lines += [f"  {item} is onleesbaar (afgekapt of geen JSON-object): dat jaar is niet "
                  "vergeleken; maak het opnieuw met ivb run --years en --force"
                  for item in self.unreadable]
        for label, items in (("verschilt", self.changed), ("ontbreekt in outputs", self.missing),
                             ("niet opnieuw gemaakt", self.extra)):
            lines += [f"  {label}: {item}" for item in items]
        if self.failed_notebooks:
            lines.append(f"  {self.failed_notebooks} notebook(s) mislukt in de controlerun")
        lines.append("OK: alles is byte-identiek" if self.ok else "NIET identiek")
        return "\n".join(lines)


def _mirror(settings: Settings, notebook_dir: Path, tmp: Path) -> tuple[Settings, Path]:
    """Copy notebooks and raw data into `tmp` with the same relative layout as the project.

    Notebooks receive their paths relative to their own folder (data, processed data, output)
    and the analyst HTML shows them, so the rerun must see the same relative paths.
    """
    places = [notebook_dir.resolve(), settings.data_dir.resolve(), settings.output_dir.resolve(),
              settings.processed_dir.resolve()]
    root = Path(os.path.commonpath(places))
    new_notebooks, new_data, new_output, new_processed = (
        tmp / place.relative_to(root) for place in places)
    shutil.copytree(places[0], new_notebooks,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shutil.copytree(places[1], new_data)
    fresh = settings.replace(data_dir=new_data, output_dir=new_output,
                             processed_dir=new_processed)
    return fresh, new_notebooks


def _recorded_runs(settings: Settings, unreadable: list[str]
                   ) -> list[tuple[list[int], dict, bool, bool]]:
    """The years present in the outputs, grouped by the `-p` parameters, annex and PDF choice
    their run.json records: (years, parameters, annex, pdf). A run.json that is truncated or of
    the wrong shape is listed in `unreadable` (a sentence in the report, never a traceback)."""
    groups: dict[str, list[int]] = {}
    for year in settings.years:
        record_file = settings.output_dir / str(year) / RUN_FILE
        if not record_file.is_file():
            continue
        record = read_run_file(record_file)
        annex = record.get("annex", {}) if record else None
        overrides = record.get("overrides", {}) if record else None
        if not (isinstance(annex, dict) and isinstance(overrides, dict)):
            unreadable.append(f"{year}/{RUN_FILE}")
            continue
        key = json.dumps([overrides, bool(annex.get("written", True)),
                          bool(annex.get("pdf", False))], sort_keys=True)
        groups.setdefault(key, []).append(year)
    return [(years, *json.loads(key)) for key, years in sorted(groups.items())]


def verify(settings: Settings, notebook_dir: Path, *, jobs: int | None = None) -> VerifyReport:
    """Rerun prepare and every notebook into a temp dir and compare with settings.output_dir."""
    failed = 0
    unreadable: list[str] = []
    recorded = _recorded_runs(settings, unreadable)
    with tempfile.TemporaryDirectory(prefix="ivb-verify-") as tmp:
        fresh, fresh_notebooks = _mirror(settings, notebook_dir, Path(tmp))
        prepare(fresh)
        for years, parameters, annex, pdf in recorded:
            parameters = {k: v for k, v in parameters.items() if k != "year"}
            summary = run(fresh, fresh_notebooks, years=years, jobs=jobs, force=True,
                          progress=False, parameters=parameters, annex=annex, pdf=pdf)
            failed += len(summary.failed)
        new = deliverables(fresh.output_dir, settings.years)
    skipped = tuple(int(item.split("/")[0]) for item in unreadable)
    new = {k: v for k, v in new.items() if k.split("/")[0] not in map(str, skipped)}
    old = deliverables(settings.output_dir, tuple(y for y in settings.years if y not in skipped))
    return VerifyReport(
        unreadable=unreadable,
        changed=sorted(k for k in new.keys() & old.keys() if new[k] != old[k]),
        missing=sorted(new.keys() - old.keys()),
        extra=sorted(old.keys() - new.keys()),
        failed_notebooks=failed,
        compared=len(new.keys() | old.keys()),
    )
