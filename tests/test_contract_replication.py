"""The replication layer's contract (issue 23): named degenerate cases and property-based tests.

Every public function of :mod:`aichain_utils.replication.models`,
:mod:`aichain_utils.replication.columns`, :mod:`aichain_utils.replication.matching`,
:mod:`aichain_utils.replication.mediation` and :mod:`aichain_utils.replication.heterogeneity`
answers bad input with :class:`~aichain_utils.errors.AichainInputError` naming the column or
argument, or with a result equal to an independent computation (statsmodels with explicit dummies,
linearmodels, a brute-force loop). The named cases are in ``tests/test_replication_cases.py``
(``python tests/test_replication_cases.py`` prints what each does: the probe table).
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linearmodels.iv import IV2SLS
from test_replication_cases import CASES, small_panel

from aichain_utils.errors import AichainInputError
from aichain_utils.replication import columns as replication
from aichain_utils.replication import heterogeneity, matching, mediation, models

PROPERTY = settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow], database=None
)
MODULES = (models, replication, matching, mediation, heterogeneity)


@pytest.fixture(scope="module")
def panel10():
    return small_panel()


@pytest.mark.parametrize(("function", "name", "call"), CASES, ids=[f"{f}: {n}" for f, n, _ in CASES])
def test_named_degenerate_case_raises_the_contract_error(panel10, function, name, call):
    with pytest.raises(AichainInputError) as info:
        call(panel10)
    message = str(info.value)
    assert "'" in message, message  # the column or argument is named, quoted
    assert "Traceback" not in message and "Singular matrix" not in message


def test_every_public_function_documents_what_it_raises():
    missing = []
    for module in MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) and obj.__module__ == module.__name__ and "Raises" not in (obj.__doc__ or ""):
                missing.append(f"{module.__name__}.{name}")
    assert not missing


def test_missing_column_error_is_also_a_key_error_naming_the_table(panel10):
    with pytest.raises(KeyError, match="Table 10 needs LCV and WCV; the panel has neither"):
        replication.table10_columns(panel10.drop(columns=["LCV", "WCV"]))


# --- property-based tests: small hand-built panels with degenerate features ---------------------------------


def _panel(seed: int, n_units: int, n_years: int, flaw: str, n_groups: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(2013, 2013 + n_years), n_units)
    a_i = rng.normal(size=n_units)[unit]
    z = rng.normal(size=len(unit))
    x = 0.7 * z + a_i + rng.normal(size=len(unit))
    c = rng.normal(size=len(unit))
    m = 0.5 * x + rng.normal(size=len(unit))
    y = 1.0 * x + 0.4 * m + 0.3 * c + a_i + rng.normal(size=len(unit))
    d = pd.DataFrame(
        {
            "unit_id": unit,
            "industry_id": unit % 3,
            "year": year,
            "grp": np.array([f"g{k}" for k in range(n_groups)])[unit % n_groups],
            "ERL": y,
            "AIE": x,
            "Z": z,
            "M": m,
            "lngdp": c,
        }
    )
    if flaw == "x constant within units":
        d["AIE"] = d.groupby("unit_id")["AIE"].transform("mean")
    elif flaw == "constant instrument":
        d["Z"] = 1.0
    elif flaw == "constant mediator":
        d["M"] = 2.0
    elif flaw == "NaN unit id":
        d.loc[0, "unit_id"] = np.nan
    elif flaw == "infinite outcome":
        d.loc[1, "ERL"] = np.inf
    elif flaw == "unbalanced":
        d = d.drop(index=d.index[rng.random(len(d)) < 0.25])
    elif flaw == "missing values":
        d.loc[d.index[:2], "lngdp"] = np.nan
    return d


def test_fgls_with_one_group_is_ols_with_the_ml_variance():
    """Valid degenerate input: one heteroskedasticity group gives OLS with ``e'e/n`` (xtgls, one panel)."""
    d = _panel(3, 8, 4, "none").assign(industry_id=0)
    est = models.fit_fgls(d, controls=["lngdp"])
    years = pd.get_dummies(d["year"], drop_first=True, dtype=float)
    ols = sm.OLS(d["ERL"], sm.add_constant(pd.concat([d[["AIE", "lngdp"]], years], axis=1))).fit()
    assert est.coef == pytest.approx(ols.params["AIE"], rel=1e-8)
    assert est.se == pytest.approx(ols.bse["AIE"] * math.sqrt(ols.df_resid / ols.nobs), rel=1e-8)


FLAWS = st.sampled_from(
    [
        "none",
        "x constant within units",
        "constant instrument",
        "constant mediator",
        "NaN unit id",
        "infinite outcome",
        "unbalanced",
        "missing values",
    ]
)
SIZES = {"seed": st.integers(0, 10_000), "n_units": st.integers(1, 6), "n_years": st.integers(1, 5), "flaw": FLAWS}


