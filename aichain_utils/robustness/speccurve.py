"""Specification curve (设定曲线) of the main claim, AIE -> ERL (Simonsohn, Simmons & Nelson 2020).

Every combination of the book's readings and their reasonable alternatives is estimated:

* measurement readings: the book's and each alternative reading of the paper's formulas that changes
  ERL, AIE or a control (:data:`CURVE_SWITCHES`), with the book's AIE weights;
* AIE weights: the entropy weights the book computes, the printed Table 1 weights, equal weights;
* sample: full, to 2022 (Table 5 column 5), trimmed at the 1% or the 5% largest absolute residuals of
  equation (1) (Table 5 column 6 reads "残差大于 5" as 5%);
* estimator: OLS with fixed effects (unit, industry or none; year or not), first differences with year
  effects, and 2SLS with each of Table 4's instruments (unit and year effects, the five controls);
* controls: none, the five, or the five less one;
* standard errors: robust, clustered by unit, clustered by industry.

Each (sample, fixed effects) block is demeaned once for the three weightings (when their samples are
the same rows) and every control set is fitted on the demeaned columns (Frisch–Waugh–Lovell), so
some four thousand specifications take a few seconds.

The joint test of the curve is a wild cluster bootstrap under the null (Rademacher weights by unit,
one draw shared by all specifications, so their dependence is kept). Every estimate of the curve is
linear in the outcome, so its draw is ``sum_i c_i v_g(i) r_i`` with ``c`` the estimate's row of
``(X'X)^{-1} X'`` (for 2SLS, of ``(X̂'X̂)^{-1} X̂'`` with the first stage held at its estimate) and ``r``
the residuals of the same specification without AIE (in first differences for the FD estimator).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from aichain_utils.errors import AichainInputError, input_error
from aichain_utils.robustness import _checks as check
from aichain_utils.robustness._linalg import (
    absorbed_dof,
    demean_columns,
    inv_checked,
    nested_in,
    ols_fit,
    single_threaded_blas,
    solve_checked,
)

__all__ = [
    "BOOK_SPEC",
    "CONTROLS",
    "CURVE_SWITCHES",
    "FIXED_EFFECTS",
    "SpecCurve",
    "aie_weight_variants",
    "specification_curve",
    "trim_by_residual",
    "usable_readings",
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
#: The reading switches (equations.yml) whose alternatives change a variable of the curve: ERL
#: (``upsilon``, ``inter_numerator``) or the controls imp and exp (``trade_scale``). The other switches
#: change the mediators, IA or the value-chain variables only (a test rebuilds every alternative and checks).
CURVE_SWITCHES = ("upsilon", "inter_numerator", "trade_scale")
SAMPLES = ["full", "to 2022", "trim 1%", "trim 5%"]
SE_TYPES = {"robust": None, "cluster unit": "unit_id", "cluster industry": "industry_id"}
INSTRUMENTS = ["IV1", "IV2", "IV3", "IV4"]

#: The book's reading of equation (1) (Table 3 column 6).
BOOK_SPEC = {
    "reading": "book",
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

    Raises
    ------
    AichainInputError
        If ``raw`` lacks ``unit_id``, ``year`` or an indicator column, or an identifier is missing; and
        what :func:`aichain_utils.measurement.indices.entropy_index` raises on the indicators.
    """
    from aichain_utils.inputs.published import load_table1
    from aichain_utils.measurement.indices import entropy_index
    from aichain_utils.simulation.simulate import AIE_INDICATOR_COLUMNS

    check.columns(raw, ["unit_id", "year", *AIE_INDICATOR_COLUMNS], "raw")
    check.ids(raw, ["unit_id", "year"])
    ind = raw[AIE_INDICATOR_COLUMNS]
    t1 = load_table1()
    out = raw[["unit_id", "year"]].copy()
    out["entropy"] = entropy_index(ind, ["+"] * 24)[0]
    out["published"] = entropy_index(ind, t1["sign"].tolist(), t1["weight"].to_numpy())[0]
    out["equal"] = entropy_index(ind, ["+"] * 24, np.full(24, 1 / 24))[0]
    return out.reset_index(drop=True)


