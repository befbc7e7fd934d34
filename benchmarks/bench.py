"""Benchmark (``make bench``): median wall time and peak memory of the book build and the estimation battery.

Measures, on the machine it runs on:

* a clean build of the book (fresh output folder and execution cache) and a rebuild with no change,
  each the steps of ``make book``: the cache guard, the parallel pre-execution and ``jupyter-book build``;
* the estimation battery of Tables 3-10 (every column's point estimate and analytical standard
  errors, rendered beside the published values; no bootstrap) on the simulated panel at 1x, 10x
  and 100x its size (``simulate_panel(scale=...)``: 23,485 to 2,348,500 unit-years);
* the bootstraps at 1x (999-draw wild cluster bootstrap; 3 x 999-draw mediation bootstrap);
* the overhead of the estimation wrappers over the library calls they wrap, at 1x;
* the robustness chapter executed alone (a fresh kernel), at 1x.

Each book build and each battery run is a separate process; its peak memory is the largest resident
set of that process and its children (``os.wait4``). Times are medians over ``--repeat`` runs (the
100x battery and the clean build run ``--repeat-large`` times, default 1, because each takes minutes).

Usage::

    python benchmarks/bench.py                  # everything, prints a Markdown table
    python benchmarks/bench.py --skip-book --scales 1,10
    python benchmarks/bench.py --update-readme  # also rewrite the table in README.md

Targets (issue 7, a 2-core machine): clean build <= 45 s, no-change rebuild <= 8 s, battery <= 5 s
at 1x and <= 60 s with <= 4 GB at 100x, wrappers within 1.2x of the library calls; the robustness
chapter (issue 16) executes alone in <= 20 s at 1x.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
BASE_ROWS = 23_485


# --------------------------------------------------------------------------- child workloads


def _child_battery(scale: int) -> dict:
    """Simulate and build the panel at ``scale``, then run every table's estimation (no bootstrap)."""
    from aichain_utils import panel, replication, simulate, tables

    t0 = time.perf_counter()
    raw = simulate.simulate_panel(scale=scale).raw
    data = panel.build_analysis_panel(raw).data
    del raw
    t1 = time.perf_counter()
    per_table = {}
    runs = {
        3: lambda: replication.table3_columns(data, bootstrap_reps=0),
        4: lambda: replication.table4_columns(data),
        5: lambda: replication.table5_columns(data),
        6: lambda: replication.table6_columns(data, bootstrap_reps=0),
        7: lambda: replication.table7_columns(data),
        8: lambda: replication.table8_columns(data),
        9: lambda: replication.table9_columns(data),
        10: lambda: replication.table10_columns(data),
    }
    for number, run in runs.items():
        s = time.perf_counter()
        tables.render_table(number, run())
        per_table[number] = time.perf_counter() - s
    return {"rows": len(data), "panel_s": t1 - t0, "battery_s": time.perf_counter() - t1, "per_table": per_table}


def _child_bootstraps() -> dict:
    from aichain_utils import mediation, models, panel, simulate

    data = panel.build_analysis_panel(simulate.simulate_panel().raw).data
    t0 = time.perf_counter()
    models.wild_cluster_bootstrap(data)
    t1 = time.perf_counter()
    for m in ("FSIE", "ITSE_forward", "ITSE_backward"):
        mediation.bootstrap_indirect(data, m, reps=999)
    return {"wild_s": t1 - t0, "mediation_s": time.perf_counter() - t1}


def _median_time(fn, repeat: int) -> float:
    fn()  # warm-up: imports and caches are not what is measured
    runs = []
    for _ in range(repeat):
        s = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - s)
    return statistics.median(runs)


