"""Label matching: one place for how two labels are compared, used by `ivb init` (drafting a
codebook), the .sav label check (`io.sav_labels`) and the mapping evidence check (`evidence`).

Two measures, both 0 (unrelated) to 1 (same text), on normalised text (lower case, accents and
punctuation removed):

* `answer_similarity`: a value label against a scale category ("achteruit gegaan" ~
  "achteruitgegaan"): the mean of difflib's character ratio and the share of words that agree (a
  word agrees with another when equal, or when one of at least 4 letters starts the other);
  numeric categories (rapportcijfer) compare the label's first number.
* `question_similarity`: a variable label (question text) against a catalogue item's label: the
  larger of the character ratio and the overlap (Dice) of content words cut to a 6-letter stem
  (geluidsoverlast ~ geluid, overlast).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

FILLER = frozenset({"mee", "de", "het", "een"})
_STOP = ("de het een van in op en of u uw is er zijn met voor bij aan te dat die deze hoe over om "
         "als wel niet door wat naar ik me mijn zich heeft hebben wordt worden komt")
STOPWORDS = frozenset(_STOP.split())


@lru_cache(maxsize=65536)
def plain(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """`plain` text with filler words ("mee", articles) dropped: for answer labels."""
    return " ".join(w for w in plain(text).split() if w not in FILLER)


def tokens(text: str) -> set[str]:
    """Content words, cut to a stem of 6 letters."""
    return {w[:6] for w in plain(text).split() if len(w) > 2 and w not in STOPWORDS}


@lru_cache(maxsize=65536)
def question_similarity(a: str, b: str) -> float:
    """0-1: the larger of a character ratio and a token overlap (Dice) of two question labels."""
    na, nb = plain(a), plain(b)
    if not na or not nb:
        return 0.0
    ratio = difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()
    ta, tb = tokens(a), tokens(b)
    dice = 2 * len(ta & tb) / (len(ta) + len(tb)) if ta and tb else 0.0
    return max(ratio, dice)


_MIDDLE = re.compile(r"niet (\w+) niet (on)?\1")


def _same_word(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


@lru_cache(maxsize=65536)
def answer_similarity(label: str, category: str) -> float:
    """How well a value label names a catalogue category, 0 (not at all) to 1 (same text)."""
    a, b = normalise(label), normalise(category)
    if a == "neutraal" and _MIDDLE.fullmatch(b):
        return 0.9  # "neutraal" is how bureaus word "niet eens / niet oneens"
    if b.isdigit():
        number = re.search(r"\d+", a)
        return 1.0 if number is not None and int(number.group()) == int(b) else 0.0
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    chars = difflib.SequenceMatcher(None, a, b).ratio()
    wa, wb = a.split(), b.split()
    agree = (sum(any(_same_word(x, y) for y in wb) for x in wa)
             + sum(any(_same_word(y, x) for x in wa) for y in wb))
    return (chars + agree / (len(wa) + len(wb))) / 2


#: Value-label words that name "none / never": a filter code so labelled is that answer.
NONE_WORDS = re.compile(r"\bnooit\b|\bgeen overlast\b|\bkomt niet voor\b|\bnooit onveilig\b")
#: Value-label words that say the question was skipped or does not apply.
SKIP_WORDS = re.compile(r"niet\s*gevraagd|niet\s*van\s*toepassing|\bn\s*v\s*t\b|\bnvt\b|"
                        r"filter|overgeslagen")
#: ... or, outside the answer codes, "nooit ..." (e.g. -2 "nooit onveilig"): a filter code.
FILTER_WORDS = re.compile(SKIP_WORDS.pattern + r"|\bnooit\b")
#: The category meaning "none / never" per catalogue scale (the answer a "nooit" filter means).
NONE_CATEGORY = {"vaak3": 3, "hinder3": 3, "altijd3": 3, "janee": 2}


def none_category(label: str, scale: str) -> int | None:
    """The scale's "none/never" code when a (filter) label says "nooit"/"geen overlast"."""
    if scale in NONE_CATEGORY and NONE_WORDS.search(plain(label)):
        return NONE_CATEGORY[scale]
    return None
