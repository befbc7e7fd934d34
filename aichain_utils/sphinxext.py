"""Sphinx extension: a data banner on every page, and numbered tables for executed outputs.

The banner says which data the book was built from; each chapter's download menu also offers the
executed notebook (.ipynb). The ``numbered-table`` directive gives a
table printed by a code cell a number and a caption, so the text can cross-reference it.

Enabled in ``_config.yml`` (``sphinx.extra_extensions``). The data source is decided at
build time by :func:`aichain_utils.panel.data_source` (environment variable
``AICHAIN_DATA``), the same switch the chapters use.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from aichain_utils.buildstate import inputs_fingerprint, reset_if_changed
from aichain_utils.panel import data_source

__all__ = ["NumberedTableDirective", "banner_html", "numbered_table", "setup"]


def banner_html() -> str:
    """The banner's HTML for the data source in force (text: :func:`aichain_utils.display.banner_text`)."""
    from aichain_utils.display import banner_text

    source = data_source()
    kind = "simulated" if source.is_simulated else "licensed"
    text = escape(banner_text(source))
    return f'<div class="aichain-data-banner aichain-data-{kind}" role="note"><strong>Data:</strong> {text}</div>'


def _add_banner(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = banner_html() + context["body"]


def _executed_notebook(app, pagename: str) -> str:
    """The executed notebook of ``pagename`` as .ipynb text, with every output.

    With ``execute_notebooks: cache`` MyST-NB writes ``_build/jupyter_execute/<page>.ipynb`` from
    the unexecuted source when the outputs come from the cache, so that file can lack outputs. The
    outputs are taken from the execution cache instead (jupyter-cache, matched on the code cells);
    the written file is the fallback when the cache has no match (e.g. ``execute_notebooks: force``).
    """
    import nbformat
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    source = Path(app.env.doc2path(pagename))
    cache_path = app.env.mystnb_config.execution_cache_path or Path(app.outdir).parent / ".jupyter_cache"
    if source.suffix == ".md" and Path(cache_path).is_dir():
        notebook = read_myst_markdown_notebook(source.read_text(encoding="utf-8"), path=str(source))
        try:
            return nbformat.writes(get_cache(cache_path).merge_match_into_notebook(notebook)[1])
        except KeyError:
            pass  # no cached execution of this source: use the written file
    return (Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb").read_text(encoding="utf-8")


def _offer_notebook_download(app, pagename, templatename, context, doctree):
    """Offer the executed notebook (.ipynb, with outputs) in the page's download menu.

    sphinx-book-theme lists an ``.ipynb`` download only when launch buttons are configured, which
    needs a public repository URL. Here the executed notebook is written next to the page sources
    and the theme's download menu (which reads ``context["ipynb_source"]``) offers it. Runs before
    the theme (priority 500 < 501).
    """
    if not (Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb").is_file():
        return  # not a notebook page: MyST-NB writes this file for every notebook it reads
    text = _executed_notebook(app, pagename)
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def _guard_inputs(app, config) -> None:
    """Never serve a page computed from older inputs (see :mod:`aichain_utils.buildstate`).

    Removes the execution cache and the doctrees when the inputs changed since the last build
    (``make book`` has usually done so already), and records the fingerprint as a configuration
    value that invalidates Sphinx's environment, so every page is re-read when it changes. Sets the
    tag ``simulated`` or ``userdata``, so that prose true of one kind of data only is written in an
    ``{only}`` block and appears only on builds from that kind of data, and a tag ``has_tableN`` for
    each of the paper's tables the data can build (prose about a table the data cannot build sits in
    ``{only} has_tableN``, and ``{only} not has_tableN`` prints why).
    """
    reset_if_changed(Path(app.outdir).parent, keep=(Path(app.outdir).name,))
    config.aichain_inputs_fingerprint = inputs_fingerprint()
    # ``{only} simulated`` / ``{only} userdata`` blocks: prose true of one kind of data only
    source = data_source()
    app.tags.add("simulated" if source.is_simulated else "userdata")
    for table in _tables_available(source):
        app.tags.add(f"has_table{table}")


def _tables_available(source) -> list[int]:
    """The paper's tables (1-10) that the data in force can build: ``{only} has_table6`` blocks.

    On the simulated panel every table can be built; on a user's file the panel is loaded once and
    :meth:`aichain_utils.panel.AnalysisPanel.missing_reason` decides (a failing file stops the build
    earlier, at ``make check-data``).
    """
    if source.is_simulated:
        return list(range(1, 11))
    from aichain_utils.panel import load_analysis_panel

    ap = load_analysis_panel()
    return [t for t in range(1, 11) if ap.missing_reason(f"Table {t}") is None]


def setup(app):
    """Register the input guard, the data banner and the ``numbered-table`` directive with Sphinx."""
    app.add_config_value("aichain_inputs_fingerprint", "", "env", types=[str])
    app.connect("config-inited", _guard_inputs)
    app.connect("html-page-context", _add_banner)
    app.connect("html-page-context", _offer_notebook_download, priority=500)
    app.add_enumerable_node(
        numbered_table,
        "table",
        html=(_visit_numbered_table_html, _depart_numbered_table_html),
        latex=(_skip, None),
        text=(_skip, None),
    )
    app.add_directive("numbered-table", NumberedTableDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


class numbered_table(nodes.General, nodes.Element):
    """A numbered, captioned table whose body is an executed output (e.g. a glued DataFrame)."""


class NumberedTableDirective(SphinxDirective):
    """``numbered-table``: number and caption an executed table so the text can ``{numref}`` it.

    Sphinx numbers only tables written in markup; tables printed by a code cell are raw HTML.
    This directive wraps such output (usually ``{glue:any}`` of a styled DataFrame) in a node
    that Sphinx enumerates as a ``table``, so it is numbered in the sequence of ``numfig_format['table']``
    and can be cross-referenced with ``{numref}`` like any other table.

    Usage (MyST)::

        :::{numbered-table} Caption text
        :name: tbl-label

        ```{glue:any} key
        ```
        :::
    """

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict] = {"name": directives.unchanged_required}

    def run(self):
        if "name" not in self.options:
            raise self.error("numbered-table needs a :name: so the text can cross-reference it")
        if not self.content:
            raise self.error("numbered-table has no body: put the table (e.g. a {glue:any} directive) inside")
        node = numbered_table()
        self.set_source_info(node)
        caption_nodes, messages = self.state.inline_text(self.arguments[0], self.lineno)
        caption = nodes.caption(self.arguments[0], "", *caption_nodes)
        self.set_source_info(caption)
        node += caption
        body = nodes.container(classes=["aichain-table-body"])
        self.state.nested_parse(self.content, self.content_offset, body)
        node += body
        self.add_name(node)
        return [node, *messages]


def _visit_numbered_table_html(self, node):
    self.body.append(self.starttag(node, "div", CLASS="aichain-table"))


def _depart_numbered_table_html(self, node):
    self.body.append("</div>\n")


def _skip(self, node):
    raise nodes.SkipNode
