"""Sandwich covariances and the small-sample conventions of Stata, fixest and linearmodels.

One place states every factor; :mod:`aichain_utils.econometrics.linear` and
:mod:`aichain_utils.econometrics.iv` call :func:`sandwich` with the bread, the scores and the
convention. The conventions page of the book tabulates the same rules.

OLS (``regress``, ``areg``, ``xtreg, fe``, ``reghdfe``; ``convention="stata"``), with
``k`` the regressors plus the parameters of the intercept and absorbed effects
(:func:`~aichain_utils.econometrics.fe.absorbed_dof`):

* unadjusted: ``s^2 (X'X)^-1``, ``s^2 = u'u / (n - k)``; t with ``n - k`` df;
* robust (HC1): ``n / (n - k)`` times the sandwich; t with ``n - k`` df;
* cluster: ``G / (G - 1) * (n - 1) / (n - k_c)`` times the sandwich, where ``k_c`` leaves out
  effects nested in the clusters; t with ``G - 1`` df. Two-way clustering (Cameron, Gelbach &
  Miller 2011) adds the two one-way meats and subtracts the intersection's, with the factor and
  the df of the smaller number of clusters, as ``reghdfe`` and ``ivreg2`` do.

``convention="fixest"`` uses the same factors with fixest's count of the absorbed parameters
(``fixef.K = "nested"``); ``convention="linearmodels"`` reproduces ``PanelOLS``: ``n / (n - k)``
with every effect counted, no ``G / (G - 1)``, normal reference distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aichain_utils.econometrics import cache
from aichain_utils.errors import input_error

__all__ = ["Covariance", "cluster_codes", "cluster_meat", "meat", "n_clusters", "sandwich"]

CONVENTIONS = ("stata", "fixest", "linearmodels")
KINDS = ("unadjusted", "robust", "cluster")


@dataclass
class Covariance:
    """A covariance matrix with the reference distribution's degrees of freedom (``None``: normal)."""

    V: np.ndarray
    df: int | None
    n_clusters: int | None
    factor: float


def cluster_codes(frame: pd.DataFrame, clusters: list[str]) -> list[np.ndarray]:
    """Integer codes of each cluster variable, and of their intersection when there are two.

    Raises
    ------
    AichainInputError
        More than two cluster variables, or the same variable twice.
    """
    if len(clusters) > 2:
        raise input_error("cluster", "at most two cluster variables are supported", clusters, what="columns")
    if len(clusters) == 2 and clusters[0] == clusters[1]:
        raise input_error("cluster", "the two cluster variables must differ", clusters, what="columns")
    codes = [cache.codes(frame, c)[0] for c in clusters]
    if len(clusters) == 2:
        codes.append(pd.factorize(pd.MultiIndex.from_arrays([frame[c] for c in clusters]))[0])
    return codes


def _check_scores(scores: np.ndarray, codes: np.ndarray | None) -> None:
    if np.ndim(scores) != 2:
        raise input_error("scores", "must be a 2-D array (rows x parameters)", [np.shape(scores)], what="shapes")
    if not np.isfinite(scores).all():  # the rows named only when some is not finite
        raise input_error("scores", "must be finite", np.flatnonzero(~np.isfinite(scores).all(axis=1)).tolist())
    if codes is not None:
        codes = np.asarray(codes)
        if codes.shape != (scores.shape[0],) or not np.issubdtype(codes.dtype, np.integer) or codes.min() < 0:
            raise input_error(
                "codes", "must be one non-negative integer cluster code per row of scores", [codes.shape], what="shapes"
            )


