"""How tables look in the book: one helper, so every chapter formats numbers the same way."""

from __future__ import annotations

import re
from html import escape

import pandas as pd
from IPython.display import HTML
from pandas.io.formats.style import Styler

from aichain_utils.text import ZH_HTML, Bilingual

__all__ = [
    "ZH_CELLS",
    "BilingualHTML",
    "BilingualStyler",
    "RegressionView",
    "VectorFigure",
    "bilingual_cells",
    "chinese_figure",
    "glue_figure",
    "keep_comparisons_together",
    "show_regression",
    "show_table",
    "table_cell",
]

#: A comparison sign, a space and a number ("< 0.001", "≥ 10", "> −1.5"): the space a line may break at.
_COMPARISON_SPACE = re.compile(r"([<>≤≥])[ \t]+(?=[−+\-]?\.?\d)")


def keep_comparisons_together(text):
    """``text`` with the space between a comparison sign and the number after it made non-breaking
    (U+00A0), so that a line never ends on the sign: "(< 0.001)" stays whole in a narrow cell.

    Anything that is not a string is returned unchanged (a table cell may hold a number).
    """
    if not isinstance(text, str):
        return text
    english = _COMPARISON_SPACE.sub("\\1\u00a0", text)
    if isinstance(text, Bilingual):  # a computed cell keeps its Chinese (:func:`bilingual_cells`)
        return Bilingual(english, _COMPARISON_SPACE.sub("\\1\u00a0", text.zh))
    return english


#: The key of a displayed table's HTML metadata (``text/html``) under which its computed cells' Chinese
#: travels: ``{English text: Chinese text}`` of each :class:`~aichain_utils.text.Bilingual` cell
#: (:func:`bilingual_cells`), which the Chinese build writes in place of the English
#: (:func:`aichain_utils.book.tablelabels.translate_bilingual_cells`); the English HTML is unchanged.
ZH_CELLS = "text/x-aichain-zh-cells"


#: The computed cells registered in this process (:func:`table_cell`): normalised English -> Chinese.
_TABLE_CELLS: dict[str, str] = {}


def _normal(text: str) -> str:
    return " ".join(text.split())


def table_cell(text: Bilingual) -> Bilingual:
    """Register a computed table cell written in both languages, and return it.

    A DataFrame keeps a cell's ``str`` but not its Chinese (pandas stores text columns as plain strings), so
    the package registers each computed cell it writes in both languages here; a table the book displays
    (:class:`BilingualStyler`, :class:`RegressionView`) then carries the Chinese of every cell whose text
    is a registered English (:func:`bilingual_cells`), whichever frames the cell went through.

    Parameters
    ----------
    text : Bilingual
        The cell (:func:`aichain_utils.text.bilingual_format`).

    Raises
    ------
    TypeError
        ``text`` is not a :class:`~aichain_utils.text.Bilingual` (a cell without its Chinese).
    """
    if not isinstance(text, Bilingual):
        raise TypeError(f"table_cell: a computed cell needs both languages (a Bilingual), got {text!r}")
    _TABLE_CELLS[_normal(text)] = _normal(text.zh)
    return text


def bilingual_cells(values) -> dict[str, str]:
    """``{English: Chinese}`` of the cells among ``values`` (a table's cells, any iterable) that are a
    :class:`~aichain_utils.text.Bilingual` or the English of a cell registered by :func:`table_cell`; other
    values are skipped. Whitespace is normalised (the HTML's line breaks and the non-breaking spaces of
    :func:`keep_comparisons_together` are spaces); in order, each once.

    Examples
    --------
    >>> bilingual_cells(["0.5", Bilingual("p < 0.05 here", "此处 p < 0.05")])
    {'p < 0.05 here': '此处 p < 0.05'}
    """
    found = {}
    for v in values:
        if isinstance(v, Bilingual):
            found[_normal(v)] = _normal(v.zh)
        elif isinstance(v, str) and _normal(v) in _TABLE_CELLS:
            found[_normal(v)] = _TABLE_CELLS[_normal(v)]
    return found


