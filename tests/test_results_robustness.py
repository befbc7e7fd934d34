"""The robustness chapter's results objects: each verdict word and sentence they compute is tested both ways
on planted inputs, and their numbers are those of :mod:`aichain_utils.robustness` on the simulated panel."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from aichain_utils.replication import results
from aichain_utils.replication.results import robustness as rob
from aichain_utils.robustness import fragility as _fragility
from aichain_utils.robustness.speccurve import BOOK_SPEC, SpecCurve


def test_curve_verdict_both_ways():
    assert rob.curve_verdict(0.95, 0.01) == "the claim does not depend on the readings"
    assert rob.curve_verdict(0.90, 0.049) == "the claim does not depend on the readings"
    assert rob.curve_verdict(0.89, 0.01) == "the claim depends on the readings"
    assert rob.curve_verdict(0.95, 0.05) == "the claim depends on the readings"
    assert rob.curve_verdict(0.95, 0.01).zh == "该论断不依赖于这些解读"
    assert rob.curve_verdict(0.95, 0.05).zh == "该论断依赖于这些解读"


def test_fe_reading_both_ways():
    assert rob.fe_reading("fixed effects", 0.5).startswith("As expected, the fixed effects matter most")
    other = rob.fe_reading("sample", 0.0123)
    assert "it is not the fixed effects" in other and other.endswith("by 0.012.")
    assert rob.fe_reading("fixed effects", 0.5).zh.startswith("不出所料，固定效应最为重要")
    assert other.zh == "因此在这些数据上，最重要的并不是通常被怀疑的固定效应；其中位数相差 0.012。"


def test_oster_verdict_and_move_words_both_ways():
    assert rob.oster_verdict(-1.5) == "beyond Oster's rule of thumb |δ| > 1"
    assert rob.oster_verdict(0.7) == "within Oster's |δ| ≤ 1"
    assert rob.oster_verdict(-1.5).zh == "超出了 Oster 的经验法则 |δ| > 1"
    assert rob.oster_verdict(0.7).zh == "在 Oster 的 |δ| ≤ 1 之内"
    small = rob.Sensitivity(SimpleNamespace(oster={"beta_short": 0.30, "beta_controlled": 0.28}, se=0.05))
    assert small.oster_move_words() == "less than one standard error (0.050)"
    large = rob.Sensitivity(SimpleNamespace(oster={"beta_short": 0.30, "beta_controlled": 0.10}, se=0.05))
    assert large.oster_move_words() == "more than one standard error (0.050)"
    assert small.oster_move_words().zh == "不到一个标准误（0.050）"
    assert large.oster_move_words().zh == "超过一个标准误（0.050）"
    assert large.se == 0.05  # the result's attributes read through (sens.rv, sens.t, sens.dof in the exercises)


def test_twfe_sign_clause_both_ways():
    assert rob.twfe_sign_clause(0.1234).endswith("at least 0.123 (σ̲_fe, Corollary 1 (ii))")
    assert "gives no bound on these weights" in rob.twfe_sign_clause(None)
    n = rob.TwfeWeights(
        {"n_weights": 10, "n_negative": 3, "share_negative": 0.3, "sum_negative": -0.2, "sigma_fe": 0.5,
         "sigma_fe_sign": None}, "alternatives.",
    ).numbers()  # fmt: skip
    assert (n.n, n.n_negative, n.pct_negative, n.alternatives) == (10, 3, 30.0, "alternatives.")
    assert "gives no bound" in n.sign_clause


def _planted_curve(estimates, ps) -> SpecCurve:
    """A curve over two samples and two fixed effects (robust and unit-clustered SEs) with planted estimates."""
    rows = []
    choices = itertools.product(["full", "trim 5%"], ["unit + year", "year"], ["robust", "cluster unit"])
    for (sample, fe, se), est, p in zip(choices, estimates, ps, strict=True):
        rows.append({**BOOK_SPEC, "sample": sample, "fe": fe, "se": se, "estimate": est, "p": p,
                     "ci_low": est - 0.1, "ci_high": est + 0.1})  # fmt: skip
    null = {"reps": 9, "seed": 1, "p_median": 0.1, "p_share": 0.02, "share_null_mean": 0.05}
    return SpecCurve(pd.DataFrame(rows), null=null)


def test_specification_curve_numbers_on_a_planted_curve():
    est = [0.20, 0.20, 0.50, 0.50, 0.22, 0.22, 0.52, 0.52]
    curve = rob.SpecificationCurve(_planted_curve(est, [0.01, 0.02] * 4), {}, truth=0.21)
    n = curve.numbers()
    assert (n.specifications, n.point_estimates, n.null_reps) == (8, 4, 9)
    assert n.pct_positive == 100.0 and n.pct_positive_significant == 100.0
    assert n.verdict == "the claim does not depend on the readings"
    assert n.widest_dim == "fixed effects" and n.widest_gap == pytest.approx(0.30)
    assert n.ex1_fe_reading.startswith("As expected")
    assert n.ex1_pct == 100.0  # the untrimmed rows ("full") are all positive and significant
    assert n.truth_sentence == (
        "On this simulated panel the true effect is 0.210; 50% of the specifications' 95% intervals cover it."
    )
    assert n.truth_sentence.zh == "在这一模拟面板上，真实效应为 0.210；各设定的 95% 置信区间中有 50% 覆盖了它。"
    by = curve.by_choice().set_index(["dimension", "choice"])
    assert by.loc[("fixed effects", "year"), "median estimate"] == pytest.approx(0.51)
    # the other way: the sample moves the estimate most, a third of the specifications is significant
    est = [0.20, 0.20, 0.21, 0.21, -0.40, -0.40, -0.41, -0.41]
    other = rob.SpecificationCurve(_planted_curve(est, [0.01, 0.3, 0.01, 0.3, 0.01, 0.3, 0.01, 0.3]), {}, None)
    m = other.numbers()
    assert m.widest_dim == "sample" and m.verdict == "the claim depends on the readings"
    assert m.ex1_fe_reading.startswith("So on this data it is not the fixed effects")
    assert m.truth_sentence == "On licensed data there is no true effect to compare the curve with."
    assert m.truth_sentence.zh == "在授权数据上没有可与该曲线比较的真实效应。"
    assert (n.verdict.zh, m.verdict.zh) == ("该论断不依赖于这些解读", "该论断依赖于这些解读")
    assert m.pct_positive_significant == 25.0


def test_the_left_out_note_displays_only_what_was_left_out(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    rob.SpecificationCurve(_planted_curve([0.1] * 8, [0.01] * 8), {}, None).left_out_note()._ipython_display_()
    assert shown == []
    note = rob.SpecificationCurve(_planted_curve([0.1] * 8, [0.01] * 8), {"upsilon=mediators": "a <b>"}, None)
    note.left_out_note()._ipython_display_()
    assert shown == [
        "<p>The reading <code>upsilon=mediators</code> is left out of the curve on these data: a &lt;b&gt;</p>"
    ]


def test_multiple_tests_count_the_rejections():
    frame = pd.DataFrame({
        "hypothesis": ["a", "b", "c"], "estimate": [1.0, 2.0, 3.0], "se (cluster unit)": [1.0] * 3,
        "p": [0.01, 0.04, 0.2], "p, Holm": [0.03, 0.08, 0.2], "p, Romano–Wolf": [0.02, 0.06, 0.3], "N": [10] * 3,
    })  # fmt: skip
    tests = rob.MultipleTests({"one": frame, "two": frame.iloc[:1]})
    n = tests.numbers()
    assert (n.n_hyp, n.n_raw, n.n_holm, n.n_rw) == (4, 3, 2, 2)
    assert list(tests.stacked()["family"]) == ["one", "one", "one", "two"]


def test_mediation_counts_the_intervals_that_exclude_zero():
    med = rob.CausalMediationResults({
        "FSIE": SimpleNamespace(rho_at_zero=0.2, acme_ci=(0.01, 0.05)),
        "ITSE_forward": SimpleNamespace(rho_at_zero=-0.1, acme_ci=(-0.01, 0.05)),
        "ITSE_backward": SimpleNamespace(rho_at_zero=0.4, acme_ci=(-0.05, -0.01)),
    })  # fmt: skip
    n = med.numbers()
    assert (n.rho_min, n.rho_max, n.n_acme) == (-0.1, 0.4, 2)
    assert med["FSIE"].rho_at_zero == 0.2


def test_fragility_counts_each_verdict():
    summary = pd.DataFrame(
        {"claim": ["H1: a", "H2: b", "c", "d"], "verdict": ["robust", "fragile", "fragile", "fragile"]}
    )
    n = rob.Fragility(summary).numbers()
    assert (n.n_claims, n.n_robust, n.n_fragile, n.n_not_supported) == (4, 1, 3, 0)
    assert n.verdict_sentence == _fragility.verdict_sentence(summary)


def test_own_aie_names_the_datas_weighting(monkeypatch):
    monkeypatch.delenv("AICHAIN_AIE_WEIGHTS", raising=False)
    analysis = rob.RobustnessInputs(SimpleNamespace(level="analysis", source=SimpleNamespace(is_simulated=False)))
    assert analysis.numbers().own_aie == "the file's AIE" and analysis.own_weights == "the file's AIE"
    simulated = rob.RobustnessInputs(SimpleNamespace(level="simulated", source=SimpleNamespace(is_simulated=True)))
    assert simulated.numbers().own_aie == "the entropy weights" and simulated.own_weights == "entropy"
    raw = rob.RobustnessInputs(SimpleNamespace(level="raw", source=SimpleNamespace(is_simulated=False)))
    assert raw.numbers().own_aie == "the published weights"
    assert raw.numbers().own_aie.zh == "公布的权重"
    assert simulated.numbers().own_aie.zh == "熵值法权重" and analysis.numbers().own_aie.zh == "文件自带的 AIE"


@pytest.fixture(scope="module")
def panel():
    from aichain_utils import book

    return book.load_panel()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # an impossible bound's t (0 × inf), as in the chapter
def test_sensitivity_and_weights_numbers_are_the_methods(panel):
    from aichain_utils.robustness import sensitivity, sentences, twfe_weights

    sens = results.sensitivity(panel)
    direct = sensitivity.sensitivity_analysis(panel.data)
    n = sens.numbers()
    assert (n.rv, n.rv_alpha, n.partial_r2) == (direct.rv, direct.rv_alpha, direct.partial_r2)
    assert n.oster_delta == direct.oster["delta_for_zero"] and n.oster_beta == direct.oster["beta_star"]
    assert n.benchmarks == sentences.benchmark_sentences(direct)["benchmarks"]
    assert sens.rv == direct.rv and sens.dof == direct.dof
    assert list(sens.bounds_table().columns[:2]) == ["benchmark", "times as strong"]
    w = twfe_weights.twfe_weights(panel.data)
    m = results.twfe_weights(panel).numbers()
    assert (m.n, m.n_negative, m.sum_negative) == (w["n_weights"], w["n_negative"], w["sum_negative"])
    assert m.pct_negative == pytest.approx(100 * w["share_negative"])
    assert np.isfinite(m.sigma)
