"""The computed table cells the package writes in both languages (issue 26: no computed cell of a Chinese page
is left in English).

Each cell is a :class:`~aichain_utils.text.Bilingual` registered by
:func:`aichain_utils.report.display.table_cell`: its English is what the English page showed before, byte for
byte (the old f-string, written out here); its Chinese has the same numbers, in the same order, and no English
word but the names a Chinese page keeps (programs, symbols, authors); and the displayed table carries it
(:func:`aichain_utils.report.display.bilingual_cells`). A planted failure shows that the checks catch an
English word and a changed number.
"""

from __future__ import annotations

import re
from dataclasses import asdict

import pandas as pd
import pytest

from aichain_utils.replication import audit, columns, labtext, ledger
from aichain_utils.replication.results import conventions
from aichain_utils.report.display import bilingual_cells, show_table
from aichain_utils.text import Bilingual

#: Names a Chinese cell keeps: programs, estimators' symbols and authors, the book's command.
KEPT = re.compile(r"reghdfe|PanelOLS|Webb|R_max|make calibrate|twfe_weights|AIE|ERL|SE|R²|β\*|δ")


def english_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{2,}", KEPT.sub("", text))


def numbers(text: str) -> list[str]:
    return re.findall(r"[+-]?\d+(?:[.,]\d+)*(?:e[+-]\d+)?", text)


def check(cell, english: str, registered: bool = True) -> None:
    """``cell`` is ``english`` exactly, with a Chinese of the same numbers and no English word; a
    ``registered`` cell (:func:`~aichain_utils.report.display.table_cell`) is found in a plain-string column."""
    assert isinstance(cell, Bilingual)
    assert cell == english and cell.en == english
    assert re.search(r"[\u4e00-\u9fff]", cell.zh), cell.zh
    assert not english_words(cell.zh), cell.zh
    assert sorted(numbers(cell.zh)) == sorted(numbers(english)), (cell.zh, english)
    if registered:
        assert bilingual_cells(pd.Series([str(cell)], dtype="str")) == {" ".join(english.split()): cell.zh}


def test_the_wild_bootstrap_p_and_its_sentence():
    wb = {"p": 0.006, "reps": 999, "enumerated": False, "clusters": 35, "weights": "webb"}
    check(columns.wild_p_cell(wb), "0.006 (999 draws, 35 clusters, Webb weights)")
    wb = {"p": 0.0001, "reps": 4096, "enumerated": True, "clusters": 12, "weights": "rademacher"}
    cell = columns.wild_p_cell(wb)
    assert cell == "< 0.001 (all 4096 weight vectors, 12 clusters, Rademacher weights)"
    assert cell.zh == "< 0.001（全部 4096 个权重向量，12 个聚类，Rademacher 权重）"
    from aichain_utils.replication.results.baseline import wild_p_text

    text = wild_p_text(columns.wild_p_cell({**wb, "p": 0.006, "enumerated": False}))
    assert text == "p = 0.006 (4096 draws, 12 clusters, Rademacher weights)" and text.zh.startswith("p = 0.006（")
    assert wild_p_text("0.012") == "p = 0.012"  # a plain cell: plain prose, as before


def test_the_conventions_cells():
    cell = columns._cell
    check(
        cell("r2_within", a="0.1438", b="0.1438", c="0.2787"),
        "0.1438 (reghdfe's, 0.1438 recomputed) vs 0.2787 PanelOLS's",
    )
    check(
        cell("singletons", n="0", k="0", g="2,135"),
        "0 singleton units in the panel; 0 of 2,135 units in the matched sample",
    )
    check(cell("smd", x="6.1e-06"), "largest |difference| 6.1e-06 (before and after matching)")
    check(cell("p_here", a="0.012", b="0.015", f="1.1065"), "p 0.012 here vs 0.015 (factor 1.1065)")
    check(cell("sobel", a="0.0053", b="0.0056", pct="-6.0"), "0.0053 here vs 0.0056 (-6.0%)")
    check(
        cell("singletons_move", d="+1.20e-03", pct="+0.500"),
        "dropping them moves the coefficient by +1.20e-03 and the SE by +0.500%",
    )
    size = conventions._size
    check(size("factor", f="1.00002", n=23485), "ours larger by the factor √(n/(n−1)) = 1.00002 (n = 23485 cells)")
    check(
        conventions._oster_size(
            {"beta_star": 0.85071, "r_max": 0.1871, "delta_for_zero": 934.4161},
            {"beta_star": 0.8503, "delta_for_zero": 110.06},
        ),
        "β* 0.8507 (R_max 0.187) against 0.8503 (R_max 1); δ 934.416 against 110.060",
    )
    check(
        size("overall", b="0.8503"),
        "same β*, δ at a given R_max (a test checks it); the 1.3 rule on the overall R² gives β* 0.8503",
    )
    check(size("romano_wolf", se="0.0069"), "Monte Carlo only: SE 0.0069 of a p-value near 0.05 with 999 draws")
    check(conventions.negative_treatment_size(3), "3 negative values of AIE: twfe_weights refuses this build's data")


