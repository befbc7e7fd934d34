"""The closest world as a sampling distribution: each published number judged by what the world produces.

``make calibrate`` chooses the simulated world closest to the paper (:mod:`aichain_utils.replication.calibration`).
One panel drawn from that world is one draw of its sampling distribution, and a published number may
miss that draw by sampling error alone. This module judges each published statistic of Tables 3-10
(coefficient, SE, N, adjusted R², Kleibergen-Paap rk LM and Wald F, suest p) by the distribution of the
same statistic over a stored Monte Carlo of the whole battery in that world
(``data/montecarlo/world/``: :data:`WORLD_REPS` replications on seeds that neither the calibration nor
the book's default panel uses, :func:`world_seeds`).

For each published number :func:`closest_world_table` gives the world's mean, SD and the Monte Carlo
SE of the mean, the published number's z-score and its percentile in the world's draws (with its Monte
Carlo SE), the world's central 95% band, and a verdict decided from the distribution
(:func:`verdict`), never from one draw:

``consistent with the closest world``
    the percentile's Monte Carlo interval (Wilson, two SEs) lies inside [2.5%, 97.5%];
``outside its 95% band``
    that interval lies wholly outside [2.5%, 97.5%];
``at the edge of its 95% band``
    the interval straddles a band edge: the stored Monte Carlo cannot tell which side it is on;
``no world of the family produces it``
    the statistic does not vary across the world's draws (a sample size fixed by the design and the
    book's readings, which calibration does not change) and the published value differs from it;
``not produced in the world``
    no draw of the world produces this statistic.

Each row carries a stable ``id`` (the id of the :class:`aichain_utils.replication.findings.Finding` the audit's
closest-world family reports for the cell), which the ledger's reasons cite. Percentiles compare the
world's draws rounded to the paper's printed precision with the printed number (ties count half), so a
suest p printed as 0.000 is matched by draws below 0.0005.

The goal the book states is the share of published coefficients inside the world's central 95% band:
measured on seeds the calibration never used (:func:`band_share`).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from aichain_utils.paths import data_dir

__all__ = [
    "CLOSEST_WORLD_CHECK",
    "FRESH_MASTER_SEED",
    "OUTPUT_COLUMNS",
    "VERDICTS",
    "WORLD_MASTER_SEED",
    "WORLD_REPS",
    "band_share",
    "calibrated_values",
    "closest_world_table",
    "finding_id",
    "load_world",
    "results_path",
    "run_world",
    "verdict",
    "world_seeds",
    "write_closest_world",
]

#: The check name of the closest-world family (one finding per published statistic the world misses).
CLOSEST_WORLD_CHECK = "the published number against the closest world's sampling distribution"

#: Master seed of the stored world Monte Carlo: replication r draws its panel from the spawned stream
#: ``SeedSequence(WORLD_MASTER_SEED, spawn_key=(r,))`` (:func:`aichain_utils.replication.lab.replication_seed`).
WORLD_MASTER_SEED = 21_202_612
#: Replications of the stored world Monte Carlo.
WORLD_REPS = 200
#: Master seed of the fresh replications the tests draw to recheck the stored verdicts.
FRESH_MASTER_SEED = 21_202_613

VERDICTS = (
    "consistent with the closest world",
    "at the edge of its 95% band",
    "outside its 95% band",
    "no world of the family produces it",
    "not produced in the world",
)
#: Columns of ``_build/tables/closest_world.csv``.
OUTPUT_COLUMNS = [
    "id", "table", "column", "statistic", "published", "world_mean", "world_sd", "mc_se", "z", "percentile",
    "percentile_mc_se", "band_low", "band_high", "replications", "verdict",
]  # fmt: skip
#: Decimals the paper prints each statistic with (draws are rounded to them before comparison).
PRINTED_DECIMALS = {"coef": 3, "se": 3, "n": 0, "adj_r2": 3, "kp_lm": 2, "kp_wald": 2, "suest_p": 3}
#: The central band and the width of a percentile's Monte Carlo interval (in SEs).
BAND = (0.025, 0.975)
MC_Z = 2.0


def calibrated_values() -> dict:
    """The ``calibrated:`` block of ``data/simulation/params.yml`` (dotted name -> value): the values
    ``make calibrate`` chose, which pages must name as calibrated, never as the paper's."""
    import yaml

    from aichain_utils.simulation.simulate import default_params_path

    with default_params_path().open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh).get("calibrated") or {})


def results_path() -> Path:
    """Where the stored world Monte Carlo lives: ``data/montecarlo/world/``."""
    return data_dir() / "montecarlo" / "world"


