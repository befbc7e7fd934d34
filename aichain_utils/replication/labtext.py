"""The simulation lab's sentences about its scenarios, computed from the parameters they change.

:data:`aichain_utils.replication.lab.SCENARIOS` names what each scenario changes and the value it sets. What a
scenario *means* depends on the world it starts from: the reverse-feedback scenarios add feedback of
the ERL shock into AI embedding to a closest world that, once calibrated, may have none. The sentences
here read both values (the calibrated ``params.yml`` and the scenario's), so that the page says what
is true of the parameters it was built with. The lab's Monte Carlo code is not touched: its stored
results are fingerprinted.
"""

from __future__ import annotations

import re

import pandas as pd

from aichain_utils.replication.numbers import Bilingual, bilingual_join
from aichain_utils.report.display import table_cell
from aichain_utils.text import bilingual_format

__all__ = [
    "FEEDBACK",
    "SCENARIOS_ZH",
    "bias_clauses",
    "failure_text",
    "feedback_sentences",
    "scenario_sentence",
    "scenario_table",
    "verdict_sentence",
]

#: The parameter through which the ERL shock feeds back into AI embedding in the same year.
FEEDBACK = "latent_ai.feedback_from_erl_shock"


def _get(params: dict, path: str) -> float:
    node = params
    for key in path.split("."):
        node = node[key]
    return float(node)


def feedback_sentences(
    params: dict, scenarios: dict | None = None, estimates: pd.DataFrame | None = None
) -> dict[str, str]:
    """What the closest world and the two reverse-feedback scenarios set the feedback to, in words.

    Parameters
    ----------
    params : dict
        The calibrated parameters (:func:`aichain_utils.simulation.simulate.load_params`).
    scenarios : dict, optional
        :data:`aichain_utils.replication.lab.SCENARIOS` (the default).
    estimates : DataFrame, optional
        :func:`aichain_utils.replication.lab.run_scenarios` (one panel per scenario): with it, ``size`` also says how
        far the feedback scenarios move the fixed-effects estimate of that panel.

    Returns
    -------
    dict
        ``base`` (the closest world's value and what it means), ``reverse`` and ``strong`` (what each
        scenario sets it to, relative to the closest world and to each other), ``size`` (how large the
        ERL shock the feedback scales is, and what the scenarios do to one panel's estimate), and the
        values ``base_value``, ``reverse_value``, ``strong_value`` as text with three decimals.

    Raises
    ------
    KeyError
        If a reverse-feedback scenario is missing or does not set :data:`FEEDBACK`.
    """
    if scenarios is None:
        from aichain_utils.replication.lab import SCENARIOS as scenarios
    f0 = _get(params, FEEDBACK)
    f1 = float(scenarios["reverse feedback"][1][FEEDBACK])
    f2 = float(scenarios["strong reverse causality"][1][FEEDBACK])
    if f0 == 0:
        base = Bilingual(
            f"The closest world has no reverse feedback: its {FEEDBACK} is {f0:.3f}.",
            f"最接近的模拟世界没有反向反馈：其 {FEEDBACK} 为 {f0:.3f}。",
        )
    else:
        base = Bilingual(
            f"In the closest world each unit of ERL shock raises AI embedding by {f0:.3f} in the same year "
            f"({FEEDBACK} = {f0:.3f}).",
            f"在最接近的模拟世界中，每单位 ERL 冲击使同年的人工智能嵌入程度提高 {f0:.3f}（{FEEDBACK} = {f0:.3f}）。",
        )
    relative = "" if f0 == 0 else f", {f1 / f0:.1f} times the closest world's"
    relative_zh = "" if f0 == 0 else f"，是最接近的模拟世界的 {f1 / f0:.1f} 倍"
    reverse = Bilingual(
        f"sets the feedback to {f1:.3f}{relative}: each unit of ERL shock then raises AI embedding by {f1:.3f} in "
        "the same year, which biases fixed effects and first differences upward in expectation, while valid "
        "instruments are not biased by it.",
        f"将反馈设为 {f1:.3f}{relative_zh}：此时每单位 ERL 冲击使同年的人工智能嵌入程度提高 {f1:.3f}，"
        "这使固定效应和一阶差分的估计在期望上向上偏误，而有效的工具变量不受其影响。",
    )
    strong = Bilingual(
        f"sets the feedback to {f2:.3f}" + (f", {f2 / f1:.0f} times the reverse feedback scenario's." if f1 else "."),
        f"将反馈设为 {f2:.3f}" + (f"，是反向反馈情景的 {f2 / f1:.0f} 倍。" if f1 else "。"),
    )
    return {
        "base": base,
        "reverse": reverse,
        "strong": strong,
        "size": _size_sentence(params, f2, estimates),
        "base_value": f"{f0:.3f}",
        "reverse_value": f"{f1:.3f}",
        "strong_value": f"{f2:.3f}",
    }


