"""What the notebooks call: one wave of one delivery, with the annex's tables and figures.

Notebooks stay thin: they pass their parameters to `open_wave` and call one method per step.
Everything a reader sees (Dutch labels, verdicts, suppression, banner) is decided here or below.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
from IPython import get_ipython
from IPython.display import HTML
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from ivb_analysis import compare, figures, tables
from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.config import Settings, load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.estimates import indicator_estimates
from ivb_analysis.prepare import SURVEY_TABLE, WIJKEN_TABLE, load_table

VERDICT_COLUMN = "verdict_polarity"


def _register_figure_display() -> None:
    """Show a returned Figure in a notebook as PNG (our own bytes, no pyplot inline backend)."""
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, figures.png_bytes)


_register_figure_display()


@dataclass
class Wave:
    """One survey wave of a delivery, with its comparison wave."""

    settings: Settings
    year: int
    base_year: int | None
    _cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def long(self) -> pd.DataFrame:
        return load_table(self.settings, SURVEY_TABLE)

    @cached_property
    def wijken(self) -> pd.DataFrame:
        return load_table(self.settings, WIJKEN_TABLE)

    @property
    def source(self) -> str:
        return f"Bron: {self.settings.source_label} {self.year}, bewerking gemeente " \
               f"{self.settings.gemeente_naam}"

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

    def gemeente_estimates(self) -> pd.DataFrame:
        """All indicators for the gemeente in this wave and the base wave."""
        years = [y for y in (self.year, self.base_year) if y is not None]
        return indicator_estimates(self.long, self.settings, years=years)

    def footprint(self) -> Styler:
        """The footprint table as shown in a notebook."""
        return tables.for_display(self.footprint_table(), key="footprint")

    def wijken_getoetst(self, indicator: str) -> Styler:
        """The per-wijk table of one indicator as shown in a notebook."""
        return tables.for_display(self.wijk_table(indicator), key=f"wijk_{indicator}")

    def footprint_table(self) -> pd.DataFrame:
        """The footprint indicators this wave, with the change against the base wave (Dutch)."""
        catalogue = load_catalogue()
        ids = [i.id for i in catalogue.footprint]
        est = self.gemeente_estimates()
        est = est[est["indicator"].isin(ids)]
        current = est[est["year"] == self.year]
        table = tables.estimates_for_readers(current)
        if self.base_year is None:
            return table
        tested = compare.wave_vs_wave(
            est[["indicator", "year", "estimate", "se"]], self.base_year,
            method_break=self.settings.method_break,
            polarity={i.id: i.polarity for i in catalogue.indicators.values()},
            alpha=self.settings.alpha,
        )
        tested = tested.set_index("indicator").reindex(current["indicator"])
        table[f"Waarde {self.base_year}"] = [
            tables.format_value(v, k) for v, k in zip(tested["estimate_reference"],
                                                      current["kind"], strict=True)]
        table[f"t.o.v. {self.base_year}"] = tested[VERDICT_COLUMN].fillna("niet vergelijkbaar")\
            .to_numpy()
        return table

    def _wijk_estimates(self, indicator: str) -> pd.DataFrame:
        est = indicator_estimates(self.long, self.settings, by="wijk_code",
                                  indicators=[indicator], years=[self.year])
        return est.merge(self.wijken[["wijk_code", "wijk_naam"]], on="wijk_code", how="left")

    def wijk_table(self, indicator: str) -> pd.DataFrame:
        """One indicator per wijk, each wijk tested against the rest of the gemeente (BH)."""
        catalogue = load_catalogue()
        est = self._wijk_estimates(indicator)
        data = self.long[(self.long["indicator"] == indicator) & (self.long["year"] == self.year)]
        tested = compare.domain_vs_rest(
            data, weight="weight", by="wijk_code", strata="stratum", min_n=self.settings.min_n,
            polarity=catalogue[indicator].polarity, alpha=self.settings.alpha,
        )
        verdicts = tested.set_index("wijk_code")[VERDICT_COLUMN]
        table = tables.estimates_for_readers(est, domain="wijk_naam")
        table["t.o.v. rest gemeente"] = est["wijk_code"].map(verdicts).fillna("").to_numpy()
        return table.drop(columns=["Indicator"])

    def wijk_figure(self, indicator: str) -> Figure:
        """Bars per wijk with intervals and the gemeente's value as a reference line."""
        spec = load_catalogue()[indicator]
        est = self._wijk_estimates(indicator)
        overall = self.gemeente_estimates()
        value = overall[(overall["indicator"] == indicator) & (overall["year"] == self.year)]
        return figures.wijk_bars(
            est, title=f"{spec.label} per wijk, {self.year}", source=self.source,
            banner=self.settings.banner, gemeente_value=float(value["estimate"].iloc[0]),
            decimals=0 if spec.is_proportion else 1,
        )


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
    if year not in settings.years:
        raise InputError("geen gegevens voor dit meetjaar", file=settings.settings_file,
                         column="years", found=year,
                         expected=", ".join(map(str, settings.years)))
    if base_year is None:
        earlier = [y for y in settings.years if y < year]
        base_year = earlier[-1] if earlier else None
    elif base_year not in settings.years:
        raise InputError("geen gegevens voor het vergelijkingsjaar", file=settings.settings_file,
                         column="years", found=base_year)
    return Wave(settings, year, base_year)
