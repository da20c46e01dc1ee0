"""What the plots share: running a model of either API (``nn.Module`` or Keras), writing figures."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from ember.autograd.grad_mode import no_grad
from ember.tensor import Tensor


def is_keras_model(model: Any) -> bool:
    from ember.keras.layers.base import Layer

    return isinstance(model, Layer)


def predict(model: Any, x: np.ndarray) -> np.ndarray:
    """The model's outputs for the float32 batch ``x`` as a NumPy array, in inference mode
    (``model.eval()`` for a module, ``predict`` for a Keras model; a module's training mode is
    put back after)."""
    if is_keras_model(model):
        return np.asarray(model.predict(x, verbose=0))
    if not callable(model):
        raise TypeError(f"expected an nn.Module, a Keras model or a function, got "
                        f"{type(model).__name__}")
    was_training = getattr(model, "training", None)
    if was_training:
        model.eval()
    try:
        with no_grad():
            out = model(Tensor._from_data(x))
    finally:
        if was_training:
            model.train()
    return out.numpy() if isinstance(out, Tensor) else np.asarray(out)


def layer_outputs(model: Any, x: Any) -> list[tuple[str, str, np.ndarray]]:
    """``(name, class name, output)`` of each layer in the order they run on ``x``, in
    inference mode.

    Modules: every leaf module (one without children), caught by forward hooks. Keras models
    (whose layers skip ``nn.Module``'s hooks): the layers replayed one by one, outputs turned
    channels-first so both APIs draw alike."""
    batch = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=np.float32))
    if is_keras_model(model):
        return [(name, kind, _channels_first(value))
                for name, kind, value in _keras_outputs(model, batch)]
    names = {id(m): name for name, m in model.named_modules() if not list(m.children())}
    captured: list[tuple[str, str, np.ndarray]] = []

    def record(name: str) -> Callable[..., None]:
        def hook(module: Any, args: Any, output: Any) -> None:
            if isinstance(output, Tensor):
                captured.append((name, type(module).__name__, output.numpy()))
        return hook

    handles = [m.register_forward_hook(record(names[id(m)])) for m in model.modules()
               if id(m) in names]
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            model(batch)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return captured


def _keras_outputs(model: Any, batch: Tensor) -> list[tuple[str, str, np.ndarray]]:
    from ember.keras.models.functional import Functional

    outputs: list[tuple[str, str, np.ndarray]] = []
    with no_grad():
        if isinstance(model, Functional):
            if len(model.inputs) != 1:
                raise NotImplementedError("plot_activations: models with several inputs are "
                                          "not supported")
            values: dict[int, Any] = {id(model.inputs[0]): batch}
            for t in model.order:
                if id(t) in values:
                    continue
                args = [values[id(p)] for p in t.parents]
                values[id(t)] = t.layer(args if len(args) > 1 else args[0], training=False)
                if isinstance(values[id(t)], Tensor):
                    outputs.append((t.layer.name, type(t.layer).__name__,
                                    values[id(t)].numpy()))
        else:
            value = batch
            for layer in model.layers:
                value = layer(value, training=False)
                outputs.append((layer.name, type(layer).__name__, value.numpy()))
    return outputs


def _channels_first(value: np.ndarray) -> np.ndarray:
    return np.moveaxis(value, -1, 1) if value.ndim >= 3 else value


def finish(figure: Any, path: str | os.PathLike[str] | None) -> Any:
    """Write ``figure`` as a PNG to ``path`` when one is given; return the figure."""
    if path is not None:
        from ember import plotting

        plotting.save_png(figure, path)
    return figure