def _dummy_ols(d: pd.DataFrame, y: str, regs: list[str]):
    X = pd.concat(
        [
            d[regs],
            pd.get_dummies(d["unit_id"].astype(int), prefix="u", drop_first=True, dtype=float),
            pd.get_dummies(d["year"], prefix="t", drop_first=True, dtype=float),
        ],
        axis=1,
    )
    return sm.OLS(d[y], sm.add_constant(X, has_constant="add")).fit(cov_type="HC1")


@PROPERTY
@given(**SIZES)
def test_two_way_fe_is_an_error_or_the_dummy_regression(seed, n_units, n_years, flaw):
    d = _panel(seed, n_units, n_years, flaw)
    try:
        est = models.fit_two_way_fe(d, controls=["lngdp"])
    except AichainInputError as err:
        assert err.argument is not None or "'" in str(err)
        return
    assert flaw not in ("NaN unit id", "infinite outcome", "x constant within units")
    ref = _dummy_ols(d.dropna(subset=["ERL", "AIE", "lngdp"]), "ERL", ["AIE", "lngdp"])
    assert np.isfinite(est.coef) and np.isfinite(est.se) and est.se > 0
    assert est.coef == pytest.approx(ref.params["AIE"], rel=1e-6, abs=1e-8)
    assert est.se == pytest.approx(ref.bse["AIE"], rel=1e-6)


@PROPERTY
@given(**SIZES)
def test_iv_is_an_error_or_linearmodels_with_dummies(seed, n_units, n_years, flaw):
    d = _panel(seed, n_units, n_years, flaw)
    try:
        est = models.fit_iv(d, "Z", controls=["lngdp"])
    except AichainInputError:
        return
    assert flaw not in ("NaN unit id", "infinite outcome", "constant instrument")
    e = d.dropna(subset=["ERL", "AIE", "Z", "lngdp"])
    dummies = pd.concat(
        [
            pd.get_dummies(e["unit_id"].astype(int), prefix="u", drop_first=True, dtype=float),
            pd.get_dummies(e["year"], prefix="t", drop_first=True, dtype=float),
        ],
        axis=1,
    )
    exog = sm.add_constant(pd.concat([e[["lngdp"]], dummies], axis=1), has_constant="add")
    ref = IV2SLS(e["ERL"], exog, e["AIE"], e["Z"]).fit(cov_type="unadjusted")
    assert est.coef == pytest.approx(ref.params["AIE"], rel=1e-6, abs=1e-8)


@PROPERTY
@given(**SIZES)
def test_mediation_is_an_error_or_the_product_of_dummy_regressions(seed, n_units, n_years, flaw):
    d = _panel(seed, n_units, n_years, flaw)
    try:
        r = mediation.mediation_analysis(d, "M", controls=["lngdp"])
    except AichainInputError:
        return
    assert flaw not in ("NaN unit id", "infinite outcome", "constant mediator")
    e = d.dropna(subset=["ERL", "AIE", "M", "lngdp"])
    a = _dummy_ols(e, "M", ["AIE", "lngdp"]).params["AIE"]
    b = _dummy_ols(e, "ERL", ["M", "AIE", "lngdp"]).params["M"]
    c = _dummy_ols(e, "ERL", ["AIE", "lngdp"]).params["AIE"]
    assert r.indirect == pytest.approx(a * b, rel=1e-6, abs=1e-10)
    assert r.total.coef == pytest.approx(c, rel=1e-6, abs=1e-10)
    assert r.direct.coef + r.indirect == pytest.approx(r.total.coef, rel=1e-6, abs=1e-10)


@PROPERTY
@given(seed=st.integers(0, 10_000), n_units=st.integers(1, 8), n_years=st.integers(2, 4), reps=st.integers(-2, 3))
def test_bootstrap_indirect_is_an_error_or_the_weighted_dummy_regressions(seed, n_units, n_years, reps):
    d = _panel(seed, n_units, n_years, "none")
    try:
        draws = mediation.bootstrap_indirect(d, "M", controls=["lngdp"], reps=reps, seed=seed)
    except AichainInputError as err:
        assert reps < 1 or any(k in str(err) for k in ("bootstrap draw", "collinear", "units")), str(err)
        return
    assert len(draws) == reps and np.isfinite(draws).all()
    rng = np.random.default_rng(seed)  # the first draw, recomputed by weighted least squares with dummies
    codes, units = pd.factorize(d.sort_values(["unit_id", "year"])["unit_id"])
    w_unit = np.bincount(rng.integers(0, len(units), len(units)), minlength=len(units)).astype(float)
    e = d.sort_values(["unit_id", "year"]).assign(w=w_unit[codes])
    e = e[e["w"] > 0]
    X = pd.concat(
        [
            pd.get_dummies(e["unit_id"], prefix="u", drop_first=True, dtype=float),
            pd.get_dummies(e["year"], prefix="t", drop_first=True, dtype=float),
        ],
        axis=1,
    )
    fit = lambda yv, regs: sm.WLS(e[yv], sm.add_constant(pd.concat([e[regs], X], axis=1)), weights=e["w"]).fit()  # noqa: E731
    a = fit("M", ["AIE", "lngdp"]).params["AIE"]
    b = fit("ERL", ["M", "AIE", "lngdp"]).params["M"]
    assert draws[0] == pytest.approx(a * b, rel=1e-6, abs=1e-10)