def _with_cells(html: str | None, values):
    """What a ``_repr_html_`` returns: ``html`` alone, or with the metadata of its bilingual cells
    (:data:`ZH_CELLS`) when it has any (IPython stores a ``(data, metadata)`` pair's metadata beside it)."""
    cells = bilingual_cells(values)
    return html if html is None or not cells else (html, {ZH_CELLS: cells})


class BilingualHTML(HTML):
    """HTML in English, with its Chinese in the output's metadata (``text/html``'s entry, key
    :data:`~aichain_utils.text.ZH_HTML`), which the Chinese build shows instead; ``cells`` (``{English:
    Chinese}``, :data:`ZH_CELLS`) are the computed cells of the tables inside it, which the Chinese build
    writes into the Chinese HTML (:func:`aichain_utils.book.tablelabels.translate_bilingual_cells`).

    Examples
    --------
    >>> out = BilingualHTML("<p>Table 4</p>", "<p>表 4</p>")
    >>> out._repr_html_()
    ('<p>Table 4</p>', {'text/x-aichain-zh-html': '<p>表 4</p>'})
    """

    def __init__(self, english: str, chinese: str, cells: dict[str, str] | None = None):
        if not isinstance(english, str) or not isinstance(chinese, str):
            raise TypeError(f"BilingualHTML needs two str: got {type(english).__name__} and {type(chinese).__name__}")
        self.zh, self.cells = chinese, dict(cells or {})
        super().__init__(english)

    def _repr_html_(self):
        meta = {ZH_HTML: self.zh, **({ZH_CELLS: self.cells} if self.cells else {})}
        return self.data, meta


def html_and_cells(shown) -> tuple[str, dict[str, str]]:
    """The HTML of a displayed table (a :class:`RegressionView`, a :class:`BilingualStyler`) and the
    ``{English: Chinese}`` of its computed cells, from its ``_repr_html_`` (which returns the HTML alone
    when the table has no such cell).

    Raises
    ------
    AichainInputError
        ``shown`` has no ``_repr_html_``, or it returns neither HTML text nor an ``(html, metadata)`` pair.
    """
    from aichain_utils.errors import input_error

    render = getattr(shown, "_repr_html_", None)
    if not callable(render):
        raise input_error(
            "shown", "must be a displayed table with a _repr_html_ method", [type(shown).__name__], what="type"
        )
    out = render()
    html, meta = out if isinstance(out, tuple) and len(out) == 2 else (out, {})
    if not isinstance(html, str) or not isinstance(meta, dict):
        raise input_error(
            "shown",
            "_repr_html_ must return HTML text or an (html, metadata dict) pair",
            [type(out).__name__],
            what="type",
        )
    return html, dict(meta.get(ZH_CELLS, {}))


class BilingualStyler(Styler):
    """A pandas Styler whose displayed HTML carries the Chinese of its :class:`~aichain_utils.text.Bilingual`
    cells in its metadata (:data:`ZH_CELLS`); its HTML is the Styler's, byte for byte."""

    def _repr_html_(self):
        return _with_cells(super()._repr_html_(), self.data.to_numpy().ravel())


def _is_percentage(name) -> bool:
    """A column of percentages: its name has a % sign not part of a level ("mean Δ%", "% positive"),
    unlike "95% low" or "95% CI coverage", whose % names a confidence level."""
    return re.search(r"(?<![\d.])%", str(name)) is not None


