"""Print the handouts (one A4 page per chapter) and put the course pack into the built site.

Usage: ``python tools/course_pack.py [BUILD_DIR] [--out DIR]`` (run by ``make pdf EDITION=student`` after
the student site is built into ``_build/student``, and by ``make test`` on the site ``_build/html``).
Headless Chromium prints the site's handouts page (``<out>/html/handouts.html``; ``out`` defaults to the
build folder) to ``<build>/pdf/aichain-handouts.pdf`` with the book's print stylesheet; then
:func:`aichain_utils.book.kit.assemble_kit` writes that site's ``kit/`` folder: the wheel of ``aichain_utils``
(from its cache when the package did not change), the pinned requirements and the course pack, which
now holds the student edition's PDF and the handouts' PDF. The Sphinx extension assembles the same kit
whenever it builds the site; this script refreshes it once the PDFs are printed, in the other edition's
site too when it is built (``_build/html`` and ``_build/student/html``), so that no pack keeps older PDFs.
When the Chinese edition is built (``<site>/zh``, issue 26), its handouts page is printed too
(``<build>/pdf/aichain-handouts-zh.pdf``) and the Chinese sites' packs (``<site>/zh/kit``, and the Chinese
build's own folder, ``<edition>/zh/html``, which the next build copies into the site) carry the Chinese PDFs.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from aichain_utils.book.kit import HANDOUTS_PDF, HANDOUTS_PDF_ZH, PACK_NAME, assemble_kit  # noqa: E402
from aichain_utils.paths import toc_pages  # noqa: E402


def print_handouts(build: Path, site: Path | None = None, name: str = HANDOUTS_PDF) -> Path:
    """Print ``<site>/handouts.html`` (``site`` defaults to ``<build>/html``) to ``<build>/pdf/<name>``
    (``aichain-handouts.pdf``; the Chinese site's: ``aichain-handouts-zh.pdf``); returns the PDF."""
    from make_pdf import print_pdf
    from pypdf import PdfReader

    page = (site or build / "html") / "handouts.html"
    if not page.is_file():
        sys.exit(f"course_pack: {page} does not exist: build the site first (make book)")
    out = build / "pdf" / name
    print_pdf(page, out)
    pages = len(PdfReader(out).pages)
    chapters = sum(1 for p in toc_pages(ROOT) if p.startswith("chapters/"))
    note = "" if pages == chapters else f" (the book has {chapters} chapters: a handout does not fit its page)"
    print(f"course_pack: wrote {out} ({pages} pages){note}")
    return out


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", default=str(ROOT / "_build"), help="the build folder (pdf/ is in it)")
    parser.add_argument("--out", default=None, help="the folder of the site (its html/); default: the build folder")
    args = parser.parse_args(argv)
    build = Path(args.build).resolve()
    site = (Path(args.out).resolve() if args.out else build) / "html"
    editions = [(pages, name) for pages, name in ((site, HANDOUTS_PDF), (site / "zh", HANDOUTS_PDF_ZH))
                if (pages / "handouts.html").is_file()]  # fmt: skip
    for pages, name in editions or [(site, HANDOUTS_PDF)]:  # neither: print_handouts says what to build
        print_handouts(build, pages, name)
    # the site's course pack, and the other edition's (the instructor's _build/html when the student's
    # was printed), in both languages: each carries the PDFs just printed, not older ones
    sites = [site, build / "html", build / "student" / "html"]
    chinese = [s / "zh" for s in sites] + [build / "zh" / "html", build / "student" / "zh" / "html"]
    for pages, language in [*dict.fromkeys((s, None) for s in sites), *dict.fromkeys((s, "zh_CN") for s in chinese)]:
        if (pages / "index.html").is_file():
            kit = assemble_kit(pages, build, ROOT, language)
            print(f"course_pack: wrote {kit / PACK_NAME}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
