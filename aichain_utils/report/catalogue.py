"""The Chinese edition's catalogues of the executed outputs' words (issue 26, item 4), as both readers
see them: the tables' labels, rewritten when the Chinese pages are written
(:mod:`aichain_utils.book.tablelabels`), and the figures' texts, drawn in Chinese when a chapter runs
(:mod:`aichain_utils.report.figurelabels`). One reader of a ``.po`` file and one rule of what is a label
to translate, so that a cell and a figure treat a word, a number and a symbol alike.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["CONTEXT", "catalogue_path", "is_label", "load_catalogue"]

#: Between a message's context (``msgctxt``) and its id in a loaded catalogue's keys (gettext's own
#: separator): ``"name\x04year"`` is ``year`` in the context ``name``.
CONTEXT = "\x04"

#: a variable's symbol or a statistic's abbreviation (AIE, ELRI_front, ITSE_backward, N, SE, IV1, RMSE), or
#: symbols joined by signs ("ERL / AIE", "AIE → FSIE", "FSIE + ITSE")
_ONE = r"[A-Z][A-Z0-9]*(?:_[A-Za-z0-9]+)*"
_SYMBOL = re.compile(rf"^{_ONE}(?:\s*[/→,+×·-]\s*{_ONE})*$")


def is_label(text: str) -> bool:
    """Whether a cell's (unescaped) text is a label to translate: it has a word (two letters in a row)
    and is not a symbol, nor symbols joined by signs."""
    return bool(re.search(r"[A-Za-z]{2}", text)) and not _SYMBOL.match(text)


def catalogue_path(domain: str, language: str = "zh_CN", root: Path | None = None) -> Path:
    """``locale/<language>/LC_MESSAGES/<domain>.po`` of the repository (``root``: the checkout that holds
    the package, :func:`aichain_utils.paths.repo_root`)."""
    if root is None:
        from aichain_utils.paths import repo_root

        root = repo_root()
    return Path(root) / "locale" / language / "LC_MESSAGES" / f"{domain}.po"


def load_catalogue(path: Path) -> dict[str, str]:
    """A ``.po`` file's translations (msgid -> msgstr), without the empty and fuzzy ones; {} when
    there is no such file. A message with a context (``msgctxt``) is keyed ``context + CONTEXT + msgid``
    (:data:`CONTEXT`), so it never stands for the message without one."""
    from babel.messages.pofile import read_po

    if not path.is_file():
        return {}
    with path.open("rb") as f:
        catalog = read_po(f)
    return {
        (f"{m.context}{CONTEXT}{m.id}" if m.context else m.id): m.string
        for m in catalog
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }
