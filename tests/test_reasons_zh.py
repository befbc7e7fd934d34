"""Why a table, column, analysis, figure or variable is not built on a replicator's file, and what the panel
builder reports, in English and in Chinese (issue 26: no Chinese page has an untranslated paragraph, on any
data).

Every such sentence of :mod:`aichain_utils.inputs` (:mod:`~aichain_utils.inputs.availability`'s reasons,
:meth:`~aichain_utils.inputs.panel.AnalysisPanel.missing_reason`, the builder's notes, the check's verdict on an
unusable column, Tables 1-2's reasons) is a :class:`~aichain_utils.text.Bilingual` filled from one English and
one Chinese template with the same values. This module holds the rule a Chinese reason obeys
(:func:`reason_problems`: Chinese present, no English word left but the variables', files' and settings'
names, the glossary's term wherever the English uses a glossary term), checks every template and the reasons
planted frames give, and plants failures. ``tests/test_data_matrix.py`` applies :func:`reason_problems` to
every reason and note on every file the data matrix generates.
"""

from __future__ import annotations

import csv
import functools
import re
import string
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from aichain_utils.inputs import availability, checks, panel, schema
from aichain_utils.inputs.datainput import Found
from aichain_utils.text import Bilingual

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- the rule
@functools.lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    """Names a Chinese reason keeps as they are: the book's variables and the raw file's columns."""
    return frozenset([v.name for v in schema.ANALYSIS_VARIABLES] + list(schema.RAW_COLUMNS) + panel.PANEL_COLUMNS)


#: What a Chinese reason may keep in Latin letters besides the variables' names: a quoted column of the
#: user's file ('...'), a file name (panel.dta), a setting (AICHAIN_COLUMNS, NAME=value), a symbol in
#: capitals or with digits (2SLS, IV1, Upsilon_M), a snake_case name, and the name of Stata's suest.
_KEPT = re.compile(
    r"'[^']*'|[\w.-]+\.[A-Za-z]{2,5}\b|\S+=\S+|\b[A-Z0-9]*[A-Z][A-Z0-9]*(?:_[A-Za-z0-9]+)*\b"
    r"|\b[A-Za-z]+_[A-Za-z0-9_]+\b|\bsuest\b"
)


def english_words(zh: str) -> list[str]:
    """The English words left in a Chinese text, once the names it may keep are taken out (:data:`_KEPT`)."""
    words = re.findall(r"[A-Za-z]{2,}", _KEPT.sub(" ", zh))
    return [w for w in words if w not in _names()]


