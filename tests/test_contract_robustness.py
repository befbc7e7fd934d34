"""The contract of every public function of :mod:`aichain_utils.robustness` (issue 23).

Two kinds of test:

* a table of **named degenerate cases** mirroring what R ``sensemakr`` (``check_r2``, ``check_q``,
  ``check_alpha``, ``check_se``, ``check_dof``, the impossible-``kd`` stop of ``ovb_partial_r2_bound``)
  and Stata ``psacalc`` (R_max above 1 or below the controlled R², a treatment that is not an
  independent variable of the model) refuse, plus the degenerate panels of the issue (constant
  treatment, NaN ids, a regressor repeated among the controls, zero bootstrap draws, ...; the rules and
  their origin are in ``tests/reference/data/robustness_contract/README.md``): each must
  raise :class:`~aichain_utils.errors.AichainInputError` naming the argument; where PySensemakr (the
  Python port of R sensemakr) has the same check the table verifies that it refuses the input too (its
  ``check_r2`` skips scalars, so the two partial-R² rows cite R's ``check_r2`` alone);
* **property-based tests** (hypothesis; derandomised, a few dozen examples each): for generated
  arguments and small, possibly degenerate panels every public function either raises the contract's
  error or returns what an independent computation gives (PySensemakr, statsmodels, pyfixest's
  ``rwolf`` step-down and ``feols``, the ``twowayfeweights`` package, closed forms written out here).

Anything else (a bare ``LinAlgError``, ``ZeroDivisionError``, ``KeyError``, a NaN) fails the tests.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aichain_utils.errors import AichainInputError
from aichain_utils.robustness import causal_mediation as cm
from aichain_utils.robustness import fragility as fr
from aichain_utils.robustness import multiple as mt
from aichain_utils.robustness import plots
from aichain_utils.robustness import sensitivity as se
from aichain_utils.robustness import speccurve as sc
from aichain_utils.robustness import twfe_weights as tw

FAST = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
CONTROLS = ["lngdp", "imp"]
DEFECTS = [
    "none",
    "constant_x",
    "x_constant_within_units",
    "nan_unit_id",
    "inf_y",
    "all_y_nan",
    "x_in_controls",
    "control_twice",
    "collinear_control",
    "one_unit",
    "negative_x",
]


#: Degenerate panels half the time, valid ones the other half (so both branches are exercised).
PANEL_DEFECTS = st.sampled_from(["none"] * (len(DEFECTS) - 1) + DEFECTS[1:])
UNITS = st.sampled_from([1, 2, 8, 10, 12, 12])
YEARS = st.sampled_from([2, 3, 4])


def panel(n_units: int = 12, n_years: int = 4, seed: int = 0, defect: str = "none") -> pd.DataFrame:
    """A small balanced panel with the analysis panel's columns, with one named defect."""
    rng = np.random.default_rng(seed)
    units = np.repeat(np.arange(1, n_units + 1), n_years)
    d = pd.DataFrame({"unit_id": units, "year": np.tile(np.arange(2013, 2013 + n_years), n_units)})
    d["industry_id"] = (units - 1) // 3 + 1
    ue = rng.normal(size=n_units)[units - 1]
    d["AIE"] = np.abs(2.0 + 0.5 * ue + rng.normal(size=len(d))) + 0.1  # positive, as the book's AIE
    for c in sc.CONTROLS:
        d[c] = rng.normal(size=len(d)) + 0.2 * d["AIE"]
    d["M"] = 0.8 * d["AIE"] + rng.normal(size=len(d))
    d["ERL"] = 0.5 * d["AIE"] + 0.3 * d["M"] + 0.1 * d["lngdp"] + ue + rng.normal(size=len(d))
    for k in range(1, 5):
        d[f"IV{k}"] = d["AIE"] + rng.normal(size=len(d))
    d.loc[d["year"] == 2013, "IV1"] = np.nan
    if defect == "constant_x":
        d["AIE"] = 1.0
    elif defect == "x_constant_within_units":
        d["AIE"] = 1.0 + 0.1 * d["unit_id"]
    elif defect == "nan_unit_id":
        d["unit_id"] = d["unit_id"].where(d.index % 5 != 0)
    elif defect == "inf_y":
        d.loc[0, "ERL"] = np.inf
    elif defect == "all_y_nan":
        d["ERL"] = np.nan
    elif defect == "collinear_control":
        d["imp"] = 2 * d["lngdp"] - 1
    elif defect == "one_unit":
        d = d[d["unit_id"] == 1].reset_index(drop=True)
    elif defect == "negative_x":
        d["AIE"] = d["AIE"] - 10
    return d


def controls_for(defect: str) -> list[str]:
    return {"x_in_controls": ["AIE", "imp"], "control_twice": ["imp", "imp"]}.get(defect, CONTROLS)


