"""Resampling: ``interpolate``, ``pixel_shuffle``/``pixel_unshuffle``, ``unfold``/``fold``.

``interpolate`` is separable: along each spatial dim the output is ``M @ x`` for a small
(out, in) matrix ``M`` that holds the mode's weights (a one-hot row for nearest, two taps for
linear, four for cubic, a window mean for area), so one matmul per dim does the work and
its gradient. ``unfold`` is a grouped convolution with one-hot kernels and ``fold`` its
transpose.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ember import ops
from ember.nn.functional.conv import conv2d
from ember.nn.functional.conv_nd import conv_transpose_nd, ntuple
from ember.tensor import Tensor

_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_CUBIC_A = -0.75


def _source_positions(out_size: int, in_size: int, scale: float | None,
                      align_corners: bool, shift: bool) -> np.ndarray:
    """Where each output index samples the input, as PyTorch's kernels compute it.

    ``scale`` is 1 / scale_factor when the caller gave one (else in/out); ``shift`` uses
    half-pixel centres, as the interpolating modes do without align_corners."""
    dst = np.arange(out_size, dtype=np.float64)
    if align_corners:
        return dst * ((in_size - 1) / (out_size - 1) if out_size > 1 else 0.0)
    ratio = scale if scale is not None else in_size / out_size
    return (dst + 0.5) * ratio - 0.5 if shift else dst * ratio


def _cubic(t: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution weights of the four taps around a fractional offset ``t``."""
    a = _CUBIC_A

    def near(x: np.ndarray) -> np.ndarray:
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=-1)


