"""The package's layers: the import contracts hold, a planted violation breaks them, functions stay short
and the wheel carries every subpackage.

The contracts are in ``pyproject.toml`` (``[tool.importlinter]``): the layers from ``book`` down to
``paths``/``errors``, the report and the robustness methods independent of each other, the
econometrics and robustness cores forbidden the paper's layers, and no import cycle among the modules
of any package. ``make lint`` and the lint phase of ``make test`` run them (``lint-imports``).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

#: The subpackages the layers contract names, top to bottom.
SUBPACKAGES = ["book", "replication", "report", "robustness", "inputs", "simulation", "measurement", "econometrics"]

#: Longest a function of the package may be, from its ``def`` line to its last line, its docstring not
#: counted (the docstrings state the estimators' formulas and cite the paper's equations and tables: the
#: limit is on the logic, which past ~80 lines is split into named steps).
MAX_FUNCTION_LINES = 80

#: Functions allowed past the limit, each with its reason.
LONG_FUNCTIONS: dict[str, str] = {}


def _lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    kept = result.stdout.count(" KEPT")
    assert kept == 5, result.stdout  # layers, independence, two forbidden, acyclic


def _planted_copy(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the package and its contracts with ``line`` appended to ``module`` (a path under it)."""
    shutil.copytree(ROOT / "aichain_utils", tmp_path / "aichain_utils", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "aichain_utils" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # an input module reaching up into the paper's replication layer
        ("inputs/published.py", "from aichain_utils.replication import ledger  # noqa", "Layers"),
        # the generic econometrics core naming the paper's schema
        ("econometrics/covariance.py", "from aichain_utils.inputs import schema  # noqa", "econometrics core"),
        # the report importing the robustness methods, its independent sibling
        ("report/display.py", "from aichain_utils.robustness import sensitivity  # noqa", "independent"),
        # two modules of one layer importing each other: the schema back up into the panel
        ("inputs/schema.py", "from aichain_utils.inputs import panel  # noqa", "No import cycle"),
    ],
)
def test_a_planted_violation_breaks_the_contracts(tmp_path, module, line, contract):
    copy = _planted_copy(tmp_path, module, line)
    result = _lint_imports(copy, pythonpath=copy)
    assert result.returncode != 0, result.stdout
    broken = [row for row in result.stdout.splitlines() if row.endswith("BROKEN")]
    assert any(contract in row for row in broken), result.stdout
    assert Path(module).stem in result.stdout  # the report names the module the violation was planted in


def _docstring_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    first = node.body[0] if node.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.end_lineno - first.lineno + 1
    return 0


def _functions(tree: ast.AST, prefix: str = ""):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield prefix + node.name, node.end_lineno - node.lineno + 1 - _docstring_lines(node)
            yield from _functions(node, prefix + node.name + ".")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, prefix + node.name + ".")


def long_functions(package: Path) -> dict[str, int]:
    """``file:function`` -> lines, for every function of ``package`` longer than the limit."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, lines in _functions(tree):
            if lines > MAX_FUNCTION_LINES:
                out[f"{path.relative_to(package).as_posix()}:{name}"] = lines
    return out


def test_no_function_past_the_limit():
    found = long_functions(ROOT / "aichain_utils")
    over = {name: lines for name, lines in found.items() if name not in LONG_FUNCTIONS}
    assert not over, f"functions longer than {MAX_FUNCTION_LINES} lines: split them into named steps: {over}"


def test_the_length_check_can_fail(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "long.py").write_text(f"def too_long():\n{body}\n", encoding="utf-8")
    assert long_functions(tmp_path) == {"long.py:too_long": MAX_FUNCTION_LINES + 1}
    doc = '    """' + "\n".join(["Formula."] * 30) + '"""'
    short = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES - 1))
    (tmp_path / "long.py").write_text(f"def documented():\n{doc}\n{short}\n", encoding="utf-8")
    assert long_functions(tmp_path) == {}, "a docstring does not count"


def test_every_allowed_long_function_exists():
    """The allow-list names only functions that are still long: a split one leaves it."""
    found = long_functions(ROOT / "aichain_utils")
    assert set(LONG_FUNCTIONS) <= set(found), set(LONG_FUNCTIONS) - set(found)


def test_every_subpackage_is_in_the_layers_contract():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    on_disk = sorted(p.parent.name for p in (ROOT / "aichain_utils").glob("*/__init__.py"))
    assert on_disk == sorted(SUBPACKAGES)
    for name in SUBPACKAGES:
        assert f'"{name}' in text or f"| {name}" in text, name


def test_the_wheel_carries_every_subpackage(tmp_path):
    """``pip wheel`` on a copy of the project: every subpackage's modules are in the wheel."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "aichain_utils", src / "aichain_utils", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("aichain_utils-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"aichain_utils/{p.relative_to(ROOT / 'aichain_utils').as_posix()}"
        for p in (ROOT / "aichain_utils").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert expected <= names, sorted(expected - names)
    for sub in SUBPACKAGES:
        assert f"aichain_utils/{sub}/__init__.py" in names
