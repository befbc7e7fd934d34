"""Two-stage least squares with several instruments and absorbed effects, as ``ivreg2`` reports it.

Stata equivalent: ``ivreg2 y controls (endog = instruments), [robust|cluster()] [small]
first`` (Baum, Schaffer & Stillman 2007), or ``ivreghdfe ..., absorb(effects)`` with absorbed
effects, whose degrees of freedom enter as ``ivreg2``'s ``sdofminus``. With ``K`` regressors
and ``L`` instruments (both counting the intercept and included controls), ``L1`` excluded
instruments and ``sdofminus`` absorbed parameters:

* covariance: the 2SLS sandwich; with ``small``, times ``N / (N - K - sdofminus)`` (robust) or
  ``(N - 1) / (N - K - sdofminus) * G / (G - 1)`` (cluster), reference t(N - K - sdofminus) or
  t(G - 1); without ``small`` no factor and the normal;
* first-stage F and KP rk Wald F: ``W / N * (N - L - sdofminus) / L1`` (robust) and
  ``W / (N - 1) * (N - L - sdofminus) * (G - 1) / G / L1`` (cluster), ``W`` the Wald statistic;
* Cragg-Donald F (iid) likewise from its chi-squared; KP rk LM (Kleibergen & Paap 2006) as
  ``ranktest``; Hansen's J from the two-step efficient GMM residuals (Sargan's with iid errors);
* Anderson-Rubin test of ``b = b0`` and, for one endogenous regressor and one instrument, its
  closed-form confidence set.

Two cluster variables (``cluster=[a, b]``) give ivreg2's ``cluster(a b)``: every meat is
``M_a + M_b - M_ab`` (Cameron, Gelbach & Miller 2011) and every factor and reference
distribution uses ``G = min(G_a, G_b)``. A statistic that needs more clusters than there are
(a clustered covariance of ``L1`` excluded-instrument coefficients has rank at most ``G - 1``)
is NaN with the reason in ``extra["not_available"]``, as ivreg2 omits it; the coefficients and
their standard errors stay defined.

The first-stage coefficient's standard error ``first_stage_se`` has no small-sample factor
(``(Z'Z)^-1 Z'ΩZ (Z'Z)^-1`` with ``Ω`` from the first-stage residuals; ``e'e / n`` when iid),
whether or not ``small`` is set: it is the scale on which the first-stage Wald statistics are
built. Stata's ``regress`` of the first stage (and ivreg2's ``first`` table with ``small``)
multiplies the variance by ``n / (n - L - sdofminus)`` (robust), ``(n - 1) / (n - L - sdofminus)
* G / (G - 1)`` (cluster) or uses ``e'e / (n - L - sdofminus)`` (iid); the conventions appendix
gives the size.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from linearmodels.iv.common import _first_stage_rank, _kleibergen_paap
from scipy import stats

from aichain_utils.econometrics._data import as_list, check_rank, check_roles
from aichain_utils.econometrics._data import drop_singletons as _drop_singleton_rows
from aichain_utils.econometrics.covariance import cluster_codes, cluster_meat, sandwich
from aichain_utils.econometrics.fe import absorbed_dof, demean
from aichain_utils.econometrics.linear import (
    _check_flag,
    _regressors,
    _single,
    _vcov_kind,
    check_outcome_varies,
    check_residual_dof,
    perfect_fit_residuals,
    prepare,
)
from aichain_utils.econometrics.result import RegressionResult
from aichain_utils.econometrics.weakiv import effective_f, effective_f_critical_value, tf_critical_value
from aichain_utils.errors import input_error

__all__ = ["anderson_rubin_ci", "fit_iv"]


def _coefs(C: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Least-squares coefficients of ``A`` on ``C`` by the normal equations (``C`` has full column rank:
    :func:`check_rank` has passed it), some twenty times faster than an SVD on a long panel."""
    return np.linalg.solve(C.T @ C, C.T @ A)


