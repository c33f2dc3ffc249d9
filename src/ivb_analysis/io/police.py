"""Police inputs: buurt -> wijk aggregation, labels, wijk names and the group's membership file.

Inputs are the tidy frames of `ivb_analysis.io.statline` (`region_code, year, count` for crime).
The membership file lists the gemeenten of a benchmark group network (`gemeentecode`, the
StatLine name and columns that define sub-groups, e.g. the compiled G32/G40 file). Rates, ranks
and group comparisons are computed in `ivb_analysis.benchmark`, not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ivb_analysis.errors import InputError
from ivb_analysis.io.text import first_true, load_csv, require_columns

#: Titles of the 47018NED SoortMisdrijf keys the annex names, for a file delivered without the
#: optional `SoortMisdrijf_label` column (CBS's own titles, key first as in the table).
CRIME_LABELS = {
    "0.0.0": "Totaal misdrijven",
    "1.1.1": "1.1.1 Diefstal/inbraak woning",
    "1.1.2": "1.1.2 Diefstal/inbraak box/garage/schuur",
    "1.2.1": "1.2.1 Diefstal uit/vanaf motorvoertuigen",
    "1.2.2": "1.2.2 Diefstal van motorvoertuigen",
    "1.2.3": "1.2.3 Diefstal van brom-, snor-, fietsen",
    "1.2.4": "1.2.4 Zakkenrollerij",
    "1.4.4": "1.4.4 Bedreiging",
    "1.4.5": "1.4.5 Mishandeling",
    "1.4.6": "1.4.6 Straatroof",
    "2.2.1": "2.2.1 Vernieling cq. zaakbeschadiging",
    "2.5.1": "2.5.1 Diefstal/inbraak bedrijven en instellingen",
    "2.5.2": "2.5.2 Winkeldiefstal",
}
_WIJK = re.compile(r"WK\d{6}")
#: (code column, name column) pairs that carry wijk names in delivered CSV files: the wijk list,
#: StatLine downloads (47018NED, 85984NED) with cbsodataR's `_label` columns.
NAME_COLUMNS = (("wijkcode", "wijknaam"), ("WijkenEnBuurten", "WijkenEnBuurten_label"),
                ("RegioS", "RegioS_label"), ("Codering_3", "WijkenEnBuurten_label"))


def fill_crime_labels(crime: pd.DataFrame) -> pd.DataFrame:
    """`crime_label` complete: a missing label (the column is optional) from `CRIME_LABELS`,
    else 'Soort misdrijf <key>'. Adds the column when absent; never changes a given label."""
    codes = crime["crime_code"].astype("string").str.strip()
    fallback = codes.map(lambda c: CRIME_LABELS.get(c, f"Soort misdrijf {c}"))
    if "crime_label" not in crime.columns:
        return crime.assign(crime_label=fallback.astype(object).to_numpy())
    labels = crime["crime_label"].astype(object)
    text = labels.astype("string").str.strip()
    missing = (labels.isna() | text.isin(["", "nan", "<NA>", "None"]).fillna(True)).to_numpy()
    out = labels.where(~missing, fallback.astype(object))
    return crime.assign(crime_label=out.to_numpy())


def wijk_names(paths: Iterable[str | Path]) -> dict[str, str]:
    """Wijk code -> name from every delivered CSV that has both (first file wins per code).

    A wijk in the police file but not in the survey's wijk list still gets its name, from the
    police file's `WijkenEnBuurten_label` or a population download. Files that are absent or
    hold no such columns add nothing; codes and names are trimmed (StatLine pads them).
    """
    names: dict[str, str] = {}
    for path in paths:
        if path is None or not Path(path).is_file() or Path(path).suffix.lower() != ".csv":
            continue
        frame = load_csv(path).frame()
        for code_col, name_col in NAME_COLUMNS:
            if code_col not in frame.columns or name_col not in frame.columns:
                continue
            for code, name in zip(frame[code_col], frame[name_col], strict=True):
                if not isinstance(code, str) or not isinstance(name, str):
                    continue
                code, name = code.strip(), name.strip()
                if _WIJK.fullmatch(code) and name and code not in names:
                    names[code] = name
    return names

_BUURT = re.compile(r"BU\d{8}")
_GEMEENTE = re.compile(r"GM\d{4}")
_CODE_LIST = re.compile(r"\s*GM\d{4}(\s*,\s*GM\d{4})*\s*")
#: Column of the membership file with the region name as StatLine spells it.
NAME_COLUMN = "statline_naam"
# Named groups of the membership file: None = every row, else (column, value).
GROUPS: dict[str, tuple[str, str] | None] = {
    "G40": None,
    "G32": ("in_oorspronkelijke_G32_2009", "ja"),
    "G27": ("groep", "G27"),
}


def read_membership(path: str | Path) -> pd.DataFrame:
    """The membership file as strings (cells trimmed), its `gemeentecode` checked and unique.

    Keeps every column, so `select_group` can apply a criterion on any of them later (the
    group is a setting that can change after the data were prepared).
    """
    csv = load_csv(path)
    frame = csv.frame()
    require_columns(frame, ["gemeentecode"], csv.path)
    codes = frame["gemeentecode"]
    bad = first_true(~codes.fillna("").str.fullmatch(_GEMEENTE.pattern))
    if bad is not None:
        raise InputError("ongeldige gemeentecode", file=csv.path, column="gemeentecode",
                         row=csv.line_of(bad), expected="GM gevolgd door 4 cijfers",
                         found=codes.iloc[bad])
    dup = first_true(codes.duplicated())
    if dup is not None:
        raise InputError("gemeentecode komt dubbel voor", file=csv.path, column="gemeentecode",
                         row=csv.line_of(dup), found=codes.iloc[dup])
    if codes.empty:
        raise InputError("lidmaatschapsbestand heeft geen rijen", file=csv.path)
    return frame


def select_group(
    membership: pd.DataFrame, group: str = "G40", *, file: str | Path | None = None
) -> list[str]:
    """GM codes of a named group (`GROUPS`) or of a criterion `column=value`, sorted.

    G40 = all rows, G32 = the 32 original members of 2009 (`in_oorspronkelijke_G32_2009 ==
    ja`), G27. Which set a survey bureau calls "G32 gemiddelde" is a choice the caller makes
    explicit here.
    """
    require_columns(membership, ["gemeentecode"], file)
    criterion = _criterion(group, membership, file)
    frame = membership
    if criterion is not None:
        column, value = criterion
        frame = membership[membership[column] == value]
    if frame.empty:
        raise InputError(f"groep {group} heeft geen leden", file=file)
    return sorted(frame["gemeentecode"])


def group_codes(group: str | Sequence[str]) -> list[str] | None:
    """The members when the group setting lists them, sorted; None for a named group.

    A list of GM codes, or a comma-separated string of them (`"GM0141,GM0153"`, handy on a
    command line), is an explicit group; every code is checked and must occur once.
    """
    if isinstance(group, str):
        if not _CODE_LIST.fullmatch(group):
            return None
        codes = [c.strip() for c in group.split(",")]
    else:
        codes = [str(c).strip() for c in group]
    bad = next((c for c in codes if not _GEMEENTE.fullmatch(c)), None)
    if bad is not None:
        raise InputError("ongeldige gemeentecode in benchmarkgroep", column="benchmark_group",
                         expected="GM gevolgd door 4 cijfers", found=bad)
    dup = next((c for i, c in enumerate(codes) if c in codes[:i]), None)
    if dup is not None:
        raise InputError("gemeentecode komt dubbel voor in benchmarkgroep",
                         column="benchmark_group", found=dup)
    if not codes:
        raise InputError("benchmarkgroep heeft geen leden", column="benchmark_group")
    return sorted(codes)


def read_group_membership(path: str | Path, group: str = "G40") -> list[str]:
    """GM codes of a benchmark group from a membership file, sorted (see `select_group`)."""
    return select_group(read_membership(path), group, file=Path(path))


def membership_names(membership: pd.DataFrame, *, file: str | Path | None = None
                     ) -> dict[str, str]:
    """StatLine name -> GM code from the membership file's `statline_naam` column.

    StatLine "download as CSV" exports carry names only (`Groningen (gemeente)`); this joins them to
    codes when no 47013NED metadata file is delivered. A name used twice is an error.
    """
    require_columns(membership, ["gemeentecode", NAME_COLUMN], file)
    names = membership[NAME_COLUMN]
    missing = first_true(names.isna())
    if missing is not None:
        raise InputError("naam ontbreekt", file=file, column=NAME_COLUMN, row=missing + 2,
                         expected="de naam zoals StatLine hem schrijft")
    dup = first_true(names.duplicated())
    if dup is not None:
        raise InputError("naam komt dubbel voor", file=file, column=NAME_COLUMN, row=dup + 2,
                         found=names.iloc[dup])
    return dict(zip(names, membership["gemeentecode"], strict=True))


def _criterion(
    group: str, frame: pd.DataFrame, file: str | Path | None
) -> tuple[str, str] | None:
    """(column, value) selecting the group's rows, or None for all rows."""
    if group in GROUPS:
        criterion = GROUPS[group]
    else:
        column, sep, value = group.partition("=")
        if not sep:
            raise InputError(f"onbekende benchmarkgroep {group!r}", file=file,
                             expected=", ".join(GROUPS) + ", kolom=waarde of een lijst "
                             "gemeentecodes")
        criterion = (column.strip(), value.strip())
    if criterion is None:
        return None
    column = criterion[0]
    if column not in frame.columns:
        raise InputError("kolom voor benchmarkgroep ontbreekt", file=file, column=column,
                         found=", ".join(frame.columns))
    return criterion


