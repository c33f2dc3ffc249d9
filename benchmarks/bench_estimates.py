"""Speed and memory of `survey.estimate_long` against a bare numpy floor (not part of the tests).

Workload of issue 13, synthetic and seeded: 8 waves x 250,000 respondents x 30 indicators (15
proportions 0/1, 15 scores 0-10), about 5% missing per indicator and dropped (about 57 million
long rows), 400 sampling strata per wave, 1,600 wijken nested in the strata (4 per stratum) as
domains, lognormal sampling weights. Every (indicator, wave) is its own design.

The floor is the least a correct computation must do, written as plainly as numpy allows: integer
codes from the key columns, np.bincount for the weighted sums per wijk, the linearised values z
and their sums and sums of squares per wijk (each wijk lies in one stratum), and the stratum's
respondent count for the variance. It runs in the same process on the same data; the engine's
estimates and SEs must equal it (relative difference printed). Times are the best of --runs runs
(single runs on a shared machine vary by 2x); peak memory is the peak of traced allocations
(tracemalloc, numpy included) during one call, the input table excluded.

`domain_contrasts` (each wijk against the rest of its analysis) has its own floor: the same
contrasts from sums per stratum and per wijk of t = w (y - m), w and their squares and product.
Wall times on a machine shared with other jobs mostly measure the other jobs, so the CPU time
of this process is printed beside them (the ratios of both are reported). As a yardstick, a
per-domain loop of statsmodels `DescrStatsW` (frequency-weight SEs, so the wrong numbers;
timed on the first LOOP_DOMAINS domains and extrapolated).

Run: .venv/bin/python benchmarks/bench_estimates.py [--scale 0.5] [--runs 5] [--no-loop]
(full scale: 1.2 GiB input, about 5 GiB peak RSS, 5-10 minutes on the shared 2 cores, most of
it the DescrStatsW loop and building the data).
"""

from __future__ import annotations

import argparse
import gc
import platform
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd
from statsmodels.stats.weightstats import DescrStatsW

from ivb_analysis.survey import domain_contrasts, estimate_long

SEED = 20240601
WAVES = tuple(range(2012, 2027, 2))
RESPONDENTS = 250_000
INDICATORS = 30
STRATA = 400
WIJKEN_PER_STRATUM = 4
MISSING = 0.05
LOOP_DOMAINS = 2_000


