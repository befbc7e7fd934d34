"""Results objects of the robustness chapter: the specification curve, the sensitivity to an omitted
confounder, the simultaneous tests, causal mediation, the two-way FE weights, and the fragility of each claim.

Each function takes the analysis panel (and, for the fragility table, the objects before it) and returns
a :class:`~aichain_utils.replication.numbers.Results` whose :meth:`numbers` hold what the chapter cites,
verdicts and sentences included, computed with :mod:`aichain_utils.robustness`:

* ``rob = robustness_inputs(panel)``: the data's own AIE (``rob_own_aie``);
* ``curve = specification_curve(panel)``: Simonsohn, Simmons and Nelson (2020) with its joint test (``rob_curve_*``);
* ``sens = sensitivity(panel)``: Cinelli and Hazlett (2020) and Oster (2019) on equation (1) (``rob_sens_*``);
* ``tests = multiple_tests(panel)``: Romano-Wolf and Holm over three families (``rob_mt_*``);
* ``med = causal_mediation(panel)``: Imai, Keele and Tingley (2010) per mediator (``rob_med_*``);
* ``twfe = twfe_weights(panel)``: de Chaisemartin and D'Haultfoeuille (2020) (``rob_twfe_*``);
* ``frag = fragility(panel, curve, sens, tests, med)``: one verdict per claim (``rob_frag_*``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from aichain_utils.replication.numbers import Bilingual, Numbers, Results, true_effect
from aichain_utils.robustness import causal_mediation as _mediation
from aichain_utils.robustness import fragility as _fragility
from aichain_utils.robustness import multiple, plots, sentences, speccurve
from aichain_utils.robustness import sensitivity as _sensitivity
from aichain_utils.robustness import twfe_weights as _twfe
from aichain_utils.text import check_finite

__all__ = [
    "CausalMediationResults",
    "Fragility",
    "MultipleTests",
    "RobustnessInputs",
    "Sensitivity",
    "SpecificationCurve",
    "TwfeWeights",
    "causal_mediation",
    "curve_verdict",
    "fe_reading",
    "fragility",
    "multiple_tests",
    "oster_verdict",
    "robustness_inputs",
    "sensitivity",
    "specification_curve",
    "twfe_sign_clause",
    "twfe_weights",
]

SEED = 20251123
#: The data's own AIE weighting (:func:`aichain_utils.inputs.panel.aie_weight_method`) in Chinese.
OWN_WEIGHTS_ZH = {"entropy": "熵值法权重", "published": "公布的权重"}
NULL_REPS = 999
MT_REPS = 999
MEDIATION_SIMS = 2000
MEDIATORS = ("FSIE", "ITSE_forward", "ITSE_backward")
#: The dimensions of the curve, with their names in the by-choice table (Table "tbl-rob-curve").
DIMENSIONS = (
    ("reading", "measurement reading"),
    ("weights", "AIE weights"),
    ("sample", "sample"),
    ("estimator", "estimator"),
    ("fe", "fixed effects"),
    ("controls", "controls"),
    ("se", "standard errors"),
)
#: The dimensions' names in Chinese (the glossary's words), for the sentences that name one.
DIMENSIONS_ZH = {
    "measurement reading": "测度解读",
    "AIE weights": "AIE 权重",
    "sample": "样本",
    "estimator": "估计量",
    "fixed effects": "固定效应",
    "controls": "控制变量",
    "standard errors": "标准误",
}
#: A curve "does not depend on the readings" when at least this share of its specifications is positive and
#: significant and the joint test rejects the null at 5%.
CURVE_SHARE = 0.9
ALPHA = 0.05


def _pct(share: float) -> float:
    return 100 * share


def _positive_significant(frame: pd.DataFrame) -> pd.Series:
    return (frame["estimate"] > 0) & (frame["p"] < ALPHA)


class RobustnessInputs(Results):
    """What the chapter says of the data on any build: which AIE the curve uses as the data's own."""

    prefix = "rob"

    def __init__(self, panel):
        from aichain_utils.inputs import panel as panels

        self.panel = panel
        #: The label of the data's own AIE weighting passed to the curve ("entropy", "published", or the file's).
        self.own_weights = (
            "the file's AIE" if panel.level == "analysis" else panels.aie_weight_method(None, panel.source)
        )

    def raw(self) -> pd.DataFrame | None:
        """Table 1's 24 indicators the three AIE weightings need: the simulated panel's or a raw-level file's."""
        from aichain_utils.inputs import panel as panels
        from aichain_utils.simulation import simulate

        p = self.panel
        if p.source.is_simulated:
            return simulate.simulate_panel().raw
        return panels.read_raw_file(p.source.path) if p.level == "raw" else None

    def numbers(self) -> Numbers:
        """``rob_own_aie``: the data's own AIE in words ("the entropy weights", "the file's AIE")."""
        if self.panel.level == "analysis":
            own = Bilingual(self.own_weights, "文件自带的 AIE")
        else:
            zh = OWN_WEIGHTS_ZH.get(self.own_weights, f"{self.own_weights} 权重")
            own = Bilingual(f"the {self.own_weights} weights", zh)
        return Numbers(self.prefix, {"own_aie": own})


