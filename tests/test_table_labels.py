"""The executed tables' labels in Chinese on the Chinese pages (issue 26, item 4).

* **The rewrite** (:mod:`aichain_utils.book.tablelabels`): on a planted table, a header cell, a row label
  after its column number, a ``data-label`` and a whole-label data cell are translated; a number, a
  symbol and a label the catalogue does not translate (or translates fuzzily) are kept; the English
  build's outputs are left byte for byte.
* **The extractor** (``tools/table_labels.py``) on a planted site: the header labels of executed outputs
  only (not a page's own Markdown table, not the Chinese copy), merged into a catalogue that keeps its
  translations and adds the new labels empty.
* **Stale catalogue**: every label the English build's tables show (``_build/html``) has a translation in
  ``locale/zh_CN/LC_MESSAGES/tables.po`` (skipped without a build), and the catalogue has no empty or
  fuzzy entry.
* **A sandbox book** (:func:`test_i18n._sandbox`), built in English and then in Chinese from its
  execution: a DataFrame shown by a cell and a Styler pasted by ``{glue}`` have their Chinese heads on
  the Chinese page and their English ones on the English page, with the same numbers.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.pofile import read_po
from docutils import nodes
from sandbox_pages import FRONT_MATTER

from aichain_utils.book.tablelabels import (
    _translate_outputs,
    bilingual_cells_of_notebook,
    cell_keys,
    cells,
    english_cells,
    is_label,
    label_key,
    labels,
    load_catalogue,
    translate_bilingual_cells,
    translate_html,
    translate_text,
)
from aichain_utils.paths import repo_root
from aichain_utils.report.display import ZH_CELLS, show_table, table_cell
from aichain_utils.text import Bilingual

ROOT = repo_root()
sys.path.insert(0, str(ROOT / "tools"))
import table_labels  # noqa: E402

PO = ROOT / "locale" / "zh_CN" / "LC_MESSAGES" / "tables.po"

TABLE = """\
<div class="aichain-regression-view"><table class="aichain-compact"><thead><tr>\
<th scope="col">column</th><th scope="col">Observations</th><th scope="col">Adj. R&#178;</th>\
<th scope="col">Unknown label</th><th scope="col">AIE</th></tr></thead><tbody>\
<tr><th scope="row" data-label="column">(1) pooled</th><td data-label="Observations">23485</td>\
<td data-label="Adj. R&#178;">0.715</td><td data-label="Unknown label">Yes</td><td>0.824***</td></tr>\
<tr><th id="T_1_level0_row1" class="row_heading level0 row1" > Industry FE </th><td>No</td>\
<td>(0.041)</td><td>maybe</td><td><abbr title="Year FE">Year FE</abbr></td></tr>\
</tbody></table></div>"""

CATALOGUE = {
    "column": "列",
    "Observations": "观测值",
    "Adj. R²": "调整 R²",
    "pooled": "混合回归",
    "Industry FE": "行业固定效应",
    "Year FE": "年份固定效应",
    "Yes": "是",
    "No": "否",
    "AIE": "人工智能嵌入",  # a symbol: never looked up
}


def test_labels_are_words_not_numbers_or_symbols():
    assert is_label("Observations") and is_label("adj. R², published") and is_label("AIE → backward ITSE")
    symbols = ("AIE", "ELRI_front", "ITSE_backward", "N", "SE", "IV1", "ERL / AIE", "AIE → FSIE", "FSIE + ITSE")
    for text in ("", "(3)", "0.715", "23485 / 23485", "假设", *symbols):
        assert not is_label(text), text
    assert label_key("(1) pooled") == ("(1) ", "pooled")
    assert label_key("(2) ELRI_front") is None and label_key("(4)") is None
    assert label_key(" Adj. R&#178; ") == ("", "Adj. R²")  # as the page writes it: unescaped, trimmed
    assert labels(TABLE) == ["column", "Observations", "Adj. R²", "Unknown label", "pooled", "Industry FE"]


def test_the_rewrite_translates_labels_and_keeps_everything_else():
    chinese = translate_html(TABLE, CATALOGUE)
    heads = re.findall(r"<th\b[^>]*>([^<]*)</th>", chinese)
    assert heads == ["列", "观测值", "调整 R²", "Unknown label", "AIE", "(1) 混合回归", " 行业固定效应 "]
    assert 'data-label="观测值">23485</td>' in chinese and 'data-label="调整 R²">0.715</td>' in chinese
    assert 'data-label="列">(1) 混合回归</th>' in chinese
    assert 'data-label="Unknown label">是</td>' in chinese and "<td>否</td>" in chinese  # whole-label data cells
    kept = ("<td>0.824***</td>", "<td>(0.041)</td>", "<td>maybe</td>", '<abbr title="年份固定效应">Year FE</abbr>')
    for cell in kept:
        assert cell in chinese, cell  # numbers, a cell no label, markup inside a cell (its tooltip translated)
    assert translate_html(TABLE, {}) == TABLE
    # nothing but the translated texts changed: the same tags and attributes
    assert _skeleton(chinese) == _skeleton(TABLE)


def test_a_tables_caption_summary_and_note_are_translated_when_plain_text():
    html = (
        "<table><caption>Results</caption><tr><th>Observations</th></tr></table>"
        '<p class="aichain-table-note">* p &lt; 0.10; standard errors in parentheses.</p>'
        '<p class="aichain-diagnostics-title">Diagnostics</p><p>Diagnostics</p>'
        "<details><summary>Every row</summary></details><p class='aichain-verdict-line'><b>Every row</b></p>"
    )
    catalogue = {
        "Results": "结果",
        "* p < 0.10; standard errors in parentheses.": "* p < 0.10；括号内为标准误。",
        "Diagnostics": "诊断",
        "Every row": "全部各行",
    }
    assert labels(html) == [
        "Observations",
        "Results",
        "* p < 0.10; standard errors in parentheses.",
        "Diagnostics",
        "Every row",
    ]
    chinese = translate_html(html, catalogue)
    assert "<caption>结果</caption>" in chinese and "<summary>全部各行</summary>" in chinese
    assert '<p class="aichain-table-note">* p &lt; 0.10；括号内为标准误。</p>' in chinese  # escaped again
    assert '<p class="aichain-diagnostics-title">诊断</p><p>Diagnostics</p>' in chinese  # a page's own paragraph: kept
    assert "<b>Every row</b>" in chinese  # markup inside: kept
    alone = '<p class="aichain-table-note">* p &lt; 0.10; standard errors in parentheses.</p>'
    assert translate_html(alone, catalogue) == '<p class="aichain-table-note">* p &lt; 0.10；括号内为标准误。</p>'


def _skeleton(html: str) -> str:
    return re.sub(r'(?:data-label|title)="[^"]*"', "", re.sub(r">[^<]*<", "><", html))


def _app(tmp_path: Path, language: str | None) -> SimpleNamespace:
    folder = tmp_path / "locale" / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tables.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Observations"\nmsgstr "观测值"\n\n'
        '#, fuzzy\nmsgid "column"\nmsgstr "栏"\n\n'
        'msgid "Industry FE"\nmsgstr ""\n',
        encoding="utf-8",
    )
    return SimpleNamespace(config=SimpleNamespace(language=language, locale_dirs=["locale"]), srcdir=str(tmp_path))


def _page() -> nodes.Element:
    page = nodes.section()
    page += nodes.raw("", TABLE, format="html", classes=["output", "text_html"])
    page += nodes.raw("", "<p>Observations</p>", format="html")
    page += nodes.paragraph(text="Observations")
    return page


def test_the_english_build_is_untouched(tmp_path):
    for language in ("en", None):
        page = _page()
        _translate_outputs(_app(tmp_path, language), page)
        assert [raw.astext() for raw in page.findall(nodes.raw)] == [TABLE, "<p>Observations</p>"]


def test_the_chinese_build_applies_the_catalogue(tmp_path):
    page = _page()
    _translate_outputs(_app(tmp_path, "zh_CN"), page)
    table, other = (raw.astext() for raw in page.findall(nodes.raw))
    assert '<th scope="col">观测值</th>' in table and 'data-label="观测值">23485</td>' in table
    assert '<th scope="col">column</th>' in table  # fuzzy: not used
    assert "> Industry FE </th>" in table  # empty: not used
    assert other == "<p>Observations</p>" and page.astext().endswith("Observations")  # no table: untouched
    assert next(iter(page.findall(nodes.raw)))["classes"] == ["output", "text_html"]


# --------------------------------------------------------------------------- data cells and tooltips
CELLS = {
    "Yes": "是",
    "reproduced": "已复现",
    "differs by design": "设计性差异",
    "inside its 95% band; the gap is this draw's sampling error": "落在其 95% 区间内；差距来自这一次抽样的抽样误差",
    "coef": "系数",
    "warning": "警告",
    "zero standard error": "标准误为零",
    "Printed as zero.": "列为零。",
}


def test_data_cells_and_tooltips_are_translated_by_the_catalogue_or_their_pattern():
    assert translate_text("Yes", CELLS) == "是" and translate_text("(2) Yes", CELLS) == "(2) 是"
    for kept in ("0.824***", "ELRI_front", "aichain_utils.replication.models.fit_two_way_fe", "ledger.csv"):
        assert translate_text(kept, CELLS) == kept, kept  # no words: itself
    assert translate_text("maybe", CELLS) is None  # words the catalogue does not translate
    assert translate_text("column (6), coef", CELLS) == "第（6）列，系数"
    assert (
        translate_text("reproduced: published 1.174, replicated 1.188; ", CELLS) == "已复现：公布值 1.174，复现值 1.188"
    )
    world = (
        "differs by design: published 1.007, replicated 0.824; closest world: this build's panel is one draw of "
        "that world (0.8244): over 200 draws of the calibrated world (seeds the calibration never used) this "
        "statistic has mean 0.8977, SD 0.09772 and central 95% band [0.6881, 1.096]; the published 1.007 lies at "
        "percentile 88.0 (Monte Carlo SE 2.3), inside its 95% band; the gap is this draw's sampling error "
        "[closest_world-ac9a914c]"
    )
    chinese = translate_text(world, CELLS)
    assert chinese.startswith(
        "设计性差异：公布值 1.007，复现值 0.824；最接近的模拟世界：本次构建的面板是该世界的一次抽样（0.8244）"
    )
    assert "中央 95% 区间为 [0.6881, 1.096]" in chinese and chinese.endswith("抽样误差 [closest_world-ac9a914c]")
    assert not re.search(r"[A-Za-z]{3}", chinese.replace("closest_world", ""))
    assert translate_text(world.replace("inside its", "within its"), CELLS) is None  # a part untranslated: none
    audit = "audit (warning): zero standard error: Printed as zero."
    assert translate_text(audit, CELLS) == "审查（警告）：标准误为零：列为零。"
    assert cell_keys(audit) == ["warning", "zero standard error", "Printed as zero."]
    sentence = "the ERL shock feeds back into AI embedding at 1.000 per unit of shock"
    assert cell_keys(sentence) == [sentence]  # a computed sentence in English only: asked of the catalogue
    assert cell_keys(sentence, {sentence}) == []  # written by the package in both languages: never asked
    assert translate_text("columns (2, 3, 4)", CELLS) == "第（2）、（3）、（4）列"  # each number bracketed
    html = (
        "<table><tr><td>Yes</td><td>0.5</td><td>maybe</td><td>column (6), coef</td>"
        "<td><span title='reproduced: published 1.0, replicated 0.9; '>✓</span></td>"
        '<td><abbr title="it&#x27;s maybe">x</abbr></td><td>suest p < 0.05, Yes</td></tr></table>'
    )
    assert cells(html) == ["Yes", "maybe", "coef", "suest p < 0.05, Yes", "reproduced", "it's maybe"]
    new = translate_html(html, CELLS)
    assert "<td>是</td><td>0.5</td><td>maybe</td><td>第（6）列，系数</td>" in new
    assert "title='已复现：公布值 1.0，复现值 0.9'>✓</span>" in new
    assert '<abbr title="it&#x27;s maybe">x</abbr>' in new  # untranslated: byte for byte
    assert translate_html(html, {}) == html


# --------------------------------------------------------------------------- the extractor
def _planted_site(site: Path) -> None:
    output = (
        '<div class="cell_output docutils container"><div class="output text_html"><div class="wrap">'
        "<table><thead><tr><th>Observations</th><th>(2) two-way FE</th><th>AIE</th></tr></thead>"
        "<tbody><tr><th>Year FE</th><td>Yes</td><td>0.5</td><td>ELRI_front</td><td>column (2), coef</td>"
        "<td><span title='reproduced: published 1.0, replicated 0.9; '>✓</span></td>"
        "<td>the ERL shock feeds back into AI embedding at 1.000 per unit of shock</td></tr></tbody></table>"
        "</div></div></div>"
    )
    markdown = '<table class="table"><thead><tr><th class="head"><p>Written in the page</p></th></tr></thead></table>'
    navigation = "<nav><table><tr><th>Navigation</th></tr></table></nav>"
    page = f"<html><body>{navigation}<main>{output}{markdown}</main></body></html>"
    (site / "chapters").mkdir(parents=True)
    (site / "zh").mkdir()
    (site / "index.html").write_text("<html><main><p>Landing</p></main></html>", encoding="utf-8")
    (site / "chapters" / "page.html").write_text(page, encoding="utf-8")
    (site / "zh" / "index.html").write_text(page.replace("Observations", "Chinese copy"), encoding="utf-8")
    # the executed notebook beside the page: its table carries the computed sentence in both languages
    zh_cells = {ZH_CELLS: {"the ERL shock feeds back into AI embedding at 1.000 per unit of shock": "ERL 冲击……"}}
    output = {"output_type": "display_data", "data": {"text/html": "…"}, "metadata": {"text/html": zh_cells}}
    (site / "_sources" / "chapters").mkdir(parents=True)
    notebook = {"cells": [{"cell_type": "code", "outputs": [output]}]}
    (site / "_sources" / "chapters" / "page.ipynb").write_text(json.dumps(notebook), encoding="utf-8")


def test_the_extractor_reads_the_executed_tables_of_a_planted_site(tmp_path):
    site = tmp_path / "html"
    _planted_site(site)
    found = table_labels.site_labels(site)
    # the heads, then the data cells' and tooltips' words: a word cell, the text parts of a computed cell
    # ("column (2), coef") and of a tooltip; not a number, a name of code or a computed sentence left
    assert list(found) == ["Observations", "two-way FE", "Year FE", "Yes", "coef", "reproduced"]
    assert set(map(tuple, found.values())) == {("chapters/page",)}
    po, pot = tmp_path / "tables.po", tmp_path / "tables.pot"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Observations"\nmsgstr "观测值"\n\nmsgid "Shown by another build"\nmsgstr "另一次构建"\n',
        encoding="utf-8",
    )
    assert table_labels.main([str(site), "--po", str(po), "--check"]) == 1  # two labels untranslated
    assert table_labels.main([str(site), "--po", str(po), "--pot", str(pot)]) == 0
    with po.open("rb") as f:
        catalog = read_po(f)
    assert {m.id: m.string for m in catalog if m.id} == {
        "Observations": "观测值",  # kept
        "Shown by another build": "另一次构建",  # kept: a build on other data shows other tables
        "two-way FE": "",  # added, to translate
        "Year FE": "",
        "Yes": "",
        "coef": "",
        "reproduced": "",
    }
    assert catalog["Year FE"].locations == [("chapters/page", None)]
    with pot.open("rb") as f:
        ids = [m.id for m in read_po(f) if m.id]
    assert ids == ["coef", "Observations", "reproduced", "two-way FE", "Year FE", "Yes"]  # case-blind order
    # the planted failure: an untranslated data cell or tooltip fails the check as a head does
    assert table_labels.untranslated(found, po) == ["Year FE", "Yes", "coef", "reproduced", "two-way FE"]
    assert table_labels.main([str(tmp_path / "nowhere")]) == 0  # no site: says so, changes nothing
    # the planted failure: without the notebook's metadata the computed sentence is asked of the catalogue
    (site / "_sources" / "chapters" / "page.ipynb").unlink()
    assert "the ERL shock feeds back into AI embedding at 1.000 per unit of shock" in table_labels.site_labels(site)


# --------------------------------------------------------------------------- the committed catalogue
def test_the_committed_catalogue_has_no_empty_or_fuzzy_entry():
    with PO.open("rb") as f:
        catalog = read_po(f)
    entries = [m for m in catalog if m.id]
    assert len(entries) > 250
    assert not [m.id for m in entries if not m.string or m.fuzzy]
    assert len(load_catalogue(PO)) == len(entries)
    # the paper's and Stata's terms
    assert catalog["Observations"].string == "观测值" and catalog["Adj. R²"].string == "调整 R²"
    assert catalog["Industry FE"].string == "行业固定效应" and catalog["Year FE"].string == "年份固定效应"
    assert catalog["Layout reconstruction effectiveness"].string == "创新链布局重构效能"


def test_every_label_of_the_english_build_is_translated():
    site = ROOT / "_build" / "html"
    if not (site / "index.html").is_file():
        pytest.skip("no English build (make book)")
    found = table_labels.site_labels(site)
    assert found, "no table label found in the English build"
    missing = table_labels.untranslated(found, PO)
    assert not missing, f"tables.po lacks translations (make locale, then translate): {missing[:5]}"


# --------------------------------------------------------------------------- computed cells in both languages
def test_a_tables_computed_cells_carry_their_chinese_and_its_english_html_is_unchanged():
    import pandas as pd

    cell = table_cell(
        Bilingual("0.006 (999 draws, 35 clusters, Webb weights)", "0.006（999 次抽样，35 个聚类，Webb 权重）")
    )
    comparison = Bilingual("p < 0.05 here", "本书 p < 0.05")
    frame = pd.DataFrame({"statistic": ["wild p", "note", "plain"], "value": [cell, comparison, "Yes"]})
    styler = show_table(frame)
    html, metadata = styler._repr_html_()
    assert html == styler.to_html()  # the English output, byte for byte
    # the registered cell survives pandas' plain-string column; the other Bilingual is not a plain str here
    assert metadata[ZH_CELLS] == {
        "0.006 (999 draws, 35 clusters, Webb weights)": "0.006（999 次抽样，35 个聚类，Webb 权重）"
    }
    plain = show_table(pd.DataFrame({"x": ["Yes"]}))
    assert isinstance(plain._repr_html_(), str)  # no computed cell: no metadata
    # the Chinese build writes the Chinese cell in place of the English; a number, a word cell as they were
    chinese = translate_bilingual_cells(html, {"text/html": metadata})
    assert "0.006（999 次抽样，35 个聚类，Webb 权重）" in chinese and "draws" not in chinese
    assert (
        chinese.replace("0.006（999 次抽样，35 个聚类，Webb 权重）", "0.006 (999 draws, 35 clusters, Webb weights)")
        == html
    )
    assert translate_bilingual_cells(html, {}) is None and translate_bilingual_cells(html, None) is None
    # an executed notebook names the cells, so the extractor never asks the catalogue for them
    notebook = {"cells": [{"cell_type": "code", "outputs": [{"metadata": {"text/html": metadata}}]}]}
    assert bilingual_cells_of_notebook(notebook) == set(metadata[ZH_CELLS])
    # the comparison's space is kept non-breaking in Chinese as in English
    meta = {"text/html": {ZH_CELLS: {"p < 0.05 here": "本书 p < 0.05"}}}
    assert translate_bilingual_cells("<td>p <\xa00.05 here</td>", meta) == "<td>本书 p &lt;\xa00.05</td>"
    with pytest.raises(TypeError, match="both languages"):
        table_cell("english only")


def test_a_chinese_page_with_an_english_computed_cell_fails():
    page = (
        "<table><tr><td>是</td><td>0.5</td><td>ELRI_front</td><td>第（6）列，系数</td>"
        "<td>0.006（999 次抽样，35 个聚类，Webb 权重）</td><td>aichain_utils.replication.models.fit_two_way_fe</td>"
        "<td>joint test of all groups: p in [0.0048, 0.0048]</td></tr></table>"
    )
    assert english_cells(page) == ["joint test of all groups: p in [0.0048, 0.0048]"]  # the planted failure
    assert english_cells(page.replace("joint test of all groups: p in", "所有组的联合检验：p 值位于")) == []


def test_no_computed_cell_of_the_chinese_build_is_left_in_english():
    site = ROOT / "_build" / "html" / "zh"
    if not (site / "index.html").is_file():
        pytest.skip("no Chinese build (make book)")
    left = {}
    for path in sorted(site.rglob("*.html")):
        page = path.relative_to(site).as_posix()
        if page.split("/")[0] in {"_static", "_sources", "_downloads", "kit"}:
            continue
        main = path.read_text(encoding="utf-8")
        main = main[main.find("<main") : main.rfind("</main>")]
        found = [c for b in table_labels.output_blocks(f"<main{main}</main>") for c in english_cells(b)]
        if found:
            left[page] = found
    assert not left, f"computed cells left in English on the Chinese pages (write them as Bilingual): {left}"


# --------------------------------------------------------------------------- a sandbox book, twice
PAGE = (
    FRONT_MATTER
    + """\

