"""Keras's graph introspection: ``layer.input``/``layer.output`` (the symbolic tensors of a
layer's first call on ``KerasTensor``s) and a ``Sequential`` model's ``inputs``/``outputs``, so
that ``keras.Model(inputs=model.inputs, outputs=[l.output for l in model.layers])`` extracts
features as in Keras's guides."""

from __future__ import annotations

from typing import Any


def record_call(layer: Any, inputs: Any, output: Any) -> None:
    """Remember the first symbolic call of ``layer`` (Keras's ``input``/``output`` are those of
    its first node); a layer never called symbolically has neither attribute."""
    layer.__dict__.setdefault("input", inputs)
    layer.__dict__.setdefault("output", output)


def sequential_graph(model: Any) -> tuple[list[Any], list[Any]]:
    """A built ``Sequential``'s symbolic ``([input], [output])``, traced once per stack of
    layers and input shape."""
    from ember.keras.models.functional import Input, call_symbolic

    if model.build_input_shape is None or not model.layers:
        raise AttributeError(f"Sequential model {model.name!r} has no defined inputs yet; give "
                             "it a keras.Input or build it first")
    key = (tuple(id(layer) for layer in model.layers), tuple(model.build_input_shape))
    cached = model.__dict__.get("_symbolic_graph")
    if cached is not None and cached[0] == key:
        return cached[1]
    dtype = "int64" if model._accepts_integer_input() else "float32"
    source = Input(batch_shape=model.build_input_shape, dtype=dtype)
    tensor = source
    for layer in model.layers:
        tensor = call_symbolic(layer, tensor)
    graph = ([source], [tensor])
    model.__dict__["_symbolic_graph"] = (key, graph)
    return graph
