"""Batch regeneration: every notebook for every year through papermill, rendered to HTML.

Each (year, notebook) runs in a worker process with the explicit `ivb-analysis` kernel. A failing
notebook does not stop the others: the run ends with a summary (year, notebook, cell, exception),
keeps the failed executed notebook for inspection and returns a non-zero status. A year whose
inputs, parameters, notebooks and library code are unchanged (content hashes) is skipped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import html
import json
import os
import platform
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from importlib import metadata, resources
from pathlib import Path

import nbformat
import papermill
from tqdm import tqdm

from ivb_analysis.atomic import write_text
from ivb_analysis.config import Settings
from ivb_analysis.errors import InputError
from ivb_analysis.render import notebook_html

KERNEL = "ivb-analysis"
RUN_FILE = "run.json"
DEFAULT_TIMEOUT = 600  # seconds per notebook cell
VERSIONED_PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "papermill",
                      "nbconvert", "pyreadstat", "pyarrow")


@dataclass(frozen=True)
class Job:
    """One notebook for one year."""

    year: int
    notebook: Path
    parameters: dict
    output_dir: Path
    timeout: int | None = None  # seconds per cell; None waits forever

    @property
    def name(self) -> str:
        return self.notebook.stem


@dataclass
class JobResult:
    year: int
    notebook: str
    ok: bool
    seconds: float
    cell: int | None = None  # execution count of the failing cell in the kept notebook
    error: str | None = None
    code: str | None = None  # first line of the failing cell
    kept: str | None = None


@dataclass
class RunSummary:
    results: list[JobResult] = field(default_factory=list)
    skipped_years: list[int] = field(default_factory=list)

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]

    def report(self) -> str:
        lines = [f"{len(self.results)} taken uitgevoerd (notebooks en bijlagen), "
                 f"{len(self.failed)} mislukt; "
                 f"overgeslagen (ongewijzigd): {', '.join(map(str, self.skipped_years)) or 'geen'}"]
        for r in self.failed:
            cell = f"cel {r.cell}" if r.cell is not None else "cel onbekend"
            lines.append(f"  MISLUKT {r.year} {r.notebook} ({cell}): {r.error}")
            if r.code:
                lines.append(f"    in: {r.code}")
            if r.kept:
                lines.append(f"    uitgevoerd notebook bewaard: {r.kept}")
        return "\n".join(lines)


def discover_notebooks(notebook_dir: Path) -> list[Path]:
    """The project's notebooks, in name order."""
    return sorted(p for p in notebook_dir.glob("*.ipynb") if not p.name.startswith("_"))


