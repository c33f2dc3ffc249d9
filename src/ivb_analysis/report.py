"""What the notebooks call: one wave of one delivery, showing exactly the annex's sections.

Notebooks stay thin: they pass their parameters to `open_wave` and call one method per step.
Every figure and table comes from `annex.Annex` (the same objects `annex.write_annex` exports),
so a notebook can never show other numbers than the annex. Figures are returned as matplotlib
Figures (shown as PNG), tables as pandas Stylers (`AnnexTable.for_display`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
from IPython import get_ipython
from IPython.display import HTML
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from ivb_analysis import figures
from ivb_analysis.annex import Annex, Section
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
    """One survey wave of a delivery, with its comparison wave; a view on its annex."""

    settings: Settings
    year: int
    base_year: int | None

    @cached_property
    def annex(self) -> Annex:
        return Annex(self.settings, self.year, base_year=self.base_year)

    @property
    def source(self) -> str:
        return self.annex.source()

    def header(self) -> HTML:
        """Banner and identification of the page: gemeente, year, source, synthetic or not."""
        s = self.settings
        banner = (f'<div class="ivb-banner">{html.escape(s.banner)}: deze cijfers zijn verzonnen '
                  "en alleen bedoeld om de werkwijze te tonen</div>" if s.banner else "")
        base = f"; vergeleken met {self.base_year}" if self.base_year else ""
        return HTML(
            f'{banner}<div class="ivb-meta"><b>Gemeente {html.escape(s.gemeente_naam)}</b> '
            f"({html.escape(s.gemeente_code)}), meetjaar {self.year}{base}. "
            f"{html.escape(self.source)}. Wijken met minder dan {s.min_n} respondenten worden "
            f"niet getoond; tot {s.indicatief_n} respondenten is een uitkomst indicatief.</div>"
        )

    # --- generic access -------------------------------------------------------------------------

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
                        f"{html.escape(reason)}.</i></p>")
        return section

    def figure(self, section: str, key: str | None = None) -> Figure:
        """A figure of a section (the first, or the one with this file key)."""
        return self.section(section).figure(key)

    def table(self, section: str, key: str | None = None) -> Styler:
        """A table of a section as shown in notebooks and the annex."""
        return self.section(section).table(key).for_display()

    def method_note(self) -> HTML:
        """The annex's method note."""
        items = "".join(f"<li>{html.escape(p)}</li>" for p in self.annex.method_note())
        return HTML(f"<ul>{items}</ul>")

    # --- one method per section -------------------------------------------------------------

    def kerncijfers(self) -> Styler:
        """The footprint indicators for the whole gemeente, against the previous wave."""
        return self.table("kerncijfers")

    def footprint(self) -> Styler:
        """Kept for the notebooks: the gemeente's footprint indicators against the base wave
        (the section `kerncijfers`); the benchmark footprint is `benchmark_figure`."""
        return self.kerncijfers()

    def benchmark_figure(self) -> Figure:
        """The footprint against the benchmark group, as a table-figure (▲ ● ▼)."""
        return self.figure("footprint")

    def benchmark_table(self) -> Styler:
        return self.table("footprint")

    def wijk_figure(self, indicator: str) -> Figure:
        """Bars per wijk with intervals, significance symbols and the gemeente's value."""
        return self.figure(f"wijk_{indicator}")

    def wijken_getoetst(self, indicator: str) -> Styler:
        """The per-wijk table of one indicator, each wijk tested against the rest (BH)."""
        return self.table(f"wijk_{indicator}")

    def trend_figure(self, key: str = "trend_gemeente_inzet") -> Figure:
        """A trend figure, e.g. `trend_gemeente_inzet` or `trend_<theme>`."""
        return self.figure("trends", key)

    def trend_figures(self) -> list[Figure]:
        return [item.figure for item in self.section("trends").figures]

    def trend_table(self, key: str = "trends") -> Styler:
        """All indicators per wave (`trends`) or the trend tests (`trendtoets`)."""
        return self.table("trends", key)

    def victim_figure(self) -> Figure:
        """Slachtofferschap naar soort delict."""
        return self.figure("slachtofferschap")

    def victim_table(self) -> Styler:
        return self.table("slachtofferschap")

    def crime_figure(self, key: str = "politie_totaal") -> Figure:
        """Police-registered crime per 1,000 inhabitants per wijk (`politie_woninginbraak`)."""
        return self.figure("politie", key)

    def crime_table(self) -> Styler:
        return self.table("politie")

    def casework_figure(self) -> Figure:
        """Veiligheidshuis casework per overleg and gemeente."""
        return self.figure("veiligheidshuis")

    def casework_table(self) -> Styler:
        return self.table("veiligheidshuis")

    # --- reader's frames (for tests and further work) ----------------------------------------

    def footprint_table(self) -> pd.DataFrame:
        """The kerncijfers as a reader's frame (Dutch headers, formatted strings)."""
        return self.section("kerncijfers").table().for_readers()

    def wijk_table(self, indicator: str) -> pd.DataFrame:
        return self.section(f"wijk_{indicator}").table().for_readers()


def open_wave(
    data_dir: str | Path, year: int, *, base_year: int | None = None, gemeente: str | None = None,
    benchmark_group: str | None = None, min_n: int | None = None,
    output_dir: str | Path | None = None,
) -> Wave:
    """Load a delivery's settings for one wave; notebook parameters override the settings."""
    settings = load_settings(data_dir, min_n=min_n, benchmark_group=benchmark_group,
                             output_dir=output_dir)
    if gemeente is not None and gemeente != settings.gemeente_code:
        raise InputError("gemeentecode past niet bij de levering", file=settings.settings_file,
                         column="gemeente_code", expected=settings.gemeente_code, found=gemeente)
    settings.waves([year])
    if base_year is not None and base_year not in settings.years:
        raise InputError("geen gegevens voor het vergelijkingsjaar", file=settings.settings_file,
                         column="years", found=base_year)
    if base_year is None:
        earlier = [y for y in settings.years if y < year]
        base_year = earlier[-1] if earlier else None
    return Wave(settings, year, base_year)
