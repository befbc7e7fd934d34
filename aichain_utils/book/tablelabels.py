"""Chinese labels for the executed tables of the Chinese edition (issue 26, item 4).

The book's tables are outputs of the executed notebooks: HTML written by pandas Stylers and by
:mod:`aichain_utils.report.display`, shown by a code cell or pasted by a ``{glue}`` directive. Sphinx's
gettext catalogues never see their cells, and the Chinese edition reuses the English execution, so
their labels are translated when the Chinese pages are written: a post-transform rewrites the raw HTML
outputs of each page (after MyST-NB has pasted the glued ones), using the catalogue
``locale/<language>/LC_MESSAGES/tables.po`` (msgid: a label as the English table shows it; msgstr: its
Chinese).

What is rewritten: the text of each header cell (``<th>``: column heads and row labels) whose whole
content is plain text, the ``data-label`` attribute that repeats a column head on each cell of the
narrow layout, a table's caption, the summary of a folded part and the book's table note and
diagnostics title (plain text only), a data cell (``<td>``) whose whole text has words (not a
number, a symbol, a variable's or a function's name, a file name or a finding's id) and the tooltip
(``title`` attribute) of a mark. A leading column number, "(1) pooled", keeps its number and translates
the rest. A data cell or tooltip computed from the data (its numbers change with the data) is translated
by its phrase pattern (:data:`CELL_PATTERNS`: the words fixed, the numbers copied, the texts inside it
translated in turn). A computed sentence no simple pattern gives is written by the package in both
languages (a :class:`~aichain_utils.text.Bilingual` cell): the displayed table carries its Chinese in the
output's metadata (:data:`~aichain_utils.report.display.ZH_CELLS`), which the Chinese build writes first
(:func:`translate_bilingual_cells`), and the catalogue never asks for it. Numbers, symbols (AIE, ERL,
ELRI_front …) and cells without a (non-fuzzy) translation are left as they are; the English build is not touched at all.
``tools/table_labels.py`` extracts the labels, data cells and tooltips of the English site's tables into
the catalogue (``make locale``); :func:`labels` and :func:`cells` are the rules both share.
"""

from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path

from aichain_utils.report.catalogue import CONTEXT, is_label, load_catalogue
from aichain_utils.report.celltext import CELL_PATTERNS, _normal, _pattern_of, is_text, label_key, translate_text
from aichain_utils.report.display import ZH_CELLS, keep_comparisons_together

__all__ = [
    "CATALOGUE",
    "CELL_PATTERNS",
    "HEAD_CONTEXT",
    "bilingual_cells_of_notebook",
    "cell_keys",
    "cells",
    "context_cells",
    "english_cells",
    "english_words",
    "is_label",
    "is_text",
    "label_key",
    "labels",
    "left_in_english",
    "load_catalogue",
    "setup",
    "translate_bilingual_cells",
    "translate_html",
    "translate_in_context",
    "translate_text",
]

#: The catalogue's domain: ``locale/<language>/LC_MESSAGES/tables.po``.
CATALOGUE = "tables"

_TH = re.compile(r"(<th\b[^>]*>)([^<]*)(</th>)", re.IGNORECASE)
#: a data cell's plain text: no tag inside, though a "<" before a space or a number (a Styler writes
#: "p <\xa00.05" unescaped) is text
_TD = re.compile(r"(<td\b[^>]*>)((?:[^<]|<(?=[\s\xa0=\d]))*)(</td>)", re.IGNORECASE)
_DATA_LABEL = re.compile(r'(\sdata-label=")([^"]*)(")')
#: a mark's tooltip, in either quotes
_TITLE = re.compile(r"""(\stitle=)(?:"([^"]*)"|'([^']*)')""")
#: a table's own words around it: a caption, a folded part's summary, the book's table note and title
_AROUND = re.compile(
    r'(<caption\b[^>]*>|<summary\b[^>]*>|<p class="aichain-(?:table-note|diagnostics-title)">)([^<]*)'
    r"(</caption>|</summary>|</p>)",
    re.IGNORECASE,
)


def labels(html: str) -> list[str]:
    """The labels of the header cells (``<th>`` with plain text), captions, summaries and table notes of
    an executed output's HTML, in order, each once: what :func:`translate_html` looks up and
    ``tools/table_labels.py`` extracts."""
    found = [label_key(m.group(2)) for pattern in (_TH, _AROUND) for m in pattern.finditer(html)]
    return list(dict.fromkeys(key[1] for key in found if key is not None))


