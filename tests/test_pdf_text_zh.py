"""The text of the Chinese PDFs (issue 26, defects 4 and 15): what a search or a copy of the PDF gives.

The Noto CJK fonts draw a radical (⼈ U+2F08, ⻅ U+2EC5) and the ideograph it looks like (人, 见) with one
glyph, and the ToUnicode CMaps Chromium writes give that glyph as the radical, so that the PDF's text read
"⼈⼯智能" and a search for 人工智能 found nothing; Chromium's outline repeated and ran together the words of
a heading printed on two lines. ``tools/make_pdf.py`` (:func:`make_pdf.fix_text`, run on every print, the
handouts' too) rewrites those CMaps and the outline's titles. These tests read the built PDFs (``_build/pdf``):
the Chinese text is searchable and has no radical; the print stylesheet leaves the language switch out (and,
still open, a short verdict of the ledger should print on one line). The CMap fix itself is tested on a
synthetic CMap and a one-page PDF.

Without the PDFs the tests that read them are skipped, except in CI (``CI=true``), where ``make test`` has
installed Chromium and a missing PDF is a failure.
"""

from __future__ import annotations

import functools
import io
import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import make_pdf

#: The Chinese PDFs and the command that prints each.
CHINESE_PDFS = {
    "aichain-zh.pdf": "make pdf LANG=zh",
    "aichain-student-zh.pdf": "make pdf EDITION=student LANG=zh",
    "aichain-handouts-zh.pdf": "make pdf EDITION=student LANG=zh",
}
#: Verdicts of the ledger's 结论 column that a too-narrow column printed one character per line.
VERDICTS = ("无法复现", "设计性差异", "已复现")


def _pdf_text(root: Path, name: str, command: str) -> list[str]:
    """The text of each page of ``_build/pdf/<name>`` (skipped when it is not built, failed in CI)."""
    path = root / "_build" / "pdf" / name
    if not path.is_file() or path.stat().st_size == 0:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing in CI: `make test` should have printed it ({command})")
        pytest.skip(f"{name} is not built: run `{command}` (or make test)")
    return _extracted(path, path.stat().st_mtime_ns)


@functools.cache
def _extracted(path: Path, _mtime: int) -> list[str]:
    """Each page's text of the PDF at ``path`` (read once per version of the file)."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def broken_verdicts(text: str) -> list[str]:
    """The verdicts of :data:`VERDICTS` that ``text`` gives one character per line (a column too narrow)."""
    return [v for v in VERDICTS if re.search(r"\s*\n\s*".join(v), text)]


@pytest.mark.parametrize("name", sorted(CHINESE_PDFS))
def test_chinese_pdf_text_is_searchable_and_has_no_radical(root, name):
    text = "".join(_pdf_text(root, name, CHINESE_PDFS[name]))
    assert "人工智能" in text
    radicals = sorted(set(make_pdf.RADICALS.findall(text)))
    assert not radicals, f"{name}'s text gives radicals for ideographs: {''.join(radicals)}"


def test_english_pdf_text_has_no_radical(root):
    text = "".join(_pdf_text(root, "aichain.pdf", "make pdf LANG=en"))
    assert not make_pdf.RADICALS.findall(text)


def test_chinese_ledger_prints_each_verdict_on_one_line(root):
    """A verdict (无法复现) in a narrow column prints on one line (tablelabels.mark_word_cells and the print
    style sheet), not one character per line (review of issue 26, defect 15)."""
    text = "\n".join(_pdf_text(root, "aichain-zh.pdf", CHINESE_PDFS["aichain-zh.pdf"]))
    assert "无法复现" in text
    assert broken_verdicts(text) == []


def test_broken_verdicts_finds_a_verdict_one_character_per_line():  # the planted failure
    assert broken_verdicts("结论\n无\n法\n复\n现\n已复现") == ["无法复现"]
    assert broken_verdicts("结论 无法复现 设计性差异") == []


def test_chinese_handouts_do_not_print_the_language_switch(root):
    first = _pdf_text(root, "aichain-handouts-zh.pdf", CHINESE_PDFS["aichain-handouts-zh.pdf"])[0]
    assert not first.lstrip().startswith("English")


def test_radical_equivalents_prefer_the_fonts_glyph_then_nfkc():
    # ⻅ (U+2EC5) has no NFKC equivalent: the font's shared glyph says it is 见 (U+89C1)
    equivalents = make_pdf.radical_equivalents({0x2EC5: "uni89C1", 0x89C1: "uni89C1", 0x2F08: "r"})
    assert equivalents["⻅"] == "见"
    assert equivalents["⼈"] == "人"  # NFKC when the font gives the radical its own glyph
    assert "⺀" not in equivalents  # neither: left as it is
    assert all(make_pdf.RADICALS.fullmatch(r) for r in equivalents)


CMAP = """/CIDInit /ProcSet findresource begin
begincmap
1 begincodespacerange
<00> <FF>
endcodespacerange
3 beginbfchar
<01> <2F08>
<02> <5DE5>
<03> <00660069>
endbfchar
2 beginbfrange
<10> <12> <2F00>
<20> <21> [<2F2F> <4E00>]
endbfrange
1 beginbfrange
<30> <31> <4E09>
endbfrange
endcmap
"""


def test_fix_cmap_reads_each_radical_as_its_ideograph():
    equivalents = make_pdf.radical_equivalents({})
    fixed = make_pdf.fix_cmap(CMAP.encode("latin-1"), equivalents).decode("latin-1")
    assert "<01> <4EBA>" in fixed  # ⼈ -> 人
    assert "<02> <5DE5>" in fixed and "<03> <00660069>" in fixed  # the others as they were
    assert "<10> <12> [<4E00> <4E28> <4E36>]" in fixed  # ⼀⼁⼂ -> 一丨丶, one entry still
    assert "<20> <21> [<5DE5> <4E00>]" in fixed  # ⼯ -> 工
    assert "<30> <31> <4E09>" in fixed
    assert fixed.count("beginbfrange") == 2 and "3 beginbfchar" in fixed
    assert not re.search(r"<2[EF][0-9A-F]{2}>", fixed)
    unchanged = CMAP.replace("2F", "4E").encode("latin-1")
    assert make_pdf.fix_cmap(unchanged, equivalents) is unchanged


def _one_page_pdf(path: Path, cmap: str) -> None:
    """A one-page PDF that writes codes 01, 02 in a font whose ToUnicode CMap is ``cmap``."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 100)
    to_unicode = DecodedStreamObject()
    to_unicode.set_data(cmap.encode("latin-1"))
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
        NameObject("/ToUnicode"): writer._add_object(to_unicode.flate_encode()),
    })  # fmt: skip
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    })  # fmt: skip
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 10 50 Td <0102> Tj ET")
    page[NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())


