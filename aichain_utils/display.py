"""How tables look in the book: one helper, so every chapter formats numbers the same way."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

__all__ = ["banner_text", "glue_figure", "show_regression", "show_table"]


def show_table(frame: pd.DataFrame, precision: int = 3) -> Styler:
    """Render a DataFrame for the book: no index, floats at ``precision`` decimals,
    percentage-difference columns (names containing ``%``) at one decimal.

    Parameters
    ----------
    frame : DataFrame
    precision : int
        Decimals for float columns.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    pct = [c for c in floats if "%" in str(c)]
    other = [c for c in floats if c not in pct]
    styler = frame.style.hide(axis="index")
    if other:
        styler = styler.format(precision=precision, subset=other, na_rep="")
    if pct:
        styler = styler.format(precision=1, subset=pct, na_rep="")
    return styler


def glue_figure(name: str, fig) -> None:
    """Glue a matplotlib figure for ``{glue:figure}`` and close it.

    The figure is stored once, as a displayed output (so the downloadable executed notebook shows
    it), and closed so that the inline backend does not show it a second time at the end of the cell.
    """
    import matplotlib.pyplot as plt
    from myst_nb import glue

    glue(name, fig, display=True)
    plt.close(fig)


def show_regression(rendered) -> Styler:
    """Render a :class:`aichain_utils.tables.RenderedTable` in the paper's layout (row labels kept)."""
    # the index name ("Table 3") would print as an empty header row: the caption already says it
    return rendered.display.rename_axis(index=None).style.set_table_attributes('class="aichain-regression"')


def banner_text(source=None) -> str:
    """The sentence a page's data banner prints for a data source (default: the one in force).

    Simulated: that the estimates come from simulated data. A user's file: the level and the
    file, e.g. "Built from your finished variables in panel.dta, sha256 0123456789ab." (the
    label of :func:`aichain_utils.panel.data_source`).
    """
    if source is None:
        from aichain_utils.panel import data_source

        source = data_source()
    if source.is_simulated:
        return (
            f"Built from {source.label}. The paper's data are proprietary: every estimate in this book is "
            "computed on simulated data, and agreement with the published numbers validates the code, not "
            "the paper's claims."
        )
    return f"Built from {source.label}."