def show_table(frame: pd.DataFrame, precision: int = 3, formats: dict | None = None) -> Styler:
    """Render a DataFrame for the book: no index, floats at ``precision`` decimals, percentage
    columns (a % sign in the name that is not a level such as "95%") at one decimal.

    Parameters
    ----------
    frame : DataFrame
    precision : int
        Decimals for float columns.
    formats : dict, optional
        Column name -> format string (e.g. ``{"times as strong": "{:.0f}×"}``), overriding the above.

    Returns
    -------
    BilingualStyler
        A Styler; a computed cell that is a :class:`~aichain_utils.text.Bilingual` carries its Chinese in
        the displayed output's metadata (:data:`ZH_CELLS`).

    Raises
    ------
    KeyError
        A column named in ``formats`` is not in ``frame``.
    """
    formats = dict(formats or {})
    missing = [c for c in formats if c not in frame.columns]
    if missing:
        raise KeyError(f"formats: no column {missing} in the table (columns: {list(frame.columns)})")
    text = [c for c in frame.columns if frame.columns.is_unique and pd.api.types.is_string_dtype(frame[c])]
    if text:  # "(< 0.001)" never wraps after its "<"
        frame = _map_columns(frame, text)
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c]) and c not in formats]
    pct = [c for c in floats if _is_percentage(c)]
    other = [c for c in floats if c not in pct]
    styler = BilingualStyler(frame).hide(axis="index")
    if other:
        styler = styler.format(precision=precision, subset=other, na_rep="")
    if pct:
        styler = styler.format(precision=1, subset=pct, na_rep="")
    for column, fmt in formats.items():
        styler = styler.format(fmt, subset=[column], na_rep="")
    return styler


