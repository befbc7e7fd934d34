"""Input checks shared by every estimator: named columns, ids, duplicates, complete cases, rank.

This is the contract of :mod:`aichain_utils.econometrics` (see :mod:`aichain_utils.errors`): every
check raises :class:`~aichain_utils.errors.AichainInputError` (a ``ValueError``) naming the argument
or column, the rule and the offending rows. A missing column raises :class:`MissingColumnError`
(also a ``KeyError``), a non-integer time column :class:`TimeColumnError` (also a ``TypeError``),
so older ``except KeyError``/``except TypeError`` handlers keep working.

Missing values follow one documented rule, listwise deletion: rows with a missing *variable*
(outcome, regressor, control, instrument, weight) are dropped and the drop is reported in the
result's ``notes`` and ``dropped``; a missing *identifier* (absorbed effect, dummy factor, cluster,
entity, time) is an error, and an infinite value anywhere is an error (it is not missing, it is wrong).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from aichain_utils.econometrics import cache
from aichain_utils.errors import AichainInputError, input_error

__all__ = [
    "MissingColumnError",
    "TimeColumnError",
    "as_list",
    "check_choice",
    "check_columns",
    "check_finite",
    "check_ids",
    "check_rank",
    "check_roles",
    "check_time",
    "check_unique_panel",
    "complete_cases",
    "drop_singletons",
    "has_infinite",
    "has_missing",
]


class MissingColumnError(AichainInputError, KeyError):
    """A named column is not in the data (an :class:`AichainInputError` that is also a ``KeyError``)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class TimeColumnError(AichainInputError, TypeError):
    """The time column is not integer-valued (an :class:`AichainInputError` that is also a ``TypeError``)."""


def _recast(cls: type[AichainInputError], err: AichainInputError) -> AichainInputError:
    return cls(str(err), argument=err.argument, rule=err.rule, offending=err.offending)


