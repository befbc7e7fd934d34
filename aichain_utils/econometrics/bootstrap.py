"""Restricted wild cluster bootstrap (WCR) of ``H0: b = b0``, as Stata's ``boottest`` runs it.

Cameron, Gelbach & Miller (2008); Roodman, MacKinnon, Nielsen & Webb (2019). The null is
imposed: the restricted model (``b = b0``) is fitted with all absorbed effects and the
bootstrap outcome is ``y* = yhat_r + v_g u_r`` with one weight ``v_g`` per cluster. Every
bootstrap outcome is projected off the absorbed effects again before the t statistic is
computed: when an effect is not nested in the clusters (the book's design: unit and year
effects, industry clusters) ``M_D (v_g u_r) != v_g u_r`` and skipping the projection gives
wrong bootstrap t's. When the number of distinct weight vectors (``2^G`` for Rademacher or
Mammen weights, ``6^G`` for Webb's) is at most ``reps``, every vector is enumerated once
(``boottest``'s rule) and the p-value is exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from aichain_utils.econometrics._data import as_list, check_choice, check_rank, check_roles
from aichain_utils.econometrics.fe import absorbed_dof, demean, demean_array
from aichain_utils.econometrics.linear import (
    _check_flag,
    _single,
    check_outcome_varies,
    check_residual_dof,
    perfect_fit_residuals,
    prepare,
)
from aichain_utils.errors import input_error

__all__ = ["WEIGHTS", "wild_cluster_bootstrap"]

_S5 = np.sqrt(5.0)
#: Support and probabilities of the bootstrap weight distributions.
WEIGHTS: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "rademacher": (np.array([-1.0, 1.0]), np.array([0.5, 0.5])),
    "mammen": (np.array([(1 - _S5) / 2, (1 + _S5) / 2]), np.array([(_S5 + 1) / (2 * _S5), (_S5 - 1) / (2 * _S5)])),
    "webb": (np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)]), np.full(6, 1 / 6)),
}


def _weight_draws(kind: str, G: int, reps: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """``G x B`` weight matrix: all distinct vectors if there are at most ``reps``, else ``reps`` draws."""
    support, prob = WEIGHTS[kind]
    if len(support) ** G <= reps:
        V = np.array(list(itertools.product(support, repeat=G))).T
        return V, True
    return rng.choice(support, size=(G, reps), p=prob), False


def wild_cluster_bootstrap(
    data: pd.DataFrame,
    y: str,
    x: str,
    controls: Sequence[str] | None = None,
    absorb: Sequence[str] = (),
    cluster: str = "cluster",
    b0: float = 0.0,
    reps: int = 999,
    seed: int = 20251123,
    weights: str = "webb",
    constant: bool = True,
    chunk: int = 200,
) -> dict:
    """Restricted wild cluster bootstrap p-value of ``H0: b_x = b0`` (symmetric, two-sided).

    Parameters
    ----------
    data : DataFrame
    y, x : str
        Outcome and the regressor whose coefficient is tested.
    controls : list of str
    absorb : list of str
        Absorbed effects (need not be nested in ``cluster``).
    cluster : str
        Bootstrap and covariance cluster variable.
    b0 : float
        Null value.
    reps : int
        Bootstrap replications (ignored under full enumeration).
    seed : int
        Seed of the weight draws (every draw is reproducible).
    weights : {"webb", "rademacher", "mammen"}
    constant : bool
        Intercept when nothing is absorbed.

    Returns
    -------
    dict
        ``t`` (observed cluster-robust t of ``b - b0`` with Stata's CRV1 factor), ``p``
        (share of ``|t*| > |t|``, as ``boottest`` and ``wildboottest``; exact ties, such as the
        all-ones weight vector that reproduces the sample, are not counted), ``reps`` (draws or
        enumerated vectors), ``enumerated``, ``clusters``, ``weights``, ``seed``, ``b0``,
        ``t_boot``, ``weight_matrix`` (clusters x draws, rows in the order of
        ``cluster_labels``). Rows with a missing variable are dropped (listwise deletion).

    Raises
    ------
    AichainInputError
        As :func:`~aichain_utils.econometrics.fit_ols` (missing columns, infinite values, a repeated
        regressor, missing ids, constant or collinear regressors, a constant outcome, no residual
        degrees of freedom); unknown ``weights``; ``reps`` or ``chunk`` not a positive integer;
        a non-integer ``seed``; a non-finite ``b0``; fewer than two clusters; a zero bootstrap
        denominator (every cluster's score is zero: the t statistic is 0/0).
    """
    _check_arguments(weights, reps, chunk, seed, b0, constant)
    y, x, cluster = _single("y", y), _single("x", x), _single("cluster", cluster)
    controls, absorb = as_list(controls, "controls"), as_list(absorb, "absorb")
    frame, codes, uniq = _bootstrap_sample(data, y, x, controls, absorb, cluster)
    Y, X = _bootstrap_design(frame, y, x, controls, absorb, constant)
    G, (n, K) = len(uniq), X.shape
    bread = np.linalg.inv(X.T @ X)
    e_x = X @ bread[:, 0]  # FWL: b_x = e_x' y
    fitted_r, u_r = _restricted_fit(X, Y, b0)
    k_c = K + (absorbed_dof(frame, absorb, [cluster]) if absorb else 0)
    ssc = G / (G - 1) * (n - 1) / (n - k_c)

    def t_stats(Ys: np.ndarray) -> np.ndarray:
        b = e_x @ Ys
        resid = Ys - X @ (bread @ (X.T @ Ys))
        scores = np.zeros((G, Ys.shape[1]))
        np.add.at(scores, codes, e_x[:, None] * resid)
        return (b - b0) / np.sqrt(ssc * np.sum(scores**2, axis=0))

    t_obs = _observed_t(Y, X, bread, t_stats, y, x, constant and not absorb)
    V, enumerated = _weight_draws(weights, G, reps, np.random.default_rng(seed))
    t_boot = []
    for start in range(0, V.shape[1], chunk):
        shocks = u_r[:, None] * V[:, start : start + chunk][codes]
        if absorb:  # project the bootstrap errors off the absorbed effects again
            shocks = demean_array(shocks, frame, absorb)
        t_boot.append(t_stats(fitted_r[:, None] + shocks))
    t_boot = np.concatenate(t_boot)
    return {"t": t_obs, "p": float(np.mean(np.abs(t_boot) > abs(t_obs) * (1 + 1e-10))), "reps": int(V.shape[1]),
            "enumerated": enumerated, "clusters": G, "weights": weights, "seed": seed, "b0": b0, "t_boot": t_boot,
            "weight_matrix": V, "cluster_labels": np.asarray(uniq)}  # fmt: skip


def _check_arguments(weights, reps, chunk, seed, b0, constant) -> None:
    """The bootstrap's own arguments: known weights, positive counts, an explicit seed, a finite null."""
    check_choice("weights", weights, sorted(WEIGHTS))
    for name, value in (("reps", reps), ("chunk", chunk)):
        if not (isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1):
            raise input_error(name, "must be a positive integer", [value], what="values")
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        raise input_error(
            "seed", "must be a non-negative integer (every draw takes an explicit seed)", [seed], what="values"
        )
    if not (isinstance(b0, (int, float, np.integer, np.floating)) and np.isfinite(b0)):
        raise input_error("b0", "must be a finite number", [b0], what="values")
    _check_flag("constant", constant)


def _bootstrap_sample(data, y, x, controls, absorb, cluster):
    """Complete cases of the regression and the cluster codes (at least two clusters)."""
    roles = {"y": [y], "x": [x], "controls": controls}
    check_roles(roles, ["y", "x", "controls"])
    roles.update(absorb=absorb, cluster=[cluster])
    frame, _, _ = prepare(data, [y, x, *controls], [*absorb, cluster], "wild bootstrap", roles=roles)
    codes, uniq = pd.factorize(frame[cluster])
    if len(uniq) < 2:
        raise input_error(
            cluster,
            f"the wild cluster bootstrap needs at least two clusters; {cluster!r} has {len(uniq)}",
            list(uniq),
            what="levels",
        )
    return frame, codes, uniq


def _bootstrap_design(frame, y, x, controls, absorb, constant) -> tuple[np.ndarray, np.ndarray]:
    """``Y`` and ``X`` (``x`` first) after the absorbed effects or with an intercept, checked as :func:`fit_ols`."""
    cols = [y, x, *controls]
    if absorb:
        dm = demean(frame, cols, absorb)
        names = [x, *controls]
        X = dm[names].to_numpy()
    else:
        dm = frame[cols].astype(float)
        names = [x, *controls] + (["const"] if constant else [])
        X = dm[[x, *controls]].to_numpy()
        X = np.column_stack([X, np.ones(len(dm))]) if constant else X
    Y = dm[y].to_numpy()
    n, K = X.shape
    k_all = K + (absorbed_dof(frame, absorb, ()) if absorb else 0)
    check_residual_dof(n, k_all, "wild bootstrap", k_all - K)
    check_outcome_varies(Y, y, absorb, centre=constant and not absorb)
    check_rank(X, names, "regressors of the wild bootstrap", absorb=absorb)
    return Y, X


def _restricted_fit(X: np.ndarray, Y: np.ndarray, b0: float) -> tuple[np.ndarray, np.ndarray]:
    """Fitted values and residuals of the fit with ``b_x = b0`` imposed (on the absorbed data: the LSDV ones)."""
    Xr = X[:, 1:]
    target = Y - b0 * X[:, 0]
    fitted_r = b0 * X[:, 0] + (Xr @ np.linalg.lstsq(Xr, target, rcond=None)[0] if Xr.shape[1] else 0.0)
    return fitted_r, Y - fitted_r


def _observed_t(Y, X, bread, t_stats, y, x, centre) -> float:
    """The sample's cluster-robust t; an error if the fit is exact or the t is 0/0."""
    u_hat = Y - X @ (bread @ (X.T @ Y))
    if not np.any(perfect_fit_residuals(u_hat, Y, centre, [])):
        raise input_error(
            y, "is fitted exactly by the regressors (zero residuals): the t statistic is undefined", [], what="rows"
        )
    t_obs = float(t_stats(Y[:, None])[0])
    if not np.isfinite(t_obs):
        raise input_error(
            x, "the cluster-robust t statistic is 0/0 (every cluster's score is zero)", [t_obs], what="values"
        )
    return t_obs
