"""Wijken in één oogopslag: a wijk x indicator matrix (value, ▲/▼ and the word: each wijk tested
against the rest of the gemeente) and, when the delivery has wijk boundaries, a map per key
indicator. It replaces one section per wijk indicator; the full wijk tables are in the appendix
(`wijktabellen`) and the workbook."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ivb_analysis.annex import common
from ivb_analysis.annex.interface import VERDICT
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import FigureItem, Section
from ivb_analysis.tables import AnnexTable, Column, format_value

KEY = "wijkoverzicht"
#: The indicators mapped (the first three of these the delivery has, among the wijk
#: indicators: one row of maps, so maps and matrix share a page).
MAP_INDICATORS = ("rapportcijfer_veiligheid", "onveiligheid_buurt", "overlast_totaal",
                  "sociale_cohesie", "fysieke_verloedering", "rapportcijfer_leefbaarheid")
NOT_TESTED = "niet getoetst"
#: BH family of every verdict in the matrix, in the words of the key findings.
FAMILY = "wijk tegen de rest; BH per indicator over de wijken"


def mark(verdict: object, difference: float) -> str:
    """'▲ beter', '▼ slechter', 'gelijk' or 'niet getoetst' (hoger/lager for neutral ones)."""
    if not isinstance(verdict, str) or not verdict:
        return NOT_TESTED
    if verdict in ("gelijk", "geen verschil"):
        return "gelijk"
    symbol = "▲" if difference > 0 else "▼"
    return f"{symbol} {verdict}"


def tested(annex: Annex) -> pd.DataFrame:
    """Every wijk indicator per wijk this year, tested against the rest (shown rows only:
    nothing below min_n), in the selections' order, with `mark` and `cell` added."""
    est = annex.wijk_estimates
    if est.empty:
        return est
    ids = [i for i in annex.selections.wijk_indicators if annex.delivered(i)]
    est = common.shown(est[est["indicator"].isin(ids)], annex.settings.min_n)
    order = {i: k for k, i in enumerate(ids)}
    est = est.sort_values(["wijk_code", "indicator"],
                          key=lambda c: c.map(order) if c.name == "indicator" else c,
                          ignore_index=True)
    marks = [mark(v, d) for v, d in zip(est[VERDICT], est["difference"], strict=True)]
    cells = [f"{format_value(v, k)}{'*' if i else ''} {m}" for v, k, i, m in
             zip(est["estimate"], est["kind"], est["indicatief"].astype(bool), marks,
                 strict=True)]
    return est.assign(mark=marks, cell=cells)


def standing_out(annex: Annex, minimum: int = 2) -> pd.DataFrame:
    """Wijken significantly beter (or slechter) than the rest on at least `minimum` wijk
    indicators: one row per wijk and direction with the indicators, values and the rest's."""
    data = tested(annex)
    rows = []
    if data.empty:
        return pd.DataFrame(columns=["wijk_code", "wijk_naam", "verdict", "rows"])
    for (code, verdict), part in data[data[VERDICT].isin(["beter", "slechter"])].groupby(
            ["wijk_code", VERDICT], sort=True):
        if len(part) >= minimum:
            rows.append({"wijk_code": code, "wijk_naam": str(part["wijk_naam"].iloc[0]),
                         "verdict": verdict, "rows": part})
    return pd.DataFrame(rows, columns=["wijk_code", "wijk_naam", "verdict", "rows"])


