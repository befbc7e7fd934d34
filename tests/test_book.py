"""Checks on the built book (_build/html), which `make test` builds from scratch first.

These tests fail, rather than skip, when the book has not been built: run `make test`
(or `make book` before `pytest`).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urldefrag

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from aichain_utils.paths import toc_pages


def _html_dir(root: Path) -> Path:
    html = root / "_build" / "html"
    assert (html / "index.html").is_file(), "the book is not built: run `make book` (or `make test`)"
    return html


def _page(root: Path, name: str) -> BeautifulSoup:
    path = _html_dir(root) / f"{name}.html"
    assert path.is_file(), f"{path} was not built"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _tables(soup: BeautifulSoup) -> list:
    """Executed tables on a page: numbered ones (directive numbered-table) and any left in cell outputs."""
    return soup.select(".aichain-table table, .cell_output table")


def test_every_toc_entry_is_a_myst_notebook_or_page(root):
    for name in toc_pages(root):
        source = root / f"{name}.md"
        assert source.is_file(), f"_toc.yml lists {name} but {source} does not exist"
        if name.startswith("chapters/"):
            head = source.read_text(encoding="utf-8").split("---", 2)[1]
            meta = yaml.safe_load(head)
            assert meta["jupytext"]["text_representation"]["format_name"] == "myst"
            assert meta["kernelspec"]["name"] == "python3"


def test_no_notebook_with_outputs_is_committed(root):
    assert not [p for p in root.rglob("*.ipynb") if ".venv" not in p.parts and "_build" not in p.parts]


def test_every_toc_page_is_built_without_errors(root):
    for name in toc_pages(root):
        soup = _page(root, name)
        text = soup.get_text(" ")
        for bad in ["Traceback (most recent call last)", "NameError", "ModuleNotFoundError"]:
            assert bad not in text, f"{name}.html shows '{bad}'"
        assert not soup.select(".output.stderr"), f"{name}.html shows stderr output"
        assert not soup.select(".output.traceback"), f"{name}.html shows a traceback"


def test_chapters_show_executed_outputs(root):
    for name in toc_pages(root):
        if not name.startswith("chapters/"):
            continue
        soup = _page(root, name)
        executed = soup.select(".cell_output") + soup.select(".aichain-table table") + soup.select("figure img")
        assert executed, f"{name}.html has no executed output"


def test_framework_page_has_the_causal_diagram_and_tables(root):
    soup = _page(root, "chapters/framework")
    figure = soup.select_one("figure#fig-causal")
    assert figure is not None, "the causal diagram figure is missing"
    img = figure.find("img")
    assert img is not None, "the causal diagram was not rendered as an image"
    assert (_html_dir(root) / "chapters" / img["src"]).resolve().is_file()
    assert "Figure 1" in figure.get_text()
    assert len(_tables(soup)) >= 4
    text = soup.get_text(" ")
    # glued numbers come from data/published (Table 3 column 6, Table 6 column 1)
    assert "0.977" in text and "1.701" in text
    assert "H1" in text and "H2" in text and "H3" in text


def test_internal_links_resolve(root):
    html = _html_dir(root)
    broken = []
    for page in html.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        ids = {tag.get("id") for tag in soup.find_all(id=True)}
        for a in soup.find_all("a", href=True):
            href = a["href"]
            if href.startswith(("http://", "https://", "mailto:", "javascript:")):
                continue
            target, frag = urldefrag(href)
            if not target:
                if frag and frag not in ids:
                    broken.append((page.name, href))
                continue
            dest = (page.parent / target).resolve()
            if not dest.exists():
                broken.append((page.name, href))
    assert not broken, f"broken internal links: {broken[:10]}"


@pytest.mark.parametrize("asset", ["_static/aichain.css"])
def test_static_assets_are_copied(root, asset):
    assert (_html_dir(root) / asset).is_file()


def test_math_is_served_offline(root):
    soup = _page(root, "chapters/framework")
    scripts = [s.get("src", "") for s in soup.find_all("script")]
    assert any("mathjax" in s.lower() and not s.startswith("http") for s in scripts), scripts


def test_every_page_has_the_data_banner(root):
    html = _html_dir(root)
    for page in ["index", *[n for n in toc_pages(root) if n != "index"]]:
        soup = BeautifulSoup((html / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        banner = soup.select_one(".aichain-data-banner")
        assert banner is not None, f"{page}.html has no data banner"
        assert "simulated panel" in banner.get_text()


def test_measurement_page_has_figures_and_tables(root):
    soup = _page(root, "chapters/measurement")
    for fig_id in ["fig-years", "fig-groups"]:
        fig = soup.select_one(f"figure#{fig_id}")
        assert fig is not None and fig.find("img") is not None, fig_id
    tables = _tables(soup)
    assert len(tables) >= 3  # Tables 1-2 and the raw schema; the DGP's effects are on the next page
    text = soup.get_text(" ")
    assert "What this data is, and what it is not" in text
    assert "within 10%" in text


def test_simulated_world_page_has_the_dgp_parameters_and_coherence_tables(root):
    soup = _page(root, "chapters/simulated_world")
    for table_id in ["tbl-dgp-effects", "tbl-sim-params", "tbl-sim-coherence"]:
        assert soup.select_one(f"#{table_id} table") is not None, table_id
    assert "What calibration shows and does not" in soup.get_text(" ")


@pytest.mark.parametrize(
    ("page", "figures", "min_tables"),
    [
        ("chapters/baseline", ["fig-t3-coefs"], 2),
        ("chapters/endogeneity", ["fig-t4-coefs", "fig-t5-coefs", "fig-common-support"], 3),
        ("chapters/mechanisms", ["fig-t6-coefs"], 2),
        ("chapters/heterogeneity", ["fig-t7-coefs", "fig-t8-coefs", "fig-t9-coefs"], 3),
        ("chapters/value_extension", ["fig-t10-coefs"], 1),
        ("chapters/simulation_lab", ["fig-mc"], 4),
    ],
)
def test_estimation_chapters_show_tables_and_figures(root, page, figures, min_tables):
    soup = _page(root, page)
    for fig_id in figures:
        fig = soup.select_one(f"figure#{fig_id}")
        assert fig is not None and fig.find("img") is not None, fig_id
    assert len(_tables(soup)) >= min_tables
    text = soup.get_text(" ")
    if page != "chapters/simulation_lab":
        assert "coefficient, published" in text and "coefficient, replicated" in text


def test_rendered_tables_are_written_for_reuse(root):
    for n in (3, 4, 5, 6, 7, 8, 9, 10):
        for ext in ("csv", "tex"):
            assert (root / "_build" / "tables" / f"table{n}.{ext}").is_file()


def test_book_has_the_chapters_in_the_paper_order(root):
    files = toc_pages(root)
    expected = [
        "framework",
        "measurement",
        "simulated_world",  # the simulated panel's DGP, beside the measurement it feeds
        "baseline",
        "endogeneity",
        "mechanisms",
        "heterogeneity",
        "value_extension",
    ]
    assert [f.split("/")[-1] for f in files if f.startswith("chapters/")][: len(expected)] == expected


def test_audit_page_lists_computed_findings(root):
    from aichain_utils.replication import audit

    soup = _page(root, "chapters/audit")
    tables = _tables(soup)
    assert tables, "the findings table is missing"
    rows = tables[0].select("tbody tr")
    assert len(rows) == len(audit.run_audit())


def test_every_chapter_has_objectives_and_two_to_four_exercises_with_hidden_solutions(root):
    for name in toc_pages(root):
        if not name.startswith("chapters/"):
            continue
        soup = _page(root, name)
        assert "Learning objectives" in soup.get_text(" "), name
        exercises = soup.select("div.exercise")
        solutions = soup.select("div.solution.dropdown")
        assert 2 <= len(exercises) <= 4, (name, len(exercises))
        assert len(solutions) == len(exercises), name


def test_glossary_covers_every_regression_variable(root):
    """Every variable of Table 2 and every outcome and regressor of Tables 3-10 has a glossary entry."""
    glossary = pd.read_csv(root / "data" / "glossary.csv", keep_default_na=False)
    symbols = set(glossary["symbol"])
    published = root / "data" / "published"
    needed = set(pd.read_csv(published / "table2_descriptives.csv")["symbol"])
    cells = pd.read_csv(published / "regression_cells.csv")
    printed = {"AIE (five-dimension index)": "AIE_alt"}  # Table 5 column (1) names the regressor in words
    needed |= {printed.get(v, v) for v in set(cells["outcome"]) | set(cells["regressor"])}
    needed |= {"IV1", "IV2", "IV3", "IV4"}  # Table 4's instruments (columns, not rows, of the printed table)
    missing = sorted(v for v in needed if v not in symbols)
    assert not missing, f"glossary.csv has no entry for {missing}"
    chapters = {Path(n).name for n in toc_pages(root) if n.startswith("chapters/")}
    for _, row in glossary.iterrows():
        for place in [w.strip() for w in row["where_used"].split(",")]:
            assert place in chapters, f"glossary '{row['term']}': where_used names no chapter: {place!r}"
    assert (glossary["chinese"].str.len() > 0).all()
    soup = _page(root, "glossary")
    terms = soup.select("main dl.glossary > dt")
    assert len(terms) == len(glossary)


def test_bibliography_lists_the_cited_works(root):
    soup = _page(root, "bibliography")
    text = soup.get_text(" ")
    for needle in ["Baron", "Kleibergen", "Stock", "Sobel", "Pang", "Mou"]:
        assert needle in text, needle


def test_every_table_and_figure_is_numbered_captioned_and_cited_in_the_text(root):
    """Issue 7: numbered, captioned tables and figures, each cross-referenced from the prose."""
    seen_numbers = set()
    for name in [n for n in toc_pages(root) if n.startswith("chapters/")]:
        soup = _page(root, name)
        main = soup.select_one("main")
        assert not main.select(".cell_output table"), f"{name}: a table is printed without a number and caption"
        assert not main.select(".cell_output img"), f"{name}: a figure is printed without a number and caption"
        items = main.select("div.aichain-table") + main.select("figure[id]")
        assert items, f"{name}: no numbered table or figure"
        for item in items:
            number = item.select_one(".caption-number")
            assert number is not None, f"{name}#{item['id']}: no number"
            kind = "Book table" if item.name == "div" else "Figure"
            label = number.get_text(" ").strip()
            assert label.startswith(kind), (name, label)
            assert label not in seen_numbers, f"{label} is used twice"
            seen_numbers.add(label)
            assert item.select_one(".caption-text").get_text(strip=True), f"{name}#{item['id']}: empty caption"
            if item.name == "div":
                assert item.select_one("table") is not None, f"{name}#{item['id']}: numbered table without a table"
            refs = [
                a
                for a in main.select(f'a[href$="#{item["id"]}"]')
                if item not in a.parents and a.get_text(strip=True).startswith(kind)
            ]
            assert refs, f"{name}: {label} ({item['id']}) is never cross-referenced from the text"


def test_every_chapter_offers_its_source_and_executed_notebook_for_download(root):
    """Issue 7: download buttons (.md and .ipynb); the .ipynb is the executed notebook, with outputs."""
    import json

    html = _html_dir(root)
    for name in [n for n in toc_pages(root) if n.startswith("chapters/")]:
        soup = _page(root, name)
        hrefs = [a["href"] for a in soup.select(".dropdown-download-buttons a[href], a.btn-download-source-button")]
        hrefs += [a["href"] for a in soup.find_all("a", href=True) if "_sources/" in a["href"]]
        for suffix in (".md", ".ipynb"):
            link = next((h for h in hrefs if h.endswith(suffix)), None)
            assert link is not None, f"{name}: no {suffix} download"
            target = (html / name).parent / link
            assert target.resolve().is_file(), f"{name}: {link} is missing"
        nb = json.loads((html / "_sources" / f"{name}.ipynb").read_text(encoding="utf-8"))
        outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
        assert outputs, f"{name}.ipynb has no outputs: it is not the executed notebook"
        # every table and figure of the page is in the notebook, each figure exactly once
        pngs = sum("image/png" in o.get("data", {}) for o in outputs)
        assert pngs == len(soup.select("main figure img")), f"{name}.ipynb: {pngs} images"
        # issue 15: figures are vector (SVG) on the site, with a PNG of at least 200 dpi beside them
        svgs = sum("image/svg+xml" in o.get("data", {}) for o in outputs)
        assert svgs == pngs, f"{name}.ipynb: {svgs} SVG figures for {pngs} PNGs"
        assert all(img["src"].endswith(".svg") for img in soup.select("main figure img")), name
        htmls = sum("<table" in "".join(o.get("data", {}).get("text/html", "")) for o in outputs)
        assert htmls >= len(soup.select("main div.aichain-table")), f"{name}.ipynb: {htmls} tables"


# --- Issue 15: the book as readers, students and teachers use it -------------------------------------

REGRESSION_TABLES = {"chapters/baseline": 1, "chapters/endogeneity": 2, "chapters/mechanisms": 1}


def test_tables_and_figures_are_numbered_by_chapter(root):
    """ "Book table 3.2" is the second table of chapter 3, the chapter number the page's title shows."""
    import re

    for name in [n for n in toc_pages(root) if n.startswith("chapters/")]:
        soup = _page(root, name)
        chapter = soup.select_one("main h1 .section-number")
        assert chapter is not None, f"{name}: the chapter has no number"
        number = chapter.get_text(strip=True).rstrip(".")
        for label in soup.select("main .caption-number"):
            text = label.get_text(" ", strip=True)
            assert re.fullmatch(rf"(Book table|Figure|Exercise) {number}\.\d+", text.rstrip(":. ")), (name, text)


