"""The functional API: ``keras.Input`` placeholders, layers called on them, ``keras.Model``.

Calling a layer on a ``KerasTensor`` builds the layer and records which tensors it read; the model
replays those calls in order on real data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import nn
from ember.autograd.grad_mode import no_grad
from ember.keras.layers.base import Layer, as_shape, dummy_sample
from ember.keras.layers.core import InputLayer
from ember.keras.models.introspection import record_call
from ember.keras.models.model import Model
from ember.tensor import Tensor


class KerasTensor:
    """A symbolic tensor: a shape (batch dim None) and the layer call that produces it."""

    def __init__(self, shape: tuple[int | None, ...], layer: Layer,
                 parents: list[KerasTensor], dtype: str = "float32") -> None:
        self.shape, self.layer, self.parents, self.dtype = tuple(shape), layer, parents, dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, from={self.layer.name!r}>"


def Input(shape: Any = None, batch_size: int | None = None, name: str | None = None,  # noqa: N802
          dtype: Any = None, sparse: bool | None = None, batch_shape: Any = None,
          tensor: Any = None, optional: bool = False) -> KerasTensor:
    if batch_shape is not None:
        batch_size, shape = tuple(batch_shape)[0], tuple(batch_shape)[1:]
    for argument, value in (("sparse", sparse), ("tensor", tensor), ("optional", optional)):
        if value:
            raise NotImplementedError(f"keras.Input: {argument}= is not supported")
    layer = InputLayer(shape=shape, batch_size=batch_size, name=name)
    layer.output_shape = (batch_size,) + as_shape(shape)
    layer.built = True
    dtype_name = "float32" if dtype is None else str(np.dtype(dtype))
    result = KerasTensor((batch_size,) + as_shape(shape), layer, [], dtype_name)
    record_call(layer, result, result)
    return result


def _dummy(t: KerasTensor, unknown: int = 1) -> Tensor:
    dtype = np.int64 if t.dtype.startswith("int") else np.float32
    return dummy_sample((None,) + tuple(unknown if s is None else s for s in t.shape[1:]), dtype)


def _keep_unknown_sizes(layer: Layer, parents: list[KerasTensor], was_built: bool) -> None:
    """A layer built here on a dummy sample (unknown sizes made concrete) keeps them unknown
    in its input check, so that ``keras.Input(shape=(None,))`` takes any length, as Keras's."""
    spec = layer.__dict__.get("input_spec")
    if not was_built and len(parents) == 1 and spec is not None and \
            len(spec) == len(parents[0].shape) - 1:
        layer.input_spec = tuple(parents[0].shape[1:])


def _unknown_dims(layer: Layer, x: Any, parents: list[KerasTensor], out: Tensor,
                  size: int) -> set[int]:
    """The output dims that follow the inputs' unknown (``None``) sizes: found by a second
    dummy pass with those sizes one larger."""
    if not any(s is None for p in parents for s in p.shape[1:]):
        return set()
    dummies = [_dummy(p, unknown=size + 1) for p in parents]
    try:
        with no_grad():
            wider = layer(dummies if isinstance(x, (list, tuple)) else dummies[0],
                          training=False)
    except (ValueError, RuntimeError):
        return set()
    if not isinstance(wider, Tensor) or wider.ndim != out.ndim:
        return set()
    return {i for i in range(1, out.ndim) if wider.shape[i] != out.shape[i]}


def call_symbolic(layer: Layer, x: Any) -> KerasTensor:
    """Build ``layer`` for the symbolic input(s) and return its symbolic output."""
    parents = list(x) if isinstance(x, (list, tuple)) else [x]
    was_training, was_built = layer.training, layer.built
    layer.eval()
    has_unknown = any(s is None for p in parents for s in p.shape[1:])
    # Unknown sizes are tried as 1 first, then larger for layers that need more (a length-3
    # convolution over a variable-length sequence).
    for size in (1, 16) if has_unknown else (1,):
        dummies = [_dummy(p, size) for p in parents]
        try:
            with no_grad():
                out = layer(dummies if isinstance(x, (list, tuple)) else dummies[0],
                            training=False)
            break
        except (RuntimeError, ValueError):
            if size != 1 or not has_unknown:
                raise
        finally:
            _keep_unknown_sizes(layer, parents, was_built)
    unknown = _unknown_dims(layer, x, parents, out, size)
    layer.train(was_training)
    layer.output_shape = (None,) + tuple(None if i in unknown else size
                                         for i, size in enumerate(out.shape) if i)
    result = KerasTensor(layer.output_shape, layer, parents)
    record_call(layer, x, result)
    return result


def _topological(outputs: list[KerasTensor]) -> list[KerasTensor]:
    order, seen = [], set()
    stack: list[tuple[KerasTensor, bool]] = [(t, False) for t in reversed(outputs)]
    while stack:
        tensor, done = stack.pop()
        if done:
            order.append(tensor)
            continue
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        stack.append((tensor, True))
        stack.extend((p, False) for p in reversed(tensor.parents) if id(p) not in seen)
    return order


