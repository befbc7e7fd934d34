"""The Chinese PDFs (issue 26, item 5): ``make pdf LANG=zh`` and ``make pdf EDITION=student LANG=zh``.

``make pdf LANG=zh`` (and ``make test`` when Chromium is installed) prints the Chinese edition's single page
(``_build/zh/singlehtml``: Sphinx's language zh_CN and the catalogues, from the English build's execution
cache) to ``_build/pdf/aichain-zh.pdf``; the student edition's (``_build/student/zh/singlehtml``) to
``_build/pdf/aichain-student-zh.pdf``. These tests read those files: every chapter under its Chinese title,
the Chinese banner, the numbers of the English PDF, every Chinese character drawn (none left to a font that
lacks it), and in the student's no solution. Each check is shown to fail on a planted text.

Without the PDFs the tests are skipped, except in CI (``CI=true``), where ``make test`` has installed
Chromium and a missing PDF is a failure.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pdf_text import pages_text
from test_pdf import _font_families
from test_pdf_student import _SOLUTION, _sources, candidates, squash

from aichain_utils.book.sphinxext import edition_pdf, strip_solutions
from aichain_utils.paths import toc_pages

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import build_book
import make_pdf

#: Chinese characters and punctuation: CJK symbols, the unified ideographs and the full-width forms.
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
#: A printed estimate: a signed decimal with three or more digits after the point.
_NUMBER = re.compile(r"(?<![\d.])-?\d+\.\d{3,}(?![\d.])")


def _pdf(path: Path, command: str, radicals: dict[str, str] | None = None) -> list[str]:
    """The text of each page of the PDF at ``path``, which ``command`` prints; with ``radicals``, each
    radical the text gives for an ideograph's glyph as that ideograph (:func:`radical_equivalents`)."""
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{path.name} is missing in CI: `make test` should have printed it ({command})")
        pytest.skip(f"{path.name} is not built: run `{command}` (or make test)")
    pages = pages_text(path)  # extracted once for every module that reads it (tests/pdf_text.py)
    return ["".join((radicals or {}).get(c, c) for c in page) for page in pages]


@pytest.fixture(scope="module")
def radicals() -> dict[str, str]:
    return radical_equivalents(_cjk_font_cmap())


@pytest.fixture(scope="module")
def zh_pages(root, radicals) -> list[str]:
    return _pdf(root / "_build" / "pdf" / "aichain-zh.pdf", "make pdf LANG=zh", radicals)


@pytest.fixture(scope="module")
def english_pages(root) -> list[str]:
    return _pdf(root / "_build" / "pdf" / "aichain.pdf", "make pdf LANG=en")


def _chinese_site(root):
    """The Chinese site (``_build/html/zh``, or the folder it is built in)."""
    for site in (root / "_build" / "html" / "zh", root / "_build" / "zh" / "html"):
        if (site / "index.html").is_file():
            return site
    pytest.skip("the Chinese site is not built (make book)")


def _title(page_html: str) -> str:
    title = BeautifulSoup(page_html, "html.parser").select_one("main h1")
    heading = title.get_text(" ", strip=True).replace("#", "").rstrip("¶ ")
    return re.sub(r"^\d+\.\s*", "", heading)  # the chapter number


def test_chinese_pdf_has_every_chapter_under_its_chinese_title(root, zh_pages):
    """Every page of the table of contents is printed under the title of its Chinese page, and the
    chapters' titles are Chinese (a page left out, or printed from the English build, fails)."""
    site = _chinese_site(root)
    text = squash(" ".join(zh_pages))
    titles = {page: _title((site / f"{page}.html").read_text(encoding="utf-8")) for page in toc_pages(root)}
    missing = [f"{page}: '{title}'" for page, title in titles.items() if squash(title)[:40] not in text]
    assert not missing, f"not in the Chinese PDF: {missing}"
    english = [title for page, title in titles.items() if page.startswith("chapters/") and not _CJK.search(title)]
    assert not english, f"chapter titles that are not Chinese: {english}"
    assert len(zh_pages) >= 40, f"the Chinese PDF has only {len(zh_pages)} pages"


