"""Raw inputs are irreplaceable: prove that a run did not change a byte under the data directory."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RawDataChanged(RuntimeError):
    """The pipeline changed, added or removed a file under the raw data directory (a bug)."""


def manifest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder`, keyed by its path relative to the folder."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Paths added, removed or changed between two manifests."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


@contextmanager
def raw_data_unchanged(folder: Path) -> Iterator[dict[str, str]]:
    """Check the raw folder's manifest before and after the block; raise if anything changed."""
    before = manifest(folder)
    yield before
    changed = differences(before, manifest(folder))
    if changed:
        raise RawDataChanged(f"de ruwe gegevens in {folder} zijn gewijzigd: {', '.join(changed)}")
