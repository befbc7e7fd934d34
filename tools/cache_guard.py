"""Clear the notebook execution cache when anything a chapter reads has changed.

jupyter-cache re-runs a notebook only when its own text changes. The chapters also read
the package (aichain_utils/), the data (data/) and, when set, the licensed data file
($AICHAIN_DATA); this guard fingerprints those and removes ``_build/.jupyter_cache`` when
the fingerprint differs from the last build's, so a stale output is never shown.
Usage: ``python tools/cache_guard.py [BUILD_DIR]`` (run by ``make book``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fingerprint() -> str:
    """SHA-256 over the package, the data folder and the licensed data file, if any."""
    h = hashlib.sha256()
    files = sorted(
        p
        for folder in (ROOT / "aichain_utils", ROOT / "data")
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    for path in files:
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    licensed = os.environ.get("AICHAIN_DATA", "").strip()
    h.update(f"AICHAIN_DATA={licensed}".encode())
    if licensed and Path(licensed).is_file():
        h.update(Path(licensed).read_bytes())
    return h.hexdigest()


def main(argv: list[str]) -> int:
    build = Path(argv[0]) if argv else ROOT / "_build"
    stamp = build / ".inputs-sha256"
    current = fingerprint()
    if stamp.is_file() and stamp.read_text().strip() == current:
        return 0
    cache = build / ".jupyter_cache"
    if cache.exists():
        shutil.rmtree(cache)
        print("cache_guard: inputs changed since the last build; execution cache cleared")
    build.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
