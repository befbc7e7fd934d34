"""Print the single-page build of the book to one PDF with headless Chromium.

Usage: ``python tools/make_pdf.py _build/singlehtml/index.html _build/pdf/aichain.pdf`` (run by
``make pdf``). Chromium renders the page as the site does (MathJax, Chinese in Noto CJK, tables,
figures) with the book's print stylesheet (A4, tables wrapped to the page, toggles left out), then
the PDF is checked: it must exist and have as many pages as a book needs (at least one per chapter).

``python tools/make_pdf.py --build _build _build/pdf/aichain.pdf [-- SPHINX_FLAGS]`` (run by ``make
test``) also makes the single-page build first (``tools/build_book.py --builder singlehtml``), so that
the site built after it reads no page again: the landing page's sentence about the PDF is a Sphinx
setting that depends on whether ``aichain.pdf`` exists, and Sphinx re-reads every page when a setting
changes. So the PDF file exists (an empty placeholder when there was none) before the single-page
build, as it does when the site is built; the print is written to a temporary file that replaces it
only once it is checked, and a placeholder is removed when the build or the print fails.

``python tools/make_pdf.py --build _build --out _build/student _build/pdf/aichain-student.pdf`` (run by
``make pdf EDITION=student`` and ``make test``, with ``AICHAIN_EDITION=student``) makes the single-page
build in ``_build/student/singlehtml`` (``tools/build_book.py --out``: the execution cache is
``_build``'s, nothing runs again) and prints it; the instructor's pages and Sphinx state are not touched.

``python tools/make_pdf.py --build _build --language zh_CN _build/pdf/aichain-zh.pdf`` (run by ``make pdf
LANG=zh`` and ``make test``; issue 26) prints the Chinese edition: its single-page build (``tools/build_book.py
--builder singlehtml --language zh_CN``: Sphinx's language, the catalogues, the Chinese banner and numbered
things) goes into ``_build/zh/singlehtml``, beside the Chinese site's Sphinx state, from the English build's
execution cache, so that every number is the English PDF's. With ``--out _build/student`` (and
``AICHAIN_EDITION=student``) it is the Chinese student edition, ``_build/student/zh/singlehtml``, printed to
``_build/pdf/aichain-student-zh.pdf``. Chromium draws the Chinese text with the Noto CJK fonts.

Every print (the handouts' too, :func:`print_pdf`) then has its text corrected (issue 26): the Noto CJK fonts
map a radical (Kangxi Radicals, CJK Radicals Supplement) and the ideograph it looks like to one glyph, and the
ToUnicode CMaps Chromium writes give that glyph as the radical, so that the PDF's text reads "⼈⼯智能" and a
search for 人工智能 finds nothing. :func:`fix_text` rewrites each such CMap entry to the ideograph
(:func:`radical_equivalents`) in an incremental update of the PDF: what it draws is unchanged. In the same
update the outline (``--generate-pdf-document-outline``, from the page's headings) gets the headings' text:
Chromium's titles of a heading printed on several lines repeat its number and first line and lose the spaces
at its line breaks ("5. 5. Endogeneity and robustnessEndogeneity and robustness(Tables 4–5)").
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("make_pdf: Chromium is not installed (Debian: apt-get install chromium fonts-noto-cjk)")


def print_pdf(page: Path, out: Path) -> None:
    """Print ``page`` (an HTML file) to ``out`` with headless Chromium."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                f"--user-data-dir={profile}",
                "--run-all-compositor-stages-before-draw",
                "--virtual-time-budget=60000",  # MathJax typesets before the page is printed
                "--no-pdf-header-footer",
                "--generate-pdf-document-outline",
                f"--print-to-pdf={out}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=900,
        )
    fixed = fix_text(out, headings=page_headings(page))
    if fixed:
        print(f"make_pdf: {out.name}: {fixed} text maps and outline titles corrected")


#: The two blocks of radicals: Kangxi Radicals (U+2F00-U+2FD5) and CJK Radicals Supplement (U+2E80-U+2EF3).
RADICALS = re.compile("[\u2e80-\u2ef3\u2f00-\u2fd5]")
#: The font whose character map says which ideograph a radical's glyph is (fonts-noto-cjk).
CJK_FONT = "Noto Sans CJK SC"


def cjk_font_cmap(family: str = CJK_FONT) -> dict[int, str]:
    """The character map (code point -> glyph name) of the font fontconfig finds for ``family``; empty
    when fontconfig or that font is missing."""
    from fontTools.ttLib import TTFont

    try:
        found = subprocess.run(["fc-match", "-f", "%{file}:%{index}", family], capture_output=True, text=True)
    except FileNotFoundError:
        return {}
    path, _, index = found.stdout.rpartition(":")
    if not path or not Path(path).is_file():
        return {}
    with TTFont(path, fontNumber=int(index or 0), lazy=True) as font:
        if family not in str(font["name"].getDebugName(4) or ""):
            return {}
        return dict(font.getBestCmap())


