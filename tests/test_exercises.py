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
    assert "panel = book.load_panel()" in first or "ap = panel.load_analysis_panel()" in first, path.name
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
    """Every solution's code runs after the set-up cell, and every number the text of a solution with
    code cites (a glued value, ``{glue:text}`key:.3f```) is a number its own code prints (issue 24: a
    solution's printed answer is the output of its own code)."""
    text = path.read_text(encoding="utf-8")
    code = solution_code(text)
    if not code:
        pytest.skip(f"{path.name}: no solution with code")
    monkeypatch.chdir(path.parent)  # as the notebook runs: from its own folder
    printed = run_solutions(text, path.name)
    glued = _glued_values(path)
    if glued is None:
        return  # the book is not built: the cited numbers cannot be read (make test builds it first)
    missing = numbers_not_printed(text, printed, glued)
    assert not missing, f"{path.name}:\n" + "\n".join(missing)


def numbers_not_printed(text: str, printed: list[str], glued: dict[str, float]) -> list[str]:
    """The numbers the text of a solution with code cites that its own code does not print."""
    missing = []
    for k, body in enumerate(solution_bodies(text)):
        if not PYTHON.search(body):
            continue  # a solution in words only: its numbers are the chapter's glued values, not its own output
        for key, decimals in CITED.findall(body):
            value = glued.get(key)
            if value is None:
                missing.append(f"solution {k + 1} cites {key!r}, which the chapter never glues")
            elif not _printed(value, int(decimals), printed[k]):
                missing.append(f"solution {k + 1}: {key} = {value:.{decimals}f} is not printed by its code")
    return missing


def test_a_solution_citing_a_number_its_code_does_not_print_is_caught():
    """The cited-number check can fail: a solution whose code prints 0.851 but whose text cites a glued
    0.977 is reported; the same text with the code's own number passes; a coarser print matches."""
    text = (
        "```{code-cell} ipython3\nx = 0.8512\n```\n\n:::{exercise}\n:label: ex-p\nFit.\n:::\n\n"
        ":::{solution} ex-p\n:class: dropdown\nThe estimate is {glue:text}`est:.3f`.\n```python\nprint(x)\n```\n:::\n"
    )
    printed = run_solutions(text, "planted.md")
    assert printed == ["0.8512\n"]
    assert numbers_not_printed(text, printed, {"est": 0.977}) == ["solution 1: est = 0.977 is not printed by its code"]
    assert numbers_not_printed(text, printed, {"est": 0.8512}) == []
    assert numbers_not_printed(text, printed, {}) == ["solution 1 cites 'est', which the chapter never glues"]
    assert _printed(0.9004, 3, "FE    0.9\n") and not _printed(0.96, 3, "FE    0.9\n")


#: A number a solution's text cites: a glued value with a fixed-point format, e.g. ``{glue:text}`c4:.3f```.
CITED = re.compile(r"\{glue:text\}`([A-Za-z0-9_.]+):[^`]*?\.(\d+)f`")
#: A number in printed output (a DataFrame, a print of a float, a tuple ...).
NUMBER = re.compile(r"(?<![\w.])[-+−]?\d+(?:\.(\d+))?(?:e[-+]?\d+)?(?![\w.])")


def solution_bodies(text: str) -> list[str]:
    """The text of each solution (prose and code), in order."""
    return [body for kind, body in BLOCK.findall(text) if kind == "solution"]


def _printed(value: float, decimals: int, output: str) -> bool:
    """Whether ``output`` shows ``value`` at the precision the text cites it (or at its own, if coarser)."""
    for m in NUMBER.finditer(output):
        shown = m.group(0).replace("−", "-")
        places = len(m.group(1) or "")
        tol = 0.5 * 10 ** (-min(decimals, places)) + 1e-9 if "e" not in shown.lower() else 10 ** (-decimals)
        if abs(float(shown) - value) <= tol:
            return True
    return False


def _glued_values(path: Path) -> dict[str, float] | None:
    """The numeric values the chapter's executed notebook glued (``_build/jupyter_execute``), by key."""
    import json

    glue = repo_root() / "_build" / "jupyter_execute" / "chapters" / f"{path.stem}.glue.json"
    if not glue.is_file():
        return None
    out = {}
    for key, record in json.loads(glue.read_text(encoding="utf-8")).items():
        plain = record.get("data", {}).get("text/plain", "")
        m = re.fullmatch(r"(?:np\.\w+\()?\s*([-+]?[\d.]+(?:e[-+]?\d+)?)\)?", plain.strip())
        if m:
            out[key] = float(m.group(1))
    return out


def _as_cell(code: str) -> str:
    """The code as a notebook cell runs it: a last expression's value is shown (here: printed)."""
    import ast

    tree = ast.parse(code)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1]
        show = ast.parse("print(_cell_value) if _cell_value is not None else None").body[0]
        tree.body[-1] = ast.Assign(targets=[ast.Name("_cell_value", ast.Store())], value=last.value, lineno=last.lineno)
        tree.body.append(show)
    return ast.unparse(ast.fix_missing_locations(tree))


def run_solutions(text: str, name: str) -> list[str]:
    """Run the chapter's set-up cell, then each solution's code, in one namespace (as a reader would);
    returns what each solution printed (its code's output, a last expression shown as a cell shows it)."""
    import contextlib
    import io

    import pandas as pd

    namespace: dict = {"__name__": "__exercise__"}
    exec(compile(setup_cell(text), f"{name}:set-up", "exec"), namespace)
    outputs = []
    wide = ("display.width", 250, "display.max_columns", 60, "display.max_rows", 200)
    for k, body in enumerate(solution_bodies(text), start=1):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), pd.option_context(*wide):
            for j, block in enumerate(PYTHON.findall(body), start=1):
                exec(compile(_as_cell(block), f"{name}:solution-{k}-code-{j}", "exec"), namespace)
        outputs.append(buffer.getvalue())
    return outputs


PLANTED = """
```{code-cell} ipython3
import numpy as np
```

```{code-cell} ipython3
:tags: [remove-cell]
from aichain_utils.replication import models
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
