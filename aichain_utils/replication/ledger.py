"""The replication ledger: every published number of Tables 1–10 with its replicated value and a verdict.

One row per published number (coefficient, SE, N, adjusted R², KP statistics, suest p, Table 1 weight,
Table 2 moment). Each row carries a tolerance fixed in advance (:data:`TOLERANCES`) and one verdict:

``reproduced``
    the replicated value lies within the tolerance of the published one;
``cannot be reproduced``
    the consistency audit (:mod:`aichain_utils.replication.audit`) shows that the printed number cannot arise
    under the paper's stated design, or the closest world's sampling distribution
    (:mod:`aichain_utils.replication.closestworld`) puts it outside its 95% band, or, on data other than the
    simulated panel, the value lies outside the tolerance and no finding explains it;
``differs by design``
    on the simulated panel only: the panel is one draw of the closest world, and the published number
    lies inside (or at the edge of) that world's 95% band, so the gap is this draw's sampling error;
``not comparable``
    there is no replicated counterpart on these data (the reason says why).

Every reason is computed, never typed: a row that is not reproduced names the finding behind it in
its ``finding`` column, the id of an audit finding (``_build/tables/audit.csv``) or of a closest-world
verdict (``_build/tables/closest_world.csv``) on that very cell. The order of the rules is the order
above after "reproduced"; see :func:`decide`. The ledger is written at build time to
``_build/tables/ledger.csv`` and ``ledger.json`` (:func:`write_ledger`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from aichain_utils.report.display import table_cell
from aichain_utils.text import Bilingual, bilingual_join

__all__ = [
    "CHAPTERS",
    "COLUMNS",
    "STATISTICS",
    "TOLERANCES",
    "VERDICTS",
    "PartialColumns",
    "Tolerance",
    "aie_moment_reason",
    "audit_index",
    "audit_reason",
    "build_ledger",
    "decide",
    "ledger_for_tables",
    "regression_rows",
    "summary",
    "verdict_line",
    "whole_tables",
    "world_reason",
    "write_ledger",
]

STATISTICS = ("coef", "se", "n", "adj_r2", "kp_lm", "kp_wald", "suest_p", "weight", "mean", "sd", "min", "max")
VERDICTS = ("reproduced", "differs by design", "cannot be reproduced", "not comparable")
COLUMNS = ["table", "column", "statistic", "published", "replicated", "tolerance", "verdict", "finding", "reason"]
#: The chapter that shows each of the paper's tables.
CHAPTERS = {1: "measurement", 2: "measurement", 3: "baseline", 4: "endogeneity", 5: "endogeneity",
            6: "mechanisms", 7: "heterogeneity", 8: "heterogeneity", 9: "heterogeneity",
            10: "value_extension"}  # fmt: skip


@dataclass(frozen=True)
class Tolerance:
    """How far a replicated value may lie from the published one and still count as reproduced."""

    kind: str  # "published_se", "absolute", "relative", "exact", "same_side"
    size: float
    why: str

    def allowed(self, published: float, published_se: float | None = None) -> float:
        """The allowed absolute gap for this published value."""
        if self.kind == "published_se":
            return float(published_se) if published_se is not None else float("nan")
        if self.kind == "relative":
            return self.size * abs(published)
        return self.size  # absolute, exact (0), same_side (threshold)

    def met(self, published: float, replicated: float, published_se: float | None = None) -> bool:
        if self.kind == "same_side":
            return (published < self.size) == (replicated < self.size)
        return bool(abs(replicated - published) <= self.allowed(published, published_se) + 1e-12)

    def text(self, published: float, published_se: float | None = None) -> str:
        if self.kind == "same_side":
            return f"same side of {self.size:g}"
        if self.kind == "exact":
            return "exact"
        return f"±{self.allowed(published, published_se):.4g}"


#: Tolerances stated before any comparison (their reasons are shown on the ledger page).
TOLERANCES: dict[str, Tolerance] = {
    "coef": Tolerance(
        "published_se", 1.0,
        "one published standard error: the paper's own measure "
        "of how precisely it pins the number down",
    ),
    "se": Tolerance(
        "relative", 0.25,
        "25%: standard errors move with clustering and "
        "small-sample conventions the paper does not state",
    ),
    "n": Tolerance("exact", 0.0, "exact: a sample size is a count"),
    "adj_r2": Tolerance(
        "absolute", 0.05,
        "0.05: fit depends on how much "
        "variance the fixed effects and controls absorb",
    ),
    "kp_lm": Tolerance("relative", 0.25, "25%: a test statistic's scale follows the first-stage strength"),
    "kp_wald": Tolerance("relative", 0.25, "25%: a test statistic's scale follows the first-stage strength"),
    "suest_p": Tolerance(
        "same_side", 0.05,
        "same side of 0.05: the paper uses "
        "the p-value only to call a difference significant",
    ),
    "weight": Tolerance("absolute", 0.003, "0.003: the published weights are printed to three decimals"),
    "mean": Tolerance("relative", 0.03, "3% of the published value"),
    "sd": Tolerance("relative", 0.03, "3% of the published value"),
    "min": Tolerance("relative", 0.25, "25%: a minimum is one extreme observation"),
    "max": Tolerance("relative", 0.25, "25%: a maximum is one extreme observation"),
}  # fmt: skip

#: Why a moment of Tables 1-2 differs on the simulated panel (the closest world's Monte Carlo covers
#: Tables 3-10 only; these name the calibration stage that targets, or does not target, the moment).
DESIGN_REASONS = {
    "weight": (
        "the calibrated shape of this simulated indicator misses its published weight (make calibrate, "
        "stage 1): a national indicator varies only across years, and its shape is capped"
    ),
    "mean": "the calibrated world misses this moment (make calibrate, stage 3 of data/simulation/calibration.yml)",
    "sd": "the calibrated world misses this moment (make calibrate, stage 3 of data/simulation/calibration.yml)",
    "min": "minima are single extreme observations, not calibrated",
    "max": "maxima are single extreme observations, not calibrated",
}  # fmt: skip


def _cells_of(text: str) -> list[int]:
    """Column numbers named in an audit finding's ``cells`` text ("column (2)", "columns (1, 2)", ...)."""
    return [int(v) for v in re.findall(r"\d+", text.split(" vs ")[0])]


