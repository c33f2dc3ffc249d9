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


# --- the codebook language (issue 10 item 2) and codebook/survey families of issue 15 ----------

DESIGN = "design: {id: respnr, wijk: wijk, weight: weegfactor}\n"


def _codebook(tmp_path, body: str, design: str = DESIGN,
              missing: str = "missing_codes: {98: weet niet, 99: geen antwoord}\n"):
    path = tmp_path / "codeboek.yaml"
    path.write_text(design + missing + body, encoding="utf-8")
    return path


def _sav(tmp_path, columns: dict[str, list[float]], labels: dict | None = None,
         user_missing: dict | None = None, name: str = "golf.sav"):
    """A hand-built wave: respondents 1..n in wijk 0 with weight 1, plus the given columns."""
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({"respnr": np.arange(1.0, n + 1), "wijk": np.zeros(n),
                          "weegfactor": np.ones(n), "jaar": np.full(n, 2015.0)})
    for column, values in columns.items():
        frame[column] = np.array(values, dtype="float64")
    path = tmp_path / name
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels or {},
                         missing_ranges=user_missing or {})
    return path


def _check(tmp_path, codebook_body: str, columns, year: int | None = None, **sav):
    codebook = read_codebook(_codebook(tmp_path, codebook_body), CAT)
    path = _sav(tmp_path, columns, **sav)
    return validate_survey(read_raw_survey(path), codebook, CAT, {0}, path, year=year), codebook


ONTW_SWAPPED = {"ontw": {1.0: "vooruit", 2.0: "achteruit", 3.0: "gelijk", 98.0: "weet niet"}}


def test_labels_that_contradict_the_scale_are_an_error_with_the_recode_that_fixes_it(tmp_path):
    # the delivery codes 1 vooruit / 2 achteruit / 3 gelijk; the catalogue 2 gelijk / 3 achteruit
    with pytest.raises(InputError) as info:
        _check(tmp_path, "variables:\n  ontw: buurt_ontwikkeling\n",
               {"ontw": [1, 2, 2, 3, 98]}, labels=ONTW_SWAPPED)
    message = str(info.value)
    assert info.value.column == "ontw" and info.value.found == 2
    assert "golf.sav" in message
    assert "'achteruit'" in message and "'gelijk gebleven'" in message
    assert "'achteruitgegaan' (code 3" in message  # what the label matched
    assert "recode: {2: 3, 3: 2}" in message       # the fix, both codes at once


def test_the_recode_from_the_message_passes_and_swaps_at_once(tmp_path):
    from ivb_analysis.clean.recode import recode_items

    valid, codebook = _check(
        tmp_path, "variables:\n  ontw: {item: buurt_ontwikkeling, recode: {2: 3, 3: 2}}\n",
        {"ontw": [1, 2, 2, 3, 98]}, labels=ONTW_SWAPPED)
    wijken = pd.DataFrame({"wijk": [0], "wijk_code": ["WK999900"]})
    items = recode_items(valid, codebook, wijken, 2015, CAT)
    # raw 2 (achteruit) -> 3 achteruitgegaan, raw 3 (gelijk) -> 2, 98 -> missing
    np.testing.assert_array_equal(items["buurt_ontwikkeling"], [1, 3, 3, 2, np.nan])


def test_global_missing_code_that_is_a_valid_answer_is_refused_with_the_fix(tmp_path):
    path = _codebook(tmp_path, "variables:\n  rc: rc_leefbaarheid\n  g1: gem_aandacht\n",
                     missing="missing_codes: {6: weet niet, 9: weet niet}\n")
    with pytest.raises(InputError) as info:
        read_codebook(path, CAT)
    message = str(info.value)
    assert info.value.column == "missing_codes" and info.value.found == 6
    assert "variabele rc (rc_leefbaarheid)" in message and "geldig antwoord" in message
    assert "'missing:'" in message  # how to fix: per variable instead of global


