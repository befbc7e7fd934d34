"""The consistency audit: each check family catches a planted error and stays silent on a clean table."""

from __future__ import annotations

import pandas as pd
import pytest

from aichain_utils.replication import audit

DESIGN = {
    "n_industries": "2",
    "first_year": "2013",
    "last_year": "2014",
    "significance_levels": "0.10|0.05|0.01",
}


def _cell(
    table,
    column,
    coef,
    se,
    stars,
    n,
    outcome="ERL",
    controls="yes",
    method="",
    label="x",
    note="",
    adj_r2=0.5,
    suest_group="",
    kp_lm=float("nan"),
    kp_wald=float("nan"),
    kp_stars="",
):
    dp = 3
    return {
        "table": table,
        "column": column,
        "column_label_zh": label,
        "column_label_en": label,
        "method_zh": method,
        "outcome": outcome,
        "regressor": "AIE",
        "coef": coef,
        "se": se,
        "stars": stars,
        "controls": controls,
        "fixed_effects": "yes",
        "n": n,
        "adj_r2": adj_r2,
        "kp_lm": kp_lm,
        "kp_lm_stars": kp_stars,
        "kp_wald": kp_wald,
        "kp_wald_stars": kp_stars,
        "suest_p": float("nan"),
        "suest_group": suest_group,
        "note": note,
        "coef_dp": dp,
        "se_dp": dp,
        "adj_r2_dp": dp,
    }


def _table2(n=400, sd_erl=1.0, mean_erl=5.0, n_itse=400):
    return pd.DataFrame(
        [
            {"symbol": "ERL", "n": n, "mean": mean_erl, "sd": sd_erl, "min": 2.0, "max": 8.0},
            {"symbol": "ITSE", "n": n_itse, "mean": 50.0, "sd": 10.0, "min": 20.0, "max": 90.0},
        ]
    )


def _clean_cells():
    # 2 industries x 2 years x 100 units = 400; a clean, consistent set of columns
    return pd.DataFrame(
        [
            _cell(3, 1, 1.0, 0.2, "***", 400, controls="no", method="固定效应回归", adj_r2=0.50),
            _cell(3, 2, 1.0, 0.2, "***", 400, method="固定效应回归", adj_r2=0.52),
            _cell(3, 3, 1.0, 0.2, "***", 400, method="LSDV"),
            _cell(5, 1, 1.2, 0.2, "***", 400, outcome="ELRI_front"),
            _cell(5, 2, 0.6, 0.2, "***", 400, outcome="ELRI_inter"),
            _cell(5, 3, 1.2, 0.2, "***", 400, outcome="ELRI_back"),
            _cell(9, 1, 0.5, 0.25, "**", 200, suest_group="1|2"),
            _cell(9, 2, 0.3, 0.25, "", 200, suest_group="1|2"),
            _cell(6, 1, 0.9, 0.1, "***", 400, outcome="ITSE_forward"),
            _cell(4, 1, 0.8, 0.1, "***", 200, label="IV1", kp_lm=40.0, kp_wald=44.0, kp_stars="***"),
        ]
    )


CLEAN_SOURCES = pd.DataFrame(
    [
        {"language": "zh", "where": "text", "sources": "Wind|CSMAR", "quote": "..."},
        {"language": "en", "where": "abstract", "sources": "Wind", "quote": "..."},
    ]
)
CLEAN_CLAIMS = pd.DataFrame(
    [
        {"id": "up", "section": "s", "quote_zh": "显著为正", "claim_en": "positive", "kind": "positive_significant",
         "table": 3, "columns": [1, 2]},
        {"id": "order", "section": "s", "quote_zh": "递减", "claim_en": "front > back", "kind": "decreasing",
         "table": 5, "columns": [1, 2]},
    ]
)  # fmt: skip


def test_clean_tables_give_no_findings():
    found = audit.run_audit(_clean_cells(), _table2(), DESIGN, claims=CLEAN_CLAIMS, sources=CLEAN_SOURCES)
    # the "reading" family records the book's readings (here: 100 units per industry-year), not errors
    assert found[found["family"] != "reading"].empty


