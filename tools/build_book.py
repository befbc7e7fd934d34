"""Build the book (``make book``): every step timed, the last good site kept, a failure explained last.

The steps are those ``make book`` always ran: the data check (``tools/check_data.py --brief``), the
cache guard (:func:`aichain_utils.book.buildstate.reset_if_changed`), the parallel pre-execution
(``tools/preexecute.py``) and ``jupyter-book build``. This wrapper adds:

* **the check's verdict cached**: the check reads the whole file and builds the panel; its verdict
  and report depend only on the inputs fingerprint (the file's resolved path and bytes, the package,
  ``data/``, the switches), so they are kept in ``<build>/.check-data.json`` and printed again while
  the fingerprint is the same;
* **the last good site kept**: a successful build marks ``<build>/html`` good
  (:data:`aichain_utils.book.buildstate.GOOD_MARK`). When the inputs changed, that site is set aside
  before the guard clears the build; otherwise the Sphinx extension copies it aside before it reads
  any page. If the build then fails, the good site is put back, and every page of it says, above the
  data banner, "This is the last good build, of <time>; the build of <time> failed: <reason>"
  (:func:`aichain_utils.book.buildstate.mark_failed_site`); a failed ``check-data`` marks the site it leaves
  the same way. The next successful build removes the note;
* **the cause last**: when a chapter fails, the last lines printed name the chapter, the failing
  cell's purpose (its first comment line, or the nearest heading above it), the exception and its
  message; the exit status is 1 (2 when the data check failed);
* **nothing to do, nothing done**: after a successful build the wrapper records, in the site, a
  digest of everything the pages are made from (:func:`site_manifest`: the inputs fingerprint, every
  file of the book's folder that Sphinx or a chapter can read, the edition, the builder and its
  arguments, and the PDF the landing page links). When the next build finds the same digest in a good
  site, the pages are current and neither the pre-execution nor Sphinx runs (Sphinx alone takes
  10-20 s to start and to find that nothing is out of date). Any change to any of those inputs runs
  every step as before;
* **phase times**: one line at the end (``make test`` prints them with its own).

* **a build into its own folder** (``--out DIR``): the pages go into ``DIR/html`` (or
  ``DIR/singlehtml``) with Sphinx's saved state beside them, while the execution cache, the data check's
  record, the PDFs and the wheel's cache stay in the build folder. ``make pdf EDITION=student`` builds the
  student edition into ``_build/student`` this way: it re-renders every page from the instructor build's
  execution cache (no notebook runs again) and never touches ``_build/html`` or its saved state.

* **the Chinese edition** (``--language zh_CN``, ``make book LANG=zh``; issue 26): the same pages,
  built with Sphinx's ``language: zh_CN`` and the catalogues in ``locale/zh_CN/LC_MESSAGES``, into its
  own folder (``_build/zh``: its Sphinx state and MyST-NB's files beside it) from the English build's
  execution cache (no notebook runs again), then copied into the English site as ``_build/html/zh``.
  Each of its pages links to the English page (:func:`aichain_utils.book.sphinxext.translations_setup`).
  With ``--out DIR`` the edition's folder is ``DIR/zh``, copied into ``DIR/html/zh``: the Chinese student
  edition (``--out _build/student --language zh_CN``) is ``_build/student/zh``, in
  ``_build/student/html/zh``. Its single page (``--builder singlehtml``, the Chinese PDF) is
  ``_build/zh/singlehtml`` (or ``DIR/zh/singlehtml``), without the language switch.
  ``--builder gettext`` (``make locale``) writes one message template per page into
  ``_build/locale/gettext``, for ``sphinx-intl update``.

Usage: ``python tools/build_book.py [--builder html|singlehtml|gettext] [--language zh_CN] [--root DIR]
[--out DIR] [BUILD_DIR]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aichain_utils.book.buildstate import (  # noqa: E402
    CHECK_RECORD,
    COUNTERPART_ENV,
    GOOD_MARK,
    inputs_fingerprint,
    mark_failed_site,
    mark_good_site,
    restore_last_good,
    set_aside_if_inputs_changed,
)

FAILURES = "preexecute-failures.json"  # written by tools/preexecute.py into the build folder
#: In a good site: the digest of what its pages were made from (:func:`site_manifest`).
MANIFEST = ".aichain-manifest"
#: Folders of the book's folder that no page is made from: the environment, builds and caches (the
#: tests' too), and the code that only builds or tests the book (``tests/reference`` is in the inputs
#: fingerprint).
NOT_SOURCES = {
    ".venv",
    "_build",
    ".git",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".ipynb_checkpoints",
    ".hypothesis",  # hypothesis's example database, written by the tests
}
NOT_SOURCES_AT_TOP = {"artifacts", "tests", "tools", "benchmarks"}
#: Files no page is made from that a build writes into the book's folder: the compiled catalogues
#: (``locale/zh_CN/LC_MESSAGES/*.mo``), which Sphinx compiles from the ``.po`` files (hashed) during the
#: Chinese build; counted, they made the digest recorded before the first Chinese build differ from the
#: next one's, so the second ``make book`` ran the Chinese build again.
NOT_SOURCE_SUFFIXES = (".mo",)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_EXC_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)\w*)(?::\s*(.*))?$")


def now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %Z")


# --------------------------------------------------------------------------- the failure's cause
def _cell_position(text: str, source: str) -> int:
    """Where the failing cell's code sits in the chapter: the whole code, else a line of it found once."""
    whole = source.strip()
    if whole and whole in text:
        return text.index(whole)
    lines = [ln.strip() for ln in source.splitlines() if ln.strip() and not ln.startswith("%%")]
    for line in reversed(lines):  # the last lines are the most particular
        if text.count(line) == 1:
            return text.index(line)
    return -1


