"""One validation, one factorisation and one demeaning per (sample, fixed effects), shared by every fit.

A table of the paper fits many regressions on the same sample with the same absorbed effects: the
columns of Table 3 differ in their covariance, Table 4's four 2SLS fits share the outcome, the
regressor and the controls, Table 6's three mediators share the total-effect equation, and Tables
7-9 fit each group three times (its own column, the ``suest`` test and the pooled interaction test).
Inside :func:`sharing` (or a function decorated with :func:`shared`), the core computes each of
these once and reuses it:

* the integer codes of a column (``pd.factorize``), used by the demeaning, the clusters and the
  degrees of freedom of the absorbed effects;
* a column demeaned by a set of effects (optionally weighted), column by column;
* the degrees of freedom of a set of absorbed effects, and the check that (entity, time) pairs are
  unique.

Every entry is keyed by the SHA-256 digest of the *content* of the columns it was computed from
(not by the frame or its index), so two frames with the same values share an entry and two frames
with different values never do; the digest of an array is itself remembered by the array's identity
(its memory address, shape, strides and dtype, for as long as the array owning that memory lives: a
weak reference, so that a subsample's columns are freed as soon as the subsample is), so the panel's
columns are hashed once per :func:`sharing` block. Arrays must therefore not be
changed in place inside a block (the package never does). Outside a block nothing is remembered and
every function computes as before; inside it the numbers are the same to the last bit (the
demeaning converges column by column, so a column's demeaned values do not depend on the columns
demeaned with it). Entries are evicted least recently used beyond :data:`LIMIT_BYTES`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator

import numpy as np
import pandas as pd

__all__ = [
    "LIMIT_BYTES",
    "SharedSample",
    "active",
    "array_digest",
    "codes",
    "column_digest",
    "column_memo",
    "memo",
    "shared",
    "sharing",
    "unshared",
]

#: Memory held by one :class:`SharedSample` before its least recently used entries are dropped.
LIMIT_BYTES = 256 * 2**20

_ACTIVE: contextvars.ContextVar[SharedSample | None] = contextvars.ContextVar("aichain_shared", default=None)


def _nbytes(value: object) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, tuple):
        return sum(_nbytes(v) for v in value)
    if isinstance(value, pd.Index):
        return int(value.memory_usage(deep=False))
    return 64


class SharedSample:
    """The store of one :func:`sharing` block: content digests and the results computed from them.

    Parameters
    ----------
    limit : int
        Bytes of results kept; beyond it the least recently used are dropped (recomputed if asked again).
    """

    def __init__(self, limit: int = LIMIT_BYTES) -> None:
        self.limit = int(limit)
        self._digests: dict[tuple, tuple[weakref.ref, str]] = {}
        self._store: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self.nbytes = 0
        self.hits = 0
        self.misses = 0

    def digest(self, values: np.ndarray) -> str:
        """SHA-256 of ``values`` (dtype, shape and bytes), remembered by the array's identity."""
        if values.dtype == object or values.dtype.kind in "OUST":
            return _content_digest(values)
        owner = values
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        ident = (values.__array_interface__["data"][0], values.shape, values.strides, values.dtype.str)
        known = self._digests.get(ident)
        if known is not None and known[0]() is owner:
            return known[1]
        digest = _content_digest(values)
        try:  # remembered while the memory's owner lives (a freed address may be reused by other data)
            alive = weakref.ref(owner, lambda _, ident=ident: self._digests.pop(ident, None))
        except TypeError:
            return digest
        self._digests[ident] = (alive, digest)
        return digest

    def get(self, key: Hashable, compute: Callable[[], object]) -> object:
        """The value stored under ``key``, computed by ``compute()`` and stored on first use."""
        if key in self._store:
            self.hits += 1
            self._store.move_to_end(key)
            return self._store[key][0]
        self.misses += 1
        value = compute()
        self.put(key, value)
        return value

    def lookup(self, key: Hashable) -> object | None:
        """The value stored under ``key`` or ``None`` (counted as a hit or a miss)."""
        if key in self._store:
            self.hits += 1
            self._store.move_to_end(key)
            return self._store[key][0]
        self.misses += 1
        return None

    def put(self, key: Hashable, value: object) -> None:
        """Store ``value`` under ``key``, dropping the least recently used entries beyond the limit."""
        size = _nbytes(value)
        if key in self._store:
            self.nbytes -= self._store.pop(key)[1]
        self._store[key] = (value, size)
        self.nbytes += size
        while self.nbytes > self.limit and len(self._store) > 1:
            _, (_, dropped) = self._store.popitem(last=False)
            self.nbytes -= dropped


