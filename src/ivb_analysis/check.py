"""`ivb check`: one report on a delivery before any run, built on `prepare.validate_delivery`.

Fouten are what would make the annex wrong (bad input, a code mapping the .sav's labels
contradict): the CLI exits 2. Everything else is a waarschuwing (the annex is right but the user
should know: an item treated as not asked, a wijk without population, a group member without
crime figures, years that do not cover the survey waves) or information (indicators per status,
respondents per wijk and wave with suppression and indicatief marked, the benchmark share p).
Nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ivb_analysis.catalogue import Catalogue, load_catalogue
from ivb_analysis.clean.indicators import ABSENT, AVAILABLE, PARTIAL, indicator_status
from ivb_analysis.clean.recode import decode
from ivb_analysis.config import Settings
from ivb_analysis.errors import InputError
from ivb_analysis.io.codebook import Codebook, read_codebook
from ivb_analysis.io.microdata import read_raw_survey
from ivb_analysis.io.sav_labels import LabelFinding, SavMeta, compare_labels

Level = Literal["fout", "waarschuwing", "info"]
SUPPRESSED = "onderdrukt"
INDICATIVE = "indicatief"


@dataclass(frozen=True)
class Finding:
    """One line of the report."""

    level: Level
    topic: str
    text: str


@dataclass
class CheckReport:
    """Everything `ivb check` found; `text()` for people, `to_dict()` for `--json`."""

    settings: Settings
    findings: list[Finding] = field(default_factory=list)
    indicators: pd.DataFrame | None = None   # indicator, label, status, items, missing items
    sample: pd.DataFrame | None = None       # year, wijk_code, wijk_naam, n, mark
    labels: list[LabelFinding] = field(default_factory=list)
    matched: dict[str, int] = field(default_factory=dict)  # .sav -> labelled codes that fit
    benchmark_share: float | None = None    # the setting (None: from the group's population)
    shares: pd.DataFrame | None = None       # p per wave as it will be used: year, share, source

    def add(self, level: Level, topic: str, text: str) -> None:
        self.findings.append(Finding(level, topic, text))

    def of(self, level: Level) -> list[Finding]:
        return [f for f in self.findings if f.level == level]

    @property
    def ok(self) -> bool:
        """No fout: the annex can be made from this delivery."""
        return not self.of("fout")

    def text(self) -> str:
        s = self.settings
        lines = [f"Controle van de levering {s.data_dir} ({s.gemeente_naam}, {s.gemeente_code}), "
                 f"meetjaren {', '.join(map(str, s.years))}", ""]
        for level, title in (("fout", "Fouten (de bijlage zou niet kloppen)"),
                             ("waarschuwing", "Waarschuwingen"), ("info", "Ter informatie")):
            found = self.of(level)
            if found:
                lines.append(f"{title}:")
                lines += [f"  - [{f.topic}] {f.text}" for f in found]
                lines.append("")
        if self.indicators is not None:
            lines += _indicator_lines(self.indicators)
        if self.sample is not None and not self.sample.empty:
            lines += _sample_lines(self.sample, s)
        lines += _share_lines(self)
        n_err, n_warn = len(self.of("fout")), len(self.of("waarschuwing"))
        lines.append("")
        lines.append("Conclusie: " + (
            f"{n_err} fout(en): los die eerst op; ivb run en ivb prepare weigeren deze levering."
            if n_err else "geen fouten; de bijlage kan gemaakt worden.")
            + (f" {n_warn} waarschuwing(en)." if n_warn else ""))
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict:
        s = self.settings
        return {
            "levering": str(s.data_dir), "gemeente": s.gemeente_code, "meetjaren": list(s.years),
            "ok": self.ok,
            "bevindingen": [{"niveau": f.level, "onderwerp": f.topic, "tekst": f.text}
                            for f in self.findings],
            "indicatoren": [] if self.indicators is None else _records(self.indicators),
            "respondenten": [] if self.sample is None else _records(self.sample),
            "labels": [{"variabele": f.variable, "item": f.item, "code": f.code,
                        "label": f.label, "oordeel": f.severity, "tekst": f.message}
                       for f in self.labels],
            "benchmark_share": self.benchmark_share,
            "benchmark_share_per_meetjaar": [] if self.shares is None else _records(self.shares),
        }


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values (JSON: no numpy types, no NaN)."""
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and np.isnan(v) else
                        v.item() if isinstance(v, np.generic) else v) for k, v in row.items()})
    return out


