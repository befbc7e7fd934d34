"""Determinism (two processes, byte for byte) and the committed snapshot of key results."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def snapshot_output(root):
    """The battery's printed numbers from two separate processes, run at the same time (two cores)."""
    procs = [
        subprocess.Popen(
            [sys.executable, str(root / "tools" / "battery_snapshot.py")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=root,
        )
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=600) for proc in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    return outputs[0][0], outputs[1][0]


def test_battery_is_byte_identical_across_processes(snapshot_output):
    first, second = snapshot_output
    assert first.count(b"# table") == 8
    assert first == second


def test_key_results_match_the_committed_snapshot(root, snapshot_output):
    import io

    expected = pd.read_csv(root / "data" / "expected" / "key_results.csv")
    blocks = snapshot_output[0].decode().split("# table ")[1:]
    current = {}
    for block in blocks:
        header, body = block.split("\n", 1)
        frame = pd.read_csv(io.StringIO(body))
        for _, r in frame.iterrows():
            for stat in ("coef", "se", "n"):
                current[(int(header), int(r["column"]), stat)] = float(r[stat])
    moved = []
    for _, e in expected.iterrows():
        key = (int(e["table"]), int(e["column"]), e["statistic"])
        value = current[key]
        if abs(value - e["value"]) > e["tolerance"]:
            moved.append(f"Table {key[0]} ({key[1]}) {key[2]}: expected {e['value']}, got {value}")
    assert not moved, (
        "results moved (explain, then refresh with tools/battery_snapshot.py --write-expected):\n" + "\n".join(moved)
    )
    assert len(current) == len(expected)
