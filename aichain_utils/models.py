"""The paper's estimators (Tables 3-5) as calls of the generic core :mod:`aichain_utils.econometrics`.

This module holds only the paper's specifications: the analysis panel's column names
(``unit_id``, ``industry_id``, ``year``), the default outcome, regressor and controls, and the
covariance readings. Every function returns an :class:`Estimate` (coefficient of the regressor
of interest with SE, t, p, 95% CI, N, R-squareds, the covariance used and extras). No row is
dropped silently.

Inference follows Stata (see the conventions appendix): ``cov="robust"`` is HC1 with the
absorbed effects' degrees of freedom (``reghdfe, vce(robust)``; this book's reading of the
paper's 稳健标准误), ``cov="cluster_unit"``/``"cluster_industry"`` are one-way clustered as
``reghdfe``/``xtreg, fe`` compute them (``G/(G-1)``, effects nested in the clusters not
counted, t with ``G-1`` df), and ``"unadjusted"`` is the classical variance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aichain_utils import econometrics as ec
from aichain_utils.econometrics import Estimate, anderson_rubin_ci, complete_cases, demean

__all__ = [
    "CONTROLS",
    "Estimate",
    "anderson_rubin_ci",
    "complete_cases",
    "demean",
    "fit_fgls",
    "fit_first_difference",
    "fit_iv",
    "fit_lsdv",
    "fit_pooled_ols",
    "fit_two_way_fe",
    "wild_cluster_bootstrap",
]

#: The paper's control variables (section 四.2(4)).
CONTROLS: list[str] = ["lngdp", "imp", "exp", "inst", "tra"]
#: The analysis panel's identifiers.
UNIT, INDUSTRY, TIME = "unit_id", "industry_id", "year"

_COV_TYPES = ("robust", "cluster_unit", "cluster_industry", "unadjusted")
_CLUSTER = {"cluster_unit": UNIT, "cluster_industry": INDUSTRY}


def _cov_args(cov: str) -> dict:
    if cov not in _COV_TYPES:
        raise ValueError(f"cov must be one of {_COV_TYPES}; got {cov!r}")
    if cov in _CLUSTER:
        return {"vcov": "cluster", "cluster": _CLUSTER[cov]}
    return {"vcov": cov, "cluster": None}


def _ids(data: pd.DataFrame, entity: str = UNIT, time: str = TIME) -> dict:
    """Panel identifiers for the duplicate check, when the data have them."""
    return {"entity": entity, "time": time} if entity in data.columns and time in data.columns else {}


def _estimate(res: ec.RegressionResult, x: str, estimator: str, cov: str, controls, fe: str, also_cov) -> Estimate:
    est = res.estimate(x, controls=bool(controls), fixed_effects=fe)
    est.estimator, est.cov_type = estimator, cov
    for other in also_cov:
        alt = ec.refit_vcov(res, **_cov_args(other))
        est.extra[f"se_{other}"] = float(alt.se[x])
    return est


def fit_pooled_ols(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    dummies: list[str] | None = None,
    cov: str = "robust",
    also_cov: tuple[str, ...] = (),
) -> Estimate:
    """Pooled OLS (混合回归), optionally with dummy variables (Table 3 columns 1-4).

    ``y = a + b x + controls + dummies + e``: Stata's ``regress`` (with ``i.dummies``).
    ``also_cov`` stores further covariance types' SE of ``x`` in ``extra["se_<cov>"]``.
    """
    controls, dummies = list(controls or []), list(dummies or [])
    res = ec.fit_ols(data, y, x, controls, dummies=dummies, estimator="pooled OLS", **_cov_args(cov), **_ids(data))
    fe = " + ".join(f"{d} dummies" for d in dummies) if dummies else "none"
    return _estimate(res, x, "pooled OLS", cov, controls, fe, also_cov)


def fit_lsdv(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    effects: tuple[str, ...] = (INDUSTRY, TIME),
    cov: str = "robust",
    also_cov: tuple[str, ...] = (),
) -> Estimate:
    """Least-squares dummy variables (LSDV, Table 3 column 7): OLS with one dummy per effect level.

    By the Frisch-Waugh-Lovell theorem its slope equals the within estimator with the same
    effects; the book checks this numerically.
    """
    est = fit_pooled_ols(data, y, x, controls, list(effects), cov, also_cov)
    est.estimator = "LSDV"
    return est


def fit_two_way_fe(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    entity: str = UNIT,
    time: str = TIME,
    cov: str = "robust",
    weights: pd.Series | None = None,
    also_cov: tuple[str, ...] = (),
    engine: str = "core",
) -> Estimate:
    """Two-way fixed effects, equation (1): ``y_it = a x_it + controls + lambda_i + theta_t + e_it``.

    ``reghdfe y x controls, absorb(entity time)``: the ``entity`` and ``time`` effects are
    absorbed by :func:`aichain_utils.econometrics.fit_ols` (``entity="industry_id"`` gives
    industry and year effects). ``weights`` (aligned with ``data``) are analytic weights.
    ``engine`` is kept for older callers; every engine is the same core and gives the same
    numbers.

    Returns
    -------
    Estimate
        ``r2`` is the R-squared with the effects (as a dummy regression reports), ``adj_r2``
        adjusted for the absorbed effects, ``r2_within`` reghdfe's within R-squared.
    """
    controls = list(controls or [])
    frame = data if weights is None else data.assign(_weight=weights.reindex(data.index))
    res = ec.fit_ols(
        frame,
        y,
        x,
        controls,
        absorb=[entity, time],
        weights=None if weights is None else "_weight",
        estimator="two-way FE",
        **_cov_args(cov),
        **_ids(data, UNIT, time),
    )
    fe = f"{entity.replace('_id', '')} + {time}"
    est = _estimate(res, x, "two-way FE", cov, controls, fe, also_cov)
    est.r2_within = _r2_within_entity(res, y, entity)
    return est


def _r2_within_entity(res: ec.RegressionResult, y: str, entity: str) -> float:
    """Within R-squared as linearmodels' ``PanelOLS`` reports it (``rsquared_within``).

    The fitted slopes applied to the entity-demeaned data: ``1 - sum(e~^2) / sum(y~^2)`` with
    ``y~``, ``X~`` demeaned by entity only (weighted means with weights). reghdfe's
    "within R-sq." (``RegressionResult.r2_within``) demeans by both effects instead.
    """
    parts = res.extra["_parts"]
    frame = parts["frame"]
    w = parts["weights"]
    dm = demean(frame, [y, *res.names], [entity], weights=w)
    e = dm[y].to_numpy() - dm[res.names].to_numpy() @ res.params.to_numpy()
    ww = np.ones(len(e)) if w is None else w
    return float(1 - np.sum(ww * e**2) / np.sum(ww * dm[y].to_numpy() ** 2))


def fit_fgls(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    dummies: tuple[str, ...] = (INDUSTRY, TIME),
    group: str = INDUSTRY,
) -> Estimate:
    """Feasible GLS with groupwise heteroskedasticity (Table 3 column 8).

    Reading of the paper's unnamed "FGLS": Stata's ``xtgls, panels(heteroskedastic)`` with
    industry panels (:func:`aichain_utils.econometrics.fit_fgls`); its standard errors and
    normal p-values are those ``xtgls`` reports.
    """
    controls = list(controls or [])
    res = ec.fit_fgls(data, y, x, controls, dummies=list(dummies), group=group)
    est = res.estimate(x, controls=bool(controls), fixed_effects=" + ".join(dummies))
    est.cov_type = "FGLS (groupwise heteroskedastic)"
    return est


def fit_first_difference(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    cov: str = "robust",
    entity: str = UNIT,
    time: str = TIME,
) -> Estimate:
    """First-difference estimator (组内差分法, Table 4 column 5), year dummies, controls."""
    controls = list(controls or [])
    res = ec.fit_first_difference(data, y, x, controls, entity, time, **_cov_args(cov))
    est = res.estimate(x, controls=bool(controls), fixed_effects="unit (differenced) + year dummies")
    est.cov_type = cov
    return est


def fit_iv(
    data: pd.DataFrame,
    instrument: str | list[str],
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    effects: tuple[str, ...] = (UNIT, TIME),
    cov: str = "robust",
) -> Estimate:
    """Two-stage least squares with absorbed fixed effects (Table 4 columns 1-4).

    Reading: ``ivreghdfe ERL controls (AIE = instrument), absorb(unit year) robust small``
    (:func:`aichain_utils.econometrics.fit_iv` with ``small=True``): the absorbed effects
    enter the degrees of freedom of the standard error, of the first-stage F and of the
    Kleibergen-Paap rk Wald F, as ``ivreg2``'s ``sdofminus``. Extras: first stage
    (coefficient, SE, F), KP rk LM and p, KP rk Wald F, Cragg-Donald F, the Montiel
    Olea-Pflueger effective F, and the Anderson-Rubin 95% set.
    """
    controls = list(controls or [])
    instruments = [instrument] if isinstance(instrument, str) else list(instrument)
    args = _cov_args(cov)
    res = ec.fit_iv(data, y, x, instruments, controls, absorb=list(effects), small=True, **args, **_ids(data))
    est = res.estimate(x, controls=bool(controls), fixed_effects=" + ".join(e.replace("_id", "") for e in effects))
    est.estimator, est.cov_type = f"2SLS ({', '.join(instruments)})", cov
    return est


def wild_cluster_bootstrap(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    effects: tuple[str, ...] = (UNIT, TIME),
    cluster: str = INDUSTRY,
    reps: int = 999,
    seed: int = 20251123,
    weights: str = "webb",
    b0: float = 0.0,
) -> dict:
    """Restricted wild cluster bootstrap of ``H0: b_x = b0`` for equation (1), industry clusters.

    See :func:`aichain_utils.econometrics.wild_cluster_bootstrap`.
    """
    return ec.wild_cluster_bootstrap(
        data, y, x, list(controls or []), list(effects), cluster, b0=b0, reps=reps, seed=seed, weights=weights
    )
