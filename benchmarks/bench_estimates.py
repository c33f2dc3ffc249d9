"""Speed and memory of `survey.estimate_long` at national scale (not part of the test suite).

Synthetic data, seeded: 8 waves x 250,000 respondents, 40 indicators (20 proportions 0/1, 20
scores 0-10), about 10% missing per indicator and dropped (as the cleaning stage does), 400
sampling strata per wave, 1,600 wijken nested in the strata (4 per stratum) as domains,
lognormal sampling weights. `estimate_long` runs once over all indicators x waves x wijken.

Baseline: a straightforward loop over the same domains with statsmodels `DescrStatsW`
(frequency-weight SEs, so the wrong numbers, only a speed yardstick). The grouping is timed once,
the loop on the first LOOP_DOMAINS domains and extrapolated linearly to all domains.

Run: .venv/bin/python benchmarks/bench_estimates.py  (about 1 minute on 2 cores, ~9 GB peak RSS)
"""

from __future__ import annotations

import platform
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd
from statsmodels.stats.weightstats import DescrStatsW

from ivb_analysis.survey import estimate_long

SEED = 20240601
WAVES = tuple(range(2012, 2027, 2))
RESPONDENTS = 250_000
INDICATORS = 40
STRATA = 400
WIJKEN_PER_STRATUM = 4
MISSING = 0.10
LOOP_DOMAINS = 2_000


def synthetic_long(rng: np.random.Generator) -> pd.DataFrame:
    """One row per (respondent, indicator) with a value, like the cleaning stage's output."""
    frames = []
    names = pd.CategoricalDtype([f"ind{i:02d}" for i in range(INDICATORS)])
    for year in WAVES:
        wijk = rng.integers(0, STRATA * WIJKEN_PER_STRATUM, RESPONDENTS).astype(np.int16)
        stratum = (wijk // WIJKEN_PER_STRATUM).astype(np.int16)
        weight = rng.lognormal(0.0, 0.5, RESPONDENTS)
        effect = rng.normal(0, 0.3, STRATA * WIJKEN_PER_STRATUM)[wijk]
        for i in range(INDICATORS):
            if i % 2:
                value = (rng.random(RESPONDENTS) < 1 / (1 + np.exp(1.5 - effect))).astype(float)
            else:
                value = np.clip(rng.normal(6.5 + effect, 1.5), 0, 10)
            keep = rng.random(RESPONDENTS) >= MISSING
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


def run_estimates(long: pd.DataFrame) -> pd.DataFrame:
    return estimate_long(long, weight="weight", strata="stratum", by="wijk")


def descrstats_loop(long: pd.DataFrame, limit: int) -> tuple[float, float, int]:
    """DescrStatsW per domain: seconds for grouping, for the first `limit` domains; #domains."""
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
    return setup, time.perf_counter() - start, n_domains


def main() -> None:
    start = time.perf_counter()
    long = synthetic_long(np.random.default_rng(SEED))
    build = time.perf_counter() - start
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    start = time.perf_counter()
    result = run_estimates(long)
    wall = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    tracemalloc.start()
    run_estimates(long)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    setup, loop_seconds, n_domains = descrstats_loop(long, LOOP_DOMAINS)
    loop_total = setup + loop_seconds / LOOP_DOMAINS * n_domains

    rows = [
        ("software", f"{platform.machine()}, Python {platform.python_version()}, "
                     f"pandas {pd.__version__}, numpy {np.__version__}"),
        ("long rows (respondent x indicator)", f"{len(long):,}"),
        ("waves x indicators x wijken", f"{len(WAVES)} x {INDICATORS} x "
                                        f"{STRATA * WIJKEN_PER_STRATUM}"),
        ("domains estimated", f"{len(result):,}"),
        ("input table in memory", f"{long.memory_usage(deep=True).sum() / 2**30:.2f} GiB"),
        ("building synthetic data", f"{build:.1f} s"),
        ("estimate_long wall time", f"{wall:.1f} s"),
        ("estimate_long peak allocation (tracemalloc)", f"{traced_peak / 2**30:.2f} GiB"),
        ("process peak RSS before / after", f"{rss_before:.2f} / {rss_after:.2f} GiB"),
        ("DescrStatsW loop, grouping", f"{setup:.1f} s"),
        (f"DescrStatsW loop, first {LOOP_DOMAINS:,} domains", f"{loop_seconds:.1f} s"),
        ("DescrStatsW loop, extrapolated to all domains", f"{loop_total:.0f} s"),
        ("speed-up of estimate_long", f"{loop_total / wall:.0f}x"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
