"""compare.py: z tests, Benjamini-Hochberg, verdicts, part-whole, method breaks, IVW trends.

Expected numbers are worked out by hand from the formulas (scipy only for the normal tail).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from ivb_analysis.compare import (
    bh_adjust,
    change,
    difference_in_differences,
    domain_vs_rest,
    linear_trend,
    vs_benchmark,
    wave_vs_wave,
)
from ivb_analysis.errors import InputError
from ivb_analysis.survey import domain_contrasts
from tests.conftest import REFERENCE


def estimates_table(rows: list[tuple]) -> pd.DataFrame:
    """(indicator, year, estimate, se) rows as an estimate table."""
    frame = pd.DataFrame(rows, columns=["indicator", "year", "estimate", "se"])
    return frame.assign(suppressed=frame["estimate"].isna())


def test_bh_adjust_hand_worked():
    # sorted: 0.005 (x4/1) 0.01 (x4/2) 0.03 (x4/3) 0.04 (x4/4) -> 0.02 0.02 0.04 0.04, monotone
    assert bh_adjust([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    adjusted = bh_adjust([0.01, np.nan, 0.04])  # family of two
    assert adjusted[0] == pytest.approx(0.02) and adjusted[2] == pytest.approx(0.04)
    assert np.isnan(adjusted[1])
    assert np.isnan(bh_adjust([np.nan])).all()


def test_wave_vs_wave_z_and_p_by_hand():
    est = estimates_table([("cijfer", 2017, 6.9, 0.12), ("cijfer", 2019, 7.2, 0.10)])
    result = wave_vs_wave(est, 2017, polarity=1)
    row = result.iloc[0]
    z = (7.2 - 6.9) / np.sqrt(0.10**2 + 0.12**2)
    assert row["year"] == 2019 and row["reference_year"] == 2017
    assert row["difference"] == pytest.approx(0.3)
    assert row["se_difference"] == pytest.approx(np.sqrt(0.0244))
    assert row["z"] == pytest.approx(z)
    assert row["p"] == pytest.approx(2 * norm.sf(z))  # z = 1.9206: one test, not significant
    assert row["p"] == pytest.approx(0.05479, abs=1e-5)
    assert row["p_adjusted"] == pytest.approx(row["p"])
    assert row["verdict"] == "geen verschil" and row["verdict_polarity"] == "gelijk"
    assert pd.isna(row["reason"])


def test_verdicts_follow_polarity_and_bh_family():
    est = estimates_table([
        ("onveilig", 2017, 0.30, 0.01), ("onveilig", 2019, 0.35, 0.01),
        ("cijfer", 2017, 6.9, 0.05), ("cijfer", 2019, 7.2, 0.05),
        ("preventie", 2017, 0.40, 0.01), ("preventie", 2019, 0.30, 0.01),
        ("cohesie", 2017, 6.0, 0.10), ("cohesie", 2019, 6.1, 0.10),
    ])
    pol = {"onveilig": -1, "cijfer": 1, "preventie": 0, "cohesie": 1}
    result = wave_vs_wave(est, 2017, polarity=pol).set_index("indicator")
    assert result.loc["onveilig", ["verdict", "verdict_polarity"]].tolist() == ["hoger", "slechter"]
    assert result.loc["cijfer", ["verdict", "verdict_polarity"]].tolist() == ["hoger", "beter"]
    assert result.loc["preventie", ["verdict", "verdict_polarity"]].tolist() == ["lager", "lager"]
    assert result.loc["cohesie", ["verdict", "verdict_polarity"]].tolist() == [
        "geen verschil", "gelijk"]
    # BH over the family of four: cohesie p = 0.4795 ranks last and keeps its p.
    p = 2 * norm.sf(0.1 / np.sqrt(0.02))
    assert result.loc["cohesie", "p_adjusted"] == pytest.approx(p)
    assert result["p_adjusted"].tolist() == pytest.approx(bh_adjust(result["p"]))
    per_indicator = wave_vs_wave(est, 2017, family="indicator")
    assert per_indicator["p_adjusted"].tolist() == pytest.approx(per_indicator["p"].tolist())


def test_wave_vs_wave_refuses_across_method_break():
    est = estimates_table([
        ("cijfer", 2019, 7.0, 0.1), ("cijfer", 2021, 6.6, 0.1), ("cijfer", 2023, 6.9, 0.1),
        ("slachtoffer", 2019, 0.20, 0.01), ("slachtoffer", 2021, 0.15, 0.01),
        ("slachtoffer", 2023, np.nan, np.nan),
    ])
    result = wave_vs_wave(est, 2021, method_break=2021)
    by = result.set_index(["indicator", "year"])
    assert by.loc[("cijfer", 2019), "reason"] == "methodebreuk"
    assert np.isnan(by.loc[("cijfer", 2019), ["difference", "z", "p", "p_adjusted"]]
                    .astype(float)).all()
    assert pd.isna(by.loc[("cijfer", 2019), "verdict"])
    assert by.loc[("cijfer", 2023), "difference"] == pytest.approx(0.3)
    assert by.loc[("slachtoffer", 2023), "reason"] == "te weinig waarnemingen"
    # BH family: only the one tested row counts.
    assert by.loc[("cijfer", 2023), "p_adjusted"] == pytest.approx(by.loc[("cijfer", 2023), "p"])

    converted = wave_vs_wave(est, 2021, method_break=2021, conversion={"cijfer": 0.95})
    row = converted.set_index(["indicator", "year"]).loc[("cijfer", 2019)]
    assert row["estimate"] == pytest.approx(6.65)  # 7.0 x 0.95 on the new scale
    assert row["difference"] == pytest.approx(6.65 - 6.6)
    assert row["se_difference"] == pytest.approx(np.hypot(0.095, 0.1))
    assert converted.set_index(["indicator", "year"]).loc[
        ("slachtoffer", 2019), "reason"] == "methodebreuk"


def test_change_is_wave_vs_wave_on_two_waves():
    est = estimates_table([("a", 2015, 0.5, 0.02), ("a", 2017, 0.45, 0.02),
                           ("a", 2019, 0.40, 0.02)])
    result = change(est, 2015, 2019)
    assert len(result) == 1
    assert result["difference"].iloc[0] == pytest.approx(-0.10)
    assert result["verdict"].iloc[0] == "lager"


def benchmark_table(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "indicator", "estimate", "ci_low", "ci_high"])


def test_vs_benchmark_part_whole_by_hand():
    est = estimates_table([("cijfer", 2019, 7.1, 0.08), ("onveilig", 2019, 0.31, 0.012)])
    bench = benchmark_table([(2019, "cijfer", 6.9, 6.85, 6.95), (2019, "onveilig", 0.35, 0.34,
                                                                  0.36)])
    result = vs_benchmark(est, bench, share=0.3, polarity={"cijfer": 1, "onveilig": -1})
    row = result.set_index("indicator").loc["cijfer"]
    se_bench = (6.95 - 6.85) / (2 * 1.96)
    variance = se_bench**2 + (1 - 2 * 0.3) * 0.08**2
    assert row["share"] == 0.3
    assert row["difference"] == pytest.approx(0.2)
    assert row["se_difference"] == pytest.approx(np.sqrt(variance))
    assert row["z"] == pytest.approx(0.2 / np.sqrt(variance))
    assert row["verdict_polarity"] == "beter"
    assert result.set_index("indicator").loc["onveilig", "verdict_polarity"] == "beter"
    # share 0 (benchmark without the gemeente): plain sum of variances.
    plain = vs_benchmark(est, bench).set_index("indicator").loc["cijfer"]
    assert plain["se_difference"] == pytest.approx(np.sqrt(se_bench**2 + 0.08**2))


def test_vs_benchmark_missing_interval_is_not_tested():
    est = estimates_table([("cijfer", 2019, 7.1, 0.08)])
    bench = benchmark_table([(2019, "cijfer", 6.9, np.nan, np.nan)])
    row = vs_benchmark(est, bench).iloc[0]
    assert row["reason"] == "standaardfout ontbreekt" and np.isnan(row["p"])
    with pytest.raises(InputError):
        vs_benchmark(est, bench, share=1.2)


def test_difference_in_differences_by_hand():
    est = estimates_table([("cijfer", 2015, 6.8, 0.10), ("cijfer", 2019, 7.3, 0.09)])
    bench = benchmark_table([(2015, "cijfer", 6.9, 6.86, 6.94), (2019, "cijfer", 7.0, 6.95,
                                                                 7.05)])
    share = {2015: 0.02, 2019: 0.03}
    row = difference_in_differences(est, bench, 2015, 2019, share=share, polarity=1).iloc[0]
    se_g15, se_g19 = 0.08 / 3.92, 0.10 / 3.92
    variance = (se_g15**2 + (1 - 0.04) * 0.10**2) + (se_g19**2 + (1 - 0.06) * 0.09**2)
    assert row["change"] == pytest.approx(0.5)
    assert row["change_benchmark"] == pytest.approx(0.1)
    assert row["difference"] == pytest.approx(0.4)
    assert row["se_difference"] == pytest.approx(np.sqrt(variance))
    assert row["p"] == pytest.approx(2 * norm.sf(0.4 / np.sqrt(variance)))
    assert row["verdict_polarity"] == "beter"
    refused = difference_in_differences(est, bench, 2015, 2019, method_break=2017).iloc[0]
    assert refused["reason"] == "methodebreuk"


def test_linear_trend_ivw_by_hand():
    years = np.array([2012, 2013, 2015, 2017, 2019])
    values = np.array([6.8, 6.9, 7.0, 7.0, 7.2])
    ses = np.array([0.10, 0.08, 0.08, 0.09, 0.10])
    rows = [("cijfer", y, v, s) for y, v, s in zip(years, values, ses, strict=True)]
    rows += [("cijfer", 2021, 6.5, 0.1), ("cijfer", 2023, 6.6, 0.1)]
    result = linear_trend(estimates_table(rows), method_break=2021, polarity=1)
    before = result[result["first_year"] == 2012].iloc[0]
    w = 1 / ses**2
    xbar = (w * years).sum() / w.sum()
    sxx = (w * (years - xbar) ** 2).sum()
    slope = (w * (years - xbar) * values).sum() / sxx
    assert before["n_waves"] == 5 and before["last_year"] == 2019
    assert before["slope"] == pytest.approx(slope)
    assert before["se_slope"] == pytest.approx(np.sqrt(1 / sxx))
    assert before["z"] == pytest.approx(slope * np.sqrt(sxx))
    assert before["difference"] == pytest.approx(slope * 7)
    after = result[result["first_year"] == 2021].iloc[0]
    assert after["reason"] == "te weinig metingen" and np.isnan(after["slope"])
    # With a conversion factor the old waves join the new series.
    one = linear_trend(estimates_table(rows), method_break=2021, conversion=0.9, min_waves=3)
    assert len(one) == 1 and one["n_waves"].iloc[0] == 7


def test_linear_trend_equals_change_for_two_waves():
    est = estimates_table([("a", 2015, 0.50, 0.02), ("a", 2019, 0.44, 0.015)])
    trend = linear_trend(est, min_waves=2).iloc[0]
    pair = change(est, 2015, 2019).iloc[0]
    assert trend["difference"] == pytest.approx(pair["difference"])
    assert trend["z"] == pytest.approx(pair["z"])


def test_domain_vs_rest_uses_contrasts_and_family():
    d = pd.read_csv(REFERENCE / "nhanes.csv").assign(indicator="hi_chol", year=2010)
    design = {"value": "HI_CHOL", "weight": "WTMEC2YR", "strata": "SDMVSTRA", "psu": "SDMVPSU",
              "by": "race"}
    result = domain_vs_rest(d, polarity=-1, min_n=500, **design)
    contrasts = domain_contrasts(d, **design)
    tested = result["race"] != 4.0  # race 4 has n = 458 < 500
    assert result.loc[~tested, "reason"].tolist() == ["te weinig waarnemingen"]
    assert np.isnan(result.loc[~tested, "estimate"]).all()
    z = contrasts["difference"] / contrasts["se_difference"]
    assert result.loc[tested, "z"].to_numpy() == pytest.approx(z[tested].to_numpy())
    p = 2 * norm.sf(np.abs(z[tested]))
    assert result.loc[tested, "p_adjusted"].to_numpy() == pytest.approx(bh_adjust(p))
    verdicts = dict(zip(result["race"], result["verdict_polarity"], strict=True))
    assert verdicts[2.0] == "slechter" and verdicts[3.0] == "beter"


def constant_wave(rng: np.random.Generator, year: int, value: float = 8.3) -> pd.DataFrame:
    """Every respondent answers `value`: the design SE is exactly 0 (issue 12's reproduction)."""
    frame = pd.DataFrame({"y": value, "w": rng.uniform(20, 200, 120),
                          "h": rng.integers(0, 4, 120)})
    from ivb_analysis.survey import estimate

    return estimate(frame, "y", "w", strata="h").assign(indicator="cijfer", year=year)


def test_zero_variance_is_no_difference_never_a_test():
    rng = np.random.default_rng(12)
    est = pd.concat([constant_wave(rng, 2013), constant_wave(rng, 2015)], ignore_index=True)
    assert (est["se"] == 0.0).all()  # exactly 0, not floating-point noise of ~1e-16
    row = change(est, 2013, 2015, keys=["indicator"], polarity=1).iloc[0]
    assert row["verdict"] == "geen verschil" and row["verdict_polarity"] == "gelijk"
    assert np.isnan(row["p"]) and np.isnan(row["z"])  # not a test
    assert row["difference"] == 0.0
    # A real difference between two certain values is not tested either (no variance).
    other = pd.concat([constant_wave(rng, 2013), constant_wave(rng, 2015, 8.5)],
                      ignore_index=True)
    row = change(other, 2013, 2015, keys=["indicator"]).iloc[0]
    assert row["verdict"] is None and row["reason"] == "standaardfout is 0"


def test_zero_variance_in_domain_contrasts():
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"value": 7.0, "w": rng.uniform(1, 5, 400), "h": rng.integers(0, 5, 400),
                      "wijk": rng.integers(0, 3, 400), "indicator": "a", "year": 2015})
    result = domain_vs_rest(d, weight="w", strata="h", by="wijk", min_n=10)
    assert (result["verdict"] == "geen verschil").all()
    assert result["p"].isna().all()


