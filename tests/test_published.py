"""Schema, completeness and content tests of the published tables (data/published/)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from aichain_utils.inputs import published as pub

# ---------------------------------------------------------------- completeness


def test_every_regression_table_and_column_is_present():
    cells = pub.load_regression_cells()
    for table, n_cols in pub.TABLE_COLUMNS.items():
        cols = cells.loc[cells["table"] == table, "column"].tolist()
        assert cols == list(range(1, n_cols + 1)), f"Table {table}: columns {cols}"
    assert len(cells) == sum(pub.TABLE_COLUMNS.values()) == 38


def test_tables_meta_lists_tables_1_to_10_with_column_counts():
    meta = pub.load_tables_meta().set_index("table")
    assert meta.index.tolist() == list(range(1, 11))
    for table, n_cols in pub.TABLE_COLUMNS.items():
        assert meta.loc[table, "n_columns"] == n_cols


def test_table1_has_24_indicators_in_6_dimensions_of_4():
    t1 = pub.load_table1()
    assert len(t1) == 24
    assert t1["position"].tolist() == list(range(1, 25))
    sizes = t1.groupby("dimension_id").size()
    assert sizes.index.tolist() == [f"D{i}" for i in range(1, 7)]
    assert (sizes == 4).all()
    # dimensions come in printed order: positions 1-4 are D1, 5-8 are D2, ...
    expected = [f"D{(p - 1) // 4 + 1}" for p in range(1, 25)]
    assert t1["dimension_id"].tolist() == expected
    # each dimension has one Chinese and one English name
    for col in ["dimension_zh", "dimension_en"]:
        assert t1.drop_duplicates(["dimension_id", col]).shape[0] == 6


def test_table1_weights_sum_to_one_as_printed():
    t1 = pub.load_table1()
    assert (t1["weight_dp"] == 3).all()
    # the paper's check: the 24 printed weights add to 1.000 exactly (in thousandths)
    assert round(t1["weight"].sum() * 1000) == 1000
    assert (t1["sign"] == "+").all()


def test_table2_has_the_nine_variables_with_feasible_statistics():
    t2 = pub.load_table2().set_index("symbol")
    assert t2.index.tolist() == ["ERL", "AIE", "FSIE", "ITSE", "lngdp", "imp", "exp", "inst", "tra"]
    assert t2.loc["ITSE", "n"] == 22608
    assert (t2.drop(index="ITSE")["n"] == 23485).all()
    assert (t2["min"] <= t2["mean"]).all() and (t2["mean"] <= t2["max"]).all()
    assert t2.loc[["ERL", "AIE"], "role"].tolist() == ["outcome", "regressor"]


# Spot checks against the printed text: one wrong digit fails.
@pytest.mark.parametrize(
    ("table", "column", "coef", "se", "stars", "n", "adj_r2"),
    [
        (3, 1, 1.007, 0.130, "***", 23485, 0.715),
        (3, 6, 0.977, 0.193, "***", 23485, 0.529),
        (3, 8, 1.004, 0.173, "***", 23485, 0.684),
        (4, 1, 0.659, 0.178, "***", 23485, 0.717),
        (4, 5, 0.948, 0.121, "***", 21350, 0.040),
        (5, 6, 0.913, 0.125, "***", 17285, 0.682),
        (5, 7, 0.394, 0.000, "***", 18396, 0.607),
        (6, 1, 1.701, 0.127, "***", 22608, 0.512),
        (7, 2, -2.794, 1.163, "**", 2684, 0.663),
        (7, 1, 0.287, 0.156, "*", 10736, 0.585),
        (8, 3, 1.018, 0.122, "***", 8723, 0.680),
        (9, 2, 0.389, 0.005, "***", 23485, 0.717),
        (9, 4, 0.168, 0.046, "***", 11597, 0.810),
        (10, 1, 0.868, 0.142, "***", 21329, 0.546),
        (10, 4, 0.051, 0.015, "***", 21350, 0.336),
    ],
)
def test_spot_values_match_the_printed_paper(table, column, coef, se, stars, n, adj_r2):
    cell = pub.published_cell(table, column)
    assert cell["coef"] == coef and cell["se"] == se
    assert cell["stars"] == stars and cell["n"] == n and cell["adj_r2"] == adj_r2


def test_kleibergen_paap_rows_of_table4():
    t4 = pub.load_regression_cells(4).set_index("column")
    assert t4.loc[1:4, "kp_lm"].tolist() == [308.42, 233.82, 363.60, 358.51]
    assert t4.loc[1:4, "kp_wald"].tolist() == [897.74, 1732.00, 31531.13, 58248.34]
    assert t4.loc[5, ["kp_lm", "kp_wald"]].isna().all()
    other = pub.load_regression_cells()
    assert other.loc[other["table"] != 4, ["kp_lm", "kp_wald"]].isna().all().all()


def test_suest_p_values_only_in_tables_7_to_9():
    cells = pub.load_regression_cells()
    has_p = cells.dropna(subset=["suest_p"])
    assert set(has_p["table"]) == {7, 8, 9}
    assert cells.loc[(cells["table"] == 7) & (cells["column"] == 1), "suest_p"].isna().all()


def test_controls_and_fixed_effects_flags():
    cells = pub.load_regression_cells().set_index(["table", "column"])
    no_controls = sorted(cells.index[cells["controls"] == "no"].tolist())
    assert no_controls == [(3, 1), (3, 5), (10, 1), (10, 3)]
    assert (cells["fixed_effects"] == "yes").all()


def test_printed_decimals_are_kept():
    cells = pub.load_regression_cells().set_index(["table", "column"])
    assert cells.loc[(5, 7), "se_dp"] == 3  # printed "0.000", not "0"
    assert pub.printed_decimals("1732.00") == 2
    assert pub.printed_decimals("23485") == 0
    assert pub.printed_decimals(" ") is None


def test_every_regression_cell_has_a_label_and_outcome():
    cells = pub.load_regression_cells()
    assert (cells["column_label_zh"].str.len() > 0).all()
    assert set(cells["outcome"]) >= {"ERL", "FSIE", "ITSE_forward", "ITSE_backward", "LCV", "WCV"}


# ---------------------------------------------------------------- schema failures


def _rewrite(directory: Path, name: str, edit) -> None:
    path = directory / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False)


def test_wrong_star_label_is_rejected_with_column_and_row(published_copy):
    _rewrite(
        published_copy,
        "regression_cells.csv",
        lambda f: f.__setitem__("stars", f["stars"].where(f.index != 3, "****")),
    )
    with pytest.raises(pub.PublishedDataError, match=r"column 'stars'.*rows \[3\]"):
        pub.load_regression_cells(directory=published_copy)


def test_text_in_numeric_column_is_rejected(published_copy):
    def edit(f):
        f.loc[5, "coef"] = "0.97x"

    _rewrite(published_copy, "regression_cells.csv", edit)
    with pytest.raises(pub.PublishedDataError, match=r"'coef' must be numeric; rows \[5\]"):
        pub.load_regression_cells(directory=published_copy)


def test_duplicate_table_column_is_rejected(published_copy):
    def edit(f):
        f.loc[1, "column"] = "1"

    _rewrite(published_copy, "regression_cells.csv", edit)
    with pytest.raises(pub.PublishedDataError):
        pub.load_regression_cells(directory=published_copy)


def test_missing_file_is_named(published_copy):
    (published_copy / "table1_aie_indicators.csv").unlink()
    with pytest.raises(pub.PublishedDataError, match=r"table1_aie_indicators\.csv is missing"):
        pub.load_table1(published_copy)


def test_unknown_table_is_rejected():
    with pytest.raises(pub.PublishedDataError, match="not a regression table"):
        pub.load_regression_cells(11)
    with pytest.raises(KeyError, match="no column"):
        pub.published_cell(6, 4)


def test_weight_out_of_range_is_rejected(published_copy):
    def edit(f):
        f.loc[0, "weight"] = "1.5"

    _rewrite(published_copy, "table1_aie_indicators.csv", edit)
    with pytest.raises(pub.PublishedDataError, match="column 'weight'"):
        pub.load_table1(published_copy)


def test_loaders_do_not_modify_files(published_copy):
    before = {p.name: p.read_bytes() for p in published_copy.iterdir()}
    pub.load_table1(published_copy)
    pub.load_table2(published_copy)
    pub.load_regression_cells(directory=published_copy)
    pub.load_tables_meta(published_copy)
    assert before == {p.name: p.read_bytes() for p in published_copy.iterdir()}


def test_significance_stars_are_a_subset_of_printed_thresholds():
    cells = pub.load_regression_cells()
    assert set(cells["stars"]) <= {"", "*", "**", "***"}
    assert not any(math.isnan(v) for v in cells["coef"])