def cell_purpose(chapter: Path, source: str) -> str:
    """What a failing cell is for: its first comment line, else the nearest heading above it."""
    for line in source.splitlines():
        text = line.strip()
        if text.startswith("#") and not text.startswith("#!") and text.lstrip("#").strip():
            return text.lstrip("#").strip()
    try:
        text = chapter.read_text(encoding="utf-8")
    except OSError:
        return "(the chapter could not be read)"
    at = _cell_position(text, source)
    if at < 0:
        return "(a cell whose code is not found in the chapter)"
    heading, fence = "", None
    for line in text[:at].splitlines():
        stripped = line.strip()
        opening = re.match(r"^(`{3,}|:{3,})", stripped)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and stripped == fence:
            fence = None
        elif fence is None and re.match(r"^#{1,6}\s", line):
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


# --------------------------------------------------------------------------- nothing changed?
def site_manifest(root: Path, build_dir: Path, fingerprint: str, builder: str, extra: list[str]) -> str:
    """SHA-256 of everything the pages of a build are made from (see the module's docstring); also
    the Python environment (its interpreter and the time ``make env`` last installed it)."""
    import hashlib

    h = hashlib.sha256()
    pdf_state = ""  # the PDFs the landing pages and the course pack link (instructor's, student's; en, zh)
    for pdf in (build_dir / "pdf" / name for name in PDF_NAMES):
        pdf_state += f"{pdf.stat().st_size}:{pdf.stat().st_mtime_ns};" if pdf.is_file() else "no pdf;"
    edition = os.environ.get("AICHAIN_EDITION", "")
    installed = Path(sys.executable).parent.parent / ".installed-stamp"  # `make env` touches it
    env_state = f"{sys.executable}:{installed.stat().st_mtime_ns if installed.is_file() else 'no stamp'}"
    h.update(f"{fingerprint}\n{root}\n{build_dir}\n{builder}\n{extra}\n{edition}\n{pdf_state}\n".encode())
    h.update(f"{env_state}\n".encode())
    for folder, dirs, files in os.walk(root):
        top = Path(folder) == root
        dirs[:] = sorted(d for d in dirs if d not in NOT_SOURCES and not (top and d in NOT_SOURCES_AT_TOP))
        for name in sorted(n for n in files if not n.endswith(NOT_SOURCE_SUFFIXES)):
            path = Path(folder) / name
            h.update(str(path.relative_to(root)).encode() + b"\0")
            with contextlib.suppress(OSError):
                h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def manifest_flags(
    build_dir: Path,
    extra: list[str],
    out: Path | None = None,
    language: str | None = None,
    counterpart: str | None = None,
) -> list[str]:
    """The arguments of a build that are part of its site's digest (:func:`site_manifest`): Sphinx's
    flags ``extra``, the folder of a build into its own folder (``out``), its ``language`` and the edition
    an English site links to (``counterpart``: ``make book`` and ``make test`` build the English site with
    ``--counterpart zh_CN``)."""
    flags = list(extra) + ([] if out is None or out == build_dir else [f"--out={out}"])
    flags += [f"--language={language}"] if language else []
    return flags + ([f"--counterpart={counterpart}"] if counterpart else [])


