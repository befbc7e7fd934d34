"""Simulation lab and Monte Carlo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aichain_utils import lab


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

    from aichain_utils import tables
    from aichain_utils.published import load_regression_cells

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