def _partial(A: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Residuals of the columns of ``A`` on ``C`` (FWL)."""
    if C.shape[1] == 0:
        return A
    return A - C @ _coefs(C, A)


def _positive_definite(M: np.ndarray, tol: float = 1e-12) -> bool:
    """True if ``M`` (a meat or covariance) is positive definite on the scale of its own diagonal."""
    d = np.diag(M)
    if M.size == 0 or not np.isfinite(M).all() or (d <= 0).any():
        return False
    R = M / np.sqrt(np.outer(d, d))
    return bool(np.linalg.eigvalsh((R + R.T) / 2).min() > tol)


def _short_of_clusters(what: str, n_restrictions: int, G: int | None) -> str:
    if not G:
        return (
            f"{what}: the covariance of the scores of {n_restrictions} excluded instrument(s) is singular "
            "(too few observations, or a perfect first stage)"
        )
    return (
        f"{what}: the clustered covariance of the scores of {n_restrictions} excluded instrument(s) is singular or "
        f"not positive definite with {G} clusters (it has rank at most G - 1); ivreg2 does not report it either"
    )


def _wald_excluded(v: np.ndarray, z: np.ndarray, codes, kind: str) -> float:
    """Wald statistic (no small-sample factor) that ``z`` has zero coefficients in ``v`` on ``z``.

    ``v`` and ``z`` are already partialled on the included exogenous variables. NaN when the
    covariance of the coefficients is not positive definite (too few clusters).
    """
    zz_inv = np.linalg.inv(z.T @ z)
    pi = zz_inv @ (z.T @ v)
    e = v - z @ pi
    if kind == "unadjusted":
        V = float(e @ e) / len(v) * zz_inv
    else:
        M = cluster_meat(z * e[:, None], codes)
        if not _positive_definite(M):
            return float("nan")
        V = zz_inv @ M @ zz_inv
    return float(pi @ np.linalg.solve(V, pi))


def _to_f(chi2: float, n: int, L: int, L1: int, sdof: int, n_clusters: int | None, dof: int = 0) -> float:
    """``ivreg2``'s conversion of a Wald chi-squared on ``L1`` restrictions to an F statistic.

    ``chi2`` already carries the large-sample factor ``(n - dofminus) / n`` (non-clustered).
    """
    if n_clusters is None:
        return chi2 / (n - dof) * (n - L - sdof - dof) / L1
    return chi2 / (n - 1) * (n - L - sdof) * (n_clusters - 1) / n_clusters / L1


def _hansen_j(Z: np.ndarray, X: np.ndarray, Y: np.ndarray, u: np.ndarray, codes, kind: str) -> float:
    """Hansen's J (robust/cluster) or Sargan's statistic (iid) of the over-identifying restrictions."""
    n = len(Y)
    if kind == "unadjusted":
        pu = Z @ np.linalg.lstsq(Z, u, rcond=None)[0]
        return float(n * (pu @ pu) / (u @ u))
    S = cluster_meat(Z * u[:, None], codes) / n
    if np.linalg.matrix_rank(S) < S.shape[0] or not _positive_definite(S):
        return float("nan")  # fewer clusters than instruments: ivreg2 reports no J either
    W = np.linalg.inv(S)
    zx, zy = Z.T @ X / n, Z.T @ Y / n
    b = np.linalg.solve(zx.T @ W @ zx, zx.T @ W @ zy)
    g = Z.T @ (Y - X @ b) / n
    return float(n * g @ W @ g)


def fit_iv(
    data: pd.DataFrame,
    y: str,
    endog: str | Sequence[str],
    instruments: str | Sequence[str],
    controls: Sequence[str] | None = None,
    absorb: Sequence[str] = (),
    cluster: str | Sequence[str] | None = None,
    vcov: str | None = None,
    small: bool = False,
    constant: bool = True,
    sdofminus: int | None = None,
    dofminus: int = 0,
    entity: str | None = None,
    time: str | None = None,
    b0: float = 0.0,
    drop_singletons: bool = False,
) -> RegressionResult:
    """2SLS of ``y`` on ``endog`` (instrumented by ``instruments``) and ``controls``.

    Parameters
    ----------
    endog, instruments : str or list of str
        Endogenous regressor(s) and excluded instrument(s); at least as many instruments.
    absorb : list of str
        Effects removed from every variable (their parameters count in ``sdofminus``).
    cluster : str or list of two str
        One cluster variable, or two for ivreg2's two-way ``cluster(a b)`` (Cameron-Gelbach-Miller:
        ``V = V_a + V_b - V_ab``, small-sample factor and t/F df from ``G = min(G_a, G_b)``).
    vcov : see :func:`~aichain_utils.econometrics.linear.fit_ols`.
    small : bool
        ``ivreg2``'s ``small``: small-sample factors and t/F reference distributions.
    constant : bool
        Intercept (ignored with ``absorb``). ``fit_iv(..., absorb=())`` includes it, so the
        results are those of ``ivreg2`` (Wooldridge 2010, Examples 15.1 and 15.5 on MROZ).
    sdofminus : int
        Absorbed parameters; default: those of ``absorb`` (intercept included) that are not
        nested in the clusters, as ``ivreghdfe`` passes them.
    dofminus : int
        ``ivreg2``'s large-sample adjustment (``xtivreg2, fe`` passes the number of panels):
        non-clustered variances and statistics are scaled by ``n / (n - dofminus)``.
    b0 : float
        Null value of every endogenous coefficient in the Anderson-Rubin test.
    drop_singletons : bool, default False
        Drop singleton groups of the absorbed effects first (``ivreghdfe``/``reghdfe``'s default;
        ours keeps them, see :func:`~aichain_utils.econometrics.fit_ols`).

    Returns
    -------
    RegressionResult
        ``extra`` holds ``first_stage_F`` (and per-regressor ``first_stage_F_<name>``),
        ``first_stage_coef``/``first_stage_se`` (first instrument; the SE without small-sample
        factor, see the module docstring), ``kp_lm``, ``kp_lm_p``,
        ``kp_wald_chi2``, ``kp_wald_f``, ``cd_f``, ``hansen_j``/``hansen_j_p`` (over-identified),
        ``ar_chi2``, ``ar_f``, ``ar_p``, ``effective_f`` and its 10%-bias critical value
        ``effective_f_cv10`` (one endogenous regressor), the tF critical value, adjusted SE
        and interval of Lee et al. (2022) ``tf_critical_value``, ``tf_se``, ``tf_low``,
        ``tf_high`` (one endogenous regressor and one instrument) and, with one
        endogenous regressor and one instrument, the Anderson-Rubin set ``ar_low``/``ar_high``.
        ``not_available`` maps every statistic reported as NaN to the reason (exactly identified;
        too few clusters for the number of excluded instruments; an empty AR set).

    Raises
    ------
    AichainInputError
        Missing column (``MissingColumnError``); non-numeric or infinite variables (missing ones
        are dropped listwise and reported); missing ids; fewer instruments than endogenous
        regressors; an endogenous regressor among the instruments or controls, an instrument among
        the controls, the outcome among the regressors; unknown ``vcov``; more than two cluster
        variables or fewer than two clusters; negative ``dofminus``/``sdofminus``; a non-finite
        ``b0``; a constant outcome; no residual degrees of freedom; regressors that are constant,
        absorbed by the effects or collinear; rank-deficient instruments (an instrument constant
        after the controls/effects or collinear with another).
    """
    flags = (small, constant, drop_singletons)
    spec = _iv_spec(y, endog, instruments, controls, absorb, cluster, vcov, flags, (sdofminus, dofminus, b0))
    y, endog, instr, controls, clusters, absorb, kind = (spec[key] for key in _IV_KEYS)
    frame, dropped, notes = _iv_sample(data, spec, entity, time, drop_singletons)
    dm, sdof, exog_names = _iv_transform(frame, spec, constant, sdofminus)
    names = [*endog, *exog_names]
    Y, X, Z = dm[y].to_numpy(), dm[names].to_numpy(), dm[[*instr, *exog_names]].to_numpy()
    _iv_checks(frame, Y, X, Z, spec, names, exog_names, constant, sdofminus)
    n, K = len(Y), X.shape[1]
    Xhat = Z @ _coefs(Z, X)
    bread = np.linalg.inv(Xhat.T @ Xhat)
    beta = bread @ (Xhat.T @ Y)
    u = perfect_fit_residuals(Y - X @ beta, Y, constant and not absorb, notes)
    codes = cluster_codes(frame, clusters) if kind == "cluster" else None
    cov = _iv_covariance(kind, bread, Xhat * u[:, None], u, n, K, sdof, dofminus, codes, small)
    res = _iv_result(frame, spec, names, beta, cov, u, Y, sdof, (constant, small), (dropped, notes))
    C = dm[exog_names].to_numpy()
    diag = _diagnostics(dm, Y, X, Z, u, C, endog, instr, codes, kind, sdof, dofminus, cov.n_clusters, b0)
    res.extra.setdefault("not_available", {}).update(diag.pop("not_available"))
    res.extra.update(diag)
    if len(endog) == 1 and len(instr) == 1:
        _tf_interval(res, float(beta[0]), float(np.sqrt(cov.V[0, 0])))
    return res


_IV_KEYS = ("y", "endog", "instr", "controls", "clusters", "absorb", "kind")


def _iv_spec(y, endog, instruments, controls, absorb, cluster, vcov, flags, counts) -> dict:
    """:func:`fit_iv`'s arguments checked and normalised; ``flags`` is ``(small, constant, drop_singletons)``,
    ``counts`` is ``(sdofminus, dofminus, b0)``."""
    y = _single("y", y)
    endog, instr = _regressors("endog", endog), _regressors("instruments", instruments)
    controls, clusters, absorb = as_list(controls, "controls"), as_list(cluster, "cluster"), as_list(absorb, "absorb")
    roles = {"y": [y], "endog": endog, "instruments": instr, "controls": controls}
    check_roles(roles, ["y", "endog", "instruments", "controls"])
    if len(instr) < len(endog):
        raise input_error(
            "instruments",
            f"{len(endog)} endogenous regressor(s) {endog} need at least as many excluded instruments",
            instr,
            what="instruments",
        )
    for flag, value in zip(("small", "constant", "drop_singletons"), flags, strict=True):
        _check_flag(flag, value)
    _check_counts(*counts)
    return {"y": y, "endog": endog, "instr": instr, "controls": controls, "clusters": clusters, "absorb": absorb,
            "kind": _vcov_kind(vcov, clusters), "roles": roles}  # fmt: skip


def _iv_sample(data, spec, entity, time, drop_singletons):
    """Complete cases of the IV's variables (and, optionally, no singleton of an absorbed effect)."""
    absorb, clusters = spec["absorb"], spec["clusters"]
    cols = [spec["y"], *spec["endog"], *spec["instr"], *spec["controls"]]
    roles = {**spec["roles"], "absorb": absorb, "cluster": clusters}
    frame, dropped, notes = prepare(data, cols, [*absorb, *clusters, entity, time], "IV", entity, time, roles)
    if drop_singletons and absorb:
        frame, more = _drop_singleton_rows(frame, absorb, "IV")
        notes += more
        if frame.empty:
            raise input_error(
                "absorb", "every observation is a singleton of an absorbed effect", absorb, what="effects"
            )
    return frame, dropped, notes


