"""One finding of the audit: an inconsistency (or oddity) in the published numbers, with a stable id.

Its own module so that :mod:`aichain_utils.replication.closestworld`, which words the closest-world
findings, and :mod:`aichain_utils.replication.audit`, which runs every check, both build on it without
importing each other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = ["Finding"]


@dataclass(frozen=True)
class Finding:
    """One inconsistency (or oddity) found in the published numbers."""

    family: str
    check: str
    table: str
    cells: str
    expected: str
    printed: str
    severity: str
    explanation: str
    statistic: str = ""  # the printed statistic the finding bears on (n, coef, se, adj_r2, suest_p, ...)

    @property
    def id(self) -> str:
        """A stable identifier (family and a hash of family, check, table and cells) that ledger reasons cite."""
        key = "|".join([self.family, self.check, self.table, self.cells])
        return f"{self.family}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}"
