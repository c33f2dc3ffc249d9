"""Hoofdlijnen: the key findings first, per theme "Positief" / "Aandachtspunten" / stabiel.

Built from the tested results of the other sections (never from untested numbers): the
gemeente's indicators and slachtofferschap against the main comparison wave, each wijk against
its own earlier wave, slachtofferschap per wijk against the rest, and the footprint's counts.
Every bullet links to the table row it comes from.
"""

from __future__ import annotations

import html

import pandas as pd

from ivb_analysis import findings
from ivb_analysis.annex import common
from ivb_analysis.annex.interface import VERDICT
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.annex.sections import footprint
from ivb_analysis.tables import AnnexTable, row_anchor

KEY = "hoofdlijnen"


def _frame(annex: Annex, table: AnnexTable, year: int | None, where: str | None = None,
           verdict: str | None = None, earlier: str | None = None) -> pd.DataFrame:
    data = table.data
    verdict = verdict or f"verdict_{year}"
    earlier = earlier or f"estimate_{year}"
    if verdict not in data.columns or table.row_key is None:
        return pd.DataFrame(columns=[*findings.COLUMNS, "where"])
    data = data[data["estimate"].notna()]
    return pd.DataFrame({
        "anchor": [row_anchor(table.key, v) for v in data[table.row_key]],
        "theme": data["indicator"].map(lambda i: annex.catalogue[i].theme),
        "label": data["label"],
        "kind": data["kind"],
        "estimate": data["estimate"].astype(float),
        "estimate_earlier": data[earlier].astype(float),
        "verdict": data[verdict],
        "where": data[where] if where else None,
        "indicator": data["indicator"],
    })


def collect(annex: Annex) -> tuple[list[findings.Finding], dict[str, list[str]], str]:
    """The bullets, the stable indicators per theme and the footprint sentence."""
    base = annex.comparison.main
    bullets: list[findings.Finding] = []
    stable: dict[str, list[str]] = {}
    group = common.group_name(annex.settings)
    sentence = ""
    result = footprint.numbers(annex)
    if result is not None:
        sentence, finding = findings.footprint_sentence(
            footprint.counts(result, annex.comparison.benchmark), annex.comparison.benchmark,
            group)
        if finding is not None:
            bullets.append(finding)
    if base is not None:
        frames = []
        for spec in annex.specs:
            section = annex.section(spec.key) if spec.findings == "gemeente" else None
            if section is not None:
                frames.append(_frame(annex, section.table(), base))
        gemeente = pd.concat(frames, ignore_index=True).drop_duplicates("indicator")
        bullets += findings.change_findings(gemeente, annex.year, base)
        stable = findings.stable(gemeente)
        for spec in annex.specs:
            section = annex.section(spec.key) if spec.findings == "wijk" else None
            if section is not None:
                wijk = _frame(annex, section.table(), base, where="wijk_naam")
                bullets += findings.change_findings(wijk, annex.year, base)
    for spec in annex.specs:
        victims = annex.section(spec.key) if spec.findings == "rest" else None
        if victims is None:
            continue
        per_wijk = _frame(annex, victims.table(), None, where="wijk_naam", verdict=VERDICT,
                          earlier="estimate_rest")
        bullets += findings.difference_findings(per_wijk, "de rest van de gemeente",
                                                annex.year)
    return bullets, stable, sentence


def _bullet(finding: findings.Finding) -> str:
    text = html.escape(finding.text)
    if finding.anchor:
        text = f'<a href="#{html.escape(finding.anchor)}">{text}</a>'
    return f"<li>{text}</li>"


def build(annex: Annex) -> Section:
    bullets, stable, sentence = collect(annex)
    themes = {"benchmark": f"Positie ten opzichte van de {common.group_name(annex.settings)}",
              **annex.selections.themes}
    parts = [f'<p class="footprint-zin">{html.escape(sentence)}</p>'] if sentence else []
    for theme, heading in themes.items():
        mine = [b for b in bullets if b.theme == theme]
        good = [b for b in mine if b.kind == "positief"]
        bad = [b for b in mine if b.kind == "aandachtspunt"]
        calm = stable.get(theme, [])
        if not (good or bad or calm):
            continue
        block = [f"<h4>{html.escape(heading)}</h4>"]
        if good:
            block.append(f'<p class="kop">{findings.POSITIVE}</p><ul>'
                         + "".join(map(_bullet, good)) + "</ul>")
        if bad:
            block.append(f'<p class="kop">{findings.ATTENTION}</p><ul>'
                         + "".join(map(_bullet, bad)) + "</ul>")
        if calm:
            names = common.join([c[:1].lower() + c[1:] for c in calm])
            block.append(f"<p>{findings.STABLE} voor heel {html.escape(annex.gemeente)}: "
                         f"{html.escape(names)}.</p>")
        parts.append('<div class="thema">' + "".join(block) + "</div>")
    base = annex.comparison.main
    text = (f"De belangrijkste uitkomsten voor {annex.gemeente} in {annex.year}"
            + (f", vergeleken met {base}" if base is not None else "")
            + ". Alleen verschillen die significant zijn (na Benjamini-Hochberg-correctie) "
            "staan hier als positief of aandachtspunt; de rest is stabiel. Elke regel verwijst "
            "naar de tabelrij waar het cijfer staat.")
    return Section(KEY, "Hoofdlijnen", text, html="".join(parts))
