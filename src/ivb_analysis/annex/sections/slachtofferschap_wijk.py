"""Slachtofferschap per wijk (where n allows): each wijk against the rest of the gemeente."""

from __future__ import annotations

from ivb_analysis import suppression
from ivb_analysis.annex import common
from ivb_analysis.annex.interface import VERDICT
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.annex.sections.wijkoverzicht import mark
from ivb_analysis.tables import AnnexTable, Column, format_value, remark

KEY = "slachtofferschap_wijk"


def build(annex: Annex) -> Section | None:
    ids = [i for i in annex.selections.wijk_victims if annex.delivered(i)]
    if not ids:
        annex.skipped[KEY] = "niet in deze levering"
        return None
    s = annex.settings
    est = annex.wijk_tested(ids)
    order = {i: k for k, i in enumerate(ids)}
    est = est.sort_values(["indicator", "wijk_code"],
                          key=lambda c: c.map(order) if c.name == "indicator" else c,
                          ignore_index=True)
    data = est.assign(judgement=common.judgement(est[VERDICT], est["reason"]))
    data["remark"] = [remark(bool(i), bool(u)) for i, u in
                      zip(data["indicatief"], data["unreliable"], strict=True)]
    data["row"] = data["indicator"] + "-" + data["wijk_code"].astype(str)
    hidden = sorted(set(est.loc[est["suppressed"].astype(bool) & (est["n"] < s.min_n),
                                "wijk_naam"].astype(str)))
    visible = common.shown(data, s.min_n)
    note = " ".join(t for t in (
        common.suppression_note(hidden, bool(visible["indicatief"].any()), s.min_n,
                                s.indicatief_n), suppression.note(est, s.min_n),
        annex.empty_wijken_note,
        f"Elke wijk getoetst tegen de rest van de gemeente op {common.alpha_text(s)} met "
        "Benjamini-Hochberg-correctie per soort delict.",
        common.missing_note(annex.missing(annex.selections.wijk_victims))) if t)
    visible = visible.assign(mark=[mark(v, d) for v, d in zip(
        visible[VERDICT], visible["difference"], strict=True)])
    visible["cell"] = [f"{format_value(v, k)}{'*' if i else ''} {m}" for v, k, i, m in zip(
        visible["estimate"], visible["kind"], visible["indicatief"].astype(bool),
        visible["mark"], strict=True)]
    wide = visible.pivot_table(index=["wijk_code", "wijk_naam"], columns="indicator",
                               values="cell", aggfunc="first", sort=True).reset_index()
    shown_ids = [i for i in ids if i in wide.columns]
    wide = wide.fillna("–")
    table = AnnexTable(
        KEY, f"Slachtofferschap per wijk t.o.v. de rest van {annex.gemeente}, {annex.year}",
        visible.drop(columns=["cell", "mark"]),
        (Column("wijk_naam", "Wijk", "text", 18),
         *(Column(i, f"{annex.catalogue[i].label} (% slachtoffer)", "text", 14)
           for i in shown_ids)),
        source=annex.source(), reader_data=wide, row_key="wijk_code",
        note=note + " ▲/▼: significant hoger/lager dan de rest; het woord zegt of dat gunstig "
             "is. Intervallen en aantallen: CSV-versie en Excel-bestand.",
    )
    return Section(KEY, "Slachtofferschap per wijk",
                   f"Het percentage inwoners dat slachtoffer werd, per wijk in {annex.year}, "
                   "waar genoeg respondenten zijn.", tables=[table])
