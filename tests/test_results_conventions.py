"""The conventions appendix's results object: its numbers are the estimators' numbers, and each phrase it
computes is tested both ways."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aichain_utils import econometrics as ec
from aichain_utils.inputs.panel import load_analysis_panel
from aichain_utils.replication import results
from aichain_utils.replication.models import CONTROLS
from aichain_utils.replication.results import conventions as rc

FE = ["unit_id", "year"]


@pytest.fixture(scope="module")
def ap():
    return load_analysis_panel()


@pytest.fixture(scope="module")
def conv(ap):
    return results.inference_conventions(ap)


def test_p_text_both_ways():
    assert rc.p_text(0.0004) == "< 0.001"
    assert rc.p_text(0.0005) == "0.001" and rc.p_text(0.0412) == "0.041"


def test_negative_treatment_size_both_ways():
    assert rc.negative_treatment_size(0) == "none: this build's AIE has no negative value"
    assert rc.negative_treatment_size(3) == "3 negative values of AIE: twfe_weights refuses this build's data"


def test_conventions_table_fills_the_tf_row():
    table = rc.conventions_table()
    assert len(table) == len(rc.CONVENTIONS)
    tf = table.set_index("statistic").loc["tF interval (one instrument)", "formula"]
    assert tf.endswith(f"1.96 from F = {rc.tf_f_196():.1f}") and "{" not in tf
    assert 100 < rc.tf_f_196() < 110  # Lee et al. (2022): c(F) reaches 1.96 at F = 104.7


def test_numbers_are_the_estimators(ap, conv):
    n, d = conv.numbers(), ap.data
    stata = ec.fit_ols(d, "ERL", "AIE", CONTROLS, absorb=FE, cluster="industry_id")
    lm = ec.fit_ols(d, "ERL", "AIE", CONTROLS, absorb=FE, cluster="industry_id", convention="linearmodels")
    assert n.lm_over_stata_industry == pytest.approx(100 * (lm.se["AIE"] / stata.se["AIE"] - 1))
    eq1 = ec.fit_ols(d, "ERL", "AIE", CONTROLS, absorb=FE)
    assert n.r2_within.reghdfe == pytest.approx(eq1.r2_within)
    assert n.r2_within.panelols == pytest.approx(eq1.r2_within_panelols("unit_id"))
    assert n.n_industries == d["industry_id"].nunique()
    row = conv.demo.set_index("covariance").loc["clustered by industry"]
    assert row["SE, stata"] == f"{stata.se['AIE']:.4f}" and row["SE, linearmodels"] == f"{lm.se['AIE']:.4f}"
    assert n.first_stage.instrument == "2SLS with the instrument IV2"
    assert n.first_stage.instrument.zh == "以 IV2 为工具变量的两阶段最小二乘"
    fit = ec.fit_iv(d, "ERL", "AIE", "IV2", CONTROLS, vcov="robust", absorb=FE, small=True)
    k = 1 + len(CONTROLS) + fit.k - len(fit.names)
    assert n.first_stage.se_pct_robust == pytest.approx(100 * (np.sqrt(fit.n / (fit.n - k)) - 1))
    assert n.first_stage.se_pct_robust > 0 and n.first_stage.se_pct_cluster > 0


def test_first_stage_without_instruments_falls_back_to_equation_1(ap, conv):
    no_iv = ap.data.assign(IV1=np.nan, IV2=np.nan, IV3=1.0, IV4=np.nan)  # IV3 constant: not an instrument
    fs = rc.first_stage_factors(no_iv, conv.eq1, conv.eq1_industry)
    assert fs["instrument"] == "a first stage on equation (1)'s sample (these data have no instrument)"
    assert fs["instrument"].zh == "式（1）样本上的第一阶段回归（这些数据没有工具变量）"
    n, k = conv.eq1.n, 1 + len(CONTROLS)
    sdof = conv.eq1.k - len(conv.eq1.names)
    assert fs["se_pct_robust"] == pytest.approx(100 * (np.sqrt(n / (n - k - sdof)) - 1))


def test_singleton_example_both_ways(ap):
    s = rc.singleton_example(ap.data)
    assert s["panel"] == 0  # the balanced panel has no singleton
    assert s["units"] == max(2, ap.data["unit_id"].nunique() // 10)
    assert s["n_dropped"] == s["units"]  # each trimmed unit's one year is a singleton
    assert s["coef_diff"] < 1e-8
    one = ap.data[ap.data["unit_id"] != ap.data["unit_id"].iloc[0]]
    lone = pd.concat([one, ap.data[ap.data["unit_id"] == ap.data["unit_id"].iloc[0]].iloc[:1]])
    assert rc.singleton_example(lone)["panel"] == 1


def test_robustness_differences_size_column(ap, conv):
    table = conv.robustness_differences().set_index("what")
    assert table.loc["Negative treatment in twfe_weights", "size"] == rc.negative_treatment_size(0)
    mc_se = np.sqrt(0.05 * 0.95 / 999)
    assert (
        table.loc["Romano–Wolf draws", "size"]
        == f"Monte Carlo only: SE {mc_se:.4f} of a p-value near 0.05 with 999 draws"
    )
