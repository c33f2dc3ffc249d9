"""The council annex of one year ("Waar staat <gemeente>?"): every section's figures and tables.

`Annex(settings, year)` computes each section once (numbers from estimates/compare/benchmark,
pictures from figures, tables from tables); `write_annex` exports them (figures/, tables/,
bijlage.html, optionally bijlage.pdf). The notebook facade (`report.Wave`) shows the very same
Section objects, so a notebook and the annex can never disagree.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ivb_analysis import compare, export, figures, tables
from ivb_analysis.atomic import write_text
from ivb_analysis.catalogue import Catalogue, load_catalogue
from ivb_analysis.config import Settings
from ivb_analysis.errors import InputError
from ivb_analysis.estimates import indicator_estimates
from ivb_analysis.prepare import (
    BENCHMARK_TABLE,
    CASEWORK_TABLE,
    CRIME_TABLE,
    GROUP_POPULATION_TABLE,
    POPULATION_TABLE,
    SURVEY_TABLE,
    WIJKEN_TABLE,
    load_table,
)
from ivb_analysis.tables import AnnexTable, Column, dutch_percent, remark

#: Indicators shown per wijk, in the seed's order.
WIJK_INDICATORS = (
    "rapportcijfer_leefbaarheid", "rapportcijfer_veiligheid", "overlast_totaal",
    "sociale_overlast", "fysieke_verloedering", "sociale_cohesie", "fysieke_voorzieningen",
    "onveiligheid_buurt",
)
#: The seed's chart of the three statements on the gemeente, drawn in one plot.
GEMEENTE_SERIES = ("gemeente_aandacht", "gemeente_informeert", "gemeente_betrekt")
THEMES = {
    "leefbaarheid": "Leefbaarheid in de buurt",
    "gemeente": "Functioneren van de gemeente",
    "overlast": "Overlast in de buurt",
    "veiligheid": "Veiligheidsbeleving en preventie",
    "slachtofferschap": "Slachtofferschap",
    "politie": "Oordeel over de politie",
}
TOTAL_CRIME = "0.0.0"
BURGLARY = "1.1.1"
VERDICT = "verdict_polarity"

Builder = Callable[["Annex"], "Section | None"]


@dataclass
class FigureItem:
    """One figure of the annex: file name stem, caption and the figure itself."""

    key: str
    title: str
    figure: figures.AnnexFigure
    number: int | None = None

    @property
    def caption(self) -> str:
        return f"Figuur {self.number}. {self.title}" if self.number else self.title

    @property
    def alt_text(self) -> str:
        return self.figure.alt_text


@dataclass
class Section:
    """A section of the annex: heading, short text, figures and tables (in that order)."""

    key: str
    title: str
    text: str
    figures: list[FigureItem] = field(default_factory=list)
    tables: list[AnnexTable] = field(default_factory=list)

    def figure(self, key: str | None = None) -> figures.AnnexFigure:
        """The section's figure (the first, or the one with this key)."""
        for item in self.figures:
            if key is None or item.key == key:
                return item.figure
        raise KeyError(f"sectie {self.key} heeft geen figuur {key!r}")

    def table(self, key: str | None = None) -> AnnexTable:
        for table in self.tables:
            if key is None or table.key == key:
                return table
        raise KeyError(f"sectie {self.key} heeft geen tabel {key!r}")

    def _repr_html_(self) -> str:
        """In a notebook: the section exactly as in the annex (figures as inline SVG)."""
        return section_html(self, level=3)


def previous_wave(settings: Settings, year: int) -> int | None:
    earlier = [y for y in settings.years if y < year]
    return earlier[-1] if earlier else None


