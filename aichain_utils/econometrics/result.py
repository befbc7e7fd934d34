"""Result containers: the full regression (:class:`RegressionResult`) and one coefficient (:class:`Estimate`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from aichain_utils.errors import input_error

__all__ = ["Estimate", "RegressionResult", "inference"]


@dataclass
class Estimate:
    """One regression's result for the regressor of interest, in tidy form.

    ``r2_within`` is reghdfe's within R² (the outcome demeaned by every absorbed effect; ``None``
    without absorbed effects); ``r2_within_panelols`` is linearmodels' ``PanelOLS``
    ``rsquared_within`` (the fitted slopes on the data demeaned by the entity only), filled when a
    caller asks for it (:meth:`RegressionResult.r2_within_panelols`). The two differ whenever a
    second effect (years) is absorbed.
    """

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
    r2_within_panelols: float | None = None

    def as_dict(self) -> dict:
        """Flat dictionary (extras prefixed with ``extra_``)."""
        base = {k: v for k, v in self.__dict__.items() if k not in ("extra", "notes")}
        base["notes"] = "; ".join(self.notes)
        base.update({f"extra_{k}": v for k, v in self.extra.items() if np.isscalar(v)})
        return base


def inference(coef: np.ndarray, se: np.ndarray, df: int | None, level: float = 0.95):
    """t (or z), two-sided p and confidence bounds: Student t with ``df`` degrees of freedom, normal if None.

    Raises
    ------
    AichainInputError
        ``level`` outside (0, 1) or ``df`` not a positive integer.
    """
    if not (isinstance(level, (int, float, np.floating)) and 0 < level < 1):
        raise input_error("level", "must lie strictly between 0 and 1", [level], what="values")
    if df is not None and not (isinstance(df, (int, np.integer)) and df >= 1):
        raise input_error("df", "must be a positive integer or None (normal)", [df], what="values")
    coef, se = np.asarray(coef, dtype=float), np.asarray(se, dtype=float)
    t = np.divide(coef, se, out=np.full(np.broadcast(coef, se).shape, np.nan), where=se > 0)
    t = np.where((se == 0) & (coef != 0), np.sign(coef) * np.inf, t)
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

    ``df`` is the reference distribution's degrees of freedom (``None``: normal). ``r2_within`` is
    reghdfe's within R² (``1 - RSS / TSS`` of the outcome demeaned by *every* absorbed effect; for one
    effect ``xtreg, fe``'s ``r2_w``); ``None`` without absorbed effects. For linearmodels'
    ``PanelOLS`` definition (entity only) call :meth:`r2_within_panelols`. ``extra["not_available"]``
    maps each statistic reported as NaN to the reason.
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

    def r2_within_panelols(self, entity: str) -> float:
        """Within R² as linearmodels' ``PanelOLS`` reports it (``rsquared_within``).

        The fitted slopes applied to the data demeaned by ``entity`` only (weighted means with
        weights): ``1 - sum(e~^2) / sum(y~^2)``. reghdfe's ``r2_within`` demeans by every absorbed
        effect instead; with unit and year effects the two differ by the share of the outcome's
        within-unit variation that the years explain.

        Raises
        ------
        AichainInputError
            The result is not from :func:`~aichain_utils.econometrics.fit_ols`; ``entity`` is not a
            column of its estimation sample; the outcome does not vary within ``entity``.
        """
        from aichain_utils.econometrics._data import check_columns
        from aichain_utils.econometrics.fe import demean_array

        parts = self.extra.get("_parts")
        if parts is None:
            raise input_error("self", "r2_within_panelols needs a fit_ols result", [self.estimator], what="estimators")
        frame, w = parts["frame"], parts["weights"]
        check_columns(frame, [entity], {"entity": [entity]})
        names = [c for c in self.names if c in frame.columns]
        if len(names) != len(self.names):
            raise input_error("self", "needs every regressor as a column (no dummies)", self.names, what="columns")
        # demeaning is linear: the entity-demeaned residual is the demeaned raw residual y - X b, so two
        # columns are demeaned (the outcome and that residual), not the outcome and every regressor
        values = np.empty((len(frame), 2), order="F")  # column-major: each column written and read contiguously
        values[:, 0] = frame[self.outcome].to_numpy(dtype=float)
        values[:, 1] = values[:, 0]
        for name, b in zip(names, self.params.to_numpy(), strict=True):
            values[:, 1] -= b * frame[name].to_numpy(dtype=float)
        dm = demean_array(values, frame, [entity], weights=w)
        e = dm[:, 1]
        ww = np.ones(len(e)) if w is None else w
        tss = float(np.sum(ww * dm[:, 0] ** 2))
        if tss <= 0:
            raise input_error(self.outcome, f"does not vary within '{entity}'", [], what="rows")
        return float(1 - np.sum(ww * e**2) / tss)

    @property
    def se(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.vcov.to_numpy())), index=self.names)

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """coef, se, t, p, ci_low, ci_high for every regressor.

        A zero standard error (a perfect fit) gives t = ±inf and p = 0 (Stata prints them as
        missing); t = NaN only for a coefficient and SE that are both exactly zero.

        Raises
        ------
        AichainInputError
            ``level`` outside (0, 1).
        """
        b, se = self.params.to_numpy(), self.se.to_numpy()
        t, p, lo, hi = inference(b, se, self.df, level)
        return pd.DataFrame({"coef": b, "se": se, "t": t, "p": p, "ci_low": lo, "ci_high": hi}, index=self.names)

    def estimate(self, name: str | None = None, controls: bool = True, fixed_effects: str | None = None) -> Estimate:
        """The tidy :class:`Estimate` of one regressor (default: the first).

        Raises
        ------
        AichainInputError
            ``name`` is not a regressor of this result.
        """
        name = name or self.names[0]
        if name not in self.names:
            raise input_error("name", f"must be one of the regressors {self.names}", [name], what="values")
        j = self.names.index(name)  # the table's row of ``name``, without building the table
        coef, se = self.params.to_numpy()[j : j + 1], np.sqrt(np.diag(self.vcov.to_numpy()))[j : j + 1]
        t, p, lo, hi = inference(coef, se, self.df)
        return Estimate(
            estimator=self.estimator,
            outcome=self.outcome,
            regressor=name,
            coef=float(coef[0]),
            se=float(se[0]),
            t=float(t[0]),
            p=float(p[0]),
            ci_low=float(lo[0]),
            ci_high=float(hi[0]),
            n=self.n,
            r2=self.r2,
            adj_r2=self.adj_r2,
            r2_within=self.r2_within,
            cov_type=self.vcov_type,
            controls=controls,
            fixed_effects=fixed_effects if fixed_effects is not None else (" + ".join(self.absorb) or "none"),
            dropped=self.dropped,
            notes=list(self.notes),
            extra={k: v for k, v in self.extra.items() if np.isscalar(v) or k == "not_available"},
        )