#: Audit checks and the statistic of a cell they bear on.
_CHECK_STATISTIC = {
    "zero standard error": "se",
    "KP rk LM and Wald F tell different stories": "kp_wald",
    "adding controls cannot lower fit by much": "adj_r2",
}


def audit_reason(finding: pd.Series | dict, words: dict[str, str]) -> Bilingual:
    """A ledger row's reason from an audit finding, in English and Chinese (a ledger cell,
    :func:`aichain_utils.report.display.table_cell`): "audit (warning): <check>: <explanation>" and
    "审查（警告）：<check>：<explanation>", the Chinese explanation the finding's own (``explanation_zh``,
    computed from the same numbers; its English where the check words it in English only), the severity and
    the check by the tables' catalogue ``words`` (:func:`aichain_utils.report.celltext.translate_text`)."""
    from aichain_utils.report.celltext import translate_text

    severity, check, why = (str(finding[k]) for k in ("severity", "check", "explanation"))
    why_zh = str(finding.get("explanation_zh") or "") or why
    severity_zh, check_zh = (translate_text(v, words) or v for v in (severity, check))
    return table_cell(Bilingual(f"audit ({severity}): {check}: {why}", f"审查（{severity_zh}）：{check_zh}：{why_zh}"))


def audit_index(findings: pd.DataFrame) -> dict[tuple[int, int, str], tuple[str, str]]:
    """Map (table, column, statistic) to the audit finding that explains a gap there: ``(id, reason)``.

    Only findings of severity "error" or "warning" count; "info" findings are oddities, not proof
    that a number cannot arise. Sample-size findings bear on N; the others on the statistic their
    check is about (:data:`_CHECK_STATISTIC`). An "error" finding (the column cannot be what the paper
    says it is) also bears on the column's coefficient, which then comes from an unknown sample. The
    closest-world family is left out: the ledger reads the closest-world table itself
    (:func:`aichain_utils.replication.closestworld.closest_world_table`).
    """
    from aichain_utils.report.catalogue import catalogue_path, load_catalogue

    words = load_catalogue(catalogue_path("tables"))
    out: dict[tuple[int, int, str], tuple[str, str]] = {}
    for _, f in findings[findings["severity"].isin(["error", "warning"])].iterrows():
        m = re.match(r"Table (\d+)$", str(f["table"]))
        stat = "n" if f["family"] == "sample_size" else _CHECK_STATISTIC.get(f["check"])
        if not m or stat is None or f["family"] == "closest_world":
            continue
        why = (str(f["id"]), audit_reason(f, words))
        for col in _cells_of(str(f["cells"])):
            out.setdefault((int(m.group(1)), col, stat), why)
            if f["severity"] == "error":  # the column cannot be what the paper says: nor can its coefficient
                out.setdefault((int(m.group(1)), col, "coef"), why)
    return out


