"""Every term "Replication at a glance" uses is in the glossary (issue 24, item 7).

The glossary (``data/glossary.csv``, English and Chinese) is the one source of terminology. The page
marks its terms: each defined term is written with the ``{term}`` role (Sphinx fails the build on a
term the glossary lacks) and most are bold. These tests check the page's source against the glossary
without a build: every ``{term}`` target and every bold phrase is a glossary entry, the ledger's and
the closest world's verdicts (read from the code) have entries, and the words the issue named are there
with their Chinese term and pinyin.
"""

from __future__ import annotations

import re

import pytest

from aichain_utils.book.glossary import load_glossary, term_patterns
from aichain_utils.paths import repo_root
from aichain_utils.replication import ledger

PAGE = repo_root() / "at_a_glance.md"
#: a {term} role: `title <Target>` or `Target`
TERM = re.compile(r"\{term\}`([^`]+)`")
BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


def _prose(text: str) -> str:
    """The page without its code cells and front matter (the glue cells hold no prose)."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    return re.sub(r"^```\{code-cell\}.*?^```\s*$", "", text, flags=re.M | re.S)


def _target(role: str) -> str:
    m = re.search(r"<([^>]+)>\s*$", role)
    return (m.group(1) if m else role).strip()


def _terms() -> dict[str, str]:
    g = load_glossary()
    return {t.casefold(): t for t in g["term"]}


def _is_glossary_term(phrase: str, patterns) -> bool:
    return any(p.fullmatch(phrase.strip()) for _, p in patterns)


def test_every_term_role_of_the_page_is_a_glossary_entry():
    text = _prose(PAGE.read_text(encoding="utf-8"))
    roles = TERM.findall(text)
    assert len(roles) >= 5, "the page marks its terms with {term} (the glossary link and Sphinx's check)"
    missing = [r for r in roles if _target(r).casefold() not in _terms()]
    assert not missing, f"at_a_glance.md uses terms the glossary lacks: {missing}"


def test_every_bold_phrase_of_the_page_is_a_glossary_term():
    """A bold phrase is a defined term: its {term} target, or words a glossary entry matches. The one
    bold sentence (the book's goal, stated so that it can fail) is a statement, not a term."""
    text = _prose(PAGE.read_text(encoding="utf-8"))
    patterns = term_patterns()
    bad = []
    for phrase in BOLD.findall(text):
        phrase = " ".join(phrase.split())
        if len(phrase.split()) > 8:
            continue  # a sentence set in bold
        roles = TERM.findall(phrase)
        if roles:
            if any(_target(r).casefold() not in _terms() for r in roles):
                bad.append(phrase)
        elif not _is_glossary_term(phrase, patterns):
            bad.append(phrase)
    assert not bad, f"bold phrases on at_a_glance.md that are no glossary term: {bad}"


def test_the_verdicts_the_page_counts_are_glossary_terms():
    """The ledger's verdicts come from the code: a new verdict without a glossary entry fails here."""
    patterns = term_patterns()
    for verdict in ledger.VERDICTS:
        assert _is_glossary_term(verdict, patterns), f"ledger verdict {verdict!r} has no glossary entry"


@pytest.mark.parametrize(
    "word", ["closest world", "replication ledger", "tolerance", "differs by design", "indirect inference",
             "central 95% band", "Monte Carlo standard error"]
)  # fmt: skip
def test_the_words_a_newcomer_met_undefined_are_defined_in_both_languages(word):
    """Issue 24 found these on the page and not in the glossary."""
    g = load_glossary().set_index(load_glossary()["term"].str.casefold())
    patterns = term_patterns()
    hit = [t for t, p in patterns if p.fullmatch(word)]
    assert hit, f"no glossary entry for {word!r}"
    row = g.loc[hit[0].casefold()]
    assert re.search(r"[\u4e00-\u9fff]", row["chinese"]), f"{word}: no Chinese term"
    assert row["pinyin"].strip() and row["definition"].strip(), word
    assert re.search(re.escape(word.split()[0]), PAGE.read_text(encoding="utf-8"), re.I), word


def test_the_checks_can_fail():
    """A bold word the glossary lacks, and a {term} target it lacks, are caught."""
    patterns = term_patterns()
    assert not _is_glossary_term("headline sausage", patterns)
    assert _is_glossary_term("closest world", patterns)
    assert _target("the ledger <No such term>") == "No such term"
    assert "no such term" not in _terms()
