"""Shared low-level CSV text handling for CBS, Politie and project-defined files.

Everything here is format-agnostic: read bytes as strict UTF-8 (BOM stripped, newlines unified),
detect the separator, tokenise records with their line numbers, and parse numbers the way CBS
writes them (decimal comma, missing-value markers). Row numbers are 1-based line numbers in the
file, so a user can find the spot in a text editor or spreadsheet.

Missing-value rule (CBS "verklaring van tekens"): after trimming whitespace, a cell that is empty
(`""`), `.` (gegevens ontbreken), `x` (geheim) or `-` (nihil / niet van toepassing) is missing.
`-` is deliberately *not* read as 0: older tables use it for "nihil", newer ones for "not
applicable", and a reader must not invent zeros; a caller who knows the table can fill them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.io.neutral import neutral_text

UTF8_BOM = b"\xef\xbb\xbf"
MISSING_MARKERS: dict[str, str] = {
    "": "leeg",
    ".": "gegevens ontbreken",
    "x": "geheim",
    "-": "nihil of niet van toepassing",
}
# One number, no thousands separators (CBS exports never write them): `36,7`, `7.5`, `-3`, `,5`.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)")  # ASCII digits only
# Beyond these a value is no count or statistic of a gemeente (10^20 inhabitants) and would
# overflow the integer columns: refused with a message, never a traceback.
MAX_COUNT = 10**9
MAX_NUMBER = 10**15
_NEWLINES = re.compile(r"\r+\n?")
SEPARATORS = (";", ",")


def read_text(path: str | Path) -> str:
    """Read a file as strict UTF-8: strip a BOM, unify CR/CRLF to LF, reject other encodings;
    NFC, without control characters, digits 0-9 only (`neutral`).

    We never guess latin-1/Windows-1252: a wrongly guessed encoding silently corrupts names such
    as `Súdwest-Fryslân`, so the user is asked to re-save the file as UTF-8 instead.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("bestand niet gevonden", file=path) from None
    except OSError as exc:
        raise InputError(f"bestand kan niet gelezen worden: {exc.strerror}", file=path) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            "bestand is UTF-16 gecodeerd; sla het op als 'CSV UTF-8'",
            file=path, expected="UTF-8", found="UTF-16",
        )
    data = data.removeprefix(UTF8_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, data, exc) from None
    return neutral_text(_NEWLINES.sub("\n", text), path)


def _encoding_error(path: Path, data: bytes, exc: UnicodeDecodeError) -> InputError:
    """Name the byte offset, line and the offending bytes of an invalid UTF-8 sequence."""
    offset = exc.start
    line = data.count(b"\n", 0, offset) + 1
    bad = data[offset:exc.end]
    return InputError(
        f"bestand is geen geldige UTF-8 (byte-positie {offset}, regel {line}); "
        "waarschijnlijk latin-1/Windows-1252. Sla het op als 'CSV UTF-8'; "
        "de codering wordt niet geraden",
        file=path, row=line, expected="UTF-8", found=bad,
    )


def count_outside_quotes(line: str, char: str) -> int:
    """How often `char` occurs in `line` outside double-quoted fields."""
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def detect_separator(text: str, file: str | Path | None = None) -> str:
    """`;` or `,`: the more frequent one outside quotes on the first line that has either.

    Title lines such as `"Bevolkingsontwikkeling; regio per maand"` hold their `;` inside quotes,
    so they are passed over. A tie goes to `;`, the Dutch default.
    """
    for line in text.split("\n"):
        counts = {sep: count_outside_quotes(line, sep) for sep in SEPARATORS}
        if any(counts.values()):
            return ";" if counts[";"] >= counts[","] else ","
    raise InputError(
        "scheidingsteken niet gevonden", file=file, expected="';' of ',' tussen de kolommen",
    )


def snake_case(label: str) -> str:
    """`Soort misdrijf` -> `soort_misdrijf`, `Regio's` -> `regios`: a label as a column name."""
    label = label.strip().lower().replace("'", "")
    return re.sub(r"[^0-9a-z]+", "_", label).strip("_")


@dataclass(frozen=True)
class CsvText:
    """A decoded CSV file: its text, separator and a way back from records to line numbers."""

    path: Path
    text: str
    sep: str

    def frame(self) -> pd.DataFrame:
        """The table as strings via pandas (header = first line), cells trimmed, empty -> NA.

        The header is read as a data row (`header=None`) so that the tokenizer takes its width
        as the expected one and a row with too many fields is an error; with `header=0` pandas
        would silently turn the surplus leading fields into an index. Blank lines are skipped
        (as `line_of` does); an empty header name becomes `Unnamed: <i>` as in pandas.
        """
        try:
            raw = pd.read_csv(
                io.StringIO(self.text), sep=self.sep, dtype=str, keep_default_na=False,
                header=None, skip_blank_lines=True,
            )
        except pd.errors.ParserError as exc:
            raise InputError(f"CSV kan niet gelezen worden: {exc}", file=self.path) from None
        except pd.errors.EmptyDataError:
            raise InputError("bestand is leeg", file=self.path) from None
        names = [name.strip() or f"Unnamed: {i}" for i, name in enumerate(raw.iloc[0])]
        dup = next((n for i, n in enumerate(names) if n in names[:i]), None)
        if dup is not None:
            raise InputError("kolomnaam komt dubbel voor", file=self.path, column=dup, row=1)
        df = raw.iloc[1:].reset_index(drop=True)
        df.columns = names
        return without_trailing_empty_rows(strip_strings(df))

    @cached_property
    def records(self) -> list[tuple[int, list[str]]]:
        """All non-blank records with the 1-based line on which each starts (csv module)."""
        reader = csv.reader(io.StringIO(self.text), delimiter=self.sep)
        out: list[tuple[int, list[str]]] = []
        end = 0
        for fields in reader:
            start, end = end + 1, reader.line_num
            if fields:
                out.append((start, fields))
        return out

    def check_widths(self) -> None:
        """Every record as wide as the header. pandas pads short rows with empty cells, which
        would hide a truncated last line; this check (csv module) makes that an error."""
        width = len(self.records[0][1])
        for line, fields in self.records[1:]:
            if len(fields) != width:
                raise InputError(
                    "verkeerd aantal velden", file=self.path, row=line,
                    expected=f"{width} velden zoals de kopregel", found=len(fields),
                )

    def line_of(self, record: int) -> int:
        """File line of data record `record` (0-based, header excluded), as in `frame()`."""
        return self.records[record + 1][0]


