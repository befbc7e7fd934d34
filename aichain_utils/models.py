"""Estimators of the paper's Tables 3-5 as thin wrappers over linearmodels and statsmodels.

Every function takes the analysis panel (a DataFrame with ``unit_id``, ``industry_id``,
``year`` and the variables) and returns an :class:`Estimate`: the coefficient on the
regressor of interest with its standard error, t, p, 95% CI, N, R-squared, adjusted
R-squared (and within R-squared for fixed-effects models), the covariance estimator used,
and estimator-specific extras. No row is dropped silently: each estimator keeps complete
cases of the variables it needs and records how many rows that removed and why.

Standard errors default to heteroskedasticity-robust (稳健标准误, HC1-type), as the paper
prints; ``cov="cluster_unit"`` and ``cov="cluster_industry"`` give one-way clustered ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from linearmodels.iv import IV2SLS
from linearmodels.iv.common import kleibergen_paap, kleibergen_paap_f
from linearmodels.panel import PanelOLS
from scipy import stats

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

_COV_TYPES = ("robust", "cluster_unit", "cluster_industry", "unadjusted")


@dataclass
class Estimate:
    """One regression's result for the regressor of interest, in tidy form."""

    estimator: str
    outcome: str
    regressor: str
    coef: float
    se: float
    t: float
    p: float
    ci_low: float
    ci_high: float
    n: int
    r2: float
    adj_r2: float
    r2_within: float | None
    cov_type: str
    controls: bool
    fixed_effects: str
    dropped: int = 0
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """Flat dictionary (extras prefixed with ``extra_``)."""
        base = {k: v for k, v in self.__dict__.items() if k not in ("extra", "notes")}
        base["notes"] = "; ".join(self.notes)
        base.update({f"extra_{k}": v for k, v in self.extra.items() if np.isscalar(v)})
        return base


def complete_cases(data: pd.DataFrame, columns: list[str], context: str) -> tuple[pd.DataFrame, int, list[str]]:
    """Rows with no missing value in ``columns``, and a note of how many were dropped and why.

    Returns
    -------
    frame, dropped, notes
    """
    missing = data[columns].isna()
    bad = missing.any(axis=1)
    notes = []
    if bad.any():
        by_col = missing.sum()
        why = ", ".join(f"{c} missing in {int(k):,}" for c, k in by_col.items() if k)
        notes.append(f"{context}: dropped {int(bad.sum()):,} of {len(data):,} rows ({why})")
    return data.loc[~bad].copy(), int(bad.sum()), notes


def _check(data: pd.DataFrame, columns: list[str], cov: str) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise KeyError(f"the panel has no column(s) {missing}; available: {sorted(data.columns)[:20]} ...")
    if cov not in _COV_TYPES:
        raise ValueError(f"cov must be one of {_COV_TYPES}; got {cov!r}")


def _adj_r2(r2: float, n: int, k: int) -> float:
    return 1.0 - (1.0 - r2) * (n - 1) / (n - k)


def _from_sm(res, x: str, estimator: str, y: str, cov: str, controls: bool, fe: str, k_total: int) -> Estimate:
    ci = res.conf_int().loc[x]
    return Estimate(
        estimator=estimator,
        outcome=y,
        regressor=x,
        coef=float(res.params[x]),
        se=float(res.bse[x]),
        t=float(res.tvalues[x]),
        p=float(res.pvalues[x]),
        ci_low=float(ci.iloc[0]),
        ci_high=float(ci.iloc[1]),
        n=int(res.nobs),
        r2=float(res.rsquared),
        adj_r2=float(_adj_r2(res.rsquared, int(res.nobs), k_total)),
        r2_within=None,
        cov_type=cov,
        controls=controls,
        fixed_effects=fe,
    )


def _sm_cov(cov: str, data: pd.DataFrame) -> dict:
    if cov == "robust":
        return {"cov_type": "HC1"}
    if cov == "unadjusted":
        return {"cov_type": "nonrobust"}
    col = "unit_id" if cov == "cluster_unit" else "industry_id"
    return {"cov_type": "cluster", "cov_kwds": {"groups": data[col].to_numpy()}}