@pytest.mark.parametrize("page", ["chapters/baseline", "chapters/endogeneity", "chapters/heterogeneity"])
def test_regression_tables_are_compact_with_the_paper_layout_in_a_toggle(root, page):
    """One row per column of the paper's table; every row of the paper's layout in a toggle below."""
    soup = _page(root, page)
    views = soup.select("main .aichain-regression-view")
    assert views, f"{page}: no regression table"
    for view in views:
        compact = view.select_one("table.aichain-compact")
        full = view.select_one("details.aichain-details table.aichain-regression")
        assert compact is not None and full is not None
        n_columns = len(full.select("thead th.col_heading"))
        assert len(compact.select("tbody tr")) == n_columns
        heads = [th.get_text(strip=True) for th in compact.select("thead th")]
        assert heads[2:4] == ["published coef. (SE)", "replicated coef. (SE)"], heads
        assert view.select_one(".aichain-wide") is not None  # the scroll box of the wide layout


def test_repository_url_is_written_once_and_every_link_uses_it(root):
    """_config.yml's repository.url is the one place of the address: no other repository link on the site."""
    url = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"].rstrip("/")
    html = _html_dir(root)
    stray = []
    for page in html.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for a in soup.find_all("a", href=True):
            href = a["href"]
            if "github.com/" in href and "/executablebooks/" not in href and not href.startswith(url):
                stray.append((page.name, href))
    assert not stray, f"repository links that do not use repository.url: {stray[:5]}"
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "repository.url" in readme, "the README must tell the publisher to set repository.url"


