"""A machine-checked consistency audit of the paper's published tables.

Every check is a function of the published tables alone (``data/published/``) and returns a
list of :class:`Finding`. Nothing is typed in: a finding exists only if the numbers produce
it. Five families:

1. ``sample_size``: every N against the stated design and against what the method implies;
2. ``stars``: significance stars against coefficient / SE, under normal and t p-values;
3. ``descriptives``: Table 2 feasibility (mean within [min, max], SD bounds, N consistency);
4. ``identity``: numbers econometric theory says must coincide;
5. ``plausibility``: statistics implausible given their inputs;
6. ``prose_vs_table``: the paper's words against its own tables (the verbal claims of
   ``data/published/claims.csv``, and method labels against the printed specification rows);
7. ``text``: statements of the paper that contradict each other (e.g. the data sources named in
   the Chinese text and in the English abstract);
8. ``reading``: oddities this book resolves by a reading stated elsewhere (the unit of
   observation, the fixed effects), recorded so the audit is complete;
9. ``closest_world``: the statistical counterpart of the algebraic checks. ``make calibrate``
   (:mod:`aichain_utils.calibration`) finds the simulated world closest to the published numbers; a
   published statistic outside that world's central 95% band, over a stored Monte Carlo of the whole
   battery (:mod:`aichain_utils.closestworld`), is one the world does not produce. This family reads the
   stored Monte Carlo (``data/montecarlo/world/``), so it depends on the book's simulator as well as on
   the published numbers, and says so.

Severities: ``error`` (cannot hold under any reading), ``warning`` (cannot hold under the
paper's own description, though some unstated difference could explain it), ``info``
(unusual but possible).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from aichain_utils.paths import data_dir
from aichain_utils.published import load_design, load_regression_cells, load_table2

__all__ = [
    "CLOSEST_WORLD_CHECK",
    "SEVERITY_ORDER",
    "Finding",
    "aie_mean_floor",
    "check_aie_floor",
    "check_closest_world",
    "check_descriptives",
    "check_identities",
    "check_method_labels",
    "check_plausibility",
    "check_prose_claims",
    "check_readings",
    "check_sample_sizes",
    "check_sources",
    "check_stars",
    "run_audit",
]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


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

    @property
    def id(self) -> str:
        """A stable identifier (family and a hash of family, check, table and cells) that ledger reasons cite."""
        key = "|".join([self.family, self.check, self.table, self.cells])
        return f"{self.family}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}"


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
def check_sample_sizes(
    cells: pd.DataFrame | None = None, table2: pd.DataFrame | None = None, design: dict | None = None
) -> list[Finding]:
    """Ns against the design (industries x years), the methods (lags, differences), and the splits."""
    cells = load_regression_cells() if cells is None else cells
    table2 = load_table2() if table2 is None else table2
    n_ind, n_years, _ = _design(design)
    full = int(table2["n"].max())
    out: list[Finding] = []
    units, rem = divmod(full, n_years)
    if rem:
        out.append(
            Finding(
                "sample_size",
                "full sample divisible by years",
                "Table 2",
                "N",
                f"a multiple of {n_years} (balanced panel)",
                str(full),
                "warning",
                f"{full} unit-years cannot be a balanced panel over {n_years} years.",
            )
        )
    _, rem_i = divmod(units, n_ind)
    if not rem and rem_i:
        out.append(
            Finding(
                "sample_size",
                "units divisible by industries",
                "Table 2",
                "N",
                f"a multiple of {n_ind} x {n_years}",
                str(full),
                "info",
                f"{units} units do not split evenly over {n_ind} industries.",
            )
        )
    per_year = full // n_years
    one_year_less = full - per_year
    c = cells.set_index(["table", "column"])
    for (t, col), row in c.iterrows():
        n = int(row["n"])
        where = f"Table {t}", f"column ({col})"
        if n > full:
            out.append(
                Finding(
                    "sample_size",
                    "N above the full sample",
                    *where,
                    f"at most {full}",
                    str(n),
                    "error",
                    "A regression cannot use more observations than the panel has.",
                )
            )
        label = str(row["column_label_zh"]) + str(row["note"])
        if t == 4 and "IV1" in label and n != one_year_less:
            out.append(
                Finding(
                    "sample_size",
                    "lagged instrument loses a year",
                    *where,
                    str(one_year_less),
                    str(n),
                    "warning",
                    "IV1 is AIE lagged one year, which does not exist in the first year; "
                    f"a balanced panel then has {one_year_less} usable observations.",
                )
            )
        if t == 5 and "改变统计口径" in label and n != full - per_year:
            out.append(
                Finding(
                    "sample_size",
                    "sample to 2022",
                    *where,
                    str(full - per_year),
                    str(n),
                    "warning",
                    "The prose says the years up to 2022; dropping 2023 from a balanced panel leaves "
                    f"{full - per_year} observations.",
                )
            )
    # mediators: N against their own N in Table 2
    t2n = table2.set_index("symbol")["n"]
    for (t, col), row in c.iterrows():
        base = str(row["outcome"]).split("_")[0]
        derived = str(row["outcome"]) != base  # e.g. ITSE_forward (eq. 14) is not ITSE (eqs 12-13)
        if derived and base in t2n.index and int(row["n"]) > int(t2n[base]):
            out.append(
                Finding(
                    "sample_size",
                    "N above a related variable's N",
                    f"Table {t}",
                    f"column ({col})",
                    f"at most {int(t2n[base])} only if {row['outcome']} is observed where {base} is",
                    str(int(row["n"])),
                    "info",
                    f"{row['outcome']} is a different variable from {base} (Table 2 N {int(t2n[base])}); the "
                    f"book builds it from inputs observed on every row, so N {int(row['n'])} is possible.",
                )
            )
        elif base in t2n.index and base not in ("ERL",) and int(row["n"]) > int(t2n[base]):
            out.append(
                Finding(
                    "sample_size",
                    "N above the variable's own N",
                    f"Table {t}",
                    f"column ({col})",
                    f"at most {int(t2n[base])} (Table 2, {base})",
                    str(int(row["n"])),
                    "error",
                    f"{base} is observed {int(t2n[base])} times in Table 2; a regression on it cannot "
                    "have more observations.",
                )
            )
        if (
            base in t2n.index
            and base not in ("ERL",)
            and int(row["n"]) < int(t2n[base])
            and int(row["n"]) in set(t2n.astype(int))
        ):
            out.append(
                Finding(
                    "sample_size",
                    "N equals another variable's N",
                    f"Table {t}",
                    f"column ({col})",
                    f"{int(t2n[base])} ({base} in Table 2)",
                    str(int(row["n"])),
                    "info",
                    "The printed N equals the N of a different variable in Table 2.",
                )
            )
    # splits: groups compared by suest should not each have the full sample
    for t, grp in cells.dropna(subset=["suest_group"]).groupby("table"):
        for key in grp["suest_group"].unique():
            if not key:
                continue
            cols = [int(v) for v in str(key).split("|")]
            ns = c.loc[[(t, k) for k in cols], "n"].astype(int)
            if (ns == full).all():
                out.append(
                    Finding(
                        "sample_size",
                        "split groups each use the full sample",
                        f"Table {t}",
                        f"columns {tuple(cols)}",
                        f"group Ns adding to at most {full}",
                        " + ".join(map(str, ns)),
                        "error",
                        "The groups split the sample, so each must be smaller than the whole.",
                    )
                )
            elif ns.sum() > full:
                out.append(
                    Finding(
                        "sample_size",
                        "split groups exceed the sample",
                        f"Table {t}",
                        f"columns {tuple(cols)}",
                        f"at most {full}",
                        str(int(ns.sum())),
                        "error",
                        "Disjoint groups cannot together have more observations than the sample.",
                    )
                )
            elif ns.sum() != full and len(cols) == 2:
                out.append(
                    Finding(
                        "sample_size",
                        "two-way split does not add up",
                        f"Table {t}",
                        f"columns {tuple(cols)}",
                        str(full),
                        str(int(ns.sum())),
                        "warning",
                        "A split into two groups (e.g. high vs low) should cover the sample; "
                        f"{full - int(ns.sum())} observations are unaccounted for.",
                    )
                )
            if any(n % n_years for n in ns):
                out.append(
                    Finding(
                        "sample_size",
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
def check_identities(cells: pd.DataFrame | None = None, tolerance: float = 0.002) -> list[Finding]:
    """Numbers that theory says must coincide.

    * ERL = (ELRI_front + ELRI_inter + ELRI_back) / 3 (equation 9): on a common sample and
      specification, the ERL coefficient equals the mean of the three segment coefficients;
    * LSDV with the same dummies is the within estimator: equal slopes;
    * adding regressors to a nested model cannot lower R-squared, and lowers adjusted
      R-squared by at most about ``k (1 - R2) / (n - K)``.
    """
    cells = load_regression_cells() if cells is None else cells
    c = cells.set_index(["table", "column"])
    out = []
    seg = cells[cells["outcome"].isin(["ELRI_front", "ELRI_inter", "ELRI_back"])]
    if len(seg) == 3 and (seg["n"] == seg["n"].iloc[0]).all():
        mean_seg = seg["coef"].mean()
        same = cells[
            (cells["outcome"] == "ERL")
            & (cells["regressor"] == "AIE")
            & (cells["n"] == seg["n"].iloc[0])
            & (cells["controls"] == "yes")
            & (cells["fixed_effects"] == "yes")
            & cells["table"].isin([3, 5])
        ]
        if len(same):
            closest = same.loc[(same["coef"] - mean_seg).abs().idxmin()]
        if len(same) and abs(closest["coef"] - mean_seg) > tolerance + 0.0015:
            out.append(
                Finding(
                    "identity",
                    "ERL coefficient = mean of segment coefficients (eq. 9)",
                    "Tables 3-5",
                    "Table 5 (2)-(4) vs ERL columns of Tables 3 and 5 with controls and FE on the same N",
                    f"{mean_seg:.3f} (mean of {', '.join(f'{v:.3f}' for v in seg['coef'])})",
                    f"closest: Table {closest['table']} column ({closest['column']}) {closest['coef']:.3f}",
                    "warning",
                    "ERL is the mean of its three segments, and least squares is linear in the outcome, so with the "
                    "same sample and regressors the ERL coefficient must be the mean of the segment coefficients. "
                    "No ERL column with controls and fixed effects on the same N matches.",
                )
            )
    # LSDV vs FE (Table 3)
    methods = cells[cells["table"] == 3].set_index("column")["method_zh"]
    lsdv = [k for k, m in methods.items() if m == "LSDV"]
    fe = [k for k, m in methods.items() if m == "固定效应回归"]
    for k in lsdv:
        for j in fe:
            a, b = c.loc[(3, k)], c.loc[(3, j)]
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
                        "By the Frisch-Waugh-Lovell theorem, OLS with a dummy per industry and year gives exactly "
                        "the fixed-effects (within) slope with the same effects. The two differ, so the columns "
                        "must use different effects or samples, which the paper does not say.",
                    )
                )
    # nested models: controls added, same FE, same N, same method
    for t, grp in cells.groupby("table"):
        g = grp.set_index("column")
        for i in g.index:
            for j in g.index:
                a, b = g.loc[i], g.loc[j]
                if (
                    a["controls"] == "no"
                    and b["controls"] == "yes"
                    and a["fixed_effects"] == b["fixed_effects"]
                    and a["n"] == b["n"]
                    and a["outcome"] == b["outcome"]
                    and a["method_zh"] == b["method_zh"]
                    and j == i + 1
                ):
                    n, k_added = int(a["n"]), 5
                    max_drop = k_added * (1 - a["adj_r2"]) / (n - 50)
                    if a["adj_r2"] - b["adj_r2"] > max_drop + 0.001:
                        out.append(
                            Finding(
                                "identity",
                                "adding controls cannot lower fit by much",
                                f"Table {t}",
                                f"columns ({i}) -> ({j})",
                                f"adjusted R² at least {a['adj_r2'] - max_drop:.3f}",
                                f"{a['adj_r2']:.3f} -> {b['adj_r2']:.3f}",
                                "warning",
                                "Adding five controls to the same model on the same sample cannot lower R² and "
                                "lowers adjusted R² by at most a few ten-thousandths at this N. The columns must "
                                "differ in more than the printed controls row.",
                            )
                        )
    return out


# --------------------------------------------------------------------------- 5. plausibility
def check_plausibility(cells: pd.DataFrame | None = None) -> list[Finding]:
    """Standard errors and test statistics implausible given N and the other columns."""
    cells = load_regression_cells() if cells is None else cells
    out = []
    for _, r in cells.iterrows():
        where = (f"Table {r['table']}", f"column ({r['column']})")
        if r["se"] == 0:
            out.append(
                Finding(
                    "plausibility",
                    "zero standard error",
                    *where,
                    "SE > 0",
                    f"{r['se']:.{int(r['se_dp'])}f}",
                    "error",
                    "A regression on sampled data with a non-degenerate fit always has a positive "
                    "standard error; printed as zero, it is below 0.0005, implying |t| > "
                    f"{abs(r['coef']) / 0.0005:.0f}.",
                )
            )
    # same table, same N, same outcome: SEs far apart
    for (t, _n, _y), grp in cells[cells["se"] > 0].groupby(["table", "n", "outcome"]):
        if len(grp) < 2:
            continue
        ratio = grp["se"].max() / grp["se"].min()
        if ratio > 10:
            lo = grp.loc[grp["se"].idxmin()]
            out.append(
                Finding(
                    "plausibility",
                    "standard errors on the same N differ by more than 10x",
                    f"Table {t}",
                    f"columns {tuple(int(v) for v in grp['column'])}",
                    "similar precision on the same sample",
                    f"SEs {', '.join(f'{v:.3f}' for v in grp['se'])} (ratio {ratio:.0f})",
                    "info",
                    f"Column ({int(lo['column'])}) is estimated {ratio:.0f} times more precisely than its neighbour on "
                    "the same observations and outcome; possible only if the regressor varies far more or the "
                    "residuals are far smaller in one specification.",
                )
            )
    # KP rk LM vs Wald F with one instrument and one endogenous regressor
    for _, r in cells.dropna(subset=["kp_lm", "kp_wald"]).iterrows():
        n = int(r["n"])
        r2 = r["kp_lm"] / n
        implied_f = (n - 1) * r2 / max(1 - r2, 1e-12)
        if r["kp_wald"] > 10 * implied_f or r["kp_wald"] < implied_f / 10:
            out.append(
                Finding(
                    "plausibility",
                    "KP rk LM and Wald F tell different stories",
                    f"Table {r['table']}",
                    f"column ({r['column']})",
                    f"Wald F of the order of {implied_f:.0f}",
                    f"LM {r['kp_lm']:.2f}, Wald F {r['kp_wald']:.2f}",
                    "warning",
                    "With one instrument the LM statistic is about n times the first-stage partial R² and the "
                    "Wald F about n R² / (1 - R²); the printed pair implies a partial R² of "
                    f"{r2:.4f}, which cannot give an F this different, unless heteroskedasticity is extreme.",
                )
            )
    return out


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
    from aichain_utils.claims import evaluate_claims

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
        from aichain_utils.readings import sample_size_reading

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
    from aichain_utils.published import load_table1

    table1 = load_table1() if table1 is None else table1
    table2 = load_table2() if table2 is None else table2
    if national is None:
        from aichain_utils.simulate import load_params

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


#: The check name of the closest-world family (one finding per published statistic the world misses).
CLOSEST_WORLD_CHECK = "the published number against the closest world's sampling distribution"


def check_closest_world(table: pd.DataFrame | None = None) -> list[Finding]:
    """Published statistics outside the closest world's 95% band, or that no world of its family produces.

    Reads :func:`aichain_utils.closestworld.closest_world_table`: each published statistic of Tables
    3-10 against its distribution over the stored Monte Carlo of the whole battery in the calibrated
    world (``data/montecarlo/world/``), never against one draw. A finding's id is the id of its row in
    ``_build/tables/closest_world.csv``.

    Parameters
    ----------
    table : DataFrame, optional
        A closest-world table; by default the one computed from the stored Monte Carlo (no finding if
        none is stored).
    """
    from aichain_utils import closestworld

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
                    printed, "warning", why)
        )  # fmt: skip
    return out


def run_audit(
    cells: pd.DataFrame | None = None,
    table2: pd.DataFrame | None = None,
    design: dict | None = None,
    claims: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
    closest_world: bool | None = None,
) -> pd.DataFrame:
    """All checks on the published tables and text, as one DataFrame sorted by severity, family and table.

    ``closest_world`` includes the family that reads the stored calibration; by default only when the
    audit runs on the published tables (the stored result is about them), and ``False`` leaves it out
    (the calibration itself chooses its targets without it).
    """
    if closest_world is None:
        closest_world = cells is None and table2 is None
    cells = load_regression_cells() if cells is None else cells
    table2 = load_table2() if table2 is None else table2
    findings = [
        *check_sample_sizes(cells, table2, design),
        *check_stars(cells, design),
        *check_descriptives(table2),
        *check_identities(cells),
        *check_plausibility(cells),
        *check_method_labels(cells),
        *check_prose_claims(cells, claims),
        *check_sources(sources),
        *check_readings(cells, table2, design),
        *check_aie_floor(table2, design),
        *(check_closest_world() if closest_world else []),
    ]
    cols = ["id", *Finding.__dataclass_fields__]
    frame = pd.DataFrame([{"id": f.id, **asdict(f)} for f in findings], columns=cols)
    frame["_s"] = frame["severity"].map(SEVERITY_ORDER)
    return frame.sort_values(["_s", "family", "table", "cells"]).drop(columns="_s").reset_index(drop=True)