def world_reason(row: dict | pd.Series, replicated: float | None = None) -> str:
    """The reason a closest-world verdict gives for one published statistic (computed from its row)."""
    where = (
        f"over {int(row['replications'])} draws of the calibrated world (seeds the calibration never used) this "
        f"statistic has mean {row['world_mean']:.4g}, SD {row['world_sd']:.4g} and central 95% band "
        f"[{row['band_low']:.4g}, {row['band_high']:.4g}]; the published {row['published']:.4g} lies at percentile "
        f"{100 * row['percentile']:.1f} (Monte Carlo SE {100 * row['percentile_mc_se']:.1f})"
    )
    if row["verdict"] == "no world of the family produces it":
        return (f"closest world: every one of its {int(row['replications'])} draws gives {row['world_mean']:.4g} "
                f"(fixed by the design and the book's readings, which calibration does not move), not the "
                f"published {row['published']:.4g}: no world of the family produces it")  # fmt: skip
    if row["verdict"] == "outside its 95% band":
        return f"closest world: {where}, outside its 95% band"
    draw = "" if replicated is None else f"this build's panel is one draw of that world ({replicated:.4g}): "
    if row["verdict"] == "at the edge of its 95% band":
        return (f"closest world: {draw}{where}, at the edge of its 95% band: the stored Monte Carlo cannot tell on "
                "which side, so the gap is not attributed to sampling error")  # fmt: skip
    return f"closest world: {draw}{where}, inside its 95% band; the gap is this draw's sampling error"


def decide(
    statistic: str,
    published: float,
    replicated: float | None,
    *,
    published_se: float | None = None,
    audit: tuple[str, str] | None = None,
    world: dict | pd.Series | None = None,
    simulated: bool = False,
    missing_reason: str = "",
) -> tuple[str, str, str, str]:
    """The verdict, its reason, the tolerance text and the finding id for one published number.

    Rules, in order: no replicated value → "not comparable"; within tolerance → "reproduced"; an
    audit finding ``(id, reason)`` on the cell → "cannot be reproduced"; a closest-world verdict
    (``world``, a row of :func:`aichain_utils.replication.closestworld.closest_world_table`) that the world does
    not produce the published number → "cannot be reproduced"; on the simulated panel, a closest-world
    verdict that it does (one draw's sampling error) → "differs by design"; a moment of Tables 1-2 on the
    simulated panel → "differs by design" with the calibration stage that targets it; otherwise →
    "cannot be reproduced", outside the tolerance with no finding to explain it (finding "").
    """
    tol = TOLERANCES[statistic]
    tol_text = tol.text(published, published_se)
    if replicated is None or not np.isfinite(replicated):
        return "not comparable", missing_reason or "no replicated counterpart on these data", tol_text, ""
    if tol.met(published, replicated, published_se):
        return "reproduced", "", tol_text, ""
    if audit:
        return "cannot be reproduced", audit[1], tol_text, audit[0]
    if world is not None and world["verdict"] in ("outside its 95% band", "no world of the family produces it"):
        return "cannot be reproduced", world_reason(world), tol_text, str(world["id"])
    if simulated and world is not None and world["verdict"] != "not produced in the world":
        return "differs by design", world_reason(world, replicated), tol_text, str(world["id"])
    if simulated and statistic in DESIGN_REASONS:
        return "differs by design", DESIGN_REASONS[statistic], tol_text, ""
    return (
        "cannot be reproduced",
        "outside the tolerance on the data of this build; no finding explains the gap",
        tol_text,
        "",
    )


