"""Hoofdlijnen: the answer to "Waar staat <gemeente>?" on page 1, in a few plain sentences.

Built from the tested results of the other sections (never from untested numbers), each sentence
linked to its table row and naming the Benjamini-Hochberg family its judgement was corrected in:

1. the overall level and the position against the benchmark group (this year);
2. the tested development against the group (difference in differences);
3. registered crime per 1,000 inhabitants and the rank in the group (registrations: no test);
4. significant changes of the whole gemeente since the last comparable wave;
5. significant linear trends up to this year;
6. wijken that stand out: significantly better (or worse) than the rest on at least
   `MIN_INDICATORS` wijk indicators;
7. the focus wijk of the settings (`focus_wijk`, e.g. the Binnenstad) as its own block.

Documented rules for what page 1 leaves out: a wijk that differs from the rest on only one
indicator (it is in the wijk overview), changes of single wijken over time other than the focus
wijk (appendix wijktabellen), and comparisons across the method break (not tested; after a break
the first wave after it is the comparison wave, and the text says so).
"""

from __future__ import annotations

import html

import pandas as pd

from ivb_analysis import findings
from ivb_analysis.annex import common
from ivb_analysis.annex.interface import VERDICT
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.annex.model import Section
from ivb_analysis.annex.sections import footprint, wijkoverzicht
from ivb_analysis.annex.sections.comparable import Base, comparable_base
from ivb_analysis.tables import dutch_number, format_value, row_anchor

KEY = "hoofdlijnen"
MIN_INDICATORS = 2

# --- SOURCES: the sections and tables the key findings read. Which sections feed them, and how,
# is declared in the registry's specs (`SectionSpec.findings`: "gemeente", "wijk", "rest"); the
# tables named here are read for their own sentence (level, benchmark, police, trends). ---------
LEVEL_INDICATORS = ("rapportcijfer_leefbaarheid", "rapportcijfer_veiligheid",
                    "onveiligheid_buurt")
FOOTPRINT = footprint.KEY
TRENDS, TREND_TABLE = "trends", "trendtoets"
POLICE, POLICE_GROUP_TABLE, POLICE_WIJK_TABLE = "politie", "politie_groep", "politie"
WIJK_OVERVIEW = wijkoverzicht.KEY


def fed(annex: Annex, role: str) -> list[str]:
    """The keys of the sections that feed the key findings in `role`, in annex order."""
    return [spec.key for spec in annex.specs if spec.findings == role]


# ---------------------------------------------------------------------------------------------


def _section_table(annex: Annex, section: str, table: str | None = None):
    try:
        found = annex.section(section)
        return None if found is None else found.table(table)
    except KeyError:  # no such section in the registry, or no such table
        return None


def _value(annex: Annex, indicator: str, value: float) -> str:
    return format_value(value, annex.catalogue[indicator].kind)


def _label(annex: Annex, indicator: str) -> str:
    text = annex.catalogue[indicator].label
    return text[:1].lower() + text[1:]


def _short(annex: Annex, indicator: str) -> str:
    """'veiligheid' for 'Rapportcijfer veiligheid' (short labels in lists of wijken)."""
    return _label(annex, indicator).removeprefix("rapportcijfer ")


def _line(kind: str, text: str, anchor: str | None = None, family: str | None = None,
          theme: str = "hoofdlijn") -> findings.Finding:
    return findings.Finding(theme, kind, text, anchor, family)


# --- 1 and 2: level and the benchmark group -------------------------------------------------


def level(annex: Annex) -> findings.Finding | None:
    parts, first = [], None
    for i in LEVEL_INDICATORS:
        if not annex.delivered(i):
            continue
        value = annex.gemeente_value(i)
        if pd.isna(value):
            continue
        first = first or i
        spec = annex.catalogue[i]
        if spec.kind == "percentage":
            parts.append(f"{_value(annex, i, value)} {spec.unit.removeprefix('% ')}")
        else:
            parts.append(f"een {_value(annex, i, value)} voor "
                         f"{spec.label.lower().removeprefix('rapportcijfer ')}")
    if not parts:
        return None
    text = f"Inwoners geven in {annex.year} {common.join(parts[:2])}"
    text += f"; {parts[2]}." if len(parts) > 2 else "."
    return _line("niveau", text, row_anchor("kerncijfers", first))