def test_global_missing_code_labelled_as_a_valid_answer_in_the_sav(tmp_path):
    # 'nee' is coded 3 in this file; the codebook forgot the recode and calls 3 missing everywhere
    codebook = read_codebook(_codebook(tmp_path, "variables:\n  onv: onv_algemeen\n",
                                       missing="missing_codes: {3: geen antwoord}\n"), CAT)
    path = _sav(tmp_path, {"onv": [1, 3, 3]}, labels={"onv": {1.0: "ja", 3.0: "nee"}})
    with pytest.raises(InputError) as info:
        validate_survey(read_raw_survey(path), codebook, CAT, {0}, path)
    message = str(info.value)
    assert info.value.column == "onv" and info.value.found == 3
    assert "het geldige antwoord 'nee' (code 2, gelijkenis 1,00)" in message
    assert "haal 3 weg onder missing_codes" in message


def test_label_no_answer_counted_as_an_answer(tmp_path):
    with pytest.raises(InputError) as info:
        _check(tmp_path, "variables:\n  rc: rc_leefbaarheid\n", {"rc": [7, 10, 8]},
               labels={"rc": {7.0: "7", 8.0: "8", 10.0: "weet niet"}})
    assert info.value.found == 10
    assert "'weet niet'" in str(info.value) and "'missing:' van rc" in str(info.value)


def test_spss_user_missing_code_counted_as_an_answer(tmp_path):
    with pytest.raises(InputError) as info:
        _check(tmp_path, "variables:\n  rc: rc_leefbaarheid\n", {"rc": [7, 10, 8]},
               user_missing={"rc": [10.0]})
    assert info.value.found == 10 and "user-missing" in str(info.value)
    # saying so in the codebook is the fix
    valid, _ = _check(tmp_path, "variables:\n  rc: {item: rc_leefbaarheid, missing: [10]}\n",
                      {"rc": [7, 10, 8]}, user_missing={"rc": [10.0]})
    assert list(valid["rc"]) == [7, 10, 8]  # raw codes stay; clean makes 10 missing


def test_unclear_label_is_only_a_warning(tmp_path):
    from ivb_analysis.io.sav_labels import compare_labels

    valid, codebook = _check(tmp_path, "variables:\n  ontw: buurt_ontwikkeling\n",
                             {"ontw": [1, 2, 3]},
                             labels={"ontw": {1.0: "beter", 2.0: "gelijk", 3.0: "achteruit"}})
    assert len(valid) == 3
    meta = read_raw_survey(tmp_path / "golf.sav").attrs["sav_meta"]
    findings = {f.code: f for f in compare_labels(codebook, CAT, meta)}
    assert findings[1].severity == "waarschuwing" and "'beter'" in findings[1].message
    assert findings[2].severity == "ok" and findings[3].severity == "ok"


def test_unknown_code_names_count_row_and_fix(tmp_path):
    with pytest.raises(InputError) as info:
        _check(tmp_path, "variables:\n  vk: {item: ovf_rommel, missing: [9]}\n",
               {"vk": [1, 7, 2, 7, 9, 7]})
    message = str(info.value)
    assert (info.value.column, info.value.row, info.value.found) == ("vk", 2, 7)
    assert "code 7 komt 3 keer voor" in message
    assert "1-3: 1 vaak, 2 soms, 3 (bijna) nooit" in message
    assert "9, 98, 99" in message and "Oplossing" in message and "'missing:'" in message


def test_filter_and_skip_are_the_same_and_text_codes_are_refused(tmp_path):
    def spec(body: str):
        return read_codebook(_codebook(tmp_path, "variables:\n  h: " + body + "\n"), CAT)

    new = spec("{item: ovh_rommel, filter: {97: 3}}")
    old = spec("{item: ovh_rommel, skip: {97: 3}}")
    assert new.variables["h"].filter == old.variables["h"].filter == {97: 3}
    for body, column, fragment in [
        ("  h: {item: ovh_rommel, filter: {niet gevraagd: 3}}\n", "variables.h.filter",
         "filtercode is geen geheel getal"),
        ("  h: {item: ovh_rommel, filter: {97: 4}}\n", "variables.h.filter.97",
         "ligt niet op de antwoordschaal"),
        ("  h: {item: ovh_rommel, recode: {4: 3}, missing: [4]}\n", "variables.h",
         "zowel onder 'recode' als onder 'missing'"),
        ("  h: {item: ovh_rommel, filter: {97: 3}, skip: {97: 3}}\n", "variables.h",
         "allebei"),
        ("  h: {item: ovh_rommel, hercodeer: {1: 2}}\n", "variables.h.hercodeer",
         "onbekende sleutel"),
    ]:
        with pytest.raises(InputError, match=fragment) as info:
            read_codebook(_codebook(tmp_path, "variables:\n" + body), CAT)
        assert info.value.column == column and "codeboek.yaml" in str(info.value)


