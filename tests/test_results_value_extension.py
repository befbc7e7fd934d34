"""The value-extension chapter's results object (Table 10): its numbers are the replication's, and each
verdict word and sentence it computes is tested both ways on planted inputs."""

from __future__ import annotations

import math

import pytest

from aichain_utils.replication import columns as replication
from aichain_utils.replication import results
from aichain_utils.replication.numbers import NOT_SIMULATED
from aichain_utils.replication.results import value_extension as ve


def test_standardised_words_keep_or_reverse_the_papers_ordering():
    keeps = ve.standardised_words(0.30, 0.10, raw_lcv=0.5, raw_wcv=0.2)
    assert keeps["verdict"] == "keeps the paper's ordering"
    assert "length's is larger than width's" in keeps["solution"]
    assert "3.0 times width's" in keeps["solution"] and "width lags length survives" in keeps["solution"]
    reverses = ve.standardised_words(0.10, 0.40, raw_lcv=0.1, raw_wcv=0.2)
    assert reverses["verdict"] == "reverses the paper's ordering"
    assert (keeps["verdict"].zh, reverses["verdict"].zh) == ("保持了论文的排序", "颠倒了论文的排序")
    assert "length's is smaller than width's" in reverses["solution"]
    assert "0.2 times width's" in reverses["solution"] and "does not survive" in reverses["solution"]
    # the raw comparison and the standardised one are separate: larger raw, reversed standardised
    mixed = ve.standardised_words(0.10, 0.40, raw_lcv=0.5, raw_wcv=0.2)
    assert "larger" in mixed["solution"] and mixed["verdict"].startswith("reverses")
    assert keeps["solution"].zh.startswith("按原始系数，长度的系数大于宽度的系数；按标准差单位，长度的效应是宽度的 3.0")
    assert keeps["solution"].zh.endswith("论文关于宽度落后于长度的解读经受住了单位的改变。")
    assert "小于" in reverses["solution"].zh and "经受不住" in reverses["solution"].zh


@pytest.fixture(scope="module")
def t10(sim_panel):
    return results.table10(sim_panel, save=False)


@pytest.fixture(scope="module")
def sim_panel():
    from aichain_utils import book

    return book.load_panel()


def test_table10_numbers_are_the_replicated_columns(t10, sim_panel):
    cols = {c.number: c.estimate for c in replication.table10_columns(sim_panel.data)}
    n = t10.numbers()
    for k in (1, 2, 3, 4):
        assert n[f"c{k}"].coef == pytest.approx(cols[k].coef, rel=1e-12)
        assert n[f"c{k}"].n == cols[k].n
    assert n.c1.published_n == int(t10.tidy.loc[1, "published_n"])
    d = sim_panel.data
    assert n.sd_lcv == pytest.approx(d["LCV"].std()) and n.sd_wcv == pytest.approx(d["WCV"].std())
    assert n.std_lcv == pytest.approx(cols[2].coef * d["AIE"].std() / d["LCV"].std())
    assert n.std_ratio == pytest.approx(n.std_lcv / n.std_wcv)
    assert n.std_verdict == ve.standardised_words(n.std_lcv, n.std_wcv, n.c2.coef, n.c4.coef)["verdict"]
    assert n.true_lcv is not None and n.true_wcv is not None  # the simulated panel has a truth
    keys = n.flat()
    assert "t10_c2_coef" in keys and "t10_claim_word" in keys and "t10_std_solution" in keys


def test_table10_claim_words_follow_the_claims_table(t10, monkeypatch):
    from aichain_utils.replication import claims

    row = claims.evaluate_claims({10: t10.table.tidy}).set_index("id").loc[ve.CLAIM]
    n = t10.numbers()
    assert n.claim_detail == row["replicated detail"]
    words = (
        ("yes", "supports", "支持"),
        ("no", "does not support", "不支持"),
        ("not comparable", "cannot judge", "无法判断"),
    )
    for verdict, word, zh in words:
        planted = row.copy()
        planted["replicated supports"] = verdict
        monkeypatch.setattr(ve.Table10, "claim", lambda self, planted=planted: planted)
        assert t10.numbers().claim_word == word and t10.numbers().claim_word.zh == zh


def test_table10_truth_is_none_with_its_reason_on_a_users_data(t10, monkeypatch):
    monkeypatch.setattr(ve, "true_effect", lambda panel, name: None)
    n = t10.numbers()
    assert n.true_lcv is None and n.reasons["true_lcv"] == NOT_SIMULATED
    assert math.isnan(n.glue_values()["t10_true_wcv"])