def site_is_current(site: Path, manifest: str) -> bool:
    """A good site, no failure note, made from exactly these inputs."""
    from aichain_utils.book.buildstate import FAILED_MARK, good_build_time

    mark = site / MANIFEST
    return (
        good_build_time(site) is not None
        and not (site / FAILED_MARK).exists()
        and mark.is_file()
        and mark.read_text(encoding="utf-8").strip() == manifest
    )


# --------------------------------------------------------------------------- the steps
def check_data(build: Path, fingerprint: str) -> tuple[int, str]:
    """``check-data --brief``, or its verdict from the last run on the same inputs."""
    record = build / CHECK_RECORD
    with contextlib.suppress(OSError, ValueError):
        saved = json.loads(record.read_text(encoding="utf-8"))
        if saved.get("fingerprint") == fingerprint:
            return int(saved["status"]), saved["output"]
    from aichain_utils.inputs.checkdata import run_check

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = run_check(brief=True)
    build.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"fingerprint": fingerprint, "status": status, "output": out.getvalue()}))
    return status, out.getvalue()


#: ``jupyter-book`` without ``rfc3987_syntax``: jsonschema, which Jupyter Book imports to check
#: ``_config.yml``, compiles that package's 39 grammars at import (4 s idle, 12 s on a loaded 2-core
#: machine) for IRI formats no schema of the book uses; without it jsonschema skips those two formats.
JUPYTER_BOOK = (
    "import sys; sys.modules['rfc3987_syntax'] = None; sys.argv[0] = 'jupyter-book'; "
    "from jupyter_book.cli.main import main; sys.exit(main())"
)


#: ``jupyter-book build`` into a folder of one's choice (``--out``). The command line always writes into
#: ``<path-output>/_build/<builder>`` and keeps the execution cache beside it; this runs the same Sphinx
#: build (:func:`jupyter_book.sphinx.build_sphinx`, then the command line's check of its result) with the
#: output in ``out`` and the execution cache named by the configuration (``nb_execution_cache_path``).
#: Its argument is a JSON object (:func:`sphinx_command`).
JUPYTER_BOOK_INTO = (
    "import json, sys; from pathlib import Path; sys.modules['rfc3987_syntax'] = None; a = json.loads(sys.argv[1]); "
    "from jupyter_book.sphinx import build_sphinx; from jupyter_book.cli.main import builder_specific_actions; "
    "r = build_sphinx(a['src'], a['out'], noconfig=True, path_config=a['config'], confoverrides=a['overrides'], "
    "builder=a['builder'], warningiserror=a['W'], keep_going=a['keep_going'], freshenv=a['all'], "
    "quiet=a['quiet'] > 0, really_quiet=a['quiet'] > 1, verbosity=a['verbose']); "
    "builder_specific_actions(r, a['builder'], Path(a['out']), 'book', None, print)"
)
#: The flags of ``jupyter-book build`` a build into its own folder understands (the others are refused).
_INTO_FLAGS = {"-W": "W", "--warningiserror": "W", "--keep-going": "keep_going", "--all": "all",
               "-q": "quiet", "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose",
               "-n": "nitpicky", "--nitpick": "nitpicky"}  # fmt: skip