def contract(fn, *args, **kwargs):
    """Run ``fn``: the contract's error gives ``None`` (its message must name something); any other
    exception propagates and fails the test."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # a numpy warning means a silent NaN/inf
            return fn(*args, **kwargs)
    except AichainInputError as err:
        assert err.argument and err.rule and err.argument in str(err)
        return None


def smkr():
    return pytest.importorskip("sensemakr")


def smkr_refuses(call) -> bool:
    """PySensemakr signals bad input with ``sys.exit`` (R ``stop``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call()
        except (SystemExit, ValueError):
            return True
    return False


# ------------------------------------------------------------------ named degenerate cases
def _book_panel():
    return panel(n_units=12, n_years=5, seed=1)


NAMED = [
    # (id, call, argument named, PySensemakr's refusal of the same input or None)
    ("check_dof: dof = 0", lambda: se.partial_r2(2.0, 0), "dof", None),
    ("check_dof: dof < 0", lambda: se.robustness_value(2.0, -3), "dof", None),
    ("check_q: q < 0", lambda: se.robustness_value(3.0, 100, q=-1), "q",
     lambda s: s.robustness_value(t_statistic=3.0, dof=100, q=-1)),
    ("check_alpha: alpha > 1", lambda: se.robustness_value(3.0, 100, alpha=1.5), "alpha",
     lambda s: s.robustness_value(t_statistic=3.0, dof=100, alpha=1.5)),
    ("check_alpha: alpha < 0", lambda: se.robustness_value(3.0, 100, alpha=-0.1), "alpha",
     lambda s: s.robustness_value(t_statistic=3.0, dof=100, alpha=-0.1)),
    ("RV_{q,alpha} with dof = 1 (R: NaN)", lambda: se.robustness_value(3.0, 1, alpha=0.05), "dof", None),
    ("non-finite t", lambda: se.robustness_value(np.inf, 100), "t", None),
    ("check_r2: r2dxj_x > 1", lambda: se.benchmark_bounds(1.0, 0.1, 100, 1.2, 0.1), "r2dxj_x", None),
    ("check_r2: r2yxj_dx < 0", lambda: se.benchmark_bounds(1.0, 0.1, 100, 0.1, -0.1), "r2yxj_dx", None),
    ("impossible kd: r2dz.x >= 1", lambda: se.benchmark_bounds(1.0, 0.1, 100, 0.5, 0.1, k=2), "k",
     lambda s: s.ovb_partial_r2_bound(r2dxj_x=0.5, r2yxj_dx=0.1, kd=2)),
    ("r2dxj_x = 1 (r2dz.x infinite)", lambda: se.benchmark_bounds(1.0, 0.1, 100, 1.0, 0.1), "r2dxj_x",
     lambda s: s.ovb_partial_r2_bound(r2dxj_x=1.0, r2yxj_dx=0.1)),
    ("check_se: se < 0", lambda: se.benchmark_bounds(1.0, -0.1, 100, 0.1, 0.1), "se",
     lambda s: s.adjusted_se(r2dz_x=0.1, r2yz_dx=0.1, se=-0.1, dof=100)),
    ("negative k", lambda: se.benchmark_bounds(1.0, 0.1, 100, 0.1, 0.1, k=-1), "k", None),
    ("psacalc: R_max > 1", lambda: se.oster(*_oster_data(), r_max=1.5), "r_max", None),
    ("psacalc: R_max < controlled R²", lambda: se.oster(*_oster_data(), r_max=0.01), "r_max", None),
    ("psacalc rule for the default: rmax_multiple < 1", lambda: se.oster(*_oster_data(), rmax_multiple=0.5),
     "rmax_multiple", None),
    ("psacalc: treatment not an indep var (collinear)",
     lambda: se.oster(_oster_data()[0], _oster_data()[1], np.column_stack([_oster_data()[2], _oster_data()[1]])),
     "controls[:, 2]", None),
    ("psacalc missing: controls do not move beta", lambda: se.oster(*_oster_orthogonal()), "controls", None),
    ("no controls for Oster", lambda: se.oster(_oster_data()[0], _oster_data()[1], np.empty((200, 0))),
     "controls", None),
    ("constant treatment (sensitivity)", lambda: se.sensitivity_analysis(panel(defect="constant_x")), "AIE", None),
    ("treatment constant within units", lambda: se.sensitivity_analysis(panel(defect="x_constant_within_units")),
     "AIE", None),
    ("regressor repeated among controls", lambda: se.sensitivity_analysis(_book_panel(), controls=["AIE"]),
     "controls", None),
    ("NaN unit ids", lambda: se.sensitivity_analysis(panel(defect="nan_unit_id")), "unit_id", None),
    ("infinite outcome", lambda: se.sensitivity_analysis(panel(defect="inf_y")), "ERL", None),
    ("zero bootstrap draws (Romano–Wolf p = 1)", lambda: mt.romano_wolf_p([2.0, 1.0], np.empty((0, 2))), "t_boot",
     None),
    ("zero draws in multiple_testing",
     lambda: mt.multiple_testing(_book_panel(), [mt.Hypothesis("a", "ERL", "AIE", ())], reps=0), "reps", None),
    ("p-value outside [0, 1]", lambda: mt.holm([0.5, 1.5]), "p", None),
    ("duplicate hypothesis labels",
     lambda: mt.multiple_testing(_book_panel(), [mt.Hypothesis("a", "ERL", "AIE", ())] * 2, reps=9),
     "hypotheses", None),
    ("one cluster", lambda: mt.multiple_testing(panel(defect="one_unit"), [mt.Hypothesis("a", "ERL", "AIE", ())],
                                                reps=9), "unit_id", None),
    ("zero quasi-Bayesian draws", lambda: cm.causal_mediation(_book_panel(), "M", controls=CONTROLS, sims=0), "sims",
     None),
    ("mediator equals the outcome", lambda: cm.causal_mediation(_book_panel(), "ERL", sims=9), "mediator", None),
    ("|rho| = 1 in the ACME curve", lambda: cm.acme_at_rho(1.0, 0.5, 1.0, 1.0, 0.2), "rho", None),
    ("TWFE: constant treatment", lambda: tw.twfe_weights(panel(defect="constant_x"), controls=CONTROLS), "AIE", None),
    ("TWFE: negative treatment", lambda: tw.twfe_weights(panel(defect="negative_x"), controls=CONTROLS), "AIE",
     None),
    ("TWFE: zero treatment everywhere", lambda: tw.twfe_weights(_book_panel().assign(AIE=0.0), controls=CONTROLS),
     "AIE", None),
    ("verdict with every measure NaN (was 'robust')", lambda: fr.verdict(np.nan, np.nan, 0.1, np.nan),
     "share, rv_alpha, p_adjusted, acme_ci", None),
    ("verdict: share outside [0, 1]", lambda: fr.verdict(1.5, 0.2, 0.1, 0.01), "share", None),
    ("empty group", lambda: fr.group_curve_share(_book_panel().assign(g="a"), "g", "b", 1.0), "g", None),
    ("curve: constant treatment", lambda: sc.specification_curve(panel(defect="constant_x"), null_reps=0),
     "AIE (in the panel)", None),
    ("curve: negative draws", lambda: sc.specification_curve(_book_panel(), null_reps=-1), "null_reps", None),
    ("trim share outside [0, 1)", lambda: sc.trim_by_residual(_book_panel(), 1.0, "ERL", "AIE", CONTROLS), "share",
     None),
    ("empty mediation figure", lambda: plots.plot_mediation_sensitivity({}), "results", None),
]  # fmt: skip


def _oster_data():
    rng = np.random.default_rng(5)
    w = rng.normal(size=(200, 2))
    x = w @ [0.6, 0.3] + rng.normal(size=200)
    return x + w @ [0.8, 0.5] + rng.normal(size=200), x, w


def _oster_orthogonal():
    y, x, w = _oster_data()
    z = w[:, 0] - x * (x @ w[:, 0]) / (x @ x)
    z = z - z.mean() - (x - x.mean()) * ((x - x.mean()) @ (z - z.mean())) / ((x - x.mean()) @ (x - x.mean()))
    return y + z, x, z[:, None]


@pytest.mark.parametrize(("name", "call", "argument", "r_call"), NAMED, ids=[c[0] for c in NAMED])
def test_named_degenerate_case_is_refused_by_name(name, call, argument, r_call):
    with pytest.raises(AichainInputError) as err:
        call()
    assert err.value.argument == argument, str(err.value)
    assert isinstance(err.value, ValueError)
    if r_call is not None:
        assert smkr_refuses(lambda: r_call(smkr())), f"PySensemakr accepts the input of {name!r}"


# ------------------------------------------------------------------ Cinelli & Hazlett scalars
reals = st.one_of(st.floats(min_value=-50, max_value=50), st.sampled_from([np.nan, np.inf, -np.inf]))
dofs = st.one_of(st.integers(min_value=2, max_value=2000), st.sampled_from([-3, 0, 1, 0.0, 1.5, np.nan]))


@FAST
@given(t=reals, dof=dofs)
@example(t=4.18445, dof=783)
def test_partial_r2_is_refused_or_pysensemakrs(t, dof):
    out = contract(se.partial_r2, t, dof)
    if out is None:
        assert not (np.isfinite(t) and np.isfinite(dof) and dof > 0)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = float(np.asarray(smkr().partial_r2(t_statistic=float(t), dof=dof)).ravel()[0])
    assert out == pytest.approx(ref, rel=1e-12, abs=1e-15)


RV_BAD = [("t", np.nan), ("t", np.inf), ("dof", 0), ("dof", -3), ("dof", np.nan), ("q", -1.0), ("alpha", 1.5),
          ("alpha", -0.2), ("dof", 1)]  # fmt: skip


@FAST
@given(
    t=st.floats(-50, 50),
    dof=st.integers(2, 2000),
    q=st.floats(0, 3),
    alpha=st.one_of(st.none(), st.floats(0, 1)),
    bad=st.sampled_from([None] * len(RV_BAD) + RV_BAD),
)
@example(t=4.18445, dof=783, q=1.0, alpha=0.05, bad=None)
def test_robustness_value_is_refused_or_pysensemakrs(t, dof, q, alpha, bad):
    args = {"t": t, "dof": dof, "q": q, "alpha": alpha}
    if bad is not None:
        args[bad[0]] = bad[1]
        if bad == ("dof", 1):
            args["alpha"] = 0.05  # RV_{q,alpha} needs dof - 1 >= 1
    out = contract(se.robustness_value, **args)
    if out is None:
        assert bad is not None
        return
    assert bad is None
    if alpha == 0:  # infinite critical value: R's formula gives 0
        assert out == 0.0
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = smkr().robustness_value(t_statistic=float(t), dof=dof, q=float(q), alpha=1.0 if alpha is None else alpha)
    assert out == pytest.approx(float(np.asarray(ref).ravel()[0]), rel=1e-9, abs=1e-12)


BB_BAD = [("s", 0.0), ("s", -0.1), ("dof", 1), ("dof", 0), ("r2d", -0.1), ("r2d", 1.0), ("r2d", 1.1), ("r2y", -0.1),
          ("r2y", 1.1), ("k", -1.0), ("k", 50.0), ("alpha", 1.5), ("est", np.nan)]  # fmt: skip


@FAST
@given(
    est=st.floats(-3, 3),
    s=st.floats(0.01, 0.5),
    dof=st.integers(2, 500),
    r2d=st.floats(0, 0.3),
    r2y=st.one_of(st.floats(0, 0.5), st.just(1.0)),
    k=st.one_of(st.floats(0.5, 2), st.just(0.0)),
    bad=st.sampled_from([None] * len(BB_BAD) + BB_BAD),
)
@example(est=0.0973, s=0.0233, dof=783, r2d=0.009, r2y=0.125, k=1.0, bad=None)
def test_benchmark_bounds_are_refused_or_pysensemakrs(est, s, dof, r2d, r2y, k, bad):
    args = {"est": est, "s": s, "dof": dof, "r2d": r2d, "r2y": r2y, "k": k, "alpha": 0.05}
    if bad is not None:
        args[bad[0]] = bad[1]
    a = args
    out = contract(se.benchmark_bounds, a["est"], a["s"], a["dof"], a["r2d"], a["r2y"], a["k"], a["alpha"])
    if out is None:
        assert bad is not None
        return
    assert bad is None or (bad == ("k", 50.0) and 50 * r2d / (1 - r2d) < 1)
    k = a["k"]
    if k == 0:  # a confounder of zero strength changes nothing
        assert out["r2dz_x"] == 0 and out["adjusted_estimate"] == pytest.approx(est)
        return
    if r2y == 1:  # R caps r2yz.dx at 1: no residual variance, a zero adjusted SE
        assert out["r2yz_dx"] == 1 and out["adjusted_se"] == 0
        return
    s_ = smkr()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = s_.ovb_partial_r2_bound(r2dxj_x=r2d, r2yxj_dx=r2y, kd=k)
        kw = {"se": s, "dof": dof, "r2dz_x": ref["r2dz_x"], "r2yz_dx": ref["r2yz_dx"]}
        adj = float(np.asarray(s_.adjusted_estimate(estimate=est, **kw)).ravel()[0])
        adj_se = float(np.asarray(s_.adjusted_se(**kw)).ravel()[0])
    assert out["r2dz_x"] == pytest.approx(float(ref["r2dz_x"].iloc[0]), rel=1e-10)
    assert out["r2yz_dx"] == pytest.approx(float(ref["r2yz_dx"].iloc[0]), rel=1e-10)
    assert out["adjusted_estimate"] == pytest.approx(adj, rel=1e-9, abs=1e-12)
    assert out["adjusted_se"] == pytest.approx(adj_se, rel=1e-9, abs=1e-12)


# ------------------------------------------------------------------ Oster (psacalc)
def _psacalc(y, x, w, r_max):
    """psacalc's beta (delta = 1) and delta (beta = 0), from statsmodels regressions and np.roots."""
    import statsmodels.api as sm

    short = sm.OLS(y, sm.add_constant(x)).fit()
    full = sm.OLS(y, sm.add_constant(np.column_stack([x, w]))).fit()
    aux = sm.OLS(x, sm.add_constant(w)).fit()
    bo, bt, ro, rt = short.params[1], full.params[1], short.rsquared, full.rsquared
    sxx, syy, tx = np.var(x, ddof=1), np.var(y, ddof=1), np.var(aux.resid, ddof=1)
    A, B, C = bo - bt, (rt - ro) * syy, (r_max - rt) * syy
    theta = C * (sxx - tx) - B * tx - sxx * tx * A**2
    nus = np.roots([-tx * A * sxx, theta, C * A * sxx])  # nu = beta_tilde - beta, Oster's Proposition 2
    betas = sorted(
        (bt - nu.real for nu in nus), key=lambda b: (b - bt) ** 2 + 1e300 * (np.sign(b - bt) != np.sign(bt - bo))
    )
    b = bt  # Proposition 3 at beta = 0
    num = b * B * tx + b * sxx * tx * A**2 + 2 * b**2 * tx * A * sxx + b**3 * (tx * sxx - tx**2)
    den = C * A * sxx + b * C * (sxx - tx) + b**2 * tx * A * sxx + b**3 * (tx * sxx - tx**2)
    return betas[0], num / den, rt


@FAST
@given(
    seed=st.integers(0, 10_000),
    n=st.sampled_from([3, 4, 30, 200]),
    gamma=st.floats(-1.5, 1.5),
    r_max=st.one_of(st.none(), st.floats(0.9, 1.0), st.sampled_from([-0.2, 0.01, 1.3])),
    defect=st.sampled_from(["none"] * 6 + ["constant_x", "x_in_controls", "nan", "constant_y", "exact"]),
)
@example(seed=1, n=200, gamma=0.6, r_max=None, defect="none")
def test_oster_is_refused_or_equals_psacalcs_formulas(seed, n, gamma, r_max, defect):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(n, 2))
    x = w @ [gamma, 0.3] + rng.normal(size=n)
    y = x + w @ [0.8, -0.5] + rng.normal(size=n)
    if defect == "constant_x":
        x = np.ones(n)
    elif defect == "x_in_controls":
        w = np.column_stack([w, x])
    elif defect == "nan":
        y[0] = np.nan
    elif defect == "constant_y":
        y = np.full(n, 2.0)
    elif defect == "exact":
        y = x + w.sum(axis=1)
    out = contract(se.oster, y, x, w, r_max=r_max)
    if out is None:
        return
    assert defect == "none"
    rm = min(1.0, 1.3 * out["r2_controlled"]) if r_max is None else r_max
    beta_star, delta0, rt = _psacalc(y, x, w, rm)
    assert out["r2_controlled"] == pytest.approx(rt, rel=1e-9)
    assert rt <= rm <= 1
    assert out["beta_star"] == pytest.approx(beta_star, rel=1e-6, abs=1e-9)
    assert out["delta_for_zero"] == pytest.approx(delta0, rel=1e-6, abs=1e-9)


