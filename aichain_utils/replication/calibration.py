"""Calibrating the default simulated world to the paper (``make calibrate``), in expectation.

The parameters of the default simulated world are *chosen by a procedure*, never typed in:
:func:`calibrate` runs it and writes its result to the ``calibrated:`` block of
``data/simulation/params.yml`` (and its report to ``data/simulation/calibration.json``) with a
fingerprint of everything that went into it. The procedure is stated in
``data/simulation/calibration.yml``. Agreement of a calibrated world with the published numbers is
manufactured by the calibration: it validates nothing, neither the paper nor this book's code (a
wrong estimator would only move its parameter); the code is validated by the reference tests and the
Monte Carlo's truth recovery.

Seeds: calibration, hold-out, out of sample
    Every stage works *in expectation*: on the Monte Carlo mean over a fixed list of calibration
    seeds (``seeds.calibration`` of calibration.yml), the same seeds at every evaluation (common random numbers, so that
    a change of the objective is a change of the parameters, not of the draws). The book's default
    panel is drawn from the **hold-out seed** (``seed`` of params.yml), which no stage ever uses; a
    further list of **out-of-sample seeds**, disjoint from both, is used only to report how close the
    calibrated world's expected estimates come to the published numbers (:func:`sampling_report`).
    Fitting one panel (as this module did before issue 21) fits that sample's noise onto the
    published numbers.

Stage 1, Table 1 (:func:`calibrate_weights`)
    Each of the 24 simulated indicators has its own shape parameter (the power of its bounded
    Beta(1/power, 1)-type marginal, :func:`aichain_utils.simulation.simulate._bounded`). A fixed-point iteration
    moves each power until the *mean* entropy weights over the first ``shape_seeds`` calibration
    seeds match the published Table 1 weights (entropy weighting is this book's reading; the paper
    does not say how it obtained its weights).

Stage 3, Table 2 (:func:`calibrate_moments`), run before and again after stage 2
    The levels and dispersions of the outcome, the mediators and the controls against Table 2's means
    and SDs, by Gauss-Newton on the relative gaps of their means over the same ``shape_seeds`` seeds.
    It runs before stage 2 because a moment parameter can change the random draws themselves (a gamma
    distribution's shape changes how many uniforms its sampler consumes), and again after it because
    stage 2's bias parameters move the outcome's dispersion; the expected estimates reported are then
    recomputed on the calibration seeds at the final (stored, rounded) values.

Stage 2, Tables 3-10 (:func:`calibrate_effects`)
    Indirect inference in expectation (Gourieroux, Monfort and Renault 1993; Smith 1993): the
    parameters :math:`\\theta` minimise

    .. math::

        Q(\\theta) = \\sum_c \\rho_k\\big((\\bar\\beta_c(\\theta) - b_c) / s_c\\big),
        \\qquad \\bar\\beta_c(\\theta) = \\frac{1}{S} \\sum_{s=1}^{S} \\hat\\beta_c(\\theta; s),

    where :math:`\\hat\\beta_c(\\theta; s)` is the battery's estimate of cell :math:`c` on the panel
    simulated at :math:`\\theta` with calibration seed :math:`s`, :math:`b_c` and :math:`s_c` the
    published coefficient and standard error, the sum runs over every published coefficient of
    Tables 3-10 with a positive SE (:func:`target_cells`: all of them, none chosen by a threshold),
    and :math:`\\rho_k` is Huber's loss (Huber 1964) with the standard constant ``k = 1.345``: quadratic
    within ``k`` published SEs, linear beyond, so a published number that no world of the family
    reproduces together with the others pulls with a bounded force instead of dragging every other
    cell away. Every cell is fitted; the report records each cell's Huber weight at the optimum.
    Gauss-Newton steps, iteratively reweighted on the linearised family: the Jacobian of an *effect*
    parameter is taken on the simulator's truth (the expected estimate moves one for one with the
    truth it targets, and the truth is linear in these parameters, so this column is exact up to the
    estimator's weighting), that of a *bias* parameter (reverse feedback, confounding, the alternative
    index's loading) by finite differences of the mean over the first ``jacobian_seeds`` calibration
    seeds (common random numbers make these differences precise with fewer seeds; the Jacobian only
    sets the direction, every objective is evaluated on all the seeds), and after each step the
    Jacobian is corrected by Broyden's update from the change the step produced. A step that raises
    the objective is halved.

The closest world (:func:`closest_world`)
    At the optimum, the cells whose expected estimate is still more than one published SE away are the
    published numbers that no member of this family reproduces together with the others. For each,
    the local linearisation tells which other cells it conflicts with.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from aichain_utils.errors import input_error
from aichain_utils.paths import data_dir, repo_root
from aichain_utils.simulation.paramtree import get_param, set_param

__all__ = [
    "CalibrationResult",
    "calibrate",
    "calibrate_effects",
    "calibrate_moments",
    "calibrate_weights",
    "calibration_seeds",
    "closest_world",
    "coefficient_frame",
    "coefficient_vector",
    "fingerprint",
    "get_param",
    "huber_weights",
    "load_spec",
    "loss",
    "read_result",
    "sampling_report",
    "set_param",
    "target_cells",
    "truth_vector",
    "write_calibrated_block",
]

#: Marks the block of params.yml that ``make calibrate`` writes (everything after it is replaced).
BLOCK_MARK = "# ---- written by `make calibrate` (aichain_utils.calibration); do not edit by hand ----"

#: The inputs of a calibration: a change to any of them (or to the uncalibrated part of params.yml)
#: makes the stored result stale (``tests/test_calibration.py`` fails). The econometrics code is left
#: out on purpose: input validation changes it without changing a number, and
#: ``tests/test_calibration.py`` recomputes the hold-out panel's estimates, which catches a change that
#: does move one.
FINGERPRINT_FILES = (
    "aichain_utils/simulation/simulate.py",
    "aichain_utils/replication/calibration.py",
    # the published files the calibration reads (targets, Table 1 and 2, the design), not the claims or
    # the sources, which the audit reads and the calibration never does
    "data/published/regression_cells.csv",
    "data/published/table1_aie_indicators.csv",
    "data/published/table2_descriptives.csv",
    "data/published/design.csv",
    "data/published/tables.csv",
    "data/simulation/calibration.yml",
)


def spec_path() -> Path:
    """``data/simulation/calibration.yml``."""
    return data_dir() / "simulation" / "calibration.yml"


def result_path() -> Path:
    """``data/simulation/calibration.json``: the last calibration's report."""
    return data_dir() / "simulation" / "calibration.json"