def _resample_matrix(mode: str, in_size: int, out_size: int, scale: float | None,
                     align_corners: bool) -> np.ndarray:
    """(out_size, in_size) float64 matrix of the interpolation weights along one dim."""
    matrix = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    if mode in ("nearest", "nearest-exact"):
        src = _source_positions(out_size, in_size, scale, False, False)
        if mode == "nearest-exact":
            src = src + 0.5 * (scale if scale is not None else in_size / out_size)
        index = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
        matrix[rows, index] = 1.0
    elif mode == "area":
        for i in range(out_size):  # adaptive average windows
            start, end = (i * in_size) // out_size, -(-((i + 1) * in_size) // out_size)
            matrix[i, start:end] = 1.0 / (end - start)
    elif mode in ("linear", "bilinear", "trilinear"):
        src = np.maximum(_source_positions(out_size, in_size, scale, align_corners, True), 0)
        low = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
        high = np.minimum(low + 1, in_size - 1)
        frac = src - low
        np.add.at(matrix, (rows, low), 1 - frac)
        np.add.at(matrix, (rows, high), frac)
    else:  # bicubic: four taps, indices clamped at the borders
        src = _source_positions(out_size, in_size, scale, align_corners, True)
        base = np.floor(src).astype(np.int64)
        weights = _cubic(src - base)
        for tap in range(4):
            np.add.at(matrix, (rows, np.clip(base - 1 + tap, 0, in_size - 1)), weights[:, tap])
    return matrix


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,  # noqa: A002
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial dims of input (N, C, *spatial) to ``size`` or by ``scale_factor``.

    Modes: 'nearest', 'nearest-exact', 'linear' (3-D input), 'bilinear', 'bicubic' (4-D),
    'trilinear' (5-D), 'area'.
    """
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    spatial = input.ndim - 2
    if spatial < 1:
        raise ValueError(f"interpolate: expected input (N, C, *spatial) with at least 3 dims, "
                         f"got {input.ndim}")
    known = ("nearest", "nearest-exact", "area", *_MODE_DIMS)
    if mode not in known:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.ndim}D) for the modes: {' | '.join(known)} "
                                  f"(got {mode})")
    if mode in _MODE_DIMS and _MODE_DIMS[mode] != spatial:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_MODE_DIMS[mode] + 2}D input")
    if align_corners is not None and mode not in _MODE_DIMS:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    in_sizes = tuple(input.shape[2:])
    if size is not None:
        out_sizes = ntuple(size, spatial, "size")
        scales: tuple[float | None, ...] = (None,) * spatial
    else:
        factors = (float(scale_factor),) * spatial if isinstance(scale_factor, (int, float)) \
            else tuple(float(f) for f in scale_factor)
        if len(factors) != spatial:
            raise ValueError(f"Input and scale_factor must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(in_sizes)} and scale_factor of shape {list(factors)}.")
        out_sizes = tuple(int(math.floor(n * f)) for n, f in zip(in_sizes, factors))
        scales = (None,) * spatial if recompute_scale_factor else tuple(1 / f for f in factors)
    if any(n <= 0 for n in out_sizes):
        raise RuntimeError(f"interpolate: output size {list(out_sizes)} must be positive")
    out = input
    dtype = input._data.dtype
    for axis, (n_in, n_out, scale) in enumerate(zip(in_sizes, out_sizes, scales)):
        if n_in == n_out and mode != "bicubic" and scale in (None, 1.0):
            continue
        matrix = Tensor._wrap(_resample_matrix(mode, n_in, n_out, scale, bool(align_corners))
                              .astype(dtype))
        moved = ops.transpose(out, 2 + axis, -1)
        out = ops.transpose(ops.matmul(moved, ops.transpose(matrix, 0, 1)), 2 + axis, -1)
    return out if out is not input else ops.clone(input)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:  # noqa: A002
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""
    r = upscale_factor
    *lead, channels, h, w = input.shape
    if channels % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{channels} is not divisible by {r * r}")
    c = channels // (r * r)
    x = ops.reshape(input, (-1, c, r, r, h, w))
    x = ops.permute(x, 0, 1, 4, 2, 5, 3)
    return ops.reshape(x, tuple(lead) + (c, h * r, w * r))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:  # noqa: A002
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""
    r = downscale_factor
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by "
                           f"downscale_factor, but got {h}x{w} and {r}")
    x = ops.reshape(input, (-1, c, h // r, r, w // r, r))
    x = ops.permute(x, 0, 1, 3, 5, 2, 4)
    return ops.reshape(x, tuple(lead) + (c * r * r, h // r, w // r))


def _one_hot_kernels(channels: int, kernel: tuple[int, int], dtype: np.dtype) -> Tensor:
    """(C * kh * kw, 1, kh, kw): output channel c*kh*kw + i*kw + j copies input channel c at
    offset (i, j), PyTorch's unfold order."""
    kh, kw = kernel
    eye = np.eye(kh * kw, dtype=dtype).reshape(kh * kw, 1, kh, kw)
    return Tensor._wrap(np.tile(eye, (channels, 1, 1, 1)))


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
           stride: Any = 1) -> Tensor:
    """Sliding blocks as columns: (N, C, H, W) -> (N, C * kh * kw, L) (im2col)."""
    if input.ndim not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported "
                                  f"(got {input.ndim}D)")
    batched = input.ndim == 4
    x = input if batched else ops.unsqueeze(input, 0)
    kernel = ntuple(kernel_size, 2, "kernel_size")
    channels = x.shape[1]
    columns = conv2d(x, _one_hot_kernels(channels, kernel, x._data.dtype), None, stride,
                     ntuple(padding, 2, "padding"), dilation, groups=channels)
    out = ops.reshape(columns, (x.shape[0], columns.shape[1], -1))
    return out if batched else ops.squeeze(out, 0)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,  # noqa: A002
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """Sum sliding-block columns back into an image: (N, C * kh * kw, L) -> (N, C, H, W)."""
    if input.ndim not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input "
                                  f"Tensors are supported (got {input.ndim}D)")
    batched = input.ndim == 3
    x = input if batched else ops.unsqueeze(input, 0)
    kernel = ntuple(kernel_size, 2, "kernel_size")
    size = ntuple(output_size, 2, "output_size")
    dil, pad, step = (ntuple(v, 2, name) for v, name in ((dilation, "dilation"),
                                                        (padding, "padding"),
                                                        (stride, "stride")))
    blocks = [(n + 2 * p - d * (k - 1) - 1) // s + 1
              for n, p, d, k, s in zip(size, pad, dil, kernel, step)]
    per_channel = kernel[0] * kernel[1]
    if x.shape[1] % per_channel or blocks[0] * blocks[1] != x.shape[2]:
        raise RuntimeError(f"fold: expected input of shape (N, C * {per_channel}, "
                           f"{blocks[0] * blocks[1]}) for output_size={list(size)}, "
                           f"kernel_size={list(kernel)}, got {list(input.shape)}")
    channels = x.shape[1] // per_channel
    grid = ops.reshape(x, (x.shape[0], x.shape[1], blocks[0], blocks[1]))
    extra = tuple(n + 2 * p - ((b - 1) * s + d * (k - 1) + 1)
                  for n, p, b, s, d, k in zip(size, pad, blocks, step, dil, kernel))
    out = conv_transpose_nd(grid, _one_hot_kernels(channels, kernel, x._data.dtype), None,
                            step, pad, extra, channels, dil)
    return out if batched else ops.squeeze(out, 0)
