"""Results objects: everything a page cites, computed once in the package and named systematically.

A chapter does not compute. It calls one function of :mod:`aichain_utils.replication.results` per table
or analysis (``t3 = results.table3(panel)``), shows the object's tables and figures, and glues
``t3.numbers()`` with :func:`aichain_utils.book.glue_numbers`. Each results object answers
:meth:`Results.numbers` with a :class:`Numbers` tree: the numbers, the published numbers, the verdict
words ("larger", "reproduces", "balanced") and the computed sentences. The tree's leaves are glued
under flat keys built from the path, ``t3_c6_coef`` for ``t3.numbers().c6.coef``, which is how the
prose cites them (``{glue:text}`t3_c6_coef:.3f```).

A number that the data of the build cannot give (the true effect on a licensed file) is ``None`` in the
tree, with its reason in :attr:`Numbers.reasons`; it is glued as NaN, which a page shows only inside a
block that the same condition gates (``{only} simulated``), never as a number.

A verdict word or computed sentence that the Chinese edition must show in Chinese is a
:class:`~aichain_utils.text.Bilingual` leaf (``Bilingual("larger", "更大")``): a ``str`` that is its English
text, so that the English pages and every comparison (``== "larger"``) are as before, and that carries its
Chinese text in :attr:`Bilingual.zh`. Glued, it gives its English as ``text/plain`` and its Chinese under
:data:`~aichain_utils.text.ZH_MIME`; the Chinese build pastes the Chinese text into translated paragraphs
(:mod:`aichain_utils.book.sphinxext`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

# Re-exported (written where the chapters and the book import them from) and documented in aichain_utils.text
from aichain_utils.text import ZH_HTML as ZH_HTML
from aichain_utils.text import ZH_MARKDOWN as ZH_MARKDOWN
from aichain_utils.text import ZH_MIME as ZH_MIME
from aichain_utils.text import Bilingual as Bilingual
from aichain_utils.text import bilingual_join as bilingual_join

__all__ = [
    "NOT_SIMULATED",
    "PREFIXES",
    "Numbers",
    "Results",
    "register_prefix",
    "sampling_error_clause",
    "true_effect",
]

#: Every prefix a results class has claimed, with the class: a key names its results object.
PREFIXES: dict[str, str] = {}
_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
Leaf = float | int | str | bool | None
#: The reason a truth-based number is None on a user's data.
NOT_SIMULATED = "the data of this build are not simulated, so there is no true effect to compare with"


def register_prefix(prefix: str, owner: str) -> str:
    """Claim ``prefix`` for the results class ``owner`` (a prefix names one results object)."""
    if not _NAME.fullmatch(prefix):
        raise ValueError(f"results prefix {prefix!r} must be lower-case letters, digits and single underscores")
    if PREFIXES.get(prefix, owner) != owner:
        raise ValueError(f"results prefix {prefix!r} is already used by {PREFIXES[prefix]}")
    PREFIXES[prefix] = owner
    return prefix


def _check_leaf(path: str, value: Any) -> Leaf:
    if isinstance(value, Bilingual):
        return value
    if value is None or isinstance(value, str | bool):
        return value
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # numpy scalar
        value = value.item()
    if isinstance(value, int | float):
        return value
    raise TypeError(f"number {path!r}: a page cites numbers, words and sentences, not {type(value).__name__}")


class Numbers(Mapping[str, Any]):
    """A read-only tree of what a page cites; attribute access reads it as the prose names it.

    Parameters
    ----------
    prefix : str
        The results object's prefix (``"t3"``); every flat key starts with it.
    tree : mapping
        Names (lower case, digits, underscores) to leaves (float, int, str,
        :class:`~aichain_utils.text.Bilingual`, bool or ``None``) or to further mappings.
    reasons : mapping, optional
        Path (``"c6.bias"``) -> why that leaf is ``None``. A ``None`` leaf without a reason is an error.

    Examples
    --------
    >>> n = Numbers("t3", {"c6": {"coef": 0.25}, "r2_order": "reproduces"})
    >>> n.c6.coef
    0.25
    >>> n.flat()
    {'t3_c6_coef': 0.25, 't3_r2_order': 'reproduces'}
    """

    def __init__(self, prefix: str, tree: Mapping[str, Any], reasons: Mapping[str, str] | None = None, _path=""):
        self._prefix = prefix
        self._path = _path
        self._tree: dict[str, Any] = {}
        self.reasons: dict[str, str] = dict(reasons or {})
        for name, value in tree.items():
            path = f"{_path}.{name}" if _path else str(name)
            if not _NAME.fullmatch(str(name)):
                raise ValueError(f"number name {path!r} must be lower-case letters, digits and single underscores")
            if isinstance(value, Numbers):
                value = dict(value._tree)
            if isinstance(value, Mapping):
                self._tree[name] = Numbers(prefix, value, self.reasons, _path=path)
            else:
                self._tree[name] = _check_leaf(path, value)
                if value is None and path not in self.reasons:
                    raise ValueError(f"number {path!r} is None without a reason (give it in `reasons`)")

    def __getitem__(self, name: str) -> Any:
        return self._tree[name]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._tree[name]
        except KeyError:
            where = f"{self._prefix}.{self._path}" if self._path else self._prefix
            raise AttributeError(f"{where} has no number {name!r}; it has {sorted(self._tree)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._tree)

    def __len__(self) -> int:
        return len(self._tree)

    def __repr__(self) -> str:
        return f"Numbers({self._prefix!r}, {len(self.flat())} leaves)"

    def flat(self) -> dict[str, Leaf]:
        """The leaves under glue keys: ``prefix_path_with_underscores`` (``t3_c6_coef``)."""
        out: dict[str, Leaf] = {}
        for name, value in self._tree.items():
            if isinstance(value, Numbers):
                out.update(value.flat())
            else:
                path = f"{self._path}.{name}" if self._path else name
                out[f"{self._prefix}_{path.replace('.', '_')}"] = value
        return out

    def glue_values(self) -> dict[str, float | int | str]:
        """:meth:`flat` with each ``None`` as NaN (formats under any numeric spec; gated pages never show it)
        and each bool as its word, so that every key can be glued."""
        out: dict[str, float | int | str] = {}
        for key, value in self.flat().items():
            if value is None:
                out[key] = math.nan
            elif isinstance(value, bool):
                out[key] = "yes" if value else "no"
            else:
                out[key] = value
        return out


class Results:
    """Base of the results objects: a prefix and the numbers a page cites.

    Subclasses set the class attribute ``prefix`` and implement :meth:`numbers`.
    """

    prefix: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.prefix:
            register_prefix(cls.prefix, f"{cls.__module__}.{cls.__qualname__}")

    def numbers(self) -> Numbers:  # pragma: no cover - abstract
        """Every number, word and sentence the page cites about this table or analysis."""
        raise NotImplementedError(f"{type(self).__name__} does not say what its page cites")


def true_effect(panel, name: str = "aie_on_erl_total") -> float | None:
    """The simulated world's true effect ``name`` (``params.yml``, ``effects``), or ``None`` on a user's data.

    Parameters
    ----------
    panel : AnalysisPanel
        The panel of the build; only simulated panels have a truth.
    name : str
        A key of the ``effects`` block of the simulation's parameters (default: AIE's total effect on ERL,
        the coefficient of equation (1)).
    """
    if panel.source is None or not panel.source.is_simulated:
        return None
    from aichain_utils.simulation import simulate

    return float(simulate.load_params()["effects"][name])


#: :func:`sampling_error_clause`'s two clauses, in English and Chinese.
WITHIN_SAMPLING_ERROR = Bilingual("within sampling error", "在抽样误差范围内")
BEYOND_SAMPLING_ERROR = Bilingual("more than sampling error explains", "超出了抽样误差所能解释的范围")


def sampling_error_clause(bias: float, se: float) -> Bilingual:
    """The clause "within sampling error" when ``|bias| <= 2 se``, else "more than sampling error explains".

    The book's rule for "biased": beyond twice the standard error (of one estimate, or the Monte Carlo SE
    of a mean). The clause is :class:`~aichain_utils.text.Bilingual`: 在抽样误差范围内 / 超出了抽样误差所能解释的范围.

    Raises
    ------
    ValueError
        If ``bias`` is not a finite number (NaN would fall silently on one side of the rule) or ``se`` is
        not a positive finite number.
    """
    if not math.isfinite(bias):
        raise ValueError(f"sampling_error_clause needs a finite bias to compare with 2 se, got bias={bias!r}")
    if not (math.isfinite(se) and se > 0):
        raise ValueError(f"sampling_error_clause needs a positive finite standard error, got se={se!r}")
    return WITHIN_SAMPLING_ERROR if abs(bias) <= 2 * se else BEYOND_SAMPLING_ERROR
