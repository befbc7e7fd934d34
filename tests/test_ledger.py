"""The replication ledger: every published number has a row, every verdict follows the stated rules."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from aichain_utils.inputs.published import load_regression_cells, load_table1, load_table2
from aichain_utils.paths import repo_root
from aichain_utils.replication import claims, ledger

REGRESSION_STATS = ["coef", "se", "n", "adj_r2", "kp_lm", "kp_wald", "suest_p"]
#: A closest-world row (aichain_utils.replication.closestworld.closest_world_table) whose published number is
#: inside the band.
WORLD_INSIDE = {"id": "closest_world-00000000", "table": 3, "column": 1, "statistic": "coef", "published": 1.0,
                "world_mean": 1.05, "world_sd": 0.2, "mc_se": 0.014, "z": -0.25, "percentile": 0.4,
                "percentile_mc_se": 0.035, "band_low": 0.66, "band_high": 1.44, "replications": 200,
                "verdict": "consistent with the closest world"}  # fmt: skip


def _published_count() -> int:
    cells = load_regression_cells()
    return int(cells[REGRESSION_STATS].notna().sum().sum()) + len(load_table1()) + 5 * len(load_table2())


@pytest.fixture(scope="module")
def default_ledger():
    from aichain_utils.inputs.panel import build_analysis_panel
    from aichain_utils.simulation.simulate import simulate_panel

    return ledger.ledger_for_panel(build_analysis_panel(simulate_panel().raw))[0]


def _check_complete(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == ledger.COLUMNS
    assert len(frame) == _published_count(), "a published number has no ledger row (or one has two)"
    assert set(frame["statistic"]) <= set(ledger.STATISTICS)
    assert set(frame["verdict"]) <= set(ledger.VERDICTS)
    open_rows = frame[frame["verdict"] != "reproduced"]
    no_reason = open_rows[open_rows["reason"].fillna("").str.len() < 10]
    assert no_reason.empty, f"rows not reproduced without a reason: {no_reason.to_dict('records')}"
    assert not frame.duplicated(["table", "column", "statistic"]).any()


def test_the_ledger_covers_every_published_number(default_ledger):
    _check_complete(default_ledger)


def test_the_built_ledger_covers_every_published_number():
    """The ledger ``make book`` writes (make test builds the book before pytest)."""
    built = repo_root() / "_build" / "tables" / "ledger.csv"
    if not built.is_file():
        pytest.skip("the book has not been built")
    frame = pd.read_csv(built, dtype={"column": str}, keep_default_na=False, na_values=[""])
    frame["reason"] = frame["reason"].fillna("")
    _check_complete(frame)
    assert (repo_root() / "_build" / "tables" / "ledger.json").is_file()


def test_audit_flagged_cells_cannot_be_reproduced(default_ledger):
    # Table 5 (7) prints SE 0.000 (audit error): its SE and its coefficient's tolerance are impossible
    psm = default_ledger[(default_ledger["table"] == 5) & (default_ledger["column"] == "7")].set_index("statistic")
    assert psm.loc["se", "verdict"] == "cannot be reproduced"
    assert "zero standard error" in psm.loc["se", "reason"]
    # Table 4 (1): a one-year lag cannot keep the full N (audit warning, or a design no world changes)
    iv1 = default_ledger[(default_ledger["table"] == 4) & (default_ledger["column"] == "1")].set_index("statistic")
    assert iv1.loc["n", "verdict"] == "cannot be reproduced" and iv1.loc["n", "finding"]


def test_suest_p_of_an_estimated_group_column_is_compared(default_ledger):
    """Tables 7-9 print the suest p on every column of a group: an estimated column is never "not
    comparable: column not estimated" (the group's test is the column's)."""
    suest = default_ledger[default_ledger["statistic"] == "suest_p"]
    assert len(suest) == 8 and suest["replicated"].notna().all()
    assert not suest["reason"].str.contains("not estimated").any()


def test_no_typed_design_reason_for_the_regression_statistics(default_ledger):
    """Reasons of Tables 3-10 come from findings (audit or closest world), never from a typed list."""
    rows = default_ledger[(default_ledger["table"] >= 3) & (default_ledger["verdict"] != "reproduced")]
    assert (rows["finding"] != "").all()
    assert not rows["reason"].str.contains("observation unit \\(61 units").any()


