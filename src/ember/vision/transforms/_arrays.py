"""NumPy kernels behind the tensor path of the transforms: images ``(..., C, H, W)``.

Each kernel computes what torchvision's tensor functional computes (same coordinate
conventions, same rounding), vectorised over every leading dimension, so a batch
``(N, C, H, W)`` is one call.
"""

from __future__ import annotations

import math

import numpy as np

_INT_MAX = {np.dtype(np.uint8): 255, np.dtype(np.int8): 127, np.dtype(np.int16): 32767,
            np.dtype(np.int32): 2**31 - 1, np.dtype(np.int64): 2**63 - 1}


def max_value(dtype: np.dtype) -> float:
    """The value of full intensity: 1.0 for floats, the largest value for integers."""
    return 1.0 if dtype.kind == "f" else _INT_MAX[np.dtype(dtype)]


def working_float(dtype: np.dtype) -> np.dtype:
    """Integers are computed in float32, floats in their own precision."""
    return dtype if dtype.kind == "f" else np.dtype(np.float32)


def cast_back(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Round (for integer results) and cast to ``dtype``, as torchvision's ``_cast_squeeze_out``."""
    if dtype.kind in "iu":
        x = np.round(x)
    return x.astype(dtype, copy=False)


def _aa_weights(in_size: int, out_size: int, antialias: bool, dtype: np.dtype) -> np.ndarray:
    """(out, in) weights of a triangle (bilinear) filter, widened when shrinking with
    ``antialias``: each output pixel is a normalised weighted sum of input pixels. Computed in
    ``dtype``, step by step as torch does, so both round alike."""
    one, half = dtype.type(1.0), dtype.type(0.5)
    scale = dtype.type(in_size) / dtype.type(out_size)
    wide = bool(antialias and scale >= 1.0)
    support = scale if wide else one
    inverse = one / scale if wide else one
    centers = scale * (np.arange(out_size, dtype=dtype) + half)
    low = np.maximum((centers - support + half).astype(np.int64), 0)
    high = np.minimum((centers + support + half).astype(np.int64), in_size)
    taps = np.arange(in_size, dtype=dtype)[None, :]
    weights = np.maximum(dtype.type(0), one - np.abs((taps - centers[:, None] + half) * inverse))
    inside = (taps >= low[:, None]) & (taps < high[:, None])
    weights = np.where(inside, weights, dtype.type(0))
    total = weights.sum(axis=1, keepdims=True, dtype=dtype)
    return weights / np.where(total == 0, one, total)


def _linear_weights(in_size: int, out_size: int, dtype: np.dtype) -> np.ndarray:
    """(out, in) weights of plain bilinear interpolation (``align_corners=False``), computed
    in ``dtype`` as torch computes its source indices and lambdas."""
    scale = dtype.type(in_size) / dtype.type(out_size)
    source = np.maximum(scale * (np.arange(out_size, dtype=dtype) + dtype.type(0.5))
                        - dtype.type(0.5), dtype.type(0))
    left = np.minimum(source.astype(np.int64), in_size - 1)
    right = left + (left < in_size - 1)
    frac = (source - left.astype(dtype)).astype(dtype)
    weights = np.zeros((out_size, in_size), dtype=dtype)
    rows = np.arange(out_size)
    np.add.at(weights, (rows, left), dtype.type(1) - frac)
    np.add.at(weights, (rows, right), frac)
    return weights


def resize(x: np.ndarray, size: tuple[int, int], mode: str, antialias: bool) -> np.ndarray:
    """Resize ``(..., H, W)`` to ``size`` (h, w) with ``nearest`` or ``bilinear``."""
    in_h, in_w = x.shape[-2:]
    out_h, out_w = size
    if mode == "nearest":
        rows = np.minimum(np.floor(np.arange(out_h) * (in_h / out_h)).astype(np.int64), in_h - 1)
        cols = np.minimum(np.floor(np.arange(out_w) * (in_w / out_w)).astype(np.int64), in_w - 1)
        return x[..., rows[:, None], cols[None, :]]
    if mode != "bilinear":
        raise NotImplementedError(f"resize of tensors with interpolation {mode!r} (ember "
                                  "supports nearest and bilinear on tensors; any on PIL images)")
    dtype = x.dtype
    work = working_float(dtype)
    if antialias:
        weight_h, weight_w = _aa_weights(in_h, out_h, True, work), \
            _aa_weights(in_w, out_w, True, work)
    else:
        weight_h, weight_w = _linear_weights(in_h, out_h, work), \
            _linear_weights(in_w, out_w, work)
    # width first, then height: torch's order of the two passes
    out = np.matmul(weight_h, np.matmul(x.astype(work, copy=False), weight_w.T))
    if dtype.kind in "iu":
        out = np.clip(out, 0, max_value(dtype))
    return cast_back(out, dtype)


def _fused_row(xs: np.ndarray, ys: np.ndarray, column: np.ndarray) -> np.ndarray:
    """``x * c0 + y * c1 + c2`` rounded as torch's float32 matrix product rounds it (the second
    product fused into the sum, which float64 reproduces exactly for float32 inputs)."""
    if xs.dtype != np.float32:
        return xs * column[0] + ys * column[1] + column[2]
    first = (xs * column[0]).astype(np.float64)
    return (first + ys.astype(np.float64) * np.float64(column[1])).astype(np.float32) + column[2]


def affine_sample(x: np.ndarray, matrix: list[float], mode: str,
                  fill: list[float] | None) -> np.ndarray:
    """Sample ``(..., C, H, W)`` through the inverse affine ``matrix`` (2x3, about the centre),
    as ``grid_sample(align_corners=False, padding_mode='zeros')``; ``fill`` paints what falls
    outside."""
    dtype = x.dtype
    work = working_float(dtype)
    height, width = x.shape[-2:]
    # the same float32 steps as torch's affine grid and grid_sample, for the same roundings
    theta = np.asarray(matrix, dtype=work).reshape(2, 3)
    rescaled = theta.T / np.asarray([0.5 * width, 0.5 * height], dtype=work)  # (3, 2)
    xs = np.linspace(-width * 0.5 + 0.5, width * 0.5 - 0.5, width).astype(work)
    ys = np.linspace(-height * 0.5 + 0.5, height * 0.5 - 0.5, height).astype(work)[:, None]
    grid_x = _fused_row(xs, ys, rescaled[:, 0])
    grid_y = _fused_row(xs, ys, rescaled[:, 1])
    src_x = (grid_x + 1) * work.type(width / 2) - work.type(0.5)
    src_y = (grid_y + 1) * work.type(height / 2) - work.type(0.5)
    data = x.astype(work, copy=False)
    if mode == "nearest":
        col = np.rint(src_x).astype(np.int64)
        row = np.rint(src_y).astype(np.int64)
        inside = (col >= 0) & (col < width) & (row >= 0) & (row < height)
        out = data[..., np.clip(row, 0, height - 1), np.clip(col, 0, width - 1)] * inside
        mask = inside.astype(work)
    elif mode == "bilinear":
        left, top = np.floor(src_x), np.floor(src_y)
        x0, y0 = left.astype(np.int64), top.astype(np.int64)
        east, north = src_x - left, src_y - top  # distances from the west and north pixels
        west, south = 1 - east, 1 - north
        out = np.zeros(data.shape, dtype=work)
        mask = np.zeros((height, width), dtype=work)
        for dy, dx, weight in ((0, 0, south * west), (0, 1, south * east),
                               (1, 0, north * west), (1, 1, north * east)):
            col, row = x0 + dx, y0 + dy
            inside = (col >= 0) & (col < width) & (row >= 0) & (row < height)
            w = weight * inside
            out += data[..., np.clip(row, 0, height - 1), np.clip(col, 0, width - 1)] * w
            mask += w
    else:
        raise NotImplementedError(f"rotate/affine of tensors with interpolation {mode!r} (ember "
                                  "supports nearest and bilinear)")
    if fill is not None:
        channels = x.shape[-3]
        values = np.asarray(fill if len(fill) > 1 else fill * channels, dtype=work)
        values = values.reshape(channels, 1, 1)
        if mode == "nearest":
            out = np.where(mask < 0.5, values, out)
        else:
            out = out * mask + (1.0 - mask) * values
    return cast_back(out, dtype)


def pad(x: np.ndarray, left: int, top: int, right: int, bottom: int, fill: float,
        mode: str) -> np.ndarray:
    """Pad the last two dims (H, W); ``mode`` as ``np.pad``'s (constant uses ``fill``)."""
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=fill)
    return np.pad(x, widths, mode=mode)