def _calibration_seeds() -> list[int]:
    """Seeds the calibration used (and those of its out-of-sample report): those its stored report names
    (``seeds: {calibration: [...], out_of_sample: [...]}`` or a plain list), else the parameter file's seed
    (a calibration by common random numbers at the default seed)."""
    from aichain_utils.simulation.simulate import load_params

    path = data_dir() / "simulation" / "calibration.json"
    report = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    seeds = report.get("seeds")
    if isinstance(seeds, dict):
        return [int(v) for key in ("calibration", "out_of_sample") for v in seeds.get(key) or []]
    if isinstance(seeds, list):
        return [int(v) for v in seeds]
    return [int(load_params()["seed"])]


def world_seeds(master: int = WORLD_MASTER_SEED, reps: int = WORLD_REPS) -> dict:
    """The seeds of a world Monte Carlo and the seeds it must be disjoint from.

    Returns ``master_seed``, ``spawn_keys`` (replication r uses ``SeedSequence(master_seed,
    spawn_key=(r,))``), ``default_seed`` (the book's default panel, ``params.yml``) and
    ``calibration_seeds``.

    Raises
    ------
    AichainInputError
        If ``master`` equals the default seed or a calibration seed.
    """
    from aichain_utils.errors import input_error
    from aichain_utils.simulation.simulate import load_params

    default, calib = int(load_params()["seed"]), _calibration_seeds()
    if master in {default, *calib}:
        raise input_error("master", "a seed neither the book's default panel nor the calibration uses", [master],
                          what="seed")  # fmt: skip
    return {"master_seed": master, "spawn_keys": [0, reps - 1], "default_seed": default, "calibration_seeds": calib}


def run_world(reps: int = WORLD_REPS, master: int = WORLD_MASTER_SEED, n_jobs: int = 2, *, checkpoint=None,
              on_chunk=None) -> pd.DataFrame:  # fmt: skip
    """``reps`` replications of every printed statistic of Tables 3-10 in the world of ``params.yml``.

    The long frame of :func:`aichain_utils.replication.lab.monte_carlo` with ``what="world"``
    (:data:`aichain_utils.replication.lab.WORLD_COLUMNS`).
    """
    from aichain_utils.replication import lab

    world_seeds(master, reps)  # raises if the seeds are not disjoint
    return lab.monte_carlo(reps, master, n_jobs=n_jobs, what="world", checkpoint=checkpoint, on_chunk=on_chunk)


def load_world(folder: Path | None = None) -> tuple[pd.DataFrame, dict, bool]:
    """The stored world Monte Carlo, its metadata, and whether it is current (fingerprint matches)."""
    from aichain_utils.replication import lab

    return lab.load_monte_carlo(results_path() if folder is None else folder)


def finding_id(table: int, column: int, statistic: str) -> str:
    """The stable id of one cell's closest-world verdict (the audit finding's id for that cell)."""
    from aichain_utils.replication.findings import Finding

    return Finding("closest_world", CLOSEST_WORLD_CHECK, f"Table {int(table)}", _cells(column, statistic),
                   "", "", "", "").id  # fmt: skip


def _cells(column: int, statistic: str) -> str:
    return f"column ({int(column)}), {statistic}"


def _wilson(k: float, n: int, z: float = MC_Z) -> tuple[float, float]:
    """Wilson interval of a proportion ``k / n`` (``z`` standard errors)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def verdict(published: float, draws: np.ndarray, decimals: int) -> dict:
    """Summary of the world's draws of one statistic and the verdict on ``published`` (module docstring).

    Parameters
    ----------
    published : float
        The printed number.
    draws : ndarray
        The statistic in each replication of the world that produced it (NaN and failures left out).
    decimals : int
        The printed precision: draws are rounded to it before they are compared with ``published``.
    """
    draws = np.asarray(draws, dtype=float)
    draws = draws[np.isfinite(draws)]
    r = len(draws)
    if r == 0:
        nan = float("nan")
        return {"world_mean": nan, "world_sd": nan, "mc_se": nan, "z": nan, "percentile": nan,
                "percentile_mc_se": nan, "band_low": nan, "band_high": nan, "replications": 0,
                "verdict": "not produced in the world"}  # fmt: skip
    rounded = np.round(draws, decimals)
    below, ties = float((rounded < published).sum()), float((rounded == published).sum())
    pct = (below + 0.5 * ties) / r
    sd = float(draws.std(ddof=1)) if r > 1 else 0.0
    lo, hi = _wilson(below + 0.5 * ties, r)
    if ties == r:
        word = VERDICTS[0]
    elif np.all(rounded == rounded[0]):
        word = "no world of the family produces it"
    elif BAND[0] <= lo and hi <= BAND[1]:
        word = VERDICTS[0]
    elif hi < BAND[0] or lo > BAND[1]:
        word = "outside its 95% band"
    else:
        word = "at the edge of its 95% band"
    return {
        "world_mean": float(draws.mean()),
        "world_sd": sd,
        "mc_se": sd / np.sqrt(r),
        "z": (published - float(draws.mean())) / sd if sd > 0 else float("nan"),
        "percentile": pct,
        "percentile_mc_se": float(np.sqrt(max(pct * (1 - pct), 1.0 / r) / r)),
        "band_low": float(np.quantile(draws, BAND[0])),
        "band_high": float(np.quantile(draws, BAND[1])),
        "replications": r,
        "verdict": word,
    }


def closest_world_table(frame: pd.DataFrame | None = None, cells: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every published statistic of Tables 3-10 judged by the world's sampling distribution.

    Parameters
    ----------
    frame : DataFrame, optional
        A world Monte Carlo (:func:`run_world`); by default the stored one (:func:`load_world`).
    cells : DataFrame, optional
        The published cells; by default ``data/published/regression_cells.csv``.

    Returns
    -------
    DataFrame
        :data:`OUTPUT_COLUMNS`: one row per published coefficient, and per published SE, N, adjusted
        R², KP statistic and suest p that the world produces.
    """
    from aichain_utils.inputs.published import load_regression_cells
    from aichain_utils.replication.lab import WORLD_STATISTICS

    frame = load_world()[0] if frame is None else frame
    cells = load_regression_cells() if cells is None else cells
    ok = frame[(frame["error"] == "") & frame["statistic"].isin(WORLD_STATISTICS)]
    draws = {key: g["value"].to_numpy() for key, g in ok.groupby(["table", "column", "statistic"])}
    rows = []
    for _, pub in cells.iterrows():
        t, c = int(pub["table"]), int(pub["column"])
        for stat in WORLD_STATISTICS:
            if pd.isna(pub.get(stat)):
                continue
            summary = verdict(float(pub[stat]), draws.get((t, c, stat), np.array([])), PRINTED_DECIMALS[stat])
            if summary["replications"] == 0 and stat != "coef":
                continue  # a statistic the world does not produce is listed for coefficients only
            rows.append({"id": finding_id(t, c, stat), "table": t, "column": c, "statistic": stat,
                         "published": float(pub[stat]), **summary})  # fmt: skip
    return pd.DataFrame(rows, columns=OUTPUT_COLUMNS)


