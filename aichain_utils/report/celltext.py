"""The words of the book's computed table cells in Chinese: the rules that the Chinese build's table
translation (:mod:`aichain_utils.book.tablelabels`) and the audit's Chinese findings
(:mod:`aichain_utils.replication.results.audit`) share, in one place.

A cell's text is looked up in a catalogue (``locale/zh_CN/LC_MESSAGES/tables.po``, msgid -> msgstr) as a label
(:func:`label_key`: a leading column number, "(1) pooled", is kept), or translated by its phrase pattern
(:data:`CELL_PATTERNS`: the words fixed, the numbers copied, the texts inside it translated in turn); a cell without
words (a number, a symbol, code: :func:`is_text`) is itself (:func:`translate_text`).
"""

from __future__ import annotations

import re
from html import escape, unescape

from aichain_utils.report.catalogue import is_label

__all__ = ["CELL_PATTERNS", "column_list_zh", "is_text", "label_key", "translate_text"]

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


def column_list_zh(columns: str) -> str:
    """A list of column numbers in Chinese, each number in its own brackets: "2, 3, 4" -> "第（2）、（3）、（4）列".

    Examples
    --------
    >>> column_list_zh("2, 3")
    '第（2）、（3）列'
    """
    numbers = [c.strip() for c in columns.split(",") if c.strip()]
    return "第" + "、".join(f"（{c}）" for c in numbers) + "列"


#: Data cells and tooltips computed from the data: (pattern over the whole text, its Chinese: a format
#: string, or a function of the groups for a list, :func:`column_list_zh`). The
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
        (r"columns \((?P<c>[\d, ]+)\)", lambda parts: column_list_zh(parts["c"])),
        (r"Tables? (?P<n>[\d–, -]+)", "表 {n}"),
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


def _pattern_of(text: str) -> re.Match | None:
    for pattern, _ in CELL_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return match
    return None


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
        return chinese(parts) if callable(chinese) else chinese.format(**parts)
    key = label_key(escape(text))
    return text if key is None or not is_text(key[1]) else None
