"""The text of a built PDF, extracted once for every test module that reads it (issue 27).

``tests/test_pdf.py``, ``tests/test_pdf_student.py`` and ``tests/test_pdf_zh.py`` read the same PDFs (the
instructor's English PDF, ``_build/pdf/aichain.pdf``, all three); pypdf takes seconds to minutes to extract a
book's text, and ``make test`` runs the modules on different pytest-xdist workers (processes). So each PDF's
text is extracted once and kept in a file beside the build, keyed by the PDF's path, size and modification
time (a PDF printed again is extracted again) and by pypdf's version; a worker that finds another one
extracting the same PDF waits for it (a lock file) instead of extracting it a second time.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from pathlib import Path

#: Texts extracted (or read from the cache) in this process: key -> pages.
_SEEN: dict[str, list[str]] = {}


def cache_key(path: Path) -> str:
    """What identifies a PDF's text: its absolute path, size and modification time, and pypdf's version."""
    import pypdf

    stat = path.stat()
    ident = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|pypdf {pypdf.__version__}"
    return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:24]


def cache_dir(path: Path) -> Path:
    """Where the texts of the PDFs of ``path``'s folder are kept: ``_build/.pdf-text`` for ``_build/pdf``."""
    return path.resolve().parent.parent / ".pdf-text"


def extract(path: Path) -> list[str]:
    """The text of each page of the PDF at ``path`` as pypdf extracts it, each run of white space one space."""
    from pypdf import PdfReader

    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(path).pages]


def pages_text(path: Path) -> list[str]:
    """The text of each page of the PDF at ``path`` (:func:`extract`), extracted once: from this process's
    memory, else from the cache file (:func:`cache_key`), else extracted and written there (atomically)."""
    key = cache_key(path)
    if key in _SEEN:
        return list(_SEEN[key])
    folder = cache_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    cached = folder / f"{path.stem}.{key}.json"
    with open(folder / f"{path.stem}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker extracting this PDF: wait for its file
        try:
            pages = json.loads(cached.read_text(encoding="utf-8")) if cached.is_file() else None
        except (OSError, ValueError):
            pages = None  # a damaged cache file: extracted again
        if not isinstance(pages, list):
            pages = extract(path)
            for stale in folder.glob(f"{path.stem}.*.json"):  # an earlier print of this PDF
                stale.unlink(missing_ok=True)
            tmp = folder / f"{path.stem}.{key}.{os.getpid()}.tmp"
            tmp.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, cached)
    _SEEN[key] = pages
    return list(pages)