def _hash_files(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
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
        if "{year}" in pattern:  # every year's file, also years that are not survey waves
            files += sorted(settings.data_dir.glob(pattern.replace("{year}", "*")))
        else:
            files.append(settings.path(name))
    return [f for f in files if f.is_file()]


def year_fingerprint(settings: Settings, year: int, jobs: list[Job]) -> dict:
    """Content hashes of everything that determines a year's outputs."""
    return {
        "inputs": _hash_files(input_files(settings, year)),
        "notebooks": _hash_files(j.notebook for j in jobs),
        "library": _hash_files(library_files()),
        "parameters": hashlib.sha256(
            json.dumps([j.parameters for j in jobs], sort_keys=True).encode()).hexdigest(),
    }


_TYPES: dict[str, tuple[type, ...]] = {"int": (int,), "float": (int, float), "str": (str,),
                                       "bool": (bool,), "list": (list,), "dict": (dict,)}


def _type_matches(value: object, declared: str) -> bool:
    """Does `value` fit a declared annotation such as `int` or `Optional[str]`?"""
    if declared.startswith("Optional[") and declared.endswith("]"):
        return value is None or _type_matches(value, declared[len("Optional["):-1])
    allowed = _TYPES.get(declared)
    if allowed is None:  # unknown or missing annotation: papermill cannot tell, neither can we
        return True
    if isinstance(value, bool) and bool not in allowed:
        return False
    return isinstance(value, allowed)


def check_parameters(notebooks: list[Path], parameters: dict) -> None:
    """Reject parameters a notebook does not declare or of the wrong type, before anything runs."""
    for notebook in notebooks:
        declared = papermill.inspect_notebook(str(notebook))
        for name, value in sorted(parameters.items()):
            if name not in declared:
                raise InputError("onbekende notebookparameter", file=notebook, column=name,
                                 expected=", ".join(sorted(declared)))
            annotation = declared[name]["inferred_type_name"]
            if not _type_matches(value, annotation):
                raise InputError("notebookparameter heeft het verkeerde type", file=notebook,
                                 column=name, expected=annotation, found=value)


def _execute(job: Job) -> JobResult:
    """Worker: run one notebook with papermill and render both HTML versions."""
    start = time.perf_counter()
    out_dir = job.output_dir
    executed_path = out_dir / "notebooks" / job.notebook.name
    executed_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = executed_path.with_suffix(".running.ipynb")
    try:
        papermill.execute_notebook(
            str(job.notebook), str(tmp_path), parameters=job.parameters, kernel_name=KERNEL,
            cwd=str(job.notebook.parent), progress_bar=False, log_output=False,
            execution_timeout=job.timeout,
        )
    except papermill.PapermillExecutionError as exc:
        failed = out_dir / "failed" / job.notebook.name
        failed.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp_path, failed)
        first_line = (exc.source or "").strip().splitlines()[:1]
        return JobResult(job.year, job.name, False, round(time.perf_counter() - start, 1),
                         cell=exc.exec_count, error=f"{exc.ename}: {exc.evalue}",
                         code=first_line[0] if first_line else None, kept=str(failed))
    except Exception as exc:  # kernel died, timeout, missing kernel: still isolate the failure
        kept = None
        if tmp_path.exists():
            failed = out_dir / "failed" / job.notebook.name
            failed.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_path, failed)
            kept = str(failed)
        return JobResult(job.year, job.name, False, round(time.perf_counter() - start, 1),
                         error=f"{type(exc).__name__}: {exc}", kept=kept)
    notebook = nbformat.read(tmp_path, as_version=4)
    os.replace(tmp_path, executed_path)
    title = f"{job.name.replace('_', ' ').capitalize()} {job.year}"
    write_text(out_dir / f"{job.name}.html", notebook_html(notebook, with_code=False, title=title))
    write_text(out_dir / f"{job.name}.analist.html",
               notebook_html(notebook, with_code=True, title=title))
    (out_dir / "failed" / job.notebook.name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # absent, not empty, or removed by another worker
        (out_dir / "failed").rmdir()
    return JobResult(job.year, job.name, True, round(time.perf_counter() - start, 1))


ANNEX = "bijlage"


def _write_annex(settings: Settings, year: int, pdf: bool) -> JobResult:
    """Worker: the council annex of one year (figures, tables, bijlage.html, optional PDF)."""
    from ivb_analysis.annex import write_annex

    start = time.perf_counter()
    try:
        write_annex(settings, year, pdf=pdf)
    except Exception as exc:  # isolate like a notebook: the other years go on
        return JobResult(year, ANNEX, False, round(time.perf_counter() - start, 1),
                         error=f"{type(exc).__name__}: {exc}")
    return JobResult(year, ANNEX, True, round(time.perf_counter() - start, 1))


def _relative(path: Path, start: Path) -> str:
    return os.path.relpath(path.resolve(), start.resolve())


def plan_jobs(
    settings: Settings, notebooks: list[Path], years: list[int], *,
    extra: dict | None = None, timeout: int | None = None,
) -> list[Job]:
    """One job per (year, notebook); paths are passed relative to the notebook's folder."""
    jobs = []
    for year in years:
        for notebook in notebooks:
            cwd = notebook.parent
            parameters = {
                "year": year,
                "data_dir": _relative(settings.data_dir, cwd),
                "output_dir": _relative(settings.output_dir / str(year), cwd),
                "min_n": settings.min_n,
                "benchmark_group": settings.benchmark_group,
                **(extra or {}),
            }
            jobs.append(Job(year, notebook, parameters, settings.output_dir / str(year), timeout))
    return jobs


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        out[name] = metadata.version(name)
    return out


def _read_run_file(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def run(
    settings: Settings, notebook_dir: Path, *, years: list[int] | None = None,
    jobs: int | None = None, force: bool = False, progress: bool = True,
    parameters: dict | None = None, timeout: int | None = DEFAULT_TIMEOUT,
    annex: bool = True, pdf: bool = False,
) -> RunSummary:
    """Run every notebook for every requested year; write run.json per year and index.html.

    `parameters` adds or overrides notebook parameters (checked against every notebook's
    parameters cell, names and types); `timeout` is papermill's execution timeout per cell.
    `annex` also writes each year's council annex (`annex.write_annex`), `pdf` its PDF.
    """
    if pdf:
        from ivb_analysis.export import require_chromium

        require_chromium()  # no Chromium: a clear error before anything runs
    years = settings.waves(years)
    notebooks = discover_notebooks(notebook_dir)
    if not notebooks:
        raise InputError("geen notebooks gevonden", file=notebook_dir, expected="*.ipynb")
    all_jobs = plan_jobs(settings, notebooks, years, extra=parameters, timeout=timeout)
    for job in all_jobs[: len(notebooks)]:
        check_parameters([job.notebook], job.parameters)

    summary = RunSummary()
    todo: list[Job] = []
    fingerprints: dict[int, dict] = {}
    for year in years:
        year_jobs = [j for j in all_jobs if j.year == year]
        fingerprints[year] = year_fingerprint(settings, year, year_jobs)
        previous = _read_run_file(settings.output_dir / str(year) / RUN_FILE)
        expected = [j.output_dir / f"{j.name}.html" for j in year_jobs]
        if annex:
            expected.append(settings.output_dir / str(year) / f"{ANNEX}.html")
        if pdf:
            expected.append(settings.output_dir / str(year) / f"{ANNEX}.pdf")
        done = all(path.is_file() for path in expected)
        if (not force and done and previous and previous.get("ok")
                and previous.get("fingerprint") == fingerprints[year]):
            summary.skipped_years.append(year)
        else:
            todo += year_jobs

    todo_years = sorted({j.year for j in todo})
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    if todo:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_execute, job) for job in todo]
            if annex:
                futures += [pool.submit(_write_annex, settings, year, pdf) for year in todo_years]
            bar = tqdm(total=len(futures), desc="taken", unit="taak", disable=not progress)
            for future in as_completed(futures):
                summary.results.append(future.result())
                bar.update()
            bar.close()
    summary.results.sort(key=lambda r: (r.year, r.notebook))

    for year in todo_years:
        results = [r for r in summary.results if r.year == year]
        record = {
            "year": year,
            "ok": all(r.ok for r in results),
            "parameters": {j.name: j.parameters for j in all_jobs if j.year == year},
            "annex": {"written": annex, "pdf": pdf},
            "fingerprint": fingerprints[year],
            "inputs": {_relative(p, Path.cwd()): hashlib.sha256(p.read_bytes()).hexdigest()
                       for p in input_files(settings, year)},
            "versions": _versions(),
            "notebooks": [asdict(r) for r in results],
        }
        write_text(settings.output_dir / str(year) / RUN_FILE,
                   json.dumps(record, indent=2, sort_keys=True) + "\n")
    write_index(settings, notebooks)
    return summary


