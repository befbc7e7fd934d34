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
from scipy import stats

from aichain_utils.econometrics import cache, check_rank
from aichain_utils.econometrics.covariance import meat
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
) -> tuple[list, np.ndarray]:
    """Arguments and panel of a cross-group test; returns the levels and each row's group (its level's position).

    The group of a row is ``-1`` when its ``group`` is not a compared level; rows with a missing
    variable keep their group (the estimation drops them).
    """
    require_frame(data)
    if not isinstance(group, str):
        raise input_error("group", "must be a column name", [group], what="values")
    check_roles(x, y, controls, {"group": [group]})
    require_columns(data, [group], context)
    labels = data[group]
    levels = list(levels) if levels is not None else sorted(labels.dropna().unique())
    if len(set(levels)) < len(levels):
        raise input_error("levels", "names a group twice", levels, what="values")
    if len(levels) < 2:
        raise input_error(group, f"{context} compares at least two groups; it has {len(levels)}", levels, what="levels")
    member = _membership(labels.to_numpy(), levels)
    absent = [lv for g, lv in enumerate(levels) if not (member == g).any()]
    if absent:
        raise input_error(group, f"{context}: the panel has no rows in the level(s) {absent}", absent, what="levels")
    frame = check_panel(data, [y, x, *controls], [i for i in ids if i != "row"], context, vary=[y, x])
    complete = member if len(frame) == len(data) else member[_complete(data, [y, x, *controls])]
    empty = [lv for g, lv in enumerate(levels) if not (complete == g).any()]
    if empty:
        raise input_error(group, f"{context}: no complete row in the level(s) {empty}", empty, what="levels")
    return levels, member


def _complete(data: pd.DataFrame, variables: list[str]) -> np.ndarray:
    """Rows with every variable present (the complete cases), as a boolean array."""
    keep = np.ones(len(data), dtype=bool)
    for v in variables:
        keep &= data[v].notna().to_numpy()
    return keep


def _membership(labels: np.ndarray, levels: list) -> np.ndarray:
    """Each label's position among ``levels`` (``-1``: none), by one comparison per level (no pandas indexing)."""
    member = np.full(len(labels), -1, dtype=np.int8 if len(levels) < 127 else np.int64)
    for g, level in enumerate(levels):
        member[labels == level] = g
    return member


def _group_scores(
    data: pd.DataFrame,
    grouping: tuple[str, list, np.ndarray],
    y: str,
    x: str,
    controls: list[str],
    cluster: str,
    absorb: tuple[str, ...],
    context: str,
) -> tuple[np.ndarray, np.ndarray, int, list[int]]:
    """Each group's coefficient of ``x`` and the cross-group meat of their influence functions.

    ``grouping`` is the group column, its compared levels and each row's group (:func:`_membership`;
    ``-1``: not compared). Returns ``coefs, meat, n_clusters, ns``: ``meat`` is ``sum_c S_c S_c'``
    with ``S_c`` the influence functions summed within cluster ``c`` (within rows when
    ``cluster == "row"``), without any small-sample factor. Shared inside
    :func:`~aichain_utils.econometrics.cache.sharing` under the content of the columns it reads and
    of the rows' groups (:func:`suest_test` and :func:`pooled_interaction_test` compute it once);
    the arrays returned must not be changed.
    """
    group, levels, member = grouping
    variables = [y, x, *controls]
    others = list(dict.fromkeys([*absorb, *([] if cluster == "row" else [cluster])]))
    columns = list(dict.fromkeys([*variables, *others]))
    n_groups = len(levels)

    def compute():
        keep = (member >= 0) & _complete(data, variables)
        frame = data[columns]  # the columns first: no copy of a wide panel's other columns
        frame = frame if keep.all() else frame.loc[keep]
        rows_group = member[keep]
        coefs, ns = [], []
        psi = np.zeros((len(frame), n_groups))
        for g in range(n_groups):
            rows = rows_group == g
            with core_errors(f"{context}: group {levels[g]!r} of {group!r}", group):
                b, infl, _ = _influence(frame.loc[rows], y, x, controls, tuple(absorb))
            coefs.append(b)
            ns.append(int(rows.sum()))
            psi[rows, g] = infl
        if cluster == "row":
            return np.asarray(coefs), meat(psi, None), len(frame), ns
        codes, uniq = pd.factorize(frame[cluster])
        # the scores summed within clusters by bincount (covariance.meat): the sums np.add.at gives, in row order
        return np.asarray(coefs), meat(psi, codes), len(uniq), ns

    if cache.active() is None:
        return compute()
    key = (tuple(variables), tuple(absorb), cluster, cache.array_digest(member))
    return cache.memo("group scores", data, columns, key, compute)


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
    levels, member = _group_checks(
        data, group, levels, y, x, controls, [*absorb, cluster], "the cross-group test (suest)"
    )
    coefs, M, n_cl, ns = _group_scores(data, (group, levels, member), y, x, controls, cluster, tuple(absorb), "suest")
    if n_cl < 2:
        raise input_error(
            cluster,
            f"suest needs at least two clusters; {cluster!r} has {n_cl} among the compared groups",
            [n_cl],
            what="counts",
        )
    V = M * n_cl / (n_cl - 1)
    with core_errors("suest"):
        chi2, df, p = wald_equal(coefs, V)
    return SuestResult(list(map(str, levels)), coefs.copy(), V, chi2, df, p, cluster, list(ns))


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

    The pooled model demeans each group's variables by unit and year within the group
    (group-specific effects) and places them in block-diagonal columns; its cluster-robust
    covariance without small-sample factor (statsmodels' ``OLS`` with ``cov_type="cluster"``,
    ``use_correction=False``) and the Wald test of equal ``x`` coefficients (``use_f=False``). The
    design is block diagonal, so its coefficients are each group's own and the ``x`` rows of its
    covariance are the cluster sums of the groups' influence functions, those of :func:`suest_test`:
    the test is computed from them (shared with :func:`suest_test` inside
    :func:`~aichain_utils.econometrics.cache.sharing`), never from the stacked design. It equals
    :func:`suest_test`'s chi-squared times ``G / (G - 1)`` (``G`` clusters); the tests fit the stacked
    regression with statsmodels and compare.

    Returns
    -------
    coefs, chi2, df, p

    Raises
    ------
    AichainInputError
        As :func:`suest_test` (a group whose regressors have no variation left after its effects is
        named with the column).
    """
    controls = list(controls or [])
    levels, member = _group_checks(
        data, group, levels, y, x, controls, ["unit_id", "year", cluster], "the pooled interaction test"
    )
    grouping, absorb = (group, levels, member), ("unit_id", "year")
    coefs, M, n_cl, _ = _group_scores(data, grouping, y, x, controls, cluster, absorb, "the pooled interaction test")
    if n_cl < 2:
        raise input_error(cluster, "the pooled interaction test needs at least two clusters", [n_cl])
    with core_errors("the pooled interaction test", group):
        chi2, df, p = wald_equal(coefs, M)
    return coefs.copy(), chi2, df, p
