"""What a build's pages depend on besides their own text, and how a build is kept from going stale.

A chapter's executed outputs depend on its own text (jupyter-cache keys on it, Sphinx on its
modification time) **and** on things neither tool sees: the package ``aichain_utils/``, the
folder ``data/``, the pinned environment (``requirements.txt``), every ``AICHAIN_*`` environment
variable (the data source, its encoding, sheet, column map and weighting switch), and the bytes of
any file such a variable names. :func:`inputs_fingerprint` hashes all of them.

Two guards use it, so that a page is never served from an older input:

* :func:`reset_if_changed` (run by ``make book`` through ``tools/cache_guard.py`` before the
  parallel pre-execution, and again from the Sphinx extension when a build starts) removes the
  execution cache *and* Sphinx's saved state (``.doctrees``) when the fingerprint differs from the
  last build's;
* the Sphinx extension also registers the fingerprint as a configuration value that invalidates
  the environment, so even a bare ``jupyter-book build .`` re-reads every page when it changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

__all__ = ["STAMP_NAME", "inputs_fingerprint", "reset_if_changed"]

#: File in the build folder that holds the fingerprint of the inputs of the last build.
STAMP_NAME = ".inputs-sha256"
#: Environment variables whose value (and, if it names a file, whose file) a build depends on.
ENV_PREFIX = "AICHAIN_"
#: Environment variables that are not inputs of the executed notebooks (set by tests or by CI, or read
#: only by Sphinx): the edition (``AICHAIN_EDITION``) removes solutions from the pages but changes no
#: notebook's outputs, so switching editions keeps the execution cache; Sphinx re-reads every page
#: through the ``aichain_edition`` configuration value (:mod:`aichain_utils.sphinxext`).
_NOT_INPUTS = {"AICHAIN_DASK", "AICHAIN_EDITION"}


#: What a build derives from its inputs: removed together when the inputs change, so that neither a
#: page, an executed notebook nor a table file (``_build/tables``) of older inputs survives, even when
#: the new build fails or no longer writes it.
DERIVED = (".jupyter_cache", ".doctrees", "jupyter_execute", "html", "tables")


def _root() -> Path:
    return Path(__file__).resolve().parent.parent


def _hash_tree(h, root: Path, folder: Path) -> None:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())


def _named_file(value: str) -> Path | None:
    """The file an environment value names, resolved as the data loader resolves it."""
    if not value.strip():
        return None
    path = Path(value.strip()).expanduser()
    candidates = [path] if path.is_absolute() else [Path(os.environ.get("AICHAIN_CWD", os.getcwd())) / path, path]
    return next((c for c in candidates if c.is_file()), None)


def _hash_file(h, path: Path) -> None:
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)


def inputs_fingerprint(root: Path | None = None) -> str:
    """SHA-256 of everything a chapter's outputs depend on besides the chapter's own text.

    Parameters
    ----------
    root : Path, optional
        Repository root; defaults to the checkout that holds this package.

    Returns
    -------
    str
        Hex digest over ``aichain_utils/``, ``data/``, ``tests/reference/`` (the validation appendix
        reruns its comparisons), ``requirements.txt``, every ``AICHAIN_*``
        environment variable (name and value) and the bytes of any file such a value names.
    """
    root = root or _root()
    h = hashlib.sha256()
    for folder in ("aichain_utils", "data", "tests/reference"):
        _hash_tree(h, root, root / folder)
    requirements = root / "requirements.txt"
    if requirements.is_file():
        h.update(requirements.read_bytes())
    for name in sorted(k for k in os.environ if k.startswith(ENV_PREFIX) and k not in _NOT_INPUTS):
        value = os.environ[name]
        h.update(f"\n{name}={value}\n".encode())
        path = _named_file(value)
        if path is not None:
            _hash_file(h, path)
    return h.hexdigest()


def reset_if_changed(build: Path, root: Path | None = None, keep: tuple[str, ...] = ()) -> bool:
    """Remove everything derived from older inputs (:data:`DERIVED`) if the inputs changed.

    Parameters
    ----------
    build : Path
        The build folder (``_build``): holds ``.jupyter_cache``, ``.doctrees`` and the stamp.
    root : Path, optional
        Repository root.
    keep : tuple of str
        Names in :data:`DERIVED` not to remove (the Sphinx extension keeps ``html``, the output
        folder Sphinx has already opened; it rewrites every page anyway once the environment is
        invalidated).

    Returns
    -------
    bool
        True if the inputs changed (or no build had been stamped) and the saved state was removed.
    """
    stamp = build / STAMP_NAME
    current = inputs_fingerprint(root)
    if stamp.is_file() and stamp.read_text().strip() == current:
        return False
    removed = []
    for name in (n for n in DERIVED if n not in keep):
        target = build / name
        if target.exists():
            shutil.rmtree(target)
            removed.append(name)
    build.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current + "\n")
    if removed:
        print(f"aichain: the inputs changed since the last build; removed {', '.join(removed)} from {build}")
    return True
