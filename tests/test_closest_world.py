"""The closest world as a sampling distribution: its verdict rule, the stored Monte Carlo, fresh seeds,
and the built pages (no claim that agreement validates the code; no calibrated value given to the paper)."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

from aichain_utils.inputs.published import load_regression_cells
from aichain_utils.paths import repo_root
from aichain_utils.replication import audit, closestworld, lab, ledger
from aichain_utils.simulation import simulate

HTML = repo_root() / "_build" / "html"


# --------------------------------------------------------------------------- the verdict rule
def test_verdict_rule_reads_the_distribution():
    draws = np.random.default_rng(5).normal(1.0, 0.2, 2000)
    assert closestworld.verdict(1.0, draws, 3)["verdict"] == "consistent with the closest world"
    out = closestworld.verdict(2.0, draws, 3)
    assert out["verdict"] == "outside its 95% band" and out["z"] == pytest.approx(5.0, abs=0.3)
    edge = float(np.quantile(draws, 0.975))
    assert closestworld.verdict(round(edge, 3), draws, 3)["verdict"] == "at the edge of its 95% band"
    # a statistic the design fixes (every draw equal): another value is one no world of the family produces
    assert closestworld.verdict(22608, np.full(50, 23485.0), 0)["verdict"] == "no world of the family produces it"
    assert closestworld.verdict(23485, np.full(50, 23485.0), 0)["verdict"] == "consistent with the closest world"
    assert closestworld.verdict(1.0, np.array([np.nan]), 3)["verdict"] == "not produced in the world"


def test_draws_are_compared_at_the_printed_precision():
    # a suest p printed as 0.000 is what any p below 0.0005 prints as
    assert closestworld.verdict(0.0, np.full(40, 1e-6), 3)["verdict"] == "consistent with the closest world"
    assert closestworld.verdict(0.0, np.full(40, 0.2), 3)["verdict"] == "no world of the family produces it"


def test_percentile_monte_carlo_error_shrinks_with_replications():
    rng = np.random.default_rng(1)
    small = closestworld.verdict(0.3, rng.normal(0, 0.2, 100), 3)
    large = closestworld.verdict(0.3, rng.normal(0, 0.2, 10_000), 3)
    assert large["percentile_mc_se"] < small["percentile_mc_se"] / 5
    assert large["mc_se"] == pytest.approx(0.2 / 100, rel=0.1)


# --------------------------------------------------------------------------- the stored Monte Carlo
@pytest.fixture(scope="module")
def stored():
    return closestworld.load_world()


@pytest.fixture(scope="module")
def world():
    return closestworld.closest_world_table()


def test_stored_world_monte_carlo_is_current(stored):
    """The stored results match their fingerprint (parameters, code, settings): rerun make montecarlo-world."""
    frame, meta, current = stored
    assert meta["what"] == "world"
    assert current, "data/montecarlo/world is stale: run `make montecarlo-world` (after `make calibrate`)"
    assert meta["reps"] >= 200 and frame["replication"].nunique() == meta["reps"]


def test_world_seeds_are_disjoint_from_calibration_and_default(stored):
    _, meta, _ = stored
    seeds = meta["seeds"]
    assert seeds["master_seed"] == closestworld.WORLD_MASTER_SEED == meta["first_seed"]
    assert seeds["master_seed"] != seeds["default_seed"]
    assert seeds["master_seed"] not in seeds["calibration_seeds"]
    assert closestworld.FRESH_MASTER_SEED not in {seeds["master_seed"], seeds["default_seed"],
                                                  *seeds["calibration_seeds"]}  # fmt: skip
    with pytest.raises(ValueError, match="master"):
        closestworld.world_seeds(seeds["default_seed"])


def test_world_table_covers_every_published_coefficient(world):
    assert list(world.columns) == closestworld.OUTPUT_COLUMNS
    cells = load_regression_cells()
    coefs = world[world["statistic"] == "coef"]
    assert len(coefs) == len(cells)
    assert not world["id"].duplicated().any()
    assert set(world["verdict"]) <= set(closestworld.VERDICTS)
    # the world produces every statistic the paper prints for Tables 3-10
    for stat in lab.WORLD_STATISTICS:
        assert (world["statistic"] == stat).sum() == cells[stat].notna().sum(), stat


def test_audit_family_reports_the_cells_the_world_does_not_produce(world):
    found = audit.check_closest_world(world)
    flagged = world[world["verdict"].isin(["outside its 95% band", "no world of the family produces it"])]
    assert sorted(f.id for f in found) == sorted(flagged["id"])
    ids = set(audit.run_audit()["id"])
    assert set(flagged["id"]) <= ids


def test_suest_p_of_group_columns_is_the_group_test():
    """Tables 7-9 print the suest p on every column of a group; each column takes its group's."""
    world = closestworld.closest_world_table()
    t8 = world[(world["table"] == 8) & (world["statistic"] == "suest_p")]
    assert len(t8) == 3 and np.ptp(t8["world_mean"].to_numpy()) == 0