def test_repository_settings_switch_buttons_on_only_for_a_real_address():
    from aichain_utils.book.sphinxext import REPOSITORY_PLACEHOLDER, repository_settings

    options, sentence = repository_settings({"repository_url": REPOSITORY_PLACEHOLDER, "launch_buttons": {"x": 1}})
    assert options["use_repository_button"] is False and "launch_buttons" not in options
    assert "not set" in sentence
    options, sentence = repository_settings({"repository_url": "https://github.com/someone/aichain"})
    assert options["use_repository_button"] is True
    assert options["launch_buttons"]["binderhub_url"] and options["launch_buttons"]["colab_url"]
    assert "https://github.com/someone/aichain" in sentence


def test_landing_page_offers_downloads_licence_and_citation(root):
    soup = _page(root, "index")
    text = soup.get_text(" ")
    assert "MIT" in text and "CC BY 4.0" in text
    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["title"] in text and cff["version"] in text
    downloads = [a["href"] for a in soup.select("a.download, a.reference.download")]
    for needed in ["regression_cells.csv", "params.yml", "raw_example.csv", "LICENSE", "CITATION.cff"]:
        link = next((h for h in downloads if h.endswith(needed)), None)
        assert link is not None, f"no download of {needed}"
        assert (_html_dir(root) / link).is_file(), link
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    for page in ("teaching.html", "api.html", "genindex.html"):
        assert any(h.split("#")[0].endswith(page) for h in hrefs), f"the landing page does not link {page}"


