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
from aichain_utils.report.display import table_cell
from aichain_utils.text import Bilingual, bilingual_format, bilingual_join

__all__ = [
    "AUDIT_CSV_COLUMNS",
    "FAMILIES",
    "PLACES_ZH",
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
    "suest_readings_text",
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


def _say(check: str, en: str, zh: str, **values) -> Bilingual:
    """A finding's explanation in English and Chinese: one template per language, filled with the same
    values (:func:`aichain_utils.text.bilingual_format`; a number that is NaN is an error)."""
    return bilingual_format({"en": en, "zh": zh}, f"the audit's explanation of {check!r}", **values)


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
                _say(
                    "full sample divisible by years",
                    "{full} unit-years cannot be a balanced panel over {n_years} years.",
                    "{full} 个个体-年份不可能构成 {n_years} 年的平衡面板。",
                    full=full,
                    n_years=n_years,
                ),
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
                _say(
                    "units divisible by industries",
                    "{units} units do not split evenly over {n_ind} industries.",
                    "{units} 个个体无法平均分配到 {n_ind} 个行业。",
                    units=units,
                    n_ind=n_ind,
                ),
            )
        ]
    return []


def _label(row: pd.Series) -> str:
    return f"{row['column_label_zh']}{row['method_zh'] if pd.notna(row['method_zh']) else ''}"


#: Sample rules that drop exactly one year of a balanced panel: (table, words in the label, check, why,
#: why in Chinese).
YEAR_RULES: tuple[tuple[int, str, str, str, str], ...] = (
    (
        4,
        "IV1",
        "lagged instrument loses a year",
        "IV1 is AIE lagged one year, which does not exist in the first year of the stated 2013-2023 panel; a "
        "balanced panel then has {n} usable observations, unless the lag comes from 2012 data the paper does not "
        "mention.",
        "IV1 是滞后一期的 AIE，在论文所述 2013-2023 年面板的第一年并不存在；平衡面板此时只有 {n} 个可用观测值，"
        "除非滞后值来自论文未提及的 2012 年数据。",
    ),
    (
        4,
        "组内差分",
        "first difference loses a year",
        "A first difference (组内差分法) does not exist in a unit's first year; a balanced panel then has {n} "
        "observations.",
        "一阶差分（组内差分法）在个体的第一年并不存在；平衡面板此时只有 {n} 个观测值。",
    ),
    (
        5,
        "改变统计口径",
        "sample to 2022",
        "The prose says the years up to 2022; dropping 2023 from a balanced panel leaves {n} observations.",
        "正文称样本截至 2022 年；从平衡面板中去掉 2023 年后剩下 {n} 个观测值。",
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
                    Bilingual(
                        "A regression cannot use more observations than the panel has.",
                        "回归使用的观测值不可能多于面板所含的观测值。",
                    ),
                )
            )
        for table, words, check, why, why_zh in YEAR_RULES:
            if row["table"] == table and words in _label(row) and n != one_year_less:
                out.append(
                    _n_finding(check, *where, str(one_year_less), str(n), "warning",
                               _say(check, why, why_zh, n=one_year_less))
                )  # fmt: skip
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
                    _say(
                        "N above a related variable's N",
                        "{outcome} is a different variable from {base} (Table 2 "
                        "N {own}); the book builds it from inputs observed on every row, so N {n} is possible.",
                        "{outcome} 与 {base} 是不同的变量（表 2 中观测值为 {own}）；"
                        "本书由每一行都有观测值的投入构建它，因此观测值为 {n} 是可能的。",
                        outcome=outcome,
                        base=base,
                        own=own,
                        n=n,
                    ),
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
                    _say(
                        "N above the variable's own N",
                        "{base} is observed {own} times in Table 2; a regression on it cannot have more observations.",
                        "{base} 在表 2 中有 {own} 个观测值；以它为变量的回归不可能有更多观测值。",
                        base=base,
                        own=own,
                    ),
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
                    Bilingual(
                        "The printed N equals the N of a different variable in Table 2.",
                        "印出的观测值等于表 2 中另一个变量的观测值。",
                    ),
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


