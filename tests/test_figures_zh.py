"""The book's figures in Chinese on the Chinese pages, from the one execution (issue 26, item 4).

* **The Chinese rendering** (:mod:`aichain_utils.report.figurelabels`): ``glue_figure`` glues the English
  figure with its Chinese SVG and PNG in the output's metadata, whose texts are the catalogue's (read from
  an SVG that keeps its texts as text); numbers, symbols and maths are kept, a decimal of the data fills
  the translation's placeholder; Latin letters keep their font.
* **No glyph missing**: a character no font draws (planted: a private-use character) stops the rendering.
* **The English figure is unchanged** by the Chinese pass: byte for byte (SVG and PNG, with a fixed SVG
  salt and date), and the figure's texts, fonts and tick formatters are as they were.
* **The renderer** (:func:`aichain_utils.book.sphinxext.chinese_output`): a figure's Chinese on a Chinese
  page, its English on an English one.
* **The catalogue** (``locale/zh_CN/LC_MESSAGES/figures.po``): no empty or fuzzy entry, and every text of
  the English build's figures translated (``tools/figure_labels.py``; planted site: an unknown text is
  reported).
* **The built site**: every figure on every Chinese chapter page is the Chinese rendering its notebook
  carries, never the English one, and the English pages show the English ones (planted companion: an
  English image on a Chinese page is reported). Skipped without a build, failed under ``CI``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys
from pathlib import Path

import matplotlib
import pytest
from babel.messages.pofile import read_po

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from aichain_utils.paths import repo_root
from aichain_utils.report import catalogue as catalogue_module
from aichain_utils.report import figurelabels
from aichain_utils.report.display import VectorFigure, chinese_figure, glue_figure
from aichain_utils.report.figurelabels import (
    FIGURE_TEXTS,
    ZH_IMAGE,
    MissingGlyph,
    chinese_rendering,
    figure_messages,
    message_key,
    translate_text,
)

ROOT = repo_root()
sys.path.insert(0, str(ROOT / "tools"))
import figure_labels  # noqa: E402

PO = ROOT / "locale" / "zh_CN" / "LC_MESSAGES" / "figures.po"
SITE = ROOT / "_build" / "html"

CATALOGUE = {
    "Table 3: replicated and published estimates": "表 3：复现估计与公布估计",
    "coefficient": "系数",
    "replicated (95% CI)": "复现值（95% 置信区间）",
    "true effect in the simulation ({0})": "模拟设定的真实效应（{0}）",
    "(1)\npooled": "(1)\n混合回归",
    "a note": "注释",
    "legend title": "图例标题",
}


def _figure():
    fig, ax = plt.subplots(figsize=(6, 3.8))
    ax.errorbar([0, 1], [0.8, 0.9], yerr=[0.1, 0.1], fmt="o", label="replicated (95% CI)")
    ax.axhline(0.824, ls="--", label="true effect in the simulation (0.824)")
    ax.set_xticks([0, 1], ["(1)\npooled", "(2)\nAIE"])
    ax.set_ylabel("coefficient")
    ax.set_title("Table 3: replicated and published estimates")
    ax.annotate("a note", (0, 0.8))
    ax.text(1, 0.7, "$\\hat\\beta$")
    ax.legend(title="legend title")
    return fig


def _texts_of(svg: str) -> list[str]:
    """The texts of an SVG drawn with ``svg.fonttype: none`` (kept as ``<text>``, not as paths)."""
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)]


@pytest.fixture
def planted_po(tmp_path, monkeypatch):
    """A figures.po with :data:`CATALOGUE`, in place of the checkout's."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    def plant(entries: dict[str, str]) -> Path:
        catalog = Catalog(locale="zh_CN")
        for msgid, msgstr in entries.items():
            catalog.add(msgid, msgstr)
        po = tmp_path / "figures.po"
        with po.open("wb") as f:
            write_po(f, catalog)
        return po

    po = plant(CATALOGUE)
    monkeypatch.setattr(catalogue_module, "catalogue_path", lambda domain, *a, **k: po)
    return plant


