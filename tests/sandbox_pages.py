"""What the sandbox books of the tests share: the front matter of a MyST notebook page.

``tests/test_i18n.py``, ``tests/test_i18n_sentences.py``, ``tests/test_table_labels.py``,
``tests/test_pdf_student.py`` and ``tests/test_build_failure.py`` write small books whose chapters are
executed notebooks; each page starts with :data:`FRONT_MATTER` (jupytext's text representation and the
kernel), written once here.
"""

from __future__ import annotations

#: The jupytext/kernelspec header of a sandbox notebook page (no braces: pages built with ``str.format``
#: may start with it).
FRONT_MATTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""
