"""A machine-checked consistency audit of the published tables, run as a referee would.

Every check is a function of the published tables alone (``data/published/``) and returns a
list of :class:`Finding`. Nothing is typed in: a finding exists only if the numbers produce
it. The families:

1. ``sample_size``: every N against the stated design (industries x years), the sample rules (a lag
   or first difference drops one year, a window ending in 2022, the outlier rule's largest possible
   trimming, :func:`trimming_bounds`), the variables' own Ns, and splits that must add up;
2. ``stars``: significance stars against coefficient / SE, under normal and t p-values;
3. ``tests``: test statistics recomputed from the printed numbers: suest p-values of disjoint groups
   (:func:`equality_wald`, the z of a difference of independent coefficients), Kleibergen-Paap stars;
4. ``descriptives``: Table 2 feasibility (mean within [min, max], SD bounds, N consistency);
5. ``identity``: numbers econometric theory says must coincide (equation 9, LSDV = within);
6. ``nesting``: fit orderings implied by nesting, for every pair of columns of a table
   (:func:`check_nesting`);
7. ``se_bound``: standard-error bounds implied by identities between outcomes (:func:`se_bounds`);
8. ``plausibility``: statistics implausible given their inputs;
9. ``prose_vs_table``: the paper's words against its own tables (the verbal claims of
   ``data/published/claims.csv``, and method labels against the printed specification rows);
10. ``hypotheses``: hypotheses with several legs (H2, H3) judged on every leg, not on the first;
11. ``quotes``: every quotation the book attributes to the paper found verbatim in its text;
12. ``text``: statements of the paper that contradict each other (e.g. the data sources named in
    the Chinese text and in the English abstract);
13. ``reading``: oddities this book resolves by a reading stated elsewhere (the unit of
    observation, the fixed effects), recorded so the audit is complete;
14. ``closest_world``: the statistical counterpart of the algebraic checks. ``make calibrate``
    (:mod:`aichain_utils.replication.calibration`) finds the simulated world closest to the published numbers; a
    published statistic outside that world's central 95% band, over a stored Monte Carlo of the whole
    battery (:mod:`aichain_utils.replication.closestworld`), is one the world does not produce. This family reads the
    stored Monte Carlo (``data/montecarlo/world/``), so it depends on the book's simulator as well as on
    the published numbers, and says so.

:func:`run_audit` returns every finding with a stable ``id`` and the ``statistic`` it bears on;
:func:`write_audit` writes them to ``_build/tables/audit.csv`` at book-build time.

Severities: ``error`` (cannot hold under any reading), ``warning`` (cannot hold under the
paper's own description, though some unstated difference could explain it), ``info``
(unusual but possible).
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

from aichain_utils.errors import input_error
from aichain_utils.inputs.published import load_design, load_regression_cells, load_table2
from aichain_utils.paths import data_dir, repo_root
from aichain_utils.replication.findings import Finding

__all__ = [
    "AUDIT_CSV_COLUMNS",
    "FAMILIES",
    "SEVERITY_ORDER",
    "aie_mean_floor",
    "audit_csv_frame",
    "book_quotations",
    "check_aie_floor",
    "check_closest_world",
    "check_descriptives",
    "check_hypothesis_legs",
    "check_identities",
    "check_kp_stars",
    "check_method_labels",
    "check_nesting",
    "check_plausibility",
    "check_prose_claims",
    "check_quotations",
    "check_readings",
    "check_sample_sizes",
    "check_se_bounds",
    "check_sources",
    "check_stars",
    "check_suest",
    "equality_wald",
    "paper_text_path",
    "run_audit",
    "se_bounds",
    "trimming_bounds",
    "write_audit",
]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

#: Every family, with what it checks (the audit chapter's list; a family may have no finding).
FAMILIES: dict[str, str] = {
    "sample_size": "every N against the design, the sample rules (lags, windows, trimming) and the splits",
    "stars": "significance stars against coefficient / SE, allowing for rounding",
    "tests": "suest p-values and Kleibergen-Paap stars recomputed from the printed numbers",
    "descriptives": "Table 2: mean within [min, max], the Bhatia-Davis SD bound, extreme values, Ns",
    "identity": "numbers that must coincide: equation 9's segment mean, LSDV and the within estimator",
    "nesting": "adjusted R² of every pair of nested columns on the same sample",
    "se_bound": "the SE of an outcome that is a weighted sum of others, within triangle-inequality bounds",
    "plausibility": "a zero SE, SEs an order of magnitude apart, LM and Wald statistics that disagree",
    "prose_vs_table": "each verbal claim and method label against the paper's own table",
    "hypotheses": "hypotheses with several legs judged on every leg",
    "quotes": "every quotation the book attributes to the paper found verbatim in its text",
    "text": "statements of the paper that contradict each other (data sources)",
    "reading": "oddities the book resolves by a stated reading (the unit of observation, AIE's floor)",
    "closest_world": "published coefficients the closest simulated world cannot reproduce with the rest",
}


def _design(design: dict | None) -> tuple[int, int, int]:
    design = design or load_design()
    n_ind = int(design["n_industries"])
    years = int(design["last_year"]) - int(design["first_year"]) + 1
    return n_ind, years, int(design["first_year"])


def _levels(design: dict | None) -> list[float]:
    design = design or load_design()
    return sorted(float(v) for v in str(design["significance_levels"]).split("|"))


def _stars_for(p: float, levels: list[float]) -> str:
    marks = ["***", "**", "*"]
    for level, mark in zip(sorted(levels), marks, strict=False):
        if p < level:
            return mark
    return ""


# --------------------------------------------------------------------------- 1. sample sizes
def _n_finding(check: str, table: str, cells: str, expected: str, printed: str, severity: str, why: str) -> Finding:
    return Finding("sample_size", check, table, cells, expected, printed, severity, why, "n")


def _n_design(full: int, n_ind: int, n_years: int) -> list[Finding]:
    """The full N against the stated panel: industries x (units) x years."""
    units, rem = divmod(full, n_years)
    if rem:
        return [
            _n_finding(
                "full sample divisible by years",
                "Table 2",
                "N",
                f"a multiple of {n_years} (balanced panel)",
                str(full),
                "warning",
                f"{full} unit-years cannot be a balanced panel over {n_years} years.",
            )
        ]
    if units % n_ind:
        return [
            _n_finding(
                "units divisible by industries",
                "Table 2",
                "N",
                f"a multiple of {n_ind} x {n_years}",
                str(full),
                "info",
                f"{units} units do not split evenly over {n_ind} industries.",
            )
        ]
    return []


def _label(row: pd.Series) -> str:
    return f"{row['column_label_zh']}{row['method_zh'] if pd.notna(row['method_zh']) else ''}"


#: Sample rules that drop exactly one year of a balanced panel: (table, words in the label, why).
YEAR_RULES: tuple[tuple[int, str, str, str], ...] = (
    (
        4,
        "IV1",
        "lagged instrument loses a year",
        "IV1 is AIE lagged one year, which does not exist in the first year of the stated 2013-2023 panel; a "
        "balanced panel then has {n} usable observations, unless the lag comes from 2012 data the paper does not "
        "mention.",
    ),
    (
        4,
        "组内差分",
        "first difference loses a year",
        "A first difference (组内差分法) does not exist in a unit's first year; a balanced panel then has {n} "
        "observations.",
    ),
    (
        5,
        "改变统计口径",
        "sample to 2022",
        "The prose says the years up to 2022; dropping 2023 from a balanced panel leaves {n} observations.",
    ),
)


def _n_column_rules(cells: pd.DataFrame, full: int, n_years: int) -> list[Finding]:
    """Every N at most the full sample; a lag, a first difference or a shorter window drops one year."""
    one_year_less = full - full // n_years
    out = []
    for _, row in cells.iterrows():
        n, where = int(row["n"]), (f"Table {row['table']}", f"column ({row['column']})")
        if n > full:
            out.append(
                _n_finding(
                    "N above the full sample",
                    *where,
                    f"at most {full}",
                    str(n),
                    "error",
                    "A regression cannot use more observations than the panel has.",
                )
            )
        for table, words, check, why in YEAR_RULES:
            if row["table"] == table and words in _label(row) and n != one_year_less:
                out.append(
                    _n_finding(check, *where, str(one_year_less), str(n), "warning", why.format(n=one_year_less))
                )
    return out


def _n_variables(cells: pd.DataFrame, table2: pd.DataFrame) -> list[Finding]:
    """Each regression's N against the Table 2 N of its outcome (or of the variable it is built from)."""
    t2n = table2.set_index("symbol")["n"].astype(int)
    out = []
    for _, row in cells.iterrows():
        outcome, n = str(row["outcome"]), int(row["n"])
        base = outcome.split("_")[0]
        where = (f"Table {row['table']}", f"column ({row['column']})")
        if base not in t2n.index or base == "ERL":
            continue
        own = int(t2n[base])
        if outcome != base and n > own:  # e.g. ITSE_forward (eq. 14) is not ITSE (eqs 12-13)
            out.append(
                _n_finding(
                    "N above a related variable's N",
                    *where,
                    f"at most {own} only if {outcome} is observed where {base} is",
                    str(n),
                    "info",
                    f"{outcome} is a different variable from {base} (Table 2 N {own}); the book builds it "
                    f"from inputs observed on every row, so N {n} is possible.",
                )
            )
        elif n > own:
            out.append(
                _n_finding(
                    "N above the variable's own N",
                    *where,
                    f"at most {own} (Table 2, {base})",
                    str(n),
                    "error",
                    f"{base} is observed {own} times in Table 2; a regression on it cannot have more observations.",
                )
            )
        if n < own and n in set(t2n):
            out.append(
                _n_finding(
                    "N equals another variable's N",
                    *where,
                    f"{own} ({base} in Table 2)",
                    str(n),
                    "info",
                    "The printed N equals the N of a different variable in Table 2.",
                )
            )
    return out


