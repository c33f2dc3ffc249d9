"""The run's vocabulary: a job (one notebook for one year), its result, the run's summary and the
interruption by a signal. Shared by `run`, `fingerprint` and `annex_years` (which `run` uses), so
none of them imports another in a circle."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

KERNEL = "ivb-analysis"
ANNEX = "bijlage"
DEFAULT_TIMEOUT = 600  # seconds per notebook cell


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
