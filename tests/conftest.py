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
#: Files that take the longest (``make test``'s --durations and its time per worker), the longest first:
#: collected first, so that on two workers (``pytest -n 2 --dist loadfile --no-loadscope-reorder``, as
#: ``make test`` runs it; without ``--no-loadscope-reorder`` xdist orders the files by their number of
#: tests instead) they start at once and the short files fill the other worker, instead of a long file
#: starting last. Each file's own order is unchanged.
LONGEST_FIRST = (
    "test_incremental_builds.py",
    "test_teaching_kit.py",
    "test_browser.py",
    "test_pdf_zh.py",
    "test_expected.py",
    "test_pdf.py",
    "test_pdf_student.py",
    "test_i18n.py",
    "test_build_failure.py",
    "test_closest_world.py",
    "test_simulate.py",
)

#: A file of a few seconds (no build, no kernel, no heavy import), handed out third (:func:`file_order`).
SHORT_THIRD = "test_ci_phases.py"


def file_order(names: list[str]) -> list[str]:
    """The order in which xdist hands the test files (``names``, in collection order) to its workers.

    :data:`LONGEST_FIRST`'s files first, in its order, then the others as collected; but the third file
    is a short one (:data:`SHORT_THIRD`, else the first other file): xdist hands a worker its next file
    when two tests or fewer of its files are left to run, so a worker takes the third file while the
    last tests of its first file still run (the incremental-build file's last test rebuilds the book);
    a long third file would wait behind them."""
    long = [n for n in LONGEST_FIRST if n in names]
    short = [n for n in dict.fromkeys(names) if n not in LONGEST_FIRST]
    if SHORT_THIRD in short:
        short.remove(SHORT_THIRD)
        short.insert(0, SHORT_THIRD)
    return long[:2] + short[:1] + long[2:] + short[1:]


def pytest_collection_modifyitems(session, config, items):
    order = file_order([item.path.name for item in items])
    items.sort(key=lambda item: order.index(item.path.name))  # a stable sort: each file keeps its order


# --------------------------------------------------------------------------- each worker's time
#: Seconds spent per worker ("gw0", "gw1"; "main" without xdist) per test file: setup, call and teardown.
_BUSY: dict[str, dict[str, float]] = {}


def pytest_runtest_logreport(report):
    worker = getattr(getattr(getattr(report, "node", None), "gateway", None), "id", None) or "main"
    files = _BUSY.setdefault(worker, {})
    path = report.nodeid.split("::")[0]
    files[path] = files.get(path, 0.0) + report.duration


def worker_times(busy: dict[str, dict[str, float]], longest: int = 4) -> list[str]:
    """One line per worker: its busy time (the sum of its tests' durations) and its longest files.

    The busiest worker's time is the pytest phase's critical path: ``make test`` prints it so that the
    order of :data:`LONGEST_FIRST` can be checked against it."""
    lines = []
    for worker, files in sorted(busy.items()):
        top = sorted(files.items(), key=lambda kv: -kv[1])[:longest]
        named = ", ".join(f"{Path(name).name} {seconds:.0f} s" for name, seconds in top)
        lines.append(f"{worker}: {sum(files.values()):.1f} s in {len(files)} test files; the longest: {named}")
    return lines


def pytest_terminal_summary(terminalreporter):
    if not hasattr(terminalreporter.config, "workerinput") and _BUSY:  # the controller, or no xdist
        terminalreporter.section("time per worker (setup + call + teardown)")
        for line in worker_times(_BUSY):
            terminalreporter.write_line(line)