def robustness_inputs(panel) -> RobustnessInputs:
    """The data's own AIE and raw inputs, as the specification curve uses them."""
    return RobustnessInputs(panel)


class _LeftOut:
    """Displays one sentence per reading left out of the curve, and nothing when none was."""

    def __init__(self, left_out: dict[str, str]):
        self.left_out = left_out

    def _ipython_display_(self):
        from html import escape

        from IPython.display import HTML, display

        if self.left_out:
            display(HTML("".join(
                f"<p>The reading <code>{k}</code> is left out of the curve on these data: {escape(v)}</p>"
                for k, v in self.left_out.items()
            )))  # fmt: skip


def curve_verdict(share_positive_significant: float, null_p_share: float) -> Bilingual:
    """The curve's verdict: at least 90% positive and significant and a joint p below 5% keep the claim."""
    if share_positive_significant >= CURVE_SHARE and null_p_share < ALPHA:
        return Bilingual("the claim does not depend on the readings", "该论断不依赖于这些解读")
    return Bilingual("the claim depends on the readings", "该论断依赖于这些解读")


def fe_reading(widest: str, fe_gap: float) -> Bilingual:
    """Exercise 1's reading of which dimension moves the estimate most (the fixed effects, or not)."""
    if widest == "fixed effects":
        return Bilingual(
            "As expected, the fixed effects matter most: year effects alone or none leave the industry and unit "
            "levels of AIE in the comparison, which unit effects remove.",
            "不出所料，固定效应最为重要：只有年份效应或没有固定效应时，AIE 在行业和个体层面的水平差异留在比较之中，"
            "而个体效应会将其消除。",
        )
    return Bilingual(
        f"So on this data it is not the fixed effects, the usual suspect, that matter most; their medians differ "
        f"by {fe_gap:.3f}.",
        f"因此在这些数据上，最重要的并不是通常被怀疑的固定效应；其中位数相差 {fe_gap:.3f}。",
    )


class SpecificationCurve(Results):
    """The specification curve of AIE -> ERL (Simonsohn, Simmons and Nelson 2020) over every reading.

    Attributes
    ----------
    curve : SpecCurve
        :func:`aichain_utils.robustness.speccurve.specification_curve`.
    left_out : dict
        Readings that leave no usable row on these data, with the reason.
    truth : float or None
        The simulated world's true effect (None on a user's data).
    """

    prefix = "rob_curve"

    def __init__(self, curve, left_out: dict[str, str], truth: float | None):
        self.curve = curve
        self.left_out = left_out
        self.truth = truth
        self.summary = curve.summary()

    @property
    def table(self) -> pd.DataFrame:
        """One row per specification (:attr:`SpecCurve.table`)."""
        return self.curve.table

    def left_out_note(self) -> _LeftOut:
        """A display of the readings left out (nothing when none was)."""
        return _LeftOut(self.left_out)

    def plot(self):
        """The curve and its grid of choices (:func:`aichain_utils.robustness.plots.plot_specification_curve`)."""
        return plots.plot_specification_curve(self.curve)

    def by_choice(self) -> pd.DataFrame:
        """Table "tbl-rob-curve": per dimension and choice, the count, median and range, and % positive-significant."""
        rows = []
        for dim, label in DIMENSIONS:
            for level, part in self.table.groupby(dim, sort=False):
                est = part["estimate"]
                rows.append({
                    "dimension": label, "choice": level, "specifications": len(part),
                    "median estimate": est.median(), "min": est.min(), "max": est.max(),
                    "% positive and significant": _pct(_positive_significant(part).mean()),
                })  # fmt: skip
        return pd.DataFrame(rows)

    def truth_sentence(self) -> Bilingual:
        """On the simulated panel, the share of the 95% intervals covering the true effect."""
        if self.truth is None:
            return Bilingual(
                "On licensed data there is no true effect to compare the curve with.",
                "在授权数据上没有可与该曲线比较的真实效应。",
            )
        pts = self.curve.points
        cover = float(((pts["ci_low"] <= self.truth) & (self.truth <= pts["ci_high"])).mean())
        return Bilingual(
            f"On this simulated panel the true effect is {self.truth:.3f}; "
            f"{_pct(cover):.0f}% of the specifications' 95% intervals cover it.",
            f"在这一模拟面板上，真实效应为 {self.truth:.3f}；各设定的 95% 置信区间中有 {_pct(cover):.0f}% 覆盖了它。",
        )

    def numbers(self) -> Numbers:
        """The curve's summary (counts, % positive, range, the joint test), verdict and choice-by-choice spread."""
        s = self.summary
        spread = self.by_choice().groupby("dimension")["median estimate"].agg(lambda m: m.max() - m.min())
        untrimmed = self.table[self.table["sample"].isin(["full", "to 2022"])]
        tree: dict[str, Any] = {k: int(s[k]) for k in ("specifications", "point_estimates", "null_reps", "null_seed")}
        tree.update({k: s[k] for k in ("median", "min", "max", "book_estimate", "null_p_median", "null_p_share")})
        tree.update(
            pct_positive=_pct(s["share_positive"]),
            pct_positive_significant=_pct(s["share_positive_significant"]),
            null_pct_mean=_pct(s["null_share_null_mean"]),
            verdict=curve_verdict(s["share_positive_significant"], s["null_p_share"]),
            truth_sentence=self.truth_sentence(),
            widest_dim=Bilingual(spread.idxmax(), DIMENSIONS_ZH[spread.idxmax()]),
            widest_gap=float(spread.max()),
            ex1_pct=float(_pct(_positive_significant(untrimmed).mean())),
            ex1_fe_reading=fe_reading(spread.idxmax(), float(spread["fixed effects"])),
        )
        return Numbers(self.prefix, tree)


