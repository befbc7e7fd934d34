"""Dotted paths into the simulator's parameter tree (``data/simulation/params.yml``).

``"effects.by_region.developed"`` names a leaf; list items are numbered
(``"aie_indicators.weibull_power.3"``). The calibration (:mod:`aichain_utils.replication.calibration`) writes
its values under such paths in the ``calibrated:`` block of params.yml, and
:func:`apply_calibrated` lays them over the values they replace when the file is read.
"""

from __future__ import annotations

import re

__all__ = ["apply_calibrated", "get_param", "set_param"]


def _split(path: str) -> list[str | int]:
    return [int(k) if re.fullmatch(r"\d+", k) else k for k in path.split(".")]


def get_param(params: dict, path: str):
    """The value at a dotted path (``"effects.by_region.developed"``; list items by number)."""
    node = params
    for key in _split(path):
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            raise KeyError(f"parameter {path!r}: no {key!r} in params.yml") from None
    return node


def set_param(params: dict, path: str, value) -> None:
    """Set the value at a dotted path (the path must exist: a typo is an error, not a new key)."""
    keys = _split(path)
    parent = get_param(params, ".".join(map(str, keys[:-1]))) if len(keys) > 1 else params
    get_param(params, path)
    parent[keys[-1]] = value


def apply_calibrated(params: dict) -> dict:
    """Overlay the ``calibrated:`` block of params.yml on the parameters it calibrates (in place)."""
    for name, value in (params.pop("calibrated", None) or {}).items():
        set_param(params, name, value)
    params.pop("calibration_fingerprint", None)
    return params
