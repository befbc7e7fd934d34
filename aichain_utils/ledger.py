"""The replication ledger: every published number of Tables 1–10 with its replicated value and a verdict.

One row per published number (coefficient, SE, N, adjusted R², KP statistics, suest p, Table 1 weight,
Table 2 moment). Each row carries a tolerance fixed in advance (:data:`TOLERANCES`) and one verdict:

``reproduced``
    the replicated value lies within the tolerance of the published one;
``cannot be reproduced``
    the consistency audit (:mod:`aichain_utils.audit`) shows that the printed number cannot arise
    under the paper's stated design, or, on data other than the simulated panel, the value lies
    outside the tolerance and nothing explains it (the reason says which);
``differs by design``
    on the simulated panel only: the gap comes from a stated feature of the simulated world (the
    effect it sets, the reverse feedback that biases fixed effects, moments it does not target);
``not comparable``
    there is no replicated counterpart on these data (the reason says why).

The order of the rules is the order above after "reproduced"; see :func:`decide`. The ledger is
written at build time to ``_build/tables/ledger.csv`` and ``ledger.json`` (:func:`write_ledger`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "CHAPTERS",
    "COLUMNS",
    "STATISTICS",
    "TOLERANCES",
    "VERDICTS",
    "Tolerance",
    "audit_index",
    "build_ledger",
    "decide",
    "ledger_for_tables",
    "regression_rows",
    "summary",
    "verdict_line",
    "write_ledger",
]

STATISTICS = ("coef", "se", "n", "adj_r2", "kp_lm", "kp_wald", "suest_p", "weight", "mean", "sd", "min", "max")
VERDICTS = ("reproduced", "differs by design", "cannot be reproduced", "not comparable")
COLUMNS = ["table", "column", "statistic", "published", "replicated", "tolerance", "verdict", "reason"]
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

#: Why a statistic other than a coefficient differs on the simulated panel (rule 3 of :func:`decide`).
DESIGN_REASONS = {
    "se": (
        "the simulated world is calibrated to Table 2's moments "
        "and the published effects, not to the published standard errors"
    ),
    "adj_r2": (
        "the simulated world is calibrated to Table 2's means and "
        "SDs, not to how much of the outcome the regressors explain"
    ),
    "kp_lm": (
        "the instruments' first-stage strength is a choice "
        "of data/simulation/params.yml, not calibrated to the KP statistics"
    ),
    "kp_wald": (
        "the instruments' first-stage strength is a choice "
        "of data/simulation/params.yml, not calibrated to the KP statistics"
    ),
    "suest_p": (
        "the calibration matches the group coefficients of Tables 7-9, "
        "not the precision of their differences"
    ),
    "n": (
        "the simulated panel follows the book's reading of the "
        "observation unit (61 units per industry, every year observed)"
    ),
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
    "no simulated world reproduces it together with the rest": "coef",
}


def audit_index(findings: pd.DataFrame) -> dict[tuple[int, int, str], str]:
    """Map (table, column, statistic) to the audit finding that explains a gap there.

    Only findings of severity "error" or "warning" count; "info" findings are oddities, not proof
    that a number cannot arise. Sample-size findings bear on N; the others on the statistic their
    check is about (:data:`_CHECK_STATISTIC`). An "error" finding (the column cannot be what the paper
    says it is) also bears on the column's coefficient, which then comes from an unknown sample.
    """
    out: dict[tuple[int, int, str], str] = {}
    for _, f in findings[findings["severity"].isin(["error", "warning"])].iterrows():
        m = re.match(r"Table (\d+)$", str(f["table"]))
        stat = "n" if f["family"] == "sample_size" else _CHECK_STATISTIC.get(f["check"])
        if not m or stat is None:
            continue
        for col in _cells_of(str(f["cells"])):
            why = f"audit ({f['severity']}): {f['check']}: {f['explanation']}"
            out.setdefault((int(m.group(1)), col, stat), why)
            if f["severity"] == "error":  # the column cannot be what the paper says: nor can its coefficient
                out.setdefault((int(m.group(1)), col, "coef"), why)
    return out


def decide(
    statistic: str,
    published: float,
    replicated: float | None,
    *,
    published_se: float | None = None,
    audit: str | None = None,
    simulated: bool = False,
    truth: float | None = None,
    missing_reason: str = "",
) -> tuple[str, str, str]:
    """The verdict, its reason and the tolerance text for one published number.

    Rules, in order: no replicated value → "not comparable"; within tolerance → "reproduced"; an
    audit finding on the cell → "cannot be reproduced"; on the simulated panel → "differs by design"
    (for a coefficient with a known truth the reason gives it and the estimator's bias); otherwise →
    "cannot be reproduced", outside the tolerance with nothing to explain it.
    """
    tol = TOLERANCES[statistic]
    tol_text = tol.text(published, published_se)
    if replicated is None or not np.isfinite(replicated):
        return "not comparable", missing_reason or "no replicated counterpart on these data", tol_text
    if tol.met(published, replicated, published_se):
        return "reproduced", "", tol_text
    if audit:
        return "cannot be reproduced", audit, tol_text
    if simulated and statistic == "coef" and truth is not None:
        near = abs(truth - published) <= tol.allowed(published, published_se)
        why = (
            f"the calibrated simulated world sets this effect to {truth:.3f}, within one published SE of the published "
            f"value; the estimator lands {replicated - truth:+.3f} from it in that world (reverse feedback, "
            "confounding and sampling error)"
            if near
            else f"the calibrated simulated world sets this effect to {truth:.3f}, not the published {published:.3f}: "
            "the closest world the calibration found does not hold it together with the other published coefficients "
            "(audit chapter, the closest world)"
        )
        return "differs by design", why, tol_text
    if simulated:
        return "differs by design", DESIGN_REASONS.get(statistic, "a feature of the simulated world"), tol_text
    return (
        "cannot be reproduced",
        "outside the tolerance on the data of this build; no audit finding explains the gap",
        tol_text,
    )


DESIGN_REASONS["coef"] = "the simulated world sets no effect for this column's variables (see the measurement chapter)"


def _kp(extra: dict, *names: str) -> float | None:
    """A KP statistic from an IV estimate's ``extra`` (the first of ``names`` present)."""
    for name in names:
        if extra.get(name) is not None:
            return float(extra[name])
    return None


def _replicated_stats(tidy_row: pd.Series, column) -> dict[str, float | None]:
    """The replicated counterparts of the published statistics of one column."""
    extra = getattr(getattr(column, "estimate", None), "extra", None) or {}
    suest = pd.to_numeric(pd.Series([tidy_row.get("extra: suest p, replicated")]), errors="coerce").iloc[0]
    return {
        "coef": float(tidy_row["coef"]),
        "se": float(tidy_row["se"]),
        "n": float(tidy_row["n"]),
        "adj_r2": None if pd.isna(tidy_row.get("adj_r2")) else float(tidy_row["adj_r2"]),
        "kp_lm": _kp(extra, "kp_lm"),
        "kp_wald": _kp(extra, "kp_wald_f", "kp_wald"),
        "suest_p": None if pd.isna(suest) else float(suest),
    }


def regression_rows(
    columns: dict[int, list | str],
    audit: dict[tuple[int, int, str], str],
    simulated: bool,
    truths: dict[tuple[int, int], float],
) -> list[dict]:
    """Ledger rows of Tables 3–10: every published statistic of every column.

    ``columns`` maps a table to its replicated :class:`aichain_utils.tables.Column` list, or to the
    reason it could not be built on these data.
    """
    from aichain_utils.published import load_regression_cells
    from aichain_utils.tables import render_table

    rows = []
    cells = load_regression_cells()
    for table, pub_table in cells.groupby("table"):
        built = columns.get(int(table), f"Table {table} was not estimated")
        tidy = render_table(int(table), built).tidy.set_index("column") if isinstance(built, list) else None
        by_number = {c.number: c for c in built} if isinstance(built, list) else {}
        for _, pub in pub_table.iterrows():
            col = int(pub["column"])
            rep = _replicated_stats(tidy.loc[col], by_number[col]) if tidy is not None and col in tidy.index else {}
            why_missing = built if isinstance(built, str) else f"column ({col}) not estimated"
            for stat in ("coef", "se", "n", "adj_r2", "kp_lm", "kp_wald", "suest_p"):
                if pd.isna(pub.get(stat)):
                    continue
                found = audit.get((int(table), col, stat))
                if stat == "coef" and float(pub["se"]) == 0 and not found:
                    # one published SE is no tolerance when the printed SE is zero
                    found = audit.get((int(table), col, "se"), "the printed standard error is zero")
                verdict, reason, tol = decide(
                    stat, float(pub[stat]), rep.get(stat), published_se=float(pub["se"]),
                    audit=found, simulated=simulated,
                    truth=truths.get((int(table), col)), missing_reason=why_missing,
                )  # fmt: skip
                rows.append(_row(int(table), str(col), stat, float(pub[stat]), rep.get(stat), tol, verdict, reason))
    return rows


def _row(table, column, statistic, published, replicated, tolerance, verdict, reason) -> dict:
    return dict(
        zip(COLUMNS, [table, column, statistic, published, replicated, tolerance, verdict, reason], strict=True)
    )


#: The reason AIE's simulated mean and SD differ, before the audit's floor finding is appended.
AIE_MOMENT_REASON = (
    "AIE's moments are not a target of make calibrate: its indicators' shapes reproduce Table 1's weights, and "
    "the calibrated world sits away from the corner that Table 1, Table 2 and the book's readings leave. "
)


def moment_rows(
    t1_cmp: pd.DataFrame, t2_cmp: pd.DataFrame, simulated: bool, findings: pd.DataFrame | None = None
) -> list[dict]:
    """Ledger rows of Table 1 (weights) and Table 2 (N, mean, SD, min, max).

    ``t1_cmp`` and ``t2_cmp`` are :func:`aichain_utils.measurement.table1_comparison` and
    :func:`~aichain_utils.measurement.table2_comparison` of the panel the book was built from. On the
    simulated panel a missed mean or SD of AIE gives the audit's floor finding
    (:data:`aichain_utils.audit.AIE_FLOOR_CHECK`) as its reason.
    """
    from aichain_utils.audit import AIE_FLOOR_CHECK

    floor = None if findings is None else findings[findings["check"] == AIE_FLOOR_CHECK]
    aie_reason = AIE_MOMENT_REASON + (
        f"Audit: {floor['explanation'].iloc[0]}" if floor is not None and len(floor) else ""
    )
    rows = []
    no_weights = "the weights need the 24 AIE indicators of a raw-input file; the data give AIE itself"
    for _, r in t1_cmp.iterrows():
        verdict, reason, tol = decide(
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
            verdict, reason, tol = decide(stat, pub, rep, simulated=simulated, missing_reason=why)
            if simulated and verdict == "differs by design" and symbol == "AIE" and stat in ("mean", "sd"):
                reason = aie_reason
            rows.append(_row(2, symbol, stat, pub, rep, tol, verdict, reason))
    return rows


def build_ledger(
    columns: dict[int, list | str],
    t1_cmp: pd.DataFrame,
    t2_cmp: pd.DataFrame,
    findings: pd.DataFrame,
    simulated: bool,
    truths: dict[tuple[int, int], float] | None = None,
) -> pd.DataFrame:
    """The whole ledger: one row per published number of Tables 1–10 (columns :data:`COLUMNS`).

    Parameters
    ----------
    columns : dict
        Replicated columns of Tables 3–10 by table (or the reason a table was not built).
    t1_cmp, t2_cmp : DataFrame
        Tables 1 and 2 compared (:mod:`aichain_utils.measurement`).
    findings : DataFrame
        :func:`aichain_utils.audit.run_audit`.
    simulated : bool
        Whether the book was built from the simulated panel (only then is "differs by design" used).
    truths : dict, optional
        On the simulated panel, the effect the simulated world sets for (table, column).
    """
    rows = moment_rows(t1_cmp, t2_cmp, simulated, findings)
    rows += regression_rows(columns, audit_index(findings), simulated, truths or {})
    return pd.DataFrame(rows, columns=COLUMNS)


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


def simulated_truths(params: dict, columns: dict[int, list | str], group_truth: pd.DataFrame | None = None) -> dict:
    """The effect the simulated world sets for each (table, column) of Tables 3–10 it sets one for.

    Parameters
    ----------
    params : dict
        ``data/simulation/params.yml`` as read by :func:`aichain_utils.simulate.load_params`.
    columns : dict
        Replicated columns by table (their labels name the groups of Tables 7–9).
    group_truth : DataFrame, optional
        :func:`aichain_utils.replication.true_group_effects`: the true average effect in each group.
    """
    from aichain_utils.simulate import segment_effects

    eff = params["effects"]
    total = float(eff["aie_on_erl_total"])
    seg = segment_effects(params)
    truths: dict[tuple[int, int], float] = {(3, c): total for c in range(1, 9)}
    truths |= {(4, c): total for c in range(1, 6)} | {(5, c): total for c in (5, 6, 7)}
    truths |= {(5, 2): seg["front"], (5, 3): seg["inter"], (5, 4): seg["back"]}
    truths |= {(6, 1): eff["aie_on_fsie"], (6, 2): eff["aie_on_itse_forward"], (6, 3): eff["aie_on_itse_backward"]}
    truths |= {
        (10, 1): eff["aie_on_lcv"],
        (10, 2): eff["aie_on_lcv"],
        (10, 3): eff["aie_on_wcv"],
        (10, 4): eff["aie_on_wcv"],
    }
    if group_truth is not None:
        by_label = {(int(r["table"]), str(r["group"]).split(" (")[0]): float(r["true average effect"])
                    for _, r in group_truth.iterrows()}  # fmt: skip
        for table in (7, 8, 9):
            for col in columns.get(table, []) if isinstance(columns.get(table), list) else []:
                if (table, col.label) in by_label:
                    truths[(table, col.number)] = by_label[(table, col.label)]
    return {k: float(v) for k, v in truths.items()}


def replicate_tables(panel, bootstrap_reps: int = 0) -> dict[int, list | str]:
    """The replicated columns of Tables 3–10 (or, per table, why it cannot be built on these data).

    ``panel`` is an :class:`aichain_utils.panel.AnalysisPanel`; a table is built only when
    ``panel.missing_reason("Table N")`` is None, and that reason is kept otherwise.
    """
    from aichain_utils import replication

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
    return {t: (panel.missing_reason(f"Table {t}") or build(panel.data)) for t, build in builders.items()}


def ledger_for_panel(panel, bootstrap_reps: int = 0) -> tuple[pd.DataFrame, dict[int, list | str]]:
    """The ledger of an :class:`aichain_utils.panel.AnalysisPanel`, and the replicated columns it used."""
    from aichain_utils import audit, measurement, replication
    from aichain_utils.simulate import load_params, simulate_panel
    from aichain_utils.tables import render_table

    columns = replicate_tables(panel, bootstrap_reps)
    simulated = bool(panel.source is None or panel.source.is_simulated)
    truths = None
    if simulated:
        rendered = {t: render_table(t, columns[t]) for t in (7, 8, 9) if isinstance(columns[t], list)}
        group_truth = (
            replication.true_group_effects(rendered, panel.data, simulate_panel().truth) if len(rendered) == 3 else None
        )
        truths = simulated_truths(load_params(), columns, group_truth)
    frame = build_ledger(
        columns,
        measurement.table1_comparison(panel),
        measurement.table2_comparison(panel),
        audit.run_audit(),
        simulated,
        truths,
    )
    return frame, columns


def ledger_for_tables(columns: dict[int, list | str], panel) -> pd.DataFrame:
    """The ledger rows of the given replicated tables only (a chapter's own cells).

    Parameters
    ----------
    columns : dict
        Table number to its replicated :class:`aichain_utils.tables.Column` list (or the reason it
        could not be built), as the chapter computed them.
    panel : AnalysisPanel
        The data of the build (its source says whether truths of the simulated world apply).
    """
    from aichain_utils import audit, replication
    from aichain_utils.simulate import load_params, simulate_panel
    from aichain_utils.tables import render_table

    simulated = bool(panel.source is None or panel.source.is_simulated)
    truths: dict = {}
    if simulated:
        group_truth = None
        built = {t: c for t, c in columns.items() if isinstance(c, list)}
        if {7, 8, 9} <= set(built):
            rendered = {t: render_table(t, built[t]) for t in (7, 8, 9)}
            group_truth = replication.true_group_effects(rendered, panel.data, simulate_panel().truth)
        truths = simulated_truths(load_params(), columns, group_truth)
    rows = regression_rows(columns, audit_index(audit.run_audit()), simulated, truths)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame[frame["table"].isin(list(columns))].reset_index(drop=True)


def verdict_line(rows: pd.DataFrame, link: str = "../at_a_glance.html") -> str:
    """One HTML line with the coefficient verdicts of a chapter's tables, for the top of its tables.

    For example "Ledger, Table 3: (1) ✓ (2) ✓ (3) ✗ …: 7 of 8 coefficients reproduced within one published
    SE", each mark with the numbers and the reason in its tooltip, and a link to the whole ledger.
    """
    from html import escape

    coefs = rows[rows["statistic"] == "coef"]
    parts = []
    for table, grp in coefs.groupby("table"):
        marks = []
        for _, r in grp.iterrows():
            mark, cls = _MARKS[r["verdict"]]
            rep = "—" if pd.isna(r["replicated"]) else f"{r['replicated']:.3f}"
            title = escape(f"{r['verdict']}: published {r['published']:.3f}, replicated {rep}; {r['reason']}")
            marks.append(f"<span class='aichain-v-{cls}' title='{title}'>({r['column']})&#8239;{mark}</span>")
        ok = int((grp["verdict"] == "reproduced").sum())
        parts.append(
            f"Table {table}: {' '.join(marks)} — {ok} of {len(grp)} coefficients reproduced within one published SE"
        )
    body = "; ".join(parts) if parts else "no published coefficient in these tables"
    return (
        f"<p class='aichain-verdict-line'><strong>Replication ledger.</strong> {body}. "
        f"✓ reproduced, ◇ differs by design, ✗ cannot be reproduced, – not comparable; hover a mark for its reason "
        f"(<a href='{link}'>all verdicts</a>).</p>"
    )


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
            title = escape(f"{r['verdict']}: published {r['published']:.3f}, replicated {rep}; {r['reason']}")
            href = f"chapters/{CHAPTERS[int(table)]}.html"
            tds.append(f"<td class='aichain-v-{cls}'><a href='{href}' title='{title}'>{mark}</a></td>")
        body.append(f"<tr><th scope='row'>Table {table}</th>{''.join(tds)}</tr>")
    return (
        "<table class='aichain-verdict-grid'><thead><tr><th></th>"
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
