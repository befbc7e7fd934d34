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

A claim may have several **legs** (rows of ``claims.csv`` sharing an ``id``, labelled by ``leg``): a
mediation hypothesis (H2, H3) needs AIE to move the mediator (equations 2 and 4, printed in Table 6) *and*
the mediator to move ERL given AIE (equations 3 and 5, ``statistic`` ``mediator_b``, which the paper does
not print). Each leg is judged by its rule; the claim is supported ("yes") only when every leg is, refuted
("no") when any leg is, and "not shown" when the legs the table prints support it but another leg is not
printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from aichain_utils.errors import input_error
from aichain_utils.inputs.published import load_regression_cells
from aichain_utils.paths import published_dir

__all__ = [
    "KINDS",
    "STATISTICS",
    "ClaimCheck",
    "combine_legs",
    "evaluate_claims",
    "load_claims",
    "published_view",
    "replicated_view",
]

KINDS = (
    "positive_significant",
    "negative_significant",
    "largest",
    "decreasing",
    "greater_significant",
    "greater_positive",
)
ALPHA = 0.05
#: Statistics a leg can rest on: the printed AIE coefficient, or the mediator's coefficient in the
#: outcome equation (3) or (5) (replicated Table 6's extra row; not printed in the paper).
STATISTICS = ("coef", "mediator_b")
#: The extra row of replicated Table 6 holding the mediator's coefficient and SE in equation (3)/(5).
MEDIATOR_B_ROW = "extra: b: mediator → ERL (SE), eq. (3)/(5)"


def load_claims() -> pd.DataFrame:
    """The claims file, one row per leg, with ``columns`` as lists of ints.

    Raises
    ------
    AichainInputError
        If a row's ``kind`` is not one of :data:`KINDS` or its ``statistic`` not one of :data:`STATISTICS`
        (the message names the rows).
    """
    claims = pd.read_csv(published_dir() / "claims.csv", dtype=str, keep_default_na=False)
    for column, allowed in (("kind", KINDS), ("statistic", STATISTICS)):
        bad = claims.loc[~claims[column].isin(allowed), ["id", column]]
        if len(bad):
            raise input_error(f"claims.csv: {column}", f"must be one of {allowed}", bad.to_dict("records"))
    claims["table"] = claims["table"].astype(int)
    claims["columns"] = claims["columns"].map(lambda s: [int(v) for v in s.split("|")])
    return claims


@dataclass(frozen=True)
class ClaimCheck:
    """Whether one table supports one claim, and the numbers that decided it."""

    supports: bool | None  # None: the table lacks a column the claim needs
    detail: str


def published_view(table: int, cells: pd.DataFrame | None = None, statistic: str = "coef") -> pd.DataFrame:
    """Coefficient, p and suest p of a published table, one row per column (index: column).

    The paper prints only the AIE coefficients: for any other ``statistic`` coef and p are missing.
    """
    cells = load_regression_cells() if cells is None else cells
    cells = cells[cells["table"] == table].set_index("column")
    if statistic != "coef":
        missing = pd.Series(np.nan, index=cells.index)
        return pd.DataFrame({"coef": missing, "p": missing, "suest_p": missing})
    z = cells["coef"] / cells["se"].replace(0.0, np.nan)
    p = pd.Series(2 * stats.norm.sf(np.abs(z.to_numpy(dtype=float))), index=cells.index)
    p[cells["se"] == 0] = 0.0  # a printed SE of 0 makes the printed t infinite
    return pd.DataFrame({"coef": cells["coef"], "p": p, "suest_p": cells["suest_p"]})


def _coef_se(text) -> tuple[float, float]:
    """``"0.1234 (0.0456)"`` -> (0.1234, 0.0456); NaNs when the cell is empty."""
    m = re.match(r"\s*(-?[\d.]+(?:e-?\d+)?)\s*\(([\d.]+(?:e-?\d+)?)\)", str(text))
    return (float(m.group(1)), float(m.group(2))) if m else (np.nan, np.nan)


