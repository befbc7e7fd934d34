"""The typed reading of a text file (pyarrow, one pass) gives what the strict reading gives.

``datainput._read_text_typed`` reads a well-formed UTF-8 CSV with types (so a replicator's 2.35 M-row
file is checked in seconds, not minutes) and hands anything unusual to the strict reading. These
tests hold the two readings to the same report and the same table, cell for cell: on the analysis
template, and on files that ``hypothesis`` writes with the tokens a spreadsheet produces (text
codes, missing-value codes, thousands separators, dates, ``nan``, ids with leading zeros, numeric
group codes, empty cells) in any column, with any of the four delimiters, with or without a BOM.
"""

from __future__ import annotations

import string

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aichain_utils.inputs import checkdata, datainput

TOKENS = [
    "", " ", "7", "007", "+7", "-3", "2.5", " 2.5", "1e3", ".5", "5.", "1,234", "3,5", "5%", "NA", "#N/A", ".",
    "nan", "inf", "-inf", "2013-01-01", "12:30", "true", "C13", "13-007", "labour", "front", "high", "other",
    "1", "2", "3", "缺失", "9007199254740993", "99999999999999999999",
]  # fmt: skip
DELIMITERS = [",", ";", "\t", "|"]


def _both(path, monkeypatch):
    """(report, table) of the typed reading and of the strict one, and whether the typed one read the file."""
    used = []
    real = datainput._read_text_typed

    def spy(*args):
        out = real(*args)
        used.append(out is not None)
        return out

    monkeypatch.setattr(datainput, "_read_text_typed", spy)
    typed = checkdata.check_file(path, columns="")
    monkeypatch.setattr(datainput, "_read_text_typed", lambda *args: None)
    strict = checkdata.check_file(path, columns="")
    return typed, strict, used == [True]


def _same(typed, strict):
    (r1, t1), (r2, t2) = typed, strict
    assert r1.render() == r2.render()
    assert r1.encoding == r2.encoding and r1.delimiter == r2.delimiter
    if t2 is None:
        assert t1 is None
    else:
        pd.testing.assert_frame_equal(t1, t2)


@pytest.fixture
def no_env(monkeypatch):
    for var in ("AICHAIN_DATA", "AICHAIN_COLUMNS", "AICHAIN_ENCODING", "AICHAIN_SHEET", "AICHAIN_CWD"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize("sep", DELIMITERS)
@pytest.mark.parametrize("bom", [False, True])
def test_template_reads_typed_and_the_same(ana, tmp_path, monkeypatch, no_env, sep, bom):
    path = tmp_path / "f.csv"
    ana.to_csv(path, index=False, sep=sep, encoding="utf-8-sig" if bom else "utf-8")
    typed, strict, fast = _both(path, monkeypatch)
    assert fast, "a well-formed UTF-8 file must be read by the typed reading"
    assert typed[0].ok
    _same(typed, strict)


def test_leading_zero_ids_keep_their_text(ana, tmp_path, monkeypatch, no_env):
    frame = ana.astype({"unit_id": object})
    frame.loc[0, "unit_id"] = "0" + str(frame["unit_id"].iloc[0])  # '0123' in one row, '123' in the others
    frame.to_csv(path := tmp_path / "f.csv", index=False)
    typed, strict, fast = _both(path, monkeypatch)
    assert fast
    assert not strict[0].ok and "leading zeros" in strict[0].render()
    _same(typed, strict)


#: Tokens pyarrow would read as a number, a date or a boolean, or whose text matters (leading zeros, signs).
TYPED_TOKENS = ["nan", "inf", "-inf", "007", "+7", "1e3", " 2.5", "2013-01-01", "12:30", "true", "9007199254740993", ""]


@pytest.mark.parametrize("column", ["ERL", "unit_id", "chain_position"])
@pytest.mark.parametrize("token", TYPED_TOKENS)
def test_a_token_in_a_column_gives_the_same_report_and_table(ana, tmp_path, monkeypatch, no_env, column, token):
    frame = ana.astype(object)
    frame.loc[3, column] = token
    frame.to_csv(path := tmp_path / "f.csv", index=False)
    _same(*_both(path, monkeypatch)[:2])


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(st.tuples(st.integers(0, 43), st.integers(0, 28), st.sampled_from(TOKENS)), min_size=1, max_size=6),
    sep=st.sampled_from(DELIMITERS),
    bom=st.booleans(),
    label=st.text(string.ascii_letters + "_ ", min_size=1, max_size=8),
)
def test_spreadsheet_tokens_give_the_same_report_and_table(ana, tmp_path, monkeypatch, no_env, cells, sep, bom, label):
    frame = ana.astype(object)
    for row, col, token in cells:
        frame.iloc[row, col] = token
    frame = frame.rename(columns={frame.columns[-1]: frame.columns[-1] if label.strip() == "" else label})
    path = tmp_path / "f.csv"
    frame.to_csv(path, index=False, sep=sep, encoding="utf-8-sig" if bom else "utf-8")
    typed, strict, _ = _both(path, monkeypatch)
    _same(typed, strict)
