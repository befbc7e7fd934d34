"""Sentences a reader can trust (issue 24, item 3): checks on the text of the built pages.

A full read of the book found wrong or misleading sentences; each check here reads every page of the
site ``make test`` built (``_build/html``) and fails on the kind of sentence the read found:

* raw LaTeX source (``\\mathrm``, ``_{q,α}``, ``$``) in a table's cell or caption, where no maths is typeset;
* curly quotes next to Chinese that do not open and close in turn (”卡脖子”: a straight quote turned into
  a closing one before a Chinese word);
* ``chain_position`` given the Chinese name 产业链位置 (the paper's Table 8 says 创新链位置);
* a Kleibergen–Paap Wald F (or a first stage) called collinear, which a strong first stage is not;
* "within R²" printed without saying which of the two definitions (reghdfe's, both effects removed;
  PanelOLS's, unit means only) it is;
* the first-stage F from which the tF critical value is 1.96 printed differently in the conventions and
  the endogeneity chapters, or differently from Lee et al.'s table the package holds;
* the propensity-score matching section reporting a largest SMD of 0.000 after matching without saying
  that the balance is mechanical (the controls are constant within industry-years, so matching is exact).

Each check is also shown to fail on a planted sentence.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from aichain_utils.paths import toc_pages

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_BLOCKS = "p, li, td, th, h1, h2, h3, h4, h5, h6, dt, dd, figcaption, caption"


def _site(root: Path) -> Path:
    html = root / "_build" / "html"
    if not (html / "index.html").is_file():
        pytest.skip("the book is not built: run `make book` (make test builds it)")
    return html


def _without_code_and_maths(soup: BeautifulSoup) -> BeautifulSoup:
    """The page without what is not prose: scripts, code, typeset maths, the theme's chrome."""
    for tag in soup.select("script, style, pre, code, .math, mjx-container, .headerlink, nav, header, footer"):
        tag.decompose()
    return soup