#: The editions in another language: Sphinx's language -> the folder of the English site it is copied into.
LANGUAGE_FOLDERS = {"zh_CN": "zh"}
#: The PDFs ``make pdf`` prints (``_build/pdf``): the instructor's and the student's, English and Chinese.
PDF_NAMES = ("aichain.pdf", "aichain-student.pdf", "aichain-zh.pdf", "aichain-student-zh.pdf")
#: How the English pages name each other edition in their language switch: its label and its HTML language.
COUNTERPART_LABELS = {"zh_CN": ("中文", "zh-CN")}
#: Where the catalogues are (``locale/<language>/LC_MESSAGES/<page>.po``, written by ``make locale``).
LOCALE_DIR = "locale"
#: The Chinese edition's names of the numbered things (the English ones are ``_config.yml``'s).
NUMFIG_FORMAT = {"zh_CN": {"figure": "图 %s", "table": "本书表 %s", "code-block": "代码 %s", "section": "第 %s 节"}}
#: The site's title (beside the logo and in each page's ``<title>``) of each edition in another language.
TITLES = {"zh_CN": "aichain：人工智能嵌入与“卡脖子”技术创新链——一个可执行的复现"}
#: The Chinese edition's words of MyST-NB's toggles of hidden code cells ("Show code cell source").
CODE_PROMPTS = {"zh_CN": {"nb_code_prompt_show": "显示代码", "nb_code_prompt_hide": "隐藏代码"}}


def language_overrides(root: Path, language: str | None, builder: str) -> dict:
    """Sphinx settings of an edition in ``language`` (or of the message templates, ``builder`` gettext):
    the language, the catalogues (one per page), its numbered things' names and, in the site (builder
    ``html``), the language switch to the English page (``aichain_counterpart_root``: the English site is
    the folder above; the single page the PDF is printed from has none)."""
    overrides = {}
    if builder == "gettext" or language:
        overrides["gettext_compact"] = False  # one catalogue per page: chapters/baseline.po
    if language:
        overrides |= {"language": language, "locale_dirs": [str(root / LOCALE_DIR)]}
        if builder == "html":
            overrides |= {
                "aichain_counterpart_root": "../",
                "aichain_counterpart_label": "English",
                "aichain_counterpart_language": "en",
            }
        if language in NUMFIG_FORMAT:
            overrides["numfig_format"] = NUMFIG_FORMAT[language]
        overrides |= CODE_PROMPTS.get(language, {})
        if language in TITLES:
            overrides["html_title"] = TITLES[language]
    return overrides


