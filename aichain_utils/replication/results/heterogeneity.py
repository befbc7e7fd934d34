"""Results objects of the heterogeneity chapter: Tables 7, 8 and 9 and their groups against the truth.

``t7, t8, t9 = results.heterogeneity_tables(panel)`` estimates the three tables of subsample regressions
(equation (1) by industry type, chain position, region and technology level), renders them beside the
published ones and holds every number the chapter cites; ``het = results.heterogeneity_truth(panel, t7,
t8, t9)`` sets each group's estimate beside the simulated world's true group effect. :class:`TableResults`
is the shared base of a rendered regression table (also used by Table 10).
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

from aichain_utils.replication import columns as replication
from aichain_utils.replication import ledger
from aichain_utils.replication.numbers import NOT_SIMULATED, Bilingual, Numbers, Results
from aichain_utils.report import tables
from aichain_utils.report.tables import Column, RenderedTable

__all__ = [
    "GroupTable",
    "HeterogeneityTruth",
    "Table7",
    "Table8",
    "Table9",
    "TableResults",
    "heterogeneity_partial",
    "heterogeneity_tables",
    "heterogeneity_truth",
]

#: Why a published number of a column is None: the paper prints no such column.
NOT_PUBLISHED = "the paper prints no such column"
#: The gap (in standard errors) of the groups' estimates from their truth, read as a shared bias when more
#: than this share of the groups lies above its truth.
SHARED_BIAS_SHARE = 0.75
_COLUMN_STATS = ("coef", "se", "p", "n")
_PUBLISHED_STATS = ("coef", "se", "n")


class TableResults(Results):
    """A replicated regression table of the paper, rendered beside the published one.

    Attributes
    ----------
    panel : AnalysisPanel
        The data of the build.
    columns : list of Column
        The replicated columns (:mod:`aichain_utils.replication.columns`).
    table : RenderedTable
        The columns joined with the published ones (:func:`aichain_utils.report.tables.render_table`).
    verdicts : DataFrame
        The ledger rows of this table (:func:`aichain_utils.replication.ledger.ledger_for_tables`).
    """

    number: ClassVar[int] = 0
    title: ClassVar[str] = ""

    def __init__(self, panel, columns: list[Column], verdicts: pd.DataFrame):
        self.panel = panel
        self.columns = columns
        self.table: RenderedTable = tables.render_table(self.number, columns)
        self.verdicts = verdicts

    @property
    def tidy(self) -> pd.DataFrame:
        """One row per column, indexed by the printed column number."""
        return self.table.tidy.set_index("column")

    def column_numbers(self) -> tuple[dict, dict]:
        """Each column's coefficient, SE, p, N and published coefficient, SE and N (``c1.coef``,
        ``c1.published_n``), with the reason of each published number the paper does not print."""
        tree, reasons = {}, {}
        for number, row in self.tidy.iterrows():
            col = {s: row[s] for s in _COLUMN_STATS}
            col["n"] = int(col["n"])
            for s in _PUBLISHED_STATS:
                value = row[f"published_{s}"]
                col[f"published_{s}"] = None if pd.isna(value) else (int(value) if s == "n" else float(value))
                if col[f"published_{s}"] is None:
                    reasons[f"c{number}.published_{s}"] = NOT_PUBLISHED
            tree[f"c{number}"] = col
        return tree, reasons

    def numbers(self) -> Numbers:
        """The columns' numbers (see :meth:`column_numbers`)."""
        tree, reasons = self.column_numbers()
        return Numbers(self.prefix, tree, reasons)

    def verdict_line(self) -> str:
        """The HTML line of verdicts on the published coefficients (:func:`ledger.verdict_line`)."""
        return ledger.verdict_line(self.verdicts)

    def coefficient_plot(self):
        """The replicated and published coefficients of each column (:func:`tables.coefficient_plot`)."""
        return tables.coefficient_plot(self.table, title=self.title)


class GroupTable(TableResults):
    """Tables 7-9: equation (1) estimated group by group, with the suest test of equal coefficients."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.title = f"Table {cls.number}: AIE coefficient by group"


class Table7(GroupTable):
    """Table 7, industry type: the "overall" column pools the three types (not the full sample)."""

    prefix = "t7"
    number = 7

    def numbers(self) -> Numbers:
        """The columns, and the full sample's N (``t7_n_full``) that the "overall" column is not."""
        tree, reasons = self.column_numbers()
        return Numbers(self.prefix, {**tree, "n_full": len(self.panel.data)}, reasons)


class Table8(GroupTable):
    """Table 8, chain position: whole industries, so the three positions' Ns add up (``t8_n_sum``)."""

    prefix = "t8"
    number = 8

    def numbers(self) -> Numbers:
        """The columns and the sum of their Ns."""
        tree, reasons = self.column_numbers()
        return Numbers(self.prefix, {**tree, "n_sum": int(self.tidy["n"].sum())}, reasons)


