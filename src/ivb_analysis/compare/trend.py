"""Linear trends over waves: inverse-variance weighted least squares with overdispersion."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2 as chi2_dist

from ivb_analysis.compare.core import (
    REASON_WAVES,
    Factor,
    Polarity,
    _columns,
    _decide,
    _keys,
    _per_row,
)
from ivb_analysis.defaults import ALPHA, alpha_text


def linear_trend(
    estimates: pd.DataFrame,
    *,
    year: str = "year",
    keys: Sequence[str] | None = None,
    method_break: int | None = None,
    conversion: Factor = None,
    min_waves: int = 3,
    polarity: Polarity = None,
    indicator: str = "indicator",
    family: str | Sequence[str] | None = None,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Linear trend per key (indicator, domain) and per side of the method break.

    Each wave's estimate is an independent sample with a known design-based SE, so the trend is
    the inverse-variance weighted least-squares fit of estimate on year with weights
    w = 1 / SE^2: slope = sum w (x - xbar_w) y / sum w (x - xbar_w)^2. The waves need not lie on
    a line: real series vary between waves more than their sampling errors say. The residual
    chi2 = sum w (y - fit)^2 on k - 2 degrees of freedom tests that lack of fit, and the slope's
    SE is scaled for it (overdispersion-scaled WLS, as in fixed-effect meta-regression with
    multiplicative dispersion): SE(slope) = sqrt(phi / sum w (x - xbar_w)^2) with
    phi = max(1, chi2 / (k - 2)), then a z test. With two waves there is no lack-of-fit test
    (phi = 1). Waves before and after `method_break` are fitted separately (one series when
    `conversion` has a factor for the indicator: old waves are then converted). Suppressed waves
    are left out; fewer than `min_waves` usable waves is not tested.

    Returns the keys, `first_year`, `last_year`, `n_waves`, `slope`, `se_slope` (scaled),
    `se_slope_ivw` (unscaled), `chi2_lack_of_fit`, `df_lack_of_fit`, `p_lack_of_fit`,
    `dispersion` (phi) and the test columns, where difference = slope x (last_year -
    first_year), the fitted change over the period (so z and p are those of the slope).
    `trend_method_note` words the method for the annex.
    """
    key_cols = _keys(estimates, keys, year)
    _columns(estimates, [*key_cols, year, "estimate", "se"], "de schattingen")
    x = estimates[year].to_numpy(dtype="float64")
    y = estimates["estimate"].to_numpy(dtype="float64", na_value=np.nan)
    se = estimates["se"].to_numpy(dtype="float64", na_value=np.nan)
    after = np.ones(len(x), dtype=bool) if method_break is None else x >= method_break
    factor = _per_row(estimates, conversion, indicator, "de schattingen")
    convert = ~after & ~np.isnan(factor)
    y, se = np.where(convert, y * factor, y), np.where(convert, se * factor, se)
    after |= ~np.isnan(factor)
    usable = np.isfinite(y) & (se > 0)
    w = np.where(usable, 1 / np.where(usable, se, 1.0) ** 2, 0.0)
    y0 = np.where(usable, y, 0.0)
    work = estimates[key_cols].assign(
        _after=after, _w=w, _wx=w * x, _wy=w * y0, _usable=usable,
        _x=np.where(usable, x, np.nan),
    )
    groups = work.groupby([*key_cols, "_after"], sort=True, dropna=False)
    xbar = (groups["_wx"].transform("sum") / groups["_w"].transform("sum")).to_numpy()
    ybar = (groups["_wy"].transform("sum") / groups["_w"].transform("sum")).to_numpy()
    dx = np.where(usable, x - xbar, 0.0)
    dy = np.where(usable, y0 - ybar, 0.0)
    work = work.assign(_sxx=w * dx * dx, _sxy=w * dx * dy, _syy=w * dy * dy)
    fit = work.groupby([*key_cols, "_after"], sort=True, dropna=False).agg(
        first_year=("_x", "min"), last_year=("_x", "max"), n_waves=("_usable", "sum"),
        sxx=("_sxx", "sum"), sxy=("_sxy", "sum"), syy=("_syy", "sum"),
    ).reset_index()
    enough = ((fit["n_waves"] >= min_waves) & (fit["sxx"] > 0)).to_numpy()
    sxx, sxy, syy = (fit[c].to_numpy(dtype="float64") for c in ("sxx", "sxy", "syy"))
    df = fit["n_waves"].to_numpy(dtype="float64") - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(enough, sxy / sxx, np.nan)
        se_ivw = np.where(enough, np.sqrt(1 / sxx), np.nan)
        chi2 = np.where(enough & (df > 0), np.maximum(syy - sxy**2 / sxx, 0.0), np.nan)
        p_fit = chi2_dist.sf(chi2, df)
        dispersion = np.where(enough, np.fmax(1.0, chi2 / df), np.nan)
    se_slope = se_ivw * np.sqrt(dispersion)
    span = (fit["last_year"] - fit["first_year"]).to_numpy()
    frame = fit[[*key_cols, "first_year", "last_year", "n_waves"]].assign(
        slope=slope, se_slope=se_slope, se_slope_ivw=se_ivw, chi2_lack_of_fit=chi2,
        df_lack_of_fit=np.where(enough & (df > 0), df, np.nan), p_lack_of_fit=p_fit,
        dispersion=dispersion)
    frame[["first_year", "last_year"]] = frame[["first_year", "last_year"]].astype("Int64")
    reason = np.where(enough, None, REASON_WAVES)
    return _decide(frame, slope * span, (se_slope * span) ** 2, reason, polarity=polarity,
                   indicator=indicator, family=family, alpha=alpha)


def trend_method_note(trends: pd.DataFrame, alpha: float = ALPHA) -> str:
    """The annex's Dutch method sentence for `linear_trend`, with how often the fit was scaled."""
    tested = trends[trends["p"].notna()] if "p" in trends.columns else trends.iloc[:0]
    lack = int((tested["p_lack_of_fit"] <= alpha).sum()) if len(tested) else 0
    scaled = int((tested["dispersion"] > 1).sum()) if len(tested) else 0
    level = alpha_text(alpha)
    return (
        "Trends zijn geschat als rechte lijn door de cijfers per meetjaar, gewogen met de "
        "precisie van elke meting (gewogen kleinste kwadraten, gewicht 1/SE²). Liggen de "
        "metingen verder van die lijn dan hun steekproeffouten verklaren, dan is de "
        "standaardfout van de trend vergroot met de wortel uit χ²/vrijheidsgraden "
        "(overdispersie), zodat schommelingen tussen jaren geen schijnbare trend opleveren. "
        f"Dat gold voor {scaled} van de {len(tested)} getoetste reeksen; bij {lack} daarvan "
        f"wijken de metingen significant (op {level}) af van een rechte lijn."
    )

