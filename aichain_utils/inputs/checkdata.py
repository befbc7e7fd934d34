"""``make check-data``: a replicator's file read, checked against every rule and, at the raw level,
its indices computed once to name any that overflow.

The top of the input layer: :func:`check_file` builds on :func:`aichain_utils.inputs.checks.read_checked`
(the reading and the rules) and on :func:`aichain_utils.inputs.panel.build_analysis_panel` (the
indices); :func:`run_check` prints the report :func:`aichain_utils.inputs.datainput.render_report` words.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from aichain_utils.inputs.checks import _rows, read_checked
from aichain_utils.inputs.datainput import DATA_VAR, CheckReport, DataInputError, check_environment
from aichain_utils.inputs.panel import build_analysis_panel
from aichain_utils.inputs.schema import MAX_ABS
from aichain_utils.text import Bilingual

__all__ = ["check_file", "overflow_check", "run_check"]


def check_file(
    path: str | Path | None = None,
    columns: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    compute: bool = True,
) -> tuple[CheckReport, pd.DataFrame | None]:
    """Check a data file and return the report and, if it passes, the typed table in book names.

    :func:`aichain_utils.inputs.checks.read_checked` (same parameters, defaults, returns and errors), and,
    with ``compute`` at the raw level, the indices computed once to name any that overflow
    (:func:`overflow_check`). The file is only read.
    """
    report, table = read_checked(path, columns, encoding, sheet)
    if compute and table is not None and report.level == "raw":
        overflow_check(table, report)
    return report, (table if report.ok else None)


def overflow_check(frame: pd.DataFrame, report: CheckReport) -> None:
    """Raw level: compute the indices once and name any that overflow to inf or NaN."""
    try:
        with np.errstate(all="ignore"):
            built = build_analysis_panel(frame, aie_weights="entropy").data
    except ValueError as exc:
        # the builder's own message, in English in both languages
        report.add(
            Bilingual(f"the indices cannot be computed from these inputs: {exc}", f"无法根据这些输入计算各指数：{exc}")
        )
        return
    first = built.groupby("unit_id")["year"].transform("min") == built["year"]
    prev = built.groupby("unit_id")["year"].shift(1) != built["year"] - 1
    key_missing = frame.set_index(["unit_id", "year"])["key_input"].isna()
    key_missing = key_missing.reindex(pd.MultiIndex.from_frame(built[["unit_id", "year"]])).to_numpy()
    allowed_nan = {"ITSE": key_missing, "LCV": first.to_numpy(), "IV1": prev.to_numpy()}
    for col in built.select_dtypes("number").columns:
        s = built[col]
        undefined = allowed_nan.get(col, np.zeros(len(s), bool))
        bad = ~np.isfinite(s.fillna(0)) | s.abs().gt(MAX_ABS) | (s.isna() & ~undefined)
        if bad.any():
            first = built.loc[bad.to_numpy(), ["unit_id", "year"]].iloc[0]
            extreme = _extreme_inputs(frame, first)
            report.add(
                Bilingual(
                    f"computing it from your inputs gives inf, NaN or |value| above {MAX_ABS:.0e} (the regressions "
                    f"overflow); in the first such row (unit {first['unit_id']}, year {first['year']}) the most "
                    f"extreme inputs are {extreme}: check their units",
                    f"根据你的输入计算它会得到无穷大、缺失值（NaN）或大于 {MAX_ABS:.0e} 的 |数值|"
                    f"（回归会溢出）；在第一个这样的行（个体 {first['unit_id']}，年份 {first['year']}）中，"
                    f"最极端的输入是 {extreme}：请检查它们的计量口径",
                ),
                col, None, _rows(bad), s[bad].head(5).tolist(),
            )  # fmt: skip


def _extreme_inputs(frame: pd.DataFrame, key: pd.Series) -> list[str]:
    """The three raw inputs of one unit-year farthest (in orders of magnitude) from their column's median."""
    row = frame[(frame["unit_id"] == key["unit_id"]) & (frame["year"] == key["year"])]
    if row.empty:
        return []
    score = {}
    for col in frame.select_dtypes("number").columns.drop(["unit_id", "industry_id", "province_id", "year"],
                                                             errors="ignore"):  # fmt: skip
        x, med = abs(float(row[col].iloc[0])), float(frame[col].abs().median())
        if x > 0 and med > 0 and np.isfinite(x):
            score[col] = abs(np.log10(x / med))
    return [f"{c}={float(row[c].iloc[0]):g}" for c in sorted(score, key=score.get, reverse=True)[:3]]


def run_check(brief: bool = False) -> int:
    """``make check-data``: check ``AICHAIN_DATA`` and print one report; 0 if it passes, else 2.

    With ``brief`` (the first step of ``make book``) a passing file gets a one-line summary
    and a failing one the full report, printed last. With ``AICHAIN_DATA`` unset there is
    nothing to check: the book is built from the simulated panel.
    """
    problems = check_environment()
    if problems:
        print("Environment check: FAILED (nothing was read or built).\n  - " + "\n  - ".join(problems))
        return 2
    if DATA_VAR not in os.environ:
        print(f"check-data: {DATA_VAR} is not set, so the book is built from the simulated panel.")
        return 0
    try:
        report, _ = check_file()
    except DataInputError as exc:
        print(f"Data check: {os.environ[DATA_VAR]!r}\n\nResult: FAILED. {exc}")
        return 2
    if brief and report.ok:
        print(
            f"check-data: {report.path.name} passed ({report.level} level, {report.n_rows} rows, "
            f"{len(report.warnings)} warning(s)); `make check-data` prints the full report."
        )
    else:
        print(report.render())
    return 0 if report.ok else 2
