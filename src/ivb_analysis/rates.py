"""Police and casework rates: counts per 1,000 (crime) or 10,000 (casework) inhabitants.

* Police: counts and rates per 1,000 inhabitants per wijk and year with the change against the
  previous year (`crime_figures`), and the gemeente's rate against the group's
  (`gemeente_vs_group`). A group rate is a ratio of sums (all crimes / all inhabitants of the
  members), not a mean of member rates; members without data in a year are reported, never
  dropped silently (municipal mergers leave empty cells for gemeenten that no longer exist).
* Veiligheidshuis casework per type of overleg, absolute and per 10,000 inhabitants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.io.text import first_true, require_columns

PER_1000 = 1000
PER_10000 = 10_000
# Column `opmerking` of the rate tables: why a region has no rate.
REMARK = "opmerking"
NO_POPULATION = "geen bevolkingscijfer"
NO_INHABITANTS = "geen inwoners"


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
