"""The robustness chapter's computed sentences: what the omitted-variable benchmarks show, and which
heterogeneity-robust estimators a continuous treatment like AIE admits.

The sentences read the results (:class:`aichain_utils.robustness.sensitivity.SensitivityResult`,
:func:`aichain_utils.robustness.twfe_weights.stayers`) and say only what those results show, on any
data: a benchmark is described by its own association with *both* AIE and ERL, as Cinelli & Hazlett
(2020, s. 6) define it, and an estimator is said to apply only when the comparison units it needs are
in the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aichain_utils.errors import input_error
from aichain_utils.robustness import sensitivity as _sens

__all__ = ["benchmark_multiple", "benchmark_sentences", "continuous_did_sentence", "quasi_stayers"]


def _adjusted(sens, r2d: float, r2y: float, k: float) -> dict:
    return _sens.benchmark_bounds(sens.estimate, sens.se, sens.dof, r2d, r2y, k)


def benchmark_multiple(sens, r2d: float, r2y: float, target: str = "zero") -> float | None:
    """How many times as strong as a benchmark covariate a confounder must be to overturn the estimate.

    The bounds of :func:`aichain_utils.robustness.sensitivity.benchmark_bounds` (Cinelli & Hazlett 2020,
    s. 6, with ``kd = ky = k``) for a benchmark whose partial R² are ``r2d`` with the treatment and ``r2y``
    with the outcome: the smallest ``k`` at which the adjusted estimate reaches zero (``target="zero"``)
    or its 95% interval first contains zero (``target="insignificant"``).

    Parameters
    ----------
    sens : SensitivityResult
        The sensitivity analysis (its estimate, standard error and degrees of freedom).
    r2d, r2y : float
        The benchmark's partial R² with the treatment and with the outcome.
    target : {"zero", "insignificant"}

    Returns
    -------
    float or None
        ``k``, to about four significant digits; None when no feasible ``k`` overturns the estimate (the
        implied partial R² with the treatment, ``k r2d / (1 - r2d)``, must stay below 1) or ``r2d`` is 0.

    Raises
    ------
    AichainInputError
        If ``target`` is neither "zero" nor "insignificant", or a partial R² lies outside [0, 1).
    """
    if target not in ("zero", "insignificant"):
        raise input_error("target", 'must be "zero" or "insignificant"', [target], what="values")
    for name, v in (("r2d", r2d), ("r2y", r2y)):
        if not 0.0 <= v < 1.0:
            raise input_error(name, "must be a partial R² in [0, 1)", [v], what="values")
    if r2d == 0.0:
        return None
    sign = np.sign(sens.estimate)

    def overturned(k: float) -> bool:
        b = _adjusted(sens, r2d, r2y, k)
        if target == "zero":
            return sign * b["adjusted_estimate"] <= 0
        return b["adjusted_ci_low"] <= 0 <= b["adjusted_ci_high"]

    k_max = (1 - r2d) / r2d * (1 - 1e-9)  # beyond it the confounder would explain all of the treatment
    grid = np.geomspace(min(1e-3, k_max / 2), k_max, 400)
    hits = [k for k in grid if overturned(k)]
    if not hits:
        return None
    hi = hits[0]
    below = grid[grid < hi]
    lo = below[-1] if len(below) else 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if overturned(mid) else (mid, hi)
    return float(hi)


def _strongest(bounds: pd.DataFrame, column: str) -> tuple[str, float]:
    row = bounds.sort_values(column).iloc[-1]
    return str(row["benchmark"]), float(row[column])


def _bounds_at_one_and_three(sens, b: pd.DataFrame) -> list[str]:
    """The bounds on the estimate of a confounder as strong as any one control, and three times as strong."""
    k1, k3 = b[b["k"] == 1.0], b[b["k"] == 3.0]
    bounds_text = []
    for k, part in ((1, k1), (3, k3)):
        if part.empty:
            continue
        low = part["adjusted_estimate"].min() if sens.estimate > 0 else part["adjusted_estimate"].max()
        excl = ((part["adjusted_ci_low"] > 0) | (part["adjusted_ci_high"] < 0)).all()
        times = "as strong as any one control" if k == 1 else f"{k} times as strong"
        bound = "at least" if sens.estimate > 0 else "at most"
        bounds_text.append(
            f"a confounder {times} leaves the estimate {bound} {low:.3f}"
            + (", its 95% interval excluding zero" if excl else ", though some of those intervals include zero")
        )
    return bounds_text


def _strength_needed(sens, per: pd.DataFrame) -> str:
    """How many times as strong as the weakest-needed control a confounder must be to remove the estimate."""
    multiples = {
        c: benchmark_multiple(sens, float(r["r2 with AIE"]), float(r["r2 with ERL"])) for c, r in per.iterrows()
    }
    found = {c: k for c, k in multiples.items() if k is not None}
    if found:
        c_min = min(found, key=found.get)
        return (
            f"To bring the estimate to zero, a confounder would have to be {found[c_min]:,.0f} times as strong as "
            f"{c_min} in both respects, the control for which the fewest times suffice."
        )
    return (
        "No multiple of any control's strength brings the estimate to zero before the confounder would have "
        "to explain all of AIE's residual variation."
    )


def benchmark_sentences(sens) -> dict[str, str]:
    """The sentences that compare an omitted confounder with the observed controls.

    Parameters
    ----------
    sens : SensitivityResult
        :func:`aichain_utils.robustness.sensitivity.sensitivity_analysis` (with its ``bounds``).

    Returns
    -------
    dict
        ``rv_reading`` (what a confounder that overturns the result must explain, against what the
        controls explain of AIE and of ERL), ``extreme`` (Cinelli & Hazlett's extreme scenario: a
        confounder that explains all of ERL's residual variance), ``benchmarks`` (the controls' own
        association with AIE and with ERL, the bounds at one and three times their strength, and how many
        times as strong a confounder must be to remove the estimate). Without controls (no bounds) the
        benchmark sentences say so.
    """
    out = {
        "extreme": (
            "Even a confounder that explained all of the residual within variation of ERL would have to explain "
            f"at least {sens.partial_r2:.3f} of AIE's to bring the estimate to zero (Cinelli and Hazlett's extreme "
            "scenario: that bound is AIE's own partial R² with ERL)."
        )
    }
    b = sens.bounds
    if b is None or b.empty:
        out["rv_reading"] = (
            f"A confounder that overturns the result would have to explain at least {sens.rv_alpha:.3f} of the "
            "residual variation of AIE or of ERL; there is no observed control to compare that with."
        )
        out["benchmarks"] = "There are no controls, so there are no benchmarks to bound the estimate with."
        return out
    per = b.drop_duplicates("benchmark").set_index("benchmark")
    cd, r2d = _strongest(b, "r2 with AIE")
    cy, r2y = _strongest(b, "r2 with ERL")
    strongest = max(r2d, r2y)
    if sens.rv_alpha > strongest:
        reading = f"more than any control explains of either (at most {strongest:.3f})"
    else:
        which = cd if r2d >= r2y else cy
        reading = f"which {which} alone already explains of {'AIE' if r2d >= r2y else 'ERL'} ({strongest:.3f})"
    out["rv_reading"] = (
        f"A confounder that overturns the result would therefore have to explain at least {sens.rv_alpha:.3f} of "
        f"the residual variation of AIE or of ERL, {reading}."
    )
    bounds_text = _bounds_at_one_and_three(sens, b)
    need = _strength_needed(sens, per)
    out["benchmarks"] = (
        "The bounds measure a confounder, as Cinelli and Hazlett do, by the strength of an observed control "
        "in both of its associations: the control most associated with AIE, "
        f"{cd}, explains {r2d:.4f} of AIE's residual within variation, and the control most associated with "
        f"ERL, {cy}, explains {r2y:.3f} of ERL's. On these data {'; '.join(bounds_text)}. {need} The controls "
        "say how the estimate fares against omitted variables related to AIE as weakly as they are; "
        "against a confounder that drives AI embedding itself, the yardstick is the robustness value."
    )
    return out


def quasi_stayers(data: pd.DataFrame, x: str = "AIE", entity: str = "unit_id", time: str = "year",
                  share: float = 0.1) -> dict:  # fmt: skip
    """Consecutive unit-year pairs whose treatment changes by little: candidates for quasi-stayers.

    Parameters
    ----------
    data : DataFrame
    x, entity, time : str
        The treatment, unit and year columns.
    share : float
        A pair counts when ``|Δx|`` is below ``share`` times the median ``|Δx|`` over all pairs.

    Returns
    -------
    dict
        ``pairs``, ``median_abs_change``, ``threshold``, ``quasi`` (pairs below it) and ``share``.

    Raises
    ------
    AichainInputError
        If ``share`` is not in (0, 1), and whatever :func:`aichain_utils.robustness.twfe_weights.stayers`
        raises on the columns (missing, non-numeric, duplicated unit-years).
    """
    from aichain_utils.robustness import twfe_weights

    if not 0.0 < share < 1.0:
        raise input_error("share", "must lie in (0, 1)", [share], what="values")
    base = twfe_weights.stayers(data, x, entity, time)
    frame = data.sort_values([entity, time])
    gap = frame.groupby(entity)[time].diff()
    delta = frame.groupby(entity)[x].diff().loc[gap == 1].abs()
    median = float(delta.median()) if len(delta) else float("nan")
    threshold = share * median
    quasi = int((delta < threshold).sum()) if len(delta) else 0
    return {"pairs": base["pairs"], "median_abs_change": median, "threshold": threshold, "quasi": quasi,
            "share": share}  # fmt: skip


def continuous_did_sentence(stay: dict, quasi: dict) -> str:
    """Which heterogeneity-robust estimators for a continuous treatment apply on these data, and what the
    book does not compute.

    Parameters
    ----------
    stay : dict
        :func:`aichain_utils.robustness.twfe_weights.stayers` (pairs, stayers, untreated).
    quasi : dict
        :func:`quasi_stayers` on the same data.
    """
    has = []
    if stay["stayers"]:
        has.append(f"{stay['stayers']} of the {stay['pairs']} consecutive unit-year pairs keep AIE unchanged (stayers)")
    if stay["untreated"]:
        has.append(f"{stay['untreated']} unit-years have AIE = 0")
    facts = (
        f"On these data {'; '.join(has)}"
        if has
        else f"On these data none of the {stay['pairs']} consecutive unit-year pairs keeps AIE unchanged and no "
        "unit-year has AIE = 0"
    )
    facts += (
        f"; {quasi['quasi']} pairs change AIE by less than a tenth of the median year-on-year change, which is "
        f"{quasi['median_abs_change']:.4f}."
    )
    if stay["stayers"]:
        reading = (
            "So the stayer-based estimators apply in principle, on the years and AIE levels where stayers are found."
        )
    elif quasi["quasi"]:
        reading = (
            "So only quasi-stayer comparisons are open here, resting on a bandwidth choice and converging more "
            "slowly than the usual rate."
        )
    else:
        reading = "So neither exact stayers nor near-stayers are available for such comparisons here."
    return (
        "Estimators robust to heterogeneous effects exist for a continuous treatment that changes every year, "
        "but each needs comparison units. Those of de Chaisemartin, D'Haultfœuille, Pasquier, Sow and "
        "Vazquez-Bare (Stata and R did_multiplegt_stat) compare the year-on-year change in ERL of units whose "
        "AIE changes with that of units with the same AIE the year before whose AIE stays put (stayers); "
        "where nothing stays put exactly, comparisons must rest on quasi-stayers, units whose treatment "
        "changes little, as in de Chaisemartin and D'Haultfœuille's nonparametric estimator for designs in "
        "which every unit starts untreated and none stays so (did_had). Callaway, Goodman-Bacon and "
        "Sant'Anna's estimators compare units by dose with untreated or not-yet-treated units, and need each "
        f"unit's dose to stay fixed once it is treated. {facts} {reading} The book computes none of these "
        "estimators; the weights above are what it reports."
    )