def regression_rows(
    columns: dict[int, list | str],
    audit: dict[tuple[int, int, str], tuple[str, str]],
    simulated: bool,
    world: pd.DataFrame | None = None,
) -> list[dict]:
    """Ledger rows of Tables 3–10: every published statistic of every column.

    ``columns`` maps a table to its replicated :class:`aichain_utils.report.tables.Column` list, or to the
    reason it could not be built on these data; ``audit`` is :func:`audit_index`; ``world`` the
    closest-world table (:func:`aichain_utils.replication.closestworld.closest_world_table`).
    """
    from aichain_utils.inputs.published import load_regression_cells
    from aichain_utils.replication.lab import WORLD_STATISTICS, world_statistics

    by_cell = {} if world is None else {(int(r["table"]), int(r["column"]), r["statistic"]): r
                                        for _, r in world.iterrows()}  # fmt: skip
    rows = []
    for table, pub_table in load_regression_cells().groupby("table"):
        built = columns.get(int(table), f"Table {table} was not estimated")
        stats = world_statistics(built) if isinstance(built, list) else {}
        for _, pub in pub_table.iterrows():
            col = int(pub["column"])
            rep = stats.get(col, {})
            why_missing = (
                built if isinstance(built, str) else getattr(built, "missing_reason", f"column ({col}) not estimated")
            )
            for stat in WORLD_STATISTICS:
                if pd.isna(pub.get(stat)):
                    continue
                found = audit.get((int(table), col, stat))
                if stat == "coef" and float(pub["se"]) == 0 and not found:
                    # one published SE is no tolerance when the printed SE is zero
                    found = audit.get((int(table), col, "se"))
                value = rep.get(stat)
                if col in stats and value is not None and not np.isfinite(value):
                    why_missing = f"the replication does not compute {stat} for column ({col})"
                verdict, reason, tol, finding = decide(
                    stat, float(pub[stat]), value, published_se=float(pub["se"]), audit=found,
                    world=by_cell.get((int(table), col, stat)), simulated=simulated, missing_reason=why_missing,
                )  # fmt: skip
                rows.append(_row(int(table), str(col), stat, float(pub[stat]), value, tol, verdict, finding, reason))
    return rows


def _row(table, column, statistic, published, replicated, tolerance, verdict, finding, reason) -> dict:
    values = [table, column, statistic, published, replicated, tolerance, verdict, finding, reason]
    return dict(zip(COLUMNS, values, strict=True))


#: The reason AIE's simulated mean and SD differ, before the audit's floor finding is appended.
AIE_MOMENT_REASON = Bilingual(
    "AIE's moments are not a target of make calibrate: its indicators' shapes reproduce Table 1's weights, and "
    "the calibrated world sits away from the corner that Table 1, Table 2 and the book's readings leave. ",
    "AIE 的矩不是 make calibrate 的校准目标：其指标的分布形态复现了表 1 的权重，而校准后的模拟世界远离表 1、表 2 "
    "和本书的解读所留下的那个极端情形。",
)


def aie_moment_reason(floor: pd.DataFrame | None) -> Bilingual:
    """The reason AIE's simulated mean and SD differ (:data:`AIE_MOMENT_REASON`), with the audit's floor
    finding's explanation appended (``floor``: its row of the findings, or None), in English and Chinese; a
    ledger cell (:func:`aichain_utils.report.display.table_cell`)."""
    if floor is None or len(floor) == 0:
        return table_cell(AIE_MOMENT_REASON)
    why = floor["explanation"].iloc[0]
    why_zh = str(floor["explanation_zh"].iloc[0]) if "explanation_zh" in floor else ""
    audit = Bilingual(f"Audit: {why}", f"审查：{why_zh or getattr(why, 'zh', why)}")
    return table_cell(bilingual_join([AIE_MOMENT_REASON, audit]))


