"""The columns of the paper's Tables 3-5, each as this book reads it, on any analysis panel.

The readings of ambiguous columns are stated in ``READINGS`` and repeated in the
chapters next to each table.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterator

import numpy as np
import pandas as pd
from scipy import stats

from aichain_utils.econometrics.cache import shared
from aichain_utils.errors import AichainInputError, input_error
from aichain_utils.inputs.published import load_regression_cells
from aichain_utils.replication import models
from aichain_utils.replication.heterogeneity import pooled_interaction_test, suest_test
from aichain_utils.replication.matching import balance_table, match_on_propensity
from aichain_utils.replication.mediation import mediation_analysis
from aichain_utils.replication.models import CONTROLS, check_count, check_panel, core_errors, require_columns
from aichain_utils.report.display import table_cell
from aichain_utils.report.tables import Column, RenderedTable, render_table
from aichain_utils.text import Bilingual, bilingual_format, bilingual_join

__all__ = [
    "BASE_COLUMNS",
    "GROUPINGS",
    "READINGS",
    "STOCK_YOGO_10PCT",
    "battery",
    "deliberate_differences",
    "format_p",
    "partial_table",
    "partial_view",
    "table3_columns",
    "table4_columns",
    "table5_columns",
    "table6_columns",
    "table7_columns",
    "table8_columns",
    "table9_columns",
    "table10_columns",
    "table_columns",
    "trim_residual_outliers",
    "wild_p_cell",
]

#: Stock & Yogo (2005, Table 5.2): critical value of the Cragg-Donald F statistic for a nominal
#: 5% 2SLS Wald test whose true size is at most 10%, one endogenous regressor and one
#: instrument (derived for homoskedastic errors).
STOCK_YOGO_10PCT = 16.38

READINGS: dict[tuple[int, int], str] = {
    (3, 1): "pooled OLS without controls, with industry and year dummies (the printed FE row says yes)",
    (3, 2): "pooled OLS with controls, no dummies",
    (3, 3): "pooled OLS with controls and year dummies",
    (3, 4): "pooled OLS with controls and industry dummies",
    (3, 5): "within estimator, unit and year effects, no controls",
    (3, 6): "within estimator, unit and year effects, controls: equation (1)",
    (3, 7): "LSDV: OLS with industry and year dummies and controls",
    (3, 8): "FGLS with industry-wise heteroskedasticity, industry and year dummies, controls",
    (4, 5): "first differences within unit, year dummies, controls",
    (5, 1): "equation (1) with the five-dimension alternative AIE",
    (5, 5): "equation (1) on 2013-2022",
    (5, 6): "equation (1) without the 5% of observations with the largest absolute residuals",
    (5, 7): "equation (1) on the propensity-score-matched sample (weighted)",
}


#: Columns every table needs (equation (1)'s outcome, regressor, controls and identifiers).
BASE_COLUMNS: list[str] = ["ERL", "AIE", *CONTROLS, "unit_id", "industry_id", "year"]


def format_p(p: float) -> str:
    """A p-value to three decimals, ``< 0.001`` below that (never ``0.000``).

    Raises
    ------
    AichainInputError
        If ``p`` is not a number in [0, 1] (NaN included: a p-value that could not be computed
        is not printed as one).
    """
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= float(p) <= 1.0:
        raise input_error("p", "must be a probability in [0, 1]", [p], what="values")
    return "< 0.001" if p < 0.0005 else f"{p:.3f}"


@contextlib.contextmanager
def _column(table: int, number: int | str) -> Iterator[None]:
    """Prefix a column's contract error with the table and column it came from."""
    try:
        yield
    except AichainInputError as err:
        where = f"Table {table} column {number}" if isinstance(number, int) else f"Table {table} {number}"
        raise type(err)(f"{where}: {err}", argument=err.argument, rule=err.rule, offending=err.offending) from err


#: The printed columns of each of Tables 3-10.
TABLE_COLUMNS: dict[int, tuple[int, ...]] = {
    3: (1, 2, 3, 4, 5, 6, 7, 8),
    4: (1, 2, 3, 4, 5),
    5: (1, 2, 3, 4, 5, 6, 7),
    6: (1, 2, 3),
    7: (1, 2, 3, 4),
    8: (1, 2, 3),
    9: (1, 2, 3, 4),
    10: (1, 2, 3, 4),
}


def _wanted(table: int, columns) -> set[int]:
    """The columns of ``table`` to build: every column by default, else those named (checked)."""
    every = TABLE_COLUMNS[table]
    if columns is None:
        return set(every)
    wanted = list(columns)
    unknown = [c for c in wanted if isinstance(c, bool) or not isinstance(c, numbers.Integral) or c not in every]
    if unknown or not wanted:
        raise input_error(
            "columns", f"must name at least one of Table {table}'s columns {list(every)}", unknown or wanted,
            what="values",
        )  # fmt: skip
    return {int(c) for c in wanted}


def _table_needs(data: pd.DataFrame, table: int, optional: list[str]) -> None:
    """The table's own variables first (named together, "Table 10 needs LCV and WCV"), then the base columns."""
    if optional:
        require_columns(data, optional, f"Table {table}")
    require_columns(data, BASE_COLUMNS, f"Table {table}")


_TABLE_RAISES = """
    Raises
    ------
    AichainInputError
        ``data`` lacks a column the table needs (also a ``KeyError``; the message names the table
        and every absent column), or a column's estimate fails its contract (see
        :func:`aichain_utils.replication.models.fit_two_way_fe`); the message starts with the table and column."""


