"""Result containers: the full regression (:class:`RegressionResult`) and one coefficient (:class:`Estimate`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["Estimate", "RegressionResult", "inference"]


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


def inference(coef: np.ndarray, se: np.ndarray, df: int | None, level: float = 0.95):
    """t (or z), two-sided p and confidence bounds: Student t with ``df`` degrees of freedom, normal if None."""
    t = coef / se
    if df is None:
        p = 2 * stats.norm.sf(np.abs(t))
        crit = stats.norm.ppf(0.5 + level / 2)
    else:
        p = 2 * stats.t.sf(np.abs(t), df)
        crit = stats.t.ppf(0.5 + level / 2, df)
    return t, p, coef - crit * se, coef + crit * se


@dataclass
class RegressionResult:
    """Coefficients of every regressor with their covariance, fit statistics and the estimation sample.

    ``df`` is the reference distribution's degrees of freedom (``None``: normal).
    """

    estimator: str
    outcome: str
    names: list[str]
    params: pd.Series
    vcov: pd.DataFrame
    df: int | None
    n: int
    k: int
    r2: float
    adj_r2: float
    r2_within: float | None
    vcov_type: str
    convention: str
    clusters: list[str]
    n_clusters: int | None
    absorb: list[str]
    dropped: int = 0
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def se(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.vcov.to_numpy())), index=self.names)

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """coef, se, t, p, ci_low, ci_high for every regressor."""
        b, se = self.params.to_numpy(), self.se.to_numpy()
        t, p, lo, hi = inference(b, se, self.df, level)
        return pd.DataFrame({"coef": b, "se": se, "t": t, "p": p, "ci_low": lo, "ci_high": hi}, index=self.names)

    def estimate(self, name: str | None = None, controls: bool = True, fixed_effects: str | None = None) -> Estimate:
        """The tidy :class:`Estimate` of one regressor (default: the first)."""
        name = name or self.names[0]
        row = self.table().loc[name]
        return Estimate(
            estimator=self.estimator,
            outcome=self.outcome,
            regressor=name,
            coef=float(row["coef"]),
            se=float(row["se"]),
            t=float(row["t"]),
            p=float(row["p"]),
            ci_low=float(row["ci_low"]),
            ci_high=float(row["ci_high"]),
            n=self.n,
            r2=self.r2,
            adj_r2=self.adj_r2,
            r2_within=self.r2_within,
            cov_type=self.vcov_type,
            controls=controls,
            fixed_effects=fixed_effects if fixed_effects is not None else (" + ".join(self.absorb) or "none"),
            dropped=self.dropped,
            notes=list(self.notes),
            extra={k: v for k, v in self.extra.items() if np.isscalar(v)},
        )
