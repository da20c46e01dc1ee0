"""The one table from ember's ops to ONNX nodes: ``OPS[name](graph, arguments, result)``.

Keys are the public names of ``ember.ops`` and ``ember.nn.functional`` (``F.relu`` and
``ops.relu`` share ``"relu"``). A converter gets the op's bound arguments by parameter name and
the eagerly computed result (for shapes and dtypes), emits nodes through ``graph`` and returns
the output name(s). Ops that are deliberately not exportable are listed in ``NOT_EXPORTABLE``
with the reason; a test checks every public op is in one of the two.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ember.onnx._trace import OnnxExporterError
from ember.tensor import Tensor

Converter = Callable[[Any, dict[str, Any], Any], Any]
OPS: dict[str, Converter] = {}

NOT_EXPORTABLE = {
    # training losses: an exported model is for inference
    "binary_cross_entropy": "a loss", "binary_cross_entropy_with_logits": "a loss",
    "cross_entropy": "a loss", "nll_loss": "a loss", "mse_loss": "a loss", "l1_loss": "a loss",
    "smooth_l1_loss": "a loss", "huber_loss": "a loss",
    # data-dependent results or in-place writes the tracer cannot follow yet
    "setitem": "in-place indexing", "gather": "indexing", "argsort": "sorting",
    "sort": "sorting", "topk": "sorting", "median": "sorting", "mode": "sorting",
    "one_hot": "data-dependent width", "isclose": "tolerance test", "norm": "norms",
    "prod": "products", "std": "statistics", "var": "statistics", "all": "boolean reductions",
    "any": "boolean reductions", "tensordot": "contractions", "dot": "contractions",
    "unbind": "tuple outputs", "repeat": "tiling", "remainder": "modulo",
    "floor_divide": "integer division", "logical_and": "logic", "logical_or": "logic",
    "logical_xor": "logic", "logical_not": "logic",
    **dict.fromkeys(["cosine_embedding_loss", "gaussian_nll_loss", "kl_div",
                     "margin_ranking_loss", "multilabel_soft_margin_loss", "poisson_nll_loss",
                     "triplet_margin_loss"], "a loss"),
    **dict.fromkeys(["argwhere", "bincount", "histc", "masked_select", "nonzero", "unique",
                     "unique_consecutive"], "data-dependent output shape"),
    **dict.fromkeys(["index_add", "index_fill", "index_select", "scatter", "scatter_add",
                     "scatter_reduce", "take", "take_along_dim", "narrow", "unfold", "diag",
                     "diag_embed", "diagonal", "tril", "triu", "roll", "flip", "fliplr", "flipud",
                     "moveaxis", "unflatten", "repeat_interleave", "meshgrid", "einsum",
                     "view_as_dtype"], "indexing and layout ops not mapped yet"),
    **dict.fromkeys(["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
                     "bitwise_left_shift", "bitwise_right_shift", "bucketize", "searchsorted",
                     "count_nonzero", "signbit", "sgn", "isinf", "isfinite", "isneginf",
                     "isposinf", "isreal", "nan_to_num", "nanmean", "nansum", "fix", "frac",
                     "fmod", "copysign", "hypot", "arctan2", "float_power", "xlogy", "lerp",
                     "logaddexp", "logaddexp2", "sinc", "deg2rad", "rad2deg", "erfc", "erfinv"],
                   "elementwise ops not mapped yet"),
    **dict.fromkeys(["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "aminmax",
                     "std_mean", "var_mean"], "scans and paired statistics not mapped yet"),
    **dict.fromkeys(["group_norm", "instance_norm", "local_response_norm", "rms_norm",
                     "normalize", "cosine_similarity", "pairwise_distance", "prelu", "rrelu",
                     "glu", "gumbel_softmax", "scaled_dot_product_attention", "threshold",
                     "adaptive_avg_pool1d", "adaptive_max_pool1d", "adaptive_max_pool2d",
                     "avg_pool3d", "conv3d",
                     "conv_transpose3d", "fold", "interpolate", "lp_pool1d",
                     "lp_pool2d", "max_pool3d", "max_unpool1d", "max_unpool2d",
                     "pixel_shuffle", "pixel_unshuffle"],
                   "layer functions not mapped yet"),
    **dict.fromkeys(["absolute", "addbmm", "addcdiv", "addcmul", "addmm", "addmv", "addr",
                     "atleast_1d", "atleast_2d", "atleast_3d", "baddbmm", "block_diag",
                     "broadcast_shapes", "broadcast_tensors", "cartesian_prod", "cdist",
                     "clamp_max", "clamp_min", "column_stack", "corrcoef", "cov", "cross", "diff",
                     "dist", "divide", "dstack", "ger", "heaviside", "hstack", "inner", "kron",
                     "kthvalue", "logit", "logspace", "msort", "multiply", "mv", "nanquantile",
                     "negative", "numel", "positive", "quantile", "rot90", "row_stack", "rsub",
                     "select", "subtract", "swapaxes", "t", "tile", "trace", "vdot", "isin",
                     "tensor_split", "lgamma", "digamma", "i0",
                     "index_put", "masked_scatter", "chain_matmul", "cumulative_trapezoid",
                     "diagflat", "dsplit", "fmax", "fmin", "gcd", "hsplit", "index_copy", "lcm",
                     "ldexp", "matrix_power", "narrow_copy", "nextafter", "polygamma", "ravel",
                     "select_scatter", "slice_scatter", "trapezoid", "trapz", "tril_indices",
                     "triu_indices", "unravel_index", "vander", "vsplit"],
                   "composites and aliases (issue 12) not mapped yet"),
}


def register(*names: str) -> Callable[[Converter], Converter]:
    def add(converter: Converter) -> Converter:
        for name in names:
            OPS[name] = converter
        return converter

    return add


def _dim(dim: int, ndim: int) -> int:
    return dim + ndim if dim < 0 else dim


def _unary(op_type: str) -> Converter:
    def convert(g: Any, a: dict[str, Any], out: Tensor) -> str:
        return g.op(op_type, g.value(a["x"], out._data.dtype))

    return convert


for _name, _onnx in {"neg": "Neg", "abs": "Abs", "exp": "Exp", "log": "Log", "sqrt": "Sqrt",
                     "sin": "Sin", "cos": "Cos", "floor": "Floor", "ceil": "Ceil",
                     "round": "Round", "sign": "Sign", "sigmoid": "Sigmoid", "tanh": "Tanh",
                     "relu": "Relu", "clone": "Identity", "acos": "Acos", "acosh": "Acosh",
                     "asin": "Asin", "asinh": "Asinh", "atan": "Atan", "atanh": "Atanh",
                     "cosh": "Cosh", "sinh": "Sinh", "tan": "Tan", "reciprocal": "Reciprocal",
                     "isnan": "IsNaN", "erf_op": "Erf", "softsign": "Softsign",
                     "selu": "Selu", "hardswish": "HardSwish"}.items():
    OPS[_name] = _unary(_onnx)


def _binary(op_type: str) -> Converter:
    def convert(g: Any, a: dict[str, Any], out: Tensor) -> str:
        dtype = out._data.dtype
        return g.op(op_type, g.value(a["a"], dtype), g.value(a["b"], dtype))

    return convert


for _name, _onnx in {"add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div", "pow": "Pow",
                     "maximum": "Max", "minimum": "Min", "matmul": "MatMul", "mm": "MatMul",
                     "bmm": "MatMul", "true_divide": "Div"}.items():
    OPS[_name] = _binary(_onnx)


def _comparison(op_type: str, negate: bool = False) -> Converter:
    def convert(g: Any, a: dict[str, Any], out: Tensor) -> str:
        tensors = [v._data.dtype for v in (a["a"], a["b"]) if isinstance(v, Tensor)]
        dtype = np.result_type(*tensors)
        result = g.op(op_type, g.value(a["a"], dtype), g.value(a["b"], dtype))
        return g.op("Not", result) if negate else result

    return convert


OPS.update(eq=_comparison("Equal"), ne=_comparison("Equal", negate=True),
           lt=_comparison("Less"), le=_comparison("LessOrEqual"), gt=_comparison("Greater"),
           ge=_comparison("GreaterOrEqual"))


@register("log1p")
def _log1p(g: Any, a: dict[str, Any], out: Tensor) -> str:
    dtype = out._data.dtype
    return g.op("Log", g.op("Add", g.value(a["x"], dtype), g.value(1.0, dtype)))


def _composite(build: Callable[[Any, str, Any], str]) -> Converter:
    """A unary op written as a few ONNX nodes: ``build(graph, x, dtype)``."""
    def convert(g: Any, a: dict[str, Any], out: Tensor) -> str:
        return build(g, g.value(a["x"], out._data.dtype), out._data.dtype)

    return convert


OPS.update(
    square=_composite(lambda g, x, t: g.op("Mul", x, x)),
    rsqrt=_composite(lambda g, x, t: g.op("Reciprocal", g.op("Sqrt", x))),
    log2=_composite(lambda g, x, t: g.op("Div", g.op("Log", x), g.value(math.log(2.0), t))),
    log10=_composite(lambda g, x, t: g.op("Div", g.op("Log", x), g.value(math.log(10.0), t))),
    expm1=_composite(lambda g, x, t: g.op("Sub", g.op("Exp", x), g.value(1.0, t))),
    exp2=_composite(lambda g, x, t: g.op("Pow", g.value(2.0, t), x)),
    mish=_composite(lambda g, x, t: g.op("Mul", x, g.op("Tanh", g.op("Softplus", x)))),
    logsigmoid=_composite(lambda g, x, t: g.op("Neg", g.op("Softplus", g.op("Neg", x)))),
    hardsigmoid=_composite(lambda g, x, t: g.op("HardSigmoid", x, alpha=1 / 6, beta=0.5)),
)


@register("celu")
def _celu(g: Any, a: dict[str, Any], out: Tensor) -> str:
    return g.op("Celu", g.value(a["x"]), alpha=float(a["alpha"]))


@register("hardtanh")
def _hardtanh(g: Any, a: dict[str, Any], out: Tensor) -> str:
    dtype = out._data.dtype
    return g.op("Clip", g.value(a["x"]), g.value(a["min_val"], dtype),
                g.value(a["max_val"], dtype))


@register("softmin")
def _softmin(g: Any, a: dict[str, Any], out: Tensor) -> str:
    return g.op("Softmax", g.op("Neg", g.value(a["x"], out._data.dtype)),
                axis=_softmax_dim(a, out.ndim))


@register("leaky_relu")
def _leaky_relu(g: Any, a: dict[str, Any], out: Tensor) -> str:
    return g.op("LeakyRelu", g.value(a["x"]), alpha=float(a["negative_slope"]))


@register("elu")
def _elu(g: Any, a: dict[str, Any], out: Tensor) -> str:
    return g.op("Elu", g.value(a["x"]), alpha=float(a["alpha"]))


@register("relu6")
def _relu6(g: Any, a: dict[str, Any], out: Tensor) -> str:
    dtype = out._data.dtype
    return g.op("Clip", g.value(a["x"]), g.value(0.0, dtype), g.value(6.0, dtype))


@register("clamp", "clip")
def _clamp(g: Any, a: dict[str, Any], out: Tensor) -> str:
    dtype = out._data.dtype
    result = g.value(a["x"], dtype)
    if isinstance(a["min"], Tensor) or isinstance(a["max"], Tensor):
        if a["min"] is not None:
            result = g.op("Max", result, g.value(a["min"], dtype))
        if a["max"] is not None:
            result = g.op("Min", result, g.value(a["max"], dtype))
        return result
    low = "" if a["min"] is None else g.value(a["min"], dtype)
    high = "" if a["max"] is None else g.value(a["max"], dtype)
    return g.op("Clip", result, low, high)


@register("silu")
def _silu(g: Any, a: dict[str, Any], out: Tensor) -> str:
    x = g.value(a["x"])
    return g.op("Mul", x, g.op("Sigmoid", x))


@register("gelu")
def _gelu(g: Any, a: dict[str, Any], out: Tensor) -> str:
    x, dtype, approximate = g.value(a["x"]), out._data.dtype, a["approximate"]
    if g.opset >= 20:
        return g.op("Gelu", x, approximate=approximate)
    if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = g.op("Mul", g.op("Mul", x, x), x)
        inner = g.op("Add", x, g.op("Mul", cube, g.value(0.044715, dtype)))
        inner = g.op("Mul", inner, g.value(math.sqrt(2.0 / math.pi), dtype))
        gate = g.op("Add", g.op("Tanh", inner), g.value(1.0, dtype))
    else:  # 0.5 x (1 + erf(x / sqrt 2))
        gate = g.op("Add", g.op("Erf", g.op("Mul", x, g.value(1 / math.sqrt(2.0), dtype))),
                    g.value(1.0, dtype))
    return g.op("Mul", g.op("Mul", x, gate), g.value(0.5, dtype))


@register("softplus")
def _softplus(g: Any, a: dict[str, Any], out: Tensor) -> str:
    x, dtype = g.value(a["x"]), out._data.dtype
    scaled = g.op("Mul", x, g.value(a["beta"], dtype))
    soft = g.op("Div", g.op("Softplus", scaled), g.value(a["beta"], dtype))
    # above the threshold PyTorch returns x itself (linear), as ember does
    return g.op("Where", g.op("Greater", scaled, g.value(a["threshold"], dtype)), x, soft)


def _softmax_dim(a: dict[str, Any], ndim: int) -> int:
    dim = a.get("dim")
    if dim is None:
        dim = a.get("axis")
    if dim is None:  # PyTorch's implicit choice for legacy calls
        dim = 0 if ndim in (0, 1, 3) else 1
    return _dim(int(dim), ndim)


@register("softmax")
def _softmax(g: Any, a: dict[str, Any], out: Tensor) -> str:
    return g.op("Softmax", g.value(a["x"], out._data.dtype), axis=_softmax_dim(a, out.ndim))


@register("log_softmax")
def _log_softmax(g: Any, a: dict[str, Any], out: Tensor) -> str:
    return g.op("LogSoftmax", g.value(a["x"], out._data.dtype), axis=_softmax_dim(a, out.ndim))


@register("logsumexp")
def _logsumexp(g: Any, a: dict[str, Any], out: Tensor) -> str:
    return _reduce(g, "ReduceLogSumExp", a, out)


def _prod(sizes: Any) -> int:
    total = 1
    for size in sizes:
        total *= int(size)
    return total


def _reshape_to(g: Any, x: Tensor, out: Tensor) -> str:
    """Reshape ``x`` to ``out``'s shape, keeping a dynamic batch axis symbolic: the output axis
    that starts where the batch started (same number of elements before it) becomes -1, every
    other size is fixed; it stays the batch axis if it is the batch alone."""
    name, axis = g.value(x), g.batch_axis(x)
    if axis is not None and out.ndim >= 1:
        before = _prod(x.shape[:axis])
        at = next((j for j in range(out.ndim) if _prod(out.shape[:j]) == before), None)
        if at is not None and out.shape[at] % x.shape[axis] == 0 and (
                _prod(out.shape[at:]) == _prod(x.shape[axis:])):
            shape = list(out.shape)
            shape[at] = -1
            result = g.op("Reshape", name, g.ints(shape))
            g.set_batch_axis(result, at if out.shape[at] == x.shape[axis] else None)
            return result
    result = g.op("Reshape", name, g.ints(out.shape))
    g.set_batch_axis(result, None)
    return result


@register("reshape", "view", "flatten")
def _reshape(g: Any, a: dict[str, Any], out: Tensor) -> str:
    return _reshape_to(g, a["x"], out)


@register("squeeze", "unsqueeze")
def _squeeze(g: Any, a: dict[str, Any], out: Tensor) -> str:
    return _reshape_to(g, a["x"], out)


@register("permute", "transpose")
def _permute(g: Any, a: dict[str, Any], out: Tensor) -> str:
    x = a["x"]
    if "dims" in a:
        dims = a["dims"][0] if len(a["dims"]) == 1 and not isinstance(a["dims"][0], int) \
            else a["dims"]
        perm = [_dim(int(d), x.ndim) for d in dims]
    else:
        perm = list(range(x.ndim))
        d0, d1 = _dim(int(a["dim0"]), x.ndim), _dim(int(a["dim1"]), x.ndim)
        perm[d0], perm[d1] = perm[d1], perm[d0]
    result = g.op("Transpose", g.value(x), perm=perm)
    axis = g.batch_axis(x)
    g.set_batch_axis(result, None if axis is None else perm.index(axis))
    return result


@register("cat", "concat", "concatenate")
def _cat(g: Any, a: dict[str, Any], out: Tensor) -> str:
    dim = a.get("dim", 0) if a.get("axis") is None else a["axis"]
    dtype = out._data.dtype
    parts = [g.value(t, dtype) for t in a["tensors"] if t.numel() or t.ndim > 1]
    return g.op("Concat", *parts, axis=_dim(int(dim), out.ndim))


@register("stack")
def _stack(g: Any, a: dict[str, Any], out: Tensor) -> str:
    dim = _dim(int(a.get("dim", 0)), out.ndim)
    dtype = out._data.dtype
    parts = [g.op("Unsqueeze", g.value(t, dtype), g.ints([dim])) for t in a["tensors"]]
    result = g.op("Concat", *parts, axis=dim)
    axis = next((g.batch_axis(t) for t in a["tensors"] if g.is_batched(t)), None)
    g.set_batch_axis(result, None if axis is None else axis + (axis >= dim))
    return result


def _axes(dim: Any, ndim: int) -> list[int]:
    if dim is None:
        return list(range(ndim))
    dims = [dim] if isinstance(dim, int) else list(dim)
    return sorted(_dim(int(d), ndim) for d in dims)


def _reduce(g: Any, op_type: str, a: dict[str, Any], out: Tensor) -> str:
    x = a["x"]
    axes = _axes(a.get("dim"), x.ndim)
    keepdims = int(bool(a.get("keepdim", False)))
    name = g.value(x, out._data.dtype)
    if op_type == "ReduceSum" or g.opset >= 18:
        result = g.op(op_type, name, g.ints(axes), keepdims=keepdims)
    else:
        result = g.op(op_type, name, axes=axes, keepdims=keepdims)
    axis = g.batch_axis(x)
    g.set_batch_axis(result, None if axis is None or axis in axes
                     else axis if keepdims else axis - sum(1 for d in axes if d < axis))
    return result


OPS.update(sum=lambda g, a, out: _reduce(g, "ReduceSum", a, out),
           mean=lambda g, a, out: _reduce(g, "ReduceMean", a, out),
           amax=lambda g, a, out: _reduce(g, "ReduceMax", a, out),
           amin=lambda g, a, out: _reduce(g, "ReduceMin", a, out))


def _max_min(op_type: str) -> Converter:
    def convert(g: Any, a: dict[str, Any], out: Any) -> str:
        if isinstance(out, tuple) or a.get("dim") is not None:
            raise OnnxExporterError("ONNX export: max/min along a dim (values and indices) is "
                                    "not exported; use amax/amin")
        return _reduce(g, op_type, a, out)

    return convert


def _arg_extreme(op_type: str) -> Converter:
    def convert(g: Any, a: dict[str, Any], out: Tensor) -> str:
        x = a["x"]
        if a.get("dim") is None:
            raise OnnxExporterError(f"ONNX export: {op_type} needs a dim")
        result = g.op(op_type, g.value(x), axis=_dim(int(a["dim"]), x.ndim),
                      keepdims=int(bool(a.get("keepdim"))))
        axis, dim = g.batch_axis(x), _dim(int(a["dim"]), x.ndim)
        keep = bool(a.get("keepdim"))
        g.set_batch_axis(result, None if axis is None or axis == dim
                         else axis if keep or axis < dim else axis - 1)
        return result

    return convert


OPS.update(max=_max_min("ReduceMax"), min=_max_min("ReduceMin"),
           argmax=_arg_extreme("ArgMax"), argmin=_arg_extreme("ArgMin"))


@register("pad")
def _pad(g: Any, a: dict[str, Any], out: Tensor) -> str:
    x, pad = a["x"], list(a["pad"])
    if a["mode"] != "constant":
        raise OnnxExporterError(f"ONNX export: pad mode {a['mode']!r} is not exported")
    begins, ends = [0] * x.ndim, [0] * x.ndim
    for i in range(len(pad) // 2):  # pairs from the last dim backwards
        begins[x.ndim - 1 - i], ends[x.ndim - 1 - i] = pad[2 * i], pad[2 * i + 1]
    value = 0.0 if a["value"] is None else a["value"]
    return g.op("Pad", g.value(x), g.ints(begins + ends), g.value(value, out._data.dtype),
                mode="constant")


@register("cast")
def _cast(g: Any, a: dict[str, Any], out: Tensor) -> str:
    return g.cast(g.value(a["x"]), out._data.dtype)


@register("where")
def _where(g: Any, a: dict[str, Any], out: Tensor) -> str:
    dtype = out._data.dtype
    return g.op("Where", g.value(a["condition"], np.bool_), g.value(a["a"], dtype),
                g.value(a["b"], dtype))


@register("masked_fill")
def _masked_fill(g: Any, a: dict[str, Any], out: Tensor) -> str:
    dtype = out._data.dtype
    return g.op("Where", g.value(a["mask"], np.bool_), g.value(a["value"], dtype),
                g.value(a["x"], dtype))


@register("inplace")
def _inplace(g: Any, a: dict[str, Any], out: Tensor) -> str:
    operations = {"add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div"}
    if a["op"] not in operations:
        raise OnnxExporterError(f"ONNX export: the in-place op {a['op']!r} is not exported")
    dtype = out._data.dtype
    return g.op(operations[a["op"]], g.value(a["x"], dtype), g.value(a["other"], dtype))


@register("expand", "broadcast_to")
def _expand(g: Any, a: dict[str, Any], out: Tensor) -> str:
    x, axis = a["x"], g.batch_axis(a["x"])
    shape = list(out.shape)
    if axis is not None:  # 1 keeps x's own (batch) size there; x's axes align to the right
        shape[axis + out.ndim - x.ndim] = 1
        result = g.op("Expand", g.value(x), g.ints(shape))
        g.set_batch_axis(result, axis + out.ndim - x.ndim)
        return result
    return g.op("Expand", g.value(x), g.ints(shape))


@register("split", "chunk")
def _split(g: Any, a: dict[str, Any], out: tuple) -> list[str]:
    dim = _dim(int(a.get("dim", 0)), a["x"].ndim)
    sizes = [t.shape[dim] for t in out]
    names = g.op("Split", g.value(a["x"]), g.ints(sizes), axis=dim, outputs=len(out))
    return names if isinstance(names, list) else [names]


from ember.onnx import _index_ops, _nn_ops  # noqa: E402,F401 - they register into OPS
