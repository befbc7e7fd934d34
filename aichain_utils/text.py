"""Words and sentences in both of the book's languages: the bottom layer every other layer may use.

A verdict word or computed sentence that the Chinese edition must show in Chinese is a :class:`Bilingual`
(``Bilingual("larger", "更大")``): a ``str`` that is its English text, carrying its Chinese text in
:attr:`Bilingual.zh`. Every layer that writes a sentence a page glues (the robustness methods, the report,
the inputs, the replication) builds it here, one template per language filled from the same numbers;
:mod:`aichain_utils.replication.numbers` re-exports these names. The module imports nothing of the package.
"""

from __future__ import annotations

import math

__all__ = ["ZH_HTML", "ZH_MARKDOWN", "ZH_MIME", "Bilingual", "bilingual_format", "bilingual_join", "check_finite"]


#: The MIME type under which a glued :class:`Bilingual` carries its Chinese text (``text/plain``: its English).
ZH_MIME = "text/x-aichain-zh"


class Bilingual(str):
    """A word or sentence a page cites, in English and in Chinese (issue 26: computed sentences in both languages).

    The object is a ``str`` equal to its English text: f-strings, comparisons and the English pages see
    the English exactly as before. Its Chinese text is :attr:`zh`. A text composed from it
    (``f"{word} than"``, ``word.upper()``) is a plain ``str``, English only: a sentence that the Chinese
    edition must show is built as one :class:`Bilingual` from both languages' parts.

    Glued by :func:`aichain_utils.book.glue_numbers`, it stores :meth:`mimebundle`: ``text/plain`` is what
    gluing its English ``str`` gives, and :data:`ZH_MIME` its Chinese text, which the Chinese build pastes
    into translated paragraphs.

    Parameters
    ----------
    en, zh : str
        The English and the Chinese text; neither may be empty (a missing translation is an error, never
        an empty word on a Chinese page).

    Examples
    --------
    >>> word = Bilingual("larger", "更大")
    >>> word == "larger", word.zh, f"{word} than"
    (True, '更大', 'larger than')
    """

    zh: str

    def __new__(cls, en: str, zh: str):
        for language, text in (("English", en), ("Chinese", zh)):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(
                    f"a bilingual word or sentence needs a non-empty {language} text: got en={en!r}, zh={zh!r}"
                )
        self = super().__new__(cls, en)
        self.zh = str(zh)
        return self

    @property
    def en(self) -> str:
        """The English text, as a plain ``str``."""
        return str.__str__(self)

    def __getnewargs__(self) -> tuple[str, str]:  # pickling and copying keep both languages
        return self.en, self.zh

    def mimebundle(self) -> dict[str, str]:
        """What gluing it stores: the English as ``text/plain``, byte for byte what IPython displays for the
        English ``str`` (its ``repr``, which ``{glue:text}`` unquotes), and the Chinese under :data:`ZH_MIME`.

        Displayed in a cell, a :class:`Bilingual` is its English ``str`` (no other MIME type, which MyST-NB
        would warn about); :func:`aichain_utils.book.glue_numbers` glues this bundle.
        """
        return {"text/plain": repr(self.en), ZH_MIME: self.zh}


#: The key of a displayed Markdown output's metadata under which a :class:`Bilingual` Markdown text carries
#: its Chinese (its English is the output's ``text/markdown``): :func:`aichain_utils.book.show_markdown`.
ZH_MARKDOWN = "text/x-aichain-zh-markdown"
#: The same for a displayed HTML output (its English is the output's ``text/html``): the chapters' data line.
ZH_HTML = "text/x-aichain-zh-html"


def bilingual_join(parts, en_sep: str = "", zh_sep: str | None = None) -> Bilingual:
    """Join words and sentences into one :class:`Bilingual` text, each language with its own separator.

    Parameters
    ----------
    parts : iterable of Bilingual or str
        The parts, in order. A plain ``str`` part is language-neutral (a number, Markdown markup, a name
        such as ``FE``) and appears as it is in both languages.
    en_sep : str
        The English separator (``", "``, ``"; "``).
    zh_sep : str, optional
        The Chinese separator (``"，"``, ``"、"``); default: ``en_sep``.

    Examples
    --------
    >>> text = bilingual_join([Bilingual("2 errors", "2 个错误"), Bilingual("1 note", "1 条提示")], ", ", "，")
    >>> text, text.zh
    ('2 errors, 1 note', '2 个错误，1 条提示')
    """
    parts = list(parts)
    if not parts:
        raise ValueError("bilingual_join needs at least one part: an empty text is never a word on a page")
    zh_sep = en_sep if zh_sep is None else zh_sep
    return Bilingual(
        en_sep.join(str.__str__(p) for p in parts),
        zh_sep.join(p.zh if isinstance(p, Bilingual) else str(p) for p in parts),
    )


def check_finite(what: str, **values) -> None:
    """Raise if a number a sentence states is None or not finite: a page states a number, never "nan".

    Parameters
    ----------
    what : str
        The sentence (its function or glue key), named in the error.
    **values
        The numbers, by the name the sentence gives them; a non-number (a word, a name) is not checked.

    Raises
    ------
    ValueError
        Naming the sentence and the number that is None, NaN or infinite.
    """
    for name, value in values.items():
        if value is None or (
            isinstance(value, int | float) and not isinstance(value, bool) and not math.isfinite(value)
        ):
            raise ValueError(f"{what}: the number {name} is {value!r}; a sentence states a number, never 'nan'")


def bilingual_format(templates: dict[str, str], what: str = "a sentence", **values) -> Bilingual:
    """One sentence from one template per language, filled with the same values (:meth:`str.format`).

    Parameters
    ----------
    templates : dict
        ``{"en": ..., "zh": ...}``: the English and the Chinese template, with the same fields.
    what : str
        The sentence's name, for the error on a missing number.
    **values
        The fields. A :class:`Bilingual` value fills the English template with its English and the
        Chinese one with its Chinese; any other value fills both. A number that is None or not finite is
        an error (:func:`check_finite`), never "nan" on a page.

    Examples
    --------
    >>> t = {"en": "{k} of {n} are {word}", "zh": "{n} 个中有 {k} 个{word}"}
    >>> text = bilingual_format(t, k=2, n=3, word=Bilingual("robust", "稳健"))
    >>> text, text.zh
    ('2 of 3 are robust', '3 个中有 2 个稳健')
    """
    check_finite(what, **values)
    zh_values = {k: v.zh if isinstance(v, Bilingual) else v for k, v in values.items()}
    return Bilingual(templates["en"].format(**values), templates["zh"].format(**zh_values))
