"""The teaching kit and the run-anywhere kit (issue 24, items 4 and 5).

* the course plan: every lesson's lecture and lab fit their minutes (from ``teaching.md``);
* the handouts: exercises numbered as in the chapter, numbers pasted from the chapter, the chapter's
  table with its numbers, and, printed (``make pdf EDITION=student``), one page per chapter;
* the PDFs: the student edition's (no solution, no API reference, every exercise) is checked in
  ``tests/test_pdf_student.py``;
* the API reference documents every public function and class of every module and subpackage;
* the kit in the site: the wheel of ``aichain_utils`` (cached by its inputs' digest), the pinned
  requirements, the course pack, the download menu's two commands; and (slow) a fresh virtual
  environment that installs the wheel and the requirements runs a downloaded chapter notebook.

Tests of a built site or PDF skip when it is not built (``make book``; ``make pdf EDITION=student``).
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from aichain_utils.book import kit
from aichain_utils.book.handouts import handouts_markdown
from aichain_utils.paths import toc_pages

PLACEHOLDER = "[number in the chapter]"


def _chapters(root: Path) -> list[str]:
    return [p for p in toc_pages(root) if p.startswith("chapters/")]


def _site(root: Path) -> Path:
    html = root / "_build" / "html"
    if not (html / "index.html").is_file():
        pytest.skip("the book is not built: run `make book`")
    return html


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _pdf_pages(path: Path) -> list[str]:
    if not path.is_file():
        pytest.skip(f"{path.name} is not built: run `make pdf EDITION=student`")
    from pypdf import PdfReader

    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(path).pages]


def _exercise_labels(root: Path, chapter: str) -> list[str]:
    return re.findall(r"^:::\{exercise\}\n:label: ([\w-]+)$", (root / f"{chapter}.md").read_text("utf-8"), re.M)


# --------------------------------------------------------------------------- the course plan
def _plan_rows(root: Path) -> list[list[str]]:
    text = (root / "teaching.md").read_text(encoding="utf-8")
    rows = [ln for ln in text.splitlines() if re.match(r"^\| \d+ \|", ln)]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in rows]


def test_every_lesson_fits_its_minutes(root):
    """Lecture: at most three topics, each of ten minutes or more, adding up to the 40 minutes; lab: at
    most three exercises in 40 minutes; every exercise of the book is in the plan (lab or at home)."""
    rows = _plan_rows(root)
    assert len(rows) == 8, f"the plan has {len(rows)} lessons"
    planned = set()
    for lesson, _chapter, lecture, lab, home in rows:
        minutes = [int(m) for m in re.findall(r"\((\d+) min\)", lecture)]
        assert minutes, f"lesson {lesson}: the lecture gives no minutes per topic"
        assert sum(minutes) == 40, f"lesson {lesson}: the lecture's topics take {sum(minutes)} of 40 minutes"
        assert len(minutes) <= 3 and min(minutes) >= 10, f"lesson {lesson}: {minutes}: too many topics for 40 min"
        lab_exercises = re.findall(r"\{ref\}`(ex-[\w-]+)`", lab)
        assert 1 <= len(lab_exercises) <= 3, f"lesson {lesson}: {len(lab_exercises)} exercises in a 40-minute lab"
        planned |= set(lab_exercises) | set(re.findall(r"\{ref\}`(ex-[\w-]+)`", home))
    every = {label for chapter in _chapters(root) for label in _exercise_labels(root, chapter)}
    assert every - planned == set(), f"exercises in no lesson: {sorted(every - planned)}"


# --------------------------------------------------------------------------- the handouts
def test_handouts_number_exercises_as_the_chapter_and_paste_its_numbers(root):
    text = handouts_markdown(root)
    assert PLACEHOLDER not in text
    for chapter in _chapters(root):
        for label in _exercise_labels(root, chapter):
            assert f"{{numref}}`Exercise %s <{label}>`" in text, f"{label} is not numbered as in its chapter"
    # every pasted number points at a chapter's executed notebook, and every handout pastes a table
    for role in re.findall(r"\{glue:text\}`([^`]*)`", text):
        assert re.match(r"/chapters/\w+\.md::\w+:", role), role
    assert text.count("```{glue:any}") >= len(_chapters(root)) - 1
    assert "\\tag{17}" in text and "\\tag{4}" in text  # value extension's LCV, mechanisms' ITSE chain


def test_built_handouts_show_tables_numbers_and_the_chapters_exercise_numbers(root):
    soup = _soup(_site(root) / "handouts.html")
    text = " ".join(soup.get_text(" ").split())
    assert PLACEHOLDER not in text
    sections = soup.select("main section section")
    assert len(sections) == len(_chapters(root))
    with_table = [s for s in sections if s.select(".aichain-handout-table table")]
    assert len(with_table) >= len(sections) - 1, f"{len(sections) - len(with_table)} handouts without a table"
    baseline = next(s for s in sections if s.get("id", "").startswith("baseline") or "Table 3" in s.h2.get_text())
    numbers = re.findall(r"Exercise (\d+)\.(\d+)", baseline.get_text(" "))
    assert {n for _, n in numbers} >= {"1", "2", "3"} and len({c for c, _ in numbers}) == 1, numbers


def test_printed_handouts_are_one_page_per_chapter(root):
    """One page per chapter, each with its chapter's title and exercises, and the first page with the
    handouts page's own title (the theme hides a page's first heading in print; issue 24)."""
    pages = _pdf_pages(root / "_build" / "pdf" / kit.HANDOUTS_PDF)
    chapters = _chapters(root)
    assert len(pages) == len(chapters), f"{len(pages)} pages for {len(chapters)} chapters"
    title = re.search(r"^# (.+)$", (root / "handouts.md").read_text("utf-8"), re.M).group(1)
    assert re.sub(r"\s+", "", title) in re.sub(r"\s+", "", pages[0]), f"the handouts' title '{title}' is not printed"
    for page, chapter in zip(pages, chapters, strict=True):
        title = re.search(r"^# (.+)$", (root / f"{chapter}.md").read_text("utf-8"), re.M).group(1)
        squashed = re.sub(r"\s+", "", page)
        assert re.sub(r"\s+", "", title)[:30] in squashed.replace("’", "'"), f"{chapter}: not on its own page"
        assert PLACEHOLDER not in page
        assert re.search(r"Exercise \d+\.1", page), f"{chapter}: its exercises are not numbered as in the chapter"


def test_printed_chinese_handouts_are_one_page_per_chapter_under_its_chinese_title(root):
    """The Chinese handouts (issue 26), printed from the Chinese handouts page: one page per chapter, under
    the chapter's title as its catalogue translates it, with the exercises numbered as in the chapter."""
    from aichain_utils.book.handouts import chapter_catalogue

    path = root / "_build" / "pdf" / kit.HANDOUTS_PDF_ZH
    if not path.is_file() and os.environ.get("CI"):
        pytest.fail("make test prints the Chinese handouts (tools/course_pack.py), and they are missing")
    import unicodedata

    pages = [unicodedata.normalize("NFKC", page) for page in _pdf_pages(path)]  # the fonts' radicals: 人, not ⼈
    chapters = _chapters(root)
    assert len(pages) == len(chapters), f"{len(pages)} pages for {len(chapters)} chapters"
    for page, chapter in zip(pages, chapters, strict=True):
        english = re.search(r"^# (.+)$", (root / f"{chapter}.md").read_text("utf-8"), re.M).group(1)
        title = chapter_catalogue(root, Path(chapter).name, "zh_CN").get(" ".join(english.split()))
        assert title, f"{chapter}: its title has no translation"
        title = unicodedata.normalize("NFKC", title)
        assert re.sub(r"\s+", "", title)[:12] in re.sub(r"\s+", "", page), f"{chapter}: not on its own page"
        assert PLACEHOLDER not in page and re.search(r"练习 ?\d+\.1", page), f"{chapter}: exercises not numbered"


