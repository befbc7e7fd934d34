"""What a reader reads on each page of a built site, without the code: to prove a refactor changed no number.

``python tools/page_text.py _build/html > before.json`` before a change and ``> after.json`` after it, then
``python tools/page_text.py --diff before.json after.json`` prints every page whose text differs, with the
first differing words. The text is each page's article with the code of every cell (``div.cell_input``),
scripts, styles and the navigation removed, whitespace collapsed; figures are compared by their ``alt``
text, and tables cell by cell (a cell's text between ``|`` marks).

Usage: ``python tools/page_text.py SITE [--pages PAGE ...]`` or ``python tools/page_text.py --diff A B``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup

SKIP_PAGES = {"genindex", "search", "py-modindex", "api"}


def page_text(html: str) -> str:
    """The reader's text of one page of the site."""
    soup = BeautifulSoup(html, "lxml")
    main = soup.find("article") or soup.find("main") or soup.body
    for node in main.select("div.cell_input, script, style, nav, .headerlink, .toggle-details__summary"):
        node.decompose()
    for img in main.find_all("img"):
        img.replace_with(f" [image: {img.get('alt', '')}] ")
    for cell in main.find_all(["td", "th"]):
        cell.insert_after(" | ")
    return re.sub(r"\s+", " ", main.get_text(" ")).strip()


def site_text(site: Path, pages: list[str] | None = None) -> dict[str, str]:
    """Page path (without ``.html``) -> its text, for every page of the site (or the pages named)."""
    out = {}
    for path in sorted(site.rglob("*.html")):
        name = path.relative_to(site).with_suffix("").as_posix()
        if name.split("/")[0] in {"_static", "_sources", "_images"} or name in SKIP_PAGES:
            continue
        if pages and name not in pages:
            continue
        out[name] = page_text(path.read_text(encoding="utf-8"))
    return out


def diff(a: dict[str, str], b: dict[str, str], context: int = 12) -> list[str]:
    """One line per page that differs: the page and the first differing words of each side."""
    lines = []
    for page in sorted(set(a) | set(b)):
        if page not in a or page not in b:
            lines.append(f"{page}: only in {'the first' if page in a else 'the second'}")
            continue
        wa, wb = a[page].split(" "), b[page].split(" ")
        if wa == wb:
            continue
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
            if op != "equal":
                before = " ".join(wa[max(0, i1 - 3) : min(i2, i1 + context) + 3])
                after = " ".join(wb[max(0, j1 - 3) : min(j2, j1 + context) + 3])
                lines.append(f"{page}: {op}\n  - {before}\n  + {after}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path)
    parser.add_argument("--pages", nargs="*")
    parser.add_argument("--diff", nargs=2, type=Path, metavar=("A", "B"))
    args = parser.parse_args(argv)
    if args.diff:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in args.diff)
        if args.pages:
            a = {k: v for k, v in a.items() if k in args.pages}
            b = {k: v for k, v in b.items() if k in args.pages}
        lines = diff(a, b)
        print("\n".join(lines) if lines else f"the text of all {len(a)} pages is identical")
        return 1 if lines else 0
    if args.site is None:
        parser.error("give the site folder (e.g. _build/html) or --diff A B")
    json.dump(site_text(args.site, args.pages), sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