def test_api_reference_documents_every_module_and_the_index_lists_them(root):
    from aichain_utils.book.sphinxext import api_modules

    soup = _page(root, "api")
    for module in api_modules():
        assert soup.find(id=f"module-{module}") is not None, f"{module} is not in the API reference"
    assert soup.select_one("dt#aichain_utils\\.replication\\.models\\.fit_two_way_fe") is not None
    index = BeautifulSoup((_html_dir(root) / "genindex.html").read_text(encoding="utf-8"), "html.parser")
    entries = index.select("table.indextable a")
    assert len(entries) > 100, f"the general index has {len(entries)} entries"
    assert any("fit_two_way_fe" in a.get_text() for a in entries)


def test_teaching_page_and_one_handout_per_chapter(root):
    import re

    soup = _page(root, "teaching")
    text = re.sub(r"\s+", " ", soup.get_text(" "))
    for needle in ["Audience and prerequisites", "Running the lab", "EDITION=student", "make pdf"]:
        assert needle in text, needle
    lessons = soup.select("main table tbody tr")
    assert 6 <= len(lessons) <= 8, len(lessons)
    handouts = _page(root, "handouts")
    chapters = [n for n in toc_pages(root) if n.startswith("chapters/")]
    sections = handouts.select("main section section")
    assert len(sections) == len(chapters)
    assert len(handouts.select("main .aichain-handout-break")) == len(chapters)
    for section in sections:
        assert "Learning objectives" in section.get_text(" ") and "Exercises" in section.get_text(" ")
    # every exercise of the book is on the lesson plan
    planned = {a["href"].split("#")[-1] for a in soup.select("main a[href]")}
    for name in chapters:
        for ex in _page(root, name).select("div.exercise"):
            assert ex.get("id") in planned, f"{name}#{ex.get('id')} is in no lesson"


