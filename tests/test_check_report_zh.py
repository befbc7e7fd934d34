"""The report of ``make check-data`` in Chinese on the Chinese "Your data" page (issue 26).

Every rule a violation states, every note and every "how found" of :mod:`aichain_utils.inputs` is a
:class:`~aichain_utils.text.Bilingual`: one English text (what ``make check-data`` prints, unchanged) and
one Chinese text filled with the same values. :func:`~aichain_utils.inputs.datainput.render_report` writes
the report in either language; the chapter displays it as a bilingual Markdown code block
(:func:`aichain_utils.replication.results.your_data.report_block`), so one execution serves both pages.

* **Every rule.** The check runs on the shipped faulty example and on files crafted to break each rule
  (as ``tests/test_data_input*.py`` craft them); every rule and note it states has a Chinese text without
  English words (:func:`test_reasons_zh.reason_problems`), and every ``report.add`` call of the check's
  modules is reached by a crafted file (a new rule without a case fails here).
* **The English unchanged.** The English report is the bilingual report's ``str``, and the existing tests of
  the report text (``tests/test_data_input*.py``, ``tests/test_results_your_data.py``) hold it.
* **The page.** The report cell renders the Chinese report on a Chinese page and the English one on an
  English page; on a built site, the Chinese page shows the Chinese report and the English page the English.
* **Planted:** a rule without Chinese, and a Chinese rule with an English word left, are caught; a Chinese
  page showing the English report is caught.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from datainput_helpers import run_check, write_csv
from test_figures_zh import rendered_in_both
from test_reasons_zh import reason_problems

from aichain_utils.inputs import checkdata, checks, datainput
from aichain_utils.inputs.datainput import CheckReport, render_report
from aichain_utils.replication.numbers import ZH_MARKDOWN
from aichain_utils.replication.results import your_data
from aichain_utils.text import Bilingual

pytestmark = pytest.mark.usefixtures("clean_data_env")

#: ``report.add`` calls no crafted file reaches: the panel builder raising a ValueError of its own (its
#: message, in English, is quoted in both languages).
UNREACHED = {("checkdata.py", "the indices cannot be computed")}


# ----------------------------------------------------------------------------- the rule, for a report
def identifiers_removed(zh: str) -> str:
    """The Chinese text without what it keeps as it is: commands in backticks, paths (``a/b.csv``), file
    names (``panel.parquet``) and the names of the file formats and of a missing float (``NaN``)."""
    return re.sub(r"`[^`]*`|\S*/\S*|[\w.-]+\.[A-Za-z]+\b|\b(?:Stata|Parquet|Excel|NaN)\b", " ", zh)


def rule_problems(text) -> list[str]:
    """:func:`test_reasons_zh.reason_problems` of a rule or note, once its commands and paths are removed."""
    if not isinstance(text, Bilingual):
        return [f"no Chinese text: {str(text)[:120]!r}"]
    return reason_problems(Bilingual(text.en, identifiers_removed(text.zh)))


# ----------------------------------------------------------------------------- files that break each rule
def _obj(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object)


def _set(frame: pd.DataFrame, rows, column: str, value) -> pd.DataFrame:
    out = _obj(frame) if isinstance(value, str) else frame.copy()
    out.loc[rows, column] = value
    return out


def _text_cases(ana: pd.DataFrame, raw: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """CSV files (as frames) that break one rule each."""
    cases = {
        f"token {token}": _set(ana, [3, 9], column, token)
        for column, token in [
            ("ERL", "#N/A"),
            ("AIE", "."),
            ("lngdp", "1,234.5"),
            ("imp", "12%"),
            ("exp", "3,5"),
            ("inst", "abc"),
            ("tra", "NA"),
            ("ERL", "inf"),
            ("year", "2015-01-01"),
            ("unit_id", "#N/A"),
        ]
    }
    cases |= {
        f"number {column}": _set(ana, [2, 5], column, value)
        for column, value in [("lngdp", 1e300), ("FSIE", -0.5), ("ELRI_front", 0.0), ("IV2", np.inf)]
    }
    cases["empty"] = _set(ana, [1, 4], "lngdp", "")
    cases["empty id"] = _set(ana, [1, 4], "unit_id", "")
    cases["fraction id"] = _set(ana.astype({"year": float}), [6], "year", 2015.5)
    cases["duplicate"] = pd.concat([ana, ana.iloc[[0]]], ignore_index=True)
    cases["two industries"] = _set(ana, [2], "industry_id", 77)
    first = ana["industry_id"].iloc[0]
    row = ana.index[(ana["industry_id"] == first) & (ana["industry_type"] != "capital")][3]
    cases["label within industry"] = _set(ana, [row], "industry_type", "capital")
    cases["unknown label"] = _set(ana, [0, 1], "industry_type", "mixed")
    cases["relabelled"] = _set(ana, ana.index[ana["chain_position"] == "front"], "chain_position", "前端")
    cases["single industry"] = ana.assign(industry_id=5)
    cases["single year"] = ana[ana["year"] == 2015]
    cases["constant"] = ana.assign(AIE=0.5)
    cases["missing"] = ana.drop(columns=["lngdp", "tra"])
    cases["neither level"] = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    cases["two match"] = ana.assign(erl=ana["ERL"])
    cases["header only"] = ana.iloc[:0]
    cases["within industry"] = ana.assign(
        unit_id=ana.groupby("industry_id")["unit_id"].rank(method="dense").astype(int)
    )
    cases["const optional"] = ana.assign(IV2=1.0)
    cases["absorbed"] = ana.assign(FSIE=ana["unit_id"] * 0.1 + 0.05)
    cases["few rows"] = _set(ana, ana.index[6:], "IV4", np.nan)
    cases["outside years"] = ana.assign(year=ana["year"] + 20)
    cases["AIE percent"] = ana.assign(AIE=ana["AIE"] * 100)
    cases["extra columns"] = ana.assign(my_notes=1)
    zeros = ana.astype({"unit_id": str})
    zeros.loc[zeros["unit_id"] == "124", "unit_id"] = "0123"
    cases["leading zeros"] = zeros
    summary = _obj(ana.iloc[[0]]).assign(unit_id="合计")
    cases["summary"] = pd.concat([_obj(ana), summary], ignore_index=True)
    second = pd.DataFrame([["单元", "行业", "年份", "效能", "嵌入"] + ["x"] * (ana.shape[1] - 5)], columns=ana.columns)
    cases["second header"] = pd.concat([second, _obj(ana)], ignore_index=True)
    cases["raw constant"] = raw.assign(aie_05=3.0)
    cases["raw negative"] = _set(raw, [1, 2], "rd_cost", -1.0)
    cases["raw empty label"] = _set(raw, [5], "tech_level", "")
    cases["raw missing zh"] = raw.drop(columns=["robots"]).rename(columns={"spillover": "技术溢出"})
    finished = raw[[c for c in raw.columns if c.startswith("aie_")]].iloc[: len(ana)].reset_index(drop=True)
    cases["finished and raw"] = pd.concat([ana, finished], axis=1)
    cases["almost finished"] = pd.concat([ana.drop(columns=["tra"]), finished], axis=1)
    tiny = raw.astype({"robots": float})
    tiny.loc[5, "robots"] = 1e-300
    cases["overflow"] = tiny
    return cases


def _file_cases(ana: pd.DataFrame, raw: pd.DataFrame, tmp: Path) -> dict[str, tuple[Path, dict]]:
    """Files whose layout, type or column map breaks a rule: path and the check's arguments."""
    out = {}
    lines = ana.to_csv(index=False, lineterminator="\n")
    (tmp / "cut.csv").write_text(lines[: lines.rstrip("\n").rfind(",") - 3], encoding="utf-8")
    out["cut off"] = (tmp / "cut.csv", {})
    short = lines.splitlines()
    short[4] = ",".join(short[4].split(",")[:10])
    (tmp / "short.csv").write_text("\n".join(short) + "\n", encoding="utf-8")
    out["short row"] = (tmp / "short.csv", {})
    (tmp / "trailing.csv").write_text(lines + "," * (ana.shape[1] - 1) + "\n", encoding="utf-8")
    out["trailing"] = (tmp / "trailing.csv", {})
    (tmp / "dup.csv").write_text(lines.replace("ERL,AIE", "ERL,ERL", 1), encoding="utf-8")
    out["duplicated header"] = (tmp / "dup.csv", {})
    (tmp / "nohead.csv").write_text(lines.replace(",AIE,", ",,", 1), encoding="utf-8")
    out["no header"] = (tmp / "nohead.csv", {})
    for name, text in [("reversed", "ERL: erl_total\n"), ("unknown", "fs_eff: FSEI\n"), ("absent", "nope: ERL\n")]:
        (tmp / f"{name}.yml").write_text(text, encoding="utf-8")
    renamed = write_csv(ana.rename(columns={"ERL": "erl_total", "FSIE": "fs_eff"}), tmp / "renamed.csv")
    for name in ("reversed", "unknown", "absent"):
        out[f"map {name}"] = (renamed, {"columns": str(tmp / f"{name}.yml")})
    big = ana.astype({"unit_id": float})
    big["unit_id"] = big["unit_id"] + 2.0**60
    big.to_parquet(tmp / "big.parquet")
    out["float ids"] = (tmp / "big.parquet", {"sheet": "data", "encoding": "gb18030"})
    ana.set_index(["unit_id", "year"]).to_parquet(tmp / "index.parquet")
    out["parquet index"] = (tmp / "index.parquet", {})
    ana.assign(IV3=ana["IV3"].where(ana.index != 4, np.inf)).to_parquet(tmp / "inf.parquet")
    out["inf in parquet"] = (tmp / "inf.parquet", {})
    huge = ana.astype({"unit_id": str})
    huge.loc[0, "unit_id"] = str(2**64)
    huge.to_parquet(tmp / "huge.parquet")
    out["id above 2^63"] = (tmp / "huge.parquet", {})
    for unique in (True, False):
        names = {123: "钢铁", 124: "煤炭", 489: "化工", 490: "纺织" if unique else "化工"}
        path = tmp / f"labelled{unique}.dta"
        ana.to_stata(path, write_index=False, version=118, value_labels={"unit_id": names})
        out[f"stata labels {unique}"] = (path, {})
    with pd.ExcelWriter(tmp / "notes.xlsx") as writer:
        pd.DataFrame({"说明": ["本表为数据说明", "单位: 万元"]}).to_excel(writer, sheet_name="说明", index=False)
        ana.to_excel(writer, sheet_name="data", index=False)
    out["notes sheet"] = (tmp / "notes.xlsx", {})
    titled = pd.concat([pd.DataFrame([ana.columns], columns=ana.columns), _obj(ana)], ignore_index=True)
    titled.columns = ["创新链面板数据"] + [""] * (ana.shape[1] - 1)
    out["title row"] = (write_csv(titled, tmp / "title.csv"), {})
    out["merged title"] = (write_csv(pd.DataFrame({"标题": ["x", "y"], "a": [1, 2], "b": [1, 2], "c": [1, 2]}),
                                     tmp / "merged.csv"), {})  # fmt: skip
    return out


