"""Tables and figures of the measurement chapter, the display helper and the banner extension."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from aichain_utils.book import sphinxext
from aichain_utils.inputs import panel, schema
from aichain_utils.replication import measurement_tables as measurement
from aichain_utils.report.display import show_table
from aichain_utils.simulation import simulate


@pytest.fixture(scope="module")
def ap():
    return panel.build_analysis_panel(simulate.simulate_panel().raw)


def test_table1_comparison_has_published_and_computed_weights(ap):
    t = measurement.table1_comparison(ap)
    assert len(t) == 24
    assert t["published weight"].sum() == pytest.approx(1.0)
    assert t["weight here"].sum() == pytest.approx(1.0, abs=0.013)  # 24 weights rounded to 3 decimals
    pd.testing.assert_series_equal(
        t["difference"], (t["weight here"] - t["published weight"]).round(3), check_names=False
    )


def test_table2_comparison_flags_follow_the_gaps(ap):
    t = measurement.table2_comparison(ap)
    assert len(t) == 9
    expected = (t["mean Δ%"].abs() <= 10) & (t["SD Δ%"].abs() <= 10)
    assert (t["within 10%"] == expected).all()
    assert t.loc[t["variable"].str.startswith("ITSE"), "N here"].item() == 22608


def test_dgp_effects_table_reads_the_parameters():
    params = simulate.load_params()
    t = measurement.dgp_effects_table(params).set_index("effect")
    # the table shows three decimals
    assert t.loc["AIE → FSIE", "true value"] == pytest.approx(params["effects"]["aie_on_fsie"], abs=5e-4)
    segs = t.loc[["AIE → ELRI_front", "AIE → ELRI_inter", "AIE → ELRI_back"], "true value"]
    assert segs.mean() == pytest.approx(params["effects"]["aie_on_erl_total"], abs=1e-3)


def test_raw_schema_table_documents_every_raw_column():
    t = measurement.raw_schema_table()
    listed = set(t["column"])
    for col in schema.RAW_COLUMNS:
        if col.startswith(("aie_", "alt_")):
            continue
        assert col in listed, col
    assert (t["meaning"].str.len() > 0).all()


def test_figures_draw_without_warnings(ap):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fig in (measurement.plot_over_years(ap), measurement.plot_by_group(ap)):
            fig.canvas.draw()
            assert len(fig.axes) >= 3
            plt.close(fig)


def _interval_ends(fig) -> list:
    """What every axis draws: its lines (a point plot's intervals) and its bands' outlines (a line plot's)."""
    lines = [np.round(line.get_xydata(), 12).tolist() for ax in fig.axes for line in ax.get_lines()]
    bands = [np.round(path.vertices, 12).tolist() for ax in fig.axes for c in ax.collections for path in c.get_paths()]
    return lines + bands


def test_figures_intervals_are_the_same_on_the_same_data_and_move_with_the_seed(ap):
    """The bootstrapped intervals are seeded: the same data draw the same figure, another seed another one."""
    for draw in (measurement.plot_over_years, measurement.plot_by_group):
        first, again, other = draw(ap), draw(ap), draw(ap, seed=1)
        assert _interval_ends(first) == _interval_ends(again), draw.__name__
        assert _interval_ends(first) != _interval_ends(other), draw.__name__
        for fig in (first, again, other):
            plt.close(fig)


def test_show_table_formats_floats_and_percentages():
    frame = pd.DataFrame({"a": [1.23456], "gap %": [12.3456], "n": [5], "s": ["x"]})
    html = show_table(frame).to_html()
    assert "1.235" in html and "12.3" in html and "12.35" not in html
    assert ">5<" in html


def test_banner_names_the_data_source(monkeypatch, tmp_path):
    monkeypatch.delenv(panel.ENV_VAR, raising=False)
    html = sphinxext.banner_html()
    assert "simulated panel" in html and "no evidence about the paper" in html and "validates" not in html
    fake = tmp_path / "mine.csv"
    fake.write_text("x\n1\n")
    monkeypatch.setenv(panel.ENV_VAR, str(fake))
    html = sphinxext.banner_html()
    assert "your data file mine.csv (level not recognised" in html and "aichain-data-licensed" in html
    zh = sphinxext.banner_html("zh_CN")
    assert "<strong>数据：</strong>" in zh and "你的数据文件 mine.csv（未能识别其层级" in zh
    assert "aichain-data-licensed" in zh


def test_the_chinese_banner_states_the_same_facts(monkeypatch):
    """The Chinese edition's banner names the same file, seed and digest, and says the estimates are no
    evidence about the paper's claims (不构成关于论文结论的任何证据), as the English one does."""
    monkeypatch.delenv(panel.ENV_VAR, raising=False)
    source = panel.data_source()
    en, zh = panel.banner_text(source), sphinxext.banner_text_zh(source)
    seed = str(panel.load_params()["seed"])
    for fact in ("data/simulation/params.yml", seed, source.fingerprint):
        assert fact in en and fact in zh
    assert "no evidence about the paper's claims" in en and "不构成关于论文结论的任何证据" in zh
    assert "Built from" not in zh