class Annex:
    """All sections of the annex for one year; numbers and figures are computed on first use."""

    def __init__(self, settings: Settings, year: int, *, base_year: int | None = None) -> None:
        if year not in settings.years:
            raise InputError("geen gegevens voor dit meetjaar", file=settings.settings_file,
                             column="years", found=year,
                             expected=", ".join(map(str, settings.years)))
        if base_year is not None and (base_year not in settings.years or base_year >= year):
            raise InputError("ongeldig vergelijkingsjaar", file=settings.settings_file,
                             column="years", found=base_year,
                             expected="een eerder meetjaar van de levering")
        self.settings = settings
        self.year = year
        self.base_year = base_year if base_year is not None else previous_wave(settings, year)
        self.catalogue: Catalogue = load_catalogue()
        self.skipped: dict[str, str] = {}
        self._sections: dict[str, Section | None] = {}

    # --- inputs -------------------------------------------------------------------------------

    @cached_property
    def long(self) -> pd.DataFrame:
        return load_table(self.settings, SURVEY_TABLE)

    @cached_property
    def wijken(self) -> pd.DataFrame:
        return load_table(self.settings, WIJKEN_TABLE)

    def _against_base(self, est: pd.DataFrame, order: pd.Series) -> pd.DataFrame:
        """Each indicator of `est` in this wave tested against the base wave (one BH family),
        indexed by indicator in the order of `order`."""
        return compare.wave_vs_wave(
            est[["indicator", "year", "estimate", "se", "suppressed"]], self.base_year,
            method_break=self.settings.method_break, polarity=self.polarity,
            alpha=self.settings.alpha,
        ).set_index("indicator").reindex(order)

    def _optional(self, source: str, table: str) -> pd.DataFrame | None:
        return load_table(self.settings, table) if getattr(self.settings.files, source) else None

    def _gemeente_population(self) -> pd.DataFrame:
        """Population per gemeente and year: the benchmark group's file (it holds the other
        gemeenten of the casework too), else the gemeente row of the wijk population file."""
        columns = ["region_code", "region_level", "population", "year"]
        frames = [pd.DataFrame(columns=columns)]
        group = self._optional("group_population", GROUP_POPULATION_TABLE)
        if group is not None:
            frames.append(group.assign(region_level="gemeente")[columns])
        local = self._optional("population", POPULATION_TABLE)
        if local is not None:
            frames.append(local.loc[local["region_level"] == "gemeente", columns])
        combined = pd.concat(frames, ignore_index=True)
        return combined.drop_duplicates(["region_code", "year"], keep="first")

    @cached_property
    def waves(self) -> list[int]:
        """Survey waves up to and including this year (the trend period)."""
        return [y for y in self.settings.years if y <= self.year]

    @cached_property
    def polarity(self) -> dict[str, int]:
        return {i.id: i.polarity for i in self.catalogue.indicators.values()}

    @cached_property
    def gemeente_estimates(self) -> pd.DataFrame:
        """Every indicator for the whole gemeente in every wave up to this year."""
        data = self.long[self.long["year"].isin(self.waves)]
        return indicator_estimates(data, self.settings, years=self.waves)

    def _gemeente_value(self, indicator: str, year: int | None = None) -> float:
        est = self.gemeente_estimates
        row = est[(est["indicator"] == indicator) & (est["year"] == (year or self.year))]
        return float(row["estimate"].iloc[0]) if len(row) else float("nan")

    @cached_property
    def wijk_estimates(self) -> pd.DataFrame:
        """The wijk indicators per wijk in this year, each wijk tested against the rest (BH)."""
        data = self.long[(self.long["year"] == self.year)
                         & self.long["indicator"].isin(WIJK_INDICATORS)]
        est = indicator_estimates(data, self.settings, by="wijk_code",
                                  indicators=list(WIJK_INDICATORS), years=[self.year])
        tested = compare.domain_vs_rest(
            data, weight="weight", by="wijk_code", strata="stratum", min_n=self.settings.min_n,
            polarity=self.polarity, alpha=self.settings.alpha,
        )
        tests = tested[["indicator", "year", "wijk_code", "estimate_rest", "difference",
                        "se_difference", "p", "p_adjusted", VERDICT, "reason"]]
        proportion = tests["indicator"].map(lambda i: self.catalogue[i].is_proportion)
        scale = np.where(proportion, 100.0, 1.0)
        tests = tests.assign(**{c: tests[c] * scale
                                for c in ("estimate_rest", "difference", "se_difference")})
        names = self.wijken[["wijk_code", "wijk_naam"]]
        return (est.merge(tests, on=["indicator", "year", "wijk_code"], how="left")
                .merge(names, on="wijk_code", how="left"))

    # --- texts ----------------------------------------------------------------------------------

    @property
    def gemeente(self) -> str:
        return self.settings.gemeente_naam

    def source(self, first: int | None = None) -> str:
        """'Bron: Veiligheidsmonitor 2015, bewerking gemeente X' (or a period of waves)."""
        years = f"{first}–{self.year}" if first is not None and first != self.year \
            else str(self.year)
        return f"Bron: {self.settings.source_label} {years}, bewerking gemeente {self.gemeente}"

    def _other_source(self, key: str, default: str, year: int | None = None) -> str:
        label = str(self.settings.extra.get(key, default))
        if year is not None:
            label += f" {year}"
        if self.settings.synthetic and "synthetisch" not in label.lower():
            label += " (synthetische demodata)"
        return f"Bron: {label}, bewerking gemeente {self.gemeente}"

    # --- sections -------------------------------------------------------------------------------

    def section(self, key: str) -> Section | None:
        """One section by key (None when its source is absent; the reason is in `skipped`)."""
        if key not in self._sections:
            builder = self._builders().get(key)
            if builder is None:
                raise KeyError(f"onbekende sectie {key!r}; bekend: {', '.join(self.keys())}")
            self._sections[key] = builder(self)
        return self._sections[key]

    def keys(self) -> list[str]:
        return list(self._builders())

    @staticmethod
    def _builders() -> dict[str, Builder]:
        out: dict[str, Builder] = {
            "kerncijfers": Annex.kerncijfers,
            "footprint": Annex.footprint,
        }
        for indicator in WIJK_INDICATORS:
            out[f"wijk_{indicator}"] = lambda self, i=indicator: self.wijk(i)
        out.update({"trends": Annex.trends, "slachtofferschap": Annex.slachtofferschap,
                    "politie": Annex.politie, "veiligheidshuis": Annex.veiligheidshuis})
        return out

    def sections(self) -> list[Section]:
        """Every available section in annex order, figures and tables numbered."""
        result = [s for s in (self.section(k) for k in self.keys()) if s is not None]
        figure_no = table_no = 0
        for section in result:
            for item in section.figures:
                figure_no += 1
                item.number = figure_no
            for k, table in enumerate(section.tables):
                table_no += 1
                section.tables[k] = _numbered(table, table_no)
        return result

    def kerncijfers(self) -> Section:
        """The footprint indicators for the whole gemeente, against the previous wave."""
        ids = [i.id for i in self.catalogue.footprint]
        years = [y for y in (self.base_year, self.year) if y is not None]
        est = self.gemeente_estimates
        est = est[est["indicator"].isin(ids) & est["year"].isin(years)]
        current = est[est["year"] == self.year].reset_index(drop=True)
        data = current[["indicator", "label", "kind", "unit", "year", "estimate", "se",
                        "ci_low", "ci_high", "n", "n_eff", "indicatief", "unreliable",
                        "suppressed"]].copy()
        columns = [Column("label", "Indicator", "text", 30), Column("unit", "Eenheid", "text", 22),
                   *_estimate_columns(str(self.year))]
        if self.base_year is not None:
            tested = self._against_base(est, data["indicator"])
            data["base_year"] = self.base_year
            data["estimate_base"] = tested["estimate_reference"].to_numpy()
            for column in ("difference", "p", "p_adjusted", VERDICT, "reason"):
                data[column] = tested[column].to_numpy()
            data["judgement"] = _judgement(data[VERDICT], data["reason"])
            columns += [Column("estimate_base", f"Waarde {self.base_year}", "value", 11),
                        Column("judgement", f"{self.year} t.o.v. {self.base_year}", "text", 20)]
        data["remark"] = [remark(i, u) for i, u in zip(data["indicatief"], data["unreliable"],
                                                       strict=True)]
        if (data["remark"] != "").any():
            columns.append(Column("remark", "Opmerking", "text", 14))
        table = AnnexTable(
            "kerncijfers", f"Footprint-indicatoren voor heel {self.gemeente}, {self.year}",
            _shown(data, self.settings.min_n), tuple(columns), source=self.source(),
            note=_change_note(self.base_year, self.settings.method_break),
        )
        base = (f" en de verandering sinds {self.base_year}" if self.base_year else "")
        return Section("kerncijfers", "Kerncijfers voor de hele gemeente",
                       f"De negentien indicatoren van de footprint voor heel {self.gemeente} in "
                       f"{self.year}, met 95%-betrouwbaarheidsinterval{base}.",
                       tables=[table])

    def footprint(self) -> Section | None:
        """The G32-style footprint: position in the base and current year, and development."""
        bench = self._optional("benchmark", BENCHMARK_TABLE)
        if bench is None:
            self.skipped["footprint"] = "de levering heeft geen benchmark"
            return None
        group = self.settings.benchmark_group
        base = self.base_year
        result = self._footprint_numbers(bench)
        years = [y for y in (base, self.year) if y is not None]
        chart_columns = [(f"position_{y}", f"Positie {y} t.o.v. {group}") for y in years]
        if base is not None:
            chart_columns.append(("development",
                                  f"Ontwikkeling {base}–{self.year} t.o.v. {group}"))
        share_note = _share_note(self.settings)
        source = self._benchmark_source(base)
        title = f"Footprint: {self.gemeente} t.o.v. {group}"
        fig = figures.footprint_chart(
            result, chart_columns, title=title,
            subtitle=(f"Positie per meetjaar en ontwikkeling {base}–{self.year}"
                      if base is not None else f"Positie in {self.year} (geen eerdere meting)"),
            source=source, banner=self.settings.banner, notes=[share_note],
        )
        columns = [Column("label", "Indicator", "text", 30)]
        for y in years:
            columns += [Column(f"estimate_{y}", f"{self.gemeente} {y}", "value", 12),
                        Column(f"benchmark_{y}", f"{group} {y}", "value", 11),
                        Column(f"judgement_{y}", f"Positie {y}", "text", 14)]
        if base is not None:
            columns += [Column("development_difference", "Verschil in ontwikkeling", "change",
                               14),
                        Column("development_judgement", f"Ontwikkeling {base}–{self.year}",
                               "text", 16)]
        table = AnnexTable("footprint", f"Footprint {self.gemeente} t.o.v. {group}",
                           result, tuple(columns), source=source,
                           note="Toets op 5% met Benjamini-Hochberg-correctie (p-waarden in de "
                                f"CSV-versie). {share_note}")
        return Section(
            "footprint", f"Footprint: {self.gemeente} vergeleken met de {group}",
            f"Scoort {self.gemeente} significant beter, gelijk of slechter dan het gemiddelde "
            f"van de {group}, en ontwikkelt de gemeente zich beter of slechter dan de {group}? "
            "Beter en slechter houden rekening met wat gunstig is (bij overlast is lager "
            "beter).",
            figures=[FigureItem("footprint", title, fig)], tables=[table],
        )

    def _footprint_numbers(self, bench: pd.DataFrame) -> pd.DataFrame:
        """`benchmark.footprint`; in the first wave (no base year) the position only."""
        from ivb_analysis import benchmark as bm

        ids = [i.id for i in self.catalogue.footprint]
        years = [y for y in (self.base_year, self.year) if y is not None]
        est = self.gemeente_estimates
        est = est[est["indicator"].isin(ids) & est["year"].isin(years)]
        if self.base_year is not None:
            result = bm.footprint(est, bench, self.base_year, self.year,
                                  alpha=self.settings.alpha, share=self.settings.benchmark_share,
                                  method_break=self.settings.method_break)
        else:
            tested = compare.vs_benchmark(
                est[["indicator", "year", "estimate", "se", "suppressed"]],
                bench[bench["year"] == self.year][["indicator", "year", "estimate", "ci_low",
                                                   "ci_high"]],
                share=self.settings.benchmark_share, keys=["indicator", "year"],
                polarity=self.polarity, family="year", alpha=self.settings.alpha,
            ).set_index("indicator").reindex(ids)
            y = self.year
            result = pd.DataFrame({
                "indicator": ids,
                "label": [self.catalogue[i].label for i in ids],
                f"position_{y}": tested[VERDICT].to_numpy(),
                f"estimate_{y}": tested["estimate"].to_numpy(),
                f"benchmark_{y}": tested["estimate_benchmark"].to_numpy(),
                f"p_adjusted_{y}": tested["p_adjusted"].to_numpy(),
                f"reason_{y}": tested["reason"].to_numpy(),
                "unit": [self.catalogue[i].unit for i in ids],
            })
        kinds = {i: self.catalogue[i].kind for i in ids}
        result = result.assign(kind=result["indicator"].map(kinds))
        for y in years:
            result[f"judgement_{y}"] = _judgement(result[f"position_{y}"], result[f"reason_{y}"])
        if self.base_year is not None:
            result["development_judgement"] = _judgement(result["development"],
                                                         result["development_reason"])
        return result

    def _benchmark_source(self, base: int | None) -> str:
        years = f"{base} en {self.year}" if base is not None else str(self.year)
        return (f"Bron: {self.settings.source_label} {years}; benchmark "
                f"{self.settings.benchmark_group}, bewerking gemeente {self.gemeente}")

    def wijk(self, indicator: str) -> Section:
        """One indicator per wijk with intervals; each wijk tested against the rest (BH)."""
        spec = self.catalogue[indicator]
        est = self.wijk_estimates[self.wijk_estimates["indicator"] == indicator]
        est = est.sort_values("wijk_code", ignore_index=True)
        title = f"{spec.label} per wijk, {self.year}"
        fig = figures.wijk_bars(
            est.assign(verdict=est[VERDICT]), title=title,
            subtitle=f"{_unit_phrase(spec.unit)}; wijk vergeleken met de rest van de gemeente",
            source=self.source(), banner=self.settings.banner,
            gemeente_value=self._gemeente_value(indicator), kind=spec.kind,
            gemeente_label=f"heel {self.gemeente}", min_n=self.settings.min_n,
            indicatief_n=self.settings.indicatief_n,
        )
        data = est.assign(judgement=_judgement(est[VERDICT], est["reason"]),
                          remark=[remark(i, u) for i, u in zip(est["indicatief"],
                                                              est["unreliable"], strict=True)])
        data = data[["indicator", "label", "kind", "unit", "year", "wijk_code", "wijk_naam",
                     "estimate", "se", "ci_low", "ci_high", "n", "n_eff", "indicatief",
                     "unreliable", "suppressed", "estimate_rest", "difference", "se_difference",
                     "p", "p_adjusted", VERDICT, "reason", "judgement", "remark"]]
        hidden = est.loc[est["suppressed"].astype(bool), "wijk_naam"].astype(str).tolist()
        shown = _shown(data, self.settings.min_n)
        note = _suppression_note(hidden, bool(shown["indicatief"].any()), self.settings.min_n,
                                 self.settings.indicatief_n)
        remarks = (Column("remark", "Opmerking", "text", 14),) if (shown["remark"] != "").any() \
            else ()
        table = AnnexTable(
            f"wijk_{indicator}", title, shown,
            (Column("wijk_naam", "Wijk", "text", 18), *_estimate_columns(str(self.year)),
             Column("estimate_rest", "Rest gemeente", "value", 12),
             Column("p_adjusted", "p (gecorrigeerd)", "pvalue", 12),
             Column("judgement", "T.o.v. rest gemeente", "text", 18), *remarks),
            source=self.source(), note=note,
        )
        return Section(f"wijk_{indicator}", f"{spec.label} per wijk",
                       f"{spec.label} ({spec.unit}) per wijk in {self.year}. Elke wijk is "
                       "getoetst tegen de rest van de gemeente.",
                       figures=[FigureItem(f"wijk_{indicator}", title, fig)], tables=[table])

    def trends(self) -> Section | None:
        """Every indicator over the waves up to this year, per theme, with the method break."""
        if len(self.waves) < 2:
            self.skipped["trends"] = f"{self.year} is de eerste meting: nog geen ontwikkeling"
            return None
        est = self.gemeente_estimates
        first = min(self.waves)
        period = f"{first}–{self.year}" if first != self.year else str(self.year)
        source = self.source(first)
        items = []
        series = est[est["indicator"].isin(GEMEENTE_SERIES)]
        if len(series):
            title = f"Inwoners over de inzet van de gemeente, {period}"
            items.append(FigureItem("trend_gemeente_inzet", title, figures.trend_lines(
                series, title=title, subtitle="% (helemaal) eens", source=source,
                banner=self.settings.banner, method_break=self.settings.method_break)))
        for theme, heading in THEMES.items():
            part = est[est["indicator"].map(
                lambda i, t=theme: self.catalogue[i].theme == t)]
            if part.empty:
                continue
            title = f"{heading}, {period}"
            items.append(FigureItem(f"trend_{theme}", title, figures.trend_panels(
                part, title=title, source=source, banner=self.settings.banner,
                method_break=self.settings.method_break)))
        data = _shown(est[["indicator", "label", "kind", "unit", "year", "estimate", "se",
                           "ci_low", "ci_high", "n", "n_eff", "indicatief", "unreliable",
                           "suppressed"]], self.settings.min_n)
        wide = data.pivot_table(index=["indicator", "label", "kind", "unit"], columns="year",
                                values="estimate", aggfunc="first", sort=False)
        wide.columns = [str(c) for c in wide.columns]
        wide = wide.reset_index()
        order = {ind: k for k, ind in enumerate(self.catalogue.ids())}
        wide = wide.sort_values("indicator", key=lambda s: s.map(order), ignore_index=True)
        year_columns = [Column(str(y), str(y), "value", 8) for y in self.waves
                        if str(y) in wide.columns]
        table = AnnexTable(
            "trends", f"Alle indicatoren voor heel {self.gemeente}, {period}", data,
            (Column("label", "Indicator", "text", 34), Column("unit", "Eenheid", "text", 22),
             *year_columns),
            source=source, reader_data=wide,
            note="Intervallen, aantallen respondenten en effectieve aantallen staan in de "
                 "CSV-versie (trends.csv).",
        )
        tables = [table]
        if len(self.waves) >= 3:
            tables.append(self._trend_tests(source, period))
        return Section(
            "trends", "Ontwikkeling sinds " + str(first),
            f"Alle indicatoren voor heel {self.gemeente} per meting, met "
            "95%-betrouwbaarheidsbanden." + (
                f" De Veiligheidsmonitor is in {self.settings.method_break} vernieuwd; de "
                "lijnen zijn daar onderbroken." if _spans_break(self.waves,
                                                                self.settings.method_break)
                else ""),
            figures=items, tables=tables,
        )

    def _trend_tests(self, source: str, period: str) -> AnnexTable:
        est = self.gemeente_estimates
        tested = compare.linear_trend(
            est[["indicator", "year", "estimate", "se", "suppressed"]], keys=["indicator"],
            method_break=self.settings.method_break, polarity=self.polarity,
            alpha=self.settings.alpha,
        )
        meta = est[["indicator", "label", "kind", "unit"]].drop_duplicates("indicator")
        data = meta.merge(tested, on="indicator", how="right")
        order = {ind: k for k, ind in enumerate(self.catalogue.ids())}
        data = data.sort_values(["indicator", "first_year"], key=lambda s: s.map(order)
                                if s.name == "indicator" else s, ignore_index=True)
        data["judgement"] = _judgement(data[VERDICT], data["reason"])
        data["period"] = [f"{a}–{b}" if pd.notna(a) else ""
                          for a, b in zip(data["first_year"], data["last_year"], strict=True)]
        data = data[data["reason"] != compare.REASON_WAVES].reset_index(drop=True)
        return AnnexTable(
            "trendtoets", f"Lineaire trend per indicator, {period}", data,
            (Column("label", "Indicator", "text", 34),
             Column("period", "Periode", "text", 11, nowrap=True),
             Column("n_waves", "Metingen", "integer", 9),
             Column("difference", "Verandering volgens trend", "change", 16),
             Column("p_adjusted", "p (gecorrigeerd)", "pvalue", 12),
             Column("judgement", "Oordeel", "text", 18)),
            source=source,
            note="Gewogen lineaire trend (gewicht 1/SE²) over de metingen, apart voor elke kant "
                 "van de methodebreuk; toets op 5% met Benjamini-Hochberg-correctie. Een periode "
                 "met minder dan drie metingen is niet getoetst en niet opgenomen.",
        )

    def slachtofferschap(self) -> Section:
        """Victimisation per kind of offence, this year against the base year."""
        ids = [i.id for i in self.catalogue.indicators.values() if i.delict]
        years = [y for y in (self.base_year, self.year) if y is not None]
        est = self.gemeente_estimates
        est = est[est["indicator"].isin(ids) & est["year"].isin(years)].copy()
        data = est[est["year"] == self.year][["indicator", "label", "kind", "unit", "year",
                                              "estimate", "se", "ci_low", "ci_high", "n",
                                              "n_eff", "suppressed"]].reset_index(drop=True)
        markers = None
        columns = [Column("label", "Delict", "text", 30), *_estimate_columns(str(self.year))]
        if self.base_year is not None:
            tested = self._against_base(est, data["indicator"])
            data["estimate_base"] = tested["estimate_reference"].to_numpy()
            for column in ("difference", "p_adjusted", VERDICT, "reason"):
                data[column] = tested[column].to_numpy()
            data["judgement"] = _judgement(data[VERDICT], data["reason"])
            symbols = {"beter": "▲", "slechter": "▼"}
            markers = pd.Series(data[VERDICT].map(symbols).to_numpy(), index=data["label"])
            columns += [Column("estimate_base", f"Waarde {self.base_year}", "value", 11),
                        Column("judgement", f"{self.year} t.o.v. {self.base_year}", "text", 20)]
        title = f"Slachtofferschap naar soort delict, {self.year}"
        fig = figures.grouped_bars(
            est.sort_values(["year"], kind="stable"), category="label", group="year",
            category_name="delict",
            title=title, subtitle="% inwoners dat in de afgelopen twaalf maanden slachtoffer "
            "was", source=self.source(self.base_year), banner=self.settings.banner,
            kind="percentage", groups=[self.year, *([self.base_year] if self.base_year else [])],
            markers=markers,
            marker_note=(f"▲ significant minder (beter), ▼ significant meer (slechter) dan in "
                         f"{self.base_year} (toets op 5%, Benjamini-Hochberg)."),
            notes=[f"De verandering sinds {self.base_year} is niet getoetst: methodebreuk in "
                   f"{self.settings.method_break}."] if _spans_break(years, self.settings.
                                                                   method_break) else [],
        )
        table = AnnexTable("slachtofferschap", title, _shown(data, self.settings.min_n),
                           tuple(columns), source=self.source(self.base_year),
                           note=_change_note(self.base_year, self.settings.method_break))
        return Section("slachtofferschap", "Slachtofferschap naar soort delict",
                       "Het percentage inwoners dat slachtoffer werd, per soort delict.",
                       figures=[FigureItem("slachtofferschap", title, fig)], tables=[table])

    def politie(self) -> Section | None:
        """Registered crime per wijk per 1,000 inhabitants (no sample: no interval)."""
        crime = self._optional("police", CRIME_TABLE)
        population = self._optional("population", POPULATION_TABLE)
        if crime is None or population is None:
            self.skipped["politie"] = "de levering heeft geen politie- of bevolkingscijfers"
            return None
        from ivb_analysis import benchmark as bm

        rates = bm.crime_figures(crime, population)
        rates = rates[(rates["year"] == self.year) & (rates["region_level"] == "wijk")]
        if rates.empty:
            self.skipped["politie"] = f"geen politiecijfers voor {self.year}"
            return None
        rates = rates.merge(self.wijken[["wijk_code", "wijk_naam"]],
                            left_on="region_code", right_on="wijk_code", how="left")
        rates["wijk_naam"] = rates["wijk_naam"].fillna(rates["region_code"])
        rates["crime_label"] = rates["crime_label"].map(_crime_label)
        source = self._police_source()
        items = []
        for code, key in ((TOTAL_CRIME, "politie_totaal"), (BURGLARY, "politie_woninginbraak")):
            part = rates[rates["crime_code"] == code]
            if part.empty:
                continue
            label = str(part["crime_label"].iloc[0])
            title = f"{label} per 1.000 inwoners per wijk, {self.year}"
            total = part["count"].sum() / part["population"].sum() * 1000
            fig = figures.wijk_bars(
                part.assign(estimate=part["rate_per_1000"].astype(float), suppressed=False,
                            n=part["population"]),
                title=title, subtitle="Geregistreerde misdrijven per 1.000 inwoners",
                source=source, banner=self.settings.banner, gemeente_value=float(total),
                kind="rate", gemeente_label=f"heel {self.gemeente}", what="inwoners",
            )
            items.append(FigureItem(key, title, fig))
        if self.settings.files.geometry:
            items.insert(1, self._crime_map(rates[rates["crime_code"] == TOTAL_CRIME], source))
        data = rates[["year", "wijk_code", "wijk_naam", "crime_code", "crime_label", "count",
                      "population", "rate_per_1000", "count_previous", "count_change_pct"]]
        data = data.sort_values(["crime_code", "wijk_code"], ignore_index=True)
        table = AnnexTable(
            "politie", f"Geregistreerde misdrijven per wijk, {self.year}", data,
            (Column("wijk_naam", "Wijk", "text", 18),
             Column("crime_label", "Soort misdrijf", "text", 34),
             Column("count", f"Aantal {self.year}", "integer", 10),
             Column("population", "Inwoners", "integer", 10),
             Column("rate_per_1000", "Per 1.000 inwoners", "decimal1", 12),
             Column("count_previous", f"Aantal {self.year - 1}", "integer", 10),
             Column("count_change_pct", "Verandering (%)", "decimal1", 12)),
            source=source,
        )
        return Section("politie", "Geregistreerde criminaliteit per wijk",
                       "Door de politie geregistreerde misdrijven per 1.000 inwoners. Dit zijn "
                       "registraties, geen steekproef: er is geen betrouwbaarheidsinterval.",
                       figures=items, tables=[table])

    def _crime_map(self, total: pd.DataFrame, source: str) -> FigureItem:
        """Choropleth of all registered crime per 1,000 inhabitants (delivery has geometry)."""
        from ivb_analysis import maps

        title = f"Geregistreerde misdrijven per 1.000 inwoners, {self.year}"
        values = total.set_index("wijk_code")["rate_per_1000"].astype(float)
        fig = maps.wijk_choropleth(
            values, self.settings.path("geometry"), title=title, source=source,
            banner=self.settings.banner, label="misdrijven per 1.000 inwoners",
            names=dict(zip(total["wijk_code"], total["wijk_naam"], strict=True)),
        )
        ranked = total.sort_values("rate_per_1000", ascending=False)
        high, low = ranked.iloc[0], ranked.iloc[-1]
        fig.alt_text = (
            f"Kaart van de {len(total)} wijken van {self.gemeente}, gekleurd naar het aantal "
            f"geregistreerde misdrijven per 1.000 inwoners in {self.year}. Hoogste: "
            f"{high['wijk_naam']} ({tables.dutch_number(high['rate_per_1000'], 1)}); laagste: "
            f"{low['wijk_naam']} ({tables.dutch_number(low['rate_per_1000'], 1)})."
        )
        return FigureItem("politie_kaart", title, fig)

    def _police_source(self) -> str:
        return self._other_source("bron_politie", "Politie (geregistreerde misdrijven) en CBS "
                                  "(bevolking per wijk)", self.year)

    def veiligheidshuis(self) -> Section | None:
        """Casework of the Veiligheidshuis per overleg, per gemeente in the casework file."""
        casework = self._optional("casework", CASEWORK_TABLE)
        if casework is None:
            self.skipped["veiligheidshuis"] = "de levering heeft geen casuïstiek"
            return None
        from ivb_analysis import benchmark as bm

        rates = bm.casework_rates(casework, self._gemeente_population())
        rates = rates[rates["year"] == self.year].reset_index(drop=True)
        if rates.empty:
            self.skipped["veiligheidshuis"] = f"geen casuïstiek voor {self.year}"
            return None
        source = self._other_source("bron_veiligheidshuis", "Veiligheidshuis, casuïstiek",
                                    self.year)
        gemeenten = sorted(rates["gemeente"].unique())
        title = f"Behandelde casuïstiek Veiligheidshuis, {self.year}"
        fig = figures.grouped_bars(
            rates.assign(estimate=rates["count"].astype(float)), category="overleg",
            group="gemeente", title=title, subtitle="Aantal behandelde casussen per overleg",
            source=source, banner=self.settings.banner, kind="count", groups=gemeenten,
            highlight=self.gemeente,
        )
        rate_col = "rate_per_10000" if "rate_per_10000" in rates.columns else None
        columns = [Column("gemeente", "Gemeente", "text", 14),
                   Column("overleg", "Overleg", "text", 36),
                   Column("count", "Aantal casussen", "integer", 12)]
        if rate_col is not None and rates[rate_col].notna().any():
            columns.append(Column(rate_col, "Per 10.000 inwoners", "decimal1", 12))
        table = AnnexTable("veiligheidshuis", title, rates, tuple(columns), source=source)
        return Section("veiligheidshuis", "Casuïstiek Veiligheidshuis",
                       f"Aantal behandelde casussen per overleg in {self.year}, voor "
                       f"{_join(gemeenten)}.",
                       figures=[FigureItem("veiligheidshuis", title, fig)], tables=[table])

    # --- the method note ------------------------------------------------------------------------

    def method_note(self) -> list[str]:
        """The annex's short method note, one paragraph per point (Dutch)."""
        s = self.settings
        points = [
            "Gewogen uitkomsten: de antwoorden van de Veiligheidsmonitor zijn gewogen met de "
            "steekproefgewichten. De standaardfouten zijn design-based (Taylor-linearisatie, "
            "gestratificeerd), dus met de weging en de steekproefopzet meegerekend.",
            "Elke uitkomst heeft een 95%-betrouwbaarheidsinterval; bij percentages op de "
            "logit-schaal, zodat een grens nooit onder 0% of boven 100% komt.",
            "Significantie: elk verschil is getoetst als verschil (z-toets op het verschil, niet "
            "'overlappen de intervallen'), op 5%, met Benjamini-Hochberg-correctie voor het "
            "aantal toetsen binnen een tabel of figuur. Een wijk is vergeleken met de rest van "
            "de gemeente; omdat beide uit dezelfde steekproef komen, is hun samenhang in de "
            "standaardfout meegenomen. Twee metingen zijn onafhankelijke steekproeven.",
            f"Kleine aantallen: een uitkomst op minder dan {s.min_n} respondenten wordt niet "
            f"getoond; van {s.min_n} tot {s.indicatief_n} respondenten is ze indicatief "
            "(gemarkeerd met *).",
            f"Benchmark ({s.benchmark_group}): {_share_note(s)} De ontwikkeling ten opzichte van "
            "de benchmark is het verschil van de twee veranderingen (verschil van verschillen).",
        ]
        if s.method_break is not None:
            points.append(
                f"Methodebreuk: vanaf {s.method_break} is de Veiligheidsmonitor vernieuwd en "
                "niet één op één vergelijkbaar met eerdere jaren. Er is geen toets over de breuk "
                "heen en de trendlijnen zijn daar onderbroken.")
        points.append("Politiecijfers zijn registraties (geen steekproef) en hebben daarom geen "
                      "betrouwbaarheidsinterval. De tabellen bevatten alleen uitkomsten voor "
                      "groepen, nooit gegevens van individuele respondenten.")
        return points


