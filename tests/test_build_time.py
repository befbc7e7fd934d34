"""The Chinese build's time (issue 27): what it saved, which changes no page.

* **A translated page's doctree holds the page alone.** Sphinx's i18n transform parses each translation as
  a document of its own, whose settings hold the build environment; the nodes it moved into the page kept
  a reference to it, so every saved Chinese doctree held a copy of the environment (3 MB against 0.2 MB)
  and was unpickled again for each ``numref`` to it (most of the Chinese build's time beyond the English one's).
  :func:`aichain_utils.book.sphinxext._detach_translated_messages` makes the nodes the page's: a planted
  foreign document is detached, and every doctree of the built Chinese edition names no other document.
* **The Chinese search language looks its Latin words up.** ``SearchChinese.stem`` asks whether a word is
  among the Latin words seen so far, a list scanned for every word of every page (a fifth of each
  edition's build); :class:`aichain_utils.book.sphinxext._LatinTerms` answers from a set, with the same
  answers and the same stems as Sphinx's class.
"""

from __future__ import annotations

import pickle

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from aichain_utils.book.sphinxext import _chinese_search_language, _detach_translated_messages, _LatinTerms
from aichain_utils.paths import repo_root

ROOT = repo_root()


def _document(text: str) -> nodes.document:
    doc = new_document("<page>", get_default_settings(Parser))
    Parser().parse(text, doc)
    return doc


def foreign_documents(doctree: nodes.document) -> int:
    """How many nodes of ``doctree`` name another document as theirs."""
    return sum(1 for node in doctree.findall() if getattr(node, "_document", None) not in (None, doctree))


def test_a_translated_paragraph_is_detached_from_its_own_document():
    page = _document("A heading\n=========\n\nAn English paragraph.\n")
    message = _document("一个中文段落，*有强调*。\n")  # as Sphinx's publish_msgstr parses a translation
    translated = message[0]
    for node in translated.findall():
        node.document = message
    page[0][1].replace_self(translated)
    assert foreign_documents(page) > 0  # the planted failure: the page would pickle the message's document
    before = len(pickle.dumps(page))
    _detach_translated_messages(None, page)
    assert foreign_documents(page) == 0
    assert len(pickle.dumps(page)) < before
    assert translated.document is page and translated.astext() == "一个中文段落，有强调。"


def test_no_chinese_doctree_holds_another_document():
    doctrees = sorted((ROOT / "_build" / "zh" / ".doctrees").rglob("*.doctree"))
    if not doctrees:
        pytest.skip("the Chinese edition is not built (make book)")
    held = {}
    for path in doctrees:
        with path.open("rb") as f:
            doctree = pickle.load(f)
        if foreign_documents(doctree):
            held[path.name] = foreign_documents(doctree)
    assert not held, f"Chinese doctrees whose nodes name another document (the environment pickled): {held}"


def test_the_latin_terms_answer_as_the_list_does():
    terms = _LatinTerms()
    terms.extend(w for w in ["AIE", "ERL", "AIE"])
    assert list(terms) == ["AIE", "ERL", "AIE"]
    assert "AIE" in terms and "ERL" in terms and "FSIE" not in terms


def test_the_chinese_search_language_stems_as_sphinxs():
    from sphinx.search.zh import SearchChinese

    ours, sphinx = _chinese_search_language()({}), SearchChinese({})
    assert ours.lang == "zh" and isinstance(type(ours).latin_terms, _LatinTerms)
    text = "卡脖子技术的 AIE 指数与 ERL，ITSE 和 running regressions 中的 FWL 定理"
    assert ours.split(text) == sphinx.split(text)
    for word in [*ours.split(text), "ran", "regressions", "AIE", "the"]:
        assert ours.stem(word) == sphinx.stem(word), word
