"""Looking inside a network: a convolution's filters and every layer's activations.

Each function returns a ``matplotlib.figure.Figure`` drawn off-screen (``ember.plotting``) and,
given ``path``, writes it as a PNG file. Many small images are packed into one mosaic per panel,
so a layer with hundreds of channels draws as fast as one with four.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from ember import plotting
from ember.viz._common import finish, is_keras_model, layer_outputs

__all__ = ["plot_activations", "plot_filters"]


def plot_filters(layer: Any, path: str | os.PathLike[str] | None = None,
                 max_filters: int = 64, max_channels: int = 16) -> Any:
    """The kernels of a 2-D convolution (``nn.Conv2d`` or ``keras.layers.Conv2D``).

    With 3 input channels each filter is one colour picture (its weights scaled to 0..1), with
    one a grid of grey-scale pictures; with any other number each filter is a row and each input
    channel a column. Single-channel kernels share one diverging scale centred on zero (red
    positive, blue negative). At most ``max_filters`` filters and
    ``max_channels`` input channels are drawn. Returns the figure; writes a PNG to ``path``."""
    weight = _conv_weight(layer)  # (out, in, kh, kw)
    filters = weight[:max_filters]
    out_count, in_count, kh, kw = filters.shape
    figure = plotting.new_figure()
    axis = figure.add_subplot()
    if in_count == 3:
        low = filters.min(axis=(1, 2, 3), keepdims=True)
        span = filters.max(axis=(1, 2, 3), keepdims=True) - low
        pictures = ((filters - low) / np.where(span > 0, span, 1)).transpose(0, 2, 3, 1)
        columns = math.ceil(math.sqrt(out_count))
        rows = math.ceil(out_count / columns)
        grid = np.full((rows, columns, kh, kw, 3), 1.0, dtype=np.float32)
        grid.reshape(-1, kh, kw, 3)[:out_count] = pictures
        figure.set_size_inches(max(3.0, 0.6 * columns * kw / 3 + 1),
                               max(3.0, 0.6 * rows * kh / 3 + 1))
        axis.imshow(_mosaic(grid, fill=1.0), interpolation="nearest")
        axis.set_title(f"{out_count} filters (RGB)")
    else:
        if in_count == 1:  # a square-ish grid of filters
            columns = math.ceil(math.sqrt(out_count))
            rows = math.ceil(out_count / columns)
            shown = np.full((rows * columns, kh, kw), np.nan, dtype=np.float32)
            shown[:out_count] = filters[:, 0]
            shown = shown.reshape(rows, columns, kh, kw)
        else:  # a row per filter, a column per input channel
            shown = filters[:, :max_channels]
            rows, columns = shown.shape[:2]
            axis.set_xlabel(f"input channel (of {in_count})")
            axis.set_ylabel(f"filter (of {weight.shape[0]})")
        limit = float(np.nanmax(np.abs(shown))) or 1.0
        figure.set_size_inches(max(3.0, 0.35 * columns * kw / 3 + 1.5),
                               max(3.0, 0.35 * rows * kh / 3 + 1))
        image = axis.imshow(_mosaic(shown, fill=np.nan), cmap="RdBu_r", vmin=-limit,
                            vmax=limit, interpolation="nearest")
        figure.colorbar(image, ax=axis, shrink=0.8)
        axis.set_title(f"{out_count} {kh}x{kw} filters")
    axis.set_xticks([])
    axis.set_yticks([])
    return finish(figure, path)


def plot_activations(model: Any, x: Any, path: str | os.PathLike[str] | None = None,
                     layers: list[str] | None = None, sample: int = 0,
                     max_channels: int = 16) -> Any:
    """What each layer outputs for one sample of ``x`` (an ``nn.Module`` or a Keras model).

    The model runs once on the batch ``x`` in inference mode; each layer (every leaf module of
    an ``nn.Module``, every layer of a Keras model; or only those named in ``layers``) is one
    row: feature maps (C, H, W) as up to ``max_channels`` images side by side, sequences
    (C, L) as an image, and feature vectors as one strip of values. Keras's channels-last maps
    are drawn channel by channel too. Returns the figure; writes a PNG to ``path``."""
    outputs = layer_outputs(model, x)
    if layers is not None:
        known = [name for name, _, _ in outputs]
        missing = [name for name in layers if name not in known]
        if missing:
            raise ValueError(f"plot_activations: no layer named {missing} (layers: {known})")
        outputs = [entry for entry in outputs if entry[0] in layers]
    if not outputs:
        raise ValueError("plot_activations: the model ran no layers whose output is a tensor")
    if not 0 <= sample < outputs[0][2].shape[0]:
        raise IndexError(f"plot_activations: sample {sample} is out of range for a batch of "
                         f"{outputs[0][2].shape[0]}")
    figure = plotting.new_figure(figsize=(8, 1.4 * len(outputs) + 0.5))
    axes = figure.subplots(len(outputs), 1, squeeze=False)[:, 0]
    for axis, (name, kind, value) in zip(axes, outputs):
        activation = value[sample]
        if activation.ndim == 3:  # (C, H, W): channels side by side, square pixels
            image, aspect = _mosaic(activation[None, :max_channels], fill=np.nan), "equal"
        elif activation.ndim == 2:  # (C, L)
            image, aspect = activation, "auto"
        else:
            image, aspect = activation.reshape(1, -1), "auto"
        axis.imshow(image, cmap="viridis", aspect=aspect, interpolation="nearest")
        axis.set_title(f"{name} ({kind})  {tuple(activation.shape)}", fontsize=9, loc="left")
        axis.set_xticks([])
        axis.set_yticks([])
    kind = "Keras model" if is_keras_model(model) else type(model).__name__
    figure.suptitle(f"activations of {kind}, sample {sample}")
    figure.tight_layout()
    return finish(figure, path)


def _conv_weight(layer: Any) -> np.ndarray:
    from ember import nn

    if is_keras_model(layer):  # keras.layers.Conv2D keeps an nn.Conv2d once built
        conv = getattr(layer, "conv", None)
        if conv is None:
            raise ValueError(f"plot_filters: layer {layer.name!r} has no weights yet; build it "
                             "(call the model on data, or build(input_shape)) first")
        layer = conv
    if not isinstance(layer, nn.Conv2d):
        raise TypeError(f"plot_filters expects an nn.Conv2d or a keras.layers.Conv2D, got "
                        f"{type(layer).__name__}")
    return layer.weight.detach().numpy()


def _mosaic(tiles: np.ndarray, fill: float) -> np.ndarray:
    """(rows, columns, h, w[, 3]) tiles as one image with a one-pixel gap of ``fill``."""
    rows, columns, h, w = tiles.shape[:4]
    padded = np.full((rows, columns, h + 1, w + 1) + tiles.shape[4:], fill, dtype=np.float32)
    padded[:, :, :h, :w] = tiles
    order = (0, 2, 1, 3) + tuple(range(4, tiles.ndim))
    image = padded.transpose(order).reshape((rows * (h + 1), columns * (w + 1)) + tiles.shape[4:])
    return image[:-1, :-1]
