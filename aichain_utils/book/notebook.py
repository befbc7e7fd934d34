"""Chapter support: run a table's cells only when the data can build the table, and say why not.

A chapter whose table needs variables the data lack (an analysis-level file without group labels
cannot give Tables 7–9) must still build, with a visible note where the table would be. Three pieces
do that without changing what a chapter computes when the data have everything:

* the cell magic ``%%when_available Table 7`` (load it with ``%load_ext aichain_utils.book.notebook``)
  runs its cell only when :meth:`aichain_utils.inputs.panel.AnalysisPanel.missing_reason` says the table
  can be built; otherwise it prints nothing and records the reason;
* the prose and the numbered tables and figures about that table sit in a ```{only} has_table7```
  block (the Sphinx extension sets the tag when the table can be built) and a ```{only} not has_table7```
  block glues the reason (``table7_missing``);
* :func:`glue_placeholders` glues a placeholder for every glue key used inside a ``has_tableN`` block
  of a table that was skipped, so that the page parses; the block itself is not written.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["glue_placeholders", "load_ipython_extension", "only_block_keys", "ungated_glue_keys", "when_available"]

_ONLY = re.compile(r"^(`{3,}|:{3,})\{only\}\s+(has_table\d+(?:\s+and\s+has_table\d+)*)\s*$")
_ROLE = re.compile(r"\{glue:(?:text|any)\}`([A-Za-z_][A-Za-z0-9_]*)(?::[^`]*)?`")
_DIRECTIVE = re.compile(r"^(?:`{3,}|:{3,})\{glue:(any|figure|text)\}\s+([A-Za-z_][A-Za-z0-9_]*)\s*$")

#: Tables skipped in this kernel, with their reason (filled by the magic).
SKIPPED: dict[int, str] = {}
#: ``tableN_missing`` keys already glued in this kernel (a glue key must be unique on a page).
_NOTED: set[int] = set()
#: Every key glued in this kernel since the extension was loaded (recorded from the display publisher):
#: a placeholder is never glued over a key a cell that ran has glued (myst-nb warns on a duplicate key).
GLUED: set[str] = set()


def only_block_keys(text: str) -> dict[int, dict[str, str]]:
    """Glue keys used inside each ``{only} has_tableN`` block of a MyST page, with their kind.

    A block guarded by ``has_table7 and has_table8`` counts for both tables.

    Returns
    -------
    dict
        Table number -> {key: "text" | "any" | "figure"}.
    """
    out: dict[int, dict[str, str]] = {}
    fence, tables = None, []
    for line in text.splitlines():
        m = _ONLY.match(line.strip())
        if fence is None and m:
            fence, tables = m.group(1), [int(v) for v in re.findall(r"\d+", m.group(2))]
            continue
        if fence is not None and line.strip() == fence:
            fence, tables = None, []
            continue
        found = {}
        d = _DIRECTIVE.match(line.strip())
        if d:
            found[d.group(2)] = d.group(1)
        for key in _ROLE.findall(line):
            found.setdefault(key, "text")
        for table in tables:
            for key, kind in found.items():
                out.setdefault(table, {}).setdefault(key, kind)
    return out


_GLUE_CALL = re.compile(r"\bglue(?:_figure)?\(\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']")


def ungated_glue_keys(text: str) -> set[str]:
    """Keys glued (by a literal name) in the page's code cells that do not start with ``%%when_available``.

    Those cells always run, so their keys need no placeholder even when a gated block uses them.
    """
    keys: set[str] = set()
    for cell in re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", text, flags=re.S | re.M):
        code = [line for line in cell.splitlines() if not line.startswith(":")]
        if code and code[0].startswith("%%when_available"):
            continue
        keys |= set(_GLUE_CALL.findall("\n".join(code)))
    return keys


def _placeholder(kind: str):
    if kind == "figure":
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(1, 1))
        ax.axis("off")
        return fig
    if kind == "any":
        import pandas as pd

        return pd.DataFrame()
    return float("nan")  # formats under any numeric spec (":.3f", ":,", ":+.1e") and is never shown


def glue_placeholders(page: str | Path) -> list[str]:
    """Glue a placeholder for each key of a ``has_tableN`` block whose table was skipped.

    Parameters
    ----------
    page : str or Path
        The chapter's MyST source (the notebook runs in its folder, so its file name suffices).

    Returns
    -------
    list of str
        The keys glued (none when every table of the page was built).
    """
    if not SKIPPED:  # every table built: no placeholder (and no need of the page's source, which a
        return []  # notebook downloaded from the site and run elsewhere does not have beside it)
    from myst_nb import glue

    from aichain_utils.report.display import glue_figure

    text = Path(page).read_text(encoding="utf-8")
    always = ungated_glue_keys(text)
    glued = []
    for table, keys in only_block_keys(text).items():
        if table not in SKIPPED:
            continue
        for key, kind in keys.items():
            if key.endswith("_missing") or key in glued or key in always or key in GLUED:  # glue each key once
                continue
            value = _placeholder(kind)
            if kind == "figure":
                glue_figure(key, value)
            else:
                glue(key, value, display=kind == "any")
            glued.append(key)
    return glued


def when_available(line: str, cell: str) -> None:
    """Cell magic ``%%when_available Table N`` (or ``Tables 7, 8, 9``): run the cell only if the data
    can build every table named.

    For each table the reason it cannot be built is glued as ``tableN_missing`` (empty when it can;
    a page prints it in an ``{only} not has_tableN`` block) and recorded for
    :func:`glue_placeholders`. An error inside a cell that runs is raised, so the build fails as it
    would without the magic.
    """
    from IPython import get_ipython
    from myst_nb import glue

    if not re.fullmatch(r"\s*Tables?\s+\d+(\s*,?\s*\d+)*\s*", line):
        raise ValueError(f"%%when_available needs 'Table N' or 'Tables N, M', got {line!r}")
    tables = [int(v) for v in re.findall(r"\d+", line)]
    shell = get_ipython()
    ap = next((v for v in map(shell.user_ns.get, ("panel", "ap")) if hasattr(v, "missing_reason")), None)
    if ap is None:
        raise NameError("%%when_available needs the analysis panel as `panel` (run the chapter's set-up cell)")
    reasons = {t: ap.missing_reason(f"Table {t}") for t in tables}
    for t, reason in reasons.items():
        if t not in _NOTED:  # a bilingual reason is glued with its Chinese, which a Chinese page shows
            glue(f"table{t}_missing", _glued_reason(reason), display=False)
            _NOTED.add(t)
        if reason:
            SKIPPED[t] = reason
    if any(reasons.values()):
        for t in tables:  # the cell computes all of them together: none is shown
            SKIPPED.setdefault(t, "; ".join(r for r in reasons.values() if r))
        return
    shell.run_cell(cell).raise_error()


class BilingualOutput:
    """What :func:`aichain_utils.book.glue_numbers` glues for a :class:`~aichain_utils.text.Bilingual` leaf,
    and ``%%when_available`` for a bilingual reason: an object that IPython displays as the text's
    :meth:`~aichain_utils.text.Bilingual.mimebundle` (its English as ``text/plain``, exactly as its English
    ``str`` would be glued; its Chinese under the MIME type :data:`~aichain_utils.text.ZH_MIME`)."""

    def __init__(self, text):
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return self.text.mimebundle()


def _glued_reason(reason: str | None):
    """What ``tableN_missing`` glues: "" when the table is built; a reason in English and Chinese
    (:class:`~aichain_utils.text.Bilingual`) as :func:`aichain_utils.book.glue_numbers` glues such a text
    (its English ``text/plain`` as before, its Chinese for the Chinese page); any other reason as it is."""
    from aichain_utils.text import Bilingual

    return BilingualOutput(reason) if isinstance(reason, Bilingual) else (reason or "")


def _record_glued_keys(ipython) -> None:
    """Record the name of every glued output (myst-nb's ``glue`` publishes it in the display metadata)."""
    pub = getattr(ipython, "display_pub", None)
    if pub is None or getattr(pub, "_aichain_records_glue", False):
        return
    original = pub.publish

    def publish(data, metadata=None, *args, **kwargs):
        name = ((metadata or {}).get("scrapbook") or {}).get("name")
        if name:
            GLUED.add(name)
        return original(data, metadata, *args, **kwargs)

    pub.publish = publish
    pub._aichain_records_glue = True


def load_ipython_extension(ipython) -> None:
    """``%load_ext aichain_utils.book.notebook`` registers ``%%when_available`` and records glued keys."""
    ipython.register_magic_function(when_available, magic_kind="cell", magic_name="when_available")
    _record_glued_keys(ipython)
