"""Simulation lab: rerun the main estimators under named scenarios, and a Monte Carlo study.

The DGP parameters of ``data/simulation/params.yml`` are the inputs; each scenario changes a
few of them. For each simulated panel the lab estimates equation (1) by two-way fixed effects
(Table 3 column 6), 2SLS with each of IV1-IV4 (Table 4 columns 1-4), first differences (Table 4
column 5) and the indirect effect through FSIE (Table 6 with equation 3).

The Monte Carlo runs ``reps`` replications, each on its own random stream spawned from one master
seed (``numpy.random.SeedSequence.spawn``), in parallel through joblib: on local processes, or on a
Dask cluster when a scheduler is named (``AICHAIN_DASK=tcp://host:8786``). Each replication runs
either the seven lab estimators or every column of Tables 3-10; a failing replication is recorded
with its error rather than stopping the run; results are checkpointed in Parquet chunks so an
interrupted run resumes. The stored results carry a fingerprint of everything that produced them,
so the book shows stored results and the full run is one command: ``make montecarlo``.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, parallel_config

from aichain_utils import mediation, models, panel, simulate
from aichain_utils.paths import data_dir, repo_root
from aichain_utils.readings import DEFAULT_READINGS

__all__ = [
    "ESTIMATORS",
    "RESULT_COLUMNS",
    "SCENARIOS",
    "WHAT",
    "battery_estimates",
    "estimate_all",
    "lab_estimates",
    "load_monte_carlo",
    "monte_carlo",
    "monte_carlo_fingerprint",
    "monte_carlo_summary",
    "replication_seed",
    "run_replication",
    "run_scenarios",
    "save_monte_carlo",
    "scenario_params",
    "truths",
    "world_statistics",
]

#: Scenario name -> (description, {dotted parameter path: value}).
SCENARIOS: dict[str, tuple[str, dict[str, float]]] = {
    "baseline": ("the calibrated panel", {}),
    "no effect": ("the true effect of AIE on ERL set to zero", {"effects.aie_on_erl_total": 0.0}),
    "reverse feedback": (
        "the ERL shock feeds back into AI embedding (0.20 per unit of shock: the book's former default world), "
        "so fixed effects overstate the effect and the instruments must correct them",
        {"latent_ai.feedback_from_erl_shock": 0.20},
    ),
    "strong reverse causality": (
        "the ERL shock feeds back into AI embedding five times as strongly",
        {"latent_ai.feedback_from_erl_shock": 1.0},
    ),
    "weak instrument": ("IV2 barely moves AI embedding", {"latent_ai.instruments.iv2": 0.005}),
    "invalid instrument": (
        "IV2 also affects ERL directly (exclusion violated)",
        {"lab.iv2_direct_on_erl": 0.05},
    ),
    "confounded mediator": (
        "a shock common to FSIE and ERL (sequential ignorability fails)",
        {"lab.mediator_confounder_sd": 0.5},
    ),
}

ESTIMATORS = ["FE", "IV1", "IV2", "IV3", "IV4", "FD", "indirect FSIE"]


def scenario_params(name: str, base: dict | None = None) -> dict:
    """Parameters of a scenario: a deep copy of ``base`` with the scenario's changes."""
    if name not in SCENARIOS:
        raise KeyError(f"unknown scenario {name!r}; choose one of {list(SCENARIOS)}")
    p = copy.deepcopy(simulate.load_params() if base is None else base)
    for path, value in SCENARIOS[name][1].items():
        node = p
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[k]
        if keys[-1] not in node:
            raise KeyError(f"scenario {name!r} sets unknown parameter {path}")
        node[keys[-1]] = value
    return p


def truths(params: dict) -> dict[str, float]:
    """The true value each estimator targets under ``params``."""
    ef = params["effects"]
    return {
        **{k: ef["aie_on_erl_total"] for k in ESTIMATORS[:-1]},
        "indirect FSIE": ef["aie_on_fsie"] * ef["fsie_on_erl"],
    }