def test_chinese_pdf_has_the_chinese_banner_and_no_api_reference(zh_pages):
    text = " ".join(zh_pages)
    assert squash("数据：") in squash(text) and squash("模拟面板") in squash(text), "no Chinese data banner"
    assert "Return type" not in text and "aichain_utils.replication.models.fit_two_way_fe(" not in text.replace(" ", "")


def table3_page(english_pages: list[str]) -> str:
    """The English PDF's page that prints the paper's Table 3 (published and replicated)."""
    marker = squash("The paper's Table 3 (baseline regression of ERL on AIE), published and replicated")
    found = [page for page in english_pages if marker in squash(page)]
    assert found, "the English PDF prints no page with the paper's Table 3"
    return found[0]


def _numbers(text: str) -> set[str]:
    return set(_NUMBER.findall(unicodedata.normalize("NFKC", text).replace("\u2212", "-")))


def numbers_missing(english: str, chinese: str) -> list[str]:
    """The printed estimates (decimals of three or more digits) of ``english`` that ``chinese`` lacks."""
    return sorted(_numbers(english) - _numbers(chinese))


def test_chinese_pdf_prints_the_numbers_of_the_english_pdf(english_pages, zh_pages):
    """One execution, two languages: every estimate on the English PDF's Table 3 page is printed in the
    Chinese PDF, and so is every estimate the English PDF prints (glued values in the text included)."""
    page = table3_page(english_pages)
    assert len(_numbers(page)) >= 10, "too few numbers on the English Table 3 page"
    chinese = " ".join(zh_pages)
    assert not numbers_missing(page, chinese), numbers_missing(page, chinese)
    missing = numbers_missing(" ".join(english_pages), chinese)
    assert not missing, f"{len(missing)} numbers of the English PDF are not in the Chinese PDF: {missing[:20]}"


def test_the_number_check_catches_a_changed_number():
    english = "column (6) 0.851 (0.042) 1.234 R² 0.62"
    assert numbers_missing(english, "第 (6) 列 0.851（0.042）1.234") == []
    assert numbers_missing(english, "第 (6) 列 0.852（0.042）1.234") == ["0.851"]
    assert numbers_missing("−0.125", "-0.125") == []


#: The font Chromium draws the Chinese edition's text in (its pages are ``lang="zh-CN"``).
CJK_FONT = "Noto Sans CJK SC"


@functools.cache
def _cjk_font_cmap() -> dict[int, str]:
    """The character map of :data:`CJK_FONT` as fontconfig finds it (code point -> glyph name), read once."""
    import subprocess

    from fontTools.ttLib import TTFont

    try:
        found = subprocess.run(["fc-match", "-f", "%{file}:%{index}", CJK_FONT], capture_output=True, text=True)
    except FileNotFoundError:
        pytest.skip("fontconfig (fc-match) is not installed")
    path, _, index = found.stdout.rpartition(":")
    with TTFont(path, fontNumber=int(index or 0), lazy=True) as font:
        if CJK_FONT not in str(font["name"].getDebugName(4) or ""):
            pytest.fail(f"fontconfig has no {CJK_FONT} (found {path}): make pdf-deps installs fonts-noto-cjk")
        return dict(font.getBestCmap())


def radical_equivalents(cmap: dict[int, str]) -> dict[str, str]:
    """Radicals (Kangxi, CJK Radicals Supplement) -> the ideograph the font draws with the same glyph: the
    PDF's text gives such a glyph as the radical (⻅ U+2EC5 for 见, ⼈ U+2F08 for 人)."""
    by_glyph: dict[str, str] = {}
    for code, glyph in sorted(cmap.items()):
        if 0x4E00 <= code <= 0x9FFF:
            by_glyph.setdefault(glyph, chr(code))
    radicals = {code: glyph for code, glyph in cmap.items() if 0x2E80 <= code <= 0x2FDF}
    return {chr(code): by_glyph[glyph] for code, glyph in radicals.items() if glyph in by_glyph}


