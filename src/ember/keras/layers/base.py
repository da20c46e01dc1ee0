"""The Keras ``Layer``: configuration in ``__init__``, weights created in ``build`` on first call.

A Keras layer is an ``ember.nn.Module`` that wraps the ``ember.nn`` layer doing the maths; it adds
Keras's conventions (channels-last images, names, lazy building, ``get_weights`` in Keras's
layouts) and no gradient rules of its own.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from ember import nn
from ember.autograd.grad_mode import no_grad
from ember.keras import initializers
from ember.keras._registry import snake_case
from ember.tensor import Tensor

_NAME_COUNTERS: defaultdict[str, itertools.count] = defaultdict(itertools.count)


def unique_name(base: str) -> str:
    """``dense``, ``dense_1``, ``dense_2``, ... as Keras names layers."""
    n = next(_NAME_COUNTERS[base])
    return base if n == 0 else f"{base}_{n}"


def clear_session() -> None:
    """Restart layer naming from scratch (``keras.backend.clear_session()``)."""
    _NAME_COUNTERS.clear()


def as_shape(shape: Any) -> tuple[int | None, ...]:
    """Keras accepts ``input_shape=784`` as well as ``(784,)``."""
    if shape is None:
        return ()
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(None if s is None else int(s) for s in shape)


MAX_SAMPLE_VALUES = 2**26  # 256 MB of float32: the largest single sample a model may be built for


def dummy_sample(shape: tuple[int | None, ...], dtype: Any) -> Tensor:
    """A batch of one zero sample of ``shape`` (batch dim first, ``None`` dims become 1), used to
    build layers; refuses absurd shapes (e.g. from a corrupt model file) before allocating."""
    dims = tuple(1 if s is None else s for s in shape[1:])
    count = 1
    for size in dims:
        if size < 0:
            raise ValueError(f"input shape {tuple(shape)} has a negative dimension")
        count *= size
    if count > MAX_SAMPLE_VALUES:
        raise ValueError(f"input shape {tuple(shape)} holds {count:,} values per sample, more "
                         f"than the {MAX_SAMPLE_VALUES:,} a model can be built for")
    return Tensor._wrap(np.zeros((1,) + dims, dtype=dtype))


def to_tensor(x: Any) -> Tensor:
    """NumPy input becomes a float32 tensor (integer input stays integer, e.g. for Embedding)."""
    if isinstance(x, Tensor):
        return x
    array = np.asarray(x)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    return Tensor._wrap(np.ascontiguousarray(array))


class KerasWeight:
    """One weight as Keras shows it, mapped onto an ember tensor with a layout change."""

    def __init__(self, name: str, tensor: Tensor, to_keras: Callable[[np.ndarray], np.ndarray]
                 = lambda a: a, from_keras: Callable[[np.ndarray], np.ndarray] = lambda a: a,
                 trainable: bool = True) -> None:
        self.name, self.tensor = name, tensor
        self.to_keras, self.from_keras, self.trainable = to_keras, from_keras, trainable

    @property
    def shape(self) -> tuple[int, ...]:
        return self.to_keras(self.tensor._data).shape

    def numpy(self) -> np.ndarray:
        return np.array(self.to_keras(self.tensor._data))

    def assign(self, value: Any) -> None:
        array = self.from_keras(np.asarray(value, dtype=self.tensor._data.dtype))
        if array.shape != self.tensor._data.shape:
            raise ValueError(f"weight {self.name!r} has Keras shape {self.shape}, got a value of "
                             f"shape {np.shape(value)}")
        with no_grad():
            self.tensor.copy_(Tensor._wrap(array))


class Layer(nn.Module):
    """Base class for Keras layers.

    Subclasses take configuration in ``__init__``, create their ``ember.nn`` modules in
    ``build(input_shape)`` (``input_shape`` includes the batch dim as None) and compute in
    ``call(x, training)``.
    """

    def __init__(self, name: str | None = None, trainable: bool = True, dtype: Any = None,
                 input_shape: Any = None, batch_input_shape: Any = None,
                 input_dim: int | None = None, **kwargs: Any) -> None:
        super().__init__()
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected arguments {sorted(kwargs)}")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.trainable = trainable
        self.built = False
        if batch_input_shape is not None:
            input_shape = tuple(batch_input_shape)[1:]
        if input_dim is not None:
            input_shape = (input_dim,)
        self.declared_input_shape = as_shape(input_shape) if input_shape is not None else None
        self.input_spec: tuple[int | None, ...] | None = None
        self.output_shape: tuple[int | None, ...] | None = None

    # -------------------------------------------------------------- subclass API
    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create weights for inputs of ``input_shape`` (batch dim included, as None)."""

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define call()")

    def keras_weights(self) -> list[KerasWeight]:
        """This layer's weights in Keras's order and layouts (kernel before bias, ...)."""
        return []

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable}
        if self.declared_input_shape is not None:
            config["input_shape"] = list(self.declared_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        return cls(**config)

    # -------------------------------------------------------------- calling
    def ensure_built(self, input_shape: tuple[int | None, ...]) -> None:
        if not self.built:
            self.build(input_shape)
            self.built = True
            self.input_spec = tuple(input_shape[1:])
            self._apply_trainable()

    @property
    def trainable(self) -> bool:
        """Whether ``fit`` updates this layer's weights; assign False to freeze a built layer
        (then ``compile`` again, as in Keras)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        if self.__dict__.get("built"):
            self._apply_trainable()

    def _apply_trainable(self) -> None:
        self.requires_grad_(self._trainable)
        for module in self.modules():  # weights the configuration never trains stay frozen
            if isinstance(module, Layer):
                for tensor in module.fixed_parameters():
                    tensor.requires_grad_(False)

    def fixed_parameters(self) -> list[Tensor]:
        """Parameters this layer's configuration never trains, whatever ``trainable`` says
        (BatchNormalization's gamma with ``scale=False``)."""
        return []

    def check_input(self, x: Tensor) -> None:
        """A built layer refuses inputs whose per-sample shape differs from its build shape."""
        spec = self.input_spec
        if spec is None:
            return
        got = tuple(x.shape[1:])
        if len(got) != len(spec) or any(s is not None and s != g for s, g in zip(spec, got)):
            expected = "(None, " + ", ".join("None" if s is None else str(s) for s in spec) + ")"
            raise ValueError(
                f"Input to layer {self.name!r} ({type(self).__name__}) is incompatible: expected "
                f"shape {expected}, got {(None,) + got}"
            )

    def __call__(self, x: Any, training: bool | None = None, **kwargs: Any) -> Any:
        from ember.keras.models.functional import KerasTensor, call_symbolic

        if isinstance(x, KerasTensor) or (isinstance(x, (list, tuple)) and x
                                          and isinstance(x[0], KerasTensor)):
            return call_symbolic(self, x)
        x = [to_tensor(v) for v in x] if isinstance(x, (list, tuple)) else to_tensor(x)
        first = x[0] if isinstance(x, list) else x
        self.ensure_built((None,) + tuple(first.shape[1:]) if not isinstance(x, list)
                          else [(None,) + tuple(v.shape[1:]) for v in x])
        if not isinstance(x, list):
            self.check_input(x)
        # Keras's default outside fit() is inference: Dropout off, BatchNormalization frozen.
        return self.call(x, training=bool(training), **kwargs)

    def forward(self, x: Any, training: bool | None = None) -> Any:
        return self(x, training=training)

    # -------------------------------------------------------------- weights
    @property
    def weights(self) -> list[KerasWeight]:
        return [w for layer in self._keras_sublayers() for w in layer.keras_weights()]

    def _weights_by_trainability(self, trainable: bool) -> list[KerasWeight]:
        return [w for layer in self._keras_sublayers() for w in layer.keras_weights()
                if (w.trainable and layer.trainable and self.trainable) == trainable]

    @property
    def trainable_weights(self) -> list[KerasWeight]:
        return self._weights_by_trainability(True)

    @property
    def non_trainable_weights(self) -> list[KerasWeight]:
        return self._weights_by_trainability(False)

    def _keras_sublayers(self) -> list[Layer]:
        return [self]

    def get_weights(self) -> list[np.ndarray]:
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(f"layer {self.name!r} has {len(mine)} weights, got {len(weights)}")
        for weight, value in zip(mine, weights):
            weight.assign(value)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"layer {self.name!r} isn't built yet, so it has no weights to count")
        return int(sum(np.prod(w.shape) for w in self.weights))

    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        return f"name={self.name!r}"


def initialize(tensor: Tensor, initializer: initializers.Initializer,
               keras_shape: tuple[int, ...], from_keras: Callable[[np.ndarray], np.ndarray]
               = lambda a: a) -> None:
    """Fill an ember parameter with a Keras initializer drawn in Keras's layout."""
    with no_grad():
        tensor.copy_(Tensor._wrap(from_keras(initializer(keras_shape))))


def weight_penalties(layer: Any, module: nn.Module | None) -> list[Tensor]:
    """The regularisation terms of a layer whose weight and bias live in ``module``."""
    if module is None:
        return []
    penalties = []
    if getattr(layer, "kernel_regularizer", None) is not None:
        penalties.append(layer.kernel_regularizer(module.weight))
    if getattr(layer, "bias_regularizer", None) is not None and module.bias is not None:
        penalties.append(layer.bias_regularizer(module.bias))
    return penalties