def _split_whole(cells: pd.DataFrame, table: int, cols: list[int], full: int) -> tuple[int, str]:
    """The sample a split divides: a column of the same table labelled as the overall sample, else the panel."""
    rest = cells[(cells["table"] == table) & ~cells["column"].isin(cols)]
    overall = rest[rest["column_label_zh"].astype(str).str.contains("总体样本")]
    if len(overall):
        return int(overall["n"].iloc[0]), f"column ({int(overall['column'].iloc[0])}), the overall sample"
    return full, "the full sample"


def _n_split_sums(t: int, cols: list[int], ns: pd.Series, whole: int, what: str) -> list[Finding]:
    where = (f"Table {t}", f"columns {tuple(cols)}")
    total = int(ns.sum())
    if (ns == whole).all():
        return [
            _n_finding(
                "split groups each use the full sample",
                *where,
                f"group Ns adding to at most {whole}",
                " + ".join(map(str, ns)),
                "error",
                "The groups split the sample, so each must be smaller than the whole.",
            )
        ]
    if total > whole:
        return [
            _n_finding(
                "split groups exceed the sample",
                *where,
                f"at most {whole} ({what})",
                str(total),
                "error",
                "Disjoint groups cannot together have more observations than the sample.",
            )
        ]
    if total != whole:
        check = "two-way split does not add up" if len(cols) == 2 else "split does not add up"
        return [
            _n_finding(
                check,
                *where,
                f"{whole} ({what})",
                str(total),
                "warning",
                f"The paper divides the sample into these {len(cols)} groups, which should cover {what}; "
                f"{whole - total} observations are unaccounted for.",
            )
        ]
    return []


def _n_splits(cells: pd.DataFrame, full: int, n_years: int) -> list[Finding]:
    """Groups compared by suest partition a sample: their Ns add up to it; each is a whole number of panels."""
    c = cells.set_index(["table", "column"])
    out = []
    for t, grp in cells.dropna(subset=["suest_group"]).groupby("table"):
        for key in grp["suest_group"].unique():
            if not key:
                continue
            cols = [int(v) for v in str(key).split("|")]
            ns = c.loc[[(t, k) for k in cols], "n"].astype(int)
            whole, what = _split_whole(cells, int(t), cols, full)
            out += _n_split_sums(int(t), cols, ns, whole, what)
            if whole != full and int(ns.sum()) == whole:
                out.append(
                    _n_finding(
                        "overall sample is not the full sample",
                        f"Table {t}",
                        what.split(",")[0],
                        f"{full} (Table 2)",
                        str(whole),
                        "warning",
                        f"The groups add up to the column the table calls the overall sample (总体样本), {whole} "
                        f"observations, but every other table's full sample has {full}; the paper does not say which "
                        "observations the classification leaves out.",
                    )
                )
            if any(n % n_years for n in ns):
                out.append(
                    _n_finding(
                        "group N not a whole number of unit panels",
                        f"Table {t}",
                        f"columns {tuple(cols)}",
                        f"multiples of {n_years}",
                        ", ".join(map(str, ns)),
                        "info",
                        "In a balanced panel every group of units has N divisible by the number of years.",
                    )
                )
    return out


def trimming_bounds(n: int, rule: str, outcome_sd: float | None = None) -> dict[str, int]:
    """The most observations each reading of an outlier rule can remove from ``n``.

    Parameters
    ----------
    n : int
        Observations before the rule.
    rule : str
        ``"residual>c"`` (drop observations whose residual exceeds ``c``), ``"trim:p"`` (drop the
        ``p`` share in each tail of one variable) or ``"winsorize:p"`` (replace, not drop).
    outcome_sd : float, optional
        SD of the outcome (Table 2); bounds the residual SD for the level reading of ``residual>c``.

    Returns
    -------
    dict
        reading -> largest number of observations it removes. ``residual>c`` has three readings:
        ``level`` (Chebyshev: share at most Var(e) / c², with Var(e) <= Var(outcome) for least squares with
        an intercept), ``standardised`` (share at most 1 / c²) and ``percent`` (``c`` per cent of the
        observations in each tail).

    Raises
    ------
    AichainInputError
        If ``rule`` has none of these forms, or the level reading lacks ``outcome_sd``.
    """
    kind, _, value = rule.replace(">", ":").partition(":")
    try:
        c = float(value)
    except ValueError:
        raise input_error("rule", "must be 'residual>c', 'trim:p' or 'winsorize:p'", [rule], what="value") from None
    if kind == "winsorize":
        return {"winsorize": 0}
    if kind == "trim":
        return {"trim": int(np.floor(2 * c * n))}
    if kind != "residual":
        raise input_error("rule", "must be 'residual>c', 'trim:p' or 'winsorize:p'", [rule], what="value")
    if outcome_sd is None:
        raise input_error("outcome_sd", "is needed for the level reading of a residual rule", [rule], what="rule")
    share = {
        "level": min(outcome_sd**2 / c**2, 1.0),
        "standardised": min(1 / c**2, 1.0),
        "percent": min(2 * c / 100, 1.0),
    }
    return {k: int(np.floor(v * n)) for k, v in share.items()}


def _n_trimming(cells: pd.DataFrame, table2: pd.DataFrame, full: int) -> list[Finding]:
    """The outlier rule of Table 5 (剔除样本残差大于 5): the N it leaves against what any reading can remove."""
    out = []
    sd = table2.set_index("symbol")["sd"]
    for _, row in cells[cells["column_label_zh"].astype(str).str.contains("剔除异常值")].iterrows():
        if str(row["outcome"]) not in sd.index:
            continue
        bounds = trimming_bounds(full, "residual>5", float(sd[str(row["outcome"])]))
        least = full - max(bounds.values())
        if int(row["n"]) < least:
            readings = ", ".join(f"{k} {v}" for k, v in bounds.items())
            out.append(
                _n_finding(
                    "outlier rule removes too many observations",
                    f"Table {row['table']}",
                    f"column ({row['column']})",
                    f"at least {least} (at most {max(bounds.values())} removed)",
                    str(int(row["n"])),
                    "warning",
                    "The prose removes observations whose residual exceeds 5 (残差大于 5). Read in levels "
                    f"(Chebyshev with the outcome's SD {sd[str(row['outcome'])]:.3f}), as standardised residuals, "
                    f"or as 5% in each tail, the rule removes at most {readings} of {full} observations; the "
                    f"column has {full - int(row['n'])} fewer.",
                )
            )
    return out


