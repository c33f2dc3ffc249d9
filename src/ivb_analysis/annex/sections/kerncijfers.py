"""Kerncijfers: the footprint indicators for the whole gemeente, against the comparison waves."""

from __future__ import annotations

import pandas as pd

from ivb_analysis.annex import common
from ivb_analysis.annex.interface import NOT_DELIVERED
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.tables import AnnexTable, Column, format_interval, remark

KEY = "kerncijfers"
ESTIMATE_COLUMNS = ["indicator", "label", "theme", "kind", "unit", "year", "estimate", "se",
                    "ci_low", "ci_high", "n", "n_eff", "indicatief", "unreliable", "suppressed"]


def tested_table(annex: Annex, ids: list[str]) -> tuple[pd.DataFrame, list[Column]]:
    """This year's estimates of `ids` for the whole gemeente with every comparison wave added
    (also used by the key findings)."""
    years = [*annex.comparison.waves, annex.year]
    est = annex.gemeente_estimates
    est = est[est["indicator"].isin(ids) & est["year"].isin(years)]
    est = est.assign(theme=est["indicator"].map(lambda i: annex.catalogue[i].theme))
    current = est[est["year"] == annex.year].reset_index(drop=True)
    data = current[ESTIMATE_COLUMNS].copy()
    return common.add_comparisons(annex, est, data)


def with_missing(annex: Annex, data: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Rows 'niet in deze levering' for indicators the delivery lacks (contract 4)."""
    absent = [i for i in ids if not annex.delivered(i)]
    if not absent:
        return data
    rows = pd.DataFrame({"indicator": absent,
                         "label": [annex.catalogue[i].label for i in absent],
                         "unit": [annex.catalogue[i].unit for i in absent],
                         "kind": [annex.catalogue[i].kind for i in absent],
                         "remark": NOT_DELIVERED})
    out = pd.concat([data, rows], ignore_index=True)
    order = {i: k for k, i in enumerate(ids)}
    return out.sort_values("indicator", key=lambda s: s.map(order), ignore_index=True)


def build(annex: Annex) -> Section:
    ids = [i.id for i in annex.catalogue.footprint]
    data, compared = tested_table(annex, ids)
    data["remark"] = [remark(i, u) for i, u in zip(data["indicatief"], data["unreliable"],
                                                   strict=True)]
    data = with_missing(annex, common.shown(data, annex.settings.min_n), ids)
    reader = data.assign(interval=[format_interval(lo, hi, k) if isinstance(k, str) else ""
                                   for lo, hi, k in zip(data["ci_low"], data["ci_high"],
                                                        data["kind"], strict=True)])
    # One interval column and no effective n (both in the CSV): the table stays portrait.
    columns = [Column("label", "Indicator", "text", 26), Column("unit", "Eenheid", "text", 20),
               Column("estimate", f"Waarde {annex.year}", "value", 9),
               Column("interval", "Interval (95%)", "text", 12, nowrap=True),
               Column("n", "n", "integer", 7), *compared, *common.remark_columns(data)]
    table = AnnexTable(
        KEY, f"Footprint-indicatoren voor heel {annex.gemeente}, {annex.year}",
        data, tuple(columns), source=annex.source(), reader_data=reader,
        note=common.change_note(annex, list(annex.comparison.waves)), row_key="indicator",
    )
    waves = annex.comparison.waves
    since = (f" en de verandering sinds {' en sinds '.join(map(str, waves))}" if waves else "")
    return Section(KEY, "Kerncijfers voor de hele gemeente",
                   f"De {common.count_word(len(ids))} indicatoren van de footprint voor heel "
                   f"{annex.gemeente} in {annex.year}, met 95%-betrouwbaarheidsinterval{since}.",
                   tables=[table])