def undrawn_characters(page_text: str, pdf_text: str, radicals: dict[str, str] | None = None) -> list[str]:
    """The Chinese characters of the page that the PDF does not print: Chromium draws a character no
    font has as an empty box (tofu), whose text is not the character. Both are compared in NFKC, and the
    PDF's radicals as the ideographs of the same glyph (:func:`radical_equivalents`)."""
    pdf_text = unicodedata.normalize("NFKC", "".join((radicals or {}).get(c, c) for c in pdf_text))
    drawn = set(pdf_text)
    return sorted({c for c in _CJK.findall(unicodedata.normalize("NFKC", page_text)) if c not in drawn})


def _single_page_text(root) -> str:
    html = root / "_build" / "zh" / "singlehtml" / "index.html"
    if not html.is_file():
        pytest.skip("no Chinese single-page build (make pdf LANG=zh builds it)")
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    for hidden in soup.select("script, style, .toggle-details, details, .dropdown, nav, .d-print-none, .headerlink"):
        hidden.decompose()
    return (soup.select_one("main") or soup).get_text(" ")


def test_chinese_pdf_draws_every_chinese_character_in_a_cjk_font(root, zh_pages, radicals):
    """No glyph is missing: the PDF embeds Noto Sans CJK SC, which has a glyph for every Chinese character
    of the single page the PDF is printed from, and each of those characters is in the PDF's text."""
    families = _font_families(root / "_build" / "pdf" / "aichain-zh.pdf")
    assert CJK_FONT in families, f"the Chinese PDF does not embed {CJK_FONT}: {sorted(families)}"
    page = _single_page_text(root)
    assert len(_CJK.findall(page)) > 10000, "the single page has little Chinese: not the Chinese edition?"
    cmap = _cjk_font_cmap()
    uncovered = sorted({c for c in _CJK.findall(page) if ord(c) not in cmap})
    assert not uncovered, f"characters {CJK_FONT} has no glyph for (tofu): {''.join(uncovered[:50])}"
    undrawn = undrawn_characters(page, " ".join(zh_pages), radicals)
    assert not undrawn, f"Chinese characters the PDF does not print (missing glyphs?): {''.join(undrawn[:50])}"


def test_the_glyph_check_catches_a_character_left_undrawn():
    assert undrawn_characters("创新链布局重构效能", "创新链布局重构效能") == []
    assert undrawn_characters("创新链布局重构效能", "创新链布局\ufffd构效能") == ["重"]
    assert undrawn_characters("人工智能嵌入", "\u2f08\u2f2f智能嵌\u2f0a") == []  # Kangxi radicals: the same glyphs
    assert undrawn_characters("见", "\u2ec5") == ["见"]  # a radical of the supplement, without the font's map
    assert undrawn_characters("见", "\u2ec5", {"\u2ec5": "见"}) == []


# --------------------------------------------------------------------------- the Chinese student edition
@pytest.fixture(scope="module")
def zh_student_pages(root, radicals) -> list[str]:
    return _pdf(root / "_build" / "pdf" / "aichain-student-zh.pdf", "make pdf EDITION=student LANG=zh", radicals)


