"""Domains of a workbench question and the suppression that keeps small groups hidden.

A question's domain has dimensions: the area (`gebied`: the gemeente, every wijk, or named
groups of wijken) and any background variables (every category, or named groups of
categories). Every dimension maps the respondents' base values (wijk codes, categories) onto
the labels asked for; respondents outside every label lie outside the domain but stay in the
design (R's subset).

Suppression works on unweighted counts of the base cells ("atoms": indicator x wave x wijk x
background categories, the missing category included), never on the estimates:

* primary: a cell with n < min_n (as the annex, `survey.estimate_long`);
* groups: a group (several wijken, several categories) is suppressed when one of its parts, or
  its complement within the gemeente (or within the other dimensions of the cell), has
  0 < n < min_n: otherwise the small part would follow by subtraction from another answer;
* lines (secondary): in a full breakdown (every wijk, every category) the hidden cells of a
  line, plus the respondents outside every label (missing category), must together hold at
  least min_n respondents once any cell is hidden; otherwise the smallest shown cell is hidden
  too, until that holds (then the line's total minus the shown cells is no small group).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ivb_analysis.errors import InputError

AREA = "gebied"
UNKNOWN = "(onbekend)"
PRIMARY = "te weinig respondenten"
SECONDARY = "aanvullend verborgen (anders terug te rekenen)"

Domain = str | Mapping[str, Sequence[str]] | None
By = str | Sequence[str] | Mapping[str, Mapping[str, Sequence[str]] | None] | None


@dataclass(frozen=True)
class Dimension:
    """One dimension: its output column, the atom column it groups, label -> base values."""

    column: str
    base: str
    labels: dict[str, tuple[str, ...]]
    universe: tuple[str, ...]
    breakdown: bool  # every base value its own label (a full breakdown): the line rule applies

    def grouped(self, label: str) -> bool:
        return len(self.labels[label]) > 1 and not self.everything(label)

    def everything(self, label: str) -> bool:
        return set(self.labels[label]) >= set(self.universe) - {UNKNOWN}

    def mapping(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for label, values in self.labels.items():
            for value in values:
                if value in out:
                    raise InputError("groepen overlappen", column=self.column, found=value,
                                     expected="elke wijk of categorie in hoogstens één groep")
                out[value] = label
        return out


def area_dimension(domain: Domain, wijken: pd.DataFrame, gemeente: str) -> Dimension:
    """The area: None/'gemeente' (one label), 'wijk' (every wijk) or {name: [wijk codes]}."""
    codes = tuple(wijken["wijk_code"].astype(str))
    if domain is None or domain == "gemeente":
        return Dimension(AREA, "wijk_code", {gemeente: codes}, codes, breakdown=False)
    if domain == "wijk":
        names = dict(zip(wijken["wijk_code"].astype(str), wijken["wijk_naam"].astype(str),
                         strict=True))
        return Dimension(AREA, "wijk_code", {names[c]: (c,) for c in codes}, codes,
                         breakdown=True)
    if isinstance(domain, Mapping):
        by_name = dict(zip(wijken["wijk_naam"].astype(str), codes, strict=True))
        labels = {}
        for name, members in domain.items():
            if isinstance(members, str) or not members:
                raise InputError("een groep wijken is een lijst", column=str(name),
                                 expected='{"Oost": ["WK016405", "Berflo Es", ...]}')
            chosen = []
            for member in members:
                code = by_name.get(str(member), str(member))
                if code not in codes:
                    raise InputError("onbekende wijk", column=str(name), found=member,
                                     expected=", ".join(codes))
                chosen.append(code)
            labels[str(name)] = tuple(dict.fromkeys(chosen))
        return Dimension(AREA, "wijk_code", labels, codes, breakdown=False)
    raise InputError("onbekend domein", found=domain,
                     expected='None, "gemeente", "wijk" of {"naam": [wijkcodes]}')


def background_dimensions(by: By, categories: Mapping[str, list[str]]) -> list[Dimension]:
    """Background dimensions: a name (every category) or {name: {label: [categories]}}."""
    if by is None:
        return []
    items = ({by: None} if isinstance(by, str)
             else dict(by) if isinstance(by, Mapping) else {b: None for b in by})
    dims = []
    for name, groups in items.items():
        if name not in categories:
            raise InputError("onbekende achtergrondvariabele", column=str(name),
                             expected=", ".join(categories) or "een background-blok in het "
                             "codeboek")
        universe = (*categories[name], UNKNOWN)
        if groups is None:
            labels = {c: (c,) for c in categories[name]}
        else:
            labels = {}
            for label, members in groups.items():
                members = [members] if isinstance(members, str) else list(members)
                unknown = [m for m in members if m not in categories[name]]
                if unknown or not members:
                    raise InputError("onbekende categorie", column=str(name),
                                     found=unknown[0] if unknown else None,
                                     expected=", ".join(categories[name]))
                labels[str(label)] = tuple(members)
        dims.append(Dimension(str(name), str(name), labels, universe,
                              breakdown=groups is None))
    return dims


def label_columns(data: pd.DataFrame, dims: Sequence[Dimension]) -> pd.DataFrame:
    """`data` with one column per dimension: the label of each row (NaN outside every label)."""
    out = {}
    for dim in dims:
        base = data[dim.base].astype(object).where(data[dim.base].notna(), UNKNOWN)
        out[dim.column] = base.map(dim.mapping())
    return data.assign(**out)


def atom_counts(data: pd.DataFrame, dims: Sequence[Dimension]) -> pd.DataFrame:
    """Unweighted respondents with a value per indicator, wave and base cell."""
    valid = data[data["value"].notna()]
    keys = {"indicator": valid["indicator"].astype(str), "year": valid["year"]}
    for dim in dims:
        keys[dim.base] = valid[dim.base].astype(object).where(valid[dim.base].notna(), UNKNOWN)
    frame = pd.DataFrame(keys)
    return frame.groupby(list(frame.columns), dropna=False).size().rename("n").reset_index()


def _n(atoms: pd.DataFrame, fixed: Mapping[str, object], sets: Mapping[str, tuple]) -> int:
    mask = np.ones(len(atoms), dtype=bool)
    for column, value in fixed.items():
        mask &= (atoms[column] == value).to_numpy()
    for column, values in sets.items():
        mask &= atoms[column].isin(values).to_numpy()
    return int(atoms.loc[mask, "n"].sum())


def _small(n: int, min_n: int) -> bool:
    return 0 < n < min_n


def suppress(result: pd.DataFrame, atoms: pd.DataFrame, dims: Sequence[Dimension],
             min_n: int) -> pd.DataFrame:
    """`result` (one row per indicator, wave and label combination, with `n` and
    `suppressed`) with the group and line rules applied: `suppressed` and `suppression`
    (the Dutch reason) set, estimate, se, interval and n_eff removed where hidden."""
    out = result.copy()
    hidden = out["suppressed"].astype(bool).to_numpy().copy()
    reason = np.where(hidden, PRIMARY, None).astype(object)
    rows = list(out.itertuples(index=False))
    for k, row in enumerate(rows):
        if hidden[k]:
            continue
        fixed = {"indicator": row.indicator, "year": row.year}
        sets = {d.base: d.labels[getattr(row, d.column)] for d in dims}
        for dim in dims:
            label = getattr(row, dim.column)
            if not dim.grouped(label):
                continue
            parts = [_n(atoms, fixed, {**sets, dim.base: (v,)}) for v in dim.labels[label]]
            rest = tuple(v for v in dim.universe if v not in dim.labels[label])
            complement = _n(atoms, fixed, {**sets, dim.base: rest})
            if any(_small(n, min_n) for n in parts) or _small(complement, min_n):
                hidden[k], reason[k] = True, SECONDARY
                break
    for dim in dims:  # lines of full breakdowns (repeat: a new hidden cell opens other lines)
        if not dim.breakdown:
            continue
        others = [d.column for d in dims if d is not dim]
        changed = True
        while changed:
            changed = False
            frame = out.assign(_hidden=hidden, _pos=np.arange(len(out)))
            for _key, line in frame.groupby(["indicator", "year", *others], sort=False,
                                           observed=True):
                if not line["_hidden"].any():
                    continue
                first = line.iloc[0]
                fixed = {"indicator": first["indicator"], "year": first["year"]}
                sets = {d.base: d.labels[first[d.column]] for d in dims if d is not dim}
                total = _n(atoms, fixed, sets)
                shown_n = int(line.loc[~line["_hidden"], "n"].sum())
                hidden_n = total - shown_n
                candidates = line[~line["_hidden"] & (line["n"] > 0)]
                if hidden_n < min_n and len(candidates):
                    pos = int(candidates.sort_values("n", kind="stable")["_pos"].iloc[0])
                    hidden[pos], reason[pos] = True, SECONDARY
                    changed = True
    values = [c for c in ("estimate", "se", "ci_low", "ci_high", "n_eff") if c in out.columns]
    out.loc[hidden, values] = np.nan
    out["suppressed"] = hidden
    out["indicatief"] = out["indicatief"].astype(bool) & ~hidden
    out["unreliable"] = out["unreliable"].astype(bool) & ~hidden
    out["suppression"] = reason
    return out
