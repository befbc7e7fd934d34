"""A typed numeric column within every rule is checked in one numpy pass (``checks._clean_numbers``, the
common case: the simulator's panels, a Stata or Parquet file); anything else takes the full check. Both
give the same column and the same report: compared here on clean columns and on every kind of violation,
with the one-pass path switched off for the reference."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aichain_utils.inputs import checks
from aichain_utils.inputs.datainput import CheckReport
from aichain_utils.inputs.schema import MAX_ABS, Variable

COLUMNS = {
    "clean floats": pd.Series([0.5, 1.25, 3.0], index=[4, 5, 6], name="x"),
    "clean ints": pd.Series([1, 2, 3], dtype="int64"),
    "nullable ints": pd.Series([1, None, 3], dtype="Int64"),
    "missing": pd.Series([0.5, np.nan, 2.0]),
    "inf": pd.Series([0.5, np.inf, -np.inf]),
    "huge": pd.Series([0.5, 2 * MAX_ABS, -3 * MAX_ABS]),
    "at the bound": pd.Series([0.0, 1.0, 2.0]),
    "below the bound": pd.Series([-1.0, 1.0, 2.0]),
    "booleans": pd.Series([True, False, True]),
    "text": pd.Series(["1.5", "2,5", ""], dtype=object),
}
VARIABLES = [
    Variable("v", "变量", "a number"),
    Variable("v", "变量", "a positive number", lower=0.0, strict=True, nullable=False),
    Variable("v", "变量", "a non-negative number", lower=0.0, nullable=False),
]


def _check(v: Variable, s: pd.Series):
    report = CheckReport(path=Path("file.csv"))
    out = checks._parse_number(v, "user_v", s, report)
    return out, [(asdict(x), getattr(x.rule, "zh", None)) for x in report.violations]  # the rule in both languages


@pytest.mark.parametrize("name", list(COLUMNS))
@pytest.mark.parametrize("v", VARIABLES, ids=["free", "strict bound", "bound"])
def test_the_one_pass_check_gives_what_the_full_check_gives(name, v, monkeypatch):
    fast = _check(v, COLUMNS[name])
    monkeypatch.setattr(checks, "_clean_numbers", lambda v, s: None)
    full = _check(v, COLUMNS[name])
    assert fast[1] == full[1]
    if full[0] is None:
        assert fast[0] is None
    else:
        pd.testing.assert_series_equal(fast[0], full[0])


def test_the_one_pass_check_takes_only_a_clean_typed_column():
    free, strict = VARIABLES[0], VARIABLES[1]
    assert checks._clean_numbers(free, COLUMNS["clean ints"]) is not None
    assert checks._clean_numbers(free, COLUMNS["missing"]) is not None  # a missing value is allowed here
    for name in ("inf", "huge", "booleans", "text"):
        assert checks._clean_numbers(free, COLUMNS[name]) is None, name
    for name in ("missing", "at the bound", "below the bound"):
        assert checks._clean_numbers(strict, COLUMNS[name]) is None, name
