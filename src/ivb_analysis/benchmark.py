"""The annex's benchmark logic: footprint against the benchmark group, police rates, casework.

* `footprint`: per footprint indicator of the catalogue the gemeente's position against the
  published benchmark in two waves and its development (difference in differences), with the
  statistics of `compare` (tests of the difference itself, BH within a family).
* Benchmark groups are a setting: a named group of the membership file ("G32", "G40", or a
  criterion `column=value`) or an explicit list of GM codes (`group_members`).
* Police: counts and rates per 1,000 inhabitants per wijk and year with the change against the
  previous year (`crime_figures`), and the gemeente's rate against the group's
  (`gemeente_vs_group`). A group rate is a ratio of sums (all crimes / all inhabitants of the
  members), not a mean of member rates; members without data in a year are reported, never
  dropped silently (municipal mergers leave empty cells for gemeenten that no longer exist).
* Veiligheidshuis casework per type of overleg, absolute and per 10,000 inhabitants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ivb_analysis import compare
from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.errors import InputError
from ivb_analysis.io.police import group_codes, read_membership, select_group
from ivb_analysis.io.text import first_true, require_columns

PER_1000 = 1000
PER_10000 = 10_000
REASON_NO_ESTIMATE = "geen schatting voor de gemeente"
# Column `opmerking` of the rate tables: why a region has no rate.
REMARK = "opmerking"
NO_POPULATION = "geen bevolkingscijfer"
NO_INHABITANTS = "geen inwoners"
_KEYS = ["indicator", "year"]


# --------------------------------------------------------------------------------------------
# Footprint
# --------------------------------------------------------------------------------------------


def footprint(
    gemeente_estimates: pd.DataFrame,
    benchmark_estimates: pd.DataFrame,
    base: int,
    current: int,
    *,
    alpha: float = 0.05,
    share: compare.Share = 0.0,
    method_break: int | None = None,
    conversion: compare.Factor = None,
) -> pd.DataFrame:
    """The footprint table: position in `base` and `current` and the development between them.

    Inputs are tidy frames with `indicator`, `year`, `estimate` and `se` (the gemeente's, from
    `estimates.indicator_estimates`, percentages x100; without `se` it is taken from a
    symmetric 95% interval `ci_low`/`ci_high`) and `indicator`, `year`, `estimate`, `ci_low`,
    `ci_high` (the published benchmark, `io.tables.read_benchmark`). One row per footprint
    indicator of the catalogue, in the seed's order.

    Position (per wave, `compare.vs_benchmark`): z = (G - B) / SE(G - B) with SE(B) = (upper -
    lower) / (2 x 1.96) and the part-whole variance SE^2(G - B) = SE^2(B) + (1 - 2p) SE^2(G),
    p = `share` (a setting: the gemeente's share of the benchmark group, 0 when the benchmark
    excludes the gemeente; a float or a mapping year -> p). Development
    (`compare.difference_in_differences`): (G_cur - G_base) - (B_cur - B_base); the waves are
    independent samples, so the two part-whole variances add. A development spanning
    `method_break` is not tested unless `conversion` has a factor for the indicator.
    Benjamini-Hochberg families: all footprint indicators of one wave (positions) and all
    indicators (development); significant when the adjusted p <= `alpha`.

    Verdicts (Dutch, from the catalogue's polarity): `beter` / `gelijk` / `slechter`; neutral
    indicators `hoger` / `gelijk` / `lager`; None (with a reason) when not tested.

    Columns: `indicator`, `label`, `position_<base>`, `position_<current>`, `development`,
    `polarity`, `unit`; per wave y: `estimate_y`, `se_y`, `benchmark_y`, `benchmark_se_y`,
    `share_y`, `difference_y`, `se_difference_y`, `z_y`, `p_y`, `p_adjusted_y`, `reason_y`; then
    `change`, `change_benchmark`, `development_difference`, `development_se`, `development_z`,
    `development_p`, `development_p_adjusted`, `development_reason`.
    """
    base, current = int(base), int(current)
    if base == current:
        raise InputError("basisjaar en huidig jaar moeten verschillen", column="year",
                         found=base)
    indicators = load_catalogue().footprint
    ids = [i.id for i in indicators]
    polarity = {i.id: i.polarity for i in indicators}
    years = (base, current)
    ours = _gemeente_side(gemeente_estimates, ids, years)
    bench = _benchmark_side(benchmark_estimates, ids, years)
    positions = compare.vs_benchmark(
        ours, bench, share=share, keys=_KEYS, polarity=polarity, family="year", alpha=alpha)
    development = compare.difference_in_differences(
        ours, bench, base, current, share=share, keys=_KEYS, method_break=method_break,
        conversion=conversion, polarity=polarity, alpha=alpha)

    out = pd.DataFrame({
        "indicator": ids,
        "label": [i.label for i in indicators],
        "polarity": [i.polarity for i in indicators],
        "unit": [i.unit for i in indicators],
    })
    blocks = [_wave_block(positions, ours, bench, year, ids) for year in years]
    dev = _development_block(development, ids)
    out = pd.concat([out.set_index("indicator"), *blocks, dev], axis=1).reset_index()
    first = ["indicator", "label", f"position_{base}", f"position_{current}", "development"]
    out = out[[*first, *[c for c in out.columns if c not in first]]]
    for column in [f"position_{base}", f"position_{current}", "development"]:
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def _gemeente_side(estimates: pd.DataFrame, ids: list[str], years: tuple[int, int]
                   ) -> pd.DataFrame:
    """The gemeente's footprint rows of the two waves: indicator, year, estimate, se, suppressed."""
    require_columns(estimates, ["indicator", "year", "estimate"], None)
    rows = estimates[estimates["indicator"].isin(ids) & estimates["year"].isin(years)]
    _years_present(rows, years, "de schattingen van de gemeente")
    if "se" in rows.columns:
        se = rows["se"].astype("float64")
    else:
        require_columns(rows, ["ci_low", "ci_high"], None)
        se = (rows["ci_high"] - rows["ci_low"]).astype("float64") / (2 * compare.Z95)
    out = pd.DataFrame({
        "indicator": rows["indicator"].astype(str),
        "year": rows["year"].astype("int64"),
        "estimate": rows["estimate"].astype("float64"),
        "se": se,
        "suppressed": (rows["suppressed"].eq(True) if "suppressed" in rows.columns
                       else False),
    }).reset_index(drop=True)
    _unique(out, "de schattingen van de gemeente (geef cijfers voor de hele gemeente, "
                 "zonder domeinen)")
    return out


def _benchmark_side(benchmark: pd.DataFrame, ids: list[str], years: tuple[int, int]
                    ) -> pd.DataFrame:
    require_columns(benchmark, ["indicator", "year", "estimate", "ci_low", "ci_high"], None)
    rows = benchmark[benchmark["indicator"].isin(ids) & benchmark["year"].isin(years)]
    _years_present(rows, years, "de benchmark")
    out = pd.DataFrame({
        "indicator": rows["indicator"].astype(str),
        "year": rows["year"].astype("int64"),
        **{c: rows[c].astype("float64") for c in ("estimate", "ci_low", "ci_high")},
    }).reset_index(drop=True)
    _unique(out, "de benchmark")
    return out


def _years_present(rows: pd.DataFrame, years: tuple[int, int], what: str) -> None:
    for year in years:
        if not (rows["year"] == year).any():
            raise InputError(f"meetjaar ontbreekt in {what}", column="year", found=year,
                             expected="cijfers voor beide jaren van de footprint")


def _unique(frame: pd.DataFrame, what: str) -> None:
    dup = first_true(frame.duplicated(_KEYS))
    if dup is not None:
        raise InputError(f"meer dan één rij per indicator en jaar in {what}",
                         column="indicator, year",
                         found=f"{frame['indicator'].iloc[dup]} {frame['year'].iloc[dup]}")


def _wave_block(positions: pd.DataFrame, ours: pd.DataFrame, bench: pd.DataFrame, year: int,
                ids: list[str]) -> pd.DataFrame:
    """The columns of one wave, indexed by indicator (every footprint indicator)."""
    index = pd.Index(ids, name="indicator")
    pos = positions[positions["year"] == year].set_index("indicator").reindex(index)
    own = ours[ours["year"] == year].set_index("indicator").reindex(index)
    ref = bench[bench["year"] == year].set_index("indicator").reindex(index)
    present = index.isin(ours.loc[ours["year"] == year, "indicator"])
    reason = pos["reason"].astype(object).where(present, REASON_NO_ESTIMATE)
    return pd.DataFrame({
        f"position_{year}": pos["verdict_polarity"],
        f"estimate_{year}": own["estimate"],
        f"se_{year}": own["se"],
        f"benchmark_{year}": ref["estimate"],
        f"benchmark_se_{year}": (ref["ci_high"] - ref["ci_low"]) / (2 * compare.Z95),
        f"share_{year}": pos["share"],
        f"difference_{year}": pos["difference"],
        f"se_difference_{year}": pos["se_difference"],
        f"z_{year}": pos["z"],
        f"p_{year}": pos["p"],
        f"p_adjusted_{year}": pos["p_adjusted"],
        f"reason_{year}": reason.where(reason.notna(), None),
    }, index=index)


def _development_block(development: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    index = pd.Index(ids, name="indicator")
    dev = development.set_index("indicator").reindex(index)
    reason = dev["reason"].astype(object)
    reason = reason.where(reason.notna() | dev["verdict_polarity"].notna(), REASON_NO_ESTIMATE)
    reason = reason.where(reason.notna(), None)
    return pd.DataFrame({
        "development": dev["verdict_polarity"],
        "change": dev["change"],
        "change_benchmark": dev["change_benchmark"],
        "development_difference": dev["difference"],
        "development_se": dev["se_difference"],
        "development_z": dev["z"],
        "development_p": dev["p"],
        "development_p_adjusted": dev["p_adjusted"],
        "development_reason": reason,
    }, index=index)


# --------------------------------------------------------------------------------------------
# Benchmark groups
# --------------------------------------------------------------------------------------------


def group_members(
    group: str | Sequence[str], membership: pd.DataFrame | str | Path | None = None
) -> list[str]:
    """GM codes of the benchmark group setting, sorted.

    `group` is a name of the membership file ("G32", "G40", "G27"), a criterion `column=value`
    (both need `membership`: the file or its table), or the members themselves: a list of GM
    codes or a comma-separated string of them (`"GM0141,GM0153"`, handy on a command line).
    """
    codes = group_codes(group)
    if codes is not None:
        return codes
    assert isinstance(group, str)
    if membership is None:
        raise InputError(f"benchmarkgroep {group!r} vraagt een lidmaatschapsbestand",
                         expected="bron group_members in ivb.yaml, of een lijst gemeentecodes "
                         "als benchmark_group")
    if isinstance(membership, str | Path):
        return select_group(read_membership(membership), group, file=Path(membership))
    return select_group(membership, group)


def population_share(
    population: pd.DataFrame, gemeente_code: str, members: Iterable[str]
) -> pd.DataFrame:
    """The gemeente's share of the group's population per year: a value for the part-whole p.

    The share is taken among the members (and the gemeente) with a population that year.
    Returns `year, population, group_population, share`. The setting `benchmark_share` stays a
    choice: a survey benchmark weights persons aged 15+, whose share is close but not equal.
    """
    require_columns(population, ["region_code", "year", "population"], None)
    codes = set(members) | {gemeente_code}
    rows = population[population["region_code"].isin(codes) & population["population"].notna()]
    total = rows.groupby("year")["population"].sum()
    own = rows[rows["region_code"] == gemeente_code].set_index("year")["population"]
    out = pd.DataFrame({"population": own, "group_population": total}).dropna()
    out["share"] = out["population"].astype("float64") / out["group_population"].astype(
        "float64")
    return out.rename_axis("year").reset_index().astype({"year": "int64"})


SHARE_FIXED = "instelling"
SHARE_POPULATION = "bevolkingsaandeel"
SHARE_UNWEIGHTED = "1/k"


def benchmark_shares(
    years: Iterable[int],
    gemeente_code: str,
    *,
    fixed: float | None = None,
    members: Iterable[str] = (),
    population: pd.DataFrame | None = None,
    weighting: str = "population",
) -> pd.DataFrame:
    """The part-whole share p of the gemeente in the benchmark, per survey wave.

    p is the gemeente's weight in the benchmark estimator: with `fixed` (the delivery's setting
    `benchmark_share`) that value in every wave; else from data: for a benchmark that pools the
    group's respondents weighted to population (`weighting="population"`), the gemeente's share of
    the population of the group members (and the gemeente) in that wave's year, or the latest
    earlier year in `population` (`region_code, year, population`); for an unweighted mean of the
    k gemeente figures (`weighting="unweighted"`), 1/k with k the members including the gemeente.
    A gemeente outside the group gets 0 (the benchmark excludes it).

    Returns `year`, `share`, `source` (instelling / bevolkingsaandeel / 1/k) and `population_year`
    (the population's year, NA otherwise): the annex shows the value used;
    `dict(zip(t.year, t.share))` is the mapping `compare.vs_benchmark(share=...)` takes.
    """
    years = sorted(int(y) for y in years)
    codes = sorted(set(members))
    columns = ["year", "share", "source", "population_year"]
    if fixed is not None:
        if not 0 <= fixed < 1:
            raise InputError("benchmark_share moet in [0, 1) liggen", column="benchmark_share",
                             found=fixed)
        return pd.DataFrame({"year": years, "share": float(fixed), "source": SHARE_FIXED,
                             "population_year": pd.NA}, columns=columns)
    if gemeente_code not in codes:
        return pd.DataFrame({"year": years, "share": 0.0, "source": SHARE_FIXED,
                             "population_year": pd.NA}, columns=columns)
    if weighting == "unweighted":
        return pd.DataFrame({"year": years, "share": 1 / len(codes), "source": SHARE_UNWEIGHTED,
                             "population_year": pd.NA}, columns=columns)
    if weighting != "population":
        raise InputError("onbekende weging van de benchmark", found=weighting,
                         expected="population of unweighted")
    if population is None:
        raise InputError("het aandeel p van de gemeente in de benchmark vraagt bevolkingscijfers "
                         "van de groep", column="benchmark_share",
                         expected="bron group_population in ivb.yaml, of benchmark_share")
    shares = population_share(population, gemeente_code, codes).set_index("year")
    rows = []
    for year in years:
        known = shares.index[shares.index <= year]
        if len(known) == 0:
            raise InputError("geen bevolkingscijfer van de groep voor dit meetjaar of eerder",
                             column="year", found=year,
                             expected="bevolking per gemeente in group_population")
        rows.append((year, float(shares.loc[known.max(), "share"]), SHARE_POPULATION,
                     int(known.max())))
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------------------------
# Police figures
# --------------------------------------------------------------------------------------------


def _rates(counts: pd.DataFrame, population: pd.DataFrame, per: int) -> pd.DataFrame:
    """Counts joined to population on region (and year when both have it), plus the rate."""
    require_columns(counts, ["region_code", "count"], None)
    require_columns(population, ["region_code", "population"], None)
    keys = ["region_code", *(["year"] if {"year"} <= set(counts) & set(population) else [])]
    pop = population[[*keys, "population"]]
    dup = first_true(pop.duplicated(keys))
    if dup is not None:
        raise InputError("bevolking komt dubbel voor", column=", ".join(keys),
                         found=" / ".join(str(pop[k].iloc[dup]) for k in keys))
    out = counts.merge(pop, on=keys, how="left", validate="many_to_one")
    inhabitants = out["population"].astype("Float64")
    denominator = inhabitants.where(inhabitants > 0)
    out[f"rate_per_{per}"] = (out["count"].astype("Float64") / denominator * per).astype(
        "float64")
    out[REMARK] = _remarks(inhabitants)
    return out


def _remarks(inhabitants: pd.Series) -> pd.Series:
    """Why a region has no rate: no population figure (CBS `.`, or no row), or no inhabitants."""
    remark = pd.Series(None, index=inhabitants.index, dtype=object)
    remark[inhabitants.isna().to_numpy()] = NO_POPULATION
    remark[(inhabitants == 0).fillna(False).to_numpy()] = NO_INHABITANTS
    return remark


def crime_rates(crime: pd.DataFrame, population: pd.DataFrame, per: int = PER_1000
                ) -> pd.DataFrame:
    """Counts and rates per `per` (1,000) inhabitants per region (and year).

    Joined on `region_code`, and on `year` too when both frames have it (crimes of 2023 with the
    population at the end of 2023). Returns the crime columns plus `population`,
    `rate_per_1000` and `opmerking`; where the population is missing (CBS `.`, or no row) the
    rate is NaN and `opmerking` is "geen bevolkingscijfer" ("geen inwoners" where it is 0).
    """
    out = _rates(crime, population, per)
    order = [c for c in ("region_code", "crime_code", "year") if c in out.columns]
    return out.sort_values(order).reset_index(drop=True)


def crime_figures(crime: pd.DataFrame, population: pd.DataFrame, per: int = PER_1000
                  ) -> pd.DataFrame:
    """Registered crime per region and year: count, rate per 1,000 and change on the year before.

    `crime` is the processed crime table (`region_code, [crime_code], year, count`, e.g. per
    wijk), `population` has `region_code, [year], population`. Adds `population`,
    `rate_per_1000`, `count_previous`, `count_change`, `count_change_pct` (relative to the year
    before, x100), `rate_previous` and `rate_change`; NA where the year before is absent.
    """
    require_columns(crime, ["region_code", "year", "count"], None)
    rate = f"rate_per_{per}"
    rates = crime_rates(crime, population, per)
    keys = [c for c in ("region_code", "crime_code") if c in rates.columns]
    previous = rates[[*keys, "year", "count", rate]].assign(year=rates["year"] + 1).rename(
        columns={"count": "count_previous", rate: "rate_previous"})
    out = rates.merge(previous, on=[*keys, "year"], how="left", validate="one_to_one")
    count = out["count"].astype("Float64")
    before = out["count_previous"].astype("Float64")
    out["count_previous"] = before.astype("Int64")
    out["count_change"] = (count - before).astype("Int64")
    out["count_change_pct"] = ((count - before) / before.where(before > 0) * 100).astype(
        "float64")
    out["rate_change"] = out[rate] - out["rate_previous"]
    remark = out[REMARK].astype(object)
    out[REMARK] = remark.where(remark.notna(), None)  # the merge turned None into NaN
    return out.sort_values([*keys, "year"]).reset_index(drop=True)


def total_rate(figures: pd.DataFrame, per: int = PER_1000,
               by: Sequence[str] = ("year", "crime_code")) -> pd.DataFrame:
    """The rate of a whole area from its parts (e.g. the gemeente from its wijken).

    Numerator and denominator are summed over the same parts: a wijk without a population figure
    (or without inhabitants) is left out of both, never only out of the denominator (which would
    raise the rate). Returns `by` columns plus `count`, `population`, `rate_per_<per>`, `n_used`
    and `left_out` (sorted region codes of the parts left out, for a note beside the figure).
    """
    keys = [k for k in by if k in figures.columns]
    require_columns(figures, ["region_code", "count", "population"], None)
    inhabitants = figures["population"].astype("Float64")
    usable = ((inhabitants > 0) & figures["count"].notna()).fillna(False).astype(bool)
    rows = []
    groups = figures.groupby(keys, sort=True) if keys else [((), figures)]
    for key, part in groups:
        use = usable.loc[part.index]
        crimes = int(part.loc[use, "count"].sum())
        population = int(part.loc[use, "population"].sum())
        rows.append({
            **dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)),
            "count": crimes,
            "population": population,
            f"rate_per_{per}": crimes / population * per if population else float("nan"),
            "n_used": int(use.sum()),
            "left_out": sorted(part.loc[~use, "region_code"].astype(str)),
        })
    columns = [*keys, "count", "population", f"rate_per_{per}", "n_used", "left_out"]
    return pd.DataFrame(rows, columns=columns)


