"""Raw inputs are irreplaceable: prove that a run did not change a byte under the data directory."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ivb_analysis.errors import InputError


class RawDataChanged(RuntimeError):
    """A file under the raw data directory changed, appeared or went during a command.

    The pipeline never writes there (tests prove it), so this is someone saving or copying a
    file during the run: the CLI says so in a sentence (exit 2); a rerun redoes what it touched.
    """

    def __init__(self, folder: Path, changed: list[str]) -> None:
        shown = ", ".join(changed[:5]) + (f" en {len(changed) - 5} meer" if len(changed) > 5
                                          else "")
        super().__init__(
            f"tijdens de opdracht is in de levering {folder} iets gewijzigd, toegevoegd of "
            f"verwijderd: {shown}. ivb schrijft nooit in de ruwe gegevens; een bestand is dus "
            "buiten ivb opgeslagen. De uitvoer kan op oude en nieuwe bestanden berusten: sla "
            "niets op in de levering tijdens een run en start de opdracht opnieuw")
        self.changed = changed


def manifest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder`, keyed by its path relative to the folder.

    A symlink is recorded by its target, never followed: the guard reads nothing outside the
    delivery (a link pointing out of it is refused when the settings name it).
    """
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            out[str(path.relative_to(folder))] = f"symlink:{os.readlink(path)}"
        elif path.is_file():
            out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


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
        raise RawDataChanged(folder, changed)


def require_writable(folder: Path, option: str) -> None:
    """Refuse, before anything runs, an output folder that is a file or cannot be written.

    Probes the folder (or its nearest existing parent, without creating anything) with an
    anonymous temporary file, so a read-only disk is found too, not only missing permissions.
    """
    probe = Path(folder)
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"{option}: {probe} is een bestand, geen map", file=folder,
                         expected="een map of een nieuwe mapnaam")
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        raise InputError(f"{option}: in map {probe} kan niet geschreven worden "
                         f"({exc.strerror})", file=folder,
                         expected="een map waarin u mag schrijven") from None
