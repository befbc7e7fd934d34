"""A calibrated simulated panel of raw inputs, from a written-down data-generating process.

The paper's data are proprietary, so the book runs on a simulated panel. The rule is
that **no regression variable is drawn as a finished index**: the simulator produces
*raw inputs* (the 24 AIE indicators, robots, costs, segment outputs, synergy sums,
trade, instruments, ...) and :func:`aichain_utils.inputs.panel.build_analysis_panel` turns
them into AIE, ERL, FSIE, ITSE, LCV, WCV and the controls with the same code a user of
the licensed data runs.

How the truth is built in ("inverse design")
--------------------------------------------
1. Raw AI indicators are drawn from a latent AI embedding ``a_it`` (which carries the
   endogeneity: it responds to the ERL shock of the same year, and to the instruments),
   and AIE is computed from them by the entropy weight method.
2. The structural equations of the DGP give *target* values of every index as a function
   of that AIE (e.g. ``FSIE* = ... + beta_F AIE + ...``).
3. For each index, all raw inputs but one are drawn freely, and the last is solved so
   that the formula as this book reads it (see data/published/equations.yml), applied to the raw inputs,
   returns the target exactly.

The simulator runs as a sequence of short blocks, each with its own random stream (so that
changing one block's parameters leaves every other block's draws unchanged): design,
controls, instruments, latent AI, indicators, mediator targets, outcome targets, value
targets, free raw inputs, solved raw inputs, missing ITSE rows. The simulated-world chapter
writes each block out as equations with the values of ``data/simulation/params.yml``.

Every parameter lives in that file; this module holds none (a test reads the module's
numeric literals and records which keys of the file a simulation reads).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.special import expit, log_ndtr

from aichain_utils.measurement import indices
from aichain_utils.paths import data_dir
from aichain_utils.simulation.paramtree import apply_calibrated

__all__ = [
    "AIE_INDICATOR_COLUMNS",
    "ALT_INDICATOR_COLUMNS",
    "BLOCKS",
    "RecordingParams",
    "SimulatedPanel",
    "default_params_path",
    "leaf_paths",
    "load_params",
    "segment_effects",
    "simulate_indicators",
    "simulate_panel",
]

AIE_INDICATOR_COLUMNS = [f"aie_{j:02d}" for j in range(1, 25)]
ALT_INDICATOR_COLUMNS = [f"alt_{d}{k}" for d in range(1, 6) for k in "ab"]

#: The simulator's blocks, in the order they run; each draws from its own stream.
BLOCKS = [
    "structure",
    "controls",
    "instruments",
    "latent",
    "indicators",
    "mediators",
    "outcome",
    "value",
    "raw",
    "lab",
]


def default_params_path() -> Path:
    """``data/simulation/params.yml``."""
    return data_dir() / "simulation" / "params.yml"


def load_params(path: Path | str | None = None, calibrated: bool = True) -> dict:
    """Read the DGP parameter file (YAML).

    Parameters
    ----------
    path : path, optional
        Defaults to ``data/simulation/params.yml``.
    calibrated : bool
        Apply the file's ``calibrated:`` block (written by ``make calibrate``, see
        :mod:`aichain_utils.replication.calibration`) over the values it calibrates. False gives the starting
        values the calibration begins from.
    """
    path = Path(path) if path is not None else default_params_path()
    with path.open(encoding="utf-8") as fh:
        params = yaml.safe_load(fh)
    if calibrated:
        return apply_calibrated(params)
    params.pop("calibrated", None)
    params.pop("calibration_fingerprint", None)
    return params


def leaf_paths(params: Mapping, prefix: str = "") -> list[str]:
    """Dotted paths of every leaf of a nested parameter mapping (a list is one leaf)."""
    out = []
    for key, value in params.items():
        path = f"{prefix}{key}"
        out.extend(leaf_paths(value, path + ".") if isinstance(value, Mapping) else [path])
    return out


class RecordingParams(Mapping):
    """A read-only view of a parameter dict that records the leaf paths read through it.

    ``simulate_panel(RecordingParams(p))`` runs the simulator unchanged; afterwards
    ``.read`` holds the dotted path of every leaf the simulation used, so a test can find
    parameters the code never reads.
    """

    def __init__(self, data: Mapping, prefix: str = "", read: set[str] | None = None):
        self._data, self._prefix = data, prefix
        self.read: set[str] = set() if read is None else read

    def __getitem__(self, key):
        value = self._data[key]
        path = f"{self._prefix}{key}"
        if isinstance(value, Mapping):
            return RecordingParams(value, path + ".", self.read)
        self.read.add(path)
        return value

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def segment_effects(params: Mapping) -> dict[str, float]:
    """True AIE effects on ELRI_front, ELRI_inter, ELRI_back.

    The published Table 5 effects keep their proportions but are scaled so that their
    mean equals the total AIE effect on ERL (ERL is the mean of the three segments,
    equation 9, so its coefficient must be the mean of theirs).
    """
    shares = dict(params["effects"]["segment_shares"])
    total = params["effects"]["aie_on_erl_total"]
    mean_share = sum(shares.values()) / len(shares)
    return {k: total * v / mean_share for k, v in shares.items()}


@dataclass
class SimulatedPanel:
    """The simulator's output.

    Attributes
    ----------
    raw : DataFrame
        Raw inputs, one row per unit-year: what a user of licensed data would supply.
    truth : DataFrame
        The DGP's targets of each index and the unit's true direct effect, for tests and
        the simulation lab. Not used by any estimator.
    params : dict
        The parameters used.
    """

    raw: pd.DataFrame
    truth: pd.DataFrame
    params: dict


@dataclass
class _Design:
    """The panel's skeleton: sizes, group labels and the long (unit-major, then year) index arrays."""

    n_ind: int
    n_units: int
    n_years: int
    n: int
    unit: np.ndarray
    year: np.ndarray
    t: np.ndarray
    industry: np.ndarray
    province: np.ndarray
    u_idx: np.ndarray
    i_idx: np.ndarray
    cell: np.ndarray  # industry-year cell of each row, 0 .. n_ind * n_years - 1
    ind_type: np.ndarray  # per industry
    ind_pos: np.ndarray
    unit_tech: np.ndarray  # per unit
    province_fm: np.ndarray  # per province
    factor_market_index: np.ndarray

    def ind_draw(self, rng, sd: float) -> np.ndarray:
        """An industry effect with exactly standard deviation ``sd`` over the industries, per row."""
        return _exact_sd(rng.standard_normal(self.n_ind), sd)[self.i_idx]

    def unit_draw(self, rng, sd: float) -> np.ndarray:
        """A unit effect with exactly standard deviation ``sd`` over the units, per row."""
        return _exact_sd(rng.standard_normal(self.n_units), sd)[self.u_idx]

    def cell_draw(self, rng) -> np.ndarray:
        """A standard-normal draw per industry-year, per row (constant within industry-years)."""
        return rng.standard_normal(self.n_ind * self.n_years)[self.cell]

    def cell_sum(self, values: np.ndarray) -> np.ndarray:
        """The sum of ``values`` over each row's industry-year, per row."""
        return np.bincount(self.cell, weights=values, minlength=self.n_ind * self.n_years)[self.cell]


