"""The simulated world is coherent and fully written down (issue 13, items 3-4).

No dead or hidden parameters; industry-level controls constant within industry-years; national
indicators constant within years; magnitudes an economy could have (China's GDP, the LPI's 1-5 scale);
NSC at least one; ITSE inside Table 2's range; every parameter on the chapter's page.
"""

from __future__ import annotations

import ast
import numbers

import numpy as np
import pytest

from aichain_utils.inputs import panel, published
from aichain_utils.simulation import simulate, simworld


@pytest.fixture(scope="module")
def sim():
    return simulate.simulate_panel()


@pytest.fixture(scope="module")
def data(sim):
    return panel.build_analysis_panel(sim.raw).data


# ------------------------------------------------------------------ no dead or hidden parameters
def test_every_parameter_is_read_by_the_simulator():
    params = simulate.load_params()
    read = simworld.read_parameters(params)
    dead = sorted(set(simulate.leaf_paths(params)) - read)
    assert not dead, f"params.yml holds keys the simulator never reads: {dead}"


def test_recording_params_catches_an_unread_key():
    params = simulate.load_params()
    params["fsie"]["unused_knob"] = 1.0
    assert "fsie.unused_knob" not in simworld.read_parameters(params)


def test_every_parameter_is_a_plain_number_or_a_list_of_them():
    params = simulate.load_params()
    for path in simulate.leaf_paths(params):
        node = params
        for key in path.split("."):
            node = node[key]
        values = node if isinstance(node, list) else [node]
        assert values and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values), path


#: The only numeric literals simulate.py may hold, each a constant of arithmetic or of the paper's
#: formulas, not a parameter: 0 and 1 (identities, complements, the AR(1) start sqrt(1 - psi^2)),
#: 2 (squares; the 2 of equation 11; a uniform on (-1, 1) as 2U - 1), 100 (percentages), 17 (the
#: chunk size 2^17 of the indicator draws, which changes no number: tests/test_simulate.py), and 6, 25
#: (ranges of the column names alt_1a..alt_5b and aie_01..aie_24).
ALLOWED_LITERALS = {0, 1, 2, 100, 17, 6, 25}


def test_simulator_holds_no_numeric_constant_of_its_own(root):
    tree = ast.parse((root / "aichain_utils" / "simulation" / "simulate.py").read_text(encoding="utf-8"))
    found = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, numbers.Real) and not isinstance(node.value, bool)
    }
    hidden = sorted(v for v in found if v not in ALLOWED_LITERALS)
    assert not hidden, f"simulate.py holds numeric constants that belong in params.yml: {hidden}"


def test_solved_inputs_are_not_listed_as_free():
    free = simulate.load_params()["raw_inputs"]
    solved = ["robots", "rd_efficiency", "theta_back", "y_front", "y_back", "y_final", "value_efficacy",
              "key_input", "synergy_coef"]  # fmt: skip
    assert not set(solved) & set(free)


# ------------------------------------------------------------------ coherence
def _spread(grouped, cols):
    """Max minus min of each column within each group."""
    return grouped[cols].max() - grouped[cols].min()


def test_controls_are_constant_within_industry_years(sim, data):
    cells = sim.raw.groupby(["industry_id", "year"])
    assert (_spread(cells, simworld.CONTROL_COLUMNS) == 0).all().all()
    dcells = data.groupby(["industry_id", "year"])
    assert (_spread(dcells, ["lngdp", "imp", "exp", "inst", "tra"]) == 0).all().all()
    # and they do vary between industries and over the years
    assert sim.raw.groupby("year")["output"].nunique().min() == sim.raw["industry_id"].nunique()


def test_national_indicators_are_constant_within_years_and_the_others_are_not(sim):
    national = [simulate.AIE_INDICATOR_COLUMNS[j - 1] for j in sim.params["aie_indicators"]["national"]]
    assert {"aie_04", "aie_21", "aie_23", "aie_24"} <= set(national)  # Table 1: national or share of world
    by_year = sim.raw.groupby("year")
    assert (_spread(by_year, national) == 0).all().all()
    assert by_year[national].first().nunique().min() > 1  # they change from year to year
    local = [c for c in simulate.AIE_INDICATOR_COLUMNS if c not in national]
    assert (_spread(by_year, local) > 0).all().all()


def test_lpi_is_a_score_on_its_1_to_5_scale_and_tra_its_rescaling(sim, data):
    scale = simworld.load_benchmarks()["lpi_scale"]
    assert sim.raw["lpi"].between(scale["min"], scale["max"]).all()
    np.testing.assert_allclose(data["tra"], (sim.raw.sort_values(["unit_id", "year"])["lpi"].to_numpy() - 1) / 4)
    t2 = published.load_table2().set_index("symbol").loc["tra"]
    assert abs(data["tra"].mean() / t2["mean"] - 1) < 0.1 and data["tra"].min() >= t2["min"]


