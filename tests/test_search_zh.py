"""Review of issue 26, defects 3, 13 and 17: the Chinese search finds the glossary's terms, the figures'
alt texts are Chinese on Chinese pages, and the pages Sphinx generates (index, module index, search)
have the language switch.

* **Search** (:mod:`aichain_utils.book.searchwords`): the jieba user dictionary holds every glossary
  term (unit), the segmentation keeps them whole and their inner words (unit), the built Chinese index
  has 固定效应 and 工具变量 as words with pages (a planted index without them is reported), and
  Chromium's search of the Chinese site finds pages for them.
* **Alt texts** (:mod:`aichain_utils.book.figurealt`): every ``:alt:`` of the book has a Chinese
  translation (unit), the translation replaces an image's alt (unit), and no image of a built Chinese
  page has an English alt (a planted page is reported).
* **Language switch**: ``genindex``, ``py-modindex`` and ``search`` of both built editions link to the
  same page of the other one (a planted page without the link is reported).

The built-site tests skip when the site is not built (``make book``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from test_browser import _run, browser, server  # noqa: F401  (pytest fixtures, reused)

from aichain_utils.book import figurealt, searchwords
from aichain_utils.book.glossary import _chinese_term, load_glossary
from aichain_utils.paths import repo_root, toc_pages
from aichain_utils.report.catalogue import load_catalogue

ROOT = repo_root()
HTML = ROOT / "_build" / "html"
LOCALE = ROOT / "locale" / "zh_CN" / "LC_MESSAGES"
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: The reviewer's searches that found nothing (review of issue 26, defect 3).
REVIEWED = ("固定效应", "工具变量", "中介效应", "两阶段最小二乘", "聚类野自助法", "熵权法", "复现台账")


# --------------------------------------------------------------------------- search: the dictionary
def test_the_search_dictionary_holds_every_glossary_term():
    words = set(searchwords.search_words())
    missing = []
    for chinese in load_glossary()["chinese"]:
        stretches = [w for w in re.findall(r"[\u4e00-\u9fffA-Za-z0-9]+", _chinese_term(chinese)) if _CJK.search(w)]
        missing += [w for w in stretches if len(w) >= 2 and w not in words]
    assert not missing, f"glossary terms missing from the search dictionary: {missing}"
    assert set(REVIEWED) <= words, set(REVIEWED) - words


def test_the_search_dictionary_follows_the_glossary_and_the_figures():
    """A term added to the glossary, or a short label to the figures' catalogue, is a word of the
    dictionary: nothing is listed by hand."""
    frame = pd.DataFrame({"term": ["Planted term"], "chinese": ["植入术语 (the paper: 别名)"]})
    words = searchwords.search_words(frame, catalogue={"Instruments\nIV1-IV4": "植入工具\nIV1-IV4", "x": "的植入"})
    assert words == ["植入术语", "植入工具"]


def test_the_dictionary_is_written_into_the_builds_state_with_an_absolute_path(tmp_path):
    own = tmp_path / "own.txt"
    own.write_text("自有词\n", encoding="utf-8")
    config = SimpleNamespace(html_search_language="zh", html_search_options={"dict": str(own)})
    searchwords.configure_search_dictionary(SimpleNamespace(doctreedir=str(tmp_path / "doctrees")), config)
    path = Path(config.html_search_options["dict"])
    assert path.is_absolute() and path.parent == tmp_path / "doctrees"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "固定效应" in lines and lines[-1] == "自有词"
    english = SimpleNamespace(html_search_language="en", html_search_options={})
    searchwords.configure_search_dictionary(SimpleNamespace(doctreedir=str(tmp_path / "en")), english)
    assert english.html_search_options == {} and not (tmp_path / "en").exists()


def test_inner_words():
    known = {"人工智能": 5, "人工智能嵌入": 1, "固定效应": 1}
    assert searchwords.inner_words(["人工智能嵌入", "人工智能", "AIE_alt_index"], known) == ["人工智能"]


def test_the_segmentation_keeps_the_terms_whole_and_their_parts(tmp_path):
    from aichain_utils.book.sphinxext import _chinese_search_language

    path = tmp_path / "words.txt"
    path.write_text(searchwords.dictionary_text(searchwords.search_words()), encoding="utf-8")
    language = _chinese_search_language()({"dict": str(path)})
    words = language.split("本章以固定效应与工具变量估计人工智能嵌入的中介效应，采用熵权法与聚类野自助法。")
    for word in (*REVIEWED[:3], "熵权法", "聚类野自助法", "固定", "效应", "人工智能嵌入", "人工智能"):
        assert word in words, f"{word} not in {words}"


# --------------------------------------------------------------------------- search: the built index
def search_index(path: Path) -> dict:
    """The object of a built ``searchindex.js``."""
    text = path.read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def words_without_pages(index: dict, words) -> list[str]:
    """The ``words`` that are not terms of ``index`` with at least one page."""
    terms = index.get("terms", {})
    return [w for w in words if not (terms.get(w) or terms.get(w) == 0)]


def _built(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"{path.relative_to(ROOT)} is not built (make book)")
    return path


def test_the_chinese_index_has_the_glossary_terms_as_words():
    index = search_index(_built(HTML / "zh" / "searchindex.js"))
    assert not words_without_pages(index, REVIEWED), words_without_pages(index, REVIEWED)
    assert not words_without_pages(index, ["人工智能", "卡脖子", "嵌入", "aie"])  # what it found before
    english = search_index(_built(HTML / "searchindex.js"))
    assert not words_without_pages(english, ["aie", "baselin", "固定效应"])


def test_the_index_check_reports_a_missing_term():
    planted = {"terms": {"固定": [1, 2], "效应": 3, "工具变量": []}}
    assert words_without_pages(planted, ["固定效应", "工具变量", "固定", "效应"]) == ["固定效应", "工具变量"]


def test_the_chinese_search_finds_the_glossary_terms_in_chromium(browser, server, tmp_path):  # noqa: F811
    """The reviewer's searches, in the browser: 固定效应 and 工具变量 find pages of the Chinese site."""
    _built(HTML / "zh" / "search.html")
    for word in ("固定效应", "工具变量"):
        dom = _run(browser, tmp_path, "--dump-dom", f"{server}/zh/search.html?q={quote(word)}")
        hits = BeautifulSoup(dom, "html.parser").select("ul.search li")
        assert hits, f"the Chinese search found nothing for {word}"


