"""`make calibrate`: choose the default simulated world's parameters (aichain_utils.replication.calibration).

Writes the `calibrated:` block of data/simulation/params.yml and data/simulation/calibration.json.
"""

from __future__ import annotations

import argparse
import json
import time

from aichain_utils.replication import calibration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dry-run", action="store_true", help="compute, print, write nothing")
    parser.add_argument("--jobs", type=int, default=1, help="processes for the seeds (joblib)")
    args = parser.parse_args()
    start = time.perf_counter()
    result = calibration.calibrate(write=not args.dry_run, jobs=args.jobs)
    cw = result.closest
    print(cw.to_string(index=False))
    print(json.dumps(result.summary, indent=1))
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