def test_duplicate_key_and_design_as_a_list_are_clear_errors(tmp_path):
    path = _codebook(tmp_path, "variables:\n  a: rc_leefbaarheid\n  a: rc_veiligheid\n")
    with pytest.raises(InputError, match=r"sleutel a staat twee keer.*regel 4") as info:
        read_codebook(path, CAT)
    assert info.value.file == path
    path = _codebook(tmp_path, "variables:\n  a: rc_leefbaarheid\n",
                     design="design: [respnr, wijk, weegfactor]\n")
    with pytest.raises(InputError, match="'design' moet een mapping zijn") as info:
        read_codebook(path, CAT)
    assert info.value.column == "design"


def test_missing_codes_as_a_list_and_variables_not_a_mapping(tmp_path):
    path = _codebook(tmp_path, "variables:\n  rc: rc_leefbaarheid\n",
                     missing="missing_codes: [98, 99]\n")
    assert read_codebook(path, CAT).missing_codes == {98: "ontbrekend", 99: "ontbrekend"}
    path = _codebook(tmp_path, "variables: [rc_leefbaarheid]\n")
    with pytest.raises(InputError, match="verwacht een mapping") as info:
        read_codebook(path, CAT)
    assert info.value.column == "variables"


def test_not_asked_items(tmp_path):
    body = "not_asked: [prev_fiets]\nvariables:\n  rc: rc_leefbaarheid\n"
    codebook = read_codebook(_codebook(tmp_path, body), CAT)
    assert codebook.not_asked == ("prev_fiets",)
    assert codebook.items_present == {"rc_leefbaarheid"}
    assert len(codebook.unmapped(CAT)) == len(CAT.items) - 2
    for not_asked, fragment in [("[prev_fietsen]", "onbekend item"),
                                ("[rc_leefbaarheid]", "én bij variabele rc")]:
        body = f"not_asked: {not_asked}\nvariables:\n  rc: rc_leefbaarheid\n"
        with pytest.raises(InputError, match=fragment):
            read_codebook(_codebook(tmp_path, body), CAT)


@pytest.mark.parametrize(("weight", "found"), [(np.inf, np.inf), (np.nan, "leeg"), (0.0, 0),
                                                (-1.5, -1.5)])
def test_weight_must_be_finite_and_positive(tmp_path, weight, found):
    path = _sav(tmp_path, {"rc": [7, 8, 9]})
    raw = read_raw_survey(path)
    raw.loc[1, "weegfactor"] = weight
    codebook = read_codebook(_codebook(tmp_path, "variables:\n  rc: rc_leefbaarheid\n"), CAT)
    with pytest.raises(InputError) as info:
        validate_survey(raw, codebook, CAT, {0}, path)
    assert (info.value.column, info.value.row) == ("weegfactor", 2)  # the second respondent
    assert info.value.found == found and type(info.value.found) is type(found)  # plain values
    assert "np." not in str(info.value) and "golf.sav" in str(info.value)


def test_year_column_must_match_the_wave(tmp_path):
    codebook_path = _codebook(tmp_path, "variables:\n  rc: rc_leefbaarheid\n",
                              design="design: {id: respnr, wijk: wijk, weight: weegfactor, "
                                     "year: jaar}\n")
    codebook = read_codebook(codebook_path, CAT)
    path = _sav(tmp_path, {"rc": [7, 8, 9]})  # jaar = 2015 in every row
    assert len(validate_survey(read_raw_survey(path), codebook, CAT, {0}, path, year=2015)) == 3
    with pytest.raises(InputError, match="past niet bij meetjaar 2013") as info:
        validate_survey(read_raw_survey(path), codebook, CAT, {0}, path, year=2013)
    assert (info.value.column, info.value.row, info.value.found) == ("jaar", 1, 2015)
    assert "3 respondent(en)" in str(info.value)


