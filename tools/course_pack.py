"""Print the handouts (one A4 page per chapter) and put the course pack into the built site.

Usage: ``python tools/course_pack.py [BUILD_DIR]`` (run by ``make pdf EDITION=student`` after the site is
built). Headless Chromium prints the site's handouts page (``<build>/html/handouts.html``) to
``<build>/pdf/aichain-handouts.pdf`` with the book's print stylesheet; then
:func:`aichain_utils.book.kit.assemble_kit` writes the site's ``kit/`` folder: the wheel of ``aichain_utils``
(from its cache when the package did not change), the pinned requirements and the course pack, which
now holds the student edition's PDF and the handouts' PDF. The Sphinx extension assembles the same kit
whenever it builds the site; this script refreshes it once the PDFs are printed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from aichain_utils.book.kit import HANDOUTS_PDF, PACK_NAME, assemble_kit  # noqa: E402
from aichain_utils.paths import toc_pages  # noqa: E402


def print_handouts(build: Path) -> Path:
    """Print ``<build>/html/handouts.html`` to ``<build>/pdf/aichain-handouts.pdf``; returns the PDF."""
    from make_pdf import print_pdf
    from pypdf import PdfReader

    page = build / "html" / "handouts.html"
    if not page.is_file():
        sys.exit(f"course_pack: {page} does not exist: build the site first (make book)")
    out = build / "pdf" / HANDOUTS_PDF
    print_pdf(page, out)
    pages = len(PdfReader(out).pages)
    chapters = sum(1 for p in toc_pages(ROOT) if p.startswith("chapters/"))
    note = "" if pages == chapters else f" (the book has {chapters} chapters: a handout does not fit its page)"
    print(f"course_pack: wrote {out} ({pages} pages){note}")
    return out


def main(argv: list[str]) -> int:
    build = Path(argv[0]).resolve() if argv else ROOT / "_build"
    print_handouts(build)
    kit = assemble_kit(build / "html", build, ROOT)
    print(f"course_pack: wrote {kit / PACK_NAME}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
