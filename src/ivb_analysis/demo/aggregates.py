"""Synthetic published aggregates: G32 benchmark, police crime, population, casework, group.

They are written in the layouts analysts receive: the benchmark as published values with 95%
intervals and n, crime in the CBS/Politie 47018NED layout (padded keys, `2023JJ00` periods,
`SoortMisdrijf` codes), population in the 85984NED (Kerncijfers wijken en buurten) layout, and
for the benchmark group: a membership file like the compiled G32/G40 list, gemeente crime totals
as a StatLine 47013NED "download as CSV" and end-of-year population as a 37230ned download
(names only, no codes, as those exports are).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ivb_analysis.catalogue import Catalogue
from ivb_analysis.demo.profile import (
    CASEWORK_GEMEENTEN,
    CASEWORK_YEARS,
    CRIME_TYPES,
    DEMO_GROUP,
    G32_GAP,
    G32_RESPONDENTS,
    GEMEENTE_CODE,
    GEMEENTE_NAAM,
    GROUP_CRIME_EXTRA,
    GROUP_POPULATION_EXTRA,
    GROUP_RATE_2012,
    HENGELO_CASEWORK_2015,
    OVERLEG,
    POLICE_TOTAL,
    POLICE_YEARS,
    WIJKEN,
)


def _simple_estimates(long: pd.DataFrame) -> pd.DataFrame:
    """Weighted mean and a with-replacement SE per (year, indicator): enough to place the G32."""
    scored = long[long["value"].notna()]
    frame = scored.assign(wy=scored["weight"] * scored["value"])
    sums = frame.groupby(["year", "indicator"]).agg(w=("weight", "sum"), wy=("wy", "sum"),
                                                    n=("value", "size"))
    mean = sums["wy"] / sums["w"]
    resid = frame.join(mean.rename("mean"), on=["year", "indicator"])
    resid["z2"] = (resid["weight"] * (resid["value"] - resid["mean"])) ** 2
    var = resid.groupby(["year", "indicator"])["z2"].sum() / sums["w"] ** 2
    return pd.DataFrame({"estimate": mean, "se": np.sqrt(var), "n": sums["n"]}).reset_index()


def g32_benchmark(
    rng: np.random.Generator, long: pd.DataFrame, catalogue: Catalogue
) -> pd.DataFrame:
    """G32 values per wave and footprint indicator, placed relative to the gemeente's estimate.

    The gap is G32_GAP[year] standard errors of the difference (plus indicator noise) in the
    direction where the gemeente is better; the G32 interval comes from its larger sample.
    """
    est = _simple_estimates(long)
    rows = []
    for indicator in catalogue.footprint:
        scale = 100.0 if indicator.is_proportion else 1.0
        noise = rng.normal(0.0, 0.9)
        for year, gap in G32_GAP.items():
            hit = est[(est["year"] == year) & (est["indicator"] == indicator.id)]
            if hit.empty:
                continue
            h, se_h, n_h = (float(hit[c].iloc[0]) for c in ("estimate", "se", "n"))
            n_g = int(G32_RESPONDENTS * rng.uniform(0.9, 1.1) * n_h / hit["n"].max())
            se_g = se_h * np.sqrt(n_h / n_g) * 1.25
            direction = indicator.polarity if indicator.polarity != 0 else 1
            g = h - direction * (gap + noise + rng.normal(0, 0.5)) * np.hypot(se_h, se_g)
            digits = 1 if indicator.is_proportion else 2
            value = round(g * scale, digits)
            half = max(round(1.96 * se_g * scale, digits), 10.0**-digits)
            rows.append({"jaar": year, "indicator": indicator.id, "waarde": value,
                         "ondergrens": round(value - half, digits),
                         "bovengrens": round(value + half, digits), "n": n_g})
    return pd.DataFrame(rows).sort_values(["jaar", "indicator"], ignore_index=True)


def _wijk_weights() -> np.ndarray:
    """Share of crime per wijk: population times a risk from the wijk's nuisance/victim effects."""
    pop = np.array([w.population_2024 for w in WIJKEN], dtype=float)
    risk = np.exp([1.6 * w.effects["overlast"] + 0.8 * w.effects["slacht"] for w in WIJKEN])
    share = pop * risk
    return share / share.sum()


