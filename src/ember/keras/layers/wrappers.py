"""Keras's layer wrappers: ``Bidirectional`` (a recurrent layer run both ways) and
``TimeDistributed`` (a layer applied to every step)."""

from __future__ import annotations

from typing import Any

from ember import ops
from ember.keras.layers.base import Layer
from ember.tensor import Tensor

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _layer_from_config(entry: dict[str, Any]) -> Layer:
    from ember.keras.layers import LAYER_CLASSES

    cls = LAYER_CLASSES.get(entry.get("class_name", ""))
    if cls is None:
        raise ValueError(f"unknown layer class {entry.get('class_name')!r}")
    return cls.from_config(dict(entry["config"]))


def _layer_config(layer: Layer) -> dict[str, Any]:
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


class Bidirectional(Layer):
    """Run ``layer`` forwards and a copy of it backwards over the sequence, and merge their
    outputs (``merge_mode`` 'concat', 'sum', 'mul', 'ave', or None for a list of both)."""

    supports_masking = True

    def __init__(self, layer: Layer, merge_mode: str | None = "concat",
                 backward_layer: Layer | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                             f"be one of {{'sum', 'mul', 'ave', 'concat', None}}")
        if not hasattr(layer, "go_backwards"):
            raise ValueError(f"Bidirectional needs a recurrent layer (SimpleRNN, LSTM, GRU), got "
                             f"{type(layer).__name__}")
        self.forward_layer = layer
        if backward_layer is None:
            config = {**layer.get_config(), "go_backwards": not layer.go_backwards}
            config["name"] = "backward_" + layer.name
            backward_layer = type(layer).from_config(config)
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        for inner in (self.forward_layer, self.backward_layer):
            inner.zero_output_for_mask = self.return_sequences

    def _keras_sublayers(self) -> list[Layer]:
        return [self.forward_layer, self.backward_layer]

    def fixed_parameters(self) -> list[Tensor]:
        return self.forward_layer.fixed_parameters() + self.backward_layer.fixed_parameters()

    def call(self, x: Tensor, mask: Any = None, training: bool | None = None) -> Any:
        forward = self.forward_layer(x, mask=mask, training=training)
        backward = self.backward_layer(x, mask=mask, training=training)
        states: list[Tensor] = []
        if self.return_state:
            forward, *f_states = forward
            backward, *b_states = backward
            states = f_states + b_states
        if self.return_sequences:
            backward = backward[:, ::-1]  # back in time order, step by step with forward
        if self.merge_mode == "concat":
            out: Any = ops.cat([forward, backward], -1)
        elif self.merge_mode == "sum":
            out = forward + backward
        elif self.merge_mode == "mul":
            out = forward * backward
        elif self.merge_mode == "ave":
            out = (forward + backward) * 0.5
        else:
            out = [forward, backward]
        if self.return_state:
            return (*(out if isinstance(out, list) else [out]), *states)
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return mask if self.return_sequences and not self.return_state else None

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": _layer_config(self.forward_layer),
                "backward_layer": _layer_config(self.backward_layer),
                "merge_mode": self.merge_mode}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Bidirectional:
        config = dict(config)
        layer = _layer_from_config(config.pop("layer"))
        backward = config.pop("backward_layer", None)
        return cls(layer, backward_layer=None if backward is None else
                   _layer_from_config(backward), **config)


class TimeDistributed(Layer):
    """Apply ``layer`` to every step of (N, T, ...) input: (N * T, ...) through it at once."""

    supports_masking = True

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.layer = layer

    def _keras_sublayers(self) -> list[Layer]:
        return [self.layer]

    def fixed_parameters(self) -> list[Tensor]:
        return self.layer.fixed_parameters()

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        n, steps = x.shape[:2]
        out = self.layer(ops.reshape(x, (n * steps,) + tuple(x.shape[2:])), training=training)
        return ops.reshape(out, (n, steps) + tuple(out.shape[1:]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": _layer_config(self.layer)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TimeDistributed:
        config = dict(config)
        return cls(_layer_from_config(config.pop("layer")), **config)
