"""One line per claim: how fragile is it? (H1-H3 and each heterogeneity claim of Tables 7-9.)

:func:`families` builds the three families the paper tests at once; :func:`fragility_summary` puts
the specification share, the robustness value, the Romano–Wolf p and the ACME interval of each
claim side by side and computes a verdict word from them, so that a ledger of claims can call it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aichain_utils.robustness._linalg import single_threaded_blas
from aichain_utils.robustness.causal_mediation import CausalMediation
from aichain_utils.robustness.multiple import Hypothesis
from aichain_utils.robustness.sensitivity import SensitivityResult, sensitivity_analysis
from aichain_utils.robustness.speccurve import CONTROLS, FIXED_EFFECTS, _control_sets, _finish, _ols_block

__all__ = [
    "GROUP_CLAIMS",
    "MEDIATORS",
    "families",
    "fragility_summary",
    "group_curve_share",
    "published_signs",
    "verdict",
    "verdict_sentence",
]

#: Mediators of H2 (FSIE) and H3 (forward and backward ITSE), Table 6.
MEDIATORS = {"H2": ["FSIE"], "H3": ["ITSE_forward", "ITSE_backward"]}

#: (table, column of the published table, grouping column, level) of Tables 7-9.
GROUP_CLAIMS: list[tuple[int, int, str, str]] = [
    (7, 2, "industry_type", "labour"),
    (7, 3, "industry_type", "capital"),
    (7, 4, "industry_type", "technology"),
    (8, 1, "chain_position", "front"),
    (8, 2, "chain_position", "middle"),
    (8, 3, "chain_position", "back"),
    (9, 1, "region", "developed"),
    (9, 2, "region", "other"),
    (9, 3, "tech_level", "high"),
    (9, 4, "tech_level", "low"),
]


def published_signs() -> dict[str, float]:
    """The sign of the AIE coefficient the paper prints for each group of Tables 7-9, keyed by the
    hypothesis labels of :func:`families` (read once from the published regression cells)."""
    from aichain_utils.published import load_regression_cells

    cells = load_regression_cells().set_index(["table", "column"])["coef"]
    return {f"{lvl} ({col.replace('_', ' ')})": float(np.sign(cells[t, c])) for t, c, col, lvl in GROUP_CLAIMS}


def families(controls: list[str] | None = None) -> dict[str, list[Hypothesis]]:
    """The three families of simultaneous tests: Tables 7-9 groups, Table 5 segments, mediation legs."""
    c = tuple(CONTROLS if controls is None else controls)
    groups = [
        Hypothesis(f"{lvl} ({col.replace('_', ' ')})", "ERL", "AIE", c, (col, lvl)) for _, _, col, lvl in GROUP_CLAIMS
    ]
    segments = [Hypothesis(seg, seg, "AIE", c) for seg in ("ELRI_front", "ELRI_inter", "ELRI_back")]
    legs = []
    for m in [m for ms in MEDIATORS.values() for m in ms]:
        legs.append(Hypothesis(f"a: AIE → {m}", m, "AIE", c))
        legs.append(Hypothesis(f"b: {m} → ERL", "ERL", m, ("AIE", *c)))
    return {"Tables 7–9 groups": groups, "Table 5 segments": segments, "mediation legs": legs}


@single_threaded_blas
def group_curve_share(
    data: pd.DataFrame, column: str, level: str, sign: float, controls: list[str] | None = None
) -> float:
    """Share of the OLS specifications (fixed effects x controls x standard errors) on one group whose
    AIE coefficient has ``sign`` and p < 0.05."""
    controls = list(CONTROLS if controls is None else controls)
    cols = ["unit_id", "industry_id", "year", "ERL", "AIE", *controls]
    frame = data.loc[data[column] == level, cols].dropna(subset=cols)
    unit_index = pd.Index(np.sort(frame["unit_id"].unique()))
    rows = []
    for fe in FIXED_EFFECTS:
        rows += _ols_block(frame, fe, "ERL", {None: "AIE"}, _control_sets(controls), {}, unit_index)[None][0]
    t = _finish(rows)
    return float(((np.sign(t["estimate"]) == sign) & (t["p"] < 0.05)).mean())


def verdict(share: float, rv_alpha: float, rv_benchmark: float, p_adjusted: float, acme_ci=None) -> str:
    """Verdict word from the four fragility measures (missing ones are skipped).

    ``not supported`` if the adjusted p is at least 0.05 or the ACME interval contains zero;
    ``robust`` if, besides, at least 90% of specifications support the claim and RV_{1,0.05} exceeds
    ``rv_benchmark`` (the strongest observed control's partial R² with the outcome); else ``fragile``.
    """
    if (not np.isnan(p_adjusted) and p_adjusted >= 0.05) or (acme_ci is not None and acme_ci[0] <= 0 <= acme_ci[1]):
        return "not supported"
    ok_share = np.isnan(share) or share >= 0.9
    ok_rv = np.isnan(rv_alpha) or rv_alpha > rv_benchmark
    return "robust" if ok_share and ok_rv else "fragile"


def _rv_alpha(data: pd.DataFrame, y: str, x: str, controls: list[str], subset=None) -> float:
    cols = ["unit_id", "year", y, x, *controls]
    frame = data[cols] if subset is None else data.loc[data[subset[0]] == subset[1], cols]
    return sensitivity_analysis(frame, y=y, x=x, controls=controls, k=()).rv_alpha


@single_threaded_blas
def fragility_summary(
    data: pd.DataFrame,
    curve_share: float,
    sensitivity: SensitivityResult,
    tests: dict[str, pd.DataFrame],
    mediation: dict[str, CausalMediation],
    published_signs: dict[str, float],
    controls: list[str] | None = None,
) -> pd.DataFrame:
    """One row per claim with its fragility measures and a computed verdict.

    Parameters
    ----------
    data : the analysis panel
    curve_share : share of the AIE -> ERL specifications positive and significant (H1)
    sensitivity : :func:`~aichain_utils.robustness.sensitivity.sensitivity_analysis` of equation (1)
    tests : :func:`~aichain_utils.robustness.multiple.multiple_testing` per family of :func:`families`
    mediation : :func:`~aichain_utils.robustness.causal_mediation.causal_mediation` per mediator
    published_signs : the sign the paper prints, per group hypothesis label of :func:`families`
    """
    controls = list(CONTROLS if controls is None else controls)
    bench = float(sensitivity.bounds["r2 with ERL"].max()) if len(sensitivity.bounds) else 0.0
    rows = [_row("H1: AIE raises ERL", curve_share, sensitivity.rv_alpha, np.nan, None, bench)]
    legs = tests["mediation legs"].set_index("hypothesis")
    for h, mediators in MEDIATORS.items():
        for m in mediators:
            p_rw = float(max(legs.loc[f"a: AIE → {m}", "p, Romano–Wolf"], legs.loc[f"b: {m} → ERL", "p, Romano–Wolf"]))
            rv = min(_rv_alpha(data, m, "AIE", controls), _rv_alpha(data, "ERL", m, ["AIE", *controls]))
            rows.append(_row(f"{h}: AIE raises ERL through {m}", np.nan, rv, p_rw, mediation[m].acme_ci, bench))
    groups = tests["Tables 7–9 groups"].set_index("hypothesis")
    for (_, _, col, lvl), (label, row) in zip(GROUP_CLAIMS, groups.iterrows(), strict=True):
        sign = published_signs.get(label, 1.0)
        agrees = np.sign(row["estimate"]) == sign
        share = group_curve_share(data, col, lvl, sign, controls)
        rv = _rv_alpha(data, "ERL", "AIE", controls, (col, lvl)) if agrees else 0.0
        p_rw = float(row["p, Romano–Wolf"]) if agrees else 1.0
        rows.append(_row(f"AIE {'raises' if sign > 0 else 'lowers'} ERL in {label}", share, rv, p_rw, None, bench))
    return pd.DataFrame(rows)


def _row(claim: str, share: float, rv: float, p_rw: float, acme_ci, bench: float) -> dict:
    return {
        "claim": claim,
        "share of specifications supporting": share,
        "RV (q = 1, α = 0.05)": rv,
        "Romano–Wolf p": p_rw,
        "ACME 95% interval": "" if acme_ci is None else f"[{acme_ci[0]:.4f}, {acme_ci[1]:.4f}]",
        "verdict": verdict(share, rv, bench, p_rw, acme_ci),
    }


def verdict_sentence(summary: pd.DataFrame) -> str:
    """The verdicts of :func:`fragility_summary` in words, naming the claims in each class.

    E.g. "Robust on these data: H1: AIE raises ERL. Fragile: .... Not supported: none." Every class is
    named, with "none" when it is empty, so the sentence is true on any data.
    """
    missing = [c for c in ("claim", "verdict") if c not in summary.columns]
    if missing:
        raise ValueError(f"verdict_sentence: the summary lacks column(s) {missing}")
    unknown = sorted(set(summary["verdict"]) - {"robust", "fragile", "not supported"})
    if unknown:
        raise ValueError(f"column 'verdict': unknown verdict(s) {unknown}")
    parts = []
    for word, label in (("robust", "Robust on these data"), ("fragile", "Fragile"), ("not supported", "Not supported")):
        claims = summary.loc[summary["verdict"] == word, "claim"].tolist()
        parts.append(f"{label}: {'; '.join(claims) if claims else 'none'}.")
    return " ".join(parts)
