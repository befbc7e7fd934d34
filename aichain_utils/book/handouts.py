"""One printable handout per chapter, assembled from the chapters' own sources.

Each handout gives the chapter's learning objectives, its key equations, its main table with the
numbers of this build, and its exercises with the chapter's own numbers ("Exercise 4.2"), so that
nothing is written twice: a change to a chapter changes its handout. The numbers an exercise or a
table prints are pasted from the chapter's executed notebook (MyST-NB's cross-document glue,
``chapters/x.md::key``), so the handout shows the very values the chapter shows. The book's
``handouts`` page is written from :func:`handouts_markdown` at build time (see
:mod:`aichain_utils.book.sphinxext`); its print stylesheet (``_static/handouts.css``) prints each handout on
one A4 page.
"""

from __future__ import annotations

import re
from pathlib import Path

from aichain_utils.book.glossary import is_chinese
from aichain_utils.paths import repo_root, toc_pages

__all__ = ["HANDOUT_EQUATIONS", "HANDOUT_TABLES", "chapter_handout", "handouts_markdown", "tagged_equations"]

#: The key equations of a chapter that prints no display equation of its own (or whose handout shows
#: other ones than its first three tagged ones): tags of display equations of the book (the paper's
#: numbers, or the book's own such as E1), wherever the book prints them. Chapters not listed show their
#: own first three tagged display equations, else their first two display equations, else none.
HANDOUT_EQUATIONS: dict[str, list[str]] = {
    "framework": ["1", "2", "3", "4", "5"],
    "baseline": ["1"],
    "endogeneity": ["1"],
    "mechanisms": ["2", "3", "4", "5"],
    "heterogeneity": ["1"],
    "value_extension": ["17", "18"],
    "simulation_lab": ["1"],
}

#: The table a chapter's handout prints, by its ``:name:``, where it is not the chapter's first table
#: of the paper's (or, lacking one, its first table): the one that teaches the chapter and fits on the
#: handout's page.
HANDOUT_TABLES: dict[str, str] = {
    "framework": "tbl-hypotheses",
    "audit": "tbl-audit-claims",
    "conventions": "tbl-conventions-demo",
}

_TITLE = re.compile(r"^# (.+)$", re.M)
_LABEL = re.compile(r"^\((ch-[\w-]+)\)=$", re.M)
_OBJECTIVES = re.compile(r"^:::\{admonition\} Learning objectives\n(?::class:[^\n]*\n)?(.*?)^:::$", re.M | re.S)
_EXERCISE = re.compile(r"^:::\{exercise\}\n:label: ([\w-]+)\n(.*?)^:::$", re.M | re.S)
_DISPLAY = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.M | re.S)
_TAG = re.compile(r"\\tag\{([^}]+)\}")
_TABLE = re.compile(r"^:::\{numbered-table\} (.*)\n:name: ([\w-]+)\n+```\{glue:any\} (\w+)\n```", re.M)
_GLUE_ROLE = re.compile(r"\{glue(:text|:any|)\}`([^`:]+)((?::[^`]*)?)`")
_ONLY = re.compile(r"^(`{3,})\{only\}.*?^\1$", re.M | re.S)
_GATED = re.compile(r"^(`{3,})\{only\} (has_table\d+(?: and has_table\d+)*)\n(.*?)^\1$", re.M | re.S)


#: The handouts' own words, in each edition (the Chinese edition: ``language`` zh_CN).
WORDS = {
    "chapter": "Chapter: {ref}.",
    "objectives": "**Learning objectives.** ",
    "equations": "**Key equations.**",
    "exercises": "**Exercises.**",
    "table": "**{{numref}}`Book table {{number}}: {{name}} <{name}>`**",
    "exercise": "**{{numref}}`Exercise %s <{name}>`.** ",
    "no_table": "**The table** is not built on the data of this build; the chapter says why.",
}
WORDS_ZH = {
    "chapter": "本章：{ref}。",
    "objectives": "**学习目标。** ",
    "equations": "**关键方程。**",
    "exercises": "**练习。**",
    "table": "**{{numref}}`本书表 {{number}}：{{name}} <{name}>`**",
    "exercise": "**{{numref}}`练习 %s <{name}>`。** ",
    "no_table": "本次构建的数据无法生成**该表**，原因见本章。",
}
_ITEM = re.compile(r"^(\s*(?:[-*+]|\d+\.)\s+)(.*)$")


