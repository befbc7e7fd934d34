"""Omitted-variable sensitivity (遗漏变量敏感性): Cinelli & Hazlett (2020) and Oster (2019).

Both are computed on the regression as estimated. For a fixed-effects regression that is the
within transformation: ``y``, AIE and the controls with unit and year means removed. Partial R²,
R² and variances then refer to variation *within* units and years; an omitted confounder that is
constant over time for a unit (or common to all units in a year) is already absorbed and is not
what these numbers are about. The degrees of freedom subtract the absorbed effects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from aichain_utils.errors import input_error
from aichain_utils.robustness import _checks as check
from aichain_utils.robustness._linalg import absorbed_dof, demean_columns, ols_fit, single_threaded_blas

__all__ = [
    "NO_CONTROLS_OSTER",
    "SensitivityResult",
    "benchmark_bounds",
    "oster",
    "partial_r2",
    "robustness_value",
    "sensitivity_analysis",
]


def partial_r2(t: float, dof: int) -> float:
    """Partial R² of a regressor with the outcome from its t statistic: ``t² / (t² + dof)``
    (Cinelli & Hazlett 2020, eq. 12; R ``sensemakr::partial_r2``).

    Raises
    ------
    AichainInputError
        If ``t`` is not finite or ``dof`` is not a positive number (R ``sensemakr``'s ``check_dof``).
    """
    t = check.scalar("t", t)
    dof = check.scalar("dof", dof, low=0, low_open=True)
    return float(t**2 / (t**2 + dof))


def robustness_value(t: float, dof: int, q: float = 1.0, alpha: float | None = None) -> float:
    """Robustness value RV_q (``alpha=None``) or RV_{q,alpha} of Cinelli & Hazlett (2020, eqs. 18-19).

    The share of the residual variance of both treatment and outcome that a confounder must explain
    to reduce the estimate by ``100 q`` percent (or to make the reduced estimate insignificant at
    ``alpha``).

    Raises
    ------
    AichainInputError
        If ``t`` is not finite, ``dof`` is not positive (R ``check_dof``), ``q`` is negative (R
        ``check_q``) or ``alpha`` lies outside [0, 1] (R ``check_alpha``); with ``alpha``, also if
        ``dof`` < 2 (the critical value has ``dof - 1`` degrees of freedom; R returns NaN there).
    """
    t = check.scalar("t", t)
    dof = check.scalar("dof", dof, low=0, low_open=True)
    q = check.scalar("q", q, low=0.0)
    fq = q * abs(t) / np.sqrt(dof)
    if alpha is None:
        return float(0.5 * (np.sqrt(fq**4 + 4 * fq**2) - fq**2))
    alpha = check.scalar("alpha", alpha, low=0.0, high=1.0)
    if dof < 2:
        raise input_error("dof", "must be at least 2 with alpha (the critical value has dof - 1 df)", [dof],
                          what="values")  # fmt: skip
    if alpha == 0:
        return 0.0  # an infinite critical value: no estimate is significant at alpha = 0
    f_crit = abs(stats.t.ppf(alpha / 2, dof - 1)) / np.sqrt(dof - 1)
    fqa = fq - f_crit
    if fqa < 0:
        return 0.0
    if f_crit > 0 and fq > 1 / f_crit:
        return float((fq**2 - f_crit**2) / (1 + fq**2))
    return float(0.5 * (np.sqrt(fqa**4 + 4 * fqa**2) - fqa**2))


def _bias(r2dz_x, r2yz_dx, se: float, dof: int):
    return np.sqrt(r2yz_dx * r2dz_x / (1 - r2dz_x)) * se * np.sqrt(dof)


def benchmark_bounds(
    estimate: float, se: float, dof: int, r2dxj_x: float, r2yxj_dx: float, k: float = 1.0, alpha: float = 0.05
) -> dict:
    """Bounds on a confounder ``k`` times as strong as a benchmark covariate (Cinelli & Hazlett 2020, s. 6).

    Parameters
    ----------
    estimate, se, dof : the treatment coefficient, its (classical) standard error and residual df
    r2dxj_x : partial R² of the benchmark covariate with the treatment (given the other covariates)
    r2yxj_dx : partial R² of the benchmark covariate with the outcome (given treatment and the others)
    k : multiple of the benchmark's strength (``kd = ky = k``)
    alpha : significance level of the adjusted interval

    Raises
    ------
    AichainInputError
        If ``estimate`` is not finite, ``se`` is not positive, ``dof`` < 2, a partial R² lies outside
        [0, 1] (R ``check_r2``) or ``r2dxj_x`` is 1, ``k`` is negative, ``alpha`` lies outside [0, 1], or
        the implied partial R² with the treatment is at least 1 (R ``sensemakr``: "Implied bound on
        r2dz.x >= 1. Impossible kd value").
    """
    estimate = check.scalar("estimate", estimate)
    se = check.scalar("se", se, low=0.0, low_open=True)
    dof = check.scalar("dof", dof, low=2)
    r2dxj_x = check.scalar("r2dxj_x", r2dxj_x, low=0.0, high=1.0, high_open=True)
    r2yxj_dx = check.scalar("r2yxj_dx", r2yxj_dx, low=0.0, high=1.0)
    k = check.scalar("k", k, low=0.0)
    alpha = check.scalar("alpha", alpha, low=0.0, high=1.0)
    r2dz_x = k * r2dxj_x / (1 - r2dxj_x)
    if r2dz_x >= 1:
        rule = f"k = {k:g}: implied partial R² with the treatment {r2dz_x:.3f} >= 1 (impossible): use a lower k"
        raise input_error("k", rule, [k], what="values")
    r2zxj_xd = k * r2dxj_x**2 / ((1 - k * r2dxj_x) * (1 - r2dxj_x))
    odds = np.inf if r2yxj_dx == 1 else r2yxj_dx / (1 - r2yxj_dx)
    r2yz_dx = min(1.0, ((np.sqrt(k) + np.sqrt(r2zxj_xd)) / np.sqrt(1 - r2zxj_xd)) ** 2 * odds) if k > 0 else 0.0
    adj = np.sign(estimate) * (abs(estimate) - _bias(r2dz_x, r2yz_dx, se, dof))
    adj_se = np.sqrt((1 - r2yz_dx) / (1 - r2dz_x)) * se * np.sqrt(dof / (dof - 1))
    crit = stats.t.ppf(1 - alpha / 2, dof - 1)
    return {
        "r2dz_x": float(r2dz_x),
        "r2yz_dx": float(r2yz_dx),
        "adjusted_estimate": float(adj),
        "adjusted_se": float(adj_se),
        "adjusted_t": float(np.divide(adj, adj_se)) if adj_se > 0 else float(np.sign(adj) * np.inf),
        "adjusted_ci_low": float(adj - crit * adj_se),
        "adjusted_ci_high": float(adj + crit * adj_se),
    }


def _oster_beta_delta1(bo_m_bt, rt_m_ro, rm_m_rt, sxx, tx, beta_o, beta_t) -> tuple[float, float]:
    """psacalc's bias-adjusted beta for delta = 1 and the other root (psacalc's "Alt. sol."): of the
    two roots of the quadratic, the one nearer beta_tilde that keeps the direction of the observed
    movement (Oster 2019, Proposition 2)."""
    theta = rm_m_rt * (sxx - tx) - rt_m_ro * tx - sxx * tx * bo_m_bt**2
    disc = np.sqrt(theta**2 + 4 * rm_m_rt * bo_m_bt**2 * sxx**2 * tx)
    den = -2 * tx * bo_m_bt * sxx
    roots = [beta_t - (-theta - disc) / den, beta_t - (-theta + disc) / den]
    roots.sort(key=lambda b: (b - beta_t) ** 2)
    if np.sign(roots[0] - beta_t) != np.sign(beta_t - beta_o):
        roots.reverse()
    return float(roots[0]), float(roots[1])


def _oster_delta(bo_m_bt, rt_m_ro, rm_m_rt, sxx, tx, beta_t, beta) -> float:
    """psacalc's delta that makes the bias-adjusted beta equal ``beta`` (Oster 2019, Proposition 3)."""
    b = beta_t - beta
    num = b * rt_m_ro * tx + b * sxx * tx * bo_m_bt**2 + 2 * b**2 * tx * bo_m_bt * sxx + b**3 * (tx * sxx - tx**2)
    den = rm_m_rt * bo_m_bt * sxx + b * rm_m_rt * (sxx - tx) + b**2 * tx * bo_m_bt * sxx + b**3 * (tx * sxx - tx**2)
    if den == 0:
        raise input_error("beta", "no delta gives this beta (the denominator of Oster's Proposition 3 is zero; "
                          "psacalc returns missing)", [beta], what="values")  # fmt: skip
    return float(num / den)


def oster(
    y: np.ndarray, x: np.ndarray, controls: np.ndarray, r_max: float | None = None, rmax_multiple: float = 1.3
) -> dict:
    """Oster (2019): delta for beta = 0 and the bias-adjusted beta for delta = 1, as Stata's ``psacalc``.

    The short regression is ``y`` on ``x`` (and a constant), the intermediate one adds ``controls``.
    Pass demeaned arrays for a fixed-effects model: the R² are then within R² of the effects removed
    (reghdfe's within R² when unit and year effects are removed, as the book does).

    Parameters
    ----------
    y, x : arrays (n,)
    controls : array (n, k)
    r_max : float, optional
        Maximum R²; default ``rmax_multiple`` times the intermediate R² (Oster's 1.3 rule), capped at 1.

    Returns
    -------
    dict
        ``beta_short``, ``r2_short`` (uncontrolled), ``beta_controlled``, ``r2_controlled``, ``r_max``,
        ``delta_for_zero`` (psacalc ``delta`` with ``beta(0)``), ``beta_star`` (psacalc ``beta`` with
        ``delta(1)``) and ``beta_star_other_root`` (psacalc's "Alt. sol." when both roots are real).
        The tests reproduce psacalc's printed output for the example of Schaub's robomit paper.

    Raises
    ------
    AichainInputError
        If the arrays differ in length, hold NaN or infinite values, or have fewer than
        ``controls + 3`` rows; if ``y`` or ``x`` is constant or ``x`` is collinear with the controls (Stata
        omits it and psacalc stops: "not an indep var in the model"); if ``controls`` is empty or does not
        move the coefficient (psacalc returns missing); if ``r_max`` exceeds 1 ("The maximum possible
        R-squared is 1") or lies below the controlled R² ("Maximum R-squared provided is less than
        controlled R-squared"), or ``rmax_multiple`` is below 1 (the same rule for the default); if the
        controls fit ``y`` exactly (R̃² = 1: nothing is left for an unobservable).
    """
    y, x, W = _oster_inputs(y, x, controls)
    yc = y - y.mean()
    beta_o = float((x - x.mean()) @ yc / ((x - x.mean()) @ (x - x.mean())))
    r_o = 1 - np.sum((yc - beta_o * (x - x.mean())) ** 2) / (yc @ yc)
    coef, u, _ = ols_fit(np.column_stack([x, W]), y, "controls")
    beta_t, r_t = float(coef[0]), 1 - (u @ u) / (yc @ yc)
    tx = float(np.var(x - W @ np.linalg.lstsq(W, x, rcond=None)[0], ddof=1))
    sxx, syy = float(np.var(x, ddof=1)), float(np.var(y, ddof=1))
    r_max = _oster_r_max(r_max, rmax_multiple, float(r_t))
    if abs(beta_o - beta_t) <= 1e-9 * np.sqrt(syy / sxx):
        raise input_error("controls", "do not move the coefficient (beta_short = beta_controlled): Oster's beta* and "
                          "delta are undefined (psacalc divides by zero and returns missing)",
                          [beta_o, beta_t], what="values")  # fmt: skip
    parts = (beta_o - beta_t, (r_t - r_o) * syy, (r_max - r_t) * syy, sxx, tx)
    beta_star, other_root = _oster_beta_delta1(*parts, beta_o, beta_t)
    return {
        "beta_short": beta_o,
        "r2_short": float(r_o),
        "beta_controlled": beta_t,
        "r2_controlled": float(r_t),
        "r_max": float(r_max),
        "delta_for_zero": _oster_delta(*parts, beta_t, 0.0),
        "beta_star": beta_star,
        "beta_star_other_root": other_root,
    }


def _oster_inputs(y, x, controls) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated ``y``, ``x`` and ``[1, controls]`` of :func:`oster`."""
    y, x = np.asarray(y, float).ravel(), np.asarray(x, float).ravel()
    C = np.asarray(controls, float)
    C = C.reshape(len(C), -1) if C.ndim != 2 else C
    if not (len(y) == len(x) == len(C)):
        raise input_error("y, x, controls", "must have the same number of rows", [len(y), len(x), len(C)],
                          what="lengths")  # fmt: skip
    if C.shape[1] == 0:
        raise input_error("controls", "Oster's method needs at least one control (the short and the controlled "
                          "regressions would be the same)")  # fmt: skip
    for name, a in (("y", y), ("x", x), ("controls", C)):
        bad = np.flatnonzero(~np.isfinite(a.reshape(len(a), -1)).all(axis=1))
        if len(bad):
            raise input_error(name, "must be finite (NaN or infinite values)", bad.tolist())
    if len(y) < C.shape[1] + 3:
        raise input_error("y", f"needs at least {C.shape[1] + 3} rows (controls + 3)", [len(y)], what="count")
    W = np.column_stack([np.ones_like(x), C])
    check.full_rank(np.column_stack([x, C]) - np.column_stack([x, C]).mean(axis=0), np.column_stack([x, C]),
                    ["x", *[f"controls[:, {j}]" for j in range(C.shape[1])]], "oster")  # fmt: skip
    if np.ptp(y) == 0:
        raise input_error("y", "is constant: no R² to compare", [float(y[0])], what="values")
    return y, x, W


def _oster_r_max(r_max, rmax_multiple, r_t: float) -> float:
    """psacalc's checks on R_max (at most 1, at least the controlled R²)."""
    if r_t >= 1 - 1e-12:
        raise input_error("controls", "fit y exactly (controlled R² = 1): no variance is left for an unobservable",
                          [r_t], what="values")  # fmt: skip
    if r_max is None:
        m = check.scalar("rmax_multiple", rmax_multiple, low=1.0)
        return min(1.0, m * r_t)
    r_max = check.scalar("r_max", r_max, high=1.0)
    if r_max < r_t:
        raise input_error("r_max", f"is less than the controlled R² {r_t:.6g} (psacalc refuses it)", [r_max],
                          what="values")  # fmt: skip
    return r_max


#: ``SensitivityResult.oster`` without controls: Oster's method compares the regressions with and
#: without controls, so it has nothing to say (the reason is the only entry).
NO_CONTROLS_OSTER = {"reason": "no controls: Oster's method compares the regressions with and without controls"}


@dataclass
class SensitivityResult:
    """Sensitivity of one fixed-effects coefficient to omitted variables (``oster`` is
    :data:`NO_CONTROLS_OSTER` when there are no controls; ``impossible_bounds`` lists the (benchmark,
    k) pairs whose bound is impossible)."""

    estimate: float
    se: float
    t: float
    dof: int
    partial_r2: float
    rv: float
    rv_alpha: float
    bounds: pd.DataFrame
    oster: dict
    impossible_bounds: list = field(default_factory=list)

    def summary(self) -> dict:
        """The headline statistics as a dict for display; the Oster entries are ``None`` without
        controls (raises nothing: the fields are checked when :func:`sensitivity_analysis` builds them)."""
        return {
            "estimate": self.estimate,
            "t (classical SE)": self.t,
            "partial R² of AIE": self.partial_r2,
            "RV (q = 1)": self.rv,
            "RV (q = 1, α = 0.05)": self.rv_alpha,
            "Oster δ for β = 0": self.oster.get("delta_for_zero"),
            "Oster β* (δ = 1, R_max = 1.3 R̃²)": self.oster.get("beta_star"),
        }


@single_threaded_blas
def sensitivity_analysis(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = None,
    fe: tuple[str, ...] = ("unit_id", "year"),
    k: tuple[float, ...] = (1.0, 2.0, 3.0),
) -> SensitivityResult:
    """Cinelli–Hazlett statistics, bounds benchmarked on each control, and Oster's delta and beta*.

    Computed on the within transformation for ``fe`` (classical OLS standard errors, as both methods
    are defined for them; the degrees of freedom subtract the absorbed fixed effects). Rows with a
    missing ``y``, ``x`` or control are dropped. A benchmark multiple ``k`` that is impossible for a
    control (implied partial R² with the treatment >= 1) gives no row of ``bounds``; the pairs left out
    are listed in ``impossible_bounds`` (R ``sensemakr`` stops the whole call there).

    Raises
    ------
    AichainInputError
        If a column is missing, non-numeric or infinite, or an identifier in ``fe`` is missing; if ``y``,
        ``x`` and the controls are not distinct columns; if ``x`` or a control does not vary within the
        fixed effects or is collinear with the others; if an entry of ``k`` is negative; if fewer than
        two residual degrees of freedom are left or ``y`` is fitted exactly; and whatever
        :func:`oster` raises on the demeaned data.
    """
    frame, D, cols = _sa_design(data, y, x, controls, fe, k)
    X = D[:, 1:]
    beta, u, bread = ols_fit(X, D[:, 0], "controls")
    dof = len(frame) - X.shape[1] - absorbed_dof(frame, list(fe))
    if dof < 2 or u @ u <= 1e-20 * (D[:, 0] @ D[:, 0]):
        why = f"leaves {dof} residual degrees of freedom (at least 2 needed)" if dof < 2 else "is fitted exactly"
        raise input_error(y, f"the regression {why}: no sensitivity statistics", [len(frame)], what="rows")
    s2 = (u @ u) / dof
    se = np.sqrt(s2 * np.diag(bread))
    t = beta / se
    # treatment regression: AIE on the controls, for each control's partial R² with AIE
    rows, impossible = [], []
    controls = cols[2:]
    if controls:
        bd, ud, bread_d = ols_fit(X[:, 1:], X[:, 0], "controls")
        se_d = np.sqrt((ud @ ud) / (dof + 1) * np.diag(bread_d))
    for j, c in enumerate(controls):
        r2d = partial_r2(bd[j] / se_d[j], dof + 1)
        r2y = partial_r2(t[j + 1], dof)
        for kk in k:
            if kk * r2d / (1 - r2d) >= 1:
                impossible.append((c, kk))
                continue
            b = benchmark_bounds(beta[0], se[0], dof, r2d, r2y, kk)
            rows.append({"benchmark": c, "k": kk, "r2 with AIE": r2d, "r2 with ERL": r2y, **b})
    return SensitivityResult(
        estimate=float(beta[0]),
        se=float(se[0]),
        t=float(t[0]),
        dof=int(dof),
        partial_r2=partial_r2(t[0], dof),
        rv=robustness_value(t[0], dof),
        rv_alpha=robustness_value(t[0], dof, alpha=0.05),
        bounds=pd.DataFrame(rows),
        oster=oster(D[:, 0], D[:, 1], D[:, 2:]) if controls else dict(NO_CONTROLS_OSTER),
        impossible_bounds=impossible,
    )


def _sa_design(data, y, x, controls, fe, k) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Validated complete rows, their demeaned ``[y, x, controls]`` and the column names."""
    controls = check.names("controls", ["lngdp", "imp", "exp", "inst", "tra"] if controls is None else controls)
    fe = check.names("fe", fe)
    check.distinct_roles([("y", [y]), ("x", [x]), ("controls", controls)])
    for kk in k:
        check.scalar("k", kk, low=0.0)
    cols = [y, x, *controls]
    check.columns(data, [*cols, *fe])
    check.ids(data, fe)
    check.finite(data, cols)
    frame = data.dropna(subset=cols)
    check.nonempty(frame, "data", len(cols) + 1)
    raw = frame[cols].to_numpy(float)
    D = demean_columns(raw, [pd.factorize(frame[f])[0] for f in fe])
    check.full_rank(D[:, 1:], raw[:, 1:], cols[1:], "sensitivity_analysis", " and ".join(fe))
    return frame, D, cols