def test_the_audit_cells():
    readings = {
        audit.SUEST_READINGS["joint"]: (0.0048, 0.0048),
        Bilingual("(2) vs (3)", "第（2）列对第（3）列"): (0.0017, 0.0018),
    }
    check(
        audit.suest_readings_text(readings),
        "joint test of all groups: p in [0.0048, 0.0048]; (2) vs (3): p in [0.0017, 0.0018]",
        registered=False,
    )
    check(
        audit.suest_readings_text({audit.SUEST_READINGS["z"]: (0.0023, 0.0026)}),
        "z-test of the difference: p in [0.0023, 0.0026]",
        registered=False,
    )
    # the audit's own findings register their computed cells (a table shows them from a plain-string column)
    shown = [
        str(v) for f in audit.check_suest() + audit.check_aie_floor() for v in asdict(f).values() if isinstance(v, str)
    ]
    found = bilingual_cells(pd.Series(shown, dtype="str"))
    assert any(k.startswith(("joint test of all groups: ", "z-test of the difference: ")) for k in found), shown
    assert any(k.startswith(">= ") and "national weights" in k for k in found), shown
    for english, chinese in found.items():
        assert not english_words(chinese) and sorted(numbers(chinese)) == sorted(numbers(english)), chinese
    from aichain_utils.text import bilingual_format

    check(
        bilingual_format(audit.AIE_FLOOR_EXPECTED, floor="0.0266", w="0.293", years=11),
        ">= 0.0266 (national weights 0.293 / 11 years)",
        registered=False,
    )
    check(
        bilingual_format(audit.SEGMENT_MEAN, m="0.677", en="1.038, 0.291, 0.703", zh="1.038、0.291、0.703"),
        "0.677 (mean of 1.038, 0.291, 0.703)",
        registered=False,
    )
    unexplained = bilingual_format(
        audit.UNEXPLAINED_NS, k=2, n=38, where="4 (1), 5 (5)", where_zh="表 4 第（1）列、表 5 第（5）列"
    )
    assert unexplained == "2 of 38 columns unexplained: 4 (1), 5 (5)"
    assert unexplained.zh == "38 列中有 2 列无法解释：表 4 第（1）列、表 5 第（5）列"


def test_the_simulator_scenarios_and_the_ledgers_reason():
    params = {"latent_ai": {"feedback_from_erl_shock": 0.0}}
    table = labtext.scenario_table(params)
    what = dict(zip(table["scenario"], table["what changes"], strict=True))
    found = bilingual_cells(table["what changes"])  # a plain-string column: the registered cells
    english = (
        "the ERL shock feeds back into AI embedding, 0.200 per unit of shock (the closest world's feedback is 0.000): "
        "in expectation fixed effects and first differences are biased upward, valid instruments are not"
    )
    strong = (
        "the ERL shock feeds back into AI embedding at 1.000 per unit of shock, 5 times the reverse feedback scenario's"
    )
    assert what["reverse feedback"] == english and what["strong reverse causality"] == strong
    for text in (english, strong):
        assert not english_words(found[text]) and sorted(numbers(found[text])) == sorted(numbers(text))
    reason = ledger.aie_moment_reason(None)
    assert reason.startswith("AIE's moments are not a target of make calibrate: ") and not english_words(reason.zh)
    floor = pd.DataFrame({"explanation": ["Under the readings."], "explanation_zh": ["按本书的解读。"]})
    joined = ledger.aie_moment_reason(floor)
    assert joined == ledger.AIE_MOMENT_REASON + "Audit: Under the readings." and joined.zh.endswith(
        "审查：按本书的解读。"
    )


def test_a_displayed_table_carries_the_cells_and_the_checks_catch_english():
    cell = columns.wild_p_cell({"p": 0.006, "reps": 999, "enumerated": False, "clusters": 35, "weights": "webb"})
    html, metadata = show_table(pd.DataFrame({"statistic": ["wild p"], "value": [cell]}))._repr_html_()
    assert "0.006 (999 draws, 35 clusters, Webb weights)" in html
    assert list(metadata.values()) == [{str(cell): cell.zh}]
    # planted failures: an English word, a changed number
    with pytest.raises(AssertionError):
        check(Bilingual("0.006 (999 draws)", "0.006（999 draws）"), "0.006 (999 draws)")
    with pytest.raises(AssertionError):
        check(Bilingual("0.006 (999 draws)", "0.006（998 次抽样）"), "0.006 (999 draws)")


