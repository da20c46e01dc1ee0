"""The ONNX graph a trace builds: named values, nodes, initializers, and the batch axis.

Each traced tensor (by identity) has one ONNX value name. A tensor that is not traced becomes an
initializer: a model's parameter or buffer under its ``state_dict`` name, any other constant as
``const_N``. The graph also knows which values carry the dynamic batch as their first axis, so a
reshape keeps that axis symbolic instead of freezing the trace's batch size into the file.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.onnx._trace import OnnxExporterError, UnsupportedOperatorError, escaped_op
from ember.tensor import Tensor


class Graph:
    """Nodes and values recorded so far (converters in ``symbolic`` call ``op``, ``value``...)."""

    def __init__(self, opset: int, parameter_names: dict[int, str], batch: int | None) -> None:
        import onnx.helper

        self.helper = onnx.helper
        self.opset = opset
        self.batch = batch  # the traced batch size when axis 0 is dynamic, else None
        self.parameter_names = parameter_names
        self.nodes: list[Any] = []
        self.initializers: dict[str, np.ndarray] = {}
        self.names: dict[int, str] = {}  # id(tensor) -> value name
        self.batch_axes: dict[str, int] = {}  # value name -> the axis holding the batch
        self.dtypes: dict[str, np.dtype] = {}
        self._alive: list[Tensor] = []  # keeps traced tensors (and so their ids) alive
        self._traced_arrays: set[int] = set()
        self._constants: dict[int, str] = {}
        self._counter = 0
        self._axis_override: dict[str, int | None] = {}

    # ------------------------------------------------------------------ values
    def is_traced(self, tensor: Tensor) -> bool:
        return id(tensor) in self.names

    def fresh(self, base: str) -> str:
        self._counter += 1
        return f"{base}_{self._counter}"

    def bind(self, tensor: Tensor, name: str, batch_axis: int | None) -> None:
        self.names[id(tensor)] = name
        self._alive.append(tensor)
        self._traced_arrays.add(id(tensor._data))
        self.dtypes[name] = tensor._data.dtype
        if batch_axis is None:
            self.batch_axes.pop(name, None)
        else:
            self.batch_axes[name] = batch_axis

    def const(self, array: Any, base: str = "const") -> str:
        name = self.fresh(base)
        self.initializers[name] = np.asarray(array)
        self.dtypes[name] = self.initializers[name].dtype
        return name

    def ints(self, values: Any) -> str:
        return self.const(np.asarray(list(values), dtype=np.int64), "ints")

    def value(self, value: Any, dtype: Any = None) -> str:
        """The ONNX name of an op's input: a traced value, a parameter, or a constant (Python
        numbers take ``dtype``, the op's computing type). Cast to ``dtype`` when it differs."""
        if isinstance(value, Tensor):
            name = self._tensor_name(value)
        else:
            name = self.const(np.asarray(value, dtype=dtype))
        if dtype is not None and self.dtypes[name] != np.dtype(dtype):
            name = self.cast(name, dtype)
        return name

    def _tensor_name(self, tensor: Tensor) -> str:
        if id(tensor) in self.names:
            return self.names[id(tensor)]
        escaped = escaped_op(tensor, self)
        if escaped is not None:
            raise UnsupportedOperatorError(escaped, escaped=True)
        if id(tensor._data) in self._traced_arrays:
            raise OnnxExporterError("a traced value left the graph through detach(), .data or "
                                    ".numpy() and came back as a constant; keep the computation "
                                    "in ember ops")
        key = id(tensor)
        if key not in self._constants:
            base = self.parameter_names.get(key)
            name = base if base is not None and base not in self.initializers else \
                self.fresh(base or "const")
            self.initializers[name] = tensor._data
            self.dtypes[name] = tensor._data.dtype
            self._constants[key] = name
            self._alive.append(tensor)
        return self._constants[key]

    def cast(self, name: str, dtype: Any) -> str:
        from onnx.helper import np_dtype_to_tensor_dtype

        out = self.op("Cast", name, to=np_dtype_to_tensor_dtype(np.dtype(dtype)))
        self.dtypes[out] = np.dtype(dtype)
        if name in self.batch_axes:
            self.batch_axes[out] = self.batch_axes[name]
        return out

    # ------------------------------------------------------------------ nodes
    def op(self, op_type: str, *inputs: str, outputs: int = 1, **attributes: Any) -> Any:
        """Append one node; returns its output name (or a list of ``outputs`` names)."""
        names = [self.fresh(op_type) for _ in range(outputs)]
        self.nodes.append(self.helper.make_node(op_type, list(inputs), names,
                                                name=self.fresh(f"n_{op_type}"), **attributes))
        return names[0] if outputs == 1 else names

    def set_batch_axis(self, name: str, axis: int | None) -> None:
        """A converter's own answer to which axis of output ``name`` holds the batch."""
        self._axis_override[name] = axis

    def batch_axis(self, tensor: Any) -> int | None:
        """The axis of a traced tensor that holds the dynamic batch, if any."""
        if not isinstance(tensor, Tensor):
            return None
        return self.batch_axes.get(self.names.get(id(tensor), ""))

    def is_batched(self, tensor: Any) -> bool:
        return self.batch_axis(tensor) is not None

    def record(self, op_name: str, converter: Any, arguments: dict[str, Any], out: Any) -> None:
        """Emit ``op_name``'s nodes and bind the result tensor(s) to their names."""
        names = converter(self, arguments, out)
        outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        names = tuple(names) if isinstance(names, (tuple, list)) else (names,)
        if len(outs) != len(names) or not all(isinstance(t, Tensor) for t in outs):
            raise OnnxExporterError(f"ONNX export: op {op_name!r} returned {len(outs)} values, "
                                    f"its converter named {len(names)}")
        axes = [self.batch_axis(v) for v in _flat(arguments.values())]
        known = next((axis for axis in axes if axis is not None), None)
        for tensor, name in zip(outs, names):
            if name in self._axis_override:
                axis = self._axis_override.pop(name)
            else:  # by default the batch stays where it was, if the size there is the batch's
                axis = known if (known is not None and tensor.ndim > known
                                 and tensor.shape[known] == self.batch) else None
            if self.dtypes.get(name, tensor._data.dtype) != tensor._data.dtype:
                name = self.cast(name, tensor._data.dtype)
            self.bind(tensor, name, axis)


def _flat(values: Any) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, (list, tuple)):
            out.extend(_flat(value))
        else:
            out.append(value)
    return out
