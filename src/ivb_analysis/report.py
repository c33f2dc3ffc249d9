"""What the notebooks call: one wave of one delivery, showing exactly the annex's sections.

Notebooks stay thin: they pass their parameters to `open_wave` and call one method per step.
Every figure and table comes from `annex.Annex` (the same objects `annex.write_annex` exports),
so a notebook can never show other numbers than the annex. Figures are returned as matplotlib
Figures (shown as PNG), tables as pandas Stylers (`AnnexTable.for_display`, cells escaped).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from IPython import get_ipython
from IPython.display import HTML
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from ivb_analysis import figures
from ivb_analysis.annex import Annex, Comparison, Section, esc
from ivb_analysis.annex.page import banner_html
from ivb_analysis.annex.sections.begrippen import glossary_html
from ivb_analysis.config import Settings, load_settings
from ivb_analysis.errors import InputError


def _register_figure_display() -> None:
    """Show a returned Figure in a notebook as PNG (our own bytes, no pyplot inline backend)."""
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, figures.png_bytes)


_register_figure_display()


@dataclass
class Wave:
    """One survey wave of a delivery; a view on its annex (same settings, same sections)."""

    settings: Settings
    year: int

    @cached_property
    def annex(self) -> Annex:
        return Annex(self.settings, self.year)

    @property
    def comparison(self) -> Comparison:
        return self.annex.comparison

    @property
    def base_year(self) -> int | None:
        """The wave figures and key findings compare with (reference year, else previous)."""
        return self.comparison.main

    def header(self) -> HTML:
        """Banner and identification of the page: gemeente, year, comparison years, source."""
        s = self.settings
        return HTML(
            f'{banner_html(s.banner, "ivb-banner")}<div class="ivb-meta"><b>Gemeente '
            f"{esc(s.gemeente_naam)}</b> ({esc(s.gemeente_code)}), meetjaar {self.year}; "
            f"{esc(self.comparison.sentence())}. {esc(self.annex.source())}. Wijken met minder "
            f"dan {s.min_n} respondenten worden niet getoond; tot {s.indicatief_n} respondenten "
            "is een uitkomst indicatief.</div>"
        )

    def sections(self) -> list[str]:
        """Keys of the sections this wave has (in annex order)."""
        return [s.key for s in self.annex.sections()]

    def section(self, key: str) -> Section:
        """A whole section (shown in a notebook exactly as in the annex); KeyError if absent."""
        section = self.annex.section(key)
        if section is None:
            reason = self.annex.skipped.get(key, "niet beschikbaar")
            raise KeyError(f"sectie {key!r} ontbreekt voor {self.year}: {reason}")
        return section

    def show(self, key: str) -> Section | HTML:
        """A section for the reader, or a short Dutch note why this year has none (e.g. the
        first wave has no trends), so a notebook runs for every year."""
        section = self.annex.section(key)
        if section is None:
            reason = self.annex.skipped.get(key, "niet beschikbaar")
            return HTML(f'<p class="ivb-meta"><i>Niet beschikbaar voor {self.year}: '
                        f"{esc(reason)}.</i></p>")
        return section

    def figure(self, section: str, key: str | None = None) -> Figure:
        """A figure of a section (the first, or the one with this file key)."""
        return self.section(section).figure(key)

    def table(self, section: str, key: str | None = None) -> Styler:
        """A table of a section as shown in notebooks and the annex (cells escaped)."""
        return self.section(section).table(key).for_display()

    def method_note(self) -> HTML:
        """The annex's method note."""
        items = "".join(f"<li>{esc(p)}</li>" for p in self.annex.method_note())
        return HTML(f"<ul>{items}</ul>")

    def glossary(self) -> HTML:
        """Begrippen: the terms of the tables in one plain sentence each."""
        return HTML(glossary_html(self.settings, self.annex.waves))


def open_wave(
    data_dir: str | Path, year: int, *, base_year: int | None = None, gemeente: str | None = None,
    benchmark_group: str | list[str] | None = None, min_n: int | None = None,
    output_dir: str | Path | None = None, processed_dir: str | Path | None = None,
) -> Wave:
    """Load a delivery's settings for one wave; notebook parameters override the settings
    (contract 2: `base_year` sets `Settings.reference_year`)."""
    settings = load_settings(data_dir, min_n=min_n, benchmark_group=benchmark_group,
                             output_dir=output_dir, processed_dir=processed_dir,
                             reference_year=base_year)
    if gemeente is not None and gemeente != settings.gemeente_code:
        raise InputError("gemeentecode past niet bij de levering", file=settings.settings_file,
                         column="gemeente_code", expected=settings.gemeente_code, found=gemeente)
    settings.waves([year])
    wave = Wave(settings, year)
    wave.annex  # noqa: B018 (refuses a bad reference year before the first cell shows anything)
    return wave
