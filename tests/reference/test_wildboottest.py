"""Restricted wild cluster bootstrap against the wildboottest package (Roodman et al. 2019's algorithm).

Vella-Verbeek wage panel: ``lwage ~ union + married + hours`` with person and year effects
(entered as dummies for wildboottest, absorbed here) and occupation clusters (9), so the year
effects are not nested in the clusters and every bootstrap outcome must be projected off
the effects again. With Rademacher weights all 2^9 = 512 sign vectors are enumerated by
both programs, so p-values must agree; with Webb and Mammen weights our draws are
handed to wildboottest and every bootstrap t must agree. A p-value agrees up to its ties: a draw whose
bootstrap t equals the observed t in exact arithmetic (the all-ones sign vector of the enumeration; a Mammen
draw that gives every cluster the same weight) falls on either side of it by rounding, which differs from
run to run with the BLAS threads, so the p-values may differ by the share of draws within the bootstrap
t's own tolerance (1e-8, relative) of the observed t, and by no more (:func:`p_tolerance`).
``H0: b = b0`` with ``b0 != 0`` is checked as ``H0: b = 0`` for the outcome ``y - b0 x`` (the same test).

wildboottest counts every dummy in its CRV1 factor, Stata's boottest (and this package) leave
out effects nested in the clusters; the t statistics are compared after that stated factor,
the p-values directly.
"""

from __future__ import annotations

import warnings
from functools import cache

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from linearmodels.datasets import wage_panel

from aichain_utils.econometrics import wild_cluster_bootstrap

CONTROLS = ["married", "hours"]


@cache
def _data():
    return wage_panel.load()


@cache
def _design():
    d = _data()
    X = pd.concat(
        [d[["union", *CONTROLS]], pd.get_dummies(d[["nr", "year"]].astype(str), drop_first=True, dtype=float)], axis=1
    )
    return sm.add_constant(X).to_numpy()


def _wbt(y: np.ndarray, weights: str, v: np.ndarray | None = None):
    from wildboottest.wildboottest import WildboottestCL

    X = _design()
    R = np.zeros(X.shape[1])
    R[1] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = WildboottestCL(X=X, Y=y, cluster=_data()["occupation"].to_numpy(), R=R, B=999, seed=1)
        wb.get_scores(bootstrap_type="11", impose_null=True)
        wb.get_weights(weights_type=weights if v is None else "rademacher")
        if v is not None:
            wb.v, wb.B = v, v.shape[1]
        wb.get_numer()
        wb.get_denom()
        wb.get_tboot()
        wb.get_vcov()
        wb.get_tstat()
        wb.get_pvalue(pval_type="two-tailed")
    return wb


def p_tolerance(wb) -> float:
    """How far two p-values of the same draws may differ: the share of wildboottest's bootstrap t within
    1e-8 (relative, the bootstrap t's tolerance) of its observed t, whose side of it rounding decides."""
    t = abs(float(np.ravel(wb.t_stat)[0]))
    t_boot = np.abs(np.ravel(wb.t_boot))
    return float(np.isclose(t_boot, t, rtol=1e-8, atol=0.0).sum()) / t_boot.size + 1e-12


def _ours(weights: str, b0: float = 0.0, reps: int = 999, seed: int = 11):
    return wild_cluster_bootstrap(
        _data(),
        "lwage",
        "union",
        CONTROLS,
        absorb=["nr", "year"],
        cluster="occupation",
        b0=b0,
        reps=reps,
        seed=seed,
        weights=weights,
    )


@pytest.mark.parametrize("b0", [0.0, 0.05, 0.1, -0.02])
def test_full_enumeration_p_value_is_exact(b0):
    ours = _ours("rademacher", b0=b0)
    assert ours["enumerated"] and ours["reps"] == 512
    y = (_data()["lwage"] - b0 * _data()["union"]).to_numpy()
    wb = _wbt(y, "rademacher")
    assert ours["p"] == pytest.approx(float(wb.pvalue), abs=p_tolerance(wb))
    ratio = float(np.ravel(wb.t_stat)[0]) / ours["t"]
    np.testing.assert_allclose(np.sort(ours["t_boot"]) * ratio, np.sort(np.ravel(wb.t_boot)), rtol=1e-8)


@pytest.mark.parametrize("weights", ["webb", "mammen"])
def test_every_bootstrap_t_matches_with_the_same_draws(weights):
    ours = _ours(weights, reps=299)
    assert not ours["enumerated"]
    order = np.argsort(ours["cluster_labels"])  # wildboottest orders clusters by value
    wb = _wbt(_data()["lwage"].to_numpy(), weights, v=ours["weight_matrix"][order])
    ratio = float(np.ravel(wb.t_stat)[0]) / ours["t"]
    np.testing.assert_allclose(ours["t_boot"] * ratio, np.ravel(wb.t_boot), rtol=1e-8)
    assert ours["p"] == pytest.approx(float(wb.pvalue), abs=p_tolerance(wb))


def test_crv1_factor_difference_is_only_the_nested_effects():
    """The observed t differs from wildboottest's only by the stated small-sample factor."""
    ours = _ours("rademacher")
    wb = _wbt(_data()["lwage"].to_numpy(), "rademacher")
    d = _data()
    n, k_all = len(d), _design().shape[1]
    k_stata = 3 + 1 + d["nr"].nunique() - 1 + d["year"].nunique() - 1  # occupation does not nest nr or year
    expected = np.sqrt(((n - 1) / (n - k_stata)) / ((n - 1) / (n - k_all)))
    assert float(np.ravel(wb.t_stat)[0]) / ours["t"] == pytest.approx(expected, rel=1e-10)