def _col(table: int, number: int, label: str, est: models.Estimate, extra: dict | None = None) -> Column:
    return Column(number, label, est, READINGS.get((table, number), ""), extra or {})


@shared
def table3_columns(data: pd.DataFrame, bootstrap_reps: int = 999, seed: int = 20251123) -> list[Column]:
    """Table 3, baseline: eight columns (see ``READINGS``), robust SEs with clustered ones beside.

    ``bootstrap_reps=0`` leaves out column 6's wild cluster bootstrap p.
    """
    check_count("bootstrap_reps", bootstrap_reps, 0)
    _table_needs(data, 3, [])
    specs = [
        (1, "pooled", models.fit_pooled_ols, {"controls": None, "dummies": ["industry_id", "year"]}),
        (2, "pooled", models.fit_pooled_ols, {}),
        (3, "pooled", models.fit_pooled_ols, {"dummies": ["year"]}),
        (4, "pooled", models.fit_pooled_ols, {"dummies": ["industry_id"]}),
        (5, "FE", models.fit_two_way_fe, {"controls": None}),
        (6, "FE", models.fit_two_way_fe, {}),
        (7, "LSDV", models.fit_lsdv, {}),
    ]
    cols = []
    for number, label, fit, kw in specs:
        with _column(3, number):
            est = fit(data, **kw, also_cov=("cluster_unit", "cluster_industry"))
        extra = {
            "SE clustered by unit": f"({est.extra['se_cluster_unit']:.3f})",
            "SE clustered by industry": f"({est.extra['se_cluster_industry']:.3f})",
        }
        if number == 6 and bootstrap_reps:
            with _column(3, number):
                wb = models.wild_cluster_bootstrap(data, reps=bootstrap_reps, seed=seed)
            extra["wild cluster bootstrap p (industry)"] = wild_p_cell(wb)
        cols.append(_col(3, number, label, est, extra))
    with _column(3, 8):
        cols.append(_col(3, 8, "FGLS", models.fit_fgls(data)))
    return cols


#: The wild cluster bootstrap p's cell, by language: the p, the draws (or every weight vector), the clusters
#: and the weights' name.
_WILD_P = {
    "en": "{p} ({draws}, {clusters} clusters, {weights} weights)",
    "zh": "{p}（{draws}，{clusters} 个聚类，{weights} 权重）",
}
_WILD_DRAWS = {
    True: {"en": "all {reps} weight vectors", "zh": "全部 {reps} 个权重向量"},
    False: {"en": "{reps} draws", "zh": "{reps} 次抽样"},
}


def wild_p_cell(wb: dict) -> Bilingual:
    """Table 3 column 6's wild cluster bootstrap p as its diagnostics cell shows it, in English and Chinese:
    "0.006 (999 draws, 35 clusters, Webb weights)" / "0.006（999 次抽样，35 个聚类，Webb 权重）".

    Parameters
    ----------
    wb : dict
        :func:`aichain_utils.replication.models.wild_cluster_bootstrap`'s result (``p``, ``reps``,
        ``enumerated``, ``clusters``, ``weights``).

    Raises
    ------
    AichainInputError
        If ``wb`` lacks one of those keys (named), or its ``p`` is not a number in [0, 1] (:func:`format_p`).
    ValueError
        If a number of the cell is None, NaN or infinite (:func:`aichain_utils.text.check_finite`).
    """
    missing = [k for k in ("p", "reps", "enumerated", "clusters", "weights") if k not in wb]
    if missing:
        raise input_error("wb", "needs the wild bootstrap's result keys", missing, what="missing keys")
    draws = bilingual_format(_WILD_DRAWS[bool(wb["enumerated"])], "wild_p_cell", reps=wb["reps"])
    return table_cell(bilingual_format(
        _WILD_P, "wild_p_cell", p=format_p(wb["p"]), draws=draws, clusters=wb["clusters"],
        weights=str(wb["weights"]).capitalize(),
    ))  # fmt: skip


table3_columns.__doc__ += _TABLE_RAISES + """ Also: ``bootstrap_reps`` not an integer >= 0."""


@shared
def table4_columns(data: pd.DataFrame, columns=None) -> list[Column]:
    """Table 4, endogeneity: 2SLS with IV1-IV4 (unit and year effects, controls) and first differences.

    ``columns``: the printed columns to build (default all five; each needs only its own instrument).
    """
    want = _wanted(4, columns)
    ivs = [iv for number, iv in enumerate(["IV1", "IV2", "IV3", "IV4"], start=1) if number in want]
    _table_needs(data, 4, ivs)
    published = load_regression_cells(4).set_index("column")
    cols = []
    for number, iv in enumerate(["IV1", "IV2", "IV3", "IV4"], start=1):
        if number not in want:
            continue
        with _column(4, number):
            est = models.fit_iv(data, iv)
        x = est.extra
        pub = published.loc[number]
        ar = (
            f"[{x['ar_low']:.3f}, {x['ar_high']:.3f}]"
            if x["ar_shape"] == "interval"
            else f"{x['ar_shape']} ({x['ar_low']:.3f}, {x['ar_high']:.3f})"
        )
        extra = {
            "first stage: instrument coef. (SE)": f"{x['first_stage_coef']:.4f} ({x['first_stage_se']:.4f})",
            "first-stage F (robust)": f"{x['first_stage_F']:.1f}",
            f"Cragg–Donald F (Stock–Yogo 10% size: {STOCK_YOGO_10PCT})": f"{x['cd_f']:.1f}",
            "KP rk LM, published": f"{pub['kp_lm']:.2f}{pub['kp_lm_stars']}",
            "KP rk LM, replicated (p)": f"{x['kp_lm']:.2f} ({format_p(x['kp_lm_p'])})",
            "KP rk Wald F, published": f"{pub['kp_wald']:.2f}{pub['kp_wald_stars']}",
            "KP rk Wald F, replicated": f"{x['kp_wald_f']:.2f}",
            "effective F (MOP 10% bias critical value)": f"{x['effective_f']:.1f} ({x['effective_f_cv10']:.1f})",
            "Anderson–Rubin 95% set": ar,
            "tF 95% interval (Lee et al. 2022)": (
                f"[{x['tf_low']:.3f}, {x['tf_high']:.3f}]"
                if np.isfinite(x["tf_critical_value"])
                else "unbounded (F < 4)"
            ),
        }
        cols.append(Column(number, iv, est, f"2SLS with {iv}, unit and year effects absorbed, controls", extra))
    if 5 in want:
        with _column(4, 5):
            cols.append(_col(4, 5, "first difference", models.fit_first_difference(data)))
    return cols


