"""`open_delivery` and `Delivery`: a delivery opened once, questions answered as tidy tables.

Every number comes from the library the annex uses: `estimates.indicator_estimates` (the
delivery's design, `survey.estimate_long`), `compare.domain_vs_rest`, `compare.wave_vs_wave`,
`compare.vs_benchmark` and `compare.linear_trend`, with the delivery's settings (alpha, min_n,
indicatief_n, method break, polarity). The workbench only chooses the domains and hides what
must stay hidden (`_domains`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ivb_analysis import compare, suppression
from ivb_analysis.annex.context import Annex
from ivb_analysis.config import Settings, load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.estimates import indicator_estimates, survey_design
from ivb_analysis.prepare import BENCHMARK_TABLE
from ivb_analysis.workbench import _domains, _plots, _verdicts
from ivb_analysis.workbench._domains import By, Domain

RESULT = ["indicator", "label", "kind", "unit", "year", "estimate", "se", "ci_low", "ci_high",
          "n", "n_eff", "indicatief", "unreliable", "suppressed", "suppression"]
TESTS = ["difference", "se_difference", "z", "p", "p_adjusted", "verdict",
         "verdict_polarity", "reason"]


class Delivery:
    """One delivery (its settings and processed tables), for questions the annex does not ask.

    Open it with `open_delivery`. Every method returns a tidy DataFrame with English column
    names and Dutch labels (indicator label, area and category names, verdicts).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._annex = Annex(settings, max(settings.years))

    # --- what there is -------------------------------------------------------------------------

    @property
    def years(self) -> list[int]:
        """The survey waves of the delivery.

        >>> open_delivery("data/raw/mini").years  # doctest: +SKIP
        [2013, 2015]
        """
        return list(self.settings.years)

    def indicators(self) -> pd.DataFrame:
        """Every indicator and item score of the catalogue the delivery has: id, label, kind.

        >>> open_delivery("data/raw/mini").indicators().head(2)  # doctest: +SKIP
        """
        ids = set(self._long["indicator"].astype(str))
        rows = [(i.id, i.label, i.kind, i.unit, i.polarity)
                for i in self._annex.catalogue.indicators.values() if i.id in ids]
        return pd.DataFrame(rows, columns=["indicator", "label", "kind", "unit", "polarity"])

    def wijken(self) -> pd.DataFrame:
        """The wijken of the delivery: `wijk_code`, `wijk_naam`.

        >>> open_delivery("data/raw/mini").wijken().columns.tolist()  # doctest: +SKIP
        ['wijk_code', 'wijk_naam']
        """
        return self._annex.wijken[["wijk_code", "wijk_naam"]].reset_index(drop=True)

    def background(self) -> dict[str, list[str]]:
        """Background variables of the codebook and their categories (in order).

        >>> open_delivery("data/raw/mini").background()["geslacht"]  # doctest: +SKIP
        ['man', 'vrouw']
        """
        return {c: [str(v) for v in self._long[c].cat.categories]
                for c in self._long.columns if isinstance(self._long[c].dtype, pd.CategoricalDtype)}

    # --- estimates -----------------------------------------------------------------------------

    def estimate(self, what: str | Sequence[str], *, years: Sequence[int] | None = None,
                 domain: Domain = None, by: By = None) -> pd.DataFrame:
        """Design-based estimates with 95% interval, n, n_eff and the reliability flags.

        `what`: indicator ids or labels; `domain`: None (the gemeente), "wijk" or
        {"Oost": [wijk codes or names]}; `by`: background variables ("leeftijd"), or groups of
        their categories ({"leeftijd": {"ouderen": ["55-69", "70+"]}}). Cells below min_n, and
        cells from which such a cell could be recalculated, are hidden (`suppressed`,
        `suppression`).

        >>> d = open_delivery("data/raw/mini")  # doctest: +SKIP
        >>> d.estimate("onveiligheid_buurt", by="geslacht", years=[2015])  # doctest: +SKIP
        """
        data, dims = self._question(what, years, domain, by)
        return self._estimates(data, dims)

    def _estimates(self, data: pd.DataFrame, dims: list[_domains.Dimension]) -> pd.DataFrame:
        labelled = _domains.label_columns(data, dims)
        columns = [d.column for d in dims]
        result = indicator_estimates(labelled, self.settings, by=columns,
                                     indicators=list(dict.fromkeys(data["indicator"])))
        result = _domains.suppress(result, _domains.atom_counts(data, dims), dims,
                                   self.settings.min_n)
        for dim in dims:
            order = {label: k for k, label in enumerate(dim.labels)}
            result = result.sort_values(dim.column, key=lambda s, o=order: s.map(o),
                                        kind="stable")
        result = result.sort_values(["indicator", "year"], kind="stable", ignore_index=True)
        return result[[*columns, *RESULT]]

    # --- comparisons ---------------------------------------------------------------------------

    def compare(self, what: str | Sequence[str], *, against: str = "rest",
                years: Sequence[int] | None = None, domain: Domain = None, by: By = None,
                reference_year: int | None = None, between: str | None = None,
                family: Sequence[str] | None = None) -> pd.DataFrame:
        """Tests of differences (z on the design-based SE of the difference), BH-adjusted.

        `against`: "rest" (each cell against the rest of the gemeente, same wave), "wave"
        (every wave of `years` against `reference_year`, default the first), "domains" (the
        first label of dimension `between` against the second, in each other cell; e.g.
        `between="leeftijd"`) or "benchmark" (the gemeente against its benchmark group).
        `family`: the columns whose every combination is one Benjamini-Hochberg family
        (default: every test of this call is one family). Hidden cells are not tested
        (`reason`).

        >>> d.compare("onveiligheid_buurt", against="rest", domain="wijk",
        ...           family=["year"])  # doctest: +SKIP
        """
        data, dims = self._question(what, years, domain, by)
        fam = list(family or ())
        s = self.settings
        if against == "rest":
            return self._vs_rest(data, dims, fam)
        if against == "wave":
            est = self._estimates(data, dims)
            ref = reference_year if reference_year is not None else int(est["year"].min())
            keys = ["indicator", *(d.column for d in dims)]
            tested = compare.wave_vs_wave(
                est[[*keys, "year", "estimate", "se", "suppressed"]], ref, keys=keys,
                method_break=s.method_break, polarity=self._annex.polarity, family=fam,
                alpha=s.alpha)
            return self._labelled(tested)
        if against == "domains":
            return self._between(data, dims, between, fam)
        if against == "benchmark":
            if domain not in (None, "gemeente") or by is not None:
                raise InputError("de benchmark is er alleen voor de hele gemeente",
                                 column="domain", expected="domain=None, by=None")
            bench = self._annex.optional("benchmark", BENCHMARK_TABLE)
            if bench is None:
                raise InputError("de levering heeft geen benchmark", column="benchmark")
            est = self._estimates(data, dims)
            tested = compare.vs_benchmark(
                est[["indicator", "year", "estimate", "se", "suppressed"]],
                bench[["indicator", "year", "estimate", "ci_low", "ci_high"]],
                share=self._annex.share, keys=["indicator", "year"],
                polarity=self._annex.polarity, family=fam, alpha=s.alpha)
            return self._labelled(tested)
        raise InputError("onbekende vergelijking", column="against", found=against,
                         expected="rest, wave, domains, benchmark")

    def _vs_rest(self, data: pd.DataFrame, dims: list[_domains.Dimension],
                 family: list[str]) -> pd.DataFrame:
        est = self._estimates(data, dims)
        columns = [d.column for d in dims]
        labelled = _domains.label_columns(data, dims)
        hidden = est.loc[est["suppressed"], ["indicator", "year", *columns]]
        if len(hidden):  # hidden cells are not domains (they stay in the rest)
            key = pd.MultiIndex.from_frame(labelled[["indicator", "year", *columns]]
                                           .astype({"indicator": str}))
            drop = key.isin(pd.MultiIndex.from_frame(hidden.astype({"indicator": str})))
            for column in columns:
                labelled[column] = labelled[column].where(~drop)
        s = self.settings
        tested = compare.domain_vs_rest(
            labelled, design=survey_design(labelled, s), by=columns, min_n=s.min_n,
            polarity=self._annex.polarity, family=family, alpha=s.alpha)
        tested = self._scaled(tested, ("estimate", "estimate_rest", "difference",
                                       "se_difference"))
        merged = est.merge(tested.drop(columns=["estimate", "n"]), on=["indicator", "year",
                                                                     *columns], how="left")
        merged["reason"] = merged["reason"].where(~merged["suppressed"], compare.REASON_SMALL)
        merged = suppression.without_rest(merged)  # the annex's rule: no rest beside a hidden cell
        return merged[[*columns, *RESULT, "estimate_rest", "n_rest", *TESTS]]

    def _between(self, data: pd.DataFrame, dims: list[_domains.Dimension],
                 between: str | None, family: list[str]) -> pd.DataFrame:
        two = [d for d in dims if len(d.labels) == 2]
        dim = next((d for d in dims if d.column == between), None) if between else (
            two[0] if len(two) == 1 else None)
        if dim is None or len(dim.labels) != 2:
            raise InputError("kies de dimensie met precies twee groepen", column="between",
                             found=between, expected=", ".join(d.column for d in two) or
                             "een domein of achtergrondvariabele met twee groepen")
        first, second = list(dim.labels)
        est = self._estimates(data, dims)
        others = [d for d in dims if d is not dim]
        labelled = _domains.label_columns(data, dims)
        parts = []
        keys = ["indicator", "year", *(d.column for d in others)]
        cells = est[keys].drop_duplicates()
        s = self.settings
        text = labelled[keys].astype(str)
        for cell in cells.itertuples(index=False):
            pair = est[(est[keys].astype(str) == [str(v) for v in cell]).all(axis=1)]
            if pair["suppressed"].any() or len(pair) < 2:
                continue  # a hidden side is never tested
            analysis = ((labelled["indicator"].astype(str) == str(cell.indicator))
                        & (labelled["year"] == cell.year)).to_numpy()
            inside = (text == [str(v) for v in cell]).all(axis=1).to_numpy()
            subset = labelled[analysis]
            mask = inside[analysis] & subset[dim.column].notna().to_numpy()
            subset = subset.assign(value=subset["value"].where(mask))  # the rest is `second`
            tested = compare.domain_vs_rest(
                subset, design=survey_design(subset, s), by=dim.column, min_n=s.min_n,
                alpha=s.alpha)
            row = tested[tested[dim.column] == first]
            parts.append(row[["p", "z", "difference", "se_difference"]].assign(
                **dict(zip(keys, cell, strict=True))))
        wide = est.pivot_table(index=keys, columns=dim.column, values="estimate",
                               observed=True, dropna=False)
        out = cells.merge(wide.reset_index().rename(
            columns={first: "estimate", second: "estimate_other"}), on=keys, how="left")
        out = out.assign(**{dim.column: first, f"{dim.column}_other": second})
        stats = ["p", "z", "difference", "se_difference"]
        if parts:
            tests = self._scaled(pd.concat(parts, ignore_index=True),
                                 ("difference", "se_difference"))
            out = out.merge(tests, on=keys, how="left")
        else:
            out = out.assign(**{c: np.nan for c in stats})
        out = self._labelled(_verdicts.decide(out, family, s.alpha, self._annex.polarity))
        dim_cols = [d.column for d in dims]
        return out[[*dim_cols, f"{dim.column}_other", "indicator", "label", "year",
                    "estimate", "estimate_other", "difference", "se_difference", "z", "p",
                    *TESTS[4:]]]

    # --- trends --------------------------------------------------------------------------------

    def trend(self, what: str | Sequence[str], *, years: Sequence[int] | None = None,
              domain: Domain = None, by: By = None,
              family: Sequence[str] | None = None) -> pd.DataFrame:
        """The annex's linear trend (weighted least squares on the waves, overdispersion-scaled
        SE, separate before and after the method break), per cell, BH over `family`.

        >>> d.trend("onveiligheid_buurt", by="geslacht")  # doctest: +SKIP
        """
        data, dims = self._question(what, years, domain, by)
        est = self._estimates(data, dims)
        keys = ["indicator", *(d.column for d in dims)]
        tested = compare.linear_trend(
            est[[*keys, "year", "estimate", "se", "suppressed"]], keys=keys,
            method_break=self.settings.method_break, polarity=self._annex.polarity,
            family=list(family or ()), alpha=self.settings.alpha)
        return self._labelled(tested)

    # --- figures and export --------------------------------------------------------------------

    def plot(self, table: pd.DataFrame, *, title: str | None = None) -> Figure:
        """A figure in the house style for a table of `estimate` (or `trend` data over years):
        bars with 95% intervals per cell, or lines over the waves; hidden cells are not drawn.

        >>> d.plot(d.estimate("onveiligheid_buurt", domain="wijk", years=[2015]))  # doctest: +SKIP
        """
        years = pd.to_numeric(table["year"])
        source = Annex(self.settings, int(years.max())).source(first=int(years.min()))
        return _plots.figure(table, self.settings, title=title, source=source)

    def to_excel(self, table: pd.DataFrame, path: str | Path, *, title: str) -> Path:
        """Write a table of `estimate` or `compare` as a workbook in the annex's format
        (contents sheet, formatted sheet with title, source, note and synthetic label).

        >>> table = d.estimate("onveiligheid_buurt")  # doctest: +SKIP
        >>> d.to_excel(table, "uit.xlsx", title="Onveilig in de buurt")  # doctest: +SKIP
        """
        if "kind" not in table.columns:  # a comparison: the unit decides the number format
            table = table.merge(self.indicators()[["indicator", "kind"]], on="indicator",
                                how="left")
        return _plots.workbook(table, Path(path), self.settings, title=title,
                               source=self._annex.source(), note=self._annex.method_note())

    # --- private -------------------------------------------------------------------------------

    @cached_property
    def _long(self) -> pd.DataFrame:
        return self._annex.long

    def _ids(self, what: str | Sequence[str]) -> list[str]:
        names = [what] if isinstance(what, str) else list(what)
        by_label = {i.label: i.id for i in self._annex.catalogue.indicators.values()}
        ids = [by_label.get(n, n) for n in names]
        present = set(self._long["indicator"].astype(str))
        for given, ind in zip(names, ids, strict=True):
            if ind not in present:
                raise InputError("indicator niet in deze levering", column="what", found=given,
                                 expected="een id of label uit Delivery.indicators()")
        return ids

    def _question(self, what: str | Sequence[str], years: Sequence[int] | None,
                  domain: Domain, by: By) -> tuple[pd.DataFrame, list[_domains.Dimension]]:
        ids = self._ids(what)
        chosen = list(years) if years is not None else self.years
        unknown = [y for y in chosen if y not in self.years]
        if unknown:
            raise InputError("geen meting in dit jaar", column="years", found=unknown[0],
                             expected=", ".join(map(str, self.years)))
        long = self._long
        data = long[long["indicator"].isin(ids) & long["year"].isin(chosen)]
        dims = [_domains.area_dimension(domain, self._annex.wijken,
                                        self.settings.gemeente_naam),
                *_domains.background_dimensions(by, self.background())]
        return data, dims

    def _scaled(self, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
        """Proportions of the library's contrasts x100 (as `indicator_estimates` reports)."""
        scale = frame["indicator"].astype(str).map(
            lambda i: 100.0 if self._annex.catalogue[i].is_proportion else 1.0)
        return frame.assign(**{c: frame[c] * scale for c in columns if c in frame.columns})

    def _labelled(self, frame: pd.DataFrame) -> pd.DataFrame:
        if "label" in frame.columns:
            return frame.reset_index(drop=True)
        labels = {i.id: i.label for i in self._annex.catalogue.indicators.values()}
        out = frame.copy()
        out.insert(out.columns.get_loc("indicator") + 1, "label",
                   out["indicator"].astype(str).map(labels))
        return out.reset_index(drop=True)


def open_delivery(data_dir: str | Path, *, processed_dir: str | Path | None = None,
                  min_n: int | None = None) -> Delivery:
    """Open a delivery (its `ivb.yaml`); processed tables are prepared when missing or stale.

    >>> from ivb_analysis.workbench import open_delivery
    >>> d = open_delivery("data/raw/mini")  # doctest: +SKIP
    >>> d.years  # doctest: +SKIP
    [2013, 2015]
    """
    return Delivery(load_settings(data_dir, processed_dir=processed_dir, min_n=min_n))


__all__ = ["Delivery", "open_delivery"]
