"""The glossary is the one source of terminology in both languages (issue 26, item 3): wherever an English
page uses a glossary term, its Chinese page uses the glossary's Chinese term for it; the Chinese glossary
gives every definition in Chinese. Read from the book ``make book`` built (English in ``_build/html``, the
Chinese edition in ``_build/html/zh``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from aichain_utils.book.glossary import _chinese_term, chinese_heading, load_glossary, term_patterns

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"


def page_text(html: Path) -> str:
    """The prose of a page's main column, as the catalogues translate it: without code, maths, the data banner,
    the executed tables (whose labels tests/test_table_labels.py checks) and the cells' displayed outputs (the
    package's text, in the page's language where it is bilingual: the results objects' tests)."""
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    main = soup.select_one("main") or soup
    not_prose = "pre, code, .math, mjx-container, .aichain-data-banner, script, style, table, .cell_output"
    for junk in main.select(not_prose):
        junk.decompose()
    return " ".join(main.get_text(" ").split())


def glossary_gaps(english_site: Path, chinese_site: Path) -> list[str]:
    """The (term, page) pairs where the English page uses a glossary term in its prose (its English name;
    a symbol alone does not count) and the Chinese page does not show the glossary's Chinese term."""
    frame = load_glossary()
    english_only = dict(term_patterns(frame.assign(symbol="")))
    gaps, texts = [], {}
    for _, row in frame.iterrows():
        chinese = _chinese_term(row["chinese"])
        for place in (w.strip() for w in row["where_used"].split(",")):
            page = f"chapters/{place}.html"
            for site in (english_site, chinese_site):
                if (site, page) not in texts:
                    texts[site, page] = page_text(site / page) if (site / page).is_file() else ""
            if english_only[row["term"]].search(texts[english_site, page]) and chinese not in texts[chinese_site, page]:
                gaps.append(f"{row['term']} ({chinese}) on {page}")
    return gaps


@pytest.fixture(scope="module")
def chinese_site() -> Path:
    site = SITE / "zh"
    if not (site / "index.html").is_file():
        if os.environ.get("CI"):
            pytest.fail("make test builds the Chinese edition into _build/html/zh, and it is missing")
        pytest.skip("the Chinese edition is not built: run `make book`")
    return site


def test_every_glossary_term_on_an_english_page_has_its_glossary_translation_on_the_chinese_page(chinese_site):
    gaps = glossary_gaps(SITE, chinese_site)
    assert not gaps, f"{len(gaps)} terms without their glossary translation: {gaps[:8]}"


def test_a_translation_that_uses_another_word_is_found(tmp_path):
    english, chinese = tmp_path / "en" / "chapters", tmp_path / "zh" / "chapters"
    english.mkdir(parents=True)
    chinese.mkdir(parents=True)
    (english / "baseline.html").write_text("<main><p>The fixed effects estimate of AI embedding.</p></main>")
    (chinese / "baseline.html").write_text("<main><p>人工智能植入的固定效应估计。</p></main>")  # not 嵌入
    gaps = glossary_gaps(english.parent, chinese.parent)
    assert "AI embedding (人工智能嵌入) on chapters/baseline.html" in gaps
    assert not any(g.startswith("Fixed effects") and "baseline" in g for g in gaps)


def test_the_chinese_glossary_gives_every_definition_in_chinese(chinese_site):
    text = page_text(chinese_site / "glossary.html")
    frame = load_glossary()
    missing = [row["term"] for _, row in frame.iterrows() if " ".join(row["definition_zh"].split())[:12] not in text]
    assert not missing, f"Chinese definitions missing from the Chinese glossary: {missing[:5]}"
    assert "Used in:" not in text and "使用章节" in text


def test_the_chinese_glossary_refuses_an_empty_definition():
    from aichain_utils.book.glossary import glossary_markdown

    frame = load_glossary()
    frame.loc[0, "definition_zh"] = " "
    with pytest.raises(ValueError, match=re.escape(f"'definition_zh': empty for ['{frame.loc[0, 'term']}']")):
        glossary_markdown(frame, language="zh_CN")
    assert "Used in:" in glossary_markdown(frame)  # the English glossary does not read the column


def test_the_chinese_glossary_heads_each_entry_with_its_chinese_term(chinese_site):
    """The Chinese glossary's headings lead with the Chinese term, the English after it; the anchors are the
    English glossary's, so every link to an entry still lands on it."""
    frame = load_glossary()
    english = BeautifulSoup((SITE / "glossary.html").read_text(encoding="utf-8"), "html.parser")
    chinese = BeautifulSoup((chinese_site / "glossary.html").read_text(encoding="utf-8"), "html.parser")
    heads = {
        dt["id"]: dt.get_text(" ", strip=True).rstrip("#¶ ").strip() for dt in chinese.select("main dl.glossary > dt")
    }
    assert set(heads) == {dt["id"] for dt in english.select("main dl.glossary > dt")}
    expected = {chinese_heading(_chinese_term(row["chinese"]), row["term"]) for _, row in frame.iterrows()}
    assert set(heads.values()) == expected
    assert not any("）（" in head for head in heads.values()), "two parentheses in a row"


def test_a_glossary_heading_gets_its_chinese_term_first_and_keeps_its_anchor():
    from docutils import nodes
    from sphinx import addnodes

    from aichain_utils.book.glossary import chinese_first_terms

    page, terms = nodes.section(), []
    for name in ("AI embedding", "Not in the glossary", "Cragg-Donald F"):
        term = nodes.term("", "", nodes.Text(name), addnodes.index(entries=[]), ids=[f"term-{name}"])
        item = nodes.definition_list_item("", term, nodes.definition())
        page += nodes.definition_list("", item)
        terms.append(term)
    assert chinese_first_terms(page) == 2
    assert terms[2].astext() == "Cragg-Donald F 统计量（Cragg-Donald F）"  # its Chinese holds the English term
    assert terms[0].astext() == "人工智能嵌入（AI embedding）" and terms[0]["ids"] == ["term-AI embedding"]
    assert isinstance(terms[0].children[-1], addnodes.index)  # the index entry stays last, made from the English
    assert terms[1].astext() == "Not in the glossary"
    assert chinese_heading("人工智能嵌入程度（替代测度）", "Alternative AI embedding") == (
        "人工智能嵌入程度（替代测度；Alternative AI embedding）"
    )


def test_the_chinese_glossary_gives_an_english_note_in_chinese():
    from aichain_utils.book.glossary import _chinese_term, chinese_name_zh, glossary_markdown

    frame = load_glossary()
    noted = frame[frame["chinese"].str.strip() != frame["chinese"].map(_chinese_term)]
    assert len(noted) >= 2 and (noted["note_zh"].str.strip() != "").all()
    text = glossary_markdown(frame, language="zh_CN")
    assert "一阶差分（论文称“组内差分法”）" in text
    for _, row in noted.iterrows():
        assert row["chinese"] not in text and chinese_name_zh(row) in text
    assert not re.search(r"\((?:the paper|Table)", text)
    assert "(the paper: 组内差分法)" in glossary_markdown(frame)  # the English edition keeps its note


def test_the_chinese_glossary_refuses_an_english_note_without_its_chinese():
    from aichain_utils.book.glossary import glossary_markdown

    frame = load_glossary()
    frame.loc[frame["term"] == "First differences", "note_zh"] = ""
    with pytest.raises(ValueError, match="'note_zh': empty for 'First differences'"):
        glossary_markdown(frame, language="zh_CN")