def _add_sites() -> dict[tuple[str, int, int], str]:
    """Every ``report.add(...)`` call of the check's modules: (file, first line, last line) -> its source."""
    sites = {}
    for module in (checks, datainput, checkdata):
        path = Path(module.__file__)
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add":
                if isinstance(node.func.value, ast.Name) and node.func.value.id == "report":
                    sites[(path.name, node.lineno, node.end_lineno)] = ast.get_source_segment(source, node)
    return sites


@pytest.fixture(scope="module")
def crafted(ana, raw, tmp_path_factory):
    """The reports of every crafted file, and the ``report.add`` lines each rule came from."""
    tmp = tmp_path_factory.mktemp("crafted")
    reached: set[tuple[str, int]] = set()
    original = CheckReport.add

    def add(self, rule, *args, **kwargs):
        caller = sys._getframe(1)
        reached.add((Path(caller.f_code.co_filename).name, caller.f_lineno))
        return original(self, rule, *args, **kwargs)

    files = {name: (write_csv(frame, tmp / f"case{i}.csv"), {}) for i, (name, frame) in
             enumerate(_text_cases(ana, raw).items())}  # fmt: skip
    files |= _file_cases(ana, raw, tmp)
    reports = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(CheckReport, "add", add)
        for name, (path, kwargs) in files.items():
            reports[name] = run_check(path, **kwargs)[0]
    shipped = your_data.data_checks()
    reports |= {"good example": shipped.good_report, "bad example": shipped.bad_report}
    return reports, reached


