"""The merge layers ``Maximum``, ``Minimum``, ``Dot`` and Keras's lowercase functional forms
(``layers.add([a, b])`` is ``layers.Add()([a, b])``)."""

from __future__ import annotations

from typing import Any

from ember import ops
from ember.keras.layers.merge import Add, Average, Concatenate, Multiply, Subtract, _Merge
from ember.nn.functional.activation_extra import normalize
from ember.tensor import Tensor


class Maximum(_Merge):
    """The element-wise maximum of its inputs."""

    def call(self, inputs: list[Tensor], training: bool | None = None) -> Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.maximum(out, x)
        return out


class Minimum(_Merge):
    """The element-wise minimum of its inputs."""

    def call(self, inputs: list[Tensor], training: bool | None = None) -> Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.minimum(out, x)
        return out


class Dot(_Merge):
    """The dot product of two batches along ``axes`` (an int, or one axis per input), sample by
    sample; ``normalize=True`` L2-normalises both along those axes first (cosine similarity).
    Inputs of rank 2 give ``(batch, 1)``; rank 3 give ``(batch, n, m)``."""

    def __init__(self, axes: int | tuple[int, int] | list[int], normalize: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axes = axes
        self.normalize = normalize

    def call(self, inputs: list[Tensor], training: bool | None = None) -> Tensor:
        if len(inputs) != 2:
            raise ValueError(f"Dot layer {self.name!r} needs exactly two inputs, got "
                             f"{len(inputs)}")
        x, y = inputs
        if x.ndim not in (2, 3) or y.ndim not in (2, 3):
            raise NotImplementedError(f"Dot: inputs of rank {x.ndim} and {y.ndim}; ember "
                                      "supports ranks 2 and 3")
        axes = [self.axes, self.axes] if isinstance(self.axes, int) else list(self.axes)
        if len(axes) != 2:
            raise ValueError(f"Dot: axes must be an int or a pair, got {self.axes!r}")
        ax, ay = (a % t.ndim for a, t in zip(axes, (x, y)))
        if ax == 0 or ay == 0:
            raise ValueError("Dot: cannot contract the batch axis (0)")
        if x.shape[ax] != y.shape[ay]:
            raise ValueError(f"Dot: the contracted axes differ in size: {x.shape[ax]} and "
                             f"{y.shape[ay]}")
        if self.normalize:
            x, y = normalize(x, dim=ax), normalize(y, dim=ay)
        left = ops.movedim(x, ax, -1)
        right = ops.movedim(y, ay, 1)
        if left.ndim == 2:
            left = left.unsqueeze(1)
        if right.ndim == 2:
            right = right.unsqueeze(-1)
        out = ops.matmul(left, right)  # (batch, n or 1, m or 1)
        if x.ndim == 2 and y.ndim == 2:
            return out.reshape(out.shape[0], 1)
        if x.ndim == 2:
            return out.squeeze(1)
        if y.ndim == 2:
            return out.squeeze(-1)
        return out

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def add(inputs: list[Any], **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``."""
    return Add(**kwargs)(inputs)


def subtract(inputs: list[Any], **kwargs: Any) -> Any:
    """``Subtract(**kwargs)(inputs)``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list[Any], **kwargs: Any) -> Any:
    """``Multiply(**kwargs)(inputs)``."""
    return Multiply(**kwargs)(inputs)


def average(inputs: list[Any], **kwargs: Any) -> Any:
    """``Average(**kwargs)(inputs)``."""
    return Average(**kwargs)(inputs)


def maximum(inputs: list[Any], **kwargs: Any) -> Any:
    """``Maximum(**kwargs)(inputs)``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list[Any], **kwargs: Any) -> Any:
    """``Minimum(**kwargs)(inputs)``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list[Any], axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: list[Any], axes: int | tuple[int, int] | list[int] = -1, normalize: bool = False,
        **kwargs: Any) -> Any:
    """``Dot(axes=axes, normalize=normalize, **kwargs)(inputs)``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
