"""Benchmark: wall time of the Table 3-5 battery on the simulated panel (in-process).

Usage: ``.venv/bin/python benchmarks/bench_tables.py [--repeat N]``. Prints the median of N runs
(default 5) of: building the panel, the battery without the wild bootstrap, the 999-draw wild
cluster bootstrap alone, the battery with it, Tables 6-10 and the three mediation bootstraps.
Targets: Tables 3-5 <= 3 s; Tables 6-10 <= 2 s; the 999-draw mediation bootstrap <= 60 s.
"""

from __future__ import annotations

import argparse
import statistics
import time

from aichain_utils import mediation, models, panel, replication, simulate


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def tables_6_to_10(data) -> None:
    replication.table6_columns(data, bootstrap_reps=0)
    replication.table7_columns(data)
    replication.table8_columns(data)
    replication.table9_columns(data)
    replication.table10_columns(data)


def mediation_bootstraps(data) -> None:
    for m in ("FSIE", "ITSE_forward", "ITSE_backward"):
        mediation.bootstrap_indirect(data, m, reps=999)


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
        ("Tables 6-10, no bootstrap", _time(lambda: tables_6_to_10(data), args.repeat)),
        ("mediation bootstrap, 3 x 999 draws", _time(lambda: mediation_bootstraps(data), 1)),
    ]
    print(f"rows: {len(data):,}; median of {args.repeat} runs")
    for name, sec in rows:
        print(f"{name:40s} {sec:6.2f} s")


if __name__ == "__main__":
    main()
