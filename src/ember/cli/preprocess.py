"""The preprocessing a model was trained with, as a JSON record, and applying it to raw data.

A record is either tabular, ``{"kind": "tabular", "mean": [...], "std": [...]}``, or image,
``{"kind": "image", "size": 28, "channels": 1, "raw_max": 255, "per_image": false,
"equalize": false, "mean": [...], "std": [...], "layout": "flat" | "nchw" | "nhwc"}``. Raw
images are ``(N, H, W)`` or ``(N, H, W, C)`` with values ``0..raw_max``; they are
histogram-equalised per image and channel when ``equalize``, scaled to ``0..1``, standardised
each on its own when ``per_image``, then per channel with ``mean`` and ``std``, and laid out as
the network expects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

LAYOUTS = ("flat", "nchw", "nhwc")


def image_spec(size: int, channels: int, mean: list[float], std: list[float], layout: str,
               raw_max: float = 255.0, per_image: bool = False,
               equalize: bool = False) -> dict[str, Any]:
    """The record of an image pipeline (see the module docstring)."""
    assert layout in LAYOUTS, layout
    return {"kind": "image", "size": size, "channels": channels, "raw_max": raw_max,
            "per_image": per_image, "equalize": equalize, "mean": [float(m) for m in mean],
            "std": [float(s) for s in std], "layout": layout}


def equalize_each_image(x: np.ndarray, levels: int = 256) -> np.ndarray:
    """Histogram equalisation of every image and channel on its own, all at once.

    x: (N, H, W, C) integer levels ``0..levels-1``. Returns float32 in 0..1: each level mapped
    through its image-channel's cumulative histogram, stretched so the darkest level present
    maps to 0 and the brightest to 1 (as OpenCV's ``equalizeHist``, before its rounding). Dim
    and washed-out photographs then use the whole range.
    """
    n, height, width, channels = x.shape
    levels_of = np.asarray(x, np.int64).transpose(0, 3, 1, 2).reshape(n * channels, -1)
    # One histogram per (image, channel): offset each row's levels into its own bins.
    index = levels_of + (np.arange(n * channels) * levels)[:, None]
    cdf = np.bincount(index.ravel(), minlength=n * channels * levels).reshape(-1, levels)
    cdf = np.cumsum(cdf, axis=1, dtype=np.float64)
    darkest = np.take_along_axis(cdf, levels_of.min(axis=1, keepdims=True), axis=1)
    spread = np.maximum(cdf[:, -1:] - darkest, 1)
    table = ((cdf - darkest) / spread).astype(np.float32)  # level -> 0..1, per row
    mapped = table.ravel()[index]
    return np.clip(mapped, 0, 1).reshape(n, channels, height, width).transpose(0, 2, 3, 1)


def standardize_each_image(x: np.ndarray) -> np.ndarray:
    """Subtract each image's own mean and divide by its own std (in place on float32 x:
    (N, H, W, C)), which removes differences of brightness and contrast between images."""
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    std = x.std(axis=(1, 2, 3), keepdims=True)
    x -= mean
    x /= np.maximum(std, np.float32(1.0 / 255))
    return x


def tabular_spec(mean: np.ndarray, std: np.ndarray, feature_names: list[str]) -> dict[str, Any]:
    """The record of a standardised tabular pipeline."""
    return {"kind": "tabular", "mean": [float(m) for m in mean], "std": [float(s) for s in std],
            "feature_names": list(feature_names)}


def apply(spec: dict[str, Any], raw: np.ndarray) -> np.ndarray:
    """Turn raw data into the model's float32 input, exactly as at training time."""
    if spec["kind"] == "table":  # a CSV's cells: see ember.cli.table
        from ember.cli.table import encode

        return encode(spec, raw)
    if spec["kind"] == "tabular":
        mean = np.asarray(spec["mean"], np.float32)
        std = np.asarray(spec["std"], np.float32)
        data = np.asarray(raw, np.float32)
        if data.ndim != 2 or data.shape[1] != len(mean):
            raise ValueError(f"expected {len(mean)} feature values per sample, got data of shape "
                             f"{data.shape}")
        return (data - mean) / std
    x = np.asarray(raw, np.float32)
    if x.ndim == 3:
        x = x[..., None]
    channels = spec["channels"]
    if x.ndim != 4 or x.shape[-1] != channels:
        raise ValueError(f"expected images of shape (N, H, W, {channels}), got {x.shape}")
    if spec.get("equalize"):
        levels = np.rint(x * np.float32(255.0 / spec["raw_max"]))
        x = equalize_each_image(np.clip(levels, 0, 255, out=levels))
    else:
        x = x * np.float32(1.0 / spec["raw_max"])
    if spec.get("per_image"):
        x = standardize_each_image(x)
    x -= np.asarray(spec["mean"], np.float32)
    x *= np.float32(1.0) / np.asarray(spec["std"], np.float32)
    if spec["layout"] == "flat":
        return x.reshape(len(x), -1)
    if spec["layout"] == "nchw":
        return np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    return x


def load_image(path: str | Path, spec: dict[str, Any]) -> np.ndarray:
    """Read one image file of any size or mode as the raw array the model's pipeline takes.

    Returns ``(size, size)`` for one channel or ``(size, size, 3)``, valued ``0..raw_max``.
    Raises ``ValueError`` naming the file when it is missing or not an image.
    """
    from PIL import Image, UnidentifiedImageError

    if spec.get("kind") != "image":
        raise ValueError(f"{path}: this model takes feature values, not images; use --values")
    try:
        with Image.open(path) as image:
            image = image.convert("L" if spec["channels"] == 1 else "RGB")
            size = int(spec["size"])
            if image.size != (size, size):
                image = image.resize((size, size), Image.Resampling.BILINEAR)
            pixels = np.asarray(image, dtype=np.float32)
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a folder, expected an image file") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        reason = " ".join(str(exc).split())[:100]
        raise ValueError(f"{path}: not a readable image ({type(exc).__name__}: {reason})") \
            from None
    return pixels * np.float32(spec["raw_max"] / 255.0)
