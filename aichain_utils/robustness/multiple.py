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

from aichain_utils.errors import input_error
from aichain_utils.robustness import _checks as check
from aichain_utils.robustness._linalg import (
    absorbed_dof,
    demean_columns,
    ols_cov,
    ols_fit,
    single_threaded_blas,
    solve_checked,
)

__all__ = ["Hypothesis", "holm", "multiple_testing", "romano_wolf_p"]


@dataclass(frozen=True)
class Hypothesis:
    """One coefficient to test: ``x`` in the regression of ``y`` on ``x`` and ``controls`` (FE absorbed)."""

    label: str
    y: str
    x: str
    controls: tuple[str, ...]
    subset: tuple[str, str] | None = None  # (column, level) restricting the sample

    def __post_init__(self):
        """Raises :class:`~aichain_utils.errors.AichainInputError` if ``label``, ``y`` or ``x`` is not a
        string, ``controls`` is a lone string or holds a non-string, or ``subset`` is not a pair."""
        for name in ("label", "y", "x"):
            if not isinstance(getattr(self, name), str):
                raise input_error(name, "must be a string", [getattr(self, name)], what="values")
        object.__setattr__(self, "controls", tuple(check.names("controls", self.controls)))
        if self.subset is not None and (isinstance(self.subset, str) or len(tuple(self.subset)) != 2):
            raise input_error("subset", "must be a (column, level) pair", [self.subset], what="values")


