"""How the book formats its tables (aichain_utils.report.display): precision per column, the diagnostics
table under every regression table (issue 24)."""

from __future__ import annotations

import pandas as pd
import pytest

from aichain_utils.report.display import RegressionView, show_table
from aichain_utils.report.tables import RenderedTable


def test_a_confidence_level_is_not_a_percentage_column():
    """ "95% low" holds a bound (three decimals); "mean Δ%" and "% positive" hold percentages (one)."""
    frame = pd.DataFrame({"95% low": [0.81234], "mean Δ%": [12.3456], "% positive": [55.55], "k": [2.0]})
    html = show_table(frame, formats={"k": "{:.0f}×"}).to_html()
    assert "0.812" in html and "12.3<" in html
    assert "55.5<" in html or "55.6<" in html
    assert "2×" in html and "2.000" not in html


def test_formats_must_name_a_column():
    with pytest.raises(KeyError, match="no column"):
        show_table(pd.DataFrame({"a": [1.0]}), formats={"b": "{:.1f}"})


def _rendered() -> RenderedTable:
    tidy = pd.DataFrame(
        {
            "column": [1, 2],
            "cov_type": ["robust", "cluster_unit"],
            "r2_within": [0.254, float("nan")],
            "extra: KP rk LM, replicated (p)": ["168.75 (< 0.001)", ""],
            "extra: suest p, replicated": [None, "0.012"],
        }
    )
    return RenderedTable(table=4, tidy=tidy, display=pd.DataFrame())


def test_the_diagnostics_table_has_every_statistic_of_every_column():
    frame = RegressionView(_rendered()).diagnostics_frame()
    assert list(frame.columns) == ["statistic", "(1)", "(2)"]
    rows = frame.set_index("statistic")
    assert rows.loc["standard errors"].tolist() == ["robust (HC1)", "clustered by unit"]
    assert rows.loc["within R² (reghdfe: both effects removed)"].tolist() == ["0.254", ""]
    assert rows.loc["KP rk LM, replicated (p)"].tolist() == ["168.75 (< 0.001)", ""]
    assert rows.loc["suest p, replicated"].tolist() == ["", "0.012"]


def test_the_diagnostics_are_outside_the_toggle():
    """The diagnostics table comes before the <details> toggle, so it shows without a click and prints."""
    view = RegressionView(_rendered())
    view.compact_frame = lambda: pd.DataFrame({"column": ["(1) x"], "N": ["1 / 2"]})
    view._full_html = lambda: "<table></table>"
    html = view._repr_html_()
    assert html.index("aichain-diagnostics") < html.index("<details")
    assert "KP rk LM, replicated (p)" in html[: html.index("<details")]