@pytest.mark.parametrize(
    ("kwargs", "verdict"),
    [
        ({"statistic": "coef", "published": 1.0, "replicated": 1.09, "published_se": 0.1}, "reproduced"),
        ({"statistic": "coef", "published": 1.0, "replicated": 1.11, "published_se": 0.1}, "cannot be reproduced"),
        ({"statistic": "coef", "published": 1.0, "replicated": 1.3, "published_se": 0.1, "simulated": True,
          "world": WORLD_INSIDE}, "differs by design"),
        ({"statistic": "coef", "published": 1.0, "replicated": 1.3, "published_se": 0.1, "simulated": False,
          "world": WORLD_INSIDE}, "cannot be reproduced"),
        ({"statistic": "coef", "published": 1.0, "replicated": 1.3, "published_se": 0.1, "simulated": True,
          "world": {**WORLD_INSIDE, "verdict": "outside its 95% band"}}, "cannot be reproduced"),
        ({"statistic": "coef", "published": 1.0, "replicated": 1.3, "published_se": 0.1,
          "audit": ("sample_size-0123abcd", "audit (error): a planted finding")},
         "cannot be reproduced"),
        ({"statistic": "n", "published": 100, "replicated": 100}, "reproduced"),
        ({"statistic": "mean", "published": 4.0, "replicated": 4.5, "simulated": True}, "differs by design"),
        ({"statistic": "suest_p", "published": 0.0, "replicated": 0.049}, "reproduced"),
        ({"statistic": "suest_p", "published": 0.0, "replicated": 0.051}, "cannot be reproduced"),
        ({"statistic": "weight", "published": 0.05, "replicated": 0.0529}, "reproduced"),
        ({"statistic": "mean", "published": 4.0, "replicated": 4.13}, "cannot be reproduced"),
        ({"statistic": "coef", "published": 1.0, "replicated": None, "missing_reason": "Table 6 needs FSIE"},
         "not comparable"),
        ({"statistic": "coef", "published": 1.0, "replicated": math.nan}, "not comparable"),
    ],
)  # fmt: skip
def test_decide_follows_the_stated_rules(kwargs, verdict):
    world = kwargs.get("world")
    audit = kwargs.get("audit")
    got, reason, tolerance, finding = ledger.decide(
        kwargs.pop("statistic"), kwargs.pop("published"), kwargs.pop("replicated"), **kwargs
    )
    assert got == verdict
    assert tolerance
    if got != "reproduced":
        assert len(reason) > 10
    if audit:
        assert finding == audit[0]
    elif world is not None and (kwargs.get("simulated") or world["verdict"] == "outside its 95% band"):
        assert finding == world["id"]
    else:  # on other data a published number inside the world's band does not explain a gap
        assert finding == ""


def test_one_draw_reason_names_the_world_distribution():
    _, reason, _, finding = ledger.decide("coef", 1.0, 1.3, published_se=0.1, simulated=True, world=WORLD_INSIDE)
    assert finding == "closest_world-00000000"
    assert "one draw" in reason and "percentile 40.0" in reason and "200 draws" in reason


def test_verdict_line_marks_the_world_and_the_draw():
    rows = pd.DataFrame(
        [
            ledger._row(3, "1", "coef", 1.0, 1.01, "±0.1", "reproduced", "", ""),
            ledger._row(3, "2", "coef", 1.0, 2.0, "±0.1", "cannot be reproduced", "x-1", "audit: x"),
            ledger._row(3, "2", "se", 0.1, 0.1, "25%", "reproduced", "", ""),
        ]
    )
    html = ledger.verdict_line(rows, simulated=True)
    assert "1 of 2 within one published SE" in html and "one draw" in html
    assert "(1)&#8239;✓" in html and "(2)&#8239;✗" in html and "audit: x [x-1]" in html
    assert "inside its central 95% band" in html
    assert "one draw" not in ledger.verdict_line(rows, simulated=False)


def test_the_grid_links_every_coefficient_to_its_chapter(default_ledger):
    html = ledger.verdict_grid_html(default_ledger)
    coefs = default_ledger[default_ledger["statistic"] == "coef"]
    assert html.count("<a href=") == len(coefs)
    for table, chapter in ledger.CHAPTERS.items():
        if table >= 3:
            assert f"chapters/{chapter}.html" in html


def test_claims_on_the_published_tables():
    """Each claim is checked by its rule on the paper's own numbers (values printed in the paper)."""
    found = claims.evaluate_claims().set_index("id")
    # Table 8 prints front 1.410, middle 0.146, back 1.018: not decreasing, but the front is largest
    assert found.loc["T8-front-to-back", "published supports"] == "no"
    assert found.loc["T8-front-dominant", "published supports"] == "yes"
    # Table 7 prints labour -2.794 (SE 1.163): negative with p = 0.016
    assert found.loc["T7-labour-negative", "published supports"] == "yes"
    assert (found["replicated supports"] == "not comparable").all()


def test_a_missing_table_makes_its_rows_not_comparable(default_ledger):
    import dataclasses

    from aichain_utils.inputs.panel import build_analysis_panel
    from aichain_utils.simulation.simulate import simulate_panel

    ap = build_analysis_panel(simulate_panel().raw)
    ap = dataclasses.replace(ap, data=ap.data.assign(FSIE=float("nan")))
    frame, columns = ledger.ledger_for_panel(ap)
    # Table 6 is built in part: the FSIE column is not, the ITSE columns are (judged, not "not comparable")
    assert isinstance(columns[6], ledger.PartialColumns) and "FSIE" in columns[6].missing_reason
    built = {str(c.number) for c in columns[6]}
    t6 = frame[frame["table"] == 6]
    lacking = t6[~t6["column"].isin(built)]
    assert len(lacking) and (lacking["verdict"] == "not comparable").all()
    assert lacking["reason"].str.contains("FSIE").all()
    assert (
        built and (t6.loc[t6["column"].isin(built) & (t6["statistic"] == "coef"), "verdict"] != "not comparable").all()
    )
