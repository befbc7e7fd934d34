"""The robustness chapter's methods, each against an independent implementation or a published example.

* Cinelli & Hazlett (2020): PySensemakr on the Darfur data it ships, and the numbers the paper prints
  for that example (partial R² 0.022, RV 0.139, RV_{1,0.05} 0.076, 1x-female adjusted estimate 0.075);
* Romano–Wolf: pyfixest's ``rwolf`` (same data) and its step-down routine (same bootstrap draws);
* the specification curve's estimates and standard errors: pyfixest ``feols`` with reghdfe's
  small-sample conventions;
* causal mediation: statsmodels' ``Mediation``;
* two-way FE weights: the ``twowayfeweights`` package;
* Oster (2019): Stata's ``psacalc`` output printed in the robomit paper (Schaub, JOSS submission,
  Figure 1) for the Windsor house-price data (tests/reference/data/robomit/), and the two formulas of
  ``psacalc`` (beta* for delta = 1 and delta for a given beta) must agree with each other.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aichain_utils.robustness import causal_mediation, fragility, multiple, sensitivity, speccurve, twfe_weights


def _panel(n_units=60, n_years=6, effect=0.5, seed=1):
    """A small balanced panel with the analysis panel's column names."""
    rng = np.random.default_rng(seed)
    units = np.repeat(np.arange(1, n_units + 1), n_years)
    years = np.tile(np.arange(2013, 2013 + n_years), n_units)
    d = pd.DataFrame({"unit_id": units, "year": years, "industry_id": (units - 1) // 6 + 1})
    ue = rng.normal(size=n_units)[units - 1]
    d["AIE"] = 0.5 * ue + rng.normal(size=len(d))
    for c in speccurve.CONTROLS:
        d[c] = rng.normal(size=len(d)) + 0.2 * d["AIE"]
    d["M"] = 0.8 * d["AIE"] + rng.normal(size=len(d))
    d["ERL"] = effect * d["AIE"] + 0.3 * d["M"] + d[speccurve.CONTROLS].sum(axis=1) * 0.1 + ue + rng.normal(size=len(d))
    d["Y0"] = rng.normal(size=len(d))  # unrelated to AIE
    for k in range(1, 5):
        d[f"IV{k}"] = d["AIE"] + rng.normal(size=len(d))
    d.loc[d["year"] == 2013, "IV1"] = np.nan
    return d


# ------------------------------------------------------------------ Cinelli & Hazlett
@pytest.fixture(scope="module")
def darfur():
    sensemakr = pytest.importorskip("sensemakr")
    return sensemakr, sensemakr.load_darfur()


DARFUR_CONTROLS = ["age", "farmer_dar", "herder_dar", "pastvoted", "hhsize_darfur", "female"]


@pytest.mark.filterwarnings("ignore")  # third-party deprecation warnings
def test_cinelli_hazlett_on_darfur_matches_pysensemakr_and_the_paper(darfur):
    smkr, data = darfur
    data = data.assign(village=pd.factorize(data["village"])[0])
    res = sensitivity.sensitivity_analysis(
        data, y="peacefactor", x="directlyharmed", controls=DARFUR_CONTROLS, fe=("village",), k=(1.0, 2.0, 3.0)
    )
    # the paper (Cinelli & Hazlett 2020, section 2) prints these for the Darfur example
    assert res.estimate == pytest.approx(0.0973, abs=5e-5)
    assert res.dof == 783
    assert res.partial_r2 == pytest.approx(0.022, abs=5e-4)
    assert res.rv == pytest.approx(0.139, abs=5e-4)
    assert res.rv_alpha == pytest.approx(0.076, abs=5e-4)
    # PySensemakr on the same t and df
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert res.partial_r2 == pytest.approx(float(smkr.partial_r2(t_statistic=res.t, dof=res.dof)), rel=1e-10)
        assert res.rv == pytest.approx(float(smkr.robustness_value(t_statistic=res.t, dof=res.dof).iloc[0]), rel=1e-10)
        rva = smkr.robustness_value(t_statistic=res.t, dof=res.dof, alpha=0.05).iloc[0]
        assert res.rv_alpha == pytest.approx(float(rva), rel=1e-10)
        female = res.bounds[res.bounds["benchmark"] == "female"].sort_values("k")
        ref = smkr.ovb_partial_r2_bound(
            r2dxj_x=float(female["r2 with AIE"].iloc[0]), r2yxj_dx=float(female["r2 with ERL"].iloc[0]), kd=[1, 2, 3]
        )
        np.testing.assert_allclose(female["r2dz_x"], ref["r2dz_x"], rtol=1e-10)
        np.testing.assert_allclose(female["r2yz_dx"], ref["r2yz_dx"], rtol=1e-10)
        kw = {
            "estimate": res.estimate,
            "se": res.se,
            "dof": res.dof,
            "r2dz_x": ref["r2dz_x"],
            "r2yz_dx": ref["r2yz_dx"],
        }
        np.testing.assert_allclose(female["adjusted_estimate"], smkr.adjusted_estimate(**kw), rtol=1e-10)
        kw.pop("estimate")
        np.testing.assert_allclose(female["adjusted_se"], smkr.adjusted_se(**kw), rtol=1e-10)
    # the paper's 1x female bound: adjusted estimate 0.075
    assert float(female["adjusted_estimate"].iloc[0]) == pytest.approx(0.075, abs=5e-4)


def test_robustness_value_edge_cases():
    assert sensitivity.robustness_value(0.5, 100, alpha=0.05) == 0.0  # insignificant already
    f2 = 4.0**2 / 100
    rv = sensitivity.robustness_value(4.0, 100)
    assert rv**2 / (1 - rv) == pytest.approx(f2)
    with pytest.raises(ValueError, match="k = 50"):
        sensitivity.benchmark_bounds(1.0, 0.1, 100, 0.05, 0.05, k=50)


ROBOMIT = Path(__file__).parent / "reference" / "data" / "robomit"


def test_oster_matches_psacalc_on_the_robomit_example():
    """Stata ``psacalc`` on Anglin & Gencay's Windsor house prices, as printed in the robomit paper:
    log price on log lot size, controls bedrooms, bathrooms and a driveway dummy, R_max = 0.69108
    (1.3 x 0.5316). Printed to 5 decimals (coefficients, beta*, delta) and 3 (R²)."""
    h = pd.read_csv(ROBOMIT / "Housing.csv")
    assert len(h) == 546
    controls = np.column_stack([h["bedrooms"], h["bathrms"], (h["driveway"] == "yes").astype(float)])
    o = sensitivity.oster(np.log(h["price"]), np.log(h["lotsize"]), controls, r_max=0.69108)
    printed = {"beta_short": 0.54218, "beta_controlled": 0.40021, "beta_star": 0.27276,
               "beta_star_other_root": 1.69268, "delta_for_zero": 1.99145}  # fmt: skip
    for key, value in printed.items():
        assert o[key] == pytest.approx(value, abs=5e-6), key
    assert o["r2_short"] == pytest.approx(0.336, abs=5e-4)
    assert o["r2_controlled"] == pytest.approx(0.532, abs=5e-4)
    # psacalc's "Sq. difference from controlled beta" column
    assert (o["beta_star"] - o["beta_controlled"]) ** 2 == pytest.approx(0.0162, abs=5e-5)
    assert (o["beta_star_other_root"] - o["beta_controlled"]) ** 2 == pytest.approx(1.67, abs=5e-3)


def test_oster_formulas_agree_and_move_with_the_controls():
    rng = np.random.default_rng(3)
    n = 2000
    w = rng.normal(size=(n, 2))
    x = w @ [0.6, 0.3] + rng.normal(size=n)
    y = 1.0 * x + w @ [0.8, 0.5] + 2.5 * rng.normal(size=n)
    o = sensitivity.oster(y, x, w)
    assert o["beta_short"] > o["beta_controlled"]  # controls remove upward bias here
    assert o["r_max"] == pytest.approx(1.3 * o["r2_controlled"])
    # delta = 1 gives beta*; the delta formula at beta = beta* must return 1 (Oster 2019, Props. 2 and 3)
    xc = x - x.mean()
    W = np.column_stack([np.ones(n), w])
    tx = np.var(x - W @ np.linalg.lstsq(W, x, rcond=None)[0], ddof=1)
    syy = np.var(y, ddof=1)
    parts = (
        o["beta_short"] - o["beta_controlled"],
        (o["r2_controlled"] - o["r2_short"]) * syy,
        (o["r_max"] - o["r2_controlled"]) * syy,
        float(xc @ xc / (n - 1)),
        tx,
    )
    assert sensitivity._oster_delta(*parts, o["beta_controlled"], o["beta_star"]) == pytest.approx(1.0, rel=1e-8)
    assert o["beta_star"] < o["beta_controlled"]  # movement continues in the same direction
    assert o["delta_for_zero"] > 1


# ------------------------------------------------------------------ Romano–Wolf and Holm
def test_romano_wolf_step_down_matches_pyfixest_on_the_same_draws():
    from pyfixest.estimation.post_estimation.multcomp import _get_rwolf_pval

    rng = np.random.default_rng(0)
    t_obs = np.array([3.1, 0.4, -2.2, 1.7, 2.6])
    t_boot = rng.standard_normal((999, 5)) @ np.linalg.cholesky(0.5 * np.eye(5) + 0.5).T
    np.testing.assert_allclose(multiple.romano_wolf_p(t_obs, t_boot), _get_rwolf_pval(t_obs, t_boot))


def test_holm_matches_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.array([0.01, 0.04, 0.03, 0.2, 0.0005])
    np.testing.assert_allclose(multiple.holm(p), multipletests(p, method="holm")[1])


@pytest.mark.filterwarnings("ignore")  # third-party deprecation warnings
def test_multiple_testing_matches_pyfixest_feols_and_rwolf():
    pf = pytest.importorskip("pyfixest")
    d = _panel(n_units=40, n_years=5, effect=0.15, seed=4)
    c = tuple(speccurve.CONTROLS)
    hyps = [multiple.Hypothesis("ERL", "ERL", "AIE", c), multiple.Hypothesis("Y0", "Y0", "AIE", c),
            multiple.Hypothesis("M", "M", "AIE", c)]  # fmt: skip
    ours = multiple.multiple_testing(d, hyps, reps=1999, seed=7)
    fits = [
        pf.feols(f"{y} ~ AIE + {' + '.join(c)} | unit_id + year", data=d, vcov={"CRV1": "unit_id"})
        for y in ("ERL", "Y0", "M")
    ]
    for fit, (_, row) in zip(fits, ours.iterrows(), strict=True):
        assert row["estimate"] == pytest.approx(fit.coef()["AIE"], rel=1e-8)
        assert row["se (cluster unit)"] == pytest.approx(fit.se()["AIE"], rel=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.rwolf(fits, "AIE", reps=1999, seed=7)
    ref_p = ref.loc["RW Pr(>|t|)"].to_numpy(dtype=float)
    np.testing.assert_allclose(ours["p, Romano–Wolf"], ref_p, atol=0.04)  # independent draws: Monte Carlo error
    assert ours["p, Romano–Wolf"].iloc[1] > 0.1  # the unrelated outcome is not rejected


# ------------------------------------------------------------------ specification curve
@pytest.mark.filterwarnings("ignore")  # third-party deprecation warnings
def test_specification_curve_rows_match_pyfixest():
    pf = pytest.importorskip("pyfixest")
    d = _panel(seed=2)
    curve = speccurve.specification_curve(d, null_reps=0)
    t = curve.table.set_index(["sample", "estimator", "fe", "controls", "se"])
    ssc = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")
    five = " + ".join(speccurve.CONTROLS)
    cases = [
        (("full", "OLS", "unit + year", "five", "robust"), f"ERL ~ AIE + {five} | unit_id + year", "hetero"),
        (("full", "OLS", "unit + year", "five", "cluster unit"), f"ERL ~ AIE + {five} | unit_id + year", {"CRV1": "unit_id"}),  # noqa: E501
        (("full", "OLS", "industry", "none", "cluster industry"), "ERL ~ AIE | industry_id", {"CRV1": "industry_id"}),
        (("full", "OLS", "none", "without imp", "robust"), "ERL ~ AIE + lngdp + exp + inst + tra", "hetero"),
        (("to 2022", "OLS", "year", "five", "cluster unit"), f"ERL ~ AIE + {five} | year", {"CRV1": "unit_id"}),
    ]  # fmt: skip
    for key, fml, vcov in cases:
        data = d[d["year"] <= 2022] if key[0] == "to 2022" else d
        fit = pf.feols(fml, data=data, vcov=vcov, ssc=ssc)
        assert t.loc[key, "estimate"] == pytest.approx(fit.coef()["AIE"], rel=1e-7), key
        assert t.loc[key, "std_error"] == pytest.approx(fit.se()["AIE"], rel=1e-6), key
    iv = pf.feols(f"ERL ~ {five} | unit_id + year | AIE ~ IV2", data=d, vcov={"CRV1": "unit_id"}, ssc=ssc)
    key = ("full", "2SLS IV2", "unit + year", "five", "cluster unit")
    assert t.loc[key, "estimate"] == pytest.approx(iv.coef()["AIE"], rel=1e-7)
    assert t.loc[key, "std_error"] == pytest.approx(iv.se()["AIE"], rel=1e-6)
    assert len(curve.table) == 3 * 4 * (6 * 7 + 7 + 4)


@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")  # raised inside pyfixest
def test_weightings_share_the_demeaning_and_match_pyfixest():
    """With three AIE weightings the full and to-2022 blocks are demeaned once for all of them; each
    weighting's rows must equal pyfixest on the panel with that AIE (and its own lag as IV1)."""
    pf = pytest.importorskip("pyfixest")
    d = _panel(seed=8)
    rng = np.random.default_rng(8)
    variants = d[["unit_id", "year"]].assign(
        entropy=d["AIE"], published=0.7 * d["AIE"] + 0.3 * rng.normal(size=len(d)), equal=rng.normal(size=len(d))
    )
    curve = speccurve.specification_curve(d, variants.sample(frac=1, random_state=1), null_reps=0)
    assert len(curve.table) == 3 * 3 * 4 * (6 * 7 + 7 + 4)
    t = curve.table.set_index(["weights", "sample", "estimator", "fe", "controls", "se"])
    ssc = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")
    five = " + ".join(speccurve.CONTROLS)
    alt = d.assign(AIE=variants["published"]).sort_values(["unit_id", "year"])
    alt["IV1"] = alt.groupby("unit_id")["AIE"].shift(1)
    cases = [
        (("full", "OLS", "industry + year", "without tra", "cluster industry"),
         "ERL ~ AIE + lngdp + imp + exp + inst | industry_id + year", {"CRV1": "industry_id"}, alt),
        (("to 2022", "OLS", "unit + year", "five", "robust"), f"ERL ~ AIE + {five} | unit_id + year", "hetero",
         alt[alt["year"] <= 2022]),
        (("full", "2SLS IV1", "unit + year", "five", "cluster unit"), f"ERL ~ {five} | unit_id + year | AIE ~ IV1",
         {"CRV1": "unit_id"}, alt),
        (("full", "2SLS IV3", "unit + year", "five", "robust"), f"ERL ~ {five} | unit_id + year | AIE ~ IV3",
         "hetero", alt),
        (("trim 5%", "OLS", "unit", "none", "robust"), "ERL ~ AIE | unit_id", "hetero",
         speccurve.trim_by_residual(alt, 0.05, "ERL", "AIE", speccurve.CONTROLS)),
    ]  # fmt: skip
    for key, fml, vcov, data in cases:
        fit = pf.feols(fml, data=data.reset_index(drop=True), vcov=vcov, ssc=ssc)
        row = t.loc[("published", *key)]
        assert row["estimate"] == pytest.approx(fit.coef()["AIE"], rel=1e-7), key
        assert row["std_error"] == pytest.approx(fit.se()["AIE"], rel=1e-6), key
        assert row["n"] == fit._N, key
    # the entropy rows are those of the curve without variants
    alone = speccurve.specification_curve(d, null_reps=0).table
    mine = curve.table[curve.table["weights"] == "entropy"].reset_index(drop=True)
    np.testing.assert_allclose(mine["estimate"], alone["estimate"], rtol=1e-10)
    np.testing.assert_allclose(mine["std_error"], alone["std_error"], rtol=1e-10)


def test_null_draw_loadings_follow_the_rows_of_the_curve(monkeypatch):
    """Every estimate (OLS, FD and 2SLS) is c'y with c orthogonal to its controls, so c'r for the
    residuals r of the model without AIE is the estimate itself: with all unit weights +1 each row of
    loadings must sum to its specification's estimate (in the order of the table)."""
    seen = {}

    def capture(table, loadings, reps, seed):
        seen["table"], seen["loadings"] = table, loadings
        return {}

    monkeypatch.setattr(speccurve, "_null_test", capture)
    d = _panel(seed=9)
    variants = d[["unit_id", "year"]].assign(entropy=d["AIE"], published=d["AIE"] ** 2, equal=d["AIE"] + d["imp"])
    speccurve.specification_curve(d, variants, null_reps=9)
    est = seen["table"]["estimate"].to_numpy()[:: len(speccurve.SE_TYPES)]
    assert seen["loadings"].shape[0] == len(est) == 3 * 4 * (6 * 7 + 7 + 4)
    np.testing.assert_allclose(seen["loadings"].sum(axis=1), est, rtol=1e-8, atol=1e-12)


@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")  # raised inside pyfixest
def test_alternative_readings_are_crossed_with_every_dimension_and_match_pyfixest(monkeypatch):
    """A reading's panel (ERL changed and on another scale, one control changed, some ERL missing) adds every sample,
    estimator, fixed effects, control set and SE with the book's weighting; its rows equal pyfixest on
    that panel, the book's rows are unchanged, and the null draws cover the reading's rows too."""
    pf = pytest.importorskip("pyfixest")
    d = _panel(seed=12)
    rng = np.random.default_rng(12)
    alt = d.assign(ERL=40 * (d["ERL"] + 0.5 * d["M"] + rng.normal(size=len(d))), imp=d["imp"] * 100)
    alt.loc[rng.choice(len(d), 20, replace=False), "ERL"] = np.nan
    seen = {}
    monkeypatch.setattr(speccurve, "_null_test", lambda t, v, r, s: seen.update(table=t, loadings=v) or {})
    curve = speccurve.specification_curve(d, null_reps=9, readings={"upsilon=mediators": alt})
    block = 3 * 4 * (6 * 7 + 7 + 4)
    assert len(curve.table) == 2 * block
    assert curve.table["reading"].value_counts().to_dict() == {"book": block, "upsilon=mediators": block}
    alone = speccurve.specification_curve(d, null_reps=0).table
    book = curve.table[curve.table["reading"] == "book"].reset_index(drop=True)
    np.testing.assert_allclose(book["estimate"], alone["estimate"], rtol=1e-10)
    t = curve.table.set_index(["reading", "sample", "estimator", "fe", "controls", "se"])
    ssc = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")
    five = " + ".join(speccurve.CONTROLS)
    cases = [
        (("full", "OLS", "unit + year", "five", "cluster unit"), f"ERL ~ AIE + {five} | unit_id + year",
         {"CRV1": "unit_id"}),
        (("full", "2SLS IV1", "unit + year", "five", "robust"), f"ERL ~ {five} | unit_id + year | AIE ~ IV1",
         "hetero"),
    ]  # fmt: skip
    rescaled = alt.assign(ERL=alt["ERL"] * d["ERL"].std() / alt["ERL"].std())  # in the book's units of ERL
    for key, fml, vcov in cases:
        fit = pf.feols(fml, data=rescaled.dropna(subset=["ERL"]).reset_index(drop=True), vcov=vcov, ssc=ssc)
        row = t.loc[("upsilon=mediators", *key)]
        assert row["estimate"] == pytest.approx(fit.coef()["AIE"], rel=1e-7), key
        assert row["std_error"] == pytest.approx(fit.se()["AIE"], rel=1e-6), key
        assert row["n"] == fit._N, key
    est = seen["table"]["estimate"].to_numpy()[:: len(speccurve.SE_TYPES)]
    np.testing.assert_allclose(seen["loadings"].sum(axis=1), est, rtol=1e-8, atol=1e-12)
    with pytest.raises(ValueError, match="reading 'bad' lacks column"):
        speccurve.specification_curve(d, null_reps=0, readings={"bad": alt.drop(columns="tra")})


def test_curve_switches_are_the_readings_that_change_the_curves_variables():
    """Rebuild the simulated panel under every alternative reading: exactly the switches in
    CURVE_SWITCHES change ERL, AIE, a control or an instrument."""
    from aichain_utils.inputs import panel
    from aichain_utils.replication import measurement_tables as measurement

    ap = panel.load_analysis_panel()  # the default simulated panel
    cols = ["ERL", "AIE", *speccurve.CONTROLS, *speccurve.INSTRUMENTS]
    changing = set()
    for (name, _), alt in measurement.alternative_panels(ap).items():
        for c in cols:
            a, b = ap.data[c].to_numpy(float), alt.data[c].to_numpy(float)
            if a.shape != b.shape or not np.allclose(a, b, equal_nan=True):
                changing.add(name)
    assert changing == set(speccurve.CURVE_SWITCHES)


def test_trimmed_samples_drop_the_largest_residuals():
    d = _panel(seed=5)
    kept = speccurve.trim_by_residual(d, 0.05, "ERL", "AIE", speccurve.CONTROLS)
    assert len(kept) == pytest.approx(0.95 * len(d), abs=1)


def test_joint_test_rejects_a_real_effect_and_not_a_null_one():
    strong = speccurve.specification_curve(_panel(effect=0.8, seed=6), null_reps=199, seed=1).summary()
    d = _panel(seed=6)
    d["ERL"] = d["Y0"]  # no effect of AIE
    null = speccurve.specification_curve(d, null_reps=199, seed=1).summary()
    assert strong["null_p_median"] < 0.05 and strong["null_p_share"] < 0.1
    assert null["null_p_median"] > 0.05 and null["null_p_share"] > 0.05


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="lacks column"):
        speccurve.specification_curve(pd.DataFrame({"ERL": [1.0]}))
    with pytest.raises(ValueError, match="missing column"):
        multiple.multiple_testing(_panel(), [multiple.Hypothesis("x", "nope", "AIE", ())])


# ------------------------------------------------------------------ causal mediation
@pytest.mark.filterwarnings("ignore")  # third-party deprecation warnings
def test_acme_matches_statsmodels_mediation():
    import statsmodels.api as sm
    from statsmodels.stats.mediation import Mediation

    d = _panel(n_units=100, n_years=4, seed=8).assign(one=1)
    res = causal_mediation.causal_mediation(d, "M", controls=[], fe=("one",), sims=4000, seed=2, cluster=None)
    X = sm.add_constant(d[["AIE"]])
    out = sm.OLS(d["ERL"], sm.add_constant(d[["AIE", "M"]]))
    medm = sm.OLS(d["M"], X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.random.seed(2)  # noqa: NPY002 - statsmodels' Mediation draws from the global generator
        ref = Mediation(out, medm, "AIE", "M").fit(method="parametric", n_rep=4000).summary()
    assert res.acme == pytest.approx(ref.loc["ACME (average)", "Estimate"], rel=0.01)
    assert res.ade == pytest.approx(ref.loc["ADE (average)", "Estimate"], rel=0.02)
    assert res.acme_ci[0] == pytest.approx(ref.loc["ACME (average)", "Lower CI bound"], rel=0.1)
    assert res.acme_ci[1] == pytest.approx(ref.loc["ACME (average)", "Upper CI bound"], rel=0.1)
    # Imai, Keele & Yamamoto (2010), Theorem 2: at rho = 0 the ACME is a*b, and it vanishes at rho_tilde
    at0 = causal_mediation.acme_at_rho(0.0, res.a, res.sigma_total, res.sigma_mediator, res.rho_at_zero)
    assert float(at0) == pytest.approx(res.acme, rel=1e-8)
    zero = causal_mediation.acme_at_rho(res.rho_at_zero, res.a, res.sigma_total, res.sigma_mediator, res.rho_at_zero)
    assert float(zero) == pytest.approx(0.0, abs=1e-12)


# ------------------------------------------------------------------ two-way FE weights
@pytest.mark.filterwarnings("ignore")  # third-party deprecation warnings
def test_twfe_weights_match_the_twowayfeweights_package():
    tw = pytest.importorskip("twowayfeweights")
    d = _panel(n_units=50, n_years=6, seed=9)
    d["AIE"] = d["AIE"] - d["AIE"].min() + 0.1  # a positive continuous treatment, as AIE is
    ours = twfe_weights.twfe_weights(d)
    ref = tw.twowayfeweights(d, Y="ERL", G="unit_id", T="year", D="AIE", controls=speccurve.CONTROLS)
    assert ours["beta"] == pytest.approx(ref.beta, rel=1e-9)
    assert ours["n_negative"] == ref.nr_minus
    assert ours["n_weights"] - ours["n_negative"] == ref.nr_plus
    assert ours["sum_negative"] == pytest.approx(ref.sum_minus, rel=1e-9)
    assert ours["sum_positive"] == pytest.approx(ref.sum_plus, rel=1e-9)
    assert ours["sigma_fe"] == pytest.approx(ref.sensibility, rel=2e-3)
    st = twfe_weights.stayers(d)
    assert st["stayers"] == 0 and st["untreated"] == 0


# ------------------------------------------------------------------ fragility
def test_group_curve_share_counts_the_curves_ols_rows_on_the_group():
    """The group share equals the share computed from the full specification curve run on the group's
    rows alone (full sample, OLS rows only), so the two paths through the estimation blocks agree."""
    d = _panel(seed=13)
    d["grp"] = np.where(d["industry_id"] <= 5, "a", "b")
    share = fragility.group_curve_share(d, "grp", "a", 1.0)
    t = speccurve.specification_curve(d[d["grp"] == "a"], null_reps=0).table
    ols = t[(t["sample"] == "full") & (t["estimator"] == "OLS")]
    assert len(ols) == 6 * 7 * 3
    assert share == pytest.approx(float(((ols["estimate"] > 0) & (ols["p"] < 0.05)).mean()))


def test_verdict_words():
    assert fragility.verdict(0.95, 0.2, 0.1, 0.01) == "robust"
    assert fragility.verdict(0.5, 0.2, 0.1, 0.01) == "fragile"
    assert fragility.verdict(0.95, 0.05, 0.1, 0.01) == "fragile"
    assert fragility.verdict(0.95, 0.2, 0.1, 0.2) == "not supported"
    assert fragility.verdict(np.nan, 0.2, 0.1, 0.01, (-0.1, 0.3)) == "not supported"
    assert fragility.verdict(np.nan, 0.2, 0.1, np.nan) == "robust"


def test_verdict_sentence_names_every_claim_once():
    summary = pd.DataFrame(
        {"claim": ["H1: AIE raises ERL", "H2: x", "G: y"], "verdict": ["robust", "fragile", "robust"]}
    )
    text = fragility.verdict_sentence(summary)
    assert text == "Robust on these data: H1: AIE raises ERL; G: y. Fragile: H2: x. Not supported: none."
    assert text.zh == "在这些数据上稳健：H1：AIE 提高 ERL；G: y。脆弱：H2: x。不受支持：无。"  # other claims as given
    with pytest.raises(ValueError, match="unknown verdict"):
        fragility.verdict_sentence(summary.assign(verdict="maybe"))


def test_verdict_sentence_names_bilingual_claims_in_each_language_both_ways():
    names = fragility.claim_names()
    h1, group = names["H1: AIE raises ERL"], names["AIE lowers ERL in labour (industry type)"]
    assert len(names) == 1 + 3 + 2 * len(fragility.GROUP_CLAIMS)
    assert (h1, h1.zh) == ("H1: AIE raises ERL", "H1：AIE 提高 ERL")
    assert (group, group.zh) == ("AIE lowers ERL in labour (industry type)", "AIE 在劳动密集型（行业类型）中降低 ERL")
    robust = fragility.verdict_sentence(pd.DataFrame({"claim": [h1, group], "verdict": ["robust", "robust"]}))
    assert robust == f"Robust on these data: {h1}; {group}. Fragile: none. Not supported: none."
    assert robust.zh == f"在这些数据上稳健：{h1.zh}；{group.zh}。脆弱：无。不受支持：无。"
    fragile = fragility.verdict_sentence(pd.DataFrame({"claim": [h1, group], "verdict": ["fragile", "not supported"]}))
    assert fragile == f"Robust on these data: none. Fragile: {h1}. Not supported: {group}."
    assert fragile.zh == f"在这些数据上稳健：无。脆弱：{h1.zh}。不受支持：{group.zh}。"


def test_families_cover_the_papers_simultaneous_tests():
    fam = fragility.families()
    assert len(fam["Tables 7–9 groups"]) == 10
    assert [h.y for h in fam["Table 5 segments"]] == ["ELRI_front", "ELRI_inter", "ELRI_back"]
    assert len(fam["mediation legs"]) == 6
