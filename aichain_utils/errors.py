"""The one error type of aichain's public functions (the contract of every public function).

Every public function of :mod:`aichain_utils.econometrics`, :mod:`aichain_utils.robustness` and the
replication layer validates its inputs up front. Input it cannot use raises
:class:`AichainInputError` (a :class:`ValueError`, so ``except ValueError`` still catches it) whose
message names

* the argument or column (with the user's own column name when it differs),
* the rule that was broken, and
* the offending value or rows (at most :data:`MAX_SHOWN` of them).

Degenerate but valid input gets the right answer or a documented limit: never NaN without a
reason, never a number computed from a singular system, never a bare ``LinAlgError`` or
``ZeroDivisionError``. This module sits at the bottom of the package: it imports nothing of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["MAX_SHOWN", "AichainInputError", "input_error"]

MAX_SHOWN = 5


class AichainInputError(ValueError):
    """Input that a public function cannot use.

    Attributes
    ----------
    argument : str or None
        The argument or column the rule applies to.
    rule : str
        The rule, in words ("must vary within units", "must lie in [0, 1]").
    offending : list
        Up to :data:`MAX_SHOWN` offending values or row labels (may be empty).
    """

    def __init__(self, message: str, *, argument: str | None = None, rule: str = "", offending: Sequence = ()):
        super().__init__(message)
        self.argument = argument
        self.rule = rule
        self.offending = list(offending)[:MAX_SHOWN]


def _shown(values: Iterable) -> tuple[list, int]:
    values = list(values)
    return values[:MAX_SHOWN], len(values)


def input_error(
    argument: str, rule: str, offending: Iterable = (), *, what: str = "rows", user_name: str | None = None
) -> AichainInputError:
    """Build the contract's error: ``"<argument>: <rule>; <what> [..] (n in all)"``.

    Parameters
    ----------
    argument : str
        The argument or column name the rule applies to.
    rule : str
        What the input must satisfy.
    offending : iterable, optional
        The offending values or row labels; the first :data:`MAX_SHOWN` are shown with the count.
    what : str, default "rows"
        What ``offending`` holds ("rows", "values", "units", ...).
    user_name : str, optional
        The user's own name for the column when it differs from ``argument``.

    Returns
    -------
    AichainInputError
        The error, to be raised by the caller (``raise input_error(...)``).
    """
    where = f"'{argument}'" if not user_name or user_name == argument else f"'{argument}' (your '{user_name}')"
    shown, n = _shown(offending)
    message = f"{where}: {rule}"
    if n:
        more = f" ({n} in all)" if n > len(shown) else ""
        message += f"; offending {what}: {shown}{more}"
    return AichainInputError(message, argument=argument, rule=rule, offending=shown)