def cell_keys(text: str, bilingual=frozenset()) -> list[str]:
    """The catalogue keys a data cell's or a tooltip's text (HTML-escaped, as in the page) needs to be
    translated: none for a number, a symbol or code, or a cell the package writes in both languages (its
    English in ``bilingual``: :func:`bilingual_cells_of_notebook`); the keys of its text parts when a
    pattern of :data:`CELL_PATTERNS` matches it; otherwise its label."""
    text = _normal(text)
    if text in bilingual:
        return []
    match = _pattern_of(text)
    if match is not None:
        return [k for name, part in match.groupdict().items() if name.startswith("t_") for k in cell_keys(part)]
    key = label_key(text)
    if key is None or not is_text(key[1]):
        return []
    return [key[1]]


def cells(html: str, bilingual=frozenset()) -> list[str]:
    """The catalogue keys of an executed output's data cells (``<td>`` with plain text) and tooltips
    (``title``), in order, each once: what ``tools/table_labels.py`` extracts beside :func:`labels`;
    ``bilingual``: the English of the cells the package writes in both languages, which are not asked."""
    found = [k for m in _TD.finditer(html) for k in cell_keys(m.group(2), bilingual)]
    found += [k for m in _TITLE.finditer(html) for k in cell_keys(m.group(2) or m.group(3) or "")]
    return list(dict.fromkeys(found))


#: The phrases of the verdict line under each regression table
#: (:func:`aichain_utils.replication.ledger.verdict_line`, a sentence assembled from counts and marks), in
#: Chinese, applied in order to its text between tags (the marks' tooltips stay as they are).
VERDICT_PHRASES = (
    (r"^Verdicts\.$", "判定。"),
    (r"^ ?Table (\d+): ", r"表 \1："),
    (r"\. Table (\d+): ", r"。表 \1："),
    (r"closest world: ", "最接近的模拟世界："),
    (r" — (\d+) of (\d+) published coefficients inside its central 95% band \((\d+) draws\)",
     r"——\2 个公布系数中有 \1 个落在其中央 95% 区间内（\3 次抽样）"),
    (r"; this build's panel, one draw of that world: ", "；本次构建的面板（该世界的一次抽样）："),
    (r"; your data: |^your data: ", "；你的数据："),
    (r"^this build's panel, one draw of that world: ", "本次构建的面板（该世界的一次抽样）："),
    (r" — (\d+) of (\d+) within one published SE", r"——\2 个中有 \1 个与公布值相差不超过一个公布标准误"),
    (r"no published coefficient in these tables", "这些表中没有公布的系数"),
    (r"\. Closest world: ✓ inside its 95% band, ≈ at its edge within Monte Carlo error, ✗ outside, ⊘ no world of "
     r"the family produces it\. Ledger: ✓ reproduced, ◇ differs by design, ✗ cannot be reproduced, – not "
     r"comparable\. Hover a mark for its reason \(",
     "。最接近的模拟世界：✓ 落在其 95% 区间内，≈ 在蒙特卡洛误差范围内处于区间边缘，✗ 落在区间外，⊘ 该模型族中"
     "没有世界能产生它。复现台账：✓ 已复现，◇ 设计性差异，✗ 无法复现，– 不可比。将鼠标悬停在标记上可查看原因（"),
    (r"^all verdicts$", "全部判定"),
    (r"^\)\.$", "）。"),
)  # fmt: skip
_VERDICT_LINE = re.compile(r"(<p class=['\"]aichain-verdict-line['\"]>)(.*?)(</p>)", re.S)


def translate_verdict_lines(html: str) -> str:
    """``html`` with the text of each verdict line in Chinese (:data:`VERDICT_PHRASES`); its marks, links
    and numbers as they were."""

    def line(match: re.Match) -> str:
        pieces = re.split(r"(<[^>]+>)", match.group(2))
        for k, piece in enumerate(pieces):
            if piece.startswith("<"):
                continue
            for pattern, replacement in VERDICT_PHRASES:
                piece = re.sub(pattern, replacement, piece)
            pieces[k] = piece
        return match.group(1) + "".join(pieces) + match.group(3)

    return _VERDICT_LINE.sub(line, html)


#: The context (``msgctxt``) of a column head in ``tables.po``: ``msgctxt "column head"`` / ``msgid "unit"``
#: is the head "unit" (单位, a unit of measurement), while ``unit`` alone is a panel unit (个体).
HEAD_CONTEXT = "column head"