def as_list(value: str | Iterable[str] | None, argument: str = "columns") -> list[str]:
    """``None`` -> ``[]``, a string -> ``[string]``, any other iterable -> list.

    Raises
    ------
    AichainInputError
        If ``value`` is neither ``None``, a string nor an iterable of column labels.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise input_error(argument, "must be a column name or a list of column names", [value], what="values")
    out = list(value)
    bad = [v for v in out if v is None or isinstance(v, (list, tuple, dict, set, float))]
    if bad:
        raise input_error(argument, "every entry must be a column name", bad, what="values")
    return out


def _rows(index: pd.Index, limit: int = 5) -> str:
    shown = ", ".join(map(str, list(index[:limit])))
    more = f" and {len(index) - limit:,} more" if len(index) > limit else ""
    return f"[{shown}{more}]"


def check_choice(argument: str, value, choices: Sequence) -> None:
    """Raise :class:`AichainInputError` unless ``value`` is one of ``choices``."""
    if not any(value is c or (type(value) is type(c) and value == c) for c in choices):
        raise input_error(argument, f"must be one of {list(choices)}", [value], what="values")


def check_columns(data: pd.DataFrame, columns: Sequence[str], roles: Mapping[str, Sequence[str]] | None = None) -> None:
    """Raise :class:`MissingColumnError` naming the columns ``data`` lacks (and their argument).

    Parameters
    ----------
    data : DataFrame
    columns : sequence of str
        Columns that must exist.
    roles : mapping, optional
        Argument name -> the columns given for it, so the message names the argument.

    Raises
    ------
    AichainInputError
        ``data`` is not a DataFrame, or has duplicated column labels among ``columns``.
    MissingColumnError
        A column is absent (also a ``KeyError``).
    """
    if not isinstance(data, pd.DataFrame):
        raise input_error("data", "must be a pandas DataFrame", [type(data).__name__], what="types")
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    if missing:
        argument, user_name = "columns", None
        for role, cols in (roles or {}).items():
            if any(c in missing for c in cols):
                argument, user_name = role, (str(cols[0]) if len(cols) == 1 else None)
                break
        available = sorted(map(str, data.columns))[:20]
        more = " ..." if len(data.columns) > 20 else ""
        raise _recast(
            MissingColumnError,
            input_error(
                argument,
                f"the data have no column(s) {missing} (available: {available}{more})",
                missing,
                what="columns",
                user_name=user_name,
            ),
        )
    if data.columns.is_unique:  # cached by pandas: no comparison of every label with every column
        return
    dup = [c for c in dict.fromkeys(columns) if (data.columns == c).sum() > 1]
    if dup:
        raise input_error("data", "column labels must be unique", dup, what="columns")


def check_roles(roles: Mapping[str, Sequence[str]], exclusive: Sequence[str]) -> None:
    """Each column may play one of the ``exclusive`` roles once (no regressor repeated among the controls).

    Raises
    ------
    AichainInputError
        A column listed twice in one argument, or in two of the ``exclusive`` arguments
        (e.g. the regressor of interest among the controls, the outcome among the regressors,
        an endogenous regressor among the instruments).
    """
    seen: dict[str, str] = {}
    for role in exclusive:
        cols = list(roles.get(role, []))
        twice = sorted({c for c in cols if cols.count(c) > 1}, key=str)
        if twice:
            raise input_error(role, "lists a column more than once", twice, what="columns")
        for c in cols:
            if c in seen:
                raise input_error(
                    role,
                    f"must not repeat a column already given as '{seen[c]}' (it would enter twice)",
                    [c],
                    what="columns",
                )
            seen[c] = role


def check_numeric(data: pd.DataFrame, columns: Sequence[str]) -> None:
    """Variables must be numeric (or boolean); an object or string column is named.

    Raises
    ------
    AichainInputError
    """
    for c in dict.fromkeys(columns):
        if not (pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c])):
            raise input_error(c, f"must be numeric; it has dtype {data[c].dtype}", [], what="values")


def check_finite(data: pd.DataFrame, columns: Sequence[str]) -> None:
    """No infinite values: an infinite outcome or regressor is an error naming its rows (never silent NaN).

    Raises
    ------
    AichainInputError
    """
    for c in dict.fromkeys(columns):
        if not has_infinite(data, c):
            continue
        values = data[c].to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(values)
        if bad.any():
            raise input_error(
                c, "must be finite (missing values are dropped listwise; infinite ones are not)", list(data.index[bad])
            )


def has_infinite(data: pd.DataFrame, column: str) -> bool:
    """Whether ``data[column]`` holds an infinite value (checked once per column content inside ``cache.sharing``)."""
    return cache.column_memo(
        "has infinite", data, column, lambda: bool(np.isinf(data[column].to_numpy(dtype=float, na_value=np.nan)).any())
    )


def has_missing(data: pd.DataFrame, column: str) -> bool:
    """Whether ``data[column]`` has a missing value (checked once per column content inside ``cache.sharing``)."""
    return cache.column_memo("has missing", data, column, lambda: bool(data[column].isna().to_numpy().any()))


def check_ids(data: pd.DataFrame, ids: Sequence[str]) -> None:
    """Identifier columns (entity, time, clusters, absorbed effects) may not be missing.

    A missing id cannot be assigned to a group; dropping the row silently would change the
    sample, so the rows are named instead.

    Raises
    ------
    AichainInputError
        Naming the column and the rows where it is missing.
    """
    for col in dict.fromkeys(ids):
        bad = data[col].isna()
        if bad.any():
            rule = "an identifier may not be missing; fill or drop those rows before estimating"
            raise AichainInputError(
                f"identifier column {col!r} is missing in {int(bad.sum()):,} row(s) {_rows(data.index[bad])}; "
                "fill or drop them before estimating",
                argument=col,
                rule=rule,
                offending=list(data.index[bad]),
            )


def check_time(data: pd.DataFrame, time: str) -> None:
    """The time column must be integer-valued (years, periods): differences and lags need it.

    Raises
    ------
    TimeColumnError
        (an :class:`AichainInputError` and a ``TypeError``) naming the dtype or the rows.
    """
    values = data[time]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise TimeColumnError(
            f"time column {time!r} has dtype {values.dtype}; it must be integer-valued "
            f"(convert it, e.g. data[{time!r}].astype(int))",
            argument=time,
            rule="must be integer-valued",
        )
    if pd.api.types.is_integer_dtype(values):  # integer-valued by its type
        return
    v = values.dropna().to_numpy(dtype=float)
    if len(v) and not np.all(np.isfinite(v) & (v == np.rint(v))):
        bad = data.index[values.notna() & ~(np.isfinite(values) & (values == np.round(values)))]
        raise TimeColumnError(
            f"time column {time!r} has non-integer values in rows {_rows(bad)}",
            argument=time,
            rule="must be integer-valued",
            offending=list(bad),
        )


def check_unique_panel(data: pd.DataFrame, entity: str, time: str) -> None:
    """Each (entity, time) pair may occur once: a duplicated unit-year would be used twice.

    Raises
    ------
    AichainInputError
        Naming the duplicated pairs and rows.
    """
    if not cache.memo("duplicated", data, [entity, time], None, lambda: bool(data.duplicated([entity, time]).any())):
        return
    dup = data.duplicated([entity, time], keep=False)
    if dup.any():
        pairs = data.loc[dup, [entity, time]].drop_duplicates().head(5)
        listed = ", ".join(f"({e}, {t})" for e, t in pairs.itertuples(index=False))
        raise AichainInputError(
            f"{int(dup.sum()):,} rows share an ({entity}, {time}) pair with another row, e.g. {listed}; "
            f"rows {_rows(data.index[dup])}. Each unit-period must occur once",
            argument=entity,
            rule="each (entity, time) pair must occur once",
            offending=list(data.index[dup]),
        )


def complete_cases(data: pd.DataFrame, columns: Sequence[str], context: str) -> tuple[pd.DataFrame, int, list[str]]:
    """Rows with no missing value in ``columns``, and a note of how many were dropped and why.

    This is the package's one rule for missing variables: listwise deletion, reported.

    Returns
    -------
    frame, dropped, notes

    Raises
    ------
    AichainInputError
        ``data`` is not a DataFrame; a column is absent (:class:`MissingColumnError`).
    """
    columns = list(dict.fromkeys(as_list(columns, "columns")))
    check_columns(data, columns)
    # column by column: no copy of the columns (a frame of them would be taken first)
    missing = [data[c].isna().to_numpy() for c in columns if has_missing(data, c)]
    bad = np.logical_or.reduce(missing) if missing else np.zeros(len(data), dtype=bool)
    notes = []
    if bad.any():
        counts = {c: int(data[c].isna().sum()) for c in columns}
        why = ", ".join(f"{c} missing in {k:,}" for c, k in counts.items() if k)
        notes.append(f"{context}: dropped {int(bad.sum()):,} of {len(data):,} rows ({why})")
    # copy-on-write (pandas >= 3): the frame returned shares memory with ``data`` until either is changed
    return (data.loc[~bad] if bad.any() else data.copy(deep=False)), int(bad.sum()), notes


def drop_singletons(frame: pd.DataFrame, absorb: Sequence[str], context: str) -> tuple[pd.DataFrame, list[str]]:
    """Drop, iteratively, rows alone in a level of an absorbed effect (``reghdfe``'s default).

    A singleton's absorbed effect fits it exactly: it changes no coefficient but counts as an
    observation and uses one degree of freedom, which shifts the small-sample factors (Correia
    2015, "Singletons, cluster-robust standard errors and fixed effect bias"). Dropping one
    singleton can create another, so this repeats until none is left, as ``reghdfe`` does.

    Returns
    -------
    frame, notes
    """
    absorb = list(absorb)
    keep = np.ones(len(frame), dtype=bool)
    codes = [cache.codes(frame, a)[0] for a in absorb]
    while True:
        alone = np.zeros(len(frame), dtype=bool)
        for c in codes:
            counts = np.bincount(c[keep], minlength=int(c.max()) + 1 if len(c) else 0)
            alone |= keep & (counts[c] == 1)
        if not alone.any():
            break
        keep &= ~alone
    n_drop = int((~keep).sum())
    notes = [f"{context}: dropped {n_drop:,} singleton observation(s) of {absorb} (reghdfe's rule)"] if n_drop else []
    return frame.loc[keep], notes


def check_rank(
    X: np.ndarray,
    names: Sequence[str],
    context: str = "regressors",
    tol: float = 1e-10,
    absorb: Sequence[str] = (),
    gram: np.ndarray | None = None,
) -> None:
    """Raise :class:`AichainInputError` naming the columns that are constant or collinear with earlier ones.

    Columns are checked in order with a pivoting-free Gram-Schmidt on the scaled matrix, so the
    message names, for each redundant column, that it is (numerically) a combination of the
    columns before it; a column that is zero after the fixed effects are removed (a constant or
    a variable that does not vary within the absorbed groups, e.g. a treatment constant within
    units under unit effects) is named as such, with the effects.

    ``gram``, ``X'X`` when the caller has it, spares the fast path its passes over the rows of ``X``
    (a finite ``X'X`` implies a finite ``X``: its diagonal sums every squared entry).

    Raises
    ------
    AichainInputError
        ``X`` is not a finite 2-d array with one name per column, or its columns are collinear.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != len(names):
        raise input_error("names", f"must name every column of X ({X.shape} given, {len(names)} names)", list(names))
    if X.shape[1] == 0:
        return
    if gram is not None and np.isfinite(gram).all() and _clearly_full_rank(X, np.sqrt(np.diag(gram)), tol, gram):
        return
    if not np.isfinite(X).all():
        raise input_error(context, "must be finite", np.unique(np.nonzero(~np.isfinite(X))[0]).tolist())
    scale = np.sqrt(np.einsum("ij,ij->j", X, X))  # column norms without a squared copy of X
    if _clearly_full_rank(X, scale, tol):
        return
    problems, bad = [], []
    basis: list[np.ndarray] = []
    where = f" (it does not vary within the levels of the absorbed {list(absorb)})" if absorb else ""
    for j, name in enumerate(names):
        if scale[j] <= tol * max(1.0, np.sqrt(len(X))):
            problems.append(f"{name!r} is zero after removing the constant/fixed effects (no variation left){where}")
            bad.append(name)
            continue
        v = X[:, j] / scale[j]
        for q in basis:
            v = v - (q @ v) * q
        norm = np.sqrt(v @ v)
        if norm < 1e-7:
            problems.append(f"{name!r} is a linear combination of {list(names[:j])}")
            bad.append(name)
        else:
            basis.append(v / norm)
    if problems:
        raise AichainInputError(
            f"the {context} are collinear: " + "; ".join(problems) + ". Drop the named column(s)",
            argument=str(bad[0]),
            rule="must have full column rank (no constant or collinear column)",
            offending=bad,
        )


def _clearly_full_rank(
    X: np.ndarray, scale: np.ndarray, tol: float, gram: np.ndarray | None = None, margin: float = 1e-4
) -> bool:
    """True when the scaled columns are far from the rank check's thresholds (the fast path).

    The Cholesky factor of the scaled cross-product ``R'R = X_s'X_s`` has on its diagonal the norm of each
    scaled column after removing the columns before it, the quantity :func:`check_rank` compares with
    1e-7. When every such norm exceeds ``margin`` (rounding in the cross-product is of the order of
    1e-13), the column-by-column check would find nothing, so it is skipped; any other case (a small
    norm, a failed factorisation) runs the full check, which names the columns.
    """
    if (scale <= tol * max(1.0, np.sqrt(len(X)))).any():
        return False
    try:  # the scaled cross-product from the unscaled one: no scaled copy of a long X
        R = np.linalg.cholesky((X.T @ X if gram is None else gram) / np.outer(scale, scale))
    except np.linalg.LinAlgError:
        return False
    return bool(np.all(np.diag(R) > margin))
