"""The consistency audit of the published tables (``chapters/audit.md``): findings, claims, the closest world.

:func:`consistency_audit` runs the audit of :mod:`aichain_utils.replication.audit` on the paper's transcription,
checks the paper's verbal claims against its own tables (:mod:`aichain_utils.replication.claims`) and reads
the stored calibration report (:func:`aichain_utils.replication.calibration.read_result`; it is read, never
rerun). Its :meth:`AuditResults.numbers` are every count, verdict and sentence the chapter cites, under
keys ``audit_*``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from aichain_utils.replication import audit, calibration, claims
from aichain_utils.replication.numbers import Numbers, Results

__all__ = [
    "AuditResults",
    "consistency_audit",
    "count_words",
    "legs_sentence",
    "quotes_sentence",
    "stars_verdict",
    "worst_gaps",
]

#: Severity -> the word the chapter counts it with.
SEVERITY_WORDS = {"error": "error", "warning": "warning", "info": "note"}
FINDING_COLUMNS = ["severity", "family", "check", "table", "cells", "expected", "printed"]
CLAIM_COLUMNS = ["id", "quote_zh", "claim_en", "legs", "published supports", "published detail"]
CLOSEST_COLUMNS = ["cell", "published", "published_se", "closest", "gap_in_se", "within_one_se", "conflicts_with"]


def count_words(k: int, word: str) -> str:
    """``k`` and the word in the right number: "1 error", "3 errors"."""
    return f"{k} {word}{'' if k == 1 else 's'}"


def stars_verdict(n_star_findings: int) -> str:
    """Whether every printed star matches its coefficient and standard error (the ``stars`` family)."""
    if n_star_findings == 0:
        return "every printed star is consistent with its coefficient and standard error"
    return "the stars listed below do not match their coefficient and standard error"


def quotes_sentence(n_quotes: int, n_misquoted: int, paper_found: bool) -> str:
    """The book's quotations of the paper and how many occur verbatim in its text (the ``quotes`` family)."""
    head = (
        f"The book attributes {n_quotes} quotations to the paper (the claims, the design and data-source rows, "
        "the hypotheses, the table titles and variable names, and the Chinese quotations of the pages' prose); "
    )
    if paper_found:
        return head + f"{n_quotes - n_misquoted} of them occur verbatim in the paper's text, whitespace aside."
    return head + "the paper's text is not next to this checkout, so they were not checked on this build."


def legs_sentence(claim_table: pd.DataFrame) -> str:
    """The claims with several legs, and how many of them the paper's own tables support on every leg."""
    multi = claim_table[claim_table["legs"] > 1]
    return (
        f"{len(multi)} of the paper's {len(claim_table)} claims have several legs ({', '.join(multi['id'])}); "
        f"judged on every leg, the paper's own tables support {int((multi['published supports'] == 'yes').sum())} "
        f"of them, and {int((multi['published supports'] == 'not shown').sum())} rest on a leg the paper does "
        "not print."
    )


def worst_gaps(closest: pd.DataFrame, k: int = 3) -> str:
    """The ``k`` target cells the closest world misses by most, in published SEs ("none" when it misses none)."""
    missed = closest[~closest["within_one_se"]]
    if missed.empty:
        return "none"
    order = missed["gap_in_se"].abs().sort_values(ascending=False).index
    return ", ".join(
        f"Table {r.table} ({r.column}) by {abs(r.gap_in_se):.1f} SE" for r in missed.reindex(order).head(k).itertuples()
    )