class Table9(GroupTable):
    """Table 9, factor-market-developed regions (columns 1-2) and technology level (columns 3-4)."""

    prefix = "t9"
    number = 9

    def region_rule(self) -> tuple[Bilingual, int, int]:
        """How the region split was formed on these data, with the developed and all provinces counted.

        The book forms it (the top 30% of provinces by the factor-market index) unless the file labels
        each unit-year itself.
        """
        d, found = self.panel.data, getattr(self.panel, "found", {}) or {}
        n_prov_dev = int(d.loc[d["region"] == "developed", "province_id"].nunique())
        n_prov = int(d["province_id"].nunique())
        formed = found.get("region") is None or found["region"].status == "computed"
        if formed and n_prov:
            rule = Bilingual(
                f"the top 30% of provinces by the factor-market index ({n_prov_dev} of {n_prov}); every unit "
                "belongs to one province",
                f"按要素市场指数排名前 30% 的省份（{n_prov} 个中的 {n_prov_dev} 个）；每个个体属于一个省份",
            )
        else:
            rule = Bilingual(
                "as the file labels each unit-year (developed or other); the book does not form the split from "
                "provinces here",
                "按文件对每个个体—年份的标注（发达或其他）；此处本书不以省份划分",
            )
        return rule, n_prov_dev, n_prov

    def numbers(self) -> Numbers:
        """The columns, the technology columns' published Ns added (``t9_tech_published_n_sum``) and the
        region rule (``t9_region_rule``, ``t9_n_prov_dev``, ``t9_n_prov``)."""
        tree, reasons = self.column_numbers()
        rule, n_prov_dev, n_prov = self.region_rule()
        tech = int(self.tidy.loc[[3, 4], "published_n"].sum())
        extra = {"tech_published_n_sum": tech, "region_rule": rule, "n_prov_dev": n_prov_dev, "n_prov": n_prov}
        return Numbers(self.prefix, {**tree, **extra}, reasons)


def heterogeneity_tables(panel, save: bool = True) -> tuple[Table7, Table8, Table9]:
    """Tables 7, 8 and 9 on the panel, rendered, with their ledger verdicts (one ledger for the three).

    Parameters
    ----------
    panel : AnalysisPanel
        The data of the build (it must build Tables 7-9: the chapter calls this under
        ``%%when_available Tables 7, 8, 9``).
    save : bool
        Write each rendered table to ``_build/tables`` (:meth:`RenderedTable.save`), as the book does.
    """
    cols = {
        7: replication.table7_columns(panel.data),
        8: replication.table8_columns(panel.data),
        9: replication.table9_columns(panel.data),
    }
    verdicts = ledger.ledger_for_tables(cols, panel)
    out = []
    for cls in (Table7, Table8, Table9):
        rows = verdicts[verdicts["table"] == cls.number]
        rows.attrs.update(verdicts.attrs)
        out.append(cls(panel, cols[cls.number], rows))
        if save:
            out[-1].table.save()
    return tuple(out)


def heterogeneity_partial(panel):
    """What the chapter shows of Tables 7-9 when the data cannot build all three (empty HTML otherwise;
    :func:`aichain_utils.replication.columns.partial_view`)."""
    return replication.partial_view(panel, [7, 8, 9])


class HeterogeneityTruth(Results):
    """Simulated data only: each group's estimate of Tables 7-9 beside the true average effect of its group.

    Attributes
    ----------
    groups : DataFrame or None
        :func:`aichain_utils.replication.columns.true_group_effects`; None on a user's data.
    """

    prefix = "het"

    def __init__(self, groups: pd.DataFrame | None):
        self.groups = groups

    def truth_table(self) -> pd.DataFrame:
        """The groups against their truth, or a one-cell note on a user's data."""
        if self.groups is None:
            return pd.DataFrame({"note": ["not simulated data: no known truth"]})
        return self.groups

    def gap_reading(self) -> Bilingual:
        """Why the estimates lie where they do: a shared upward bias (more than three quarters of the groups
        above their truth) or sampling error (gaps of both signs)."""
        if (self.groups["gap in SEs"] > 0).mean() > SHARED_BIAS_SHARE:
            return Bilingual(
                "the groups inherit the upward bias the fixed-effects estimator has in the calibrated world "
                "(the reverse feedback of ERL shocks into AI embedding; see the baseline chapter)",
                "各组承袭了固定效应估计量在校准世界中的向上偏误"
                "（ERL 冲击对人工智能嵌入程度的反向反馈；见基准回归一章）",
            )
        return Bilingual("the gaps have both signs, as sampling error would give", "差距有正有负，正如抽样误差所致")

    def numbers(self) -> Numbers:
        """Groups compared, above their truth, the range of the gaps and those within two SEs (``het_*``);
        None with its reason on a user's data."""
        keys = ("n_groups", "n_above", "min_gap", "max_gap", "n_within2", "gap_reading")
        if self.groups is None:
            return Numbers(self.prefix, dict.fromkeys(keys), {k: NOT_SIMULATED for k in keys})
        g = self.groups
        gap = g["gap in SEs"]
        tree = {
            "n_groups": len(g),
            "n_above": int((g["estimate"] > g["true average effect"]).sum()),
            "min_gap": float(gap.min()),
            "max_gap": float(gap.max()),
            "n_within2": int((gap.abs() <= 2).sum()),
            "gap_reading": self.gap_reading(),
        }
        return Numbers(self.prefix, tree)


def heterogeneity_truth(panel, t7: Table7, t8: Table8, t9: Table9) -> HeterogeneityTruth:
    """The true group effects of the simulated world beside the estimates of Tables 7-9 (None on a user's data)."""
    if panel.source is None or not panel.source.is_simulated:
        return HeterogeneityTruth(None)
    from aichain_utils.simulation import simulate

    rendered = {t.number: t.table for t in (t7, t8, t9)}
    return HeterogeneityTruth(replication.true_group_effects(rendered, panel.data, simulate.simulate_panel().truth))
