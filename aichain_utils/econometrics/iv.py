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
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from linearmodels.iv.common import _kleibergen_paap
from scipy import stats

from aichain_utils.econometrics._data import as_list, check_rank
from aichain_utils.econometrics.covariance import cluster_codes, meat, sandwich
from aichain_utils.econometrics.fe import absorbed_dof, demean
from aichain_utils.econometrics.linear import _vcov_kind, prepare
from aichain_utils.econometrics.result import RegressionResult
from aichain_utils.econometrics.weakiv import effective_f, effective_f_critical_value, tf_critical_value

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


def _wald_excluded(v: np.ndarray, z: np.ndarray, codes: np.ndarray | None, kind: str) -> float:
    """Wald statistic (no small-sample factor) that ``z`` has zero coefficients in ``v`` on ``z``.

    ``v`` and ``z`` are already partialled on the included exogenous variables.
    """
    zz_inv = np.linalg.inv(z.T @ z)
    pi = zz_inv @ (z.T @ v)
    e = v - z @ pi
    if kind == "unadjusted":
        V = float(e @ e) / len(v) * zz_inv
    else:
        V = zz_inv @ meat(z * e[:, None], codes) @ zz_inv
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
    S = meat(Z * u[:, None], codes) / n
    if np.linalg.matrix_rank(S) < S.shape[0]:
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
) -> RegressionResult:
    """2SLS of ``y`` on ``endog`` (instrumented by ``instruments``) and ``controls``.

    Parameters
    ----------
    endog, instruments : str or list of str
        Endogenous regressor(s) and excluded instrument(s); at least as many instruments.
    absorb : list of str
        Effects removed from every variable (their parameters count in ``sdofminus``).
    cluster, vcov : see :func:`~aichain_utils.econometrics.linear.fit_ols`.
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

    Returns
    -------
    RegressionResult
        ``extra`` holds ``first_stage_F`` (and per-regressor ``first_stage_F_<name>``),
        ``first_stage_coef``/``first_stage_se`` (first instrument), ``kp_lm``, ``kp_lm_p``,
        ``kp_wald_chi2``, ``kp_wald_f``, ``cd_f``, ``hansen_j``/``hansen_j_p`` (over-identified),
        ``ar_chi2``, ``ar_f``, ``ar_p``, ``effective_f`` and its 10%-bias critical value
        ``effective_f_cv10`` (one endogenous regressor), the tF critical value, adjusted SE
        and interval of Lee et al. (2022) ``tf_critical_value``, ``tf_se``, ``tf_low``,
        ``tf_high`` (one endogenous regressor and one instrument) and, with one
        endogenous regressor and one instrument, the Anderson-Rubin set ``ar_low``/``ar_high``.
    """
    endog, instr = as_list(endog), as_list(instruments)
    controls, clusters, absorb = as_list(controls), as_list(cluster), list(absorb)
    if len(instr) < len(endog):
        raise ValueError(f"{len(endog)} endogenous regressor(s) {endog} need at least as many instruments; got {instr}")
    kind = _vcov_kind(vcov, clusters)
    cols = [y, *endog, *instr, *controls]
    frame, dropped, notes = prepare(data, cols, [*absorb, *clusters, entity, time], "IV", entity, time)
    if absorb:
        dm = demean(frame, cols, absorb)
        sdof = absorbed_dof(frame, absorb, clusters if kind == "cluster" else ()) if sdofminus is None else sdofminus
        exog_names = list(controls)
    else:
        dm = frame[cols].astype(float).copy()
        if constant:
            dm["const"] = 1.0
        sdof = 0 if sdofminus is None else sdofminus
        exog_names = [*controls, "const"] if constant else list(controls)
    names = [*endog, *exog_names]
    Y = dm[y].to_numpy()
    X = dm[names].to_numpy()
    Z = dm[[*instr, *exog_names]].to_numpy()
    check_rank(X[:, ::-1], names[::-1], "IV regressors")  # intercept and controls first
    check_rank(Z[:, ::-1], [*instr, *exog_names][::-1], "instruments")
    n, K = len(Y), X.shape[1]
    Xhat = Z @ _coefs(Z, X)
    bread = np.linalg.inv(Xhat.T @ Xhat)
    beta = bread @ (Xhat.T @ Y)
    u = Y - X @ beta
    codes = cluster_codes(frame, clusters) if kind == "cluster" else None
    dof = 0 if kind == "cluster" else dofminus
    if small:
        cov = sandwich(kind, bread, Xhat * u[:, None], u, n, K + sdof + dof, K + sdof, codes, "stata")
    else:
        cov = sandwich(kind, bread, Xhat * u[:, None], u, n, dof, 0, codes, "stata")
        if kind == "cluster":
            g = cov.n_clusters
            cov.V = cov.V / (g / (g - 1) * (n - 1) / n)
        cov.df = None
    tss = float(np.sum((frame[y] - frame[y].mean()) ** 2)) if (absorb or constant) else float(np.sum(frame[y] ** 2))
    rss = float(u @ u)
    r2 = 1 - rss / tss
    k_adj = K + (sdof if absorb else 0)
    res = RegressionResult(
        estimator="2SLS",
        outcome=y,
        names=names,
        params=pd.Series(beta, index=names),
        vcov=pd.DataFrame(cov.V, index=names, columns=names),
        df=cov.df,
        n=n,
        k=k_adj,
        r2=float(r2),
        adj_r2=float(1 - (1 - r2) * (n - 1) / (n - k_adj)),
        r2_within=float(1 - rss / float(Y @ Y)) if absorb else None,
        vcov_type=kind if kind != "cluster" else f"cluster ({' × '.join(clusters)})",
        convention="stata (ivreg2" + (", small)" if small else ")"),
        clusters=clusters,
        n_clusters=cov.n_clusters,
        absorb=absorb,
        dropped=dropped,
        notes=notes,
    )
    C = dm[exog_names].to_numpy()
    res.extra.update(_diagnostics(dm, Y, X, Z, u, C, endog, instr, codes, kind, sdof, dofminus, cov.n_clusters, b0))
    if len(endog) == 1 and len(instr) == 1:  # Lee et al. (2022) tF interval
        cv = tf_critical_value(res.extra["first_stage_F"])
        b, se = float(beta[0]), float(np.sqrt(cov.V[0, 0]))
        res.extra.update(tf_critical_value=cv, tf_se=se * cv / 1.96, tf_low=b - cv * se, tf_high=b + cv * se)
    return res


