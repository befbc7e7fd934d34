"""The book's machinery: the chapter façade (:func:`load_panel`, :func:`glue_numbers`), the Sphinx
extension, notebook support, the build state, the kit, the handouts and the glossary. The top layer: it
may import every layer below it.

The façade is imported when first used (``book.load_panel``, ``from aichain_utils.book import
show_markdown``), not with the package: ``tools/build_book.py`` imports :mod:`aichain_utils.book.buildstate`
alone, and a no-change rebuild would otherwise spend most of its time importing pandas and the panel's
schemas that it never uses."""

__all__ = ["data_banner", "glue_numbers", "load_panel", "show_markdown"]


def __getattr__(name: str):
    if name in __all__:
        from aichain_utils.book import chapter

        return getattr(chapter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