def _content_digest(values: np.ndarray) -> str:
    h = hashlib.sha256()
    if values.dtype == object or values.dtype.kind in "OUST":
        h.update(b"hashed-objects")
        values = pd.util.hash_array(np.asarray(values, dtype=object))
    h.update(f"{values.dtype.str}{values.shape}".encode())
    h.update(memoryview(np.ascontiguousarray(values)).cast("B"))
    return h.hexdigest()


#: The value of the context variable inside :func:`unshared`: nothing is shared, not even by inner blocks.
_OFF = SharedSample(0)


def active() -> SharedSample | None:
    """The store of the enclosing :func:`sharing` block; ``None`` outside every block and inside :func:`unshared`."""
    store = _ACTIVE.get()
    return None if store is _OFF else store


def array_digest(values: np.ndarray) -> str:
    """Content digest of an array (remembered by identity inside a :func:`sharing` block)."""
    store = active()
    values = np.asarray(values)
    return store.digest(values) if store is not None else _content_digest(values)


def column_digest(frame: pd.DataFrame, column: str) -> str:
    """Content digest of one column of ``frame`` (its values, not its name or index)."""
    series = frame[column]
    if isinstance(series.dtype, pd.CategoricalDtype) or not isinstance(series.dtype, np.dtype):
        return array_digest(np.asarray(series.astype(object)))
    return array_digest(series.to_numpy(copy=False))


@contextlib.contextmanager
def sharing(limit: int = LIMIT_BYTES) -> Iterator[SharedSample]:
    """Share validations, factorisations and demeanings among the fits inside the block.

    Nested blocks use the outermost block's store. Yields the :class:`SharedSample` (its ``hits``
    and ``misses`` count the reuses).
    """
    store = _ACTIVE.get()
    if store is not None:
        yield None if store is _OFF else store
        return
    store = SharedSample(limit)
    token = _ACTIVE.set(store)
    try:
        yield store
    finally:
        _ACTIVE.reset(token)


@contextlib.contextmanager
def unshared() -> Iterator[None]:
    """Compute everything afresh inside the block, even inside functions decorated with :func:`shared`.

    The reference against which the tests check that sharing changes no number.
    """
    token = _ACTIVE.set(_OFF)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def shared(function: Callable) -> Callable:
    """Run ``function`` inside :func:`sharing` (a no-op inside an enclosing block)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with sharing():
            return function(*args, **kwargs)

    return wrapper


def codes(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(frame[column])``, shared inside a :func:`sharing` block."""
    store = active()
    if store is None:
        return pd.factorize(frame[column])
    return store.get(("codes", column_digest(frame, column)), lambda: pd.factorize(frame[column]))


def memo(kind: str, frame: pd.DataFrame, columns: list[str], extra: Hashable, compute: Callable[[], object]):
    """``compute()``, shared inside a :func:`sharing` block under the content of ``frame[columns]`` and ``extra``."""
    store = active()
    if store is None:
        return compute()
    key = (kind, tuple(column_digest(frame, c) for c in columns), extra)
    return store.get(key, compute)


def column_memo(kind: str, frame: pd.DataFrame, column: str, compute: Callable[[], object]):
    """``compute()`` for one column of ``frame`` (a check of its values), shared inside a :func:`sharing` block.

    Shared only for a numpy numeric or boolean column, whose digest is remembered by the array's
    identity (a column checked again costs a dictionary lookup, not a pass over its rows); any other
    column is computed afresh each time. ``compute`` must depend on the column's values only.
    """
    store = active()
    if store is None:
        return compute()
    series = frame[column]
    if not isinstance(series.dtype, np.dtype) or series.dtype.kind not in "biuf":
        return compute()
    return store.get((kind, store.digest(series.to_numpy(copy=False))), compute)