def _whole_words(what: str) -> Bilingual:
    """The sample a split divides (:func:`_split_whole`'s words) in English and Chinese."""
    m = re.fullmatch(r"column \((\d+)\), the overall sample", what)
    return Bilingual(what, f"第（{m.group(1)}）列的总体样本" if m else "全样本")


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
                Bilingual(
                    "The groups split the sample, so each must be smaller than the whole.",
                    "各组是对样本的划分，因此每组都必须小于整体。",
                ),
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
                Bilingual(
                    "Disjoint groups cannot together have more observations than the sample.",
                    "互不相交的各组合计的观测值不可能多于样本。",
                ),
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
                _say(
                    check,
                    "The paper divides the sample into these {k} groups, which should cover {whole}; "
                    "{missing} observations are unaccounted for.",
                    "论文把样本分为这 {k} 组，它们应覆盖{whole}；有 {missing} 个观测值下落不明。",
                    k=len(cols),
                    whole=_whole_words(what),
                    missing=whole - total,
                ),
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
                        _say(
                            "overall sample is not the full sample",
                            "The groups add up to the column the table "
                            "calls the overall sample (总体样本), {whole} observations, but every other table's full "
                            "sample has {full}; the paper does not say which observations the classification leaves "
                            "out.",
                            "各组之和等于该表称为总体样本的那一列，即 {whole} 个观测值，但其他各表的全样本都是 "
                            "{full} 个；论文没有说明分类剔除了哪些观测值。",
                            whole=whole,
                            full=full,
                        ),
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
                        Bilingual(
                            "In a balanced panel every group of units has N divisible by the number of years.",
                            "在平衡面板中，每组个体的观测值都能被年数整除。",
                        ),
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


#: :func:`trimming_bounds`'s readings in Chinese.
_TRIM_ZH = {"level": "按水平值", "standardised": "按标准化残差", "percent": "按百分比"}


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
                    _say(
                        "outlier rule removes too many observations",
                        "The prose removes observations whose "
                        "residual exceeds 5 (残差大于 5). Read in levels (Chebyshev with the outcome's SD "
                        "{sd:.3f}), as standardised residuals, or as 5% in each tail, the rule removes at most "
                        "{readings} of {full} observations; the column has {fewer} fewer.",
                        "正文剔除残差大于 5 的观测值。无论按水平值"
                        "解读（用被解释变量的标准差 {sd:.3f} 作切比雪夫界），按标准化残差解读，还是按两端各 5% 解读，"
                        "该规则在 {full} 个观测值中至多剔除的个数分别为：{readings_zh}；而该列少了 {fewer} 个。",
                        sd=float(sd[str(row["outcome"])]),
                        readings=readings,
                        full=full,
                        readings_zh="、".join(f"{_TRIM_ZH.get(k, k)} {v} 个" for k, v in bounds.items()),
                        fewer=full - int(row["n"]),
                    ),
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
                    Bilingual(
                        "With the paper's thresholds, the printed coefficient and standard error imply a "
                        "different significance level, even allowing for rounding.",
                        "按论文的显著性阈值，即使考虑四舍五入，印出的系数与标准误所对应的显著性水平也与星号不同。",
                    ),
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


#: The readings of a printed suest p and their p ranges, as the findings table shows them, by language.
SUEST_READINGS = {
    "joint": Bilingual("joint test of all groups", "所有组的联合检验"),
    "z": Bilingual("z-test of the difference", "差异的 z 检验"),
    "pair": {"en": "({a}) vs ({b})", "zh": "第（{a}）列对第（{b}）列"},
    "range": {"en": "{name}: p in [{lo}, {hi}]", "zh": "{name}：p 值位于 [{lo}, {hi}]"},
}
#: :func:`check_aie_floor`'s expected value, by language.
AIE_FLOOR_EXPECTED = {
    "en": ">= {floor} (national weights {w} / {years} years)",
    "zh": ">= {floor}（全国性指标的权重 {w} / {years} 年）",
}
#: The segments' mean coefficient of the equation (9) identity, by language.
SEGMENT_MEAN = {"en": "{m} (mean of {en})", "zh": "{m}（{zh} 的均值）"}
#: The sample sizes the units reading leaves unexplained, by language.
UNEXPLAINED_NS = {"en": "{k} of {n} columns unexplained: {where}", "zh": "{n} 列中有 {k} 列无法解释：{where_zh}"}


