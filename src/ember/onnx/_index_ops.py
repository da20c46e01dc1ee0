"""ONNX converter of basic indexing (``x[:, 0]``, ``x[..., 1:3]``, ``x[:, None]``): one Slice,
then one Reshape to the result's shape. Indexing with tensors or lists is an error naming it."""

from __future__ import annotations

from typing import Any

from ember.onnx._trace import OnnxExporterError
from ember.onnx.symbolic import register
from ember.tensor import Tensor

_BIG = 2**63 - 1


def _parts(index: Any, ndim: int) -> list[Any]:
    """The index as one entry per input axis (ints and slices) plus ``None`` insertions."""
    parts = list(index) if isinstance(index, tuple) else [index]
    for part in parts:
        if not (part is None or part is Ellipsis or isinstance(part, (int, slice))) \
                or isinstance(part, bool):
            raise OnnxExporterError(f"ONNX export: indexing with {type(part).__name__} is not "
                                    "exported (ints, slices, None and ... are)")
    if parts.count(Ellipsis) > 1:
        raise OnnxExporterError("ONNX export: an index may hold one Ellipsis")
    used = sum(1 for p in parts if p is not None and p is not Ellipsis)
    if Ellipsis in parts:
        at = parts.index(Ellipsis)
        parts[at:at + 1] = [slice(None)] * (ndim - used)
    return parts + [slice(None)] * (ndim - sum(1 for p in parts if p is not None))


@register("getitem")
def _getitem(g: Any, a: dict[str, Any], out: Tensor) -> str:
    x = a["x"]
    starts, ends, axes, steps = [], [], [], []
    dropped, inserted = [], []  # int-indexed input axes; output positions of None
    axis = out_axis = 0
    batch, batch_out = g.batch_axis(x), None  # where the batch is, before and after
    for part in _parts(a["index"], x.ndim):
        if part is None:
            inserted.append(out_axis)
            out_axis += 1
            continue
        if isinstance(part, int):
            start, stop, step = part, (part + 1) or _BIG, 1
            dropped.append(axis)
        else:
            step = 1 if part.step is None else int(part.step)
            start = part.start if part.start is not None else (0 if step > 0 else _BIG)
            stop = part.stop if part.stop is not None else (_BIG if step > 0 else -_BIG - 1)
            if axis == batch and part == slice(None):
                batch_out = out_axis
            out_axis += 1
        if not (isinstance(part, slice) and part == slice(None)):
            starts.append(int(start))
            ends.append(int(stop))
            axes.append(axis)
            steps.append(step)
        axis += 1
    result = g.value(x)
    if axes:
        result = g.op("Slice", result, g.ints(starts), g.ints(ends), g.ints(axes),
                      g.ints(steps))
    if dropped:
        result = g.op("Squeeze", result, g.ints(dropped))
    if inserted:
        result = g.op("Unsqueeze", result, g.ints(inserted))
    if result == g.value(x):
        result = g.op("Identity", result)
    g.set_batch_axis(result, batch_out)
    return result
