"""`ivb annex`: rewrite the council annex of existing years, staged like `ivb run`.

Each year's folder is copied (hard links) into a private staging folder, the annex files are
rewritten there and the year is moved into place as a whole: a signal or an error during the
figures, the workbook or the PDF leaves the old year intact (never a new bijlage.html beside an
old bijlage.pdf).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ivb_analysis.atomic import write_text
from ivb_analysis.config import Settings
from ivb_analysis.outfolder import RUN_FILE, output_lock, read_run_file, recover, restage

ANNEX_FILES = ("bijlage.html", "bijlage.pdf")
ANNEX_FOLDERS = ("figures", "tables")


def write_annexes(settings: Settings, years: list[int], *, pdf: bool = True
                  ) -> dict[int, list[Path]]:
    """Write each year's annex (figures/, tables/, bijlage.html and, by default, bijlage.pdf);
    returns the files written per year, as they are named once in place."""
    from ivb_analysis.annex import write_annex
    from ivb_analysis.run import _signals_raise

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