def _suest_readings(grp: pd.DataFrame, cols: list[int]) -> dict[str, tuple[float, float]]:
    """p ranges under each reading of a printed suest p: the joint test, and every pair of groups."""
    rows = grp.set_index("column").loc[cols]
    name = SUEST_READINGS["joint"] if len(cols) > 2 else SUEST_READINGS["z"]
    readings = {name: _p_range(rows)}
    if len(cols) > 2:
        for i, a in enumerate(cols):
            for b in cols[i + 1 :]:
                readings[bilingual_format(SUEST_READINGS["pair"], "suest reading", a=a, b=b)] = _p_range(
                    rows.loc[[a, b]]
                )
    return readings


def suest_readings_text(readings: dict) -> Bilingual:
    """:func:`_suest_readings`' p ranges as the findings table shows them, in English and Chinese:
    "joint test of all groups: p in [0.0048, 0.0048]; (2) vs (3): p in [0.0017, 0.0018]"."""
    parts = [
        bilingual_format(SUEST_READINGS["range"], "suest reading", name=name, lo=f"{lo:.4f}", hi=f"{hi:.4f}")
        for name, (lo, hi) in readings.items()
    ]
    return bilingual_join(parts, "; ", "；")


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
                shown = table_cell(suest_readings_text(readings))
                out.append(
                    Finding(
                        "tests",
                        "suest p recomputed from the printed coefficients",
                        f"Table {t}",
                        f"columns {tuple(cols)}",
                        shown,
                        f"{p:.3f} (printed under column ({col}))",
                        "warning",
                        Bilingual(
                            "The groups are disjoint samples, so the test of equal coefficients follows from "
                            "the printed coefficients and standard errors alone (their covariance is zero); no "
                            "reading of the printed p-value and no rounding of the printed numbers gives it.",
                            "各组是互不相交的样本，因此系数相等的检验仅由印出的系数和标准误即可得出（其协方差为零）；"
                            "对印出的 p 值的任何解读、对印出数字的任何四舍五入都得不到它。",
                        ),
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
                        Bilingual(
                            "With one instrument and one endogenous regressor the Kleibergen-Paap statistic "
                            "has one degree of freedom; its printed stars do not match its p-value.",
                            "只有一个工具变量和一个内生解释变量时，Kleibergen-Paap rk 统计量的自由度为 1；"
                            "其印出的星号与其 p 值不符。",
                        ),
                        stat,
                    )
                )
    return out


