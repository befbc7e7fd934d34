"""Simulation lab: rerun the main estimators under named scenarios, and a Monte Carlo study.

The DGP parameters of ``data/simulation/params.yml`` are the inputs; each scenario changes a
few of them. For each simulated panel the lab estimates equation (1) by two-way fixed effects
(Table 3 column 6), 2SLS with each of IV1-IV4 (Table 4 columns 1-4), first differences (Table 4
column 5) and the indirect effect through FSIE (Table 6 with equation 3).

The Monte Carlo runs ``reps`` seeded replications in parallel (joblib) and stores its results
with a fingerprint of everything that produced them, so the book shows stored results and the
full run is one command: ``make montecarlo``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from aichain_utils import mediation, models, panel, simulate
from aichain_utils.paths import data_dir, repo_root

__all__ = [
    "ESTIMATORS",
    "SCENARIOS",
    "estimate_all",
    "load_monte_carlo",
    "monte_carlo",
    "monte_carlo_fingerprint",
    "monte_carlo_summary",
    "run_scenarios",
    "scenario_params",
    "truths",
]

#: Scenario name -> (description, {dotted parameter path: value}).
SCENARIOS: dict[str, tuple[str, dict[str, float]]] = {
    "baseline": ("the calibrated panel", {}),
    "no effect": ("the true effect of AIE on ERL set to zero", {"effects.aie_on_erl_total": 0.0}),
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


def estimate_all(params: dict, seed: int) -> list[dict]:
    """Simulate one panel and run every lab estimator on it."""
    d = panel.build_analysis_panel(simulate.simulate_panel(params, seed=seed).raw).data
    rows = []
    fe = models.fit_two_way_fe(d, engine="fast")
    rows.append(("FE", fe.coef, fe.se))
    for iv in ["IV1", "IV2", "IV3", "IV4"]:
        e = models.fit_iv(d, iv)
        rows.append((iv, e.coef, e.se))
    fd = models.fit_first_difference(d)
    rows.append(("FD", fd.coef, fd.se))
    med = mediation.mediation_analysis(d, "FSIE")
    rows.append(("indirect FSIE", med.indirect, med.sobel_se))
    return [{"seed": seed, "estimator": k, "estimate": float(b), "se": float(s)} for k, b, s in rows]


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


def monte_carlo_fingerprint(reps: int, first_seed: int, scenario: str = "baseline") -> str:
    """SHA-256 over the parameters, the code that produces the results, and the run's settings."""
    h = hashlib.sha256()
    h.update((data_dir() / "simulation" / "params.yml").read_bytes())
    for name in _FINGERPRINT_FILES:
        h.update((repo_root() / "aichain_utils" / name).read_bytes())
    h.update(f"{reps}|{first_seed}|{scenario}".encode())
    return h.hexdigest()


def monte_carlo(reps: int = 200, first_seed: int = 1, scenario: str = "baseline", n_jobs: int = 2) -> pd.DataFrame:
    """``reps`` replications with seeds ``first_seed, first_seed + 1, ...``, run in parallel."""
    p = scenario_params(scenario)
    rows = Parallel(n_jobs=n_jobs)(delayed(estimate_all)(p, first_seed + r) for r in range(reps))
    frame = pd.DataFrame([row for rep in rows for row in rep])
    truth = truths(p)
    frame["truth"] = frame["estimator"].map(truth)
    return frame


def results_path() -> Path:
    """Where the stored Monte Carlo results live."""
    return data_dir() / "montecarlo"


def save_monte_carlo(frame: pd.DataFrame, reps: int, first_seed: int, seconds: float) -> None:
    """Store results and their fingerprint (``data/montecarlo/``)."""
    folder = results_path()
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "results.csv", index=False, float_format="%.10g")
    meta = {
        "reps": reps,
        "first_seed": first_seed,
        "scenario": "baseline",
        "seconds": round(seconds, 1),
        "fingerprint": monte_carlo_fingerprint(reps, first_seed),
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def load_monte_carlo() -> tuple[pd.DataFrame, dict, bool]:
    """Stored results, their metadata, and whether they are current (fingerprint matches)."""
    folder = results_path()
    meta = json.loads((folder / "meta.json").read_text())
    frame = pd.read_csv(folder / "results.csv")
    current = meta["fingerprint"] == monte_carlo_fingerprint(meta["reps"], meta["first_seed"], meta["scenario"])
    return frame, meta, current


def monte_carlo_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Bias, RMSE, mean SE, SD of estimates and 95% CI coverage per estimator."""
    rows = []
    for est, g in frame.groupby("estimator", sort=False):
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
    return pd.DataFrame(rows)


def main() -> None:  # pragma: no cover - the documented command `make montecarlo`
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Run and store the Monte Carlo study.")
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    t0 = time.perf_counter()
    frame = monte_carlo(args.reps, args.first_seed, n_jobs=args.jobs)
    seconds = time.perf_counter() - t0
    save_monte_carlo(frame, args.reps, args.first_seed, seconds)
    print(f"{args.reps} replications in {seconds:.1f} s; stored in {results_path()}")


if __name__ == "__main__":  # pragma: no cover
    main()
