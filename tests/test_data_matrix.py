"""Every combination of optional variables: each table is built or says why not, never an exception.

Files that drop each optional group in turn (FSIE; ITSE; the forward/backward ITSE; the ELRI
segments; the alternative AIE; each instrument; LCV/WCV; the region and each group label; the
industry id), some combinations, and raw-input files with labels or inputs that cannot give a
table, are generated from a small simulated world (12 industries x 9 units x 11 years,
``tests/altdata.py``) at both input levels.

* **Cheap level** (in ``make test``): for every file, the panel is loaded through ``AICHAIN_DATA``
  as a chapter loads it, and every computation a chapter runs is asked of
  :mod:`aichain_utils.inputs.availability` first: each table, analysis and page-level summary either
  returns its result or its reason, and never raises.
* **Expensive level** (``make test-data-matrix``, run with ``AICHAIN_DATA_MATRIX=1``): a copy of the
  repository is built on the simulated panel, then incrementally on a few of those files in turn
  (finished-variable Stata files among them), and every page must show its table, or its reason and
  the columns the file can build, with no ``nan``, no empty number and no simulation-only sentence
  (``tests/test_incremental_builds.py``'s wording check); each file is byte-identical afterwards. The
  Chinese edition is then built on the same file from the same execution (issue 26), and its pages are held
  to the same rules in Chinese: no ``nan``, no simulation-only sentence (:data:`SIMULATION_ONLY_ZH`), a gated
  table's note under its Chinese title, and no untranslated paragraph.
"""

from __future__ import annotations

import functools
import html
import os
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import altdata
from test_reasons_zh import panel_problems

from aichain_utils.inputs import availability, schema

REQUIRED = [v.name for v in schema.ANALYSIS_VARIABLES if v.required]
OPTIONAL_GROUPS: dict[str, list[str]] = {
    "FSIE": ["FSIE"],
    "ITSE": ["ITSE"],
    "ITSE parts": ["ITSE_forward", "ITSE_backward"],
    "ELRI segments": ["ELRI_front", "ELRI_inter", "ELRI_back"],
    "AIE_alt": ["AIE_alt"],
    "IV1": ["IV1"],
    "IV2": ["IV2"],
    "IV3": ["IV3"],
    "IV4": ["IV4"],
    "LCV and WCV": ["LCV", "WCV"],
    "LCV": ["LCV"],
    "WCV": ["WCV"],
    "region": ["region"],
    "industry_type": ["industry_type"],
    "chain_position": ["chain_position"],
    "tech_level": ["tech_level"],
    "industry_id": ["industry_id"],
}


@functools.lru_cache(maxsize=1)
def _world() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The small world's raw inputs and its finished variables (every analysis-level column)."""
    from aichain_utils.inputs.panel import build_analysis_panel
    from aichain_utils.simulation.simulate import simulate_panel

    raw = simulate_panel(altdata.small_world_params(seed=5)).raw
    data = build_analysis_panel(raw, aie_weights="published").data
    names = [v.name for v in schema.ANALYSIS_VARIABLES if v.name in data.columns]
    return raw, data[names]


def finished_variants() -> dict[str, pd.DataFrame]:
    """Finished-variable frames: each optional group dropped in turn, then combinations."""
    full = _world()[1]
    optional = [c for c in full.columns if c not in REQUIRED]
    out = {f"finished without {name}": full.drop(columns=cols) for name, cols in OPTIONAL_GROUPS.items()}
    out["finished, required only"] = full[REQUIRED]
    out["finished, required + FSIE + ITSE"] = full[[*REQUIRED, "FSIE", "ITSE"]]
    gaps = full[~((full["unit_id"] % 3 == 0) & (full["year"] == 2017))]  # a third of the units skip a year
    out["finished, required + FSIE + ITSE, gaps"] = gaps[[*REQUIRED, "FSIE", "ITSE"]]
    out["finished, no labels, no instruments"] = full.drop(
        columns=["industry_type", "chain_position", "tech_level", "region", "IV2", "IV3", "IV4"]
    )
    late = full[full["year"] >= 2021]  # three years: Table 10 has two after the base year, Table 5 (5) two
    out["finished, three years"] = late
    one_type = full.assign(industry_type="labour")
    out["finished, one industry type"] = one_type
    assert all(c in full.columns for c in optional)
    return out


def raw_variants() -> dict[str, pd.DataFrame]:
    """Raw-input frames: full, no ITSE input anywhere, unclassified labels, one technology level."""
    raw = _world()[0]
    out = {"raw, full": raw}
    out["raw, key_input empty"] = raw.assign(key_input=np.nan)
    out["raw, industries unclassified"] = raw.assign(industry_type="unclassified", chain_position="unclassified")
    out["raw, one technology level"] = raw.assign(tech_level="high")
    return out


