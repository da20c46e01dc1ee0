"""Keras's dicts of inputs and targets, keyed by the names of a functional model's inputs
(``keras.Input(name=...)``) and outputs (the output layers' names), put in the model's order."""

from __future__ import annotations

from typing import Any


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
        y = _in_order(y, [t.layer.name for t in outputs], "output")
    return x, y
