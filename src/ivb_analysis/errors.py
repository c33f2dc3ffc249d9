"""The one exception type for bad input: it names the file, column, row and what was expected.

The CLI catches it, prints `str(error)` and exits with status 2, so a user never sees a traceback
for a problem in their data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class InputError(Exception):
    """Bad input: where it is (file, column, row) and what was expected instead."""

    message: str
    file: str | Path | None = None
    column: str | None = None
    row: int | str | None = None
    expected: str | None = None
    found: object | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"bestand {self.file}")
        if self.column is not None:
            where.append(f"kolom {self.column!r}")
        if self.row is not None:
            where.append(f"rij {self.row}")
        text = self.message
        if where:
            text = f"{', '.join(where)}: {text}"
        found = _plain(self.found)
        if self.expected is not None:
            text += f" (verwacht: {self.expected}"
            text += f"; gevonden: {found})" if self.found is not None else ")"
        elif self.found is not None:
            text += f" (gevonden: {found})"
        return text

    def __reduce__(self):  # keep it picklable across worker processes
        return (
            self.__class__,
            (self.message, self.file, self.column, self.row, self.expected, self.found),
        )


def _plain(value: object) -> str:
    """A value as a user reads it: `0`, `-2.5`, `'tekst'`; never `np.float64(0.0)`."""
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        value = value.item()  # numpy scalar -> Python scalar
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return repr(value)