def test_oster_on_the_within_data_equals_psacalc_with_the_effects_as_mcontrols():
    """psacalc after ``regress y x controls i.unit i.year`` with ``mcontrol(i.unit i.year)`` (overall R²,
    the effects in both regressions) gives the same beta* and delta as Oster on the demeaned data
    (within R²) at the same R_max = 1: the R² differences are multiplied by Var(y), which cancels the scale."""
    import statsmodels.api as sm

    from aichain_utils.robustness._linalg import demean_columns

    d = panel(30, 5, 3)
    cols = ["ERL", "AIE", *CONTROLS]
    D = demean_columns(d[cols].to_numpy(float), [pd.factorize(d[f])[0] for f in ("unit_id", "year")])
    ours = se.oster(D[:, 0], D[:, 1], D[:, 2:], r_max=1.0)
    fe = pd.get_dummies(d[["unit_id", "year"]].astype(str), drop_first=True).to_numpy(float)
    y, x, w = d["ERL"].to_numpy(), d["AIE"].to_numpy(), d[CONTROLS].to_numpy()
    short = sm.OLS(y, sm.add_constant(np.column_stack([x, fe]))).fit()
    full = sm.OLS(y, sm.add_constant(np.column_stack([x, w, fe]))).fit()
    sxx = np.var(sm.OLS(x, sm.add_constant(fe)).fit().resid, ddof=1)  # psacalc: x net of mcontrol()
    tx = np.var(sm.OLS(x, sm.add_constant(np.column_stack([w, fe]))).fit().resid, ddof=1)
    syy = np.var(y, ddof=1)
    bo, bt = short.params[1], full.params[1]
    A, B, C = bo - bt, (full.rsquared - short.rsquared) * syy, (1 - full.rsquared) * syy
    num = bt * B * tx + bt * sxx * tx * A**2 + 2 * bt**2 * tx * A * sxx + bt**3 * (tx * sxx - tx**2)
    den = C * A * sxx + bt * C * (sxx - tx) + bt**2 * tx * A * sxx + bt**3 * (tx * sxx - tx**2)
    assert ours["delta_for_zero"] == pytest.approx(num / den, rel=1e-8)
    theta = C * (sxx - tx) - B * tx - sxx * tx * A**2
    roots = [bt - nu.real for nu in np.roots([-tx * A * sxx, theta, C * A * sxx])]
    assert min(abs(ours["beta_star"] - r) for r in roots) < 1e-8 * max(1.0, abs(ours["beta_star"]))


