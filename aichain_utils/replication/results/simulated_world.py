"""The simulated world (``chapters/simulated_world.md``): the data-generating process, its scale and its
calibration.

:func:`simulated_dgp` simulates the panel of the hold-out seed with the calibrated parameters
(:func:`aichain_utils.simulation.simulate.simulate_panel`; the page is about the simulator, whatever the data
of the build), checks it against outside magnitudes (:mod:`aichain_utils.simulation.simworld`) and reads the
stored calibration report (:func:`aichain_utils.replication.calibration.read_result`; it is read, never
rerun). Its :meth:`SimulatedWorld.numbers` hold every parameter of ``params.yml`` under ``world_p_<path>``
(``world_p_design_n_industries``) and every number the chapter derives from them, under keys ``world_*``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aichain_utils.inputs import published
from aichain_utils.inputs.panel import build_analysis_panel
from aichain_utils.replication import audit, calibration
from aichain_utils.replication import measurement_tables as measurement
from aichain_utils.replication.numbers import Bilingual, Numbers, Results
from aichain_utils.simulation import simulate, simworld

__all__ = ["SimulatedWorld", "indirect_effect", "nsc_sentence", "parameter_tree", "simulated_dgp"]

SEGMENTS = ("front", "inter", "back")


def parameter_tree(params: dict) -> dict:
    """Every leaf of ``params`` at its path (a list as its values joined by ", "), for the page to cite."""
    tree: dict = {}
    for path in simulate.leaf_paths(params):
        node, keys = params, path.split(".")
        for key in keys:
            node = node[key]
        branch = tree
        for key in keys[:-1]:
            branch = branch.setdefault(key, {})
        branch[keys[-1]] = ", ".join(str(v) for v in node) if isinstance(node, list) else node
    return tree


def nsc_sentence(nsc_min: float) -> Bilingual:
    """What the smallest NSC of the panel says about the name "number of production stages" (生产阶段数).

    Equation (12) makes NSC a ratio, not a count, so the name holds literally only when every value is at
    least one; the sentence says which of "at least one", "positive but below one" or "not positive" holds,
    in English and in Chinese (:class:`~aichain_utils.replication.numbers.Bilingual`).

    Raises
    ------
    ValueError
        If ``nsc_min`` is not a finite number (NaN satisfies none of the three rules and would be read as
        "not positive").
    """
    if not math.isfinite(nsc_min):
        raise ValueError(
            f"nsc_sentence needs a finite smallest NSC to compare with one and zero, got nsc_min={nsc_min!r}"
        )
    if nsc_min >= 1:
        return Bilingual(
            f"Every segment has at least one production stage (smallest NSC {nsc_min:.2f})",
            f"每个环节都至少有一个生产阶段（NSC 最小值为 {nsc_min:.2f}）",
        )
    if nsc_min > 0:
        return Bilingual(
            f"NSC, which the paper names the number of production stages, is a ratio in equation (12), not a "
            f"count: it is positive in every segment, but its smallest value is {nsc_min:.2f}, below one",
            f"NSC 在论文中称为生产阶段数，但在式（12）中是一个比值而非计数：它在每个环节都为正，"
            f"但最小值为 {nsc_min:.2f}，小于一",
        )
    return Bilingual(
        f"NSC, which the paper names the number of production stages, is not positive everywhere "
        f"(smallest {nsc_min:.2f})",
        f"NSC 在论文中称为生产阶段数，但并非处处为正（最小值为 {nsc_min:.2f}）",
    )


def indirect_effect(effects: dict) -> float:
    """The indirect effect of AIE on ERL through FSIE and the forward and backward ITSE (equations (3)-(5)):
    the sum over the mediators of (AIE on the mediator) times (the mediator on ERL)."""
    return float(
        effects["fsie_on_erl"] * effects["aie_on_fsie"]
        + effects["itse_forward_on_erl"] * effects["aie_on_itse_forward"]
        + effects["itse_backward_on_erl"] * effects["aie_on_itse_backward"]
    )


@dataclass
class SimulatedWorld(Results):
    """The simulated panel of the calibrated parameters, its outside benchmarks and the calibration report.

    Attributes
    ----------
    params : dict
        The calibrated parameters (:func:`aichain_utils.simulation.simulate.load_params`).
    sim : SimulatedPanel
        :func:`aichain_utils.simulation.simulate.simulate_panel` of ``params`` (seed ``params["seed"]``).
    sim_data : DataFrame
        The analysis panel built from the simulated raw inputs.
    benchmarks : dict
        :func:`aichain_utils.simulation.simworld.load_benchmarks`.
    table2 : DataFrame
        The published Table 2, indexed by symbol.
    calibration : dict
        The stored calibration report.
    """

    prefix = "world"

    params: dict
    sim: object
    sim_data: pd.DataFrame
    benchmarks: dict
    table2: pd.DataFrame
    calibration: dict

    # ------------------------------------------------------------------ what the chapter shows
    def dgp_table(self) -> pd.DataFrame:
        """The effects built in (:func:`~aichain_utils.replication.measurement_tables.dgp_effects_table`)."""
        return measurement.dgp_effects_table(self.params)

    def parameter_table(self) -> pd.DataFrame:
        """Every parameter in block order (:func:`aichain_utils.simulation.simworld.parameter_table`)."""
        return simworld.parameter_table(self.params)

    def coherence_table(self) -> pd.DataFrame:
        """The simulated economy against its names and outside benchmarks."""
        return simworld.coherence_table(self.sim, self.sim_data)

    # ------------------------------------------------------------------ what the prose cites
    def _effects(self) -> dict:
        eff = self.params["effects"]
        seg = simulate.segment_effects(self.params)
        indirect = indirect_effect(eff)
        return {
            "indirect": indirect,
            "direct": float(eff["aie_on_erl_total"] - indirect),
            **{f"seg_{s}": float(seg[s]) for s in SEGMENTS},
        }

    def _scale(self) -> dict:
        """The economy's scale against outside benchmarks (GDP, robots) and the indices' ranges."""
        bench, raw, data, t2 = self.benchmarks, self.sim.raw, self.sim_data, self.table2
        last = raw[raw["year"] == raw["year"].max()]
        ind_out = last.groupby("industry_id")["output"].first().sum()
        unit = self.params["raw_inputs"]["node_output_unit_yuan"]
        node_out = (last[["y_front", "y_inter", "y_back", "y_final"]].sum(axis=1) * unit).sum()
        return {
            "gdp_year": int(bench["china_gdp"]["year"]),
            "gdp_yuan": float(bench["china_gdp"]["yuan"]),
            "lpi_lo": bench["lpi_scale"]["min"],
            "lpi_hi": bench["lpi_scale"]["max"],
            "robot_stock": int(bench["robots_in_operation"]["units"]),
            "ind_out_share": float(ind_out / bench["china_gdp"]["yuan"]),
            "node_out_share": float(node_out / ind_out),
            "robots_share": float(last["robots"].sum() / bench["robots_in_operation"]["units"]),
            "nsc_min": float(data[["NSC_front", "NSC_inter", "NSC_back"]].min().min()),
            "nsc_sentence": nsc_sentence(float(data[["NSC_front", "NSC_inter", "NSC_back"]].min().min())),
            "itse_min": float(data["ITSE"].min()),
            "itse_max": float(data["ITSE"].max()),
            "tra_max": float(data["tra"].max()),
            "erl_min": float(data["ERL"].min()),
            "erl_max": float(data["ERL"].max()),
            "t2_tra_mean": float(t2.loc["tra", "mean"]),
            "t2_tra_min": float(t2.loc["tra", "min"]),
            "t2_tra_max": float(t2.loc["tra", "max"]),
            "t2_tra_zmax": float((t2.loc["tra", "max"] - t2.loc["tra", "mean"]) / t2.loc["tra", "sd"]),
            "cubic_factor": f"{unit**3:.0e}",
        }

    def _aie(self) -> dict:
        """AIE's mean against the floor under it (:func:`aichain_utils.replication.audit.aie_mean_floor`)."""
        floor = audit.aie_mean_floor()
        parts = simworld.aie_mean_parts(self.sim.raw, self.params["aie_indicators"]["national"])
        return {
            "aie_floor": {k: floor[k] for k in ("floor", "room", "published_mean")},
            "aie_parts": {k: parts[k] for k in ("mean", "national", "other")},
            "aie_sim_sd": float(self.sim_data["AIE"].std()),
            "aie_pub_sd": float(self.table2.loc["AIE", "sd"]),
            "aie_max_power": float(np.max(self.params["aie_indicators"]["power"])),
        }

    def _calibration(self) -> dict:
        """The calibration's seeds and its in- and out-of-sample shares (``data/simulation/calibration.json``)."""
        cal = self.calibration
        seeds, oos = cal["seeds"], cal["summary"]["out_of_sample"]
        return {
            "n_seeds": len(seeds["calibration"]),
            "first_seed": seeds["calibration"][0],
            "last_seed": seeds["calibration"][-1],
            "shape_seeds": seeds["shape_seeds"],
            "jacobian_seeds": seeds["jacobian_seeds"],
            "holdout": seeds["holdout"],
            "n_oos": len(seeds["out_of_sample"]),
            "oos_first": seeds["out_of_sample"][0],
            "oos_last": seeds["out_of_sample"][-1],
            "loss_scale": cal["summary"]["loss_scale"],
            "n_cells": oos["cells"],
            "oos_mean_within": 100 * oos["share_mean_within_one_se"],
            "oos_band": 100 * oos["share_in_central_band"],
            "oos_one_draw": 100 * oos["share_one_draw_within_one_se"],
            "oos_one_draw_se": 100 * oos["share_one_draw_within_one_se_mc_se"],
            "in_mean_within": 100 * cal["summary"]["calibration_seeds"]["share_mean_within_one_se"],
        }

    def numbers(self) -> Numbers:
        """Every parameter (``world_p_design_n_industries``), the effects it implies (``world_indirect``), the
        economy's scale (``world_ind_out_share``), AIE's floor (``world_aie_floor_floor``) and the
        calibration's seeds and shares (``world_cal_oos_band``)."""
        tree = {
            "p": parameter_tree(self.params),
            "n_params": len(simulate.leaf_paths(self.params)),
            **self._effects(),
            **self._scale(),
            **self._aie(),
            "cal": self._calibration(),
        }
        return Numbers(self.prefix, tree)


def simulated_dgp() -> SimulatedWorld:
    """The simulated-world chapter's results: the simulator run with ``data/simulation/params.yml``."""
    params = simulate.load_params()
    sim = simulate.simulate_panel(params)
    sim_data = build_analysis_panel(sim.raw).data
    return SimulatedWorld(
        params,
        sim,
        sim_data,
        simworld.load_benchmarks(),
        published.load_table2().set_index("symbol"),
        calibration.read_result(),
    )
