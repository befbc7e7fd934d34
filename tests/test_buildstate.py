"""The build-input fingerprint sees every input a page depends on, and a change removes derived state."""

from __future__ import annotations

from pathlib import Path

import pytest

from aichain_utils.book import buildstate
from aichain_utils.book.buildstate import DERIVED, STAMP_NAME, inputs_fingerprint, reset_if_changed


@pytest.fixture()
def fake_root(tmp_path: Path, monkeypatch) -> Path:
    for name in [k for k in __import__("os").environ if k.startswith("AICHAIN_")]:
        monkeypatch.delenv(name)
    root = tmp_path / "repo"
    (root / "aichain_utils").mkdir(parents=True)
    (root / "aichain_utils" / "mod.py").write_text("x = 1\n")
    (root / "data").mkdir()
    (root / "data" / "params.yml").write_text("seed: 1\n")
    (root / "requirements.txt").write_text("numpy==2.4.6\n")
    return root


def _catalogue(root: Path, domain: str) -> Path:
    """A Chinese catalogue the chapters read when they run (``locale/zh_CN/LC_MESSAGES/<domain>.po``)."""
    path = root / "locale" / "zh_CN" / "LC_MESSAGES" / f"{domain}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_fingerprint_is_stable(fake_root):
    assert inputs_fingerprint(fake_root) == inputs_fingerprint(fake_root)


@pytest.mark.parametrize(
    "change",
    [
        lambda r: (r / "aichain_utils" / "mod.py").write_text("x = 2\n"),
        lambda r: (r / "aichain_utils" / "new.py").write_text(""),
        lambda r: (r / "data" / "params.yml").write_text("seed: 2\n"),
        lambda r: (r / "requirements.txt").write_text("numpy==2.4.7\n"),
        lambda r: _catalogue(r, "figures").write_text('msgid "x"\nmsgstr "甲"\n'),
        lambda r: _catalogue(r, "tables").write_text('msgid "x"\nmsgstr "甲"\n'),
    ],
    ids=["package edit", "package file added", "data edit", "pinned environment", "figure texts", "table labels"],
)
def test_fingerprint_sees_files(fake_root, change):
    before = inputs_fingerprint(fake_root)
    change(fake_root)
    assert inputs_fingerprint(fake_root) != before


def test_fingerprint_sees_switches_and_the_data_file_bytes(fake_root, tmp_path, monkeypatch):
    base = inputs_fingerprint(fake_root)
    data = tmp_path / "panel.csv"
    data.write_text("a\n1\n")
    monkeypatch.setenv("AICHAIN_DATA", str(data))
    with_file = inputs_fingerprint(fake_root)
    assert with_file != base
    data.write_text("a\n2\n")  # same name, new contents
    assert inputs_fingerprint(fake_root) != with_file
    monkeypatch.setenv("AICHAIN_AIE_WEIGHTS", "entropy")
    assert inputs_fingerprint(fake_root) not in (base, with_file)


def test_relative_data_path_is_read_from_the_directory_make_was_run_from(fake_root, tmp_path, monkeypatch):
    (tmp_path / "mine.csv").write_text("a\n1\n")
    monkeypatch.setenv("AICHAIN_CWD", str(tmp_path))
    monkeypatch.setenv("AICHAIN_DATA", "mine.csv")
    first = inputs_fingerprint(fake_root)
    (tmp_path / "mine.csv").write_text("a\n3\n")
    assert inputs_fingerprint(fake_root) != first


def test_reset_removes_everything_derived_only_when_inputs_change(fake_root, tmp_path):
    build = tmp_path / "_build"
    for name in DERIVED:
        (build / name).mkdir(parents=True)
    assert reset_if_changed(build, fake_root) is True  # never stamped
    assert not any((build / name).exists() for name in DERIVED)
    assert (build / STAMP_NAME).read_text().strip() == inputs_fingerprint(fake_root)
    for name in DERIVED:
        (build / name).mkdir()
    assert reset_if_changed(build, fake_root) is False  # nothing changed: nothing removed
    assert all((build / name).exists() for name in DERIVED)
    (fake_root / "aichain_utils" / "mod.py").write_text("x = 3\n")
    assert reset_if_changed(build, fake_root, keep=("html",)) is True
    assert (build / "html").exists()
    assert not (build / ".doctrees").exists() and not (build / ".jupyter_cache").exists()