@functools.lru_cache(maxsize=1)
def glossary_terms() -> list[tuple[str, re.Pattern, str]]:
    """(English term, as a pattern, its Chinese) of ``data/glossary.csv``: the term without its parenthesis,
    hyphens read as spaces; the Chinese without the glossary's own remark in parentheses."""
    out = []
    with (ROOT / "data" / "glossary.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            term = re.sub(r"\s*\(.*\)$", "", row["term"]).replace("-", " ").strip().lower()
            chinese = re.sub(r"\s*\((?:the paper|Table)[^)]*\)$", "", row["chinese"]).strip()
            if term and chinese:
                out.append((term, re.compile(rf"\b{re.escape(term)}\b"), chinese))
    return out


def glossary_misses(en: str, zh: str) -> list[str]:
    """The glossary terms the English uses whose Chinese term the Chinese text lacks."""
    plain = en.replace("-", " ").replace("–", " ").lower()
    return [f"{term} -> {chinese}" for term, p, chinese in glossary_terms() if p.search(plain) and chinese not in zh]


def reason_problems(text) -> list[str]:
    """What is wrong with a reason or note a Chinese page would show: no Chinese text, English words left
    in its Chinese, a glossary term not in the glossary's Chinese. Empty when it is right."""
    if not isinstance(text, Bilingual):
        return [f"no Chinese text: {str(text)[:120]!r}"]
    problems = [f"English words {w} in {text.zh[:160]!r}" for w in [english_words(text.zh)] if w]
    problems += [f"glossary term {m} missing in {text.zh[:160]!r}" for m in glossary_misses(text.en, text.zh)]
    return problems


def panel_texts(ap) -> dict[str, object]:
    """Every reason and note a page may show for a panel: the builder's notes, Tables 1-10's reasons, each
    variable's, each analysis', figure's, sentence family's and part's (None where it is built)."""
    av = availability.assess(ap)
    texts: dict[str, object] = {f"note {i}": n for i, n in enumerate(ap.notes)}
    texts |= {f"Table {t}": ap.missing_reason(f"Table {t}") for t in range(1, 11)}
    texts |= {f"variable {c}": ap.missing_reason(c) for c in [*ap.data.columns, "aie_indicators"]}
    texts |= {f"analysis {a}": av.analysis(a) for a in availability.ANALYSES}
    texts |= {f"figure {f}": av.figure(f) for f in availability.FIGURES}
    texts |= {f"sentences {s}": av.sentence(s) for s in availability.SENTENCES}
    texts |= {f"part {t} {c}": r for (t, c), r in av.parts.items()}
    texts |= {f"summary row {i}": r for i, r in enumerate(av.summary()["reason"]) if r}
    return {k: v for k, v in texts.items() if v is not None}


def panel_problems(ap) -> list[str]:
    """:func:`reason_problems` of every text of :func:`panel_texts`, each named."""
    return [f"{key}: {p}" for key, text in panel_texts(ap).items() for p in reason_problems(text)]


# ----------------------------------------------------------------------------- the templates
def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


TEMPLATES = {
    **{f"availability {k}": t for k, t in availability._REASONS.items()},
    "availability too few": availability._TOO_FEW,
    **{f"panel {k}": t for k, t in panel.SENTENCES.items()},
    **{f"checks Table 2 {k}": t for k, t in checks._TABLE2.items()},
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_each_template_has_a_chinese_one_with_the_same_fields_and_no_english_word(name):
    t = TEMPLATES[name]
    assert _fields(t["zh"]) <= _fields(t["en"]), name
    assert _fields(t["en"]) - _fields(t["zh"]) <= {"verb"}, name  # English grammar only: "compares", "compare"
    bare = re.sub(r"\{[^{}]*\}", " ", t["zh"])
    assert not english_words(bare), (name, english_words(bare))


@pytest.mark.parametrize(
    "words",
    [availability.LABELS_ZH, availability.ANALYSES_ZH, availability.SENTENCES_ZH, checks._UNUSABLE_ZH],
    ids=["part labels", "analyses", "sentence families", "unusable columns"],
)
def test_each_word_list_is_chinese_and_covers_its_english(words):
    assert all(not english_words(zh) and re.search(r"[\u4e00-\u9fff]", zh) for zh in words.values()), words
    if words is availability.LABELS_ZH:
        assert set(words) == {p.label for p in availability.PARTS}
    if words is availability.ANALYSES_ZH:
        assert set(words) == set(availability.ANALYSES)
    if words is availability.SENTENCES_ZH:
        assert set(words) == set(availability.SENTENCES)


# ----------------------------------------------------------------------------- planted frames
@functools.lru_cache(maxsize=1)
def _finished() -> pd.DataFrame:
    import altdata

    from aichain_utils.simulation.simulate import simulate_panel

    raw = simulate_panel(altdata.small_world_params(seed=5)).raw
    return panel.build_analysis_panel(raw, aie_weights="published").data


def test_the_reasons_of_planted_frames_in_both_languages():
    """Each kind of reason, English as before and Chinese from the same values."""
    full = _finished()
    av = availability.decide(full.assign(IV2=1.0))
    assert (
        av.column(4, 2)
        == "Table 4 column (2) (2SLS with IV2) needs IV2 to vary; on the complete rows it takes one value."
    )
    assert (
        av.column(4, 2).zh
        == "表 4 第（2）列（以 IV2 为工具变量的 2SLS）需要 IV2 有变化；在变量齐全的行中它只取一个值。"
    )
    av = availability.decide(full.assign(IV3=float("nan")))
    assert av.column(4, 3) == "Table 4 column (3) (2SLS with IV3) needs IV3; the file's IV3 is empty in every row."
    assert av.column(4, 3).zh == "表 4 第（3）列（以 IV3 为工具变量的 2SLS）需要 IV3；文件中的 IV3 每一行都为空。"
    odd = full[full["year"] % 2 == 1]
    reason = availability.decide(odd).column(4, 5)
    assert (
        reason
        == "Table 4 column (5) (first differences) needs consecutive years of a unit; the panel has 0 such pairs."
    )
    assert reason.zh == "表 4 第（5）列（一阶差分）需要同一个体的相邻年份；面板中这样的相邻年份对有 0 个。"
    units = sorted(full["unit_id"].unique())
    few = full.assign(tech_level=["low" if u == units[0] else "high" for u in full["unit_id"]])
    reason = availability.decide(few).table(9)
    assert reason.startswith("Table 9 columns (3) and (4) (technology levels): too few observations to estimate ")
    assert re.search(r"低技术（\d+ 行，1 个个体，\d+ 年）的观测值过少，无法估计式（1）。$", reason.zh), reason.zh
    for text in (av.column(4, 3), reason):
        assert not reason_problems(text)


def test_the_tables_reason_joins_its_parts_in_each_language():
    data = _finished().drop(columns=["IV2", "IV3", "IV4", "LCV", "WCV"])
    av = availability.decide(data)
    assert av.table(4) == "Table 4 columns (2)–(4) need IV2, IV3 and IV4; the file has none of them."
    assert av.table(4).zh == "表 4 第（2）–（4）列需要 IV2、IV3 和 IV4；文件中一个也没有。"
    assert av.table(10) == "Table 10 needs LCV and WCV; the file has neither."
    assert av.table(10).zh == "表 10 需要 LCV 和 WCV；文件中两者都没有。"
    spec = av.analysis("specification curve")
    assert spec == "The specification curve is not built: " + av.table(4)
    assert spec.zh == "设定曲线未能构建：" + av.table(4).zh
    assert av.figure("fig-t10-coefs").zh == av.table(10).zh


def test_the_partial_views_heading_in_both_languages():
    """The heading of the columns a file builds (``replication.columns.partial_view`` prints its English)."""
    av = availability.decide(_finished().drop(columns=["IV2", "IV3", "IV4", "LCV", "WCV"]))
    assert av.partial_heading(4) == "Table 4 on these data: columns (1) and (5)."
    assert av.partial_heading(4).zh == "表 4 在这些数据上可构建：第（1）和（5）列。"
    assert av.partial_heading(3) == "Table 3 on these data: every column."
    assert not reason_problems(av.partial_heading(4)) and not reason_problems(av.partial_heading(3))
    with pytest.raises(ValueError, match="no column of Table 10"):
        av.partial_heading(10)


def test_the_summary_keeps_each_label_and_reason_in_both_languages():
    """The at-a-glance table of what a file builds: its cells keep their Chinese for the Chinese edition."""
    av = availability.decide(_finished().drop(columns=["IV2"]))
    summary = av.summary()
    row = summary[(summary["table"] == 4) & (summary["columns"] == "(2)")].iloc[0]
    assert (row["estimates"], row["estimates"].zh) == ("2SLS with IV2", "以 IV2 为工具变量的 2SLS")
    assert row["reason"].zh == "表 4 第（2）列（以 IV2 为工具变量的 2SLS）需要 IV2；文件中没有 IV2。"
    assert all(isinstance(v, Bilingual) for v in summary["estimates"])


def test_an_unusable_column_is_named_with_the_checks_words_in_chinese():
    found = {"FSIE": Found("absent", "中介", how=checks._treated_as_absent("is constant", "constant"))}
    phrase = availability.absence_phrase(["FSIE", "LCV"], ["FSIE", "LCV"], found)
    assert phrase == "the file has no LCV; FSIE ('中介') is in the file but is constant: treated as absent"
    assert phrase.zh == "文件中没有 LCV；FSIE（'中介'）在文件中，但为常数：视为缺失"
    plain = availability.unusable_phrase("FSIE", Found("absent", "m", how="in the file but odd: treated as absent"))
    assert plain == "FSIE ('m') is in the file but odd: treated as absent" and not english_words(plain.zh)


def test_the_builders_notes_in_both_languages():
    out = pd.DataFrame({"unit_id": [1, 1, 1, 2, 2], "year": [2013, 2014, 2016, 2013, 2014]})
    note = panel._iv1_note(out)
    assert note == (
        "IV1 (lagged AIE) is undefined in 3 rows: each unit's first year (2) and the years that follow a gap "
        "in the unit's years (1)."
    )
    assert (
        note.zh
        == "IV1（滞后一期的 AIE）在 3 行中没有定义：每个个体的第一年（2 行），以及个体年份中断之后的年份（1 行）。"
    )
    notes = panel._build_notes(
        pd.DataFrame(
            {
                "ITSE": [1.0, None] * 600,
                "LCV": [None, 2.0] * 600,
                "ERL": [1.0] * 1200,
                "unit_id": range(1200),
                "year": [2013] * 1200,
            }
        ),
        {**panel.DEFAULT_READINGS, "upsilon": "mediators"},
        Bilingual("Region.", "地区。"),
    )
    assert notes[0] == "ITSE is missing in 600 rows (its input key_input is missing)."
    assert notes[0].zh == "ITSE 在 600 行中缺失（其输入 key_input 缺失）。"
    assert notes[4] == "Readings other than the defaults: upsilon=mediators."
    assert notes[5].zh == "ERL 以 FSIE 和 ITSE 作为 Upsilon_M 和 Upsilon_I：在 0 行中缺失。"
    assert all(not reason_problems(n) for n in notes)


# ----------------------------------------------------------------------------- planted failures
def test_a_reason_without_chinese_is_caught():
    assert reason_problems("Table 6 needs FSIE; the file has no FSIE.") == [
        "no Chinese text: 'Table 6 needs FSIE; the file has no FSIE.'"
    ]


def test_english_words_left_in_the_chinese_are_caught():
    half = Bilingual("Table 6 needs FSIE; the file has no FSIE.", "表 6 需要 FSIE；the file has no FSIE。")
    assert english_words(half.zh) == ["the", "file", "has", "no"]
    assert reason_problems(half)[0].startswith("English words ['the', 'file', 'has', 'no']")
    kept = "FSIE（'my column'）缺失：data v2.dta 中没有 IV1、Upsilon_M、key_input、2SLS（AICHAIN_AIE_WEIGHTS=a|b）"
    assert english_words(kept) == ["data"]


def test_a_chinese_without_the_glossarys_term_is_caught():
    text = Bilingual("The propensity-score matching is not built.", "倾向评分匹配未能构建。")
    assert reason_problems(text) == [
        "glossary term propensity score matching -> 倾向得分匹配 missing in '倾向评分匹配未能构建。'"
    ]


def test_a_panel_whose_note_is_english_only_is_caught():
    ap = panel.build_from_finished(_finished()[[v.name for v in schema.ANALYSIS_VARIABLES if v.required]])
    assert not panel_problems(ap)
    ap.notes.append("IV1 is AIE of the previous year: undefined in 108 rows.")
    assert panel_problems(ap) == [
        f"note {len(ap.notes) - 1}: no Chinese text: 'IV1 is AIE of the previous year: undefined in 108 rows.'"
    ]


# ----------------------------------------------------------------------------- the pages
def test_when_available_glues_a_tables_reason_with_its_chinese(monkeypatch):
    """``tableN_missing`` carries the reason's Chinese, which a Chinese page pastes; its English is glued
    exactly as the English ``str`` was (``text/plain``: its ``repr``)."""
    import myst_nb
    from IPython.core.formatters import format_display_data
    from IPython.core.interactiveshell import InteractiveShell

    from aichain_utils.book import notebook
    from aichain_utils.text import ZH_MIME

    glued = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: glued.__setitem__(name, value))
    monkeypatch.setattr(notebook, "_NOTED", set())
    monkeypatch.setattr(notebook, "SKIPPED", {})
    reason = Bilingual("Table 10 needs LCV and WCV; the file has neither.", "表 10 需要 LCV 和 WCV；文件中两者都没有。")

    class Panel:
        def missing_reason(self, name):
            return reason if name == "Table 10" else None

    shell = InteractiveShell.instance()
    monkeypatch.setitem(shell.user_ns, "panel", Panel())
    notebook.when_available("Tables 3, 10", "raise RuntimeError('the cell must not run')")
    assert format_display_data(glued["table10_missing"])[0] == {"text/plain": repr(reason.en), ZH_MIME: reason.zh}
    assert glued["table3_missing"] == "" and notebook.SKIPPED[10] == reason
    assert format_display_data(notebook._glued_reason("an English-only reason"))[0] == {
        "text/plain": "'an English-only reason'"
    }
