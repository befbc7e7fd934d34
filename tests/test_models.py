"""Estimators checked against independent computations (another library or the matrix formula)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

from aichain_utils.inputs import panel
from aichain_utils.replication import columns as replication
from aichain_utils.replication import matching, models
from aichain_utils.replication.models import CONTROLS
from aichain_utils.report import tables
from aichain_utils.simulation import simulate


@pytest.fixture(scope="module")
def data():
    return panel.build_analysis_panel(simulate.simulate_panel().raw).data


def _small_panel(seed=0, n_units=30, n_years=6, n_ind=6):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(2013, 2013 + n_years), n_units)
    ind = unit % n_ind
    u = rng.normal(size=n_units)[unit]
    t = rng.normal(size=n_years)[year - 2013]
    z = rng.normal(size=len(unit))
    e = rng.normal(size=len(unit))
    x = 0.8 * z + 0.5 * e + u + rng.normal(size=len(unit))
    c = rng.normal(size=len(unit))
    y = 1.5 * x + 0.3 * c + u + t + e
    return pd.DataFrame({"unit_id": unit, "industry_id": ind, "year": year, "ERL": y, "AIE": x, "Z": z, "lngdp": c})


@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")  # raised inside pyfixest
def test_two_way_fe_equals_pyfixest(data):
    ours = models.fit_two_way_fe(data)
    fx = pf.feols("ERL ~ AIE + lngdp + imp + exp + inst + tra | unit_id + year", data=data)
    assert ours.coef == pytest.approx(fx.coef()["AIE"], abs=1e-8)


@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")  # raised inside pyfixest
def test_industry_fe_equals_lsdv_dummies_and_pyfixest(data):
    within = models.fit_two_way_fe(data, entity="industry_id")
    lsdv = models.fit_lsdv(data)
    X = pd.concat(
        [
            data[["AIE", *CONTROLS]],
            pd.get_dummies(data[["industry_id", "year"]].astype(str), drop_first=True, dtype=float),
        ],
        axis=1,
    )
    by_hand = sm.OLS(data["ERL"], sm.add_constant(X)).fit()
    fx = pf.feols("ERL ~ AIE + lngdp + imp + exp + inst + tra | industry_id + year", data=data)
    assert within.coef == pytest.approx(by_hand.params["AIE"], abs=1e-8)
    assert lsdv.coef == pytest.approx(by_hand.params["AIE"], abs=1e-8)
    assert within.coef == pytest.approx(fx.coef()["AIE"], abs=1e-8)
    # robust (HC1) SEs agree between the dummy regression and the wrapper
    assert lsdv.se == pytest.approx(sm.OLS(data["ERL"], sm.add_constant(X)).fit(cov_type="HC1").bse["AIE"], rel=1e-8)


def test_demean_balanced_two_way_matches_formula():
    df = _small_panel()
    dm = models.demean(df, ["ERL"], ["unit_id", "year"])
    y = df["ERL"]
    expected = y - y.groupby(df["unit_id"]).transform("mean") - y.groupby(df["year"]).transform("mean") + y.mean()
    np.testing.assert_allclose(dm["ERL"], expected, atol=1e-10)


def test_demean_converges_on_large_columns_of_an_unbalanced_panel(monkeypatch):
    """A column in the hundred thousands on an unbalanced two-way panel: the sweep's rounding error (about 1e-16
    times the column) must not stop convergence (an absolute tolerance of 1e-13 never stopped and ran
    10,000 sweeps), and the result must equal the dummy regression's residuals (statsmodels)."""
    from aichain_utils.econometrics import fe

    rng = np.random.default_rng(3)
    n_units, n_years = 400, 11
    df = pd.DataFrame({"unit_id": np.repeat(np.arange(n_units), n_years), "year": np.tile(np.arange(n_years), n_units)})
    df = df.sample(frac=0.85, random_state=3).sort_index()  # unbalanced
    df["big"] = 3e5 + 5e4 * rng.normal(size=len(df)) + df["unit_id"] * 500 + df["year"] * 3e3
    X = pd.get_dummies(df[["unit_id", "year"]].astype(str), drop_first=True, dtype=float)
    resid = sm.OLS(df["big"], sm.add_constant(X)).fit().resid
    sweeps = []
    bincount = np.bincount
    monkeypatch.setattr(fe.np, "bincount", lambda *a, **k: sweeps.append(1) or bincount(*a, **k))
    dm = models.demean(df, ["big"], ["unit_id", "year"], max_iter=2000)
    monkeypatch.undo()
    np.testing.assert_allclose(dm["big"], resid, atol=1e-6)
    assert len(sweeps) < 2 * 500, f"about {len(sweeps) // 2} sweeps"