def moment_rows(
    t1_cmp: pd.DataFrame, t2_cmp: pd.DataFrame, simulated: bool, findings: pd.DataFrame | None = None
) -> list[dict]:
    """Ledger rows of Table 1 (weights) and Table 2 (N, mean, SD, min, max).

    ``t1_cmp`` and ``t2_cmp`` are :func:`aichain_utils.replication.measurement_tables.table1_comparison` and
    :func:`~aichain_utils.replication.measurement_tables.table2_comparison` of the panel the book was built from. On the
    simulated panel a missed mean or SD of AIE gives the audit's floor finding
    (:data:`aichain_utils.replication.audit.AIE_FLOOR_CHECK`) as its reason.
    """
    from aichain_utils.replication.audit import AIE_FLOOR_CHECK

    floor = None if findings is None else findings[findings["check"] == AIE_FLOOR_CHECK]
    has_floor = floor is not None and len(floor) > 0
    aie_reason = aie_moment_reason(floor)
    floor_id = str(floor["id"].iloc[0]) if has_floor and "id" in floor else ""
    rows = []
    no_weights = "the weights need the 24 AIE indicators of a raw-input file; the data give AIE itself"
    for _, r in t1_cmp.iterrows():
        verdict, reason, tol, finding = decide(
            "weight", float(r["published weight"]), float(r["weight here"]), simulated=simulated,
            missing_reason=no_weights,
        )  # fmt: skip
        rows.append(
            _row(
                1,
                f"#{int(r['#'])}",
                "weight",
                float(r["published weight"]),
                float(r["weight here"]),
                tol,
                verdict,
                finding,
                reason,
            )
        )
    for _, r in t2_cmp.iterrows():
        symbol = str(r["variable"]).split(" ")[0]
        for stat, pub_key, rep_key in [("n", "N paper", "N here"), ("mean", "mean paper", "mean here"),
                                       ("sd", "SD paper", "SD here"), ("min", "min paper", "min here"),
                                       ("max", "max paper", "max here")]:  # fmt: skip
            pub, rep = float(r[pub_key]), float(r[rep_key])
            if stat == "n" and rep == 0:
                rep = float("nan")  # no observation of the variable: nothing to compare
            why = f"the data have no values of {symbol}"
            verdict, reason, tol, finding = decide(stat, pub, rep, simulated=simulated, missing_reason=why)
            if simulated and verdict == "differs by design" and symbol == "AIE" and stat in ("mean", "sd"):
                reason, finding = aie_reason, floor_id
            rows.append(_row(2, symbol, stat, pub, rep, tol, verdict, finding, reason))
    return rows


