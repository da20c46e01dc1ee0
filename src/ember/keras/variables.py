"""Keras's view of weights: ``KerasWeight`` (a built-in layer's weight in Keras's layout) and
``Variable`` (what ``Layer.add_weight`` returns: an ``nn.Parameter`` with Keras's ``assign``).

Built-in layers keep their weights in the wrapped ``ember.nn`` module's layout (a Dense kernel is
``nn.Linear``'s (units, in)); ``KerasWeight`` shows them in Keras's layout ((in, units)). A weight
with a constraint carries it on its tensor, so every optimizer update (``fit`` or a custom
``train_step`` calling ``optimizer.apply``) projects it back, as Keras does after each update.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ember.autograd.grad_mode import no_grad
from ember.nn.parameter import Parameter
from ember.tensor import Tensor


def _same(array: np.ndarray) -> np.ndarray:
    return array


class KerasWeight:
    """One weight as Keras shows it, mapped onto an ember tensor with a layout change.

    ``value`` is the ember tensor itself (ember's layout), whose ``.grad`` a custom
    ``train_step`` hands to ``optimizer.apply``, as with Keras's torch backend.
    """

    def __init__(self, name: str, tensor: Tensor, to_keras: Callable[[np.ndarray], np.ndarray]
                 = _same, from_keras: Callable[[np.ndarray], np.ndarray] = _same,
                 trainable: bool = True) -> None:
        self.name, self.tensor = name, tensor
        self.to_keras, self.from_keras, self.trainable = to_keras, from_keras, trainable

    @property
    def value(self) -> Tensor:
        return self.tensor

    @property
    def shape(self) -> tuple[int, ...]:
        return self.to_keras(self.tensor._data).shape

    @property
    def dtype(self) -> str:
        return str(self.tensor._data.dtype)

    def numpy(self) -> np.ndarray:
        return np.array(self.to_keras(self.tensor._data))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def assign(self, value: Any) -> None:
        array = self.from_keras(np.asarray(value, dtype=self.tensor._data.dtype))
        if array.shape != self.tensor._data.shape:
            raise ValueError(f"weight {self.name!r} has Keras shape {self.shape}, got a value of "
                             f"shape {np.shape(value)}")
        with no_grad():
            self.tensor.copy_(Tensor._wrap(array))

    @property
    def constraint(self) -> Any:
        entry = self.tensor.__dict__.get("_keras_constraint")
        return None if entry is None else entry[0]

    @constraint.setter
    def constraint(self, constraint: Any) -> None:
        if constraint is None:
            self.tensor.__dict__.pop("_keras_constraint", None)
        else:
            self.tensor.__dict__["_keras_constraint"] = (constraint, self)

    def __repr__(self) -> str:
        return f"<KerasWeight {self.name} shape={self.shape} dtype={self.dtype}>"


def apply_constraints(tensors: Iterable[Tensor]) -> None:
    """Project each tensor that carries a Keras constraint back into its allowed set (in Keras's
    layout, which is where the constraint's ``axis`` is meant)."""
    for tensor in tensors:
        entry = tensor.__dict__.get("_keras_constraint")
        if entry is None:
            continue
        constraint, weight = entry
        with no_grad():
            keras_value = Tensor._wrap(weight.to_keras(tensor._data))
            projected = constraint(keras_value)
            array = projected._data if isinstance(projected, Tensor) else np.asarray(projected)
            tensor.copy_(Tensor._wrap(weight.from_keras(array.astype(tensor._data.dtype))))


class Variable(Parameter):
    """A weight made by ``Layer.add_weight``: a tensor usable in ops, plus Keras's ``assign``,
    ``assign_add``, ``assign_sub``, ``value``, ``trainable`` and ``name``."""

    def __init__(self, data: Any, trainable: bool = True, name: str | None = None) -> None:
        super().__init__(data, requires_grad=trainable)
        self.__dict__["name"] = name or "variable"
        self.__dict__["keras_trainable"] = bool(trainable)

    @property
    def trainable(self) -> bool:
        return self.__dict__["keras_trainable"]

    @property
    def value(self) -> Variable:
        return self

    def _write(self, array: Any) -> Variable:
        array = np.asarray(array.detach().numpy() if isinstance(array, Tensor) else array,
                           dtype=self._data.dtype)
        with no_grad():
            self.copy_(Tensor._wrap(np.broadcast_to(array, self._data.shape)))
        return self

    def assign(self, value: Any) -> Variable:
        return self._write(value)

    def assign_add(self, value: Any) -> Variable:
        return self._write(self._data + np.asarray(
            value.detach().numpy() if isinstance(value, Tensor) else value))

    def assign_sub(self, value: Any) -> Variable:
        return self._write(self._data - np.asarray(
            value.detach().numpy() if isinstance(value, Tensor) else value))
