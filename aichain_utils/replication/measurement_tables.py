"""Tables and figures of the measurement chapter (paper Tables 1-2, the DGP, the raw schema).

Every function takes the analysis panel (or the DGP parameters) and returns a DataFrame or
a matplotlib figure; the chapter only calls them.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from aichain_utils.inputs import readings
from aichain_utils.inputs.panel import AnalysisPanel
from aichain_utils.inputs.published import load_table1, load_table2
from aichain_utils.inputs.schema import RAW_COLUMN_DOCS, RAW_COLUMNS
from aichain_utils.simulation.simulate import segment_effects

__all__ = [
    "alternative_panels",
    "dgp_effects_table",
    "plot_by_group",
    "plot_over_years",
    "raw_schema_table",
    "reading_consequences",
    "table1_comparison",
    "table2_comparison",
    "upsilon_consequence",
]


def table1_comparison(panel: AnalysisPanel) -> pd.DataFrame:
    """Table 1 with the published weights beside the weights used on the panel's data.

    The paper prints the weights but not how it obtained them; the weights "here" are entropy
    weights (this book's reading) or, with ``AICHAIN_AIE_WEIGHTS=published``, the published ones.

    Returns
    -------
    DataFrame
        One row per indicator: dimension, Chinese and English name, unit, published weight,
        weight computed here, and their difference.
    """
    t1 = load_table1()
    computed = panel.aie_weights.to_numpy(dtype=float)
    if computed.size == 0:  # an analysis-level file gives AIE itself: no weights to compare
        computed = np.full(len(t1), np.nan)
    return pd.DataFrame(
        {
            "#": t1["position"],
            "dimension": t1["dimension_en"] + " (" + t1["dimension_zh"] + ")",
            "indicator": t1["indicator_en"] + " (" + t1["indicator_zh"] + ")",
            "unit": t1["unit_zh"],
            "sign": t1["sign"],
            "published weight": t1["weight"],
            "weight here": np.round(computed, 3),
            "difference": np.round(computed - t1["weight"].to_numpy(), 3),
        }
    )


def table2_comparison(panel: AnalysisPanel) -> pd.DataFrame:
    """Table 2 side by side: published and replicated N, mean, SD, min, max.

    ``mean Δ%`` and ``SD Δ%`` are the relative differences the calibration targets
    (within 10%); ``within 10%`` flags both.
    """
    t2 = load_table2()
    d = panel.data
    rows = []
    for _, r in t2.iterrows():
        # a variable the data do not have is compared as missing (NaN), not dropped
        x = d[r["symbol"]] if r["symbol"] in d.columns else pd.Series(np.nan, index=d.index)
        mean_gap = 100 * (x.mean() / r["mean"] - 1)
        sd_gap = 100 * (x.std() / r["sd"] - 1)
        rows.append(
            {
                "variable": f"{r['symbol']} ({r['name_zh']})",
                "N paper": int(r["n"]),
                "N here": int(x.notna().sum()),
                "mean paper": r["mean"],
                "mean here": round(float(x.mean()), 3),
                "mean Δ%": round(float(mean_gap), 1),
                "SD paper": r["sd"],
                "SD here": round(float(x.std()), 3),
                "SD Δ%": round(float(sd_gap), 1),
                "min paper": r["min"],
                "min here": round(float(x.min()), 3),
                "max paper": r["max"],
                "max here": round(float(x.max()), 3),
                "within 10%": bool(abs(mean_gap) <= 10 and abs(sd_gap) <= 10),
            }
        )
    return pd.DataFrame(rows)


def alternative_panels(
    ap: AnalysisPanel, switches=None, raw: pd.DataFrame | None = None
) -> dict[tuple[str, str], AnalysisPanel]:
    """The panel of this build rebuilt under every non-default reading, one switch at a time.

    ``switches`` limits the rebuild to those switches (default: every switch of equations.yml);
    ``raw`` gives the raw inputs the panel was built from, if the caller has them already.

    Only a panel built from raw inputs (simulated or a user's raw file) can be rebuilt; at the
    analysis level the indices are the user's own and the result is empty.
    """
    if ap.level not in ("simulated", "raw"):
        return {}
    from aichain_utils.inputs import checkdata
    from aichain_utils.inputs.panel import aie_weight_method, build_analysis_panel
    from aichain_utils.simulation.simulate import simulate_panel

    if raw is not None:
        raw = raw[RAW_COLUMNS]
    elif ap.level == "simulated" or ap.source is None or ap.source.path is None:
        raw = simulate_panel().raw
    else:
        raw = checkdata.check_file(ap.source.path, compute=False)[1][RAW_COLUMNS]
    weights = aie_weight_method(None, ap.source)
    out = {}  # built directly: a reading may leave a variable missing that the finished-panel schema requires
    for name, values in readings.READING_CHOICES.items():
        if name not in readings.DEFAULT_READINGS or (switches is not None and name not in switches):
            continue
        for value in values[1:]:
            alt = {name: value}
            out[(name, value)] = build_analysis_panel(raw, aie_weights=weights, source=ap.source, readings=alt)
    return out


def reading_consequences(ap: AnalysisPanel, alternatives: dict | None = None) -> pd.DataFrame:
    """For each alternative reading, the variable it changes: N, mean and SD beside the default's.

    Returns
    -------
    DataFrame
        One row per (switch, value): the variable, its N, mean and SD under the default and under
        the alternative, and the correlation of the two versions across rows.
    """
    alternatives = alternative_panels(ap) if alternatives is None else alternatives
    rows = []
    for (name, value), alt in alternatives.items():
        var = readings.SWITCH_AFFECTS[name]
        x, y = ap.data[var], alt.data[var]
        both = x.notna() & y.notna()
        rows.append(
            {
                "reading": f"{name}={value}",
                "default": readings.DEFAULT_READINGS[name],
                "variable": var,
                "N default": int(x.notna().sum()),
                "N here": int(y.notna().sum()),
                "mean default": float(x.mean()),
                "mean here": float(y.mean()),
                "SD default": float(x.std()),
                "SD here": float(y.std()),
                "correlation": float(np.corrcoef(x[both], y[both])[0, 1]) if both.sum() > 2 else np.nan,
            }
        )
    return pd.DataFrame(rows).round(3)


def upsilon_consequence(ap: AnalysisPanel, mediators: AnalysisPanel) -> pd.DataFrame:
    """ERL's correlation with the two mediators when Upsilon are separate inputs and when they are FSIE, ITSE."""
    rows = []
    for label, p in (("independent (default)", ap), ("mediators", mediators)):
        d = p.data
        rows.append(
            {
                "upsilon": label,
                "N of ERL": int(d["ERL"].notna().sum()),
                "corr(ERL, FSIE)": float(d["ERL"].corr(d["FSIE"])),
                "corr(ERL, ITSE)": float(d["ERL"].corr(d["ITSE"])),
                "corr(ERL, FSIE + ITSE)": float(d["ERL"].corr(d["FSIE"] + d["ITSE"])),
            }
        )
    return pd.DataFrame(rows).round(3)


def dgp_effects_table(params: dict) -> pd.DataFrame:
    """The true causal effects of the DGP: each value, where it comes from, and the published number near it.

    A value chosen by ``make calibrate`` (a key of the ``calibrated:`` block of ``params.yml``) is named
    as calibrated, and the published coefficient the calibration aims its estimator at is shown beside
    it as a separate number: the true value is the calibration's, never the paper's.
    """
    from aichain_utils.inputs.published import published_cell
    from aichain_utils.replication.closestworld import calibrated_values

    ef = params["effects"]
    seg = segment_effects(params)
    calibrated = set(calibrated_values())

    def source(key: str) -> str:
        return "calibrated (make calibrate)" if f"effects.{key}" in calibrated else "our choice"

    def pub(table: int, col: int) -> str:
        return f"Table {table} col ({col}): {float(published_cell(table, col)['coef']):.3f}"

    seg_calibrated = any(k.startswith("effects.segment_shares") for k in calibrated)
    seg_src = ("calibrated " if seg_calibrated else "") + "segment weights x the total effect"
    rows = [
        ("AIE → ERL (total)", ef["aie_on_erl_total"], source("aie_on_erl_total"), pub(3, 6)),
        ("AIE → ELRI_front", seg["front"], seg_src, pub(5, 2)),
        ("AIE → ELRI_inter", seg["inter"], seg_src, pub(5, 3)),
        ("AIE → ELRI_back", seg["back"], seg_src, pub(5, 4)),
        ("AIE → FSIE", ef["aie_on_fsie"], source("aie_on_fsie"), pub(6, 1)),
        ("AIE → ITSE forward", ef["aie_on_itse_forward"], source("aie_on_itse_forward"), pub(6, 2)),
        ("AIE → ITSE backward (target)", ef["aie_on_itse_backward"], source("aie_on_itse_backward"), pub(6, 3)),
        ("AIE → ITSE (eq. 13)", ef["aie_on_itse"], source("aie_on_itse"), "not published"),
        ("FSIE → ERL (γ₂)", ef["fsie_on_erl"], source("fsie_on_erl"), "not published"),
        ("ITSE forward → ERL", ef["itse_forward_on_erl"], source("itse_forward_on_erl"), "not published"),
        ("ITSE backward → ERL", ef["itse_backward_on_erl"], source("itse_backward_on_erl"), "not published"),
        ("AIE → LCV", ef["aie_on_lcv"], source("aie_on_lcv"), pub(10, 2)),
        ("AIE → WCV", ef["aie_on_wcv"], source("aie_on_wcv"), pub(10, 4)),
    ]
    columns = ["effect", "true value", "source of the value", "published coefficient (not the true value)"]
    return pd.DataFrame(rows, columns=columns).assign(**{"true value": lambda f: f["true value"].round(3)})


def raw_schema_table() -> pd.DataFrame:
    """The raw-input file a user of the licensed data supplies: column, meaning, where used."""
    rows = []
    for col in RAW_COLUMNS:
        if col.startswith("aie_"):
            if col == "aie_01":
                rows.append(("aie_01 … aie_24", "the 24 AIE indicators of Table 1, in printed order", "AIE"))
            continue
        if col.startswith("alt_"):
            if col == "alt_1a":
                rows.append(("alt_1a … alt_5b", "two indicators for each of the five dimensions", "AIE_alt"))
            continue
        meaning, used = RAW_COLUMN_DOCS[col]
        rows.append((col, meaning, used))
    return pd.DataFrame(rows, columns=["column", "meaning", "used in"])


_KEY_VARS = ["ERL", "AIE", "FSIE", "ITSE"]
#: The seed of seaborn's bootstrap of the figures' 95% intervals: the same data draw the same figure.
INTERVAL_SEED = 20261203


def plot_over_years(panel: AnalysisPanel, seed: int = INTERVAL_SEED) -> Figure:
    """Mean of ERL, AIE, FSIE and ITSE by year with bootstrapped 95% intervals (seaborn; ``seed`` seeds the
    bootstrap, so the same data give the same figure)."""
    d = panel.data
    fig, axes = plt.subplots(2, 2, figsize=(9, 5.6))  # 2 x 2: readable when printed on A4
    for ax, var in zip(axes.flat, _KEY_VARS, strict=True):
        sns.lineplot(data=d, x="year", y=var, ax=ax, errorbar=("ci", 95), seed=seed, marker="o", color="#1f3b73")
        ax.set_title(var)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(axis="x", labelrotation=45)
    fig.tight_layout()
    return fig


def plot_by_group(panel: AnalysisPanel, seed: int = INTERVAL_SEED) -> Figure:
    """Mean ERL and AIE by industry type and by chain position, with bootstrapped 95% intervals (seaborn;
    ``seed`` seeds the bootstrap)."""
    d = panel.data
    fig, axes = plt.subplots(1, 3, figsize=(10.5, 4.0))  # readable when printed on A4
    order_type = ["labour", "capital", "technology", "unclassified"]
    order_pos = ["front", "middle", "back", "unclassified"]
    specs = [
        ("industry_type", "ERL", order_type, "#1a9850", "ERL by industry type"),
        ("chain_position", "ERL", order_pos, "#1f3b73", "ERL by chain position"),
        ("industry_type", "AIE", order_type, "#d95f02", "AIE by industry type"),
    ]
    for ax, (group, var, order, colour, title) in zip(axes, specs, strict=True):
        sns.pointplot(
            data=d, x=group, y=var, order=order, ax=ax, color=colour, errorbar=("ci", 95), seed=seed, linestyle="none"
        )
        ax.set_title(f"{title}\n(mean, 95% CI)")
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(axis="x", labelrotation=30)
    fig.tight_layout()
    return fig