# --------------------------------------------------------------------------- the course pack's PDFs
def test_course_pack_carries_the_student_pdf_and_the_handouts(root):
    """The site's course pack holds the student edition's PDF and the handouts' PDF that ``make test``
    (or ``make pdf EDITION=student``) printed, byte for byte, and its README lists them. Skipped, except
    in CI, when they were not printed (no Chromium)."""
    printed = [root / "_build" / "pdf" / name for name in (kit.STUDENT_PDF, kit.HANDOUTS_PDF)]
    if not all(p.is_file() for p in printed):
        if os.environ.get("CI"):
            pytest.fail("make test should have printed the student and handout PDFs")
        pytest.skip("the student or handout PDF is not printed: run `make pdf EDITION=student`")
    student_pack = root / "_build" / "student" / "html" / kit.KIT_DIR / kit.PACK_NAME  # make pdf EDITION=student
    packs = [_site(root) / kit.KIT_DIR / kit.PACK_NAME] + ([student_pack] if student_pack.is_file() else [])
    for pack in packs:
        with zipfile.ZipFile(pack) as zf:
            for pdf in printed:
                member = f"aichain-course-pack/{pdf.name}"
                assert member in zf.namelist(), f"{pack}: no {pdf.name}"
                assert zf.read(member) == pdf.read_bytes(), f"{pack}: {pdf.name} is not the printed one"
            readme = zf.read("aichain-course-pack/README.txt").decode("utf-8")
        assert all(f"  {pdf.name}" in readme for pdf in printed), readme


