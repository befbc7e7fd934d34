"""No page of the built book shows where it was built (issue 24, item 3).

A reader sees the book, not the machine it was built on: no page may print an absolute path of
the build machine (``/work``, ``/tmp``, ``/home``, ``/root``), the project's sibling folders
(``../shared``), a source document by its file name (``002_….txt``, "seed 002") or the folder the
book was built in (its name as a path component, e.g. ``main/data/…``). Paths relative to the
repository (``_build/tables/table3.csv``) are documentation a reader who builds the book can follow,
and are allowed. The text is what a reader reads: the page's visible text, its tooltips and alt
texts, and the search index; links the theme writes (``_sources/``, ``_static/``) are not text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from aichain_utils.paths import toc_pages

#: What must not appear in a page's text, each with the reason shown when it does.
LEAKS: list[tuple[str, re.Pattern]] = [
    ("an absolute path of the build machine", re.compile(r"(?<![\w.:/])/(?:work|tmp|home|root|private/var)/[\w.\-]")),
    ("a sibling folder of the repository", re.compile(r"\.\./shared\b|\bshared/seeds\b|(?<![\w.\-])seeds/")),
    (
        "a source document by its file name",
        re.compile(r"\b0\d\d_[a-z][\w\-]*(?:\.txt)?\b|\bseeds?\s+0\d\d\b", re.IGNORECASE),
    ),
    ("the build's own execution folder", re.compile(r"\bjupyter_execute/")),
]


def build_folder(name: str) -> tuple[str, re.Pattern]:
    """The rule for the folder the book was built in: its name as a path component (``name/…``)."""
    return ("the folder the book was built in", re.compile(rf"(?<![\w.\-]){re.escape(name)}/[\w.\-]"))


def leaks_in(text: str, root_name: str | None = None) -> list[str]:
    """Every leak in ``text``: "reason: 'match' in '…context…'" (empty when there is none).

    ``root_name`` is the name of the folder the book was built in (its repository root), whose
    appearance as a path component is a leak too.
    """
    found = []
    for reason, pattern in LEAKS + ([build_folder(root_name)] if root_name else []):
        for m in pattern.finditer(text):
            context = text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ")
            found.append(f"{reason}: {m.group(0)!r} in '…{context}…'")
    return found


def page_text(html: str) -> str:
    """What a reader of the page reads: the main text, titles and alt texts (no scripts or styles)."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "link", "meta"]):
        tag.decompose()
    main = soup.select_one("main") or soup
    parts = [main.get_text(" ")]
    parts += [t.get("title", "") for t in main.find_all(title=True)]
    parts += [t.get("alt", "") for t in main.find_all(alt=True)]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def html_dir(root) -> Path:
    html = root / "_build" / "html"
    if not (html / "index.html").is_file():
        pytest.skip("the book is not built: run `make book`")
    return html


def test_no_page_leaks_a_path_a_file_name_or_a_build_folder(root, html_dir):
    failures = []
    for page in toc_pages(root):
        path = html_dir / f"{page}.html"
        assert path.is_file(), f"{page}: not built"
        failures += [f"{page}: {leak}" for leak in leaks_in(page_text(path.read_text(encoding="utf-8")), root.name)]
    assert not failures, "\n".join(failures[:30])


def test_the_search_index_leaks_nothing(root, html_dir):
    index = html_dir / "searchindex.js"
    if not index.is_file():
        pytest.skip("no search index in this build")
    leaks = leaks_in(index.read_text(encoding="utf-8"), root.name)
    assert not leaks, "\n".join(leaks[:10])


#: Words that are LaTeX commands only: in the search index they come from maths indexed as text.
LATEX_WORDS = ("mathrm", "frac", "mathbb", "mathcal", "operatorname", "widehat", "varepsilon", "ldots", "cdots")


def latex_in_index(index: dict) -> list[str]:
    """LaTeX in a search index (``searchindex.js``'s object): commands among its words, and source in
    its titles (which the search results print)."""
    found = [f"word {w!r}" for w in LATEX_WORDS if w in index.get("terms", {})]
    titles = list(index.get("titles", [])) + list(index.get("alltitles", {}))
    found += [f"title {t!r}" for t in titles if re.search(r"\\[A-Za-z]{2,}|[_^]\{|\$", t)]
    return found


def test_the_search_index_has_no_latex(html_dir):
    """Issue 24: search results carry no LaTeX source: the index neither holds LaTeX commands as words
    (a search for "frac" found every page with an equation) nor titles with LaTeX (the snippets under
    each hit are made without the maths in the browser: tests/test_browser.py)."""
    import json

    text = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    assert not latex_in_index(index), latex_in_index(index)


def test_the_search_index_check_catches_latex():
    assert latex_in_index({"terms": {"mathrm": 3, "chain": 1}, "titles": ["A"]}) == ["word 'mathrm'"]
    assert latex_in_index({"terms": {}, "titles": ["The $\\beta$ of (1)"]})


def test_indexing_leaves_the_pages_maths_alone():
    """The search index reads a copy of the page without its maths; the page keeps them."""
    from docutils import nodes

    from aichain_utils.book.sphinxext import without_maths

    doc = nodes.paragraph("", "", nodes.Text("The effect "), nodes.math("", r"\beta"), nodes.Text(" is positive."))
    copy = without_maths(doc)
    assert copy.astext() == "The effect  is positive." and r"\beta" in doc.astext()


@pytest.mark.parametrize(
    "planted",
    [
        "Sample written to /work/main/_build/sample.csv",
        "Report in /tmp/pytest-of-root/x.html",
        "see ../shared/seeds for the paper",
        "the paper's text is in seeds/paper.txt",
        "the paper's text (002_pang_jiao_li.txt)",
        "as 002_pang_jiao_li says",
        "as seed 002 states",
        "executed in jupyter_execute/chapters",
        "Data check: mybook/data/templates/example.csv",
    ],
)
def test_the_leak_check_catches_a_planted_leak(planted):
    """The check can fail: each kind of leak, planted in a page, is reported."""
    html = f"<html><body><main><p>Fine text. {planted}</p></main></body></html>"
    assert leaks_in(page_text(html), "mybook"), planted


def test_the_leak_check_passes_ordinary_text():
    """Ordinary text is not a leak: a URL, a ratio, a fraction, a year, a file name without a folder."""
    html = (
        "<main><p>See https://example.org/work/tmp, 1/2 of 2/3; Table 3 (2011-2023); panel.csv; "
        "km/home; the data folder data/published/; written to _build/tables/table3.csv.</p></main>"
    )
    assert leaks_in(page_text(html), "mybook") == []


def test_the_landing_page_links_every_page(root, html_dir):
    """The landing page's list of the book's pages omits none (issue 24: it omitted five)."""
    from urllib.parse import urldefrag

    soup = BeautifulSoup((html_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
    main = soup.select_one("main") or soup
    linked = {urldefrag(a["href"])[0].removesuffix(".html") for a in main.find_all("a", href=True)}
    missing = [p for p in toc_pages(root)[1:] if p not in linked]
    assert not missing, f"the landing page does not link to {missing}"
