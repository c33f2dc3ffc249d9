"""Survey readers on the demo delivery, and malformed waves with their messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.io.microdata import read_codebook, read_raw_survey, read_wijken, validate_survey
from tests.conftest import DEMO_DIR

CAT = load_catalogue()
SETTINGS = load_settings(DEMO_DIR)


def _validate(raw: pd.DataFrame, path) -> pd.DataFrame:
    codebook = read_codebook(SETTINGS.path("codebook"), CAT)
    wijken = read_wijken(SETTINGS.path("wijken"))
    return validate_survey(raw, codebook, CAT, set(wijken["wijk"]), path)


@pytest.fixture(scope="module")
def wave_2015() -> pd.DataFrame:
    return read_raw_survey(SETTINGS.path("survey", 2015))


def test_demo_wave_is_read_with_raw_codes(wave_2015):
    assert len(wave_2015) >= 3000
    assert wave_2015["respnr"].is_unique
    # user-missing 98/99 and the filter code 97 are kept as codes, not turned into NaN
    assert {97.0, 98.0}.issubset(set(wave_2015["ovl_hi_01"].dropna()))
    assert 98.0 in set(wave_2015["rapcijf_leefb"])
    valid = _validate(wave_2015, SETTINGS.path("survey", 2015))
    assert sorted(valid["wijk"].unique()) == list(range(10))
    assert (valid["weight"] > 0).all()


def test_codebook_covers_every_catalogue_item():
    codebook = read_codebook(SETTINGS.path("codebook"), CAT)
    assert {v.item for v in codebook.variables.values()} == set(CAT.items)


def test_wijken_are_the_ten_cbs_wijken():
    wijken = read_wijken(SETTINGS.path("wijken"))
    assert list(wijken["wijk_code"]) == [f"WK01640{i}" for i in range(10)]
    assert wijken.loc[0, "wijk_naam"] == "Binnenstad"


def test_csv_export_of_a_wave_reads_like_the_sav(wave_2015, tmp_path):
    path = tmp_path / "wave.csv"
    text = wave_2015.to_csv(sep=";", index=False, decimal=",")
    path.write_text(text, encoding="utf-8")
    from_csv = _validate(read_raw_survey(path), path)
    from_sav = _validate(wave_2015, SETTINGS.path("survey", 2015))
    pd.testing.assert_frame_equal(from_csv.reset_index(drop=True), from_sav.reset_index(drop=True),
                                  check_dtype=False)


def _broken(wave: pd.DataFrame, **changes) -> pd.DataFrame:
    out = wave.copy()
    for (column, row), value in changes.items():
        out.loc[row, column] = value
    return out


@pytest.mark.parametrize(
    ("change", "column", "row", "fragment"),
    [
        ({("rapcijf_leefb", 16): 11.0}, "rapcijf_leefb", 17, "ongeldige antwoordcode"),
        ({("weegfactor", 4): 0.0}, "weegfactor", 5, "niet positief"),
        ({("weegfactor", 9): -1.5}, "weegfactor", 10, "niet positief"),
        ({("weegfactor", 2): np.nan}, "weegfactor", 3, "ontbreekt"),
        ({("wijk", 7): 12.0}, "wijk", 8, "onbekende wijkcode"),
        ({("cohes_1", 0): 6.0}, "cohes_1", 1, "ongeldige antwoordcode"),
    ],
)
def test_bad_values_name_file_column_and_row(wave_2015, change, column, row, fragment):
    path = SETTINGS.path("survey", 2015)
    bad = wave_2015.copy()
    for (col, pos), value in change.items():
        bad[col] = bad[col].astype("float64")
        bad.iloc[pos, bad.columns.get_loc(col)] = value
    with pytest.raises(InputError) as info:
        _validate(bad, path)
    error = info.value
    assert (error.column, error.row) == (column, row)
    assert fragment in str(error) and path.name in str(error)


def test_duplicated_respondent_id(wave_2015):
    bad = wave_2015.copy()
    bad.iloc[5, bad.columns.get_loc("respnr")] = bad["respnr"].iloc[2]
    with pytest.raises(InputError, match="dubbel") as info:
        _validate(bad, SETTINGS.path("survey", 2015))
    assert info.value.row == 6


def test_missing_and_renamed_columns(wave_2015):
    bad = wave_2015.drop(columns=["onv_alg"]).rename(columns={"weegfactor": "gewicht"})
    with pytest.raises(InputError, match="ontbreken") as info:
        _validate(bad, SETTINGS.path("survey", 2015))
    assert info.value.column == "weegfactor"
    assert "onv_alg" in str(info.value)


def test_empty_wave(wave_2015):
    with pytest.raises(InputError, match="geen respondenten"):
        _validate(wave_2015.iloc[0:0], SETTINGS.path("survey", 2015))


def test_truncated_sav(tmp_path):
    data = SETTINGS.path("survey", 2015).read_bytes()
    path = tmp_path / "afgekapt.sav"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match="onleesbaar of afgekapt") as info:
        read_raw_survey(path)
    assert info.value.file == path


def test_csv_with_text_in_a_code_column_reports_the_file_line(wave_2015, tmp_path):
    path = tmp_path / "wave.csv"
    frame = wave_2015.head(5).astype(object)
    frame.iloc[3, frame.columns.get_loc("rapcijf_veil")] = "zeven"
    path.write_text(frame.to_csv(sep=";", index=False), encoding="utf-8")
    with pytest.raises(InputError, match="geen getal") as info:
        read_raw_survey(path)
    assert (info.value.column, info.value.row) == ("rapcijf_veil", 5)  # header is line 1


def test_unknown_item_in_codebook(tmp_path):
    path = tmp_path / "codeboek.yaml"
    path.write_text("design: {id: a, wijk: b, weight: c}\nmissing_codes: {98: weet niet}\n"
                    "variables:\n  v1: rc_leefbaarheid\n  v2: rapportcijfer_geluk\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="onbekend item") as info:
        read_codebook(path, CAT)
    assert info.value.column == "v2"


def test_sav_value_labels_carry_the_catalogue_categories():
    _, meta = pyreadstat.read_sav(str(SETTINGS.path("survey", 2013)), metadataonly=True)
    assert meta.variable_value_labels["onv_buurt"][3.0] == "(bijna) nooit"
    assert meta.file_label == "SYNTHETISCHE DEMODATA 2013"