table4_columns.__doc__ += _TABLE_RAISES + """ Also: ``columns`` names no column of the table."""


def trim_residual_outliers(data: pd.DataFrame, share: float = 0.05) -> tuple[pd.DataFrame, str]:
    """Drop the ``share`` of observations with the largest absolute residuals of equation (1).

    Reading of 剔除样本残差大于 5 的异常值 ("remove outliers with residuals greater than 5"):
    no residual of ERL (SD 0.7) exceeds 5 in level, so the 5 is read as 5 percent.

    Raises
    ------
    AichainInputError
        ``share`` is not a number strictly between 0 and 1; a column of equation (1) or
        ``unit_id``/``year`` is absent (also a ``KeyError``); a variable is infinite, all missing or
        (ERL, AIE) constant; an id is missing; the regressors are collinear after the unit and
        year effects (the core's message naming the column).
    """
    if isinstance(share, bool) or not isinstance(share, numbers.Real) or not 0.0 < float(share) < 1.0:
        raise input_error(
            "share", "must be a number strictly between 0 and 1 (the share of rows dropped)", [share], what="values"
        )
    variables = ["ERL", "AIE", *CONTROLS]
    check_panel(data, variables, ["unit_id", "year"], "trimming (Table 5 column 6)", vary=["ERL", "AIE"])
    frame, _, _ = models.complete_cases(data, variables, "trim")
    dm = models.demean(frame, variables, ["unit_id", "year"])
    X = dm[["AIE", *CONTROLS]].to_numpy()
    with core_errors("trimming (Table 5 column 6)"):
        models.ec.check_rank(X, ["AIE", *CONTROLS], "regressors of equation (1) for trimming")
    beta = np.linalg.lstsq(X, dm["ERL"].to_numpy(), rcond=None)[0]
    resid = np.abs(dm["ERL"].to_numpy() - X @ beta)
    cut = np.quantile(resid, 1 - share)
    keep = resid <= cut
    pct = 100 * (1 - share)
    note = f"dropped {int((~keep).sum()):,} rows with |residual| above its {pct:.0f}th percentile ({cut:.3f})"
    return frame.loc[keep], note


@shared
def table5_columns(data: pd.DataFrame, columns=None) -> list[Column]:
    """Table 5, robustness: alternative AIE, segment outcomes, sample to 2022, trimming, PSM.

    ``columns``: the printed columns to build (default all seven; (1)-(4) each need only their own variable).
    """
    want = _wanted(5, columns)
    own = {1: "AIE_alt", 2: "ELRI_front", 3: "ELRI_inter", 4: "ELRI_back"}
    _table_needs(data, 5, [v for c, v in own.items() if c in want])
    cols = []
    if 1 in want:
        with _column(5, 1):
            cols.append(_col(5, 1, "alternative AIE", models.fit_two_way_fe(data, x="AIE_alt")))
    for number, seg in [(2, "ELRI_front"), (3, "ELRI_inter"), (4, "ELRI_back")]:
        if number not in want:
            continue
        with _column(5, number):
            est = models.fit_two_way_fe(data, y=seg)
        cols.append(Column(number, seg, est, f"equation (1) with {seg} as outcome"))
    cols += _table5_samples(data, want)
    return cols


def _table5_samples(data: pd.DataFrame, want: set[int]) -> list[Column]:
    """Table 5 columns (5)-(7): equation (1) to 2022, without outliers, on the matched sample."""
    cols: list[Column] = []
    if 5 in want:
        to_2022 = data.loc[data["year"] <= 2022, BASE_COLUMNS]  # the columns first: no copy of a wide panel
        if to_2022.empty:
            first = data["year"].min()
            raise input_error(
                "year", "Table 5 column 5 needs years up to 2022; the panel starts in a later year", [first],
                what="values",
            )  # fmt: skip
        with _column(5, 5):
            cols.append(_col(5, 5, "to 2022", models.fit_two_way_fe(to_2022)))
    if 6 in want:
        with _column(5, 6):
            trimmed, note = trim_residual_outliers(data)
            est = models.fit_two_way_fe(trimmed)
        est.notes.append(note)
        cols.append(_col(5, 6, "outliers removed", est))
    if 7 not in want:
        return cols
    with _column(5, 7):
        m = match_on_propensity(data)
        matched = m.matched
        est = models.fit_two_way_fe(matched, weights=matched["weight"])
    est.notes.extend(m.notes)
    cols.append(
        _col(
            5,
            7,
            "PSM",
            est,
            {"PSM: treated matched / controls used": f"{m.n_matched_treated} / {m.n_controls_used}"},
        )
    )
    return cols


