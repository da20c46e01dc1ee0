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
from ember.keras import initializers, regularizers
from ember.keras._registry import snake_case
from ember.keras._seen import Seen
from ember.keras.layers.call_context import CONTEXT, call_arguments, keras_mask
from ember.keras.variables import KerasWeight, Variable
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


def note_regularizer() -> None:
    Seen.regularizers = True


def _is_float32(dtype: Any) -> bool:
    """None, "float32", np.float32, or Keras's float32 DTypePolicy (as an object or a config)."""
    if isinstance(dtype, dict):
        return dtype.get("config", {}).get("name") == "float32"
    return dtype is None or dtype == "float32" or dtype is np.float32 or \
        getattr(dtype, "name", None) == "float32"


class Layer(nn.Module):
    """Base class for Keras layers.

    Subclasses take configuration in ``__init__``, create their weights in
    ``build(input_shape)`` (``input_shape`` includes the batch dim as None; ``add_weight`` or
    ``ember.nn`` modules) and compute in ``call(inputs)``. ``call`` receives ``training`` and
    ``mask`` only when its signature names them, as in Keras.
    """

    #: Whether this layer passes an input's Keras mask (from ``Embedding(mask_zero=True)``) on.
    supports_masking = False

    def __init__(self, name: str | None = None, trainable: bool = True, dtype: Any = None,
                 input_shape: Any = None, batch_input_shape: Any = None,
                 input_dim: int | None = None, activity_regularizer: Any = None,
                 autocast: bool = True, **kwargs: Any) -> None:
        super().__init__()
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected arguments {sorted(kwargs)}")
        if not _is_float32(dtype):
            raise NotImplementedError(f"{type(self).__name__}: dtype={dtype!r} is not supported "
                                      "(ember.keras layers compute in float32)")
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
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._losses: list[Tensor] = []
        self._variables: list[Variable] = []

    # -------------------------------------------------------------- subclass API
    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create weights for inputs of ``input_shape`` (batch dim included, as None)."""

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define call()")

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The Keras mask of this layer's output: the input's when ``supports_masking``."""
        return mask if self.supports_masking else None

    def add_weight(self, shape: Any = None, initializer: Any = None, dtype: Any = None,
                   trainable: bool = True, regularizer: Any = None, constraint: Any = None,
                   name: str | None = None, **kwargs: Any) -> Variable:
        """Create a weight of ``shape``, tracked by this layer (``weights``, saving, ``fit``).

        ``initializer`` defaults to Keras's: ``glorot_uniform`` for floats.
        """
        unsupported = {k: v for k, v in kwargs.items()
                       if not (k == "autocast" or (k == "aggregation" and v in ("none", "mean"))
                               or (k == "synchronization" and v in ("auto", "none")))}
        if unsupported:
            raise NotImplementedError(f"add_weight: argument(s) {sorted(unsupported)} are not "
                                      "supported")
        if dtype not in (None, "float32"):
            raise NotImplementedError(f"add_weight: dtype={dtype!r} is not supported (float32)")
        shape = as_shape(shape)
        init = initializers.get("glorot_uniform" if initializer is None else initializer)
        variable = Variable(init(shape), trainable=trainable and self.trainable,
                            name=name or f"variable_{len(self._variables)}")
        if not trainable:
            variable.__dict__["keras_trainable"] = False
        key = name if name and name not in self._parameters and name not in self.__dict__ \
            else f"_variable_{len(self._variables)}"
        self.register_parameter(key, variable)
        self._variables.append(variable)
        weight = KerasWeight(variable.name, variable, trainable=trainable)
        weight.constraint = constraint
        reg = regularizers.get(regularizer)
        if reg is not None:
            variable.__dict__["keras_regularizer"] = reg
            note_regularizer()
        return variable

    def __setattr__(self, name: str, value: Any) -> None:
        # ``self.w = self.add_weight(...)``: keep the weight under the name the user chose.
        if isinstance(value, Variable) and "_parameters" in self.__dict__:
            for key, param in list(self._parameters.items()):
                if param is value and key != name and key.startswith("_variable_"):
                    del self._parameters[key]
        super().__setattr__(name, value)

    def add_loss(self, loss: Any) -> None:
        """Add a term to the training loss of the current forward pass (``layer.losses``)."""
        Seen.added_losses = True
        self._losses.append(loss if isinstance(loss, Tensor) else Tensor._wrap(
            np.asarray(loss, dtype=np.float32)))

    @property
    def losses(self) -> list[Tensor]:
        """The terms added by ``add_loss`` and activity regularizers during the last forward
        pass, and the weight regularizers' penalties, of this layer and every sublayer."""
        if not (Seen.regularizers or Seen.added_losses):
            return []
        found = []
        for module in self.modules():
            if isinstance(module, Layer):
                found += module.__dict__.get("_losses", [])
                found += module._weight_penalties()
        return found

    def _weight_penalties(self) -> list[Tensor]:
        penalties = [v.__dict__["keras_regularizer"](v) for v in self.__dict__.get(
            "_variables", []) if "keras_regularizer" in v.__dict__]
        if hasattr(self, "regularization_losses"):
            penalties += self.regularization_losses()
        return penalties

    def keras_weights(self) -> list[KerasWeight]:
        """This layer's weights in Keras's order and layouts (kernel before bias, ...)."""
        return [KerasWeight(v.name, v, trainable=v.trainable) for v in self._variables]

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable}
        if self.declared_input_shape is not None:
            config["input_shape"] = list(self.declared_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
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
        (BatchNormalization's gamma with ``scale=False``, ``add_weight(trainable=False)``)."""
        return [v for v in self.__dict__.get("_variables", []) if not v.trainable]

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

    def __call__(self, x: Any, *args: Any, training: bool | None = None, mask: Any = None,
                 **kwargs: Any) -> Any:
        if isinstance(x, Tensor):  # the common case, first
            if not self.built:
                self.ensure_built((None,) + tuple(x.shape[1:]))
            self.check_input(x)
        else:
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
        takes_training, takes_mask, default_training = call_arguments(type(self))
        context = CONTEXT
        outer = context.training
        if training is None:
            training = outer if outer is not None else default_training
        if takes_training:
            kwargs["training"] = training
        previous_mask = None
        if mask is not None:
            previous_mask = mask
            Seen.masks = True
        elif Seen.masks:
            previous_mask = keras_mask(x)
        if takes_mask and previous_mask is not None:
            kwargs["mask"] = previous_mask
        if context.depth == 0 and Seen.added_losses:  # losses of the last pass are replaced
            self._clear_losses()
        context.depth += 1
        context.training = training
        try:
            out = self.call(x, *args, **kwargs)
        finally:
            context.depth -= 1
            context.training = outer
        if self.activity_regularizer is not None:
            for value in out if isinstance(out, (list, tuple)) else [out]:
                self.add_loss(self.activity_regularizer(value) / value.shape[0])
        if previous_mask is not None or type(self).compute_mask is not Layer.compute_mask:
            out_mask = self.compute_mask(x, previous_mask)
            if out_mask is not None and isinstance(out, Tensor):
                out.__dict__["_keras_mask"] = out_mask
                Seen.masks = True
        return out

    def _clear_losses(self) -> None:
        for module in self.modules():
            losses = module.__dict__.get("_losses")
            if losses:
                losses.clear()

    def forward(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        return self(x, *args, **kwargs)

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
