"""Helpers the section modules share: reader columns, judgements, notes built from settings."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ivb_analysis import defaults
from ivb_analysis.annex.interface import VERDICT
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.config import Settings
from ivb_analysis.tables import Column, dutch_number, dutch_percent


def estimate_columns(year: str | None) -> tuple[Column, ...]:
    heading = f"Waarde {year}" if year else "Waarde"
    return (Column("estimate", heading, "value", 11),
            Column("ci_low", "Ondergrens 95%", "value", 11),
            Column("ci_high", "Bovengrens 95%", "value", 11),
            Column("n", "n", "integer", 8),
            Column("n_eff", "Effectieve n", "integer", 10))


def shown(data: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Only rows a reader may see: suppressed rows (n < min_n) are dropped entirely."""
    keep = ~data["suppressed"].astype(bool) if "suppressed" in data.columns else \
        pd.Series(True, index=data.index)
    if "n" in data.columns:
        keep &= data["n"] >= min_n
    return data[keep].reset_index(drop=True)


def judgement(verdicts: pd.Series, reasons: pd.Series) -> list[str]:
    """beter / gelijk / slechter, or why a row was not tested."""
    out = []
    for verdict, reason in zip(verdicts, reasons, strict=True):
        if isinstance(verdict, str):
            out.append(verdict)
        elif isinstance(reason, str) and reason:
            out.append(f"niet getoetst ({reason})")
        else:
            out.append("niet getoetst")
    return out


def alpha_text(settings: Settings) -> str:
    """The significance level as readers see it ('5%')."""
    return defaults.alpha_text(settings.alpha)


def spans_break(years: list[int], method_break: int | None) -> bool:
    return method_break is not None and any(y < method_break for y in years) and any(
        y >= method_break for y in years)


def change_note(annex: Annex, earlier: list[int]) -> str:
    """The note under a table compared with `earlier` waves: the test for the waves on this
    side of the method break, and the break only where a comparison spans it."""
    s = annex.settings
    spanning = [y for y in earlier if spans_break([y, annex.year], s.method_break)]
    tested = [y for y in earlier if y not in spanning]
    parts = []
    if tested:
        parts.append(f"Verschil met {' en '.join(map(str, tested))} getoetst op "
                     f"{alpha_text(s)} met Benjamini-Hochberg-correctie; beter en slechter "
                     "houden rekening met wat gunstig is.")
    if spanning:
        parts.append(f"Met {' en '.join(map(str, spanning))} is niet getoetst: de "
                     f"Veiligheidsmonitor is in {s.method_break} vernieuwd (methodebreuk).")
    return " ".join(parts)


def add_comparisons(annex: Annex, est: pd.DataFrame, data: pd.DataFrame,
                    keys: list[str] | None = None) -> tuple[pd.DataFrame, list[Column]]:
    """Add, for every comparison wave y (previous, reference), `estimate_y`, `difference_y`,
    `p_adjusted_y`, `verdict_y`, `reason_y` and `judgement_y` to `data` (this year's rows of
    `est`, in order), each wave its own Benjamini-Hochberg family; returns the reader columns."""
    keys = keys or ["indicator"]
    columns: list[Column] = []
    order = pd.MultiIndex.from_frame(data[keys]) if len(keys) > 1 else data[keys[0]]
    for y in annex.comparison.waves:
        tested = annex.against(est, y, order, keys)
        # an earlier estimate below min_n is never shown (nor its difference)
        earlier = est[est["year"] == y].set_index(keys)
        hidden = (earlier["suppressed"].astype(bool) if "suppressed" in earlier.columns
                  else pd.Series(False, index=earlier.index)).reindex(order)
        hidden = hidden.fillna(False).astype(bool).to_numpy()
        data[f"estimate_{y}"] = np.where(hidden, np.nan, tested["estimate_reference"].to_numpy(
            dtype="float64", na_value=np.nan))
        data[f"difference_{y}"] = np.where(hidden, np.nan, tested["difference"].to_numpy(
            dtype="float64", na_value=np.nan))
        data[f"p_adjusted_{y}"] = tested["p_adjusted"].to_numpy()
        data[f"verdict_{y}"] = tested[VERDICT].to_numpy()
        data[f"reason_{y}"] = tested["reason"].to_numpy()
        data[f"judgement_{y}"] = judgement(data[f"verdict_{y}"], data[f"reason_{y}"])
        columns += [Column(f"estimate_{y}", f"Waarde {y}", "value", 11,
                           apart_from=("estimate", f"verdict_{y}")),
                    Column(f"judgement_{y}", f"{annex.year} t.o.v. {y}", "text", 18)]
    return data, columns


def share_note(settings: Settings, shares: pd.DataFrame, waves: Iterable[int]) -> str:
    """The part-whole correction in one sentence, with the value of p used in `waves` and where
    it comes from (the setting, or the population share in the group)."""
    waves = list(waves)
    used = shares[shares["year"].isin(waves)] if waves else shares
    if used.empty or (used["share"] == 0).all():
        return (f"De benchmark is berekend zonder {settings.gemeente_naam} (geen correctie "
                "deel-geheel nodig, p = 0).")
    if used["share"].nunique() == 1:
        values = dutch_percent(float(used["share"].iloc[0]) * 100, 1)
    else:
        values = ", ".join(f"{dutch_percent(float(r.share) * 100, 2)} in {int(r.year)}"
                           for r in used.itertuples())
    if used["source"].eq("instelling").all():
        origin = "vast aandeel uit de instellingen van de levering"
    elif used["source"].eq("1/k").all():
        origin = "1 gedeeld door het aantal gemeenten in de groep"
    else:
        origin = f"aandeel in de bevolking van de {group_name(settings)}"
    return (f"Omdat {settings.gemeente_naam} zelf in de {group_name(settings)} zit, is de "
            f"standaardfout van het verschil gecorrigeerd voor die deel-geheelrelatie (aandeel "
            f"van de gemeente p = {values}; {origin}).")


def group_name(settings: Settings) -> str:
    """'G32', or 'benchmarkgroep (5 gemeenten)' for a list of GM codes."""
    group = settings.benchmark_group
    if isinstance(group, str):
        return group
    return f"benchmarkgroep ({len(group)} gemeenten)"


def suppression_note(hidden: list[str], indicatief: bool, min_n: int,
                     indicatief_n: int) -> str:
    """Which wijken are left out (n < min_n), and what 'indicatief' means when it occurs."""
    parts = []
    if hidden:
        parts.append(f"Niet getoond (minder dan {min_n} respondenten): {join(hidden)}.")
    if indicatief:
        parts.append(f"Indicatief: uitkomst op {min_n} tot {indicatief_n} respondenten.")
    return " ".join(parts)


def missing_note(labels: list[str]) -> str:
    return (f"Niet in deze levering: {join(labels)}." if labels else "")


def unit_phrase(unit: str) -> str:
    return unit[0].upper() + unit[1:] if unit else unit


def crime_label(label: str) -> str:
    """'1.1.1 Diefstal/inbraak woning' -> 'Diefstal/inbraak woning'."""
    head, _, rest = label.partition(" ")
    return rest if head.replace(".", "").isdigit() and rest else label


def join(names: list[str]) -> str:
    names = [str(n) for n in names]
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"


def count_word(n: int) -> str:
    """Counts in running text as digits (no hard-coded 'negentien')."""
    return dutch_number(n, 0)


def remark_columns(frame: pd.DataFrame) -> tuple[Column, ...]:
    return (Column("remark", "Opmerking", "text", 14),) if (frame["remark"] != "").any() else ()
