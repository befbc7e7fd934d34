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

from aichain_utils.econometrics import cache
from aichain_utils.econometrics._data import (
    as_list,
    check_choice,
    check_columns,
    check_finite,
    check_ids,
    check_numeric,
    check_rank,
    check_roles,
    check_time,
    check_unique_panel,
    complete_cases,
)
from aichain_utils.econometrics._data import (
    drop_singletons as _drop_singleton_rows,
)
from aichain_utils.econometrics.covariance import CONVENTIONS, cluster_codes, sandwich
from aichain_utils.econometrics.fe import absorbed_dof, demean, demean_values
from aichain_utils.econometrics.result import RegressionResult
from aichain_utils.errors import input_error

__all__ = ["dummy_matrix", "fit_fgls", "fit_first_difference", "fit_ols", "prepare", "refit_vcov"]


def dummy_matrix(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """One 0/1 column per level of each factor, the first level of each dropped.

    Raises
    ------
    AichainInputError
        A column of ``columns`` is not in ``frame``.
    """
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise input_error("columns", "must be columns of the frame", absent, what="names")
    parts = [pd.get_dummies(frame[c], prefix=c, drop_first=True, dtype=float) for c in columns]
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


def prepare(
    data: pd.DataFrame,
    variables: Sequence[str],
    ids: Sequence[str],
    context: str,
    entity: str | None = None,
    time: str | None = None,
    roles: dict[str, Sequence[str]] | None = None,
) -> tuple[pd.DataFrame, int, list[str]]:
    """Check names and ids, then keep complete cases of ``variables`` (listwise deletion, reported).

    Raises
    ------
    AichainInputError
        A column is absent (:class:`~aichain_utils.econometrics._data.MissingColumnError`, also a
        ``KeyError``), a variable is not numeric or has an infinite value, no row is complete, an id
        (effect, cluster, entity, time) is missing in a complete row, the time column is not
        integer-valued (``TimeColumnError``, also a ``TypeError``), or an (entity, time) pair is
        duplicated.
    """
    ids = [i for i in dict.fromkeys(ids) if i is not None]
    check_columns(data, [*variables, *ids], roles)
    check_numeric(data, variables)
    check_finite(data, variables)
    frame, dropped, notes = complete_cases(data, list(variables), context)
    if frame.empty:
        raise input_error(
            "data",
            f"{context}: no row has all of {list(dict.fromkeys(variables))}",
            [len(data)],
            what="rows in the data",
        )
    check_ids(frame, ids)
    if time is not None:
        check_time(frame, time)
    if entity is not None and time is not None:
        check_unique_panel(frame, entity, time)
    return frame, dropped, notes


def _single(argument: str, value) -> str:
    """A single column name (the outcome, a cluster-free regressor)."""
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if value is None or isinstance(value, (list, tuple, set, dict, float)):
        raise input_error(argument, "must be one column name", [value], what="values")
    return value


def _regressors(argument: str, value) -> list[str]:
    out = as_list(value, argument)
    if not out:
        raise input_error(argument, "must name at least one regressor", [], what="values")
    return out


def _check_flag(argument: str, value) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise input_error(argument, "must be True or False", [value], what="values")


def check_outcome_varies(Y: np.ndarray, y: str, absorb: Sequence[str], centre: bool = False) -> None:
    """The outcome must vary (after the absorbed effects): otherwise every coefficient and SE is 0 and t is 0/0.

    Raises
    ------
    AichainInputError
    """
    scale = max(float(np.abs(Y).max()) if len(Y) else 0.0, 1.0)
    if not len(Y) or float(np.abs(Y - (Y.mean() if centre else 0.0)).max()) <= 1e-12 * scale:
        where = f" within the levels of the absorbed {list(absorb)}" if absorb else ""
        raise input_error(y, f"the outcome must vary{where} in the estimation sample (t would be 0/0)", [], what="rows")


def perfect_fit_residuals(u: np.ndarray, Y: np.ndarray, centre: bool, notes: list[str]) -> np.ndarray:
    """Residuals, set to exactly zero when they are rounding noise (a perfect fit), with a note.

    A perfect fit has zero residuals in exact arithmetic; in floating point they are of the order of
    1e-16 times the outcome and would give standard errors and t statistics of pure rounding noise.
    They are set to zero instead, so every standard error is 0, t is ±inf and p is 0 (Stata prints
    the SE as 0 and t as missing).
    """
    Yc = Y - Y.mean() if centre else Y
    if float(u @ u) <= 1e-24 * max(float(Yc @ Yc), np.finfo(float).tiny):
        notes.append("perfect fit: the residuals are zero (to rounding), so every standard error is 0")
        return np.zeros_like(u)
    return u


def check_residual_dof(n: int, k: int, context: str, absorbed: int = 0) -> None:
    """``n - k > 0``: the parameters (regressors, intercept, absorbed effects) must leave residual df.

    Raises
    ------
    AichainInputError
    """
    if n - k <= 0:
        raise input_error(
            "data",
            f"{context}: {n} observation(s) cannot identify {k} parameter(s) ({absorbed} of them intercept/absorbed "
            "effects); the residual degrees of freedom n - k must be positive (a one-unit panel, a cross-section "
            "absorbed by its own ids or singleton groups leave none)",
            [n - k],
            what="residual degrees of freedom",
        )


def _vcov_kind(vcov: str | None, clusters: list[str]) -> str:
    if vcov is None:
        return "cluster" if clusters else "robust"
    check_choice("vcov", vcov, ["unadjusted", "robust", "cluster"])
    if vcov == "cluster" and not clusters:
        raise input_error("cluster", "vcov='cluster' needs cluster=<column name(s)>", [], what="values")
    if vcov != "cluster" and clusters:
        raise input_error("cluster", f"was given with vcov={vcov!r}; use vcov='cluster'", clusters, what="columns")
    if len(clusters) > 2 or (len(clusters) == 2 and clusters[0] == clusters[1]):
        raise input_error("cluster", "one or two distinct cluster variables", clusters, what="columns")
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
    drop_singletons: bool = False,
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
        Further regressors (none may repeat ``x`` or ``y``).
    absorb : list of str
        Effects removed by the within transformation (their coefficients are not reported).
    dummies : list of str
        Factors entered as dummy columns (first level dropped).
    cluster : str or list of str
        Cluster variable(s) (at most two: Cameron-Gelbach-Miller two-way clustering).
    vcov : {"unadjusted", "robust", "cluster"}
        Default: ``"cluster"`` if ``cluster`` is given, else ``"robust"`` (HC1).
    convention : {"stata", "fixest", "linearmodels"}
        Small-sample factors and reference distribution (see
        :mod:`aichain_utils.econometrics.covariance`).
    constant : bool
        Include an intercept (ignored when effects are absorbed: they contain it).
    weights : str
        Column of analytic weights (Stata ``aweight``): weighted least squares. Rows with weight 0
        are dropped (they carry no information), as Stata does.
    entity, time : str
        Panel identifiers; if both are given, duplicated (entity, time) pairs are an error.
    drop_singletons : bool, default False
        Drop, iteratively, observations alone in a level of an absorbed effect before fitting.
        ``reghdfe``'s default is to drop them; ours keeps them (the published numbers of the book
        were computed so): coefficients are identical, ``n`` and the small-sample factors differ
        (the conventions appendix gives the size). Ignored without ``absorb``.

    Returns
    -------
    RegressionResult
        ``r2_within`` is reghdfe's within R² (the outcome demeaned by *every* absorbed effect);
        :meth:`RegressionResult.r2_within_panelols` gives linearmodels' PanelOLS one (entity only).

    Raises
    ------
    AichainInputError
        Missing column (``MissingColumnError``, also a ``KeyError``); a non-numeric or infinite
        variable (rows named; missing values are dropped listwise and reported in ``notes``);
        a missing id; a non-integer ``time`` (also a ``TypeError``); duplicated (entity, time)
        pairs; a column repeated among ``x``/``controls`` or equal to ``y``; unknown ``vcov``
        or ``convention``; negative or all-zero weights; a constant outcome (after the effects);
        no residual degrees of freedom (a one-unit panel, a cross-section absorbed by its own
        ids); a constant regressor or one absorbed by the effects (e.g. a treatment constant
        within units under unit effects) or a collinear one (named); fewer than two clusters;
        an absorbed-effects projection that does not converge.
    """
    spec = _ols_spec(y, x, controls, absorb, dummies, cluster, vcov, convention, constant, drop_singletons, weights)
    y, xs, controls, clusters, absorb, dummies, kind = (spec[key] for key in _SPEC_KEYS)
    frame, w, dropped, notes = _ols_sample(data, spec, entity, time, estimator, drop_singletons)
    Y, X, names, n_fixed, partial = _design(frame, y, xs, controls, absorb, dummies, w, constant, estimator)
    n, K = len(Y), X.shape[1]
    k = K + (absorbed_dof(frame, absorb, (), convention) if absorb else n_fixed if partial else 0)
    centre = constant and not absorb and not partial
    gram = X.T @ X if w is None else None  # unweighted: the cross-product checked is the one inverted
    within, effects = absorb or (dummies if partial else []), absorb or dummies
    _ols_checks(X, Y, names, (n, k, K), y, (within, effects), centre, estimator, gram)
    sw = np.sqrt(w) if w is not None else np.ones(len(Y))
    Xw, Yw = (X * sw[:, None], Y * sw) if w is not None else (X, Y)  # unweighted: no copy (times 1 is exact)
    bread = np.linalg.inv(Xw.T @ Xw if gram is None else gram)
    beta = bread @ (Xw.T @ Yw)
    u = perfect_fit_residuals(Yw - Xw @ beta, Yw, centre, notes)
    scores = Xw * u[:, None]
    k_c = K + (absorbed_dof(frame, absorb, clusters, convention) if absorb else n_fixed if partial else 0)
    codes = cluster_codes(frame, clusters) if kind == "cluster" else None
    cov = sandwich(kind, bread, scores, u, n, k, k_c, codes, convention)
    fit = _ols_fit_stats(frame[y].to_numpy(dtype=float), w, sw, u, Yw, n, k, bool(absorb), constant)
    res = _ols_result(estimator, y, names, beta, cov, (n, k), fit, (kind, convention, clusters), absorb, dropped, notes)
    res.extra["_parts"] = {"bread": bread, "scores": scores, "resid": u, "frame": frame, "k": k, "K": K,
                           "n_fixed": n_fixed if partial else 0, "weights": w}  # fmt: skip
    return res


def _ols_result(estimator, y, names, beta, cov, sizes, fit, inference, absorb, dropped, notes) -> RegressionResult:
    """The :class:`RegressionResult` of :func:`fit_ols` from its parts (``fit``: R-squared, adjusted, within)."""
    (n, k), (r2, adj, r2_within), (kind, convention, clusters) = sizes, fit, inference
    return RegressionResult(
        estimator=estimator, outcome=y, names=names, params=pd.Series(beta, index=names),
        vcov=pd.DataFrame(cov.V, index=names, columns=names), df=cov.df, n=n, k=k, r2=r2, adj_r2=adj,
        r2_within=r2_within, vcov_type=kind if kind != "cluster" else f"cluster ({' × '.join(clusters)})",
        convention=convention, clusters=clusters, n_clusters=cov.n_clusters, absorb=absorb, dropped=dropped,
        notes=notes,
    )  # fmt: skip


_SPEC_KEYS = ("y", "xs", "controls", "clusters", "absorb", "dummies", "kind")


def _ols_spec(y, x, controls, absorb, dummies, cluster, vcov, convention, constant, drop_singletons, weights) -> dict:
    """:func:`fit_ols`'s arguments checked and normalised (names as lists, the covariance kind, the roles)."""
    y = _single("y", y)
    xs, controls, clusters = _regressors("x", x), as_list(controls, "controls"), as_list(cluster, "cluster")
    absorb, dummies = as_list(absorb, "absorb"), as_list(dummies, "dummies")
    check_choice("convention", convention, CONVENTIONS)
    _check_flag("constant", constant)
    _check_flag("drop_singletons", drop_singletons)
    kind = _vcov_kind(vcov, clusters)
    roles = {"y": [y], "x": xs, "controls": controls, "weights": [weights] if weights else []}
    check_roles(roles, ["y", "x", "controls", "weights"])
    check_roles({"absorb": absorb, "dummies": dummies}, ["absorb", "dummies"])
    roles.update(absorb=absorb, dummies=dummies, cluster=clusters)
    return {"y": y, "xs": xs, "controls": controls, "clusters": clusters, "absorb": absorb, "dummies": dummies,
            "kind": kind, "roles": roles, "weights": weights}  # fmt: skip