_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.IGNORECASE)
_THEAD = re.compile(r"<thead\b.*?</thead>", re.S | re.IGNORECASE)
_ROW = re.compile(r"<tr\b.*?</tr>", re.S | re.IGNORECASE)
#: a header or data cell with plain text (as :data:`_TH`, :data:`_TD`), its colspan
_CELL = re.compile(r"(<t[hd]\b([^>]*)>)((?:[^<]|<(?=[\s\xa0=\d]))*)(</t[hd]>)", re.IGNORECASE)
_SPAN = re.compile(r"""colspan=["']?(\d+)""", re.IGNORECASE)


def _positions(row: str) -> list[tuple[re.Match, int]]:
    """The plain-text cells of a table row, each with its column (a ``colspan`` counts its columns)."""
    out, column = [], 0
    for match in _CELL.finditer(row):
        out.append((match, column))
        span = _SPAN.search(match.group(2))
        column += int(span.group(1)) if span else 1
    return out


def column_heads(table: str) -> dict[int, str]:
    """A table's column heads as its ``<thead>`` writes them (whitespace normalised): column -> the last
    non-empty head of that column over the head's rows (a Styler writes the index's name on a row of its own)."""
    heads: dict[int, str] = {}
    head = _THEAD.search(table)
    for row in _ROW.findall(head.group(0) if head else ""):
        for match, column in _positions(row):
            text = _normal(unescape(match.group(3)))
            if text:
                heads[column] = text
    return heads


def _walk_cells(html: str, visit) -> str:
    """``html`` with each plain-text cell of each table replaced by ``visit(place, heads, match)`` (None: as it
    was); ``place`` is (table, row, column, whether in the head), ``heads`` the table's :func:`column_heads`."""

    def row(text: str, place: tuple, heads: dict[int, str]) -> str:
        pieces, last = [], 0
        for match, column in _positions(text):
            new = visit((*place[:2], column, place[2]), heads, match)
            pieces += [text[last : match.start()], match.group(0) if new is None else new]
            last = match.end()
        return "".join(pieces) + text[last:]

    def table(number: int, text: str) -> str:
        heads = column_heads(text)
        head = _THEAD.search(text)
        cut = head.end() if head else 0
        rows = iter(range(10**9))
        top = _ROW.sub(lambda r: row(r.group(0), (number, next(rows), True), heads), text[:cut])
        return top + _ROW.sub(lambda r: row(r.group(0), (number, next(rows), False), heads), text[cut:])

    numbers = iter(range(10**9))
    return _TABLE.sub(lambda m: table(next(numbers), m.group(0)), html)


def context_cells(html: str, catalogue: dict[str, str]) -> dict[tuple, str]:
    """The cells of ``html`` (English) the catalogue translates in a context, by place (:func:`_walk_cells`)
    -> their Chinese: a column head by its entry in the context :data:`HEAD_CONTEXT`, a body cell by its
    entry in the context of its column's English head (``msgctxt "statistic"`` / ``msgid "adj_r2"``;
    ``msgctxt "name"`` / ``msgid "year"`` keeps the identifier). A word means one thing in one column and
    another elsewhere."""
    found: dict[tuple, str] = {}
    if not any(CONTEXT in key for key in catalogue):
        return found

    def visit(place: tuple, heads: dict[int, str], match: re.Match) -> None:
        context = HEAD_CONTEXT if place[3] else heads.get(place[2])
        chinese = catalogue.get(f"{context}{CONTEXT}{_normal(unescape(match.group(3)))}") if context else None
        if chinese:
            found[place] = chinese

    _walk_cells(html, visit)
    return found


def translate_in_context(html: str, chinese: dict[tuple, str]) -> str:
    """``html`` (the page's output after the context-free rules, same tables, rows and cells as the English it
    came from) with the cells of ``chinese`` (:func:`context_cells` of that English) in their Chinese."""
    if not chinese:
        return html

    def visit(place: tuple, heads: dict[int, str], match: re.Match) -> str | None:
        new = chinese.get(place)
        return None if new is None else f"{match.group(1)}{escape(new, quote=False)}{match.group(4)}"

    return _walk_cells(html, visit)


