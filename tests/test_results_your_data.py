"""The "Your data" chapter's results object: the check of the shipped examples and the schema's counts."""

from __future__ import annotations

from aichain_utils.inputs import checkdata, schema
from aichain_utils.paths import data_dir
from aichain_utils.replication import results
from aichain_utils.replication.results import your_data as ryd


def test_numbers_are_the_check_reports_and_the_schema(clean_data_env):
    yd = results.data_checks()
    n = yd.numbers()
    folder = data_dir() / "templates"
    bad, _ = checkdata.check_file(folder / ryd.BAD_EXAMPLE, columns="", encoding="utf-8")
    good, _ = checkdata.check_file(folder / ryd.GOOD_EXAMPLE, columns="", encoding="utf-8", sheet=None)
    assert n.n_bad_violations == len(bad.errors) > 0 and good.ok
    assert n.n_good_rows == good.n_rows
    assert n.n_good_absent == sum(f.status == "absent" for f in good.found.values())
    assert n.n_required == sum(v.required for v in schema.ANALYSIS_VARIABLES)
    assert n.n_raw_columns == len(schema.RAW_VARIABLES)
    assert (n.first_year, n.last_year) == (schema.FIRST_YEAR, schema.LAST_YEAR)
    assert n.max_abs == "1e+15"


def test_report_text_names_the_file_as_in_the_repository(clean_data_env):
    yd = results.data_checks()
    root = f"{data_dir().parent}/"
    assert root not in yd.good_report_text and root not in yd.bad_report_text
    assert "data/templates/example_finished_stata.dta" in yd.good_report_text
    assert yd.bad_report_text == yd.bad_report.render().replace(root, "")


def test_needs_table_names_the_indicators_once():
    needs = ryd.needs_table()
    assert len(needs) == sum(len(pieces) for pieces in schema.TABLE_NEEDS.values())
    assert (needs["needs"] == "the 24 indicators (raw level)").sum() == 1
    assert not needs["needs"].str.contains("aie_indicators").any()
    assert list(results.data_checks().variables_table().columns) == [
        "name", "chinese", "meaning", "unit", "required", "tables"
    ]  # fmt: skip
