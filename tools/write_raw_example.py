"""Write data/simulation/raw_example.csv: the first two units of the simulated raw panel.

It shows a user of the licensed data the exact file layout the book expects.
Usage: ``python tools/write_raw_example.py``.
"""

from __future__ import annotations

from aichain_utils.paths import data_dir
from aichain_utils.simulation.simulate import simulate_panel


def main() -> None:
    raw = simulate_panel().raw
    raw[raw["unit_id"] <= 2].to_csv(data_dir() / "simulation" / "raw_example.csv", index=False)


if __name__ == "__main__":
    main()
