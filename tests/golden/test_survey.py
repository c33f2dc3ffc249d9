"""survey.py against R `survey` reference values and textbook formulas computed by hand.

The hand formulas below loop over strata and PSUs explicitly (no shared code with the module):
mean = sum(w y) / sum(w) over the domain; z_i = w_i (y_i - mean) / sum(w) inside the domain, 0
outside; var = sum_h (1 - f_h) n_h / (n_h - 1) sum_j (z_hj - zbar_h)^2 over ALL PSUs of stratum h.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from ivb_analysis.errors import InputError
from ivb_analysis.survey import domain_contrasts, estimate, estimate_long
from tests.conftest import REFERENCE


@pytest.fixture(scope="module")
def ref() -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(REFERENCE / f"{name}.csv")
            for name in ("apistrat", "apiclus1", "apisrs", "fpc", "nhanes")}


def hand_variance(z, strata, psu, fpc=None) -> float:
    """Stratified ultimate-cluster variance of the total of z, with explicit loops."""
    totals: dict = defaultdict(lambda: defaultdict(float))
    pop: dict = {}
    for i in range(len(z)):
        totals[strata[i]][psu[i]] += z[i]
        if fpc is not None:
            pop[strata[i]] = fpc[i]
    variance = 0.0
    for h, by_psu in totals.items():
        x = list(by_psu.values())
        n_h = len(x)
        f = 0.0 if fpc is None else (pop[h] if pop[h] <= 1 else n_h / pop[h])
        xbar = sum(x) / n_h
        variance += (1 - f) * n_h / (n_h - 1) * sum((v - xbar) ** 2 for v in x)
    return variance


def hand_mean_se(y, w, strata, psu, fpc=None, inside=None) -> tuple[float, float]:
    """Domain mean and SE; `inside` marks the domain, missing y is outside (na.rm)."""
    y, w = np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    inside = np.ones(len(y), bool) if inside is None else np.asarray(inside, bool)
    inside = inside & ~np.isnan(y)
    sw = sum(w[i] for i in range(len(y)) if inside[i])
    mean = sum(w[i] * y[i] for i in range(len(y)) if inside[i]) / sw
    z = [w[i] * (y[i] - mean) / sw if inside[i] else 0.0 for i in range(len(y))]
    return mean, float(np.sqrt(hand_variance(z, list(strata), list(psu), fpc)))


def one(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1
    return frame.iloc[0]


def test_apistrat_matches_r(ref):
    d = ref["apistrat"]
    row = one(estimate(d, "api00", "pw", strata="stype", fpc="fpc"))
    assert row["estimate"] == pytest.approx(662.2874, abs=5e-5)  # R: 662.29
    assert row["se"] == pytest.approx(9.4089, abs=5e-5)  # R: 9.4089
    mean, se = hand_mean_se(d["api00"], d["pw"], d["stype"], range(len(d)), list(d["fpc"]))
    assert row["estimate"] == pytest.approx(mean, rel=1e-12)
    assert row["se"] == pytest.approx(se, rel=1e-10)
    assert row["n"] == 200
    assert row["n_eff"] == pytest.approx(d["pw"].sum() ** 2 / (d["pw"] ** 2).sum(), rel=1e-12)


def test_apiclus1_one_stage_cluster_matches_r(ref):
    d = ref["apiclus1"]
    row = one(estimate(d, "api00", "pw", psu="dnum", fpc="fpc"))
    assert row["estimate"] == pytest.approx(644.1694, abs=5e-5)  # R: 644.17
    assert row["se"] == pytest.approx(23.5422, abs=5e-5)  # R: 23.542
    mean, se = hand_mean_se(d["api00"], d["pw"], [0] * len(d), d["dnum"], list(d["fpc"]))
    assert (row["estimate"], row["se"]) == pytest.approx((mean, se), rel=1e-10)


def test_apisrs_with_and_without_fpc(ref):
    d = ref["apisrs"]
    with_fpc = one(estimate(d, "api00", "pw", fpc="fpc"))
    without = one(estimate(d, "api00", "pw"))
    assert with_fpc["estimate"] == pytest.approx(656.585, abs=1e-9)
    assert with_fpc["se"] == pytest.approx(9.2497, abs=5e-5)
    assert without["se"] == pytest.approx(9.4028, abs=5e-5)
    # SRS by hand: SE = sqrt((1 - n/N) s^2 / n), R's svymean uses the n/(n-1) factor.
    y, n, big_n = d["api00"].to_numpy(), len(d), d["fpc"].iloc[0]
    s2 = ((y - y.mean()) ** 2).sum() / (n - 1)
    assert with_fpc["se"] == pytest.approx(np.sqrt((1 - n / big_n) * s2 / n), rel=1e-10)
    assert without["se"] == pytest.approx(np.sqrt(s2 / n), rel=1e-10)


def test_fpc_toy_design_by_hand(ref):
    d = ref["fpc"]
    row = one(estimate(d, "x", "weight", strata="stratid", psu="psuid", fpc="Nh", min_n=1))
    mean, se = hand_mean_se(d["x"], d["weight"], d["stratid"], d["psuid"], list(d["Nh"]))
    # The brief quoted mean 3.275 / SE 0.5517; the data and the formula give these:
    assert mean == pytest.approx(5.448148, abs=5e-7)
    assert se == pytest.approx(0.616041, abs=5e-7)
    assert (row["estimate"], row["se"]) == pytest.approx((mean, se), rel=1e-10)
    # fpc given as a sampling fraction n_h / N_h is the same design (R's as.fpc convention).
    as_fraction = d.assign(f=d["nh"] / d["Nh"])
    frac = one(estimate(as_fraction, "x", "weight", strata="stratid", psu="psuid", fpc="f",
                        min_n=1))
    assert frac["se"] == pytest.approx(se, rel=1e-12)
    no_fpc = one(estimate(d, "x", "weight", strata="stratid", psu="psuid", min_n=1))
    assert no_fpc["se"] == pytest.approx(
        hand_mean_se(d["x"], d["weight"], d["stratid"], d["psuid"])[1], rel=1e-10)


def nested_psu(d: pd.DataFrame) -> list[tuple]:
    return list(zip(d["SDMVSTRA"], d["SDMVPSU"], strict=True))


def test_nhanes_proportion_matches_r(ref):
    d = ref["nhanes"]
    row = one(estimate(d, "HI_CHOL", "WTMEC2YR", strata="SDMVSTRA", psu="SDMVPSU"))
    assert row["estimate"] == pytest.approx(0.11214, abs=5e-6)
    # The brief quoted SE 0.0056; the hand formula (and R's printed 0.0054) give 0.0054458.
    mean, se = hand_mean_se(d["HI_CHOL"], d["WTMEC2YR"], d["SDMVSTRA"], nested_psu(d))
    assert se == pytest.approx(0.0054458, abs=5e-8)
    assert (row["estimate"], row["se"]) == pytest.approx((mean, se), rel=1e-10)
    assert row["n"] == d["HI_CHOL"].notna().sum() == 7846
    assert bool(row["proportion"])
    z = norm.ppf(0.975)
    logit, half = np.log(mean / (1 - mean)), z * se / (mean * (1 - mean))
    expit = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    assert row["ci_low"] == pytest.approx(expit(logit - half), rel=1e-10)
    assert row["ci_high"] == pytest.approx(expit(logit + half), rel=1e-10)


def test_nhanes_by_race_uses_whole_design(ref):
    d = ref["nhanes"]
    result = estimate(d, "HI_CHOL", "WTMEC2YR", strata="SDMVSTRA", psu="SDMVPSU", by="race")
    assert list(result["race"]) == [1.0, 2.0, 3.0, 4.0]
    for _, row in result.iterrows():
        inside = d["race"] == row["race"]
        mean, se = hand_mean_se(d["HI_CHOL"], d["WTMEC2YR"], d["SDMVSTRA"], nested_psu(d),
                                inside=inside)
        assert (row["estimate"], row["se"]) == pytest.approx((mean, se), rel=1e-10)
        assert row["n"] == (inside & d["HI_CHOL"].notna()).sum()
    assert result["se"].round(6).tolist() == [0.006246, 0.006604, 0.010385, 0.024666]


def test_domain_equal_to_stratum_is_the_stratum_estimate(ref):
    d = ref["apistrat"]
    by_type = estimate(d, "api00", "pw", strata="stype", fpc="fpc", by="stype", min_n=1)
    assert len(by_type) == 3
    for _, row in by_type.iterrows():
        alone = d[d["stype"] == row["stype"]]
        single = one(estimate(alone, "api00", "pw", strata="stype", fpc="fpc", min_n=1))
        assert (row["estimate"], row["se"]) == pytest.approx(
            (single["estimate"], single["se"]), rel=1e-12)
    assert by_type["estimate"].round(2).tolist() == [674.43, 625.82, 636.60]


def test_domain_across_strata_by_hand(ref):
    d = ref["apistrat"]
    result = estimate(d, "api00", "pw", strata="stype", fpc="fpc", by="awards")
    assert list(result["awards"]) == ["No", "Yes"]
    for _, row in result.iterrows():
        mean, se = hand_mean_se(d["api00"], d["pw"], d["stype"], range(len(d)), list(d["fpc"]),
                                inside=d["awards"] == row["awards"])
        assert (row["estimate"], row["se"]) == pytest.approx((mean, se), rel=1e-10)
    assert result["se"].round(4).tolist() == [15.3348, 11.8566]


def test_missing_values_stay_in_the_design(ref):
    d = ref["apistrat"].copy()
    d.loc[d.index[::7], "api00"] = np.nan  # na.rm: outside the domain, PSUs still counted
    row = one(estimate(d, "api00", "pw", strata="stype", fpc="fpc"))
    mean, se = hand_mean_se(d["api00"], d["pw"], d["stype"], range(len(d)), list(d["fpc"]))
    assert (row["estimate"], row["se"]) == pytest.approx((mean, se), rel=1e-10)
    assert row["n"] == d["api00"].notna().sum()


def test_suppression_and_indicatief(ref):
    d = ref["apistrat"]
    result = estimate(d, "api00", "pw", strata="stype", fpc="fpc", by="stype", min_n=60,
                      indicatief_n=120)
    e, h = result.iloc[0], result.iloc[1]
    assert not e["suppressed"] and e["indicatief"] and e["n"] == 100
    assert h["suppressed"] and not h["indicatief"] and h["n"] == 50
    assert np.isnan([h["estimate"], h["se"], h["ci_low"], h["ci_high"]]).all()
    assert h["n_eff"] == pytest.approx(50.0)


def test_logit_interval_for_a_small_proportion():
    rng = np.random.default_rng(1)
    n = 100
    d = pd.DataFrame({"y": (np.arange(n) < 2).astype(float), "w": rng.uniform(1, 3, n)})
    row = one(estimate(d, "y", "w"))
    p = (d["w"] * d["y"]).sum() / d["w"].sum()
    assert row["estimate"] == pytest.approx(p)
    assert row["estimate"] - 1.96 * row["se"] < 0  # a Wald interval would go negative
    assert 0 < row["ci_low"] < row["estimate"] < row["ci_high"]
    wald = one(estimate(d, "y", "w", proportion=False))
    assert wald["ci_low"] == pytest.approx(wald["estimate"] - norm.ppf(0.975) * wald["se"])


def test_proportion_zero_gets_a_clopper_pearson_upper_bound():
    d = pd.DataFrame({"y": np.zeros(120), "w": np.r_[np.ones(60), np.full(60, 2.0)]})
    row = one(estimate(d, "y", "w"))
    n_eff = 180.0**2 / (60 + 240)
    assert row["n_eff"] == pytest.approx(n_eff)
    assert (row["estimate"], row["se"], row["ci_low"]) == (0.0, 0.0, 0.0)
    assert row["ci_high"] == pytest.approx(1 - 0.025 ** (1 / n_eff))
    full = one(estimate(d.assign(y=1.0), "y", "w"))
    assert (full["ci_low"], full["ci_high"]) == pytest.approx((0.025 ** (1 / n_eff), 1.0))


def test_unreliable_rules():
    rng = np.random.default_rng(2)
    n = 200
    noisy = pd.DataFrame({"y": rng.normal(0.5, 10, n), "w": np.ones(n)})
    assert bool(one(estimate(noisy, "y", "w"))["unreliable"])  # relative SE far above 0.3
    steady = noisy.assign(y=rng.normal(7, 1, n))
    assert not bool(one(estimate(steady, "y", "w"))["unreliable"])
    rare = pd.DataFrame({"y": (np.arange(60) < 1).astype(float), "w": np.ones(60)})
    row = one(estimate(rare, "y", "w"))
    width = row["ci_high"] - row["ci_low"]
    assert width > 0.05 and width / row["estimate"] > 1.3 and bool(row["unreliable"])


def test_estimate_long_is_one_pass_over_separate_designs(ref):
    d = ref["apistrat"]
    waves = []
    for year, scale in ((2020, 1.0), (2022, 1.1)):
        for indicator, column in (("a", "api00"), ("b", "api99")):
            waves.append(d.assign(indicator=indicator, year=year, value=d[column] * scale))
    long = pd.concat(waves, ignore_index=True)
    # Stratum labels repeat across analyses; they must not be pooled.
    result = estimate_long(long, weight="pw", strata="stype", fpc="fpc", by="awards")
    assert list(result.columns[:3]) == ["indicator", "year", "awards"]
    assert len(result) == 8
    for _, row in result.iterrows():
        part = long[(long["indicator"] == row["indicator"]) & (long["year"] == row["year"])]
        single = estimate(part, "value", "pw", strata="stype", fpc="fpc", by="awards")
        match = single[single["awards"] == row["awards"]].iloc[0]
        assert (row["estimate"], row["se"]) == pytest.approx(
            (match["estimate"], match["se"]), rel=1e-12)


def test_estimate_long_proportion_column():
    long = pd.DataFrame({
        "indicator": ["p"] * 100 + ["m"] * 100, "year": 2020,
        "value": np.r_[np.tile([0.0, 1.0], 50), np.tile([0.0, 1.0], 50)], "w": 1.0,
        "is_prop": [True] * 100 + [False] * 100,
    })
    result = estimate_long(long, weight="w", proportion_col="is_prop", min_n=10)
    assert result.set_index("indicator")["proportion"].to_dict() == {"m": False, "p": True}
    auto = estimate_long(long, weight="w", min_n=10)
    assert auto["proportion"].all()


def test_lonely_psu_fails_like_r(ref):
    d = ref["apistrat"].sort_values("stype").iloc[:101]  # stratum H keeps one school
    assert (d["stype"] == "H").sum() == 1
    with pytest.raises(InputError, match="maar één PSU"):
        estimate(d, "api00", "pw", strata="stype")
    # A certainty PSU (fpc says the stratum was sampled completely) adds no variance instead.
    certain = d.assign(fpc=np.where(d["stype"] == "H", 1, d["fpc"]))
    assert np.isfinite(one(estimate(certain, "api00", "pw", strata="stype", fpc="fpc"))["se"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pw": -1.0}, "gewicht"),
        ({"pw": np.nan}, "gewicht"),
        ({"stype": None}, "ontbrekende waarde"),
        ({"fpc": 10.0}, "fpc verschilt"),
    ],
)
def test_bad_design_input(ref, change, message):
    d = ref["apistrat"].copy()
    for column, value in change.items():
        d.loc[d.index[3], column] = value
    with pytest.raises(InputError, match=message):
        estimate(d, "api00", "pw", strata="stype", fpc="fpc")


def test_proportion_flag_rejects_non_binary_values(ref):
    with pytest.raises(InputError, match=r"buiten \[0, 1\]"):
        estimate(ref["apisrs"], "api00", "pw", proportion=True)


def contrast_by_hand(y, w, strata, psu, inside) -> tuple[float, float]:
    """Domain minus rest with z_i = d w (y - m_d)/W_d - r w (y - m_r)/W_r, explicit loops."""
    y, w, inside = np.asarray(y, float), np.asarray(w, float), np.asarray(inside, bool)
    valid = ~np.isnan(y)
    d, r = inside & valid, ~inside & valid
    m_d = sum(w[i] * y[i] for i in range(len(y)) if d[i]) / sum(w[d])
    m_r = sum(w[i] * y[i] for i in range(len(y)) if r[i]) / sum(w[r])
    z = [
        w[i] * (y[i] - m_d) / w[d].sum() if d[i]
        else (-w[i] * (y[i] - m_r) / w[r].sum() if r[i] else 0.0)
        for i in range(len(y))
    ]
    return m_d - m_r, float(np.sqrt(hand_variance(z, list(strata), list(psu))))


def test_domain_contrasts_by_hand(ref):
    d = ref["nhanes"].assign(indicator="hi_chol", year=2010)
    result = domain_contrasts(d, value="HI_CHOL", weight="WTMEC2YR", strata="SDMVSTRA",
                              psu="SDMVPSU", by="race")
    assert len(result) == 4
    for _, row in result.iterrows():
        diff, se = contrast_by_hand(d["HI_CHOL"], d["WTMEC2YR"], d["SDMVSTRA"], nested_psu(d),
                                    d["race"] == row["race"])
        assert (row["difference"], row["se_difference"]) == pytest.approx((diff, se), rel=1e-9)
        assert row["difference"] == pytest.approx(row["estimate"] - row["estimate_rest"])


def test_domain_contrasts_without_psus_and_with_missing(ref):
    d = ref["apistrat"].assign(indicator="api", year=2000)
    d.loc[d.index[::9], "api00"] = np.nan
    d.loc[d.index[5], "awards"] = None  # in the rest of the gemeente, in no domain
    result = domain_contrasts(d, value="api00", weight="pw", strata="stype", by="awards")
    assert len(result) == 2
    for _, row in result.iterrows():
        diff, se = contrast_by_hand(d["api00"], d["pw"], d["stype"], range(len(d)),
                                    d["awards"] == row["awards"])
        assert (row["difference"], row["se_difference"]) == pytest.approx((diff, se), rel=1e-9)
    assert (result["n"] + result["n_rest"] == d["api00"].notna().sum()).all()


def test_contrast_of_a_stratum_has_independent_parts(ref):
    d = ref["apistrat"].assign(indicator="api", year=2000)
    result = domain_contrasts(d, value="api00", weight="pw", strata="stype", fpc="fpc",
                              by="stype")
    assert len(result) == 3
    for _, row in result.iterrows():
        inside = estimate(d[d["stype"] == row["stype"]], "api00", "pw", strata="stype",
                          fpc="fpc", min_n=1)
        rest = estimate(d[d["stype"] != row["stype"]], "api00", "pw", strata="stype",
                        fpc="fpc", min_n=1)
        se = np.hypot(inside["se"].iloc[0], rest["se"].iloc[0])
        assert row["se_difference"] == pytest.approx(se, rel=1e-10)
        assert row["estimate_rest"] == pytest.approx(rest["estimate"].iloc[0], rel=1e-12)


def test_lonely_strata_lists_what_the_rule_acts_on(ref):
    from ivb_analysis.survey import lonely_strata

    d = ref["apistrat"].sort_values("stype").iloc[:101].assign(indicator="api", year=2000)
    lonely = lonely_strata(d, value="api00", weight="pw", strata="stype")
    assert lonely[["stype", "n"]].to_dict("records") == [{"stype": "H", "n": 1}]
    certain = d.assign(fpc=np.where(d["stype"] == "H", 1, d["fpc"]))
    assert lonely_strata(certain, value="api00", weight="pw", strata="stype", fpc="fpc").empty
    with pytest.raises(InputError, match="onbekende regel"):
        estimate(d, "api00", "pw", strata="stype", lonely_psu="remove")


def test_lonely_rules_by_hand(ref):
    """certainty: the lonely stratum adds 0; adjust: z_h^2 uncentred; average: x 2 strata / 1."""
    d = ref["apistrat"].sort_values("stype").iloc[:101]
    z_var = {}
    mean = (d["pw"] * d["api00"]).sum() / d["pw"].sum()
    z = d["pw"] * (d["api00"] - mean) / d["pw"].sum()
    for h, part in z.groupby(d["stype"]):
        n_h = len(part)
        z_var[h] = n_h / (n_h - 1) * ((part - part.mean()) ** 2).sum() if n_h > 1 else 0.0
    certainty = sum(z_var.values())
    lonely_total = z[d["stype"] == "H"].sum()
    se = {rule: one(estimate(d, "api00", "pw", strata="stype", lonely_psu=rule))["se"]
          for rule in ("certainty", "adjust", "average")}
    assert se["certainty"] == pytest.approx(np.sqrt(certainty), rel=1e-12)
    assert se["adjust"] == pytest.approx(np.sqrt(certainty + lonely_total**2), rel=1e-12)
    assert se["average"] == pytest.approx(np.sqrt(certainty * 2 / 1), rel=1e-12)


def test_lonely_note_in_dutch():
    from ivb_analysis.estimates import lonely_psu_note

    lonely = pd.DataFrame({"year": [2015, 2015], "stratum": [9, 4], "n": [1, 1],
                           "wijk_code": ["WK016409", "WK016404"]})
    text = lonely_psu_note(lonely, "adjust", {"WK016409": "Buitengebied"})
    assert text is not None and text.startswith("In 2 strata had de steekproef maar één")
    assert "(2015: Buitengebied, WK016404)" in text and '"adjust"' in text
    assert lonely_psu_note(lonely.iloc[:0], "adjust") is None


@pytest.mark.parametrize("psu", [None, "SDMVPSU"])
def test_code_paths_agree_blocks_hashing_nesting(ref, monkeypatch, psu):
    """Small blocks (many), hashed keys and a domain nested in the strata give the same numbers
    as the default path (the speed paths of the engine change no result)."""
    import ivb_analysis.survey.codes as survey_module

    d = ref["nhanes"].assign(indicator="hi_chol", year=2010)
    d["half"] = (d["SDMVSTRA"] % 2).astype("int64")  # strata nested in the halves
    d["sub"] = d["SDMVSTRA"] * 10 + np.arange(len(d)) % 3  # domains nested in the strata
    design = {"value": "HI_CHOL", "weight": "WTMEC2YR", "strata": "SDMVSTRA", "psu": psu}
    runs = {}
    for name, block, limit in (("default", 1 << 20, 1 << 24), ("small", 97, 2)):
        monkeypatch.setattr(survey_module, "BLOCK", block)
        monkeypatch.setattr(survey_module, "DENSE_LIMIT", limit)
        bys = ("race", "half", "sub")
        runs[name] = [estimate_long(d, by=by, min_n=1, **design) for by in bys]
        runs[name] += [domain_contrasts(d, by=by, **design) for by in bys]
        runs[name] += [estimate_long(d, min_n=1, **design)]
    for default, small in zip(runs["default"], runs["small"], strict=True):
        pd.testing.assert_frame_equal(default, small, check_exact=False, rtol=1e-12)
    # The nested domains by hand as well.
    units = nested_psu(d) if psu else range(len(d))
    for position, column in ((1, "half"), (2, "sub")):
        for _, row in runs["default"][position].head(8).iterrows():
            inside = d[column] == row[column]
            _, se = hand_mean_se(d["HI_CHOL"], d["WTMEC2YR"], d["SDMVSTRA"], units,
                                 inside=inside)
            assert row["se"] == pytest.approx(se, rel=1e-9)
    for _, row in runs["default"][5].head(4).iterrows():
        diff, se = contrast_by_hand(d["HI_CHOL"], d["WTMEC2YR"], d["SDMVSTRA"], units,
                                    d["sub"] == row["sub"])
        assert (row["difference"], row["se_difference"]) == pytest.approx((diff, se), rel=1e-9)


def test_empty_wijken_are_listed_not_dropped():
    from ivb_analysis.estimates import empty_domains, empty_domains_note

    long = pd.DataFrame({"year": [2013, 2013, 2015], "wijk_code": ["WK01", "WK02", "WK01"],
                         "indicator": "a", "value": 1.0})
    wijken = pd.DataFrame({"wijk_code": ["WK01", "WK02", "WK03"],
                           "wijk_naam": ["Noord", "Zuid", "Oost"]})
    empty = empty_domains(long, wijken, [2013, 2015])
    assert empty[["year", "wijk_code", "n"]].values.tolist() == [
        [2013, "WK03", 0], [2015, "WK02", 0], [2015, "WK03", 0]]
    assert empty_domains_note(empty, 2015) == "Niet getoond (0 respondenten): Zuid, Oost."
    assert empty_domains_note(empty, 2017) is None


# --- the design object (issue 20.3) ------------------------------------------------------------


def test_survey_design_object_gives_the_numbers_of_the_loose_arguments(ref):
    from ivb_analysis.survey import SurveyDesign, lonely_strata

    d = ref["nhanes"].assign(indicator="hi_chol", year=2010)
    design = SurveyDesign(weight="WTMEC2YR", strata="SDMVSTRA", psu="SDMVPSU",
                          design_by=("indicator", "year"))
    loose = {"weight": "WTMEC2YR", "strata": "SDMVSTRA", "psu": "SDMVPSU"}
    pd.testing.assert_frame_equal(
        estimate_long(d, design=design, value="HI_CHOL", by="race", min_n=1),
        estimate_long(d, value="HI_CHOL", by="race", min_n=1, **loose))
    pd.testing.assert_frame_equal(
        domain_contrasts(d, design=design, value="HI_CHOL", by="race"),
        domain_contrasts(d, value="HI_CHOL", by="race", **loose))
    one_design = design.replace(design_by=())
    pd.testing.assert_frame_equal(estimate(d, "HI_CHOL", design=one_design),
                                  estimate(d, "HI_CHOL", **loose))
    # R: svymean(~HI_CHOL, svydesign(ids=~SDMVPSU, strata=~SDMVSTRA, weights=~WTMEC2YR,
    # nest=TRUE), na.rm=TRUE): 0.11214 (SE 0.0054), the value of test_nhanes_proportion_matches_r.
    row = one(estimate(d, "HI_CHOL", design=one_design))
    assert row["estimate"] == pytest.approx(0.11214, abs=5e-5)
    assert lonely_strata(d, design=design, value="HI_CHOL").empty
    assert design.columns == ["WTMEC2YR", "SDMVSTRA", "SDMVPSU", "indicator", "year"]
    assert design.clustered and not one_design.replace(psu=None).clustered


def test_survey_design_refuses_unknown_rules_and_mixed_arguments(ref):
    from ivb_analysis.survey import SurveyDesign

    with pytest.raises(InputError, match="onbekende regel") as info:
        SurveyDesign(weight="w", lonely_psu="remove")
    assert "certainty" in str(info.value.expected)
    d = ref["apistrat"]
    with pytest.raises(InputError, match="ontwerp dubbel opgegeven") as info:
        estimate(d, "api00", "pw", design=SurveyDesign(weight="pw"))
    assert info.value.column == "weight"
    with pytest.raises(InputError, match="geen gewicht"):
        estimate(d, "api00")


def test_describe_design_states_the_design_used():
    from ivb_analysis.survey import SurveyDesign, describe_design

    flat = describe_design(SurveyDesign(weight="w", strata="h", lonely_psu="adjust"),
                           strata_text="wijk")
    assert flat == (
        "Standaardfouten, intervallen en toetsen volgen het steekproefontwerp "
        "(Taylor-linearisering, zoals R survey): weging met steekproefgewichten, "
        "stratificatie naar wijk, elke respondent als eigen steekproefeenheid en een stratum "
        "met één PSU wordt rond het totaalgemiddelde gecentreerd.")
    clustered = describe_design(SurveyDesign(weight="w", strata="h", psu="c", fpc="f"),
                                psu_text="de buurtclusters", fpc_fraction=True)
    assert "clustering: de buurtclusters als primaire steekproefeenheden" in clustered
    assert "eindige-populatiecorrectie naar de trekkingsfractie per stratum" in clustered
    assert "elke respondent" not in clustered and "stratum met één PSU" not in clustered
