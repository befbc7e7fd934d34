"""The book's machinery: the Sphinx extension, notebook support, the build state, the kit, the handouts
and the glossary. The top layer: it may import every layer below it."""
