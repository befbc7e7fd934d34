"""Propensity-score matching for Table 5 column (7) (倾向得分匹配, PSM).

The paper does not define its treatment, propensity model or matching rule. Reading,
stated in the endogeneity chapter:

* treatment: a unit-year with AI embedding above the median of its year (high AIE); a
  treatment column that is already 0/1 is used as it is (any share treated);
* propensity model: logit of treatment on the controls and year dummies, maximum likelihood
  by Newton's method to convergence (statsmodels, on the distinct rows of the design weighted by their
  counts: the same likelihood; an error if it does not converge);
* matching: each treated unit-year to its nearest control on the logit of the propensity
  score, with replacement, within a caliper of 0.2 pooled standard deviations of that logit,
  ``sqrt((s_treated^2 + s_control^2) / 2)`` (Austin 2011); treated rows without a control
  inside the caliper are dropped and counted. Tie rule (deterministic): controls at the same
  distance (within 1e-10) all match and share the treated row's weight equally, as
  ``teffects psmatch`` uses ties;
* outcome model: the two-way fixed-effects regression of ERL on AIE and the controls on the
  matched sample, with controls weighted by how often they were used.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import statsmodels.api as sm
from matplotlib.figure import Figure

from aichain_utils.econometrics import check_rank
from aichain_utils.errors import input_error
from aichain_utils.replication.models import (
    CONTROLS,
    check_panel,
    check_roles,
    complete_cases,
    core_errors,
    require_columns,
    require_frame,
)

__all__ = ["MatchResult", "balance_table", "match_on_propensity", "plot_common_support"]


@dataclass
class MatchResult:
    """Output of :func:`match_on_propensity`."""

    data: pd.DataFrame  # the input rows used, with treated, pscore, logit, weight (0 = unmatched)
    caliper: float
    n_treated: int
    n_matched_treated: int
    n_controls_used: int
    notes: list[str]

    @property
    def matched(self) -> pd.DataFrame:
        """Rows in the matched sample (weight > 0)."""
        return self.data[self.data["weight"] > 0]


def _treatment(frame: pd.DataFrame, treat_var: str, time: str) -> np.ndarray:
    """The treated rows: a 0/1 ``treat_var`` as given, else ``treat_var`` above its median within ``time``;
    at least two treated and two control rows."""
    values = frame[treat_var]
    if set(values.unique()) <= {0, 1}:
        treated = values.to_numpy().astype(bool)
    else:
        treated = (values > frame.groupby(time)[treat_var].transform("median")).to_numpy()
    n_t = int(treated.sum())
    if min(n_t, len(treated) - n_t) < 2:
        raise input_error(
            treat_var,
            f"PSM needs at least two treated and two control rows; {treat_var!r} gives {n_t} treated "
            f"of {len(treated)} rows",
            [n_t],
            what="treated counts",
        )
    return treated


def _pooled_logit_sd(lps: np.ndarray, treated: np.ndarray) -> float:
    """The pooled SD of the logit score over the treated and control rows, the caliper's unit (Austin 2011)."""
    pooled_sd = np.sqrt((lps[treated].var(ddof=1) + lps[~treated].var(ddof=1)) / 2)
    if not pooled_sd > 0:
        raise input_error(
            "logit_pscore",
            "has no spread within the treated and control rows: no caliper can be set",
            [pooled_sd],
            what="values",
        )
    return pooled_sd


def match_on_propensity(
    data: pd.DataFrame,
    covariates: list[str] | None = None,
    treat_var: str = "AIE",
    caliper_sd: float = 0.2,
    time: str = "year",
) -> MatchResult:
    """Nearest-neighbour propensity-score matching with replacement, a caliper and shared ties.

    Parameters
    ----------
    data : DataFrame
        The analysis panel.
    covariates : list of str
        Propensity-model covariates (default: the paper's controls); ``time`` dummies are added.
    treat_var : str
        A 0/1 column is the treatment; otherwise treatment is ``treat_var`` above its median
        within ``time``.
    caliper_sd : float
        Caliper in pooled standard deviations of the logit of the propensity score (Austin 2011).
    time : str
        Period column (dummies in the logit; medians for a continuous ``treat_var``).

    Raises
    ------
    AichainInputError
        ``caliper_sd`` not a finite number > 0; ``treat_var``, a covariate or ``time`` absent (also a
        ``KeyError``), non-numeric, infinite or all missing; ``time`` missing on a usable row;
        ``treat_var`` among the covariates; ``treat_var`` constant or giving fewer than two treated
        or two control rows; a covariate constant or collinear with the others and the time dummies
        (named); the logit not converging (separation); a logit score without spread in a group.
    """
    covariates = list(covariates or CONTROLS)
    if isinstance(caliper_sd, bool) or not isinstance(caliper_sd, numbers.Real) or not 0 < caliper_sd < np.inf:
        raise input_error("caliper_sd", "must be a finite number > 0", [caliper_sd], what="values")
    require_frame(data)
    check_roles(treat_var, time, covariates, {}, labels=("time", "treat_var"))
    check_panel(data, [treat_var, *covariates], [time], "PSM", vary=[treat_var])
    frame, _, notes = complete_cases(data, [treat_var, *covariates], "PSM")
    treated = _treatment(frame, treat_var, time)
    lps = _logit_scores(frame, treated, covariates, time, treat_var)
    ps = 1 / (1 + np.exp(-lps))
    caliper = caliper_sd * _pooled_logit_sd(lps, treated)
    weight, ok = _match(lps, treated, caliper)
    t_idx, c_idx = np.flatnonzero(treated), np.flatnonzero(~treated)
    out = frame.copy()
    out["treated"] = treated
    out["pscore"] = ps
    out["logit_pscore"] = lps
    out["weight"] = weight
    n_unmatched = int((~ok).sum())
    notes.append(
        f"PSM: {int(ok.sum()):,} of {len(t_idx):,} treated rows matched within the caliper; "
        f"{n_unmatched:,} treated rows without a control inside it were dropped"
    )
    return MatchResult(
        data=out,
        caliper=float(caliper),
        n_treated=len(t_idx),
        n_matched_treated=int(ok.sum()),
        n_controls_used=int((weight[c_idx] > 0).sum()),
        notes=notes,
    )