def load_spec(path: Path | str | None = None) -> dict:
    """Read the calibration procedure (YAML)."""
    with Path(path or spec_path()).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def calibration_seeds(spec: dict, holdout: int) -> dict[str, list[int]]:
    """The seed lists of the procedure: ``calibration`` and ``out_of_sample`` (``{first, count}`` in the spec).

    Parameters
    ----------
    spec : dict
        :func:`load_spec`.
    holdout : int
        The default panel's seed (``seed`` of params.yml), which neither list may contain.

    Raises
    ------
    AichainInputError
        When the lists overlap each other or contain the hold-out seed.
    """
    out = {}
    for key in ("calibration", "out_of_sample"):
        block = spec["seeds"][key]
        out[key] = list(range(int(block["first"]), int(block["first"]) + int(block["count"])))
    used = set(out["calibration"]) | set(out["out_of_sample"])
    clash = sorted((set(out["calibration"]) & set(out["out_of_sample"])) | ({holdout} & used))
    if clash:
        raise input_error(
            "calibration.yml seeds",
            "the calibration seeds, the out-of-sample seeds and the hold-out seed (params.yml seed) must be disjoint",
            clash,
            what="seeds",
        )
    return out


def rebalance(params: dict) -> None:
    """Keep the group deviations of the direct effect at a unit-weighted mean of zero.

    The deviations of ``effects.by_*`` are deviations from ``effects.aie_on_erl_total``; the level
    that is not calibrated (``unclassified``, ``other``, ``low``) is set so that the deviations
    average to zero over the units, given the group sizes of ``design``.
    """
    d, ef = params["design"], params["effects"]
    for key, counts in (("by_industry_type", "industry_type_counts"), ("by_chain_position", "chain_position_counts")):
        dev, n = ef[key], d[counts]
        rest = d["n_industries"] - sum(n.values())
        ef[key]["unclassified"] = -sum(dev[k] * n[k] for k in n) / rest
    share = d["developed_share"]
    ef["by_region"]["other"] = -share * ef["by_region"]["developed"] / (1 - share)
    share = d["high_tech_share"]
    ef["by_tech_level"]["low"] = -share * ef["by_tech_level"]["high"] / (1 - share)


# ----------------------------------------------------------------------------- what the battery says
def target_cells() -> pd.DataFrame:
    """The published coefficients the calibration aims at: every coefficient of Tables 3-10 with a positive SE.

    None is left out by a threshold or by the audit (a robust loss bounds the pull of a number that
    cannot hold together with the rest; :func:`calibrate_effects`).

    Returns
    -------
    DataFrame
        coef, se (published), indexed by (table, column).
    """
    from aichain_utils.inputs.published import load_regression_cells

    cells = load_regression_cells()[["table", "column", "coef", "se"]].dropna()
    cells = cells[cells["se"] > 0].astype({"table": int, "column": int})
    return cells.set_index(["table", "column"]).astype(float).sort_index()