# ------------------------------------------------------------------ multiple testing
@FAST
@given(p=st.one_of(st.lists(st.floats(0, 1), max_size=8), st.lists(st.one_of(st.floats(-0.1, 1.1), st.just(np.nan)))))
def test_holm_is_refused_or_statsmodels(p):
    out = contract(mt.holm, p)
    if out is None:
        assert any(not (0 <= v <= 1) for v in p)
        return
    if p:
        from statsmodels.stats.multitest import multipletests

        np.testing.assert_allclose(out, multipletests(p, method="holm")[1])


@FAST
@given(
    s=st.integers(1, 5),
    b=st.integers(0, 60),
    seed=st.integers(0, 1000),
    bad=st.sampled_from(["none", "none", "nan_obs", "inf_boot", "shape"]),
)
def test_romano_wolf_is_refused_or_pyfixests_step_down(s, b, seed, bad):
    from pyfixest.estimation.post_estimation.multcomp import _get_rwolf_pval

    rng = np.random.default_rng(seed)
    t_obs, t_boot = rng.normal(scale=2, size=s), rng.standard_normal((b, s))
    if bad == "nan_obs":
        t_obs[0] = np.nan
    elif bad == "inf_boot" and b:
        t_boot[0, 0] = np.inf
    elif bad == "shape":
        t_boot = t_boot[:, :-1]
    out = contract(mt.romano_wolf_p, t_obs, t_boot)
    if out is None:
        assert bad != "none" or b == 0
        return
    assert b > 0 and (bad == "none" or (bad == "inf_boot" and b == 0))
    np.testing.assert_allclose(out, _get_rwolf_pval(t_obs, t_boot))