def test_duplicate_respondent_names_both_rows(tmp_path):
    path = _sav(tmp_path, {"rc": [7, 8, 9, 6]})
    raw = read_raw_survey(path)
    raw.loc[3, "respnr"] = 2.0
    codebook = read_codebook(_codebook(tmp_path, "variables:\n  rc: rc_leefbaarheid\n"), CAT)
    with pytest.raises(InputError, match=r"dubbel voor \(ook in rij 2\)") as info:
        validate_survey(raw, codebook, CAT, {0}, path)
    assert (info.value.row, info.value.found) == (4, 2)


def test_similarity_of_labels():
    from ivb_analysis.io.sav_labels import CLEAR, MATCHED, similarity

    assert similarity("Helemaal mee eens", "helemaal eens") == 1.0
    assert similarity("achteruit", "achteruitgegaan") >= CLEAR
    assert similarity("(Bijna) nooit", "(bijna) nooit") == 1.0
    assert similarity("oneens", "eens") < MATCHED
    assert similarity("ontevreden", "tevreden") < MATCHED
    assert similarity("8 goed", "8") == 1.0 and similarity("8", "9") == 0.0


# --- the same families through `ivb prepare` on a copy of data/raw/mini: exit 2, the file, column
# --- and row as the user sees them, nothing written --------------------------------------------

MINI_SAV = "veiligheidsmonitor_2015_SYNTHETISCH.sav"
MINI_CODEBOOK = "codeboek_SYNTHETISCH.yaml"


def _sav_edit(column: str, row: int, value: float):
    def mutate(folder):
        path = folder / MINI_SAV
        data, meta = pyreadstat.read_sav(str(path), user_missing=True)
        data.loc[row, column] = value
        pyreadstat.write_sav(data, str(path), variable_value_labels=meta.variable_value_labels,
                             missing_ranges=meta.missing_ranges)
    return mutate


def _text_edit(old: str, new: str):
    def mutate(folder):
        path = folder / MINI_CODEBOOK
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return mutate


@pytest.mark.parametrize(("mutate", "where", "fragment"), [
    (_sav_edit("weegfactor", 27, np.inf), (MINI_SAV, "'weegfactor'", "rij 28"), "niet eindig"),
    (_sav_edit("weegfactor", 3, -1.0), (MINI_SAV, "'weegfactor'", "rij 4"), "niet positief"),
    (_sav_edit("respnr", 9, 201500001.0), (MINI_SAV, "'respnr'", "rij 10"), "ook in rij 1"),
    (_sav_edit("jaar", 4, 2013.0), (MINI_SAV, "'jaar'", "rij 5"), "meetjaar 2015"),
    (_sav_edit("buurt_ontw", 6, 4.0), (MINI_SAV, "'buurt_ontw'", "rij 7"), "komt 1 keer voor"),
    (_text_edit("  wijk: wijk\n", "  wijk: wijk\n  wijk: wijk\n"), (MINI_CODEBOOK,),
     "sleutel wijk staat twee keer"),
    (_text_edit("      97: 3", "      '97a': 3"), (MINI_CODEBOOK, "variables.ovl_hi_01.filter"),
     "geen geheel getal"),
    (_text_edit("design:\n  id: respnr\n  wijk: wijk\n  weight: weegfactor\n  year: jaar\n",
                "design:\n- respnr\n- wijk\n- weegfactor\n"), (MINI_CODEBOOK, "'design'"),
     "mapping"),
])
def test_prepare_refuses_survey_and_codebook_families(tmp_path, capsys, mutate, where, fragment):
    import shutil

    from ivb_analysis.cli import main
    from tests.conftest import ROOT

    delivery = tmp_path / "raw" / "levering"
    shutil.copytree(ROOT / "data" / "raw" / "mini", delivery)
    mutate(delivery)
    processed = tmp_path / "processed"
    assert main(["prepare", "--data-dir", str(delivery), "--processed-dir", str(processed)]) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in where) and fragment in err, err
    assert "Traceback" not in err and "np." not in err
    assert not list(processed.rglob("*.parquet"))


