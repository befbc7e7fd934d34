"""The results object of the simulation lab (aichain_utils.replication.results.simulation_lab): its numbers
equal the stored Monte Carlo's and the lab's sentences, and each reading is tested both ways."""

from __future__ import annotations

import pandas as pd
import pytest

from aichain_utils.replication import lab, labtext
from aichain_utils.replication.results.simulation_lab import (
    EXERCISE_ESTIMATORS,
    SimulationLab,
    exercise_panels,
    mc_state,
    reading,
    where_run,
)
from aichain_utils.simulation import simulate


def test_reading_both_ways():
    assert reading(pd.Series([0.4, 1.99])) == "both within two of their standard errors of the truth"
    assert reading(pd.Series([0.4, 2.5])) == "not both within two of their standard errors of the truth"
    assert reading(pd.Series([0.4, 1.99])).zh == "两者都在真值的两个标准误之内"
    assert reading(pd.Series([0.4, 2.5])).zh == "并非两者都在真值的两个标准误之内"


def test_where_run_and_mc_state():
    assert where_run({"workers": 2}) == "2 local processes"
    assert where_run({"workers": None}) == "a Dask cluster"
    assert mc_state(True) == "current" and mc_state(False) == "STALE: rerun make montecarlo"
    assert (where_run({"workers": 2}).zh, where_run({"workers": None}).zh) == ("2 个本地进程", "一个 Dask 集群")
    assert mc_state(True).zh == "最新的" and mc_state(False).zh == "已过期：请重新运行 make montecarlo"


def _scenarios() -> pd.DataFrame:
    rows = []
    for i, name in enumerate(lab.SCENARIOS):
        for j, est in enumerate(lab.ESTIMATORS):
            rows.append(
                {"scenario": name, "estimator": est, "estimate": 0.3 + 0.01 * i + 0.001 * j, "se": 0.05, "truth": 0.3}
            )
    return pd.DataFrame(rows)


def _exercise() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "scenario": ["baseline", "baseline", "reverse feedback", "reverse feedback"],
            "feedback": [0.0, 0.0, 0.2, 0.2],
            "estimate": [0.31, 0.29, 0.45, 0.41],
            "se": [0.05] * 4,
            "truth": [0.3] * 4,
            "SEs from truth": [0.2, 0.2, 3.0, 2.2],
        },
        index=pd.Index(EXERCISE_ESTIMATORS * 2, name="estimator"),
    )
    return frame


@pytest.fixture(scope="module")
def planted() -> SimulationLab:
    mc, meta, current = lab.load_monte_carlo()
    return SimulationLab(simulate.load_params(), _scenarios(), mc, meta, current, _exercise())


def test_planted_exercise_numbers(planted):
    ex = planted.numbers().ex1
    assert ex.truth == 0.3
    assert (ex.base.feedback, ex.base.fe, ex.base.fd, ex.base.fe_z) == (0.0, 0.31, 0.29, 0.2)
    assert ex.base.reading.startswith("both within") and ex.rev.reading.startswith("not both within")
    assert (ex.rev.feedback, ex.rev.fe, ex.rev.fd_z) == (0.2, 0.45, 2.2)


def test_the_numbers_are_the_stored_monte_carlos_and_the_labs_sentences(planted):
    n = planted.numbers()
    mc, meta, current = lab.load_monte_carlo()
    assert (n.mc.reps, n.mc.seed, n.mc.seconds) == (int(meta["reps"]), int(meta["first_seed"]), float(meta["seconds"]))
    assert n.mc.current == mc_state(current) and n.mc.failures == lab.failure_sentence(mc)
    assert n.mc.sim_checks == lab.simulator_check_sentence(lab.simulator_check_records())
    fb = labtext.feedback_sentences(planted.params, estimates=planted.scenarios)
    assert (n.fb.base, n.fb.reverse, n.fb.strong, n.fb.size) == (fb["base"], fb["reverse"], fb["strong"], fb["size"])
    assert n.seed == int(planted.params["seed"])
    assert "lab_ex1_rev_fd_z" in n.flat() and "lab_mc_sim_checks" in n.flat()