def aggregate_to_wijk(crime: pd.DataFrame) -> pd.DataFrame:
    """Sum buurt counts to wijken: wijk code = `WK` + buurt code[2:8] (BU01640001 -> WK016400).

    Only buurt rows are used (wijk rows in a national file would double count). A wijk with any
    buurt count missing gets a missing count rather than a silent undercount. Returns the crime
    columns (`region_level` = `wijk`) plus `n_buurten`, sorted.
    """
    require_columns(crime, ["region_code", "crime_code", "year", "count"], None)
    buurten = crime[crime["region_code"].str.startswith("BU")]
    bad = first_true(~buurten["region_code"].str.fullmatch(_BUURT.pattern))
    if bad is not None:
        raise InputError("ongeldige buurtcode", column="region_code",
                         expected="BU gevolgd door 8 cijfers",
                         found=buurten["region_code"].iloc[bad])
    wijk = "WK" + buurten["region_code"].str[2:8]
    keys = ["region_code", "crime_code", "year"]
    has_label = "crime_label" in buurten.columns
    grouped = buurten.assign(region_code=wijk).groupby(keys, sort=True)
    out = grouped["count"].sum(skipna=False).astype("Int64").to_frame()
    out["n_buurten"] = grouped.size()
    if has_label:
        out["crime_label"] = grouped["crime_label"].first()
    out = out.reset_index()
    out["region_level"] = "wijk"
    columns = ["region_code", "region_level", "crime_code", *(["crime_label"] * has_label),
               "year", "count", "n_buurten"]
    return out[columns].sort_values(keys).reset_index(drop=True)