def coefficient_vector(params: dict, seed: int | None = None, tables: list[int] | None = None) -> pd.Series:
    """The battery's coefficient of every column of Tables 3-10 (or ``tables``) on the panel simulated at ``params``."""
    from aichain_utils.inputs.panel import build_analysis_panel
    from aichain_utils.simulation.simulate import simulate_panel

    ap = build_analysis_panel(simulate_panel(params, seed=seed).raw)
    out = {}
    from aichain_utils.replication.lab import _battery_runs

    for t, build in _battery_runs().items():
        if (tables is None or t in tables) and ap.missing_reason(f"Table {t}") is None:
            out |= {(t, col.number): float(col.estimate.coef) for col in build(ap.data)}
    return pd.Series(out, dtype=float).sort_index()


def coefficient_frame(params: dict, seeds: list[int], jobs: int = 1, tables: list[int] | None = None) -> pd.DataFrame:
    """:func:`coefficient_vector` on each seed (rows) in parallel over ``jobs`` processes (joblib)."""
    from joblib import Parallel, delayed

    rows = Parallel(n_jobs=jobs)(delayed(coefficient_vector)(params, s, tables) for s in seeds)
    return pd.DataFrame(rows, index=pd.Index(seeds, name="seed"))


def truth_vector(params: dict, seed: int | None = None) -> pd.Series:
    """The effect the simulated world sets for each column of Tables 3-10 (where it sets one).

    Row means over the unit-years of each column's group of the simulator's true total effect (direct
    plus indirect, :func:`aichain_utils.simulation.simulate._direct_effects`, which needs only the design block);
    the segment, mediator and value-extension columns from their own parameters. Linear in the effect
    parameters, so its Jacobian is exact by finite differences.
    """
    from aichain_utils.replication.columns import GROUPINGS
    from aichain_utils.simulation.simulate import _design_block, _direct_effects, _streams, segment_effects

    s = _design_block(params, 1, _streams(params, seed)["structure"])
    direct, indirect, _ = _direct_effects(params, s)
    total = direct + indirect
    groups = {"industry_type": s.ind_type[s.i_idx], "chain_position": s.ind_pos[s.i_idx]}
    groups["tech_level"] = s.unit_tech[s.u_idx]
    groups["region"] = _simulated_region(s.province, s.factor_market_index)
    mean = float(total.mean())
    ef = params["effects"]
    seg = segment_effects(params)
    scale = mean / float(ef["aie_on_erl_total"])
    out = {(3, c): mean for c in range(1, 9)} | {(4, c): mean for c in range(1, 6)}
    out |= {(5, c): mean for c in (5, 6, 7)}
    out |= {(5, 2): seg["front"] * scale, (5, 3): seg["inter"] * scale, (5, 4): seg["back"] * scale}
    out |= {(6, 1): ef["aie_on_fsie"], (6, 2): ef["aie_on_itse_forward"], (6, 3): ef["aie_on_itse_backward"]}
    out |= {(10, 1): ef["aie_on_lcv"], (10, 2): ef["aie_on_lcv"], (10, 3): ef["aie_on_wcv"], (10, 4): ef["aie_on_wcv"]}
    classified = np.isin(groups["industry_type"], ["labour", "capital", "technology"])
    out[(7, 1)] = float(total[classified].mean())
    for table, start in ((7, 2), (8, 1), (9, 1)):
        number = start
        for group, levels in GROUPINGS[table]:
            for level in levels:
                out[(table, number)] = float(total[np.asarray(groups[group]) == level].mean())
                number += 1
    return pd.Series({k: float(v) for k, v in out.items()}).sort_index()


def _simulated_region(province: np.ndarray, factor_market_index: np.ndarray) -> np.ndarray:
    """The factor-market region of each row, as the analysis panel builds it."""
    from aichain_utils.inputs.schema import region_split

    region, _ = region_split(pd.Series(province), pd.Series(factor_market_index))
    return np.asarray(region)


# ----------------------------------------------------------------------------- stage 1: Table 1
def _entropy_weights_at(params: dict, seeds: list[int]) -> np.ndarray:
    """Mean over ``seeds`` of the entropy weights of the simulated indicators."""
    from aichain_utils.measurement import indices
    from aichain_utils.simulation.simulate import AIE_INDICATOR_COLUMNS, simulate_indicators

    out = []
    for seed in seeds:
        x = simulate_indicators(params, seed=seed)
        out.append(np.asarray(indices.entropy_index(x, ["+"] * len(AIE_INDICATOR_COLUMNS))[1], dtype=float))
    return np.mean(out, axis=0)