def _fixest(formula, data, cluster="unit_id"):
    pf = pytest.importorskip("pyfixest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(formula, data=data, vcov={"CRV1": cluster})


@SLOW
@given(
    n_units=UNITS, n_years=YEARS, seed=st.integers(0, 1000), defect=PANEL_DEFECTS, reps=st.sampled_from([0, 9, 99, 99])
)
@example(n_units=12, n_years=4, seed=1, defect="none", reps=99)
def test_multiple_testing_is_refused_or_matches_feols(n_units, n_years, seed, defect, reps):
    d = panel(n_units, n_years, seed, defect)
    c = tuple(controls_for(defect))
    hyps = [mt.Hypothesis("ERL", "ERL", "AIE", c), mt.Hypothesis("M", "M", "AIE", c)]
    out = contract(mt.multiple_testing, d, hyps, reps=reps, seed=1)
    if out is None:
        return
    assert defect in ("none", "negative_x") and reps > 0
    for _, row in out.iterrows():
        fit = _fixest(f"{row['hypothesis']} ~ AIE + {' + '.join(c)} | unit_id + year", d)
        assert row["estimate"] == pytest.approx(fit.coef()["AIE"], rel=1e-7)
        assert row["se (cluster unit)"] == pytest.approx(fit.se()["AIE"], rel=1e-6)
        assert 0 < row["p, Romano–Wolf"] <= 1 and 0 <= row["p, Holm"] <= 1


# ------------------------------------------------------------------ causal mediation
@SLOW
@given(
    n_units=UNITS,
    n_years=YEARS,
    seed=st.integers(0, 1000),
    defect=st.one_of(PANEL_DEFECTS, st.just("mediator_is_x")),
    sims=st.sampled_from([0, 1, 50, 50, 50, 50]),
)
@example(n_units=12, n_years=4, seed=1, defect="none", sims=50)
def test_causal_mediation_is_refused_or_the_product_of_two_regressions(n_units, n_years, seed, defect, sims):
    import statsmodels.formula.api as smf

    d = panel(n_units, n_years, seed, defect)
    mediator = "AIE" if defect == "mediator_is_x" else "M"
    c = controls_for(defect)
    out = contract(cm.causal_mediation, d, mediator, controls=c, sims=sims, seed=1)
    if out is None:
        return
    assert defect in ("none", "negative_x") and sims >= 2
    rhs = " + ".join(c)
    a = smf.ols(f"M ~ AIE + {rhs} + C(unit_id) + C(year)", data=d).fit().params["AIE"]
    fit_y = smf.ols(f"ERL ~ AIE + M + {rhs} + C(unit_id) + C(year)", data=d).fit()
    assert out.acme == pytest.approx(a * fit_y.params["M"], rel=1e-7, abs=1e-12)
    assert out.ade == pytest.approx(fit_y.params["AIE"], rel=1e-7, abs=1e-12)
    assert out.acme_ci[0] <= out.acme_ci[1]


@FAST
@given(
    rho=st.floats(-1.2, 1.2),
    a=st.floats(-2, 2),
    s_t=st.floats(-0.5, 3),
    s_m=st.floats(-0.5, 3),
    rho_t=st.floats(-1.2, 1.2),
)
def test_acme_at_rho_is_refused_or_imai_keele_yamamotos_theorem_2(rho, a, s_t, s_m, rho_t):
    out = contract(cm.acme_at_rho, rho, a, s_t, s_m, rho_t)
    valid = -1 < rho < 1 and s_t >= 0 and s_m > 0 and -1 <= rho_t <= 1
    if out is None:
        assert not valid
        return
    assert valid
    # Theorem 2 written as the ACME's two parts: a sigma_t / sigma_m (rho_t - rho sqrt((1 - rho_t²) / (1 - rho²)))
    expected = a * s_t / s_m * rho_t - a * s_t / s_m * rho * np.sqrt(1 - rho_t**2) / np.sqrt(1 - rho**2)
    assert float(out) == pytest.approx(expected, rel=1e-9, abs=1e-12)


# ------------------------------------------------------------------ two-way FE weights
@SLOW
@given(n_units=UNITS, n_years=YEARS, seed=st.integers(0, 1000), defect=PANEL_DEFECTS)
@example(n_units=12, n_years=4, seed=1, defect="none")
def test_twfe_weights_are_refused_or_the_twowayfeweights_packages(n_units, n_years, seed, defect):
    twp = pytest.importorskip("twowayfeweights")
    d = panel(n_units, n_years, seed, defect)
    c = controls_for(defect)
    out = contract(tw.twfe_weights, d, controls=c)
    if out is None:
        return
    assert defect == "none"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = twp.twowayfeweights(d, Y="ERL", G="unit_id", T="year", D="AIE", controls=c)
    assert out["beta"] == pytest.approx(ref.beta, rel=1e-8)
    assert out["n_negative"] == ref.nr_minus
    assert out["sum_negative"] == pytest.approx(ref.sum_minus, rel=1e-8, abs=1e-12)
    n = out["n_weights"]
    # Corollary 1 (i): the package's sigma(W) has Stata's aweight divisor n - 1
    assert out["sigma_fe"] * np.sqrt((n - 1) / n) == pytest.approx(ref.sensibility, rel=1e-8)
    # Corollary 1 (ii): the same algorithm, the same number (or none when no weight is negative)
    if ref.sensibility2 is None:
        assert out["sigma_fe_sign"] is None
    else:
        assert out["sigma_fe_sign"] == pytest.approx(ref.sensibility2, rel=1e-8)


@FAST
@given(
    n_units=st.integers(1, 6),
    n_years=st.integers(1, 4),
    seed=st.integers(0, 1000),
    tol=st.floats(-0.5, 0.5),
    defect=st.sampled_from(["none", "nan_unit_id", "constant_x", "gap"]),
)
def test_stayers_is_refused_or_a_loop_over_units(n_units, n_years, seed, tol, defect):
    d = panel(n_units, n_years, seed, "none" if defect == "gap" else defect)
    if defect == "gap":
        d = d[d["year"] != 2014]
    out = contract(tw.stayers, d, tol=tol)
    if out is None:
        assert defect == "nan_unit_id" or tol < 0
        return
    pairs = stay = 0
    changes = []
    for _, g in d.groupby("unit_id"):
        g = g.sort_values("year")
        ya = g[["year", "AIE"]].to_numpy()
        for (y0, a0), (y1, a1) in itertools.pairwise(ya):
            if y1 - y0 == 1:
                pairs += 1
                stay += abs(a1 - a0) <= tol
                changes.append(abs(a1 - a0))
    assert (out["pairs"], out["stayers"], out["untreated"]) == (pairs, stay, int((d["AIE"] == 0).sum()))
    assert out["min_abs_change"] == (min(changes) if changes else None)


# ------------------------------------------------------------------ fragility verdicts
measures = st.one_of(st.floats(0, 1), st.sampled_from([np.nan, -0.2, 1.2]))


@FAST
@given(share=measures, rv=measures, bench=measures, p=measures,
       ci=st.one_of(st.none(), st.tuples(st.one_of(st.floats(-1, 1), st.just(np.nan)), st.floats(-1, 1))))  # fmt: skip
def test_verdict_is_refused_or_the_rule(share, rv, bench, p, ci):
    out = contract(fr.verdict, share, rv, bench, p, ci)
    ok = [np.isnan(v) or 0 <= v <= 1 for v in (share, rv, p)]
    valid = all(ok) and (not np.isnan(bench) and 0 <= bench <= 1)
    valid = valid and (ci is None or (np.isfinite(ci[0]) and ci[0] <= ci[1]))
    valid = valid and not (np.isnan(share) and np.isnan(rv) and np.isnan(p) and ci is None)
    if out is None:
        assert not valid
        return
    assert valid
    if (p == p and p >= 0.05) or (ci is not None and ci[0] <= 0 <= ci[1]):
        assert out == "not supported"
    elif (share != share or share >= 0.9) and (rv != rv or rv > bench):
        assert out == "robust"
    else:
        assert out == "fragile"


@FAST
@given(
    claims=st.lists(st.one_of(st.text(max_size=5), st.just(np.nan)), max_size=4),
    words=st.lists(st.sampled_from(["robust", "fragile", "not supported", "maybe"]), min_size=4, max_size=4),
)
def test_verdict_sentence_is_refused_or_names_every_claim(claims, words):
    summary = pd.DataFrame({"claim": claims, "verdict": words[: len(claims)]})
    out = contract(fr.verdict_sentence, summary)
    if out is None:
        assert "maybe" in words[: len(claims)] or any(not (isinstance(c, str) and c.strip()) for c in claims)
        return
    for c in claims:
        assert c in out
    assert out.count("none") >= 3 - len(set(summary["verdict"]))


def test_families_and_published_signs_contract():
    assert contract(fr.families, "imp") is None
    assert contract(fr.families, ["AIE"]) is None
    assert len(fr.families(["imp"])["mediation legs"]) == 6
    signs = fr.published_signs()
    assert set(signs) == {h.label for h in fr.families()["Tables 7–9 groups"]}
    assert set(signs.values()) <= {-1.0, 1.0}


# ------------------------------------------------------------------ specification curve
@SLOW
@given(seed=st.integers(0, 1000), defect=PANEL_DEFECTS, share=st.floats(-0.1, 1.0))
@example(seed=1, defect="none", share=0.05)
def test_trim_by_residual_is_refused_or_drops_the_largest_feols_residuals(seed, defect, share):
    d = panel(10, 4, seed, defect)
    c = controls_for(defect)
    out = contract(sc.trim_by_residual, d, share, "ERL", "AIE", c)
    if out is None:
        return
    assert defect in ("none", "negative_x") and 0 <= share < 1
    fit = _fixest(f"ERL ~ AIE + {' + '.join(c)} | unit_id + year", d)
    u = np.abs(fit.resid())
    assert set(out.index) == set(d.index[u <= np.quantile(u, 1 - share)])


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 1000), defect=PANEL_DEFECTS)
@example(seed=1, defect="none")
def test_specification_curve_is_refused_or_its_book_row_is_feols(seed, defect):
    d = panel(12, 5, seed, defect)
    c = controls_for(defect)
    out = contract(sc.specification_curve, d, controls=c, null_reps=0)
    if out is None:
        return
    assert defect in ("none", "negative_x")
    row = out.table.set_index(["sample", "estimator", "fe", "controls", "se"]).loc[
        ("full", "OLS", "unit + year", "five", "cluster unit")
    ]
    pf = pytest.importorskip("pyfixest")
    ssc = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(f"ERL ~ AIE + {' + '.join(c)} | unit_id + year", data=d, vcov={"CRV1": "unit_id"}, ssc=ssc)
    assert row["estimate"] == pytest.approx(fit.coef()["AIE"], rel=1e-7)
    assert row["std_error"] == pytest.approx(fit.se()["AIE"], rel=1e-6)


