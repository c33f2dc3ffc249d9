"""Kernels and worker processes of the notebook runner: safe to start in parallel, safe to stop.

* Kernels talk over Unix domain sockets (ZeroMQ `ipc`) in a private temporary folder per kernel,
  not over TCP: jupyter_client picks "free" TCP ports in one process and another process can bind
  them first (papermill issue 511: "Address already in use", a kernel that dies at birth). With
  `ipc` there is no port to race for, nothing listens on the network, and ipykernel does not warn
  "Kernel is running over TCP without encryption".
* A worker stops at once when it is told to (SIGTERM, SIGINT) or when its parent dies (Linux
  `prctl(PR_SET_PDEATHSIG)`, plus a watcher thread elsewhere): it kills its kernel (which runs in
  its own session, so signals to the run's process group do not reach it) and exits without
  running any more Python code, so nothing is written after the stop.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from papermill.engines import NBClientEngine, papermill_engines

ENGINE = "ivb"
_live: set[IpcKernelManager] = set()  # kernels started by this process and not yet cleaned up
_last_notebook: list[Any] = [None]  # the notebook the engine executed last (also on failure)


class IpcKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel listens on Unix sockets in its own temporary folder."""

    def __init__(self, **kwargs: Any) -> None:
        self.private_dir = Path(tempfile.mkdtemp(prefix="ivb-kernel-"))
        if os.name == "posix":
            # The sockets are <private_dir>/kernel-ipc-<n>: no other process can take them.
            kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("connection_file", str(self.private_dir / "kernel.json"))
        super().__init__(**kwargs)
        _live.add(self)

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts before every shutdown; the kernel is idle by then (or about
        # to be killed), and ipykernel would log "KeyboardInterrupt caught in kernel" per run.
        if not self.shutting_down:
            await super()._async_interrupt_kernel()

    interrupt_kernel = _async_interrupt_kernel

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            release(self)

    cleanup_resources = _async_cleanup_resources


def release(km: IpcKernelManager) -> None:
    """Forget a kernel manager and remove its private folder (sockets, connection file)."""
    _live.discard(km)
    shutil.rmtree(km.private_dir, ignore_errors=True)


def kill_kernels() -> None:
    """Kill every kernel this process started (its whole session) and remove their folders."""
    for km in list(_live):
        pid = getattr(km.provisioner, "pid", None) if km.provisioner else None
        if pid:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        release(km)


class IvbEngine(NBClientEngine):
    """papermill's nbclient engine with IPC kernels, no timing records, and the notebook kept.

    nbclient's `record_timing` writes busy/idle timestamps into every cell; they are volatile
    and belong in run.json, not in an output that must be byte-identical on rerun.
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
        _last_notebook[0] = nb_man.nb
        kwargs.setdefault("kernel_manager_class", IpcKernelManager)
        kwargs.setdefault("record_timing", False)
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)


papermill_engines.register(ENGINE, IvbEngine)


def take_last_notebook() -> Any:
    """The notebook of the last execution in this process (outputs so far), then forget it."""
    notebook, _last_notebook[0] = _last_notebook[0], None
    return notebook


# --- worker processes -------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1


def _stop(signum: int, _frame: object = None) -> None:
    """Kill our kernels and leave at once: no finally blocks, no atexit, no further writes."""
    kill_kernels()
    os._exit(128 + signum)


def _watch_parent(parent_pid: int) -> None:
    """Portable fallback for parent death: a parent that is gone no longer is our parent."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            _stop(signal.SIGTERM)


def init_worker(parent_pid: int) -> None:
    """Pool initializer: stop cleanly on SIGTERM/SIGINT and when the parent process dies."""
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent_pid:  # the parent died before we got here
        _stop(signal.SIGTERM)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True,
                     name="ivb-parent-watch").start()
