"""1-D and 3-D convolutions and transposed convolutions, as composites of ``conv2d``.

- ``conv1d`` is ``conv2d`` over a unit height.
- ``conv3d`` folds the output depth into the batch and adds one ``conv2d`` per kernel depth.
- ``conv_transpose{1,2,3}d`` is the convolution's input gradient written forward: the input with
  ``stride - 1`` zeros between its elements, padded by ``dilation * (k - 1) - padding`` (cropped
  where negative), convolved with the kernel flipped and its in/out channels swapped.

Their gradients come from the ops they are made of.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ember import ops
from ember.nn.functional.conv import _col2im, conv2d
from ember.tensor import Tensor


def ntuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    """``3`` -> ``(3,) * n``; a sequence of ``n`` ints stays; anything else names ``name``."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    values = tuple(int(v) for v in value)
    if len(values) != n:
        raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
    return values


def _same_padding(kernel: tuple[int, ...], dilation: tuple[int, ...]
                  ) -> list[tuple[int, int]]:
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return [(t // 2, t - t // 2) for t in totals]  # odd totals pad more at the end, as PyTorch


def _check_dims(name: str, input: Tensor, weight: Tensor, spatial: int) -> bool:  # noqa: A002
    """Whether ``input`` has its batch dim; raises for wrong ranks as PyTorch does."""
    if weight.ndim != spatial + 2:
        raise RuntimeError(f"{name}: expected weight of {spatial + 2} dims, got shape "
                           f"{list(weight.shape)}")
    if input.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                           f"input to {name}, but got input of size: {list(input.shape)}")
    return input.ndim == spatial + 2


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation. input: (N, C, L) or (C, L); weight: (O, C // groups, k)."""
    batched = _check_dims("conv1d", input, weight, 1)
    x = input if batched else ops.unsqueeze(input, 0)
    (s,), (d,) = ntuple(stride, 1, "stride"), ntuple(dilation, 1, "dilation")
    pad2d = padding if isinstance(padding, str) else (0, ntuple(padding, 1, "padding")[0])
    out = conv2d(ops.unsqueeze(x, 2), ops.unsqueeze(weight, 2), bias, (1, s), pad2d, (1, d),
                 groups)
    out = ops.squeeze(out, 2)
    return out if batched else ops.squeeze(out, 0)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D cross-correlation. input: (N, C, D, H, W) or (C, D, H, W);
    weight: (O, C // groups, kd, kh, kw) -> (N, O, OD, OH, OW)."""
    batched = _check_dims("conv3d", input, weight, 3)
    x = input if batched else ops.unsqueeze(input, 0)
    kernel = tuple(weight.shape[2:])
    strides = ntuple(stride, 3, "stride")
    dilations = ntuple(dilation, 3, "dilation")
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * 3
        elif padding == "same":
            if strides != (1, 1, 1):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = _same_padding(kernel, dilations)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = [(p, p) for p in ntuple(padding, 3, "padding")]
    # Depth is padded here; height and width by conv2d (zeros either way).
    x = ops.pad(x, (0, 0, 0, 0) + pads[0]) if pads[0] != (0, 0) else x
    n, channels, depth = x.shape[:3]
    kd, sd, dd = kernel[0], strides[0], dilations[0]
    out_depth = (depth - dd * (kd - 1) - 1) // sd + 1
    if out_depth < 1:
        raise RuntimeError(f"conv3d: input depth {depth} (padded) is smaller than the dilated "
                           f"kernel depth {dd * (kd - 1) + 1}")
    plane_padding = "same" if padding == "same" else (pads[1][0], pads[2][0])
    total = None
    for i in range(kd):
        start = i * dd
        planes = x[:, :, start:start + sd * (out_depth - 1) + 1:sd]  # (N, C, OD, H, W)
        folded = ops.reshape(ops.transpose(planes, 1, 2),
                             (n * out_depth, channels) + tuple(planes.shape[3:]))
        part = conv2d(folded, weight[:, :, i], None, strides[1:], plane_padding, dilations[1:],
                      groups)
        total = part if total is None else total + part
    assert total is not None
    out = ops.transpose(ops.reshape(total, (n, out_depth) + tuple(total.shape[1:])), 1, 2)
    if bias is not None:
        out = out + ops.reshape(bias, (1, -1, 1, 1, 1))
    return out if batched else ops.squeeze(out, 0)


def _output_padding_check(output_padding: tuple[int, ...], stride: tuple[int, ...],
                          dilation: tuple[int, ...]) -> None:
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError(f"output padding must be smaller than either stride or dilation, "
                               f"but got output_padding: {output_padding}, stride: {stride}, "
                               f"dilation: {dilation}")


def conv_transpose_nd(input: Tensor, weight: Tensor, bias: Tensor | None,  # noqa: A002
                      stride: tuple[int, ...], padding: tuple[int, ...],
                      output_padding: tuple[int, ...], groups: int,
                      dilation: tuple[int, ...]) -> Tensor:
    """Batched transposed convolution over 1 to 3 spatial dims (see the module docstring).

    input: (N, C_in, *spatial); weight: (C_in, C_out // groups, *kernel)."""
    spatial = input.ndim - 2
    in_channels, out_per_group = weight.shape[:2]
    kernel = tuple(weight.shape[2:])
    if spatial == 2 and groups == 1 and input.shape[1] == in_channels:
        return _conv_transpose2d(input, weight, bias, stride, padding, output_padding, dilation)
    if input.shape[1] != in_channels:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {in_channels} channels, but got "
                           f"{input.shape[1]} channels instead")
    if in_channels % groups:
        raise RuntimeError(f"conv_transpose: in_channels ({in_channels}) must be divisible by "
                           f"groups ({groups})")
    x = input
    if any(s > 1 for s in stride):
        # Put stride - 1 zeros after every element: (.., L) -> (.., L, 1) -> (.., L, s) -> (.., L*s)
        shape = tuple(x.shape)
        inter = x
        for axis in range(spatial):
            inter = ops.unsqueeze(inter, 3 + 2 * axis)
        pads: list[int] = []
        for s in reversed(stride):
            pads += [0, s - 1, 0, 0]
        inter = ops.pad(inter, pads)
        x = ops.reshape(inter, shape[:2] + tuple(n * s for n, s in zip(shape[2:], stride)))
    # Trailing zeros beyond the last element are not part of the dilated input.
    edge: list[int] = []
    for k, s, p, op, d in reversed(list(zip(kernel, stride, padding, output_padding,
                                            dilation))):
        before = d * (k - 1) - p
        edge += [before, before + op - (s - 1)]
    x = ops.pad(x, edge)
    flip = (slice(None), slice(None)) + (slice(None, None, -1),) * spatial
    w = ops.reshape(weight, (groups, in_channels // groups, out_per_group) + kernel)
    w = ops.reshape(ops.transpose(w, 1, 2), (groups * out_per_group, in_channels // groups)
                    + kernel)[flip]
    conv = {1: conv1d, 2: conv2d, 3: conv3d}[spatial]
    return conv(x, w, bias, 1, 0, dilation, groups)


def _conv_transpose2d(x: Tensor, weight: Tensor, bias: Tensor | None, stride: tuple[int, ...],
                      padding: tuple[int, ...], output_padding: tuple[int, ...],
                      dilation: tuple[int, ...]) -> Tensor:
    """Ungrouped 2-D transposed convolution as one op: the forward is conv2d's input-gradient
    scatter (``_col2im``) of x through the kernel; the backward is an ordinary strided
    convolution of the output gradient (for x) and its window columns times x (for the kernel).
    No zeros are inserted, so it costs what the matching convolution costs."""
    data, w = x._data, weight._data
    n, c_in, h, w_in = data.shape
    c_out, kh, kw = w.shape[1:]
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    out_h = (h - 1) * sh - 2 * ph + dh * (kh - 1) + output_padding[0] + 1
    out_w = (w_in - 1) * sw - 2 * pw + dw * (kw - 1) + output_padding[1] + 1
    if out_h < 1 or out_w < 1:
        raise RuntimeError(f"conv_transpose2d: output size ({out_h}, {out_w}) is too small for "
                           f"an input of spatial size ({h}, {w_in})")
    padded_shape = (n, out_h + 2 * ph, out_w + 2 * pw, c_out)
    x_matrix = data.transpose(0, 2, 3, 1).reshape(n * h * w_in, c_in)
    padded = _col2im(x_matrix, w, padded_shape, (h, w_in), (sh, sw), (dh, dw))
    out = padded[:, ph:ph + out_h, pw:pw + out_w].transpose(0, 3, 1, 2)
    if bias is not None:
        out = out + bias._data.reshape(1, -1, 1, 1)
    else:
        out = np.ascontiguousarray(out)

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g_last = np.zeros(padded_shape, dtype=g.dtype)
        g_last[:, ph:ph + out_h, pw:pw + out_w] = g.transpose(0, 2, 3, 1)
        s_n, s_h, s_w, s_c = g_last.strides
        windows = as_strided(g_last, (n, h, w_in, kh, kw, c_out),
                             (s_n, s_h * sh, s_w * sw, s_h * dh, s_w * dw, s_c), writeable=False)
        columns = windows.reshape(n * h * w_in, kh * kw * c_out)
        g_x = g_w = g_b = None
        if x._requires_grad:
            w_matrix = w.transpose(0, 2, 3, 1).reshape(c_in, kh * kw * c_out)
            g_x = (columns @ w_matrix.T).reshape(n, h, w_in, c_in).transpose(0, 3, 1, 2)
        if weight._requires_grad:
            g_w = (x_matrix.T @ columns).reshape(c_in, kh, kw, c_out).transpose(0, 3, 1, 2)
        if bias is not None and bias._requires_grad:
            g_b = g.sum(axis=(0, 2, 3))
        return (g_x, g_w) if bias is None else (g_x, g_w, g_b)

    inputs = (x, weight) if bias is None else (x, weight, bias)
    return Tensor._op(out, inputs, backward, "ConvolutionBackward", saved=(0, 1))


def _conv_transpose(name: str, spatial: int, input: Tensor, weight: Tensor,  # noqa: A002
                    bias: Tensor | None, stride: Any, padding: Any, output_padding: Any,
                    groups: int, dilation: Any) -> Tensor:
    batched = _check_dims(name, input, weight, spatial)
    if isinstance(padding, str):
        raise NotImplementedError(f"{name}: string padding {padding!r} is not supported by "
                                  f"transposed convolutions (PyTorch neither)")
    strides = ntuple(stride, spatial, "stride")
    dilations = ntuple(dilation, spatial, "dilation")
    out_pad = ntuple(output_padding, spatial, "output_padding")
    _output_padding_check(out_pad, strides, dilations)
    x = input if batched else ops.unsqueeze(input, 0)
    out = conv_transpose_nd(x, weight, bias, strides, ntuple(padding, spatial, "padding"),
                            out_pad, groups, dilations)
    return out if batched else ops.squeeze(out, 0)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """Transposed 1-D convolution. input: (N, C_in, L); weight: (C_in, C_out // groups, k);
    L_out = (L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1."""
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """Transposed 2-D convolution. input: (N, C_in, H, W); weight: (C_in, C_out // groups,
    kh, kw)."""
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """Transposed 3-D convolution. input: (N, C_in, D, H, W); weight: (C_in, C_out // groups,
    kd, kh, kw)."""
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)
