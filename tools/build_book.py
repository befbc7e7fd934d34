"""Build the book (``make book``): every step timed, the last good site kept, a failure explained last.

The steps are those ``make book`` always ran: the data check (``tools/check_data.py --brief``), the
cache guard (:func:`aichain_utils.buildstate.reset_if_changed`), the parallel pre-execution
(``tools/preexecute.py``) and ``jupyter-book build``. This wrapper adds:

* **the check's verdict cached**: the check reads the whole file and builds the panel; its verdict
  and report depend only on the inputs fingerprint (the file's resolved path and bytes, the package,
  ``data/``, the switches), so they are kept in ``<build>/.check-data.json`` and printed again while
  the fingerprint is the same;
* **the last good site kept**: a successful build marks ``<build>/html`` good
  (:data:`aichain_utils.buildstate.GOOD_MARK`). When the inputs changed, that site is set aside
  before the guard clears the build; otherwise the Sphinx extension copies it aside before it reads
  any page. If the build then fails, the good site is put back, and every page of it says, above the
  data banner, "This is the last good build, of <time>; the build of <time> failed: <reason>"
  (:func:`aichain_utils.buildstate.mark_failed_site`); a failed ``check-data`` marks the site it leaves
  the same way. The next successful build removes the note;
* **the cause last**: when a chapter fails, the last lines printed name the chapter, the failing
  cell's purpose (its first comment line, or the nearest heading above it), the exception and its
  message; the exit status is 1 (2 when the data check failed);
* **phase times**: one line at the end (``--times``; ``make test`` prints them with its own).

Usage: ``python tools/build_book.py [--builder html|singlehtml] [--root DIR] [BUILD_DIR]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aichain_utils.buildstate import (  # noqa: E402
    CHECK_RECORD,
    inputs_fingerprint,
    mark_failed_site,
    mark_good_site,
    restore_last_good,
    set_aside_if_inputs_changed,
)

FAILURES = "preexecute-failures.json"  # written by tools/preexecute.py into the build folder
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_EXC_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)\w*)(?::\s*(.*))?$")


def now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %Z")


# --------------------------------------------------------------------------- the failure's cause
def cell_purpose(chapter: Path, source: str) -> str:
    """What a failing cell is for: its first comment line, else the nearest heading above it."""
    for line in source.splitlines():
        text = line.strip()
        if text.startswith("#") and not text.startswith("#!") and text.lstrip("#").strip():
            return text.lstrip("#").strip()
    try:
        lines = chapter.read_text(encoding="utf-8").splitlines()
    except OSError:
        return "(the chapter could not be read)"
    first = next((s for s in source.splitlines() if s.strip() and not s.startswith("%%")), "").strip()
    heading, fence = "", None
    for line in lines:
        stripped = line.strip()
        if fence is None and re.match(r"^(`{3,}|:{3,})", stripped):
            fence = re.match(r"^(`{3,}|:{3,})", stripped).group(1)
            continue
        if fence is not None:
            if stripped == fence:
                fence = None
            elif first and stripped == first:
                break
            continue
        if re.match(r"^#{1,6}\s", line):
            heading = line.lstrip("#").strip()
    return f"the section \u201c{heading}\u201d" if heading else "(no comment or heading names it)"


def parse_traceback(text: str) -> tuple[str, str]:
    """The failing cell's source and the exception line (``Type: message``) of a notebook traceback.

    ``text`` is what jupyter-cache or MyST-NB saves: nbclient's ``CellExecutionError``, which quotes
    the cell between two dashed lines and ends with the kernel's traceback.
    """
    text = _ANSI.sub("", text)
    source = ""
    parts = re.split(r"^-{10,}\s*$", text, flags=re.M)
    marker = next((k for k, p in enumerate(parts) if "error occurred while executing the following cell" in p), None)
    if marker is not None and marker + 1 < len(parts):
        source = parts[marker + 1].strip("\n")
    exception = ""
    for line in reversed([ln.strip() for ln in text.splitlines() if ln.strip()]):
        m = _EXC_LINE.match(line)
        if m and not m.group(1).endswith("CellExecutionError"):
            exception = line
            break
    return source, exception or "(no exception line in the traceback)"


def chapter_failure(root: Path, chapter: str, traceback_text: str) -> str:
    """One paragraph: the chapter, the cell's purpose, the exception and its message."""
    path = Path(chapter)
    path = path if path.is_absolute() else root / path
    source, exception = parse_traceback(traceback_text)
    try:
        shown = path.relative_to(root)
    except ValueError:
        shown = path
    return f"chapter {shown}, in the cell for {cell_purpose(path, source)}: {exception}"


def _sphinx_failures(root: Path, log: str) -> list[str]:
    """Causes in ``jupyter-book build``'s output: notebook tracebacks MyST-NB saved, then warnings."""
    causes = []
    for m in re.finditer(r"^(\S+\.(?:md|ipynb)):?\S*:?\s*WARNING: Executing notebook failed", log, re.M):
        saved = re.search(r"Notebook exception traceback saved in: (\S+)", log[m.end() :])
        text = Path(saved.group(1)).read_text(encoding="utf-8") if saved and Path(saved.group(1)).is_file() else ""
        causes.append(chapter_failure(root, m.group(1), text))
    if causes:
        return causes
    lines = [_ANSI.sub("", ln) for ln in log.splitlines()]
    found = [ln.strip() for ln in lines if re.search(r"\b(WARNING|ERROR|CRITICAL)\b:", ln)]
    return found[:5] or [
        next((ln.strip() for ln in reversed(lines) if _EXC_LINE.match(ln.strip())), "jupyter-book build failed")
    ]


