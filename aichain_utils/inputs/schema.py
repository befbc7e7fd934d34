"""The book's variables, their names and rules: one specification for the two input levels.

A replicator supplies either

* an **analysis-level** file: the paper's finished regression variables, one row per unit and
  year (:data:`ANALYSIS_VARIABLES`), or
* a **raw-input** file: the inputs of equations (6)-(18) and the 24 + 10 indicators of Tables 1
  and 5, from which the book computes every index (:data:`RAW_VARIABLES`).

Both levels end in the same analysis panel, validated by :func:`analysis_panel_schema`. Every
rule a user's file is checked against, the templates in ``data/templates/`` and the data
dictionary are generated from these lists, so the three cannot disagree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import pandera.pandas as pa

from aichain_utils.simulation.simulate import AIE_INDICATOR_COLUMNS, ALT_INDICATOR_COLUMNS
from aichain_utils.text import bilingual_format

__all__ = [
    "ANALYSIS_VARIABLES",
    "CONTROLS",
    "DEVELOPED_SHARE",
    "FIRST_YEAR",
    "GROUP_LABELS",
    "LAST_YEAR",
    "MAX_ABS",
    "NEGATIVE_ALLOWED_INDICATORS",
    "RAW_COLUMNS",
    "RAW_COLUMN_DOCS",
    "RAW_VARIABLES",
    "TABLE_NEEDS",
    "Variable",
    "analysis_panel_schema",
    "data_dictionary",
    "normalise_name",
    "region_split",
    "variable",
]

FIRST_YEAR, LAST_YEAR = 2013, 2023  # the paper's sample period (a choice: other years are a warning)
MAX_ABS = 1e15  # larger magnitudes overflow the products of equations (6)-(18) or lose all precision
CONTROLS = ["lngdp", "imp", "exp", "inst", "tra"]

#: Allowed group labels, with the spellings recognised for each (case-insensitive).
GROUP_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "industry_type": {
        "labour": ("labour", "labor", "labour-intensive", "labor-intensive", "劳动密集型", "劳动密集"),
        "capital": ("capital", "capital-intensive", "资本密集型", "资本密集"),
        "technology": ("technology", "technology-intensive", "技术密集型", "技术密集"),
        "unclassified": ("unclassified", "other", "未分类", "其他"),
    },
    "chain_position": {
        "front": ("front", "upstream", "前端", "上游"),
        "middle": ("middle", "midstream", "中端", "中游"),
        "back": ("back", "downstream", "后端", "下游"),
        "unclassified": ("unclassified", "other", "未分类", "其他"),
    },
    "tech_level": {
        "high": ("high", "high-tech", "高技术", "高"),
        "low": ("low", "low-tech", "低技术", "低"),
    },
    "region": {
        "developed": ("developed", "要素市场发达地区", "发达地区", "发达"),
        "other": ("other", "other regions", "其他地区", "欠发达地区", "其他"),
    },
}


@dataclass(frozen=True)
class Variable:
    """One column the book reads.

    Attributes
    ----------
    name : str
        The book's name (the analysis panel's column).
    zh : str
        Chinese name, as the paper or ``data/glossary.csv`` prints it.
    meaning, unit : str
        What it measures and in which unit.
    kind : {"id", "year", "number", "label"}
    required : bool
        Whether a file of this level must have the column.
    lower : float or None
        Lower bound; ``strict`` makes it exclusive (a formula divides by it or takes its log).
    nullable : bool
        Whether a cell may be empty (the variable is then missing for that row, never imputed).
    tables : str
        Which of the paper's tables use it.
    aliases : tuple of str
        Other names recognised for the column (Stata-style, Chinese), besides ``name`` and ``zh``.
    """

    name: str
    zh: str
    meaning: str
    unit: str = ""
    kind: str = "number"
    required: bool = False
    lower: float | None = None
    strict: bool = False
    upper: float | None = None
    nullable: bool = True
    tables: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def rule(self) -> str:
        """The rule in words, as the check report and the templates print it."""
        parts = []
        if self.kind == "id":
            parts.append("integer id or text code; constant within a unit where it groups units")
        elif self.kind == "year":
            parts.append(f"integer year (the paper: {FIRST_YEAR}-{LAST_YEAR}; others give a warning)")
        elif self.kind == "label":
            parts.append("one of " + ", ".join(GROUP_LABELS[self.name]))
        else:
            parts.append("number, finite, |x| <= 1e15, no text tokens (#N/A, '.', 1,234, 5%, 3,5)")
            if self.lower is not None:
                parts.append(f"{'>' if self.strict else '>='} {self.lower:g}")
            if self.upper is not None:
                parts.append(f"<= {self.upper:g}")
        parts.append("required, never empty" if self.required else ("may be empty" if self.nullable else "optional"))
        return "; ".join(parts)


def _v(name, zh, meaning, unit="", **kw) -> Variable:
    return Variable(name, zh, meaning, unit, **kw)


#: The analysis-level file: the paper's finished variables (section 四 and Tables 2-10).
ANALYSIS_VARIABLES: list[Variable] = [
    _v("unit_id", "观测单元", "observation unit (innovation-chain node); without industry_id the unit is the industry",
       kind="id", required=True, nullable=False, tables="all",
       aliases=("unit", "id", "unitid", "node", "node_id", "单元", "单元编号", "节点", "个体", "个体编号", "code")),
    _v("industry_id", "行业", "industry of the unit (fixed effects, clusters); optional", kind="id",
       nullable=False, tables="3-10 (clusters, industry dummies)",
       aliases=("industry", "ind", "indid", "ind_id", "industry_code", "行业代码", "行业编号", "产业")),
    _v("year", "年份", "calendar year", kind="year", required=True, nullable=False, tables="all",
       aliases=("yr", "t", "time", "年度", "年")),
    _v("ERL", "创新链布局重构效能", "layout reconstruction effectiveness, equation (9): the outcome", "index",
       required=True, nullable=False, tables="2-9", aliases=("erl", "erl_total", "布局重构效能")),
    _v("AIE", "人工智能嵌入程度", "AI embedding, the Table 1 composite (in [0, 1] when min-max based)", "index",
       required=True, nullable=False, tables="1-10", aliases=("ai_embed", "aiembed", "ai_embedding", "人工智能嵌入")),
    _v("lngdp", "经济规模", "economic scale: log of industry output", "log yuan", required=True,
       nullable=False, tables="2-10 (control)", aliases=("ln_gdp", "lnoutput", "scale")),
    _v("imp", "进口依存度", "import dependence: imports / output", "percent", required=True, nullable=False,
       lower=0, tables="2-10 (control)", aliases=("import", "imports_share", "importdep")),
    _v("exp", "出口依存度", "export dependence: exports / output", "percent", required=True, nullable=False,
       lower=0, tables="2-10 (control)", aliases=("export", "exports_share", "exportdep")),
    _v("inst", "制度环境", "institutional environment: economic-freedom index", "index", required=True,
       nullable=False, tables="2-10 (control)", aliases=("institution", "institutions")),
    _v("tra", "基础设施建设", "infrastructure: logistics performance index", "index", required=True,
       nullable=False, tables="2-10 (control)", aliases=("infra", "infrastructure", "基础设施")),
    _v("FSIE", "要素空间融合效率", "factor spatial integration efficiency, equation (11): a mediator", "index",
       lower=0, tables="2, 6", aliases=("fsie",)),
    _v("ITSE", "产业技术协同效率", "industrial technology synergy efficiency, equation (13)", "index",
       tables="2, 6", aliases=("itse",)),
    _v("ITSE_forward", "前向产业技术协同效率", "forward technology synergy, equation (14)", "share",
       tables="6", aliases=("itse_f", "itsef", "forward_itse", "itse_fwd", "前向协同")),
    _v("ITSE_backward", "后向产业技术协同效率", "backward technology synergy, equation (15)", "share",
       tables="6", aliases=("itse_b", "itseb", "backward_itse", "itse_bwd", "后向协同")),
    _v("ELRI_front", "创新链前端布局重构效能", "front-end layout index, equation (6)", "index", lower=0,
       strict=True, tables="5", aliases=("erl_front", "elri_f", "erl_f", "前端布局重构效能")),
    _v("ELRI_inter", "创新链中端布局重构效能", "middle-segment layout index, equation (7)", "index", lower=0,
       strict=True, tables="5", aliases=("erl_inter", "erl_middle", "elri_m", "elri_middle", "中端布局重构效能")),
    _v("ELRI_back", "创新链后端布局重构效能", "back-end layout index, equation (8)", "index", lower=0,
       strict=True, tables="5", aliases=("erl_back", "elri_b", "erl_b", "后端布局重构效能")),
    _v("AIE_alt", "人工智能嵌入程度（替代测度）", "alternative AI embedding, Table 5 column (1)", "index",
       tables="5", aliases=("aie2", "aie_alternative", "alt_aie", "aiealt", "替代测度")),
    _v("IV1", "人工智能嵌入程度滞后一期", "lagged AIE; formed from AIE when absent", "index", tables="4",
       aliases=("l_aie", "laie", "aie_lag", "lag_aie", "l1_aie")),
    _v("IV2", "人工智能领域论文产出", "log of one plus AI papers", "log count", tables="4",
       aliases=("iv_2", "ln_papers", "lnpaper")),
    _v("IV3", "1984 年邮局数与互联网宽带端口数交乘项", "log of post offices 1984 times broadband ports", "log",
       tables="4", aliases=("iv_3",)),
    _v("IV4", "固定电话数与光缆密度交乘项", "log of fixed telephones times optical-cable density", "log",
       tables="4", aliases=("iv_4",)),
    _v("LCV", "创新链价值延伸长度", "length of value extension, equation (17)", "log ratio", tables="10",
       aliases=("lcv", "价值延伸长度")),
    _v("WCV", "创新链价值延伸宽度", "width of value extension, equation (18)", "ratio", lower=0, tables="10",
       aliases=("wcv", "价值延伸宽度")),
    _v("industry_type", "行业类型", "labour / capital / technology intensive", kind="label", tables="7",
       aliases=("type", "ind_type", "要素密集类型", "产业类型")),
    _v("chain_position", "创新链位置", "front / middle / back of the innovation chain", kind="label", tables="8",
       aliases=("position", "chain", "链位", "链条位置", "产业链位置")),
    _v("tech_level", "技术水平", "high / low technology", kind="label", tables="9",
       aliases=("tech", "techlevel", "技术类型", "高低技术")),
    _v("region", "地区", "factor-market-developed region or other", kind="label", tables="9",
       aliases=("region_group", "要素市场", "要素市场发达程度", "地区类型")),
    _v("province_id", "省份", "province of the unit (forms the region split with factor_market_index)",
       kind="id", nullable=False, tables="9", aliases=("province", "prov", "provid", "prov_id", "省份代码")),
    _v("factor_market_index", "要素市场发育指数", "factor-market development index of the province", "index",
       tables="9", aliases=("fmi", "factor_market", "要素市场发育程度")),
]  # fmt: skip

#: What each table needs beyond the required variables (the columns that use each variable).
TABLE_NEEDS: dict[str, list[tuple[str, list[str]]]] = {
    "Table 1": [("the weights", ["aie_indicators"])],
    "Table 2": [("descriptive statistics", ["ERL", "AIE", "FSIE", "ITSE", *CONTROLS])],
    "Table 3": [("baseline", ["ERL", "AIE", *CONTROLS])],
    "Table 4": [
        ("column (1), lagged AIE", ["IV1"]),
        ("column (2), AI papers", ["IV2"]),
        ("column (3), post offices x broadband", ["IV3"]),
        ("column (4), telephones x cable density", ["IV4"]),
    ],
    "Table 5": [
        ("column (1), alternative AIE", ["AIE_alt"]),
        ("columns (2)-(4), segment indices", ["ELRI_front", "ELRI_inter", "ELRI_back"]),
    ],
    "Table 6": [("mediation", ["FSIE", "ITSE_forward", "ITSE_backward"])],
    "Table 7": [("industry types", ["industry_type"])],
    "Table 8": [("chain positions", ["chain_position"])],
    "Table 9": [("regions", ["region"]), ("technology levels", ["tech_level"])],
    "Table 10": [("length", ["LCV"]), ("width", ["WCV"])],
}

#: Table 1 indicators that are growth rates or profits and may be negative (min-max maps them to [0, 1]).
NEGATIVE_ALLOWED_INDICATORS = ["aie_02", "aie_04", "aie_12"]

DEVELOPED_SHARE = 0.30  # Table 9: factor-market-developed = top 30% of the factor-market index

_POSITIVE = [
    "rd_cost", "iceberg_cost", "data_density", "circulation_rate", "crossborder_synergy",
    "theta_front", "theta_back", "ups_m", "ups_i", "spillover", "robots", "rd_efficiency",
    "y_front", "y_inter", "y_back", "y_final", "synergy_coef", "interaction_cost",
    "value_efficacy", "output", "post_offices_1984", "broadband_ports", "fixed_phones", "cable_density",
]  # fmt: skip
_NONNEGATIVE = ["stuck_nodes", "synergy_out", "synergy_in", "imports", "exports", "ai_papers", "lpi"]
_OTHER_NUMERIC = ["factor_market_index", "output_elasticity", "loss_coef", "freedom_index"]
_NULLABLE = ["key_input"]  # ITSE's input; missing rows give missing ITSE (Table 2: N 22,608)

#: Every column the raw-input file must have, in order.
RAW_COLUMNS: list[str] = (
    ["unit_id", "industry_id", "province_id", "year", "industry_type", "chain_position", "tech_level"]
    + ["factor_market_index"]
    + AIE_INDICATOR_COLUMNS
    + ALT_INDICATOR_COLUMNS
    + _POSITIVE
    + _NONNEGATIVE
    + [c for c in _OTHER_NUMERIC if c != "factor_market_index"]
    + _NULLABLE
)


#: What each raw-input column means and which equation uses it.
RAW_COLUMN_DOCS: dict[str, tuple[str, str]] = {
    "unit_id": ("observation unit (innovation-chain node)", "panel id"),
    "industry_id": ("industry of the unit (35)", "fixed effects, clusters"),
    "province_id": ("province of the unit", "Table 9 regions"),
    "year": ("year, 2013-2023", "panel time"),
    "industry_type": ("labour / capital / technology / unclassified", "Table 7"),
    "chain_position": ("front / middle / back / unclassified", "Table 8"),
    "tech_level": ("high / low technology", "Table 9"),
    "factor_market_index": ("factor-market development index of the province", "Table 9"),
    "robots": ("P: intelligent industrial robots in production", "(6), (18)"),
    "data_density": ("e: data-element density", "(6)"),
    "rd_cost": ("d: core-technology R&D cost", "(6)-(8), (16)"),
    "iceberg_cost": ("ν: international-trade iceberg cost", "(6)-(8), (16)"),
    "rd_efficiency": ("κ (k): frontier R&D efficiency", "(7)"),
    "circulation_rate": ("a: production-factor circulation rate", "(7)"),
    "crossborder_synergy": ("θ: cross-border intelligent production synergy", "(7), (16)"),
    "stuck_nodes": ("N: number of Stuck-Neck technology nodes", "(8)"),
    "spillover": ("c: spillover of key core technology", "(8)"),
    "theta_front": ("Θ_F: front-end technology interaction efficiency", "(6)"),
    "theta_back": ("Θ_B: back-end technology interaction efficiency", "(8)"),
    "ups_m": ("Υ_M: factor spatial integration efficiency (an input; see the upsilon reading)", "(6)-(8), (10)"),
    "ups_i": ("Υ_I: industrial technology synergy efficiency (an input; see the upsilon reading)", "(6)-(8), (12)"),
    "y_front": ("y_F: key-factor output of the front segment", "(10)-(12), (18)"),
    "y_inter": ("key-factor output of the middle segment", "(10)-(12)"),
    "y_back": ("key-factor output of the back segment", "(10)-(12)"),
    "y_final": ("y_B: high-tech final output", "(10), (12), (18)"),
    "synergy_coef": ("c: innovation-industry technology-synergy coefficient", "(12), (14), (15), (18)"),
    "interaction_cost": ("dν: cross-border technology interaction cost", "(12)"),
    "key_input": ("a: key-factor input quantity (may be missing)", "(13)"),
    "output_elasticity": ("e: key-factor output elasticity", "(13)"),
    "loss_coef": ("ν: key-factor loss coefficient", "(13)"),
    "synergy_out": ("row sum of the node's technology-synergy matrix", "(15) as printed"),
    "synergy_in": ("column sum of the node's technology-synergy matrix", "(14) as printed"),
    "value_efficacy": ("Λ: value-extension efficacy of the chain", "(16), (18)"),
    "output": ("industry output (yuan)", "lngdp"),
    "imports": ("imports of goods and services", "imp"),
    "exports": ("exports of goods and services", "exp"),
    "freedom_index": ("economic-freedom index", "inst"),
    "lpi": ("logistics performance index", "tra"),
    "ai_papers": ("AI paper output", "IV2"),
    "post_offices_1984": ("post offices in 1984", "IV3"),
    "broadband_ports": ("internet broadband ports", "IV3"),
    "fixed_phones": ("fixed telephones", "IV4"),
    "cable_density": ("optical-cable density", "IV4"),
}


def region_split(province: pd.Series, factor_market: pd.Series) -> tuple[np.ndarray, str]:
    """Table 9's regions: the top 30% of provinces by mean factor-market index are "developed"."""
    fm = factor_market.groupby(province).mean()
    n_dev = int(np.floor(DEVELOPED_SHARE * len(fm)))
    developed = set(fm.sort_values(ascending=False).index[:n_dev])
    note = bilingual_format(
        {
            "en": "Factor-market-developed region: the top {n_dev} of {n} provinces by mean factor-market index.",
            "zh": "要素市场发达地区：按要素市场指数均值排名前 {n_dev} 的省份（共 {n} 个）。",
        },
        "the region note",
        n_dev=n_dev,
        n=len(fm),
    )
    return np.where(province.isin(developed), "developed", "other"), note


