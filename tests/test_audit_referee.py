"""The referee's families of the audit: each catches a planted error and stays silent on a consistent set.

Bounds and test statistics are checked against an independent computation (statsmodels regressions on
simulated data), never against the audit's own output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from aichain_utils.errors import AichainInputError
from aichain_utils.replication import audit, claims

DESIGN = {"n_industries": "2", "first_year": "2013", "last_year": "2014", "significance_levels": "0.10|0.05|0.01"}
FULL = 400  # 2 industries x 2 years x 100 units


def _cell(table, column, coef, se, n=FULL, *, outcome="ERL", controls="yes", method="", label="x", adj_r2=0.5,
          suest_p=float("nan"), suest_group="", stars="***"):  # fmt: skip
    return {
        "table": table, "column": column, "column_label_zh": label, "column_label_en": label, "method_zh": method,
        "outcome": outcome, "regressor": "AIE", "coef": coef, "se": se, "stars": stars, "controls": controls,
        "fixed_effects": "yes", "n": n, "adj_r2": adj_r2, "kp_lm": float("nan"), "kp_lm_stars": "",
        "kp_wald": float("nan"), "kp_wald_stars": "", "suest_p": suest_p, "suest_group": suest_group, "note": "",
        "coef_dp": 3, "se_dp": 3, "adj_r2_dp": 3,
    }  # fmt: skip


def _table2(n=FULL, sd_erl=0.7):
    return pd.DataFrame([{"symbol": "ERL", "n": n, "mean": 4.0, "sd": sd_erl, "min": 2.0, "max": 7.0}])


def _frame(*rows):
    return pd.DataFrame(list(rows))


# --------------------------------------------------------------------------- 1. nesting
def _nesting_cells(fit_big=0.52, fit_twin=0.52):
    # (1) no controls; (2) another method; (3) and (4) the same model as (1) with controls: (1) nests both
    return _frame(
        _cell(3, 1, 1.0, 0.2, controls="no", method="固定效应回归", adj_r2=0.50),
        _cell(3, 2, 1.0, 0.2, method="LSDV", adj_r2=0.30),
        _cell(3, 3, 1.0, 0.2, method="固定效应回归", adj_r2=fit_big),
        _cell(3, 4, 1.0, 0.2, method="固定效应回归", adj_r2=fit_twin),
        _cell(9, 1, 1.0, 0.2, n=200, controls="no", suest_group="1|2", adj_r2=0.9),  # subsamples: never paired
        _cell(9, 2, 1.0, 0.2, n=200, suest_group="1|2", adj_r2=0.1),
    )


def test_nesting_is_silent_on_a_consistent_table():
    assert audit.check_nesting(_nesting_cells(), DESIGN) == []


def test_nesting_compares_every_pair_not_only_neighbours():
    found = audit.check_nesting(_nesting_cells(fit_big=0.45, fit_twin=0.45), DESIGN)
    pairs = sorted(f.cells for f in found if f.check == "adding controls cannot lower fit by much")
    assert pairs == ["columns (1) -> (3)", "columns (1) -> (4)"]  # (1) and (3) are not neighbours
    assert {f.statistic for f in found} == {"adj_r2"}


def test_identical_specifications_must_print_the_same_fit():
    found = audit.check_nesting(_nesting_cells(fit_big=0.52, fit_twin=0.60), DESIGN)
    assert [(f.check, f.cells) for f in found] == [("identical specifications print different fits", "columns (3, 4)")]
    assert audit.check_nesting(_nesting_cells(fit_big=0.520, fit_twin=0.521), DESIGN) == []  # rounding


def test_adjusted_r2_drop_bound_holds_on_regressions():
    """Adding k regressors lowers adjusted R² by at most (1 - adj_small) k / (n - K_big - 1) (statsmodels)."""
    rng = np.random.default_rng(20260312)
    for _ in range(20):
        n, k_small, k_add = 60, 3, 4
        x = rng.normal(size=(n, k_small + k_add))
        y = x[:, 0] + rng.normal(size=n)
        small = sm.OLS(y, sm.add_constant(x[:, :k_small])).fit()
        big = sm.OLS(y, sm.add_constant(x)).fit()
        bound = audit._max_adj_r2_drop(small.rsquared_adj, n, k_add, k_small + k_add)
        assert small.rsquared_adj - big.rsquared_adj <= bound + 1e-12
        assert big.rsquared >= small.rsquared - 1e-12


# --------------------------------------------------------------------------- 2. recomputed tests
def _groups(rng, n_per, slopes, scales):
    frames = []
    for g, (b, s) in enumerate(zip(slopes, scales, strict=True)):
        x = rng.normal(size=n_per)
        frames.append(pd.DataFrame({"g": g, "x": x, "y": b * x + s * rng.normal(size=n_per) * (1 + np.abs(x))}))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("slopes", [(1.0, 1.3), (1.0, 1.3, 0.6)])
def test_equality_wald_matches_a_fully_interacted_regression(slopes):
    """With disjoint groups, the robust Wald test of equal slopes in a fully interacted regression (statsmodels,
    HC0) equals the statistic from each group's own coefficient and HC0 SE."""
    data = _groups(np.random.default_rng(7), 300, slopes, [1.0] * len(slopes))
    b, se = [], []
    for _, part in data.groupby("g"):
        fit = sm.OLS(part["y"], sm.add_constant(part["x"])).fit(cov_type="HC0")
        b.append(fit.params["x"])
        se.append(fit.bse["x"])
    dummies = pd.get_dummies(data["g"], prefix="g", dtype=float)
    design = pd.concat([dummies, dummies.mul(data["x"], axis=0).add_prefix("x_")], axis=1)
    pooled = sm.OLS(data["y"], design).fit(cov_type="HC0")
    slopes_names = [f"x_g_{g}" for g in range(len(slopes))]
    restriction = np.zeros((len(slopes) - 1, design.shape[1]))
    for i in range(len(slopes) - 1):
        restriction[i, design.columns.get_loc(slopes_names[0])] = 1.0
        restriction[i, design.columns.get_loc(slopes_names[i + 1])] = -1.0
    reference = float(np.squeeze(pooled.wald_test(restriction, scalar=True).statistic))
    assert audit.equality_wald(np.array(b), np.array(se)) == pytest.approx(reference, rel=1e-9)


