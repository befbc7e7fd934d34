"""Results object of the framework chapter: the two papers' model as counts, tables and published legs.

``chapters/framework.md`` estimates nothing. It counts Mou's mechanisms and pathways and the paper's
hypotheses, and cites the published estimates the framework must explain (Table 3 column 6, the first legs
of Table 6, Table 7's labour-intensive column). :func:`model_framework` (prefix ``fw``) holds them.
"""

from __future__ import annotations

import pandas as pd

from aichain_utils.inputs import published
from aichain_utils.replication import framework
from aichain_utils.replication.numbers import Numbers, Results

__all__ = ["Framework", "model_framework"]


class Framework(Results):
    """The framework chapter's numbers and tables.

    Attributes
    ----------
    hypotheses : DataFrame
        :func:`~aichain_utils.replication.framework.hypothesis_map`.
    """

    prefix = "fw"

    def __init__(self):
        self.hypotheses = framework.hypothesis_map()

    def hypotheses_table(self) -> pd.DataFrame:
        """The hypotheses in English and in the original Chinese."""
        return self.hypotheses[["hypothesis", "statement", "假设"]]

    def hypothesis_code_table(self) -> pd.DataFrame:
        """From hypothesis to code: equation, published table, chapter, function and its status."""
        return self.hypotheses.drop(columns=["statement", "假设"])

    def numbers(self) -> Numbers:
        """The counts of the model and the published estimates the chapter cites.

        ``t3.fe_coef``/``fe_se``: Table 3 column 6 (two-way fixed effects with controls); ``t6``: the first
        legs AIE -> FSIE, forward and backward ITSE (Table 6 columns 1-3); ``t7.labour_coef``: Table 7
        column 2 (labour-intensive industries). ``n_obs`` is Table 2's N of ERL.
        """
        cells = published.load_regression_cells().set_index(["table", "column"])
        table2 = published.load_table2().set_index("symbol")
        return Numbers(
            self.prefix,
            {
                "n_hypotheses": len(self.hypotheses),
                "n_mechanisms": len(framework.MECHANISMS),
                "n_pathways": len(framework.PATHWAYS),
                "n_obs": int(table2.loc["ERL", "n"]),
                "n_indicators": len(published.load_table1()),
                "t3": {"fe_coef": float(cells.loc[(3, 6), "coef"]), "fe_se": float(cells.loc[(3, 6), "se"])},
                "t6": {
                    "fsie_coef": float(cells.loc[(6, 1), "coef"]),
                    "forward_coef": float(cells.loc[(6, 2), "coef"]),
                    "backward_coef": float(cells.loc[(6, 3), "coef"]),
                },
                "t7": {"labour_coef": float(cells.loc[(7, 2), "coef"])},
            },
        )


def model_framework() -> Framework:
    """The framework chapter's results (see :class:`Framework`); the chapter estimates nothing."""
    return Framework()