def benchmark(annex: Annex) -> list[findings.Finding]:
    result = footprint.numbers(annex) if _section_table(annex, FOOTPRINT) is not None else None
    waves = annex.comparison.benchmark
    if result is None or not waves:
        return []
    group = common.group_name(annex.settings)
    counts = footprint.counts(result, waves)
    last = waves[-1]
    anchor = row_anchor(FOOTPRINT, result["indicator"].iloc[0])
    present = result[result["status"] != "niet in deze levering"]

    def names(column: str, word: str) -> str:
        labels = present.loc[present[column] == word, "label"].tolist()
        return f" ({common.join([str(x).lower() for x in labels])})" if 0 < len(labels) <= 4 \
            else ""

    text = (f"T.o.v. de {group} scoort {annex.gemeente} in {last} op "
            f"{counts[f'beter_{last}']} van de {counts['present']} indicatoren beter"
            f"{names(f'position_{last}', 'beter')}, op {counts[f'gelijk_{last}']} gelijk en op "
            f"{counts[f'slechter_{last}']} slechter{names(f'position_{last}', 'slechter')}")
    untested = counts[f"niet_getoetst_{last}"]
    text += f"; {untested} niet getoetst." if untested else "."
    out = [_line("positie", text, anchor,
                 f"BH over {counts['present']} indicatoren, {last}")]
    if len(waves) == 2:
        first = waves[0]
        _, judged = findings.footprint_sentence(counts, waves, group)
        if common.spans_break(list(waves), annex.settings.method_break):
            out.append(_line("ontwikkeling", f"De ontwikkeling {first}–{last} t.o.v. de {group} "
                             f"is niet getoetst: methodebreuk in {annex.settings.method_break}.",
                             anchor))
        else:
            worse = counts["slechter_development"]
            better = counts["beter_development"]
            if judged is not None:
                text = judged.text + (names("development", "slechter") if worse else "") + "."
                kind = judged.kind
            else:
                text = (f"De ontwikkeling {first}–{last} is op {worse} indicatoren significant "
                        f"slechter en op {better} beter dan die van de {group}; de positie "
                        f"t.o.v. de {group} verandert dus niet aantoonbaar.")
                kind = "stabiel"
            gelijk = counts["gelijk_development"]
            untested = counts["niet_getoetst_development"]
            text += f" Gelijk: {gelijk}" + (f"; niet getoetst: {untested}." if untested
                                             else ".")
            out.append(_line(kind, text, anchor,
                             f"BH over {counts['present']} ontwikkelingen"))
    return out


# --- 3: registered crime ---------------------------------------------------------------------


def crime(annex: Annex) -> findings.Finding | None:
    table = _section_table(annex, POLICE, POLICE_GROUP_TABLE)
    group = common.group_name(annex.settings)
    if table is not None:
        data = table.data[table.data["year"] == annex.year]
        if len(data):
            row = data.iloc[0]
            text = (f"De politie registreerde in {annex.year} "
                    f"{dutch_number(row['rate_per_1000'], 1)} misdrijven per 1.000 inwoners, "
                    f"tegen {dutch_number(row['group_rate_per_1000'], 1)} in de {group}")
            if isinstance(row.get("rank_text"), str) and row["rank_text"]:
                text += (f": plaats {row['rank_text']} in de {group} (1 = de meeste "
                         "misdrijven per inwoner)")
            return _line("politie", text + ". Registraties, geen steekproef: geen toets.",
                         row_anchor(POLICE_GROUP_TABLE, annex.year))
    wijken_table = _section_table(annex, POLICE, POLICE_WIJK_TABLE)
    if wijken_table is None or "rate_total" not in wijken_table.shown.columns:
        return None
    total = wijken_table.shown[wijken_table.shown["wijk_code"] == annex.settings.gemeente_code]
    if total.empty or pd.isna(total["rate_total"].iloc[0]):
        return None
    reason = annex.skipped.get(POLICE_GROUP_TABLE, "geen groepscijfers")
    return _line("politie", f"De politie registreerde in {annex.year} "
                 f"{dutch_number(total['rate_total'].iloc[0], 1)} misdrijven per 1.000 "
                 f"inwoners (geen vergelijking met de {group}: {reason}). Registraties, geen "
                 "steekproef: geen toets.",
                 row_anchor(POLICE_WIJK_TABLE, annex.settings.gemeente_code))


# --- 4 and 5: changes and trends of the whole gemeente ----------------------------------------