def _dummies(data: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    parts = [pd.get_dummies(data[c], prefix=c, drop_first=True, dtype=float) for c in cols]
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=data.index)


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

    ``y = a + b x + controls + dummies + e``, estimated by statsmodels OLS.

    Parameters
    ----------
    data : DataFrame
        The analysis panel.
    y, x : str
        Outcome and regressor of interest.
    controls : list of str or None
        Control variables (default: the paper's five).
    dummies : list of str, optional
        Categorical columns entered as dummies (e.g. ``["industry_id", "year"]``).
    cov : str
        ``"robust"`` (HC1), ``"cluster_unit"``, ``"cluster_industry"`` or ``"unadjusted"``.
    also_cov : tuple of str
        Further covariance types whose standard error of ``x`` is stored in
        ``extra["se_<cov>"]`` (computed from the same fit).
    """
    controls = list(controls or [])
    dummies = list(dummies or [])
    _check(data, [y, x, *controls, *dummies], cov)
    frame, dropped, notes = complete_cases(data, [y, x, *controls, *dummies], "pooled OLS")
    X = pd.concat([frame[[x, *controls]], _dummies(frame, dummies)], axis=1)
    X = sm.add_constant(X, has_constant="add")
    fitted = sm.OLS(frame[y], X).fit()
    res = _named(_robust(fitted, cov, frame), X.columns)
    fe = " + ".join(f"{d} dummies" for d in dummies) if dummies else "none"
    est = _from_sm(res, x, "pooled OLS", y, cov, bool(controls), fe, X.shape[1])
    est.dropped, est.notes = dropped, notes
    pos = list(X.columns).index(x)
    for other in also_cov:
        alt = _robust(fitted, other, frame)
        est.extra[f"se_{other}"] = float(np.asarray(alt.bse)[pos])
    return est


def _robust(fitted, cov: str, frame: pd.DataFrame):
    """The same OLS fit with another covariance estimator (no refit)."""
    if cov == "unadjusted":
        return fitted
    if cov == "robust":
        return fitted.get_robustcov_results(cov_type="HC1")
    col = "unit_id" if cov == "cluster_unit" else "industry_id"
    return fitted.get_robustcov_results(cov_type="cluster", groups=frame[col].to_numpy())


class _named:
    """Give a statsmodels robust-covariance result (numpy arrays) pandas labels."""

    def __init__(self, res, names):
        self.params = pd.Series(np.asarray(res.params), index=names)
        self.bse = pd.Series(np.asarray(res.bse), index=names)
        self.tvalues = pd.Series(np.asarray(res.tvalues), index=names)
        self.pvalues = pd.Series(np.asarray(res.pvalues), index=names)
        self._ci = pd.DataFrame(np.asarray(res.conf_int()), index=names)
        self.nobs = res.nobs
        self.rsquared = res.rsquared

    def conf_int(self):
        return self._ci


def fit_lsdv(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    effects: tuple[str, ...] = ("industry_id", "year"),
    cov: str = "robust",
    also_cov: tuple[str, ...] = (),
) -> Estimate:
    """Least-squares dummy variables (LSDV, Table 3 column 7): OLS with one dummy per effect level.

    By the Frisch-Waugh-Lovell theorem its slope equals the within (fixed-effects)
    estimator with the same effects; the book checks this numerically.
    """
    est = fit_pooled_ols(data, y, x, controls, list(effects), cov, also_cov)
    est.estimator = "LSDV"
    return est


def demean(
    frame: pd.DataFrame, columns: list[str], groups: list[str], tol: float = 1e-13, max_iter: int = 1000
) -> pd.DataFrame:
    """Remove group means of several crossed factors (alternating projections).

    Exact in one pass for one factor or a balanced two-way panel; iterates to ``tol``
    otherwise. Used to absorb fixed effects before IV estimation.
    """
    values = frame[columns].to_numpy(dtype=float).copy()
    codes = [pd.factorize(frame[g])[0] for g in groups]
    counts = [np.bincount(c) for c in codes]
    for _ in range(max_iter):
        change = 0.0
        for code, cnt in zip(codes, counts, strict=True):
            means = np.stack([np.bincount(code, weights=values[:, j]) for j in range(values.shape[1])], axis=1)
            means /= cnt[:, None]
            values -= means[code]
            change = max(change, float(np.abs(means).max()))
        if change < tol or len(groups) == 1:
            break
    return pd.DataFrame(values, index=frame.index, columns=columns)


def fit_two_way_fe(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    entity: str = "unit_id",
    time: str = "year",
    cov: str = "robust",
    weights: pd.Series | None = None,
    also_cov: tuple[str, ...] = (),
    engine: str = "linearmodels",
) -> Estimate:
    """Two-way fixed effects, equation (1): ``y_it = a x_it + controls + lambda_i + theta_t + e_it``.

    Estimated by linearmodels ``PanelOLS`` with entity and time effects (the within
    estimator). The entity is the observation unit by default; ``entity="industry_id"``
    gives industry and year effects instead (PanelOLS ``other_effects``).

    ``engine="fast"`` computes the same numbers (coefficient, robust or clustered SE with
    linearmodels' small-sample factor, R-squareds) with the numpy within-transformation of
    :func:`demean`; the tests check it against PanelOLS to 1e-8. The mediation,
    heterogeneity and bootstrap code uses it for speed.

    Returns
    -------
    Estimate
        ``r2_within`` is PanelOLS's within R-squared; ``r2`` its inclusive R-squared (with the
        effects, as a dummy regression would report) and ``adj_r2`` that adjusted for the
        absorbed effects.
    """
    controls = list(controls or [])
    cols = [y, x, *controls, "unit_id", "industry_id", time]
    _check(data, [c for c in cols if c in data.columns] + [y, x, *controls], cov)
    frame, dropped, notes = complete_cases(data, [y, x, *controls], "two-way FE")
    if engine == "fast":
        if weights is not None:
            raise ValueError("engine='fast' does not take weights; use engine='linearmodels'")
        est = _fast_two_way_fe(frame, y, x, controls, entity, time, cov, also_cov)
        est.dropped, est.notes = dropped, notes
        return est
    indexed = frame.set_index(["unit_id", time])
    exog = indexed[[x, *controls]]
    kwargs = {"time_effects": True}
    if entity == "unit_id":
        kwargs["entity_effects"] = True
    else:
        kwargs["other_effects"] = indexed[[entity]]
    if weights is not None:
        kwargs["weights"] = weights.loc[frame.index].to_numpy()
    if np.linalg.matrix_rank(exog.to_numpy()) < exog.shape[1]:
        raise ValueError(f"the regressors {list(exog.columns)} are collinear; drop one")
    model = PanelOLS(indexed[y], exog, check_rank=False, **kwargs)  # rank checked just above

    def _fit(kind: str):
        if kind in ("robust", "unadjusted"):
            return model.fit(cov_type=kind)
        col = "unit_id" if kind == "cluster_unit" else "industry_id"
        cl = pd.DataFrame({"cluster": frame[col].to_numpy()}, index=indexed.index)
        return model.fit(cov_type="clustered", clusters=cl)

    res = _fit(cov)
    n = int(res.nobs)
    k_absorbed = frame[entity].nunique() + frame[time].nunique() - 1
    k_total = len(exog.columns) + k_absorbed
    r2_incl = float(res.rsquared_inclusive)
    ci = res.conf_int().loc[x]
    return Estimate(
        estimator="two-way FE",
        outcome=y,
        regressor=x,
        coef=float(res.params[x]),
        se=float(res.std_errors[x]),
        t=float(res.tstats[x]),
        p=float(res.pvalues[x]),
        ci_low=float(ci.iloc[0]),
        ci_high=float(ci.iloc[1]),
        n=n,
        r2=r2_incl,
        adj_r2=float(_adj_r2(r2_incl, n, k_total)),
        r2_within=float(res.rsquared_within),
        cov_type=cov,
        controls=bool(controls),
        fixed_effects=f"{entity.replace('_id', '')} + {time}",
        dropped=dropped,
        notes=notes,
        extra={f"se_{other}": float(_fit(other).std_errors[x]) for other in also_cov},
    )


def _fast_two_way_fe(frame, y, x, controls, entity, time, cov, also_cov) -> Estimate:
    cols = [y, x, *controls]
    dm = demean(frame, cols, [entity, time])
    X = dm[[x, *controls]].to_numpy()
    yy = dm[y].to_numpy()
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError(f"the regressors {[x, *controls]} are collinear; drop one")
    XtX_inv = np.linalg.inv(X.T @ X)
    beta = XtX_inv @ (X.T @ yy)
    u = yy - X @ beta
    n, kx = X.shape
    k_abs = frame[entity].nunique() + frame[time].nunique() - 1
    factor = n / (n - kx - k_abs)

    def se_for(kind: str) -> float:
        if kind == "unadjusted":
            return float(np.sqrt(factor * (u @ u) / n * XtX_inv[0, 0]))
        if kind == "robust":
            meat = (X * (u**2)[:, None]).T @ X
        else:
            col = "unit_id" if kind == "cluster_unit" else "industry_id"
            codes = pd.factorize(frame[col])[0]
            scores = np.zeros((codes.max() + 1, kx))
            np.add.at(scores, codes, X * u[:, None])
            meat = scores.T @ scores
        return float(np.sqrt(factor * (XtX_inv @ meat @ XtX_inv)[0, 0]))

    se = se_for(cov)
    t = beta[0] / se
    crit = stats.t.ppf(0.975, n - kx - k_abs)  # linearmodels' confidence interval
    # linearmodels' within R-squared: the fitted slopes on entity-demeaned data
    ent = demean(frame, cols, [entity])
    r_ent = ent[y].to_numpy() - ent[[x, *controls]].to_numpy() @ beta
    r2_within = 1 - (r_ent @ r_ent) / (ent[y].to_numpy() @ ent[y].to_numpy())
    raw = frame[y].to_numpy()
    r2 = 1 - (u @ u) / np.sum((raw - raw.mean()) ** 2)
    return Estimate(
        estimator="two-way FE",
        outcome=y,
        regressor=x,
        coef=float(beta[0]),
        se=se,
        t=float(t),
        p=float(2 * stats.norm.sf(abs(t))),
        ci_low=float(beta[0] - crit * se),
        ci_high=float(beta[0] + crit * se),
        n=n,
        r2=float(r2),
        adj_r2=float(_adj_r2(r2, n, kx + k_abs)),
        r2_within=float(r2_within) if entity == "unit_id" else None,
        cov_type=cov,
        controls=bool(controls),
        fixed_effects=f"{entity.replace('_id', '')} + {time}",
        extra={f"se_{other}": se_for(other) for other in also_cov},
    )


def fit_fgls(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    dummies: tuple[str, ...] = ("industry_id", "year"),
    group: str = "industry_id",
) -> Estimate:
    """Feasible GLS with groupwise heteroskedasticity (Table 3 column 8).

    Reading of the paper's unnamed "FGLS": Stata's ``xtgls, panels(heteroskedastic)`` with
    industry panels. Step 1: OLS with dummies; step 2: the residual variance of each group
    ``s_g^2``; step 3: WLS with weights ``1 / s_g^2``. Standard errors are the FGLS ones
    (they assume the variance model is right), as ``xtgls`` reports.
    """
    dummies = list(dummies)
    controls = list(controls or [])
    _check(data, [y, x, *controls, *dummies, group], "robust")
    frame, dropped, notes = complete_cases(data, [y, x, *controls], "FGLS")
    X = sm.add_constant(pd.concat([frame[[x, *controls]], _dummies(frame, dummies)], axis=1), has_constant="add")
    ols = sm.OLS(frame[y], X).fit()
    var_g = ols.resid.pow(2).groupby(frame[group]).mean()
    w = 1.0 / frame[group].map(var_g)
    res = sm.WLS(frame[y], X, weights=w).fit()
    est = _from_sm(
        res, x, "FGLS", y, "FGLS (groupwise heteroskedastic)", bool(controls), " + ".join(dummies), X.shape[1]
    )
    # R-squared of the fitted values on the original scale, comparable with OLS columns
    fitted = X.to_numpy() @ res.params.to_numpy()
    r2 = 1 - np.sum((frame[y] - fitted) ** 2) / np.sum((frame[y] - frame[y].mean()) ** 2)
    est.r2, est.adj_r2 = float(r2), float(_adj_r2(r2, est.n, X.shape[1]))
    est.dropped, est.notes = dropped, notes
    est.extra["groups"] = len(var_g)
    return est


def fit_first_difference(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    cov: str = "robust",
) -> Estimate:
    """First-difference estimator (组内差分法, Table 4 column 5).

    ``Δy_it = b Δx_it + Δcontrols + year dummies + Δe_it`` within each unit; the unit
    effects difference out and the year dummies keep the time effects. Only consecutive
    years are differenced, so each unit loses its first year.
    """
    controls = list(controls or [])
    _check(data, [y, x, *controls], cov)
    frame = data.sort_values(["unit_id", "year"])
    cols = [y, x, *controls]
    diff = frame.groupby("unit_id")[cols].diff()
    gap = frame.groupby("unit_id")["year"].diff()
    diff = diff.where(gap == 1)
    diff[["unit_id", "industry_id", "year"]] = frame[["unit_id", "industry_id", "year"]]
    n_first = int(gap.isna().sum())
    diff = diff.loc[gap.notna()]
    out, dropped, notes = complete_cases(diff, cols, "first difference")
    notes.insert(0, f"first difference: each unit's first year has no predecessor ({n_first:,} rows)")
    X = sm.add_constant(pd.concat([out[[x, *controls]], _dummies(out, ["year"])], axis=1), has_constant="add")
    res = sm.OLS(out[y], X).fit(**_sm_cov(cov, out))
    est = _from_sm(res, x, "first difference", y, cov, bool(controls), "unit (differenced) + year dummies", X.shape[1])
    est.dropped, est.notes = dropped + n_first, notes
    return est


# --------------------------------------------------------------------------- IV
def anderson_rubin_ci(
    y: np.ndarray, x: np.ndarray, z: np.ndarray, clusters: np.ndarray | None = None, level: float = 0.95
) -> tuple[float, float, str]:
    """Anderson-Rubin confidence set for one endogenous regressor and one instrument.

    All inputs are already residualised on the exogenous regressors and fixed effects.
    ``AR(b0)`` is the robust (or clustered) Wald statistic of ``z`` in the regression of
    ``y - b0 x`` on ``z``; it is a ratio of two quadratics in ``b0``, so the set
    ``{b0 : AR(b0) <= chi2_1(level)}`` is found in closed form. It stays valid however weak
    the instrument.

    Returns
    -------
    low, high, shape
        ``shape`` is ``"interval"``, ``"unbounded"`` (union of two rays: bounds are the
        inner endpoints) or ``"real line"``.
    """
    y, x, z = (np.asarray(v, dtype=float).ravel() for v in (y, x, z))
    zz = z @ z
    py, px = (z @ y) / zz, (z @ x) / zz  # coefficients of z in y and x regressions
    ey, ex = y - py * z, x - px * z
    if clusters is None:
        sy, sx = z * ey, z * ex
    else:
        codes = pd.factorize(clusters)[0]
        sy = np.bincount(codes, weights=z * ey)
        sx = np.bincount(codes, weights=z * ex)
    # coefficient of z in (y - b x) on z: py - b px; its variance (sy - b sx)'(sy - b sx) / zz^2
    crit = stats.chi2.ppf(level, 1)
    a2 = px**2 - crit * (sx @ sx) / zz**2
    a1 = -2 * py * px + 2 * crit * (sy @ sx) / zz**2
    a0 = py**2 - crit * (sy @ sy) / zz**2
    # accept b where a2 b^2 + a1 b + a0 <= 0
    disc = a1**2 - 4 * a2 * a0
    if a2 > 0:
        if disc < 0:
            return (np.nan, np.nan, "empty")
        r = np.sqrt(disc)
        lo, hi = sorted(((-a1 - r) / (2 * a2), (-a1 + r) / (2 * a2)))
        return (float(lo), float(hi), "interval")
    if disc < 0:
        return (-np.inf, np.inf, "real line")
    r = np.sqrt(disc)
    lo, hi = sorted(((-a1 - r) / (2 * a2), (-a1 + r) / (2 * a2)))
    return (float(lo), float(hi), "unbounded")


def fit_iv(
    data: pd.DataFrame,
    instrument: str,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    effects: tuple[str, ...] = ("unit_id", "year"),
    cov: str = "robust",
) -> Estimate:
    """Two-stage least squares with absorbed fixed effects (Table 4 columns 1-4).

    The fixed effects are removed by :func:`demean` from every variable, then linearmodels
    ``IV2SLS`` estimates ``y = b x + controls`` with ``x`` instrumented by ``instrument``
    (no constant: it is absorbed). Standard errors use the degrees of freedom of the
    absorbed effects. Extras: the first stage (coefficient, SE, partial F), the
    Kleibergen-Paap rk LM statistic and p-value and the rk Wald F (linearmodels
    ``kleibergen_paap``/``kleibergen_paap_f``), and the Anderson-Rubin 95% set.
    """
    controls = list(controls or [])
    _check(data, [y, x, instrument, *controls, *effects], cov)
    frame, dropped, notes = complete_cases(data, [y, x, instrument, *controls], f"IV ({instrument})")
    cols = [y, x, instrument, *controls]
    dm = demean(frame, cols, list(effects))
    n = len(dm)
    k_absorbed = sum(frame[e].nunique() for e in effects) - (len(effects) - 1)
    exog = dm[controls] if controls else None
    model = IV2SLS(dm[y], exog, dm[[x]], dm[[instrument]])
    if cov in ("robust", "unadjusted"):
        res = model.fit(cov_type="robust" if cov == "robust" else "unadjusted", debiased=False)
        cov_cfg, kp_cov, clusters = None, ("robust" if cov == "robust" else "unadjusted"), None
    else:
        col = "unit_id" if cov == "cluster_unit" else "industry_id"
        clusters = frame[col].to_numpy()
        res = model.fit(cov_type="clustered", clusters=clusters, debiased=False)
        cov_cfg, kp_cov = {"clusters": clusters}, "clustered"
    # small-sample correction for the absorbed effects: scale the variance by n / (n - k_total)
    k_total = len(controls) + 1 + k_absorbed
    scale = np.sqrt(n / (n - k_total)) if cov in ("robust", "unadjusted") else 1.0
    coef = float(res.params[x])
    se = float(res.std_errors[x]) * scale
    t = coef / se
    p = float(2 * stats.norm.sf(abs(t)))
    crit = stats.norm.ppf(0.975)
    # fit statistics on the original scale, with the effects (inclusive R-squared)
    resid = dm[y].to_numpy() - dm[[x, *controls]].to_numpy() @ res.params[[x, *controls]].to_numpy()
    tss = np.sum((frame[y] - frame[y].mean()) ** 2)
    r2 = 1 - np.sum(resid**2) / tss
    r2_within = 1 - np.sum(resid**2) / np.sum(dm[y] ** 2)
    # first stage and weak-instrument diagnostics
    fs = sm.OLS(dm[x], dm[[instrument, *controls]]).fit(
        cov_type="HC1" if clusters is None else "cluster",
        **({} if clusters is None else {"cov_kwds": {"groups": clusters}}),
    )
    endog_a = dm[[x]].to_numpy()
    instr_a = dm[[instrument]].to_numpy()
    exog_a = dm[controls].to_numpy() if controls else np.zeros((n, 0))
    kp = kleibergen_paap(endog_a, instr_a, exog_a, cov_type=kp_cov, cov_config=cov_cfg)
    kp_f = kleibergen_paap_f(endog_a, instr_a, exog_a, cov_type=kp_cov, cov_config=cov_cfg)
    # Anderson-Rubin: residualise y, x, z on the controls (FWL) first
    if controls:
        C = exog_a
        proj = C @ np.linalg.lstsq(C, np.column_stack([dm[y], dm[x], dm[instrument]]), rcond=None)[0]
        ry, rx, rz = (np.column_stack([dm[y], dm[x], dm[instrument]]) - proj).T
    else:
        ry, rx, rz = dm[y].to_numpy(), dm[x].to_numpy(), dm[instrument].to_numpy()
    ar_lo, ar_hi, ar_shape = anderson_rubin_ci(ry, rx, rz, clusters)
    est = Estimate(
        estimator=f"2SLS ({instrument})",
        outcome=y,
        regressor=x,
        coef=coef,
        se=se,
        t=t,
        p=p,
        ci_low=coef - crit * se,
        ci_high=coef + crit * se,
        n=n,
        r2=float(r2),
        adj_r2=float(_adj_r2(r2, n, k_total)),
        r2_within=float(r2_within),
        cov_type=cov,
        controls=bool(controls),
        fixed_effects=" + ".join(e.replace("_id", "") for e in effects),
        dropped=dropped,
        notes=notes,
    )
    est.extra.update(
        {
            "first_stage_coef": float(fs.params[instrument]),
            "first_stage_se": float(fs.bse[instrument]),
            "first_stage_F": float(fs.tvalues[instrument] ** 2),
            "kp_lm": float(kp.stat),
            "kp_lm_p": float(kp.pval),
            "kp_wald_f": float(kp_f),
            "ar_low": ar_lo,
            "ar_high": ar_hi,
            "ar_shape": ar_shape,
        }
    )
    return est


# --------------------------------------------------------------------------- wild cluster bootstrap
def wild_cluster_bootstrap(
    data: pd.DataFrame,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    effects: tuple[str, ...] = ("unit_id", "year"),
    cluster: str = "industry_id",
    reps: int = 999,
    seed: int = 20251123,
    weights: str = "webb",
    chunk: int = 250,
) -> dict:
    """Restricted wild cluster bootstrap (WCR) p-value for ``H0: b_x = 0``.

    With few clusters (the paper has 35 industries) cluster-robust t-tests over-reject;
    the WCR bootstrap (Cameron, Gelbach & Miller 2008) imposes the null, resamples residuals
    by flipping whole clusters with random weights (Webb six-point or Rademacher), and
    compares the observed cluster-robust t with the bootstrap distribution.

    Returns
    -------
    dict
        ``t`` (observed), ``p`` (bootstrap, symmetric), ``reps``, ``clusters``, ``weights``, ``seed``.
    """
    controls = list(controls or [])
    frame, _, _ = complete_cases(data, [y, x, *controls], "wild bootstrap")
    dm = demean(frame, [y, x, *controls], list(effects))
    yv = dm[y].to_numpy()
    X = dm[[x, *controls]].to_numpy()
    codes, uniq = pd.factorize(frame[cluster])
    G = len(uniq)
    n, k = X.shape
    XtX_inv = np.linalg.inv(X.T @ X)
    e_x = X @ XtX_inv[:, 0]  # FWL: b_x = e_x' y
    # restricted model (b_x = 0)
    Xr = X[:, 1:]
    if Xr.shape[1]:
        fitted_r = Xr @ np.linalg.lstsq(Xr, yv, rcond=None)[0]
    else:
        fitted_r = np.zeros(n)
    u_r = yv - fitted_r
    k_abs = sum(frame[e].nunique() for e in effects) - (len(effects) - 1)
    ssc = G / (G - 1) * (n - 1) / (n - k - k_abs)

    def t_stats(Y: np.ndarray) -> np.ndarray:
        b = e_x @ Y
        beta = XtX_inv @ (X.T @ Y)
        resid = Y - X @ beta
        scores = np.zeros((G, Y.shape[1]))
        np.add.at(scores, codes, e_x[:, None] * resid)
        se = np.sqrt(ssc * np.sum(scores**2, axis=0))
        return b / se

    t_obs = float(t_stats(yv[:, None])[0])
    rng = np.random.default_rng(seed)
    if weights == "webb":
        support = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
    elif weights == "rademacher":
        support = np.array([-1.0, 1.0])
    else:
        raise ValueError("weights must be 'webb' or 'rademacher'")
    t_boot = []
    done = 0
    while done < reps:
        b = min(chunk, reps - done)
        V = rng.choice(support, size=(G, b))
        Y = fitted_r[:, None] + u_r[:, None] * V[codes]
        t_boot.append(t_stats(Y))
        done += b
    t_boot = np.concatenate(t_boot)
    p = float(np.mean(np.abs(t_boot) >= abs(t_obs)))
    return {
        "t": t_obs,
        "p": p,
        "reps": reps,
        "clusters": G,
        "weights": weights,
        "seed": seed,
        "t_boot": t_boot,
    }
