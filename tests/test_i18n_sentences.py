"""Computed words and sentences in both languages from one execution (issue 26, item 4).

A verdict word or computed sentence is a :class:`aichain_utils.replication.numbers.Bilingual` leaf of a
results object's numbers: :func:`aichain_utils.book.glue_numbers` glues its English as ``text/plain`` (as
the English ``str`` was glued) and its Chinese under :data:`~aichain_utils.replication.numbers.ZH_MIME`, and
the Chinese build pastes the Chinese text wherever a glue role of its key stands in a translated paragraph
(:mod:`aichain_utils.book.sphinxext`).

* **The sandbox book, twice.** A landing page and one notebook page that glues a bilingual word and clause
  (through ``book.glue_numbers``, as a chapter does) beside a number and a plain English word, with a
  ``zh_CN`` catalogue translating one paragraph and leaving another untranslated, built with
  ``tools/build_book.py`` as ``make book`` and ``make book LANG=zh`` build the real book. The English page
  shows the English words, the translated paragraph of the Chinese page the Chinese words (none empty),
  and the untranslated paragraph stays English throughout; the executed notebook carries both texts.
* **Displayed Markdown.** A cell that displays a bilingual Markdown list (``book.show_markdown``, as the
  audit and simulation-lab pages display their computed lists) shows the English list on the English page
  and the Chinese list, rendered as Markdown, on the Chinese page; a plain English text stays English.
* **Planted:** a bilingual leaf with an empty Chinese (or English) text is refused with a clear error, and
  so is a glued output whose Chinese text is empty.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sandbox_pages import FRONT_MATTER
from test_i18n import _build, _sandbox

from aichain_utils.book import show_markdown
from aichain_utils.book.sphinxext import chinese_output, translated_text
from aichain_utils.replication.numbers import ZH_MARKDOWN, ZH_MIME, Bilingual, Numbers, bilingual_join

PAGE = (
    FRONT_MATTER
    + """\

# The page

```{code-cell} ipython3
:tags: [remove-cell]
from aichain_utils import book
from aichain_utils.replication.numbers import Bilingual, Numbers, sampling_error_clause

words = {"c4_vs_c2": Bilingual("larger", "更大"), "clause": sampling_error_clause(0.3, 0.1)}
book.glue_numbers(Numbers("zz", {**words, "coef": 0.123456, "estimator": "FGLS"}))
```

Column (4), {glue:text}`zz_coef:.3f`, is {glue:text}`zz_c4_vs_c2` than column (2): \
{glue:text}`zz_clause:s`; as any, {glue:any}`zz_c4_vs_c2`; from the page, {glue:text}`page.md::zz_c4_vs_c2:s`;\
 by {glue:text}`zz_estimator`.

An untranslated paragraph: {glue:text}`zz_c4_vs_c2`.

{glue:text}`zz_clause:s`.

{glue:text}`page.md::zz_c4_vs_c2:s`

```{code-cell} ipython3
:tags: [remove-input]
book.show_markdown(Bilingual("- **first** item\\n- second item", "- **第一**项\\n- 第二项"))
```

```{code-cell} ipython3
:tags: [remove-input]
book.show_markdown("- a plain English item")
```
"""
)

CATALOGUE = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "The page"
msgstr "本页"

msgid ""
"Column (4), {glue:text}`zz_coef:.3f`, is {glue:text}`zz_c4_vs_c2` than column (2): "
"{glue:text}`zz_clause:s`; as any, {glue:any}`zz_c4_vs_c2`; from the page, "
"{glue:text}`page.md::zz_c4_vs_c2:s`; by {glue:text}`zz_estimator`."
msgstr ""
"第(4)列为 {glue:text}`zz_coef:.3f`，比第(2)列{glue:text}`zz_c4_vs_c2`：{glue:text}`zz_clause:s`；"
"作为任意输出：{glue:any}`zz_c4_vs_c2`；引用本页：{glue:text}`page.md::zz_c4_vs_c2:s`；"
"估计方法为 {glue:text}`zz_estimator`。"
"""

#: A pasted value: MyST-NB's ``pasted-text`` ({glue:text}) or ``output text_plain`` ({glue}, {glue:any}).
_PASTED = re.compile(r'<span class="(pasted-text|output text_plain)">([^<]*)</span>')


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    book = _sandbox(tmp_path_factory.mktemp("i18n_sentences") / "book", PAGE, CATALOGUE)
    _build(book, "--", "-W", "--keep-going")
    _build(book, "--language", "zh_CN", "--", "-W", "-n", "--keep-going")
    return book


def _paragraphs(html: str) -> list[list[tuple[str, str]]]:
    """The pasted values of each paragraph of the page's body that has any."""
    found = [_PASTED.findall(p) for p in re.findall(r"<p>(.*?)</p>", html, flags=re.S)]
    return [p for p in found if p]


