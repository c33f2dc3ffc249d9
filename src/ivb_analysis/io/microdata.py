"""Survey microdata (Veiligheidsmonitor deliveries, SPSS .sav or CSV) and their codebook.

A delivery's codebook maps its raw variable names onto the catalogue's canonical items and names the
design variables (respondent id, wijk, weight). Reading checks the schema and every value against
the item's answer scale, the codebook's missing codes and skip codes, and fails with an InputError
naming file, column and row. Raw codes are returned unchanged: recoding is the job of `clean`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import yaml

from ivb_analysis.catalogue import Catalogue
from ivb_analysis.errors import InputError
from ivb_analysis.io.text import load_csv

DESIGN_ROLES = ("id", "wijk", "weight")
OPTIONAL_ROLES = ("strata",)  # sampling strata; the wijk when absent


@dataclass(frozen=True)
class VariableSpec:
    """One raw variable: the canonical item it measures and its delivery-specific codes."""

    name: str
    item: str
    skip: dict[int, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Codebook:
    """Raw variable names -> canonical items, design variables and missing codes."""

    path: Path
    design: dict[str, str]
    missing_codes: dict[int, str]
    variables: dict[str, VariableSpec]

    def raw_name(self, item: str) -> str:
        for spec in self.variables.values():
            if spec.item == item:
                return spec.name
        raise InputError("item ontbreekt in het codeboek", file=self.path, column=item)


def read_codebook(path: Path, catalogue: Catalogue) -> Codebook:
    """Read and check a delivery's codebook (YAML)."""
    if not path.is_file():
        raise InputError("codeboek ontbreekt", file=path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"codeboek is geen geldige UTF-8 YAML: {exc}", file=path) from exc
    for key in ("design", "missing_codes", "variables"):
        if not isinstance(raw, dict) or key not in raw:
            raise InputError("onderdeel ontbreekt in het codeboek", file=path, column=key)
    design = {str(k): str(v) for k, v in raw["design"].items()}
    for role in DESIGN_ROLES:
        if role not in design:
            raise InputError("ontwerpvariabele ontbreekt in het codeboek", file=path,
                             column=f"design.{role}", expected=", ".join(DESIGN_ROLES))
    variables: dict[str, VariableSpec] = {}
    for name, spec in raw["variables"].items():
        spec = {"item": spec} if isinstance(spec, str) else dict(spec)
        item = spec.get("item")
        if item not in catalogue.items:
            raise InputError("codeboek verwijst naar onbekend item", file=path, column=name,
                             found=item, expected="een item-id uit de indicatorcatalogus")
        skip = {int(k): (None if v is None else int(v))
                for k, v in (spec.get("skip") or {}).items()}
        variables[str(name)] = VariableSpec(str(name), item, skip)
    items_seen = [v.item for v in variables.values()]
    dup = sorted({i for i in items_seen if items_seen.count(i) > 1})
    if dup:
        raise InputError("item komt meer dan eens voor in het codeboek", file=path, found=dup[0])
    missing = {int(k): str(v) for k, v in raw["missing_codes"].items()}
    return Codebook(path, design, missing, variables)


def _read_sav(path: Path) -> pd.DataFrame:
    try:
        data, _meta = pyreadstat.read_sav(str(path), user_missing=True)
    except pyreadstat.ReadstatError as exc:
        raise InputError(f"SPSS-bestand is onleesbaar of afgekapt ({exc})", file=path,
                         expected="een volledig .sav-bestand") from exc
    return data


def _read_csv(path: Path) -> pd.DataFrame:
    """A survey exported as CSV (`;` or `,`, decimal comma allowed), every column numeric.

    An empty cell is a system-missing answer; anything else that is not a number (text, or a
    CBS marker such as `x` or `.`, which has no meaning in microdata) is an error with its line.
    """
    table = load_csv(path).frame()
    data = pd.DataFrame(index=table.index)
    for column in table.columns:
        text = table[column].str.strip()
        values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        bad = (values.isna() & text.notna() & (text != "")).to_numpy()
        if bad.any():
            pos = _first(bad)
            raise InputError("geen getal", file=path, column=column, row=pos + 2,
                             expected="een numerieke antwoordcode (leeg = geen antwoord)",
                             found=text.iloc[pos])
        data[column] = values.astype("float64")
    data.attrs["first_line"] = 2  # row numbers in messages are file lines (header = line 1)
    return data