def calibrate_weights(params: dict, spec: dict, seeds: list[int]) -> tuple[dict, pd.DataFrame]:
    """Stage 1: shape each indicator so its mean entropy weight matches the published Table 1 weight.

    A fixed point: ``power_j <- power_j * (published_j / simulated_j) ** (1 / elasticity)``, with the
    simulated weights the mean over ``seeds`` (common random numbers), repeated until every weight is
    within ``spec["tolerance"]`` (Table 1; entropy weighting is this book's reading of how the paper
    obtained its weights, which the paper does not say). The marginal is bounded
    (:func:`aichain_utils.simulation.simulate._bounded`), so no power can make a panel overflow.

    Returns
    -------
    params : dict
        A copy with the calibrated powers.
    history : DataFrame
        The largest weight gap after each iteration.
    """
    from aichain_utils.inputs.published import load_table1

    p = copy.deepcopy(params)
    target = load_table1()["weight"].to_numpy(dtype=float)
    start = spec.get("start")
    start = get_param(p, spec["parameter"]) if start is None else start
    power = np.broadcast_to(np.asarray(start, dtype=float), target.shape).copy()
    history = []
    for it in range(int(spec["max_iterations"])):
        set_param(p, spec["parameter"], [round(float(v), 6) for v in power])
        w = _entropy_weights_at(p, seeds)
        gap = float(np.abs(w - target).max())
        history.append({"iteration": it, "max |weight gap|": gap})
        if gap <= float(spec["tolerance"]):
            break
        power = np.clip(power * (target / w) ** (1.0 / float(spec["elasticity"])), None, spec.get("max_power"))
    return p, pd.DataFrame(history)


# ----------------------------------------------------------------------------- stage 2: Tables 3-10
def _with(params: dict, names: list[str], values: np.ndarray) -> dict:
    p = copy.deepcopy(params)
    for name, v in zip(names, values, strict=True):
        set_param(p, name, float(v))
    rebalance(p)
    return p


def _values(params: dict, names: list[str]) -> np.ndarray:
    return np.array([float(get_param(params, n)) for n in names])


def _truth_jacobian(params: dict, effect: list[str], cells: pd.Index, seeds: list[int], step: float) -> pd.DataFrame:
    """d truth / d effect parameter, averaged over the designs of ``seeds`` (exact: the truth is linear)."""
    theta = _values(params, effect)
    cols = {}
    for k, name in enumerate(effect):
        moved = _with(params, effect, theta + step * np.eye(len(theta))[k])
        diffs = [(truth_vector(moved, s) - truth_vector(params, s)) / step for s in seeds]
        cols[name] = pd.concat(diffs, axis=1).mean(axis=1).reindex(cells)
    return pd.DataFrame(cols, index=cells).fillna(0.0)


def _bias_jacobian(
    params: dict, spec: dict, base: pd.Series, cells: pd.Index, seeds: list[int], jobs: int
) -> pd.DataFrame:
    """d mean estimate / d bias parameter by forward differences of the mean over ``seeds`` (common random numbers)."""
    names = list(spec["bias_parameters"])
    theta = _values(params, names)
    cols = {}
    for k, name in enumerate(names):
        step = float(spec["bias_parameters"][name])
        moved = _with(params, names, theta + step * np.eye(len(theta))[k])
        tables = spec.get("bias_tables", {}).get(name)  # the tables it can move (None: all)
        moved_mean = coefficient_frame(moved, seeds, jobs, tables).mean()
        cols[name] = ((moved_mean - base.reindex(moved_mean.index)) / step).reindex(cells)
    return pd.DataFrame(cols, index=cells).fillna(0.0)


def loss(z: np.ndarray, kind: str = "huber", k: float = 1.345) -> float:
    """The distance of gaps ``z`` (in published SEs): squared, Huber's, or Cauchy's, with scale ``k``.

    Huber's loss (Huber 1964) is quadratic within ``k`` and linear beyond: a published number that
    cannot be reproduced together with the rest pulls with a bounded force; ``k = 1.345`` is the
    standard constant (95% efficiency under normal errors). Cauchy's loss ``k^2 log(1 + (z/k)^2)`` is
    redescending (Hampel et al. 1986, ch. 2).
    """
    a = np.abs(z)
    if kind == "squared":
        return float(np.sum(a**2))
    if kind == "cauchy":
        return float(np.sum(k**2 * np.log1p((a / k) ** 2)))
    return float(np.sum(np.where(a <= k, a**2, 2 * k * a - k**2)))


def huber_weights(z: np.ndarray, k: float = 1.345) -> np.ndarray:
    """The IRLS weights of Huber's loss: 1 within ``k``, ``k / |z|`` beyond."""
    return np.minimum(1.0, k / np.maximum(np.abs(z), 1e-12))


def _step(J: pd.DataFrame, resid: np.ndarray, se: np.ndarray, ridge: float, kind: str, k: float) -> np.ndarray:
    """The minimiser of the loss on the linearised family ``resid + J d`` (IRLS, ridge-damped)."""
    A, z0 = J.to_numpy() / se[:, None], resid / se
    d = np.zeros(A.shape[1])
    for _ in range(200):
        z = z0 + A @ d
        if kind == "squared":
            w = np.ones_like(z)
        elif kind == "cauchy":
            w = 1.0 / (1.0 + (z / k) ** 2)
        else:
            w = huber_weights(z, k)
        new = np.linalg.solve((A * w[:, None]).T @ A + ridge * np.eye(A.shape[1]), -(A * w[:, None]).T @ z0)
        if np.max(np.abs(new - d)) < 1e-10:
            return new
        d = new
    return d


