"""A generic econometrics core: estimators that know nothing of the paper.

Every estimator takes the outcome, regressors, controls, absorbed effects, cluster
variable(s), entity, time and instruments by name. Inference follows Stata's conventions by
default (``regress``, ``reghdfe``/``xtreg, fe``, ``ivreg2``, ``xtgls``, ``boottest``); other
conventions (fixest, linearmodels) are an argument. The paper's specifications live in
:mod:`aichain_utils.replication.models` and :mod:`aichain_utils.replication.columns`, which call this package.
"""

from aichain_utils.econometrics._data import check_rank, complete_cases, has_infinite, has_missing
from aichain_utils.econometrics.bootstrap import wild_cluster_bootstrap
from aichain_utils.econometrics.fe import absorbed_dof, demean, is_nested
from aichain_utils.econometrics.iv import anderson_rubin_ci, fit_iv
from aichain_utils.econometrics.linear import fit_fgls, fit_first_difference, fit_ols, refit_vcov
from aichain_utils.econometrics.result import Estimate, RegressionResult

__all__ = [
    "Estimate",
    "RegressionResult",
    "absorbed_dof",
    "anderson_rubin_ci",
    "check_rank",
    "complete_cases",
    "demean",
    "fit_fgls",
    "fit_first_difference",
    "fit_iv",
    "fit_ols",
    "has_infinite",
    "has_missing",
    "is_nested",
    "refit_vcov",
    "wild_cluster_bootstrap",
]