def test_prose_checks_catch_planted_errors():
    cells = _clean_cells()
    cells.loc[cells["table"] == 3, "method_zh"] = "混合回归"  # called pooled, printed with fixed effects
    cells.loc[(cells["table"] == 5) & (cells["column"] == 2), "coef"] = 1.5  # front < middle: claim fails
    found = audit.run_audit(cells, _table2(), DESIGN, claims=CLEAN_CLAIMS, sources=CLEAN_SOURCES)
    prose = found[found["family"] == "prose_vs_table"]
    assert set(prose["check"]) == {"pooled regression printed with fixed effects", "claim order"}
    assert prose.set_index("check").loc["claim order", "cells"] == "columns (1, 2)"


def test_source_check_catches_disjoint_sources():
    sources = CLEAN_SOURCES.assign(sources=["Wind|CSMAR", "Guotai-An"])
    found = audit.check_sources(sources)
    assert [f.check for f in found] == ["data sources differ"]
    assert audit.check_sources(CLEAN_SOURCES) == []


def test_derived_variable_n_is_a_note_not_an_error():
    cells = _clean_cells()
    found = audit.check_sample_sizes(cells, _table2(n_itse=300), DESIGN)
    derived = [f for f in found if f.table == "Table 6"]
    assert [(f.check, f.severity) for f in derived] == [("N above a related variable's N", "info")]


def test_sample_size_checks_catch_planted_errors():
    cells = _clean_cells()
    cells.loc[cells["table"] == 9, "n"] = 400  # both groups of a split use the full sample
    cells.loc[(cells["table"] == 4), "n"] = 400  # a lag that loses no year
    cells.loc[(cells["table"] == 6), "n"] = 401  # more observations than the panel
    found = audit.check_sample_sizes(cells, _table2(), DESIGN)
    checks = {f.check for f in found}
    assert "split groups each use the full sample" in checks
    assert "lagged instrument loses a year" in checks
    assert "N above the full sample" in checks
    itse = pd.concat([cells, pd.DataFrame([_cell(6, 2, 0.9, 0.1, "***", 400, outcome="ITSE")])], ignore_index=True)
    assert "N above the variable's own N" in {
        f.check for f in audit.check_sample_sizes(itse, _table2(n_itse=300), DESIGN)
    }


def test_star_check_catches_wrong_stars_and_respects_rounding():
    cells = _clean_cells()
    cells.loc[0, "stars"] = "*"  # z = 5 is *** not *
    found = audit.check_stars(cells, DESIGN)
    assert [(f.table, f.cells) for f in found] == [("Table 3", "column (1)")]
    # z = 1.96 exactly: rounding makes both ** and * possible, so no finding
    border = pd.DataFrame([_cell(3, 1, 0.392, 0.200, "**", 400)])
    assert audit.check_stars(border, DESIGN) == []
    border.loc[0, "stars"] = "*"
    assert audit.check_stars(border, DESIGN) == []


def test_descriptive_checks_catch_planted_errors():
    t2 = _table2()
    assert audit.check_descriptives(t2) == []
    bad = _table2(sd_erl=3.5)  # Bhatia-Davis bound: sqrt((5-2)(8-5)) = 3
    assert [f.check for f in audit.check_descriptives(bad)] == ["SD within the Bhatia-Davis bound"]
    out_of_range = _table2(mean_erl=9.0)
    assert audit.check_descriptives(out_of_range)[0].severity == "error"
    mixed_n = _table2(n_itse=350)
    assert [f.check for f in audit.check_descriptives(mixed_n)] == ["N differs across variables"]


