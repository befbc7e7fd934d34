"""Absorbed fixed effects: the within transformation and the degrees of freedom they use.

The degrees-of-freedom rules follow ``reghdfe`` (Correia 2016) and ``fixest`` (Bergé 2018):
the parameters an absorbed set of effects uses is the rank of ``[1, D_1, ..., D_m]`` (the
intercept and the effects' dummies); with clustered standard errors, effects *nested* in a
cluster variable (every level inside one cluster) are not counted (reghdfe, and fixest's
``fixef.K = "nested"``), because the cluster-robust covariance already allows for them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from aichain_utils.econometrics import cache
from aichain_utils.econometrics._data import (
    as_list,
    check_choice,
    check_columns,
    check_finite,
    check_ids,
    check_numeric,
    has_missing,
)
from aichain_utils.errors import input_error

__all__ = ["absorbed_dof", "demean", "demean_array", "demean_values", "is_nested"]


def demean(
    frame: pd.DataFrame,
    columns: list[str],
    groups: Sequence[str],
    tol: float = 1e-13,
    max_iter: int = 10_000,
    weights: np.ndarray | None = None,
) -> pd.DataFrame:
    """Remove group means of several crossed factors (alternating projections).

    Exact in one pass for one factor or a balanced two-way panel; iterates otherwise until the
    largest mean removed in a sweep, relative to its column's largest value (at least 1), is below
    ``tol`` (the method of alternating projections, as in ``reghdfe`` and ``fixest``). Used to
    absorb fixed effects. With ``weights`` the group means are weighted (the within transformation
    of weighted least squares).

    Raises
    ------
    AichainInputError
        A column or group is absent (``MissingColumnError``, also a ``KeyError``); a group id is
        missing; a column is not numeric or not finite (demeaning would spread a NaN or inf over
        its whole group); the weights are not positive and finite, one per row; the projections
        do not converge in ``max_iter`` sweeps (named, never a silent unconverged result).
    """
    columns = as_list(columns, "columns")
    values = demean_values(frame, columns, groups, tol, max_iter, weights)
    return pd.DataFrame(values, index=frame.index, columns=columns)


def demean_values(
    frame: pd.DataFrame,
    columns: list[str],
    groups: Sequence[str],
    tol: float = 1e-13,
    max_iter: int = 10_000,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`demean` as a numpy array (one column per name of ``columns``, column-major), no frame built.

    Raises
    ------
    AichainInputError
        As :func:`demean`.
    """
    columns, groups = as_list(columns, "columns"), as_list(groups, "groups")
    check_columns(frame, [*columns, *groups], {"columns": columns, "groups": groups})
    check_numeric(frame, columns)
    check_ids(frame, groups)
    if any(has_missing(frame, c) for c in columns):  # column by column: no copy of the columns
        bad = frame.index[frame[columns].isna().any(axis=1)]
        raise input_error(
            columns[0] if len(columns) == 1 else "columns", "must not be missing (drop those rows first)", list(bad)
        )
    check_finite(frame, columns)
    if cache.active() is None or not groups:
        return demean_array(frame[columns].to_numpy(dtype=float), frame, groups, tol, max_iter, weights)
    return _demean_shared(frame, columns, groups, tol, max_iter, weights)


def _demean_shared(frame, columns, groups, tol, max_iter, weights) -> np.ndarray:
    """:func:`demean_array` column by column, each column's result shared inside :func:`cache.sharing`.

    A column's demeaned values depend on its own values, the groups and the weights only (the
    projections converge column by column), so they are stored under the digests of those. The
    result is column-major, as a frame's ``to_numpy()`` is.
    """
    store = cache.active()
    effects = tuple(cache.column_digest(frame, g) for g in groups)
    w = None if weights is None else cache.array_digest(np.asarray(weights, dtype=float))
    out = np.empty((len(frame), len(columns)), order="F")
    projector = None
    for j, c in enumerate(columns):
        key = ("demean", cache.column_digest(frame, c), effects, w, tol, max_iter)
        found = store.lookup(key)
        if found is None:
            projector = projector or _projector(frame, groups, weights, max_iter)
            found = _demean_column(frame[c].to_numpy(dtype=float), projector, groups, tol, max_iter)
            store.put(key, found)
        out[:, j] = found
    return out


