"""One analysis panel per build: the chapters of a build read the panel the first one built.

``tools/preexecute.py`` names a folder by the fingerprint of every input of the build
(``AICHAIN_PANEL_CACHE``); :func:`aichain_utils.inputs.panel.load_analysis_panel` builds the panel once there
and reads it afterwards. The panel read is the panel built; other arguments are another panel; without
the variable (a reader running a notebook) nothing is stored; and a build's fingerprint, hence its
folder, changes with any input (``tests/test_buildstate.py``), so no chapter reads an older panel.
"""

from __future__ import annotations

import pandas as pd
import pytest

from aichain_utils.inputs import panel


@pytest.fixture
def calls(monkeypatch):
    made = []
    real = panel._load

    def counting(*args):
        made.append(args[1] if isinstance(args[1], str) else "array")
        return real(*args)

    monkeypatch.setattr(panel, "_load", counting)
    for var in ("AICHAIN_DATA", "AICHAIN_AIE_WEIGHTS"):
        monkeypatch.delenv(var, raising=False)
    return made


def test_a_build_builds_the_panel_once(tmp_path, monkeypatch, calls):
    monkeypatch.setenv(panel.CACHE_VAR, str(tmp_path / "fingerprint"))
    first = panel.load_analysis_panel()
    second = panel.load_analysis_panel()
    assert calls == ["entropy"]
    assert second is not first
    pd.testing.assert_frame_equal(second.data, first.data)
    pd.testing.assert_series_equal(second.aie_weights, first.aie_weights)
    assert (second.notes, second.source, second.level) == (first.notes, first.source, first.level)
    panel.load_analysis_panel(aie_weights="published")
    assert calls == ["entropy", "published"], "other weights are another panel"
    assert len(list((tmp_path / "fingerprint").glob("panel-*.pickle"))) == 2


def test_outside_a_build_nothing_is_stored(tmp_path, monkeypatch, calls):
    monkeypatch.delenv(panel.CACHE_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    panel.load_analysis_panel()
    panel.load_analysis_panel()
    assert calls == ["entropy", "entropy"]
    assert not any(tmp_path.rglob("*.pickle"))


@pytest.mark.parametrize("damage", [b"", b"not a pickle", "truncated", "wrong object"])
def test_a_damaged_cached_panel_is_rebuilt_not_used(tmp_path, monkeypatch, calls, damage):
    import pickle

    monkeypatch.setenv(panel.CACHE_VAR, str(tmp_path / "fingerprint"))
    first = panel.load_analysis_panel()
    (stored,) = (tmp_path / "fingerprint").glob("panel-*.pickle")
    if damage == "truncated":
        damage = stored.read_bytes()[: stored.stat().st_size // 2]
    elif damage == "wrong object":
        damage = pickle.dumps({"not": "a panel"})
    stored.write_bytes(damage)
    again = panel.load_analysis_panel()
    assert calls == ["entropy", "entropy"]  # built again, not read from the damaged file
    pd.testing.assert_frame_equal(again.data, first.data)
    assert isinstance(pickle.loads(stored.read_bytes()), panel.AnalysisPanel)  # and stored again