def chapter_catalogue(root: Path, stem: str, language: str | None) -> dict[str, str]:
    """The translations of chapter ``stem``'s catalogue (``locale/<language>/LC_MESSAGES/chapters/<stem>.po``)
    by their English message with its spaces normalised; empty for the English edition or without one."""
    return page_catalogue(root, f"chapters/{stem}", language)


def page_catalogue(root: Path, pagename: str, language: str | None) -> dict[str, str]:
    """The translations of page ``pagename``'s catalogue (``locale/<language>/LC_MESSAGES/<pagename>.po``,
    e.g. ``chapters/baseline`` or ``index``) by their English message with its spaces normalised; empty for
    the English edition or a page without one."""
    po = root / "locale" / (language or "") / "LC_MESSAGES" / f"{pagename}.po"
    if not is_chinese(language) or not po.is_file():
        return {}
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f)
    return {" ".join(m.id.split()): m.string for m in catalog if m.id and m.string and not m.fuzzy}


def translated(text: str, catalogue: dict[str, str]) -> str:
    """``text`` (Markdown from a chapter) with each paragraph and list item that ``catalogue`` translates
    replaced by its translation (the chapter's own, so the handout reads as the chapter does); the rest
    (fences, equations, what has no translation) as it is."""
    if not catalogue:
        return text
    units: list[list] = []  # [prefix, lines]: a paragraph (prefix "") or a list item (its marker)
    for line in text.split("\n"):
        item = _ITEM.match(line)
        if item:
            units.append([item.group(1), [item.group(2)]])
        elif line.strip() and units and units[-1][1] and (units[-1][0] == "" or line.startswith(" ")):
            units[-1][1].append(line.strip())
        else:
            units.append(["", [line] if line.strip() else []] if line.strip() else ["", []])
    out = []
    for prefix, lines in units:
        english = " ".join(" ".join(lines).split())
        out.append(prefix + catalogue[english] if english in catalogue else prefix + "\n".join(lines))
    return "\n".join(out)


def tagged_equations(root: Path | None = None) -> dict[str, str]:
    """Every tagged display equation of the book's chapters, by its tag ("1", "E1", "17")."""
    root = root or repo_root()
    found: dict[str, str] = {}
    for page in toc_pages(root):
        path = root / f"{page}.md"
        if not page.startswith("chapters/") or not path.is_file():
            continue
        for body in _DISPLAY.findall(path.read_text(encoding="utf-8")):
            tag = _TAG.search(body)
            if tag:
                found.setdefault(tag.group(1), body.strip())
    return found


def _key_equations(stem: str, text: str, equations: dict[str, str]) -> list[str]:
    if stem in HANDOUT_EQUATIONS:
        return [equations[t] for t in HANDOUT_EQUATIONS[stem] if t in equations]
    own = _DISPLAY.findall(text)
    tagged = [e for e in own if _TAG.search(e)]
    return tagged[:3] if tagged else own[:2]


def _cross_glue(text: str, doc: str) -> str:
    """``text`` with every glue role pointing at the chapter ``doc`` (a number the chapter computed)."""

    def pointed(m: re.Match) -> str:
        kind, key, fmt = m.groups()
        fmt = fmt or (":s" if kind == ":text" else "")  # "doc::key" alone would be read as key "doc:"
        return f"{{glue{kind}}}`{doc}::{key}{fmt}`"

    return _GLUE_ROLE.sub(pointed, text)


def _table_block(name: str, key: str, doc: str, words: dict = WORDS) -> list[str]:
    """The chapter's table ``name``: its number and caption (linked), and its body pasted from the chapter."""
    return [
        words["table"].format(name=name),
        "",
        ":::{container} aichain-table aichain-table-body aichain-handout-table",
        f"```{{glue:any}} {key}\n:doc: {doc}\n```",
        ":::",
        "",
    ]


