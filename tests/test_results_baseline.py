"""The baseline chapter's results object (Table 3): its verdicts both ways on planted inputs, and its numbers
equal to the functions they come from (issue 25, item 2)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from aichain_utils.replication.numbers import Bilingual
from aichain_utils.replication.results import baseline


def _both(word) -> tuple[str, str]:
    """A verdict word in both languages: its English text (exactly the English pages' word) and its Chinese."""
    assert isinstance(word, Bilingual), f"{word!r} has no Chinese text"
    return word.en, word.zh


@pytest.mark.parametrize(
    "r2, word",
    [
        ({1: 0.9, 2: 0.2, 3: 0.3, 4: 0.8}, ("reproduces", "复现了")),
        ({1: 0.9, 2: 0.2, 3: 0.85, 4: 0.8}, ("does not reproduce", "未能复现")),
        ({1: 0.1, 2: 0.2, 3: 0.3, 4: 0.8}, ("does not reproduce", "未能复现")),
    ],
)
def test_r2_order_both_ways(r2, word):
    assert baseline.r2_order(pd.Series(r2)) == word[0]
    assert _both(baseline.r2_order(pd.Series(r2))) == word


def test_industry_dummy_words_both_ways():
    larger = baseline.industry_dummy_words(0.1, 0.3)
    smaller = baseline.industry_dummy_words(0.3, 0.1)
    assert larger == {"c4_vs_c2": "larger", "industry_link": "lower", "c2_bias_dir": "down"}
    assert smaller == {"c4_vs_c2": "smaller", "industry_link": "higher", "c2_bias_dir": "up"}
    assert [_both(larger[k])[1] for k in ("c4_vs_c2", "industry_link", "c2_bias_dir")] == ["更大", "较低", "向下"]
    assert [_both(smaller[k])[1] for k in ("c4_vs_c2", "industry_link", "c2_bias_dir")] == ["更小", "较高", "向上"]


def test_gap_word_both_ways():
    assert baseline.gap_word(0.4) == "within" and baseline.gap_word(1.0) == "within"
    assert baseline.gap_word(1.2) == "more than"
    assert _both(baseline.gap_word(1.0)) == ("within", "不超过")
    assert _both(baseline.gap_word(1.2)) == ("more than", "超过")


def test_wild_p_text():
    assert baseline.wild_p_text("< 0.001 (999 draws)") == "p < 0.001 (999 draws)"
    assert baseline.wild_p_text("0.012 (999 draws)") == "p = 0.012 (999 draws)"


def test_balance_and_the_demeaning_note_both_ways():
    balanced = pd.DataFrame({"unit_id": [1, 1, 2, 2], "year": [2010, 2011, 2010, 2011]})
    unbalanced = balanced.iloc[:3]
    assert baseline.is_balanced(balanced) and not baseline.is_balanced(unbalanced)
    assert baseline.demean_note(True).startswith("The panel is balanced")
    assert baseline.demean_note(False).startswith("The panel is unbalanced")
    assert baseline.demean_note(True).zh == "面板是平衡的，因此对个体和年份各去均值一次即是精确的。"
    assert baseline.demean_note(False).zh.startswith("面板是非平衡的，因此 models.demean 交替")


@pytest.fixture(scope="module")
def panel():
    from aichain_utils.inputs.panel import load_analysis_panel

    return load_analysis_panel()


@pytest.fixture(scope="module")
def t3(panel):
    return baseline.table3(panel)


def test_numbers_are_the_columns_numbers(t3, panel):
    from aichain_utils.replication import columns, models
    from aichain_utils.replication.numbers import true_effect
    from aichain_utils.report.tables import render_table

    n = t3.numbers()
    cols = columns.table3_columns(panel.data)
    tidy = render_table(3, cols).tidy.set_index("column")
    for c in cols:
        assert n[f"c{c.number}"].coef == c.estimate.coef
        assert n[f"c{c.number}"].se == c.estimate.se
        assert n[f"c{c.number}"].published_coef == tidy.loc[c.number, "published_coef"]
    assert n.fe_industry_coef == models.fit_two_way_fe(panel.data, entity="industry_id").coef
    assert n.lsdv_gap == abs(n.c7.coef - n.fe_industry_coef) < 1e-6  # Frisch-Waugh-Lovell
    assert n.truth == true_effect(panel)
    assert n.c6.bias == n.c6.coef - n.truth
    assert n.n_clusters == panel.data["industry_id"].nunique()
    assert n.c4_vs_c2 == ("larger" if n.c4.coef > n.c2.coef else "smaller")
    assert n.r2_order == baseline.r2_order(tidy["adj_r2"])
    assert n.c6.gap_in_published_se == abs(n.c6.coef - n.c6.published_coef) / n.c6.published_se
    assert n.c6.wild_p.startswith("p ")
    for key in ("c4_vs_c2", "industry_link", "c2_bias_dir", "r2_order"):  # the verdicts carry both languages
        assert _both(n[key])[1]
    assert _both(n.c6.within_published)[1] and _both(n.c6.bias_clause)[1]


def test_every_key_has_the_prefix_and_a_user_file_has_no_truth(t3):
    from dataclasses import replace

    assert all(k.startswith("t3_") for k in t3.numbers().flat())
    user = replace(t3, truth=None).numbers()
    assert user.truth is None and user.c6.bias is None and math.isnan(user.glue_values()["t3_c6_bias"])
    assert set(user.reasons) == {"truth", "c6.bias", "c6.bias_in_se", "c6.bias_clause"}
    assert len(t3.readings()) == 8 and list(t3.readings()["column"])[5] == "(6)"
