"""The paper's verbal claims, checked against its own tables and against the replicated ones.

``data/published/claims.csv`` lists each claim the paper makes in words about Tables 3–10 (H1–H3,
the significance statements, the orderings of Tables 7–9, "length first, width lagging"), with the
quote, the table and columns it rests on and the *kind* of statement it is. :func:`evaluate_claims`
decides, by one rule per kind, whether a table supports the claim:

``positive_significant`` / ``negative_significant``
    every listed column has the stated sign and p < 0.05 (two-sided);
``largest``
    the first listed column has the largest coefficient of the listed columns;
``decreasing``
    the coefficients fall in the listed order;
``greater_significant``
    the first column's coefficient exceeds the second's, and the suest test of the group (the
    paper's test of equal coefficients) has p < 0.05;
``greater_positive``
    the first exceeds the second and both are positive and significant.

For the published tables the p-value of a coefficient is the two-sided normal p of coef/SE from the
printed numbers (the printed stars carry less information), and the suest p is the printed one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from aichain_utils.paths import published_dir
from aichain_utils.published import load_regression_cells

__all__ = ["KINDS", "ClaimCheck", "evaluate_claims", "load_claims", "published_view", "replicated_view"]

KINDS = (
    "positive_significant",
    "negative_significant",
    "largest",
    "decreasing",
    "greater_significant",
    "greater_positive",
)
ALPHA = 0.05


def load_claims() -> pd.DataFrame:
    """The claims file, with ``columns`` as lists of ints; unknown kinds are an error naming the row."""
    claims = pd.read_csv(published_dir() / "claims.csv", dtype=str, keep_default_na=False)
    bad = claims.loc[~claims["kind"].isin(KINDS), ["id", "kind"]]
    if len(bad):
        raise ValueError(f"claims.csv: column 'kind' must be one of {KINDS}; offending rows: {bad.to_dict('records')}")
    claims["table"] = claims["table"].astype(int)
    claims["columns"] = claims["columns"].map(lambda s: [int(v) for v in s.split("|")])
    return claims


@dataclass(frozen=True)
class ClaimCheck:
    """Whether one table supports one claim, and the numbers that decided it."""

    supports: bool | None  # None: the table lacks a column the claim needs
    detail: str


def published_view(table: int, cells: pd.DataFrame | None = None) -> pd.DataFrame:
    """Coefficient, p and suest p of a published table, one row per column (index: column)."""
    cells = load_regression_cells() if cells is None else cells
    cells = cells[cells["table"] == table].set_index("column")
    z = cells["coef"] / cells["se"].replace(0.0, np.nan)
    p = pd.Series(2 * stats.norm.sf(np.abs(z.to_numpy(dtype=float))), index=cells.index)
    p[cells["se"] == 0] = 0.0  # a printed SE of 0 makes the printed t infinite
    return pd.DataFrame({"coef": cells["coef"], "p": p, "suest_p": cells["suest_p"]})


def replicated_view(tidy: pd.DataFrame) -> pd.DataFrame:
    """The same view of a replicated table (``RenderedTable.tidy``); the suest p from its extra row."""
    view = tidy.set_index("column")[["coef", "p"]].copy()
    key = "extra: suest p, replicated"
    view["suest_p"] = pd.to_numeric(tidy.set_index("column").get(key, pd.Series(dtype=float)), errors="coerce")
    return view


def _suest_p(view: pd.DataFrame, columns: list[int]) -> float:
    """The suest p of the group the columns belong to (stored on the group's first column)."""
    p = view["suest_p"].dropna()
    before = [c for c in p.index if c <= min(columns)]
    return float(p.loc[max(before)]) if before else float("nan")


def _check(kind: str, view: pd.DataFrame, columns: list[int]) -> ClaimCheck:
    if not set(columns) <= set(view.index):
        return ClaimCheck(None, f"columns {sorted(set(columns) - set(view.index))} not available")
    b = view.loc[columns, "coef"].astype(float)
    p = view.loc[columns, "p"].astype(float)
    coefs = ", ".join(f"({c}) {v:.3f}" for c, v in b.items())
    sig = bool((p < ALPHA).all())
    if kind in ("positive_significant", "negative_significant"):
        sign_ok = bool((b > 0).all()) if kind.startswith("positive") else bool((b < 0).all())
        return ClaimCheck(sign_ok and sig, f"{coefs}; largest p {p.max():.3f}")
    if kind == "largest":
        return ClaimCheck(bool(b.iloc[0] == b.max()), coefs)
    if kind == "decreasing":
        return ClaimCheck(bool((np.diff(b.to_numpy()) < 0).all()), coefs)
    if kind == "greater_significant":
        sp = _suest_p(view, columns)
        ok = bool(b.iloc[0] > b.iloc[1]) and bool(sp < ALPHA)
        return ClaimCheck(ok, f"{coefs}; suest p {sp:.3f}")
    ok = bool(b.iloc[0] > b.iloc[1]) and bool((b > 0).all()) and sig  # greater_positive
    return ClaimCheck(ok, f"{coefs}; largest p {p.max():.3f}")


def evaluate_claims(
    replicated: dict[int, pd.DataFrame] | None = None,
    cells: pd.DataFrame | None = None,
    claims: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each claim: does the paper's own table support it, and does the replicated table?

    Parameters
    ----------
    replicated : dict of int to DataFrame, optional
        ``RenderedTable.tidy`` of the replicated Tables 3–10, by table number. A table that is
        absent (not built on these data) gives "not comparable" for its claims.
    cells : DataFrame, optional
        The published regression cells (default: ``data/published/regression_cells.csv``).
    claims : DataFrame, optional
        The claims (default: :func:`load_claims`).

    Returns
    -------
    DataFrame
        id, section, quote_zh, claim_en, table, columns, published supports, published detail, replicated supports,
        replicated detail. The support columns are "yes", "no" or "not comparable".
    """
    word = {True: "yes", False: "no", None: "not comparable"}
    rows = []
    for _, c in (load_claims() if claims is None else claims).iterrows():
        pub = _check(c["kind"], published_view(c["table"], cells), c["columns"])
        if replicated is not None and c["table"] in replicated:
            rep = _check(c["kind"], replicated_view(replicated[c["table"]]), c["columns"])
        else:
            rep = ClaimCheck(None, f"Table {c['table']} was not built on these data")
        rows.append(
            {
                "id": c["id"],
                "section": c["section"],
                "quote_zh": c["quote_zh"],
                "claim_en": c["claim_en"],
                "table": int(c["table"]),
                "columns": ", ".join(str(v) for v in c["columns"]),
                "published supports": word[pub.supports],
                "published detail": pub.detail,
                "replicated supports": word[rep.supports],
                "replicated detail": rep.detail,
            }
        )
    return pd.DataFrame(rows)