def specification_curve(panel, null_reps: int = NULL_REPS, seed: int = SEED) -> SpecificationCurve:
    """The specification curve on the panel: the book's reading, the alternative readings of the measurement
    chapter (:data:`speccurve.CURVE_SWITCHES`) and, where the file has Table 1's indicators, three AIE weightings.

    A reading that leaves no usable row on these data is left out (:func:`speccurve.usable_readings`).
    """
    from aichain_utils.replication import measurement_tables as measurement

    inputs = robustness_inputs(panel)
    raw = inputs.raw()
    alts = measurement.alternative_panels(panel, switches=speccurve.CURVE_SWITCHES, raw=raw)
    readings, left_out = speccurve.usable_readings({f"{name}={value}": alt.data for (name, value), alt in alts.items()})
    curve = speccurve.specification_curve(
        panel.data, None if raw is None else speccurve.aie_weight_variants(raw), null_reps=null_reps, seed=seed,
        readings=readings, own_weights=inputs.own_weights,
    )  # fmt: skip
    return SpecificationCurve(curve, left_out, true_effect(panel))


def oster_verdict(delta: float) -> Bilingual:
    """Oster's rule of thumb: a relative selection |δ| above 1 to bring the coefficient to zero is robust."""
    if abs(delta) > 1:
        return Bilingual("beyond Oster's rule of thumb |δ| > 1", "超出了 Oster 的经验法则 |δ| > 1")
    return Bilingual("within Oster's |δ| ≤ 1", "在 Oster 的 |δ| ≤ 1 之内")