def _suest_cells(p_pair=0.002, p_joint=0.000):
    return _frame(
        _cell(9, 1, 0.623, 0.143, n=200, suest_p=p_pair, suest_group="1|2"),  # z = 3.03: p = 0.0024
        _cell(9, 2, 0.168, 0.046, n=200, suest_group="1|2"),
        _cell(8, 1, 1.410, 0.127, n=100, suest_p=p_joint, suest_group="1|2|3"),  # joint chi2(2) = 138
        _cell(8, 2, 0.146, 0.027, n=100, suest_p=p_joint, suest_group="1|2|3"),
        _cell(8, 3, 1.018, 0.122, n=200, suest_p=p_joint, suest_group="1|2|3"),
    )


def test_suest_is_silent_when_the_printed_p_follows_from_the_numbers():
    assert audit.check_suest(_suest_cells()) == []


def test_suest_flags_a_p_no_reading_gives():
    found = audit.check_suest(_suest_cells(p_pair=0.000))
    assert [(f.table, f.cells, f.statistic) for f in found] == [("Table 9", "columns (1, 2)", "suest_p")]
    # three groups: a p of 0.300 fits neither the joint test nor any pair
    found = audit.check_suest(_suest_cells(p_joint=0.300))
    assert [(f.table, f.cells) for f in found] == [("Table 8", "columns (1, 2, 3)")]


def test_kp_stars_follow_chi2_with_one_degree_of_freedom():
    row = _cell(4, 1, 0.8, 0.1)
    row.update({"kp_lm": 7.0, "kp_lm_stars": "***", "kp_wald": 3.0, "kp_wald_stars": "*"})  # p 0.008 and 0.083
    assert audit.check_kp_stars(_frame(row), DESIGN) == []
    row.update({"kp_lm": 2.0})  # p = 0.157: no star
    found = audit.check_kp_stars(_frame(row), DESIGN)
    assert [(f.check, f.expected.split(" ")[0]) for f in found] == [("KP rk LM stars follow χ²(1)", "''")]


# --------------------------------------------------------------------------- 3. sample sizes
def test_trimming_bounds_by_reading():
    b = audit.trimming_bounds(1000, "residual>5", outcome_sd=0.695)
    assert b == {"level": int(np.floor(0.695**2 / 25 * 1000)), "standardised": 40, "percent": 100}
    assert audit.trimming_bounds(1000, "trim:0.01") == {"trim": 20}
    assert audit.trimming_bounds(1000, "winsorize:0.01") == {"winsorize": 0}
    with pytest.raises(AichainInputError, match="rule"):
        audit.trimming_bounds(1000, "drop the odd ones")
    with pytest.raises(AichainInputError, match="outcome_sd"):
        audit.trimming_bounds(1000, "residual>5")


