"""What two-way fixed effects do with a continuous treatment: de Chaisemartin & D'Haultfœuille weights.

Under parallel trends, the two-way FE coefficient on AIE is a weighted sum of the unit-year effects
of AIE, ``beta = sum_{g,t} w_gt Delta_gt`` (de Chaisemartin & D'Haultfœuille 2020, Theorem 1 and its
continuous-treatment extension). With ``e_gt`` the residual of AIE on the unit and year effects (and
the controls), ``w_gt = e_gt D_gt / sum e D``: the weights sum to one, and every unit-year whose AIE is
below what its unit and year predict gets a *negative* weight. Many or large negative weights mean the
coefficient can have the wrong sign even when every unit-year effect is positive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aichain_utils.errors import input_error
from aichain_utils.robustness import _checks as check
from aichain_utils.robustness._linalg import demean_columns, single_threaded_blas, solve_checked

__all__ = ["sigma_fe", "sigma_fe_sign", "stayers", "twfe_weights"]


@single_threaded_blas
def twfe_weights(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = None,
    entity: str = "unit_id",
    time: str = "year",
) -> dict:
    """The weights attached to the two-way FE coefficient (``type="feTR"`` of ``twowayfeweights``).

    Returns
    -------
    dict
        * ``beta``: the two-way FE coefficient β_fe;
        * ``n_weights``, ``n_negative``, ``sum_negative``, ``sum_positive``, ``share_negative``: the
          weights of the treated unit-years (AIE != 0), as ``twowayfeweights`` counts them;
        * ``sigma_fe``: de Chaisemartin & D'Haultfœuille (2020), Corollary 1 (i): the smallest standard
          deviation of the unit-year effects compatible with β_fe and an average effect on the treated
          of zero, ``|β_fe| / σ(W)`` with ``σ(W)`` the SD of the weights relative to the natural
          weights ``D / sum D``. Stata/R ``twowayfeweights`` report it as the first summary measure
          ("min σ(Δ) compatible with β_fe and Δ_TR = 0"; Stata ``e(lb_se_te)``, R ``sensibility``);
          they compute σ(W) with Stata's ``summarize, [aweight]`` divisor n - 1 where the paper (and
          this function) uses n, so theirs is smaller by the factor sqrt((n - 1) / n);
        * ``sigma_fe_sign``: Corollary 1 (ii): the smallest standard deviation of the unit-year effects
          compatible with β_fe and with every unit-year effect of the *opposite sign* to β_fe (Stata
          ``e(lb_se_te2)``, R ``sensibility2``: "min σ(Δ) compatible with treatment effect of opposite
          sign than β_fe in all (g,t) cells"). ``None`` when no weight is negative: the corollary then
          does not apply (with positive weights β_fe has the sign of effects that share one), and
          ``twowayfeweights`` reports nothing either;
        * ``weights``: the per-cell weights (a DataFrame of ``entity``, ``time``, ``weight``).

    Raises
    ------
    AichainInputError
        If a column is missing, non-numeric or infinite; ``entity`` or ``time`` has missing values or
        (``entity``, ``time``) does not identify the rows; ``y``, ``x`` and the controls are not
        distinct columns; ``x`` is negative anywhere (the natural weights ``D / sum D`` of the corollary
        need D >= 0) or zero everywhere; ``x`` does not vary within units and years (β_fe is undefined)
        or a control is collinear with the others.
    """
    frame, cols = _tw_frame(data, y, x, controls, entity, time)
    raw = frame[cols].to_numpy(float)
    D = demean_columns(raw, [pd.factorize(frame[c])[0] for c in (entity, time)])
    check.full_rank(D[:, 1:], raw[:, 1:], cols[1:], "twfe_weights", f"{entity} and {time}")
    W = D[:, 2:]
    e = D[:, 1] - (W @ solve_checked(W.T @ W, W.T @ D[:, 1], "controls") if W.shape[1] else 0.0)
    d = frame[x].to_numpy(float)
    beta = float(e @ frame[y].to_numpy(float) / (e @ d))
    w = e * d / (e @ d)
    treated = d != 0
    w = w[treated]
    nat = d[treated] / d[treated].sum()  # the natural weights, one observation per cell
    ratio = w / nat
    return {
        "beta": beta,
        "n_weights": int(treated.sum()),
        "n_negative": int((w < 0).sum()),
        "sum_negative": float(w[w < 0].sum()),
        "sum_positive": float(w[w > 0].sum()),
        "share_negative": float((w < 0).mean()),
        "sigma_fe": sigma_fe(beta, ratio, nat),
        "sigma_fe_sign": sigma_fe_sign(beta, ratio, nat),
        "weights": frame.loc[treated, [entity, time]].assign(weight=w).reset_index(drop=True),
    }


def sigma_fe(beta: float, ratio: np.ndarray, nat: np.ndarray) -> float:
    """Corollary 1 (i) of de Chaisemartin & D'Haultfœuille (2020): ``|β_fe| / σ(W)``.

    ``ratio`` are the weights divided by the natural weights ``nat`` (which sum to one), so
    ``σ(W)² = sum nat (ratio - 1)²``. Returns 0 when β_fe is 0 (no heterogeneity is needed).

    Raises
    ------
    AichainInputError
        If σ(W) is zero while β_fe is not (every weight equals its natural weight: no dispersion of the
        effects can reconcile β_fe with a zero average effect), or the arrays are not finite.
    """
    ratio, nat = _finite("ratio", ratio), _finite("nat", nat)
    if beta == 0:
        return 0.0
    sigma_w = float(np.sqrt(np.sum(nat * (ratio - 1) ** 2)))
    if sigma_w == 0:
        raise input_error("x", "every weight equals its natural weight (σ(W) = 0): Corollary 1 (i) does not apply")
    return float(abs(beta) / sigma_w)


def sigma_fe_sign(beta: float, ratio: np.ndarray, nat: np.ndarray) -> float | None:
    """Corollary 1 (ii) of de Chaisemartin & D'Haultfœuille (2020): the smallest SD of the effects
    compatible with β_fe and with every effect of the opposite sign to β_fe.

    With the cells sorted by ``ratio`` (W) in decreasing order, ``P(k)``, ``S(k)`` and ``T(k)`` the sums
    of ``nat``, ``nat W`` and ``nat W²`` over the cells from ``k`` to the last (the smallest W),
    ``s`` the first ``k`` (after the first) with ``W(k) < -S(k) / (1 - P(k))``, the bound is
    ``|β_fe| / sqrt(T(s) + S(s)² / (1 - P(s)))``.

    Returns
    -------
    float or None
        ``None`` when no weight is negative or no cell satisfies the condition (the corollary's
        bound does not exist; ``twowayfeweights`` then reports nothing); 0 when β_fe is 0.

    Raises
    ------
    AichainInputError
        If the arrays are not finite.
    """
    ratio, nat = _finite("ratio", ratio), _finite("nat", nat)
    if not (ratio * nat < 0).any():
        return None
    if beta == 0:
        return 0.0
    order = np.argsort(-ratio, kind="stable")
    W, p = ratio[order], nat[order]
    P = np.cumsum(p[::-1])[::-1]
    S = np.cumsum((p * W)[::-1])[::-1]
    T = np.cumsum((p * W**2)[::-1])[::-1]
    rest = 1 - P
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (rest > 1e-12) & (W < -S / rest)
    ok[0] = False
    if not ok.any():
        return None
    s = int(np.argmax(ok))
    return float(abs(beta) / np.sqrt(T[s] + S[s] ** 2 / rest[s]))


def _finite(name: str, a) -> np.ndarray:
    a = np.asarray(a, float)
    if not np.isfinite(a).all():
        raise input_error(name, "must be finite", np.flatnonzero(~np.isfinite(a)).tolist(), what="positions")
    return a


def _tw_frame(data, y, x, controls, entity, time) -> tuple[pd.DataFrame, list[str]]:
    """Validated complete rows of :func:`twfe_weights` and the columns ``[y, x, controls]``."""
    controls = check.names("controls", ["lngdp", "imp", "exp", "inst", "tra"] if controls is None else controls)
    check.distinct_roles([("y", [y]), ("x", [x]), ("controls", controls), ("entity", [entity]), ("time", [time])])
    cols = [y, x, *controls]
    check.columns(data, [*cols, entity, time])
    check.ids(data, [entity, time])
    check.finite(data, cols)
    frame = data.dropna(subset=cols)
    check.nonempty(frame, "data", len(cols) + 2)
    dup = frame.index[frame.duplicated([entity, time], keep=False).to_numpy()]
    if len(dup):
        raise input_error(f"({entity}, {time})", "must identify rows (one cell per row)", list(dup))
    negative = frame.index[(frame[x] < 0).to_numpy()]
    if len(negative):
        raise input_error(x, "must be non-negative (the corollary's natural weights are D / sum D)", list(negative))
    if not (frame[x] != 0).any():
        raise input_error(x, "is zero in every row: there is no treated unit-year to weight", [0.0], what="values")
    check.groups(frame, entity, 2, "(two-way fixed effects)")
    check.groups(frame, time, 2, "(two-way fixed effects)")
    return frame, cols


def stayers(data: pd.DataFrame, x: str = "AIE", entity: str = "unit_id", time: str = "year", tol: float = 0.0) -> dict:
    """How many consecutive unit-year pairs keep their treatment (|ΔAIE| <= ``tol``), and how many
    unit-years are untreated (AIE = 0).

    Heterogeneity-robust estimators for a continuous treatment compare switchers with *stayers*
    (de Chaisemartin et al. 2024) or with an untreated group (Callaway, Goodman-Bacon & Sant'Anna
    2024); without either, none applies.

    Returns
    -------
    dict
        ``pairs`` (consecutive unit-year pairs), ``stayers``, ``untreated`` and ``min_abs_change``
        (``None`` when there is no consecutive pair).

    Raises
    ------
    AichainInputError
        If a column is missing or ``x`` non-numeric or infinite, ``entity`` or ``time`` has missing values,
        (``entity``, ``time``) does not identify the rows, or ``tol`` is negative or not finite.
    """
    check.columns(data, [x, entity, time])
    check.ids(data, [entity, time])
    check.finite(data, [x])
    tol = check.scalar("tol", tol, low=0.0)
    dup = data.index[data.duplicated([entity, time], keep=False).to_numpy()]
    if len(dup):
        raise input_error(f"({entity}, {time})", "must identify rows (one cell per row)", list(dup))
    frame = data.sort_values([entity, time])
    gap = frame.groupby(entity)[time].diff()
    delta = frame.groupby(entity)[x].diff().loc[gap == 1]
    return {
        "pairs": len(delta),
        "stayers": int((delta.abs() <= tol).sum()),
        "untreated": int((frame[x] == 0).sum()),
        "min_abs_change": float(delta.abs().min()) if len(delta) else None,
    }
