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

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from table_labels import catalogue_main, untranslated  # noqa: F401  (untranslated: the check, for the tests)

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
    return catalogue_main(
        argv, description=__doc__.split("\n\n")[0], collect=site_messages, po=PO, pot=POT, noun="figure text",
        project="aichain figures",
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