def test_fix_text_rewrites_a_pdfs_cmaps_and_keeps_what_it_draws(tmp_path):
    from pypdf import PdfReader

    pdf = tmp_path / "planted.pdf"
    _one_page_pdf(pdf, CMAP)
    assert PdfReader(pdf).pages[0].extract_text() == "⼈工"  # the planted radical
    before = pdf.read_bytes()
    assert make_pdf.fix_text(pdf, make_pdf.radical_equivalents({})) == 1
    assert PdfReader(pdf).pages[0].extract_text() == "人工"
    assert pdf.read_bytes().startswith(before)  # an incremental update: the drawing is untouched
    assert len(PdfReader(pdf).pages) == 1
    again = pdf.read_bytes()
    assert make_pdf.fix_text(pdf, make_pdf.radical_equivalents({})) == 0  # nothing left to fix
    assert pdf.read_bytes() == again


def _outline_titles(root: Path, name: str, command: str) -> list[str]:
    _pdf_text(root, name, command)  # skipped when not built
    from pypdf import PdfReader

    def walk(items):
        for item in items:
            yield from walk(item) if isinstance(item, list) else [item.title]

    return list(walk(PdfReader(root / "_build" / "pdf" / name).outline))


def repeated_titles(titles: list[str]) -> list[str]:
    """Outline titles that repeat their section number or their words (a heading printed on two lines)."""
    return [t for t in titles if re.match(r"(\d+(?:\.\d+)*\.) \1", t) or re.search(r"(\S.{5,})\1", t)]


def test_repeated_titles_finds_a_garbled_heading():  # the planted failure
    garbled = "5. 5. 内生性检验与稳健性检验（表 4~表内生性检验与稳健性检验（表 4~表5）"
    assert repeated_titles([garbled, "How to read itHow to read it", "1.1. Key terms"]) == [
        garbled,
        "How to read itHow to read it",
    ]


@pytest.mark.parametrize(("name", "command"), [("aichain-zh.pdf", "make pdf LANG=zh"), ("aichain.pdf", "make pdf")])
def test_pdf_outline_gives_each_heading_once(root, name, command):
    titles = _outline_titles(root, name, command)
    assert len(titles) > 10
    assert repeated_titles(titles) == []


def test_outline_titles_are_the_headings_chromium_garbled(tmp_path):
    assert make_pdf.garbles("5. 5. 内生性检验（表 4~表内生性检验（表 4~表5）", "5. 内生性检验（表 4~表 5）")
    assert make_pdf.garbles("How to read itHow to read it", "How to read it")
    assert make_pdf.garbles("13. Appendix: validating theestimators", "13. Appendix: validating the estimators")
    assert not make_pdf.garbles("1.2. Key terms", "1.1. Key terms")
    assert not make_pdf.garbles("Exercises", "5.1. Exercises")
    from pypdf import PdfReader, PdfWriter

    pdf = tmp_path / "outline.pdf"
    writer = PdfWriter()
    writer.add_blank_page(200, 100)
    chapter = writer.add_outline_item(title="1. 1. FrameworkFramework", page_number=0)
    writer.add_outline_item(title="1.1. Key terms", page_number=0, parent=chapter)
    writer.add_outline_item(title="2. 2. Measurement: fromMeasurement: fromraw inputs", page_number=0)
    writer.write(pdf)
    headings = ["Contents", "1. Framework", "1.1. Key terms", "Hidden in print", "2. Measurement: from raw inputs"]
    assert make_pdf.fix_text(pdf, {}, headings) == 2
    outline = PdfReader(pdf).outline
    assert [outline[0].title, outline[1][0].title, outline[2].title] == [headings[1], headings[2], headings[4]]