def test_identity_checks_catch_planted_errors():
    cells = _clean_cells()
    cells.loc[cells["outcome"] == "ELRI_inter", "coef"] = 0.3  # segments now average 0.9, not 1.0
    cells.loc[(cells["table"] == 3) & (cells["column"] == 3), "coef"] = 1.1  # LSDV != FE
    checks = {f.check for f in audit.check_identities(cells)}
    assert checks == {
        "ERL coefficient = mean of segment coefficients (eq. 9)",
        "LSDV equals the within (FE) estimator",
    }
    # the fit ordering of nested columns is its own family (tests/test_audit_referee.py)
    cells.loc[(cells["table"] == 3) & (cells["column"] == 2), "adj_r2"] = 0.40  # fit falls when controls added
    assert [f.check for f in audit.check_nesting(cells, DESIGN)] == ["adding controls cannot lower fit by much"]


def test_plausibility_checks_catch_planted_errors():
    cells = _clean_cells()
    cells.loc[cells["table"] == 6, "se"] = 0.0
    cells.loc[cells["table"] == 4, "kp_wald"] = 5000.0
    cells.loc[(cells["table"] == 3) & (cells["column"] == 2), "se"] = 0.01  # 20x more precise, same N
    checks = {f.check for f in audit.check_plausibility(cells)}
    assert checks == {
        "zero standard error",
        "KP rk LM and Wald F tell different stories",
        "standard errors on the same N differ by more than 10x",
    }


def test_audit_on_the_published_tables_is_sorted_and_computed():
    found = audit.run_audit()
    order = found["severity"].map(audit.SEVERITY_ORDER)
    assert order.is_monotonic_increasing
    assert set(found["family"]) <= set(audit.FAMILIES)
    # the paper's Table 8 prose ("falls from front to back") against its own table, and the data sources
    assert "claim T8-front-to-back" in set(found["check"])
    assert "data sources differ" in set(found["check"])
    # forward/backward ITSE are not ITSE: no longer an error (the book estimates them on every row)
    assert not ((found["table"] == "Table 6") & (found["severity"] == "error")).any()
    zero_se = found[found["check"] == "zero standard error"]
    assert zero_se[["table", "cells"]].to_numpy().tolist() == [["Table 5", "column (7)"]]


def test_aie_floor_from_table1_and_a_planted_contradiction():
    """The floor is the national indicators' published weights over the years (computed here from the
    CSV, independently of the audit), and a published mean below it is a warning."""
    t1 = pd.read_csv(audit.data_dir() / "published" / "table1_aie_indicators.csv")
    national = [4, 14, 16, 21, 22, 23, 24]
    expected = t1.loc[t1["position"].isin(national), "weight"].sum() / 11
    f = audit.aie_mean_floor(national=national)
    assert f["floor"] == pytest.approx(expected)
    assert f["room"] == pytest.approx(0.030 - expected)
    clean = audit.check_aie_floor()
    assert [(x.check, x.severity) for x in clean] == [(audit.AIE_FLOOR_CHECK, "info")]
    low = pd.DataFrame([{"symbol": "AIE", "n": 1, "mean": 0.02, "sd": 0.01, "min": 0.0, "max": 1.0}])
    assert [x.severity for x in audit.check_aie_floor(low)] == ["warning"]
    assert audit.check_aie_floor(_table2()) == []  # no AIE row: nothing to check


def test_aie_floor_holds_on_the_simulated_panel():
    """The floor's argument on data: with the simulated panel's own entropy weights, AIE's mean is at
    least the national indicators' weights over the years (they are constant within a year)."""
    from aichain_utils.measurement import indices
    from aichain_utils.simulation import simulate

    p = simulate.load_params()
    raw = simulate.simulate_panel(p).raw
    aie, w = indices.entropy_index(raw[simulate.AIE_INDICATOR_COLUMNS], ["+"] * 24)
    nat = [c for k, c in enumerate(simulate.AIE_INDICATOR_COLUMNS, 1) if k in p["aie_indicators"]["national"]]
    assert (raw.groupby("year")[nat].agg(lambda s: s.max() - s.min()) == 0).all().all()
    assert aie.mean() >= w[nat].sum() / raw["year"].nunique()


@pytest.mark.parametrize("severity", ["error", "warning", "info"])
def test_every_finding_has_an_explanation(severity):
    found = audit.run_audit()
    rows = found[found["severity"] == severity]
    assert (rows["explanation"].str.len() > 40).all()
