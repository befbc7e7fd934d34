"""The Chinese edition's machinery (issue 26): numbers survive translation, catalogues are not stale.

* **Numbers in translated paragraphs.** A sandbox book (a landing page and one notebook page that glues
  a number and a word, with a ``zh_CN`` catalogue translating its paragraphs) is built with
  ``tools/build_book.py`` as ``make book`` and ``make book LANG=zh`` build the real one: English, then
  Chinese from the English build's execution cache. Every glued value of the English page appears on
  the Chinese page, none is empty, and the Chinese build executes nothing. The sandbox loads what
  :func:`aichain_utils.book.sphinxext.setup` registers for translations (``translations_setup``).
* **Stale catalogues.** Every committed catalogue (``locale/zh_CN/LC_MESSAGES/<page>.po``) translates
  every paragraph, heading and list item of its English page as the last English build read it (the
  messages of ``_build/.doctrees/<page>.doctree``, as Sphinx's gettext builder extracts them): a
  paragraph added or changed since the catalogue was updated fails the test until ``make locale`` has
  merged it and someone has translated it. A planted gap shows the check fails.
* **Translators keep the numbers.** Each translation has the English message's glue roles, with the
  same keys and formats, and its cross-references' targets (a number typed into a translation, or a
  dropped role, fails; planted).
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from sandbox_pages import FRONT_MATTER

from aichain_utils.book.sphinxext import counterpart_link, glue_key_of_page
from aichain_utils.paths import repo_root

ROOT = repo_root()
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402

LOCALE = ROOT / "locale" / "zh_CN" / "LC_MESSAGES"

PAGE = (
    FRONT_MATTER
    + """\

# The page

```{code-cell} ipython3
:tags: [remove-cell]
from myst_nb import glue

glue("t3_c6_coef", 0.123456, display=False)
glue("t3_c6_vs_published", "larger", display=False)
```

The coefficient is {glue:text}`t3_c6_coef:.3f`, {glue:text}`t3_c6_vs_published` than the published one.

Unformatted, as any, and from the page itself: {glue:text}`t3_c6_vs_published`, {glue}`t3_c6_coef`, \
{glue:any}`t3_c6_coef` and {glue:text}`page.md::t3_c6_coef:.2f`.

## A heading with {glue:text}`t3_c6_coef:.1f` in it

Its section.
"""
)

CATALOGUE = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "The page"
msgstr "本页"

msgid "The coefficient is {glue:text}`t3_c6_coef:.3f`, {glue:text}`t3_c6_vs_published` than the published one."
msgstr "系数为 {glue:text}`t3_c6_coef:.3f`，比论文报告的{glue:text}`t3_c6_vs_published`。"

msgid ""
"Unformatted, as any, and from the page itself: {glue:text}`t3_c6_vs_published`, {glue}`t3_c6_coef`, "
"{glue:any}`t3_c6_coef` and {glue:text}`page.md::t3_c6_coef:.2f`."
msgstr ""
"不设格式、作为任意输出、以及引用本页：{glue:text}`t3_c6_vs_published`、{glue}`t3_c6_coef`、"
"{glue:any}`t3_c6_coef` 和 {glue:text}`page.md::t3_c6_coef:.2f`。"

msgid "A heading with {glue:text}`t3_c6_coef:.1f` in it"
msgstr "含有 {glue:text}`t3_c6_coef:.1f` 的标题"

msgid "Its section."
msgstr "这一节。"
"""

#: A pasted value: MyST-NB's ``pasted-text`` ({glue:text}) or ``output text_plain`` ({glue}, {glue:any}).
_PASTED = re.compile(r'<span class="(pasted-text|output text_plain)">([^<]*)</span>')


def test_glue_key_of_page():
    assert glue_key_of_page("t3_c6_coef:.3f", "page.md", True) == "page.md::t3_c6_coef:.3f"
    assert glue_key_of_page("t3_c6_coef", "page.md", True) == "page.md::t3_c6_coef:s"  # MyST-NB's default
    assert glue_key_of_page("t3_c6_coef", "page.md", False) == "page.md::t3_c6_coef"  # {glue:any}: no format
    assert glue_key_of_page("other.md::k", "page.md", True) == "other.md::k:s"  # the page named is kept
    assert glue_key_of_page("other.md::k:.1f", "page.md", True) == "other.md::k:.1f"


def test_counterpart_link():
    assert counterpart_link("index", "index.html", "../") == "../index.html"
    assert counterpart_link("chapters/baseline", "chapters/baseline.html", "../") == "../../chapters/baseline.html"
    assert counterpart_link("chapters/baseline", "chapters/baseline.html", "zh/") == "../zh/chapters/baseline.html"


