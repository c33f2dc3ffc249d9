"""What a section module may rely on: the context interface, the section spec, shared words.

Section modules (`annex.sections.*`), `common`, `method` and `page` type against `Context`, never
against the class that implements it (`annex.context.Annex`), so the annex's modules import one
way only: `context` -> `registry` -> `sections` -> `interface`/`model`/`common`, no cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

import pandas as pd

from ivb_analysis import compare
from ivb_analysis.annex.model import Section
from ivb_analysis.catalogue import Catalogue, Selections
from ivb_analysis.config import Settings

#: The column of a tested difference judged with the catalogue's polarity (defined in compare).
VERDICT = compare.VERDICT
#: An indicator's status when the delivery lacks it (contract 4), and when it lacks some waves.
NOT_DELIVERED = "niet in deze levering"
PARTIAL = "gedeeltelijk"

#: How a section feeds the key findings: its gemeente rows against the main comparison wave
#: ("gemeente"), each wijk against its own earlier wave ("wijk"), each wijk against the rest of
#: the gemeente ("rest"); None: it does not feed them.
FindingsRole = Literal["gemeente", "wijk", "rest"]
#: `SectionSpec.notebook` of a section every notebook shows (the glossary: `wave.glossary()`).
EVERY_NOTEBOOK = "*"


@dataclass(frozen=True)
class Comparison:
    """The earlier waves one year is compared with.

    `previous`: the wave before (None in the first wave); `reference`: the fixed reference year
    (`Settings.reference_year`) when it is earlier than the year and not the previous wave
    already; `benchmark`: the footprint's waves, (base, current), (current,) or () when the
    benchmark has no value for this year.
    """

    year: int
    previous: int | None
    reference: int | None
    benchmark: tuple[int, ...]

    @property
    def waves(self) -> tuple[int, ...]:
        """Earlier waves the tables compare with: the previous wave, then the reference year."""
        return tuple(y for y in (self.previous, self.reference) if y is not None)

    @property
    def main(self) -> int | None:
        """The wave figures and key findings compare with: the reference year, else the
        previous wave."""
        return self.reference if self.reference is not None else self.previous

    def sentence(self) -> str:
        """'vergeleken met 2014 (vorige meting) en 2013 (referentiejaar); footprint 2013 en
        2015' (Dutch; the same words on every page of one year)."""
        parts = []
        if self.previous is not None:
            parts.append(f"{self.previous} (vorige meting)")
        if self.reference is not None:
            parts.append(f"{self.reference} (referentiejaar)")
        text = ("vergeleken met " + " en ".join(parts)) if parts else "geen eerdere meting"
        if len(self.benchmark) == 2:
            text += f"; benchmark {self.benchmark[0]} en {self.benchmark[1]}"
        elif len(self.benchmark) == 1:
            text += f"; benchmark {self.benchmark[0]}"
        return text


class Context(Protocol):
    """One year of one delivery as the section modules see it (implemented by `Annex`)."""

    settings: Settings
    year: int
    catalogue: Catalogue
    selections: Selections
    #: Section key -> why the section is absent this year (Dutch).
    skipped: dict[str, str]

    @property
    def comparison(self) -> Comparison: ...
    @property
    def base_year(self) -> int | None: ...
    @property
    def long(self) -> pd.DataFrame: ...
    @property
    def wijken(self) -> pd.DataFrame: ...
    @property
    def indicator_status(self) -> dict[str, str]: ...
    @property
    def shares(self) -> pd.DataFrame: ...
    @property
    def share(self) -> dict[int, float]: ...
    @property
    def waves(self) -> list[int]: ...
    @property
    def polarity(self) -> dict[str, int]: ...
    @property
    def gemeente_estimates(self) -> pd.DataFrame: ...
    @property
    def wijk_estimates(self) -> pd.DataFrame: ...
    @property
    def wijk_history(self) -> pd.DataFrame: ...
    @property
    def empty_wijken_note(self) -> str | None: ...
    @property
    def lonely_note(self) -> str | None: ...
    @property
    def gemeente(self) -> str: ...
    @property
    def specs(self) -> list[SectionSpec]: ...

    def optional(self, source: str, table: str) -> pd.DataFrame | None: ...
    def delivered(self, indicator: str) -> bool: ...
    def missing(self, ids: Iterable[str]) -> list[str]: ...
    def gemeente_population(self) -> pd.DataFrame: ...
    def gemeente_value(self, indicator: str, year: int | None = None) -> float: ...
    def against(self, est: pd.DataFrame, earlier: int, order: pd.Series,
                keys: list[str] | None = None) -> pd.DataFrame: ...
    def wijk_estimates_for(self, indicators: Iterable[str],
                           years: list[int]) -> pd.DataFrame: ...
    def wijk_tested(self, indicators: Iterable[str]) -> pd.DataFrame: ...
    def source(self, first: int | None = None) -> str: ...
    def other_source(self, key: str, default: str, year: int | None = None) -> str: ...
    def section(self, key: str) -> Section | None: ...
    def keys(self) -> list[str]: ...
    def method_note(self) -> list[str]: ...


#: A section's build function: the context in, the section out (None: absent this year, the
#: reason in `Context.skipped`).
Builder = Callable[[Context], "Section | None"]


@dataclass(frozen=True)
class SectionSpec:
    """One section of the annex: its key (also the file stem of its tables), how it is built,
    the notebook that shows it (`wave.show(key)` in notebooks/<notebook>.py; `EVERY_NOTEBOOK`
    for the glossary) and how it feeds the key findings (None: not)."""

    key: str
    build: Builder
    notebook: str
    findings: FindingsRole | None = None
