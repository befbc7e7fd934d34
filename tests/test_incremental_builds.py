"""The book on other data, built incrementally: never a stale page, never a false sentence.

A copy of the repository is built four times in a row, without ``make clean``, the way a
replicator works:

1. on the default simulated panel;
2. on an unbalanced raw-input CSV with 12 industries (``tests/altdata.py``);
3. on an analysis-level Stata file, Stata-style names, from a world with no AIE effect;
4. after a change to ``aichain_utils/`` alone (the steps that decide it, not a full build);
5. back on the simulated panel, from its execution kept aside by the first switch (every page read again).

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
from sandbox import BIN, make_book, run_make_book, sandbox_env

from aichain_utils.book.buildstate import STAMP_NAME
from aichain_utils.paths import repo_root, toc_pages

pytestmark = pytest.mark.slow

ROOT = repo_root()
IGNORE = shutil.ignore_patterns(
    ".venv", "_build", "artifacts", ".git", ".pytest_cache", ".ruff_cache", "__pycache__", ".hypothesis"
)

#: The sandbox builds the English edition alone (``make book LANG=en``): the Chinese edition is built from the
#: same execution cache by the same steps (tests/test_i18n.py builds both), and a second build per data switch
#: would double these tests' time.
#: The flags ``make book`` passes to tools/build_book.py (the Makefile's BUILD_FLAGS): part of a site's digest.
BUILD_FLAGS = ["--warningiserror", "--keep-going"]

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
    for tag in soup.select(".aichain-language-switch"):  # the link to the Chinese page (make book, make test)
        tag.decompose()
    for anchor in soup.find_all(id=lambda i: i in ABOUT_THE_SIMULATOR):  # a label's span opens its section
        section = anchor if anchor.name == "section" else anchor.find_parent("section")
        if section is not None:
            section.decompose()
    main = soup.find("main") or soup
    return main.get_text(" ", strip=True)


#: Pages about code, not data: the API reference quotes docstrings, which may name the simulated panel.
NOT_ABOUT_DATA = {"api"}


def _pages(repo: Path) -> dict[str, str]:
    pages = [p for p in toc_pages(repo) if p not in NOT_ABOUT_DATA]
    return {page: _page_text(repo / "_build" / "html" / f"{page}.html") for page in pages}


def _main_coef(data) -> str:
    from aichain_utils.replication import models

    return f"{models.fit_two_way_fe(data).coef:.3f}"


def _build_on_file(repo: Path, path: Path) -> tuple[Path, str, dict[str, str]]:
    """Build ``repo`` on the user's file ``path``; the file must be byte-identical afterwards."""
    before = path.read_bytes()
    log = make_book(repo, AICHAIN_DATA=str(path))
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


#: The saved state of a build that the first data switch starts from (what ``make book`` leaves).
BUILD_STATE = (".jupyter_cache", ".doctrees", "jupyter_execute", "tables", "html", STAMP_NAME, ".check-data.json")


