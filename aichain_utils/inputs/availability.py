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

from aichain_utils.inputs.schema import CONTROLS

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


def _join(names) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _columns_text(columns) -> str:
    cols = sorted(columns)
    if len(cols) == 1:
        return f"column ({cols[0]})"
    if len(cols) > 2 and cols == list(range(cols[0], cols[-1] + 1)):
        return f"columns ({cols[0]})–({cols[-1]})"
    return "columns " + _join(f"({c})" for c in cols)


def _has_phrase(absent: list[str], needed: list[str]) -> str:
    """How the file stands to what a part needs: "neither", "none of them", "no LCV"."""
    if len(absent) == len(needed) == 2:
        return "the file has neither"
    if len(absent) == len(needed) > 2:
        return "the file has none of them"
    return f"the file has no {_join(absent)}"


def absence_phrase(absent: list[str], needed: list[str], found: dict | None = None) -> str:
    """Why the file lacks the ``absent`` ones of the ``needed`` variables, in one clause.

    A variable the file has no column for is "the file has no FSIE" ("neither", "none of them" when
    every needed one is absent); one whose column is in the file but unusable (the check treats a
    constant or nearly empty optional variable as absent) is named with the file's column and why,
    "FSIE ('中介') is constant: the book treats it as absent". ``found`` maps a variable to its
    :class:`aichain_utils.inputs.datainput.Found` (the check's verdict).
    """
    found = found or {}
    kept = [n for n in absent if getattr(found.get(n), "user_column", None)]
    gone = [n for n in absent if n not in kept]
    parts = [_has_phrase(gone, needed if len(gone) == len(absent) else gone)] if gone else []
    parts += [f"{n} ('{found[n].user_column}') is {found[n].how}" for n in kept]
    return "; ".join(parts)


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
            where = f"Table {table}" if every else f"Table {table} {_columns_text(cols)}"
            verb = "needs" if every or len(cols) == 1 else "need"
            sentences.append(f"{where} {verb} {_join(needed)}; {absence_phrase(absent, needed, self.found)}.")
        for p in failing:
            if not self.absent[(table, p.columns[0])]:
                sentences.append(self.parts[(table, p.columns[0])])
        return " ".join(sentences)

    def tables(self) -> dict[int, str | None]:
        """Table -> its reason (None when built), Tables 3–10."""
        return {t: self.table(t) for t in sorted({p.table for p in PARTS})}

    # ------------------------------------------------------------------ beyond the tables
    def analysis(self, name: str) -> str | None:
        """None when the analysis of :data:`ANALYSES` can run, else why not (the tables' reasons)."""
        if name not in ANALYSES:
            raise KeyError(f"unknown analysis {name!r}; known: {list(ANALYSES)}")
        reasons = [r for t in ANALYSES[name] if (r := self.table(t))]
        return f"The {name} is not built: " + " ".join(reasons) if reasons else None

    def figure(self, name: str) -> str | None:
        """None when the figure of :data:`FIGURES` can be drawn, else why not."""
        if name not in FIGURES:
            raise KeyError(f"unknown figure {name!r}; known: {list(FIGURES)}")
        reasons = [r for t in FIGURES[name] if (r := self.table(t))]
        return " ".join(reasons) or None

    def sentence(self, family: str) -> str | None:
        """None when a family of :data:`SENTENCES` is true of these data, else why it is not shown."""
        if family not in SENTENCES:
            raise KeyError(f"unknown sentence family {family!r}; known: {list(SENTENCES)}")
        need = SENTENCES[family]
        if need == "simulated" and self.level != "simulated":
            return f"'{family}' sentences are true of the simulated panel only"
        if need == "raw" and self.level == "analysis":
            return f"'{family}' sentences describe indices the book computed; the file gives them finished"
        return None

    def summary(self) -> pd.DataFrame:
        """One row per part of Tables 3–10: table, columns, what it estimates, built or not, and why not."""
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
        return pd.DataFrame(rows)

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
        return f"too few observations to estimate equation (1): {len(frame):,} rows, {units} units, {years} years"
    if regressors:
        try:
            within = demean(frame, regressors, ["unit_id", "year"])
            check_rank(within[regressors].to_numpy(dtype=float), regressors, "regressors after unit and year effects")
        except AichainInputError as exc:
            return str(exc).split(". Drop the named")[0].rstrip(".")
    return None


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


