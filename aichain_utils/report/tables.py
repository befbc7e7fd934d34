"""The regression-table renderer every chapter uses: the paper's layout, published beside replicated.

A table is built from a list of :class:`Column` (column number, label, :class:`Estimate`,
and any extra statistics to show), joined with the published cells of
``data/published/regression_cells.csv``. The result is a tidy DataFrame (one row per
column, for CSV) and a display DataFrame in the paper's layout (rows = statistics,
columns = the table's columns), rendered as HTML in the book and written as CSV and
LaTeX for reuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from aichain_utils.econometrics import Estimate
from aichain_utils.inputs.published import load_regression_cells
from aichain_utils.paths import repo_root

__all__ = ["Column", "RenderedTable", "render_table", "stars", "tables_dir"]

#: The paper's thresholds (Table 3 note): * 10%, ** 5%, *** 1%.
STAR_LEVELS: tuple[tuple[float, str], ...] = ((0.01, "***"), (0.05, "**"), (0.10, "*"))


def stars(p: float) -> str:
    """Significance stars for a two-sided p-value with the paper's thresholds."""
    if p is None or not np.isfinite(p):
        return ""
    for level, mark in STAR_LEVELS:
        if p < level:
            return mark
    return ""


@dataclass
class Column:
    """One column of a replicated table."""

    number: int
    label: str
    estimate: Estimate
    reading: str = ""
    extra_rows: dict[str, str] = field(default_factory=dict)
    #: The full result behind the column when there is more than one estimate (e.g. the
    #: :class:`aichain_utils.replication.mediation.MediationResult` of a Table 6 column); not rendered.
    detail: object | None = None


@dataclass
class RenderedTable:
    """A rendered table: ``tidy`` (one row per column) and ``display`` (paper layout)."""

    table: int
    tidy: pd.DataFrame
    display: pd.DataFrame

    def save(self, directory: Path | None = None) -> dict[str, Path]:
        """Write ``table{N}.csv`` (tidy) and ``table{N}.tex`` (display) and return their paths."""
        directory = Path(directory) if directory is not None else tables_dir()
        directory.mkdir(parents=True, exist_ok=True)
        csv = directory / f"table{self.table}.csv"
        tex = directory / f"table{self.table}.tex"
        self.tidy.to_csv(csv, index=False, float_format="%.6g")
        tex.write_text(self.display.to_latex(escape=True), encoding="utf-8")
        return {"csv": csv, "tex": tex}


def tables_dir() -> Path:
    """Where rendered tables are written: ``_build/tables`` in the repository."""
    return repo_root() / "_build" / "tables"


def _fmt(v: float, dp: int = 3) -> str:
    return "" if v is None or (isinstance(v, float) and not np.isfinite(v)) else f"{v:.{dp}f}"


def render_table(table: int, columns: list[Column]) -> RenderedTable:
    """Join replicated columns with the published ones and lay them out as the paper does.

    Parameters
    ----------
    table : int
        The paper's table number (3-10); its published cells are read from ``data/published/``.
    columns : list of Column
        The replicated columns; ``number`` matches the printed column number.

    Returns
    -------
    RenderedTable
    """
    published = load_regression_cells(table).set_index("column")
    tidy_rows, display = [], {}
    for col in columns:
        e = col.estimate
        pub = published.loc[col.number] if col.number in published.index else None
        star = stars(e.p)
        row = {
            "table": table,
            "column": col.number,
            "label": col.label,
            "reading": col.reading,
            "estimator": e.estimator,
            "outcome": e.outcome,
            "regressor": e.regressor,
            "coef": e.coef,
            "se": e.se,
            "t": e.t,
            "p": e.p,
            "stars": star,
            "ci_low": e.ci_low,
            "ci_high": e.ci_high,
            "n": e.n,
            "r2": e.r2,
            "adj_r2": e.adj_r2,
            "r2_within": e.r2_within,
            "r2_within_panelols": e.r2_within_panelols,
            "cov_type": e.cov_type,
            "controls": "yes" if e.controls else "no",
            "fixed_effects": e.fixed_effects,
            "dropped_rows": e.dropped,
            "notes": "; ".join(e.notes),
            "published_coef": None if pub is None else float(pub["coef"]),
            "published_se": None if pub is None else float(pub["se"]),
            "published_stars": None if pub is None else pub["stars"],
            "published_n": None if pub is None else int(pub["n"]),
            "published_adj_r2": None if pub is None else float(pub["adj_r2"]),
        }
        row["difference"] = None if pub is None else e.coef - float(pub["coef"])
        row.update({f"extra: {k}": v for k, v in col.extra_rows.items()})
        tidy_rows.append(row)
        name = f"({col.number})"
        fe = e.fixed_effects.replace("industry_id", "industry").replace("_id", "")
        cells = {
            "label": col.label,
            "estimator": e.estimator,
            "outcome / regressor": f"{e.outcome} / {e.regressor}",
            "coefficient, published": "" if pub is None else f"{pub['coef']:.3f}{pub['stars']}",
            "  (SE), published": "" if pub is None else f"({pub['se']:.3f})",
            "coefficient, replicated": f"{e.coef:.3f}{star}",
            "  (SE), replicated": f"({e.se:.3f})",
            "difference (replicated − published)": "" if pub is None else f"{e.coef - pub['coef']:+.3f}",
            "controls, published / replicated": f"{'' if pub is None else pub['controls']} / {row['controls']}",
            "fixed effects, replicated": fe,
            "N, published": "" if pub is None else f"{int(pub['n'])}",
            "N, replicated": f"{e.n}",
            "adj. R², published": "" if pub is None else f"{pub['adj_r2']:.3f}",
            "adj. R², replicated": _fmt(e.adj_r2),
            "within R² (reghdfe), replicated": _fmt(e.r2_within),
            "standard errors": e.cov_type,
        }
        cells.update(col.extra_rows)
        display[name] = cells
    disp = pd.DataFrame(display)
    disp.index.name = f"Table {table}"
    return RenderedTable(table=table, tidy=pd.DataFrame(tidy_rows), display=disp.fillna(""))


