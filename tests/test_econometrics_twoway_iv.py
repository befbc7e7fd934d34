"""Two-way clustered 2SLS against Stata ``ivreg2 ..., cluster(firm_id year_id)`` (issue 23).

Fixtures of restatr/ivreg2r (``tests/stata-benchmarks/generate-twoway-fixtures.do``; see
``tests/reference/data/README.md``): a simulated panel of 25 firms x 20 observations over 10 years
(500 rows), ``ivreg2 y x1 (endo1 = z1 z2), cluster(firm_id year_id) first [small]
[dofminus(1) sdofminus(1)]`` and the OLS ``ivreg2 y x1 endo1, cluster(firm_id year_id) small``.
Cameron-Gelbach-Miller: ``V = V_firm + V_year - V_firm∩year``; with ``small`` the factor
``(N - 1) / (N - K - sdofminus) * G / (G - 1)`` and t/F(G - 1) with ``G = min(25, 10) = 10``.
Every coefficient, SE and diagnostic is compared to 1e-6 relative (the data carry 8 significant
digits).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from aichain_utils.econometrics import fit_iv, fit_ols

DATA = Path(__file__).parent / "reference" / "data" / "ivreg2_twoway"
REL = 1e-6
TERMS = {"endo1": "endo1", "x1": "x1", "_cons": "const"}
DIAGNOSTICS = {
    "idstat": "kp_lm",
    "widstat": "kp_wald_f",
    "cdf": "cd_f",
    "j": "hansen_j",
    "arf": "ar_f",
    "archi2": "ar_chi2",
    "N_clust": "n_clusters",
}
SUFFIXES = ["cl2", "cl2_small", "cl2_dof", "cl2_dof_small"]


@cache
def _data() -> pd.DataFrame:
    return pd.read_csv(DATA / "sim_twoway_data.csv")


@cache
def _fit(suffix: str):
    dof = "dof" in suffix
    return fit_iv(
        _data(),
        "y",
        "endo1",
        ["z1", "z2"],
        ["x1"],
        cluster=["firm_id", "year_id"],
        small="small" in suffix,
        dofminus=1 if dof else 0,
        sdofminus=1 if dof else None,
    )


def _csv(kind: str, suffix: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"sim_twoway_{kind}_{suffix}.csv")


COEF_CASES = [(s, t) for s in SUFFIXES for t in TERMS]


@pytest.mark.parametrize(("suffix", "term"), COEF_CASES, ids=[f"{s}-{t}" for s, t in COEF_CASES])
def test_two_way_clustered_coefficients_and_standard_errors(suffix, term):
    ref = _csv("coef", suffix).set_index("term").loc[term]
    res = _fit(suffix)
    assert res.params[TERMS[term]] == pytest.approx(ref["estimate"], rel=REL)
    assert res.se[TERMS[term]] == pytest.approx(ref["std_error"], rel=REL)
    assert res.n_clusters == 10
    assert res.df == (9 if "small" in suffix else None)


DIAG_CASES = [(s, k) for s in SUFFIXES for k in DIAGNOSTICS]


@pytest.mark.parametrize(("suffix", "key"), DIAG_CASES, ids=[f"{s}-{k}" for s, k in DIAG_CASES])
def test_two_way_clustered_diagnostics(suffix, key):
    expected = float(_csv("diagnostics", suffix)[key].iloc[0])
    res = _fit(suffix)
    got = res.n_clusters if key == "N_clust" else res.extra[DIAGNOSTICS[key]]
    assert got == pytest.approx(expected, rel=REL)
    assert res.extra["not_available"] == {}


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_two_way_clustered_first_stage_f(suffix):
    expected = float(_csv("firststage", suffix).set_index("statistic").loc["F", "endo1"])
    assert _fit(suffix).extra["first_stage_F"] == pytest.approx(expected, rel=REL)


def test_two_way_clustered_ols_is_ivreg2_small():
    """``fit_ols`` with two clusters: reghdfe's and ivreg2's (small) factor with G = min(G_a, G_b)."""
    ref = _csv("coef", "cl2_ols_small").set_index("term")
    res = fit_ols(_data(), "y", ["x1", "endo1"], cluster=["firm_id", "year_id"])
    for term, name in TERMS.items():
        assert res.params[name] == pytest.approx(ref.loc[term, "estimate"], rel=REL)
        assert res.se[name] == pytest.approx(ref.loc[term, "std_error"], rel=REL)
