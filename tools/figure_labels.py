"""The texts of the book's figures, for the Chinese edition's figure catalogue (issue 26, item 4).

Each figure a chapter glues (:func:`aichain_utils.report.display.glue_figure`) records, in its output's
metadata (:data:`aichain_utils.report.figurelabels.FIGURE_TEXTS`), the messages its English texts make:
titles, axis labels, legend entries, annotations and word tick labels, a decimal number as ``{0}``
(:func:`aichain_utils.report.figurelabels.message_key`). This reads them from the executed notebooks of the
English site (``_build/html/_sources/**/*.ipynb``, which the book writes with every output; the ``zh/``
copy is skipped), writes a template, ``_build/locale/figures.pot``, and merges them into
``locale/zh_CN/LC_MESSAGES/figures.po`` as ``tools/table_labels.py`` merges the tables' labels: existing
translations kept, new messages added empty, which ``tests/test_figures_zh.py`` reports until someone
translates them. ``make locale`` runs it after the tables' labels. The catalogue is read when the chapters
run, so a change to it re-executes them (:data:`aichain_utils.book.buildstate.FIGURE_CATALOGUE`).

Usage: ``python tools/figure_labels.py [SITE] [--po PATH] [--pot PATH] [--check]``; ``--check`` writes
nothing and exits 1 when a figure's text has no translation.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po

sys.path.insert(0, str(Path(__file__).resolve().parent))
from table_labels import _write, merge, template, untranslated

from aichain_utils.paths import repo_root
from aichain_utils.report.catalogue import catalogue_path
from aichain_utils.report.figurelabels import CATALOGUE, FIGURE_TEXTS

ROOT = repo_root()
PO = catalogue_path(CATALOGUE, root=ROOT)
POT = ROOT / "_build" / "locale" / f"{CATALOGUE}.pot"


def notebook_messages(notebook: dict) -> list[str]:
    """The messages every figure of an executed notebook (nbformat 4, as JSON) recorded, in order, each once."""
    found: list[str] = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            entry = (output.get("metadata") or {}).get("image/svg+xml") or {}
            for message in entry.get(FIGURE_TEXTS, []) if isinstance(entry, dict) else []:
                if message not in found:
                    found.append(message)
    return found


def site_messages(site: Path) -> dict[str, list[str]]:
    """Each distinct message of the site's figures -> the pages that show it, in page order."""
    found: dict[str, list[str]] = {}
    sources = site / "_sources"
    for path in sorted(sources.rglob("*.ipynb")) if sources.is_dir() else []:
        page = path.relative_to(sources).with_suffix("").as_posix()
        if page.split("/")[0] == "zh":
            continue
        for message in notebook_messages(json.loads(path.read_text(encoding="utf-8"))):
            pages = found.setdefault(message, [])
            if page not in pages:
                pages.append(page)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--po", type=Path, default=PO)
    parser.add_argument("--pot", type=Path, default=POT)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a text is untranslated")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"figure texts: no English site at {args.site} (make book LANG=en first); {args.po.name} not updated")
        return 0
    found = site_messages(args.site)
    if args.check:
        missing = untranslated(found, args.po)
        for message in missing:
            print(f"untranslated: {message!r} ({', '.join(found[message])})")
        return 1 if missing else 0
    _write(template(found), args.pot)
    before = _locations(args.po)
    catalog, added = merge(found, args.po)
    catalog.project = "aichain figures"
    if added or before != {m.id: m.locations for m in catalog if m.id}:
        _write(catalog, args.po)  # else left as it is: a rewrite (a new date) would re-execute the chapters
    print(f"figure texts: {len(found)} in {args.site}, {len(added)} new in {args.po} (translate the empty ones)")
    return 0


def _locations(po: Path) -> dict:
    """Each message of ``po`` -> its locations (the pages that show it); {} without a file."""
    if not po.is_file():
        return {}
    with po.open("rb") as f:
        return {m.id: m.locations for m in read_po(f) if m.id}


if __name__ == "__main__":
    sys.exit(main())
