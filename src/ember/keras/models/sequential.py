"""``keras.Sequential``: a plain stack of layers, each feeding the next."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import nn
from ember.autograd.grad_mode import no_grad
from ember.keras.layers.base import Layer, as_shape, dummy_sample
from ember.keras.layers.core import InputLayer
from ember.keras.models.introspection import sequential_graph
from ember.keras.models.model import Model
from ember.tensor import Tensor


class Sequential(Model):
    """A linear stack of layers.

    >>> model = keras.Sequential([
    ...     keras.layers.Dense(512, activation="relu", input_shape=(784,)),
    ...     keras.layers.Dense(10, activation="softmax"),
    ... ])
    """

    def __init__(self, layers: list[Any] | None = None, name: str | None = None,
                 trainable: bool = True) -> None:
        super().__init__(name=name, trainable=trainable)
        self.stack = nn.ModuleDict()
        self.build_input_shape: tuple[int | None, ...] | None = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        return list(self.stack.values())

    @property
    def inputs(self) -> list[Any]:
        """The symbolic input (a one-item list) of a built model, as Keras's."""
        return sequential_graph(self)[0]

    @property
    def outputs(self) -> list[Any]:
        return sequential_graph(self)[1]

    @property
    def input(self) -> Any:
        return self.inputs[0]

    @property
    def output(self) -> Any:
        return self.outputs[0]

    def add(self, layer: Any) -> None:
        """Append a layer; an ``Input``/``InputLayer`` only declares the input shape."""
        from ember.keras.models.functional import KerasTensor

        if isinstance(layer, KerasTensor):
            self.build_input_shape = layer.shape
            self.build(layer.shape)
            return
        if isinstance(layer, InputLayer):
            self.build_input_shape = (None,) + tuple(layer.declared_input_shape or ())
            self.build(self.build_input_shape)
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a keras layer, got {type(layer).__name__}")
        if layer.name in self.stack:
            raise ValueError(f"a layer named {layer.name!r} is already in this model; layer "
                             "names must be unique")
        self.stack[layer.name] = layer
        if len(self.stack) == 1 and layer.declared_input_shape is not None:
            self.build_input_shape = (None,) + tuple(layer.declared_input_shape)
        if self.build_input_shape is not None:
            self.build(self.build_input_shape)

    def pop(self) -> Layer:
        if not self.stack:
            raise IndexError("pop from an empty Sequential model")
        name = list(self.stack)[-1]
        layer = self.stack[name]
        del self.stack[name]
        self.built = False
        if self.build_input_shape is not None and self.stack:
            self.build(self.build_input_shape)
        return layer

    def build(self, input_shape: Any = None) -> None:
        """Create every layer's weights by passing one dummy sample through the stack."""
        shape = as_shape(input_shape) if input_shape is not None else self.build_input_shape
        if shape is None:
            raise ValueError("Sequential.build needs an input shape")
        if len(shape) == 0 or shape[0] is not None:
            shape = (None,) + tuple(shape) if shape and shape[0] is not None else shape
        self.build_input_shape = tuple(shape)
        if not self.stack:
            return
        dtype = np.int64 if self._accepts_integer_input() else np.float32
        sample = dummy_sample(shape, dtype)
        was_training = self.training
        self.eval()
        with no_grad():
            for layer in self.layers:
                sample = layer(sample, training=False)
                layer.output_shape = (None,) + tuple(sample.shape[1:])
        self.train(was_training)
        self.built = True
        # The first layer checks its inputs itself, so a wrong shape is reported in its name.
        self.input_spec = None
        if self.optimizer is not None:
            self.optimizer.build(self.parameters())

    def ensure_built(self, input_shape: Any) -> None:
        if not self.built:
            self.build(input_shape)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        for layer in self.stack.values():
            x = layer(x, training=training)
        return x

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "layers": [
            {"class_name": type(layer).__name__, "config": layer.get_config()}
            for layer in self.layers],
            "build_input_shape": None if self.build_input_shape is None
            else list(self.build_input_shape)}
