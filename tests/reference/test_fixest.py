"""The ``convention="fixest"`` option and the effective F against pyfixest (an implementation of R's fixest).

Vella-Verbeek wage panel (545 men, 1980-87; shipped with linearmodels): ``lwage ~ union +
married + hours | nr + year`` with iid, heteroskedasticity-robust, one-way clustered (by
occupation, not nested; by person, in which the person effects are nested) and two-way
clustered (person and year) covariances. Every coefficient, SE and p-value is compared.
The Montiel Olea-Pflueger effective F is compared with pyfixest's, which scales the
first-stage covariance by fixest's ``n / (n - k)``; ours is the statistic as defined (no
small-sample factor), so the comparison multiplies pyfixest's by that factor.
"""

from __future__ import annotations

import warnings
from functools import cache

import pyfixest as pf
import pytest
from linearmodels.datasets import wage_panel

from aichain_utils.econometrics import absorbed_dof, fit_iv, fit_ols

X = ["union", "married", "hours"]
VCOVS = {
    "iid": ("iid", {"vcov": "unadjusted"}),
    "hetero": ("hetero", {"vcov": "robust"}),
    "cluster-occupation": ({"CRV1": "occupation"}, {"cluster": "occupation"}),
    "cluster-nr-nested": ({"CRV1": "nr"}, {"cluster": "nr"}),
    "cluster-nr-year": ({"CRV1": "nr+year"}, {"cluster": ["nr", "year"]}),
}


@cache
def _data():
    return wage_panel.load()


@cache
def _pair(name):
    pf_vcov, ours_kw = VCOVS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fx = pf.feols("lwage ~ union + married + hours | nr + year", data=_data(), vcov=pf_vcov)
    ours = fit_ols(_data(), "lwage", X, absorb=["nr", "year"], convention="fixest", **ours_kw).table()
    return fx, ours


CASES = [pytest.param(v, x, s, id=f"{v}-{x}-{s}") for v in VCOVS for x in X for s in ("coef", "se", "p")]


@pytest.mark.parametrize(("vcov", "x", "stat"), CASES)
def test_matches_pyfixest(vcov, x, stat):
    fx, ours = _pair(vcov)
    ref = {"coef": fx.coef(), "se": fx.se(), "p": fx.pvalue()}[stat][x]
    assert ours.loc[x, stat] == pytest.approx(ref, rel=1e-6, abs=1e-12 if stat == "p" else 0)


@pytest.mark.parametrize(
    ("formula", "endog", "instr", "vcov", "ours_kw"),
    [
        ("lwage ~ 1 | nr + year | union ~ married + hours", "union", ["married", "hours"], "hetero", {}),
        ("lwage ~ 1 | nr + year | hours ~ married + union", "hours", ["married", "union"], "hetero", {}),
        ("lwage ~ 1 | nr + year | union ~ married", "union", ["married"], "hetero", {}),
    ],
)
def test_effective_f_matches_pyfixest(formula, endog, instr, vcov, ours_kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fx = pf.feols(formula, data=_data(), vcov=vcov)
        fx.first_stage()
        fx.IV_Diag()
    ours = fit_iv(_data(), "lwage", endog, instr, absorb=["nr", "year"], vcov="robust", **ours_kw)
    n = len(_data())
    k = absorbed_dof(_data(), ["nr", "year"]) + len(instr)
    assert ours.extra["effective_f"] == pytest.approx(fx._eff_F * n / (n - k), rel=1e-6)
