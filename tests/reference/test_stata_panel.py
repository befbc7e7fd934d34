"""OLS and fixed effects against Stata ``regress`` and ``xtreg, fe`` (results shipped with linearmodels).

``regress y x1-x5, vce(ols|robust|cluster firm)`` and ``xtreg y x1-x5, fe
vce(conventional|robust|cluster firm)``, unweighted and with ``[aweight=w]``, on a balanced
panel and two unbalanced versions. ``xtreg, fe vce(robust)`` is the clustered-by-panel
covariance (Stata's rule since version 10), so it is fitted with ``cluster="firm"``. Every
coefficient, t statistic, p-value and covariance entry is compared (the file prints 12
significant digits, so 1e-6 relative is far inside half a unit of the last printed digit
except for covariances near zero, compared with an absolute floor).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from aichain_utils.econometrics import fit_ols
from reference._stata_panel import DATA, parse_stata_blocks

BLOCKS = parse_stata_blocks(DATA / "linearmodels" / "stata-panel-simulated-results.txt")
KEYS = [k for k in BLOCKS if k.split("-")[0] in ("pooled", "fixed_effect")]


@cache
def _panel() -> pd.DataFrame:
    return pd.read_stata(DATA / "linearmodels" / "simulated-panel.dta")


@cache
def _fit(key: str):
    estimator, cov, weighted, ending = key.split("-")
    xs = [f"x{i}{ending}" for i in range(1, 6)]
    if cov == "conventional":
        kw = {"vcov": "unadjusted"}
    elif cov == "robust" and estimator == "pooled":
        kw = {"vcov": "robust"}
    else:  # regress vce(cluster firm); xtreg, fe vce(robust) and vce(cluster firm)
        kw = {"cluster": "firm"}
    absorb = ["firm"] if estimator == "fixed_effect" else []
    res = fit_ols(_panel(), f"y{ending}", xs, absorb=absorb, weights="w" if weighted else None, **kw)
    table = res.table().rename(index={"const": "_cons"})
    V = res.vcov.rename(index={"const": "_cons"}, columns={"const": "_cons"})
    return res, table, V


def _cases():
    out = []
    for key in KEYS:
        params = BLOCKS[key]["params"]
        for name in params.index:
            if name == "_cons" and key.startswith("fixed_effect"):
                continue  # xtreg's _cons is the mean of the effects, not estimated here
            for stat in ("b", "t", "p"):
                out.append(pytest.param(key, name, stat, float(params.loc[name, stat]), id=f"{key}-{name}-{stat}"))
    return out


CASES = _cases()


@pytest.mark.parametrize(("key", "name", "stat", "expected"), CASES)
def test_coefficient_t_and_p(key, name, stat, expected):
    _, table, _ = _fit(key)
    got = table.loc[name, {"b": "coef", "t": "t", "p": "p"}[stat]]
    if stat == "p" and expected < 1e-12:
        assert got < 1e-10
    else:
        assert got == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("key", KEYS)
def test_covariance_matrix(key):
    _, _, V = _fit(key)
    ref = BLOCKS[key]["V"]
    names = [n for n in ref.index if n in V.index]
    got, exp = V.loc[names, names].to_numpy(), ref.loc[names, names].to_numpy()
    np.testing.assert_allclose(got, exp, rtol=1e-6, atol=1e-6 * np.abs(np.diag(exp)).max())


@pytest.mark.parametrize("key", KEYS)
def test_sample_size_and_r2(key):
    res, _, _ = _fit(key)
    stats = BLOCKS[key]["stats"]
    assert res.n == stats["N"]
    if key.startswith("pooled"):
        assert res.r2 == pytest.approx(stats["r2"], rel=1e-6)
        assert res.adj_r2 == pytest.approx(stats["r2_a"], rel=1e-6)
    else:
        assert res.r2_within == pytest.approx(stats["r2_w"], rel=1e-6)
        assert res.df == (stats["N_g"] - 1 if res.n_clusters else stats["df_r"])


def test_enough_reference_numbers():
    assert len(CASES) >= 300
