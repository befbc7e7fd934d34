"""A calibrated simulated panel of raw inputs, from a written-down data-generating process.

The paper's data are proprietary, so the book runs on a simulated panel. The rule is
that **no regression variable is drawn as a finished index**: the simulator produces
*raw inputs* (the 24 AIE indicators, robots, costs, segment outputs, synergy sums,
trade, instruments, ...) and :func:`aichain_utils.panel.build_analysis_panel` turns
them into AIE, ERL, FSIE, ITSE, LCV, WCV and the controls with the same code a user of
the licensed data runs.

How the truth is built in ("inverse design")
--------------------------------------------
1. Raw AI indicators are drawn from a latent AI embedding ``a_it`` (which carries the
   endogeneity: it responds to the ERL shock of the same year, and to the instruments),
   and AIE is computed from them by the entropy weight method.
2. The structural equations of the DGP give *target* values of every index as a function
   of that AIE (e.g. ``FSIE* = ... + 1.701 AIE + ...``).
3. For each index, all raw inputs but one are drawn freely, and the last is solved so
   that the paper's formula, applied to the raw inputs, returns the target exactly.

So the causal effects in ``data/simulation/params.yml`` are the true effects on the
indices the regressions use. Every parameter lives in that file; this module holds none.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.special import log_ndtr

from aichain_utils import indices
from aichain_utils.paths import data_dir

__all__ = [
    "AIE_INDICATOR_COLUMNS",
    "ALT_INDICATOR_COLUMNS",
    "SimulatedPanel",
    "default_params_path",
    "load_params",
    "segment_effects",
    "simulate_panel",
]

AIE_INDICATOR_COLUMNS = [f"aie_{j:02d}" for j in range(1, 25)]
ALT_INDICATOR_COLUMNS = [f"alt_{d}{k}" for d in range(1, 6) for k in "ab"]


def default_params_path() -> Path:
    """``data/simulation/params.yml``."""
    return data_dir() / "simulation" / "params.yml"


def load_params(path: Path | str | None = None) -> dict:
    """Read the DGP parameter file (YAML)."""
    path = Path(path) if path is not None else default_params_path()
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def segment_effects(params: dict) -> dict[str, float]:
    """True AIE effects on ELRI_front, ELRI_inter, ELRI_back.

    The published Table 5 effects keep their proportions but are scaled so that their
    mean equals the total AIE effect on ERL (ERL is the mean of the three segments,
    equation 9, so its coefficient must be the mean of theirs).
    """
    shares = params["effects"]["segment_shares_published"]
    total = params["effects"]["aie_on_erl_total"]
    mean_share = sum(shares.values()) / 3.0
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


def _lognormal(rng, spec, size):
    return np.exp(spec["log_mean"] + spec["log_sd"] * rng.standard_normal(size))


#: Rows per chunk when drawing the (n, 24) and (n, 10) indicator matrices: the draws are the same
#: as one (n, k) draw (the generator fills row after row), without n x k temporaries.
_CHUNK_ROWS = 1 << 17


def _indicator_frames(rng, ai: dict, alt: dict, latent: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 24 raw AIE indicators and the 10 alternative indicators, drawn in chunks of rows.

    Each indicator is a Weibull-type marginal of a noisy loading on the standardised latent AI
    embedding, through a Gaussian copula: ``x = scale * (-ln(1 - Phi(s)))^power`` (a power above one
    gives the long right tail of Table 2: AIE mean 0.030, sd 0.044, max 0.663). The result is stored
    column-major (one contiguous array per indicator, as a DataFrame stores it) without a copy.
    """
    n = len(latent)
    latent_std = (latent - latent.mean()) / latent.std()
    loadings = ai["loading_mean"] + ai["loading_spread"] * (2 * rng.random(24) - 1)
    norm = np.sqrt(loadings[None, :] ** 2 + ai["noise_sd"] ** 2)
    scale = np.exp(np.asarray(ai["log_scale"]))[None, :]
    aie_t = np.empty((24, n))
    for lo in range(0, n, _CHUNK_ROWS):
        hi = min(lo + _CHUNK_ROWS, n)
        signal = loadings[None, :] * latent_std[lo:hi, None] + ai["noise_sd"] * rng.standard_normal((hi - lo, 24))
        signal /= norm
        aie_t[:, lo:hi] = (scale * (-log_ndtr(-signal)) ** ai["weibull_power"]).T
    alt_t = np.empty((10, n))
    for lo in range(0, n, _CHUNK_ROWS):  # after every AIE draw: the stream's order is unchanged
        hi = min(lo + _CHUNK_ROWS, n)
        alt_t[:, lo:hi] = np.exp(
            alt["loading"] * latent[lo:hi, None] + alt["noise_sd"] * rng.standard_normal((hi - lo, 10))
        ).T
    aie_frame = pd.DataFrame(aie_t.T, columns=AIE_INDICATOR_COLUMNS, copy=False)
    return aie_frame, pd.DataFrame(alt_t.T, columns=ALT_INDICATOR_COLUMNS, copy=False)