# --------------------------------------------------------------------------- 3. descriptives
def _n_differs(t2: pd.DataFrame) -> list[Finding]:
    """Table 2's variables whose N differs from the most common N."""
    out = []
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
                    _say(
                        "N differs across variables",
                        "{symbol} has {k} missing values that the paper does not "
                        "explain; regressions using it must show the smaller N.",
                        "{symbol} 有 {k} 个缺失值，论文未作解释；使用它的回归必须显示较小的观测值。",
                        symbol=r["symbol"],
                        k=mode - int(r["n"]),
                    ),
                )
            )
    return out


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
                    Bilingual(
                        "A mean must lie between the minimum and the maximum.", "均值必须介于最小值与最大值之间。"
                    ),
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
                    Bilingual(
                        "No data set with this mean, minimum and maximum can have a larger standard "
                        "deviation (Bhatia and Davis 2000).",
                        "具有这一均值、最小值和最大值的数据集，其标准差不可能更大（Bhatia-Davis 方差上界，"
                        "Bhatia 与 Davis，2000）。",
                    ),
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
                        Bilingual(
                            "Possible, but a value this far out usually deserves a look (a unit error, "
                            "an outlier, or a typo).",
                            "这是可能的，但离均值如此远的值通常值得核查（量纲错误、异常值或笔误）。",
                        ),
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
                    Bilingual(
                        "Distinct minimum and maximum imply a positive standard deviation.",
                        "最小值与最大值不同，意味着标准差为正。",
                    ),
                )
            )
    return out + _n_differs(t2)


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
            table_cell(
                bilingual_format(
                    SEGMENT_MEAN,
                    "segment mean",
                    m=f"{mean_seg:.3f}",
                    en=", ".join(f"{v:.3f}" for v in seg["coef"]),
                    zh="、".join(f"{v:.3f}" for v in seg["coef"]),
                )
            ),
            f"closest: Table {closest['table']} column ({closest['column']}) {closest['coef']:.3f}",
            "warning",
            Bilingual(
                "ERL is the mean of its three segments, and least squares is linear in the outcome, so with "
                "the same sample and regressors the ERL coefficient must be the mean of the segment "
                "coefficients. No ERL column with controls and fixed effects on the same N matches.",
                "ERL 是其三个环节的均值，而最小二乘对被解释变量是线性的，因此在相同样本和解释变量下，ERL 的系数"
                "必须等于各环节系数的均值。没有一个在相同观测值上包含控制变量和固定效应的 ERL 列与之相符。",
            ),
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
                        Bilingual(
                            "By the Frisch-Waugh-Lovell theorem, OLS with a dummy per industry and year gives "
                            "exactly the fixed-effects (within) slope with the same effects. The two differ, so "
                            "the columns must use different effects or samples, which the paper does not say.",
                            "根据 FWL 定理，为每个行业和年份设置虚拟变量的最小二乘，恰好给出具有相同效应的固定效应"
                            "（组内）斜率。两者不同，因此这两列必然使用了不同的效应或样本，而论文对此未作说明。",
                        ),
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
                    _say(
                        "adding controls cannot lower fit by much",
                        "Column ({big}) adds the controls to column "
                        "({small}) on the same sample, outcome and method; R² cannot fall, and adjusted R² falls by at "
                        "most {drop:.5f} at N = {n}. The columns must differ in more than the printed controls row.",
                        "第（{big}）列在相同的样本、被解释变量和方法下，在第（{small}）列的基础上加入控制变量；"
                        "R² 不会下降，在观测值 N = {n} 时调整 R² 至多下降 {drop:.5f}。"
                        "两列的差别必然不止印出的控制变量一行。",
                        big=b["column"],
                        small=a["column"],
                        drop=drop,
                        n=n,
                    ),
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
                    Bilingual(
                        "These columns print the same method, controls row, fixed-effects row, outcome and N, "
                        "so each nests the other and their fit must be the same; they differ in something the "
                        "paper does not print.",
                        "这些列印出的方法、控制变量行、固定效应行、被解释变量和观测值都相同，因此彼此嵌套，"
                        "拟合优度必然相同；它们的差别在论文未列出的某处。",
                    ),
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
                _say(
                    f"SE of {total} within the triangle bounds of its components",
                    "{total} is a weighted sum of "
                    "{parts}, and every least-squares standard error is a norm of the residuals, which are linear in "
                    "the outcome; so on a common sample and specification the SE of the {total} coefficient lies "
                    "between these bounds whatever the correlation of the components. No {total} column with the "
                    "same N, controls and fixed effects and a linear estimator prints such an SE.",
                    "{total} 是 {parts_zh} 的加权和，而每个最小二乘标准误都是残差的范数，残差对被解释变量是线性的；"
                    "因此在相同样本和设定下，无论各组成部分的相关性如何，{total} 系数的标准误都介于这些界限之间。"
                    "没有一个观测值、控制变量和固定效应相同且使用线性估计量的 {total} 列印出这样的标准误。",
                    total=total,
                    parts=", ".join(parts),
                    parts_zh="、".join(parts),
                ),
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


