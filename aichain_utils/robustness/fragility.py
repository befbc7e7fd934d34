"""One line per claim: how fragile is it? (H1-H3 and each heterogeneity claim of Tables 7-9.)

:func:`families` builds the three families the paper tests at once; :func:`fragility_summary` puts
the specification share, the robustness value, the Romano–Wolf p and the ACME interval of each
claim side by side and computes a verdict word from them, so that a ledger of claims can call it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aichain_utils.errors import input_error
from aichain_utils.robustness import _checks as check
from aichain_utils.robustness._linalg import single_threaded_blas
from aichain_utils.robustness.causal_mediation import CausalMediation
from aichain_utils.robustness.multiple import Hypothesis
from aichain_utils.robustness.sensitivity import SensitivityResult, sensitivity_analysis
from aichain_utils.robustness.speccurve import CONTROLS, FIXED_EFFECTS, _control_sets, _finish, _ols_block
from aichain_utils.text import Bilingual

__all__ = [
    "GROUP_CLAIMS",
    "MEDIATORS",
    "claim_names",
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
    hypothesis labels of :func:`families` (read once from the published regression cells).

    Raises
    ------
    AichainInputError
        Never for its own (it takes no input); errors of reading the published cells propagate.
    """
    from aichain_utils.inputs.published import load_regression_cells

    cells = load_regression_cells().set_index(["table", "column"])["coef"]
    return {f"{lvl} ({col.replace('_', ' ')})": float(np.sign(cells[t, c])) for t, c, col, lvl in GROUP_CLAIMS}


def families(controls: list[str] | None = None) -> dict[str, list[Hypothesis]]:
    """The three families of simultaneous tests: Tables 7-9 groups, Table 5 segments, mediation legs.

    Raises
    ------
    AichainInputError
        If ``controls`` is a single string or holds a non-string, or names ``AIE`` or ``ERL``.
    """
    c = tuple(check.names("controls", CONTROLS if controls is None else controls))
    check.distinct_roles([("outcome/regressor", ["AIE", "ERL"]), ("controls", list(c))])
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
    AIE coefficient has ``sign`` and p < 0.05.

    Raises
    ------
    AichainInputError
        If ``sign`` is not -1 or 1; a column is missing; ``column`` has no row at ``level``; and the
        checks of ``speccurve._check_curve_panel`` on the group's rows.
    """
    from aichain_utils.robustness.speccurve import _check_curve_panel

    if sign not in (-1, 1, -1.0, 1.0):
        raise input_error("sign", "must be -1 or 1 (the published sign of the coefficient)", [sign], what="values")
    controls = check.names("controls", CONTROLS if controls is None else controls)
    cols = ["unit_id", "industry_id", "year", "ERL", "AIE", *controls]
    check.columns(data, [*cols, column])
    group = data.loc[data[column] == level, cols]
    if group.empty:
        raise input_error(column, f"has no row at level {level!r}", [level], what="values")
    _check_curve_panel(group, "ERL", "AIE", controls, instruments=False)
    frame = group.dropna(subset=cols)
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
    ``rv_benchmark`` (the largest partial R² of an observed control with the treatment or the outcome:
    a confounder as strong as any control, in both associations, then cannot make the estimate
    insignificant); else ``fragile``.

    Raises
    ------
    AichainInputError
        If ``share``, ``rv_alpha``, ``rv_benchmark`` or ``p_adjusted`` is neither NaN nor in [0, 1]
        (``rv_benchmark`` may not be NaN); if ``acme_ci`` is not two finite numbers, low <= high; or if
        every measure is missing (NaN share, RV and p and no ACME interval: nothing supports a verdict).
    """
    share = check.probability_or_nan("share", share)
    rv_alpha = check.probability_or_nan("rv_alpha", rv_alpha)
    rv_benchmark = check.scalar("rv_benchmark", rv_benchmark, low=0.0, high=1.0)
    p_adjusted = check.probability_or_nan("p_adjusted", p_adjusted)
    if acme_ci is not None:
        lo, hi = (check.scalar("acme_ci", v) for v in _pair(acme_ci))
        if lo > hi:
            raise input_error("acme_ci", "must be (low, high) with low <= high", [lo, hi], what="values")
    if np.isnan(share) and np.isnan(rv_alpha) and np.isnan(p_adjusted) and acme_ci is None:
        raise input_error("share, rv_alpha, p_adjusted, acme_ci", "are all missing: no measure to base a verdict on")
    if (not np.isnan(p_adjusted) and p_adjusted >= 0.05) or (acme_ci is not None and acme_ci[0] <= 0 <= acme_ci[1]):
        return "not supported"
    ok_share = np.isnan(share) or share >= 0.9
    ok_rv = np.isnan(rv_alpha) or rv_alpha > rv_benchmark
    return "robust" if ok_share and ok_rv else "fragile"


