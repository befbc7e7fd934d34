"""What the data of a build can give: every table, column, analysis, figure and computed sentence.

The one place the book decides, from the analysis panel's columns and shape, whether each of the
paper's Tables 3–10 (column by column), each analysis beyond the paper, each figure and each family
of computed sentences can be built, and, when it cannot, why, in words that name what the file lacks
("Table 10 needs LCV and WCV; the file has neither"). Chapters do not decide this themselves:

* :meth:`aichain_utils.inputs.panel.AnalysisPanel.missing_reason` ("Table N") answers from here, so the
  ``%%when_available`` cell magic (:mod:`aichain_utils.book.notebook`), the ``has_tableN`` tags of the
  Sphinx extension and the ledger (:func:`aichain_utils.replication.ledger.replicate_tables`) agree;
* :func:`assess` gives the whole :class:`Availability` of a panel (cached per panel), and
  :meth:`Availability.summary` the table the at-a-glance page and the robustness chapter print.

Every reason is a :class:`~aichain_utils.text.Bilingual` (issue 26): one English and one Chinese template
filled from the same values, the English as it always was, the Chinese with the glossary's and the
catalogues' words (第（2）–（4）列, 个体, 式（1）); a glued reason shows its Chinese on the Chinese pages.

A part is buildable when every variable it needs is in the file (or formed by the book: IV1 from
AIE, the region split from the province and its factor-market index), is not missing in every row,
varies, and its complete rows can identify equation (1) with unit and year effects (more rows than
units + years - 1 + the six regressors, in at least two units and two years). Groups of Tables 7–9
need every compared level, each large enough for that regression.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aichain_utils.inputs.schema import CONTROLS, GROUP_LABELS
from aichain_utils.text import Bilingual, bilingual_format, bilingual_join

__all__ = [
    "ANALYSES",
    "FIGURES",
    "PARTS",
    "SENTENCES",
    "Availability",
    "Part",
    "absence_phrase",
    "assess",
    "decide",
    "table_reason",
]

#: Equation (1)'s outcome, regressor and controls: required in every file, used by every part.
BASE = ["ERL", "AIE", *CONTROLS]
#: Regressors of equation (1) (AIE and the five controls): the degrees of freedom a regression uses.
N_REGRESSORS = 1 + len(CONTROLS)


@dataclass(frozen=True)
class Part:
    """Columns of one of the paper's tables that need the same variables.

    Attributes
    ----------
    table : int
    columns : tuple of int
        The table's column numbers.
    label : str
        What the columns estimate, in words.
    needs : tuple of str
        Variables beyond equation (1)'s (the outcome replaces ERL, the regressor AIE where named).
    group : str or None
        The group label column (Tables 7–9) whose ``levels`` are compared.
    levels : tuple of str
    outcome, regressor : str
        The regression's outcome and regressor (for the complete-rows count).
    years : str
        "all", "to2022" (Table 5 column 5) or "after_base" (Table 10: the first year is the base).
    """

    table: int
    columns: tuple[int, ...]
    label: str
    needs: tuple[str, ...] = ()
    group: str | None = None
    levels: tuple[str, ...] = ()
    outcome: str = "ERL"
    regressor: str = "AIE"
    years: str = "all"


#: Every part of Tables 3–10 (Table 1 needs the 24 indicators, Table 2 is descriptive).
PARTS: list[Part] = [
    Part(3, (1, 2, 3, 4, 5, 6, 7, 8), "the baseline"),
    Part(4, (1,), "2SLS with IV1", ("IV1",)),
    Part(4, (2,), "2SLS with IV2", ("IV2",)),
    Part(4, (3,), "2SLS with IV3", ("IV3",)),
    Part(4, (4,), "2SLS with IV4", ("IV4",)),
    Part(4, (5,), "first differences"),
    Part(5, (1,), "the alternative AIE", ("AIE_alt",), regressor="AIE_alt"),
    Part(5, (2,), "the front segment", ("ELRI_front",), outcome="ELRI_front"),
    Part(5, (3,), "the middle segment", ("ELRI_inter",), outcome="ELRI_inter"),
    Part(5, (4,), "the back segment", ("ELRI_back",), outcome="ELRI_back"),
    Part(5, (5,), "the sample to 2022", years="to2022"),
    Part(5, (6, 7), "trimming and matching"),
    Part(6, (1,), "mediation through FSIE", ("FSIE",)),
    Part(6, (2,), "mediation through forward ITSE", ("ITSE_forward",)),
    Part(6, (3,), "mediation through backward ITSE", ("ITSE_backward",)),
    Part(7, (1, 2, 3, 4), "industry types", group="industry_type", levels=("labour", "capital", "technology")),
    Part(8, (1, 2, 3), "chain positions", group="chain_position", levels=("front", "middle", "back")),
    Part(9, (1, 2), "regions", group="region", levels=("developed", "other")),
    Part(9, (3, 4), "technology levels", group="tech_level", levels=("high", "low")),
    Part(10, (1, 2), "length (LCV)", ("LCV",), outcome="LCV", years="after_base"),
    Part(10, (3, 4), "width (WCV)", ("WCV",), outcome="WCV", years="after_base"),
]

#: Analyses beyond the paper, and the tables whose variables each needs (it runs when all can be built).
ANALYSES: dict[str, tuple[int, ...]] = {
    "specification curve": (4,),  # 2SLS with each of Table 4's instruments
    "omitted-confounder sensitivity": (3,),
    "multiple testing": (5, 6, 7, 8, 9),  # families: segments, mediation legs, groups
    "causal mediation": (6,),
    "two-way fixed-effects weights": (3,),
    "fragility summary": (4, 5, 6, 7, 8, 9),  # one line per claim: every family above
    "propensity-score matching": (5,),
    "group effects (suest)": (7, 8, 9),
}

#: Figures and the tables they draw.
FIGURES: dict[str, tuple[int, ...]] = {
    "fig-t3-coefs": (3,),
    "fig-t4-coefs": (4,),
    "fig-t5-coefs": (5,),
    "fig-t6-coefs": (6,),
    "fig-t7-coefs": (7,),
    "fig-t8-coefs": (8,),
    "fig-t9-coefs": (9,),
    "fig-t10-coefs": (10,),
    "fig-rob-curve": (4,),
}

#: Families of computed sentences that are true of one kind of data only: family -> the condition.
SENTENCES: dict[str, str] = {
    "truth": "simulated",  # the effect the simulation sets, biases against it, coverage of it
    "aie weights": "raw",  # which weights AIE was built with: only where the book built AIE
    "closest-world draw": "simulated",  # "this panel is one draw of the closest world"
}


#: What each part estimates, in Chinese (:attr:`Part.label`'s words; the catalogues' and glossary's terms).
LABELS_ZH: dict[str, str] = {
    "the baseline": "基准回归",
    "2SLS with IV1": "以 IV1 为工具变量的 2SLS",
    "2SLS with IV2": "以 IV2 为工具变量的 2SLS",
    "2SLS with IV3": "以 IV3 为工具变量的 2SLS",
    "2SLS with IV4": "以 IV4 为工具变量的 2SLS",
    "first differences": "一阶差分",
    "the alternative AIE": "AIE 的替代测度",
    "the front segment": "创新链前端",
    "the middle segment": "创新链中端",
    "the back segment": "创新链后端",
    "the sample to 2022": "样本截至 2022 年",
    "trimming and matching": "截尾与匹配",
    "mediation through FSIE": "经由 FSIE 的中介效应",
    "mediation through forward ITSE": "经由前向 ITSE 的中介效应",
    "mediation through backward ITSE": "经由后向 ITSE 的中介效应",
    "industry types": "行业类型",
    "chain positions": "创新链环节",
    "regions": "地区",
    "technology levels": "技术水平",
    "length (LCV)": "价值延伸长度（LCV）",
    "width (WCV)": "价值延伸宽度（WCV）",
}
#: The analyses of :data:`ANALYSES` in Chinese.
ANALYSES_ZH: dict[str, str] = {
    "specification curve": "设定曲线",
    "omitted-confounder sensitivity": "遗漏混杂因素敏感性分析",
    "multiple testing": "多重检验",
    "causal mediation": "因果中介效应分析",
    "two-way fixed-effects weights": "双向固定效应权重",
    "fragility summary": "脆弱性汇总",
    "propensity-score matching": "倾向得分匹配",
    "group effects (suest)": "组间效应比较（suest）",
}
#: The families of :data:`SENTENCES` in Chinese.
SENTENCES_ZH: dict[str, str] = {"truth": "真实值", "aie weights": "AIE 权重", "closest-world draw": "最接近的模拟世界"}


def _zh(text) -> str:
    """The Chinese of a :class:`~aichain_utils.text.Bilingual`, or a language-neutral text (a name) as it is."""
    return text.zh if isinstance(text, Bilingual) else str(text)


def _zh_word(left: str, word: str, right: str) -> str:
    """``left`` + a Chinese ``word`` + ``right``, spaced from a Latin letter or digit beside it ("LCV 和 WCV")."""
    space = lambda ch: " " if ch.isascii() and (ch.isalnum() or ch in ")_") else ""  # noqa: E731
    return left + (space(left[-1]) if left else "") + word + (space(right[0]) if right else "") + right


def _join(names) -> Bilingual | str:
    """Names in a list: "LCV and WCV", "IV2, IV3 and IV4"; in Chinese "LCV 和 WCV", "IV2、IV3 和 IV4".

    A single name (or none) is returned as it is: a variable's name is the same in both languages.
    """
    names = list(names)
    if len(names) <= 1:
        return names[0] if names else ""
    en = ", ".join(str.__str__(n) for n in names[:-1]) + " and " + str.__str__(names[-1])
    return Bilingual(en, _zh_word("、".join(_zh(n) for n in names[:-1]), "和", _zh(names[-1])))


def _level_word(group: str | None, level: str) -> Bilingual | str:
    """A group level ("labour", "front") in both languages: the Chinese spelling of
    :data:`aichain_utils.inputs.schema.GROUP_LABELS` (a level it does not know is shown as it is)."""
    for labels in [GROUP_LABELS[group]] if group in GROUP_LABELS else GROUP_LABELS.values():
        spellings = labels.get(level, ())
        zh = next((s for s in spellings if any("\u4e00" <= ch <= "\u9fff" for ch in s)), None)
        if zh:
            return Bilingual(level, zh)
    return level


def _columns_text(columns) -> Bilingual:
    """ "column (3)", "columns (2)–(4)", "columns (1) and (5)"; in Chinese 第（3）列, 第（2）–（4）列,
    第（1）和（5）列."""
    cols = sorted(columns)
    if len(cols) == 1:
        return Bilingual(f"column ({cols[0]})", f"第（{cols[0]}）列")
    if len(cols) > 2 and cols == list(range(cols[0], cols[-1] + 1)):
        return Bilingual(f"columns ({cols[0]})–({cols[-1]})", f"第（{cols[0]}）–（{cols[-1]}）列")
    listed = _join(Bilingual(f"({c})", f"（{c}）") for c in cols)
    return Bilingual("columns " + listed, "第" + listed.zh + "列")  # 第（1）和（5）列


def _has_phrase(absent: list[str], needed: list[str]) -> Bilingual:
    """How the file stands to what a part needs: "neither", "none of them", "no LCV"."""
    if len(absent) == len(needed) == 2:
        return Bilingual("the file has neither", "文件中两者都没有")
    if len(absent) == len(needed) > 2:
        return Bilingual("the file has none of them", "文件中一个也没有")
    return bilingual_format({"en": "the file has no {names}", "zh": "文件中没有 {names}"}, names=_join(absent))


#: Why the check treats a column of the file as absent, in Chinese when the check gave no Chinese (a
#: :class:`~aichain_utils.inputs.datainput.Found` made elsewhere): the reason says so in general words.
_HOW_ZH_FALLBACK = "在文件中，但无法使用：视为缺失"


def unusable_phrase(name: str, found) -> Bilingual:
    """ "FSIE ('中介') is in the file but is constant: treated as absent", in both languages.

    ``found`` is the variable's :class:`~aichain_utils.inputs.datainput.Found`: its file column and why the
    check treats it as absent (:attr:`~aichain_utils.inputs.datainput.Found.how`, bilingual when the check
    wrote it).
    """
    how = found.how if isinstance(found.how, Bilingual) else Bilingual(found.how or "unusable", _HOW_ZH_FALLBACK)
    return bilingual_format(
        {"en": "{name} ('{column}') is {how}", "zh": "{name}（'{column}'）{how}"},
        name=name,
        column=found.user_column,
        how=how,
    )


def absence_phrase(absent: list[str], needed: list[str], found: dict | None = None) -> Bilingual:
    """Why the file lacks the ``absent`` ones of the ``needed`` variables, in one clause.

    A variable the file has no column for is "the file has no FSIE" ("neither", "none of them" when
    every needed one is absent); one whose column is in the file but unusable (the check treats a
    constant or nearly empty optional variable as absent) is named with the file's column and why,
    "FSIE ('中介') is constant: the book treats it as absent". ``found`` maps a variable to its
    :class:`aichain_utils.inputs.datainput.Found` (the check's verdict). In English and Chinese.
    """
    found = found or {}
    kept = [n for n in absent if getattr(found.get(n), "user_column", None)]
    gone = [n for n in absent if n not in kept]
    parts = [_has_phrase(gone, needed if len(gone) == len(absent) else gone)] if gone else []
    parts += [unusable_phrase(n, found[n]) for n in kept]
    return bilingual_join(parts, "; ", "；")


def _table_zh(table: int) -> Bilingual:
    return Bilingual(f"Table {table}", f"表 {table}")


def _where(part: Part) -> Bilingual:
    """ "Table 4 column (2) (2SLS with IV2)": the part, as its reasons start."""
    return bilingual_format(
        {"en": "Table {t} {cols} ({label})", "zh": "表 {t} {cols}（{label}）"},
        t=part.table,
        cols=_columns_text(part.columns),
        label=Bilingual(part.label, LABELS_ZH[part.label]),
    )


@dataclass
class Availability:
    """What one analysis panel can build.

    Attributes
    ----------
    parts : dict
        (table, first column) -> None when the part can be built, else the reason (one sentence).
    absent : dict
        (table, first column) -> the variables the file lacks for that part (empty when the reason
        is another: too few rows, a group without rows, a constant variable).
    level : str
        "simulated", "raw" or "analysis".
    """

    parts: dict[tuple[int, int], str | None]
    absent: dict[tuple[int, int], list[str]]
    level: str
    found: dict | None = None  # variable -> the check's Found (its file column and why it is unusable)

    # ------------------------------------------------------------------ tables and columns
    def column(self, table: int, column: int) -> str | None:
        """None when the column can be built, else why not."""
        for part in PARTS:
            if part.table == table and column in part.columns:
                return self.parts[(table, part.columns[0])]
        raise KeyError(f"Table {table} has no column {column} in availability.PARTS")

    def built_columns(self, table: int) -> list[int]:
        """The columns of ``table`` the data can build."""
        return [c for p in PARTS if p.table == table and self.parts[(table, p.columns[0])] is None for c in p.columns]

    def table(self, table: int) -> str | None:
        """None when every column of ``table`` can be built, else one sentence naming what is missing.

        Parts that fail because the file lacks variables are named together ("Table 10 needs LCV and
        WCV; the file has neither"); other failures follow, each with its columns.
        """
        parts = [p for p in PARTS if p.table == table]
        if not parts:
            raise KeyError(f"unknown table {table}; known: {sorted({p.table for p in PARTS})}")
        failing = [p for p in parts if self.parts[(table, p.columns[0])] is not None]
        if not failing:
            return None
        by_absence = [p for p in failing if self.absent[(table, p.columns[0])]]
        sentences = []
        if by_absence:
            needed = list(dict.fromkeys(v for p in by_absence for v in p.needs or (p.group,)))
            absent = list(dict.fromkeys(v for p in by_absence for v in self.absent[(table, p.columns[0])]))
            every = len(by_absence) == len(parts)
            cols = [c for p in by_absence for c in p.columns]
            where = _table_zh(table) if every else bilingual_join([_table_zh(table), _columns_text(cols)], " ", " ")
            sentences.append(
                bilingual_format(
                    {
                        "en": "{where} {verb} {needed}; {absence}.",
                        "zh": "{where}" + " " * every + "需要 {needed}；{absence}。",
                    },
                    where=where,
                    verb="needs" if every or len(cols) == 1 else "need",
                    needed=_join(needed),
                    absence=absence_phrase(absent, needed, self.found),
                )
            )
        for p in failing:
            if not self.absent[(table, p.columns[0])]:
                sentences.append(self.parts[(table, p.columns[0])])
        return bilingual_join(sentences, " ", "")

    def partial_heading(self, table: int) -> Bilingual:
        """What a file builds of ``table``, as the partial view heads it: "Table 4 on these data: columns (1)
        and (5)." ("every column" when it builds the whole table), in English and Chinese (第（1）和（5）列).

        Raises
        ------
        ValueError
            When the file builds no column of ``table`` (there is nothing to head).
        """
        built = self.built_columns(table)
        if not built:
            raise ValueError(f"these data build no column of Table {table}: {self.table(table)}")
        shown = Bilingual("every column", "所有列") if self.table(table) is None else _columns_text(built)
        templates = {"en": "Table {t} on these data: {shown}.", "zh": "表 {t} 在这些数据上可构建：{shown}。"}
        return bilingual_format(templates, t=table, shown=shown)

    def tables(self) -> dict[int, str | None]:
        """Table -> its reason (None when built), Tables 3–10."""
        return {t: self.table(t) for t in sorted({p.table for p in PARTS})}

    # ------------------------------------------------------------------ beyond the tables
    def analysis(self, name: str) -> str | None:
        """None when the analysis of :data:`ANALYSES` can run, else why not (the tables' reasons)."""
        if name not in ANALYSES:
            raise KeyError(f"unknown analysis {name!r}; known: {list(ANALYSES)}")
        reasons = [r for t in ANALYSES[name] if (r := self.table(t))]
        if not reasons:
            return None
        return bilingual_format(
            {"en": "The {name} is not built: {reasons}", "zh": "{name}未能构建：{reasons}"},
            name=Bilingual(name, ANALYSES_ZH[name]),
            reasons=bilingual_join(reasons, " ", ""),
        )

    def figure(self, name: str) -> str | None:
        """None when the figure of :data:`FIGURES` can be drawn, else why not."""
        if name not in FIGURES:
            raise KeyError(f"unknown figure {name!r}; known: {list(FIGURES)}")
        reasons = [r for t in FIGURES[name] if (r := self.table(t))]
        return bilingual_join(reasons, " ", "") if reasons else None

    def sentence(self, family: str) -> str | None:
        """None when a family of :data:`SENTENCES` is true of these data, else why it is not shown."""
        if family not in SENTENCES:
            raise KeyError(f"unknown sentence family {family!r}; known: {list(SENTENCES)}")
        need, word = SENTENCES[family], Bilingual(family, SENTENCES_ZH[family])
        if need == "simulated" and self.level != "simulated":
            t = {
                "en": "'{family}' sentences are true of the simulated panel only",
                "zh": "“{family}”类句子只对模拟面板成立",
            }
            return bilingual_format(t, family=word)
        if need == "raw" and self.level == "analysis":
            t = {
                "en": "'{family}' sentences describe indices the book computed; the file gives them finished",
                "zh": "“{family}”类句子描述本书计算的指数；该文件直接给出了这些变量的最终值",
            }
            return bilingual_format(t, family=word)
        return None

    def summary(self) -> pd.DataFrame:
        """One row per part of Tables 3–10: table, columns, what it estimates, built or not, and why not (in
        English and Chinese: "estimates" and "reason" hold :class:`~aichain_utils.text.Bilingual` texts, "" for
        a part that is built)."""
        rows = []
        for p in PARTS:
            reason = self.parts[(p.table, p.columns[0])]
            rows.append(
                {
                    "table": p.table,
                    "columns": ", ".join(f"({c})" for c in p.columns),
                    "estimates": p.label,
                    "built": "yes" if reason is None else "no",
                    "reason": reason or "",
                }
            )
        out = pd.DataFrame(rows)
        # each label and reason keeps its Chinese (a Bilingual): pandas would infer its str dtype, English only
        out["estimates"] = pd.Series([Bilingual(p.label, LABELS_ZH[p.label]) for p in PARTS], dtype=object)
        out["reason"] = pd.Series([r["reason"] for r in rows], index=out.index, dtype=object)
        return out

    def counts(self) -> dict[str, int]:
        """Numbers of columns of Tables 3–10 built and not built."""
        n_cols = sum(len(p.columns) for p in PARTS)
        built = sum(len(p.columns) for p in PARTS if self.parts[(p.table, p.columns[0])] is None)
        return {"columns": n_cols, "built": built, "not_built": n_cols - built}


# ---------------------------------------------------------------------------- deciding
def _fe_shortfall(frame: pd.DataFrame, regressors: list[str] | None = None) -> str | None:
    """Why equation (1) with unit and year effects cannot be estimated on ``frame``'s rows, or None.

    Too few rows for the effects and the regressors, or ``regressors`` collinear once the unit and year
    effects are removed (the core's message, naming the columns).
    """
    from aichain_utils.econometrics import check_rank, demean
    from aichain_utils.errors import AichainInputError

    units, years = _count(frame["unit_id"]), _count(frame["year"])
    if units < 2 or years < 2 or len(frame) <= units + years - 1 + N_REGRESSORS:
        return bilingual_format(_TOO_FEW, rows=f"{len(frame):,}", units=units, years=years)
    if regressors:
        try:
            within = demean(frame, regressors, ["unit_id", "year"])
            check_rank(within[regressors].to_numpy(dtype=float), regressors, "regressors after unit and year effects")
        except AichainInputError as exc:
            names = _zh(_join([str(n) for n in exc.offending])) or "—"
            zh = f"扣除个体与年份效应后，回归变量共线：{names} 无法单独识别"
            return Bilingual(str(exc).split(". Drop the named")[0].rstrip("."), zh)
    return None


#: Too few rows for equation (1) with unit and year effects (:func:`_fe_shortfall`).
_TOO_FEW = {
    "en": "too few observations to estimate equation (1): {rows} rows, {units} units, {years} years",
    "zh": "观测值过少，无法估计式（1）：{rows} 行，{units} 个个体，{years} 年",
}


def _count(s: pd.Series) -> int:
    """Number of distinct values (ids and years: integer codes, factorised without sorting)."""
    return int(pd.factorize(s, use_na_sentinel=True)[1].size)


def _varies(values: np.ndarray) -> bool:
    """Whether a column without missing values takes two values or more."""
    return values.size > 1 and bool((values != values[0]).any())


class _Memo(dict):
    """The verdicts of one :func:`decide` call, keyed by the rows a part uses (a bit mask) and what it asks.

    Tables 3-10 use a handful of distinct samples (the complete rows are the same for most columns), so
    each sample is cut, counted and demeaned once, not once per column.
    """

    def rows_key(self, keep: np.ndarray) -> str:
        return hashlib.sha1(np.packbits(keep).tobytes()).hexdigest()

    def shortfall(self, key: tuple, frame_of, regressors: list[str]) -> str | None:
        if key not in self:
            self[key] = _fe_shortfall(frame_of(), regressors)
        return self[key]


def _sample_mask(data: pd.DataFrame, part: Part) -> np.ndarray:
    """The rows of the part's years (Table 5 (5): up to 2022; Table 10: after the base year)."""
    year = data["year"].to_numpy()
    if part.years == "to2022":
        return year <= 2022
    if part.years == "after_base":
        return year > year.min()
    return np.ones(len(data), dtype=bool)


def _absent(part: Part, data: pd.DataFrame, found: dict) -> list[str]:
    """The variables of ``part`` the file does not have (no column, none formed by the book)."""
    names = list(part.needs) + ([part.group] if part.group else [])
    out = []
    for n in names:
        status = getattr(found.get(n), "status", None)
        if status == "absent" or (status != "computed" and n not in data.columns):  # "computed": formed later
            out.append(n)
    return out


#: The reasons of one part (:func:`_part_reason`), each filled with the part (``where``) and its numbers.
_REASONS: dict[str, dict[str, str]] = {
    "absent": {"en": "{where} needs {names}; {absence}.", "zh": "{where}需要 {names}；{absence}。"},
    "empty": {
        "en": "{where} needs {n}; the file's {n} is empty in every row.",
        "zh": "{where}需要 {n}；文件中的 {n} 每一行都为空。",
    },
    "to2022": {
        "en": "{where} needs at least two years up to 2022; the panel has {n}.",
        "zh": "{where}需要截至 2022 年至少两年的数据；面板只有 {n} 年。",
    },
    "after_base": {
        "en": "{where} needs at least two years after the base year (the first); the panel has fewer.",
        "zh": "{where}需要基期（第一年）之后至少两年的数据；面板不足两年。",
    },
    "vary": {
        "en": "{where} needs {n} to vary; on the complete rows it takes one value.",
        "zh": "{where}需要 {n} 有变化；在变量齐全的行中它只取一个值。",
    },
    "short": {"en": "{where}: {short}.", "zh": "{where}：{short}。"},
    "pairs": {
        "en": "{where} needs consecutive years of a unit; the panel has {n} such pairs.",
        "zh": "{where}需要同一个体的相邻年份；面板中这样的相邻年份对有 {n} 个。",
    },
    "levels": {"en": "{where} {verb} {levels}; {has}.", "zh": "{where}比较{levels}；{has}。"},
    "no_rows": {
        "en": "the file has no rows of {missing} (it has {shown})",
        "zh": "文件中没有{missing}的行（文件中有{shown}）",
    },
    "too_few_in": {
        "en": "too few observations to estimate equation (1) in {groups}",
        "zh": "{groups}的观测值过少，无法估计式（1）",
    },
    "in_group": {"en": "in the {level} group, {short}", "zh": "在{level}组中，{short}"},
    "group_level": {"en": "{level} ({detail})", "zh": "{level}（{detail}）"},
}


def _say(key: str, **values) -> Bilingual:
    """One reason of :data:`_REASONS`, in both languages."""
    return bilingual_format(_REASONS[key], f"the availability reason {key!r}", **values)


def _part_reason(
    part: Part, data: pd.DataFrame, found: dict, memo: _Memo | None = None
) -> tuple[Bilingual | None, list[str]]:
    """(reason or None, absent variables) for one part; the reason is in English and Chinese."""
    memo = _Memo() if memo is None else memo
    where = _where(part)
    absent = _absent(part, data, found)
    if absent:
        return _say("absent", where=where, names=_join(absent), absence=absence_phrase(absent, absent, found)), absent
    for n in part.needs:
        if n in data.columns and data[n].isna().all():
            return _say("empty", where=where, n=n), []
    variables = list(dict.fromkeys([*BASE, *part.needs, part.outcome, part.regressor]))
    if any(v not in data.columns for v in [*variables, "unit_id", "year", *([part.group] if part.group else [])]):
        # a check's frame: a variable the book forms later is not a column yet
        return (_levels_reason(part, data, where) if part.group in data.columns else None), []
    in_years = _sample_mask(data, part)
    n_years = _count(data["year"][in_years])
    if part.years in ("to2022", "after_base") and n_years < 2:
        return _say(part.years, where=where, n=n_years), []
    keep = in_years & data[variables].notna().all(axis=1).to_numpy()
    for n in (part.outcome, part.regressor, *part.needs):
        if not _varies(data[n].to_numpy()[keep]):
            return _say("vary", where=where, n=n), []
    cols = list(dict.fromkeys([*variables, "unit_id", "year", *([part.group] if part.group else [])]))
    rows = memo.rows_key(keep)
    regressors = [part.regressor, *CONTROLS]
    if part.group:
        return _group_reason(part, data.loc[keep, cols], where, memo, rows), []
    short = memo.shortfall((rows, tuple(regressors)), lambda: data.loc[keep, cols], regressors)
    if short:
        return _say("short", where=where, short=short), []
    if part.table == 4 and part.columns == (5,):
        complete = data.loc[keep, ["unit_id", "year"]]
        lagged = complete["year"] - complete.groupby("unit_id")["year"].shift(1) == 1
        if int(lagged.sum()) <= N_REGRESSORS + 1:
            return _say("pairs", where=where, n=int(lagged.sum())), []
    return None, []


def _levels_reason(part: Part, rows: pd.DataFrame, where: Bilingual) -> Bilingual | None:
    """Why ``rows`` lack a level the part compares, or None."""
    present = set(rows[part.group].dropna().unique())
    missing = [lv for lv in part.levels if lv not in present]
    if not missing:
        return None
    shown = [_level_word(part.group, str(g)) for g in sorted(str(g) for g in present)]
    has = _say(
        "no_rows",
        missing=_join(_level_word(part.group, lv) for lv in missing),
        shown=_join(shown) if shown else Bilingual("no labelled rows", "带标签的行"),
    )
    levels = _join(_level_word(part.group, lv) for lv in part.levels)
    return _say("levels", where=where, verb="compares" if len(part.columns) == 1 else "compare", levels=levels, has=has)


def _group_reason(part: Part, complete: pd.DataFrame, where: Bilingual, memo: _Memo, rows: str) -> Bilingual | None:
    if (lacking := _levels_reason(part, complete, where)) is not None:
        return lacking
    small, other = [], []
    regressors = [part.regressor, *CONTROLS]
    for level in part.levels:
        key = (rows, part.group, level, tuple(regressors))
        short = memo.shortfall(key, lambda level=level: complete[complete[part.group] == level], regressors)
        word = _level_word(part.group, level)
        if short and short.startswith("too few"):
            detail = Bilingual(short.split(": ", 1)[1], short.zh.split("：", 1)[1])
            small.append(_say("group_level", level=word, detail=detail))
        elif short:
            other.append(_say("in_group", level=word, short=short))
    if small:
        other.insert(0, _say("too_few_in", groups=_join(small)))
    return _say("short", where=where, short=bilingual_join(other, "; ", "；")) if other else None


def _found_of(panel) -> dict:
    found = getattr(panel, "found", None) or {}
    return found


_CACHE: dict[int, tuple[object, Availability]] = {}


def assess(panel) -> Availability:
    """The :class:`Availability` of an :class:`aichain_utils.inputs.panel.AnalysisPanel` (cached per panel object).

    Raises
    ------
    KeyError
        If the panel's data lack ``unit_id``, ``year`` or a variable of equation (1) (a panel built by
        :mod:`aichain_utils.inputs.panel` always has them).
    """
    key = id(panel)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is panel.data:
        return hit[1]
    data, found = panel.data, _found_of(panel)
    missing_base = [c for c in (*BASE, "unit_id", "year") if c not in data.columns]
    if missing_base:
        raise KeyError(f"the analysis panel lacks {_join(missing_base)}")
    result = decide(data, found, getattr(panel, "level", "simulated"))
    _CACHE[key] = (panel.data, result)
    return result


def decide(data: pd.DataFrame, found: dict | None = None, level: str = "simulated") -> Availability:
    """The :class:`Availability` of a frame: an analysis panel's data, or the frame ``make check-data`` reads.

    On the check's frame the variables the book forms later (IV1 from AIE, every index of a raw-input
    file) are not columns yet: a part that needs one is decided by what the frame holds (a variable the
    file lacks, a group level without rows) and otherwise counted as buildable; the book decides it
    again on the analysis panel (:func:`assess`).

    Parameters
    ----------
    data : DataFrame
    found : dict, optional
        Variable -> :class:`aichain_utils.inputs.datainput.Found` (the check's verdict on each variable).
    level : str
        "simulated", "raw" or "analysis".
    """
    found, memo = found or {}, _Memo()
    parts, absent = {}, {}
    for part in PARTS:
        reason, lacking = _part_reason(part, data, found, memo)
        parts[(part.table, part.columns[0])] = reason
        absent[(part.table, part.columns[0])] = lacking
    return Availability(parts, absent, level, found)


def table_reason(panel, table: int) -> str | None:
    """None when ``panel`` can build every column of Table ``table`` (3–10), else the reason.

    Tables 1 and 2 are decided by :func:`aichain_utils.inputs.checks.table_reasons` (the 24 indicators, the
    descriptive statistics), as before.
    """
    return assess(panel).table(table)
