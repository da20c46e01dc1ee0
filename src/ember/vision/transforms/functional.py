"""Image functions with torchvision's names and semantics, on PIL images and ember Tensors.

PIL images are transformed with Pillow exactly as torchvision does (so results are the
same pixels); Tensors ``(..., C, H, W)`` with the NumPy kernels of ``_arrays``, which follow
torchvision's tensor code (coordinates, rounding, clamping), over any leading batch dims.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from enum import Enum
from typing import Any

import numpy as np

from ember.tensor import Tensor
from ember.vision.transforms import _arrays, _pil


class InterpolationMode(Enum):
    """How pixels are resampled, as torchvision's ``InterpolationMode``."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def _is_tensor(img: Any) -> bool:
    return isinstance(img, Tensor)


def _array(img: Tensor) -> np.ndarray:
    return img.numpy()


def _check_image(img: Any) -> None:
    if not (_is_tensor(img) or _pil.is_pil(img)):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def get_dimensions(img: Any) -> list[int]:
    """``[channels, height, width]`` of a PIL image or a Tensor ``(..., C, H, W)``."""
    _check_image(img)
    if _is_tensor(img):
        shape = img.shape
        return [1 if len(shape) == 2 else shape[-3], shape[-2], shape[-1]]
    return [len(img.getbands()), img.height, img.width]


def get_image_size(img: Any) -> list[int]:
    """``[width, height]``."""
    _, height, width = get_dimensions(img)
    return [width, height]


# ------------------------------------------------------------------------- conversions
def to_tensor(pic: Any) -> Tensor:
    """PIL image or ``(H, W[, C])`` ndarray to a ``(C, H, W)`` Tensor; uint8 scaled to 0..1
    float32, other dtypes kept."""
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
        chw = np.ascontiguousarray(array.transpose(2, 0, 1))
        if chw.dtype == np.uint8:
            return Tensor._wrap(chw.astype(np.float32) / np.float32(255))
        return Tensor._wrap(chw)
    if not _pil.is_pil(pic):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    array = _pil.to_array(pic)
    chw = np.ascontiguousarray(array.transpose(2, 0, 1))
    if chw.dtype == np.uint8:
        return Tensor._wrap(chw.astype(np.float32) / np.float32(255))
    return Tensor._wrap(chw)