def _clipped(names: list[str], values: np.ndarray, bounds: dict) -> np.ndarray:
    out = values.copy()
    for i, name in enumerate(names):
        lo, hi = bounds.get(name, (-np.inf, np.inf))
        out[i] = float(np.clip(out[i], lo, hi))
    return np.round(out, 4)


@dataclass
class EffectsFit:
    """What stage 2 found (:func:`calibrate_effects`)."""

    params: dict
    history: pd.DataFrame
    jacobian: pd.DataFrame
    per_seed: pd.DataFrame  # the battery's estimates on each calibration seed at the optimum

    @property
    def mean(self) -> pd.Series:
        """The expected estimates (mean over the calibration seeds)."""
        return self.per_seed.mean()


def calibrate_effects(params: dict, spec: dict, seeds: list[int], jobs: int = 1, log=print) -> EffectsFit:
    """Stage 2: indirect inference in expectation on the coefficients of Tables 3-10 (module docstring).

    Parameters
    ----------
    params : dict
        The parameters after stages 1 and 3.
    spec : dict
        The ``effects`` block of calibration.yml.
    seeds : list of int
        The calibration seeds: every objective is the loss of the mean estimates over all of them; the
        bias parameters' Jacobian uses the first ``spec["jacobian_seeds"]``.
    jobs : int
        Processes for the seeds (joblib).
    """
    effect, bias = list(spec["effect_parameters"]), list(spec["bias_parameters"])
    names, bounds = effect + bias, spec.get("bounds", {})
    targets = target_cells()
    cells, b, se = targets.index, targets["coef"].to_numpy(), targets["se"].to_numpy()
    kind, k, ridge = spec.get("loss", "huber"), float(spec.get("loss_scale", 1.345)), float(spec["ridge"])
    jac_seeds = seeds[: int(spec["jacobian_seeds"])]
    theta = _values(params, names)
    p = _with(params, names, theta)
    frame = coefficient_frame(p, seeds, jobs)
    m = frame.mean().reindex(cells).to_numpy()
    obj = loss((m - b) / se, kind, k)
    history = [{"iteration": 0, "objective": obj, "evaluations": 1}]
    log(f"stage 2, start: objective {obj:.1f} over {len(cells)} cells ({len(seeds)} seeds)")
    J = pd.concat(
        [
            _truth_jacobian(p, effect, cells, seeds, float(spec["truth_step"])),
            _bias_jacobian(p, spec, frame.loc[jac_seeds].mean(), cells, jac_seeds, jobs),
        ],
        axis=1,
    )[names]
    for it in range(1, int(spec["iterations"]) + 1):
        d = _clipped(names, theta + _step(J, m - b, se, ridge, kind, k), bounds) - theta
        for attempt in range(int(spec.get("backtracking", 2)) + 1):
            p_new = _with(p, names, theta + d)
            frame_new = coefficient_frame(p_new, seeds, jobs)
            m_new = frame_new.mean().reindex(cells).to_numpy()
            obj_new = loss((m_new - b) / se, kind, k)
            log(f"stage 2, step {it}.{attempt}: objective {obj_new:.1f}")
            history.append({"iteration": it, "objective": obj_new, "evaluations": attempt + 1})
            if obj_new <= obj:
                break
            d = np.round(d / 2, 4)
        if obj_new > obj:  # no step helps: the current point is the optimum the procedure finds
            break
        # Broyden's update: the Jacobian reproduces the change the step produced
        Jn = J.to_numpy() + np.outer((m_new - m) - J.to_numpy() @ d, d) / max(float(d @ d), 1e-12)
        J = pd.DataFrame(Jn, index=cells, columns=names)
        theta, p, frame, m, obj = theta + d, p_new, frame_new, m_new, obj_new
    return EffectsFit(p, pd.DataFrame(history), J, frame)


# ----------------------------------------------------------------------------- stage 3: Table 2
def moment_frame(params: dict, seed: int | None = None) -> pd.DataFrame:
    """The Table 2 variables of the simulated panel, without building the analysis panel.

    The indices are the simulator's targets (the analysis panel recomputes them from the raw inputs
    and returns them exactly: inverse design, a test checks it) and the controls their raw inputs
    transformed as :mod:`aichain_utils.inputs.panel` does (``tests/test_calibration.py`` compares the two).
    """
    from aichain_utils.measurement import indices
    from aichain_utils.simulation.simulate import simulate_panel

    sim = simulate_panel(params, seed=seed)
    raw, truth = sim.raw, sim.truth
    return pd.DataFrame(
        {
            "ERL": truth["ERL"],
            "FSIE": truth["FSIE"],
            "ITSE": truth["ITSE"],
            "lngdp": np.log(raw["output"]),
            "imp": 100 * raw["imports"] / raw["output"],
            "exp": 100 * raw["exports"] / raw["output"],
            "inst": raw["freedom_index"],
            "tra": indices.tra_from_lpi(raw["lpi"]),
        }
    )