def _exact_sd(v: np.ndarray, sd: float) -> np.ndarray:
    # group effects with exactly the stated standard deviation in the sample (35 draws
    # would otherwise miss it by around 12%)
    return sd * (v - v.mean()) / v.std()


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _lognormal(rng, spec: Mapping, size) -> np.ndarray:
    return np.exp(spec["log_mean"] + spec["log_sd"] * rng.standard_normal(size))


def _assign_groups(rng, n_ind: int, counts: Mapping) -> np.ndarray:
    """Label ``counts[label]`` randomly chosen industries with each label; the rest "unclassified"."""
    labels = np.array(["unclassified"] * n_ind, dtype=object)
    order = rng.permutation(n_ind)
    start = 0
    for label, count in counts.items():
        labels[order[start : start + count]] = label
        start += count
    return labels


# ============================================================================ block 1: design
def _design_block(p: Mapping, scale: int, rng) -> _Design:
    """Units, years, groups (Tables 7-9) and the provinces' factor-market index."""
    d = p["design"]
    n_ind, per_ind = d["n_industries"], d["units_per_industry"] * scale
    years = np.arange(d["first_year"], d["last_year"] + 1)
    n_units, n_years = n_ind * per_ind, len(years)
    n = n_units * n_years
    unit_industry = np.repeat(np.arange(1, n_ind + 1), per_ind)
    unit_province = rng.integers(1, d["n_provinces"] + 1, size=n_units)
    ind_type = _assign_groups(rng, n_ind, d["industry_type_counts"])
    ind_pos = _assign_groups(rng, n_ind, d["chain_position_counts"])
    unit_tech = np.where(rng.random(n_units) < d["high_tech_share"], "high", "low")
    fm = p["factor_market"]
    province_fm = rng.normal(fm["mean"], fm["province_sd"], size=d["n_provinces"])
    unit = np.repeat(np.arange(1, n_units + 1), n_years)
    year = np.tile(years, n_units)
    t = year - d["first_year"]
    industry = np.repeat(unit_industry, n_years)
    province = np.repeat(unit_province, n_years)
    fmi = province_fm[province - 1] + fm["trend_per_year"] * t + fm["noise_sd"] * rng.standard_normal(n)
    return _Design(
        n_ind=n_ind, n_units=n_units, n_years=n_years, n=n, unit=unit, year=year, t=t, industry=industry,
        province=province, u_idx=unit - 1, i_idx=industry - 1, cell=(industry - 1) * n_years + t,
        ind_type=ind_type, ind_pos=ind_pos, unit_tech=unit_tech, province_fm=province_fm,
        factor_market_index=fmi,
    )  # fmt: skip