def estimate_all(params: dict, seed: int | np.random.SeedSequence, scale: int = 1) -> list[dict]:
    """Simulate one panel and run every lab estimator on it (:func:`lab_estimates`)."""
    d = panel.build_analysis_panel(simulate.simulate_panel(params, seed=seed, scale=scale).raw).data
    return [{"seed": seed, "estimator": k, "estimate": float(b), "se": float(s)} for k, b, s in lab_estimates(d)]


def run_scenarios(seed: int | None = None, base: dict | None = None) -> pd.DataFrame:
    """One panel per scenario (same seed), every estimator: estimate, SE and the truth."""
    base = simulate.load_params() if base is None else base
    seed = base["seed"] if seed is None else seed
    out = []
    for name in SCENARIOS:
        p = scenario_params(name, base)
        truth = truths(p)
        for row in estimate_all(p, seed):
            out.append({"scenario": name, **row, "truth": truth[row["estimator"]]})
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- Monte Carlo
#: What one replication estimates: the seven lab estimators, every column of Tables 3-10 (coefficient
#: and SE), or every statistic of Tables 3-10 the paper prints (``"world"``, the closest-world study of
#: :mod:`aichain_utils.closestworld`).
WHAT = ("lab", "battery", "world")
#: Columns of the Monte Carlo results, in order.
RESULT_COLUMNS = ["replication", "estimator", "estimate", "se", "truth", "error"]
#: Columns of the ``"world"`` results (long: one row per replication, table, column and statistic).
WORLD_COLUMNS = ["replication", "table", "column", "statistic", "value", "error"]
#: The statistics of a column of Tables 3-10 the paper prints (``data/published/regression_cells.csv``).
WORLD_STATISTICS = ("coef", "se", "n", "adj_r2", "kp_lm", "kp_wald", "suest_p")
_FINGERPRINT_FILES = [
    "simulate.py",
    "indices.py",
    "panel.py",
    "models.py",
    "mediation.py",
    "lab.py",
    *(
        f"econometrics/{f}"
        for f in ("_data.py", "covariance.py", "fe.py", "iv.py", "linear.py", "result.py", "weakiv.py")
    ),
]
_BATTERY_FILES = ["replication.py", "heterogeneity.py", "matching.py", "tables.py"]


def replication_seed(master_seed: int, replication: int) -> np.random.SeedSequence:
    """The independent random stream of one replication.

    Equal to ``np.random.SeedSequence(master_seed).spawn(R)[replication]`` for any ``R`` greater
    than ``replication``, so a replication can be run (or rerun) on its own, on any machine.
    """
    return np.random.SeedSequence(master_seed, spawn_key=(replication,))


def lab_estimates(data: pd.DataFrame) -> list[tuple[str, float, float]]:
    """The seven lab estimators on one analysis panel: ``(estimator, estimate, SE)`` triples.

    Two-way FE (Table 3 column 6, equation 1), 2SLS with IV1-IV4 (Table 4 columns 1-4), first
    differences (Table 4 column 5) and the indirect effect through FSIE with its Sobel SE
    (Table 6, equations 2-3).
    """
    fe = models.fit_two_way_fe(data, engine="fast")
    rows = [("FE", fe.coef, fe.se)]
    for iv in ["IV1", "IV2", "IV3", "IV4"]:
        e = models.fit_iv(data, iv)
        rows.append((iv, e.coef, e.se))
    fd = models.fit_first_difference(data)
    rows.append(("FD", fd.coef, fd.se))
    med = mediation.mediation_analysis(data, "FSIE")
    rows.append(("indirect FSIE", med.indirect, med.sobel_se))
    return rows


def _battery_runs() -> dict[int, object]:
    from aichain_utils import replication

    return {
        3: lambda d: replication.table3_columns(d, bootstrap_reps=0),
        4: replication.table4_columns,
        5: replication.table5_columns,
        6: lambda d: replication.table6_columns(d, bootstrap_reps=0),
        7: replication.table7_columns,
        8: replication.table8_columns,
        9: replication.table9_columns,
        10: replication.table10_columns,
    }


