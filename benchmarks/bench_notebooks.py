"""Where the time of one notebook goes: kernel start-up, imports, computation, rendering.

Runs, in this process and one after the other (best of `--repeat`), with the runner's own engine
(IPC kernels) and renderer:

* `kernel`  papermill on a notebook with one empty cell (start, execute nothing, shut down);
* `imports` papermill on a notebook that only imports what the project notebooks import
  (`ivb_analysis.report`), minus `kernel`: the floor of every project notebook;
* `notebook` papermill on the real notebook with the runner's parameters;
* `render`  both HTML pages (reviewer, analyst) of the executed notebook; `render floor` the same
  for the import-only notebook.

Usage: python benchmarks/bench_notebooks.py [--data-dir data/raw/mini] [--year 2015]
       [--notebook notebooks/staat_van_de_stad.ipynb] [--repeat 3]
Not part of `make test`; timings vary by 2x on a shared machine (report ratios).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from ivb_analysis import kernel
from ivb_analysis.config import load_settings
from ivb_analysis.parameters import declared_parameters
from ivb_analysis.render import notebook_html
from ivb_analysis.run import KERNEL, notebook_parameters


def _notebook(folder: Path, name: str, code: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": KERNEL, "language": "python",
                                       "display_name": "Python (ivb-analysis)"}
    notebook.cells = [nbformat.v4.new_code_cell(code)]
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


def _execute(path: Path, parameters: dict | None = None) -> tuple[float, object]:
    start = time.perf_counter()
    executed = papermill.execute_notebook(
        str(path), None, parameters=parameters, kernel_name=KERNEL, engine_name=kernel.ENGINE,
        cwd=str(path.parent), progress_bar=False)
    return time.perf_counter() - start, executed


def _render(executed: object) -> float:
    start = time.perf_counter()
    notebook_html(executed, with_code=False, title="x")
    notebook_html(executed, with_code=True, title="x")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data/raw/mini"))
    parser.add_argument("--year", type=int, default=2015)
    parser.add_argument("--notebook", type=Path,
                        default=Path("notebooks/staat_van_de_stad.ipynb"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    settings = load_settings(args.data_dir)
    notebook = args.notebook.resolve()
    parameters = notebook_parameters(settings, notebook, args.year,
                                     declared=declared_parameters(notebook))
    times: dict[str, list[float]] = {k: [] for k in ("kernel", "imports", "notebook", "render",
                                                      "render floor")}
    with tempfile.TemporaryDirectory() as tmp:
        empty = _notebook(Path(tmp), "leeg", "")
        imports = _notebook(Path(tmp), "imports", "from ivb_analysis.report import open_wave")
        _execute(empty)  # warm the file cache once
        for _ in range(args.repeat):
            times["kernel"].append(_execute(empty)[0])
            seconds, floor = _execute(imports)
            times["imports"].append(seconds)
            times["render floor"].append(_render(floor))
            seconds, executed = _execute(notebook, parameters)
            times["notebook"].append(seconds)
            times["render"].append(_render(executed))
    best = {k: min(v) for k, v in times.items()}
    kernel_s, imports_s = best["kernel"], best["imports"] - best["kernel"]
    compute_s = best["notebook"] - best["imports"]
    total = best["notebook"] + best["render"]
    load = os.getloadavg()[0]
    print(f"{notebook.name}, {args.data_dir.name} {args.year}, best of {args.repeat} "
          f"(load average {load:.1f} on {os.cpu_count()} cores)")
    for label, value in (("kernel start-up + shutdown", kernel_s), ("imports", imports_s),
                         ("computation (cells)", compute_s), ("rendering (2 HTML pages)",
                                                              best["render"])):
        print(f"  {label:28s} {value:6.2f} s  {100 * value / total:5.1f}%")
    print(f"  {'one notebook, total':28s} {total:6.2f} s")
    floor = best["imports"] + best["render floor"]
    print(f"  floor (import-only notebook + its 2 pages): {floor:.2f} s; "
          f"notebook / floor = {total / floor:.2f}")


if __name__ == "__main__":
    main()