# --------------------------------------------------------------------------- the Chinese course pack
def test_a_notebooks_markdown_is_translated_heading_paragraph_item_and_directive_and_the_rest_kept():
    """The Chinese pack's notebooks: what the chapter's catalogue translates is in Chinese (a heading, a
    paragraph over two lines, a list item, an exercise's text between its options and its closing fence, a
    directive's title), the rest as written (an untranslated paragraph, the options, an equation)."""
    source = (
        "# Baseline (Table 3)\n\nThe first\nparagraph.\n\n1. an item\n   over two lines\n\nNot in it.\n\n"
        ":::{exercise}\n:label: ex-1\nDo it\nby hand.\n:::\n\n"
        ":::{admonition} Learning objectives\n:class: tip\n:::\n\n$$x$$"
    )
    catalogue = {
        "Baseline (Table 3)": "基准回归（表 3）",
        "The first paragraph.": "第一段。",
        "an item over two lines": "一项",
        "Do it by hand.": "手工计算。",
        "Learning objectives": "学习目标",
    }
    out = kit.translated_markdown(source, catalogue)
    assert out.startswith("# 基准回归（表 3）\n") and "第一段。" in out and "1. 一项" in out
    assert ":::{exercise}\n:label: ex-1\n手工计算。\n:::" in out and ":::{admonition} 学习目标\n:class: tip" in out
    assert "Not in it." in out and "$$x$$" in out and "The first" not in out
    assert kit.translated_markdown(source, {}) == source


def _zh_pack(root: Path) -> zipfile.ZipFile:
    pack = _site(root) / "zh" / kit.KIT_DIR / kit.PACK_NAME
    if not pack.is_file():
        if os.environ.get("CI"):
            pytest.fail("make test builds the Chinese edition, and its course pack is missing")
        pytest.skip("the Chinese edition is not built (make book)")
    return zipfile.ZipFile(pack)


def test_the_chinese_course_pack_is_the_chinese_editions(root):
    """The Chinese site's course pack (issue 26): a Chinese README that lists the Chinese PDFs it holds
    (byte for byte the printed ones; in CI they must be printed), no English PDF, and every chapter's
    notebook with its title in Chinese, no solution, and the English pack's code and outputs (one
    execution: the same numbers)."""
    printed = [root / "_build" / "pdf" / name for name in (kit.STUDENT_PDF_ZH, kit.HANDOUTS_PDF_ZH)]
    if os.environ.get("CI") and not all(p.is_file() for p in printed):
        pytest.fail("make test should have printed the Chinese student and handout PDFs")
    prefix = "aichain-course-pack/"
    with _zh_pack(root) as zh, zipfile.ZipFile(_site(root) / kit.KIT_DIR / kit.PACK_NAME) as en:
        names = set(zh.namelist())
        readme = zh.read(f"{prefix}README.txt").decode("utf-8")
        assert "课程资料包" in readme and f"pip install -r requirements.txt {kit.wheel_name(root)}" in readme
        for pdf in (p for p in printed if p.is_file()):
            assert zh.read(f"{prefix}{pdf.name}") == pdf.read_bytes(), f"{pdf.name} is not the printed one"
            assert f"  {pdf.name}" in readme
        assert not {f"{prefix}{kit.STUDENT_PDF}", f"{prefix}{kit.HANDOUTS_PDF}"} & names, "an English PDF"
        for chapter in _chapters(root):
            member = f"{prefix}notebooks/{Path(chapter).name}.ipynb"
            nb, english = (json.loads(z.read(member)) for z in (zh, en))
            title = next(
                c for c in nb["cells"] if c["cell_type"] == "markdown" and "\n# " in "\n" + "".join(c["source"])
            )
            heading = re.search(r"^# (.+)$", "".join(title["source"]), re.M).group(1)
            assert re.search(r"[\u4e00-\u9fff]", heading), f"{member}: its title '{heading}' is not in Chinese"
            assert ":::{solution}" not in json.dumps(nb, ensure_ascii=False), f"{member} has solutions"
            code = [(c["source"], c.get("outputs")) for c in nb["cells"] if c["cell_type"] == "code"]
            assert code == [(c["source"], c.get("outputs")) for c in english["cells"] if c["cell_type"] == "code"]


