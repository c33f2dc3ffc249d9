"""Open decisions: lines marked `TE BESLISSEN` in the codebook or `ivb.yaml`.

`ivb init` writes `TE BESLISSEN` wherever the delivery's own files cannot say what is right (a
filter code's meaning, a mapping without conclusive evidence, a wijk code). Such a line is a
question to the user, so no table is written and no annex is made while one is left: `ivb check`
lists them all, `prepare`, `run` and `annex` refuse (exit 2). A decision is taken by setting the
value and deleting the words `TE BESLISSEN` from the line (the rest of the comment may stay).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

from ivb_analysis.config import Settings
from ivb_analysis.errors import InputError

TODO = "TE BESLISSEN"
_MARK = re.compile(r"TE\s+BESLISSEN", re.IGNORECASE)


@dataclass(frozen=True)
class Decision:
    """One open decision: where it is and the line as written."""

    file: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file.name} regel {self.line}: {self.text}"


def open_decisions_in(path: Path) -> list[Decision]:
    """Every line of a text file that still carries `TE BESLISSEN`."""
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []  # the reader of that file reports the encoding
    return [Decision(path, number, " ".join(line.split()))
            for number, line in enumerate(text.splitlines(), start=1) if _MARK.search(line)]


def open_decisions(settings: Settings) -> list[Decision]:
    """Open decisions of a delivery: its ivb.yaml and its codebook."""
    found = open_decisions_in(settings.settings_file)
    if settings.files.codebook:
        with contextlib.suppress(InputError):  # a codebook outside the delivery: the reader says so
            found += open_decisions_in(settings.path("codebook"))
    return found


def require_decided(settings: Settings) -> None:
    """Refuse (InputError, exit 2) while any decision is open; the message lists all of them."""
    found = open_decisions(settings)
    if found:
        raise InputError(
            f"{len(found)} open beslissing(en) ({TODO}); geen tabel of bijlage voordat ze "
            "genomen zijn: " + "; ".join(map(str, found)), file=found[0].file, row=found[0].line,
            expected=f"de waarde ingevuld en de woorden {TODO} van de regel gehaald "
            "(ivb check toont alles wat nog open is)")
