"""Plausibility guards: numbers that cannot be right stop the run before an annex is written.

Every gemeente-level indicator of every wave (the weighted mean of the scored respondents, as
the annex shows it) is held against

* the benchmark group's published value of that wave: a value far outside anything a member
  could have is an error naming the raw variables and codes behind the indicator. "Far": for a
  percentage more than 10 points away and an odds ratio beyond `ODDS` (79% against a G32 value
  of 20% is an odds ratio of 15), a rapportcijfer more than `GRADE` points, a scale score more
  than `SCORE` points;
* the gemeente's own previous wave (not across `method_break`): a jump of at least the same
  size that sampling error cannot explain (z > `Z_JUMP`, standard errors by Taylor
  linearisation with the delivery's strata, respondents as PSUs);
* the population: the weights of a wave sum either to about the number of respondents
  (normalised weights) or to about the gemeente's population (grossing-up weights).

A deviation a user has checked is accepted in `ivb.yaml` with a reason:

```yaml
accepted_deviations:
  - {indicator: onveiligheid_buurt, year: 2023, reason: "nieuwe vraagstelling, nagevraagd"}
```

It then stays in `ivb check` as information and `accepted(settings)` gives it to the method
note. Internal consistency of filter codes against their preceding question is in `evidence`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ivb_analysis.catalogue import Catalogue, Indicator
from ivb_analysis.config import Settings
from ivb_analysis.errors import InputError
from ivb_analysis.evidence import Flag
from ivb_analysis.io.codebook import Codebook

ODDS = 4.0  # odds ratio against the benchmark beyond which a percentage cannot be right
PERCENT = 10.0  # ... and only when at least this many points away
GRADE = 1.2  # rapportcijfer points
SCORE = 2.0  # scale-score points (0-10)
Z_JUMP = 6.0
JUMP = {"percentage": 10.0, "rapportcijfer": 0.6, "schaalscore": 1.0}
MEAN_WEIGHT = (0.25, 4.0)  # normalised weights: mean weight per respondent
POPULATION = (0.5, 1.1)  # grossing-up weights: sum against the gemeente's population


@dataclass(frozen=True)
class Accepted:
    """A checked deviation the user accepts: indicator (or variable), year (None: all), reason."""

    subject: str
    year: int | None
    reason: str

    def covers(self, subject: str, year: int | None) -> bool:
        return self.subject == subject and (self.year is None or year is None
                                            or self.year == year)


def accepted(settings: Settings) -> list[Accepted]:
    """`accepted_deviations` of ivb.yaml, checked: a list of {indicator|variable, year?, reason}."""
    raw = getattr(settings, "accepted_deviations", ()) or ()
    where = "accepted_deviations"
    if not isinstance(raw, list | tuple):
        raise InputError("verwacht een lijst", file=settings.settings_file, column=where,
                         found=raw, expected="- {indicator: ..., year: 2023, reason: ...}")
    out = []
    for number, entry in enumerate(raw, start=1):
        keys = set(entry) if isinstance(entry, dict) else set()
        subject_keys = keys & {"indicator", "variable", "item"}
        if (not isinstance(entry, dict) or len(subject_keys) != 1
                or keys - {"indicator", "variable", "item", "year", "reason"}):
            raise InputError("ongeldige afwijking", file=settings.settings_file,
                             column=f"{where}[{number}]", found=entry,
                             expected="{indicator: id (of variable: naam, item: id), "
                             "year: jaar (optioneel), reason: waarom het klopt}")
        reason = entry.get("reason")
        if not isinstance(reason, str) or len(reason.strip()) < 5:
            raise InputError("een geaccepteerde afwijking heeft een reden nodig",
                             file=settings.settings_file, column=f"{where}[{number}].reason",
                             found=reason, expected="een zin: wat is nagekeken en waarom klopt het")
        year = entry.get("year")
        if year is not None and (not isinstance(year, int) or year not in settings.years):
            raise InputError("jaar is geen meetjaar van de levering", file=settings.settings_file,
                             column=f"{where}[{number}].year", found=year,
                             expected=", ".join(map(str, settings.years)))
        out.append(Accepted(str(entry[subject_keys.pop()]), year, reason.strip()))
    return out


def gemeente_estimates(long: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """year, indicator, value (x100 for percentages), se: weighted mean per wave, stratified
    Taylor-linearised SE with respondents as PSUs (a screening value, not a published one)."""
    keys = ["year", "indicator"]
    data = long[long["indicator"].isin(list(catalogue.indicators))][
        [*keys, "stratum", "weight", "value"]].copy()
    data["indicator"] = data["indicator"].astype(str)
    inside = np.isfinite(data["value"].to_numpy(dtype="float64"))
    data["w_in"] = np.where(inside, data["weight"], 0.0)
    data["wy"] = data["w_in"] * np.nan_to_num(data["value"].to_numpy(dtype="float64"))
    data["n_in"] = inside.astype(int)
    totals = data.groupby(keys)[["w_in", "wy", "n_in"]].sum()
    totals = totals[(totals["n_in"] >= 2) & (totals["w_in"] > 0)]
    totals["mean"] = totals["wy"] / totals["w_in"]
    data = data.join(totals[["mean", "w_in"]].rename(columns={"w_in": "total"}), on=keys,
                     how="inner")
    data["z"] = np.where(np.isfinite(data["value"]),
                         data["weight"] * (data["value"] - data["mean"]) / data["total"], 0.0)
    data["z2"] = data["z"] ** 2
    strata = data.groupby([*keys, "stratum"]).agg(n=("z", "size"), s=("z", "sum"),
                                                  s2=("z2", "sum"))
    strata = strata[strata["n"] > 1]
    strata["var"] = strata["n"] / (strata["n"] - 1) * (strata["s2"] - strata["s"] ** 2
                                                       / strata["n"])
    var = strata.groupby(level=[0, 1])["var"].sum().reindex(totals.index, fill_value=0.0)
    scale = np.array([100.0 if catalogue.indicators[i].is_proportion else 1.0
                      for i in totals.index.get_level_values("indicator")])
    out = pd.DataFrame({"value": totals["mean"].to_numpy() * scale,
                        "se": np.sqrt(np.maximum(var.to_numpy(), 0.0)) * scale},
                       index=totals.index).reset_index()
    out["year"] = out["year"].astype(int)
    return out[["year", "indicator", "value", "se"]]


def _odds(p: float) -> float:
    p = min(max(p / 100.0, 0.005), 0.995)
    return p / (1 - p)


def _far(ind: Indicator, value: float, bench: float) -> bool:
    if ind.kind == "percentage":
        ratio = _odds(value) / _odds(bench)
        return abs(value - bench) >= PERCENT and max(ratio, 1 / ratio) > ODDS
    return abs(value - bench) > (GRADE if ind.kind == "rapportcijfer" else SCORE)


def behind(indicator: Indicator, codebook: Codebook | None) -> str:
    """The raw variables and codes an indicator is built from, for a message."""
    if codebook is None:
        return ", ".join(indicator.items)
    parts = []
    for spec in codebook.variables.values():
        if spec.item in indicator.items:
            codes = []
            if spec.recode:
                codes.append(f"recode {spec.recode}")
            if spec.filter:
                codes.append(f"filter {spec.filter}")
            if spec.missing:
                codes.append(f"missing {sorted(spec.missing)}")
            extra = f" ({'; '.join(codes)})" if codes else ""
            parts.append(f"{spec.name} -> {spec.item}{extra}")
    return "; ".join(parts) or ", ".join(indicator.items)


def _fmt(value: float, ind: Indicator) -> str:
    text = f"{value:.0f}%" if ind.kind == "percentage" else f"{value:.1f}"
    return text.replace(".", ",")


def plausibility_flags(settings: Settings, tables: dict[str, pd.DataFrame], catalogue: Catalogue,
                       codebook: Codebook | None = None) -> list[Flag]:
    """Every guard on the validated tables; accepted deviations become information."""
    flags: list[Flag] = []
    estimates = gemeente_estimates(tables["survey_long"], catalogue)
    bench = tables.get("benchmark")
    if bench is not None:
        merged = estimates.merge(bench[["year", "indicator", "estimate"]].rename(
            columns={"estimate": "benchmark"}), on=["year", "indicator"])
        for row in merged.itertuples():
            ind = catalogue.indicators[row.indicator]
            if np.isfinite(row.benchmark) and _far(ind, row.value, row.benchmark):
                flags.append(Flag("fout", "plausibiliteit", (
                    f"{row.indicator} {row.year}: {settings.gemeente_naam} {_fmt(row.value, ind)} "
                    f"tegen de benchmark {_fmt(row.benchmark, ind)}: verder weg dan een gemeente "
                    f"van de groep kan liggen. Controleer de codering: {behind(ind, codebook)}"),
                    f"{row.indicator}@{row.year}"))
    for indicator, series in estimates.groupby("indicator"):
        ind = catalogue.indicators[str(indicator)]
        series = series.sort_values("year")
        for prev, cur in zip(series.iloc[:-1].itertuples(), series.iloc[1:].itertuples(),
                             strict=True):
            brk = settings.method_break
            if brk is not None and prev.year < brk <= cur.year:
                continue
            diff = cur.value - prev.value
            se = float(np.hypot(cur.se, prev.se))
            if abs(diff) >= JUMP[ind.kind] and se > 0 and abs(diff) / se > Z_JUMP:
                flags.append(Flag("fout", "plausibiliteit", (
                    f"{indicator} springt van {_fmt(prev.value, ind)} ({prev.year}) naar "
                    f"{_fmt(cur.value, ind)} ({cur.year}); toevalsfouten verklaren dat niet "
                    f"(z = {abs(diff) / se:.1f}). Zijn de codes in beide golven gelijk? "
                    f"{behind(ind, codebook)}"), f"{indicator}@{cur.year}"))
    flags += _weight_sum_flags(settings, tables)
    return apply_accepted(flags, accepted(settings))


def _weight_sum_flags(settings: Settings, tables: dict[str, pd.DataFrame]) -> list[Flag]:
    long = tables["survey_long"]
    people = long.drop_duplicates(["year", "resp_id"])
    pop = tables.get("group_population")
    flags = []
    for year, group in people.groupby("year"):
        total, n = float(group["weight"].sum()), len(group)
        if MEAN_WEIGHT[0] <= total / n <= MEAN_WEIGHT[1]:
            continue
        inhabitants = None
        if pop is not None:
            rows = pop[(pop["region_code"] == settings.gemeente_code) & (pop["year"] == year)]
            if not rows.empty and pd.notna(rows["population"].iloc[0]):
                inhabitants = float(rows["population"].iloc[0])
        wijken = tables.get("population")
        if inhabitants is None and wijken is not None and "region_level" in wijken:
            rows = wijken[(wijken["year"] == year) & (wijken["region_level"] == "gemeente")]
            if rows.empty:
                rows = wijken[(wijken["year"] == year) & (wijken["region_level"] == "wijk")]
            if not rows.empty and rows["population"].notna().any():
                inhabitants = float(rows["population"].sum())
        if inhabitants and POPULATION[0] <= total / inhabitants <= POPULATION[1]:
            continue
        against = (f"de {inhabitants:,.0f} inwoners".replace(",", ".") if inhabitants else
                   "de bevolking (onbekend: geen group_population of population)")
        flags.append(Flag("fout" if inhabitants else "waarschuwing", "gewicht", (
            f"{year}: de gewichten tellen op tot {total:,.0f} voor {n} respondenten (gemiddeld "
            f"{total / n:.2f}); dat is noch het aantal respondenten noch {against}. Is "
            "design.weight de weegfactor?").replace(",", "."), f"weight@{year}"))
    return flags


def apply_accepted(flags: list[Flag], accepts: list[Accepted]) -> list[Flag]:
    out = []
    for flag in flags:
        subject, _, year = flag.subject.partition("@")
        match = next((a for a in accepts
                      if a.covers(subject, int(year) if year.isdigit() else None)), None)
        if match is None:
            out.append(flag)
        else:
            out.append(Flag("info", flag.topic, f"geaccepteerde afwijking ({match.reason}): "
                            + flag.text, flag.subject))
    return out