def radical_equivalents(cmap: dict[int, str] | None = None) -> dict[str, str]:
    """Each radical of :data:`RADICALS` -> the ideograph to read for it: the one ``cmap`` (a font's character
    map, :func:`cjk_font_cmap` when None) draws with the radical's glyph (⻅ U+2EC5 -> 见), else its NFKC
    equivalent (⼈ U+2F08 -> 人). Radicals with neither are left out."""
    cmap = cjk_font_cmap() if cmap is None else cmap
    by_glyph: dict[str, str] = {}
    for code, glyph in sorted(cmap.items()):
        if 0x4E00 <= code <= 0x9FFF:
            by_glyph.setdefault(glyph, chr(code))
    equivalents = {}
    for code in [*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6)]:
        radical = chr(code)
        ideograph = by_glyph.get(cmap.get(code, ""), unicodedata.normalize("NFKC", radical))
        if ideograph != radical:
            equivalents[radical] = ideograph
    return equivalents


def _utf16(text: str) -> str:
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


def fix_cmap(data: bytes, equivalents: dict[str, str]) -> bytes:
    """A ToUnicode CMap (``data``) whose radicals (keys of ``equivalents``) are read as their ideographs: each
    ``bfchar`` target rewritten, each ``bfrange`` that reaches a radical written out as an array of targets
    (the number of entries is unchanged). Returns ``data`` itself when it has no radical."""
    text = data.decode("latin-1")

    def fixed(target: str) -> str:
        value = bytes.fromhex(target).decode("utf-16-be", errors="surrogatepass")
        return _utf16("".join(equivalents.get(c, c) for c in value))

    def bfchar(match: re.Match) -> str:
        return re.sub(r"(<[0-9A-Fa-f]+>\s*)<([0-9A-Fa-f]+)>", lambda m: m[1] + fixed(m[2]), match[0])

    def bfrange_entry(m: re.Match) -> str:
        low, high, target = int(m[2], 16), int(m[3], 16), m[4]
        if target.startswith("["):
            return m[1] + re.sub(r"<([0-9A-Fa-f]+)>", lambda t: fixed(t[1]), target)
        start, width = int(target[1:-1], 16), len(target) - 2
        targets = [f"{start + i:0{width}X}" for i in range(high - low + 1)]
        if not any(RADICALS.search(bytes.fromhex(t).decode("utf-16-be", "ignore")) for t in targets):
            return m[0]
        return m[1] + "[" + " ".join(fixed(t) for t in targets) + "]"

    def bfrange(match: re.Match) -> str:
        entry = r"(<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*)(<[0-9A-Fa-f]+>|\[[^\]]*\])"
        return re.sub(entry, bfrange_entry, match[0])

    out = re.sub(r"beginbfchar.*?endbfchar", bfchar, text, flags=re.S)
    out = re.sub(r"beginbfrange.*?endbfrange", bfrange, out, flags=re.S)
    return data if out == text else out.encode("latin-1")