def battery_estimates(data: pd.DataFrame) -> list[dict]:
    """Every column of Tables 3-10 (no bootstrap) on one analysis panel, one row per column.

    Calls the replication layer's ``table3_columns`` ... ``table10_columns``; a table that fails
    is recorded as one row with its error, and the other tables still run.
    """
    rows = []
    for number, run in _battery_runs().items():
        try:
            for col in run(data):
                name = f"Table {number} ({col.number}) {col.label}"
                rows.append({"estimator": name, "estimate": float(col.estimate.coef), "se": float(col.estimate.se)})
        except Exception as exc:  # recorded, not fatal (one table of one replication)
            rows.append({"estimator": f"Table {number}", "estimate": np.nan, "se": np.nan, "error": _describe(exc)})
    return rows


def _number(value) -> float:
    """A float, NaN for None, an empty string or text that is not a number."""
    try:
        return float(value) if value not in (None, "") else float("nan")
    except (TypeError, ValueError):
        return float("nan")


def world_statistics(columns: list) -> dict[int, dict[str, float]]:
    """Every printed statistic of one table's replicated columns, by column number.

    Coefficient, SE, N and adjusted R² from the column's estimate; the Kleibergen-Paap rk LM and Wald F
    from an IV estimate's ``extra``; the suest p of the group a column belongs to (Tables 7-9 print it
    on every column of the group; the replication stores it on the group's first column, so a column
    takes it from the nearest column at or before it that carries one). A statistic the column does not
    have is NaN.
    """
    out: dict[int, dict[str, float]] = {}
    suest = float("nan")
    for col in sorted(columns, key=lambda c: c.number):
        e = col.estimate
        extra = getattr(e, "extra", None) or {}
        if "suest p, replicated" in col.extra_rows:
            suest = _number(col.extra_rows["suest p, replicated"])
        kp_wald = extra.get("kp_wald_f", extra.get("kp_wald"))
        out[int(col.number)] = {
            "coef": _number(e.coef), "se": _number(e.se), "n": _number(e.n), "adj_r2": _number(e.adj_r2),
            "kp_lm": _number(extra.get("kp_lm")), "kp_wald": _number(kp_wald), "suest_p": suest,
        }  # fmt: skip
    return out


def world_estimates(data: pd.DataFrame) -> list[dict]:
    """Every printed statistic of every column of Tables 3-10 (no bootstrap) on one analysis panel.

    One row per (table, column, statistic) with its ``value`` (:func:`world_statistics`); a table that
    fails is one row (column 0, statistic ``"table"``) with its error, and the other tables still run.
    """
    rows = []
    for number, run in _battery_runs().items():
        try:
            stats = world_statistics(run(data))
        except Exception as exc:  # recorded, not fatal (one table of one replication)
            rows.append({"table": number, "column": 0, "statistic": "table", "value": np.nan, "error": _describe(exc)})
            continue
        for col, values in stats.items():
            rows += [{"table": number, "column": col, "statistic": k, "value": v} for k, v in values.items()]
    return rows


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def run_replication(params: dict, master_seed: int, replication: int, what: str = "lab", scale: int = 1) -> list[dict]:
    """One Monte Carlo replication: simulate a panel from its own stream and estimate.

    Never raises: a failure (in simulating, building the panel or estimating) is returned as a row
    whose ``error`` says what went wrong, so one bad draw cannot stop a 10,000-replication run.
    """
    try:
        seed = replication_seed(master_seed, replication)
        data = panel.build_analysis_panel(simulate.simulate_panel(params, seed=seed, scale=scale).raw).data
        if what == "lab":
            rows = [{"estimator": k, "estimate": float(b), "se": float(s)} for k, b, s in lab_estimates(data)]
        elif what == "world":
            rows = world_estimates(data)
        else:
            rows = battery_estimates(data)
    except Exception as exc:  # recorded, not fatal
        if what == "world":
            rows = [{"table": 0, "column": 0, "statistic": "replication", "value": np.nan, "error": _describe(exc)}]
        else:
            rows = [{"estimator": "replication", "estimate": np.nan, "se": np.nan, "error": _describe(exc)}]
    return [{"replication": replication, "error": "", **row} for row in rows]


