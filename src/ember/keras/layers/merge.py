"""Layers that join several inputs (functional models): ``Add``, ``Concatenate``, ..."""

from __future__ import annotations

from typing import Any

from ember import ops
from ember.keras.layers.base import Layer
from ember.tensor import Tensor


class _Merge(Layer):
    def __call__(self, inputs: Any, training: bool | None = None, **kwargs: Any) -> Any:
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} needs a list of at "
                             f"least two inputs")
        return super().__call__(list(inputs), training=training, **kwargs)

    def check_input(self, x: Tensor) -> None:
        pass


class Add(_Merge):
    def call(self, inputs: list[Tensor], training: bool | None = None) -> Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    def call(self, inputs: list[Tensor], training: bool | None = None) -> Tensor:
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    def call(self, inputs: list[Tensor], training: bool | None = None) -> Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = out * x
        return out


class Average(Add):
    def call(self, inputs: list[Tensor], training: bool | None = None) -> Tensor:
        return super().call(inputs) / len(inputs)


class Concatenate(_Merge):
    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs: list[Tensor], training: bool | None = None) -> Tensor:
        return ops.cat(inputs, dim=self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
