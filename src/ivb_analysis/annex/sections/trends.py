"""Ontwikkeling: every indicator over the waves up to this year, per theme, with the break."""

from __future__ import annotations

import pandas as pd

from ivb_analysis import compare, figures
from ivb_analysis.annex import common
from ivb_analysis.annex.interface import VERDICT
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import FigureItem, Section
from ivb_analysis.tables import AnnexTable, Column

KEY = "trends"
BREAK_COLUMN = "methodebreuk"
BREAK_MARK = "┃"


def build(annex: Annex) -> Section | None:
    if len(annex.waves) < 2:
        annex.skipped[KEY] = f"{annex.year} is de eerste meting: nog geen ontwikkeling"
        return None
    s = annex.settings
    est = headline(annex)
    first = min(annex.waves)
    period = f"{first}–{annex.year}"
    source = annex.source(first)
    items = []
    series = est[est["indicator"].isin(annex.selections.gemeente_series)]
    if len(series):
        title = f"Inwoners over de inzet van de gemeente, {period}"
        items.append(FigureItem("trend_gemeente_inzet", title, figures.trend_lines(
            series, title=title, subtitle="% (helemaal) eens", source=source,
            banner=s.banner, method_break=s.method_break)))
    # The theme panels leave out what the figure above already shows (no two figures with the
    # same series) and the single statements (the items section shows those).
    # The figures show the footprint indicators (the table below has every indicator), so the
    # trend pages stay few: at most one figure per theme.
    repeated = set(annex.selections.gemeente_series) if len(series) else set()
    footprint_ids = {i.id for i in annex.catalogue.footprint}
    for theme, heading in annex.selections.themes.items():
        part = est[est["indicator"].map(
            lambda i, t=theme: annex.catalogue[i].theme == t and i not in repeated
            and annex.catalogue[i].item_of is None and i in footprint_ids)]
        if part.empty:
            continue
        title = f"{heading}, {period}"
        panels = figures.trend_panel_figures(part, title=title, source=source, banner=s.banner,
                                             method_break=s.method_break)
        for k, fig in enumerate(panels, start=1):
            name = f"trend_{theme}" if len(panels) == 1 else f"trend_{theme}_{k}"
            caption = title if len(panels) == 1 else f"{title} ({k} van {len(panels)})"
            items.append(FigureItem(name, caption, fig))
    tables = [_wide_table(annex, source, period)]
    if len(annex.waves) >= 3:
        tested = _trend_tests(annex, source)
        if tested is not None:
            tables.append(tested)
    spans = common.spans_break(annex.waves, s.method_break)
    return Section(
        KEY, f"Ontwikkeling sinds {first}",
        f"De footprint-indicatoren voor heel {annex.gemeente} per meting, met "
        "95%-betrouwbaarheidsbanden; de tabel geeft alle indicatoren." + (
            f" De Veiligheidsmonitor is in {s.method_break} vernieuwd; de lijnen zijn daar "
            f"onderbroken en in de tabel markeert {BREAK_MARK} de breuk." if spans else ""),
        figures=items, tables=tables,
    )


def headline(annex: Annex) -> pd.DataFrame:
    """The gemeente's estimates without the single statements of scales (the items section
    shows those)."""
    est = annex.gemeente_estimates
    return est[est["indicator"].map(lambda i: annex.catalogue[i].item_of is None)]


def _wide_table(annex: Annex, source: str, period: str) -> AnnexTable:
    s = annex.settings
    est = headline(annex)
    data = common.shown(est[["indicator", "label", "kind", "unit", "year", "estimate", "se",
                             "ci_low", "ci_high", "n", "n_eff", "indicatief", "unreliable",
                             "suppressed"]], s.min_n)
    wide = data.pivot_table(index=["indicator", "label", "kind", "unit"], columns="year",
                            values="estimate", aggfunc="first", sort=False)
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reset_index()
    order = {ind: k for k, ind in enumerate(annex.catalogue.ids())}
    wide = wide.sort_values("indicator", key=lambda c: c.map(order), ignore_index=True)
    year_columns: list[Column] = []
    for y in annex.waves:
        if str(y) not in wide.columns:
            continue
        if s.method_break is not None and y >= s.method_break and any(
                c.name.isdigit() and int(c.name) < s.method_break for c in year_columns) \
                and BREAK_COLUMN not in wide.columns:
            wide[BREAK_COLUMN] = BREAK_MARK
            year_columns.append(Column(BREAK_COLUMN, BREAK_MARK, "text", 3))
        year_columns.append(Column(str(y), str(y), "value", 8))
    note = "Intervallen, aantallen respondenten en effectieve aantallen staan in de " \
           "CSV-versie (trends.csv)."
    if BREAK_COLUMN in wide.columns:
        note += (f" {BREAK_MARK} = methodebreuk: vanaf {s.method_break} is de Veiligheidsmonitor "
                 "vernieuwd, de cijfers ervoor en erna zijn niet één op één vergelijkbaar.")
    return AnnexTable(
        KEY, f"Alle indicatoren voor heel {annex.gemeente}, {period}", data,
        (Column("label", "Indicator", "text", 34), Column("unit", "Eenheid", "text", 22),
         *year_columns),
        source=source, reader_data=wide, note=note, row_key="indicator",
    )


def _trend_tests(annex: Annex, source: str) -> AnnexTable | None:
    s = annex.settings
    est = headline(annex)
    tested = compare.linear_trend(
        est[["indicator", "year", "estimate", "se", "suppressed"]], keys=["indicator"],
        method_break=s.method_break, polarity=annex.polarity, alpha=s.alpha,
    )
    meta = est[["indicator", "label", "kind", "unit"]].drop_duplicates("indicator")
    data = meta.merge(tested, on="indicator", how="right")
    order = {ind: k for k, ind in enumerate(annex.catalogue.ids())}
    data = data.sort_values(["indicator", "first_year"], key=lambda c: c.map(order)
                            if c.name == "indicator" else c, ignore_index=True)
    data["judgement"] = common.judgement(data[VERDICT], data["reason"])
    data = data[data["reason"] != compare.REASON_WAVES].reset_index(drop=True)
    if data.empty:
        return None
    data["period"] = [f"{int(a)}–{int(b)}" for a, b in
                      zip(data["first_year"], data["last_year"], strict=True)]
    data["row"] = data["indicator"] + "-" + data["first_year"].astype(int).astype(str)
    # The title names the period the tests cover, not the whole series.
    covered = f"{int(data['first_year'].min())}–{int(data['last_year'].max())}"
    note = (f"{compare.trend_method_note(data, s.alpha)} Benjamini-Hochberg-correctie over "
            "de reeksen. Een periode met minder dan drie metingen is niet getoetst en niet "
            "opgenomen.")
    if common.spans_break(annex.waves, s.method_break):
        note += (f" Voor en vanaf de methodebreuk ({s.method_break}) is de trend apart "
                 "berekend.")
    return AnnexTable(
        "trendtoets", f"Lineaire trend per indicator, {covered}", data,
        (Column("label", "Indicator", "text", 34),
         Column("period", "Periode", "text", 11, nowrap=True),
         Column("n_waves", "Metingen", "integer", 9),
         Column("difference", "Verandering volgens trend", "change", 16),
         Column("p_adjusted", "p (gecorrigeerd)", "pvalue", 12),
         Column("p_lack_of_fit", "p afwijking van rechte lijn", "pvalue", 12),
         Column("judgement", "Oordeel", "text", 18)),
        source=source, note=note, row_key="row",
    )