def _iv_transform(frame, spec, constant, sdofminus):
    """The variables with the absorbed effects removed (or with an intercept), ivreg2's ``sdofminus``
    and the included exogenous columns."""
    absorb, controls, clusters = spec["absorb"], spec["controls"], spec["clusters"]
    cols = [spec["y"], *spec["endog"], *spec["instr"], *controls]
    if absorb:
        dm = demean(frame, cols, absorb)
        dof_clusters = clusters if spec["kind"] == "cluster" else ()
        sdof = absorbed_dof(frame, absorb, dof_clusters) if sdofminus is None else sdofminus
        return dm, sdof, list(controls)
    dm = frame[cols].astype(float).copy()
    if constant:
        dm["const"] = 1.0
    sdof = 0 if sdofminus is None else sdofminus
    return dm, sdof, [*controls, "const"] if constant else list(controls)


def _iv_checks(frame, Y, X, Z, spec, names, exog_names, constant, sdofminus) -> None:
    """Residual degrees of freedom, ``sdofminus``, a varying outcome, full rank of regressors and instruments."""
    absorb, instr = spec["absorb"], spec["instr"]
    n, K = len(Y), X.shape[1]
    n_absorbed = absorbed_dof(frame, absorb, ()) if absorb else 0
    check_residual_dof(n, max(K, Z.shape[1]) + n_absorbed, "IV", n_absorbed)
    if sdofminus is not None and n - Z.shape[1] - sdofminus <= 0:
        raise input_error(
            "sdofminus",
            f"leaves no degrees of freedom: n - L - sdofminus = {n - Z.shape[1] - sdofminus}",
            [sdofminus],
            what="values",
        )
    check_outcome_varies(Y, spec["y"], absorb, centre=constant and not absorb)
    check_rank(X[:, ::-1], names[::-1], "IV regressors", absorb=absorb)  # intercept and controls first
    check_rank(Z[:, ::-1], [*instr, *exog_names][::-1], "instruments", absorb=absorb)