def check_sample_sizes(
    cells: pd.DataFrame | None = None, table2: pd.DataFrame | None = None, design: dict | None = None
) -> list[Finding]:
    """Ns against the design (industries x years), the sample rules (lags, differences, windows,
    trimming), the variables' own Ns in Table 2, and the splits (groups add up to the sample they split)."""
    cells = load_regression_cells() if cells is None else cells
    table2 = load_table2() if table2 is None else table2
    n_ind, n_years, _ = _design(design)
    full = int(table2["n"].max())
    return [
        *_n_design(full, n_ind, n_years),
        *_n_column_rules(cells, full, n_years),
        *_n_trimming(cells, table2, full),
        *_n_variables(cells, table2),
        *_n_splits(cells, full, n_years),
    ]


# --------------------------------------------------------------------------- 2. stars
def check_stars(cells: pd.DataFrame | None = None, design: dict | None = None) -> list[Finding]:
    """Stars against two-sided p-values from coefficient / SE (normal, and t with N - 1 df)."""
    cells = load_regression_cells() if cells is None else cells
    levels = _levels(design)
    out = []
    for _, r in cells.iterrows():
        if r["se"] == 0:
            continue  # handled by plausibility
        z = abs(r["coef"] / r["se"])
        p_norm = 2 * stats.norm.sf(z)
        p_t = 2 * stats.t.sf(z, max(int(r["n"]) - 1, 1))
        # the printed numbers are rounded: find the range of z they allow
        half_c = 0.5 * 10.0 ** (-int(r["coef_dp"]))
        half_s = 0.5 * 10.0 ** (-int(r["se_dp"]))
        z_lo = max(abs(r["coef"]) - half_c, 0) / (r["se"] + half_s)
        z_hi = (abs(r["coef"]) + half_c) / max(r["se"] - half_s, 1e-12)
        possible = {_stars_for(2 * stats.norm.sf(zz), levels) for zz in np.linspace(z_lo, z_hi, 50)}
        if r["stars"] not in possible:
            out.append(
                Finding(
                    "stars",
                    "stars follow coefficient / SE",
                    f"Table {r['table']}",
                    f"column ({r['column']})",
                    f"'{_stars_for(p_norm, levels)}' (z = {z:.2f}, p = {p_norm:.4f}; t-based p = {p_t:.4f})",
                    f"'{r['stars']}'",
                    "warning",
                    "With the paper's thresholds, the printed coefficient and standard error imply a different "
                    "significance level, even allowing for rounding.",
                )
            )
    return out


