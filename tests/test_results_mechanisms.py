"""The mechanisms chapter's results object (Table 6): its numbers equal the mediation analysis they come
from, and a user's file has no true second leg (issue 25, item 2)."""

from __future__ import annotations

import math

import pytest

from aichain_utils.replication.results import mechanisms


@pytest.fixture(scope="module")
def panel():
    from aichain_utils.inputs.panel import load_analysis_panel

    return load_analysis_panel()


@pytest.fixture(scope="module")
def t6(panel):
    return mechanisms.table6(panel, bootstrap_reps=19)


def test_numbers_are_the_mediation_numbers(t6, panel):
    from aichain_utils.replication.mediation import mediation_analysis
    from aichain_utils.replication.numbers import true_effect

    n = t6.numbers()
    r = mediation_analysis(panel.data, "FSIE")
    assert n.fsie.a == r.first_stage.coef and n.fsie.b == r.second_stage_b.coef and n.fsie.indirect == r.indirect
    assert n.fsie.share_pct == 100 * r.share_mediated
    assert n.fsie.decomposition_gap < 1e-9
    shares = [mediation_analysis(panel.data, m).share_mediated for m in ("FSIE", "ITSE_forward", "ITSE_backward")]
    assert n.share_sum_pct == pytest.approx(100 * sum(shares), rel=1e-12)
    assert n.fsie.true_b == true_effect(panel, "fsie_on_erl")
    assert n.bootstrap_reps == 19 and n.c1.published_n > 0
    assert all(k.startswith("t6_") for k in n.flat())
    assert list(t6.chain_table()["mediator"]) == ["FSIE", "ITSE_forward", "ITSE_backward"]


def test_a_user_file_has_no_true_second_leg(t6, monkeypatch):
    monkeypatch.setattr(mechanisms, "true_effect", lambda panel, name: None)
    n = t6.numbers()
    assert n.fsie.true_b is None and math.isnan(n.glue_values()["t6_fsie_true_b"])
    assert n.reasons == {"fsie.true_b": mechanisms.NOT_SIMULATED}