def _iv_result(frame, spec, names, beta, cov, u, Y, sdof, flags, reported) -> RegressionResult:
    """The :class:`RegressionResult` of :func:`fit_iv` (R-squareds as ivreg2 reports them); ``flags`` is
    ``(constant, small)``, ``reported`` is ``(dropped, notes)``."""
    y, absorb, clusters, kind = spec["y"], spec["absorb"], spec["clusters"], spec["kind"]
    (constant, small), (dropped, notes) = flags, reported
    n, K = len(Y), len(names)
    tss = float(np.sum((frame[y] - frame[y].mean()) ** 2)) if (absorb or constant) else float(np.sum(frame[y] ** 2))
    rss = float(u @ u)
    r2 = 1 - rss / tss
    k_adj = K + (sdof if absorb else 0)
    res = RegressionResult(
        estimator="2SLS", outcome=y, names=names, params=pd.Series(beta, index=names),
        vcov=pd.DataFrame(cov.V, index=names, columns=names), df=cov.df, n=n, k=k_adj, r2=float(r2),
        adj_r2=float(1 - (1 - r2) * (n - 1) / (n - k_adj)) if n > k_adj else float("nan"),
        r2_within=float(1 - rss / float(Y @ Y)) if absorb else None,
        vcov_type=kind if kind != "cluster" else f"cluster ({' × '.join(clusters)})",
        convention="stata (ivreg2" + (", small)" if small else ")"), clusters=clusters, n_clusters=cov.n_clusters,
        absorb=absorb, dropped=dropped, notes=notes,
    )  # fmt: skip
    if not n > k_adj:
        res.extra.setdefault("not_available", {})["adj_r2"] = f"n = {n} <= k = {k_adj} (absorbed parameters counted)"
    return res


