"""Print the single-page build of the book to one PDF with headless Chromium.

Usage: ``python tools/make_pdf.py _build/singlehtml/index.html _build/pdf/aichain.pdf`` (run by
``make pdf``). Chromium renders the page as the site does (MathJax, Chinese in Noto CJK, tables,
figures) with the book's print stylesheet (A4, tables wrapped to the page, toggles left out), then
the PDF is checked: it must exist and have as many pages as a book needs (at least one per chapter).

``python tools/make_pdf.py --build _build _build/pdf/aichain.pdf [-- SPHINX_FLAGS]`` (run by ``make
test``) also makes the single-page build first (``tools/build_book.py --builder singlehtml``), so that
the site built after it reads no page again: the landing page's sentence about the PDF is a Sphinx
setting that depends on whether ``aichain.pdf`` exists, and Sphinx re-reads every page when a setting
changes. So the PDF file exists (an empty placeholder when there was none) before the single-page
build, as it does when the site is built; the print is written to a temporary file that replaces it
only once it is checked, and a placeholder is removed when the build or the print fails.

``python tools/make_pdf.py --build _build --out _build/student _build/pdf/aichain-student.pdf`` (run by
``make pdf EDITION=student`` and ``make test``, with ``AICHAIN_EDITION=student``) makes the single-page
build in ``_build/student/singlehtml`` (``tools/build_book.py --out``: the execution cache is
``_build``'s, nothing runs again) and prints it; the instructor's pages and Sphinx state are not touched.

``python tools/make_pdf.py --build _build --language zh_CN _build/pdf/aichain-zh.pdf`` (run by ``make pdf
LANG=zh`` and ``make test``; issue 26) prints the Chinese edition: its single-page build (``tools/build_book.py
--builder singlehtml --language zh_CN``: Sphinx's language, the catalogues, the Chinese banner and numbered
things) goes into ``_build/zh/singlehtml``, beside the Chinese site's Sphinx state, from the English build's
execution cache, so that every number is the English PDF's. With ``--out _build/student`` (and
``AICHAIN_EDITION=student``) it is the Chinese student edition, ``_build/student/zh/singlehtml``, printed to
``_build/pdf/aichain-student-zh.pdf``. Chromium draws the Chinese text with the Noto CJK fonts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("make_pdf: Chromium is not installed (Debian: apt-get install chromium fonts-noto-cjk)")


def print_pdf(page: Path, out: Path) -> None:
    """Print ``page`` (an HTML file) to ``out`` with headless Chromium."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                f"--user-data-dir={profile}",
                "--run-all-compositor-stages-before-draw",
                "--virtual-time-budget=60000",  # MathJax typesets before the page is printed
                "--no-pdf-header-footer",
                "--generate-pdf-document-outline",
                f"--print-to-pdf={out}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=900,
        )


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def single_page_folder(build: Path, into: Path | None = None, language: str | None = None) -> Path:
    """Where the single-page build goes: ``<into>/singlehtml`` (``into`` defaults to ``build``), or for an
    edition in another ``language`` ``<into>/zh/singlehtml`` (:data:`build_book.LANGUAGE_FOLDERS`)."""
    from build_book import LANGUAGE_FOLDERS

    into = into or build
    return (into / LANGUAGE_FOLDERS[language] if language else into) / "singlehtml"


def build_and_print(
    build: Path, out: Path, sphinx_args: list[str], into: Path | None = None, language: str | None = None
) -> int:
    """The single-page build of the book (in ``language``, when given) into :func:`single_page_folder`,
    then its print to ``out``."""
    into = into or build
    placeholder = not out.is_file()
    if placeholder:  # the landing page says what it will say on the site (see the module's docstring)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"")
    printed = out.with_name(out.name + ".printing")
    try:
        cmd = [sys.executable, str(ROOT / "tools" / "build_book.py"), "--builder", "singlehtml", str(build)]
        cmd += ["--out", str(into)] if into != build else []
        cmd += ["--language", language] if language else []
        status = subprocess.run([*cmd, "--", *sphinx_args], cwd=ROOT, check=False).returncode
        if status != 0:
            print(f"make_pdf: the single-page build failed (status {status}); no PDF", file=sys.stderr)
            return status
        print_pdf(single_page_folder(build, into, language) / "index.html", printed)
        pages = _pages(printed)
        if pages < 10:
            print(f"make_pdf: {out} would have only {pages} pages: the book did not print", file=sys.stderr)
            return 1
        os.replace(printed, out)
        placeholder = False
        print(f"make_pdf: wrote {out} ({pages} pages)")
        return 0
    finally:
        printed.unlink(missing_ok=True)
        if placeholder:
            out.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--build"]:
        rest = argv[1:]
        sphinx_args = rest[rest.index("--") + 1 :] if "--" in rest else ["--warningiserror", "--keep-going"]
        rest = rest[: rest.index("--")] if "--" in rest else rest
        options = {}
        for flag in ("--out", "--language"):
            if flag in rest and rest.index(flag) + 1 < len(rest):
                at = rest.index(flag)
                options[flag] = rest[at + 1]
                rest = rest[:at] + rest[at + 2 :]
        if len(rest) != 2:
            usage = "--build BUILD_DIR [--out DIR] [--language zh_CN] OUT.pdf [-- SPHINX_FLAGS]"
            sys.exit(f"usage: python tools/make_pdf.py {usage}")
        into = Path(options["--out"]).resolve() if "--out" in options else None
        chromium()  # fail before building when Chromium is missing
        build, out = Path(rest[0]).resolve(), Path(rest[1]).resolve()
        return build_and_print(build, out, sphinx_args, into, options.get("--language"))
    if len(argv) != 2:
        sys.exit("usage: python tools/make_pdf.py SINGLEHTML_INDEX OUT.pdf")
    page, out = Path(argv[0]), Path(argv[1])
    if not page.is_file():
        sys.exit(f"make_pdf: {page} does not exist: build it with `jupyter-book build . --builder singlehtml`")
    print_pdf(page, out)
    pages = _pages(out)
    if pages < 10:
        sys.exit(f"make_pdf: {out} has only {pages} pages: the book did not print")
    print(f"make_pdf: wrote {out} ({pages} pages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
