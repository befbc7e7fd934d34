"""The book on other data, built incrementally: never a stale page, never a false sentence.

A copy of the repository is built four times in a row, without ``make clean``, the way a
replicator works:

1. on the default simulated panel;
2. on an unbalanced raw-input CSV with 12 industries (``tests/altdata.py``);
3. on an analysis-level Stata file, Stata-style names, from a world with no AIE effect;
4. after a change to ``aichain_utils/`` alone.

After each switch the pages must show the new data's numbers (checked against a regression the test
runs itself on that data), every page's banner must name the data in force, and no page may carry
simulation-only wording, ``nan``, or the default panel's counts. The build uses the package of the
copy (``PYTHONPATH``), so a change to the copy's package is what the build sees.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import altdata

from aichain_utils.buildstate import STAMP_NAME
from aichain_utils.paths import repo_root, toc_pages

pytestmark = pytest.mark.slow

ROOT = repo_root()
BIN = Path(sys.executable).parent
IGNORE = shutil.ignore_patterns(".venv", "_build", "artifacts", ".git", ".pytest_cache", ".ruff_cache", "__pycache__")

#: Wording that is true only of the simulated panel; it must not appear on a build from other data.
SIMULATION_ONLY = [
    r"true effect of AIE on ERL is",
    r"from the truth",
    r"above their truth",
    r"builds? in the",
    r"built into the simulat",
    r"valid by construction",
    r"(on|in|beside) the simulated (panel|indicators)",
    r"\b61 per industry(?! in the paper)",
    r"The sample sizes match",
    r"simulated minimum",
]
NAN = re.compile(r"(?<![\w-])(nan|NaN|inf)(?![\w-])")


#: Sections about the simulator on pages that quote every chapter: true on any data, like the two
#: chapters themselves (the handouts quote their tables' captions).
ABOUT_THE_SIMULATOR = {"handout-simulated-world", "handout-simulation-lab"}


def _page_text(html: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer"]):
        tag.decompose()
    for anchor in soup.find_all(id=lambda i: i in ABOUT_THE_SIMULATOR):  # a label's span opens its section
        section = anchor if anchor.name == "section" else anchor.find_parent("section")
        if section is not None:
            section.decompose()
    main = soup.find("main") or soup
    return main.get_text(" ", strip=True)


def _build(repo: Path, **env_vars: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICHAIN_")}
    env.update(env_vars, PYTHONPATH=str(repo))
    proc = subprocess.run(
        ["make", "book", f"BIN={BIN}", "STAMP="],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    return log


#: Pages about code, not data: the API reference quotes docstrings, which may name the simulated panel.
NOT_ABOUT_DATA = {"api"}


def _pages(repo: Path) -> dict[str, str]:
    pages = [p for p in toc_pages(repo) if p not in NOT_ABOUT_DATA]
    return {page: _page_text(repo / "_build" / "html" / f"{page}.html") for page in pages}


def _main_coef(data) -> str:
    from aichain_utils import models

    return f"{models.fit_two_way_fe(data).coef:.3f}"


def _build_on_file(repo: Path, path: Path) -> tuple[Path, str, dict[str, str]]:
    """Build ``repo`` on the user's file ``path``; the file must be byte-identical afterwards."""
    before = path.read_bytes()
    log = _build(repo, AICHAIN_DATA=str(path))
    assert path.read_bytes() == before, "the user's file was modified"
    return path, log, _pages(repo)


def _seed_from_the_main_build(repo: Path) -> bool:
    """Start the sandbox from the execution cache of the build ``make test`` made, so that its first
    (simulated) build renders the cached outputs instead of executing every chapter again.

    Safe: jupyter-cache matches a notebook by its code, and the copied stamp is that build's inputs
    fingerprint, so the cache guard clears the copy if the sandbox's inputs differ from that build's.
    """
    cache, stamp = ROOT / "_build" / ".jupyter_cache", ROOT / "_build" / STAMP_NAME
    if not (cache.is_dir() and stamp.is_file()):
        return False
    shutil.copytree(cache, repo / "_build" / ".jupyter_cache")
    shutil.copy2(stamp, repo / "_build" / STAMP_NAME)
    return True


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("book") / "repo"
    shutil.copytree(ROOT, repo, ignore=IGNORE)
    _seed_from_the_main_build(repo)
    return repo


@pytest.fixture(scope="module")
def simulated_build(sandbox):
    _build(sandbox)
    return _pages(sandbox)


@pytest.fixture(scope="module")
def unbalanced(sandbox, simulated_build):
    return _build_on_file(sandbox, altdata.write_unbalanced_raw(sandbox.parent / "unbalanced.csv"))


