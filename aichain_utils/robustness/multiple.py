"""Multiple testing (多重检验): Romano–Wolf step-down and Holm adjusted p-values.

Each hypothesis is one coefficient of a fixed-effects regression (``x = 0``), estimated on the within
transformation with standard errors clustered by unit. The joint null distribution comes from one
wild cluster bootstrap with the null imposed (Rademacher weights by unit, shared by every
hypothesis so that their dependence is kept), done on the demeaned data as pyfixest's ``rwolf``
does. The bootstrap is exact and vectorised: with ``r`` the residuals of the model without ``x``,
``v`` the unit weights, ``a_g = e_1'(X'X)^{-1} sum_{i in g} x_i r_i`` and
``q_g = (X'X)^{-1} (sum_{i in g} x_i x_i') (X'X)^{-1} e_1``, a draw's estimate is ``sum_g v_g a_g``
and its clustered score for unit ``g`` is ``v_g a_g - q_g' X'(v * r)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from aichain_utils.robustness._linalg import absorbed_dof, demean_columns, ols_cov, ols_fit, single_threaded_blas

__all__ = ["Hypothesis", "holm", "multiple_testing", "romano_wolf_p"]


@dataclass(frozen=True)
class Hypothesis:
    """One coefficient to test: ``x`` in the regression of ``y`` on ``x`` and ``controls`` (FE absorbed)."""

    label: str
    y: str
    x: str
    controls: tuple[str, ...]
    subset: tuple[str, str] | None = None  # (column, level) restricting the sample


def holm(p: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values."""
    p = np.asarray(p, float)
    order = np.argsort(p)
    m = len(p)
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


def romano_wolf_p(t_obs: np.ndarray, t_boot: np.ndarray) -> np.ndarray:
    """Romano & Wolf (2005, 2016) step-down adjusted p-values from bootstrap t statistics.

    Parameters
    ----------
    t_obs : array (S,)
        Observed t statistics.
    t_boot : array (B, S)
        Bootstrap t statistics under the null.
    """
    t_abs, b_abs = np.abs(np.asarray(t_obs, float)), np.abs(np.asarray(t_boot, float))
    order = np.argsort(-t_abs)
    reps = b_abs.shape[0]
    p_step = np.empty(len(t_abs))
    for s, idx in enumerate(order):
        max_stat = b_abs[:, order[s:]].max(axis=1)
        p_step[s] = min(1.0, (np.sum(max_stat >= t_abs[idx]) + 1) / (reps + 1))
    adj = np.maximum.accumulate(p_step)
    out = np.empty_like(adj)
    out[order] = adj
    return out


def _loadings(frame: pd.DataFrame, h: Hypothesis, fe: list[str], unit_index: pd.Index) -> dict:
    """Observed estimate and t, and the per-unit pieces the vectorised bootstrap needs."""
    cols = [h.y, h.x, *h.controls]
    D = demean_columns(frame[cols].to_numpy(float), [pd.factorize(frame[f])[0] for f in fe])
    X, y = D[:, 1:], D[:, 0]
    beta, u, bread = ols_fit(X, y)
    clusters = unit_index.get_indexer(frame["unit_id"])
    k = X.shape[1] + absorbed_dof(frame, fe, {"unit_id"})
    V, df = ols_cov(X, u, bread, k, pd.factorize(frame["unit_id"])[0])
    W = X[:, 1:]
    r = y - (W @ np.linalg.solve(W.T @ W, W.T @ y) if W.shape[1] else 0.0)
    G = len(unit_index)
    A = np.column_stack([np.bincount(clusters, weights=X[:, j] * r, minlength=G) for j in range(X.shape[1])])
    e = bread[0]
    xe = X @ e  # x_i' (X'X)^{-1} e_1
    # q_g = bread C_g bread e1 = bread sum_{i in g} x_i (x_i' bread e1)
    Cq = np.column_stack([np.bincount(clusters, weights=X[:, j] * xe, minlength=G) for j in range(X.shape[1])])
    n, g_used = len(frame), len(np.unique(clusters))
    return {
        "estimate": float(beta[0]),
        "se": float(np.sqrt(V[0, 0])),
        "df": df,
        "a": A @ e,
        "A": A,
        "Q": Cq @ bread,
        "factor": g_used / (g_used - 1) * (n - 1) / (n - k),
    }


def _boot_t(p: dict, v: np.ndarray) -> np.ndarray:
    """Bootstrap t statistics of one hypothesis for the weight matrix ``v`` (G x B)."""
    b_star = p["a"] @ v
    Z = p["A"].T @ v  # (k, B)
    scores = v * p["a"][:, None] - p["Q"] @ Z
    se_star = np.sqrt(p["factor"] * np.sum(scores**2, axis=0))
    return b_star / se_star


@single_threaded_blas
def multiple_testing(
    data: pd.DataFrame,
    hypotheses: list[Hypothesis],
    reps: int = 999,
    seed: int = 20251123,
    fe: tuple[str, ...] = ("unit_id", "year"),
) -> pd.DataFrame:
    """Estimate each hypothesis and adjust its p-value for the family (Romano–Wolf and Holm).

    Returns
    -------
    DataFrame
        One row per hypothesis: estimate, clustered SE, t, unadjusted p, Holm p, Romano–Wolf p.
    """
    if not hypotheses:
        raise ValueError("multiple_testing: no hypotheses given")
    unit_index = pd.Index(np.sort(data["unit_id"].unique()))
    rng = np.random.default_rng(seed)
    v = rng.choice([-1.0, 1.0], size=(len(unit_index), reps))
    rows, t_boot = [], []
    for h in hypotheses:
        missing = [c for c in [h.y, h.x, *h.controls, *fe] if c not in data.columns]
        if missing:
            raise ValueError(f"hypothesis '{h.label}': missing column(s) {missing}")
        frame = data if h.subset is None else data[data[h.subset[0]] == h.subset[1]]
        frame = frame.dropna(subset=[h.y, h.x, *h.controls])
        if frame.empty:
            raise ValueError(f"hypothesis '{h.label}': no complete rows")
        p = _loadings(frame, h, list(fe), unit_index)
        t = p["estimate"] / p["se"]
        rows.append({"hypothesis": h.label, "estimate": p["estimate"], "se (cluster unit)": p["se"], "t": t,
                     "p": float(2 * stats.t.sf(abs(t), p["df"])), "N": len(frame)})  # fmt: skip
        t_boot.append(_boot_t(p, v))
    out = pd.DataFrame(rows)
    out["p, Holm"] = holm(out["p"].to_numpy())
    out["p, Romano–Wolf"] = romano_wolf_p(out["t"].to_numpy(), np.column_stack(t_boot))
    return out
