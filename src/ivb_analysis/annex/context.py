"""The annex's context: one year of one delivery, its inputs (loaded once), caches and settings.

Section modules (`annex.sections.*`) read everything they need through the `Context` interface
(`annex.interface`), which `Annex` implements; the context knows nothing about individual
sections except through the declared specs (`annex.registry`). `comparison_years` is the one
place that decides which earlier waves a year is compared with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cached_property

import numpy as np
import pandas as pd

from ivb_analysis import benchmark, compare, style, suppression
from ivb_analysis.annex import registry
from ivb_analysis.annex.interface import (  # noqa: F401 (re-exported: the context's words)
    NOT_DELIVERED,
    PARTIAL,
    VERDICT,
    Comparison,
    SectionSpec,
)
from ivb_analysis.annex.method import method_note
from ivb_analysis.annex.model import Section
from ivb_analysis.catalogue import Catalogue, Selections, load_catalogue, load_selections
from ivb_analysis.config import Settings
from ivb_analysis.errors import InputError
from ivb_analysis.estimates import (
    empty_domains,
    empty_domains_note,
    indicator_estimates,
    lonely_psu_note,
    lonely_strata,
    survey_design,
)
from ivb_analysis.prepare import (
    BENCHMARK_TABLE,
    GROUP_MEMBERS_TABLE,
    GROUP_POPULATION_TABLE,
    POPULATION_TABLE,
    SURVEY_TABLE,
    WIJKEN_TABLE,
    load_table,
    processed_dir,
)

#: Processed table of contract 4 (written by prepare when the delivery lacks indicators).
INDICATOR_STATUS_TABLE = "indicator_status"


def previous_wave(settings: Settings, year: int) -> int | None:
    earlier = [y for y in settings.years if y < year]
    return earlier[-1] if earlier else None


def _spans(a: int, b: int, method_break: int | None) -> bool:
    return method_break is not None and min(a, b) < method_break <= max(a, b)


def comparison_years(settings: Settings, year: int,
                     benchmark_years: Iterable[int] = ()) -> Comparison:
    """The one rule for comparison years (contract 1: from Settings only).

    Tables compare with the previous wave and, when `reference_year` is set and earlier, with
    that fixed year. The footprint's waves come from `benchmark_waves` (default: the years of
    the benchmark file, `benchmark_years`), limited to survey waves up to `year`: the current
    position is `year` itself (no footprint when the benchmark has no value for it); the base is
    the reference year when it is a benchmark wave on the same side of the method break, else
    the latest earlier benchmark wave on that side (else the latest earlier one).
    """
    ref = settings.reference_year
    if ref is not None and ref not in settings.years:
        raise InputError("referentiejaar is geen meting van de levering",
                         file=settings.settings_file, column="reference_year", found=ref,
                         expected=", ".join(map(str, settings.years)))
    previous = previous_wave(settings, year)
    reference = ref if ref is not None and ref < year and ref != previous else None
    pool = settings.benchmark_waves or tuple(benchmark_years)
    waves = sorted({int(y) for y in pool if int(y) in settings.years and int(y) <= year})
    benchmark: tuple[int, ...] = ()
    if year in waves:
        earlier = [y for y in waves if y < year]
        same_side = [y for y in earlier if not _spans(y, year, settings.method_break)]
        if ref is not None and ref in same_side:
            benchmark = (ref, year)
        elif same_side:
            benchmark = (same_side[-1], year)
        elif earlier:
            benchmark = (earlier[-1], year)
        else:
            benchmark = (year,)
    return Comparison(year, previous, reference, benchmark)


class Annex:
    """All sections of the annex for one year; inputs and numbers are computed on first use."""

    def __init__(self, settings: Settings, year: int) -> None:
        if year not in settings.years:
            raise InputError("geen gegevens voor dit meetjaar", file=settings.settings_file,
                             column="years", found=year,
                             expected=", ".join(map(str, settings.years)))
        self.settings = settings
        self.year = year
        self.catalogue: Catalogue = load_catalogue()
        self.selections: Selections = load_selections()
        self.skipped: dict[str, str] = {}
        self._sections: dict[str, Section | None] = {}
        self.comparison  # noqa: B018 (refuse a bad reference year before anything is built)

    # --- comparison years -----------------------------------------------------------------------

    @cached_property
    def comparison(self) -> Comparison:
        bench = self.optional("benchmark", BENCHMARK_TABLE)
        years = () if bench is None else bench["year"].dropna().astype(int).unique().tolist()
        return comparison_years(self.settings, self.year, years)

    @property
    def base_year(self) -> int | None:
        """The wave figures compare with (reference year, else the previous wave)."""
        return self.comparison.main

    # --- inputs -------------------------------------------------------------------------------

    @cached_property
    def long(self) -> pd.DataFrame:
        return load_table(self.settings, SURVEY_TABLE)

    @cached_property
    def wijken(self) -> pd.DataFrame:
        return load_table(self.settings, WIJKEN_TABLE)

    def optional(self, source: str, table: str) -> pd.DataFrame | None:
        """A processed table of an optional source (None when the delivery has no such file)."""
        return load_table(self.settings, table) if getattr(self.settings.files, source) else None

    @cached_property
    def indicator_status(self) -> dict[str, str]:
        """Indicator -> "beschikbaar" / "gedeeltelijk" / "niet in deze levering" (contract 4);
        every indicator available when prepare wrote no status table."""
        self.long  # noqa: B018 (prepares the delivery when needed)
        path = processed_dir(self.settings) / f"{INDICATOR_STATUS_TABLE}.parquet"
        if not path.is_file():
            return {}
        table = load_table(self.settings, INDICATOR_STATUS_TABLE)  # bound to the manifest
        return dict(zip(table["indicator"].astype(str), table["status"].astype(str),
                        strict=True))

    def delivered(self, indicator: str) -> bool:
        return self.indicator_status.get(indicator) != NOT_DELIVERED

    def missing(self, ids: Iterable[str]) -> list[str]:
        """The labels of indicators among `ids` the delivery does not have."""
        return [self.catalogue[i].label for i in ids if not self.delivered(i)]

    @cached_property
    def shares(self) -> pd.DataFrame:
        """The part-whole share p per wave (`year, share, source, population_year`): the
        delivery's `benchmark_share`, else the gemeente's population share among the group's
        members (`benchmark.benchmark_shares`); shown in the notes wherever it is used."""
        s = self.settings
        if s.benchmark_share is not None:
            return benchmark.benchmark_shares(self.waves, s.gemeente_code, fixed=s.benchmark_share)
        membership = self.optional("group_members", GROUP_MEMBERS_TABLE)
        population = self.optional("group_population", GROUP_POPULATION_TABLE)
        if population is None or (membership is None and isinstance(s.benchmark_group, str)):
            raise InputError(
                "het aandeel p van de gemeente in de benchmark is niet te bepalen",
                file=s.settings_file, column="benchmark_share",
                expected="benchmark_share in ivb.yaml (0 als de benchmark de gemeente niet "
                         "bevat), of de bronnen group_members en group_population")
        members = benchmark.group_members(s.benchmark_group, membership)
        return benchmark.benchmark_shares(self.waves, s.gemeente_code, members=members,
                                          population=population)

    @property
    def share(self) -> dict[int, float]:
        """p per wave, as `compare.vs_benchmark(share=...)` takes it."""
        return {int(y): float(p) for y, p in zip(self.shares["year"], self.shares["share"],
                                                 strict=True)}

    def gemeente_population(self) -> pd.DataFrame:
        """Population per gemeente and year: the benchmark group's file (it holds the other
        gemeenten of the casework too), else the gemeente row of the wijk population file."""
        columns = ["region_code", "region_level", "population", "year"]
        frames = [pd.DataFrame(columns=columns)]
        group = self.optional("group_population", GROUP_POPULATION_TABLE)
        if group is not None:
            frames.append(group.assign(region_level="gemeente")[columns])
        local = self.optional("population", POPULATION_TABLE)
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

    def gemeente_value(self, indicator: str, year: int | None = None) -> float:
        est = self.gemeente_estimates
        row = est[(est["indicator"] == indicator) & (est["year"] == (year or self.year))]
        return float(row["estimate"].iloc[0]) if len(row) else float("nan")

    def against(self, est: pd.DataFrame, earlier: int, order: pd.Series,
                keys: list[str] | None = None) -> pd.DataFrame:
        """Each row of `est` in this wave tested against the `earlier` wave (one BH family),
        indexed by `keys` (default: indicator) in the order of `order`."""
        keys = keys or ["indicator"]
        part = est[est["year"].isin([earlier, self.year])]
        tested = compare.wave_vs_wave(
            part[[*keys, "year", "estimate", "se", "suppressed"]], earlier, keys=keys,
            method_break=self.settings.method_break, polarity=self.polarity,
            alpha=self.settings.alpha,
        )
        tested = tested[tested["year"] == self.year]
        return tested.set_index(keys).reindex(order)

    def wijk_estimates_for(self, indicators: Iterable[str], years: list[int]) -> pd.DataFrame:
        """Estimates per wijk of `indicators` in `years` (no tests)."""
        ids = [i for i in indicators if self.delivered(i)]
        data = self.long[self.long["year"].isin(years) & self.long["indicator"].isin(ids)]
        if data.empty:
            return pd.DataFrame()
        return suppression.complementary(indicator_estimates(
            data, self.settings, by="wijk_code", indicators=ids, years=years),
            self.settings.min_n, weights=suppression.weight_sums(data))

    def wijk_tested(self, indicators: Iterable[str]) -> pd.DataFrame:
        """Indicators per wijk in this year, each wijk tested against the rest (BH)."""
        ids = [i for i in indicators if self.delivered(i)]
        data = self.long[(self.long["year"] == self.year) & self.long["indicator"].isin(ids)]
        est = self.wijk_estimates_for(ids, [self.year])
        if est.empty:
            return est
        tested = compare.domain_vs_rest(
            data, design=survey_design(data, self.settings), by="wijk_code",
            min_n=self.settings.min_n, polarity=self.polarity, alpha=self.settings.alpha,
        )
        tests = tested[["indicator", "year", "wijk_code", "estimate_rest", "difference",
                        "se_difference", "p", "p_adjusted", VERDICT, "reason"]]
        proportion = tests["indicator"].map(lambda i: self.catalogue[i].is_proportion)
        scale = np.where(proportion, 100.0, 1.0)
        tests = tests.assign(**{c: tests[c] * scale
                                for c in ("estimate_rest", "difference", "se_difference")})
        names = self.wijken[["wijk_code", "wijk_naam"]]
        return suppression.without_rest(
            est.merge(tests, on=["indicator", "year", "wijk_code"], how="left")
            .merge(names, on="wijk_code", how="left"))

    @cached_property
    def wijk_estimates(self) -> pd.DataFrame:
        """The wijk indicators per wijk in this year, each wijk tested against the rest (BH)."""
        return self.wijk_tested(self.selections.wijk_indicators)

    @cached_property
    def wijk_history(self) -> pd.DataFrame:
        """The wijk indicators per wijk in this year and the comparison waves (for wijk over
        time)."""
        years = sorted({*self.comparison.waves, self.year})
        return self.wijk_estimates_for(
            [*self.selections.wijk_indicators, *self.selections.wijk_victims], years)

    @cached_property
    def empty_wijken_note(self) -> str | None:
        """'Niet getoond (0 respondenten): ...' for the wijken of the wijk list without any
        respondent this year (they would otherwise vanish from tables and figures unnoticed)."""
        return empty_domains_note(empty_domains(self.long, self.wijken, [self.year]), self.year)

    @cached_property
    def lonely_note(self) -> str | None:
        """The method note's sentence on strata with a single respondent this year (None:
        there are none)."""
        lonely = lonely_strata(self.long[self.long["year"] == self.year], self.settings)
        names = dict(zip(self.wijken["wijk_code"].astype(str),
                         self.wijken["wijk_naam"].astype(str), strict=True))
        return lonely_psu_note(lonely, self.settings.lonely_psu, names=names)

    # --- texts ----------------------------------------------------------------------------------

    @property
    def gemeente(self) -> str:
        return self.settings.gemeente_naam

    def source(self, first: int | None = None) -> str:
        """'Bron: Veiligheidsmonitor 2015, bewerking gemeente X' (or a period of waves)."""
        years = f"{first}–{self.year}" if first is not None and first != self.year \
            else str(self.year)
        return f"Bron: {self.settings.source_label} {years}, bewerking gemeente {self.gemeente}"

    def other_source(self, key: str, default: str, year: int | None = None) -> str:
        label = str(self.settings.extra.get(key, default))
        if year is not None:
            label += f" {year}"
        if self.settings.synthetic and style.SYNTHETIC_LABEL.lower() not in label.lower():
            label += f" ({style.SYNTHETIC_LABEL.lower()})"
        return f"Bron: {label}, bewerking gemeente {self.gemeente}"

    # --- sections -------------------------------------------------------------------------------

    @cached_property
    def specs(self) -> list[SectionSpec]:
        """The declared sections (`annex.registry`), in annex order."""
        return registry.specs(self.selections)

    def section(self, key: str) -> Section | None:
        """One section by key (None when its source is absent; the reason is in `skipped`)."""
        if key not in self._sections:
            spec = next((s for s in self.specs if s.key == key), None)
            if spec is None:
                raise KeyError(f"onbekende sectie {key!r}; bekend: {', '.join(self.keys())}")
            self._sections[key] = spec.build(self)
        return self._sections[key]

    def keys(self) -> list[str]:
        return [spec.key for spec in self.specs]

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
                section.tables[k] = replace(table, number=table_no)
        return result

    def method_note(self) -> list[str]:
        return method_note(self)

