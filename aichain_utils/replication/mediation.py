"""Mediation analysis of equations (2)-(5) (Table 6): both legs, the indirect effect, Sobel and bootstrap.

For a mediator M (FSIE, forward ITSE or backward ITSE), with unit and year fixed effects and the
controls in every equation:

* total effect c:   ERL = c AIE + ...                (equation 1)
* first leg a:      M   = a AIE + ...                (equations 2 and 4; what Table 6 prints)
* second leg b and the direct effect c':
                    ERL = c' AIE + b M + ...         (equations 3 and 5; not printed)

The indirect effect is ``a * b``; with the same sample and linear models ``c = c' + a b``
exactly. Its Sobel standard error is ``sqrt(b^2 se_a^2 + a^2 se_b^2)``; the cluster bootstrap
resamples whole units (with replacement) and re-estimates both legs.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aichain_utils.econometrics import check_rank
from aichain_utils.errors import input_error
from aichain_utils.replication import models
from aichain_utils.replication.models import CONTROLS, check_count, check_panel, check_roles, core_errors

__all__ = ["MediationResult", "bootstrap_indirect", "mediation_analysis", "sobel_se"]


def sobel_se(a: float, se_a: float, b: float, se_b: float) -> float:
    """Sobel (1982) first-order delta-method standard error of ``a * b``.

    Raises
    ------
    AichainInputError
        A coefficient is not a finite number, a standard error is not a finite number >= 0, or the
        standard error itself exceeds a float's range.
    """
    for name, value, minimum in (("a", a, -np.inf), ("se_a", se_a, 0.0), ("b", b, -np.inf), ("se_b", se_b, 0.0)):
        ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and np.isfinite(value)
        if not ok or value < minimum:
            rule = "must be a finite number" + (" >= 0 (a standard error)" if minimum == 0 else "")
            raise input_error(name, rule, [value], what="values")
    try:
        out = float(np.sqrt(b**2 * se_a**2 + a**2 * se_b**2))
    except OverflowError:  # a square beyond a float's range: the same quantity without squaring first
        out = math.hypot(b * se_a, a * se_b)
    if not math.isfinite(out):
        out = math.hypot(b * se_a, a * se_b)
    if not math.isfinite(out):
        raise input_error("a", "the Sobel standard error exceeds a float's range", [a, se_a, b, se_b], what="values")
    return out


@dataclass
class MediationResult:
    """Both legs of one mediation chain and the implied indirect effect."""

    mediator: str
    first_stage: models.Estimate  # a: AIE -> M
    second_stage_b: models.Estimate  # b: M -> ERL given AIE
    direct: models.Estimate  # c': AIE -> ERL given M
    total: models.Estimate  # c: AIE -> ERL
    indirect: float
    sobel_se: float
    boot_ci: tuple[float, float] | None = None
    boot_reps: int = 0
    boot_seed: int | None = None

    @property
    def share_mediated(self) -> float:
        """Indirect effect as a share of the total effect, ``a b / c``.

        Raises :class:`AichainInputError` if the total effect ``c`` is exactly zero (the share is
        undefined, not NaN or infinite).
        """
        if self.total.coef == 0:
            raise input_error("total", "the total effect c is exactly zero: the share a·b / c is undefined", [0.0])
        return self.indirect / self.total.coef

    def summary(self) -> dict:
        """Flat dictionary for tables.

        Raises :class:`AichainInputError` if the Sobel SE is zero (``a = b = 0`` exactly: no z) or the
        total effect is zero (see :attr:`share_mediated`).
        """
        if self.sobel_se == 0:
            raise input_error("sobel_se", "is zero (a = b = 0 exactly): the Sobel z is undefined", [0.0])
        return {
            "mediator": self.mediator,
            "a (AIE → M)": self.first_stage.coef,
            "se(a)": self.first_stage.se,
            "b (M → ERL)": self.second_stage_b.coef,
            "se(b)": self.second_stage_b.se,
            "direct c'": self.direct.coef,
            "total c": self.total.coef,
            "indirect a·b": self.indirect,
            "Sobel SE": self.sobel_se,
            "Sobel z": self.indirect / self.sobel_se,
            "bootstrap 95% CI": ("" if self.boot_ci is None else f"[{self.boot_ci[0]:.3f}, {self.boot_ci[1]:.3f}]"),
            "share mediated": self.share_mediated,
        }


def mediation_analysis(
    data: pd.DataFrame,
    mediator: str,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    cov: str = "robust",
    bootstrap_reps: int = 0,
    seed: int = 20251123,
) -> MediationResult:
    """Estimate both legs of the mediation chain through ``mediator`` (equations 2-5).

    All three regressions use the same complete-case sample and unit and year fixed effects.
    ``bootstrap_reps > 0`` adds a unit-cluster bootstrap percentile CI of ``a * b``.

    Raises
    ------
    AichainInputError
        ``mediator``, ``y``, ``x``, a control, ``unit_id`` or ``year`` absent (also a ``KeyError``),
        non-numeric, infinite or all missing; an id missing on a usable row; ``y``, ``x`` or the
        mediator constant; the mediator equal to ``y``, ``x`` or a control; ``cov`` unknown;
        ``bootstrap_reps`` not an integer >= 0 or ``seed`` not an integer >= 0; a leg whose
        regressors are collinear after the effects (e.g. a mediator constant within units: the
        core's message naming it), or without a usable standard error.
    """
    controls = list(controls or [])
    check_count("bootstrap_reps", bootstrap_reps, 0)
    check_count("seed", seed, 0)
    models._cov_args(cov)
    context = f"mediation ({mediator})"
    check_roles(x, y, controls, {"mediator": [mediator]})
    check_panel(data, [y, x, mediator, *controls], ["unit_id", "year"], context, vary=[y, x, mediator])
    frame, _, _ = models.complete_cases(data, [y, x, mediator, *controls], f"mediation ({mediator})")
    fit = models.fit_two_way_fe
    a = fit(frame, y=mediator, x=x, controls=controls, cov=cov, engine="fast")
    out = fit(frame, y=y, x=mediator, controls=[x, *controls], cov=cov, engine="fast")
    direct = fit(frame, y=y, x=x, controls=[mediator, *controls], cov=cov, engine="fast")
    total = fit(frame, y=y, x=x, controls=controls, cov=cov, engine="fast")
    result = MediationResult(
        mediator=mediator,
        first_stage=a,
        second_stage_b=out,
        direct=direct,
        total=total,
        indirect=a.coef * out.coef,
        sobel_se=sobel_se(a.coef, a.se, out.coef, out.se),
    )
    if bootstrap_reps:
        draws = bootstrap_indirect(frame, mediator, y, x, controls, bootstrap_reps, seed)
        result.boot_ci = (float(np.quantile(draws, 0.025)), float(np.quantile(draws, 0.975)))
        result.boot_reps, result.boot_seed = bootstrap_reps, seed
    return result


def _weighted_two_way_demean(
    values: np.ndarray,
    unit_codes: np.ndarray,
    year_codes: np.ndarray,
    w: np.ndarray,
    balanced: bool,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> np.ndarray:
    """Weighted unit-and-year demeaning, the within transformation of weighted two-way FE.

    With a balanced panel and weights constant within a unit, one pass (unit means, then weighted
    year means) is exact. Otherwise the two projections alternate until the largest change,
    relative to its column's largest value (at least 1), is below ``tol`` (the method of
    alternating projections, as in reghdfe and pyfixest).
    Rows of weight zero (units not drawn) are returned as zeros.
    """

    def project(z: np.ndarray, codes: np.ndarray) -> np.ndarray:
        wsum = np.bincount(codes, weights=w)
        sums = np.stack([np.bincount(codes, weights=w * z[:, j]) for j in range(z.shape[1])], 1)
        means = np.divide(sums, wsum[:, None], out=np.zeros_like(sums), where=wsum[:, None] > 0)
        return z - means[codes]

    scale = np.maximum(np.abs(values).max(axis=0, initial=0.0), 1.0)
    z = project(values, unit_codes)
    z = project(z, year_codes)
    if balanced:
        return z
    for _ in range(max_iter):
        nxt = project(project(z, unit_codes), year_codes)
        if np.max((np.abs(nxt - z) / scale)[w > 0], initial=0.0) < tol:
            return nxt
        z = nxt
    raise RuntimeError(f"weighted two-way demeaning did not converge in {max_iter} iterations")


def _check_draw(gram: np.ndarray, r: int, seed: int, context: str, tol: float = 1e-10) -> None:
    """A bootstrap draw's regressors (mediator, x, controls) must have full rank after the effects.

    The scaled cross-product (a correlation matrix) must be positive definite with smallest eigenvalue
    above ``tol``; a draw that repeats too few units leaves a column without variation, and solving
    would return a number from a singular system.
    """
    diag = np.diag(gram)
    ok = bool((diag > 0).all())
    if ok:
        scaled = gram / np.sqrt(np.outer(diag, diag))
        ok = bool(np.linalg.eigvalsh(scaled).min() > tol)
    if not ok:
        raise input_error(
            "unit_id",
            f"{context}: bootstrap draw {r} (seed {seed}) resampled units that leave the legs' regressors without "
            "variation after the effects (a singular system); the panel has too few units for a unit bootstrap",
            [r],
            what="draws",
        )


def bootstrap_indirect(
    data: pd.DataFrame,
    mediator: str,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = CONTROLS,
    reps: int = 999,
    seed: int = 20251123,
) -> np.ndarray:
    """Unit-cluster bootstrap draws of the indirect effect ``a * b`` (Table 6, two-way FE legs).

    Each draw resamples units with replacement; a unit drawn k times enters with weight k.
    Both legs are weighted least squares on the weighted two-way demeaned data
    (:func:`_weighted_two_way_demean`: exact in one pass on a balanced panel, alternating
    projections on an unbalanced one), so one draw costs two small regressions.

    Returns
    -------
    numpy.ndarray of shape (reps,)

    Raises
    ------
    AichainInputError
        ``reps`` not an integer >= 1, ``seed`` not an integer >= 0; a column absent, non-numeric,
        infinite or all missing; ``unit_id``/``year`` missing on a usable row; ``y``, ``x`` or the
        mediator constant or playing two roles; fewer than two units; the legs' regressors
        collinear after the unit and year effects (named); a draw whose resampled units leave the
        legs singular (named by its number).
    """
    check_count("reps", reps, 1)
    check_count("seed", seed, 0)
    controls = list(controls or [])
    check_roles(x, y, controls, {"mediator": [mediator]})
    cols = [y, x, mediator, *controls]
    context = f"bootstrap of the indirect effect ({mediator})"
    usable = check_panel(data, cols, ["unit_id", "year"], context, vary=[y, x, mediator])
    if usable["unit_id"].nunique() < 2:
        raise input_error("unit_id", f"{context}: the unit bootstrap needs at least two units", [], what="units")
    frame = data.dropna(subset=cols).sort_values(["unit_id", "year"])
    sizes = frame.groupby("unit_id")["year"].agg(tuple)
    balanced = bool((sizes == sizes.iloc[0]).all())
    values = frame[cols].to_numpy(dtype=float)
    unit_codes, units = pd.factorize(frame["unit_id"])
    year_codes, _ = pd.factorize(frame["year"])
    n_units = len(units)
    iy, ix, im = 0, 1, 2
    ic = list(range(3, len(cols)))
    full = _weighted_two_way_demean(values, unit_codes, year_codes, np.ones(len(values)), balanced)
    with core_errors(context):
        check_rank(full[:, [im, ix, *ic]], [mediator, x, *controls], f"regressors of the legs of {context}")
    rng = np.random.default_rng(seed)
    draws = np.empty(reps)
    ra, rb = [ix, *ic], [im, ix, *ic]
    for r in range(reps):
        w_unit = np.bincount(rng.integers(0, n_units, n_units), minlength=n_units).astype(float)
        w = w_unit[unit_codes]
        z = _weighted_two_way_demean(values, unit_codes, year_codes, w, balanced)
        G = z.T @ (z * w[:, None])  # weighted cross-products of all demeaned variables
        _check_draw(G[np.ix_(rb, rb)], r, seed, context)
        a = np.linalg.solve(G[np.ix_(ra, ra)], G[ra, im])[0]  # a: M on x and controls
        b = np.linalg.solve(G[np.ix_(rb, rb)], G[rb, iy])[0]  # b: y on M, x and controls
        draws[r] = a * b
    return draws