def _logit_scores(
    frame: pd.DataFrame, treated: np.ndarray, covariates: list[str], time: str, treat_var: str = "treatment"
) -> np.ndarray:
    """Linear predictor of the maximum-likelihood logit (Newton's method on the distinct design rows).

    The design (constant, covariates, time dummies) is checked for full column rank first (a
    constant or collinear covariate is named); a logit that does not converge (separation: some
    combination of covariates predicts treatment perfectly) raises :class:`AichainInputError`.
    """
    dummies = pd.get_dummies(frame[time], prefix=time, drop_first=True, dtype=float) if time in frame else None
    Z = pd.concat([frame[covariates], dummies], axis=1) if dummies is not None else frame[covariates]
    Z = sm.add_constant(Z.astype(float), has_constant="add")
    with core_errors("PSM (propensity logit)"):
        check_rank(Z.to_numpy(), list(Z.columns), "propensity-model covariates")
    Zn = Z.to_numpy()
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' convergence warnings: convergence is checked just below
        params, converged = _grouped_logit(
            frame, Zn, treated, [*covariates, time] if dummies is not None else covariates
        )
        grad = np.abs(Zn.T @ (treated - 1 / (1 + np.exp(-(Zn @ params))))).max()
    if not converged or not grad <= 1e-6:
        raise input_error(
            treat_var,
            f"PSM: the propensity logit did not converge (largest score {grad:.2e}): the covariates "
            "separate treated from control rows (or nearly so); drop or coarsen the separating covariate",
            [f"{grad:.2e}"],
            what="largest score",
        )
    return Zn @ params


def _grouped_logit(frame: pd.DataFrame, Z: np.ndarray, treated: np.ndarray, keys: list[str]):
    """The logit's maximum-likelihood coefficients from the distinct rows of the design (``params, converged``).

    Rows with the same covariates and period have the same design row, so the likelihood is that of a
    binomial logit of the share treated among them, each distinct row weighted by its count: the same
    maximum, found by statsmodels' Newton's method on a design of a few hundred rows instead of every
    unit-year (with unit-level covariates there are as many distinct rows as rows, and nothing is saved).
    """
    codes = frame.groupby(keys, sort=False).ngroup().to_numpy()
    _, first = np.unique(codes, return_index=True)
    counts = np.bincount(codes).astype(float)
    share = np.bincount(codes, weights=treated.astype(float)) / counts
    model = sm.GLM(share, Z[first], family=sm.families.Binomial(), freq_weights=counts)
    res = model.fit(method="newton", maxiter=100, tol=1e-12, disp=False)
    return np.asarray(res.params), bool(res.mle_retvals["converged"])


def _match(lps: np.ndarray, treated: np.ndarray, caliper: float, tie_tol: float = 1e-10):
    """Weights: 1 per matched treated row; its nearest controls (ties shared equally) get 1 / #ties.

    Vectorised over the treated rows. The nearest controls of a treated row are one contiguous run
    of the sorted controls (every control within ``best + tie_tol`` of it), so each run adds
    ``1 / len(run)`` to its controls through a difference array: no (treated, candidate) pairs are
    formed. With a propensity score constant within industry-years (the controls are industry-level)
    the ties run to thousands per row, and the pairs to billions at 100x. The sums agree with a loop
    over the treated rows to rounding (cumulative sums), and a control no run covers gets exactly 0.
    """
    t_idx, c_idx = np.flatnonzero(treated), np.flatnonzero(~treated)
    order = np.argsort(lps[c_idx], kind="stable")
    sorted_c = lps[c_idx][order]
    weight = np.zeros(len(lps))
    lt = lps[t_idx]
    pos = np.searchsorted(sorted_c, lt)
    below = np.where(pos > 0, np.abs(sorted_c[np.maximum(pos - 1, 0)] - lt), np.inf)
    above = np.where(pos < len(sorted_c), np.abs(sorted_c[np.minimum(pos, len(sorted_c) - 1)] - lt), np.inf)
    best = np.minimum(below, above)
    ok = best <= caliper
    lt, best, rows = lt[ok], best[ok], np.flatnonzero(ok)
    a = np.searchsorted(sorted_c, lt - best - tie_tol, side="left")
    b = np.searchsorted(sorted_c, lt + best + tie_tol, side="right")
    m = len(sorted_c) + 1
    share = 1.0 / (b - a)
    running = np.cumsum(np.bincount(a, weights=share, minlength=m) - np.bincount(b, weights=share, minlength=m))
    covered = np.cumsum(np.bincount(a, minlength=m) - np.bincount(b, minlength=m)) > 0
    weight[c_idx[order]] = np.where(covered, running, 0.0)[:-1]
    weight[t_idx[rows]] += 1.0
    matched = np.zeros(len(t_idx), dtype=bool)
    matched[rows] = True
    return weight, matched


