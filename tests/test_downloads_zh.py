"""The Chinese edition's downloads are Chinese (issue 26): a Chinese page's download menu offers the page's
executed notebook (.ipynb) and its source (.md) with the prose from the page's catalogue, as the page reads;
code, outputs and numbers are the English edition's (:func:`aichain_utils.book.kit.translated_notebook`,
``sphinxext._translate_downloaded_sources``).

Checked on the built site (``make book``): every downloadable source of a page that has a catalogue must
carry the catalogue's translation of the page's first heading and hold more Chinese characters than
English words in its prose, and its code cells must be the English edition's, byte for byte.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aichain_utils.book.handouts import page_catalogue
from aichain_utils.book.kit import translated_notebook
from aichain_utils.errors import AichainInputError
from aichain_utils.paths import repo_root

ROOT = repo_root()
SITE = ROOT / "_build" / "html"
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z]{3,}")
_HEADING = re.compile(r"^# (.+)$", re.M)
#: Pages whose prose stays English by design: the API reference is the package's docstrings (the Chinese
#: page says so); its catalogue translates only its headings.
ENGLISH_BY_DESIGN = {"api"}


def _prose(text: str) -> str:
    """The Markdown of a source without its fenced blocks (code, directives' options) and roles."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    return re.sub(r"\{[a-z:]+\}`[^`]*`", " ", text)


def english_downloads(english: str, chinese: str, catalogue: dict[str, str]) -> list[str]:
    """What is wrong with a Chinese download (``chinese``) of the English source ``english``: its first
    heading not the catalogue's translation, more English words than Chinese characters in its prose."""
    problems = []
    heading = _HEADING.search(english)
    if heading and " ".join(heading.group(1).split()) in catalogue:
        wanted = catalogue[" ".join(heading.group(1).split())]
        if f"# {wanted}" not in chinese:
            problems.append(f"the heading is not {wanted!r}")
    prose = _prose(chinese)
    if len(_WORD.findall(prose)) > len(_CJK.findall(prose)):
        problems.append(f"{len(_WORD.findall(prose))} English words, {len(_CJK.findall(prose))} Chinese characters")
    return problems


def _notebook(title: str, paragraph: str) -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"# {title}\n", "\n", paragraph]},
        {"cell_type": "code", "metadata": {}, "source": "x = 1  # The effect of AI", "outputs": [],
         "execution_count": 1},
    ]  # fmt: skip
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_a_notebooks_markdown_is_translated_and_its_code_kept():
    catalogue = {"Baseline": "基准回归", "The effect of AI is large.": "人工智能的效应很大。"}
    out = json.loads(translated_notebook(_notebook("Baseline", "The effect of   AI\nis large."), catalogue))
    assert "".join(out["cells"][0]["source"]) == "# 基准回归\n\n人工智能的效应很大。"
    assert out["cells"][1]["source"] == "x = 1  # The effect of AI" and out["cells"][1]["execution_count"] == 1
    english = _notebook("Baseline", "Not in the catalogue.")
    assert translated_notebook(english, {}) == english  # the English edition: unchanged


def test_a_bad_notebook_or_catalogue_is_refused():
    with pytest.raises(AichainInputError, match=r"'source': must be a notebook's JSON"):
        translated_notebook("not json", {"a": "甲"})
    with pytest.raises(AichainInputError, match=r"'source': must be a notebook: a JSON object"):
        translated_notebook("[1, 2]", {"a": "甲"})
    with pytest.raises(AichainInputError, match=r"'catalogue': every entry"):
        translated_notebook(_notebook("a", "b"), {"a": ""})


def test_the_check_finds_an_english_download():
    catalogue = {"Baseline": "基准回归"}
    english = "# Baseline\n\nThe effect of AI embedding on the reconstruction of the innovation chain.\n"
    assert english_downloads(english, english, catalogue)  # planted: the English source served as it is
    assert not english_downloads(english, "# 基准回归\n\n人工智能嵌入对创新链布局重构的影响。\n", catalogue)


def _downloads() -> list[Path]:
    folder = SITE / "zh" / "_sources"
    return sorted(p for p in folder.rglob("*") if p.suffix in (".md", ".ipynb")) if folder.is_dir() else []


@pytest.mark.parametrize("path", _downloads(), ids=lambda p: str(p.relative_to(SITE / "zh" / "_sources")))
def test_every_chinese_download_with_a_catalogue_is_chinese(path):
    page = path.relative_to(SITE / "zh" / "_sources").with_suffix("").as_posix()
    catalogue = page_catalogue(ROOT, page, "zh_CN")
    english_file = SITE / path.relative_to(SITE / "zh")
    if page in ENGLISH_BY_DESIGN or not catalogue or not english_file.is_file():
        pytest.skip(f"{page}: no catalogue, or no English download beside it")
    chinese, english = path.read_text(encoding="utf-8"), english_file.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(chinese)["cells"], json.loads(english)["cells"]
        code = [[c["source"] for c in nb if c["cell_type"] == "code"] for nb in cells]
        assert code[0] == code[1], f"{page}: the Chinese notebook's code differs from the English one's"
        chinese, english = ("\n\n".join("".join(c["source"]) for c in nb if c["cell_type"] == "markdown")
                            for nb in cells)  # fmt: skip
    assert not english_downloads(english, chinese, catalogue), page


def test_the_chinese_site_offers_its_downloads():
    if not (SITE / "zh" / "chapters" / "baseline.html").is_file():
        pytest.skip("the Chinese edition is not built (make book)")
    assert (SITE / "zh" / "_sources" / "chapters" / "baseline.ipynb").is_file()
    assert (SITE / "zh" / "_sources" / "chapters" / "baseline.md").is_file()
