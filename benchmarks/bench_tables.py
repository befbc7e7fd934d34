"""Benchmark: wall time of the Table 3-5 battery on the simulated panel (in-process).

Usage: ``.venv/bin/python benchmarks/bench_tables.py [--repeat N]``. Prints the median of N runs
(default 5) of: building the panel, the battery without the wild bootstrap, the 999-draw wild
cluster bootstrap alone, and the battery with it. Targets (issue: Tables 3-5 in <= 3 s).
"""

from __future__ import annotations

import argparse
import statistics
import time

from aichain_utils import models, panel, replication, simulate


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    raw = simulate.simulate_panel().raw
    data = panel.build_analysis_panel(raw).data
    rows = [
        (
            "simulate + build the panel",
            _time(lambda: panel.build_analysis_panel(simulate.simulate_panel().raw), args.repeat),
        ),
        ("Tables 3-5, no bootstrap", _time(lambda: replication.battery(data, bootstrap_reps=0), args.repeat)),
        (
            "wild cluster bootstrap, 999 draws",
            _time(lambda: models.wild_cluster_bootstrap(data), args.repeat),
        ),
        ("Tables 3-5 with the bootstrap", _time(lambda: replication.battery(data), args.repeat)),
    ]
    print(f"rows: {len(data):,}; median of {args.repeat} runs")
    for name, sec in rows:
        print(f"{name:40s} {sec:6.2f} s")


if __name__ == "__main__":
    main()
