"""The heterogeneity chapter's results objects (Tables 7-9 and the groups against the truth): their
numbers are the replication's, and each word and sentence they compute is tested both ways on planted inputs."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from aichain_utils.replication import columns as replication
from aichain_utils.replication import results
from aichain_utils.replication.numbers import NOT_SIMULATED
from aichain_utils.replication.results import heterogeneity as het


def _groups(gaps, above):
    return pd.DataFrame({
        "estimate": [1.0 if a else -1.0 for a in above], "true average effect": [0.0] * len(above), "gap in SEs": gaps,
    })  # fmt: skip


def test_gap_reading_names_a_shared_bias_or_sampling_error():
    biased = het.HeterogeneityTruth(_groups([3.0, 2.5, 1.0, 4.0, 0.5], [True] * 5))
    assert biased.gap_reading().startswith("the groups inherit the upward bias")
    mixed = het.HeterogeneityTruth(_groups([1.0, -1.5, 0.5, -3.0], [True, False, True, False]))
    assert mixed.gap_reading() == "the gaps have both signs, as sampling error would give"
    assert biased.gap_reading().zh.startswith("各组承袭了固定效应估计量在校准世界中的向上偏误")
    assert mixed.gap_reading().zh == "差距有正有负，正如抽样误差所致"
    n = mixed.numbers()
    assert (n.n_groups, n.n_above, n.n_within2) == (4, 2, 3)
    assert (n.min_gap, n.max_gap) == (-3.0, 1.0)


def test_the_truth_is_none_with_its_reason_on_a_users_data():
    user = het.HeterogeneityTruth(None)
    n = user.numbers()
    assert n.n_groups is None and n.reasons["gap_reading"] == NOT_SIMULATED
    assert math.isnan(n.glue_values()["het_min_gap"])
    assert list(user.truth_table()["note"]) == ["not simulated data: no known truth"]


def test_region_rule_says_whether_the_book_formed_the_split():
    data = pd.DataFrame({"region": ["developed", "other", "other", "developed"], "province_id": [1, 2, 3, 1]})
    t9 = het.Table9.__new__(het.Table9)
    t9.panel = SimpleNamespace(data=data, found={})
    rule, dev, total = t9.region_rule()
    assert (dev, total) == (1, 3) and rule.startswith("the top 30% of provinces") and "(1 of 3)" in rule
    t9.panel = SimpleNamespace(data=data, found={"region": SimpleNamespace(status="found")})
    assert t9.region_rule()[0].startswith("as the file labels each unit-year")
    assert t9.region_rule()[0].zh.startswith("按文件对每个个体—年份的标注")
    assert rule.zh == "按要素市场指数排名前 30% 的省份（3 个中的 1 个）；每个个体属于一个省份"


@pytest.fixture(scope="module")
def sim():
    from aichain_utils import book

    panel = book.load_panel()
    t7, t8, t9 = results.heterogeneity_tables(panel, save=False)
    return panel, t7, t8, t9


def test_tables_7_to_9_numbers_are_the_replicated_columns(sim):
    panel, t7, t8, t9 = sim
    d = panel.data
    for t, columns in ((t7, replication.table7_columns(d)), (t9, replication.table9_columns(d))):
        n = t.numbers()
        for c in columns:
            assert n[f"c{c.number}"].coef == pytest.approx(c.estimate.coef, rel=1e-12)
            assert n[f"c{c.number}"].n == c.estimate.n
    assert t7.numbers().n_full == len(d)
    assert t8.numbers().n_sum == sum(c.estimate.n for c in replication.table8_columns(d))
    assert t9.numbers().tech_published_n_sum == int(t9.tidy.loc[[3, 4], "published_n"].sum())
    assert set(t7.verdicts["table"]) == {7} and set(t9.verdicts["table"]) == {9}
    assert "t7_c2_coef" in t7.numbers().flat() and "t9_region_rule" in t9.numbers().flat()


def test_the_truth_of_the_simulated_groups(sim):
    from aichain_utils.simulation import simulate

    panel, t7, t8, t9 = sim
    truth = results.heterogeneity_truth(panel, t7, t8, t9)
    expected = replication.true_group_effects(
        {7: t7.table, 8: t8.table, 9: t9.table}, panel.data, simulate.simulate_panel().truth
    )
    pd.testing.assert_frame_equal(truth.groups, expected)
    assert truth.numbers().n_above == int((expected["estimate"] > expected["true average effect"]).sum())