# --- design roles psu / fpc, per-wave not_asked, one survey file per wave (issue 18.6) --------

CLUSTER_DESIGN = ("design: {id: respnr, wijk: wijk, weight: weegfactor, psu: cl, fpc: big_n, "
                  "strata: st}\n")


def test_psu_and_fpc_roles_are_read_into_the_validated_wave(tmp_path):
    codebook = read_codebook(_codebook(tmp_path, "variables:\n  rc: rc_leefbaarheid\n",
                                       design=CLUSTER_DESIGN), CAT)
    assert codebook.design["psu"] == "cl" and codebook.design["fpc"] == "big_n"
    path = _sav(tmp_path, {"rc": [7, 8, 9, 6], "cl": [1, 1, 2, 2], "big_n": [40] * 4,
                           "st": [3, 3, 3, 3]})
    valid = validate_survey(read_raw_survey(path), codebook, CAT, {0}, path)
    assert valid["psu"].tolist() == [1, 1, 2, 2] and valid["fpc"].tolist() == [40] * 4
    assert valid["stratum"].tolist() == [3] * 4


def test_psu_without_strata_is_one_stratum_and_a_missing_cluster_is_refused(tmp_path):
    design = "design: {id: respnr, wijk: wijk, weight: weegfactor, psu: cl}\n"
    codebook = read_codebook(_codebook(tmp_path, "variables:\n  rc: rc_leefbaarheid\n",
                                       design=design), CAT)
    path = _sav(tmp_path, {"rc": [7, 8, 9], "cl": [1, 2, 2]})
    valid = validate_survey(read_raw_survey(path), codebook, CAT, {0}, path)
    assert valid["stratum"].tolist() == [0, 0, 0]  # not the wijk: clusters may cross wijken
    raw = read_raw_survey(path)
    raw.loc[2, "cl"] = np.nan
    with pytest.raises(InputError, match="PSU") as info:
        validate_survey(raw, codebook, CAT, {0}, path)
    assert (info.value.column, info.value.row) == ("cl", 3)


def test_fpc_must_be_positive(tmp_path):
    codebook = read_codebook(_codebook(tmp_path, "variables:\n  rc: rc_leefbaarheid\n",
                                       design=CLUSTER_DESIGN), CAT)
    path = _sav(tmp_path, {"rc": [7, 8], "cl": [1, 2], "big_n": [40, 0], "st": [1, 1]})
    with pytest.raises(InputError, match="fpc") as info:
        validate_survey(read_raw_survey(path), codebook, CAT, {0}, path)
    assert (info.value.column, info.value.row, info.value.found) == ("big_n", 2, 0)


def test_unknown_design_role_lists_the_known_ones(tmp_path):
    design = "design: {id: respnr, wijk: wijk, weight: weegfactor, cluster: cl}\n"
    with pytest.raises(InputError) as info:
        read_codebook(_codebook(tmp_path, "variables:\n  rc: rc_leefbaarheid\n", design=design),
                      CAT)
    assert info.value.column == "design.cluster"
    assert info.value.expected == "id, wijk, weight, strata, year, psu, fpc"


