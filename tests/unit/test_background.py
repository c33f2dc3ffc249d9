"""Background variables in the codebook (`background:`), carried into the processed table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from ivb_analysis.clean.background import attach_background, categories
from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.io.background import read_background
from ivb_analysis.prepare import survey_long
from tests.conftest import ROOT

MINI = ROOT / "data" / "raw" / "mini"


def _codebook(tmp_path: Path, block: str) -> Path:
    path = tmp_path / "codeboek.yaml"
    path.write_text("design: {id: r, wijk: w, weight: g}\nvariables: {}\nbackground:\n" + block,
                    encoding="utf-8")
    return path


def test_age_classes_from_a_year_of_birth(tmp_path):
    specs = read_background(_codebook(tmp_path, (
        "  leeftijd:\n    variable: gebjaar\n    birth_year: true\n"
        "    classes: {jong: [15, 34], midden: [35, 64], oud: [65, 120]}\n")))
    raw = pd.DataFrame({"gebjaar": [2000, 1981, 1980, 1950, 9999, 99, None]})
    got = categories(raw, specs["leeftijd"], 2015, [99], tmp_path / "x.sav")
    assert got.astype(object).where(got.notna(), None).tolist() == [
        "jong", "jong", "midden", "oud", None, None, None]
    assert list(got.cat.categories) == ["jong", "midden", "oud"]


def test_labels_recode_several_codes_into_one_category(tmp_path):
    specs = read_background(_codebook(tmp_path, (
        "  huishouden: {variable: hh, labels: {1: alleen, 2: met anderen, 3: met anderen}}\n")))
    raw = pd.DataFrame({"hh": [1, 2, 3, 98]})
    long = pd.DataFrame({"resp_id": [11, 12, 13, 14, 11], "value": [1.0] * 5})
    out = attach_background(long, raw, pd.Series([11, 12, 13, 14]), specs, 2015, [98],
                            tmp_path / "x.sav")
    assert out["huishouden"].astype(object).where(out["huishouden"].notna(), None).tolist() == [
        "alleen", "met anderen", "met anderen", None, "alleen"]


@pytest.mark.parametrize(("block", "message"), [
    ("  year: {variable: j, labels: {1: a}}\n", "ongeldige naam"),
    ("  lft: {variable: l, labels: {1: a}, classes: {b: [1, 2]}}\n", "labels of classes"),
    ("  lft: {variable: l, classes: {a: [1, 20], b: [20, 30]}}\n", "overlappen"),
    ("  lft: {labels: {1: a}}\n", "zonder 'variable'"),
    ("  lft: {variable: l, labels: {1.5: a}}\n", "geheel getal"),
])
def test_bad_background_blocks_are_refused_with_the_key(tmp_path, block, message):
    with pytest.raises(InputError, match=message) as caught:
        read_background(_codebook(tmp_path, block))
    assert caught.value.file == tmp_path / "codeboek.yaml"


def test_a_background_variable_missing_from_the_wave_is_refused(tmp_path):
    specs = read_background(_codebook(tmp_path, "  lft: {variable: lft, labels: {1: a}}\n"))
    with pytest.raises(InputError, match="ontbreekt") as caught:
        categories(pd.DataFrame({"x": [1]}), specs["lft"], 2015, [], tmp_path / "golf.sav")
    assert caught.value.column == "lft"


def test_prepare_carries_the_mini_delivery_s_background_into_the_long_table():
    long = survey_long(load_settings(MINI))
    raw, _meta = pyreadstat.read_sav(MINI / "veiligheidsmonitor_2015_SYNTHETISCH.sav")
    wave = long[(long["year"] == 2015) & (long["indicator"] == "onveiligheid_buurt")]
    counts = wave["leeftijd"].value_counts().sort_index()
    assert counts.to_dict() == {"15-24": 84, "25-39": 166, "40-54": 190, "55-69": 157,
                                "70+": 141}
    assert counts.sum() == len(raw)
    assert (wave["geslacht"] == "vrouw").sum() == (raw["geslacht"] == 2).sum() == 372