def translate_html(html: str, catalogue: dict[str, str]) -> str:
    """``html`` with every header cell, ``data-label``, caption, summary and table note that ``catalogue``
    translates in its translation (first the cells it translates in their column's context,
    :func:`translate_in_context`), every data cell with plain text and every tooltip that
    :func:`translate_text` translates, and its verdict lines in Chinese (:func:`translate_verdict_lines`);
    everything else, byte for byte, as it was."""
    html = translate_verdict_lines(html)
    if not catalogue:
        return html
    contextual = context_cells(html, catalogue)

    def translated(text: str, quote: bool) -> str | None:
        key = label_key(text)
        if key is None or not catalogue.get(key[1]):
            return None
        return escape(key[0] + catalogue[key[1]], quote=quote)

    def cell(match: re.Match, translate=translated) -> str:
        inner = match.group(2)
        new = translate(inner, False)
        if new is None:
            return match.group(0)
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
        return f"{match.group(1)}{lead}{new}{trail}{match.group(3)}"

    def data(text: str, quote: bool) -> str | None:
        new = translate_text(unescape(text), catalogue)
        return None if new is None or new == " ".join(unescape(text).split()) else escape(new, quote=quote)

    def attribute(match: re.Match) -> str:
        new = translated(match.group(2), True)
        return match.group(0) if new is None else f"{match.group(1)}{new}{match.group(3)}"

    def tooltip(match: re.Match) -> str:
        quote = "'" if match.group(3) is not None else '"'
        new = data(match.group(2) if match.group(2) is not None else match.group(3), True)
        return match.group(0) if new is None else f"{match.group(1)}{quote}{new}{quote}"

    html = _DATA_LABEL.sub(attribute, html)
    html = _TH.sub(cell, html)
    html = _AROUND.sub(cell, html)
    html = _TITLE.sub(tooltip, html)
    return translate_in_context(_TD.sub(lambda match: cell(match, data), html), contextual)


#: A data cell holding one short Chinese word (a verdict: 已复现, 无法复现, 设计性差异): two to six characters.
_WORD_CELL = re.compile(r"<td\b([^>]*)>(\s*[\u4e00-\u9fff]{2,6}\s*)</td>")
_CLASS = re.compile(r'\sclass="([^"]*)"')
#: The class of such a cell; the print style sheet keeps it on one line (``_static/aichain.css``), where a
#: narrow column of a wide table would otherwise break the word one character per line.
WORD_CELL_CLASS = "aichain-zh-word"


def mark_word_cells(html: str) -> str:
    """``html`` with every data cell that holds one short Chinese word (:data:`_WORD_CELL`) given the class
    :data:`WORD_CELL_CLASS` (once, beside its other classes); everything else as it was.

    Examples
    --------
    >>> mark_word_cells('<td id="T_1" class="data col5">无法复现</td><td>0.95</td><td>与最接近的模拟世界一致</td>')
    '<td id="T_1" class="data col5 aichain-zh-word">无法复现</td><td>0.95</td><td>与最接近的模拟世界一致</td>'
    """

    def mark(m: re.Match) -> str:
        attributes = m.group(1)
        found = _CLASS.search(attributes)
        if found is None:
            attributes += f' class="{WORD_CELL_CLASS}"'
        elif WORD_CELL_CLASS not in found.group(1).split():
            at = found.end(1)
            attributes = f"{attributes[:at]} {WORD_CELL_CLASS}{attributes[at:]}"
        return f"<td{attributes}>{m.group(2)}</td>"

    return _WORD_CELL.sub(mark, html)


def translate_bilingual_cells(html: str, output_metadata: dict | None) -> str | None:
    """``html`` (a displayed table) with every data cell that the package wrote in both languages in its
    Chinese: the output's metadata carries ``{English: Chinese}`` (:data:`~aichain_utils.report.display.ZH_CELLS`,
    :func:`aichain_utils.report.display.bilingual_cells`); a cell matches when its text, whitespace
    normalised, is an English key. None when the metadata carries no such map (the output as it is).

    Examples
    --------
    >>> meta = {"text/html": {ZH_CELLS: {"p 0.01 (9 draws)": "p 0.01（9 次抽样）"}}}
    >>> translate_bilingual_cells("<td>0.5</td><td>p 0.01  (9 draws)</td>", meta)
    '<td>0.5</td><td>p 0.01（9 次抽样）</td>'
    """
    chinese = ((output_metadata or {}).get("text/html") or {}).get(ZH_CELLS)
    if not isinstance(chinese, dict) or not chinese:
        return None

    def cell(match: re.Match) -> str:
        new = chinese.get(_normal(match.group(2)))
        if new is None:
            return match.group(0)
        return f"{match.group(1)}{escape(keep_comparisons_together(new), quote=False)}{match.group(3)}"

    return _TD.sub(cell, html)


