"""The book's headline in a few computed sentences, for the landing page and "Replication at a glance".

Each sentence is built from what the build computed: the closest world's stored Monte Carlo
(:mod:`aichain_utils.replication.closestworld`), the consistency audit
(:mod:`aichain_utils.replication.audit`), the paper's verbal claims checked against its tables
(:mod:`aichain_utils.replication.claims`), the replicated Table 3 and the replication ledger
(:mod:`aichain_utils.replication.ledger`). So each is true on whatever data the book is built
from: on the simulated panel the estimates are called what they are (one draw of a world calibrated to
the paper, no evidence about the paper's claims); on a user's file they describe that file's estimates.
A sentence that can only be true of a simulation (the effect put into it) is written only when the
panel is simulated, and no sentence presents agreement with the published numbers as a check of
anything: the simulated world is calibrated to them.

Each sentence is written in English (``language="en"``, the default) or in Chinese (``language="zh"``) from
the same counts: "Replication at a glance" glues both as one bilingual text, so that the Chinese edition
shows the Chinese (issue 26). "Replication at a glance" glues these sentences; the landing page pastes them from there
(``{glue:text}`at_a_glance.md::glance_headline_world:s```), so both pages say the same thing.
"""

from __future__ import annotations

import math

import pandas as pd

from aichain_utils.text import check_finite

__all__ = [
    "audit_sentence",
    "claims_sentence",
    "estimate_sentence",
    "headline_sentences",
    "ledger_sentence",
    "world_sentence",
]

#: The closest world's verdicts (:data:`aichain_utils.replication.closestworld.VERDICTS`), in the words a sentence uses.
_INSIDE, _EDGE, _OUTSIDE, _NONE = (
    "consistent with the closest world",
    "at the edge of its 95% band",
    "outside its 95% band",
    "no world of the family produces it",
)


def _n(k: int, noun: str, plural: str | None = None) -> str:
    """``k`` and the noun in the right number: "1 claim", "3 claims"."""
    return f"{k} {noun if k == 1 else (plural or noun + 's')}"


def _templates(language: str) -> dict[str, str]:
    """The templates of every headline sentence in ``language`` ("en" or "zh"; any other is an error)."""
    if language not in _TEMPLATES:
        raise ValueError(f"a headline sentence is written in 'en' or 'zh', not language={language!r}")
    return _TEMPLATES[language]