def _raw_variables() -> list[Variable]:
    """The raw-input file's columns (today's layout), with rules and uses."""
    from aichain_utils.inputs.published import load_table1

    docs = _raw_docs()
    t1 = load_table1()
    zh_t1 = {f"aie_{int(p):02d}": z for p, z in zip(t1["position"], t1["indicator_zh"], strict=True)}
    unit_t1 = {f"aie_{int(p):02d}": u for p, u in zip(t1["position"], t1["unit_en"], strict=True)}
    analysis = {v.name: v for v in ANALYSIS_VARIABLES}
    out = []
    for col in RAW_COLUMNS:
        meaning, used = docs.get(col, ("", ""))
        if col in analysis and analysis[col].kind in ("id", "year", "label"):
            base = analysis[col]
            out.append(
                Variable(col, base.zh, meaning or base.meaning, base.unit, base.kind, True, nullable=False,
                         tables=used, aliases=base.aliases)
            )  # fmt: skip
            continue
        if col.startswith("aie_"):
            lower = None if col in NEGATIVE_ALLOWED_INDICATORS else 0.0
            zh, unit, used = zh_t1[col], unit_t1[col], "1-10 (AIE)"
            meaning = meaning or f"Table 1 indicator {col[4:]}"
        elif col.startswith("alt_"):
            lower, zh, unit, used = 0.0, "替代测度指标", "", "5 (alternative AIE)"
            meaning = meaning or f"alternative-AIE indicator, dimension {col[4]}"
        else:
            lower = 0.0 if (col in _POSITIVE or col in _NONNEGATIVE) else None
            zh = analysis[col].zh if col in analysis else ""
            unit = ""
        out.append(
            Variable(col, zh, meaning, unit, "number", True, lower=lower, strict=col in _POSITIVE,
                     nullable=col in _NULLABLE, tables=used)
        )  # fmt: skip
    return out


