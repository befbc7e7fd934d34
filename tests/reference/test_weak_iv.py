"""Weak-instrument statistics against printed values.

Montiel Olea & Pflueger (2013) and Andrews, Stock & Sun (2019, Annual Review of Economics,
section 4.1): with one instrument the effective F's critical value for a worst-case bias of
10% of the OLS bias (5% test) is 23.1. Stock & Yogo (2005, Table 5.2): the Cragg-Donald
critical value for 10% maximal size with one endogenous regressor and one instrument is 16.38,
the constant the replication layer prints.
"""

from __future__ import annotations

import numpy as np

from aichain_utils.econometrics.weakiv import effective_f, effective_f_critical_value
from aichain_utils.replication import columns as replication


def test_effective_f_critical_value_with_one_instrument_is_23_1():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(500, 1))
    v = 0.5 * z[:, 0] + rng.normal(size=500) * (1 + np.abs(z[:, 0]))  # heteroskedastic first stage
    cv = effective_f_critical_value(v, z, kind="robust", tau=0.10)
    assert abs(cv - 23.1) <= 0.05  # K_eff = 1 whatever the heteroskedasticity


def test_effective_f_with_one_instrument_is_the_robust_first_stage_wald():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(400, 1))
    v = 0.3 * z[:, 0] + rng.normal(size=400) * (1 + z[:, 0] ** 2)
    pi = (z[:, 0] @ v) / (z[:, 0] @ z[:, 0])
    e = v - pi * z[:, 0]
    wald = pi**2 / (np.sum(z[:, 0] ** 2 * e**2) / (z[:, 0] @ z[:, 0]) ** 2)
    assert abs(effective_f(v, z) / wald - 1) < 1e-12


def test_stock_yogo_constant():
    assert replication.STOCK_YOGO_10PCT == 16.38


def test_tf_critical_values_printed_by_lee_et_al():
    """Lee, McCrary, Moreira & Porter (2022): c(10) = 3.43; 1.96 needs F above 104.7; table ends."""
    from aichain_utils.econometrics.weakiv import TF_CRITICAL_05, tf_critical_value

    assert len(TF_CRITICAL_05) == 84
    assert abs(tf_critical_value(10.0) - 3.43) <= 0.01  # interpolated on the printed grid: 3.435
    assert tf_critical_value(4.0) == 18.66 and tf_critical_value(3.9) == float("inf")
    assert tf_critical_value(104.0) > 1.96 and tf_critical_value(106.09) == 1.96
    assert np.all(np.diff(TF_CRITICAL_05) <= 0)
