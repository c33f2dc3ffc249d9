"""Kernels and worker processes: many kernels start at once and none dies (IPC transport, no TCP
port race); a run stopped by SIGTERM, SIGINT or SIGKILL leaves no process behind and writes
nothing afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from ivb_analysis.config import load_settings
from ivb_analysis.run import STAGING_PREFIX, run
from tests.conftest import ROOT
from tests.e2e.test_run_parameters import contract_notebook, mini  # noqa: F401 (fixture)

SHOW_TRANSPORT = ("import os\nfrom ipykernel.kernelapp import IPKernelApp\n"
                  "app = IPKernelApp.instance()\n"
                  "print(app.transport, app.connection_file.startswith(os.environ['TMPDIR']))")


@pytest.mark.slow
def test_eight_kernels_start_at_once_over_ipc_and_none_dies(mini, tmp_path, capfd,  # noqa: F811
                                                            monkeypatch):
    notebooks = tmp_path / "nb"
    for number in range(8):
        contract_notebook(notebooks, f"nb{number}", SHOW_TRANSPORT)
    settings = load_settings(mini, output_dir=tmp_path / "uit", processed_dir=tmp_path / "proc")
    temp = tmp_path / "tmp"  # this test's own temp folder: other kernels on the machine never
    temp.mkdir()             # show up in it (the forked workers inherit it)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(temp / "runtime"))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    summary = run(settings, notebooks, years=[2015], jobs=8, progress=False, annex=False)
    assert not summary.failed, summary.report()
    assert len(summary.results) == 8
    for number in range(8):
        executed = nbformat.read(tmp_path / "uit" / "2015" / "notebooks" / f"nb{number}.ipynb", 4)
        assert executed.cells[-1].outputs[0]["text"] == "ipc True\n"  # its files in `temp`
    assert "without encryption" not in capfd.readouterr().err
    assert not list(temp.glob("ivb-kernel-*"))  # every kernel folder (connection file) gone


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _kernels(processes: list[psutil.Process]) -> list[psutil.Process]:
    found = []
    for process in processes:
        try:
            if any("ipykernel" in part for part in process.cmdline()):
                found.append(process)
        except psutil.NoSuchProcess:
            pass
    return found


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_stopped_run_leaves_no_process_and_writes_nothing_afterwards(mini, tmp_path, sig):  # noqa: F811
    notebooks = tmp_path / "nb"
    marker = tmp_path / "na-de-stop"
    # The kernels sleep, then write a file: a kernel that outlived the stop would write it.
    for name in ("a", "b"):
        contract_notebook(notebooks, name, "import time\ntime.sleep(8)",
                          f"open({str(marker)!r} + {name!r}, 'w').write('x')")
    out = tmp_path / "uit"
    process = subprocess.Popen(
        [sys.executable, "-m", "ivb_analysis", "run", "--quiet", "--jobs", "2", "--years", "2015",
         "--data-dir", str(mini), "--output-dir", str(out), "--processed-dir",
         str(tmp_path / "proc"), "--notebook-dir", str(notebooks)],
        start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )
    seen: dict[int, psutil.Process] = {}
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            found = _descendants(process.pid)
            seen.update({p.pid: p for p in found})
            # two workers: one runs the annex (started first), one a notebook in its kernel
            if _kernels(found) and len(found) >= 3:
                break
            time.sleep(0.2)
        else:
            pytest.fail("de kernels zijn niet gestart")
        time.sleep(1)
        seen.update({p.pid: p for p in _descendants(process.pid)})
        os.kill(process.pid, sig)  # the parent only, as a user or a scheduler would
        code = process.wait(timeout=60)
        _, err = process.communicate()
        if sig != signal.SIGKILL:
            assert code == 128 + sig, err.decode()
            assert "onderbroken" in err.decode()
            assert "Traceback" not in err.decode()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(p.is_running() for p in seen.values()):
            time.sleep(0.2)
        survivors = [p for p in seen.values() if p.is_running() and p.status() != "zombie"]
        assert not survivors, [p.cmdline() for p in survivors]
        before = _snapshot(out)
        time.sleep(10)  # longer than the kernels' sleep: a survivor would have written by now
        assert _snapshot(out) == before
        assert not list(tmp_path.glob("na-de-stop*"))
        assert not (out / "2015").exists()  # no year was complete: nothing half is published
        if sig != signal.SIGKILL:
            assert not list(out.glob(STAGING_PREFIX + "*"))  # the staging folder went too
    finally:
        for leftover in seen.values():
            if leftover.is_running():
                leftover.kill()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
