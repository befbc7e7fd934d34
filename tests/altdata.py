"""Data files that differ from the default simulated panel, for building the book on other data.

Each function writes one file a replicator could plausibly hand the book and returns its path:

* :func:`write_unbalanced_raw` — a raw-input CSV with 12 industries (not 35), 3–9 units per
  industry (not 61), units that enter late, leave early or skip years (an unbalanced panel);
* :func:`write_zero_effect_analysis_dta` — an analysis-level Stata file (finished variables, Stata-
  style lower-case names) from a world where AI embedding has **no** effect on any outcome.

Both are drawn from the book's own simulator with changed parameters and an explicit seed, so they
are deterministic.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd

from aichain_utils.simulation.simulate import load_params, simulate_panel

__all__ = ["small_world_params", "write_unbalanced_raw", "write_zero_effect_analysis_dta"]


def small_world_params(seed: int = 7, zero_effect: bool = False) -> dict:
    """DGP parameters of a smaller world: 12 industries, 9 units each (optionally no AIE effect)."""
    p = copy.deepcopy(load_params())
    p["seed"] = seed
    d = p["design"]
    d.update(n_industries=12, units_per_industry=9, n_provinces=10, itse_missing_rows=25)
    d["industry_type_counts"] = {"labour": 2, "capital": 3, "technology": 2}
    d["chain_position_counts"] = {"front": 2, "middle": 3, "back": 4}
    if zero_effect:
        for key in [k for k in p["effects"] if k.startswith("aie_on_")]:
            p["effects"][key] = 0.0
        for key in ("by_industry_type", "by_chain_position", "by_region", "by_tech_level"):
            p["effects"][key] = {g: 0.0 for g in p["effects"][key]}
    return p


def write_unbalanced_raw(path: Path, seed: int = 7) -> Path:
    """Write an unbalanced raw-input CSV: late entrants, early exits and gaps; 12 industries."""
    raw = simulate_panel(small_world_params(seed)).raw
    rng = np.random.default_rng(seed)
    units = raw["unit_id"].unique()
    years = np.sort(raw["year"].unique())
    keep = pd.Series(True, index=raw.index)
    for unit in units:
        rows = raw.index[raw["unit_id"] == unit]
        kind = rng.integers(0, 4)
        if kind == 1:  # enters late
            keep[rows[raw.loc[rows, "year"] < years[rng.integers(2, 5)]]] = False
        elif kind == 2:  # leaves early
            keep[rows[raw.loc[rows, "year"] > years[-rng.integers(2, 4)]]] = False
        elif kind == 3:  # a gap of one year
            keep[rows[raw.loc[rows, "year"] == years[rng.integers(2, len(years) - 2)]]] = False
    # a unit per industry may not exist: drop every row of a random third of the units in industry 1
    first = raw["industry_id"] == raw["industry_id"].min()
    drop_units = raw.loc[first, "unit_id"].unique()[:3]
    keep[raw["unit_id"].isin(drop_units)] = False
    raw[keep.to_numpy()].to_csv(path, index=False)
    return path


#: Stata-style names a replicator's .dta might use for the finished variables.
STATA_NAMES = {
    "unit_id": "id",
    "industry_id": "ind",
    "year": "year",
    "ERL": "erl",
    "AIE": "aie",
    "lngdp": "lngdp",
    "imp": "imp",
    "exp": "exp",
    "inst": "inst",
    "tra": "tra",
    "FSIE": "fsie",
    "ITSE": "itse",
    "ELRI_front": "elri_front",
    "ELRI_inter": "elri_inter",
    "ELRI_back": "elri_back",
    "LCV": "lcv",
    "WCV": "wcv",
}


def write_zero_effect_analysis_dta(path: Path, seed: int = 11) -> Path:
    """Write an analysis-level ``.dta`` (finished variables, Stata-style names) with no AIE effect."""
    from aichain_utils.inputs.panel import build_analysis_panel

    raw = simulate_panel(small_world_params(seed, zero_effect=True)).raw
    data = build_analysis_panel(raw).data
    out = data[list(STATA_NAMES)].rename(columns=STATA_NAMES)
    out["id"] = out["id"].astype("int32")
    out["ind"] = out["ind"].astype("int32")
    out["year"] = out["year"].astype("int16")
    out.to_stata(path, write_index=False, version=118)
    return path
