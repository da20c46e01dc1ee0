"""``make_grid`` and ``save_image``: a batch of images as one picture, as torchvision's."""

from __future__ import annotations

import math
import os
from typing import Any, BinaryIO

import numpy as np

from ember.tensor import Tensor


def _as_batch(tensor: Tensor | list[Tensor]) -> np.ndarray:
    if isinstance(tensor, list):
        if not all(isinstance(t, Tensor) for t in tensor):
            raise TypeError("tensor or list of tensors expected, got a list containing "
                            f"{sorted({type(t).__name__ for t in tensor})}")
        array = np.stack([t.numpy() for t in tensor])
    elif isinstance(tensor, Tensor):
        array = tensor.numpy()
    else:
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if array.ndim == 2:
        array = array[None]
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4:
        raise ValueError(f"expected images (N, C, H, W), (C, H, W) or (H, W), got shape "
                         f"{array.shape}")
    if array.shape[1] == 1:
        array = np.repeat(array, 3, axis=1)
    return array


def _rescale(images: np.ndarray, low: float, high: float) -> np.ndarray:
    return (np.clip(images, low, high) - low) / max(high - low, 1e-5)


def make_grid(tensor: Tensor | list[Tensor], nrow: int = 8, padding: int = 2,
              normalize: bool = False, value_range: tuple[float, float] | None = None,
              scale_each: bool = False, pad_value: float = 0.0) -> Tensor:
    """Lay images ``(N, C, H, W)`` out in rows of ``nrow``, ``padding`` pixels apart.

    ``normalize`` rescales to 0..1 from ``value_range`` (default: the min and max, of each
    image with ``scale_each``); one-channel images become three-channel. Returns ``(3, H', W')``.
    """
    images = _as_batch(tensor)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max "
                            "are numbers")
        images = images.astype(images.dtype if images.dtype.kind == "f" else np.float32)
        if scale_each:
            images = np.stack([_rescale(image, *(value_range or (float(image.min()),
                                                                  float(image.max()))))
                               for image in images]).astype(images.dtype)
        else:
            low, high = value_range or (float(images.min()), float(images.max()))
            images = _rescale(images, low, high).astype(images.dtype)
    if len(images) == 1:
        return Tensor._wrap(np.ascontiguousarray(images[0]))
    count = len(images)
    columns = min(nrow, count)
    rows = int(math.ceil(count / columns))
    height, width = images.shape[2] + padding, images.shape[3] + padding
    grid = np.full((images.shape[1], height * rows + padding, width * columns + padding),
                   pad_value, dtype=images.dtype)
    for k, image in enumerate(images):
        y, x = divmod(k, columns)
        grid[:, y * height + padding:(y + 1) * height, x * width + padding:(x + 1) * width] = image
    return Tensor._wrap(grid)


def save_image(tensor: Tensor | list[Tensor], fp: str | os.PathLike[str] | BinaryIO,
               format: str | None = None, **kwargs: Any) -> None:  # noqa: A002 - torchvision's name
    """Save images (a grid of them, see :func:`make_grid`) to an image file; values 0..1."""
    from PIL import Image

    grid = make_grid(tensor, **kwargs).numpy()
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    Image.fromarray(np.ascontiguousarray(pixels)).save(fp, format=format)