def _tf_interval(res: RegressionResult, b: float, se: float) -> None:
    """Lee et al. (2022) tF critical value, adjusted SE and interval (one endogenous regressor, one instrument)."""
    f1 = res.extra["first_stage_F"]
    if np.isfinite(f1):
        cv = tf_critical_value(f1)
        res.extra.update(tf_critical_value=cv, tf_se=se * cv / 1.96, tf_low=b - cv * se, tf_high=b + cv * se)
        return
    nan = float("nan")
    res.extra.update(tf_critical_value=nan, tf_se=nan, tf_low=nan, tf_high=nan)
    for key in ("tf_critical_value", "tf_se", "tf_low", "tf_high"):
        res.extra["not_available"][key] = "the first-stage F is not available"


def _check_counts(sdofminus, dofminus, b0) -> None:
    if sdofminus is not None and not (isinstance(sdofminus, (int, np.integer)) and sdofminus >= 0):
        raise input_error("sdofminus", "must be a non-negative integer or None", [sdofminus], what="values")
    if not (isinstance(dofminus, (int, np.integer)) and dofminus >= 0):
        raise input_error("dofminus", "must be a non-negative integer", [dofminus], what="values")
    if not (isinstance(b0, (int, float, np.integer, np.floating)) and np.isfinite(b0)):
        raise input_error("b0", "must be a finite number", [b0], what="values")


def _iv_covariance(kind, bread, scores, u, n, K, sdof, dofminus, codes, small):
    """ivreg2's 2SLS covariance: with ``small`` the Stata factors, else none (normal reference)."""
    dof = 0 if kind == "cluster" else dofminus
    if small:
        return sandwich(kind, bread, scores, u, n, K + sdof + dof, K + sdof, codes, "stata")
    if n - dof <= 0:
        raise input_error("dofminus", f"must be below the number of observations ({n})", [dofminus], what="values")
    cov = sandwich(kind, bread, scores, u, n, dof, 0, codes, "stata")
    if kind == "cluster":
        g = cov.n_clusters
        cov.V = cov.V / (g / (g - 1) * (n - 1) / n)
    cov.df = None
    return cov


def _first_stage(dm, C, zt, endog, codes, kind, n, adj, to_f, na) -> dict:
    """First-stage F of each endogenous regressor and the first instrument's coefficient and SE."""
    out: dict = {}
    for j, name in enumerate(endog):
        v = _partial(dm[[name]].to_numpy(), C)[:, 0]
        chi2 = _wald_excluded(v, zt, codes, kind) * adj
        out[f"first_stage_F_{name}"] = to_f(chi2)
        if not np.isfinite(chi2):
            na[f"first_stage_F_{name}"] = _short_of_clusters("first-stage F", zt.shape[1], _g(codes))
        if j == 0:
            out["first_stage_F"] = out[f"first_stage_F_{name}"]
            if not np.isfinite(chi2):
                na["first_stage_F"] = na[f"first_stage_F_{name}"]
            zz_inv = np.linalg.inv(zt.T @ zt)
            pi = zz_inv @ (zt.T @ v)
            e = v - zt @ pi
            if kind == "unadjusted":
                Vpi = (e @ e) / n * zz_inv
            else:
                Vpi = zz_inv @ cluster_meat(zt * e[:, None], codes) @ zz_inv
            out["first_stage_coef"] = float(pi[0])
            if Vpi[0, 0] >= 0:
                out["first_stage_se"] = float(np.sqrt(Vpi[0, 0]))
            else:
                out["first_stage_se"] = float("nan")
                na["first_stage_se"] = "the two-way clustered variance of the first-stage coefficient is negative"
    return out