@pytest.fixture(scope="module")
def pages(root) -> dict[str, BeautifulSoup]:
    """Every page of the table of contents, parsed, without code and typeset maths."""
    html = _site(root)
    out = {}
    for page in toc_pages(root):
        soup = BeautifulSoup((html / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        out[page] = _without_code_and_maths(soup.select_one("main") or soup)
    return out


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def _sentences(text: str) -> list[str]:
    """``text`` cut after every full stop (an abbreviation's too: a shorter piece only narrows a check)."""
    return re.split(r"(?<=[.!?。])\s+", text)


# --------------------------------------------------------------------------- raw LaTeX in tables
_LATEX = re.compile(r"\\[A-Za-z]{2,}|[_^]\{|\$[^$\s][^$]*\$|\\[()\[\]]")


def latex_in_tables(soup: BeautifulSoup) -> list[str]:
    """Cells and captions of tables (and of numbered tables) whose printed text is LaTeX source."""
    found = []
    cells = soup.select("table td, table th, table caption, div.aichain-table > p:first-child")
    for cell in cells:
        text = _text(cell)
        if _LATEX.search(text):
            found.append(f"{_LATEX.search(text).group(0)!r} in '{text[:90]}'")
    return found


def test_no_table_cell_or_caption_prints_latex_source(pages):
    failures = [f"{page}: {hit}" for page, soup in pages.items() for hit in latex_in_tables(soup)]
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize(
    "cell",
    [r"<td>\mathrm{RV}</td>", "<td>RV_{q,α} with 1 residual df</td>", "<th>$\\beta_1$</th>", "<td>x^{2}</td>"],
)
def test_the_latex_check_catches_planted_source(cell):
    assert latex_in_tables(BeautifulSoup(f"<main><table><tr>{cell}</tr></table></main>", "html.parser"))


def test_the_latex_check_passes_typeset_maths_and_plain_cells():
    html = '<main><table><tr><td><span class="math">\\(\\beta\\)</span></td><td>0.25 (0.03)***</td></tr></table></main>'
    assert latex_in_tables(_without_code_and_maths(BeautifulSoup(html, "html.parser"))) == []


# --------------------------------------------------------------------------- quotes next to Chinese
def unbalanced_cjk_quotes(text: str) -> list[str]:
    """Curly double quotes touching a Chinese character that do not alternate “ … ” (a ” that closes
    nothing, a “ that opens twice)."""
    found, open_at = [], None
    for m in re.finditer(r"[\u201c\u201d]", text):
        at, quote = m.start(), m.group(0)
        near = text[max(0, at - 1) : at] + text[at + 1 : at + 2]
        if not re.search(f"[{CJK}]", near):
            open_at = at if quote == "\u201c" else None
            continue
        if (quote == "\u201d") == (open_at is None):  # a close with nothing open, or an open while open
            found.append(text[max(0, at - 15) : at + 15])
        open_at = at if quote == "\u201c" else None
    return found


def test_curly_quotes_next_to_chinese_open_and_close(pages):
    failures = []
    for page, soup in pages.items():
        for block in soup.select(_BLOCKS):
            failures += [f"{page}: '…{hit}…'" for hit in unbalanced_cjk_quotes(_text(block))]
    assert not failures, "\n".join(failures[:20])


def test_the_quote_check_catches_a_closing_quote_before_chinese():
    assert unbalanced_cjk_quotes("基于\u201d卡脖子\u201d技术的实证检验")
    assert unbalanced_cjk_quotes("基于\u201c卡脖子\u201c技术")
    assert not unbalanced_cjk_quotes("基于\u201c卡脖子\u201d技术的实证检验, and \u201cStuck Neck\u201d technology")


# --------------------------------------------------------------------------- the Chinese name of chain_position
def chain_position_misnamed(text: str) -> list[str]:
    """产业链位置 given as the Chinese name of chain_position (the paper's Table 8 says 创新链位置);
    it may be listed among the column names the book recognises."""
    found = []
    for m in re.finditer("产业链位置", text):
        context = text[max(0, m.start() - 120) : m.end() + 40]
        if "chain_position" in context or "chain position" in context.lower() or "position" in context:
            if not re.search(r"alias|also recogni[sz]|recogni[sz]es|other names|alternative names", context):
                found.append(context)
    return found


def chain_position_row_misnamed(cells: list[str]) -> bool:
    """A table row about chain_position whose Chinese name (a cell of Chinese only) is not 创新链位置;
    产业链位置 may stand in a cell of other names the book recognises."""
    if not any("chain_position" in c for c in cells):
        return False
    names = [c for c in cells if re.fullmatch(f"[{CJK}]+", c.strip())]
    return bool(names) and names[0].strip() != "创新链位置"


def test_chain_position_is_the_papers_innovation_chain_position(pages):
    failures = []
    for page, soup in pages.items():
        for block in soup.select(_BLOCKS):
            failures += [f"{page}: '…{hit}…'" for hit in chain_position_misnamed(_text(block))]
        for row in soup.select("tr"):
            cells = [_text(c) for c in row.select("td, th")]
            if chain_position_row_misnamed(cells):
                failures.append(f"{page}: table row {cells[:4]}")
    assert not failures, "\n".join(failures[:10])
    text = " ".join(_text(soup) for soup in pages.values())
    assert "创新链位置" in text, "no page gives chain_position's Chinese name, 创新链位置"


def test_the_chain_position_check_catches_the_wrong_name():
    assert chain_position_misnamed("chain_position (产业链位置): front, middle or back")
    assert not chain_position_misnamed("chain_position (创新链位置); aliases: position, 产业链位置")
    assert chain_position_row_misnamed(["chain_position", "产业链位置", "front / middle / back"])
    row = ["chain_position", "创新链位置", "front / middle / back", "position, 产业链位置"]
    assert not chain_position_row_misnamed(row)


# --------------------------------------------------------------------------- a strong first stage is not collinear
_FIRST_STAGE = re.compile(r"Wald|Kleibergen|\bKP\b|first[ -]stage", re.I)


def collinear_first_stage(text: str) -> list[str]:
    """Sentences about a first stage (its KP Wald F) that call it collinear or nearly so (a refused
    collinear instrument, in the API reference, is another matter)."""
    return [s for s in _sentences(text) if _FIRST_STAGE.search(s) and re.search(r"(?<!not )(?<!not\xa0)\bcollinear", s)]


def test_no_first_stage_is_called_collinear(pages):
    failures = [f"{page}: '{s[:160]}'" for page, soup in pages.items() for s in collinear_first_stage(_text(soup))]
    assert not failures, "\n".join(failures[:10])


def test_the_collinearity_check_catches_an_almost_collinear_first_stage():
    assert collinear_first_stage("The KP Wald F of 31,531 says AIE and its instrument are almost collinear.")
    assert not collinear_first_stage("A partial R² of at least 0.60: not collinear, but a strong first stage.")
    assert not collinear_first_stage("A control collinear with the others is refused.")


# --------------------------------------------------------------------------- which within R²
_WITHIN_R2 = re.compile(r"within[ \xa0-]R(?:²|2|-sq\w*|-squared| squared)", re.I)
_WHICH = re.compile(
    r"reghdfe|PanelOLS|linearmodels|xtreg|fixest|both effects|unit and year|unit means|unit effects? only|both ways"
    r"|\btwo (?:names|definitions)\b|one definition per name"  # a heading that introduces the two
)


def unlabelled_within_r2(text: str) -> list[str]:
    """Mentions of a within R² with no word, in their sentence, saying which definition it is."""
    return [s for s in _sentences(text) if _WITHIN_R2.search(s) and not _WHICH.search(s)]


def test_every_within_r2_says_which_it_is(pages):
    failures = []
    for page, soup in pages.items():
        for block in soup.select(_BLOCKS):
            failures += [f"{page}: '{s[:160]}'" for s in unlabelled_within_r2(_text(block))]
    assert not failures, "\n".join(failures[:10])


def test_the_within_r2_check_catches_an_unlabelled_one():
    assert unlabelled_within_r2("The within R² is 0.254.")
    assert not unlabelled_within_r2("The within R² (reghdfe: both effects removed) is 0.254.")


# --------------------------------------------------------------------------- the tF threshold
def _tf_threshold() -> str:
    import numpy as np

    from aichain_utils.econometrics.weakiv import TF_CRITICAL_05, TF_SQRT_F_GRID

    return f"{float(TF_SQRT_F_GRID[int(np.argmax(TF_CRITICAL_05 <= 1.96))] ** 2):.1f}"


def test_the_tf_threshold_is_the_same_on_every_page(pages):
    """The conventions page's table and the endogeneity chapter give the same first-stage F from which
    the tF critical value is 1.96, and it is the one of Lee et al.'s table the package holds."""
    conventions = re.findall(r"1\.96 from F = ([\d.,]+\d)", _text(pages["chapters/conventions"]))
    endogeneity = re.findall(r"falls to 1\.96 only from F = ([\d.,]+\d)", _text(pages["chapters/endogeneity"]))
    assert conventions and endogeneity, (conventions, endogeneity)
    assert set(conventions) == set(endogeneity) == {_tf_threshold()}, (conventions, endogeneity, _tf_threshold())


# --------------------------------------------------------------------------- PSM's mechanical balance
def silent_zero_smd(paragraph: str) -> bool:
    """A paragraph that reports a largest SMD after matching of 0.000 without saying why it is zero."""
    zero = re.search(r"standardised mean difference from [\d.]+ to 0\.000", paragraph)
    return bool(zero) and not re.search(r"mechanical|exact", paragraph)


def test_a_zero_smd_after_matching_says_the_balance_is_mechanical(pages):
    paragraphs = [_text(p) for p in pages["chapters/endogeneity"].select("p")]
    reporting = [p for p in paragraphs if "standardised mean difference from" in p]
    assert reporting, "the PSM section no longer reports the largest SMD"
    assert not [p for p in reporting if silent_zero_smd(p)], reporting


def test_the_smd_check_catches_a_silent_zero():
    assert silent_zero_smd("Matching brings the largest standardised mean difference from 0.412 to 0.000, below 0.1.")
    assert not silent_zero_smd(
        "Matching brings the largest standardised mean difference from 0.412 to 0.000. That balance is mechanical."
    )


# --------------------------------------------------------------------------- every reference has its year
def yearless(entries: list[str]) -> list[str]:
    """References printed without a year: "n.d." (what the author–year style prints then), or no year
    at all, unless the entry says "undated" and why (the text the book was built from gives none)."""
    said = re.compile(r"\bundated\b.*\b(?:not given|unknown)\b|\b(?:not given|unknown)\b.*\bundated\b", re.S)
    return [
        e
        for e in entries
        if re.search(r"\bn\.\s?d\.", e) or not (re.search(r"\b(?:1[89]|20)\d\d\b", e) or said.search(e))
    ]


def test_every_reference_prints_its_year(root, pages):
    """Issue 24 (citations printed "n.d."): the bibliography's every entry has its year, or says that
    it is undated and why, and no page cites a work as "n.d."."""
    soup = BeautifulSoup((_site(root) / "bibliography.html").read_text(encoding="utf-8"), "html.parser")
    entries = [_text(e) for e in soup.select("main div.citation, main dl.citation > dd")]
    assert len(entries) >= 10, f"only {len(entries)} bibliography entries found"
    assert not yearless(entries), yearless(entries)
    cited_nd = [page for page, page_soup in pages.items() if re.search(r"\bn\.\s?d\.", _text(page_soup))]
    assert not cited_nd, f"pages that cite a work without its year: {cited_nd}"


def test_the_year_check_catches_a_reference_without_its_year():
    assert yearless(["Pang, Jiao and Li. How does AI embedding promote ... n.d."]) != []
    assert yearless(["Sobel, M. E. Asymptotic confidence intervals for indirect effects."]) != []
    assert yearless(["Sobel, M. E. (1982). Asymptotic confidence intervals for indirect effects."]) == []
    assert yearless(["Mou. Title. undated. The year is not given in the text, so it says undated."]) == []
    assert yearless(["Mou. Title. undated."]) != []