@dataclass
class AuditResults(Results):
    """The audit's findings, the claims against the paper's own tables, and the calibration's closest world.

    Attributes
    ----------
    findings : DataFrame
        :func:`aichain_utils.replication.audit.run_audit`, most severe first.
    claim_table : DataFrame
        :func:`aichain_utils.replication.claims.evaluate_claims` on the published tables only.
    design : dict
        :func:`aichain_utils.replication.audit.load_design`: the design the checks hold the tables to.
    n_quotes : int
        Quotations the book attributes to the paper (:func:`aichain_utils.replication.audit.book_quotations`).
    paper_found : bool
        Whether the paper's text is next to the checkout, so that the quotations were checked.
    calibration : dict
        The stored calibration report (:func:`aichain_utils.replication.calibration.read_result`).
    """

    prefix = "audit"

    findings: pd.DataFrame
    claim_table: pd.DataFrame
    design: dict
    n_quotes: int
    paper_found: bool
    calibration: dict

    # ------------------------------------------------------------------ what the chapter shows
    def findings_table(self) -> pd.DataFrame:
        """Every finding, most severe first (Table "audit findings")."""
        return self.findings[FINDING_COLUMNS]

    def family_counts(self, family: str) -> str:
        """The findings of one family by severity ("2 errors, 1 note"), or "no finding"."""
        rows = self.findings[self.findings["family"] == family]
        if rows.empty:
            return "no finding"
        counts = rows["severity"].value_counts()
        return ", ".join(count_words(int(counts[s]), w) for s, w in SEVERITY_WORDS.items() if counts.get(s, 0))

    def families_markdown(self) -> str:
        """The numbered list of the audit's families: what each checks and what it found."""
        return "\n".join(
            f"{i}. **`{fam}`**: {what} ({self.family_counts(fam)})."
            for i, (fam, what) in enumerate(audit.FAMILIES.items(), 1)
        )

    def explanations_markdown(self) -> str:
        """The numbered list of the findings with their explanations, in the order of the findings table."""
        return "\n".join(
            f"{i + 1}. **{r.severity}**, {r.table} {r.cells}, *{r.check}*: {r.explanation}"
            for i, r in enumerate(self.findings.itertuples())
        )

    def claims_table(self) -> pd.DataFrame:
        """Each verbal claim against the paper's own table, leg by leg."""
        return self.claim_table[CLAIM_COLUMNS]

    def closest(self) -> pd.DataFrame:
        """The calibration's target coefficients in the closest world (``closest_world`` of the report)."""
        return pd.DataFrame(self.calibration["closest_world"])

    def closest_table(self) -> pd.DataFrame:
        """Each target coefficient: published, in the closest world, the gap in SEs and its conflicts."""
        cw = self.closest()
        cw = cw.assign(cell=[f"Table {t} ({c})" for t, c in zip(cw["table"], cw["column"], strict=True)])
        return cw[CLOSEST_COLUMNS]

    def write_tables(self, directory: Path | None = None) -> Path:
        """Write ``audit.csv`` (:func:`aichain_utils.replication.audit.write_audit`; default ``_build/tables``)."""
        return audit.write_audit(self.findings, directory)

    # ------------------------------------------------------------------ what the prose cites
    def _findings_numbers(self) -> dict:
        f = self.findings
        counts = f["severity"].value_counts()
        n_stars = int((f["family"] == "stars").sum())
        words = {
            f"{sev}s" if sev != "info" else "notes": count_words(int(counts.get(sev, 0)), w)
            for sev, w in SEVERITY_WORDS.items()
        }
        design = self.design
        return {
            "n_findings": len(f),
            **words,
            "n_star_findings": n_stars,
            "stars_verdict": stars_verdict(n_stars),
            "n_families": int(f["family"].nunique()),
            "n_families_all": len(audit.FAMILIES),
            "n_prose": int((f["family"] == "prose_vs_table").sum()),
            "design": {
                "industries": int(design["n_industries"]),
                "years": f"{design['first_year']}–{design['last_year']}",
                "levels": ", ".join(f"{float(v):.0%}" for v in str(design["significance_levels"]).split("|")),
            },
            "quotes_sentence": quotes_sentence(self.n_quotes, int((f["family"] == "quotes").sum()), self.paper_found),
        }

    def _calibration_numbers(self) -> dict:
        cw = self.closest()
        hist = pd.DataFrame(self.calibration["effects_history"])
        ok = int(cw["within_one_se"].sum())
        return {
            "n": len(cw),
            "ok": ok,
            "missed": len(cw) - ok,
            "q0": float(hist["objective"].iloc[0]),
            "q1": float(hist["objective"].iloc[-1]),
            "iter": len(hist) - 1,
            "worst": worst_gaps(cw),
        }

    def numbers(self) -> Numbers:
        """The findings' counts (``audit_n_findings``, ``audit_errors``), the design (``audit_design_years``),
        the claims (``audit_claims_pub``, ``audit_legs_sentence``) and the closest world of the calibration
        (``audit_cal_ok``, ``audit_cal_worst``)."""
        table = self.claim_table
        claim_numbers = {
            "n": len(table),
            "pub": int((table["published supports"] == "yes").sum()),
            "not_shown": int((table["published supports"] == "not shown").sum()),
        }
        tree = {
            **self._findings_numbers(),
            "legs_sentence": legs_sentence(table),
            "claims": claim_numbers,
            "cal": self._calibration_numbers(),
        }
        return Numbers(self.prefix, tree)


def consistency_audit() -> AuditResults:
    """The audit chapter's results: it needs no data but the paper's own (``data/published/``)."""
    return AuditResults(
        findings=audit.run_audit(),
        claim_table=claims.evaluate_claims(),
        design=audit.load_design(),
        n_quotes=len(audit.book_quotations()),
        paper_found=audit.paper_text_path() is not None,
        calibration=calibration.read_result(),
    )