def test_strip_solutions_removes_every_solution_block():
    from aichain_utils.book.sphinxext import strip_solutions

    text = ":::{exercise}\n:label: e1\nQ?\n:::\n\n"
    text += ":::{solution} e1\n:class: dropdown\n```python\nx = 1\n```\nA.\n:::\nafter\n"
    assert strip_solutions(text) == ":::{exercise}\n:label: e1\nQ?\n:::\n\nafter\n"


def _student_project(tmp_path, remove: bool = True):
    """A small Sphinx project wired as the book is: one exercise and its solution."""
    hooks = "    app.connect('doctree-read', _remove_solutions)\n" if remove else ""
    (tmp_path / "conf.py").write_text(
        "extensions = ['myst_parser', 'sphinx_exercise']\n"
        "myst_enable_extensions = ['colon_fence']\n"
        "from aichain_utils.book.sphinxext import (\n"
        "    _check_student_edition, _record_edition, _remove_solutions, _strip_downloaded_sources)\n"
        "def setup(app):\n"
        "    app.add_config_value('aichain_edition', '', 'env', types=[str])\n"
        "    app.connect('config-inited', _record_edition)\n"
        f"{hooks}"
        "    app.connect('build-finished', _strip_downloaded_sources)\n"
        "    app.connect('build-finished', _check_student_edition, priority=900)\n",
        encoding="utf-8",
    )
    (tmp_path / "index.md").write_text(
        "# T\n\n:::{exercise}\n:label: e1\nTHE-QUESTION\n:::\n\n:::{solution} e1\n:class: dropdown\nTHE-ANSWER\n:::\n",
        encoding="utf-8",
    )