@SLOW
@given(seed=st.integers(0, 1000), defect=PANEL_DEFECTS, sign=st.sampled_from([1.0, -1.0, 0.0]))
@example(seed=1, defect="none", sign=1.0)
def test_group_curve_share_is_refused_or_a_share(seed, defect, sign):
    d = panel(12, 4, seed, defect).assign(grp=lambda f: np.where(f["industry_id"] <= 2, "a", "b"))
    out = contract(fr.group_curve_share, d, "grp", "a", sign, controls_for(defect))
    if out is None:
        return
    assert defect in ("none", "negative_x") and sign != 0
    assert 0 <= out <= 1


# ------------------------------------------------------------------ sensitivity analysis of a panel
@SLOW
@given(n_units=UNITS, n_years=YEARS, seed=st.integers(0, 1000), defect=PANEL_DEFECTS)
@example(n_units=12, n_years=4, seed=1, defect="none")
def test_sensitivity_analysis_is_refused_or_matches_statsmodels_and_pysensemakr(n_units, n_years, seed, defect):
    import statsmodels.formula.api as smf

    d = panel(n_units, n_years, seed, defect)
    c = controls_for(defect)
    out = contract(se.sensitivity_analysis, d, controls=c, k=(1.0,))
    if out is None:
        return
    assert defect in ("none", "negative_x")
    fit = smf.ols(f"ERL ~ AIE + {' + '.join(c)} + C(unit_id) + C(year)", data=d).fit()
    assert out.estimate == pytest.approx(fit.params["AIE"], rel=1e-7)
    assert out.se == pytest.approx(fit.bse["AIE"], rel=1e-6)
    assert out.dof == int(fit.df_resid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rv = smkr().robustness_value(t_statistic=out.t, dof=out.dof, alpha=0.05)
    assert out.rv_alpha == pytest.approx(float(np.asarray(rv).ravel()[0]), rel=1e-9, abs=1e-12)


# ------------------------------------------------------------------ figures
def test_plots_refuse_what_they_cannot_draw_and_draw_the_rest():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    assert contract(plots.plot_mediation_sensitivity, {}) is None
    assert contract(plots.plot_mediation_sensitivity, {"M": 1.0}) is None
    assert contract(plots.plot_specification_curve, sc.SpecCurve(pd.DataFrame())) is None
    assert contract(plots.plot_specification_curve, "curve") is None
    res = cm.causal_mediation(panel(12, 4, 3), "M", controls=CONTROLS, sims=20)
    assert contract(plots.plot_mediation_sensitivity, {"M": res}, dpi=0) is None
    fig = plots.plot_mediation_sensitivity({"M": res}, dpi=50)
    assert len(fig.axes[0].lines) >= 2
    plt.close(fig)