def band_share(table: pd.DataFrame, statistic: str = "coef") -> dict:
    """The share of published ``statistic`` values inside the world's central 95% band.

    Returns ``n`` (published values), ``inside`` (verdict "consistent"), ``edge`` (undecided within
    Monte Carlo error), ``share`` (inside / n) and ``share_high`` ((inside + edge) / n): the share lies
    between ``share`` and ``share_high`` whichever side the undecided cells fall on.
    """
    rows = table[table["statistic"] == statistic]
    n = len(rows)
    inside = int((rows["verdict"] == VERDICTS[0]).sum())
    edge = int((rows["verdict"] == VERDICTS[1]).sum())
    return {"n": n, "inside": inside, "edge": edge, "share": inside / n if n else float("nan"),
            "share_high": (inside + edge) / n if n else float("nan")}  # fmt: skip


def write_closest_world(directory: Path, table: pd.DataFrame | None = None) -> Path:
    """Write ``closest_world.csv`` into ``directory`` (``_build/tables``) and return its path."""
    table = closest_world_table() if table is None else table
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "closest_world.csv"
    table.to_csv(path, index=False, float_format="%.6g")
    return path


def _save(frame: pd.DataFrame, reps: int, master: int, seconds: float, n_jobs: int) -> None:
    from aichain_utils.replication import lab

    folder = results_path()
    lab.save_monte_carlo(frame, reps, master, seconds, what="world", n_jobs=n_jobs, folder=folder)
    meta = json.loads((folder / "meta.json").read_text())
    meta["seeds"] = world_seeds(master, reps)
    meta["failed_replications"] = int(frame.loc[frame["error"] != "", "replication"].nunique())
    meta["results_sha256"] = hashlib.sha256((folder / "results.parquet").read_bytes()).hexdigest()
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - the documented command `make montecarlo-world`
    import argparse
    import shutil

    parser = argparse.ArgumentParser(description="Run and store the closest world's Monte Carlo (resumable).")
    parser.add_argument("--reps", type=int, default=WORLD_REPS)
    parser.add_argument("--jobs", type=int, default=2, help="local worker processes")
    args = parser.parse_args(argv)
    ckpt = results_path() / "checkpoint"
    print(f"{args.reps} world replications on {args.jobs} processes; checkpoints in {ckpt}", flush=True)
    t0 = time.perf_counter()

    def progress(k: int, n: int) -> None:
        print(f"  chunk {k}/{n} ({time.perf_counter() - t0:.0f} s)", flush=True)

    frame = run_world(args.reps, WORLD_MASTER_SEED, args.jobs, checkpoint=ckpt, on_chunk=progress)
    seconds = time.perf_counter() - t0
    _save(frame, args.reps, WORLD_MASTER_SEED, seconds, args.jobs)
    shutil.rmtree(ckpt)
    failed = frame.loc[frame["error"] != "", "replication"].nunique()
    print(f"{args.reps} replications in {seconds:.1f} s ({failed} with a failure); stored in {results_path()}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