def _dutch(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def _share_lines(report: CheckReport) -> list[str]:
    s = report.settings
    setting = ("niet gezet: uit de bevolking van de groep" if report.benchmark_share is None
               else _dutch(report.benchmark_share, 4))
    lines = [f"Benchmark: aandeel p van {s.gemeente_naam} in de benchmark (deel-geheelcorrectie; "
             f"benchmark_share in ivb.yaml: {setting}; 0 = de benchmark bevat de gemeente niet)"]
    if report.shares is not None:
        lines.append("  gebruikt: " + "; ".join(
            f"{r.year} p = {_dutch(r.share, 4)} ({r.source})" for r in report.shares.itertuples()))
    return lines


def _indicator_lines(table: pd.DataFrame) -> list[str]:
    counts = table["status"].value_counts()
    lines = [f"Indicatoren: {counts.get(AVAILABLE, 0)} {AVAILABLE}, {counts.get(PARTIAL, 0)} "
             f"{PARTIAL}, {counts.get(ABSENT, 0)} {ABSENT}"]
    for row in table[table["status"] != AVAILABLE].itertuples():
        lines.append(f"  {row.indicator}: {row.status} ({row.items_present} van "
                     f"{row.items_total} items; ontbreekt: {row.missing_items})")
    return [*lines, ""]


def _sample_lines(sample: pd.DataFrame, settings: Settings) -> list[str]:
    years = sorted(sample["year"].unique())
    names = sample.drop_duplicates("wijk_code").set_index("wijk_code")["wijk_naam"]
    width = max(len(str(n)) for n in names) + 2
    lines = [f"Respondenten per wijk en meetjaar (onder {settings.min_n}: {SUPPRESSED}, onder "
             f"{settings.indicatief_n}: {INDICATIVE}):",
             "  " + "wijk".ljust(width) + "".join(str(y).rjust(18) for y in years)]
    cells = sample.set_index(["wijk_code", "year"])
    for code, name in names.items():
        row = "  " + str(name).ljust(width)
        for year in years:
            n, mark = cells.loc[(code, year), ["n", "mark"]]
            row += (f"{n} {mark}".strip()).rjust(18)
        lines.append(row)
    return [*lines, ""]


# --------------------------------------------------------------------------------------------


def check_delivery(settings: Settings) -> CheckReport:
    """Check a whole delivery without writing anything; never raises for bad input."""
    from ivb_analysis.prepare import validate_delivery

    catalogue = load_catalogue()
    share = settings.benchmark_share
    report = CheckReport(settings, benchmark_share=None if share is None else float(share))
    from ivb_analysis.deck.template import template_findings  # the deck's template (issue 24)
    for level, text in template_findings(settings):
        report.add(level, "sjabloon", text)  # type: ignore[arg-type]
    try:
        codebook = read_codebook(settings.path("codebook"), catalogue)
    except InputError as error:
        report.add("fout", "codeboek", str(error))
        return report
    _codebook_findings(report, codebook, catalogue)
    for year in settings.years:
        _wave_findings(report, codebook, catalogue, settings, year)
    if report.matched:
        counts = sorted(set(report.matched.values()))
        report.add("info", "labels", "gelabelde codes die na recode bij hun categorie passen: "
                   + (f"{counts[0]} in elk van de {len(report.matched)} .sav-bestanden"
                      if len(counts) == 1 else
                      ", ".join(f"{n} in {name}" for name, n in report.matched.items()))
                   + " (ivb check --json toont per code wat het label opleverde)")
    try:
        tables = validate_delivery(settings)
    except InputError as error:
        if error.message not in {f.text for f in report.of("fout")}:  # not twice
            report.add("fout", "levering", str(error))
        return report
    _indicator_findings(report, tables)
    _sample(report, tables, settings)
    _wijk_findings(report, tables)
    _group_findings(report, tables, settings)
    return report


def _codebook_findings(report: CheckReport, codebook: Codebook, catalogue: Catalogue) -> None:
    status = indicator_status(codebook.items_present, catalogue)
    labels = {i.id: i.label for i in catalogue.indicators.values()}
    status.insert(1, "label", status["indicator"].map(labels))
    present = codebook.items_present
    status["missing_items"] = [
        ", ".join(i for i in catalogue.indicators[ind].items if i not in present)
        for ind in status["indicator"]]
    report.indicators = status
    unmapped = codebook.unmapped(catalogue)
    if unmapped:
        report.add("waarschuwing", "codeboek",
                   f"{len(unmapped)} item(s) staan niet in het codeboek en niet onder not_asked; "
                   f"ze tellen als niet gevraagd: {', '.join(unmapped)}. Zet ze onder not_asked "
                   "als dat klopt, of koppel ze aan een variabele")
    if codebook.not_asked:
        report.add("info", "codeboek",
                   f"niet gevraagd (not_asked): {', '.join(codebook.not_asked)}")


def _wave_findings(report: CheckReport, codebook: Codebook, catalogue: Catalogue,
                   settings: Settings, year: int) -> None:
    """The .sav's labels against the codebook (all findings, not only the first), and items
    without a single valid answer in the wave."""
    path = settings.path("survey", year)
    try:
        raw = read_raw_survey(path)
    except InputError as error:
        report.add("fout", f"enquête {year}", str(error))
        return
    meta = raw.attrs.get("sav_meta")
    if isinstance(meta, SavMeta):
        present = {name: {int(c) for c in pd.to_numeric(raw[name], errors="coerce").dropna()
                          .unique() if float(c).is_integer()}
                   for name in codebook.variables if name in raw.columns}
        findings = compare_labels(codebook, catalogue, meta, present)
        known = {(f.variable, f.code, f.message) for f in report.labels}
        new = [f for f in findings if (f.variable, f.code, f.message) not in known]
        report.labels += new
        for f in new:
            if f.severity == "fout":
                report.add("fout", f"labels {path.name}", f.message)
            elif f.severity == "waarschuwing":
                report.add("waarschuwing", f"labels {path.name}", f.message)
        report.matched[path.name] = sum(f.severity == "ok" for f in findings)
    empty = []
    for name, spec in codebook.variables.items():
        if name not in raw.columns:
            continue
        values = pd.to_numeric(raw[name], errors="coerce")
        meaning = codebook.meaning(spec, catalogue.items[spec.item])
        if not np.isfinite(decode(values, meaning)).any():
            empty.append(f"{name} ({spec.item})")
    if empty:
        report.add("waarschuwing", f"enquête {year}",
                   f"geen enkel geldig antwoord in {path.name}: {', '.join(empty)}; niet "
                   "gesteld? Dan hoort het item onder not_asked")


def _indicator_findings(report: CheckReport, tables: dict[str, pd.DataFrame]) -> None:
    table = report.indicators
    assert table is not None
    absent = table[table["status"] == ABSENT]["indicator"].tolist()
    if absent:
        report.add("info", "indicatoren", f"niet in deze levering: {', '.join(absent)}")
    bench = tables.get("benchmark")
    compared = set() if bench is None else set(bench["indicator"])
    for row in table[table["status"] == PARTIAL].itertuples():
        text = (f"{row.indicator} wordt berekend op {row.items_present} van {row.items_total} "
                f"items (ontbreekt: {row.missing_items})")
        if row.indicator in compared:
            report.add("waarschuwing", "indicatoren",
                       text + "; de benchmark telt alle items: de vergelijking is gemarkeerd")
        else:
            report.add("info", "indicatoren", text)


def _sample(report: CheckReport, tables: dict[str, pd.DataFrame], settings: Settings) -> None:
    """Respondents per wijk and wave (every wijk of the wijk list, 0 when none)."""
    long = tables["survey_long"]
    wijken = tables["wijken"]
    counts = (long.drop_duplicates(["year", "resp_id"]).groupby(["year", "wijk_code"])
              .size().rename("n"))
    grid = pd.MultiIndex.from_product([sorted(settings.years), wijken["wijk_code"].tolist()],
                                      names=["year", "wijk_code"])
    sample = counts.reindex(grid, fill_value=0).reset_index()
    names = wijken.set_index("wijk_code")["wijk_naam"]
    sample.insert(2, "wijk_naam", sample["wijk_code"].map(names).fillna(sample["wijk_code"]))
    sample["mark"] = np.where(sample["n"] < settings.min_n, SUPPRESSED,
                              np.where(sample["n"] < settings.indicatief_n, INDICATIVE, ""))
    sample = sample.astype({"year": "int64", "n": "int64"})
    report.sample = sample
    for mark, limit in ((SUPPRESSED, settings.min_n), (INDICATIVE, settings.indicatief_n)):
        rows = sample[sample["mark"] == mark]
        if rows.empty:
            continue
        listed = "; ".join(f"{r.wijk_naam} {r.year} (n = {r.n})" for r in rows.itertuples())
        if len(rows) > 5:
            listed = f"{len(rows)} van {len(sample)} wijken x meetjaren (zie de tabel)"
        report.add("info", "steekproef", f"{mark} (n onder {limit}): {listed}")


def _wijk_findings(report: CheckReport, tables: dict[str, pd.DataFrame]) -> None:
    wijken = tables["wijken"]
    nameless = wijken[wijken["wijk_naam"].isna() | (wijken["wijk_naam"].str.strip() == "")]
    for row in nameless.itertuples():
        report.add("waarschuwing", "wijken", f"wijk {row.wijk} ({row.wijk_code}) heeft geen "
                   "naam in het wijkenbestand: figuren en tabellen tonen alleen de code")
    listed = set(wijken["wijk_code"])
    for name in ("crime", "population"):
        table = tables.get(name)
        if table is None:
            continue
        rows = table[table["region_level"] == "wijk"] if "region_level" in table else table
        extra = sorted(set(rows["region_code"]) - listed)
        if extra:
            report.add("waarschuwing", "wijken",
                       f"{', '.join(extra)} staat in de {_source(name)} maar niet in het "
                       "wijkenbestand: wordt alleen met de code getoond")
    population = tables.get("population")
    crime = tables.get("crime")
    if population is None or crime is None:
        return
    have = population[population["population"].notna()]
    missing: dict[str, list[int]] = defaultdict(list)
    for year in sorted(crime["year"].unique()):
        present = set(have.loc[have["year"] == year, "region_code"])
        for code in sorted(listed - present):
            missing[code].append(int(year))
    names = wijken.set_index("wijk_code")["wijk_naam"].dropna()
    for code, years in missing.items():
        name = str(names.get(code, "")).strip()
        report.add("waarschuwing", "wijken",
                   f"{f'{name} ({code})' if name else code} heeft geen bevolkingscijfer in "
                   f"{_years(years)}: geen misdrijven per 1.000 inwoners, en de wijk telt niet "
                   "mee in het gemeentecijfer")


def _source(name: str) -> str:
    return {"crime": "politiecijfers", "population": "bevolkingscijfers",
            "group_crime": "misdrijven per gemeente", "group_population":
            "bevolking per gemeente"}.get(name, name)


def _years(years: list[int]) -> str:
    return ", ".join(map(str, years))


def _group_findings(report: CheckReport, tables: dict[str, pd.DataFrame],
                    settings: Settings) -> None:
    """Group members without crime or population per year; years of the group and police
    files against the survey waves."""
    from ivb_analysis.benchmark import group_members

    waves = set(settings.years)
    for name in ("crime", "population", "group_crime", "group_population"):
        table = tables.get(name)
        if table is None:
            continue
        years = set(table["year"].astype(int))
        outside = sorted(waves - years)
        if outside:
            report.add("waarschuwing", "jaren",
                       f"de {_source(name)} ({min(years)}-{max(years)}) hebben geen cijfers voor "
                       f"meetjaar {_years(outside)}")
    try:
        members = group_members(settings.benchmark_group, tables.get("group_members"))
    except InputError as error:
        if "group_crime" in tables or "group_population" in tables:
            report.add("fout", "benchmarkgroep", str(error))
        members = None
    _share_findings(report, tables, settings, members)
    if members is None or ("group_crime" not in tables and "group_population" not in tables):
        return
    codes = sorted(set(members) | {settings.gemeente_code})
    names: dict[str, str] = {}
    for name in ("group_crime", "group_population"):
        if name in tables:
            names.update(zip(tables[name]["region_code"], tables[name]["region_name"],
                             strict=True))
    for name, value in (("group_crime", "count"), ("group_population", "population")):
        table = tables.get(name)
        if table is None:
            continue
        for year in sorted(table["year"].astype(int).unique()):
            rows = table[(table["year"] == year) & table[value].notna()]
            absent = [c for c in codes if c not in set(rows["region_code"])]
            if absent:
                who = ", ".join(f"{c} ({names[c]})" if c in names else c for c in absent)
                report.add("waarschuwing", "benchmarkgroep",
                           f"{year}: geen {_source(name)} voor {who} ({len(absent)} van "
                           f"{len(codes)} gemeenten; het groepsgemiddelde van {year} is "
                           "zonder hen berekend)")


def _share_findings(report: CheckReport, tables: dict[str, pd.DataFrame], settings: Settings,
                    members: list[str] | None) -> None:
    """The part-whole share p per wave as the annex will use it, beside the population share."""
    from ivb_analysis import benchmark

    population = tables.get("group_population")
    fixed = settings.benchmark_share
    # `benchmark.benchmark_shares` (the statistics side's rule, when present) decides what is used.
    rule = getattr(benchmark, "benchmark_shares", None)
    try:
        if rule is not None:
            report.shares = rule(settings.years, settings.gemeente_code, fixed=fixed,
                                 members=members or (), population=population)
        elif fixed is not None:
            report.shares = pd.DataFrame({"year": list(settings.years), "share": float(fixed),
                                          "source": "instelling"})
    except InputError as error:
        report.add("fout", "benchmark", f"aandeel p in de benchmark: {error}")
    if population is None or members is None:
        return
    shares = benchmark.population_share(population, settings.gemeente_code, members)
    shares = shares[shares["year"].isin(settings.years)]
    if shares.empty:
        return
    last = shares.iloc[-1]
    share = float(last["share"])
    report.add("info", "benchmark",
               f"bevolkingsaandeel van {settings.gemeente_naam} in de groep in "
               f"{int(last['year'])}: {_dutch(share, 4)}")
    if fixed is not None and fixed > 0 and abs(fixed - share) > 0.5 * share:
        report.add("waarschuwing", "benchmark",
                   f"benchmark_share {_dutch(fixed, 4)} wijkt sterk af van het "
                   f"bevolkingsaandeel {_dutch(share, 4)}; controleer de instelling")