@PROPERTY
@given(seed=st.integers(0, 10_000), n_units=st.integers(2, 9), n_years=st.integers(1, 4), n_groups=st.integers(1, 3))
def test_suest_is_an_error_or_the_groupwise_dummy_regressions(seed, n_units, n_years, n_groups):
    d = _panel(seed, n_units, n_years, "none", n_groups)
    try:
        s = heterogeneity.suest_test(d, "grp", controls=["lngdp"])
    except AichainInputError:
        return
    for level, coef in zip(s.groups, s.coefs, strict=True):
        ref = _dummy_ols(d[d["grp"] == level], "ERL", ["AIE", "lngdp"])
        assert coef == pytest.approx(ref.params["AIE"], rel=1e-6, abs=1e-10)
    assert np.isfinite(s.chi2) and 0 <= s.p <= 1


@PROPERTY
@given(
    b=st.lists(st.one_of(st.floats(-5, 5), st.just(math.nan)), min_size=0, max_size=4),
    scale=st.floats(0, 2),
    rank=st.integers(0, 4),
    seed=st.integers(0, 100),
)
def test_wald_equal_is_an_error_or_the_quadratic_form(b, scale, rank, seed):
    G = len(b)
    A = np.random.default_rng(seed).normal(size=(G, rank))
    V = scale * A @ A.T
    try:
        chi2, df, p = heterogeneity.wald_equal(np.array(b), V)
    except AichainInputError:
        return
    R = np.eye(G)[1:] * -1
    R[:, 0] = 1.0
    diff = R @ np.array(b)
    ref = float(diff @ np.linalg.pinv(R @ V @ R.T) @ diff)
    assert df == G - 1 and chi2 == pytest.approx(ref, rel=1e-6) and 0 <= p <= 1


@PROPERTY
@given(
    a=st.floats(allow_nan=True, allow_infinity=True),
    se_a=st.one_of(st.floats(-1, 1e3), st.just(math.nan)),
    b=st.floats(-1e3, 1e3),
    se_b=st.floats(-1, 1e3),
)
def test_sobel_se_is_an_error_or_the_delta_method(a, se_a, b, se_b):
    try:
        out = mediation.sobel_se(a, se_a, b, se_b)
    except AichainInputError as err:
        assert "float's range" in str(err) or not (math.isfinite(a) and math.isfinite(se_a) and se_a >= 0 <= se_b)
        return
    assert out == pytest.approx(math.hypot(b * se_a, a * se_b), rel=1e-12)


@PROPERTY
@given(p=st.floats(allow_nan=True, allow_infinity=True))
def test_format_p_is_an_error_or_the_rounded_probability(p):
    try:
        out = replication.format_p(p)
    except AichainInputError:
        assert not 0 <= p <= 1
        return
    assert out == "< 0.001" if p < 0.0005 else float(out) == pytest.approx(p, abs=5e-4)


def _brute_force_weights(lps: np.ndarray, treated: np.ndarray, caliper: float) -> np.ndarray:
    w = np.zeros(len(lps))
    controls = np.flatnonzero(~treated)
    for i in np.flatnonzero(treated):
        dist = np.abs(lps[controls] - lps[i])
        if dist.min() <= caliper:
            ties = controls[dist <= dist.min() + 1e-10]
            w[ties] += 1 / len(ties)
            w[i] += 1
    return w


@PROPERTY
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60), caliper=st.floats(-0.5, 1.0), share=st.floats(0, 1))
def test_matching_is_an_error_or_the_brute_force_match(seed, n, caliper, share):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    d = pd.DataFrame({"T": (rng.random(n) < share).astype(int), "x": x, "year": 2013 + (np.arange(n) % 2)})
    try:
        m = matching.match_on_propensity(d, ["x"], treat_var="T", caliper_sd=caliper)
    except AichainInputError:
        return
    assert caliper > 0 and 2 <= d["T"].sum() <= n - 2
    ref = sm.Logit(
        d["T"], sm.add_constant(pd.concat([d[["x"]], pd.get_dummies(d["year"], drop_first=True, dtype=float)], axis=1))
    ).fit(disp=False)
    np.testing.assert_allclose(m.data["logit_pscore"], ref.fittedvalues, rtol=1e-6, atol=1e-6)
    w = _brute_force_weights(m.data["logit_pscore"].to_numpy(), m.data["treated"].to_numpy(), m.caliper)
    np.testing.assert_allclose(m.data["weight"], w, atol=1e-9)
    bal = matching.balance_table(m, ["x"]) if (m.data["weight"] > 0).any() else None
    assert bal is None or np.isfinite(bal[["SMD before", "SMD after"]].to_numpy()).all()