def _write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".dta":
        frame.to_stata(path, write_index=False, version=118)
    else:
        frame.to_csv(path, index=False)
    return path


def _variant_names() -> list[str]:
    return [*finished_variants(), *raw_variants()]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("matrix")
    out = {}
    for k, (name, frame) in enumerate({**finished_variants(), **raw_variants()}.items()):
        stata = name.startswith("finished") and (k % 3 == 0 or name in BOOK_FILES)  # the book's files: .dta
        suffix = ".dta" if stata else ".csv"
        out[name] = _write(frame, folder / f"variant_{k:02d}{suffix}")
    return out


# ----------------------------------------------------------------------------- the cheap level
#: Variants that change the panel's shape or identifiers: every table is rebuilt on them. On a variant
#: that only drops optional variables, a table that uses none of them is the full file's table, which the
#: full variants build; only the tables that use a dropped variable are rebuilt there.
SHAPE_VARIANTS = ("gaps", "three years", "one industry type", "without industry_id", "without IV1", "raw, ")


@functools.lru_cache(maxsize=1)
def _audit() -> pd.DataFrame:
    from aichain_utils.replication import audit

    return audit.run_audit()  # about the published tables only: the same for every file


def _tables_to_build(name: str) -> set[int]:
    if any(s in name for s in SHAPE_VARIANTS) or name.startswith("finished, required"):
        return set(range(3, 11))
    dropped = {c for group, cols in OPTIONAL_GROUPS.items() if name.endswith(f"without {group}") for c in cols}
    return {p.table for p in availability.PARTS if dropped & {*p.needs, p.group}} | {3}


def run_chapters(ap, build: set[int] | None = None) -> dict[str, object]:
    """Every computation the chapters run on a panel, each asked of availability first.

    ``build``: the tables to compute (default all of Tables 3–10); the others give their reason only.
    Returns the name of each computation -> its result or its reason (a non-empty string). Any
    exception propagates: a computation availability allows must not fail.
    """
    from aichain_utils.book import handouts
    from aichain_utils.replication import audit, claims, heterogeneity, ledger, matching
    from aichain_utils.replication import columns as replication
    from aichain_utils.replication import measurement_tables as measurement
    from aichain_utils.report import tables as tbl
    from aichain_utils.robustness import causal_mediation, sensitivity, twfe_weights

    build = set(range(3, 11)) if build is None else build
    av = availability.assess(ap)
    d = ap.data
    out: dict[str, object] = {}
    builders = {
        3: lambda: replication.table3_columns(d, bootstrap_reps=0),
        4: lambda: replication.table4_columns(d),
        5: lambda: replication.table5_columns(d),
        6: lambda: replication.table6_columns(d, bootstrap_reps=0),
        7: lambda: replication.table7_columns(d),
        8: lambda: replication.table8_columns(d),
        9: lambda: replication.table9_columns(d),
        10: lambda: replication.table10_columns(d),
    }
    replicated: dict[int, list | str] = {}
    for t, make in builders.items():
        reason = ap.missing_reason(f"Table {t}")
        assert reason == av.table(t)
        if reason is not None:
            replicated[t] = reason
            if t in build and av.built_columns(t):  # the columns availability allows, built alone
                cols = replication.table_columns(t, d, columns=av.built_columns(t), bootstrap_reps=0)
                assert [c.number for c in cols] == av.built_columns(t), t
                out[f"Table {t} partly"] = tbl.render_table(t, cols)
        elif t in build:
            replicated[t] = make()
            out[f"Table {t} rendered"] = tbl.render_table(t, replicated[t])
        out[f"Table {t}"] = replicated.get(t, "built on the full file")
    if av.analysis("propensity-score matching") is None and 5 in build:
        out["matching"] = matching.balance_table(matching.match_on_propensity(d))
    if 3 in build and av.analysis("omitted-confounder sensitivity") is None:
        out["sensitivity"] = sensitivity.sensitivity_analysis(d)
    if 3 in build and av.analysis("two-way fixed-effects weights") is None:
        out["twfe weights"] = twfe_weights.twfe_weights(d)
    if av.analysis("causal mediation") is None and 6 in build:
        out["causal mediation"] = causal_mediation.causal_mediation(d, "FSIE", sims=50, seed=1)
    if av.analysis("group effects (suest)") is None and 9 in build:
        out["suest"] = heterogeneity.suest_test(d, "tech_level", ["high", "low"])
    simulated = ap.source is None or ap.source.is_simulated
    built = {t: c for t, c in replicated.items() if isinstance(c, (list, str))}
    frame = ledger.build_ledger(
        built, measurement.table1_comparison(ap), measurement.table2_comparison(ap), _audit(), simulated, None
    )
    assert audit is not None
    out["ledger"] = frame
    tidy = {t: tbl.render_table(t, cols).tidy for t, cols in built.items() if isinstance(cols, list)}
    out["claims"] = claims.evaluate_claims(tidy)
    out["handouts"] = handouts.handouts_markdown()
    out["summary"] = av.summary()
    return out