def test_the_chinese_table_of_contents_translates_the_part_captions(tmp_path):
    toc = build_book.translated_toc(ROOT, tmp_path, "zh_CN").read_text(encoding="utf-8")
    english = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert 'caption: "论文的复现"' in toc and "caption: The paper, replicated" in english
    assert re.findall(r"file: (\S+)", toc) == re.findall(r"file: (\S+)", english)  # the same pages, in order
    assert "# chapters numbered 1-9" in toc  # comments kept
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "_toc.yml").write_text("parts:\n  - caption: Not in the catalogue\n", encoding="utf-8")
    plain = build_book.translated_toc(tmp_path / "book", tmp_path / "out", "zh_CN").read_text(encoding="utf-8")
    assert plain == 'parts:\n  - caption: "Not in the catalogue"\n'


def test_language_overrides_leave_the_english_build_alone():
    assert build_book.language_overrides(ROOT, None, "html") == {}
    zh = build_book.language_overrides(ROOT, "zh_CN", "html")
    assert zh["language"] == "zh_CN" and zh["locale_dirs"] == [str(ROOT / "locale")]
    assert zh["aichain_counterpart_root"] == "../" and zh["gettext_compact"] is False
    assert build_book.language_overrides(ROOT, None, "gettext") == {"gettext_compact": False}
    english = build_book.sphinx_command(ROOT, ROOT / "_build", ROOT / "_build", "html", ["-W"])
    assert "build" in english and "--language" not in " ".join(english)  # jupyter-book build, as before


# --------------------------------------------------------------------------- the sandbox book, twice
def _article(html: str) -> str:
    """The page's article (its text), without the tables of contents beside it."""
    start = html.index("<article")
    return html[start : html.index("</article>", start)]


def _sandbox(folder: Path, page: str = PAGE, catalogue: str = CATALOGUE) -> Path:
    """A two-page book, a landing page and ``page``, with a zh_CN catalogue of ``page`` (test_i18n_sentences
    builds its own page with it)."""
    (folder / "locale" / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "_config.yml").write_text(
        textwrap.dedent(
            """\
            title: sandbox
            only_build_toc_files: true
            execute:
              execute_notebooks: cache
              timeout: 300
            sphinx:
              local_extensions:
                i18n_sandbox: ./
            """
        )
    )
    # the book's extension's translation machinery, as its setup registers it (the whole extension would
    # guard the repository's inputs, not the sandbox's)
    (folder / "i18n_sandbox.py").write_text(
        "from aichain_utils.book.sphinxext import translations_setup\n\n\n"
        "def setup(app):\n    translations_setup(app)\n    return {'parallel_read_safe': True}\n"
    )
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: page\n")
    (folder / "index.md").write_text("# Sandbox\n\nA landing page.\n")
    (folder / "page.md").write_text(page, encoding="utf-8")
    (folder / "locale" / "zh_CN" / "LC_MESSAGES" / "page.po").write_text(catalogue, encoding="utf-8")
    return folder


