"""Validating the estimators (``chapters/validation.md``): reference comparisons and truth recovery.

:func:`estimator_validation` reruns the comparisons of ``tests/reference/`` with other programs and books
(:func:`aichain_utils.replication.validation.build_comparisons`; a slow reference is read from its record
while the record is current) and reads the stored Monte Carlo of the simulation lab
(:func:`aichain_utils.replication.lab.load_monte_carlo`; it is read, never rerun), judged by
:func:`aichain_utils.replication.lab.monte_carlo_verdicts`. Its :meth:`Validation.numbers` are every count,
difference, verdict and sentence the appendix cites, under keys ``valid_*``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from aichain_utils.replication import lab, labtext, validation
from aichain_utils.replication.numbers import Bilingual, Numbers, Results
from aichain_utils.text import check_finite

__all__ = [
    "REFERENCES_ZH",
    "Validation",
    "estimator_list",
    "estimator_validation",
    "feedback_sentence",
    "plural_cases",
    "reference_words",
    "stored_sentence",
]

RERUN = "rerun on this build"


def plural_cases(n: int) -> Bilingual:
    """``n`` test case(s) (n 个测试用例)."""
    return Bilingual(f"{n} test case{'s' if n != 1 else ''}", f"{n} 个测试用例")


#: :func:`stored_sentence`, one template per language.
_STORED = {
    "en": {
        "none": "Every comparison was rerun on this build.",
        "one": "{program} ({seconds:.0f} s when recorded)",
        "sep": ", ",
        "text": (
            "The comparisons with {programs} are too slow to rerun on every build: they are read from "
            "data/validation/, a record whose fingerprint (the test module, this package's estimators and the "
            "pinned packages) matches this build; a build whose record does not match reruns them."
        ),
    },
    "zh": {
        "none": "所有比对都在本次构建中重新运行。",
        "one": "{program}（记录时耗时 {seconds:.0f} 秒）",
        "sep": "、",
        "text": (
            "与{programs}的比对太慢，无法在每次构建时重新运行：它们读自 data/validation/，这一记录的指纹"
            "（测试模块、本包的估计量和锁定版本的软件包）与本次构建相符；记录不相符的构建会重新运行它们。"
        ),
    },
}


def stored_sentence(source: dict[str, str], seconds: dict[str, float]) -> Bilingual:
    """Which comparisons were read from ``data/validation/`` rather than rerun, and why, in English and Chinese.

    Parameters
    ----------
    source : dict
        Reference key -> "rerun on this build" or "stored record (current)"
        (:func:`aichain_utils.replication.validation.build_comparisons`).
    seconds : dict
        Reference key -> the seconds its comparisons took (when recorded, for a stored one).

    Raises
    ------
    ValueError
        If a stored reference's seconds are missing or NaN: never "nan" on a page.
    """
    stored = [k for k, v in source.items() if v != RERUN]
    check_finite("the stored-comparisons sentence", **{f"seconds[{k!r}]": seconds.get(k) for k in stored})
    refs = {r.key: r for r in validation.REFERENCES}
    texts = {}
    for lang, t in _STORED.items():
        if not stored:
            texts[lang] = t["none"]
            continue
        program = {k: REFERENCES_ZH[k][0] if lang == "zh" else refs[k].program for k in stored}
        programs = t["sep"].join(t["one"].format(program=program[k], seconds=seconds[k]) for k in stored)
        texts[lang] = t["text"].format(programs=programs)
    return Bilingual(texts["en"], texts["zh"])


#: Each external reference (:data:`aichain_utils.replication.validation.REFERENCES`, by key): its program and
#: its tolerance in Chinese, for the sentences the Chinese edition glues. (Kept here, not beside the English
#: in ``REFERENCES``: that module's bytes are part of the stored comparisons' fingerprint.)
REFERENCES_ZH: dict[str, tuple[str, str]] = {
    "ivreg2": ("Stata 的 ivreg2", "相对误差 1e-6（双向聚类的标准误为 1e-5）"),
    "stata_panel": ("Stata 的 regress 与 xtreg, fe", "相对误差 1e-6（协方差另加最大方差的 1e-6）"),
    "fixest": ("R fixest 的惯例（由 pyfixest 0.60 实现）", "相对误差 1e-6"),
    "wildboottest": (
        "wildboottest 包 0.3.2（Roodman 等 2019 年的算法）",
        "p 值相差不超过其并列部分（与观测 t 相差在 1e-8 以内的抽样所占比例），自助 t 的相对误差 1e-8",
    ),
    "textbook": ("Wooldridge《计量经济学导论》例 15.1、15.4、15.5、15.8", "印刷的最后一位数字的一半"),
    "weak_iv": (
        "Montiel Olea 和 Pflueger（2013），Andrews、Stock 和 Sun（2019）；Stock 和 Yogo（2005）；"
        "Lee、McCrary、Moreira 和 Porter（2022）",
        "印刷的各位数字",
    ),
    "psacalc": ("Stata 的 psacalc", "印刷的最后一位数字的一半"),
}


def reference_words(program: str) -> tuple[Bilingual, Bilingual]:
    """The external reference whose program is ``program`` named, and its tolerance, each in English and
    Chinese (:data:`aichain_utils.replication.validation.REFERENCES`, :data:`REFERENCES_ZH`).

    Raises
    ------
    KeyError
        If no reference has that program, or the reference has no Chinese names (a missing translation is
        an error, never an English name on a Chinese page).
    """
    ref = next(r for r in validation.REFERENCES if r.program == program)
    program_zh, tolerance_zh = REFERENCES_ZH[ref.key]
    return Bilingual(ref.program, program_zh), Bilingual(ref.tolerance, tolerance_zh)


#: The Monte Carlo's estimators whose names have words (the others, FE, IV1, FD, are names in both languages).
ESTIMATORS_ZH = {"indirect FSIE": "FSIE 间接效应"}


def estimator_list(names: list[str]) -> Bilingual:
    """Estimators named in a list ("FE, IV1, indirect FSIE"; "none" when empty), in English and Chinese."""
    if not names:
        return Bilingual("none", "无")
    return Bilingual(", ".join(names), "、".join(ESTIMATORS_ZH.get(n, n) for n in names))


def feedback_sentence(feedback: float) -> Bilingual:
    """Why fixed effects may be biased in the calibrated world: its reverse feedback of the ERL shock into AI
    embedding (``latent_ai.feedback_from_erl_shock``), or, without one, another part of the process."""
    if feedback > 0:
        return Bilingual(
            f"the calibrated world lets the ERL shock feed back into AI embedding (by {feedback:.3f} per unit of "
            "shock), which biases fixed effects and first differences in expectation, and only the instruments "
            "are meant to recover the truth",
            f"校准世界让 ERL 冲击反馈到人工智能嵌入程度（每单位冲击 {feedback:.3f}），这使固定效应和一阶差分"
            "在期望上有偏，只有工具变量旨在还原真值",
        )
    return Bilingual(
        "the calibrated world has no reverse feedback, so a bias of fixed effects or first differences "
        "comes from another part of the data-generating process, which the lab's scenarios help to find",
        "校准世界没有反向反馈，因此固定效应或一阶差分的偏误来自数据生成过程的其他部分，模拟实验室的各情景有助于找到它",
    )


def mc_state(current: bool) -> Bilingual:
    """The stored Monte Carlo's state: "current", or stale with the command that renews it."""
    if current:
        return Bilingual("current", "最新的")
    return Bilingual(
        "STALE (parameters or code changed since; rerun make montecarlo)",
        "已过期（此后参数或代码有变；请重新运行 make montecarlo）",
    )


