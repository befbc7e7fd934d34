"""The figures' alt texts in the Chinese edition (issue 26, review defect 13).

A chapter writes a figure's alt text as the ``:alt:`` option of its ``{glue:figure}``. Sphinx translates an
image's alt text through the page's own catalogue when that catalogue has it (the causal diagram's, in
``chapters/framework.po``); the others are in ``locale/<language>/LC_MESSAGES/figure_alt.po`` (msgid: the
alt text as the chapter writes it; msgstr: its Chinese), which :func:`translate_alt_texts` applies to every
image of a page of the Chinese build that is still in English. The English build is untouched.
"""

from __future__ import annotations

import re

#: The catalogue's domain: ``locale/<language>/LC_MESSAGES/figure_alt.po``.
CATALOGUE = "figure_alt"
#: An alt text option of a figure in a page's Markdown.
ALT_OPTION = re.compile(r"^:alt:\s*(.+?)\s*$", re.MULTILINE)


def alt_texts(markdown: str) -> list[str]:
    """The alt texts (``:alt:`` options) a page's Markdown writes, in order."""
    return ALT_OPTION.findall(markdown)


def _catalogue_of(app) -> dict[str, str]:
    """The build's alt-text catalogue, read once (:func:`~aichain_utils.book.tablelabels.sphinx_catalogue`
    of ``figure_alt.po``); {} when there is none."""
    from aichain_utils.book.tablelabels import sphinx_catalogue

    return sphinx_catalogue(app, CATALOGUE)


def translate_alt_texts(doctree, catalogue: dict[str, str]) -> int:
    """Replace the alt text of every image of ``doctree`` that ``catalogue`` translates; the number
    replaced."""
    from docutils import nodes

    done = 0
    for image in doctree.findall(nodes.image):
        chinese = catalogue.get(image.get("alt", ""))
        if chinese:
            image["alt"] = chinese
            done += 1
    return done


def _translate(app, doctree) -> None:
    if (app.config.language or "").startswith("zh"):
        translate_alt_texts(doctree, _catalogue_of(app))


def setup(app) -> None:
    """Translate the alt texts when a page of the Chinese build is read (after Sphinx's own translation of
    the page, so a page catalogue's entry comes first)."""
    app.connect("doctree-read", _translate)
