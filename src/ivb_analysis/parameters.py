"""Notebook parameters of `ivb run`: read each notebook's parameters cell, check names and types,
and apply the `-p` overrides to Settings once, refusing what contradicts the run or the delivery.

Parameters that are Settings fields (`base_year` -> `reference_year`, `min_n`, `benchmark_group`)
change Settings, and the notebooks get their values from that one Settings object, as the annex
does. The folders come from the command line (`--data-dir`, ...), never from `-p`.
"""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path
from typing import Any

from ivb_analysis.config import Settings
from ivb_analysis.errors import InputError

# Parameters the runner sets itself from the command line and the delivery.
RUNNER_PARAMETERS = ("year", "data_dir", "output_dir", "processed_dir")
# Notebook parameters that are Settings fields.
SETTINGS_PARAMETERS = {"base_year": "reference_year", "min_n": "min_n",
                       "benchmark_group": "benchmark_group"}

_TYPES: dict[str, tuple[type, ...]] = {"int": (int,), "float": (int, float), "str": (str,),
                                       "bool": (bool,), "list": (list,), "dict": (dict,),
                                       "None": (type(None),), "NoneType": (type(None),)}


def _split_top_level(text: str) -> list[str]:
    """`str, list[str], int` -> the comma-separated parts outside brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += char == "["
        depth -= char == "]"
        if char == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def _type_matches(value: object, declared: str | None) -> bool:
    """Does `value` fit a declared annotation such as `int`, `Optional[str]` or
    `Optional[Union[str, list]]`? (`list[str]`/`List[str]` check the list only.)"""
    if not declared:  # no annotation: papermill cannot tell, neither can we
        return True
    declared = declared.strip().removeprefix("typing.")
    match = re.fullmatch(r"(\w+)\[(.*)\]", declared)
    if match:
        head, inner = match.groups()
        if head == "Optional":
            return value is None or _type_matches(value, inner)
        if head == "Union":
            return any(_type_matches(value, part) for part in _split_top_level(inner))
        declared = head.lower()  # list[str], List[str], dict[str, int] ...
    if "|" in declared:
        return any(_type_matches(value, part.strip()) for part in declared.split("|"))
    allowed = _TYPES.get(declared)
    if allowed is None:  # unknown annotation
        return True
    if isinstance(value, bool) and bool not in allowed:
        return False
    return isinstance(value, allowed)


def declared_parameters(notebook: Path) -> dict[str, dict]:
    """The parameters cell of a notebook: name -> {"inferred_type_name": annotation or None}.

    The cell is Python; `ast` reads each assignment with its annotation exactly as papermill's
    `inspect_notebook` reports it (`Optional[Union[str, list]]`), without importing papermill,
    so that a run with nothing to do stays cheap.
    """
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    cell = next((c for c in cells if c.get("cell_type") == "code"
                 and "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise InputError("parametercel is geen geldige Python", file=notebook,
                         row=exc.lineno, found=exc.msg) from None
    declared: dict[str, dict] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared[node.target.id] = {"name": node.target.id,
                                        "inferred_type_name": ast.unparse(node.annotation)}
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    declared[target.id] = {"name": target.id, "inferred_type_name": None}
    return declared


def check_parameters(notebooks: list[Path], parameters: dict,
                     declared: dict[Path, dict] | None = None) -> None:
    """Reject parameters a notebook does not declare or of the wrong type, before anything runs."""
    for notebook in notebooks:
        names = (declared or {}).get(notebook) or declared_parameters(notebook)
        if not names:  # no parameters cell: papermill injects the values at the top; the
            continue  # notebook runs and a failing cell is a named failure like any other
        for name, value in sorted(parameters.items()):
            if name not in names:
                raise InputError("onbekende notebookparameter", file=notebook, column=name,
                                 expected=", ".join(sorted(names)))
            annotation = names[name]["inferred_type_name"]
            if not _type_matches(value, annotation):
                raise InputError("notebookparameter heeft het verkeerde type", file=notebook,
                                 column=name, expected=annotation, found=value)


def _refuse(message: str, name: str, value: object, expected: str) -> InputError:
    return InputError(message, file="-p (notebookparameter)", column=name, expected=expected,
                      found=value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def apply_parameters(
    settings: Settings, years: list[int] | None, parameters: dict | None,
) -> tuple[Settings, list[int], dict]:
    """Check `-p` overrides against the run and the delivery and apply them once.

    `year` may only repeat the one year of the run (`--years`); the folders come from
    `--data-dir`/`--output-dir`/`--processed-dir`; `gemeente` must be the delivery's.
    `base_year`, `min_n` and `benchmark_group` become Settings fields (`reference_year`, ...),
    so the notebooks and the annex see the same values. Returns the settings, the years to run
    and the remaining notebook parameters. Raises InputError (exit 2) before anything runs.
    """
    free = dict(parameters or {})
    if "year" in free:
        year = free.pop("year")
        if not _is_int(year):
            raise _refuse("meetjaar moet een geheel getal zijn", "year", year, "bijv. 2015")
        if years and list(years) != [year]:
            raise _refuse("parameter year spreekt --years tegen", "year", year,
                          f"--years {' '.join(map(str, years))} zonder -p year, of "
                          f"alleen --years {year}")
        years = [year]
    years = settings.waves(years)
    for name in ("data_dir", "output_dir", "processed_dir"):
        if name in free:
            option = "--" + name.replace("_", "-")
            raise _refuse(f"de map zet u met {option}, niet met -p", name, free[name],
                          f"{option} MAP")
    if "gemeente" in free and free["gemeente"] not in (None, settings.gemeente_code):
        raise _refuse("gemeentecode past niet bij de levering", "gemeente", free["gemeente"],
                      settings.gemeente_code)

    changes: dict[str, Any] = {}
    if free.get("base_year") is not None:
        base = free["base_year"]
        earlier = [y for y in settings.years if y < min(years)]
        if not _is_int(base) or base not in earlier:
            raise _refuse("vergelijkingsjaar is geen eerdere meting van de levering", "base_year",
                          base, ", ".join(map(str, earlier)) or
                          f"geen: er is geen meting vóór {min(years)}")
        changes["reference_year"] = base
    if free.get("min_n") is not None:
        min_n = free["min_n"]
        if not _is_int(min_n) or min_n < 1:
            raise _refuse("minimum aantal respondenten moet een positief geheel getal zijn",
                          "min_n", min_n, "bijv. 50")
        changes["min_n"] = min_n
    if free.get("benchmark_group") is not None:
        changes["benchmark_group"] = _benchmark_group(settings, free["benchmark_group"])
    for name in SETTINGS_PARAMETERS:
        free.pop(name, None)
    return settings.replace(**changes), years, free


def _benchmark_group(settings: Settings, group: object) -> str | list[str]:
    """A group name or a list of GM codes that the delivery's membership file can resolve."""
    from ivb_analysis.benchmark import group_members

    if isinstance(group, list) and all(isinstance(code, str) for code in group) and group:
        value: str | list[str] = list(group)
    elif isinstance(group, str) and group.strip():
        value = group
    else:
        raise _refuse("vergelijkingsgroep moet een naam of een lijst gemeentecodes zijn",
                      "benchmark_group", group, "bijv. G32 of [GM0141, GM0153]")
    membership = settings.path("group_members") if settings.files.group_members else None
    group_members(value, membership)  # an unknown group or code: InputError naming the file
    return value


def relative(path: Path, start: Path) -> str:
    return os.path.relpath(path.resolve(), start.resolve())


def notebook_parameters(settings: Settings, notebook: Path, year: int, *,
                        declared: dict | None = None, extra: dict | None = None) -> dict:
    """The parameters one notebook gets for one year: the run's Settings, paths relative to
    the notebook's folder (so that the analyst HTML shows no machine-specific path)."""
    cwd = notebook.parent
    parameters = {
        "year": year,
        "data_dir": relative(settings.data_dir, cwd),
        "output_dir": relative(settings.output_dir / str(year), cwd),
        "base_year": settings.reference_year,
        "min_n": settings.min_n,
        "benchmark_group": settings.benchmark_group,
    }
    if declared is None or "processed_dir" in declared:
        parameters["processed_dir"] = relative(settings.processed_dir, cwd)
    return {**parameters, **(extra or {})}
