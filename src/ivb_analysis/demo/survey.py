"""Synthetic Veiligheidsmonitor microdata: one SPSS-like wave per year, stratified by wijk.

Answers come from latent theme scores (wijk effect + wave effect + a person factor + noise) cut into
the items' answer categories, so indicators correlate as in real data. Missing codes (98 weet niet,
99 geen antwoord) and filter skips (97 niet gevraagd) appear as in a real delivery.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from ivb_analysis.catalogue import Catalogue
from ivb_analysis.demo.profile import BINNENSTAD_YEAR_EFFECTS, THEMES, WIJKEN, YEAR_EFFECTS

MISSING_CODES = {98: "weet niet", 99: "geen antwoord"}
SKIP_CODE = 97
SKIP_LABEL = "niet gevraagd (filtervraag)"

# canonical item -> raw variable name in the delivery (a codebook maps them back)
RAW_NAMES: dict[str, str] = {
    "rc_leefbaarheid": "rapcijf_leefb",
    "rc_veiligheid": "rapcijf_veil",
    "buurt_ontwikkeling": "buurt_ontw",
    **{f"gem_{k}": f"gem_{i}" for i, k in
       enumerate(["aandacht", "informeert", "betrekt", "reageert", "doet_genoeg"], 1)},
    **{f"coh_{k}": f"cohes_{i}" for i, k in
       enumerate(["kennen", "omgang", "thuis", "gezellig", "contact"], 1)},
    **{f"fv_{k}": f"voorz_{i}" for i, k in
       enumerate(["wegen", "groen", "verlichting", "speelplekken", "jongeren"], 1)},
    "onv_algemeen": "onv_alg",
    "onv_buurt": "onv_buurt",
    "pol_tevreden_contact": "pol_tevr",
    "pol_functioneren": "pol_funct",
    **{f"prev_{k}": f"prev_{i}" for i, k in
       enumerate(["verlichting", "waardevol", "fiets", "slot"], 1)},
}
# overlast forms: (form, theme, P(vaak), P(soms))
OVERLAST_FORMS = (
    ("graffiti", "overlast", 0.06, 0.22), ("rommel", "overlast", 0.18, 0.40),
    ("hondenpoep", "overlast", 0.27, 0.40), ("vernieling", "overlast", 0.07, 0.25),
    ("dronken", "sociaal", 0.04, 0.14), ("drugs", "sociaal", 0.06, 0.14),
    ("jongeren", "sociaal", 0.09, 0.25), ("buurtbewoners", "sociaal", 0.06, 0.18),
    ("hardrijden", "overlast", 0.33, 0.38), ("parkeren", "overlast", 0.18, 0.30),
    ("agressief_verkeer", "overlast", 0.10, 0.28), ("geluid", "overlast", 0.08, 0.27),
    ("horeca", "sociaal", 0.02, 0.06),
)
for _i, (_form, *_rest) in enumerate(OVERLAST_FORMS, 1):
    RAW_NAMES[f"ovf_{_form}"] = f"ovl_vk_{_i:02d}"
    RAW_NAMES[f"ovh_{_form}"] = f"ovl_hi_{_i:02d}"
# victimisation: (item, base yearly prevalence)
VICTIM_ITEMS = (
    ("sl_inbraak", 0.015), ("sl_poging_inbraak", 0.025), ("sl_fietsdiefstal", 0.06),
    ("sl_diefstal_uit_auto", 0.03), ("sl_overige_diefstal", 0.04), ("sl_mishandeling", 0.012),
    ("sl_bedreiging", 0.04), ("sl_vernieling_auto", 0.05), ("sl_vernieling_overig", 0.03),
)
for _i, (_item, _p) in enumerate(VICTIM_ITEMS, 1):
    RAW_NAMES[_item] = f"slo_{_i:02d}"
# share of 'weet niet' per item (others get 2%), 'geen antwoord' is 1% everywhere
DONT_KNOW = {"fv_jongeren": 0.15, "fv_speelplekken": 0.10, "pol_functioneren": 0.20,
             "gem_aandacht": 0.12, "gem_informeert": 0.12, "gem_betrekt": 0.14,
             "gem_reageert": 0.18, "gem_doet_genoeg": 0.12, "rc_leefbaarheid": 0.005,
             "rc_veiligheid": 0.01}
LIKERT_CUTS = np.array([-1.5, -0.6, 0.3, 1.4])


def _likert(x: np.ndarray) -> np.ndarray:
    """Latent agreement -> 1 helemaal eens ... 5 helemaal oneens."""
    return (5 - np.searchsorted(LIKERT_CUTS, x)).astype("float64")


def _ordinal(x: np.ndarray, probabilities: tuple[float, ...]) -> np.ndarray:
    """Standard-normal latent -> categories 1..k with the given top-down probabilities."""
    upper = 1.0 - np.cumsum(probabilities)
    cuts = norm.ppf(upper[::-1])  # increasing thresholds
    return (len(probabilities) + 1 - np.searchsorted(cuts, x)).astype("float64")


def _latents(rng: np.random.Generator, wijk_idx: np.ndarray, year: int) -> dict[str, np.ndarray]:
    n = len(wijk_idx)
    person = rng.standard_normal(n)
    out = {}
    for theme in THEMES:
        shift = np.array([w.effects[theme] for w in WIJKEN])[wijk_idx] + YEAR_EFFECTS[year][theme]
        shift = shift + np.where(wijk_idx == 0, BINNENSTAD_YEAR_EFFECTS[year][theme], 0.0)
        out[theme] = shift + 0.55 * person + 0.835 * rng.standard_normal(n)
    return out


def _answers(rng: np.random.Generator, lat: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    n = len(lat["leef"])
    e = lambda: rng.standard_normal(n)  # noqa: E731 - local shorthand for item noise
    a: dict[str, np.ndarray] = {}
    a["rc_leefbaarheid"] = np.clip(np.rint(7.45 + 1.0 * lat["leef"] + 0.35 * e()), 1, 10)
    a["rc_veiligheid"] = np.clip(
        np.rint(7.25 + 0.9 * lat["veilig"] - 0.25 * lat["overlast"] + 0.35 * e()), 1, 10)
    a["buurt_ontwikkeling"] = _ordinal(0.3 * -lat["leef"] + 0.95 * e(), (0.10, 0.70))
    for item, offset in (("aandacht", 0.4), ("informeert", 0.05), ("betrekt", -0.25),
                         ("reageert", 0.1), ("doet_genoeg", 0.2)):
        a[f"gem_{item}"] = _likert(0.6 * lat["gem"] + 0.8 * e() + offset)
    for item, offset in (("kennen", 0.05), ("omgang", 1.05), ("thuis", 0.9), ("gezellig", 0.35),
                         ("contact", 0.2)):
        sign = -1.0 if item == "kennen" else 1.0  # 'kennen elkaar nauwelijks' is the reversed item
        a[f"coh_{item}"] = _likert(sign * 0.8 * lat["cohesie"] + 0.6 * e() + sign * offset)
    for item, offset in (("wegen", 0.4), ("groen", 0.6), ("verlichting", 0.75),
                         ("speelplekken", 0.3), ("jongeren", -0.6)):
        a[f"fv_{item}"] = _likert(0.7 * lat["voorz"] + 0.7 * e() + offset)
    for form, theme, p_vaak, p_soms in OVERLAST_FORMS:
        freq = _ordinal(0.75 * lat[theme] + 0.66 * e(), (p_vaak, p_soms))
        u = rng.random(n)
        hinder = np.where(
            freq == 1, np.where(u < 0.30, 1, np.where(u < 0.75, 2, 3)),
            np.where(freq == 2, np.where(u < 0.05, 1, np.where(u < 0.50, 2, 3)), SKIP_CODE),
        ).astype("float64")
        a[f"ovf_{form}"], a[f"ovh_{form}"] = freq, hinder
    veilig = -lat["veilig"] + 0.4 * lat["overlast"]
    a["onv_algemeen"] = _ordinal(0.6 * veilig + 0.8 * e(), (0.34,))
    a["onv_buurt"] = _ordinal(0.7 * veilig + 0.7 * e(), (0.03, 0.15))
    for item, base in VICTIM_ITEMS:
        logit = np.log(base / (1 - base)) + 0.5 * lat["slacht"]
        a[item] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), 1.0, 2.0)
    contact = rng.random(n) < 0.30
    a["pol_tevreden_contact"] = np.where(
        contact, _ordinal(0.5 * lat["pol"] + 0.85 * e(), (0.18, 0.42, 0.2, 0.12)), SKIP_CODE)
    a["pol_functioneren"] = _ordinal(0.5 * lat["pol"] + 0.85 * e(), (0.05, 0.32, 0.40, 0.15))
    for item, probs in (("verlichting", (0.45, 0.3)), ("waardevol", (0.80, 0.12)),
                        ("fiets", (0.10, 0.25)), ("slot", (0.65, 0.2))):
        a[f"prev_{item}"] = _ordinal(e(), probs)
    return a


def _add_missing(rng: np.random.Generator, answers: dict[str, np.ndarray]) -> None:
    for item, values in answers.items():
        u = rng.random(len(values))
        asked = values != SKIP_CODE
        dont_know = u < DONT_KNOW.get(item, 0.02)
        no_answer = (u >= 0.99)
        answers[item] = np.where(asked & dont_know, 98.0, np.where(asked & no_answer, 99.0, values))


def _weights(rng: np.random.Generator, wijk_idx: np.ndarray, year: int) -> np.ndarray:
    """Design weight N_h/n_h times a nonresponse adjustment that sums to n_h within each wijk."""
    adults = np.array([w.population_2024 for w in WIJKEN]) * 0.83 * (1 - 0.003 * (2024 - year))
    n_h = np.bincount(wijk_idx, minlength=len(WIJKEN))
    adjust = np.exp(0.35 * rng.standard_normal(len(wijk_idx)))
    adjust = adjust / (np.bincount(wijk_idx, weights=adjust) / n_h)[wijk_idx]
    return np.round(adults[wijk_idx] / n_h[wijk_idx] * adjust, 4)


def generate_wave(rng: np.random.Generator, year: int, scale: float = 1.0) -> pd.DataFrame:
    """One wave in raw delivery form: raw variable names and codes, one row per respondent.

    `scale` shrinks every wijk's sample (for small fixtures)."""
    sizes = [round((w.sample + int(rng.integers(-25, 26))) * scale) for w in WIJKEN]
    wijk_idx = np.repeat(np.arange(len(WIJKEN)), sizes)
    wijk_idx = wijk_idx[rng.permutation(len(wijk_idx))]
    answers = _answers(rng, _latents(rng, wijk_idx, year))
    _add_missing(rng, answers)
    n = len(wijk_idx)
    raw = pd.DataFrame({
        "respnr": np.arange(1, n + 1, dtype="float64") + year * 100_000,
        "jaar": np.full(n, float(year)),
        "wijk": np.array([w.number for w in WIJKEN], dtype="float64")[wijk_idx],
        "weegfactor": _weights(rng, wijk_idx, year),
        "geslacht": rng.choice([1.0, 2.0], size=n),
        "leeftijdsklasse": rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], size=n,
                                      p=[0.12, 0.22, 0.25, 0.22, 0.19]),
    })
    for item, raw_name in RAW_NAMES.items():
        raw[raw_name] = answers[item]
    return raw


