"""The results object of "Replication at a glance" (aichain_utils.replication.results.glance): its counts
equal the ledger's, the closest world's and the claims', and each clause it computes is tested both ways."""

from __future__ import annotations

import pandas as pd
import pytest

from aichain_utils.replication import closestworld, ledger
from aichain_utils.replication.results import glance as glance_module
from aichain_utils.replication.results.glance import (
    Glance,
    availability_sentence,
    claims_clause,
    coef_scope,
    stale_clause,
)


# ------------------------------------------------------------------ clauses, both ways
def test_coef_scope_is_empty_when_every_coefficient_was_estimated():
    assert coef_scope(0) == ""
    assert "the other 3 have no counterpart on these data" in coef_scope(3)
    assert coef_scope(3).zh == "（仅计本次构建的数据使本书得以估计者；其余 3 个在这些数据上没有对应项，计为不可比）"


def test_availability_sentence_says_every_column_or_counts_them():
    assert availability_sentence({"columns": 40, "built": 40, "not_built": 0}).endswith(
        "build every column of Tables 3–10."
    )
    text = availability_sentence({"columns": 40, "built": 35, "not_built": 5})
    assert "build 35 of the 40 columns" in text and "the other 5 are counted as not comparable" in text
    assert text.zh.startswith("本次构建的数据使本书得以构建表 3–10 共 40 列中的 35 列；其余 5 列的公布的数字计为不可比")
    assert availability_sentence({"columns": 40, "built": 40, "not_built": 0}).zh == (
        "本次构建的数据使本书得以构建表 3–10 的每一列。"
    )


def test_stale_clause_only_when_the_world_monte_carlo_is_stale():
    assert stale_clause(True) == ""
    assert "stale" in stale_clause(False) and "make montecarlo-world" in stale_clause(False)
    stale = stale_clause(False).zh
    assert stale.startswith("存储的蒙特卡洛模拟结果已过期") and "make montecarlo-world" in stale


def test_claims_clause_only_when_a_claim_cannot_be_judged():
    assert claims_clause(0) == ""
    assert claims_clause(2) == " (2 cannot be judged on these data: a table they rest on was not built)"
    assert claims_clause(2).zh == "（其中 2 项在这些数据上无法判断：其所依据的表格未能构建）"


# ------------------------------------------------------------------ a planted ledger
class _Availability:
    def __init__(self, counts):
        self._counts = counts

    def counts(self):
        return self._counts

    def summary(self):
        return pd.DataFrame({"table": [3], "built": ["yes"]})


def _planted() -> Glance:
    rows = [
        ("coef", "reproduced", ""),
        ("coef", "reproduced", ""),
        ("coef", "cannot be reproduced", "F1"),
        ("coef", "differs by design", ""),
        ("coef", "not comparable", ""),
        ("se", "reproduced", ""),
        ("n", "cannot be reproduced", "F2"),
    ]
    book_ledger = pd.DataFrame(
        [
            {
                "table": 3,
                "column": i + 1,
                "statistic": s,
                "published": 1.0,
                "replicated": 1.0,
                "tolerance": 0.1,
                "verdict": v,
                "finding": f,
                "reason": "",
            }
            for i, (s, v, f) in enumerate(rows)
        ]
    )
    world = pd.DataFrame(
        {
            "statistic": ["coef", "coef", "coef", "coef", "se"],
            "verdict": [
                closestworld.VERDICTS[0],
                closestworld.VERDICTS[0],
                closestworld.VERDICTS[1],
                "outside its 95% band",
                closestworld.VERDICTS[0],
            ],
        }
    )
    claim_table = pd.DataFrame(
        {"published supports": ["yes", "yes", "no"], "replicated supports": ["yes", "not comparable", "no"]}
    )
    heads = {
        "headline_world": "W.",
        "headline_audit": "A.",
        "headline_claims": "C.",
        "headline_estimate": "E.",
        "headline_ledger": "L.",
    }
    return Glance(
        book_ledger,
        {},
        world,
        {"reps": 200, "failed_replications": 1},
        False,
        _Availability({"columns": 10, "built": 8, "not_built": 2}),
        claim_table,
        heads,
    )


def test_planted_counts():
    g = _planted()
    n = g.numbers()
    assert (n.n.numbers, n.n.reproduced, n.n.cannot_be_reproduced, n.n.differs_by_design, n.n.not_comparable) == (
        7,
        3,
        2,
        1,
        1,
    )
    # coefficients: the not-comparable one is out of scope; of the other 4, 2 reproduced, 1 has no finding
    assert (n.coef.n, n.coef.ok, n.coef.nofinding) == (4, 2, 1)
    assert "the other 1 have no counterpart" in n.coef.scope
    assert n.open_rows == 4 == len(g.open_table())
    share = closestworld.band_share(g.world)
    assert (n.world.n, n.world.inside, n.world.edge, n.world.outside) == (4, 2, 1, 1)
    assert n.world.share == 100 * share["share"] == 50.0 and n.world.share_high == 75.0
    assert (n.world.all_n, n.world.all_inside, n.world.rows) == (5, 3, 5)
    assert (n.world.reps, n.world.failed) == (200, 1) and "stale" in n.world.current
    assert (n.claims.n, n.claims.pub, n.claims.rep) == (3, 2, 1)
    assert n.claims.nc_clause.startswith(" (1 cannot be judged")
    assert n.headline.world == "W." and n.headline.ledger == "L."
    assert "build 8 of the 10 columns" in n.avail_sentence
    assert "glance_world_share_high" in n.flat() and "glance_headline_estimate" in n.flat()


def test_planted_tables():
    g = _planted()
    assert list(g.counts_table().columns) == list(ledger.summary(g.ledger).reset_index().columns)
    assert list(g.tolerance_table()["statistic"]) == list(ledger.TOLERANCES)
    assert set(g.open_table()["verdict"]) == {"cannot be reproduced", "differs by design", "not comparable"}


# ------------------------------------------------------------------ the build's panel
@pytest.fixture(scope="module")
def built():
    from aichain_utils.inputs.panel import load_analysis_panel

    panel = load_analysis_panel()
    return panel, glance_module.at_a_glance(panel)


def test_the_numbers_are_the_ledgers_and_the_worlds(built):
    panel, g = built
    book_ledger, _ = ledger.ledger_for_panel(panel)
    n = g.numbers()
    assert n.n.numbers == len(book_ledger)
    for verdict in ledger.VERDICTS:
        assert n.n[verdict.replace(" ", "_")] == int((book_ledger["verdict"] == verdict).sum())
    share = closestworld.band_share(closestworld.closest_world_table())
    assert (n.world.n, n.world.inside, n.world.edge) == (share["n"], share["inside"], share["edge"])
    assert n.world.reps == int(closestworld.load_world()[1]["reps"])
    assert set(n.headline) == {"world", "audit", "claims", "estimate", "ledger"}
    # each headline sentence in both languages, from the same counts (report.headline, language="en" / "zh")
    assert n.headline.world.startswith("Judged against the closest world") and "中央 95% 区间" in n.headline.world.zh
    assert n.headline.ledger.zh.startswith(f"在复现台账的 {len(book_ledger)} 个公布的数字中")
