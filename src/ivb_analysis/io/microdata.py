"""Survey microdata (Veiligheidsmonitor deliveries, SPSS .sav or CSV), checked against the codebook.

The codebook (`io.codebook`) maps raw variable names onto the catalogue's items and names the
design variables. Reading checks the schema, the design variables (unique ids, finite positive
weights, known wijken, the wave's year), what the .sav's own value labels and user-missing
definitions say against the codebook (`io.sav_labels`), and every code against the item's scale
and the codebook's recode, filter and missing codes. Errors are InputErrors naming file, column
and row (the respondent's position in a .sav, the line in a CSV) and how to fix it. Raw codes are
returned unchanged: recoding is the job of `clean`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from ivb_analysis.catalogue import Catalogue, Item
from ivb_analysis.errors import InputError
from ivb_analysis.io.codebook import (  # noqa: F401 - the codebook's public names, re-exported
    DESIGN_ROLES,
    OPTIONAL_ROLES,
    Codebook,
    VariableSpec,
    read_codebook,
    scale_text,
)
from ivb_analysis.io.sav_labels import SavMeta, compare_labels
from ivb_analysis.io.text import load_csv


def plain(value: object) -> object:
    """A value as the user wrote it: 3 for 3.0, text as text (never np.float64(3.0))."""
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _read_sav(path: Path) -> pd.DataFrame:
    try:
        data, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except pyreadstat.ReadstatError as exc:
        raise InputError(f"SPSS-bestand is onleesbaar of afgekapt ({exc})", file=path,
                         expected="een volledig .sav-bestand") from exc
    data.attrs["sav_meta"] = SavMeta.from_pyreadstat(meta)  # value labels, user-missing codes
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
                             found=str(text.iloc[pos]))
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
                         expected="een numerieke antwoordcode",
                         found=plain(data[column].iloc[pos]))
    return values.astype("float64")


def validate_survey(
    data: pd.DataFrame, codebook: Codebook, catalogue: Catalogue, wijk_numbers: set[int],
    path: Path, year: int | None = None,
) -> pd.DataFrame:
    """Check schema and values of one raw wave; return only the codebook's columns, as floats.

    Rows in messages are the respondent's position in a .sav (1 = first respondent) and the
    file line in a CSV (header = line 1). `year` is the wave the file is for: a year column
    named in the codebook (`design.year`) must agree with it.
    """
    first_line = int(data.attrs.get("first_line", 1))
    design = codebook.design
    needed = [design[r] for r in (*DESIGN_ROLES, *OPTIONAL_ROLES) if r in design]
    absent = {name for name, spec in codebook.variables.items()  # not asked in this wave
              if not codebook.asked(spec.item, year) and name not in data.columns}
    needed += [name for name in codebook.variables if name not in absent]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise InputError(
            f"{len(missing)} kolom(men) uit het codeboek ontbreken", file=path, column=missing[0],
            expected="alle variabelen uit " + codebook.path.name
            + " (een item dat niet gevraagd is: haal de variabele weg en zet het item onder "
            "not_asked)" if codebook.path is not None else "alle variabelen uit het codeboek",
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
        earlier = _first((ids == ids.iloc[pos]).to_numpy())
        raise InputError(f"respondentnummer komt dubbel voor (ook in rij {earlier + first_line})",
                         file=path, column=design["id"], row=pos + first_line,
                         found=plain(ids.iloc[pos]), expected="unieke respondentnummers")
    out["resp_id"] = ids.to_numpy()

    weight = _as_codes(data, design["weight"], path, first_line)
    bad_w = ~(np.isfinite(weight.to_numpy()) & (weight > 0).to_numpy())
    if bad_w.any():
        pos = _first(bad_w)
        value = weight.iloc[pos]
        raise InputError("weegfactor ontbreekt, is niet positief of niet eindig", file=path,
                         column=design["weight"], row=pos + first_line,
                         expected="een eindig gewicht > 0 voor elke respondent",
                         found="leeg" if np.isnan(value) else plain(value))
    out["weight"] = weight.to_numpy()

    wijk = _as_codes(data, design["wijk"], path, first_line)
    bad_wijk = ~wijk.isin(wijk_numbers).to_numpy()
    if bad_wijk.any():
        pos = _first(bad_wijk)
        raise InputError("onbekende wijkcode", file=path, column=design["wijk"],
                         row=pos + first_line,
                         expected="een wijknummer uit het wijkenbestand: "
                         + ", ".join(str(n) for n in sorted(wijk_numbers)),
                         found=plain(data[design["wijk"]].iloc[pos]))
    out["wijk"] = wijk.astype("int64").to_numpy()

    if "strata" in design:
        strata = _as_codes(data, design["strata"], path, first_line)
        if strata.isna().any():
            raise InputError("stratum ontbreekt", file=path, column=design["strata"],
                             row=_first(strata.isna().to_numpy()) + first_line)
        out["stratum"] = strata.astype("int64").to_numpy()
    elif "psu" in design:  # clusters without strata: one stratum (the wijk is no stratum then)
        out["stratum"] = np.zeros(len(data), dtype="int64")
    if "psu" in design:
        psu = _as_codes(data, design["psu"], path, first_line)
        if psu.isna().any():
            raise InputError("PSU (cluster) ontbreekt", file=path, column=design["psu"],
                             row=_first(psu.isna().to_numpy()) + first_line,
                             expected="een clustercode voor elke respondent")
        out["psu"] = psu.to_numpy()
    if "fpc" in design:
        out["fpc"] = _fpc(data, design["fpc"], path, first_line)

    if "year" in design and year is not None:
        years = _as_codes(data, design["year"], path, first_line)
        wrong = (years != year).to_numpy()
        if wrong.any():
            pos = _first(wrong)
            raise InputError(
                f"jaar in het bestand past niet bij meetjaar {year} "
                f"({int(wrong.sum())} respondent(en))", file=path, column=design["year"],
                row=pos + first_line, expected=f"{year} in elke rij (is dit het bestand van "
                f"{year}? controleer files.survey in ivb.yaml)",
                found="leeg" if np.isnan(years.iloc[pos]) else plain(years.iloc[pos]))

    codes = {name: pd.Series(np.nan, index=data.index) if name in absent
             else _as_codes(data, name, path, first_line) for name in codebook.variables}
    meta = data.attrs.get("sav_meta")
    if isinstance(meta, SavMeta):
        present = {name: {int(c) for c in values.dropna().unique() if float(c).is_integer()}
                   for name, values in codes.items()}
        for finding in compare_labels(codebook, catalogue, meta, present):
            if finding.severity == "fout":
                raise InputError(finding.message, file=path, column=finding.variable,
                                 found=finding.code)
    for name, spec in codebook.variables.items():
        item = catalogue.items[spec.item]
        meaning = codebook.meaning(spec, item)
        values = codes[name]
        bad = ~(values.isin(list(meaning)) | values.isna()).to_numpy()
        if bad.any():
            raise _code_error(values, bad, spec, item, codebook, path, first_line)
        out[name] = values.to_numpy()
    return out


def _fpc(data: pd.DataFrame, column: str, path: Path, first_line: int) -> np.ndarray:
    """The fpc column: positive and finite in every row (per-stratum constancy is checked by
    the estimator, which knows the strata of each analysis)."""
    fpc = _as_codes(data, column, path, first_line)
    bad = ~(np.isfinite(fpc.to_numpy()) & (fpc > 0).to_numpy())
    if bad.any():
        pos = _first(bad)
        raise InputError("fpc ontbreekt of is niet positief", file=path, column=column,
                         row=pos + first_line,
                         expected="per stratum de populatieomvang (> 1) of de trekkingsfractie "
                         "(<= 1)", found="leeg" if np.isnan(fpc.iloc[pos]) else plain(
                             fpc.iloc[pos]))
    return fpc.to_numpy()


def _code_error(values: pd.Series, bad: np.ndarray, spec: VariableSpec, item: Item,
                codebook: Codebook, path: Path, first_line: int) -> InputError:
    """The first unknown code of a variable: its count, first row, and how to fix the codebook."""
    pos = _first(bad)
    code = plain(values.iloc[pos])
    count = int((values == values.iloc[pos]).sum())
    scale = scale_text(item)
    known = sorted(set(codebook.missing_codes) | spec.missing | set(spec.filter)
                   | set(spec.recode))
    listed = ", ".join(map(str, known)) or "geen"
    return InputError(
        f"ongeldige antwoordcode: code {code} komt {count} keer voor bij variabele {spec.name} "
        f"({spec.item}: {item.label}) maar staat niet op de antwoordschaal '{item.scale}' "
        f"({scale}) en niet onder recode, filter of missing ({listed}). Oplossing: zet {code} "
        f"in het codeboek bij {spec.name} onder 'missing:' als het geen antwoord is, onder "
        f"'recode:' als het een antwoord is, of onder 'filter:' als het een filtercode is",
        file=path, column=spec.name, row=pos + first_line, found=code)


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
