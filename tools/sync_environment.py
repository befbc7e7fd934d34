"""Regenerate environment.yml from requirements.txt, the single source of the pins.

Usage: ``python tools/sync_environment.py`` (``--check`` exits 1 if the file is stale).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = """\
# conda-forge environment for aichain. GENERATED from requirements.txt by
# tools/sync_environment.py: do not edit by hand. The pip section carries the
# exact pins of requirements.txt; tests/test_environment.py checks they agree.
name: aichain
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def pins(requirements: Path) -> list[str]:
    """Return the ``name==version`` lines of a requirements file, in order."""
    lines = []
    for raw in requirements.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def render(requirements: Path) -> str:
    """Return the text environment.yml must have."""
    body = "".join(f"      - {p}\n" for p in pins(requirements))
    return HEADER + body + "      - -e .\n"


def main(argv: list[str]) -> int:
    target = ROOT / "environment.yml"
    text = render(ROOT / "requirements.txt")
    if "--check" in argv:
        if target.read_text(encoding="utf-8") != text:
            print("environment.yml is stale: run python tools/sync_environment.py", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
