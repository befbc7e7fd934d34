"""Helpers shared by the data-input tests (``tests/test_data_input.py``, ``tests/test_data_input_cases.py``).

Their fixtures (``clean_data_env``, ``ana``, ``raw``) are in ``tests/conftest.py``; plain functions live
here, imported by name (a fixture imported into a test module would be redefined by each test's argument).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from aichain_utils.inputs.checkdata import check_file

#: The switches a data-input test must not inherit from the shell that runs it.
ENV = ["AICHAIN_DATA", "AICHAIN_COLUMNS", "AICHAIN_ENCODING", "AICHAIN_SHEET", "AICHAIN_CWD", "AICHAIN_AIE_WEIGHTS"]


def sha(path: Path) -> str:
    """The file's SHA-256 (a user's file must be byte-identical after a check)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_check(path: Path, **kw):
    """check_file, asserting the file is byte-identical afterwards."""
    before = sha(path)
    try:
        return check_file(path, **kw)
    finally:
        assert sha(path) == before, "the user's file was modified"


def write_csv(frame: pd.DataFrame, path: Path, **kw) -> Path:
    """Write ``frame`` to ``path`` as a CSV without the index; return the path."""
    frame.to_csv(path, index=False, **kw)
    return path
