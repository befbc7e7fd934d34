"""The conceptual model behind the paper, as data and a diagram.

Two sources:

* the frame, Mou (牟多铎), *AI empowerment for industrial innovation and value-chain
  upgrading*: three mechanisms (作用机制) and three pathways (路径) - a qualitative frame;
* the paper, Pang, Jiao & Li: three direct effects of AI embedding (人工智能嵌入, AIE) on
  the layout reconstruction of the innovation chain (创新链布局重构效能, ERL), two
  indirect channels (FSIE, ITSE) and hypotheses H1-H3, estimated with equations (1)-(5).

Everything here is transcribed from the two papers; nothing is estimated.  The
hypothesis map links each hypothesis to the equation, published table, chapter
and ``aichain_utils`` function that tests it, and reports whether that
function exists yet.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from aichain_utils.inputs.published import load_regression_cells

__all__ = [
    "CAUSAL_EDGES",
    "CAUSAL_NODES",
    "CHANNELS",
    "DIRECT_EFFECTS",
    "HYPOTHESES",
    "MECHANISMS",
    "PATHWAYS",
    "direct_effects_table",
    "draw_causal_diagram",
    "format_published",
    "function_status",
    "hypothesis_map",
    "mechanisms_table",
    "pathways_table",
]

# --------------------------------------------------------------------------- seed 000
#: Mou (the frame), section 三: the three mechanisms, their role and their components.
MECHANISMS: tuple[dict, ...] = (
    {
        "mechanism_zh": "技术要素重构机制",
        "mechanism_en": "Technology-element restructuring",
        "role_zh": "基础条件 / 基础动力",
        "role_en": "foundational condition; supplies the driving force",
        "components_zh": "数据成为关键输入要素；算法增强预测与决策能力；技术融合催生新的生产与服务模式",
        "components_en": (
            "data becomes a key input; algorithms strengthen prediction and decisions; "
            "technology fusion creates new production and service models"
        ),
    },
    {
        "mechanism_zh": "组织能力提升机制",
        "mechanism_en": "Organizational-capability enhancement",
        "role_zh": "关键环节 / 内生保障",
        "role_en": "key link; the endogenous guarantee that empowerment takes hold",
        "components_zh": "认知能力提升；学习能力提升；协同能力提升",
        "components_en": "cognitive capability; learning capability; collaborative capability",
    },
    {
        "mechanism_zh": "价值链结构演化机制",
        "mechanism_en": "Value-chain structural evolution",
        "role_zh": "最终表现 / 最终结果",
        "role_en": "final outcome: AI as a structure-upgrading, not only efficiency-raising, technology",
        "components_zh": "价值活动重组；价值关系调整；价值捕获方式创新",
        "components_en": (
            "restructuring of value activities; adjustment of value relationships; new modes of value capture"
        ),
    },
)

#: Mou (the frame), section 四: the three pathways and their ordered stages.
PATHWAYS: tuple[dict, ...] = (
    {
        "pathway_zh": "数据治理路径",
        "pathway_en": "Data governance",
        "rank_en": "basic pathway (基础路径)",
        "stages_zh": "数据采集 → 数据整合 → 数据共享",
        "stages_en": "collection → integration → sharing",
    },
    {
        "pathway_zh": "技术集成路径",
        "pathway_en": "Technology integration",
        "rank_en": "intermediate (implied by the paper's ordering)",
        "stages_zh": "技术识别 → 技术适配 → 技术重构（环节）；早期 → 中期 → 高级（阶段）",
        "stages_en": ("identification → adaptation → reconfiguration (steps); early → middle → advanced (stages)"),
    },
    {
        "pathway_zh": "生态协同路径",
        "pathway_en": "Ecosystem collaboration",
        "rank_en": "advanced, terminal pathway (高级路径)",
        "stages_zh": "无阶段；三个特征：主体多元化、关系网络化、价值共创化",
        "stages_en": ("no stages; three features: diverse actors, networked relationships, value co-creation"),
    },
)

# --------------------------------------------------------------------------- seed 002
#: The paper (Pang, Jiao & Li), section 三.1: the three direct effects behind H1.
DIRECT_EFFECTS: tuple[dict, ...] = (
    {
        "effect_zh": "网络连接效应",
        "effect_en": "Network-connection effect",
        "how_en": (
            "AI raises the information-processing capacity of the network, so information flows "
            "faster and more precisely and the chain moves from linear division of labour to a network."
        ),
        "seed000_mechanism_en": "Technology-element restructuring",
    },
    {
        "effect_zh": "渗透赋能效应",
        "effect_en": "Penetration-empowerment effect",
        "how_en": (
            "AI spreads across industries and into research, production and management, replacing "
            "part of traditional technique and linking front-end embedding, middle-segment factor "
            "flows and back-end value extension."
        ),
        "seed000_mechanism_en": "Organizational-capability enhancement",
    },
    {
        "effect_zh": "价值创造效应",
        "effect_en": "Value-creation effect",
        "how_en": (
            "Data becomes the chain's key resource and algorithms allocate resources precisely, "
            "matching high-tech capacity to demand."
        ),
        "seed000_mechanism_en": "Value-chain structural evolution",
    },
)

#: The paper (Pang, Jiao & Li), section 三.2: the two indirect channels behind H2 and H3.
CHANNELS: tuple[dict, ...] = (
    {
        "symbol": "FSIE",
        "channel_zh": "创新要素空间融合（要素空间融合效率）",
        "channel_en": "Spatial integration of innovation factors (factor spatial integration efficiency)",
    },
    {
        "symbol": "ITSE",
        "channel_zh": "创新产业技术协同（产业技术协同效率）",
        "channel_en": "Industrial technology synergy (industrial technology synergy efficiency)",
    },
)


@dataclass(frozen=True)
class Hypothesis:
    """One hypothesis of the paper (Pang, Jiao & Li) and where the book tests it."""

    label: str
    statement_zh: str
    statement_en: str
    equations: str
    tables: str
    published_cells: tuple[tuple[int, int], ...]
    chapter: str
    function: str


#: The paper (Pang, Jiao & Li), end of section 三: H1-H3.  ``function`` is the dotted path of the
#: ``aichain_utils`` function that estimates it; the map reports whether it exists yet.
HYPOTHESES: tuple[Hypothesis, ...] = (
    Hypothesis(
        "H1",
        "人工智能嵌入推动了“卡脖子”技术创新链布局重构。",
        "AI embedding drives the layout reconstruction of Stuck-Neck technology innovation chains.",
        "(1)",
        "Tables 3, 4, 5",
        ((3, 6),),
        "baseline; endogeneity",
        "aichain_utils.replication.models.fit_two_way_fe",
    ),
    Hypothesis(
        "H2",
        "人工智能嵌入通过创新要素空间融合推动了“卡脖子”技术创新链布局重构。",
        "AI embedding drives the layout reconstruction through the spatial integration of innovation factors (FSIE).",
        "(2)-(3)",
        "Table 6, column (1)",
        ((6, 1),),
        "mechanisms",
        "aichain_utils.replication.mediation.mediation_analysis",
    ),
    Hypothesis(
        "H3",
        "人工智能嵌入通过创新产业技术协同推动了“卡脖子”技术创新链布局重构。",
        "AI embedding drives the layout reconstruction through industrial technology synergy "
        "(ITSE, forward and backward).",
        "(4)-(5)",
        "Table 6, columns (2)-(3)",
        ((6, 2), (6, 3)),
        "mechanisms",
        "aichain_utils.replication.mediation.mediation_analysis",
    ),
)


def _frame(records: tuple[dict, ...]) -> pd.DataFrame:
    return pd.DataFrame(list(records))


def _both(english: str, chinese: str) -> str:
    return f"{english} ({chinese})"


def mechanisms_table() -> pd.DataFrame:
    """Mou's (the frame's) three mechanisms: name, role in the frame, components (English with Chinese)."""
    return pd.DataFrame(
        {
            "Mechanism": [_both(m["mechanism_en"], m["mechanism_zh"]) for m in MECHANISMS],
            "Role in the frame": [_both(m["role_en"], m["role_zh"]) for m in MECHANISMS],
            "Components": [_both(m["components_en"], m["components_zh"]) for m in MECHANISMS],
        }
    )


def pathways_table() -> pd.DataFrame:
    """Mou's (the frame's) three pathways, their rank and their ordered stages (English with Chinese)."""
    return pd.DataFrame(
        {
            "Pathway": [_both(p["pathway_en"], p["pathway_zh"]) for p in PATHWAYS],
            "Rank": [p["rank_en"] for p in PATHWAYS],
            "Stages": [_both(p["stages_en"], p["stages_zh"]) for p in PATHWAYS],
        }
    )


def direct_effects_table() -> pd.DataFrame:
    """The paper's three direct effects and the mechanism of Mou's frame each corresponds to.

    The correspondence is this book's reading, not a claim of either paper.
    """
    return pd.DataFrame(
        {
            "Direct effect": [_both(e["effect_en"], e["effect_zh"]) for e in DIRECT_EFFECTS],
            "How it works (Pang, Jiao & Li)": [e["how_en"] for e in DIRECT_EFFECTS],
            "Closest Mou mechanism (this book's reading)": [e["seed000_mechanism_en"] for e in DIRECT_EFFECTS],
        }
    )


def format_published(coef: float, se: float, stars: str, coef_dp: int = 3, se_dp: int = 3) -> str:
    """Format a published estimate as the paper prints it, e.g. ``0.977*** (0.193)``.

    Parameters
    ----------
    coef, se : float
        Coefficient and standard error.
    stars : str
        Significance stars as printed.
    coef_dp, se_dp : int
        Decimals to print (the paper's own precision).
    """
    return f"{coef:.{coef_dp}f}{stars} ({se:.{se_dp}f})"


def function_status(dotted: str) -> str:
    """``"implemented"`` if ``dotted`` (``package.module.function``) resolves, else ``"planned"``."""
    module_name, _, attr = dotted.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return "planned"
    return "implemented" if callable(getattr(module, attr, None)) else "planned"


def hypothesis_map() -> pd.DataFrame:
    """Map each hypothesis to its equation, published table and estimate, chapter and function.

    The published estimates are read from ``data/published/`` (never typed in);
    the status column is computed by importing the named function.

    Returns
    -------
    pandas.DataFrame
        Columns: hypothesis, statement, 假设, equations, published table,
        published estimate, chapter, function, status.
    """
    cells = load_regression_cells().set_index(["table", "column"])
    rows = []
    for h in HYPOTHESES:
        estimates = []
        for key in h.published_cells:
            c = cells.loc[key]
            estimates.append(
                f"T{key[0]}({key[1]}) {c['outcome']}: "
                + format_published(c["coef"], c["se"], c["stars"], int(c["coef_dp"]), int(c["se_dp"]))
            )
        rows.append(
            {
                "hypothesis": h.label,
                "statement": h.statement_en,
                "假设": h.statement_zh,
                "equations": h.equations,
                "published table": h.tables,
                "published estimate": "; ".join(estimates),
                "chapter": h.chapter,
                "function": h.function,
                "status": function_status(h.function),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- diagram
#: Nodes of the causal diagram: key -> (label, x, y, kind).
CAUSAL_NODES: dict[str, tuple[str, float, float, str]] = {
    "AIE": ("AI embedding\nAIE", 0.12, 0.50, "treatment"),
    "FSIE": ("Factor spatial integration\nefficiency FSIE", 0.50, 0.80, "mediator"),
    "ITSE": ("Industrial technology synergy\nefficiency ITSE\n(forward / backward)", 0.50, 0.27, "mediator"),
    "ERL": ("Layout reconstruction\neffectiveness ERL\n= (front + middle\n+ back) / 3", 0.87, 0.50, "outcome"),
    "VALUE": ("Value extension\nlength LCV, width WCV", 0.87, 0.93, "outcome2"),
    "X": ("Controls X: lngdp, imp, exp, inst, tra;\nfixed effects λᵢ (unit), ϑₜ (year)", 0.50, 0.05, "control"),
    "IV": ("Instruments\nIV1-IV4", 0.12, 0.13, "instrument"),
}

#: Edges: (source, target, label, kind).  ``kind`` is "causal", "confounding" or "feedback".
CAUSAL_EDGES: tuple[tuple[str, str, str, str], ...] = (
    ("AIE", "ERL", "H1: direct effect α₁ (eq. 1)", "causal"),
    ("AIE", "FSIE", "β₁ (eq. 2)", "causal"),
    ("FSIE", "ERL", "γ₂ (eq. 3): H2", "causal"),
    ("AIE", "ITSE", "δ₁ (eq. 4)", "causal"),
    ("ITSE", "ERL", "ν₂ (eq. 5): H3", "causal"),
    ("AIE", "VALUE", "Table 10", "causal"),
    ("X", "ERL", "θ", "confounding"),
    ("X", "AIE", "", "confounding"),
    ("IV", "AIE", "first\nstage", "causal"),
    ("ERL", "AIE", "reverse causality (the paper's endogeneity concern)", "feedback"),
)

#: How each edge is drawn: (anchor on the source box, anchor on the target box, connection style,
#: label position in axes fractions, label alignment). Labels sit beside their arrows, never on them.
_EDGE_GEOMETRY: dict[tuple[str, str], tuple[tuple, tuple, str, tuple[float, float], str]] = {
    ("AIE", "ERL"): ((1.0, 0.45), (0.0, 0.45), "arc3,rad=0", (0.50, 0.445), "center"),
    ("AIE", "FSIE"): ((0.85, 1.0), (0.0, 0.5), "arc3,rad=0", (0.27, 0.72), "right"),
    ("FSIE", "ERL"): ((1.0, 0.5), (0.3, 1.0), "arc3,rad=0", (0.74, 0.72), "left"),
    ("AIE", "ITSE"): ((0.85, 0.0), (0.0, 0.5), "arc3,rad=0", (0.30, 0.39), "left"),
    ("ITSE", "ERL"): ((1.0, 0.5), (0.3, 0.0), "arc3,rad=0", (0.74, 0.33), "left"),
    ("AIE", "VALUE"): ((0.3, 1.0), (0.0, 0.5), "angle,angleA=90,angleB=180,rad=0", (0.50, 0.955), "center"),
    ("X", "ERL"): ((1.0, 0.5), (0.85, 0.0), "arc3,rad=0", (0.77, 0.12), "left"),
    ("X", "AIE"): ((0.0, 0.5), (1.0, 0.0), "arc3,rad=0", (0.0, 0.0), "center"),
    ("IV", "AIE"): ((0.5, 1.0), (0.3, 0.0), "arc3,rad=0", (0.085, 0.30), "right"),
    ("ERL", "AIE"): ((0.0, 0.75), (1.0, 0.75), "arc3,rad=0.25", (0.50, 0.645), "center"),
}

_NODE_COLOURS = {
    "treatment": "#fde0c5",
    "mediator": "#d6e9f8",
    "outcome": "#d9f0d3",
    "outcome2": "#eef7ea",
    "control": "#eeeeee",
    "instrument": "#f3e3f3",
}


def draw_causal_diagram(figsize: tuple[float, float] = (9.5, 7.0)) -> Figure:
    """Draw the causal model of equations (1)-(5) with the endogeneity concern of Table 4.

    Solid arrows are the causal paths the paper hypothesises (H1 direct, H2 via FSIE,
    H3 via ITSE, value extension); grey arrows are the controls, which affect both AIE and
    ERL (as in the simulation's data-generating process); the dashed red arrow is the reverse
    causality the paper names as its reason for instrumental variables; the instruments enter
    through AIE only (the exclusion restriction). Every label sits beside its arrow, not on it.

    Labels are in English only: matplotlib's bundled fonts have no CJK glyphs, and
    the book gives the Chinese names in the text and tables instead.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=figsize)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    artists = {}
    for key, (label, x, y, kind) in CAUSAL_NODES.items():
        artists[key] = ax.text(
            x,
            y,
            label,
            ha="center",
            va="center",
            fontsize=10.5,
            gid=f"node-{key}",
            bbox={"boxstyle": "round,pad=0.5", "fc": _NODE_COLOURS[kind], "ec": "#333333", "lw": 1.0},
        )
    styles = {
        "causal": {"color": "#1f3b73", "lw": 1.6, "ls": "-"},
        "confounding": {"color": "#777777", "lw": 1.3, "ls": "-"},
        "feedback": {"color": "#b2182b", "lw": 1.5, "ls": "--"},
    }
    for src, dst, label, kind in CAUSAL_EDGES:
        a_src, a_dst, connection, (lx, ly), align = _EDGE_GEOMETRY[(src, dst)]
        style = styles[kind]
        ax.annotate(
            "",
            xy=a_dst,
            xycoords=artists[dst],
            xytext=a_src,
            textcoords=artists[src],
            gid=f"edge-{src}-{dst}",
            arrowprops={
                "arrowstyle": "-|>",
                "color": style["color"],
                "lw": style["lw"],
                "linestyle": style["ls"],
                "connectionstyle": connection,
                "shrinkA": 2,
                "shrinkB": 2,
            },
        )
        if label:
            ax.text(lx, ly, label, ha=align, va="center", fontsize=9.5, color=style["color"], gid=f"label-{src}-{dst}")
    ax.set_title("Causal model: equations (1)-(5), the endogeneity concern and the instruments", fontsize=11.5)
    fig.tight_layout()
    return fig
