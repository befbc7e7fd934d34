"""The calibration of the default simulated world (``make calibrate``) and the closest world."""

from __future__ import annotations

import copy
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from aichain_utils.errors import AichainInputError
from aichain_utils.replication import calibration
from aichain_utils.simulation import simulate
from aichain_utils.simulation.paramtree import apply_calibrated, get_param, set_param


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


def _seeds():
    spec = calibration.load_spec()
    return spec, calibration.calibration_seeds(spec, int(simulate.load_params()["seed"]))


def test_stage_one_reproduces_the_stored_indicator_shapes():
    """`make calibrate` stage 1 from the uncalibrated file, on the shape seeds, gives exactly the stored powers."""
    spec, seeds = _seeds()
    base = simulate.load_params(calibrated=False)
    shape = seeds["calibration"][: int(spec["seeds"]["shape_seeds"])]
    p, hist = calibration.calibrate_weights(base, spec["weights"], shape)
    name = spec["weights"]["parameter"]
    assert get_param(p, name) == get_param(simulate.load_params(), name)
    assert hist["max |weight gap|"].iloc[-1] <= spec["weights"]["tolerance"]


def test_committed_calibration_is_current_against_its_inputs():
    """The stored calibration's fingerprint (simulator, calibration code and procedure, published
    targets, uncalibrated parameters) is that of the files now: edit one and this fails until
    `make calibrate` is run again."""
    text = simulate.default_params_path().read_text(encoding="utf-8")
    digest = calibration.fingerprint(text)
    report = calibration.read_result()
    stored = yaml.safe_load(text)["calibration_fingerprint"]
    assert report["fingerprint"] == stored, "params.yml and calibration.json come from different runs"
    assert digest == stored, (
        "an input of the calibration changed after it ran "
        f"({', '.join(report['fingerprint_inputs'])}): run `make calibrate`"
    )


def test_fingerprint_moves_with_each_input(tmp_path):
    for name in calibration.FINGERPRINT_FILES:
        src = calibration.repo_root() / name
        dst = tmp_path / name
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dst)
    before = calibration.fingerprint("seed: 1\n", tmp_path)
    assert calibration.fingerprint("seed: 2\n", tmp_path) != before
    (tmp_path / "aichain_utils/simulation/simulate.py").write_text("# changed\n", encoding="utf-8")
    assert calibration.fingerprint("seed: 1\n", tmp_path) != before


def test_default_panel_is_drawn_from_a_hold_out_seed():
    spec, seeds = _seeds()
    report = calibration.read_result()
    holdout = int(simulate.load_params()["seed"])
    assert report["seeds"]["holdout"] == holdout
    assert report["seeds"]["calibration"] == seeds["calibration"] and len(seeds["calibration"]) >= 20
    assert holdout not in seeds["calibration"] and holdout not in seeds["out_of_sample"]
    assert not set(seeds["calibration"]) & set(seeds["out_of_sample"])
    clash = copy.deepcopy(spec)
    clash["seeds"]["out_of_sample"]["first"] = seeds["calibration"][-1]
    with pytest.raises(AichainInputError, match="disjoint"):
        calibration.calibration_seeds(clash, holdout)
    with pytest.raises(AichainInputError, match="disjoint"):
        calibration.calibration_seeds(spec, seeds["calibration"][0])


def test_stored_parameters_still_give_the_stored_hold_out_estimates():
    """The default (hold-out) panel's coefficients are the ones the stored calibration report says."""
    report = calibration.read_result()
    est = calibration.coefficient_vector(simulate.load_params())
    stored = pd.DataFrame(report["closest_world"]).set_index(["table", "column"])
    now = est.reindex(stored.index)
    changed = stored.index[~np.isclose(now.to_numpy(), stored["holdout_estimate"].to_numpy(), atol=1e-6, rtol=0)]
    assert changed.empty, f"the default panel no longer gives the stored hold-out estimates in {list(changed)}"
    gap = (stored["closest"] - stored["published"]) / stored["published_se"]
    assert np.allclose(gap, stored["gap_in_se"]) and list(stored["within_one_se"]) == list(gap.abs() <= 1)


