"""`ivb verify`: regenerate everything in a temporary folder, compare with outputs/ byte for byte.

Excluded from the comparison, and why: `run.json` (durations, package versions) and the executed
notebooks under `notebooks/` and `failed/` (papermill writes start and end times into them). Every
deliverable a reader sees (HTML, figures, tables, the annex) must be identical.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ivb_analysis.config import Settings
from ivb_analysis.prepare import prepare
from ivb_analysis.run import RUN_FILE, run

EXCLUDED_DIRS = ("notebooks", "failed")


def deliverables(output_dir: Path, years: tuple[int, ...]) -> dict[str, str]:
    """SHA-256 of every deliverable under `output_dir` for the given years (+ index.html)."""
    files: dict[str, str] = {}
    candidates = [output_dir / "index.html"]
    for year in years:
        candidates += sorted((output_dir / str(year)).rglob("*"))
    for path in candidates:
        relative = path.relative_to(output_dir)
        if (not path.is_file() or path.name == RUN_FILE or path.name.startswith(".")
                or any(part in EXCLUDED_DIRS for part in relative.parts)):
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

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.extra or self.failed_notebooks)

    def text(self) -> str:
        lines = [f"{self.compared} bestanden vergeleken"]
        for label, items in (("verschilt", self.changed), ("ontbreekt in outputs", self.missing),
                             ("niet opnieuw gemaakt", self.extra)):
            lines += [f"  {label}: {item}" for item in items]
        if self.failed_notebooks:
            lines.append(f"  {self.failed_notebooks} notebook(s) mislukt in de controlerun")
        lines.append("OK: alles is byte-identiek" if self.ok else "NIET identiek")
        return "\n".join(lines)


def _mirror(settings: Settings, notebook_dir: Path, tmp: Path) -> tuple[Settings, Path]:
    """Copy notebooks and raw data into `tmp` with the same relative layout as the project.

    Notebooks receive their paths relative to their own folder and the analyst HTML shows them,
    so the rerun must see the same relative paths to give the same bytes.
    """
    places = [notebook_dir.resolve(), settings.data_dir.resolve(), settings.output_dir.resolve()]
    root = Path(os.path.commonpath(places))
    new_notebooks = tmp / places[0].relative_to(root)
    new_data = tmp / places[1].relative_to(root)
    shutil.copytree(places[0], new_notebooks,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shutil.copytree(places[1], new_data)
    fresh = settings.replace(data_dir=new_data, output_dir=tmp / places[2].relative_to(root),
                             processed_dir=tmp / "processed")
    return fresh, new_notebooks


def verify(settings: Settings, notebook_dir: Path, *, jobs: int | None = None) -> VerifyReport:
    """Rerun prepare and every notebook into a temp dir and compare with settings.output_dir.

    The annex (and its PDF) is regenerated when outputs/ has one, so like is compared with like.
    """

    def made(name: str) -> bool:
        return any((settings.output_dir / str(y) / name).is_file() for y in settings.years)

    with tempfile.TemporaryDirectory(prefix="ivb-verify-") as tmp:
        fresh, fresh_notebooks = _mirror(settings, notebook_dir, Path(tmp))
        prepare(fresh)
        summary = run(fresh, fresh_notebooks, jobs=jobs, force=True, progress=False,
                      annex=made("bijlage.html"), pdf=made("bijlage.pdf"))
        new = deliverables(fresh.output_dir, settings.years)
    old = deliverables(settings.output_dir, settings.years)
    return VerifyReport(
        changed=sorted(k for k in new.keys() & old.keys() if new[k] != old[k]),
        missing=sorted(new.keys() - old.keys()),
        extra=sorted(old.keys() - new.keys()),
        failed_notebooks=len(summary.failed),
        compared=len(new.keys() | old.keys()),
    )
