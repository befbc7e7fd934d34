"""The measurement chapter's results objects (Tables 1-2, the indices): their numbers are the underlying
functions' numbers, and each phrase or sentence they compute is tested on planted inputs both ways."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from aichain_utils.inputs import published, readings
from aichain_utils.inputs.panel import DataSource, load_analysis_panel
from aichain_utils.replication import measurement_tables, results
from aichain_utils.replication.results import measurement as rm


@pytest.fixture(scope="module")
def ap():
    return load_analysis_panel()


@pytest.fixture(scope="module")
def meas(ap):
    m = results.measures(ap)
    m.ex3 = {"feedback_world": 0.1, "feedback_scenario": 0.5, "corr_world": 0.2, "corr_scenario": 0.4, "reading": "x"}
    return m


def test_weights_used_phrase_both_ways():
    assert rm.weights_used_phrase("entropy") == "the weights the entropy method gives"
    assert rm.weights_used_phrase("published") == "the published weights, which this build uses"
    assert rm.weights_used_phrase(np.full(24, 1 / 24)) == "the published weights, which this build uses"
    assert rm.weights_used_phrase("entropy").zh == "熵值法给出的权重"
    assert rm.weights_used_phrase("published").zh == "本次构建所用的公布的权重"


def test_sample_sizes_sentence_both_ways():
    all_match = pd.DataFrame({"N paper": [10, 20, 30], "N here": [10, 20, 30]})
    some = pd.DataFrame({"N paper": [10, 20, 30], "N here": [10, 19, 30]})
    assert rm.sample_sizes_sentence(all_match) == "All sample sizes match the paper's"
    assert rm.sample_sizes_sentence(some) == "2 of 3 sample sizes match the paper's"
    assert rm.sample_sizes_sentence(all_match).zh == "所有样本量都与论文的一致"
    assert rm.sample_sizes_sentence(some).zh == "3 个样本量中有 2 个与论文的一致"


def test_feedback_reading_both_ways():
    assert rm.feedback_reading(0.10, 0.20, 0.05) == "the correlation is larger with the scenario's feedback"
    barely = rm.feedback_reading(0.100, 0.105, 0.0123)
    assert barely.startswith("even the scenario's feedback barely moves this correlation")
    assert "only 0.012 in the closest world" in barely
    assert rm.feedback_reading(0.10, 0.20, 0.05).zh == "在该情景的反馈下相关系数更大"
    assert barely.zh.startswith("即便是该情景的反馈也几乎不改变这一相关系数") and "标准差仅为 0.012" in barely.zh
    # the rule reads the correlations at the three decimals the page shows them
    assert rm.feedback_reading(0.1004, 0.1104, 0.05).startswith("even")


def test_table1_numbers_are_the_comparison_table(ap):
    t1 = results.table1(ap)
    cmp = measurement_tables.table1_comparison(ap)
    n = t1.numbers()
    pd.testing.assert_frame_equal(t1.table, cmp)
    assert n.published_weight_sum == pytest.approx(cmp["published weight"].sum())
    assert n.weight_min == cmp["weight here"].min() and n.weight_max == cmp["weight here"].max()
    assert n.max_gap == cmp["difference"].abs().max()
    signs = published.load_table1()["sign"]
    assert n.n_indicators == len(signs) == 24 and n.n_benefit == (signs == "+").sum()
    assert n.weights_used == "the weights the entropy method gives"  # the simulated panel's default
    assert set(n.flat()) >= {"t1_weights_used", "t1_max_gap", "t1_weight_min"}


def test_table2_numbers_are_the_comparison_table_and_data_kind_both_ways(ap):
    t2 = results.table2(ap)
    cmp = measurement_tables.table2_comparison(ap)
    n = t2.numbers()
    assert n.n_within == cmp["within 10%"].sum() and n.n_vars == len(cmp)
    assert n.max_mean_gap == cmp["mean Δ%"].abs().max() and n.max_sd_gap == cmp["SD Δ%"].abs().max()
    assert n.sample_sizes == rm.sample_sizes_sentence(cmp)
    assert n.data_kind == "the simulated panel" and n.data_kind.zh == "模拟面板"
    licensed = DataSource(kind="licensed", path=None, label="your file", fingerprint="x", level="analysis")
    user = dataclasses.replace(ap, source=licensed)
    assert results.table2(user).numbers().data_kind == "the data of this build"
    assert results.table2(user).numbers().data_kind.zh == "本次构建的数据"


def test_measures_numbers_are_the_panel_and_the_published_record(ap, meas):
    n, d = meas.numbers(), ap.data
    assert (n.n_rows, n.n_units, n.n_years) == (len(d), d["unit_id"].nunique(), d["year"].nunique())
    assert n.n_industries == d["industry_id"].nunique() and n.n_lcv == d["LCV"].notna().sum()
    design = published.load_design()
    assert n.published.n == published.published_cell(3, 6)["n"]
    assert n.published.industries == int(design["n_industries"])
    years = int(design["last_year"]) - int(design["first_year"]) + 1
    assert n.published.units_per_industry == pytest.approx(n.published.n / (n.published.industries * years))
    coefs = [published.published_cell(5, c)["coef"] for c in (2, 3, 4)]
    assert n.published.segment_mean == pytest.approx(np.mean(coefs))
    ev, cols = readings.sample_size_evidence(), readings.sample_size_reading()
    assert (n.units.n_for, n.units.n_against) == ((ev["side"] == "for").sum(), (ev["side"] == "against").sum())
    assert n.cols.n == len(cols)
    assert n.cols.explained + n.cols.unexplained + n.cols.data == len(cols)
    assert n.ex3.corr_world == 0.2 and n.flat()["meas_ex3_reading"] == "x"


def test_upsilon_note_and_tables_both_ways(ap, meas):
    assert meas.alternatives  # the simulated panel is built from raw inputs: the readings switch
    assert meas.numbers().upsilon_note == "Both readings are computed from the raw inputs of this build."
    assert meas.numbers().upsilon_note.zh == "两种解读都由本次构建的原始输入计算得出。"
    assert not isinstance(meas.upsilon_table(), str) and not isinstance(meas.alternatives_table(), str)
    finished = results.measures(ap)
    finished.alternatives, finished.ex3 = {}, meas.ex3  # as on a file of finished variables
    assert finished.numbers().upsilon_note == rm.no_readings_message()
    assert finished.upsilon_table() == finished.alternatives_table() == rm.no_readings_message()


def test_prints_table_typesets_the_record(meas):
    prints = meas.prints_table()
    assert len(prints) == len(readings.print_table()) and "reconstruction" in prints
    assert all(cell.startswith('<span class="math notranslate nohighlight">\\(') for cell in prints["reconstruction"])


def test_builder_notes_list_every_note(ap, meas):
    text = meas.builder_notes()
    assert text == "**What the panel builder reports:**\n\n" + "\n".join(f"- {n}" for n in ap.notes)  # as before
    assert text.zh.startswith("**面板构建器报告的内容：**\n\n- ")
    region = next(n for n in ap.notes if n.startswith("Factor-market-developed region"))
    assert f"- {region.zh}" in text.zh  # a bilingual note in Chinese; the others (plain text) as they are
    assert all(f"- {n}" in text.zh for n in ap.notes if not hasattr(n, "zh"))


def test_exercise3_is_what_its_solution_computes():
    """The answer the chapter glues for exercise 3 is the feedback and correlation its solution prints."""
    from aichain_utils.inputs import panel
    from aichain_utils.replication import lab
    from aichain_utils.simulation import simulate

    ex3 = rm.exercise3_feedback()
    p = lab.scenario_params("reverse feedback")
    sim = simulate.simulate_panel(p)
    aie = panel.build_analysis_panel(sim.raw).data["AIE"].to_numpy()
    assert ex3["corr_scenario"] == pytest.approx(np.corrcoef(aie, sim.truth["erl_shock"].to_numpy())[0, 1])
    assert ex3["feedback_scenario"] == p["latent_ai"]["feedback_from_erl_shock"]
    assert ex3["reading"] == rm.feedback_reading(
        ex3["corr_world"], ex3["corr_scenario"], simulate.load_params()["erl"]["noise_sd"]
    )