def _build_small(tmp_path, name: str):
    from sphinx.application import Sphinx

    out = tmp_path / "_build" / name
    app = Sphinx(str(tmp_path), str(tmp_path), str(out), str(out / ".doctrees"), "html", status=None, warning=None)
    app.build()
    return out


def test_student_edition_removes_solutions_from_the_pages_and_sources(tmp_path, monkeypatch):
    """A small Sphinx project wired as the book is, built as each edition in turn into the same
    folder (as ``make book`` and ``make book EDITION=student`` do): the student edition has the
    exercise and no solution, neither in the page, the search index nor the downloadable source."""
    from aichain_utils.book.sphinxext import solution_leaks

    _student_project(tmp_path)
    for edition, has_answer in [("instructor", True), ("student", False), ("instructor", True)]:
        monkeypatch.setenv("AICHAIN_EDITION", edition)
        out = _build_small(tmp_path, "html")  # the same folder: switching editions re-reads the page
        html = (out / "index.html").read_text(encoding="utf-8")
        source = next((out / "_sources").glob("index.*")).read_text(encoding="utf-8")
        index = (out / "searchindex.js").read_text(encoding="utf-8").lower()
        assert "THE-QUESTION" in html and "THE-QUESTION" in source
        for where, text in [("page", html), ("source", source)]:
            assert ("THE-ANSWER" in text) is has_answer, (edition, where)
        assert ("solution to exercise" in index) is has_answer, (edition, "search index")
        assert bool(solution_leaks(out)) is has_answer, edition


def test_student_build_fails_when_a_solution_is_left(tmp_path, monkeypatch):
    """The leak check can fail: without the removal step, the student build stops and names the page."""
    from sphinx.errors import ExtensionError

    _student_project(tmp_path, remove=False)
    monkeypatch.setenv("AICHAIN_EDITION", "student")
    with pytest.raises(ExtensionError, match=r"solutions left in the output: index\.html"):
        _build_small(tmp_path, "student")


def test_switching_editions_keeps_the_execution_cache(monkeypatch):
    """The edition changes no notebook's outputs, so it is not in the inputs' fingerprint (the
    notebooks are not run again); the data source is."""
    from aichain_utils.book.buildstate import inputs_fingerprint

    monkeypatch.setenv("AICHAIN_EDITION", "instructor")
    before = inputs_fingerprint()
    monkeypatch.setenv("AICHAIN_EDITION", "student")
    assert inputs_fingerprint() == before
    monkeypatch.setenv("AICHAIN_DATA", "some-other-file.csv")
    assert inputs_fingerprint() != before


def test_the_built_site_is_the_edition_it_says(root):
    """The built book (``make book`` or ``make book EDITION=student``) matches its edition: the
    instructor edition shows every chapter's solutions, the student edition none."""
    from aichain_utils.book.sphinxext import solution_leaks

    html = _html_dir(root)
    edition = (html / ".edition").read_text(encoding="utf-8").strip()
    leaks = solution_leaks(html)
    teaching = " ".join(_page(root, "teaching").get_text(" ").split())
    assert (f"reading the {edition} edition" in teaching) or (f"reading the {edition}\xa0edition" in teaching), edition
    if edition == "student":
        assert not leaks, leaks[:5]
    else:
        chapters = [n for n in toc_pages(root) if n.startswith("chapters/")]
        for name in chapters:
            shown = any(leak.startswith(f"{name}.html") for leak in leaks)
            assert shown, f"{name}: no solution in the instructor edition"


