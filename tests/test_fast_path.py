"""The fast path of the battery gives the library path's numbers (issue 17).

Pooled OLS with dummies, LSDV and FGLS partial the dummies out (Frisch-Waugh-Lovell) instead of
building them; here each is checked on the default simulated panel against statsmodels fitting the
explicit dummy regression, to 1e-10. The PSM matcher is vectorised; it is checked against the
one-treated-row-at-a-time loop it replaced, weight for weight.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from aichain_utils.replication import matching, models
from aichain_utils.replication.models import CONTROLS


@pytest.fixture(scope="module")
def data():
    from aichain_utils.inputs import panel
    from aichain_utils.simulation import simulate

    return panel.build_analysis_panel(simulate.simulate_panel().raw).data


def _dummy_design(data: pd.DataFrame, controls: list[str], dummies: list[str]) -> pd.DataFrame:
    parts = [data[["AIE", *controls]]]
    parts += [pd.get_dummies(data[d].astype(str), prefix=d, drop_first=True, dtype=float) for d in dummies]
    return sm.add_constant(pd.concat(parts, axis=1))


@pytest.mark.parametrize(
    ("controls", "dummies"),
    [
        ([], ["industry_id", "year"]),
        (CONTROLS, ["year"]),
        (CONTROLS, ["industry_id"]),
        (CONTROLS, ["industry_id", "year"]),
    ],
)
def test_partialled_dummies_equal_the_dummy_regression(data, controls, dummies):
    est = models.fit_pooled_ols(data, controls=controls, dummies=dummies, also_cov=("cluster_industry",))
    X = _dummy_design(data, controls, dummies)
    robust = sm.OLS(data["ERL"], X).fit(cov_type="HC1")
    # Stata's regress, vce(cluster): G/(G-1) (n-1)/(n-k), statsmodels' use_correction=True
    clustered = sm.OLS(data["ERL"], X).fit(cov_type="cluster", cov_kwds={"groups": data["industry_id"]})
    assert est.coef == pytest.approx(robust.params["AIE"], rel=1e-10, abs=1e-10)
    assert est.se == pytest.approx(robust.bse["AIE"], rel=1e-10)
    assert est.extra["se_cluster_industry"] == pytest.approx(clustered.bse["AIE"], rel=1e-10)
    assert est.adj_r2 == pytest.approx(robust.rsquared_adj, rel=1e-10)


def test_fgls_with_partialled_dummies_equals_wls_on_dummies(data):
    est = models.fit_fgls(data)
    X = _dummy_design(data, CONTROLS, ["industry_id", "year"])
    e = sm.OLS(data["ERL"], X).fit().resid
    s2 = e.pow(2).groupby(data["industry_id"]).mean()
    wls = sm.WLS(data["ERL"], X, weights=1 / data["industry_id"].map(s2)).fit()
    assert est.coef == pytest.approx(wls.params["AIE"], rel=1e-10)
    # xtgls: (X'WX)^-1 unscaled, i.e. WLS's covariance divided by its residual variance
    assert est.se == pytest.approx(wls.bse["AIE"] / np.sqrt(wls.scale), rel=1e-9)


def _match_loop(lps, treated, caliper, tie_tol=1e-10):
    t_idx, c_idx = np.flatnonzero(treated), np.flatnonzero(~treated)
    order = np.argsort(lps[c_idx], kind="stable")
    sorted_c = lps[c_idx][order]
    weight, ok = np.zeros(len(lps)), np.zeros(len(t_idx), dtype=bool)
    for j, i in enumerate(t_idx):
        pos = np.searchsorted(sorted_c, lps[i])
        lo, hi = max(pos - 1, 0), min(pos + 1, len(sorted_c))
        best = np.abs(sorted_c[lo:hi] - lps[i]).min()
        if best > caliper:
            continue
        a = np.searchsorted(sorted_c, lps[i] - best - tie_tol, side="left")
        b = np.searchsorted(sorted_c, lps[i] + best + tie_tol, side="right")
        near = np.arange(a, b)[np.abs(sorted_c[a:b] - lps[i]) <= best + tie_tol]
        ok[j] = True
        weight[i] += 1.0
        weight[c_idx[order[near]]] += 1.0 / len(near)
    return weight, ok


def test_matcher_with_a_score_constant_within_groups():
    """A propensity score that takes five values (as when every covariate is constant within
    industry-years): each treated row shares one unit among all controls of its value, so a control
    gets (treated of its value) / (controls of its value). Thousands of ties per row."""
    rng = np.random.default_rng(0)
    lps = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0], size=40_000)
    treated = rng.random(lps.size) < 0.4
    w, ok = matching._match(lps, treated, caliper=0.1)
    assert ok.all()
    for v in np.unique(lps):
        ctrl = (lps == v) & ~treated
        expected = ((lps == v) & treated).sum() / ctrl.sum()
        np.testing.assert_allclose(w[ctrl], expected, rtol=1e-12)
    assert (w[treated] == 1.0).all()


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_matcher_equals_the_loop(seed):
    rng = np.random.default_rng(seed)
    n = 2000
    lps = np.round(rng.normal(size=n), 2)  # rounded: many ties
    treated = rng.random(n) < 0.4
    w_fast, ok_fast = matching._match(lps, treated, 0.05)
    w_loop, ok_loop = _match_loop(lps, treated, 0.05)
    assert np.array_equal(ok_fast, ok_loop)
    assert np.array_equal(w_fast > 0, w_loop > 0)  # the same controls used, exactly
    np.testing.assert_allclose(w_fast, w_loop, rtol=1e-12, atol=0)  # the sums, to rounding


def test_propensity_logit_on_distinct_rows_equals_the_logit_on_every_row(data):
    """The PSM logit is fitted on the distinct design rows weighted by their counts; statsmodels' Logit on
    every unit-year (the same likelihood) gives the same linear predictor, to 1e-10."""
    frame = data.dropna(subset=["AIE", *CONTROLS])
    treated = (frame["AIE"] > frame.groupby("year")["AIE"].transform("median")).to_numpy()
    ours = matching._logit_scores(frame, treated, CONTROLS, "year")
    Z = sm.add_constant(
        pd.concat([frame[CONTROLS], pd.get_dummies(frame["year"], prefix="year", drop_first=True, dtype=float)], axis=1)
    )
    full = sm.Logit(treated.astype(float), Z).fit(method="newton", maxiter=100, tol=1e-12, disp=False)
    assert full.mle_retvals["converged"]
    np.testing.assert_allclose(ours, Z.to_numpy() @ full.params.to_numpy(), rtol=1e-10, atol=1e-10)
