"""The glossary: one entry per term of ``data/glossary.csv``, and links to it from the chapters.

The glossary page is a Sphinx glossary (sorted alphabetically by English term, one anchor per term,
``term-...``), written from the CSV at build time by :func:`glossary_markdown`. In each chapter the
first use of each term (its English name, or its symbol such as ``AIE``) in running text is linked
to the term's entry by :func:`link_first_uses`, so the chapters need no markup of their own.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
from docutils import nodes

from aichain_utils.paths import data_dir

__all__ = [
    "chinese_index_markdown",
    "chinese_name_zh",
    "glossary_markdown",
    "link_first_uses",
    "load_glossary",
    "missing_pinyin",
    "pinyin_key",
    "term_patterns",
]

#: Nodes inside which a term is never linked: titles, code, math, links, captions, raw output.
_SKIP = (
    nodes.title,
    nodes.literal,
    nodes.literal_block,
    nodes.math,
    nodes.math_block,
    nodes.reference,
    nodes.caption,
    nodes.raw,
    nodes.target,
    nodes.term,
)


def load_glossary(path: Path | None = None) -> pd.DataFrame:
    """``data/glossary.csv``, sorted alphabetically by English term (case-insensitive), with the pinyin
    of each Chinese term from ``data/glossary_pinyin.csv`` (column ``pinyin``, empty where it has none).

    Raises
    ------
    ValueError
        If a term is empty or appears twice (each term has one entry and one anchor).
    """
    frame = pd.read_csv(path or data_dir() / "glossary.csv", keep_default_na=False)
    empty = frame.index[frame["term"].str.strip() == ""].tolist()
    if empty:
        raise ValueError(f"glossary.csv column 'term': empty in rows {empty}")
    dupes = frame.loc[frame["term"].duplicated(keep=False), "term"].tolist()
    if dupes:
        raise ValueError(f"glossary.csv column 'term': each term must appear once; repeated: {sorted(set(dupes))}")
    frame = frame.sort_values("term", key=lambda s: s.str.casefold()).reset_index(drop=True)
    if "pinyin" not in frame.columns:
        pinyin = pd.read_csv(data_dir() / "glossary_pinyin.csv", keep_default_na=False)
        frame = frame.merge(pinyin, on="term", how="left", validate="one_to_one")
        frame["pinyin"] = frame["pinyin"].fillna("")
    return frame


def missing_pinyin(frame: pd.DataFrame | None = None) -> list[str]:
    """The glossary terms that ``data/glossary_pinyin.csv`` gives no pinyin for (a test requires none)."""
    frame = load_glossary() if frame is None else frame
    return frame.loc[frame["pinyin"].str.strip() == "", "term"].tolist()


def is_chinese(language: str | None) -> bool:
    """Whether Sphinx's ``language`` is the Chinese edition's (``zh_CN``)."""
    return bool(language) and language.startswith("zh")


def glossary_markdown(frame: pd.DataFrame | None = None, language: str | None = None) -> str:
    """The glossary as a MyST ``{glossary}`` directive: term, then 中文, symbol, definition, chapters.

    In the Chinese edition (``language`` ``zh_CN``) each entry keeps its English term (its anchor, the
    target of every link to it) and gives its definition from the column ``definition_zh``; the chapters
    are named by their (translated) titles. The Chinese term is shown without its English note
    (:func:`chinese_name_zh`).

    Raises
    ------
    ValueError
        If the Chinese edition is asked for and a row's ``definition_zh`` is empty, or a row's Chinese term
        has an English note and no ``note_zh``.
    """
    frame = load_glossary() if frame is None else frame
    chinese = is_chinese(language)
    if chinese:
        empty = frame.loc[frame.get("definition_zh", pd.Series("", index=frame.index)).str.strip() == "", "term"]
        if len(empty):
            raise ValueError(f"glossary.csv column 'definition_zh': empty for {empty.tolist()}")
    lines = ["```{glossary}"]
    for _, row in frame.iterrows():
        places = [w.strip() for w in row["where_used"].split(",")]
        if chinese:
            symbol = f" · 符号 `{row['symbol']}`" if row["symbol"] else ""
            used = "、".join(f"{{ref}}`ch-{w.replace('_', '-')}`" for w in places)
            entry = f"  {chinese_name_zh(row)}{symbol}。{row['definition_zh']} 使用章节：{used}。"
        else:
            symbol = f" · symbol `{row['symbol']}`" if row["symbol"] else ""
            used = ", ".join(f"{{ref}}`{w.replace('_', ' ')} <ch-{w.replace('_', '-')}>`" for w in places)
            entry = f"  {row['chinese']}{symbol}. {row['definition']} Used in: {used}."
        lines += [row["term"], entry, ""]
    lines.append("```")
    return "\n".join(lines) + "\n\n" + chinese_index_markdown(frame, language)


#: A pinyin syllable as ``data/glossary_pinyin.csv`` writes it: Latin letters with tone marks (and ü).
_SYLLABLE = re.compile(r"^[a-zü\u0300-\u036f]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def pinyin_key(pinyin: str) -> tuple[str, str]:
    """Sort key of a pinyin string: the letters without tone marks first (``lü`` as ``lu``), then the
    tones as written, so that 出口 (chū kǒu) sorts under C and 进口 (jìn kǒu) under J."""
    bare = "".join(c for c in unicodedata.normalize("NFD", pinyin.casefold()) if not unicodedata.combining(c))
    return bare, pinyin.casefold()


def _chinese_term(chinese: str) -> str:
    """The Chinese term without a trailing English note (``创新链中端布局重构效能 (Table 5: 中介)``)."""
    return re.split(r" \((?=[A-Za-z])", chinese)[0].strip()


def chinese_name_zh(row: pd.Series) -> str:
    """A glossary row's Chinese term as the Chinese edition prints it: without the English note of the
    column ``chinese`` (``一阶差分 (the paper: 组内差分法)``), with the note's Chinese from the column
    ``note_zh`` in full-width brackets instead (``一阶差分（论文称“组内差分法”）``).

    Raises
    ------
    ValueError
        If the term has an English note and the row no ``note_zh``.
    """
    term = _chinese_term(row["chinese"])
    note = str(row.get("note_zh", "") or "").strip()
    if term != row["chinese"].strip() and not note:
        raise ValueError(
            f"glossary.csv column 'note_zh': empty for {row['term']!r}, whose Chinese term has an English note"
        )
    return f"{term}（{note}）" if note else term


#: The head of the Chinese index, in each edition: its heading, its sentence and its table's columns.
_INDEX_HEAD = (
    "## 中文索引: the terms by their Chinese name",
    "",
    "The same terms ordered by the pinyin (拼音) of their Chinese name; each links to its entry above.",
    "",
    "| 中文 | pinyin | English term |",
)
_INDEX_HEAD_ZH = (
    "## 中文索引：按拼音排序的术语",
    "",
    "上文各术语按其中文名称的拼音排列；每一行链接到它在上文的词条。",
    "",
    "| 中文 | 拼音 | 英文术语 |",
)


def chinese_index_markdown(frame: pd.DataFrame | None = None, language: str | None = None) -> str:
    """A second index of the glossary, by the Chinese term in pinyin order (拼音排序), each row linking
    to the English entry. A term without a pinyin yet is listed at the end, under its Chinese name.

    Raises
    ------
    ValueError
        If a row's ``pinyin`` does not give one syllable per Chinese character.
    """
    frame = load_glossary() if frame is None else frame
    bad = []
    for _, row in frame.iterrows():
        chinese = _chinese_term(row["chinese"])
        n_chars = len(_CJK.findall(chinese))
        latin = set(re.findall(r"[^\s\u4e00-\u9fff()（）]+", chinese))  # "Sobel", "F", "1984": kept as written
        words = [w for w in re.sub(r"[()（）]", " ", row["pinyin"]).split() if w not in latin]
        syllables = [w for w in words if _SYLLABLE.match(unicodedata.normalize("NFD", w))]
        if row["pinyin"].strip() and (len(syllables) != n_chars or len(words) != n_chars):
            bad.append(f"{row['term']} ({chinese}: {n_chars} characters, pinyin {row['pinyin']!r})")
    if bad:
        raise ValueError(
            "glossary_pinyin.csv column 'pinyin' needs one syllable per Chinese character: " + "; ".join(bad)
        )
    order = sorted(frame.index, key=lambda k: (not frame.loc[k, "pinyin"].strip(), pinyin_key(frame.loc[k, "pinyin"])))
    head = _INDEX_HEAD_ZH if is_chinese(language) else _INDEX_HEAD
    lines = ["(glossary-chinese)=", *head, "| --- | --- | --- |"]
    for k in order:
        row = frame.loc[k]
        lines.append(f"| {_chinese_term(row['chinese'])} | {row['pinyin']} | {{term}}`{row['term']}` |")
    return "\n".join(lines) + "\n"


def term_patterns(frame: pd.DataFrame | None = None, language: str | None = None) -> list[tuple[str, re.Pattern]]:
    """For each term, a pattern matching its use in running text.

    A term matches by its English name (case-insensitive on the first letter), by the name without
    a parenthesised gloss ("Fixed effects" for "Fixed effects (within estimator)") and by its symbol
    (case-sensitive, as a whole word: ``AIE`` but not ``AIE_alt``); in the Chinese edition
    (``language`` ``zh_CN``) also by its Chinese term (column ``chinese``, without an English note).
    """
    frame = load_glossary() if frame is None else frame
    out = []
    for _, row in frame.iterrows():
        names = {row["term"], re.sub(r"\s*\(.*?\)", "", row["term"]).strip()}
        alts = []
        for name in sorted(names, key=len, reverse=True):
            if len(name) < 4:
                continue
            alts.append(f"[{re.escape(name[0].upper())}{re.escape(name[0].lower())}]{re.escape(name[1:])}")
        symbol = str(row["symbol"]).strip()
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]+", symbol):
            alts.append(f"(?-i:{re.escape(symbol)})")
        # a Chinese term stands between other characters (no spaces in Chinese text): no word boundary
        cjk = _chinese_term(row["chinese"]) if is_chinese(language) else ""
        words = [r"(?<![\w])(?:" + "|".join(alts) + r")(?![\w])"] if alts else []
        if _CJK.search(cjk):
            words.insert(0, re.escape(cjk))
        if words:
            out.append((row["term"], re.compile("|".join(words))))
    return out


def _text_nodes(doctree) -> list[nodes.Text]:
    found = []
    for text in doctree.findall(nodes.Text):
        parent = text.parent
        if not isinstance(parent, nodes.paragraph | nodes.emphasis | nodes.strong):
            continue
        ancestors = []
        node = parent
        while node is not None:
            ancestors.append(node)
            node = node.parent
        if any(isinstance(a, _SKIP) for a in ancestors) or not any(isinstance(a, nodes.section) for a in ancestors):
            continue
        found.append(text)
    return found


def link_first_uses(doctree, patterns: list[tuple[str, re.Pattern]]) -> int:
    """Link the first use of every term in ``doctree``'s running text to its glossary entry.

    Returns the number of links made. The link is a Sphinx ``term`` cross-reference, resolved like
    ``{term}`` (so it works on every builder and fails the build if the term vanished).
    """
    from sphinx import addnodes

    remaining = dict(patterns)
    made = 0
    for text in _text_nodes(doctree):
        if not remaining:
            break
        value = str(text)
        hits = []
        for term, pattern in remaining.items():
            m = pattern.search(value)
            if m:
                hits.append((m.start(), m.end(), term))
        if not hits:
            continue
        hits.sort(key=lambda hit: (hit[0], -hit[1]))  # at one place, the longest term first
        pieces, pos = [], 0
        for start, end, term in hits:
            if start < pos:
                continue  # overlaps an earlier match: that term waits for a later sentence
            pieces.append(nodes.Text(value[pos:start]))
            xref = addnodes.pending_xref(
                "", refdomain="std", reftype="term", reftarget=term, refexplicit=True, refwarn=True
            )
            xref += nodes.inline(value[start:end], value[start:end], classes=["xref", "std", "std-term"])
            pieces.append(xref)
            pos = end
            del remaining[term]
            made += 1
        pieces.append(nodes.Text(value[pos:]))
        text.parent.replace(text, pieces)
    return made


def chinese_first_terms(doctree, frame: pd.DataFrame | None = None) -> int:
    """On the Chinese glossary, each entry's heading (``dt``) leads with its Chinese term and gives the
    English one after it: "人工智能嵌入（AI embedding）". The entry stays the English term's (its anchor
    ``term-…``, the target of every ``{term}`` link, and its index entry are made from the English name
    before this runs); only the heading's text changes. Returns the number of headings changed."""
    from sphinx import addnodes

    frame = load_glossary() if frame is None else frame
    chinese = {row["term"]: _chinese_term(row["chinese"]) for _, row in frame.iterrows()}
    changed = 0
    for term in doctree.findall(nodes.term):
        english = "".join(c.astext() for c in term.children if not isinstance(c, addnodes.index))
        if not chinese.get(english):
            continue
        lead, close = _heading_around(chinese[english])
        term.insert(0, nodes.Text(lead))
        after = next((k for k, c in enumerate(term.children) if isinstance(c, addnodes.index)), len(term.children))
        term.insert(after, nodes.Text(close))
        changed += 1
    return changed


def chinese_heading(chinese: str, english: str) -> str:
    """A Chinese glossary heading: the Chinese term, the English one in parentheses after it
    ("人工智能嵌入（AI embedding）"); a Chinese term that ends in its own parenthesis takes the English into
    it ("人工智能嵌入程度（替代测度；Alternative AI embedding）"), never two parentheses in a row."""
    lead, close = _heading_around(chinese)
    return f"{lead}{english}{close}"


def _heading_around(chinese: str) -> tuple[str, str]:
    """What stands before and after the English term in :func:`chinese_heading`."""
    return (f"{chinese[:-1]}；", "）") if chinese.endswith("）") else (f"{chinese}（", "）")


def _chinese_glossary(app, doctree) -> None:
    if app.env.docname == "glossary" and is_chinese(app.config.language):
        chinese_first_terms(doctree)


def setup(app) -> None:
    """Register :func:`chinese_first_terms` for the Chinese edition's glossary page."""
    app.connect("doctree-read", _chinese_glossary)
