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


def test_where_run_and_mc_state():
    assert where_run({"workers": 2}) == "2 local processes"
    assert where_run({"workers": None}) == "a Dask cluster"
    assert mc_state(True) == "current" and mc_state(False) == "STALE: rerun make montecarlo"


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
    summary = planted.summary_table()
    assert (summary["95% CI coverage (%)"] == 100 * lab.monte_carlo_summary(planted.mc)["95% CI coverage"]).all()
    assert len(planted.verdict_markdown().splitlines()) == len(lab.ESTIMATORS)


def test_exercise_panels_are_the_solutions():
    ex = exercise_panels()
    for name in ("baseline", "reverse feedback"):
        p = lab.scenario_params(name)
        part = ex[ex["scenario"] == name]
        assert part["feedback"].iloc[0] == round(p["latent_ai"]["feedback_from_erl_shock"], 3)
        assert list(part.index) == EXERCISE_ESTIMATORS