table5_columns.__doc__ += _TABLE_RAISES + """ Also: no year up to 2022 (column 5); ``columns`` names no column."""


@shared
def table6_columns(data: pd.DataFrame, bootstrap_reps: int = 999, seed: int = 20251123, columns=None) -> list[Column]:
    """Table 6, mechanisms: the printed first legs (AIE -> mediator) with the omitted outcome
    equations, the indirect effect, its Sobel SE and unit-cluster bootstrap CI, and the share mediated.

    ``bootstrap_reps=0`` leaves out the bootstrap CI. ``columns``: the printed columns to build (default
    all three; each needs only its own mediator).
    """
    check_count("bootstrap_reps", bootstrap_reps, 0)
    want = _wanted(6, columns)
    legs = [("FSIE", "AIE → FSIE"), ("ITSE_forward", "AIE → forward ITSE"), ("ITSE_backward", "AIE → backward ITSE")]
    _table_needs(data, 6, [m for number, (m, _) in enumerate(legs, start=1) if number in want])
    cols = []
    for number, (mediator, label) in enumerate(legs, start=1):
        if number not in want:
            continue
        with _column(6, number):
            r = mediation_analysis(data, mediator, bootstrap_reps=bootstrap_reps, seed=seed)
        extra = {
            "b: mediator → ERL (SE), eq. (3)/(5)": f"{r.second_stage_b.coef:.4f} ({r.second_stage_b.se:.4f})",
            "direct effect c′ (SE)": f"{r.direct.coef:.3f} ({r.direct.se:.3f})",
            "total effect c (SE)": f"{r.total.coef:.3f} ({r.total.se:.3f})",
            "indirect a·b (Sobel SE)": f"{r.indirect:.4f} ({r.sobel_se:.4f})",
            "indirect: bootstrap 95% CI": "" if r.boot_ci is None else f"[{r.boot_ci[0]:.4f}, {r.boot_ci[1]:.4f}]",
            "share mediated a·b / c": f"{r.share_mediated:.3f}",
        }
        reading = f"equation ({2 if number == 1 else 4}) with {mediator}; unit and year effects, controls"
        cols.append(Column(number, label, r.first_stage, reading, extra, detail=r))
    return cols


table6_columns.__doc__ += (
    _TABLE_RAISES
    + """ Also: ``bootstrap_reps`` not an integer >= 0; a mediator constant; ``columns`` names no column."""
)


#: How the groups of Tables 7-9 are formed (columns of the analysis panel and their levels).
GROUPINGS: dict[int, list[tuple[str, list[str]]]] = {
    7: [("industry_type", ["labour", "capital", "technology"])],
    8: [("chain_position", ["front", "middle", "back"])],
    9: [("region", ["developed", "other"]), ("tech_level", ["high", "low"])],
}


def _groupings(table: int, want: set[int], start: int = 1) -> list[tuple[str, list[str]]]:
    """The groupings of ``table`` whose columns are wanted (a grouping's columns are built together)."""
    out, number = [], start
    for group, levels in GROUPINGS[table]:
        if want & set(range(number, number + len(levels))):
            out.append((group, levels))
        number += len(levels)
    return out


def _check_groups(data: pd.DataFrame, table: int, groupings=None) -> None:
    """Table 7-9's group columns exist and every level the table compares has rows."""
    groupings = GROUPINGS[table] if groupings is None else groupings
    groups = [g for g, _ in groupings]
    _table_needs(data, table, groups)
    for group, levels in groupings:
        present = set(data[group].dropna().unique())
        absent = [lv for lv in levels if lv not in present]
        if absent:
            raise input_error(
                group,
                f"Table {table} compares the levels {levels}; the panel has no rows with {absent}",
                absent,
                what="levels",
            )


def _group_columns(data: pd.DataFrame, table: int, start: int = 1, want: set[int] | None = None) -> list[Column]:
    want = set(TABLE_COLUMNS[table]) if want is None else want
    chosen = _groupings(table, want, start)
    _check_groups(data, table, chosen)
    cols = []
    number = start
    for group, levels in GROUPINGS[table]:
        if (group, levels) not in chosen:
            number += len(levels)
            continue
        with _column(table, f"({group})"):
            s = suest_test(data, group, levels)
            _, _, _, p_i = pooled_interaction_test(data, group, levels)
        for k, level in enumerate(levels):
            part = data.loc[data[group] == level, BASE_COLUMNS]
            with _column(table, number):
                est = models.fit_two_way_fe(part, engine="fast")
            extra = {}
            if k == 0:
                extra = {
                    "suest χ² (df), cluster: unit": f"{s.chi2:.2f} ({s.df})",
                    "suest p, published": "",
                    "suest p, replicated": f"{s.p:.3f}",
                    "pooled interaction model p": f"{p_i:.3f}",
                }
            cols.append(Column(number, level, est, f"equation (1) on the {level} group ({group})", extra))
            number += 1
    pub = load_regression_cells(table).set_index("column")
    for col in cols:
        if "suest p, published" in col.extra_rows:
            p = pub.loc[col.number, "suest_p"]
            col.extra_rows["suest p, published"] = "" if pd.isna(p) else f"{p:.3f}"
    return cols


