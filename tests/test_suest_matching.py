"""suest on a subset of groups, and propensity-score matching (converged logit, Austin caliper, ties)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from aichain_utils.replication import heterogeneity, matching


def _panel(seed=0, n_units=60, n_years=5):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(2013, 2013 + n_years), n_units)
    x = rng.normal(size=len(unit)) + rng.normal(size=n_units)[unit]
    c = rng.normal(size=len(unit))
    y = 1.0 * x + 0.3 * c + rng.normal(size=n_units)[unit] + rng.normal(size=len(unit))
    grp = np.array(["g0", "g1", "g2"])[unit % 3]
    return pd.DataFrame({"unit_id": unit, "year": year, "ERL": y, "AIE": x, "lngdp": c, "grp": grp})


def test_suest_on_a_subset_equals_suest_on_those_groups_alone():
    """The factor G/(G-1) counts the clusters of the compared groups only (the old code counted all)."""
    d = _panel()
    sub = heterogeneity.suest_test(d, "grp", ["g0", "g1"], controls=["lngdp"])
    alone = heterogeneity.suest_test(d[d["grp"].isin(["g0", "g1"])], "grp", ["g0", "g1"], controls=["lngdp"])
    np.testing.assert_allclose(sub.cov, alone.cov, rtol=1e-12)
    assert sub.chi2 == pytest.approx(alone.chi2, rel=1e-12)


def test_suest_with_one_cluster_is_an_error():
    d = _panel().assign(one=1)
    with pytest.raises(ValueError, match="at least two clusters"):
        heterogeneity.suest_test(d, "grp", controls=["lngdp"], cluster="one")


def _psm_data(seed=1, n=600, share=0.5):
    rng = np.random.default_rng(seed)
    x1 = np.round(rng.normal(size=n), 1)  # rounded: many tied scores
    x2 = rng.integers(0, 3, size=n).astype(float)  # discrete: many tied scores
    p = 1 / (1 + np.exp(-(np.log(share / (1 - share)) + 0.8 * x1 + 0.3 * x2)))
    d = rng.uniform(size=n) < p
    year = np.where(np.arange(n) % 2 == 0, 2020, 2021)
    return pd.DataFrame({"D": d.astype(int), "x1": x1, "x2": x2, "year": year})


def test_logit_is_the_maximum_likelihood_fit():
    df = _psm_data()
    m = matching.match_on_propensity(df, covariates=["x1", "x2"], treat_var="D")
    Z = sm.add_constant(pd.concat([df[["x1", "x2"]], pd.get_dummies(df["year"], drop_first=True, dtype=float)], axis=1))
    ref = sm.GLM(df["D"], Z, family=sm.families.Binomial()).fit(tol=1e-14)  # IRLS, independent of Newton
    np.testing.assert_allclose(m.data["pscore"], ref.predict(Z), rtol=1e-8)


def test_caliper_uses_the_pooled_standard_deviation():
    m = matching.match_on_propensity(_psm_data(), covariates=["x1", "x2"], treat_var="D")
    d = m.data
    pooled = np.sqrt((d.loc[d["treated"], "logit_pscore"].var() + d.loc[~d["treated"], "logit_pscore"].var()) / 2)
    assert m.caliper == pytest.approx(0.2 * pooled, rel=1e-12)


def test_ties_share_the_weight_and_the_rule_is_order_free():
    df = _psm_data()
    a = matching.match_on_propensity(df, covariates=["x1", "x2"], treat_var="D").data
    shuffled = df.sample(frac=1.0, random_state=3)
    b = matching.match_on_propensity(shuffled, covariates=["x1", "x2"], treat_var="D").data.loc[a.index]
    np.testing.assert_allclose(a["weight"], b["weight"], atol=1e-12)
    assert a["weight"].sum() == pytest.approx(2 * (a["treated"] & (a["weight"] > 0)).sum())


def test_more_than_half_treated_works():
    df = _psm_data(share=0.8)
    assert df["D"].mean() > 0.5
    m = matching.match_on_propensity(df, covariates=["x1", "x2"], treat_var="D")
    assert m.n_treated == df["D"].sum() and m.n_matched_treated > 0
