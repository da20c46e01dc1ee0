"""Pooling: ``max_pool2d``, ``avg_pool2d`` and ``adaptive_avg_pool2d``, each with its backward.

Max and average pooling loop over the kh*kw kernel offsets (4 for a 2x2 pool), never over pixels:
offset (i, j) of every window is one strided slice ``x[..., i::stride, j::stride]`` of the input,
so each step is a whole-array NumPy operation. When stride == kernel_size and there is no padding
(the usual 2x2 pool) those slices tile the input exactly; the backward then writes each slab once
instead of adding it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import ops
from ember.nn.functional.conv import pair
from ember.tensor import Tensor


def _pool_geometry(x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                   ceil_mode: bool, name: str) -> tuple[Any, ...]:
    if x.ndim != 4:
        raise ValueError(f"{name}: expected input (N, C, H, W) or (C, H, W), got shape "
                         f"{tuple(x.shape)}")
    if ceil_mode:
        raise NotImplementedError(f"{name}: ceil_mode=True is not supported")
    kh, kw = pair(kernel_size, f"{name} kernel_size")
    sh, sw = pair(kernel_size if stride is None or stride == [] else stride, f"{name} stride")
    ph, pw = pair(padding, f"{name} padding")
    dh, dw = pair(dilation, f"{name} dilation")
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError(f"{name}: padding should be at most half of the kernel size, got "
                         f"padding={padding} for kernel_size={kernel_size}")
    _, _, h, w = x._data.shape
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"{name}: input of spatial size ({h}, {w}) is too small for "
                         f"kernel_size={kernel_size}, padding={padding}")
    return (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow)


def _offset_slices(i: int, j: int, stride: tuple[int, int], dilation: tuple[int, int],
                   out_size: tuple[int, int]) -> tuple[Any, ...]:
    """The (rows, cols) slice picking kernel offset (i, j) of every window."""
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out_size
    return (Ellipsis, slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


def _padded(data: np.ndarray, ph: int, pw: int, fill: float) -> np.ndarray:
    if not ph and not pw:
        return data
    n, c, h, w = data.shape
    out = np.full((n, c, h + 2 * ph, w + 2 * pw), fill, dtype=data.dtype)
    out[:, :, ph:ph + h, pw:pw + w] = data
    return out


def _unbatched(fn: Any, x: Tensor, *args: Any) -> Tensor:
    return ops.squeeze(fn(ops.unsqueeze(x, 0), *args), 0)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor:
    """Max over each window. input: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW).

    The backward sends each window's gradient to exactly one position, the first maximum in
    row-major window order (as PyTorch does), even where the window holds ties (e.g. ReLU zeros).
    """
    if return_indices:
        raise NotImplementedError("max_pool2d: return_indices=True is not supported")
    if input.ndim == 3:
        return _unbatched(max_pool2d, input, kernel_size, stride, padding, dilation)
    (kh, kw), stride, (ph, pw), dilation, out_size = _pool_geometry(
        input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    data = input._data
    padded = _padded(data, ph, pw, -np.inf)
    offsets = [_offset_slices(k // kw, k % kw, stride, dilation, out_size)
               for k in range(kh * kw)]
    # order="K" keeps the input's memory layout (channels-last after a conv), so every
    # elementwise step below walks all of its operands in the same order.
    best = padded[offsets[0]].copy(order="K")
    for where in offsets[1:]:
        np.maximum(best, padded[where], out=best)
    tiles = stride == (kh, kw) and dilation == (1, 1)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        # Route each window's gradient to its first maximum: offset k wins where it equals the
        # max and no earlier offset already did. (Boolean masks, no scatter: all whole-array.)
        if g.strides != best.strides:  # bring g into best's memory layout
            same_layout = np.empty_like(best, dtype=g.dtype)
            same_layout[...] = g
            g = same_layout
        # Tiles that cover the whole input write every element below: no need to zero it first.
        covers = tiles and padded.shape[2:] == (out_size[0] * kh, out_size[1] * kw)
        g_padded = (np.empty_like if covers else np.zeros_like)(padded, dtype=g.dtype)
        taken = np.zeros_like(best, dtype=np.bool_)
        hit = np.empty_like(taken)
        routed = None if tiles else np.empty_like(best, dtype=g.dtype)
        last = len(offsets) - 1
        for k, where in enumerate(offsets):
            np.equal(padded[where], best, out=hit)
            if k:
                np.greater(hit, taken, out=hit)  # hit and not taken
            if k < last:
                np.logical_or(taken, hit, out=taken)
            if tiles:  # windows don't overlap: write the routed gradient in place
                np.multiply(g, hit, out=g_padded[where])
            else:
                g_padded[where] += np.multiply(g, hit, out=routed)
        h, w = data.shape[2:]
        return (g_padded[:, :, ph:ph + h, pw:pw + w],)

    return Tensor._op(best, (input,), backward, "MaxPool2DBackward")


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over each window. input: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW).

    With ``count_include_pad`` (the default) padded zeros count towards the window's size.
    """
    if input.ndim == 3:
        return _unbatched(avg_pool2d, input, kernel_size, stride, padding, ceil_mode,
                          count_include_pad, divisor_override)
    (kh, kw), stride, (ph, pw), dilation, out_size = _pool_geometry(
        input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    data = input._data
    padded = _padded(data, ph, pw, 0.0)
    offsets = [_offset_slices(k // kw, k % kw, stride, dilation, out_size)
               for k in range(kh * kw)]
    total = padded[offsets[0]].copy()
    for where in offsets[1:]:
        total += padded[where]
    if divisor_override:
        divisor: Any = np.asarray(divisor_override, dtype=data.dtype)
    elif count_include_pad or not (ph or pw):
        divisor = np.asarray(kh * kw, dtype=data.dtype)
    else:
        inside = _padded(np.ones((1, 1) + data.shape[2:], dtype=data.dtype), ph, pw, 0.0)
        divisor = sum(inside[where] for where in offsets)
    out = total / divisor

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        share = g / divisor
        g_padded = np.zeros(padded.shape, dtype=g.dtype)
        for where in offsets:
            g_padded[where] += share
        h, w = data.shape[2:]
        return (g_padded[:, :, ph:ph + h, pw:pw + w],)

    return Tensor._op(out, (input,), backward, "AvgPool2DBackward")


def _adaptive_matrix(size: int, out_size: int, dtype: np.dtype) -> np.ndarray:
    """(out_size, size) averaging matrix: row i covers [floor(i*size/out), ceil((i+1)*size/out))."""
    matrix = np.zeros((out_size, size), dtype=dtype)
    for i in range(out_size):
        start = (i * size) // out_size
        end = -((-(i + 1) * size) // out_size)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Average pooling to a fixed output size, with PyTorch's window boundaries.

    input: (N, C, H, W) or (C, H, W); output_size: int or (OH, OW), None keeps that dim.
    Written as ``P_h @ x @ P_w.T`` with small averaging matrices, so any output size works.
    """
    if input.ndim == 3:
        return _unbatched(adaptive_avg_pool2d, input, output_size)
    if input.ndim != 4:
        raise ValueError(f"adaptive_avg_pool2d: expected input (N, C, H, W) or (C, H, W), got "
                         f"shape {tuple(input.shape)}")
    data = input._data
    h, w = data.shape[2:]
    sizes = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    oh, ow = (h if sizes[0] is None else int(sizes[0])), (w if sizes[1] is None else int(sizes[1]))
    if oh < 1 or ow < 1:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be positive, got {output_size}")
    if (oh, ow) == (1, 1):
        out = data.mean(axis=(2, 3), keepdims=True)

        def backward_global(g: np.ndarray) -> tuple[np.ndarray]:
            return (np.broadcast_to(g / (h * w), data.shape).astype(g.dtype),)

        return Tensor._op(out, (input,), backward_global, "AdaptiveAvgPool2DBackward")
    rows = _adaptive_matrix(h, oh, data.dtype)
    cols = _adaptive_matrix(w, ow, data.dtype)
    out = rows @ data @ cols.T

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (rows.T @ g @ cols,)

    return Tensor._op(out, (input,), backward, "AdaptiveAvgPool2DBackward")
