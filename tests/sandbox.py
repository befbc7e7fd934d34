"""``make book`` in a sandbox: a copy of the repository built as a replicator builds it.

``tests/test_incremental_builds.py`` and ``tests/test_data_matrix.py`` build copies of the repository on
other data; both run ``make book`` the one way written here: with the test's interpreter (``BIN``), no
environment stamp, one edition (``LANG``), no ``AICHAIN_*`` switch of the test's own environment but
those given, and the copy's package first on ``PYTHONPATH`` (a change to the copy's package is what the
build sees).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: The folder of the test's interpreter: the sandbox is built with it (``make book BIN=...``).
BIN = Path(sys.executable).parent


def sandbox_env(repo: Path, **env_vars: str) -> dict[str, str]:
    """The environment of a build of ``repo``: the test's, without its ``AICHAIN_*`` switches, with
    ``env_vars`` and ``PYTHONPATH`` naming the copy."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICHAIN_")}
    env.update(env_vars, PYTHONPATH=str(repo))
    return env


def run_make_book(repo: Path, lang: str = "en", **env_vars: str) -> subprocess.CompletedProcess:
    """``make book LANG=<lang>`` in ``repo`` with ``env_vars`` (e.g. ``AICHAIN_DATA``); whatever its status."""
    return subprocess.run(
        ["make", "book", f"BIN={BIN}", "STAMP=", f"LANG={lang}"],
        cwd=repo,
        env=sandbox_env(repo, **env_vars),
        capture_output=True,
        text=True,
        timeout=1800,
    )


def make_book(repo: Path, lang: str = "en", **env_vars: str) -> str:
    """Build ``repo``'s edition in ``lang`` (see :func:`run_make_book`); the build must succeed (else the
    test fails with the log's last lines). Returns the log."""
    proc = run_make_book(repo, lang, **env_vars)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    return log
