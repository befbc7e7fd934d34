"""Execute the book's notebooks in parallel into the jupyter-cache before the book is built.

Jupyter Book 1.x executes notebooks one after another while Sphinx reads them (its extension
``sphinx_multitoc_numbering`` is not declared safe for parallel reading, so ``-j`` would not
help). This step fills the same execution cache (``<build>/.jupyter_cache``) first, with
jupyter-cache's ``local-parallel`` executor (one process per CPU core); ``jupyter-book build`` then
finds every notebook already executed and only renders. Notebooks run in their own folder, with the
book's timeout and ``allow_errors: false``, exactly as the build would run them; a notebook whose
cached outputs are current is not run again, and a failing one is left for the build to report.

A no-change rebuild does not even ask jupyter-cache (importing it and hashing every notebook through
MyST-NB's reader took about 8 s): after each run the text of every notebook whose outputs are in the
cache is recorded in ``<build>/.jupyter_cache/aichain-preexecuted.json``; when every notebook's text
is the recorded one, nothing can need running. The record lives inside the execution cache, so it
goes with it when :mod:`tools.cache_guard` removes the cache after the inputs changed.

Notebooks that fail are written with their traceback to ``<build>/preexecute-failures.json``, which
``tools/build_book.py`` turns into the build's last lines.

Usage: ``python tools/preexecute.py [BUILD_DIR [ROOT]]`` (run by ``tools/build_book.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from pathlib import Path

from aichain_utils.book.buildstate import inputs_fingerprint
from aichain_utils.paths import toc_pages

ROOT = Path(__file__).resolve().parent.parent
READER = {"name": "myst_nb_md", "type": "plugin"}  # MyST-NB's reader: the hash matches the build's
#: Inside the execution cache: notebook path (relative to the book's folder, so that a moved or copied book
#: keeps its record) -> SHA-256 of the text whose outputs the cache holds.
RECORD = "aichain-preexecuted.json"
#: In the build folder: notebook path -> traceback, for the notebooks that failed in the last run.
FAILURES = "preexecute-failures.json"


def notebooks(root: Path = ROOT) -> list[Path]:
    """The MyST notebooks of the table of contents (files with a ``jupytext`` header)."""
    out = []
    for path in (root / f"{page}.md" for page in toc_pages(root)):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---") and "jupytext:" in text.split("---", 2)[1]:
            out.append(path)
    return out


def _text_digests(paths: list[Path], root: Path = ROOT) -> dict[str, str]:
    """Each notebook's SHA-256, by its path relative to ``root`` (the book's folder)."""
    return {
        p.resolve().relative_to(root.resolve()).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths
    }


def all_cached(build: Path, paths: list[Path], root: Path = ROOT) -> bool:
    """True when every notebook's text is one whose outputs the last run left in the cache."""
    record = build / ".jupyter_cache" / RECORD
    if not record.is_file():
        return False
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return all(known.get(k) == v for k, v in _text_digests(paths, root).items())


def _write_record(cache, build: Path, paths: list[Path], root: Path = ROOT) -> None:
    """Record the text of each notebook whose current outputs are in the cache (a failed one is not)."""
    cached = {}
    for path, (name, digest) in zip(paths, _text_digests(paths, root).items(), strict=True):
        try:
            hit = cache.get_cached_project_nb(str(path))
        except KeyError:  # not in the project
            hit = None
        if hit is not None:
            cached[name] = digest
    (build / ".jupyter_cache" / RECORD).write_text(json.dumps(cached, indent=1), encoding="utf-8")


def main(argv: list[str]) -> int:
    root = Path(argv[1]).resolve() if len(argv) > 1 else ROOT
    build = Path(argv[0]) if argv else root / "_build"
    paths = notebooks(root)
    failures = build / FAILURES
    failures.unlink(missing_ok=True)
    if all_cached(build, paths, root):
        print(f"preexecute: all {len(paths)} notebooks are cached and unchanged; nothing to run")
        return 0
    import yaml
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    timeout = int(config.get("execute", {}).get("timeout", 600))
    cache = get_cache(build / ".jupyter_cache")
    known = {r.uri: r for r in cache.list_project_records()}
    for path in paths:
        if str(path) not in known:
            cache.add_nb_to_project(str(path), read_data=READER)
    # One kernel per core already: one BLAS thread per kernel (unless the caller says otherwise), so the
    # kernels do not oversubscribe the cores; the regressions' tall, narrow products gain nothing from more.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    # The chapters share one analysis panel: built by the first, read by the others (aichain_utils.inputs.panel),
    # in a folder named by the fingerprint of every input, so a changed input never reads an old panel.
    os.environ["AICHAIN_PANEL_CACHE"] = str((build / ".panel-cache" / inputs_fingerprint(root)).resolve())
    logging.basicConfig(level=logging.WARNING, format="preexecute: %(message)s")
    executor = load_executor("local-parallel", cache=cache, logger=logging.getLogger("preexecute"))
    result = executor.run_and_cache(timeout=timeout, allow_errors=False)
    _write_record(cache, build, paths, root)
    failed = {r.uri: r.traceback or "" for r in cache.list_project_records() if r.uri in set(result.excepted)}
    failed.update({uri: "the notebook could not be run (see the log above)" for uri in result.errored})
    if failed:
        failures.write_text(json.dumps(failed, indent=1), encoding="utf-8")
    print(
        f"preexecute: {len(result.succeeded)} executed, {len(result.excepted)} failed "
        f"(the build reports failures), {len(result.errored)} could not run"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