def read_raw_survey(path: Path) -> pd.DataFrame:
    """Read one wave's raw file (.sav or .csv) without interpreting codes."""
    if not path.is_file():
        raise InputError("enquêtebestand ontbreekt", file=path)
    suffix = path.suffix.lower()
    if suffix == ".sav":
        return _read_sav(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise InputError("onbekend bestandstype", file=path, expected=".sav of .csv", found=suffix)


def _first(mask: np.ndarray) -> int:
    """Position (0-based) of the first offending record."""
    return int(np.flatnonzero(mask)[0])


def _as_codes(data: pd.DataFrame, column: str, path: Path, first_line: int) -> pd.Series:
    """A column as float codes; non-numeric entries are reported with their row."""
    values = pd.to_numeric(data[column], errors="coerce")
    bad = values.isna().to_numpy() & data[column].notna().to_numpy()
    if bad.any():
        pos = _first(bad)
        raise InputError("waarde is geen getal", file=path, column=column, row=pos + first_line,
                         expected="een numerieke antwoordcode", found=data[column].iloc[pos])
    return values.astype("float64")


def validate_survey(
    data: pd.DataFrame, codebook: Codebook, catalogue: Catalogue, wijk_numbers: set[int],
    path: Path,
) -> pd.DataFrame:
    """Check schema and values of one raw wave; return only the codebook's columns, as floats.

    Rows in messages are the respondent's position in a .sav (1 = first respondent) and the
    file line in a CSV (header = line 1).
    """
    first_line = int(data.attrs.get("first_line", 1))
    design = codebook.design
    needed = [design[r] for r in (*DESIGN_ROLES, *OPTIONAL_ROLES) if r in design]
    needed += list(codebook.variables)
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise InputError(
            f"{len(missing)} kolom(men) uit het codeboek ontbreken", file=path, column=missing[0],
            expected="alle variabelen uit " + codebook.path.name,
            found=", ".join(missing[:5]) + (" ..." if len(missing) > 5 else ""),
        )
    if len(data) == 0:
        raise InputError("de golf bevat geen respondenten", file=path, expected="minstens 1 rij")
    out = pd.DataFrame(index=data.index)

    ids = data[design["id"]]
    if ids.isna().any():
        raise InputError("respondentnummer ontbreekt", file=path, column=design["id"],
                         row=_first(ids.isna().to_numpy()) + first_line)
    dup = ids.duplicated(keep="first").to_numpy()
    if dup.any():
        pos = _first(dup)
        raise InputError("respondentnummer komt dubbel voor", file=path, column=design["id"],
                         row=pos + first_line, found=ids.iloc[pos],
                         expected="unieke respondentnummers")
    out["resp_id"] = ids.to_numpy()

    weight = _as_codes(data, design["weight"], path, first_line)
    bad_w = ~(weight > 0).to_numpy()
    if bad_w.any():
        pos = _first(bad_w)
        raise InputError("weegfactor ontbreekt of is niet positief", file=path,
                         column=design["weight"], row=pos + first_line,
                         expected="een gewicht > 0",
                         found=None if pd.isna(weight.iloc[pos]) else weight.iloc[pos])
    out["weight"] = weight.to_numpy()

    wijk = _as_codes(data, design["wijk"], path, first_line)
    bad_wijk = ~wijk.isin(wijk_numbers).to_numpy()
    if bad_wijk.any():
        pos = _first(bad_wijk)
        raise InputError("onbekende wijkcode", file=path, column=design["wijk"],
                         row=pos + first_line,
                         expected="een wijknummer uit het wijkenbestand: "
                         + ", ".join(str(n) for n in sorted(wijk_numbers)),
                         found=data[design["wijk"]].iloc[pos])
    out["wijk"] = wijk.astype("int64").to_numpy()

    if "strata" in design:
        strata = _as_codes(data, design["strata"], path, first_line)
        if strata.isna().any():
            raise InputError("stratum ontbreekt", file=path, column=design["strata"],
                             row=_first(strata.isna().to_numpy()) + first_line)
        out["stratum"] = strata.astype("int64").to_numpy()

    missing_codes = set(codebook.missing_codes)
    for name, spec in codebook.variables.items():
        codes = _as_codes(data, name, path, first_line)
        item = catalogue.items[spec.item]
        allowed = set(item.valid_values) | missing_codes | set(spec.skip)
        bad = ~(codes.isin(allowed) | codes.isna()).to_numpy()
        if bad.any():
            pos = _first(bad)
            raise InputError(
                f"ongeldige antwoordcode voor {spec.item} ({item.label})", file=path,
                column=name, row=pos + first_line, found=codes.iloc[pos],
                expected=f"{min(item.valid_values)}-{max(item.valid_values)} of een "
                f"ontbrekingscode {sorted(missing_codes | set(spec.skip))}",
            )
        out[name] = codes.to_numpy()
    return out


def read_wijken(path: Path) -> pd.DataFrame:
    """The delivery's wijk list: survey wijk number -> CBS wijk code and name."""
    if not path.is_file():
        raise InputError("wijkenbestand ontbreekt", file=path)
    try:
        table = pd.read_csv(path, sep=";", dtype={"nummer": "Int64", "wijkcode": "string",
                                                  "wijknaam": "string"}, encoding="utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"wijkenbestand onleesbaar: {exc}", file=path,
                         expected="UTF-8, ';', kolommen nummer;wijkcode;wijknaam") from exc
    for column in ("nummer", "wijkcode", "wijknaam"):
        if column not in table.columns:
            raise InputError("kolom ontbreekt", file=path, column=column,
                             found=list(table.columns))
    bad = ~table["wijkcode"].str.fullmatch(r"WK\d{6}").fillna(False).to_numpy()
    if bad.any():
        pos = _first(bad)
        raise InputError("ongeldige CBS-wijkcode", file=path, column="wijkcode", row=pos + 2,
                         expected="WK gevolgd door 6 cijfers", found=table["wijkcode"].iloc[pos])
    for column in ("nummer", "wijkcode"):  # each wijk once: a duplicate would merge two wijken
        dup = table[column].duplicated() & table[column].notna()
        if dup.any():
            pos = _first(dup.to_numpy())
            first = _first((table[column] == table[column].iloc[pos]).fillna(False).to_numpy())
            value = table[column].iloc[pos]
            raise InputError(f"{column} komt dubbel voor (ook op regel {first + 2})", file=path,
                             column=column, row=pos + 2, expected="elke wijk één keer",
                             found=int(value) if column == "nummer" else str(value))
    return table.rename(
        columns={"nummer": "wijk", "wijkcode": "wijk_code", "wijknaam": "wijk_naam"})