def _load(path: Path, monkeypatch):
    from aichain_utils.inputs import panel

    monkeypatch.setenv("AICHAIN_DATA", str(path))
    for var in ("AICHAIN_COLUMNS", "AICHAIN_AIE_WEIGHTS", "AICHAIN_SHEET", "AICHAIN_ENCODING"):
        monkeypatch.delenv(var, raising=False)
    return panel.load_analysis_panel()


@pytest.mark.parametrize("name", _variant_names())
def test_every_computation_returns_its_result_or_its_reason(files, name, monkeypatch):
    """... and every reason and builder's note the file gives has its Chinese text, with no English word left
    and the glossary's terms (tests/test_reasons_zh.py): a Chinese page shows it in Chinese."""
    ap = _load(files[name], monkeypatch)
    problems = panel_problems(ap)
    assert not problems, f"{name}: " + "\n".join(problems[:10])
    results = run_chapters(ap, _tables_to_build(name))
    for key, value in results.items():
        if isinstance(value, str):
            assert value.strip(), f"{name}: {key} gives an empty reason"
            assert not re.search(r"\bnan\b", value), f"{name}: {key}'s reason prints nan: {value}"
    ledger_frame = results["ledger"]
    not_built = [t for t in range(3, 11) if ap.missing_reason(f"Table {t}")]
    for t in not_built:  # the ledger counts only what the file let the book build
        rows = ledger_frame[ledger_frame["table"] == t]
        assert (rows["verdict"] == "not comparable").all(), f"{name}: Table {t} not built but judged"


#: Optional groups a finished file may carry or not, independently (the instruments one by one, the rest
#: as the paper's tables use them).
SUBSET_GROUPS = ["FSIE", "ITSE", "ITSE parts", "ELRI segments", "AIE_alt", "IV1", "IV2", "IV3", "IV4", "LCV",
                 "WCV", "region", "industry_type", "chain_position", "tech_level", "industry_id"]  # fmt: skip


def _subsets(n: int = 6, seed: int = 20261203) -> list[tuple[str, ...]]:
    """``n`` subsets of :data:`SUBSET_GROUPS` drawn with a fixed seed (each group kept with probability 1/2)."""
    rng = np.random.default_rng(seed)
    return [tuple(g for g in SUBSET_GROUPS if rng.random() < 0.5) for _ in range(n)]


@pytest.mark.parametrize("kept", _subsets(), ids=lambda k: "+".join(k) or "none")
def test_a_stata_file_with_any_subset_of_the_optional_variables(kept, tmp_path, monkeypatch):
    """The required variables plus a subset of the optional ones, in a Stata file: every part of Tables
    3-10 is decided by the variables it needs alone, the columns allowed are built (alone, when their table
    is not whole), and every computation of the chapters returns its result or its reason."""
    full = _world()[1]
    columns = [*REQUIRED, *(c for g in kept for c in OPTIONAL_GROUPS[g])]
    path = _write(full[columns], tmp_path / "subset.dta")
    ap = _load(path, monkeypatch)
    av = availability.assess(ap)
    formed = {"IV1", "industry_id"}  # the book forms them when the file lacks them
    have = set(columns) | formed
    for part in availability.PARTS:
        needs = {*part.needs, *([part.group] if part.group else [])}
        reason = av.parts[(part.table, part.columns[0])]
        assert (reason is None) == (needs <= have), (kept, part, reason)
        if reason is not None:
            assert any(n in reason for n in needs - have), (part, reason)
    assert not panel_problems(ap), panel_problems(ap)[:10]  # each reason and note in Chinese too
    run_chapters(ap, {4, 5, 6, 9, 10})


def test_each_dropped_group_is_named_in_the_reason(files, monkeypatch):
    """Dropping an optional group names it where it is needed, and leaves the other tables built."""
    expect = {
        "FSIE": (6, "FSIE"),
        "ITSE parts": (6, "ITSE_forward"),
        "ELRI segments": (5, "ELRI_front"),
        "AIE_alt": (5, "AIE_alt"),
        "IV2": (4, "IV2"),
        "IV3": (4, "IV3"),
        "IV4": (4, "IV4"),
        "LCV": (10, "LCV"),
        "WCV": (10, "WCV"),
        "region": (9, "region"),
        "industry_type": (7, "industry_type"),
        "chain_position": (8, "chain_position"),
        "tech_level": (9, "tech_level"),
    }
    for group, (table, word) in expect.items():
        ap = _load(files[f"finished without {group}"], monkeypatch)
        av = availability.assess(ap)
        reason = av.table(table)
        assert reason is not None and word in reason, (group, reason)
        assert av.table(3) is None
        others = [t for t in range(3, 11) if t != table and av.table(t) is not None]
        assert not others, (group, {t: av.table(t) for t in others})