def meat(scores: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    """``sum_g S_g S_g'`` with ``S_g`` the scores summed within cluster ``g`` (rows if ``codes`` is None).

    Raises
    ------
    AichainInputError
        ``scores`` not 2-D or not finite (the rows named); ``codes`` not one non-negative integer
        code per row.
    """
    _check_scores(scores, codes)
    if codes is None:
        return scores.T @ scores
    n_groups = int(codes.max()) + 1
    # one bincount per column: the same sums, in the same (row) order, as np.add.at, many times faster
    summed = np.zeros((n_groups, scores.shape[1]))
    for j in range(scores.shape[1]):
        summed[:, j] = np.bincount(codes, weights=scores[:, j], minlength=n_groups)
    return summed.T @ summed


def cluster_meat(scores: np.ndarray, codes: list[np.ndarray] | np.ndarray | None) -> np.ndarray:
    """One-way or two-way (Cameron, Gelbach & Miller 2011) cluster meat from :func:`cluster_codes`' list.

    ``None``: the robust meat ``sum_i s_i s_i'``; one code array: ``sum_g S_g S_g'``; the three
    arrays of two-way clustering: ``M_A + M_B - M_(A and B)``, which need not be positive
    semi-definite in small samples (``ivreg2`` and ``reghdfe`` use it as it is).

    Raises
    ------
    AichainInputError
        ``codes`` a list of other than one or three code arrays; the checks of :func:`meat`.
    """
    if isinstance(codes, list | tuple) and len(codes) not in (1, 3):
        raise input_error(
            "codes", "must hold one array (one-way) or three (two-way: A, B, A and B)", [len(codes)], what="lengths"
        )
    if codes is None:
        return meat(scores, None)
    if isinstance(codes, np.ndarray):
        return meat(scores, codes)
    if len(codes) == 3:
        return meat(scores, codes[0]) + meat(scores, codes[1]) - meat(scores, codes[2])
    return meat(scores, codes[0])


def _n_clusters(codes: list[np.ndarray]) -> list[int]:
    return [int(c.max()) + 1 for c in codes]


def n_clusters(codes: list[np.ndarray] | None) -> int | None:
    """The number of clusters that sets the small-sample factor: the smaller one when two-way.

    Returns ``None`` for no clustering (``codes`` None or empty).

    Raises
    ------
    AichainInputError
        A code array that is empty.
    """
    if codes and any(len(c) == 0 for c in codes):
        raise input_error("codes", "must not be empty", [i for i, c in enumerate(codes) if len(c) == 0], what="arrays")
    if not codes:
        return None
    return min(_n_clusters(codes[:2] if len(codes) == 3 else codes))


def sandwich(
    kind: str,
    bread: np.ndarray,
    scores: np.ndarray,
    resid: np.ndarray,
    n: int,
    k: int,
    k_cluster: int | None = None,
    codes: list[np.ndarray] | None = None,
    convention: str = "stata",
) -> Covariance:
    """Covariance of OLS-type estimates ``bread @ meat @ bread`` with the convention's factor.

    Parameters
    ----------
    kind : {"unadjusted", "robust", "cluster"}
    bread : ndarray
        ``(X'X)^-1`` (or ``(Xhat'Xhat)^-1`` for 2SLS).
    scores : ndarray
        ``X_i u_i`` row by row (weighted if weights are used).
    resid : ndarray
        Residuals (for the unadjusted variance).
    n, k : int
        Observations and parameters (regressors + intercept and absorbed effects).
    k_cluster : int
        Parameters counted with clustered errors (effects nested in the clusters left out).
    codes : list of ndarray
        Cluster codes from :func:`cluster_codes`.
    convention : {"stata", "fixest", "linearmodels"}

    Raises
    ------
    AichainInputError
        An unknown ``kind`` or ``convention``; no residual degrees of freedom (``n <= k``);
        clustering without cluster codes or with fewer than two clusters (or, clustered with
        ``stata``/``fixest``, no degrees of freedom ``n - k_c`` left for the factor).
    """
    if convention not in CONVENTIONS:
        raise input_error("convention", f"must be one of {list(CONVENTIONS)}", [convention], what="values")
    if kind not in KINDS:
        raise input_error("vcov", f"must be one of {list(KINDS)}", [kind], what="values")
    if n - k <= 0:
        raise input_error(
            "data",
            f"{n} observation(s) cannot identify {k} parameter(s) (regressors plus intercept/absorbed effects): "
            "the residual degrees of freedom n - k must be positive",
            [n - k],
            what="residual degrees of freedom",
        )
    if kind == "unadjusted":
        s2 = float(resid @ resid) / (n - k)
        return Covariance(s2 * bread, None if convention == "linearmodels" else n - k, None, 1.0)
    if kind == "robust":
        factor = n / (n - k)
        V = factor * bread @ meat(scores, None) @ bread
        return Covariance(V, None if convention == "linearmodels" else n - k, None, factor)
    if not codes:
        raise input_error("cluster", "vcov='cluster' needs a cluster variable", [])
    G = _n_clusters(codes[:2] if len(codes) == 3 else codes)
    if min(G) < 2:
        raise input_error(
            "cluster",
            "a cluster-robust covariance needs at least two clusters; the cluster variable has one level "
            "in the estimation sample",
            G,
            what="cluster counts",
        )
    M = cluster_meat(scores, codes)  # two-way: A + B - (A and B)
    g = min(G)
    k_c = k if k_cluster is None else k_cluster
    if convention != "linearmodels" and n - k_c <= 0:
        raise input_error("data", "no degrees of freedom n - k_c left for the cluster factor", [n - k_c], what="values")
    if convention == "linearmodels":
        factor = n / (n - k)
        df = None
    else:
        factor = g / (g - 1) * (n - 1) / (n - k_c)
        df = g - 1
    V = factor * bread @ M @ bread
    return Covariance(V, df, g, factor)
