"""Reading the survey's SPSS metadata for `ivb init`: variables, labels, missing and filter
codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from ivb_analysis.errors import InputError
from ivb_analysis.labelmatch import FILTER_WORDS, SKIP_WORDS, plain

#: Value labels that mean "no valid answer" (besides SPSS user-missing declarations).
MISSING_WORDS = re.compile(r"weet\s*niet|geen\s*antwoord|geen\s*mening|wil\s*niet|onbekend|"
                           r"missing|weigert")

# ---------------------------------------------------------------------------------------------
# Reading the SPSS metadata
# ---------------------------------------------------------------------------------------------


@dataclass
class Variable:
    """One variable of the survey files: labels, missing definitions and codes seen."""

    name: str
    label: str
    value_labels: dict[int, str]
    user_missing: set[int]
    codes: set[int] = field(default_factory=set)
    unique: bool = True
    positive: bool = True
    integer: bool = True
    files: int = 0  # number of survey files the variable is in

    @property
    def missing_codes(self) -> dict[int, str]:
        """Codes that are no answer: SPSS user-missing, or labelled as such (filter codes
        excepted: what they mean is a decision, see `filter_codes`)."""
        codes = sorted((self.codes | set(self.value_labels)) - set(self.filter_codes))
        return {c: self.value_labels.get(c, "") for c in codes if c in self.user_missing
                or MISSING_WORDS.search(plain(self.value_labels.get(c, "")))}

    @property
    def filter_codes(self) -> dict[int, str]:
        """Codes labelled as skipped after a filter question ("niet gevraagd", "n.v.t.",
        "filter"), SPSS user-missing or not; and "nooit ..." codes outside the answer codes
        (-2 "nooit onveilig" beside 1-3): after "(bijna) nooit" such a code means an answer."""
        skip = {c for c, lab in self.value_labels.items() if SKIP_WORDS.search(plain(lab))}
        rest = [c for c, lab in self.value_labels.items() if c not in skip
                and not MISSING_WORDS.search(plain(lab)) and c not in self.user_missing]
        never = set()
        for c, lab in self.value_labels.items():
            others = [o for o in rest if o != c]
            if (c not in skip and FILTER_WORDS.search(plain(lab)) and others
                    and (c < min(others) - 1 or c > max(others) + 1 or c < 0)):
                never.add(c)
        return {c: lab for c, lab in sorted(self.value_labels.items()) if c in skip | never}

    @property
    def answers(self) -> dict[int, str]:
        """The labelled answer codes (neither missing nor filter)."""
        skip = set(self.missing_codes) | set(self.filter_codes)
        return {c: lab for c, lab in sorted(self.value_labels.items()) if c not in skip}


def _as_int(value: float) -> int | None:
    return int(value) if float(value).is_integer() else None


def read_survey_metadata(paths: list[Path]) -> dict[str, Variable]:
    """Variables of one or more waves (.sav): labels from the first file, codes from all."""
    variables: dict[str, Variable] = {}
    for path in paths:
        if not path.is_file():
            raise InputError("enquêtebestand ontbreekt", file=path)
        if path.suffix.lower() != ".sav":
            raise InputError("ivb init leest alleen SPSS-bestanden", file=path,
                             expected=".sav (met variabele- en waardelabels)", found=path.suffix)
        try:
            data, meta = pyreadstat.read_sav(str(path), user_missing=True)
        except pyreadstat.ReadstatError as exc:
            raise InputError(f"SPSS-bestand is onleesbaar ({exc})", file=path) from exc
        for name in data.columns:
            column = data[name]
            numeric = pd.api.types.is_numeric_dtype(column)
            values = column.dropna().to_numpy(dtype="float64") if numeric else np.array([])
            var = variables.get(name)
            if var is None:
                labels = {}
                for code, text in (meta.variable_value_labels.get(name) or {}).items():
                    if isinstance(code, (int, float)) and _as_int(code) is not None:
                        labels[int(code)] = str(text)
                var = Variable(name, str(meta.column_names_to_labels.get(name) or ""), labels,
                               _user_missing(meta, name, labels))
                variables[name] = var
            var.files += 1
            var.integer &= bool(numeric) and bool(np.all(np.mod(values, 1) == 0))
            var.positive &= (bool(numeric) and bool(np.all(values > 0))
                             and len(values) == len(column))
            var.unique &= bool(column.notna().all() and column.is_unique)
            if var.integer:
                var.codes |= {int(v) for v in np.unique(values)}
    return variables


def _user_missing(meta, name: str, labels: dict[int, str]) -> set[int]:
    """Discrete user-missing values and labelled codes inside user-missing ranges."""
    out: set[int] = set()
    for spec in (meta.missing_ranges or {}).get(name, []) or []:
        lo, hi = spec["lo"], spec["hi"]
        if lo == hi and _as_int(lo) is not None:
            out.add(int(lo))
        else:
            out |= {c for c in labels if lo <= c <= hi}
    for value in (getattr(meta, "missing_user_values", None) or {}).get(name, []) or []:
        if isinstance(value, (int, float)) and _as_int(value) is not None:
            out.add(int(value))
    return out


