"""The student edition (issue 24, item 4): built into its own folder, and printed without the solutions.

``make pdf EDITION=student`` and ``make test`` (when Chromium is installed) build the student edition's
single page into ``_build/student/singlehtml`` (``tools/build_book.py --out``) from the execution cache of
``_build`` and print it to ``_build/pdf/aichain-student.pdf``. These tests read that PDF: it carries every
exercise, no solution and no API reference. Each solution is recognised by a marker, a run of its own
words or a line of its own code that appears nowhere else in the book; the instructor's PDF
(``_build/pdf/aichain.pdf``) prints every marker, so a marker that is missing from the student PDF was
left out, not misread. The student build must also leave the instructor's pages alone, and a tiny book
shows that a build into its own folder executes nothing again (slow).

Without the PDFs the tests are skipped, except in CI (``CI=true``), where ``make test`` has installed
Chromium and a missing PDF is a failure.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from pdf_text import pages_text
from sandbox_pages import FRONT_MATTER

from aichain_utils.book.sphinxext import strip_solutions
from aichain_utils.paths import toc_pages

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import build_book

_SOLUTION = re.compile(r"^:::\{solution\} ([\w-]+)\n(.*?)^:::[ \t]*$", re.M | re.S)
_EXERCISE = re.compile(r"^:::\{exercise\}\n:label: ([\w-]+)\n(.*?)^:::[ \t]*$", re.M | re.S)
#: Inline markup whose printed text differs from its source: roles, maths, emphasis, code.
_INLINE = re.compile(r"\{[\w:-]+\}`[^`]*`|\$[^$]*\$|`[^`]*`|\*+|\[[^\]]*\]\([^)]*\)")
_WORD_RUN = re.compile(r"(?:[A-Za-z][A-Za-z'-]*[ ,;]+){5,}[A-Za-z][A-Za-z'-]*")


def _pdf(path: Path) -> list[str]:
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{path.name} is missing in CI: `make test` should have printed it")
        pytest.skip(f"{path.name} is not built: run `make pdf EDITION=student` (or make test)")
    return pages_text(path)  # extracted once for every module that reads it (tests/pdf_text.py)


def squash(text: str) -> str:
    """Text compared as pypdf extracts it: no spaces, NFKC (ligatures), one kind of quote and dash."""
    text = unicodedata.normalize("NFKC", text)
    for curly, straight in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, straight)
    return re.sub(r"\s+", "", text).replace("\u2212", "-").replace("\u2013", "-").replace("\u2014", "-")


def candidates(body: str) -> list[str]:
    """Fragments of a solution's or exercise's source that print as written: runs of six or more plain
    words of its prose (an ``{only}`` block's too), then the lines of its code of 25 characters or more."""
    prose, code, fences = [], [], []  # fences: (backticks, is code) of the open fences
    for line in body.splitlines():
        fence = re.match(r"^(`{3,})(.*)$", line.strip())
        if fence and fences and fence.group(1) == fences[-1][0] and not fence.group(2).strip():
            fences.pop()
        elif fence:
            info = fence.group(2).strip()
            fences.append((fence.group(1), not info.startswith("{") or info.startswith("{code-cell}")))
        elif line.strip() and not line.startswith(":"):
            (code if any(is_code for _, is_code in fences) else prose).append(line.strip())
    runs = [m.group(0).strip(" ,;") for piece in _INLINE.split(" ".join(prose)) for m in _WORD_RUN.finditer(piece)]
    lines = [ln for ln in code if len(ln) >= 25 and not ln.startswith("#")]
    return runs + lines


def markers(blocks: dict[str, str], rest_of_book: str) -> dict[str, str | None]:
    """For each block (label -> source), its first candidate found nowhere in ``rest_of_book``."""
    rest = squash(rest_of_book)
    return {label: next((c for c in candidates(body) if squash(c) not in rest), None) for label, body in blocks.items()}


def solutions_in(text: str, found: dict[str, str | None]) -> list[str]:
    """The solutions (labels) whose marker is in ``text``: none may be in the student edition."""
    flat = squash(text)
    return [label for label, marker in found.items() if marker and squash(marker) in flat]


def _sources(root: Path) -> dict[str, str]:
    return {page: (root / f"{page}.md").read_text(encoding="utf-8") for page in toc_pages(root)}


@pytest.fixture(scope="module")
def student_pages(root) -> list[str]:
    return _pdf(root / "_build" / "pdf" / "aichain-student.pdf")


@pytest.fixture(scope="module")
def solution_markers(root) -> dict[str, str | None]:
    sources = _sources(root)
    solutions = {label: body for text in sources.values() for label, body in _SOLUTION.findall(text)}
    return markers(solutions, "\n".join(strip_solutions(t) for t in sources.values()))


def test_student_pdf_has_no_solution_and_no_api_reference(root, student_pages, solution_markers):
    """No solution (every solution's marker, printed in the instructor's PDF, is absent; a solution that
    is all maths has no marker, and the "Solution to Exercise" titles are absent) and no API reference
    (its signatures' "Return type" fields and its functions' signatures)."""
    instructor = " ".join(_pdf(root / "_build" / "pdf" / "aichain.pdf"))
    unmarked = [label for label, marker in solution_markers.items() if marker is None]
    sources = "\n".join(_sources(root).values())
    wordless = {label for label, body in _SOLUTION.findall(sources) if not candidates(body)}
    assert set(unmarked) <= wordless, f"solutions without a marker of their own: {sorted(set(unmarked) - wordless)}"
    assert len(unmarked) <= 2, f"too many solutions are all maths, which the check cannot see: {unmarked}"
    marked = {k: m for k, m in solution_markers.items() if m}
    not_printed = [f"{k}: {m!r}" for k, m in marked.items() if squash(m) not in squash(instructor)]
    assert not not_printed, f"markers the instructor's PDF does not print: {not_printed[:5]}"
    text = " ".join(student_pages)
    assert "Solution to Exercise" not in text
    assert not solutions_in(text, solution_markers), solutions_in(text, solution_markers)
    assert "Return type" not in text and "aichain_utils.replication.models.fit_two_way_fe(" not in text.replace(" ", "")
    assert "The printed book leaves the API reference out" in text


def test_student_pdf_carries_every_exercise(root, student_pages):
    """Every exercise of every chapter is printed: its number ("Exercise 4.2") and its own words."""
    sources = _sources(root)
    exercises = {label: body for text in sources.values() for label, body in _EXERCISE.findall(text)}
    rest = "\n".join(_EXERCISE.sub("", strip_solutions(t)) for t in sources.values())
    found = markers(exercises, rest)
    text = squash(" ".join(student_pages))
    missing = [label for label, marker in found.items() if marker is None or squash(marker) not in text]
    assert not missing, f"exercises missing from the student PDF: {missing}"
    numbers = set(re.findall(r"Exercise (\d+\.\d+)", " ".join(student_pages)))
    assert len(numbers) >= len(exercises), f"{len(numbers)} exercise numbers for {len(exercises)} exercises"


def test_the_solution_check_catches_a_solution_left_in(solution_markers):
    """The check can fail: a page that keeps one solution's words is reported, with that solution."""
    label, marker = next((k, m) for k, m in solution_markers.items() if m)
    assert solutions_in(f"Exercise 1.1 Some question. {marker} End.", solution_markers) == [label]
    assert solutions_in("Exercise 1.1 Some question. End.", solution_markers) == []


def test_the_student_build_left_the_instructor_build_alone(root, student_pages):
    """The student edition's single page is in _build/student; the instructor's single page (which the
    PDF tests read) and site are still the instructor's; the student build kept no execution cache."""
    build = root / "_build"
    assert (build / "student" / "singlehtml" / ".edition").read_text(encoding="utf-8").strip() == "student"
    for folder in ("singlehtml", "html"):
        mark = build / folder / ".edition"
        if mark.is_file():
            assert mark.read_text(encoding="utf-8").strip() == "instructor", f"_build/{folder} is not the instructor's"
    assert not (build / "student" / ".jupyter_cache").exists(), "the student build made its own execution cache"


# --------------------------------------------------------------------------- a build into its own folder
TINY_CHAPTER = (
    FRONT_MATTER
    + """\

# A chapter

```{code-cell} ipython3
import time
print("executed at", time.time_ns())
```
"""
)


def _tiny_book(folder: Path) -> Path:
    (folder / "chapters").mkdir(parents=True)
    (folder / "_config.yml").write_text(
        "title: tiny\nonly_build_toc_files: true\nexecute:\n  execute_notebooks: cache\n  timeout: 120\n"
    )
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\nparts:\n  - chapters:\n      - file: chapters/ch\n")
    (folder / "index.md").write_text("# Tiny\n\nA landing page.\n")
    (folder / "chapters" / "ch.md").write_text(TINY_CHAPTER)
    return folder


def _build(book: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICHAIN_")}
    cmd = [sys.executable, str(Path(build_book.__file__)), "--root", str(book), str(book / "_build"), *args]
    proc = subprocess.run(cmd, cwd=book, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]


def _executed_at(page: Path) -> str:
    return re.search(r"executed at (\d+)", page.read_text(encoding="utf-8")).group(1)


@pytest.mark.slow
def test_a_build_into_its_own_folder_renders_from_the_shared_cache_and_touches_nothing(tmp_path):
    """``tools/build_book.py --out``: the pages of a second build go into their own folder, show the
    outputs of the first build's execution (the cell prints the time it ran: the same time, so nothing
    ran again), and the first build's pages and Sphinx state are byte for byte and time for time as
    they were."""
    book = _tiny_book(tmp_path / "book")
    _build(book)
    build = book / "_build"
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (build / "html").rglob("*") if p.is_file()}
    doctrees = {p: p.stat().st_mtime_ns for p in (build / ".doctrees").rglob("*") if p.is_file()}
    _build(book, "--out", str(build / "student"), "--", "--keep-going")
    page = build / "student" / "html" / "chapters" / "ch.html"
    assert page.is_file(), "the second build did not write into its own folder"
    assert _executed_at(page) == _executed_at(build / "html" / "chapters" / "ch.html"), "the chapter ran again"
    assert not (build / "student" / ".jupyter_cache").exists()
    assert (build / "student" / ".doctrees").is_dir(), "the second build's Sphinx state is not in its folder"
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (build / "html").rglob("*") if p.is_file()}
    assert after == before, "the first build's pages changed"
    assert {p: p.stat().st_mtime_ns for p in (build / ".doctrees").rglob("*") if p.is_file()} == doctrees


