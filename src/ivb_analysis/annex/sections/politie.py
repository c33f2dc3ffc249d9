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
)
from ivb_analysis.tables import AnnexTable, Column

KEY = "politie"
GROUP_KEY = "politie_groep"
TOTAL_CRIME = "0.0.0"
BURGLARY = "1.1.1"
#: No percentage change on counts below this (a change of 3 to 5 is not "+67%").
MIN_COUNT_FOR_CHANGE = 10
NO_POPULATION = "geen bevolkingscijfer"


def source(annex: Annex) -> str:
    return annex.other_source("bron_politie", "Politie (geregistreerde misdrijven) en CBS "
                              "(bevolking per wijk)", annex.year)


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
    rates["wijk_naam"] = rates["wijk_naam"].fillna(rates["region_code"])
    rates["wijk_code"] = rates["wijk_code"].fillna(rates["region_code"])
    rates["crime_label"] = rates["crime_label"].map(common.crime_label)
    small = rates["count_previous"].astype("Float64") < MIN_COUNT_FOR_CHANGE
    rates["count_change_pct"] = rates["count_change_pct"].where(~small.fillna(True).astype(bool))
    if "opmerking" not in rates.columns:
        rates["opmerking"] = [NO_POPULATION if pd.isna(p) else ""
                              for p in rates["population"]]
    src = source(annex)
    items = []
    for code, key in ((TOTAL_CRIME, "politie_totaal"), (BURGLARY, "politie_woninginbraak")):
        part = rates[rates["crime_code"] == code]
        if part.empty:
            continue
        label = str(part["crime_label"].iloc[0])
        title = f"{label} per 1.000 inwoners per wijk, {annex.year}"
        counted = part[part["population"].notna()]
        total = counted["count"].sum() / counted["population"].sum() * 1000
        fig = figures.wijk_bars(
            counted.assign(estimate=counted["rate_per_1000"].astype(float), suppressed=False,
                           n=counted["population"]),
            title=title, subtitle="Geregistreerde misdrijven per 1.000 inwoners",
            source=src, banner=annex.settings.banner, gemeente_value=float(total),
            kind="rate", gemeente_label=f"heel {annex.gemeente}", what="inwoners",
        )
        items.append(FigureItem(key, title, fig))
    if annex.settings.files.geometry:
        items.insert(1, _crime_map(annex, rates[(rates["crime_code"] == TOTAL_CRIME)
                                                & rates["population"].notna()], src))
    data = rates[["year", "wijk_code", "wijk_naam", "crime_code", "crime_label", "count",
                  "population", "rate_per_1000", "count_previous", "count_change_pct",
                  "opmerking"]]
    data = data.sort_values(["crime_code", "wijk_code"], ignore_index=True)
    columns = [Column("wijk_naam", "Wijk", "text", 18),
               Column("crime_label", "Soort misdrijf", "text", 34),
               Column("count", f"Aantal {annex.year}", "integer", 10),
               Column("population", "Inwoners", "integer", 10),
               Column("rate_per_1000", "Per 1.000 inwoners", "decimal1", 12),
               Column("count_previous", f"Aantal {annex.year - 1}", "integer", 10),
               Column("count_change_pct", "Verandering (%)", "decimal1", 12)]
    if (data["opmerking"].fillna("") != "").any():
        columns.append(Column("opmerking", "Opmerking", "text", 18))
    table = AnnexTable(
        KEY, f"Geregistreerde misdrijven per wijk, {annex.year}", data, tuple(columns),
        source=src,
        note=(f"Geen procentuele verandering bij minder dan {MIN_COUNT_FOR_CHANGE} misdrijven "
              f"in {annex.year - 1}: bij kleine aantallen zegt een percentage weinig."),
    )
    tables_out = [table]
    group = _against_group(annex)
    if group is not None:
        fig_item, group_table = group
        items.append(fig_item)
        tables_out.append(group_table)
    return Section(KEY, "Geregistreerde criminaliteit",
                   "Door de politie geregistreerde misdrijven per 1.000 inwoners, per wijk en "
                   "voor de gemeente tegen de benchmarkgroep. Dit zijn registraties, geen "
                   "steekproef: er is geen betrouwbaarheidsinterval.",
                   figures=items, tables=tables_out)


def _against_group(annex: Annex) -> tuple[FigureItem, AnnexTable] | None:
    """The gemeente's registered crime per 1,000 against its benchmark group, every year."""
    totals = annex.optional("group_crime", GROUP_CRIME_TABLE)
    population = annex.optional("group_population", GROUP_POPULATION_TABLE)
    if totals is None or population is None:
        return None
    membership = annex.optional("group_members", GROUP_MEMBERS_TABLE)
    members = bm.group_members(annex.settings.benchmark_group, membership)
    totals = totals[totals["year"] <= annex.year]
    if "crime_code" in totals.columns:
        totals = totals[totals["crime_code"] == TOTAL_CRIME]
    if totals.empty or annex.settings.gemeente_code not in set(totals["region_code"]):
        return None
    result = bm.gemeente_vs_group(totals, population, annex.settings.gemeente_code, members)
    result = result[result["rate_per_1000"].notna()].reset_index(drop=True)
    if result.empty:
        return None
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
    )
    table = AnnexTable(
        GROUP_KEY, title, result,
        (Column("year", "Jaar", "year", 8),
         Column("rate_per_1000", annex.gemeente, "decimal1", 12),
         Column("group_rate_per_1000", f"{group} (gemiddelde)", "decimal1", 14),
         Column("others_rate_per_1000", f"{group} zonder {annex.gemeente}", "decimal1", 14),
         Column("rank_text", "Plaats (1 = hoogste)", "text", 14)),
        source=src,
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
