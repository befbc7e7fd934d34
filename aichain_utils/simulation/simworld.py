"""Tables of the simulated-world chapter: every DGP parameter, and the coherence of the simulated economy.

The simulated panel (:mod:`aichain_utils.simulation.simulate`) is meant to be a world a reader could accept as an
economy and re-implement from the page. :func:`parameter_table` lists every leaf of
``data/simulation/params.yml`` in the order the simulator's blocks read them; :func:`coherence_table`
computes, from one simulated panel, the checks that make it coherent (industry-level controls constant
within industry-years, national indicators constant within years, magnitudes against China's GDP and
the logistics performance index's scale, ...), against the outside benchmarks of
``data/simulation/benchmarks.yml``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import yaml

from aichain_utils.paths import data_dir
from aichain_utils.simulation import simulate

__all__ = [
    "CONTROL_COLUMNS",
    "PARAMETER_BLOCKS",
    "aie_mean_parts",
    "coherence_table",
    "load_benchmarks",
    "parameter_table",
    "read_parameters",
]

#: Top-level sections of params.yml -> the simulator block that reads them, in the order blocks run.
PARAMETER_BLOCKS: dict[str, str] = {
    "seed": "0 streams",
    "design": "1 design",
    "factor_market": "1 design",
    "controls": "2 controls",
    "latent_ai": "4 latent AI",
    "aie_indicators": "5 indicators",
    "alt_indicators": "5 indicators",
    "effects": "6-8 targets",
    "fsie": "6 mediator targets",
    "itse": "6 mediator targets",
    "itse_forward": "6 mediator targets",
    "itse_backward": "6 mediator targets",
    "erl": "7 outcome targets",
    "lab": "7 outcome targets",
    "lcv": "8 value targets",
    "wcv": "8 value targets",
    "raw_inputs": "9 free raw inputs",
}

#: Raw-input columns of the five controls (all industry-level in the paper, section 4.2(4)).
CONTROL_COLUMNS = ["output", "imports", "exports", "freedom_index", "lpi"]


def load_benchmarks() -> dict:
    """Outside numbers the simulated economy is compared with (``data/simulation/benchmarks.yml``)."""
    with (data_dir() / "simulation" / "benchmarks.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _format(value) -> str:
    if isinstance(value, list):
        return ", ".join(_format(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parameter_table(params: Mapping) -> pd.DataFrame:
    """Every leaf of the parameter file: block, parameter (dotted path) and value, in block order."""
    rows = []
    for path in simulate.leaf_paths(params):
        node = params
        for key in path.split("."):
            node = node[key]
        section = path.split(".")[0]
        rows.append((PARAMETER_BLOCKS.get(section, "?"), path, _format(node)))
    table = pd.DataFrame(rows, columns=["block", "parameter", "value"])
    order = {b: i for i, b in enumerate(dict.fromkeys(PARAMETER_BLOCKS.values()))}
    return table.sort_values("block", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def read_parameters(params: Mapping) -> set[str]:
    """The leaf paths of ``params`` that one (small) simulation reads."""
    recorder = simulate.RecordingParams(params)
    simulate.simulate_panel(recorder)
    return recorder.read


def _within_share(frame: pd.DataFrame, columns: list[str], groups: list[str]) -> float:
    """Largest share of a column's variance that lies within ``groups`` (0: constant within them)."""
    shares = []
    for col in columns:
        x = frame[col].astype(float)
        within = x - x.groupby([frame[g] for g in groups]).transform("mean")
        shares.append(float(within.var() / x.var()))
    return max(shares)


def _relative_ia_medians(data: pd.DataFrame) -> list[float]:
    """Median of each segment's agglomeration index (10) over its industry-year's mean front index.

    Whatever the reading of (10)'s denominator, a segment whose factors agglomerate like the front
    end's has a ratio near one; it is far from one when the segments' outputs are of different orders.
    """
    front_mean = data["IA_front"].groupby([data["industry_id"], data["year"]]).transform("mean")
    return [float((data[f"IA_{seg}"] / front_mean).median()) for seg in ("front", "inter", "back")]


