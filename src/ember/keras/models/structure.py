"""Keras's dicts of inputs and targets, keyed by the names of a functional model's inputs
(``keras.Input(name=...)``) and outputs (the output layers' names), put in the model's order."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.tensor import Tensor


def _in_order(values: dict[str, Any], names: list[str], what: str) -> Any:
    missing = [name for name in names if name not in values]
    unknown = sorted(set(values) - set(names))
    if missing or unknown:
        raise ValueError(f"{what}: the dict's keys {sorted(values)} must be the model's {what} "
                         f"names {names} (missing {missing}, unknown {unknown})")
    ordered = [values[name] for name in names]
    return ordered if len(ordered) > 1 else ordered[0]


def by_names(model: Any, x: Any, y: Any = None) -> tuple[Any, Any]:
    """``x``/``y`` with dicts replaced by lists in the order of the model's inputs/outputs."""
    if isinstance(x, dict):
        inputs = model.__dict__.get("inputs")
        if not inputs:
            raise ValueError("a dict of inputs needs a functional model with named inputs")
        x = _in_order(x, [t.layer.name for t in inputs], "input")
    if isinstance(y, dict):
        outputs = model.__dict__.get("outputs")
        if not outputs:
            raise ValueError("a dict of targets needs a functional model with named outputs")
        keys = model.__dict__.get("output_keys")
        y = _in_order(y, [t.layer.name for t in outputs], "output") if keys is None \
            else _by_output_keys(y, keys)
    return x, y


def _by_output_keys(y: dict[str, Any], keys: list[str]) -> Any:
    """Targets for a dict of outputs, in its sorted key order. As in Keras, an output without a
    loss may go without a target (None here); an unknown key is an error."""
    unknown = sorted(set(y) - set(keys))
    if unknown:
        raise ValueError(f"output: the targets' keys {sorted(y)} must be among the model's "
                         f"output keys {keys} (unknown {unknown})")
    ordered = [None if key not in y else y[key] if isinstance(y[key], np.ndarray | Tensor)
               else np.asarray(y[key]) for key in keys]
    return ordered if len(ordered) > 1 else ordered[0]