# --------------------------------------------------------------------------- 2b. recomputed tests
def _rounding_box(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients, and the least and largest SEs their printed rounding allows."""
    b = rows["coef"].to_numpy(dtype=float)
    half_s = 0.5 * 10.0 ** (-rows["se_dp"].to_numpy(dtype=float))
    se = rows["se"].to_numpy(dtype=float)
    return b, np.maximum(se - half_s, 1e-12), se + half_s


def equality_wald(b: np.ndarray, se: np.ndarray) -> float:
    """Wald statistic of equal coefficients across independent groups: sum of w_g (b_g - b̄_w)², w = 1/se².

    For disjoint samples with no cluster spanning two groups, suest's covariance between the groups'
    coefficients is zero, so this is suest's χ² (k - 1 df); with two groups it is z² for
    z = (b₁ - b₂) / sqrt(se₁² + se₂²), the Chow-type test of a difference.
    """
    w = 1.0 / np.asarray(se, dtype=float) ** 2
    mean = float((w * b).sum() / w.sum())
    return float((w * (np.asarray(b) - mean) ** 2).sum())


def _p_range(rows: pd.DataFrame) -> tuple[float, float]:
    """Least and largest p of the equality test over every coefficient and SE the rounding allows."""
    b, se_lo, se_hi = _rounding_box(rows)
    half_c = 0.5 * 10.0 ** (-rows["coef_dp"].to_numpy(dtype=float))
    corners = [b + half_c * np.array(s) for s in np.array(np.meshgrid(*[[-1, 1]] * len(b))).T.reshape(-1, len(b))]
    df = len(b) - 1
    w_max = max(equality_wald(c, se_lo) for c in corners)
    lo, hi = b - half_c, b + half_c
    fit = optimize.minimize(
        lambda x: equality_wald(x, se_hi),
        np.clip(np.full(len(b), b.mean()), lo, hi),
        bounds=list(zip(lo, hi, strict=True)),
        method="L-BFGS-B",
    )  # convex: the minimum
    w_min = float(fit.fun)
    return float(stats.chi2.sf(w_max, df)), float(stats.chi2.sf(w_min, df))


def _suest_readings(grp: pd.DataFrame, cols: list[int]) -> dict[str, tuple[float, float]]:
    """p ranges under each reading of a printed suest p: the joint test, and every pair of groups."""
    rows = grp.set_index("column").loc[cols]
    name = "joint test of all groups" if len(cols) > 2 else "z-test of the difference"
    readings = {name: _p_range(rows)}
    if len(cols) > 2:
        for i, a in enumerate(cols):
            for b in cols[i + 1 :]:
                readings[f"({a}) vs ({b})"] = _p_range(rows.loc[[a, b]])
    return readings


def check_suest(cells: pd.DataFrame | None = None) -> list[Finding]:
    """Printed suest p-values against the test recomputed from the printed coefficients and SEs.

    The groups of a split are disjoint samples, so the test of equal coefficients is
    :func:`equality_wald`. A printed p (to its decimals) that no reading (the joint test, or any pair of
    groups) and no rounding of the printed coefficients and SEs can give is a warning: the groups must
    share observations or clusters, or the test is not what the paper says.
    """
    cells = load_regression_cells() if cells is None else cells
    out = []
    for t, grp in cells.dropna(subset=["suest_p"]).groupby("table"):
        full = cells[cells["table"] == t]
        for key in grp["suest_group"].dropna().unique():
            cols = [int(v) for v in str(key).split("|")]
            printed = full.set_index("column").loc[cols, "suest_p"].dropna()
            half = 0.5 * 10.0 ** (-3)
            readings = _suest_readings(full, cols)
            for col, p in printed.items():
                if any(lo <= p + half and hi >= p - half for lo, hi in readings.values()):
                    continue
                shown = "; ".join(f"{k}: p in [{lo:.4f}, {hi:.4f}]" for k, (lo, hi) in readings.items())
                out.append(
                    Finding(
                        "tests",
                        "suest p recomputed from the printed coefficients",
                        f"Table {t}",
                        f"columns {tuple(cols)}",
                        shown,
                        f"{p:.3f} (printed under column ({col}))",
                        "warning",
                        "The groups are disjoint samples, so the test of equal coefficients follows from the printed "
                        "coefficients and standard errors alone (their covariance is zero); no reading of the printed "
                        "p-value and no rounding of the printed numbers gives it.",
                        "suest_p",
                    )
                )
                break  # one finding per group
    return out


def check_kp_stars(cells: pd.DataFrame | None = None, design: dict | None = None) -> list[Finding]:
    """Stars on the Kleibergen-Paap rk LM and Wald statistics against their χ²(1) p-values (one instrument)."""
    cells = load_regression_cells() if cells is None else cells
    levels = _levels(design)
    out = []
    for stat in ("kp_lm", "kp_wald"):
        for _, r in cells.dropna(subset=[stat]).iterrows():
            implied = _stars_for(float(stats.chi2.sf(float(r[stat]), 1)), levels)
            printed = "" if pd.isna(r[f"{stat}_stars"]) else str(r[f"{stat}_stars"])
            if printed != implied:
                out.append(
                    Finding(
                        "tests",
                        f"KP rk {'LM' if stat == 'kp_lm' else 'Wald'} stars follow χ²(1)",
                        f"Table {r['table']}",
                        f"column ({r['column']})",
                        f"'{implied}' (χ²(1) p = {stats.chi2.sf(float(r[stat]), 1):.4f})",
                        f"'{printed}'",
                        "warning",
                        "With one instrument and one endogenous regressor the Kleibergen-Paap statistic has one "
                        "degree of freedom; its printed stars do not match its p-value.",
                        stat,
                    )
                )
    return out


# --------------------------------------------------------------------------- 3. descriptives
def check_descriptives(table2: pd.DataFrame | None = None) -> list[Finding]:
    """Table 2: mean within [min, max]; SD below the Bhatia-Davis bound; extreme values; N consistency."""
    t2 = load_table2() if table2 is None else table2
    out = []
    for _, r in t2.iterrows():
        where = ("Table 2", r["symbol"])
        if not (r["min"] <= r["mean"] <= r["max"]):
            out.append(
                Finding(
                    "descriptives",
                    "mean within [min, max]",
                    *where,
                    f"{r['min']} <= mean <= {r['max']}",
                    str(r["mean"]),
                    "error",
                    "A mean must lie between the minimum and the maximum.",
                )
            )
            continue
        bound = np.sqrt(max((r["mean"] - r["min"]) * (r["max"] - r["mean"]), 0.0))
        if r["sd"] > bound * (1 + 1e-3) + 1e-3:
            out.append(
                Finding(
                    "descriptives",
                    "SD within the Bhatia-Davis bound",
                    *where,
                    f"SD <= sqrt((mean - min)(max - mean)) = {bound:.3f}",
                    str(r["sd"]),
                    "error",
                    "No data set with this mean, minimum and maximum can have a larger standard "
                    "deviation (Bhatia and Davis 2000).",
                )
            )
        if r["sd"] > 0:
            z_max = (r["max"] - r["mean"]) / r["sd"]
            z_min = (r["mean"] - r["min"]) / r["sd"]
            if max(z_max, z_min) > 10:
                side = "maximum" if z_max >= z_min else "minimum"
                out.append(
                    Finding(
                        "descriptives",
                        "extreme value",
                        *where,
                        "within about 10 SD of the mean",
                        f"{side} {max(z_max, z_min):.1f} SD from the mean",
                        "info",
                        "Possible, but a value this far out usually deserves a look (a unit error, "
                        "an outlier, or a typo).",
                    )
                )
        if r["sd"] == 0 and r["max"] > r["min"]:
            out.append(
                Finding(
                    "descriptives",
                    "zero SD with spread",
                    *where,
                    "SD > 0",
                    "0",
                    "error",
                    "Distinct minimum and maximum imply a positive standard deviation.",
                )
            )
    ns = t2["n"].astype(int)
    if not (ns == ns.iloc[0]).all():
        mode = int(ns.mode().iloc[0])
        for _, r in t2[ns != mode].iterrows():
            out.append(
                Finding(
                    "descriptives",
                    "N differs across variables",
                    "Table 2",
                    r["symbol"],
                    str(mode),
                    str(int(r["n"])),
                    "info",
                    f"{r['symbol']} has {mode - int(r['n'])} missing values "
                    "that the paper does not explain; regressions using it must show the smaller N.",
                )
            )
    return out


# --------------------------------------------------------------------------- 4. identities
def _segment_identity(cells: pd.DataFrame, tolerance: float) -> list[Finding]:
    """ERL = (ELRI_front + ELRI_inter + ELRI_back) / 3 (equation 9): least squares is linear in the outcome,
    so on a common sample and specification the ERL coefficient is the mean of the segment coefficients."""
    seg = cells[cells["outcome"].isin(["ELRI_front", "ELRI_inter", "ELRI_back"])]
    if len(seg) != 3 or not (seg["n"] == seg["n"].iloc[0]).all():
        return []
    mean_seg = seg["coef"].mean()
    same = cells[
        (cells["outcome"] == "ERL")
        & (cells["regressor"] == "AIE")
        & (cells["n"] == seg["n"].iloc[0])
        & (cells["controls"] == "yes")
        & (cells["fixed_effects"] == "yes")
        & cells["table"].isin([3, 5])
    ]
    if same.empty:
        return []
    closest = same.loc[(same["coef"] - mean_seg).abs().idxmin()]
    if abs(closest["coef"] - mean_seg) <= tolerance + 0.0015:
        return []
    return [
        Finding(
            "identity",
            "ERL coefficient = mean of segment coefficients (eq. 9)",
            "Tables 3-5",
            "Table 5 (2)-(4) vs ERL columns of Tables 3 and 5 with controls and FE on the same N",
            f"{mean_seg:.3f} (mean of {', '.join(f'{v:.3f}' for v in seg['coef'])})",
            f"closest: Table {closest['table']} column ({closest['column']}) {closest['coef']:.3f}",
            "warning",
            "ERL is the mean of its three segments, and least squares is linear in the outcome, so with the same "
            "sample and regressors the ERL coefficient must be the mean of the segment coefficients. No ERL column "
            "with controls and fixed effects on the same N matches.",
            "coef",
        )
    ]


def _lsdv_identity(cells: pd.DataFrame, tolerance: float) -> list[Finding]:
    """LSDV with the same dummies is the within estimator (Frisch-Waugh-Lovell): equal slopes in Table 3."""
    t3 = cells[cells["table"] == 3].set_index("column")
    out = []
    for k in t3.index[t3["method_zh"] == "LSDV"]:
        for j in t3.index[t3["method_zh"] == "固定效应回归"]:
            a, b = t3.loc[k], t3.loc[j]
            if a["controls"] == b["controls"] and abs(a["coef"] - b["coef"]) > tolerance:
                out.append(
                    Finding(
                        "identity",
                        "LSDV equals the within (FE) estimator",
                        "Table 3",
                        f"columns ({j}) and ({k})",
                        "equal slopes if both use the printed industry and year effects",
                        f"{b['coef']:.3f} vs {a['coef']:.3f}",
                        "warning",
                        "By the Frisch-Waugh-Lovell theorem, OLS with a dummy per industry and year gives exactly the "
                        "fixed-effects (within) slope with the same effects. The two differ, so the columns must use "
                        "different effects or samples, which the paper does not say.",
                        "coef",
                    )
                )
    return out


def check_identities(cells: pd.DataFrame | None = None, tolerance: float = 0.002) -> list[Finding]:
    """Numbers that theory says must coincide: the segment identity of equation 9 and LSDV = within.

    Fit orderings implied by nesting are :func:`check_nesting`; SE bounds from identities between
    outcomes are :func:`check_se_bounds`.
    """
    cells = load_regression_cells() if cells is None else cells
    return [*_segment_identity(cells, tolerance), *_lsdv_identity(cells, tolerance)]


# --------------------------------------------------------------------------- 4b. nesting
#: Methods whose fit statistic is not ordered by nesting (2SLS R² can fall as instruments change).
NOT_NESTED_METHODS = ("工具变量法",)


def _spec(row: pd.Series) -> tuple:
    """What must coincide for one column to nest another: table (its sample rule), N, outcome, regressor, method."""
    method = "" if pd.isna(row["method_zh"]) else str(row["method_zh"])
    return (int(row["table"]), int(row["n"]), str(row["outcome"]), str(row["regressor"]), method)


def _nests(small: pd.Series, big: pd.Series) -> bool:
    """``big`` has every regressor and fixed effect of ``small`` (the printed rows say yes where ``small`` does)."""
    return all(not (small[k] == "yes" and big[k] != "yes") for k in ("controls", "fixed_effects"))


def _nested_pairs(cells: pd.DataFrame) -> tuple[list[tuple[pd.Series, pd.Series]], list[pd.DataFrame]]:
    """Pairs (small, big) where big adds regressors to small on the same sample, and sets of identical models.

    Columns in a split group (``suest_group``) have their own samples and are never paired.
    """
    eligible = cells[~cells["method_zh"].fillna("").isin(NOT_NESTED_METHODS) & (cells["suest_group"].fillna("") == "")]
    pairs, same = [], []
    for _, grp in eligible.groupby(eligible.apply(_spec, axis=1)):
        rows = [r for _, r in grp.sort_values("column").iterrows()]
        for a in rows:
            pairs += [(a, b) for b in rows if _nests(a, b) and not _nests(b, a)]
        for _, ident in grp.groupby(["controls", "fixed_effects"]):
            if len(ident) > 1:
                same.append(ident.sort_values("column"))
    return pairs, same


def _max_adj_r2_drop(adj_small: float, n: int, k_added: int, k_big: int) -> float:
    """Largest fall of adjusted R² when ``k_added`` regressors join a model that then has ``k_big``.

    R² cannot fall, so ``1 - adj_big <= (1 - adj_small) (n - k_small - 1) / (n - k_big - 1)``, i.e.
    ``adj_small - adj_big <= (1 - adj_small) k_added / (n - k_big - 1)``.
    """
    return (1 - adj_small) * k_added / max(n - k_big - 1, 1)


def check_nesting(cells: pd.DataFrame | None = None, design: dict | None = None, k_controls: int = 5) -> list[Finding]:
    """Fit orderings implied by nesting, for every pair of columns of a table, not only neighbours.

    Two columns with the same sample (table, N, no split), outcome, regressor and method, where one has every
    regressor and fixed effect of the other: adjusted R² may fall by at most :func:`_max_adj_r2_drop`
    (with ``k_controls`` controls added and, conservatively, a dummy per unit and year in the larger model),
    plus the rounding of the two printed numbers. Columns whose printed specifications are identical must
    print the same fit.
    """
    cells = load_regression_cells() if cells is None else cells
    _, n_years, _ = _design(design)
    pairs, same = _nested_pairs(cells)
    out = []
    for a, b in pairs:
        n = int(a["n"])
        k_big = n // n_years + n_years + k_controls + 1
        rounding = 10.0 ** (-int(a.get("adj_r2_dp", 3))) + 1e-9
        drop = _max_adj_r2_drop(float(a["adj_r2"]), n, k_controls, k_big)
        if float(a["adj_r2"]) - float(b["adj_r2"]) > drop + rounding:
            out.append(
                Finding(
                    "nesting",
                    "adding controls cannot lower fit by much",
                    f"Table {a['table']}",
                    f"columns ({a['column']}) -> ({b['column']})",
                    f"adjusted R² at least {a['adj_r2'] - drop:.3f}",
                    f"{a['adj_r2']:.3f} -> {b['adj_r2']:.3f}",
                    "warning",
                    f"Column ({b['column']}) adds the controls to column ({a['column']}) on the same sample, outcome "
                    f"and method; R² cannot fall, and adjusted R² falls by at most {drop:.5f} at N = {n}. The columns "
                    "must differ in more than the printed controls row.",
                    "adj_r2",
                )
            )
    for ident in same:
        fits = ident["adj_r2"].astype(float)
        rounding = 10.0 ** (-int(ident["adj_r2_dp"].max() if "adj_r2_dp" in ident else 3)) + 1e-9
        if fits.max() - fits.min() > rounding:
            cols = ", ".join(str(int(v)) for v in ident["column"])
            out.append(
                Finding(
                    "nesting",
                    "identical specifications print different fits",
                    f"Table {ident['table'].iloc[0]}",
                    f"columns ({cols})",
                    "the same adjusted R² (each model nests the other)",
                    ", ".join(f"{v:.3f}" for v in fits),
                    "warning",
                    "These columns print the same method, controls row, fixed-effects row, outcome and N, so each "
                    "nests the other and their fit must be the same; they differ in something the paper does not "
                    "print.",
                    "adj_r2",
                )
            )
    return out


# --------------------------------------------------------------------------- 4c. standard-error bounds
#: Outcomes that are a weighted sum of others (equation 9: ERL is the mean of the three segments).
OUTCOME_IDENTITIES: dict[str, dict[str, float]] = {
    "ERL": {"ELRI_front": 1 / 3, "ELRI_inter": 1 / 3, "ELRI_back": 1 / 3},
}
#: Estimators whose coefficient and robust SE are linear / a norm in the outcome for fixed regressors and
#: weights (FGLS re-estimates its weights for each outcome, so it is left out).
LINEAR_METHODS = ("", "固定效应回归", "LSDV", "混合回归")


def se_bounds(weights: list[float], ses: list[float]) -> tuple[float, float]:
    """Bounds on the SE of Σ w_k b_k from the SEs of the b_k, whatever their correlation.

    Every usual SE of a least-squares coefficient (classical, robust, cluster-robust) is a norm of the
    residual vector for fixed regressors, and residuals are linear in the outcome, so by the triangle
    inequality ``se(Σ w_k b_k) <= Σ |w_k| se_k``, and ``>= |w_j| se_j - Σ_{k≠j} |w_k| se_k`` for every j.
    """
    terms = np.abs(np.asarray(weights, dtype=float)) * np.asarray(ses, dtype=float)
    return float(max(0.0, (2 * terms - terms.sum()).max())), float(terms.sum())


def _identity_parts(cells: pd.DataFrame, parts: dict[str, float]) -> pd.DataFrame | None:
    """The columns of the component outcomes, if each is printed once, on one N, with the same specification."""
    seg = cells[cells["outcome"].isin(list(parts))]
    if len(seg) != len(parts):
        return None
    if not ((seg["n"] == seg["n"].iloc[0]).all() and (seg["table"] == seg["table"].iloc[0]).all()):
        return None
    return seg.set_index("outcome").loc[list(parts)].reset_index()


def check_se_bounds(cells: pd.DataFrame | None = None) -> list[Finding]:
    """The SE of an outcome that is a weighted sum of others lies within :func:`se_bounds` of theirs.

    The sum's column must have the components' N, regressor, controls and fixed effects and a linear
    estimator (:data:`LINEAR_METHODS`); a finding when no such column's printed SE (allowing for rounding)
    lies within the bounds.
    """
    cells = load_regression_cells() if cells is None else cells
    out = []
    for total, parts in OUTCOME_IDENTITIES.items():
        seg = _identity_parts(cells, parts)
        if seg is None:
            continue
        half = 0.5 * 10.0 ** (-seg["se_dp"].astype(float))
        w = np.abs(np.array(list(parts.values())))
        _, hi = se_bounds(list(w), list(seg["se"] + half))  # loosest upper bound: every SE rounded up
        up, down = w * (seg["se"] + half).to_numpy(), w * (seg["se"] - half).to_numpy()
        lo = float(max(0.0, (down - (up.sum() - up)).max()))  # loosest lower bound
        first = seg.iloc[0]
        cand = cells[
            (cells["outcome"] == total)
            & (cells["n"] == first["n"])
            & (cells["regressor"] == first["regressor"])
            & (cells["controls"] == first["controls"])
            & (cells["fixed_effects"] == first["fixed_effects"])
            & cells["method_zh"].fillna("").isin(LINEAR_METHODS)
            & (cells["suest_group"].fillna("") == "")
        ]
        if cand.empty:
            continue
        half_c = 0.5 * 10.0 ** (-cand["se_dp"].astype(float))
        ok = (cand["se"] + half_c >= lo) & (cand["se"] - half_c <= hi)
        if ok.any():
            continue
        near = cand.loc[(cand["se"] - hi).abs().idxmin()]
        where = ", ".join(f"Table {t} ({c})" for t, c in zip(cand["table"], cand["column"], strict=True))
        out.append(
            Finding(
                "se_bound",
                f"SE of {total} within the triangle bounds of its components",
                f"Tables {first['table']} and {', '.join(sorted({str(t) for t in cand['table']}))}",
                f"Table {first['table']} ({', '.join(str(int(c)) for c in seg['column'])}) vs {where}",
                f"{lo:.3f} <= SE <= {hi:.3f} (from {', '.join(f'{v:.3f}' for v in seg['se'])})",
                f"closest: Table {near['table']} ({near['column']}) {near['se']:.3f}",
                "warning",
                f"{total} is a weighted sum of {', '.join(parts)}, and every least-squares standard error is a norm of "
                "the residuals, which are linear in the outcome; so on a common sample and specification the SE of the "
                f"{total} coefficient lies between these bounds whatever the correlation of the components. No {total} "
                "column with the same N, controls and fixed effects and a linear estimator prints such an SE.",
                "se",
            )
        )
    return out


# --------------------------------------------------------------------------- 5. plausibility
def _implied_kurtosis(lm: float, wald: float, n: int) -> float:
    """Instrument kurtosis at which robust Wald / LM = 1 + κ R² / (1 - R²), R² = LM / n (one instrument,
    residuals independent of the instrument): the ratio of Σz²x² to Σz²v̂² for x = πz + v."""
    r2 = lm / n
    return (wald / lm - 1) * (1 - r2) / r2


def _least_se(cells: pd.DataFrame, table: int) -> float:
    return float(cells.loc[cells["table"] == table, "se"].replace(0.0, np.nan).min())


def _zero_se(cells: pd.DataFrame) -> list[Finding]:
    """A printed SE of zero: below half a unit of its last decimal, so |t| beyond any other column's."""
    out = []
    for _, r in cells[cells["se"] == 0].iterrows():
        out.append(
            Finding(
                "plausibility",
                "zero standard error",
                f"Table {r['table']}",
                f"column ({r['column']})",
                "SE > 0",
                f"{r['se']:.{int(r['se_dp'])}f}",
                "warning",
                "A regression on sampled data with a non-degenerate fit always has a positive standard error; "
                f"printed as zero, it is below 0.0005, implying |t| > {abs(r['coef']) / 0.0005:.0f}, while the "
                f"other columns of the table print SEs of at least {_least_se(cells, r['table']):.3f}. Possible "
                "only with an almost perfect fit.",
                "se",
            )
        )
    return out


def _se_ratio(cells: pd.DataFrame) -> list[Finding]:
    """Columns of one table with the same N and outcome whose SEs differ by more than ten times."""
    out = []
    for (t, _n, _y), grp in cells[cells["se"] > 0].groupby(["table", "n", "outcome"]):
        ratio = grp["se"].max() / grp["se"].min()
        if len(grp) < 2 or ratio <= 10:
            continue
        lo = grp.loc[grp["se"].idxmin()]
        split = (grp["suest_group"].fillna("") != "").all()
        out.append(
            Finding(
                "plausibility",
                "standard errors on the same N differ by more than 10x",
                f"Table {t}",
                f"columns {tuple(int(v) for v in grp['column'])}",
                "similar precision on samples of the same size",
                f"SEs {', '.join(f'{v:.3f}' for v in grp['se'])} (ratio {ratio:.0f})",
                "info",
                f"Column ({int(lo['column'])}) is estimated {ratio:.0f} times more precisely than another column "
                + ("of the same split with the same N and outcome" if split else "on the same N and outcome")
                + "; possible only if the regressor varies far more or the residuals are far smaller in one of them.",
                "se",
            )
        )
    return out


def _kp_disagree(cells: pd.DataFrame) -> list[Finding]:
    """Kleibergen-Paap rk LM and Wald F (one instrument) implying first stages of very different strength."""
    out = []
    for _, r in cells.dropna(subset=["kp_lm", "kp_wald"]).iterrows():
        n = int(r["n"])
        r2 = r["kp_lm"] / n
        implied_f = (n - 1) * r2 / max(1 - r2, 1e-12)
        if implied_f / 10 <= r["kp_wald"] <= 10 * implied_f:
            continue
        kappa = _implied_kurtosis(float(r["kp_lm"]), float(r["kp_wald"]), n)
        out.append(
            Finding(
                "plausibility",
                "KP rk LM and Wald F tell different stories",
                f"Table {r['table']}",
                f"column ({r['column']})",
                f"Wald F of the order of {implied_f:.0f}",
                f"LM {r['kp_lm']:.2f}, Wald F {r['kp_wald']:.2f}",
                "info",
                "With one instrument and homoskedastic errors the LM statistic is about n times the first-stage "
                "partial R² and the Wald F about n R² / (1 - R²); the printed LM implies a partial R² of "
                f"{r2:.4f}. The robust statistics differ by the factor 1 + κ R² / (1 - R²) for an instrument of "
                f"kurtosis κ, so the printed pair needs κ of about {kappa:,.0f} (a normal variable has 3): "
                "possible for a product of skewed counts, unusual otherwise.",
                "kp_wald",
            )
        )
    return out


def check_plausibility(cells: pd.DataFrame | None = None) -> list[Finding]:
    """Standard errors and test statistics implausible given N and the other columns: a zero SE, SEs on
    the same N ten times apart, and Kleibergen-Paap statistics that disagree."""
    cells = load_regression_cells() if cells is None else cells
    return [*_zero_se(cells), *_se_ratio(cells), *_kp_disagree(cells)]


# --------------------------------------------------------------------------- 6-8. words and readings
def check_method_labels(cells: pd.DataFrame | None = None) -> list[Finding]:
    """A column the prose calls pooled (混合回归) whose printed row says it has fixed effects."""
    cells = load_regression_cells() if cells is None else cells
    out = []
    pooled_fe = cells[cells["method_zh"].fillna("").str.contains("混合") & (cells["fixed_effects"] == "yes")]
    for t, grp in pooled_fe.groupby("table"):
        cols = ", ".join(str(int(c)) for c in grp["column"])
        out.append(
            Finding(
                "prose_vs_table",
                "pooled regression printed with fixed effects",
                f"Table {t}",
                f"columns ({cols})",
                "混合回归 (pooled) without fixed effects",
                "fixed-effects row 是 (yes)",
                "warning",
                "The text calls these columns pooled regressions, but the table's fixed-effects row says they "
                "have fixed effects; the baseline chapter states the book's reading of each column.",
            )
        )
    return out


def check_prose_claims(cells: pd.DataFrame | None = None, claims: pd.DataFrame | None = None) -> list[Finding]:
    """Each verbal claim of the paper (``claims.csv``) that its own table does not support."""
    from aichain_utils.replication.claims import evaluate_claims

    claims = evaluate_claims(cells=cells, claims=claims)
    out = []
    for _, c in claims[claims["published supports"] == "no"].iterrows():
        out.append(
            Finding(
                "prose_vs_table",
                f"claim {c['id']}",
                f"Table {int(c['table'])}",
                f"columns ({c['columns']})",
                c["claim_en"],
                c["published detail"],
                "warning",
                f"The paper says 「{c['quote_zh']}」 ({c['section']}), but its own table prints "
                f"{c['published detail']}.",
            )
        )
    return out


def check_hypothesis_legs(cells: pd.DataFrame | None = None, claims: pd.DataFrame | None = None) -> list[Finding]:
    """Claims with several legs (H2, H3: AIE -> mediator and mediator -> ERL) that the paper calls verified
    although its table does not print every leg (:func:`aichain_utils.replication.claims.combine_legs`: "not shown").

    A leg that the table contradicts makes the claim "no", a ``prose_vs_table`` finding.
    """
    from aichain_utils.replication.claims import evaluate_claims

    judged = evaluate_claims(cells=cells, claims=claims)
    out = []
    for _, c in judged[(judged["legs"] > 1) & (judged["published supports"] == "not shown")].iterrows():
        out.append(
            Finding(
                "hypotheses",
                f"claim {c['id']}: every leg",
                f"Table {int(c['table'])}",
                f"columns ({c['columns']})",
                "every leg printed and supported",
                c["published detail"],
                "warning",
                f"The paper says 「{c['quote_zh']}」 ({c['section']}): {c['claim_en']} Its table prints the legs "
                "that hold but not the others, so the printed numbers cannot show the hypothesis; judged on the "
                "printed leg alone it would be marked supported.",
                "claim",
            )
        )
    return out


def paper_text_path() -> Path | None:
    """The paper's plain-text extraction, if this machine has one: the file named by
    ``$AICHAIN_PAPER_TEXT``, else the paper's extraction in the project's folder of source papers beside
    the repository or one of its parents; ``None`` when there is none."""
    env = os.environ.get("AICHAIN_PAPER_TEXT")
    if env:
        return Path(env) if Path(env).is_file() else None
    for folder in [repo_root(), *repo_root().parents]:
        found = sorted((folder / "shared" / "seeds").glob("002_*.txt"))
        if found:
            return found[0]
    return None


_WHITESPACE = re.compile(r"[\s\u3000]+")
#: A quotation in the book's Markdown: 「…」, “…” or "…" around text with a Chinese character and no Latin word.
_QUOTED = re.compile(r"[「“\"]([^「」“”\"\n]*[\u4e00-\u9fff][^「」“”\"\n]*)[」”\"]")


def _normalise(text: str) -> str:
    """Whitespace and line breaks removed (the extraction breaks lines inside words); nothing else changes."""
    return _WHITESPACE.sub("", text)


def _markdown_quotes(root: Path) -> list[dict]:
    """Chinese quotations in the prose of the book's pages (code cells and fences left out)."""
    rows = []
    for page in sorted([*root.glob("*.md"), *(root / "chapters").glob("*.md")]):
        prose = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        for m in _QUOTED.finditer(prose):
            if not re.search(r"[A-Za-z]{2,}", m.group(1)):
                rows.append({"source": page.relative_to(root).as_posix(), "item": "prose", "quote": m.group(1)})
    return rows


def book_quotations(root: Path | None = None) -> pd.DataFrame:
    """Every quotation the book attributes to the paper: the claims, the design and data-source rows, the
    hypotheses (:data:`aichain_utils.replication.framework.HYPOTHESES`), the table titles and variable names, and the
    Chinese quotations of the pages' prose. Columns: source, item, quote."""
    from aichain_utils.paths import published_dir
    from aichain_utils.replication.framework import HYPOTHESES

    pub, root = published_dir(), root or repo_root()
    rows = []
    claims = pd.read_csv(pub / "claims.csv", dtype=str, keep_default_na=False).drop_duplicates("id")
    rows += [{"source": "claims.csv", "item": r["id"], "quote": r["quote_zh"]} for _, r in claims.iterrows()]
    design = pd.read_csv(pub / "design.csv", dtype=str, keep_default_na=False)
    rows += [
        {"source": "design.csv", "item": r["quantity"], "quote": r["source_zh"].split(": ", 1)[-1]}
        for _, r in design.iterrows()
        if r["source_zh"]
    ]
    sources = pd.read_csv(pub / "data_sources.csv", dtype=str, keep_default_na=False)
    rows += [{"source": "data_sources.csv", "item": r["where"], "quote": r["quote"]} for _, r in sources.iterrows()]
    rows += [{"source": "framework.HYPOTHESES", "item": h.label, "quote": h.statement_zh} for h in HYPOTHESES]
    for name, key, col in (
        ("tables.csv", "table", "title_zh"),
        ("table2_descriptives.csv", "symbol", "name_zh"),
        ("table1_aie_indicators.csv", "indicator_id", "indicator_zh"),
    ):
        frame = pd.read_csv(pub / name, dtype=str, keep_default_na=False)
        rows += [{"source": name, "item": r[key], "quote": r[col]} for _, r in frame.iterrows() if r[col]]
    rows += _markdown_quotes(root)
    return pd.DataFrame(rows, columns=["source", "item", "quote"])


def check_quotations(quotes: pd.DataFrame | None = None, text: str | None = None) -> list[Finding]:
    """Each quotation the book attributes to the paper occurs in the paper's text, verbatim up to
    whitespace and line breaks (:func:`book_quotations`; the text from :func:`paper_text_path`).

    No finding, and nothing checked, when the paper's text is not available (``text`` None and no file).
    """
    if text is None:
        path = paper_text_path()
        if path is None:
            return []
        text = path.read_text(encoding="utf-8")
    quotes = book_quotations() if quotes is None else quotes
    paper = _normalise(text)
    out = []
    for _, q in quotes.iterrows():
        if _normalise(str(q["quote"])) not in paper:
            out.append(
                Finding(
                    "quotes",
                    "quotation occurs in the paper",
                    "Text",
                    f"{q['source']} {q['item']}",
                    "verbatim in the paper's text (whitespace aside)",
                    f"「{q['quote']}」",
                    "warning",
                    "The book attributes this wording to the paper, but the paper's text does not contain it, even "
                    "with line breaks and spaces removed; a misquotation can change what the paper is said to claim.",
                    "quote",
                )
            )
    return out


def check_sources(sources: pd.DataFrame | None = None) -> list[Finding]:
    """Data sources named in different parts of the paper that have nothing in common."""
    from aichain_utils.paths import published_dir

    if sources is None:
        sources = pd.read_csv(published_dir() / "data_sources.csv", dtype=str)
    named = {r["where"]: set(r["sources"].split("|")) for _, r in sources.iterrows()}
    out = []
    places = list(named)
    for i, a in enumerate(places):
        for b in places[i + 1 :]:
            if not named[a] & named[b]:
                out.append(
                    Finding(
                        "text",
                        "data sources differ",
                        "Text",
                        f"{a} vs {b}",
                        " / ".join(sorted(named[a])),
                        " / ".join(sorted(named[b])),
                        "warning",
                        f"{a} names {', '.join(sorted(named[a]))}; {b} names {', '.join(sorted(named[b]))}. "
                        "A replicator cannot tell which databases the variables come from.",
                    )
                )
    return out


def check_readings(
    cells: pd.DataFrame | None = None, table2: pd.DataFrame | None = None, design: dict | None = None
) -> list[Finding]:
    """Oddities the book resolves by a reading: the unit of observation and the fixed effects."""
    cells = load_regression_cells() if cells is None else cells
    table2 = load_table2() if table2 is None else table2
    n_ind, n_years, _ = _design(design)
    full = int(table2["n"].max())
    out = []
    if full > n_ind * n_years:
        out.append(
            Finding(
                "reading",
                "observations per industry-year",
                "Tables 2-10",
                "N",
                f"{n_ind * n_years} industry-years",
                f"{full} ({full / (n_ind * n_years):.1f} per industry-year)",
                "info",
                "The variables are indexed by industry, but N is many times the industry-years; the book reads "
                "the unit of observation as a node nested in an industry (measurement chapter).",
            )
        )
        from aichain_utils.inputs.readings import sample_size_reading

        reading = sample_size_reading(cells, table2, design)
        unexplained = reading[reading["status"] == "unexplained"]
        if not unexplained.empty:
            where = ", ".join(f"{t} ({c})" for t, c in zip(unexplained["table"], unexplained["column"], strict=True))
            per = full // (n_ind * n_years)
            out.append(
                Finding(
                    "reading",
                    "Ns the units reading leaves unexplained",
                    "Tables 3-10",
                    "N",
                    f"every N from {per} units per industry and the column's sample rule",
                    f"{len(unexplained)} of {len(reading)} columns unexplained: {where}",
                    "info",
                    "The measurement chapter sets the evidence for and against the reading side by side.",
                )
            )
    return out


#: The check name of the AIE-mean floor (the ledger gives it as the reason for AIE's mean and SD).
AIE_FLOOR_CHECK = "AIE's mean under Table 1's weights and the national indicators"


def aie_mean_floor(table1: pd.DataFrame | None = None, table2: pd.DataFrame | None = None,
                   national: list[int] | None = None, design: dict | None = None) -> dict:  # fmt: skip
    """The least mean AIE can have under the book's readings, from Table 1's weights alone.

    AIE is a weighted sum of min-max normalised indicators (the composite of Table 1). A national
    indicator (one value a year; ``aie_indicators.national`` of the simulator, read from the indicators'
    names) equals 1 after normalisation in at least one year, so on a balanced panel of ``T`` years it
    adds at least ``w_j / T`` to AIE's mean; every other indicator adds at least 0. The rest of Table 2's
    mean is the room left to the other indicators.

    Returns
    -------
    dict
        ``national`` (Table 1 numbers), ``national_weight``, ``years``, ``floor``, ``published_mean``,
        ``room`` (published mean minus the floor), ``other_weight`` and ``other_mean_max`` (the largest
        weighted mean of the other indicators' normalised values that the published mean allows).
    """
    from aichain_utils.inputs.published import load_table1

    table1 = load_table1() if table1 is None else table1
    table2 = load_table2() if table2 is None else table2
    if national is None:
        from aichain_utils.simulation.simulate import load_params

        national = list(load_params(calibrated=False)["aie_indicators"]["national"])
    _, years, _ = _design(design)
    is_nat = table1["position"].astype(int).isin(national)
    w_nat, w_other = float(table1.loc[is_nat, "weight"].sum()), float(table1.loc[~is_nat, "weight"].sum())
    mean = float(table2.set_index("symbol").loc["AIE", "mean"])
    floor = w_nat / years
    room = mean - floor
    return {
        "national": sorted(int(v) for v in national), "national_weight": w_nat, "years": years, "floor": floor,
        "published_mean": mean, "room": room, "other_weight": w_other,
        "other_mean_max": room / w_other if w_other else float("nan"),
    }  # fmt: skip


def check_aie_floor(table2: pd.DataFrame | None = None, design: dict | None = None) -> list[Finding]:
    """AIE's published mean against the floor Table 1's weights put under it (:func:`aie_mean_floor`)."""
    if table2 is not None and "AIE" not in set(table2["symbol"]):
        return []
    f = aie_mean_floor(table2=table2, design=design)
    nat = ", ".join(str(v) for v in f["national"])
    severity = "warning" if f["room"] < 0 else "info"
    return [
        Finding(
            "reading",
            AIE_FLOOR_CHECK,
            "Tables 1-2",
            "AIE mean",
            f">= {f['floor']:.4f} (national weights {f['national_weight']:.3f} / {f['years']} years)",
            f"{f['published_mean']:.3f}",
            severity,
            f"Under the book's readings (entropy weights; indicators {nat} national, one value a year), each "
            f"national indicator is 1 after min-max normalisation in one year of {f['years']}, so on a balanced "
            f"panel Table 1's weights alone give AIE a mean of at least {f['floor']:.4f}. That leaves "
            f"{f['room']:.4f} of the published mean to the other indicators (weight {f['other_weight']:.3f}): "
            f"their normalised values must average at most {f['other_mean_max']:.4f}, a corner where every "
            "national indicator is near zero in all years but one and the others are extremely skewed."
            if f["room"] >= 0
            else f"Under the book's readings (entropy weights; indicators {nat} national), Table 1's weights give "
            f"AIE a mean of at least {f['floor']:.4f}, above the published {f['published_mean']:.3f}: "
            "the readings and the two tables cannot all hold.",
        )
    ]


def check_closest_world(table: pd.DataFrame | None = None) -> list[Finding]:
    """Published statistics outside the closest world's 95% band, or that no world of its family produces.

    Reads :func:`aichain_utils.replication.closestworld.closest_world_table`: each published statistic of Tables
    3-10 against its distribution over the stored Monte Carlo of the whole battery in the calibrated
    world (``data/montecarlo/world/``), never against one draw. A finding's id is the id of its row in
    ``_build/tables/closest_world.csv``.

    Parameters
    ----------
    table : DataFrame, optional
        A closest-world table; by default the one computed from the stored Monte Carlo (no finding if
        none is stored).
    """
    from aichain_utils.replication import closestworld
    from aichain_utils.replication.closestworld import CLOSEST_WORLD_CHECK

    if table is None:
        if not (data_dir() / "montecarlo" / "world" / "meta.json").exists():
            return []
        table = closestworld.closest_world_table()
    out = []
    flagged = table[table["verdict"].isin(["outside its 95% band", "no world of the family produces it"])]
    for _, r in flagged.iterrows():
        band = f"[{r['band_low']:.4g}, {r['band_high']:.4g}]"
        if r["verdict"] == "no world of the family produces it":
            printed = f"the world's {r['statistic']} is {r['world_mean']:.4g} in all {r['replications']} draws"
            why = (
                f"Every draw of the calibrated world gives {r['world_mean']:.4g}: the design and the book's readings "
                f"fix this statistic, and calibration does not move it; the paper prints {r['published']:.4g}."
            )
        else:
            printed = f"percentile {100 * r['percentile']:.1f} (Monte Carlo SE {100 * r['percentile_mc_se']:.1f})"
            why = (
                f"Over {r['replications']} draws of the calibrated world this statistic has mean "
                f"{r['world_mean']:.4g} and SD {r['world_sd']:.4g} (z = {r['z']:+.1f}); the printed "
                f"{r['published']:.4g} lies outside its central 95% band {band} beyond Monte Carlo error."
            )
        out.append(
            Finding("closest_world", CLOSEST_WORLD_CHECK, f"Table {int(r['table'])}",
                    f"column ({int(r['column'])}), {r['statistic']}", f"inside the world's 95% band {band}",
                    printed, "warning", why, str(r["statistic"]))
        )  # fmt: skip
    return out


#: The statistic a finding bears on, for checks that do not set it themselves (by check, else by family).
_STATISTIC_BY_CHECK = {
    "zero standard error": "se",
    "KP rk LM and Wald F tell different stories": "kp_wald",
    "standard errors on the same N differ by more than 10x": "se",
    "mean within [min, max]": "mean",
    "SD within the Bhatia-Davis bound": "sd",
    "extreme value": "max",
    "zero SD with spread": "sd",
    "N differs across variables": "n",
    AIE_FLOOR_CHECK: "mean",
    "observations per industry-year": "n",
    "Ns the units reading leaves unexplained": "n",
    "pooled regression printed with fixed effects": "fixed_effects",
}
_STATISTIC_BY_FAMILY = {
    "sample_size": "n",
    "stars": "stars",
    "closest_world": "coef",
    "prose_vs_table": "claim",
    "text": "text",
}


def _statistic(f: Finding) -> str:
    return f.statistic or _STATISTIC_BY_CHECK.get(f.check) or _STATISTIC_BY_FAMILY.get(f.family, "")


def run_audit(
    cells: pd.DataFrame | None = None,
    table2: pd.DataFrame | None = None,
    design: dict | None = None,
    claims: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    closest_world: bool | None = None,
    quotes: bool | None = None,
) -> pd.DataFrame:
    """All checks on the published tables and text, as one DataFrame sorted by severity, family and table.

    ``closest_world`` includes the family that reads the stored calibration; by default only when the
    audit runs on the published tables (the stored result is about them), and ``False`` leaves it out
    (the calibration itself chooses its targets without it). ``quotes`` includes the book's quotations
    checked against the paper's text (:func:`check_quotations`), by default on the same condition.

    Returns
    -------
    DataFrame
        id, family, check, table, cells, expected, printed, severity, explanation, statistic.
    """
    on_published = cells is None and table2 is None
    closest_world = on_published if closest_world is None else closest_world
    quotes = on_published if quotes is None else quotes
    cells = load_regression_cells() if cells is None else cells
    table2 = load_table2() if table2 is None else table2
    findings = [
        *check_sample_sizes(cells, table2, design),
        *check_stars(cells, design),
        *check_suest(cells),
        *check_kp_stars(cells, design),
        *check_descriptives(table2),
        *check_identities(cells),
        *check_nesting(cells, design),
        *check_se_bounds(cells),
        *check_plausibility(cells),
        *check_method_labels(cells),
        *check_prose_claims(cells, claims),
        *check_hypothesis_legs(cells, claims),
        *check_sources(sources),
        *check_readings(cells, table2, design),
        *check_aie_floor(table2, design),
        *(check_quotations() if quotes else []),
        *(check_closest_world() if closest_world else []),
    ]
    cols = ["id", *Finding.__dataclass_fields__]
    frame = pd.DataFrame([{"id": f.id, **asdict(f), "statistic": _statistic(f)} for f in findings], columns=cols)
    frame["_s"] = frame["severity"].map(SEVERITY_ORDER)
    return frame.sort_values(["_s", "family", "table", "cells"]).drop(columns="_s").reset_index(drop=True)


#: Columns of ``_build/tables/audit.csv``.
AUDIT_CSV_COLUMNS = ["id", "family", "severity", "table", "columns", "statistic", "finding"]


def audit_csv_frame(findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """The findings in the columns of ``audit.csv``: ``columns`` is the finding's cells, ``finding`` its
    check, what the print should show, what it shows, and why."""
    findings = run_audit() if findings is None else findings
    text = [f"{r.check}: expected {r.expected}; printed {r.printed}. {r.explanation}" for r in findings.itertuples()]
    return pd.DataFrame(
        {
            "id": findings["id"],
            "family": findings["family"],
            "severity": findings["severity"],
            "table": findings["table"],
            "columns": findings["cells"],
            "statistic": findings["statistic"],
            "finding": text,
        },
        columns=AUDIT_CSV_COLUMNS,
    )


def write_audit(findings: pd.DataFrame | None = None, directory: Path | None = None) -> Path:
    """Write ``audit.csv`` (:data:`AUDIT_CSV_COLUMNS`) into ``directory`` (default ``_build/tables``).

    Returns the path written.
    """
    from aichain_utils.report.tables import tables_dir

    directory = Path(directory) if directory is not None else tables_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "audit.csv"
    audit_csv_frame(findings).to_csv(path, index=False)
    return path