def pil_to_tensor(pic: Any) -> Tensor:
    """PIL image to a ``(C, H, W)`` Tensor of its own dtype, values unscaled."""
    if not _pil.is_pil(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    return Tensor._wrap(np.ascontiguousarray(_pil.to_array(pic).transpose(2, 0, 1)))


def to_pil_image(pic: Any, mode: str | None = None) -> Any:
    """Tensor ``(C, H, W)`` or ndarray ``(H, W, C)`` to a PIL image (floats times 255)."""
    if _is_tensor(pic):
        array = _array(pic)
        if array.ndim == 2:
            array = array[None]
        if array.ndim != 3:
            raise ValueError(f"pic should be 2/3 dimensional. Got {array.ndim} dimensions.")
        if array.dtype.kind == "f" and mode != "F":
            array = (array * 255).astype(np.uint8)
        return _pil.from_array(array.transpose(1, 2, 0), mode)
    if isinstance(pic, np.ndarray):
        array = pic[:, :, None] if pic.ndim == 2 else pic
        if array.ndim != 3:
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if array.dtype.kind == "f" and mode != "F":
            array = (array * 255).astype(np.uint8)
        return _pil.from_array(array, mode)
    raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")


def convert_image_dtype(image: Tensor, dtype: Any = None) -> Tensor:
    """Convert a Tensor image to ``dtype``, rescaling values (0..1 floats, 0..max integers)."""
    from ember.dtypes import float32, to_numpy_dtype

    if not _is_tensor(image):
        raise TypeError("Input img should be Tensor Image")
    source = _array(image)
    target = np.dtype(to_numpy_dtype(dtype if dtype is not None else float32))
    if source.dtype == target:
        return image
    if source.dtype.kind == "f":
        if target.kind == "f":
            return Tensor._wrap(source.astype(target))
        if (source.dtype == np.float32 and target in (np.int32, np.int64)) or \
                (source.dtype == np.float64 and target == np.int64):
            raise RuntimeError(f"The cast from {source.dtype} to {target} cannot be performed "
                               "safely.")
        eps = 1e-3
        return Tensor._wrap((source * (_arrays.max_value(target) + 1.0 - eps)).astype(target))
    source_max = _arrays.max_value(source.dtype)
    if target.kind == "f":
        return Tensor._wrap(source.astype(target) / target.type(source_max))
    target_max = _arrays.max_value(target)
    if source_max > target_max:
        factor = (source_max + 1) // (target_max + 1)
        return Tensor._wrap((source // factor).astype(target))
    factor = (target_max + 1) // (source_max + 1)
    return Tensor._wrap(source.astype(target) * factor)


# ------------------------------------------------------------------------- values
def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float],
              inplace: bool = False) -> Tensor:
    """``(x - mean) / std`` per channel of a float Tensor ``(..., C, H, W)``."""
    if not _is_tensor(tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    array = _array(tensor)
    if array.dtype.kind != "f":
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if array.ndim < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tuple(array.shape)}")
    mean_a = np.asarray(mean, dtype=array.dtype).reshape(-1, 1, 1)
    std_a = np.asarray(std, dtype=array.dtype).reshape(-1, 1, 1)
    if np.any(std_a == 0):
        raise ValueError(f"std evaluated to zero after conversion to {array.dtype}, leading "
                         "to division by zero.")
    if inplace:
        np.subtract(array, mean_a, out=array)
        np.divide(array, std_a, out=array)
        return tensor
    return Tensor._wrap((array - mean_a) / std_a)


def erase(img: Tensor, i: int, j: int, h: int, w: int, v: Any, inplace: bool = False) -> Tensor:
    """Set the ``h x w`` box at row ``i``, column ``j`` of a Tensor image to ``v``."""
    if not _is_tensor(img):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    array = _array(img) if inplace else _array(img).copy()
    array[..., i:i + h, j:j + w] = _array(v) if _is_tensor(v) else v
    return img if inplace else Tensor._wrap(array)


# ------------------------------------------------------------------------- geometry
def _output_size(height: int, width: int, size: Any, max_size: int | None) -> list[int]:
    if isinstance(size, int) or len(size) == 1:
        requested = size if isinstance(size, int) else size[0]
        short, long = (width, height) if width <= height else (height, width)
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                                 f"requested size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if width <= height else (new_long, new_short)
        return [new_h, new_w]
    if max_size is not None:
        raise ValueError("max_size should only be passed if size specifies the length of the "
                         "smaller edge, i.e. size should be an int or a sequence of length 1")
    return [int(size[0]), int(size[1])]


def resize(img: Any, size: Any, interpolation: InterpolationMode = InterpolationMode.BILINEAR,
           max_size: int | None = None, antialias: bool | None = True) -> Any:
    """Resize to ``size`` (h, w), or match the smaller edge to ``size`` when it is one int."""
    _check_image(img)
    interpolation = _interpolation(interpolation)
    _, height, width = get_dimensions(img)
    out_h, out_w = _output_size(height, width, size, max_size)
    if [height, width] == [out_h, out_w]:
        return img
    if _pil.is_pil(img):
        return _pil.resize(img, (out_w, out_h), interpolation.value)
    array = _array(img)
    return Tensor._wrap(_arrays.resize(array, (out_h, out_w), interpolation.value,
                                       bool(antialias)))


def crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    """The ``height x width`` box at (top, left); parts outside the image are zeros."""
    _check_image(img)
    if _pil.is_pil(img):
        return img.crop((left, top, left + width, top + height))
    array = _array(img)
    h, w = array.shape[-2:]
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding = [max(-left, 0), max(-top, 0), max(right - w, 0), max(bottom - h, 0)]
        inner = array[..., max(top, 0):bottom, max(left, 0):right]
        return Tensor._wrap(_arrays.pad(inner, *padding, fill=0, mode="constant"))
    return Tensor._wrap(array[..., top:bottom, left:right].copy())


def _pair(size: Any) -> tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)  # type: ignore[call-overload]
    if isinstance(size, Sequence) and len(size) == 1:
        return int(size[0]), int(size[0])
    if isinstance(size, Sequence) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"size should be an int or a sequence of one or two ints, got {size!r}")


def center_crop(img: Any, output_size: Any) -> Any:
    """The centred ``output_size`` box (zero-padded first where the image is smaller)."""
    crop_h, crop_w = _pair(output_size)
    _, height, width = get_dimensions(img)
    if crop_w > width or crop_h > height:
        padding = [(crop_w - width) // 2 if crop_w > width else 0,
                   (crop_h - height) // 2 if crop_h > height else 0,
                   (crop_w - width + 1) // 2 if crop_w > width else 0,
                   (crop_h - height + 1) // 2 if crop_h > height else 0]
        img = pad(img, padding, fill=0)
        _, height, width = get_dimensions(img)
        if crop_w == width and crop_h == height:
            return img
    top = int(round((height - crop_h) / 2.0))
    left = int(round((width - crop_w) / 2.0))
    return crop(img, top, left, crop_h, crop_w)


def resized_crop(img: Any, top: int, left: int, height: int, width: int, size: Any,
                 interpolation: InterpolationMode = InterpolationMode.BILINEAR,
                 antialias: bool | None = True) -> Any:
    """:func:`crop` then :func:`resize` to ``size``."""
    return resize(crop(img, top, left, height, width), size, interpolation,
                  antialias=antialias)


def _padding_ltrb(padding: Any) -> list[int]:
    if isinstance(padding, int):
        return [padding] * 4
    padding = list(padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    if len(padding) == 4:
        return padding
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a "
                     f"{len(padding)} element tuple")


_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect",
              "symmetric": "symmetric"}