def _size_sentence(params: dict, strongest: float, estimates: pd.DataFrame | None) -> Bilingual:
    """How much the feedback can move AI embedding (the ERL shock's SD times the feedback), and, given one
    panel per scenario, how far the fixed-effects estimate moves under the two feedback scenarios; in English
    and Chinese."""
    sd = _get(params, "erl.noise_sd")
    text = (
        f"The feedback scales the ERL shock, whose standard deviation in the closest world is {sd:.3f} "
        f"(erl.noise_sd): even at {strongest:.3f} it moves AI embedding by {strongest * sd:.4f} per standard "
        "deviation of the shock."
    )
    zh = (
        f"反馈放大的是 ERL 冲击，其在最接近的模拟世界中的标准差为 {sd:.3f}（erl.noise_sd）：即便反馈为 "
        f"{strongest:.3f}，冲击每变动一个标准差，人工智能嵌入程度也只变动 {strongest * sd:.4f}。"
    )
    fe = None if estimates is None else estimates[estimates["estimator"] == "FE"].set_index("scenario")
    names = ["baseline", "reverse feedback", "strong reverse causality"]
    if fe is None or not set(names) <= set(fe.index):
        return Bilingual(text, zh)
    b = [float(fe.loc[n, "estimate"]) for n in names]
    moved = max(abs(b[1] - b[0]), abs(b[2] - b[0]))
    se = float(fe.loc["baseline", "se"])
    text += (
        f" On the one panel per scenario, fixed effects estimate {b[0]:.3f} in the baseline, {b[1]:.3f} under "
        f"reverse feedback and {b[2]:.3f} under strong reverse causality: "
    )
    zh += (
        f"在每个情景的单个面板上，固定效应的估计值在基准情景下为 {b[0]:.3f}，在反向反馈情景下为 {b[1]:.3f}，"
        f"在强反向因果情景下为 {b[2]:.3f}："
    )
    if moved < se:
        return Bilingual(
            text + f"the feedback moves the estimate by less than its standard error ({se:.3f}), so in this world "
            "the bias it causes is too small to see in one panel.",
            zh + f"反馈使估计值的变动小于其标准误（{se:.3f}），"
            "因此在这个世界中，它造成的偏误小到在单个面板中无法看出。",
        )
    return Bilingual(
        text + f"the feedback moves the estimate by {moved:.3f}, more than its standard error ({se:.3f}).",
        zh + f"反馈使估计值变动 {moved:.3f}，超过其标准误（{se:.3f}）。",
    )


#: The computed "what changes" cells of :func:`scenario_table`, by language.
SCENARIO_CELLS = {
    "reverse": {
        "en": "the ERL shock feeds back into AI embedding, {f1} per unit of shock (the closest world's feedback is "
        "{f0}): in expectation fixed effects and first differences are biased upward, valid instruments are not",
        "zh": "ERL 冲击反馈到人工智能嵌入，每单位冲击 {f1}（最接近的模拟世界中的反馈为 {f0}）：在期望上，固定效应和"
        "一阶差分向上偏误，有效的工具变量则不然",
    },
    "strong": {
        "en": "the ERL shock feeds back into AI embedding at {f2} per unit of shock",
        "zh": "ERL 冲击以每单位冲击 {f2} 的强度反馈到人工智能嵌入",
    },
    "times": {"en": "{k} times the reverse feedback scenario's", "zh": "是反向反馈情景的 {k} 倍"},
}