def grayscale(x: np.ndarray) -> np.ndarray:
    """ITU-R 601-2 luma of ``(..., 3, H, W)`` as ``(..., 1, H, W)``, in ``x``'s dtype."""
    work = working_float(x.dtype)  # uint8 in float32 as torch (truncation differs in float64)
    r, g, b = (x[..., c, :, :].astype(work, copy=False) for c in range(3))
    luma = (work.type(0.2989) * r + work.type(0.587) * g + work.type(0.114) * b).astype(x.dtype)
    return luma[..., None, :, :]


def blend(a: np.ndarray, b: np.ndarray | float, ratio: float) -> np.ndarray:
    """``ratio * a + (1 - ratio) * b`` clipped to the valid range of ``a``'s dtype."""
    bound = max_value(a.dtype)
    work = working_float(a.dtype)
    other = b.astype(work, copy=False) if isinstance(b, np.ndarray) else work.type(b)
    out = work.type(ratio) * a.astype(work) + work.type(1.0 - ratio) * other
    return np.clip(out, 0, bound).astype(a.dtype)


def rgb_to_hsv(x: np.ndarray) -> np.ndarray:
    """RGB in 0..1 to HSV in 0..1, channel axis -3."""
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc, minc = x.max(axis=-3), x.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = np.ones_like(maxc)
    s = cr / np.where(eqc, ones, maxc)
    cr_divisor = np.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / cr_divisor, (maxc - g) / cr_divisor, (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = np.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return np.stack((h, s, maxc), axis=-3)


def hsv_to_rgb(x: np.ndarray) -> np.ndarray:
    """HSV in 0..1 back to RGB, channel axis -3."""
    h, s, v = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int64) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    table = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    channels = [np.choose(i, [row[c] for row in table]) for c in range(3)]
    return np.stack(channels, axis=-3).astype(x.dtype, copy=False)


def inverse_affine_matrix(center: list[float], angle: float, translate: list[float],
                          scale: float, shear: list[float]) -> list[float]:
    """The 2x3 matrix (flat) that maps output pixels back to input pixels for a rotation by
    ``angle`` degrees about ``center``, then ``scale``, ``shear`` (degrees) and ``translate``:
    the inverse of ``T * C * R * S * Sh * C^-1``."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [value / scale for value in (d, -b, 0.0, -c, a, 0.0)]
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    return m