def simulate_panel(
    params: dict | None = None, seed: int | np.random.SeedSequence | None = None, scale: int = 1
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
    # One independent stream per block, so that changing one block's parameters leaves
    # the draws of every other block unchanged.
    blocks = [
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
    if isinstance(seed, np.random.SeedSequence):  # a fresh copy: spawning must not change the caller's
        root = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size)
    else:
        root = np.random.SeedSequence(p["seed"] if seed is None else seed)
    children = root.spawn(len(blocks))
    gens = {name: np.random.default_rng(child) for name, child in zip(blocks, children, strict=True)}
    rng = gens["structure"]
    d = p["design"]
    n_ind, per_ind = d["n_industries"], d["units_per_industry"] * scale
    years = np.arange(d["first_year"], d["last_year"] + 1)
    n_units, n_years = n_ind * per_ind, len(years)
    n = n_units * n_years

    # ---------------------------------------------------------------- structure
    unit_industry = np.repeat(np.arange(1, n_ind + 1), per_ind)
    unit_province = rng.integers(1, d["n_provinces"] + 1, size=n_units)
    ind_type = np.array(["unclassified"] * n_ind, dtype=object)
    order = rng.permutation(n_ind)
    start = 0
    for label, count in d["industry_type_counts"].items():
        ind_type[order[start : start + count]] = label
        start += count
    ind_pos = np.array(["unclassified"] * n_ind, dtype=object)
    order = rng.permutation(n_ind)
    start = 0
    for label, count in d["chain_position_counts"].items():
        ind_pos[order[start : start + count]] = label
        start += count
    unit_tech = np.where(rng.random(n_units) < d["high_tech_share"], "high", "low")
    province_fm = rng.normal(6.0, 2.0, size=d["n_provinces"])  # province factor-market index level

    # long arrays (unit-major, then year)
    unit = np.repeat(np.arange(1, n_units + 1), n_years)
    year = np.tile(years, n_units)
    t = year - d["first_year"]
    industry = np.repeat(unit_industry, n_years)
    province = np.repeat(unit_province, n_years)
    u_idx = unit - 1
    i_idx = industry - 1

    def exact_sd(v, sd):
        # group effects with exactly the stated standard deviation in the sample (35 draws
        # would otherwise miss it by around 12%)
        return sd * (v - v.mean()) / v.std()

    def ind_draw(sd):
        return exact_sd(rng.standard_normal(n_ind), sd)[i_idx]

    def unit_draw(sd):
        return exact_sd(rng.standard_normal(n_units), sd)[u_idx]

    factor_market_index = province_fm[province - 1] + 0.08 * t + 0.3 * rng.standard_normal(n)

    # ---------------------------------------------------------------- controls (raw)
    rng = gens["controls"]
    c = p["controls"]
    lngdp = (
        c["lngdp"]["mean"]
        + ind_draw(c["lngdp"]["industry_sd"])
        + unit_draw(c["lngdp"]["unit_sd"])
        + c["lngdp"]["trend"] * (t - t.mean())
        + c["lngdp"]["noise_sd"] * rng.standard_normal(n)
    )
    output = np.exp(lngdp)
    imp_share = np.exp(
        c["imp"]["log_mean"] + ind_draw(c["imp"]["industry_sd"]) + c["imp"]["log_sd"] * rng.standard_normal(n)
    )
    exp_share = np.exp(
        c["exp"]["log_mean"] + ind_draw(c["exp"]["industry_sd"]) + c["exp"]["log_sd"] * rng.standard_normal(n)
    )
    imports = output * imp_share / 100.0
    exports = output * exp_share / 100.0
    inst_c = c["inst"]
    ind_share = inst_c["industry_share"]
    freedom_index = np.clip(
        inst_c["mean"]
        + inst_c["sd"] * (np.sqrt(ind_share) * ind_draw(1.0) + np.sqrt(1 - ind_share) * rng.standard_normal(n)),
        inst_c["min"],
        inst_c["max"],
    )
    lpi = c["tra"]["min"] + np.exp(c["tra"]["log_mean"] + c["tra"]["log_sd"] * rng.standard_normal(n))

    # ---------------------------------------------------------------- instruments (raw)
    rng = gens["instruments"]
    ri = p["raw_inputs"]["instruments"]
    ai_papers = np.round(_lognormal(rng, ri["ai_papers"], n))
    post_offices_1984 = (
        np.round(
            np.exp(
                ri["post_offices_1984"]["log_mean"] + ri["post_offices_1984"]["log_sd"] * rng.standard_normal(n_units)
            )
        )[u_idx]
        + 1
    )
    broadband_ports = np.exp(
        ri["broadband_ports"]["log_mean"]
        + ri["broadband_ports"]["trend"] * t
        + ri["broadband_ports"]["log_sd"] * rng.standard_normal(n)
    )
    fixed_phones = np.exp(ri["fixed_phones"]["log_mean"] + ri["fixed_phones"]["log_sd"] * rng.standard_normal(n))
    cable_density = np.exp(
        ri["cable_density"]["log_mean"]
        + ri["cable_density"]["trend"] * t
        + ri["cable_density"]["log_sd"] * rng.standard_normal(n)
    )

    def standardise(x):
        return (x - x.mean()) / x.std()

    z2 = standardise(np.log1p(ai_papers))
    z3 = standardise(np.log(post_offices_1984 * broadband_ports))
    z4 = standardise(np.log(fixed_phones * cable_density))

    # ---------------------------------------------------------------- latent AI and raw AIE indicators
    rng = gens["latent"]
    e = p["erl"]
    erl_shock = e["noise_sd"] * rng.standard_normal(n)
    la = p["latent_ai"]
    xi = np.empty(n)
    innov = la["innovation_sd"] * rng.standard_normal(n)
    for k in range(n_years):  # AR(1) within unit, started at its stationary distribution
        rows = np.arange(k, n, n_years)
        if k == 0:
            xi[rows] = innov[rows] / np.sqrt(1 - la["ar1"] ** 2)
        else:
            xi[rows] = la["ar1"] * xi[rows - 1] + innov[rows]
    latent = (
        la["mean"]
        + ind_draw(la["industry_sd"])
        + unit_draw(la["unit_sd"])
        + la["trend_per_year"] * t
        + la["on_lngdp"] * standardise(lngdp)
        + la["instruments"]["iv2"] * z2
        + la["instruments"]["iv3"] * z3
        + la["instruments"]["iv4"] * z4
        + la["feedback_from_erl_shock"] * erl_shock
        + xi
    )
    ai = p["aie_indicators"]
    rng = gens["indicators"]
    aie_frame, alt_frame = _indicator_frames(rng, ai, p["alt_indicators"], latent)
    aie, _ = indices.entropy_index(aie_frame, ["+"] * 24)  # same function the panel builder uses
    aie = aie.to_numpy()

    # ---------------------------------------------------------------- targets of the mediators
    rng = gens["mediators"]
    ef = p["effects"]
    fs = p["fsie"]
    fsie_t = (
        fs["industry_sd"] * np.abs(rng.standard_normal(n_ind))[i_idx]
        + ef["aie_on_fsie"] * aie
        + rng.gamma(fs["gamma_shape"], fs["gamma_scale"], size=n)
    )
    fsie_t = np.maximum(fsie_t, 1e-4)
    it = p["itse"]
    itse_t = np.maximum(
        it["level"]
        + ind_draw(it["industry_sd"])
        + unit_draw(it["unit_sd"])
        + ef["aie_on_itse"] * aie
        + it["noise_sd"] * rng.standard_normal(n),
        it["floor"],
    )
    fwd_t = (
        p["itse_forward"]["level"] + ef["aie_on_itse_forward"] * aie + p["itse_forward"]["sd"] * rng.standard_normal(n)
    )
    bwd_t = (
        p["itse_backward"]["level"]
        + ef["aie_on_itse_backward"] * aie
        + p["itse_backward"]["sd"] * rng.standard_normal(n)
    )
    # shares of a non-negative synergy matrix: floor the (rare, > 5 SD) negative draws
    fwd_t, bwd_t = np.maximum(fwd_t, 1e-3), np.maximum(bwd_t, 1e-3)
    jt = pd.Series(industry * 10_000 + year)
    fwd_sum = pd.Series(fwd_t).groupby(jt).transform("sum").to_numpy()
    bwd_sum = pd.Series(bwd_t).groupby(jt).transform("sum").to_numpy()
    bwd_measured = bwd_t * fwd_sum / bwd_sum  # eq. (14)-(15) share both totals: see docs

    # ---------------------------------------------------------------- target of the outcome
    rng = gens["outcome"]
    unit_type = ind_type[i_idx]
    unit_pos = ind_pos[i_idx]
    ranks = pd.Series(province_fm).rank(ascending=False, method="first").to_numpy()
    developed_prov = ranks <= np.floor(d["developed_share"] * d["n_provinces"])
    developed = developed_prov[province - 1]
    tech = unit_tech[u_idx]
    het = (
        pd.Series(unit_type).map(ef["by_industry_type"]).to_numpy()
        + pd.Series(unit_pos).map(ef["by_chain_position"]).to_numpy()
        + np.where(developed, ef["by_region"]["developed"], ef["by_region"]["other"])
        + np.where(tech == "high", ef["by_tech_level"]["high"], ef["by_tech_level"]["low"])
    )
    indirect = (
        ef["fsie_on_erl"] * ef["aie_on_fsie"]
        + ef["itse_forward_on_erl"] * ef["aie_on_itse_forward"]
        + ef["itse_backward_on_erl"] * ef["aie_on_itse_backward"]
    )
    direct = ef["aie_on_erl_total"] - indirect + het
    # simulation-lab switches (zero in the calibrated panel): an instrument with a direct path to
    # ERL (violating exclusion) and a shock common to FSIE and ERL (a confounded mediator)
    lab = p.get("lab", {})
    confounder = lab.get("mediator_confounder_sd", 0.0) * gens["lab"].standard_normal(n)
    fsie_t = np.maximum(fsie_t + confounder, 1e-4)
    ctrl = e["controls"]
    imp_v, exp_v = 100 * imports / output, 100 * exports / output
    erl_t = (
        e["level"]
        + ind_draw(e["industry_sd"])
        + unit_draw(e["unit_sd"])
        + e["trend_per_year"] * t
        + direct * aie
        + ef["fsie_on_erl"] * fsie_t
        + ef["itse_forward_on_erl"] * fwd_t
        + ef["itse_backward_on_erl"] * bwd_measured
        + ctrl["lngdp"] * (lngdp - c["lngdp"]["mean"])
        + ctrl["imp"] * (imp_v - imp_v.mean())
        + ctrl["exp"] * (exp_v - exp_v.mean())
        + ctrl["inst"] * (freedom_index - inst_c["mean"])
        + ctrl["tra"] * (lpi - lpi.mean())
        + erl_shock
        + lab.get("iv2_direct_on_erl", 0.0) * z2
        + confounder
    )
    shares = ef["segment_shares_published"]
    weights = {k: 3.0 * v / sum(shares.values()) for k, v in shares.items()}  # average to one
    seg_noise = e["segment_noise_sd"] * rng.standard_normal((n, 3))
    seg_noise -= seg_noise.mean(axis=1, keepdims=True)  # zero-sum: ERL = mean of segments exactly
    front_t = weights["front"] * erl_t + seg_noise[:, 0]
    inter_t = weights["inter"] * erl_t + seg_noise[:, 1]
    back_t = weights["back"] * erl_t + seg_noise[:, 2]
    # the weights average to one, so (front + inter + back) / 3 = erl_t

    # ---------------------------------------------------------------- value extension targets
    rng = gens["value"]
    lc, wc = p["lcv"], p["wcv"]
    lcv_t = ef["aie_on_lcv"] * aie + lc["trend_per_year"] * t + lc["noise_sd"] * rng.standard_normal(n)
    wcv_t = wc["level"] + ind_draw(wc["industry_sd"]) + ef["aie_on_wcv"] * aie + wc["noise_sd"] * rng.standard_normal(n)
    wcv_t = np.maximum(wcv_t, 1e-3)

    # ---------------------------------------------------------------- free raw inputs
    rng = gens["raw"]
    r = p["raw_inputs"]
    rd_cost = _lognormal(rng, r["rd_cost"], n)
    iceberg_cost = _lognormal(rng, r["iceberg_cost"], n)
    data_density = _lognormal(rng, r["data_density"], n)
    circulation_rate = _lognormal(rng, r["circulation_rate"], n)
    crossborder_synergy = _lognormal(rng, r["crossborder_synergy"], n)
    theta_front = _lognormal(rng, r["theta_front"], n)
    ups_m = _lognormal(rng, r["ups_m"], n)
    ups_i = _lognormal(rng, r["ups_i"], n)
    stuck_nodes = 1 + rng.poisson(r["stuck_nodes"]["poisson_mean"], size=n)
    spillover = _lognormal(rng, r["spillover"], n)
    y_back = _lognormal(rng, r["y_back"], n)
    final_share = rng.uniform(r["final_share"]["low"], r["final_share"]["high"], size=n)
    interaction_cost = _lognormal(rng, r["interaction_cost"], n)
    output_elasticity = rng.uniform(r["output_elasticity"]["low"], r["output_elasticity"]["high"], size=n)
    loss_coef = rng.uniform(r["loss_coef"]["low"], r["loss_coef"]["high"], size=n)
    value_efficacy_base = _lognormal(rng, r["value_efficacy_base"], n)

    # ---------------------------------------------------------------- solved raw inputs
    # eq. (14) as printed: forward ITSE = c x column total / matrix total, so forward ITSE summed over a
    # matrix's nodes is c; eq. (15): backward = c x row total / matrix total. Column totals are the
    # forward targets and row totals the backward ones rescaled to the same matrix total.
    synergy_coef = fwd_sum
    synergy_in, synergy_out = fwd_t, bwd_measured  # column and row sums of the synergy matrix
    ups = ups_m + ups_i
    robots = front_t * rd_cost * iceberg_cost / (data_density * theta_front * ups)  # eq. (6)
    rd_efficiency = inter_t * rd_cost * iceberg_cost / (circulation_rate * crossborder_synergy * ups)  # eq. (7)
    theta_back = back_t * rd_cost * iceberg_cost / (stuck_nodes * spillover * ups)  # eq. (8)
    vce_base = indices.value_conversion_efficiency(value_efficacy_base, crossborder_synergy, rd_cost, iceberg_cost)
    base_rows = t == 0
    vce_unit_base = pd.Series(np.where(base_rows, vce_base, np.nan)).groupby(unit).transform("max").to_numpy()
    vce = np.where(base_rows, vce_base, vce_unit_base * np.exp(lcv_t))  # eq. (17)
    value_efficacy = vce * rd_cost * iceberg_cost / crossborder_synergy  # eq. (16)
    total_out = wcv_t * robots / (value_efficacy * synergy_coef)  # eq. (18)
    y_final = final_share * total_out
    y_front = (1 - final_share) * total_out
    y_inter = np.abs(y_front - y_back) / (2.0 * fsie_t)  # eq. (11)
    nsc_prod = 1.0
    for y_s in (y_front, y_inter, y_back):
        nsc_prod = nsc_prod * indices.nsc(ups_i, synergy_coef, y_s, y_final, interaction_cost)  # eq. (12)
    key_input = (itse_t - 1.0) / ((output_elasticity - loss_coef) * nsc_prod)  # eq. (13)
    missing = rng.choice(n, size=d["itse_missing_rows"] * scale, replace=False)
    key_input[missing] = np.nan

    columns = {
        "unit_id": unit,
        "industry_id": industry,
        "province_id": province,
        "year": year,
        "industry_type": unit_type,
        "chain_position": unit_pos,
        "tech_level": tech,
        "factor_market_index": factor_market_index,
        **{c: aie_frame[c] for c in AIE_INDICATOR_COLUMNS},
        **{c: alt_frame[c] for c in ALT_INDICATOR_COLUMNS},
        "robots": robots,
        "data_density": data_density,
        "rd_cost": rd_cost,
        "iceberg_cost": iceberg_cost,
        "rd_efficiency": rd_efficiency,
        "circulation_rate": circulation_rate,
        "crossborder_synergy": crossborder_synergy,
        "stuck_nodes": stuck_nodes.astype("int64", copy=False),
        "spillover": spillover,
        "theta_front": theta_front,
        "theta_back": theta_back,
        "ups_m": ups_m,
        "ups_i": ups_i,
        "y_front": y_front,
        "y_inter": y_inter,
        "y_back": y_back,
        "y_final": y_final,
        "synergy_coef": synergy_coef,
        "interaction_cost": interaction_cost,
        "key_input": key_input,
        "output_elasticity": output_elasticity,
        "loss_coef": loss_coef,
        "synergy_out": synergy_out.copy(),  # also the truth's ITSE_backward: no shared buffer
        "synergy_in": synergy_in.copy(),  # also the truth's ITSE_forward
        "value_efficacy": value_efficacy,
        "output": output,
        "imports": imports,
        "exports": exports,
        "freedom_index": freedom_index,
        "lpi": lpi,
        "ai_papers": ai_papers,
        "post_offices_1984": post_offices_1984,
        "broadband_ports": broadband_ports,
        "fixed_phones": fixed_phones,
        "cable_density": cable_density,
    }
    # one array per column, no copy into a consolidated block (at 100x that copy alone is 1.4 GB);
    # the truth frame below copies the arrays it shares with this one
    raw = pd.DataFrame(columns, copy=False)
    del columns, aie_frame, alt_frame
    truth = pd.DataFrame(
        {
            "unit_id": unit,
            "year": year,
            "latent_ai": latent,
            "erl_shock": erl_shock,
            "direct_effect": direct,
            "total_effect": direct + indirect,
            "ERL": erl_t,
            "ELRI_front": front_t,
            "ELRI_inter": inter_t,
            "ELRI_back": back_t,
            "FSIE": fsie_t,
            "ITSE": np.where(np.isnan(key_input), np.nan, itse_t),
            "ITSE_forward": fwd_t,
            "ITSE_backward": bwd_measured,
            "LCV": np.where(base_rows, np.nan, lcv_t),
            "WCV": wcv_t,
        }
    )
    return SimulatedPanel(raw=raw, truth=truth, params=p)