def _raw_docs() -> dict[str, tuple[str, str]]:
    return RAW_COLUMN_DOCS


@lru_cache(maxsize=1)
def raw_variables() -> tuple[Variable, ...]:
    """The raw-input level's columns (see :data:`RAW_COLUMNS`)."""
    return tuple(_raw_variables())


class _RawProxy:
    """``RAW_VARIABLES`` is built lazily (it reads Table 1 and the raw-column notes)."""

    def __iter__(self):
        return iter(raw_variables())

    def __len__(self) -> int:
        return len(raw_variables())


RAW_VARIABLES = _RawProxy()


def variable(name: str, level: str = "analysis") -> Variable:
    """The :class:`Variable` called ``name`` at ``level`` ("analysis" or "raw")."""
    pool = ANALYSIS_VARIABLES if level == "analysis" else raw_variables()
    for v in pool:
        if v.name == name:
            return v
    raise KeyError(f"no {level}-level variable called {name!r}")


_STRIP = re.compile(r"[\s_\-.·()（）\[\]【】/:：]+")


def normalise_name(name: object) -> str:
    """A column name reduced for matching: width-normalised, lower case, no spaces or punctuation.

    ``" ELRI_Front "``, ``"elri front"`` and ``"ELRI-front"`` all become ``"elrifront"``.
    """
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    return _STRIP.sub("", text)


