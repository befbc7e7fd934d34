"""Results object of the "Your data" chapter: the check of a replicator's file, run on the shipped examples.

``chapters/your_data.md`` shows what ``make check-data`` reports on two example files of
``data/templates`` (a clean Stata file of finished variables and a CSV with typical spreadsheet mistakes),
and cites the rules of :mod:`aichain_utils.inputs.schema`. :func:`data_checks` (prefix ``yd``) runs the
check when the book is built and holds the counts the prose cites.
"""

from __future__ import annotations

import re

import pandas as pd

from aichain_utils.inputs import checkdata, schema
from aichain_utils.inputs.datainput import render_report
from aichain_utils.paths import data_dir
from aichain_utils.replication.numbers import Bilingual, Numbers, Results

__all__ = ["DataChecks", "data_checks", "needs_table", "report_block", "report_text"]

#: The shipped example files the chapter checks (in ``data/templates``).
GOOD_EXAMPLE = "example_finished_stata.dta"
BAD_EXAMPLE = "example_with_mistakes.csv"


def report_text(report) -> Bilingual:
    """A check report as ``make check-data`` prints it, with the file's path as in the repository: its
    English is what ``make check-data`` prints (:meth:`~aichain_utils.inputs.datainput.CheckReport.render`),
    its Chinese the same report in Chinese (:func:`~aichain_utils.inputs.datainput.render_report`)."""
    root = f"{data_dir().parent}/"
    return Bilingual(report.render().replace(root, ""), render_report(report, "zh").replace(root, ""))


def report_block(text: Bilingual) -> Bilingual:
    """A report (:func:`report_text`) as a Markdown code block in each language, for a cell to display
    (:func:`aichain_utils.book.show_markdown`): the English page shows the English report as printed, the
    Chinese page the Chinese one. The fence is longer than any run of backticks in the report."""

    def fenced(report: str) -> str:
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", report)), default=0))
        return f"{fence}text\n{report}\n{fence}"

    return Bilingual(fenced(text.en), fenced(text.zh))


def needs_table() -> pd.DataFrame:
    """What each of the paper's tables needs (:data:`~aichain_utils.inputs.schema.TABLE_NEEDS`): one row per
    part of a table, its variables named as the book names them (the 24 indicators as one entry)."""
    rows = [
        {
            "table": table,
            "part": part,
            "needs": ", ".join("the 24 indicators (raw level)" if n == "aie_indicators" else n for n in names),
        }
        for table, pieces in schema.TABLE_NEEDS.items()
        for part, names in pieces
    ]
    return pd.DataFrame(rows)


class DataChecks(Results):
    """The check of the two example files and the schema's rules the chapter cites.

    Attributes
    ----------
    good_report, bad_report : CheckReport
        :func:`aichain_utils.inputs.checkdata.check_file` on the clean and on the faulty example (no column
        map, UTF-8, the first sheet: the environment's switches do not apply to the shipped files).
    good_report_text, bad_report_text : Bilingual
        The two reports as printed, and in Chinese (:func:`report_text`).
    """

    prefix = "yd"

    def __init__(self):
        folder = data_dir() / "templates"
        self.good_report, _ = checkdata.check_file(folder / GOOD_EXAMPLE, columns="", encoding="utf-8", sheet=None)
        self.bad_report, _ = checkdata.check_file(folder / BAD_EXAMPLE, columns="", encoding="utf-8")
        self.good_report_text = report_text(self.good_report)
        self.bad_report_text = report_text(self.bad_report)

    def report_markdown(self, which: str) -> Bilingual:
        """The ``"good"`` or the ``"bad"`` example's report as a code block in both languages
        (:func:`report_block`), for :func:`aichain_utils.book.show_markdown`."""
        return report_block({"good": self.good_report_text, "bad": self.bad_report_text}[which])

    def variables_table(self) -> pd.DataFrame:
        """The analysis-level variables: name, Chinese name, meaning, unit, required, tables."""
        dictionary = schema.data_dictionary("analysis")
        return dictionary[["name", "chinese", "meaning", "unit", "required", "tables"]]

    def needs_table(self) -> pd.DataFrame:
        """What each table needs (:func:`needs_table`)."""
        return needs_table()

    def numbers(self) -> Numbers:
        """The violations of the faulty example, the rows and absent variables of the clean one, and the
        schema's counts and limits (required finished variables, raw columns, the paper's years, the
        largest magnitude accepted)."""
        return Numbers(
            self.prefix,
            {
                "n_bad_violations": len(self.bad_report.errors),
                "n_good_absent": sum(f.status == "absent" for f in self.good_report.found.values()),
                "n_good_rows": self.good_report.n_rows,
                "n_required": sum(v.required for v in schema.ANALYSIS_VARIABLES),
                "n_raw_columns": len(schema.RAW_VARIABLES),
                "first_year": schema.FIRST_YEAR,
                "last_year": schema.LAST_YEAR,
                "max_abs": f"{schema.MAX_ABS:.0e}",
            },
        )


def data_checks() -> DataChecks:
    """The check of the chapter's example files (see :class:`DataChecks`)."""
    return DataChecks()