def trim_by_residual(frame: pd.DataFrame, share: float, y: str, x: str, controls: list[str]) -> pd.DataFrame:
    """Drop the ``share`` of rows with the largest absolute residuals of equation (1) (unit and year effects).

    Raises
    ------
    AichainInputError
        If ``share`` is not in [0, 1); a column is missing, non-numeric, infinite or missing in some row;
        ``unit_id`` or ``year`` has missing values; ``y``, ``x`` and the controls are not distinct; or
        ``x`` or a control does not vary within units and years or is collinear with the others.
    """
    share = check.scalar("share", share, low=0.0, high=1.0, high_open=True)
    controls = check.names("controls", controls)
    check.distinct_roles([("y", [y]), ("x", [x]), ("controls", controls)])
    cols = [y, x, *controls]
    check.columns(frame, [*cols, "unit_id", "year"], "frame")
    check.ids(frame, ["unit_id", "year", *cols])
    check.finite(frame, cols)
    codes = [pd.factorize(frame[c])[0] for c in ("unit_id", "year")]
    dm = demean_columns(frame[cols].to_numpy(float), codes)
    check.full_rank(dm[:, 1:], frame[cols[1:]].to_numpy(float), cols[1:], "trim_by_residual", "unit_id and year")
    _, u, _ = ols_fit(dm[:, 1:], dm[:, 0], "trim_by_residual")
    return frame.loc[np.abs(u) <= np.quantile(np.abs(u), 1 - share)]


def _same_rows(masks: dict) -> list[tuple[list, np.ndarray]]:
    """Group the weightings whose estimation samples are the same rows (their demeaning is shared)."""
    groups: list[tuple[list, np.ndarray]] = []
    for w, m in masks.items():
        for ws, gm in groups:
            if np.array_equal(gm, m):
                ws.append(w)
                break
        else:
            groups.append(([w], m))
    return groups


def _samples(frame: pd.DataFrame, label: str, y: str, xs: dict, controls: list[str]):
    """The rows of sample ``label`` for each weighting, as (weightings, rows) pairs.

    The full and the to-2022 samples are the same rows for every weighting (when their missing values
    agree), so one demeaning serves all three; the trimmed samples depend on each weighting's residuals.
    """
    masks = {w: frame[[y, x, *controls]].notna().all(axis=1).to_numpy() for w, x in xs.items()}
    if label == "to 2022":
        masks = {w: m & (frame["year"] <= 2022).to_numpy() for w, m in masks.items()}
    if label in ("full", "to 2022"):
        return [(ws, frame.loc[m]) for ws, m in _same_rows(masks)]
    share = {"trim 1%": 0.01, "trim 5%": 0.05}[label]
    return [([w], trim_by_residual(frame.loc[masks[w]], share, y, xs[w], controls)) for w in xs]


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
    out, dof = {}, {}
    n = len(frame)
    for label, cl in SE_TYPES.items():
        kept = tuple(f for f in fe if f not in _NESTED[cl])
        if kept not in dof:
            dof[kept] = absorbed_dof(frame, list(kept))
        codes = None if cl is None else pd.factorize(frame[cl])[0]
        out[label] = (codes, dof[kept], 0 if codes is None else int(codes.max()) + 1, n)
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
        if n <= k:
            raise input_error("data", f"a specification has {n} rows for {k} parameters: no residual degrees of "
                              "freedom", [n], what="rows")  # fmt: skip
        if codes is not None and g < 2:
            raise input_error(label, "needs at least 2 clusters in every specification's sample", [g], what="count")
        if codes is None:
            out[label] = (n / (n - k) * (s @ s), n - k)
        else:
            sg = np.bincount(codes, weights=s, minlength=g)
            out[label] = (g / (g - 1) * (n - 1) / (n - k) * (sg @ sg), g - 1)
    return out


def _spec(w, base: dict, **choices) -> dict:
    return {**({} if w is None else {"weights": w}), **base, **choices}


