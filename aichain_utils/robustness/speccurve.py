"""Specification curve (设定曲线) of the main claim, AIE -> ERL (Simonsohn, Simmons & Nelson 2020).

Every combination of the book's readings and their reasonable alternatives is estimated:

* AIE weights: the entropy weights the book computes, the printed Table 1 weights, equal weights;
* sample: full, to 2022 (Table 5 column 5), trimmed at the 1% or the 5% largest absolute residuals of
  equation (1) (Table 5 column 6 reads "残差大于 5" as 5%);
* estimator: OLS with fixed effects (unit, industry or none; year or not), first differences with year
  effects, and 2SLS with each of Table 4's instruments (unit and year effects, the five controls);
* controls: none, the five, or the five less one;
* standard errors: robust, clustered by unit, clustered by industry.

Each (weights, sample, fixed effects) block is demeaned once and every control set is fitted on the
demeaned columns (Frisch–Waugh–Lovell), so several hundred specifications take about a second.
The joint test of the curve is a wild cluster bootstrap under the null (Rademacher weights by unit,
one draw shared by all specifications): since each OLS estimate is linear in the outcome, its draw
is ``sum_i c_i v_g(i) r_i`` with ``c`` the estimate's row of ``(X'X)^{-1} X'`` and ``r`` the residuals
of the model without AIE.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from aichain_utils.robustness._linalg import (
    absorbed_dof,
    demean_columns,
    nested_in,
    ols_fit,
    single_threaded_blas,
)

__all__ = [
    "BOOK_SPEC",
    "CONTROLS",
    "FIXED_EFFECTS",
    "SpecCurve",
    "aie_weight_variants",
    "specification_curve",
    "trim_by_residual",
]

CONTROLS = ["lngdp", "imp", "exp", "inst", "tra"]

#: Fixed-effect choices of the OLS estimator: label -> columns absorbed (empty: an intercept only).
FIXED_EFFECTS: dict[str, list[str]] = {
    "unit + year": ["unit_id", "year"],
    "unit": ["unit_id"],
    "industry + year": ["industry_id", "year"],
    "industry": ["industry_id"],
    "year": ["year"],
    "none": [],
}
SAMPLES = ["full", "to 2022", "trim 1%", "trim 5%"]
SE_TYPES = {"robust": None, "cluster unit": "unit_id", "cluster industry": "industry_id"}
INSTRUMENTS = ["IV1", "IV2", "IV3", "IV4"]

#: The book's reading of equation (1) (Table 3 column 6).
BOOK_SPEC = {
    "weights": "entropy",
    "sample": "full",
    "estimator": "OLS",
    "fe": "unit + year",
    "controls": "five",
    "se": "robust",
}


def aie_weight_variants(raw: pd.DataFrame) -> pd.DataFrame:
    """AIE under three weightings of Table 1's 24 indicators, keyed by ``unit_id`` and ``year``.

    ``entropy`` are the weights the book computes from the data (its reading of Table 1),
    ``published`` the weights Table 1 prints (with its indicator directions), ``equal`` 1/24 each.
    """
    from aichain_utils.indices import entropy_index
    from aichain_utils.published import load_table1
    from aichain_utils.simulate import AIE_INDICATOR_COLUMNS

    missing = [c for c in ["unit_id", "year", *AIE_INDICATOR_COLUMNS] if c not in raw.columns]
    if missing:
        raise ValueError(f"raw inputs: missing column(s) {missing}")
    ind = raw[AIE_INDICATOR_COLUMNS]
    t1 = load_table1()
    out = raw[["unit_id", "year"]].copy()
    out["entropy"] = entropy_index(ind, ["+"] * 24)[0]
    out["published"] = entropy_index(ind, t1["sign"].tolist(), t1["weight"].to_numpy())[0]
    out["equal"] = entropy_index(ind, ["+"] * 24, np.full(24, 1 / 24))[0]
    return out.reset_index(drop=True)


def trim_by_residual(frame: pd.DataFrame, share: float, y: str, x: str, controls: list[str]) -> pd.DataFrame:
    """Drop the ``share`` of rows with the largest absolute residuals of equation (1) (unit and year effects)."""
    cols = [y, x, *controls]
    codes = [pd.factorize(frame[c])[0] for c in ("unit_id", "year")]
    dm = demean_columns(frame[cols].to_numpy(float), codes)
    _, u, _ = ols_fit(dm[:, 1:], dm[:, 0])
    return frame.loc[np.abs(u) <= np.quantile(np.abs(u), 1 - share)]


def _samples(frame: pd.DataFrame, y: str, x: str, controls: list[str]) -> dict[str, pd.DataFrame]:
    return {
        "full": frame,
        "to 2022": frame[frame["year"] <= 2022],
        "trim 1%": trim_by_residual(frame, 0.01, y, x, controls),
        "trim 5%": trim_by_residual(frame, 0.05, y, x, controls),
    }


def _control_sets(controls: list[str]) -> dict[str, list[str]]:
    sets = {"five": list(controls), "none": []}
    sets.update({f"without {c}": [d for d in controls if d != c] for c in controls})
    return sets


def _row(spec: dict, beta: float, cov_by_se: dict, n: int) -> list[dict]:
    """One row per standard-error type; t, p and the interval are added by :func:`_finish`."""
    return [
        {**spec, "se": label, "estimate": beta, "std_error": float(np.sqrt(var)), "df": df, "n": n}
        for label, (var, df) in cov_by_se.items()
    ]


def _finish(rows: list[dict]) -> pd.DataFrame:
    t = pd.DataFrame(rows)
    t["t"] = t["estimate"] / t["std_error"]
    t["p"] = 2 * stats.t.sf(t["t"].abs(), t["df"])
    crit = stats.t.ppf(0.975, t["df"])
    t["ci_low"] = t["estimate"] - crit * t["std_error"]
    t["ci_high"] = t["estimate"] + crit * t["std_error"]
    return t


#: Which fixed effects are nested in which clusters (units lie within industries).
_NESTED = {None: set(), "unit_id": {"unit_id"}, "industry_id": {"unit_id", "industry_id"}}


def _se_context(frame: pd.DataFrame, fe: list[str]) -> dict:
    """Per standard-error type: cluster codes (None for robust), the absorbed degrees of freedom, the
    number of clusters and of observations."""
    out = {}
    n = len(frame)
    for label, cl in SE_TYPES.items():
        k_abs = absorbed_dof(frame, fe, _NESTED[cl])
        codes = None if cl is None else pd.factorize(frame[cl])[0]
        out[label] = (codes, k_abs, 0 if codes is None else int(codes.max()) + 1, n)
    return out


def _covs(context: dict, X, u, bread) -> dict:
    """Variance of the first coefficient and the t df for each standard-error type.

    The same HC1 and CR1 formulas as ``_linalg.ols_cov``, for the first coefficient only:
    ``e_1' V e_1 = factor * sum_g (sum_{i in g} (x_i' (X'X)^{-1} e_1) u_i)^2``.
    """
    s = (X @ bread[0]) * u
    out = {}
    for label, (codes, k_abs, g, n) in context.items():
        k = X.shape[1] + k_abs
        if codes is None:
            out[label] = (n / (n - k) * (s @ s), n - k)
        else:
            sg = np.bincount(codes, weights=s, minlength=g)
            out[label] = (g / (g - 1) * (n - 1) / (n - k) * (sg @ sg), g - 1)
    return out


def _ols_block(frame, fe_label, y, x, control_sets, base, unit_index):
    """All control sets for one (weights, sample, fixed effects) block; rows and null-draw loadings."""
    fe = FIXED_EFFECTS[fe_label]
    allc = control_sets["five"]
    D = demean_columns(frame[[y, x, *allc]].to_numpy(float), [pd.factorize(frame[f])[0] for f in fe])
    pos = {c: j for j, c in enumerate([y, x, *allc])}
    units = unit_index.get_indexer(frame["unit_id"])
    context = _se_context(frame, fe)
    gram = D.T @ D  # every control set's X'X and X'y are blocks of it
    rows, loadings = [], []
    for c_label, cset in control_sets.items():
        idx = [pos[x]] + [pos[c] for c in cset]
        X = D[:, idx]
        bread = np.linalg.inv(gram[np.ix_(idx, idx)])
        beta = bread @ gram[idx, 0]
        u = D[:, 0] - X @ beta
        spec = {**base, "estimator": "OLS", "fe": fe_label, "controls": c_label}
        rows += _row(spec, float(beta[0]), _covs(context, X, u, bread), len(frame))
        # null draws: residuals without AIE, and AIE's row of (X'X)^{-1} X'
        r = D[:, 0] - (X[:, 1:] @ np.linalg.solve(gram[np.ix_(idx[1:], idx[1:])], gram[idx[1:], 0]) if cset else 0.0)
        loadings.append(np.bincount(units, weights=(X @ bread[0]) * r, minlength=len(unit_index)))
    return rows, loadings


def _fd_block(frame, y, x, control_sets, base):
    """First differences of consecutive years within unit, year effects, each control set."""
    frame = frame.sort_values(["unit_id", "year"])
    cols = [y, x, *control_sets["five"]]
    gap = frame.groupby("unit_id")["year"].diff()
    diff = frame.groupby("unit_id")[cols].diff().loc[gap == 1]
    keys = frame.loc[gap == 1, ["unit_id", "industry_id", "year"]]
    D = demean_columns(diff.to_numpy(float), [pd.factorize(keys["year"])[0]])
    pos = {c: j for j, c in enumerate(cols)}
    context = _se_context(keys, ["year"])
    rows = []
    for c_label, cset in control_sets.items():
        X = D[:, [pos[x]] + [pos[c] for c in cset]]
        beta, u, bread = ols_fit(X, D[:, 0])
        spec = {**base, "estimator": "FD", "fe": "unit (differenced) + year", "controls": c_label}
        rows += _row(spec, float(beta[0]), _covs(context, X, u, bread), len(keys))
    return rows


def _iv_block(frame, y, x, controls, base):
    """2SLS with each instrument, unit and year effects absorbed, the five controls.

    IV2-IV4 share one demeaned sample; IV1 (lagged AIE) loses each unit's first year and has its own.
    """
    rows = []
    fe = ["unit_id", "year"]
    for ivs in (["IV1"], ["IV2", "IV3", "IV4"]):
        sub = frame.dropna(subset=ivs)
        cols = [y, x, *controls, *ivs]
        D = demean_columns(sub[cols].to_numpy(float), [pd.factorize(sub[f])[0] for f in fe])
        context = _se_context(sub, fe)
        k = 2 + len(controls)
        Xe = D[:, 1:k]
        for j, iv in enumerate(ivs):
            Z = np.column_stack([D[:, k + j], D[:, 2:k]])
            Xhat = Z @ np.linalg.solve(Z.T @ Z, Z.T @ Xe)
            beta, _, bread = ols_fit(Xhat, D[:, 0])
            u = D[:, 0] - Xe @ beta
            spec = {**base, "estimator": f"2SLS {iv}", "fe": "unit + year", "controls": "five"}
            rows += _row(spec, float(beta[0]), _covs(context, Xhat, u, bread), len(sub))
    return rows


def _with_aie(data: pd.DataFrame, variants: pd.DataFrame | None, weights: str, x: str) -> pd.DataFrame:
    frame = data.copy()
    if variants is not None and weights != "entropy":
        key = frame[["unit_id", "year"]].merge(variants, on=["unit_id", "year"], how="left", validate="one_to_one")
        if key[weights].isna().any():
            raise ValueError(f"AIE variant '{weights}': no value for some (unit_id, year) of the panel")
        frame[x] = key[weights].to_numpy()
        frame = frame.sort_values(["unit_id", "year"])
        prev = frame.groupby("unit_id")["year"].shift(1)
        frame["IV1"] = frame.groupby("unit_id")[x].shift(1).where(prev == frame["year"] - 1)
    return frame


@dataclass
class SpecCurve:
    """The estimated specifications and, if requested, the joint test under the null.

    Attributes
    ----------
    table : DataFrame
        One row per specification (choice of every dimension, the standard error included).
    null : dict
        ``reps``, ``seed`` and the bootstrap p-values of the median estimate and of the share of
        positive and significant OLS specifications (empty if no draws were made).
    """

    table: pd.DataFrame
    null: dict = field(default_factory=dict)

    @property
    def points(self) -> pd.DataFrame:
        """One row per point estimate (robust standard errors), sorted by the estimate."""
        t = self.table[self.table["se"] == "robust"].sort_values("estimate").reset_index(drop=True)
        return t

    def summary(self) -> dict:
        """Share positive, share positive and significant at 5%, median and range, and the book's estimate."""
        t = self.table
        book = t
        for k, v in BOOK_SPEC.items():
            book = book[book[k] == v]
        return {
            "specifications": len(t),
            "point_estimates": len(self.points),
            "share_positive": float((self.points["estimate"] > 0).mean()),
            "share_positive_significant": float(((t["estimate"] > 0) & (t["p"] < 0.05)).mean()),
            "median": float(self.points["estimate"].median()),
            "min": float(t["estimate"].min()),
            "max": float(t["estimate"].max()),
            "book_estimate": float(book["estimate"].iloc[0]) if len(book) else float("nan"),
            **{f"null_{k}": v for k, v in self.null.items()},
        }


@single_threaded_blas
def specification_curve(
    data: pd.DataFrame,
    aie_variants: pd.DataFrame | None = None,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = None,
    null_reps: int = 999,
    seed: int = 20251123,
) -> SpecCurve:
    """Estimate the specification curve of ``x -> y`` and its joint test under the null.

    Parameters
    ----------
    data : DataFrame
        The analysis panel (``unit_id``, ``industry_id``, ``year``, ``y``, ``x``, controls, IV1-IV4).
    aie_variants : DataFrame, optional
        From :func:`aie_weight_variants`; without it only the book's entropy weights are used.
    null_reps : int
        Wild-bootstrap draws of the joint test (0 skips it).
    seed : int
        Seed of the Rademacher draws.
    """
    controls = list(CONTROLS if controls is None else controls)
    need = ["unit_id", "industry_id", "year", y, x, *controls, *INSTRUMENTS]
    missing = [c for c in need if c not in data.columns]
    if missing:
        raise ValueError(f"specification_curve: the panel lacks column(s) {missing}")
    if not nested_in(data, "unit_id", "industry_id"):
        raise ValueError("column 'unit_id': each unit must lie in one industry_id (the clustering assumes it)")
    weights = ["entropy"] if aie_variants is None else ["entropy", "published", "equal"]
    control_sets = _control_sets(controls)
    unit_index = pd.Index(np.sort(data["unit_id"].unique()))
    rows, loadings, ols_rows = [], [], []
    for w in weights:
        frame = _with_aie(data, aie_variants, w, x).dropna(subset=[y, x, *controls])
        for s_label, sample in _samples(frame, y, x, controls).items():
            base = {"weights": w, "sample": s_label}
            for fe_label in FIXED_EFFECTS:
                r, load = _ols_block(sample, fe_label, y, x, control_sets, base, unit_index)
                rows += r
                ols_rows += r
                loadings += load
            rows += _fd_block(sample, y, x, control_sets, base)
            rows += _iv_block(sample, y, x, controls, base)
    curve = SpecCurve(_finish(rows))
    if null_reps:
        curve.null = _null_test(_finish(ols_rows), np.vstack(loadings), null_reps, seed)
    return curve


def _null_test(ols: pd.DataFrame, loadings: np.ndarray, reps: int, seed: int) -> dict:
    """Wild cluster bootstrap under the null for the OLS curve: median and share positive-significant."""
    rng = np.random.default_rng(seed)
    v = rng.choice([-1.0, 1.0], size=(loadings.shape[1], reps))
    draws = loadings @ v  # (points, reps): one draw of every OLS estimate under the null
    n_se = len(SE_TYPES)
    se = ols["std_error"].to_numpy().reshape(-1, n_se)
    crit = ols["ci_high"].sub(ols["estimate"]).to_numpy().reshape(-1, n_se) / se
    obs_beta = ols["estimate"].to_numpy().reshape(-1, n_se)[:, 0]
    obs_median = float(np.median(obs_beta))
    obs_share = float(((obs_beta[:, None] / se) > crit).mean())
    null_median = np.median(draws, axis=0)
    null_share = ((draws[:, None, :] / se[:, :, None]) > crit[:, :, None]).mean(axis=(0, 1))
    return {
        "reps": reps,
        "seed": seed,
        "p_median": float((1 + np.sum(null_median >= obs_median)) / (reps + 1)),
        "p_share": float((1 + np.sum(null_share >= obs_share)) / (reps + 1)),
        "share_null_mean": float(null_share.mean()),
    }
