"""Input checks shared by the robustness module's public functions (the contract of issue 23).

Every check raises :class:`aichain_utils.errors.AichainInputError` (built with
:func:`aichain_utils.errors.input_error`) naming the argument or column, the rule and the offending
values or rows. The rules mirror what R ``sensemakr`` (``check_r2``, ``check_q``, ``check_alpha``,
``check_se``, ``check_dof``) and Stata ``psacalc`` (R_max <= 1, R_max >= R̃²) refuse; the
conventions appendix lists where this module refuses more than they do.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from aichain_utils.errors import input_error

#: A demeaned column whose norm is below this share of its raw (centred) norm, or whose part not
#: explained by the columns before it is, counts as constant within the fixed effects or collinear.
RANK_TOL = 1e-9


def scalar(name: str, value, *, low=None, high=None, low_open=False, high_open=False, integer=False) -> float:
    """A finite real number (an integer if ``integer``) within the given bounds; returned as float/int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise input_error(name, "must be a real number", [value], what="values")
    if integer and not float(value).is_integer():
        raise input_error(name, "must be a whole number", [value], what="values")
    v = float(value)
    if not np.isfinite(v):
        raise input_error(name, "must be finite (not NaN or infinite)", [value], what="values")
    bad_low = low is not None and (v <= low if low_open else v < low)
    bad_high = high is not None and (v >= high if high_open else v > high)
    if bad_low or bad_high:
        lo = "" if low is None else ("(" if low_open else "[") + f"{low}"
        hi = "" if high is None else f"{high}" + (")" if high_open else "]")
        if low is not None and high is not None:
            rule = f"must lie in {lo}, {hi}"
        elif low is not None:
            rule = f"must be {'>' if low_open else '>='} {low}"
        else:
            rule = f"must be {'<' if high_open else '<='} {high}"
        raise input_error(name, rule, [value], what="values")
    return int(v) if integer else v


def probability_or_nan(name: str, value) -> float:
    """A number in [0, 1] or NaN (a measure that is not available)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isnan(float(value)):
        return float("nan")
    return scalar(name, value, low=0.0, high=1.0)


def names(name: str, value) -> list[str]:
    """A list of column names (a lone string is refused: it would be read letter by letter)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise input_error(name, "must be a list of column names, not a single string", [value], what="values")
    out = list(value)
    bad = [v for v in out if not isinstance(v, str)]
    if bad:
        raise input_error(name, "every entry must be a column name (a string)", bad, what="values")
    return out


def distinct_roles(roles: Sequence[tuple[str, Sequence[str]]]) -> None:
    """Each column plays one role: the outcome, the regressor, a mediator and the controls are distinct.

    ``roles`` is a sequence of (argument name, columns); a column named twice (within one argument or
    across two) is refused, naming both arguments.
    """
    seen: dict[str, str] = {}
    for arg, cols in roles:
        for c in cols:
            if c in seen:
                where = arg if seen[c] == arg else f"{seen[c]} and {arg}"
                raise input_error(arg, f"column {c!r} appears twice ({where}); each column may play one role", [c],
                                  what="values")  # fmt: skip
            seen[c] = arg


def columns(data: pd.DataFrame, cols: Iterable[str], argument: str = "data", label: str = "the data") -> None:
    """Every column of ``cols`` is in ``data``."""
    if not isinstance(data, pd.DataFrame):
        raise input_error(argument, "must be a pandas DataFrame", [type(data).__name__], what="values")
    missing = [c for c in dict.fromkeys(cols) if c not in data.columns]
    if missing:
        raise input_error(argument, f"missing column(s): {label} lacks column(s) it needs", missing, what="columns")


def ids(frame: pd.DataFrame, cols: Iterable[str]) -> None:
    """Identifier columns (units, years, clusters, groups) have no missing values."""
    for c in dict.fromkeys(cols):
        bad = frame.index[frame[c].isna().to_numpy()]
        if len(bad):
            raise input_error(c, "identifier column must have no missing values", list(bad))


def finite(frame: pd.DataFrame, cols: Iterable[str]) -> None:
    """Numeric columns are numbers and not infinite (missing values are allowed: those rows are dropped)."""
    for c in dict.fromkeys(cols):
        if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]):
            raise input_error(c, "must be numeric", [str(frame[c].dtype)], what="dtype")
        bad = frame.index[np.isinf(frame[c].to_numpy(dtype=float))]
        if len(bad):
            raise input_error(c, "must be finite (infinite values found)", list(bad))


def nonempty(frame: pd.DataFrame, argument: str, minimum: int = 1, what: str = "complete rows") -> None:
    """At least ``minimum`` rows."""
    if len(frame) < minimum:
        raise input_error(argument, f"needs at least {minimum} {what}; has {len(frame)}", [len(frame)], what="count")


def groups(frame: pd.DataFrame, col: str, minimum: int = 2, why: str = "to cluster by it") -> int:
    """At least ``minimum`` distinct values of ``col``; returns their number."""
    g = int(frame[col].nunique())
    if g < minimum:
        raise input_error(col, f"needs at least {minimum} distinct values {why}; has {g}", [g], what="count")
    return g


def full_rank(demeaned: np.ndarray, raw: np.ndarray, cols: Sequence[str], where: str, absorbed: str = "") -> None:
    """The columns of a design after the fixed effects are removed are non-degenerate and not collinear.

    ``raw`` are the same columns before the fixed effects were removed (their centred norms give the
    scale). A column whose demeaned norm is below :data:`RANK_TOL` of its scale is constant within
    ``absorbed``; one whose part not explained by the columns before it is below that share is
    collinear with them. Either is refused, naming the column (a singular system would otherwise
    give a ``LinAlgError`` or a number from rounding noise).
    """
    raw = np.asarray(raw, float)
    scale = np.linalg.norm(raw - raw.mean(axis=0), axis=0)
    within = f"within {absorbed}" if absorbed else "in the sample"
    for j, c in enumerate(cols):
        if scale[j] == 0:
            raise input_error(c, f"is constant ({where}): its coefficient cannot be estimated", [c], what="columns")
    X = np.asarray(demeaned, float)
    norm = np.linalg.norm(X, axis=0)
    for j, c in enumerate(cols):
        if norm[j] <= RANK_TOL * scale[j]:
            raise input_error(
                c, f"does not vary {within} ({where}): its coefficient cannot be estimated", [c], what="columns"
            )
    if X.shape[1] > 1:
        r = np.abs(np.diag(np.linalg.qr(X / norm, mode="r")))
        for j, c in enumerate(cols):
            if r[j] <= np.sqrt(RANK_TOL):
                raise input_error(c, f"is collinear with {list(cols[:j])} {within} ({where})", [c], what="columns")