def test_linear_trend_lack_of_fit_scales_the_se_by_hand():
    years = np.array([2012, 2013, 2014, 2015, 2017])
    values = np.array([6.6, 7.2, 6.7, 7.3, 6.9])  # zigzag: far more spread than the SEs say
    ses = np.array([0.05, 0.06, 0.05, 0.05, 0.06])
    rows = [("cijfer", y, v, s) for y, v, s in zip(years, values, ses, strict=True)]
    row = linear_trend(estimates_table(rows)).iloc[0]
    w = 1 / ses**2
    xbar = (w * years).sum() / w.sum()
    sxx = (w * (years - xbar) ** 2).sum()
    slope = (w * (years - xbar) * values).sum() / sxx
    intercept = (w * values).sum() / w.sum() - slope * xbar
    chi2 = (w * (values - intercept - slope * years) ** 2).sum()
    assert row["chi2_lack_of_fit"] == pytest.approx(chi2)
    assert row["df_lack_of_fit"] == 3
    from scipy.stats import chi2 as chi2_dist

    assert row["p_lack_of_fit"] == pytest.approx(chi2_dist.sf(chi2, 3))
    assert row["p_lack_of_fit"] < 0.001
    assert row["dispersion"] == pytest.approx(chi2 / 3)
    assert row["se_slope_ivw"] == pytest.approx(np.sqrt(1 / sxx))
    assert row["se_slope"] == pytest.approx(np.sqrt(chi2 / 3 / sxx))
    # statsmodels' WLS estimates the same scale (chi2 / df) when it is above 1.
    import statsmodels.api as sm

    wls = sm.WLS(values, sm.add_constant(years.astype(float)), weights=w).fit()
    assert row["slope"] == pytest.approx(wls.params[1])
    assert row["se_slope"] == pytest.approx(wls.bse[1])
    assert row["z"] == pytest.approx(slope / np.sqrt(chi2 / 3 / sxx))
    # Unscaled, this slope would be "significant"; scaled it is not.
    assert 2 * norm.sf(abs(slope) * np.sqrt(sxx)) < 0.05
    assert row["verdict"] == "geen verschil"


