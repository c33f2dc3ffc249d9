"""Delivery text made safe to join and to show, before anything else reads it.

Every text a delivery brings (CSV files, ivb.yaml, the codebook) passes here right after it is
decoded:

* **NFC.** Names are normalised to Unicode NFC, so "Súdwest-Fryslân" typed with a combining
  accent (NFD, as macOS writes it) in one file and precomposed in another is one name in every
  join (benchmark members, wijk names).
* **Control characters are refused**, not silently dropped: C0/C1 controls other than tab and
  newline, and the invisible bidi controls (U+200E/U+200F, U+202A-U+202E, U+2066-U+2069, U+061C)
  that turn the rest of a sentence around (numbers included) when a name is shown in HTML. No
  real wijk or gemeente name holds one; a file that does was edited by a tool or by someone
  hostile, and the message names the line and the character so it can be removed.
* **Digits are ASCII.** A decimal digit other than 0-9 (full-width `０`, Arabic-Indic `٣`) is
  refused: codes are `[0-9A-Z]` and every number is written with 0-9, so `WK０１６４００` can
  never pass as a code that then matches nothing.

Free of pandas (ivb.yaml is read on every command).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ivb_analysis.errors import InputError

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
_DIGIT = re.compile(r"(?![0-9])\d")  # a Unicode decimal digit (Nd) other than 0-9


def neutral_text(text: str, file: str | Path | None) -> str:
    """`text` in NFC, refused (InputError naming line and character) when it holds a control
    character, a bidi control or a non-ASCII decimal digit."""
    text = unicodedata.normalize("NFC", text)
    hit = _FORBIDDEN.search(text)
    if hit is not None:
        raise InputError(
            f"onzichtbaar stuurteken {_name(hit.group())} in de tekst; verwijder het, "
            "bijvoorbeeld door de tekst opnieuw te typen", file=file, row=_line(text, hit.start()),
            expected="gewone tekst zonder stuurtekens")
    hit = None if text.isascii() else _DIGIT.search(text)
    if hit is not None:
        raise InputError(
            f"cijfer {_name(hit.group())} is geen gewoon cijfer 0-9; codes en getallen bestaan "
            "alleen uit de cijfers 0-9", file=file, row=_line(text, hit.start()),
            expected="cijfers 0-9", found=_context(text, hit.start()))
    return text


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _name(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'stuurteken')})"


def _context(text: str, offset: int) -> str:
    """The field around `offset` (between separators; at most 40 characters of the file)."""
    before = max(text.rfind(sep, 0, offset) for sep in ';,\n"\t:')
    after = [i for i in (text.find(sep, offset) for sep in ';,\n"\t') if i >= 0]
    return text[before + 1:min([*after, len(text)])].strip()[:40]
