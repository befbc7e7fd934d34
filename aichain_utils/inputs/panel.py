"""Data source -> analysis panel: the one place every chapter gets its data from.

Three sources meet in one analysis-panel schema (:func:`aichain_utils.inputs.schema.analysis_panel_schema`):

* **simulated** (default, ``AICHAIN_DATA`` unset): :func:`aichain_utils.simulation.simulate.simulate_panel`
  writes raw inputs and the book computes every index from them;
* a user's **raw-input** file (``AICHAIN_DATA=FILE``, today's layout of :data:`RAW_COLUMNS`): the
  same computation, by the functions of :mod:`aichain_utils.measurement.indices`;
* a user's **analysis-level** file (``AICHAIN_DATA=FILE`` with the finished variables: unit id,
  year, ERL, AIE and the five controls, plus any optional variable): used as given.

The level is recognised from the columns (:mod:`aichain_utils.inputs.datainput`); the file is checked by
the rules of :mod:`aichain_utils.inputs.checks` (``make check-data`` prints the report) and only read.
IV1 (the lag of AIE), the Table 9 region split and the groups are formed here, once, for every
level. ``AICHAIN_DATA`` set but empty is an error, not the simulated panel.

API for chapters
----------------
``ap = load_analysis_panel()`` returns an :class:`AnalysisPanel`:

* ``ap.data``: the panel (every column always present; an absent variable is all missing);
* ``ap.level``: "simulated", "raw" or "analysis"; ``ap.source.label``: the data, in words;
* ``ap.available("FSIE")``: True when the variable can be used;
* ``ap.missing_reason("Table 6")`` or ``ap.missing_reason("FSIE")``: None when it can be built,
  else one sentence saying why not (print it where the table would be);
* ``ap.found["ERL"].status``: "matched", "mapped", "computed" or "absent", with ``.user_column``;
* ``ap.sha256``, ``ap.check`` (the full :class:`~aichain_utils.inputs.datainput.CheckReport`) and
  ``ap.banner``, the sentence the page banner prints.

AIE weights (raw level): entropy weights on the simulated panel, the published Table 1 weights on a
user's file; ``AICHAIN_AIE_WEIGHTS=entropy|published`` switches. The paper prints Table 1's weights
but not how it obtained them: entropy weighting is this book's reading.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from pandera.errors import SchemaErrors

from aichain_utils.inputs import datainput
from aichain_utils.inputs.checks import read_checked, table_reasons, validate_cells
from aichain_utils.inputs.datainput import CheckReport, DataInputError, Found
from aichain_utils.inputs.readings import DEFAULT_READINGS, resolve_readings
from aichain_utils.inputs.schema import (
    FIRST_YEAR,
    LAST_YEAR,
    RAW_COLUMNS,
    TABLE_NEEDS,
    analysis_panel_schema,
    region_split,
)
from aichain_utils.measurement import indices
from aichain_utils.simulation.simulate import AIE_INDICATOR_COLUMNS, ALT_INDICATOR_COLUMNS, load_params, simulate_panel
from aichain_utils.text import Bilingual, bilingual_format

__all__ = [
    "ENV_VAR",
    "FIRST_YEAR",
    "LAST_YEAR",
    "PANEL_COLUMNS",
    "WEIGHTS_VAR",
    "AnalysisPanel",
    "DataInputError",
    "DataSource",
    "RawDataError",
    "aie_weight_method",
    "alternative_aie",
    "banner_text",
    "build_analysis_panel",
    "build_from_finished",
    "data_source",
    "load_analysis_panel",
    "read_raw_file",
    "validate_raw",
]

ENV_VAR = "AICHAIN_DATA"
WEIGHTS_VAR = "AICHAIN_AIE_WEIGHTS"

INDUSTRY_TYPES = ["labour", "capital", "technology", "unclassified"]
CHAIN_POSITIONS = ["front", "middle", "back", "unclassified"]
TECH_LEVELS = ["high", "low"]


class RawDataError(DataInputError):
    """The raw-input file breaks a rule; the message names the column, the rule and rows."""


def _violations_text(report, source: str) -> str:
    errors = report.errors
    return f"{source} breaks {len(errors)} rule(s):\n  " + "\n  ".join(v.text() for v in errors)


def validate_raw(raw: pd.DataFrame, source: str = "raw data") -> pd.DataFrame:
    """Validate a raw-input table and return a typed copy (the input is not modified).

    The rules are those of :mod:`aichain_utils.inputs.checks` at the raw-input level: every column of
    :data:`RAW_COLUMNS` present; ids and year integer; group labels from the allowed sets;
    numeric columns numeric, finite, at most 1e15 in size and non-missing (only ``key_input``
    may be missing); positivity where a formula divides or takes logs (the growth-rate and
    profit indicators of Table 1 may be negative); unique (unit_id, year); each unit in one
    industry and one province; industry type and chain position constant within an industry;
    no constant indicator; at least two industries and two years. Years outside 2013-2023 are
    a warning, not an error.

    Raises
    ------
    RawDataError
        Listing every broken rule, each naming the column, the rule and up to five offending
        rows (0-based positions) with their values.
    """
    if raw.shape[0] == 0:
        raise RawDataError(f"{source}: the table has no rows")
    report = CheckReport(path=Path(source))
    cells = raw.reset_index(drop=True)  # copy-on-write: renaming the columns below leaves ``raw`` as it was
    header = [str(c) for c in cells.columns]
    cells.columns = range(len(header))
    table = validate_cells(header, cells, {}, report, level="raw")
    if not report.ok:
        raise RawDataError(_violations_text(report, source))
    return table[RAW_COLUMNS]  # a new frame (copy-on-write): no second copy of a large panel


def read_raw_file(path: str | Path, encoding: str | None = None) -> pd.DataFrame:
    """Read and validate a raw-input file (any format of :func:`aichain_utils.inputs.checks.read_checked`).

    Parameters
    ----------
    path : str or Path
    encoding : str, optional
        Text encoding of a CSV; detected when omitted (UTF-8, UTF-16, GB18030).

    Raises
    ------
    RawDataError
        For a missing, empty or unreadable file, or any rule of :func:`validate_raw`.
    """
    path = Path(path)
    report = CheckReport(path=path)
    try:
        if not path.is_file():
            raise RawDataError(f"{path}: no such file (set {ENV_VAR} to the data file)")
        if path.stat().st_size == 0:
            raise RawDataError(f"{path}: the file is empty")
        header, cells = datainput.read_cells(path, report, encoding=encoding)
    except DataInputError as exc:
        raise RawDataError(str(exc)) from None
    if len(cells) == 0:
        raise RawDataError(f"{path}: the table has no rows")
    table = validate_cells(header, cells, {}, report, level="raw")
    if not report.ok:
        raise RawDataError(_violations_text(report, str(path)))
    return table[RAW_COLUMNS].copy()


# --------------------------------------------------------------------------- data source
@dataclass(frozen=True)
class DataSource:
    """Which data the book is built from.

    ``kind`` is "simulated" or "licensed" (a user's file); ``level`` is "simulated", "analysis"
    (finished variables), "raw" (raw inputs) or "unknown" (the columns match neither level: the
    check says why); ``sha256`` is the file's full digest.
    """

    kind: str
    path: Path | None
    label: str
    fingerprint: str
    level: str = "simulated"
    sha256: str | None = None

    @property
    def is_simulated(self) -> bool:
        return self.kind == "simulated"


_LEVEL_TEXT = {
    "analysis": "your finished variables in {name}",
    "raw": "your raw inputs in {name}",
    "unknown": "your data file {name} (level not recognised: run make check-data)",
}


def data_source() -> DataSource:
    """The data source in force: ``AICHAIN_DATA`` if set, else the simulated panel.

    A relative path is relative to the directory ``make`` was run from (``AICHAIN_CWD``).

    Raises
    ------
    DataInputError
        When ``AICHAIN_DATA`` is set but empty (unset it for the simulated panel).
    """
    value = os.environ.get(ENV_VAR)
    if value is not None:
        path = datainput.resolve_user_path(value)
        digest = datainput.file_sha256(path) if path.is_file() else None
        level = _sniff_level(path) if digest else "unknown"
        short = digest[:12] if digest else "missing"
        label = f"{_LEVEL_TEXT[level].format(name=path.name)}, sha256 {short}"
        return DataSource("licensed", path, label, short, level, digest)
    params = load_params()
    from aichain_utils.simulation.simulate import default_params_path

    digest = datainput.file_sha256(default_params_path())[:12]
    label = f"the simulated panel (data/simulation/params.yml, seed {params['seed']}, sha256 {digest})"
    return DataSource("simulated", None, label, digest)


def banner_text(source=None) -> str:
    """The sentence a page's data banner prints for a data source (default: the one in force).

    Simulated: that the estimates come from simulated data. A user's file: the level and the
    file, e.g. "Built from your finished variables in panel.dta, sha256 0123456789ab." (the
    label of :func:`aichain_utils.inputs.panel.data_source`).
    """
    if source is None:
        source = data_source()
    if source.is_simulated:
        return (
            f"Built from {source.label}. The paper's data are proprietary: every estimate in this book is "
            "computed on simulated data, one draw of a world calibrated to the paper, and is no evidence about "
            "the paper's claims. Whether the code computes what it says is checked against outside programs "
            "(appendix \u201cValidating the estimators\u201d); whether the paper's design could have produced its "
            "numbers is judged by the closest world's sampling distribution (\u201cReplication at a glance\u201d)."
        )
    return f"Built from {source.label}."


def _sniff_level(path: Path) -> str:
    stat = path.stat()
    return _sniff_level_cached(str(path), stat.st_mtime_ns, stat.st_size, os.environ.get(datainput.COLUMNS_VAR, ""))


@lru_cache(maxsize=16)
def _sniff_level_cached(path: str, mtime: int, size: int, columns: str) -> str:
    """The level recognised from the header alone (cached: the banner asks once per page)."""
    try:
        header = datainput.read_header(Path(path))
        level = datainput.detect_level(header, datainput.load_column_map(columns))[0]
    except DataInputError:
        return "unknown"
    return level or "unknown"


def aie_weight_method(requested: str | np.ndarray | None, source: DataSource) -> str | np.ndarray:
    """The AIE weights to use: the argument, else ``AICHAIN_AIE_WEIGHTS``, else the default.

    The paper prints Table 1's weights but not how it obtained them; entropy weighting is this
    book's reading. Default: entropy weights on the simulated panel (its DGP is built around
    them), the published Table 1 weights on a user's data.
    """
    if requested is not None:
        return requested
    env = os.environ.get(WEIGHTS_VAR, "").strip().lower()
    if env:
        if env not in ("entropy", "published"):
            raise DataInputError(f"{WEIGHTS_VAR}={env}: must be 'entropy' or 'published'")
        return env
    return "entropy" if source.is_simulated else "published"


# --------------------------------------------------------------------------- alternative AIE
#: Table 5 column (1): the five dimensions of the alternative AIE index.
ALT_DIMENSIONS = ["数智创新资源", "数智知识创造", "数智企业创新", "数智创新绩效", "数智创新环境"]


def alternative_aie(indicators: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Alternative AIE of Table 5 column (1): five dimensions, summed.

    The paper names the five dimensions (digital-intelligence innovation resources,
    knowledge creation, enterprise innovation, innovation performance, innovation
    environment) but not their indicators or aggregation. Reading: two indicators per
    dimension (columns ``alt_1a, alt_1b, ..., alt_5b``), an entropy-weighted score in
    [0, 1] within each dimension, and the index as the **sum** of the five dimension
    scores (range 0-5). A sum rather than a weighted mean is what makes the published
    coefficient (0.095) an order of magnitude below the AIE coefficient possible.

    Returns
    -------
    index : Series
    weights : Series
        Within-dimension entropy weights of the ten indicators.
    """
    total = pd.Series(0.0, index=indicators.index)
    weights = []
    for k in range(1, 6):
        cols = [f"alt_{k}a", f"alt_{k}b"]
        score, w = indices.entropy_index(indicators[cols], ["+", "+"])
        total = total + score
        weights.append(w)
    return total, pd.concat(weights)


