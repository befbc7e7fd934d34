"""The consistency audit of the published tables (``chapters/audit.md``): findings, claims, the closest world.

:func:`consistency_audit` runs the audit of :mod:`aichain_utils.replication.audit` on the paper's transcription,
checks the paper's verbal claims against its own tables (:mod:`aichain_utils.replication.claims`) and reads
the stored calibration report (:func:`aichain_utils.replication.calibration.read_result`; it is read, never
rerun). Its :meth:`AuditResults.numbers` are every count, verdict and sentence the chapter cites, under
keys ``audit_*``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from aichain_utils.replication import audit, calibration, claims
from aichain_utils.replication.numbers import Bilingual, Numbers, Results, bilingual_join
from aichain_utils.report.celltext import translate_text

__all__ = [
    "AuditResults",
    "consistency_audit",
    "count_words",
    "finding_label_zh",
    "legs_sentence",
    "quotes_sentence",
    "stars_verdict",
    "tables_catalogue",
    "worst_gaps",
]

#: Severity -> the word the chapter counts it with, in English and Chinese.
SEVERITY_WORDS = {
    "error": Bilingual("error", "错误"),
    "warning": Bilingual("warning", "警告"),
    "info": Bilingual("note", "提示"),
}
#: :data:`aichain_utils.replication.audit.FAMILIES`'s descriptions in Chinese (the glossary's terms).
FAMILIES_ZH: dict[str, str] = {
    "sample_size": "每个样本量 N 对照论文的研究设计、样本规则（滞后、窗口、剔除异常值）与分组",
    "stars": "显著性星号对照系数与标准误之比，考虑四舍五入",
    "tests": "由印出的数字重新计算 suest 的 p 值与 Kleibergen-Paap 统计量的星号",
    "descriptives": "表 2：均值位于 [最小值, 最大值] 之内、Bhatia-Davis 标准差上界、极端值、样本量",
    "identity": "必须相等的数字：式（9）的环节均值、最小二乘虚拟变量法与组内估计量",
    "nesting": "同一样本上每一对嵌套列的调整 R²",
    "se_bound": "作为其他被解释变量加权和的被解释变量，其标准误须在三角不等式给出的界限之内",
    "plausibility": "为零的标准误、相差一个数量级的标准误、相互矛盾的 LM 与 Wald 统计量",
    "prose_vs_table": "每一项文字论断与方法标注对照论文自己的表格",
    "hypotheses": "包含多个组成部分的假说，逐一检验每个部分",
    "quotes": "本书归于论文的每一处引文均须在论文原文中逐字找到",
    "text": "论文中相互矛盾的表述（数据来源）",
    "reading": "本书以明确说明的解读处理的反常之处（观测单位、人工智能嵌入程度的下限）",
    "closest_world": "最接近的模拟世界无法与其余系数同时再现的公布的系数",
}
NO_FINDING = Bilingual("no finding", "无发现")
FINDING_COLUMNS = ["severity", "family", "check", "table", "cells", "expected", "printed"]
CLAIM_COLUMNS = ["id", "quote_zh", "claim_en", "legs", "published supports", "published detail"]
CLOSEST_COLUMNS = ["cell", "published", "published_se", "closest", "gap_in_se", "within_one_se", "conflicts_with"]


def count_words(k: int, word: str) -> str:
    """``k`` and the word in the right number: "1 error", "3 errors".

    A :class:`~aichain_utils.replication.numbers.Bilingual` word gives a bilingual count ("3 errors",
    "3 项错误"); a plain ``str`` word an English one.
    """
    en = f"{k} {word}{'' if k == 1 else 's'}"
    return Bilingual(en, f"{k} 项{word.zh}") if isinstance(word, Bilingual) else en


def stars_verdict(n_star_findings: int) -> Bilingual:
    """Whether every printed star matches its coefficient and standard error (the ``stars`` family)."""
    if n_star_findings == 0:
        return Bilingual(
            "every printed star is consistent with its coefficient and standard error",
            "每个印出的星号都与其系数和标准误相符",
        )
    return Bilingual(
        "the stars listed below do not match their coefficient and standard error",
        "下列星号与其系数和标准误不符",
    )


def quotes_sentence(n_quotes: int, n_misquoted: int, paper_found: bool) -> Bilingual:
    """The book's quotations of the paper and how many occur verbatim in its text (the ``quotes`` family)."""
    head = (
        f"The book attributes {n_quotes} quotations to the paper (the claims, the design and data-source rows, "
        "the hypotheses, the table titles and variable names, and the Chinese quotations of the pages' prose); "
    )
    head_zh = (
        f"本书归于论文的引文共 {n_quotes} 处（各项论断、研究设计与数据来源各行、各项假说、表格标题与变量名，"
        "以及各页正文中的中文引文）；"
    )
    if paper_found:
        return Bilingual(
            head + f"{n_quotes - n_misquoted} of them occur verbatim in the paper's text, whitespace aside.",
            head_zh + f"其中 {n_quotes - n_misquoted} 处在论文原文中逐字出现（空白字符除外）。",
        )
    return Bilingual(
        head + "the paper's text is not next to this checkout, so they were not checked on this build.",
        head_zh + "论文原文不在本检出目录旁，因此本次构建未加核对。",
    )