@shared
def table7_columns(data: pd.DataFrame) -> list[Column]:
    """Table 7: the classified industries together, then labour-, capital- and technology-intensive."""
    _check_groups(data, 7)
    classified = data.loc[data["industry_type"].isin(["labour", "capital", "technology"]), BASE_COLUMNS]
    with _column(7, 1):
        est = models.fit_two_way_fe(classified, engine="fast")
    overall = Column(
        1,
        "overall (classified industries)",
        est,
        "equation (1) on the labour-, capital- and technology-intensive industries together",
    )
    return [overall, *_group_columns(data, 7, start=2)]


@shared
def table8_columns(data: pd.DataFrame) -> list[Column]:
    """Table 8: front, middle and back positions in the innovation chain."""
    return _group_columns(data, 8)


@shared
def table9_columns(data: pd.DataFrame, columns=None) -> list[Column]:
    """Table 9: factor-market-developed vs other regions; high vs low technology.

    ``columns``: the printed columns to build (default all four); (1)-(2) need the region, (3)-(4) the
    technology level, and each pair is built together (its cross-group test compares them).
    """
    return _group_columns(data, 9, want=_wanted(9, columns))


_GROUP_RAISES = """ Also: a group column absent, a compared level without rows, a group too
        small for unit and year effects (the core's or the cross-group test's message, naming it);
        ``columns`` (Table 9) names no column."""
for _f in (table7_columns, table8_columns, table9_columns):
    _f.__doc__ += _TABLE_RAISES + _GROUP_RAISES


@shared
def table10_columns(data: pd.DataFrame, columns=None) -> list[Column]:
    """Table 10: LCV and WCV on AIE without and with controls, from 2014 (LCV needs a base year).

    ``columns``: the printed columns to build (default all four); (1)-(2) need LCV, (3)-(4) WCV.
    """
    want = _wanted(10, columns)
    _table_needs(data, 10, [v for v, cs in (("LCV", {1, 2}), ("WCV", {3, 4})) if want & cs])
    needed = [*BASE_COLUMNS, *(v for v in ("LCV", "WCV") if v in data.columns)]
    sample = data.loc[data["year"] > data["year"].min(), needed]
    if sample["year"].nunique() < 2:
        years = sorted(data["year"].dropna().unique().tolist())
        raise input_error(
            "year",
            "Table 10 needs at least two years after the base year (the first)",
            years,
            what="years in the panel",
        )
    cols = []
    for number, (y, controls) in enumerate(
        [("LCV", None), ("LCV", CONTROLS), ("WCV", None), ("WCV", CONTROLS)], start=1
    ):
        if number not in want:
            continue
        with _column(10, number):
            est = models.fit_two_way_fe(sample, y=y, controls=controls, engine="fast")
        label = f"{y}, {'controls' if controls else 'no controls'}"
        cols.append(Column(number, label, est, f"equation (1) with {y}, years after the base year"))
    return cols


table10_columns.__doc__ += (
    _TABLE_RAISES
    + """ Also: fewer than two years after the base year; ``columns``
        names no column."""
)


@shared
def table_columns(table: int, data: pd.DataFrame, columns=None, bootstrap_reps: int = 999) -> list[Column]:
    """The columns of Table ``table`` (3-10) named in ``columns`` (default all), by the table's function.

    ``bootstrap_reps`` is passed to Tables 3 and 6 (the others draw nothing).

    Raises
    ------
    AichainInputError
        ``table`` is not one of 3-10, ``columns`` names no column of it (Tables 3, 7 and 8 are built
        whole: their columns share one set of variables), or what the table's function raises.
    """
    if isinstance(table, bool) or table not in TABLE_COLUMNS:
        raise input_error("table", f"must be one of Tables {list(TABLE_COLUMNS)}", [table], what="values")
    if table in (3, 7, 8) and columns is not None and _wanted(table, columns) != set(TABLE_COLUMNS[table]):
        raise input_error(
            "columns", f"Table {table}'s columns share one set of variables: it is built whole", list(columns),
            what="values",
        )  # fmt: skip
    if table == 3:
        return table3_columns(data, bootstrap_reps=bootstrap_reps)
    if table == 6:
        return table6_columns(data, bootstrap_reps=bootstrap_reps, columns=columns)
    if table in (7, 8):
        return table7_columns(data) if table == 7 else table8_columns(data)
    return {4: table4_columns, 5: table5_columns, 9: table9_columns, 10: table10_columns}[table](data, columns=columns)


def partial_table(ap, table: int, bootstrap_reps: int = 999) -> RenderedTable | None:
    """The columns of ``table`` the data of ``ap`` can build, when they cannot build all of it.

    :mod:`aichain_utils.inputs.availability` decides which columns can be built; this builds those only.

    Returns
    -------
    RenderedTable or None
        None when the table is built whole (the chapter shows it) or when no column can be built.

    Raises
    ------
    AichainInputError
        As :func:`table_columns` (a column availability allows must be built).
    """
    from aichain_utils.inputs import availability

    av = availability.assess(ap)
    built = av.built_columns(table)
    if av.table(table) is None or not built:
        return None
    return render_table(table, table_columns(table, ap.data, columns=built, bootstrap_reps=bootstrap_reps))