def bilingual_cells_of_notebook(notebook: dict) -> set[str]:
    """The English of every cell an executed notebook's (JSON) tables carry in both languages
    (:data:`~aichain_utils.report.display.ZH_CELLS` in an output's metadata, also a glued one's): the cells
    :func:`cells` does not ask of the catalogue."""
    found = set()
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) or []:
            for entry in (output.get("metadata") or {}).values():
                if isinstance(entry, dict) and isinstance(entry.get(ZH_CELLS), dict):
                    found.update(entry[ZH_CELLS])
    return found


#: a character of Chinese text (CJK ideographs, their punctuation and full-width forms)
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


#: Common English words: a cell with two of them is a sentence, not a name (``lngdp``, ``Stata ivreg2``,
#: ``2SLS IV1`` and ``xtgls, panels(hetero)`` are names a Chinese page keeps).
_SENTENCE_WORDS = re.compile(
    r"(?<![\w.])(?:the|of|in|at|by|and|or|not|is|are|be|with|per|from|to|than|vs|here|into|on|all|no|none|its|"
    r"their|this|that|for|as|after|before|only|same|each|every|draws|weights|units|years|clusters|largest|mean|"
    r"test|larger|smaller)(?![\w.])",
    re.IGNORECASE,
)


#: A parenthetical holding Chinese, "(人工智能万人发明专利拥有量)" or "（观测基期）": the paper's term beside an
#: English text, which makes that text no translation.
_CJK_PARENTHETICAL = re.compile(r"[(（][^()（）]*[\u4e00-\u9fff][^()（）]*[)）]")
#: What a Chinese text keeps in Latin letters: a setting (name=value) or a quoted one ("gini"), a file name, a
#: snake_case name, a superscripted one (IA^inter), a symbol in capitals (AIE, KP, LCV), a token with a digit
#: (IV1, 2SLS, T8-front-to-back).
_IDENTIFIER = re.compile(
    r"\S+=\S+|\"[^\"\s]*\"|[\w.-]+\.[A-Za-z]{2,5}\b|\b[A-Za-z]+_[\w^]+|\S*\^\S*|[\w-]*\d[\w-]*"
    r"|\b[A-Z0-9]*[A-Z][A-Z0-9]*\b"
)


def english_words(text: str) -> list[str]:
    """The English words of a (Chinese) text once its Chinese parentheticals (:data:`_CJK_PARENTHETICAL`) and
    the identifiers it keeps (:data:`_IDENTIFIER`) are taken out: two letters or more, in lower case at
    first (a name, "University of Illinois/NCSA" or "Sheppard", is kept as it is).

    Examples
    --------
    >>> english_words("AI invention patents held per 10 000 people (人工智能万人发明专利拥有量)")
    ['invention', 'patents', 'held', 'per', 'people']
    >>> english_words("论断 T8-front-to-back：University of Illinois/NCSA 许可（K. Sheppard）")
    ['of']
    >>> english_words('lngdp 所用的度量；trade_scale="ratio" 给出原始比值，见 panel.dta')
    ['lngdp']
    """
    return re.findall(r"(?<![A-Za-z])[a-z][A-Za-z]+", _IDENTIFIER.sub(" ", _CJK_PARENTHETICAL.sub(" ", text)))


def left_in_english(text: str) -> bool:
    """Whether a Chinese page's (or catalogue's) text is English with, at most, Chinese beside it: three
    English words or more once :func:`english_words` has taken out the Chinese parentheticals and the
    identifiers, one of them a common English word (:data:`_SENTENCE_WORDS`: a sentence, not a list of
    programs such as "regress、areg、reghdfe vce(robust)")."""
    plain = _IDENTIFIER.sub(" ", _CJK_PARENTHETICAL.sub(" ", text))
    return len(english_words(text)) >= 3 and _SENTENCE_WORDS.search(plain) is not None


