"""The generic core on panels with other column names, and clear errors at the edges (issue: point 9)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aichain_utils.econometrics import (
    fit_first_difference,
    fit_iv,
    fit_ols,
    wild_cluster_bootstrap,
)
from aichain_utils.replication import models


def _panel(seed=0, n_units=30, n_years=6, n_groups=6):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(2001, 2001 + n_years), n_units)
    z = rng.normal(size=len(unit))
    e = rng.normal(size=len(unit))
    x = 0.8 * z + 0.5 * e + rng.normal(size=n_units)[unit] + rng.normal(size=len(unit))
    c = rng.normal(size=len(unit))
    y = 1.5 * x + 0.3 * c + rng.normal(size=n_units)[unit] + rng.normal(size=n_years)[year - 2001] + e
    return pd.DataFrame(
        {"firm": unit, "period": year, "sector": unit % n_groups, "out": y, "treat": x, "inst": z, "ctrl": c}
    )


def test_other_column_names_without_renaming():
    d = _panel()
    fe = fit_ols(d, "out", "treat", ["ctrl"], absorb=["firm", "period"], cluster="sector", entity="firm", time="period")
    iv = fit_iv(d, "out", "treat", "inst", ["ctrl"], absorb=["firm", "period"], cluster="sector")
    fd = fit_first_difference(d, "out", "treat", ["ctrl"], entity="firm", time="period", cluster="sector")
    wb = wild_cluster_bootstrap(d, "out", "treat", ["ctrl"], absorb=["firm", "period"], cluster="sector", reps=99)
    # the same model on the paper's names gives the same numbers
    names = {"firm": "unit_id", "period": "year", "sector": "industry_id", "out": "ERL", "treat": "AIE"}
    renamed = d.rename(columns=names)
    paper = models.fit_two_way_fe(renamed, controls=["ctrl"], cov="cluster_industry")
    assert fe.params["treat"] == pytest.approx(paper.coef, rel=1e-12)
    assert fe.se["treat"] == pytest.approx(paper.se, rel=1e-12)
    assert iv.n == fd.n + 30 == len(d) and wb["clusters"] == 6


def test_collinear_and_constant_regressors_are_named():
    d = _panel().assign(twice=lambda f: 2 * f["ctrl"], one=1.0)
    with pytest.raises(ValueError, match="'twice' is a linear combination"):
        fit_ols(d, "out", "treat", ["ctrl", "twice"])
    with pytest.raises(ValueError, match="'one' is a linear combination"):
        fit_ols(d, "out", "treat", ["one"])  # collinear with the intercept
    with pytest.raises(ValueError, match="'one' is zero after removing"):
        fit_ols(d, "out", "treat", ["one"], absorb=["firm", "period"])
    with pytest.raises(ValueError, match="collinear"):  # the old default engine reported the intercept as the effect
        models.fit_pooled_ols(d.rename(columns={"out": "ERL", "treat": "AIE"}), controls=["ctrl", "twice"])


def test_one_cluster_is_a_clear_error():
    d = _panel().assign(one_cluster=1)
    with pytest.raises(ValueError, match="at least two clusters"):
        fit_ols(d, "out", "treat", absorb=["firm"], cluster="one_cluster")
    with pytest.raises(ValueError, match="at least two clusters"):
        wild_cluster_bootstrap(d, "out", "treat", absorb=["firm"], cluster="one_cluster", reps=9)


def test_missing_ids_name_the_rows():
    d = _panel().astype({"sector": float})
    d.loc[[3, 17], "sector"] = np.nan
    with pytest.raises(ValueError, match=r"'sector' is missing in 2 row\(s\) \[3, 17\]"):
        fit_ols(d, "out", "treat", cluster="sector")
    with pytest.raises(ValueError, match="'sector' is missing"):
        fit_iv(d, "out", "treat", "inst", absorb=["sector"])


def test_duplicated_unit_periods_are_named():
    d = _panel()
    d = pd.concat([d, d.iloc[[5]]], ignore_index=True)
    with pytest.raises(ValueError, match=r"\(0, 2006\)"):
        fit_ols(d, "out", "treat", absorb=["firm", "period"], entity="firm", time="period")
    with pytest.raises(ValueError, match="occur once"):
        fit_first_difference(d, "out", "treat", None, entity="firm", time="period")
    paper = d.rename(columns={"firm": "unit_id", "period": "year", "out": "ERL", "treat": "AIE"})
    with pytest.raises(ValueError, match="occur once"):
        models.fit_two_way_fe(paper, controls=None)


def test_string_years_are_a_clear_error():
    d = _panel().astype({"period": str})
    with pytest.raises(TypeError, match="time column 'period'"):
        fit_first_difference(d, "out", "treat", None, entity="firm", time="period")


def test_missing_outcome_rows_are_dropped_and_reported():
    d = _panel()
    d.loc[[1, 2], "out"] = np.nan
    res = fit_ols(d, "out", "treat", absorb=["firm"])
    assert res.dropped == 2 and "out missing in 2" in res.notes[0]


def test_clustered_se_follows_reghdfe_with_nested_effects():
    """Effects nested in the clusters are not counted; G/(G-1) and t(G-1), as xtreg, fe / reghdfe.

    The old code counted the nested unit effects and had no G/(G-1).
    """
    d = _panel()
    res = fit_ols(d, "out", "treat", ["ctrl"], absorb=["firm", "period"], cluster="firm")
    n, G, T = len(d), 30, 6
    # by hand: within-transformed regressors, cluster sums of scores
    dm = d[["out", "treat", "ctrl"]] - d.groupby("firm")[["out", "treat", "ctrl"]].transform("mean")
    dm = dm - dm.groupby(d["period"]).transform("mean")
    X, y = dm[["treat", "ctrl"]].to_numpy(), dm["out"].to_numpy()
    bread = np.linalg.inv(X.T @ X)
    u = y - X @ bread @ X.T @ y
    S = pd.DataFrame(X * u[:, None]).groupby(d["firm"].to_numpy()).sum().to_numpy()
    k = 2 + T  # regressors + intercept + (T - 1) year effects; the firm effects are nested in the clusters
    V = G / (G - 1) * (n - 1) / (n - k) * bread @ S.T @ S @ bread
    assert res.se["treat"] == pytest.approx(np.sqrt(V[0, 0]), rel=1e-10)
    assert res.df == G - 1


def test_fgls_standard_error_is_xtgls():
    """``xtgls, panels(hetero)``: (X' W X)^-1 with ML group variances, no further scale (was x1.0023)."""
    d = _panel()
    res = models.fit_fgls(
        d.rename(columns={"out": "ERL", "treat": "AIE", "sector": "industry_id", "period": "year"}),
        controls=["ctrl"],
    )
    dummies = pd.get_dummies(d[["sector", "period"]].astype(str), drop_first=True, dtype=float)
    X = np.column_stack([d[["treat", "ctrl"]], dummies, np.ones(len(d))])
    e = d["out"].to_numpy() - X @ np.linalg.lstsq(X, d["out"].to_numpy(), rcond=None)[0]
    s2 = pd.Series(e**2).groupby(d["sector"].to_numpy()).mean()
    w = 1 / d["sector"].map(s2).to_numpy()
    V = np.linalg.inv(X.T @ (X * w[:, None]))
    assert res.se == pytest.approx(np.sqrt(V[0, 0]), rel=1e-10)


def test_absorbed_effects_count_in_the_iv_f_statistics_as_ivreg2_with_dummies():
    """ivreghdfe passes absorbed effects as sdofminus so that its F statistics equal those of ivreg2
    with the effects entered as dummies (the old wrapper ignored them: 10-15% too high)."""
    d = _panel()
    absorbed = fit_iv(d, "out", "treat", "inst", ["ctrl"], absorb=["firm", "period"], vcov="robust")
    dummies = pd.get_dummies(d[["firm", "period"]].astype(str), drop_first=True, dtype=float)
    wide = pd.concat([d, dummies], axis=1)
    explicit = fit_iv(wide, "out", "treat", "inst", ["ctrl", *dummies.columns], vcov="robust")
    for key in ("first_stage_F", "kp_wald_f", "cd_f", "ar_f"):
        assert absorbed.extra[key] == pytest.approx(explicit.extra[key], rel=1e-8), key
    assert absorbed.extra["kp_lm"] == pytest.approx(explicit.extra["kp_lm"], rel=1e-8)
    assert absorbed.params["treat"] == pytest.approx(explicit.params["treat"], rel=1e-10)


def test_check_rank_with_the_callers_cross_product_decides_as_without_it():
    """``check_rank(..., gram=X'X)`` (the fits' fast path) passes a full-rank X and names the same columns
    as without it when X is collinear, constant or not finite."""
    from aichain_utils.econometrics._data import check_rank
    from aichain_utils.errors import AichainInputError

    rng = np.random.default_rng(8)
    X = rng.normal(size=(200, 3))
    check_rank(X, ["a", "b", "c"], gram=X.T @ X)
    bad = {
        "collinear": np.column_stack([X[:, :2], X[:, 0] - 2 * X[:, 1]]),
        "constant": np.column_stack([X[:, :2], np.zeros(200)]),
        "infinite": np.where(np.arange(200)[:, None] == 7, np.inf, X),
    }
    for name, Z in bad.items():
        messages = []
        for gram in (None, Z.T @ Z):
            with pytest.raises(AichainInputError) as err:
                check_rank(Z, ["a", "b", "c"], gram=gram)
            messages.append(str(err.value))
        assert messages[0] == messages[1], name