def spss_metadata(catalogue: Catalogue) -> dict:
    """Variable labels, value labels and user-missing values for pyreadstat.write_sav."""
    labels = {"respnr": "Respondentnummer", "jaar": "Jaar van de meting", "wijk": "Wijk",
              "weegfactor": "Weegfactor (design- en non-responsgewicht)", "geslacht": "Geslacht",
              "leeftijdsklasse": "Leeftijdsklasse"}
    values: dict[str, dict[float, str]] = {
        "wijk": {float(w.number): w.name for w in WIJKEN},
        "geslacht": {1.0: "man", 2.0: "vrouw"},
        "leeftijdsklasse": {1.0: "15-24", 2.0: "25-39", 3.0: "40-54", 4.0: "55-69", 5.0: "70+"},
    }
    missing: dict[str, list[float]] = {}
    for item, raw_name in RAW_NAMES.items():
        spec = catalogue.items[item]
        labels[raw_name] = spec.label
        codes = {float(k): v for k, v in spec.categories.items()}
        codes.update({float(k): v for k, v in MISSING_CODES.items()})
        if item.startswith("ovh_") or item == "pol_tevreden_contact":
            codes[float(SKIP_CODE)] = SKIP_LABEL
        values[raw_name] = codes
        missing[raw_name] = [float(k) for k in MISSING_CODES]
    return {"column_labels": labels, "variable_value_labels": values, "missing_ranges": missing}


def codebook_document() -> dict:
    """The demo delivery's codebook (written as YAML, in the codebook language of io.codebook)."""
    variables: dict[str, object] = {}
    for item, raw_name in RAW_NAMES.items():
        if item.startswith("ovh_"):
            variables[raw_name] = {"item": item, "filter": {SKIP_CODE: 3}}
        elif item == "pol_tevreden_contact":
            variables[raw_name] = {"item": item, "filter": {SKIP_CODE: None}}
        else:
            variables[raw_name] = item
    return {
        "design": {"id": "respnr", "wijk": "wijk", "weight": "weegfactor", "year": "jaar"},
        "missing_codes": MISSING_CODES,
        "variables": variables,
        "background": {  # the workbench's subgroups (io.background)
            "geslacht": {"variable": "geslacht", "labels": {1: "man", 2: "vrouw"}},
            "leeftijd": {"variable": "leeftijdsklasse", "labels": dict(
                enumerate(["15-24", "25-39", "40-54", "55-69", "70+"], start=1))},
        },
    }
