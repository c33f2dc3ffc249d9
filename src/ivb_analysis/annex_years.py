"""`ivb annex` and the PDF-only rerun: the annex of existing years rewritten, staged like
`ivb run`.

Each year's folder is copied (hard links) into a private staging folder, the annex files are
rewritten there and the year is moved into place as a whole: a signal or an error during the
figures, the workbook or the PDF leaves the old year intact (never a new bijlage.html beside an
old bijlage.pdf).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ivb_analysis.atomic import write_text
from ivb_analysis.config import Settings
from ivb_analysis.outfolder import RUN_FILE, output_lock, read_run_file, recover, restage

if TYPE_CHECKING:
    from ivb_analysis.jobs import JobResult

ANNEX_FILES = ("bijlage.html", "bijlage.pdf")
ANNEX_FOLDERS = ("figures", "tables")


def write_annexes(settings: Settings, years: list[int], *, pdf: bool = True
                  ) -> dict[int, list[Path]]:
    """Write each year's annex (figures/, tables/, bijlage.html and, by default, bijlage.pdf);
    returns the files written per year, as they are named once in place."""
    from ivb_analysis.annex import write_annex
    from ivb_analysis.jobs import _signals_raise

    out: dict[int, list[Path]] = {}
    with _signals_raise(), output_lock(settings.output_dir):
        recover(settings.output_dir)
        for year in years:
            with restage(settings.output_dir, year) as staged:
                for name in ANNEX_FOLDERS:  # no figure or table of an earlier annex stays
                    shutil.rmtree(staged / name, ignore_errors=True)
                for name in ANNEX_FILES:
                    (staged / name).unlink(missing_ok=True)
                written = write_annex(settings.replace(output_dir=staged.parent), year, pdf=pdf)
                _record(staged / RUN_FILE, pdf)
            final = settings.output_dir / str(year)
            out[year] = [final / path.relative_to(staged) for path in written]
    return out


def _record(path: Path, pdf: bool) -> None:
    """A run.json of `ivb run` states what annex the folder now holds (for `ivb verify`)."""
    record = read_run_file(path)
    if record is None:
        return
    record["annex"] = {**record.get("annex", {}), "written": True, "pdf": pdf}
    write_text(path, json.dumps(record, indent=2, sort_keys=True) + "\n")


def add_pdf(settings: Settings, year: int) -> JobResult:
    """Render only the PDF of an unchanged year from its bijlage.html (staged: a signal leaves
    the year as it was); run.json then records the PDF."""
    from ivb_analysis.export import html_to_pdf
    from ivb_analysis.jobs import ANNEX, JobResult, RunInterrupted

    start = time.perf_counter()
    name = f"{ANNEX}.pdf"
    try:
        with restage(settings.output_dir, year) as staged:
            html_to_pdf(staged / f"{ANNEX}.html", staged / name)
            _record(staged / RUN_FILE, True)
    except RunInterrupted:
        raise
    except Exception as exc:  # isolate like a notebook: the other years go on
        return JobResult(year, name, False, round(time.perf_counter() - start, 1),
                         error=f"{type(exc).__name__}: {exc}")
    return JobResult(year, name, True, round(time.perf_counter() - start, 1))
