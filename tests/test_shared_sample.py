"""Sharing validations, factorisations and demeanings among fits changes no number (issue 27).

Inside ``econometrics.cache.sharing()`` (and in every table function, decorated with ``@shared``) a
column demeaned by a set of effects is computed once and reused by every fit of that sample. Here the
whole battery of Tables 3-10 is computed with sharing and with nothing shared (``unshared()``), and
every coefficient, standard error, statistic and printed cell is compared; the cache must also have
been used, or the comparison would prove nothing. Entries are keyed by content: a frame with the same
index but other values gets its own results.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from aichain_utils.econometrics import cache, demean
from aichain_utils.replication import columns as replication
from aichain_utils.replication import models


@pytest.fixture(scope="module")
def data():
    from aichain_utils.inputs import panel
    from aichain_utils.simulation import simulate

    return panel.build_analysis_panel(simulate.simulate_panel().raw).data


def _numbers(value, path: str = "") -> dict[str, object]:
    """Every number and string reachable from a column (estimate fields, extras, printed cells, details)."""
    if isinstance(value, (bool, np.bool_, str)):
        return {path: value}
    if isinstance(value, (int, float, np.integer, np.floating)):
        return {path: float(value)}
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _numbers(item, f"{path}/{key}").items()}
    if isinstance(value, (list, tuple)):
        return {k: v for i, item in enumerate(value) for k, v in _numbers(item, f"{path}[{i}]").items()}
    if hasattr(value, "__dict__"):
        return _numbers({k: v for k, v in vars(value).items() if not k.startswith("_")}, path)
    return {}


def _battery(data: pd.DataFrame) -> dict[str, object]:
    out = {}
    for table in range(3, 11):
        for col in replication.table_columns(table, data, bootstrap_reps=0):
            out.update(_numbers(col, f"table {table} column {col.number}"))
    return out


def test_shared_battery_equals_the_unshared_battery(data):
    with cache.unshared():
        alone = _battery(data)
    with cache.sharing() as store:
        together = _battery(data)
    assert store.hits > 100, "the battery did not reuse anything: the comparison would prove nothing"
    assert alone.keys() == together.keys()
    moved = []
    for key, a in alone.items():
        b = together[key]
        if isinstance(a, float):
            same = (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-10 * max(1.0, abs(a))
        else:
            same = a == b
        if not same:
            moved.append(f"{key}: {a!r} alone, {b!r} shared")
    assert not moved, "\n".join(moved[:20])


def test_a_frame_with_the_same_index_but_other_values_is_not_shared(data):
    changed = data.assign(ERL=data["ERL"] * 2 + 1)
    with cache.unshared():
        first, second = models.fit_two_way_fe(data), models.fit_two_way_fe(changed)
    with cache.sharing():
        shared_first, shared_second = models.fit_two_way_fe(data), models.fit_two_way_fe(changed)
    assert first.coef != second.coef
    for a, b in ((first, shared_first), (second, shared_second)):
        assert (a.coef, a.se, a.r2_within, a.r2_within_panelols) == (b.coef, b.se, b.r2_within, b.r2_within_panelols)


def test_a_column_is_demeaned_alone_as_with_others():
    rng = np.random.default_rng(3)
    n = 4_000
    frame = pd.DataFrame({"unit": rng.integers(0, 300, n), "year": rng.integers(0, 12, n)})  # unbalanced
    frame["a"] = rng.normal(size=n) * 1e3 + frame["unit"]
    frame["b"] = rng.normal(size=n) + 0.1 * frame["year"] ** 2
    both = demean(frame, ["a", "b"], ["unit", "year"])
    for column in ("a", "b"):
        alone = demean(frame, [column], ["unit", "year"])
        np.testing.assert_array_equal(alone[column].to_numpy(), both[column].to_numpy())
    with cache.sharing() as store:
        demean(frame, ["a"], ["unit", "year"])
        again = demean(frame, ["b", "a"], ["unit", "year"])
    assert store.hits >= 1
    np.testing.assert_array_equal(again[["a", "b"]].to_numpy(), both.to_numpy())


def test_the_store_drops_the_least_recently_used_beyond_its_limit():
    store = cache.SharedSample(limit=3 * 8_000)
    for key in range(5):
        store.put(key, np.zeros(1_000))
    assert store.nbytes <= store.limit
    assert store.lookup(0) is None and store.lookup(4) is not None


def test_nested_blocks_share_one_store_and_unshared_wins():
    with cache.sharing() as outer, cache.sharing() as inner:
        assert inner is outer
    with cache.unshared(), cache.sharing() as inside:
        assert inside is None and cache.active() is None
    assert cache.active() is None


@pytest.mark.parametrize("shared", [False, True])
def test_demean_values_is_demean_without_the_frame(shared):
    """``fe.demean_values`` (what the fits use) gives ``demean``'s numbers to the last bit, column-major as a
    frame's ``to_numpy()``, weighted or not, with the cache or without."""
    from aichain_utils.econometrics.fe import demean_values

    rng = np.random.default_rng(5)
    n = 3_000
    frame = pd.DataFrame({"unit": rng.integers(0, 200, n), "year": rng.integers(0, 9, n)})  # unbalanced
    frame["a"] = rng.normal(size=n) * 1e3 + frame["unit"]
    frame["b"] = rng.integers(0, 5, n)  # an integer column, converted to float
    w = rng.uniform(0.5, 2.0, n)
    for weights in (None, w):
        with cache.sharing() if shared else cache.unshared():
            values = demean_values(frame, ["a", "b"], ["unit", "year"], weights=weights)
        expected = demean(frame, ["a", "b"], ["unit", "year"], weights=weights).to_numpy()
        assert values.flags.f_contiguous
        np.testing.assert_array_equal(values, expected)
        assert np.abs(values).max() > 1  # not a zero array by mistake