#: Every headline sentence's parts, one template per language, filled by the same code from the same counts
#: (the glossary's words in Chinese: 最接近的模拟世界, 中央 95% 区间, 公布的, 一次抽样, 个体, 第（6）列).
_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "world_none": (
            "No Monte Carlo of the closest world is stored with this build, so the published numbers are not "
            "judged against its sampling distribution."
        ),
        "world": (
            "Judged against the closest world (the simulated world calibrated to the paper, rerun {reps} times on "
            "seeds its calibration never used), {inside} of the paper's {n_coef} published AIE coefficients "
            "in Tables 3–10 lie inside that world's central 95% band, {edge} at its edge within Monte Carlo "
            "error and {outside} outside it{none}; of all {n_every} published statistics the world "
            "produces, {n_inside} lie inside. A number inside the band is one "
            "the paper's design, as this book reads it, could have produced: that is not evidence that the "
            "number is right, and, because the world is calibrated to the published numbers, no check of the "
            "book's code."
        ),
        "world_no_family": ", and no world of the family produces {k}",
        "world_stale": (
            " The stored Monte Carlo is stale (its fingerprint no longer matches the parameters and code); "
            "make montecarlo-world reruns it."
        ),
        "audit": (
            "The consistency audit of the published tables finds {err_items} that cannot hold under any "
            "reading and {warn_items} that cannot hold under the paper's own description of its design; "
            "{info} more {info_verb} unusual but possible."
        ),
        "claims": (
            "The paper's own tables support {pub} of the {n_claims} of the paper the book checks; "
            "the tables replicated on {where} support {rep}"
        ),
        "claims_where_simulated": "the simulated panel of this build",
        "claims_where_user": "the data of this build",
        "claims_not_comparable": " ({nc} cannot be judged on these data).",
        "end": ".",
        "claims_simulated": " On a simulated panel that count describes the simulation, not the paper's claims.",
        "estimate_missing": "On the data of this build Table 3 is not built: {why}.",
        "estimate_what": (
            "two-way fixed effects with unit and year effects and the controls (Table 3 column 6, the book's main "
            "column) estimate the effect of AIE on ERL at {coef:.3f} (standard error {se:.3f}, "
            "{se_kind}) against the published {published:.3f}"
        ),
        "estimate_simulated": (
            "On the data of this build, a simulated panel that is one draw of that world and no evidence about "
            "the paper's claims, {what}"
        ),
        "estimate_truth": "; the effect put into the simulation is {truth:.3f}",
        "estimate_user": (
            "On the data of this build ({label}), {what}, {gap:.1f} published standard errors apart; a gap says "
            "that the data or the specification differ, not which is right."
        ),
        "ledger": (
            "Of the {n} published numbers in the replication ledger, {reproduced} are reproduced "
            "within tolerance on the data of this build, {by_design} differ by design, "
            "{cannot} cannot be reproduced and {not_comparable} are not comparable."
        ),
        "ledger_simulated": (
            " The simulated world is calibrated to the published numbers, so that agreement is expected by "
            "construction and validates neither the paper nor the code."
        ),
    },
    "zh": {
        "world_none": "本次构建没有存储最接近的模拟世界的蒙特卡洛模拟，因此未以其抽样分布评判公布的数字。",
        "world": (
            "以最接近的模拟世界（按论文校准的模拟世界，在其校准从未使用过的种子上重复运行 {reps} 次）为准，论文在"
            "表 3–10 中公布的 {n_coef} 个 AIE 系数中，有 {inside} 个位于该世界的中央 95% 区间之内，"
            "{edge} 个在蒙特卡洛误差范围内位于其边缘，{outside} 个位于其外{none}；在该世界产生的全部 "
            "{n_every} 个公布的统计量中，有 {n_inside} 个位于区间之内。位于区间之内的数字是论文的研究设计"
            "（按本书的解读）可能产生的数字：这并不证明该数字正确；而且由于该世界是按公布的数字校准的，"
            "这也不是对本书代码的检验。"
        ),
        "world_no_family": "，另有 {k} 个没有任何同族世界能够产生",
        "world_stale": "存储的蒙特卡洛模拟已过期（其指纹与参数和代码不再相符）；make montecarlo-world 会重新运行它。",
        "audit": (
            "对公布的表格的一致性审查发现 {err} 项在任何解读下都不可能成立，{warn} 项在论文自己对其研究设计的描述下"
            "不可能成立；另有 {info} 项不寻常但有可能。"
        ),
        "claims": "在本书核对的论文 {n} 项文字论断中，论文自己的表格支持 {pub} 项；在{where}上复现的表格支持 {rep} 项",
        "claims_where_simulated": "本次构建的模拟面板",
        "claims_where_user": "本次构建的数据",
        "claims_not_comparable": "（其中 {nc} 项在这些数据上无法判断）。",
        "end": "。",
        "claims_simulated": "在模拟面板上，这一计数描述的是模拟，而非论文的论断。",
        "estimate_missing": "在本次构建的数据上，表 3 未能构建：{why}。",
        "estimate_what": (
            "含个体和年份效应及控制变量的双向固定效应（表 3 第（6）列，本书的主列）估计 AIE 对 ERL 的效应为 "
            "{coef:.3f}，{se_kind}为 {se:.3f}，而公布值为 {published:.3f}"
        ),
        "estimate_simulated": (
            "在本次构建的数据上（一个模拟面板，是该世界的一次抽样，不构成关于论文论断的证据），{what}"
        ),
        "estimate_truth": "；模拟中设定的效应为 {truth:.3f}",
        "estimate_user": (
            "在本次构建的数据上（{label}），{what}，相差 {gap:.1f} 个公布的标准误；"
            "差距说明数据或设定不同，而不说明哪一个正确。"
        ),
        "ledger": (
            "在复现台账的 {n} 个公布的数字中，有 {reproduced} 个在本次构建的数据上于容差内已复现，"
            "{by_design} 个存在设计性差异，{cannot} 个无法复现，{not_comparable} 个不可比。"
        ),
        "ledger_simulated": "模拟世界是按公布的数字校准的，因此这种一致是构造使然，既不验证论文，也不验证代码。",
    },
}