def test_linear_trend_within_sampling_error_is_not_scaled():
    years = np.array([2012, 2013, 2015, 2017, 2019])
    values = np.array([6.8, 6.9, 7.0, 7.0, 7.2])
    ses = np.array([0.10, 0.08, 0.08, 0.09, 0.10])
    rows = [("cijfer", y, v, s) for y, v, s in zip(years, values, ses, strict=True)]
    row = linear_trend(estimates_table(rows)).iloc[0]
    assert row["chi2_lack_of_fit"] < 3 and row["dispersion"] == 1.0
    assert row["se_slope"] == row["se_slope_ivw"]
    two = linear_trend(estimates_table(rows[:2]), min_waves=2).iloc[0]
    assert np.isnan(two["p_lack_of_fit"]) and two["dispersion"] == 1.0


def test_trend_method_note_counts_scaled_series():
    from ivb_analysis.compare import trend_method_note

    rows = [("a", 2012, 6.6, 0.05), ("a", 2013, 7.2, 0.06), ("a", 2014, 6.7, 0.05),
            ("b", 2012, 6.8, 0.1), ("b", 2013, 6.9, 0.1), ("b", 2014, 7.0, 0.1)]
    note = trend_method_note(linear_trend(estimates_table(rows)))
    assert "gewogen kleinste kwadraten" in note and "overdispersie" in note
    assert "Dat gold voor 1 van de 2 getoetste reeksen; bij 1 daarvan" in note
    assert "(op 5%)" in note