# ============================================================================ block 2: controls
def _controls_block(p: Mapping, s: _Design, rng) -> dict:
    """The five controls, per industry-year (the paper defines each for the industry, section 四.2(4)).

    Industry output (yuan), imports and exports, the economic-freedom index and the logistics
    performance index (on its 1-5 scale) are constant within an industry-year.
    """
    c = p["controls"]
    cl = c["lngdp"]
    t_centred = s.t - s.t.mean()
    lngdp = cl["mean"] + s.ind_draw(rng, cl["industry_sd"]) + cl["trend"] * t_centred
    lngdp = lngdp + cl["noise_sd"] * s.cell_draw(rng)
    output = np.exp(lngdp)
    shares = {}
    for key in ("imp", "exp"):
        ck = c[key]
        shares[key] = np.exp(ck["log_mean"] + s.ind_draw(rng, ck["industry_sd"]) + ck["log_sd"] * s.cell_draw(rng))
    ci = c["inst"]
    w = ci["industry_share"]
    inst_z = np.sqrt(w) * s.ind_draw(rng, 1.0) + np.sqrt(1 - w) * s.cell_draw(rng)
    freedom_index = np.clip(ci["mean"] + ci["sd"] * inst_z, ci["min"], ci["max"])
    ct = c["lpi"]
    lpi_z = ct["log_mean"] + s.ind_draw(rng, ct["industry_sd"]) + ct["log_sd"] * s.cell_draw(rng)
    lpi = np.minimum(ct["min"] + np.exp(lpi_z), indices.LPI_SCALE[1])  # a score on the 1-5 scale
    return {
        "lngdp": lngdp,
        "output": output,
        "imports": output * shares["imp"] / 100.0,  # imp and exp are percentages of output
        "exports": output * shares["exp"] / 100.0,
        "imp": shares["imp"],
        "exp": shares["exp"],
        "freedom_index": freedom_index,
        "lpi": lpi,
        "tra": indices.tra_from_lpi(lpi),
    }


# ============================================================================ block 3: instruments
def _instruments_block(p: Mapping, s: _Design, rng) -> dict:
    """Raw inputs of IV2-IV4 (section 五.2) and their standardised values z2, z3, z4."""
    ri = p["raw_inputs"]["instruments"]
    ai_papers = np.round(_lognormal(rng, ri["ai_papers"], s.n))
    po = ri["post_offices_1984"]
    post_offices_1984 = np.round(_lognormal(rng, po, s.n_units))[s.u_idx] + po["offset"]
    bb, cd = ri["broadband_ports"], ri["cable_density"]
    broadband_ports = np.exp(bb["log_mean"] + bb["trend"] * s.t + bb["log_sd"] * rng.standard_normal(s.n))
    fixed_phones = _lognormal(rng, ri["fixed_phones"], s.n)
    cable_density = np.exp(cd["log_mean"] + cd["trend"] * s.t + cd["log_sd"] * rng.standard_normal(s.n))
    return {
        "ai_papers": ai_papers,
        "post_offices_1984": post_offices_1984,
        "broadband_ports": broadband_ports,
        "fixed_phones": fixed_phones,
        "cable_density": cable_density,
        "z2": _standardise(np.log1p(ai_papers)),
        "z3": _standardise(np.log(post_offices_1984 * broadband_ports)),
        "z4": _standardise(np.log(fixed_phones * cable_density)),
    }


