"""Keras's image preprocessing and augmentation layers on channels-last (N, H, W, C) batches:
``Resizing`` and ``CenterCrop`` always act; ``RandomFlip``, ``RandomRotation``, ``RandomZoom``,
``RandomTranslation``, ``RandomContrast`` and ``RandomBrightness`` act only while training
(``fit``), and pass images through unchanged in ``predict``/``evaluate``, as in Keras.

The random geometric layers share one affine warp: every output pixel samples the input
bilinearly at its inverse-transformed position, with Keras's fill modes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import ops
from ember import random as ember_random
from ember.keras.layers.base import Layer
from ember.nn.functional.resample import interpolate
from ember.tensor import Tensor

# Keras's 'wrap' (TensorFlow's period of size - 1 with edge reads) is not reproduced yet.
_FILL_MODES = ("reflect", "constant", "nearest")


def _range(factor: Any, name: str) -> tuple[float, float]:
    """Keras's ``factor``: a number f means [-f, f]; a pair is (low, high)."""
    low, high = (-abs(float(factor)), abs(float(factor))) if np.isscalar(factor) else \
        (float(factor[0]), float(factor[1]))
    if low > high:
        raise ValueError(f"{name}: factor's lower bound {low} is above its upper bound {high}")
    return low, high


def _fold(coords: np.ndarray, size: int, mode: str) -> np.ndarray:
    """Map sample positions outside [0, size - 1] back inside, per Keras's fill modes."""
    if mode == "reflect":  # mirror about the edges (d c b a | a b c d | d c b a)
        period = 2 * size
        coords = np.mod(coords + 0.5, period) - 0.5
        return np.where(coords > size - 0.5, period - 1 - coords, coords)
    if mode == "nearest":
        return np.clip(coords, 0, size - 1)
    return coords  # constant: left outside, filled below


