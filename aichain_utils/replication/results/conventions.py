"""Results object of the conventions appendix: the inference conventions and the deliberate differences.

``chapters/conventions.md`` lists the statistic each estimator of :mod:`aichain_utils.econometrics`
reproduces, fits equation (1) under the three conventions (Stata, fixest, linearmodels), and sizes every
deliberate difference from Stata and R on the panel of the build: singletons, the two within R², the
first-stage SE's missing small-sample factor, the replication layer's differences
(:func:`~aichain_utils.replication.columns.deliberate_differences`) and those of the robustness tools.
:func:`inference_conventions` (prefix ``conv``) computes them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aichain_utils import econometrics as ec
from aichain_utils.econometrics._data import drop_singletons
from aichain_utils.econometrics.weakiv import TF_CRITICAL_05, TF_SQRT_F_GRID
from aichain_utils.inputs.panel import AnalysisPanel
from aichain_utils.replication import columns
from aichain_utils.replication.models import CONTROLS
from aichain_utils.replication.numbers import Bilingual, Numbers, Results
from aichain_utils.report.display import table_cell
from aichain_utils.robustness import sensitivity
from aichain_utils.robustness._linalg import demean_columns
from aichain_utils.text import bilingual_format

__all__ = [
    "InferenceConventions",
    "convention_demo",
    "conventions_table",
    "first_stage_factors",
    "inference_conventions",
    "negative_treatment_size",
    "p_text",
    "robustness_differences",
    "singleton_example",
    "tf_f_196",
]

_FE = ["unit_id", "year"]
#: The covariances of the convention demo: label and the arguments of ``fit_ols``.
DEMO_COVARIANCES = (
    ("robust (HC1)", {"vcov": "robust"}),
    ("clustered by unit", {"cluster": "unit_id"}),
    ("clustered by industry", {"cluster": "industry_id"}),
)
DEMO_CONVENTIONS = ("stata", "fixest", "linearmodels")

#: Each statistic of the econometrics core: formula, the programs it reproduces, what the tests compare it
#: with. The tF row's last words are filled by :func:`conventions_table` (the F at which c(F) is 1.96).
CONVENTIONS = (
    (
        "OLS, unadjusted",
        "s²(X'X)⁻¹, s² = u'u/(n−k); t(n−k)",
        "regress; xtreg, fe; reghdfe; fixest iid",
        "Stata results shipped with linearmodels; pyfixest",
    ),
    (
        "OLS, robust",
        "n/(n−k) · (X'X)⁻¹ Σ uᵢ²xᵢxᵢ' (X'X)⁻¹; t(n−k)",
        "regress, areg, reghdfe vce(robust); fixest hetero",
        "Stata results shipped with linearmodels; pyfixest",
    ),
    (
        "OLS, clustered",
        "G/(G−1) · (n−1)/(n−k_c) · sandwich of cluster sums; t(G−1); k_c leaves out effects nested in the clusters",
        "regress, xtreg, fe and reghdfe vce(cluster)",
        "Stata results shipped with linearmodels",
    ),
    (
        "OLS, two-way clustered",
        "V_A + V_B − V_A∩B, factor and df of the smaller G",
        "reghdfe, ivreg2 cluster(a b); fixest (G_df = min)",
        "pyfixest",
    ),
    (
        "absorbed parameters k",
        "rank of [1, effect dummies]: levels₁ + levels₂ − connected components",
        "reghdfe, areg, xtreg, fe",
        "Stata results (xtreg, fe); pyfixest",
    ),
    (
        "fixest convention",
        "as Stata, nested effects counted as levels − 1 each",
        "fixest, pyfixest",
        "pyfixest",
    ),
    (
        "linearmodels convention",
        "n/(n−k) with every effect counted, no G/(G−1), normal",
        "linearmodels PanelOLS",
        "by construction",
    ),
    (
        "FGLS",
        "(X'WX)⁻¹, W = 1/s_g², s_g² = mean of squared OLS residuals in g; normal",
        "xtgls, panels(hetero)",
        "matrix formula",
    ),
    (
        "2SLS covariance",
        "sandwich with X̂ = P_Z X; small: n/(n−K−sdofminus), cluster (n−1)/(n−K−sdofminus)·G/(G−1); t or normal",
        "ivreg2 [small], ivreghdfe (absorbed effects as sdofminus)",
        "ivreg2 fixtures of ivreg2r; Wooldridge Ch. 15",
    ),
    (
        "first-stage F, KP rk Wald F",
        "W/n·(n−L−sdofminus)/L₁; clustered W/(n−1)·(n−L−sdofminus)·(G−1)/G/L₁",
        "ivreg2, ivreghdfe",
        "ivreg2 fixtures",
    ),
    (
        "KP rk LM, Cragg–Donald F",
        "Kleibergen–Paap (2006) rank statistics; CD F from the minimum eigenvalue",
        "ivreg2 (ranktest)",
        "ivreg2 fixtures",
    ),
    (
        "Hansen J, Anderson–Rubin",
        "J from two-step efficient GMM residuals (Sargan if iid); AR Wald test of the excluded instruments",
        "ivreg2",
        "ivreg2 fixtures; Wooldridge Ex. 15.8",
    ),
    (
        "effective F",
        "π'Z'Zπ / tr(S(Z'Z)⁻¹), no small-sample factor; critical value by Patnaik's approximation",
        "weakivtest (Montiel Olea–Pflueger 2013)",
        "pyfixest (after its n/(n−k))",
    ),
    (
        "Stock–Yogo critical value",
        "16.38 for the Cragg–Donald F: a nominal 5% Wald test on 2SLS has true size at most 10% (homoskedastic errors)",
        "ivreg2's printed table",
        "Stock & Yogo (2005), Table 5.2",
    ),
    (
        "tF interval (one instrument)",
        "b ± c(F)·SE, c(F) from Lee et al. (2022) Table 3 interpolated in √F; 1.96 from F = {f196:.1f}",
        "tF of Lee et al. (2022)",
        "the paper's printed c(10) = 3.43",
    ),
    (
        "wild cluster bootstrap",
        "restricted (WCR), effects re-absorbed in every draw, Rademacher/Webb/Mammen weights, all vectors when 2^G ≤ "
        "draws; p = share of |t*| > |t|",
        "boottest; wildboottest",
        "wildboottest, exactly",
    ),
    (
        "propensity-score matching",
        "ML logit (Newton, converged), nearest neighbour with replacement, caliper 0.2 pooled SDs of the logit "
        "score, tied controls share the match",
        "teffects psmatch (ties kept); Austin (2011)",
        "ML fit by IRLS (statsmodels GLM)",
    ),
    (
        "suest test",
        "stacked influence functions, G/(G−1) over the compared groups' clusters; χ²",
        "suest + test",
        "hand-computed stacked Wald",
    ),
)


def tf_f_196() -> float:
    """The first-stage F from which the tF critical value is 1.96 (the last row of Lee et al.'s Table 3)."""
    return float(TF_SQRT_F_GRID[int(np.argmax(TF_CRITICAL_05 <= 1.96))] ** 2)


def conventions_table() -> pd.DataFrame:
    """The inference conventions of :mod:`aichain_utils.econometrics` (:data:`CONVENTIONS`)."""
    f196 = tf_f_196()
    rows = [tuple(cell.format(f196=f196) if "{f196" in cell else cell for cell in row) for row in CONVENTIONS]
    return pd.DataFrame(rows, columns=["statistic", "formula", "reproduces", "tested against"])


def p_text(p: float) -> str:
    """A p-value as the demo table prints it: "< 0.001" below 0.0005, else three decimals."""
    return "< 0.001" if p < 0.0005 else f"{p:.3f}"


def convention_demo(data: pd.DataFrame) -> pd.DataFrame:
    """Equation (1) (unit and year effects, controls) fitted once per covariance and convention: the SE and
    p-value of the AIE coefficient under Stata's, fixest's and linearmodels' conventions."""
    rows = []
    for label, kw in DEMO_COVARIANCES:
        row = {"covariance": label}
        for conv in DEMO_CONVENTIONS:
            res = ec.fit_ols(data, "ERL", "AIE", CONTROLS, absorb=_FE, convention=conv, **kw)
            tab = res.table().loc["AIE"]
            row[f"SE, {conv}"] = f"{tab['se']:.4f}"
            row[f"p, {conv}"] = p_text(tab["p"])
        rows.append(row)
    return pd.DataFrame(rows)


def singleton_example(data: pd.DataFrame) -> dict:
    """Singletons (reghdfe drops them, the core keeps them): their number in equation (1)'s complete cases,
    and on a small example where a tenth of the units (at least two) keep only their first year, the
    observations reghdfe's rule drops, the coefficient's move and the robust SE's change in percent."""
    complete = data.dropna(subset=["ERL", "AIE", *CONTROLS])
    without, _ = drop_singletons(complete, _FE, "panel")
    first_year = int(data["year"].min())
    units = np.sort(data["unit_id"].unique())
    trimmed = units[: max(2, len(units) // 10)]
    small = data[~data["unit_id"].isin(trimmed) | (data["year"] == first_year)]
    kept = ec.fit_ols(small, "ERL", "AIE", CONTROLS, absorb=_FE, vcov="robust")
    dropped = ec.fit_ols(small, "ERL", "AIE", CONTROLS, drop_singletons=True, absorb=_FE, vcov="robust")
    return {
        "panel": int(len(complete) - len(without)),
        "units": len(trimmed),
        "n_dropped": int(kept.n - dropped.n),
        "coef_diff": float(abs(kept.params["AIE"] - dropped.params["AIE"])),
        "se_pct": float(100 * (kept.se["AIE"] / dropped.se["AIE"] - 1)),
    }


def first_stage_factors(data: pd.DataFrame, eq1, eq1_industry) -> dict:
    """How much larger Stata's ``regress`` of the first stage would make the first-stage SE, in percent
    (robust: n/(n-L-sdofminus); clustered: (n-1)/(n-L-sdofminus) G/(G-1)).

    The factor depends on n, the regressors and the absorbed effects only: the first instrument these data
    have (IV2 on the book's panels), else equation (1)'s sample (``eq1``, ``eq1_industry``: its fits with
    robust and industry-clustered errors), whose first stage would have as many regressors.
    """
    have = [
        v
        for v in ["IV2", "IV1", "IV3", "IV4"]
        if v in data and data[v].notna().any() and data[v].dropna().unique().size > 1
    ]
    if have:
        fe2 = {"absorb": _FE, "small": True}
        fit_r = ec.fit_iv(data, "ERL", "AIE", have[0], CONTROLS, vcov="robust", **fe2)
        fit_c = ec.fit_iv(data, "ERL", "AIE", have[0], CONTROLS, cluster="industry_id", **fe2)
        instrument = Bilingual(f"2SLS with the instrument {have[0]}", f"以 {have[0]} 为工具变量的两阶段最小二乘")
    else:
        fit_r, fit_c = eq1, eq1_industry
        instrument = Bilingual(
            "a first stage on equation (1)'s sample (these data have no instrument)",
            "式（1）样本上的第一阶段回归（这些数据没有工具变量）",
        )
    n_regressors = 1 + len(CONTROLS)
    sdof_r, sdof_c = fit_r.k - len(fit_r.names), fit_c.k - len(fit_c.names)
    g = fit_c.n_clusters
    robust = np.sqrt(fit_r.n / (fit_r.n - n_regressors - sdof_r))
    cluster = np.sqrt((fit_c.n - 1) / (fit_c.n - n_regressors - sdof_c) * g / (g - 1))
    return {
        "instrument": instrument,
        "se_pct_robust": float(100 * (robust - 1)),
        "se_pct_cluster": float(100 * (cluster - 1)),
    }


def negative_treatment_size(n_negative: int) -> str | Bilingual:
    """The size column of twfe_weights' refusal of a negative treatment, on this build's AIE."""
    if n_negative == 0:
        return "none: this build's AIE has no negative value"
    return table_cell(
        Bilingual(
            f"{n_negative} negative values of AIE: twfe_weights refuses this build's data",
            f"本次构建的 AIE 有 {n_negative} 个负值：twfe_weights 拒绝计算本次构建的数据",
        )
    )


def _oster_variants(data: pd.DataFrame) -> dict:
    """Oster's β* and δ under the book's default R_max (1.3 × within R²), under R_max = 1, and under
    psacalc's 1.3 rule applied to the overall R² of a regression with the effects as dummies."""
    o13 = sensitivity.sensitivity_analysis(data, k=()).oster
    cols = ["ERL", "AIE", *CONTROLS]
    frame = data.dropna(subset=cols)
    dm = demean_columns(frame[cols].to_numpy(float), [pd.factorize(frame[f])[0] for f in _FE])
    o1 = sensitivity.oster(dm[:, 0], dm[:, 1], dm[:, 2:], r_max=1.0)
    tss_within, tss_total = float(dm[:, 0] @ dm[:, 0]), float(((frame["ERL"] - frame["ERL"].mean()) ** 2).sum())
    r2_overall = 1 - (1 - o13["r2_controlled"]) * tss_within / tss_total
    rmax_overall = min(1.0, 1.3 * r2_overall)
    rmax_as_within = o13["r2_controlled"] + (rmax_overall - r2_overall) * tss_total / tss_within
    overall = sensitivity.oster(dm[:, 0], dm[:, 1], dm[:, 2:], r_max=min(1.0, rmax_as_within))
    return {"o13": o13, "o1": o1, "overall": overall}


#: The computed cells of :func:`robustness_differences` ("size"), by language; the numbers are filled as the
#: English shows them.
ROBUSTNESS_SIZES = {
    "factor": {
        "en": "ours larger by the factor √(n/(n−1)) = {f} (n = {n} cells)",
        "zh": "本书的值大 √(n/(n−1)) = {f} 倍（n = {n} 个单元）",
    },
    "r_max": {
        "en": "β* {b} (R_max {r}) against {b1} (R_max 1); δ {d} against {d1}",
        "zh": "β* 为 {b}（R_max {r}），对比 {b1}（R_max 1）；δ 为 {d}，对比 {d1}",
    },
    "overall": {
        "en": "same β*, δ at a given R_max (a test checks it); the 1.3 rule on the overall R² gives β* {b}",
        "zh": "给定 R_max 时 β*、δ 相同（有测试检验）；对整体 R² 使用 1.3 倍规则得到的 β* 为 {b}",
    },
    "romano_wolf": {
        "en": "Monte Carlo only: SE {se} of a p-value near 0.05 with 999 draws",
        "zh": "仅有蒙特卡洛误差：999 次抽样下，0.05 附近的 p 值的标准误为 {se}",
    },
}


def _oster_size(o13: dict, o1: dict) -> Bilingual:
    """The size of Oster's default R_max: β* and δ under 1.3 × within R² against R_max = 1."""
    return _size(
        "r_max", b=f"{o13['beta_star']:.4f}", r=f"{o13['r_max']:.3f}", b1=f"{o1['beta_star']:.4f}",
        d=f"{o13['delta_for_zero']:.3f}", d1=f"{o1['delta_for_zero']:.3f}",
    )  # fmt: skip


def _size(name: str, **values) -> Bilingual:
    """A computed cell of :func:`robustness_differences` in English and Chinese (:data:`ROBUSTNESS_SIZES`)."""
    return table_cell(bilingual_format(ROBUSTNESS_SIZES[name], f"robustness_differences ({name})", **values))


def robustness_differences(data: pd.DataFrame) -> pd.DataFrame:
    """Every deliberate difference of :mod:`aichain_utils.robustness` from Stata and R, with its size on
    ``data`` (twfe_weights' divisor, Oster's R_max and R², refusals, the Monte Carlo SE of Romano-Wolf)."""
    complete = data.dropna(subset=["ERL", "AIE", *CONTROLS])
    n_cells = int((complete["AIE"] != 0).sum())  # twfe_weights' cells: one per treated unit-year
    n_negative = int((complete["AIE"] < 0).sum())
    o = _oster_variants(data)
    o13, o1 = o["o13"], o["o1"]
    mc_se = float(np.sqrt(0.05 * 0.95 / 999))
    rows = [
        (
            "σ_fe of twfe_weights (Corollary 1 (i))",
            "σ(W) with divisor n, as the paper",
            "twowayfeweights: Stata's summarize [aweight], divisor n − 1",
            _size("factor", f=f"{np.sqrt(n_cells / (n_cells - 1)):.5f}", n=n_cells),
        ),
        (
            "σ̲_fe of twfe_weights (Corollary 1 (ii))",
            "sigma_fe_sign; None when no bound exists",
            "twowayfeweights sensibility2 / e(lb_se_te2)",
            "none (the tests find them equal to 1e-8)",
        ),
        (
            "Oster's default R_max",
            "1.3 × reghdfe's within R² (unit and year effects removed) of the controlled regression, "
            "capped at 1 (Oster's rule)",
            "psacalc's default rmax(1)",
            _oster_size(o13, o1),
        ),
        (
            "Oster's R² with fixed effects",
            "reghdfe's within R² (unit and year effects absorbed first), not PanelOLS's",
            "psacalc after regress with the effects as dummies in mcontrol(): overall R²",
            _size("overall", b=f"{o['overall']['beta_star']:.4f}"),
        ),
        (
            "Impossible benchmark multiple k",
            "that (benchmark, k) row is left out and listed in impossible_bounds",
            "sensemakr stops the whole call",
            "no row of the table changes",
        ),
        (
            "The robustness value RV (any q, α) with 1 residual df; bounds with se = 0 or 1 df",
            "refused",
            "sensemakr returns a missing value or an infinite t",
            "no number is lost on valid input",
        ),
        (
            "Controls that do not move β; a perfect controlled fit; a constant outcome",
            "refused (β*, δ undefined)",
            "psacalc returns missing (division by zero) or a root of 0/0 data",
            "no number is lost on valid input",
        ),
        (
            "A control collinear with the others",
            "refused, naming the control",
            "Stata and R drop it and report the rest",
            "none on full-rank data",
        ),
        (
            "Negative treatment in twfe_weights",
            "refused (natural weights D / ΣD need D ≥ 0)",
            "twowayfeweights computes with negative natural weights",
            negative_treatment_size(n_negative),
        ),
        (
            "Romano–Wolf draws",
            "own Rademacher draws (seeded), vectorised",
            "pyfixest rwolf: its own draws",
            _size("romano_wolf", se=f"{mc_se:.4f}"),
        ),
        (
            "Causal-mediation draws",
            "unit-clustered coefficient covariances; at least 2 draws",
            "R mediation: the model's (classical) covariance unless robustSE/cluster is set",
            "the interval's width changes with the covariance; the point ACME and ADE do not",
        ),
    ]
    return pd.DataFrame(rows, columns=["what", "the book", "Stata / R", "size"])


class InferenceConventions(Results):
    """The conventions appendix's numbers and tables, on the panel of the build.

    Attributes
    ----------
    panel : AnalysisPanel
    demo : DataFrame
        :func:`convention_demo`.
    eq1, eq1_industry : RegressionResult
        Equation (1) with Stata's robust and industry-clustered errors.
    """

    prefix = "conv"

    def __init__(self, panel: AnalysisPanel):
        self.panel = panel
        d = panel.data
        self.demo = convention_demo(d)
        self.eq1 = ec.fit_ols(d, "ERL", "AIE", CONTROLS, absorb=_FE)
        self.eq1_industry = ec.fit_ols(d, "ERL", "AIE", CONTROLS, absorb=_FE, cluster="industry_id")
        self.eq1_industry_lm = ec.fit_ols(
            d, "ERL", "AIE", CONTROLS, absorb=_FE, cluster="industry_id", convention="linearmodels"
        )

    def conventions_table(self) -> pd.DataFrame:
        """:func:`conventions_table`."""
        return conventions_table()

    def deliberate_differences(self) -> pd.DataFrame:
        """:func:`~aichain_utils.replication.columns.deliberate_differences` on the panel of the build."""
        return columns.deliberate_differences(self.panel.data)

    def robustness_differences(self) -> pd.DataFrame:
        """:func:`robustness_differences` on the panel of the build."""
        return robustness_differences(self.panel.data)

    def numbers(self) -> Numbers:
        """The industries, linearmodels' industry-clustered SE against Stata's (percent), the singletons, the
        two within R² of equation (1) and the first-stage SE factors."""
        d = self.panel.data
        lm, stata = self.eq1_industry_lm.se["AIE"], self.eq1_industry.se["AIE"]
        return Numbers(
            self.prefix,
            {
                "n_industries": int(d["industry_id"].nunique()),
                "lm_over_stata_industry": float(100 * (lm / stata - 1)),
                "singletons": singleton_example(d),
                "r2_within": {
                    "reghdfe": float(self.eq1.r2_within),
                    "panelols": float(self.eq1.r2_within_panelols("unit_id")),
                },
                "first_stage": first_stage_factors(d, self.eq1, self.eq1_industry),
            },
        )


def inference_conventions(panel: AnalysisPanel) -> InferenceConventions:
    """The conventions appendix's results on ``panel`` (see :class:`InferenceConventions`)."""
    return InferenceConventions(panel)
