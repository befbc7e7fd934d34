"""Input checks shared by every estimator: named columns, ids, duplicates, complete cases, rank.

Every function raises a clear error naming the column, the rule and the offending rows;
nothing is dropped or coerced silently (rows with a missing *variable* are dropped and the
drop is reported; a missing *identifier* is an error).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "as_list",
    "check_columns",
    "check_ids",
    "check_rank",
    "check_time",
    "check_unique_panel",
    "complete_cases",
]


def as_list(value: str | Iterable[str] | None) -> list[str]:
    """``None`` -> ``[]``, a string -> ``[string]``, any other iterable -> list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _rows(index: pd.Index, limit: int = 5) -> str:
    shown = ", ".join(map(str, list(index[:limit])))
    more = f" and {len(index) - limit:,} more" if len(index) > limit else ""
    return f"[{shown}{more}]"


def check_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise ``KeyError`` naming the columns ``data`` lacks."""
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    if missing:
        raise KeyError(f"the data have no column(s) {missing}; available: {sorted(map(str, data.columns))[:20]} ...")


def check_ids(data: pd.DataFrame, ids: Sequence[str]) -> None:
    """Identifier columns (entity, time, clusters, absorbed effects) may not be missing.

    A missing id cannot be assigned to a group; dropping the row silently would change the
    sample, so the rows are named instead.
    """
    for col in dict.fromkeys(ids):
        bad = data[col].isna()
        if bad.any():
            raise ValueError(
                f"identifier column {col!r} is missing in {int(bad.sum()):,} row(s) {_rows(data.index[bad])}; "
                "fill or drop them before estimating"
            )


def check_time(data: pd.DataFrame, time: str) -> None:
    """The time column must be integer-valued (years, periods): differences and lags need it."""
    values = data[time]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise TypeError(
            f"time column {time!r} has dtype {values.dtype}; it must be integer-valued "
            f"(convert it, e.g. data[{time!r}].astype(int))"
        )
    v = values.dropna().to_numpy(dtype=float)
    if len(v) and not np.all(v == np.round(v)):
        bad = data.index[values.notna() & (values != np.round(values))]
        raise TypeError(f"time column {time!r} has non-integer values in rows {_rows(bad)}")


def check_unique_panel(data: pd.DataFrame, entity: str, time: str) -> None:
    """Each (entity, time) pair may occur once: a duplicated unit-year would be used twice."""
    dup = data.duplicated([entity, time], keep=False)
    if dup.any():
        pairs = data.loc[dup, [entity, time]].drop_duplicates().head(5)
        listed = ", ".join(f"({e}, {t})" for e, t in pairs.itertuples(index=False))
        raise ValueError(
            f"{int(dup.sum()):,} rows share an ({entity}, {time}) pair with another row, e.g. {listed}; "
            f"rows {_rows(data.index[dup])}. Each unit-period must occur once"
        )


def complete_cases(data: pd.DataFrame, columns: Sequence[str], context: str) -> tuple[pd.DataFrame, int, list[str]]:
    """Rows with no missing value in ``columns``, and a note of how many were dropped and why.

    Returns
    -------
    frame, dropped, notes
    """
    columns = list(dict.fromkeys(columns))
    missing = data[columns].isna()
    bad = missing.any(axis=1)
    notes = []
    if bad.any():
        by_col = missing.sum()
        why = ", ".join(f"{c} missing in {int(k):,}" for c, k in by_col.items() if k)
        notes.append(f"{context}: dropped {int(bad.sum()):,} of {len(data):,} rows ({why})")
    # copy-on-write (pandas >= 3): the frame returned shares memory with ``data`` until either is changed
    return (data.loc[~bad] if bad.any() else data.copy(deep=False)), int(bad.sum()), notes


def check_rank(X: np.ndarray, names: Sequence[str], context: str = "regressors", tol: float = 1e-10) -> None:
    """Raise ``ValueError`` naming the columns that are constant or collinear with earlier ones.

    Columns are checked in order with a pivoting-free Gram-Schmidt on the scaled matrix, so the
    message names, for each redundant column, that it is (numerically) a combination of the
    columns before it; a column that is zero after the fixed effects are removed (a constant or
    a variable that does not vary within the absorbed groups) is named as such.
    """
    X = np.asarray(X, dtype=float)
    if X.shape[1] == 0:
        return
    scale = np.sqrt((X**2).sum(axis=0))
    if _clearly_full_rank(X, scale, tol):
        return
    problems = []
    basis: list[np.ndarray] = []
    for j, name in enumerate(names):
        if scale[j] <= tol * max(1.0, np.sqrt(len(X))):
            problems.append(f"{name!r} is zero after removing the constant/fixed effects (no variation left)")
            continue
        v = X[:, j] / scale[j]
        for q in basis:
            v = v - (q @ v) * q
        norm = np.sqrt(v @ v)
        if norm < 1e-7:
            problems.append(f"{name!r} is a linear combination of {list(names[:j])}")
        else:
            basis.append(v / norm)
    if problems:
        raise ValueError(f"the {context} are collinear: " + "; ".join(problems) + ". Drop the named column(s)")


def _clearly_full_rank(X: np.ndarray, scale: np.ndarray, tol: float, margin: float = 1e-4) -> bool:
    """True when the scaled columns are far from the rank check's thresholds (the fast path).

    The Cholesky factor of the scaled cross-product ``R'R = X_s'X_s`` has on its diagonal the norm of each
    scaled column after removing the columns before it, the quantity :func:`check_rank` compares with
    1e-7. When every such norm exceeds ``margin`` (rounding in the cross-product is of the order of
    1e-13), the column-by-column check would find nothing, so it is skipped; any other case (a small
    norm, a failed factorisation) runs the full check, which names the columns.
    """
    if (scale <= tol * max(1.0, np.sqrt(len(X)))).any():
        return False
    Xs = X / scale
    try:
        R = np.linalg.cholesky(Xs.T @ Xs)
    except np.linalg.LinAlgError:
        return False
    return bool(np.all(np.diag(R) > margin))
