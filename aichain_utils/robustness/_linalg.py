"""Shared least-squares machinery of the robustness module: demeaning, OLS and its covariances.

The within transformation and the absorbed degrees of freedom are those of the generic core
(:mod:`aichain_utils.econometrics.fe`); this module adds the few small products the robustness methods
repeat hundreds of times on the same demeaned columns.

The conventions are those of Stata's ``reghdfe`` (and of pyfixest with
``ssc(k_adj=True, k_fixef="nonnested", G_adj=True)``, against which the tests check them):

* robust (HC1): ``V = n / (n - k) (X'X)^{-1} X' diag(u^2) X (X'X)^{-1}``, with ``k`` the slopes
  plus the absorbed fixed effects' degrees of freedom, t distribution with ``n - k`` df;
* clustered (CR1): ``G / (G - 1) (n - 1) / (n - k)`` times the cluster sandwich, ``k`` leaving out the
  fixed effects nested in the clusters, t distribution with ``G - 1`` df.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from aichain_utils.econometrics import fe as _fe
from aichain_utils.errors import input_error

__all__ = [
    "absorbed_dof",
    "demean_columns",
    "inv_checked",
    "nested_in",
    "ols_cov",
    "ols_fit",
    "single_threaded_blas",
    "solve_checked",
]

#: Smallest eigenvalue of the correlation form of X'X below which a design counts as singular.
SINGULAR_TOL = 1e-12


def single_threaded_blas(func):
    """Run ``func`` with one BLAS thread: its many small (n x 7) products are faster so, and on a busy
    machine a multi-threaded BLAS spends most of its time waiting for threads."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with _controller().limit(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper


@functools.cache
def _controller() -> ThreadpoolController:
    """One inspection of the loaded BLAS libraries (each new inspection reads every shared library)."""
    return ThreadpoolController()


def demean_columns(values: np.ndarray, codes: list[np.ndarray]) -> np.ndarray:
    """Remove the means of one or more crossed factors from every column (alternating projections,
    :func:`aichain_utils.econometrics.fe.demean_array`).

    Parameters
    ----------
    values : ndarray (n, p)
    codes : list of int arrays (n,)
        Integer codes of each factor; an empty list subtracts the overall mean (an intercept).
    """
    values = np.asarray(values, dtype=float)
    if not codes:
        return values - values.mean(axis=0)
    groups = pd.DataFrame({j: code for j, code in enumerate(codes)})
    return _fe.demean_array(values, groups, list(groups.columns))


def nested_in(frame: pd.DataFrame, fe: str, cluster: str) -> bool:
    """True if every level of ``fe`` lies within one level of ``cluster``."""
    return _fe.is_nested(frame, fe, cluster)


def absorbed_dof(frame: pd.DataFrame, fe: list[str], nested: set[str] = frozenset()) -> int:
    """Degrees of freedom absorbed by the fixed effects ``fe`` (1 for an intercept when ``fe`` is empty).

    Fixed effects named in ``nested`` (those nested in the clusters, see :func:`nested_in`) are not
    counted (reghdfe's and fixest's "nested" rule); the rest count by the rank of their dummies
    (:func:`aichain_utils.econometrics.fe.absorbed_dof`, Stata's convention).
    """
    return _fe.absorbed_dof(frame, [f for f in fe if f not in nested])


def inv_checked(gram: np.ndarray, where: str = "design") -> np.ndarray:
    """``gram^{-1}`` for a cross-product matrix ``X'X``, refusing a singular or numerically singular one.

    Raises
    ------
    AichainInputError
        If a column is zero (constant within the fixed effects) or the columns are collinear (the
        smallest eigenvalue of the correlation form of ``gram`` is below :data:`SINGULAR_TOL`), rather
        than a bare ``LinAlgError`` or a number computed from rounding noise.
    """
    gram = np.atleast_2d(np.asarray(gram, float))
    d = np.sqrt(np.clip(np.diag(gram), 0.0, None))
    zero = [j for j, v in enumerate(d) if not v > 0]
    if zero:
        raise input_error(where, "a regressor is zero after removing the fixed effects (column positions)", zero,
                          what="columns")  # fmt: skip
    corr = gram / np.outer(d, d)
    if not np.all(np.isfinite(corr)) or np.linalg.eigvalsh(corr).min() <= SINGULAR_TOL:
        raise input_error(where, "the regressors are collinear after removing the fixed effects (singular X'X)")
    return np.linalg.inv(gram)


def solve_checked(gram: np.ndarray, rhs: np.ndarray, where: str = "design") -> np.ndarray:
    """``gram^{-1} rhs`` with the checks of :func:`inv_checked` (an empty system returns zeros)."""
    if np.size(gram) == 0:
        return np.zeros((0, *np.shape(rhs)[1:]))
    return inv_checked(gram, where) @ rhs


def ols_fit(X: np.ndarray, y: np.ndarray, where: str = "design") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """OLS on (already demeaned) data: coefficients, residuals and ``(X'X)^{-1}``.

    Raises
    ------
    AichainInputError
        If ``X'X`` is singular (:func:`inv_checked`).
    """
    xtx_inv = inv_checked(X.T @ X, where)
    beta = xtx_inv @ (X.T @ y)
    return beta, y - X @ beta, xtx_inv


def ols_cov(
    X: np.ndarray, u: np.ndarray, xtx_inv: np.ndarray, k: int, clusters: np.ndarray | None = None
) -> tuple[np.ndarray, int]:
    """Robust (HC1) or one-way clustered (CR1) covariance and the t distribution's degrees of freedom.

    Parameters
    ----------
    X, u, xtx_inv : from :func:`ols_fit`
    k : int
        Parameters counted in the small-sample factor (slopes plus absorbed degrees of freedom).
    clusters : int array (n,), optional
        Cluster codes 0..G-1; ``None`` for heteroskedasticity-robust.
    """
    n = len(u)
    if clusters is None:
        meat = (X * (u**2)[:, None]).T @ X
        factor, df = n / (n - k), n - k
    else:
        g = int(clusters.max()) + 1
        xu = X * u[:, None]
        scores = np.column_stack([np.bincount(clusters, weights=xu[:, j], minlength=g) for j in range(X.shape[1])])
        meat = scores.T @ scores
        factor, df = g / (g - 1) * (n - 1) / (n - k), g - 1
    return factor * xtx_inv @ meat @ xtx_inv, df
