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

from aichain_utils.econometrics import check_rank
from aichain_utils.errors import input_error
from aichain_utils.replication import models
from aichain_utils.replication.models import (
    CONTROLS,
    check_panel,
    check_roles,
    core_errors,
    require_columns,
    require_frame,
)

__all__ = ["SuestResult", "pooled_interaction_test", "suest_test", "wald_equal"]


def wald_equal(b: np.ndarray, V: np.ndarray) -> tuple[float, int, float]:
    """Wald test that all entries of ``b`` are equal, given their covariance ``V``.

    Returns
    -------
    chi2, df, p

    Raises
    ------
    AichainInputError
        ``b`` is not a 1-D array of at least two finite numbers; ``V`` is not a finite ``G x G``
        matrix; the covariance of the differences ``R V R'`` is singular (not positive definite:
        a difference without sampling variance cannot be tested).
    """
    b = np.asarray(b, dtype=float)
    V = np.asarray(V, dtype=float)
    if b.ndim != 1 or len(b) < 2 or not np.isfinite(b).all():
        raise input_error(
            "b", "must be a 1-D array of at least two finite coefficients", b.ravel().tolist(), what="values"
        )
    G = len(b)
    if V.shape != (G, G) or not np.isfinite(V).all():
        raise input_error("V", f"must be a finite {G} x {G} covariance matrix", [V.shape], what="shape")
    R = np.zeros((G - 1, G))
    R[:, 0] = 1.0
    R[np.arange(G - 1), np.arange(1, G)] = -1.0
    diff = R @ b
    D = R @ V @ R.T
    eig = np.linalg.eigvalsh((D + D.T) / 2)
    if not eig.min() > 1e-12 * max(eig.max(), 0.0):
        raise input_error(
            "V",
            "the covariance of the coefficient differences is singular (not positive definite)",
            eig.tolist(),
            what="eigenvalues",
        )
    chi2 = float(diff @ np.linalg.solve(D, diff))
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
    check_rank(X, [x, *controls], "regressors")
    yy = dm[y].to_numpy()
    beta = np.linalg.lstsq(X, yy, rcond=None)[0]
    u = yy - X @ beta
    XtX_inv = np.linalg.inv(X.T @ X)
    e = X @ XtX_inv[:, 0]  # FWL: b_x = e'y, e'e = [(X'X)^-1]_00
    k = X.shape[1] + sum(frame[a].nunique() for a in absorb) - (len(absorb) - 1)
    if not np.any(np.abs(u) > 1e-12 * max(1.0, float(np.abs(yy).max(initial=0.0)))):
        raise ValueError(f"'{y}' is fit exactly (zero residuals after the effects): {len(frame)} rows, {k} parameters")
    return float(beta[0]), e * u, k


def _group_checks(
    data: pd.DataFrame, group: str, levels, y: str, x: str, controls: list[str], ids: list[str], context: str
) -> tuple[list, pd.DataFrame]:
    """Arguments and panel of a cross-group test; returns the levels and the complete rows of the compared groups."""
    require_frame(data)
    if not isinstance(group, str):
        raise input_error("group", "must be a column name", [group], what="values")
    check_roles(x, y, controls, {"group": [group]})
    require_columns(data, [group], context)
    levels = list(levels) if levels is not None else sorted(data[group].dropna().unique())
    if len(set(levels)) < len(levels):
        raise input_error("levels", "names a group twice", levels, what="values")
    if len(levels) < 2:
        raise input_error(group, f"{context} compares at least two groups; it has {len(levels)}", levels, what="levels")
    present = set(data[group].dropna().unique())
    absent = [lv for lv in levels if lv not in present]
    if absent:
        raise input_error(group, f"{context}: the panel has no rows in the level(s) {absent}", absent, what="levels")
    frame = check_panel(data, [y, x, *controls], [i for i in ids if i != "row"], context, vary=[y, x])
    frame = frame[frame[group].isin(levels)]
    empty = [lv for lv in levels if not (frame[group] == lv).any()]
    if empty:
        raise input_error(group, f"{context}: no complete row in the level(s) {empty}", empty, what="levels")
    return levels, frame


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

    Raises
    ------
    AichainInputError
        ``group``, ``cluster``, an absorbed effect or a variable absent (also a ``KeyError``); fewer
        than two levels, a level named twice or without rows; a variable non-numeric, infinite or
        all missing; an id missing on a usable row; ``y`` or ``x`` constant; a group too small or
        with ``x`` without variation after its effects (collinear regressors or an exact fit,
        naming the group and column); fewer than two clusters; a singular joint covariance.
    """
    controls = list(controls or [])
    levels, _ = _group_checks(data, group, levels, y, x, controls, [*absorb, cluster], "the cross-group test (suest)")
    frame, _, _ = models.complete_cases(data, [y, x, *controls], "suest")
    frame = frame[frame[group].isin(levels)]
    coefs, ns = [], []
    psi = np.zeros((len(frame), len(levels)))
    index_pos = pd.Series(np.arange(len(frame)), index=frame.index)
    for g, level in enumerate(levels):
        part = frame[frame[group] == level]
        with core_errors(f"suest: group {level!r} of {group!r}", group):
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
        raise input_error(
            cluster,
            f"suest needs at least two clusters; {cluster!r} has {n_cl} among the compared groups",
            [n_cl],
            what="counts",
        )
    V = scores.T @ scores * n_cl / (n_cl - 1)
    coefs = np.asarray(coefs)
    with core_errors("suest"):
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

    Raises
    ------
    AichainInputError
        As :func:`suest_test` (the interacted design is checked for full column rank, naming the
        group's column that has no variation left).
    """
    controls = list(controls or [])
    levels, _ = _group_checks(
        data, group, levels, y, x, controls, ["unit_id", "year", cluster], "the pooled interaction test"
    )
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
    names = [f"{c}:{level}" for c in cols for level in levels]
    with core_errors("the pooled interaction test", group):
        check_rank(X, names, "group-interacted regressors")
        if frame[cluster].nunique() < 2:
            raise input_error(
                cluster, "the pooled interaction test needs at least two clusters", [frame[cluster].nunique()]
            )
    X = pd.DataFrame(X, index=frame.index, columns=names)
    Y = pd.Series(Y, index=frame.index, name=y)
    groups = {"groups": frame[cluster].to_numpy(), "use_correction": False}
    # one pseudo-inverse (statsmodels computes it for the covariance whatever the method; a QR would come on top);
    # the design has no constant column (every variable is demeaned within its group)
    res = sm.OLS(Y, X, hasconst=False).fit(method="pinv", cov_type="cluster", cov_kwds=groups)
    names = [f"{x}:{level}" for level in levels]
    constraints = [f"{names[0]} = {n}" for n in names[1:]]
    test = res.wald_test(", ".join(constraints), scalar=True, use_f=False)
    return res.params[names].to_numpy(), float(test.statistic), len(levels) - 1, float(test.pvalue)
