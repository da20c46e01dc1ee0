"""2-D convolution as one matrix multiply over a strided window view (im2col), with its backward.

Internally the image is channels-last (N, H, W, C): every window (kh, kw, C) is then a run of
contiguous channels, the column matrix copies fast, and the GEMM's output (N*OH*OW, O) *is* the
channels-last result, returned as a transposed (N, O, OH, OW) view without another copy. The next
conv receives that layout again, so the transposes in between cost nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ember import ops
from ember.ops._sums import sum_over
from ember.tensor import Tensor


def pair(value: Any, name: str) -> tuple[int, int]:
    """``3`` -> ``(3, 3)``; ``(2, 3)`` stays; anything else is an error naming ``name``."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    values = tuple(int(v) for v in value)
    if len(values) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return values[0], values[1]


def conv_padding(padding: Any, kernel: tuple[int, int], dilation: tuple[int, int],
                 stride: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) zero padding for ``padding`` = int, pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding != "same":
            raise RuntimeError(f"conv2d: padding must be 'valid', 'same', an int or a pair, got "
                               f"{padding!r}")
        if stride != (1, 1):
            raise RuntimeError(f"conv2d: padding='same' is not supported for strided convolutions "
                               f"(got stride={stride})")
        total_h, total_w = dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)
        # An odd total puts the extra row/column at the bottom/right, as PyTorch does.
        return total_h // 2, total_h - total_h // 2, total_w // 2, total_w - total_w // 2
    ph, pw = pair(padding, "conv2d padding")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"conv2d: padding must be non-negative, got {padding!r}")
    return ph, ph, pw, pw


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    input: (N, C, H, W) or (C, H, W); weight: (O, C // groups, kh, kw); bias: (O,) or None.
    Returns (N, O, OH, OW) with OH = (H + pad_h - dilation*(kh-1) - 1) // stride + 1. With
    ``groups`` > 1 the channels split into that many groups, each convolved with its own
    O // groups filters (``groups == C`` is a depthwise convolution).
    """
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"conv2d: groups must be an int, got {groups!r}")
    if groups < 1:
        raise RuntimeError(f"conv2d: non-positive groups is not supported, got groups={groups}")
    if weight.ndim != 4:
        raise RuntimeError(f"conv2d: weight must be 4-D (out_channels, in_channels / groups, kh, "
                           f"kw), got shape {tuple(weight.shape)}")
    if input.ndim == 3:
        return ops.squeeze(conv2d(ops.unsqueeze(input, 0), weight, bias, stride, padding,
                                  dilation, groups), 0)
    out_channels, group_channels, kh, kw = weight._data.shape
    channels = group_channels * groups
    if out_channels % groups:
        raise RuntimeError(f"conv2d: given groups={groups}, expected weight to be divisible by "
                           f"{groups} at dimension 0, got weight of shape {tuple(weight.shape)}")
    if input.ndim != 4 or input._data.shape[1] != channels:
        raise RuntimeError(
            f"conv2d: given groups={groups}, expected input (N, {channels}, H, W) or "
            f"({channels}, H, W) for a weight of shape {tuple(weight.shape)}, got input of shape "
            f"{tuple(input.shape)}"
        )
    if input._data.dtype != weight._data.dtype or (
            bias is not None and bias._data.dtype != weight._data.dtype):
        raise RuntimeError(
            f"conv2d: input ({input.dtype}), weight ({weight.dtype})"
            + (f" and bias ({bias.dtype})" if bias is not None else "") + " must share a dtype"
        )
    sh, sw = pair(stride, "conv2d stride")
    dh, dw = pair(dilation, "conv2d dilation")
    if min(sh, sw, dh, dw) < 1:
        raise RuntimeError(f"conv2d: stride and dilation must be positive, got stride={stride}, "
                           f"dilation={dilation}")
    top, bottom, left, right = conv_padding(padding, (kh, kw), (dh, dw), (sh, sw))
    x = input._data
    n, _, h, w = x.shape
    hp, wp = h + top + bottom, w + left + right
    oh, ow = (hp - dh * (kh - 1) - 1) // sh + 1, (wp - dw * (kw - 1) - 1) // sw + 1
    if oh < 1 or ow < 1:
        raise RuntimeError(
            f"conv2d: input of spatial size ({h}, {w}) (padded to ({hp}, {wp})) is smaller than "
            f"the dilated kernel ({dh * (kh - 1) + 1}, {dw * (kw - 1) + 1})"
        )

    # Channels-last, padded copy of the input (free when x is already channels-last, no padding).
    x_last = x.transpose(0, 2, 3, 1)
    if top or bottom or left or right:
        padded = np.zeros((n, hp, wp, channels), dtype=x.dtype)
        padded[:, top:top + h, left:left + w] = x_last
    else:
        padded = np.ascontiguousarray(x_last)
    s_n, s_h, s_w, s_c = padded.strides
    windows = as_strided(padded, (n, oh, ow, kh, kw, channels),
                         (s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c), writeable=False)
    if groups > 1:
        grouped = _depthwise_conv2d if group_channels == 1 else _grouped_conv2d
        return grouped(input, weight, bias, windows, groups, padded.shape, (top, left, h, w),
                       (sh, sw), (dh, dw))
    columns = windows.reshape(n * oh * ow, kh * kw * channels)  # im2col: the one copy
    w_data = weight._data
    w_matrix = w_data.transpose(0, 2, 3, 1).reshape(out_channels, kh * kw * channels)
    out = columns @ w_matrix.T  # (N*OH*OW, O): channels-last output
    if bias is not None:
        out += bias._data
    result = out.reshape(n, oh, ow, out_channels).transpose(0, 3, 1, 2)

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g_matrix = g.transpose(0, 2, 3, 1).reshape(n * oh * ow, out_channels)
        g_input = g_weight = g_bias = None
        if weight._requires_grad:
            g_weight = (g_matrix.T @ columns).reshape(out_channels, kh, kw, channels)
            g_weight = g_weight.transpose(0, 3, 1, 2)
        if bias is not None and bias._requires_grad:
            g_bias = sum_over(g_matrix, (0,))
        if input._requires_grad:
            g_input = _col2im(g_matrix, w_data, (n, hp, wp, channels), (oh, ow), (sh, sw),
                              (dh, dw))[:, top:top + h, left:left + w].transpose(0, 3, 1, 2)
        if bias is None:
            return g_input, g_weight
        return g_input, g_weight, g_bias

    inputs = (input, weight) if bias is None else (input, weight, bias)
    return Tensor._op(result, inputs, backward, "ConvolutionBackward", saved=(0, 1))


def _grouped_conv2d(input: Tensor, weight: Tensor, bias: Tensor | None,  # noqa: A002
                    windows: np.ndarray, groups: int, padded_shape: tuple[int, ...],
                    crop: tuple[int, int, int, int], stride: tuple[int, int],
                    dilation: tuple[int, int]) -> Tensor:
    """``conv2d`` with ``groups`` > 1: one batched GEMM over the groups, (G, N*OH*OW, kh*kw*Cg)
    columns times (G, kh*kw*Cg, O/G) filters, instead of a Python loop over groups.

    windows: the (N, OH, OW, kh, kw, C) channels-last window view of the padded input;
    crop: (top, left, H, W), where the unpadded input sits in the padded one.
    """
    n, oh, ow, kh, kw, channels = windows.shape
    out_channels, group_channels = weight._data.shape[:2]
    group_out = out_channels // groups
    rows, width = n * oh * ow, kh * kw * group_channels
    # Each group's windows as its own column matrix (the one copy): (G, N*OH*OW, kh*kw*Cg).
    columns = (windows.reshape(n, oh, ow, kh, kw, groups, group_channels)
               .transpose(5, 0, 1, 2, 3, 4, 6).reshape(groups, rows, width))
    w_data = weight._data.reshape(groups, group_out, group_channels, kh, kw)
    w_matrix = w_data.transpose(0, 1, 3, 4, 2).reshape(groups, group_out, width)
    out = (columns @ w_matrix.transpose(0, 2, 1)).transpose(1, 0, 2).reshape(rows, out_channels)
    if bias is not None:
        out += bias._data
    result = out.reshape(n, oh, ow, out_channels).transpose(0, 3, 1, 2)

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g_matrix = g.transpose(0, 2, 3, 1).reshape(rows, out_channels)
        g_groups = np.ascontiguousarray(
            g_matrix.reshape(rows, groups, group_out).transpose(1, 0, 2))  # (G, rows, O/G)
        g_input = g_weight = g_bias = None
        if weight._requires_grad:
            g_weight = (g_groups.transpose(0, 2, 1) @ columns).reshape(
                groups, group_out, kh, kw, group_channels)
            g_weight = g_weight.transpose(0, 1, 4, 2, 3).reshape(weight._data.shape)
        if bias is not None and bias._requires_grad:
            g_bias = sum_over(g_matrix, (0,))
        if input._requires_grad:
            g_input = _grouped_col2im(g_groups, w_data, padded_shape, (oh, ow), stride, dilation)
            top, left, h, w = crop
            g_input = g_input[:, top:top + h, left:left + w].transpose(0, 3, 1, 2)
        if bias is None:
            return g_input, g_weight
        return g_input, g_weight, g_bias

    inputs = (input, weight) if bias is None else (input, weight, bias)
    return Tensor._op(result, inputs, backward, "ConvolutionBackward", saved=(0, 1))


def _depthwise_conv2d(input: Tensor, weight: Tensor, bias: Tensor | None,  # noqa: A002
                      windows: np.ndarray, groups: int, padded_shape: tuple[int, ...],
                      crop: tuple[int, int, int, int], stride: tuple[int, int],
                      dilation: tuple[int, int]) -> Tensor:
    """``conv2d`` with one input channel per group (depthwise, possibly with a channel
    multiplier): a GEMM would have an inner size of kh*kw, so instead each kernel offset is one
    whole-array multiply-add over the channels-last window view, as pooling does.

    Arguments as ``_grouped_conv2d``; weight: (C * M, 1, kh, kw) for a multiplier M.
    """
    n, oh, ow, kh, kw, channels = windows.shape
    multiplier = weight._data.shape[0] // groups
    w_data = weight._data.reshape(groups, multiplier, kh, kw)
    dtype = np.result_type(windows.dtype, w_data.dtype)
    out = np.zeros((n, oh, ow, groups, multiplier), dtype=dtype)
    product = np.empty_like(out)
    for i in range(kh):
        for j in range(kw):
            np.multiply(windows[:, :, :, i, j, :, None], w_data[:, :, i, j], out=product)
            out += product
    out = out.reshape(n, oh, ow, groups * multiplier)
    if bias is not None:
        out += bias._data
    result = out.transpose(0, 3, 1, 2)

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g_out = np.ascontiguousarray(g.transpose(0, 2, 3, 1)).reshape(
            n, oh, ow, groups, multiplier)
        g_input = g_weight = g_bias = None
        if weight._requires_grad:
            g_weight = np.empty((groups, multiplier, kh, kw), dtype=g.dtype)
            for i in range(kh):
                for j in range(kw):
                    g_weight[:, :, i, j] = np.einsum("nhwgm,nhwg->gm", g_out,
                                                     windows[:, :, :, i, j, :])
            g_weight = g_weight.reshape(weight._data.shape)
        if bias is not None and bias._requires_grad:
            g_bias = g_out.sum(axis=(0, 1, 2)).reshape(-1)
        if input._requires_grad:
            (sh, sw), (dh, dw) = stride, dilation
            g_padded = np.zeros(padded_shape, dtype=g.dtype)
            routed = np.empty((n, oh, ow, groups), dtype=g.dtype)
            for i in range(kh):
                rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
                for j in range(kw):
                    cols = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
                    if multiplier == 1:
                        np.multiply(g_out[..., 0], w_data[:, 0, i, j], out=routed)
                    else:
                        np.einsum("nhwgm,gm->nhwg", g_out, w_data[:, :, i, j], out=routed)
                    g_padded[:, rows, cols] += routed
            top, left, h, w = crop
            g_input = g_padded[:, top:top + h, left:left + w].transpose(0, 3, 1, 2)
        if bias is None:
            return g_input, g_weight
        return g_input, g_weight, g_bias

    inputs = (input, weight) if bias is None else (input, weight, bias)
    return Tensor._op(result, inputs, backward, "ConvolutionBackward", saved=(0, 1))


def _grouped_col2im(g_groups: np.ndarray, w_data: np.ndarray, padded_shape: tuple[int, ...],
                    out_size: tuple[int, int], stride: tuple[int, int],
                    dilation: tuple[int, int]) -> np.ndarray:
    """``_col2im`` for grouped filters: offset (i, j) adds ``g_groups @ w[:, :, :, i, j]``,
    a batched (G, rows, O/G) @ (G, O/G, Cg) GEMM, into a strided slice.

    g_groups: (G, N*OH*OW, O/G); w_data: (G, O/G, Cg, kh, kw). Returns (N, Hp, Wp, C).
    """
    groups, _, group_channels, kh, kw = w_data.shape
    n = padded_shape[0]
    oh, ow = out_size
    (sh, sw), (dh, dw) = stride, dilation
    w_offsets = np.ascontiguousarray(w_data.transpose(3, 4, 0, 1, 2))  # (kh, kw, G, O/G, Cg)
    g_padded = np.zeros(padded_shape, dtype=g_groups.dtype)
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
        for j in range(kw):
            cols = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
            part = g_groups @ w_offsets[i, j]  # (G, N*OH*OW, Cg)
            g_padded[:, rows, cols] += part.transpose(1, 0, 2).reshape(
                n, oh, ow, groups * group_channels)
    return g_padded


def _col2im(g_matrix: np.ndarray, w_data: np.ndarray, padded_shape: tuple[int, ...],
            out_size: tuple[int, int], stride: tuple[int, int],
            dilation: tuple[int, int]) -> np.ndarray:
    """Gradient of the padded channels-last input, looping over the kh*kw kernel offsets (never
    over pixels): offset (i, j) contributes ``g @ w[:, :, i, j]``, one (n, OH, OW, C) slab added
    into a strided slice. The batch goes through in chunks of about 1 MiB of input gradient, so
    that the slab and the slice it is added into stay in cache between the GEMM and the add
    (measured faster than whole-batch slabs, which beat one big (N*OH*OW, kh*kw*C) GEMM).
    Each element receives its additions in the same order whatever the chunking.

    g_matrix: (N*OH*OW, O); w_data: (O, C, kh, kw). Returns (N, Hp, Wp, C).
    """
    out_channels, channels, kh, kw = w_data.shape
    n, hp, wp = padded_shape[:3]
    oh, ow = out_size
    (sh, sw), (dh, dw) = stride, dilation
    w_offsets = np.ascontiguousarray(w_data.transpose(2, 3, 0, 1))  # (kh, kw, O, C)
    g_padded = np.zeros(padded_shape, dtype=g_matrix.dtype)
    chunk = max(1, min(n, (1 << 20) // max(1, hp * wp * channels * g_matrix.itemsize)))
    slab = np.empty((chunk * oh * ow, channels), dtype=g_matrix.dtype)
    rows = [slice(i * dh, i * dh + sh * (oh - 1) + 1, sh) for i in range(kh)]
    cols = [slice(j * dw, j * dw + sw * (ow - 1) + 1, sw) for j in range(kw)]
    for start in range(0, n, chunk):
        count = min(chunk, n - start)
        g_chunk = g_matrix[start * oh * ow:(start + count) * oh * ow]
        part = slab[:count * oh * ow]
        target = g_padded[start:start + count]
        for i in range(kh):
            for j in range(kw):
                np.matmul(g_chunk, w_offsets[i, j], out=part)
                target[:, rows[i], cols[j]] += part.reshape(count, oh, ow, channels)
    return g_padded