def _ols_sample(data, spec, entity, time, estimator, drop_singletons):
    """The estimation sample: complete cases, positive weights, and (optionally) no singleton of an effect.

    Returns ``frame, weights, dropped, notes``.
    """
    roles = {**spec["roles"], "entity": [entity] if entity else [], "time": [time] if time else []}
    weights, absorb = spec["weights"], spec["absorb"]
    variables = [spec["y"], *spec["xs"], *spec["controls"]] + ([weights] if weights else [])
    ids = [*absorb, *spec["dummies"], *spec["clusters"], entity, time]
    frame, dropped, notes = prepare(data, variables, ids, estimator, entity, time, roles)
    frame, w = _positive_weights(frame, weights)
    if drop_singletons and absorb:
        frame, more = _drop_singleton_rows(frame, absorb, estimator)
        notes += more
        if frame.empty:
            raise input_error(
                "absorb", "every observation is a singleton of an absorbed effect", absorb, what="effects"
            )
        if w is not None:
            w = frame[weights].to_numpy(dtype=float)
    return frame, w, dropped, notes


def _ols_checks(X, Y, names, sizes, y, absorbed, centre, estimator, gram=None) -> None:
    """Residual degrees of freedom, a varying outcome and full column rank (the constant checked first).

    ``sizes`` is ``(n, k, K)``; ``absorbed`` is ``(within, effects)``: the effects the outcome must vary
    within and those named when a regressor does not vary within them. ``gram`` is ``X'X`` if computed.
    """
    (n, k, K), (within, effects) = sizes, absorbed
    check_residual_dof(n, k, estimator, k - K)
    check_outcome_varies(Y, y, within, centre=centre)
    if names and names[-1] == "const":
        order = [len(names) - 1, *range(len(names) - 1)]
        X, gram = X[:, order], None if gram is None else gram[np.ix_(order, order)]
    else:
        order = list(range(len(names)))
    check_rank(X, [names[i] for i in order], f"regressors of {estimator}", absorb=effects, gram=gram)