@shared
def partial_view(ap, tables: list[int], bootstrap_reps: int = 999):
    """What a chapter shows of its ``tables`` when the data cannot build all of them: every column they can
    build (a table whole, or its columns), under the reason for each column they cannot.

    The chapter's own cells compute its tables together and run only when every one of them can be built;
    then this is empty. Otherwise each table with at least one buildable column is shown, with the sentence
    of :meth:`aichain_utils.inputs.availability.Availability.table` for the columns it lacks.

    Returns
    -------
    IPython.display.HTML
        Empty when every table of ``tables`` can be built; else a
        :class:`~aichain_utils.report.display.BilingualHTML`, its Chinese (the headings and reasons in
        Chinese; the tables' words are translated by the Chinese build) in its metadata.

    Raises
    ------
    AichainInputError
        As :func:`table_columns`.
    """
    import html

    from IPython.display import HTML

    from aichain_utils.inputs import availability
    from aichain_utils.report.display import BilingualHTML, html_and_cells, show_regression

    av = availability.assess(ap)
    if all(av.table(t) is None for t in tables):
        return HTML("")  # nothing to show, in either language
    en, zh, cells = [], [], {}
    for t in tables:
        built = av.built_columns(t)
        if not built:
            continue
        why = av.table(t)
        cols = table_columns(t, ap.data, columns=built if why else None, bootstrap_reps=bootstrap_reps)
        table_html, table_cells = html_and_cells(show_regression(render_table(t, cols)))
        cells.update(table_cells)
        head = av.partial_heading(t)
        for out, language_head, reason in ((en, str(head), why), (zh, head.zh, getattr(why, "zh", why))):
            text = f"<strong>{html.escape(language_head)}</strong>" + (f" {html.escape(reason)}" if reason else "")
            out.append(f"<p>{text}</p>{table_html}")
    if not en:  # no table of ``tables`` builds a column: the reasons are the chapter's to print
        return HTML("")
    return BilingualHTML("".join(en), "".join(zh), cells)


@shared
def battery(data: pd.DataFrame, bootstrap_reps: int = 999) -> dict[int, RenderedTable]:
    """Tables 3, 4 and 5 rendered with published values beside (see :func:`render_table`).

    Raises
    ------
    AichainInputError
        As :func:`table3_columns`, :func:`table4_columns` and :func:`table5_columns`.
    """
    check_count("bootstrap_reps", bootstrap_reps, 0)
    return {
        3: render_table(3, table3_columns(data, bootstrap_reps=bootstrap_reps)),
        4: render_table(4, table4_columns(data)),
        5: render_table(5, table5_columns(data)),
    }