def test_glossary_is_alphabetical_with_one_anchor_per_term_and_chapters_link_to_it(root):
    glossary = pd.read_csv(root / "data" / "glossary.csv", keep_default_na=False)
    soup = _page(root, "glossary")
    terms = soup.select("main dl.glossary > dt")
    names = [t.get_text(" ", strip=True).rstrip("#¶ ").strip() for t in terms]
    assert names == sorted(glossary["term"], key=str.casefold), names[:5]
    ids = [t.get("id") for t in terms]
    assert all(i and i.startswith("term-") for i in ids) and len(set(ids)) == len(ids)
    for t in terms:
        assert t.find_next_sibling("dd") is not None
    for name in [n for n in toc_pages(root) if n.startswith("chapters/")]:
        links = [a["href"].split("#")[-1] for a in _page(root, name).select('main a[href*="glossary.html#term-"]')]
        assert len(links) >= 3, f"{name}: {len(links)} links to the glossary"
        assert len(links) == len(set(links)), f"{name}: a term is linked more than once"
        assert set(links) <= set(ids), f"{name}: links to terms that do not exist"


def test_glossary_has_a_second_index_by_the_pinyin_of_the_chinese_terms(root):
    """A reader who knows the Chinese term finds it: the glossary's second index lists every term by
    its Chinese name in pinyin order, each row linking to the English entry."""
    from aichain_utils.book.glossary import pinyin_key

    glossary = pd.read_csv(root / "data" / "glossary.csv", keep_default_na=False)
    soup = _page(root, "glossary")
    anchor = soup.find(id="glossary-chinese")
    assert anchor is not None, "no Chinese index on the glossary page"
    section = anchor if anchor.name == "section" else anchor.find_parent("section")
    rows = section.select("table tbody tr")
    assert len(rows) == len(glossary)
    pinyin = [r.select("td")[1].get_text(" ", strip=True) for r in rows]
    assert pinyin == sorted(pinyin, key=pinyin_key)
    ids = {t.get("id") for t in soup.select("main dl.glossary > dt")}
    for row in rows:
        link = row.select_one('a[href*="#term-"]')
        assert link is not None and link["href"].split("#")[-1] in ids, row.get_text(" ", strip=True)
    assert any(r.select("td")[0].get_text(strip=True) == "“卡脖子”技术" for r in rows)


def test_every_glossary_term_has_its_pinyin():
    """data/glossary_pinyin.csv gives the pinyin of every term of data/glossary.csv (and no other)."""
    from aichain_utils.book.glossary import load_glossary, missing_pinyin
    from aichain_utils.paths import data_dir

    assert missing_pinyin() == [], "add these terms' pinyin to data/glossary_pinyin.csv"
    extra = set(pd.read_csv(data_dir() / "glossary_pinyin.csv")["term"]) - set(load_glossary()["term"])
    assert not extra, f"data/glossary_pinyin.csv has terms the glossary does not: {sorted(extra)}"


def test_pinyin_column_is_checked_against_the_chinese_term():
    """A pinyin that does not give one syllable per Chinese character fails the build with the term."""
    from aichain_utils.book.glossary import chinese_index_markdown, load_glossary

    frame = load_glossary()
    frame.loc[frame["term"] == "Caliper", "pinyin"] = "kǎ"
    with pytest.raises(ValueError, match=r"pinyin.*Caliper \(卡尺: 2 characters"):
        chinese_index_markdown(frame)
    frame.loc[frame["term"] == "Caliper", "pinyin"] = ""  # no pinyin yet: listed last, under its Chinese name
    assert chinese_index_markdown(frame).rstrip().endswith("| 卡尺 |  | {term}`Caliper` |")
