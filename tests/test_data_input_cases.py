"""Files a replicator could hand the book that ``make check-data`` used to pass or misread (issue 22).

Each case is a small file generated in ``tmp_path`` from the templates of ``data/templates/``; every
case asserts that the user's file is byte-identical afterwards and that the message names the
column (with the user's own name), the rule and the rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from datainput_helpers import run_check, sha, write_csv

from aichain_utils.inputs import checkdata, datainput, panel
from aichain_utils.inputs.checkdata import check_file
from aichain_utils.inputs.datainput import DataInputError

pytestmark = pytest.mark.usefixtures("clean_data_env")


def texts(report, severity=None) -> list[str]:
    return [v.text() for v in report.violations if severity is None or v.severity == severity]


def expect(path: Path, pattern: str, column: str | None = None, rows=None, ok=False, **kw):
    report, table = run_check(path, **kw)
    assert report.ok is ok, report.render()
    hits = [t for t in texts(report) if re.search(pattern, t) and (column is None or f"'{column}'" in t)]
    assert hits, f"no message matching {pattern!r} for {column!r} in:\n" + "\n".join(texts(report))
    if rows is not None:
        assert any(f"rows {rows}" in h for h in hits), hits
    return report, table


def expect_refused(path: Path, pattern: str, **kw):
    before = sha(path)
    with pytest.raises(DataInputError, match=pattern) as info:
        check_file(path, **kw)
    assert sha(path) == before
    return str(info.value)


# --------------------------------------------------------------------------- check passes, a chapter fails
@pytest.mark.parametrize("column", ["IV2", "FSIE", "ITSE_forward", "WCV"])
def test_constant_optional_variable_is_treated_as_absent(ana, tmp_path, column, monkeypatch):
    frame = ana.rename(columns={column: column.lower() + "_mine"})
    frame[column.lower() + "_mine"] = 1.0
    path = write_csv(frame, tmp_path / "const.csv")
    cmap = tmp_path / "map.yml"
    cmap.write_text(f"{column.lower()}_mine: {column}\n", encoding="utf-8")
    monkeypatch.setenv("AICHAIN_COLUMNS", str(cmap))
    report, table = expect(path, "is constant.*treats .* as absent", column, ok=True)
    assert any(f"your '{column.lower()}_mine'" in t for t in texts(report, "warning"))
    assert column not in table.columns
    assert report.found[column].status == "absent" and "constant" in report.found[column].how
    table_name = {"IV2": "Table 4", "FSIE": "Table 6", "ITSE_forward": "Table 6", "WCV": "Table 10"}[column]
    assert "constant" in report.tables[table_name]
    monkeypatch.setenv("AICHAIN_DATA", str(path))
    ap = panel.load_analysis_panel()
    assert ap.data[column].isna().all()
    assert "constant" in ap.missing_reason(column)


def test_optional_variable_absorbed_by_unit_effects_is_treated_as_absent(ana, tmp_path):
    frame = ana.copy()
    frame["FSIE"] = frame["unit_id"] * 0.1 + 0.05  # varies between units only
    frame["IV3"] = frame["year"] * 0.5  # varies between years only
    path = write_csv(frame, tmp_path / "absorbed.csv")
    _report, table = expect(path, "no variation left after unit and year effects", "FSIE", ok=True)
    expect(path, "no variation left after unit and year effects", "IV3", ok=True)
    assert "FSIE" not in table and "IV3" not in table and "IV2" in table


def test_required_only_file_passes_and_says_what_cannot_be_built(ana, tmp_path, monkeypatch):
    path = write_csv(ana[["unit_id", "year", "ERL", "AIE", "lngdp", "imp", "exp", "inst", "tra"]], tmp_path / "req.csv")
    report, _table = run_check(path)
    assert report.ok, report.render()
    assert report.tables["Table 3"] is None
    for name in ("Table 2", "Table 5", "Table 6", "Table 7", "Table 8", "Table 9", "Table 10"):
        assert report.tables[name] and re.search(r"the file has (no |neither|none of them)", report.tables[name]), name
    assert "IV2" in report.tables["Table 4"] and "IV1" not in report.tables["Table 4"]
    monkeypatch.setenv("AICHAIN_DATA", str(path))
    ap = panel.load_analysis_panel()
    assert ap.available("IV1") and not ap.available("FSIE")


def test_valid_inputs_whose_index_overflows_are_refused(raw, tmp_path):
    frame = raw.copy()
    frame["robots"] = frame["robots"].astype(float)
    frame.loc[5, "robots"] = 1e-300  # positive, so every input rule holds; WCV divides by it
    path = write_csv(frame, tmp_path / "tiny.csv")
    report, _ = expect(path, r"above 1e\+15.*robots=1e-300", "WCV", rows=[5])
    assert not report.ok


# --------------------------------------------------------------------------- rows that are not data
@pytest.mark.parametrize(("column", "word"), [("unit_id", "平均值"), ("unit_id", "合计"), ("industry_type", "Total")])
def test_summary_row_is_refused_with_its_row(ana, tmp_path, column, word):
    frame = ana.astype(object).copy()
    summary = frame.iloc[[0]].copy()
    summary[column] = word
    frame = pd.concat([frame, summary], ignore_index=True)
    path = write_csv(frame, tmp_path / "summary.csv")
    report, _ = expect(path, "summary rows", rows=[len(ana)])
    assert word in report.render()


def test_file_cut_off_mid_row_is_refused(ana, tmp_path):
    path = tmp_path / "cut.csv"
    text = ana.to_csv(index=False, lineterminator="\n")
    path.write_text(text[: text.rstrip("\n").rfind(",") - 3], encoding="utf-8")  # last line cut, no line break
    expect(path, "cut off mid-row", rows=[len(ana) - 1])


def test_short_row_in_the_middle_is_refused(ana, tmp_path):
    lines = ana.to_csv(index=False, lineterminator="\n").splitlines()
    lines[4] = ",".join(lines[4].split(",")[:10])
    path = tmp_path / "short.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expect(path, "fewer fields than the header", rows=[3])


# --------------------------------------------------------------------------- ids that are not the file's
def test_ids_above_2_53_stay_exact(ana, tmp_path):
    frame = ana.copy()
    base = 2**60
    frame["unit_id"] = frame["unit_id"].map({u: base + i for i, u in enumerate(sorted(frame["unit_id"].unique()))})
    path = write_csv(frame, tmp_path / "bigids.csv")
    report, table = run_check(path)
    assert report.ok, report.render()
    assert table["unit_id"].dtype == np.int64
    assert sorted(table["unit_id"].unique()) == [base + i for i in range(4)]
    pq = tmp_path / "bigids.parquet"
    frame.astype({"unit_id": "int64"}).to_parquet(pq)
    report, table = run_check(pq)
    assert sorted(table["unit_id"].unique()) == [base + i for i in range(4)]


def test_float_ids_above_2_53_warn(ana, tmp_path):
    frame = ana.copy()
    frame["unit_id"] = frame["unit_id"].astype(float) + 2.0**60
    path = tmp_path / "float.parquet"
    frame.to_parquet(path)
    report, _ = run_check(path)
    assert any("2^53" in t for t in texts(report, "warning"))


def test_ids_in_parquet_index_are_used(ana, tmp_path):
    path = tmp_path / "indexed.parquet"
    ana.set_index(["unit_id", "year"]).to_parquet(path)
    report, table = run_check(path)
    assert report.ok, report.render()
    assert report.found["unit_id"].status == "matched"
    assert list(table["unit_id"]) == list(ana["unit_id"])
    assert any("index" in n for n in report.notes)
    assert {"unit_id", "year"} <= set(datainput.read_header(path))


def test_ids_numbered_within_industry_are_named(ana, tmp_path):
    frame = ana.copy()
    frame["unit_id"] = frame.groupby("industry_id")["unit_id"].rank(method="dense").astype(int)
    path = write_csv(frame, tmp_path / "within.csv")
    report, _ = expect(path, "numbered within each industry")
    assert not any("uniquely" in t for t in texts(report))


# --------------------------------------------------------------------------- the level guessed wrong
def test_finished_file_with_raw_inputs_is_read_as_finished(ana, raw, tmp_path):
    extra = raw.drop(columns=["unit_id", "industry_id", "province_id", "year", "industry_type", "chain_position",
                              "tech_level", "factor_market_index"]).iloc[:, :30]  # fmt: skip
    frame = pd.concat([ana, extra.iloc[: len(ana)].reset_index(drop=True)], axis=1)
    path = write_csv(frame, tmp_path / "both.csv")
    report, table = run_check(path)
    assert report.ok and report.level == "analysis", report.render()
    assert any("raw inputs are not used" in n for n in report.notes)
    assert np.allclose(table["ERL"], ana["ERL"])


# --------------------------------------------------------------------------- misleading advice
def _xlsx(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_excel(path, index=False)
    return path


@pytest.mark.parametrize("kind", ["xlsx", "dta", "parquet", "xls", "dta115"])
def test_binary_file_renamed_csv_is_recognised(ana, tmp_path, kind):
    path = tmp_path / "renamed.csv"
    if kind == "xlsx":
        _xlsx(ana, tmp_path / "a.xlsx").rename(path)
    elif kind == "dta":
        ana.to_stata(tmp_path / "a.dta", write_index=False, version=118)
        (tmp_path / "a.dta").rename(path)
    elif kind == "dta115":
        ana.to_stata(tmp_path / "a.dta", write_index=False, version=114)
        (tmp_path / "a.dta").rename(path)
    elif kind == "parquet":
        ana.to_parquet(path)
    else:
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    message = expect_refused(path, "its content is")
    assert "encoding" not in message.split("It is not a text file")[0]
    assert "no encoding setting can read it" in message


def test_text_file_named_xlsx_is_recognised(ana, tmp_path):
    path = write_csv(ana, tmp_path / "text.xlsx")
    expect_refused(path, "not one .*text file renamed")


def test_first_sheet_of_notes_is_named(ana, tmp_path):
    path = tmp_path / "notes.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"说明": ["本表为数据说明", "单位: 万元"]}).to_excel(writer, sheet_name="说明", index=False)
        ana.to_excel(writer, sheet_name="data", index=False)
    report, _ = expect(path, "'data' has the book's columns: AICHAIN_SHEET=data")
    assert "'说明'" in report.render()
    report, _ = run_check(path, sheet="data")
    assert report.ok


def test_merged_title_row_is_named(ana, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["创新链面板数据 (2013-2023)"] + [None] * (ana.shape[1] - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ana.shape[1])
    ws.append(list(ana.columns))
    for row in ana.itertuples(index=False):
        ws.append([None if isinstance(x, float) and np.isnan(x) else x for x in row])
    path = tmp_path / "title.xlsx"
    wb.save(path)
    expect(path, r"header is on data row 0 \(spreadsheet row 2\).*merged title row")


def test_two_row_header_is_named(ana, tmp_path):
    second = pd.DataFrame([["单元", "行业", "年份", "布局重构效能", "人工智能嵌入"] + ["x"] * (ana.shape[1] - 5)],
                          columns=ana.columns)  # fmt: skip
    path = write_csv(pd.concat([second, ana.astype(object)], ignore_index=True), tmp_path / "tworow.csv")
    expect(path, "second header row", rows=[0])


def test_reversed_column_map_is_named(ana, tmp_path):
    path = write_csv(ana.rename(columns={"ERL": "erl_total"}), tmp_path / "renamed.csv")
    cmap = tmp_path / "map.yml"
    cmap.write_text("ERL: erl_total\n", encoding="utf-8")
    expect(path, "looks reversed.*`erl_total: ERL`", columns=str(cmap))


def test_column_map_to_no_book_variable_is_named(ana, tmp_path):
    path = write_csv(ana.rename(columns={"FSIE": "fs_eff"}), tmp_path / "renamed.csv")
    cmap = tmp_path / "map.yml"
    cmap.write_text("fs_eff: FSEI\n", encoding="utf-8")
    report, _ = expect(path, "no variable of the book. Did you mean 'FSIE'", columns=str(cmap))
    assert "fs_eff" in report.render()


@pytest.mark.parametrize(
    ("name", "value", "pattern"),
    [
        ("AICHAIN_DATE", "x.csv", "unknown switch.*Did you mean AICHAIN_DATA"),
        ("AICHAIN_COLUMN", "m.yml", "Did you mean AICHAIN_COLUMNS"),
        ("AICHAIN_AIE_WEIGHTS", "entrpy", "must be one of entropy, published. Did you mean entropy"),
        ("AICHAIN_EDITION", "teacher", "must be one of instructor, student"),
    ],
)
def test_mistyped_switch_fails_the_check(monkeypatch, capsys, name, value, pattern):
    monkeypatch.setenv(name, value)
    assert checkdata.run_check() == 2
    out = capsys.readouterr().out
    assert re.search(pattern, out), out
    assert "AICHAIN_SHEET" in out or "must be one of" in out


def test_known_switches_pass(monkeypatch):
    for name in datainput.KNOWN_SWITCHES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AICHAIN_AIE_WEIGHTS", "published")
    monkeypatch.setenv("AICHAIN_EDITION", "student")
    assert datainput.check_environment() == []


# --------------------------------------------------------------------------- found on the way
def test_trailing_empty_rows_are_named(ana, tmp_path):
    path = tmp_path / "trailing.csv"
    text = ana.to_csv(index=False, lineterminator="\n") + "," * (ana.shape[1] - 1) + "\n"
    path.write_text(text, encoding="utf-8")
    report, _ = expect(path, "every cell empty", rows=[len(ana)])
    assert sum("every cell empty" in t for t in texts(report)) == 1


def test_date_cells_in_the_year_column_are_named(ana, tmp_path):
    frame = ana.copy()
    frame["year"] = pd.to_datetime(frame["year"].astype(str) + "-01-01")
    path = _xlsx(frame, tmp_path / "dates.xlsx")
    expect(path, "a date", "year", rows=[0, 1, 2, 3, 4])


def test_optional_variable_with_too_few_rows_is_treated_as_absent(ana, tmp_path):
    frame = ana.copy()
    frame.loc[frame.index[6:], "IV4"] = np.nan  # six rows left: fewer than equation (1) with two-way effects needs
    path = write_csv(frame, tmp_path / "few.csv")
    report, table = expect(path, "too few usable rows", "IV4", ok=True)
    assert "IV4" not in table and "too few" in report.tables["Table 4"]


def test_computed_region_groups_are_checked(ana, tmp_path):
    frame = ana.drop(columns=["region"]).assign(factor_market_index=ana["province_id"] * 1.0)
    path = write_csv(frame, tmp_path / "region.csv")
    report, _ = run_check(path)
    assert report.ok and report.found["region"].status == "computed"
    assert report.tables["Table 9"] is not None and "region" in report.tables["Table 9"]


@pytest.mark.parametrize("unique", [True, False])
def test_stata_value_labels_on_ids_keep_the_files_numbers(ana, tmp_path, unique):
    frame = ana.copy()
    names = {123: "钢铁", 124: "煤炭", 489: "化工", 490: "化工" if not unique else "纺织"}
    path = tmp_path / "labelled.dta"
    frame.to_stata(path, write_index=False, version=118, value_labels={"unit_id": names})
    report, table = run_check(path)
    assert report.ok, report.render()
    assert sorted(table["unit_id"].unique()) == [123, 124, 489, 490]
    assert any("value labels" in n for n in report.notes)


def test_switches_that_do_not_apply_to_the_file_warn(ana, tmp_path):
    path = tmp_path / "plain.parquet"
    ana.to_parquet(path)
    report, _ = run_check(path, sheet="data", encoding="gb18030")
    warned = " ".join(texts(report, "warning"))
    assert "AICHAIN_SHEET=data is set but" in warned and "AICHAIN_ENCODING=gb18030 is set but" in warned


def test_gbk_column_map_with_chinese_names(ana, tmp_path):
    path = write_csv(ana.rename(columns={"ERL": "重构效能总指数"}), tmp_path / "zh.csv")
    cmap = tmp_path / "map.yml"
    cmap.write_bytes("重构效能总指数: ERL\n".encode("gb18030"))
    report, _ = run_check(path, columns=str(cmap))
    assert report.ok and report.found["ERL"].status == "mapped", report.render()


def test_ids_that_differ_only_in_leading_zeros_are_refused(ana, tmp_path):
    frame = ana.astype({"unit_id": str}).copy()
    frame.loc[frame["unit_id"] == "124", "unit_id"] = "0123"  # a different unit, written with a leading zero
    path = write_csv(frame, tmp_path / "zeros.csv")
    expect(path, "leading zeros", "unit_id")
    padded = ana.assign(unit_id=ana["unit_id"].astype(str).str.zfill(6))  # consistently padded: read as numbers
    report, table = run_check(write_csv(padded, tmp_path / "padded.csv"))
    assert report.ok and sorted(table["unit_id"].unique()) == sorted(ana["unit_id"].unique()), report.render()


def test_incomplete_finished_file_with_raw_columns_says_what_the_finished_level_lacks(ana, raw, tmp_path):
    extra = raw[[c for c in raw.columns if c.startswith("aie_")]].iloc[: len(ana)].reset_index(drop=True)
    frame = pd.concat([ana.drop(columns=["tra"]), extra], axis=1)
    path = write_csv(frame, tmp_path / "almost.csv")
    expect(path, r"would lack only \['tra'\]")