def affine_warp(images: np.ndarray, inverse: np.ndarray, fill_mode: str,
                fill_value: float, interpolation: str) -> np.ndarray:
    """images (N, H, W, C); inverse (N, 2, 3) maps output (row, col, 1) to input (row, col)."""
    n, h, w, c = images.shape
    rows, cols = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64),
                             indexing="ij")
    grid = np.stack([rows, cols, np.ones_like(rows)], axis=0).reshape(3, -1)  # (3, H*W)
    source = inverse @ grid  # (N, 2, H*W)
    src_r, src_c = _fold(source[:, 0], h, fill_mode), _fold(source[:, 1], w, fill_mode)
    batch = np.arange(n)[:, None]
    constant = fill_mode == "constant"

    def sample(r: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Pixels at integer positions; in constant mode a position off the image reads
        ``fill_value`` (each bilinear neighbour on its own, as Keras)."""
        inside = (r >= 0) & (r <= h - 1) & (q >= 0) & (q <= w - 1)
        pixels = images[batch, np.clip(r, 0, h - 1).astype(np.int64),
                        np.clip(q, 0, w - 1).astype(np.int64)]
        return np.where(inside[..., None], pixels, fill_value) if constant else pixels

    if interpolation == "nearest":
        out = sample(np.round(src_r), np.round(src_c))
    else:
        r0, c0 = np.floor(src_r), np.floor(src_c)
        fr, fc = (src_r - r0)[..., None], (src_c - c0)[..., None]
        out = ((1 - fr) * ((1 - fc) * sample(r0, c0) + fc * sample(r0, c0 + 1))
               + fr * ((1 - fc) * sample(r0 + 1, c0) + fc * sample(r0 + 1, c0 + 1)))
    return out.reshape(n, h, w, c).astype(images.dtype)


class _RandomLayer(Layer):
    """Acts while training only; ``seed`` is accepted for Keras code (ember's global random
    state drives every draw, so ``keras.utils.set_random_seed`` makes runs repeatable)."""

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        if not training:
            return x
        return Tensor._wrap(self.augment(np.asarray(x._data)))

    def augment(self, images: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def uniform(low: float, high: float, size: int) -> np.ndarray:
        return ember_random.rng().uniform(low, high, size)


class _WarpLayer(_RandomLayer):
    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: Any = None, fill_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError(f"{type(self).__name__}: fill_mode={fill_mode!r} (one of "
                                      f"{_FILL_MODES})")
        if interpolation not in ("bilinear", "nearest"):
            raise NotImplementedError(f"{type(self).__name__}: interpolation={interpolation!r}")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, \
            float(fill_value)

    def augment(self, images: np.ndarray) -> np.ndarray:
        return affine_warp(images, self.inverse_maps(images.shape), self.fill_mode,
                           self.fill_value, self.interpolation)

    def inverse_maps(self, shape: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomRotation(_WarpLayer):
    """Rotate each image by a random angle in ``factor`` * 2 pi about its centre."""

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: Any = None, fill_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = _range(factor, "RandomRotation")

    def inverse_maps(self, shape: tuple[int, ...]) -> np.ndarray:
        n, h, w = shape[:3]
        angles = self.uniform(*self.factor, n) * 2 * np.pi
        cos, sin = np.cos(angles), np.sin(angles)
        cy, cx = (h - 1) / 2, (w - 1) / 2
        maps = np.zeros((n, 2, 3))
        maps[:, 0, 0], maps[:, 0, 1] = cos, sin
        maps[:, 1, 0], maps[:, 1, 1] = -sin, cos
        maps[:, 0, 2] = cy - cos * cy - sin * cx
        maps[:, 1, 2] = cx + sin * cy - cos * cx
        return maps

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": list(self.factor)}


class RandomZoom(_WarpLayer):
    """Zoom each image by a random ``height_factor`` (negative: in) and ``width_factor``
    (default: the height's)."""

    def __init__(self, height_factor: Any, width_factor: Any = None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: Any = None, fill_value: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor = _range(height_factor, "RandomZoom")
        self.width_factor = None if width_factor is None else _range(width_factor, "RandomZoom")

    def inverse_maps(self, shape: tuple[int, ...]) -> np.ndarray:
        n, h, w = shape[:3]
        zoom_h = 1 + self.uniform(*self.height_factor, n)
        zoom_w = zoom_h if self.width_factor is None else 1 + self.uniform(*self.width_factor, n)
        cy, cx = (h - 1) / 2, (w - 1) / 2
        maps = np.zeros((n, 2, 3))
        maps[:, 0, 0], maps[:, 1, 1] = zoom_h, zoom_w
        maps[:, 0, 2], maps[:, 1, 2] = cy * (1 - zoom_h), cx * (1 - zoom_w)
        return maps

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": list(self.height_factor),
                "width_factor": None if self.width_factor is None else list(self.width_factor)}


class RandomTranslation(_WarpLayer):
    """Shift each image by random fractions ``height_factor`` and ``width_factor`` of its
    size."""

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: Any = None, fill_value: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor = _range(height_factor, "RandomTranslation")
        self.width_factor = _range(width_factor, "RandomTranslation")

    def inverse_maps(self, shape: tuple[int, ...]) -> np.ndarray:
        n, h, w = shape[:3]
        maps = np.zeros((n, 2, 3))
        maps[:, 0, 0] = maps[:, 1, 1] = 1
        maps[:, 0, 2] = -self.uniform(*self.height_factor, n) * h
        maps[:, 1, 2] = -self.uniform(*self.width_factor, n) * w
        return maps

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": list(self.height_factor),
                "width_factor": list(self.width_factor)}


class RandomFlip(_RandomLayer):
    """Flip each image left-right and/or up-down with probability 1/2."""

    def __init__(self, mode: str = "horizontal_and_vertical", seed: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode="
                             f"{mode!r}")
        self.mode = mode

    def augment(self, images: np.ndarray) -> np.ndarray:
        out = images.copy()
        n = len(images)
        if "horizontal" in self.mode:
            flip = self.uniform(0, 1, n) < 0.5
            out[flip] = out[flip][:, :, ::-1]
        if "vertical" in self.mode:
            flip = self.uniform(0, 1, n) < 0.5
            out[flip] = out[flip][:, ::-1]
        return out

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mode": self.mode}


class RandomContrast(_RandomLayer):
    """Scale each image's deviation from its per-channel mean by a random factor in
    [1 - lower, 1 + upper] (``factor`` f means lower = upper = f, a pair is (lower, upper))."""

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        lower, upper = (float(factor), float(factor)) if np.isscalar(factor) else \
            (float(factor[0]), float(factor[1]))
        if lower < 0 or upper < 0 or lower > 1:
            raise ValueError(f"RandomContrast: factor must be non-negative (lower at most 1), "
                             f"got {factor!r}")
        self.factor = (lower, upper)
        self.value_range = (float(value_range[0]), float(value_range[1]))

    def augment(self, images: np.ndarray) -> np.ndarray:
        lower, upper = self.factor
        scale = self.uniform(1 - lower, 1 + upper, len(images)).reshape(-1, 1, 1, 1)
        mean = images.mean(axis=(1, 2), keepdims=True)
        out = (images - mean) * scale + mean
        return np.clip(out, *self.value_range).astype(images.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


class RandomBrightness(_RandomLayer):
    """Add a random ``factor`` * (value range) to each image, clipped to ``value_range``."""

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.factor = _range(factor, "RandomBrightness")
        self.value_range = (float(value_range[0]), float(value_range[1]))

    def augment(self, images: np.ndarray) -> np.ndarray:
        span = self.value_range[1] - self.value_range[0]
        delta = self.uniform(*self.factor, len(images)).reshape(-1, 1, 1, 1) * span
        return np.clip(images + delta, *self.value_range).astype(images.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


class Resizing(Layer):
    """Resize images to (height, width) with ``interpolation`` (bilinear by default)."""

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if crop_to_aspect_ratio:
            raise NotImplementedError("Resizing: crop_to_aspect_ratio=True is not supported")
        if interpolation not in ("bilinear", "nearest", "bicubic", "area"):
            raise NotImplementedError(f"Resizing: interpolation={interpolation!r}")
        self.height, self.width, self.interpolation = int(height), int(width), interpolation

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        out = interpolate(ops.permute(x, 0, 3, 1, 2), size=(self.height, self.width),
                          mode=self.interpolation)
        return ops.permute(out, 0, 2, 3, 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation}


class CenterCrop(Layer):
    """The central (height, width) window of each image (resized up first if smaller)."""

    def __init__(self, height: int, width: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.height, self.width = int(height), int(width)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        h, w = x.shape[1], x.shape[2]
        if h < self.height or w < self.width:
            return Resizing(self.height, self.width)(x)
        top, left = (h - self.height) // 2, (w - self.width) // 2
        return x[:, top:top + self.height, left:left + self.width]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width}
