"""Shared fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from aichain_utils.paths import published_dir, repo_root


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "slow: builds the book (or a copy of it) or runs kernels; `make test` runs them, "
        "`pytest -m 'not slow'` skips them while iterating",
    )


@pytest.fixture()
def published_copy(tmp_path: Path) -> Path:
    """A writable copy of data/published/ for tests that damage files on purpose."""
    target = tmp_path / "published"
    shutil.copytree(published_dir(), target)
    return target


@pytest.fixture(scope="session")
def root() -> Path:
    return repo_root()


# --------------------------------------------------------------------------- data input (the check, the panel)
@pytest.fixture()
def clean_data_env(monkeypatch):
    """No ``AICHAIN_*`` switch of the shell running the tests (a data-input module uses it for every test)."""
    from datainput_helpers import ENV

    for var in ENV:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="module")
def ana(root) -> pd.DataFrame:
    """The analysis-level template, ``data/templates/analysis_template.csv``."""
    return pd.read_csv(root / "data" / "templates" / "analysis_template.csv")


@pytest.fixture(scope="module")
def raw(root) -> pd.DataFrame:
    """The raw-input template, ``data/templates/raw_template.csv``."""
    return pd.read_csv(root / "data" / "templates" / "raw_template.csv")


# --------------------------------------------------------------------------- the order of the files
#: Files that take the longest (``make test``'s --durations): collected first, so that on two workers
#: (``pytest -n 2 --dist loadfile``, as ``make test`` runs it) they start at once and the short files
#: fill the other worker, instead of a long file starting last. Each file's own order is unchanged.
LONGEST_FIRST = (
    "test_incremental_builds.py",
    "test_teaching_kit.py",
    "test_browser.py",
    "test_expected.py",
    "test_pdf.py",
    "test_pdf_student.py",
    "test_build_failure.py",
    "test_closest_world.py",
    "test_simulate.py",
)


def pytest_collection_modifyitems(session, config, items):
    def rank(item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # a stable sort: the other files keep their order
