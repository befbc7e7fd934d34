"""Table 3, the baseline regression of ERL on AIE (equation 1): what the baseline chapter shows and cites.

:func:`table3` estimates the paper's eight columns (:func:`aichain_utils.replication.columns.table3_columns`),
renders them beside the published ones, and answers every question the chapter's prose asks of them: the
ordering of the adjusted R² across columns (1)-(4), the direction of the move from column (2) to (4), the
gap between column (6) and the published one in published standard errors, the distance from the
simulated truth, and the LSDV/within comparison of the Frisch-Waugh-Lovell theorem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from aichain_utils.econometrics import Estimate
from aichain_utils.replication import columns as replication
from aichain_utils.replication import labtext, ledger, models
from aichain_utils.replication.numbers import (
    NOT_SIMULATED,
    Bilingual,
    Numbers,
    Results,
    bilingual_join,
    sampling_error_clause,
    true_effect,
)
from aichain_utils.report.tables import Column, RenderedTable, coefficient_plot, render_table

__all__ = [
    "Table3",
    "demean_note",
    "gap_word",
    "industry_dummy_words",
    "is_balanced",
    "r2_order",
    "table3",
    "wild_p_text",
]

#: Columns (1) and (4) carry industry dummies, (2) and (3) none, in the book's reading of Table 3.
WITH_INDUSTRY_DUMMIES, WITHOUT_INDUSTRY_DUMMIES = (1, 4), (2, 3)


def r2_order(adj_r2: pd.Series) -> Bilingual:
    """Whether the adjusted R² of columns (1) and (4) both exceed those of (2) and (3), as printed in Table 3.

    Parameters
    ----------
    adj_r2 : Series
        Adjusted R² by column number (at least columns 1-4).

    Returns
    -------
    Bilingual
        "reproduces" (复现了) when ``min(R²(1), R²(4)) > max(R²(2), R²(3))``, else "does not reproduce"
        (未能复现).
    """
    with_dummies = min(adj_r2.loc[list(WITH_INDUSTRY_DUMMIES)])
    without = max(adj_r2.loc[list(WITHOUT_INDUSTRY_DUMMIES)])
    return Bilingual("reproduces", "复现了") if with_dummies > without else Bilingual("does not reproduce", "未能复现")


def industry_dummy_words(c2: float, c4: float) -> dict[str, Bilingual]:
    """The omitted-variable reading of Table 3's move from column (2) (no dummies) to (4) (industry dummies).

    Returns
    -------
    dict
        ``c4_vs_c2`` ("larger"/"smaller": column 4 against column 2), ``industry_link`` ("lower"/"higher":
        the industry effects in ERL of industries with higher average AIE) and ``c2_bias_dir`` ("down"/"up":
        the bias of column 2 from leaving those effects in the error), each :class:`Bilingual`
        (更大/更小, 较低/较高, 向下/向上).
    """
    larger = c4 > c2
    return {
        "c4_vs_c2": Bilingual("larger", "更大") if larger else Bilingual("smaller", "更小"),
        "industry_link": Bilingual("lower", "较低") if larger else Bilingual("higher", "较高"),
        "c2_bias_dir": Bilingual("down", "向下") if larger else Bilingual("up", "向上"),
    }


def gap_word(gap_in_published_se: float) -> Bilingual:
    """The word "within" (不超过) when a replicated coefficient is within one published SE of the published
    one, else "more than" (超过); :class:`Bilingual`."""
    return Bilingual("within", "不超过") if gap_in_published_se <= 1 else Bilingual("more than", "超过")


def wild_p_text(cell: str) -> str:
    """The wild cluster bootstrap p of Table 3 column 6 as the prose cites it ("p = 0.012", "p < 0.001"); a
    :class:`Bilingual` cell (:func:`aichain_utils.replication.columns.wild_p_cell`) gives a :class:`Bilingual`."""
    lead = "p " if cell.startswith("<") else "p = "
    return bilingual_join([lead, cell]) if isinstance(cell, Bilingual) else lead + cell


def is_balanced(data: pd.DataFrame) -> bool:
    """Whether every unit of the panel is observed in the same years."""
    return len(set(data.groupby("unit_id")["year"].agg(tuple))) == 1


def demean_note(balanced: bool) -> Bilingual:
    """What :func:`aichain_utils.replication.models.demean` does on the panel (exercise 1 of the baseline chapter)."""
    if balanced:
        return Bilingual(
            "The panel is balanced, so one pass of unit and year demeaning is exact.",
            "面板是平衡的，因此对个体和年份各去均值一次即是精确的。",
        )
    return Bilingual(
        "The panel is unbalanced, so models.demean alternates unit and year demeaning until it converges.",
        "面板是非平衡的，因此 models.demean 交替对个体和年份去均值，直至收敛。",
    )


@dataclass
class Table3(Results):
    """Table 3 on the panel of the build: the eight columns, the rendered table, and what the chapter cites.

    Attributes
    ----------
    panel : AnalysisPanel
    columns : list of Column
        :func:`aichain_utils.replication.columns.table3_columns`.
    table : RenderedTable
        The columns beside the published ones (:func:`aichain_utils.report.tables.render_table`).
    fe_industry : Estimate
        Two-way fixed effects with industry (not unit) and year effects, the other reading of equation (1).
    truth : float or None
        The simulated world's effect of AIE on ERL (None on a user's data).
    """

    prefix: ClassVar[str] = "t3"
    panel: object
    columns: list[Column]
    table: RenderedTable
    fe_industry: Estimate
    truth: float | None

    def column(self, number: int) -> pd.Series:
        """The rendered row of column ``number`` (coef, se, published_coef, ..., see ``render_table``)."""
        return self.table.tidy.set_index("column").loc[number]

    def fit(self, number: int) -> Estimate:
        """The estimate of column ``number``."""
        return next(c for c in self.columns if c.number == number).estimate

    def readings(self) -> pd.DataFrame:
        """What each column estimates, in the book's reading (one row per column)."""
        rows = [
            {"column": f"({c.number})", "estimator": c.estimate.estimator, "reading": c.reading} for c in self.columns
        ]
        return pd.DataFrame(rows)

    def verdict_line(self) -> str:
        """The ledger's verdict line on Table 3's published coefficients (HTML)."""
        return ledger.verdict_line(ledger.ledger_for_tables({3: self.columns}, self.panel))

    def coefficient_plot(self):
        """Each column's replicated and published coefficient, with the simulated truth where there is one."""
        title = "Table 3: replicated and published estimates of the AIE coefficient"
        return coefficient_plot(self.table, truth=self.truth, title=title)

    def _column_numbers(self, number: int) -> dict:
        row = self.column(number)
        return {
            "coef": float(row["coef"]),
            "se": float(row["se"]),
            "n": int(row["n"]),
            "adj_r2": float(row["adj_r2"]),
            "published_coef": float(row["published_coef"]),
            "published_se": float(row["published_se"]),
            "published_n": int(row["published_n"]),
        }

    def _main(self) -> tuple[dict, dict[str, str]]:
        """Column (6), equation (1): its numbers, clustered SEs, bootstrap p, published gap and bias."""
        c6 = self._column_numbers(6)
        extra = next(c for c in self.columns if c.number == 6).extra_rows
        c6["se_unit"] = extra["SE clustered by unit"]
        c6["se_industry"] = extra["SE clustered by industry"]
        c6["wild_p"] = wild_p_text(extra["wild cluster bootstrap p (industry)"])
        gap = abs(c6["coef"] - c6["published_coef"]) / c6["published_se"]
        c6["gap_in_published_se"] = gap
        c6["within_published"] = gap_word(gap)
        reasons = {}
        if self.truth is None:
            c6.update(bias=None, bias_in_se=None, bias_clause=None)
            reasons = {f"c6.{k}": NOT_SIMULATED for k in ("bias", "bias_in_se", "bias_clause")}
        else:
            bias = c6["coef"] - self.truth
            c6.update(bias=bias, bias_in_se=bias / c6["se"], bias_clause=sampling_error_clause(bias, c6["se"]))
        return c6, reasons

    def numbers(self) -> Numbers:
        """Every number, word and sentence of the baseline chapter (keys ``t3_*``).

        ``c1`` ... ``c8``: each column's coef, se, n, adj_r2 and published coef, se, n; ``c6`` also its
        clustered SEs, wild bootstrap p, gap to the published coefficient and, on simulated data, its bias.
        """
        from aichain_utils.simulation import simulate

        tree: dict = {f"c{n}": self._column_numbers(n) for n in range(1, 9) if n != 6}
        tree["c6"], reasons = self._main()
        by_col = self.table.tidy.set_index("column")
        tree.update(industry_dummy_words(tree["c2"]["coef"], tree["c4"]["coef"]))
        tree["r2_order"] = r2_order(by_col["adj_r2"])
        tree["fe_industry_coef"] = float(self.fe_industry.coef)
        tree["lsdv_gap"] = abs(tree["c7"]["coef"] - self.fe_industry.coef)
        tree["n_clusters"] = int(self.panel.data["industry_id"].nunique())
        tree["demean_note"] = demean_note(is_balanced(self.panel.data))
        tree["truth"] = self.truth
        if self.truth is None:
            reasons["truth"] = NOT_SIMULATED
        tree["feedback_base"] = labtext.feedback_sentences(simulate.load_params())["base"]
        return Numbers(self.prefix, tree, reasons)


def table3(panel, save: bool = False) -> Table3:
    """Table 3 (baseline regression, equation 1) on ``panel``, with what the baseline chapter cites.

    Parameters
    ----------
    panel : AnalysisPanel
        The panel of the build (:func:`aichain_utils.book.load_panel`).
    save : bool
        Also write ``table3.csv`` and ``table3.tex`` to ``_build/tables`` (as the book build does).

    Returns
    -------
    Table3
    """
    cols = replication.table3_columns(panel.data)
    table = render_table(3, cols)
    if save:
        table.save()
    fe_industry = models.fit_two_way_fe(panel.data, entity="industry_id")
    return Table3(panel, cols, table, fe_industry, true_effect(panel))