def _build(book: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICHAIN_")}
    cmd = [sys.executable, str(ROOT / "tools" / "build_book.py"), "--root", str(book), str(book / "_build"), *args]
    proc = subprocess.run(cmd, cwd=book, env=env, capture_output=True, text=True, timeout=900)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    return log


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> tuple[Path, str]:
    book = _sandbox(tmp_path_factory.mktemp("i18n") / "book")
    _build(book, "--counterpart", "zh_CN", "--", "-W", "--keep-going")
    zh_log = _build(book, "--language", "zh_CN", "--", "-W", "-n", "--keep-going")
    return book, zh_log


@pytest.mark.slow
def test_every_number_of_the_english_page_is_on_the_chinese_page(sandbox):
    book, _ = sandbox
    english = (book / "_build" / "html" / "page.html").read_text(encoding="utf-8")
    chinese = (book / "_build" / "html" / "zh" / "page.html").read_text(encoding="utf-8")
    assert "系数为" in chinese and "The coefficient is" not in chinese  # the catalogue was applied
    en, zh = (_PASTED.findall(_article(html)) for html in (english, chinese))  # the page, not its contents
    assert en == [
        ("pasted-text", "0.123"),
        ("pasted-text", "larger"),
        ("pasted-text", "larger"),
        ("output text_plain", "0.123456"),
        ("output text_plain", "0.123456"),
        ("pasted-text", "0.12"),
        ("pasted-text", "0.1"),
    ]
    assert zh == en  # the same values, pasted as the same nodes, in the same order; none empty
    assert "mystnb.glue" not in sandbox[1]  # no glue warning (the build has -W anyway)
    # the glued number of a translated heading is in the heading and in the page's contents
    assert chinese.count("含有 0.1 的标题") >= 2, "the heading's number is missing from the page or its contents"


@pytest.mark.slow
def test_the_chinese_build_executes_nothing_and_links_each_page_to_its_english_page(sandbox):
    book, zh_log = sandbox
    assert "Using cached notebook" in zh_log  # MyST-NB took the page's outputs from the English build's cache
    assert "Executing notebook" not in zh_log and "Executed notebook" not in zh_log
    for page, english in (("index", "../index.html"), ("page", "../page.html")):
        chinese = (book / "_build" / "html" / "zh" / f"{page}.html").read_text(encoding="utf-8")
        assert f'<a href="{english}" hreflang="en" lang="en">English</a>' in chinese
        assert f'<link rel="alternate" hreflang="en" href="{english}" />' in chinese
        assert 'lang="zh-CN"' in chinese or 'lang="zh_CN"' in chinese
        english_page = (book / "_build" / "html" / f"{page}.html").read_text(encoding="utf-8")
        assert f'<a href="zh/{page}.html" hreflang="zh-CN" lang="zh-CN">中文</a>' in english_page


@pytest.mark.slow
def test_an_english_build_alone_links_no_other_edition_and_removes_its_copy(tmp_path):
    book = _sandbox(tmp_path / "book")
    _build(book, "--counterpart", "zh_CN", "--", "-W", "--keep-going")
    _build(book, "--language", "zh_CN", "--", "-W", "--keep-going")
    assert (book / "_build" / "html" / "zh" / "page.html").is_file()
    _build(book, "--", "-W", "--keep-going")  # make book LANG=en
    assert not (book / "_build" / "html" / "zh").exists(), "the English build alone left a Chinese copy"
    assert "aichain-language-switch" not in (book / "_build" / "html" / "page.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- stale catalogues
def _extracted_by_gettext(node) -> bool:
    """Whether ``make locale``'s gettext builder extracts the node's message: not a figure's alt text (an
    image node) and not sphinx-exercise's labels ("Exercise", "Solution to"), which that extension
    translates itself."""
    from docutils import nodes

    return not isinstance(node, nodes.image) and not type(node).__module__.startswith("sphinx_exercise")


def english_messages(doctree_path: Path, source: str) -> list[str]:
    """The messages of a page's English text as Sphinx's gettext builder extracts them (paragraphs,
    headings, list items, table cells, in MyST source form), from the doctree the English build saved,
    that are written in the page's ``source``. The others are assembled at build time (the landing page's
    MyST substitutions: the repository, PDF and citation sentences; the captions of ``_toc.yml``): they
    change with the build, not with the English text, and are translated where they are made."""
    from sphinx.util.nodes import extract_messages

    with doctree_path.open("rb") as f:
        doctree = pickle.load(f)
    unquoted = "\n".join(re.sub(r"^\s*(?:>\s?)+", "", line) for line in source.splitlines())
    text = " ".join(unquoted.split())
    messages = dict.fromkeys(msg for node, msg in extract_messages(doctree) if _extracted_by_gettext(node))
    return [msg for msg in messages if " ".join(msg.split()) in text]


def catalogue_gaps(messages: list[str], po_path: Path) -> list[str]:
    """The messages ``po_path`` does not translate: absent, empty or fuzzy (changed since translated)."""
    with po_path.open("rb") as f:
        catalog = read_po(f)
    gaps = []
    for msg in messages:
        entry = catalog.get(msg)
        if entry is None or not entry.string or entry.fuzzy:
            gaps.append(msg)
    return gaps


def committed_catalogues() -> list[Path]:
    """The pages' catalogues (``tables.po``, the executed tables' labels, is tests/test_table_labels.py's)."""
    found = sorted(LOCALE.rglob("*.po")) if LOCALE.is_dir() else []
    return [po for po in found if (ROOT / po.relative_to(LOCALE).with_suffix(".md")).is_file()]


def _page_messages(po: Path) -> list[str]:
    page = po.relative_to(LOCALE).with_suffix("").as_posix()
    doctree = ROOT / "_build" / ".doctrees" / f"{page}.doctree"
    if not doctree.is_file():
        pytest.skip(f"no English build of {page} (make book)")
    return english_messages(doctree, (ROOT / f"{page}.md").read_text(encoding="utf-8"))


def test_a_catalogue_is_committed():
    assert committed_catalogues(), "locale/zh_CN/LC_MESSAGES holds no catalogue"


@pytest.mark.parametrize("po", committed_catalogues(), ids=lambda p: str(p.relative_to(LOCALE)))
def test_each_committed_catalogue_translates_every_paragraph_of_its_page(po):
    messages = _page_messages(po)
    assert messages, f"{po.relative_to(ROOT)}: none of its page's text was found in its English build"
    gaps = catalogue_gaps(messages, po)
    assert not gaps, f"{po.relative_to(ROOT)} lacks translations (make locale, then translate): {gaps[:3]}"


def test_a_paragraph_without_its_translation_fails(tmp_path):
    po = committed_catalogues()[0]
    messages = _page_messages(po)
    assert not catalogue_gaps(messages, po)
    # a paragraph added to the English page after the translation
    added = "A paragraph added after the translation."
    assert catalogue_gaps([*messages, added], po) == [added]
    with po.open("rb") as f:
        catalog = read_po(f)
    first = next(m for m in catalog if m.id in messages)
    planted = tmp_path / "planted.po"
    for plant in ("fuzzy", "empty", "absent"):  # changed since translated, merged untranslated, left out
        with po.open("rb") as f:
            catalog = read_po(f)
        if plant == "fuzzy":
            catalog[first.id].flags.add("fuzzy")
        elif plant == "empty":
            catalog[first.id].string = ""
        else:
            catalog.delete(first.id)
        with planted.open("wb") as f:
            write_po(f, catalog)
        assert catalogue_gaps(messages, planted) == [first.id], plant


# --------------------------------------------------------------------------- numbers kept by the translators
_ROLE = re.compile(r"\{(glue(?::[a-z]*)?|ref|doc|download|numref|eq|term)\}`([^`]*)`")


def role_targets(text: str) -> list[tuple[str, str]]:
    """The roles of a message and what each points at: a glue role's whole key and format (its number),
    a cross-reference's target (its title may be translated: ``{ref}`术语表 <glossary>```)."""
    out = []
    for role, body in _ROLE.findall(text):
        target = re.search(r"<([^<>]+)>$", body)
        out.append((role, body if role.startswith("glue") or not target else target.group(1)))
    return sorted(out)


def lost_roles(po_path: Path) -> list[str]:
    """The translations of ``po_path`` whose glue roles or cross-reference targets differ from the
    English message's: a number or a link the translation dropped, added or changed."""
    with po_path.open("rb") as f:
        catalog = read_po(f)
    return [m.id for m in catalog if m.id and m.string and role_targets(m.id) != role_targets(m.string)]


@pytest.mark.parametrize("po", committed_catalogues(), ids=lambda p: str(p.relative_to(LOCALE)))
def test_translations_keep_every_glued_number_and_link(po):
    assert not lost_roles(po), lost_roles(po)[:3]


def test_a_translation_that_drops_a_number_fails(tmp_path):
    catalog = Catalog(locale="zh_CN")
    catalog.add("The coefficient is {glue:text}`t3_c6_coef:.3f`.", "系数为 {glue:text}`t3_c6_coef:.3f`。")
    catalog.add("See {ref}`the glossary <glossary>`.", "见{ref}`术语表 <glossary>`。")
    catalog.add("It is {glue:text}`t3_c6_coef:.3f`.", "系数为 0.851。")  # the number typed in
    catalog.add("Larger: {glue:text}`t3_c4_vs_c2`.", "{glue:text}`t3_c4_vs_c2:.2f`")  # the format changed
    catalog.add("See {ref}`ch-baseline`.", "见{ref}`ch-audit`。")  # another target
    planted = tmp_path / "planted.po"
    with planted.open("wb") as f:
        write_po(f, catalog)
    assert lost_roles(planted) == [
        "It is {glue:text}`t3_c6_coef:.3f`.",
        "Larger: {glue:text}`t3_c4_vs_c2`.",
        "See {ref}`ch-baseline`.",
    ]


def test_only_what_make_locale_extracts_is_demanded():
    from docutils import nodes

    assert _extracted_by_gettext(nodes.paragraph(text="A paragraph."))
    assert _extracted_by_gettext(nodes.title(text="Exercises"))
    assert not _extracted_by_gettext(nodes.image(alt="A figure"))

    class exercise_title(nodes.title):  # named as sphinx-exercise names it
        pass

    exercise_title.__module__ = "sphinx_exercise.nodes"
    assert not _extracted_by_gettext(exercise_title(text="Exercise"))


def test_the_data_line_carries_its_chinese_for_the_chinese_build():
    from types import SimpleNamespace

    from aichain_utils.book import data_banner
    from aichain_utils.book.sphinxext import chinese_output

    source = SimpleNamespace(label="your analysis-level file p.dta, sha256 abc", is_simulated=False,
                             level="analysis", path=Path("p.dta"), fingerprint="abc")  # fmt: skip
    html, metadata = data_banner(SimpleNamespace(source=source))._repr_html_()
    assert html == "<p><strong>Data used for this chapter:</strong> your analysis-level file p.dta, sha256 abc.</p>"
    zh = chinese_output({"text/html": metadata}, "text/html")
    assert zh == "<p><strong>本章所用数据：</strong>你的最终变量文件 p.dta（sha256 abc）。</p>"
    assert chinese_output({"text/html": {}}, "text/html") is None and chinese_output({}, "text/html") is None
    with pytest.raises(ValueError, match="empty Chinese"):
        chinese_output({"text/html": {next(iter(metadata)): " "}}, "text/html")