def _pair(ci) -> tuple:
    try:
        lo, hi = ci
    except (TypeError, ValueError):
        raise input_error("acme_ci", "must be a pair (low, high)", [ci], what="values") from None
    return lo, hi


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

    Raises
    ------
    AichainInputError
        If ``curve_share`` is not in [0, 1]; ``tests`` lacks a family of :func:`families` or a family
        lacks a hypothesis or column; ``mediation`` lacks a mediator of :data:`MEDIATORS`; and what
        :func:`group_curve_share`, :func:`verdict` and the sensitivity analysis raise.
    """
    controls = check.names("controls", CONTROLS if controls is None else controls)
    _check_summary_inputs(curve_share, tests, mediation)
    # a confounder as strong as a control in both of its associations (Cinelli & Hazlett's benchmark) cannot
    # make the estimate insignificant when RV_alpha exceeds both of that control's partial R²
    b = sensitivity.bounds
    bench = float(max(b["r2 with ERL"].max(), b["r2 with AIE"].max())) if len(b) else 0.0
    rows = [_row(_claim("h1"), curve_share, sensitivity.rv_alpha, np.nan, None, bench)]
    legs = tests["mediation legs"].set_index("hypothesis")
    for h, mediators in MEDIATORS.items():
        for m in mediators:
            p_rw = float(max(legs.loc[f"a: AIE → {m}", "p, Romano–Wolf"], legs.loc[f"b: {m} → ERL", "p, Romano–Wolf"]))
            rv = min(_rv_alpha(data, m, "AIE", controls), _rv_alpha(data, "ERL", m, ["AIE", *controls]))
            rows.append(_row(_claim("mediated", h=h, m=m), np.nan, rv, p_rw, mediation[m].acme_ci, bench))
    groups = tests["Tables 7–9 groups"].set_index("hypothesis")
    for (_, _, col, lvl), (label, row) in zip(GROUP_CLAIMS, groups.iterrows(), strict=True):
        sign = published_signs.get(label, 1.0)
        agrees = np.sign(row["estimate"]) == sign
        share = group_curve_share(data, col, lvl, sign, controls)
        rv = _rv_alpha(data, "ERL", "AIE", controls, (col, lvl)) if agrees else 0.0
        p_rw = float(row["p, Romano–Wolf"]) if agrees else 1.0
        claim = _claim("raises" if sign > 0 else "lowers", label=label, level=lvl, col=col)
        rows.append(_row(claim, share, rv, p_rw, None, bench))
    return pd.DataFrame(rows)


def _check_summary_inputs(curve_share, tests, mediation) -> None:
    check.probability_or_nan("curve_share", curve_share)
    fam = families()
    missing = [f for f in ("mediation legs", "Tables 7–9 groups") if f not in tests]
    if missing:
        raise input_error("tests", "lacks the family (families())", missing, what="families")
    for f in ("mediation legs", "Tables 7–9 groups"):
        t = tests[f]
        lacking = [c for c in ("hypothesis", "estimate", "p, Romano–Wolf") if c not in t.columns]
        if lacking:
            raise input_error(f"tests[{f!r}]", "lacks column(s)", lacking, what="columns")
        absent = [h.label for h in fam[f] if h.label not in set(t["hypothesis"])]
        if absent:
            raise input_error(f"tests[{f!r}]", "lacks hypotheses of families()", absent, what="hypotheses")
    absent = [m for ms in MEDIATORS.values() for m in ms if m not in mediation]
    if absent:
        raise input_error("mediation", "lacks the mediator(s)", absent, what="mediators")


#: The claims' names and the verdict sentence's words, one template per language (a group's level and
#: grouping column in the glossary's and the heterogeneity chapter's Chinese words).
_CLAIM_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "h1": "H1: AIE raises ERL",
        "mediated": "{h}: AIE raises ERL through {m}",
        "raises": "AIE raises ERL in {label}",
        "lowers": "AIE lowers ERL in {label}",
        "robust": "Robust on these data",
        "fragile": "Fragile",
        "not supported": "Not supported",
        "class": "{label}: {claims}.",
        "claim_sep": "; ",
        "class_sep": " ",
        "none": "none",
    },
    "zh": {
        "h1": "H1：AIE 提高 ERL",
        "mediated": "{h}：AIE 通过 {m} 提高 ERL",
        "raises": "AIE 在{label}中提高 ERL",
        "lowers": "AIE 在{label}中降低 ERL",
        "robust": "在这些数据上稳健",
        "fragile": "脆弱",
        "not supported": "不受支持",
        "class": "{label}：{claims}。",
        "claim_sep": "；",
        "class_sep": "",
        "none": "无",
    },
}
_GROUPS_ZH = {
    "industry_type": "行业类型", "chain_position": "创新链位置", "region": "地区", "tech_level": "技术水平",
    "labour": "劳动密集型", "capital": "资本密集型", "technology": "技术密集型", "front": "前端", "middle": "中端",
    "back": "后端", "developed": "发达", "other": "其他", "high": "高", "low": "低",
}  # fmt: skip


def _claim(kind: str, label: str = "", level: str = "", col: str = "", **fields) -> Bilingual:
    """A claim's name in both languages: ``kind`` is "h1", "mediated" (``h``, ``m``), "raises" or "lowers"
    (the group ``label`` in English, its ``level`` and grouping ``col`` for the Chinese)."""
    zh_label = f"{_GROUPS_ZH.get(level, level)}（{_GROUPS_ZH.get(col, col)}）" if level else ""
    return Bilingual(
        _CLAIM_WORDS["en"][kind].format(label=label, **fields),
        _CLAIM_WORDS["zh"][kind].format(label=zh_label, **fields),
    )


def _row(claim: str, share: float, rv: float, p_rw: float, acme_ci, bench: float) -> dict:
    return {
        "claim": claim,
        "share of specifications supporting": share,
        "RV (q = 1, α = 0.05)": rv,
        "Romano–Wolf p": p_rw,
        "ACME 95% interval": "" if acme_ci is None else f"[{acme_ci[0]:.4f}, {acme_ci[1]:.4f}]",
        "verdict": verdict(share, rv, bench, p_rw, acme_ci),
    }


def claim_names() -> dict[str, Bilingual]:
    """Every claim :func:`fragility_summary` can name (H1, the mediated H2 and H3, each group of Tables 7-9
    raising or lowering ERL), by its English name, with its Chinese name: a summary's ``claim`` column is
    plain text, and :func:`verdict_sentence` names each claim in the sentence's language from here."""
    names = [_claim("h1")] + [_claim("mediated", h=h, m=m) for h, ms in MEDIATORS.items() for m in ms]
    for _, _, col, lvl in GROUP_CLAIMS:
        label = f"{lvl} ({col.replace('_', ' ')})"
        names += [_claim(kind, label=label, level=lvl, col=col) for kind in ("raises", "lowers")]
    return {str.__str__(n): n for n in names}