#: The standard errors' labels (:data:`aichain_utils.report.display.COV_LABELS`) in Chinese, each naming the
#: standard error itself (the estimate sentence says "…，按行业聚类的标准误为 0.046，…": no nested brackets).
COV_LABELS_ZH = {
    "cluster_industry": "按行业聚类的标准误",
    "cluster_unit": "按个体聚类的标准误",
    "robust": "稳健标准误（HC1）",
    "unadjusted": "常规标准误（同方差）",
}


def world_sentence(world: pd.DataFrame | None, reps: int, current: bool = True, language: str = "en") -> str:
    """Where the published AIE coefficients lie in the closest world's sampling distribution.

    Parameters
    ----------
    world : DataFrame or None
        :func:`aichain_utils.replication.closestworld.closest_world_table` (None or empty when no world Monte Carlo
        is stored with the build).
    reps : int
        Replications of the stored world Monte Carlo.
    current : bool
        Whether the stored Monte Carlo's fingerprint matches the parameters and code.
    language : {"en", "zh"}
        The language of the sentence.

    Returns
    -------
    str
        Two sentences: the counts (inside the central 95% band, at its edge, outside), over the
        coefficients and over every statistic the world produces, and what being inside means. The
        verdicts are about the published numbers, so the sentence holds on any build.
    """
    t = _templates(language)
    if world is None or world.empty:
        return t["world_none"]
    coef = world[world["statistic"] == "coef"]
    k = {v: int((coef["verdict"] == v).sum()) for v in (_INSIDE, _EDGE, _OUTSIDE, _NONE)}
    every = world[world["verdict"] != "not produced in the world"]
    text = t["world"].format(
        reps=reps,
        inside=k[_INSIDE],
        edge=k[_EDGE],
        outside=k[_OUTSIDE],
        none=t["world_no_family"].format(k=k[_NONE]) if k[_NONE] else "",
        n_coef=len(coef),
        n_every=len(every),
        n_inside=int((every["verdict"] == _INSIDE).sum()),
    )
    return text if current else text + t["world_stale"]


def audit_sentence(findings: pd.DataFrame, language: str = "en") -> str:
    """What the consistency audit of the published tables finds, by severity.

    Parameters
    ----------
    findings : DataFrame
        :func:`aichain_utils.replication.audit.run_audit` (a ``severity`` column: error, warning or info).
    language : {"en", "zh"}
        The language of the sentence.
    """
    t = _templates(language)
    counts = findings["severity"].value_counts() if len(findings) else pd.Series(dtype=int)
    err, warn, info = (int(counts.get(s, 0)) for s in ("error", "warning", "info"))
    return t["audit"].format(
        err=err,
        warn=warn,
        info=info,
        err_items=_n(err, "item"),
        warn_items=_n(warn, "item"),
        info_verb="is" if info == 1 else "are",
    )


def claims_sentence(claim_table: pd.DataFrame, simulated: bool, language: str = "en") -> str:
    """How many of the paper's verbal claims its own tables support, and how many the replicated ones do.

    Parameters
    ----------
    claim_table : DataFrame
        :func:`aichain_utils.replication.claims.evaluate_claims` ("published supports", "replicated supports").
    simulated : bool
        Whether the replicated tables were computed on the simulated panel.
    language : {"en", "zh"}
        The language of the sentence.
    """
    t = _templates(language)
    n = len(claim_table)
    nc = int((claim_table["replicated supports"] == "not comparable").sum())
    text = t["claims"].format(
        n=n,
        n_claims=_n(n, "verbal claim"),
        pub=int((claim_table["published supports"] == "yes").sum()),
        rep=int((claim_table["replicated supports"] == "yes").sum()),
        where=t["claims_where_simulated" if simulated else "claims_where_user"],
    )
    text += t["claims_not_comparable"].format(nc=nc) if nc else t["end"]
    return text + (t["claims_simulated"] if simulated else "")