def scenario_table(params: dict, scenarios: dict | None = None) -> pd.DataFrame:
    """The lab's scenarios: name, what changes (the feedback scenarios' text computed from the values)
    and the parameters each sets.

    Parameters
    ----------
    params : dict
        The calibrated parameters.
    scenarios : dict, optional
        :data:`aichain_utils.replication.lab.SCENARIOS` (the default).
    """
    if scenarios is None:
        from aichain_utils.replication.lab import SCENARIOS as scenarios
    f0 = _get(params, FEEDBACK)
    f1 = float(scenarios["reverse feedback"][1][FEEDBACK])
    f2 = float(scenarios["strong reverse causality"][1][FEEDBACK])
    strong = bilingual_format(SCENARIO_CELLS["strong"], "scenario_table", f2=f"{f2:.3f}")
    reverse = bilingual_format(SCENARIO_CELLS["reverse"], "scenario_table", f1=f"{f1:.3f}", f0=f"{f0:.3f}")
    if f1:
        times = bilingual_format(SCENARIO_CELLS["times"], "scenario_table", k=f"{f2 / f1:.0f}")
        strong = bilingual_join([strong, times], ", ", "，")
    what = {"reverse feedback": table_cell(reverse), "strong reverse causality": table_cell(strong)}
    rows = []
    for name, (text, changes) in scenarios.items():
        rows.append({
            "scenario": name,
            "what changes": what.get(name, text),
            "parameters": ", ".join(f"{p} = {x}" for p, x in changes.items()) or "none",
        })  # fmt: skip
    return pd.DataFrame(rows)


def bias_clauses(
    verdicts: pd.DataFrame, summary: pd.DataFrame, estimators: list[str], current: bool = True
) -> Bilingual:
    """One clause per estimator: its Monte Carlo bias, the bias's Monte Carlo SE and the verdict.

    The verdict is :func:`aichain_utils.replication.lab.monte_carlo_verdicts`'s rule (biased only beyond twice the
    Monte Carlo SE), so a chapter that cites the lab's Monte Carlo says what the lab says.

    Parameters
    ----------
    verdicts, summary : DataFrame
        :func:`aichain_utils.replication.lab.monte_carlo_verdicts` and
        :func:`aichain_utils.replication.lab.monte_carlo_summary`.
    estimators : list of str
        Which estimators, in order (names of the ``estimator`` column).
    current : bool
        False when the stored Monte Carlo was made with other code or parameters: the text says so.

    Raises
    ------
    KeyError
        If an estimator is not in the Monte Carlo.
    """
    v = verdicts.set_index("estimator")
    s = summary.set_index("estimator")
    clauses, clauses_zh = [], []
    for est in estimators:
        bias, se = float(s.loc[est, "bias"]), float(s.loc[est, "bias MC SE"])
        biased = bool(v.loc[est, "biased"])
        word = "biased: beyond twice its Monte Carlo SE" if biased else "no bias detectable"
        word_zh = "有偏：超过其蒙特卡洛标准误的两倍" if biased else "检测不到偏误"
        clauses.append(f"{est} {bias:+.3f} (Monte Carlo SE {se:.3f}; {word})")
        clauses_zh.append(f"{est} 为 {bias:+.3f}（蒙特卡洛标准误 {se:.3f}；{word_zh}）")
    reps = int(s["replications"].iloc[0])
    text = f"over {reps} replications the mean bias is {'; '.join(clauses)}"
    zh = f"在 {reps} 次重复中，平均偏误分别为：{'；'.join(clauses_zh)}"
    if not current:
        text += " (the stored Monte Carlo was made with other code or parameters: rerun make montecarlo)"
        zh += "（存储的蒙特卡洛模拟是用其他代码或参数生成的：请重新运行 make montecarlo）"
    return Bilingual(text, zh)


# --------------------------------------------------------------------------- the lab's sentences in Chinese
# The lab's readings are written by aichain_utils.replication.lab (scenario_reading, monte_carlo_verdicts), whose
# code is fingerprinted with the stored Monte Carlo: their rules stay there, and the sentences are put into
# Chinese here, clause by clause, from the English they print. A sentence of another shape is an error,
# never an English sentence on a Chinese page.

