"""The appendix "Validating the estimators" counts exactly what the reference tests compare (issue 21).

``validation.run_comparisons`` reruns the comparisons from the test modules' own case lists; these
tests check its counts against what pytest collects from the same modules, so a comparison added to
(or removed from) the tests without the appendix following fails here.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache

import pytest

from aichain_utils.errors import AichainInputError
from aichain_utils.paths import repo_root
from aichain_utils.replication import validation

#: Test functions of tests/reference that compare no number with a reference (they count the cases).
NOT_COMPARISONS = {"test_enough_reference_numbers"}


@cache
def _build():
    return validation.build_comparisons()


def test_every_reference_test_case_is_in_the_appendix():
    comparisons, _, _ = _build()
    counts = validation.pytest_case_counts()
    unowned = counts[counts["reference"] == ""]
    assert set(unowned["test"]) <= NOT_COMPARISONS, f"reference tests the appendix does not rerun: {unowned}"
    per_test = comparisons.assign(function=comparisons["test"].str.split("[").str[0])
    got = per_test.groupby(["reference", "function"])["test"].nunique()
    owned = counts[counts["reference"] != ""].set_index(["reference", "test"])["cases"]
    assert got.to_dict() == owned.to_dict()


def test_case_counts_equal_what_pytest_collects():
    """The counts from the parametrize marks are pytest's own collection of tests/reference."""
    root = repo_root()
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests/reference"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    collected = [line for line in out.splitlines() if line.startswith("tests/reference/") and "::" in line]
    counts = validation.pytest_case_counts()
    in_reference = counts[counts["module"].str.startswith("reference.")]
    assert len(collected) == in_reference["cases"].sum()
    comparisons, _, _ = _build()
    summary = validation.reference_summary(*_build()[:2])
    assert summary["test cases"].sum() == comparisons["test"].nunique()
    assert summary["numbers"].sum() == len(comparisons)


def test_every_comparison_is_within_the_tests_tolerance():
    comparisons, _, source = _build()
    assert set(source) == {r.key for r in validation.REFERENCES}
    outside = comparisons[~comparisons["within"]]
    assert outside.empty, outside
    summary = validation.reference_summary(*_build()[:2])
    assert (summary["outside tolerance"] == 0).all()
    assert summary["largest |difference|"].notna().all()


def test_a_stale_record_is_never_shown(tmp_path, monkeypatch):
    """With a record whose fingerprint does not match, the build reruns the slow reference."""
    key = validation.SLOW_REFERENCES[0]
    record = validation.load_record(key)
    stale = f"data/validation/{key} is stale: run `python -m aichain_utils.replication.validation`"
    assert record is not None and record[2], stale
    monkeypatch.setattr(validation, "record_fingerprint", lambda k: "changed")
    monkeypatch.setattr(validation, "run_comparisons", lambda keys: (record[0].iloc[:0], dict.fromkeys(keys, 0.0)))
    _, _, source = validation.build_comparisons()
    assert source[key] == "rerun on this build"


def test_unknown_reference_is_an_input_error():
    with pytest.raises(AichainInputError, match=r"keys.*nope"):
        validation.run_comparisons(["nope"])


def test_p_tolerance_counts_only_the_ties():
    """The wildboottest comparison's p-value tolerance (tests/reference/test_wildboottest.py). Planted:
    three of four bootstrap t away from the observed t, one equal to it up to rounding."""
    import numpy as np
    from reference.test_wildboottest import p_tolerance

    class Planted:
        t_stat = np.array([2.0])
        t_boot = np.array([0.5, -2.0 * (1 + 1e-12), 3.0, 1.0])

    assert p_tolerance(Planted()) == pytest.approx(0.25, abs=1e-11)
    Planted.t_boot = np.array([0.5, -2.1, 3.0, 1.0])
    assert p_tolerance(Planted()) < 1e-11
