"""Keras 3's ``config.json`` for an ember model: each layer's Keras config and build shape,
an InputLayer in front, and for a functional model every layer call as an inbound node."""

from __future__ import annotations

from typing import Any


def _layer_entry(layer: Any) -> dict[str, Any]:
    config = {k: v for k, v in layer.get_config().items() if k != "input_shape"}
    entry = {"module": "keras.layers", "class_name": type(layer).__name__, "config": config,
             "registered_name": None}
    spec = getattr(layer, "input_spec", None)
    if isinstance(spec, tuple) and all(isinstance(s, (int, type(None))) for s in spec):
        entry["build_config"] = {"input_shape": [None, *spec]}
    return entry


def _input_entry(shape: Any, name: str, dtype: str = "float32") -> dict[str, Any]:
    return {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
            "config": {"batch_shape": [None, *shape], "dtype": dtype, "sparse": False,
                       "name": name}}


def keras3_config(model: Any) -> dict[str, Any]:
    """Keras 3's ``config.json`` for an ember Sequential or functional model."""
    from ember.keras.models.sequential import Sequential

    if not model.built:
        raise ValueError(f"model {model.name!r} must be built before it can be saved")
    if isinstance(model, Sequential):
        layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
        shape = list(layers[0].input_spec) if layers else []
        entries = [_input_entry(shape, f"{model.name}_input")] + [_layer_entry(x) for x in layers]
        return {"module": "keras", "class_name": "Sequential", "registered_name": None,
                "config": {"name": model.name, "trainable": True, "layers": entries,
                           "build_input_shape": [None, *shape]},
                "build_config": {"input_shape": [None, *shape]}}
    return _functional_config(model)


def _functional_config(model: Any) -> dict[str, Any]:
    calls: dict[int, tuple[str, int]] = {}  # id(symbolic tensor) -> (layer name, node index)
    entries: dict[str, dict[str, Any]] = {}
    for tensor in model.order:
        layer = tensor.layer
        if not tensor.parents:
            entries[layer.name] = {**_input_entry(list(tensor.shape[1:]), layer.name,
                                                  tensor.dtype), "name": layer.name,
                                   "inbound_nodes": []}
            calls[id(tensor)] = (layer.name, 0)
            continue
        entry = entries.setdefault(layer.name, {**_layer_entry(layer), "name": layer.name,
                                                "inbound_nodes": []})
        shapes = [list(p.shape) for p in tensor.parents]
        entry["build_config"] = {"input_shape": shapes if len(shapes) > 1 else shapes[0]}
        history = [{"class_name": "__keras_tensor__",
                    "config": {"shape": list(p.shape), "dtype": p.dtype,
                               "keras_history": [*calls[id(p)], 0]}} for p in tensor.parents]
        entry["inbound_nodes"].append({"args": [history if len(history) > 1 else history[0]],
                                       "kwargs": {}})
        calls[id(tensor)] = (layer.name, len(entry["inbound_nodes"]) - 1)

    def ports(tensors: list[Any]) -> Any:
        found = [[*calls[id(t)], 0] for t in tensors]
        return found if len(found) > 1 else found[0]

    return {"module": "keras.src.models.functional", "class_name": "Functional",
            "registered_name": "Functional",
            "config": {"name": model.name, "trainable": True, "layers": list(entries.values()),
                       "input_layers": ports(list(model.inputs)),
                       "output_layers": ports(list(model.outputs)) if model.output_dict is None
                       else {key: [*calls[id(t)], 0] for key, t in model.output_dict.items()}}}