def moment_vector(params: dict, targets: list[tuple[str, str]], seeds: list[int]) -> np.ndarray:
    """Table 2 moments (``mean`` or ``sd``, N - 1 divisor as Stata's ``summarize``), mean over ``seeds``."""
    out = []
    for seed in seeds:
        data = moment_frame(params, seed)
        out.append([data[v].mean() if stat == "mean" else data[v].std(ddof=1) for v, stat in targets])
    return np.mean(out, axis=0)


def calibrate_moments(params: dict, spec: dict, seeds: list[int]) -> tuple[dict, pd.DataFrame]:
    """Stage 3: the levels and dispersions of the simulated variables against Table 2's means and SDs.

    Gauss-Newton on the relative gaps ``(simulated - published) / published`` of the moments' means
    over ``seeds``, with a finite-difference Jacobian (each step ``spec["parameters"][name]``), the
    parameters kept within ``spec["bounds"]``.

    Returns
    -------
    params : dict
        A copy with the calibrated parameters.
    history : DataFrame
        The largest relative gap after each iteration.
    """
    from aichain_utils.inputs.published import load_table2

    t2 = load_table2().set_index("symbol")
    targets = [(v, stat) for v, stats in spec["targets"].items() for stat in stats]
    goal = np.array([float(t2.loc[v, stat]) for v, stat in targets])
    names, steps = list(spec["parameters"]), np.array([float(x) for x in spec["parameters"].values()])
    p, history = copy.deepcopy(params), []
    for it in range(int(spec["iterations"]) + 1):
        rel = moment_vector(p, targets, seeds) / goal - 1
        history.append({"iteration": it, "max |relative gap|": float(np.abs(rel).max())})
        if it == int(spec["iterations"]) or np.abs(rel).max() <= float(spec["tolerance"]):
            break
        theta = _values(p, names)
        if it == 0:  # the Jacobian once: these parameters act on the moments almost linearly
            J = np.empty((len(targets), len(names)))
            for k, (name, h) in enumerate(zip(names, steps, strict=True)):
                moved = copy.deepcopy(p)
                set_param(moved, name, float(theta[k] + h))
                J[:, k] = (moment_vector(moved, targets, seeds) / goal - 1 - rel) / h
        new = theta + np.linalg.lstsq(J, -rel, rcond=None)[0]
        for k, name in enumerate(names):
            lo, hi = spec.get("bounds", {}).get(name, (-np.inf, np.inf))
            set_param(p, name, round(float(np.clip(new[k], lo, hi)), 6))
    return p, pd.DataFrame(history)


# ----------------------------------------------------------------------------- the closest world
def closest_world(
    estimates: pd.Series, targets: pd.DataFrame, jacobian: pd.DataFrame, fitted: pd.Series | None = None
) -> pd.DataFrame:
    """The published coefficients no member of the simulated family reproduces together with the rest.

    Parameters
    ----------
    estimates : Series
        The expected estimates at the calibrated parameters (mean over the calibration seeds), by
        (table, column).
    targets : DataFrame
        :func:`target_cells`.
    jacobian : DataFrame
        d expected estimate / d parameter at the optimum (cells x parameters).
    fitted : Series of bool, optional
        Whether each cell pulls with full weight in the Huber fit (within ``k`` published SEs),
        recorded as ``in_consistent_set``.

    Returns
    -------
    DataFrame
        One row per target cell: published, closest (the expected estimate), gap in published SEs,
        whether it is within one SE, and (for those that are not) the cells it conflicts with: forcing
        the cell to its published value while fitting the reproduced cells, in the linearised family,
        pushes those cells out of their tolerance.
    """
    cells = targets.index
    se = targets["se"].to_numpy()
    z = (estimates.reindex(cells) - targets["coef"]).to_numpy() / se
    A = jacobian.reindex(cells).to_numpy() / se[:, None]
    rows = []
    for i, cell in enumerate(cells):
        conflicts = ""
        if abs(z[i]) > 1:
            w = (np.abs(z) <= 1).astype(float)  # the cells the closest world reproduces...
            w[i] = 1e4  # ...and this one, forced to its published value
            lhs = (A * w[:, None]).T @ A + 1e-6 * np.eye(A.shape[1])
            z_new = z + A @ np.linalg.solve(lhs, (A * w[:, None]).T @ (-z))
            pushed = [cells[j] for j in range(len(cells)) if j != i and abs(z_new[j]) > 1 >= abs(z[j])]
            conflicts = ", ".join(f"Table {t} ({c})" for t, c in pushed)
        rows.append(
            {
                "table": int(cell[0]),
                "column": int(cell[1]),
                "published": float(targets.loc[cell, "coef"]),
                "published_se": float(targets.loc[cell, "se"]),
                "closest": float(estimates.get(cell, np.nan)),
                "gap_in_se": float(z[i]),
                "within_one_se": bool(abs(z[i]) <= 1),
                "in_consistent_set": bool(True if fitted is None else fitted.get(cell, True)),
                "conflicts_with": conflicts,
            }
        )
    return pd.DataFrame(rows)