def _matrix(annex: Annex, data: pd.DataFrame) -> AnnexTable:
    ids = list(dict.fromkeys(data["indicator"]))
    wide = data.pivot_table(index=["wijk_code", "wijk_naam"], columns="indicator",
                            values="cell", aggfunc="first", sort=True).reset_index()
    total = {"wijk_code": annex.settings.gemeente_code, "wijk_naam": f"Heel {annex.gemeente}"}
    for i in ids:
        total[i] = format_value(annex.gemeente_value(i), annex.catalogue[i].kind)
    wide = pd.concat([pd.DataFrame([total]), wide], ignore_index=True).fillna("–")
    wide["kind"] = "text"
    columns = [Column("wijk_naam", "Wijk", "text", 16)]
    columns += [Column(i, f"{annex.catalogue[i].label} ({annex.catalogue[i].unit})", "text", 12)
                for i in ids]
    s = annex.settings
    hidden = sorted(set(annex.wijk_estimates.loc[
        annex.wijk_estimates["suppressed"].astype(bool), "wijk_naam"].astype(str)))
    note = " ".join(t for t in (
        f"▲/▼: significant hoger/lager dan de rest van {annex.gemeente} (toets op "
        f"{common.alpha_text(s)}, Benjamini-Hochberg per indicator over de wijken); het woord "
        "zegt of dat gunstig is (beter/slechter). 'gelijk': getoetst, geen significant "
        "verschil; 'niet getoetst' staat daar apart van.",
        f"– of ontbrekend: minder dan {s.min_n} respondenten (niet getoond)."
        if hidden else "",
        f"* indicatief ({s.min_n} tot {s.indicatief_n} respondenten)."
        if data["indicatief"].astype(bool).any() else "",
        annex.empty_wijken_note or "",
        "Intervallen, aantallen en de vergelijking met eerdere metingen per wijk: bijlage "
        "Wijktabellen en het Excel-bestand.") if t)
    return AnnexTable(
        KEY, f"Wijken t.o.v. de rest van {annex.gemeente}, {annex.year}",
        data[["indicator", "label", "kind", "unit", "year", "wijk_code", "wijk_naam",
              "estimate", "ci_low", "ci_high", "n", "indicatief", "estimate_rest",
              "difference", "p_adjusted", VERDICT, "reason"]],
        tuple(columns), source=annex.source(), note=note, reader_data=wide,
        row_key="wijk_code")


def _maps(annex: Annex, data: pd.DataFrame) -> FigureItem | None:
    if not annex.settings.files.geometry:
        return None
    chosen = [i for i in MAP_INDICATORS if i in set(data["indicator"])][:3]
    if not chosen:
        return None
    from ivb_analysis import maps

    panels = []
    for i in chosen:
        part = data[data["indicator"] == i].set_index("wijk_code")
        spec = annex.catalogue[i]
        symbols = {c: (" ▲" if m.startswith("▲") else " ▼" if m.startswith("▼") else "")
                   for c, m in part["mark"].items()}
        decimals = 0 if spec.kind == "percentage" else 1
        panels.append((f"{spec.label} ({spec.unit})", part["estimate"].astype(float), symbols,
                       decimals))
    title = f"Wijken op de kaart, {annex.year}"
    fig = maps.wijk_map_panels(
        panels, annex.settings.path("geometry"), title=title, source=annex.source(),
        banner=annex.settings.banner,
        note=(f"▲/▼ significant hoger/lager dan de rest van {annex.gemeente}; elke kaart heeft "
              "een eigen kleurschaal (van de laagste tot de hoogste wijk); de waarden staan in "
              "de tabel. Grijs: geen cijfer."))
    lines = []
    for i in chosen:
        part = data[data["indicator"] == i].sort_values("estimate")
        if len(part):
            lo, hi = part.iloc[0], part.iloc[-1]
            lines.append(f"{annex.catalogue[i].label}: laagste {lo['wijk_naam']} "
                         f"({format_value(lo['estimate'], lo['kind'])}), hoogste "
                         f"{hi['wijk_naam']} ({format_value(hi['estimate'], hi['kind'])})")
    fig.alt_text = (f"{len(chosen)} kaarten van de wijken van {annex.gemeente}, {annex.year}. "
                    + "; ".join(lines) + ".")
    return FigureItem("wijkkaarten", title, fig)


def build(annex: Annex) -> Section | None:
    data = tested(annex)
    if data.empty:
        annex.skipped[KEY] = "geen wijkcijfers in deze levering"
        return None
    items = [f for f in (_maps(annex, data),) if f is not None]
    n_ind = int(np.unique(data["indicator"]).size)
    return Section(
        KEY, "Wijken in één oogopslag",
        f"Per wijk de {common.count_word(n_ind)} wijkindicatoren in {annex.year}: de waarde, "
        f"en of de wijk significant beter of slechter scoort dan de rest van {annex.gemeente}.",
        figures=items, tables=[_matrix(annex, data)])
