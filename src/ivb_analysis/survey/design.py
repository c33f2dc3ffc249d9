"""The sampling design: `SurveyDesign` (what the user declares) and its integer coding.

`SurveyDesign` holds what R's svydesign(ids=~psu, strata=~strata, weights=~weight, fpc=~fpc,
nest=TRUE) and options(survey.lonely.psu=...) hold, as column names of the data it is applied
to, plus `design_by`: the columns whose every combination is a separate sample with its own
design (in a long table: indicator x wave). Every estimate, domain contrast and lonely-stratum
listing of `ivb_analysis.survey` takes one (`design=`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.survey.codes import _codes, _representatives
from ivb_analysis.survey.lonely import (
    LONELY_PSU_RULES,
    _first_bad_row,
    _numeric,
    _sampling_fraction,
    lonely_rule,
)


@dataclass(frozen=True)
class SurveyDesign:
    """A sampling design by column names, as R's `svydesign` (nest=TRUE) plus the lonely-PSU rule.

    weight      sampling weights (inverse inclusion probabilities; never frequency weights);
    strata      stratum column, or None for one stratum per analysis;
    psu         primary sampling units (clusters), nested within strata (R's nest=TRUE: the
                same code in two strata is two PSUs); None: every row is its own PSU;
    fpc         finite-population correction, constant within a stratum, as R's as.fpc: a value
                > 1 is the stratum's population size in PSUs (N_h; with psu=None: persons), a
                value <= 1 the sampling fraction n_h / N_h; None: sampling with replacement;
    lonely_psu  a stratum with a single PSU: "fail" (R's default), "certainty", "adjust" or
                "average" (R's options(survey.lonely.psu=...));
    design_by   columns whose every combination is its own sample and design (e.g. indicator
                and year in a long table); () for one design.

    `SurveyDesign(weight="w", strata="h", psu="cluster", fpc="N")` is R's
    `svydesign(ids=~cluster, strata=~h, weights=~w, fpc=~N, nest=TRUE)`.
    """

    weight: str = "weight"
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: str = "fail"
    design_by: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.lonely_psu not in LONELY_PSU_RULES:
            raise InputError("onbekende regel voor strata met één PSU", column="lonely_psu",
                             found=self.lonely_psu, expected=", ".join(LONELY_PSU_RULES))
        by = self.design_by
        object.__setattr__(self, "design_by", (by,) if isinstance(by, str) else tuple(by))

    def replace(self, **changes: Any) -> SurveyDesign:
        """A copy with some fields changed (e.g. `design_by=("year",)`)."""
        return replace(self, **changes)

    @property
    def columns(self) -> list[str]:
        """The data columns the design reads (weight, strata, psu, fpc, design_by)."""
        return [c for c in (self.weight, self.strata, self.psu, self.fpc, *self.design_by) if c]

    @property
    def clustered(self) -> bool:
        return self.psu is not None


def design_from(
    design: SurveyDesign | None, *, weight: str | None = None, strata: str | None = None,
    psu: str | None = None, fpc: str | None = None, lonely_psu: str | None = None,
    design_by: str | Sequence[str] | None = None, default_by: Sequence[str] = (),
) -> SurveyDesign:
    """The design of a call: `design` itself, or one built from the older loose arguments.

    Compatibility for callers that still pass weight/strata/psu/fpc/design_by/lonely_psu; mixing
    both is refused (which would win is not obvious).
    """
    loose = {"weight": weight, "strata": strata, "psu": psu, "fpc": fpc,
             "lonely_psu": lonely_psu}
    given = [k for k, v in loose.items() if v is not None]
    if design is not None:
        if given:
            raise InputError("ontwerp dubbel opgegeven: geef design= of losse argumenten",
                             column=given[0], expected="alleen design=SurveyDesign(...)")
        return design
    if weight is None:
        raise InputError("geen gewicht opgegeven", column="weight",
                         expected="design=SurveyDesign(weight=...) of weight=...")
    by = default_by if design_by is None else design_by
    return SurveyDesign(weight=weight, strata=strata, psu=psu, fpc=fpc,
                        lonely_psu=lonely_psu or "fail",
                        design_by=(by,) if isinstance(by, str) else tuple(by))


@dataclass(frozen=True)
class _Design:
    """Integer-coded sampling design of a (long) table, plus one value column.

    `group` codes the separate analyses (design_by); `stratum` and `psu` are global codes that
    never cross groups. `psu` is None when every row is its own PSU. `scale` is, per stratum,
    (1 - f_h) n_h / (n_h - 1), the factor of the centred sum of squares of its PSU totals.
    Lonely strata (one PSU, not a certainty stratum): `centre` is 0 where their PSU total is not
    centred (lonely_psu="adjust"), else 1; `inflate` is per group the factor of "average" over
    all strata of the analysis (domain contrasts, as R's svyby(covmat=TRUE) + svycontrast);
    `average` says whether domain estimates need their own factor (`variance._average_factor`).
    `all_valid` is True when no value is missing (then no row needs masking).
    """

    y: np.ndarray
    w: np.ndarray
    all_valid: bool
    group: np.ndarray
    n_groups: int
    stratum: np.ndarray
    n_strata: int
    stratum_group: np.ndarray
    psu: np.ndarray | None
    n_psus: int
    psu_stratum: np.ndarray | None
    n_psu: np.ndarray
    scale: np.ndarray
    lonely: np.ndarray
    centre: np.ndarray
    inflate: np.ndarray
    average: bool

    def unit(self) -> tuple[np.ndarray, int, np.ndarray]:
        """The PSU coding of the rows (the stratum when every row is a PSU), its number and
        the stratum of each code."""
        if self.psu is None:
            return self.stratum, self.n_strata, np.arange(self.n_strata)
        assert self.psu_stratum is not None
        return self.psu, self.n_psus, self.psu_stratum


def code_design(frame: pd.DataFrame, value: str, spec: SurveyDesign) -> _Design:
    """Validate and integer-code the design `spec` on `frame`, with `value` as the variable."""
    weight, strata, psu, fpc = spec.weight, spec.strata, spec.psu, spec.fpc
    design_by, lonely_psu = list(spec.design_by), spec.lonely_psu
    if frame.empty:
        raise InputError("geen gegevens om te schatten", expected="minstens één rij")
    for column in [*design_by, *(c for c in (strata, psu) if c is not None)]:
        if column not in frame.columns:
            raise InputError("kolom ontbreekt", column=column)
    y = _numeric(frame, value)
    w = _numeric(frame, weight)
    if not (np.isfinite(w).all() and (w > 0).all()):
        bad = ~np.isfinite(w) | (w <= 0)
        raise InputError("gewicht moet een positief getal zijn", column=weight,
                         row=_first_bad_row(frame, bad), found=w[bad][0])
    for column in [*design_by, *(c for c in (strata, psu) if c is not None)]:
        dtype = frame[column].dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "iub":
            continue  # numpy integers cannot be missing
        missing = frame[column].isna().to_numpy()
        if missing.any():
            raise InputError("ontbrekende waarde in een ontwerpkolom", column=column,
                             row=_first_bad_row(frame, missing))
    group, n_groups, _ = _codes(frame, design_by)
    if strata:
        stratum, n_strata, stratum_group = _codes(frame, [strata], group, n_groups)
    else:
        stratum, n_strata, stratum_group = group, n_groups, np.arange(n_groups)
    if psu is None:
        psu_codes, n_psus, psu_stratum = None, 0, None
        n_psu = np.bincount(stratum, minlength=n_strata)
    else:
        psu_codes, n_psus, psu_stratum = _codes(frame, [psu], stratum, n_strata)
        n_psu = np.bincount(psu_stratum, minlength=n_strata)
    fraction = _sampling_fraction(frame, fpc, stratum, n_psu)
    lonely = (n_psu == 1) & (fraction < 1)
    if lonely_psu == "fail" and lonely.any():
        first = _representatives(stratum, n_strata)[np.flatnonzero(lonely)[0]]
        where = ", ".join(f"{c}={frame[c].iloc[first]}" for c in [*design_by, strata] if c)
        raise InputError(
            "stratum met maar één PSU: de variantie is niet te schatten "
            "(zoals R met survey.lonely.psu='fail'); voeg strata samen of kies een andere "
            "lonely_psu-regel (certainty, adjust, average)",
            column=strata, row=where or None, expected="minstens 2 PSU's per stratum",
        )
    scale, centre, inflate = lonely_rule(lonely_psu, lonely, fraction, n_psu, stratum_group,
                                         n_groups)
    return _Design(
        y=y, w=w, all_valid=not np.isnan(y).any(), group=group, n_groups=n_groups,
        stratum=stratum, n_strata=n_strata, stratum_group=stratum_group, psu=psu_codes,
        n_psus=n_psus, psu_stratum=psu_stratum, n_psu=n_psu, scale=scale, lonely=lonely,
        centre=centre, inflate=inflate, average=lonely_psu == "average" and bool(lonely.any()),
    )