def _ols_block(frame, fe_label, y, xs, control_sets, base, unit_index) -> dict:
    """All control sets for one (sample, fixed effects) block and every weighting in ``xs`` (label ->
    column; the block is demeaned once). Returns, per weighting, the rows and the null-draw loadings."""
    fe = FIXED_EFFECTS[fe_label]
    cols = [y, *xs.values(), *control_sets["five"]]
    D = demean_columns(frame[cols].to_numpy(float), [pd.factorize(frame[f])[0] for f in fe])
    pos = {c: j for j, c in enumerate(cols)}
    units = unit_index.get_indexer(frame["unit_id"])
    context = _se_context(frame, fe)
    gram = D.T @ D  # every control set's X'X and X'y are blocks of it
    r_null = _null_residuals(D, pos, control_sets)  # the same for every weighting
    out = {}
    for w, x in xs.items():
        rows, loadings = [], []
        for c_label, cset in control_sets.items():
            idx = [pos[x]] + [pos[v] for v in cset]
            X = D[:, idx]
            bread = inv_checked(gram[np.ix_(idx, idx)], f"OLS with fe {fe_label!r}, controls {c_label!r} ({base})")
            beta = bread @ gram[idx, 0]
            u = D[:, 0] - X @ beta
            spec = _spec(w, base, estimator="OLS", fe=fe_label, controls=c_label)
            rows += _row(spec, float(beta[0]), _covs(context, X, u, bread), len(frame))
            # AIE's row of (X'X)^{-1} X' times the null residuals, summed by unit
            loadings.append(np.bincount(units, weights=(X @ bread[0]) * r_null[c_label], minlength=len(unit_index)))
        out[w] = (rows, loadings)
    return out


def _null_residuals(D: np.ndarray, pos: dict, control_sets: dict) -> dict:
    """Residuals of the outcome (column 0 of the demeaned ``D``) on each control set alone: the model
    without AIE, whose residuals the null draws multiply."""
    gram = D.T @ D
    out = {}
    for c_label, cset in control_sets.items():
        c = [pos[v] for v in cset]
        fit = D[:, c] @ solve_checked(gram[np.ix_(c, c)], gram[c, 0], f"controls {c_label!r}") if c else 0.0
        out[c_label] = D[:, 0] - fit
    return out


def _fd_block(frame, y, xs, control_sets, base, unit_index) -> dict:
    """First differences of consecutive years within unit, year effects, each control set (per weighting).
    Returns, per weighting, the rows and the null-draw loadings."""
    frame = frame.sort_values(["unit_id", "year"])
    cols = [y, *xs.values(), *control_sets["five"]]
    gap = frame.groupby("unit_id")["year"].diff()
    diff = frame.groupby("unit_id")[cols].diff().loc[gap == 1]
    keys = frame.loc[gap == 1, ["unit_id", "industry_id", "year"]]
    D = demean_columns(diff.to_numpy(float), [pd.factorize(keys["year"])[0]])
    pos = {c: j for j, c in enumerate(cols)}
    context = _se_context(keys, ["year"])
    units = unit_index.get_indexer(keys["unit_id"])
    r_null = _null_residuals(D, pos, control_sets)
    out = {}
    for w, x in xs.items():
        rows, loadings = [], []
        for c_label, cset in control_sets.items():
            X = D[:, [pos[x]] + [pos[c] for c in cset]]
            beta, u, bread = ols_fit(X, D[:, 0], f"first differences, controls {c_label!r} ({base})")
            spec = _spec(w, base, estimator="FD", fe="unit (differenced) + year", controls=c_label)
            rows += _row(spec, float(beta[0]), _covs(context, X, u, bread), len(keys))
            loadings.append(np.bincount(units, weights=(X @ bread[0]) * r_null[c_label], minlength=len(unit_index)))
        out[w] = (rows, loadings)
    return out


def _iv_fits(sub, y, pairs, controls, base, out, unit_index) -> None:
    """2SLS of ``y`` on each (weighting, endogenous column, instrument) in ``pairs`` with the controls,
    unit and year effects absorbed, on the rows of ``sub`` (demeaned once); rows and null-draw loadings
    appended to ``out``."""
    cols = list(dict.fromkeys([y, *[c for _, x, z in pairs for c in (x, z)], *controls]))
    D = demean_columns(sub[cols].to_numpy(float), [pd.factorize(sub[f])[0] for f in ("unit_id", "year")])
    pos = {c: j for j, c in enumerate(cols)}
    context = _se_context(sub, ["unit_id", "year"])
    W = [pos[c] for c in controls]
    units = unit_index.get_indexer(sub["unit_id"])
    r_null = _null_residuals(D, pos, {"five": controls})["five"]
    for w, x, z in pairs:
        Xe, Z = D[:, [pos[x], *W]], D[:, [pos[z], *W]]
        Xhat = Z @ solve_checked(Z.T @ Z, Z.T @ Xe, f"instrument {z!r} ({base})")
        beta, _, bread = ols_fit(Xhat, D[:, 0], f"2SLS with instrument {z!r} ({base}; irrelevant instrument?)")
        u = D[:, 0] - Xe @ beta
        label = "IV1" if z.startswith("IV1") else z
        spec = _spec(w, base, estimator=f"2SLS {label}", fe="unit + year", controls="five")
        out[w][0].extend(_row(spec, float(beta[0]), _covs(context, Xhat, u, bread), len(sub)))
        out[w][1].append(np.bincount(units, weights=(Xhat @ bread[0]) * r_null, minlength=len(unit_index)))


