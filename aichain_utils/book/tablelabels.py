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
diagnostics title (plain text only), and a data cell (``<td>``) whose whole text is a label the
catalogue translates. A leading column number, "(1) pooled", keeps its number and translates the
rest. Numbers, symbols (AIE, ERL, ELRI_front …) and cells without a (non-fuzzy) translation are left as
they are; the English build is not touched at all. ``tools/table_labels.py`` extracts the labels of the
English site's tables into the catalogue (``make locale``); :func:`labels` is the rule both share.
"""

from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path

from aichain_utils.report.catalogue import is_label, load_catalogue

__all__ = ["CATALOGUE", "is_label", "label_key", "labels", "load_catalogue", "setup", "translate_html"]

#: The catalogue's domain: ``locale/<language>/LC_MESSAGES/tables.po``.
CATALOGUE = "tables"

_TH = re.compile(r"(<th\b[^>]*>)([^<]*)(</th>)", re.IGNORECASE)
_TD = re.compile(r"(<td\b[^>]*>)([^<]*)(</td>)", re.IGNORECASE)
_DATA_LABEL = re.compile(r'(\sdata-label=")([^"]*)(")')
#: a table's own words around it: a caption, a folded part's summary, the book's table note and title
_AROUND = re.compile(
    r'(<caption\b[^>]*>|<summary\b[^>]*>|<p class="aichain-(?:table-note|diagnostics-title)">)([^<]*)'
    r"(</caption>|</summary>|</p>)",
    re.IGNORECASE,
)
#: a column number before a label: "(1) pooled", "(5) to 2022"
_NUMBERED = re.compile(r"^(\(\d+\)\s+)(.+)$")


def _normal(text: str) -> str:
    return " ".join(unescape(text).split())


def label_key(text: str) -> tuple[str, str] | None:
    """``(prefix, label)`` of a cell's text (HTML-escaped, as in the page): the label a catalogue
    translates and the column number kept before it ("(1) " or ""), or None when the cell is no label
    (empty, a number, a symbol)."""
    text = _normal(text)
    match = _NUMBERED.match(text)
    prefix, label = (match.group(1), match.group(2)) if match else ("", text)
    return (prefix, label) if is_label(label) else None


def labels(html: str) -> list[str]:
    """The labels of the header cells (``<th>`` with plain text), captions, summaries and table notes of
    an executed output's HTML, in order, each once: what :func:`translate_html` looks up and
    ``tools/table_labels.py`` extracts."""
    found = [label_key(m.group(2)) for pattern in (_TH, _AROUND) for m in pattern.finditer(html)]
    return list(dict.fromkeys(key[1] for key in found if key is not None))


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


def translate_html(html: str, catalogue: dict[str, str]) -> str:
    """``html`` with every header cell, ``data-label``, caption, summary, table note and whole-label
    data cell that ``catalogue`` translates in its translation, and its verdict lines in Chinese
    (:func:`translate_verdict_lines`); everything else, byte for byte, as it was."""
    html = translate_verdict_lines(html)
    if not catalogue:
        return html

    def translated(text: str, quote: bool) -> str | None:
        key = label_key(text)
        if key is None or not catalogue.get(key[1]):
            return None
        return escape(key[0] + catalogue[key[1]], quote=quote)

    def cell(match: re.Match) -> str:
        inner = match.group(2)
        new = translated(inner, False)
        if new is None:
            return match.group(0)
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
        return f"{match.group(1)}{lead}{new}{trail}{match.group(3)}"

    def attribute(match: re.Match) -> str:
        new = translated(match.group(2), True)
        return match.group(0) if new is None else f"{match.group(1)}{new}{match.group(3)}"

    html = _DATA_LABEL.sub(attribute, html)
    html = _TH.sub(cell, html)
    html = _AROUND.sub(cell, html)
    return _TD.sub(cell, html)


def _catalogue_of(app) -> dict[str, str]:
    """The build's table catalogue, read once: the first ``tables.po`` of the language in
    ``locale_dirs`` (relative to the source folder)."""
    cached = getattr(app, "_aichain_table_labels", None)
    if cached is None:
        cached = {}
        for folder in app.config.locale_dirs:
            path = Path(app.srcdir) / folder / app.config.language / "LC_MESSAGES" / f"{CATALOGUE}.po"
            if path.is_file():
                cached = load_catalogue(path)
                break
        app._aichain_table_labels = cached
    return cached


def _translate_outputs(app, doctree) -> None:
    from docutils import nodes

    if not (app.config.language or "").startswith("zh"):
        return  # the English build: untouched
    catalogue = _catalogue_of(app)
    if not catalogue:
        return
    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", "").split():
            continue
        text = node.astext()
        new = translate_html(text, catalogue)
        if new != text:
            node.parent.replace(node, nodes.raw(node.rawsource, new, **node.attributes))


def setup(app) -> None:
    """Register the rewrite: a post-transform after MyST-NB has pasted the glued outputs."""
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class TranslateTableLabels(SphinxPostTransform):
        """The executed tables' labels in the Chinese edition's language (:func:`translate_html`)."""

        default_priority = 900  # after MyST-NB's glue paste (5) and Sphinx's reference resolution

        def run(self, **kwargs) -> None:
            _translate_outputs(self.app, self.document)

    app.add_post_transform(TranslateTableLabels)