class Functional(Model):
    """A model defined by its input and output ``KerasTensor``s."""

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None,
                 trainable: bool = True) -> None:
        super().__init__(name=name, trainable=trainable)
        self.multi_input = isinstance(inputs, (list, tuple))
        # Keras's dict of outputs: called and predicted as a dict, losses and metrics keyed by
        # its keys; its outputs in order are those of the sorted keys (Keras's tree order).
        self.output_keys: list[str] | None = _output_keys(outputs)
        self.output_dict = dict(outputs) if self.output_keys is not None else None
        if self.output_keys is not None:
            outputs = [outputs[key] for key in self.output_keys]
        self.multi_output = isinstance(outputs, (list, tuple))
        self.inputs = list(inputs) if self.multi_input else [inputs]
        self.outputs = list(outputs) if self.multi_output else [outputs]
        for t in self.inputs + self.outputs:
            if not isinstance(t, KerasTensor):
                raise TypeError(f"Model(inputs, outputs) takes keras.Input tensors and the "
                                f"results of layer calls, got {type(t).__name__}")
        self.order = _topological(self.outputs)
        input_ids = {id(t) for t in self.inputs}
        for t in self.order:
            if not t.parents and id(t) not in input_ids:
                raise ValueError(f"output depends on {t!r}, which is not among the model's inputs")
        self.graph = nn.ModuleDict()
        for t in self.order:
            if t.layer.name not in self.graph:
                self.graph[t.layer.name] = t.layer
            elif self.graph[t.layer.name] is not t.layer:
                raise ValueError(f"two different layers are named {t.layer.name!r}")
        self.built = True

    @property
    def layers(self) -> list[Layer]:
        return list(self.graph.values())

    @property
    def input(self) -> Any:
        """The model's input tensor (a list of them for several inputs), as Keras's."""
        return self.inputs if self.multi_input else self.inputs[0]

    @property
    def output(self) -> Any:
        """The output tensor, the list of them, or the dict given as ``outputs=``."""
        if self.output_dict is not None:
            return dict(self.output_dict)
        return self.outputs if self.multi_output else self.outputs[0]

    def ensure_built(self, input_shape: Any) -> None:
        pass

    def build(self, input_shape: Any = None) -> None:
        self.built = True

    def call(self, x: Any, training: bool | None = None) -> Any:
        xs = list(x) if isinstance(x, (list, tuple)) else [x]
        if len(xs) != len(self.inputs):
            raise ValueError(f"model {self.name!r} expects {len(self.inputs)} inputs, got "
                             f"{len(xs)}")
        values: dict[int, Any] = {id(t): v for t, v in zip(self.inputs, xs)}
        for t in self.order:
            if id(t) in values:
                continue
            args = [values[id(p)] for p in t.parents]
            values[id(t)] = t.layer(args if len(args) > 1 else args[0], training=training)
        results = [values[id(t)] for t in self.outputs]
        if self.output_keys is not None:
            return dict(zip(self.output_keys, results))
        return results if self.multi_output else results[0]

    def output_names(self) -> list[str]:
        """The names that key targets, losses, metrics and logs: the keys of a dict of outputs
        (sorted), else the output layers' names."""
        if self.output_keys is not None:
            return list(self.output_keys)
        return [t.layer.name for t in self.outputs]

    def summary_connections(self) -> dict[str, str] | None:
        """For ``summary()``: each layer's inputs as Keras writes them (``dense[0][0]``), or
        None for a plain chain, whose table Keras prints without the "Connected to" column."""
        consumers: dict[int, int] = {}
        for t in self.order:
            for p in t.parents:
                consumers[id(p)] = consumers.get(id(p), 0) + 1
        if all(len(t.parents) <= 1 for t in self.order) and max(consumers.values(),
                                                                  default=0) <= 1:
            return None
        connected: dict[str, list[str]] = {}
        for t in self.order:
            names = connected.setdefault(t.layer.name, [])
            names += [f"{p.layer.name}[0][0]" for p in t.parents]
        return {name: ", ".join(names) if names else "-" for name, names in connected.items()}

    def _accepts_integer_input(self) -> bool:
        return any(t.dtype.startswith("int") for t in self.inputs)

    def get_config(self) -> dict[str, Any]:
        index = {id(t): i for i, t in enumerate(self.order)}
        return {
            "name": self.name,
            # The name beside each config, as Keras's: a custom layer's get_config may omit it.
            "layers": [{"class_name": type(layer).__name__, "name": layer.name,
                        "config": layer.get_config()} for layer in self.layers],
            "tensors": [{"layer": t.layer.name, "parents": [index[id(p)] for p in t.parents],
                         "shape": list(t.shape), "dtype": t.dtype} for t in self.order],
            "inputs": [index[id(t)] for t in self.inputs],
            "outputs": [index[id(t)] for t in (self.outputs if self.output_dict is None
                                               else self.output_dict.values())],
            "multi_input": self.multi_input, "multi_output": self.multi_output,
            # a dict of outputs: its keys, in its own order (that of "outputs")
            **({"output_keys": list(self.output_dict)} if self.output_dict is not None else {}),
        }


def _output_keys(outputs: Any) -> list[str] | None:
    """The sorted keys of a dict of outputs (None for a tensor or a list of them)."""
    if not isinstance(outputs, dict):
        return None
    if not outputs:
        raise ValueError("Model(outputs={}): the dict of outputs is empty")
    for key, value in outputs.items():
        if not isinstance(key, str):
            raise TypeError(f"Model(outputs=dict): keys must be strings (they name the outputs "
                            f"in losses, metrics and logs), got {key!r}")
        if isinstance(value, (dict, list, tuple)):
            raise NotImplementedError(f"Model(outputs=dict): nested output structures are not "
                                      f"supported (output {key!r} is a {type(value).__name__})")
    return sorted(outputs)
