"""Table 6, the mediation chains of FSIE and ITSE (equations 2-5): what the mechanisms chapter shows and cites.

:func:`table6` estimates the printed first legs with the omitted outcome equations
(:func:`aichain_utils.replication.columns.table6_columns`, a unit-cluster bootstrap of the indirect effect),
and names each chain's numbers by its mediator: ``t6_fsie_a``, ``t6_fsie_b``, ``t6_fsie_indirect``, ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from aichain_utils.replication import columns as replication
from aichain_utils.replication import ledger
from aichain_utils.replication.mediation import MediationResult
from aichain_utils.replication.numbers import NOT_SIMULATED, Numbers, Results, true_effect
from aichain_utils.report.tables import Column, RenderedTable, coefficient_plot, render_table

__all__ = ["BOOTSTRAP_REPS", "Table6", "chain_numbers", "table6", "table6_partial"]

#: Bootstrap draws of the indirect effect in the book.
BOOTSTRAP_REPS = 999


def chain_numbers(r: MediationResult) -> dict:
    """One mediation chain's numbers: both legs, the direct and total effects, the indirect effect with its
    Sobel SE, the share mediated (also in percent) and the gap of the identity ``c = c' + a b``."""
    return {
        "a": float(r.first_stage.coef),
        "a_se": float(r.first_stage.se),
        "b": float(r.second_stage_b.coef),
        "b_se": float(r.second_stage_b.se),
        "direct": float(r.direct.coef),
        "total": float(r.total.coef),
        "indirect": float(r.indirect),
        "sobel_se": float(r.sobel_se),
        "share": float(r.share_mediated),
        "share_pct": 100 * r.share_mediated,
        "decomposition_gap": abs(r.total.coef - r.direct.coef - r.indirect),
    }


@dataclass
class Table6(Results):
    """Table 6 on the panel of the build: the three first legs, the full chains behind them, and what the
    chapter cites.

    Attributes
    ----------
    panel : AnalysisPanel
    columns : list of Column
        :func:`aichain_utils.replication.columns.table6_columns`; each column's ``detail`` is its
        :class:`aichain_utils.replication.mediation.MediationResult`.
    table : RenderedTable
    bootstrap_reps : int
    """

    prefix: ClassVar[str] = "t6"
    panel: object
    columns: list[Column]
    table: RenderedTable
    bootstrap_reps: int

    @property
    def chains(self) -> dict[str, MediationResult]:
        """Mediator name -> its bootstrapped mediation result, in the table's order."""
        return {c.detail.mediator: c.detail for c in self.columns}

    def chain_table(self) -> pd.DataFrame:
        """The full chain of each mediator, one row each (:meth:`MediationResult.summary`)."""
        return pd.DataFrame([r.summary() for r in self.chains.values()])

    def verdict_line(self) -> str:
        """The ledger's verdict line on Table 6's published coefficients (HTML)."""
        return ledger.verdict_line(ledger.ledger_for_tables({6: self.columns}, self.panel))

    def coefficient_plot(self):
        """The three first legs, replicated and published."""
        return coefficient_plot(self.table, title="Table 6: effect of AIE on each mediator (first leg a)")

    def numbers(self) -> Numbers:
        """Every number of the mechanisms chapter (keys ``t6_*``): per mediator (``fsie``, ``itse_forward``,
        ``itse_backward``) :func:`chain_numbers`; per column the published N; the summed share; the truth."""
        tree: dict = {m.lower(): chain_numbers(r) for m, r in self.chains.items()}
        tidy = self.table.tidy.set_index("column")
        for c in self.columns:
            tree[f"c{c.number}"] = {"published_n": int(tidy.loc[c.number, "published_n"])}
        tree["share_sum_pct"] = 100 * sum(r.share_mediated for r in self.chains.values())
        tree["bootstrap_reps"] = self.bootstrap_reps
        reasons = {}
        truth = true_effect(self.panel, "fsie_on_erl")
        tree["fsie"]["true_b"] = truth
        if truth is None:
            reasons["fsie.true_b"] = NOT_SIMULATED
        return Numbers(self.prefix, tree, reasons)


def table6(panel, bootstrap_reps: int = BOOTSTRAP_REPS, save: bool = False) -> Table6:
    """Table 6 (the mediation chains of FSIE and forward and backward ITSE) on ``panel``.

    Parameters
    ----------
    panel : AnalysisPanel
        The panel of the build; it must be able to build Table 6 (the chapter asks ``%%when_available``).
    bootstrap_reps : int
        Unit-cluster bootstrap draws of each indirect effect (seeded).
    save : bool
        Also write ``table6.csv`` and ``table6.tex`` to ``_build/tables``.
    """
    cols = replication.table6_columns(panel.data, bootstrap_reps=bootstrap_reps)
    table = render_table(6, cols)
    if save:
        table.save()
    return Table6(panel, cols, table, bootstrap_reps)


def table6_partial(panel, bootstrap_reps: int = BOOTSTRAP_REPS):
    """What the chapter shows of Table 6 when the data cannot build all of it: the columns they can
    (:func:`aichain_utils.replication.columns.partial_view`; empty HTML when the table is built)."""
    return replication.partial_view(panel, [6], bootstrap_reps=bootstrap_reps)