def _map_columns(frame: pd.DataFrame, columns: list) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`keep_comparisons_together` applied to ``columns`` (any labels); a
    column holding a :class:`~aichain_utils.text.Bilingual` cell stays of object dtype, so that its cells
    keep their Chinese (``Series.map`` would store plain strings)."""
    out = frame.copy()
    for c in columns:
        values = out[c].tolist()
        if any(isinstance(v, Bilingual) for v in values):
            out[c] = pd.Series([keep_comparisons_together(v) for v in values], index=out.index, dtype=object)
        else:
            out[c] = out[c].map(keep_comparisons_together)
    return out


class VectorFigure:
    """A matplotlib figure as the book displays it: SVG (sharp at any size and in print), with a
    200-dpi PNG beside it for viewers that do not show SVG.

    ``chinese`` (SVG text, PNG as base64: :func:`aichain_utils.report.figurelabels.chinese_rendering`) is the
    figure drawn for the Chinese edition, and ``messages`` the English texts it showed
    (:func:`aichain_utils.report.figurelabels.figure_messages`); both travel in the outputs' metadata
    (:data:`~aichain_utils.report.figurelabels.ZH_IMAGE`, :data:`~aichain_utils.report.figurelabels.FIGURE_TEXTS`),
    the English data unchanged.
    """

    def __init__(self, fig, chinese: tuple[str, str] | None = None, messages: list[str] | None = None) -> None:
        import io

        svg, png = io.StringIO(), io.BytesIO()
        fig.savefig(svg, format="svg", bbox_inches="tight")
        fig.savefig(png, format="png", dpi=200, bbox_inches="tight")
        self.svg, self.png = svg.getvalue(), png.getvalue()
        self.chinese, self.messages = chinese, messages

    def _repr_svg_(self):
        from aichain_utils.report.figurelabels import FIGURE_TEXTS, ZH_IMAGE

        metadata = {}
        if self.messages is not None:
            metadata[FIGURE_TEXTS] = list(self.messages)
        if self.chinese is not None:
            metadata[ZH_IMAGE] = self.chinese[0]
        return (self.svg, metadata) if metadata else self.svg

    def _repr_png_(self):
        from aichain_utils.report.figurelabels import ZH_IMAGE

        return self.png if self.chinese is None else (self.png, {ZH_IMAGE: self.chinese[1]})

    def __repr__(self) -> str:
        return "<figure>"


def chinese_figure(fig, english: VectorFigure) -> VectorFigure:
    """``english`` with the figure's Chinese rendering and its English messages
    (:mod:`aichain_utils.report.figurelabels`): drawn through the catalogue ``figures.po`` of the checkout
    when there is one and :data:`~aichain_utils.report.figurelabels.CJK_FAMILY` is installed (a warning says
    when it is not); the messages always. ``fig`` is left as it was."""
    from aichain_utils.report import figurelabels
    from aichain_utils.report.catalogue import catalogue_path, load_catalogue

    english.messages = figurelabels.figure_messages(fig)
    try:
        po = catalogue_path(figurelabels.CATALOGUE)
    except FileNotFoundError:  # a copy of the package outside any checkout
        return english
    if not po.is_file():
        return english  # the wheel of the kit: no Chinese edition to draw for
    if not figurelabels.cjk_font_available():
        import warnings

        warnings.warn(
            f"no {figurelabels.CJK_FAMILY} font (install fonts-noto-cjk: make browser-deps): "
            "the Chinese edition shows this figure in English",
            stacklevel=3,
        )
        return english
    english.chinese = figurelabels.chinese_rendering(fig, load_catalogue(po))
    return english


def glue_figure(name: str, fig) -> None:
    """Glue a matplotlib figure for ``{glue:figure}`` (as SVG, with a 200-dpi PNG) and close it.

    The figure is stored once, as a displayed output (so the downloadable executed notebook shows
    it), and closed so that the inline backend does not show it a second time at the end of the cell.
    Its Chinese rendering (:func:`chinese_figure`) travels in the output's metadata, which the Chinese
    edition shows instead.
    """
    import matplotlib.pyplot as plt
    from myst_nb import glue

    glue(name, chinese_figure(fig, VectorFigure(fig)), display=True)
    plt.close(fig)


#: How the book names a covariance type (``Estimate.cov_type``) in a diagnostics table.
COV_LABELS = {
    "cluster_industry": "clustered by industry",
    "cluster_unit": "clustered by unit",
    "robust": "robust (HC1)",
    "unadjusted": "conventional (homoskedastic)",
}


class RegressionView:
    """A regression table as the book shows it: compact rows that fit a phone, the diagnostics the
    text cites always in view, and the paper's layout in a toggle.

    The compact table has one row per column of the paper's table (label, published coefficient
    (SE), replicated coefficient (SE), N and adjusted R², published / replicated), so it fits
    the text column at any width and prints whole. The diagnostics table below it (one row per
    statistic: the standard errors used, reghdfe's within R², and every extra statistic of the
    columns — clustered SEs, wild-bootstrap p, first stage, Kleibergen–Paap, effective F,
    Anderson–Rubin set, tF interval, suest, the mediation legs) is never collapsed, so it is on the
    screen without a click and in print. The full table in the paper's layout (every statistic of
    :attr:`aichain_utils.report.tables.RenderedTable.display`) follows in a ``<details>`` toggle, in a
    scroll box whose first column stays in view.
    """

    def __init__(self, rendered) -> None:
        self.rendered = rendered

    def compact_frame(self) -> pd.DataFrame:
        """The compact layout as a DataFrame (one row per column of the paper's table)."""
        t = self.rendered.tidy

        def pair(coef, stars_, se, dp: int = 3) -> str:
            if coef is None or pd.isna(coef):
                return ""
            return f"{coef:.{dp}f}{'' if stars_ is None or pd.isna(stars_) else stars_} ({se:.{dp}f})"

        def two(pub, rep, fmt) -> str:
            def one(v) -> str:
                return "" if v is None or pd.isna(v) else fmt(v)

            return f"{one(pub)} / {one(rep)}"

        rows = []
        for _, r in t.iterrows():
            rows.append(
                {
                    "column": f"({r['column']}) {r['label']}",
                    "outcome / regressor": f"{r['outcome']} / {r['regressor']}",
                    "published coef. (SE)": pair(r["published_coef"], r["published_stars"], r["published_se"]),
                    "replicated coef. (SE)": pair(r["coef"], r["stars"], r["se"]),
                    "N, published / replicated": two(r["published_n"], r["n"], lambda v: f"{int(v)}"),
                    "adj. R², published / replicated": two(r["published_adj_r2"], r["adj_r2"], lambda v: f"{v:.3f}"),
                }
            )
        return pd.DataFrame(rows)

    def diagnostics_frame(self) -> pd.DataFrame:
        """The diagnostics table: one row per statistic, one column per column of the paper's table.

        Rows: the standard errors of the coefficient (:data:`COV_LABELS`), the within R² as reghdfe
        defines it (outcome and regressor demeaned by both effects), then every extra row of the
        columns (:attr:`aichain_utils.report.tables.Column.extra_rows`) in the order they first appear.
        A cell is empty where a column does not report the statistic.
        """
        t = self.rendered.tidy
        extra = [c for c in t.columns if str(c).startswith("extra: ")]
        names = [f"({r['column']})" for _, r in t.iterrows()]
        rows: dict[str, list[str]] = {
            "standard errors": [COV_LABELS.get(str(v), str(v).replace("_", " ")) for v in t["cov_type"]],
            "within R² (reghdfe: both effects removed)": [
                "" if v is None or pd.isna(v) else f"{v:.3f}" for v in t["r2_within"]
            ],
        }
        for c in extra:
            rows[c.removeprefix("extra: ")] = [
                "" if v is None or pd.isna(v) else v if isinstance(v, str) else str(v) for v in t[c]
            ]
        rows = {k: v for k, v in rows.items() if any(v)}
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=names)
        frame.index.name = "statistic"
        return frame.reset_index()

    def _diagnostics_html(self) -> str:
        frame = self.diagnostics_frame()
        head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in frame.columns)
        body = []
        for _, row in frame.iterrows():
            cells = [f'<th scope="row" class="row_heading">{escape(str(row.iloc[0]))}</th>']
            cells += [f"<td>{escape(keep_comparisons_together(str(v)))}</td>" for v in row.iloc[1:]]
            body.append("<tr>" + "".join(cells) + "</tr>")
        return (
            '<p class="aichain-diagnostics-title">Diagnostics and inference, replicated (the paper\'s '
            "published values where it prints them)</p>"
            '<div class="aichain-wide aichain-diagnostics-box"><table class="aichain-regression aichain-diagnostics">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )

    def _compact_html(self) -> str:
        frame = self.compact_frame()
        head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in frame.columns)
        body = []
        for _, row in frame.iterrows():
            cells = [f'<th scope="row" data-label="{escape(frame.columns[0])}">{escape(str(row.iloc[0]))}</th>']
            cells += [
                f'<td data-label="{escape(str(c))}">{escape(keep_comparisons_together(str(v)))}</td>'
                for c, v in row.iloc[1:].items()
            ]
            body.append("<tr>" + "".join(cells) + "</tr>")
        return f'<table class="aichain-compact"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'

    def _full_html(self) -> str:
        disp = self.rendered.display.rename_axis(index=None).map(keep_comparisons_together)
        return disp.style.set_table_attributes('class="aichain-regression"').to_html()

    def _repr_html_(self):
        """The view's HTML, with the Chinese of its computed cells in its metadata (:data:`ZH_CELLS`)."""
        return _with_cells(self._html(), self.rendered.display.to_numpy().ravel())

    def _html(self) -> str:
        return (
            f'<div class="aichain-regression-view">{self._compact_html()}'
            '<p class="aichain-table-note">* p &lt; 0.10, ** p &lt; 0.05, *** p &lt; 0.01 (the paper\'s '
            "thresholds); standard errors in parentheses.</p>"
            f"{self._diagnostics_html()}"
            '<details class="aichain-details"><summary>Every row of the table in the paper\'s layout '
            f'(Table {self.rendered.table})</summary><div class="aichain-wide">{self._full_html()}</div>'
            "</details></div>"
        )

    def __repr__(self) -> str:
        return self.compact_frame().to_string(index=False)


def show_regression(rendered) -> RegressionView:
    """Render a :class:`aichain_utils.report.tables.RenderedTable` for the book.

    Returns a :class:`RegressionView`: one compact row per column of the paper's table, and the
    paper's layout (row labels kept) in a toggle below it.
    """
    return RegressionView(rendered)
