"""A replicator's data file: both input levels, every format and name style, and bad input.

Every bad-input case asserts the clear message (the book's column and the user's, the rule, the
rows), that the user's file is byte-identical afterwards, and that nothing was dropped or coerced
without a report. The templates, the data dictionary and the validator are checked to agree.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from datainput_helpers import run_check, sha, write_csv

from aichain_utils.inputs import checkdata, datainput, panel, schema, templates
from aichain_utils.inputs.checkdata import check_file
from aichain_utils.inputs.datainput import DataInputError

pytestmark = pytest.mark.usefixtures("clean_data_env")


def expect_violation(path: Path, column: str | None, rule: str, rows: list[int] | None = None, **kw):
    report, table = run_check(path, **kw)
    assert not report.ok and table is None
    texts = [v.text() for v in report.errors]
    hits = [t for t in texts if re.search(rule, t) and (column is None or f"'{column}'" in t)]
    assert hits, f"no violation of column {column!r} matching {rule!r} in:\n" + "\n".join(texts)
    if rows is not None:
        assert any(f"rows {rows}" in t for t in hits), hits
    rendered = report.render()
    assert rendered.strip().splitlines()[-1].startswith("Result: FAILED")
    for t in texts:  # every violation is in the one report
        assert t in rendered
    return report


def expect_error(path: Path, message: str, **kw):
    before = sha(path) if path.is_file() else None
    with pytest.raises(DataInputError, match=message):
        check_file(path, **kw)
    if before is not None:
        assert sha(path) == before


def _obj(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).copy()


# --------------------------------------------------------------------------- bad cells (analysis level)
TOKEN_CASES = [
    ("ERL", "#N/A", "spreadsheet error value"),
    ("ERL", "#DIV/0!", "spreadsheet error value"),
    ("AIE", ".", "Stata's missing-value dot"),
    ("lngdp", "1,234.5", "thousands separator"),
    ("imp", "12%", "percent sign"),
    ("exp", "3,5", "decimal comma"),
    ("inst", "abc", "text in a numeric column"),
    ("tra", "NA", "text missing-value code"),
    ("FSIE", "#VALUE!", "spreadsheet error value"),
    ("ERL", "inf", r"infinite value"),
    ("AIE", "-inf", r"infinite value"),
    ("year", "#N/A", "spreadsheet error value"),
    ("year", "twenty", "text in a numeric column"),
    ("IV2", "1.2.3", "text in a numeric column"),
]


@pytest.mark.parametrize(("column", "token", "rule"), TOKEN_CASES)
def test_non_numeric_tokens_are_refused_with_the_row(ana, tmp_path, column, token, rule):
    bad = _obj(ana)
    bad.loc[[3, 9], column] = token
    expect_violation(write_csv(bad, tmp_path / "f.csv"), column, rule, [3, 9])


NUMBER_CASES = [
    ("lngdp", 1e300, r"above 1e\+15 overflows"),
    ("FSIE", -0.5, "must be >= 0"),
    ("ELRI_front", 0.0, "must be > 0"),
    ("imp", -1.0, "must be >= 0"),
    ("WCV", -2.0, "must be >= 0"),
    ("IV2", np.inf, r"must be finite"),
]


@pytest.mark.parametrize(("column", "value", "rule"), NUMBER_CASES)
def test_out_of_range_numbers(ana, tmp_path, column, value, rule):
    bad = ana.copy()
    bad.loc[[2, 5], column] = value
    expect_violation(write_csv(bad, tmp_path / "f.csv"), column, rule, [2, 5])


@pytest.mark.parametrize("column", ["ERL", "unit_id", "year", "lngdp"])
def test_required_cell_empty(ana, tmp_path, column):
    bad = _obj(ana)
    bad.loc[[1, 4], column] = ""
    expect_violation(write_csv(bad, tmp_path / "f.csv"), column, "must not be empty", [1, 4])


@pytest.mark.parametrize("column", ["unit_id", "year"])
def test_non_integer_id_or_year(ana, tmp_path, column):
    bad = ana.astype({column: float})
    bad.loc[6, column] = bad.loc[6, column] + 0.5
    expect_violation(write_csv(bad, tmp_path / "f.csv"), column, "must hold integers", [6])


def test_renamed_column_named_by_both_names(ana, tmp_path):
    bad = _obj(ana).rename(columns={"ERL": "erl_total"})
    bad.loc[0, "erl_total"] = "#N/A"
    report = expect_violation(write_csv(bad, tmp_path / "f.csv"), "ERL", "spreadsheet error", [0])
    assert "column 'ERL' (your 'erl_total')" in report.render()


# --------------------------------------------------------------------------- panel structure
def test_duplicate_unit_year_not_dropped(ana, tmp_path):
    bad = pd.concat([ana, ana.iloc[[7]]], ignore_index=True)
    report = expect_violation(write_csv(bad, tmp_path / "f.csv"), "unit_id, year", "identify rows uniquely", [7, 44])
    assert report.n_rows == len(bad)


def test_unit_in_two_industries(ana, tmp_path):
    bad = ana.copy()
    unit = bad.loc[0, "unit_id"]
    bad.loc[2, "industry_id"] = 77
    expect_violation(write_csv(bad, tmp_path / "f.csv"), "industry_id", rf"constant within a unit; units \[{unit}\]")


@pytest.mark.parametrize(("column", "label"), [("industry_type", "capital"), ("chain_position", "back")])
def test_group_label_changes_within_an_industry(ana, tmp_path, column, label):
    bad = ana.copy()
    first = bad["industry_id"].iloc[0]
    row = bad.index[(bad["industry_id"] == first) & (bad[column] != label)][3]
    bad.loc[row, column] = label
    expect_violation(
        write_csv(bad, tmp_path / "f.csv"), column, rf"constant within an industry; industries \[{first}\]"
    )


@pytest.mark.parametrize(("column", "label"), [("industry_type", "mixed"), ("region", "coastal")])
def test_unknown_group_label(ana, tmp_path, column, label):
    bad = ana.copy()
    bad.loc[[0, 1], column] = label
    expect_violation(write_csv(bad, tmp_path / "f.csv"), column, "must be one of", [0, 1])


def test_single_industry_is_a_single_cluster(ana, tmp_path):
    bad = ana.copy()
    bad["industry_id"] = 5
    expect_violation(write_csv(bad, tmp_path / "f.csv"), "industry_id", "single industry.*one cluster")


def test_single_year(ana, tmp_path):
    bad = ana[ana["year"] == 2015]
    expect_violation(write_csv(bad, tmp_path / "f.csv"), "year", "single year")


def test_constant_variable_named(ana, tmp_path):
    bad = ana.copy()
    bad["AIE"] = 0.5
    expect_violation(write_csv(bad, tmp_path / "f.csv"), "AIE", r"is constant \(0.5 in every row\)")


def test_missing_required_column(ana, tmp_path):
    expect_violation(write_csv(ana.drop(columns=["lngdp", "tra"]), tmp_path / "f.csv"), None,
                     r"missing required column\(s\) \['lngdp', 'tra'\]")  # fmt: skip


def test_columns_match_neither_level(tmp_path):
    path = write_csv(pd.DataFrame({"a": [1, 2], "b": [3, 4]}), tmp_path / "f.csv")
    expect_violation(path, None, "match neither input level.*missing here")


def test_duplicated_header(ana, tmp_path):
    path = tmp_path / "f.csv"
    text = ana.to_csv(index=False).replace("ERL,AIE", "ERL,ERL", 1)
    path.write_text(text, encoding="utf-8")
    expect_violation(path, "ERL", r"duplicated header: 2 columns \(positions \[4, 5\]\)")


def test_two_columns_match_one_variable(ana, tmp_path):
    bad = ana.copy()
    bad["erl"] = bad["ERL"]
    expect_violation(write_csv(bad, tmp_path / "f.csv"), "ERL", "2 of your columns match the book's 'ERL'")


def test_column_without_header(ana, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(ana.to_csv(index=False).replace(",AIE,", ",,", 1), encoding="utf-8")
    expect_violation(path, None, "has no header")


def test_column_map_names_a_missing_column(ana, tmp_path):
    cmap = tmp_path / "map.yml"
    cmap.write_text("erl_total: ERL\n", encoding="utf-8")
    expect_violation(write_csv(ana, tmp_path / "f.csv"), None, "names 'erl_total', which the file does not have",
                     columns=str(cmap))  # fmt: skip


def test_header_only(ana, tmp_path):
    expect_violation(write_csv(ana.iloc[:0], tmp_path / "f.csv"), None, "no rows")


def test_inf_instrument_in_parquet(ana, tmp_path):
    bad = ana.copy()
    bad.loc[4, "IV3"] = np.inf
    path = tmp_path / "f.parquet"
    bad.to_parquet(path)
    expect_violation(path, "IV3", "must be finite", [4])


def test_excel_error_cell_in_xlsx(ana, tmp_path):
    bad = _obj(ana)
    bad.loc[2, "AIE"] = "#DIV/0!"
    path = tmp_path / "f.xlsx"
    bad.to_excel(path, index=False)
    expect_violation(path, "AIE", "spreadsheet error value", [2])


# --------------------------------------------------------------------------- raw level
def test_raw_constant_indicator_named(raw, tmp_path):
    bad = raw.copy()
    bad["aie_05"] = 3.0
    expect_violation(write_csv(bad, tmp_path / "r.csv"), "aie_05", "constant.*max - min = 0")


def test_raw_overflowing_value(raw, tmp_path):
    bad = raw.copy()
    bad.loc[3, "robots"] = 1e300
    expect_violation(write_csv(bad, tmp_path / "r.csv"), "robots", "overflows", [3])


def test_raw_nonpositive_divisor(raw, tmp_path):
    bad = raw.copy()
    bad.loc[[1, 2], "rd_cost"] = [0.0, -1.0]
    expect_violation(write_csv(bad, tmp_path / "r.csv"), "rd_cost", "must be > 0", [1, 2])


def test_raw_empty_label(raw, tmp_path):
    bad = _obj(raw)
    bad.loc[5, "tech_level"] = ""
    expect_violation(write_csv(bad, tmp_path / "r.csv"), "tech_level", "must not be empty", [5])


def test_raw_token_in_nullable_column(raw, tmp_path):
    bad = _obj(raw)
    bad.loc[8, "key_input"] = "#N/A"
    expect_violation(write_csv(bad, tmp_path / "r.csv"), "key_input", "spreadsheet error", [8])


def test_raw_missing_columns_with_chinese_headers(raw, tmp_path):
    bad = raw.drop(columns=["robots"]).rename(columns={"spillover": "技术溢出"})
    expect_violation(write_csv(bad, tmp_path / "r.csv"), None, r"missing required column.*robots.*Chinese headers")


# --------------------------------------------------------------------------- files and paths
def test_empty_file(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"")
    expect_error(path, "the file is empty")


def test_unsupported_type(tmp_path):
    path = tmp_path / "f.xls"
    path.write_bytes(b"old excel")
    expect_error(path, r"unsupported file type '\.xls'.*Save As")


def test_relative_path_says_where_it_was_looked_for(tmp_path, monkeypatch):
    monkeypatch.setenv("AICHAIN_CWD", str(tmp_path))
    with pytest.raises(DataInputError, match=rf"no such file.*read from the directory you ran make in \({tmp_path}\)"):
        check_file("nope.csv")


def test_set_but_empty_is_an_error(monkeypatch):
    monkeypatch.setenv("AICHAIN_DATA", "")
    with pytest.raises(DataInputError, match=r"set but empty.*unset AICHAIN_DATA"):
        panel.data_source()
    with pytest.raises(DataInputError, match="set but empty"):
        check_file()


def test_wrong_encoding_given(ana, tmp_path):
    path = write_csv(ana.rename(columns={"ERL": "创新链布局重构效能"}), tmp_path / "f.csv", encoding="gbk")
    expect_error(path, "not valid utf-8 text.*unset AICHAIN_ENCODING", encoding="utf-8")
    expect_error(path, "unknown encoding", encoding="klingon")


def test_missing_sheet(ana, tmp_path):
    path = tmp_path / "f.xlsx"
    ana.to_excel(path, index=False, sheet_name="panel")
    expect_error(path, r"no sheet named 'data'.*\['panel'\]", sheet="data")


def test_ragged_csv(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("unit_id,year,ERL\n1,2015,2\n1,2016,2,5\n", encoding="utf-8")
    expect_error(path, "same number of fields")


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"PK\x03\x04 not a workbook")
    expect_error(path, "cannot be opened as an Excel workbook")


def test_malformed_column_map(ana, tmp_path):
    cmap = tmp_path / "map.yml"
    cmap.write_text("- ERL\n- AIE\n", encoding="utf-8")
    expect_error(write_csv(ana, tmp_path / "f.csv"), "your_column: book_name", columns=str(cmap))


def test_unknown_weights_switch(monkeypatch):
    monkeypatch.setenv("AICHAIN_AIE_WEIGHTS", "pca")
    with pytest.raises(DataInputError, match="must be 'entropy' or 'published'"):
        panel.aie_weight_method(None, panel.data_source())


def test_failing_check_exits_2_with_the_report_last(root):
    example = root / "data" / "templates" / "example_with_mistakes.csv"
    before = sha(example)
    env = {"AICHAIN_DATA": str(example), "PATH": str(Path(sys.executable).parent)}
    done = subprocess.run([sys.executable, str(root / "tools" / "check_data.py")], env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 2
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith("Result: FAILED, 6 violation(s)")
    assert "column 'ERL' (your 'erl_total')" in done.stdout and "rows [3] hold ['#N/A']" in done.stdout
    assert sha(example) == before


# --------------------------------------------------------------------------- warnings, not errors
def test_years_outside_the_window_warn(ana, tmp_path):
    frame = ana.copy()
    frame["year"] = frame["year"] - 3  # 2010-2020
    report, table = run_check(write_csv(frame, tmp_path / "f.csv"))
    assert report.ok and any("outside the paper's window" in w.text() for w in report.warnings)
    assert len(table) == len(frame)


def test_negative_growth_indicators_allowed_and_explained(raw, tmp_path):
    frame = raw.copy()
    frame.loc[[0, 5], "aie_02"] = [-3.5, -1.0]
    report, table = run_check(write_csv(frame, tmp_path / "r.csv"))
    assert report.ok
    assert any("aie_02" in n and "Min-max normalisation maps" in n for n in report.notes)
    assert table.loc[0, "aie_02"] == -3.5


# --------------------------------------------------------------------------- good files
def _same_values(table: pd.DataFrame, frame: pd.DataFrame, columns) -> None:
    assert len(table) == len(frame)  # nothing dropped
    for col in columns:
        np.testing.assert_allclose(table[col].to_numpy(float), frame[col].to_numpy(float), rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "kw"),
    [
        ("f.csv", {}),
        ("f.tsv", {"sep": "\t"}),
        ("f.txt", {"sep": ";"}),
        ("p.csv", {"sep": "|"}),
        ("bom.csv", {"encoding": "utf-8-sig"}),
        ("u16.csv", {"encoding": "utf-16"}),
        ("gb.csv", {"encoding": "gb18030"}),
    ],
)
def test_text_formats_and_encodings(ana, tmp_path, name, kw):
    frame = ana.rename(columns={"ERL": "创新链布局重构效能", "lngdp": "经济规模"})
    report, table = run_check(write_csv(frame, tmp_path / name, **kw))
    assert report.ok, report.render()
    assert report.found["ERL"].user_column == "创新链布局重构效能"
    _same_values(table, ana, ["ERL", "AIE", "lngdp", "WCV"])


def test_gbk_chinese_headers_and_labels(ana, tmp_path):
    zh = {"unit_id": "单元编号", "industry_id": "行业", "year": "年份", "ERL": "创新链布局重构效能",
          "AIE": "人工智能嵌入程度", "lngdp": "经济规模", "imp": "进口依存度", "exp": "出口依存度",
          "inst": "制度环境", "tra": "基础设施建设", "industry_type": "行业类型"}  # fmt: skip
    frame = ana[list(zh)].copy()
    labels = {"labour": "劳动密集型", "capital": "资本密集型", "technology": "技术密集型"}
    relabelled = set(frame["industry_type"]) & set(labels)  # the template's types depend on the seed
    assert relabelled
    frame["industry_type"] = frame["industry_type"].map(lambda v: labels.get(v, v))
    path = write_csv(frame.rename(columns=zh), tmp_path / "zh.csv", encoding="gbk")
    report, table = run_check(path)
    assert report.ok and report.encoding == "gb18030" and report.level == "analysis"
    assert set(table["industry_type"]) == set(ana["industry_type"])
    for t in relabelled:  # relabelling is reported
        assert any(f"{labels[t]} -> {t}" in n for n in report.notes)


def test_encoding_from_the_environment(ana, tmp_path, monkeypatch):
    path = write_csv(ana, tmp_path / "f.csv", encoding="utf-16")
    monkeypatch.setenv("AICHAIN_ENCODING", "utf-16")
    report, _ = run_check(path)
    assert report.ok and report.encoding == "utf-16"


def test_xlsx_first_sheet_and_named_sheet(ana, tmp_path, monkeypatch):
    path = tmp_path / "f.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"note": ["read me"]}).to_excel(xw, sheet_name="readme", index=False)
        ana.to_excel(xw, sheet_name="panel", index=False)
    report, _ = run_check(path)
    assert not report.ok  # the first sheet is not data
    monkeypatch.setenv("AICHAIN_SHEET", "panel")
    report, table = run_check(path)
    assert report.ok and report.sheet == "panel"
    _same_values(table, ana, ["ERL", "AIE", "IV2"])


def test_parquet_and_raw_level(raw, tmp_path):
    path = tmp_path / "r.parquet"
    raw.to_parquet(path)
    report, _table = run_check(path)
    assert report.ok and report.level == "raw"
    assert report.found["ERL"].status == "computed"


def test_case_space_and_stata_style_names(ana, tmp_path):
    frame = ana.rename(columns={"unit_id": "Unit ID", "ERL": " erl ", "ELRI_front": "ELRI-Front", "IV1": "L.AIE"})
    report, _table = run_check(write_csv(frame, tmp_path / "f.csv"))
    assert report.ok
    assert report.found["ELRI_front"].user_column == "ELRI-Front"
    assert report.found["IV1"].status == "matched"


def test_column_map_relative_to_the_make_directory(ana, tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    frame = ana.rename(columns={"ERL": "outcome_x", "unit_id": "node"})
    write_csv(frame, tmp_path / "sub" / "f.csv")
    (tmp_path / "map.yml").write_text("outcome_x: ERL\n", encoding="utf-8")
    monkeypatch.setenv("AICHAIN_CWD", str(tmp_path))
    report, _table = check_file("sub/f.csv", columns="map.yml")
    assert report.ok and report.found["ERL"].status == "mapped" and report.found["ERL"].user_column == "outcome_x"
    assert report.path == (tmp_path / "sub" / "f.csv").resolve()


def test_text_unit_codes_are_numbered_and_reported(ana, tmp_path):
    frame = ana.copy()
    frame["unit_id"] = "C" + frame["unit_id"].astype(str)
    report, table = run_check(write_csv(frame, tmp_path / "f.csv"))
    assert report.ok and any("text codes; numbered" in n for n in report.notes)
    assert table["unit_id"].nunique() == ana["unit_id"].nunique()


def test_without_industry_the_unit_is_the_industry(ana, tmp_path, monkeypatch):
    path = write_csv(ana.drop(columns=["industry_id"]), tmp_path / "f.csv")
    report, _ = run_check(path)
    assert report.ok and report.found["industry_id"].status == "computed"
    monkeypatch.setenv("AICHAIN_DATA", str(path))
    ap = panel.load_analysis_panel()
    assert (ap.data["industry_id"] == ap.data["unit_id"]).all()


def test_unbalanced_panel_passes_and_is_described(ana, tmp_path, monkeypatch):
    # a late entry and two gaps; IV1 not given, so the book forms it
    frame = ana.drop(index=[0, 1, 15, 30], columns=["IV1"]).reset_index(drop=True)
    path = write_csv(frame, tmp_path / "f.csv")
    report, _table = run_check(path)
    assert report.ok and not report.shape["balanced"]
    assert report.shape["missing_unit_years"] == 4 and report.shape["units_entering_late"] == 1
    assert "unbalanced: 4 unit-years missing" in report.render()
    monkeypatch.setenv("AICHAIN_DATA", str(path))
    ap = panel.load_analysis_panel()
    assert len(ap.data) == len(frame)
    # IV1 is the lag of the previous calendar year: missing after a gap, never taken across it
    d = ap.data
    prev = d.groupby("unit_id")["year"].shift(1)
    assert d.loc[prev != d["year"] - 1, "IV1"].isna().all()


def test_region_formed_from_province_and_factor_market(ana, tmp_path, monkeypatch):
    frame = ana.drop(columns=["region"])
    frame["factor_market_index"] = frame["province_id"] * 1.0
    path = write_csv(frame, tmp_path / "f.csv")
    monkeypatch.setenv("AICHAIN_DATA", str(path))
    ap = panel.load_analysis_panel()
    assert ap.found["region"].status == "computed"
    assert set(ap.data["region"]) <= {"developed", "other"}


def test_stata_file_with_stata_names_loads_end_to_end(root, monkeypatch):
    path = root / "data" / "templates" / "example_finished_stata.dta"
    before = sha(path)
    monkeypatch.setenv("AICHAIN_DATA", str(path))
    source = panel.data_source()
    assert source.level == "analysis" and source.sha256 == before
    assert source.label.startswith("your finished variables in example_finished_stata.dta, sha256 ")
    ap = panel.load_analysis_panel()
    assert ap.level == "analysis" and ap.sha256 == before
    assert ap.banner.startswith("Built from your finished variables in example_finished_stata.dta")
    assert ap.found["ERL"].user_column == "erl" and ap.found["ITSE_forward"].status == "absent"
    assert ap.available("FSIE") and not ap.available("ITSE_forward")
    assert ap.missing_reason("Table 6") == (
        "Table 6 columns (2) and (3) need ITSE_forward and ITSE_backward; the file has neither."
    )
    assert ap.missing_reason("Table 3") is None
    assert "raw-input file" in ap.missing_reason("aie_indicators")
    stata = pd.read_stata(path)
    assert len(ap.data) == len(stata)
    np.testing.assert_allclose(
        ap.data.sort_values(["unit_id", "year"])["ERL"].to_numpy(),
        stata.sort_values(["id", "year"])["erl"].to_numpy(),
    )
    schema.analysis_panel_schema().validate(ap.data)
    assert sha(path) == before


def test_raw_file_gets_published_weights_by_default(raw, tmp_path, monkeypatch):
    path = write_csv(raw, tmp_path / "r.csv")
    monkeypatch.setenv("AICHAIN_DATA", str(path))
    ap = panel.load_analysis_panel()
    from aichain_utils.inputs.published import load_table1

    np.testing.assert_allclose(ap.aie_weights.to_numpy(), load_table1()["weight"].to_numpy())
    monkeypatch.setenv("AICHAIN_AIE_WEIGHTS", "entropy")
    ent = panel.load_analysis_panel()
    assert not np.allclose(ent.aie_weights.to_numpy(), ap.aie_weights.to_numpy())
    assert ap.level == "raw" and ap.source.label.startswith("your raw inputs in r.csv")


def test_simulated_default_uses_entropy_weights():
    assert panel.aie_weight_method(None, panel.data_source()) == "entropy"


def test_unset_data_needs_no_check(capsys):
    assert checkdata.run_check() == 0
    assert "simulated panel" in capsys.readouterr().out


# --------------------------------------------------------------------------- templates agree
@pytest.mark.parametrize("level", ["analysis", "raw"])
def test_templates_dictionary_and_validator_agree(root, level):
    folder = root / "data" / "templates"
    dictionary = pd.read_csv(folder / "data_dictionary.csv", keep_default_na=False)
    regenerated = pd.concat([schema.data_dictionary("analysis"), schema.data_dictionary("raw")], ignore_index=True)
    pd.testing.assert_frame_equal(dictionary.astype(str), regenerated.astype(str))
    names = dictionary.loc[dictionary["level"] == level, "name"].tolist()
    for suffix in ("csv", "xlsx"):
        path = folder / f"{level}_template.{suffix}"
        report, _table = run_check(path)
        assert report.ok and report.level == level, report.render()
        header = datainput.read_header(path)
        assert [h for h in names if h in header] == header  # the template's columns are the dictionary's
        required = dictionary.loc[(dictionary["level"] == level) & (dictionary["required"] == "True"), "name"]
        assert set(required) <= set(header)
    csv_t = pd.read_csv(folder / f"{level}_template.csv")
    assert len(csv_t) > 0


def test_templates_are_what_the_writer_writes(root, tmp_path):
    written = templates.write_all(tmp_path)
    for path in written:
        shipped = root / "data" / "templates" / path.name
        assert shipped.is_file(), f"{path.name} is not shipped"
        if path.suffix == ".yml":
            assert path.read_bytes() == shipped.read_bytes(), f"{path.name} differs: run tools/write_templates.py"
        elif path.suffix == ".csv":
            _same_csv_up_to_rounding(path, shipped)


def _same_csv_up_to_rounding(written: Path, shipped: Path) -> None:
    """The same header, rows and text cells, and numbers equal to 1e-12 (relative): the example rows come
    from the simulated panel, whose last binary digits differ between processors (the BLAS and libm
    kernels numpy picks for the CPU), so a byte comparison would fail on another machine."""
    new, old = (
        pd.read_csv(written, dtype=str, keep_default_na=False),
        pd.read_csv(shipped, dtype=str, keep_default_na=False),
    )
    hint = f"{written.name} differs: run tools/write_templates.py"
    assert list(new.columns) == list(old.columns) and new.shape == old.shape, hint
    numeric_new = new.apply(pd.to_numeric, errors="coerce")
    numeric_old = old.apply(pd.to_numeric, errors="coerce")
    text = numeric_new.isna() | numeric_old.isna()
    assert (new[text] == old[text]).where(text, True).all().all(), hint
    np.testing.assert_allclose(numeric_new.where(~text, 0.0), numeric_old.where(~text, 0.0), rtol=1e-12, err_msg=hint)


def test_glossary_chinese_names_are_recognised():
    gloss = pd.read_csv(Path(schema.__file__).parents[2] / "data" / "glossary.csv")
    index = schema.name_index("analysis")
    for symbol, zh in zip(gloss["symbol"], gloss["chinese"], strict=True):
        if isinstance(symbol, str) and symbol in {v.name for v in schema.ANALYSIS_VARIABLES}:
            assert index[schema.normalise_name(zh)] == symbol


@pytest.mark.parametrize(
    "edited, fails",
    [("a,b\nx,1.0000000000000002\n", False), ("a,b\nx,1.0001\n", True), ("a,b\ny,1.0\n", True), ("a,c\nx,1.0\n", True)],
)
def test_template_comparison_forgives_only_the_last_digits(tmp_path, edited, fails):
    shipped, written = tmp_path / "shipped.csv", tmp_path / "written.csv"
    shipped.write_text("a,b\nx,1.0\n", encoding="utf-8")
    written.write_text(edited, encoding="utf-8")
    if fails:
        with pytest.raises(AssertionError, match=r"run tools/write_templates\.py"):
            _same_csv_up_to_rounding(written, shipped)
    else:
        _same_csv_up_to_rounding(written, shipped)
