"""Weak-instrument statistics for one endogenous regressor: Montiel Olea-Pflueger effective F.

Montiel Olea & Pflueger (2013): ``F_eff = pi' Z'Z pi / tr(S (Z'Z)^-1)``, with ``pi`` the
first-stage coefficients of the excluded instruments (all variables partialled on the
included exogenous ones) and ``S`` the robust (or clustered) covariance of the scores
``z_i v_i``. With one instrument it is the robust first-stage Wald statistic. Its critical
value for a worst-case Nagar bias of ``tau`` relative to the OLS benchmark is the simplified
(Patnaik) one: ``chi2^-1(1 - alpha; K_eff, K_eff / tau) / K_eff`` with the effective degrees
of freedom ``K_eff = tr(W)^2 (1 + 2x) / (tr(W'W) + 2x tr(W) lambda_max(W))``, ``x = 1/tau``,
``W`` the normalised score covariance.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from aichain_utils.econometrics.covariance import meat

__all__ = ["effective_f", "effective_f_critical_value"]


def _normalised_w(v: np.ndarray, z: np.ndarray, codes, kind: str) -> tuple[np.ndarray, np.ndarray]:
    n = len(v)
    zz = z.T @ z
    pi = np.linalg.solve(zz, z.T @ v)
    e = v - z @ pi
    if kind == "unadjusted":
        S = float(e @ e) / n * zz
    else:
        S = meat(z * e[:, None], codes)
    w_val, Q = np.linalg.eigh(zz / n)
    root_inv = (Q / np.sqrt(w_val)) @ Q.T  # (Z'Z/n)^-1/2
    W = root_inv @ (S / n) @ root_inv
    return pi, W


def effective_f(v: np.ndarray, z: np.ndarray, codes: np.ndarray | None = None, kind: str = "robust") -> float:
    """Montiel Olea-Pflueger effective F of the first stage ``v`` on ``z`` (both partialled)."""
    pi, W = _normalised_w(v, z, codes, kind)
    return float(pi @ (z.T @ z) @ pi / np.trace(W))


def effective_f_critical_value(
    v: np.ndarray,
    z: np.ndarray,
    codes: np.ndarray | None = None,
    kind: str = "robust",
    tau: float = 0.10,
    alpha: float = 0.05,
) -> float:
    """Simplified (Patnaik) critical value of the effective F for worst-case bias ``tau`` at level ``alpha``."""
    _, W = _normalised_w(v, z, codes, kind)
    x = 1.0 / tau
    tr = np.trace(W)
    k_eff = tr**2 * (1 + 2 * x) / (np.trace(W.T @ W) + 2 * x * tr * np.linalg.eigvalsh(W).max())
    return float(stats.ncx2.ppf(1 - alpha, k_eff, x * k_eff) / k_eff)
