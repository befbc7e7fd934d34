"""The pins live in requirements.txt; environment.yml must mirror them exactly."""

from __future__ import annotations

import re
import sys

import yaml


def _requirement_pins(root):
    pins = {}
    for raw in (root / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==([A-Za-z0-9_.+\-!]+)", line)
        assert m, f"requirements.txt: '{line}' is not pinned to an exact version (name==version)"
        pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_every_requirement_is_pinned_exactly(root):
    pins = _requirement_pins(root)
    for name in [
        "jupyter-book",
        "jupytext",
        "pandas",
        "statsmodels",
        "linearmodels",
        "seaborn",
        "myst-nb",
        "jupyter-cache",
        "pandera",
        "scikit-learn",
        "pyfixest",
        "pytest",
        "ruff",
    ]:
        assert name in pins, f"{name} is a direct dependency but is not pinned"
    assert pins["jupyter-book"].startswith("1."), "the card fixes Jupyter Book 1.x"


def test_environment_yml_mirrors_requirements(root):
    env = yaml.safe_load((root / "environment.yml").read_text(encoding="utf-8"))
    assert "conda-forge" in env["channels"]
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    env_pins = {}
    for line in pip_section:
        if line.startswith("-e"):
            continue
        name, version = line.split("==")
        env_pins[name.lower().replace("_", "-")] = version
    req = _requirement_pins(root)
    missing = sorted(set(req) - set(env_pins))
    extra = sorted(set(env_pins) - set(req))
    differ = sorted(k for k in set(req) & set(env_pins) if req[k] != env_pins[k])
    assert not (missing or extra or differ), (
        f"environment.yml disagrees with requirements.txt: missing {missing}, extra {extra}, "
        f"different versions {differ}. Run python tools/sync_environment.py"
    )


def test_running_python_is_311():
    assert sys.version_info[:2] == (3, 11)
