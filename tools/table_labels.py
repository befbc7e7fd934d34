"""The labels of the book's executed tables, for the Chinese edition's table catalogue (issue 26, item 4).

Reads the English site (``_build/html``; its ``zh/`` copy is skipped), finds each executed output's
HTML (``<div class="output text_html">`` inside the page's ``<main>``) and collects the distinct labels
of its tables' header cells (column heads and row labels), captions, summaries and table notes (not
numbers or symbols, by the rule of :func:`aichain_utils.book.tablelabels.labels`, which the Chinese
build applies), and of its data cells and marks' tooltips (words, not numbers, symbols, names of code or
files; the text parts of a computed one, by :func:`aichain_utils.book.tablelabels.cells`; not a cell the
package writes in both languages, which the executed notebooks, ``_sources/<page>.ipynb``, name). Writes them as a
template, ``_build/locale/tables.pot``, and merges them into ``locale/zh_CN/LC_MESSAGES/tables.po``:
existing translations are kept (also of labels this build does not show: a build on other data shows
other tables), new labels are added with an empty translation, which ``tests/test_table_labels.py``
reports until someone translates them. ``make locale`` runs it after the page catalogues.

Usage: ``python tools/table_labels.py [SITE] [--po PATH] [--pot PATH] [--check]``; ``--check`` writes
nothing and exits 1 when a label of the site has no translation.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from aichain_utils.book.tablelabels import bilingual_cells_of_notebook, cells, labels
from aichain_utils.paths import repo_root

ROOT = repo_root()
PO = ROOT / "locale" / "zh_CN" / "LC_MESSAGES" / "tables.po"
POT = ROOT / "_build" / "locale" / "tables.pot"

_OUTPUT = re.compile(r'<div class="output text_html">')
_DIV = re.compile(r"<div\b|</div>")


def output_blocks(page: str) -> list[str]:
    """The HTML of each executed output (``div.output.text_html``) inside the page's ``<main>``."""
    start, end = page.find("<main"), page.rfind("</main>")
    if start < 0 or end < 0:
        return []
    main = page[start:end]
    blocks = []
    for match in _OUTPUT.finditer(main):
        depth, position = 1, match.end()
        for tag in _DIV.finditer(main, match.end()):
            depth += 1 if tag.group(0) == "<div" else -1
            position = tag.start()
            if depth == 0:
                break
        blocks.append(main[match.end() : position])
    return blocks


def site_bilingual_cells(site: Path) -> set[str]:
    """The English of the cells the package writes in both languages, over the site's executed notebooks
    (``_sources/<page>.ipynb``, outputs with metadata:
    :func:`aichain_utils.book.tablelabels.bilingual_cells_of_notebook`): the catalogue never asks for them."""
    found: set[str] = set()
    for path in sorted((site / "_sources").rglob("*.ipynb")):
        found |= bilingual_cells_of_notebook(json.loads(path.read_text(encoding="utf-8")))
    return found


def site_labels(site: Path) -> dict[str, list[str]]:
    """Each distinct label of the site's executed tables -> the pages that show it, in page order."""
    found: dict[str, list[str]] = {}
    bilingual = site_bilingual_cells(site)
    for path in sorted(site.rglob("*.html")):
        page = path.relative_to(site).with_suffix("").as_posix()
        if page.split("/")[0] in {"zh", "_static", "_sources", "_downloads", "kit"}:
            continue
        for block in output_blocks(path.read_text(encoding="utf-8")):
            for label in [*labels(block), *cells(block, bilingual)]:
                pages = found.setdefault(label, [])
                if page not in pages:
                    pages.append(page)
    return found


def template(found: dict[str, list[str]]) -> Catalog:
    catalog = Catalog(project="aichain tables", fuzzy=False)
    for label in sorted(found, key=str.casefold):
        catalog.add(label, locations=[(page, None) for page in found[label]])
    return catalog


def merge(found: dict[str, list[str]], po: Path) -> tuple[Catalog, list[str]]:
    """``po``'s catalogue with every label of ``found``: translations kept, new labels added empty;
    and the labels added."""
    if po.is_file():
        with po.open("rb") as f:
            catalog = read_po(f, locale="zh_CN")
    else:
        catalog = Catalog(locale="zh_CN", project="aichain tables", fuzzy=False)
    added = []
    for label in sorted(found, key=str.casefold):
        locations = [(page, None) for page in found[label]]
        if label in catalog:
            catalog[label].locations = locations
        else:
            catalog.add(label, "", locations=locations)
            added.append(label)
    return catalog, added


def untranslated(found, po: Path) -> list[str]:
    """The labels of ``found`` that ``po`` does not translate (absent, empty or fuzzy)."""
    if not po.is_file():
        return sorted(found)
    with po.open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    return [label for label in sorted(found) if label not in translated]


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=0, sort_output=False, include_lineno=False)


def _locations(po: Path) -> dict:
    """Each message of ``po`` -> its locations (the pages that show it); {} without a file."""
    if not po.is_file():
        return {}
    with po.open("rb") as f:
        return {m.id: m.locations for m in read_po(f) if m.id}


def catalogue_main(argv, *, description: str, collect, po: Path, pot: Path, noun: str, project: str) -> int:
    """The command line of a catalogue extracted from the English site (this one, the tables' labels;
    ``tools/figure_labels.py``, the figures' texts): ``[SITE] [--po PATH] [--pot PATH] [--check]``.
    ``collect(site)`` gives each message with the pages that show it; the template is written, and the
    catalogue merged and rewritten only when a message or a location changed (a rewrite with only a new
    date would still count as a change of the catalogue for what reads it)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--po", type=Path, default=po)
    parser.add_argument("--pot", type=Path, default=pot)
    parser.add_argument("--check", action="store_true", help=f"write nothing; exit 1 when a {noun} is untranslated")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{noun}s: no English site at {args.site} (make book LANG=en first); {args.po.name} not updated")
        return 0
    found = collect(args.site)
    if args.check:
        missing = untranslated(found, args.po)
        for message in missing:
            print(f"untranslated: {message!r} ({', '.join(found[message])})")
        return 1 if missing else 0
    _write(template(found), args.pot)
    before = _locations(args.po)
    catalog, added = merge(found, args.po)
    catalog.project = project
    if added or before != {m.id: m.locations for m in catalog if m.id}:
        _write(catalog, args.po)
    print(f"{noun}s: {len(found)} in {args.site}, {len(added)} new in {args.po} (translate the empty ones)")
    return 0


def main(argv: list[str] | None = None) -> int:
    return catalogue_main(
        argv, description=__doc__.split("\n\n")[0], collect=site_labels, po=PO, pot=POT, noun="table label",
        project="aichain tables",
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
