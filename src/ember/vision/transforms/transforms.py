"""The deterministic transform classes (torchvision's names and arguments): each is a
callable object holding its settings, its work done by :mod:`.functional`."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ember.tensor import Tensor
from ember.vision.transforms import functional as F
from ember.vision.transforms.functional import InterpolationMode


class Transform:
    """Base of the transform classes: ``__call__`` runs ``forward``; repr lists settings."""

    def forward(self, img: Any) -> Any:
        raise NotImplementedError

    def __call__(self, img: Any) -> Any:
        return self.forward(img)

    def _settings(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._settings()})"


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, img: Any) -> Any:
        for transform in self.transforms:
            img = transform(img)
        return img

    def __repr__(self) -> str:
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({body}\n)"


class ToTensor(Transform):
    """PIL image or ``(H, W, C)`` uint8 ndarray to a float32 Tensor ``(C, H, W)`` in 0..1."""

    def __call__(self, pic: Any) -> Tensor:
        return F.to_tensor(pic)

    def _batch(self, images: np.ndarray) -> np.ndarray:
        out = images.transpose(0, 3, 1, 2).astype(np.float32)
        out /= np.float32(255)
        return out


class PILToTensor(Transform):
    """PIL image to a Tensor ``(C, H, W)`` of its own dtype, unscaled."""

    def __call__(self, pic: Any) -> Tensor:
        return F.pil_to_tensor(pic)

    def _batch(self, images: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(images.transpose(0, 3, 1, 2))


class ToPILImage(Transform):
    """Tensor ``(C, H, W)`` or ndarray ``(H, W, C)`` to a PIL image."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def __call__(self, pic: Any) -> Any:
        return F.to_pil_image(pic, self.mode)


class ConvertImageDtype(Transform):
    """Convert a Tensor image to ``dtype``, rescaling its values."""

    def __init__(self, dtype: Any) -> None:
        self.dtype = dtype

    def forward(self, image: Tensor) -> Tensor:
        return F.convert_image_dtype(image, self.dtype)

    def _batch(self, images: np.ndarray) -> np.ndarray:
        return F.convert_image_dtype(Tensor._wrap(images), self.dtype).numpy()


class Normalize(Transform):
    """``(x - mean) / std`` per channel of a float Tensor image."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean, self.std, self.inplace = mean, std, inplace

    def forward(self, tensor: Tensor) -> Tensor:
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def _batch(self, images: np.ndarray) -> np.ndarray:
        return F.normalize(Tensor._wrap(images), self.mean, self.std, inplace=True).numpy()

    def _settings(self) -> str:
        return f"mean={self.mean}, std={self.std}"


class Lambda(Transform):
    """Apply a user function."""

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img: Any) -> Any:
        return self.lambd(img)


def _size_argument(size: Any) -> Any:
    if isinstance(size, int) or (isinstance(size, Sequence) and len(size) in (1, 2)):
        return size
    raise TypeError(f"Size should be int or sequence. Got {type(size)}")


class Resize(Transform):
    """Resize to ``size`` (h, w), or match the smaller edge to one int ``size``."""

    def __init__(self, size: Any, interpolation: InterpolationMode = InterpolationMode.BILINEAR,
                 max_size: int | None = None, antialias: bool | None = True) -> None:
        self.size = _size_argument(size)
        self.interpolation, self.max_size, self.antialias = interpolation, max_size, antialias

    def forward(self, img: Any) -> Any:
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def _settings(self) -> str:
        return f"size={self.size}, interpolation={F._interpolation(self.interpolation).value}"


class CenterCrop(Transform):
    """The centred ``size`` box."""

    def __init__(self, size: Any) -> None:
        self.size = F._pair(size)

    def forward(self, img: Any) -> Any:
        return F.center_crop(img, self.size)

    def _settings(self) -> str:
        return f"size={self.size}"


class Pad(Transform):
    """Pad the borders (``padding_mode``: constant, edge, reflect or symmetric)."""

    def __init__(self, padding: Any, fill: Any = 0, padding_mode: str = "constant") -> None:
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate padding arg")
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a "
                             f"{len(padding)} element tuple")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or "
                             "symmetric")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def forward(self, img: Any) -> Any:
        return F.pad(img, self.padding, self.fill, self.padding_mode)


class Grayscale(Transform):
    """Convert to grayscale with 1 or 3 output channels."""

    def __init__(self, num_output_channels: int = 1) -> None:
        self.num_output_channels = num_output_channels

    def forward(self, img: Any) -> Any:
        return F.rgb_to_grayscale(img, self.num_output_channels)
