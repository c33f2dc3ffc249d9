"""Content hashes of everything that determines a year's outputs (`ivb run` skips a year whose
fingerprint in run.json is unchanged)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ivb_analysis.config import Settings

if TYPE_CHECKING:
    from ivb_analysis.jobs import Job


class Hashes:
    """SHA-256 of files, each file read once per run (the same raw file serves every year)."""

    def __init__(self) -> None:
        self._known: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        if path not in self._known:
            self._known[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        return self._known[path]

    def files(self, paths: Iterable[Path]) -> str:
        digest = hashlib.sha256()
        for path in sorted(paths):
            digest.update(path.name.encode())
            digest.update(bytes.fromhex(self.file(path)))
        return digest.hexdigest()


def library_files() -> list[Path]:
    root = Path(str(resources.files("ivb_analysis")))
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".py", ".yaml", ".j2",
                                                                                ".json", ".csv"})


def input_files(settings: Settings, year: int) -> list[Path]:
    """Every raw file a year's outputs may depend on (missing optional sources are left out)."""
    files = [settings.settings_file]
    for name in (f.name for f in dataclasses.fields(settings.files)):
        pattern = getattr(settings.files, name)
        if pattern is None:
            continue
        if isinstance(pattern, dict):  # one file per wave (files.survey: {2013: a.sav})
            files += [settings.path(name, wave) for wave in sorted(pattern)]
        elif "{year}" in pattern:  # every year's file, also years that are not survey waves
            files += sorted(settings.data_dir.glob(pattern.replace("{year}", "*")))
        else:
            files.append(settings.path(name))
    return [f for f in files if f.is_file() and settings.contains(f)]  # never read out of it


def year_fingerprint(settings: Settings, year: int, jobs: list[Job],
                     hashes: Hashes | None = None) -> dict:
    """Content hashes of everything that determines a year's outputs."""
    hashes = hashes or Hashes()
    return {
        "inputs": hashes.files(input_files(settings, year)),
        "notebooks": hashes.files(j.notebook for j in jobs),
        "library": hashes.files(library_files()),
        "parameters": hashlib.sha256(
            json.dumps([j.parameters for j in jobs], sort_keys=True).encode()).hexdigest(),
    }
