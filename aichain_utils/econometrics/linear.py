"""Linear regression with absorbed fixed effects, FGLS and first differences, for any panel.

Every column is named by the caller: outcome ``y``, regressor(s) ``x``, ``controls``,
absorbed effects ``absorb``, dummy-coded factors ``dummies``, cluster variable(s), ``entity``
and ``time``. Inference follows Stata by default (see
:mod:`aichain_utils.econometrics.covariance`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aichain_utils.econometrics._data import (
    as_list,
    check_columns,
    check_ids,
    check_rank,
    check_time,
    check_unique_panel,
    complete_cases,
)
from aichain_utils.econometrics.covariance import cluster_codes, sandwich
from aichain_utils.econometrics.fe import absorbed_dof, demean
from aichain_utils.econometrics.result import RegressionResult

__all__ = ["dummy_matrix", "fit_fgls", "fit_first_difference", "fit_ols", "prepare", "refit_vcov"]


def dummy_matrix(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """One 0/1 column per level of each factor, the first level of each dropped."""
    parts = [pd.get_dummies(frame[c], prefix=c, drop_first=True, dtype=float) for c in columns]
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


def prepare(
    data: pd.DataFrame,
    variables: Sequence[str],
    ids: Sequence[str],
    context: str,
    entity: str | None = None,
    time: str | None = None,
) -> tuple[pd.DataFrame, int, list[str]]:
    """Check names and ids, then keep complete cases of ``variables`` (drops reported).

    Raises if a column is absent, an id (effect, cluster, entity, time) is missing, the time
    column is not integer-valued, or an (entity, time) pair is duplicated.
    """
    ids = [i for i in dict.fromkeys(ids) if i is not None]
    check_columns(data, [*variables, *ids])
    frame, dropped, notes = complete_cases(data, list(variables), context)
    check_ids(frame, ids)
    if time is not None:
        check_time(frame, time)
    if entity is not None and time is not None:
        check_unique_panel(frame, entity, time)
    return frame, dropped, notes


def _vcov_kind(vcov: str | None, clusters: list[str]) -> str:
    if vcov is None:
        return "cluster" if clusters else "robust"
    if vcov == "cluster" and not clusters:
        raise ValueError("vcov='cluster' needs cluster=<column name(s)>")
    if vcov != "cluster" and clusters:
        raise ValueError(f"cluster={clusters} was given with vcov={vcov!r}; use vcov='cluster'")
    return vcov


def fit_ols(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str],
    controls: Sequence[str] | None = None,
    absorb: Sequence[str] = (),
    dummies: Sequence[str] = (),
    cluster: str | Sequence[str] | None = None,
    vcov: str | None = None,
    convention: str = "stata",
    constant: bool = True,
    weights: str | None = None,
    entity: str | None = None,
    time: str | None = None,
    estimator: str = "OLS",
) -> RegressionResult:
    """Least squares of ``y`` on ``x``, ``controls`` and ``dummies`` with ``absorb`` effects removed.

    Stata equivalents: ``regress y x controls i.dummies, vce(...)`` without ``absorb``;
    ``reghdfe y x controls, absorb(...) vce(...)`` (``xtreg, fe`` and ``areg`` for one effect)
    with it.

    Parameters
    ----------
    data : DataFrame
    y : str
        Outcome.
    x : str or list of str
        Regressor(s) of interest; the first is the one :meth:`RegressionResult.estimate` reports.
    controls : list of str
        Further regressors.
    absorb : list of str
        Effects removed by the within transformation (their coefficients are not reported).
    dummies : list of str
        Factors entered as dummy columns (first level dropped).
    cluster : str or list of str
        Cluster variable(s) (at most two).
    vcov : {"unadjusted", "robust", "cluster"}
        Default: ``"cluster"`` if ``cluster`` is given, else ``"robust"`` (HC1).
    convention : {"stata", "fixest", "linearmodels"}
        Small-sample factors and reference distribution (see
        :mod:`aichain_utils.econometrics.covariance`).
    constant : bool
        Include an intercept (ignored when effects are absorbed: they contain it).
    weights : str
        Column of analytic weights (Stata ``aweight``): weighted least squares.
    entity, time : str
        Panel identifiers; if both are given, duplicated (entity, time) pairs are an error.
    """
    xs, controls, clusters = as_list(x), as_list(controls), as_list(cluster)
    absorb, dummies = list(absorb), list(dummies)
    kind = _vcov_kind(vcov, clusters)
    variables = [y, *xs, *controls] + ([weights] if weights else [])
    frame, dropped, notes = prepare(
        data, variables, [*absorb, *dummies, *clusters, entity, time], estimator, entity, time
    )
    if frame.empty:
        raise ValueError(f"{estimator}: no complete rows")
    w = None
    if weights:
        w = frame[weights].to_numpy(dtype=float)
        if (w < 0).any():
            raise ValueError(f"weights column {weights!r} has negative values in rows {list(frame.index[w < 0][:5])}")
        frame = frame.loc[w > 0]
        w = w[w > 0]
    partial = bool(dummies) and not absorb and constant
    if partial:  # the dummies and the intercept partialled out (FWL), counted as the dummy columns they equal
        Y, X, names, n_fixed = _partial_dummies(frame, y, [*xs, *controls], dummies, w, estimator)
    elif absorb:
        regs = pd.concat([frame[[*xs, *controls]], dummy_matrix(frame, dummies)], axis=1)
        names = list(regs.columns)
        dm = demean(frame.assign(**{c: regs[c] for c in names}), [y, *names], absorb, weights=w)
        Y, X = dm[y].to_numpy(), dm[names].to_numpy()
    else:
        regs = pd.concat([frame[[*xs, *controls]], dummy_matrix(frame, dummies)], axis=1)
        names = list(regs.columns)
        Y, X = frame[y].to_numpy(dtype=float), regs.to_numpy(dtype=float)
        if constant:
            X = np.column_stack([X, np.ones(len(X))])
            names = [*names, "const"]
    order = [len(names) - 1, *range(len(names) - 1)] if names[-1] == "const" else list(range(len(names)))
    check_rank(X[:, order], [names[i] for i in order], f"regressors of {estimator}")  # intercept first
    sw = np.sqrt(w) if w is not None else np.ones(len(Y))
    Xw, Yw = X * sw[:, None], Y * sw
    bread = np.linalg.inv(Xw.T @ Xw)
    beta = bread @ (Xw.T @ Yw)
    u = Yw - Xw @ beta
    n, K = len(Y), X.shape[1]
    k = K + (absorbed_dof(frame, absorb, (), convention) if absorb else n_fixed if partial else 0)
    k_c = K + (absorbed_dof(frame, absorb, clusters, convention) if absorb else n_fixed if partial else 0)
    codes = cluster_codes(frame, clusters) if kind == "cluster" else None
    cov = sandwich(kind, bread, Xw * u[:, None], u, n, k, k_c, codes, convention)
    raw = frame[y].to_numpy(dtype=float)
    mean = np.average(raw, weights=w)
    tss = float(np.sum((sw * (raw - mean)) ** 2))
    rss = float(u @ u)
    r2 = 1 - rss / tss if (absorb or constant) else 1 - rss / float(np.sum((sw * raw) ** 2))
    adj = 1 - (1 - r2) * (n - (1 if (absorb or constant) else 0)) / (n - k)
    r2_within = 1 - rss / float(Yw @ Yw) if absorb else None
    res = RegressionResult(
        estimator=estimator,
        outcome=y,
        names=names,
        params=pd.Series(beta, index=names),
        vcov=pd.DataFrame(cov.V, index=names, columns=names),
        df=cov.df,
        n=n,
        k=k,
        r2=float(r2),
        adj_r2=float(adj),
        r2_within=None if r2_within is None else float(r2_within),
        vcov_type=kind if kind != "cluster" else f"cluster ({' × '.join(clusters)})",
        convention=convention,
        clusters=clusters,
        n_clusters=cov.n_clusters,
        absorb=absorb,
        dropped=dropped,
        notes=notes,
    )
    res.extra["_parts"] = {
        "bread": bread,
        "scores": Xw * u[:, None],
        "resid": u,
        "frame": frame,
        "k": k,
        "K": K,
        "n_fixed": n_fixed if partial else 0,
        "weights": w,
    }
    return res


def _partial_dummies(
    frame: pd.DataFrame, y: str, regressors: list[str], dummies: list[str], w: np.ndarray | None, estimator: str
) -> tuple[np.ndarray, np.ndarray, list[str], int]:
    """``y`` and the regressors with the intercept and the dummies' levels partialled out (weighted with ``w``).

    By the Frisch-Waugh-Lovell theorem the regressors' coefficients, residuals and sandwich
    covariance are those of the regression with an intercept and one dummy per level (first level
    of each factor dropped), which is never built. Returns ``Y, X, names`` and the parameters the
    dummies and intercept use (``1 + sum(levels - 1)``, as ``regress y x i.d`` counts them); an error
    if those dummy columns would be collinear (levels of two factors that split the sample).
    """
    n_fixed = 1 + sum(int(frame[d].nunique()) - 1 for d in dummies)
    rank = absorbed_dof(frame, dummies, (), "stata")
    if rank < n_fixed:
        raise ValueError(
            f"the regressors of {estimator} are collinear: the dummies of {dummies} have {n_fixed - rank} "
            "redundant column(s) (their levels split the sample into separate groups). Drop one factor"
        )
    dm = demean(frame, [y, *regressors], dummies, weights=w)
    return dm[y].to_numpy(), dm[regressors].to_numpy(), list(regressors), n_fixed


def refit_vcov(
    result: RegressionResult, vcov: str | None = None, cluster: str | Sequence[str] | None = None
) -> RegressionResult:
    """The same fit with another covariance estimator (no refit of the coefficients)."""
    parts = result.extra["_parts"]
    clusters = as_list(cluster)
    kind = _vcov_kind(vcov, clusters)
    frame = parts["frame"]
    check_columns(frame, clusters)
    check_ids(frame, clusters)
    fixed = absorbed_dof(frame, result.absorb, clusters, result.convention) if result.absorb else parts["n_fixed"]
    k_c = parts["K"] + fixed
    codes = cluster_codes(frame, clusters) if kind == "cluster" else None
    cov = sandwich(
        kind, parts["bread"], parts["scores"], parts["resid"], result.n, parts["k"], k_c, codes, result.convention
    )
    out = RegressionResult(**{**result.__dict__, "extra": dict(result.extra), "notes": list(result.notes)})
    out.vcov = pd.DataFrame(cov.V, index=result.names, columns=result.names)
    out.df, out.n_clusters, out.clusters = cov.df, cov.n_clusters, clusters
    out.vcov_type = kind if kind != "cluster" else f"cluster ({' × '.join(clusters)})"
    return out


def fit_fgls(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str],
    controls: Sequence[str] | None = None,
    dummies: Sequence[str] = (),
    group: str = "panel",
) -> RegressionResult:
    """FGLS with groupwise heteroskedasticity: Stata's ``xtgls y x controls i.dummies, panels(hetero)``.

    Step 1: OLS; step 2: ``s_g^2 = sum_{i in g} e_i^2 / n_g`` (no df correction, as ``xtgls``);
    step 3: GLS with weights ``1 / s_g^2``. The covariance is ``(X' W X)^-1`` with no further
    scaling and the reference distribution is the normal, as ``xtgls`` reports.
    """
    xs, controls, dummies = as_list(x), as_list(controls), list(dummies)
    frame, dropped, notes = prepare(data, [y, *xs, *controls], [*dummies, group], "FGLS")
    regs, n_fixed = [*xs, *controls], 0
    if dummies:  # intercept and dummies partialled out (FWL), unweighted in step 1 and weighted in step 3
        Y, X, names, n_fixed = _partial_dummies(frame, y, regs, dummies, None, "FGLS")
    else:
        names = [*regs, "const"]
        X = np.column_stack([frame[regs].to_numpy(dtype=float), np.ones(len(frame))])
        Y = frame[y].to_numpy(dtype=float)
    check_rank(X, names, "regressors of FGLS")
    e = Y - X @ np.linalg.solve(X.T @ X, X.T @ Y)  # X has full column rank (checked above)
    codes, levels = pd.factorize(frame[group])
    s2 = np.bincount(codes, weights=e**2) / np.bincount(codes)
    if (s2 <= 0).any():
        raise ValueError(f"FGLS: zero residual variance in {group} level(s) {list(levels[s2 <= 0][:5])}")
    w = 1.0 / s2[codes]
    if dummies:
        Y, X, _, _ = _partial_dummies(frame, y, regs, dummies, w, "FGLS")
    V = np.linalg.inv(X.T @ (X * w[:, None]))
    beta = V @ (X.T @ (Y * w))
    resid = Y - X @ beta  # with partialled dummies: the full GLS residuals (weighted FWL)
    n, K = len(Y), X.shape[1] + n_fixed
    raw = frame[y].to_numpy(dtype=float)
    r2 = 1 - np.sum(resid**2) / np.sum((raw - raw.mean()) ** 2)
    res = RegressionResult(
        estimator="FGLS",
        outcome=y,
        names=names,
        params=pd.Series(beta, index=names),
        vcov=pd.DataFrame(V, index=names, columns=names),
        df=None,
        n=n,
        k=K,
        r2=float(r2),
        adj_r2=float(1 - (1 - r2) * (n - 1) / (n - K)),
        r2_within=None,
        vcov_type=f"FGLS (heteroskedastic by {group})",
        convention="stata",
        clusters=[],
        n_clusters=None,
        absorb=[],
        dropped=dropped,
        notes=notes,
    )
    res.extra["groups"] = len(levels)
    return res


def fit_first_difference(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str],
    controls: Sequence[str] | None,
    entity: str,
    time: str,
    cluster: str | Sequence[str] | None = None,
    vcov: str | None = None,
    time_dummies: bool = True,
    convention: str = "stata",
) -> RegressionResult:
    """First differences within ``entity`` over consecutive ``time`` periods, with time dummies.

    ``Δy_it = b Δx_it + Δcontrols + time dummies + Δe_it``: the entity effects difference out.
    Only consecutive periods are differenced; each entity's first period (and any period after
    a gap) has no predecessor and is counted in the notes. Other columns (e.g. clusters) are
    carried from the later period.
    """
    xs, controls, clusters = as_list(x), as_list(controls), as_list(cluster)
    cols = [y, *xs, *controls]
    check_columns(data, [*cols, entity, time, *clusters])
    check_ids(data, [entity, time, *clusters])
    check_time(data, time)
    check_unique_panel(data, entity, time)
    frame = data.sort_values([entity, time])
    diff = frame.groupby(entity)[cols].diff()
    gap = frame.groupby(entity)[time].diff()
    diff = diff.where(gap == 1)
    keep = [c for c in dict.fromkeys([entity, time, *clusters]) if c not in cols]
    diff[keep] = frame[keep]
    first = gap.isna() | (gap != 1)
    n_first = int(first.sum())
    diff = diff.loc[~first]
    res = fit_ols(
        diff,
        y,
        xs,
        controls,
        dummies=[time] if time_dummies else [],
        cluster=clusters or None,
        vcov=vcov,
        convention=convention,
        estimator="first difference",
    )
    res.notes.insert(0, f"first difference: {n_first:,} rows have no preceding period (first period or gap)")
    res.dropped += n_first
    return res
