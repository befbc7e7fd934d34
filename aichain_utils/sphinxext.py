"""Sphinx extension: a banner on every page saying which data the book was built from.

Enabled in ``_config.yml`` (``sphinx.extra_extensions``). The data source is decided at
build time by :func:`aichain_utils.panel.data_source` (environment variable
``AICHAIN_DATA``), the same switch the chapters use.
"""

from __future__ import annotations

from html import escape

from aichain_utils.panel import data_source

__all__ = ["banner_html", "setup"]


def banner_html() -> str:
    """The banner's HTML for the data source in force."""
    source = data_source()
    if source.is_simulated:
        text = (
            f"Built from {escape(source.label)}. The paper's data are proprietary: every estimate "
            "in this book is computed on simulated data, and agreement with the published numbers "
            "validates the code, not the paper's claims."
        )
        kind = "simulated"
    else:
        text = f"Built from {escape(source.label)}."
        kind = "licensed"
    return f'<div class="aichain-data-banner aichain-data-{kind}" role="note"><strong>Data:</strong> {text}</div>'


def _add_banner(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = banner_html() + context["body"]


def setup(app):
    """Register the banner with Sphinx."""
    app.connect("html-page-context", _add_banner)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