def _execute(build: Path, text: str) -> None:
    """What executing the chapters leaves: an execution cache and a table, holding ``text``."""
    for name in buildstate.EXECUTION_PRODUCTS:
        (build / name).mkdir(parents=True, exist_ok=True)
        (build / name / "made-from").write_text(text)
    (build / ".doctrees").mkdir(exist_ok=True)


def _made_from(build: Path) -> str | None:
    path = build / ".jupyter_cache" / "made-from"
    return path.read_text() if path.is_file() else None


def test_switching_back_to_earlier_inputs_puts_their_execution_back_and_nothing_else(fake_root, tmp_path, capsys):
    """The execution of the inputs switched away from is kept aside; a switch back to exactly those
    inputs puts it back (nothing runs again), never another inputs' execution, and Sphinx's saved state
    is removed on every switch (every page is read again)."""
    build, module = tmp_path / "_build", fake_root / "aichain_utils" / "mod.py"
    reset_if_changed(build, fake_root)
    _execute(build, "x = 1")
    module.write_text("x = 2\n")
    assert reset_if_changed(build, fake_root) is True
    assert _made_from(build) is None and not (build / ".doctrees").exists()  # new inputs: run them
    assert ".jupyter_cache" in capsys.readouterr().out
    _execute(build, "x = 2")
    module.write_text("x = 3\n")  # a third set of inputs: nothing of the first two is theirs
    assert reset_if_changed(build, fake_root) is True and _made_from(build) is None
    _execute(build, "x = 3")
    module.write_text("x = 1\n")  # back to the first inputs
    assert reset_if_changed(build, fake_root) is True
    assert _made_from(build) == "x = 1" and (build / "tables" / "made-from").read_text() == "x = 1"
    assert not (build / ".doctrees").exists(), "Sphinx's saved state survived a switch"
    assert "put back" in capsys.readouterr().out
    assert reset_if_changed(build, fake_root) is False and _made_from(build) == "x = 1"
    saved = build / buildstate.SAVED_EXECUTIONS
    assert (
        len([p for p in saved.iterdir() if p.is_dir()]) == buildstate.KEPT_EXECUTIONS
    )  # x = 2 and x = 3 kept, the oldest first to go
    module.write_text("x = 4\n")
    reset_if_changed(build, fake_root)
    assert len([p for p in saved.iterdir() if p.is_dir()]) == buildstate.KEPT_EXECUTIONS
    module.write_text("x = 2\n")
    reset_if_changed(build, fake_root)
    assert _made_from(build) is None, "the oldest kept execution (x = 2) should have been dropped"


def test_the_directory_make_ran_from_is_not_an_input(fake_root, tmp_path, monkeypatch):
    """`make -C` from another folder keeps every cache: the data file counts by resolved path and bytes."""
    data = tmp_path / "panel.csv"
    data.write_text("a\n1\n")
    monkeypatch.setenv("AICHAIN_DATA", str(data))
    monkeypatch.setenv("AICHAIN_CWD", str(fake_root))
    first = inputs_fingerprint(fake_root)
    monkeypatch.setenv("AICHAIN_CWD", str(tmp_path / "elsewhere"))
    assert inputs_fingerprint(fake_root) == first
    monkeypatch.setenv("AICHAIN_CWD", str(tmp_path))
    monkeypatch.setenv("AICHAIN_DATA", "panel.csv")  # the same file, named relative to the make folder
    assert inputs_fingerprint(fake_root) == first
    other = tmp_path / "other"
    other.mkdir()
    (other / "panel.csv").write_text("a\n1\n")  # same bytes, another file: its path is on the banner
    monkeypatch.setenv("AICHAIN_CWD", str(other))
    assert inputs_fingerprint(fake_root) != first


