"""Unbalanced panels: the estimators the chapters call work on them, checked against linearmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linearmodels.panel import PanelOLS

from aichain_utils.replication import mediation
from aichain_utils.replication.models import CONTROLS


@pytest.fixture(scope="module")
def unbalanced() -> pd.DataFrame:
    """The default panel with a fifth of the unit-years removed at random (seeded)."""
    from aichain_utils.inputs.panel import build_analysis_panel
    from aichain_utils.simulation.simulate import simulate_panel

    d = build_analysis_panel(simulate_panel().raw).data.dropna(subset=["ERL", "AIE", "FSIE", *CONTROLS])
    keep = np.random.default_rng(5).random(len(d)) > 0.2
    return d[keep].sort_values(["unit_id", "year"]).reset_index(drop=True)


def _weighted_fe_slope(frame: pd.DataFrame, y: str, xs: list[str], w: np.ndarray) -> float:
    """The first slope of a weighted two-way FE regression, by linearmodels (rows of weight 0 dropped)."""
    data = frame.assign(_w=w)[w > 0].set_index(["unit_id", "year"])
    res = PanelOLS(data[y], data[xs], entity_effects=True, time_effects=True, weights=data["_w"]).fit()
    return float(res.params.iloc[0])


def test_weighted_two_way_demeaning_matches_linearmodels_on_an_unbalanced_panel(unbalanced):
    cols = ["ERL", "AIE", "FSIE", *CONTROLS]
    values = unbalanced[cols].to_numpy(dtype=float)
    units, _ = pd.factorize(unbalanced["unit_id"])
    years, _ = pd.factorize(unbalanced["year"])
    rng = np.random.default_rng(3)
    w_unit = np.bincount(rng.integers(0, units.max() + 1, units.max() + 1), minlength=units.max() + 1)
    w = w_unit[units].astype(float)
    z = mediation._weighted_two_way_demean(values, units, years, w, balanced=False)
    G = z.T @ (z * w[:, None])
    rhs = [1, *range(3, len(cols))]  # FSIE on AIE and the controls
    a = np.linalg.solve(G[np.ix_(rhs, rhs)], G[rhs, 2])
    assert a[0] == pytest.approx(_weighted_fe_slope(unbalanced, "FSIE", ["AIE", *CONTROLS], w), rel=1e-8)


def test_mediation_bootstrap_runs_on_an_unbalanced_panel(unbalanced):
    draws = mediation.bootstrap_indirect(unbalanced, "FSIE", reps=20, seed=1)
    assert draws.shape == (20,) and np.isfinite(draws).all()
    # the same seed gives the same draws
    assert np.array_equal(draws, mediation.bootstrap_indirect(unbalanced, "FSIE", reps=20, seed=1))


def test_a_group_too_small_to_estimate_skips_its_table_with_the_reason():
    import dataclasses

    from aichain_utils.inputs.panel import build_analysis_panel
    from aichain_utils.simulation.simulate import simulate_panel

    ap = build_analysis_panel(simulate_panel().raw)
    assert ap.missing_reason("Table 7") is None
    d = ap.data.copy()
    labour = d["industry_type"] == "labour"
    d.loc[labour, "industry_type"] = "unclassified"
    d.loc[d.index[:4], "industry_type"] = "labour"  # four unit-years cannot identify equation (1)
    reason = dataclasses.replace(ap, data=d).missing_reason("Table 7")
    assert reason is not None and "too few observations" in reason and "labour (4 rows" in reason