#: :func:`_zero_se`'s explanation (English, Chinese), and its clause on the other columns' least SE.
_ZERO_SE = (
    "A regression on sampled data with a non-degenerate fit always has a positive standard error; printed as zero, "
    "it is below 0.0005, implying |t| > {t:.0f}{others}. Possible only with an almost perfect fit.",
    "对抽样数据的非退化拟合，回归的标准误总是为正；印为零意味着它小于 0.0005，即 |t| > {t:.0f}{others}。"
    "只有在近乎完美的拟合下才可能如此。",
)
_OTHER_SES = (", while the other columns of the table print SEs of at least {least:.3f}",
              "，而该表其他各列印出的标准误至少为 {least:.3f}")  # fmt: skip


def _zero_se_why(t: float, least: float) -> Bilingual:
    """:data:`_ZERO_SE` filled (without the clause on the other columns when none prints an SE)."""
    if np.isnan(least):
        return _say("zero standard error", *(x.replace("{others}", "") for x in _ZERO_SE), t=t)
    others = _say("zero standard error", *_OTHER_SES, least=least)
    return _say("zero standard error", *_ZERO_SE, t=t, others=others)


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
                _zero_se_why(abs(r["coef"]) / 0.0005, _least_se(cells, r["table"])),
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
                _say(
                    "standard errors on the same N differ by more than 10x",
                    "Column ({c}) is estimated {ratio:.0f} "
                    "times more precisely than another column {where}; possible only if the regressor varies far "
                    "more or the residuals are far smaller in one of them.",
                    "第（{c}）列的估计精度是{where}另一列的 "
                    "{ratio:.0f} 倍；只有当其中一列的解释变量变化大得多或残差小得多时才可能如此。",
                    c=int(lo["column"]),
                    ratio=ratio,
                    where=Bilingual(
                        "of the same split with the same N and outcome", "同一分组中观测值和被解释变量都相同的"
                    )
                    if split
                    else Bilingual("on the same N and outcome", "观测值和被解释变量都相同的"),
                ),
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
                _say(
                    "KP rk LM and Wald F tell different stories",
                    "With one instrument and homoskedastic errors the "
                    "LM statistic is about n times the first-stage partial R² and the Wald F about n R² / (1 - R²); "
                    "the printed LM implies a partial R² of {r2:.4f}. The robust statistics differ by the factor "
                    "1 + κ R² / (1 - R²) for an instrument of kurtosis κ, so the printed pair needs κ of about "
                    "{kappa:,.0f} (a normal variable has 3): possible for a product of skewed counts, unusual "
                    "otherwise.",
                    "只有一个工具变量且误差同方差时，LM 统计量约为 n 乘以第一阶段的偏 R²，Wald F 统计量"
                    "约为 n R² / (1 - R²)；印出的 LM 统计量意味着偏 R² 为 {r2:.4f}。对峰度为 κ 的工具变量，稳健统计量"
                    "相差因子 1 + κ R² / (1 - R²)，因此印出的这一对数值需要 κ 约为 {kappa:,.0f}（正态变量为 3）："
                    "对偏态计数之积是可能的，否则罕见。",
                    r2=r2,
                    kappa=kappa,
                ),
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
                Bilingual(
                    "The text calls these columns pooled regressions, but the table's fixed-effects row says "
                    "they have fixed effects; the baseline chapter states the book's reading of each column.",
                    "正文称这些列为混合回归，但表格的固定效应行表明它们包含固定效应；基准回归一章说明了本书"
                    "对每一列的解读。",
                ),
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
                _say(
                    f"claim {c['id']}",
                    "The paper says 「{quote}」 ({section}), but its own table prints {detail}.",
                    "论文称「{quote}」（{section}），但其自己的表格印出的是 {detail}。",
                    quote=c["quote_zh"],
                    section=c["section"],
                    detail=c["published detail"],
                ),
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
                _say(
                    f"claim {c['id']}: every leg",
                    "The paper says 「{quote}」 ({section}): {claim} Its table prints "
                    "the legs that hold but not the others, so the printed numbers cannot show the hypothesis; "
                    "judged on the printed leg alone it would be marked supported.",
                    "论文称「{quote}」（{section}），"
                    "但该假说包含多个组成部分，其表格只列出成立的部分而未列出其余部分，因此印出的数字无法证明该假说；"
                    "若只看印出的部分，它会被判为得到支持。",
                    quote=c["quote_zh"],
                    section=c["section"],
                    claim=c["claim_en"],
                ),
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
                    Bilingual(
                        "The book attributes this wording to the paper, but the paper's text does not contain "
                        "it, even with line breaks and spaces removed; a misquotation can change what the paper "
                        "is said to claim.",
                        "本书把这段文字归于论文，但即使去掉换行和空格，论文原文中也没有它；"
                        "引文有误可能改变论文被认为提出的论断。",
                    ),
                    "quote",
                )
            )
    return out