# ============================================================================ block 4: latent AI
def _latent_block(p: Mapping, s: _Design, ctrl: dict, inst: dict, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The latent AI embedding a_it (with its AR(1) part and reverse feedback), the ERL shock, and
    the latent's industry effect (which ERL's industry effect may load on: ``erl.industry_confounding``)."""
    erl_shock = p["erl"]["noise_sd"] * rng.standard_normal(s.n)
    la = p["latent_ai"]
    xi = np.empty(s.n)
    innov = la["innovation_sd"] * rng.standard_normal(s.n)
    for k in range(s.n_years):  # AR(1) within unit, started at its stationary distribution
        rows = np.arange(k, s.n, s.n_years)
        if k == 0:
            xi[rows] = innov[rows] / np.sqrt(1 - la["ar1"] ** 2)
        else:
            xi[rows] = la["ar1"] * xi[rows - 1] + innov[rows]
    iv = la["instruments"]
    ai_industry = s.ind_draw(rng, la["industry_sd"])
    latent = (
        la["mean"]
        + ai_industry
        + s.unit_draw(rng, la["unit_sd"])
        + la["trend_per_year"] * s.t
        + la["on_lngdp"] * _standardise(ctrl["lngdp"])
        + iv["iv2"] * inst["z2"]
        + iv["iv3"] * inst["z3"]
        + iv["iv4"] * inst["z4"]
        + la["feedback_from_erl_shock"] * erl_shock
        + xi
    )
    return latent, erl_shock, ai_industry


# ============================================================================ block 5: indicators
#: Rows per chunk when drawing the indicator matrices: the draws are the same as one (n, k) draw
#: (the generator fills row after row), without n x k temporaries. No effect on any number.
_CHUNK_ROWS = 1 << 17


def _bounded(signal: np.ndarray, scale: np.ndarray, power: np.ndarray) -> np.ndarray:
    """The Gaussian-copula power marginal ``x = scale * Phi(signal)^power``, in ``[0, scale]``.

    ``Phi(signal)`` is uniform, so ``x / scale`` is ``U^power``, a Beta(1/power, 1) variable: bounded
    whatever the power (computed as ``exp(power * log Phi)``, which can underflow to 0 but never
    overflow), with more of its mass near zero the larger the power. It replaced a Weibull-type
    marginal ``(-ln(1 - Phi))^power`` whose calibrated powers near 35 overflowed the raw-data check
    (|value| above 1e15) in about one panel in twelve (issue 21).
    """
    return scale * np.exp(power * log_ndtr(signal))


def _indicator_frames(p: Mapping, s: _Design, latent: np.ndarray, rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 24 raw AIE indicators and the 10 alternative indicators, drawn in chunks of rows.

    Each indicator is a bounded power marginal (:func:`_bounded`, Beta(1/power, 1) up to its scale)
    of a noisy loading on the standardised latent AI embedding, through a Gaussian copula (a power
    above one piles the mass near zero and gives the right skew of Table 2: AIE mean 0.030, sd 0.044,
    max 0.663). The national and share-of-world indicators of Table 1
    (``aie_indicators.national``) load on the year's mean of the latent embedding, with one noise
    draw per year, so they are constant within a year.
    """
    ai, alt = p["aie_indicators"], p["alt_indicators"]
    n_ind = len(AIE_INDICATOR_COLUMNS)
    national = np.asarray(ai["national"]) - 1
    local = np.setdiff1d(np.arange(n_ind), national)
    latent_std = _standardise(latent)
    loadings = ai["loading_mean"] + ai["loading_spread"] * (2 * rng.random(n_ind) - 1)
    norm = np.sqrt(loadings**2 + ai["noise_sd"] ** 2)
    scale = np.exp(np.asarray(ai["log_scale"]))
    # one power for every indicator, or one each (make calibrate shapes each to its Table 1 weight)
    power = np.broadcast_to(np.asarray(ai["power"], dtype=float), (n_ind,))
    aie_t = np.empty((n_ind, s.n))
    for lo in range(0, s.n, _CHUNK_ROWS):
        hi = min(lo + _CHUNK_ROWS, s.n)
        noise = ai["noise_sd"] * rng.standard_normal((hi - lo, len(local)))
        signal = (loadings[local] * latent_std[lo:hi, None] + noise) / norm[local]
        aie_t[local, lo:hi] = _bounded(signal, scale[local], power[local]).T
    alt_t = np.empty((len(ALT_INDICATOR_COLUMNS), s.n))
    for lo in range(0, s.n, _CHUNK_ROWS):  # after every AIE draw: the stream's order is unchanged
        hi = min(lo + _CHUNK_ROWS, s.n)
        noise = alt["noise_sd"] * rng.standard_normal((hi - lo, len(ALT_INDICATOR_COLUMNS)))
        alt_t[:, lo:hi] = np.exp(alt["loading"] * latent[lo:hi, None] + noise).T
    year_mean = np.bincount(s.t, weights=latent_std) / np.bincount(s.t)  # per year
    noise = ai["noise_sd"] * rng.standard_normal((s.n_years, len(national)))
    signal = (ai["national_loading"] * loadings[national] * year_mean[:, None] + noise) / norm[national]
    aie_t[national, :] = _bounded(signal, scale[national], power[national])[s.t].T
    aie_frame = pd.DataFrame(aie_t.T, columns=AIE_INDICATOR_COLUMNS, copy=False)
    return aie_frame, pd.DataFrame(alt_t.T, columns=ALT_INDICATOR_COLUMNS, copy=False)


