"""The readings record (data/published/equations.yml) and the alternatives it switches.

Hand-worked examples for each correction: (14)-(15) on a 3 x 3 synergy matrix, (10) with both
denominators, (11) with the group readings, (16)-(18) alternatives; the chapter, glossary and
docstrings are checked against the record; the 61-units reading against the published Ns.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from aichain_utils.book import glossary
from aichain_utils.inputs import panel, readings
from aichain_utils.measurement import indices
from aichain_utils.paths import repo_root
from aichain_utils.simulation import simulate

EQUATIONS = [str(k) for k in range(6, 19)]


def test_record_covers_every_equation_and_the_composite():
    ids = [r["id"] for r in readings.load_equations()]
    assert {*EQUATIONS, "AIE"} <= set(ids)
    for rec in readings.load_equations():
        assert rec["verdict"] in readings.VERDICTS
        if rec["verdict"] == "one reading":  # a reading names its alternative, as a switch or in words
            assert rec["switches"] or "altern" in rec["reason"] or "reading" in rec["reason"]


def test_known_verdicts():
    # (7) is lost and (17) has no surviving form: conjectures; (9), (13) survive intact
    assert readings.verdict_of(7) == readings.verdict_of(17) == "conjecture"
    assert readings.verdict_of(9) == readings.verdict_of(13) == "faithful"
    assert readings.verdict_of(14) == readings.verdict_of(15) == "faithful"


def _seed_text() -> str | None:
    seeds = repo_root().parent / "shared" / "seeds"
    files = sorted(seeds.glob("002_*.txt")) if seeds.is_dir() else []
    return files[0].read_text(encoding="utf-8") if files else None


def test_prints_are_quoted_verbatim_from_the_extraction():
    text = _seed_text()
    if text is None:
        pytest.skip("the paper's extraction (../shared/seeds/002_*.txt) is not next to this checkout")
    flat = re.sub(r"\s+", "", text)  # line breaks of the extraction fall anywhere
    for rec in readings.load_equations():
        quoted = re.sub(r"\[[^\]]*[A-Za-z][^\]]*\]", "", rec["print"])  # [notes in words] are not quotes
        for piece in quoted.split("…"):
            piece = re.sub(r"\s+", "", piece)
            if piece:
                assert piece in flat, f"record {rec['id']}: {piece!r} is not in the extraction"


def test_docstrings_state_the_record_verdict():
    for rec in readings.load_equations():
        if not rec["function"]:
            continue
        doc = " ".join(getattr(indices, rec["function"]).__doc__.split())
        assert readings.docstring_tag(rec["id"]) in doc, rec["function"]


def test_glossary_entries_state_the_record_verdict():
    gl = glossary.load_glossary()
    symbols = {r["symbol"]: r for r in readings.load_equations()}
    checked = 0
    for _, row in gl.iterrows():
        m = re.match(r"Equation \((\d+)\)", row["definition"])
        if not m:
            continue
        verdict = readings.verdict_of(m.group(1))
        assert row["definition"].startswith(f"Equation ({m.group(1)}), {verdict}"), row["term"]
        checked += 1
        assert row["symbol"] in symbols or row["symbol"] == "IA"
    assert checked >= 10


def test_chapter_generates_the_verdict_table_from_the_record():
    text = (repo_root() / "chapters" / "measurement.md").read_text(encoding="utf-8")
    assert "readings.verdict_table()" in text and "meas.prints_table()" in text
    source = (repo_root() / "aichain_utils" / "replication" / "results" / "measurement.py").read_text(encoding="utf-8")
    assert "readings.print_table()" in source  # the chapter's results object typesets the record's table
    assert len(readings.print_table()) == len(readings.load_equations())
    table = readings.verdict_table()
    assert list(table["verdict"]) == [r["verdict"] for r in readings.load_equations()]
    for rec in readings.load_equations():  # the displayed reconstruction is the record's, tagged
        if rec["id"][0].isdigit():
            assert f"{rec['reconstruction']} \\tag{{{rec['id']}}}" in text, rec["id"]


def test_chapter_extraction_blocks_are_verbatim():
    text = _seed_text()
    if text is None:
        pytest.skip("the paper's extraction (../shared/seeds/002_*.txt) is not next to this checkout")
    flat = re.sub(r"\s+", "", text)
    chapter = (repo_root() / "chapters" / "measurement.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\{code-block\} text\n:class: aichain-extraction\n(.*?)```", chapter, flags=re.S)
    assert len(blocks) >= 4
    for block in blocks:
        for line in block.splitlines():
            assert re.sub(r"\s+", "", line) in flat, line


def test_matrix_14_15_hand_worked_3x3():
    # M = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]: row totals 6, 15, 24; column totals 12, 15, 18; total 45
    m = np.arange(1.0, 10.0).reshape(3, 3)
    fwd, bwd = indices.itse_forward_backward_matrix(m, 3.0)
    # (14) as printed: c * column total / total = 3 * (12, 15, 18) / 45 = 0.8, 1, 1.2
    np.testing.assert_allclose(fwd, [0.8, 1.0, 1.2])
    # (15) as printed: c * row total / total = 3 * (6, 15, 24) / 45 = 0.4, 1, 1.6
    np.testing.assert_allclose(bwd, [0.4, 1.0, 1.6])
    # forward ITSE over the nodes sums to c
    assert fwd.sum() == pytest.approx(3.0)
    t_fwd, t_bwd = indices.itse_forward_backward_matrix(m, 3.0, orientation="transposed")
    np.testing.assert_allclose(t_fwd, [0.4, 1.0, 1.6])
    np.testing.assert_allclose(t_bwd, [0.8, 1.0, 1.2])
    # the panel form: each node supplies its row (synergy_out) and column (synergy_in) totals
    out = pd.Series([6.0, 15.0, 24.0])
    inn = pd.Series([12.0, 15.0, 18.0])
    s_fwd, s_bwd = indices.itse_forward_backward_shares(out, inn, pd.Series(3.0, index=out.index), pd.Series([1] * 3))
    np.testing.assert_allclose(s_fwd, [0.8, 1.0, 1.2])
    np.testing.assert_allclose(s_bwd, [0.4, 1.0, 1.6])
    with pytest.raises(ValueError, match="orientation"):
        indices.itse_forward_backward_matrix(m, 3.0, orientation="sideways")


def test_fsie_group_readings_hand_worked():
    # two units in one industry-year: IA_front = (1, 3), IA_back = (2, 1), IA_inter = (1, 2)
    f, i, b = np.array([1.0, 3.0]), np.array([1.0, 2.0]), np.array([2.0, 1.0])
    g = [np.array([1, 1]), np.array([2013, 2013])]
    # unit: |1-2|/2 = 0.5 ; |3-1|/4 = 0.5
    np.testing.assert_allclose(indices.fsie(f, i, b), [0.5, 0.5])
    # pairwise, unit 1: (|1-2| + |1-1|) / 2 / (2*1) = 0.25 ; unit 2: (|3-2| + |3-1|) / 2 / (2*2) = 0.375
    np.testing.assert_allclose(indices.fsie(f, i, b, group=g, aggregation="pairwise"), [0.25, 0.375])
    # gini: the mean of the two rows, 0.3125, for both units
    np.testing.assert_allclose(indices.fsie(f, i, b, group=g, aggregation="gini"), [0.3125, 0.3125])
    # one unit per group: every reading is the unit reading
    single = [np.array([1, 2]), np.array([2013, 2013])]
    np.testing.assert_allclose(indices.fsie(f, i, b, group=single, aggregation="gini"), [0.5, 0.5])
    with pytest.raises(ValueError, match="group"):
        indices.fsie(f, i, b, aggregation="pairwise")


def test_lcv_forms_and_bases_hand_worked():
    vce = pd.Series([1.0, 2.0, 4.0])
    unit, year = pd.Series([1, 1, 1]), pd.Series([2013, 2014, 2015])
    # first year as base: ratios 2, 4
    np.testing.assert_allclose(indices.lcv(vce, unit, year).iloc[1:], np.log([2.0, 4.0]))
    np.testing.assert_allclose(indices.lcv(vce, unit, year, form="ratio").iloc[1:], [2.0, 4.0])
    np.testing.assert_allclose(indices.lcv(vce, unit, year, form="growth").iloc[1:], [1.0, 3.0])
    # previous year as base: 2/1, 4/2
    prev = indices.lcv(vce, unit, year, base="previous_year")
    assert np.isnan(prev.iloc[0])
    np.testing.assert_allclose(prev.iloc[1:], np.log([2.0, 2.0]))
    # a gap in the years leaves T = t - 1 undefined
    gap = indices.lcv(vce, unit, pd.Series([2013, 2014, 2016]), base="previous_year")
    assert np.isnan(gap.iloc[2])


def test_vce_with_interaction_cost():
    # Lambda theta / (d nu) with d nu one symbol (12): 2 * 3 / 4 = 1.5; as d * nu: 2 * 3 / (1 * 2) = 3
    assert indices.value_conversion_efficiency(2.0, 3.0, 1.0, 2.0, interaction_cost=4.0) == pytest.approx(1.5)
    assert indices.value_conversion_efficiency(2.0, 3.0, 1.0, 2.0) == pytest.approx(3.0)


def test_elri_inter_two_symbol_numerator():
    # a theta / (d nu) (U_M + U_I) = 1 * 3 / (1 * 2) * 0.5 = 0.75 (kappa dropped)
    assert indices.elri_inter(None, 1.0, 3.0, 1.0, 2.0, 0.2, 0.3) == pytest.approx(0.75)


@pytest.fixture(scope="module")
def small_raw() -> pd.DataFrame:
    p = simulate.load_params()
    p["design"]["units_per_industry"] = 4
    p["design"]["itse_missing_rows"] = 30
    return simulate.simulate_panel(p).raw


def test_default_readings_hit_the_simulator_targets(small_raw):
    p = simulate.load_params()
    p["design"]["units_per_industry"] = 4
    p["design"]["itse_missing_rows"] = 30
    truth = simulate.simulate_panel(p).truth
    d = panel.build_analysis_panel(small_raw).data
    for col in ("FSIE", "ITSE_forward", "ITSE_backward", "ERL", "WCV"):
        np.testing.assert_allclose(d[col], truth[col], rtol=1e-9)


def test_panel_switches_change_only_their_index(small_raw):
    base = panel.build_analysis_panel(small_raw).data
    raw = small_raw.sort_values(["unit_id", "year"]).reset_index(drop=True)
    # upsilon = mediators: ERL's Upsilon are FSIE and ITSE, so ERL is missing where ITSE is
    med = panel.build_analysis_panel(small_raw, readings={"upsilon": "mediators"})
    assert med.data["ERL"].isna().equals(base["ITSE"].isna())
    assert med.readings["upsilon"] == "mediators"
    front = indices.elri_front(
        raw["robots"], raw["data_density"], raw["rd_cost"], raw["iceberg_cost"], raw["theta_front"],
        base["FSIE"], base["ITSE"],
    )  # fmt: skip
    np.testing.assert_allclose(med.data["ELRI_front"], front)
    pd.testing.assert_series_equal(med.data["FSIE"], base["FSIE"])
    # orientation: transposed swaps the two ITSE columns' sources
    tr = panel.build_analysis_panel(small_raw, readings={"itse_orientation": "transposed"}).data
    assert not np.allclose(tr["ITSE_forward"], base["ITSE_forward"])
    # trade in plain ratios is the percentage / 100
    ratio = panel.build_analysis_panel(small_raw, readings={"trade_scale": "ratio"}).data
    np.testing.assert_allclose(ratio["imp"] * 100, base["imp"])
    # WCV with the spillover c
    sp = panel.build_analysis_panel(small_raw, readings={"wcv_c": "spillover"}).data
    np.testing.assert_allclose(sp["WCV"] / base["WCV"], raw["spillover"] / raw["synergy_coef"])
    # FSIE under the gini reading is constant within industry-years
    gini = panel.build_analysis_panel(small_raw, readings={"fsie_aggregation": "gini"}).data
    assert gini.groupby(["industry_id", "year"])["FSIE"].nunique().max() == 1


def test_unknown_reading_is_a_clear_error(small_raw):
    with pytest.raises(ValueError, match="unknown reading"):
        panel.build_analysis_panel(small_raw, readings={"fsie": "gini"})
    with pytest.raises(ValueError, match="fsie_aggregation"):
        panel.build_analysis_panel(small_raw, readings={"fsie_aggregation": "mean"})


def test_sample_size_reading_explains_and_lists():
    table = readings.sample_size_reading().set_index(["table", "column"])
    assert table.loc[(3, 6), "status"] == "explained"  # 23,485 = 35 x 61 x 11
    assert table.loc[(4, 5), "status"] == "explained"  # first differences: 21,350
    assert table.loc[(4, 1), "status"] == "unexplained"  # IV1 keeps 23,485 though the lag loses a year
    assert table.loc[(5, 5), "status"] == "unexplained"  # 22,895 is not 21,350
    assert table.loc[(6, 1), "status"] == "unexplained"  # FSIE 22,608 against 23,485 in Table 2
    assert table.loc[(9, 4), "status"] == "unexplained"  # 11,597 is not a multiple of 11
    assert table.loc[(7, 2), "status"] == "explained"  # 2,684 = 4 industries x 61 x 11
    assert table.loc[(5, 6), "status"] == "not a design N"
    ev = readings.sample_size_evidence()
    assert set(ev["side"]) == {"for", "against"}
    assert ev["where"].str.contains("Table 4 \\(1\\)").any()
