"""Readers for the two project-defined CSV inputs: benchmark figures and Veiligheidshuis casework.

Both are UTF-8 (a BOM is fine), `;`-separated, with the header exactly as documented (extra
columns are ignored), numbers with a decimal comma or point. Rows whose required cells are all
empty (spreadsheet leftovers like `;;;;;`) are skipped. Errors name the file, the column and the
line in the file (the header is line 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.io.text import (
    CsvText,
    Locator,
    first_true,
    load_csv,
    parse_numbers,
    require_columns,
)

BENCHMARK_COLUMNS = ("jaar", "indicator", "waarde", "ondergrens", "bovengrens", "n")
CASEWORK_COLUMNS = ("jaar", "gemeentecode", "gemeente", "overleg", "aantal")
YEAR_RANGE = (1900, 2100)


def _load(path: str | Path, columns: Sequence[str]) -> tuple[CsvText, pd.DataFrame, Locator]:
    """Read a `;` table, check its columns, drop empty rows; return a row -> line locator."""
    csv = load_csv(path)
    if csv.sep != ";":
        raise InputError("verkeerd scheidingsteken", file=csv.path, row=1,
                         expected="';' tussen de kolommen", found=csv.sep)
    frame = csv.frame()
    csv.check_widths()
    frame.columns = [str(c).strip() for c in frame.columns]
    require_columns(frame, columns, csv.path)
    frame = frame[list(columns)]
    frame = frame[frame.notna().any(axis=1)]
    positions = frame.index.to_numpy()
    frame = frame.reset_index(drop=True)
    return csv, frame, lambda pos: csv.line_of(int(positions[pos]))


def _years(frame: pd.DataFrame, file: Path, line: Locator) -> pd.Series:
    years = parse_numbers(frame["jaar"], file=file, column="jaar", line=line, required=True,
                          integer=True)
    bad = first_true((years < YEAR_RANGE[0]) | (years > YEAR_RANGE[1]))
    if bad is not None:
        raise InputError("onmogelijk jaartal", file=file, column="jaar", row=line(bad),
                         expected="een jaar zoals 2017", found=frame["jaar"].iloc[bad])
    return years.astype("int64")


def _required_text(frame: pd.DataFrame, column: str, file: Path, line: Locator) -> pd.Series:
    bad = first_true(frame[column].isna())
    if bad is not None:
        raise InputError("waarde ontbreekt", file=file, column=column, row=line(bad),
                         expected="een niet-lege tekst")
    return frame[column]


def _no_duplicates(out: pd.DataFrame, keys: list[str], labels: list[str], file: Path,
                   line: Locator) -> None:
    """Each key combination once; the message names both lines."""
    dup = first_true(out.duplicated(keys))
    if dup is not None:
        same = (out[keys] == out[keys].iloc[dup]).all(axis=1)
        first = first_true(same)
        raise InputError(
            f"dubbele combinatie {'/'.join(labels)} (ook op regel {line(first)})",
            file=file, column=", ".join(labels), row=line(dup),
            found=" / ".join(str(out[k].iloc[dup]) for k in keys),
        )


# indicator id -> (lowest, highest, what the unit is): e.g. (0, 100, "percentage")
Ranges = Mapping[str, tuple[float, float, str]]


def read_benchmark(
    path: str | Path, known_indicators: set[str] | None = None, ranges: Ranges | None = None
) -> pd.DataFrame:
    """`jaar;indicator;waarde;ondergrens;bovengrens;n` -> `year, indicator, estimate, ci_low,
    ci_high, n`, sorted by year and indicator.

    Checks: columns present; year an integer; numbers parse; the interval is given completely or
    not at all (published benchmarks sometimes lack it) and `ondergrens <= waarde <= bovengrens`;
    `n` a positive integer when given; indicator ids in `known_indicators` (when given); value
    and interval inside the indicator's scale from `ranges` (a percentage 0-100, a rapportcijfer
    1-10; 150% is a typo, not a number to compare with); each (year, indicator) once.
    """
    csv, frame, line = _load(path, BENCHMARK_COLUMNS)
    file = csv.path

    def number(column: str, **kwargs: bool) -> pd.Series:
        return parse_numbers(frame[column], file=file, column=column, line=line, **kwargs)

    out = pd.DataFrame({
        "year": _years(frame, file, line),
        "indicator": _required_text(frame, "indicator", file, line),
        "estimate": number("waarde", required=True),
        "ci_low": number("ondergrens"),
        "ci_high": number("bovengrens"),
        "n": number("n", integer=True),
    })
    _check_interval(out, frame, file, line)
    bad = first_true(out["n"].fillna(1) < 1)
    if bad is not None:
        raise InputError("n moet een positief geheel getal zijn", file=file, column="n",
                         row=line(bad), expected="1 of meer", found=frame["n"].iloc[bad])
    if known_indicators is not None:
        _check_known(out["indicator"], known_indicators, file, line)
    if ranges is not None:
        _check_ranges(out, frame, ranges, file, line)
    _no_duplicates(out, ["year", "indicator"], ["jaar", "indicator"], file, line)
    return out.sort_values(["year", "indicator"]).reset_index(drop=True)


def _check_interval(out: pd.DataFrame, frame: pd.DataFrame, file: Path, line: Locator) -> None:
    half = first_true(out["ci_low"].isna() != out["ci_high"].isna())
    if half is not None:
        column = "ondergrens" if out["ci_low"].isna().iloc[half] else "bovengrens"
        raise InputError("interval half ingevuld", file=file, column=column, row=line(half),
                         expected="ondergrens en bovengrens allebei of geen van beide")
    checks = (
        ("ondergrens", out["ci_low"] > out["estimate"], "ondergrens <= waarde"),
        ("bovengrens", out["ci_high"] < out["estimate"], "waarde <= bovengrens"),
    )
    for column, mask, rule in checks:
        bad = first_true(mask.fillna(False))
        if bad is not None:
            raise InputError(
                f"waarde ligt buiten het interval ({rule})", file=file, column=column,
                row=line(bad), expected=rule,
                found=(f"ondergrens={frame['ondergrens'].iloc[bad]}, "
                       f"waarde={frame['waarde'].iloc[bad]}, "
                       f"bovengrens={frame['bovengrens'].iloc[bad]}"),
            )


def _check_ranges(out: pd.DataFrame, frame: pd.DataFrame, ranges: Ranges, file: Path,
                  line: Locator) -> None:
    """Value and interval bounds inside the indicator's scale."""
    known = out["indicator"].map(lambda i: i in ranges)
    low = out["indicator"].map(lambda i: ranges[i][0] if i in ranges else float("nan"))
    high = out["indicator"].map(lambda i: ranges[i][1] if i in ranges else float("nan"))
    for column, source in (("estimate", "waarde"), ("ci_low", "ondergrens"),
                           ("ci_high", "bovengrens")):
        values = out[column].astype("float64")
        bad = first_true(known & values.notna() & ((values < low) | (values > high)))
        if bad is not None:
            lowest, highest, what = ranges[out["indicator"].iloc[bad]]
            raise InputError(
                f"waarde buiten het bereik van {out['indicator'].iloc[bad]} ({what})", file=file,
                column=source, row=line(bad), expected=f"{lowest:g} tot en met {highest:g}",
                found=frame[source].iloc[bad])