# ============================================================================ block 6: mediator targets
def _mediator_targets(p: Mapping, s: _Design, aie: np.ndarray, rng) -> dict:
    """Targets of FSIE, ITSE and forward/backward ITSE (the indices of equations 10-15)."""
    ef, fs, it = p["effects"], p["fsie"], p["itse"]
    fsie_t = (
        fs["industry_sd"] * np.abs(rng.standard_normal(s.n_ind))[s.i_idx]
        + ef["aie_on_fsie"] * aie
        + rng.gamma(fs["gamma_shape"], fs["gamma_scale"], size=s.n)
    )
    logit = (
        it["logit_level"]
        + s.ind_draw(rng, it["industry_sd"])
        + s.unit_draw(rng, it["unit_sd"])
        + ef["aie_on_itse"] * aie
        + it["noise_sd"] * rng.standard_normal(s.n)
    )
    itse_t = it["lower"] + (it["upper"] - it["lower"]) * expit(logit)  # within Table 2's range
    fw, bw = p["itse_forward"], p["itse_backward"]
    fwd_t = fw["level"] + ef["aie_on_itse_forward"] * aie + fw["sd"] * rng.standard_normal(s.n)
    bwd_t = bw["level"] + ef["aie_on_itse_backward"] * aie + bw["sd"] * rng.standard_normal(s.n)
    # shares of a non-negative synergy matrix: floor the (rare, > 5 SD) negative draws
    fwd_t, bwd_t = np.maximum(fwd_t, fw["floor"]), np.maximum(bwd_t, bw["floor"])
    fwd_sum, bwd_sum = s.cell_sum(fwd_t), s.cell_sum(bwd_t)
    bwd_measured = bwd_t * fwd_sum / bwd_sum  # eq. (14)-(15) share both totals: see docs
    return {"fsie": fsie_t, "itse": itse_t, "fwd": fwd_t, "bwd": bwd_t, "fwd_sum": fwd_sum,
            "bwd_measured": bwd_measured}  # fmt: skip


# ============================================================================ block 7: outcome targets
def _direct_effects(p: Mapping, s: _Design) -> tuple[np.ndarray, float, np.ndarray]:
    """Each row's direct AIE -> ERL effect (group deviations, Tables 7-9), the indirect effect, and
    the Table 9 region of each row (top share of provinces by factor-market level)."""
    ef, d = p["effects"], p["design"]
    ranks = pd.Series(s.province_fm).rank(ascending=False, method="first").to_numpy()
    developed = (ranks <= np.floor(d["developed_share"] * d["n_provinces"]))[s.province - 1]
    tech = s.unit_tech[s.u_idx]
    by_type, by_pos = dict(ef["by_industry_type"]), dict(ef["by_chain_position"])
    het = (
        pd.Series(s.ind_type[s.i_idx]).map(by_type).to_numpy()
        + pd.Series(s.ind_pos[s.i_idx]).map(by_pos).to_numpy()
        + np.where(developed, ef["by_region"]["developed"], ef["by_region"]["other"])
        + np.where(tech == "high", ef["by_tech_level"]["high"], ef["by_tech_level"]["low"])
    )
    indirect = (
        ef["fsie_on_erl"] * ef["aie_on_fsie"]
        + ef["itse_forward_on_erl"] * ef["aie_on_itse_forward"]
        + ef["itse_backward_on_erl"] * ef["aie_on_itse_backward"]
    )
    return ef["aie_on_erl_total"] - indirect + het, indirect, developed


def _outcome_targets(p: Mapping, s: _Design, aie, ctrl, inst, shocks, med, rng, lab_rng) -> dict:
    """ERL* (equation 1's structure) and its three segments (equation 9 holds exactly).

    Also applies the simulation-lab switches (zero in the calibrated panel): an instrument with a
    direct path to ERL (violating exclusion) and a shock common to FSIE and ERL.
    """
    ef, e, lab = p["effects"], p["erl"], p["lab"]
    erl_shock, ai_industry = shocks
    direct, indirect, _ = _direct_effects(p, s)
    confounder = lab["mediator_confounder_sd"] * lab_rng.standard_normal(s.n)
    fsie_t = np.maximum(med["fsie"] + confounder, p["fsie"]["floor"])
    th = e["controls"]
    erl_t = (
        e["level"]
        + s.ind_draw(rng, e["industry_sd"])
        + e["industry_confounding"] * ai_industry
        + s.unit_draw(rng, e["unit_sd"])
        + e["trend_per_year"] * s.t
        + direct * aie
        + ef["fsie_on_erl"] * fsie_t
        + ef["itse_forward_on_erl"] * med["fwd"]
        + ef["itse_backward_on_erl"] * med["bwd_measured"]
        + sum(th[k] * (ctrl[k] - ctrl[k].mean()) for k in ("lngdp", "imp", "exp", "tra"))
        + th["inst"] * (ctrl["freedom_index"] - ctrl["freedom_index"].mean())
        + erl_shock
        + lab["iv2_direct_on_erl"] * inst["z2"]
        + confounder
    )
    shares = dict(ef["segment_shares"])
    weights = {k: len(shares) * v / sum(shares.values()) for k, v in shares.items()}  # average to one
    # ERL is a product of positive inputs (eqs. 6-9): a target below the floor (a strongly negative
    # group effect times a large AIE) is raised to it
    erl_t = np.maximum(erl_t, e["floor"])
    # proportional noise, zero-sum in the weights: ERL = mean of segments exactly, and a segment is
    # positive whenever ERL is (additive noise made the smallest segment negative in some panels)
    w = np.array([weights[k] for k in shares])
    seg_noise = e["segment_noise_sd"] * rng.standard_normal((s.n, len(shares)))
    seg_noise -= (seg_noise @ w / w.sum())[:, None]
    segs = {k: weights[k] * erl_t * (1 + seg_noise[:, j]) for j, k in enumerate(shares)}
    return {"erl": erl_t, "segments": segs, "fsie": fsie_t, "direct": direct, "indirect": indirect}