def _ols_fit_stats(raw, w, sw, u, Yw, n, k, absorbed, constant) -> tuple[float, float, float | None]:
    """R-squared (with the effects), adjusted R-squared and, with absorbed effects, reghdfe's within R-squared."""
    mean = np.average(raw, weights=w)
    tss = float(np.sum((sw * (raw - mean)) ** 2))
    rss = float(u @ u)
    r2 = 1 - rss / tss if (absorbed or constant) else 1 - rss / float(np.sum((sw * raw) ** 2))
    adj = 1 - (1 - r2) * (n - (1 if (absorbed or constant) else 0)) / (n - k)
    r2_within = 1 - rss / float(Yw @ Yw) if absorbed else None
    return float(r2), float(adj), None if r2_within is None else float(r2_within)


def _positive_weights(frame: pd.DataFrame, weights: str | None) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Analytic weights: negative ones are an error, zero ones drop their row, all zero is an error."""
    if not weights:
        return frame, None
    w = frame[weights].to_numpy(dtype=float)
    if (w < 0).any():
        raise input_error(weights, "analytic weights must be >= 0", list(frame.index[w < 0]))
    if not (w > 0).any():
        raise input_error(weights, "at least one weight must be positive", list(frame.index[:5]))
    return frame.loc[w > 0], w[w > 0]


def _design(frame, y, xs, controls, absorb, dummies, w, constant, estimator):
    """``Y``, ``X``, the column names, the parameters of partialled dummies and whether they were partialled."""
    partial = bool(dummies) and not absorb and constant
    n_fixed = 0
    if partial:  # the dummies and the intercept partialled out (FWL), counted as the dummy columns they equal
        Y, X, names, n_fixed = _partial_dummies(frame, y, [*xs, *controls], dummies, w, estimator)
    elif absorb and not dummies:  # the regressors are the frame's own columns: demeaned where they are
        names = [*xs, *controls]
        dm = demean_values(frame, [y, *names], absorb, weights=w)  # column-major, as a frame's to_numpy()
        Y, X = dm[:, 0], dm[:, 1:]
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
    return Y, X, names, n_fixed, partial


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
    n_fixed = 1 + sum(len(cache.codes(frame, d)[1]) - 1 for d in dummies)
    rank = absorbed_dof(frame, dummies, (), "stata")
    if rank < n_fixed:
        raise input_error(
            "dummies",
            f"the regressors of {estimator} are collinear: the dummies of {dummies} have {n_fixed - rank} "
            "redundant column(s) (their levels split the sample into separate groups). Drop one factor",
            dummies,
            what="factors",
        )
    dm = demean(frame, [y, *regressors], dummies, weights=w)
    return dm[y].to_numpy(), dm[regressors].to_numpy(), list(regressors), n_fixed


def refit_vcov(
    result: RegressionResult, vcov: str | None = None, cluster: str | Sequence[str] | None = None
) -> RegressionResult:
    """The same fit with another covariance estimator (no refit of the coefficients).

    Raises
    ------
    AichainInputError
        ``result`` is not a :func:`fit_ols` result; unknown ``vcov``; a cluster column absent
        from the estimation sample (``MissingColumnError``) or missing in some rows; more than
        two cluster variables; fewer than two clusters.
    """
    if not isinstance(result, RegressionResult) or "_parts" not in result.extra:
        raise input_error(
            "result", "must be a RegressionResult returned by fit_ols", [type(result).__name__], what="types"
        )
    parts = result.extra["_parts"]
    clusters = as_list(cluster, "cluster")
    kind = _vcov_kind(vcov, clusters)
    frame = parts["frame"]
    check_columns(frame, clusters, {"cluster": clusters})
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

    Raises
    ------
    AichainInputError
        As :func:`fit_ols` (missing columns, infinite values, a repeated regressor, missing ids,
        collinear or constant regressors, a constant outcome, no residual degrees of freedom), and
        a ``group`` level whose OLS residuals are all (numerically) zero: its weight ``1 / s_g^2``
        would be infinite (``xtgls`` fails there too).
    """
    y = _single("y", y)
    xs, controls, dummies = _regressors("x", x), as_list(controls, "controls"), as_list(dummies, "dummies")
    group = _single("group", group)
    roles = {"y": [y], "x": xs, "controls": controls, "dummies": dummies, "group": [group]}
    check_roles(roles, ["y", "x", "controls"])
    frame, dropped, notes = prepare(data, [y, *xs, *controls], [*dummies, group], "FGLS", roles=roles)
    regs, n_fixed = [*xs, *controls], 0
    if dummies:  # intercept and dummies partialled out (FWL), unweighted in step 1 and weighted in step 3
        Y, X, names, n_fixed = _partial_dummies(frame, y, regs, dummies, None, "FGLS")
    else:
        names = [*regs, "const"]
        X = np.column_stack([frame[regs].to_numpy(dtype=float), np.ones(len(frame))])
        Y = frame[y].to_numpy(dtype=float)
    check_residual_dof(len(Y), X.shape[1] + n_fixed, "FGLS", n_fixed)
    check_outcome_varies(Y, y, dummies, centre=not dummies)
    check_rank(X, names, "regressors of FGLS", absorb=dummies)
    e = Y - X @ np.linalg.solve(X.T @ X, X.T @ Y)  # X has full column rank (checked above)
    codes, levels = pd.factorize(frame[group])
    s2 = np.bincount(codes, weights=e**2) / np.bincount(codes)
    zero = s2 <= 1e-20 * max(float(np.mean(e**2)), np.finfo(float).tiny)
    if zero.any():
        raise input_error(
            group,
            "every group needs a positive residual variance (its FGLS weight is 1 / s_g^2)",
            list(levels[zero]),
            what="levels",
        )
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
    carried from the later period. Rows with a missing variable drop the differences that use
    them (listwise deletion, reported in ``notes``).

    Raises
    ------
    AichainInputError
        As :func:`fit_ols`; also when no entity is observed in two consecutive periods (a
        cross-section passed as a panel: there is nothing to difference).
    """
    y = _single("y", y)
    xs, controls, clusters = _regressors("x", x), as_list(controls, "controls"), as_list(cluster, "cluster")
    entity, time = _single("entity", entity), _single("time", time)
    _check_flag("time_dummies", time_dummies)
    cols = [y, *xs, *controls]
    roles = {"y": [y], "x": xs, "controls": controls, "entity": [entity], "time": [time], "cluster": clusters}
    check_roles(roles, ["y", "x", "controls"])
    check_columns(data, [*cols, entity, time, *clusters], roles)
    check_numeric(data, cols)
    check_finite(data, cols)
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
    if n_first == len(frame):
        raise input_error(
            entity,
            f"no entity is observed in two consecutive periods of '{time}': there is nothing to difference",
            list(frame[entity].unique()),
            what="entities",
        )
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
