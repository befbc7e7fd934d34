"""Figures stay readable when the book is printed (issue 15): every label of every figure the book
draws is at least 6.5 pt once the figure is scaled to the A4 text column (180 mm, the print
stylesheet's page less its margins), as ``make pdf`` and a browser's print scale it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from aichain_utils.inputs.panel import load_analysis_panel
from aichain_utils.replication import framework, lab
from aichain_utils.replication import measurement_tables as measurement
from aichain_utils.report import tables

#: The A4 text column in inches: 210 mm less two 15 mm margins (the @page rule of _static/aichain.css).
COLUMN_IN = 180 / 25.4
MIN_PT = 6.5


def smallest_printed_pt(fig) -> tuple[float, str]:
    """The smallest font size (pt) of any visible label of ``fig`` once printed in the A4 column
    (figures are scaled down to the column, never up), and that label's text."""
    fig.canvas.draw()
    scale = min(1.0, COLUMN_IN / fig.get_figwidth())
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    smallest = min(texts, key=lambda t: t.get_fontsize())
    return smallest.get_fontsize() * scale, smallest.get_text()


def _check(fig) -> None:
    size, text = smallest_printed_pt(fig)
    plt.close(fig)
    assert size >= MIN_PT, f"label {text!r} prints at {size:.1f} pt"


def test_the_check_catches_a_wide_figure_with_small_labels():
    fig, ax = plt.subplots(figsize=(13, 3))
    ax.set_title("tiny", fontsize=8)
    size, text = smallest_printed_pt(fig)
    plt.close(fig)
    assert text == "tiny" and size < MIN_PT


def test_causal_diagram_prints_readably():
    _check(framework.draw_causal_diagram())


def test_coefficient_plot_prints_readably():
    k = 8  # the widest book table (Table 3)
    tidy = pd.DataFrame(
        {
            "column": [str(c) for c in range(1, k + 1)],
            "label": ["pooled"] * k,
            "coef": np.linspace(0.1, 0.9, k),
            "se": 0.1,
            "published_coef": 1.0,
            "published_se": 0.15,
        }
    )
    rendered = tables.RenderedTable(table=3, tidy=tidy, display=pd.DataFrame())
    _check(tables.coefficient_plot(rendered, truth=0.5, title="Table 5: robustness checks (different outcomes)"))


def test_sampling_distribution_plot_prints_readably():
    rng = np.random.default_rng(0)
    reps = pd.DataFrame(
        [{"estimator": e, "estimate": rng.normal(), "truth": 0.5} for e in lab.ESTIMATORS for _ in range(20)]
    )
    _check(tables.sampling_distribution_plot(reps, list(lab.ESTIMATORS)))


@pytest.mark.parametrize("draw", [measurement.plot_over_years, measurement.plot_by_group])
def test_measurement_figures_print_readably(draw):
    _check(draw(load_analysis_panel()))
