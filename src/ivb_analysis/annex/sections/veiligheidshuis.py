"""Casework of the Veiligheidshuis per overleg, per gemeente in the casework file."""

from __future__ import annotations

from ivb_analysis import benchmark as bm
from ivb_analysis import figures
from ivb_analysis.annex import common
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import FigureItem, Section
from ivb_analysis.prepare import CASEWORK_TABLE
from ivb_analysis.tables import AnnexTable, Column

KEY = "veiligheidshuis"


def build(annex: Annex) -> Section | None:
    casework = annex.optional("casework", CASEWORK_TABLE)
    if casework is None:
        annex.skipped[KEY] = "de levering heeft geen casuïstiek"
        return None
    rates = bm.casework_rates(casework, annex.gemeente_population())
    rates = rates[rates["year"] == annex.year].reset_index(drop=True)
    if rates.empty:
        annex.skipped[KEY] = f"geen casuïstiek voor {annex.year}"
        return None
    src = annex.other_source("bron_veiligheidshuis", "Veiligheidshuis, casuïstiek", annex.year)
    gemeenten = sorted(rates["gemeente"].unique())
    title = f"Behandelde casuïstiek Veiligheidshuis, {annex.year}"
    rate_col = "rate_per_10000" if "rate_per_10000" in rates.columns else None
    # Gemeenten of different size are compared per 10,000 inhabitants (counts in the table).
    per_inhabitant = rate_col is not None and rates[rate_col].notna().all()
    fig = figures.grouped_bars(
        rates.assign(estimate=(rates[rate_col] if per_inhabitant else rates["count"])
                     .astype(float)), category="overleg",
        group="gemeente", title=title,
        subtitle=("Behandelde casussen per 10.000 inwoners, per overleg" if per_inhabitant
                  else "Aantal behandelde casussen per overleg"),
        source=src, banner=annex.settings.banner, kind="rate" if per_inhabitant else "count",
        groups=gemeenten, highlight=annex.gemeente,
    )
    columns = [Column("gemeente", "Gemeente", "text", 14),
               Column("overleg", "Overleg", "text", 36),
               Column("count", "Aantal casussen", "integer", 12)]
    if rate_col is not None and rates[rate_col].notna().any():
        columns.append(Column(rate_col, "Per 10.000 inwoners", "decimal1", 12))
    note = ("Per 10.000 inwoners, zodat gemeenten van verschillende grootte te vergelijken "
            "zijn; het aantal casussen staat ernaast. Kleine aantallen (minder dan 30) "
            "schommelen van jaar tot jaar sterk.") if per_inhabitant else \
        "Aantallen: zonder bevolkingscijfer is geen cijfer per 10.000 inwoners te maken."
    table = AnnexTable(KEY, title, rates, tuple(columns), source=src, note=note)
    return Section(KEY, "Casuïstiek Veiligheidshuis",
                   f"Aantal behandelde casussen per overleg in {annex.year}, voor "
                   f"{common.join(gemeenten)}.",
                   figures=[FigureItem(KEY, title, fig)], tables=[table])