# ============================================================================ block 8: value targets
def _value_targets(p: Mapping, s: _Design, aie: np.ndarray, rng) -> dict:
    """Targets of LCV (equation 17) and WCV (equation 18)."""
    ef, lc, wc = p["effects"], p["lcv"], p["wcv"]
    lcv_t = ef["aie_on_lcv"] * aie + lc["trend_per_year"] * s.t + lc["noise_sd"] * rng.standard_normal(s.n)
    wcv_t = wc["level"] + s.ind_draw(rng, wc["industry_sd"]) + ef["aie_on_wcv"] * aie
    wcv_t = np.maximum(wcv_t + wc["noise_sd"] * rng.standard_normal(s.n), wc["floor"])
    return {"lcv": lcv_t, "wcv": wcv_t}


# ============================================================================ block 9: free raw inputs
_FREE_LOGNORMAL = [
    "rd_cost", "iceberg_cost", "data_density", "circulation_rate", "crossborder_synergy", "theta_front",
    "ups_m", "ups_i", "spillover",
]  # fmt: skip


def _free_inputs(p: Mapping, s: _Design, ctrl: dict, rng) -> dict:
    """Raw inputs that no target pins: drawn from the distributions of ``raw_inputs``.

    Node-level outputs are in units of ``node_output_unit_yuan`` and scale with the unit's share
    of its industry's output (``per_unit``), so that their sums are an economy's, not arbitrary.
    """
    r = p["raw_inputs"]
    out = {k: _lognormal(rng, r[k], s.n) for k in _FREE_LOGNORMAL}
    out["stuck_nodes"] = r["stuck_nodes"]["min"] + rng.poisson(r["stuck_nodes"]["poisson_mean"], size=s.n)
    per_unit = ctrl["output"] / (r["node_output_unit_yuan"] * s.n_units / s.n_ind)
    out["per_unit"] = per_unit
    out["y_inter"] = per_unit * _lognormal(rng, r["inter_share"], s.n)
    out["final_share"] = rng.uniform(r["final_share"]["low"], r["final_share"]["high"], size=s.n)
    out["node_share"] = _lognormal(rng, r["node_share"], s.n)  # (y_F + y_B) / per_unit in the base year
    out["interaction_cost"] = per_unit * _lognormal(rng, r["interaction_cost"], s.n)
    out["output_elasticity"] = rng.uniform(r["output_elasticity"]["low"], r["output_elasticity"]["high"], size=s.n)
    out["loss_coef"] = rng.uniform(r["loss_coef"]["low"], r["loss_coef"]["high"], size=s.n)
    return out


# ============================================================================ block 10: solved raw inputs
def _solve_erl_inputs(segs: dict, free: dict) -> dict:
    """Robots P from (6), kappa from (7) and Theta_B from (8), given the segment targets."""
    cost = free["rd_cost"] * free["iceberg_cost"]
    ups = free["ups_m"] + free["ups_i"]
    return {
        "robots": segs["front"] * cost / (free["data_density"] * free["theta_front"] * ups),
        "rd_efficiency": segs["inter"] * cost / (free["circulation_rate"] * free["crossborder_synergy"] * ups),
        "theta_back": segs["back"] * cost / (free["stuck_nodes"] * free["spillover"] * ups),
    }