class Sensitivity(Results):
    """Cinelli-Hazlett and Oster sensitivity of equation (1)'s AIE coefficient on the within transformation.

    The attributes of :class:`~aichain_utils.robustness.sensitivity.SensitivityResult` (``rv``, ``t``,
    ``dof``, ``bounds``) read through (``sens.rv``).
    """

    prefix = "rob_sens"
    #: The bounds table's formats: "times as strong" is a whole multiple.
    BOUNDS_FORMATS = {"times as strong": "{:.0f}×"}  # noqa: RUF012

    def __init__(self, result):
        self.result = result

    def __getattr__(self, name: str):
        if name.startswith("_") or name == "result":
            raise AttributeError(name)
        return getattr(self.result, name)

    def bounds_table(self) -> pd.DataFrame:
        """Table "tbl-rob-sens": the coefficient adjusted for a confounder 1-3 times as strong as each control."""
        table = self.result.bounds[
            ["benchmark", "k", "r2dz_x", "r2yz_dx", "adjusted_estimate", "adjusted_ci_low", "adjusted_ci_high"]
        ]
        return table.rename(columns={
            "k": "times as strong", "r2dz_x": "partial R² with AIE", "r2yz_dx": "partial R² with ERL",
            "adjusted_estimate": "adjusted estimate", "adjusted_ci_low": "95% low", "adjusted_ci_high": "95% high",
        })  # fmt: skip

    def oster_move_words(self) -> Bilingual:
        """Whether adding the controls moves the coefficient by less or more than one standard error."""
        r = self.result
        move = abs(r.oster["beta_short"] - r.oster["beta_controlled"])
        if move < r.se:
            return Bilingual(f"less than one standard error ({r.se:.3f})", f"不到一个标准误（{r.se:.3f}）")
        return Bilingual(f"more than one standard error ({r.se:.3f})", f"超过一个标准误（{r.se:.3f}）")

    def numbers(self) -> Numbers:
        """Partial R², RV and RV_α, Oster's δ, β*, R_max and the two coefficients, the verdicts and the
        benchmark sentences (:func:`aichain_utils.robustness.sentences.benchmark_sentences`)."""
        r = self.result
        o = r.oster
        tree = {
            "partial_r2": r.partial_r2,
            "rv": r.rv,
            "rv_alpha": r.rv_alpha,
            "oster_delta": o["delta_for_zero"],
            "oster_beta": o["beta_star"],
            "oster_rmax": o["r_max"],
            "oster_short": o["beta_short"],
            "oster_controlled": o["beta_controlled"],
            "oster_move_words": self.oster_move_words(),
            "oster_verdict": oster_verdict(o["delta_for_zero"]),
            **sentences.benchmark_sentences(r),
        }
        return Numbers(self.prefix, tree)


def sensitivity(panel) -> Sensitivity:
    """:func:`aichain_utils.robustness.sensitivity.sensitivity_analysis` of equation (1) on the panel."""
    return Sensitivity(_sensitivity.sensitivity_analysis(panel.data))


class MultipleTests(Results):
    """Romano-Wolf and Holm p-values of the three families of :func:`aichain_utils.robustness.fragility.families`.

    Attributes
    ----------
    tests : dict of str to DataFrame
        :func:`aichain_utils.robustness.multiple.multiple_testing` per family.
    """

    prefix = "rob_mt"

    def __init__(self, tests: dict[str, pd.DataFrame]):
        self.tests = tests

    def stacked(self) -> pd.DataFrame:
        """Table "tbl-rob-mt": every hypothesis with its family and its three p-values."""
        stacked = pd.concat([t.assign(family=name) for name, t in self.tests.items()], ignore_index=True)
        return stacked[["family", "hypothesis", "estimate", "se (cluster unit)", "p", "p, Holm", "p, Romano–Wolf", "N"]]

    def numbers(self) -> Numbers:
        """Hypotheses, and those significant at 5% one at a time, after Holm and after Romano-Wolf."""
        s = self.stacked()
        count = {c: int((s[c] < ALPHA).sum()) for c in ("p", "p, Holm", "p, Romano–Wolf")}
        return Numbers(
            self.prefix,
            {"n_hyp": len(s), "n_raw": count["p"], "n_holm": count["p, Holm"], "n_rw": count["p, Romano–Wolf"]},
        )


def multiple_tests(panel, reps: int = MT_REPS, seed: int = SEED) -> MultipleTests:
    """The simultaneous tests of every family (one wild cluster bootstrap by unit per family)."""
    return MultipleTests({
        name: multiple.multiple_testing(panel.data, hyps, reps=reps, seed=seed)
        for name, hyps in _fragility.families().items()
    })  # fmt: skip


class CausalMediationResults(Results):
    """The ACME of each mediator with its quasi-Bayesian interval and the ρ at which it vanishes.

    ``med["FSIE"]`` is the :class:`~aichain_utils.robustness.causal_mediation.CausalMediation` of a mediator.
    """

    prefix = "rob_med"

    def __init__(self, results: dict):
        self.results = results

    def __getitem__(self, mediator: str):
        return self.results[mediator]

    def summary_table(self) -> pd.DataFrame:
        """Table "tbl-rob-med": ACME, ADE, total effect and the ρ at which the ACME is zero, per mediator."""
        return pd.DataFrame([r.summary() for r in self.results.values()])

    def sensitivity_plot(self):
        """The ACME against ρ (:func:`aichain_utils.robustness.plots.plot_mediation_sensitivity`)."""
        return plots.plot_mediation_sensitivity(self.results)

    def numbers(self) -> Numbers:
        """The range of the ρ at which the ACMEs vanish, and how many ACME intervals exclude zero."""
        rhos = [r.rho_at_zero for r in self.results.values()]
        n_acme = sum(not (r.acme_ci[0] <= 0 <= r.acme_ci[1]) for r in self.results.values())
        return Numbers(self.prefix, {"rho_min": min(rhos), "rho_max": max(rhos), "n_acme": n_acme})


