"""Causal mediation (因果中介分析) in the framework of Imai, Keele & Tingley (2010).

With linear mediator and outcome models the average causal mediation effect (ACME) is ``a b`` (the
effect of AIE on the mediator times the mediator's effect on ERL given AIE) and the average direct
effect (ADE) is the coefficient of AIE in the outcome model; both are identified only under
*sequential ignorability*: no unobserved confounder of AIE and the mediator, and none of the mediator
and ERL given AIE and the controls. Intervals are quasi-Bayesian (IKT's Algorithm 1: draw the two
models' coefficients from their estimated sampling distribution; here with unit-clustered covariances).
The sensitivity analysis of Imai, Keele & Yamamoto (2010, Theorem 2) gives the ACME as a function of
the correlation ``rho`` between the two models' errors; it vanishes at ``rho = rho_tilde``, the
correlation of the residuals of the mediator model and of the model of ERL on AIE alone.
Everything is computed on the within transformation (unit and year effects absorbed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aichain_utils.errors import input_error
from aichain_utils.robustness import _checks as check
from aichain_utils.robustness._linalg import absorbed_dof, demean_columns, ols_cov, ols_fit, single_threaded_blas

__all__ = ["CausalMediation", "acme_at_rho", "causal_mediation"]


def acme_at_rho(rho: np.ndarray, a: float, sigma_total: float, sigma_mediator: float, rho_tilde: float) -> np.ndarray:
    """ACME under error correlation ``rho`` (Imai, Keele & Yamamoto 2010, Theorem 2).

    Raises
    ------
    AichainInputError
        If an entry of ``rho`` is NaN or outside (-1, 1) (at |rho| = 1 the ACME is infinite; R
        ``mediation::medsens`` evaluates the open interval), ``rho_tilde`` lies outside [-1, 1],
        ``sigma_mediator`` is not positive, ``sigma_total`` is negative or ``a`` is not finite.
    """
    rho = np.asarray(rho, float)
    bad = rho[~((rho > -1) & (rho < 1))]
    if bad.size:
        raise input_error("rho", "must lie in the open interval (-1, 1)", bad.ravel().tolist(), what="values")
    check.scalar("a", a)
    check.scalar("sigma_total", sigma_total, low=0.0)
    check.scalar("sigma_mediator", sigma_mediator, low=0.0, low_open=True)
    check.scalar("rho_tilde", rho_tilde, low=-1.0, high=1.0)
    return a * sigma_total / sigma_mediator * (rho_tilde - rho * np.sqrt((1 - rho_tilde**2) / (1 - rho**2)))


@dataclass
class CausalMediation:
    """ACME, ADE and total effect with quasi-Bayesian intervals, and the sensitivity parameter."""

    mediator: str
    acme: float
    acme_ci: tuple[float, float]
    ade: float
    ade_ci: tuple[float, float]
    total: float
    prop_mediated: float
    rho_at_zero: float
    sims: int
    seed: int
    a: float
    sigma_total: float
    sigma_mediator: float

    def summary(self) -> dict:
        """The estimates and intervals as a dict for display (raises nothing: the fields are checked
        when :func:`causal_mediation` builds the result)."""
        return {
            "mediator": self.mediator,
            "ACME": self.acme,
            "ACME 95% interval": f"[{self.acme_ci[0]:.4f}, {self.acme_ci[1]:.4f}]",
            "ADE": self.ade,
            "ADE 95% interval": f"[{self.ade_ci[0]:.3f}, {self.ade_ci[1]:.3f}]",
            "total": self.total,
            "share mediated": self.prop_mediated,
            "ρ at which ACME = 0": self.rho_at_zero,
        }


@single_threaded_blas
def causal_mediation(
    data: pd.DataFrame,
    mediator: str,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = None,
    fe: tuple[str, ...] = ("unit_id", "year"),
    sims: int = 2000,
    seed: int = 20251123,
    cluster: str | None = "unit_id",
) -> CausalMediation:
    """Estimate the ACME and ADE of ``x`` on ``y`` through ``mediator`` (equations 2-5 read causally).

    Parameters
    ----------
    cluster : str or None
        Column to cluster the coefficient covariances by; ``None`` uses the classical covariance
        (as statsmodels' ``Mediation`` does).
    sims : int
        Quasi-Bayesian draws (at least 2: an interval needs more than one draw).

    Returns
    -------
    CausalMediation
        ``prop_mediated`` is ACME / total and is NaN only when the total effect is exactly zero (the
        share is then undefined; R ``mediation`` divides by zero there too).

    Raises
    ------
    AichainInputError
        If a column is missing, non-numeric or infinite, or an ``fe`` or ``cluster`` identifier is
        missing; if ``y``, ``x``, ``mediator`` and the controls are not distinct columns; if ``sims`` < 2
        or ``seed`` is not a whole number; if ``x``, ``mediator`` or a control does not vary within the
        fixed effects or is collinear with the others; if fewer than two clusters or no residual
        degrees of freedom are left.
    """
    frame, D, cols = _cm_design(data, mediator, y, x, controls, fe, sims, seed, cluster)
    Y, T, M, W = D[:, 0], D[:, 1], D[:, 2], D[:, 3:]
    codes = None if cluster is None else pd.factorize(frame[cluster])[0]
    nested = {"unit_id"} if cluster == "unit_id" else set()

    def fit(Xm, yv):
        beta, u, bread = ols_fit(Xm, yv, "causal_mediation")
        k = Xm.shape[1] + absorbed_dof(frame, list(fe), nested)
        if codes is None:
            V = (u @ u) / (len(yv) - k) * bread
        else:
            V = ols_cov(Xm, u, bread, k, codes)[0]
        return beta, V, u

    if len(frame) <= len(cols) - 1 + absorbed_dof(frame, list(fe), nested):
        raise input_error("data", "leaves no residual degrees of freedom for the outcome model", [len(frame)])
    beta_m, V_m, e2 = fit(np.column_stack([T, W]), M)
    beta_y, V_y, _ = fit(np.column_stack([T, M, W]), Y)
    _, _, e1 = fit(np.column_stack([T, W]), Y)
    rng = np.random.default_rng(seed)
    a_draws = rng.multivariate_normal(beta_m, V_m, size=sims)[:, 0]
    y_draws = rng.multivariate_normal(beta_y, V_y, size=sims)
    acme_d, ade_d = a_draws * y_draws[:, 1], y_draws[:, 0]
    acme, ade = float(beta_m[0] * beta_y[1]), float(beta_y[0])
    return CausalMediation(
        mediator=mediator,
        acme=acme,
        acme_ci=tuple(float(q) for q in np.quantile(acme_d, [0.025, 0.975])),
        ade=ade,
        ade_ci=tuple(float(q) for q in np.quantile(ade_d, [0.025, 0.975])),
        total=acme + ade,
        prop_mediated=acme / (acme + ade) if acme + ade != 0 else float("nan"),
        rho_at_zero=float(np.corrcoef(e1, e2)[0, 1]),
        sims=sims,
        seed=seed,
        a=float(beta_m[0]),
        sigma_total=float(np.std(e1)),
        sigma_mediator=float(np.std(e2)),
    )


def _cm_design(data, mediator, y, x, controls, fe, sims, seed, cluster) -> tuple[pd.DataFrame, np.ndarray, list]:
    """Validated complete rows of :func:`causal_mediation` and their demeaned ``[y, x, mediator, controls]``."""
    controls = check.names("controls", ["lngdp", "imp", "exp", "inst", "tra"] if controls is None else controls)
    fe = check.names("fe", fe)
    check.distinct_roles([("y", [y]), ("x", [x]), ("mediator", [mediator]), ("controls", controls)])
    check.scalar("sims", sims, low=2, integer=True)
    check.scalar("seed", seed, low=0, integer=True)
    cols = [y, x, mediator, *controls]
    ids = [*fe, *([] if cluster is None else [cluster])]
    check.columns(data, [*cols, *ids])
    check.ids(data, ids)
    check.finite(data, cols)
    frame = data.dropna(subset=cols)
    check.nonempty(frame, "data", len(cols) + 1)
    if cluster is not None:
        check.groups(frame, cluster, 2)
    raw = frame[cols].to_numpy(float)
    D = demean_columns(raw, [pd.factorize(frame[f])[0] for f in fe])
    check.full_rank(D[:, 1:], raw[:, 1:], cols[1:], "causal_mediation", " and ".join(fe))
    return frame, D, cols