# --------------------------------------------------------------------------- messages
def test_a_message_keeps_numbers_symbols_and_maths_and_holds_the_datas_decimals():
    assert message_key("true effect in the simulation (0.824)") == ("true effect in the simulation ({0})", ["0.824"])
    assert message_key("IV1 and −1.25 with $x_{0.5}$ here") == ("IV1 and {0} with $x_{0.5}$ here", ["−1.25"])
    for no_label in ("AIE", "ERL / AIE", "0.5", "(3)", "$\\hat\\beta$", "", "−0.25"):
        assert message_key(no_label) is None, no_label
    assert translate_text("true effect in the simulation (0.731)", CATALOGUE) == "模拟设定的真实效应（0.731）"
    assert translate_text("not in the catalogue", CATALOGUE) is None and translate_text("AIE", CATALOGUE) is None


# --------------------------------------------------------------------------- the Chinese rendering
def test_glue_figure_stores_a_chinese_rendering_whose_texts_are_the_catalogues(planted_po, monkeypatch):
    from IPython.core.formatters import DisplayFormatter

    glued = {}
    monkeypatch.setattr("myst_nb.glue", lambda name, value, display: glued.update({name: value}))
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        glue_figure("fig_x", _figure())
    data, metadata = DisplayFormatter().format(glued["fig_x"])
    zh_svg, english_svg = metadata["image/svg+xml"][ZH_IMAGE], data["image/svg+xml"]
    texts = _texts_of(zh_svg)
    expected = ("表 3：复现估计与公布估计", "系数", "复现值（95% 置信区间）", "模拟设定的真实效应（0.824）")
    expected += ("注释", "图例标题")
    for chinese in expected:
        assert chinese in texts, (chinese, texts)
    assert "混合回归" in "".join(texts) and "AIE" in "".join(texts)  # a tick label; a symbol kept
    assert "coefficient" in _texts_of(english_svg) and "系数" not in english_svg
    assert set(metadata["image/svg+xml"][FIGURE_TEXTS]) == set(CATALOGUE)  # what it met in English
    png = base64.b64decode(metadata["image/png"][ZH_IMAGE])
    assert png.startswith(b"\x89PNG") and png != data["image/png"]
    assert not plt.get_fignums()  # closed


def test_latin_letters_keep_their_font_and_chinese_falls_back_to_noto():
    from matplotlib.font_manager import FontProperties

    assert figurelabels.cjk_font_available(), "Noto Sans CJK SC is not installed (apt-get install fonts-noto-cjk)"
    families = figurelabels._with_cjk(FontProperties(family=["sans-serif"])).get_family()
    assert families == ["DejaVu Sans", figurelabels.CJK_FAMILY]


def test_a_missing_glyph_stops_the_rendering():
    fig = _figure()
    with pytest.raises(MissingGlyph, match="missing from font"):
        chinese_rendering(fig, {**CATALOGUE, "coefficient": "系数\U000f0000"})  # private use: no font has it
    plt.close(fig)


