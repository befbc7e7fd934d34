"""The replication layer's documented conventions, each checked against an independent computation.

These are the quantities whose convention differs from Stata's (or R's) and that the conventions
appendix lists with their size (``replication.deliberate_differences``): the within R-squared of
``models.fit_two_way_fe``, the first-stage SE of ``models.fit_iv``, the balance table's SMD.
"""

from __future__ import annotations

import numpy as np
import pyfixest as pf
import pytest
from linearmodels.panel import PanelOLS
from test_replication_cases import small_panel

from aichain_utils.replication import columns as replication
from aichain_utils.replication import matching, models
from aichain_utils.replication.models import CONTROLS


@pytest.fixture(scope="module")
def panel10():
    return small_panel()


@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")  # raised inside pyfixest
def test_r2_within_is_reghdfe_and_r2_within_panelols_is_panelols(panel10):
    """``r2_within`` is reghdfe/fixest's (both effects); ``r2_within_panelols`` linearmodels' rsquared_within."""
    est = models.fit_two_way_fe(panel10)
    lm = PanelOLS(
        panel10.set_index(["unit_id", "year"])["ERL"],
        panel10.set_index(["unit_id", "year"])[["AIE", *CONTROLS]],
        entity_effects=True,
        time_effects=True,
    ).fit()
    assert est.r2_within_panelols == pytest.approx(lm.rsquared_within, rel=1e-8)
    fx = pf.feols("ERL ~ AIE + lngdp + imp + exp + inst + tra | unit_id + year", data=panel10)
    assert fx.coef()["AIE"] == pytest.approx(est.coef, rel=1e-8)
    assert est.r2_within == pytest.approx(fx._r2_within, rel=1e-8)
    assert abs(est.r2_within - est.r2_within_panelols) > 0.01  # the two definitions differ by more than rounding


@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")  # raised inside pyfixest
def test_first_stage_se_has_no_small_sample_factor_but_the_f_has(panel10):
    """``first_stage_se`` is HC0 (pyfixest without small-sample factors); the F carries n/(n-K-sdofminus)."""
    x = models.fit_iv(panel10, "IV2").extra
    fs = pf.feols(
        "AIE ~ IV2 + lngdp + imp + exp + inst + tra | unit_id + year",
        data=panel10,
        vcov="hetero",
        ssc=pf.ssc(k_adj=False, G_adj=False),
    )
    assert x["first_stage_coef"] == pytest.approx(fs.coef()["IV2"], rel=1e-8)
    assert x["first_stage_se"] == pytest.approx(fs.se()["IV2"], rel=1e-8)
    n = len(panel10)
    sdof = panel10["unit_id"].nunique() + panel10["year"].nunique() - 1
    K = 1 + len(CONTROLS)
    t2 = (x["first_stage_coef"] / x["first_stage_se"]) ** 2
    assert x["first_stage_F"] == pytest.approx(t2 * (n - K - sdof) / n, rel=1e-8)


def test_balance_smd_mixes_ddof_as_documented(panel10):
    m = matching.match_on_propensity(panel10)
    bal = matching.balance_table(m).set_index("covariate")
    d = m.data
    t, c = d[d["treated"]], d[~d["treated"]]
    for v in CONTROLS:
        by_hand = (t[v].mean() - c[v].mean()) / np.sqrt((t[v].var(ddof=1) + c[v].var(ddof=0)) / 2)
        assert bal.loc[v, "SMD before"] == pytest.approx(by_hand, rel=1e-10)
    cm = c[c["weight"] > 0]
    tm = t[t["weight"] > 0]
    v = "lngdp"
    mc = np.average(cm[v], weights=cm["weight"])
    vc = np.average((cm[v] - mc) ** 2, weights=cm["weight"])
    assert bal.loc[v, "SMD after"] == pytest.approx((tm[v].mean() - mc) / np.sqrt((tm[v].var(ddof=1) + vc) / 2))


def test_deliberate_differences_lists_every_difference(panel10):
    table = replication.deliberate_differences(panel10)
    assert {"models.fit_two_way_fe", "models.fit_iv", "matching.balance_table", "mediation.mediation_analysis"} <= set(
        table["function"]
    )
    assert table["size on this panel"].str.len().gt(0).all()
    assert not table["size on this panel"].str.contains("nan").any()


def test_share_mediated_is_undefined_without_a_total_effect(panel10):
    r = replication.mediation_analysis(panel10, "FSIE")
    r.total.coef = 0.0
    with pytest.raises(models.AichainInputError, match="share"):
        _ = r.share_mediated


@pytest.fixture(scope="module")
def default_panel():
    from aichain_utils.inputs import panel
    from aichain_utils.simulation import simulate

    return panel.build_analysis_panel(simulate.simulate_panel().raw).data


@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")  # raised inside pyfixest
def test_sizes_stated_in_the_docstrings_on_the_default_panel(default_panel):
    """The sizes the docstrings of fit_two_way_fe, fit_iv and balance_table state, recomputed."""
    d = default_panel
    est = models.fit_two_way_fe(d)
    fx = pf.feols("ERL ~ AIE + lngdp + imp + exp + inst + tra | unit_id + year", data=d)
    assert est.r2_within == pytest.approx(fx._r2_within, rel=1e-8)
    for iv, pct in [("IV1", 5.5), ("IV2", 4.9), ("IV3", 4.9), ("IV4", 4.9)]:
        x = models.fit_iv(d, iv).extra
        se_f = abs(x["first_stage_coef"]) / np.sqrt(x["first_stage_F"])
        assert round(100 * (se_f / x["first_stage_se"] - 1), 1) == pct, iv
    m = matching.match_on_propensity(d)
    bal = matching.balance_table(m).set_index("covariate")
    t, c = m.data[m.data["treated"]], m.data[~m.data["treated"]]
    for v in CONTROLS:
        ddof1 = (t[v].mean() - c[v].mean()) / np.sqrt((t[v].var(ddof=1) + c[v].var(ddof=1)) / 2)
        assert abs(bal.loc[v, "SMD before"] - ddof1) < 1e-5
        tm, cm = t[t["weight"] > 0], c[c["weight"] > 0]
        w = cm["weight"].to_numpy()
        mc = np.average(cm[v], weights=w)
        vc = np.sum(w * (cm[v] - mc) ** 2) / (w.sum() - 1)
        after = (tm[v].mean() - mc) / np.sqrt((tm[v].var(ddof=1) + vc) / 2)
        assert abs(bal.loc[v, "SMD after"] - after) < 1e-5
