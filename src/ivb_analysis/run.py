"""Batch regeneration: every notebook for every year through papermill, rendered to HTML.

Each (year, notebook) runs in a worker process with the explicit `ivb-analysis` kernel (over Unix
sockets, see `kernel`). A failing notebook does not stop the others: the run ends with a summary
(year, notebook, cell, exception), keeps the failed executed notebook for inspection and returns a
non-zero status. A year whose inputs, parameters, notebooks and library code are unchanged
(content hashes) is skipped.

A year is built in a private staging folder inside the output folder and then moved into place as
a whole: the year's folder holds exactly what this run wrote (no stale file of an earlier run or
another delivery), and a killed run leaves the previous folder complete. Executed notebooks carry
no timestamps (they are outputs too and must be byte-identical on rerun); durations go to
`run.json`. Heavy libraries (papermill, nbconvert) are imported only when a run starts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import platform
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from ivb_analysis.atomic import write_text
from ivb_analysis.config import Settings
from ivb_analysis.errors import InputError
from ivb_analysis.outfolder import (
    RUN_FILE,
    STAGING_PREFIX,
    delivery_id,
    output_lock,
    read_run_file,
    recover,
    remove_foreign_years,
    swap_in,
)
from ivb_analysis.parameters import (
    apply_parameters,
    check_parameters,
    declared_parameters,
    notebook_parameters,
    relative,
)

KERNEL = "ivb-analysis"
ANNEX = "bijlage"
DEFAULT_TIMEOUT = 600  # seconds per notebook cell
VERSIONED_PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "papermill",
                      "nbconvert", "pyreadstat", "pyarrow")


@dataclass(frozen=True)
class Job:
    """One notebook for one year."""

    year: int
    notebook: Path
    parameters: dict
    output_dir: Path  # where the worker writes (the year's staging folder)
    timeout: int | None = None  # seconds per cell; None waits forever
    final_dir: Path | None = None  # where the files end up (the year's folder)

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


class RunInterrupted(Exception):
    """The run was stopped by a signal; workers and kernels are gone, nothing more is written."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"onderbroken door signaal {signal.Signals(signum).name}")
        self.signum = signum


def discover_notebooks(notebook_dir: Path) -> list[Path]:
    """The project's notebooks, in name order."""
    return sorted(p for p in notebook_dir.glob("*.ipynb") if not p.name.startswith("_"))


# --- content hashes -----------------------------------------------------------------------------


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
    return [f for f in files if f.is_file()]


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


# --- jobs ----------------------------------------------------------------------------------------


def plan_jobs(
    settings: Settings, notebooks: list[Path], years: list[int], *,
    extra: dict | None = None, timeout: int | None = None,
    declared: dict[Path, dict] | None = None, staging: Path | None = None,
) -> list[Job]:
    """One job per (year, notebook); `staging` replaces the output folder for the writes."""
    jobs = []
    for year in years:
        final = settings.output_dir / str(year)
        for notebook in notebooks:
            parameters = notebook_parameters(
                settings, notebook, year, extra=extra,
                declared=(declared or {}).get(notebook))
            jobs.append(Job(year, notebook, parameters,
                            (staging / str(year)) if staging else final, timeout, final))
    return jobs


# --- deterministic executed notebooks -----------------------------------------------------------