def _glossary_chinese() -> dict[str, str]:
    from aichain_utils.paths import data_dir

    g = pd.read_csv(data_dir() / "glossary.csv")
    g = g[g["symbol"].notna()]
    return {str(s): str(z) for s, z in zip(g["symbol"], g["chinese"], strict=True)}


def name_index(level: str) -> dict[str, str]:
    """Normalised recognised name -> the book's name, for one level (book names win over aliases)."""
    pool = ANALYSIS_VARIABLES if level == "analysis" else raw_variables()
    gloss = _glossary_chinese()
    index: dict[str, str] = {}
    for v in pool:
        for alias in (*v.aliases, v.zh, gloss.get(v.name, "")):
            if alias:
                index.setdefault(normalise_name(alias), v.name)
    for v in pool:  # exact book names last, so they override any alias
        index[normalise_name(v.name)] = v.name
    return index


# --------------------------------------------------------------------------- the analysis panel
_PANEL_NUMBERS = [
    "AIE", "AIE_alt", "ELRI_front", "ELRI_inter", "ELRI_back", "ERL", "FSIE", "ITSE", "ITSE_forward",
    "ITSE_backward", *CONTROLS, "IV1", "IV2", "IV3", "IV4", "LCV", "WCV",
]  # fmt: skip


def _finite(s: pd.Series) -> pd.Series:
    return s.isna() | s.abs().lt(float("inf"))


