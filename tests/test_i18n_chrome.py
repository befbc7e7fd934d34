"""The Chinese edition's furniture is Chinese (issue 26): the theme's tooltips, labels and buttons.

The pages' text comes from the catalogues; their furniture from Sphinx, the themes and their extensions:
the sidebar toggles' tooltips ("Toggle primary sidebar", written as is by sphinx-book-theme's components,
overridden in ``_templates``), the permalinks' "Link to this heading" (Sphinx's zh_CN catalogue lacks it),
the search box's placeholder, the colour switch, the navigation's ``aria-label``. ``locale/zh_CN/
LC_MESSAGES/sphinx.po`` translates what Sphinx's and the themes' catalogues leave in English.

Every ``title``, ``aria-label``, ``placeholder``, ``data-bs-title`` and ``data-toggle-hint`` of every
Chinese page, and the text of its buttons, must hold Chinese when it holds an English word; the titles of
cross-references and citations are their targets' text (a bibliography entry's title is its title) and
are not furniture. A page with a planted English tooltip shows the check fails. ``tests/test_browser.py``
applies the same check to each Chinese page as Chromium renders it, scripts run (sphinx-togglebutton's
buttons are added by its script).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from aichain_utils.paths import repo_root

ROOT = repo_root()
SITE = ROOT / "_build" / "html" / "zh"
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z]{3,}")
#: The attributes the theme writes its words into.
ATTRIBUTES = ("title", "aria-label", "placeholder", "data-bs-title", "data-toggle-hint")
#: Words that are names, not English: the keys of the search box's shortcut, the formats of the downloads.
NAMES = re.compile(r"^(?:Ctrl|\.(?:ipynb|md|pdf|whl|zip|txt)|requirements\.txt|PDF|Python)$")


def english_furniture(html: str) -> list[str]:
    """The furniture of a page (see the module's docstring) that holds an English word and no Chinese."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for el in soup.find_all(True):
        for name in ATTRIBUTES:
            value = el.get(name)
            if not isinstance(value, str) or (name == "title" and el.name in ("a", "link") and _content_link(el)):
                continue
            if _WORD.search(value) and not _CJK.search(value) and not NAMES.match(value.strip()):
                found.append(f'<{el.name} {name}="{value[:60]}">')
    for button in soup.select("button, summary, .btn"):
        text = " ".join(button.get_text(" ").split())
        words = [w for w in text.split() if _WORD.search(w) and not NAMES.match(w)]
        if words and not _CJK.search(text):
            found.append(f"<{button.name}>{text[:60]}")
    return list(dict.fromkeys(found))


def _content_link(el) -> bool:
    """A link whose title is its target's text: a cross-reference, a citation, a page of the contents."""
    return el.name == "link" or "reference" in (el.get("class") or [])


def chinese_pages() -> list[Path]:
    return sorted(SITE.rglob("*.html")) if SITE.is_dir() else []


def test_the_check_finds_planted_english_furniture():
    page = (
        '<html><body><button title="Toggle primary sidebar"></button><button title="显示或隐藏导航侧边栏"></button>'
        '<input placeholder="Search this book..." aria-label="搜索本书……"/><nav aria-label="Main"></nav>'
        '<h2>标题<a class="headerlink" href="#x" title="Link to this heading">#</a></h2>'
        '<a class="reference internal" href="#id1" title="Ragnar Frisch. Partial time regressions. 1933.">Frisch</a>'
        '<summary aria-label="Toggle hidden content"></summary><kbd>Ctrl</kbd><button>Click to show</button>'
        '<button title="下载"><span>.pdf</span></button></body></html>'
    )
    assert english_furniture(page) == [
        '<button title="Toggle primary sidebar">',
        '<input placeholder="Search this book...">',
        '<nav aria-label="Main">',
        '<a title="Link to this heading">',
        '<summary aria-label="Toggle hidden content">',
        "<button>Click to show",
    ]


@pytest.mark.parametrize("name", ["chapters/baseline.html", "glossary.html", "search.html", "genindex.html"])
def test_the_chinese_pages_furniture_is_chinese(name):
    if not (SITE / name).is_file():
        pytest.skip("the Chinese edition is not built (make book)")
    found = english_furniture((SITE / name).read_text(encoding="utf-8"))
    assert not found, f"zh/{name}: the theme's words in English: {found[:8]}"


def test_every_chinese_page_has_chinese_furniture():
    pages = chinese_pages()
    if not pages:
        pytest.skip("the Chinese edition is not built (make book)")
    found = {str(p.relative_to(SITE)): english_furniture(p.read_text(encoding="utf-8")) for p in pages}
    found = {page: words for page, words in found.items() if words}
    assert not found, f"Chinese pages with the theme's words in English: {dict(list(found.items())[:4])}"