def demean_array(
    values: np.ndarray,
    frame: pd.DataFrame,
    groups: Sequence[str],
    tol: float = 1e-13,
    max_iter: int = 10_000,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`demean` for a numpy array whose rows are those of ``frame`` (which holds the groups).

    Raises
    ------
    AichainInputError
        ``values`` has not one row per row of ``frame``; bad weights; no convergence in ``max_iter``.
    """
    values = np.asarray(values, dtype=float)
    groups = list(groups)
    if values.ndim != 2 or len(values) != len(frame):
        raise input_error(
            "values", f"must be a 2-d array with one row per row of frame ({len(frame)})", [values.shape], what="shapes"
        )
    if not groups:
        return np.array(values, copy=True)
    projector = _projector(frame, groups, weights, max_iter)
    out = np.empty_like(values)
    for j in range(values.shape[1]):  # column by column: a column's result does not depend on the others
        out[:, j] = _demean_column(values[:, j], projector, groups, tol, max_iter)
    return out


def _projector(frame: pd.DataFrame, groups: list[str], weights, max_iter) -> tuple[list, list, np.ndarray | None]:
    """The groups' integer codes, their (weighted) counts and the weights, checked."""
    if not (isinstance(max_iter, (int, np.integer)) and max_iter >= 1):
        raise input_error("max_iter", "must be a positive integer", [max_iter], what="values")
    codes = [cache.codes(frame, g)[0] for g in groups]
    w = None if weights is None else np.asarray(weights, dtype=float)
    if w is not None and (w.shape != (len(frame),) or not np.isfinite(w).all() or (w <= 0).any()):
        raise input_error(
            "weights",
            "must be positive and finite, one per row",
            np.flatnonzero(~np.isfinite(w) | (w <= 0)).tolist() if w.shape == (len(frame),) else [w.shape],
        )
    counts = [np.bincount(c, weights=w) if w is not None else np.bincount(c).astype(float) for c in codes]
    return codes, counts, w


def _demean_column(values: np.ndarray, projector, groups, tol, max_iter) -> np.ndarray:
    """One column demeaned (a new contiguous array), or an error naming the groups if it does not converge."""
    codes, counts, w = projector
    # the tolerance is relative to the column's scale (at least 1): a sweep of a column in the
    # thousands cannot remove means below its own rounding error (about 1e-16 times its size)
    scale = max(float(np.abs(values).max()), 1.0) if values.size else 1.0
    column, change = _project(np.array(values, dtype=float, copy=True), codes, counts, w, scale, tol, max_iter)
    if column is not None:
        return column
    raise input_error(
        "max_iter",
        f"the alternating projections on {groups} did not converge in {max_iter} sweeps (last change "
        f"{change:.2e} > tol {tol:.0e}); raise max_iter or tol",
        [max_iter],
        what="values",
    )


def _project(v, codes, counts, w, scale, tol, max_iter):
    """Alternating projections of one column: ``(values, change)``, values ``None`` if not converged."""
    change = 0.0
    for _ in range(max_iter):
        change = 0.0
        for code, cnt in zip(codes, counts, strict=True):
            means = np.bincount(code, weights=v if w is None else w * v, minlength=len(cnt)) / cnt
            v -= means[code]
            change = max(change, float((np.abs(means) / scale).max()) if means.size else 0.0)
        if change < tol or len(codes) == 1:
            return v, change
    return None, change


def is_nested(frame: pd.DataFrame, inner: str, outer: str) -> bool:
    """True if every level of ``inner`` lies within a single level of ``outer``.

    Raises
    ------
    AichainInputError
        A column is absent (``MissingColumnError``) or has missing values.
    """
    check_columns(frame, [inner, outer], {"inner": [inner], "outer": [outer]})
    check_ids(frame, [inner, outer])
    if inner == outer:
        return True
    return cache.memo("nested", frame, [inner, outer], None, lambda: _nested(frame, inner, outer))


def _nested(frame: pd.DataFrame, inner: str, outer: str) -> bool:
    pairs = frame[[inner, outer]].drop_duplicates()
    return not pairs[inner].duplicated().any()


def _rank_two(frame: pd.DataFrame, a: str, b: str) -> int:
    """Rank of ``[D_a, D_b]``: levels of both minus the connected components of their bipartite graph."""
    ca, ua = cache.codes(frame, a)
    cb, ub = cache.codes(frame, b)
    n = len(ua) + len(ub)
    graph = coo_matrix((np.ones(len(ca)), (ca, cb + len(ua))), shape=(n, n))
    n_comp, _ = connected_components(graph, directed=False)
    return len(ua) + len(ub) - n_comp


def absorbed_dof(
    frame: pd.DataFrame, absorb: Sequence[str], clusters: Sequence[str] = (), convention: str = "stata"
) -> int:
    """Parameters used by the intercept and the absorbed effects.

    Parameters
    ----------
    frame : DataFrame
        The estimation sample.
    absorb : sequence of str
        Absorbed effects (may be empty: then 1, the intercept).
    clusters : sequence of str
        Cluster variables; effects nested in any of them are not counted.
    convention : {"stata", "fixest", "linearmodels"}
        ``"stata"`` (reghdfe; ``xtreg, fe`` for one effect): rank of ``[1, D]`` for the
        non-nested effects. ``"fixest"``: rank of all effects minus, for each nested one,
        its levels less one (fixest's ``fixef.K = "nested"``, which adds one back per fully
        nested effect). ``"linearmodels"``: every effect counted, nested or not.

    Notes
    -----
    The rank is exact for one or two effects (connected components of the bipartite graph of
    levels); for three or more it is ``levels_1 + sum_j (levels_j - 1)``, exact when every
    further effect is connected to the first, as in a panel with unit, time and a third effect.

    Raises
    ------
    AichainInputError
        Unknown ``convention``; an effect or cluster column absent (``MissingColumnError``) or
        with missing values.
    """
    check_choice("convention", convention, ("stata", "fixest", "linearmodels"))
    absorb, clusters = as_list(absorb, "absorb"), as_list(clusters, "clusters")
    check_columns(frame, [*absorb, *clusters], {"absorb": absorb, "clusters": clusters})
    check_ids(frame, [*absorb, *clusters])
    key = (len(absorb), convention)
    return cache.memo("dof", frame, [*absorb, *clusters], key, lambda: _dof(frame, absorb, clusters, convention))


def _dof(frame: pd.DataFrame, absorb: list[str], clusters: list[str], convention: str) -> int:
    """:func:`absorbed_dof` after its checks."""
    nested = [e for e in absorb if any(is_nested(frame, e, c) for c in clusters)]
    if convention == "linearmodels":
        nested = []
    keep = [e for e in absorb if e not in nested]

    def rank(effects: list[str]) -> int:
        if not effects:
            return 1
        if len(effects) == 1:
            return len(cache.codes(frame, effects[0])[1])
        r = _rank_two(frame, effects[0], effects[1])
        return r + sum(len(cache.codes(frame, e)[1]) - 1 for e in effects[2:])

    if convention == "fixest":
        return rank(absorb) - sum(len(cache.codes(frame, e)[1]) - 1 for e in nested) if absorb else 1
    return rank(keep)