def causal_mediation(panel, sims: int = MEDIATION_SIMS, seed: int = SEED) -> CausalMediationResults:
    """:func:`aichain_utils.robustness.causal_mediation.causal_mediation` through FSIE and forward and backward ITSE."""
    return CausalMediationResults(
        {m: _mediation.causal_mediation(panel.data, m, sims=sims, seed=seed) for m in MEDIATORS}
    )


#: :func:`twfe_sign_clause`, one template per language.
_SIGN_CLAUSE = {
    "en": (
        "effects all of the opposite sign to the coefficient would need a standard deviation of at least "
        "{sigma:.3f} (σ̲_fe, Corollary 1 (ii))",
        "their Corollary 1 (ii), which bounds how dispersed effects all of the opposite sign to the "
        "coefficient would have to be, gives no bound on these weights",
    ),
    "zh": (
        "与系数符号全部相反的效应，其标准差至少须为 {sigma:.3f}（σ̲_fe，推论 1（ii））",
        "其推论 1（ii）界定与系数符号全部相反的效应须有多分散，但对这些权重不给出任何界",
    ),
}


def twfe_sign_clause(sigma_fe_sign: float | None) -> Bilingual:
    """Corollary 1 (ii) of de Chaisemartin and D'Haultfoeuille (2020) in words, or why it gives no bound.

    ``None`` means the corollary gives no bound (the second clause); a NaN bound is an error, never "nan" on
    a page. Both languages are filled from the same number."""
    bound = sigma_fe_sign is not None
    if bound:
        check_finite("the TWFE sign clause", sigma_fe_sign=sigma_fe_sign)
    texts = {lang: t[0].format(sigma=sigma_fe_sign) if bound else t[1] for lang, t in _SIGN_CLAUSE.items()}
    return Bilingual(texts["en"], texts["zh"])


class TwfeWeights(Results):
    """The weights two-way FE attach to the unit-year effects of AIE, and the estimators that would apply."""

    prefix = "rob_twfe"

    def __init__(self, weights: dict, alternatives: str):
        self.weights = weights
        self.alternatives = alternatives

    def numbers(self) -> Numbers:
        """Weights, negative ones (count, %, sum), σ_fe, the sign clause and the alternatives' sentence."""
        w = self.weights
        return Numbers(self.prefix, {
            "n": w["n_weights"], "n_negative": w["n_negative"], "pct_negative": _pct(w["share_negative"]),
            "sum_negative": w["sum_negative"], "sigma": w["sigma_fe"],
            "sign_clause": twfe_sign_clause(w["sigma_fe_sign"]), "alternatives": self.alternatives,
        })  # fmt: skip


def twfe_weights(panel) -> TwfeWeights:
    """:func:`aichain_utils.robustness.twfe_weights.twfe_weights` of equation (1) and which continuous-treatment
    estimators apply (:func:`aichain_utils.robustness.sentences.continuous_did_sentence`)."""
    d = panel.data
    alternatives = sentences.continuous_did_sentence(_twfe.stayers(d), sentences.quasi_stayers(d))
    return TwfeWeights(_twfe.twfe_weights(d), alternatives)


class Fragility(Results):
    """One row per claim (H1-H3 and the ten group claims of Tables 7-9) with its computed verdict."""

    prefix = "rob_frag"
    WORDS = ("robust", "fragile", "not supported")

    def __init__(self, summary: pd.DataFrame):
        self.summary = summary

    def numbers(self) -> Numbers:
        """Claims, and how many are robust, fragile and not supported, with the sentence naming them."""
        counts = self.summary["verdict"].value_counts()
        tree = {"n_claims": len(self.summary)}
        tree.update({f"n_{w.replace(' ', '_')}": int(counts.get(w, 0)) for w in self.WORDS})
        tree["verdict_sentence"] = _fragility.verdict_sentence(self.summary)
        return Numbers(self.prefix, tree)


def fragility(
    panel, curve: SpecificationCurve, sens: Sensitivity, tests: MultipleTests, med: CausalMediationResults
) -> Fragility:
    """:func:`aichain_utils.robustness.fragility.fragility_summary` of the chapter's objects, each claim in the
    direction the paper prints (:func:`aichain_utils.robustness.fragility.published_signs`)."""
    summary = _fragility.fragility_summary(
        panel.data, curve.summary["share_positive_significant"], sens.result, tests.tests, med.results,
        _fragility.published_signs(),
    )  # fmt: skip
    return Fragility(summary)
