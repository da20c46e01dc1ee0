"""``plot_weight_histograms``: the spread of each layer's weights and gradients."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ember import plotting
from ember.viz._common import finish

__all__ = ["plot_weight_histograms"]


def plot_weight_histograms(model: Any, path: str | os.PathLike[str] | None = None,
                           grads: bool | None = None, bins: int = 40) -> Any:
    """One row per parameter of ``model`` (an ``nn.Module`` or a Keras model, by its dotted
    ``named_parameters`` name): a histogram of its values and, beside it, of its ``.grad``.

    ``grads=None`` draws the gradient column when some parameter has a gradient (call
    ``loss.backward()`` first); ``True`` requires gradients, ``False`` leaves them out. The
    title of each panel gives the mean and standard deviation, so vanishing or exploding
    gradients show as numbers too. Returns the figure; writes a PNG to ``path``."""
    if not hasattr(model, "named_parameters"):
        raise TypeError(f"plot_weight_histograms expects an nn.Module or a Keras model, got "
                        f"{type(model).__name__}")
    parameters = [(name, p) for name, p in model.named_parameters()]
    if not parameters:
        raise ValueError("plot_weight_histograms: the model has no parameters (a Keras model "
                         "gets them once built)")
    have_grads = any(p.grad is not None for _, p in parameters)
    if grads and not have_grads:
        raise ValueError("plot_weight_histograms(grads=True): no parameter has a gradient; "
                         "call loss.backward() first")
    show_grads = have_grads if grads is None else bool(grads)
    columns = 2 if show_grads else 1
    figure = plotting.new_figure(figsize=(4.2 * columns, 1.7 * len(parameters) + 0.4))
    axes = figure.subplots(len(parameters), columns, squeeze=False)
    for row, (name, parameter) in enumerate(parameters):
        _histogram(axes[row, 0], parameter.detach().numpy(), f"{name} {tuple(parameter.shape)}",
                   "C0", bins)
        if show_grads:
            grad = parameter.grad
            if grad is None:
                axes[row, 1].set_axis_off()
                axes[row, 1].set_title(f"{name}.grad: none", fontsize=8)
            else:
                _histogram(axes[row, 1], grad.numpy(), f"{name}.grad", "C3", bins)
    figure.tight_layout()
    return finish(figure, path)


def _histogram(axis: Any, values: np.ndarray, label: str, colour: str, bins: int) -> None:
    flat = values.ravel().astype(np.float64)
    axis.hist(flat, bins=bins, color=colour, alpha=0.8)
    axis.set_title(f"{label}  mean {flat.mean():.3g}  std {flat.std():.3g}", fontsize=8)
    axis.tick_params(labelsize=7)
