"""Count the simulated panels that fail any check of the raw data or of the analysis panel (issue 21).

Each replication draws the panel of the lab's Monte Carlo stream (``aichain_utils.replication.lab.replication_seed``,
master seed ``--master-seed``) from the default parameters (params.yml with its calibrated block), at
``--scale`` times the units, and builds the analysis panel from it: every rule of
``aichain_utils.inputs.panel.validate_raw`` (finite, |value| at most 1e15, positive where a formula divides
or takes logs, no constant indicator, ...) and every step of ``build_analysis_panel``. A replication
that raises is a failure; its message is kept. The count is written to
``data/simulation/failures_<scale>x.json`` after every ``--every`` replications, so an interrupted run
still reports how many it checked, and ``--resume`` continues it (only when the stored count was made
with the same parameters, scale and master seed).

Usage: ``python tools/simulator_failures.py --reps 1000 --scale 1 --jobs 2``.
"""

from __future__ import annotations

import argparse
import json
import time

import yaml
from joblib import Parallel, delayed

from aichain_utils.inputs import panel
from aichain_utils.paths import data_dir
from aichain_utils.replication import lab
from aichain_utils.simulation import simulate


def check_one(params: dict, master_seed: int, replication: int, scale: int) -> str:
    """The error of one replication's panel ("" when it passes every check)."""
    try:
        raw = simulate.simulate_panel(params, seed=lab.replication_seed(master_seed, replication), scale=scale).raw
        panel.build_analysis_panel(raw)
    except Exception as exc:  # counted, not fatal
        return f"{type(exc).__name__}: {exc}"[:500]
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--master-seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--resume", action="store_true", help="continue the stored count made with these parameters")
    args = parser.parse_args()
    params = simulate.load_params()
    text = simulate.default_params_path().read_text(encoding="utf-8")
    digest = yaml.safe_load(text).get("calibration_fingerprint")  # of the parameters loaded, not read again
    out = data_dir() / "simulation" / f"failures_{args.scale}x.json"
    start, errors, done, first, spent = time.perf_counter(), {}, 0, 0, 0.0
    if args.resume and out.exists():
        old = json.loads(out.read_text(encoding="utf-8"))
        same = (old.get("calibration_fingerprint"), old.get("scale"), old.get("master_seed"))
        if same != (digest, args.scale, args.master_seed):
            raise SystemExit(f"{out} was made with other parameters, scale or master seed: run without --resume")
        first, spent = int(old["replications_checked"]), float(old["seconds"])
        if len(old["errors"]) < old["failed"]:
            raise SystemExit(f"{out} keeps {len(old['errors'])} of {old['failed']} errors: run without --resume")
        errors = {int(r): e for r, e in old["errors"].items()}
    for lo in range(first, args.reps, args.every):
        batch = range(lo, min(lo + args.every, args.reps))
        found = Parallel(n_jobs=args.jobs)(delayed(check_one)(params, args.master_seed, r, args.scale) for r in batch)
        errors |= {r: e for r, e in zip(batch, found, strict=True) if e}
        done = batch[-1] + 1
        doc = {
            "replications_checked": done,
            "replications_planned": args.reps,
            "scale": args.scale,
            "master_seed": args.master_seed,
            "failed": len(errors),
            "errors": {str(r): e for r, e in list(errors.items())[:10]},
            "calibration_fingerprint": digest,
            "seconds": round(spent + time.perf_counter() - start, 1),
        }
        out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        print(f"{done} checked, {len(errors)} failed ({doc['seconds']} s)", flush=True)


if __name__ == "__main__":
    main()
