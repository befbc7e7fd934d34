"""Print the single-page build of the book to one PDF with headless Chromium.

Usage: ``python tools/make_pdf.py _build/singlehtml/index.html _build/pdf/aichain.pdf`` (run by
``make pdf``). Chromium renders the page as the site does (MathJax, Chinese in Noto CJK, tables,
figures) with the book's print stylesheet (A4, tables wrapped to the page, toggles left out), then
the PDF is checked: it must exist and have as many pages as a book needs (at least one per chapter).
"""

from __future__ import annotations

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


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.exit("usage: python tools/make_pdf.py SINGLEHTML_INDEX OUT.pdf")
    page, out = Path(argv[0]), Path(argv[1])
    if not page.is_file():
        sys.exit(f"make_pdf: {page} does not exist: build it with `jupyter-book build . --builder singlehtml`")
    print_pdf(page, out)
    from pypdf import PdfReader

    pages = len(PdfReader(out).pages)
    if pages < 10:
        sys.exit(f"make_pdf: {out} has only {pages} pages: the book did not print")
    print(f"make_pdf: wrote {out} ({pages} pages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