def test_the_english_figure_is_unchanged_by_the_chinese_pass(planted_po, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    with matplotlib.rc_context({"svg.hashsalt": "fixed"}):
        alone = VectorFigure(_figure())
        fig = _figure()
        before = [(t.get_text(), t.get_fontproperties()) for t in figurelabels._texts(fig)]
        formatter = fig.axes[0].xaxis.get_major_formatter()
        with_chinese = chinese_figure(fig, VectorFigure(fig))
        after = VectorFigure(fig)
    assert with_chinese.chinese is not None
    assert with_chinese.svg == alone.svg == after.svg and with_chinese.png == alone.png == after.png
    assert [(t.get_text(), t.get_fontproperties()) for t in figurelabels._texts(fig)] == before
    assert fig.axes[0].xaxis.get_major_formatter() is formatter
    plt.close("all")


def test_without_a_catalogue_the_figure_is_english_only_and_records_its_texts(tmp_path, monkeypatch):
    from IPython.core.formatters import DisplayFormatter

    monkeypatch.setattr(catalogue_module, "catalogue_path", lambda domain, *a, **k: tmp_path / "none.po")
    fig = _figure()
    shown = chinese_figure(fig, VectorFigure(fig))
    _, metadata = DisplayFormatter().format(shown)
    assert ZH_IMAGE not in metadata.get("image/svg+xml", {}) and "image/png" not in metadata
    assert metadata["image/svg+xml"][FIGURE_TEXTS] == figure_messages(fig)
    plt.close(fig)


# --------------------------------------------------------------------------- the renderer
def test_the_chinese_build_renders_the_figures_chinese(monkeypatch):
    from aichain_utils.book.sphinxext import chinese_output

    metadata = {"image/svg+xml": {ZH_IMAGE: "<svg>中</svg>"}, "image/png": {ZH_IMAGE: "iVBOR"}}
    assert chinese_output(metadata, "image/svg+xml") == "<svg>中</svg>"
    assert chinese_output(metadata, "image/png") == "iVBOR"
    assert chinese_output({}, "image/svg+xml") is None
    with pytest.raises(ValueError, match="empty Chinese"):
        chinese_output({"image/png": {ZH_IMAGE: ""}}, "image/png")
    assert rendered_in_both("image/svg+xml", "<svg>en</svg>", metadata) == ["<svg>中</svg>", "<svg>en</svg>"]


def rendered_in_both(mime_type: str, content: str, metadata: dict) -> list[str]:
    """What :func:`aichain_utils.book.sphinxext._in_chinese` renders of an output on a Chinese and on an
    English page, in that order."""
    from types import SimpleNamespace

    from myst_nb.core.render import MimeData

    from aichain_utils.book.sphinxext import _in_chinese

    shown = []
    render = _in_chinese(lambda self, data: shown.append(data.content))
    for language in ("zh_CN", "en"):
        config = SimpleNamespace(language=language)
        renderer = SimpleNamespace(renderer=SimpleNamespace(document=SimpleNamespace(
            settings=SimpleNamespace(env=SimpleNamespace(config=config)))))  # fmt: skip
        render(renderer, MimeData(mime_type, content, output_metadata=metadata))
    return shown


# --------------------------------------------------------------------------- the catalogue
def test_the_committed_catalogue_has_no_empty_or_fuzzy_entry():
    with PO.open("rb") as f:
        catalog = read_po(f)
    entries = [m for m in catalog if m.id]
    assert entries and not [m.id for m in entries if not m.string or m.fuzzy]
    for m in entries:  # the same placeholders, the symbols kept
        assert sorted(re.findall(r"\{\d+\}", m.id)) == sorted(re.findall(r"\{\d+\}", m.string)), m.id


def _notebook(messages: list[str]) -> dict:
    output = {"output_type": "display_data", "data": {}, "metadata": {"image/svg+xml": {FIGURE_TEXTS: messages}}}
    return {"cells": [{"cell_type": "code", "outputs": [output]}, {"cell_type": "markdown"}]}


def test_the_extractor_collects_the_figures_texts_and_reports_the_untranslated(tmp_path):
    site = tmp_path / "html"
    (site / "_sources" / "chapters").mkdir(parents=True)
    (site / "_sources" / "zh" / "chapters").mkdir(parents=True)
    (site / "index.html").write_text("<html></html>", encoding="utf-8")
    (site / "_sources" / "chapters" / "a.ipynb").write_text(json.dumps(_notebook(["coefficient", "planted"])))
    (site / "_sources" / "zh" / "chapters" / "a.ipynb").write_text(json.dumps(_notebook(["zh copy"])))
    found = figure_labels.site_messages(site)
    assert found == {"coefficient": ["chapters/a"], "planted": ["chapters/a"]}
    po = tmp_path / "figures.po"
    assert figure_labels.main([str(site), "--po", str(po), "--pot", str(tmp_path / "f.pot")]) == 0
    assert figure_labels.main([str(site), "--po", str(po), "--check"]) == 1  # both empty
    written = po.read_bytes()
    assert figure_labels.main([str(site), "--po", str(po), "--pot", str(tmp_path / "f.pot")]) == 0
    assert po.read_bytes() == written  # nothing new: not rewritten, so the chapters are not re-executed
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(locale="zh_CN")
    catalog.add("coefficient", "系数")
    with po.open("wb") as f:
        write_po(f, catalog)
    assert figure_labels.untranslated(found, po) == ["planted"]  # the planted text: reported


def _built(path: Path) -> Path:
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"make test builds the book, and {path} is missing")
        pytest.skip("the book is not built: run `make book`")
    return path.parent


