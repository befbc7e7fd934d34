"""The contract of every public function of ``aichain_utils.econometrics`` (issue 23).

Two parts:

* **named degenerate cases** (a parametrised table with ids): what reghdfe and ivreg2 refuse
  (a missing column, a missing id, an infinite outcome, a constant regressor or one absorbed by
  the effects, a regressor repeated among the controls, no residual degrees of freedom, one
  cluster, a one-unit panel, rank-deficient or too few instruments, ...) raises
  :class:`~aichain_utils.errors.AichainInputError` with a message naming the argument or column;
  degenerate but valid input (fewer clusters than excluded instruments) gets a documented result.
* **property-based tests** (``hypothesis``, derandomised so CI is deterministic): small
  degenerate panels and argument values for every public function; each call either raises
  ``AichainInputError`` or returns what an independent computation (numpy least squares on the
  explicit dummy design, statsmodels, linearmodels) returns. Any other exception fails.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from aichain_utils import econometrics as ec
from aichain_utils.econometrics._data import MissingColumnError, TimeColumnError
from aichain_utils.errors import AichainInputError

# derandomised (CI is deterministic), no example database, no shrinking (a failure prints its example at once)
PROPS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)


def _panel(seed=0, n_units=12, n_years=5):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(2001, 2001 + n_years), n_units)
    z = rng.normal(size=len(unit))
    z2 = rng.normal(size=len(unit))
    e = rng.normal(size=len(unit))
    x = 0.8 * z + 0.4 * z2 + 0.5 * e + rng.normal(size=len(unit))
    c = rng.normal(size=len(unit))
    y = 1.5 * x + 0.3 * c + rng.normal(size=n_units)[unit] + e
    return pd.DataFrame(
        {"unit": unit, "year": year, "grp": unit % 4, "y": y, "x": x, "c": c, "z": z, "z2": z2, "w": 1.0 + (unit % 3)}
    )


D = _panel()


def _with(**cols):
    return D.assign(**cols)


def _inf_y():
    d = D.copy()
    d.loc[[4, 9], "y"] = np.inf
    return d


def _nan_cluster():
    d = D.astype({"grp": float})
    d.loc[[2, 7], "grp"] = np.nan
    return d


def _unbalanced_three_way():
    rng = np.random.default_rng(3)
    d = _panel(seed=3, n_units=30, n_years=6).sample(frac=0.6, random_state=1)
    return d.assign(third=rng.integers(0, 7, size=len(d)))


# (id, call, expected error class, message pattern): what reghdfe / ivreg2 refuse
REFUSED = [
    (
        "missing-outcome-column",
        lambda: ec.fit_ols(D, "nope", "x"),
        MissingColumnError,
        r"'y' \(your 'nope'\).*no column",
    ),
    ("missing-control-column", lambda: ec.fit_ols(D, "y", "x", ["cc"]), MissingColumnError, r"'controls'.*\['cc'\]"),
    ("missing-instrument", lambda: ec.fit_iv(D, "y", "x", "zz"), MissingColumnError, r"'instruments'.*\['zz'\]"),
    (
        "nan-cluster-id",
        lambda: ec.fit_ols(_nan_cluster(), "y", "x", cluster="grp"),
        AichainInputError,
        r"'grp'.*\[2, 7\]",
    ),
    (
        "nan-absorbed-id-iv",
        lambda: ec.fit_iv(_nan_cluster(), "y", "x", "z", absorb=["grp"]),
        AichainInputError,
        "'grp'",
    ),
    ("infinite-outcome", lambda: ec.fit_ols(_inf_y(), "y", "x"), AichainInputError, r"'y': must be finite.*\[4, 9\]"),
    ("infinite-outcome-iv", lambda: ec.fit_iv(_inf_y(), "y", "x", "z"), AichainInputError, r"'y': must be finite"),
    (
        "infinite-regressor",
        lambda: ec.fit_ols(_with(x=D["x"].where(D.index != 3, -np.inf)), "y", "x"),
        AichainInputError,
        r"'x'.*\[3\]",
    ),
    (
        "string-outcome",
        lambda: ec.fit_ols(_with(y=D["y"].astype(str)), "y", "x"),
        AichainInputError,
        "'y': must be numeric",
    ),
    (
        "constant-regressor",
        lambda: ec.fit_ols(_with(one=1.0), "y", "one"),
        AichainInputError,
        "'one' is a linear combination",
    ),
    (
        "constant-regressor-fe",
        lambda: ec.fit_ols(_with(one=1.0), "y", "one", absorb=["unit"]),
        AichainInputError,
        r"'one' is zero after removing.*absorbed \['unit'\]",
    ),
    (
        "treatment-constant-within-units",
        lambda: ec.fit_ols(_with(t=D["unit"] % 2), "y", "t", absorb=["unit", "year"]),
        AichainInputError,
        r"'t'.*does not vary within the levels of the absorbed \['unit', 'year'\]",
    ),
    (
        "treatment-constant-within-units-iv",
        lambda: ec.fit_iv(_with(t=D["unit"] % 2), "y", "t", "z", absorb=["unit"]),
        AichainInputError,
        "'t' is zero after",
    ),
    (
        "instrument-constant-within-units",
        lambda: ec.fit_iv(_with(q=D["unit"] % 3), "y", "x", "q", absorb=["unit"]),
        AichainInputError,
        "instruments are collinear: 'q' is zero after",
    ),
    (
        "regressor-repeated-in-controls",
        lambda: ec.fit_ols(D, "y", "x", ["c", "x"]),
        AichainInputError,
        r"'controls': must not repeat a column already given as 'x'",
    ),
    (
        "control-listed-twice",
        lambda: ec.fit_ols(D, "y", "x", ["c", "c"]),
        AichainInputError,
        "'controls': lists a column",
    ),
    ("outcome-among-regressors", lambda: ec.fit_ols(D, "y", "y"), AichainInputError, "must not repeat.*'y'"),
    (
        "collinear-controls",
        lambda: ec.fit_ols(_with(c2=2 * D["c"]), "y", "x", ["c", "c2"]),
        AichainInputError,
        "'c2' is a linear combination",
    ),
    (
        "zero-residual-dof",
        lambda: ec.fit_ols(D.head(3), "y", "x", ["c"]),
        AichainInputError,
        r"3 observation\(s\) cannot identify 3 parameter",
    ),
    (
        "negative-residual-dof",
        lambda: ec.fit_ols(D.head(2), "y", "x", ["c", "z"]),
        AichainInputError,
        "residual degrees of freedom n - k must be positive",
    ),
    (
        "one-unit-panel",
        lambda: ec.fit_ols(D[D["unit"] == 0], "y", "x", absorb=["unit", "year"]),
        AichainInputError,
        "residual degrees of freedom",
    ),
    (
        "cross-section-absorbed-by-own-ids",
        lambda: ec.fit_ols(D.assign(row=np.arange(len(D))), "y", "x", absorb=["row"]),
        AichainInputError,
        "residual degrees of freedom",
    ),
    (
        "cross-section-first-difference",
        lambda: ec.fit_first_difference(D.assign(row=np.arange(len(D))), "y", "x", None, entity="row", time="year"),
        AichainInputError,
        "nothing to difference",
    ),
    (
        "one-cluster",
        lambda: ec.fit_ols(_with(g1=1), "y", "x", cluster="g1"),
        AichainInputError,
        "at least two clusters",
    ),
    ("one-cluster-iv", lambda: ec.fit_iv(_with(g1=1), "y", "x", "z", cluster="g1"), AichainInputError, "at least two"),
    (
        "one-cluster-bootstrap",
        lambda: ec.wild_cluster_bootstrap(_with(g1=1), "y", "x", cluster="g1"),
        AichainInputError,
        "at least two clusters",
    ),
    (
        "three-cluster-variables",
        lambda: ec.fit_ols(D, "y", "x", cluster=["unit", "year", "grp"]),
        AichainInputError,
        "'cluster'",
    ),
    (
        "cluster-with-robust",
        lambda: ec.fit_ols(D, "y", "x", cluster="grp", vcov="robust"),
        AichainInputError,
        "use vcov='cluster'",
    ),
    ("unknown-vcov", lambda: ec.fit_ols(D, "y", "x", vcov="HC3"), AichainInputError, r"'vcov': must be one of"),
    ("unknown-convention", lambda: ec.fit_ols(D, "y", "x", convention="R"), AichainInputError, "'convention'"),
    (
        "negative-weights",
        lambda: ec.fit_ols(_with(w=D["w"] - 2.5), "y", "x", weights="w"),
        AichainInputError,
        r"'w': analytic weights must be >= 0",
    ),
    ("constant-outcome", lambda: ec.fit_ols(_with(y=2.0), "y", "x"), AichainInputError, "'y': the outcome must vary"),
    (
        "outcome-absorbed-by-effects",
        lambda: ec.fit_ols(_with(y=D["unit"] * 1.0), "y", "x", absorb=["unit"]),
        AichainInputError,
        r"must vary within the levels of the absorbed \['unit'\]",
    ),
    (
        "fewer-instruments-than-endogenous",
        lambda: ec.fit_iv(D, "y", ["x", "c"], "z"),
        AichainInputError,
        "'instruments'.*need at least as many",
    ),
    (
        "endogenous-among-instruments",
        lambda: ec.fit_iv(D, "y", "x", ["z", "x"]),
        AichainInputError,
        "'instruments': must not repeat",
    ),
    (
        "instrument-among-controls",
        lambda: ec.fit_iv(D, "y", "x", "z", ["c", "z"]),
        AichainInputError,
        "'controls': must not repeat",
    ),
    (
        "duplicate-instrument",
        lambda: ec.fit_iv(_with(zc=D["z"] * 3), "y", "x", ["z", "zc"]),
        AichainInputError,
        "instruments are collinear",
    ),
    (
        "instrument-collinear-with-controls",
        lambda: ec.fit_iv(_with(zc=D["c"] - D["z"]), "y", "x", ["z", "zc"], ["c"]),
        AichainInputError,
        "instruments are collinear",
    ),
    ("negative-dofminus", lambda: ec.fit_iv(D, "y", "x", "z", dofminus=-1), AichainInputError, "'dofminus'"),
    ("sdofminus-beyond-n", lambda: ec.fit_iv(D, "y", "x", "z", sdofminus=100), AichainInputError, "'sdofminus'"),
    ("infinite-b0", lambda: ec.fit_iv(D, "y", "x", "z", b0=np.inf), AichainInputError, "'b0'"),
    (
        "duplicated-unit-year",
        lambda: ec.fit_ols(pd.concat([D, D.head(1)]), "y", "x", entity="unit", time="year"),
        AichainInputError,
        "occur once",
    ),
    (
        "string-years",
        lambda: ec.fit_first_difference(D.astype({"year": str}), "y", "x", None, entity="unit", time="year"),
        TimeColumnError,
        "time column 'year'",
    ),
    (
        "fgls-zero-variance-group",
        lambda: ec.fit_fgls(_with(g=np.where(D.index == 0, 99, D["grp"])), "y", "x", ["c"], dummies=["g"], group="g"),
        AichainInputError,
        r"'g': every group needs a positive residual variance.*offending levels: \[99\]",
    ),
    (
        "bootstrap-zero-draws",
        lambda: ec.wild_cluster_bootstrap(D, "y", "x", cluster="grp", reps=0),
        AichainInputError,
        "'reps': must be a positive integer",
    ),
    (
        "bootstrap-unknown-weights",
        lambda: ec.wild_cluster_bootstrap(D, "y", "x", cluster="grp", weights="normal"),
        AichainInputError,
        "'weights'",
    ),
    (
        "bootstrap-negative-seed",
        lambda: ec.wild_cluster_bootstrap(D, "y", "x", cluster="grp", seed=-1),
        AichainInputError,
        "'seed'",
    ),
    (
        "bootstrap-regressor-in-controls",
        lambda: ec.wild_cluster_bootstrap(D, "y", "x", ["x"], cluster="grp"),
        AichainInputError,
        "must not repeat",
    ),
    (
        "demean-missing-value",
        lambda: ec.demean(_with(x=D["x"].where(D.index != 0)), ["x"], ["unit"]),
        AichainInputError,
        r"'x': must not be missing.*\[0\]",
    ),
    (
        "demean-not-converged",
        lambda: ec.demean(_unbalanced_three_way(), ["x"], ["unit", "year", "third"], max_iter=1),
        AichainInputError,
        "'max_iter'.*did not converge",
    ),
    (
        "absorbed-dof-unknown-convention",
        lambda: ec.absorbed_dof(D, ["unit"], convention="R"),
        AichainInputError,
        "'convention'",
    ),
    ("is-nested-missing-column", lambda: ec.is_nested(D, "unit", "sector"), MissingColumnError, "'outer'"),
    ("complete-cases-missing-column", lambda: ec.complete_cases(D, ["nope"], "test"), MissingColumnError, "no column"),
    ("check-rank-names", lambda: ec.check_rank(np.ones((3, 2)), ["a"]), AichainInputError, "'names'"),
    ("refit-vcov-not-a-result", lambda: ec.refit_vcov("result", vcov="robust"), AichainInputError, "'result'"),
    (
        "refit-vcov-missing-cluster",
        lambda: ec.refit_vcov(ec.fit_ols(D, "y", "x"), cluster="nope"),
        MissingColumnError,
        "'cluster'",
    ),
    ("estimate-unknown-regressor", lambda: ec.fit_ols(D, "y", "x").estimate("nope"), AichainInputError, "'name'"),
    ("table-level-outside-0-1", lambda: ec.fit_ols(D, "y", "x").table(level=95), AichainInputError, "'level'"),
    (
        "ar-ci-lengths",
        lambda: ec.anderson_rubin_ci(np.ones(5), np.ones(4), np.ones(5)),
        AichainInputError,
        "same length",
    ),
    ("ar-ci-zero-instrument", lambda: ec.anderson_rubin_ci(D["y"], D["x"], np.zeros(len(D))), AichainInputError, "'z'"),
    ("ar-ci-nan", lambda: ec.anderson_rubin_ci(_inf_y()["y"], D["x"], D["z"]), AichainInputError, r"'y'.*\[4, 9\]"),
    ("not-a-dataframe", lambda: ec.fit_ols(D.to_numpy(), "y", "x"), AichainInputError, "'data': must be a pandas"),
    ("no-complete-row", lambda: ec.fit_ols(_with(y=np.nan), "y", "x"), AichainInputError, "no row has all of"),
]


@pytest.mark.parametrize(("call", "error", "pattern"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_named_degenerate_case_is_refused_with_a_clear_error(call, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        call()
    assert isinstance(info.value, AichainInputError) and isinstance(info.value, ValueError)
    assert info.value.argument  # names the argument or column


def test_missing_column_and_time_errors_keep_their_old_types():
    with pytest.raises(KeyError, match="no column"):
        ec.fit_ols(D, "nope", "x")
    with pytest.raises(TypeError, match="time column"):
        ec.fit_first_difference(D.astype({"year": float}).assign(year=D["year"] + 0.5), "y", "x", None, "unit", "year")


def test_overidentified_iv_with_fewer_clusters_than_instruments_is_documented_not_a_crash():
    """3 clusters, 3 excluded instruments: the 2SLS SEs are defined (checked against linearmodels'
    IV2SLS with the same clusters and ivreg2's factor); the Wald statistics on 3 restrictions, which need
    a covariance of rank 3 (at most G - 1 = 2 here), are NaN with the reason (ivreg2 omits them too)."""
    from linearmodels.iv import IV2SLS

    d = _with(g3=D["unit"] % 3, z3=np.random.default_rng(9).normal(size=len(D)))
    res = ec.fit_iv(d, "y", "x", ["z", "z2", "z3"], ["c"], cluster="g3", small=True)
    lm = IV2SLS(d["y"], sm.add_constant(d[["c"]]), d["x"], d[["z", "z2", "z3"]]).fit(
        cov_type="clustered", clusters=d["g3"], debiased=False
    )
    n, k, G = len(d), 3, 3
    factor = G / (G - 1) * (n - 1) / (n - k)  # ivreg2 small; linearmodels' clustered has no factor
    assert res.params["x"] == pytest.approx(lm.params["x"], rel=1e-10)
    assert res.se["x"] == pytest.approx(lm.std_errors["x"] * np.sqrt(factor), rel=1e-8)
    na = res.extra["not_available"]
    for key in ("first_stage_F", "kp_wald_f", "ar_f", "hansen_j"):
        assert np.isnan(res.extra[key]) and "clusters" in na[key], key
    numbers = {k: v for k, v in res.extra.items() if isinstance(v, float)}
    assert all(np.isfinite(v) or k in na for k, v in numbers.items())  # no NaN without a reason


def test_no_nan_without_a_reason_in_iv_results():
    res = ec.fit_iv(D, "y", "x", "z", ["c"], cluster="grp")
    na = res.extra["not_available"]
    assert "hansen_j_p" in na and res.extra["hansen_j"] == 0.0  # exactly identified, as ivreg2
    for k, v in res.extra.items():
        if isinstance(v, float) and np.isnan(v):
            assert k in na, k


def test_singletons_are_kept_by_default_and_dropped_as_reghdfe_on_request():
    """Dropping singletons changes no coefficient; n and the factors follow pyfixest's fixef_rm='singleton'."""
    import pyfixest as pf

    d = _panel(seed=4, n_units=15, n_years=4)
    d = d[~((d["unit"] >= 12) & (d["year"] > 2001))].reset_index(drop=True)  # units 12-14 observed once
    kept = ec.fit_ols(d, "y", "x", ["c"], absorb=["unit", "year"], convention="fixest")
    dropped = ec.fit_ols(d, "y", "x", ["c"], absorb=["unit", "year"], convention="fixest", drop_singletons=True)
    assert kept.n == len(d) and dropped.n == len(d) - 3 and "singleton" in dropped.notes[-1]
    assert dropped.params["x"] == pytest.approx(kept.params["x"], rel=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.feols("y ~ x + c | unit + year", data=d, vcov="hetero", fixef_rm="singleton")
    assert ref._N == dropped.n
    assert dropped.se["x"] == pytest.approx(float(ref.se()["x"]), rel=1e-8)
    assert kept.se["x"] != pytest.approx(dropped.se["x"], rel=1e-6)


def test_within_r2_names_are_distinct():
    """``r2_within`` is reghdfe's (both effects), ``r2_within_panelols`` linearmodels' PanelOLS one."""
    from linearmodels.panel import PanelOLS

    res = ec.fit_ols(D, "y", "x", ["c"], absorb=["unit", "year"])
    ref = PanelOLS(
        D.set_index(["unit", "year"])["y"],
        D.set_index(["unit", "year"])[["x", "c"]],
        entity_effects=True,
        time_effects=True,
    ).fit()
    assert res.r2_within_panelols("unit") == pytest.approx(ref.rsquared_within, rel=1e-8)
    dm = D[["y", "x", "c"]] - D.groupby("unit")[["y", "x", "c"]].transform("mean")
    dm = dm - dm.groupby(D["year"]).transform("mean")  # balanced: two sweeps are exact
    e = dm["y"] - dm[["x", "c"]].to_numpy() @ res.params.to_numpy()
    assert res.r2_within == pytest.approx(1 - (e**2).sum() / (dm["y"] ** 2).sum(), rel=1e-10)
    assert abs(res.r2_within - res.r2_within_panelols("unit")) > 1e-4


# ---------------------------------------------------------------- property-based tests

VALUES = st.sampled_from([-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 1.25])


@st.composite
def panels(draw, max_units=5, max_years=4):
    """A small, possibly unbalanced, possibly degenerate panel with y, x, c, z columns."""
    n_units = draw(st.sampled_from([max_units, max_units, 1, 2, max_units - 1, max_units]))
    n_years = draw(st.sampled_from([max_years, 1, 2, max_years - 1, max_years]))
    cells = [(u, 2000 + t) for u in range(n_units) for t in range(n_years)]
    gone = set(draw(st.lists(st.integers(0, len(cells) - 1), max_size=3)))  # unbalanced
    cells = [c for i, c in enumerate(cells) if i not in gone] or cells[:1]
    n = len(cells)
    col = st.lists(VALUES, min_size=n, max_size=n)
    d = pd.DataFrame(cells, columns=["unit", "year"])
    for name in ("y", "x", "c", "z", "z2"):
        d[name] = draw(col)
    kind = draw(st.sampled_from(["free", "constant", "unit-constant", "copy-of-c", "free", "free"]))
    if kind == "constant":
        d["x"] = 1.0
    elif kind == "unit-constant":
        d["x"] = d["unit"] % 2 * 1.0
    elif kind == "copy-of-c":
        d["x"] = 2 * d["c"]
    spoil = draw(st.sampled_from([None, None, None, np.nan, np.inf]))
    if spoil is not None:
        d.loc[draw(st.integers(0, n - 1)), draw(st.sampled_from(["y", "x", "c"]))] = spoil
    return d


def _dummies(d: pd.DataFrame, effects: list[str]) -> pd.DataFrame:
    parts = [pd.get_dummies(d[e].astype(str), prefix=e, drop_first=True, dtype=float) for e in effects]
    return pd.concat([pd.DataFrame({"const": np.ones(len(d))}, index=d.index), *parts], axis=1)


def _reference_ols(d, regs, absorb):
    """numpy least squares on the explicit dummy design: (beta, rank, n, residuals, design)."""
    X = pd.concat([d[regs], _dummies(d, absorb)], axis=1).to_numpy(dtype=float)
    beta, *_ = np.linalg.lstsq(X, d["y"].to_numpy(dtype=float), rcond=None)
    return beta[: len(regs)], np.linalg.matrix_rank(X), X


def _clean(d, cols):
    return np.isfinite(d[cols].to_numpy(dtype=float, na_value=np.nan)).all(axis=1) | d[cols].isna().any(axis=1)


def _expect_refusal_reason(d, regs, absorb, clusters=()):
    """True if an independent look at the data finds a reason to refuse (rank, df, variation, clusters, inf)."""
    if np.isinf(d[["y", *regs]].to_numpy(dtype=float)).any():
        return True
    d = d.dropna(subset=["y", *regs])
    if d.empty:
        return True
    _, rank, X = _reference_ols(d, regs, absorb)
    fe = _dummies(d, absorb).to_numpy()
    y = d["y"].to_numpy()
    fitted = fe @ np.linalg.lstsq(fe, y, rcond=None)[0]
    too_few_clusters = any(d[c].nunique() < 2 for c in clusters)
    return rank < X.shape[1] or len(d) - rank <= 0 or np.abs(y - fitted).max() < 1e-9 or too_few_clusters


@PROPS
@given(
    panels(), st.sampled_from([[], ["unit"], ["unit", "year"]]), st.sampled_from(["robust", "unadjusted", "cluster"])
)
def test_fit_ols_refuses_or_matches_least_squares_and_statsmodels(d, absorb, vcov):
    regs = ["x", "c"]
    kw = {"cluster": "unit"} if vcov == "cluster" else {"vcov": vcov}
    try:
        res = ec.fit_ols(d, "y", "x", ["c"], absorb=absorb, **kw)
    except AichainInputError:
        assert _expect_refusal_reason(d, regs, absorb, ["unit"] if vcov == "cluster" else ())
        return
    s = d.dropna(subset=["y", *regs])
    beta, rank, X = _reference_ols(s, regs, absorb)
    assert rank == X.shape[1] and len(s) > rank  # never a number from a singular system
    np.testing.assert_allclose(res.params[regs].to_numpy(), beta, rtol=1e-7, atol=1e-8)
    cov = {"robust": "HC1", "unadjusted": "nonrobust"}.get(vcov, "cluster")
    kwds = {"groups": pd.factorize(s["unit"])[0]} if vcov == "cluster" else None
    ref = sm.OLS(s["y"].to_numpy(), X).fit(cov_type=cov, cov_kwds=kwds)
    se = ref.bse[:2]
    if vcov == "cluster":  # reghdfe leaves effects nested in the clusters out of k: rescale statsmodels' factor
        nested = [e for e in absorb if (s.groupby(e)["unit"].nunique() == 1).all()]  # noqa: PD101
        k_c = 2 + np.linalg.matrix_rank(_dummies(s, [e for e in absorb if e not in nested]).to_numpy())
        se = se * np.sqrt((len(s) - rank) / (len(s) - k_c))
    np.testing.assert_allclose(res.se[regs].to_numpy(), se, rtol=1e-6, atol=1e-9)
    assert np.isfinite(res.table()[["coef", "se"]].to_numpy()).all()


def _iv_refusal_reason(d, instr, absorb):
    if np.isinf(d[["y", "x", "c"]].to_numpy(dtype=float)).any():
        return True
    s = d.dropna(subset=["y", "x", "c"])
    if s.empty:
        return True
    Z = pd.concat([s[[*instr, "c"]], _dummies(s, absorb)], axis=1).to_numpy(dtype=float)
    X = pd.concat([s[["x", "c"]], _dummies(s, absorb)], axis=1).to_numpy(dtype=float)
    fe = _dummies(s, absorb).to_numpy()
    y = s["y"].to_numpy()
    absorbed = np.abs(y - fe @ np.linalg.lstsq(fe, y, rcond=None)[0]).max() < 1e-9
    rank_z, rank_x = np.linalg.matrix_rank(Z), np.linalg.matrix_rank(X)
    return rank_z < Z.shape[1] or rank_x < X.shape[1] or len(s) - rank_z <= 0 or absorbed


@PROPS
@given(panels(), st.sampled_from([[], ["unit"]]), st.sampled_from(["robust", "unadjusted", "cluster"]), st.booleans())
def test_fit_iv_refuses_or_matches_linearmodels(d, absorb, vcov, overid):
    from linearmodels.iv import IV2SLS

    instr = ["z", "z2"] if overid else ["z"]
    kw = {"cluster": "year"} if vcov == "cluster" else {"vcov": vcov}
    try:
        res = ec.fit_iv(d, "y", "x", instr, ["c"], absorb=absorb, **kw)
    except AichainInputError:
        few = vcov == "cluster" and d.dropna(subset=["y", "x", "c"])["year"].nunique() < 2
        assert few or _iv_refusal_reason(d, instr, absorb)
        return
    s = d.dropna(subset=["y", "x", "c"])
    Z = pd.concat([s[[*instr, "c"]], _dummies(s, absorb)], axis=1).to_numpy(dtype=float)
    X = pd.concat([s[["x", "c"]], _dummies(s, absorb)], axis=1).to_numpy(dtype=float)
    assert np.linalg.matrix_rank(Z) == Z.shape[1] and np.linalg.matrix_rank(X) == X.shape[1]
    ex = pd.concat([s[["c"]], _dummies(s, absorb)], axis=1)
    fit_kw = {"cov_type": "clustered", "clusters": s["year"]} if vcov == "cluster" else {"cov_type": vcov}
    ref = IV2SLS(s["y"], ex, s[["x"]], s[instr]).fit(debiased=False, **fit_kw)  # ivreg2 without small: no factor
    assert res.params["x"] == pytest.approx(ref.params["x"], rel=1e-6, abs=1e-8)
    assert res.se["x"] == pytest.approx(ref.std_errors["x"], rel=1e-6, abs=1e-9)
    na = res.extra["not_available"]
    assert all(k in na for k, v in res.extra.items() if isinstance(v, float) and np.isnan(v))


@PROPS
@given(panels(max_units=4, max_years=5))
def test_fit_first_difference_refuses_or_matches_ols_on_differences(d):
    try:
        res = ec.fit_first_difference(d, "y", "x", ["c"], entity="unit", time="year", vcov="robust")
    except AichainInputError:
        return
    s = d.sort_values(["unit", "year"])
    g = s.groupby("unit")
    diff = g[["y", "x", "c"]].diff().where(g["year"].diff() == 1).assign(year=s["year"]).dropna()
    X = pd.concat([diff[["x", "c"]], _dummies(diff, ["year"])], axis=1).to_numpy(dtype=float)
    assert np.linalg.matrix_rank(X) == X.shape[1]
    ref = sm.OLS(diff["y"].to_numpy(), X).fit(cov_type="HC1")
    np.testing.assert_allclose(res.params[["x", "c"]].to_numpy(), ref.params[:2], rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(res.se[["x", "c"]].to_numpy(), ref.bse[:2], rtol=1e-6, atol=1e-9)


@PROPS
@given(panels(max_units=5, max_years=4))
def test_fit_fgls_refuses_or_matches_two_step_weighted_least_squares(d):
    d = d.assign(g=d["unit"] % 3)
    try:
        res = ec.fit_fgls(d, "y", "x", ["c"], group="g")
    except AichainInputError:
        return
    s = d.dropna(subset=["y", "x", "c"])
    X = sm.add_constant(s[["x", "c"]].to_numpy(dtype=float), has_constant="add")
    e = s["y"].to_numpy() - X @ np.linalg.lstsq(X, s["y"].to_numpy(), rcond=None)[0]
    s2 = pd.Series(e**2).groupby(s["g"].to_numpy()).mean()
    wls = sm.WLS(s["y"].to_numpy(), X, weights=1 / s["g"].map(s2).to_numpy()).fit()
    np.testing.assert_allclose(res.params[["x", "c"]].to_numpy(), wls.params[1:], rtol=1e-6, atol=1e-8)


@PROPS
@given(panels(max_units=6, max_years=3), st.integers(1, 30), st.sampled_from(["rademacher", "webb", "mammen"]))
def test_wild_bootstrap_refuses_or_reports_a_stata_t_and_a_probability(d, reps, weights):
    try:
        out = ec.wild_cluster_bootstrap(d, "y", "x", ["c"], cluster="unit", reps=reps, weights=weights, seed=1)
    except AichainInputError:
        return
    s = d.dropna(subset=["y", "x", "c"])
    X = sm.add_constant(s[["x", "c"]].to_numpy(dtype=float), has_constant="add")
    ref = sm.OLS(s["y"].to_numpy(), X).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(s["unit"])[0]})
    assert out["t"] == pytest.approx(ref.tvalues[1], rel=1e-6)
    assert 0.0 <= out["p"] <= 1.0 and out["reps"] >= 1 and np.isfinite(out["p"])


@PROPS
@given(panels(), st.sampled_from([["unit"], ["year"], ["unit", "year"]]))
def test_demean_refuses_or_equals_the_residual_on_the_dummies(d, groups):
    try:
        got = ec.demean(d, ["x", "c"], groups)
    except AichainInputError:
        assert not np.isfinite(d[["x", "c"]].to_numpy(dtype=float)).all()
        return
    F = _dummies(d, groups).to_numpy()
    V = d[["x", "c"]].to_numpy(dtype=float)
    np.testing.assert_allclose(got.to_numpy(), V - F @ np.linalg.lstsq(F, V, rcond=None)[0], atol=1e-9)


@PROPS
@given(panels(), st.sampled_from([["unit"], ["unit", "year"], []]), st.sampled_from([[], ["unit"]]))
def test_absorbed_dof_and_is_nested_equal_matrix_ranks_and_group_counts(d, absorb, clusters):
    keep = [e for e in absorb if not any(d.groupby(e)[c].nunique().max() == 1 for c in clusters)]
    assert ec.absorbed_dof(d, absorb, clusters) == np.linalg.matrix_rank(_dummies(d, keep).to_numpy())
    assert ec.is_nested(d, "year", "unit") == bool((d.groupby("year")["unit"].nunique() == 1).all())  # noqa: PD101


@PROPS
@given(panels())
def test_complete_cases_is_listwise_deletion_reported(d):
    frame, dropped, notes = ec.complete_cases(d, ["y", "x"], "t")
    assert frame.equals(d.dropna(subset=["y", "x"])) and dropped == len(d) - len(frame)
    assert bool(notes) == bool(dropped)


@PROPS
@given(st.lists(st.lists(VALUES, min_size=3, max_size=3), min_size=1, max_size=6))
def test_check_rank_refuses_exactly_the_rank_deficient_matrices(rows):
    X = np.array(rows)
    try:
        ec.check_rank(X, ["a", "b", "c"])
    except AichainInputError:
        assert np.linalg.matrix_rank(X) < 3
        return
    assert np.linalg.matrix_rank(X) == 3


@PROPS
@given(panels(max_units=5, max_years=4), st.sampled_from(["robust", "unadjusted", "cluster"]))
def test_refit_vcov_equals_a_new_fit(d, vcov):
    try:
        base = ec.fit_ols(d, "y", "x", ["c"], absorb=["unit"], vcov="robust")
        kw = {"cluster": "year"} if vcov == "cluster" else {"vcov": vcov}
        new = ec.fit_ols(d, "y", "x", ["c"], absorb=["unit"], **kw)
    except AichainInputError:
        return
    np.testing.assert_allclose(ec.refit_vcov(base, **kw).se.to_numpy(), new.se.to_numpy(), rtol=1e-10)


@PROPS
@given(panels(max_units=6, max_years=4), st.floats(0.5, 0.99))
def test_anderson_rubin_ci_bounds_have_the_critical_statistic(d, level):
    from scipy import stats

    s = d.dropna()
    try:
        lo, hi, shape = ec.anderson_rubin_ci(s["y"], s["x"], s["z"], level=level)
    except AichainInputError:
        assert not np.isfinite(s[["y", "x", "z"]].to_numpy()).all() or (s["z"] == 0).all() or len(s) < 2
        return
    assert shape in ("interval", "unbounded", "real line", "empty")
    z = s["z"].to_numpy()
    for b in (lo, hi):
        if np.isfinite(b):  # AR(b): HC0 Wald of z in y - b x on z (no intercept), equals the critical value
            fit = sm.OLS(s["y"].to_numpy() - b * s["x"].to_numpy(), z).fit(cov_type="HC0")
            if fit.ssr < 1e-20:  # y and x both exact multiples of z: the set is the point {b} (0/0 at b)
                continue
            assert fit.tvalues[0] ** 2 == pytest.approx(stats.chi2.ppf(level, 1), rel=1e-5, abs=1e-6)


@PROPS
@given(panels(), st.sampled_from([0.95, 0.5, 0.999, 0.0, 1.0, 95.0, -0.1]))
def test_result_table_refuses_a_level_outside_0_1_or_matches_scipy(d, level):
    from scipy import stats

    try:
        res = ec.fit_ols(d, "y", "x", ["c"], vcov="robust")
    except AichainInputError:
        return
    try:
        tab = res.table(level=level)
    except AichainInputError:
        assert not 0 < level < 1
        return
    crit = stats.t.ppf(0.5 + level / 2, res.df)
    np.testing.assert_allclose(tab["ci_high"] - tab["coef"], crit * tab["se"], rtol=1e-10, atol=1e-12)
    est = res.estimate("c")
    assert est.coef == tab.loc["c", "coef"] and est.r2_within is None
