"""Resampling and padding layers: ``Upsample``, ``PixelShuffle``, ``Fold``/``Unfold`` and the
padding modules (PyTorch's names; the maths lives in ``nn.functional.resample`` and ``F.pad``)."""

from __future__ import annotations

from typing import Any

from ember import ops
from ember.nn.functional import resample as R
from ember.nn.modules.module import Module
from ember.tensor import Tensor


class Upsample(Module):
    """``F.interpolate`` as a layer (size or scale_factor, mode, align_corners)."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return R.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def extra_repr(self) -> str:
        what = f"scale_factor={self.scale_factor}" if self.size is None else f"size={self.size}"
        return f"{what}, mode='{self.mode}'"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W)."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) with ``align_corners=True`` (PyTorch's choice)."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return R.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return R.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class Unfold(Module):
    """Sliding blocks of (N, C, H, W) as columns (N, C * kh * kw, L)."""

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = (kernel_size, dilation,
                                                                      padding, stride)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return R.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)


class Fold(Module):
    """Columns (N, C * kh * kw, L) summed back into (N, C, *output_size)."""

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return R.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)


class _PadNd(Module):
    _dims = 2
    _mode = "constant"

    def __init__(self, padding: Any, value: float = 0.0) -> None:
        super().__init__()
        if isinstance(padding, int):
            padding = (padding,) * (2 * self._dims)
        if len(padding) != 2 * self._dims:
            raise ValueError(f"{type(self).__name__}: padding must be an int or "
                             f"{2 * self._dims} ints, got {padding!r}")
        self.padding = tuple(int(p) for p in padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if self._mode == "constant":
            return ops.pad(input, self.padding, "constant", self.value)
        return ops.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}" + (f", value={self.value}" if self._mode == "constant" else "")


def _pad_class(name: str, dims: int, mode: str, doc: str) -> type:
    return type(name, (_PadNd,), {"_dims": dims, "_mode": mode, "__doc__": doc,
                                  "__module__": __name__})


class ConstantPad1d(_PadNd):
    """Pad the last dim with ``value``: padding (left, right)."""

    _dims = 1

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, value)


class ConstantPad2d(ConstantPad1d):
    """Pad the last 2 dims with ``value``: padding (left, right, top, bottom)."""

    _dims = 2


class ConstantPad3d(ConstantPad1d):
    """Pad the last 3 dims with ``value``."""

    _dims = 3


class ZeroPad1d(_PadNd):
    """Pad the last dim with zeros."""

    _dims = 1

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)


class ZeroPad2d(ZeroPad1d):
    """Pad the last 2 dims with zeros: padding (left, right, top, bottom)."""

    _dims = 2


class ZeroPad3d(ZeroPad1d):
    """Pad the last 3 dims with zeros."""

    _dims = 3


ReflectionPad1d = _pad_class("ReflectionPad1d", 1, "reflect", "Mirror-pad the last dim.")
ReflectionPad2d = _pad_class("ReflectionPad2d", 2, "reflect", "Mirror-pad the last 2 dims.")
ReflectionPad3d = _pad_class("ReflectionPad3d", 3, "reflect", "Mirror-pad the last 3 dims.")
ReplicationPad1d = _pad_class("ReplicationPad1d", 1, "replicate", "Edge-pad the last dim.")
ReplicationPad2d = _pad_class("ReplicationPad2d", 2, "replicate", "Edge-pad the last 2 dims.")
ReplicationPad3d = _pad_class("ReplicationPad3d", 3, "replicate", "Edge-pad the last 3 dims.")
CircularPad1d = _pad_class("CircularPad1d", 1, "circular", "Wrap-pad the last dim.")
CircularPad2d = _pad_class("CircularPad2d", 2, "circular", "Wrap-pad the last 2 dims.")
CircularPad3d = _pad_class("CircularPad3d", 3, "circular", "Wrap-pad the last 3 dims.")
