"""Simulation lab and Monte Carlo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aichain_utils.replication import lab


def test_scenarios_change_only_their_parameters():
    base = lab.scenario_params("baseline")
    p = lab.scenario_params("no effect")
    assert p["effects"]["aie_on_erl_total"] == 0.0 and base["effects"]["aie_on_erl_total"] > 0
    assert p["latent_ai"] == base["latent_ai"]
    with pytest.raises(KeyError, match="unknown scenario"):
        lab.scenario_params("nope")
    assert lab.truths(p)["FE"] == 0.0


def test_monte_carlo_is_reproducible_from_seeds():
    a = lab.monte_carlo(reps=2, first_seed=11, n_jobs=1)
    b = lab.monte_carlo(reps=2, first_seed=11, n_jobs=1)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.columns) == lab.RESULT_COLUMNS
    assert sorted(a["replication"].unique()) == [0, 1]
    assert set(a["estimator"]) == set(lab.ESTIMATORS)
    assert (a["error"] == "").all()
    # replication 1 is the second spawned stream of master seed 11, whatever the run it is part of
    alone = lab.estimate_all(lab.scenario_params("baseline"), lab.replication_seed(11, 1))
    assert a.loc[a["replication"] == 1, "estimate"].tolist() == [row["estimate"] for row in alone]


def test_summary_statistics_by_hand():
    frame = pd.DataFrame(
        {
            "estimator": ["FE"] * 4,
            "estimate": [1.0, 2.0, 3.0, 2.0],
            "se": [1.0, 0.1, 1.0, 0.5],
            "truth": [1.5] * 4,
            "seed": range(4),
        }
    )
    s = lab.monte_carlo_summary(frame).iloc[0]
    assert s["bias"] == pytest.approx(0.5)  # mean 2.0 - 1.5
    assert s["RMSE"] == pytest.approx(np.sqrt((0.25 + 0.25 + 2.25 + 0.25) / 4))
    # covered when |error| <= 1.96 se: errors .5 (se 1) yes, .5 (se .1) no, 1.5 (se 1) yes, .5 (se .5) yes
    assert s["95% CI coverage"] == pytest.approx(0.75)


def test_stored_monte_carlo_results_are_current():
    frame, meta, current = lab.load_monte_carlo()
    assert current, "data/montecarlo is stale: parameters or code changed; run `make montecarlo`"
    assert meta["reps"] >= 200
    # every replication is there: all estimators, or one row recording why it failed
    per_rep = frame.groupby("replication").size()
    assert len(per_rep) == meta["reps"]
    failed = set(frame.loc[frame["error"] != "", "replication"])
    assert all(per_rep[r] == 1 for r in failed)
    assert all(per_rep[r] == len(lab.ESTIMATORS) for r in set(per_rep.index) - failed)
    assert meta["failed_rows"] == int((frame["error"] != "").sum())


def test_sampling_distribution_plot_draws_truth_and_published_lines():
    import matplotlib.pyplot as plt
    import pandas as pd
    import pytest

    from aichain_utils.inputs.published import load_regression_cells
    from aichain_utils.report import tables

    reps = pd.DataFrame(
        {"estimator": ["FE"] * 3 + ["indirect FSIE"] * 3, "estimate": [1.1, 1.2, 1.3, 0.1, 0.2, 0.3], "truth": 0.9}
    )
    fig = tables.sampling_distribution_plot(reps, ["FE", "indirect FSIE"])
    fe_ax, ind_ax = fig.axes
    fe_lines = sorted(line.get_xdata()[0] for line in fe_ax.get_lines())
    published_fe = float(load_regression_cells().set_index(["table", "column"]).loc[(3, 6), "coef"])
    assert fe_lines == sorted([0.9, published_fe])  # truth and Table 3 column (6)
    assert [line.get_xdata()[0] for line in ind_ax.get_lines()] == [0.9]  # no published indirect effect
    plt.close(fig)
    with pytest.raises(ValueError, match=r"column 'estimator'.*IV9"):
        tables.sampling_distribution_plot(reps, ["FE", "IV9"])


# --- Issue 21: the lab reads its Monte Carlo with Monte Carlo standard errors -------------------------


def _planted(bias_in_mc_se: float, se_ratio: float, reps: int = 400, seed: int = 5) -> pd.DataFrame:
    """Replications whose estimates have a planted bias (in Monte Carlo SEs) and SEs a planted ratio."""
    rng = np.random.default_rng(seed)
    draws = rng.normal(size=reps)
    draws = (draws - draws.mean()) / draws.std(ddof=1)  # exactly mean 0, SD 1
    truth, sd = 1.0, 0.5
    estimate = truth + bias_in_mc_se * sd / np.sqrt(reps) + sd * draws
    return pd.DataFrame(
        {"replication": range(reps), "estimator": "X", "estimate": estimate, "se": se_ratio * sd, "truth": truth,
         "error": ""}
    )  # fmt: skip


def test_monte_carlo_ses_by_hand():
    est = np.array([1.0, 2.0, 3.0, 2.0, 0.5, 1.5])
    se = np.array([1.0, 0.1, 1.0, 0.5, 0.7, 0.9])
    truth = 1.5
    frame = pd.DataFrame({"replication": range(6), "estimator": "FE", "estimate": est, "se": se, "truth": truth,
                          "error": ""})  # fmt: skip
    s = lab.monte_carlo_summary(frame).iloc[0]
    R = 6
    mean = sum(est) / R
    sd = (sum((b - mean) ** 2 for b in est) / (R - 1)) ** 0.5
    assert s["bias MC SE"] == pytest.approx(sd / R**0.5)
    covered = [abs(b - truth) <= 1.959964 * e for b, e in zip(est, se, strict=True)]
    p = sum(covered) / R
    assert s["coverage MC SE"] == pytest.approx((p * (1 - p) / R) ** 0.5)
    # SE ratio: mean SE / SD; delta method with influences (s_i - m)/sd - m((b_i - mean)^2 - sd^2)/(2 sd^3)
    m = sum(se) / R
    assert s["SE ratio"] == pytest.approx(m / sd)
    infl = [(e - m) / sd - m * ((b - mean) ** 2 - sd**2) / (2 * sd**3) for b, e in zip(est, se, strict=True)]
    im = sum(infl) / R
    assert s["SE ratio MC SE"] == pytest.approx((sum((x - im) ** 2 for x in infl) / (R - 1)) ** 0.5 / R**0.5)


def test_se_ratio_delta_method_agrees_with_a_bootstrap_over_replications():
    rng = np.random.default_rng(3)
    R = 2000
    est = rng.standard_t(6, size=R)  # heavy tails: the SD's own variance matters
    se = 0.6 + 0.2 * rng.random(R) + 0.1 * np.abs(est)
    ratio, mc_se = lab.se_ratio_mc_se(est, se)
    boot = rng.integers(0, R, size=(1000, R))
    ratios = se[boot].mean(axis=1) / est[boot].std(axis=1, ddof=1)
    assert ratio == pytest.approx(se.mean() / est.std(ddof=1))
    assert mc_se == pytest.approx(ratios.std(ddof=1), rel=0.1)


@pytest.mark.parametrize(("planted", "biased"), [(3.0, True), (-3.0, True), (1.0, False), (-1.0, False)])
def test_biased_only_beyond_twice_the_monte_carlo_se(planted, biased):
    v = lab.monte_carlo_verdicts(lab.monte_carlo_summary(_planted(planted, 1.0))).iloc[0]
    assert bool(v["biased"]) is biased
    assert v["SEs"] == "right"
    assert ("the estimator is biased" in v["sentence"]) is biased


def test_standard_errors_too_small_is_not_called_bias():
    v = lab.monte_carlo_verdicts(lab.monte_carlo_summary(_planted(0.0, 0.5))).iloc[0]
    assert not bool(v["biased"]) and v["SEs"] == "too small" and v["coverage"] == "below nominal"
    assert "no bias is detectable" in v["sentence"] and "standard errors are too small" in v["sentence"]
    assert "the estimator is biased" not in v["sentence"]
    assert lab.monte_carlo_verdicts(lab.monte_carlo_summary(_planted(0.0, 2.0))).iloc[0]["SEs"] == "too large"


def test_failed_replications_are_counted_with_their_reason():
    frame = _planted(0.0, 1.0, reps=10)
    failed = pd.DataFrame(
        {"replication": [10, 11, 12], "estimator": "replication", "estimate": np.nan, "se": np.nan, "truth": np.nan,
         "error": ["RawDataError: raw data breaks 1 rule(s):\n  column 'a': too big; rescale"] * 2
         + ["ValueError: singular"]}
    )  # fmt: skip
    frame = pd.concat([frame, failed], ignore_index=True)
    n, total, reasons = lab.failed_replications(frame)
    assert (n, total) == (3, 13)
    assert reasons.set_index("reason")["replications"].to_dict() == {
        "RawDataError: column 'a': too big": 2,
        "ValueError: singular": 1,
    }
    assert lab.monte_carlo_summary(frame).iloc[0]["failed"] == 3
    assert lab.failure_sentence(frame).startswith("3 of 13 replications (23.1%) failed")
    assert lab.failure_sentence(frame.iloc[:10]) == "None of the 10 replications failed."


def test_stored_monte_carlo_is_read_with_its_monte_carlo_errors():
    """Whatever is stored: every verdict agrees with the rule applied to the stored numbers."""
    frame, meta, _ = lab.load_monte_carlo()
    s = lab.monte_carlo_summary(frame)
    v = lab.monte_carlo_verdicts(s).set_index("estimator")
    for _, r in s.iterrows():
        assert v.loc[r["estimator"], "biased"] == (abs(r["bias"]) > 2 * r["bias MC SE"])
        assert r["replications"] + r.get("failed", 0) == meta["reps"]


def test_simulator_check_records_are_current_and_complete():
    """Issue 21 item 6: 1,000 panels at 1x and at 10x, checked with today's parameters."""
    records = lab.simulator_check_records().set_index("scale")
    assert {1, 10} <= set(records.index), "rerun tools/simulator_failures.py --scale 1 and --scale 10"
    for scale in (1, 10):
        r = records.loc[scale]
        assert r["current"], f"{scale}x count made with an earlier calibration: rerun tools/simulator_failures.py"
        assert r["checked"] >= 1000 and r["checked"] == r["planned"], f"{scale}x: only {r['checked']} checked"


def test_simulator_check_sentence_names_failures_and_stale_counts(tmp_path):
    import json

    (tmp_path / "params.yml").write_text("seed: 1\ncalibration_fingerprint: abc\n", encoding="utf-8")
    doc = {
        "replications_checked": 50,
        "replications_planned": 50,
        "scale": 1,
        "failed": 2,
        "errors": {"3": "DataInputError: ERL must be finite", "9": "OverflowError: big"},
        "calibration_fingerprint": "old",
    }
    (tmp_path / "failures_1x.json").write_text(json.dumps(doc), encoding="utf-8")
    records = lab.simulator_check_records(tmp_path)
    assert not records.loc[0, "current"]
    text = lab.simulator_check_sentence(records)
    assert "2 of 50 panels" in text and "DataInputError" in text and "OverflowError" in text
    assert "earlier calibration" in text
    empty = lab.simulator_check_records(tmp_path / "none")
    assert "No count" in lab.simulator_check_sentence(empty)
