"""1-D and 3-D pooling, adaptive max pooling, max unpooling and power-average pooling.

The 1-D pools are the 2-D ones over a unit height. The 3-D pools are separable: a 2-D pool of
every depth plane, then a pool along depth (a max of maxes is the max over the box, and a mean
of means over equally sized planes is the box's mean; PyTorch's divisors are per-dim products).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import ops
from ember.nn.functional.conv_nd import ntuple
from ember.nn.functional.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ember.tensor import Tensor


def _batched(input: Tensor, spatial: int, name: str) -> tuple[Tensor, bool]:  # noqa: A002
    if input.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"{name}: Expected {spatial + 1}D or {spatial + 2}D input, got "
                           f"{input.ndim}D input of size {list(input.shape)}")
    batched = input.ndim == spatial + 2
    return (input if batched else ops.unsqueeze(input, 0)), batched


def _unbatch(result: Any, batched: bool) -> Any:
    if batched:
        return result
    if isinstance(result, tuple):
        return tuple(ops.squeeze(r, 0) for r in result)
    return ops.squeeze(result, 0)


def _stride(stride: Any, kernel: Any, n: int) -> tuple[int, ...]:
    """PyTorch: no stride (None or an empty list) means the kernel size."""
    if stride is None or (not isinstance(stride, int) and len(stride) == 0):
        return ntuple(kernel, n, "kernel_size")
    return ntuple(stride, n, "stride")


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """Max over windows of (N, C, L) or (C, L)."""
    x, batched = _batched(input, 1, "max_pool1d")
    (k,), (s,) = ntuple(kernel_size, 1, "kernel_size"), _stride(stride, kernel_size, 1)
    out = max_pool2d(ops.unsqueeze(x, 2), (1, k), (1, s), (0, ntuple(padding, 1, "padding")[0]),
                     (1, ntuple(dilation, 1, "dilation")[0]), ceil_mode, return_indices)
    out = tuple(ops.squeeze(o, 2) for o in out) if return_indices else ops.squeeze(out, 2)
    return _unbatch(out, batched)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over windows of (N, C, L) or (C, L)."""
    x, batched = _batched(input, 1, "avg_pool1d")
    (k,), (s,) = ntuple(kernel_size, 1, "kernel_size"), _stride(stride, kernel_size, 1)
    out = avg_pool2d(ops.unsqueeze(x, 2), (1, k), (1, s), (0, ntuple(padding, 1, "padding")[0]),
                     ceil_mode, count_include_pad)
    return _unbatch(ops.squeeze(out, 2), batched)


