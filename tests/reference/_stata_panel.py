"""Parser of the Stata ``regress``/``xtreg`` results linearmodels ships (estout text blocks)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DATA = Path(__file__).parent / "data"


def parse_stata_blocks(path: Path) -> dict[str, dict]:
    """``{config: {"params": DataFrame(b, t, p), "stats": dict, "V": DataFrame}}``."""
    blocks: dict[str, list[str]] = {}
    key = None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line:
            continue
        if "###!" in line:
            key = line.split("!")[1]
            blocks[key] = []
        elif key is not None:
            blocks[key].append(line)
    return {k: _parse(v) for k, v in blocks.items()}


def _parse(lines: list[str]) -> dict:
    start = next(i for i, s in enumerate(lines) if s.startswith("b/t")) + 1
    stats_at = next(i for i, s in enumerate(lines) if s.startswith("rss"))
    var_at = next(i for i, s in enumerate(lines) if "Variance" in s)
    rows = {}
    for i in range(start, stats_at, 3):
        name, b = lines[i].split("\t")
        rows[name] = {"b": float(b), "t": float(lines[i + 1]), "p": float(lines[i + 2])}
    stats = {}
    for s in lines[stats_at:var_at]:
        parts = s.split("\t")
        stats[parts[0]] = float(parts[1]) if len(parts) > 1 and parts[1] else None
    header = lines[var_at + 2].split("\t")
    V = {}
    for s in lines[var_at + 3 :]:
        parts = s.split("\t")
        V[parts[0]] = [float(v) for v in parts[1:]]
    Vdf = pd.DataFrame.from_dict(V, orient="index", columns=header[1:] if header[0] == "" else header)
    return {"params": pd.DataFrame(rows).T, "stats": stats, "V": Vdf}
