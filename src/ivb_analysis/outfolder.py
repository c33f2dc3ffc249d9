"""The output folder of a delivery: one run at a time, years replaced as a whole, leftovers of a
killed run repaired, and year folders of another delivery removed.

A year is built in a private staging folder inside the output folder and renamed into place, so a
year's folder holds exactly what one run wrote and a killed run leaves the previous one complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from ivb_analysis.config import Settings

RUN_FILE = "run.json"
# Names inside the output folder that belong to the runner (swept when a killed run left them).
STAGING_PREFIX = ".ivb-run-"
OLD_PREFIX = ".ivb-old-"
LOCK_FILE = ".ivb-lock"

@contextlib.contextmanager
def output_lock(output_dir: Path) -> Iterator[None]:
    """One run at a time per output folder: a second run waits for the first to finish."""
    import fcntl

    output_dir.mkdir(parents=True, exist_ok=True)
    with open(output_dir / LOCK_FILE, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"Wacht op een andere ivb run die naar {output_dir} schrijft ...", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def recover(output_dir: Path) -> None:
    """Undo what a killed run left behind (we hold the lock, so no run is busy here).

    A year folder moved aside just before the kill goes back; staging folders and old copies go.
    """
    for entry in sorted(output_dir.glob(OLD_PREFIX + "*")):
        year = entry.name[len(OLD_PREFIX):].split("-", 1)[0]
        if not (output_dir / year).exists():
            os.rename(entry, output_dir / year)
        else:
            shutil.rmtree(entry, ignore_errors=True)
    for entry in output_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(entry, ignore_errors=True)
    for entry in output_dir.glob(".index.html.*.tmp"):
        entry.unlink(missing_ok=True)


def swap_in(new: Path, final: Path) -> None:
    """Replace the folder `final` by `new` (two renames; `recover` repairs a kill in between)."""
    old = None
    if final.exists():
        old = final.with_name(f"{OLD_PREFIX}{final.name}-{uuid.uuid4().hex[:8]}")
        os.rename(final, old)
    os.rename(new, final)
    if old is not None:
        shutil.rmtree(old)


@contextlib.contextmanager
def restage(output_dir: Path, year: int) -> Iterator[Path]:
    """A private copy of the year's folder to change, moved into place as a whole when the block
    ends without an error and removed otherwise (a signal or an error leaves the old year intact).

    The copy is made of hard links: every write in the pipeline replaces a file (`atomic`), never
    changes one in place, so the old year's files are never touched.
    """
    root = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output_dir))
    try:
        staged, final = root / str(year), output_dir / str(year)
        if final.is_dir():
            shutil.copytree(final, staged, symlinks=True, copy_function=_link_or_copy)
        else:
            staged.mkdir()
        yield staged
        swap_in(staged, final)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def delivery_id(settings: Settings) -> dict[str, str]:
    """What identifies a delivery in run.json: its folder name and gemeente."""
    return {"folder": settings.data_dir.resolve().name, "gemeente": settings.gemeente_code}


def read_run_file(path: Path) -> dict | None:
    """A year's run.json; None when absent, truncated or not a JSON object."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def remove_foreign_years(settings: Settings) -> list[Path]:
    """Remove year folders made by `ivb run` for another delivery, or for a year this delivery
    no longer has: the output folder then holds only this delivery's results."""
    removed = []
    mine = delivery_id(settings)
    for folder in sorted(settings.output_dir.iterdir()):
        if not (folder.is_dir() and folder.name.isdigit()):
            continue
        record = read_run_file(folder / RUN_FILE)
        if record is None:
            continue  # not made by ivb run: not ours to remove
        if record.get("delivery") != mine or int(folder.name) not in settings.years:
            shutil.rmtree(folder)
            removed.append(folder)
    return removed
