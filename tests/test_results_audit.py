"""The results object of the audit chapter (aichain_utils.replication.results.audit): its counts equal the
audit's, the claims' and the calibration report's, and each verdict and sentence is tested both ways."""

from __future__ import annotations

import pandas as pd
import pytest

from aichain_utils.replication import audit, calibration, claims
from aichain_utils.replication.numbers import Bilingual
from aichain_utils.replication.results.audit import (
    FAMILIES_ZH,
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


def test_count_words_of_a_bilingual_word_is_bilingual():
    three = count_words(3, Bilingual("error", "错误"))
    assert (three, three.zh) == ("3 errors", "3 项错误")
    assert count_words(1, Bilingual("note", "提示")).zh == "1 项提示"
    assert not isinstance(count_words(3, "error"), Bilingual)


def test_stars_verdict_both_ways():
    assert stars_verdict(0).startswith("every printed star is consistent")
    assert stars_verdict(2).startswith("the stars listed below do not match")
    assert stars_verdict(0).zh == "每个印出的星号都与其系数和标准误相符"
    assert stars_verdict(2).zh == "下列星号与其系数和标准误不符"


def test_quotes_sentence_with_and_without_the_paper():
    found = quotes_sentence(10, 2, True)
    assert found.startswith("The book attributes 10 quotations") and "8 of them occur verbatim" in found
    assert "not next to this checkout" in quotes_sentence(10, 0, False)
    assert found.zh.startswith("本书归于论文的引文共 10 处") and "其中 8 处在论文原文中逐字出现" in found.zh
    assert "未加核对" in quotes_sentence(10, 0, False).zh and "逐字出现" not in quotes_sentence(10, 0, False).zh


def test_legs_sentence_counts_the_multi_leg_claims():
    table = pd.DataFrame(
        {"id": ["H1", "H2", "H3", "C1"], "legs": [2, 2, 3, 1], "published supports": ["yes", "not shown", "no", "yes"]}
    )
    text = legs_sentence(table)
    assert text.startswith("3 of the paper's 4 claims have several legs (H1, H2, H3)")
    assert "support 1 of them, and 1 rest on a leg" in text
    assert text.zh == (
        "论文的 4 项论断中有 3 项包含多个组成部分（H1、H2、H3）；"
        "逐一检验每个部分，论文自己的表格支持其中 1 项，另有 1 项依赖论文未报告的部分。"
    )


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
    assert worst_gaps(cw).zh == "表 4（2）相差 3.0 个标准误，表 5（3）相差 2.0 个标准误，表 6（4）相差 1.5 个标准误"
    assert worst_gaps(cw.assign(within_one_se=True)) == "none"
    assert worst_gaps(cw.assign(within_one_se=True)).zh == "无"


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
    assert (n.errors.zh, n.warnings.zh, n.notes.zh) == ("2 项错误", "1 项警告", "1 项提示")
    assert n.cal.worst.zh == "表 4（2）相差 2.5 个标准误"
    assert n.stars_verdict.zh == stars_verdict(2).zh and n.legs_sentence.zh.startswith("论文的 2 项论断中有 1 项")
    assert "audit_cal_worst" in n.flat() and "audit_design_levels" in n.flat()


def test_planted_family_counts_and_lists():
    a = _planted()
    assert a.family_counts("stars") == "1 error, 1 warning"
    assert a.family_counts("quotes") == "no finding"
    assert (a.family_counts("stars").zh, a.family_counts("quotes").zh) == ("1 项错误，1 项警告", "无发现")
    assert a.explanations_markdown().splitlines()[0] == "1. **error**, Table 3 (1), *c*: why"
    families = a.families_markdown()
    assert len(families.splitlines()) == len(families.zh.splitlines()) == len(audit.FAMILIES)
    stars = list(audit.FAMILIES).index("stars")
    assert families.splitlines()[stars] == f"{stars + 1}. **`stars`**: {audit.FAMILIES['stars']} (1 error, 1 warning)."
    zh = f"{stars + 1}. **`stars`**：{FAMILIES_ZH['stars']}（1 项错误，1 项警告）。"
    assert families.zh.splitlines()[stars] == zh
    assert set(FAMILIES_ZH) == set(audit.FAMILIES)
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