def true_group_effects(rendered: dict[int, RenderedTable], data: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """On simulated data: the true average effect of AIE on ERL in each group of Tables 7-9, beside its estimate.

    The simulation gives every unit its own total effect (``truth["total_effect"]``, the direct
    effect with its group deviations plus the indirect effects; see the measurement chapter). The true
    value a group's regression targets is taken here as the mean of that effect over the group's
    unit-years.

    Parameters
    ----------
    rendered : dict of int to RenderedTable
        Tables 7, 8 and 9 as rendered (their ``tidy`` frames give the estimates).
    data : DataFrame
        The analysis panel the tables were estimated on.
    truth : DataFrame
        :attr:`aichain_utils.simulation.simulate.SimulatedPanel.truth` of the same simulated panel.

    Returns
    -------
    DataFrame
        One row per group: table, group, N, true average effect, estimate, SE, and the gap in SEs.

    Raises
    ------
    AichainInputError
        ``truth`` lacks unit_id, year or total_effect; ``rendered`` lacks Table 7, 8 or 9; ``data``
        lacks an id or group column; a unit-year of ``data`` has no true effect in ``truth``.
    """
    if not isinstance(truth, pd.DataFrame):
        raise input_error("truth", "must be a DataFrame (SimulatedPanel.truth)", [type(truth).__name__], what="type")
    missing = [c for c in ("unit_id", "year", "total_effect") if c not in truth.columns]
    if missing:
        raise input_error("truth", f"missing column(s) {missing}; pass SimulatedPanel.truth", missing, what="columns")
    absent = [t for t in (7, 8, 9) if t not in rendered]
    if absent:
        raise input_error("rendered", "must hold the rendered Tables 7, 8 and 9", absent, what="tables")
    group_cols = sorted({g for t in (7, 8, 9) for g, _ in GROUPINGS[t]})
    require_columns(data, ["unit_id", "year", *group_cols], "true_group_effects")
    merged = data[["unit_id", "year", *group_cols]].merge(
        truth[["unit_id", "year", "total_effect"]], on=["unit_id", "year"], how="left", validate="one_to_one"
    )
    unmatched = merged[merged["total_effect"].isna()]
    if len(unmatched):
        rows = unmatched[["unit_id", "year"]].head(5).to_dict("records")
        raise AichainInputError(
            f"column 'total_effect': no true effect for {len(unmatched)} unit-years, e.g. {rows}",
            argument="total_effect",
            rule="every unit-year of data needs a true effect in truth",
            offending=rows,
        )
    out = []
    for table in (7, 8, 9):
        tidy = rendered[table].tidy.set_index("label")
        for group, levels in GROUPINGS[table]:
            for level in levels:
                effect = merged.loc[merged[group] == level, "total_effect"]
                est = tidy.loc[level]
                out.append(
                    {
                        "table": table,
                        "group": f"{level} ({group.replace('_', ' ')})",
                        "N": int(est["n"]),
                        "true average effect": float(effect.mean()),
                        "estimate": float(est["coef"]),
                        "SE": float(est["se"]),
                        "gap in SEs": float((est["coef"] - effect.mean()) / est["se"]),
                    }
                )
    return pd.DataFrame(out)


def _singletons(frame: pd.DataFrame, entity: str = "unit_id") -> pd.Index:
    """Rows of units observed once (reghdfe's singleton groups; years are never singletons here)."""
    counts = frame.groupby(entity)[entity].transform("size")
    return frame.index[counts == 1]


def _smd_ddof1(x_t: np.ndarray, x_c: np.ndarray, w_c: np.ndarray) -> float:
    """SMD with both variances at ``ddof=1`` (control weights as frequency weights, ``sum w - 1``)."""
    m_c = np.average(x_c, weights=w_c)
    v_c = np.sum(w_c * (x_c - m_c) ** 2) / (np.sum(w_c) - 1)
    return float((x_t.mean() - m_c) / np.sqrt((x_t.var(ddof=1) + v_c) / 2))


def _difference_rows_fe_iv(data: pd.DataFrame) -> list[dict]:
    rows = []
    fe = models.fit_two_way_fe(data)
    variables = ["ERL", "AIE", *CONTROLS]
    frame, _, _ = models.complete_cases(data, variables, "within R2")
    dm = models.demean(frame, variables, ["unit_id", "year"])
    u = (
        dm["ERL"].to_numpy()
        - dm[["AIE", *CONTROLS]].to_numpy()
        @ np.linalg.lstsq(dm[["AIE", *CONTROLS]].to_numpy(), dm["ERL"].to_numpy(), rcond=None)[0]
    )
    r2_both = 1 - float(u @ u) / float(dm["ERL"].to_numpy() @ dm["ERL"].to_numpy())
    rows.append(
        {
            "function": "models.fit_two_way_fe",
            "quantity": "r2_within, r2_within_panelols",
            "this book": "both, under two names: r2_within is reghdfe's, r2_within_panelols PanelOLS's",
            "Stata/R": "reghdfe 'Within R-sq.': unit-and-year-demeaned data",
            "size on this panel": _cell(
                "r2_within", a=f"{fe.r2_within:.4f}", b=f"{r2_both:.4f}", c=f"{fe.r2_within_panelols:.4f}"
            ),
        }
    )
    for iv in ["IV1", "IV2", "IV3", "IV4"]:
        try:
            x = models.fit_iv(data, iv).extra
        except AichainInputError as exc:  # a file without this instrument: the row says why
            rows.append(_not_computed("models.fit_iv", f"first_stage_se ({iv})", exc))
            continue
        t = x["first_stage_coef"] / x["first_stage_se"]
        se_f = abs(x["first_stage_coef"]) / np.sqrt(x["first_stage_F"])
        rows.append(
            {
                "function": "models.fit_iv",
                "quantity": f"first_stage_se ({iv})",
                "this book": "HC0: no small-sample factor",
                "Stata/R": "first-stage F of ivreg2 small: n/(n−K−sdofminus)",
                "size on this panel": f"SE {100 * (se_f / x['first_stage_se'] - 1):+.2f}% with the F's factor "
                f"(t² = {t**2:.1f}, F = {x['first_stage_F']:.1f})",
            }
        )
    return rows


#: The computed cells of :func:`deliberate_differences` ("size on this panel"), by language; the numbers are
#: filled as the English shows them.
DIFFERENCE_CELLS = {
    "r2_within": {
        "en": "{a} (reghdfe's, {b} recomputed) vs {c} PanelOLS's",
        "zh": "{a}（reghdfe 的口径，重新计算为 {b}）对 {c}（PanelOLS 的口径）",
    },
    "singletons": {
        "en": "{n} singleton units in the panel; {k} of {g} units in the matched sample",
        "zh": "面板中有 {n} 个单例个体；匹配样本的 {g} 个个体中有 {k} 个",
    },
    "singletons_move": {
        "en": "dropping them moves the coefficient by {d} and the SE by {pct}%",
        "zh": "剔除它们使系数变化 {d}，标准误变化 {pct}%",
    },
    "smd": {
        "en": "largest |difference| {x} (before and after matching)",
        "zh": "最大的 |差异| 为 {x}（匹配前与匹配后）",
    },
    "p_here": {
        "en": "p {a} here vs {b} (factor {f})",
        "zh": "本书 p 值 {a} 对 {b}（校正因子 {f}）",
    },
    "sobel": {
        "en": "{a} here vs {b} ({pct}%)",
        "zh": "本书 {a} 对 {b}（{pct}%）",
    },
}


def _cell(name: str, **values) -> Bilingual:
    """A computed cell of :func:`deliberate_differences` in English and Chinese (:data:`DIFFERENCE_CELLS`)."""
    return table_cell(bilingual_format(DIFFERENCE_CELLS[name], f"deliberate_differences ({name})", **values))


def _difference_rows_psm(data: pd.DataFrame) -> list[dict]:
    m = match_on_propensity(data)
    d = m.data
    t, c = d[d["treated"]], d[~d["treated"]]
    tm, cm = t[t["weight"] > 0], c[c["weight"] > 0]
    gaps = []
    ours = balance_table(m, CONTROLS).set_index("covariate")
    for v in [*CONTROLS, "logit_pscore"]:
        gaps.append(abs(ours.loc[v, "SMD before"] - _smd_ddof1(t[v].to_numpy(), c[v].to_numpy(), np.ones(len(c)))))
        gaps.append(
            abs(ours.loc[v, "SMD after"] - _smd_ddof1(tm[v].to_numpy(), cm[v].to_numpy(), cm["weight"].to_numpy()))
        )
    matched = m.matched
    single = _singletons(matched)
    kept = models.fit_two_way_fe(matched, weights=matched["weight"])
    in_panel = len(_singletons(data.dropna(subset=["ERL", "AIE", *CONTROLS])))
    size = _cell("singletons", n=f"{in_panel:,}", k=f"{len(single):,}", g=f"{matched['unit_id'].nunique():,}")
    if len(single):
        rest = matched.drop(index=single)
        dropped = models.fit_two_way_fe(rest, weights=rest["weight"])
        pct = f"{100 * (dropped.se / kept.se - 1):+.3f}"
        moves = _cell("singletons_move", d=f"{dropped.coef - kept.coef:+.2e}", pct=pct)
        size = table_cell(bilingual_join([size, moves], "; ", "；"))
    return [
        {
            "function": "matching.balance_table",
            "quantity": "SMD",
            "this book": "treated variance ddof=1, control variance ddof=0 (weighted)",
            "Stata/R": "sample variances (ddof=1) in both groups",
            "size on this panel": _cell("smd", x=f"{max(gaps):.1e}"),
        },
        {
            "function": "models.fit_two_way_fe (Table 5 column 7)",
            "quantity": "singleton groups",
            "this book": "kept",
            "Stata/R": "reghdfe drops them by default",
            "size on this panel": size,
        },
    ]


def _difference_rows_groups(data: pd.DataFrame) -> list[dict]:
    rows = []
    for table in (7, 8, 9):
        for group, levels in GROUPINGS[table]:
            try:
                _, chi2, df, p = pooled_interaction_test(data, group, levels)
            except AichainInputError as exc:  # a file without this group label or with too few levels
                quantity = f"p, Table {table} ({group})"
                rows.append(_not_computed("heterogeneity.pooled_interaction_test", quantity, exc))
                continue
            frame = data[data[group].isin(levels)].dropna(subset=["ERL", "AIE", *CONTROLS])
            n, g = len(frame), frame["unit_id"].nunique()
            k = (1 + len(CONTROLS)) * len(levels)
            k += sum(part["unit_id"].nunique() + part["year"].nunique() - 1 for _, part in frame.groupby(group))
            factor = g / (g - 1) * (n - 1) / (n - k)
            p_stata = float(stats.f.sf(chi2 / factor / df, df, g - 1))
            rows.append(
                {
                    "function": "heterogeneity.pooled_interaction_test",
                    "quantity": f"p, Table {table} ({group})",
                    "this book": "cluster-robust without small-sample factor, χ²",
                    "Stata/R": "regress with interactions, vce(cluster): G/(G−1)·(N−1)/(N−K), F(df, G−1)",
                    "size on this panel": _cell("p_here", a=format_p(p), b=format_p(p_stata), f=f"{factor:.4f}"),
                }
            )
    return rows


def _difference_rows_mediation(data: pd.DataFrame) -> list[dict]:
    robust = mediation_analysis(data, "FSIE")
    classical = mediation_analysis(data, "FSIE", cov="unadjusted")
    return [
        {
            "function": "mediation.mediation_analysis",
            "quantity": "Sobel SE (FSIE)",
            "this book": "from the legs' robust (HC1, absorbed df) SEs",
            "Stata/R": "sgmediation: from the legs' classical OLS SEs",
            "size on this panel": _cell(
                "sobel",
                a=f"{robust.sobel_se:.4f}",
                b=f"{classical.sobel_se:.4f}",
                pct=f"{100 * (robust.sobel_se / classical.sobel_se - 1):+.1f}",
            ),
        }
    ]


def _not_computed(function: str, quantity: str, exc: Exception) -> dict:
    """A row of :func:`deliberate_differences` that these data cannot give, with the reason."""
    return {"function": function, "quantity": quantity, "this book": "", "Stata/R": "",
            "size on this panel": f"not computed on these data: {exc}"}  # fmt: skip


def _guarded(part, data: pd.DataFrame, function: str, quantity: str) -> list[dict]:
    try:
        return part(data)
    except AichainInputError as exc:
        return [_not_computed(function, quantity, exc)]


@shared
def deliberate_differences(data: pd.DataFrame) -> pd.DataFrame:
    """Every remaining deliberate difference of the replication layer from Stata/R, with its size on ``data``.

    One row per difference: the function, the quantity, what this book computes, what Stata (or R)
    computes, and the size of the difference on ``data`` (the conventions appendix shows it on
    the panel of the build). The sizes are computed, never typed: the within R-squared both ways,
    the first-stage SE against the SE implied by the first-stage F, the balance table's SMD against
    ``ddof=1`` in both groups, the singleton units of the matched sample and the effect of dropping
    them, the pooled interaction test's p-value with Stata's factor and F, and the Sobel SE from
    robust against classical legs.

    Raises
    ------
    AichainInputError
        As the two-way FE of equation (1). A row whose variables the data lack (an instrument, a
        group label, FSIE) or cannot estimate says so in its size column instead of raising.
    """
    rows = [
        *_difference_rows_fe_iv(data),
        *_guarded(_difference_rows_psm, data, "matching.balance_table", "SMD and singleton groups"),
        *_difference_rows_groups(data),
        *_guarded(_difference_rows_mediation, data, "mediation.mediation_analysis", "Sobel SE (FSIE)"),
    ]
    return pd.DataFrame(rows)