def _smd(x_t: np.ndarray, x_c: np.ndarray, w_c: np.ndarray | None = None, name: str = "covariate") -> float:
    """SMD with the treated variance at ``ddof=1`` and the (weighted) control variance at ``ddof=0``."""
    w_c = np.ones_like(x_c) if w_c is None else w_c
    m_t, m_c = x_t.mean(), np.average(x_c, weights=w_c)
    v_t, v_c = x_t.var(ddof=1), np.average((x_c - m_c) ** 2, weights=w_c)
    if not (v_t + v_c) > 0:
        raise input_error(name, "has no variance in either group: its standardised mean difference is undefined", [])
    return float((m_t - m_c) / np.sqrt((v_t + v_c) / 2))


def _check_result(result: object) -> None:
    if not isinstance(result, MatchResult):
        raise input_error(
            "result", "must be the MatchResult of match_on_propensity", [type(result).__name__], what="type"
        )


def balance_table(result: MatchResult, covariates: list[str] | None = None) -> pd.DataFrame:
    """Standardised mean differences (SMD) of the covariates before and after matching.

    ``SMD = (mean_treated - mean_control) / sqrt((var_treated + var_control) / 2)``; after
    matching the controls are weighted by how often they were used. ``|SMD| < 0.1`` is the usual
    threshold for balance.

    Degrees of freedom (a deliberate mix, kept so the book's numbers do not move): the treated
    variance is the sample variance (``ddof=1``, treated rows are not weighted), the control
    variance the weighted population variance (``ddof=0``, ``sum w (x - m)^2 / sum w``), before
    matching too (all weights one). The usual sample variance has ``ddof=1`` in both groups
    (frequency weights after matching); the conventions appendix gives the difference on the panel
    of the build. On the default simulated panel every SMD moves by less than 1e-5
    (``tests/test_replication_conventions.py`` recomputes it).

    Raises
    ------
    AichainInputError
        ``result`` is not a :class:`MatchResult`; a covariate is not a column of ``result.data``
        (also a ``KeyError``); a covariate has no variance in either group; no treated or no
        control row was matched.
    """
    _check_result(result)
    covariates = list(covariates or CONTROLS)
    require_columns(result.data, covariates, "balance_table")
    d = result.data
    if not ((d["weight"] > 0) & d["treated"]).any() or not ((d["weight"] > 0) & ~d["treated"]).any():
        raise input_error("result", "has no matched treated or no matched control row: no balance after matching", [])
    t, c = d[d["treated"]], d[~d["treated"]]
    tm, cm = t[t["weight"] > 0], c[c["weight"] > 0]
    rows = []
    for v in [*covariates, "logit_pscore"]:
        rows.append(
            {
                "covariate": v,
                "mean treated": float(t[v].mean()),
                "mean control": float(c[v].mean()),
                "SMD before": _smd(t[v].to_numpy(), c[v].to_numpy(), name=v),
                "SMD after": _smd(tm[v].to_numpy(), cm[v].to_numpy(), cm["weight"].to_numpy(), name=v),
            }
        )
    return pd.DataFrame(rows)


def plot_common_support(result: MatchResult) -> Figure:
    """Distributions of the logit propensity score, treated vs control, before and after matching.

    Raises
    ------
    AichainInputError
        ``result`` is not a :class:`MatchResult`.
    """
    _check_result(result)
    d = result.data
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.4), sharex=True)
    bins = np.linspace(d["logit_pscore"].min(), d["logit_pscore"].max(), 50)
    for ax, title, use_w in [
        (axes[0], "before matching", False),
        (axes[1], "after matching (weighted)", True),
    ]:
        for flag, colour, label in [(True, "#d95f02", "treated (high AIE)"), (False, "#1f3b73", "control")]:
            part = d[d["treated"] == flag]
            w = part["weight"] if use_w else None
            if use_w:
                part = part[part["weight"] > 0]
                w = part["weight"]
            ax.hist(part["logit_pscore"], bins=bins, weights=w, alpha=0.5, color=colour, label=label, density=True)
        ax.set_title(title)
        ax.set_xlabel("logit of the propensity score")
    axes[0].legend(frameon=False)
    fig.tight_layout()
    return fig