def test_the_issue_file_names_what_table_10_lacks(files, monkeypatch):
    ap = _load(files["finished, required + FSIE + ITSE"], monkeypatch)
    assert ap.missing_reason("Table 10") == "Table 10 needs LCV and WCV; the file has neither."
    assert ap.missing_reason("Table 3") is None
    av = availability.assess(ap)
    assert av.column(4, 1) is None and av.column(4, 5) is None  # IV1 formed from AIE; first differences
    assert "IV2" in av.column(4, 2)


def test_formed_variables_are_available(files, monkeypatch):
    """IV1 is formed from AIE and the unit is the industry when the file has neither."""
    for name in ("finished without IV1", "finished without industry_id"):
        av = availability.assess(_load(files[name], monkeypatch))
        assert av.table(4) is None and av.table(3) is None, name


def test_a_table_with_too_few_years_says_so():
    from aichain_utils.inputs.panel import build_from_finished

    full = _world()[1]
    two = full[full["year"] >= 2022]
    av = availability.assess(build_from_finished(two))
    assert "two years after the base year" in av.table(10)
    assert av.table(3) is None


# ----------------------------------------------------------------------------- the expensive level
EXPENSIVE = pytest.mark.skipif(
    not os.environ.get("AICHAIN_DATA_MATRIX"), reason="the book builds of the data matrix: make test-data-matrix"
)
#: The files the expensive level builds the book on (each build takes a few minutes), one after the
#: other in one copy of the repository after a simulated build, as a replicator switches: the finished-
#: variable Stata files of the issue (the required variables alone; the required ones plus FSIE and ITSE
#: on an unbalanced panel), then a raw-input file whose ITSE input is empty.
BOOK_FILES = ["finished, required only", "finished, required + FSIE + ITSE, gaps", "raw, key_input empty"]
#: Chapters that gate the paper's tables: each shows every table whole, or its reason and the columns the
#: data can build (``replication.partial_view``).
GATED = {
    "chapters/endogeneity": (4, 5),
    "chapters/mechanisms": (6,),
    "chapters/heterogeneity": (7, 8, 9),
    "chapters/value_extension": (10,),
}


#: An empty glued number in prose: "()", "( 0 of 0 )", "= ." or "is ." where a number should stand.
EMPTY_NUMBER = re.compile(r"(?<![\w)])\(\s*\)(?!\w)|\(\s*0 of 0\s*\)|(?:=|\bis|\bof)\s+[,.;](?!\d)")


def _prose(html: Path) -> str:
    """A page's text without its code (code cells legitimately contain "()")."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "pre"]):
        tag.decompose()
    for tag in soup.select(".cell_input"):
        tag.decompose()
    for tag in soup.select("code, .math"):  # inline code and mathematics are not numbers: a placeholder
        tag.replace_with("CODE")
    main = soup.find("main") or soup
    return main.get_text(" ", strip=True)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    """A copy of the repository built once on the simulated panel: the files' builds are incremental."""
    from sandbox import make_book
    from test_incremental_builds import IGNORE, ROOT, _seed_from_the_main_build

    repo = tmp_path_factory.mktemp("matrixbook") / "repo"
    shutil.copytree(ROOT, repo, ignore=IGNORE)
    _seed_from_the_main_build(repo)
    make_book(repo)
    assert (repo / "_build" / "html" / "index.html").is_file()
    return repo


@EXPENSIVE
@pytest.mark.parametrize("name", BOOK_FILES)
def test_the_book_builds_on_a_partial_file(sandbox, files, name):
    """Both editions on each file: the English pages, then the Chinese ones from the same execution."""
    from test_incremental_builds import NAN, SIMULATION_ONLY, _build_on_file

    from aichain_utils.inputs.panel import load_analysis_panel

    path, _, pages = _build_on_file(sandbox, files[name])  # the file is byte-identical afterwards
    assert path.suffix == (".dta" if name.startswith("finished") else ".csv")
    env_before = os.environ.get("AICHAIN_DATA")
    os.environ["AICHAIN_DATA"] = str(path)
    try:
        ap = load_analysis_panel()
        av = availability.assess(ap)
    finally:
        if env_before is None:
            os.environ.pop("AICHAIN_DATA")
        else:
            os.environ["AICHAIN_DATA"] = env_before
    for page, gated in GATED.items():
        text = pages[page]
        if all(av.table(t) is None for t in gated):
            assert "Not built on these data" not in text, page
        for table in gated:
            reason = av.table(table)
            if reason is None:
                continue
            assert "Not built on these data" in text and reason[:40] in text, (page, reason)
            if av.built_columns(table):  # the columns it can build are shown, under the reason
                assert f"Table {table} on these data:" in text, (page, table, av.built_columns(table))
    for page, text in pages.items():
        if m := NAN.search(text):
            pytest.fail(f"{name}: {page} prints nan: {text[max(0, m.start() - 80) : m.end() + 40]}")
        if m := EMPTY_NUMBER.search(_prose(sandbox / "_build" / "html" / f"{page}.html")):
            pytest.fail(f"{name}: {page} prints an empty number: {text[max(0, m.start() - 80) : m.end() + 40]}")
        if page in ABOUT_THE_SIMULATION:
            continue
        for pattern in SIMULATION_ONLY:
            if m := re.search(pattern, text, re.I):
                where = text[max(0, m.start() - 80) : m.end() + 40]
                pytest.fail(f"{name}: {page} has simulation-only wording: {where}")
    _check_chinese_pages(sandbox, name, path, pages, ap)  # the Chinese edition, from the same execution