def _changes(annex: Annex, base: Base) -> tuple[pd.DataFrame, list[str]]:
    """The gemeente's indicators of every section fed as "gemeente" tested against `base.year`,
    each table its own BH family (as the tables themselves)."""
    frames, tables = [], []
    est = annex.gemeente_estimates
    est = est[est["year"].isin([base.year, annex.year])]
    for key in fed(annex, "gemeente"):
        table = _section_table(annex, key)
        if table is None:
            continue
        ids = [i for i in table.data["indicator"].dropna().unique()
               if i in set(est["indicator"])]
        part = est[est["indicator"].isin(ids)]
        order = pd.Index(ids, name="indicator")
        tested = annex.against(part, base.year, order).reset_index()
        frames.append(tested.assign(table=key, table_title=table.title))
        tables.append(key)
    if not frames:
        return pd.DataFrame(), tables
    return pd.concat(frames, ignore_index=True).drop_duplicates("indicator"), tables


def changes(annex: Annex, base: Base) -> findings.Finding | None:
    if base.year is None:
        return _line("verandering", f"Geen vergelijking in de tijd: {base.phrase}.")
    tested, tables = _changes(annex, base)
    if tested.empty:
        return None
    significant = tested[tested[VERDICT].isin(["beter", "slechter"])]
    parts = []
    for row in significant.itertuples(index=False):
        word = "gestegen" if row.difference > 0 else "gedaald"
        parts.append(f"{_label(annex, row.indicator)} {word} van "
                     f"{_value(annex, row.indicator, row.estimate_reference)} naar "
                     f"{_value(annex, row.indicator, row.estimate)} ({getattr(row, VERDICT)})")
    gelijk = int((tested[VERDICT] == "gelijk").sum())
    untested = int((~tested[VERDICT].isin(["beter", "slechter", "gelijk"])).sum())
    head = f"Heel {annex.gemeente}, {base.phrase}: "
    rest = f"; niet getoetst: {untested}" if untested else ""
    if parts:
        text = head + "; ".join(parts) + f". Gelijk gebleven: {gelijk} indicatoren{rest}."
        kind = "verandering"
    else:
        text = head + f"geen significante verandering ({gelijk} indicatoren gelijk{rest})."
        kind = "stabiel"
    anchor = (row_anchor(str(significant["table"].iloc[0]), significant["indicator"].iloc[0])
              if len(significant) else row_anchor(tables[0], tested["indicator"].iloc[0]))
    return _line(kind, text, anchor,
                 "BH per tabel (" + " en ".join(tables) + f"), verschil met {base.year}")


def trends(annex: Annex) -> findings.Finding | None:
    table = _section_table(annex, TRENDS, TREND_TABLE)
    if table is None:
        return None
    data = table.data[table.data["last_year"] == annex.year]
    if data.empty:
        brk = annex.settings.method_break
        since = [y for y in annex.waves if brk is not None and y >= brk]
        if since and len(since) < 3:
            return _line("stabiel", f"Geen trendtoets: sinds de methodebreuk van {brk} zijn er "
                         f"{len(since)} metingen, voor een trend zijn er minstens 3 nodig.")
        return None
    period = f"{int(data['first_year'].min())}–{annex.year}"
    significant = data[data[VERDICT].isin(["beter", "slechter"])]
    if significant.empty:
        return _line("stabiel", f"Geen significante trend over {period} ({len(data)} reeksen "
                     "getoetst).", row_anchor(TREND_TABLE, data["row"].iloc[0]),
                     "BH over de trendreeksen")
    parts = [f"{_short(annex, r.indicator)} {'stijgt' if r.difference > 0 else 'daalt'} "
             f"({getattr(r, VERDICT)})" for r in significant.itertuples(index=False)]
    return _line("trend", f"Significante trend {period}: {common.join(parts)}; op "
                 f"{len(data) - len(significant)} andere reeksen geen significante trend.",
                 row_anchor(TREND_TABLE, significant["row"].iloc[0]),
                 "BH over de trendreeksen")


# --- 6: wijken that stand out ----------------------------------------------------------------


def _against_rest(annex: Annex, indicator: str, estimate: float, rest: float) -> str:
    """'4,8 tegen 3,1'; the wijk's value alone where the rest of the gemeente is not published
    (beside a hidden wijk, `suppression.without_rest`)."""
    shown = _value(annex, indicator, estimate)
    return shown if pd.isna(rest) else f"{shown} tegen {_value(annex, indicator, rest)}"