def code_markers(root) -> dict[str, list[str]]:
    """For each solution, the lines of its code found nowhere else in the book (code is not translated)."""
    sources = _sources(root)
    rest = squash("\n".join(strip_solutions(t) for t in sources.values()))
    solutions = {label: body for text in sources.values() for label, body in _SOLUTION.findall(text)}
    lines = {label: [c for c in candidates(body) if not re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+ [A-Za-z]+ ", c)]
             for label, body in solutions.items()}  # fmt: skip
    return {label: [c for c in found if squash(c) not in rest] for label, found in lines.items()}


#: How sphinx-exercise titles a solution in the Chinese edition, "解答 练习 4.1" ("Solution to Exercise 4.1").
ZH_SOLUTION_TITLE = re.compile(r"解答练习\d+\.\d+")


def solutions_printed(text: str, markers: dict[str, list[str]]) -> list[str]:
    """The solutions of ``markers`` whose code is printed in ``text``, and the solution titles it prints."""
    flat = squash(text)
    found = [label for label, lines in markers.items() if any(squash(line) in flat for line in lines)]
    return found + ZH_SOLUTION_TITLE.findall(flat)


def test_chinese_student_pdf_has_no_solution(root, zh_pages, zh_student_pages):
    """No solution in the Chinese student PDF: the code of each solution (printed in the Chinese
    instructor's PDF) is absent, and so is the solutions' title; the exercises are printed."""
    markers = code_markers(root)
    instructor = squash(" ".join(zh_pages))
    shown = {k: [m for m in v if squash(m) in instructor] for k, v in markers.items()}
    assert sum(bool(v) for v in shown.values()) >= 3, "too few solutions print code the check can see"
    titles = ZH_SOLUTION_TITLE.findall(squash(" ".join(zh_pages)))
    assert len(titles) >= 20, f"the instructor's Chinese PDF titles {len(titles)} solutions “解答 练习 …”"
    left = solutions_printed(" ".join(zh_student_pages), shown)
    assert not left, f"solutions left in the Chinese student PDF: {left}"
    assert "练习" in " ".join(zh_student_pages), "no exercise in the Chinese student PDF"


def test_the_chinese_solution_check_catches_a_solution_left_in():
    markers = {"ex-a": ["fit = models.fit_two_way_fe(d, entity='industry_id')"], "ex-b": []}
    assert solutions_printed("练习 4.1 ……", markers) == []
    assert solutions_printed("fit = models.fit_two_way_fe(d, entity='industry_id')", markers) == ["ex-a"]
    assert solutions_printed("练习 4.1 …… 解答 练习 4.1 ……", markers) == ["解答练习4.1"]


# --------------------------------------------------------------------------- where the Chinese builds go
def test_the_chinese_editions_have_their_own_folders_and_pdfs(root, tmp_path, monkeypatch):
    """The Chinese single page is ``_build/zh/singlehtml`` (the student's ``_build/student/zh/singlehtml``),
    without the language switch a PDF cannot follow; the Chinese student site is copied into the English
    student site, never into the instructor's; each edition and language has its own PDF."""
    build = tmp_path / "_build"
    assert make_pdf.single_page_folder(build, None, "zh_CN") == build / "zh" / "singlehtml"
    assert make_pdf.single_page_folder(build, build / "student", "zh_CN") == build / "student" / "zh" / "singlehtml"
    assert make_pdf.single_page_folder(build) == build / "singlehtml"
    assert "aichain_counterpart_root" not in build_book.language_overrides(root, "zh_CN", "singlehtml")
    assert build_book.language_overrides(root, "zh_CN", "singlehtml")["language"] == "zh_CN"
    site = build / "student" / "zh" / "html"
    site.mkdir(parents=True)
    (site / "index.html").write_text("学生版", encoding="utf-8")
    build_book.publish_language(site, "zh_CN", "html")
    assert (build / "student" / "html" / "zh" / "index.html").read_text(encoding="utf-8") == "学生版"
    assert not (build / "html").exists()
    monkeypatch.setenv("AICHAIN_EDITION", "student")
    assert (edition_pdf(), edition_pdf("zh_CN")) == ("aichain-student.pdf", "aichain-student-zh.pdf")
    monkeypatch.delenv("AICHAIN_EDITION")
    assert (edition_pdf("en"), edition_pdf("zh_CN")) == ("aichain.pdf", "aichain-zh.pdf")
    assert {edition_pdf(), edition_pdf("zh_CN")} <= set(build_book.PDF_NAMES)
