"""ONNX converters of the layer ops (linear, convolution, pooling, batch norm, dropout,
embedding), registered into ``ember.onnx.symbolic.OPS`` beside the others."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.onnx._trace import OnnxExporterError
from ember.onnx.symbolic import register
from ember.tensor import Tensor


@register("linear")
def _linear(g: Any, a: dict[str, Any], out: Tensor) -> str:
    x, weight, bias = a["x"], a["weight"], a["bias"]
    dtype = out._data.dtype
    if x.ndim == 2:
        inputs = [g.value(x, dtype), g.value(weight, dtype)]
        if bias is not None:
            inputs.append(g.value(bias, dtype))
        return g.op("Gemm", *inputs, transB=1)
    result = g.op("MatMul", g.value(x, dtype), g.op("Transpose", g.value(weight, dtype)))
    return result if bias is None else g.op("Add", result, g.value(bias, dtype))


@register("conv2d")
def _conv2d(g: Any, a: dict[str, Any], out: Tensor) -> str:
    from ember.nn.functional.conv import conv_padding, pair

    x, weight = a["input"], a["weight"]
    if x.ndim != 4:
        raise OnnxExporterError("ONNX export: conv2d needs a batched (N, C, H, W) input")
    kernel = tuple(weight.shape[2:])
    stride, dilation = pair(a["stride"], "stride"), pair(a["dilation"], "dilation")
    top, bottom, left, right = conv_padding(a["padding"], kernel, dilation, stride)
    inputs = [g.value(x), g.value(weight)]
    if a["bias"] is not None:
        inputs.append(g.value(a["bias"]))
    return g.op("Conv", *inputs, kernel_shape=list(kernel), strides=list(stride),
                dilations=list(dilation), pads=[top, left, bottom, right], group=int(a["groups"]))


def _pool_arguments(a: dict[str, Any]) -> dict[str, Any]:
    from ember.nn.functional.conv import pair

    kernel = pair(a["kernel_size"], "kernel_size")
    stride = kernel if a["stride"] in (None, [], ()) else pair(a["stride"], "stride")
    ph, pw = pair(a["padding"], "padding")
    return {"kernel_shape": list(kernel), "strides": list(stride), "pads": [ph, pw, ph, pw],
            "ceil_mode": int(bool(a["ceil_mode"]))}


@register("max_pool2d")
def _max_pool2d(g: Any, a: dict[str, Any], out: Tensor) -> str:
    from ember.nn.functional.conv import pair

    if a["return_indices"]:
        raise OnnxExporterError("ONNX export: max_pool2d(return_indices=True) is not exported")
    return g.op("MaxPool", g.value(a["input"]), dilations=list(pair(a["dilation"], "dilation")),
                **_pool_arguments(a))


@register("avg_pool2d")
def _avg_pool2d(g: Any, a: dict[str, Any], out: Tensor) -> str:
    if a["divisor_override"] is not None:
        raise OnnxExporterError("ONNX export: avg_pool2d(divisor_override=...) has no ONNX "
                                "equivalent")
    return g.op("AveragePool", g.value(a["input"]),
                count_include_pad=int(bool(a["count_include_pad"])), **_pool_arguments(a))


@register("adaptive_avg_pool2d")
def _adaptive_avg_pool2d(g: Any, a: dict[str, Any], out: Tensor) -> str:
    x = a["input"]
    height, width = x.shape[-2:]
    out_h, out_w = out.shape[-2:]
    if (out_h, out_w) == (1, 1):
        return g.op("GlobalAveragePool", g.value(x))
    if height % out_h or width % out_w:
        raise OnnxExporterError(f"ONNX export: adaptive_avg_pool2d from {height}x{width} to "
                                f"{out_h}x{out_w} has uneven windows, which ONNX cannot express")
    kernel = [height // out_h, width // out_w]
    return g.op("AveragePool", g.value(x), kernel_shape=kernel, strides=kernel)


@register("batch_norm")
def _batch_norm(g: Any, a: dict[str, Any], out: Tensor) -> str:
    x = a["input"]
    if a["training"] or a["running_mean"] is None:
        raise OnnxExporterError("ONNX export: batch_norm must use running statistics (call "
                                "model.eval(); track_running_stats=True)")
    channels, dtype = x.shape[1], out._data.dtype
    weight = a["weight"] if a["weight"] is not None else np.ones(channels, dtype)
    bias = a["bias"] if a["bias"] is not None else np.zeros(channels, dtype)
    return g.op("BatchNormalization", g.value(x), g.value(weight, dtype), g.value(bias, dtype),
                g.value(a["running_mean"], dtype), g.value(a["running_var"], dtype),
                epsilon=float(a["eps"]))


@register("dropout")
def _dropout(g: Any, a: dict[str, Any], out: Tensor) -> str:
    if a["training"] and a["p"] > 0:
        raise OnnxExporterError("ONNX export: dropout in training mode (call model.eval())")
    return g.op("Identity", g.value(a["x"]))


@register("embedding")
def _embedding(g: Any, a: dict[str, Any], out: Tensor) -> str:
    if a["max_norm"] is not None:
        raise OnnxExporterError("ONNX export: embedding(max_norm=...) rewrites weights while "
                                "running, which an ONNX graph cannot")
    return g.op("Gather", g.value(a["weight"]), g.value(a["input"], np.int64), axis=0)


@register("layer_norm")
def _layer_norm(g: Any, a: dict[str, Any], out: Tensor) -> str:
    shape = a["normalized_shape"]
    shape = [int(shape)] if isinstance(shape, (int, np.integer)) else [int(s) for s in shape]
    if g.opset < 17:
        raise OnnxExporterError("ONNX export: layer_norm needs opset_version >= 17")
    dtype = out._data.dtype
    weight = a["weight"] if a["weight"] is not None else np.ones(shape, dtype)
    inputs = [g.value(a["input"], dtype), g.value(weight, dtype)]
    if a["bias"] is not None:
        inputs.append(g.value(a["bias"], dtype))
    return g.op("LayerNormalization", *inputs, axis=-len(shape), epsilon=float(a["eps"]))


def _ints(value: Any, count: int, name: str) -> list[int]:
    """``2`` -> ``[2] * count``; a sequence of ``count`` ints stays."""
    if isinstance(value, (int, np.integer)):
        return [int(value)] * count
    values = [int(v) for v in value]
    if len(values) != count:
        raise OnnxExporterError(f"ONNX export: {name} must have {count} values, got {value!r}")
    return values


def _conv_pads(padding: Any, kernel: list[int], dilation: list[int]) -> list[int]:
    """ONNX pads (all begins, then all ends) for an int, sequence, 'valid' or 'same'."""
    if padding == "valid":
        return [0] * (2 * len(kernel))
    if padding == "same":  # an odd total puts the extra element at the end, as PyTorch does
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return [t // 2 for t in totals] + [t - t // 2 for t in totals]
    pads = _ints(padding, len(kernel), "padding")
    return pads + pads


@register("conv1d")
def _conv1d(g: Any, a: dict[str, Any], out: Tensor) -> str:
    if a["input"].ndim != 3:
        raise OnnxExporterError("ONNX export: conv1d needs a batched (N, C, L) input")
    kernel = list(a["weight"].shape[2:])
    dilation = _ints(a["dilation"], 1, "dilation")
    inputs = [g.value(a["input"]), g.value(a["weight"])]
    if a["bias"] is not None:
        inputs.append(g.value(a["bias"]))
    return g.op("Conv", *inputs, kernel_shape=kernel, strides=_ints(a["stride"], 1, "stride"),
                dilations=dilation, pads=_conv_pads(a["padding"], kernel, dilation),
                group=int(a["groups"]))


def _conv_transpose(dims: int) -> Any:
    def convert(g: Any, a: dict[str, Any], out: Tensor) -> str:
        if a["input"].ndim != dims + 2:
            raise OnnxExporterError(f"ONNX export: conv_transpose{dims}d needs a batched input")
        kernel = list(a["weight"].shape[2:])
        inputs = [g.value(a["input"]), g.value(a["weight"])]
        if a["bias"] is not None:
            inputs.append(g.value(a["bias"]))
        pads = _ints(a["padding"], dims, "padding")
        return g.op("ConvTranspose", *inputs, kernel_shape=kernel,
                    strides=_ints(a["stride"], dims, "stride"),
                    dilations=_ints(a["dilation"], dims, "dilation"), pads=pads + pads,
                    output_padding=_ints(a["output_padding"], dims, "output_padding"),
                    group=int(a["groups"]))

    return convert


register("conv_transpose1d")(_conv_transpose(1))
register("conv_transpose2d")(_conv_transpose(2))


def _pool1d(op_type: str) -> Any:
    def convert(g: Any, a: dict[str, Any], out: Tensor) -> str:
        if a.get("return_indices"):
            raise OnnxExporterError("ONNX export: return_indices=True is not exported")
        kernel = _ints(a["kernel_size"], 1, "kernel_size")
        stride = kernel if a["stride"] in (None, [], ()) else _ints(a["stride"], 1, "stride")
        pad = _ints(a["padding"], 1, "padding")
        extra = ({"dilations": _ints(a["dilation"], 1, "dilation")} if op_type == "MaxPool"
                 else {"count_include_pad": int(bool(a["count_include_pad"]))})
        return g.op(op_type, g.value(a["input"]), kernel_shape=kernel, strides=stride,
                    pads=pad + pad, ceil_mode=int(bool(a["ceil_mode"])), **extra)

    return convert


register("max_pool1d")(_pool1d("MaxPool"))
register("avg_pool1d")(_pool1d("AveragePool"))