def test_chebyshev_share_holds_for_least_squares_residuals():
    """The level reading's bound: the share of |residual| > c is at most Var(outcome) / c² (statsmodels OLS)."""
    rng = np.random.default_rng(11)
    y = rng.standard_t(2, size=5000)
    x = sm.add_constant(rng.normal(size=5000))
    resid = sm.OLS(y, x).fit().resid
    for c in (1.0, 2.0, 5.0):
        assert (np.abs(resid) > c).mean() <= y.var() / c**2


def _rule_cells(n_trim=FULL - 10, n_fd=FULL - FULL // 2, n_split=(150, 100, 150), overall=None):
    rows = [
        _cell(5, 6, 0.9, 0.1, n=n_trim, label="剔除异常值 / （6）"),
        _cell(4, 5, 0.9, 0.1, n=n_fd, label="组内差分法 / （5）"),
        *[_cell(8, k, 0.9, 0.1, n=n, suest_group="1|2|3") for k, n in enumerate(n_split, 1)],
    ]
    if overall is not None:
        rows.append(_cell(7, 1, 0.9, 0.1, n=overall, label="总体样本（行业） / （1）"))
        rows += [_cell(7, k, 0.9, 0.1, n=n, suest_group="2|3") for k, n in ((2, overall // 2), (3, overall // 2))]
    return _frame(*rows)


def test_sample_rules_are_silent_on_consistent_ns():
    assert audit.check_sample_sizes(_rule_cells(), _table2(), DESIGN) == []


def test_sample_rules_catch_planted_errors():
    found = audit.check_sample_sizes(_rule_cells(n_trim=300, n_fd=FULL, n_split=(150, 100, 100)), _table2(), DESIGN)
    checks = {(f.check, f.table, f.cells) for f in found}
    assert checks == {
        ("outlier rule removes too many observations", "Table 5", "column (6)"),
        ("first difference loses a year", "Table 4", "column (5)"),
        ("split does not add up", "Table 8", "columns (1, 2, 3)"),
    }
    assert {f.statistic for f in found} == {"n"}


def test_a_split_adds_up_to_its_overall_column_which_must_be_the_full_sample():
    found = audit.check_sample_sizes(_rule_cells(overall=200), _table2(), DESIGN)
    assert [(f.check, f.cells) for f in found] == [("overall sample is not the full sample", "column (1)")]


# --------------------------------------------------------------------------- 4. standard-error bounds
def test_se_bounds_hold_for_robust_ses_of_a_mean_outcome():
    """HC1 and cluster-robust SEs of the coefficient on the mean of three outcomes lie within the triangle
    bounds of the three SEs (statsmodels), for correlated and anti-correlated outcomes."""
    rng = np.random.default_rng(3)
    n = 400
    x = sm.add_constant(rng.normal(size=n))
    groups = np.repeat(np.arange(40), 10)
    for rho in (-0.9, 0.0, 0.9):
        e = rng.multivariate_normal(np.zeros(3), [[1, rho, 0], [rho, 1, 0], [0, 0, 0.5]], size=n) * (1 + x[:, [1]] ** 2)
        ys = x[:, 1:] * np.array([1.0, 0.3, 0.7]) + e
        for cov in ({"cov_type": "HC1"}, {"cov_type": "cluster", "cov_kwds": {"groups": groups}}):
            ses = [sm.OLS(ys[:, k], x).fit(**cov).bse[1] for k in range(3)]
            se_mean = sm.OLS(ys.mean(axis=1), x).fit(**cov).bse[1]
            lo, hi = audit.se_bounds([1 / 3] * 3, ses)
            assert lo - 1e-12 <= se_mean <= hi + 1e-12


def _segment_cells(se_erl=0.05):
    return _frame(
        _cell(5, 2, 1.2, 0.10, outcome="ELRI_front"),
        _cell(5, 3, 0.6, 0.03, outcome="ELRI_inter"),
        _cell(5, 4, 1.2, 0.02, outcome="ELRI_back"),
        _cell(3, 6, 1.0, se_erl, method="固定效应回归"),
        _cell(3, 8, 1.0, 0.30, method="FGLS"),  # not linear in the outcome: not a candidate
    )


def test_se_bound_is_silent_within_the_bounds():
    assert audit.check_se_bounds(_segment_cells(se_erl=0.05)) == []


def test_se_bound_flags_an_se_above_the_triangle_bound():
    found = audit.check_se_bounds(_segment_cells(se_erl=0.20))  # at most (0.10 + 0.03 + 0.02) / 3 = 0.05
    assert [(f.family, f.statistic) for f in found] == [("se_bound", "se")]
    assert "Table 3 (6)" in found[0].cells and "Table 3 (8)" not in found[0].cells


# --------------------------------------------------------------------------- 5. hypotheses with several legs
LEG_CLAIMS = pd.DataFrame(
    [
        {"id": "H2", "leg": "a", "section": "s", "quote_zh": "假设 H2得以验证", "claim_en": "a.", "kind":
         "positive_significant", "statistic": "coef", "table": 6, "columns": [1]},
        {"id": "H2", "leg": "b", "section": "s", "quote_zh": "假设 H2得以验证", "claim_en": "b.", "kind":
         "positive_significant", "statistic": "mediator_b", "table": 6, "columns": [1]},
        {"id": "one", "leg": "a", "section": "s", "quote_zh": "显著为正", "claim_en": "one.", "kind":
         "positive_significant", "statistic": "coef", "table": 6, "columns": [1]},
    ]
)  # fmt: skip


def test_a_hypothesis_is_not_supported_on_its_first_leg_alone():
    cells = _frame(_cell(6, 1, 1.7, 0.1, outcome="FSIE"))
    judged = claims.evaluate_claims(cells=cells, claims=LEG_CLAIMS).set_index("id")
    assert judged.loc["H2", "published supports"] == "not shown"
    assert judged.loc["one", "published supports"] == "yes"
    found = audit.check_hypothesis_legs(cells, LEG_CLAIMS)
    assert [(f.family, f.check) for f in found] == [("hypotheses", "claim H2: every leg")]
    # a single-leg claim that holds, and a multi-leg claim whose printed leg fails, are not this family's
    cells.loc[0, "coef"] = -1.7
    assert audit.check_hypothesis_legs(cells, LEG_CLAIMS) == []
    judged = claims.evaluate_claims(cells=cells, claims=LEG_CLAIMS).set_index("id")
    assert judged.loc["H2", "published supports"] == "no"


@pytest.mark.parametrize(
    ("b_row", "verdict"), [("0.2100 (0.0300)", "yes"), ("0.0100 (0.0300)", "no"), ("", "not shown")]
)
def test_replicated_legs_are_judged_from_the_mediator_row(b_row, verdict):
    tidy = pd.DataFrame({"column": [1], "coef": [1.5], "p": [0.0001], claims.MEDIATOR_B_ROW: [b_row]})
    judged = claims.evaluate_claims({6: tidy}, cells=_frame(_cell(6, 1, 1.7, 0.1)), claims=LEG_CLAIMS)
    assert judged.set_index("id").loc["H2", "replicated supports"] == verdict


def test_the_papers_mediation_hypotheses_rest_on_an_unprinted_leg():
    judged = claims.evaluate_claims().set_index("id")
    assert judged.loc[["H2", "H3"], "published supports"].tolist() == ["not shown", "not shown"]
    found = audit.run_audit()
    assert set(found.loc[found["family"] == "hypotheses", "check"]) == {"claim H2: every leg", "claim H3: every leg"}


# --------------------------------------------------------------------------- 6. quotations
QUOTES = pd.DataFrame(
    [{"source": "claims.csv", "item": "a", "quote": "依然得到显著正向系数"},
     {"source": "design.csv", "item": "b", "quote": "*，**，*** 分别表示 10%"}]
)  # fmt: skip
TEXT = "此外，组内差分法进一步剔除了个体效应，依然得到显\n\n著正向系数。\n注：*，**，***分别表示 10%、5%"


def test_quotations_found_across_line_breaks_and_spaces():
    assert audit.check_quotations(QUOTES, TEXT) == []


def test_a_misquotation_is_flagged():
    planted = QUOTES.assign(quote=["依然得到显著的正向系数", QUOTES["quote"][1]])
    found = audit.check_quotations(planted, TEXT)
    assert [(f.family, f.cells) for f in found] == [("quotes", "claims.csv a")]


def test_every_quotation_of_the_book_occurs_in_the_paper():
    path = audit.paper_text_path()
    if path is None:
        pytest.skip("the paper's extraction (shared/seeds/002_*.txt) is not next to this checkout")
    quotes = audit.book_quotations()
    assert len(quotes) > 20
    assert audit.check_quotations(quotes) == []
    # the quotation this check corrected: the abstract names capital- *and* technology-intensive industries
    old = pd.DataFrame([{"source": "claims.csv", "item": "T7", "quote": "资本密集型产业的重构效能最强"}])
    assert len(audit.check_quotations(old)) == 1


# --------------------------------------------------------------------------- audit.csv
def test_audit_csv_has_the_issue_columns(tmp_path):
    path = audit.write_audit(directory=tmp_path)
    written = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(written.columns) == ["id", "family", "severity", "table", "columns", "statistic", "finding"]
    assert written["id"].is_unique
    assert (written["statistic"] != "").all()
    assert len(written) == len(audit.run_audit())