def _solve_value_inputs(s: _Design, value: dict, free: dict, robots: np.ndarray, synergy_coef) -> dict:
    """Lambda and the front/final outputs from (16)-(18).

    In a unit's base year its node output y_F + y_B is drawn (``node_share`` of the unit's share of
    industry output) and Lambda solved from (18); afterwards Lambda follows from the LCV target by
    (16)-(17), and y_F + y_B is solved from (18).
    """
    base = s.t == 0
    total_base = free["node_share"] * free["per_unit"]
    lam_base = value["wcv"] * robots / (synergy_coef * total_base)  # eq. (18) solved for Lambda
    vce_base = indices.value_conversion_efficiency(
        lam_base, free["crossborder_synergy"], free["rd_cost"], free["iceberg_cost"]
    )
    vce_unit_base = pd.Series(np.where(base, vce_base, np.nan)).groupby(s.unit).transform("max").to_numpy()
    vce = np.where(base, vce_base, vce_unit_base * np.exp(value["lcv"]))  # eq. (17)
    value_efficacy = vce * free["rd_cost"] * free["iceberg_cost"] / free["crossborder_synergy"]  # eq. (16)
    total_out = value["wcv"] * robots / (value_efficacy * synergy_coef)  # eq. (18)
    return {
        "value_efficacy": value_efficacy,
        "y_final": free["final_share"] * total_out,
        "y_front": (1 - free["final_share"]) * total_out,
    }


def _solve_mediator_inputs(med: dict, free: dict, y_front, y_final, fsie_t) -> dict:
    """Inputs of equations (10)-(15): y_back from (11), the key input a from (13), c and the synergy sums.

    Eq. (14) as printed: forward ITSE = c x column total / matrix total, so forward ITSE summed over a
    matrix's nodes is c; eq. (15): backward = c x row total / matrix total. Column totals are the
    forward targets and row totals the backward ones rescaled to the same matrix total.
    """
    synergy_coef = med["fwd_sum"]  # c: the sum of forward targets in the industry-year
    y_back = y_front + 2.0 * fsie_t * free["y_inter"]  # eq. (11): FSIE = |y_F - y_back| / (2 y_inter)
    nsc_prod = 1.0
    for y_s in (y_front, free["y_inter"], y_back):
        nsc_prod = nsc_prod * indices.nsc(free["ups_i"], synergy_coef, y_s, y_final, free["interaction_cost"])
    key_input = (med["itse"] - 1.0) / ((free["output_elasticity"] - free["loss_coef"]) * nsc_prod)  # eq. (13)
    return {"synergy_coef": synergy_coef, "y_back": y_back, "key_input": key_input,
            "synergy_in": med["fwd"].copy(), "synergy_out": med["bwd_measured"].copy()}  # fmt: skip


def _missing_itse(p: Mapping, s: _Design, key_input: np.ndarray, scale: int, rng) -> np.ndarray:
    """Rows whose ITSE input is missing: chosen completely at random (Table 2: N 22,608)."""
    missing = rng.choice(s.n, size=p["design"]["itse_missing_rows"] * scale, replace=False)
    out = key_input.copy()
    out[missing] = np.nan
    return out


# ============================================================================ the simulator
def _streams(p: Mapping, seed) -> dict:
    """One independent generator per block (:data:`BLOCKS`), spawned from the root seed."""
    if isinstance(seed, np.random.SeedSequence):  # a fresh copy: spawning must not change the caller's
        root = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size)
    else:
        root = np.random.SeedSequence(p["seed"] if seed is None else seed)
    children = root.spawn(len(BLOCKS))
    return {name: np.random.default_rng(child) for name, child in zip(BLOCKS, children, strict=True)}


def _first_blocks(p: Mapping, g: dict, scale: int) -> tuple:
    """Blocks 1-5 (design, controls, instruments, latent AI, indicators) on the streams ``g``."""
    s = _design_block(p, scale, g["structure"])
    ctrl = _controls_block(p, s, g["controls"])
    inst = _instruments_block(p, s, g["instruments"])
    latent = _latent_block(p, s, ctrl, inst, g["latent"])
    return s, ctrl, inst, latent, _indicator_frames(p, s, latent[0], g["indicators"])


def simulate_indicators(
    params: Mapping, seed: int | np.random.SeedSequence | None = None, scale: int = 1
) -> pd.DataFrame:
    """The 24 raw AIE indicators of :func:`simulate_panel`, without the later blocks.

    Byte-identical to ``simulate_panel(params, seed, scale).raw[AIE_INDICATOR_COLUMNS]`` (every block
    draws from its own stream), at a fraction of the cost: what stage 1 of the calibration needs.
    """
    *_, (aie_frame, _alt_frame) = _first_blocks(params, _streams(params, seed), scale)
    return aie_frame


