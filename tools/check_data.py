"""Check the data file in ``AICHAIN_DATA`` before the book is built, and print one report.

Usage: ``AICHAIN_DATA=FILE python tools/check_data.py [--brief]`` (run by ``make check-data``, and
with ``--brief`` as the first step of ``make book`` and ``make test``). Exit status 0 when the file
passes (or ``AICHAIN_DATA`` is unset: the simulated panel), 2 when it fails; the report is printed
last. The rules are :mod:`aichain_utils.inputs.checks`; the file is only read.
"""

from __future__ import annotations

import sys

from aichain_utils.inputs.checkdata import run_check

if __name__ == "__main__":
    sys.exit(run_check(brief="--brief" in sys.argv[1:]))