# --------------------------------------------------------------------------- fresh seeds
FRESH_REPS = 8


def _decisive(published: float, draws: np.ndarray) -> str:
    """Inside / outside the central 95% band on a few draws (normal approximation), or "undecided"
    when the z-score's Monte Carlo error (sqrt(1/n + z^2/(2n))) leaves the side open."""
    n, mean, sd = len(draws), draws.mean(), draws.std(ddof=1)
    z = abs(published - mean) / sd
    se = np.sqrt(1 / n + z * z / (2 * n))
    if z + 2.5 * se < 1.96:
        return "inside"
    if z - 2.5 * se > 1.96:
        return "outside"
    return "undecided"


def test_printed_share_holds_on_fresh_seeds(world):
    """On seeds neither the stored Monte Carlo nor the calibration used, the share of published
    coefficients inside the world's 95% band is what the book prints, up to the fresh draws' error."""
    fresh = lab.monte_carlo(FRESH_REPS, closestworld.FRESH_MASTER_SEED, n_jobs=2, what="world")
    ok = fresh[(fresh["error"] == "") & (fresh["statistic"] == "coef")]
    coefs = world[world["statistic"] == "coef"].set_index(["table", "column"])
    calls = {}
    for (t, c), g in ok.groupby(["table", "column"]):
        calls[(t, c)] = _decisive(float(coefs.loc[(t, c), "published"]), g["value"].to_numpy())
    low = sum(v == "inside" for v in calls.values()) / len(coefs)
    high = 1 - sum(v == "outside" for v in calls.values()) / len(coefs)
    printed = closestworld.band_share(world)
    assert low - 1e-9 <= printed["share"] and printed["share_high"] <= high + 1e-9, (low, high, printed)
    for key, call in calls.items():  # a decisive fresh call never contradicts a decisive stored verdict
        stored_verdict = coefs.loc[key, "verdict"]
        if call == "inside":
            assert stored_verdict != "outside its 95% band", key
        if call == "outside":
            assert stored_verdict != "consistent with the closest world", key


# --------------------------------------------------------------------------- the ledger cites findings
def test_every_ledger_reason_of_tables_3_to_10_cites_a_finding_on_its_cell(world):
    from aichain_utils.inputs.panel import build_analysis_panel

    frame, _ = ledger.ledger_for_panel(build_analysis_panel(simulate.simulate_panel().raw))
    findings = audit.run_audit().set_index("id")
    by_id = world.set_index("id")
    rows = frame[(frame["table"] >= 3) & (frame["verdict"] != "reproduced")]
    assert (rows["verdict"] != "not comparable").all(), rows[rows["verdict"] == "not comparable"]
    for _, r in rows.iterrows():
        fid = r["finding"]
        assert fid, f"Table {r['table']} ({r['column']}) {r['statistic']}: a reason without a finding: {r['reason']}"
        if fid in by_id.index:
            w = by_id.loc[fid]
            assert (int(w["table"]), int(w["column"]), w["statistic"]) == (r["table"], int(r["column"]),
                                                                           r["statistic"])  # fmt: skip
        else:
            assert fid in findings.index, f"{fid} is no finding of this build"
            f = findings.loc[fid]
            assert f["table"] == f"Table {r['table']}" and int(r["column"]) in ledger._cells_of(f["cells"])


# --------------------------------------------------------------------------- the built pages
def _page_texts() -> dict[str, str]:
    if not (HTML / "index.html").is_file():
        pytest.skip("the book has not been built (make book)")
    out = {}
    for path in sorted(HTML.rglob("*.html")):
        if {"_sources", "_static", "_downloads"} & set(path.parts) or path.name in ("genindex.html", "api.html"):
            continue
        raw = re.sub(r"<script.*?</script>|<style.*?</style>", " ", path.read_text(errors="ignore"), flags=re.S)
        out[str(path.relative_to(HTML))] = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))
    return out


#: Sentences that say agreement with the published numbers checks the code.
VALIDATION_CLAIMS = re.compile(
    r"(agree\w*|match\w*|reproduc\w*|close to the published)[^.]{0,160}?"
    r"(validates? the code|shows? (that )?the code implements|evidence about (this book's|the) code|"
    r"code implements the (paper's |same )?design|estimator is (implemented|coded) so)",
    re.I,
)


