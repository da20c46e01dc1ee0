"""Colour functions (brightness, contrast, saturation, hue, grayscale) on PIL images and
Tensors, as torchvision's: Pillow's ``ImageEnhance`` for PIL images, blends for Tensors."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.tensor import Tensor
from ember.vision.transforms import _arrays, _pil


def _check(img: Any) -> None:
    if not (isinstance(img, Tensor) or _pil.is_pil(img)):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def _nonnegative(factor: float, name: str) -> None:
    if factor < 0:
        raise ValueError(f"{name} ({factor}) is not non-negative.")


def _channels(array: np.ndarray) -> int:
    return array.shape[-3]


def rgb_to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """Luma (ITU-R 601-2) as 1 or 3 identical channels."""
    _check(img)
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if _pil.is_pil(img):
        from PIL import Image

        gray = img.convert("L")
        if num_output_channels == 1:
            return gray
        plane = np.array(gray, dtype=np.uint8)
        return Image.fromarray(np.dstack([plane, plane, plane]), "RGB")
    array = img.numpy()
    if _channels(array) not in (1, 3):
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found "
                        f"{_channels(array)}")
    gray = _arrays.grayscale(array) if _channels(array) == 3 else array.copy()
    if num_output_channels == 3:
        gray = np.repeat(gray, 3, axis=-3)
    return Tensor._wrap(gray)


def adjust_brightness(img: Any, brightness_factor: float) -> Any:
    """Multiply intensities by ``brightness_factor`` (0 gives black)."""
    _check(img)
    _nonnegative(brightness_factor, "brightness_factor")
    if _pil.is_pil(img):
        from PIL import ImageEnhance

        return ImageEnhance.Brightness(img).enhance(brightness_factor)
    return Tensor._wrap(_arrays.blend(img.numpy(), 0.0, brightness_factor))


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    """Blend with the image's mean gray level (0 gives a flat gray image)."""
    _check(img)
    _nonnegative(contrast_factor, "contrast_factor")
    if _pil.is_pil(img):
        from PIL import ImageEnhance

        return ImageEnhance.Contrast(img).enhance(contrast_factor)
    array = img.numpy()
    work = _arrays.working_float(array.dtype)
    gray = _arrays.grayscale(array) if _channels(array) == 3 else array
    mean = gray.astype(work).mean(axis=(-3, -2, -1), keepdims=True)
    return Tensor._wrap(_arrays.blend(array, mean, contrast_factor))


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    """Blend with the grayscale image (0 gives gray, 2 doubles the saturation)."""
    _check(img)
    _nonnegative(saturation_factor, "saturation_factor")
    if _pil.is_pil(img):
        from PIL import ImageEnhance

        return ImageEnhance.Color(img).enhance(saturation_factor)
    array = img.numpy()
    if _channels(array) == 1:
        return img
    return Tensor._wrap(_arrays.blend(array, _arrays.grayscale(array), saturation_factor))


def adjust_hue(img: Any, hue_factor: float) -> Any:
    """Shift the hue by ``hue_factor`` of a full turn, in [-0.5, 0.5]."""
    _check(img)
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if _pil.is_pil(img):
        from PIL import Image

        if img.mode in {"L", "1", "I", "F"}:
            return img
        h, s, v = img.convert("HSV").split()
        hue = np.array(h, dtype=np.uint8)
        with np.errstate(over="ignore"):
            hue += np.uint8(int(hue_factor * 255) % 256)
        return Image.merge("HSV", (Image.fromarray(hue, "L"), s, v)).convert(img.mode)
    array = img.numpy()
    if _channels(array) == 1:
        return img
    dtype = array.dtype
    work = array.astype(np.float32) / np.float32(255) if dtype == np.uint8 else array
    hsv = _arrays.rgb_to_hsv(work)
    hsv[..., 0, :, :] = (hsv[..., 0, :, :] + hue_factor) % 1.0
    rgb = _arrays.hsv_to_rgb(hsv)
    if dtype == np.uint8:
        rgb = (rgb * np.float32(255.0 + 1.0 - 1e-3)).astype(np.uint8)
    return Tensor._wrap(rgb)