def _planes_then_depth(x: Tensor, pool2d: Any, depth_pool: Any) -> tuple[Any, Any]:
    """Run ``pool2d`` on every depth plane of (N, C, D, H, W), then ``depth_pool`` along D of
    the (N, C, D, OH * OW) result; returns both raw results for index bookkeeping."""
    n, c, d, h, w = x.shape
    planes = pool2d(ops.reshape(x, (n, c * d, h, w)))
    values = planes[0] if isinstance(planes, tuple) else planes
    oh, ow = values.shape[2:]
    along = depth_pool(ops.reshape(values, (n, c, d, oh * ow)))
    return planes, along


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """Max over boxes of (N, C, D, H, W) or (C, D, H, W); indices are flat in D * H * W."""
    x, batched = _batched(input, 3, "max_pool3d")
    k, s = ntuple(kernel_size, 3, "kernel_size"), _stride(stride, kernel_size, 3)
    p, dl = ntuple(padding, 3, "padding"), ntuple(dilation, 3, "dilation")
    planes, along = _planes_then_depth(
        x, lambda t: max_pool2d(t, k[1:], s[1:], p[1:], dl[1:], ceil_mode, return_indices),
        lambda t: max_pool2d(t, (k[0], 1), (s[0], 1), (p[0], 0), (dl[0], 1), ceil_mode,
                             return_indices))
    n, c, d, h, w = x.shape
    values = along[0] if return_indices else along
    od = values.shape[2]
    plane_values = planes[0] if return_indices else planes
    oh, ow = plane_values.shape[2:]
    out = ops.reshape(values, (n, c, od, oh, ow))
    if not return_indices:
        return _unbatch(out, batched)
    depth_index = along[1]._data // (oh * ow)  # (N, C, OD, OH*OW): the chosen plane
    plane_index = planes[1]._data.reshape(n, c, d, oh * ow)
    within = np.take_along_axis(plane_index, depth_index, axis=2)
    flat = (depth_index * (h * w) + within).reshape(n, c, od, oh, ow)
    return _unbatch((out, Tensor._wrap(flat.astype(np.int64))), batched)


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over boxes of (N, C, D, H, W) or (C, D, H, W)."""
    x, batched = _batched(input, 3, "avg_pool3d")
    k, s = ntuple(kernel_size, 3, "kernel_size"), _stride(stride, kernel_size, 3)
    p = ntuple(padding, 3, "padding")
    divisor = None if divisor_override is None else 1  # sum both passes, divide once
    if divisor_override is not None and int(divisor_override) == 0:
        raise RuntimeError("avg_pool3d: divisor must be not zero")
    planes, along = _planes_then_depth(
        x, lambda t: avg_pool2d(t, k[1:], s[1:], p[1:], ceil_mode, count_include_pad, divisor),
        lambda t: avg_pool2d(t, (k[0], 1), (s[0], 1), (p[0], 0), ceil_mode, count_include_pad,
                             divisor))
    n, c = x.shape[:2]
    out = ops.reshape(along, (n, c, along.shape[2]) + tuple(planes.shape[2:]))
    if divisor_override is not None:
        out = out / float(divisor_override)
    return _unbatch(out, batched)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Average pooling of (N, C, L) or (C, L) to ``output_size`` steps."""
    x, batched = _batched(input, 1, "adaptive_avg_pool1d")
    (size,) = ntuple(output_size, 1, "output_size")
    out = adaptive_avg_pool2d(ops.unsqueeze(x, 2), (1, size))
    return _unbatch(ops.squeeze(out, 2), batched)


