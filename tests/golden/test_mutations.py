"""A wrong codebook never reaches the council: single realistic mistakes in the correct codebook of
the synthetic Zwolle delivery (tests/fixtures/make_levering_zwolle.py, another bureau's names,
codes, reversed scales and filter codes), and how many of those that change a published number
are refused (a fout: `ivb check` exits 2, `prepare`/`run`/`annex` refuse) or flagged by name.

Published numbers: every indicator's weighted value per wave for the gemeente and per wijk,
rounded as the annex prints them (percentages whole, other kinds one decimal), computed from the
raw files through the codebook without the checks (what would be published if nothing refused).
"""

from __future__ import annotations

import copy
import functools
import itertools
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ivb_analysis import check, guards
from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.check import check_delivery
from ivb_analysis.clean.indicators import score_indicators
from ivb_analysis.clean.recode import DESIGN_COLUMNS, decode
from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.io import microdata
from ivb_analysis.io.codebook import read_codebook
from ivb_analysis.prepare import prepare

FIXTURE = Path(__file__).parents[1] / "fixtures" / "levering_zwolle"
CATALOGUE = load_catalogue()
REQUIRED_RATE = 0.95


_READ = microdata.read_raw_survey


@functools.cache
def _raw(path: Path) -> pd.DataFrame:
    return _READ(path)


def _cached_read(path: Path) -> pd.DataFrame:
    return _raw(Path(path)).copy()


