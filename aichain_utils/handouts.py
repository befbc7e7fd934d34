"""One printable handout per chapter, assembled from the chapters' own sources.

Each handout gives the chapter's learning objectives, its key equations (the chapter's own display
equations, or the equations of the framework chapter it estimates), a link to its main table and its
exercises, so that nothing is written twice: a change to a chapter changes its handout. The book's
``handouts`` page is written from :func:`handouts_markdown` at build time (see
:mod:`aichain_utils.sphinxext`); the print stylesheet starts each handout on a new page.
"""

from __future__ import annotations

import re
from pathlib import Path

from aichain_utils.paths import repo_root, toc_pages

__all__ = ["CHAPTER_EQUATIONS", "chapter_handout", "handouts_markdown"]

#: Equations of the framework chapter (numbers as printed in the paper) each chapter estimates.
CHAPTER_EQUATIONS: dict[str, list[int]] = {
    "framework": [1, 2, 3],
    "baseline": [1],
    "endogeneity": [1],
    "mechanisms": [2, 3],
    "heterogeneity": [1],
    "value_extension": [1],
    "simulation_lab": [1],
}

_TITLE = re.compile(r"^# (.+)$", re.M)
_LABEL = re.compile(r"^\((ch-[\w-]+)\)=$", re.M)
_OBJECTIVES = re.compile(r"^:::\{admonition\} Learning objectives\n(?::class:[^\n]*\n)?(.*?)^:::$", re.M | re.S)
_EXERCISE = re.compile(r"^:::\{exercise\}\n:label: [\w-]+\n(.*?)^:::$", re.M | re.S)
_DISPLAY = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.M | re.S)
_TABLE = re.compile(r"^:::\{numbered-table\} (.*)\n:name: ([\w-]+)$", re.M)
_GLUE = re.compile(r"\{glue:text\}`[^`]*`")
_ONLY = re.compile(r"^(`{3,})\{only\}.*?^\1$", re.M | re.S)


def _framework_equations(root: Path) -> dict[int, str]:
    text = (root / "chapters" / "framework.md").read_text(encoding="utf-8")
    found = {}
    for body in _DISPLAY.findall(text):
        tag = re.search(r"\\tag\{(\d+)\}", body)
        if tag:
            found[int(tag.group(1))] = body.strip()
    return found


def chapter_handout(path: Path, equations: dict[int, str]) -> str:
    """The handout of the chapter at ``path`` as MyST Markdown (a level-2 section)."""
    text = path.read_text(encoding="utf-8")
    stem = path.stem
    title = _TITLE.search(text).group(1).strip()
    label = _LABEL.search(text)
    parts = [f"(handout-{stem.replace('_', '-')})=", f"## {title}", ""]
    if label:
        parts += [f"Chapter: {{ref}}`{label.group(1)}`.", ""]
    objectives = _OBJECTIVES.search(text)
    if objectives:
        parts += ["**Learning objectives.** " + objectives.group(1).strip(), ""]
    display = [e for e in _DISPLAY.findall(text) if "\\tag" in e][:3]
    if stem in CHAPTER_EQUATIONS:
        display = [equations[n] for n in CHAPTER_EQUATIONS[stem] if n in equations]
    elif not display:
        display = _DISPLAY.findall(text)[:2]
    if display:
        parts += ["**Key equations.**", ""]
        for body in display:
            parts += ["$$", body.strip(), "$$", ""]
    tables = _TABLE.findall(_ONLY.sub("", text))  # a table of every build, not of one kind of data
    main = next((t for t in tables if t[0].startswith("The paper's Table")), tables[0] if tables else None)
    if main:
        caption = f"Book table {{number}}: {{name}} <{main[1]}>"  # its number and caption, linked
        parts += [f"**The table** (in the chapter): {{numref}}`{caption}`", ""]
    else:
        parts += _gated_table(text)
    exercises = [_GLUE.sub("[number in the chapter]", _ONLY.sub("", e)).strip() for e in _EXERCISE.findall(text)]
    if exercises:
        parts += ["**Exercises.**", ""]
        parts += [f"{k}. " + e.replace("\n", "\n   ") for k, e in enumerate(exercises, start=1)]
        parts += [""]
    return "\n".join(parts)


_GATED = re.compile(r"^(`{3,})\{only\} (has_table\d+(?: and has_table\d+)*)\n(.*?)^\1$", re.M | re.S)


def _gated_table(text: str) -> list[str]:
    """The chapter's main table when it is built only on data that can give it: linked on builds that
    have it, and on other builds a sentence saying it was not built (the chapter gives the reason)."""
    for _, tags, body in _GATED.findall(text):
        found = [t for t in _TABLE.findall(body) if t[0].startswith("The paper's Table")]
        if found:
            caption = f"Book table {{number}}: {{name}} <{found[0][1]}>"
            return [
                f"````{{only}} {tags}",
                f"**The table** (in the chapter): {{numref}}`{caption}`",
                "````",
                "",
                f"````{{only}} not ({tags})",
                "**The table** is not built on the data of this build; the chapter says why.",
                "````",
                "",
            ]
    return []


def handouts_markdown(root: Path | None = None) -> str:
    """Every chapter's handout, in the order of the table of contents, as MyST Markdown."""
    root = root or repo_root()
    equations = _framework_equations(root)
    chapters = [root / f"{p}.md" for p in toc_pages(root) if p.startswith("chapters/")]
    return "\n".join(
        f'```{{raw}} html\n<div class="aichain-handout-break"></div>\n```\n\n{chapter_handout(p, equations)}'
        for p in chapters
    )