def test_outputs_are_plausible_against_chinas_gdp(sim):
    raw, bm = sim.raw, simworld.load_benchmarks()
    unit_yuan = sim.params["raw_inputs"]["node_output_unit_yuan"]
    last = raw[raw["year"] == bm["china_gdp"]["year"]]
    industry_output = last.groupby("industry_id")["output"].first().sum()  # yuan
    assert 0.05 < industry_output / bm["china_gdp"]["yuan"] < 1.0
    node_output = (last[["y_front", "y_inter", "y_back", "y_final"]].sum(axis=1) * unit_yuan).sum()
    assert 0.05 < node_output / industry_output < 1.0
    for year, grp in raw.groupby("year"):  # in every year the node outputs stay below their industries'
        node = (grp[["y_front", "y_inter", "y_back", "y_final"]].sum(axis=1) * unit_yuan).sum()
        assert node < grp.groupby("industry_id")["output"].first().sum(), year


def test_robots_are_of_the_order_of_chinas_stock(sim):
    bm = simworld.load_benchmarks()["robots_in_operation"]
    total = sim.raw.loc[sim.raw["year"] == bm["year"], "robots"].sum()
    assert 0.2 < total / bm["units"] < 5


def test_every_segment_has_at_least_one_production_stage(sim, data):
    """At least one production stage per segment, except where ERL's target sits near its floor.

    Since issue 21's bounded indicators, AIE reaches values near 1, and a strongly negative group
    effect (labour industries) times such an AIE pushes a few rows' ERL target to its floor (block 7);
    their robots, hence y_F, are then tiny and NSC_front falls below one. Those rows are counted here:
    fewer than one in a thousand, and all with ERL below one.
    """
    short = ~(data[["NSC_front", "NSC_inter", "NSC_back"]] >= 1).all(axis=1)
    assert short.mean() < 1e-3, f"{int(short.sum())} rows have a segment without a production stage"
    assert (sim.truth.loc[short.to_numpy(), "ERL"] < 1).all()


def test_itse_lies_in_table2s_range_and_reaches_near_its_ends(data):
    t2 = published.load_table2().set_index("symbol").loc["ITSE"]
    width = t2["max"] - t2["min"]
    assert t2["min"] <= data["ITSE"].min() < t2["min"] + 0.05 * width
    assert t2["max"] - 0.05 * width < data["ITSE"].max() <= t2["max"]


def test_segment_outputs_and_agglomeration_indices_are_of_one_order(sim, data):
    ratio = (sim.raw["y_back"] / sim.raw["y_front"]).median()
    assert 0.25 < ratio < 4
    front_mean = data["IA_front"].groupby([data["industry_id"], data["year"]]).transform("mean")
    for seg in ("front", "inter", "back"):  # each segment's index against its industry-year's front index
        assert 0.25 < (data[f"IA_{seg}"] / front_mean).median() < 4, seg


def test_missing_itse_rows_are_completely_at_random(sim, data):
    missing = data["ITSE"].isna()
    assert missing.sum() == sim.params["design"]["itse_missing_rows"]
    # MCAR: missingness unrelated to the AIE and ERL of the row
    for var in ("AIE", "ERL"):
        gap = abs(data.loc[missing, var].mean() - data.loc[~missing, var].mean()) / data[var].std()
        assert gap < 0.15, var


# ------------------------------------------------------------------ the page
def test_parameter_table_lists_every_parameter_in_block_order():
    params = simulate.load_params()
    table = simworld.parameter_table(params)
    assert list(table["parameter"]) == sorted(table["parameter"], key=list(table["parameter"]).index)
    assert set(table["parameter"]) == set(simulate.leaf_paths(params))
    assert "?" not in set(table["block"]), "a section of params.yml has no block in PARAMETER_BLOCKS"
    blocks = list(dict.fromkeys(table["block"]))
    assert blocks == sorted(blocks, key=lambda b: int(b.split()[0].split("-")[0]))


def test_coherence_table_computes_every_check(sim, data):
    table = simworld.coherence_table(sim, data)
    assert len(table) >= 10 and not table["simulated panel"].isin(["nan", ""]).any()


def test_every_parameter_appears_on_the_built_page(root):
    from bs4 import BeautifulSoup

    path = root / "_build" / "html" / "chapters" / "simulated_world.html"
    assert path.is_file(), "the book is not built: run `make book`"
    text = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ")
    params = simulate.load_params()
    table = simworld.parameter_table(params)
    missing = [p for p in simulate.leaf_paths(params) if p not in text]
    assert not missing, f"parameters not on the simulated-world page: {missing}"
    for value in table["value"]:
        assert value in text, value
