"""Registered crime: per wijk per 1,000 inhabitants, and the gemeente against its group."""

from __future__ import annotations

import pandas as pd

from ivb_analysis import benchmark as bm
from ivb_analysis import figures, tables
from ivb_analysis.annex import common
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import FigureItem, Section
from ivb_analysis.prepare import (
    CRIME_TABLE,
    GROUP_CRIME_TABLE,
    GROUP_MEMBERS_TABLE,
    GROUP_POPULATION_TABLE,
    POPULATION_TABLE,
    WIJK_NAMES_TABLE,
)
from ivb_analysis.tables import AnnexTable, Column

KEY = "politie"
GROUP_KEY = "politie_groep"
TOTAL_CRIME = "0.0.0"
BURGLARY = "1.1.1"
#: Below this many registrations a percentage change says little: no change is shown, and a
#: rate gets its exact Poisson 95% interval.
MIN_COUNT_FOR_CHANGE = 30
NO_POPULATION = "geen bevolkingscijfer"
VISITORS_CAVEAT = ("Let op: in een centrum met veel bezoekers, winkels en horeca tellen de "
                   "misdrijven tegen bezoekers mee, de bezoekers zelf niet als inwoner; het "
                   "cijfer per 1.000 inwoners zegt daar weinig over het risico voor een bewoner.")


def source(annex: Annex) -> str:
    return annex.other_source("bron_politie", "Politie (geregistreerde misdrijven) en CBS "
                              "(bevolking per wijk)", annex.year)