# --------------------------------------------------------------------------- alt texts
def test_every_alt_text_has_a_chinese_translation():
    figures = load_catalogue(LOCALE / f"{figurealt.CATALOGUE}.po")
    missing = []
    for page in toc_pages(ROOT):
        source = ROOT / f"{page}.md"
        if not source.is_file():
            continue
        own = load_catalogue(LOCALE / f"{page}.po")
        for alt in figurealt.alt_texts(source.read_text(encoding="utf-8")):
            chinese = own.get(alt) or figures.get(alt) or ""
            if not _CJK.search(chinese):
                missing.append(f"{page}: {alt[:60]}")
    assert not missing, "alt texts without Chinese (locale/zh_CN/LC_MESSAGES/figure_alt.po):\n" + "\n".join(missing)


def test_the_alt_text_is_replaced():
    from docutils import nodes

    doctree = nodes.section("", nodes.image(uri="a.svg", alt="A plot."), nodes.image(uri="b.svg", alt="Other."))
    assert figurealt.translate_alt_texts(doctree, {"A plot.": "一幅图。"}) == 1
    assert [i["alt"] for i in doctree.findall(nodes.image)] == ["一幅图。", "Other."]


def english_alts(html: str) -> list[str]:
    """The alt texts of a page's images that have no Chinese character."""
    return [img["alt"] for img in BeautifulSoup(html, "html.parser").select("img[alt]") if not _CJK.search(img["alt"])]


def test_no_chinese_page_has_an_english_alt_text():
    _built(HTML / "zh" / "chapters" / "baseline.html")
    found = []
    for page in toc_pages(ROOT):
        path = HTML / "zh" / f"{page}.html"
        if path.is_file():
            found += [f"{page}: {alt[:60]}" for alt in english_alts(path.read_text(encoding="utf-8"))]
    assert not found, "\n".join(found)
    baseline = (HTML / "zh" / "chapters" / "baseline.html").read_text(encoding="utf-8")
    assert 'alt="表 3 八个系数的点须图' in baseline


def test_the_alt_check_reports_an_english_alt():
    page = '<img alt="Dot-and-whisker plot." src="a.svg"><img alt="点须图。" src="b.svg"><img alt="" src="c.svg">'
    assert english_alts(page) == ["Dot-and-whisker plot.", ""]


# --------------------------------------------------------------------------- the language switch
GENERATED = ("genindex", "py-modindex", "search")


def switch_problems(html_dir: Path, page: str, other: Path) -> list[str]:
    """What is wrong with the language switch of ``html_dir/page.html``: no link, more than one, or a link
    that is not the same page of the other edition (``other``, the other edition's folder)."""
    soup = BeautifulSoup((html_dir / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    links = soup.select(".aichain-language-switch a[href]")
    if len(links) != 1:
        return [f"{html_dir.name}/{page}: {len(links) or 'no'} language switch{'es' if links else ''}"]
    link = links[0]
    target = (html_dir / link["href"]).resolve()
    return [] if target == (other / f"{page}.html").resolve() else [f"{html_dir.name}/{page}: links {link['href']}"]


def test_the_generated_pages_have_the_language_switch():
    _built(HTML / "zh" / "search.html")
    problems = []
    for page in GENERATED:
        if (HTML / f"{page}.html").is_file():
            problems += switch_problems(HTML, page, HTML / "zh") + switch_problems(HTML / "zh", page, HTML)
    assert not problems, problems
    assert (HTML / "search.html").is_file() and (HTML / "genindex.html").is_file()


def test_the_switch_check_reports_a_page_without_it(tmp_path):
    (tmp_path / "en" / "zh").mkdir(parents=True)
    (tmp_path / "en" / "search.html").write_text("<html><body><p>Search</p></body></html>", encoding="utf-8")
    wrong = '<div class="aichain-language-switch"><a href="../index.html">English</a></div>'
    (tmp_path / "en" / "zh" / "search.html").write_text(wrong, encoding="utf-8")
    assert switch_problems(tmp_path / "en", "search", tmp_path / "en" / "zh") == ["en/search: no language switch"]
    assert switch_problems(tmp_path / "en" / "zh", "search", tmp_path / "en") == ["zh/search: links ../index.html"]
    (tmp_path / "en" / "search.html").write_text(2 * wrong.replace("../index.html", "zh/search.html"), encoding="utf-8")
    assert switch_problems(tmp_path / "en", "search", tmp_path / "en" / "zh") == ["en/search: 2 language switches"]