def test_every_published_coefficient_is_a_target():
    from aichain_utils.inputs.published import load_regression_cells

    cells = load_regression_cells().dropna(subset=["coef", "se"])
    assert len(calibration.target_cells()) == int((cells["se"] > 0).sum())
    stored = pd.DataFrame(calibration.read_result()["closest_world"])
    assert len(stored) == len(calibration.target_cells())


def test_robust_losses():
    z = np.array([0.5, -1.0, 3.0])
    assert calibration.loss(z, "squared") == pytest.approx(0.25 + 1 + 9)
    assert calibration.loss(z, "huber", 1.0) == pytest.approx(0.25 + 1 + (2 * 3 - 1))
    # Cauchy's loss redescends: its IRLS weight falls as the gap grows
    assert calibration.loss(np.array([1.0]), "cauchy", 1.0) == pytest.approx(np.log(2))
    assert calibration.loss(np.array([10.0]), "cauchy") < 10 * calibration.loss(np.array([1.0]), "cauchy")
    assert calibration.huber_weights(np.array([0.5, 2.69]), 1.345).tolist() == pytest.approx([1.0, 0.5])


def test_huber_step_minimises_the_loss_of_the_linearised_family():
    """The IRLS step against a general-purpose minimiser (scipy's Nelder-Mead) on the same objective."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(3)
    cells = pd.MultiIndex.from_tuples([(1, c) for c in range(12)], names=["table", "column"])
    J = pd.DataFrame(rng.normal(size=(12, 2)), index=cells, columns=["a", "b"])
    se = rng.uniform(0.5, 2.0, 12)
    resid = rng.normal(size=12) * se
    resid[3] += 30 * se[3]  # one number far from the rest
    step = calibration._step(J, resid, se, 0.0, "huber", 1.345)

    def objective(d):
        return calibration.loss((resid + J.to_numpy() @ d) / se, "huber", 1.345)

    ref = minimize(objective, np.zeros(2), method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12}).x
    assert step == pytest.approx(ref, abs=1e-5)


def test_truth_vector_from_the_design_equals_the_simulated_truth():
    p = simulate.load_params()
    sim = simulate.simulate_panel(p, seed=11)
    truth = calibration.truth_vector(p, seed=11)
    assert truth[(3, 6)] == pytest.approx(float(sim.truth["total_effect"].mean()), abs=1e-12)
    high = (sim.raw["tech_level"] == "high").to_numpy()
    assert float(sim.truth["total_effect"][high].mean()) in [pytest.approx(v, abs=1e-12) for v in truth[9]]


def test_moment_frame_equals_the_analysis_panel():
    """Stage 3 reads the Table 2 variables from the simulator; the analysis panel computes the same."""
    from aichain_utils.inputs.panel import build_analysis_panel

    p = simulate.load_params()
    fast = calibration.moment_frame(p, seed=5)
    data = build_analysis_panel(simulate.simulate_panel(p, seed=5).raw).data
    for col in fast.columns:
        np.testing.assert_allclose(fast[col].to_numpy(), data[col].to_numpy(), rtol=1e-9, atol=1e-9)


def test_out_of_sample_report_counts_cells_within_one_se_and_in_band():
    cells = pd.MultiIndex.from_tuples([(1, 1), (1, 2)], names=["table", "column"])
    targets = pd.DataFrame({"coef": [1.0, 5.0], "se": [0.1, 0.1]}, index=cells)
    per_seed = pd.DataFrame([[1.05, 1.0], [0.95, 3.0]], columns=cells)  # means 1.0 and 2.0
    out, summary = calibration.sampling_report(per_seed, targets)
    assert out["within_one_se"].tolist() == [True, False]
    # cell 2: mean 2, sd 1.414; 5 lies 2.1 sd away, outside the central 95% band
    assert out["in_band"].tolist() == [True, False]
    assert summary["share_mean_within_one_se"] == 0.5
    assert summary["share_one_draw_within_one_se"] == pytest.approx(0.5)


def test_stored_report_states_its_out_of_sample_shares():
    report = calibration.read_result()
    oos = report["summary"]["out_of_sample"]
    cw = pd.DataFrame(report["closest_world"])
    assert oos["seeds"] == len(report["seeds"]["out_of_sample"]) >= 12
    assert oos["share_mean_within_one_se"] == pytest.approx(cw["oos_within_one_se"].mean())
    assert oos["share_in_central_band"] == pytest.approx(cw["oos_in_band"].mean())