def _iv_block(frame, y, xs, iv1s, controls, base, unit_index) -> dict:
    """2SLS with each of Table 4's instruments, unit and year effects, the five controls, per weighting.

    IV1 (the weighting's own lagged AIE) loses each unit's first year and has its own sample; IV2-IV4
    share one. Weightings whose samples are the same rows share the demeaning.
    """
    out = {w: ([], []) for w in xs}
    masks = {w: frame[iv1s[w]].notna().to_numpy() for w in xs}
    for ws, m in _same_rows(masks):
        _iv_fits(frame.loc[m], y, [(w, xs[w], iv1s[w]) for w in ws], controls, base, out, unit_index)
    sub = frame.dropna(subset=INSTRUMENTS[1:])
    _iv_fits(sub, y, [(w, xs[w], z) for w in xs for z in INSTRUMENTS[1:]], controls, base, out, unit_index)
    return out


def _with_aie(
    data: pd.DataFrame, variants: pd.DataFrame | None, x: str, own: str = "entropy"
) -> tuple[pd.DataFrame, dict, dict]:
    """The panel with one AIE column and one IV1 (its lag) per weighting; the column names by weighting.

    ``x`` itself is the weighting ``own``; the variants add the others.
    """
    frame = data.reset_index(drop=True)
    xs, iv1s = {own: x}, {own: "IV1"}
    if variants is None:
        return frame, xs, iv1s
    key = frame[["unit_id", "year"]].merge(variants, on=["unit_id", "year"], how="left", validate="one_to_one")
    order = frame[["unit_id", "year"]].sort_values(["unit_id", "year"])
    follows = (order.groupby("unit_id")["year"].shift(1) == order["year"] - 1).to_numpy()
    for w in [w for w in ("entropy", "published", "equal") if w != own]:
        if key[w].isna().any():
            raise input_error(f"aie_variants['{w}']", "has no value for some (unit_id, year) of the panel",
                              list(frame.index[key[w].isna().to_numpy()]))  # fmt: skip
        xs[w], iv1s[w] = f"{x} ({w})", f"IV1 ({w})"
        frame[xs[w]] = key[w].to_numpy()
        lag = frame.loc[order.index, xs[w]].groupby(order["unit_id"]).shift(1).where(follows)
        frame[iv1s[w]] = lag  # aligned on the index
    return frame, xs, iv1s


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
    #: The book's specification on these data: :data:`BOOK_SPEC` with the weighting of the data's own AIE.
    book: dict = field(default_factory=lambda: dict(BOOK_SPEC))

    @property
    def points(self) -> pd.DataFrame:
        """One row per point estimate (robust standard errors), sorted by the estimate.

        Raises
        ------
        AichainInputError
            If the table lacks the ``se`` or ``estimate`` column (a SpecCurve not built by
            :func:`specification_curve`).
        """
        check.columns(self.table, ["se", "estimate"], "table")
        t = self.table[self.table["se"] == "robust"].sort_values("estimate").reset_index(drop=True)
        return t

    def summary(self) -> dict:
        """Share positive, share positive and significant at 5%, median and range, and the book's estimate.

        Raises
        ------
        AichainInputError
            If the table lacks a column of :data:`BOOK_SPEC` or the estimates, or holds no robust-SE row.
        """
        check.columns(self.table, [*BOOK_SPEC, "estimate", "p"], "table")
        if self.points.empty:
            raise input_error("table", "has no specification with robust standard errors")
        t = self.table
        book = t
        for k, v in self.book.items():
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