#: :data:`aichain_utils.replication.lab.SCENARIOS`'s names in Chinese (the glossary's 反向因果, 工具变量).
SCENARIOS_ZH: dict[str, str] = {
    "baseline": "基准",
    "no effect": "无效应",
    "reverse feedback": "反向反馈",
    "strong reverse causality": "强反向因果",
    "weak instrument": "弱工具变量",
    "invalid instrument": "无效工具变量",
    "confounded mediator": "中介变量受混杂",
}

_NO_FAILURE = re.compile(r"None of the (\d+) replications failed\.")
_FAILURES = re.compile(
    r"(?P<failed>\d+) of (?P<total>\d+) replications \((?P<pct>\S+)%\) failed and are left out of every "
    r"statistic: (?P<why>.+)\."
)
_FAILURE_REASON = re.compile(r"(\d+) because of (.+)")


def failure_text(sentence: str) -> Bilingual:
    """:func:`aichain_utils.replication.lab.failure_sentence` with its Chinese text. The reasons are the
    failed replications' error messages, cited as they are.

    Raises
    ------
    ValueError
        If the sentence is not of the shape ``failure_sentence`` writes.
    """
    none, some = _NO_FAILURE.fullmatch(sentence), _FAILURES.fullmatch(sentence)
    if none is not None:
        return Bilingual(sentence, f"{none[1]} 次重复中没有一次失败。")
    if some is None:
        raise _unreadable("a sentence on the failed replications", sentence)
    reasons = [_FAILURE_REASON.fullmatch(part) for part in some["why"].split("; ")]
    why = "；".join(f"{r[1]} 次因为 {r[2]}" for r in reasons) if all(reasons) else some["why"]
    return Bilingual(
        sentence,
        f"{some['total']} 次重复中有 {some['failed']} 次（{some['pct']}%）失败，已从所有统计量中剔除：{why}。",
    )


_SCENARIO = re.compile(
    r"(?P<name>[^:]+): (?:more than (?P<far_k>\S+) SEs from the truth: (?P<far>.+); every other estimate within\."
    r"|every estimate lies within (?P<k>\S+) SEs of the truth\.)(?: (?P<moved>.+)\.)?"
)
_FAR = re.compile(r"(?:^|, )([^,()]+) \(estimate (\S+), truth (\S+), (\S+) SEs away\)")
_MOVED = re.compile(r"(.+)'s SE is (\S+) times its baseline SE")


def _unreadable(what: str, sentence: str) -> ValueError:
    return ValueError(f"{what} of an unknown shape, so it has no Chinese text: {sentence!r}")


def scenario_sentence(sentence: str) -> Bilingual:
    """One sentence of :func:`aichain_utils.replication.lab.scenario_reading`, with its Chinese text.

    Raises
    ------
    ValueError
        If the sentence is not of the shape ``scenario_reading`` writes, or names a scenario without a
        Chinese name in :data:`SCENARIOS_ZH`.
    """
    m = _SCENARIO.fullmatch(sentence)
    if m is None or m["name"] not in SCENARIOS_ZH:
        raise _unreadable("a scenario reading", sentence)
    if m["far"] is not None:
        far = _FAR.findall(m["far"])
        if "".join(f"{', ' if i else ''}{e} (estimate {b}, truth {t}, {x} SEs away)" for i, (e, b, t, x) in
                   enumerate(far)) != m["far"]:  # fmt: skip
            raise _unreadable("a scenario reading", sentence)
        listed = "、".join(f"{e}（估计值 {b}，真值 {t}，相差 {x} 个标准误）" for e, b, t, x in far)
        zh = f"距真值超过 {m['far_k']} 个标准误：{listed}；其余估计均在此范围内。"
    else:
        zh = f"每个估计都在真值的 {m['k']} 个标准误之内。"
    if m["moved"] is not None:
        moved = [_MOVED.fullmatch(part) for part in m["moved"].split("; ")]
        if not all(moved):
            raise _unreadable("a scenario reading", sentence)
        zh += "；".join(f"{e} 的标准误是其基准标准误的 {r} 倍" for e, r in (x.groups() for x in moved)) + "。"
    return Bilingual(sentence, f"{SCENARIOS_ZH[m['name']]}：{zh}")


