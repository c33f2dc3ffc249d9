"""Synthetic published aggregates: G32 benchmark, police crime, population, casework.

They are written in the layouts analysts receive: the benchmark as published values with 95%
intervals and n, crime in the CBS/Politie 47018NED layout (padded keys, `2023JJ00` periods,
`SoortMisdrijf` codes), population in the 85984NED (Kerncijfers wijken en buurten) layout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ivb_analysis.catalogue import Catalogue
from ivb_analysis.demo.profile import (
    CASEWORK_GEMEENTEN,
    CASEWORK_YEARS,
    CRIME_TYPES,
    G32_GAP,
    G32_RESPONDENTS,
    GEMEENTE_NAAM,
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


def population_85984(year: int) -> list[str]:
    """Population per wijk for one year in the 85984NED bulk layout (lines of text)."""
    growth = 1 - 0.0025 * (2024 - year)
    lines = ['"ID","WijkenEnBuurten","Gemeentenaam_1","SoortRegio_2","Codering_3",'
             '"AantalInwoners_5"']
    gemeente = f"{GEMEENTE_NAAM:<40}"
    wijk_pop = [round(w.population_2024 * growth / 5.0) * 5 for w in WIJKEN]
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