def test_no_page_says_agreement_validates_the_code():
    bad = [f"{page}: …{m.group(0)}…" for page, text in _page_texts().items() for m in VALIDATION_CLAIMS.finditer(text)]
    assert not bad, "pages claim that agreement with the published numbers validates the code:\n" + "\n".join(bad)


def test_the_scan_catches_the_old_banner():
    old = ("every estimate in this book is computed on simulated data, and agreement with the published numbers "
           "validates the code, not the paper's claims.")  # fmt: skip
    assert VALIDATION_CLAIMS.search(old)
    old_box = "an estimate close to the published number shows that the code implements the design"
    assert VALIDATION_CLAIMS.search(old_box)


#: Words that give a number to the paper when they stand just before it.
ATTRIBUTION = re.compile(
    r"(the paper('s)? (prints?|reports?|publishes|estimates?)|published( coefficients?| values?| numbers?)?|"
    r"Table \d+('s)? [a-z ]{0,40}(average|is|are|prints?))\s*(of\s*|is\s*|are\s*|average\s*)?$",
    re.I,
)


def _calibrated_values() -> set[str]:
    """Calibrated values of params.yml (three decimals) that are not also a published number."""
    cal = closestworld.calibrated_values()
    values = {f"{float(v):.3f}" for v in cal.values() if isinstance(v, int | float) and abs(float(v)) < 100}
    cells = load_regression_cells()
    published = {f"{float(v):.3f}" for col in ("coef", "se", "adj_r2") for v in cells[col].dropna()}
    p = simulate.load_params()
    seg = simulate.segment_effects(p)
    values |= {f"{float(v):.3f}" for v in seg.values()}
    values.add(f"{np.mean([float(v) for v in p['effects']['segment_shares'].values()]):.3f}")
    return values - published - {"0.000", "-0.000"}


def _attributed(text: str, start: int, end: int) -> bool:
    """Whether the words before a number give it to the paper, or a table cell right after it names a
    published column as its source without the word "calibrated" in between."""
    if ATTRIBUTION.search(text[max(0, start - 60) : start]):
        return True
    after = text[end : end + 30]
    return bool(SOURCE_AFTER.match(after)) and "calibrat" not in after.lower()


#: A table cell after a number naming a published column as its source ("0.592 Table 6 col (1)").
SOURCE_AFTER = re.compile(r"\s*(set to\s*)?Table \d+ col", re.I)


def test_no_page_gives_a_calibrated_value_to_the_paper():
    values = _calibrated_values()
    bad = []
    for page, text in _page_texts().items():
        for m in re.finditer(r"(?<![\d.])-?\d+\.\d{3}(?!\d)", text):
            if m.group(0) in values and _attributed(text, m.start(), m.end()):
                bad.append(f"{page}: …{text[max(0, m.start() - 80) : m.end() + 40]}…")
    assert not bad, "calibrated values attributed to the paper:\n" + "\n".join(bad)


def test_the_attribution_scan_catches_the_segment_mean():
    mean = f"{np.mean([float(v) for v in simulate.load_params()['effects']['segment_shares'].values()]):.3f}"
    assert mean in _calibrated_values()
    text = f"The published Table 5 segment coefficients average {mean}, not"
    at = text.index(mean)
    assert _attributed(text, at, at + len(mean))
    fsie = f"{closestworld.calibrated_values()['effects.aie_on_fsie']:.3f}"
    old_table = f"AIE → FSIE {fsie} Table 6 col (1) AIE → ITSE forward"
    at = old_table.index(fsie)
    assert _attributed(old_table, at, at + len(fsie))
    new_table = f"AIE → FSIE {fsie} calibrated (make calibrate) Table 6 col (1): 1.701"
    at = new_table.index(fsie)
    assert not _attributed(new_table, at, at + len(fsie))


def test_closest_world_csv_is_written_by_the_build():
    path = repo_root() / "_build" / "tables" / "closest_world.csv"
    if not path.is_file():
        pytest.skip("the book has not been built (make book)")
    frame = pd.read_csv(path)
    assert list(frame.columns) == closestworld.OUTPUT_COLUMNS
    assert len(frame[frame["statistic"] == "coef"]) == len(load_regression_cells())


def test_make_help_documents_the_world_monte_carlo():
    makefile = (repo_root() / "Makefile").read_text(encoding="utf-8")
    assert "montecarlo-world:" in makefile and "-m aichain_utils.replication.closestworld" in makefile
    help_block = makefile.split("help:", 1)[1].split("\n\n", 1)[0]
    assert "make montecarlo-world" in help_block
