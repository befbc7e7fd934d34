"""The chapter façade: what a chapter's visible set-up cell calls.

A chapter loads the panel of the build, asks :mod:`aichain_utils.replication.results` for one results
object per table or analysis, and glues every number the prose cites with one call::

    from aichain_utils import book
    from aichain_utils.replication import results

    panel = book.load_panel()       # simulated unless AICHAIN_DATA names the replicator's file
    t3 = results.table3(panel)      # columns, published numbers, verdicts, sentences
    book.glue_numbers(t3)           # keys "t3_*", as the prose cites them
"""

from __future__ import annotations

from IPython.display import Markdown

from aichain_utils.book import notebook
from aichain_utils.inputs.panel import AnalysisPanel, load_analysis_panel
from aichain_utils.replication.numbers import ZH_MARKDOWN, Bilingual, Numbers, Results
from aichain_utils.report.display import BilingualHTML

__all__ = ["data_banner", "glue_numbers", "load_panel", "show_markdown"]


def load_panel(**kwargs) -> AnalysisPanel:
    """The analysis panel of this build (see :func:`aichain_utils.inputs.panel.load_analysis_panel`)."""
    return load_analysis_panel(**kwargs)


#: A user's file, by level, in the Chinese edition (the data line and the banner name it so).
LEVEL_TEXT_ZH = {
    "analysis": "你的最终变量文件 {name}",
    "raw": "你的原始输入数据文件 {name}",
    "unknown": "你的数据文件 {name}（未能识别其层级：请运行 make check-data）",
}


def source_label_zh(source) -> str:
    """The Chinese of a data source's label (:attr:`aichain_utils.inputs.panel.DataSource.label`): the same
    file, seed and digest."""
    if source.is_simulated:
        from aichain_utils.simulation.simulate import load_params

        return f"模拟面板（data/simulation/params.yml，种子 {load_params()['seed']}，sha256 {source.fingerprint}）"
    name = source.path.name if source.path is not None else ""
    return f"{LEVEL_TEXT_ZH[source.level].format(name=name)}（sha256 {source.fingerprint}）"


def data_banner(panel: AnalysisPanel, page: str = "chapter") -> BilingualHTML:
    """The line under a chapter's title that names the data of the build, in the page's language.

    ``page`` names the page in the line ("Data used for this chapter"; "page" on a page that is no chapter).
    """
    from html import escape

    label = panel.source.label if panel.source is not None else "the analysis panel given"
    label_zh = source_label_zh(panel.source) if panel.source is not None else "给定的分析面板"
    where = "本章" if page == "chapter" else "本页"
    return BilingualHTML(
        f"<p><strong>Data used for this {page}:</strong> {escape(label, quote=False)}.</p>",
        f"<p><strong>{where}所用数据：</strong>{escape(label_zh, quote=False)}。</p>",
    )


def glue_numbers(*results: Results | Numbers) -> None:
    """Glue every number, word and sentence of each results object under its flat keys.

    Returns nothing, so that the call can end a visible cell without printing. A key given by two
    results objects is an error (myst-nb would keep one of them silently). A bilingual leaf
    (:class:`~aichain_utils.replication.numbers.Bilingual`) is glued with both its texts, so that one
    execution serves both editions: its English as ``text/plain``, exactly as its English ``str`` would be,
    and its Chinese under the MIME type :data:`~aichain_utils.replication.numbers.ZH_MIME`.

    Parameters
    ----------
    *results : Results or Numbers
        Results objects (their :meth:`~aichain_utils.replication.numbers.Results.numbers`) or trees.
    """
    from myst_nb import glue

    keys: list[str] = []
    for item in results:
        tree = item if isinstance(item, Numbers) else item.numbers()
        for key, value in tree.glue_values().items():
            if key in keys:
                raise ValueError(f"glue key {key!r} is given by two results objects on this page")
            glue(key, BilingualOutput(value) if isinstance(value, Bilingual) else value, display=False)
            keys.append(key)
    # recorded for the placeholders of skipped tables, whether or not the chapter has loaded the notebook
    # extension yet (which records glued keys from then on): a placeholder never glues a key twice
    notebook.GLUED.update(keys)


#: What :func:`glue_numbers` glues for a bilingual leaf (defined beside ``%%when_available``, which glues a
#: table's bilingual reason the same way).
BilingualOutput = notebook.BilingualOutput


class BilingualMarkdown(Markdown):
    """``IPython.display.Markdown`` of a text's English, with the Chinese Markdown of a
    :class:`~aichain_utils.replication.numbers.Bilingual` text in the output's metadata (``text/markdown``'s
    entry, key :data:`~aichain_utils.replication.numbers.ZH_MARKDOWN`)."""

    def __init__(self, text: str):
        self.zh = text.zh if isinstance(text, Bilingual) else None
        super().__init__(str.__str__(text))

    def _repr_markdown_(self):
        return self.data if self.zh is None else (self.data, {ZH_MARKDOWN: self.zh})


def show_markdown(text: str) -> BilingualMarkdown:
    """A computed Markdown text (a list, a paragraph) for a cell to display, in the page's language.

    Displayed, it is what ``IPython.display.Markdown(text)`` displays: its English as ``text/markdown``, so
    the English pages are as before. A :class:`~aichain_utils.replication.numbers.Bilingual` text also
    carries its Chinese Markdown in the output's metadata, under
    :data:`~aichain_utils.replication.numbers.ZH_MARKDOWN`, which the Chinese build renders instead of the
    English (:func:`aichain_utils.book.sphinxext.chinese_output`): one execution serves both editions. A
    plain ``str`` is shown in English in both.

    Parameters
    ----------
    text : str or Bilingual
        The Markdown text (a results object's ``*_markdown()``).

    Returns
    -------
    BilingualMarkdown
        The object to end the cell with.
    """
    return BilingualMarkdown(text)