def rank_in_group(
    rates: pd.DataFrame, members: Iterable[str], *, rate: str = "rate_per_1000",
    ascending: bool = False,
) -> pd.DataFrame:
    """Rank the members by rate within each year (1 = highest rate unless `ascending`).

    Ties share the best rank; members without a rate get no rank. Adds `rank` and `n_ranked`.
    """
    members = set(members)
    out = rates[rates["region_code"].isin(members)].copy()
    by = ["year"] if "year" in out.columns else []
    ranked = out.groupby(by)[rate] if by else out[rate]
    out["rank"] = ranked.rank(method="min", ascending=ascending).astype("Int64")
    out["n_ranked"] = (out.groupby(by)[rate].transform("count") if by
                       else out[rate].count())
    return out.sort_values([*by, "rank", "region_code"]).reset_index(drop=True)


def group_rate(
    totals: pd.DataFrame, population: pd.DataFrame, members: Iterable[str],
    per: int = PER_1000,
) -> pd.DataFrame:
    """Rate of a benchmark group per year: sum of crimes / sum of population of its members.

    Only members with both a count and a population in that year enter the sums; the others are
    listed in `missing` (sorted GM codes) so the caller can report them (e.g. a member merged
    away). Returns `year, n_members, n_used, crimes, population, rate_per_1000, missing`.
    """
    require_columns(totals, ["region_code", "year", "count"], None)
    require_columns(population, ["region_code", "year", "population"], None)
    members = sorted(set(members))
    rates = crime_rates(totals[totals["region_code"].isin(members)], population, per)
    rows = []
    for year in sorted(rates["year"].dropna().unique()):
        this = rates[rates["year"] == year]
        usable = this[this["count"].notna() & (this["population"].astype("Float64") > 0)
                      .fillna(False)]
        used = set(usable["region_code"])
        crimes, inhabitants = int(usable["count"].sum()), int(usable["population"].sum())
        rows.append({
            "year": int(year),
            "n_members": len(members),
            "n_used": len(used),
            "crimes": crimes,
            "population": inhabitants,
            f"rate_per_{per}": crimes / inhabitants * per if inhabitants else float("nan"),
            "missing": [m for m in members if m not in used],
        })
    columns = ["year", "n_members", "n_used", "crimes", "population", f"rate_per_{per}",
               "missing"]
    return pd.DataFrame(rows, columns=columns)