def page_headings(page: Path) -> list[str]:
    """The text of the headings (``h1``-``h6``, in order, without their ``¶`` links) of the HTML ``page``."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for link in soup.select("a.headerlink"):
        link.decompose()
    return [re.sub(r"\s+", " ", h.get_text()).strip() for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]


def garbles(title: str, heading: str) -> bool:
    """Whether the outline ``title`` Chromium wrote is ``heading``: the same characters but for white space,
    or, for a heading printed on several lines, its section number and first line repeated and the spaces
    at its line breaks lost ("2. 2. Measurement: from raw inputs toMeasurement: from raw inputs tothe …")."""
    title, heading = re.sub(r"\s+", "", title), re.sub(r"\s+", "", heading)
    if not heading or title == heading:
        return bool(heading)
    if not (heading[0] == title[0] and title.endswith(heading[-2:]) and len(title) <= 2 * len(heading)):
        return False
    rest = iter(title)
    return set(title) <= set(heading) and all(c in rest for c in heading)


def _fix_outline(writer, headings: list[str]) -> int:
    """Give each outline item of ``writer`` the text of the heading it stands for (:func:`garbles`): the
    items follow the printed headings in order (a heading hidden in print has none). Returns how many changed."""
    from pypdf.generic import NameObject, TextStringObject

    items, stack = [], []
    outlines = writer._root_object.get("/Outlines")
    node = outlines.get_object().get("/First") if outlines else None
    while node is not None or stack:
        if node is None:
            node = stack.pop()
            continue
        item = node.get_object()
        items.append(item)
        stack.append(item.get("/Next"))
        node = item.get("/First")
    changed, at = 0, 0
    for item in items:
        title = str(item.get("/Title", ""))
        match = next((i for i in range(at, len(headings)) if garbles(title, headings[i])), None)
        if match is None:
            continue
        at = match + 1
        if title != headings[match]:
            item[NameObject("/Title")] = TextStringObject(headings[match])
            changed += 1
    return changed


def fix_text(path: Path, equivalents: dict[str, str] | None = None, headings: list[str] | None = None) -> int:
    """Rewrite the ToUnicode CMaps of the PDF at ``path`` with :func:`fix_cmap` (``equivalents`` defaults to
    :func:`radical_equivalents`) and, with the printed page's ``headings`` (:func:`page_headings`), its outline's
    titles (:func:`_fix_outline`), appended as an incremental update so that nothing drawn changes.
    Returns how many CMaps and titles changed (0: the file is untouched)."""
    from pypdf import PdfWriter

    equivalents = radical_equivalents() if equivalents is None else equivalents
    writer = PdfWriter(path, incremental=True)
    changed = _fix_outline(writer, headings) if headings else 0
    for number in range(1, len(writer._objects) + 1):
        font = writer.get_object(number)
        if not (hasattr(font, "get") and "/ToUnicode" in font):
            continue
        cmap = font["/ToUnicode"].get_object()
        data = cmap.get_data()
        new = fix_cmap(data, equivalents)
        if new is not data:
            cmap.set_data(new)
            changed += 1
    if changed:
        updated = path.with_name(path.name + ".text")
        with updated.open("wb") as handle:
            writer.write(handle)
        os.replace(updated, path)
    return changed


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def single_page_folder(build: Path, into: Path | None = None, language: str | None = None) -> Path:
    """Where the single-page build goes: ``<into>/singlehtml`` (``into`` defaults to ``build``), or for an
    edition in another ``language`` ``<into>/zh/singlehtml`` (:data:`build_book.LANGUAGE_FOLDERS`)."""
    from build_book import LANGUAGE_FOLDERS

    into = into or build
    return (into / LANGUAGE_FOLDERS[language] if language else into) / "singlehtml"


def build_and_print(
    build: Path, out: Path, sphinx_args: list[str], into: Path | None = None, language: str | None = None
) -> int:
    """The single-page build of the book (in ``language``, when given) into :func:`single_page_folder`,
    then its print to ``out``."""
    into = into or build
    placeholder = not out.is_file()
    if placeholder:  # the landing page says what it will say on the site (see the module's docstring)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"")
    printed = out.with_name(out.name + ".printing")
    try:
        cmd = [sys.executable, str(ROOT / "tools" / "build_book.py"), "--builder", "singlehtml", str(build)]
        cmd += ["--out", str(into)] if into != build else []
        cmd += ["--language", language] if language else []
        status = subprocess.run([*cmd, "--", *sphinx_args], cwd=ROOT, check=False).returncode
        if status != 0:
            print(f"make_pdf: the single-page build failed (status {status}); no PDF", file=sys.stderr)
            return status
        print_pdf(single_page_folder(build, into, language) / "index.html", printed)
        pages = _pages(printed)
        if pages < 10:
            print(f"make_pdf: {out} would have only {pages} pages: the book did not print", file=sys.stderr)
            return 1
        os.replace(printed, out)
        placeholder = False
        print(f"make_pdf: wrote {out} ({pages} pages)")
        return 0
    finally:
        printed.unlink(missing_ok=True)
        if placeholder:
            out.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--build"]:
        rest = argv[1:]
        sphinx_args = rest[rest.index("--") + 1 :] if "--" in rest else ["--warningiserror", "--keep-going"]
        rest = rest[: rest.index("--")] if "--" in rest else rest
        options = {}
        for flag in ("--out", "--language"):
            if flag in rest and rest.index(flag) + 1 < len(rest):
                at = rest.index(flag)
                options[flag] = rest[at + 1]
                rest = rest[:at] + rest[at + 2 :]
        if len(rest) != 2:
            usage = "--build BUILD_DIR [--out DIR] [--language zh_CN] OUT.pdf [-- SPHINX_FLAGS]"
            sys.exit(f"usage: python tools/make_pdf.py {usage}")
        into = Path(options["--out"]).resolve() if "--out" in options else None
        chromium()  # fail before building when Chromium is missing
        build, out = Path(rest[0]).resolve(), Path(rest[1]).resolve()
        return build_and_print(build, out, sphinx_args, into, options.get("--language"))
    if len(argv) != 2:
        sys.exit("usage: python tools/make_pdf.py SINGLEHTML_INDEX OUT.pdf")
    page, out = Path(argv[0]), Path(argv[1])
    if not page.is_file():
        sys.exit(f"make_pdf: {page} does not exist: build it with `jupyter-book build . --builder singlehtml`")
    print_pdf(page, out)
    pages = _pages(out)
    if pages < 10:
        sys.exit(f"make_pdf: {out} has only {pages} pages: the book did not print")
    print(f"make_pdf: wrote {out} ({pages} pages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
