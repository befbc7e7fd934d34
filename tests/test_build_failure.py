"""A failed build says why, last, and leaves the last good site marked as not current (issue 22, item 2).

``tools/build_book.py`` (``make book``) runs on a tiny book (one chapter, built in a temporary folder)
so the test is fast: a good build, then the chapter broken, then a data file that fails the check.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sandbox_pages import FRONT_MATTER

from aichain_utils.book import buildstate
from aichain_utils.paths import repo_root

ROOT = repo_root()
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402

CHAPTER = (
    FRONT_MATTER
    + """\

# A chapter

## Table 10, the value extension

```{{code-cell}} ipython3
x = 1 + 1
```

```{{code-cell}} ipython3
{cell}
```
"""
)

GOOD_CELL = "print(x)"
BAD_CELL = 'columns = ["LCV"]\nraise ValueError("Table 10 needs LCV and WCV; the file has neither")'
COMMENTED_BAD_CELL = "# Fit the value-extension regressions\n" + BAD_CELL


def _tiny_book(folder: Path, cell: str) -> Path:
    (folder / "chapters").mkdir(parents=True, exist_ok=True)
    (folder / "_config.yml").write_text(
        textwrap.dedent(
            """\
            title: tiny
            only_build_toc_files: true
            execute:
              execute_notebooks: cache
              timeout: 120
              allow_errors: false
            """
        )
    )
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\nparts:\n  - chapters:\n      - file: chapters/ch\n")
    (folder / "index.md").write_text("# Tiny\n\nA landing page.\n")
    (folder / "chapters" / "ch.md").write_text(CHAPTER.format(cell=cell))
    return folder


def _run(book: Path, **env_vars) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICHAIN_")}
    env.update(env_vars)
    cmd = [sys.executable, str(ROOT / "tools" / "build_book.py"), "--root", str(book), str(book / "_build")]
    return subprocess.run(cmd, cwd=book, env=env, capture_output=True, text=True, timeout=900)


def _last_lines(proc, n=4) -> str:
    return "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-n:])


@pytest.fixture(scope="module")
def good_book(tmp_path_factory) -> Path:
    book = _tiny_book(tmp_path_factory.mktemp("tiny") / "book", GOOD_CELL)
    proc = _run(book)
    assert proc.returncode == 0, _last_lines(proc, 40)
    assert buildstate.good_build_time(book / "_build" / "html") is not None
    return book


@pytest.mark.slow
def test_a_failing_chapter_is_named_last_with_its_cell_and_exception(good_book):
    (good_book / "chapters" / "ch.md").write_text(CHAPTER.format(cell=COMMENTED_BAD_CELL))
    proc = _run(good_book)
    assert proc.returncode == 1
    last = _last_lines(proc)
    assert "chapters/ch.md" in last
    assert "Fit the value-extension regressions" in last  # the cell's first comment line
    assert "ValueError: Table 10 needs LCV and WCV; the file has neither" in last
    # the last good site is kept and every page says it is not current
    site = good_book / "_build" / "html"
    good = buildstate.good_build_time(site)
    for page in ("index.html", "chapters/ch.html"):
        text = (site / page).read_text(encoding="utf-8")
        assert f"This is the last good build, of {good}; the build of" in text
        assert "Table 10 needs LCV and WCV" in text


@pytest.mark.slow
def test_without_a_comment_the_nearest_heading_names_the_cell(good_book):
    (good_book / "chapters" / "ch.md").write_text(CHAPTER.format(cell=BAD_CELL))
    proc = _run(good_book)
    assert proc.returncode == 1
    assert "Table 10, the value extension" in _last_lines(proc)


@pytest.mark.slow
def test_a_failed_data_check_marks_the_site_and_a_good_build_clears_the_mark(good_book, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,year,erl\n1,2015,#N/A\n", encoding="utf-8")
    proc = _run(good_book, AICHAIN_DATA=str(bad))
    assert proc.returncode == 2
    assert "check-data failed" in _last_lines(proc)
    text = (good_book / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    assert "This is the last good build, of" in text and "check-data failed" in text
    (good_book / "chapters" / "ch.md").write_text(CHAPTER.format(cell=GOOD_CELL))
    proc = _run(good_book)
    assert proc.returncode == 0, _last_lines(proc, 40)
    site = good_book / "_build" / "html"
    assert not (site / buildstate.FAILED_MARK).exists()
    assert not any("aichain-build-failed" in p.read_text(encoding="utf-8") for p in site.rglob("*.html"))


# --------------------------------------------------------------------------- the pieces, without a build
def _site(folder: Path, when: str | None) -> Path:
    (folder / "sub").mkdir(parents=True)
    for page in ("index.html", "sub/page.html"):
        body = '<html><body class="x"><main><div class="aichain-data-banner">Data</div><p>page</p></main></body></html>'
        (folder / page).write_text(body, encoding="utf-8")
    if when:
        (folder / buildstate.GOOD_MARK).write_text(when + "\n")
    return folder


def test_marking_a_good_site_names_both_builds_and_the_reason(tmp_path):
    site = _site(tmp_path / "_build" / "html", "2026-01-01 10:00:00 UTC")
    assert buildstate.mark_failed_site(site, "2026-01-02 11:00:00 UTC", "chapter x: ValueError: <b>") is not None
    buildstate.mark_failed_site(site, "2026-01-02 12:00:00 UTC", "again")  # one note, the latest
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert text.count('aichain-build-failed"') == 1
        assert "This is the last good build, of 2026-01-01 10:00:00 UTC; the build of 2026-01-02 12:00:00" in text
        assert text.index("aichain-build-failed") < text.index("aichain-data-banner")
    buildstate.mark_good_site(tmp_path / "_build", "2026-01-03")
    assert "aichain-build-failed" not in (site / "index.html").read_text(encoding="utf-8")
    assert buildstate.good_build_time(site) == "2026-01-03"


def test_a_site_of_a_failed_build_is_marked_as_failed(tmp_path):
    site = _site(tmp_path / "html", None)
    assert buildstate.mark_failed_site(site, "T1", "why") is None
    assert "These pages are from the build of T1, which failed: why" in (site / "index.html").read_text()


def test_the_copy_of_the_last_good_site_is_put_back(tmp_path):
    build = tmp_path / "_build"
    site = _site(build / "html", "T0")
    assert buildstate.keep_last_good(site) is True
    assert buildstate.keep_last_good(site) is False  # the same good build is copied once
    (site / "index.html").write_text("half-written")
    assert buildstate.restore_last_good(build) is True
    assert "page" in (site / "index.html").read_text()
    assert not (build / "html.last-good").exists()


def test_the_good_site_is_set_aside_when_the_inputs_changed(tmp_path):
    build = tmp_path / "_build"
    _site(build / "html", "T0")
    (build / buildstate.STAMP_NAME).write_text("an older fingerprint\n")
    assert buildstate.set_aside_if_inputs_changed(build, ROOT) is True
    assert (build / "html.last-good" / "index.html").is_file() and not (build / "html").exists()


def test_the_traceback_parser_finds_the_cell_and_the_exception():
    text = (
        "Traceback (most recent call last):\n  ...\nnbclient.exceptions.CellExecutionError: An error occurred "
        "while executing the following cell:\n------------------\n# Build Table 10\nfit()\n------------------\n\n"
        "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m\n"
        "\x1b[0;31mKeyError\x1b[0m  Traceback (most recent call last)\nCell In[3], line 2\n"
        "\x1b[0;31mKeyError\x1b[0m: 'LCV'\n"
    )
    source, exception = build_book.parse_traceback(text)
    assert source.splitlines()[0] == "# Build Table 10"
    assert exception == "KeyError: 'LCV'"


# --------------------------------------------------------------------------- a no-change rebuild does nothing
@pytest.mark.slow
def test_a_no_change_rebuild_runs_nothing_and_a_chapter_edit_reaches_its_page(tmp_path):
    book = _tiny_book(tmp_path / "book", "print('first version')")
    assert _run(book).returncode == 0
    proc = _run(book)
    assert proc.returncode == 0 and "is current" in proc.stdout, _last_lines(proc, 20)
    page = book / "_build" / "html" / "chapters" / "ch.html"
    assert "first version" in page.read_text(encoding="utf-8")
    (book / "chapters" / "ch.md").write_text(CHAPTER.format(cell="print('second version')"))
    proc = _run(book)
    assert proc.returncode == 0 and "is current" not in proc.stdout
    assert "second version" in page.read_text(encoding="utf-8")


def test_the_site_manifest_sees_every_input_of_the_pages(tmp_path, monkeypatch):
    monkeypatch.delenv("AICHAIN_EDITION", raising=False)
    book = _tiny_book(tmp_path / "book", GOOD_CELL)
    build = book / "_build"

    def digest(fingerprint="fp", builder="html"):
        return build_book.site_manifest(book, build, fingerprint, builder, ["-W"])

    base = digest()
    assert digest() == base
    (book / "tests").mkdir()
    (book / "tests" / "test_x.py").write_text("x = 1\n")  # not read by any page
    assert digest() == base
    messages = book / "locale" / "zh_CN" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "index.mo").write_bytes(b"compiled")  # written by the Chinese build itself, from the .po
    assert digest() == base
    changes = {
        "a chapter": lambda: (book / "chapters" / "ch.md").write_text(CHAPTER.format(cell="print(2)")),
        "the configuration": lambda: (book / "_config.yml").write_text("title: other\n"),
        "a new static file": lambda: (book / "_static").mkdir() or (book / "_static" / "a.css").write_text("p{}"),
        "the PDF the landing page links": lambda: (
            (build / "pdf").mkdir(parents=True) or (build / "pdf" / "aichain.pdf").write_bytes(b"%PDF")
        ),
        "the edition": lambda: monkeypatch.setenv("AICHAIN_EDITION", "student"),
        "a catalogue": lambda: (messages / "index.po").write_text('msgid "A"\nmsgstr "甲"\n', encoding="utf-8"),
    }
    seen = {base}
    for what, change in changes.items():
        change()
        now = digest()
        assert now not in seen, what
        seen.add(now)
    assert digest(fingerprint="other inputs") not in seen  # data, package, switches: the inputs fingerprint
    assert digest(builder="singlehtml") not in seen


def test_the_heading_found_is_the_one_above_the_failing_cell_not_an_earlier_alike(tmp_path):
    chapter = tmp_path / "ch.md"
    chapter.write_text(
        "# Chapter\n\n## First section\n\n```{code-cell} ipython3\nimport pandas as pd\nx = 1\n```\n\n"
        "## Table 10 on these data\n\n```{code-cell} ipython3\n:tags: [hide-input]\nimport pandas as pd\n"
        "fit(x)\n```\n\n## Later\n",
        encoding="utf-8",
    )
    found = build_book.cell_purpose(chapter, "import pandas as pd\nfit(x)")
    assert found == "the section \u201cTable 10 on these data\u201d"
    assert build_book.cell_purpose(chapter, "# Fit Table 10\nfit(x)") == "Fit Table 10"


@pytest.mark.slow
def test_a_sphinx_error_is_named_last(tmp_path):
    book = _tiny_book(tmp_path / "book", GOOD_CELL)
    assert _run(book).returncode == 0
    (book / "index.md").write_text("# Tiny\n\nSee {ref}`a-label-that-does-not-exist`.\n")
    proc = _run(book)
    assert proc.returncode == 1
    last = _last_lines(proc)
    assert "index.md" in last and "a-label-that-does-not-exist" in last
    text = (book / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    assert "aichain-build-failed" in text  # not left looking current
