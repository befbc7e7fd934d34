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

import contextlib
import numbers
import re
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from aichain_utils import econometrics as ec
from aichain_utils.econometrics import (
    Estimate,
    anderson_rubin_ci,
    cache,
    complete_cases,
    demean,
    has_infinite,
    has_missing,
)
from aichain_utils.errors import AichainInputError, input_error

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
_ENGINES = ("core", "fast")


# --- the replication layer's contract (issue 23): checks shared by models, replication, matching,
# --- mediation and heterogeneity. Every check raises AichainInputError naming the column or argument.


class _MissingColumnError(AichainInputError, KeyError):
    """A column the specification needs is not in the panel (an AichainInputError that is also a KeyError)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def _join(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def require_frame(data: object, argument: str = "data") -> None:
    """``data`` must be a pandas DataFrame (the analysis panel); raises :class:`AichainInputError`."""
    if not isinstance(data, pd.DataFrame):
        raise input_error(
            argument, "must be a pandas DataFrame (the analysis panel)", [type(data).__name__], what="type"
        )


def require_columns(data: pd.DataFrame, columns: Sequence[str], context: str) -> None:
    """Every name in ``columns`` must be a column of ``data``.

    The message says what needs them and which are absent ("Table 10 needs LCV and WCV; the panel
    has neither"). Raises :class:`AichainInputError` (also a ``KeyError``, so the message contains
    "no column").
    """
    require_frame(data)
    needed = [c for c in dict.fromkeys(columns) if c is not None]
    missing = [c for c in needed if c not in data.columns]
    if not missing:
        return
    if len(missing) == len(needed) == 2:
        has = "the panel has neither (no column of either name)"
    elif len(missing) == len(needed) > 2:
        has = "the panel has none of them (no column of any of those names)"
    else:
        has = f"the panel has no column {_join(missing)}"
    err = input_error(missing[0], f"{context} needs {_join(needed)}; {has}", missing, what="absent columns")
    raise _MissingColumnError(str(err), argument=err.argument, rule=err.rule, offending=err.offending)


def check_panel(
    data: pd.DataFrame,
    variables: Sequence[str],
    ids: Sequence[str],
    context: str,
    vary: Sequence[str] = (),
) -> pd.DataFrame:
    """The contract's up-front checks of a panel; returns the complete rows of ``variables`` (not a copy to fit).

    * every column of ``variables`` and ``ids`` is present (:func:`require_columns`);
    * every variable is numeric and has no infinite value (an infinity is not a missing value);
    * at least one row has every variable present, and every variable has some non-missing value;
    * on those rows, no identifier (unit, industry, year, cluster, group) is missing;
    * every column of ``vary`` takes at least two values on those rows.

    Raises
    ------
    AichainInputError
        Naming the column, the rule and the offending rows or values.
    """
    variables = [v for v in dict.fromkeys(variables) if v is not None]
    ids = [i for i in dict.fromkeys(ids) if i is not None]
    require_columns(data, [*variables, *ids], context)
    complete = np.ones(len(data), dtype=bool)
    for v in variables:
        col = data[v]
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            raise input_error(v, f"{context}: must be numeric; it has dtype {col.dtype}", [col.dtype], what="dtype")
        if len(data) and not (has_infinite(data, v) or has_missing(data, v)):  # once per column content
            continue
        values = col.to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(values)
        if bad.any():
            raise input_error(v, f"{context}: must be finite (an infinity is not a missing value)", data.index[bad])
        present = ~np.isnan(values)
        if not present.any():
            raise input_error(v, f"{context}: has no non-missing value ({len(col):,} rows, all missing)")
        complete &= present
    # the whole frame when every row is complete (no copy of a wide panel), else its complete rows
    frame = data if complete.all() else data.loc[complete]
    if frame.empty:
        raise input_error(_join(variables), f"{context}: no row has all of {variables} present")
    for i in ids:
        bad = frame[i].isna()
        if bad.any():
            raise input_error(i, f"{context}: identifier must not be missing", frame.index[bad])
    for v in dict.fromkeys(vary):
        values = frame[v].to_numpy(dtype=float, na_value=np.nan)
        values = values[~np.isnan(values)]
        if not len(values) or values.min() == values.max():  # fewer than two distinct values
            raise input_error(
                v,
                f"{context}: must vary; it takes one value on the {len(frame):,} usable rows",
                values[:1].tolist(),
                what="values",
            )
    return frame


def check_choice(argument: str, value: object, choices: Sequence[str]) -> None:
    """``value`` must be one of the strings ``choices``; raises :class:`AichainInputError`."""
    if not isinstance(value, str) or value not in choices:
        raise input_error(argument, f"must be one of {tuple(choices)}", [value], what="values")


def check_count(argument: str, value: object, minimum: int = 1) -> int:
    """An integer count (bootstrap replications, ...) at least ``minimum``; raises :class:`AichainInputError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise input_error(argument, f"must be an integer of at least {minimum}", [value], what="values")
    return int(value)


def check_roles(
    x: str,
    y: str,
    controls: Sequence[str],
    others: dict[str, Sequence[str]] | None = None,
    labels: tuple[str, str] = ("y", "x"),
) -> None:
    """No variable may play two roles (outcome, regressor, a control twice, an instrument among the controls).

    ``labels`` names the roles of ``y`` and ``x`` in the message (e.g. ``("time", "treat_var")``).
    Raises :class:`AichainInputError` naming the role and the variable.
    """
    roles: dict[str, str] = {}
    named = [(labels[0], [y]), (labels[1], [x]), ("controls", list(controls)), *((others or {}).items())]
    for role, names in named:
        for name in names:
            if not isinstance(name, str):
                raise input_error(role, "must hold column names (strings)", [name], what="values")
            if name in roles:
                raise input_error(
                    role,
                    f"'{name}' is already used as {roles[name]}; a variable can play one role",
                    [name],
                    what="values",
                )
            roles[name] = {"controls": "a control", "dummies": "a dummy factor"}.get(role, role)


@contextlib.contextmanager
def core_errors(context: str, argument: str | None = None) -> Iterator[None]:
    """Re-raise the econometrics core's plain errors as :class:`AichainInputError`, keeping their message.

    The core names the column and the rule ("the regressors of two-way FE are collinear: 'AIE' is
    zero after removing the fixed effects"); this only gives those errors the contract's type and
    the specification's name. A singular system (``LinAlgError``) that the up-front checks did not
    foresee is reported the same way, never bare.
    """
    try:
        yield
    except AichainInputError:
        raise
    except (ValueError, KeyError, TypeError, ZeroDivisionError, np.linalg.LinAlgError) as exc:
        message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        if isinstance(exc, np.linalg.LinAlgError):
            message = f"the system is numerically singular ({message}); a variable has no variation left"
        named = re.search(r"'([^']+)'", message)
        where = named.group(1) if named else argument
        raise AichainInputError(f"{context}: {message}", argument=where, rule=message) from exc


def check_estimate(est: Estimate, context: str) -> Estimate:
    """A fitted coefficient must have a finite coefficient and a positive, finite standard error.

    A zero or undefined standard error means the outcome is fit exactly (no residual variation
    after the effects and controls) or too few observations remain; raises :class:`AichainInputError`.
    """
    if not (np.isfinite(est.coef) and np.isfinite(est.se) and est.se > 0):
        raise input_error(
            est.outcome,
            f"{context}: no usable standard error for '{est.regressor}' (coef {est.coef!r}, SE {est.se!r}): "
            "the outcome is fit exactly by the regressors and effects, or too few rows remain",
            [est.n],
            what="observations",
        )
    return est


def _cov_args(cov: str, argument: str = "cov") -> dict:
    if not isinstance(cov, str) or cov not in _COV_TYPES:
        raise input_error(argument, f"cov must be one of {_COV_TYPES}", [cov], what="values")
    if cov in _CLUSTER:
        return {"vcov": "cluster", "cluster": _CLUSTER[cov]}
    return {"vcov": cov, "cluster": None}


def _ids(data: pd.DataFrame, entity: str = UNIT, time: str = TIME) -> dict:
    """Panel identifiers for the duplicate check, when the data have them."""
    return {"entity": entity, "time": time} if entity in data.columns and time in data.columns else {}


def _spec_checks(
    data: pd.DataFrame,
    context: str,
    y: str,
    x: str,
    controls: list[str],
    ids: Sequence[str] = (),
    covs: Sequence[str] = (),
    others: dict[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Arguments and panel of one regression: roles, covariance names, columns, ids, finiteness, variation."""
    require_frame(data)
    if isinstance(covs, str):
        raise input_error("also_cov", "must be a tuple of covariance names", [covs], what="values")
    for k, cov in enumerate(covs):
        _cov_args(cov, "cov" if k == 0 else "also_cov")
    check_roles(x, y, controls, others)
    clusters = [_CLUSTER[c] for c in covs if c in _CLUSTER]
    extra = [v for vs in (others or {}).values() for v in vs] if others and "instrument" in others else []
    frame = check_panel(data, [y, x, *controls, *extra], [*ids, *clusters], context, vary=[y, x, *extra])
    if UNIT in frame.columns and TIME in frame.columns and _duplicated_pairs(frame):
        dup = frame.duplicated([UNIT, TIME], keep=False)
        if dup.any():
            raise input_error(UNIT, f"{context}: each ({UNIT}, {TIME}) pair must occur once", frame.index[dup])
    return frame


def _duplicated_pairs(frame: pd.DataFrame) -> bool:
    """Whether a (unit, year) pair occurs twice (checked once per sample inside ``cache.sharing``)."""
    return cache.memo("duplicated", frame, [UNIT, TIME], None, lambda: bool(frame.duplicated([UNIT, TIME]).any()))


def _estimate(res: ec.RegressionResult, x: str, estimator: str, cov: str, controls, fe: str, also_cov) -> Estimate:
    est = res.estimate(x, controls=bool(controls), fixed_effects=fe)
    est.estimator, est.cov_type = estimator, cov
    for other in also_cov:
        alt = ec.refit_vcov(res, **_cov_args(other))
        est.extra[f"se_{other}"] = float(alt.se[x])
    return check_estimate(est, estimator)


_RAISES = """
    Raises
    ------
    AichainInputError
        ``data`` is not a DataFrame; a column it needs is absent (also a ``KeyError``); a variable is
        non-numeric, infinite or all missing; no row is complete; an identifier (effect, dummy,
        cluster) is missing on a usable row; the outcome or ``x`` is constant; a variable plays two
        roles (``x`` among the controls); ``cov``/``also_cov`` is unknown; the regressors are
        collinear after the effects (the core's message, naming the column); a (unit, year) pair
        occurs twice; no standard error can be computed (outcome fit exactly)."""


@cache.shared
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
    _spec_checks(data, "pooled OLS", y, x, controls, dummies, (cov, *also_cov), {"dummies": dummies})
    with core_errors("pooled OLS", x):
        res = ec.fit_ols(data, y, x, controls, dummies=dummies, estimator="pooled OLS", **_cov_args(cov), **_ids(data))
        fe = " + ".join(f"{d} dummies" for d in dummies) if dummies else "none"
        return _estimate(res, x, "pooled OLS", cov, controls, fe, also_cov)


fit_pooled_ols.__doc__ += _RAISES


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
    effects; the book checks this numerically. Raises as :func:`fit_pooled_ols`.
    """
    est = fit_pooled_ols(data, y, x, controls, list(effects), cov, also_cov)
    est.estimator = "LSDV"
    return est


def _check_weights(data: pd.DataFrame, weights: object) -> None:
    if not isinstance(weights, pd.Series):
        raise input_error("weights", "must be a pandas Series aligned with data", [type(weights).__name__], what="type")
    absent = data.index.difference(weights.index)
    if len(absent):
        raise input_error("weights", "must have a value for every row of data (aligned on the index)", absent)
    w = weights.reindex(data.index)
    if not pd.api.types.is_numeric_dtype(w):
        raise input_error("weights", "must be numeric", [w.dtype], what="dtype")
    bad = data.index[(w < 0) | np.isinf(w.to_numpy(dtype=float))]
    if len(bad):
        raise input_error("weights", "must be finite and non-negative", bad)
    if not (w.fillna(0) > 0).any():
        raise input_error("weights", "must be positive on some row (all are zero or missing)", [], what="rows")


@cache.shared
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
    ``engine`` (``"core"`` or ``"fast"``) is kept for older callers; both are the same core and
    give the same numbers.

    Returns
    -------
    Estimate
        ``r2`` is the R-squared with the effects (as a dummy regression and reghdfe's "R-squared"
        report), ``adj_r2`` adjusted for the absorbed effects. ``r2_within`` is reghdfe's "Within
        R-sq." (the outcome and regressors demeaned by both effects), as the core's
        ``RegressionResult.r2_within``; ``r2_within_panelols`` is linearmodels ``PanelOLS``'s
        ``rsquared_within``, the fitted slopes applied to data demeaned by ``entity`` only,
        ``1 - sum(e~^2) / sum(y~^2)`` with ``y~``, ``X~`` the entity-demeaned outcome and
        regressors (year effects not removed, weighted means with ``weights``). The two answer
        different questions; the conventions appendix computes both on the build's panel.
    """
    controls = list(controls or [])
    check_choice("engine", engine, _ENGINES)
    for name, value in (("entity", entity), ("time", time)):
        if not isinstance(value, str):
            raise input_error(name, "must be a column name", [value], what="values")
    if entity == time:
        raise input_error("entity", "must differ from time", [entity], what="values")
    _spec_checks(data, "two-way FE", y, x, controls, [entity, time], (cov, *also_cov))
    if weights is not None:
        _check_weights(data, weights)
    frame = data if weights is None else data.assign(_weight=weights.reindex(data.index))
    with core_errors("two-way FE", x):
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
    est.r2_within_panelols = res.r2_within_panelols(entity)  # linearmodels PanelOLS's rsquared_within
    return est


fit_two_way_fe.__doc__ += (
    _RAISES
    + """ Also: ``engine`` unknown; ``entity``/``time`` not column names or equal;
        ``weights`` not a Series, missing rows of ``data``, negative or infinite, or all zero."""
)


@cache.shared
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
    normal p-values are those ``xtgls`` reports. With one ``group`` level the weights are
    constant and the estimate is OLS with the maximum-likelihood variance ``e'e / n``, as
    ``xtgls`` with one panel gives.
    """
    controls = list(controls or [])
    _spec_checks(data, "FGLS", y, x, controls, [*dummies, group], (), {"dummies": list(dummies)})
    with core_errors("FGLS", x):
        res = ec.fit_fgls(data, y, x, controls, dummies=list(dummies), group=group)
        est = res.estimate(x, controls=bool(controls), fixed_effects=" + ".join(dummies))
    est.cov_type = "FGLS (groupwise heteroskedastic)"
    return check_estimate(est, "FGLS")


fit_fgls.__doc__ += _RAISES + """ Also: zero residual variance in a ``group`` level."""


@cache.shared
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
    frame = _spec_checks(data, "first difference", y, x, controls, [entity, time], (cov,))
    with core_errors("first difference", time):
        years = frame[[entity, time]].sort_values([entity, time])
        consecutive = (years.groupby(entity)[time].diff() == 1).sum()
        if not consecutive:
            raise input_error(
                time, "first difference: no unit has two consecutive periods with every variable present", []
            )
        res = ec.fit_first_difference(data, y, x, controls, entity, time, **_cov_args(cov))
        est = res.estimate(x, controls=bool(controls), fixed_effects="unit (differenced) + year dummies")
    est.cov_type = cov
    return check_estimate(est, "first difference")


fit_first_difference.__doc__ += _RAISES + """ Also: ``time`` not integer-valued; no unit has two consecutive periods."""


def _instrument_list(data: pd.DataFrame, instrument: object) -> list[str]:
    instruments = [instrument] if isinstance(instrument, str) else instrument
    if not isinstance(instruments, (list, tuple)) or not instruments:
        raise input_error(
            "instrument", "must name at least one excluded instrument (e.g. 'IV1')", [instrument], what="values"
        )
    if len(set(instruments)) < len(instruments):
        raise input_error("instrument", "names an instrument twice", list(instruments), what="values")
    require_frame(data)
    unknown = [i for i in instruments if isinstance(i, str) and i not in data.columns]
    if unknown:
        err = input_error(
            "instrument",
            f"unknown instrument {_join(unknown)}: the panel has no column of that name (the book's are IV1-IV4)",
            unknown,
            what="values",
        )
        raise _MissingColumnError(str(err), argument=err.argument, rule=err.rule, offending=err.offending)
    return list(instruments)


@cache.shared
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

    Degrees-of-freedom conventions of the extras differ (inherited from the core; the conventions
    appendix gives their size on the default panel): ``first_stage_se`` is the first instrument's
    SE in the partialled first stage with **no** small-sample factor (HC0 with ``cov="robust"``,
    CRV0 without ``G/(G-1)`` when clustered, ``e'e/n`` when unadjusted), while ``first_stage_F``
    applies ``small``'s factors (``n - K - sdofminus`` and ``G/(G-1)``), as ``ivreg2`` reports it.
    The t of the first stage therefore does not equal ``sqrt(first_stage_F)``: on the default
    simulated panel the SE implied by the F is 4.9% larger than ``first_stage_se`` for IV2-IV4 and
    5.5% for IV1 (``tests/test_replication_conventions.py`` recomputes these).
    """
    controls = list(controls or [])
    instruments = _instrument_list(data, instrument)
    _spec_checks(data, "2SLS", y, x, controls, list(effects), (cov,), {"instrument": instruments})
    args = _cov_args(cov)
    with core_errors("2SLS", instruments[0]):
        res = ec.fit_iv(data, y, x, instruments, controls, absorb=list(effects), small=True, **args, **_ids(data))
        fixed = " + ".join(e.replace("_id", "") for e in effects)
        est = res.estimate(x, controls=bool(controls), fixed_effects=fixed)
    est.estimator, est.cov_type = f"2SLS ({', '.join(instruments)})", cov
    return check_estimate(est, "2SLS")


fit_iv.__doc__ += (
    _RAISES
    + """ Also: no instrument, an instrument named twice, an unknown instrument name
        (no such column), an instrument that is ``x``, ``y`` or a control, an instrument without
        variation (constant, or constant within the absorbed effects: the core's collinearity message)."""
)


@cache.shared
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
    controls = list(controls or [])
    check_count("reps", reps, 1)
    check_count("seed", seed, 0)
    check_choice("weights", weights, ("webb", "rademacher", "mammen"))
    if isinstance(b0, bool) or not isinstance(b0, numbers.Real) or not np.isfinite(b0):
        raise input_error("b0", "must be a finite number", [b0], what="values")
    frame = _spec_checks(data, "wild cluster bootstrap", y, x, controls, [*effects, cluster])
    n_clusters = frame[cluster].nunique()
    if n_clusters < 2:
        raise input_error(
            cluster, "the wild cluster bootstrap needs at least two clusters", [n_clusters], what="counts"
        )
    with core_errors("wild cluster bootstrap", x):
        return ec.wild_cluster_bootstrap(
            data, y, x, controls, list(effects), cluster, b0=b0, reps=reps, seed=seed, weights=weights
        )


wild_cluster_bootstrap.__doc__ += (
    _RAISES
    + """ Also: ``reps`` not an integer >= 1, ``seed`` not an integer >= 0, ``weights``
        unknown, ``b0`` not finite, fewer than two clusters."""
)