def _part_reason(
    part: Part, data: pd.DataFrame, found: dict, memo: _Memo | None = None
) -> tuple[str | None, list[str]]:
    """(reason or None, absent variables) for one part."""
    memo = _Memo() if memo is None else memo
    where = f"Table {part.table} {_columns_text(part.columns)} ({part.label})"
    absent = _absent(part, data, found)
    if absent:
        return f"{where} needs {_join(absent)}; {absence_phrase(absent, absent, found)}.", absent
    for n in part.needs:
        if n in data.columns and data[n].isna().all():
            return f"{where} needs {n}; the file's {n} is empty in every row.", []
    variables = list(dict.fromkeys([*BASE, *part.needs, part.outcome, part.regressor]))
    if any(v not in data.columns for v in [*variables, "unit_id", "year", *([part.group] if part.group else [])]):
        # a check's frame: a variable the book forms later is not a column yet
        return (_levels_reason(part, data, where) if part.group in data.columns else None), []
    in_years = _sample_mask(data, part)
    n_years = _count(data["year"][in_years])
    if part.years == "to2022" and n_years < 2:
        return f"{where} needs at least two years up to 2022; the panel has {n_years}.", []
    if part.years == "after_base" and n_years < 2:
        return f"{where} needs at least two years after the base year (the first); the panel has fewer.", []
    keep = in_years & data[variables].notna().all(axis=1).to_numpy()
    for n in (part.outcome, part.regressor, *part.needs):
        if not _varies(data[n].to_numpy()[keep]):
            return f"{where} needs {n} to vary; on the complete rows it takes one value.", []
    cols = list(dict.fromkeys([*variables, "unit_id", "year", *([part.group] if part.group else [])]))
    rows = memo.rows_key(keep)
    regressors = [part.regressor, *CONTROLS]
    if part.group:
        return _group_reason(part, data.loc[keep, cols], where, memo, rows), []
    short = memo.shortfall((rows, tuple(regressors)), lambda: data.loc[keep, cols], regressors)
    if short:
        return f"{where}: {short}.", []
    if part.table == 4 and part.columns == (5,):
        complete = data.loc[keep, ["unit_id", "year"]]
        lagged = complete["year"] - complete.groupby("unit_id")["year"].shift(1) == 1
        if int(lagged.sum()) <= N_REGRESSORS + 1:
            return f"{where} needs consecutive years of a unit; the panel has {int(lagged.sum())} such pairs.", []
    return None, []


def _levels_reason(part: Part, rows: pd.DataFrame, where: str) -> str | None:
    """Why ``rows`` lack a level the part compares, or None."""
    present = set(rows[part.group].dropna().unique())
    missing = [lv for lv in part.levels if lv not in present]
    if not missing:
        return None
    shown = sorted(str(g) for g in present) or ["no labelled rows"]
    has = f"the file has no rows of {_join(missing)} (it has {_join(shown)})"
    verb = "compares" if len(part.columns) == 1 else "compare"
    return f"{where} {verb} {_join(part.levels)}; {has}."


def _group_reason(part: Part, complete: pd.DataFrame, where: str, memo: _Memo, rows: str) -> str | None:
    if (lacking := _levels_reason(part, complete, where)) is not None:
        return lacking
    small, other = [], []
    regressors = [part.regressor, *CONTROLS]
    for level in part.levels:
        key = (rows, part.group, level, tuple(regressors))
        short = memo.shortfall(key, lambda level=level: complete[complete[part.group] == level], regressors)
        if short and short.startswith("too few"):
            small.append(f"{level} ({short.split(': ', 1)[1]})")
        elif short:
            other.append(f"in the {level} group, {short}")
    if small:
        other.insert(0, f"too few observations to estimate equation (1) in {_join(small)}")
    return f"{where}: " + "; ".join(other) + "." if other else None


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