# --------------------------------------------------------------------------- analysis panel
@dataclass
class AnalysisPanel:
    """The regression-ready panel and what went into it.

    Attributes
    ----------
    data : DataFrame
        One row per unit-year with every variable of the paper's tables (the columns of
        :func:`aichain_utils.inputs.schema.analysis_panel_schema`); a variable the data lack is a
        column of missing values, and :meth:`available` says so.
    aie_weights, alt_weights : Series
        Weights used for AIE (24) and the alternative AIE (10); empty at the analysis level.
    source : DataSource
        Where the data came from.
    notes : list of str
        What the builder did that a reader should know (e.g. rows with missing ITSE), each a
        :class:`~aichain_utils.text.Bilingual` (the Chinese edition shows its Chinese).
    level : str
        "simulated", "raw" (the book computed every index) or "analysis" (finished variables).
    found : dict
        Book's variable -> :class:`aichain_utils.inputs.datainput.Found` (status "matched", "mapped",
        "computed" or "absent", and the user's column name).
    sha256 : str or None
        Digest of the user's file (None for the simulated panel).
    check : CheckReport or None
        The full check report of the user's file.
    readings : dict
        The readings of the paper's formulas the indices were built with (see
        :mod:`aichain_utils.inputs.readings`); empty at the analysis level, where the indices are the user's.
    """

    data: pd.DataFrame
    aie_weights: pd.Series
    alt_weights: pd.Series
    source: DataSource | None = None
    notes: list[str] = field(default_factory=list)
    level: str = "simulated"
    found: dict = field(default_factory=dict)
    sha256: str | None = None
    check: CheckReport | None = None
    readings: dict = field(default_factory=lambda: dict(DEFAULT_READINGS))

    def available(self, name: str) -> bool:
        """Whether a variable (book's name) can be used: found or computed, and not empty.

        ``"aie_indicators"`` (Table 1's 24 indicators) is available only at the raw level.
        """
        return self.missing_reason(name) is None

    def missing_reason(self, name: str) -> str | None:
        """None when a variable or a table ("Table 6") can be built, else a sentence saying why not (a
        :class:`~aichain_utils.text.Bilingual`: its English, and its Chinese for the Chinese edition).

        For a table, the sentence names every part that cannot be built, e.g. "Table 10 needs LCV
        and WCV; the file has neither"; a chapter prints it where the table would be. Tables 3-10 are
        decided by :mod:`aichain_utils.inputs.availability` (columns and shape), Tables 1-2 by the check.
        """
        if name.startswith("Table "):
            if name not in TABLE_NEEDS:
                raise KeyError(f"unknown table {name!r}; known: {list(TABLE_NEEDS)}")
            if name not in ("Table 1", "Table 2"):  # Tables 3-10: decided, column by column, in one place
                from aichain_utils.inputs.availability import table_reason

                return table_reason(self, int(name.split()[1]))
            return table_reasons(self._found_all(), self.level, self.data)[name]
        if name == "aie_indicators":
            ok = self.level in ("raw", "simulated")
            return None if ok else _say("indicators")
        f = self._found_all().get(name)
        path = self.source.path if self.source and self.source.path else None
        file = path.name if path else Bilingual("the data", "数据")
        if f is not None and f.status == "absent" and f.user_column:  # in the file, but unusable (the check says why)
            from aichain_utils.inputs.availability import unusable_phrase

            return unusable_phrase(name, f)
        if f is not None and f.status == "absent":
            return _say("absent", name=name, file=file)
        if name not in self.data.columns:
            raise KeyError(f"unknown variable {name!r}")
        if self.data[name].isna().all():
            return _say("empty", name=name, file=file)
        return None

    def _found_all(self) -> dict:
        if self.found:
            return self.found
        return {c: Found("computed") for c in self.data.columns}

    @property
    def banner(self) -> str:
        """One sentence naming the data this panel was built from (for a page's banner)."""
        return banner_text(self.source)


