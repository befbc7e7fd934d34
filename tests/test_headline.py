"""The computed sentences of the landing page, "Replication at a glance", the robustness chapter and the
simulation lab (issue 24, items 3 and 7): each says what its inputs show, on simulated and on other data.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from aichain_utils.errors import AichainInputError
from aichain_utils.replication import labtext
from aichain_utils.report import headline
from aichain_utils.report.display import keep_comparisons_together, show_table
from aichain_utils.robustness import sensitivity, sentences

NBSP = "\u00a0"


# ------------------------------------------------------------------ "(< 0.001)" never wraps after "<"
def test_a_comparison_sign_keeps_its_number():
    assert keep_comparisons_together("168.75 (< 0.001)") == f"168.75 (<{NBSP}0.001)"
    assert keep_comparisons_together("p ≥ 0.05, t > −1.5") == f"p ≥{NBSP}0.05, t >{NBSP}−1.5"
    assert keep_comparisons_together("a < b") == "a < b"  # no number after the sign: nothing to keep
    assert keep_comparisons_together(0.5) == 0.5


def test_show_table_cells_keep_the_sign_with_the_number():
    html = show_table(pd.DataFrame({"p": ["< 0.001", "0.012"], "x": [1.0, 2.0]})).to_html()
    assert f"&lt;{NBSP}0.001" in html or f"<{NBSP}0.001" in html
    assert "&lt; 0.001" not in html


# ------------------------------------------------------------------ headline sentences
def _world(verdicts: list[str], stat: str = "coef") -> pd.DataFrame:
    return pd.DataFrame({"statistic": stat, "verdict": verdicts})


WORLD = pd.concat(
    [
        _world(["consistent with the closest world"] * 5 + ["at the edge of its 95% band", "outside its 95% band"]),
        _world(["consistent with the closest world", "not produced in the world"], "se"),
    ],
    ignore_index=True,
)


def test_the_world_sentence_counts_the_coefficients_and_every_statistic():
    text = headline.world_sentence(WORLD, reps=200)
    assert "5 of the paper's 7 published AIE coefficients" in text
    assert "1 at its edge" in text and "1 outside it" in text
    assert "of all 8 published statistics the world produces, 6 lie inside" in text
    assert "rerun 200 times" in text and "stale" not in text
    assert "no check of the book's code" in text
    assert "stale" in headline.world_sentence(WORLD, reps=200, current=False)
    assert "No Monte Carlo of the closest world" in headline.world_sentence(None, reps=0)


def test_the_audit_sentence_counts_by_severity():
    findings = pd.DataFrame({"severity": ["error", "warning", "warning", "info"]})
    text = headline.audit_sentence(findings)
    assert "1 item that cannot hold under any reading" in text
    assert "2 items that cannot hold under the paper's own description" in text
    assert "1 more is unusual but possible" in text


def _claims(rep: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"published supports": ["yes", "yes", "no"], "replicated supports": rep})


def test_the_claims_sentence_says_what_a_simulated_count_is():
    sim = headline.claims_sentence(_claims(["yes", "no", "not comparable"]), simulated=True)
    assert "support 2 of the 3 verbal claims" in sim and "support 1 (1 cannot be judged" in sim
    assert "describes the simulation, not the paper's claims" in sim
    user = headline.claims_sentence(_claims(["yes", "yes", "yes"]), simulated=False)
    assert "support 3." in user and "simulation" not in user


TIDY3 = pd.DataFrame(
    {"column": [5, 6], "coef": [0.9, 0.8123], "se": [0.1, 0.0456], "published_coef": [1.0, 0.95],
     "published_se": [0.1, 0.05], "cov_type": ["robust", "robust"]}
)  # fmt: skip


def test_the_estimate_sentence_names_the_truth_only_on_simulated_data():
    sim = headline.estimate_sentence(TIDY3, simulated=True, label="the simulated panel", truth=0.913)
    assert "0.812 (standard error 0.046, robust (HC1)) against the published 0.950" in sim
    assert "the effect put into the simulation is 0.913" in sim and "no evidence about the paper's claims" in sim
    user = headline.estimate_sentence(TIDY3, simulated=False, label="your file panel.csv", truth=0.913)
    assert "your file panel.csv" in user and "simulation" not in user and "0.913" not in user
    assert "2.8 published standard errors apart" in user
    assert "not built: no ERL." in headline.estimate_sentence(None, True, "", missing="no ERL")
    with pytest.raises(AichainInputError, match="column 6"):
        headline.estimate_sentence(TIDY3.iloc[:1], True, "")


def test_the_ledger_sentence_never_calls_agreement_on_the_calibrated_panel_a_validation():
    ledger = pd.DataFrame({"verdict": ["reproduced"] * 3 + ["differs by design", "not comparable"]})
    sim = headline.ledger_sentence(ledger, simulated=True)
    assert "Of the 5 published numbers" in sim and "3 are reproduced" in sim
    assert "validates neither the paper nor the code" in sim
    assert not re.search(r"validates (the|this)", sim)
    assert "calibrated" not in headline.ledger_sentence(ledger, simulated=False)


# ------------------------------------------------------------------ the headline in Chinese, from the same counts
def test_the_world_sentence_in_chinese_both_ways():
    text = headline.world_sentence(WORLD, reps=200, language="zh")
    assert "重复运行 200 次" in text and "公布的 7 个 AIE 系数中，有 5 个位于该世界的中央 95% 区间之内" in text
    assert "1 个在蒙特卡洛误差范围内位于其边缘，1 个位于其外；" in text
    assert "在该世界产生的全部 8 个公布的统计量中，有 6 个位于区间之内" in text and "已过期" not in text
    assert headline.world_sentence(WORLD, reps=200, current=False, language="zh").endswith("会重新运行它。")
    assert headline.world_sentence(None, reps=0, language="zh").startswith("本次构建没有存储最接近的模拟世界")


def test_the_audit_claims_and_ledger_sentences_in_chinese():
    findings = pd.DataFrame({"severity": ["error", "warning", "warning", "info"]})
    assert headline.audit_sentence(findings, language="zh") == (
        "对公布的表格的一致性审查发现 1 项在任何解读下都不可能成立，2 项在论文自己对其研究设计的描述下"
        "不可能成立；另有 1 项不寻常但有可能。"
    )
    sim = headline.claims_sentence(_claims(["yes", "no", "not comparable"]), simulated=True, language="zh")
    assert "论文 3 项文字论断中，论文自己的表格支持 2 项" in sim and "（其中 1 项在这些数据上无法判断）。" in sim
    assert sim.endswith("描述的是模拟，而非论文的论断。")
    user = headline.claims_sentence(_claims(["yes", "yes", "yes"]), simulated=False, language="zh")
    assert user.endswith("在本次构建的数据上复现的表格支持 3 项。")
    ledger = pd.DataFrame({"verdict": ["reproduced"] * 3 + ["differs by design", "not comparable"]})
    text = headline.ledger_sentence(ledger, simulated=True, language="zh")
    assert "在复现台账的 5 个公布的数字中，有 3 个" in text and "1 个存在设计性差异，0 个无法复现，1 个不可比" in text
    assert text.endswith("既不验证论文，也不验证代码。")
    assert "校准" not in headline.ledger_sentence(ledger, simulated=False, language="zh")


def test_the_estimate_sentence_in_chinese_names_the_truth_only_on_simulated_data():
    sim = headline.estimate_sentence(TIDY3, simulated=True, label="", truth=0.913, language="zh")
    assert "0.812，稳健标准误（HC1）为 0.046，而公布值为 0.950" in sim and "模拟中设定的效应为 0.913" in sim
    for cov in headline.COV_LABELS_ZH:
        text = headline.estimate_sentence(TIDY3.assign(cov_type=cov), simulated=True, label="", language="zh")
        tail = text.split("的效应为")[1]  # the estimate and its standard error (第（6）列 comes before)
        depth = [tail[: k + 1].count("（") - tail[: k + 1].count("）") for k in range(len(tail))]
        assert max(depth) <= 1 and f"{headline.COV_LABELS_ZH[cov]}为 0.046，而公布值" in text, text  # not nested
    user = headline.estimate_sentence(TIDY3, simulated=False, label="your file panel.csv", language="zh")
    assert "（your file panel.csv）" in user and "相差 2.8 个公布的标准误" in user and "模拟" not in user
    assert headline.estimate_sentence(None, True, "", missing="no ERL", language="zh").endswith("未能构建：no ERL。")
    with pytest.raises(ValueError, match="language='fr'"):
        headline.audit_sentence(pd.DataFrame({"severity": []}), language="fr")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_estimate_sentence_never_states_nan(language):
    nan_se = TIDY3.assign(se=np.nan)
    with pytest.raises(ValueError, match="the number se is nan"):
        headline.estimate_sentence(nan_se, simulated=True, label="", language=language)
    no_published_se = TIDY3.assign(published_se=0.0)
    with pytest.raises(ValueError, match="the number gap is nan"):
        headline.estimate_sentence(no_published_se, simulated=False, label="file", language=language)


# ------------------------------------------------------------------ omitted-variable benchmarks
@pytest.fixture(scope="module")
def darfur():
    smkr = pytest.importorskip("sensemakr")
    data = smkr.load_darfur()
    data = data.assign(village=pd.factorize(data["village"])[0])
    controls = ["age", "farmer_dar", "herder_dar", "pastvoted", "hhsize_darfur", "female"]
    res = sensitivity.sensitivity_analysis(
        data, y="peacefactor", x="directlyharmed", controls=controls, fe=("village",), k=(1.0, 2.0, 3.0)
    )
    return smkr, res


@pytest.mark.filterwarnings("ignore")
def test_the_multiple_that_removes_the_estimate_matches_pysensemakr(darfur):
    """On Cinelli & Hazlett's Darfur example a confounder three times as strong as "female" leaves the
    estimate positive (their Table 3); the multiple that brings it to zero is where PySensemakr's adjusted
    estimate for that benchmark crosses zero."""
    smkr, res = darfur
    female = res.bounds[res.bounds["benchmark"] == "female"].iloc[0]
    r2d, r2y = float(female["r2 with AIE"]), float(female["r2 with ERL"])
    k = sentences.benchmark_multiple(res, r2d, r2y)
    assert k is not None and k > 3

    def smkr_adjusted(kd: float) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            b = smkr.ovb_partial_r2_bound(r2dxj_x=r2d, r2yxj_dx=r2y, kd=[kd])
            adj = smkr.adjusted_estimate(
                estimate=res.estimate, se=res.se, dof=res.dof, r2dz_x=b["r2dz_x"], r2yz_dx=b["r2yz_dx"]
            )
            return float(np.asarray(adj)[0])

    assert smkr_adjusted(k * 0.999) > 0 >= smkr_adjusted(k * 1.001) - 1e-12
    k_sig = sentences.benchmark_multiple(res, r2d, r2y, target="insignificant")
    assert k_sig is not None and k_sig < k
    assert sentences.benchmark_multiple(res, 0.0, r2y) is None
    with pytest.raises(AichainInputError, match="target"):
        sentences.benchmark_multiple(res, r2d, r2y, target="half")


@pytest.mark.filterwarnings("ignore")
def test_the_benchmark_sentences_describe_both_associations(darfur):
    _, res = darfur
    text = sentences.benchmark_sentences(res)
    strongest_d = res.bounds.sort_values("r2 with AIE").iloc[-1]
    assert f"{strongest_d['benchmark']}, explains {strongest_d['r2 with AIE']:.4f} of AIE's" in text["benchmarks"]
    assert f"at least {res.partial_r2:.3f} of AIE's" in text["extreme"]
    assert f"at least {res.rv_alpha:.3f}" in text["rv_reading"]
    assert "times as strong as" in text["benchmarks"]
    no_controls = sensitivity.SensitivityResult(
        res.estimate, res.se, res.t, res.dof, res.partial_r2, res.rv, res.rv_alpha, pd.DataFrame(), {}
    )
    assert "no observed control" in sentences.benchmark_sentences(no_controls)["rv_reading"]


def _panel(stay_every: int | None, zero: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    units, years = np.repeat(np.arange(8), 6), np.tile(np.arange(2015, 2021), 8)
    aie = 0.5 + np.cumsum(rng.uniform(0.01, 0.1, size=48).reshape(8, 6), axis=1).ravel()
    d = pd.DataFrame({"unit_id": units, "year": years, "AIE": aie})
    if stay_every:  # some units keep last year's AIE
        d.loc[(d["unit_id"] % stay_every == 0) & (d["year"] == 2018), "AIE"] = d["AIE"].shift(1)
    if zero:
        d.loc[d["year"] == 2015, "AIE"] = 0.0
    return d


def test_the_continuous_did_sentence_follows_the_data():
    from aichain_utils.robustness import twfe_weights

    for data, expect in [
        (_panel(None), "none of the 40 consecutive unit-year pairs keeps AIE unchanged"),
        (_panel(2), "of the 40 consecutive unit-year pairs keep AIE unchanged (stayers)"),
        (_panel(None, zero=True), "unit-years have AIE = 0"),
    ]:
        stay = twfe_weights.stayers(data)
        text = sentences.continuous_did_sentence(stay, sentences.quasi_stayers(data))
        assert expect in text, text
        assert "did_multiplegt_stat" in text and "The book computes none of these estimators" in text
    stayers = sentences.continuous_did_sentence(twfe_weights.stayers(_panel(2)), sentences.quasi_stayers(_panel(2)))
    assert "apply in principle" in stayers
    with pytest.raises(AichainInputError, match="share"):
        sentences.quasi_stayers(_panel(None), share=1.5)


# ------------------------------------------------------------------ the lab's feedback scenarios
SCEN = {
    "reverse feedback": ("", {labtext.FEEDBACK: 0.2}),
    "strong reverse causality": ("", {labtext.FEEDBACK: 1.0}),
    "baseline": ("the calibrated panel", {}),
}


def _params(feedback: float, shock_sd: float = 0.01) -> dict:
    return {"latent_ai": {"feedback_from_erl_shock": feedback}, "erl": {"noise_sd": shock_sd}}


def _scen_estimates(fe: list[float], se: float = 0.02) -> pd.DataFrame:
    names = ["baseline", "reverse feedback", "strong reverse causality"]
    return pd.DataFrame({"scenario": names, "estimator": "FE", "estimate": fe, "se": se})


def test_the_feedback_text_is_computed_from_the_parameters():
    zero = labtext.feedback_sentences(_params(0.0), SCEN)
    assert "The closest world has no reverse feedback" in zero["base"] and "0.000" in zero["base"]
    assert "sets the feedback to 0.200:" in zero["reverse"] and "times the closest world" not in zero["reverse"]
    assert "1.000, 5 times the reverse feedback scenario's" in zero["strong"]
    some = labtext.feedback_sentences(_params(0.1), SCEN)
    assert "raises AI embedding by 0.100" in some["base"] and "2.0 times the closest world's" in some["reverse"]
    assert zero["base"].zh == "最接近的模拟世界没有反向反馈：其 latent_ai.feedback_from_erl_shock 为 0.000。"
    assert zero["reverse"].zh.startswith("将反馈设为 0.200：")
    assert zero["strong"].zh == "将反馈设为 1.000，是反向反馈情景的 5 倍。"
    assert "提高 0.100" in some["base"].zh
    assert some["reverse"].zh.startswith("将反馈设为 0.200，是最接近的模拟世界的 2.0 倍：")
    table = labtext.scenario_table(_params(0.0), SCEN).set_index("scenario")
    assert "the closest world's feedback is 0.000" in table.loc["reverse feedback", "what changes"]
    assert table.loc["baseline", "what changes"] == "the calibrated panel"
    assert table.loc["baseline", "parameters"] == "none"


def test_the_feedback_size_sentence_says_whether_one_panel_can_see_the_bias():
    assert (
        "moves AI embedding by 0.0100 per standard deviation" in labtext.feedback_sentences(_params(0.0), SCEN)["size"]
    )
    small = labtext.feedback_sentences(_params(0.0), SCEN, _scen_estimates([0.851, 0.851, 0.852]))["size"]
    assert "0.851 in the baseline, 0.851 under reverse feedback and 0.852 under strong" in small
    assert "too small to see in one panel" in small
    large = labtext.feedback_sentences(_params(0.0, 1.0), SCEN, _scen_estimates([0.85, 0.95, 1.30]))["size"]
    assert "moves the estimate by 0.450, more than its standard error (0.020)" in large
    assert "在强反向因果情景下为 0.852：" in small.zh and small.zh.endswith("小到在单个面板中无法看出。")
    assert large.zh.endswith("反馈使估计值变动 0.450，超过其标准误（0.020）。")
    assert labtext.feedback_sentences(_params(0.0), SCEN)["size"].zh.endswith("人工智能嵌入程度也只变动 0.0100。")


def test_bias_clauses_follow_the_lab_rule_of_twice_the_monte_carlo_se():
    """A chapter citing the lab's Monte Carlo calls an estimator biased exactly when the lab does."""
    import pandas as pd

    from aichain_utils.replication import lab, labtext

    summary = pd.DataFrame(
        {
            "estimator": ["A", "B"],
            "truth": [1.0, 1.0],
            "bias": [0.030, 0.030],
            "bias MC SE": [0.010, 0.020],  # 3 SEs: biased; 1.5 SEs: not detectable
            "SE ratio": [1.0, 1.0],
            "SE ratio MC SE": [0.05, 0.05],
            "95% CI coverage": [0.95, 0.95],
            "replications": [100, 100],
        }
    )
    verdicts = lab.monte_carlo_verdicts(summary)
    text = labtext.bias_clauses(verdicts, summary, ["A", "B"])
    assert text == (
        "over 100 replications the mean bias is A +0.030 (Monte Carlo SE 0.010; biased: beyond twice its Monte "
        "Carlo SE); B +0.030 (Monte Carlo SE 0.020; no bias detectable)"
    )
    assert "rerun make montecarlo" in labtext.bias_clauses(verdicts, summary, ["B"], current=False)
    assert text.zh == (
        "在 100 次重复中，平均偏误分别为：A 为 +0.030（蒙特卡洛标准误 0.010；有偏：超过其蒙特卡洛标准误的两倍）；"
        "B 为 +0.030（蒙特卡洛标准误 0.020；检测不到偏误）"
    )
    assert labtext.bias_clauses(verdicts, summary, ["B"], current=False).zh.endswith("请重新运行 make montecarlo）")


def test_the_failure_sentence_in_chinese_both_ways():
    import pandas as pd

    from aichain_utils.replication import lab, labtext

    ok = pd.DataFrame({"replication": [1, 2], "estimator": "FE", "estimate": 0.1, "se": 0.1, "truth": 0.1, "error": ""})
    assert labtext.failure_text(lab.failure_sentence(ok)).zh == "2 次重复中没有一次失败。"
    text = labtext.failure_text("3 of 200 replications (1.5%) failed and are left out of every statistic: 2 because "
                                "of RawDataError: too big; 1 because of ValueError: singular.")  # fmt: skip
    assert text.zh == (
        "200 次重复中有 3 次（1.5%）失败，已从所有统计量中剔除："
        "2 次因为 RawDataError: too big；1 次因为 ValueError: singular。"
    )
    with pytest.raises(ValueError, match="unknown shape"):
        labtext.failure_text("Some replications failed.")
