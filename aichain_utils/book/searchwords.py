"""The glossary's Chinese terms as whole words of the search index (issue 26, review defect 3).

Both editions search with Sphinx's Chinese search language (``html_search_language: zh``), which cuts the
pages' Chinese text with jieba (``cut_for_search``) into words. jieba's own dictionary does not know the
book's terms: it cut 固定效应 into 固定 and 效应, and the browser, which does not segment a query, then
found no page for 固定效应, 工具变量 or 熵权法. The build therefore gives jieba a user dictionary
(``html_search_options["dict"]``, which :class:`sphinx.search.zh.SearchChinese` loads when the file
exists) made from the glossary's Chinese terms and the figures' short Chinese labels
(:func:`search_words`). It is written at build time into the build's Sphinx state
(:func:`configure_search_dictionary`), so it never drifts from ``data/glossary.csv``, and its path is
absolute (Sphinx tests it with ``os.path.isfile`` from the build's working directory). A term made one
word by the dictionary would hide the longer words inside it (``cut_for_search`` adds only the two- and
three-character words of a word): 人工智能嵌入 would no longer give 人工智能. :func:`inner_words` gives them back,
every dictionary word of four characters or more inside a longer one.
"""

from __future__ import annotations

import re
from pathlib import Path

from aichain_utils.book.glossary import _chinese_term, load_glossary
from aichain_utils.report.catalogue import catalogue_path, load_catalogue
from aichain_utils.report.figurelabels import CATALOGUE as FIGURES

#: The file of the dictionary, in the build's Sphinx state (``doctreedir``).
DICTIONARY = "search-words-zh.txt"
#: What jieba cuts as one stretch of text (``jieba.re_han_default``): a term is given to it in such pieces.
_JIEBA_STRETCH = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[\u4e00-\u9fff]{3,6}")


def _stretches(text: str) -> list[str]:
    """The stretches of ``text`` jieba cuts separately that have a Chinese character and two characters
    or more."""
    return [w for w in _JIEBA_STRETCH.findall(text) if _CJK.search(w) and len(w) >= 2]


def figure_words(catalogue: dict[str, str] | None = None) -> list[str]:
    """The figures' short Chinese labels (``figures.po``: a label of at most three stretches) that are
    words: three to six Chinese characters, not ending or starting with 的 (工具变量, 置信区间)."""
    catalogue = load_catalogue(catalogue_path(FIGURES)) if catalogue is None else catalogue
    words = []
    for text in catalogue.values():
        parts = _JIEBA_STRETCH.findall(text or "")
        if len(parts) <= 3:
            words += [w for w in parts if _WORD.fullmatch(w) and not w.startswith("的") and not w.endswith("的")]
    return words


def search_words(frame=None, catalogue: dict[str, str] | None = None) -> list[str]:
    """Every Chinese word of the glossary's terms (column ``chinese``, without an English note), in the
    glossary's order, then the figures' (:func:`figure_words`), once each: a term with a space or a
    bracket in it (``人工智能嵌入程度（替代测度）``, ``Sobel 标准误``) gives each of its Chinese stretches,
    as jieba reads the text (``Sobel`` stays a Latin word of the index)."""
    frame = load_glossary() if frame is None else frame
    words: list[str] = []
    for chinese in frame["chinese"]:
        words += _stretches(_chinese_term(chinese))
    return list(dict.fromkeys(words + figure_words(catalogue)))


def dictionary_text(words: list[str]) -> str:
    """jieba's user dictionary: one word a line, without a frequency (jieba gives it one that makes the
    word cut out whole)."""
    return "".join(f"{w}\n" for w in words)


def configure_search_dictionary(app, config) -> None:
    """Write the glossary's dictionary (:func:`search_words`) into the build's Sphinx state and name it
    in ``html_search_options["dict"]`` (absolute), when the search language is Chinese. A dictionary the
    configuration names already is kept: its lines follow the glossary's."""
    if not str(config.html_search_language or "").startswith("zh"):
        return
    options = dict(config.html_search_options or {})
    own = options.get("dict")
    path = Path(app.doctreedir).resolve() / DICTIONARY
    text = dictionary_text(search_words())
    if own and Path(own).is_file() and Path(own).resolve() != path:
        text += Path(own).read_text(encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    options["dict"] = str(path)
    config.html_search_options = options


def inner_words(words: list[str], known) -> list[str]:
    """The words of four characters or more that ``known`` (jieba's dictionary, ``jieba.dt.FREQ``) holds
    inside each Chinese word of ``words`` longer than four characters: 人工智能 in 人工智能嵌入."""
    found: list[str] = []
    for word in words:
        if len(word) <= 4 or not _CJK.search(word):
            continue
        for size in range(4, len(word)):
            found += [word[i : i + size] for i in range(len(word) - size + 1) if known.get(word[i : i + size])]
    return found