def _g(codes) -> int | None:
    if not codes:
        return None
    return min(int(c.max()) + 1 for c in (codes[:2] if len(codes) == 3 else codes))


def _rk_two_way(xe: np.ndarray, zt: np.ndarray, codes: list[np.ndarray], wald: bool) -> float:
    """Kleibergen-Paap rk statistic (LM, or Wald with the first-stage residuals) with a two-way meat.

    The computation of linearmodels' ``_rk_chi2`` (Kleibergen & Paap 2006, as ``ranktest``) with
    the score covariance ``(M_a + M_b - M_ab) / n``; NaN when that covariance is not positive definite.
    """
    dec = _first_stage_rank(xe, zt, np.zeros((len(xe), 0)), "Kleibergen-Paap rk")
    if not hasattr(dec, "theta"):
        return float("nan")
    v = dec.x - dec.z @ dec.pihat if wald else dec.x
    scores = np.column_stack([v[:, [j]] * dec.z for j in range(v.shape[1])])
    shat = cluster_meat(scores, codes) / dec.nobs
    transform = np.kron(dec.irqxx.T, dec.irqzz.T)
    kpvar = transform @ shat @ transform.T
    kk = dec.nendog - 1
    select = np.kron(dec.v[:, kk:].T, dec.u[:, kk:].T)
    lam = select @ dec.theta.ravel(order="F")
    vlam = select @ kpvar @ select.T
    vlam = (vlam + vlam.T) / 2
    if not _positive_definite(vlam):
        return float("nan")
    return float(dec.nobs * lam @ np.linalg.solve(vlam, lam))


def _kp(xe, zt, codes, kind, n, L1, G, adj, to_f, na) -> dict:
    """Kleibergen-Paap rk LM and Wald statistics (Cragg-Donald's with iid errors)."""
    out: dict = {}
    lm, f_lm = _kleibergen_paap(xe, zt, np.zeros((n, 0)), "unadjusted", None)
    cd_chi2 = f_lm * L1 * n / (n - L1)  # Cragg-Donald chi2 from linearmodels' F (no exog passed)
    out["cd_chi2_raw"] = cd_chi2
    if kind == "unadjusted":
        return {"kp_lm": float(lm.stat) * adj, "cd_chi2_raw": cd_chi2}
    if codes is not None and len(codes) == 3:
        lm_stat, w = _rk_two_way(xe, zt, codes, wald=False), _rk_two_way(xe, zt, codes, wald=True)
    elif G is not None and G - 1 < L1:
        lm_stat = w = float("nan")
    else:
        cov_type = "clustered" if kind == "cluster" else "robust"
        cfg = {"clusters": codes[0]} if codes else None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lm, f_lm = _kleibergen_paap(xe, zt, np.zeros((n, 0)), cov_type, cfg)
        if caught:
            out["kp_warning"] = str(caught[0].message)
        scale = (n - L1) * (G - 1) / G / (n - 1) if G else (n - L1) / n
        w = f_lm * L1 / scale * (1.0 if G else adj)
        lm_stat = float(getattr(lm, "stat", np.nan)) * (1.0 if G else adj)
    if not np.isfinite(lm_stat):
        na["kp_lm"] = na["kp_lm_p"] = _short_of_clusters("Kleibergen-Paap rk LM", L1, G)
    if not np.isfinite(w):
        na["kp_wald_chi2"] = na["kp_wald_f"] = _short_of_clusters("Kleibergen-Paap rk Wald", L1, G)
    out.update(kp_lm=lm_stat, kp_wald_chi2=float(w), kp_wald_f=to_f(w))
    return out