def monte_carlo_fingerprint(
    reps: int, first_seed: int, scenario: str = "baseline", what: str = "lab", scale: int = 1
) -> str:
    """SHA-256 over the parameters, the code that produces the results, and the run's settings."""
    h = hashlib.sha256()
    h.update((data_dir() / "simulation" / "params.yml").read_bytes())
    h.update(repr(sorted(DEFAULT_READINGS.items())).encode())  # the readings the panel builder uses
    files = _FINGERPRINT_FILES + (_BATTERY_FILES if what in ("battery", "world") else [])
    for name in files:
        h.update((repo_root() / "aichain_utils" / name).read_bytes())
    h.update(f"{reps}|{first_seed}|{scenario}|{what}|{scale}".encode())
    return h.hexdigest()


def _results_frame(rows: list[dict], truth: dict[str, float], what: str = "lab") -> pd.DataFrame:
    if what == "world":
        frame = pd.DataFrame(rows).reindex(columns=WORLD_COLUMNS)
        frame["error"] = frame["error"].fillna("")
        return frame.astype(
            {"replication": "int64", "table": "int64", "column": "int64", "statistic": "str", "value": "float64",
             "error": "str"}
        )  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["truth"] = frame["estimator"].map(truth).astype("float64")
    frame = frame.reindex(columns=RESULT_COLUMNS)
    return frame.astype(
        {"replication": "int64", "estimator": "str", "estimate": "float64", "se": "float64", "error": "str"}
    )


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` atomically (a crash leaves either no file or a whole one)."""
    tmp = path.with_name(path.name + ".tmp")
    frame.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd")
    os.replace(tmp, path)


def _checkpoint_manifest(folder: Path, settings: dict) -> None:
    """Create the checkpoint folder, or check that the one there belongs to the same run."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.json"
    if manifest.exists():
        found = json.loads(manifest.read_text())
        if found != settings:
            diff = {k: (found.get(k), v) for k, v in settings.items() if found.get(k) != v}
            raise ValueError(
                f"checkpoint folder {folder} holds a different run (setting: (found, requested)): {diff}; "
                "remove the folder or choose another checkpoint"
            )
    else:
        manifest.write_text(json.dumps(settings, indent=2) + "\n")


def _default_chunk_size(folder: Path | None, workers: int) -> int:
    manifest = folder / "manifest.json" if folder is not None else None
    if manifest is not None and manifest.exists():
        return int(json.loads(manifest.read_text())["chunk_size"])
    return max(50, 4 * workers)


def _parallel(n_jobs: int, scheduler):
    """joblib's ``Parallel`` on local processes, or on a Dask cluster when ``scheduler`` is named;
    with the context to run it in and the number of workers."""
    if scheduler is None:
        return Parallel(n_jobs=n_jobs), contextlib.nullcontext(), n_jobs
    from dask.distributed import Client  # imported here: only a cluster run needs it

    client = scheduler if not isinstance(scheduler, str) else Client(scheduler)
    stack = contextlib.ExitStack()
    if isinstance(scheduler, str):
        stack.enter_context(client)
    stack.enter_context(parallel_config(backend="dask", client=client, wait_for_workers_timeout=60))
    return Parallel(n_jobs=-1), stack, sum(client.nthreads().values())


def monte_carlo(
    reps: int = 200,
    first_seed: int = 1,
    scenario: str = "baseline",
    n_jobs: int = 2,
    *,
    what: str = "lab",
    scale: int = 1,
    chunk_size: int | None = None,
    checkpoint: Path | str | None = None,
    scheduler=None,
    on_chunk=None,
    base: dict | None = None,
) -> pd.DataFrame:
    """``reps`` replications, each on its own stream, run in parallel and checkpointed in chunks.

    Parameters
    ----------
    reps, first_seed, scenario
        How many replications; the master seed whose spawned streams
        (:func:`replication_seed`) they use; the scenario of :data:`SCENARIOS`.
    n_jobs
        Local worker processes (joblib's default backend). Ignored when ``scheduler`` is given.
    what
        ``"lab"`` for the seven lab estimators, ``"battery"`` for every column of Tables 3-10, ``"world"``
        for every printed statistic of every column of Tables 3-10 (:data:`WORLD_COLUMNS`).
    scale
        Panel size as a multiple of the paper's 23,485 unit-years (``simulate_panel(scale=...)``).
    chunk_size
        Replications per checkpoint chunk (the workers wait for each chunk to finish). Default: the
        chunk size of the checkpoint being resumed, else four tasks per worker and at least 50.
    checkpoint
        A folder for the chunks (``chunk-00000.parquet``, ...). A rerun with the same settings skips
        the chunks already there, so an interrupted run resumes where it stopped and ends with the
        same results as an uninterrupted one. ``None``: no checkpoint (everything in memory).
    scheduler
        A Dask scheduler address (``"tcp://host:8786"``) or ``distributed.Client``: the replications run
        on that cluster through joblib's Dask backend, with the same results as a local run.
    on_chunk
        Called as ``on_chunk(done, total)`` after each chunk (progress; tests use it to interrupt).
    base
        Parameters to apply the scenario to; defaults to ``data/simulation/params.yml``.

    Returns
    -------
    DataFrame
        One row per replication and estimator (:data:`RESULT_COLUMNS`; for ``what="world"`` one row per
        replication, table, column and statistic, :data:`WORLD_COLUMNS`); ``error`` is empty unless
        that replication (or table) failed, in which case ``estimate`` and ``se`` are NaN.
    """
    if what not in WHAT:
        raise ValueError(f"what={what!r}: choose one of {WHAT}")
    p = scenario_params(scenario, base)
    truth = truths(p) if what == "lab" else {}
    folder = Path(checkpoint) if checkpoint is not None else None
    parallel, context, workers = _parallel(n_jobs, scheduler)
    if chunk_size is None:
        chunk_size = _default_chunk_size(folder, workers)
    if reps < 1 or chunk_size < 1:
        raise ValueError(f"reps ({reps}) and chunk_size ({chunk_size}) must be positive")
    starts = list(range(0, reps, chunk_size))
    if folder is not None:
        settings = {
            "reps": reps,
            "first_seed": first_seed,
            "scenario": scenario,
            "what": what,
            "scale": scale,
            "chunk_size": chunk_size,
            "fingerprint": monte_carlo_fingerprint(reps, first_seed, scenario, what, scale),
            "params": hashlib.sha256(json.dumps(p, sort_keys=True, default=str).encode()).hexdigest(),
        }
        _checkpoint_manifest(folder, settings)
    chunks = []
    with context:
        for k, start in enumerate(starts):
            path = folder / f"chunk-{k:05d}.parquet" if folder is not None else None
            if path is None or not path.exists():
                todo = range(start, min(start + chunk_size, reps))
                rows = parallel(delayed(run_replication)(p, first_seed, r, what, scale) for r in todo)
                frame = _results_frame([row for rep in rows for row in rep], truth, what)
                if path is None:
                    chunks.append(frame)
                else:
                    _write_parquet(frame, path)
            if on_chunk is not None:
                on_chunk(k + 1, len(starts))
    if folder is not None:
        chunks = [pd.read_parquet(folder / f"chunk-{k:05d}.parquet") for k in range(len(starts))]
    return pd.concat(chunks, ignore_index=True)


def results_path() -> Path:
    """Where the stored Monte Carlo results live."""
    return data_dir() / "montecarlo"


def save_monte_carlo(
    frame: pd.DataFrame, reps: int, first_seed: int, seconds: float, *, what: str = "lab", scale: int = 1,
    n_jobs: int | None = None, folder: Path | None = None,
) -> None:  # fmt: skip
    """Store results (``results.parquet``) and their metadata and fingerprint (``meta.json``)."""
    folder = results_path() if folder is None else Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_parquet(frame, folder / "results.parquet")
    meta = {
        "reps": reps,
        "first_seed": first_seed,
        "scenario": "baseline",
        "what": what,
        "scale": scale,
        "seconds": round(seconds, 1),
        "workers": n_jobs,
        "failed_rows": int((frame["error"] != "").sum()),
        "fingerprint": monte_carlo_fingerprint(reps, first_seed, "baseline", what, scale),
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def load_monte_carlo(folder: Path | None = None) -> tuple[pd.DataFrame, dict, bool]:
    """Stored results, their metadata, and whether they are current (fingerprint matches)."""
    folder = results_path() if folder is None else Path(folder)
    meta = json.loads((folder / "meta.json").read_text())
    frame = pd.read_parquet(folder / "results.parquet")
    fp = monte_carlo_fingerprint(
        meta["reps"], meta["first_seed"], meta["scenario"], meta.get("what", "lab"), meta.get("scale", 1)
    )
    return frame, meta, meta["fingerprint"] == fp


def monte_carlo_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Bias, RMSE, mean SE, SD of estimates and 95% CI coverage per estimator.

    Rows of failed replications (non-empty ``error``) are left out; ``failed`` counts them.
    """
    ok = frame["error"].fillna("").eq("") if "error" in frame else pd.Series(True, index=frame.index)
    failed = frame.loc[~ok].groupby("estimator").size() if (~ok).any() else pd.Series(dtype=int)
    rows = []
    for est, g in frame.loc[ok].groupby("estimator", sort=False):
        err = g["estimate"] - g["truth"]
        cover = (np.abs(err) <= 1.959964 * g["se"]).mean()
        rows.append(
            {
                "estimator": est,
                "truth": g["truth"].iloc[0],
                "mean estimate": g["estimate"].mean(),
                "bias": err.mean(),
                "RMSE": float(np.sqrt((err**2).mean())),
                "SD of estimates": g["estimate"].std(),
                "mean SE": g["se"].mean(),
                "95% CI coverage": cover,
                "replications": len(g),
            }
        )
    out = pd.DataFrame(rows)
    if len(failed):
        out["failed"] = out["estimator"].map(failed).fillna(0).astype(int)
    return out


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - the documented command `make montecarlo`
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Run and store the Monte Carlo study (resumable).")
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--first-seed", type=int, default=1, help="master seed of the spawned streams")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="local worker processes")
    parser.add_argument("--what", choices=WHAT, default="lab", help="lab estimators or the Tables 3-10 battery")
    parser.add_argument("--scale", type=int, default=1, help="panel size, multiple of 23,485 unit-years")
    parser.add_argument("--chunk-size", type=int, default=None, help="replications per checkpoint chunk")
    parser.add_argument("--out", type=Path, default=None, help="results folder (default data/montecarlo)")
    parser.add_argument("--scheduler", default=os.environ.get("AICHAIN_DASK") or None,
                        help="Dask scheduler address (default: $AICHAIN_DASK); local processes if unset")  # fmt: skip
    args = parser.parse_args(argv)
    out = results_path() if args.out is None else args.out
    ckpt = out / "checkpoint"
    where = f"the Dask cluster at {args.scheduler}" if args.scheduler else f"{args.jobs} local processes"
    print(f"{args.reps} replications ({args.what}, {args.scale}x) on {where}; checkpoints in {ckpt}", flush=True)
    t0 = time.perf_counter()
    frame = monte_carlo(
        args.reps, args.first_seed, n_jobs=args.jobs, what=args.what, scale=args.scale, chunk_size=args.chunk_size,
        checkpoint=ckpt, scheduler=args.scheduler,
        on_chunk=lambda k, n: print(f"  chunk {k}/{n} done ({time.perf_counter() - t0:.0f} s)", flush=True),
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    save_monte_carlo(frame, args.reps, args.first_seed, seconds, what=args.what, scale=args.scale,
                     n_jobs=None if args.scheduler else args.jobs, folder=out)  # fmt: skip
    shutil.rmtree(ckpt)
    failed = frame.loc[frame["error"] != "", "replication"].nunique()
    print(f"{args.reps} replications in {seconds:.1f} s ({failed} with a failure); stored in {out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
