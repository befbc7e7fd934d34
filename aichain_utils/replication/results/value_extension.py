"""Results object of the value-extension chapter: Table 10 (AIE on the length LCV and width WCV of value
extension, equations (16)-(18)).

``t10 = results.table10(panel)`` estimates the four columns, renders them beside the published ones, and
holds every number the chapter cites: the columns (``t10_c2_coef``), the outcomes' standard deviations,
the standardised effects and the verdict on the paper's "length first, width lagging" (长度优先、宽度滞后)
in standard-deviation units and as the claims table judges it.
"""

from __future__ import annotations

from aichain_utils.replication import claims, ledger
from aichain_utils.replication import columns as replication
from aichain_utils.replication.numbers import NOT_SIMULATED, Bilingual, Numbers, true_effect
from aichain_utils.replication.results.heterogeneity import TableResults

__all__ = ["CLAIM", "Table10", "standardised_words", "table10", "value_extension_partial"]

#: The claim of the claims table that Table 10 decides (column (2) above column (4), both positive, significant).
CLAIM = "T10-length-first"
_CLAIM_WORDS = {"yes": Bilingual("supports", "支持"), "no": Bilingual("does not support", "不支持")}


def standardised_words(std_lcv: float, std_wcv: float, raw_lcv: float, raw_wcv: float) -> dict[str, str]:
    """The verdict and the exercise's sentence on "length first, width lagging" in standard-deviation units.

    Parameters
    ----------
    std_lcv, std_wcv : float
        Standardised effects of AIE on LCV and WCV (Table 10 columns (2) and (4) times SD(AIE) / SD(outcome)).
    raw_lcv, raw_wcv : float
        The raw coefficients of columns (2) and (4).

    Returns
    -------
    dict
        ``verdict`` ("keeps the paper's ordering" or "reverses the paper's ordering") and ``solution``.
    """
    keeps = std_lcv > std_wcv
    solution = Bilingual(
        f"As raw coefficients, length's is {'larger' if raw_lcv > raw_wcv else 'smaller'} than width's; in "
        f"standard-deviation units length's effect is {std_lcv / std_wcv:.1f} times width's, so the paper's "
        f"reading that width lags length {'survives' if keeps else 'does not survive'} the change of units on "
        "the data of this build.",
        f"按原始系数，长度的系数{'大于' if raw_lcv > raw_wcv else '小于'}宽度的系数；按标准差单位，长度的效应是宽度的 "
        f"{std_lcv / std_wcv:.1f} 倍，因此在本次构建的数据上，论文关于宽度落后于长度的解读"
        f"{'经受住了' if keeps else '经受不住'}单位的改变。",
    )
    verdict = (
        Bilingual("keeps the paper's ordering", "保持了论文的排序")
        if keeps
        else Bilingual("reverses the paper's ordering", "颠倒了论文的排序")
    )
    return {"verdict": verdict, "solution": solution}


class Table10(TableResults):
    """Table 10: AIE on LCV (columns 1-2) and WCV (columns 3-4), without and with the controls."""

    prefix = "t10"
    number = 10
    title = "Table 10: AIE and the length and width of value extension"

    def claim(self):
        """The claims table's row on "length first, width lagging", judged on this build's Table 10."""
        return claims.evaluate_claims({10: self.table.tidy}).set_index("id").loc[CLAIM]

    def standardised(self) -> dict[str, float]:
        """The standardised effects (SDs of the outcome per SD of AIE) of columns (2) and (4), and the SDs."""
        d, r = self.panel.data, self.tidy
        sd_aie, sd_lcv, sd_wcv = float(d["AIE"].std()), float(d["LCV"].std()), float(d["WCV"].std())
        return {
            "sd_lcv": sd_lcv,
            "sd_wcv": sd_wcv,
            "std_lcv": float(r.loc[2, "coef"] * sd_aie / sd_lcv),
            "std_wcv": float(r.loc[4, "coef"] * sd_aie / sd_wcv),
        }

    def numbers(self) -> Numbers:
        """The columns, the SDs and standardised effects (``t10_std_lcv``), their ratio and verdict, the
        claims table's word and detail (``t10_claim_word``), and the simulated true effects."""
        tree, reasons = self.column_numbers()
        std = self.standardised()
        words = standardised_words(std["std_lcv"], std["std_wcv"], tree["c2"]["coef"], tree["c4"]["coef"])
        claim = self.claim()
        tree.update(std)
        tree.update(
            std_ratio=std["std_lcv"] / std["std_wcv"],
            std_verdict=words["verdict"],
            std_solution=words["solution"],
            claim_word=_CLAIM_WORDS.get(claim["replicated supports"], Bilingual("cannot judge", "无法判断")),
            claim_detail=claim["replicated detail"],
            true_lcv=true_effect(self.panel, "aie_on_lcv"),
            true_wcv=true_effect(self.panel, "aie_on_wcv"),
        )
        if tree["true_lcv"] is None:
            reasons.update({"true_lcv": NOT_SIMULATED, "true_wcv": NOT_SIMULATED})
        return Numbers(self.prefix, tree, reasons)


def table10(panel, save: bool = True) -> Table10:
    """Table 10 on the panel, rendered beside the published one, with its ledger verdicts.

    Parameters
    ----------
    panel : AnalysisPanel
        The data of the build (it must build Table 10: the chapter calls this under ``%%when_available
        Table 10``).
    save : bool
        Write the rendered table to ``_build/tables`` (:meth:`RenderedTable.save`), as the book does.
    """
    cols = replication.table10_columns(panel.data)
    t10 = Table10(panel, cols, ledger.ledger_for_tables({10: cols}, panel))
    if save:
        t10.table.save()
    return t10


def value_extension_partial(panel):
    """What the chapter shows of Table 10 when the data cannot build all of it (empty HTML otherwise;
    :func:`aichain_utils.replication.columns.partial_view`)."""
    return replication.partial_view(panel, [10])