def analysis_panel_schema() -> pa.DataFrameSchema:
    """The one schema every chapter's panel meets, whichever level the data came in at.

    Ids and year are integers and never missing; every number is a float that is finite where
    present (a variable the file lacks is an all-missing column, reported by
    :meth:`aichain_utils.inputs.panel.AnalysisPanel.available`); labels are from :data:`GROUP_LABELS`.
    """
    cols: dict[str, pa.Column] = {
        "unit_id": pa.Column(int, nullable=False),
        "industry_id": pa.Column(int, nullable=False),
        "year": pa.Column(int, nullable=False),
    }
    for name in _PANEL_NUMBERS:
        spec = variable(name)
        checks = [pa.Check(_finite, element_wise=False, error="must be finite")]
        if spec.lower is not None:
            op = pa.Check.gt if spec.strict else pa.Check.ge
            checks.append(op(spec.lower, ignore_na=True))
        cols[name] = pa.Column(float, checks, nullable=not spec.required)
    for name, labels in GROUP_LABELS.items():
        cols[name] = pa.Column(None, pa.Check.isin(list(labels), ignore_na=True), nullable=True)
    return pa.DataFrameSchema(cols, strict=False, coerce=False, unique=["unit_id", "year"])


def data_dictionary(level: str) -> pd.DataFrame:
    """The machine-readable data dictionary of one level, generated from the variable lists."""
    pool = ANALYSIS_VARIABLES if level == "analysis" else list(raw_variables())
    names = name_index(level)
    rows = []
    for v in pool:
        also = sorted({k for k, b in names.items() if b == v.name and k != normalise_name(v.name)})
        rows.append(
            {
                "level": level,
                "name": v.name,
                "chinese": v.zh,
                "meaning": v.meaning,
                "unit": v.unit,
                "kind": v.kind,
                "required": v.required,
                "rule": v.rule,
                "tables": v.tables,
                "also_recognised_as (normalised)": " | ".join(also),
            }
        )
    return pd.DataFrame(rows)
