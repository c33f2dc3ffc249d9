"""Catalogue-aware estimates: every indicator x wave (x domain) from the processed long table.

A thin layer over `survey.estimate_long`: the design (`survey_design`) is that of the delivery
(weights, strata, and the clusters and fpc when the codebook declares them), each indicator in
each wave is its own analysis, percentages are estimated as proportions
(logit intervals) and reported x100, and each row carries the indicator's label, kind and unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ivb_analysis import survey
from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.config import Settings
from ivb_analysis.survey import SurveyDesign, describe_design, estimate_long

SCALED_COLUMNS = ("estimate", "se", "ci_low", "ci_high")


def survey_design(
    long: pd.DataFrame, settings: Settings, *, design_by: Sequence[str] = ("indicator", "year"),
) -> SurveyDesign:
    """The design of a processed long table: weight, stratum, and psu / fpc when present.

    The columns are those `prepare` writes (`psu` and `fpc` only when the codebook's `design`
    names them); `settings.lonely_psu` is the lonely-PSU rule. Every combination of `design_by`
    (indicator x wave) is its own analysis.
    """
    columns = set(long.columns)
    return SurveyDesign(
        weight="weight", strata="stratum",
        psu="psu" if "psu" in columns else None, fpc="fpc" if "fpc" in columns else None,
        lonely_psu=settings.lonely_psu, design_by=tuple(design_by),
    )


def design_note(long: pd.DataFrame, settings: Settings) -> str:
    """The method note's Dutch sentence on the design actually used for this long table.

    E.g. 'Standaardfouten, intervallen en toetsen volgen het steekproefontwerp
    (Taylor-linearisering, zoals R survey): weging met steekproefgewichten, stratificatie naar
    ..., clustering: ... en eindige-populatiecorrectie ...'.
    """
    design = survey_design(long, settings)
    fraction = None
    if design.fpc and len(long):
        fraction = bool((long["fpc"] <= 1).all())
    own_strata = "stratum" in long.columns and "wijk_code" in long.columns and bool(
        (long.groupby("stratum")["wijk_code"].nunique(dropna=False) > 1).any()
        or long["stratum"].nunique() != long["wijk_code"].nunique())
    if len(long) and long["stratum"].nunique() <= 1:  # clusters without strata: one stratum
        design = design.replace(strata=None)
    return describe_design(
        design, strata_text="het steekproefstratum" if own_strata else "wijk",
        psu_text="de clusters van de levering", fpc_fraction=fraction)


def indicator_estimates(
    long: pd.DataFrame,
    settings: Settings,
    *,
    by: str | Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Design-based estimates per indicator, wave and optional domain (e.g. `by="wijk_code"`)."""
    catalogue = load_catalogue()
    chosen = list(indicators) if indicators is not None else catalogue.ids()
    for indicator_id in chosen:
        catalogue[indicator_id]  # unknown ids raise a clear InputError
    data = long[long["indicator"].isin(chosen)]
    if years is not None:
        data = data[data["year"].isin(list(years))]
    proportion = {i.id: i.is_proportion for i in catalogue.indicators.values()}
    data = data.assign(is_proportion=data["indicator"].map(proportion).astype(bool))
    result = estimate_long(
        data, design=survey_design(data, settings), value="value", by=by,
        min_n=settings.min_n, indicatief_n=settings.indicatief_n, proportion_col="is_proportion",
    )
    scale = result["indicator"].map({k: 100.0 if v else 1.0 for k, v in proportion.items()})
    for column in SCALED_COLUMNS:
        result[column] = result[column] * scale
    meta = pd.DataFrame(
        [(i.id, i.label, i.kind, i.unit, i.polarity) for i in catalogue.indicators.values()],
        columns=["indicator", "label", "kind", "unit", "polarity"],
    )
    result = result.merge(meta, on="indicator", how="left")
    order = {ind_id: k for k, ind_id in enumerate(catalogue.ids())}
    keys = ["year", *([by] if isinstance(by, str) else list(by or []))]
    return result.sort_values(keys, kind="stable").sort_values(
        "indicator", key=lambda s: s.map(order), kind="stable", ignore_index=True)


