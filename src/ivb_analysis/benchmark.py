"""The annex's benchmark logic: footprint against the benchmark group, benchmark groups, p.

* `footprint`: per footprint indicator of the catalogue the gemeente's position against the
  published benchmark in two waves and its development (difference in differences), with the
  statistics of `compare` (tests of the difference itself, BH within a family).
* Benchmark groups are a setting: a named group of the membership file ("G32", "G40", or a
  criterion `column=value`) or an explicit list of GM codes (`group_members`).
* Police and casework rates live in `rates` (re-exported here for existing callers).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ivb_analysis import compare
from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.defaults import ALPHA
from ivb_analysis.errors import InputError
from ivb_analysis.io.police import group_codes, read_membership, select_group
from ivb_analysis.io.text import first_true, require_columns
from ivb_analysis.rates import (  # re-exported: police and casework rates have their own module
    NO_POPULATION,
    PER_1000,
    PER_10000,
    REMARK,
    casework_rates,
    crime_figures,
    crime_rates,
    gemeente_vs_group,
    group_rate,
    rank_in_group,
    total_rate,
)

REASON_NO_ESTIMATE = "geen schatting voor de gemeente"
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
    alpha: float = ALPHA,
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
        f"position_{year}": pos[compare.VERDICT],
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
    reason = reason.where(reason.notna() | dev[compare.VERDICT].notna(), REASON_NO_ESTIMATE)
    reason = reason.where(reason.notna(), None)
    return pd.DataFrame({
        "development": dev[compare.VERDICT],
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