def _diagnostics(dm, Y, X, Z, u, C, endog, instr, codes, kind, sdof, dofminus, G, b0) -> dict:
    """First-stage, weak-identification, over-identification and Anderson-Rubin statistics."""
    n, L, L1 = len(Y), Z.shape[1], len(instr)
    dof = 0 if G else dofminus  # ivreg2 applies dofminus to non-clustered statistics (and to Cragg-Donald)
    adj = (n - dof) / n
    na: dict[str, str] = {}

    def to_f(chi2: float, clustered: bool = True) -> float:
        return _to_f(chi2, n, L, L1, sdof, G if clustered else None, dof if clustered else dofminus)

    zt = _partial(dm[instr].to_numpy(), C)
    out = _first_stage(dm, C, zt, endog, codes, kind, n, adj, to_f, na)
    xe = _partial(dm[endog].to_numpy(), C)
    kp = _kp(xe, zt, codes, kind, n, L1, G, adj, to_f, na)
    cd_chi2 = kp.pop("cd_chi2_raw") * (n - dofminus) / n
    out["cd_f"] = to_f(cd_chi2, clustered=False)
    if kind == "unadjusted":
        kp.update(kp_wald_chi2=cd_chi2, kp_wald_f=out["cd_f"])
    out.update(kp)
    lm_df = L1 - len(endog) + 1
    out["kp_lm_p"] = float(stats.chi2.sf(out["kp_lm"], lm_df))
    overid = L1 - len(endog)
    j = _hansen_j(Z, X, Y, u, codes, kind) * (1.0 if G else adj) if overid else 0.0  # ivreg2: J = 0, no p
    out.update(hansen_j=j, hansen_j_df=overid, hansen_j_p=float(stats.chi2.sf(j, overid)) if overid else np.nan)
    if not overid:
        na["hansen_j_p"] = "exactly identified: no over-identifying restriction to test (J = 0, as ivreg2)"
    elif not np.isfinite(j):
        na["hansen_j"] = na["hansen_j_p"] = _short_of_clusters("Hansen J", L, G)
    ry = _partial(Y[:, None], C)[:, 0]
    ar = _wald_excluded(ry - xe @ np.full(len(endog), b0), zt, codes, kind) * (1.0 if G else adj)
    out.update(ar_chi2=ar, ar_f=to_f(ar), ar_p=float(stats.chi2.sf(ar, L1)))
    if not np.isfinite(ar):
        na["ar_chi2"] = na["ar_f"] = na["ar_p"] = _short_of_clusters("Anderson-Rubin", L1, G)
    if len(endog) == 1:
        out.update(_weak_iv(xe[:, 0], zt, codes, kind, L1, G, na))
        if L1 == 1:
            lo, hi, shape = anderson_rubin_ci(ry, xe[:, 0], zt[:, 0], codes if kind == "cluster" else None)
            out.update(ar_low=lo, ar_high=hi, ar_shape=shape)
            if shape == "empty":
                na["ar_low"] = na["ar_high"] = "the Anderson-Rubin confidence set is empty at this level"
    fs_resid = xe - zt @ np.linalg.lstsq(zt, xe, rcond=None)[0]
    perfect = float(np.abs(fs_resid).max()) <= 1e-10 * max(float(np.abs(xe).max()), 1e-300)
    for key, value in out.items():  # no NaN without a reason
        if isinstance(value, float) and np.isnan(value) and key not in na:
            na[key] = (
                "perfect first stage: the endogenous regressor(s) are exact combinations of the instruments, so "
                "the first-stage residuals are zero and the statistic is undefined (its F would be infinite)"
                if perfect
                else _short_of_clusters(key, L1, G)
            )
    out["not_available"] = na
    return out


def _weak_iv(v, zt, codes, kind, L1, G, na) -> dict:
    """Effective F and its critical value; NaN with a reason when the score covariance is degenerate.

    Both use only the trace and eigenvalues of the score covariance, so they stay defined with
    fewer clusters than instruments (a singular one-way meat); a two-way meat that is not positive
    semi-definite, or a zero one, makes them NaN with the reason.
    """
    if kind != "unadjusted":
        e = v - zt @ np.linalg.lstsq(zt, v, rcond=None)[0]
        S = cluster_meat(zt * e[:, None], codes)
        d = np.diag(S)
        psd = (d > 0).all() and np.linalg.eigvalsh(S / np.sqrt(np.outer(d, d))).min() > -1e-12
        if not psd:
            na["effective_f"] = na["effective_f_cv10"] = (
                f"effective F: the clustered score covariance is not positive semi-definite with {G} clusters"
            )
            return {"effective_f": float("nan"), "effective_f_cv10": float("nan")}
    return {
        "effective_f": effective_f(v, zt, codes, kind),
        "effective_f_cv10": effective_f_critical_value(v, zt, codes, kind, tau=0.10),
    }