# --- helpers ---------------------------------------------------------------------------------


def _numbered(table: AnnexTable, number: int) -> AnnexTable:
    return replace(table, number=number)


def _estimate_columns(year: str | None) -> tuple[Column, ...]:
    heading = f"Waarde {year}" if year else "Waarde"
    return (Column("estimate", heading, "value", 11),
            Column("ci_low", "Ondergrens 95%", "value", 11),
            Column("ci_high", "Bovengrens 95%", "value", 11),
            Column("n", "n", "integer", 8),
            Column("n_eff", "Effectieve n", "integer", 10))


def _shown(data: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Only rows a reader may see: suppressed rows (n < min_n) are dropped entirely."""
    keep = ~data["suppressed"].astype(bool) if "suppressed" in data.columns else \
        pd.Series(True, index=data.index)
    if "n" in data.columns:
        keep &= data["n"] >= min_n
    return data[keep].reset_index(drop=True)


def _judgement(verdicts: pd.Series, reasons: pd.Series) -> list[str]:
    """beter / gelijk / slechter, or why a row was not tested."""
    out = []
    for verdict, reason in zip(verdicts, reasons, strict=True):
        if isinstance(verdict, str):
            out.append(verdict)
        elif isinstance(reason, str) and reason:
            out.append(f"niet getoetst ({reason})")
        else:
            out.append("niet getoetst")
    return out


def _change_note(base_year: int | None, method_break: int | None) -> str:
    if base_year is None:
        return ""
    text = (f"Verschil met {base_year} getoetst op 5% met Benjamini-Hochberg-correctie; beter en "
            "slechter houden rekening met wat gunstig is.")
    if method_break is not None:
        text += f" Over de methodebreuk van {method_break} heen wordt niet getoetst."
    return text


def _share_note(settings: Settings) -> str:
    p = settings.benchmark_share
    if p > 0:
        return (f"Omdat {settings.gemeente_naam} zelf in de {settings.benchmark_group} zit, is "
                f"de standaardfout van het verschil gecorrigeerd voor die deel-geheelrelatie "
                f"(aandeel van de gemeente p = {dutch_percent(p * 100, 1)}).")
    return (f"De benchmark is berekend zonder {settings.gemeente_naam} (geen correctie "
            "deel-geheel nodig, p = 0).")


def _suppression_note(hidden: list[str], indicatief: bool, min_n: int,
                      indicatief_n: int) -> str:
    """Which wijken are left out (n < min_n), and what 'indicatief' means when it occurs."""
    parts = []
    if hidden:
        parts.append(f"Niet getoond (minder dan {min_n} respondenten): {_join(hidden)}.")
    if indicatief:
        parts.append(f"Indicatief: uitkomst op {min_n} tot {indicatief_n} respondenten.")
    return " ".join(parts)


def _unit_phrase(unit: str) -> str:
    return unit[0].upper() + unit[1:] if unit else unit


def _crime_label(label: str) -> str:
    """'1.1.1 Diefstal/inbraak woning' -> 'Diefstal/inbraak woning'."""
    head, _, rest = label.partition(" ")
    return rest if head.replace(".", "").isdigit() and rest else label


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"


def _spans_break(years: list[int], method_break: int | None) -> bool:
    return method_break is not None and any(y < method_break for y in years) and any(
        y >= method_break for y in years)


# --- HTML ------------------------------------------------------------------------------------

CSS = """
body { font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 10pt; line-height: 1.4;
       color: #111; max-width: 52em; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 17pt; margin-bottom: 0.2em; }
h2 { font-size: 13pt; margin-top: 1.6em; border-bottom: 1px solid #999; }
.meta { color: #444; font-size: 9pt; }
.banner { background: #b2182b; color: #fff; font-weight: bold; padding: 0.3em 0.8em;
          letter-spacing: 0.04em; text-align: center; }
figure { margin: 1.2em 0; break-inside: avoid; page-break-inside: avoid; }
figure img { width: 100%; max-width: 16cm; max-height: 24cm; height: auto; display: block;
             object-fit: contain; object-position: left top; }
figcaption, .caption { font-weight: bold; font-size: 9.5pt; margin: 0.3em 0; }
.table-block { margin: 1.2em 0; overflow-x: auto; }
.table-block table { border-collapse: collapse; font-size: 8pt; width: 100%; }
.table-block th { border-bottom: 1.5px solid #333; text-align: left; vertical-align: bottom;
                  padding: 2px 6px; }
.table-block td { border-bottom: 1px solid #ddd; padding: 2px 6px; }
.table-block tr { break-inside: avoid; page-break-inside: avoid; }
.note { color: #444; font-size: 8.5pt; margin: 0.2em 0; }
ol.toc { columns: 2; font-size: 9pt; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  .banner { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { break-before: page; page-break-before: always; }
  section.first { break-before: auto; page-break-before: auto; }
  a { color: inherit; text-decoration: none; }
}
"""


_MARGIN_FONT = 'font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 7.5pt; color: #555;'


def page_css(title: str, banner: str | None) -> str:
    """A4 pages with the banner in the top margin of EVERY printed page and a page number."""
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    top = (f"@top-center {{ content: {quoted(banner + ': deze cijfers zijn verzonnen')}; "
           f"color: #b2182b; font-weight: bold; {_MARGIN_FONT} font-size: 9pt; }}"
           if banner else "")
    return (f"@page {{ size: A4; margin: 18mm 15mm 16mm 15mm; {top} "
            f"@bottom-left {{ content: {quoted(title)}; {_MARGIN_FONT} }} "
            '@bottom-right { content: "pagina " counter(page) " van " counter(pages); '
            f"{_MARGIN_FONT} }} }}")


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def figure_html(item: FigureItem, svg: bytes | None = None) -> str:
    """A numbered figure: the SVG as a data URI (vector, self-contained) with its alt text."""
    anchor = f"figuur-{item.number}" if item.number else f"figuur-{item.key}"
    image = svg if svg is not None else figures.figure_bytes(item.figure, "svg")
    return (f'<figure id="{anchor}"><figcaption>{html.escape(item.caption)}</figcaption>'
            f'<img src="{_data_uri(image)}" alt="{html.escape(item.alt_text)}">'
            "</figure>")


def table_html(table: AnnexTable) -> str:
    """A numbered table with caption, notes and source (the same Styler as in notebooks)."""
    anchor = f"tabel-{table.number}" if table.number else f"tabel-{table.key}"
    body = table.for_display().to_html()
    notes = "".join(f'<p class="note">{html.escape(t)}</p>'
                    for t in (table.note, table.source) if t)
    return (f'<div class="table-block" id="{anchor}"><p class="caption">'
            f"{html.escape(table.caption)}</p>{body}{notes}</div>")


def section_html(section: Section, level: int = 2, number: int | None = None,
                 svg: dict[str, bytes] | None = None) -> str:
    """A section as HTML; `svg` holds figures already rendered (key -> SVG bytes)."""
    heading = f"{number}. {section.title}" if number else section.title
    parts = [f"<h{level}>{html.escape(heading)}</h{level}>",
             f"<p>{html.escape(section.text)}</p>"]
    parts += [figure_html(item, (svg or {}).get(item.key)) for item in section.figures]
    parts += [table_html(table) for table in section.tables]
    return "\n".join(parts)


def annex_html(annex: Annex, sections: list[Section], workbook: str | None = None,
               svg: dict[str, bytes] | None = None) -> str:
    """The whole annex as one self-contained, printable page (nothing loaded from outside)."""
    s = annex.settings
    title = f"Waar staat {annex.gemeente}? Leefbaarheid en veiligheid {annex.year}"
    banner = (f'<div class="banner">{html.escape(s.banner)}: deze cijfers zijn verzonnen en '
              "alleen bedoeld om de werkwijze te tonen</div><div class=\"banner-space\"></div>"
              if s.banner else "")
    base = f"; vergelijkingsjaar {annex.base_year}" if annex.base_year else ""
    toc = "".join(f'<li><a href="#sectie-{sec.key}">{html.escape(sec.title)}</a></li>'
                  for sec in sections)
    body = []
    for k, section in enumerate(sections, start=1):
        cls = ' class="first"' if k == 1 else ""
        body.append(f'<section id="sectie-{section.key}"{cls}>'
                    f"{section_html(section, 2, k, svg)}</section>")
    method = "".join(f"<li>{html.escape(p)}</li>" for p in annex.method_note())
    skipped = "".join(f"<li>{html.escape(k)}: {html.escape(v)}</li>"
                      for k, v in sorted(annex.skipped.items()))
    skipped_html = (f"<p>Niet opgenomen:</p><ul>{skipped}</ul>" if skipped else "")
    workbook_html = (f"<p class=\"meta\">Alle tabellen staan ook in <code>tables/"
                     f"{html.escape(workbook)}</code> (Excel) en als CSV in <code>tables/</code>; "
                     "de figuren als SVG, PDF en PNG in <code>figures/</code>.</p>"
                     if workbook else "")
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{CSS}{page_css(title, s.banner)}</style>
</head>
<body>
{banner}
<header>
<h1>{html.escape(title)}</h1>
<p class="meta">Gemeente {html.escape(annex.gemeente)} ({html.escape(s.gemeente_code)}), meetjaar
{annex.year}{base}. {html.escape(annex.source())}.</p>
{workbook_html}
<ol class="toc">{toc}<li><a href="#werkwijze">Werkwijze</a></li></ol>
</header>
{''.join(body)}
<section id="werkwijze">
<h2>Werkwijze</h2>
<ul>{method}</ul>
{skipped_html}
</section>
</body>
</html>
"""


# --- writing ---------------------------------------------------------------------------------


def year_dir(settings: Settings, year: int) -> Path:
    return settings.output_dir / str(year)


def workbook_name(year: int) -> str:
    return f"tabellen_{year}.xlsx"


def write_annex(settings: Settings, year: int, *, pdf: bool = False,
                base_year: int | None = None) -> list[Path]:
    """Write figures/, tables/, bijlage.html (and bijlage.pdf) for one year; returns the paths.

    With `pdf=True` and no headless Chromium, `export.PdfUnavailableError` (an InputError) is
    raised before anything is written.
    """
    chromium = export.require_chromium() if pdf else None
    annex = Annex(settings, year, base_year=base_year)
    sections = annex.sections()
    out = year_dir(settings, year)
    written: list[Path] = []
    svg: dict[str, bytes] = {}
    for section in sections:
        for item in section.figures:
            saved = export.save_figure(item.figure, out / "figures", item.key)
            svg[item.key] = saved[0].read_bytes()
            written += saved
        for table in section.tables:
            written.append(export.write_csv(table.data, out / "tables" / f"{table.key}.csv"))
    all_tables = [t for s in sections for t in s.tables]
    book = workbook_name(year)
    written.append(export.write_workbook(
        all_tables, out / "tables" / book, banner=settings.banner,
        heading=f"Waar staat {settings.gemeente_naam}? Tabellen bij de bijlage {year}"))
    page = write_text(out / "bijlage.html", annex_html(annex, sections, workbook=book, svg=svg))
    written.append(page)
    if pdf:
        written.append(export.html_to_pdf(page, out / "bijlage.pdf", chromium))
    return written