def build_ledger(
    columns: dict[int, list | str],
    t1_cmp: pd.DataFrame,
    t2_cmp: pd.DataFrame,
    findings: pd.DataFrame,
    simulated: bool,
    world: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The whole ledger: one row per published number of Tables 1–10 (columns :data:`COLUMNS`).

    Parameters
    ----------
    columns : dict
        Replicated columns of Tables 3–10 by table (or the reason a table was not built).
    t1_cmp, t2_cmp : DataFrame
        Tables 1 and 2 compared (:mod:`aichain_utils.replication.measurement_tables`).
    findings : DataFrame
        :func:`aichain_utils.replication.audit.run_audit`.
    simulated : bool
        Whether the book was built from the simulated panel (only then is "differs by design" used).
    world : DataFrame, optional
        :func:`aichain_utils.replication.closestworld.closest_world_table` (the published numbers judged by the
        closest world's sampling distribution); without it no reason cites the closest world.
    """
    rows = moment_rows(t1_cmp, t2_cmp, simulated, findings)
    rows += regression_rows(columns, audit_index(findings), simulated, world)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.attrs["simulated"] = simulated
    return frame


def summary(ledger: pd.DataFrame) -> pd.DataFrame:
    """Verdict counts by statistic (rows) and verdict (columns), with totals."""
    counts = pd.crosstab(ledger["statistic"], ledger["verdict"], margins=True, margins_name="all")
    return counts.reindex(columns=[*[v for v in VERDICTS if v in counts.columns], "all"], fill_value=0)


def write_ledger(ledger: pd.DataFrame, directory: Path) -> tuple[Path, Path]:
    """Write ``ledger.csv`` and ``ledger.json`` into ``directory`` (``_build/tables``)."""
    directory.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = directory / "ledger.csv", directory / "ledger.json"
    ledger.to_csv(csv_path, index=False, float_format="%.6g")
    records = json.loads(ledger.to_json(orient="records"))
    json_path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return csv_path, json_path


class PartialColumns(list):
    """The columns of a table that the data could build only in part, with the reason for the others
    (:meth:`aichain_utils.inputs.availability.Availability.table`): the ledger judges the columns built and
    gives the others that reason."""

    def __init__(self, columns, missing_reason: str):
        super().__init__(columns)
        self.missing_reason = missing_reason


def whole_tables(columns: dict[int, list | str]) -> dict[int, list]:
    """The tables of :func:`replicate_tables` built whole (neither a reason nor :class:`PartialColumns`)."""
    return {t: c for t, c in columns.items() if isinstance(c, list) and not isinstance(c, PartialColumns)}


def replicate_tables(panel, bootstrap_reps: int = 0) -> dict[int, list | str]:
    """The replicated columns of Tables 3–10 (or, per table, why it cannot be built on these data).

    ``panel`` is an :class:`aichain_utils.inputs.panel.AnalysisPanel`; a table is built whole when
    ``panel.missing_reason("Table N")`` is None. Otherwise the columns the data can build
    (:meth:`aichain_utils.inputs.availability.Availability.built_columns`; Tables 3, 7 and 8 are built whole
    or not at all) are built as :class:`PartialColumns` carrying that reason, and with no such column
    the reason is kept.
    """
    from aichain_utils.inputs import availability
    from aichain_utils.replication import columns as replication

    av = availability.assess(panel)

    builders = {
        3: lambda d: replication.table3_columns(d, bootstrap_reps=bootstrap_reps),
        4: replication.table4_columns,
        5: replication.table5_columns,
        6: lambda d: replication.table6_columns(d, bootstrap_reps=bootstrap_reps),
        7: replication.table7_columns,
        8: replication.table8_columns,
        9: replication.table9_columns,
        10: replication.table10_columns,
    }
    out: dict[int, list | str] = {}
    for t, build in builders.items():
        reason = panel.missing_reason(f"Table {t}")
        built = av.built_columns(t) if reason is not None and t not in (3, 7, 8) else []
        if reason is None:
            out[t] = build(panel.data)
        elif built:
            cols = replication.table_columns(t, panel.data, columns=built, bootstrap_reps=bootstrap_reps)
            out[t] = PartialColumns(cols, reason)
        else:
            out[t] = reason
    return out


def _world() -> pd.DataFrame | None:
    """The closest-world table of the stored world Monte Carlo (None when none is stored)."""
    from aichain_utils.replication import closestworld

    if not (closestworld.results_path() / "meta.json").exists():
        return None
    return closestworld.closest_world_table()


def ledger_for_panel(panel, bootstrap_reps: int = 0) -> tuple[pd.DataFrame, dict[int, list | str]]:
    """The ledger of an :class:`aichain_utils.inputs.panel.AnalysisPanel`, and the replicated columns it used."""
    from aichain_utils.replication import audit
    from aichain_utils.replication import measurement_tables as measurement

    columns = replicate_tables(panel, bootstrap_reps)
    simulated = bool(panel.source is None or panel.source.is_simulated)
    frame = build_ledger(
        columns,
        measurement.table1_comparison(panel),
        measurement.table2_comparison(panel),
        audit.run_audit(),
        simulated,
        _world(),
    )
    return frame, columns


def ledger_for_tables(columns: dict[int, list | str], panel) -> pd.DataFrame:
    """The ledger rows of the given replicated tables only (a chapter's own cells).

    Parameters
    ----------
    columns : dict
        Table number to its replicated :class:`aichain_utils.report.tables.Column` list (or the reason it
        could not be built), as the chapter computed them.
    panel : AnalysisPanel
        The data of the build (its source says whether the panel is a draw of the simulated world).
    """
    from aichain_utils.replication import audit

    simulated = bool(panel.source is None or panel.source.is_simulated)
    rows = regression_rows(columns, audit_index(audit.run_audit()), simulated, _world())
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame = frame[frame["table"].isin(list(columns))].reset_index(drop=True)
    frame.attrs["simulated"] = simulated
    return frame


def verdict_line(rows: pd.DataFrame, link: str = "../at_a_glance.html", simulated: bool | None = None) -> str:
    """One HTML line with the verdicts on a chapter's published coefficients, for the top of its tables.

    First the closest world's verdict on each published coefficient (:mod:`aichain_utils.replication.closestworld`:
    inside its central 95% band or not, over the stored Monte Carlo; about the published numbers, so on
    any build), then this build's own comparison: on the simulated panel one draw of that world, on a
    user's file the user's data. Each mark carries the numbers and the reason in its tooltip.
    """
    from html import escape

    from aichain_utils.replication.closestworld import band_share

    simulated = bool(rows.attrs.get("simulated", False)) if simulated is None else simulated
    world = _world()
    coefs = rows[rows["statistic"] == "coef"]
    parts = []
    for table, grp in coefs.groupby("table"):
        pieces = []
        if world is not None:
            wrows = world[(world["table"] == int(table)) & (world["statistic"] == "coef")]
            marks = []
            for _, w in wrows.iterrows():
                mark, cls = _WORLD_MARKS[w["verdict"]]
                title = escape(f"{w['verdict']}: {world_reason(w)} [{w['id']}]")
                marks.append(f"<span class='aichain-v-{cls}' title='{title}'>({w['column']})&#8239;{mark}</span>")
            sh = band_share(wrows)
            reps = int(wrows["replications"].max()) if len(wrows) else 0
            pieces.append(f"closest world: {' '.join(marks)} — {sh['inside']} of {sh['n']} published coefficients "
                          f"inside its central 95% band ({reps} draws)")  # fmt: skip
        marks = []
        for _, r in grp.iterrows():
            mark, cls = _MARKS[r["verdict"]]
            rep = "—" if pd.isna(r["replicated"]) else f"{r['replicated']:.3f}"
            cite = f" [{r['finding']}]" if r["finding"] else ""
            title = escape(f"{r['verdict']}: published {r['published']:.3f}, replicated {rep}; {r['reason']}{cite}")
            marks.append(f"<span class='aichain-v-{cls}' title='{title}'>({r['column']})&#8239;{mark}</span>")
        ok = int((grp["verdict"] == "reproduced").sum())
        what = "this build's panel, one draw of that world" if simulated else "your data"
        pieces.append(f"{what}: {' '.join(marks)} — {ok} of {len(grp)} within one published SE")
        parts.append(f"Table {table}: " + "; ".join(pieces))
    body = ". ".join(parts) if parts else "no published coefficient in these tables"
    return (
        f"<p class='aichain-verdict-line'><strong>Verdicts.</strong> {body}. "
        "Closest world: ✓ inside its 95% band, ≈ at its edge within Monte Carlo error, ✗ outside, ⊘ no world of "
        "the family produces it. Ledger: ✓ reproduced, ◇ differs by design, ✗ cannot be reproduced, "
        f"– not comparable. Hover a mark for its reason (<a href='{link}'>all verdicts</a>).</p>"
    )


#: Mark and CSS class of each closest-world verdict.
_WORLD_MARKS = {
    "consistent with the closest world": ("✓", "ok"),
    "at the edge of its 95% band": ("≈", "design"),
    "outside its 95% band": ("✗", "cannot"),
    "no world of the family produces it": ("⊘", "cannot"),
    "not produced in the world": ("–", "na"),
}


#: Mark and CSS class of each verdict in the grid (the mark carries the verdict without colour).
_MARKS = {
    "reproduced": ("✓", "ok"),
    "differs by design": ("◇", "design"),
    "cannot be reproduced": ("✗", "cannot"),
    "not comparable": ("–", "na"),
}


def verdict_grid_html(ledger: pd.DataFrame, statistic: str = "coef") -> str:
    """An HTML grid of Tables 3–10 × columns: the verdict of each column's ``statistic``, linked to its chapter.

    Each cell shows a mark (✓ reproduced, ◇ differs by design, ✗ cannot be reproduced, – not comparable)
    and carries a CSS class (``aichain-v-ok`` …) for colour; the title attribute gives the numbers.
    """
    from html import escape

    rows = ledger[(ledger["statistic"] == statistic) & ledger["table"].between(3, 10)]
    width = int(rows["column"].astype(int).max())
    head = "".join(f"<th scope='col'>({c})</th>" for c in range(1, width + 1))
    body = []
    for table, grp in rows.groupby("table"):
        cells = {int(r["column"]): r for _, r in grp.iterrows()}
        tds = []
        for c in range(1, width + 1):
            if c not in cells:
                tds.append("<td></td>")
                continue
            r = cells[c]
            mark, cls = _MARKS[r["verdict"]]
            rep = "—" if pd.isna(r["replicated"]) else f"{r['replicated']:.3f}"
            cite = f" [{r['finding']}]" if r["finding"] else ""
            title = escape(f"{r['verdict']}: published {r['published']:.3f}, replicated {rep}; {r['reason']}{cite}")
            href = f"chapters/{CHAPTERS[int(table)]}.html"
            tds.append(f"<td class='aichain-v-{cls}'><a href='{href}' title='{title}'>{mark}</a></td>")
        body.append(f"<tr><th scope='row'>Table {table}</th>{''.join(tds)}</tr>")
    return (
        "<table class='aichain-verdict-grid'><thead><tr><th></th>"
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