def legs_sentence(claim_table: pd.DataFrame) -> Bilingual:
    """The claims with several legs, and how many of them the paper's own tables support on every leg."""
    multi = claim_table[claim_table["legs"] > 1]
    n_yes = int((multi["published supports"] == "yes").sum())
    n_not_shown = int((multi["published supports"] == "not shown").sum())
    return Bilingual(
        f"{len(multi)} of the paper's {len(claim_table)} claims have several legs ({', '.join(multi['id'])}); "
        f"judged on every leg, the paper's own tables support {n_yes} of them, and {n_not_shown} rest on a leg "
        "the paper does not print.",
        f"论文的 {len(claim_table)} 项论断中有 {len(multi)} 项包含多个组成部分（{'、'.join(multi['id'])}）；"
        f"逐一检验每个部分，论文自己的表格支持其中 {n_yes} 项，另有 {n_not_shown} 项依赖论文未报告的部分。",
    )


def worst_gaps(closest: pd.DataFrame, k: int = 3) -> Bilingual:
    """The ``k`` target cells the closest world misses by most, in published SEs ("none" when it misses none)."""
    missed = closest[~closest["within_one_se"]]
    if missed.empty:
        return Bilingual("none", "无")
    order = missed["gap_in_se"].abs().sort_values(ascending=False).index
    rows = missed.reindex(order).head(k).itertuples()
    return bilingual_join(
        [
            Bilingual(
                f"Table {r.table} ({r.column}) by {abs(r.gap_in_se):.1f} SE",
                f"表 {r.table}（{r.column}）相差 {abs(r.gap_in_se):.1f} 个标准误",
            )
            for r in rows
        ],
        ", ",
        "，",
    )


#: Two places compared ("Table 5 (2)-(4) vs ERL columns of Tables 3 and 5"), each translated in turn.
_VERSUS = re.compile(r"(?P<a>.+) vs (?P<b>.+)")


def tables_catalogue() -> dict[str, str]:
    """The Chinese tables' catalogue (``locale/zh_CN/LC_MESSAGES/tables.po``: msgid -> msgstr)."""
    from aichain_utils.report.catalogue import catalogue_path, load_catalogue

    return load_catalogue(catalogue_path("tables"))


def finding_label_zh(text: str, words: dict[str, str]) -> str:
    """A finding's severity, table, cells or check in Chinese, as the Chinese findings table writes it: the
    tables' rule (:func:`aichain_utils.report.celltext.translate_text`: the catalogue's words, ``words``:
    :func:`tables_catalogue`, else a cell pattern), else two places compared ("… vs …", each translated),
    else the place names of :data:`aichain_utils.replication.audit.PLACES_ZH`; a symbol (AIE, N) is kept."""
    text = str(text)
    chinese = translate_text(text, words)
    if chinese is not None and chinese != text:
        return chinese
    m = _VERSUS.fullmatch(text)
    if m:
        return f"{finding_label_zh(m['a'], words)} 对 {finding_label_zh(m['b'], words)}"
    return audit.PLACES_ZH.get(text, text)