#: The panel's sentences about a variable (:meth:`AnalysisPanel.missing_reason`) and the builder's notes
#: (:attr:`AnalysisPanel.notes`), in English and Chinese, filled from the same values (:func:`_say`).
SENTENCES: dict[str, dict[str, str]] = {
    "indicators": {
        "en": "the 24 AIE indicators of Table 1 need a raw-input file; the file gives AIE itself",
        "zh": "表 1 的 24 项 AIE 指标需要原始输入数据文件；该文件直接给出了 AIE",
    },
    "absent": {
        "en": "{name} is absent: {file} has no column for it (add it, or map yours with AICHAIN_COLUMNS)",
        "zh": "{name} 缺失：{file} 中没有它的列（请添加该列，或用 AICHAIN_COLUMNS 的列名映射指明您的列）",
    },
    "empty": {"en": "{name} is missing in every row of {file}", "zh": "{name} 在 {file} 的每一行都缺失"},
    "itse": {
        "en": "ITSE is missing in {n} rows (its input key_input is missing).",
        "zh": "ITSE 在 {n} 行中缺失（其输入 key_input 缺失）。",
    },
    "lcv": {
        "en": "LCV is undefined in each unit's base year: {n} rows.",
        "zh": "LCV 在每个个体的基期没有定义：共 {n} 行。",
    },
    "iv1": {
        "en": "IV1 (lagged AIE) is undefined in each unit's first year: {n} rows.",
        "zh": "IV1（滞后一期的 AIE）在每个个体的第一年没有定义：共 {n} 行。",
    },
    "iv1_gaps": {
        "en": "IV1 (lagged AIE) is undefined in {n} rows: each unit's first year ({first}) "
        "and the years that follow a gap in the unit's years ({gap}).",
        "zh": "IV1（滞后一期的 AIE）在 {n} 行中没有定义：每个个体的第一年（{first} 行），"
        "以及个体年份中断之后的年份（{gap} 行）。",
    },
    "readings": {"en": "Readings other than the defaults: {readings}.", "zh": "非默认的解读：{readings}。"},
    "upsilon": {
        "en": "ERL uses FSIE and ITSE as Upsilon_M and Upsilon_I: missing in {n} rows.",
        "zh": "ERL 以 FSIE 和 ITSE 作为 Upsilon_M 和 Upsilon_I：在 {n} 行中缺失。",
    },
    "no_industry": {
        "en": "The file has no industry column: each unit is its own industry.",
        "zh": "文件中没有行业列：每个个体各自构成一个行业。",
    },
    "iv1_finished": {
        "en": "IV1 is AIE of the previous year: undefined in {n} rows.",
        "zh": "IV1 是上一年的 AIE：在 {n} 行中没有定义。",
    },
    "file_missing": {"en": "{name} is missing in {n} rows of the file.", "zh": "{name} 在文件的 {n} 行中缺失。"},
    "weights": {
        "en": "AIE weights: {method} (AICHAIN_AIE_WEIGHTS=entropy|published switches them).",
        "zh": "AIE 权重：{method}（可用 AICHAIN_AIE_WEIGHTS=entropy|published 切换）。",
    },
}
#: The AIE weighting methods a note names, in Chinese (the glossary's 熵权法; 公布的 Table 1 weights).
WEIGHT_METHODS_ZH = {"entropy": "熵权法", "published": "公布的表 1 权重", "given": "给定的权重"}