def test_a_build_into_its_own_folder_names_the_shared_cache_and_refuses_unknown_flags(tmp_path):
    """The command of a build into its own folder writes the pages and Sphinx's state there and reads
    the build folder's execution cache; a flag it would not pass on stops it instead of being lost."""
    root, build = tmp_path / "book", tmp_path / "book" / "_build"
    cmd = build_book.sphinx_command(root, build, build / "student", "singlehtml", ["--warningiserror", "--keep-going"])
    args = json.loads(cmd[-1])
    assert args["out"] == str(build / "student" / "singlehtml")
    assert args["overrides"]["nb_execution_cache_path"] == str(build / ".jupyter_cache")
    assert args["W"] is True and args["keep_going"] is True
    default = build_book.sphinx_command(root, build, build, "html", ["-W"])
    assert default[2:6] == [build_book.JUPYTER_BOOK, "build", str(root), "--builder"] and "--path-output" not in default
    with pytest.raises(SystemExit, match="--freshenv"):
        build_book.sphinx_command(root, build, build / "student", "html", ["--freshenv"])
    nitpicky = json.loads(build_book.sphinx_command(root, build, build / "student", "html", ["-n"])[-1])
    assert nitpicky["overrides"]["nitpicky"] is True  # passed on (the Chinese edition's build takes it)
