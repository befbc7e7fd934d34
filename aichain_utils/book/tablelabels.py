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
translated in turn); a computed sentence no simple pattern gives (:data:`LEFT`) is left in English (it
belongs in the package in both languages). Numbers, symbols (AIE, ERL, ELRI_front …) and cells without a
(non-fuzzy) translation are left as they are; the English build is not touched at all.
``tools/table_labels.py`` extracts the labels, data cells and tooltips of the English site's tables into
the catalogue (``make locale``); :func:`labels` and :func:`cells` are the rules both share.
"""

from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path

from aichain_utils.report.catalogue import is_label, load_catalogue

__all__ = [
    "CATALOGUE",
    "CELL_PATTERNS",
    "LEFT",
    "cell_keys",
    "cells",
    "is_label",
    "is_text",
    "label_key",
    "labels",
    "load_catalogue",
    "setup",
    "translate_html",
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


#: a cell that is code, not words: a variable's, a function's or an option's name (``ELRI_front``,
#: ``econometrics.fit_ols``, ``lcv_form=growth``), a file name, a finding's id (``closest_world-1ade4ffc``)
_CODE = re.compile(
    r"^(?:[A-Za-z_][\w.]*(?:\(\))?(?:=\S+)?|[\w./-]+\.(?:csv|py|yml|yaml|json|parquet|whl|txt|md|xlsx|do)"
    r"|[a-z_]+-[0-9a-f]{8})$"
)
#: more code: a parameter set to a number (``lab.iv2_direct_on_erl = 0.05``), a name with its symbol
#: (``first_stage_se (IV1)``), a range of names (``aie_01 … aie_24``), a claim's id (``T8-front-to-back``,
#: ``H1-robustness``), names listed (``r2_within, r2_within_panelols``)
_CODE_MORE = re.compile(
    r"^(?:[\w.]+ = -?[\d.e+-]+|\w+_\w+ \([A-Z0-9]+\)|\w+ … \w+|[TH]\d+-[a-z-]+|\w*_\w*(?:, \w*_\w*)+)$"
)
_WORD_CHARS = re.compile(r"[A-Za-z]{2}")


def is_text(text: str) -> bool:
    """Whether a data cell's or a tooltip's (unescaped, trimmed) text has words to translate: a label
    (:func:`is_label`) that is not code (a name with ``_``, ``.`` or ``=``, a file name, a finding's id)
    and, but for a pure word, no lowercase name alone ("pyfixest" is words; "sd" is a statistic's name)."""
    if not is_label(text):
        return False
    if _CODE.match(text) and ("_" in text or "." in text or "=" in text or "-" in text):
        return False
    return not _CODE_MORE.match(text)


#: Data cells and tooltips computed from the data: (pattern over the whole text, its Chinese). The
#: pattern's groups named ``t_...`` are texts translated in turn (the catalogue or another pattern, so
#: a composite tooltip is translated piece by piece); the other groups (numbers, ids) are copied.
CELL_PATTERNS = tuple(
    (re.compile(pattern), chinese)
    for pattern, chinese in (
        (r"(?P<t_text>.+) (?P<id>\[[a-z_]+-[0-9a-f]{8}\])", "{t_text} {id}"),
        (r"(?P<t_v>[a-z][a-z ]+): published (?P<p>[^,;]+), replicated (?P<r>[^;]+);\s*",
         "{t_v}：公布值 {p}，复现值 {r}"),
        (r"(?P<t_v>[a-z][a-z ]+): published (?P<p>[^,;]+), replicated (?P<r>[^;]+); (?P<t_why>.+)",
         "{t_v}：公布值 {p}，复现值 {r}；{t_why}"),
        (r"(?P<t_v>[a-z][a-z0-9% ]+): (?P<t_why>closest world: .+)", "{t_v}：{t_why}"),
        (r"closest world: this build's panel is one draw of that world \((?P<r>[^)]+)\): (?P<t_rest>over .+)",
         "最接近的模拟世界：本次构建的面板是该世界的一次抽样（{r}）：{t_rest}"),
        (r"closest world: (?P<t_rest>over .+)", "最接近的模拟世界：{t_rest}"),
        (r"over (?P<n>\d+) draws of the calibrated world \(seeds the calibration never used\) this statistic "
         r"has mean (?P<m>\S+), SD (?P<sd>\S+) and central 95% band \[(?P<lo>[^,\]]+), (?P<hi>[^\]]+)\]; "
         r"the published (?P<p>\S+) lies at percentile (?P<pc>\S+) \(Monte Carlo SE (?P<se>[^)]+)\), "
         r"(?P<t_tail>.+)",
         "在校准世界的 {n} 次抽样中（所用种子均未参与校准），该统计量的均值为 {m}，标准差为 {sd}，中央 95% 区间为 "
         "[{lo}, {hi}]；公布值 {p} 位于第 {pc} 百分位（蒙特卡洛标准误 {se}），{t_tail}"),
        (r"closest world: every one of its (?P<n>\d+) draws gives (?P<v>\S+) \(fixed by the design and the "
         r"book's readings, which calibration does not move\), not the published (?P<p>\S+): "
         r"(?P<t_v>no world of the family produces it)",
         "最接近的模拟世界：其 {n} 次抽样全部给出 {v}（由设计和本书的解读决定，校准不会改变它），而不是公布的 {p}："
         "{t_v}"),
        (r"audit \((?P<t_sev>error|warning|info)\): (?P<t_check>[^:]+): (?P<t_why>.+)",
         "审查（{t_sev}）：{t_check}：{t_why}"),
        (r"inside the world's 95% band \[(?P<lo>[^,\]]+), (?P<hi>[^\]]+)\]",
         "落在该世界的中央 95% 区间 [{lo}, {hi}] 内"),
        (r"Table (?P<n>\d+) \((?P<c>\d+)\)", "表 {n} 第（{c}）列"),
        (r"Table (?P<n>\d+) column \((?P<c>\d+)\)", "表 {n} 第（{c}）列"),
        (r"Table (?P<n>\d+) col \((?P<c>\d+)\): (?P<s>\S+)", "表 {n} 第（{c}）列：{s}"),
        (r"column \((?P<c>\d+)\)", "第（{c}）列"),
        (r"column \((?P<c>\d+)\), (?P<t_s>.+)", "第（{c}）列，{t_s}"),
        (r"columns \((?P<c>[\d, ]+)\)", "第（{c}）列"),
        (r"Tables? (?P<n>[\d–, ]+)", "表 {n}"),
        (r"percentile (?P<pc>\S+) \(Monte Carlo SE (?P<se>[^)]+)\)", "第 {pc} 百分位（蒙特卡洛标准误 {se}）"),
        (r"trim (?P<x>[\d.]+%)", "缩尾 {x}"),
        (r"(?P<n>[\d,]+) industry-years", "{n} 个行业-年份"),
        (r"leg a \((?P<t_a>yes|no)\): (?P<la>.+?); largest p (?P<pa>[\d.]+); leg b \((?P<t_b>yes|no)\): (?P<lb>.+?); "
         r"largest p (?P<pb>[\d.]+)", "a 段（{t_a}）：{la}；最大 p 值 {pa}；b 段（{t_b}）：{lb}；最大 p 值 {pb}"),
        (r"leg a \((?P<t_a>yes|no)\): (?P<la>.+?); largest p (?P<pa>[\d.]+); leg b: not printed",
         "a 段（{t_a}）：{la}；最大 p 值 {pa}；b 段：论文未列出"),
        (r"(?P<l>[^;a-zA-Z]+); largest p (?P<p>[\d.]+)", "{l}；最大 p 值 {p}"),
        (r"(?P<l>[^;a-zA-Z]+); suest p (?P<p>[\d.]+)", "{l}；suest p 值 {p}"),
        (r"N (?P<n>[\d,]+) \((?P<t_rule>[a-z ]+)\); the reading gives (?P<t_gives>.+)",
         "观测值 {n}（{t_rule}）；按本书解读应为 {t_gives}"),
        (r"(?P<n>[\d,]+) = (?P<k>[\d,]+) industries × (?P<rest>[\d ×]+)", "{n} = {k} 个行业 × {rest}"),
        (r"(?P<n>[\d,]+) = (?P<k>[\d,]+) units × (?P<rest>[\d ×]+)", "{n} = {k} 个个体 × {rest}"),
        (r"(?P<n>[\d,]+) = (?P<rest>[\d ×]+)", "{n} = {rest}"),
        (r"a multiple of (?P<n>\d+)", "{n} 的整数倍"),
        (r"below (?P<n>[\d,]+) \(a split\)", "小于 {n}（分组样本）"),
        (r"(?P<n>[\d,]+) \((?P<t_what>Table 2 N of FSIE|FSIE in Table 2|Table 2|the full sample)\)", "{n}（{t_what}）"),
        (r"(?P<n>[\d,]+) \((?P<k>[\d.]+) per industry-year\)", "{n}（每个行业-年份 {k} 个）"),
        (r"SE \+(?P<x>[\d.]+%) with the F's factor \(t² = (?P<t>[\d.]+), F = (?P<f>[\d.]+)\)",
         "按 F 统计量的校正因子，标准误增大 {x}（t² = {t}，F = {f}）"),
        (r"SEs (?P<a>[\d.]+), (?P<b>[\d.]+) \(ratio (?P<r>[\d.]+)\)", "标准误 {a}、{b}（比值 {r}）"),
        (r"maximum (?P<x>[\d.]+) SD from the mean", "最大值距均值 {x} 个标准差"),
        (r"within about (?P<x>\d+) SD of the mean", "距均值约 {x} 个标准差以内"),
        (r"adjusted R² at least (?P<x>[\d.]+)", "调整 R² 至少为 {x}"),
        (r"the world's n is (?P<n>\S+) in all (?P<d>\d+) draws", "该世界的 n 在全部 {d} 次抽样中均为 {n}"),
        (r"Wald F of the order of (?P<x>[\d.]+)", "Wald F 统计量约为 {x}"),
        (r"LM (?P<a>[\d.]+), Wald F (?P<b>[\d.]+)", "LM 统计量 {a}，Wald F 统计量 {b}"),
        (r"closest: Table (?P<n>\d+) (?:column )?\((?P<c>\d+)\) (?P<v>\S+)", "最接近：表 {n} 第（{c}）列 {v}"),
        (r"(?P<a>-?[\d.]+) vs (?P<b>-?[\d.]+)", "{a} 对 {b}"),
        (r"group Ns adding to at most (?P<n>\d+)", "各组观测值之和至多为 {n}"),
        (r"at least (?P<a>\d+) \(at most (?P<b>\d+) removed\)", "至少 {a}（至多剔除 {b}）"),
        (r"at most (?P<n>\d+) only if (?P<v>\w+) is observed where ITSE is",
         "至多 {n}（仅当 ITSE 有观测值处 {v} 也有观测值时）"),
        (r"(?P<a>[\d.]+) \(printed under column \((?P<c>\d+)\)\)", "{a}（列于第（{c}）列之下）"),
        (r"(?P<x>[\d.]+): (?P<t_why>[a-z].+)", "{x}：{t_why}"),
        (r"(?P<x>\d+%): (?P<t_why>[a-z].+)", "{x}：{t_why}"),
        (r"sample to (?P<y>\d{4})", "样本截至 {y} 年"),
        (r"year, (?P<a>\d{4})-(?P<b>\d{4})", "年份，{a}-{b}"),
    )
)  # fmt: skip

#: Data cells computed from the data whose sentence no simple pattern gives: left in English (their
#: sentence belongs in the package in both languages), and not asked of the catalogue.
LEFT = tuple(
    re.compile(pattern)
    for pattern in (
        r"\d+ singleton units in the panel; .*",
        r".*[\d.]+ here vs .*",
        r"[\d.]+ \(\d+ draws, \d+ clusters, .*\)",
        r"[\d.]+ \(reghdfe's, .*",
        r"[\d.]+ \(mean of .*\)",
        r"\d+ of \d+ columns unexplained: .*",
        r">= [\d.]+ \(national weights .*",
        r"Monte Carlo only: SE .*",
        r"joint test of all groups: .*",
        r"z-test of the difference: .*",
        r"largest \|difference\| .*",
        r"ours larger by the factor .*",
        r"same β\*, δ at a given R_max.*",
        r"β\* [\d.]+ \(R_max .*",
        r"the ERL shock feeds back into AI embedding.*",
        r"AIE's moments are not a target of make calibrate: .*",
    )
)


def _pattern_of(text: str) -> re.Match | None:
    for pattern, _ in CELL_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return match
    return None


def cell_keys(text: str) -> list[str]:
    """The catalogue keys a data cell's or a tooltip's text (HTML-escaped, as in the page) needs to be
    translated: none for a number, a symbol or code; the keys of its text parts when a pattern of
    :data:`CELL_PATTERNS` matches it; none for a computed sentence of :data:`LEFT` (left in English);
    otherwise its label."""
    text = _normal(text)
    match = _pattern_of(text)
    if match is not None:
        return [k for name, part in match.groupdict().items() if name.startswith("t_") for k in cell_keys(part)]
    key = label_key(text)
    if key is None or not is_text(key[1]) or any(left.fullmatch(text) for left in LEFT):
        return []
    return [key[1]]


def translate_text(text: str, catalogue: dict[str, str]) -> str | None:
    """A data cell's or a tooltip's (unescaped) text in Chinese: its translation in ``catalogue``, or
    its pattern's (:data:`CELL_PATTERNS`) with every text part translated; the text itself when it has
    no words (a number, a symbol, code); None when it is not translated."""
    text = " ".join(text.split())
    key = label_key(text)
    if key is not None and catalogue.get(key[1]):
        return key[0] + catalogue[key[1]]
    for pattern, chinese in CELL_PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        parts = {}
        for name, part in match.groupdict().items():
            parts[name] = translate_text(part, catalogue) if name.startswith("t_") else part
            if parts[name] is None:
                return None
        return chinese.format(**parts)
    key = label_key(escape(text))
    return text if key is None or not is_text(key[1]) else None


def cells(html: str) -> list[str]:
    """The catalogue keys of an executed output's data cells (``<td>`` with plain text) and tooltips
    (``title``), in order, each once: what ``tools/table_labels.py`` extracts beside :func:`labels`."""
    found = [k for m in _TD.finditer(html) for k in cell_keys(m.group(2))]
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


def translate_html(html: str, catalogue: dict[str, str]) -> str:
    """``html`` with every header cell, ``data-label``, caption, summary and table note that ``catalogue``
    translates in its translation, every data cell with plain text and every tooltip that
    :func:`translate_text` translates, and its verdict lines in Chinese (:func:`translate_verdict_lines`);
    everything else, byte for byte, as it was."""
    html = translate_verdict_lines(html)
    if not catalogue:
        return html

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
    return _TD.sub(lambda match: cell(match, data), html)


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