def _say(key: str, **values) -> Bilingual:
    """One sentence of :data:`SENTENCES`, in English and Chinese, from the same values."""
    return bilingual_format(SENTENCES[key], f"the panel's sentence {key!r}", **values)


def _rows(n) -> str:
    """A count of rows as the notes print it ("1,234"), the same in both languages."""
    return f"{int(n):,}"


def _lag_iv1(out: pd.DataFrame) -> pd.Series:
    """IV1 of Table 4: the unit's AIE of the previous calendar year (missing after a gap)."""
    prev_year = out.groupby("unit_id")["year"].shift(1)
    lag = out.groupby("unit_id")["AIE"].shift(1)
    return lag.where(prev_year == out["year"] - 1)


def _iv1_note(out: pd.DataFrame) -> str:
    """Where IV1 is undefined: each unit's first year, and (unbalanced panels) the years after a gap."""
    prev = out.groupby("unit_id")["year"].shift(1)
    n_first, n_gap = int(prev.isna().sum()), int((prev.notna() & (prev != out["year"] - 1)).sum())
    if not n_gap:
        return _say("iv1", n=_rows(n_first))
    return _say("iv1_gaps", n=_rows(n_first + n_gap), first=_rows(n_first), gap=_rows(n_gap))


def _sorted_panel(data: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by unit and year; a panel already in that order is not copied again (it is the
    same order: (unit_id, year) pairs are unique, :func:`validate_raw` checks it)."""
    unit, year = data["unit_id"].to_numpy(), data["year"].to_numpy()
    step_unit, step_year = np.diff(unit), np.diff(year)
    if np.all((step_unit > 0) | ((step_unit == 0) & (step_year > 0))):
        return data.reset_index(drop=True)
    return data.sort_values(["unit_id", "year"]).reset_index(drop=True)


def build_analysis_panel(
    raw: pd.DataFrame,
    aie_weights: str | np.ndarray = "entropy",
    source: DataSource | None = None,
    readings: dict | None = None,
) -> AnalysisPanel:
    """Compute every regression variable from validated raw inputs.

    Parameters
    ----------
    raw : DataFrame
        Raw inputs with the columns of :data:`RAW_COLUMNS` (validated again here).
    aie_weights : "entropy", "published" or array of 24 weights
        ``"entropy"`` computes entropy weights from the data (this book's reading: the paper
        prints Table 1's weights but not how it obtained them); ``"published"`` uses the Table 1
        weights from ``data/published/``.
    source : DataSource, optional
        Recorded in the result.
    readings : dict, optional
        Alternative readings of the paper's formulas, e.g. ``{"fsie_aggregation": "gini"}``; the
        switches, their values and defaults are in ``data/published/equations.yml``
        (:data:`aichain_utils.inputs.readings.READING_CHOICES`). With ``{"upsilon": "mediators"}`` the
        Upsilon_M and Upsilon_I of equations (6)-(8) are FSIE and ITSE themselves, so ERL is
        missing where ITSE is.

    Returns
    -------
    AnalysisPanel
        No row is dropped: variables that are undefined for a row (ITSE where its input is
        missing, LCV in a unit's base year, IV1 in the first year) are NaN, and ``notes``
        says how many.
    """
    rd = resolve_readings(readings)
    data = _sorted_panel(validate_raw(raw))
    out = data[
        ["unit_id", "industry_id", "province_id", "year", "industry_type", "chain_position", "tech_level"]
    ].copy()
    # AIE (Table 1) and the alternative index (Table 5 col 1)
    weights, signs = _aie_weights(aie_weights)
    out["AIE"], w_aie = indices.entropy_index(data[AIE_INDICATOR_COLUMNS], signs, weights)
    out["AIE_alt"], w_alt = alternative_aie(data[ALT_INDICATOR_COLUMNS])
    _mediator_block(out, data, rd)
    _erl_block(out, data, rd)
    _control_block(out, data, rd)
    _instrument_block(out, data)
    _value_block(out, data, rd)
    # groups of Tables 7-9
    out["region"], region_note = region_split(data["province_id"], data["factor_market_index"])
    level = "simulated" if source is None or source.is_simulated else "raw"
    return AnalysisPanel(out, w_aie, w_alt, source, _build_notes(out, rd, region_note), level=level, readings=rd)


def _aie_weights(aie_weights: str | np.ndarray) -> tuple[np.ndarray | None, list[str]]:
    """The 24 AIE weights (None: entropy weights from the data) and the indicators' signs."""
    if isinstance(aie_weights, str) and aie_weights == "published":
        from aichain_utils.inputs.published import load_table1

        t1 = load_table1()
        return t1["weight"].to_numpy(), t1["sign"].tolist()
    if isinstance(aie_weights, str) and aie_weights == "entropy":
        return None, ["+"] * 24
    return np.asarray(aie_weights, dtype=float), ["+"] * 24


def _control_block(out: pd.DataFrame, data: pd.DataFrame, rd: dict) -> None:
    """The controls (section 四.2(4)): imp, exp = trade over the industry's output (our reading of 与GDP的比值)."""
    trade_scale = 100.0 if rd["trade_scale"] == "percent" else 1.0
    out["lngdp"] = np.log(data["output"])
    out["imp"] = trade_scale * data["imports"] / data["output"]
    out["exp"] = trade_scale * data["exports"] / data["output"]
    out["inst"] = data["freedom_index"]
    out["tra"] = indices.tra_from_lpi(data["lpi"])  # a reading: LPI score rescaled to [0, 1]


def _instrument_block(out: pd.DataFrame, data: pd.DataFrame) -> None:
    """The instruments of Table 4 (section 五.2); IV1 needs AIE in ``out``."""
    out["IV1"] = _lag_iv1(out)
    out["IV2"] = np.log1p(data["ai_papers"])
    out["IV3"] = np.log(data["post_offices_1984"] * data["broadband_ports"])
    out["IV4"] = np.log(data["fixed_phones"] * data["cable_density"])


def _value_block(out: pd.DataFrame, data: pd.DataFrame, rd: dict) -> None:
    """Value extension, equations (16)-(18): VCE, the chain's length LCV and width WCV."""
    vce = indices.value_conversion_efficiency(
        data["value_efficacy"],
        data["crossborder_synergy"],
        data["rd_cost"],
        data["iceberg_cost"],
        interaction_cost=data["interaction_cost"] if rd["vce_cost"] == "interaction_cost" else None,
    )
    out["VCE"] = vce
    out["LCV"] = indices.lcv(vce, data["unit_id"], data["year"], form=rd["lcv_form"], base=rd["lcv_base"])
    wcv_c = data["synergy_coef"] if rd["wcv_c"] == "synergy" else data["spillover"]
    out["WCV"] = indices.wcv(data["value_efficacy"], wcv_c, data["y_front"], data["y_final"], data["robots"])


def _build_notes(out: pd.DataFrame, rd: dict, region_note: str) -> list[str]:
    """What the panel builder says about the rows where a variable is undefined, and the readings used."""
    notes = [
        _say("itse", n=_rows(out["ITSE"].isna().sum())),
        _say("lcv", n=_rows(out["LCV"].isna().sum())),
        _iv1_note(out),
        region_note,
    ]
    changed = {k: v for k, v in rd.items() if v != DEFAULT_READINGS[k]}
    if changed:
        readings = ", ".join(f"{k}={v}" for k, v in changed.items())
        notes.append(_say("readings", readings=Bilingual(readings, readings.replace(", ", "，"))))
    if rd["upsilon"] == "mediators":
        notes.append(_say("upsilon", n=_rows(out["ERL"].isna().sum())))
    return notes


def _erl_block(out: pd.DataFrame, data: pd.DataFrame, rd: dict) -> None:
    """ERL and its three segments, equations (6)-(9), under the readings ``upsilon`` and ``inter_numerator``.

    ``upsilon="independent"``: Upsilon_M, Upsilon_I are the raw inputs ``ups_m``, ``ups_i`` (which
    (10) and (12) also use); ``"mediators"``: they are the FSIE and ITSE just built (the names the
    symbol list after (8) gives them), so ERL contains the mediators by construction.
    """
    if rd["upsilon"] == "mediators":
        ups_m, ups_i = out["FSIE"], out["ITSE"]
    else:
        ups_m, ups_i = data["ups_m"], data["ups_i"]
    common = {"rd_cost": data["rd_cost"], "iceberg_cost": data["iceberg_cost"], "ups_m": ups_m, "ups_i": ups_i}
    kappa = data["rd_efficiency"] if rd["inter_numerator"] == "kappa_a_theta" else None
    out["ELRI_front"] = indices.elri_front(
        data["robots"], data["data_density"], theta_front=data["theta_front"], **common
    )
    out["ELRI_inter"] = indices.elri_inter(kappa, data["circulation_rate"], data["crossborder_synergy"], **common)
    out["ELRI_back"] = indices.elri_back(
        data["stuck_nodes"], data["spillover"], theta_back=data["theta_back"], **common
    )
    out["ERL"] = indices.erl(out["ELRI_front"], out["ELRI_inter"], out["ELRI_back"])


def _mediator_block(out: pd.DataFrame, data: pd.DataFrame, rd: dict) -> None:
    """FSIE, equations (10)-(11), and ITSE with its forward and backward parts, (12)-(15)."""
    group = [data["industry_id"], data["year"]]
    front_total = data["y_front"].groupby(group).transform("sum")
    final_total = data["y_final"].groupby(group).transform("sum")
    for seg in ("front", "inter", "back"):
        out[f"IA_{seg}"] = indices.agglomeration_index(
            data["ups_m"], data[f"y_{seg}"], data["y_final"], front_total, final_total, rd["ia_denominator"]
        )
    out["FSIE"] = indices.fsie(
        out["IA_front"], out["IA_inter"], out["IA_back"], group=group, aggregation=rd["fsie_aggregation"]
    )
    for seg in ("front", "inter", "back"):
        out[f"NSC_{seg}"] = indices.nsc(
            data["ups_i"], data["synergy_coef"], data[f"y_{seg}"], data["y_final"], data["interaction_cost"]
        )
    out["ITSE"] = indices.itse(
        data["key_input"],
        data["output_elasticity"],
        data["loss_coef"],
        out["NSC_front"],
        out["NSC_inter"],
        out["NSC_back"],
    )
    out["ITSE_forward"], out["ITSE_backward"] = indices.itse_forward_backward_shares(
        data["synergy_out"], data["synergy_in"], data["synergy_coef"], group, orientation=rd["itse_orientation"]
    )


#: The analysis panel's columns, in the order of the panel built from raw inputs.
PANEL_COLUMNS = [
    "unit_id", "industry_id", "province_id", "year", "industry_type", "chain_position", "tech_level",
    "AIE", "AIE_alt", "ELRI_front", "ELRI_inter", "ELRI_back", "ERL", "IA_front", "IA_inter", "IA_back",
    "FSIE", "NSC_front", "NSC_inter", "NSC_back", "ITSE", "ITSE_forward", "ITSE_backward",
    "lngdp", "imp", "exp", "inst", "tra", "IV1", "IV2", "IV3", "IV4", "VCE", "LCV", "WCV", "region",
]  # fmt: skip


def build_from_finished(
    table: pd.DataFrame, source: DataSource | None = None, found: dict | None = None
) -> AnalysisPanel:
    """The analysis panel from an analysis-level table (the user's finished variables, book names).

    The industry is the unit when the table has no ``industry_id``; IV1 is the lag of AIE and the
    Table 9 region split is formed from ``province_id`` and ``factor_market_index`` when the table
    does not give them, by the same functions as at the raw level. Variables the table lacks are
    columns of missing values. No row is dropped.
    """
    t = table.sort_values(["unit_id", "year"]).reset_index(drop=True)
    out = pd.DataFrame(index=t.index)
    notes = []
    for col in PANEL_COLUMNS:
        if col in t:
            out[col] = t[col]
        elif col == "industry_id":
            out[col] = t["unit_id"]
            notes.append(_say("no_industry"))
        elif col == "province_id":
            out[col] = pd.array([pd.NA] * len(t), dtype="Int64")
        elif col in ("industry_type", "chain_position", "tech_level", "region"):
            out[col] = pd.Series([None] * len(t), index=t.index, dtype=object)
        else:
            out[col] = np.nan
    if "IV1" not in t:
        out["IV1"] = _lag_iv1(out)
        notes.append(_say("iv1_finished", n=_rows(out["IV1"].isna().sum())))
    if "region" not in t and {"province_id", "factor_market_index"} <= set(t.columns):
        out["region"], note = region_split(t["province_id"], t["factor_market_index"])
        notes.append(note)
    for col in ("ITSE", "LCV"):
        if col in t and t[col].isna().any():
            notes.append(_say("file_missing", name=col, n=_rows(t[col].isna().sum())))
    empty = pd.Series(dtype=float, name="weight")
    return AnalysisPanel(
        out, empty, empty.copy(), source, notes, level="analysis", found=found or {}, readings={}
    )  # the user's finished indices: no reading of ours applies


def load_analysis_panel(aie_weights: str | np.ndarray | None = None, readings: dict | None = None) -> AnalysisPanel:
    """The analysis panel of the data source in force (see :func:`data_source`).

    Both input levels meet here in one schema (:func:`aichain_utils.inputs.schema.analysis_panel_schema`).

    Parameters
    ----------
    aie_weights : "entropy", "published", array of 24, or None
        Raw level only. None: ``AICHAIN_AIE_WEIGHTS`` if set, else entropy weights on the simulated
        panel and the published Table 1 weights on a user's file (see :func:`aie_weight_method`).
    readings : dict, optional
        Raw level only: alternative readings of the paper's formulas (see :func:`build_analysis_panel`).

    Within a book build (``tools/preexecute.py`` sets ``AICHAIN_PANEL_CACHE`` to a folder named by the
    fingerprint of every input of the build), the panel is built once and read by every chapter.

    Raises
    ------
    DataInputError
        When the user's file fails the check; the message is the full check report.
    """
    source = data_source()
    weights = aie_weight_method(aie_weights, source)
    return _shared_across_chapters(weights, readings, lambda: _load(source, weights, readings))


def _load(source: DataSource, weights: str | np.ndarray, readings: dict | None) -> AnalysisPanel:
    if source.is_simulated:
        return build_analysis_panel(simulate_panel().raw, aie_weights=weights, source=source, readings=readings)
    report, table = read_checked(source.path)
    if not report.ok:
        raise DataInputError(report.render())
    if report.level == "raw":
        built = build_analysis_panel(table[RAW_COLUMNS], aie_weights=weights, source=source, readings=readings)
        built.level, built.found = "raw", report.found
        method = weights if isinstance(weights, str) else "given"
        built.notes.append(_say("weights", method=Bilingual(method, WEIGHT_METHODS_ZH[method])))
    else:
        built = build_from_finished(table, source, report.found)
    built.sha256, built.check = report.sha256, report
    try:
        analysis_panel_schema().validate(built.data, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases.head(10)[["column", "check", "index", "failure_case"]]
        raise DataInputError(f"{source.path}: the built panel breaks the analysis-panel schema:\n{cases}") from None
    return built


#: A folder named by the build's inputs fingerprint (:func:`aichain_utils.book.buildstate.inputs_fingerprint`),
#: set by ``tools/preexecute.py`` for the chapters it runs: a panel built there is reused by the others.
CACHE_VAR = "AICHAIN_PANEL_CACHE"


def _read_shared(path: Path) -> AnalysisPanel | None:
    """The panel pickled at ``path`` by this package in this build folder, or None (after removing the
    file) when it cannot be read back as a panel: a damaged or truncated file is rebuilt, never used."""
    try:
        cached = pickle.loads(path.read_bytes())
    except Exception:  # any unpickling failure (EOFError, UnpicklingError, a moved class...) means rebuild
        cached = None
    if isinstance(cached, AnalysisPanel):
        return cached
    path.unlink(missing_ok=True)
    return None


def _shared_across_chapters(weights, readings: dict | None, build) -> AnalysisPanel:
    """``build()``, or the panel the same build already made with the same arguments.

    The folder's name holds the fingerprint of the package, ``data/``, the environment and the data
    file, so a panel is read only by chapters built from exactly the inputs it was made from; the
    file's name holds the arguments (weights, readings). Written atomically (two chapters run at once).
    """
    folder = os.environ.get(CACHE_VAR)
    if not folder:
        return build()
    given = weights if isinstance(weights, str) else np.asarray(weights, dtype=float).tobytes().hex()
    key = hashlib.sha256(repr((given, sorted((readings or {}).items()))).encode()).hexdigest()[:20]
    path = Path(folder) / f"panel-{key}.pickle"
    if path.is_file():
        cached = _read_shared(path)
        if cached is not None:
            return cached
    built = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)
    return built
