"""Subsample regressions and the cross-group test of equal coefficients (Tables 7-9).

Stata's ``suest`` (seemingly unrelated estimation) stacks separately estimated models and
computes one cluster-robust covariance matrix for all their coefficients from the stacked
scores, so coefficients of different models can be compared with a Wald test. Here each
group's model is equation (1) estimated on that group alone (unit and year effects, controls);
the AIE coefficient of group g has the influence function ``psi_i = e_i u_i / (e'e)`` (e: AIE
residualised on the controls and effects within the group, u: the residual); summing
``psi`` within clusters across all groups gives the joint covariance of the group
coefficients, and ``H0: b_1 = ... = b_G`` is tested with ``chi2(G - 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from aichain_utils import models
from aichain_utils.models import CONTROLS

__all__ = ["SuestResult", "pooled_interaction_test", "suest_test", "wald_equal"]


def wald_equal(b: np.ndarray, V: np.ndarray) -> tuple[float, int, float]:
    """Wald test that all entries of ``b`` are equal, given their covariance ``V``.

    Returns
    -------
    chi2, df, p
    """
    b = np.asarray(b, dtype=float)
    G = len(b)
    R = np.zeros((G - 1, G))
    R[:, 0] = 1.0
    R[np.arange(G - 1), np.arange(1, G)] = -1.0
    diff = R @ b
    chi2 = float(diff @ np.linalg.solve(R @ V @ R.T, diff))
    return chi2, G - 1, float(stats.chi2.sf(chi2, G - 1))


@dataclass
class SuestResult:
    """Group coefficients, their joint covariance and the equality test."""

    groups: list[str]
    coefs: np.ndarray
    cov: np.ndarray
    chi2: float
    df: int
    p: float
    cluster: str
    n: list[int]


def _influence(
    frame: pd.DataFrame, y: str, x: str, controls: list[str], absorb: tuple[str, ...] = ("unit_id", "year")
) -> tuple[float, np.ndarray, int]:
    cols = [y, x, *controls]
    dm = models.demean(frame, cols, list(absorb))
    X = dm[[x, *controls]].to_numpy()
    yy = dm[y].to_numpy()
    beta = np.linalg.lstsq(X, yy, rcond=None)[0]
    u = yy - X @ beta
    XtX_inv = np.linalg.inv(X.T @ X)
    e = X @ XtX_inv[:, 0]  # FWL: b_x = e'y, e'e = [(X'X)^-1]_00
    k = X.shape[1] + sum(frame[a].nunique() for a in absorb) - (len(absorb) - 1)
    return float(beta[0]), e * u, k


def suest_test(
    data: pd.DataFrame,
    group: str,
    levels: list[str] | None = None,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    cluster: str = "unit_id",
    absorb: tuple[str, ...] = ("unit_id", "year"),
) -> SuestResult:
    """Cross-group test of equal AIE coefficients, as Stata's ``suest`` computes it.

    Parameters
    ----------
    data : DataFrame
        The analysis panel.
    group : str
        Column defining the groups (e.g. ``"industry_type"``).
    levels : list of str, optional
        The groups to compare (default: all levels of ``group``).
    cluster : str
        Cluster variable of the joint covariance (``"unit_id"`` or ``"industry_id"``);
        ``suest``'s default is observation-level robust, which ``cluster="row"`` gives.
    absorb : tuple of str
        Effects absorbed within each group's model (default: unit and year).

    Only the rows of the compared groups enter the joint covariance and its small-sample
    factor ``G / (G - 1)`` (``G``: clusters among those rows), as ``suest`` run on the
    estimates of those groups computes it; one cluster is an error.

    Returns
    -------
    SuestResult
    """
    controls = list(controls or [])
    levels = list(levels) if levels is not None else sorted(data[group].dropna().unique())
    frame, _, _ = models.complete_cases(data, [y, x, *controls], "suest")
    frame = frame[frame[group].isin(levels)]
    coefs, ns = [], []
    psi = np.zeros((len(frame), len(levels)))
    index_pos = pd.Series(np.arange(len(frame)), index=frame.index)
    for g, level in enumerate(levels):
        part = frame[frame[group] == level]
        b, infl, _ = _influence(part, y, x, controls, tuple(absorb))
        coefs.append(b)
        ns.append(len(part))
        psi[index_pos.loc[part.index].to_numpy(), g] = infl
    if cluster == "row":
        scores = psi
        n_cl = len(frame)
    else:
        codes, uniq = pd.factorize(frame[cluster])
        scores = np.zeros((len(uniq), len(levels)))
        np.add.at(scores, codes, psi)
        n_cl = len(uniq)
    if n_cl < 2:
        raise ValueError(f"suest needs at least two clusters; {cluster!r} has {n_cl} among the compared groups")
    V = scores.T @ scores * n_cl / (n_cl - 1)
    coefs = np.asarray(coefs)
    chi2, df, p = wald_equal(coefs, V)
    return SuestResult(list(map(str, levels)), coefs, V, chi2, df, p, cluster, ns)


def pooled_interaction_test(
    data: pd.DataFrame,
    group: str,
    levels: list[str] | None = None,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    cluster: str = "unit_id",
) -> tuple[np.ndarray, float, int, float]:
    """The same equality test from one pooled model with every coefficient interacted by group.

    Each group's variables are demeaned by unit and year within the group (group-specific
    effects), placed in block-diagonal columns and fitted by statsmodels OLS with a
    cluster-robust covariance; the Wald test is statsmodels' own. The group coefficients are
    identical to :func:`suest_test`'s and the test agrees up to small-sample factors.

    Returns
    -------
    coefs, chi2, df, p
    """
    controls = list(controls or [])
    levels = list(levels) if levels is not None else sorted(data[group].dropna().unique())
    frame, _, _ = models.complete_cases(data, [y, x, *controls], "interaction test")
    frame = frame[frame[group].isin(levels)]
    cols = [x, *controls]
    X = np.zeros((len(frame), len(cols) * len(levels)))  # columns f"{c}:{level}", c-major
    Y = np.empty(len(frame))
    for g, level in enumerate(levels):
        rows = (frame[group] == level).to_numpy()
        dm = models.demean(frame.loc[rows], [y, *cols], ["unit_id", "year"]).to_numpy()
        Y[rows] = dm[:, 0]
        for j in range(len(cols)):
            X[rows, j * len(levels) + g] = dm[:, 1 + j]
    X = pd.DataFrame(X, index=frame.index, columns=[f"{c}:{level}" for c in cols for level in levels])
    Y = pd.Series(Y, index=frame.index, name=y)
    groups = {"groups": frame[cluster].to_numpy(), "use_correction": False}
    res = sm.OLS(Y, X).fit(method="qr", cov_type="cluster", cov_kwds=groups)  # QR: no n-by-k pseudo-inverse
    names = [f"{x}:{level}" for level in levels]
    constraints = [f"{names[0]} = {n}" for n in names[1:]]
    test = res.wald_test(", ".join(constraints), scalar=True, use_f=False)
    return res.params[names].to_numpy(), float(test.statistic), len(levels) - 1, float(test.pvalue)
