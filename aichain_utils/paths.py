"""Locations of the repository and its data folders."""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path:
    """Return the repository root (the folder that holds ``_config.yml``).

    The package is installed in editable mode from the repository, so the root
    is the parent of the package folder. Installed from the wheel the book's site offers
    (:mod:`aichain_utils.book.kit`), the package carries the book's ``data/`` in ``aichain_utils/_book``,
    and that folder is the root.

    Raises
    ------
    FileNotFoundError
        If the package is neither inside a checkout of the repository nor installed from the wheel.
    """
    package = Path(__file__).resolve().parent
    root = package.parent
    if (root / "data").is_dir():
        return root
    if (package / "_book" / "data").is_dir():  # installed from the site's wheel
        return package / "_book"
    raise FileNotFoundError(
        f"aichain_utils is not inside a checkout of the repository: no data/ folder "
        f"next to {package}. Install it with `pip install -e .` from the "
        "repository root, or install the wheel the book's site offers (kit/)."
    )


def data_dir() -> Path:
    """Return the repository's ``data/`` folder."""
    return repo_root() / "data"


def published_dir() -> Path:
    """Return ``data/published/``, the machine-readable transcription of the paper's tables."""
    return data_dir() / "published"


def toc_pages(root: Path | None = None) -> list[str]:
    """The book's pages in reading order, as ``_toc.yml`` lists them (paths without ``.md``).

    Parameters
    ----------
    root : Path, optional
        Repository root; defaults to :func:`repo_root`.
    """
    import yaml

    root = root or repo_root()
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part.get("chapters", [])]
    return pages