def simulate_panel(
    params: Mapping | None = None, seed: int | np.random.SeedSequence | None = None, scale: int = 1
) -> SimulatedPanel:
    """Simulate the raw-input panel.

    Parameters
    ----------
    params : dict, optional
        DGP parameters; defaults to ``data/simulation/params.yml``.
    seed : int or numpy.random.SeedSequence, optional
        Seed of the random generator; defaults to ``params["seed"]``. The same seed and
        parameters give byte-identical output. A ``SeedSequence`` (e.g. one of the streams a
        Monte Carlo spawns) is used as the root of the blocks' streams; the object passed is not
        changed, so passing it twice gives the same panel twice.
    scale : int
        Multiply the number of units per industry (for benchmarks: ``scale=10`` gives ten
        times the rows). The default reproduces the paper's 23,485 unit-years.

    Returns
    -------
    SimulatedPanel
    """
    p = load_params() if params is None else params
    g = _streams(p, seed)
    s, ctrl, inst, (latent, erl_shock, ai_industry), (aie_frame, alt_frame) = _first_blocks(p, g, scale)
    aie = indices.entropy_index(aie_frame, ["+"] * len(AIE_INDICATOR_COLUMNS))[0].to_numpy()  # as the panel does
    med = _mediator_targets(p, s, aie, g["mediators"])
    out = _outcome_targets(p, s, aie, ctrl, inst, (erl_shock, ai_industry), med, g["outcome"], g["lab"])
    value = _value_targets(p, s, aie, g["value"])
    free = _free_inputs(p, s, ctrl, g["raw"])
    solved = _solve_erl_inputs(out["segments"], free)
    solved.update(_solve_value_inputs(s, value, free, solved["robots"], med["fwd_sum"]))
    solved.update(_solve_mediator_inputs(med, free, solved["y_front"], solved["y_final"], out["fsie"]))
    solved["key_input"] = _missing_itse(p, s, solved["key_input"], scale, g["raw"])
    raw = _raw_frame(s, ctrl, inst, free, solved, aie_frame, alt_frame)
    del aie_frame, alt_frame
    truth = _truth_frame(s, latent, erl_shock, med, out, value, solved["key_input"])
    return SimulatedPanel(raw=raw, truth=truth, params=p)


#: The raw-input columns after the indicators, in the order of the raw-input file.
_RAW_INPUTS = [
    "robots", "data_density", "rd_cost", "iceberg_cost", "rd_efficiency", "circulation_rate",
    "crossborder_synergy", "stuck_nodes", "spillover", "theta_front", "theta_back", "ups_m", "ups_i",
    "y_front", "y_inter", "y_back", "y_final", "synergy_coef", "interaction_cost", "key_input",
    "output_elasticity", "loss_coef", "synergy_out", "synergy_in", "value_efficacy", "output", "imports",
    "exports", "freedom_index", "lpi", "ai_papers", "post_offices_1984", "broadband_ports", "fixed_phones",
    "cable_density",
]  # fmt: skip


def _raw_frame(s: _Design, ctrl, inst, free, solved, aie_frame, alt_frame) -> pd.DataFrame:
    """The raw-input file: ids, groups, indicators, then :data:`_RAW_INPUTS`."""
    pool = {**free, **solved, **ctrl, **inst}
    pool["stuck_nodes"] = pool["stuck_nodes"].astype("int64", copy=False)
    columns = {
        "unit_id": s.unit,
        "industry_id": s.industry,
        "province_id": s.province,
        "year": s.year,
        "industry_type": s.ind_type[s.i_idx],
        "chain_position": s.ind_pos[s.i_idx],
        "tech_level": s.unit_tech[s.u_idx],
        "factor_market_index": s.factor_market_index,
        **{c: aie_frame[c] for c in AIE_INDICATOR_COLUMNS},
        **{c: alt_frame[c] for c in ALT_INDICATOR_COLUMNS},
        **{k: pool[k] for k in _RAW_INPUTS},
    }
    # one array per column, no copy into a consolidated block (at 100x that copy alone is 1.4 GB)
    return pd.DataFrame(columns, copy=False)


def _truth_frame(s: _Design, latent, erl_shock, med, out, value, key_input) -> pd.DataFrame:
    """The DGP's targets, the latent embedding and each row's true effects (never used by an estimator)."""
    segs = out["segments"]
    return pd.DataFrame(
        {
            "unit_id": s.unit,
            "year": s.year,
            "latent_ai": latent,
            "erl_shock": erl_shock,
            "direct_effect": out["direct"],
            "total_effect": out["direct"] + out["indirect"],
            "ERL": out["erl"],
            "ELRI_front": segs["front"],
            "ELRI_inter": segs["inter"],
            "ELRI_back": segs["back"],
            "FSIE": out["fsie"],
            "ITSE": np.where(np.isnan(key_input), np.nan, med["itse"]),
            "ITSE_forward": med["fwd"],
            "ITSE_backward": med["bwd_measured"],
            "LCV": np.where(s.t == 0, np.nan, value["lcv"]),
            "WCV": value["wcv"],
        }
    )
