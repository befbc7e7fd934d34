"""Remove the saved build state when anything a chapter reads has changed.

jupyter-cache re-runs a notebook only when its own text changes, and Sphinx re-reads a page only
when its source changes. The chapters also read the package, ``data/``, the pinned environment,
the ``AICHAIN_*`` switches and the data file they name; when their fingerprint
(:func:`aichain_utils.book.buildstate.inputs_fingerprint`) differs from the last build's, this removes
the execution cache and Sphinx's doctrees, so no page is served from older inputs.
Usage: ``python tools/cache_guard.py [BUILD_DIR [ROOT]]`` (run by ``tools/build_book.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from aichain_utils.book.buildstate import reset_if_changed

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else ROOT
    reset_if_changed(Path(argv[0]) if argv else root / "_build", root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