# --------------------------------------------------------------------------- the API reference
def _public_callables(module_name: str):
    mod = importlib.import_module(module_name)
    names = getattr(mod, "__all__", None) or [n for n in vars(mod) if not n.startswith("_")]
    for name in names:
        obj = getattr(mod, name)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__.startswith("aichain_utils"):
            yield name, obj


def test_api_reference_documents_every_public_function_of_every_subpackage(root):
    from aichain_utils.book.sphinxext import api_modules

    modules = api_modules()
    for sub in ("econometrics", "robustness"):
        assert f"aichain_utils.{sub}" in modules
        assert any(m.startswith(f"aichain_utils.{sub}.") for m in modules), sub
    soup = _soup(_site(root) / "api.html")
    documented = {dt.get("id") for dt in soup.select("dt[id]")}
    missing = []
    for module in modules:
        for name, obj in _public_callables(module):
            if obj.__module__ != module and obj.__module__ in modules:
                continue  # re-exported: documented with the module that defines it
            if inspect.isfunction(obj) or module in modules:
                if f"{module}.{name}" not in documented:
                    missing.append(f"{module}.{name}")
    assert not missing, f"{len(missing)} public names not in the API reference: {missing[:20]}"


# --------------------------------------------------------------------------- the kit
def _fake_project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "aichain_utils").mkdir(parents=True)
    (root / "data" / "simulation").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "aichain_utils"\nversion = "9.9"\n', encoding="utf-8")
    (root / "aichain_utils" / "__init__.py").write_text("X = 1\n", encoding="utf-8")
    (root / "data" / "simulation" / "params.yml").write_text("a: 1\n", encoding="utf-8")
    return root


def test_wheel_is_cached_by_its_inputs_and_carries_the_data(tmp_path):
    root = _fake_project(tmp_path)
    cache, out = tmp_path / "cache", tmp_path / "kit"
    first = kit.build_wheel(out, cache, root)
    assert first.name == "aichain_utils-9.9-py3-none-any.whl"
    cached = next(cache.glob("*/*.whl"))
    stamp = cached.stat().st_mtime_ns
    assert kit.build_wheel(out, cache, root).read_bytes() == first.read_bytes()
    assert cached.stat().st_mtime_ns == stamp, "an unchanged package was packed again"
    with zipfile.ZipFile(first) as zf:
        names = zf.namelist()
        record = zf.read("aichain_utils-9.9.dist-info/RECORD").decode()
    assert "aichain_utils/_book/data/simulation/params.yml" in names
    assert all(n in record for n in names)
    (root / "data" / "simulation" / "params.yml").write_text("a: 2\n", encoding="utf-8")
    kit.build_wheel(out, cache, root)
    assert len(list(cache.glob("*/*.whl"))) == 2, "a changed data file did not make a new wheel"


def test_site_offers_the_wheel_requirements_and_course_pack(root):
    html = _site(root)
    folder = html / kit.KIT_DIR
    wheel = folder / kit.wheel_name(root)
    assert wheel.is_file() and (folder / "requirements.txt").is_file()
    assert (folder / "requirements.txt").read_text("utf-8") == (root / "requirements.txt").read_text("utf-8")
    with zipfile.ZipFile(folder / kit.PACK_NAME) as zf:
        names = set(zf.namelist())
        prefix = "aichain-course-pack/"
        for chapter in _chapters(root):
            member = f"{prefix}notebooks/{Path(chapter).name}.ipynb"
            assert member in names, member
            assert ":::{solution}" not in zf.read(member).decode("utf-8"), f"{member} has solutions"
        assert f"{prefix}{wheel.name}" in names and f"{prefix}requirements.txt" in names
        assert f"{prefix}data/published/regression_cells.csv" in names
        readme = zf.read(f"{prefix}README.txt").decode("utf-8")
        assert f"pip install -r requirements.txt {wheel.name}" in readme
    teaching = _soup(html / "teaching.html")
    hrefs = {a["href"] for a in teaching.select("main a[href]")}
    assert f"kit/{kit.PACK_NAME}" in hrefs and f"kit/{wheel.name}" in hrefs
    page = _soup(html / "chapters" / "baseline.html")
    menu = " ".join(a.get_text(" ") for a in page.select(".dropdown-download-buttons a, .dropdown-menu a"))
    assert ".whl" in menu and "requirements.txt" in menu
    assert f"pip install -r requirements.txt {wheel.name}" in menu and "jupyter lab baseline.ipynb" in menu


