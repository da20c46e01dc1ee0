"""The PIL side of the transforms: Pillow calls made exactly as torchvision makes them.

Pillow is imported inside the functions, so importing ember.vision does not load it.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

_PIL_FILTERS = {"nearest": 0, "bilinear": 2, "bicubic": 3, "box": 4, "hamming": 5, "lanczos": 1}
_ARRAY_TYPES = {"I": np.int32, "I;16": np.int16, "I;16B": np.int16, "F": np.float32}


def is_pil(img: Any) -> bool:
    try:
        from PIL import Image
    except ImportError:
        return False
    return isinstance(img, Image.Image)


def resample(mode: str) -> int:
    if mode not in _PIL_FILTERS:
        raise NotImplementedError(f"interpolation {mode!r} on PIL images")
    return _PIL_FILTERS[mode]


def to_array(pic: Any) -> np.ndarray:
    """``(H, W, C)`` pixels of a PIL image (mode "1" as 0/255 uint8)."""
    array = np.array(pic, dtype=_ARRAY_TYPES.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        array = 255 * array
    return array.reshape(pic.height, pic.width, len(pic.getbands()))


def from_array(array: np.ndarray, mode: str | None) -> Any:
    """A PIL image from ``(H, W, C)`` pixels; the mode inferred from channels and dtype."""
    from PIL import Image

    channels = array.shape[2]
    if channels == 1:
        plane = array[:, :, 0]
        inferred = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(plane.dtype)
        if inferred is None:
            raise TypeError(f"Input type {plane.dtype} is not supported")
        if mode is not None and mode != inferred:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type "
                             f"{plane.dtype}. Should be {inferred}")
        return Image.fromarray(plane, inferred)
    defaults = {2: "LA", 3: "RGB", 4: "RGBA"}
    if channels not in defaults:
        raise ValueError(f"pic should not have > 4 channels. Got {channels} channels.")
    if array.dtype != np.uint8:
        raise TypeError(f"Input type {array.dtype} is not supported")
    return Image.fromarray(np.ascontiguousarray(array), mode or defaults[channels])


def resize(img: Any, size: tuple[int, int], mode: str) -> Any:
    return img.resize(size, resample(mode))


def flip(img: Any, horizontal: bool) -> Any:
    from PIL import Image

    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT if horizontal
                         else Image.Transpose.FLIP_TOP_BOTTOM)


def fill_options(fill: Any, img: Any) -> dict[str, Any]:
    """``fillcolor`` for Pillow: one value per band, ints unless the image is mode "F"."""
    bands = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, numbers.Number) and bands > 1:
        fill = tuple([fill] * bands)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * bands
        elif len(fill) != bands:
            raise ValueError(f"The number of elements in 'fill' does not match the number of "
                             f"bands of the image ({len(fill)} != {bands})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(v) for v in fill) if isinstance(fill, tuple) else int(fill)
    return {"fillcolor": fill}


def pad(img: Any, left: int, top: int, right: int, bottom: int, fill: Any, mode: str) -> Any:
    from PIL import Image

    array = to_array(img)
    widths = ((top, bottom), (left, right), (0, 0))
    if mode == "constant":
        value = fill_options(fill, img)["fillcolor"]
        out = np.empty((array.shape[0] + top + bottom, array.shape[1] + left + right,
                        array.shape[2]), dtype=array.dtype)
        out[...] = np.asarray(value, dtype=array.dtype)
        out[top:top + array.shape[0], left:left + array.shape[1]] = array
    else:
        out = np.pad(array, widths, mode=mode)
    if img.mode == "P":
        padded = Image.fromarray(out[:, :, 0], "P")
        padded.putpalette(img.getpalette())
        return padded
    return Image.fromarray(out if out.shape[2] > 1 else out[:, :, 0], img.mode)


def rotate(img: Any, angle: float, mode: str, expand: bool, center: Any, fill: Any) -> Any:
    return img.rotate(angle, resample(mode), expand, center, **fill_options(fill, img))


def affine(img: Any, matrix: list[float], mode: str, fill: Any) -> Any:
    from PIL import Image

    return img.transform(img.size, Image.Transform.AFFINE, matrix, resample(mode),
                         **fill_options(fill, img))