def pad(img: Any, padding: Any, fill: Any = 0, padding_mode: str = "constant") -> Any:
    """Pad each border: ``padding`` is one int, (left/right, top/bottom) or (l, t, r, b)."""
    _check_image(img)
    if padding_mode not in _PAD_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _padding_ltrb(padding)
    if _pil.is_pil(img):
        return _pil.pad(img, left, top, right, bottom, fill, padding_mode)
    fill_value = 0 if fill is None else fill
    if not isinstance(fill_value, numbers.Number):
        raise TypeError("tensors are padded with a single number fill")
    return Tensor._wrap(_arrays.pad(_array(img), left, top, right, bottom, fill_value,
                                    padding_mode))


def hflip(img: Any) -> Any:
    """Mirror left to right."""
    _check_image(img)
    if _pil.is_pil(img):
        return _pil.flip(img, horizontal=True)
    return Tensor._wrap(_array(img)[..., ::-1].copy())


def vflip(img: Any) -> Any:
    """Mirror top to bottom."""
    _check_image(img)
    if _pil.is_pil(img):
        return _pil.flip(img, horizontal=False)
    return Tensor._wrap(_array(img)[..., ::-1, :].copy())


def _interpolation(mode: Any) -> InterpolationMode:
    if isinstance(mode, InterpolationMode):
        return mode
    if isinstance(mode, str):
        return InterpolationMode(mode)
    raise TypeError(f"Argument interpolation should be a InterpolationMode, got {mode!r}")


def _tensor_fill(fill: Any, channels: int) -> list[float] | None:
    if fill is None:
        return None
    values = [float(fill)] if isinstance(fill, numbers.Number) else [float(v) for v in fill]
    if len(values) not in (1, channels):
        raise ValueError(f"The number of elements in 'fill' cannot broadcast to match the "
                         f"number of channels of the image ({len(values)} != {channels})")
    return values


def rotate(img: Any, angle: float,
           interpolation: InterpolationMode = InterpolationMode.NEAREST, expand: bool = False,
           center: list[int] | None = None, fill: Any = None) -> Any:
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (default: the middle)."""
    _check_image(img)
    interpolation = _interpolation(interpolation)
    if _pil.is_pil(img):
        return _pil.rotate(img, angle, interpolation.value, expand, center, fill)
    if expand:
        raise NotImplementedError("rotate(expand=True) of tensors (supported on PIL images)")
    channels, height, width = get_dimensions(img)
    center_f = [0.0, 0.0] if center is None else \
        [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    matrix = _arrays.inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return Tensor._wrap(_arrays.affine_sample(_array(img), matrix, interpolation.value,
                                              _tensor_fill(fill, channels)))


def affine(img: Any, angle: float, translate: list[int], scale: float, shear: Any,
           interpolation: InterpolationMode = InterpolationMode.NEAREST, fill: Any = None,
           center: list[int] | None = None) -> Any:
    """Rotate by ``angle``, scale, shear (degrees; one number or (x, y)) and translate,
    keeping the image's size."""
    _check_image(img)
    interpolation = _interpolation(interpolation)
    if isinstance(shear, numbers.Number):
        shear = [float(shear), 0.0]
    shear = [float(s) for s in shear] + [0.0] * (2 - len(shear))
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    channels, height, width = get_dimensions(img)
    if _pil.is_pil(img):
        center_p = [width * 0.5, height * 0.5] if center is None else list(center)
        matrix = _arrays.inverse_affine_matrix(center_p, angle, list(translate), scale, shear)
        return _pil.affine(img, matrix, interpolation.value, fill)
    center_f = [0.0, 0.0] if center is None else \
        [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    matrix = _arrays.inverse_affine_matrix(center_f, angle, [1.0 * t for t in translate], scale,
                                           shear)
    return Tensor._wrap(_arrays.affine_sample(_array(img), matrix, interpolation.value,
                                              _tensor_fill(fill, channels)))


from ember.vision.transforms._color import (  # noqa: E402 - colour half, re-exported here
    adjust_brightness,
    adjust_contrast,
    adjust_hue,
    adjust_saturation,
    rgb_to_grayscale,
)

__all__ = [
    "InterpolationMode", "adjust_brightness", "adjust_contrast", "adjust_hue",
    "adjust_saturation", "affine", "center_crop", "convert_image_dtype", "crop", "erase",
    "get_dimensions", "get_image_size", "hflip", "normalize", "pad", "pil_to_tensor",
    "resize", "resized_crop", "rgb_to_grayscale", "rotate", "to_pil_image", "to_tensor",
    "vflip",
]
