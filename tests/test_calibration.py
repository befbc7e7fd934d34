"""The calibration of the default simulated world (``make calibrate``) and the closest world."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from aichain_utils import calibration, simulate
from aichain_utils.paramtree import apply_calibrated, get_param, set_param


def test_parameter_paths_read_and_write_and_refuse_typos():
    p = {"a": {"b": 1.0, "c": [1, 2, 3]}}
    assert get_param(p, "a.c.1") == 2
    set_param(p, "a.c.1", 5)
    set_param(p, "a.b", 2.0)
    assert p == {"a": {"b": 2.0, "c": [1, 5, 3]}}
    with pytest.raises(KeyError, match=r"a\.x"):
        set_param(p, "a.x", 1.0)  # a typo never creates a key
    with pytest.raises(KeyError, match="'z'"):
        get_param(p, "z.b")


def test_calibrated_block_overlays_the_values_it_names():
    p = {"effects": {"x": 1.0}, "calibrated": {"effects.x": 3.5}, "calibration_fingerprint": "f"}
    assert apply_calibrated(p) == {"effects": {"x": 3.5}}


def test_rebalance_gives_group_deviations_a_unit_weighted_mean_of_zero():
    p = copy.deepcopy(simulate.load_params())
    set_param(p, "effects.by_industry_type.labour", -1.7)
    set_param(p, "effects.by_region.developed", 0.9)
    calibration.rebalance(p)
    d, ef = p["design"], p["effects"]
    n = dict(d["industry_type_counts"], unclassified=d["n_industries"] - sum(d["industry_type_counts"].values()))
    assert sum(ef["by_industry_type"][k] * v for k, v in n.items()) == pytest.approx(0, abs=1e-12)
    share = d["developed_share"]
    assert share * ef["by_region"]["developed"] + (1 - share) * ef["by_region"]["other"] == pytest.approx(0)


def test_closest_world_names_the_cells_a_forced_cell_conflicts_with():
    # two cells measure the same parameter (identical Jacobian rows) but publish different values;
    # a third cell depends on a second parameter and is matched exactly
    cells = pd.MultiIndex.from_tuples([(1, 1), (1, 2), (1, 3)], names=["table", "column"])
    targets = pd.DataFrame({"coef": [1.0, 2.0, 5.0], "se": [0.1, 0.1, 0.1]}, index=cells)
    jac = pd.DataFrame({"a": [1.0, 1.0, 0.0], "b": [0.0, 0.0, 1.0]}, index=cells)
    estimates = pd.Series([1.5, 1.5, 5.0], index=cells)  # the least-squares compromise
    cw = calibration.closest_world(estimates, targets, jac).set_index("column")
    assert not cw.loc[1, "within_one_se"] and not cw.loc[2, "within_one_se"]
    assert cw.loc[3, "within_one_se"]
    assert cw.loc[1, "gap_in_se"] == pytest.approx(5.0)
    # both are already out of tolerance, so forcing one pushes no *new* cell out
    assert cw.loc[3, "conflicts_with"] == ""
    # a cell within tolerance that a forced cell would push out is named
    estimates2 = pd.Series([1.05, 1.95, 5.0], index=cells)
    targets2 = targets.assign(se=[0.1, 0.1, 0.1])
    targets2.loc[(1, 2), "coef"] = 2.5  # now cell 2 is 5.5 SE away, cell 1 within
    cw2 = calibration.closest_world(estimates2, targets2, jac).set_index("column")
    assert "Table 1 (1)" in cw2.loc[2, "conflicts_with"]


def test_stage_one_reproduces_the_stored_indicator_shapes():
    """`make calibrate` stage 1 from the uncalibrated file gives exactly the stored powers."""
    spec = calibration.load_spec()
    base = simulate.load_params(calibrated=False)
    p, hist = calibration.calibrate_weights(base, spec["weights"], spec.get("seed"))
    name = spec["weights"]["parameter"]
    stored = simulate.load_params()
    assert get_param(p, name) == get_param(stored, name)
    assert hist["max |weight gap|"].iloc[-1] <= spec["weights"]["tolerance"]


def test_stored_parameters_still_give_the_stored_closest_world():
    """The default panel's coefficients are the ones the stored calibration report says."""
    report = calibration.read_result()
    digest = calibration.fingerprint(simulate.default_params_path().read_text(encoding="utf-8"))
    est = calibration.coefficient_vector(simulate.load_params())
    stored = pd.DataFrame(report["closest_world"]).set_index(["table", "column"])
    now = est.reindex(stored.index)
    changed = stored.index[~np.isclose(now.to_numpy(), stored["closest"].to_numpy(), atol=1e-6, rtol=0)]
    assert changed.empty, (
        f"the default panel no longer gives the stored calibration's coefficients in {list(changed)} "
        f"(fingerprint {'unchanged' if digest == report['fingerprint'] else 'changed'}): run `make calibrate`"
    )
    assert list(stored["within_one_se"]) == list((now - stored["published"]).abs() <= stored["published_se"])


def test_robust_losses():
    z = np.array([0.5, -1.0, 3.0])
    assert calibration.loss(z, "squared") == pytest.approx(0.25 + 1 + 9)
    assert calibration.loss(z, "huber", 1.0) == pytest.approx(0.25 + 1 + (2 * 3 - 1))
    # Cauchy's loss redescends: its IRLS weight falls as the gap grows
    assert calibration.loss(np.array([1.0]), "cauchy") == pytest.approx(np.log(2))
    assert calibration.loss(np.array([10.0]), "cauchy") < 10 * calibration.loss(np.array([1.0]), "cauchy")


def test_consistent_subset_drops_the_cell_that_cannot_hold_with_the_rest():
    # cells 1-3 measure one parameter; cell 3 publishes a value far from cells 1 and 2
    cells = pd.MultiIndex.from_tuples([(1, 1), (1, 2), (1, 3)], names=["table", "column"])
    jac = pd.DataFrame({"a": [1.0, 1.0, 1.0]}, index=cells)
    se = np.array([0.1, 0.1, 0.1])
    resid = np.array([-1.0, -1.05, 1.0])  # estimate minus published, at the start
    keep, step = calibration.consistent_subset(jac, resid, se, ridge=1e-9)
    assert keep.tolist() == [True, True, False]
    assert step[0] == pytest.approx(1.025, abs=1e-6)  # the mean of the two kept gaps, with its sign flipped