def _tables(text: str) -> list[tuple[str, str, str, str | None]]:
    """(caption, name, glue key, gating tags or None) of every numbered table of a chapter: first those
    of every build, then those built only on data that can give them (``{only} has_tableN`` blocks);
    tables of one kind of data only (``{only} simulated``) are left out."""
    found = [(c, n, k, None) for c, n, k in _TABLE.findall(_ONLY.sub("", text))]
    for _, tags, body in _GATED.findall(text):
        found += [(c, n, k, tags) for c, n, k in _TABLE.findall(body)]
    return found


def _main_table(stem: str, text: str, doc: str, words: dict = WORDS) -> list[str]:
    """The handout's table: :data:`HANDOUT_TABLES`, else the chapter's first table of the paper's, else
    its first table; a table built only on data that can give it is gated as in the chapter."""
    tables = _tables(text)
    wanted = HANDOUT_TABLES.get(stem)
    chosen = next((t for t in tables if t[1] == wanted), None) if wanted else None
    chosen = chosen or next((t for t in tables if t[0].startswith("The paper's Table")), None)
    chosen = chosen or (tables[0] if tables else None)
    if chosen is None:
        return []
    _, name, key, tags = chosen
    if tags is None:
        return _table_block(name, key, doc, words)
    return [
        f"````{{only}} {tags}",
        *_table_block(name, key, doc, words),
        "````",
        "",
        f"````{{only}} not ({tags})",
        words["no_table"],
        "````",
        "",
    ]


def chapter_handout(path: Path, equations: dict[str, str], language: str | None = None) -> str:
    """The handout of the chapter at ``path`` as MyST Markdown (a level-2 section).

    Parameters
    ----------
    path : Path
        The chapter's source (``chapters/<name>.md``).
    equations : dict of str to str
        The book's tagged display equations (:func:`tagged_equations`).
    language : str, optional
        Sphinx's language: the Chinese edition's (``zh_CN``) handout takes the chapter's text from the
        chapter's catalogue (:func:`chapter_catalogue`) and its own words from :data:`WORDS_ZH`.
    """
    text = path.read_text(encoding="utf-8")
    stem = path.stem
    doc = f"/chapters/{path.name}"
    words = WORDS_ZH if is_chinese(language) else WORDS
    catalogue = chapter_catalogue(path.parent.parent, stem, language)
    title = _TITLE.search(text).group(1).strip()
    label = _LABEL.search(text)
    parts = [f"(handout-{stem.replace('_', '-')})=", f"## {catalogue.get(' '.join(title.split()), title)}", ""]
    if label:
        parts += [words["chapter"].format(ref=f"{{ref}}`{label.group(1)}`"), ""]
    objectives = _OBJECTIVES.search(text)
    if objectives:
        parts += [words["objectives"] + _cross_glue(translated(objectives.group(1).strip(), catalogue), doc), ""]
    display = _key_equations(stem, text, equations)
    if display:
        parts += [words["equations"], ""]
        for body in display:
            parts += ["$$", body.strip(), "$$", ""]
    parts += _main_table(stem, text, doc, words)
    exercises = _EXERCISE.findall(text)
    if exercises:
        parts += [words["exercises"], ""]
        for name, body in exercises:
            parts += [words["exercise"].format(name=name) + _cross_glue(translated(body.strip(), catalogue), doc), ""]
    return "\n".join(parts)


def handouts_markdown(root: Path | None = None, language: str | None = None) -> str:
    """Every chapter's handout, in the order of the table of contents, as MyST Markdown.

    A page break (``aichain-handout-break``) stands before every handout but the first, which shares
    its page with the page's short introduction.
    """
    root = root or repo_root()
    equations = tagged_equations(root)
    chapters = [root / f"{p}.md" for p in toc_pages(root) if p.startswith("chapters/")]
    blocks = []
    for k, path in enumerate(chapters):
        kind = "aichain-handout-break aichain-handout-first" if k == 0 else "aichain-handout-break"
        handout = chapter_handout(path, equations, language)
        blocks.append(f'```{{raw}} html\n<div class="{kind}"></div>\n```\n\n{handout}')
    return "\n".join(blocks)
