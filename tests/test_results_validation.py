"""The results object of the validation appendix (aichain_utils.replication.results.validation): its counts
equal the comparisons' and the stored Monte Carlo's verdicts, and each sentence is tested both ways."""

from __future__ import annotations

import pandas as pd
import pytest

from aichain_utils.replication import lab, validation
from aichain_utils.replication.results.validation import (
    Validation,
    feedback_sentence,
    mc_state,
    plural_cases,
    stored_sentence,
)

KEYS = [r.key for r in validation.REFERENCES[:2]]


def test_plural_cases():
    assert plural_cases(1) == "1 test case" and plural_cases(3) == "3 test cases"
    assert plural_cases(3).zh == "3 个测试用例"


def test_stored_sentence_names_the_stored_references_or_says_all_were_rerun():
    rerun = dict.fromkeys(KEYS, "rerun on this build")
    assert stored_sentence(rerun, {}) == "Every comparison was rerun on this build."
    text = stored_sentence({**rerun, KEYS[1]: "stored record (current)"}, {KEYS[1]: 61.4})
    program = validation.REFERENCES[1].program
    assert text.startswith(f"The comparisons with {program} (61 s when recorded) are too slow")


def test_feedback_sentence_with_and_without_feedback():
    assert "by 0.125 per unit of shock" in feedback_sentence(0.125)
    assert "（每单位冲击 0.125）" in feedback_sentence(0.125).zh
    assert feedback_sentence(0.0).zh.startswith("校准世界没有反向反馈")
    assert feedback_sentence(0.0).startswith("the calibrated world has no reverse feedback")


def test_mc_state_both_ways():
    assert mc_state(True) == "current" and mc_state(False).startswith("STALE")
    assert mc_state(True).zh == "最新的" and mc_state(False).zh.startswith("已过期（")


@pytest.fixture(scope="module")
def stored_mc():
    return lab.load_monte_carlo()


def _planted(stored_mc) -> Validation:
    rows = []
    for key, rel in zip(KEYS, [1e-9, 4e-3], strict=True):
        for test in ("t1", "t2"):
            rows.append(
                {
                    "reference": key,
                    "test": f"{key}:{test}",
                    "quantity": "b",
                    "ours": 1.0,
                    "expected": 1.0,
                    "tolerance": 1e-6,
                    "abs_diff": rel,
                    "rel_diff": rel,
                    "within": rel < 1e-3,
                }
            )
    comparisons = pd.DataFrame(rows)
    counts = pd.DataFrame(
        {
            "module": ["reference.a", "reference.b", "test_robustness"],
            "reference": [KEYS[0], "", "x"],
            "cases": [4, 1, 2],
        }
    )
    seconds = {KEYS[0]: 1.5, KEYS[1]: 60.2}
    source = {KEYS[0]: "rerun on this build", KEYS[1]: "stored record (current)"}
    mc, meta, current = stored_mc
    return Validation(comparisons, seconds, source, counts, mc, meta, current, feedback=0.0)


def test_planted_reference_numbers(stored_mc):
    n = _planted(stored_mc).numbers()
    assert (n.numbers, n.cases, n.refs, n.outside) == ("4", "4", 2, 2)
    assert (n.pytest, n.counting, n.elsewhere) == ("5", 1, "2 test cases")
    assert (n.top.rel, n.top.ref, n.top.tol) == (
        "4.0e-03",
        validation.REFERENCES[1].program,
        validation.REFERENCES[1].tolerance,
    )
    assert n.rerun_seconds == 1.5 and "(60 s when recorded)" in n.stored
    assert n.feedback_sentence == feedback_sentence(0.0)


def test_the_recovery_numbers_are_the_stored_monte_carlos_verdicts(stored_mc):
    v = _planted(stored_mc)
    n = v.numbers()
    mc, meta, current = stored_mc
    verdicts = lab.monte_carlo_verdicts(lab.monte_carlo_summary(mc))
    assert n.mc.reps == int(meta["reps"]) and n.mc.current == mc_state(current)
    assert n.mc.failures == lab.failure_sentence(mc)
    assert n.biased == (", ".join(verdicts.loc[verdicts["biased"], "estimator"]) or "none")
    assert n.unbiased == (", ".join(verdicts.loc[~verdicts["biased"], "estimator"]) or "none")
    assert n.wrong_se == (", ".join(verdicts.loc[verdicts["SEs"] != "right", "estimator"]) or "none")
    table = v.recovery_table()
    assert list(table["estimator"]) == list(verdicts["estimator"])
    assert set(table["biased"]) <= {"yes", "no"}


def test_planted_tables(stored_mc):
    v = _planted(stored_mc)
    refs = v.references_table()
    assert "origin" not in refs and list(refs["how obtained"]) == ["rerun on this build", "stored record (current)"]
    assert list(refs["largest relative difference"]) == ["1.0e-09", "4.0e-03"]
    assert list(v.origins_table().columns) == ["external reference", "origin", "licence"]