def test_planted_tables(planted):
    est = planted.estimates_table()
    assert list(est["scenario"]) == list(lab.SCENARIOS) and list(est.columns[1:]) == lab.ESTIMATORS
    assert "scenario (true values)" in planted.truth_table()
    assert len(planted.scenario_markdown().splitlines()) == len(lab.SCENARIOS)
    assert planted.scenario_markdown().splitlines() == [f"- {line}" for line in lab.scenario_reading(planted.scenarios)]
    assert planted.scenario_markdown().zh.splitlines()[0].startswith("- 基准：")
    summary = planted.summary_table()
    assert (summary["95% CI coverage (%)"] == 100 * lab.monte_carlo_summary(planted.mc)["95% CI coverage"]).all()
    assert len(planted.verdict_markdown().splitlines()) == len(lab.ESTIMATORS)
    assert planted.verdict_markdown().splitlines() == [f"- {s}" for s in planted.verdicts()["sentence"]]
    zh = planted.verdict_markdown().zh.splitlines()
    assert [line.split("：", 1)[0] for line in zh] == [f"- {e}" for e in lab.ESTIMATORS]


def test_scenario_sentences_both_ways_in_both_languages():
    scenarios = _scenarios()
    far = scenarios.assign(estimate=scenarios["truth"] + 0.2)  # 4 SEs from the truth everywhere
    far.loc[far["scenario"] != "baseline", "se"] = 0.2  # SEs four times the baseline's; 1 SE from the truth
    near = [labtext.scenario_sentence(s) for s in lab.scenario_reading(scenarios.assign(estimate=0.3))]
    moved = [labtext.scenario_sentence(s) for s in lab.scenario_reading(far)]
    assert near[0] == "baseline: every estimate lies within 2 SEs of the truth."
    assert near[0].zh == "基准：每个估计都在真值的 2 个标准误之内。"
    assert moved[0].zh.startswith("基准：距真值超过 2 个标准误：FE（估计值 0.500，真值 0.300，相差 4.0 个标准误）、")
    assert moved[0].zh.endswith("indirect FSIE（估计值 0.500，真值 0.300，相差 4.0 个标准误）；其余估计均在此范围内。")
    assert moved[1].zh.startswith("无效应：每个估计都在真值的 2 个标准误之内。FE 的标准误是其基准标准误的 4.0 倍；")
    assert moved[1].zh.endswith("indirect FSIE 的标准误是其基准标准误的 4.0 倍。")
    assert set(labtext.SCENARIOS_ZH) == set(lab.SCENARIOS)
    with pytest.raises(ValueError, match="unknown shape"):
        labtext.scenario_sentence("baseline: every estimate is fine.")
    with pytest.raises(ValueError, match="unknown shape"):
        labtext.scenario_sentence("a new scenario: every estimate lies within 2 SEs of the truth.")


def _summary(**row) -> pd.DataFrame:
    base = {"estimator": "FE", "bias": 0.0, "bias MC SE": 0.01, "SE ratio": 1.0, "SE ratio MC SE": 0.02,
            "95% CI coverage": 0.95, "coverage MC SE": 0.01, "replications": 200, "SD of estimates": 0.1}  # fmt: skip
    return pd.DataFrame([{**base, **row}])


@pytest.mark.parametrize(
    ("row", "english", "chinese"),
    [
        ({}, ["no bias is detectable in 200", "match its sampling spread", "within twice its Monte Carlo error of 95%"],
         ["在 200 次重复中检测不到偏误", "其标准误与其抽样离散程度相符", "与 95% 的差距在其蒙特卡洛误差的两倍之内"]),
        ({"bias": 0.1, "SE ratio": 0.5, "95% CI coverage": 0.6}, ["the estimator is biased", "too small", "below 95%"],
         ["该估计量有偏", "其标准误过小", "低于 95%", "可检测到的原因：偏误与过小的标准误", "覆盖率的不足主要来自"]),
        ({"SE ratio": 1.5, "95% CI coverage": 0.99}, ["too large", "above 95%"], ["其标准误过大", "高于 95%"]),
        ({"95% CI coverage": 0.6}, ["Neither a detectable bias"], ["都不能解释这一点"]),
    ],
)  # fmt: skip
def test_verdict_sentences_both_ways_in_both_languages(row, english, chinese):
    sentence = labtext.verdict_sentence(lab.monte_carlo_verdicts(_summary(**row))["sentence"].iloc[0])
    assert all(e in sentence for e in english) and all(c in sentence.zh for c in chinese), sentence.zh
    assert sentence.zh.startswith("FE：偏误 ")


def test_a_verdict_of_another_shape_has_no_chinese():
    with pytest.raises(ValueError, match="unknown shape"):
        labtext.verdict_sentence("FE: bias +0.000, fine.")


def test_exercise_panels_are_the_solutions():
    ex = exercise_panels()
    for name in ("baseline", "reverse feedback"):
        p = lab.scenario_params(name)
        part = ex[ex["scenario"] == name]
        assert part["feedback"].iloc[0] == round(p["latent_ai"]["feedback_from_erl_shock"], 3)
        assert list(part.index) == EXERCISE_ESTIMATORS
