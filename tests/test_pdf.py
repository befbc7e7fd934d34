"""The whole-book PDF built by ``make pdf`` (issue 15): every chapter, the Chinese text, whole tables.

``make pdf`` writes ``_build/pdf/aichain.pdf`` (``make test`` builds it too when Chromium is
installed); these tests check that file. Without it they are skipped with a message, except in CI
(``CI=true``), where ``make test`` has installed Chromium and a missing PDF is a failure.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pdf_text import pages_text

from aichain_utils.paths import toc_pages


@pytest.fixture(scope="module")
def pdf_text(root) -> list[str]:
    path = root / "_build" / "pdf" / "aichain.pdf"
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail("the book PDF is missing in CI: `make test` should have built it (make pdf)")
        pytest.skip("the book PDF is not built: run `make pdf`")
    return pages_text(path)  # extracted once for every module that reads it (tests/pdf_text.py)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_has_every_chapter(root, pdf_text):
    text = _squash(" ".join(pdf_text))
    for page in toc_pages(root):
        html = (root / "_build" / "html" / f"{page}.html").read_text(encoding="utf-8")
        title = BeautifulSoup(html, "html.parser").select_one("main h1")
        heading = title.get_text(" ", strip=True).replace("#", "").rstrip("¶ ")
        heading = re.sub(r"^\d+\.\s*", "", heading)  # the chapter number
        assert _squash(heading)[:40] in text, f"{page}: '{heading}' is not in the PDF"


def _font_families(path) -> set[str]:
    from pypdf import PdfReader

    families = set()
    for page in PdfReader(path).pages[:10]:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for name in fonts:
            font = fonts[name].get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None:
                families.add(str(descriptor.get_object().get("/FontFamily", "")))
            families.add(str(font.get("/BaseFont", "")))
    return families


def test_pdf_renders_chinese_and_the_regression_tables_whole(root, pdf_text):
    text = " ".join(pdf_text)
    # Chinese is drawn with the Noto CJK fonts (Chromium embeds them as Type 3 fonts, whose text
    # pypdf cannot extract, so the check is on the embedded font rather than on the text)
    families = _font_families(root / "_build" / "pdf" / "aichain.pdf")
    assert any("CJK" in f for f in families), f"no CJK font in the PDF: {sorted(families)}"
    # the compact tables print whole: their last column's heading is on the page
    assert text.count("replicated coef. (SE)") >= 5
    assert _squash(text).count(_squash("adj. R², published / replicated")) >= 5
    assert len(pdf_text) >= 40, f"the PDF has only {len(pdf_text)} pages"


#: The diagnostics the chapters' text cites, each by the row label of a diagnostics table (issue 24).
CITED_DIAGNOSTICS = [
    "SE clustered by unit",
    "SE clustered by industry",
    "wild cluster bootstrap p (industry)",
    "first stage: instrument coef. (SE)",
    "KP rk LM, replicated (p)",
    "KP rk Wald F, replicated",
    "effective F (MOP 10% bias critical value)",
    "Anderson–Rubin 95% set",
    "tF 95% interval (Lee et al. 2022)",
    "suest p, replicated",
    "b: mediator → ERL (SE), eq. (3)/(5)",
    "indirect a·b (Sobel SE)",
    "indirect: bootstrap 95% CI",
]


def _diagnostic_rows(root) -> set[str]:
    """Row labels of every always-shown diagnostics table of the built site."""
    rows = set()
    for page in toc_pages(root):
        html = (root / "_build" / "html" / f"{page}.html").read_text(encoding="utf-8")
        for th in BeautifulSoup(html, "html.parser").select("table.aichain-diagnostics tbody th"):
            rows.add(th.get_text(" ", strip=True))
    return rows


def _pdf_form(text: str) -> str:
    """Text as pypdf extracts it, compared without spaces, ligatures (ﬁ, ﬀ: NFKC) or kinds of dash."""
    import unicodedata

    return _squash(unicodedata.normalize("NFKC", text)).replace("\u2212", "-").replace("\u2013", "-")


#: A printed value of a diagnostic, right after its label: a number, a p-value or interval in brackets,
#: "—" (not applicable) or a word for a set.
_VALUE = re.compile(r"^(?:[-(\[<]?\d|\(<|—|n/a|unbounded|empty|whole)")


def unprinted_values(text: str, labels: list[str]) -> list[str]:
    """Row labels printed in ``text`` (the PDF's) with no value after any of their occurrences: a
    diagnostic is printed only when its numbers are."""
    flat = _pdf_form(text)
    missing = []
    for label in labels:
        key = _pdf_form(label)
        ends = [m.end() for m in re.finditer(re.escape(key), flat)]
        if ends and not any(_VALUE.match(flat[end : end + 40]) for end in ends):
            missing.append(label)
    return missing


def test_every_cited_diagnostic_is_shown_on_the_site_and_printed(root, pdf_text):
    """The diagnostics the text cites are in an always-shown table on the site (not in a toggle) and
    in the PDF's text with their values; every row of every diagnostics table is printed too."""
    rows = _diagnostic_rows(root)
    missing_on_site = [r for r in CITED_DIAGNOSTICS if r not in rows]
    assert not missing_on_site, f"not in any diagnostics table of the site: {missing_on_site}"
    text = _pdf_form(" ".join(pdf_text))
    missing = sorted(r for r in rows | set(CITED_DIAGNOSTICS) if _pdf_form(r) not in text)
    assert not missing, f"diagnostics missing from the PDF: {missing}"
    valueless = unprinted_values(" ".join(pdf_text), CITED_DIAGNOSTICS)
    assert not valueless, f"diagnostics printed without their values: {valueless}"


#: Diagnostics the chapters' prose names, each with the row label of the table that prints it: a name
#: in the text must have its row in the PDF (the list above is kept honest by the prose itself).
PROSE_NAMES = {
    r"\bKP rk LM\b|Kleibergen[–-]Paap rk LM": "KP rk LM, replicated (p)",
    r"KP rk Wald|Kleibergen[–-]Paap (?:rk )?Wald|\brk Wald F\b": "KP rk Wald F, replicated",
    r"\beffective F\b": "effective F (MOP 10% bias critical value)",
    r"Anderson[–-]Rubin": "Anderson–Rubin 95% set",
    r"\btF interval": "tF 95% interval (Lee et al. 2022)",
    r"wild[ -]cluster bootstrap|wild bootstrap": "wild cluster bootstrap p (industry)",
}


def test_every_diagnostic_the_prose_names_is_printed(root, pdf_text):
    """A diagnostic named in a chapter's text (KP rk LM and Wald, effective F, Anderson–Rubin, tF, wild
    bootstrap) is one of CITED_DIAGNOSTICS, and its row is printed in the PDF with its values."""
    prose = ""
    for page in toc_pages(root):
        if page.startswith("chapters/"):
            soup = BeautifulSoup((root / "_build" / "html" / f"{page}.html").read_text("utf-8"), "html.parser")
            for table in soup.select("main table, main div.cell_input"):  # tables and code are not prose
                table.decompose()
            prose += " " + " ".join((soup.select_one("main") or soup).get_text(" ").split())
    named = [label for pattern, label in PROSE_NAMES.items() if re.search(pattern, prose)]
    assert len(named) == len(PROSE_NAMES), f"the prose no longer names {set(PROSE_NAMES.values()) - set(named)}"
    assert set(named) <= set(CITED_DIAGNOSTICS)
    text = " ".join(pdf_text)
    assert not [n for n in named if _pdf_form(n) not in _pdf_form(text)], named
    assert not unprinted_values(text, named), unprinted_values(text, named)


def test_the_value_check_catches_a_label_printed_alone():
    labels = ["KP rk LM, replicated (p)", "Anderson–Rubin 95% set"]
    text = "KP rk LM, replicated (p) 168.75 (< 0.001) Anderson–Rubin 95% set Book table 4.2"
    assert unprinted_values(text, labels) == ["Anderson–Rubin 95% set"]
    assert unprinted_values(text.replace("set Book", "set [0.548, 1.476] Book"), labels) == []


def test_no_pdf_page_prints_a_path_a_source_file_name_or_a_build_folder(root, pdf_text):
    """Issue 24: what tests/test_page_leaks.py forbids on the site's pages (an absolute path of the
    build machine, ../shared, seeds/, a source document's file name, the folder the book was built in)
    is not on any page of the PDF either."""
    from test_page_leaks import leaks_in

    found = [f"page {k + 1}: {leak}" for k, page in enumerate(pdf_text) for leak in leaks_in(page, root.name)]
    assert not found, "\n".join(found[:20])


def test_every_reference_prints_its_year_and_no_api_reference_is_printed(pdf_text):
    """Citations are author–year: no "n.d." (a reference without its year) anywhere in the PDF; and the
    printed book leaves the API reference out (it stays on the site)."""
    text = " ".join(pdf_text)
    assert not re.search(r"\bn\.\s?d\.", text), re.search(r".{60}\bn\.\s?d\..{20}", text)
    assert "Return type" not in text and "aichain_utils.replication.models.fit_two_way_fe(" not in text.replace(" ", "")
    assert "The printed book leaves the API reference out" in text


def _headings(root) -> list[str]:
    """The section headings (h2-h4) of the single-page build the PDF is printed from."""
    html = root / "_build" / "singlehtml" / "index.html"
    if not html.is_file():
        pytest.skip("no single-page build (make pdf builds it)")
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    out = []
    for h in soup.select("main h2, main h3, main h4"):
        text = h.get_text(" ", strip=True).replace("#", "").rstrip("¶ ")
        if len(_squash(text)) >= 6:
            out.append(text)
    return out


def orphaned(pages: list[str], headings: list[str]) -> list[str]:
    """Headings that end a page of the PDF: their section starts on the next page."""
    ends = [_pdf_form(p)[-200:] for p in pages[:-1]]
    return [f"page {k + 1}: '{h}'" for k, end in enumerate(ends) for h in headings if end.endswith(_pdf_form(h)[-60:])]


def _captions(root) -> list[str]:
    """The captions of the numbered tables of the single-page build (each above its table), and the
    title of each diagnostics table (above it too)."""
    html = root / "_build" / "singlehtml" / "index.html"
    if not html.is_file():
        pytest.skip("no single-page build (make pdf builds it)")
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    selector = "div.aichain-table > p:first-child, p.aichain-diagnostics-title"
    return [p.get_text(" ", strip=True) for p in soup.select(selector)]


def lonely_captions(pages: list[str], captions: list[str]) -> list[str]:
    """Table captions that are the last text of a PDF page: their table starts on the next page."""
    ends = [_pdf_form(p) for p in pages[:-1]]
    out = []
    for caption in captions:
        tail = _pdf_form(caption)[-40:]
        out += [f"page {k + 1}: '{caption[:60]}…'" for k, end in enumerate(ends) if end.endswith(tail)]
    return out


def test_no_heading_ends_a_page_and_no_caption_leaves_its_table(root, pdf_text):
    """Issue 24 (print): no heading is the last line of a PDF page (break-after: avoid), and no table
    caption is either (its table follows it on the same page)."""
    assert not orphaned(pdf_text, _headings(root)), orphaned(pdf_text, _headings(root))[:10]
    assert not lonely_captions(pdf_text, _captions(root)), lonely_captions(pdf_text, _captions(root))[:10]


def test_the_layout_checks_catch_an_orphaned_heading_and_a_lonely_caption():
    """The checks can fail: a page ending with a heading, and one ending with a caption, are reported."""
    pages = ["Some text. 4.2 Inference with 35 industries", "The section starts here.", "end"]
    assert orphaned(pages, ["4.2 Inference with 35 industries"]) == ["page 1: '4.2 Inference with 35 industries'"]
    caption = "Book table 4.1 The paper's Table 3, published and replicated."
    assert lonely_captions([f"Text. {caption}", "column (1) ...", "end"], [caption]) == [f"page 1: '{caption[:60]}…'"]
    assert not lonely_captions([f"{caption} column published coef. (SE)", "y"], [caption])


def test_a_pdfs_text_is_extracted_once_and_again_when_the_pdf_is_printed_again(tmp_path, monkeypatch):
    """tests/pdf_text.py: the text of a PDF is extracted once (the other modules and workers read the cache
    file), and again when the PDF changes (a new print: another size or modification time)."""
    import pdf_text
    from pypdf import PdfWriter

    pdf = tmp_path / "_build" / "pdf" / "book.pdf"
    pdf.parent.mkdir(parents=True)
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(pdf)
    runs: list[Path] = []
    monkeypatch.setattr(pdf_text, "extract", lambda path: runs.append(path) or [f"print {len(runs)}"])
    assert pdf_text.pages_text(pdf) == ["print 1"]
    assert pdf_text.pages_text(pdf) == ["print 1"]  # this process's memory
    monkeypatch.setattr(pdf_text, "_SEEN", {})  # another worker: the cache file
    assert pdf_text.pages_text(pdf) == ["print 1"] and len(runs) == 1
    assert [p.name for p in (tmp_path / "_build" / ".pdf-text").glob("*.json")] == [
        f"book.{pdf_text.cache_key(pdf)}.json"
    ]
    os.utime(pdf, ns=(pdf.stat().st_atime_ns, pdf.stat().st_mtime_ns + 10**9))  # printed again
    assert pdf_text.pages_text(pdf) == ["print 2"] and len(runs) == 2
    assert len(list((tmp_path / "_build" / ".pdf-text").glob("*.json"))) == 1, "the earlier print's text is kept"
