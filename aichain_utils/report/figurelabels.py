"""The book's figures in Chinese, drawn from the one execution (issue 26, item 4).

A chapter draws each figure once and glues it (:func:`aichain_utils.report.display.glue_figure`). After the
English rendering, :func:`chinese_rendering` puts the figure's own words (titles, axis labels, legend
entries and titles, annotations, text boxes, the labels of fixed and categorical ticks) through the
catalogue ``locale/zh_CN/LC_MESSAGES/figures.po`` (msgid: a text as the English figure shows it; msgstr:
its Chinese), gives every text a CJK font after its own (Latin letters keep their font, matplotlib falls
back to Noto Sans CJK SC for the others), draws the figure again and puts every text, font and tick
formatter back as it was. The Chinese SVG and PNG travel with the English output, in its metadata
(:data:`ZH_IMAGE`), and the Chinese build shows them (:mod:`aichain_utils.book.sphinxext`).

What is translated is a text with a word in it (:func:`aichain_utils.report.catalogue.is_label`, outside
any ``$...$`` maths): numbers, symbols (AIE, ERL, FSIE ...) and maths are left alone. A decimal number in a
text, which depends on the data ("true effect in the simulation (0.824)"), is a placeholder in the
message, ``{0}``, ``{1}`` ..., that the translation repeats ("模拟设定的真实效应（{0}）"). A glyph that no
font of the text has is an error (:class:`MissingGlyph`): a Chinese figure never shows an empty box.
The messages each figure met are stored beside it (:data:`FIGURE_TEXTS`): ``tools/figure_labels.py``
collects them from the executed notebooks into the catalogue.
"""

from __future__ import annotations

import base64
import io
import re
import warnings

from aichain_utils.report.catalogue import is_label

__all__ = [
    "CATALOGUE",
    "CJK_FAMILY",
    "FIGURE_TEXTS",
    "ZH_IMAGE",
    "MissingGlyph",
    "chinese_rendering",
    "cjk_font_available",
    "figure_messages",
    "message_key",
    "translate_text",
]

#: The catalogue's domain: ``locale/<language>/LC_MESSAGES/figures.po``.
CATALOGUE = "figures"
#: The key, in an image output's metadata (``image/svg+xml`` and ``image/png``), of its Chinese rendering
#: (SVG text; PNG as base64, as the output's own data).
ZH_IMAGE = "text/x-aichain-zh-image"
#: The key, in the ``image/svg+xml`` output's metadata, of the messages (:func:`message_key`) the figure
#: showed in English: what ``tools/figure_labels.py`` collects and the tests check are translated.
FIGURE_TEXTS = "text/x-aichain-figure-texts"
#: The font the Chinese texts fall back to (``fonts-noto-cjk``: ``make env`` and ``make browser-deps``).
CJK_FAMILY = "Noto Sans CJK SC"

_MATHS = re.compile(r"(\$[^$]*\$)")
#: a decimal number that is not part of a name (IV1, ELRI_front): a value of the data
_DECIMAL = re.compile(r"(?<![\w.])[−+-]?\d+\.\d+(?![\w.])")
#: a column number before a label ("(2)\nAIE" is a symbol under its column's number)
_COLUMN = re.compile(r"^\(\d+\)\s*")
_PLACEHOLDER = re.compile(r"\{(\d+)\}")


class MissingGlyph(ValueError):
    """A character of a figure's Chinese text that no font of the text draws."""


def message_key(text: str) -> tuple[str, list[str]] | None:
    """The catalogue's message for a figure's text and the decimal numbers it stands for, or None when
    the text is no label (a number, a symbol, maths, a symbol under a column number):
    ``"true effect (0.824)"`` -> ``("true effect ({0})", ["0.824"])``. Maths (``$...$``) is kept whole,
    numbers and all."""
    if not isinstance(text, str) or not is_label(_COLUMN.sub("", " ".join(_MATHS.sub(" ", text).split()))):
        return None
    numbers: list[str] = []

    def placeholder(match: re.Match) -> str:
        numbers.append(match.group(0))
        return f"{{{len(numbers) - 1}}}"

    pieces = _MATHS.split(text)
    key = "".join(p if k % 2 else _DECIMAL.sub(placeholder, p) for k, p in enumerate(pieces))
    return key, numbers


def translate_text(text: str, catalogue: dict[str, str]) -> str | None:
    """``text`` in the catalogue's language (its numbers put back into the translation's placeholders),
    or None when it is no label or the catalogue does not translate it."""
    found = message_key(text)
    if found is None or not catalogue.get(found[0]):
        return None
    key, numbers = found
    return _PLACEHOLDER.sub(lambda m: numbers[int(m.group(1))] if int(m.group(1)) < len(numbers) else m.group(0),
                            catalogue[key])  # fmt: skip


