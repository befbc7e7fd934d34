"""The results object of the audit chapter (aichain_utils.replication.results.audit): its counts equal the
audit's, the claims' and the calibration report's, and each verdict and sentence is tested both ways."""

from __future__ import annotations

import pandas as pd
import pytest

from aichain_utils.replication import audit, calibration, claims
from aichain_utils.replication.results.audit import (
    AuditResults,
    consistency_audit,
    count_words,
    legs_sentence,
    quotes_sentence,
    stars_verdict,
    worst_gaps,
)


def test_count_words_is_singular_for_one():
    assert count_words(1, "error") == "1 error"
    assert count_words(0, "note") == "0 notes" and count_words(3, "warning") == "3 warnings"


def test_stars_verdict_both_ways():
    assert stars_verdict(0).startswith("every printed star is consistent")
    assert stars_verdict(2).startswith("the stars listed below do not match")


def test_quotes_sentence_with_and_without_the_paper():
    found = quotes_sentence(10, 2, True)
    assert found.startswith("The book attributes 10 quotations") and "8 of them occur verbatim" in found
    assert "not next to this checkout" in quotes_sentence(10, 0, False)


def test_legs_sentence_counts_the_multi_leg_claims():
    table = pd.DataFrame(
        {"id": ["H1", "H2", "H3", "C1"], "legs": [2, 2, 3, 1], "published supports": ["yes", "not shown", "no", "yes"]}
    )
    text = legs_sentence(table)
    assert text.startswith("3 of the paper's 4 claims have several legs (H1, H2, H3)")
    assert "support 1 of them, and 1 rest on a leg" in text


def test_worst_gaps_names_the_largest_misses_or_none():
    cw = pd.DataFrame(
        {
            "table": [3, 4, 5, 6, 7],
            "column": [1, 2, 3, 4, 5],
            "gap_in_se": [0.5, -3.0, 2.0, 1.5, -1.2],
            "within_one_se": [True, False, False, False, False],
        }
    )
    assert worst_gaps(cw) == "Table 4 (2) by 3.0 SE, Table 5 (3) by 2.0 SE, Table 6 (4) by 1.5 SE"
    assert worst_gaps(cw.assign(within_one_se=True)) == "none"


_CELL = {"published": 0.3, "published_se": 0.1, "closest": 0.28, "conflicts_with": ""}


def _planted() -> AuditResults:
    findings = pd.DataFrame(
        {
            "severity": ["error", "error", "warning", "info"],
            "family": ["stars", "nesting", "stars", "prose_vs_table"],
            "check": ["c"] * 4,
            "table": ["Table 3"] * 4,
            "cells": ["(1)"] * 4,
            "explanation": ["why"] * 4,
        }
    )
    claim_table = pd.DataFrame({"id": ["H1", "H2"], "legs": [2, 1], "published supports": ["yes", "not shown"]})
    design = {"n_industries": 40, "first_year": 2012, "last_year": 2022, "significance_levels": "0.1|0.05|0.01"}
    cal = {
        "closest_world": [
            {"table": 3, "column": 1, "gap_in_se": 0.2, "within_one_se": True, **_CELL},
            {"table": 4, "column": 2, "gap_in_se": -2.5, "within_one_se": False, **_CELL},
        ],
        "effects_history": [{"objective": 90.0}, {"objective": 30.0}, {"objective": 12.5}],
    }
    return AuditResults(findings, claim_table, design, n_quotes=5, paper_found=True, calibration=cal)


def test_planted_numbers():
    n = _planted().numbers()
    assert (n.n_findings, n.errors, n.warnings, n.notes) == (4, "2 errors", "1 warning", "1 note")
    assert n.n_star_findings == 2 and n.stars_verdict == stars_verdict(2)
    assert (n.n_families, n.n_families_all, n.n_prose) == (3, len(audit.FAMILIES), 1)
    assert (n.design.industries, n.design.years, n.design.levels) == (40, "2012–2022", "10%, 5%, 1%")
    assert "5 of them occur verbatim" in n.quotes_sentence
    assert (n.claims.n, n.claims.pub, n.claims.not_shown) == (2, 1, 1)
    assert (n.cal.n, n.cal.ok, n.cal.missed, n.cal.iter) == (2, 1, 1, 2)
    assert (n.cal.q0, n.cal.q1, n.cal.worst) == (90.0, 12.5, "Table 4 (2) by 2.5 SE")
    assert "audit_cal_worst" in n.flat() and "audit_design_levels" in n.flat()


def test_planted_family_counts_and_lists():
    a = _planted()
    assert a.family_counts("stars") == "1 error, 1 warning"
    assert a.family_counts("quotes") == "no finding"
    assert a.explanations_markdown().splitlines()[0] == "1. **error**, Table 3 (1), *c*: why"
    assert len(a.families_markdown().splitlines()) == len(audit.FAMILIES)
    assert list(a.closest_table()["cell"]) == ["Table 3 (1)", "Table 4 (2)"]


@pytest.fixture(scope="module")
def built() -> AuditResults:
    return consistency_audit()


def test_the_numbers_are_the_audits(built):
    n = built.numbers()
    findings = audit.run_audit()
    assert n.n_findings == len(findings)
    assert n.errors == count_words(int((findings["severity"] == "error").sum()), "error")
    assert n.n_star_findings == int((findings["family"] == "stars").sum())
    table = claims.evaluate_claims()
    assert n.claims.n == len(table) and n.claims.pub == int((table["published supports"] == "yes").sum())
    cw = pd.DataFrame(calibration.read_result()["closest_world"])
    assert (n.cal.n, n.cal.ok) == (len(cw), int(cw["within_one_se"].sum()))