def _adaptive_bounds(size: int, out_size: int) -> list[tuple[int, int]]:
    return [((i * size) // out_size, -(-((i + 1) * size) // out_size)) for i in range(out_size)]


def adaptive_max_pool2d(input: Tensor, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Any:
    """Max pooling of (N, C, H, W) or (C, H, W) to ``output_size`` with PyTorch's windows
    (start floor(i*H/OH), end ceil((i+1)*H/OH)); indices flat in H * W."""
    x, batched = _batched(input, 2, "adaptive_max_pool2d")
    n, c, h, w = x.shape
    if isinstance(output_size, (int, np.integer)):
        output_size = (output_size, output_size)
    oh, ow = (h if o is None else int(o) for o in output_size)  # None keeps that size
    data = x._data
    values = np.empty((n, c, oh, ow), dtype=data.dtype)
    flat_index = np.empty((n, c, oh, ow), dtype=np.int64)
    # A loop over output cells (a handful), never over samples or pixels.
    for i, (h0, h1) in enumerate(_adaptive_bounds(h, oh)):
        for j, (w0, w1) in enumerate(_adaptive_bounds(w, ow)):
            window = data[:, :, h0:h1, w0:w1].reshape(n, c, -1)
            where = window.argmax(axis=2)
            values[:, :, i, j] = np.take_along_axis(window, where[..., None], 2)[..., 0]
            flat_index[:, :, i, j] = (h0 + where // (w1 - w0)) * w + w0 + where % (w1 - w0)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.zeros((n, c, h * w), dtype=g.dtype)
        np.add.at(grad, (np.arange(n)[:, None, None], np.arange(c)[None, :, None],
                         flat_index.reshape(n, c, -1)), g.reshape(n, c, -1))
        return (grad.reshape(n, c, h, w),)

    out = Tensor._op(values, (x,), backward, "AdaptiveMaxPool2DBackward", saved=())
    if return_indices:
        return _unbatch((out, Tensor._wrap(flat_index)), batched)
    return _unbatch(out, batched)


def adaptive_max_pool1d(input: Tensor, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Any:
    """Max pooling of (N, C, L) or (C, L) to ``output_size`` steps."""
    x, batched = _batched(input, 1, "adaptive_max_pool1d")
    (size,) = ntuple(output_size, 1, "output_size")
    out = adaptive_max_pool2d(ops.unsqueeze(x, 2), (1, size), return_indices)
    out = tuple(ops.squeeze(o, 2) for o in out) if return_indices else ops.squeeze(out, 2)
    return _unbatch(out, batched)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any,  # noqa: A002
                 stride: Any = None, padding: Any = 0, output_size: Any = None) -> Tensor:
    """Scatter pooled maxima back to their positions (``indices`` from ``max_pool2d``) in a
    zero image of (H - 1) * stride - 2 * padding + kernel per dim (or ``output_size``)."""
    x, batched = _batched(input, 2, "max_unpool2d")
    k, s = ntuple(kernel_size, 2, "kernel_size"), _stride(stride, kernel_size, 2)
    p = ntuple(padding, 2, "padding")
    n, c, h, w = x.shape
    if output_size is None:
        size = ((h - 1) * s[0] - 2 * p[0] + k[0], (w - 1) * s[1] - 2 * p[1] + k[1])
    else:
        size = tuple(int(v) for v in tuple(output_size)[-2:])
    index = indices._data.reshape(n, c, -1)
    if tuple(indices.shape[-2:]) != (h, w):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape "
                           f"{list(indices.shape)}")
    if index.size and (index.min() < 0 or index.max() >= size[0] * size[1]):
        raise RuntimeError(f"Found an invalid max index: {int(index.max())} (output volumes "
                           f"are of size {size[0]}x{size[1]})")
    out = np.zeros((n, c, size[0] * size[1]), dtype=x._data.dtype)
    np.put_along_axis(out, index, x._data.reshape(n, c, -1), axis=2)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (np.take_along_axis(g.reshape(n, c, -1), index, axis=2).reshape(n, c, h, w),)

    result = Tensor._op(out.reshape(n, c, *size), (x,), backward, "MaxUnpool2DBackward",
                        saved=())
    return _unbatch(result, batched)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any,  # noqa: A002
                 stride: Any = None, padding: Any = 0, output_size: Any = None) -> Tensor:
    """``max_unpool2d`` for (N, C, L) or (C, L)."""
    x, batched = _batched(input, 1, "max_unpool1d")
    (k,), (s,) = ntuple(kernel_size, 1, "kernel_size"), _stride(stride, kernel_size, 1)
    (p,) = ntuple(padding, 1, "padding")
    size = None if output_size is None else (1, int(tuple(output_size)[-1]))
    index = indices if batched else ops.unsqueeze(indices, 0)
    out = max_unpool2d(ops.unsqueeze(x, 2), ops.unsqueeze(index, 2), (1, k), (1, s), (0, p),
                       size)
    return _unbatch(ops.squeeze(out, 2), batched)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,  # noqa: A002
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling: ``(sum over the window of x^p) ^ (1/p)``."""
    kh, kw = ntuple(kernel_size, 2, "kernel_size")
    out = avg_pool2d(ops.pow(input, norm_type), (kh, kw), _stride(stride, kernel_size, 2), 0,
                     ceil_mode)
    return ops.pow(ops.sign(out) * ops.relu(ops.abs(out)) * (kh * kw), 1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,  # noqa: A002
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over windows of (N, C, L)."""
    (k,) = ntuple(kernel_size, 1, "kernel_size")
    out = avg_pool1d(ops.pow(input, norm_type), k, stride, 0, ceil_mode)
    return ops.pow(ops.sign(out) * ops.relu(ops.abs(out)) * k, 1.0 / norm_type)
