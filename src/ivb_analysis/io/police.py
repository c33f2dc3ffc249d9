"""Police figures: buurt -> wijk aggregation, rates per 1,000 inhabitants, benchmark groups.

Inputs are the tidy frames of `ivb_analysis.io.statline` (`region_code, year, count` for crime;
`region_code, [year], population`). Benchmark groups are lists of GM codes from the compiled
membership file. Group rates are a ratio of sums (all crimes / all inhabitants of the members),
not a mean of member rates, and members without data for a year are reported, never dropped
silently: municipal mergers leave empty population cells for gemeenten that no longer exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.io.text import first_true, load_csv, require_columns

PER = 1000
_BUURT = re.compile(r"BU\d{8}")
_GEMEENTE = re.compile(r"GM\d{4}")
# Named groups of the membership file: None = every row, else (column, value).
GROUPS: dict[str, tuple[str, str] | None] = {
    "G40": None,
    "G32": ("in_oorspronkelijke_G32_2009", "ja"),
    "G27": ("groep", "G27"),
}


def read_group_membership(path: str | Path, group: str = "G40") -> list[str]:
    """GM codes of a benchmark group, sorted.

    `group` is a name in `GROUPS` (G40 = all rows, G32 = the 32 original members of 2009,
    `in_oorspronkelijke_G32_2009 == ja`, G27) or a criterion `column=value`. Which set a survey
    bureau calls "G32 gemiddelde" is a choice the caller makes explicit here.
    """
    csv = load_csv(path)
    frame = csv.frame()
    require_columns(frame, ["gemeentecode"], csv.path)
    criterion = _criterion(group, frame, csv.path)
    if criterion is not None:
        column, value = criterion
        frame = frame[frame[column] == value]
    codes = frame["gemeentecode"]
    bad = first_true(~codes.fillna("").str.fullmatch(_GEMEENTE.pattern))
    if bad is not None:
        raise InputError("ongeldige gemeentecode", file=csv.path, column="gemeentecode",
                         row=csv.line_of(int(frame.index[bad])), expected="GM gevolgd door 4 "
                         "cijfers", found=codes.iloc[bad])
    dup = first_true(codes.duplicated())
    if dup is not None:
        raise InputError("gemeentecode komt dubbel voor", file=csv.path, column="gemeentecode",
                         row=csv.line_of(int(frame.index[dup])), found=codes.iloc[dup])
    if codes.empty:
        raise InputError(f"groep {group} heeft geen leden", file=csv.path)
    return sorted(codes)


def _criterion(group: str, frame: pd.DataFrame, file: Path) -> tuple[str, str] | None:
    """(column, value) selecting the group's rows, or None for all rows."""
    if group in GROUPS:
        criterion = GROUPS[group]
    else:
        column, sep, value = group.partition("=")
        if not sep:
            raise InputError(f"onbekende benchmarkgroep {group!r}", file=file,
                             expected=", ".join(GROUPS) + " of kolom=waarde")
        criterion = (column.strip(), value.strip())
    if criterion is None:
        return None
    column = criterion[0]
    if column not in frame.columns:
        raise InputError("kolom voor benchmarkgroep ontbreekt", file=file, column=column,
                         found=", ".join(frame.columns))
    return criterion


def aggregate_to_wijk(crime: pd.DataFrame) -> pd.DataFrame:
    """Sum buurt counts to wijken: wijk code = `WK` + buurt code[2:8] (BU01640001 -> WK016400).

    Only buurt rows are used (wijk rows in a national file would double count). A wijk with any
    buurt count missing gets a missing count rather than a silent undercount. Returns the crime
    columns (`region_level` = `wijk`) plus `n_buurten`, sorted.
    """
    require_columns(crime, ["region_code", "crime_code", "year", "count"], None)
    buurten = crime[crime["region_code"].str.startswith("BU")]
    bad = first_true(~buurten["region_code"].str.fullmatch(_BUURT.pattern))
    if bad is not None:
        raise InputError("ongeldige buurtcode", column="region_code",
                         expected="BU gevolgd door 8 cijfers",
                         found=buurten["region_code"].iloc[bad])
    wijk = "WK" + buurten["region_code"].str[2:8]
    keys = ["region_code", "crime_code", "year"]
    has_label = "crime_label" in buurten.columns
    grouped = buurten.assign(region_code=wijk).groupby(keys, sort=True)
    out = grouped["count"].sum(skipna=False).astype("Int64").to_frame()
    out["n_buurten"] = grouped.size()
    if has_label:
        out["crime_label"] = grouped["crime_label"].first()
    out = out.reset_index()
    out["region_level"] = "wijk"
    columns = ["region_code", "region_level", "crime_code", *(["crime_label"] * has_label),
               "year", "count", "n_buurten"]
    return out[columns].sort_values(keys).reset_index(drop=True)


def crime_rates(crime: pd.DataFrame, population: pd.DataFrame, per: int = PER) -> pd.DataFrame:
    """Counts and rates per `per` (1,000) inhabitants per region (and year).

    Joined on `region_code`, and on `year` too when both frames have it (crimes of 2023 with the
    population at the end of 2023). Returns the crime columns plus `population` and
    `rate_per_1000`; the rate is NA where the population is missing or 0.
    """
    require_columns(crime, ["region_code", "count"], None)
    require_columns(population, ["region_code", "population"], None)
    keys = ["region_code", *(["year"] if {"year"} <= set(crime) & set(population) else [])]
    pop = population[[*keys, "population"]]
    dup = first_true(pop.duplicated(keys))
    if dup is not None:
        raise InputError("bevolking komt dubbel voor", column=", ".join(keys),
                         found=" / ".join(str(pop[k].iloc[dup]) for k in keys))
    out = crime.merge(pop, on=keys, how="left", validate="many_to_one")
    denominator = out["population"].astype("Float64").where(out["population"] > 0)
    out[f"rate_per_{per}"] = (out["count"] / denominator * per).astype("float64")
    order = [c for c in ("region_code", "crime_code", "year") if c in out.columns]
    return out.sort_values(order).reset_index(drop=True)


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
    totals: pd.DataFrame, population: pd.DataFrame, members: Iterable[str], per: int = PER
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
        usable = this[this["count"].notna() & this["population"].notna()]
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