# ----------------------------------------------------------------------------- every rule in Chinese
def test_every_rule_note_and_how_found_is_chinese(crafted):
    reports, _ = crafted
    problems, n_rules = [], 0
    for name, report in reports.items():
        for v in report.violations:
            n_rules += 1
            problems += [f"{name}: {p}" for p in rule_problems(v.rule)]
        problems += [f"{name} note: {p}" for n in report.notes for p in rule_problems(n)]
        problems += [f"{name} {k}: {p}" for k, f in report.found.items() if f.how for p in rule_problems(f.how)]
    assert n_rules > 40
    assert not problems, "\n".join(problems)


def test_every_rule_of_the_check_is_reached_by_a_crafted_file(crafted):
    _, reached = crafted
    missed = [
        f"{file}:{first}: {' '.join(source.split())[:160]}"
        for (file, first, last), source in _add_sites().items()
        if not any(f == file and first <= line <= last for f, line in reached)
        and not any(file == f and text in source for f, text in UNREACHED)
    ]
    assert len(_add_sites()) > 30
    assert not missed, "report.add calls no crafted file reaches:\n" + "\n".join(missed)


def test_the_chinese_report_of_each_crafted_file_has_no_english_word_left(crafted):
    from test_reasons_zh import english_words

    reports, _ = crafted
    problems = []
    for name, report in reports.items():
        zh = render_report(report, "zh").split("\n", 3)[3]  # without the path, fingerprint, format and encoding
        words = english_words(identifiers_removed(re.sub(r"\[[^\]]*\]", " ", zh)))  # without the cells shown
        if words:
            problems.append(f"{name}: {sorted(set(words))}")
    assert not problems, "\n".join(problems)