def test_every_text_of_the_english_builds_figures_is_translated():
    site = _built(SITE / "index.html")
    found = figure_labels.site_messages(site)
    assert found, "no figure text in the English build's executed notebooks"
    missing = figure_labels.untranslated(found, PO)
    assert not missing, f"figures.po lacks translations (make locale, then translate): {missing[:5]}"


# --------------------------------------------------------------------------- the built site
def _image_hash(mime: str, content) -> str:
    """The name MyST-NB gives an output's image in ``_images`` (the SHA-256 of its bytes)."""
    content = "".join(content) if isinstance(content, list) else content
    if mime == "image/png":
        return hashlib.sha256(base64.b64decode(content)).hexdigest()
    return hashlib.sha256(os.linesep.join(content.splitlines()).encode("utf-8")).hexdigest()


def figure_images(notebook: dict) -> tuple[set[str], set[str]]:
    """The image names of an executed notebook's figures: (English, Chinese)."""
    english, chinese = set(), set()
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            for mime in ("image/svg+xml", "image/png"):
                zh = (output.get("metadata", {}).get(mime) or {}).get(ZH_IMAGE)
                if zh is not None and mime in output.get("data", {}):
                    english.add(_image_hash(mime, output["data"][mime]))
                    chinese.add(_image_hash(mime, zh))
    return english, chinese


def figure_problems(page: str, english: set[str], chinese: set[str], language: str) -> list[str]:
    """What is wrong with a page's figures: on a Chinese page (``language`` "zh") an English rendering, or
    no Chinese one though its notebook has figures; on an English page a Chinese rendering."""
    shown = set(re.findall(r"_images/([0-9a-f]{64})\.(?:svg|png)", page))
    wrong, right = (english, chinese) if language == "zh" else (chinese, english)
    problems = [f"{'English' if language == 'zh' else 'Chinese'} figure {h[:12]}" for h in sorted(shown & wrong)]
    if right and not shown & right:
        problems.append("none of its figures shown in the page's language")
    return problems


def test_a_planted_english_figure_on_a_chinese_page_is_reported():
    english, chinese = {"a" * 64}, {"b" * 64}
    assert figure_problems(f'<img src="../_images/{"b" * 64}.svg">', english, chinese, "zh") == []
    assert figure_problems(f'<img src="../_images/{"a" * 64}.svg">', english, chinese, "zh") != []
    assert figure_problems(f'<img src="_images/{"b" * 64}.png">', english, chinese, "en") != []


def test_every_figure_on_a_chinese_page_is_its_chinese_rendering():
    _built(SITE / "zh" / "index.html")
    checked, problems = 0, []
    for source in sorted((SITE / "_sources" / "chapters").glob("*.ipynb")):
        english, chinese = figure_images(json.loads(source.read_text(encoding="utf-8")))
        if not chinese:
            continue
        for language, page in (("en", SITE / "chapters"), ("zh", SITE / "zh" / "chapters")):
            html = (page / f"{source.stem}.html").read_text(encoding="utf-8")
            problems += [f"{language}/{source.stem}: {p}" for p in figure_problems(html, english, chinese, language)]
        checked += 1
    assert checked >= 9, f"only {checked} chapters with Chinese figures in the build"
    assert not problems, problems