def _child_overhead(repeat: int) -> dict:
    """Each wrapper against the library calls that compute the same numbers, on the 1x panel."""
    import pandas as pd
    import statsmodels.api as sm
    from linearmodels import IV2SLS, PanelOLS

    from aichain_utils import models, panel, simulate
    from aichain_utils.models import CONTROLS

    data = panel.build_analysis_panel(simulate.simulate_panel().raw).data
    cols = ["ERL", "AIE", *CONTROLS]
    out = {}

    def fe_library():
        indexed = data.set_index(["unit_id", "year"])
        res = PanelOLS(indexed["ERL"], indexed[["AIE", *CONTROLS]], entity_effects=True, time_effects=True).fit(
            cov_type="robust"
        )
        return res.params["AIE"], res.std_errors["AIE"], res.rsquared_within

    out["two-way FE: fit_two_way_fe vs PanelOLS"] = (
        _median_time(lambda: models.fit_two_way_fe(data), repeat),
        _median_time(fe_library, repeat),
    )

    def pooled_library():
        X = pd.concat(
            [data[["AIE", *CONTROLS]], pd.get_dummies(data[["industry_id", "year"]].astype(str), drop_first=True)],
            axis=1,
        ).astype(float)
        res = sm.OLS(data["ERL"], sm.add_constant(X)).fit(cov_type="HC1")
        return res.params["AIE"], res.bse["AIE"], res.rsquared_adj

    out["pooled OLS with dummies: fit_pooled_ols vs statsmodels OLS"] = (
        _median_time(lambda: models.fit_pooled_ols(data, dummies=["industry_id", "year"]), repeat),
        _median_time(pooled_library, repeat),
    )

    def iv_library():
        # what fit_iv computes with library calls: 2SLS on the within-transformed data, the first stage,
        # KP LM and KP F (fit_iv adds the Anderson-Rubin set, which no library here provides)
        from linearmodels.iv.common import kleibergen_paap, kleibergen_paap_f

        dm = models.demean(data, [*cols, "IV2"], ["unit_id", "year"])
        res = IV2SLS(dm["ERL"], dm[CONTROLS], dm[["AIE"]], dm[["IV2"]]).fit(cov_type="robust", debiased=False)
        fs = sm.OLS(dm["AIE"], dm[["IV2", *CONTROLS]]).fit(cov_type="HC1")
        x, z, w = dm[["AIE"]].to_numpy(), dm[["IV2"]].to_numpy(), dm[CONTROLS].to_numpy()
        kp = kleibergen_paap(x, z, w, cov_type="robust")
        kpf = kleibergen_paap_f(x, z, w, cov_type="robust")
        return res.params["AIE"], fs.params["IV2"], kp, kpf

    out["2SLS (IV2): fit_iv vs IV2SLS + first stage + KP"] = (
        _median_time(lambda: models.fit_iv(data, "IV2"), repeat),
        _median_time(iv_library, repeat),
    )
    return {k: {"wrapper_s": w, "library_s": lib} for k, (w, lib) in out.items()}


# --------------------------------------------------------------------------- parent: run and measure