def verdict_sentence(summary: pd.DataFrame) -> Bilingual:
    """The verdicts of :func:`fragility_summary` in words, naming the claims in each class, in English and
    Chinese.

    E.g. "Robust on these data: H1: AIE raises ERL. Fragile: .... Not supported: none." Every class is
    named, with "none" when it is empty, so the sentence is true on any data. A claim that
    :func:`fragility_summary` names (:func:`claim_names`) is named in each language; any other claim is
    cited as it is in both.

    Raises
    ------
    AichainInputError
        If ``summary`` lacks ``claim`` or ``verdict``, a claim is not a non-empty string, or a verdict
        is not one of the three words.
    """
    check.columns(summary, ["claim", "verdict"], "summary")
    unknown = sorted({str(v) for v in summary["verdict"]} - {"robust", "fragile", "not supported"})
    if unknown:
        raise input_error("verdict", "unknown verdict(s)", unknown, what="values")
    bad = summary.index[[not (isinstance(c, str) and c.strip()) for c in summary["claim"]]]
    if len(bad):
        raise input_error("claim", "every claim must be a non-empty string", list(bad))
    known = claim_names()
    texts = {}
    for lang, t in _CLAIM_WORDS.items():
        parts = []
        for word in ("robust", "fragile", "not supported"):
            claims = summary.loc[summary["verdict"] == word, "claim"].tolist()
            names = [known[c].zh if lang == "zh" and c in known else str(c) for c in claims]
            parts.append(t["class"].format(label=t[word], claims=t["claim_sep"].join(names) if names else t["none"]))
        texts[lang] = t["class_sep"].join(parts)
    return Bilingual(texts["en"], texts["zh"])