def _word_labels(formatter) -> tuple[list, object] | None:
    """The labels of a tick formatter that shows words, and a function that makes the same formatter
    with other words: a fixed list (``FixedFormatter``), the labels ``set_xticks(positions, labels)`` gives
    (a ``FuncFormatter`` of a position -> label dictionary) or categories; None for any other formatter."""
    import functools

    from matplotlib.category import StrCategoryFormatter
    from matplotlib.ticker import FixedFormatter, FuncFormatter

    if isinstance(formatter, FixedFormatter):
        return list(formatter.seq), FixedFormatter
    if isinstance(formatter, StrCategoryFormatter):
        values = list(formatter._units.values())
        return list(formatter._units), lambda words: StrCategoryFormatter(dict(zip(words, values, strict=True)))
    func = getattr(formatter, "func", None)
    if isinstance(formatter, FuncFormatter) and isinstance(func, functools.partial):
        if getattr(func.func, "__name__", "") == "_format_with_dict" and func.args and isinstance(func.args[0], dict):
            positions = list(func.args[0])

            def rebuild(words):
                return FuncFormatter(functools.partial(func.func, dict(zip(positions, words, strict=True))))

            return list(func.args[0].values()), rebuild
    return None


def _tick_formatters(fig) -> list:
    """``(axis, kind, formatter, labels, rebuild)`` of each axis whose tick labels are words
    (:func:`_word_labels`)."""
    found = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for kind, formatter in (("major", axis.get_major_formatter()), ("minor", axis.get_minor_formatter())):
                words = _word_labels(formatter)
                if words is not None:
                    found.append((axis, kind, formatter, *words))
    return found


def _texts(fig) -> list:
    """The figure's own texts: every Text artist but the tick labels (drawn from the formatters)."""
    from matplotlib.axis import Tick
    from matplotlib.text import Text

    ticks = {id(t) for tick in fig.findobj(Tick) for t in (tick.label1, tick.label2)}
    return [t for t in fig.findobj(Text) if id(t) not in ticks]


def figure_messages(fig) -> list[str]:
    """The messages (:func:`message_key`) of the figure's texts and word tick labels, in order, each once."""
    texts = [t.get_text() for t in _texts(fig)]
    texts += [label for *_, labels, _ in _tick_formatters(fig) for label in labels]
    keys = [message_key(str(text)) for text in texts]
    return list(dict.fromkeys(key[0] for key in keys if key is not None))


def cjk_font_available() -> bool:
    """Whether matplotlib finds :data:`CJK_FAMILY`; a font cache written before the font was installed
    is told of the system's Noto Sans CJK files first."""
    from matplotlib import font_manager

    def found() -> bool:
        try:
            font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False)
        except ValueError:
            return False
        return True

    if found():
        return True
    for path in font_manager.findSystemFonts():
        if "NotoSansCJK" in path.replace("-", "").replace("_", ""):
            font_manager.fontManager.addfont(path)
    return found()


def _with_cjk(prop):
    """A copy of font properties ``prop`` whose families are the font it draws with, then :data:`CJK_FAMILY`."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    latin = FT2Font(font_manager.findfont(prop)).family_name
    new = prop.copy()
    new.set_family([latin, CJK_FAMILY])
    return new


def chinese_rendering(fig, catalogue: dict[str, str]) -> tuple[str, str]:
    """The figure drawn in Chinese: (SVG text, PNG as base64), as :class:`~aichain_utils.report.display.VectorFigure`
    draws it (``bbox_inches="tight"``, 200 dpi); the figure is left as it was.

    Raises
    ------
    MissingGlyph
        A character of the figure that neither the text's font nor :data:`CJK_FAMILY` has.
    """
    if not cjk_font_available():
        raise MissingGlyph(f"no {CJK_FAMILY} font for the figure's Chinese texts (install fonts-noto-cjk)")
    fig.canvas.draw()  # the tick labels as the English figure shows them
    texts = _texts(fig)
    saved = [(t, t.get_text(), t.get_fontproperties()) for t in texts]
    formatters = _tick_formatters(fig)
    ticks = [tick for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) for tick in axis.get_major_ticks()]
    ticks += [tick for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) for tick in axis.get_minor_ticks()]
    tick_fonts = [(label, label.get_fontproperties()) for tick in ticks for label in (tick.label1, tick.label2)]
    try:
        for text, english, prop in saved:
            text.set_text(translate_text(str(english), catalogue) or english)
            text.set_fontproperties(_with_cjk(prop))
        for label, prop in tick_fonts:
            label.set_fontproperties(_with_cjk(prop))
        for axis, kind, _, labels, rebuild in formatters:
            words = [translate_text(str(w), catalogue) or w for w in labels]
            getattr(axis, f"set_{kind}_formatter")(rebuild(words))
        return _draw_checked(fig)
    finally:
        for text, english, prop in saved:
            text.set_text(english)
            text.set_fontproperties(prop)
        for label, prop in tick_fonts:
            label.set_fontproperties(prop)
        for axis, kind, formatter, *_ in formatters:
            getattr(axis, f"set_{kind}_formatter")(formatter)


def _draw_checked(fig) -> tuple[str, str]:
    """The figure's SVG and base64 PNG; a "Glyph ... missing" warning of matplotlib is a :class:`MissingGlyph`."""
    svg, png = io.StringIO(), io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(svg, format="svg", bbox_inches="tight")
        fig.savefig(png, format="png", dpi=200, bbox_inches="tight")
    missing = sorted({str(w.message) for w in caught if "missing from font" in str(w.message)})
    if missing:
        raise MissingGlyph("the figure's Chinese rendering lacks glyphs: " + "; ".join(missing))
    for w in caught:  # any other warning, as it would have been
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return svg.getvalue(), base64.b64encode(png.getvalue()).decode("ascii")