#: The Chinese wording of the simulation-only sentences (their catalogues' translations of
#: ``test_incremental_builds.SIMULATION_ONLY``): on a Chinese page built from other data, none may show.
SIMULATION_ONLY_ZH = [
    r"AIE 对 ERL 的真实效应为",
    r"与真实值相差",
    r"在模拟面板上，",  # "On the simulated panel, ..." (not "本书在模拟面板上运行": the book runs on it by default)
    r"在模拟面板上可以把",
    r"按构造都?是有效",
    r"模拟面板中设定的效应",
]
#: Pages whose simulation-only wording is their subject (the English and the Chinese checks skip them).
ABOUT_THE_SIMULATION = ("chapters/simulation_lab", "chapters/simulated_world")


def _build_chinese(repo: Path, path: Path) -> dict[str, str]:
    """The Chinese edition of ``repo`` built on the user's file ``path`` (``make book LANG=zh``, from the
    English build's execution: nothing runs again); the file must be byte-identical afterwards. Returns
    each Chinese page's text (``_build/html/zh``)."""
    from sandbox import make_book
    from test_incremental_builds import NOT_ABOUT_DATA, _page_text

    from aichain_utils.paths import toc_pages

    before = path.read_bytes()
    make_book(repo, "zh", AICHAIN_DATA=str(path))
    assert path.read_bytes() == before, "the user's file was modified"
    site = repo / "_build" / "html" / "zh"
    return {p: _page_text(site / f"{p}.html") for p in toc_pages(repo) if p not in NOT_ABOUT_DATA}