def sampling_report(per_seed: pd.DataFrame, targets: pd.DataFrame, band: float = 0.95) -> tuple[pd.DataFrame, dict]:
    """Each target coefficient against the calibrated world's sampling distribution on a list of seeds.

    Parameters
    ----------
    per_seed : DataFrame
        The battery's estimates on each seed (rows), by (table, column) (:func:`coefficient_frame`).
    targets : DataFrame
        :func:`target_cells`.
    band : float
        The central band: the published number is inside when it lies within the normal quantile
        ``z_{(1+band)/2}`` world SDs of the world's mean (the seeds are too few for empirical quantiles).

    Returns
    -------
    cells : DataFrame
        Per cell: mean, sd, mc_se (sd / sqrt(seeds)), gap of the mean in published SEs, within one
        published SE, inside the central band.
    summary : dict
        seeds, cells, the share of cells whose mean is within one published SE, the share inside the
        band, and the mean over seeds of the share of cells one draw puts within one published SE.
    """
    from scipy.stats import norm

    cells = targets.index
    est = per_seed.reindex(columns=cells)
    pub, se = targets["coef"], targets["se"]
    mean, sd = est.mean(), est.std(ddof=1)
    q = float(norm.ppf(0.5 + band / 2))
    out = pd.DataFrame(
        {
            "mean": mean,
            "sd": sd,
            "mc_se": sd / np.sqrt(len(est)),
            "gap_in_se": (mean - pub) / se,
            "within_one_se": (mean - pub).abs() <= se,
            "in_band": (mean - pub).abs() <= q * sd,
        }
    )
    one_draw = est.sub(pub, axis=1).abs().le(se, axis=1).mean(axis=1)
    summary = {
        "seeds": len(est),
        "cells": len(cells),
        "share_mean_within_one_se": float(out["within_one_se"].mean()),
        "share_in_central_band": float(out["in_band"].mean()),
        "band": band,
        "share_one_draw_within_one_se": float(one_draw.mean()),
        "share_one_draw_within_one_se_mc_se": float(one_draw.std(ddof=1) / np.sqrt(len(est))),
    }
    return out, summary


# ----------------------------------------------------------------------------- storing the result
def fingerprint(params_text: str, root: Path | None = None) -> str:
    """SHA-256 over the uncalibrated params.yml text and every file in :data:`FINGERPRINT_FILES`."""
    root = root or repo_root()
    h = hashlib.sha256(params_text.split(BLOCK_MARK)[0].encode("utf-8"))
    for name in FINGERPRINT_FILES:
        path = root / name
        files = sorted(path.rglob("*.py")) + sorted(path.rglob("*.csv")) if path.is_dir() else [path]
        for f in files:
            if f.is_file():
                h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _flatten(values: dict[str, object]) -> str:
    return "\n".join(f"  {name}: {json.dumps(v)}" for name, v in values.items())


def write_calibrated_block(
    params_path: Path, values: dict[str, object], digest: str, seeds: dict | None = None
) -> None:
    """Replace the ``calibrated:`` block at the end of params.yml (the rest of the file is kept)."""
    text = params_path.read_text(encoding="utf-8")
    head = text.split(BLOCK_MARK)[0].rstrip("\n")
    note = ""
    if seeds is not None:
        cal = seeds["calibration"]
        note = (
            f"# calibrated in expectation over seeds {cal[0]}-{cal[-1]} ({len(cal)} seeds); the default panel's seed "
            f"{seeds['holdout']} is a hold-out seed no stage used\n"
        )
    block = f"\n\n{BLOCK_MARK}\n{note}calibration_fingerprint: {digest}\ncalibrated:\n{_flatten(values)}\n"
    params_path.write_text(head + block, encoding="utf-8")


@dataclass
class CalibrationResult:
    """What :func:`calibrate` found: the parameter values, the histories, the closest world and the seeds."""

    values: dict[str, object]
    weights_history: pd.DataFrame
    effects_history: pd.DataFrame
    closest: pd.DataFrame
    fingerprint: str
    moments_history: pd.DataFrame
    seeds: dict = None
    summary: dict = None

    def to_json(self) -> str:
        """The report stored in ``data/simulation/calibration.json``."""
        doc = {
            "fingerprint": self.fingerprint,
            "fingerprint_inputs": ["params.yml above the calibrated block", *FINGERPRINT_FILES],
            "seeds": self.seeds,
            "summary": self.summary,
            "values": self.values,
            "weights_history": self.weights_history.to_dict("records"),
            "effects_history": self.effects_history.to_dict("records"),
            "moments_history": self.moments_history.to_dict("records"),
            "closest_world": self.closest.to_dict("records"),
        }
        return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def read_result(path: Path | None = None) -> dict:
    """The stored calibration report (``data/simulation/calibration.json``)."""
    return json.loads(Path(path or result_path()).read_text(encoding="utf-8"))


