"""What a build's pages depend on besides their own text, and how a build is kept from going stale.

A chapter's executed outputs depend on its own text (jupyter-cache keys on it, Sphinx on its
modification time) **and** on things neither tool sees: the package ``aichain_utils/``, the
folder ``data/``, the pinned environment (``requirements.txt``), every ``AICHAIN_*`` environment
variable (the data source, its encoding, sheet, column map and weighting switch), and the bytes of
any file such a variable names. :func:`inputs_fingerprint` hashes all of them, and nothing else: a
variable that names a file counts by the file's resolved path and bytes, not by how it was spelled,
and the directory ``make`` ran from (``AICHAIN_CWD``) is not an input, so ``make -C`` from another
folder, or the build steps run by hand, keep every cache.

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
import re
import shutil
from html import escape as html_escape
from pathlib import Path

__all__ = [
    "CHECK_RECORD",
    "GOOD_MARK",
    "STAMP_NAME",
    "good_build_time",
    "inputs_fingerprint",
    "keep_last_good",
    "mark_failed_site",
    "mark_good_site",
    "reset_if_changed",
    "restore_last_good",
    "set_aside_if_inputs_changed",
]

#: File in the build folder that holds the fingerprint of the inputs of the last build.
STAMP_NAME = ".inputs-sha256"
#: Environment variables whose value (and, if it names a file, whose file) a build depends on.
ENV_PREFIX = "AICHAIN_"
#: Environment variables that are not inputs of the executed notebooks (set by tests or by CI, or read
#: only by Sphinx): the edition (``AICHAIN_EDITION``) removes solutions from the pages but changes no
#: notebook's outputs, so switching editions keeps the execution cache; Sphinx re-reads every page
#: through the ``aichain_edition`` configuration value (:mod:`aichain_utils.book.sphinxext`).
#: ``AICHAIN_CWD`` (the directory ``make`` ran from) only resolves relative paths: the resolved file is
#: what is hashed. ``AICHAIN_COUNTERPART`` (:data:`COUNTERPART_ENV`) only adds the language switch to the
#: English pages (the configuration value Sphinx rewrites every page for).
_NOT_INPUTS = {"AICHAIN_DASK", "AICHAIN_EDITION", "AICHAIN_CWD", "AICHAIN_PANEL_CACHE", "AICHAIN_COUNTERPART"}


#: The Chinese catalogue of the figures' texts: an input of the execution, since a chapter draws each figure's
#: Chinese rendering when it runs (:mod:`aichain_utils.report.figurelabels`).
FIGURE_CATALOGUE = "locale/zh_CN/LC_MESSAGES/figures.po"
#: The catalogues the chapters read when they run, so inputs of the execution: the figures' texts, and the
#: tables' labels, whose words the audit's Chinese list of findings uses
#: (:func:`aichain_utils.replication.results.audit.tables_catalogue`).
EXECUTION_CATALOGUES = (FIGURE_CATALOGUE, "locale/zh_CN/LC_MESSAGES/tables.po")

#: What a build derives from its inputs: removed together when the inputs change, so that neither a
#: page, an executed notebook nor a table file (``_build/tables``) of older inputs survives, even when
#: the new build fails or no longer writes it.
DERIVED = (".jupyter_cache", ".doctrees", "jupyter_execute", "html", "tables", ".panel-cache")
#: What executing the chapters on one set of inputs made (of :data:`DERIVED`). When the inputs change it
#: is kept aside, in :data:`SAVED_EXECUTIONS` under those inputs' fingerprint, instead of being removed,
#: and put back when a later build has exactly those inputs again: switching from one's own file back to
#: the simulated panel (or back to the file) executes nothing again. Sphinx's saved state and the pages
#: are removed as before, so every page is read again from the execution of its own inputs.
EXECUTION_PRODUCTS = (".jupyter_cache", "tables", ".panel-cache")
#: In the build folder: the executions of earlier inputs, one folder per fingerprint.
SAVED_EXECUTIONS = ".saved-executions"
#: How many earlier inputs' executions are kept (the most recent; about 12 MB each for the book on the simulated panel).
KEPT_EXECUTIONS = 2
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
_ORDER = "order.txt"


def _root() -> Path:
    return Path(__file__).resolve().parents[2]


def _hash_tree(h, root: Path, folder: Path) -> None:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())


def _named_file(value: str) -> Path | None:
    """The file an environment value names, resolved as the data loader resolves it
    (:func:`aichain_utils.inputs.datainput.resolve_user_path`: relative to ``AICHAIN_CWD``), or None."""
    if not value.strip() or "\0" in value:
        return None
    path = Path(value.strip()).expanduser()
    candidates = [path] if path.is_absolute() else [Path(os.environ.get("AICHAIN_CWD") or os.getcwd()) / path, path]
    try:
        return next((c.resolve() for c in candidates if c.is_file()), None)
    except OSError:  # a value too long to be a path, say
        return None


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
        reruns its comparisons), ``requirements.txt``, the catalogues the chapters read (:data:`EXECUTION_CATALOGUES`)
        and every ``AICHAIN_*`` environment variable but
        those of ``_NOT_INPUTS``: its name and value, or, when the value names a file, its name, the
        file's resolved path and the file's bytes.
    """
    root = root or _root()
    h = hashlib.sha256()
    for folder in ("aichain_utils", "data", "tests/reference"):
        _hash_tree(h, root, root / folder)
    requirements = root / "requirements.txt"
    if requirements.is_file():
        h.update(requirements.read_bytes())
    for name in EXECUTION_CATALOGUES:  # read when a chapter runs (the figures' Chinese, the audit's labels)
        catalogue = root / name
        if catalogue.is_file():
            h.update(b"\0" + name.encode() + b"\0" + catalogue.read_bytes())
    for name in sorted(k for k in os.environ if k.startswith(ENV_PREFIX) and k not in _NOT_INPUTS):
        value = os.environ[name]
        path = _named_file(value)
        if path is None:
            h.update(f"\n{name}={value}\n".encode())
        else:
            h.update(f"\n{name} names {path}\n".encode())
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

    Notes
    -----
    The execution of the previous inputs is kept aside rather than removed, and the execution of the
    new inputs put back when an earlier build had exactly them (:data:`EXECUTION_PRODUCTS`): safe, as
    the fingerprint is the same one the stamp compares, and jupyter-cache still matches each chapter by
    its text.
    """
    stamp = build / STAMP_NAME
    current = inputs_fingerprint(root)
    previous = stamp.read_text().strip() if stamp.is_file() else ""
    if previous == current:
        return False
    removed = _set_aside_execution(build, previous, keep) if _FINGERPRINT.fullmatch(previous) else []
    for name in (n for n in DERIVED if n not in keep):
        target = build / name
        if target.exists():
            shutil.rmtree(target)
            removed.append(name)
    build.mkdir(parents=True, exist_ok=True)
    restored = _restore_execution(build, current, keep)
    _keep_recent_executions(build)
    stamp.write_text(current + "\n")
    if removed:
        print(f"aichain: the inputs changed since the last build; removed {', '.join(removed)} from {build}")
    if restored:
        print(
            f"aichain: the execution of these inputs by an earlier build is put back ({', '.join(restored)} from "
            f"{build / SAVED_EXECUTIONS}); every page is read again"
        )
    return True


def _set_aside_execution(build: Path, fingerprint: str, keep: tuple[str, ...] = ()) -> list[str]:
    """Move the :data:`EXECUTION_PRODUCTS` of the inputs ``fingerprint`` (the last build's) into
    ``SAVED_EXECUTIONS/<fingerprint>``, keep the :data:`KEPT_EXECUTIONS` most recent such folders, and
    return the names moved (gone from the build folder). Nothing is kept without an execution cache."""
    if not (build / ".jupyter_cache").is_dir() or ".jupyter_cache" in keep:
        return []
    saved = build / SAVED_EXECUTIONS
    target = saved / fingerprint
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    moved = []
    for name in (n for n in EXECUTION_PRODUCTS if n not in keep and (build / n).exists()):
        (build / name).rename(target / name)
        moved.append(name)
    order = [f for f in _saved_order(saved) if f != fingerprint] + [fingerprint]
    (saved / _ORDER).write_text("".join(f + "\n" for f in order))
    return moved


def _saved_order(saved: Path) -> list[str]:
    """The fingerprints whose executions are kept, the oldest first."""
    path = saved / _ORDER
    return path.read_text().split() if path.is_file() else []


def _keep_recent_executions(build: Path) -> None:
    """Keep the :data:`KEPT_EXECUTIONS` executions set aside last; remove the others."""
    saved = build / SAVED_EXECUTIONS
    if not saved.is_dir():
        return
    order = [f for f in _saved_order(saved) if _FINGERPRINT.fullmatch(f) and (saved / f).is_dir()]
    kept = order[-KEPT_EXECUTIONS:]
    for folder in (p for p in saved.iterdir() if p.is_dir() and p.name not in kept):
        shutil.rmtree(folder)
    (saved / _ORDER).write_text("".join(f + "\n" for f in kept))


def _restore_execution(build: Path, fingerprint: str, keep: tuple[str, ...] = ()) -> list[str]:
    """Put back the :data:`EXECUTION_PRODUCTS` an earlier build made from the inputs ``fingerprint`` (kept
    by :func:`_set_aside_execution`) into the build folder, which holds none of them then; the names put back."""
    source = build / SAVED_EXECUTIONS / fingerprint
    if not source.is_dir():
        return []
    restored = []
    for name in (n for n in EXECUTION_PRODUCTS if n not in keep and (source / n).exists()):
        if not (build / name).exists():
            (source / name).rename(build / name)
            restored.append(name)
    shutil.rmtree(source)
    return restored


# --------------------------------------------------------------------------- the last good site
#: In the build folder: the data check's verdict on the inputs of a fingerprint (``tools/build_book.py``).
CHECK_RECORD = ".check-data.json"
#: In a site (``_build/html``): written when ``tools/build_book.py`` finished the build; holds its time.
GOOD_MARK = ".aichain-good-build"
#: The environment variable by which ``tools/build_book.py --counterpart`` names the other edition to an
#: English build run by ``jupyter-book build`` (which takes no configuration overrides), read by the
#: book's Sphinx extension: a JSON object ``{"root": "zh/", "label": "中文", "language": "zh-CN"}``.
COUNTERPART_ENV = "AICHAIN_COUNTERPART"
#: In a site: written when a later build failed; holds the note every page shows.
FAILED_MARK = "BUILD-FAILED.txt"
#: Beside the site: a copy of the last good site while a build that may fail runs.
LAST_GOOD_SUFFIX = ".last-good"
_NOTE_START, _NOTE_END = "<!-- aichain-build-failed -->", "<!-- /aichain-build-failed -->"
_NOTE = re.compile(re.escape(_NOTE_START) + r".*?" + re.escape(_NOTE_END), re.S)


def good_build_time(site: Path) -> str | None:
    """The time of the good build ``site`` holds (:data:`GOOD_MARK`), or None."""
    mark = Path(site) / GOOD_MARK
    return mark.read_text(encoding="utf-8").strip() if mark.is_file() else None


def set_aside_if_inputs_changed(build: Path, root: Path | None = None, html: str = "html") -> bool:
    """Move a good site out of the way (to ``html.last-good``) before the inputs guard clears the build.

    Returns True if it was moved (the inputs changed and the site was good).
    """
    stamp, site = build / STAMP_NAME, build / html
    if good_build_time(site) is None or (stamp.is_file() and stamp.read_text().strip() == inputs_fingerprint(root)):
        return False
    last = build / (html + LAST_GOOD_SUFFIX)
    if last.exists():
        shutil.rmtree(last)
    site.rename(last)
    return True


def keep_last_good(site: Path) -> bool:
    """Copy a good site aside (``<site>.last-good``) before a build rewrites it in place.

    Called by the Sphinx extension when it is about to read pages; a copy of the same good build is
    kept as it is. Returns True if a copy was made.
    """
    site = Path(site)
    when = good_build_time(site)
    last = site.parent / (site.name + LAST_GOOD_SUFFIX)
    if when is None or good_build_time(last) == when:
        return False
    if last.exists():
        shutil.rmtree(last)
    shutil.copytree(site, last, symlinks=True)
    return True


def restore_last_good(build: Path, html: str = "html") -> bool:
    """Put the copy of the last good site back in place of a failed build's pages."""
    last, site = build / (html + LAST_GOOD_SUFFIX), build / html
    if not last.is_dir():
        return False
    if site.exists():
        shutil.rmtree(site)
    last.rename(site)
    return True


def _pages(site: Path):
    return (p for p in Path(site).rglob("*.html") if p.is_file())


def _insert_note(text: str, note: str) -> str:
    text = _NOTE.sub("", text)
    style = "border:2px solid #b3261e;background:#fdecea;color:#3b0b09;padding:0.6em 1em;margin:0.5em 0"
    block = f'{_NOTE_START}<div class="aichain-build-failed" role="alert" style="{style}">{note}</div>{_NOTE_END}'
    at = text.find('<div class="aichain-data-banner')
    if at < 0:
        body = re.search(r"<body[^>]*>", text)
        if body is None:
            return text
        at = body.end()
    return text[:at] + block + text[at:]


def mark_failed_site(site: Path, failed_at: str, reason: str) -> str | None:
    """Mark every page of ``site`` as not current: a failed build left it.

    A good site's pages say "This is the last good build, of <time>; the build of <time> failed:
    <reason>"; a site that is not marked good (the failed build's own pages) says that its build
    failed. The note goes above the data banner, and into ``BUILD-FAILED.txt``.

    Returns
    -------
    str or None
        The time of the good build the site holds, or None.
    """
    site = Path(site)
    if not site.is_dir():
        return None
    when = good_build_time(site)
    if when is not None:
        text = f"This is the last good build, of {when}; the build of {failed_at} failed: {reason}"
    else:
        text = f"These pages are from the build of {failed_at}, which failed: {reason}"
    note = f"<strong>Not current.</strong> {html_escape(text)}"
    for page in _pages(site):
        page.write_text(_insert_note(page.read_text(encoding="utf-8"), note), encoding="utf-8")
    (site / FAILED_MARK).write_text(text + "\n", encoding="utf-8")
    return when


def mark_good_site(build: Path, started: str, html: str = "html") -> None:
    """After a successful build: mark the site good, remove any failure note, drop the old copy."""
    site = build / html
    if (site / FAILED_MARK).is_file():
        for page in _pages(site):
            text = page.read_text(encoding="utf-8")
            if _NOTE_START in text:
                page.write_text(_NOTE.sub("", text), encoding="utf-8")
        (site / FAILED_MARK).unlink()
    (site / GOOD_MARK).write_text(started + "\n", encoding="utf-8")
    last = build / (html + LAST_GOOD_SUFFIX)
    if last.exists():
        shutil.rmtree(last)
