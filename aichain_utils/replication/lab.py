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
import functools
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, parallel_config

from aichain_utils.inputs import panel
from aichain_utils.inputs.readings import DEFAULT_READINGS
from aichain_utils.paths import data_dir, repo_root
from aichain_utils.replication import mediation, models
from aichain_utils.simulation import simulate
from aichain_utils.text import Bilingual, bilingual_format, bilingual_join

__all__ = [
    "ESTIMATORS",
    "RESULT_COLUMNS",
    "SCENARIOS",
    "WHAT",
    "battery_estimates",
    "estimate_all",
    "failed_replications",
    "failure_sentence",
    "lab_estimates",
    "load_monte_carlo",
    "monte_carlo",
    "monte_carlo_fingerprint",
    "monte_carlo_summary",
    "monte_carlo_verdicts",
    "replication_seed",
    "run_replication",
    "run_scenarios",
    "save_monte_carlo",
    "scenario_params",
    "scenario_reading",
    "se_ratio_mc_se",
    "simulator_check_records",
    "simulator_check_sentence",
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


def scenario_reading(scenarios: pd.DataFrame, threshold: float = 2.0) -> list[str]:
    """What one panel per scenario shows, in words: one sentence per scenario.

    An estimate is flagged when it lies more than ``threshold`` of its own standard errors from the
    truth (one panel: about one estimate in twenty is flagged by chance at 2). A standard error more
    than twice (or under half) the estimator's baseline SE is reported too.

    Parameters
    ----------
    scenarios : DataFrame
        The output of :func:`run_scenarios` (``scenario``, ``estimator``, ``estimate``, ``se``, ``truth``).
    threshold : float
        Standard errors beyond which an estimate is flagged.

    Returns
    -------
    list of str
    """
    base_se = scenarios[scenarios["scenario"] == "baseline"].set_index("estimator")["se"]
    out = []
    for name, g in scenarios.groupby("scenario", sort=False):
        z = (g["estimate"] - g["truth"]) / g["se"]
        rows = zip(g["estimator"], g["estimate"], g["truth"], z, strict=True)
        far = [
            f"{e} (estimate {b:.3f}, truth {t:.3f}, {abs(x):.1f} SEs away)" for e, b, t, x in rows if abs(x) > threshold
        ]
        text = f"{name}: " + (
            f"more than {threshold:g} SEs from the truth: {', '.join(far)}; every other estimate within."
            if far
            else f"every estimate lies within {threshold:g} SEs of the truth."
        )
        if name != "baseline":
            ratio = g.set_index("estimator")["se"] / base_se
            moved = [f"{e}'s SE is {r:.1f} times its baseline SE" for e, r in ratio.items() if r > 2 or r < 0.5]
            text += (" " + "; ".join(moved) + ".") if moved else ""
        out.append(text)
    return out


# --------------------------------------------------------------------------- Monte Carlo
#: What one replication estimates: the seven lab estimators, every column of Tables 3-10 (coefficient
#: and SE), or every statistic of Tables 3-10 the paper prints (``"world"``, the closest-world study of
#: :mod:`aichain_utils.replication.closestworld`).
WHAT = ("lab", "battery", "world")
#: Columns of the Monte Carlo results, in order.
RESULT_COLUMNS = ["replication", "estimator", "estimate", "se", "truth", "error"]
#: Columns of the ``"world"`` results (long: one row per replication, table, column and statistic).
WORLD_COLUMNS = ["replication", "table", "column", "statistic", "value", "error"]
#: The statistics of a column of Tables 3-10 the paper prints (``data/published/regression_cells.csv``).
WORLD_STATISTICS = ("coef", "se", "n", "adj_r2", "kp_lm", "kp_wald", "suest_p")
_FINGERPRINT_FILES = [
    "simulation/simulate.py",
    "measurement/indices.py",
    "inputs/panel.py",
    "replication/models.py",
    "replication/mediation.py",
    "replication/lab.py",
    *(
        f"econometrics/{f}"
        for f in ("_data.py", "covariance.py", "fe.py", "iv.py", "linear.py", "result.py", "weakiv.py")
    ),
]
_BATTERY_FILES = [
    "replication/columns.py",
    "replication/heterogeneity.py",
    "replication/matching.py",
    "report/tables.py",
]


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
    """Tables 3-10 without bootstrap: table number -> a function of the panel giving its columns
    (:func:`aichain_utils.replication.columns.table_columns`, the one builder the ledger calls too)."""
    from aichain_utils.replication import columns as replication

    return {t: functools.partial(replication.table_columns, t, bootstrap_reps=0) for t in replication.TABLE_COLUMNS}


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
        _checkpoint_manifest(folder, _checkpoint_settings(p, reps, first_seed, scenario, what, scale, chunk_size))
    with context:
        chunks = _run_chunks(parallel, p, first_seed, what, scale, reps, starts, chunk_size, truth, folder, on_chunk)
    if folder is not None:
        chunks = [pd.read_parquet(folder / f"chunk-{k:05d}.parquet") for k in range(len(starts))]
    return pd.concat(chunks, ignore_index=True)


def _checkpoint_settings(
    p: dict, reps: int, first_seed: int, scenario: str, what: str, scale: int, chunk_size: int
) -> dict:
    """What a checkpoint folder records of its run: a rerun resumes it only with the same settings."""
    return {
        "reps": reps,
        "first_seed": first_seed,
        "scenario": scenario,
        "what": what,
        "scale": scale,
        "chunk_size": chunk_size,
        "fingerprint": monte_carlo_fingerprint(reps, first_seed, scenario, what, scale),
        "params": hashlib.sha256(json.dumps(p, sort_keys=True, default=str).encode()).hexdigest(),
    }


def _run_chunks(
    parallel, p, first_seed, what, scale, reps, starts, chunk_size, truth, folder, on_chunk
) -> list[pd.DataFrame]:
    """Run the chunks of replications not yet checkpointed in ``folder``; the frames kept in memory
    (none when there is a checkpoint folder: the chunks are written there)."""
    chunks = []
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
    return chunks


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


#: Multiple of the Monte Carlo SE beyond which a Monte Carlo quantity differs from its target.
MC_THRESHOLD = 2.0
#: Nominal coverage of the intervals the summary checks.
NOMINAL_COVERAGE = 0.95


def _affects(failed_estimator: str, estimator: str) -> bool:
    """Whether a failure row (``estimator`` = "replication", a table or one column) removes ``estimator``."""
    return failed_estimator in ("replication", estimator) or estimator.startswith(failed_estimator + " (")


def se_ratio_mc_se(estimates: np.ndarray, ses: np.ndarray) -> tuple[float, float]:
    """Mean SE over the SD of the estimates, and its Monte Carlo SE by the delta method.

    With :math:`m = \\bar{s}` (mean SE), :math:`v` the sample variance of the estimates and
    :math:`r = m / \\sqrt{v}`, the influence of replication *i* is
    :math:`(s_i - m)/\\sqrt{v} - m\\,((b_i - \\bar b)^2 - v) / (2 v^{3/2})`; the Monte Carlo SE is
    the SD of these influences over :math:`\\sqrt{R}`.

    Returns NaN for both when the estimates do not vary (the ratio is undefined).

    Raises
    ------
    AichainInputError
        If fewer than two replications, or the arrays differ in length.
    """
    from aichain_utils.errors import input_error

    b, s = np.asarray(estimates, dtype=float), np.asarray(ses, dtype=float)
    if b.shape != s.shape or b.size < 2:
        raise input_error("estimates", "needs at least two replications and one SE per estimate",
                          [b.size, s.size])  # fmt: skip
    m, v = s.mean(), b.var(ddof=1)
    if v == 0:
        return float("nan"), float("nan")  # no spread: the ratio is undefined
    sd = np.sqrt(v)
    influence = (s - m) / sd - m * ((b - b.mean()) ** 2 - v) / (2 * v * sd)
    return float(m / sd), float(influence.std(ddof=1) / np.sqrt(b.size))


def _summary_row(est: str, g: pd.DataFrame) -> dict:
    err = (g["estimate"] - g["truth"]).to_numpy()
    r = len(g)
    sd = g["estimate"].std()
    cover = float((np.abs(err) <= 1.959964 * g["se"].to_numpy()).mean())
    ratio, ratio_se = se_ratio_mc_se(g["estimate"].to_numpy(), g["se"].to_numpy()) if r > 1 else (np.nan, np.nan)
    rmse = float(np.sqrt((err**2).mean()))
    return {
        "estimator": est,
        "truth": g["truth"].iloc[0],
        "mean estimate": g["estimate"].mean(),
        "bias": float(err.mean()),
        "bias MC SE": sd / np.sqrt(r),
        "RMSE": rmse,
        "RMSE MC SE": float((err**2).std(ddof=1) / (2 * rmse * np.sqrt(r))) if r > 1 and rmse > 0 else np.nan,
        "SD of estimates": sd,
        "mean SE": g["se"].mean(),
        "SE ratio": ratio,
        "SE ratio MC SE": ratio_se,
        "95% CI coverage": cover,
        "coverage MC SE": float(np.sqrt(cover * (1 - cover) / r)),
        "replications": r,
    }


def monte_carlo_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Bias, RMSE, SE ratio and 95% CI coverage per estimator, each with its Monte Carlo SE.

    * bias = mean(estimate − truth); Monte Carlo SE = SD of the estimates / √R;
    * RMSE; Monte Carlo SE by the delta method, SD((estimate − truth)²) / (2 RMSE √R);
    * SE ratio = mean SE / SD of the estimates (1 when the standard errors measure the sampling
      spread); Monte Carlo SE by the delta method (:func:`se_ratio_mc_se`);
    * coverage = share of replications whose 95% interval (±1.96 SE) covers the truth; Monte Carlo
      SE √(p(1 − p)/R).

    R counts the replications that produced the estimator. Rows of failed replications (non-empty
    ``error``) are left out; ``failed`` counts, per estimator, the replications that failed to
    produce it (a row whose ``estimator`` is "replication" fails every estimator).
    """
    ok = frame["error"].fillna("").eq("") if "error" in frame else pd.Series(True, index=frame.index)
    failures = frame.loc[~ok]
    out = pd.DataFrame([_summary_row(est, g) for est, g in frame.loc[ok].groupby("estimator", sort=False)])
    if len(failures) and len(out):
        out["failed"] = [
            failures.loc[[_affects(f, e) for f in failures["estimator"]], "replication"].nunique()
            for e in out["estimator"]
        ]
    return out


def failed_replications(frame: pd.DataFrame) -> tuple[int, int, pd.DataFrame]:
    """How many replications failed, out of how many, and why.

    Returns
    -------
    failed, total : int
        Replications with at least one failure row, and all replications of ``frame``.
    reasons : DataFrame
        ``reason`` (the error's type and first rule, without the advice after ";") and
        ``replications`` (how many failed for it), most frequent first.
    """
    total = int(frame["replication"].nunique())
    bad = frame.loc[frame["error"].fillna("").ne("")] if "error" in frame else frame.iloc[:0]
    if bad.empty:
        return 0, total, pd.DataFrame({"reason": [], "replications": []})

    def reason(message: str) -> str:
        lines = [x.strip() for x in message.splitlines() if x.strip()]
        kind = lines[0].split(":")[0]
        detail = lines[1] if len(lines) > 1 else lines[0].split(":", 1)[-1].strip()
        return f"{kind}: {detail.split(';')[0]}"

    first = bad.drop_duplicates("replication")
    reasons = first["error"].map(reason).value_counts().rename_axis("reason").reset_index(name="replications")
    return int(first["replication"].nunique()), total, reasons


def failure_sentence(frame: pd.DataFrame) -> str:
    """One sentence: how many of the replications failed, and why (:func:`failed_replications`)."""
    failed, total, reasons = failed_replications(frame)
    if failed == 0:
        return f"None of the {total} replications failed."
    why = "; ".join(f"{int(n)} because of {reason}" for reason, n in reasons.itertuples(index=False))
    return (
        f"{failed} of {total} replications ({100 * failed / total:.1f}%) failed and are left out of every "
        f"statistic: {why}."
    )


def simulator_check_records(folder: Path | None = None) -> pd.DataFrame:
    """The stored counts of simulated panels that fail a check (issue 21, item 6).

    ``tools/simulator_failures.py`` draws the lab's replication stream at a scale (1x, 10x the
    paper's units), builds each panel's analysis panel (every rule of ``panel.validate_raw`` and
    every step of ``panel.build_analysis_panel``) and writes ``failures_<scale>x.json``.

    Returns
    -------
    DataFrame
        One row per stored scale: ``scale``, ``checked``, ``planned``, ``failed``, ``errors`` (up to
        ten messages, by replication) and ``current`` (True when the record was made with the
        parameters of ``params.yml``, i.e. its calibration fingerprint is today's). Empty when no
        record is stored.
    """
    import yaml

    folder = folder or data_dir() / "simulation"
    params_text = (folder / "params.yml").read_text(encoding="utf-8") if (folder / "params.yml").exists() else ""
    today = (yaml.safe_load(params_text) or {}).get("calibration_fingerprint") if params_text else None
    rows = []
    for path in sorted(folder.glob("failures_*x.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        rows.append(
            {
                "scale": int(doc["scale"]),
                "checked": int(doc["replications_checked"]),
                "planned": int(doc["replications_planned"]),
                "failed": int(doc["failed"]),
                "errors": doc.get("errors", {}),
                "current": bool(today) and doc.get("calibration_fingerprint") == today,
            }
        )
    columns = ["scale", "checked", "planned", "failed", "errors", "current"]
    return pd.DataFrame(rows, columns=columns).sort_values("scale", ignore_index=True)


#: :func:`simulator_check_sentence`'s words, by language.
SIMULATOR_CHECK_WORDS = {
    "none": {"en": "No count of failing simulated panels is stored (run tools/simulator_failures.py).",
             "zh": "没有保存模拟面板检查失败的计数（请运行 tools/simulator_failures.py）。"},
    "paper": {"en": "the paper's size", "zh": "论文的规模"},
    "scaled": {"en": "{scale} times the paper's units", "zh": "论文个体数的 {scale} 倍"},
    "passed": {"en": "none of {checked} panels drawn at {size} failed",
               "zh": "按{size}抽取的 {checked} 个面板无一失败"},
    "failed": {"en": "{failed} of {checked} panels drawn at {size} failed ({why})",
               "zh": "按{size}抽取的 {checked} 个面板中有 {failed} 个失败（{why}）"},
    "stale": {"en": " The {stale} count was made with an earlier calibration: rerun tools/simulator_failures.py.",
              "zh": "{stale} 的计数是用较早的校准得出的：请重新运行 tools/simulator_failures.py。"},
    "both": {"en": " Both counts were made with the current parameters.", "zh": "两个计数都是用当前参数得出的。"},
    "one": {"en": " The count was made with the current parameters.", "zh": "该计数是用当前参数得出的。"},
    "sentence": {"en": "Checked outside the Monte Carlo (tools/simulator_failures.py: every rule of the raw data and "
                       "every step of the analysis panel), {parts}.{note}",
                 "zh": "在蒙特卡洛模拟之外另行检查（tools/simulator_failures.py：原始数据的每条规则和分析面板的"
                       "每个步骤）：{parts}。{note}"},
}  # fmt: skip


def _words(name: str, **values) -> Bilingual:
    return bilingual_format(SIMULATOR_CHECK_WORDS[name], f"simulator_check_sentence ({name})", **values)


def simulator_check_sentence(records: pd.DataFrame) -> Bilingual:
    """One sentence on :func:`simulator_check_records`: how many drawn panels failed a check, at each scale, in
    English and Chinese (:class:`~aichain_utils.text.Bilingual`)."""
    if records.empty:
        return _words("none")
    parts = []
    for r in records.itertuples(index=False):
        size = _words("paper") if r.scale == 1 else _words("scaled", scale=r.scale)
        if r.failed == 0:
            parts.append(_words("passed", checked=f"{r.checked:,}", size=size))
        else:
            why = ", ".join(sorted({e.split(":")[0] for e in r.errors.values()}))
            parts.append(_words("failed", failed=r.failed, checked=f"{r.checked:,}", size=size, why=why))
    stale = [f"{r.scale}x" for r in records.itertuples(index=False) if not r.current]
    if stale:
        note = _words("stale", stale=", ".join(stale))
    else:
        note = _words("both") if len(records) == 2 else _words("one")
    return _words("sentence", parts=bilingual_join(parts, "; ", "；"), note=note)


def _beyond(value: float, target: float, mc_se: float) -> bool:
    return bool(np.isfinite(value) and abs(value - target) > MC_THRESHOLD * mc_se)


def monte_carlo_verdicts(summary: pd.DataFrame) -> pd.DataFrame:
    """What the Monte Carlo says about each estimator, judged against its Monte Carlo error.

    An estimator is **biased** only when ``|bias| > 2 × bias MC SE`` (:data:`MC_THRESHOLD`). Its
    **standard errors** are too small (large) when the SE ratio lies below (above) 1 by more than
    twice its Monte Carlo SE; this is a property of the SEs, not of the estimator. Its **coverage**
    differs from 95% when it lies more than twice √(0.95 × 0.05 / R) (the Monte Carlo SE at nominal
    coverage) away. Low coverage is then attributed to the bias, the SEs, both, or neither.

    Parameters
    ----------
    summary : DataFrame
        The output of :func:`monte_carlo_summary`.

    Returns
    -------
    DataFrame
        ``estimator``, ``biased`` (bool), ``SEs`` ("too small", "too large" or "right"),
        ``coverage`` ("below nominal", "above nominal", "nominal") and ``sentence``: the reading in
        words, with every number and its Monte Carlo SE.

    Raises
    ------
    AichainInputError
        If ``summary`` lacks a column the rule needs.
    """
    from aichain_utils.errors import input_error

    need = ["estimator", "bias", "bias MC SE", "SE ratio", "SE ratio MC SE", "95% CI coverage", "replications"]
    missing = [c for c in need if c not in summary]
    if missing:
        raise input_error("summary", "must be the output of lab.monte_carlo_summary", missing)
    return pd.DataFrame([_verdict(row.to_dict()) for _, row in summary.iterrows()])


def _verdict(r: dict) -> dict:
    biased = _beyond(r["bias"], 0.0, r["bias MC SE"])
    ses = "right"
    if _beyond(r["SE ratio"], 1.0, r["SE ratio MC SE"]):
        ses = "too small" if r["SE ratio"] < 1 else "too large"
    nominal_se = np.sqrt(NOMINAL_COVERAGE * (1 - NOMINAL_COVERAGE) / r["replications"])
    cov = "nominal"
    if _beyond(r["95% CI coverage"], NOMINAL_COVERAGE, nominal_se):
        cov = "below nominal" if r["95% CI coverage"] < NOMINAL_COVERAGE else "above nominal"
    return {"estimator": r["estimator"], "biased": biased, "SEs": ses, "coverage": cov,
            "sentence": _sentence(r, biased, ses, cov)}  # fmt: skip


def _coverage_causes(r: dict, biased: bool, ses: str) -> str:
    """Which of bias and SE ratio the low coverage comes from (normal approximation of the estimates)."""
    from scipy.stats import norm

    z = norm.ppf(0.5 + NOMINAL_COVERAGE / 2)
    shift = r["bias"] / r["SD of estimates"] if "SD of estimates" in r else 0.0
    bias_only = norm.cdf(z - shift) - norm.cdf(-z - shift)
    se_only = 2 * norm.cdf(z * r["SE ratio"]) - 1
    causes = [c for c, on in (("the bias", biased), ("standard errors that are too small", ses == "too small")) if on]
    if not causes:
        return "Neither a detectable bias nor a detectable SE ratio below 1 explains it."
    main = "the standard errors" if se_only < bias_only else "the bias"
    return (
        f"Detectable causes: {' and '.join(causes)}. With normal estimates, the bias alone would give "
        f"{100 * bias_only:.0f}% coverage and the SE ratio alone {100 * se_only:.0f}%: the shortfall comes "
        f"mostly from {main}."
    )


def _sentence(r: dict, biased: bool, ses: str, cov: str) -> str:
    est, n = r["estimator"], int(r["replications"])
    bias = f"bias {r['bias']:+.3f} (Monte Carlo SE {r['bias MC SE']:.3f})"
    if biased:
        first = f"{est}: {bias}, more than twice its Monte Carlo SE: the estimator is biased."
    else:
        first = f"{est}: {bias}, within twice its Monte Carlo SE: no bias is detectable in {n} replications."
    ratio = (
        f"its mean SE is {r['SE ratio']:.2f} times the SD of its estimates (Monte Carlo SE {r['SE ratio MC SE']:.2f})"
    )
    second = {
        "too small": f"Its standard errors are too small: {ratio}.",
        "too large": f"Its standard errors are too large: {ratio}.",
        "right": f"Its standard errors match its sampling spread within Monte Carlo error: {ratio}.",
    }[ses]
    coverage = f"Its 95% intervals cover the truth in {100 * r['95% CI coverage']:.1f}% of replications"
    coverage += f" (Monte Carlo SE {100 * r['coverage MC SE']:.1f} points)" if "coverage MC SE" in r else ""
    if cov == "below nominal":
        third = f"{coverage}, below 95% beyond its Monte Carlo error. {_coverage_causes(r, biased, ses)}"
    elif cov == "above nominal":
        third = f"{coverage}, above 95% beyond its Monte Carlo error."
    else:
        third = f"{coverage}, within twice its Monte Carlo error of 95%."
    return " ".join([first, second, third])


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
