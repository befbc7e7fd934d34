"""Every chapter is runnable from its page: the first code cell is the visible set-up, and every
exercise's solution code runs after it (issue 15).

The set-up cell is the one a reader copies into a fresh notebook; if an exercise used an object that
cell does not define (``d``, ``np``, ``models``, ...), its solution would fail here.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

from aichain_utils.paths import repo_root, toc_pages

matplotlib.use("Agg")

CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", re.M | re.S)
BLOCK = re.compile(r"^:::\{(exercise|solution)\}[^\n]*\n(.*?)^:::$", re.M | re.S)
PYTHON = re.compile(r"^```python\n(.*?)^```$", re.M | re.S)
#: inline code that calls a function, e.g. `models.fit_iv(d, ...)`
CALL = re.compile(r"`[^`]*\b[a-z_]+\.[a-z_]+\([^`]*`")


def _chapters() -> list[Path]:
    root = repo_root()
    return [root / f"{p}.md" for p in toc_pages(root) if p.startswith("chapters/")]


def _tags(cell: str) -> str:
    first = cell.splitlines()[0] if cell.strip() else ""
    return first if first.startswith(":tags:") else ""


def setup_cell(text: str) -> str:
    """The chapter's first code cell, which must be visible and load the analysis panel."""
    cells = CELL.findall(text)
    assert cells, "no code cell"
    return cells[0]


def solution_code(text: str) -> list[str]:
    """The Python blocks of every solution of the chapter, in order."""
    return [code for kind, body in BLOCK.findall(text) if kind == "solution" for code in PYTHON.findall(body)]


@pytest.mark.parametrize("path", _chapters(), ids=lambda p: p.stem)
def test_first_code_cell_is_the_visible_set_up(path):
    text = path.read_text(encoding="utf-8")
    first = setup_cell(text)
    assert "remove" not in _tags(first) and "hide" not in _tags(first), f"{path.name}: the set-up cell is hidden"
    assert "ap = panel.load_analysis_panel()" in first and "d = ap.data" in first, path.name
    assert "glue(" not in first, f"{path.name}: glue plumbing belongs in a hidden cell after the set-up"


@pytest.mark.parametrize("path", _chapters(), ids=lambda p: p.stem)
def test_every_exercise_that_runs_code_has_solution_code(path):
    text = path.read_text(encoding="utf-8")
    blocks = BLOCK.findall(text)
    for (kind, body), (kind2, body2) in zip(blocks[::2], blocks[1::2], strict=True):
        assert (kind, kind2) == ("exercise", "solution"), path.name
        if CALL.search(body):
            assert PYTHON.search(body2), f"{path.name}: an exercise runs code, its solution shows none:\n{body[:200]}"


@pytest.mark.parametrize("path", _chapters(), ids=lambda p: p.stem)
def test_every_solution_runs_after_the_set_up_cell(path, monkeypatch):
    text = path.read_text(encoding="utf-8")
    code = solution_code(text)
    if not code:
        pytest.skip(f"{path.name}: no solution with code")
    monkeypatch.chdir(path.parent)  # as the notebook runs: from its own folder
    run_solutions(text, path.name)


def run_solutions(text: str, name: str) -> None:
    """Run the chapter's set-up cell, then each solution's code, in one namespace (as a reader would)."""
    namespace: dict = {"__name__": "__exercise__"}
    exec(compile(setup_cell(text), f"{name}:set-up", "exec"), namespace)
    for k, block in enumerate(solution_code(text), start=1):
        exec(compile(block, f"{name}:solution-code-{k}", "exec"), namespace)


PLANTED = """
```{code-cell} ipython3
import numpy as np
```

```{code-cell} ipython3
:tags: [remove-cell]
from aichain_utils import models
```

:::{exercise}
:label: ex-planted
Fit `models.fit_two_way_fe(d)`.
:::

:::{solution} ex-planted
:class: dropdown
```python
models.fit_two_way_fe(np.zeros(1))
```
:::
"""


def test_the_checker_catches_a_name_only_a_hidden_cell_defines():
    """The runner can fail: a solution that uses ``models``, imported only in a hidden cell and not in
    the visible set-up, raises; so does a chapter whose set-up cell is hidden."""
    assert solution_code(PLANTED) == ["models.fit_two_way_fe(np.zeros(1))\n"]
    with pytest.raises(NameError, match="models"):
        run_solutions(PLANTED, "planted.md")
    hidden = "```{code-cell} ipython3\n:tags: [remove-input]\nap = panel.load_analysis_panel()\n```\n"
    assert "remove" in _tags(setup_cell(hidden))