def gemeente_vs_group(
    totals: pd.DataFrame, population: pd.DataFrame, gemeente_code: str,
    members: Iterable[str], per: int = PER_1000,
) -> pd.DataFrame:
    """The gemeente's crime rate against the benchmark group's, per year.

    `totals` and `population` are gemeente tables (`region_code, year, count` and
    `region_code, year, population`). The group rate is a ratio of sums over the members
    (`group_rate`); because a member gemeente is part of that whole, the rate of the other
    members (`others_rate_per_1000`, the group without the gemeente) is given too. `rank` is
    the gemeente's place among the members and itself (1 = highest rate), `n_ranked` the number
    ranked. Returns `year, region_code, count, population, rate_per_1000, group_rate_per_1000,
    others_rate_per_1000, ratio (gemeente / group), rank, n_ranked, n_members, n_used, missing`.
    """
    rate = f"rate_per_{per}"
    members = sorted(set(members))
    years = pd.DataFrame({"year": sorted(totals["year"].dropna().unique())})
    own = crime_rates(totals[totals["region_code"] == gemeente_code], population, per)
    own = years.merge(own[["year", "count", "population", rate]], on="year", how="left")
    group = group_rate(totals, population, members, per).rename(columns={
        rate: f"group_{rate}", "crimes": "group_crimes", "population": "group_population"})
    others = group_rate(totals, population, [m for m in members if m != gemeente_code], per)
    others = others[["year", rate]].rename(columns={rate: f"others_{rate}"})
    ranked_set = [*members, *([gemeente_code] if gemeente_code not in members else [])]
    ranked = rank_in_group(crime_rates(totals, population, per), ranked_set, rate=rate)
    ranked = ranked.loc[ranked["region_code"] == gemeente_code, ["year", "rank", "n_ranked"]]
    out = (own.merge(group, on="year", how="left").merge(others, on="year", how="left")
           .merge(ranked, on="year", how="left"))
    out.insert(1, "region_code", gemeente_code)
    out["ratio"] = out[rate] / out[f"group_{rate}"]
    columns = ["year", "region_code", "count", "population", rate, f"group_{rate}",
               f"others_{rate}", "ratio", "rank", "n_ranked", "n_members", "n_used",
               "group_crimes", "group_population", "missing"]
    return out[columns].astype({"year": "int64"})


