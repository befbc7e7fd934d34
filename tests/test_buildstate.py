"""The build-input fingerprint sees every input a page depends on, and a change removes derived state."""

from __future__ import annotations

from pathlib import Path

import pytest

from aichain_utils.buildstate import DERIVED, STAMP_NAME, inputs_fingerprint, reset_if_changed


@pytest.fixture()
def fake_root(tmp_path: Path, monkeypatch) -> Path:
    for name in [k for k in __import__("os").environ if k.startswith("AICHAIN_")]:
        monkeypatch.delenv(name)
    root = tmp_path / "repo"
    (root / "aichain_utils").mkdir(parents=True)
    (root / "aichain_utils" / "mod.py").write_text("x = 1\n")
    (root / "data").mkdir()
    (root / "data" / "params.yml").write_text("seed: 1\n")
    (root / "requirements.txt").write_text("numpy==2.4.6\n")
    return root


def test_fingerprint_is_stable(fake_root):
    assert inputs_fingerprint(fake_root) == inputs_fingerprint(fake_root)


@pytest.mark.parametrize(
    "change",
    [
        lambda r: (r / "aichain_utils" / "mod.py").write_text("x = 2\n"),
        lambda r: (r / "aichain_utils" / "new.py").write_text(""),
        lambda r: (r / "data" / "params.yml").write_text("seed: 2\n"),
        lambda r: (r / "requirements.txt").write_text("numpy==2.4.7\n"),
    ],
    ids=["package edit", "package file added", "data edit", "pinned environment"],
)
def test_fingerprint_sees_files(fake_root, change):
    before = inputs_fingerprint(fake_root)
    change(fake_root)
    assert inputs_fingerprint(fake_root) != before


def test_fingerprint_sees_switches_and_the_data_file_bytes(fake_root, tmp_path, monkeypatch):
    base = inputs_fingerprint(fake_root)
    data = tmp_path / "panel.csv"
    data.write_text("a\n1\n")
    monkeypatch.setenv("AICHAIN_DATA", str(data))
    with_file = inputs_fingerprint(fake_root)
    assert with_file != base
    data.write_text("a\n2\n")  # same name, new contents
    assert inputs_fingerprint(fake_root) != with_file
    monkeypatch.setenv("AICHAIN_AIE_WEIGHTS", "entropy")
    assert inputs_fingerprint(fake_root) not in (base, with_file)


def test_relative_data_path_is_read_from_the_directory_make_was_run_from(fake_root, tmp_path, monkeypatch):
    (tmp_path / "mine.csv").write_text("a\n1\n")
    monkeypatch.setenv("AICHAIN_CWD", str(tmp_path))
    monkeypatch.setenv("AICHAIN_DATA", "mine.csv")
    first = inputs_fingerprint(fake_root)
    (tmp_path / "mine.csv").write_text("a\n3\n")
    assert inputs_fingerprint(fake_root) != first


def test_reset_removes_everything_derived_only_when_inputs_change(fake_root, tmp_path):
    build = tmp_path / "_build"
    for name in DERIVED:
        (build / name).mkdir(parents=True)
    assert reset_if_changed(build, fake_root) is True  # never stamped
    assert not any((build / name).exists() for name in DERIVED)
    assert (build / STAMP_NAME).read_text().strip() == inputs_fingerprint(fake_root)
    for name in DERIVED:
        (build / name).mkdir()
    assert reset_if_changed(build, fake_root) is False  # nothing changed: nothing removed
    assert all((build / name).exists() for name in DERIVED)
    (fake_root / "aichain_utils" / "mod.py").write_text("x = 3\n")
    assert reset_if_changed(build, fake_root, keep=("html",)) is True
    assert (build / "html").exists()
    assert not (build / ".doctrees").exists() and not (build / ".jupyter_cache").exists()
