"""Replication at a glance (``at_a_glance.md``): the ledger, the closest world, the claims, the headline.

:func:`at_a_glance` builds the replication ledger of the build's panel (:mod:`aichain_utils.replication.ledger`),
reads the stored Monte Carlo of the closest world (:mod:`aichain_utils.replication.closestworld`; it is
read, never rerun), checks the paper's verbal claims against the replicated tables
(:mod:`aichain_utils.replication.claims`) and writes the headline (:mod:`aichain_utils.report.headline`).
Its :meth:`Glance.numbers` are every count and sentence the page cites, under keys ``glance_*``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from aichain_utils.inputs import availability
from aichain_utils.replication import audit, claims, closestworld, ledger
from aichain_utils.replication.numbers import Bilingual, Numbers, Results, true_effect
from aichain_utils.report import headline
from aichain_utils.report.tables import render_table, tables_dir

__all__ = ["Glance", "at_a_glance", "availability_sentence", "claims_clause", "coef_scope", "stale_clause"]

#: The closest world's columns the page's table shows, in order.
WORLD_COLUMNS = [
    "table",
    "column",
    "statistic",
    "published",
    "world_mean",
    "world_sd",
    "mc_se",
    "z",
    "percentile",
    "band_low",
    "band_high",
    "verdict",
    "id",
]
OPEN_COLUMNS = ["table", "column", "statistic", "published", "replicated", "verdict", "finding", "reason"]
CLAIM_COLUMNS = ["id", "quote_zh", "claim_en", "published supports", "replicated supports", "replicated detail"]


def coef_scope(n_unbuilt: int) -> str:
    """The clause after "Of the N published coefficients": empty when every one was estimated (a bilingual
    clause otherwise; an empty text has no language)."""
    if not n_unbuilt:
        return ""
    return Bilingual(
        f" that the data of this build let the book estimate (the other {n_unbuilt} have no counterpart on these "
        "data and are counted as not comparable)",
        f"（仅计本次构建的数据使本书得以估计者；其余 {n_unbuilt} 个在这些数据上没有对应项，计为不可比）",
    )


def availability_sentence(counts: dict[str, int]) -> Bilingual:
    """How many columns of Tables 3–10 the data of the build let the book build
    (:meth:`aichain_utils.inputs.availability.Availability.counts`)."""
    if not counts["not_built"]:
        return Bilingual(
            "The data of this build let the book build every column of Tables 3–10.",
            "本次构建的数据使本书得以构建表 3–10 的每一列。",
        )
    return Bilingual(
        f"The data of this build let the book build {counts['built']} of the {counts['columns']} columns of "
        f"Tables 3–10; the published numbers of the other {counts['not_built']} are counted as not comparable, "
        "and the table below says why each was not built.",
        f"本次构建的数据使本书得以构建表 3–10 共 {counts['columns']} 列中的 {counts['built']} 列；其余 "
        f"{counts['not_built']} 列的公布的数字计为不可比，下表说明每一列未能构建的原因。",
    )


def stale_clause(current: bool) -> str:
    """Empty when the stored world Monte Carlo is current, else the sentence that says it is stale."""
    if current:
        return ""
    return Bilingual(
        " The stored Monte Carlo is stale: its fingerprint no longer matches the parameters and code; rerun "
        "`make montecarlo-world`.",
        "存储的蒙特卡洛模拟结果已过期：其指纹与参数和代码不再相符；请重新运行 `make montecarlo-world`。",
    )


def claims_clause(n_not_comparable: int) -> str:
    """The bracket after the count of claims the replicated tables support: the claims that cannot be judged."""
    if not n_not_comparable:
        return ""
    return Bilingual(
        f" ({n_not_comparable} cannot be judged on these data: a table they rest on was not built)",
        f"（其中 {n_not_comparable} 项在这些数据上无法判断：其所依据的表格未能构建）",
    )


@dataclass
class Glance(Results):
    """The replication ledger of one build, the closest world's verdicts, the claims and the headline.

    Attributes
    ----------
    ledger : DataFrame
        :func:`aichain_utils.replication.ledger.ledger_for_panel`, one row per published number of Tables 1–10.
    replicated : dict
        The replicated columns of Tables 3–10 (or why a table was not built).
    world, world_meta, world_current
        :func:`aichain_utils.replication.closestworld.closest_world_table` of the stored world Monte Carlo,
        its metadata and whether its fingerprint is current.
    availability : Availability
        What the data of the build let the book build.
    claim_table : DataFrame
        :func:`aichain_utils.replication.claims.evaluate_claims` on the replicated tables built whole.
    headline : dict
        :func:`aichain_utils.report.headline.headline_sentences`.
    """

    prefix = "glance"

    ledger: pd.DataFrame
    replicated: dict
    world: pd.DataFrame
    world_meta: dict
    world_current: bool
    availability: availability.Availability
    claim_table: pd.DataFrame
    headline: dict

    # ------------------------------------------------------------------ tables the page shows
    def availability_table(self) -> pd.DataFrame:
        """Each part of Tables 3–10: built or not, and why not."""
        return self.availability.summary()

    def counts_table(self) -> pd.DataFrame:
        """The ledger's verdicts by statistic (:func:`aichain_utils.replication.ledger.summary`)."""
        return ledger.summary(self.ledger).reset_index()

    def grid_html(self) -> str:
        """The verdict grid, one cell per column of Tables 3–10."""
        return ledger.verdict_grid_html(self.ledger)

    def open_rows(self) -> pd.DataFrame:
        """The ledger's rows whose verdict is not "reproduced"."""
        return self.ledger[self.ledger["verdict"] != "reproduced"]

    def open_table(self) -> pd.DataFrame:
        """The rows not reproduced, with their finding and reason."""
        return self.open_rows()[OPEN_COLUMNS]

    def world_table(self) -> pd.DataFrame:
        """Every published statistic against the closest world, numbers printed to six significant digits,
        z signed to two decimals, the percentile in per cent with its Monte Carlo SE in brackets."""
        world = self.world
        shown = world.assign(published=world["published"].map("{:.6g}".format))
        for col in ("world_mean", "world_sd", "mc_se", "band_low", "band_high"):
            shown[col] = world[col].map("{:.6g}".format)
        shown["z"] = world["z"].map(lambda v: "—" if pd.isna(v) else f"{v:+.2f}")
        shown["percentile"] = [
            f"{100 * p:.1f} ({100 * e:.1f})"
            for p, e in zip(world["percentile"], world["percentile_mc_se"], strict=True)
        ]
        return shown[WORLD_COLUMNS]

    def claims_table(self) -> pd.DataFrame:
        """The verbal claims against the paper's tables and the replicated ones."""
        return self.claim_table[CLAIM_COLUMNS]

    @staticmethod
    def tolerance_table() -> pd.DataFrame:
        """Each statistic's tolerance and why (:data:`aichain_utils.replication.ledger.TOLERANCES`)."""
        return pd.DataFrame([{"statistic": k, "tolerance": v.why} for k, v in ledger.TOLERANCES.items()])

    def write_tables(self, directory: Path | None = None) -> None:
        """Write ``ledger.csv``, ``ledger.json`` and ``closest_world.csv`` (default: ``_build/tables``)."""
        directory = tables_dir() if directory is None else directory
        closestworld.write_closest_world(directory, self.world)
        ledger.write_ledger(self.ledger, directory)

    # ------------------------------------------------------------------ what the prose cites
    def _ledger_numbers(self) -> dict:
        book_ledger = self.ledger
        counts = book_ledger["verdict"].value_counts()
        n = {v.replace(" ", "_"): int(counts.get(v, 0)) for v in ledger.VERDICTS}
        coefs = book_ledger[book_ledger["statistic"] == "coef"]
        n_unbuilt = int((coefs["verdict"] == "not comparable").sum())
        coefs = coefs[coefs["verdict"] != "not comparable"]
        coef = {
            "n": len(coefs),
            "ok": int((coefs["verdict"] == "reproduced").sum()),
            "nofinding": int(((coefs["verdict"] != "reproduced") & (coefs["finding"] == "")).sum()),
            "scope": coef_scope(n_unbuilt),
        }
        return {
            "n": {**n, "numbers": len(book_ledger)},
            "coef": coef,
            "open_rows": len(self.open_rows()),
            "avail_sentence": availability_sentence(self.availability.counts()),
        }

    def _world_numbers(self) -> dict:
        world = self.world
        share = closestworld.band_share(world)
        all_share = closestworld.band_share(world.assign(statistic="all"), "all")
        coef_world = world[world["statistic"] == "coef"]
        return {
            "reps": int(self.world_meta["reps"]),
            "failed": int(self.world_meta.get("failed_replications", 0)),
            "n": share["n"],
            "inside": share["inside"],
            "edge": share["edge"],
            "share": 100 * share["share"],
            "share_high": 100 * share["share_high"],
            "outside": int((coef_world["verdict"] == "outside its 95% band").sum()),
            "current": stale_clause(self.world_current),
            "all_n": all_share["n"],
            "all_inside": all_share["inside"],
            "rows": len(world),
        }

    def numbers(self) -> Numbers:
        """Counts of the ledger's verdicts (``glance_n_reproduced``), the coefficients' (``glance_coef_ok``), the
        closest world's band shares (``glance_world_share``), the claims (``glance_claims_rep``) and the
        headline sentences (``glance_headline_world``)."""
        table = self.claim_table
        n_nc = int((table["replicated supports"] == "not comparable").sum())
        claim_numbers = {
            "n": len(table),
            "pub": int((table["published supports"] == "yes").sum()),
            "rep": int((table["replicated supports"] == "yes").sum()),
            "nc_clause": claims_clause(n_nc),
        }
        heads = {key.removeprefix("headline_"): text for key, text in self.headline.items()}
        tree = {**self._ledger_numbers(), "world": self._world_numbers(), "claims": claim_numbers, "headline": heads}
        return Numbers(self.prefix, tree)


def at_a_glance(panel) -> Glance:
    """The at-a-glance page's results: ledger, closest world, claims and headline on the build's ``panel``.

    Parameters
    ----------
    panel : AnalysisPanel
        The data of the build; the ledger compares its replicated Tables 1–10 with the published numbers.
    """
    book_ledger, replicated = ledger.ledger_for_panel(panel)
    world = closestworld.closest_world_table()
    _, world_meta, world_current = closestworld.load_world()
    tidy = {t: render_table(t, cols).tidy for t, cols in ledger.whole_tables(replicated).items()}
    claim_table = claims.evaluate_claims(tidy)
    missing3 = replicated[3] if isinstance(replicated[3], str) else None
    facts = (world, int(world_meta["reps"]), world_current, audit.run_audit(), claim_table, tidy.get(3), book_ledger,
             panel.source, true_effect(panel), missing3)  # fmt: skip
    english, chinese = (headline.headline_sentences(*facts, language=lang) for lang in ("en", "zh"))
    heads = {key: Bilingual(english[key], chinese[key]) for key in english}
    return Glance(
        book_ledger, replicated, world, world_meta, world_current, availability.assess(panel), claim_table, heads
    )
