"""Bad input to the raw-input loader: each case must fail with an error that names the
column, the rule and the offending rows, and the user's file must never be modified.

(The full battery of bad input, every level and format, is tests/test_data_input.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aichain_utils.inputs import panel
from aichain_utils.inputs.panel import RawDataError, read_raw_file


@pytest.fixture()
def good(root) -> pd.DataFrame:
    # two units in each of two industries (one industry is a single cluster, which is refused)
    return pd.read_csv(root / "data" / "templates" / "raw_template.csv")


def _write(frame: pd.DataFrame, path: Path, **kw) -> Path:
    frame.to_csv(path, index=False, **kw)
    return path


def test_valid_csv_and_parquet_load_and_are_not_modified(good, tmp_path):
    csv = _write(good, tmp_path / "raw.csv")
    pq = tmp_path / "raw.parquet"
    good.to_parquet(pq)
    before = {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in (csv, pq)}
    a, b = read_raw_file(csv), read_raw_file(pq)
    assert len(a) == len(b) == len(good)
    assert before == {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in (csv, pq)}


def test_missing_column(good, tmp_path):
    path = _write(good.drop(columns=["robots"]), tmp_path / "raw.csv")
    with pytest.raises(RawDataError, match=r"missing required column\(s\) \['robots'\]"):
        read_raw_file(path)


def test_text_in_numeric_column(good, tmp_path):
    bad = good.astype({"rd_cost": object})
    bad.loc[3, "rd_cost"] = "twelve"
    with pytest.raises(
        RawDataError, match=r"column 'rd_cost': must be numeric: holds text .*rows \[3\] hold \['twelve'\]"
    ):
        read_raw_file(_write(bad, tmp_path / "raw.csv"))


def test_non_integer_id(good, tmp_path):
    bad = good.astype({"unit_id": float})
    bad.loc[0, "unit_id"] = 1.5
    with pytest.raises(RawDataError, match=r"column 'unit_id': must hold integers; rows \[0\]"):
        read_raw_file(_write(bad, tmp_path / "raw.csv"))


def test_duplicate_unit_year(good, tmp_path):
    bad = pd.concat([good, good.iloc[[4]]], ignore_index=True)
    with pytest.raises(RawDataError, match=r"'unit_id, year'.*must identify rows uniquely.*rows \[4, 44\]"):
        read_raw_file(_write(bad, tmp_path / "raw.csv"))


def test_nan_in_required_column(good, tmp_path):
    bad = good.copy()
    bad.loc[[2, 7], "y_back"] = np.nan
    with pytest.raises(RawDataError, match=r"column 'y_back': must not be empty \(missing\); rows \[2, 7\]"):
        read_raw_file(_write(bad, tmp_path / "raw.csv"))


def test_infinite_value(good, tmp_path):
    bad = good.copy()
    bad.loc[5, "output_elasticity"] = np.inf
    with pytest.raises(RawDataError, match=r"column 'output_elasticity': .*infinite value.*rows \[5\]"):
        read_raw_file(_write(bad, tmp_path / "raw.csv"))


def test_unknown_group_label(good, tmp_path):
    bad = good.copy()
    bad.loc[[1, 2], "industry_type"] = "mixed"
    with pytest.raises(
        RawDataError, match=r"column 'industry_type': must be one of .*rows \[1, 2\] hold \['mixed', 'mixed'\]"
    ):
        read_raw_file(_write(bad, tmp_path / "raw.csv"))


def test_year_out_of_range_is_kept(good, tmp_path):
    # the paper's window is a choice: years outside it are a warning of the check, not an error
    bad = good.copy()
    bad.loc[0, "year"] = 2012
    assert read_raw_file(_write(bad, tmp_path / "raw.csv"))["year"].min() == 2012


def test_non_positive_where_a_formula_divides(good, tmp_path):
    bad = good.copy()
    bad.loc[[6, 8, 9], "rd_cost"] = [0.0, -1.0, -2.0]
    with pytest.raises(RawDataError, match=r"column 'rd_cost': must be > 0; rows \[6, 8, 9\]"):
        read_raw_file(_write(bad, tmp_path / "raw.csv"))


def test_at_most_five_rows_are_listed(good, tmp_path):
    bad = good.copy()
    bad.loc[:, "iceberg_cost"] = -1.0
    with pytest.raises(RawDataError, match=r"rows \[0, 1, 2, 3, 4\] hold"):
        read_raw_file(_write(bad, tmp_path / "raw.csv"))


def test_industry_changes_within_unit(good, tmp_path):
    bad = good.copy()
    bad.loc[3, "industry_id"] = 7
    with pytest.raises(RawDataError, match=r"column 'industry_id': must be constant within a unit; units \[123\]"):
        read_raw_file(_write(bad, tmp_path / "raw.csv"))


def test_empty_file(tmp_path):
    path = tmp_path / "raw.csv"
    path.write_bytes(b"")
    with pytest.raises(RawDataError, match="the file is empty"):
        read_raw_file(path)


def test_header_only_file(good, tmp_path):
    path = _write(good.iloc[:0], tmp_path / "raw.csv")
    with pytest.raises(RawDataError, match="no rows"):
        read_raw_file(path)


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_any_delimiter_is_detected(good, tmp_path, sep):
    path = _write(good, tmp_path / "raw.csv", sep=sep)
    assert len(read_raw_file(path)) == len(good)


def test_gbk_file_with_chinese_headers(good, tmp_path):
    # GBK is detected; the Chinese names of year and unit are recognised; an unknown one is not
    chinese = good.rename(columns={"year": "年份", "unit_id": "单元编号"})
    path = tmp_path / "raw.csv"
    chinese.to_csv(path, index=False, encoding="gbk")
    assert len(read_raw_file(path)) == len(good)
    path2 = tmp_path / "raw2.csv"
    good.rename(columns={"robots": "机器人"}).to_csv(path2, index=False, encoding="gbk")
    with pytest.raises(RawDataError, match=r"missing required column\(s\) \['robots'\].*Chinese headers"):
        read_raw_file(path2)


def test_gbk_file_with_english_headers_loads_with_encoding(good, tmp_path):
    frame = good.copy()
    path = tmp_path / "raw.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    assert len(read_raw_file(path, encoding="gbk")) == len(good)


def test_unreadable_workbook_and_missing_file(good, tmp_path):
    path = tmp_path / "raw.xlsx"
    path.write_bytes(b"not really excel")
    with pytest.raises(RawDataError, match=r"cannot be opened as an Excel workbook"):
        read_raw_file(path)
    with pytest.raises(RawDataError, match="no such file"):
        read_raw_file(tmp_path / "nope.csv")


def test_missing_key_input_is_allowed_and_reported(good):
    frame = good.copy()
    already = int(frame["key_input"].isna().sum())
    rows = frame.index[frame["key_input"].notna()][:2]
    frame.loc[rows, "key_input"] = np.nan
    built = panel.build_analysis_panel(frame)
    assert built.data["ITSE"].isna().sum() == already + 2
    assert len(built.data) == len(frame)  # no row dropped
    assert any(f"ITSE is missing in {already + 2} rows" in note for note in built.notes)


def test_builder_does_not_modify_its_input(good):
    before = good.copy()
    panel.build_analysis_panel(good)
    pd.testing.assert_frame_equal(good, before)


def test_licensed_path_runs_the_same_code(good, tmp_path, monkeypatch):
    path = _write(good, tmp_path / "licensed.csv")
    monkeypatch.setenv(panel.ENV_VAR, str(path))
    source = panel.data_source()
    assert source.kind == "licensed" and source.label.startswith("your raw inputs in licensed.csv, sha256 ")
    built = panel.load_analysis_panel(aie_weights="entropy")
    direct = panel.build_analysis_panel(good)
    pd.testing.assert_frame_equal(built.data, direct.data)
    monkeypatch.delenv(panel.ENV_VAR)
    assert panel.data_source().is_simulated


def test_published_weights_switch(good):
    entropy = panel.build_analysis_panel(good).data["AIE"]
    pub = panel.build_analysis_panel(good, aie_weights="published").data["AIE"]
    assert not np.allclose(entropy, pub)
    assert pub.between(0, 1).all()


def test_controls_follow_the_paper_definitions(good):
    d = panel.build_analysis_panel(good).data
    g = good.sort_values(["unit_id", "year"]).reset_index(drop=True)
    np.testing.assert_allclose(d["lngdp"], np.log(g["output"]))
    np.testing.assert_allclose(d["imp"], 100 * g["imports"] / g["output"])
    np.testing.assert_allclose(d["exp"], 100 * g["exports"] / g["output"])
    np.testing.assert_allclose(d["inst"], g["freedom_index"])
    np.testing.assert_allclose(d["tra"], (g["lpi"] - 1) / 4)  # our reading: the LPI score rescaled to [0, 1]