# --------------------------------------------------------------------------------------------
# Veiligheidshuis casework
# --------------------------------------------------------------------------------------------


def casework_rates(
    casework: pd.DataFrame, population: pd.DataFrame, per: int = PER_10000, *,
    total: str | None = None,
) -> pd.DataFrame:
    """Cases per type of overleg, gemeente and year: count and per 10,000 inhabitants.

    `casework` is the table of `io.tables.read_casework` (`year, gemeente_code, gemeente,
    overleg, count`), `population` has `region_code, [year], population` (end-of-year
    population, e.g. the processed `group_population`). With `total` (e.g. "Totaal") a row per
    gemeente and year sums its overleggen. Returns the casework columns plus `population` and
    `rate_per_10000` (NA where the population is missing), overleggen in their input order.
    """
    require_columns(casework, ["year", "gemeente_code", "overleg", "count"], None)
    counts = casework.copy()
    order = list(dict.fromkeys(counts["overleg"]))
    if total is not None:
        keys = [c for c in ("year", "gemeente_code", "gemeente") if c in counts.columns]
        sums = counts.groupby(keys, sort=False)["count"].sum(min_count=1).reset_index()
        counts = pd.concat([counts, sums.assign(overleg=total)], ignore_index=True)
        order.append(total)
    out = _rates(counts.rename(columns={"gemeente_code": "region_code"}), population, per)
    out = out.rename(columns={"region_code": "gemeente_code"})
    out["_order"] = out["overleg"].map({name: i for i, name in enumerate(order)})
    out = out.sort_values(["year", "gemeente_code", "_order"], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


__all__ = [
    "NO_POPULATION",
    "PER_1000",
    "PER_10000",
    "REMARK",
    "casework_rates",
    "crime_figures",
    "crime_rates",
    "footprint",
    "gemeente_vs_group",
    "group_members",
    "group_rate",
    "population_share",
    "rank_in_group",
    "total_rate",
]