def _pm(values: pd.Series, ses: pd.Series, scale: float = 1.0, digits: int = 3) -> list[str]:
    return [f"{scale * v:.{digits}f} ± {scale * s:.{digits}f}" for v, s in zip(values, ses, strict=True)]


@dataclass
class Validation(Results):
    """The reference comparisons of this build and the truth recovery of the stored Monte Carlo.

    Attributes
    ----------
    comparisons : DataFrame
        Every number compared (:func:`aichain_utils.replication.validation.build_comparisons`).
    seconds, source : dict
        Reference key -> the seconds its comparisons took, and whether they were rerun or read.
    case_counts : DataFrame
        :func:`aichain_utils.replication.validation.pytest_case_counts`.
    mc, mc_meta, mc_current
        The stored Monte Carlo of the simulation lab, its metadata, and whether it is current.
    feedback : float
        The calibrated world's ``latent_ai.feedback_from_erl_shock``.
    """

    prefix = "valid"

    comparisons: pd.DataFrame
    seconds: dict
    source: dict
    case_counts: pd.DataFrame
    mc: pd.DataFrame
    mc_meta: dict
    mc_current: bool
    feedback: float

    # ------------------------------------------------------------------ what the appendix shows
    def references(self) -> pd.DataFrame:
        """One row per external reference (:func:`aichain_utils.replication.validation.reference_summary`)."""
        return validation.reference_summary(self.comparisons, self.seconds)

    def references_table(self) -> pd.DataFrame:
        """The references' comparisons with their differences in scientific notation and how each was obtained."""
        refs = self.references()
        diffs = ["largest |difference|", "largest relative difference"]
        how = [self.source[r.key] for r in validation.REFERENCES if r.key in self.source]
        return refs.drop(columns=["origin", "licence"]).assign(
            **{c: refs[c].map("{:.1e}".format) for c in diffs}, **{"how obtained": how}
        )

    def origins_table(self) -> pd.DataFrame:
        """Where each external reference comes from, and its licence."""
        return self.references()[["external reference", "origin", "licence"]]

    def summary(self) -> pd.DataFrame:
        """:func:`aichain_utils.replication.lab.monte_carlo_summary` of the stored Monte Carlo."""
        return lab.monte_carlo_summary(self.mc)

    def verdicts(self) -> pd.DataFrame:
        """:func:`aichain_utils.replication.lab.monte_carlo_verdicts`: biased, SEs, coverage, per estimator."""
        return lab.monte_carlo_verdicts(self.summary())

    def recovery_table(self) -> pd.DataFrame:
        """Bias, SE ratio and coverage (per cent) of each estimator, each ± its Monte Carlo SE, and the verdicts."""
        s, v = self.summary(), self.verdicts()
        return pd.DataFrame(
            {
                "estimator": s["estimator"],
                "truth": s["truth"],
                "bias ± MC SE": _pm(s["bias"], s["bias MC SE"]),
                "SE ratio ± MC SE": _pm(s["SE ratio"], s["SE ratio MC SE"], digits=2),
                "coverage % ± MC SE": _pm(s["95% CI coverage"], s["coverage MC SE"], 100, 1),
                "replications": s["replications"],
                "biased": v["biased"].map({True: "yes", False: "no"}),
                "SEs": v["SEs"],
            }
        )

    # ------------------------------------------------------------------ what the prose cites
    def _reference_numbers(self) -> dict:
        comparisons, seconds, source = self.comparisons, self.seconds, self.source
        refs = self.references()
        counts = self.case_counts
        in_reference = counts[counts["module"].str.startswith("reference.")]
        n_elsewhere = int(counts.loc[~counts["module"].str.startswith("reference."), "cases"].sum())
        top = refs.loc[refs["largest relative difference"].idxmax()]
        ivreg2 = comparisons.loc[comparisons["reference"] == "ivreg2", "rel_diff"].max()
        return {
            "numbers": f"{len(comparisons):,}",
            "cases": f"{comparisons['test'].nunique():,}",
            "refs": len(refs),
            "outside": int((~comparisons["within"]).sum()),
            "pytest": f"{int(in_reference['cases'].sum()):,}",
            "counting": int(in_reference.loc[in_reference["reference"] == "", "cases"].sum()),
            "elsewhere": plural_cases(n_elsewhere),
            "top": {
                "rel": f"{top['largest relative difference']:.1e}",
                "ref": reference_words(top["external reference"])[0],
                "tol": reference_words(top["external reference"])[1],
            },
            "ivreg2_rel": f"{ivreg2:.1e}",
            "rerun_seconds": sum(seconds[k] for k, v in source.items() if v == RERUN),
            "stored": stored_sentence(source, seconds),
        }

    def _recovery_numbers(self) -> dict:
        v = self.verdicts()
        return {
            "mc": {
                "reps": int(self.mc_meta["reps"]),
                "current": mc_state(self.mc_current),
                "failures": labtext.failure_text(lab.failure_sentence(self.mc)),
            },
            "unbiased": estimator_list(v.loc[~v["biased"], "estimator"].tolist()),
            "biased": estimator_list(v.loc[v["biased"], "estimator"].tolist()),
            "wrong_se": estimator_list(v.loc[v["SEs"] != "right", "estimator"].tolist()),
            "feedback_sentence": feedback_sentence(self.feedback),
        }

    def numbers(self) -> Numbers:
        """The comparisons' counts and largest differences (``valid_numbers``, ``valid_top_rel``), the stored
        Monte Carlo's state (``valid_mc_reps``) and its verdicts (``valid_biased``, ``valid_wrong_se``)."""
        return Numbers(self.prefix, {**self._reference_numbers(), **self._recovery_numbers()})


def estimator_validation() -> Validation:
    """The appendix's results: every reference comparison of this build and the stored Monte Carlo, judged."""
    comparisons, seconds, source = validation.build_comparisons()
    mc, meta, current = lab.load_monte_carlo()
    feedback = float(lab.scenario_params("baseline")["latent_ai"]["feedback_from_erl_shock"])
    return Validation(comparisons, seconds, source, validation.pytest_case_counts(), mc, meta, current, feedback)