def _check_known(indicators: pd.Series, known: set[str], file: Path, line: Locator) -> None:
    bad = first_true(~indicators.isin(sorted(known)))
    if bad is not None:
        names = sorted(known)
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        raise InputError("onbekende indicator", file=file, column="indicator", row=line(bad),
                         expected=f"een indicator uit de catalogus ({shown})",
                         found=indicators.iloc[bad])


def read_casework(path: str | Path) -> pd.DataFrame:
    """`jaar;gemeentecode;gemeente;overleg;aantal` -> `year, gemeente_code, gemeente, overleg,
    count` (count a non-negative integer), sorted by year, gemeente code and overleg.

    Each (jaar, gemeentecode, overleg) must occur once.
    """
    csv, frame, line = _load(path, CASEWORK_COLUMNS)
    file = csv.path
    codes = _required_text(frame, "gemeentecode", file, line)
    bad = first_true(~codes.str.fullmatch(r"GM\d{4}"))
    if bad is not None:
        raise InputError("ongeldige gemeentecode", file=file, column="gemeentecode",
                         row=line(bad), expected="GM gevolgd door 4 cijfers, bijv. GM0014",
                         found=codes.iloc[bad])
    out = pd.DataFrame({
        "year": _years(frame, file, line),
        "gemeente_code": codes,
        "gemeente": _required_text(frame, "gemeente", file, line),
        "overleg": _required_text(frame, "overleg", file, line),
        "count": parse_numbers(frame["aantal"], file=file, column="aantal", line=line,
                               required=True, integer=True),
    })
    bad = first_true(out["count"] < 0)
    if bad is not None:
        raise InputError("aantal mag niet negatief zijn", file=file, column="aantal",
                         row=line(bad), expected="0 of meer", found=frame["aantal"].iloc[bad])
    _no_duplicates(out, ["year", "gemeente_code", "overleg"],
                   ["jaar", "gemeentecode", "overleg"], file, line)
    return out.sort_values(["year", "gemeente_code", "overleg"]).reset_index(drop=True)