def _compared(annex: Annex, rows: pd.DataFrame) -> str:
    return common.join([f"{_short(annex, r.indicator)} "
                        f"({_against_rest(annex, r.indicator, r.estimate, r.estimate_rest)})"
                        for r in rows.itertuples(index=False)])


def wijken(annex: Annex) -> list[findings.Finding]:
    if WIJK_OVERVIEW not in fed(annex, "wijk") or _section_table(annex, WIJK_OVERVIEW) is None:
        return []
    out = []
    focus = focus_code(annex)
    standing = wijkoverzicht.standing_out(annex, MIN_INDICATORS)
    for verdict, kind in (("slechter", "aandachtspunt"), ("beter", "positief")):
        part = standing[(standing["verdict"] == verdict) & (standing["wijk_code"] != focus)]
        if part.empty:
            continue
        part = part.assign(size=[len(r) for r in part["rows"]]).sort_values(
            "size", ascending=False, kind="stable")
        texts = [f"{r.wijk_naam} ({len(r.rows)}: "
                 f"{', '.join(_short(annex, i) for i in r.rows['indicator'])})"
                 if verdict == "slechter" else f"{r.wijk_naam} ({len(r.rows)})"
                 for r in part.itertuples(index=False)]
        head = ("Wijken die aandacht vragen (significant slechter dan de rest van "
                if verdict == "slechter" else
                "Wijken die er gunstig uitspringen (significant beter dan de rest van ")
        out.append(_line(kind, f"{head}{annex.gemeente} op minstens {MIN_INDICATORS} van de "
                         "wijkindicatoren): " + "; ".join(texts) + ".",
                         row_anchor(WIJK_OVERVIEW, part["wijk_code"].iloc[0]),
                         wijkoverzicht.FAMILY))
    return out


# --- 7: the focus wijk ----------------------------------------------------------------------


def focus_code(annex: Annex) -> str | None:
    """The wijk code of `Settings.focus_wijk` (a name or a code), None when unset or unknown."""
    wanted = annex.settings.focus_wijk
    if not wanted:
        return None
    w = annex.wijken
    hit = w[(w["wijk_code"].astype(str) == str(wanted))
            | (w["wijk_naam"].astype(str).str.casefold() == str(wanted).casefold())]
    return str(hit["wijk_code"].iloc[0]) if len(hit) else None


def focus(annex: Annex, base: Base) -> tuple[str, list[findings.Finding]]:
    code = focus_code(annex)
    if code is None:
        return "", []
    data = wijkoverzicht.tested(annex)
    mine = data[data["wijk_code"] == code] if not data.empty else data
    names = annex.wijken.set_index(annex.wijken["wijk_code"].astype(str))["wijk_naam"]
    name = str(names.get(code, code))
    out = []
    if len(mine):
        parts = []
        for verdict in ("slechter", "beter"):
            rows = mine[mine[VERDICT] == verdict]
            if len(rows):
                parts.append(f"{verdict} op {_compared(annex, rows)}")
        gelijk = int((mine[VERDICT] == "gelijk").sum())
        text = (f"T.o.v. de rest van {annex.gemeente}: " + "; ".join(parts)
                + f"; gelijk op {gelijk}." if parts else
                f"Op geen van de wijkindicatoren significant anders dan de rest van "
                f"{annex.gemeente} (gelijk op {gelijk}).")
        out.append(_line("focus", text, row_anchor(WIJK_OVERVIEW, code), wijkoverzicht.FAMILY))
    if base.year is not None:
        change = _focus_changes(annex, code, base)
        if change is not None:
            out.append(change)
    victims_key = next(iter(fed(annex, "rest")), None)
    victims = _section_table(annex, victims_key) if victims_key else None
    if victims is not None:
        rows = victims.data[(victims.data["wijk_code"] == code)
                            & victims.data[VERDICT].isin(["beter", "slechter"])]
        if len(rows):
            parts = [f"{_label(annex, r.indicator)} "
                     f"{_against_rest(annex, r.indicator, r.estimate, r.estimate_rest)} "
                     f"({getattr(r, VERDICT)})" for r in rows.itertuples(index=False)]
            out.append(_line("focus", "Slachtoffer t.o.v. de rest: "
                             + common.join(parts) + ".",
                             row_anchor(victims_key, code),
                             "BH per delict over de wijken"))
    police = _section_table(annex, POLICE, POLICE_WIJK_TABLE)
    if police is not None and "rate_total" in police.shown.columns:
        rows = police.shown[police.shown["wijk_code"] == code]
        total = police.shown[police.shown["wijk_code"] == annex.settings.gemeente_code]
        if len(rows) and pd.notna(rows["rate_total"].iloc[0]):
            text = (f"Misdrijven: {dutch_number(rows['rate_total'].iloc[0], 1)} per 1.000 "
                    "inwoners")
            if len(total):
                text += f" (heel {annex.gemeente} {dutch_number(total['rate_total'].iloc[0], 1)})"
            text += ("; let op: misdrijven tegen bezoekers, winkels en horeca tellen mee, de "
                     "bezoekers niet als inwoner: dit overschat het risico voor een bewoner.")
            out.append(_line("focus", text, row_anchor(POLICE_WIJK_TABLE, code)))
    return name, out