def usable_readings(
    readings: dict[str, pd.DataFrame], y: str = "ERL", x: str = "AIE", controls: list[str] | None = None
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """The alternative readings whose panels the curve can estimate, and why each other one cannot.

    A reading can leave no usable row on a user's file (``upsilon="mediators"`` multiplies ERL by ITSE's
    level: a file without the ITSE input has no ERL under that reading). :func:`specification_curve`
    refuses such a panel; a chapter passes it the usable ones and says which were left out and why.

    Returns
    -------
    (dict, dict)
        label -> panel for the usable readings; label -> the reason (the check's message) for the others.

    Raises
    ------
    AichainInputError
        If ``readings`` is not a dict of DataFrames.
    """
    if not isinstance(readings, dict) or not all(isinstance(f, pd.DataFrame) for f in readings.values()):
        raise input_error("readings", "must be a dict of label -> DataFrame", [type(readings).__name__],
                          what="types")  # fmt: skip
    controls = check.names("controls", CONTROLS if controls is None else controls)
    kept, dropped = {}, {}
    for label, frame in readings.items():
        try:
            _check_curve_panel(frame, y, x, controls, where=f"the panel of reading {label!r}")
        except AichainInputError as err:
            dropped[label] = f"its panel {err.rule}".rstrip(".") + "."
            continue
        kept[label] = frame
    return kept, dropped


@single_threaded_blas
def _check_curve_panels(panels: dict[str, pd.DataFrame], y: str, x: str, controls: list[str]) -> None:
    """Every panel, the book's (``"book"``) and each reading's, against :func:`_check_curve_panel`; an error
    names the panel it was found in."""
    for label, frame in panels.items():
        where = "the panel" if label == "book" else f"the panel of reading {label!r}"
        try:
            _check_curve_panel(frame, y, x, controls, where=where)
        except AichainInputError as err:
            if where in err.rule:
                raise
            raise input_error(f"{err.argument} (in {where})", err.rule, err.offending, what="values") from err


def specification_curve(
    data: pd.DataFrame,
    aie_variants: pd.DataFrame | None = None,
    y: str = "ERL",
    x: str = "AIE",
    controls: list[str] | None = None,
    null_reps: int = 999,
    seed: int = 20251123,
    readings: dict[str, pd.DataFrame] | None = None,
    own_weights: str = "entropy",
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
    readings : dict of str to DataFrame, optional
        Alternative measurement readings: label -> the panel rebuilt under that reading (the same
        columns as ``data``; :func:`aichain_utils.replication.measurement_tables.alternative_panels` with
        :data:`CURVE_SWITCHES` builds them). Each is crossed with every sample,
        estimator, fixed effects, control set and standard error, with the book's AIE weighting
        only; ``data`` is the reading ``"book"``. The table's ``reading`` column says which. A
        reading may put ``y`` on another scale (``upsilon="mediators"`` multiplies ERL by ITSE's
        level), so each reading's ``y`` is rescaled to the book's standard deviation before it is
        estimated: its coefficients are in the book's units of ``y`` (t statistics, p-values and
        signs do not change).
    own_weights : str
        What ``x`` of ``data`` is, the label of its "AIE weights": ``"entropy"`` (the book's entropy
        reading, as on the simulated panel), ``"published"`` (a raw-input file built with Table 1's
        weights), or a label of its own (``"the file's AIE"`` on finished variables). The variants
        add the weightings other than this one.

    Raises
    ------
    AichainInputError
        If ``null_reps`` is negative or ``seed`` not a whole number; ``own_weights`` is not a non-empty
        string; if a panel (the book's or a
        reading's) breaks a rule of :func:`_check_curve_panel` (missing column, missing identifier,
        infinite value, a column in two roles, a unit in two industries, fewer than two units or
        industries, ``x`` or a control constant within units and years or collinear); if an AIE variant
        lacks a (unit_id, year) of the panel; or if some specification is singular (an instrument
        collinear with the controls or irrelevant, a sample with no residual degrees of freedom or a
        single cluster), naming that specification.
    """
    controls = check.names("controls", CONTROLS if controls is None else controls)
    check.scalar("null_reps", null_reps, low=0, integer=True)
    check.scalar("seed", seed, low=0, integer=True)
    if not isinstance(own_weights, str) or not own_weights.strip():
        raise input_error("own_weights", "must be a non-empty label of the data's own AIE", [own_weights],
                          what="values")  # fmt: skip
    need = ["unit_id", "industry_id", "year", y, x, *controls, *INSTRUMENTS]
    panels = {"book": data, **(readings or {})}
    _check_curve_panels(panels, y, x, controls)
    control_sets = _control_sets(controls)
    unit_index = pd.Index(np.sort(pd.concat([f["unit_id"] for f in panels.values()]).unique()))
    rows, loadings = [], []
    sd_book = float(data[y].std())
    for label, frame in panels.items():
        frame = frame[list(dict.fromkeys(need))]
        if label != "book":
            frame = frame.assign(**{y: frame[y] * (sd_book / float(frame[y].std()))})
        frame, xs, iv1s = _with_aie(frame, aie_variants if label == "book" else None, x, own_weights)
        r, v = _reading_parts(frame, xs, iv1s, y, controls, control_sets, unit_index, label)
        rows += r
        loadings += v
    curve = SpecCurve(_finish(rows), book={**BOOK_SPEC, "weights": own_weights})
    if null_reps:
        curve.null = _null_test(curve.table, np.vstack(loadings), null_reps, seed)
    return curve


def _check_curve_panel(
    frame: pd.DataFrame, y: str, x: str, controls: list[str], instruments: bool = True, where: str = "the panel"
) -> None:
    """The checks every panel of the curve passes before estimation: columns present, identifiers
    complete, values finite, distinct roles, units nested in industries, at least two units and two
    industries, and ``x`` and the controls varying within units and years (not collinear).

    Raises
    ------
    AichainInputError
        On the first rule broken (naming the column and the offending rows or values).
    """
    ivs = INSTRUMENTS if instruments else []
    check.distinct_roles([("y", [y]), ("x", [x]), ("controls", controls), ("instruments", ivs)])
    check.columns(frame, ["unit_id", "industry_id", "year", y, x, *controls, *ivs], label=where)
    check.ids(frame, ["unit_id", "industry_id", "year"])
    check.finite(frame, [y, x, *controls, *ivs])
    if not nested_in(frame, "unit_id", "industry_id"):
        raise input_error("unit_id", "each unit must lie in one industry_id (the clustering assumes it)")
    cols = [y, x, *controls]
    full = frame.dropna(subset=cols)
    check.nonempty(full, "data", len(cols) + 2)
    check.groups(full, "unit_id", 2, "(clustered by unit)")
    check.groups(full, "industry_id", 2, "(clustered by industry)")
    raw = full[cols[1:]].to_numpy(float)
    D = demean_columns(raw, [pd.factorize(full[f])[0] for f in ("unit_id", "year")])
    check.full_rank(D, raw, cols[1:], "specification curve", "unit_id and year")


def _reading_parts(frame, xs, iv1s, y, controls, control_sets, unit_index, reading: str) -> tuple[list, list]:
    """Rows and null-draw loadings of one reading's panel: every weighting, sample, estimator, fixed
    effects and control set, in the order (weighting, sample, block)."""
    parts: dict = {}  # (weighting, sample) -> (rows, loadings)
    for s_label in SAMPLES:
        for ws, sample in _samples(frame, s_label, y, xs, controls):
            base, sub = {"reading": reading, "sample": s_label}, {w: xs[w] for w in ws}
            blocks = [
                _ols_block(sample, fe_label, y, sub, control_sets, base, unit_index) for fe_label in FIXED_EFFECTS
            ]
            blocks.append(_fd_block(sample, y, sub, control_sets, base, unit_index))
            blocks.append(_iv_block(sample, y, sub, iv1s, controls, base, unit_index))
            for w in ws:
                parts[w, s_label] = ([r for b in blocks for r in b[w][0]], [v for b in blocks for v in b[w][1]])
    keys = [(w, s_label) for w in xs for s_label in SAMPLES]
    return [r for k in keys for r in parts[k][0]], [v for k in keys for v in parts[k][1]]


def _null_test(ols: pd.DataFrame, loadings: np.ndarray, reps: int, seed: int) -> dict:
    """Wild cluster bootstrap under the null for the whole curve: median and share positive-significant.

    ``ols`` is the curve's table (three standard-error rows per estimate, in the order of the rows of
    ``loadings``, one per estimate). Each draw keeps every specification's observed standard error."""
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
