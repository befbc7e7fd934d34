"""Tables 4 and 5, endogeneity and robustness: what the endogeneity chapter shows and cites.

:func:`table4` estimates the paper's four 2SLS columns and first differences
(:func:`aichain_utils.replication.columns.table4_columns`) and compares them with the fixed-effects estimate
of equation (1), with the simulated truth and with the lab's Monte Carlo; it also carries the thresholds
the chapter quotes (Stock and Yogo's critical value, the first-stage F from which Lee et al.'s tF critical
value is 1.96) and the partial R² the published Kleibergen-Paap Wald F imply. :func:`table5` estimates the
seven robustness checks (:func:`aichain_utils.replication.columns.table5_columns`), the segment identity of
equation (9), and the propensity-score matching behind column (7) with its balance check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from aichain_utils.econometrics import Estimate
from aichain_utils.econometrics.weakiv import TF_CRITICAL_05, TF_SQRT_F_GRID
from aichain_utils.inputs.published import published_cell
from aichain_utils.replication import columns as replication
from aichain_utils.replication import lab, labtext, ledger, matching, models
from aichain_utils.replication.models import CONTROLS
from aichain_utils.replication.numbers import NOT_SIMULATED, Bilingual, Numbers, Results, true_effect
from aichain_utils.report.tables import Column, RenderedTable, coefficient_plot, render_table

__all__ = [
    "Table4",
    "Table5",
    "iv1_loss_sentence",
    "iv_side_word",
    "lag_losses",
    "mechanical_balance",
    "psm_mechanical_sentence",
    "published_kp_r2",
    "segments_sentence",
    "table4",
    "table5",
    "tables4_5_partial",
    "tf_f_196",
]

#: The 2SLS columns of Table 4 with instruments valid in the simulated world (IV2, IV3, IV4).
EXTERNAL_IV_COLUMNS = [2, 3, 4]
#: The segment-outcome columns of Table 5 (ELRI front, middle, back).
SEGMENT_COLUMNS = [2, 3, 4]
#: Two coefficients closer than this are the same number (ERL is the mean of its segments, equation 9).
SAME_COEFFICIENT = 5e-7
#: The Monte Carlo estimators whose bias the chapter quotes.
MONTE_CARLO_ESTIMATORS = ["FE", "FD", "IV1", "IV2", "IV3", "IV4"]


def tf_f_196() -> float:
    """The first-stage F from which the tF critical value is 1.96 (the last row of Lee et al.'s 2022 Table 3)."""
    return float(TF_SQRT_F_GRID[int(TF_CRITICAL_05.tolist().index(1.96))] ** 2)


def published_kp_r2(column: int) -> float:
    """The lower bound F / (F + N) on the instrument's partial R² that Table 4's printed KP Wald F implies."""
    cell = published_cell(4, column)
    return float(cell["kp_wald"] / (cell["kp_wald"] + cell["n"]))


def iv_side_word(iv_coefs: pd.Series, fe: float) -> Bilingual:
    """Where the 2SLS estimates lie relative to the fixed-effects one: "below", "above" or "on both sides of"
    (均低于, 均高于, 有的高于、有的低于)."""
    if (iv_coefs < fe).all():
        return Bilingual("below", "均低于")
    if (iv_coefs > fe).all():
        return Bilingual("above", "均高于")
    return Bilingual("on both sides of", "有的高于、有的低于")


def lag_losses(data: pd.DataFrame) -> tuple[int, int]:
    """Rows without a one-year lag of AIE (Table 4 column 1): a unit's first year, and a year after a gap."""
    prev_year = data.groupby("unit_id")["year"].shift(1)
    return int(prev_year.isna().sum()), int((prev_year.notna() & (prev_year != data["year"] - 1)).sum())


def iv1_loss_sentence(n_first: int, n_gap: int) -> Bilingual:
    """Why IV1's sample is smaller than the panel, in words (the gap clause only when there are gaps)."""
    gap = f" or in a year that follows a gap in the unit's years ({n_gap:,} rows)" if n_gap else ""
    gap_zh = f"，或在该个体年份序列中断之后的一年也不存在（{n_gap:,} 行）" if n_gap else ""
    return Bilingual(
        f"the lag does not exist in a unit's first year ({n_first:,} rows)" + gap,
        f"滞后值在每个个体的第一年不存在（{n_first:,} 行）" + gap_zh,
    )


def segments_sentence(segment_mean: float, t3_main: float) -> Bilingual:
    """Whether the mean of the three segment coefficients is Table 3's column (6), as equation (9) implies."""
    if abs(segment_mean - t3_main) < SAME_COEFFICIENT:
        return Bilingual("exactly column (6) of Table 3", "恰好等于表 3 第（6）列")
    return Bilingual(
        f"while column (6) of Table 3 is {t3_main:.3f}: in the file of this build ERL is not the mean of its three "
        "segments on these rows, so the identity does not apply",
        f"而表 3 第（6）列为 {t3_main:.3f}：在本次构建的文件中，这些行上的 ERL 并非其三个环节的均值，"
        "因此该恒等式不适用",
    )


def mechanical_balance(data: pd.DataFrame, match: matching.MatchResult) -> tuple[bool, float, int]:
    """Is the balance after matching mechanical?

    Returns
    -------
    tuple
        Whether the controls are constant within every industry-year; the share of matched treated
        unit-years whose industry-year has a control (at distance zero); the number of matched treated rows.
    """
    constant = int(data.groupby(["industry_id", "year"])[CONTROLS].nunique().max().max()) == 1
    m = match.data
    own = m.groupby(["industry_id", "year"])["treated"].transform(lambda t: bool((t == 0).any()))
    matched = m[(m["treated"] == 1) & (m["weight"] > 0)]
    share = float(own[matched.index].mean()) if len(matched) else float("nan")
    return constant, share, len(matched)


def psm_mechanical_sentence(constant: bool, share_own: float, n_matched: int) -> Bilingual:
    """What the balance of the matching says, given :func:`mechanical_balance`."""
    if not (constant and n_matched):
        return Bilingual(
            "On these data the controls vary within industry-years, so the balance is the matching's doing.",
            "在这些数据上，控制变量在行业—年份内有所变化，因此平衡是匹配的结果。",
        )
    return Bilingual(
        "That balance is mechanical, not an achievement of the matching: on these data the five controls are "
        "constant within each industry-year (every unit of an industry has the same values in a year), so the "
        "propensity score, a function of the controls and the year, is the same for every unit of an "
        f"industry-year; {share_own:.0%} of the matched treated unit-years have controls "
        "of their own industry-year at distance zero, whose controls equal their own. Matching is exact by "
        "construction, and the balance says nothing about covariates that vary between the units of an industry.",
        "这种平衡是机械的，并非匹配的成果：在这些数据上，五个控制变量在每个行业—年份内都是常数（同一行业的每个个体"
        "在同一年取值相同），因此作为控制变量和年份的函数的倾向得分，对同一行业—年份的每个个体都相同；"
        f"匹配后的处理组个体—年份中有 {share_own:.0%} 在距离为零处有来自其本行业—年份的对照，其控制变量与自身相同。"
        "匹配在构造上就是精确的，而这种平衡对于在同一行业的个体之间变化的协变量什么也说明不了。",
    )


def _column_numbers(row: pd.Series) -> dict:
    out = {"coef": float(row["coef"]), "se": float(row["se"]), "n": int(row["n"])}
    if row["published_coef"] is not None and pd.notna(row["published_coef"]):
        out.update(
            published_coef=float(row["published_coef"]),
            published_se=float(row["published_se"]),
            published_n=int(row["published_n"]),
        )
    return out


@dataclass
class _Rendered(Results):
    """A rendered table of the endogeneity chapter: its columns, the rendered table and the ledger's verdicts."""

    panel: object
    columns: list[Column]
    table: RenderedTable

    def column(self, number: int) -> pd.Series:
        """The rendered row of column ``number``."""
        return self.table.tidy.set_index("column").loc[number]

    def fit(self, number: int) -> Estimate:
        """The estimate of column ``number``."""
        return next(c for c in self.columns if c.number == number).estimate

    def verdict_line(self) -> str:
        """The ledger's verdict line on the table's published coefficients (HTML)."""
        return ledger.verdict_line(ledger.ledger_for_tables({self.table.table: self.columns}, self.panel))

    def _columns_tree(self) -> dict:
        return {f"c{c.number}": _column_numbers(self.column(c.number)) for c in self.columns}


@dataclass
class Table4(_Rendered):
    """Table 4 (2SLS with IV1-IV4 and first differences) and what the chapter says about it.

    Attributes
    ----------
    fe : Estimate
        Equation (1) by two-way fixed effects (Table 3 column 6), the estimate the instruments are read against.
    truth : float or None
        The simulated world's effect of AIE on ERL (None on a user's data).
    """

    prefix: ClassVar[str] = "t4"
    fe: Estimate
    truth: float | None

    def coefficient_plot(self):
        """The five columns, replicated and published, with the simulated truth where there is one."""
        return coefficient_plot(self.table, truth=self.truth, title="Table 4: 2SLS with IV1-IV4 and first differences")

    def _truth_numbers(self, iv_side: pd.Series) -> tuple[dict, dict[str, str]]:
        keys = ("truth", "fe_bias", "fe_bias_in_se", "iv_gap_max")
        if self.truth is None:
            return dict.fromkeys(keys), dict.fromkeys(keys, NOT_SIMULATED)
        values = (
            self.truth,
            float(self.fe.coef - self.truth),
            float((self.fe.coef - self.truth) / self.fe.se),
            float((iv_side - self.truth).abs().max()),
        )
        return dict(zip(keys, values, strict=True)), {}

    def numbers(self) -> Numbers:
        """Every number, word and sentence the chapter cites about Table 4 (keys ``t4_*``)."""
        from aichain_utils.simulation import simulate

        tree = self._columns_tree()
        iv_side = self.table.tidy.set_index("column").loc[EXTERNAL_IV_COLUMNS, "coef"]
        tree.update(iv_min=float(iv_side.min()), iv_max=float(iv_side.max()))
        tree.update(fe_coef=float(self.fe.coef), iv_vs_fe=iv_side_word(iv_side, self.fe.coef))
        tree["c1"]["loss"] = iv1_loss_sentence(*lag_losses(self.panel.data))
        for number in (3, 4):
            tree[f"c{number}"]["published_kp_r2"] = published_kp_r2(number)
        tree.update(stock_yogo_10pct=replication.STOCK_YOGO_10PCT, tf_f_196=tf_f_196())
        truth, reasons = self._truth_numbers(iv_side)
        tree.update(truth)
        tree["feedback_base"] = labtext.feedback_sentences(simulate.load_params())["base"]
        mc, _, current = lab.load_monte_carlo()
        summary = lab.monte_carlo_summary(mc)
        verdicts = lab.monte_carlo_verdicts(summary)
        tree["mc_bias_clauses"] = labtext.bias_clauses(verdicts, summary, MONTE_CARLO_ESTIMATORS, current)
        return Numbers(self.prefix, tree, reasons)


@dataclass
class Table5(_Rendered):
    """Table 5 (seven robustness checks) and the propensity-score matching behind its column (7).

    Attributes
    ----------
    fe : Estimate
        Equation (1) by two-way fixed effects (Table 3 column 6), which the segment columns must average to.
    match : MatchResult
        The propensity-score matching (:func:`aichain_utils.replication.matching.match_on_propensity`).
    """

    prefix: ClassVar[str] = "endo_t5"
    fe: Estimate
    match: matching.MatchResult

    @property
    def balance(self) -> pd.DataFrame:
        """Covariate balance before and after matching (:func:`aichain_utils.replication.matching.balance_table`)."""
        return matching.balance_table(self.match)

    def coefficient_plot(self):
        """The seven checks' coefficients, replicated and published."""
        title = "Table 5: robustness checks (columns use different outcomes and regressors)"
        return coefficient_plot(self.table, title=title)

    def common_support_plot(self):
        """The logit propensity scores of treated and control unit-years, before and after matching."""
        return matching.plot_common_support(self.match)

    def numbers(self) -> Numbers:
        """Every number and sentence the chapter cites about Table 5 and the matching (keys ``endo_t5_*``)."""
        tree = self._columns_tree()
        by_col = self.table.tidy.set_index("column")
        segment_mean = float(by_col.loc[SEGMENT_COLUMNS, "coef"].mean())
        tree["segments"] = {
            "mean": segment_mean,
            "published_mean": float(by_col.loc[SEGMENT_COLUMNS, "published_coef"].mean()),
            "vs_t3": segments_sentence(segment_mean, float(self.fe.coef)),
        }
        bal = self.balance
        tree["psm"] = {
            "smd_before": float(bal["SMD before"].abs().max()),
            "smd_after": float(bal["SMD after"].abs().max()),
            "caliper": float(self.match.caliper),
            "mechanical": psm_mechanical_sentence(*mechanical_balance(self.panel.data, self.match)),
        }
        return Numbers(self.prefix, tree)


def table4(panel, save: bool = False) -> Table4:
    """Table 4 (2SLS with IV1-IV4, first differences) on ``panel``, with what the endogeneity chapter cites.

    Parameters
    ----------
    panel : AnalysisPanel
        The panel of the build; it must be able to build Table 4 (the chapter asks ``%%when_available``).
    save : bool
        Also write ``table4.csv`` and ``table4.tex`` to ``_build/tables``.
    """
    cols = replication.table4_columns(panel.data)
    table = render_table(4, cols)
    if save:
        table.save()
    return Table4(panel, cols, table, models.fit_two_way_fe(panel.data), true_effect(panel))


def table5(panel, save: bool = False) -> Table5:
    """Table 5 (robustness checks) and its propensity-score matching on ``panel``.

    Parameters
    ----------
    panel : AnalysisPanel
        The panel of the build; it must be able to build Table 5.
    save : bool
        Also write ``table5.csv`` and ``table5.tex`` to ``_build/tables``.
    """
    cols = replication.table5_columns(panel.data)
    table = render_table(5, cols)
    if save:
        table.save()
    fe = models.fit_two_way_fe(panel.data)
    return Table5(panel, cols, table, fe, matching.match_on_propensity(panel.data))


def tables4_5_partial(panel):
    """What the chapter shows of Tables 4 and 5 when the data cannot build both: the columns they can
    (:func:`aichain_utils.replication.columns.partial_view`; empty HTML when both are built)."""
    return replication.partial_view(panel, [4, 5])
