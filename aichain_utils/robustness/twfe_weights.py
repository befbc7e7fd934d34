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

from aichain_utils.robustness._linalg import demean_columns, single_threaded_blas

__all__ = ["stayers", "twfe_weights"]


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
        ``beta`` (the FE coefficient), ``n_weights``, ``n_negative``, ``sum_negative``, ``sum_positive``,
        ``share_negative`` and ``sigma_fe``: the smallest standard deviation of the unit-year effects
        under which ``beta`` could have the opposite sign of every effect (their Corollary 1), and the
        per-cell ``weights`` (a DataFrame).
    """
    controls = list(["lngdp", "imp", "exp", "inst", "tra"] if controls is None else controls)
    cols = [y, x, *controls]
    missing = [c for c in [*cols, entity, time] if c not in data.columns]
    if missing:
        raise ValueError(f"twfe_weights: missing column(s) {missing}")
    frame = data.dropna(subset=cols)
    if frame.duplicated([entity, time]).any():
        raise ValueError(f"twfe_weights: ({entity}, {time}) must identify rows (one cell per row)")
    D = demean_columns(frame[cols].to_numpy(float), [pd.factorize(frame[c])[0] for c in (entity, time)])
    W = D[:, 2:]
    e = D[:, 1] - (W @ np.linalg.solve(W.T @ W, W.T @ D[:, 1]) if W.shape[1] else 0.0)
    d = frame[x].to_numpy(float)
    beta = float(e @ frame[y].to_numpy(float) / (e @ d))
    w = e * d / (e @ d)
    treated = d != 0
    w = w[treated]
    # Corollary 1: sigma_fe = |beta| / sigma(w) with sigma(w) the SD of W = w / nat around 1,
    # the natural weights nat = D / sum D (one observation per cell)
    nat = d[treated] / d[treated].sum()
    ratio = w / nat
    sigma_w = np.sqrt(np.sum(nat * (ratio - 1) ** 2))
    return {
        "beta": beta,
        "n_weights": int(treated.sum()),
        "n_negative": int((w < 0).sum()),
        "sum_negative": float(w[w < 0].sum()),
        "sum_positive": float(w[w > 0].sum()),
        "share_negative": float((w < 0).mean()),
        "sigma_fe": float(abs(beta) / sigma_w),
        "weights": frame.loc[treated, [entity, time]].assign(weight=w).reset_index(drop=True),
    }


def stayers(data: pd.DataFrame, x: str = "AIE", entity: str = "unit_id", time: str = "year", tol: float = 0.0) -> dict:
    """How many consecutive unit-year pairs keep their treatment (|ΔAIE| <= ``tol``), and how many
    unit-years are untreated (AIE = 0).

    Heterogeneity-robust estimators for a continuous treatment compare switchers with *stayers*
    (de Chaisemartin et al. 2024) or with an untreated group (Callaway, Goodman-Bacon & Sant'Anna
    2024); without either, none applies.
    """
    frame = data.sort_values([entity, time])
    gap = frame.groupby(entity)[time].diff()
    delta = frame.groupby(entity)[x].diff().loc[gap == 1]
    return {
        "pairs": len(delta),
        "stayers": int((delta.abs() <= tol).sum()),
        "untreated": int((frame[x] == 0).sum()),
        "min_abs_change": float(delta.abs().min()),
    }