# --------------------------------------------------------------------------- the steps
def check_data(build: Path, fingerprint: str) -> tuple[int, str]:
    """``check-data --brief``, or its verdict from the last run on the same inputs."""
    record = build / CHECK_RECORD
    with contextlib.suppress(OSError, ValueError):
        saved = json.loads(record.read_text(encoding="utf-8"))
        if saved.get("fingerprint") == fingerprint:
            return int(saved["status"]), saved["output"]
    from aichain_utils.checks import run_check

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = run_check(brief=True)
    build.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"fingerprint": fingerprint, "status": status, "output": out.getvalue()}))
    return status, out.getvalue()


def _run(cmd: list[str], cwd: Path, log: list[str] | None = None) -> int:
    """Run ``cmd``, echoing its output; keep it in ``log`` when given."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    for line in proc.stdout:
        sys.stdout.write(line)
        if log is not None:
            log.append(line)
    return proc.wait()


def _preexecute_failures(root: Path, build: Path) -> list[str]:
    path = build / FAILURES
    if not path.is_file():
        return []
    failed = json.loads(path.read_text(encoding="utf-8"))
    return [chapter_failure(root, uri, tb) for uri, tb in sorted(failed.items())]


def _fail(build: Path, started: str, reason: str, status: int, html: str, sphinx_state_stale: bool) -> int:
    site = build / html
    restore_last_good(build, html)
    if sphinx_state_stale:  # Sphinx's saved state is the failed build's: re-read every page next time
        shutil.rmtree(build / ".doctrees", ignore_errors=True)
    marked = mark_failed_site(site, started, reason)
    print("\n" + "=" * 78)
    print(f"BUILD FAILED ({started}).")
    print(f"Cause: {reason}")
    if marked:
        print(f"{site} holds the last good build, of {marked}, marked on every page as not current.")
    elif site.is_dir():
        print(f"{site} holds the pages of this failed build, marked as failed.")
    return status


def _times(times: dict[str, float]) -> str:
    return "build_book phase times: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items())


def build(root: Path, build_dir: Path, builder: str = "html", extra: list[str] | None = None) -> int:
    """Run the steps; returns the exit status (0 built, 1 a chapter or Sphinx failed, 2 the data check)."""
    started, times = now(), {}
    bin_dir = Path(sys.executable).parent
    fingerprint = inputs_fingerprint(root)
    html = "html" if builder == "html" else builder

    t = time.perf_counter()
    status, output = check_data(build_dir, fingerprint)
    times["check-data"] = time.perf_counter() - t
    print(output, end="")
    if status != 0:
        last = [ln for ln in output.strip().splitlines() if ln.strip()]
        reason = "make check-data failed: " + (last[-1] if last else "see its report above")
        print(_times(times))
        return _fail(build_dir, started, reason, 2, html, False)

    t = time.perf_counter()
    if builder == "html":
        set_aside_if_inputs_changed(build_dir, root, html)
    _run([str(bin_dir / "python"), str(ROOT / "tools" / "cache_guard.py"), str(build_dir), str(root)], root)
    times["cache guard"] = time.perf_counter() - t

    t = time.perf_counter()
    _run([str(bin_dir / "python"), str(ROOT / "tools" / "preexecute.py"), str(build_dir), str(root)], root)
    times["pre-execution"] = time.perf_counter() - t
    causes = _preexecute_failures(root, build_dir)
    if causes:
        print(_times(times))
        return _fail(build_dir, started, "; ".join(causes), 1, html, False)

    t = time.perf_counter()
    log: list[str] = []
    cmd = [str(bin_dir / "jupyter-book"), "build", str(root), "--builder", builder, *(extra or [])]
    if build_dir.resolve() != (root / "_build").resolve():
        cmd += ["--path-output", str(build_dir.parent)]
    code = _run(cmd, root, log)
    times["jupyter-book build"] = time.perf_counter() - t
    print(_times(times))
    if code != 0:
        return _fail(build_dir, started, "; ".join(_sphinx_failures(root, "".join(log))), 1, html, True)
    if builder == "html":
        mark_good_site(build_dir, started, html)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", default=None, help="the build folder (default: ROOT/_build)")
    parser.add_argument("--root", default=str(ROOT), help="the book's source folder")
    parser.add_argument("--builder", default="html", choices=("html", "singlehtml"))
    parser.add_argument("sphinx_args", nargs=argparse.REMAINDER, help="after --: passed to jupyter-book build")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    build_dir = Path(args.build).resolve() if args.build else root / "_build"
    extra = [a for a in args.sphinx_args if a != "--"] or ["--warningiserror", "--keep-going"]
    return build(root, build_dir, args.builder, extra)


if __name__ == "__main__":
    sys.exit(main())
