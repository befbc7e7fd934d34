"""What validates the code: every comparison of the reference tests, rerun and measured at build time.

The tests in ``tests/reference/`` compare this package's estimators with numbers computed by someone
else (Stata ``ivreg2``, ``regress`` and ``xtreg`` output, R's fixest through pyfixest, the
wildboottest package, Wooldridge's printed examples, published critical values); one more test
(``tests/test_robustness.py``) compares the Oster (2019) bounds with Stata's ``psacalc`` output
printed for the robomit example, whose data are stored in ``tests/reference/data/robomit``.

:func:`run_comparisons` reruns every one of those comparisons, number by number, from the test
modules' own case lists and fitters (it imports them), so the appendix "Validating the estimators"
counts exactly what the tests compare and shows the largest difference measured on this build, never
a stored record. :func:`pytest_case_counts` counts the test cases pytest collects from the same
modules (from their ``parametrize`` marks), and a test checks that the two agree, so a comparison
added to the tests but not here (or the reverse) fails.

:func:`reference_summary` gives one row per reference: the estimator, the external program or book,
its origin and licence, how many test cases and numbers, the largest absolute and relative
difference, how many numbers lie outside the test's tolerance, and the seconds the comparisons took.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aichain_utils.paths import data_dir, repo_root

__all__ = [
    "COMPARISON_COLUMNS",
    "REFERENCES",
    "SLOW_REFERENCES",
    "Reference",
    "build_comparisons",
    "load_record",
    "pytest_case_counts",
    "record_fingerprint",
    "reference_summary",
    "run_comparisons",
    "save_record",
]

#: Columns of :func:`run_comparisons`.
COMPARISON_COLUMNS = ["reference", "test", "quantity", "ours", "expected", "tolerance"]


@dataclass(frozen=True)
class Reference:
    """One external reference: the test module that compares with it and where the numbers come from.

    Attributes
    ----------
    key : str
        Short name (``"ivreg2"``).
    module : str
        The test module, relative to ``tests/`` and dotted (``"reference.test_ivreg2"``).
    tests : tuple of str
        The test functions of ``module`` that compare with this reference (others, such as a check
        that enough numbers exist, compare nothing).
    estimator : str
        What of this package is compared.
    program : str
        The external program, package or book.
    origin : str
        Where the reference numbers come from (repository, commit, printed source).
    licence : str
        Licence of the reference data or program.
    tolerance : str
        The tolerance the tests use, in words.
    """

    key: str
    module: str
    tests: tuple[str, ...]
    estimator: str
    program: str
    origin: str
    licence: str
    tolerance: str


REFERENCES: tuple[Reference, ...] = (
    Reference(
        "ivreg2",
        "reference.test_ivreg2",
        (
            "test_coefficients_and_standard_errors",
            "test_weak_identification_overidentification_and_ar",
            "test_first_stage_f",
        ),
        "2SLS (econometrics.fit_iv): coefficients, SEs (iid, robust, cluster; small; dofminus), "
        "KP rk LM and Wald F, Cragg-Donald F, Hansen J / Sargan, Anderson-Rubin, first-stage F",
        "Stata ivreg2",
        "fixtures of restatr/ivreg2r (tests/stata-benchmarks/fixtures, commit 8c666db1), produced in Stata by "
        "its generate-fixtures.do; Card (1995) data via bcuse card",
        "MIT (ivreg2r, F. DiTraglia)",
        "1e-6 relative (1e-5 for SEs with two clusters)",
    ),
    Reference(
        "stata_panel",
        "reference.test_stata_panel",
        ("test_coefficient_t_and_p", "test_covariance_matrix", "test_sample_size_and_r2"),
        "OLS and fixed effects (econometrics.fit_ols): coefficients, t, p, covariance matrices, N, R², "
        "within R² (xtreg, fe's: unit means removed), df; unweighted and aweighted",
        "Stata regress and xtreg, fe",
        "results shipped with the Python package linearmodels 7.1 (tests/panel/results: Stata 13 estout "
        "output of execute-stata-simulated-data.py)",
        "University of Illinois/NCSA (linearmodels, K. Sheppard)",
        "1e-6 relative (covariances: plus 1e-6 of the largest variance)",
    ),
    Reference(
        "fixest",
        "reference.test_fixest",
        ("test_matches_pyfixest", "test_effective_f_matches_pyfixest"),
        'convention="fixest" (two-way absorbed FE): coefficients, SEs, p with iid, robust, one- and '
        "two-way clustering; Montiel Olea-Pflueger effective F",
        "R fixest's conventions, as implemented by pyfixest 0.60",
        "pyfixest, installed from the pinned requirements; Vella-Verbeek wage panel shipped with linearmodels",
        "MIT (pyfixest)",
        "1e-6 relative",
    ),
    Reference(
        "wildboottest",
        "reference.test_wildboottest",
        (
            "test_full_enumeration_p_value_is_exact",
            "test_every_bootstrap_t_matches_with_the_same_draws",
            "test_crv1_factor_difference_is_only_the_nested_effects",
        ),
        "restricted wild cluster bootstrap (econometrics.wild_cluster_bootstrap): p-values and every "
        "bootstrap t (Rademacher enumeration, Webb and Mammen draws)",
        "the wildboottest package 0.3.2 (Roodman et al. 2019's algorithm)",
        "wildboottest, installed from the pinned requirements; Vella-Verbeek wage panel shipped with linearmodels",
        "MIT (wildboottest)",
        "p-values up to their ties (the share of draws within 1e-8 of the observed t), bootstrap t 1e-8 relative",
    ),
    Reference(
        "textbook",
        "reference.test_textbook",
        (
            "test_printed_coefficients_and_standard_errors",
            "test_printed_n_and_r2",
            "test_paper_wrapper_without_effects_has_an_intercept",
            "test_example_15_5_is_over_identified",
        ),
        "OLS and 2SLS (fit_ols, fit_iv, models.fit_iv): coefficients, SEs, N, R², Sargan statistic",
        "Wooldridge, Introductory Econometrics, Examples 15.1, 15.4, 15.5, 15.8",
        "printed results of the textbook; data sets mroz and card shipped with linearmodels",
        "printed values (quoted); data under linearmodels' NCSA licence",
        "half a unit of the last printed digit",
    ),
    Reference(
        "weak_iv",
        "reference.test_weak_iv",
        (
            "test_effective_f_critical_value_with_one_instrument_is_23_1",
            "test_effective_f_with_one_instrument_is_the_robust_first_stage_wald",
            "test_stock_yogo_constant",
            "test_tf_critical_values_printed_by_lee_et_al",
        ),
        "weak-instrument critical values (effective F, Stock-Yogo, tF) and the effective F's definition",
        "Montiel Olea & Pflueger (2013), Andrews, Stock & Sun (2019); Stock & Yogo (2005); "
        "Lee, McCrary, Moreira & Porter (2022)",
        "printed values of the papers",
        "printed values (quoted)",
        "the printed digits",
    ),
    Reference(
        "psacalc",
        "test_robustness",
        ("test_oster_matches_psacalc_on_the_robomit_example",),
        "Oster (2019) bounds (robustness.sensitivity.oster): beta*, its other root, delta, R²",
        "Stata psacalc",
        "output printed in the robomit paper (seschaub/robomit, commit 04a40e26); Windsor house prices "
        "(Anglin & Gencay 1996) from vincentarelbundock/Rdatasets, commit 1dcc2bf5",
        "MIT (robomit); data GPL-3 (Rdatasets), used only as a test input",
        "half a unit of the last printed digit",
    ),
)


def _module(name: str):
    """Import a test module of ``tests/`` (the folder is put on ``sys.path`` as pytest does)."""
    tests = str(repo_root() / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module(name)


def _row(test: str, quantity: str, ours, expected, tolerance: float) -> dict:
    return {"test": test, "quantity": quantity, "ours": float(ours), "expected": float(expected),
            "tolerance": float(tolerance)}  # fmt: skip


def _params(cases) -> Iterator[tuple[str, tuple]]:
    for p in cases:
        yield p.id, p.values  # noqa: PD011 (pytest.param, not a DataFrame)


def _ivreg2(m) -> Iterator[dict]:
    for pid, (spec, suffix, term, what, expected) in _params(m.COEF_CASES):
        res = m._fit(spec, suffix)
        got = res.params[term] if what == "coef" else res.se[term]
        rel = 1e-5 if spec in m.TWO_CLUSTERS and suffix.startswith("cl") else m.REL
        yield _row(f"test_coefficients_and_standard_errors[{pid}]", what, got, expected, rel * abs(expected))
    for pid, (spec, suffix, key, expected) in _params(m.DIAG_CASES):
        got = m._fit(spec, suffix).extra[key]
        yield _row(f"test_weak_identification_overidentification_and_ar[{pid}]", key, got, expected,
                   m.REL * abs(expected))  # fmt: skip
    for pid, (spec, suffix, endog, expected) in _params(m.FIRST_CASES):
        got = m._fit(spec, suffix).extra[f"first_stage_F_{endog}"]
        yield _row(f"test_first_stage_f[{pid}]", "first-stage F", got, expected, m.REL * abs(expected))


def _stata_panel(m) -> Iterator[dict]:
    columns = {"b": "coef", "t": "t", "p": "p"}
    for pid, (key, name, stat, expected) in _params(m.CASES):
        got = m._fit(key)[1].loc[name, columns[stat]]
        tol = 1e-10 if stat == "p" and expected < 1e-12 else 1e-6 * abs(expected)
        yield _row(f"test_coefficient_t_and_p[{pid}]", stat, got, expected, tol)
    for key in m.KEYS:
        res, _, V = m._fit(key)
        ref = m.BLOCKS[key]["V"]
        names = [n for n in ref.index if n in V.index]
        exp = ref.loc[names, names].to_numpy()
        floor = 1e-6 * np.abs(np.diag(exp)).max()
        for got, e in zip(V.loc[names, names].to_numpy().ravel(), exp.ravel(), strict=True):
            yield _row(f"test_covariance_matrix[{key}]", "covariance", got, e, floor + 1e-6 * abs(e))
        stats = m.BLOCKS[key]["stats"]
        test = f"test_sample_size_and_r2[{key}]"
        yield _row(test, "N", res.n, stats["N"], 0.0)
        if key.startswith("pooled"):
            yield _row(test, "R²", res.r2, stats["r2"], 1e-6 * abs(stats["r2"]))
            yield _row(test, "adjusted R²", res.adj_r2, stats["r2_a"], 1e-6 * abs(stats["r2_a"]))
        else:
            yield _row(test, "within R²", res.r2_within, stats["r2_w"], 1e-6 * abs(stats["r2_w"]))
            yield _row(test, "df", res.df, stats["N_g"] - 1 if res.n_clusters else stats["df_r"], 0.0)


def _fixest(m) -> Iterator[dict]:
    for pid, (vcov, x, stat) in _params(m.CASES):
        fx, ours = m._pair(vcov)
        ref = {"coef": fx.coef(), "se": fx.se(), "p": fx.pvalue()}[stat][x]
        tol = 1e-6 * abs(ref) + (1e-12 if stat == "p" else 0.0)
        yield _row(f"test_matches_pyfixest[{pid}]", stat, ours.loc[x, stat], ref, tol)
    import pyfixest as pf

    from aichain_utils.econometrics import absorbed_dof, fit_iv

    mark = next(mk for mk in m.test_effective_f_matches_pyfixest.pytestmark if mk.name == "parametrize")
    for i, (formula, endog, instr, vcov, kw) in enumerate(mark.args[1]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fx = pf.feols(formula, data=m._data(), vcov=vcov)
            fx.first_stage()
            fx.IV_Diag()
        ours = fit_iv(m._data(), "lwage", endog, instr, absorb=["nr", "year"], vcov="robust", **kw)
        n = len(m._data())
        k = absorbed_dof(m._data(), ["nr", "year"]) + len(instr)
        ref = fx._eff_F * n / (n - k)
        yield _row(f"test_effective_f_matches_pyfixest[{i}]", "effective F", ours.extra["effective_f"], ref,
                   1e-6 * abs(ref))  # fmt: skip


def _wild_rows(test: str, ours: dict, wb, ratio_sorted: bool, p_tolerance) -> Iterator[dict]:
    yield _row(test, "bootstrap p", ours["p"], float(wb.pvalue), p_tolerance(wb))  # up to the ties
    ratio = float(np.ravel(wb.t_stat)[0]) / ours["t"]
    got = np.sort(ours["t_boot"]) * ratio if ratio_sorted else ours["t_boot"] * ratio
    exp = np.sort(np.ravel(wb.t_boot)) if ratio_sorted else np.ravel(wb.t_boot)
    for g, e in zip(got, exp, strict=True):
        yield _row(test, "bootstrap t", g, e, 1e-8 * abs(e))


def _wildboottest(m) -> Iterator[dict]:
    mark = next(mk for mk in m.test_full_enumeration_p_value_is_exact.pytestmark if mk.name == "parametrize")
    for b0 in mark.args[1]:
        ours = m._ours("rademacher", b0=b0)
        y = (m._data()["lwage"] - b0 * m._data()["union"]).to_numpy()
        wb = m._wbt(y, "rademacher")
        yield from _wild_rows(f"test_full_enumeration_p_value_is_exact[{b0}]", ours, wb, True, m.p_tolerance)
    mark = next(mk for mk in m.test_every_bootstrap_t_matches_with_the_same_draws.pytestmark)
    for weights in mark.args[1]:
        ours = m._ours(weights, reps=299)
        order = np.argsort(ours["cluster_labels"])
        wb = m._wbt(m._data()["lwage"].to_numpy(), weights, v=ours["weight_matrix"][order])
        yield from _wild_rows(
            f"test_every_bootstrap_t_matches_with_the_same_draws[{weights}]", ours, wb, False, m.p_tolerance
        )
    ours = m._ours("rademacher")
    wb = m._wbt(m._data()["lwage"].to_numpy(), "rademacher")
    d = m._data()
    n, k_all = len(d), m._design().shape[1]
    k_stata = 3 + 1 + d["nr"].nunique() - 1 + d["year"].nunique() - 1
    expected = np.sqrt(((n - 1) / (n - k_stata)) / ((n - 1) / (n - k_all)))
    yield _row("test_crv1_factor_difference_is_only_the_nested_effects", "CRV1 factor",
               float(np.ravel(wb.t_stat)[0]) / ours["t"], expected, 1e-10 * expected)  # fmt: skip


def _textbook(m) -> Iterator[dict]:
    mark = next(mk for mk in m.test_printed_coefficients_and_standard_errors.pytestmark)
    for example, term, coef, se in m.PRINTED:
        res = m._fit(example)
        test = f"test_printed_coefficients_and_standard_errors[{example}-{term}]"
        yield _row(test, "coefficient", res.params[term], float(coef), m._half_unit(coef))
        yield _row(test, "SE", res.se[term], float(se), m._half_unit(se))
    assert len(mark.args[1]) == len(m.PRINTED)
    for example, n, r2 in m.FIT_STATS:
        res = m._fit(example)
        yield _row(f"test_printed_n_and_r2[{example}]", "N", res.n, n, 0.0)
        if r2 is not None:
            yield _row(f"test_printed_n_and_r2[{example}]", "R²", res.r2, float(r2), m._half_unit(r2))
    est = m.models.fit_iv(m._mroz(), "fatheduc", y="lwage", x="educ", controls=None, effects=(), cov="unadjusted")
    test = "test_paper_wrapper_without_effects_has_an_intercept"
    yield _row(test, "coefficient", est.coef, 0.059, 0.0005)
    yield _row(test, "SE", est.se, 0.035, 0.0005)
    res = m._fit("15.5 2SLS")
    test = "test_example_15_5_is_over_identified"
    yield _row(test, "Sargan df", res.extra["hansen_j_df"], 1, 0.0)
    yield _row(test, "Sargan statistic", res.extra["hansen_j"], 0.378, 0.0005)
    yield _row(test, "Sargan p", res.extra["hansen_j_p"], 0.539, 0.0005)


def _weak_iv(m) -> Iterator[dict]:
    from aichain_utils.econometrics.weakiv import TF_CRITICAL_05, effective_f, tf_critical_value

    rng = np.random.default_rng(0)  # the test's draw: K_eff = 1 whatever the heteroskedasticity
    z = rng.normal(size=(500, 1))
    v = 0.5 * z[:, 0] + rng.normal(size=500) * (1 + np.abs(z[:, 0]))
    cv = m.effective_f_critical_value(v, z, kind="robust", tau=0.10)
    yield _row("test_effective_f_critical_value_with_one_instrument_is_23_1", "critical value", cv, 23.1, 0.05)
    rng = np.random.default_rng(1)
    z = rng.normal(size=(400, 1))
    v = 0.3 * z[:, 0] + rng.normal(size=400) * (1 + z[:, 0] ** 2)
    pi = (z[:, 0] @ v) / (z[:, 0] @ z[:, 0])
    e = v - pi * z[:, 0]
    wald = pi**2 / (np.sum(z[:, 0] ** 2 * e**2) / (z[:, 0] @ z[:, 0]) ** 2)
    yield _row("test_effective_f_with_one_instrument_is_the_robust_first_stage_wald", "effective F",
               effective_f(v, z), wald, 1e-12 * wald)  # fmt: skip
    yield _row("test_stock_yogo_constant", "critical value", m.replication.STOCK_YOGO_10PCT, 16.38, 0.0)
    test = "test_tf_critical_values_printed_by_lee_et_al"
    yield _row(test, "table length", len(TF_CRITICAL_05), 84, 0.0)
    yield _row(test, "c(10)", tf_critical_value(10.0), 3.43, 0.01)
    yield _row(test, "c(4)", tf_critical_value(4.0), 18.66, 0.0)
    yield _row(test, "c(106.09)", tf_critical_value(106.09), 1.96, 0.0)


def _psacalc(m) -> Iterator[dict]:
    from aichain_utils.robustness import sensitivity

    h = pd.read_csv(m.ROBOMIT / "Housing.csv")
    controls = np.column_stack([h["bedrooms"], h["bathrms"], (h["driveway"] == "yes").astype(float)])
    o = sensitivity.oster(np.log(h["price"]), np.log(h["lotsize"]), controls, r_max=0.69108)
    test = "test_oster_matches_psacalc_on_the_robomit_example"
    yield _row(test, "N", len(h), 546, 0.0)
    printed = {"beta_short": 0.54218, "beta_controlled": 0.40021, "beta_star": 0.27276,
               "beta_star_other_root": 1.69268, "delta_for_zero": 1.99145}  # fmt: skip
    for key, value in printed.items():
        yield _row(test, key, o[key], value, 5e-6)
    yield _row(test, "r2_short", o["r2_short"], 0.336, 5e-4)
    yield _row(test, "r2_controlled", o["r2_controlled"], 0.532, 5e-4)
    yield _row(test, "squared difference", (o["beta_star"] - o["beta_controlled"]) ** 2, 0.0162, 5e-5)
    yield _row(test, "squared difference (other root)", (o["beta_star_other_root"] - o["beta_controlled"]) ** 2,
               1.67, 5e-3)  # fmt: skip


_COMPARE: dict[str, Callable] = {
    "ivreg2": _ivreg2,
    "stata_panel": _stata_panel,
    "fixest": _fixest,
    "wildboottest": _wildboottest,
    "textbook": _textbook,
    "weak_iv": _weak_iv,
    "psacalc": _psacalc,
}


def run_comparisons(keys: list[str] | None = None) -> tuple[pd.DataFrame, dict[str, float]]:
    """Rerun the reference comparisons, one row per number compared.

    Parameters
    ----------
    keys : list of str, optional
        Which references of :data:`REFERENCES` (by ``key``); default all.

    Returns
    -------
    comparisons : DataFrame
        :data:`COMPARISON_COLUMNS` plus ``abs_diff``, ``rel_diff`` (relative to ``|expected|``; NaN
        when the expected value is 0) and ``within`` (``abs_diff <= tolerance``, the test's own rule).
    seconds : dict
        Wall-clock seconds each reference took (fits included).

    Raises
    ------
    AichainInputError
        If a key names no reference.
    """
    from aichain_utils.errors import input_error

    known = [r.key for r in REFERENCES]
    keys = known if keys is None else list(keys)
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise input_error("keys", f"must name references of validation.REFERENCES ({known})", unknown)
    rows, seconds = [], {}
    for ref in (r for r in REFERENCES if r.key in keys):
        t0 = time.perf_counter()
        module = _module(ref.module)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows += [{"reference": ref.key, **row} for row in _COMPARE[ref.key](module)]
        seconds[ref.key] = time.perf_counter() - t0
    out = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    out["abs_diff"] = (out["ours"] - out["expected"]).abs()
    out["rel_diff"] = out["abs_diff"] / out["expected"].abs().where(out["expected"] != 0)
    out["within"] = out["abs_diff"] <= out["tolerance"]
    return out, seconds


def _count_cases(func) -> int:
    """How many test cases pytest collects from one test function (the product of its parametrizations)."""
    marks = [mk for mk in getattr(func, "pytestmark", []) if mk.name == "parametrize"]
    return math.prod(len(mk.args[1]) for mk in marks) if marks else 1


def pytest_case_counts() -> pd.DataFrame:
    """Test cases pytest collects from each test function, counted from the test modules themselves.

    Returns
    -------
    DataFrame
        ``reference`` (key, or empty), ``module``, ``test`` (function name) and ``cases``: one row per
        ``test_*`` function of every module of ``tests/reference`` and of every module
        :data:`REFERENCES` names. ``reference`` is empty for a function no reference lists (a test
        that compares nothing, such as a count of the cases, or one the appendix misses).
    """
    modules = {r.module for r in REFERENCES}
    modules |= {f"reference.{p.stem}" for p in (repo_root() / "tests" / "reference").glob("test_*.py")}
    rows = []
    for module in sorted(modules):
        m = _module(module)
        owners = {t: r.key for r in REFERENCES if r.module == module for t in r.tests}
        for name in (n for n in dir(m) if n.startswith("test_") and callable(getattr(m, n))):
            if module.startswith("reference.") or name in owners:
                cases = _count_cases(getattr(m, name))
                rows.append({"reference": owners.get(name, ""), "module": module, "test": name, "cases": cases})
    return pd.DataFrame(rows)


def reference_summary(comparisons: pd.DataFrame, seconds: dict[str, float]) -> pd.DataFrame:
    """One row per reference: what is compared with what, how many, and the largest difference.

    Parameters
    ----------
    comparisons, seconds
        The output of :func:`run_comparisons`.

    Returns
    -------
    DataFrame
        ``estimator``, ``external reference``, ``origin``, ``licence``, ``test cases``, ``numbers``,
        ``largest |difference|``, ``largest relative difference``, ``outside tolerance``,
        ``tolerance``, ``seconds``.
    """
    rows = []
    for ref in REFERENCES:
        g = comparisons[comparisons["reference"] == ref.key]
        if g.empty:
            continue
        rows.append(
            {
                "estimator": ref.estimator,
                "external reference": ref.program,
                "origin": ref.origin,
                "licence": ref.licence,
                "test cases": int(g["test"].nunique()),
                "numbers": len(g),
                "largest |difference|": float(g["abs_diff"].max()),
                "largest relative difference": float(g["rel_diff"].max()),
                "outside tolerance": int((~g["within"]).sum()),
                "tolerance": ref.tolerance,
                "seconds": round(seconds.get(ref.key, float("nan")), 1),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- the slow reference
#: References too slow to rerun on every build (the wildboottest package on a dense design of 560
#: dummies: about a minute on a loaded two-core machine). Their comparisons are stored in
#: ``data/validation/`` with a fingerprint of everything they depend on; a build uses the record only
#: while the fingerprint matches, and reruns the comparisons otherwise, so no page shows a stale count.
SLOW_REFERENCES: tuple[str, ...] = ("wildboottest",)


def _record_dir():
    return data_dir() / "validation"


def record_fingerprint(key: str) -> str:
    """SHA-256 over what a reference's comparisons depend on.

    The test module that defines the cases, this module, every file of ``aichain_utils/econometrics``
    and ``requirements.txt`` (the pinned external package).
    """
    root = repo_root()
    ref = next(r for r in REFERENCES if r.key == key)
    files = [
        root / "tests" / (ref.module.replace(".", "/") + ".py"),
        root / "aichain_utils" / "replication" / "validation.py",
    ]
    files += sorted((root / "aichain_utils" / "econometrics").glob("*.py"))
    files.append(root / "requirements.txt")
    h = hashlib.sha256()
    for path in files:
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def save_record(keys: tuple[str, ...] = SLOW_REFERENCES) -> None:
    """Rerun the slow references' comparisons and store them with their fingerprint and timing."""
    folder = _record_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for key in keys:
        comparisons, seconds = run_comparisons([key])
        comparisons.to_parquet(folder / f"{key}.parquet", index=False)
        meta = {"reference": key, "seconds": round(seconds[key], 1), "fingerprint": record_fingerprint(key)}
        (folder / f"{key}.json").write_text(json.dumps(meta, indent=2) + "\n")


def load_record(key: str) -> tuple[pd.DataFrame, dict, bool] | None:
    """A stored record: its comparisons, metadata and whether it is current; None if there is none."""
    folder = _record_dir()
    if not (folder / f"{key}.json").is_file():
        return None
    meta = json.loads((folder / f"{key}.json").read_text())
    return pd.read_parquet(folder / f"{key}.parquet"), meta, meta["fingerprint"] == record_fingerprint(key)


def build_comparisons() -> tuple[pd.DataFrame, dict[str, float], dict[str, str]]:
    """The comparisons a book build shows: every fast reference rerun now, each slow one from its
    record while the record is current and rerun otherwise.

    Returns
    -------
    comparisons, seconds
        As :func:`run_comparisons` (``seconds`` of a recorded reference: the recorded run's).
    source : dict
        ``{reference key: "rerun on this build" or "stored record (current)"}``.
    """
    fast = [r.key for r in REFERENCES if r.key not in SLOW_REFERENCES]
    comparisons, seconds = run_comparisons(fast)
    source = dict.fromkeys(fast, "rerun on this build")
    parts = [comparisons]
    for key in SLOW_REFERENCES:
        record = load_record(key)
        if record is not None and record[2]:
            parts.append(record[0])
            seconds[key] = float(record[1]["seconds"])
            source[key] = "stored record (current)"
        else:
            live, took = run_comparisons([key])
            parts.append(live)
            seconds.update(took)
            source[key] = "rerun on this build"
    return pd.concat(parts, ignore_index=True), seconds, source


def main() -> int:  # pragma: no cover - the documented command
    """``python -m aichain_utils.replication.validation``: rerun and store the slow references' comparisons."""
    save_record()
    for key in SLOW_REFERENCES:
        _, meta, current = load_record(key)
        print(f"{key}: stored in {_record_dir()} ({meta['seconds']} s; current: {current})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