def write_index(settings: Settings, notebooks: list[Path]) -> Path:
    """outputs/index.html: every year and notebook, reviewer and analyst version."""
    rows = []
    for year in settings.years:
        year_dir = settings.output_dir / str(year)
        links = []
        for nb in notebooks:
            page = year_dir / f"{nb.stem}.html"
            if page.is_file():
                label = html.escape(nb.stem.replace("_", " "))
                links.append(f'<a href="{year}/{nb.stem}.html">{label}</a> '
                             f'(<a href="{year}/{nb.stem}.analist.html">met code</a>)')
        if (year_dir / f"{ANNEX}.html").is_file():
            extra = f'<a href="{year}/{ANNEX}.html"><b>bijlage {year}</b></a>'
            if (year_dir / f"{ANNEX}.pdf").is_file():
                extra += f' (<a href="{year}/{ANNEX}.pdf">pdf</a>)'
            workbook = year_dir / "tables" / f"tabellen_{year}.xlsx"
            if workbook.is_file():
                extra += f' · <a href="{year}/tables/{workbook.name}">tabellen (Excel)</a>'
            links.insert(0, extra)
        if links:
            rows.append(f"<tr><th>{year}</th><td>{'<br>'.join(links)}</td></tr>")
    banner = (f'<p class="banner">{html.escape(settings.banner)}</p>' if settings.banner else "")
    page = f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8">
<title>IVB-analyses {html.escape(settings.gemeente_naam)}</title>
<style>body{{font-family:sans-serif;max-width:50em;margin:2em auto}}
.banner{{background:#b2182b;color:#fff;font-weight:bold;padding:.4em .8em}}
th{{text-align:left;padding-right:2em;vertical-align:top}}td{{padding-bottom:.6em}}</style>
</head><body>{banner}
<h1>Veiligheidsanalyses {html.escape(settings.gemeente_naam)}</h1>
<p>Bron: {html.escape(settings.source_label)}. Per meetjaar de notebooks zonder code (voor lezers)
en met code (voor analisten).</p>
<table>{''.join(rows)}</table>
</body></html>
"""
    return write_text(settings.output_dir / "index.html", page)