def police_47018(rng: np.random.Generator) -> list[str]:
    """Registered crime per wijk and year in the cbsodataR/47018NED CSV layout (lines of text)."""
    header = ('"","SoortMisdrijf","SoortMisdrijf_label","WijkenEnBuurten","WijkenEnBuurten_label",'
              '"Perioden","Perioden_Date","Perioden_freq","Perioden_label",'
              '"GeregistreerdeMisdrijven_1","Gemeentenaam_2","SoortRegio_3"')
    lines, row = [header], 1
    shares = _wijk_weights()
    types = [("0.0.0 ", "Totaal misdrijven", 1.0), *CRIME_TYPES]
    gemeente = f"{GEMEENTE_NAAM:<30}"
    for year in POLICE_YEARS:
        totals = rng.multinomial(POLICE_TOTAL[year], shares)
        for key, label, share in types:
            counts = totals if share == 1.0 else rng.binomial(totals, share)
            for wijk, count in zip(WIJKEN, counts, strict=True):
                lines.append(
                    f'"{row}","{key}","{label}","{wijk.code:<10}","Wijk {wijk.number:02d} '
                    f'{wijk.name}","{year}JJ00",{year}-01-01,"Y","{year}",{int(count)},'
                    f'"{gemeente}","{"Wijk":<8}"'
                )
                row += 1
    return lines


def _wijk_population(year: int) -> list[int]:
    """The demo's population per wijk in `year` (CBS rounds wijk figures to multiples of 5)."""
    growth = 1 - 0.0025 * (2024 - year)
    return [round(w.population_2024 * growth / 5.0) * 5 for w in WIJKEN]


def gemeente_population(year: int) -> int:
    """The gemeente's population in `year`: the sum of its wijken, as in the 85984NED file."""
    return sum(_wijk_population(year))


def population_85984(year: int) -> list[str]:
    """Population per wijk for one year in the 85984NED bulk layout (lines of text)."""
    lines = ['"ID","WijkenEnBuurten","Gemeentenaam_1","SoortRegio_2","Codering_3",'
             '"AantalInwoners_5"']
    gemeente = f"{GEMEENTE_NAAM:<40}"
    wijk_pop = _wijk_population(year)
    code = WIJKEN[0].code[:6].replace("WK", "GM")
    lines.append(f'0,"{code:<10}","{gemeente}","{"Gemeente":<10}","{code:<10}",{sum(wijk_pop)}')
    for i, (wijk, pop) in enumerate(zip(WIJKEN, wijk_pop, strict=True), 1):
        lines.append(f'{i},"{wijk.code:<10}","{gemeente}","{"Wijk":<10}","{wijk.code:<10}",{pop}')
    return lines


def casework(rng: np.random.Generator) -> pd.DataFrame:
    """Veiligheidshuis cases per type of overleg, gemeente and year (Hengelo 2015 from the seed)."""
    rows = []
    base = np.array(HENGELO_CASEWORK_2015, dtype=float)
    for year in CASEWORK_YEARS:
        trend = 1 + 0.04 * (year - 2015)
        for code, name, size in CASEWORK_GEMEENTEN:
            if name == GEMEENTE_NAAM and year == 2015:
                counts = HENGELO_CASEWORK_2015
            else:
                counts = tuple(int(c) for c in rng.poisson(base * size * max(trend, 0.5)))
            rows += [{"jaar": year, "gemeentecode": code, "gemeente": name, "overleg": overleg,
                      "aantal": count} for overleg, count in zip(OVERLEG, counts, strict=True)]
    return pd.DataFrame(rows)


# --- benchmark group (own RNG stream, so the files above stay byte-identical) -------------------


