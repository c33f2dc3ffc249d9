"""Freshness of the processed tables: a manifest of what they were built from.

`prepare` writes `manifest.json` beside the parquet tables: the SHA-256 of every raw file it may
read (absent files recorded as absent), of the effective settings and of the library code. The
tables are fresh only when all of these are unchanged and every table is present; otherwise they
are rebuilt, so a raw file changed after `prepare` is validated again and old numbers are never
shown. Kept free of pandas so that a no-op `ivb prepare` stays cheap.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from ivb_analysis.config import Settings

MANIFEST = "manifest.json"
FORMAT = 1
# Settings fields that do not change what `prepare` reads, checks or writes (they act later, in
# the statistics and the presentation). Every other field, including new ones, is hashed.
NOT_FOR_PREPARE = frozenset({
    "processed_dir", "output_dir", "min_n", "indicatief_n", "alpha", "method_break",
    "reference_year", "lonely_psu", "source_label", "synthetic", "gemeente_naam",
    "benchmark_share", "extra",
})
_CODE_SUFFIXES = {".py", ".yaml", ".json", ".csv"}


def processed_dir(settings: Settings) -> Path:
    """Where the processed tables of this delivery live: `<processed_dir>/<delivery folder>`."""
    return settings.processed_dir / settings.data_dir.resolve().name


def source_files(settings: Settings) -> list[Path]:
    """Every raw file `prepare` may read: ivb.yaml and each source, every year's file of a
    `{year}` pattern (also years that are not waves, e.g. population) and the waves' files even
    when absent (so a file that appears later makes the tables stale)."""
    files = {settings.settings_file}
    for name in (f.name for f in dataclasses.fields(settings.files)):
        pattern = getattr(settings.files, name)
        if pattern is None:
            continue
        if isinstance(pattern, dict):  # one file per wave (files.survey: {2013: a.sav})
            files.update(settings.path(name, year) for year in pattern)
        elif "{year}" in pattern:
            files.update(path for path in settings.data_dir.glob(pattern.replace("{year}", "*"))
                         if settings.contains(path))  # never read a link out of the delivery
            files.update(settings.path(name, year) for year in settings.years)
        else:
            files.add(settings.path(name))
    return sorted(files)


@functools.lru_cache(maxsize=4096)
def _file_hash(path: str, size: int, mtime_ns: int, ctime_ns: int, inode: int) -> str:
    """SHA-256 of a file; cached per process on its stat (ctime changes with every write)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hash(path: Path) -> str | None:
    """SHA-256 of a file, None when it does not exist."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    if not path.is_file():
        return None
    return _file_hash(str(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def code_hash() -> str:
    """SHA-256 over the library's code and data files (a new version may validate differently;
    an analyst's edit in a running notebook session counts too: files are re-checked by stat)."""
    root = Path(str(resources.files("ivb_analysis")))
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in _CODE_SUFFIXES and p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(str(file_hash(path)).encode())
    return digest.hexdigest()


def settings_hash(settings: Settings) -> str:
    """SHA-256 of the effective settings that `prepare` depends on (CLI overrides included)."""
    chosen: dict[str, Any] = {}
    for field in dataclasses.fields(settings):
        if field.name in NOT_FOR_PREPARE:
            continue
        value = getattr(settings, field.name)
        if field.name == "data_dir":
            value = str(Path(value).resolve())
        elif field.name == "files":
            value = dataclasses.asdict(value)
        elif isinstance(value, tuple):
            value = list(value)
        chosen[field.name] = value
    text = json.dumps(chosen, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def current(settings: Settings) -> dict[str, Any]:
    """The manifest the processed tables must carry to be fresh (without the table list)."""
    return {
        "format": FORMAT,
        "code": code_hash(),
        "settings": settings_hash(settings),
        "raw": {os.path.relpath(path, settings.data_dir): file_hash(path)
                for path in source_files(settings)},
    }


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest in a processed folder, None when absent or unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def fresh_tables(folder: Path, expected: dict[str, Any]) -> list[str] | None:
    """The table names when the folder's manifest matches `expected` and every table exists."""
    found = read_manifest(folder)
    if found is None or any(found.get(key) != value for key, value in expected.items()):
        return None
    tables = found.get("tables")
    if not isinstance(tables, list) or not all(
            (folder / f"{name}.parquet").is_file() for name in tables):
        return None
    return tables


def write_manifest(folder: Path, manifest: dict[str, Any], tables: list[str]) -> Path:
    """Write the manifest (last, after every table): it is the proof the tables are complete."""
    text = json.dumps({**manifest, "tables": sorted(tables)}, indent=1, sort_keys=True) + "\n"
    target = folder / MANIFEST
    fd, tmp = tempfile.mkstemp(prefix=f".{MANIFEST}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def remove_manifest(folder: Path) -> None:
    """Before tables are rewritten: a prepare stopped halfway must not look fresh."""
    (folder / MANIFEST).unlink(missing_ok=True)