def test_a_rule_without_chinese_or_with_english_left_is_caught():
    assert rule_problems("must be numeric")
    assert rule_problems(Bilingual("must be numeric", "必须为 numeric"))
    assert not rule_problems(Bilingual("see `make check-data`", "见 `make check-data`"))
    report = CheckReport(path=Path("x.csv"))
    report.add("a rule in English only", column="ERL")
    assert render_report(report, "zh").splitlines()[-3].endswith("a rule in English only")  # shown, and caught:
    assert rule_problems(report.violations[0].rule)


# ----------------------------------------------------------------------------- the English unchanged
def test_the_report_text_is_bilingual_and_its_english_is_what_make_prints():
    shipped = your_data.data_checks()
    root = f"{your_data.data_dir().parent}/"
    for report, text in [
        (shipped.good_report, shipped.good_report_text),
        (shipped.bad_report, shipped.bad_report_text),
    ]:
        assert isinstance(text, Bilingual)
        assert str(text) == report.render().replace(root, "") == render_report(report).replace(root, "")
        assert text.zh == render_report(report, "zh").replace(root, "")
        assert text.zh.startswith("数据检查：data/templates/") and "Data check" not in text.zh
        assert text.zh.splitlines()[-1].startswith(("结果：通过", "结果：未通过"))
    assert shipped.bad_report_text.zh.count("\n  - 列 ") == len(shipped.bad_report.errors)


def test_the_report_block_fences_each_language():
    text = Bilingual("Result: run `make check-data`\n``` inside", "结果：运行 `make check-data`\n``` 在内")
    block = your_data.report_block(text)
    assert block.startswith("````text\n") and block.endswith("\n````") and "Result" in block
    assert block.zh.startswith("````text\n结果") and block.zh.endswith("\n````")


# ----------------------------------------------------------------------------- the page
def test_the_report_cell_renders_chinese_on_a_chinese_page_and_english_on_an_english_page():
    from aichain_utils.book import show_markdown

    block = your_data.data_checks().report_markdown("bad")
    data, metadata = show_markdown(block)._repr_markdown_()
    assert metadata == {ZH_MARKDOWN: block.zh}
    zh, en = rendered_in_both("text/markdown", data, {"text/markdown": metadata})  # as IPython files it
    assert en == str(block) and "Result: FAILED" in en
    assert zh == block.zh and "结果：未通过" in zh and "Result" not in zh


def report_on_page_problems(html: str, lang: str) -> list[str]:
    """What is wrong with the reports a built "Your data" page shows: the English page must show the two
    English reports, the Chinese page the two Chinese ones (none of the English reports' headings; its prose
    may quote the "Result: OK" line ``make check-data`` prints)."""
    from bs4 import BeautifulSoup

    text = BeautifulSoup(html, "html.parser").get_text(" ")
    if lang == "en":
        wanted, unwanted = ["Data check: data/templates/", "Result: OK", "Result: FAILED"], ["数据检查："]
    else:
        wanted, unwanted = (
            ["数据检查：data/templates/", "结果：通过", "结果：未通过", "违规之处"],
            ["Data check:", "Violations (", "Result: FAILED"],
        )
    return [f"missing {w!r}" for w in wanted if w not in text] + [f"shows {u!r}" for u in unwanted if u in text]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_built_your_data_page_shows_the_report_in_its_language(root, lang):
    page = root / "_build" / "html" / ("zh/" if lang == "zh" else "") / "chapters" / "your_data.html"
    if not page.is_file():
        pytest.skip("the book is not built: run `make book`")
    assert not report_on_page_problems(page.read_text(encoding="utf-8"), lang)


def test_a_chinese_page_showing_the_english_report_is_caught():
    import html

    shipped = your_data.data_checks()
    texts = (shipped.good_report_text, shipped.bad_report_text)
    en = "".join(f"<pre>{html.escape(str(t))}</pre>" for t in texts)
    zh = "".join(f"<pre>{html.escape(t.zh)}</pre>" for t in texts)
    assert not report_on_page_problems(en, "en") and not report_on_page_problems(zh, "zh")
    assert report_on_page_problems(en, "zh") and report_on_page_problems(zh, "en")