def _check_chinese_pages(sandbox: Path, name: str, path: Path, english: dict[str, str], ap) -> None:
    """The Chinese pages built on ``path`` hold the English pages' rules, in Chinese.

    No ``nan``; no paragraph of prose left in English (``test_browser.untranslated_paragraphs``, which skips
    glued values and cell outputs, hence the two checks after it); a gated table's note under its Chinese
    title exactly where the English page has it, with the table's reason in Chinese
    (:meth:`~aichain_utils.inputs.availability.Availability.table`'s ``zh``) and not in English; the panel
    builder's notes in Chinese on the measurement page; no simulation-only sentence
    (:data:`SIMULATION_ONLY_ZH`) outside the pages about the simulation.
    """
    from bs4 import BeautifulSoup
    from test_browser import untranslated_paragraphs
    from test_incremental_builds import NAN

    av = availability.assess(ap)
    pages = _build_chinese(sandbox, path)
    for page, text in pages.items():
        if m := NAN.search(text):
            pytest.fail(f"{name}: zh/{page} prints nan: {text[max(0, m.start() - 80) : m.end() + 40]}")
        html = sandbox / "_build" / "html" / "zh" / f"{page}.html"
        left = untranslated_paragraphs(BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser"))
        assert not left, f"{name}: zh/{page} has untranslated paragraphs: {left[:3]}"
        if page in GATED:  # the note's title as the chapters' catalogues translate "Not built on these data"
            assert ("Not built on these data" in english[page]) == ("未能在这些数据上构建" in text), page
            for table in GATED[page]:
                if (reason := av.table(table)) is not None:
                    assert reason.zh[:40] in text and reason.en[:40] not in text, (name, page, reason.zh)
        if page == "chapters/measurement":  # the builder's notes, a displayed Markdown list
            for note in ap.notes:
                assert note.zh[:30] in text and note.en[:30] not in text, (name, note.zh)
        if page in ABOUT_THE_SIMULATION:
            continue
        for pattern in SIMULATION_ONLY_ZH:
            if m := re.search(pattern, text):
                where = text[max(0, m.start() - 80) : m.end() + 40]
                pytest.fail(f"{name}: zh/{page} has simulation-only wording: {where}")


def simulation_wording_mismatches(entries, skip=ABOUT_THE_SIMULATION) -> list[str]:
    """Catalogue entries ``(page, msgid, msgstr)`` whose English has simulation-only wording
    (``test_incremental_builds.SIMULATION_ONLY``) and whose Chinese has none of :data:`SIMULATION_ONLY_ZH`, or
    the other way round: the Chinese check would miss such a sentence, or fail on a sentence true of any data."""
    from test_incremental_builds import SIMULATION_ONLY

    out = []
    for page, msgid, msgstr in entries:
        if page in skip or not msgstr:
            continue
        en = any(re.search(p, msgid, re.I) for p in SIMULATION_ONLY)
        zh = any(re.search(p, msgstr) for p in SIMULATION_ONLY_ZH)
        if en != zh:
            out.append(f"{page}: {'English only' if en else 'Chinese only'}: {msgid[:80]!r} / {msgstr[:40]!r}")
    return out


def _catalogue_entries() -> list[tuple[str, str, str]]:
    from babel.messages.pofile import read_po

    from aichain_utils.paths import repo_root

    folder = repo_root() / "locale" / "zh_CN" / "LC_MESSAGES"
    out = []
    for po in sorted(folder.rglob("*.po")):
        page = po.relative_to(folder).with_suffix("").as_posix()
        with po.open("rb") as fh:
            out += [(page, m.id, m.string) for m in read_po(fh) if isinstance(m.id, str) and m.id]
    return out


def test_the_chinese_simulation_only_wording_is_the_catalogues_translation_of_the_english():
    """The expensive level's Chinese patterns match exactly the catalogue translations of the paragraphs the
    English patterns match (cheap: the catalogues alone); a planted pair of each kind is reported."""
    assert not simulation_wording_mismatches(_catalogue_entries())
    planted = [
        ("chapters/baseline", "The true effect of AIE on ERL is 0.3.", "效应为 0.3。"),
        ("chapters/your_data", "Every chapter runs on a simulated panel.", "在模拟面板上，各章照常运行。"),
        ("chapters/simulation_lab", "It sets the truth: 0.3 from the truth.", "设定真实值。"),
    ]
    found = simulation_wording_mismatches(planted)
    assert [f.split(":")[0:2] for f in found] == [
        ["chapters/baseline", " English only"],
        ["chapters/your_data", " Chinese only"],
    ]


# ----------------------------------------------------------------------------- one place decides
#: Sections of the robustness chapter and the analysis of :data:`availability.ANALYSES` each runs.
ROBUSTNESS_SECTIONS = {
    "Every reading at once": "specification curve",
    "How strong would an omitted confounder": "omitted-confounder sensitivity",
    "Many tests at once": "multiple testing",
    "Causal mediation": "causal mediation",
    "What two-way fixed effects": "two-way fixed-effects weights",
    "One line per claim": "fragility summary",
}


def test_the_robustness_chapter_gates_each_analysis_as_availability_decides():
    from aichain_utils.paths import repo_root

    text = (repo_root() / "chapters" / "robustness.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    seen = set()
    for section in sections:
        title = section.splitlines()[0]
        name = next((a for s, a in ROBUSTNESS_SECTIONS.items() if title.startswith(s)), None)
        if name is None:
            continue
        seen.add(name)
        gates = re.findall(r"^%%when_available Tables? ([\d, ]+)$", section, flags=re.M)
        assert gates, title
        for gate in gates:
            assert tuple(int(v) for v in re.findall(r"\d+", gate)) == availability.ANALYSES[name], (title, gate)
        shown = re.findall(r"^`{3,}\{only\} (has_table[\w ]+)$", section, flags=re.M)
        for tags in shown:
            assert tuple(int(v) for v in re.findall(r"\d+", tags)) == availability.ANALYSES[name], (title, tags)
    assert seen == set(ROBUSTNESS_SECTIONS.values())


def test_analyses_figures_and_sentences_answer_from_the_tables(files, monkeypatch):
    ap = _load(files["finished, required + FSIE + ITSE"], monkeypatch)
    av = availability.assess(ap)
    assert av.analysis("omitted-confounder sensitivity") is None
    assert "IV2" in av.analysis("specification curve")
    assert av.figure("fig-t10-coefs") == av.table(10)
    assert av.sentence("truth") is not None and av.sentence("aie weights") is not None
    counts = av.counts()
    summary = av.summary()
    assert counts["built"] + counts["not_built"] == counts["columns"] == 38
    assert (summary["built"] == "no").sum() == sum(1 for r in av.parts.values() if r)
    assert set(summary.loc[summary["built"] == "no", "reason"].str.len().gt(0)) == {True}


def test_placeholders_never_duplicate_a_key_a_cell_that_ran_glued(tmp_path):
    """A cell of several tables skipped for one of them must not make a placeholder of a key another
    table's cell glued (myst-nb warns on a duplicate key, and the build treats warnings as errors)."""
    from IPython.core.interactiveshell import InteractiveShell

    from aichain_utils.book import notebook

    shell = InteractiveShell.instance()
    notebook.load_ipython_extension(shell)
    notebook.SKIPPED.clear()
    notebook.GLUED.discard("k6")
    shell.run_cell("from myst_nb import glue\nglue('k6', 1.0, display=False)").raise_error()
    assert "k6" in notebook.GLUED
    notebook.SKIPPED[6] = "Table 6 needs FSIE"  # as a skipped cell of Tables 5-9 would record
    page = tmp_path / "page.md"
    page.write_text("````{only} has_table6\n{glue:text}`k6` and {glue:text}`k6b`\n````\n", encoding="utf-8")
    glued = notebook.glue_placeholders(page)
    assert glued == ["k6b"]
    notebook.SKIPPED.clear()


# ----------------------------------------------------------------------------- partial tables
@pytest.mark.parametrize(
    ("table", "columns", "drop"),
    [
        (4, [1, 5], ["IV2", "IV3", "IV4"]),
        (5, [2, 3, 4, 5], ["AIE_alt"]),
        (6, [1], ["ITSE_forward", "ITSE_backward"]),
        (9, [3, 4], ["region"]),
        (10, [3, 4], ["LCV"]),
    ],
)
def test_a_partial_table_has_the_full_tables_columns(table, columns, drop):
    """The columns a file allows, built without the variables of the others, are the full table's columns."""
    from aichain_utils.inputs.panel import build_from_finished
    from aichain_utils.replication import columns as replication

    full = build_from_finished(_world()[1]).data
    whole = {c.number: c.estimate for c in replication.table_columns(table, full, bootstrap_reps=0)}
    part = replication.table_columns(table, full.drop(columns=drop), columns=columns, bootstrap_reps=0)
    assert [c.number for c in part] == columns
    for col in part:
        assert col.estimate.coef == pytest.approx(whole[col.number].coef, rel=1e-12, abs=1e-12)
        assert col.estimate.se == pytest.approx(whole[col.number].se, rel=1e-12, abs=1e-12)
        assert col.estimate.n == whole[col.number].n
    with pytest.raises(KeyError, match=drop[0]):  # the dropped variable's column cannot be asked for
        replication.table_columns(table, full.drop(columns=drop), bootstrap_reps=0)


@pytest.mark.parametrize("columns", [[], [0], [9], ["1"], [True]])
def test_partial_columns_outside_the_table_are_named(columns):
    from aichain_utils.errors import AichainInputError
    from aichain_utils.replication import columns as replication

    with pytest.raises(AichainInputError, match="'columns'"):
        replication.table4_columns(_world()[1], columns=columns)


def test_the_partial_view_shows_the_allowed_columns_under_the_reason(files, monkeypatch):
    from aichain_utils.replication import columns as replication

    ap = _load(files["finished, required + FSIE + ITSE"], monkeypatch)
    html = replication.partial_view(ap, [4, 5]).data
    assert "Table 4 on these data: columns (1) and (5)." in html
    assert "Table 4 columns (2)–(4) need IV2, IV3 and IV4; the file has none of them." in html
    assert "Table 5 on these data: columns (5)–(7)." in html
    assert replication.partial_table(ap, 10) is None  # no column of Table 10 without LCV and WCV
    assert [int(c) for c in replication.partial_table(ap, 4).tidy["column"]] == [1, 5]
    full = _load(files["finished without WCV"], monkeypatch)
    assert replication.partial_view(full, [4, 5]).data == ""


def test_the_partial_views_chinese_has_the_headings_and_reasons_in_chinese_and_the_same_tables(files, monkeypatch):
    """The Chinese page shows the partial view's Chinese (``text/html`` metadata, ZH_HTML): each heading and
    reason in Chinese, without the English sentence, around the very same tables (their words are the
    Chinese build's to translate)."""
    from aichain_utils.replication import columns as replication
    from aichain_utils.text import ZH_HTML

    ap = _load(files["finished, required + FSIE + ITSE"], monkeypatch)
    view = replication.partial_view(ap, [4, 5])
    english, meta = view._repr_html_()
    chinese = meta[ZH_HTML]
    av = availability.assess(ap)
    for t in (4, 5):
        head, why = av.partial_heading(t), av.table(t)
        assert head.zh in chinese and str(head) not in chinese and str(head) in english
        if why is not None:
            assert why.zh in chinese and str(why) not in chinese
    back = chinese  # the Chinese with each heading and reason put back in English is the English, byte for byte
    for t in (4, 5):
        for text in (av.partial_heading(t), av.table(t)):
            if text is not None:
                back = back.replace(html.escape(text.zh), html.escape(str(text)))
    assert back == english
    tables = re.compile(r"<table.*?</table>", re.S)
    assert tables.findall(english) == tables.findall(chinese) and tables.findall(english)
    # a file that builds no column of the tables asked: nothing to show, and no empty Chinese version (which
    # the Chinese build refuses): the chapter prints the reasons
    required = _load(files["finished, required only"], monkeypatch)
    assert not availability.assess(required).built_columns(6)
    none = replication.partial_view(required, [6])
    assert none.data == "" and not isinstance(none._repr_html_(), tuple)


# ----------------------------------------------------------------------------- the specification curve's AIE
def test_the_specification_curve_labels_the_datas_own_aie():
    """The curve calls the data's AIE by what it is: the weighting the book built it with, or the file's own."""
    import matplotlib.pyplot as plt

    from aichain_utils.inputs.panel import build_analysis_panel
    from aichain_utils.robustness import plots, speccurve

    raw = _world()[0]
    variants = speccurve.aie_weight_variants(raw)
    curves = {}
    for w in ("entropy", "published"):
        d = build_analysis_panel(raw, aie_weights=w).data
        curves[w] = speccurve.specification_curve(d, variants, null_reps=0, own_weights=w).table
    assert set(curves["published"]["weights"]) == {"published", "entropy", "equal"}
    assert len(curves["published"]) == len(curves["entropy"])  # the data's own weighting is not counted twice
    keys = ["weights", "sample", "estimator", "fe", "controls", "se"]
    a = curves["entropy"].set_index(keys).sort_index()["estimate"]
    b = curves["published"].set_index(keys).sort_index()["estimate"]
    assert np.allclose(a.to_numpy(), b.loc[a.index].to_numpy(), rtol=1e-9, atol=1e-12)
    finished = _world()[1]
    curve = speccurve.specification_curve(finished, None, null_reps=0, own_weights="the file's AIE")
    assert curve.summary()["book_estimate"] == curve.summary()["book_estimate"]  # the book's row is found (not nan)
    fig = plots.plot_specification_curve(curve)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert "AIE weights: the file's AIE" in labels and not any("entropy" in t for t in labels)
    plt.close(fig)


def test_a_reading_without_usable_rows_is_left_out_of_the_curve_and_named(files, monkeypatch):
    """Without the ITSE input ERL has no value under upsilon=mediators: the curve leaves that reading out,
    says why, and is estimated on the others (the robustness chapter failed on this file)."""
    from aichain_utils.inputs import panel
    from aichain_utils.replication import measurement_tables as measurement
    from aichain_utils.robustness import speccurve

    ap = _load(files["raw, key_input empty"], monkeypatch)
    raw = panel.read_raw_file(ap.source.path)
    alts = measurement.alternative_panels(ap, switches=speccurve.CURVE_SWITCHES, raw=raw)
    readings, left_out = speccurve.usable_readings({f"{n}={v}": a.data for (n, v), a in alts.items()})
    assert list(left_out) == ["upsilon=mediators"] and "complete rows" in left_out["upsilon=mediators"]
    assert readings and "upsilon=mediators" not in readings
    curve = speccurve.specification_curve(ap.data, None, null_reps=0, readings=readings, own_weights="published")
    assert set(curve.table["reading"]) == {"book", *readings}


def test_the_ledger_judges_the_columns_a_partial_table_builds(files, monkeypatch):
    """At-a-glance and the ledger count what the file let the book build: Table 4's IV1 and first-difference
    columns are judged on a file without IV2-IV4, and only the columns it lacks are 'not comparable',
    with availability's reason; a table that cannot be built at all keeps its reason in every row."""
    from aichain_utils.replication import ledger

    ap = _load(files["finished, required + FSIE + ITSE"], monkeypatch)
    columns = ledger.replicate_tables(ap)
    assert isinstance(columns[4], ledger.PartialColumns) and [c.number for c in columns[4]] == [1, 5]
    assert 4 not in ledger.whole_tables(columns) and 3 in ledger.whole_tables(columns)
    rows = ledger.ledger_for_tables(columns, ap)
    t4 = rows[(rows["table"] == 4) & (rows["statistic"] == "coef")].set_index("column")
    assert t4.loc[["1", "5"], "replicated"].notna().all()
    assert (t4.loc[["1", "5"], "verdict"] != "not comparable").all()
    for col in ("2", "3", "4"):
        assert t4.loc[col, "verdict"] == "not comparable"
        assert t4.loc[col, "reason"].startswith("Table 4 columns (2)–(4) need IV2, IV3 and IV4")
    t10 = rows[rows["table"] == 10]
    assert (t10["verdict"] == "not comparable").all() and t10["reason"].str.contains("LCV").all()