def strip_volatile(notebook: Any) -> Any:
    """Remove what differs between two executions of the same notebook on the same inputs.

    papermill records start and end times, durations, input and output paths per notebook and
    cell; nbclient records busy/idle timestamps; papermill's injected cell gets a random id.
    Kept: the parameters (the notebook says what it was run with), outputs, execution counts.
    """
    meta = notebook.metadata.get("papermill")
    if meta is not None:
        notebook.metadata["papermill"] = {"parameters": meta.get("parameters", {})}
    for number, cell in enumerate(notebook.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell["id"] = f"cel-{number:03d}"
    return notebook


def _notebook_bytes(notebook: Any) -> str:
    import nbformat

    return nbformat.writes(strip_volatile(notebook))


def _keep_failed(job: Job, notebook: Any) -> str | None:
    """Write the executed notebook up to the failing cell to failed/; the final path."""
    if notebook is None:
        return None
    write_text(job.output_dir / "failed" / job.notebook.name, _notebook_bytes(notebook))
    return str((job.final_dir or job.output_dir) / "failed" / job.notebook.name)


def _execute(job: Job) -> JobResult:
    """Worker: run one notebook with papermill and render both HTML versions."""
    import papermill

    from ivb_analysis import kernel
    from ivb_analysis.render import notebook_html

    start = time.perf_counter()

    def seconds() -> float:
        return round(time.perf_counter() - start, 1)

    kernel.take_last_notebook()
    try:
        notebook = papermill.execute_notebook(
            str(job.notebook), None, parameters=job.parameters, kernel_name=KERNEL,
            engine_name=kernel.ENGINE, cwd=str(job.notebook.parent), progress_bar=False,
            log_output=False, execution_timeout=job.timeout,
        )
    except papermill.PapermillExecutionError as exc:
        kept = _keep_failed(job, kernel.take_last_notebook())
        first_line = (exc.source or "").strip().splitlines()[:1]
        return JobResult(job.year, job.name, False, seconds(), cell=exc.exec_count,
                         error=f"{exc.ename}: {exc.evalue}",
                         code=first_line[0] if first_line else None, kept=kept)
    except Exception as exc:  # kernel died, timeout, missing kernel: still isolate the failure
        kept = _keep_failed(job, kernel.take_last_notebook())
        return JobResult(job.year, job.name, False, seconds(),
                         error=f"{type(exc).__name__}: {exc}", kept=kept)
    finally:
        kernel.kill_kernels()  # normally none left; after a failure nothing may outlive the job
    out_dir = job.output_dir
    write_text(out_dir / "notebooks" / job.notebook.name, _notebook_bytes(notebook))
    title = f"{job.name.replace('_', ' ').capitalize()} {job.year}"
    write_text(out_dir / f"{job.name}.html", notebook_html(notebook, with_code=False, title=title))
    write_text(out_dir / f"{job.name}.analist.html",
               notebook_html(notebook, with_code=True, title=title))
    return JobResult(job.year, job.name, True, seconds())


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


# --- the run ------------------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        out[name] = metadata.version(name)
    return out


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM and SIGINT raise RunInterrupted in the main thread (elsewhere: unchanged)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        raise RunInterrupted(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _stop_workers(pool: Any) -> None:
    """Tell every worker to stop (they kill their kernels first) and wait for them."""
    processes = list(getattr(pool, "_processes", {}).values())  # the executor has no public API
    for process in processes:
        with contextlib.suppress(OSError):
            process.terminate()
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _execute_all(todo: list[Job], annex_jobs: list[tuple[Settings, int, bool]], workers: int,
                 progress: bool) -> list[JobResult]:
    """Run the jobs in worker processes; on a signal stop them all and raise RunInterrupted."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    # papermill and nbconvert (seconds to import) are imported once here, not by every worker:
    # the forked workers inherit the loaded modules.
    import papermill  # noqa: F401
    from nbconvert import HTMLExporter  # noqa: F401
    from tqdm import tqdm

    from ivb_analysis.kernel import init_worker

    if annex_jobs:
        import ivb_analysis.annex  # noqa: F401

    results: list[JobResult] = []
    pool = ProcessPoolExecutor(max_workers=workers, initializer=init_worker,
                               initargs=(os.getpid(),))
    try:
        # The annexes take several notebooks' time each: started first, they do not leave one
        # worker busy at the end while the others idle.
        futures = {pool.submit(_write_annex, *args): (args[1], ANNEX) for args in annex_jobs}
        futures.update({pool.submit(_execute, job): (job.year, job.name) for job in todo})
        with tqdm(total=len(futures), desc="taken", unit="taak", disable=not progress) as bar:
            for future in as_completed(futures):
                try:
                    results.append(future.result())
                except BrokenProcessPool as exc:  # a worker was killed from outside
                    year, name = futures[future]
                    results.append(JobResult(year, name, False, 0.0,
                                             error=f"werkproces gestopt: {exc}"))
                bar.update()
    except BaseException:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):  # a second Ctrl-C must not cut this short
                signal.signal(sig, signal.SIG_IGN)
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)
    return results


def preflight(
    settings: Settings, notebook_dir: Path, *, years: list[int] | None = None,
    parameters: dict | None = None,
) -> tuple[Settings, list[int], dict, list[Path], dict[Path, dict]]:
    """Everything `run` checks before it writes anything (InputError, exit 2): notebooks found,
    `-p` consistent with the run and the delivery, names and types against every notebook.

    Cheap (no papermill import); the CLI may call it before `prepare` so that a contradicting
    parameter is refused before any file is written. Returns the settings with the parameters
    applied, the years, the remaining notebook parameters, the notebooks and their declared
    parameters.
    """
    notebooks = discover_notebooks(notebook_dir)
    if not notebooks:
        raise InputError("geen notebooks gevonden", file=notebook_dir, expected="*.ipynb")
    declared = {nb: declared_parameters(nb) for nb in notebooks}
    check_parameters(notebooks, dict(parameters or {}), declared)  # names and types first
    settings, years, extra = apply_parameters(settings, years, parameters)
    for notebook in notebooks:
        check_parameters([notebook], notebook_parameters(settings, notebook, years[0],
                                                         declared=declared[notebook],
                                                         extra=extra), declared)
    return settings, years, extra, notebooks, declared


def run(
    settings: Settings, notebook_dir: Path, *, years: list[int] | None = None,
    jobs: int | None = None, force: bool = False, progress: bool = True,
    parameters: dict | None = None, timeout: int | None = DEFAULT_TIMEOUT,
    annex: bool = True, pdf: bool = False,
) -> RunSummary:
    """Run every notebook for every requested year; write run.json per year and index.html.

    `parameters` (`-p`) are checked against the run, the delivery and every notebook's
    parameters cell (names and types) before anything runs; those that are Settings fields
    change Settings once, for the notebooks and the annex alike. `timeout` is papermill's
    execution timeout per cell. `annex` also writes each year's council annex
    (`annex.write_annex`), `pdf` its PDF. SIGTERM/SIGINT stop the workers and their kernels and
    raise RunInterrupted; nothing is written after the signal.
    """
    settings, years, extra, notebooks, declared = preflight(settings, notebook_dir, years=years,
                                                            parameters=parameters)
    summary = RunSummary()
    hashes = Hashes()
    with _signals_raise(), output_lock(settings.output_dir):
        recover(settings.output_dir)
        all_jobs = plan_jobs(settings, notebooks, years, extra=extra, timeout=timeout,
                             declared=declared)
        todo_years: list[int] = []
        fingerprints: dict[int, dict] = {}
        for year in years:
            year_jobs = [j for j in all_jobs if j.year == year]
            fingerprints[year] = year_fingerprint(settings, year, year_jobs, hashes)
            final = settings.output_dir / str(year)
            previous = read_run_file(final / RUN_FILE)
            expected = [final / f"{j.name}.html" for j in year_jobs]
            if annex:
                expected.append(final / f"{ANNEX}.html")
            if pdf:
                expected.append(final / f"{ANNEX}.pdf")
            done = all(path.is_file() for path in expected)
            if (not force and done and previous and previous.get("ok")
                    and previous.get("fingerprint") == fingerprints[year]
                    and previous.get("delivery") == delivery_id(settings)):
                summary.skipped_years.append(year)
            else:
                todo_years.append(year)

        if todo_years:
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=settings.output_dir))
            try:
                _run_years(settings, staging, notebooks, todo_years, summary, fingerprints,
                           overrides=dict(parameters or {}), jobs=jobs, progress=progress,
                           extra=extra, timeout=timeout, declared=declared, annex=annex,
                           pdf=pdf, hashes=hashes)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        removed = remove_foreign_years(settings)
        if todo_years or removed or not (settings.output_dir / "index.html").is_file():
            # nothing ran: the index still lists exactly what is there (its inputs, the
            # notebooks, settings and template, are all in the fingerprints)
            from ivb_analysis.index import write_index

            write_index(settings, notebooks)
    return summary


def _run_years(settings: Settings, staging: Path, notebooks: list[Path], years: list[int],
               summary: RunSummary, fingerprints: dict[int, dict], *, overrides: dict,
               jobs: int | None,
               progress: bool, extra: dict, timeout: int | None, declared: dict,
               annex: bool, pdf: bool, hashes: Hashes) -> None:
    """Build the years in `staging`, then move each complete year into place."""
    todo = plan_jobs(settings, notebooks, years, extra=extra, timeout=timeout,
                     declared=declared, staging=staging)
    staged = settings.replace(output_dir=staging)  # the annex writes to <output_dir>/<year>
    annex_jobs = [(staged, year, pdf) for year in years] if annex else []
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) + len(annex_jobs)))
    results = _execute_all(todo, annex_jobs, workers, progress)
    summary.results += results
    summary.results.sort(key=lambda r: (r.year, r.notebook))
    for year in years:
        year_results = [r for r in results if r.year == year]
        record = {
            "year": year,
            "ok": all(r.ok for r in year_results),
            "delivery": delivery_id(settings),
            "parameters": {j.name: j.parameters for j in todo if j.year == year},
            "overrides": overrides,
            "settings": {"reference_year": settings.reference_year, "min_n": settings.min_n,
                         "benchmark_group": settings.benchmark_group},
            "annex": {"written": annex, "pdf": pdf},
            "fingerprint": fingerprints[year],
            "inputs": {relative(p, Path.cwd()): hashes.file(p)
                       for p in input_files(settings, year)},
            "versions": _versions(),
            "notebooks": [asdict(r) for r in sorted(year_results,
                                                    key=lambda r: r.notebook)],
        }
        write_text(staging / str(year) / RUN_FILE,
                   json.dumps(record, indent=2, sort_keys=True) + "\n")
        swap_in(staging / str(year), settings.output_dir / str(year))