def lonely_strata(long: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The sampling strata with a single PSU per wave: what `settings.lonely_psu` acts on.

    Returns `year`, `stratum`, `n` (respondents: 1 unless the design has clusters) and
    `wijk_code` (the stratum's wijk, or the wijken of the stratum joined with ", "), one row per
    lonely stratum and wave; empty when there is none.
    Respondents without a value stay in the design, so the strata are the same for every
    indicator of a wave.
    """
    columns = ["year", "stratum", "n", "wijk_code"]
    if long.empty:
        return pd.DataFrame(columns=columns)
    first = long["indicator"].iloc[0]
    wave = long[long["indicator"] == first]  # every indicator has the same respondents
    lonely = survey.lonely_strata(wave, design=survey_design(wave, settings, design_by=("year",)))
    if lonely.empty:
        return pd.DataFrame(columns=columns)
    codes = wave.groupby(["year", "stratum"])["wijk_code"].agg(
        lambda s: ", ".join(sorted(s.dropna().astype(str).unique())))
    return lonely.assign(
        wijk_code=[codes.get((y, h), "") for y, h in zip(lonely["year"], lonely["stratum"],
                                                           strict=True)])[columns]


_LONELY_RULE_TEXT = {
    "certainty": "telt zo'n stratum niet mee in de standaardfout, alsof het volledig is "
                 "waargenomen",
    "adjust": "is zo'n stratum rond het gemiddelde van de gemeente "
              "gecentreerd in plaats van rond zijn eigen gemiddelde; dat geeft een wat ruimere, "
              "voorzichtige standaardfout",
    "average": "telt voor zo'n stratum de gemiddelde variantie van de andere strata mee",
    "fail": "is de standaardfout niet te schatten",
}


def lonely_psu_note(lonely: pd.DataFrame, rule: str, names: Mapping[str, str] | None = None
                    ) -> str | None:
    """The method note's Dutch sentence on lonely strata (None when there were none).

    `lonely` is the table of `lonely_strata`, `rule` the setting `lonely_psu`, `names` maps wijk
    codes to names for the text.
    """
    if lonely.empty:
        return None
    names = names or {}
    parts = []
    for year, rows in lonely.groupby("year", sort=True):
        wijken = [", ".join(names.get(c, c) for c in str(code).split(", ")) or f"stratum {h}"
                  for code, h in zip(rows["wijk_code"], rows["stratum"], strict=True)]
        parts.append(f"{int(year)}: {', '.join(wijken)}")
    count = len(lonely)
    subject = "één stratum" if count == 1 else f"{count} strata"
    unit = "respondent" if (lonely["n"] == 1).all() else "cluster (PSU)"  # clustered designs
    return (f"In {subject} had de steekproef maar één {unit} ({'; '.join(parts)}). "
            f"Voor de standaardfouten {_LONELY_RULE_TEXT[rule]} (regel lonely_psu = "
            f"\"{rule}\", zoals R survey.lonely.psu).")


def empty_domains(
    long: pd.DataFrame, wijken: pd.DataFrame, years: Sequence[int], *, by: str = "wijk_code",
) -> pd.DataFrame:
    """The wijken of the delivery's wijk list without a single respondent in a wave.

    `estimate_long` only knows domains that occur in the data, so such a wijk would vanish
    from tables and figures without a word; the annex lists these rows under the table
    ("niet getoond (0 respondenten)", `empty_domains_note`). `wijken` has the `by` column
    (and optionally `wijk_naam`). Returns `year`, the `by` column, `wijk_naam` when given and
    `n` (0), sorted.
    """
    names = [c for c in ("wijk_naam",) if c in wijken.columns]
    expected = wijken[[by, *names]].drop_duplicates(by)
    present = long.loc[long["year"].isin(list(years)), ["year", by]].drop_duplicates()
    rows = []
    for year in sorted(int(y) for y in years):
        seen = set(present.loc[present["year"] == year, by].dropna().astype(str))
        missing = expected[~expected[by].astype(str).isin(seen)]
        rows.append(missing.assign(year=year, n=0))
    columns = ["year", by, *names, "n"]
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.concat(rows, ignore_index=True)[columns]
    return out.sort_values(["year", by], ignore_index=True)


def empty_domains_note(empty: pd.DataFrame, year: int) -> str | None:
    """'Niet getoond (0 respondenten): Buitengebied, Woolde.' for one wave (None: none)."""
    rows = empty[empty["year"] == year]
    if rows.empty:
        return None
    label = "wijk_naam" if "wijk_naam" in rows.columns else rows.columns[1]
    return f"Niet getoond (0 respondenten): {', '.join(rows[label].astype(str))}."