#: The places of the paper :func:`check_sources` compares, in Chinese (the others are the paper's own words).
PLACES_ZH = {"Abstract": "英文摘要"}


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
                        _say(
                            "data sources differ",
                            "{a} names {sa}; {b} names {sb}. A replicator cannot tell which "
                            "databases the variables come from.",
                            "{a_zh}列出的是{sa_zh}；{b_zh}列出的是{sb_zh}。复现者无法判断各变量来自哪些数据库。",
                            a=a,
                            b=b,
                            sa=", ".join(sorted(named[a])),
                            sb=", ".join(sorted(named[b])),
                            a_zh=PLACES_ZH.get(a, a),
                            b_zh=PLACES_ZH.get(b, b),
                            sa_zh="、".join(sorted(named[a])),
                            sb_zh="、".join(sorted(named[b])),
                        ),
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
                Bilingual(
                    "The variables are indexed by industry, but N is many times the industry-years; the book "
                    "reads the unit of observation as a node nested in an industry (measurement chapter).",
                    "变量以行业为下标，但观测值是行业-年份数的许多倍；本书把观测单位解读为嵌套于行业之中的节点"
                    "（见测度一章）。",
                ),
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
                    table_cell(
                        bilingual_format(
                            UNEXPLAINED_NS,
                            "unexplained Ns",
                            k=len(unexplained),
                            n=len(reading),
                            where=where,
                            where_zh="、".join(
                                f"表 {t} 第（{c}）列"
                                for t, c in zip(unexplained["table"], unexplained["column"], strict=True)
                            ),
                        )
                    ),
                    "info",
                    Bilingual(
                        "The measurement chapter sets the evidence for and against the reading side by side.",
                        "测度一章并列给出支持与反对这一解读的证据。",
                    ),
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


#: :func:`check_aie_floor`'s explanation in English and Chinese: room left to the other indicators, or none.
_AIE_FLOOR_ROOM = (
    "Under the book's readings (entropy weights; indicators {nat} national, one value a year), each national "
    "indicator is 1 after min-max normalisation in one year of {years}, so on a balanced panel Table 1's weights "
    "alone give AIE a mean of at least {floor:.4f}. That leaves {room:.4f} of the published mean to the other "
    "indicators (weight {other_weight:.3f}): their normalised values must average at most {other_mean_max:.4f}, a "
    "corner where every national indicator is near zero in all years but one and the others are extremely skewed.",
    "按本书的解读（熵权法；指标 {nat_zh} 为全国性指标，每年一个值），每个全国性指标经极差标准化后在 {years} "
    "年中的某一年等于 1，因此在平衡面板上，仅表 1 的权重就使 AIE 的均值至少为 {floor:.4f}。公布的均值只剩 "
    "{room:.4f} 留给其他指标（权重 {other_weight:.3f}）：它们标准化后的值平均至多为 {other_mean_max:.4f}，"
    "这是一个极端情形：每个全国性指标除一年外在所有年份都接近零，而其他指标极度偏斜。",
)
_AIE_FLOOR_NONE = (
    "Under the book's readings (entropy weights; indicators {nat} national), Table 1's weights give AIE a mean of "
    "at least {floor:.4f}, above the published {published_mean:.3f}: the readings and the two tables cannot all "
    "hold.",
    "按本书的解读（熵权法；指标 {nat_zh} 为全国性指标），表 1 的权重使 AIE 的均值至少为 {floor:.4f}，高于公布的 "
    "{published_mean:.3f}：这些解读与两张表不可能同时成立。",
)


