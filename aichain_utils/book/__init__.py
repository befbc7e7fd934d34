"""The book's machinery: the chapter façade (:func:`load_panel`, :func:`glue_numbers`), the Sphinx
extension, notebook support, the build state, the kit, the handouts and the glossary. The top layer: it
may import every layer below it."""

from aichain_utils.book.chapter import data_banner, glue_numbers, load_panel, show_markdown

__all__ = ["data_banner", "glue_numbers", "load_panel", "show_markdown"]
