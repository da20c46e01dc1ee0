"""``plot_decision_boundary``: the regions a classifier gives to each class over 2-D toy data."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ember import plotting
from ember.viz._common import finish, is_keras_model, predict

__all__ = ["plot_decision_boundary"]


def plot_decision_boundary(model: Any, X: Any, y: Any,  # noqa: N803 - scikit-learn's names
                           path: str | os.PathLike[str] | None = None, resolution: int = 200,
                           margin: float = 0.5, threshold: float | None = None) -> Any:
    """The class the model predicts at each point of the plane around ``X`` (N, 2), with the
    points coloured by their labels ``y`` (N,).

    ``model`` is an ``nn.Module``, a Keras model or a function from an (M, 2) float32 array to
    outputs. Outputs with one column per class pick the largest; a single column is a binary
    score, class 1 above ``threshold``: 0 by default for an ``nn.Module`` (logits, as
    ``BCEWithLogitsLoss`` expects) and 0.5 for a Keras model or a function (a sigmoid's
    probability). The plane is sampled on a ``resolution`` x ``resolution`` grid reaching
    ``margin`` beyond the data. Returns the figure; writes a PNG to ``path``."""
    points = np.asarray(X, dtype=np.float32)
    labels = np.asarray(y)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must be (N, 2) points, got shape "
                         f"{points.shape}")
    if labels.shape != (points.shape[0],):
        raise ValueError(f"plot_decision_boundary: y must be (N,) = ({points.shape[0]},) "
                         f"labels, got shape {labels.shape}")
    if resolution < 2:
        raise ValueError(f"plot_decision_boundary: resolution must be at least 2, got "
                         f"{resolution}")
    low, high = points.min(axis=0) - margin, points.max(axis=0) + margin
    xs = np.linspace(low[0], high[0], resolution, dtype=np.float32)
    ys = np.linspace(low[1], high[1], resolution, dtype=np.float32)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
    if threshold is None:
        threshold = 0.5 if is_keras_model(model) or not hasattr(model, "parameters") else 0.0
    predicted = _classes(predict(model, grid), threshold)
    on_points = _classes(predict(model, points), threshold)
    classes = np.union1d(np.unique(labels), np.unique(predicted))
    regions = np.searchsorted(classes, predicted).reshape(grid_x.shape)
    from matplotlib.colors import ListedColormap

    palette = ListedColormap([f"C{i % 10}" for i in range(len(classes))])
    figure, axis = plotting.subplots(figsize=(5, 4.5))
    levels = np.arange(len(classes) + 1) - 0.5
    axis.contourf(grid_x, grid_y, regions, levels=levels, cmap=palette, alpha=0.3)
    if len(classes) > 1:
        axis.contour(grid_x, grid_y, regions, levels=levels[1:-1], colors="k", linewidths=0.8)
    axis.scatter(points[:, 0], points[:, 1], c=np.searchsorted(classes, labels), cmap=palette,
                 vmin=-0.5, vmax=len(classes) - 0.5, s=18, edgecolors="k", linewidths=0.4)
    axis.set_xlim(low[0], high[0])
    axis.set_ylim(low[1], high[1])
    accuracy = float(np.mean(on_points == labels))
    axis.set_title(f"decision boundary (accuracy on these points {accuracy:.1%})")
    figure.tight_layout()
    return finish(figure, path)


def _classes(outputs: np.ndarray, threshold: float) -> np.ndarray:
    scores = outputs.reshape(len(outputs), -1)
    if scores.shape[1] == 1:
        return (scores[:, 0] > threshold).astype(np.int64)
    return scores.argmax(axis=1)