@pytest.mark.slow
def test_the_english_page_shows_english_words_and_the_chinese_page_chinese_words(sandbox):
    english = (sandbox / "_build" / "html" / "page.html").read_text(encoding="utf-8")
    chinese = (sandbox / "_build" / "html" / "zh" / "page.html").read_text(encoding="utf-8")
    assert "第(4)列为" in chinese and "Column (4)" not in chinese  # the catalogue was applied
    clause_en, clause_zh = "more than sampling error explains", "超出了抽样误差所能解释的范围"
    assert _paragraphs(english) == [
        [
            ("pasted-text", "0.123"),
            ("pasted-text", "larger"),
            ("pasted-text", clause_en),
            ("output text_plain", "‘larger’"),  # {glue:any}: a str's repr, as always (smart quotes)
            ("pasted-text", "larger"),
            ("pasted-text", "FGLS"),
        ],
        [("pasted-text", "larger")],
        [("pasted-text", clause_en)],
        [("pasted-text", "larger")],
    ]
    assert _paragraphs(chinese) == [
        [
            ("pasted-text", "0.123"),  # a number is the same number
            ("pasted-text", "更大"),
            ("pasted-text", clause_zh),
            ("output text_plain", "'更大'"),  # the repr of the Chinese text
            ("pasted-text", "更大"),
            ("pasted-text", "FGLS"),  # a plain word has no translation: pasted as on the English page
        ],
        [("pasted-text", "larger")],  # an untranslated paragraph stays English, its words too
        [("pasted-text", clause_zh)],  # a paragraph of glue alone (its own translation): in Chinese
        [("pasted-text", "更大")],  # the same for another page's value (the landing page's headline)
    ]
    assert "更大" not in english and clause_zh not in english


@pytest.mark.slow
def test_the_executed_notebook_carries_both_texts(sandbox):
    glue = json.loads((sandbox / "_build" / "jupyter_execute" / "page.glue.json").read_text(encoding="utf-8"))
    assert glue["zz_c4_vs_c2"]["data"] == {"text/plain": "'larger'", ZH_MIME: "更大"}
    assert glue["zz_estimator"]["data"] == {"text/plain": "'FGLS'"}  # a plain str is glued as before


def test_an_empty_translation_is_refused():
    with pytest.raises(ValueError, match="needs a non-empty Chinese text: got en='larger', zh=''"):
        Numbers("zz", {"c4_vs_c2": Bilingual("larger", "")})
    with pytest.raises(ValueError, match="non-empty English text"):
        Bilingual("", "更大")
    with pytest.raises(ValueError, match=r"empty Chinese text.*'larger'"):  # a glued output edited by hand
        translated_text({"text/plain": "'larger'", ZH_MIME: " "})


def test_translated_text_formats_as_the_english_is_formatted():
    data = {"text/plain": "'larger'", ZH_MIME: "更大"}
    assert translated_text(data) == translated_text(data, "s") == "更大"
    assert translated_text(data, ">4s") == "  更大"
    assert translated_text({"text/plain": "'FGLS'"}, "s") is None  # not bilingual: MyST-NB pastes it
    assert translated_text({"text/plain": "'x'", ZH_MIME: ["更", "大"]}) == "更大"  # split into lines


@pytest.mark.slow
def test_a_displayed_bilingual_markdown_list_is_in_the_page_language(sandbox):
    english = (sandbox / "_build" / "html" / "page.html").read_text(encoding="utf-8")
    chinese = (sandbox / "_build" / "html" / "zh" / "page.html").read_text(encoding="utf-8")
    items = re.compile(r"<li><p>(.*?)</p></li>", flags=re.S)
    assert items.findall(english) == ["<strong>first</strong> item", "second item", "a plain English item"]
    assert items.findall(chinese) == ["<strong>第一</strong>项", "第二项", "a plain English item"]


def test_show_markdown_displays_the_english_and_carries_the_chinese():
    from IPython.core.formatters import DisplayFormatter

    data, metadata = DisplayFormatter().format(show_markdown(Bilingual("- **a**", "- **甲**")))
    assert data["text/markdown"] == "- **a**" and metadata == {"text/markdown": {ZH_MARKDOWN: "- **甲**"}}
    assert chinese_output(metadata, "text/markdown") == "- **甲**"
    data, metadata = DisplayFormatter().format(show_markdown("- plain"))  # English only: as Markdown("- plain")
    assert data["text/markdown"] == "- plain" and metadata == {} and chinese_output(metadata, "text/markdown") is None


def test_an_empty_chinese_markdown_is_refused():
    with pytest.raises(ValueError, match="empty Chinese"):
        chinese_output({"text/markdown": {ZH_MARKDOWN: " "}}, "text/markdown")
    assert chinese_output({"text/markdown": {ZH_MARKDOWN: ["- 甲", "\n- 乙"]}}, "text/markdown") == "- 甲\n- 乙"


def test_bilingual_join_joins_each_language_with_its_separator():
    text = bilingual_join([Bilingual("2 errors", "2 项错误"), "FE", Bilingual("1 note", "1 项提示")], ", ", "，")
    assert (text, text.zh) == ("2 errors, FE, 1 note", "2 项错误，FE，1 项提示")
    assert bilingual_join([Bilingual("a", "甲")], "\n").zh == "甲"
    with pytest.raises(ValueError, match="at least one part"):
        bilingual_join([], ", ")