def test_2sls_equals_matrix_formula():
    df = _small_panel()
    est = models.fit_iv(df, "Z", controls=["lngdp"])
    # by hand: two-way demeaning, then b = (X' P_Z X)^-1 X' P_Z y with X = [x, c], Z = [z, c]
    cols = ["ERL", "AIE", "Z", "lngdp"]
    dm = {
        c: (
            df[c] - df.groupby("unit_id")[c].transform("mean") - df.groupby("year")[c].transform("mean") + df[c].mean()
        ).to_numpy()
        for c in cols
    }
    X = np.column_stack([dm["AIE"], dm["lngdp"]])
    Z = np.column_stack([dm["Z"], dm["lngdp"]])
    Pz = Z @ np.linalg.solve(Z.T @ Z, Z.T)
    b = np.linalg.solve(X.T @ Pz @ X, X.T @ Pz @ dm["ERL"])
    assert est.coef == pytest.approx(b[0], abs=1e-10)
    # robust sandwich with the absorbed-effects correction n / (n - k)
    Xh = Pz @ X
    u = dm["ERL"] - X @ b
    bread = np.linalg.inv(Xh.T @ Xh)
    V = bread @ (Xh.T * u**2) @ Xh @ bread
    n, k = len(u), 2 + df["unit_id"].nunique() + df["year"].nunique() - 1
    assert est.se == pytest.approx(np.sqrt(V[0, 0] * n / (n - k)), rel=1e-8)
    assert est.extra["kp_lm"] > 0 and 0 <= est.extra["kp_lm_p"] <= 1


def test_anderson_rubin_bounds_solve_the_ar_equation():
    rng = np.random.default_rng(1)
    n = 500
    z = rng.normal(size=n)
    e = rng.normal(size=n)
    x = 0.6 * z + 0.5 * e + rng.normal(size=n)
    y = 1.0 * x + e
    lo, hi, shape = models.anderson_rubin_ci(y, x, z)
    assert shape == "interval" and lo < 1.0 < hi
    crit = 3.841458820694124
    for b0 in (lo, hi):  # at the bounds the robust Wald statistic of z equals the chi2(1) critical value
        res = sm.OLS(y - b0 * x, z).fit(cov_type="HC0")
        assert res.tvalues[0] ** 2 == pytest.approx(crit, rel=1e-6)
    weak = models.anderson_rubin_ci(y, 0.001 * z + rng.normal(size=n), z)
    assert weak[2] in ("unbounded", "real line")


def test_first_difference_matches_manual(data):
    est = models.fit_first_difference(data)
    d = data.sort_values(["unit_id", "year"])
    cols = ["ERL", "AIE", *CONTROLS]
    diff = d.groupby("unit_id")[cols].diff().dropna()
    X = pd.concat(
        [diff[["AIE", *CONTROLS]], pd.get_dummies(d.loc[diff.index, "year"], drop_first=True, dtype=float)],
        axis=1,
    )
    res = sm.OLS(diff["ERL"], sm.add_constant(X)).fit()
    assert est.n == 21350
    assert est.coef == pytest.approx(res.params["AIE"], abs=1e-10)


def test_fgls_is_wls_with_group_variances():
    df = _small_panel()
    est = models.fit_fgls(df, controls=["lngdp"])
    X = sm.add_constant(
        pd.concat(
            [
                df[["AIE", "lngdp"]],
                pd.get_dummies(df[["industry_id", "year"]].astype(str), drop_first=True, dtype=float),
            ],
            axis=1,
        )
    )
    r = sm.OLS(df["ERL"], X).fit().resid
    w = 1 / df["industry_id"].map(r.pow(2).groupby(df["industry_id"]).mean())
    assert est.coef == pytest.approx(sm.WLS(df["ERL"], X, weights=w).fit().params["AIE"], abs=1e-10)