@dataclass
class AuditResults(Results):
    """The audit's findings, the claims against the paper's own tables, and the calibration's closest world.

    Attributes
    ----------
    findings : DataFrame
        :func:`aichain_utils.replication.audit.run_audit`, most severe first.
    claim_table : DataFrame
        :func:`aichain_utils.replication.claims.evaluate_claims` on the published tables only.
    design : dict
        :func:`aichain_utils.replication.audit.load_design`: the design the checks hold the tables to.
    n_quotes : int
        Quotations the book attributes to the paper (:func:`aichain_utils.replication.audit.book_quotations`).
    paper_found : bool
        Whether the paper's text is next to the checkout, so that the quotations were checked.
    calibration : dict
        The stored calibration report (:func:`aichain_utils.replication.calibration.read_result`).
    """

    prefix = "audit"

    findings: pd.DataFrame
    claim_table: pd.DataFrame
    design: dict
    n_quotes: int
    paper_found: bool
    calibration: dict

    # ------------------------------------------------------------------ what the chapter shows
    def findings_table(self) -> pd.DataFrame:
        """Every finding, most severe first (Table "audit findings")."""
        return self.findings[FINDING_COLUMNS]

    def family_counts(self, family: str) -> Bilingual:
        """The findings of one family by severity ("2 errors, 1 note"; 2 项错误，1 项提示), or "no finding"."""
        rows = self.findings[self.findings["family"] == family]
        if rows.empty:
            return NO_FINDING
        counts = rows["severity"].value_counts()
        words = [count_words(int(counts[s]), w) for s, w in SEVERITY_WORDS.items() if counts.get(s, 0)]
        return bilingual_join(words, ", ", "，")

    def families_markdown(self) -> Bilingual:
        """The numbered list of the audit's families: what each checks and what it found (in English and
        Chinese: :func:`aichain_utils.book.show_markdown` shows it in the page's language)."""
        items = []
        for i, (fam, what) in enumerate(audit.FAMILIES.items(), 1):
            counts = self.family_counts(fam)
            en = f"{i}. **`{fam}`**: {what} ({counts})."
            items.append(Bilingual(en, f"{i}. **`{fam}`**：{FAMILIES_ZH[fam]}（{counts.zh}）。"))
        return bilingual_join(items, "\n")

    def explanations_markdown(self) -> Bilingual:
        """The numbered list of the findings with their explanations, in the order of the findings table, in
        English and Chinese (:func:`finding_label_zh` for the severity, table, cells and check; the check's
        own Chinese explanation, or its English where the check words it in English only)."""
        words = tables_catalogue()
        items = []
        for i, r in enumerate(self.findings.itertuples(), 1):
            en = f"{i}. **{r.severity}**, {r.table} {r.cells}, *{r.check}*: {r.explanation}"
            zh_why = getattr(r, "explanation_zh", "") or r.explanation
            where = " ".join(finding_label_zh(v, words) for v in (r.table, r.cells))
            severity, check = finding_label_zh(r.severity, words), finding_label_zh(r.check, words)
            zh = f"{i}. **{severity}**，{where}，*{check}*：{zh_why}"
            items.append(Bilingual(en, zh))
        return bilingual_join(items, "\n")

    def claims_table(self) -> pd.DataFrame:
        """Each verbal claim against the paper's own table, leg by leg."""
        return self.claim_table[CLAIM_COLUMNS]

    def closest(self) -> pd.DataFrame:
        """The calibration's target coefficients in the closest world (``closest_world`` of the report)."""
        return pd.DataFrame(self.calibration["closest_world"])

    def closest_table(self) -> pd.DataFrame:
        """Each target coefficient: published, in the closest world, the gap in SEs and its conflicts."""
        cw = self.closest()
        cw = cw.assign(cell=[f"Table {t} ({c})" for t, c in zip(cw["table"], cw["column"], strict=True)])
        return cw[CLOSEST_COLUMNS]

    def write_tables(self, directory: Path | None = None) -> Path:
        """Write ``audit.csv`` (:func:`aichain_utils.replication.audit.write_audit`; default ``_build/tables``)."""
        return audit.write_audit(self.findings, directory)

    # ------------------------------------------------------------------ what the prose cites
    def _findings_numbers(self) -> dict:
        f = self.findings
        counts = f["severity"].value_counts()
        n_stars = int((f["family"] == "stars").sum())
        words = {
            f"{sev}s" if sev != "info" else "notes": count_words(int(counts.get(sev, 0)), w)
            for sev, w in SEVERITY_WORDS.items()
        }
        design = self.design
        return {
            "n_findings": len(f),
            **words,
            "n_star_findings": n_stars,
            "stars_verdict": stars_verdict(n_stars),
            "n_families": int(f["family"].nunique()),
            "n_families_all": len(audit.FAMILIES),
            "n_prose": int((f["family"] == "prose_vs_table").sum()),
            "design": {
                "industries": int(design["n_industries"]),
                "years": f"{design['first_year']}–{design['last_year']}",
                "levels": bilingual_join(
                    [f"{float(v):.0%}" for v in str(design["significance_levels"]).split("|")], ", ", "、"
                ),
            },
            "quotes_sentence": quotes_sentence(self.n_quotes, int((f["family"] == "quotes").sum()), self.paper_found),
        }

    def _calibration_numbers(self) -> dict:
        cw = self.closest()
        hist = pd.DataFrame(self.calibration["effects_history"])
        ok = int(cw["within_one_se"].sum())
        return {
            "n": len(cw),
            "ok": ok,
            "missed": len(cw) - ok,
            "q0": float(hist["objective"].iloc[0]),
            "q1": float(hist["objective"].iloc[-1]),
            "iter": len(hist) - 1,
            "worst": worst_gaps(cw),
        }

    def numbers(self) -> Numbers:
        """The findings' counts (``audit_n_findings``, ``audit_errors``), the design (``audit_design_years``),
        the claims (``audit_claims_pub``, ``audit_legs_sentence``) and the closest world of the calibration
        (``audit_cal_ok``, ``audit_cal_worst``)."""
        table = self.claim_table
        claim_numbers = {
            "n": len(table),
            "pub": int((table["published supports"] == "yes").sum()),
            "not_shown": int((table["published supports"] == "not shown").sum()),
        }
        tree = {
            **self._findings_numbers(),
            "legs_sentence": legs_sentence(table),
            "claims": claim_numbers,
            "cal": self._calibration_numbers(),
        }
        return Numbers(self.prefix, tree)


def consistency_audit() -> AuditResults:
    """The audit chapter's results: it needs no data but the paper's own (``data/published/``)."""
    return AuditResults(
        findings=audit.run_audit(),
        claim_table=claims.evaluate_claims(),
        design=audit.load_design(),
        n_quotes=len(audit.book_quotations()),
        paper_found=audit.paper_text_path() is not None,
        calibration=calibration.read_result(),
    )
