"""The results object of the simulated-world chapter (aichain_utils.replication.results.simulated_world): every
parameter under its path, the effects it implies, and the calibration report's numbers."""

from __future__ import annotations

import pytest

from aichain_utils.replication import audit, calibration
from aichain_utils.replication.results.simulated_world import (
    indirect_effect,
    nsc_sentence,
    parameter_tree,
    simulated_dgp,
)
from aichain_utils.simulation import simulate


def test_parameter_tree_keeps_every_leaf_at_its_path_and_joins_lists():
    params = {"design": {"n_industries": 40, "shares": [0.5, 0.25]}, "seed": 7}
    assert parameter_tree(params) == {"design": {"n_industries": 40, "shares": "0.5, 0.25"}, "seed": 7}


def test_nsc_sentence_claims_a_stage_count_only_when_every_nsc_is_at_least_one():
    assert nsc_sentence(1.3).startswith("Every segment has at least one production stage (smallest NSC 1.30)")
    assert "positive in every segment" in nsc_sentence(0.1) and "0.10, below one" in nsc_sentence(0.1)
    assert "at least one production stage" not in nsc_sentence(0.1)
    assert "not positive" in nsc_sentence(-0.2)


def test_nsc_sentence_is_bilingual_on_each_side_of_the_rule():
    assert nsc_sentence(1.3).zh == "每个环节都至少有一个生产阶段（NSC 最小值为 1.30）"
    assert "小于一" in nsc_sentence(0.1).zh and "0.10" in nsc_sentence(0.1).zh
    assert "至少有一个" not in nsc_sentence(0.1).zh
    assert "并非处处为正" in nsc_sentence(-0.2).zh and "-0.20" in nsc_sentence(-0.2).zh


def test_nsc_sentence_refuses_a_planted_nan():
    with pytest.raises(ValueError, match="nsc_min=nan"):
        nsc_sentence(float("nan"))


def test_indirect_effect_sums_the_mediators():
    effects = {
        "fsie_on_erl": 0.5,
        "aie_on_fsie": 0.2,
        "itse_forward_on_erl": 0.1,
        "aie_on_itse_forward": 1.0,
        "itse_backward_on_erl": -0.2,
        "aie_on_itse_backward": 0.5,
    }
    assert indirect_effect(effects) == pytest.approx(0.1 + 0.1 - 0.1)


@pytest.fixture(scope="module")
def world():
    return simulated_dgp()


def test_every_parameter_is_a_number_of_the_page(world):
    params = simulate.load_params()
    n = world.numbers()
    flat = n.flat()
    for path in simulate.leaf_paths(params):
        node = params
        for key in path.split("."):
            node = node[key]
        want = ", ".join(str(v) for v in node) if isinstance(node, list) else node
        assert flat["world_p_" + path.replace(".", "_")] == want, path
    assert n.n_params == len(simulate.leaf_paths(params))
    eff = params["effects"]
    assert n.direct == pytest.approx(eff["aie_on_erl_total"] - n.indirect)
    segments = simulate.segment_effects(params)
    assert (n.seg_front, n.seg_inter, n.seg_back) == tuple(float(segments[s]) for s in ("front", "inter", "back"))


def test_the_scale_and_aie_numbers_are_the_simulated_panels(world):
    n = world.numbers()
    assert n.itse_min == float(world.sim_data["ITSE"].min()) and n.erl_max == float(world.sim_data["ERL"].max())
    assert n.itse_min <= n.itse_max
    assert n.nsc_min == float(world.sim_data[["NSC_front", "NSC_inter", "NSC_back"]].min().min())
    floor = audit.aie_mean_floor()
    assert (n.aie_floor.floor, n.aie_floor.room) == (floor["floor"], floor["room"])


def test_the_calibration_numbers_are_the_stored_reports(world):
    cal = calibration.read_result()
    n = world.numbers().cal
    assert n.n_seeds == len(cal["seeds"]["calibration"]) and n.holdout == cal["seeds"]["holdout"]
    assert n.oos_band == 100 * cal["summary"]["out_of_sample"]["share_in_central_band"]
    assert n.n_cells == cal["summary"]["out_of_sample"]["cells"]