def coefficient_plot(rendered: RenderedTable, truth: float | None = None, title: str = ""):
    """Replicated estimates with 95% CIs beside the published estimates (± 1.96 SE), per column.

    Parameters
    ----------
    rendered : RenderedTable
    truth : float, optional
        The true effect of the simulated panel, drawn as a line (only meaningful on simulated data).
    title : str
    """
    import matplotlib.pyplot as plt

    t = rendered.tidy
    # at most 9 in wide, so that printed on A4 (a 7.1 in column) the 9 pt labels stay above 7 pt
    fig, ax = plt.subplots(figsize=(min(9.0, max(6.0, 0.9 * len(t) + 2)), 3.8))
    pos = np.arange(len(t))
    ax.errorbar(
        pos - 0.12,
        t["coef"],
        yerr=1.96 * t["se"],
        fmt="o",
        color="#1f3b73",
        capsize=3,
        label="replicated (95% CI)",
    )
    if t["published_coef"].notna().any():
        ax.errorbar(
            pos + 0.12,
            t["published_coef"],
            yerr=1.96 * t["published_se"],
            fmt="x",
            color="#d95f02",
            capsize=3,
            label="published (± 1.96 SE)",
        )
    if truth is not None:
        ax.axhline(truth, color="#1a9850", ls="--", lw=1.2, label=f"true effect in the simulation ({truth:.3f})")
    ax.axhline(0, color="#999999", lw=0.8)
    ax.set_xticks(pos, [f"({c})\n{lab}" for c, lab in zip(t["column"], t["label"], strict=True)], fontsize=9)
    ax.tick_params(axis="y", labelsize=9)
    ax.set_ylabel("coefficient", fontsize=10)
    ax.set_title(title or f"Table {rendered.table}: replicated and published estimates", fontsize=11)
    ax.legend(frameon=False, fontsize=9, loc="best")
    fig.tight_layout()
    return fig


#: The published column each Monte Carlo estimator corresponds to (table, column), for the reference line.
MONTE_CARLO_PUBLISHED_COLUMNS = {"FE": (3, 6), "IV1": (4, 1), "IV2": (4, 2), "IV3": (4, 3), "IV4": (4, 4), "FD": (4, 5)}


def sampling_distribution_plot(replications: pd.DataFrame, estimators: list[str]):
    """One histogram per estimator of its Monte Carlo estimates, with the truth and the published value.

    Parameters
    ----------
    replications : DataFrame
        One row per replication and estimator, with columns ``estimator``, ``estimate`` and
        ``truth`` (the stored output of :func:`aichain_utils.replication.lab.monte_carlo`).
    estimators : list of str
        The estimators to draw, in order (e.g. :data:`aichain_utils.replication.lab.ESTIMATORS`).

    Returns
    -------
    matplotlib.figure.Figure
        The true value is a dashed black line; where the paper reports the estimator
        (:data:`MONTE_CARLO_PUBLISHED_COLUMNS`), its published coefficient is a wide orange line drawn
        underneath, so both stay visible when they coincide; the x-axis always includes both.
    """
    import matplotlib.pyplot as plt

    missing = [e for e in estimators if e not in set(replications["estimator"])]
    if missing:
        raise ValueError(f"column 'estimator': no replications for {missing}")
    published = load_regression_cells().set_index(["table", "column"])["coef"]
    ncols = min(3, len(estimators))  # at most 9.6 in wide: readable when printed on A4
    nrows = -(-len(estimators) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.6 * nrows), squeeze=False)
    flat = list(axes.flat)
    for ax in flat[len(estimators) :]:
        fig.delaxes(ax)
    for ax, est in zip(flat, estimators, strict=False):
        g = replications[replications["estimator"] == est]
        truth = float(g["truth"].iloc[0])
        ax.hist(g["estimate"], bins=25, color="#9fb3d9", edgecolor="#1f3b73", linewidth=0.4)
        marks = [truth]
        if est in MONTE_CARLO_PUBLISHED_COLUMNS:
            pub = float(published.loc[MONTE_CARLO_PUBLISHED_COLUMNS[est]])
            marks.append(pub)
            # wide and solid underneath, so that the dashed truth line stays visible when they coincide
            ax.axvline(pub, color="#d95f02", lw=3.2, alpha=0.75, label="published", zorder=2)
        ax.axvline(truth, color="#111111", ls=(0, (4, 2)), lw=1.4, label="truth", zorder=3)
        lo, hi = min(g["estimate"].min(), *marks), max(g["estimate"].max(), *marks)
        pad = 0.06 * (hi - lo or 1.0)
        ax.set_xlim(lo - pad, hi + pad)  # the reference lines are never clipped
        ax.set_title(est, fontsize=11)
        ax.tick_params(labelsize=9)
    flat[0].legend(fontsize=9, frameon=False)
    fig.tight_layout()
    return fig
