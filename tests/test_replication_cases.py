"""Named degenerate inputs for the replication layer's contract (issue 23).

Each case is ``(name, function, call)``: ``call(panel)`` feeds one public function of
:mod:`aichain_utils.replication.models`, :mod:`aichain_utils.replication.columns`,
:mod:`aichain_utils.replication.matching`, :mod:`aichain_utils.replication.mediation` or
:mod:`aichain_utils.replication.heterogeneity` a degenerate panel or argument.
``panel`` is a small complete analysis panel (every column of the book's panel). Every case
must raise :class:`aichain_utils.errors.AichainInputError`; the test module checks that, and
``python tests/test_replication_cases.py`` prints what each case does (the probe table).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aichain_utils.replication import columns as replication
from aichain_utils.replication import heterogeneity, matching, mediation, models


def _drop(d: pd.DataFrame, *cols: str) -> pd.DataFrame:
    return d.drop(columns=list(cols))


def _set(d: pd.DataFrame, **values) -> pd.DataFrame:
    return d.assign(**values)


def _const_within_unit(d: pd.DataFrame, col: str) -> pd.DataFrame:
    return d.assign(**{col: d.groupby("unit_id")[col].transform("mean")})


def _nan_rows(d: pd.DataFrame, col: str, n: int = 3) -> pd.DataFrame:
    out = d.copy()
    out.loc[out.index[:n], col] = np.nan
    return out


def _inf_rows(d: pd.DataFrame, col: str) -> pd.DataFrame:
    out = d.copy()
    out.loc[out.index[:2], col] = np.inf
    return out


def _one_level(d: pd.DataFrame, col: str) -> pd.DataFrame:
    return d.assign(**{col: d[col].iloc[0]})


def _dup(d: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([d, d.iloc[:2]])


def _tiny_group(d: pd.DataFrame) -> pd.DataFrame:
    """Labour-intensive industries reduced to one unit (too few rows for unit and year effects)."""
    lab = d[d["industry_type"] == "labour"]
    keep = lab["unit_id"].iloc[0]
    return d[(d["industry_type"] != "labour") | (d["unit_id"] == keep)]


def _match(d):
    return matching.match_on_propensity(d)


CASES: list[tuple[str, str, object]] = [
    # models
    ("fit_two_way_fe", "outcome column missing", lambda d: models.fit_two_way_fe(_drop(d, "ERL"))),
    ("fit_two_way_fe", "control missing", lambda d: models.fit_two_way_fe(_drop(d, "tra"))),
    ("fit_two_way_fe", "constant AIE", lambda d: models.fit_two_way_fe(_set(d, AIE=1.0))),
    ("fit_two_way_fe", "AIE constant within units", lambda d: models.fit_two_way_fe(_const_within_unit(d, "AIE"))),
    ("fit_two_way_fe", "NaN unit ids", lambda d: models.fit_two_way_fe(_nan_rows(d, "unit_id"))),
    ("fit_two_way_fe", "all ERL missing", lambda d: models.fit_two_way_fe(_set(d, ERL=np.nan))),
    ("fit_two_way_fe", "infinite ERL", lambda d: models.fit_two_way_fe(_inf_rows(d, "ERL"))),
    ("fit_two_way_fe", "unknown cov", lambda d: models.fit_two_way_fe(d, cov="HC3")),
    ("fit_two_way_fe", "unknown also_cov", lambda d: models.fit_two_way_fe(d, also_cov=("cluster_year",))),
    ("fit_two_way_fe", "negative weights", lambda d: models.fit_two_way_fe(d, weights=pd.Series(-1.0, d.index))),
    ("fit_two_way_fe", "weights on other rows", lambda d: models.fit_two_way_fe(d, weights=pd.Series(1.0, [-1]))),
    ("fit_two_way_fe", "duplicated unit-years", lambda d: models.fit_two_way_fe(_dup(d))),
    ("fit_two_way_fe", "x among the controls", lambda d: models.fit_two_way_fe(d, controls=["AIE", "lngdp"])),
    ("fit_two_way_fe", "unknown engine", lambda d: models.fit_two_way_fe(d, engine="gpu")),
    ("fit_two_way_fe", "one unit", lambda d: models.fit_two_way_fe(d[d["unit_id"] == d["unit_id"].iloc[0]])),
    ("fit_two_way_fe", "empty panel", lambda d: models.fit_two_way_fe(d.iloc[:0])),
    ("fit_pooled_ols", "constant AIE", lambda d: models.fit_pooled_ols(_set(d, AIE=2.0))),
    ("fit_pooled_ols", "dummy column missing", lambda d: models.fit_pooled_ols(d, dummies=["sector"])),
    ("fit_lsdv", "NaN industry ids", lambda d: models.fit_lsdv(_nan_rows(d, "industry_id"))),
    ("fit_fgls", "group column missing", lambda d: models.fit_fgls(d, group="sector")),
    (
        "fit_first_difference",
        "AIE constant within units",
        lambda d: models.fit_first_difference(_const_within_unit(d, "AIE")),
    ),
    ("fit_first_difference", "one year", lambda d: models.fit_first_difference(d[d["year"] == d["year"].min()])),
    ("fit_first_difference", "non-integer years", lambda d: models.fit_first_difference(_set(d, year=d["year"] + 0.5))),
    ("fit_iv", "unknown instrument name", lambda d: models.fit_iv(d, "IV9")),
    ("fit_iv", "constant instrument", lambda d: models.fit_iv(_set(d, IV2=3.0), "IV2")),
    ("fit_iv", "instrument constant within units", lambda d: models.fit_iv(_const_within_unit(d, "IV2"), "IV2")),
    ("fit_iv", "no instrument", lambda d: models.fit_iv(d, [])),
    ("fit_iv", "instrument = regressor", lambda d: models.fit_iv(d, "AIE")),
    ("fit_iv", "instrument among controls", lambda d: models.fit_iv(d, "lngdp")),
    ("fit_iv", "instrument all missing", lambda d: models.fit_iv(_set(d, IV1=np.nan), "IV1")),
    ("fit_iv", "unknown cov", lambda d: models.fit_iv(d, "IV2", cov="hac")),
    ("wild_cluster_bootstrap", "reps 0", lambda d: models.wild_cluster_bootstrap(d, reps=0)),
    ("wild_cluster_bootstrap", "reps negative", lambda d: models.wild_cluster_bootstrap(d, reps=-5)),
    (
        "wild_cluster_bootstrap",
        "one industry",
        lambda d: models.wild_cluster_bootstrap(_one_level(d, "industry_id"), reps=9),
    ),
    ("wild_cluster_bootstrap", "unknown weights", lambda d: models.wild_cluster_bootstrap(d, reps=9, weights="normal")),
    (
        "wild_cluster_bootstrap",
        "cluster column missing",
        lambda d: models.wild_cluster_bootstrap(d, cluster="sector", reps=9),
    ),
    # replication
    ("format_p", "NaN", lambda d: replication.format_p(float("nan"))),
    ("format_p", "above 1", lambda d: replication.format_p(1.5)),
    ("format_p", "negative", lambda d: replication.format_p(-0.1)),
    ("trim_residual_outliers", "share 0", lambda d: replication.trim_residual_outliers(d, share=0.0)),
    ("trim_residual_outliers", "share 1", lambda d: replication.trim_residual_outliers(d, share=1.0)),
    ("trim_residual_outliers", "share NaN", lambda d: replication.trim_residual_outliers(d, share=float("nan"))),
    ("trim_residual_outliers", "constant AIE", lambda d: replication.trim_residual_outliers(_set(d, AIE=1.0))),
    ("trim_residual_outliers", "ERL missing", lambda d: replication.trim_residual_outliers(_drop(d, "ERL"))),
    ("table3_columns", "bootstrap reps negative", lambda d: replication.table3_columns(d, bootstrap_reps=-1)),
    ("table3_columns", "industry_id missing", lambda d: replication.table3_columns(_drop(d, "industry_id"), 0)),
    ("table3_columns", "constant AIE", lambda d: replication.table3_columns(_set(d, AIE=0.5), 0)),
    ("table4_columns", "IV1-IV4 missing", lambda d: replication.table4_columns(_drop(d, "IV1", "IV2", "IV3", "IV4"))),
    ("table4_columns", "IV3 missing", lambda d: replication.table4_columns(_drop(d, "IV3"))),
    ("table4_columns", "constant IV4", lambda d: replication.table4_columns(_set(d, IV4=1.0))),
    ("table5_columns", "AIE_alt missing", lambda d: replication.table5_columns(_drop(d, "AIE_alt"))),
    ("table5_columns", "ELRI_back missing", lambda d: replication.table5_columns(_drop(d, "ELRI_back"))),
    ("table5_columns", "no year after 2022", lambda d: replication.table5_columns(d[d["year"] > 2022])),
    ("table6_columns", "FSIE missing", lambda d: replication.table6_columns(_drop(d, "FSIE"), bootstrap_reps=0)),
    ("table6_columns", "constant FSIE", lambda d: replication.table6_columns(_set(d, FSIE=1.0), bootstrap_reps=0)),
    ("table6_columns", "bootstrap reps negative", lambda d: replication.table6_columns(d, bootstrap_reps=-3)),
    ("table7_columns", "industry_type missing", lambda d: replication.table7_columns(_drop(d, "industry_type"))),
    ("table7_columns", "no labour industries", lambda d: replication.table7_columns(d[d["industry_type"] != "labour"])),
    ("table7_columns", "labour group one unit", lambda d: replication.table7_columns(_tiny_group(d))),
    (
        "table8_columns",
        "chain_position one level",
        lambda d: replication.table8_columns(_one_level(d, "chain_position")),
    ),
    ("table9_columns", "region missing", lambda d: replication.table9_columns(_drop(d, "region"))),
    ("table10_columns", "LCV and WCV missing", lambda d: replication.table10_columns(_drop(d, "LCV", "WCV"))),
    ("table10_columns", "LCV all missing", lambda d: replication.table10_columns(_set(d, LCV=np.nan))),
    ("table10_columns", "one year", lambda d: replication.table10_columns(d[d["year"] == 2015])),
    (
        "true_group_effects",
        "truth without total_effect",
        lambda d: replication.true_group_effects({}, d, d[["unit_id", "year"]]),
    ),
    # matching
    ("match_on_propensity", "caliper 0", lambda d: matching.match_on_propensity(d, caliper_sd=0.0)),
    ("match_on_propensity", "caliper negative", lambda d: matching.match_on_propensity(d, caliper_sd=-1.0)),
    ("match_on_propensity", "constant AIE", lambda d: matching.match_on_propensity(_set(d, AIE=1.0))),
    ("match_on_propensity", "all treated (0/1)", lambda d: matching.match_on_propensity(_set(d, AIE=1))),
    ("match_on_propensity", "covariate missing", lambda d: matching.match_on_propensity(_drop(d, "inst"))),
    ("match_on_propensity", "year missing", lambda d: matching.match_on_propensity(_drop(d, "year"))),
    ("match_on_propensity", "constant covariate", lambda d: matching.match_on_propensity(_set(d, inst=5.0))),
    (
        "match_on_propensity",
        "separation",
        lambda d: matching.match_on_propensity(
            _set(d, lngdp=(d["AIE"] > d.groupby("year")["AIE"].transform("median")).astype(float))
        ),
    ),
    (
        "match_on_propensity",
        "one treated row",
        lambda d: matching.match_on_propensity(_set(d, T=(np.arange(len(d)) == 0).astype(int)), treat_var="T"),
    ),
    ("balance_table", "covariate not in result", lambda d: matching.balance_table(_match(d), ["sector"])),
    ("balance_table", "not a MatchResult", lambda d: matching.balance_table(d)),
    # mediation
    ("sobel_se", "negative SE", lambda d: mediation.sobel_se(0.1, -0.2, 0.3, 0.1)),
    ("sobel_se", "NaN", lambda d: mediation.sobel_se(float("nan"), 0.1, 0.3, 0.1)),
    ("mediation_analysis", "mediator missing", lambda d: mediation.mediation_analysis(d, "MED")),
    ("mediation_analysis", "constant mediator", lambda d: mediation.mediation_analysis(_set(d, FSIE=2.0), "FSIE")),
    ("mediation_analysis", "mediator = x", lambda d: mediation.mediation_analysis(d, "AIE")),
    (
        "mediation_analysis",
        "bootstrap reps negative",
        lambda d: mediation.mediation_analysis(d, "FSIE", bootstrap_reps=-1),
    ),
    (
        "mediation_analysis",
        "mediator constant within units",
        lambda d: mediation.mediation_analysis(_const_within_unit(d, "FSIE"), "FSIE"),
    ),
    ("bootstrap_indirect", "reps 0", lambda d: mediation.bootstrap_indirect(d, "FSIE", reps=0)),
    (
        "bootstrap_indirect",
        "constant mediator",
        lambda d: mediation.bootstrap_indirect(_set(d, FSIE=1.0), "FSIE", reps=5),
    ),
    (
        "bootstrap_indirect",
        "NaN unit ids",
        lambda d: mediation.bootstrap_indirect(_nan_rows(d, "unit_id"), "FSIE", reps=5),
    ),
    ("bootstrap_indirect", "mediator missing", lambda d: mediation.bootstrap_indirect(d, "MED", reps=5)),
    (
        "bootstrap_indirect",
        "one unit",
        lambda d: mediation.bootstrap_indirect(d[d["unit_id"] == d["unit_id"].iloc[0]], "FSIE", reps=5),
    ),
    # heterogeneity
    ("wald_equal", "one coefficient", lambda d: heterogeneity.wald_equal(np.array([0.3]), np.array([[0.01]]))),
    ("wald_equal", "singular covariance", lambda d: heterogeneity.wald_equal(np.array([0.3, 0.1]), np.zeros((2, 2)))),
    ("wald_equal", "shape mismatch", lambda d: heterogeneity.wald_equal(np.array([0.3, 0.1]), np.eye(3))),
    ("wald_equal", "NaN coefficient", lambda d: heterogeneity.wald_equal(np.array([np.nan, 0.1]), np.eye(2))),
    ("suest_test", "group column missing", lambda d: heterogeneity.suest_test(d, "sector")),
    ("suest_test", "one level", lambda d: heterogeneity.suest_test(_one_level(d, "region"), "region")),
    ("suest_test", "level not in data", lambda d: heterogeneity.suest_test(d, "region", ["developed", "Mars"])),
    (
        "suest_test",
        "group one unit",
        lambda d: heterogeneity.suest_test(_tiny_group(d), "industry_type", ["labour", "capital"]),
    ),
    ("suest_test", "cluster missing", lambda d: heterogeneity.suest_test(d, "region", cluster="sector")),
    (
        "suest_test",
        "AIE constant in a group",
        lambda d: heterogeneity.suest_test(_set(d, AIE=np.where(d["region"] == "other", 1.0, d["AIE"])), "region"),
    ),
    ("suest_test", "NaN cluster ids", lambda d: heterogeneity.suest_test(_nan_rows(d, "unit_id"), "region")),
    (
        "pooled_interaction_test",
        "one level",
        lambda d: heterogeneity.pooled_interaction_test(_one_level(d, "region"), "region"),
    ),
    (
        "pooled_interaction_test",
        "level not in data",
        lambda d: heterogeneity.pooled_interaction_test(d, "region", ["developed", "Mars"]),
    ),
    (
        "pooled_interaction_test",
        "AIE constant in a group",
        lambda d: heterogeneity.pooled_interaction_test(
            _set(d, AIE=np.where(d["region"] == "other", 1.0, d["AIE"])), "region"
        ),
    ),
    ("pooled_interaction_test", "group column missing", lambda d: heterogeneity.pooled_interaction_test(d, "sector")),
]


def small_panel() -> pd.DataFrame:
    """Ten units per industry of the default simulated analysis panel (3,850 rows, every column)."""
    from aichain_utils.inputs import panel
    from aichain_utils.simulation import simulate

    d = panel.build_analysis_panel(simulate.simulate_panel().raw).data
    keep = d.groupby("industry_id")["unit_id"].transform(lambda u: u.isin(np.unique(u)[:10]))
    return d[keep].reset_index(drop=True)


def describe(call, d: pd.DataFrame) -> str:
    """What a call does: ``AichainInputError: ...``, ``<OtherType>: ...`` or ``returned <summary>``."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = call(d)
        except Exception as exc:
            return f"{type(exc).__name__}: {str(exc)[:160]}"
    return f"returned {str(out)[:120]!r}"


if __name__ == "__main__":
    d = small_panel()
    for function, name, call in CASES:
        print(f"{function} | {name} | {describe(call, d)}".replace("\n", " "))