# --------------------------------------------------------------------------- the caches of a no-change rebuild
def test_generated_pages_are_reread_only_when_their_inputs_change(root, tmp_path):
    """api, glossary and handouts: Sphinx re-reads each when what it is assembled from changes, only then."""
    import shutil
    from types import SimpleNamespace

    from aichain_utils.book import sphinxext

    src = tmp_path / "book"
    (src / "data").mkdir(parents=True)
    (src / "chapters").mkdir()
    shutil.copy(root / "data" / "glossary.csv", src / "data" / "glossary.csv")
    (src / "_toc.yml").write_text("root: index\nparts:\n  - chapters:\n      - file: chapters/a\n")
    (src / "chapters" / "a.md").write_text("# A\n")
    env = SimpleNamespace(found_docs={"index", "api", "glossary", "handouts", "chapters/a"})
    app = SimpleNamespace(srcdir=str(src), env=env)
    assert sorted(sphinxext._reread_generated(app, env, set(), set(), set())) == ["api", "glossary", "handouts"]
    for doc in sphinxext.GENERATED_PAGES:
        sphinxext._record_generated(app, doc)
    assert sphinxext._reread_generated(app, env, set(), set(), set()) == []  # nothing changed: nothing re-read
    (src / "chapters" / "a.md").write_text("# A, edited\n")
    assert sphinxext._reread_generated(app, env, set(), set(), set()) == ["handouts"]
    sphinxext._record_generated(app, "handouts")
    with (src / "data" / "glossary.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    assert sphinxext._reread_generated(app, env, set(), set(), set()) == ["glossary"]


def test_preexecute_skips_only_when_every_notebook_text_is_the_cached_one(tmp_path):
    import json
    import shutil
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    import preexecute

    book = tmp_path / "book"
    build = book / "_build"
    (build / ".jupyter_cache").mkdir(parents=True)
    nb = book / "chapters" / "ch.md"
    nb.parent.mkdir()
    nb.write_text("x = 1\n")
    assert preexecute.all_cached(build, [nb], book) is False  # no record: ask jupyter-cache
    record = build / ".jupyter_cache" / preexecute.RECORD
    record.write_text(json.dumps(preexecute._text_digests([nb], book)))
    assert set(json.loads(record.read_text())) == {"chapters/ch.md"}  # relative to the book's folder
    assert preexecute.all_cached(build, [nb], book) is True
    moved = tmp_path / "moved"  # a copied or moved book keeps its record
    shutil.copytree(book, moved)
    assert preexecute.all_cached(moved / "_build", [moved / "chapters" / "ch.md"], moved) is True
    nb.write_text("x = 2\n")
    assert preexecute.all_cached(build, [nb], book) is False  # edited: run
    other = book / "new.md"
    other.write_text("")
    nb.write_text("x = 1\n")
    assert preexecute.all_cached(build, [nb, other], book) is False  # a notebook the record does not know


def test_the_data_check_verdict_is_reused_only_for_the_same_inputs(fake_root, tmp_path, monkeypatch):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    import build_book

    import aichain_utils.inputs.checkdata

    calls = []

    def fake_check(brief=False):
        calls.append(brief)
        print("checked")
        return 0

    monkeypatch.setattr(aichain_utils.inputs.checkdata, "run_check", fake_check)
    data = tmp_path / "panel.csv"
    data.write_text("a\n1\n")
    monkeypatch.setenv("AICHAIN_DATA", str(data))
    build = tmp_path / "_build"
    assert build_book.check_data(build, inputs_fingerprint(fake_root)) == (0, "checked\n")
    assert build_book.check_data(build, inputs_fingerprint(fake_root)) == (0, "checked\n")
    assert len(calls) == 1  # the same inputs: the verdict is read back
    data.write_text("a\n2\n")  # new bytes: checked again
    build_book.check_data(build, inputs_fingerprint(fake_root))
    (fake_root / "aichain_utils" / "mod.py").write_text("x = 5\n")  # the package changed: checked again
    build_book.check_data(build, inputs_fingerprint(fake_root))
    assert len(calls) == 3


def test_a_page_that_pastes_glue_is_read_again_with_the_page_it_quotes(tmp_path):
    """The landing page pastes at-a-glance's headline (``{glue:text}`at_a_glance.md::key```): an edit of
    at-a-glance alone must re-read the landing page too, or it would serve the previous build's headline."""
    from types import SimpleNamespace

    from aichain_utils.book import sphinxext

    root = Path(__file__).resolve().parents[1]
    # the book's own landing page quotes at-a-glance (if it stops doing so, this test has nothing to guard)
    assert sphinxext.pasted_sources((root / "index.md").read_text(encoding="utf-8"), "index") == {"at_a_glance"}
    (tmp_path / "chapters").mkdir()
    pages = {
        "index": "{glue:text}`at_a_glance.md::headline:s`\n",
        "at_a_glance": "# At a glance\n",
        "chapters/a": "{glue:text}`../at_a_glance.md::n:.0f` and {glue:text}`local_key`\n",
        "chapters/b": "no quote\n",
    }
    for doc, text in pages.items():
        (tmp_path / f"{doc}.md").write_text(text, encoding="utf-8")
    env = SimpleNamespace(found_docs=set(pages), doc2path=lambda doc: str(tmp_path / f"{doc}.md"))
    outdated = sphinxext._reread_pasting_pages
    assert outdated(None, env, set(), set(), set()) == []  # nothing read again: nothing added
    assert outdated(None, env, set(), {"at_a_glance"}, set()) == ["chapters/a", "index"]
    assert outdated(None, env, set(), {"chapters/b"}, set()) == []
    assert outdated(None, env, set(), {"at_a_glance", "index"}, set()) == ["chapters/a"]
    import inspect

    assert 'app.connect("env-get-outdated", _reread_pasting_pages)' in inspect.getsource(sphinxext.setup)


def test_a_stylesheet_change_alone_makes_sphinx_finish_and_copy_it(tmp_path):
    """Sphinx 7 stops before copying static files when no page is out of date: a change of a static file
    alone asks for one page to be read again, so the build finishes and copies the new stylesheet."""
    from types import SimpleNamespace

    from aichain_utils.book import sphinxext

    (tmp_path / "_static").mkdir()
    css = tmp_path / "_static" / "aichain.css"
    css.write_text("a { color: red }\n", encoding="utf-8")
    app = SimpleNamespace(srcdir=str(tmp_path), config=SimpleNamespace(html_static_path=["_static"]))
    env = SimpleNamespace(found_docs={"index", "chapters/a"})
    outdated = sphinxext._rewrite_for_static_change
    assert outdated(app, env, set(), set(), set()) == ["index"]  # first build: not recorded yet
    assert outdated(app, env, set(), set(), set()) == []  # nothing changed
    css.write_text("a { color: blue }\n", encoding="utf-8")
    assert outdated(app, env, set(), set(), set()) == ["index"]
    css.write_text("a { color: green }\n", encoding="utf-8")
    assert outdated(app, env, set(), {"chapters/a"}, set()) == []  # a page is read anyway: the build finishes
    assert outdated(app, env, set(), set(), set()) == []


def test_the_build_wrapper_imports_no_data_library():
    """``tools/build_book.py`` imports the build state alone: a no-change rebuild (two such processes, one
    per edition) must not spend its time importing pandas and the panel's schemas through the book
    package's chapter façade, which is imported when a chapter first uses it."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    heavy = "print(sorted(m for m in ('pandas', 'pandera', 'aichain_utils.book.chapter') if m in sys.modules))"
    wrapper = f"import sys; sys.path.insert(0, 'tools'); import build_book; {heavy}"
    proc = subprocess.run([sys.executable, "-c", wrapper], cwd=root, capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]", f"the build wrapper imports {proc.stdout.strip()}"
    chapter = f"import sys; from aichain_utils import book; book.load_panel; {heavy}"
    proc = subprocess.run([sys.executable, "-c", chapter], cwd=root, capture_output=True, text=True, check=True)
    assert "aichain_utils.book.chapter" in proc.stdout  # the façade is there when a chapter uses it
