"""Whole-batch transforms for array-backed data sets (MNIST, CIFAR, SVHN).

``batch_transform(transform)`` returns a function from a uint8 batch ``(N, H, W, C)`` to the
Tensor the per-image pipeline would give stacked, or None when some step cannot run on a batch.
Random steps (crops with constant padding, flips) draw their parameters sample by sample in the
per-image order (sample 0's steps, then sample 1's, ...), from ember's generator, so the batch
equals the per-image results draw for draw; the pixels are then moved in one vectorised step.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ember.tensor import Tensor
from ember.vision.transforms import _random as R
from ember.vision.transforms import functional as F
from ember.vision.transforms import transforms as T

_TO_TENSOR = (T.ToTensor, T.PILToTensor)
_AFTER = (T.Normalize, T.ConvertImageDtype, R.RandomHorizontalFlip, R.RandomVerticalFlip)
_BEFORE = (R.RandomCrop, R.RandomHorizontalFlip, R.RandomVerticalFlip)


def _batchable_crop(step: Any) -> bool:
    return step.padding_mode == "constant" and isinstance(step.fill, numbers.Number) \
        and not step.pad_if_needed


def _flip_draws(step: Any, count: int) -> np.ndarray:
    return np.array([R._rand() < step.p for _ in range(count)], dtype=bool)


def _crop_draw(step: Any, height: int, width: int) -> tuple[int, int]:
    crop_h, crop_w = step.size
    if height < crop_h or width < crop_w:
        raise ValueError(f"Required crop size {(crop_h, crop_w)} is larger than input image "
                         f"size {(height, width)}")
    if (height, width) == (crop_h, crop_w):
        return 0, 0
    return R._randint(0, height - crop_h + 1), R._randint(0, width - crop_w + 1)


def _draw_all(random_steps: list[Any], count: int, height: int, width: int) -> list[Any]:
    """Every random step's parameters, drawn sample by sample in the per-image order."""
    padded: list[tuple[int, int]] = []
    h, w = height, width
    for step in random_steps:  # the size each crop sees, after the padding before it
        if isinstance(step, R.RandomCrop):
            left, top, right, bottom = F._padding_ltrb(step.padding or 0)
            padded.append((h + top + bottom, w + left + right))
            h, w = step.size
        else:
            padded.append((h, w))
    draws: list[list[Any]] = [[] for _ in random_steps]
    for _ in range(count):
        for k, step in enumerate(random_steps):
            if isinstance(step, R.RandomCrop):
                draws[k].append(_crop_draw(step, *padded[k]))
            else:
                draws[k].append(R._rand() < step.p)
    return [np.asarray(d) for d in draws]


def _crop(images: np.ndarray, step: Any, origins: np.ndarray, channels_last: bool) -> np.ndarray:
    left, top, right, bottom = F._padding_ltrb(step.padding or 0)
    spatial = (1, 2) if channels_last else (2, 3)
    widths = [(0, 0)] * images.ndim
    widths[spatial[0]], widths[spatial[1]] = (top, bottom), (left, right)
    images = np.pad(images, widths, constant_values=step.fill)
    crop_h, crop_w = step.size
    rows = origins[:, 0, None] + np.arange(crop_h)
    cols = origins[:, 1, None] + np.arange(crop_w)
    batch = np.arange(len(images))[:, None, None]
    if channels_last:
        return images[batch, rows[:, :, None], cols[:, None, :]]
    return images.transpose(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]] \
        .transpose(0, 3, 1, 2)


def _flip(images: np.ndarray, step: Any, chosen: np.ndarray, channels_last: bool) -> np.ndarray:
    vertical = isinstance(step, R.RandomVerticalFlip)  # a subclass of the horizontal one
    axis = (1 if channels_last else 2) if vertical else (2 if channels_last else 3)
    out = images.copy()
    out[chosen] = np.flip(images[chosen], axis=axis)
    return out


def batch_transform(transform: Any) -> Callable[[np.ndarray], Tensor] | None:
    """See the module docstring."""
    steps = transform.transforms if isinstance(transform, T.Compose) else [transform]
    kinds = [type(step) for step in steps]
    converters = [i for i, kind in enumerate(kinds) if kind in _TO_TENSOR]
    if len(converters) != 1:
        return None
    split = converters[0]
    if not all(kind in _BEFORE for kind in kinds[:split]) or \
            not all(kind in _AFTER for kind in kinds[split + 1:]) or \
            not all(_batchable_crop(s) for s in steps if isinstance(s, R.RandomCrop)):
        return None
    random_steps = [s for s in steps if isinstance(s, (R.RandomCrop, R.RandomHorizontalFlip))]

    def apply(images: np.ndarray) -> Tensor:
        draws = _draw_all(random_steps, len(images), images.shape[1], images.shape[2])
        array = images
        for index, step in enumerate(steps):
            channels_last = index < split
            if isinstance(step, (R.RandomCrop, R.RandomHorizontalFlip)):
                params = draws[random_steps.index(step)]
                array = _crop(array, step, params, channels_last) \
                    if isinstance(step, R.RandomCrop) else \
                    _flip(array, step, params.astype(bool), channels_last)
            else:
                array = step._batch(array)
        return Tensor._wrap(np.ascontiguousarray(array))

    return apply