def estimate_sentence(
    tidy3: pd.DataFrame | None,
    simulated: bool,
    label: str,
    truth: float | None = None,
    missing: str | None = None,
    language: str = "en",
) -> str:
    """The book's main estimate of equation (1) on the data of this build (Table 3, column 6).

    Parameters
    ----------
    tidy3 : DataFrame or None
        ``render_table(3, columns).tidy`` of the replicated Table 3 (None when it was not built).
    simulated : bool
        Whether the data of the build are the simulated panel.
    label : str
        The data source's label (:attr:`aichain_utils.inputs.panel.DataSource.label`), named on a user's file.
    truth : float, optional
        The effect of AIE on ERL put into the simulation; used only when ``simulated``.
    missing : str, optional
        Why Table 3 was not built (when ``tidy3`` is None).
    language : {"en", "zh"}
        The language of the sentence (``label`` and ``missing`` are cited as they are given).

    Raises
    ------
    AichainInputError
        If ``tidy3`` has no column 6 (the main column of Table 3).
    ValueError
        If a number the sentence states (the estimate, its standard error, the published coefficient, the
        gap on a user's file) is missing or not finite: a page never states "nan".
    """
    from aichain_utils.errors import input_error
    from aichain_utils.report.display import COV_LABELS

    t = _templates(language)
    if tidy3 is None:
        return t["estimate_missing"].format(why=(missing or "the data lack what it needs").strip().rstrip("."))
    main = tidy3[tidy3["column"].astype(str) == "6"]
    if main.empty:
        raise input_error("tidy3", "must hold Table 3's column 6 (the book's main column)",
                          list(tidy3["column"]), what="columns")  # fmt: skip
    row = main.iloc[0]
    cov = str(row["cov_type"])
    labels = COV_LABELS_ZH if language == "zh" else COV_LABELS
    numbers = {"coef": float(row["coef"]), "se": float(row["se"]), "published": float(row["published_coef"])}
    check_finite("the headline's estimate sentence", **numbers)
    what = t["estimate_what"].format(se_kind=labels.get(cov, cov.replace("_", " ")), **numbers)
    if simulated:
        text = t["estimate_simulated"].format(what=what)
        if truth is not None and math.isfinite(truth):
            text += t["estimate_truth"].format(truth=truth)
        return text + t["end"]
    gap = abs(row["coef"] - row["published_coef"]) / row["published_se"] if row["published_se"] else float("nan")
    check_finite("the headline's estimate sentence", gap=gap)
    return t["estimate_user"].format(label=label, what=what, gap=gap)


def ledger_sentence(book_ledger: pd.DataFrame, simulated: bool, language: str = "en") -> str:
    """The replication ledger's verdicts on the data of this build, in one sentence.

    Parameters
    ----------
    book_ledger : DataFrame
        :func:`aichain_utils.replication.ledger.ledger_for_panel`'s ledger (a ``verdict`` column).
    simulated : bool
        Whether the data of the build are the simulated panel.
    language : {"en", "zh"}
        The language of the sentence (the ledger's verdicts in the glossary's words: 已复现, 设计性差异,
        无法复现, 不可比).
    """
    t = _templates(language)
    counts = book_ledger["verdict"].value_counts()
    text = t["ledger"].format(
        n=len(book_ledger),
        reproduced=int(counts.get("reproduced", 0)),
        by_design=int(counts.get("differs by design", 0)),
        cannot=int(counts.get("cannot be reproduced", 0)),
        not_comparable=int(counts.get("not comparable", 0)),
    )
    return text + (t["ledger_simulated"] if simulated else "")


def headline_sentences(
    world: pd.DataFrame | None,
    world_reps: int,
    world_current: bool,
    findings: pd.DataFrame,
    claim_table: pd.DataFrame,
    tidy3: pd.DataFrame | None,
    book_ledger: pd.DataFrame,
    source,
    truth: float | None = None,
    missing3: str | None = None,
    language: str = "en",
) -> dict[str, str]:
    """Every headline sentence, by its name under the glance's prefix (``headline_world``, glued as
    ``glance_headline_world``, ...).

    ``source`` is the build's :class:`aichain_utils.inputs.panel.DataSource` (simulated or a user's file);
    the other arguments are those of the sentence functions of this module, ``language`` ("en" or "zh")
    the language of every sentence.
    """
    simulated = bool(source is None or source.is_simulated)
    label = "" if source is None else source.label
    truth = truth if simulated else None
    return {
        "headline_world": world_sentence(world, world_reps, world_current, language),
        "headline_audit": audit_sentence(findings, language),
        "headline_claims": claims_sentence(claim_table, simulated, language),
        "headline_estimate": estimate_sentence(tidy3, simulated, label, truth, missing3, language),
        "headline_ledger": ledger_sentence(book_ledger, simulated, language),
    }