def load_csv(path: str | Path, sep: str | None = None) -> CsvText:
    """Read a CSV file's text (strict UTF-8) and detect its separator unless given."""
    path = Path(path)
    text = read_text(path)
    if not text.strip():
        raise InputError("bestand is leeg", file=path)
    return CsvText(path, text, sep or detect_separator(text, path))


def read_delimited(path: str | Path, *, sep: str, dtype: dict[str, str]) -> pd.DataFrame:
    """A small delimited table through `read_text` (strict UTF-8, `neutral`) and pandas, without
    the empty rows a spreadsheet export leaves at the end (`;;`)."""
    frame = pd.read_csv(io.StringIO(read_text(path)), sep=sep, dtype=dtype)
    return without_trailing_empty_rows(frame)


def without_trailing_empty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the all-empty rows at the end (Excel writes `;;` for formatted empty rows); an empty
    row between data rows stays and is refused by the caller's checks."""
    filled = np.flatnonzero(frame.notna().any(axis=1).to_numpy())
    return frame.iloc[: int(filled[-1]) + 1 if filled.size else 0]


def strip_strings(df: pd.DataFrame) -> pd.DataFrame:
    """Trim every string cell (CBS keys are right-padded: `GM0014    `); blank becomes NA."""
    out = df.copy()
    for name in out.columns:
        if pd.api.types.is_string_dtype(out[name]):
            stripped = out[name].str.strip()
            out[name] = stripped.where(stripped != "")
    return out


def require_columns(
    df: pd.DataFrame, required: Sequence[str], file: str | Path | None
) -> None:
    """Raise one InputError listing all missing columns and the columns that were found."""
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(
            f"verplichte kolom(men) ontbreken: {', '.join(missing)}",
            file=file, column=missing[0],
            expected=", ".join(required), found=", ".join(map(str, df.columns)),
        )


Locator = Callable[[int], int | None]


def parse_numbers(
    values: pd.Series,
    *,
    file: str | Path | None,
    column: str | Sequence[str],
    line: Locator | Sequence[int] | None = None,
    required: bool = False,
    integer: bool = False,
) -> pd.Series:
    """Parse CBS-style numbers (decimal comma or point) with the missing-value rule above.

    Returns float64 (NaN = missing) or, with `integer=True`, nullable Int64. `column` and
    `line` name where each value came from, per value or for all; the first bad value raises
    an InputError with its column and line. `required=True` turns missing markers into errors.
    """
    text = values.astype("str").str.strip()
    text = text.where(values.notna(), "")
    missing = text.isin(list(MISSING_MARKERS))
    valid = text.str.fullmatch(_NUMBER.pattern)
    pos = first_true(~missing & ~valid)
    if pos is not None:
        raise InputError(
            "geen getal", file=file, column=_pick(column, pos), row=line_at(line, pos),
            expected="een getal (decimaalkomma toegestaan) of een CBS-teken . x -",
            found=text.iloc[pos],
        )
    pos = first_true(missing) if required else None
    if pos is not None:
        marker = text.iloc[pos]
        raise InputError(
            f"waarde ontbreekt (CBS-teken {marker!r}: {MISSING_MARKERS[marker]}), "
            "maar hier zijn volledige gegevens vereist",
            file=file, column=_pick(column, pos), row=line_at(line, pos),
            expected="een getal", found=marker,
        )
    numbers = pd.to_numeric(text.where(~missing).str.replace(",", ".", regex=False))
    numbers = numbers.astype("float64")
    limit = MAX_COUNT if integer else MAX_NUMBER
    pos = first_true(numbers.abs() > limit)
    if pos is not None:
        raise InputError(
            "onmogelijk groot getal", file=file, column=_pick(column, pos),
            row=line_at(line, pos), expected=f"hoogstens {limit:_}".replace("_", "."),
            found=text.iloc[pos][:30],
        )
    if not integer:
        return numbers
    pos = first_true(numbers.notna() & (numbers % 1 != 0))
    if pos is not None:
        raise InputError(
            "geen geheel getal", file=file, column=_pick(column, pos),
            row=line_at(line, pos), expected="een geheel getal", found=text.iloc[pos],
        )
    return numbers.astype("Int64")


def _pick(column: str | Sequence[str], pos: int) -> str:
    return column if isinstance(column, str) else str(column[pos])


def line_at(line: Locator | Sequence[int] | None, pos: int) -> int | None:
    """The file line of value `pos`, from a per-value list or a locator function."""
    if line is None:
        return None
    return line(pos) if callable(line) else int(line[pos])


def first_true(mask: pd.Series) -> int | None:
    """Position of the first True in a boolean Series, or None."""
    hits = np.flatnonzero(mask.to_numpy(dtype=bool))
    return int(hits[0]) if hits.size else None