def synthetic_long(rng: np.random.Generator, respondents: int) -> pd.DataFrame:
    """One row per (respondent, indicator) with a value, like the cleaning stage's output."""
    frames = []
    names = pd.CategoricalDtype([f"ind{i:02d}" for i in range(INDICATORS)])
    for year in WAVES:
        wijk = rng.integers(0, STRATA * WIJKEN_PER_STRATUM, respondents).astype(np.int16)
        stratum = (wijk // WIJKEN_PER_STRATUM).astype(np.int16)
        weight = rng.lognormal(0.0, 0.5, respondents)
        effect = rng.normal(0, 0.3, STRATA * WIJKEN_PER_STRATUM)[wijk]
        for i in range(INDICATORS):
            if i % 2:
                value = (rng.random(respondents) < 1 / (1 + np.exp(1.5 - effect))).astype(float)
            else:
                value = np.clip(rng.normal(6.5 + effect, 1.5), 0, 10)
            keep = rng.random(respondents) >= MISSING
            frames.append(pd.DataFrame({
                "indicator": pd.Categorical.from_codes(
                    np.full(keep.sum(), i, np.int8), dtype=names),
                "year": np.int16(year),
                "stratum": stratum[keep],
                "wijk": wijk[keep],
                "weight": weight[keep],
                "value": value[keep],
            }))
    return pd.concat(frames, ignore_index=True)


def floor_pass(long: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted mean and Taylor SE per (indicator, wave, wijk): the bare numpy floor.

    Codes: group = indicator x wave, domain = group x wijk, stratum cell = group x stratum.
    mean_d = sum w y / sum w; z = w (y - mean_d) / sum w; var_d = n_h / (n_h - 1) x
    (sum z^2 - (sum z)^2 / n_h) over the respondents of the wijk's stratum h (z = 0 outside).
    Returns the domain codes present (sorted), the means and the SEs.
    """
    ind = long["indicator"].cat.codes.to_numpy()
    year = long["year"].to_numpy()
    wijk = long["wijk"].to_numpy()
    stratum = long["stratum"].to_numpy()
    w = long["weight"].to_numpy()
    y = long["value"].to_numpy()
    n_year, n_wijk, n_stratum = int(year.max()) + 1 - int(year.min()), int(wijk.max()) + 1, \
        int(stratum.max()) + 1
    group = ind.astype(np.int64) * n_year + (year - year.min())
    domain = group * n_wijk + wijk
    cell = group * n_stratum + stratum
    n_h = np.bincount(cell)
    sum_w = np.bincount(domain, weights=w)
    sum_wy = np.bincount(domain, weights=w * y)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sum_wy / sum_w
    z = w * (y - mean[domain]) / sum_w[domain]
    sum_z = np.bincount(domain, weights=z)
    sum_z2 = np.bincount(domain, weights=z * z)
    cell_of_domain = np.zeros(len(sum_w), dtype=np.int64)
    cell_of_domain[domain] = cell  # every wijk lies in one stratum
    present = np.flatnonzero(sum_w > 0)
    n = n_h[cell_of_domain[present]]
    variance = n / (n - 1) * (sum_z2[present] - sum_z[present] ** 2 / n)
    return present, mean[present], np.sqrt(variance)


def floor_contrasts(long: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each wijk against the rest of its analysis, the bare numpy floor (wijk in one stratum).

    z = w (y - m_d) / W_d in the wijk, -w (y - m_r) / W_r in the rest; with t = w (y - m) (m the
    analysis mean), c_d = m_d - m, c_r = m_r - m: z = (t - c_d w) / W_d resp. -(t - c_r w) / W_r,
    so per stratum sum z and sum z^2 follow from sums of t, w, t^2, t w, w^2 per stratum and
    per wijk. Returns the domain codes present, the differences and their SEs.
    """
    ind = long["indicator"].cat.codes.to_numpy()
    year = long["year"].to_numpy()
    wijk = long["wijk"].to_numpy()
    stratum = long["stratum"].to_numpy()
    w = long["weight"].to_numpy()
    y = long["value"].to_numpy()
    n_year, n_wijk, n_stratum = int(year.max()) + 1 - int(year.min()), int(wijk.max()) + 1, \
        int(stratum.max()) + 1
    group = ind.astype(np.int64) * n_year + (year - year.min())
    domain = group * n_wijk + wijk
    cell = group * n_stratum + stratum
    n_cells = int(cell.max()) + 1
    n_h = np.bincount(cell, minlength=n_cells)
    w_d = np.bincount(domain, weights=w)
    wy_d = np.bincount(domain, weights=w * y)
    present = np.flatnonzero(w_d > 0)
    group_of = present // n_wijk
    w_g = np.bincount(group_of, weights=w_d[present])
    with np.errstate(invalid="ignore", divide="ignore"):  # waves without data: empty groups
        m_g = np.bincount(group_of, weights=wy_d[present]) / w_g
    t = w * (y - m_g[group])
    s_t, s_w = np.bincount(cell, weights=t), np.bincount(cell, weights=w)
    s_tt, s_tw = np.bincount(cell, weights=t * t), np.bincount(cell, weights=t * w)
    s_ww = np.bincount(cell, weights=w * w)
    d_t, d_tt = np.bincount(domain, weights=t), np.bincount(domain, weights=t * t)
    d_tw, d_ww = np.bincount(domain, weights=t * w), np.bincount(domain, weights=w * w)
    cell_of = np.zeros(len(w_d), dtype=np.int64)
    cell_of[domain] = cell  # every wijk lies in one stratum
    scale = np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 0.0)
    strata_group = np.arange(n_cells) // n_stratum
    moments = [np.bincount(strata_group, weights=scale * (sxy - sx * sy / np.maximum(n_h, 1)))
               for sxy, sx, sy in ((s_tt, s_t, s_t), (s_tw, s_t, s_w), (s_ww, s_w, s_w))]
    d = present
    g, h = group_of, cell_of[present]
    wd, wr = w_d[d], w_g[g] - w_d[d]
    c_d = wy_d[d] / wd - m_g[g]
    c_r = (m_g[g] * w_g[g] - wy_d[d]) / wr - m_g[g]
    a_tt, a_tw, a_ww = (m[g] for m in moments)
    everywhere = (a_tt - 2 * c_r * a_tw + c_r**2 * a_ww) / wr**2  # as if all rows were rest
    rest_h = ((s_tt[h] - 2 * c_r * s_tw[h] + c_r**2 * s_ww[h])
              - (s_t[h] - c_r * s_w[h]) ** 2 / n_h[h]) / wr**2
    sum_z = (d_t[d] - c_d * wd) / wd - ((s_t[h] - d_t[d]) - c_r * (s_w[h] - wd)) / wr
    sum_z2 = ((d_tt[d] - 2 * c_d * d_tw[d] + c_d**2 * d_ww[d]) / wd**2
              + ((s_tt[h] - d_tt[d]) - 2 * c_r * (s_tw[h] - d_tw[d])
                 + c_r**2 * (s_ww[h] - d_ww[d])) / wr**2)
    variance = everywhere - scale[h] * rest_h + scale[h] * (sum_z2 - sum_z**2 / n_h[h])
    return present, c_d - c_r, np.sqrt(np.maximum(variance, 0.0))


def engine(long: pd.DataFrame) -> pd.DataFrame:
    return estimate_long(long, weight="weight", strata="stratum", by="wijk")


def contrasts(long: pd.DataFrame) -> pd.DataFrame:
    return domain_contrasts(long, weight="weight", strata="stratum", by="wijk")


def best_times(functions: dict[str, Callable[[], object]], runs: int
               ) -> dict[str, tuple[float, float]]:
    """Best wall and CPU seconds of each function over `runs` rounds, interleaved (each round
    runs every function once), so that a load change on the shared machine hits all alike."""
    wall: dict[str, list[float]] = {name: [] for name in functions}
    cpu: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(runs):
        for name, function in functions.items():
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            function()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return {name: (min(wall[name]), min(cpu[name])) for name in functions}


def peak_memory(function: Callable[[], object]) -> float:
    """Peak traced allocation (bytes) during one call; the result is dropped afterwards."""
    gc.collect()
    tracemalloc.start()
    result = function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return float(peak)


def agreement(long: pd.DataFrame) -> float:
    """Largest relative difference between the engine's and the floor's means and SEs."""
    result = engine(long)
    present, mean, se = floor_pass(long)
    assert len(result) == len(present), (len(result), len(present))
    shown = ~result["suppressed"].to_numpy()  # the engine leaves out domains below min_n
    ours = np.concatenate([result["estimate"].to_numpy()[shown], result["se"].to_numpy()[shown]])
    floor = np.concatenate([mean[shown], se[shown]])
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = np.abs(ours - floor) / np.abs(floor)
    return float(np.max(np.where(ours == floor, 0.0, relative)))


def contrast_agreement(long: pd.DataFrame) -> float:
    """Largest relative difference between domain_contrasts and the contrast floor."""
    result = contrasts(long)
    present, difference, se = floor_contrasts(long)
    assert len(result) == len(present), (len(result), len(present))
    ours = np.concatenate([result["difference"].to_numpy(), result["se_difference"].to_numpy()])
    floor = np.concatenate([difference, se])
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = np.abs(ours - floor) / np.maximum(np.abs(floor), 1e-12)
    return float(np.max(np.where(ours == floor, 0.0, relative)))


def descrstats_loop(long: pd.DataFrame, limit: int) -> tuple[float, int]:
    """DescrStatsW per domain: seconds extrapolated to all domains, and the number of domains."""
    start = time.perf_counter()
    groups = long.groupby(["indicator", "year", "wijk"], observed=True, sort=False)
    n_domains = groups.ngroups
    setup = time.perf_counter() - start
    start = time.perf_counter()
    for done, (_, frame) in enumerate(groups):
        stats = DescrStatsW(frame["value"].to_numpy(), weights=frame["weight"].to_numpy())
        _ = (stats.mean, stats.std_mean)
        if done + 1 == limit:
            break
    return setup + (time.perf_counter() - start) / limit * n_domains, n_domains


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the respondents")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (best is reported)")
    parser.add_argument("--no-loop", action="store_true", help="skip the DescrStatsW loop")
    args = parser.parse_args()

    long = synthetic_long(np.random.default_rng(SEED), int(RESPONDENTS * args.scale))
    difference = agreement(long)
    contrast_difference = contrast_agreement(long)
    times = best_times({"floor": lambda: floor_pass(long), "engine": lambda: engine(long),
                        "floor_contrasts": lambda: floor_contrasts(long),
                        "contrasts": lambda: contrasts(long)}, args.runs)
    peaks = {name: peak_memory(function) for name, function in (
        ("floor", lambda: floor_pass(long)), ("engine", lambda: engine(long)),
        ("floor_contrasts", lambda: floor_contrasts(long)),
        ("contrasts", lambda: contrasts(long)))}

    def line(name: str) -> str:
        wall, cpu = times[name]
        return f"{wall:.2f} s wall, {cpu:.2f} s CPU, peak {peaks[name] / 2**30:.2f} GiB"

    def ratio(name: str, floor: str) -> str:
        return (f"{times[name][0] / times[floor][0]:.2f}x, {times[name][1] / times[floor][1]:.2f}x"
                f", {peaks[name] / peaks[floor]:.2f}x")

    rows = [
        ("software", f"{platform.machine()}, Python {platform.python_version()}, "
                     f"pandas {pd.__version__}, numpy {np.__version__}"),
        ("long rows (respondent x indicator)", f"{len(long):,}"),
        ("waves x indicators x wijken", f"{len(WAVES)} x {INDICATORS} x "
                                        f"{STRATA * WIJKEN_PER_STRATUM}"),
        ("input table in memory", f"{long.memory_usage(deep=True).sum() / 2**30:.2f} GiB"),
        ("estimate_long vs floor, largest relative difference", f"{difference:.1e}"),
        ("domain_contrasts vs floor, largest relative difference", f"{contrast_difference:.1e}"),
        (f"floor pass (estimates), best of {args.runs}", line("floor")),
        (f"estimate_long, best of {args.runs}", line("engine")),
        (f"floor pass (contrasts), best of {args.runs}", line("floor_contrasts")),
        (f"domain_contrasts, best of {args.runs}", line("contrasts")),
        ("estimate_long / floor: time (wall, CPU), memory", ratio("engine", "floor")),
        ("domain_contrasts / floor: time (wall, CPU), memory",
         ratio("contrasts", "floor_contrasts")),
    ]
    if not args.no_loop:
        loop, n_domains = descrstats_loop(long, LOOP_DOMAINS)
        rows += [
            (f"DescrStatsW loop over {n_domains:,} domains (extrapolated)", f"{loop:.0f} s"),
            ("speed-up of estimate_long over the loop", f"{loop / times['engine'][0]:.0f}x"),
        ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