def test_switching_to_other_data_rebuilds_every_page(unbalanced, simulated_build):
    from aichain_utils.panel import build_analysis_panel, read_raw_file

    path, log, pages = unbalanced
    assert "removed" in log and ".doctrees" in log, "the saved Sphinx state was not cleared"
    data = build_analysis_panel(read_raw_file(path), aie_weights="published").data  # a user's file's default
    assert _main_coef(data) in pages["chapters/baseline"]
    assert pages["chapters/baseline"] != simulated_build["chapters/baseline"]
    assert "The panel is unbalanced" in pages["chapters/baseline"]  # computed, not the default's "balanced"
    for page, text in pages.items():
        assert path.name in text, f"{page}: the banner does not name {path.name}"


@pytest.mark.parametrize("pattern", SIMULATION_ONLY)
def test_no_simulation_wording_on_other_data(unbalanced, pattern):
    _, _, pages = unbalanced
    found = {page: (re.search(pattern, text, re.I), text) for page, text in pages.items()}
    bad = {page: text[max(0, m.start() - 80) : m.end() + 40] for page, (m, text) in found.items() if m}
    bad.pop("chapters/simulation_lab", None)  # the lab is about simulated worlds on any data
    bad.pop("chapters/simulated_world", None)  # so is the page of the simulator's DGP
    assert not bad, f"simulation-only wording on a build from other data: {bad}"


def test_no_nan_on_other_data(unbalanced):
    _, _, pages = unbalanced
    bad = {page: text[max(0, m.start() - 80) : m.end() + 40] for page, text in pages.items() if (m := NAN.search(text))}
    assert not bad, f"nan/inf printed on a build from other data: {bad}"


def test_a_package_change_alone_rebuilds_every_page(sandbox, unbalanced):
    path = unbalanced[0]
    target = sandbox / "aichain_utils" / "display.py"
    target.write_text(target.read_text(encoding="utf-8") + "\n# a change to the package alone\n", encoding="utf-8")
    log = _build(sandbox, AICHAIN_DATA=str(path))
    assert "removed" in log and ".jupyter_cache" in log, "a package change did not clear the execution cache"
    assert "0 source files out of date" not in log


@pytest.fixture(scope="module")
def finished_dta(sandbox, unbalanced):
    """Third build: an analysis-level Stata file (Stata-style names, no AIE effect), incrementally."""
    return _build_on_file(sandbox, altdata.write_zero_effect_analysis_dta(sandbox.parent / "finished.dta"))


def test_an_analysis_level_stata_file_builds_the_book(finished_dta):
    import pandas as pd

    path, _, pages = finished_dta
    data = pd.read_stata(path).rename(columns={v: k for k, v in altdata.STATA_NAMES.items()})
    assert _main_coef(data) in pages["chapters/baseline"]
    for page, text in pages.items():
        assert path.name in text, f"{page}: the banner does not name {path.name}"
    # tables the file cannot give are skipped with the reason, on the page where they would be
    assert "Not built on these data" in pages["chapters/heterogeneity"]
    assert "industry_type" in pages["chapters/heterogeneity"]
    assert "Not built on these data" in pages["chapters/mechanisms"]


@pytest.mark.parametrize("pattern", SIMULATION_ONLY)
def test_no_simulation_wording_on_the_stata_build(finished_dta, pattern):
    _, _, pages = finished_dta
    found = {page: (re.search(pattern, text, re.I), text) for page, text in pages.items()}
    bad = {page: text[max(0, m.start() - 80) : m.end() + 40] for page, (m, text) in found.items() if m}
    bad.pop("chapters/simulation_lab", None)
    bad.pop("chapters/simulated_world", None)
    assert not bad, f"simulation-only wording on a build from other data: {bad}"


def test_no_nan_on_the_stata_build(finished_dta):
    _, _, pages = finished_dta
    bad = {page: text[max(0, m.start() - 80) : m.end() + 40] for page, text in pages.items() if (m := NAN.search(text))}
    assert not bad, f"nan/inf printed on a build from other data: {bad}"


def test_a_bad_file_stops_the_build_with_status_2(sandbox, finished_dta, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,year,erl\n1,2015,#N/A\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICHAIN_")}
    env.update(PYTHONPATH=str(sandbox), AICHAIN_DATA=str(bad))
    proc = subprocess.run(
        ["make", "book", f"BIN={BIN}", "STAMP="], cwd=sandbox, env=env, capture_output=True, text=True
    )
    assert proc.returncode != 0
    assert "bad.csv" in proc.stdout + proc.stderr


def test_back_to_simulated_shows_simulated_numbers(sandbox, unbalanced, simulated_build):
    _build(sandbox)
    pages = _pages(sandbox)
    assert pages["chapters/baseline"] == simulated_build["chapters/baseline"]
    assert "simulated panel" in pages["index"]