def check_aie_floor(table2: pd.DataFrame | None = None, design: dict | None = None) -> list[Finding]:
    """AIE's published mean against the floor Table 1's weights put under it (:func:`aie_mean_floor`)."""
    if table2 is not None and "AIE" not in set(table2["symbol"]):
        return []
    f = aie_mean_floor(table2=table2, design=design)
    nat, nat_zh = ", ".join(str(v) for v in f["national"]), "、".join(str(v) for v in f["national"])
    severity = "warning" if f["room"] < 0 else "info"
    return [
        Finding(
            "reading",
            AIE_FLOOR_CHECK,
            "Tables 1-2",
            "AIE mean",
            table_cell(
                bilingual_format(
                    AIE_FLOOR_EXPECTED,
                    AIE_FLOOR_CHECK,
                    floor=f"{f['floor']:.4f}",
                    w=f"{f['national_weight']:.3f}",
                    years=f["years"],
                )
            ),
            f"{f['published_mean']:.3f}",
            severity,
            _say(
                AIE_FLOOR_CHECK,
                *(_AIE_FLOOR_ROOM if f["room"] >= 0 else _AIE_FLOOR_NONE),
                nat=nat,
                nat_zh=nat_zh,
                **{k: f[k] for k in ("years", "floor", "room", "other_weight", "other_mean_max", "published_mean")},
            ),
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
            why = _say(
                CLOSEST_WORLD_CHECK,
                "Every draw of the calibrated world gives {mean:.4g}: the design and "
                "the book's readings fix this statistic, and calibration does not move it; the paper prints "
                "{published:.4g}.",
                "校准世界的每一次抽样都给出 {mean:.4g}：研究设计和本书的解读决定了这一统计量，"
                "校准不会改变它；论文印出的是 {published:.4g}。",
                mean=r["world_mean"],
                published=r["published"],
            )
        else:
            printed = f"percentile {100 * r['percentile']:.1f} (Monte Carlo SE {100 * r['percentile_mc_se']:.1f})"
            why = _say(
                CLOSEST_WORLD_CHECK,
                "Over {reps} draws of the calibrated world this statistic has mean "
                "{mean:.4g} and SD {sd:.4g} (z = {z:+.1f}); the printed {published:.4g} lies outside its central "
                "95% band {band} beyond Monte Carlo error.",
                "在校准世界的 {reps} 次抽样中，该统计量的均值为 "
                "{mean:.4g}，标准差为 {sd:.4g}（z = {z:+.1f}）；印出的 {published:.4g} 落在其中央 95% 区间 "
                "{band} 之外，且超出蒙特卡洛误差。",
                reps=r["replications"],
                mean=r["world_mean"],
                sd=r["world_sd"],
                z=r["z"],
                published=r["published"],
                band=band,
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


def _chinese(explanation: str) -> str:
    """A finding's explanation in Chinese: the Chinese of a :class:`~aichain_utils.text.Bilingual`, else ""."""
    return explanation.zh if isinstance(explanation, Bilingual) else ""


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
        id, family, check, table, cells, expected, printed, severity, explanation, statistic, and
        explanation_zh: the explanation in Chinese ("" for a check that words it in English only).
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
    cols = ["id", *Finding.__dataclass_fields__, "explanation_zh"]
    frame = pd.DataFrame(
        [{"id": f.id, **asdict(f), "statistic": _statistic(f), "explanation_zh": _chinese(f.explanation)}
         for f in findings],
        columns=cols,
    )  # fmt: skip
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
