"""Tests of the conceptual-model module."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pytest

from aichain_utils.replication import framework as fw


def test_seed000_has_three_mechanisms_and_three_pathways():
    mechanisms = fw.mechanisms_table()["Mechanism"].tolist()
    for name, zh in zip(mechanisms, ["技术要素重构机制", "组织能力提升机制", "价值链结构演化机制"], strict=True):
        assert name.endswith(f"({zh})")
    pathways = fw.pathways_table()["Pathway"].tolist()
    for name, zh in zip(pathways, ["数据治理路径", "技术集成路径", "生态协同路径"], strict=True):
        assert name.endswith(f"({zh})")
    assert len(fw.direct_effects_table()) == 3


def test_hypothesis_map_reads_published_estimates():
    hyp = fw.hypothesis_map().set_index("hypothesis")
    assert hyp.index.tolist() == ["H1", "H2", "H3"]
    assert hyp.loc["H1", "published estimate"] == "T3(6) ERL: 0.977*** (0.193)"
    assert "1.701***" in hyp.loc["H2", "published estimate"]
    assert "0.964*** (0.188)" in hyp.loc["H3", "published estimate"]
    assert set(hyp["status"]) <= {"implemented", "planned"}


def test_function_status_resolves_real_and_missing_functions():
    assert fw.function_status("aichain_utils.replication.framework.hypothesis_map") == "implemented"
    assert fw.function_status("aichain_utils.replication.framework.MECHANISMS") == "planned"  # not callable
    assert fw.function_status("aichain_utils.no_such_module.f") == "planned"


def test_format_published_uses_the_printed_precision():
    assert fw.format_published(-2.794, 1.163, "**") == "-2.794** (1.163)"
    assert fw.format_published(1732.0, 0.0, "***", coef_dp=2, se_dp=3) == "1732.00*** (0.000)"


def test_every_hypothesis_path_is_in_the_causal_diagram():
    edges = {(s, d) for s, d, _, _ in fw.CAUSAL_EDGES}
    assert ("AIE", "ERL") in edges  # H1
    assert {("AIE", "FSIE"), ("FSIE", "ERL")} <= edges  # H2
    assert {("AIE", "ITSE"), ("ITSE", "ERL")} <= edges  # H3
    assert ("IV", "AIE") in edges and ("IV", "ERL") not in edges  # exclusion restriction
    assert all(s in fw.CAUSAL_NODES and d in fw.CAUSAL_NODES for s, d in edges)


def test_causal_diagram_draws_every_node_and_edge_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. a missing glyph would fail here
        fig = fw.draw_causal_diagram()
        fig.canvas.draw()
    ax = fig.axes[0]
    node_ids = {t.get_gid() for t in ax.texts if t.get_gid() and t.get_gid().startswith("node-")}
    assert node_ids == {f"node-{k}" for k in fw.CAUSAL_NODES}
    edge_ids = {c.get_gid() for c in ax.get_children() if (c.get_gid() or "").startswith("edge-")}
    assert edge_ids == {f"edge-{s}-{d}" for s, d, _, _ in fw.CAUSAL_EDGES}
    plt.close(fig)


@pytest.mark.parametrize("table", [fw.mechanisms_table, fw.pathways_table, fw.direct_effects_table])
def test_tables_have_no_empty_cells(table):
    frame = table()
    assert not frame.isna().any().any()
    assert (frame.map(lambda v: len(str(v).strip()) > 0)).all().all()


def test_causal_diagram_has_the_controls_to_aie_arrow_and_no_label_on_an_arrow():
    """Issue 15: the DGP's X -> AIE path is drawn, and no edge label sits on any arrow."""
    import matplotlib

    matplotlib.use("Agg")
    assert ("X", "AIE") in {(s, d) for s, d, _, _ in fw.CAUSAL_EDGES}
    fig = fw.draw_causal_diagram()
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.texts if (t.get_gid() or "").startswith("label-")]
    arrows = [c for c in ax.get_children() if (c.get_gid() or "").startswith("edge-")]
    assert labels and len(arrows) == len(fw.CAUSAL_EDGES)
    import itertools

    import numpy as np

    def points(arrow):  # the arrow's drawn lines, sampled about every pixel
        patch = arrow.arrow_patch
        for poly in patch.get_path().transformed(patch.get_transform()).to_polygons(closed_only=False):
            for a, b in itertools.pairwise(poly):
                n = int(np.hypot(*(b - a))) + 2
                yield from np.linspace(a, b, n)

    for label in labels:
        box = label.get_window_extent(renderer)
        for arrow in arrows:
            hits = [pt for pt in points(arrow) if box.contains(*pt)]
            assert not hits, f"{label.get_gid()} lies on {arrow.get_gid()}"
    for text in ax.texts:
        assert text.get_fontsize() >= 9, f"{text.get_gid()}: {text.get_fontsize()} pt is too small to read"
