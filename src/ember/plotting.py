"""Figures drawn off-screen and written as PNG files, without pyplot's global state.

Every plot ember draws (``keras.utils.plot_history``, the ``ember`` command's curves, confusion
matrices and regression fits) goes through here. Each figure is a ``matplotlib.figure.Figure``
on its own Agg canvas: nothing calls ``matplotlib.use`` or registers figures with pyplot, so
drawing works without a display and leaves the caller's backend, open windows and pyplot's
figure list as they were. matplotlib is imported on first use, never by ``import ember``.

>>> from ember import plotting
>>> figure, axis = plotting.subplots(figsize=(5, 4))
>>> axis.plot([1, 2, 3], [0.9, 0.5, 0.3])
>>> plotting.save_png(figure, "loss.png")
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["new_figure", "plot_history", "save_png", "subplots"]


def new_figure(figsize: tuple[float, float] | None = None, **kwargs: Any) -> Any:
    """A ``matplotlib.figure.Figure`` with an Agg canvas of its own (not known to pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, **kwargs)
    FigureCanvasAgg(figure)
    return figure


def subplots(nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] | None = None,
             squeeze: bool = True, **kwargs: Any) -> tuple[Any, Any]:
    """``(figure, axes)`` as ``pyplot.subplots`` returns them, on a figure of ``new_figure``."""
    figure = new_figure(figsize)
    return figure, figure.subplots(nrows, ncols, squeeze=squeeze, **kwargs)


def save_png(figure: Any, path: str | os.PathLike[str], dpi: int = 100,
             tight: bool = True) -> Path:
    """Write ``figure`` as a PNG file, atomically (a reader never sees half a file); returns
    the path. ``tight`` trims the margins to what is drawn."""
    from ember.serialization import atomic_write

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    data = buffer.getvalue()
    path = Path(path)
    atomic_write(path, lambda f: f.write(data))
    return path


def plot_history(logs: Mapping[str, Sequence[float | None]], path: str | os.PathLike[str],
                 title: str | None = None, names: Sequence[str] | None = None,
                 epochs: Sequence[float] | None = None) -> Path:
    """One panel per quantity (``loss``, ``accuracy``, ...): its training values per epoch
    against its ``val_`` twin where ``logs`` has one. ``names`` picks the panels (default:
    every key but the ``val_`` ones and ``learning_rate``); ``epochs`` labels the x axis
    (default 1, 2, ...). Missing values (``None``) are left out. Returns the path written."""
    if names is None:
        names = [k for k in logs if not k.startswith("val_") and k != "learning_rate"]
    names = [name for name in names if _points(logs.get(name), epochs)
             or _points(logs.get(f"val_{name}"), epochs)]
    if not names:
        raise ValueError(f"plot_history: the history holds no values to plot (keys: "
                         f"{sorted(logs)})")
    figure, axes = subplots(1, len(names), figsize=(5 * len(names), 4), squeeze=False)
    for axis, name in zip(axes[0], names):
        for key, style, label in ((name, "o-", "training"), (f"val_{name}", "s--", "validation")):
            points = _points(logs.get(key), epochs)
            if points:
                xs, ys = zip(*points)
                axis.plot(xs, ys, style, label=f"{label} {name}")
        axis.set_xlabel("epoch")
        axis.set_ylabel(name)
        axis.set_title(name)
        axis.grid(alpha=0.3)
        axis.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return save_png(figure, path, tight=False)


def _points(values: Sequence[float | None] | None,
            epochs: Sequence[float] | None) -> list[tuple[float, float]]:
    if values is None:
        return []
    xs = epochs if epochs is not None else range(1, len(values) + 1)
    return [(x, float(v)) for x, v in zip(xs, values) if v is not None]