def test_the_simulator_check_sentence_in_both_languages():
    from aichain_utils.replication import lab

    records = pd.DataFrame(
        [
            {"scale": 1, "checked": 1000, "failed": 0, "errors": {}, "current": True},
            {"scale": 10, "checked": 50, "failed": 2, "errors": {"3": "DataInputError: x"}, "current": False},
        ]
    )
    text = lab.simulator_check_sentence(records)
    assert text == (
        "Checked outside the Monte Carlo (tools/simulator_failures.py: every rule of the raw data and every step of "
        "the analysis panel), none of 1,000 panels drawn at the paper's size failed; 2 of 50 panels drawn at 10 times "
        "the paper's units failed (DataInputError). The 10x count was made with an earlier calibration: rerun "
        "tools/simulator_failures.py."
    )
    kept = re.sub(r"tools/simulator_failures\.py|DataInputError|\d+x", "", text.zh)
    assert not english_words(kept), text.zh
    assert sorted(numbers(text.zh)) == sorted(numbers(text))
    empty = lab.simulator_check_sentence(records.iloc[0:0])
    assert empty.startswith("No count") and "tools/simulator_failures.py" in empty.zh


def test_a_chinese_html_output_gets_its_tables_computed_cells_in_chinese_too():
    """A displayed HTML with its own Chinese (``BilingualHTML``, e.g. a partial view on a replicator's file)
    keeps the Chinese of the computed cells of the tables inside it: the Chinese build writes them into the
    Chinese HTML; the English build shows the English; an output with no Chinese HTML gets its cells only."""
    from test_figures_zh import rendered_in_both

    from aichain_utils.report.display import BilingualHTML

    cell = Bilingual("0.006 (999 draws)", "0.006（999 次抽样）")
    table = "<table><tr><td>0.006 (999 draws)</td></tr></table>"
    cells = {str(cell): cell.zh}
    out = BilingualHTML(f"<p>Table 3 on these data</p>{table}", f"<p>表 3 在这些数据上</p>{table}", cells)
    english, metadata = out._repr_html_()
    shown = rendered_in_both("text/html", english, {"text/html": metadata})
    assert shown == ["<p>表 3 在这些数据上</p><table><tr><td>0.006（999 次抽样）</td></tr></table>", english]
    with pytest.raises(TypeError, match="two str"):
        BilingualHTML("<p>x</p>", None)


def test_show_table_keeps_the_chinese_of_a_bilingual_text_cell():
    """A table of reasons (``Availability.summary``'s, on a replicator's file) shows its English cells and
    carries their Chinese; the English HTML is the one of the same table of plain strings."""
    from aichain_utils.report.display import ZH_CELLS, show_table

    reason = Bilingual("needs IV2; p < 0.05", "需要 IV2；p < 0.05")
    frame = pd.DataFrame({"table": ["Table 4", "Table 5"], "reason": pd.Series([reason, ""], dtype=object)})
    html, metadata = show_table(frame)._repr_html_()
    plain = show_table(pd.DataFrame({"table": ["Table 4", "Table 5"], "reason": ["needs IV2; p < 0.05", ""]}))

    def no_uuid(text):
        return re.sub(r"T_[0-9a-f]+", "T_", text)  # a Styler's table id is random

    assert no_uuid(html) == no_uuid(plain._repr_html_())
    assert metadata == {ZH_CELLS: {"needs IV2; p < 0.05": "需要 IV2；p < 0.05"}}


def test_the_wild_p_cell_names_a_missing_key():
    from aichain_utils.errors import AichainInputError
    from aichain_utils.replication.columns import wild_p_cell

    with pytest.raises(AichainInputError, match=r"'wb': needs the wild bootstrap's result keys.*enumerated"):
        wild_p_cell({"p": 0.1, "reps": 999})


def test_html_and_cells_reads_a_table_and_refuses_what_is_not_one():
    """A displayed table gives its HTML and its cells' Chinese; an object that is not a displayed table, or
    whose ``_repr_html_`` returns neither HTML nor an (html, metadata) pair, is refused with its type."""
    from aichain_utils.errors import AichainInputError
    from aichain_utils.report.display import html_and_cells

    reason = Bilingual("needs IV2", "需要 IV2")
    html, cells = html_and_cells(show_table(pd.DataFrame({"reason": pd.Series([reason], dtype=object)})))
    assert "needs IV2" in html and cells == {"needs IV2": "需要 IV2"}
    assert html_and_cells(show_table(pd.DataFrame({"n": [1]})))[1] == {}

    class Returns:
        def __init__(self, out):
            self.out = out

        def _repr_html_(self):
            return self.out

    with pytest.raises(AichainInputError, match=r"'shown': must be a displayed table.*list"):
        html_and_cells(["<p>a list</p>"])
    for bad in (None, 3, ("<p/>", "not a dict")):
        with pytest.raises(AichainInputError, match=r"'shown': _repr_html_ must return"):
            html_and_cells(Returns(bad))