# The page

```{code-cell} ipython3
:tags: [remove-input]
import pandas as pd
from myst_nb import glue

table = pd.DataFrame({"Observations": [23485], "Unknown label": [0.715]}, index=["Industry FE"])
glue("tbl", table.style.format(precision=3), display=False)
table
```

```{glue} tbl
```
"""
)

PAGE_CATALOGUE = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "The page"
msgstr "本页"
"""

TABLES_CATALOGUE = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Observations"
msgstr "观测值"

msgid "Industry FE"
msgstr "行业固定效应"
"""


@pytest.mark.slow
def test_a_sandbox_books_chinese_page_shows_chinese_heads(tmp_path):
    from test_i18n import _build, _sandbox

    book = _sandbox(tmp_path / "book", PAGE, PAGE_CATALOGUE)
    (book / "locale" / "zh_CN" / "LC_MESSAGES" / "tables.po").write_text(TABLES_CATALOGUE, encoding="utf-8")
    _build(book, "--counterpart", "zh_CN", "--", "-W", "--keep-going")
    zh_log = _build(book, "--language", "zh_CN", "--", "-W", "-n", "--keep-going")
    assert "Executing notebook" not in zh_log  # from the English build's execution
    english = (book / "_build" / "html" / "page.html").read_text(encoding="utf-8")
    chinese = (book / "_build" / "html" / "zh" / "page.html").read_text(encoding="utf-8")

    def heads(html: str) -> list[str]:
        return [" ".join(h.split()) for h in re.findall(r"<th\b[^>]*>([^<]*)</th>", html)]

    assert heads(english).count("Observations") == 2 and heads(english).count("Industry FE") == 2
    assert "观测值" not in english and "本页" not in english
    assert heads(chinese).count("观测值") == 2, heads(chinese)  # shown by the cell, and pasted by {glue}
    assert heads(chinese).count("行业固定效应") == 2 and "Observations" not in heads(chinese)
    assert heads(chinese).count("Unknown label") == 2  # no translation: kept
    numbers = re.compile(r"<td\b[^>]*>\s*([^<]*?)\s*</td>")
    assert numbers.findall(chinese) == numbers.findall(english) == ["23485", "0.715", "23485", "0.715"]


def test_a_verdict_line_reads_in_chinese_with_its_marks_and_numbers():
    from aichain_utils.book.tablelabels import translate_verdict_lines

    line = (
        "<p class='aichain-verdict-line'><strong>Verdicts.</strong> Table 3: closest world: "
        "<span class='aichain-v-ok' title='consistent: x'>(1)&#8239;✓</span> — 1 of 1 published coefficients "
        "inside its central 95% band (200 draws); your data: <span class='aichain-v-ok' title='y'>(1)&#8239;✓</span>"
        " — 1 of 1 within one published SE. Closest world: ✓ inside its 95% band, ≈ at its edge within Monte Carlo "
        "error, ✗ outside, ⊘ no world of the family produces it. Ledger: ✓ reproduced, ◇ differs by design, ✗ "
        "cannot be reproduced, – not comparable. Hover a mark for its reason (<a href='x.html'>all verdicts</a>).</p>"
    )
    out = translate_verdict_lines(line)
    text = re.sub(r"<[^>]+>", "", out)
    assert text.startswith("判定。表 3：最接近的模拟世界：(1)&#8239;✓——1 个公布系数中有 1 个")
    assert "；你的数据：" in text and text.endswith("（全部判定）。")
    assert not re.findall(r"[A-Za-z]{4,}", text), text
    assert "title='consistent: x'" in out and "href='x.html'" in out  # tags as they were
    assert translate_verdict_lines("<p>Verdicts.</p>") == "<p>Verdicts.</p>"  # only the verdict line


def test_every_verdict_line_of_the_english_build_reads_in_chinese():
    from aichain_utils.book.tablelabels import translate_verdict_lines

    site = ROOT / "_build" / "html" / "chapters"
    if not site.is_dir():
        pytest.skip("the book is not built (make book)")
    lines = [m for page in site.glob("*.html") for m in re.findall(r"<p class=.aichain-verdict-line.>.*?</p>",
             page.read_text(encoding="utf-8"), flags=re.S)]  # fmt: skip
    assert lines, "no verdict line in the English build"
    texts = [re.sub(r"<[^>]+>", "", translate_verdict_lines(line)) for line in lines]
    left = {w for text in texts for w in re.findall(r"[A-Za-z]{4,}", text)}
    assert not left, f"English left in the Chinese verdict lines (a phrase of ledger.verdict_line changed?): {left}"