def _focus_changes(annex: Annex, code: str, base: Base) -> findings.Finding | None:
    """The focus wijk against its own comparable wave: each indicator one BH family over the
    wijken (as in the appendix tables)."""
    history = annex.wijk_estimates_for(annex.selections.wijk_indicators,
                                       sorted({base.year, annex.year}))
    if history.empty:
        return None
    parts, gelijk = [], 0
    for indicator in [i for i in annex.selections.wijk_indicators if annex.delivered(i)]:
        est = history[history["indicator"] == indicator]
        shown = est[(est["year"] == annex.year) & ~est["suppressed"].astype(bool)]
        if code not in set(shown["wijk_code"]):
            continue
        order = pd.MultiIndex.from_frame(shown[["indicator", "wijk_code"]])
        tested = annex.against(est, base.year, order, ["indicator", "wijk_code"])
        row = tested.loc[(indicator, code)]
        verdict = row[VERDICT]
        if verdict in ("beter", "slechter"):
            word = "gestegen" if row["difference"] > 0 else "gedaald"
            parts.append(f"{_short(annex, indicator)} {word} van "
                         f"{_value(annex, indicator, row['estimate_reference'])} naar "
                         f"{_value(annex, indicator, row['estimate'])} ({verdict})")
        elif verdict == "gelijk":
            gelijk += 1
    head = f"{base.phrase[:1].upper()}{base.phrase[1:]}: "
    text = (head + "; ".join(parts) + f"; gelijk op {gelijk}." if parts else
            head + f"geen significante verandering (gelijk op {gelijk}).")
    return _line("focus", text, row_anchor(f"wijk_{annex.selections.wijk_indicators[0]}", code),
                 f"BH per indicator over de wijken, verschil met {base.year}")


# --- the section -----------------------------------------------------------------------------


def collect(annex: Annex) -> tuple[list[findings.Finding], str, list[findings.Finding]]:
    """The page-1 sentences, the focus wijk's name and its block."""
    base = comparable_base(annex)
    lines = [level(annex), *benchmark(annex), crime(annex), changes(annex, base),
             trends(annex), *wijken(annex)]
    name, block = focus(annex, base)
    return [x for x in lines if x is not None], name, block


def _item(finding: findings.Finding) -> str:
    text = html.escape(finding.text)
    if finding.anchor:
        text = f'<a href="#{html.escape(finding.anchor)}">{text}</a>'
    if finding.family:
        text += (' <span class="familie" style="font-size: 8pt; color: #555;">'
                 f"[{html.escape(finding.family)}]</span>")
    return f"<li>{text}</li>"


def build(annex: Annex) -> Section:
    lines, name, block = collect(annex)
    parts = ['<ul class="hoofdlijnen">' + "".join(map(_item, lines)) + "</ul>"]
    if block:
        parts.append(f'<div class="thema"><h4>{html.escape(name)}</h4><ul>'
                     + "".join(map(_item, block)) + "</ul></div>")
    base = comparable_base(annex)
    text = (f"Waar staat {annex.gemeente} in {annex.year}? Alleen getoetste oordelen "
            f"({base.phrase}); tussen [ ] de toetsen waarover de Benjamini-Hochberg-correctie "
            "(BH) liep. Elke zin verwijst naar zijn tabelrij.")
    return Section(KEY, "Hoofdlijnen", text, html="".join(parts))