def test_not_asked_in_some_waves(tmp_path):
    body = ("not_asked: [prev_fiets, {rc_veiligheid: [2013]}]\n"
            "variables:\n  rc: rc_leefbaarheid\n  rv: rc_veiligheid\n")
    codebook = read_codebook(_codebook(tmp_path, body), CAT)
    assert codebook.not_asked == ("prev_fiets",)
    assert codebook.not_asked_waves == {"rc_veiligheid": (2013,)}
    assert not codebook.asked("rc_veiligheid", 2013) and codebook.asked("rc_veiligheid", 2015)
    assert not codebook.asked("prev_fiets", 2015)
    path = _sav(tmp_path, {"rc": [7, 8, 9]})  # no rv column: not asked in 2013
    valid = validate_survey(read_raw_survey(path), codebook, CAT, {0}, path, year=2013)
    assert valid["rv"].isna().all() and valid["rc"].tolist() == [7, 8, 9]
    with pytest.raises(InputError, match="ontbreken") as info:  # 2015 asked it: rv required
        validate_survey(read_raw_survey(path), codebook, CAT, {0}, path, year=2015)
    assert info.value.column == "rv"
    # The mapping form, and the errors.
    mapping = read_codebook(_codebook(tmp_path, "not_asked: {rc_veiligheid: [2013, 2015], "
                                      "prev_fiets: null}\nvariables:\n  rv: rc_veiligheid\n"),
                            CAT)
    assert mapping.not_asked_waves == {"rc_veiligheid": (2013, 2015)}
    assert mapping.not_asked == ("prev_fiets",)
    for not_asked, fragment in [("{rc_veiligheid: 2013}", "lijst van meetjaren"),
                                ("{prev_fiets: [2013]}", "geen variabele"),
                                ("{rc_veiligheid: [twintig]}", "geen geheel getal"),
                                ("[[rc_veiligheid]]", "onbekende vorm")]:
        body = f"not_asked: {not_asked}\nvariables:\n  rv: rc_veiligheid\n"
        with pytest.raises(InputError, match=fragment):
            read_codebook(_codebook(tmp_path, body), CAT)


def test_survey_files_per_wave_in_mixed_formats(tmp_path):
    """files.survey may map each wave to its own file (.sav and .csv mixed)."""
    import shutil

    from ivb_analysis.prepare import survey_long

    for name in ("codeboek_SYNTHETISCH.yaml", "wijken_SYNTHETISCH.csv"):
        shutil.copy(DEMO_DIR / name, tmp_path / name)
    wave = read_raw_survey(DEMO_DIR / "veiligheidsmonitor_2015_SYNTHETISCH.sav")
    shutil.copy(DEMO_DIR / "veiligheidsmonitor_2013_SYNTHETISCH.sav", tmp_path / "golf_a.sav")
    pd.DataFrame(wave).to_csv(tmp_path / "golf_b.csv", sep=";", index=False)
    (tmp_path / "ivb.yaml").write_text(
        "gemeente_code: GM0164\ngemeente_naam: Hengelo\nyears: [2013, 2015]\nfiles:\n"
        "  survey: {2013: golf_a.sav, 2015: golf_b.csv}\n"
        "  codebook: codeboek_SYNTHETISCH.yaml\n  wijken: wijken_SYNTHETISCH.csv\n",
        encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.path("survey", 2015) == tmp_path / "golf_b.csv"
    long = survey_long(settings)
    assert sorted(long["year"].unique()) == [2013, 2015]
    assert (long["year"] == 2015).sum() == len(wave) * long["indicator"].nunique()
    (tmp_path / "ivb.yaml").write_text(
        "gemeente_code: GM0164\ngemeente_naam: Hengelo\nyears: [2013, 2015]\nfiles:\n"
        "  survey: {2013: golf_a.sav}\n"
        "  codebook: codeboek_SYNTHETISCH.yaml\n  wijken: wijken_SYNTHETISCH.csv\n",
        encoding="utf-8")
    with pytest.raises(InputError, match="geen bestand voor dit meetjaar") as info:
        load_settings(tmp_path)
    assert info.value.found == 2015 and info.value.column == "files.survey"


@pytest.mark.parametrize(("survey", "column", "fragment"), [
    ("{twintig: a.sav}", "files.survey", "meetjaar als sleutel"),
    ("{2013: ../a.sav}", "files.survey.2013", "buiten de levering"),
    ("{2013: ''}", "files.survey.2013", "verwacht een bestandsnaam"),
])
def test_bad_survey_file_mapping_is_refused(tmp_path, survey, column, fragment):
    (tmp_path / "ivb.yaml").write_text(
        "gemeente_code: GM0164\ngemeente_naam: Hengelo\nyears: [2013]\nfiles:\n"
        f"  survey: {survey}\n  codebook: c.yaml\n  wijken: w.csv\n", encoding="utf-8")
    with pytest.raises(InputError, match=fragment) as info:
        load_settings(tmp_path)
    assert info.value.column == column