def _measure(cmd: list[str], cwd: Path = ROOT) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB (process and children) and stdout of one command."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(), err.read().decode()
    if code != 0:
        raise SystemExit(f"benchmark step failed ({code}): {' '.join(cmd)}\n{(text + errors)[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, text


def _child(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", *args]


def _book(repeat: int, repeat_large: int) -> list[dict]:
    """What ``make book`` runs (cache guard, parallel pre-execution, build), into a fresh folder."""
    bin_dir = Path(sys.executable).parent
    clean, rebuild = [], []
    for _ in range(repeat_large):
        out = Path(tempfile.mkdtemp(prefix="aichain-bench-"))
        build = out / "_build"
        steps = [
            [str(bin_dir / "python"), "tools/cache_guard.py", str(build)],
            [str(bin_dir / "python"), "tools/preexecute.py", str(build)],
            [str(bin_dir / "jupyter-book"), "build", ".", "--path-output", str(out), "-W", "--keep-going"],
        ]
        cmd = ["sh", "-c", " && ".join(shlex.join(step) for step in steps)]
        try:
            clean.append(_measure(cmd))
            for _ in range(repeat):
                rebuild.append(_measure(cmd))
        finally:
            shutil.rmtree(out, ignore_errors=True)
    return [
        _row("clean book build (fresh execution cache)", [c[0] for c in clean], max(c[1] for c in clean), 45, None),
        _row("book rebuild, no change", [r[0] for r in rebuild], max(r[1] for r in rebuild), 8, None),
    ]


def _chapter(repeat: int, name: str = "robustness") -> dict:
    """Execute one chapter's notebook from scratch (a fresh kernel, no cache), as the book build does."""
    bin_dir = Path(sys.executable).parent
    times, peaks = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="aichain-bench-") as tmp:
            cmd = [str(bin_dir / "jupytext"), "--to", "notebook", "--execute", f"chapters/{name}.md", "-o",
                   str(Path(tmp) / f"{name}.ipynb")]  # fmt: skip
            elapsed, peak, _ = _measure(cmd)
            times.append(elapsed)
            peaks.append(peak)
    return _row(f"{name} chapter, executed alone, 1x", times, max(peaks), 20, None)


def _row(name, times, peak_mb, target_s, target_mb, note=""):
    med = statistics.median(times)
    met = med <= target_s and (target_mb is None or peak_mb <= target_mb)
    target = f"<= {target_s:g} s" + (f", <= {target_mb / 1024:g} GB" if target_mb else "")
    return {"step": name, "median_s": med, "runs": len(times), "peak_mb": peak_mb, "target": target, "met": met,
            "note": note, "target_s": target_s, "target_mb": target_mb}  # fmt: skip


def _fmt_misses(rows: list[dict], over: dict) -> str:
    """One line per missed target: by how much."""
    lines = []
    for r in rows:
        if r["met"] is False:
            parts = []
            if r["median_s"] > r["target_s"]:
                parts.append(
                    f"{r['median_s']:.1f} s against {r['target_s']:g} s "
                    f"({r['median_s'] / r['target_s']:.1f}x the target)"
                )
            if r["target_mb"] and r["peak_mb"] > r["target_mb"]:
                parts.append(
                    f"{r['peak_mb'] / 1024:.1f} GB against {r['target_mb'] / 1024:g} GB "
                    f"({r['peak_mb'] / r['target_mb']:.1f}x the target)"
                )
            lines.append(f"- Missed: {r['step']}: " + "; ".join(parts) + ".")
    for name, v in over.items():
        ratio = v["wrapper_s"] / v["library_s"]
        if ratio > 1.2:
            lines.append(f"- Missed: {name}: {ratio:.2f}x against 1.2x.")
    return "\n".join(lines) if lines else "Every target is met."


def _battery(scales: list[int], repeat: int, repeat_large: int) -> tuple[list[dict], dict]:
    rows, detail = [], {}
    targets = {1: (5, None), 100: (60, 4096)}
    for scale in scales:
        n = repeat if scale < 100 else repeat_large
        runs = []
        for _ in range(n):
            _, peak, text = _measure(_child("battery", str(scale)))
            runs.append((json.loads(text.strip().splitlines()[-1]), peak))
        res = [r[0] for r in runs]
        detail[scale] = res[len(res) // 2]
        t_s, t_mb = targets.get(scale, (None, None))
        name = f"battery, Tables 3-10, {scale}x ({res[0]['rows']:,} rows)"
        row = _row(name, [r["battery_s"] for r in res], max(r[1] for r in runs), t_s or float("inf"), t_mb)
        row["note"] = f"simulating and building the panel: {statistics.median(r['panel_s'] for r in res):.1f} s more"
        if t_s is None:
            row["target"], row["met"] = "none", None
        rows.append(row)
    return rows, detail


def _fmt_table(rows: list[dict]) -> str:
    lines = ["| step | median wall time | runs | peak memory | target | met |", "| --- " * 6 + "|"]
    for r in rows:
        met = {True: "yes", False: "**no**", None: "-"}[r["met"]]
        peak = f"{r['peak_mb']:,.0f} MB" if r["peak_mb"] is not None else "-"
        lines.append(f"| {r['step']} | {r['median_s']:.2f} s | {r['runs']} | {peak} | {r['target']} | {met} |")
    return "\n".join(lines)


def _fmt_overhead(over: dict) -> str:
    lines = ["| wrapper vs library | wrapper | library | ratio | target | met |", "| --- " * 6 + "|"]
    for name, v in over.items():
        ratio = v["wrapper_s"] / v["library_s"]
        met = "yes" if ratio <= 1.2 else "**no**"
        lines.append(f"| {name} | {v['wrapper_s']:.3f} s | {v['library_s']:.3f} s | {ratio:.2f}x | <= 1.2x | {met} |")
    return "\n".join(lines)


def _fmt_per_table(detail: dict) -> str:
    scales = sorted(detail)
    head = "| table | " + " | ".join(f"{s}x" for s in scales) + " |"
    lines = [head, "| --- |" + " --- |" * len(scales)]
    for t in detail[scales[0]]["per_table"]:
        lines.append(f"| Table {t} | " + " | ".join(f"{detail[s]['per_table'][t]:.2f} s" for s in scales) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per quick measurement (median)")
    parser.add_argument("--repeat-large", type=int, default=1, help="runs of the clean build and the 100x battery")
    parser.add_argument("--scales", default="1,10,100", help="panel sizes for the battery, comma-separated")
    parser.add_argument("--skip-book", action="store_true", help="do not time the book builds")
    parser.add_argument("--update-readme", action="store_true", help="write the tables into README.md")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind = args.child[0]
        if kind == "battery":
            print(json.dumps(_child_battery(int(args.child[1]))))
        elif kind == "bootstraps":
            print(json.dumps(_child_bootstraps()))
        elif kind == "overhead":
            print(json.dumps(_child_overhead(int(args.child[1]))))
        return 0

    rows = [] if args.skip_book else _book(args.repeat, args.repeat_large)
    battery_rows, detail = _battery([int(s) for s in args.scales.split(",")], args.repeat, args.repeat_large)
    rows += battery_rows
    rows.append(_chapter(args.repeat))
    _, peak, text = _measure(_child("bootstraps"))
    boot = json.loads(text.strip().splitlines()[-1])
    rows.append(_row("wild cluster bootstrap, 999 draws, 1x", [boot["wild_s"]], peak, float("inf"), None))
    rows.append(_row("mediation bootstrap, 3 x 999 draws, 1x", [boot["mediation_s"]], peak, float("inf"), None))
    for r in rows[-2:]:
        r["target"], r["met"] = "none", None
    _, _, text = _measure(_child("overhead", str(max(args.repeat, 5))))
    over = json.loads(text.strip().splitlines()[-1])

    cpu = os.cpu_count()
    header = (
        f"Measured {time.strftime('%Y-%m-%d')} by `make bench` on {cpu} CPU cores, Python "
        f"{platform.python_version()}, {platform.machine()}. Peak memory: the largest resident set of the "
        "measured process and its children."
    )
    report = "\n\n".join(
        [header, _fmt_table(rows), _fmt_misses(rows, over), _fmt_per_table(detail), _fmt_overhead(over)]
    )
    print(report)
    if args.update_readme:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        if README_START not in text or README_END not in text:
            raise SystemExit(f"README.md has no {README_START} ... {README_END} block to update")
        before, rest = text.split(README_START, 1)
        _, after = rest.split(README_END, 1)
        readme.write_text(f"{before}{README_START}\n{report}\n{README_END}{after}", encoding="utf-8")
        print("README.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
