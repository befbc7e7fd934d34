"""Weak-instrument statistics for one endogenous regressor: effective F and the tF critical value.

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

from aichain_utils.econometrics.covariance import cluster_meat
from aichain_utils.errors import input_error

__all__ = ["TF_CRITICAL_05", "effective_f", "effective_f_critical_value", "tf_critical_value"]


_RAISES_W = """

    Raises
    ------
    AichainInputError
        ``v`` not 1-D, ``z`` not 2-D with as many rows, either not finite, ``z'z`` singular
        (an instrument without variation after partialling), ``kind`` unknown; the checks of
        :func:`~aichain_utils.econometrics.covariance.cluster_meat` on ``codes``.
    """


def _normalised_w(v: np.ndarray, z: np.ndarray, codes, kind: str) -> tuple[np.ndarray, np.ndarray]:
    v, z = np.asarray(v, dtype=float), np.asarray(z, dtype=float)
    if v.ndim != 1 or z.ndim != 2 or z.shape[0] != v.shape[0]:
        raise input_error("z", "must be 2-D with one row per element of v", [v.shape, z.shape], what="shapes")
    for name, a in (("v", v), ("z", z)):
        bad = np.flatnonzero(~np.isfinite(a.reshape(len(a), -1)).all(axis=1))
        if bad.size:
            raise input_error(name, "must be finite", bad.tolist())
    if kind not in ("unadjusted", "robust", "cluster"):
        raise input_error("kind", "must be 'unadjusted', 'robust' or 'cluster'", [kind], what="values")
    n = len(v)
    zz = z.T @ z
    eig = np.linalg.eigvalsh(zz)
    if eig.min() <= 1e-12 * max(eig.max(), 1e-300):
        raise input_error("z", "must have full column rank (an instrument without variation after partialling)", [])
    pi = np.linalg.solve(zz, z.T @ v)
    e = v - z @ pi
    if kind == "unadjusted":
        S = float(e @ e) / n * zz
    else:
        S = cluster_meat(z * e[:, None], codes)
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
    if not (np.isfinite(tau) and tau > 0):
        raise input_error("tau", "must be a positive number", [tau], what="values")
    if not (np.isfinite(alpha) and 0 < alpha < 1):
        raise input_error("alpha", "must lie in (0, 1)", [alpha], what="values")
    _, W = _normalised_w(v, z, codes, kind)
    x = 1.0 / tau
    tr = np.trace(W)
    k_eff = tr**2 * (1 + 2 * x) / (np.trace(W.T @ W) + 2 * x * tr * np.linalg.eigvalsh(W).max())
    return float(stats.ncx2.ppf(1 - alpha, k_eff, x * k_eff) / k_eff)


#: Lee, McCrary, Moreira & Porter (2022, Table 3): 5% critical values c(F) of the tF procedure
#: for one instrument, on the grid sqrt(F) = 2.0, 2.1, ..., 10.3 (F = 4 to 106.09).
TF_SQRT_F_GRID = np.round(np.arange(2.0, 10.31, 0.1), 1)
TF_CRITICAL_05 = np.array(
    [
        18.66,
        9.74,
        7.37,
        6.18,
        5.43,
        4.92,
        4.54,
        4.25,
        4.01,
        3.82,
        3.65,
        3.51,
        3.39,
        3.29,
        3.19,
        3.11,
        3.03,
        2.97,
        2.91,
        2.85,
        2.80,
        2.75,
        2.71,
        2.67,
        2.63,
        2.60,
        2.57,
        2.54,
        2.51,
        2.48,
        2.46,
        2.43,
        2.41,
        2.39,
        2.37,
        2.35,
        2.33,
        2.32,
        2.30,
        2.29,
        2.27,
        2.26,
        2.24,
        2.23,
        2.22,
        2.21,
        2.20,
        2.19,
        2.17,
        2.16,
        2.16,
        2.15,
        2.14,
        2.13,
        2.12,
        2.11,
        2.10,
        2.10,
        2.09,
        2.08,
        2.08,
        2.07,
        2.06,
        2.06,
        2.05,
        2.04,
        2.04,
        2.03,
        2.03,
        2.02,
        2.02,
        2.01,
        2.01,
        2.00,
        2.00,
        1.99,
        1.99,
        1.99,
        1.98,
        1.98,
        1.97,
        1.97,
        1.97,
        1.96,
    ]
)


def tf_critical_value(first_stage_f: float) -> float:
    """5% critical value of the tF procedure (Lee et al. 2022) for a just-identified 2SLS t-test.

    Linear interpolation in ``sqrt(F)`` in the paper's Table 3; 1.96 from ``F = 106.09`` up (the
    paper: 1.96 is valid only above about 104.7); infinite below ``F = 4`` (no finite interval).
    ``F`` is the first-stage F computed with the same covariance as the 2SLS standard error.

    Raises
    ------
    AichainInputError
        ``first_stage_f`` NaN or negative (an F cannot be; a missing F has no critical value).
    """
    if np.isnan(first_stage_f) or first_stage_f < 0:
        raise input_error("first_stage_f", "must be a non-negative number", [first_stage_f], what="values")
    if first_stage_f < 4.0:
        return float("inf")
    return float(np.interp(np.sqrt(first_stage_f), TF_SQRT_F_GRID, TF_CRITICAL_05, right=1.96))


effective_f.__doc__ += _RAISES_W
effective_f_critical_value.__doc__ += _RAISES_W.replace(
    "        ``v``", "        ``tau`` not positive, ``alpha`` outside (0, 1); ``v``"
)
