"""Execute the book's notebooks in parallel into the jupyter-cache before the book is built.

Jupyter Book 1.x executes notebooks one after another while Sphinx reads them (its extension
``sphinx_multitoc_numbering`` is not declared safe for parallel reading, so ``-j`` would not
help). This step fills the same execution cache (``<build>/.jupyter_cache``) first, with
jupyter-cache's ``local-parallel`` executor (one process per CPU core); ``jupyter-book build`` then
finds every notebook already executed and only renders. Notebooks run in their own folder, with the
book's timeout and ``allow_errors: false``, exactly as the build would run them; a notebook whose
cached outputs are current is not run again, and a failing one is left for the build to report.

Usage: ``python tools/preexecute.py [BUILD_DIR]`` (run by ``make book`` and ``make test``).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import yaml
from jupyter_cache import get_cache
from jupyter_cache.executors import load_executor

from aichain_utils.paths import toc_pages

ROOT = Path(__file__).resolve().parent.parent
READER = {"name": "myst_nb_md", "type": "plugin"}  # MyST-NB's reader: the hash matches the build's


def notebooks(root: Path = ROOT) -> list[Path]:
    """The MyST notebooks of the table of contents (files with a ``jupytext`` header)."""
    out = []
    for path in (root / f"{page}.md" for page in toc_pages(root)):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---") and "jupytext:" in text.split("---", 2)[1]:
            out.append(path)
    return out


def main(argv: list[str]) -> int:
    build = Path(argv[0]) if argv else ROOT / "_build"
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    timeout = int(config.get("execute", {}).get("timeout", 600))
    cache = get_cache(build / ".jupyter_cache")
    known = {r.uri: r for r in cache.list_project_records()}
    for path in notebooks():
        if str(path) not in known:
            cache.add_nb_to_project(str(path), read_data=READER)
    # One kernel per core already: one BLAS thread per kernel (unless the caller says otherwise), so the
    # kernels do not oversubscribe the cores; the regressions' tall, narrow products gain nothing from more.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    logging.basicConfig(level=logging.WARNING, format="preexecute: %(message)s")
    executor = load_executor("local-parallel", cache=cache, logger=logging.getLogger("preexecute"))
    result = executor.run_and_cache(timeout=timeout, allow_errors=False)
    print(
        f"preexecute: {len(result.succeeded)} executed, {len(result.excepted)} failed "
        f"(the build reports failures), {len(result.errored)} could not run"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
