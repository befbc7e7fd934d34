"""The endogeneity chapter's results objects (Tables 4 and 5): their verdicts and sentences both ways on
planted inputs, and their numbers equal to the functions they come from (issue 25, item 2)."""

from __future__ import annotations

import pandas as pd
import pytest

from aichain_utils.replication.results import endogeneity as endo


def test_iv_side_word_three_ways():
    assert endo.iv_side_word(pd.Series([0.1, 0.2]), 0.3) == "below"
    assert endo.iv_side_word(pd.Series([0.4, 0.5]), 0.3) == "above"
    assert endo.iv_side_word(pd.Series([0.1, 0.5]), 0.3) == "on both sides of"
    sides = [endo.iv_side_word(pd.Series(ivs), 0.3).zh for ivs in ([0.1, 0.2], [0.4, 0.5], [0.1, 0.5])]
    assert sides == ["均低于", "均高于", "有的高于、有的低于"]


def test_lag_losses_and_their_sentence_with_and_without_gaps():
    gappy = pd.DataFrame({"unit_id": [1, 1, 1, 2, 2], "year": [2010, 2011, 2013, 2010, 2011]})
    assert endo.lag_losses(gappy) == (2, 1)
    assert endo.lag_losses(gappy.iloc[[0, 1, 3, 4]]) == (2, 0)
    assert "gap" in endo.iv1_loss_sentence(1200, 3) and "(3 rows)" in endo.iv1_loss_sentence(1200, 3)
    assert endo.iv1_loss_sentence(1200, 0) == "the lag does not exist in a unit's first year (1,200 rows)"
    assert endo.iv1_loss_sentence(1200, 0).zh == "滞后值在每个个体的第一年不存在（1,200 行）"
    assert endo.iv1_loss_sentence(1200, 3).zh.endswith("，或在该个体年份序列中断之后的一年也不存在（3 行）")


def test_segments_sentence_both_ways():
    assert endo.segments_sentence(0.25, 0.25 + 1e-8) == "exactly column (6) of Table 3"
    assert endo.segments_sentence(0.2, 0.25).startswith("while column (6) of Table 3 is 0.250")
    assert endo.segments_sentence(0.25, 0.25 + 1e-8).zh == "恰好等于表 3 第（6）列"
    assert endo.segments_sentence(0.2, 0.25).zh.startswith("而表 3 第（6）列为 0.250：")


def test_psm_sentence_both_ways():
    assert endo.psm_mechanical_sentence(True, 0.97, 10).startswith("That balance is mechanical")
    assert "97% of the matched" in endo.psm_mechanical_sentence(True, 0.97, 10)
    assert endo.psm_mechanical_sentence(False, 0.97, 10).startswith("On these data the controls vary")
    assert endo.psm_mechanical_sentence(True, float("nan"), 0).startswith("On these data the controls vary")
    assert endo.psm_mechanical_sentence(True, 0.97, 10).zh.startswith("这种平衡是机械的，并非匹配的成果")
    assert "有 97% 在距离为零处" in endo.psm_mechanical_sentence(True, 0.97, 10).zh
    assert endo.psm_mechanical_sentence(False, 0.97, 10).zh.startswith("在这些数据上，控制变量在行业—年份内有所变化")


def test_thresholds():
    from aichain_utils.econometrics.weakiv import tf_critical_value
    from aichain_utils.inputs.published import published_cell

    f = endo.tf_f_196()
    assert tf_critical_value(f) == pytest.approx(1.96) and tf_critical_value(0.9 * f) > 1.96
    cell = published_cell(4, 3)
    assert endo.published_kp_r2(3) == cell["kp_wald"] / (cell["kp_wald"] + cell["n"])


@pytest.fixture(scope="module")
def panel():
    from aichain_utils.inputs.panel import load_analysis_panel

    return load_analysis_panel()


def test_table4_numbers_are_the_columns_numbers(panel):
    from aichain_utils.replication import columns, models

    t4 = endo.table4(panel)
    n = t4.numbers()
    cols = columns.table4_columns(panel.data)
    for c in cols:
        assert n[f"c{c.number}"].coef == c.estimate.coef and n[f"c{c.number}"].n == c.estimate.n
    ivs = [c.estimate.coef for c in cols if c.number in (2, 3, 4)]
    assert (n.iv_min, n.iv_max) == (min(ivs), max(ivs))
    assert n.fe_coef == models.fit_two_way_fe(panel.data).coef
    assert n.iv_vs_fe == endo.iv_side_word(pd.Series(ivs), n.fe_coef)
    assert n.stock_yogo_10pct == columns.STOCK_YOGO_10PCT
    assert n.fe_bias == n.fe_coef - n.truth
    assert n.mc_bias_clauses.startswith("over ") and "FE " in n.mc_bias_clauses
    assert all(k.startswith("t4_") for k in n.flat())


def test_table5_numbers_are_the_columns_numbers(panel):
    from aichain_utils.replication import columns, matching

    t5 = endo.table5(panel)
    n = t5.numbers()
    cols = columns.table5_columns(panel.data)
    for c in cols:
        assert n[f"c{c.number}"].coef == c.estimate.coef and n[f"c{c.number}"].n == c.estimate.n
    seg = [c.estimate.coef for c in cols if c.number in (2, 3, 4)]
    assert n.segments.mean == pytest.approx(sum(seg) / 3, abs=1e-15)
    m = matching.match_on_propensity(panel.data)
    bal = matching.balance_table(m)
    assert n.psm.smd_after == bal["SMD after"].abs().max() and n.psm.caliper == m.caliper
    assert all(k.startswith("endo_t5_") for k in n.flat())