def group_membership() -> pd.DataFrame:
    """The demo's membership file, columns as the compiled G32/G40 list (minus dates)."""
    return pd.DataFrame({
        "gemeentecode": [code for code, *_ in DEMO_GROUP],
        "statline_naam": [name for _, name, *_ in DEMO_GROUP],
        "groep": ["G32" if g32 else "later" for _, _, g32, _ in DEMO_GROUP],
        "in_oorspronkelijke_G32_2009": ["ja" if g32 else "nee" for _, _, g32, _ in DEMO_GROUP],
    })


def _group_series(rng: np.random.Generator) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Population (end of year) and crime totals per StatLine name and police year.

    The gemeente's figures are its demo wijken summed (so its total equals the 47018NED file);
    the other members get an invented size, growth and crime level that follows the gemeente's
    downward trend with member-specific noise.
    """
    years = np.array(POLICE_YEARS)
    trend = np.array([POLICE_TOTAL[y] / POLICE_TOTAL[years[0]] for y in years]) ** 0.85
    population: dict[str, list[int]] = {}
    crime: dict[str, list[int]] = {}
    for code, name, _g32, size in DEMO_GROUP:
        if code == GEMEENTE_CODE:
            population[name] = [gemeente_population(int(y)) for y in years]
            crime[name] = [POLICE_TOTAL[int(y)] for y in years]
            continue
        assert size is not None
        growth = rng.uniform(-0.002, 0.012)
        inhabitants = np.round(size * (1 + growth) ** (years - years[0])).astype(int)
        level = GROUP_RATE_2012 * np.exp(rng.normal(0.0, 0.2))
        drift = rng.normal(0.0, 0.006)
        rate = level * trend * np.exp(drift * (years - years[0]) + rng.normal(0, 0.03, len(years)))
        population[name] = inhabitants.tolist()
        crime[name] = np.round(rate * inhabitants / 1000).astype(int).tolist()
    return population, crime


def _quoted(fields: list[str]) -> str:
    return ";".join(f'"{f}"' for f in fields)


def group_exports(rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """(47013NED crime export, 37230ned population export) as lines of text, names only."""
    population, crime = _group_series(rng)
    years = [str(y) for y in POLICE_YEARS]
    steps = np.arange(len(years))
    names = sorted(population)
    crime_lines = [
        _quoted(["Geregistreerde misdrijven en aangiften; soort misdrijf, gemeente"]),
        _quoted(["Soort misdrijf: Totaal misdrijven"]),
        _quoted([""]),
        _quoted(["Onderwerp", *["Geregistreerde misdrijven"] * len(years)]),
        _quoted(["Perioden", *years]),
        _quoted(["Regio's", *["aantal"] * len(years)]),
    ]
    extra_crime = {
        name: np.round(size * 1.004**steps * rate / 1000 * np.array(
            [POLICE_TOTAL[y] / POLICE_TOTAL[POLICE_YEARS[0]] for y in POLICE_YEARS]) ** 0.85)
        for name, size, rate in GROUP_CRIME_EXTRA
    }
    rows = [("Nederland", extra_crime["Nederland"]), *((n, crime[n]) for n in names),
            ("Oost-Nederland (RE)", extra_crime["Oost-Nederland (RE)"])]
    crime_lines += [_quoted([name, *(str(int(v)) for v in values)]) for name, values in rows]
    crime_lines.append(_quoted(["Bron: Politie"]))

    topic = "Bevolking aan het einde van de periode"
    population_lines = [
        _quoted(["Bevolkingsontwikkeling; regio per maand"]),
        _quoted([""]),
        _quoted(["", "", "", "Perioden"]),
        _quoted(["Regio's", "Onderwerp", "", *years]),
    ]
    extra_population = [(name, np.round(size * 1.004**steps)) for name, size in
                        GROUP_POPULATION_EXTRA]
    rows = [*extra_population, *((n, population[n]) for n in names)]
    population_lines += [_quoted([name, topic, "aantal", *(str(int(v)) for v in values)])
                         for name, values in rows]
    population_lines.append(_quoted(["Bron: CBS"]))
    return crime_lines, population_lines