def test_wild_bootstrap_matches_full_enumeration():
    """All 2^6 sign patterns, each refitted with statsmodels (dummies, cluster SE): exact p.

    Fails on the old implementation, which drew 20000 random vectors instead of enumerating the
    64 distinct ones and did not project the bootstrap errors off the year effects (which are
    not nested in the industry clusters).
    """
    df = _small_panel(seed=3, n_units=24, n_years=5, n_ind=6)
    ours = models.wild_cluster_bootstrap(df, controls=["lngdp"], reps=20000, weights="rademacher", seed=5)
    assert ours["enumerated"] and ours["reps"] == 64
    X = sm.add_constant(
        pd.concat(
            [
                df[["AIE", "lngdp"]],
                pd.get_dummies(df[["unit_id", "year"]].astype(str), drop_first=True, dtype=float),
            ],
            axis=1,
        )
    )
    groups = df["industry_id"].to_numpy()
    obs = sm.OLS(df["ERL"], X).fit(cov_type="cluster", cov_kwds={"groups": groups})
    # statsmodels counts every dummy; Stata (reghdfe) leaves out the unit effects nested in industries
    n, k_sm, k_stata = len(df), X.shape[1], 2 + 1 + df["year"].nunique() - 1
    rescale = np.sqrt(((n - 1) / (n - k_sm)) / ((n - 1) / (n - k_stata)))
    assert ours["t"] == pytest.approx(obs.tvalues["AIE"] * rescale, rel=1e-8)
    restricted = sm.OLS(df["ERL"], X.drop(columns="AIE")).fit()
    t_all = []
    for signs in itertools.product([-1.0, 1.0], repeat=6):
        ystar = restricted.fittedvalues + restricted.resid * np.asarray(signs)[groups]
        t_all.append(sm.OLS(ystar, X).fit(cov_type="cluster", cov_kwds={"groups": groups}).tvalues["AIE"])
    t_all = np.asarray(t_all) * rescale
    np.testing.assert_allclose(np.sort(ours["t_boot"]), np.sort(t_all), rtol=1e-7)
    p_exact = np.mean(np.abs(t_all) > abs(obs.tvalues["AIE"] * rescale) * (1 + 1e-10))
    assert ours["p"] == p_exact


def test_wild_bootstrap_is_reproducible_from_its_seed(data):
    a = models.wild_cluster_bootstrap(data, reps=99, seed=7)
    b = models.wild_cluster_bootstrap(data, reps=99, seed=7)
    np.testing.assert_array_equal(a["t_boot"], b["t_boot"])


@pytest.mark.parametrize(
    ("p", "mark"),
    [
        (0.0001, "***"),
        (0.0099, "***"),
        (0.01, "**"),
        (0.049, "**"),
        (0.05, "*"),
        (0.0999, "*"),
        (0.1, ""),
        (0.7, ""),
        (float("nan"), ""),
    ],
)
def test_stars_follow_p_values(p, mark):
    assert tables.stars(p) == mark


def test_psm_improves_balance(data):
    m = matching.match_on_propensity(data)
    bal = matching.balance_table(m)
    assert bal["SMD after"].abs().max() < bal["SMD before"].abs().max()
    assert bal["SMD after"].abs().max() < 0.1
    assert m.matched["weight"].sum() == pytest.approx(2 * m.n_matched_treated, rel=1e-12)


def test_complete_cases_reports_drops(data):
    frame, dropped, notes = models.complete_cases(data, ["ITSE"], "test")
    assert dropped == 877 and len(frame) == 22608
    assert "ITSE missing in 877" in notes[0]


def test_bad_arguments_are_named(data):
    with pytest.raises(KeyError, match="no column"):
        models.fit_two_way_fe(data, y="nope")
    with pytest.raises(ValueError, match="cov must be one of"):
        models.fit_pooled_ols(data, cov="HC3")


def test_renderer_joins_published_values_and_saves(data, tmp_path):
    cols = replication.table4_columns(data)
    rt = tables.render_table(4, cols)
    assert list(rt.tidy["column"]) == [1, 2, 3, 4, 5]
    pub = rt.tidy.set_index("column")
    assert pub.loc[1, "published_coef"] == 0.659
    assert pub.loc[1, "difference"] == pytest.approx(pub.loc[1, "coef"] - 0.659)
    for _, r in rt.tidy.iterrows():
        assert r["stars"] == tables.stars(r["p"])
    assert rt.display.loc["coefficient, published", "(5)"] == "0.948***"
    paths = rt.save(tmp_path)
    assert paths["csv"].read_text().startswith("table,column")
    assert "\\begin{tabular}" in paths["tex"].read_text()


def test_iv1_uses_the_n_a_lag_allows(data):
    est = models.fit_iv(data, "IV1")
    assert est.n == 21350 and est.dropped == 2135
