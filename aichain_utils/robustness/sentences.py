"""The robustness chapter's computed sentences: what the omitted-variable benchmarks show, and which
heterogeneity-robust estimators a continuous treatment like AIE admits.

The sentences read the results (:class:`aichain_utils.robustness.sensitivity.SensitivityResult`,
:func:`aichain_utils.robustness.twfe_weights.stayers`) and say only what those results show, on any
data: a benchmark is described by its own association with *both* AIE and ERL, as Cinelli & Hazlett
(2020, s. 6) define it, and an estimator is said to apply only when the comparison units it needs are
in the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aichain_utils.errors import input_error
from aichain_utils.robustness import sensitivity as _sens
from aichain_utils.text import Bilingual, check_finite

__all__ = ["benchmark_multiple", "benchmark_sentences", "continuous_did_sentence", "quasi_stayers"]


def _adjusted(sens, r2d: float, r2y: float, k: float) -> dict:
    return _sens.benchmark_bounds(sens.estimate, sens.se, sens.dof, r2d, r2y, k)


def benchmark_multiple(sens, r2d: float, r2y: float, target: str = "zero") -> float | None:
    """How many times as strong as a benchmark covariate a confounder must be to overturn the estimate.

    The bounds of :func:`aichain_utils.robustness.sensitivity.benchmark_bounds` (Cinelli & Hazlett 2020,
    s. 6, with ``kd = ky = k``) for a benchmark whose partial R² are ``r2d`` with the treatment and ``r2y``
    with the outcome: the smallest ``k`` at which the adjusted estimate reaches zero (``target="zero"``)
    or its 95% interval first contains zero (``target="insignificant"``).

    Parameters
    ----------
    sens : SensitivityResult
        The sensitivity analysis (its estimate, standard error and degrees of freedom).
    r2d, r2y : float
        The benchmark's partial R² with the treatment and with the outcome.
    target : {"zero", "insignificant"}

    Returns
    -------
    float or None
        ``k``, to about four significant digits; None when no feasible ``k`` overturns the estimate (the
        implied partial R² with the treatment, ``k r2d / (1 - r2d)``, must stay below 1) or ``r2d`` is 0.

    Raises
    ------
    AichainInputError
        If ``target`` is neither "zero" nor "insignificant", or a partial R² lies outside [0, 1).
    """
    if target not in ("zero", "insignificant"):
        raise input_error("target", 'must be "zero" or "insignificant"', [target], what="values")
    for name, v in (("r2d", r2d), ("r2y", r2y)):
        if not 0.0 <= v < 1.0:
            raise input_error(name, "must be a partial R² in [0, 1)", [v], what="values")
    if r2d == 0.0:
        return None
    sign = np.sign(sens.estimate)

    def overturned(k: float) -> bool:
        b = _adjusted(sens, r2d, r2y, k)
        if target == "zero":
            return sign * b["adjusted_estimate"] <= 0
        return b["adjusted_ci_low"] <= 0 <= b["adjusted_ci_high"]

    k_max = (1 - r2d) / r2d * (1 - 1e-9)  # beyond it the confounder would explain all of the treatment
    grid = np.geomspace(min(1e-3, k_max / 2), k_max, 400)
    hits = [k for k in grid if overturned(k)]
    if not hits:
        return None
    hi = hits[0]
    below = grid[grid < hi]
    lo = below[-1] if len(below) else 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if overturned(mid) else (mid, hi)
    return float(hi)


def _strongest(bounds: pd.DataFrame, column: str) -> tuple[str, float]:
    row = bounds.sort_values(column).iloc[-1]
    return str(row["benchmark"]), float(row[column])


#: The benchmark sentences' parts, one template per language, filled by the same code from the same results
#: (the glossary's words in Chinese: 混杂因素, 稳健性值, 偏 R², 组内变异).
_BENCH: dict[str, dict[str, str]] = {
    "en": {
        "bound_one": "as strong as any one control",
        "bound_k": "{k} times as strong",
        "at_least": "at least",
        "at_most": "at most",
        "bound": "a confounder {times} leaves the estimate {bound} {low:.3f}",
        "excl": ", its 95% interval excluding zero",
        "incl": ", though some of those intervals include zero",
        "need": (
            "To bring the estimate to zero, a confounder would have to be {k:,.0f} times as strong as "
            "{control} in both respects, the control for which the fewest times suffice."
        ),
        "need_none": (
            "No multiple of any control's strength brings the estimate to zero before the confounder would have "
            "to explain all of AIE's residual variation."
        ),
        "extreme": (
            "Even a confounder that explained all of the residual within variation of ERL would have to explain "
            "at least {r2:.3f} of AIE's to bring the estimate to zero (Cinelli and Hazlett's extreme "
            "scenario: that bound is AIE's own partial R² with ERL)."
        ),
        "rv_alone": (
            "A confounder that overturns the result would have to explain at least {rv:.3f} of the "
            "residual variation of AIE or of ERL; there is no observed control to compare that with."
        ),
        "no_benchmarks": "There are no controls, so there are no benchmarks to bound the estimate with.",
        "more_than": "more than any control explains of either (at most {strongest:.3f})",
        "which_alone": "which {which} alone already explains of {var} ({strongest:.3f})",
        "rv_reading": (
            "A confounder that overturns the result would therefore have to explain at least {rv:.3f} of "
            "the residual variation of AIE or of ERL, {reading}."
        ),
        "sep": "; ",
        "benchmarks": (
            "The bounds measure a confounder, as Cinelli and Hazlett do, by the strength of an observed control "
            "in both of its associations: the control most associated with AIE, "
            "{cd}, explains {r2d:.4f} of AIE's residual within variation, and the control most associated with "
            "ERL, {cy}, explains {r2y:.3f} of ERL's. On these data {bounds}. {need} The controls "
            "say how the estimate fares against omitted variables related to AIE as weakly as they are; "
            "against a confounder that drives AI embedding itself, the yardstick is the robustness value."
        ),
    },
    "zh": {
        "bound_one": "与任一控制变量同样强",
        "bound_k": "强度为其 {k} 倍",
        "at_least": "至少",
        "at_most": "至多",
        "bound": "{times}的混杂因素使估计值{bound}为 {low:.3f}",
        "excl": "，其 95% 置信区间不含零",
        "incl": "，但其中一些区间包含零",
        "need": (
            "要使估计值降为零，混杂因素在两方面的强度都须达到 {control} 的 {k:,.0f} 倍；"
            "{control} 是所需倍数最少的控制变量。"
        ),
        "need_none": "在混杂因素须解释 AIE 全部剩余变异之前，任何控制变量强度的任何倍数都不能使估计值降为零。",
        "extreme": (
            "即使一个混杂因素解释了 ERL 全部剩余组内变异，它也至少须解释 AIE 剩余组内变异的 {r2:.3f}，"
            "才能使估计值降为零（Cinelli 和 Hazlett 的极端情形：这一界就是 AIE 与 ERL 的偏 R²）。"
        ),
        "rv_alone": ("推翻结论的混杂因素至少须解释 AIE 或 ERL 剩余变异的 {rv:.3f}；没有可观测的控制变量可与之比较。"),
        "no_benchmarks": "没有控制变量，因此没有可用来为估计值定界的基准。",
        "more_than": "超过任何控制变量对二者中任一个的解释（至多 {strongest:.3f}）",
        "which_alone": "而单是 {which} 就已解释了 {var} 剩余变异的 {strongest:.3f}",
        "rv_reading": "因此，推翻结论的混杂因素至少须解释 AIE 或 ERL 剩余变异的 {rv:.3f}，{reading}。",
        "sep": "；",
        "benchmarks": (
            "与 Cinelli 和 Hazlett 一样，这些界以一个可观测控制变量在两方面关联上的强度来衡量混杂因素："
            "与 AIE 关联最强的控制变量 {cd} 解释了 AIE 剩余组内变异的 {r2d:.4f}，与 ERL 关联最强的控制变量 "
            "{cy} 解释了 ERL 的 {r2y:.3f}。在这些数据上，{bounds}。{need}这些控制变量说明估计值面对与 AIE "
            "的关联同它们一样弱的遗漏变量时表现如何；面对驱动人工智能嵌入本身的混杂因素，衡量标准是稳健性值。"
        ),
    },
}


def _bounds_at_one_and_three(sens, b: pd.DataFrame, t: dict[str, str]) -> list[str]:
    """The bounds on the estimate of a confounder as strong as any one control, and three times as strong,
    in the language of the templates ``t``."""
    k1, k3 = b[b["k"] == 1.0], b[b["k"] == 3.0]
    bounds_text = []
    for k, part in ((1, k1), (3, k3)):
        if part.empty:
            continue
        low = part["adjusted_estimate"].min() if sens.estimate > 0 else part["adjusted_estimate"].max()
        check_finite("the benchmark bounds", low=low)
        excl = ((part["adjusted_ci_low"] > 0) | (part["adjusted_ci_high"] < 0)).all()
        times = t["bound_one"] if k == 1 else t["bound_k"].format(k=k)
        bound = t["at_least"] if sens.estimate > 0 else t["at_most"]
        bounds_text.append(t["bound"].format(times=times, bound=bound, low=low) + (t["excl"] if excl else t["incl"]))
    return bounds_text


def _strength_needed(sens, per: pd.DataFrame) -> dict[str, str]:
    """How many times as strong as the weakest-needed control a confounder must be to remove the estimate,
    in each language."""
    multiples = {
        c: benchmark_multiple(sens, float(r["r2 with AIE"]), float(r["r2 with ERL"])) for c, r in per.iterrows()
    }
    found = {c: k for c, k in multiples.items() if k is not None}
    if not found:
        return {lang: t["need_none"] for lang, t in _BENCH.items()}
    c_min = min(found, key=found.get)
    return {lang: t["need"].format(k=found[c_min], control=c_min) for lang, t in _BENCH.items()}


def _both(texts: dict[str, str]) -> Bilingual:
    return Bilingual(texts["en"], texts["zh"])


def benchmark_sentences(sens) -> dict[str, Bilingual]:
    """The sentences that compare an omitted confounder with the observed controls, in English and Chinese.

    Parameters
    ----------
    sens : SensitivityResult
        :func:`aichain_utils.robustness.sensitivity.sensitivity_analysis` (with its ``bounds``).

    Returns
    -------
    dict
        ``rv_reading`` (what a confounder that overturns the result must explain, against what the
        controls explain of AIE and of ERL), ``extreme`` (Cinelli & Hazlett's extreme scenario: a
        confounder that explains all of ERL's residual variance), ``benchmarks`` (the controls' own
        association with AIE and with ERL, the bounds at one and three times their strength, and how many
        times as strong a confounder must be to remove the estimate). Without controls (no bounds) the
        benchmark sentences say so. Each is a :class:`~aichain_utils.text.Bilingual`, both languages
        filled from the same numbers.

    Raises
    ------
    ValueError
        If a number a sentence states (the partial R², the robustness value, a bound) is missing or NaN.
    """
    check_finite("the benchmark sentences", partial_r2=sens.partial_r2, rv_alpha=sens.rv_alpha)
    out = {"extreme": _both({lang: t["extreme"].format(r2=sens.partial_r2) for lang, t in _BENCH.items()})}
    b = sens.bounds
    if b is None or b.empty:
        out["rv_reading"] = _both({lang: t["rv_alone"].format(rv=sens.rv_alpha) for lang, t in _BENCH.items()})
        out["benchmarks"] = _both({lang: t["no_benchmarks"] for lang, t in _BENCH.items()})
        return out
    per = b.drop_duplicates("benchmark").set_index("benchmark")
    cd, r2d = _strongest(b, "r2 with AIE")
    cy, r2y = _strongest(b, "r2 with ERL")
    strongest = max(r2d, r2y)
    need = _strength_needed(sens, per)
    reading, bench = {}, {}
    for lang, t in _BENCH.items():
        if sens.rv_alpha > strongest:
            what = t["more_than"].format(strongest=strongest)
        else:
            which, var = (cd, "AIE") if r2d >= r2y else (cy, "ERL")
            what = t["which_alone"].format(which=which, var=var, strongest=strongest)
        reading[lang] = t["rv_reading"].format(rv=sens.rv_alpha, reading=what)
        bounds = t["sep"].join(_bounds_at_one_and_three(sens, b, t))
        bench[lang] = t["benchmarks"].format(cd=cd, r2d=r2d, cy=cy, r2y=r2y, bounds=bounds, need=need[lang])
    out["rv_reading"], out["benchmarks"] = _both(reading), _both(bench)
    return out


def quasi_stayers(data: pd.DataFrame, x: str = "AIE", entity: str = "unit_id", time: str = "year",
                  share: float = 0.1) -> dict:  # fmt: skip
    """Consecutive unit-year pairs whose treatment changes by little: candidates for quasi-stayers.

    Parameters
    ----------
    data : DataFrame
    x, entity, time : str
        The treatment, unit and year columns.
    share : float
        A pair counts when ``|Δx|`` is below ``share`` times the median ``|Δx|`` over all pairs.

    Returns
    -------
    dict
        ``pairs``, ``median_abs_change``, ``threshold``, ``quasi`` (pairs below it) and ``share``.

    Raises
    ------
    AichainInputError
        If ``share`` is not in (0, 1), and whatever :func:`aichain_utils.robustness.twfe_weights.stayers`
        raises on the columns (missing, non-numeric, duplicated unit-years).
    """
    from aichain_utils.robustness import twfe_weights

    if not 0.0 < share < 1.0:
        raise input_error("share", "must lie in (0, 1)", [share], what="values")
    base = twfe_weights.stayers(data, x, entity, time)
    frame = data.sort_values([entity, time])
    gap = frame.groupby(entity)[time].diff()
    delta = frame.groupby(entity)[x].diff().loc[gap == 1].abs()
    median = float(delta.median()) if len(delta) else float("nan")
    threshold = share * median
    quasi = int((delta < threshold).sum()) if len(delta) else 0
    return {"pairs": base["pairs"], "median_abs_change": median, "threshold": threshold, "quasi": quasi,
            "share": share}  # fmt: skip


#: :func:`continuous_did_sentence`'s parts, one template per language (the estimators' authors and commands
#: are cited as they are).
_DID: dict[str, dict[str, str]] = {
    "en": {
        "stayers": "{stayers} of the {pairs} consecutive unit-year pairs keep AIE unchanged (stayers)",
        "untreated": "{untreated} unit-years have AIE = 0",
        "has": "On these data {has}",
        "sep": "; ",
        "none": (
            "On these data none of the {pairs} consecutive unit-year pairs keeps AIE unchanged and no "
            "unit-year has AIE = 0"
        ),
        "quasi": (
            "; {quasi} pairs change AIE by less than a tenth of the median year-on-year change, which is {median:.4f}."
        ),
        "read_stayers": (
            "So the stayer-based estimators apply in principle, on the years and AIE levels where stayers are found."
        ),
        "read_quasi": (
            "So only quasi-stayer comparisons are open here, resting on a bandwidth choice and converging more "
            "slowly than the usual rate."
        ),
        "read_neither": "So neither exact stayers nor near-stayers are available for such comparisons here.",
        "text": (
            "Estimators robust to heterogeneous effects exist for a continuous treatment that changes every year, "
            "but each needs comparison units. Those of de Chaisemartin, D'Haultfœuille, Pasquier, Sow and "
            "Vazquez-Bare (Stata and R did_multiplegt_stat) compare the year-on-year change in ERL of units whose "
            "AIE changes with that of units with the same AIE the year before whose AIE stays put (stayers); "
            "where nothing stays put exactly, comparisons must rest on quasi-stayers, units whose treatment "
            "changes little, as in de Chaisemartin and D'Haultfœuille's nonparametric estimator for designs in "
            "which every unit starts untreated and none stays so (did_had). Callaway, Goodman-Bacon and "
            "Sant'Anna's estimators compare units by dose with untreated or not-yet-treated units, and need each "
            "unit's dose to stay fixed once it is treated. {facts} {reading} The book computes none of these "
            "estimators; the weights above are what it reports."
        ),
    },
    "zh": {
        "stayers": "{pairs} 个相邻的个体—年份对中有 {stayers} 个的 AIE 保持不变（停留者）",
        "untreated": "{untreated} 个个体—年份的 AIE = 0",
        "has": "在这些数据上，{has}",
        "sep": "；",
        "none": "在这些数据上，{pairs} 个相邻的个体—年份对中没有一个的 AIE 保持不变，也没有个体—年份的 AIE = 0",
        "quasi": "；{quasi} 个对的 AIE 变化小于逐年变化中位数（{median:.4f}）的十分之一。",
        "read_stayers": "因此，基于停留者的估计量原则上适用，限于找得到停留者的年份和 AIE 水平。",
        "read_quasi": "因此，这里只能进行准停留者比较，它取决于带宽的选择，收敛速度也慢于通常的速度。",
        "read_neither": "因此，这里既没有严格的停留者，也没有近似的停留者可供这种比较。",
        "text": (
            "对于每年都在变化的连续处理变量，存在对异质性效应稳健的估计量，但每一种都需要比较个体。"
            "de Chaisemartin、D'Haultfœuille、Pasquier、Sow 和 Vazquez-Bare 的估计量（Stata 和 R 的 "
            "did_multiplegt_stat）把 AIE 发生变化的个体的 ERL 逐年变化，与上一年 AIE 相同而 AIE 保持不变的个体"
            "（停留者）的 ERL 逐年变化相比较；没有严格保持不变的个体时，比较只能依靠准停留者，即处理变量变化很小的"
            "个体，如 de Chaisemartin 和 D'Haultfœuille 针对所有个体起初均未受处理、且无一保持未受处理的设计提出的"
            "非参数估计量（did_had）。Callaway、Goodman-Bacon 和 Sant'Anna 的估计量按剂量把个体与未受处理或尚未"
            "受处理的个体相比较，并要求每个个体一旦受处理，其剂量即保持不变。{facts}{reading}本书不计算这些估计量；"
            "上文的权重才是本书报告的内容。"
        ),
    },
}


def continuous_did_sentence(stay: dict, quasi: dict) -> Bilingual:
    """Which heterogeneity-robust estimators for a continuous treatment apply on these data, and what the
    book does not compute, in English and Chinese.

    Parameters
    ----------
    stay : dict
        :func:`aichain_utils.robustness.twfe_weights.stayers` (pairs, stayers, untreated).
    quasi : dict
        :func:`quasi_stayers` on the same data.

    Raises
    ------
    ValueError
        If the median year-on-year change is missing or NaN (no consecutive pairs): never "nan" on a page.
    """
    check_finite("the continuous-treatment sentence", median_abs_change=quasi["median_abs_change"])
    texts = {}
    for lang, t in _DID.items():
        has = []
        if stay["stayers"]:
            has.append(t["stayers"].format(stayers=stay["stayers"], pairs=stay["pairs"]))
        if stay["untreated"]:
            has.append(t["untreated"].format(untreated=stay["untreated"]))
        facts = t["has"].format(has=t["sep"].join(has)) if has else t["none"].format(pairs=stay["pairs"])
        facts += t["quasi"].format(quasi=quasi["quasi"], median=quasi["median_abs_change"])
        if stay["stayers"]:
            reading = t["read_stayers"]
        elif quasi["quasi"]:
            reading = t["read_quasi"]
        else:
            reading = t["read_neither"]
        texts[lang] = t["text"].format(facts=facts, reading=reading)
    return _both(texts)