@pytest.mark.slow
def test_a_fresh_environment_runs_a_downloaded_chapter_notebook(root, tmp_path):
    """A new virtual environment, outside the repository, installs the site's wheel and pinned
    requirements (from the package index pip is configured with) and runs the baseline chapter's
    downloaded notebook from its first cell to its last.

    pip installs with ``--no-compile``: it does not byte-compile every module of the ~230 packages
    (half of the install's CPU time); Python compiles the modules the notebook imports when it imports
    them, so what is installed and what runs are the same."""
    html = _site(root)
    wheel = html / kit.KIT_DIR / kit.wheel_name(root)
    notebook = html / "_sources" / "chapters" / "baseline.ipynb"
    assert wheel.is_file() and notebook.is_file()
    work = tmp_path / "student"
    work.mkdir()
    for path in (wheel, html / kit.KIT_DIR / "requirements.txt", notebook):
        (work / path.name).write_bytes(path.read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AICHAIN_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    python = str(work / "venv" / "bin" / "python")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-compile", "-r", "requirements.txt", wheel.name],
        cwd=work, env=env, capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]
    run = subprocess.run(
        [python, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--output", "ran.ipynb",
         "--ExecutePreprocessor.timeout=900", "baseline.ipynb"],
        cwd=work, env=env, capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    ran = json.loads((work / "ran.ipynb").read_text(encoding="utf-8"))
    errors = [o for c in ran["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    where = subprocess.run(
        [python, "-c", "import aichain_utils.paths as p; print(p.repo_root())"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "site-packages" in where.stdout and "_book" in where.stdout, where.stdout


def test_a_chapter_that_needs_the_repository_says_so_in_its_menu(root):
    """The validation appendix reruns tests/reference: its download menu tells the reader to run it in a
    clone, and every other chapter's menu gives the two commands."""
    html = _site(root)
    for page in kit.NEEDS_REPOSITORY:
        menu = " ".join(a.get_text(" ") for a in _soup(html / f"{page}.html").select(".dropdown-menu a"))
        assert "clone of the repository" in menu and "pip install" not in menu
    menu = " ".join(a.get_text(" ") for a in _soup(html / "chapters" / "measurement.html").select(".dropdown-menu a"))
    assert "pip install -r requirements.txt" in menu


def test_the_download_menu_speaks_the_editions_language():
    """The menu's words (the wheel, the requirements, how to run the notebook) come from one table, in
    English on the English pages and in Chinese on the Chinese ones; the commands stay as typed."""
    english, chinese = kit.download_words("en", "chapters/baseline"), kit.download_words("zh_CN", "chapters/baseline")
    assert english.keys() == chinese.keys() and english["why"] == chinese["why"] == ""
    assert english["wheel"] == ".whl (aichain_utils)" and chinese["wheel"].startswith(".whl（")
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert all(cjk.search(v) for k, v in chinese.items() if k != "why") and not any(map(cjk.search, english.values()))
    assert chinese["run"].format(first="a", second="b", why="") == "运行：a ; b"
    for page in kit.NEEDS_REPOSITORY:
        assert kit.download_words(None, page)["why"] == kit.NEEDS_REPOSITORY[page]
        assert cjk.search(kit.download_words("zh_CN", page)["why"])


def test_the_chinese_download_menu_is_in_chinese(root):
    html = _site(root) / "zh"
    if not (html / "index.html").is_file():
        pytest.skip("the Chinese edition is not built: run `make book`")
    page = _soup(html / "chapters" / "baseline.html")
    menu = " ".join(a.get_text(" ") for a in page.select(".dropdown-menu a"))
    assert "运行：" in menu and "Run it" not in menu and "pip install -r requirements.txt" in menu


def test_translated_markdown_refuses_bad_input_naming_the_argument_the_rule_and_the_item():
    from aichain_utils.errors import AichainInputError

    assert kit.translated_markdown("# Title", {"Title": "标题"}) == "# 标题"  # valid input: translated
    assert kit.translated_markdown("# Title", {}) == "# Title"  # no catalogue: as written
    with pytest.raises(AichainInputError, match=r"'source': must be a notebook Markdown cell's text.*bytes"):
        kit.translated_markdown(b"# Title", {})
    with pytest.raises(AichainInputError, match=r"'catalogue': must map English texts.*list"):
        kit.translated_markdown("# Title", [("Title", "标题")])
    with pytest.raises(AichainInputError, match=r"'catalogue': every entry must map a str to a non-empty str.*Title"):
        kit.translated_markdown("# Title", {"Title": "", "Other": "其他"})
    with pytest.raises(AichainInputError, match=r"offending entries: \[3\]"):
        kit.translated_markdown("# Title", {3: "三"})