def poisson_interval(count: float, population: float, per: int = 1000,
                     level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval of a rate from a Poisson count: registrations are a count, and
    a small count is a noisy measure of the underlying rate."""
    from scipy.stats import chi2

    if pd.isna(count) or pd.isna(population) or population <= 0:
        return float("nan"), float("nan")
    tail = (1 - level) / 2
    low = chi2.ppf(tail, 2 * count) / 2 if count > 0 else 0.0
    high = chi2.ppf(1 - tail, 2 * count + 2) / 2
    return float(low / population * per), float(high / population * per)


def _rate_text(count: object, population: object, rate: object) -> str:
    """'62,2', or with few registrations '1,2 (0,6 – 2,1)' (Poisson 95% interval)."""
    if pd.isna(rate):
        return ""
    text = tables.dutch_number(float(rate), 1)
    if pd.notna(count) and float(count) < MIN_COUNT_FOR_CHANGE:
        low, high = poisson_interval(float(count), float(population))
        text += f" ({tables.dutch_number(low, 1)} – {tables.dutch_number(high, 1)})"
    return text


def _change_text(count: object, previous: object) -> str:
    if pd.isna(count) or pd.isna(previous) \
            or min(float(count), float(previous)) < MIN_COUNT_FOR_CHANGE:
        return ""
    change = (float(count) - float(previous)) / float(previous) * 100
    return f"{'+' if change > 0 else ''}{tables.dutch_number(change, 0)}%"


def _reader(annex: Annex, rates: pd.DataFrame, total: dict) -> tuple[pd.DataFrame, bool]:
    """One row per wijk (and the gemeente): inhabitants, all crime (count, rate, the year before
    and the change) and woninginbraak (count, rate with its interval when small)."""
    rows = []
    with_previous = bool(rates["count_previous"].notna().any())
    for code, part in rates.groupby("wijk_code", sort=True):
        tot = part[part["crime_code"] == TOTAL_CRIME]
        bur = part[part["crime_code"] == BURGLARY]
        row = {"wijk_code": code, "wijk_naam": str(part["wijk_naam"].iloc[0]),
               "population": part["population"].iloc[0]}
        if len(tot):
            t = tot.iloc[0]
            row.update(count_total=t["count"], rate_total=t["rate_per_1000"],
                       rate_total_text=_rate_text(t["count"], t["population"],
                                                  t["rate_per_1000"]),
                       previous_total=t["count_previous"],
                       change_total=_change_text(t["count"], t["count_previous"]))
        if len(bur):
            b = bur.iloc[0]
            row.update(count_burglary=b["count"],
                       rate_burglary_text=_rate_text(b["count"], b["population"],
                                                     b["rate_per_1000"]))
        row["opmerking"] = NO_POPULATION if pd.isna(row["population"]) else ""
        rows.append(row)
    wide = pd.DataFrame(rows)
    wide = pd.concat([pd.DataFrame([total]), wide], ignore_index=True)
    return wide, with_previous


def build(annex: Annex) -> Section | None:
    crime = annex.optional("police", CRIME_TABLE)
    population = annex.optional("population", POPULATION_TABLE)
    if crime is None or population is None:
        annex.skipped[KEY] = "de levering heeft geen politie- of bevolkingscijfers"
        return None
    rates = bm.crime_figures(crime, population)
    rates = rates[(rates["year"] == annex.year) & (rates["region_level"] == "wijk")]
    if rates.empty:
        annex.skipped[KEY] = f"geen politiecijfers voor {annex.year}"
        return None
    rates = rates.merge(annex.wijken[["wijk_code", "wijk_naam"]],
                        left_on="region_code", right_on="wijk_code", how="left")
    names = annex.optional("police", WIJK_NAMES_TABLE)  # a wijk the survey list lacks
    if names is not None and len(names):
        rates["wijk_naam"] = rates["wijk_naam"].fillna(
            rates["region_code"].map(dict(zip(names["wijk_code"], names["wijk_naam"],
                                              strict=True))))
    rates["wijk_naam"] = rates["wijk_naam"].fillna(rates["region_code"])
    rates["wijk_code"] = rates["wijk_code"].fillna(rates["region_code"])
    if "crime_label" not in rates.columns:
        rates["crime_label"] = rates["crime_code"]
    rates["crime_label"] = rates["crime_label"].map(
        lambda v: common.crime_label(v) if isinstance(v, str) else "")
    small = (rates[["count", "count_previous"]].astype("Float64").min(axis=1, skipna=False)
             < MIN_COUNT_FOR_CHANGE)
    rates["count_change_pct"] = rates["count_change_pct"].where(~small.fillna(True).astype(bool))
    bounds = [poisson_interval(c, p) for c, p in zip(rates["count"], rates["population"],
                                                     strict=True)]
    # the Poisson 95% interval of the rate (ci_low/ci_high, as every interval in the CSVs)
    rates["ci_low"] = [b[0] for b in bounds]
    rates["ci_high"] = [b[1] for b in bounds]
    if "opmerking" not in rates.columns:
        rates["opmerking"] = [NO_POPULATION if pd.isna(p) else ""
                              for p in rates["population"]]
    src = source(annex)
    total_rows = rates[(rates["crime_code"] == TOTAL_CRIME) & rates["population"].notna()]
    own_rate = (float(total_rows["count"].sum() / total_rows["population"].sum() * 1000)
                if len(total_rows) else float("nan"))
    group = _against_group(annex)
    group_rate = None
    if isinstance(group, tuple):
        this_year = group[1].data[group[1].data["year"] == annex.year]
        if len(this_year):
            group_rate = float(this_year["rate_per_1000"].iloc[0])
    items = []
    title = f"Geregistreerde misdrijven per 1.000 inwoners per wijk, {annex.year}"
    rated = total_rows[total_rows["rate_per_1000"].notna()]  # 0 inwoners: no rate (opmerking)
    if annex.settings.files.geometry:
        items.append(_crime_map(annex, rated, src))
    elif len(rated):
        fig = figures.wijk_bars(
            rated.assign(estimate=rated["rate_per_1000"].astype(float),
                         suppressed=False, n=rated["population"]),
            title=title, subtitle="Geregistreerde misdrijven per 1.000 inwoners",
            source=src, banner=annex.settings.banner, gemeente_value=own_rate,
            kind="rate", gemeente_label=f"heel {annex.gemeente}", what="inwoners",
        )
        items.append(FigureItem("politie_totaal", title, fig))
    burglary = rates.loc[rates["crime_code"] == BURGLARY]
    total = {"wijk_code": annex.settings.gemeente_code,
             "wijk_naam": f"Heel {annex.gemeente} (som van de wijken)",
             "population": total_rows["population"].sum(),
             "count_total": total_rows["count"].sum(), "rate_total": own_rate,
             "rate_total_text": tables.dutch_number(own_rate, 1),
             "previous_total": total_rows["count_previous"].astype("Float64").sum(),
             "change_total": _change_text(total_rows["count"].sum(),
                                          total_rows["count_previous"].astype("Float64").sum()),
             "count_burglary": burglary["count"].sum() if len(burglary) else None,
             "rate_burglary_text": tables.dutch_number(
                 burglary["count"].sum() / burglary["population"].sum() * 1000, 1)
             if len(burglary) and burglary["population"].sum() > 0 else "",
             "opmerking": ""}
    wide, with_previous = _reader(annex, rates, total)
    columns = [Column("wijk_naam", "Wijk", "text", 18),
               Column("population", "Inwoners", "integer", 10),
               Column("count_total", f"Misdrijven {annex.year}", "integer", 10),
               Column("rate_total_text", "Per 1.000 inwoners", "text", 11)]
    if with_previous:
        columns += [Column("previous_total", f"Misdrijven {annex.year - 1}", "integer", 10),
                    Column("change_total", "Verandering", "text", 10)]
    if "count_burglary" in wide.columns and wide["count_burglary"].notna().any():
        columns += [Column("count_burglary", f"Woninginbraak {annex.year}", "integer", 10),
                    Column("rate_burglary_text", "Woninginbraak per 1.000 (marge 95%)", "text",
                           14)]
    if (wide["opmerking"].fillna("") != "").any():
        columns.append(Column("opmerking", "Opmerking", "text", 14))
    data = rates[["year", "wijk_code", "wijk_naam", "crime_code", "crime_label", "count",
                  "population", "rate_per_1000", "ci_low", "ci_high", "count_previous",
                  "count_change_pct", "opmerking"]]
    data = data.sort_values(["crime_code", "wijk_code"], ignore_index=True)
    notes = [f"Heel {annex.gemeente} is hier de som van de wijken "
             f"({tables.dutch_number(own_rate, 1)} per 1.000 inwoners)."]
    if group_rate is not None and tables.dutch_number(group_rate, 1) != \
            tables.dutch_number(own_rate, 1):
        notes.append(f"In de vergelijking met de {common.group_name(annex.settings)} staat het "
                     f"gemeentetotaal van de politie ({tables.dutch_number(group_rate, 1)}): "
                     "dat telt ook misdrijven die aan geen wijk zijn toegekend.")
    notes.append(f"Bij minder dan {MIN_COUNT_FOR_CHANGE} misdrijven (in een van beide jaren) "
                 "geen procentuele verandering "
                 "maar bij het cijfer per 1.000 een 95%-marge (Poisson): kleine aantallen "
                 "schommelen van jaar tot jaar sterk.")
    notes.append(VISITORS_CAVEAT)
    notes.append("Alle soorten misdrijven per wijk staan in de CSV-versie (politie.csv).")
    table = AnnexTable(
        KEY, f"Geregistreerde misdrijven per wijk, {annex.year}", data, tuple(columns),
        source=src, note=" ".join(notes), reader_data=wide, row_key="wijk_code",
    )
    tables_out = [table]
    text = ("Door de politie geregistreerde misdrijven per 1.000 inwoners, per wijk en voor de "
            "gemeente tegen de benchmarkgroep. Dit zijn registraties, geen steekproef: er is "
            "geen toets tussen wijken of jaren.")
    if isinstance(group, tuple):
        fig_item, group_table = group
        items.append(fig_item)
        tables_out.append(group_table)
    else:
        annex.skipped[GROUP_KEY] = group
        text += f" Geen vergelijking met de {common.group_name(annex.settings)}: {group}."
    return Section(KEY, "Geregistreerde criminaliteit", text, figures=items, tables=tables_out)


def _against_group(annex: Annex) -> tuple[FigureItem, AnnexTable] | str:
    """The gemeente's registered crime per 1,000 against its benchmark group, every year; or
    why there is no comparison (Dutch)."""
    totals = annex.optional("group_crime", GROUP_CRIME_TABLE)
    population = annex.optional("group_population", GROUP_POPULATION_TABLE)
    if totals is None or population is None:
        return "de levering heeft geen misdrijf- of bevolkingscijfers per gemeente van de groep"
    membership = annex.optional("group_members", GROUP_MEMBERS_TABLE)
    members = bm.group_members(annex.settings.benchmark_group, membership)
    totals = totals[totals["year"] <= annex.year]
    if "crime_code" in totals.columns:
        totals = totals[totals["crime_code"] == TOTAL_CRIME]
    if totals.empty or annex.settings.gemeente_code not in set(totals["region_code"]):
        return f"de groepscijfers bevatten {annex.gemeente} niet (tot en met {annex.year})"
    result = bm.gemeente_vs_group(totals, population, annex.settings.gemeente_code, members)
    result = result[result["rate_per_1000"].notna()].reset_index(drop=True)
    if result.empty:
        return "de groepscijfers hebben geen bevolking of misdrijven voor deze jaren"
    if annex.year not in set(result["year"].astype(int)):
        return (f"de groepscijfers lopen tot {int(result['year'].max())}, niet tot "
                f"{annex.year}")
    group = common.group_name(annex.settings)
    result["rank_text"] = [f"{int(r)} van {int(n)}" if pd.notna(r) else ""
                           for r, n in zip(result["rank"], result["n_ranked"], strict=True)]
    result["missing"] = result["missing"].map(lambda m: ", ".join(m))
    first, last = int(result["year"].min()), int(result["year"].max())
    period = f"{first}–{last}" if first != last else str(last)
    src = annex.other_source("bron_politie_groep", "Politie (geregistreerde misdrijven per "
                             "gemeente) en CBS (bevolking)", None)
    title = f"Geregistreerde misdrijven per 1.000 inwoners: {annex.gemeente} en {group}, {period}"
    long = pd.concat([
        pd.DataFrame({"year": result["year"].astype(str), "reeks": annex.gemeente,
                      "estimate": result["rate_per_1000"]}),
        pd.DataFrame({"year": result["year"].astype(str), "reeks": f"{group} (gemiddelde)",
                      "estimate": result["group_rate_per_1000"]}),
    ], ignore_index=True)
    fig = figures.grouped_bars(
        long, category="year", group="reeks", category_name="jaar", title=title,
        subtitle="Totaal geregistreerde misdrijven per 1.000 inwoners", source=src,
        banner=annex.settings.banner, kind="rate",
        groups=[annex.gemeente, f"{group} (gemiddelde)"], highlight=annex.gemeente,
        benchmark=f"{group} (gemiddelde)",
    )
    table = AnnexTable(
        GROUP_KEY, title, result,
        (Column("year", "Jaar", "year", 8),
         Column("rate_per_1000", annex.gemeente, "decimal1", 12),
         Column("group_rate_per_1000", f"{group} (gemiddelde)", "decimal1", 14),
         Column("others_rate_per_1000", f"{group} zonder {annex.gemeente}", "decimal1", 14),
         Column("rank_text", "Plaats (1 = hoogste)", "text", 14)),
        source=src, row_key="year",
        note=(f"Het groepsgemiddelde is het totaal van de misdrijven gedeeld door het totaal van "
              f"de inwoners van de {group}; de plaats telt de gemeente met de meeste misdrijven "
              "per inwoner als 1."),
    )
    return FigureItem(GROUP_KEY, title, fig), table


def _crime_map(annex: Annex, total: pd.DataFrame, src: str) -> FigureItem:
    """Choropleth of all registered crime per 1,000 inhabitants (delivery has geometry)."""
    from ivb_analysis import maps

    title = f"Geregistreerde misdrijven per 1.000 inwoners, {annex.year}"
    values = total.set_index("wijk_code")["rate_per_1000"].astype(float)
    fig = maps.wijk_choropleth(
        values, annex.settings.path("geometry"), title=title, source=src,
        banner=annex.settings.banner, label="misdrijven per 1.000 inwoners",
        names=dict(zip(total["wijk_code"], total["wijk_naam"], strict=True)),
    )
    ranked = total.sort_values("rate_per_1000", ascending=False)
    high, low = ranked.iloc[0], ranked.iloc[-1]
    fig.alt_text = (
        f"Kaart van de {len(total)} wijken van {annex.gemeente}, gekleurd naar het aantal "
        f"geregistreerde misdrijven per 1.000 inwoners in {annex.year}. Hoogste: "
        f"{high['wijk_naam']} ({tables.dutch_number(high['rate_per_1000'], 1)}); laagste: "
        f"{low['wijk_naam']} ({tables.dutch_number(low['rate_per_1000'], 1)})."
    )
    return FigureItem("politie_kaart", title, fig)
