"""Benchmark (``make bench``): median wall time and peak memory of the book build and the estimation battery.

Measures, on the machine it runs on:

* a clean build of the book (fresh output folder and execution cache) and a rebuild with no change,
  each the steps of ``make book``: the cache guard, the parallel pre-execution and ``jupyter-book build``;
* the estimation battery of Tables 3-10 (every column's point estimate and analytical standard
  errors, rendered beside the published values; no bootstrap; one BLAS thread) on the simulated panel at 1x, 10x
  and 100x its size (``simulate_panel(scale=...)``: 23,485 to 2,348,500 unit-years);
* the bootstraps at 1x (999-draw wild cluster bootstrap; 3 x 999-draw mediation bootstrap);
* the overhead of the estimation wrappers over the library calls they wrap, at 1x;
* at each scale, the book's fit of the main regression (Table 3 column 6: ERL on AIE and the controls,
  unit and year effects, robust SEs with unit- and industry-clustered SEs beside) against pyfixest's
  ``feols`` on the identical regression, and the growth of every cost from the smallest to the largest
  scale (time multiple and elasticity in rows: 1.00 is linear);
* the Monte Carlo (``aichain_utils.replication.lab.monte_carlo``): ``--mc-reps`` lab replications on every local
  core, and the one-core cost of one replication of the lab estimators and of the whole battery, from
  which the README's Scaling block projects 10,000 replications on N cores.
* the robustness chapter executed alone (a fresh kernel), at 1x;
* ``make check-data`` on a replicator's big file: the finished variables of the simulated panel at 100x
  (2,348,500 rows) written as a CSV (not timed), then checked by ``tools/check_data.py`` (issue 27:
  <= 30 s and <= 2 GB);
* ``make test``: not run here (it takes longer than everything above together); its row is the record
  its last run wrote (``_build/test-logs/phase-times.json``, ``.ci/phases.py``, or ``--test-record``),
  with when it finished, on which commit and at what load (issue 27: <= 10 minutes).

Each book build and each battery run is a separate process; its peak memory is the largest resident
set of that process and its children (``os.wait4``; for the battery, the child's own peak taken before
its pyfixest comparison). Times are medians over ``--repeat`` runs (the 100x battery and the clean
build run ``--repeat-large`` times, default 1, because each takes minutes).

Usage::

    python benchmarks/bench.py                  # everything, prints Markdown tables
    python benchmarks/bench.py --skip-book --scales 1,10 --mc-reps 0
    python benchmarks/bench.py --update-readme  # also rewrite the bench and scaling blocks of README.md

A run that skips a part rewrites the README's bench block only with ``--partial`` (the scaling block is
written whenever the Monte Carlo was measured).

Targets (issues 17 and 27, a 2-core machine): clean build <= 30 s, no-change rebuild <= 3 s; battery
<= 1 s at 1x, <= 6 s at 10x, at 100x <= 10 pyfixest fits of the main regression (timed in the same process)
and <= 3 GB, growing linearly in rows; the FE fit within 1.0x of pyfixest at 100x; wrappers within 1.2x of
the library calls; 1,000 lab replications <= 3 min; the robustness chapter (issue 16) executes alone in
<= 20 s at 1x.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
SCALING_START, SCALING_END = "<!-- scaling:start -->", "<!-- scaling:end -->"
BASE_ROWS = 23_485


# --------------------------------------------------------------------------- child workloads


def _child_battery(scale: int) -> dict:
    """Simulate and build the panel at ``scale``, then run every table's estimation (no bootstrap).

    One BLAS thread (``threadpoolctl``): the regressions' products are tall and narrow, and extra BLAS
    threads only contend for the cores (measured: several times the CPU time on a shared 2-core machine).
    """
    from threadpoolctl import threadpool_limits

    from aichain_utils.econometrics.cache import sharing
    from aichain_utils.inputs import panel
    from aichain_utils.replication import columns as replication
    from aichain_utils.report import tables
    from aichain_utils.simulation import simulate

    threadpool_limits(1)

    t0 = time.perf_counter()
    raw = simulate.simulate_panel(scale=scale).raw
    data = panel.build_analysis_panel(raw).data
    del raw
    gc.collect()
    _reset_peak()
    t1, c1 = time.perf_counter(), time.process_time()
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
    with sharing():  # one validation and one demeaning per (sample, effects), shared by the tables
        for number, run in runs.items():
            s = time.perf_counter()
            tables.render_table(number, run())
            per_table[number] = time.perf_counter() - s
    battery_s, battery_cpu_s = time.perf_counter() - t1, time.process_time() - c1
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the comparison below
    return {"rows": len(data), "panel_s": t1 - t0, "battery_s": battery_s, "cpu_s": battery_cpu_s,
            "per_table": per_table, "peak_mb": peak_mb, "battery_peak_mb": _peak_since_reset(),
            "feols": _feols_comparison(data)}  # fmt: skip


def _reset_peak() -> None:
    """Reset this process's peak resident set (Linux ``clear_refs``), so the battery's own peak can be read."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_since_reset() -> float | None:
    """Peak resident set (MB) since :func:`_reset_peak` (Linux ``VmHWM``); ``None`` where it cannot be read.

    The process's overall peak (``ru_maxrss``) is set by simulating and building the panel at 100x, not by
    the battery that follows; this is the battery's own (the panel it reads included).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _feols_comparison(data) -> dict:
    """Table 3 column (6), equation (1), as the book fits it against pyfixest ``feols`` on the same panel.

    The book's fit: ERL on AIE and the controls, unit and year effects, robust (HC1) SEs with SEs
    clustered by unit and by industry beside (``fit_two_way_fe(..., also_cov=...)``, as
    ``replication.table3_columns`` calls it). pyfixest: the same regression absorbed by its demeaning,
    the same three covariance matrices (``hetero``, then CRV1 by unit and by industry from the one fit).
    Each timed once after a warm-up (compilation, caches). The coefficient and the robust SE agree to
    rounding; the clustered SEs differ by the small-sample factor only (linearmodels' convention, which
    the book follows, against pyfixest's default ``ssc``), which does not change the cost of the fit.
    """
    import pyfixest as pf

    from aichain_utils.replication import models
    from aichain_utils.replication.models import CONTROLS

    frame = data[["ERL", "AIE", *CONTROLS, "unit_id", "year", "industry_id"]].dropna()
    formula = "ERL ~ AIE + " + " + ".join(CONTROLS) + " | unit_id + year"

    def ours():
        return models.fit_two_way_fe(data, also_cov=("cluster_unit", "cluster_industry"))

    def theirs():
        fit = pf.feols(formula, data=frame, vcov="hetero")
        se = [fit.se()["AIE"]]
        for cluster in ("unit_id", "industry_id"):
            se.append(fit.vcov({"CRV1": cluster}).se()["AIE"])
        return fit.coef()["AIE"], se

    ours()
    theirs()
    s = time.perf_counter()
    est = ours()
    ours_s = time.perf_counter() - s
    s = time.perf_counter()
    coef, ses = theirs()
    feols_s = time.perf_counter() - s
    return {"ours_s": ours_s, "feols_s": feols_s, "coef_diff": abs(est.coef - coef), "se_feols": ses,
            "se_ours": [est.se, est.extra.get("se_cluster_unit"), est.extra.get("se_cluster_industry")]}  # fmt: skip


def _child_bootstraps() -> dict:
    from aichain_utils.inputs import panel
    from aichain_utils.replication import mediation, models
    from aichain_utils.simulation import simulate

    data = panel.build_analysis_panel(simulate.simulate_panel().raw).data
    t0 = time.perf_counter()
    models.wild_cluster_bootstrap(data)
    t1 = time.perf_counter()
    for m in ("FSIE", "ITSE_forward", "ITSE_backward"):
        mediation.bootstrap_indirect(data, m, reps=999)
    return {"wild_s": t1 - t0, "mediation_s": time.perf_counter() - t1}


def _child_montecarlo(lab_reps: int, battery_reps: int, jobs: int) -> dict:
    """Monte Carlo cost: ``lab_reps`` lab replications on ``jobs`` local processes (wall time, after a
    warm-up run that starts the worker pool), and the single-core cost of one replication of the lab
    estimators and of the whole Tables 3-10 battery (the median over a few replications)."""
    from threadpoolctl import threadpool_limits

    from aichain_utils.replication import lab

    lab.monte_carlo(reps=jobs, first_seed=999, n_jobs=jobs)  # starts and warms the worker pool
    s = time.perf_counter()
    frame = lab.monte_carlo(reps=lab_reps, first_seed=1, n_jobs=jobs, chunk_size=max(lab_reps // 4, 1))
    lab_wall = time.perf_counter() - s
    params = lab.scenario_params("baseline")
    one = {}
    for what, reps in (("lab", 3), ("battery", battery_reps)):
        lab.run_replication(params, 1, 0, what=what)  # warm-up (imports, first-call costs)
        times, cpu, failed = [], [], 0
        for r in range(1, reps + 1):
            s, c = time.perf_counter(), time.process_time()
            with threadpool_limits(1):  # one core, as each joblib worker process is given
                rows = lab.run_replication(params, 1, r, what=what)
            times.append(time.perf_counter() - s)
            cpu.append(time.process_time() - c)
            failed += any(row["error"] for row in rows)
        one[what] = {"per_rep_s": statistics.median(times), "cpu_s": statistics.median(cpu), "reps": reps,
                     "failed": failed, "rows": len(rows)}  # fmt: skip
    return {"lab_reps": lab_reps, "jobs": jobs, "lab_wall_s": lab_wall,
            "lab_failed": int(frame.loc[frame["error"] != "", "replication"].nunique()), "one_core": one}  # fmt: skip


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

    from aichain_utils.inputs import panel
    from aichain_utils.replication import models
    from aichain_utils.replication.models import CONTROLS
    from aichain_utils.simulation import simulate

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


#: CPU seconds (user + system, the process and the children it waited for) of the last :func:`_measure`.
LAST_CPU_S = [0.0]


def _measure(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB (process and children) and stdout of one command (CPU: ``LAST_CPU_S``)."""
    env = dict(os.environ, PYTHONHASHSEED="0", **(env or {}))
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        LAST_CPU_S[0] = usage.ru_utime + usage.ru_stime
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(), err.read().decode()
    if code != 0:
        raise SystemExit(f"benchmark step failed ({code}): {' '.join(cmd)}\n{(text + errors)[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, text


def _child(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", *args]


def _book(repeat: int, repeat_large: int) -> tuple[list[dict], dict[str, float]]:
    """What ``make book`` runs (``tools/build_book.py``: the data check, the cache guard, the parallel
    pre-execution, the build), into a fresh folder: a clean build, then no-change rebuilds (also one
    run from another folder, as ``make -C`` does). Also returns each chapter's execution time in the
    clean build, as jupyter-cache recorded it."""
    bin_dir = Path(sys.executable).parent
    clean, rebuild, elsewhere, chapters = [], [], [], {}
    for _ in range(repeat_large):
        out = Path(tempfile.mkdtemp(prefix="aichain-bench-"))
        build = out / "_build"
        cmd = [str(bin_dir / "python"), str(ROOT / "tools" / "build_book.py"), str(build), "--", "-W", "--keep-going"]
        try:
            clean.append((*_measure(cmd), LAST_CPU_S[0]))
            chapters = _chapter_times(build)
            for _ in range(repeat):
                rebuild.append((*_measure(cmd), LAST_CPU_S[0]))
            elsewhere.append((*_measure(cmd, cwd=out, env={"AICHAIN_CWD": str(out)}), LAST_CPU_S[0]))
        finally:
            shutil.rmtree(out, ignore_errors=True)
    rows = [
        _row("clean book build (fresh execution cache)", [c[0] for c in clean], max(c[1] for c in clean), 30, None),
        _row("book rebuild, no change", [r[0] for r in rebuild], max(r[1] for r in rebuild), 3, None),
    ]
    other_folder = "book rebuild, no change, run from another folder (make -C)"
    rows.append(_row(other_folder, [r[0] for r in elsewhere], max(r[1] for r in elsewhere), 3, None))
    for row, runs in zip(rows, (clean, rebuild, elsewhere), strict=True):
        row["cpu_s"] = statistics.median(r[3] for r in runs)
    return rows, chapters


def _chapter_times(build: Path) -> dict[str, float]:
    """Each notebook's execution time (seconds) as jupyter-cache recorded it in ``build``."""
    from jupyter_cache import get_cache

    times = {}
    for record in get_cache(build / ".jupyter_cache").list_cache_records():
        seconds = (record.data or {}).get("execution_seconds")
        if seconds is not None:
            times[str(Path(record.uri).relative_to(ROOT)) if record.uri.startswith(str(ROOT)) else record.uri] = seconds
    return times


def _fmt_chapters(chapters: dict[str, float]) -> str:
    """Each chapter's execution time in the clean build (two kernels at a time, as ``make book`` runs them)."""
    lines = [
        "Each chapter's execution in the clean build (jupyter-cache's record; two kernels run at a time):",
        "",
        "| chapter | execution time |",
        "| --- | --- |",
    ]
    for name, seconds in sorted(chapters.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {seconds:.1f} s |")
    lines.append(f"| sum over the chapters (wall time of each kernel) | {sum(chapters.values()):.1f} s |")
    return "\n".join(lines)


def _chapter(repeat: int, name: str = "robustness") -> dict:
    """Execute one chapter's notebook from scratch (a fresh kernel, no cache, in its own folder as the
    book build runs it), on the simulated panel at 1x (the default data). Wall time is the target; the
    note adds the CPU time of jupytext and its kernel (which a busy machine inflates less than the wall
    time) and the load average before the first run."""
    bin_dir = Path(sys.executable).parent
    times, peaks, cpu = [], [], []
    load = os.getloadavg()[0]
    env_data = os.environ.get("AICHAIN_DATA")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="aichain-bench-") as tmp:
            cmd = [str(bin_dir / "jupytext"), "--to", "notebook", "--execute", "--run-path", str(ROOT / "chapters"),
                   f"chapters/{name}.md", "-o", str(Path(tmp) / f"{name}.ipynb")]  # fmt: skip
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            elapsed, peak, _ = _measure(cmd)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            times.append(elapsed)
            peaks.append(peak)
    data = f"data {env_data}" if env_data else "simulated panel at 1x"
    note = (f"{data}; CPU time {statistics.median(cpu):.1f} s (jupytext and its kernel); "
            f"{os.cpu_count()} cores, load average {load:.1f} before the first run")  # fmt: skip
    # the table prints no notes: the CPU time and the load go into the step's name
    row = _row(f"{name} chapter, executed alone, 1x ({note})", times, max(peaks), 20, None, note)
    row["cpu_s"] = statistics.median(cpu)
    return row


def _child_bigfile(scale: int) -> dict:
    """Write the finished variables of the simulated panel at ``scale`` as a replicator's CSV (the analysis
    template's columns, six decimals). Kept in the temporary folder between runs: the timing needs a
    valid file of that size, not the newest simulation (delete it to write it again)."""
    from aichain_utils.inputs import schema
    from aichain_utils.inputs.panel import build_analysis_panel
    from aichain_utils.simulation.simulate import simulate_panel

    path = Path(tempfile.gettempdir()) / f"aichain-bench-finished-{scale}x.csv"
    if not path.is_file():
        data = build_analysis_panel(simulate_panel(scale=scale).raw).data
        out = data[[v.name for v in schema.ANALYSIS_VARIABLES if v.name in data.columns]].copy()
        floats = out.select_dtypes("float").columns
        out[floats] = out[floats].round(6)
        tmp = path.with_suffix(".tmp")
        out.to_csv(tmp, index=False)
        tmp.replace(path)
    return {"path": str(path), "rows": int(sum(1 for _ in path.open("rb")) - 1)}


def _big_file(repeat: int, scale: int = 100) -> dict:
    """``tools/check_data.py`` on the CSV of :func:`_child_bigfile`: wall time, peak memory, CPU."""
    bin_dir = Path(sys.executable).parent
    _, _, text = _measure(_child("bigfile", str(scale)))
    made = json.loads(text.strip().splitlines()[-1])
    times, peaks, cpu = [], [], []
    for _ in range(repeat):
        elapsed, peak, _ = _measure([str(bin_dir / "python"), str(ROOT / "tools" / "check_data.py")],
                                    env={"AICHAIN_DATA": made["path"]})  # fmt: skip
        times.append(elapsed)
        peaks.append(peak)
        cpu.append(LAST_CPU_S[0])
    name = f"make check-data, finished CSV of {made['rows']:,} rows ({scale}x; CPU {statistics.median(cpu):.1f} s)"
    return _row(name, times, max(peaks), 30, 2048)


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
    # issue 27: <= 1 s at 1x, <= 6 s at 10x; at 100x <= 10 pyfixest fits of the main regression (timed in the
    # same process, so on the same load) and <= 3 GB
    targets = {1: (1, None), 10: (6, None), 100: (None, 3072)}
    for scale in scales:
        n = repeat if scale < 100 else repeat_large
        runs = []
        for _ in range(n):
            _, peak, text = _measure(_child("battery", str(scale)))
            runs.append((json.loads(text.strip().splitlines()[-1]), peak))
        res = [r[0] for r in runs]
        detail[scale] = res[len(res) // 2]
        t_s, t_mb = targets.get(scale, (None, None))
        if scale == 100:
            t_s = 10 * statistics.median(r["feols"]["feols_s"] for r in res)
        name = f"battery, Tables 3-10, {scale}x ({res[0]['rows']:,} rows)"
        # peak: the battery's own (the panel it reads included; simulating and building the panel peak higher
        # at 100x and are not the battery), before its pyfixest comparison (which is not part of the battery)
        peak = max(r.get("battery_peak_mb") or r["peak_mb"] for r in res)
        row = _row(name, [r["battery_s"] for r in res], peak, t_s or float("inf"), t_mb)
        row["process_peak_mb"] = max(r["peak_mb"] for r in res)
        row["note"] = f"simulating and building the panel: {statistics.median(r['panel_s'] for r in res):.1f} s more"
        row["panel_s"] = statistics.median(r["panel_s"] for r in res)
        row["cpu_s"] = statistics.median(r["cpu_s"] for r in res)
        if scale == 100:
            row["target"] = f"<= 10 pyfixest fits ({t_s:.0f} s), <= {t_mb / 1024:g} GB"
        if t_s is None:
            row["target"], row["met"] = "none", None
        rows.append(row)
    return rows, detail


def _fmt_table(rows: list[dict]) -> str:
    """The main table. CPU time (user + system) is shown beside the wall time: on a machine shared with
    other work the wall time grows with the load, the CPU time much less; "met on CPU time" applies the
    time target to it (and the memory target as it is)."""
    head = "| step | median wall time | CPU time | runs | peak memory | target | met | met on CPU time |"
    lines = [head, "| --- " * 8 + "|"]
    for r in rows:
        met = {True: "yes", False: "**no**", None: "-"}[r["met"]]
        peak = f"{r['peak_mb']:,.0f} MB" if r["peak_mb"] is not None else "-"
        cpu = r.get("cpu_s")
        cpu_met = "-"
        if cpu is not None and r["met"] is not None:
            ok = cpu <= r["target_s"] and (r["target_mb"] is None or r["peak_mb"] <= r["target_mb"])
            cpu_met = "yes" if ok else "**no**"
        cpu_text = f"{cpu:.2f} s" if cpu is not None else "-"
        wall = "-" if math.isnan(r["median_s"]) else f"{r['median_s']:.2f} s"
        lines.append(f"| {r['step']} | {wall} | {cpu_text} | {r['runs']} | {peak} | {r['target']} | "
                     f"{met} | {cpu_met} |")  # fmt: skip
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


def _fmt_feols(detail: dict) -> tuple[str, list[str]]:
    """Our two-way FE fit of Table 3 (6) against pyfixest ``feols`` at each scale; misses (goal <= 1.0 at 100x)."""
    lines = [
        "| Table 3 (6), 3 covariance types | rows | our FE fit | pyfixest feols | ratio | goal | met | max coef diff |",
        "| --- " * 8 + "|",
    ]
    misses = []
    for scale in sorted(detail):
        f = detail[scale]["feols"]
        ratio = f["ours_s"] / f["feols_s"]
        goal, met = ("<= 1.0", "yes" if ratio <= 1.0 else "**no**") if scale == 100 else ("-", "-")
        if scale == 100 and ratio > 1.0:
            misses.append(f"- Missed: FE fit at 100x against pyfixest feols: {ratio:.2f}x against 1.0x.")
        lines.append(f"| {scale}x | {detail[scale]['rows']:,} | {f['ours_s']:.2f} s | {f['feols_s']:.2f} s | "
                     f"{ratio:.2f}x | {goal} | {met} | {f['coef_diff']:.1e} |")  # fmt: skip
    return "\n".join(lines), misses


def _fmt_growth(detail: dict) -> tuple[str, list[str]]:
    """Cost growth from the smallest to the largest scale, as a multiple and as an elasticity in rows."""
    lo, hi = min(detail), max(detail)
    if lo == hi:
        return "", []
    rows = detail[hi]["rows"] / detail[lo]["rows"]
    items = {
        "battery": (detail[lo]["battery_s"], detail[hi]["battery_s"]),
        "simulating and building the panel": (detail[lo]["panel_s"], detail[hi]["panel_s"]),
        "our FE fit of Table 3 (6)": (detail[lo]["feols"]["ours_s"], detail[hi]["feols"]["ours_s"]),
        "pyfixest feols, same regression": (detail[lo]["feols"]["feols_s"], detail[hi]["feols"]["feols_s"]),
    }
    lines = [f"| cost growth {lo}x → {hi}x ({rows:.0f}x the rows) | time multiple | elasticity in rows | goal | met |",
             "| --- " * 5 + "|"]  # fmt: skip
    misses = []
    for name, (a, b) in items.items():
        mult = b / a
        elast = math.log(mult) / math.log(rows)
        goal = name == "battery"
        met = ("yes" if elast <= 1.05 else "**no**") if goal else "-"
        if goal and elast > 1.05:
            misses.append(f"- Missed: battery cost growth {lo}x → {hi}x is {mult:.0f}x for {rows:.0f}x the rows "
                          f"(elasticity {elast:.2f}; linear is 1.00).")  # fmt: skip
        lines.append(f"| {name} | {mult:.1f}x | {elast:.2f} | {'linear (<= 1.05)' if goal else '-'} | {met} |")
    return "\n".join(lines), misses


def _montecarlo_rows(mc: dict) -> tuple[list[dict], list[str]]:
    """Bench rows of the Monte Carlo: the lab run on all local processes, and the 1,000-replication target."""
    per = mc["lab_wall_s"] / mc["lab_reps"]
    name = f"Monte Carlo, lab estimators, {mc['lab_reps']:,} replications on {mc['jobs']} processes"
    rows = [_row(name, [mc["lab_wall_s"]], None, float("inf"), None)]
    rows[-1]["target"], rows[-1]["met"] = "none", None
    thousand = 1000 * per
    how = "measured" if mc["lab_reps"] == 1000 else f"projected from the {mc['lab_reps']:,}-replication run"
    rows.append(_row(f"Monte Carlo, 1,000 lab replications on {mc['jobs']} processes ({how})", [thousand], None,
                     180, None))  # fmt: skip
    return rows, []


def _make_test_row(path: Path) -> dict:
    """The row of ``make test``'s total wall time from the record its last run wrote (``.ci/phases.py``):
    target <= 600 s (issue 27). A run that failed, left a phase out or is missing gives a row without a time,
    saying why; the record's commit is named, and flagged when it is not this checkout's."""
    name = "make test (its last run, from its own record; not timed by make bench)"
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        why = "no record" if isinstance(exc, OSError) else "an unreadable record"
        row = _row(f"{name}: {why} at {path}; run make test first", [float("nan")], None, float("inf"), None)
        row["target"], row["met"] = "<= 600 s", None
        return row
    commit = saved.get("commit") or "uncommitted changes"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    where = f"commit {commit[:7]}" + ("" if commit == head else ", not this checkout's HEAD")
    cpu = sum(p["cpu_s"] for p in saved["phases"])
    about = (f"{name}: finished {saved['finished']}, {where}, {saved['cores']} cores, load average "
             f"{saved['load_average_at_end']} at its end; CPU {cpu:.0f} s")  # fmt: skip
    if not saved.get("complete"):
        left = ", ".join(saved.get("left_out", [])) or "none"
        row = _row(f"{about}; incomplete (status {saved['status']}, left out: {left})", [saved["total_wall_s"]],
                   None, float("inf"), None)  # fmt: skip
        row["target"], row["met"] = "<= 600 s", None
        return row
    return _row(about, [saved["total_wall_s"]], None, 600, None)


def _fmt_scaling(mc: dict, cores: list[int]) -> str:
    """The Scaling block: cost per replication and what 10,000 replications take on N cores."""
    one = mc["one_core"]
    par = mc["lab_wall_s"] / mc["lab_reps"]
    eff = one["lab"]["per_rep_s"] / (par * mc["jobs"])
    load, cpu = os.getloadavg()[0], os.cpu_count() or 1
    busy = ": above the core count, other work shared the cores and wall times are inflated" if load > cpu else ""
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} by `make bench` (`benchmarks/bench.py`) on {cpu} CPU cores "
        f"(load average {load:.1f} when the measurement ended{busy}), panel at 1x (23,485 rows), one BLAS thread.",
        "",
        "| one replication on one core | wall time | CPU time | replications timed | failed |",
        "| --- | --- | --- | --- | --- |",
    ]
    for what, label in (("lab", "lab estimators (FE, IV1-IV4, FD, indirect FSIE)"),
                        ("battery", "whole battery (every column of Tables 3-10, no bootstrap)")):  # fmt: skip
        o = one[what]
        lines.append(f"| {label} | {o['per_rep_s']:.2f} s | {o['cpu_s']:.2f} s | {o['reps']} | {o['failed']} |")
    lines += [
        "",
        f"On {mc['jobs']} local processes, {mc['lab_reps']:,} lab replications took {mc['lab_wall_s']:.1f} s "
        f"({par:.3f} s each; {eff:.0%} of the ideal speed-up over one core).",
        "",
        "| 10,000 replications, projected | " + " | ".join(f"{n} cores" for n in cores) + " |",
        "| --- |" + " --- |" * len(cores),
    ]
    for what, label in (("lab", "lab estimators"), ("battery", "whole battery")):
        cost = one[what]["cpu_s"] * 10_000
        lines.append(f"| {label} | " + " | ".join(_duration(cost / n) for n in cores) + " |")
    lines += ["", "Projection: 10,000 x the CPU time of one replication / N cores (ideal scaling: each core one "
              "worker process, start-up and scheduling not counted)."]  # fmt: skip
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _replace_block(text: str, start: str, end: str, body: str) -> str:
    if start not in text or end not in text:
        raise SystemExit(f"README.md has no {start} ... {end} block to update")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{body}\n{end}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per quick measurement (median)")
    parser.add_argument("--repeat-large", type=int, default=1, help="runs of the clean build and the 100x battery")
    parser.add_argument("--scales", default="1,10,100", help="panel sizes for the battery, comma-separated")
    parser.add_argument("--skip-book", action="store_true", help="do not time the book builds")
    parser.add_argument("--skip-extras", action="store_true", help="do not time the bootstraps and wrappers")
    parser.add_argument("--skip-bigfile", action="store_true", help="do not time check-data on the 100x CSV")
    parser.add_argument("--mc-reps", type=int, default=1000, help="lab replications for the Monte Carlo (0: skip)")
    parser.add_argument("--mc-battery-reps", type=int, default=3, help="whole-battery replications timed")
    parser.add_argument("--test-record", type=Path, default=ROOT / "_build" / "test-logs" / "phase-times.json",
                        help="the phase-times record of the make test run to report (.ci/phases.py)")  # fmt: skip
    parser.add_argument("--update-readme", action="store_true", help="write the tables into README.md")
    parser.add_argument("--partial", action="store_true", help="with --update-readme: write even a partial run")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind, rest = args.child[0], [int(a) for a in args.child[1:]]
        fn = {"battery": _child_battery, "bootstraps": _child_bootstraps, "overhead": _child_overhead,
              "montecarlo": _child_montecarlo, "bigfile": _child_bigfile}[kind]  # fmt: skip
        print(json.dumps(fn(*rest)))
        return 0

    skipped = []
    rows, chapters = ([], {}) if args.skip_book else _book(args.repeat, args.repeat_large)
    skipped += ["the book builds"] if args.skip_book else []
    detail = {}
    if args.scales:
        battery_rows, detail = _battery([int(s) for s in args.scales.split(",")], args.repeat, args.repeat_large)
        rows += battery_rows
    skipped += [f"the battery at {s}x" for s in (1, 10, 100) if s not in detail]
    over = {}
    if args.skip_extras:
        skipped.append("the bootstraps and the wrapper overhead")
    else:
        rows.append(_chapter(args.repeat))
        _, peak, text = _measure(_child("bootstraps"))
        boot = json.loads(text.strip().splitlines()[-1])
        rows.append(_row("wild cluster bootstrap, 999 draws, 1x", [boot["wild_s"]], peak, float("inf"), None))
        rows.append(_row("mediation bootstrap, 3 x 999 draws, 1x", [boot["mediation_s"]], peak, float("inf"), None))
        for r in rows[-2:]:
            r["target"], r["met"] = "none", None
        _, _, text = _measure(_child("overhead", str(max(args.repeat, 5))))
        over = json.loads(text.strip().splitlines()[-1])
    if args.skip_bigfile:
        skipped.append("check-data on the 100x CSV")
    else:
        rows.append(_big_file(args.repeat_large))
    mc = None
    if args.mc_reps:
        jobs = os.cpu_count() or 1
        _, _, text = _measure(_child("montecarlo", str(args.mc_reps), str(args.mc_battery_reps), str(jobs)))
        mc = json.loads(text.strip().splitlines()[-1])
        rows += _montecarlo_rows(mc)[0]
    else:
        skipped.append("the Monte Carlo")
    rows.append(_make_test_row(args.test_record))

    cpu = os.cpu_count()
    header = (
        f"Measured {time.strftime('%Y-%m-%d')} by `make bench` on {cpu} CPU cores, Python "
        f"{platform.python_version()}, {platform.machine()}; load average {os.getloadavg()[0]:.1f} when it ended. "
        "Peak memory: the largest resident set of the measured process and its children."
        + (f" Not measured in this run: {', '.join(skipped)}." if skipped else "")
    )
    feols, feols_misses = _fmt_feols(detail) if detail else ("", [])
    growth, growth_misses = _fmt_growth(detail) if detail else ("", [])
    misses = _fmt_misses(rows, over)
    extra = feols_misses + growth_misses
    if extra:
        misses = "\n".join(extra) if misses == "Every target is met." else misses + "\n" + "\n".join(extra)
    parts = [header, _fmt_table(rows), misses, _fmt_chapters(chapters) if chapters else ""]
    parts += [_fmt_per_table(detail) if detail else "", feols, growth]
    parts.append(_fmt_overhead(over) if over else "")
    report = "\n\n".join(p for p in parts if p)
    print(report)
    scaling = _fmt_scaling(mc, [2, 8, 32, 128]) if mc else ""
    if scaling:
        print("\n" + scaling)
    if args.update_readme:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        if skipped and not args.partial:  # a partial run does not replace the table of a complete one
            print(f"bench block of README.md left as it was (not measured: {', '.join(skipped)}; --partial forces)")
        else:
            text = _replace_block(text, README_START, README_END, report)
        if scaling:
            text = _replace_block(text, SCALING_START, SCALING_END, scaling)
        readme.write_text(text, encoding="utf-8")
        print("README.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