def test_duplicated_column_labels_are_still_named():
    """The checks skip the per-label comparison only when every label is unique (pandas' cached flag)."""
    from aichain_utils.econometrics._data import check_columns
    from aichain_utils.errors import AichainInputError

    frame = pd.DataFrame(np.ones((3, 3)), columns=["y", "x", "x"])
    with pytest.raises(AichainInputError, match="column labels must be unique"):
        check_columns(frame, ["y", "x"])
    check_columns(frame, ["y"])  # a unique label among duplicated others is fine


def test_complete_cases_counts_each_column_missing():
    from aichain_utils.econometrics import complete_cases

    frame = pd.DataFrame({"y": [1.0, np.nan, 3.0, 4.0], "x": [np.nan, np.nan, 1.0, 2.0], "z": [1.0] * 4})
    kept, dropped, notes = complete_cases(frame, ["y", "x", "z"], "fit")
    assert dropped == 2 and kept.index.tolist() == [2, 3]
    assert notes == ["fit: dropped 2 of 4 rows (y missing in 1, x missing in 2)"]


def test_column_checks_are_shared_by_content_and_still_catch_bad_values():
    """A column's finiteness and completeness are checked once per content inside a block; another column
    with the same index but an infinite or missing value is still caught."""
    from aichain_utils.econometrics import has_infinite, has_missing
    from aichain_utils.econometrics._data import check_finite, complete_cases
    from aichain_utils.errors import AichainInputError

    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "t": ["x", "y", "z"]})
    bad = frame.assign(a=[1.0, np.inf, np.nan])
    with cache.sharing() as store:
        assert not has_infinite(frame, "a") and not has_missing(frame, "a")
        hits = store.hits
        assert not has_infinite(frame, "a") and not has_missing(frame, "a")
        assert store.hits == hits + 2
        assert has_infinite(bad, "a") and has_missing(bad, "a")
        assert not has_missing(frame, "t")  # a text column: checked afresh, not shared
        with pytest.raises(AichainInputError, match="must be finite"):
            check_finite(bad, ["a"])
        assert complete_cases(bad, ["a"], "fit")[1] == 1
