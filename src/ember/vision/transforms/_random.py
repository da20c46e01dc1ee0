"""Random transforms (torchvision's names, arguments and ``get_params``).

Every draw comes from ember's default generator, so ``ember.manual_seed`` makes a run's
augmentation reproducible (the numbers differ from torch's own generator, as any two
generators do); each class's static ``get_params`` returns the draw, and the work is done
by :mod:`.functional` with those parameters.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ember import random as _random
from ember.tensor import Tensor
from ember.vision.transforms import functional as F
from ember.vision.transforms.functional import InterpolationMode
from ember.vision.transforms.transforms import Transform


def _uniform(low: float, high: float) -> float:
    return float(_random.rng(None).uniform(low, high))


def _randint(low: int, high: int) -> int:
    """An int in ``[low, high)``."""
    return int(_random.rng(None).integers(low, high))


def _rand() -> float:
    return float(_random.rng(None).random())


def _range(value: Any, name: str, center: float = 0.0) -> list[float]:
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        return [center - float(value), center + float(value)]
    if isinstance(value, Sequence) and len(value) == 2:
        return [float(value[0]), float(value[1])]
    raise ValueError(f"If {name} is a sequence, it must be of len 2.")


class RandomHorizontalFlip(Transform):
    """Mirror left to right with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def forward(self, img: Any) -> Any:
        return F.hflip(img) if _rand() < self.p else img

    def _settings(self) -> str:
        return f"p={self.p}"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top to bottom with probability ``p``."""

    def forward(self, img: Any) -> Any:
        return F.vflip(img) if _rand() < self.p else img


class RandomGrayscale(Transform):
    """Grayscale (as many channels as the input) with probability ``p``."""

    def __init__(self, p: float = 0.1) -> None:
        self.p = p

    def forward(self, img: Any) -> Any:
        channels = F.get_dimensions(img)[0]
        return F.rgb_to_grayscale(img, channels) if _rand() < self.p else img


class RandomCrop(Transform):
    """A random ``size`` box, after optional ``padding`` (or padding up to ``size`` with
    ``pad_if_needed``)."""

    def __init__(self, size: Any, padding: Any = None, pad_if_needed: bool = False,
                 fill: Any = 0, padding_mode: str = "constant") -> None:
        self.size = F._pair(size)
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    @staticmethod
    def get_params(img: Any, output_size: tuple[int, int]) -> tuple[int, int, int, int]:
        _, height, width = F.get_dimensions(img)
        crop_h, crop_w = output_size
        if height < crop_h or width < crop_w:
            raise ValueError(f"Required crop size {(crop_h, crop_w)} is larger than input "
                             f"image size {(height, width)}")
        if width == crop_w and height == crop_h:
            return 0, 0, height, width
        return _randint(0, height - crop_h + 1), _randint(0, width - crop_w + 1), crop_h, crop_w

    def forward(self, img: Any) -> Any:
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        return F.crop(img, *self.get_params(img, self.size))

    def _settings(self) -> str:
        return f"size={self.size}, padding={self.padding}"


class RandomResizedCrop(Transform):
    """A random box of ``scale`` of the area and ``ratio`` aspect, resized to ``size``."""

    def __init__(self, size: Any, scale: tuple[float, float] = (0.08, 1.0),
                 ratio: tuple[float, float] = (3.0 / 4.0, 4.0 / 3.0),
                 interpolation: InterpolationMode = InterpolationMode.BILINEAR,
                 antialias: bool | None = True) -> None:
        self.size = F._pair(size)
        self.scale, self.ratio = scale, ratio
        self.interpolation, self.antialias = interpolation, antialias

    @staticmethod
    def get_params(img: Any, scale: Sequence[float], ratio: Sequence[float]
                   ) -> tuple[int, int, int, int]:
        _, height, width = F.get_dimensions(img)
        area = height * width
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect = math.exp(_uniform(*log_ratio))
            w = int(round(math.sqrt(target_area * aspect)))
            h = int(round(math.sqrt(target_area / aspect)))
            if 0 < w <= width and 0 < h <= height:
                return _randint(0, height - h + 1), _randint(0, width - w + 1), h, w
        in_ratio = width / height
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def forward(self, img: Any) -> Any:
        top, left, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, top, left, h, w, self.size, self.interpolation,
                              antialias=self.antialias)


class RandomRotation(Transform):
    """Rotate by an angle drawn uniformly from ``degrees`` (a number d means (-d, d))."""

    def __init__(self, degrees: Any, interpolation: InterpolationMode = InterpolationMode.NEAREST,
                 expand: bool = False, center: Any = None, fill: Any = 0) -> None:
        self.degrees = _range(degrees, "degrees")
        self.interpolation, self.expand, self.center, self.fill = \
            interpolation, expand, center, fill

    @staticmethod
    def get_params(degrees: list[float]) -> float:
        return _uniform(degrees[0], degrees[1])

    def forward(self, img: Any) -> Any:
        fill = self.fill
        if isinstance(img, Tensor) and isinstance(fill, (int, float)):
            fill = [float(fill)] * F.get_dimensions(img)[0]
        return F.rotate(img, self.get_params(self.degrees), self.interpolation, self.expand,
                        self.center, fill)


class RandomAffine(Transform):
    """Random rotation, translation (fractions of width/height), scale and shear."""

    def __init__(self, degrees: Any, translate: tuple[float, float] | None = None,
                 scale: tuple[float, float] | None = None, shear: Any = None,
                 interpolation: InterpolationMode = InterpolationMode.NEAREST, fill: Any = 0,
                 center: Any = None) -> None:
        self.degrees = _range(degrees, "degrees")
        if translate is not None and not all(0.0 <= t <= 1.0 for t in translate):
            raise ValueError("translation values should be between 0 and 1")
        if scale is not None and any(s <= 0 for s in scale):
            raise ValueError("scale values should be positive")
        self.translate, self.scale = translate, scale
        self.shear = None if shear is None else (
            _range(shear, "shear") if isinstance(shear, numbers.Number) or len(shear) == 2
            else [float(s) for s in shear])
        self.interpolation, self.fill, self.center = interpolation, fill, center

    @staticmethod
    def get_params(degrees: list[float], translate: Any, scale_ranges: Any, shears: Any,
                   img_size: list[int]) -> tuple[float, tuple[int, int], float, tuple[float,
                                                                                      float]]:
        angle = _uniform(degrees[0], degrees[1])
        if translate is not None:
            max_dx, max_dy = float(translate[0] * img_size[0]), float(translate[1] * img_size[1])
            translations = (int(round(_uniform(-max_dx, max_dx))),
                            int(round(_uniform(-max_dy, max_dy))))
        else:
            translations = (0, 0)
        scale = 1.0 if scale_ranges is None else _uniform(scale_ranges[0], scale_ranges[1])
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = _uniform(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = _uniform(shears[2], shears[3])
        return angle, translations, scale, (shear_x, shear_y)

    def forward(self, img: Any) -> Any:
        channels, height, width = F.get_dimensions(img)
        fill = self.fill
        if isinstance(img, Tensor) and isinstance(fill, (int, float)):
            fill = [float(fill)] * channels
        angle, translations, scale, shear = self.get_params(
            self.degrees, self.translate, self.scale, self.shear, [width, height])
        return F.affine(img, angle, list(translations), scale, list(shear), self.interpolation,
                        fill, self.center)


class ColorJitter(Transform):
    """Random brightness, contrast, saturation and hue, applied in a random order."""

    def __init__(self, brightness: Any = 0, contrast: Any = 0, saturation: Any = 0,
                 hue: Any = 0) -> None:
        self.brightness = self._check(brightness, "brightness")
        self.contrast = self._check(contrast, "contrast")
        self.saturation = self._check(saturation, "saturation")
        self.hue = self._check(hue, "hue", center=0.0, bound=(-0.5, 0.5), clip=False)

    @staticmethod
    def _check(value: Any, name: str, center: float = 1.0,
               bound: tuple[float, float] = (0, float("inf")), clip: bool = True
               ) -> tuple[float, float] | None:
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            low, high = center - float(value), center + float(value)
            if clip:
                low = max(low, 0.0)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            low, high = float(value[0]), float(value[1])
        else:
            raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
        if not bound[0] <= low <= high <= bound[1]:
            raise ValueError(f"{name} values should be between {bound}, but got {[low, high]}.")
        return None if low == high == center else (low, high)

    @staticmethod
    def get_params(brightness: Any, contrast: Any, saturation: Any, hue: Any) -> tuple[Any, ...]:
        order = _random.rng(None).permutation(4)
        factors = [None if r is None else _uniform(r[0], r[1])
                   for r in (brightness, contrast, saturation, hue)]
        return (order, *factors)

    def forward(self, img: Any) -> Any:
        order, *factors = self.get_params(self.brightness, self.contrast, self.saturation,
                                          self.hue)
        functions = (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue)
        for index in order:
            if factors[index] is not None:
                img = functions[index](img, factors[index])
        return img


class RandomErasing(Transform):
    """With probability ``p``, erase a random box of a Tensor image (``value``: a number,
    one per channel, or ``"random"`` for normal noise)."""

    def __init__(self, p: float = 0.5, scale: tuple[float, float] = (0.02, 0.33),
                 ratio: tuple[float, float] = (0.3, 3.3), value: Any = 0,
                 inplace: bool = False) -> None:
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        if p < 0 or p > 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p, self.scale, self.ratio, self.value, self.inplace = p, scale, ratio, value, inplace

    @staticmethod
    def get_params(img: Tensor, scale: Sequence[float], ratio: Sequence[float],
                   value: list[float] | None = None) -> tuple[int, int, int, int, Any]:
        channels, height, width = img.shape[-3], img.shape[-2], img.shape[-1]
        area = height * width
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            erase_area = area * _uniform(scale[0], scale[1])
            aspect = math.exp(_uniform(*log_ratio))
            h = int(round(math.sqrt(erase_area * aspect)))
            w = int(round(math.sqrt(erase_area / aspect)))
            if not (h < height and w < width):
                continue
            if value is None:
                v: Any = _random.rng(None).standard_normal((channels, h, w), dtype=np.float32)
            else:
                v = np.asarray(value, dtype=np.float32)[:, None, None]
            return _randint(0, height - h + 1), _randint(0, width - w + 1), h, w, v
        return 0, 0, height, width, img.numpy()

    def forward(self, img: Tensor) -> Tensor:
        if _rand() >= self.p:
            return img
        if isinstance(self.value, numbers.Number):
            value: list[float] | None = [float(self.value)]
        elif isinstance(self.value, str):
            value = None
        else:
            value = [float(v) for v in self.value]
        channels = img.shape[-3]
        if value is not None and len(value) not in (1, channels):
            raise ValueError(f"If value is a sequence, it should have either a single value or "
                             f"{channels} (number of input channels)")
        top, left, h, w, v = self.get_params(img, self.scale, self.ratio, value)
        return F.erase(img, top, left, h, w, v, self.inplace)
