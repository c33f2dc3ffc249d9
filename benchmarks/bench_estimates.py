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

Also: `domain_contrasts` (each wijk against the rest) and, as a yardstick, a per-domain loop of
statsmodels `DescrStatsW` (frequency-weight SEs, so the wrong numbers; timed on the first
LOOP_DOMAINS domains and extrapolated).

Run: .venv/bin/python benchmarks/bench_estimates.py [--scale 0.5] [--runs 5] [--no-loop]
(full scale: about 3 GB input, 6 GB peak RSS, 2-3 minutes on 2 cores).
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
    times = best_times({"floor": lambda: floor_pass(long), "engine": lambda: engine(long),
                        "contrasts": lambda: contrasts(long)}, args.runs)
    m_floor = peak_memory(lambda: floor_pass(long))
    m_engine = peak_memory(lambda: engine(long))
    m_contrasts = peak_memory(lambda: contrasts(long))
    (w_floor, c_floor), (w_engine, c_engine), (w_contrasts, c_contrasts) = (
        times["floor"], times["engine"], times["contrasts"])

    def line(wall: float, cpu: float, peak: float) -> str:
        return f"{wall:.2f} s wall, {cpu:.2f} s CPU, peak {peak / 2**30:.2f} GiB"

    rows = [
        ("software", f"{platform.machine()}, Python {platform.python_version()}, "
                     f"pandas {pd.__version__}, numpy {np.__version__}"),
        ("long rows (respondent x indicator)", f"{len(long):,}"),
        ("waves x indicators x wijken", f"{len(WAVES)} x {INDICATORS} x "
                                        f"{STRATA * WIJKEN_PER_STRATUM}"),
        ("input table in memory", f"{long.memory_usage(deep=True).sum() / 2**30:.2f} GiB"),
        ("engine vs floor, largest relative difference", f"{difference:.1e}"),
        (f"floor pass, best of {args.runs}", line(w_floor, c_floor, m_floor)),
        (f"estimate_long, best of {args.runs}", line(w_engine, c_engine, m_engine)),
        (f"domain_contrasts, best of {args.runs}", line(w_contrasts, c_contrasts, m_contrasts)),
        ("estimate_long / floor: time (wall, CPU), memory",
         f"{w_engine / w_floor:.2f}x, {c_engine / c_floor:.2f}x, {m_engine / m_floor:.2f}x"),
        ("domain_contrasts / floor: time (wall, CPU), memory",
         f"{w_contrasts / w_floor:.2f}x, {c_contrasts / c_floor:.2f}x, "
         f"{m_contrasts / m_floor:.2f}x"),
    ]
    if not args.no_loop:
        loop, n_domains = descrstats_loop(long, LOOP_DOMAINS)
        rows += [
            (f"DescrStatsW loop over {n_domains:,} domains (extrapolated)", f"{loop:.0f} s"),
            ("speed-up of estimate_long over the loop", f"{loop / w_engine:.0f}x"),
        ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
