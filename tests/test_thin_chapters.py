"""Thin chapters (issue 25, item 2): a chapter computes nothing; the package's results objects do.

* the visible set-up cell is a few lines (imports it uses, the panel, the results objects, one glue call);
* a hidden cell (``remove-cell``, ``remove-input``, ``hide-input``) only displays: imports, and calls of
  display functions whose arguments are names, attributes, constants or method calls on them, with no
  arithmetic, comparison, condition, loop, comprehension or f-string;
* numbers reach the prose only through :func:`aichain_utils.book.glue_numbers`: no chapter glues a number
  itself, and every ``{glue:text}`` key starts with the prefix of a results object.

Each rule has a planted-failure companion, so that it cannot pass by finding nothing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from aichain_utils.paths import toc_pages

ROOT = Path(__file__).resolve().parent.parent

#: Pages not yet thin. Remove a page from this set when its chapter reads its results objects.
PENDING: set[str] = set()

HIDDEN_TAGS = {"remove-cell", "remove-input", "hide-input"}
#: Functions a hidden cell may call at the top of a statement or as the argument of another allowed call.
DISPLAY = {
    "display",
    "glue",
    "glue_figure",
    "glue_placeholders",
    "glue_numbers",
    "HTML",
    "Markdown",
    "show_markdown",
    "show_table",
    "show_regression",
    "data_banner",
    "print",
}
#: Expression nodes that compute: none may appear in a hidden cell.
COMPUTING = (
    ast.BinOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.JoinedStr,
    ast.Subscript,
    ast.Starred,
)
SETUP_MAX_LINES = 12
_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", re.S | re.M)
_TEXT_ROLE = re.compile(r"\{glue:text\}`([^`:]+)(?::[^`]*)?`")


def _pages() -> list[str]:
    return [p for p in toc_pages(ROOT) if _CELL.search((ROOT / f"{p}.md").read_text(encoding="utf-8"))]


def _cells(text: str) -> list[tuple[set[str], str]]:
    out = []
    for body in _CELL.findall(text):
        lines = body.splitlines()
        tags: set[str] = set()
        for line in lines:
            if line.startswith(":tags:"):
                tags = {t.strip() for t in line.split(":", 2)[2].strip(" []").split(",")}
        code = "\n".join(line for line in lines if not line.startswith(":") and not line.startswith("%"))
        out.append((tags, code))
    return out


def _called_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _argument_problems(node: ast.AST) -> list[str]:
    """An argument may be a constant, a name, an attribute, or a call (to a display function, or a method of
    a results object) whose own arguments follow the same rule."""
    if isinstance(node, ast.Constant | ast.Name):
        return []
    if isinstance(node, ast.Attribute):
        return _argument_problems(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return []
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id not in DISPLAY:
            return [f"calls {func.id}()"]
        problems = [] if isinstance(func, ast.Name) else _argument_problems(func.value)
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            problems += _argument_problems(arg)
        return problems
    return [f"computes ({type(node).__name__})"]


def hidden_cell_problems(code: str) -> list[str]:
    """Why a hidden cell's code is more than display calls (empty when it only displays)."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return [f"does not parse: {exc}"]
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, COMPUTING):
            problems.append(f"line {getattr(node, 'lineno', '?')}: computes ({type(node).__name__})")
    for stmt in tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            continue
        value = stmt.value if isinstance(stmt, ast.Expr | ast.Assign) else None
        if not isinstance(value, ast.Call):
            problems.append(f"line {stmt.lineno}: a {type(stmt).__name__} statement, not a display call")
            continue
        if isinstance(stmt, ast.Expr) and _called_name(value.func) not in DISPLAY:
            problems.append(f"line {stmt.lineno}: calls {_called_name(value.func)}(), not a display function")
            continue
        problems += [f"line {stmt.lineno}: {p}" for p in _argument_problems(value)]
    return problems


def glue_call_problems(code: str) -> list[str]:
    """A chapter glues a number only through ``glue_numbers``: ``glue(key, value)`` must display something."""
    problems = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and _called_name(node.func) == "glue":
            display = next((k.value for k in node.keywords if k.arg == "display"), None)
            if isinstance(display, ast.Constant) and display.value is False:
                problems.append(f"line {node.lineno}: glue(..., display=False) glues a number by hand")
            elif len(node.args) > 1 and not isinstance(node.args[1], ast.Call):
                problems.append(f"line {node.lineno}: glue() of a value, not of a display call")
    return problems


def page_problems(page: str) -> list[str]:
    from aichain_utils.replication import results  # noqa: F401  (registers every prefix)
    from aichain_utils.replication.numbers import PREFIXES

    text = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    cells = _cells(text)
    problems = []
    setup = [line for line in cells[0][1].splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if cells[0][0] & HIDDEN_TAGS:
        problems.append("the first code cell (the set-up) is hidden")
    if len(setup) > SETUP_MAX_LINES:
        problems.append(f"the set-up cell has {len(setup)} lines of code (at most {SETUP_MAX_LINES})")
    for i, (tags, code) in enumerate(cells):
        where = f"cell {i + 1}"
        problems += [f"{where}: {p}" for p in glue_call_problems(code)]
        if tags & HIDDEN_TAGS:
            problems += [f"{where} ({', '.join(sorted(tags))}): {p}" for p in hidden_cell_problems(code)]
    for key in sorted(set(_TEXT_ROLE.findall(text))):
        if re.fullmatch(r"table\d+_missing", key):
            continue
        if not any(key.startswith(f"{prefix}_") for prefix in PREFIXES):
            problems.append(f"{{glue:text}} key {key!r} does not start with a results object's prefix")
    return problems


@pytest.mark.parametrize("page", _pages())
def test_chapter_is_thin(page):
    if page in PENDING:
        pytest.xfail(f"{page} is not yet converted to results objects (issue 25, item 2)")
    problems = page_problems(page)
    assert not problems, f"{page}.md computes in the notebook:\n  " + "\n  ".join(problems)


def test_pending_pages_exist():
    assert PENDING <= set(_pages()), sorted(PENDING - set(_pages()))


@pytest.mark.parametrize(
    "code, reason",
    [
        ('glue("c4_vs_c2", "larger" if a > b else "smaller", display=False)', "IfExp"),
        ("x = t3.tidy.set_index('column').loc[6]", "Subscript"),
        ("for c in cols:\n    show_table(c)", "For"),
        ("show_table(pd.DataFrame([{'a': c.number} for c in cols]))", "ListComp"),
        ('HTML(f"<p>{ap.source.label}</p>")', "JoinedStr"),
        ("glue_figure('fig', tables.coefficient_plot(t3, truth=truth - 1))", "BinOp"),
        ("models.fit_two_way_fe(d)", "not a display function"),
        ("show_table(compute_something(d))", "calls compute_something()"),
    ],
)
def test_planted_computation_in_a_hidden_cell_is_found(code, reason):
    problems = hidden_cell_problems(code)
    assert any(reason in p for p in problems), problems


@pytest.mark.parametrize(
    "code",
    [
        "from aichain_utils import book\nbook.data_banner(panel)",
        'glue("tbl_t3", show_regression(t3.table))',
        'glue_figure("fig_t3", t3.coefficient_plot())',
        'glue("tbl_readings", show_table(t3.readings_table(), precision=2))',
    ],
)
def test_display_only_cells_pass(code):
    assert hidden_cell_problems(code) == []


def test_planted_hand_glue_is_found():
    assert glue_call_problems('glue("main_coef", float(x), display=False)')
    assert glue_call_problems('glue("n", 3)')
    assert not glue_call_problems('glue("tbl_t3", show_regression(t3))')