def _ar_codes(clusters, n: int) -> list[np.ndarray] | None:
    """Cluster codes for :func:`anderson_rubin_ci`: labels (n,), two label columns (n, 2) or internal codes."""
    if clusters is None:
        return None
    if isinstance(clusters, list) and all(isinstance(c, np.ndarray) for c in clusters):
        return clusters
    frame = pd.DataFrame(clusters) if np.ndim(clusters) == 2 else pd.DataFrame({"c": np.asarray(clusters)})
    if len(frame) != n or frame.shape[1] not in (1, 2):
        raise input_error("clusters", f"must hold one or two label columns with {n} rows", [frame.shape], what="shapes")
    if frame.isna().any().any():
        raise input_error(
            "clusters", "may not be missing", np.flatnonzero(frame.isna().any(axis=1).to_numpy()).tolist()
        )
    codes = cluster_codes(frame, list(frame.columns))
    if min(int(c.max()) + 1 for c in codes[:2]) < 2:
        raise input_error("clusters", "need at least two clusters", [], what="values")
    return codes


def anderson_rubin_ci(
    y: np.ndarray, x: np.ndarray, z: np.ndarray, clusters: np.ndarray | None = None, level: float = 0.95
) -> tuple[float, float, str]:
    """Anderson-Rubin confidence set for one endogenous regressor and one instrument.

    All inputs are already residualised on the exogenous regressors and fixed effects.
    ``AR(b0)`` is the robust (or clustered) Wald statistic of ``z`` in the regression of
    ``y - b0 x`` on ``z``; it is a ratio of two quadratics in ``b0``, so the set
    ``{b0 : AR(b0) <= chi2_1(level)}`` is found in closed form. It stays valid however weak
    the instrument. ``clusters`` may hold one column of labels or two (two-way: each cross
    product of cluster sums is ``A + B - (A and B)``).

    Returns
    -------
    low, high, shape
        ``shape`` is ``"interval"``, ``"unbounded"`` (union of two rays: bounds are the
        inner endpoints), ``"real line"`` (bounds -inf, inf) or ``"empty"`` (bounds NaN: no
        value is accepted at this level).

    Raises
    ------
    AichainInputError
        Inputs of different lengths or with missing/infinite values; an instrument that is all
        zero; ``level`` outside (0, 1); cluster labels of the wrong length, missing, or fewer
        than two clusters.
    """
    y, x, z = (np.asarray(v, dtype=float).ravel() for v in (y, x, z))
    if not (len(y) == len(x) == len(z)) or len(y) < 2:
        raise input_error("y, x, z", "must have the same length (at least 2)", [len(y), len(x), len(z)], what="lengths")
    for name, v in (("y", y), ("x", x), ("z", z)):
        if not np.isfinite(v).all():
            raise input_error(name, "must be finite (no NaN or inf)", np.flatnonzero(~np.isfinite(v)).tolist())
    if not (isinstance(level, (int, float, np.floating)) and 0 < level < 1):
        raise input_error("level", "must lie strictly between 0 and 1", [level], what="values")
    zz = z @ z
    if zz <= 0:
        raise input_error("z", "the instrument is zero in every row (after partialling): no first stage", [])
    codes = _ar_codes(clusters, len(y))
    py, px = (z @ y) / zz, (z @ x) / zz
    ey, ex = y - py * z, x - px * z
    M = cluster_meat(np.column_stack([z * ey, z * ex]), codes)
    syy, syx, sxx = M[0, 0], M[0, 1], M[1, 1]
    crit = stats.chi2.ppf(level, 1)
    a2 = px**2 - crit * sxx / zz**2
    a1 = -2 * py * px + 2 * crit * syx / zz**2
    a0 = py**2 - crit * syy / zz**2
    disc = a1**2 - 4 * a2 * a0
    if a2 > 0:
        if disc < 0:
            return (np.nan, np.nan, "empty")
        r = np.sqrt(disc)
        lo, hi = sorted(((-a1 - r) / (2 * a2), (-a1 + r) / (2 * a2)))
        return (float(lo), float(hi), "interval")
    if disc < 0 or a2 == 0:
        return (-np.inf, np.inf, "real line")
    r = np.sqrt(disc)
    lo, hi = sorted(((-a1 - r) / (2 * a2), (-a1 + r) / (2 * a2)))
    return (float(lo), float(hi), "unbounded")