def _stage_seeds(spec: dict, params: dict) -> dict:
    seeds = calibration_seeds(spec, int(params["seed"]))
    seeds |= {"holdout": int(params["seed"]), "shape_seeds": int(spec["seeds"]["shape_seeds"])}
    seeds["jacobian_seeds"] = int(spec["effects"]["jacobian_seeds"])
    return seeds


def calibrate(params_path: Path | None = None, write: bool = True, log=print, jobs: int = 1) -> CalibrationResult:
    """Run the three stages from the uncalibrated parameters and store the result (``make calibrate``).

    Stages 1 and 3 on the first ``shape_seeds`` calibration seeds, stage 2 on all of them; then the
    report: the closest world in expectation, the hold-out panel's own estimates, and the calibrated
    world's sampling distribution on the out-of-sample seeds (:func:`sampling_report`).
    """
    from aichain_utils.simulation.simulate import default_params_path, load_params

    params_path = Path(params_path or default_params_path())
    spec = load_spec()
    base = load_params(params_path, calibrated=False)
    seeds = _stage_seeds(spec, base)
    shape = seeds["calibration"][: seeds["shape_seeds"]]
    p, w_hist = calibrate_weights(base, spec["weights"], shape)
    log(f"stage 1: largest weight gap {w_hist['max |weight gap|'].iloc[-1]:.4f} after {len(w_hist)} iterations")
    p, m_hist = calibrate_moments(p, spec["moments"], shape)
    log(f"stage 3: largest relative gap {m_hist['max |relative gap|'].iloc[-1]:.3f} after {len(m_hist)} evaluations")
    fit = calibrate_effects(p, spec["effects"], seeds["calibration"], jobs=jobs, log=log)
    # Table 2 once more: stage 2's bias parameters (e.g. the confounder) move the outcome's dispersion
    p, m2_hist = calibrate_moments(fit.params, spec["moments"], shape)
    m_hist = pd.concat([m_hist.assign(stage_pass=1), m2_hist.assign(stage_pass=2)], ignore_index=True)
    log(f"stage 3 again: largest relative gap {m2_hist['max |relative gap|'].iloc[-1]:.3f}")
    names = [spec["weights"]["parameter"], *spec["effects"]["effect_parameters"], *spec["effects"]["bias_parameters"]]
    names += ["effects.by_industry_type.unclassified", "effects.by_chain_position.unclassified"]
    names += ["effects.by_region.other", "effects.by_tech_level.low", *spec["moments"]["parameters"]]
    values = {n: _rounded(get_param(p, n)) for n in names}
    for name, value in values.items():  # every number below is computed on the parameters as stored
        set_param(p, name, value)
    fit.per_seed = coefficient_frame(p, seeds["calibration"], jobs)  # the expected estimates at the final values
    targets = target_cells()
    k = float(spec["effects"].get("loss_scale", 1.345))
    z_in = (fit.mean.reindex(targets.index) - targets["coef"]) / targets["se"]
    closest = closest_world(fit.mean, targets, fit.jacobian, z_in.abs() <= k)
    in_cells, in_summary = sampling_report(fit.per_seed, targets)
    oos = coefficient_frame(p, seeds["out_of_sample"], jobs)
    oos_cells, oos_summary = sampling_report(oos, targets)
    holdout = coefficient_vector(p, seeds["holdout"]).reindex(targets.index)
    closest = _with_sampling(closest, in_cells, oos_cells, holdout, huber_weights(z_in.to_numpy(), k))
    summary = {"calibration_seeds": in_summary, "out_of_sample": oos_summary, "loss": spec["effects"]["loss"],
               "loss_scale": k}  # fmt: skip
    log(f"out of sample: {json.dumps(oos_summary)}")
    digest = fingerprint(params_path.read_text(encoding="utf-8"))
    result = CalibrationResult(values, w_hist, fit.history, closest, digest, m_hist, seeds, summary)
    if write:
        write_calibrated_block(params_path, values, digest, seeds)
        result_path().write_text(result.to_json(), encoding="utf-8")
    return result


def _with_sampling(closest, in_cells, oos_cells, holdout, weights) -> pd.DataFrame:
    """Add the calibration seeds' SD, the hold-out estimate and the out-of-sample columns to the closest world."""
    out = closest.copy()
    key = list(zip(out["table"], out["column"], strict=True))
    out["huber_weight"] = np.round(weights, 6)
    out["calibration_sd"] = [float(in_cells.loc[c, "sd"]) for c in key]
    out["calibration_mc_se"] = [float(in_cells.loc[c, "mc_se"]) for c in key]
    out["holdout_estimate"] = [float(holdout.loc[c]) for c in key]
    for col in ("mean", "sd", "mc_se", "gap_in_se", "within_one_se", "in_band"):
        out[f"oos_{col}"] = [oos_cells.loc[c, col].item() for c in key]
    return out


def _rounded(v):
    if isinstance(v, list):
        return [round(float(x), 6) for x in v]
    return round(float(v), 6)