def holm(p: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values (as ``statsmodels``' ``multipletests(method="holm")``).

    Raises
    ------
    AichainInputError
        If ``p`` is not one-dimensional or an entry is NaN or outside [0, 1].
    """
    p = np.asarray(p, float)
    if p.ndim != 1:
        raise input_error("p", "must be one-dimensional", list(p.shape), what="shape")
    bad = np.flatnonzero(~((p >= 0) & (p <= 1)))
    if len(bad):
        raise input_error("p", "p-values must lie in [0, 1] (no NaN)", [float(v) for v in p[bad]], what="values")
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

    Raises
    ------
    AichainInputError
        If ``t_obs`` is not one-dimensional, ``t_boot`` is not (B, S) with B >= 1 draws (with no draws
        every p would be 1), or either holds NaN or infinite values.
    """
    t_abs, b_abs = _rw_inputs(t_obs, t_boot)
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


def _rw_inputs(t_obs, t_boot) -> tuple[np.ndarray, np.ndarray]:
    t_abs, b_abs = np.abs(np.asarray(t_obs, float)), np.abs(np.asarray(t_boot, float))
    if t_abs.ndim != 1:
        raise input_error("t_obs", "must be one-dimensional (one t per hypothesis)", list(t_abs.shape), what="shape")
    if b_abs.ndim != 2 or b_abs.shape[1] != len(t_abs):
        raise input_error("t_boot", f"must be (draws, {len(t_abs)}): one column per hypothesis", list(b_abs.shape),
                          what="shape")  # fmt: skip
    if b_abs.shape[0] < 1:
        raise input_error("t_boot", "needs at least one bootstrap draw (with none every p-value would be 1)", [0],
                          what="draws")  # fmt: skip
    for name, a in (("t_obs", t_abs), ("t_boot", b_abs)):
        bad = np.argwhere(~np.isfinite(a))
        if len(bad):
            where = [tuple(int(i) for i in b) for b in bad]
            raise input_error(name, "must be finite (NaN or infinite t statistics)", where, what="positions")
    return t_abs, b_abs


def _loadings(frame: pd.DataFrame, D: np.ndarray, h: Hypothesis, fe: list[str], unit_index: pd.Index) -> dict:
    """Observed estimate and t, and the per-unit pieces the vectorised bootstrap needs (``D``: the
    demeaned ``[y, x, controls]`` of ``frame``)."""
    X, y = D[:, 1:], D[:, 0]
    beta, u, bread = ols_fit(X, y, f"hypothesis '{h.label}'")
    clusters = unit_index.get_indexer(frame["unit_id"])
    k = X.shape[1] + absorbed_dof(frame, fe, {"unit_id"})
    V, df = ols_cov(X, u, bread, k, pd.factorize(frame["unit_id"])[0])
    W = X[:, 1:]
    r = y - (W @ solve_checked(W.T @ W, W.T @ y, f"hypothesis '{h.label}'") if W.shape[1] else 0.0)
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


def _mt_inputs(data, hypotheses, reps, seed, fe) -> list:
    """Checks of :func:`multiple_testing` that do not depend on one hypothesis's sample."""
    hypotheses = list(hypotheses)
    if not hypotheses:
        raise input_error("hypotheses", "must name at least one hypothesis")
    labels = pd.Series([h.label for h in hypotheses])
    if labels.duplicated().any():
        raise input_error("hypotheses", "labels must be distinct", labels[labels.duplicated()].tolist(), what="labels")
    check.scalar("reps", reps, low=1, integer=True)
    check.scalar("seed", seed, low=0, integer=True)
    need = ["unit_id", *fe]
    for h in hypotheses:
        check.distinct_roles([("y", [h.y]), ("x", [h.x]), (f"controls of '{h.label}'", list(h.controls))])
        need += [h.y, h.x, *h.controls] + ([h.subset[0]] if h.subset else [])
    check.columns(data, need)
    check.ids(data, ["unit_id", *fe])
    check.finite(data, [c for h in hypotheses for c in (h.y, h.x, *h.controls)])
    return hypotheses


def _mt_frame(data: pd.DataFrame, h: Hypothesis, fe: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The complete rows of one hypothesis, checked for clusters, df and rank, and their demeaned
    ``[y, x, controls]``."""
    frame = data if h.subset is None else data[data[h.subset[0]] == h.subset[1]]
    cols = [h.y, h.x, *h.controls]
    frame = frame.dropna(subset=cols)
    if frame.empty:
        raise input_error(f"hypothesis '{h.label}'", "has no complete rows", [h.subset] if h.subset else [],
                          what="subset")  # fmt: skip
    check.groups(frame, "unit_id", 2, "to cluster by unit")
    raw = frame[cols].to_numpy(float)
    D = demean_columns(raw, [pd.factorize(frame[f])[0] for f in fe])
    check.full_rank(D[:, 1:], raw[:, 1:], cols[1:], f"hypothesis '{h.label}'", " and ".join(fe))
    k = len(cols) - 1 + absorbed_dof(frame, fe, {"unit_id"})
    if len(frame) <= k:
        raise input_error(f"hypothesis '{h.label}'", f"has {len(frame)} rows for {k} parameters: no residual df",
                          [len(frame)], what="rows")  # fmt: skip
    return frame, D


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

    Parameters
    ----------
    data : DataFrame
        The panel; ``unit_id`` (the clusters) and the ``fe`` columns are required.
    hypotheses : list of Hypothesis
        The family, with distinct labels.
    reps : int
        Wild-bootstrap draws (at least 1; pyfixest's ``rwolf`` uses 999 by default as here).
    seed : int
        Seed of the Rademacher draws.

    Returns
    -------
    DataFrame
        One row per hypothesis: estimate, clustered SE, t, unadjusted p, Holm p, Romano–Wolf p.

    Raises
    ------
    AichainInputError
        If ``hypotheses`` is empty or has repeated labels; ``reps`` < 1 or ``seed`` is not a whole
        number; a column is missing, non-numeric or infinite; ``unit_id``, an ``fe`` column or a subset
        column has missing values; a hypothesis repeats a column among ``y``, ``x`` and its controls,
        has no complete rows, fewer than two clusters, no residual degrees of freedom, or an ``x`` or
        control that does not vary within the fixed effects or is collinear with the others.
    """
    fe = check.names("fe", fe)
    hypotheses = _mt_inputs(data, hypotheses, reps, seed, fe)
    unit_index = pd.Index(np.sort(data["unit_id"].unique()))
    rng = np.random.default_rng(seed)
    v = rng.choice([-1.0, 1.0], size=(len(unit_index), reps))
    rows, t_boot = [], []
    for h in hypotheses:
        frame, D = _mt_frame(data, h, fe)
        p = _loadings(frame, D, h, list(fe), unit_index)
        t = p["estimate"] / p["se"]
        rows.append({"hypothesis": h.label, "estimate": p["estimate"], "se (cluster unit)": p["se"], "t": t,
                     "p": float(2 * stats.t.sf(abs(t), p["df"])), "N": len(frame)})  # fmt: skip
        t_boot.append(_boot_t(p, v))
    out = pd.DataFrame(rows)
    out["p, Holm"] = holm(out["p"].to_numpy())
    out["p, Romano–Wolf"] = romano_wolf_p(out["t"].to_numpy(), np.column_stack(t_boot))
    return out