def _diagnostics(dm, Y, X, Z, u, C, endog, instr, codes, kind, sdof, dofminus, G, b0) -> dict:
    """First-stage, weak-identification, over-identification and Anderson-Rubin statistics."""
    n, L, L1 = len(Y), Z.shape[1], len(instr)
    dof = 0 if G else dofminus  # ivreg2 applies dofminus to non-clustered statistics (and to Cragg-Donald)
    adj = (n - dof) / n

    def to_f(chi2: float, clustered: bool = True) -> float:
        return _to_f(chi2, n, L, L1, sdof, G if clustered else None, dof if clustered else dofminus)

    code0 = codes[0] if codes else None
    if codes and len(codes) > 1:
        raise ValueError("IV diagnostics support one cluster variable")
    zt = _partial(dm[instr].to_numpy(), C)
    out: dict = {}
    for j, name in enumerate(endog):
        v = _partial(dm[[name]].to_numpy(), C)[:, 0]
        chi2 = _wald_excluded(v, zt, code0, kind) * adj
        out[f"first_stage_F_{name}"] = to_f(chi2)
        if j == 0:
            out["first_stage_F"] = out[f"first_stage_F_{name}"]
            zz_inv = np.linalg.inv(zt.T @ zt)
            pi = zz_inv @ (zt.T @ v)
            e = v - zt @ pi
            Vpi = zz_inv @ meat(zt * e[:, None], code0) @ zz_inv if kind != "unadjusted" else (e @ e) / n * zz_inv
            out["first_stage_coef"] = float(pi[0])
            out["first_stage_se"] = float(np.sqrt(Vpi[0, 0]))
    xe = _partial(dm[endog].to_numpy(), C)
    cov_type = {"unadjusted": "unadjusted", "robust": "robust", "cluster": "clustered"}[kind]
    cfg = {"clusters": code0} if code0 is not None else None
    lm, f_lm = _kleibergen_paap(xe, zt, np.zeros((n, 0)), "unadjusted", None)
    cd_chi2 = f_lm * L1 * n / (n - L1) * (n - dofminus) / n  # Cragg-Donald chi2 from linearmodels' F (no exog passed)
    out["cd_f"] = to_f(cd_chi2, clustered=False)
    lm_df = L1 - len(endog) + 1
    if kind == "unadjusted":
        lm_stat = float(lm.stat) * adj
        out.update(kp_lm=lm_stat, kp_wald_chi2=cd_chi2, kp_wald_f=out["cd_f"])
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lm, f_lm = _kleibergen_paap(xe, zt, np.zeros((n, 0)), cov_type, cfg)
        if caught:
            out["kp_warning"] = str(caught[0].message)
        scale = (n - L1) * (G - 1) / G / (n - 1) if G else (n - L1) / n
        w = f_lm * L1 / scale * (1.0 if G else adj)
        lm_stat = float(lm.stat) * (1.0 if G else adj)
        out.update(kp_lm=lm_stat, kp_wald_chi2=float(w))
        out["kp_wald_f"] = to_f(w)
    out["kp_lm_p"] = float(stats.chi2.sf(lm_stat, lm_df))
    overid = L1 - len(endog)
    j = _hansen_j(Z, X, Y, u, code0, kind) * (1.0 if G else adj) if overid else 0.0
    out.update(hansen_j=j, hansen_j_df=overid, hansen_j_p=float(stats.chi2.sf(j, overid)) if overid else np.nan)
    ry = _partial(Y[:, None], C)[:, 0]
    ar = _wald_excluded(ry - xe @ np.full(len(endog), b0), zt, code0, kind) * (1.0 if G else adj)
    out.update(ar_chi2=ar, ar_f=to_f(ar), ar_p=float(stats.chi2.sf(ar, L1)))
    if len(endog) == 1:
        out["effective_f"] = effective_f(xe[:, 0], zt, code0, kind)
        out["effective_f_cv10"] = effective_f_critical_value(xe[:, 0], zt, code0, kind, tau=0.10)
        if L1 == 1:
            lo, hi, shape = anderson_rubin_ci(ry, xe[:, 0], zt[:, 0], code0 if kind == "cluster" else None)
            out.update(ar_low=lo, ar_high=hi, ar_shape=shape)
    return out


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
    py, px = (z @ y) / zz, (z @ x) / zz
    ey, ex = y - py * z, x - px * z
    if clusters is None:
        sy, sx = z * ey, z * ex
    else:
        codes = pd.factorize(clusters)[0]
        sy = np.bincount(codes, weights=z * ey)
        sx = np.bincount(codes, weights=z * ex)
    crit = stats.chi2.ppf(level, 1)
    a2 = px**2 - crit * (sx @ sx) / zz**2
    a1 = -2 * py * px + 2 * crit * (sy @ sx) / zz**2
    a0 = py**2 - crit * (sy @ sy) / zz**2
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