def english_cells(html: str) -> list[str]:
    """The data cells (``<td>`` with plain text) of a Chinese page's ``html`` that are left in English: text
    with words (:func:`is_text`, not a number, a symbol or code) that no rule of :func:`translate_text`
    without a catalogue keeps as it is, and either not one Chinese character and two common English words
    or more (:data:`_SENTENCE_WORDS`: a sentence, not a program's or a variable's name), or English beside
    a Chinese parenthetical (:func:`left_in_english`). A computed sentence the package writes in English
    only shows up here (it belongs in the package in both languages: a :class:`~aichain_utils.text.Bilingual`
    cell), and so does a catalogue's "translation" that copies the English and adds the paper's term."""
    found = []
    for match in _TD.finditer(html):
        text = _normal(unescape(match.group(2)))
        if translate_text(text, {}) is not None and not _CJK.search(text):
            continue
        if left_in_english(text) or (not _CJK.search(text) and len(_SENTENCE_WORDS.findall(text)) >= 2):
            found.append(text)
    return list(dict.fromkeys(found))


def sphinx_catalogue(app, name: str) -> dict[str, str]:
    """The build's catalogue ``name`` (``tables``, ``figure_alt``), read once per build: the first
    ``<name>.po`` of the build's language in ``locale_dirs`` (relative to the source folder); {} when there
    is none."""
    cache = app.__dict__.setdefault("_aichain_catalogues", {})
    if name not in cache:
        cache[name] = {}
        for folder in app.config.locale_dirs:
            path = Path(app.srcdir) / folder / app.config.language / "LC_MESSAGES" / f"{name}.po"
            if path.is_file():
                cache[name] = load_catalogue(path)
                break
    return cache[name]


def _catalogue_of(app) -> dict[str, str]:
    """The build's table catalogue (:func:`sphinx_catalogue` of ``tables.po``)."""
    return sphinx_catalogue(app, CATALOGUE)


def _translate_outputs(app, doctree) -> None:
    from docutils import nodes

    if not (app.config.language or "").startswith("zh"):
        return  # the English build: untouched
    catalogue = _catalogue_of(app)
    if not catalogue:
        return
    pasted = {ZH_CELLS: doctree.get(_PASTED_CELLS) or {}}
    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", "").split():
            continue
        text = node.astext()
        new = translate_bilingual_cells(text, {"text/html": pasted}) if pasted[ZH_CELLS] else None
        new = mark_word_cells(translate_html(text if new is None else new, catalogue))
        if new != text:
            node.parent.replace(node, nodes.raw(node.rawsource, new, **node.attributes))


#: The document's attribute holding the computed cells' Chinese of the outputs it pastes from other pages.
_PASTED_CELLS = "aichain_pasted_cells"


def _collect_pasted_cells(app, doctree) -> None:
    """Before MyST-NB pastes a glued output of another page (``{glue:any}`` with ``:doc:``, as the handouts
    do; it writes the HTML alone), keep the Chinese of its computed cells (its metadata's
    :data:`~aichain_utils.report.display.ZH_CELLS`, read from that page's glue cache) on the document, for
    :func:`_translate_outputs`."""
    if not (app.config.language or "").startswith("zh"):
        return
    from myst_nb.ext.glue.crossref import read_glue_cache
    from myst_nb.ext.glue.utils import PendingGlueReference

    found: dict[str, str] = {}
    for node in doctree.findall(PendingGlueReference):
        output = read_glue_cache(app.env.mystnb_config.output_folder, node.refdoc).get(node.key) or {}
        entry = (output.get("metadata") or {}).get("text/html") or {}
        found.update(entry.get(ZH_CELLS) or {} if isinstance(entry, dict) else {})
    if found:
        doctree[_PASTED_CELLS] = found


def setup(app) -> None:
    """Register the rewrite: a post-transform after MyST-NB has pasted the glued outputs, and one before it
    pastes another page's (:func:`_collect_pasted_cells`)."""
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class CollectPastedCells(SphinxPostTransform):
        """The computed cells' Chinese of the outputs pasted from other pages (:func:`_collect_pasted_cells`)."""

        default_priority = 4  # before MyST-NB's cross-page glue paste (5)

        def run(self, **kwargs) -> None:
            _collect_pasted_cells(self.app, self.document)

    app.add_post_transform(CollectPastedCells)

    class TranslateTableLabels(SphinxPostTransform):
        """The executed tables' labels in the Chinese edition's language (:func:`translate_html`)."""

        default_priority = 900  # after MyST-NB's glue paste (5) and Sphinx's reference resolution

        def run(self, **kwargs) -> None:
            _translate_outputs(self.app, self.document)

    app.add_post_transform(TranslateTableLabels)
