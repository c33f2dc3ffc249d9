"""Finite-population correction and strata with a single PSU ("lonely"), as R `survey`.

fpc (R's `as.fpc`, see ?svydesign): a value > 1 is the population size of the stratum in PSUs
(N_h, f_h = n_h / N_h); a value <= 1 is the sampling fraction f_h itself. It must be constant
within a stratum; a stratum with f_h = 1 was sampled completely (a certainty stratum).

Lonely PSUs follow R's options(survey.lonely.psu=...) (?surveyoptions; Wolter 2007, sec. 2.5):
"fail" raises, "certainty" adds no variance, "adjust" centres the lonely PSU total at the grand
mean (0 for a linearised statistic) instead of the stratum mean, "average" replaces the lonely
strata's contribution by the average of the others (a factor strata / strata not lonely).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ivb_analysis.errors import InputError

#: R's options(survey.lonely.psu=...) that the engine reproduces ("remove" is R's certainty
#: at a single stage).
LONELY_PSU_RULES = ("fail", "certainty", "adjust", "average")


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        raise InputError("kolom ontbreekt", column=column)
    series = frame[column]
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise InputError("kolom is niet numeriek", column=column, found=str(series.dtype))
    return series.to_numpy(dtype="float64", na_value=np.nan)


def _first_bad_row(frame: pd.DataFrame, bad: np.ndarray) -> object:
    return frame.index[np.flatnonzero(bad)[0]]


def _sampling_fraction(
    frame: pd.DataFrame, fpc: str | None, stratum: np.ndarray, n_psu: np.ndarray,
) -> np.ndarray:
    """f_h per stratum from the fpc column, following R's as.fpc (0 without fpc)."""
    n_strata = len(n_psu)
    if fpc is None:
        return np.zeros(n_strata)
    values = _numeric(frame, fpc)
    bad = np.isnan(values) | (values <= 0)
    if bad.any():
        raise InputError("fpc moet overal een positief getal zijn", column=fpc,
                         row=_first_bad_row(frame, bad), found=values[bad][0])
    low = np.full(n_strata, np.inf)
    high = np.full(n_strata, -np.inf)
    np.minimum.at(low, stratum, values)
    np.maximum.at(high, stratum, values)
    if (low != high).any():
        raise InputError("fpc verschilt binnen een stratum", column=fpc,
                         expected="één waarde per stratum")
    if not (high > 1).any():
        return high
    if (high < 1).any():
        raise InputError("fpc mengt populatiegroottes (> 1) en fracties (<= 1)", column=fpc)
    if (high < n_psu).any():
        raise InputError("fpc is kleiner dan het aantal getrokken PSU's", column=fpc,
                         found=float(high[high < n_psu][0]))
    return n_psu / high



def lonely_rule(
    rule: str, lonely: np.ndarray, fraction: np.ndarray, n_psu: np.ndarray,
    stratum_group: np.ndarray, n_groups: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per stratum the factor `scale` = (1 - f_h) n_h / (n_h - 1) of its centred sum of squares
    of PSU totals and `centre` (0: not centred), and per analysis the "average" `inflate`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_psu > 1, (1 - fraction) * n_psu / (n_psu - 1), 0.0)
    centre = np.ones(len(n_psu))
    inflate = np.ones(n_groups)
    if rule == "adjust":
        centre[lonely] = 0.0
        scale[lonely] = 1 - fraction[lonely]
    elif rule == "average" and lonely.any():
        total = np.bincount(stratum_group, minlength=n_groups)
        ok = np.bincount(stratum_group, weights=~lonely, minlength=n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            inflate = total / ok
    return scale, centre, inflate