def coherence_table(sim: simulate.SimulatedPanel, data: pd.DataFrame) -> pd.DataFrame:
    """The simulated economy against what its names and outside benchmarks imply.

    Parameters
    ----------
    sim : SimulatedPanel
        The simulation (raw inputs and parameters).
    data : DataFrame
        The analysis panel built from ``sim.raw``.

    Returns
    -------
    DataFrame
        One row per check: what is checked, the value in the simulated panel, the benchmark.
    """
    raw, p, bm = sim.raw, sim.params, load_benchmarks()
    unit_yuan = p["raw_inputs"]["node_output_unit_yuan"]
    last = raw[raw["year"] == raw["year"].max()]
    ind_out = last.groupby("industry_id")["output"].first().sum()
    node_out = (last[["y_front", "y_inter", "y_back", "y_final"]].sum(axis=1) * unit_yuan).sum()
    national = [simulate.AIE_INDICATOR_COLUMNS[j - 1] for j in p["aie_indicators"]["national"]]
    t2 = pd.read_csv(data_dir() / "published" / "table2_descriptives.csv").set_index("symbol")
    ia = _relative_ia_medians(data)
    nsc_min = float(data[["NSC_front", "NSC_inter", "NSC_back"]].min().min())
    lpi_scale = f"scale {bm['lpi_scale']['min']}–{bm['lpi_scale']['max']}"
    gdp, robots = bm["china_gdp"], bm["robots_in_operation"]
    last_year = int(raw["year"].max())
    rows = [
        ("controls: share of variance within industry-years",
         _within_share(raw, CONTROL_COLUMNS, ["industry_id", "year"]), "0"),
        ("national AIE indicators: share of variance within years", _within_share(raw, national, ["year"]), "0"),
        ("LPI score: minimum", raw["lpi"].min(), lpi_scale),
        ("LPI score: maximum", raw["lpi"].max(), lpi_scale),
        (f"industry output {last_year} / China's GDP {gdp['year']}", ind_out / gdp["yuan"], "below 1"),
        ("node-level outputs / industry output (last year)", node_out / ind_out, "below 1"),
        (f"robots in use {last_year} / China's stock {robots['year']}", last["robots"].sum() / robots["units"],
         "same order"),
        ("smallest NSC (number of stages) of any segment", nsc_min, "at least 1"),
        ("ITSE: minimum", data["ITSE"].min(), f"Table 2: {t2.loc['ITSE', 'min']:g}"),
        ("ITSE: maximum", data["ITSE"].max(), f"Table 2: {t2.loc['ITSE', 'max']:g}"),
        ("median IA / industry-year mean of IA_front: front / middle / back", " / ".join(f"{v:.2f}" for v in ia),
         "near 1 (segments of one order)"),
        ("median y_back / y_front", float((raw["y_back"] / raw["y_front"]).median()), "same order (near 1)"),
        ("tra: maximum", data["tra"].max(), f"Table 2: {t2.loc['tra', 'max']:g} (above any rescaled 1–5 score)"),
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=["check", "simulated panel", "benchmark"])
    out["simulated panel"] = [v if isinstance(v, str) else f"{round(v, 12):.4g}" for v in out["simulated panel"]]
    return out


def aie_mean_parts(raw: pd.DataFrame, national: list[int]) -> dict[str, float]:
    """AIE's mean split into the national indicators' share and the others' (weights and min-max
    normalisation as the analysis panel computes them), beside the floor of
    :func:`aichain_utils.replication.audit.aie_mean_floor` on these weights: ``mean``, ``national``, ``other``,
    ``floor_here`` (the national indicators' weights here over the number of years)."""
    from aichain_utils.measurement import indices

    cols = simulate.AIE_INDICATOR_COLUMNS
    z = indices.minmax_normalise(raw[cols].to_numpy(dtype=float), ["+"] * len(cols))
    w = indices.entropy_weights(z)
    is_nat = np.isin(np.arange(1, len(cols) + 1), national)
    parts = z.mean(axis=0) * w
    return {
        "mean": float(parts.sum()),
        "national": float(parts[is_nat].sum()),
        "other": float(parts[~is_nat].sum()),
        "floor_here": float(w[is_nat].sum() / raw["year"].nunique()),
    }