def _main_build_is_current_and_simulated() -> bool:
    """Whether ``ROOT/_build/html`` is a good build of exactly the sources the sandbox copies, on the
    default simulated panel: the digest ``tools/build_book.py`` recorded in it (every source file, the
    inputs fingerprint with no ``AICHAIN_*`` switch, the builder and its flags) is the one these
    sources give now, built as ``make book LANG=en`` builds it or as ``make book`` and ``make test`` do
    (the English site linking to the Chinese edition: ``--counterpart zh_CN``)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import build_book

    from aichain_utils.book.buildstate import inputs_fingerprint

    root, site = ROOT.resolve(), ROOT / "_build" / "html"
    saved = {k: os.environ.pop(k) for k in [k for k in os.environ if k.startswith("AICHAIN_")]}
    try:
        fingerprint = inputs_fingerprint(ROOT)
        manifests = [
            build_book.site_manifest(
                root,
                root / "_build",
                fingerprint,
                "html",
                build_book.manifest_flags(root / "_build", BUILD_FLAGS, None, None, counterpart),
            )
            for counterpart in (None, "zh_CN")
        ]
    finally:
        os.environ.update(saved)
    return any(build_book.site_is_current(site, manifest) for manifest in manifests)


def _copy_the_main_build(repo: Path) -> bool:
    """Give the sandbox the build ``make test`` made (same sources, simulated panel) as its first
    build, instead of building it again: its pages, execution cache, stamp and Sphinx state.

    The first switch to other data then starts from a complete simulated build, as a replicator's
    would. (Sphinx discards a saved state made in another folder, so on that first switch a stale
    ``.doctrees`` could not show; the guard's log is checked for removing it, and the later switches,
    from builds made in the sandbox, would show it.)
    """
    if not _main_build_is_current_and_simulated():
        return False
    for name in BUILD_STATE:
        source, target = ROOT / "_build" / name, repo / "_build" / name
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True)
        elif source.is_file():
            shutil.copy2(source, target)
    return True


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("book") / "repo"
    shutil.copytree(ROOT, repo, ignore=IGNORE)
    (repo / "_build").mkdir()
    return repo


@pytest.fixture(scope="module")
def simulated_build(sandbox):
    """The pages of the first build, on the simulated panel: ``make test``'s build copied in when it is
    current, else a build in the sandbox (from that build's execution cache when there is one)."""
    if not _copy_the_main_build(sandbox):
        _seed_from_the_main_build(sandbox)
        make_book(sandbox)
    return _pages(sandbox)


@pytest.fixture(scope="module")
def unbalanced(sandbox, simulated_build):
    return _build_on_file(sandbox, altdata.write_unbalanced_raw(sandbox.parent / "unbalanced.csv"))


def test_switching_to_other_data_rebuilds_every_page(unbalanced, simulated_build):
    from aichain_utils.inputs.panel import build_analysis_panel, read_raw_file

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


def _guard(repo: Path, **env_vars: str) -> str:
    """Run the build's cache guard (the step of ``make book`` that clears the saved state) on ``repo``."""
    cmd = [str(BIN / "python"), str(repo / "tools" / "cache_guard.py"), str(repo / "_build"), str(repo)]
    proc = subprocess.run(cmd, cwd=repo, env=sandbox_env(repo, **env_vars), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def _site_is_current(repo: Path, monkeypatch, **env_vars: str) -> bool:
    """Whether ``make book`` in ``repo`` would skip every step (tools/build_book.py's up-to-date check)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import build_book

    from aichain_utils.book.buildstate import inputs_fingerprint

    for name in [k for k in os.environ if k.startswith("AICHAIN_")]:
        monkeypatch.delenv(name)
    for name, value in env_vars.items():
        monkeypatch.setenv(name, value)
    repo = repo.resolve()  # as tools/build_book.py resolves it
    build = repo / "_build"
    manifest = build_book.site_manifest(repo, build, inputs_fingerprint(repo), "html", BUILD_FLAGS)
    return build_book.site_is_current(build / "html", manifest)


def test_a_package_change_alone_rebuilds_every_page(sandbox, unbalanced, monkeypatch):
    """A change to the package alone (same data, same chapters) makes ``make book`` run again and its
    cache guard remove the execution cache and Sphinx's saved state, so every chapter is executed and
    every page read again (Sphinx re-reads every page when ``.doctrees`` is gone).

    Checked on the steps that decide it (the wrapper's up-to-date check and the cache guard), not by a
    full build: what the build does once the saved state is gone is what the data switches before and
    after this test check. The sandbox's state is put back afterwards, so the next switch starts from
    the build on the unbalanced file.
    """
    path = unbalanced[0]
    build = sandbox / "_build"
    # control: on the inputs of the last build, make book would do nothing and the guard removes nothing
    assert _site_is_current(sandbox, monkeypatch, AICHAIN_DATA=str(path))
    assert "removed" not in _guard(sandbox, AICHAIN_DATA=str(path))
    assert (build / ".jupyter_cache").is_dir() and (build / ".doctrees").is_dir()
    backup = sandbox.parent / "_build.before-package-change"
    shutil.copytree(build, backup, symlinks=True)
    target = sandbox / "aichain_utils" / "report" / "display.py"
    original = target.read_text(encoding="utf-8")
    target.write_text(original + "\n# a change to the package alone\n", encoding="utf-8")
    try:
        assert not _site_is_current(sandbox, monkeypatch, AICHAIN_DATA=str(path)), "make book would skip the build"
        log = _guard(sandbox, AICHAIN_DATA=str(path))
        assert "removed" in log and ".jupyter_cache" in log, "a package change did not clear the execution cache"
        assert ".doctrees" in log and not (build / ".doctrees").exists(), "Sphinx's saved state was kept"
        assert not (build / ".jupyter_cache").exists()
    finally:
        target.write_text(original, encoding="utf-8")
        shutil.rmtree(build, ignore_errors=True)
        backup.rename(build)
    assert _site_is_current(sandbox, monkeypatch, AICHAIN_DATA=str(path)), "the sandbox's state was not put back"


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
    proc = run_make_book(sandbox, AICHAIN_DATA=str(bad))
    assert proc.returncode != 0
    assert "bad.csv" in proc.stdout + proc.stderr


def test_back_to_simulated_shows_simulated_numbers(sandbox, unbalanced, simulated_build):
    """Back on the simulated panel after two other files: the execution of the simulated inputs, kept
    aside when the first file came in, is put back (no chapter runs again), and every page is read again
    from it, so no page keeps the Stata file's numbers (the pages are compared with the first build's)."""
    log = make_book(sandbox)
    ran_nothing = "nothing to run" in log or "preexecute: 0 executed, 0 failed" in log
    assert "put back" in log and ran_nothing, "the simulated panel's execution was not reused"
    assert "removed" in log and ".doctrees" in log, "the saved Sphinx state was not cleared"
    pages = _pages(sandbox)
    assert pages["chapters/baseline"] == simulated_build["chapters/baseline"]
    assert "simulated panel" in pages["index"]