def replicated_view(tidy: pd.DataFrame, statistic: str = "coef") -> pd.DataFrame:
    """The same view of a replicated table (``RenderedTable.tidy``); the suest p from its extra row.

    For ``statistic="mediator_b"`` coef and p are the mediator's coefficient in equation (3)/(5) and its
    normal p, from the extra row :data:`MEDIATOR_B_ROW` (missing when the table has none).
    """
    view = tidy.set_index("column")[["coef", "p"]].copy()
    if statistic == "mediator_b":
        pairs = tidy.set_index("column").get(MEDIATOR_B_ROW, pd.Series(np.nan, index=view.index)).map(_coef_se)
        view["coef"] = [b for b, _ in pairs]
        view["p"] = [2 * stats.norm.sf(abs(b / s)) if s and s > 0 else np.nan for b, s in pairs]
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
    if view.loc[columns, "coef"].isna().any():
        return ClaimCheck(None, "not printed")
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


WORDS = {True: "yes", False: "no", None: "not comparable"}


def combine_legs(legs: list[ClaimCheck]) -> str:
    """A claim's verdict from its legs: "no" if any leg fails, "yes" if every leg holds, "not shown" if the
    legs that can be judged hold but another is not printed, else "not comparable"."""
    verdicts = [leg.supports for leg in legs]
    if False in verdicts:
        return "no"
    if all(v is True for v in verdicts):
        return "yes"
    return "not shown" if True in verdicts else "not comparable"


def _legs_detail(rows: pd.DataFrame, checks: list[ClaimCheck]) -> str:
    if len(checks) == 1:
        return checks[0].detail
    parts = []
    for (_, r), c in zip(rows.iterrows(), checks, strict=True):
        parts.append(
            f"leg {r['leg']}: not printed"
            if c.detail == "not printed"
            else f"leg {r['leg']} ({WORDS[c.supports]}): {c.detail}"
        )
    return "; ".join(parts)


def _judge(rows: pd.DataFrame, view) -> tuple[str, str]:
    """Verdict and detail of one claim (its legs ``rows``) under ``view(table, statistic)``."""
    checks = []
    for _, leg in rows.iterrows():
        v = view(int(leg["table"]), leg["statistic"])
        checks.append(
            ClaimCheck(None, f"Table {leg['table']} was not built on these data")
            if v is None
            else _check(leg["kind"], v, leg["columns"])
        )
    return combine_legs(checks), _legs_detail(rows, checks)


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
        absent (not built on these data) gives "not comparable" for its legs.
    cells : DataFrame, optional
        The published regression cells (default: ``data/published/regression_cells.csv``).
    claims : DataFrame, optional
        The claims, one row per leg (default: :func:`load_claims`); ``leg`` and ``statistic`` default to
        one leg on the printed coefficient.

    Returns
    -------
    DataFrame
        One row per claim: id, section, quote_zh, claim_en (the legs' statements joined), table, columns
        (of the first leg), legs (their number), published supports, published detail, replicated supports,
        replicated detail. The support columns are "yes", "no", "not shown" (see :func:`combine_legs`) or
        "not comparable"; a detail gives each leg's verdict when there are several.
    """
    claims = (load_claims() if claims is None else claims).copy()
    claims["leg"] = claims["leg"] if "leg" in claims else "a"
    claims["statistic"] = claims["statistic"] if "statistic" in claims else "coef"

    def pub(table: int, statistic: str) -> pd.DataFrame:
        return published_view(table, cells, statistic)

    def rep(table: int, statistic: str) -> pd.DataFrame | None:
        return None if replicated is None or table not in replicated else replicated_view(replicated[table], statistic)

    rows = []
    for _, legs in claims.groupby("id", sort=False):
        first = legs.iloc[0]
        pub_word, pub_detail = _judge(legs, pub)
        rep_word, rep_detail = _judge(legs, rep)
        rows.append(
            {
                "id": first["id"],
                "section": first["section"],
                "quote_zh": first["quote_zh"],
                "claim_en": " ".join(legs["claim_en"]),
                "table": int(first["table"]),
                "columns": ", ".join(str(v) for v in first["columns"]),
                "legs": len(legs),
                "published supports": pub_word,
                "published detail": pub_detail,
                "replicated supports": rep_word,
                "replicated detail": rep_detail,
            }
        )
    return pd.DataFrame(rows)
