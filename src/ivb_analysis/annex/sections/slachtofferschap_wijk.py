"""Slachtofferschap per wijk (where n allows): each wijk against the rest of the gemeente."""

from __future__ import annotations

from ivb_analysis import suppression
from ivb_analysis.annex import common
from ivb_analysis.annex.interface import VERDICT
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.tables import AnnexTable, Column, remark

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
    table = AnnexTable(
        KEY, f"Slachtofferschap per wijk, {annex.year}", visible,
        (Column("label", "Delict", "text", 22), Column("wijk_naam", "Wijk", "text", 18),
         *common.estimate_columns(str(annex.year)),
         Column("estimate_rest", "Rest gemeente", "value", 12),
         Column("judgement", "T.o.v. rest gemeente", "text", 18),
         *common.remark_columns(visible)),
        source=annex.source(), note=note, row_key="row",
    )
    return Section(KEY, "Slachtofferschap per wijk",
                   f"Het percentage inwoners dat slachtoffer werd, per wijk in {annex.year}, "
                   "waar genoeg respondenten zijn.", tables=[table])
