"""Omitted-variable sensitivity (遗漏变量敏感性): Cinelli & Hazlett (2020) and Oster (2019).

Both are computed on the regression as estimated. For a fixed-effects regression that is the
within transformation: ``y``, AIE and the controls with unit and year means removed. Partial R²,
R² and variances then refer to variation *within* units and years; an omitted confounder that is
constant over time for a unit (or common to all units in a year) is already absorbed and is not
what these numbers are about. The degrees of freedom subtract the absorbed effects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from aichain_utils.robustness._linalg import absorbed_dof, demean_columns, ols_fit, single_threaded_blas

__all__ = [
    "SensitivityResult",
    "benchmark_bounds",
    "oster",
    "partial_r2",
    "robustness_value",
    "sensitivity_analysis",
]


def partial_r2(t: float, dof: int) -> float:
    """Partial R² of a regressor with the outcome from its t statistic: ``t² / (t² + dof)``."""
    return float(t**2 / (t**2 + dof))


def robustness_value(t: float, dof: int, q: float = 1.0, alpha: float | None = None) -> float:
    """Robustness value RV_q (``alpha=None``) or RV_{q,alpha} of Cinelli & Hazlett (2020, eqs. 18-19).

    The share of the residual variance of both treatment and outcome that a confounder must explain
    to reduce the estimate by ``100 q`` percent (or to make the reduced estimate insignificant at
    ``alpha``).
    """
    fq = q * abs(t) / np.sqrt(dof)
    if alpha is None:
        return float(0.5 * (np.sqrt(fq**4 + 4 * fq**2) - fq**2))
    f_crit = abs(stats.t.ppf(alpha / 2, dof - 1)) / np.sqrt(dof - 1)
    fqa = fq - f_crit
    if fqa < 0:
        return 0.0
    if fq > 1 / f_crit:
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
    """
    r2dz_x = k * r2dxj_x / (1 - r2dxj_x)
    if r2dz_x >= 1:
        raise ValueError(f"k = {k}: the implied partial R² with the treatment is {r2dz_x:.3f} >= 1; use a smaller k")
    r2zxj_xd = k * r2dxj_x**2 / ((1 - k * r2dxj_x) * (1 - r2dxj_x))
    r2yz_dx = min(1.0, ((np.sqrt(k) + np.sqrt(r2zxj_xd)) / np.sqrt(1 - r2zxj_xd)) ** 2 * r2yxj_dx / (1 - r2yxj_dx))
    adj = np.sign(estimate) * (abs(estimate) - _bias(r2dz_x, r2yz_dx, se, dof))
    adj_se = np.sqrt((1 - r2yz_dx) / (1 - r2dz_x)) * se * np.sqrt(dof / (dof - 1))
    crit = stats.t.ppf(1 - alpha / 2, dof - 1)
    return {
        "r2dz_x": float(r2dz_x),
        "r2yz_dx": float(r2yz_dx),
        "adjusted_estimate": float(adj),
        "adjusted_se": float(adj_se),
        "adjusted_t": float(adj / adj_se),
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
    return float(num / den)


def oster(
    y: np.ndarray, x: np.ndarray, controls: np.ndarray, r_max: float | None = None, rmax_multiple: float = 1.3
) -> dict:
    """Oster (2019): delta for beta = 0 and the bias-adjusted beta for delta = 1, as Stata's ``psacalc``.

    The short regression is ``y`` on ``x`` (and a constant), the intermediate one adds ``controls``.
    Pass demeaned arrays for a fixed-effects model: the R² are then within R².

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
    """
    y, x = np.asarray(y, float), np.asarray(x, float)
    W = np.column_stack([np.ones_like(x), np.asarray(controls, float)])
    yc = y - y.mean()
    beta_o = float((x - x.mean()) @ yc / ((x - x.mean()) @ (x - x.mean())))
    r_o = 1 - np.sum((yc - beta_o * (x - x.mean())) ** 2) / (yc @ yc)
    Xf = np.column_stack([x, W])
    coef, u, _ = ols_fit(Xf, y)
    beta_t, r_t = float(coef[0]), 1 - (u @ u) / (yc @ yc)
    tx = float(np.var(x - W @ np.linalg.lstsq(W, x, rcond=None)[0], ddof=1))
    sxx, syy = float(np.var(x, ddof=1)), float(np.var(y, ddof=1))
    r_max = min(1.0, rmax_multiple * r_t) if r_max is None else r_max
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


@dataclass
class SensitivityResult:
    """Sensitivity of one fixed-effects coefficient to omitted variables."""

    estimate: float
    se: float
    t: float
    dof: int
    partial_r2: float
    rv: float
    rv_alpha: float
    bounds: pd.DataFrame
    oster: dict

    def summary(self) -> dict:
        return {
            "estimate": self.estimate,
            "t (classical SE)": self.t,
            "partial R² of AIE": self.partial_r2,
            "RV (q = 1)": self.rv,
            "RV (q = 1, α = 0.05)": self.rv_alpha,
            "Oster δ for β = 0": self.oster["delta_for_zero"],
            "Oster β* (δ = 1, R_max = 1.3 R̃²)": self.oster["beta_star"],
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
    are defined for them; the degrees of freedom subtract the absorbed fixed effects).
    """
    controls = list(["lngdp", "imp", "exp", "inst", "tra"] if controls is None else controls)
    cols = [y, x, *controls]
    missing = [c for c in [*cols, *fe] if c not in data.columns]
    if missing:
        raise ValueError(f"sensitivity_analysis: missing column(s) {missing}")
    frame = data.dropna(subset=cols)
    D = demean_columns(frame[cols].to_numpy(float), [pd.factorize(frame[f])[0] for f in fe])
    X = D[:, 1:]
    beta, u, bread = ols_fit(X, D[:, 0])
    dof = len(frame) - X.shape[1] - absorbed_dof(frame, list(fe))
    s2 = (u @ u) / dof
    se = np.sqrt(s2 * np.diag(bread))
    t = beta / se
    # treatment regression: AIE on the controls, for each control's partial R² with AIE
    bd, ud, bread_d = ols_fit(X[:, 1:], X[:, 0])
    se_d = np.sqrt((ud @ ud) / (dof + 1) * np.diag(bread_d))
    rows = []
    for j, c in enumerate(controls):
        r2d = partial_r2(bd[j] / se_d[j], dof + 1)
        r2y = partial_r2(t[j + 1], dof)
        for kk in k:
            try:
                b = benchmark_bounds(beta[0], se[0], dof, r2d, r2y, kk)
            except ValueError:
                continue
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
        oster=oster(D[:, 0], D[:, 1], D[:, 2:]),
    )