_VERDICT = re.compile(
    r"(?P<est>[^:]+): bias (?P<bias>\S+) \(Monte Carlo SE (?P<bias_se>[^)]+)\), "
    r"(?:(?P<biased>more than twice its Monte Carlo SE: the estimator is biased\.)"
    r"|within twice its Monte Carlo SE: no bias is detectable in (?P<n>\d+) replications\.) "
    r"Its standard errors (?P<ses>are too small|are too large|match its sampling spread within Monte Carlo error): "
    r"its mean SE is (?P<ratio>\S+) times the SD of its estimates \(Monte Carlo SE (?P<ratio_se>[^)]+)\)\. "
    r"Its 95% intervals cover the truth in (?P<cov>\S+)% of replications"
    r"(?: \(Monte Carlo SE (?P<cov_se>\S+) points\))?, "
    r"(?:below 95% beyond its Monte Carlo error\. (?P<causes>.+)|(?P<above>above 95% beyond its Monte Carlo error\.)"
    r"|within twice its Monte Carlo error of 95%\.)"
)
_NO_CAUSE = "Neither a detectable bias nor a detectable SE ratio below 1 explains it."
_CAUSES = re.compile(
    r"Detectable causes: (?P<causes>.+)\. With normal estimates, the bias alone would give (?P<bias_only>\S+)% "
    r"coverage and the SE ratio alone (?P<se_only>\S+)%: the shortfall comes mostly from "
    r"(?P<main>the bias|the standard errors)\."
)
_CAUSE_ZH = {"the bias": "偏误", "standard errors that are too small": "过小的标准误", "the standard errors": "标准误"}
_SES_ZH = {
    "are too small": "其标准误过小",
    "are too large": "其标准误过大",
    "match its sampling spread within Monte Carlo error": "在蒙特卡洛误差范围内，其标准误与其抽样离散程度相符",
}


def _causes_zh(text: str, sentence: str) -> str:
    if text == _NO_CAUSE:
        return "可检测到的偏误与可检测到的低于 1 的标准误比率都不能解释这一点。"
    m = _CAUSES.fullmatch(text)
    causes = [] if m is None else m["causes"].split(" and ")
    if m is None or not all(c in _CAUSE_ZH for c in causes):
        raise _unreadable("a Monte Carlo verdict", sentence)
    return (
        f"可检测到的原因：{'与'.join(_CAUSE_ZH[c] for c in causes)}。若估计值服从正态分布，仅偏误一项会使覆盖率为 "
        f"{m['bias_only']}%，仅标准误比率一项会使覆盖率为 {m['se_only']}%：覆盖率的不足主要来自{_CAUSE_ZH[m['main']]}。"
    )


def verdict_sentence(sentence: str) -> Bilingual:
    """One estimator's reading of :func:`aichain_utils.replication.lab.monte_carlo_verdicts` (its ``sentence``),
    with its Chinese text (the glossary's 蒙特卡洛标准误).

    Raises
    ------
    ValueError
        If the sentence is not of the shape ``monte_carlo_verdicts`` writes.
    """
    m = _VERDICT.fullmatch(sentence)
    if m is None:
        raise _unreadable("a Monte Carlo verdict", sentence)
    head = f"{m['est']}：偏误 {m['bias']}（蒙特卡洛标准误 {m['bias_se']}），"
    if m["biased"]:
        first = head + "超过其蒙特卡洛标准误的两倍：该估计量有偏。"
    else:
        first = head + f"在其蒙特卡洛标准误的两倍之内：在 {m['n']} 次重复中检测不到偏误。"
    ratio = f"其平均标准误是其估计值标准差的 {m['ratio']} 倍（蒙特卡洛标准误 {m['ratio_se']}）"
    coverage = f"其 95% 置信区间在 {m['cov']}% 的重复中覆盖真值"
    coverage += f"（蒙特卡洛标准误 {m['cov_se']} 个百分点）" if m["cov_se"] else ""
    if m["causes"] is not None:
        third = f"{coverage}，低于 95%，且超出其蒙特卡洛误差。{_causes_zh(m['causes'], sentence)}"
    elif m["above"]:
        third = f"{coverage}，高于 95%，且超出其蒙特卡洛误差。"
    else:
        third = f"{coverage}，与 95% 的差距在其蒙特卡洛误差的两倍之内。"
    return Bilingual(sentence, f"{first}{_SES_ZH[m['ses']]}：{ratio}。{third}")
