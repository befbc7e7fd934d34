"""Mediation, suest-style cross-group tests and Tables 6-10, against independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from aichain_utils.inputs import panel
from aichain_utils.replication import columns as replication
from aichain_utils.replication import heterogeneity, mediation, models
from aichain_utils.simulation import simulate


@pytest.fixture(scope="module")
def data():
    return panel.build_analysis_panel(simulate.simulate_panel().raw).data


@pytest.mark.parametrize("controls", [models.CONTROLS, None])
def test_two_way_fe_slope_equals_linearmodels_panelols(data, controls):
    """The FE slope of Tables 3 and 6-10 against an independent implementation (linearmodels)."""
    from linearmodels.panel import PanelOLS

    xs = ["AIE", *(controls or [])]
    frame = data.dropna(subset=["ERL", *xs]).set_index(["unit_id", "year"])
    ref = PanelOLS(frame["ERL"], frame[xs], entity_effects=True, time_effects=True).fit()
    for engine in ("default", "fast"):
        kw = {} if engine == "default" else {"engine": "fast"}
        est = models.fit_two_way_fe(data, controls=controls, **kw)
        assert est.coef == pytest.approx(float(ref.params["AIE"]), rel=1e-8), engine


def test_sobel_formula():
    # sqrt(b^2 se_a^2 + a^2 se_b^2) = sqrt(0.25 * 0.04 + 4 * 0.01) = sqrt(0.05)
    assert mediation.sobel_se(2.0, 0.2, 0.5, 0.1) == pytest.approx(np.sqrt(0.05))


def test_total_effect_decomposes_exactly(data):
    r = mediation.mediation_analysis(data, "FSIE")
    assert r.total.coef == pytest.approx(r.direct.coef + r.indirect, abs=1e-10)
    assert r.sobel_se == pytest.approx(
        np.sqrt(r.second_stage_b.coef**2 * r.first_stage.se**2 + r.first_stage.coef**2 * r.second_stage_b.se**2)
    )


def test_bootstrap_reproducible_from_seed_and_centred_on_the_estimate(data):
    a = mediation.bootstrap_indirect(data, "FSIE", reps=20, seed=3)
    b = mediation.bootstrap_indirect(data, "FSIE", reps=20, seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, mediation.bootstrap_indirect(data, "FSIE", reps=20, seed=4))
    # the bootstrap distribution is centred on the full-sample indirect effect
    r = mediation.mediation_analysis(data, "FSIE")
    assert abs(np.median(a) - r.indirect) < 5 * np.std(a)


def _toy(seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for g, slope in enumerate([1.0, 2.0, 0.5]):
        for unit in range(12):
            u = rng.normal()
            for year in range(2013, 2018):
                x = rng.normal()
                c = rng.normal()
                rows.append(
                    {
                        "unit_id": 100 * g + unit,
                        "year": year,
                        "grp": f"g{g}",
                        "AIE": x,
                        "lngdp": c,
                        "ERL": slope * x + 0.3 * c + u + 0.1 * year + rng.normal(),
                    }
                )
    return pd.DataFrame(rows)


def test_suest_equals_hand_computed_stacked_wald():
    df = _toy()
    res = heterogeneity.suest_test(df, "grp", ["g0", "g1", "g2"], controls=["lngdp"], cluster="unit_id")
    # by hand: per group, two-way demean, OLS, influence e_i u_i; stack; cluster sums over units
    coefs, psi = [], np.zeros((len(df), 3))
    for g in range(3):
        part = df[df["grp"] == f"g{g}"]
        cols = ["ERL", "AIE", "lngdp"]
        dm = {
            c: (
                part[c]
                - part.groupby("unit_id")[c].transform("mean")
                - part.groupby("year")[c].transform("mean")
                + part[c].mean()
            ).to_numpy()
            for c in cols
        }
        X = np.column_stack([dm["AIE"], dm["lngdp"]])
        beta = np.linalg.solve(X.T @ X, X.T @ dm["ERL"])
        u = dm["ERL"] - X @ beta
        coefs.append(beta[0])
        psi[part.index.to_numpy(), g] = (X @ np.linalg.inv(X.T @ X))[:, 0] * u
    codes = pd.factorize(df["unit_id"])[0]
    S = np.zeros((codes.max() + 1, 3))
    np.add.at(S, codes, psi)
    G = S.shape[0]
    V = S.T @ S * G / (G - 1)
    R = np.array([[1.0, -1.0, 0.0], [1.0, 0.0, -1.0]])
    d = R @ np.array(coefs)
    chi2 = d @ np.linalg.solve(R @ V @ R.T, d)
    np.testing.assert_allclose(res.coefs, coefs, atol=1e-10)
    assert res.chi2 == pytest.approx(chi2, rel=1e-10)
    assert res.p == pytest.approx(stats.chi2.sf(chi2, 2), rel=1e-10)


def test_pooled_interaction_model_agrees_with_suest():
    df = _toy(1)
    s = heterogeneity.suest_test(df, "grp", ["g0", "g1", "g2"], controls=["lngdp"])
    coefs, chi2, dof, _p = heterogeneity.pooled_interaction_test(df, "grp", ["g0", "g1", "g2"], controls=["lngdp"])
    np.testing.assert_allclose(coefs, s.coefs, atol=1e-10)
    assert dof == s.df == 2
    assert chi2 == pytest.approx(s.chi2, rel=0.05)  # same test, small-sample factors differ


def _stacked_interaction_reference(df, group, levels, y, x, controls, cluster):
    """The pooled interaction test as a stacked regression (the independent reference).

    Each group's variables demeaned by unit and year within the group, placed in block-diagonal
    columns and fitted by statsmodels OLS (pseudo-inverse) with its cluster-robust covariance
    without small-sample correction; the Wald test of equal ``x`` coefficients is statsmodels' own.
    """
    import statsmodels.api as sm

    frame = df.dropna(subset=[y, x, *controls])
    frame = frame[frame[group].isin(levels)]
    cols = [x, *controls]
    X = np.zeros((len(frame), len(cols) * len(levels)))
    Y = np.empty(len(frame))
    for g, level in enumerate(levels):
        rows = (frame[group] == level).to_numpy()
        dm = models.demean(frame.loc[rows], [y, *cols], ["unit_id", "year"]).to_numpy()
        Y[rows] = dm[:, 0]
        for j in range(len(cols)):
            X[rows, j * len(levels) + g] = dm[:, 1 + j]
    names = [f"{c}:{level}" for c in cols for level in levels]
    X = pd.DataFrame(X, index=frame.index, columns=names)
    groups = {"groups": frame[cluster].to_numpy(), "use_correction": False}
    res = sm.OLS(pd.Series(Y, index=frame.index), X, hasconst=False).fit(
        method="pinv", cov_type="cluster", cov_kwds=groups
    )
    names = [f"{x}:{level}" for level in levels]
    test = res.wald_test(", ".join(f"{names[0]} = {n}" for n in names[1:]), scalar=True, use_f=False)
    return res.params[names].to_numpy(), float(test.statistic), float(test.pvalue)


@pytest.mark.parametrize("shared", [False, True])
def test_pooled_interaction_test_equals_the_stacked_statsmodels_regression(data, shared):
    """The production test (from the groups' influence functions) against the stacked regression, on the
    toy panel and on the simulated panel's groupings of Tables 7-9, with and without the shared cache."""
    from aichain_utils.econometrics import cache

    cases = [(_toy(2), "grp", ["g0", "g1", "g2"], ["lngdp"])]
    cases += [(data, g, lv, models.CONTROLS) for t in (7, 8, 9) for g, lv in replication.GROUPINGS[t]]
    for df, group, levels, controls in cases:
        ref_coefs, ref_chi2, ref_p = _stacked_interaction_reference(
            df, group, levels, "ERL", "AIE", controls, "unit_id"
        )
        with cache.sharing() if shared else cache.unshared():
            if shared:  # the suest test first, as the tables call them: the pooled test then reuses its scores
                heterogeneity.suest_test(df, group, levels, controls=controls)
            coefs, chi2, dof, p = heterogeneity.pooled_interaction_test(df, group, levels, controls=controls)
        np.testing.assert_allclose(coefs, ref_coefs, rtol=1e-10, atol=1e-12)
        assert dof == len(levels) - 1
        assert chi2 == pytest.approx(ref_chi2, rel=1e-10), group
        assert p == pytest.approx(ref_p, rel=1e-8, abs=1e-300), group


def test_wald_equal_two_groups_is_the_z_test():
    b, V = np.array([1.0, 0.4]), np.diag([0.04, 0.05])
    chi2, dof, p = heterogeneity.wald_equal(b, V)
    assert chi2 == pytest.approx(0.36 / 0.09) and dof == 1
    assert p == pytest.approx(2 * stats.norm.sf(0.6 / 0.3))


def test_subsample_ns_add_up(data):
    t7 = replication.table7_columns(data)
    assert t7[0].estimate.n == sum(c.estimate.n for c in t7[1:]) == 10736
    t9 = replication.table9_columns(data)
    assert t9[0].estimate.n + t9[1].estimate.n == len(data)  # regions partition the sample
    assert t9[2].estimate.n + t9[3].estimate.n == len(data)  # so do technology levels
    assert sum(c.estimate.n for c in replication.table8_columns(data)) == 17446


def test_table6_and_table10_shapes(data):
    t6 = replication.table6_columns(data, bootstrap_reps=0)
    assert [c.estimate.outcome for c in t6] == ["FSIE", "ITSE_forward", "ITSE_backward"]
    t10 = replication.table10_columns(data)
    assert [c.estimate.outcome for c in t10] == ["LCV", "LCV", "WCV", "WCV"]
    assert all(c.estimate.n == 21350 for c in t10)
    assert [c.estimate.controls for c in t10] == [False, True, False, True]


def test_true_group_effects_are_group_means_of_the_simulated_unit_effects():
    import pytest

    from aichain_utils.inputs import panel
    from aichain_utils.replication import columns as replication
    from aichain_utils.report import tables
    from aichain_utils.simulation import simulate

    sp = simulate.simulate_panel()
    d = panel.build_analysis_panel(sp.raw).data
    rendered = {t: tables.render_table(t, getattr(replication, f"table{t}_columns")(d)) for t in (7, 8, 9)}
    out = replication.true_group_effects(rendered, d, sp.truth).set_index("group")
    # independent computation: the mean of the unit-year true effects among labour-intensive units
    labour_units = set(d.loc[d["industry_type"] == "labour", "unit_id"])
    expected = sp.truth.loc[sp.truth["unit_id"].isin(labour_units), "total_effect"].mean()
    assert out.loc["labour (industry type)", "true average effect"] == pytest.approx(expected, abs=1e-12)
    assert out.loc["labour (industry type)", "estimate"] == pytest.approx(
        rendered[7].tidy.set_index("label").loc["labour", "coef"]
    )
    assert len(out) == 10
    with pytest.raises(ValueError, match=r"missing column\(s\) \['total_effect'\]"):
        replication.true_group_effects(rendered, d, sp.truth.drop(columns="total_effect"))
    with pytest.raises(ValueError, match="column 'total_effect': no true effect for"):
        replication.true_group_effects(rendered, d, sp.truth[sp.truth["year"] > 2013])