def translated_toc(root: Path, out: Path, language: str) -> Path:
    """``_toc.yml`` with its part captions ("The paper, replicated") translated by the landing page's
    catalogue (``locale/<language>/LC_MESSAGES/index.po``; the captions are its messages), written into
    ``out``: the table of contents of the edition in ``language`` (the sidebar's headings). A caption
    without a translation stays as it is (the stale-catalogue test names it)."""
    from babel.messages.pofile import read_po

    po = root / LOCALE_DIR / language / "LC_MESSAGES" / "index.po"
    strings = {}
    if po.is_file():
        with po.open("rb") as f:
            strings = {m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy}

    def caption(m: re.Match) -> str:
        english = m.group(2).strip()
        return m.group(1) + json.dumps(strings.get(english, english), ensure_ascii=False) + m.group(3)

    text = (root / "_toc.yml").read_text(encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"_toc.{language}.yml"
    pattern = re.compile(r"^(\s*(?:- )?caption: )([^#\n]*?)(\s*(?:#.*)?)$", re.M)
    path.write_text(pattern.sub(caption, text), encoding="utf-8")
    return path


def sphinx_command(
    root: Path, build_dir: Path, out: Path, builder: str, extra: list[str], language: str | None = None
) -> list[str]:
    """The command that builds the book's pages with ``builder`` into ``out/<builder>``.

    When ``out`` is the build folder: ``jupyter-book build`` (with ``--path-output`` when the build
    folder is not ``root/_build``). Otherwise :data:`JUPYTER_BOOK_INTO`, whose execution cache is the
    build folder's (``build_dir/.jupyter_cache``) and whose Sphinx state (``.doctrees``) is in ``out``.
    An edition in another ``language`` and the message templates (builder ``gettext``) are always
    built this way, with :func:`language_overrides`.

    Raises
    ------
    SystemExit
        If ``extra`` holds a flag a build into its own folder does not pass on.
    """
    python = str(Path(sys.executable).parent / "python")
    if out == build_dir and not language and builder != "gettext":
        cmd = [python, "-c", JUPYTER_BOOK, "build", str(root), "--builder", builder, *extra]
        if build_dir.resolve() != (root / "_build").resolve():
            cmd += ["--path-output", str(build_dir.parent)]
        return cmd
    args = {"W": False, "keep_going": False, "all": False, "quiet": 0, "verbose": 0, "nitpicky": False}
    for flag in extra:
        if flag not in _INTO_FLAGS:
            sys.exit(f"build_book: {flag} is not passed on to a build into its own folder (--out)")
        key = _INTO_FLAGS[flag]
        args[key] = args[key] + 1 if key in ("quiet", "verbose") else True
    nitpicky = {"nitpicky": True} if args.pop("nitpicky") else {}
    args |= {
        "src": str(root),
        "out": str(out / builder),
        "config": str(root / "_config.yml"),
        "builder": builder,
        "overrides": {
            "external_toc_path": (translated_toc(root, out, language) if language else root / "_toc.yml").as_posix(),
            "latex_individualpages": False,
            "nb_execution_cache_path": str(build_dir / ".jupyter_cache"),
            **nitpicky,
            **language_overrides(root, language, builder),
        },
    }
    return [python, "-c", JUPYTER_BOOK_INTO, json.dumps(args)]


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
    restored = restore_last_good(build, html)
    if sphinx_state_stale:  # Sphinx's saved state is the failed build's: re-read every page next time
        shutil.rmtree(build / ".doctrees", ignore_errors=True)
        if not restored:  # no copy was made (Sphinx ran without the book's extension): these are its pages
            (site / GOOD_MARK).unlink(missing_ok=True)
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


def build(
    root: Path,
    build_dir: Path,
    builder: str = "html",
    extra: list[str] | None = None,
    out: Path | None = None,
    language: str | None = None,
    counterpart: str | None = None,
) -> int:
    """Run the steps; returns the exit status (0 built, 1 a chapter or Sphinx failed, 2 the data check).

    The pages go into ``out/<builder>`` (``out`` defaults to ``build_dir``); the execution cache and
    the data check's record are ``build_dir``'s. An edition in another ``language`` (see
    :data:`LANGUAGE_FOLDERS`; ``out`` is then its own folder, ``<edition>/zh``) is then copied into the
    English site of its edition, ``<edition>/html`` (:func:`publish_language`), also when its build failed
    (its last good pages, marked as not current). The English site (``out/html``) links every page to its
    ``counterpart`` edition's (:func:`counterpart_environment`); built without one, it holds no other
    edition (a copy of one is removed: it would not be current).
    """
    started, times = now(), {}
    bin_dir = Path(sys.executable).parent
    fingerprint = inputs_fingerprint(root)
    html = "html" if builder == "html" else builder
    out = out or build_dir
    english_site = builder == "html" and not language  # the instructor's (_build) or the student's
    if english_site:
        os.environ.pop(COUNTERPART_ENV, None)
        os.environ.update(counterpart_environment(counterpart))
        for other in sorted(set(LANGUAGE_FOLDERS) - {counterpart}):
            shutil.rmtree(out / "html" / LANGUAGE_FOLDERS[other], ignore_errors=True)

    t = time.perf_counter()
    status, output = check_data(build_dir, fingerprint)
    times["check-data"] = time.perf_counter() - t
    print(output, end="")
    if status != 0:
        last = [ln for ln in output.strip().splitlines() if ln.strip()]
        reason = "make check-data failed: " + (last[-1] if last else "see its report above")
        print(_times(times))
        return _fail(out, started, reason, 2, html, False) + publish_language(out / html, language, builder)

    t = time.perf_counter()
    flags = manifest_flags(build_dir, extra or [], out, language, counterpart if english_site else None)
    manifest = site_manifest(root, build_dir, fingerprint, builder, flags)
    times["up-to-date check"] = time.perf_counter() - t
    if site_is_current(out / html, manifest):
        print(f"build_book: {out / html} is current (nothing it is made from changed); nothing to build")
        print(_times(times))
        return publish_language(out / html, language, builder)

    t = time.perf_counter()
    if builder == "html":
        set_aside_if_inputs_changed(out, root, html)
    _run([str(bin_dir / "python"), str(ROOT / "tools" / "cache_guard.py"), str(build_dir), str(root)], root)
    times["cache guard"] = time.perf_counter() - t

    t = time.perf_counter()
    _run([str(bin_dir / "python"), str(ROOT / "tools" / "preexecute.py"), str(build_dir), str(root)], root)
    times["pre-execution"] = time.perf_counter() - t
    causes = _preexecute_failures(root, build_dir)
    if causes:
        print(_times(times))
        return _fail(out, started, "; ".join(causes), 1, html, False) + publish_language(out / html, language, builder)

    t = time.perf_counter()
    log: list[str] = []
    code = _run(sphinx_command(root, build_dir, out, builder, extra or [], language), root, log)
    times["jupyter-book build"] = time.perf_counter() - t
    print(_times(times))
    if code != 0:
        reason = "; ".join(_sphinx_failures(root, "".join(log)))
        return _fail(out, started, reason, 1, html, True) + publish_language(out / html, language, builder)
    mark_good_site(out, started, html)
    (out / html / MANIFEST).write_text(manifest + "\n", encoding="utf-8")
    return publish_language(out / html, language, builder)


def counterpart_environment(counterpart: str | None) -> dict[str, str]:
    """The environment by which the English build links each page to the same page of the edition in
    ``counterpart`` (``zh_CN``: ``zh/chapters/baseline.html``; the extension's ``COUNTERPART_ENV``)."""
    if not counterpart:
        return {}
    root, label, language = f"{LANGUAGE_FOLDERS[counterpart]}/", *COUNTERPART_LABELS[counterpart]
    return {COUNTERPART_ENV: json.dumps({"root": root, "label": label, "language": language})}


def publish_language(site: Path, language: str | None, builder: str) -> int:
    """Copy the site of the edition in ``language`` (``<edition>/zh/html``) into the English site's folder
    for it (``<edition>/html/zh``: ``_build/html/zh``, ``_build/student/html/zh``), replacing the previous
    copy: a good site, or the last good one marked as not current when this build failed (none when no
    build ever succeeded). Nothing to do for the English edition. Returns 0 (an exit status to add to the
    build's)."""
    if not language or builder != "html":
        return 0
    target = site.parent.parent / "html" / LANGUAGE_FOLDERS[language]
    if not site.is_dir():
        shutil.rmtree(target, ignore_errors=True)
        return 0
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(site, target)
    print(f"build_book: the {language} edition is in {target} (built in {site})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", default=None, help="the build folder (default: ROOT/_build)")
    parser.add_argument("--root", default=str(ROOT), help="the book's source folder")
    parser.add_argument("--builder", default="html", choices=("html", "singlehtml", "gettext"))
    parser.add_argument(
        "--language", default=None, choices=sorted(LANGUAGE_FOLDERS), help="an edition in another language"
    )
    parser.add_argument("--out", default=None, help="the folder the pages go into (default: the build folder)")
    parser.add_argument(
        "--counterpart",
        default=None,
        choices=sorted(LANGUAGE_FOLDERS),
        help="the English site links every page to this edition's (built next by --language)",
    )
    parser.epilog = "Arguments after -- are passed to jupyter-book build (default: --warningiserror --keep-going)."
    argv = sys.argv[1:] if argv is None else argv
    own, sphinx_args = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    args = parser.parse_args(own)  # options may follow the build folder: `_build --out _build/student -- -W`
    root = Path(args.root).resolve()
    build_dir = Path(args.build).resolve() if args.build else root / "_build"
    extra = sphinx_args or ["--warningiserror", "--keep-going"]
    out = Path(args.out).resolve() if args.out else None
    if args.language:  # another language: its own folder in the edition's, _build/zh or _build/student/zh
        out = (out or build_dir) / LANGUAGE_FOLDERS[args.language]
    elif out is None and args.builder == "gettext":  # the message templates: _build/locale/gettext
        out = build_dir / "locale"
    out = out if out != build_dir else None
    return build(root, build_dir, args.builder, extra, out, args.language, args.counterpart)


if __name__ == "__main__":
    sys.exit(main())