@pytest.fixture(scope="module")
def delivery(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zwolle") / "levering_zwolle"
    shutil.copytree(FIXTURE, folder)
    return folder


@pytest.fixture(scope="module")
def truth() -> dict:
    return yaml.safe_load((FIXTURE / "codeboek.yaml").read_text(encoding="utf-8"))


def published(book: dict, folder: Path, tmp: Path) -> dict[tuple, float]:
    """Every printed indicator value (gemeente and wijk, per wave) under this codebook."""
    path = tmp / "codeboek_published.yaml"
    path.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    codebook = read_codebook(path, CATALOGUE)
    wijken = pd.read_csv(folder / "wijken.csv", sep=";")
    codes = dict(zip(wijken["nummer"], wijken["wijkcode"], strict=True))
    out: dict[tuple, float] = {}
    for year in (2021, 2023):
        raw = _cached_read(folder / f"zwolle_vm_{year}_SYNTHETISCH.sav")
        items = pd.DataFrame({
            "year": year, "resp_id": raw[codebook.design["id"]].to_numpy(),
            "wijk_code": raw[codebook.design["wijk"]].map(codes).to_numpy(),
            "stratum": raw[codebook.design["wijk"]].to_numpy(),
            "weight": pd.to_numeric(raw[codebook.design["weight"]]).to_numpy(dtype=float)})
        items = items[DESIGN_COLUMNS]
        for name, spec in codebook.variables.items():
            items[spec.item] = decode(raw[name], codebook.meaning(spec, CATALOGUE.items[spec.item]))
        long = score_indicators(items, CATALOGUE)
        long = long[np.isfinite(long["value"])]
        long = long.assign(wv=long["value"] * long["weight"])
        for level, keys in (("gemeente", ["indicator"]), ("wijk", ["indicator", "wijk_code"])):
            sums = long.groupby(keys)[["wv", "weight"]].sum()
            for key, row in sums.iterrows():
                key = key if isinstance(key, tuple) else (key,)
                ind = CATALOGUE.indicators[key[0]]
                value = row["wv"] / row["weight"]
                out[(year, level, *key)] = (round(100 * value) if ind.is_proportion
                                            else round(value, 1))
    return out


def _vars_by_item(book: dict) -> dict[str, str]:
    return {spec["item"]: name for name, spec in book["variables"].items()}


def mutations(truth: dict) -> list[tuple[str, str, set[str], dict]]:
    """(kind, description, names that count as 'flagged by name', mutated codebook)."""
    out = []
    by_item = _vars_by_item(truth)
    order = [i for i in CATALOGUE.items if i in by_item]

    def mutant(kind, text, names, change):
        book = copy.deepcopy(truth)
        change(book)
        out.append((kind, text, set(names), book))

    # an item mapped to its neighbour on the same scale (the neighbour's variable left out)
    same_scale = [(a, b) for a, b in itertools.pairwise(order)
                  if CATALOGUE.items[a].scale == CATALOGUE.items[b].scale]
    for a, b in same_scale[::3]:
        va, vb = by_item[a], by_item[b]

        def neighbour(book, va=va, vb=vb, b=b):
            book["variables"][va]["item"] = b
            del book["variables"][vb]
        mutant("buur", f"{va} -> {b} (i.p.v. {a}), {vb} weg", {va, vb, a, b}, neighbour)
    # two items on one scale swapped
    for a, b in same_scale[1::3]:
        va, vb = by_item[a], by_item[b]

        def swap(book, va=va, vb=vb, a=a, b=b):
            book["variables"][va]["item"], book["variables"][vb]["item"] = b, a
        mutant("verwisseld", f"{va} <-> {vb}", {va, vb}, swap)
    # a recode dropped, or a reversal where none belongs
    recoded = [n for n, s in truth["variables"].items() if "recode" in s]
    for name in recoded[::3]:
        mutant("recode weg", name, {name}, lambda b, n=name: b["variables"][n].pop("recode"))
    plain = [n for n, s in truth["variables"].items() if "recode" not in s
             and CATALOGUE.items[s["item"]].scale in ("eens5", "tevreden5", "altijd3")]
    for name in plain[::3]:
        scale = CATALOGUE.items[truth["variables"][name]["item"]].categories
        top = max(scale)
        rev = {c: top + 1 - c for c in scale if c != top + 1 - c}
        mutant("recode omgekeerd", name, {name},
               lambda b, n=name, r=rev: b["variables"][n].__setitem__("recode", r))
    # "weet niet" counted as an answer (recoded onto the middle), or left without a meaning
    weetniet = [n for n, s in truth["variables"].items() if 8 in (s.get("missing") or [])]
    for name in weetniet[::5]:
        mid = sorted(CATALOGUE.items[truth["variables"][name]["item"]].categories)[1]

        def counted(book, n=name, mid=mid):
            spec = book["variables"][n]
            spec["missing"] = [c for c in spec["missing"] if c != 8] or None
            spec.setdefault("recode", {})[8] = mid
            if spec["missing"] is None:
                del spec["missing"]
        mutant("weet niet als antwoord", name, {name}, counted)
    # wrong filter meanings
    for name, spec in truth["variables"].items():
        for code, value in (spec.get("filter") or {}).items():
            scale = CATALOGUE.items[spec["item"]].categories
            wrong = [None] if value is not None else [max(scale), min(scale)]
            if value is not None and value != min(scale):
                wrong.append(min(scale))
            if name.startswith("v10") and name not in ("v10a", "v10g", "v10h"):
                wrong = wrong[:1] if name in ("v10e", "v10l") else []
            for w in wrong:
                mutant("filter", f"{name} {code}: {value} -> {w}", {name},
                       lambda b, n=name, c=code, w=w: b["variables"][n]["filter"].__setitem__(c, w))
    # a wrong weight variable
    for weight in ("steekproef", "lft_klasse", "geslacht", "hh_grootte"):
        mutant("gewicht", weight, {weight},
               lambda b, w=weight: b["design"].__setitem__("weight", w))
    # an item wrongly declared not asked
    for item in order[::5]:
        name = by_item[item]

        def not_asked(book, n=name, i=item):
            del book["variables"][n]
            book["not_asked"] = [*book["not_asked"], i]
        mutant("ten onrechte niet gevraagd", f"{item} ({name})", {name, item}, not_asked)
    return out


def detected(folder: Path, book: dict, names: set[str]) -> tuple[bool, str]:
    """Refused (a fout) or flagged by name (a warning naming the variable or item)."""
    (folder / "codeboek.yaml").write_text(yaml.safe_dump(book, sort_keys=False),
                                          encoding="utf-8")
    report = check_delivery(load_settings(folder))
    if not report.ok:
        return True, report.of("fout")[0].text
    named = [f.text for f in report.of("waarschuwing") if any(n in f.text for n in names)]
    return bool(named), named[0] if named else ""


def test_correct_codebook_passes(delivery):
    report = check_delivery(load_settings(FIXTURE))
    assert report.ok, report.of("fout")
    assert [f.topic for f in report.of("waarschuwing")] == ["indicatoren"]  # overlast 12 of 13


def test_mistakes_that_change_a_number_are_refused_or_flagged(delivery, truth, tmp_path,
                                                              monkeypatch):
    for module in (microdata, check, guards):
        if hasattr(module, "read_raw_survey"):
            monkeypatch.setattr(module, "read_raw_survey", _cached_read)
    import ivb_analysis.prepare as prepare_module

    monkeypatch.setattr(prepare_module, "read_raw_survey", _cached_read)
    base = published(truth, delivery, tmp_path)
    rows = []
    for kind, text, names, book in mutations(truth):
        changed = published(book, delivery, tmp_path) != base
        found, why = detected(delivery, book, names)
        rows.append((kind, text, changed, found, why))
    table = pd.DataFrame(rows, columns=["kind", "mutation", "changed", "detected", "why"])
    relevant = table[table["changed"]]
    rate = relevant["detected"].mean()
    summary = relevant.groupby("kind")["detected"].agg(["sum", "count"])
    print(f"\nmutaties: {len(table)}, waarvan {len(relevant)} een gepubliceerd getal veranderen; "
          f"geweigerd of bij naam gemeld: {int(relevant['detected'].sum())} "
          f"({rate:.0%})\n{summary}\nniet gevonden:\n"
          + relevant[~relevant["detected"]][["kind", "mutation"]].to_string())
    assert len(table) >= 60 and len(relevant) >= 50
    assert set(relevant["kind"]) == {"buur", "verwisseld", "recode weg", "recode omgekeerd",
                                     "weet niet als antwoord", "filter", "gewicht",
                                     "ten onrechte niet gevraagd"}
    assert rate >= REQUIRED_RATE, relevant[~relevant["detected"]]


def test_prepare_refuses_what_check_refuses(delivery, truth, tmp_path):
    """The same guards stand before every table: a swap refused by check is refused by prepare."""
    book = copy.deepcopy(truth)
    book["variables"]["v10g"]["item"], book["variables"]["v10h"]["item"] = (
        "ovh_buurtbewoners", "ovh_jongeren")
    (delivery / "codeboek.yaml").write_text(yaml.safe_dump(book, sort_keys=False),
                                            encoding="utf-8")
    settings = load_settings(delivery, processed_dir=tmp_path / "processed")
    with pytest.raises(InputError, match="v10g en v10h lijken verwisseld"):
        prepare(settings, force=True)
    assert not (tmp_path / "processed").exists() or not any((tmp_path / "processed").rglob("*"))
