"""The framework chapter's results object: its counts and published estimates are the record's."""

from __future__ import annotations

from aichain_utils.inputs import published
from aichain_utils.replication import framework, results


def test_framework_numbers_are_the_record():
    fw = results.model_framework()
    n = fw.numbers()
    cells = published.load_regression_cells().set_index(["table", "column"])
    assert n.t3.fe_coef == cells.loc[(3, 6), "coef"] and n.t3.fe_se == cells.loc[(3, 6), "se"]
    assert (n.t6.fsie_coef, n.t6.forward_coef, n.t6.backward_coef) == tuple(
        cells.loc[(6, c), "coef"] for c in (1, 2, 3)
    )
    assert n.t7.labour_coef == cells.loc[(7, 2), "coef"] < 0  # the only negative one, as the page says
    assert n.n_hypotheses == len(framework.hypothesis_map())
    assert (n.n_mechanisms, n.n_pathways) == (len(framework.MECHANISMS), len(framework.PATHWAYS))
    assert n.n_obs == published.load_table2().set_index("symbol").loc["ERL", "n"]
    assert n.n_indicators == len(published.load_table1())
    assert "fw_t6_forward_coef" in n.flat()


def test_framework_tables_split_the_hypothesis_map():
    fw = results.model_framework()
    assert list(fw.hypotheses_table().columns) == ["hypothesis", "statement", "假设"]
    code = fw.hypothesis_code_table()
    assert "statement" not in code and "假设" not in code and "status" in code
    assert len(code) == len(fw.hypotheses_table()) == len(framework.hypothesis_map())
