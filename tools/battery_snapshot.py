"""Run the estimation battery of Tables 3-10 on the simulated panel and print or store its numbers.

Usage:
  python tools/battery_snapshot.py            # print every number of every table (CSV) to stdout
  python tools/battery_snapshot.py --write-expected
                                              # refresh data/expected/key_results.csv

The printed output is what the determinism test compares byte for byte between two processes;
``data/expected/key_results.csv`` is the committed snapshot of key results checked by ``make test``.
"""

from __future__ import annotations

import io
import sys

import pandas as pd

from aichain_utils.inputs import panel
from aichain_utils.paths import data_dir
from aichain_utils.replication import columns as replication
from aichain_utils.report import tables
from aichain_utils.simulation import simulate

#: Bootstrap draws used by the snapshot (the chapters use 999; fewer keeps the test fast).
SNAPSHOT_REPS = 199


def all_tables() -> dict[int, pd.DataFrame]:
    """Tidy results of Tables 3-10 on the default simulated panel."""
    d = panel.build_analysis_panel(simulate.simulate_panel().raw).data
    cols = {
        3: replication.table3_columns(d, bootstrap_reps=SNAPSHOT_REPS),
        4: replication.table4_columns(d),
        5: replication.table5_columns(d),
        6: replication.table6_columns(d, bootstrap_reps=SNAPSHOT_REPS),
        7: replication.table7_columns(d),
        8: replication.table8_columns(d),
        9: replication.table9_columns(d),
        10: replication.table10_columns(d),
    }
    return {t: tables.render_table(t, c).tidy for t, c in cols.items()}


def key_results(frames: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """Coefficient, SE and N of every column, with tolerances for the expected-results check."""
    rows = []
    for t, f in frames.items():
        for _, r in f.iterrows():
            rows.append(
                {"table": t, "column": int(r["column"]), "statistic": "coef", "value": r["coef"], "tolerance": 1e-6}
            )
            rows.append(
                {"table": t, "column": int(r["column"]), "statistic": "se", "value": r["se"], "tolerance": 1e-6}
            )
            rows.append(
                {"table": t, "column": int(r["column"]), "statistic": "n", "value": float(r["n"]), "tolerance": 0.0}
            )
    return pd.DataFrame(rows)


def main(argv: list[str]) -> int:
    frames = all_tables()
    if "--write-expected" in argv:
        folder = data_dir() / "expected"
        folder.mkdir(exist_ok=True)
        key_results(frames).to_csv(folder / "key_results.csv", index=False, float_format="%.12g")
        return 0
    buf = io.StringIO()
    for t, f in frames.items():
        buf.write(f"# table {t}\n")
        f.to_csv(buf, index=False, float_format="%.17g")
    sys.stdout.write(buf.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
