"""Cleaning rules against hand-computed values: missing codes, filter skips, reversed items,
scale scores with a minimum number of answered items, shares of several items."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.clean.indicators import indicator_values, score_indicators
from ivb_analysis.clean.recode import recode_items
from ivb_analysis.io.microdata import Codebook, VariableSpec

NAN = np.nan
CAT = load_catalogue()


def items(**columns: list[float]) -> pd.DataFrame:
    return pd.DataFrame({k: np.array(v, dtype="float64") for k, v in columns.items()})


def test_rapportcijfer_is_taken_as_answered():
    frame = items(rc_leefbaarheid=[7, 10, NAN])
    np.testing.assert_array_equal(indicator_values(frame, CAT["rapportcijfer_leefbaarheid"]),
                                  [7, 10, NAN])


def test_sociale_cohesie_reverses_kennen_and_needs_four_items():
    # points: helemaal eens 4 ... helemaal oneens 0; 'kennen elkaar nauwelijks' reversed (4 - p)
    frame = items(
        coh_kennen=[5, 1, 3, NAN],   # reversed: 5 -> 0 -> 4 ; 1 -> 4 -> 0 ; 3 -> 2 -> 2
        coh_omgang=[1, 5, 2, 1],     # 4, 0, 3, 4
        coh_thuis=[1, 5, 2, NAN],    # 4, 0, 3, -
        coh_gezellig=[2, 4, NAN, 1],  # 3, 1, -, 4
        coh_contact=[2, 4, 4, NAN],  # 3, 1, 1, -
    )
    expected = [
        (4 + 4 + 4 + 3 + 3) / 5 / 4 * 10,  # 9.0
        (0 + 0 + 0 + 1 + 1) / 5 / 4 * 10,  # 1.0
        (2 + 3 + 3 + 1) / 4 / 4 * 10,      # four answered: 5.625
        NAN,                               # two answered < min_items 4
    ]
    np.testing.assert_allclose(indicator_values(frame, CAT["sociale_cohesie"]), expected)


def test_fysieke_verloedering_vaak_2_soms_1_nooit_0_times_10_over_8():
    frame = items(ovf_graffiti=[1, 3, 2], ovf_rommel=[1, 3, 2], ovf_hondenpoep=[2, 3, NAN],
                  ovf_vernieling=[1, 3, NAN])
    # sum x 10/8 when all four answered; 3 of 4 is enough (mean rescaled), 2 of 4 is not
    np.testing.assert_allclose(indicator_values(frame, CAT["fysieke_verloedering"]),
                               [(2 + 2 + 1 + 2) * 10 / 8, 0.0, NAN])


def test_share_of_several_items_counts_any_positive():
    # overlast totaal: % veel overlast (code 1) on at least one of 13 forms, min 7 answered
    forms = CAT["overlast_totaal"].items
    answered_none_veel = {f: [3] for f in forms}
    one_veel_few_answered = {f: [NAN] for f in forms} | {forms[0]: [1]}
    six_answered = {f: [2] if i < 6 else [NAN] for i, f in enumerate(forms)}
    frame = pd.concat([items(**answered_none_veel), items(**one_veel_few_answered),
                       items(**six_answered)], ignore_index=True)
    np.testing.assert_array_equal(indicator_values(frame, CAT["overlast_totaal"]), [0, 1, NAN])


def test_single_item_share_uses_positive_codes():
    frame = items(onv_buurt=[1, 2, 3, NAN])  # vaak, soms -> onveilig; (bijna) nooit -> niet
    np.testing.assert_array_equal(indicator_values(frame, CAT["onveiligheid_buurt"]),
                                  [1, 1, 0, NAN])


def _codebook() -> Codebook:
    return Codebook(
        path=None, design={"id": "id", "wijk": "wijk", "weight": "w"},
        missing_codes={98: "weet niet", 99: "geen antwoord"},
        variables={
            "rc": VariableSpec("rc", "rc_leefbaarheid"),
            "hi": VariableSpec("hi", "ovh_jongeren", filter={97: 3}),
            "pt": VariableSpec("pt", "pol_tevreden_contact", filter={97: None}),
        },
    )


def test_recode_missing_codes_and_filter_skips():
    validated = pd.DataFrame({
        "resp_id": [1, 2, 3], "weight": [1.5, 2.0, 0.5], "wijk": [0, 1, 0],
        "rc": [8.0, 98.0, 99.0],
        "hi": [1.0, 97.0, 98.0],   # 97 after '(bijna) nooit' means geen overlast (3)
        "pt": [2.0, 97.0, 5.0],    # 97 = no contact with the police: question does not apply
    })
    wijken = pd.DataFrame({"wijk": [0, 1], "wijk_code": ["WK000100", "WK000101"]})
    out = recode_items(validated, _codebook(), wijken, 2015)
    np.testing.assert_array_equal(out["rc_leefbaarheid"], [8, NAN, NAN])
    np.testing.assert_array_equal(out["ovh_jongeren"], [1, 3, NAN])
    np.testing.assert_array_equal(out["pol_tevreden_contact"], [2, NAN, 5])
    assert list(out["wijk_code"]) == ["WK000100", "WK000101", "WK000100"]
    assert list(out["stratum"]) == [0, 1, 0]  # no strata variable: the wijk is the stratum
    assert (out["year"] == 2015).all()


def test_score_indicators_keeps_unscored_respondents_in_the_design():
    frame = items(rc_leefbaarheid=[7, NAN]).assign(
        year=2015, resp_id=[1, 2], wijk_code=["WK1", "WK2"], stratum=[0, 1], weight=[1.0, 2.0])
    for item in CAT.items:
        if item not in frame:
            frame[item] = NAN
    long = score_indicators(frame, CAT)
    rows = long[long["indicator"] == "rapportcijfer_leefbaarheid"]
    assert len(rows) == 2 and rows["value"].isna().sum() == 1
    assert len(long) == 2 * len(CAT.indicators)


@pytest.mark.parametrize("indicator", list(CAT.indicators))
def test_every_indicator_scores_within_its_unit(indicator):
    spec = CAT[indicator]
    rng = np.random.default_rng(1)
    frame = items(**{i: rng.choice([*CAT.items[i].valid_values, NAN], size=50).tolist()
                     for i in spec.items})
    values = indicator_values(frame, spec)
    finite = values[~np.isnan(values)]
    low, high = {"rapportcijfer": (1, 10), "schaalscore": (0, 10), "percentage": (0, 1)}[spec.kind]
    assert finite.size > 0 and finite.min() >= low and finite.max() <= high


# --- one meaning per code, and indicators a delivery does not have (issue 10 items 1-2) --------


def test_recode_swaps_at_once_and_own_codes_win_over_the_global_ones():
    codebook = Codebook(
        path=None, design={"id": "id", "wijk": "wijk", "weight": "w"},
        missing_codes={97: "weet niet", 98: "weet niet"},
        variables={
            "ontw": VariableSpec("ontw", "buurt_ontwikkeling", recode={2: 3, 3: 2},
                                 missing=frozenset({9})),
            "hi": VariableSpec("hi", "ovh_jongeren", filter={97: 3}),  # beats global 97
        },
    )
    validated = pd.DataFrame({
        "resp_id": [1, 2, 3, 4, 5], "weight": [1.0] * 5, "wijk": [0] * 5,
        "ontw": [1.0, 2.0, 3.0, 9.0, 97.0],
        "hi": [1.0, 97.0, 98.0, 2.0, NAN],
    })
    wijken = pd.DataFrame({"wijk": [0], "wijk_code": ["WK000100"]})
    out = recode_items(validated, codebook, wijken, 2015, CAT)
    np.testing.assert_array_equal(out["buurt_ontwikkeling"], [1, 3, 2, NAN, NAN])
    np.testing.assert_array_equal(out["ovh_jongeren"], [1, 3, NAN, 2, NAN])
    # buurt_achteruit (code 3 after recode): raw 2 counts, raw 3 does not
    np.testing.assert_array_equal(indicator_values(out, CAT["buurt_achteruit"]),
                                  [0, 1, 0, NAN, NAN])


def test_indicator_status_by_hand():
    from ivb_analysis.clean.indicators import indicator_status

    absent = {"ovh_horeca", "prev_verlichting", "prev_waardevol", "sl_inbraak"}
    status = indicator_status(set(CAT.items) - absent, CAT).set_index("indicator")
    assert list(status.columns) == ["status", "items_present", "items_total"]
    expected = {
        "overlast_totaal": ("gedeeltelijk", 12, 13),        # min_items_present 11
        "veel_overlast_overig": ("niet in deze levering", 1, 2),  # needs both forms
        "preventie": ("niet in deze levering", 2, 4),
        "slachtofferschap_totaal": ("gedeeltelijk", 8, 9),  # min_items_present 8
        "vermogensdelicten": ("gedeeltelijk", 4, 5),        # min_items_present 4
        "slachtoffer_woninginbraak": ("niet in deze levering", 1, 2),
        "slachtoffer_inbraak": ("niet in deze levering", 0, 1),
        "veel_overlast_jongeren": ("beschikbaar", 1, 1),
        "sociale_cohesie": ("beschikbaar", 5, 5),
    }
    for indicator, row in expected.items():
        assert tuple(status.loc[indicator]) == row, indicator
    assert (status["status"] == "beschikbaar").sum() == len(CAT.indicators) - 7


def test_partial_overlast_totaal_uses_the_forms_present():
    forms = [f for f in CAT["overlast_totaal"].items if f != "ovh_horeca"]
    assert len(forms) == 12
    # r1: veel (1) on one form; r2: 7 forms answered without veel -> 0; r3: 6 answered -> NA
    r1 = {f: [3] for f in forms} | {forms[11]: [1]}
    r2 = {f: [2] if i < 7 else [NAN] for i, f in enumerate(forms)}
    r3 = {f: [2] if i < 6 else [NAN] for i, f in enumerate(forms)}
    frame = pd.concat([items(**r1), items(**r2), items(**r3)], ignore_index=True)
    np.testing.assert_array_equal(indicator_values(frame, CAT["overlast_totaal"]), [1, 0, NAN])
    with pytest.raises(ValueError, match="preventie: 3 of 4"):
        indicator_values(items(prev_waardevol=[1], prev_fiets=[1], prev_slot=[1]),
                         CAT["preventie"])


@pytest.fixture(scope="module")
def mini_wave():
    from ivb_analysis.config import load_settings
    from ivb_analysis.io.microdata import read_codebook, read_raw_survey, read_wijken
    from tests.conftest import ROOT

    settings = load_settings(ROOT / "data" / "raw" / "mini")
    codebook = read_codebook(settings.path("codebook"), CAT)
    wijken = read_wijken(settings.path("wijken"))
    path = settings.path("survey", 2015)
    raw = read_raw_survey(path).head(150)  # a small delivery keeps 63 cases quick
    assert "sav_meta" in raw.attrs  # the label checks run on it too
    full = _score(raw, codebook, wijken, path)
    return raw, codebook, wijken, path, full


def _score(raw, codebook, wijken, path):
    from ivb_analysis.io.microdata import validate_survey

    valid = validate_survey(raw, codebook, CAT, set(wijken["wijk"]), path, year=2015)
    return score_indicators(recode_items(valid, codebook, wijken, 2015, CAT), CAT)


@pytest.mark.parametrize("position", range(len(CAT.items)))
def test_every_item_can_be_missing_from_a_delivery(mini_wave, position):
    """Delete each catalogue item in turn (every other one declared not_asked): no error, the
    indicators without it are unchanged, the others partial or absent as the catalogue says."""
    import dataclasses

    from ivb_analysis.clean.indicators import indicator_status

    raw, codebook, wijken, path, full = mini_wave
    item = list(CAT.items)[position]
    variables = {k: v for k, v in codebook.variables.items() if v.item != item}
    not_asked = (item,) if position % 2 else ()
    smaller = dataclasses.replace(codebook, variables=variables, not_asked=not_asked)
    assert smaller.unmapped(CAT) == ([] if not_asked else [item])
    long = _score(raw.drop(columns=[codebook.raw_name(item)]), smaller, wijken, path)
    status = indicator_status(smaller.items_present, CAT).set_index("indicator")
    for indicator in CAT.indicators.values():
        rows = long[long["indicator"] == indicator.id]["value"].to_numpy()
        before = full[full["indicator"] == indicator.id]["value"].to_numpy()
        row = status.loc[indicator.id]
        if item not in indicator.items:
            assert row["status"] == "beschikbaar"
            np.testing.assert_array_equal(rows, before)
        elif len(indicator.items) - 1 >= indicator.items_required:
            assert (row["status"], row["items_present"]) == ("gedeeltelijk",
                                                             len(indicator.items) - 1)
            assert len(rows) == len(before) and np.isfinite(rows).sum() > 0.8 * len(rows)
        else:
            assert row["status"] == "niet in deze levering" and len(rows) == 0


def test_prepare_writes_indicator_status_and_no_rows_for_what_the_delivery_lacks(tmp_path):
    """The issue's case: preventie not asked, ovh_horeca simply left out; prepare exits 0."""
    import shutil

    import yaml

    from ivb_analysis.cli import main
    from tests.conftest import ROOT

    delivery = tmp_path / "raw" / "enschede"
    shutil.copytree(ROOT / "data" / "raw" / "mini", delivery)
    path = delivery / "codeboek_SYNTHETISCH.yaml"
    book = yaml.safe_load(path.read_text(encoding="utf-8"))
    dropped = {"prev_1", "prev_2", "prev_3", "prev_4", "ovl_hi_13"}
    book["variables"] = {k: v for k, v in book["variables"].items() if k not in dropped}
    book["not_asked"] = ["prev_verlichting", "prev_waardevol", "prev_fiets", "prev_slot"]
    path.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    with (delivery / "ivb.yaml").open("a", encoding="utf-8") as settings:  # the .sav still asks
        settings.write("accepted_deviations:\n" + "".join(  # them: a checked choice (issue 18)
            f"  - {{item: {i}, reason: bewust weggelaten}}\n" for i in (
                "prev_verlichting", "prev_waardevol", "prev_fiets", "prev_slot", "ovh_horeca")))

    assert main(["prepare", "--data-dir", str(delivery),
                 "--processed-dir", str(tmp_path / "processed")]) == 0
    processed = tmp_path / "processed" / "enschede"
    status = pd.read_parquet(processed / "indicator_status.parquet").set_index("indicator")
    assert tuple(status.loc["preventie"]) == ("niet in deze levering", 0, 4)
    assert tuple(status.loc["overlast_totaal"]) == ("gedeeltelijk", 12, 13)
    assert tuple(status.loc["veel_overlast_overig"]) == ("niet in deze levering", 1, 2)
    long = pd.read_parquet(processed / "survey_long.parquet")
    shown = set(long["indicator"])
    assert "preventie" not in shown and "veel_overlast_overig" not in shown
    assert shown == set(status.index[status["status"] != "niet in deze levering"])


def test_single_statements_of_a_scale_are_one_item_shares():
    """% (helemaal) eens over one item: 1 for answers 1-2, 0 for 3-5, missing when not
    answered; without the item the statement is 'niet in deze levering' while its scale is
    'gedeeltelijk' (fysieke voorzieningen allows four of five items)."""
    from ivb_analysis.clean.indicators import indicator_status

    ind = CAT["coh_kennen_eens"]
    assert (ind.rule, ind.items, ind.positive, ind.polarity, ind.item_of) == (
        "share", ("coh_kennen",), (1, 2), -1, "sociale_cohesie")
    items = pd.DataFrame({"coh_kennen": [1, 2, 3, 4, 5, np.nan]})
    np.testing.assert_array_equal(indicator_values(items, ind), [1, 1, 0, 0, 0, np.nan])
    status = indicator_status(set(CAT.items) - {"fv_verlichting"}, CAT).set_index("indicator")
    assert tuple(status.loc["fysieke_voorzieningen"]) == ("gedeeltelijk", 4, 5)
    assert tuple(status.loc["fv_verlichting_eens"]) == ("niet in deze levering", 0, 1)
    assert tuple(status.loc["fv_groen_eens"]) == ("beschikbaar", 1, 1)
