"""Propensity-score matching for Table 5 column (7) (倾向得分匹配, PSM).

The paper does not define its treatment, propensity model or matching rule. Reading,
stated in the endogeneity chapter:

* treatment: a unit-year with AI embedding above the median of its year (high AIE);
* propensity model: logit of treatment on the controls and year dummies (scikit-learn,
  no penalty);
* matching: each treated unit-year to its nearest control on the logit of the propensity
  score, with replacement, within a caliper of 0.2 standard deviations of that logit
  (Austin 2011); treated rows without a control inside the caliper are dropped and counted;
* outcome model: the two-way fixed-effects regression of ERL on AIE and the controls on the
  matched sample, with controls weighted by how often they were used.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors

from aichain_utils.models import CONTROLS, complete_cases

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


def match_on_propensity(
    data: pd.DataFrame,
    covariates: list[str] | None = None,
    treat_var: str = "AIE",
    caliper_sd: float = 0.2,
) -> MatchResult:
    """Nearest-neighbour propensity-score matching with replacement and a caliper.

    Parameters
    ----------
    data : DataFrame
        The analysis panel.
    covariates : list of str
        Propensity-model covariates (default: the paper's controls); year dummies are added.
    treat_var : str
        Treatment is ``treat_var`` above its median within the year.
    caliper_sd : float
        Caliper in standard deviations of the logit of the propensity score.
    """
    covariates = list(covariates or CONTROLS)
    frame, _, notes = complete_cases(data, [treat_var, *covariates], "PSM")
    median = frame.groupby("year")[treat_var].transform("median")
    treated = (frame[treat_var] > median).to_numpy()
    years = pd.get_dummies(frame["year"], prefix="year", drop_first=True, dtype=float)
    Z = pd.concat([frame[covariates], years], axis=1).to_numpy()
    Z = (Z - Z.mean(axis=0)) / np.where(Z.std(axis=0) > 0, Z.std(axis=0), 1.0)
    logit_model = LogisticRegression(C=np.inf, max_iter=2000)
    logit_model.fit(Z, treated)
    ps = logit_model.predict_proba(Z)[:, 1]
    lps = np.log(ps / (1 - ps))
    caliper = caliper_sd * lps.std()
    t_idx, c_idx = np.flatnonzero(treated), np.flatnonzero(~treated)
    nn = NearestNeighbors(n_neighbors=1).fit(lps[c_idx, None])
    dist, pos = nn.kneighbors(lps[t_idx, None])
    ok = dist[:, 0] <= caliper
    weight = np.zeros(len(frame))
    weight[t_idx[ok]] = 1.0
    np.add.at(weight, c_idx[pos[ok, 0]], 1.0)
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


def _smd(x_t: np.ndarray, x_c: np.ndarray, w_c: np.ndarray | None = None) -> float:
    w_c = np.ones_like(x_c) if w_c is None else w_c
    m_t, m_c = x_t.mean(), np.average(x_c, weights=w_c)
    v_t, v_c = x_t.var(ddof=1), np.average((x_c - m_c) ** 2, weights=w_c)
    return float((m_t - m_c) / np.sqrt((v_t + v_c) / 2))


def balance_table(result: MatchResult, covariates: list[str] | None = None) -> pd.DataFrame:
    """Standardised mean differences (SMD) of the covariates before and after matching.

    ``SMD = (mean_treated - mean_control) / sqrt((var_treated + var_control) / 2)``; after
    matching the controls are weighted by how often they were used. ``|SMD| < 0.1`` is the usual
    threshold for balance.
    """
    covariates = list(covariates or CONTROLS)
    d = result.data
    t, c = d[d["treated"]], d[~d["treated"]]
    tm, cm = t[t["weight"] > 0], c[c["weight"] > 0]
    rows = []
    for v in [*covariates, "logit_pscore"]:
        rows.append(
            {
                "covariate": v,
                "mean treated": float(t[v].mean()),
                "mean control": float(c[v].mean()),
                "SMD before": _smd(t[v].to_numpy(), c[v].to_numpy()),
                "SMD after": _smd(tm[v].to_numpy(), cm[v].to_numpy(), cm["weight"].to_numpy()),
            }
        )
    return pd.DataFrame(rows)


def plot_common_support(result: MatchResult) -> Figure:
    """Distributions of the logit propensity score, treated vs control, before and after matching."""
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
