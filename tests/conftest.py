"""Shared fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
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
