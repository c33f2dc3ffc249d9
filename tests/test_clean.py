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
