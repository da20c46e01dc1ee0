"""``ember.onnx.export``: trace one forward pass, build the ONNX model, check it, write it."""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np

from ember.onnx._graph import Graph
from ember.onnx._trace import OnnxExporterError, as_input, tracing
from ember.tensor import Tensor

DEFAULT_OPSET = 17
SUPPORTED_OPSETS = range(13, 22)
BATCH_AXIS_NAME = "batch"


def _import_onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ImportError("ember.onnx.export needs the onnx package: pip install "
                          "'ember[onnx]'") from None
    return onnx


def _split_args(args: Any, kwargs: dict[str, Any] | None) -> tuple[tuple, dict[str, Any]]:
    """PyTorch's convention: a tensor, or a tuple of them whose last item may be a kwargs dict."""
    if not isinstance(args, tuple):
        args = (args,)
    extra: dict[str, Any] = dict(kwargs or {})
    if args and isinstance(args[-1], dict):
        extra.update(args[-1])
        args = args[:-1]
    return args, extra


def _names(given: list[str] | None, count: int, base: str) -> list[str]:
    names = list(given or [])
    if len(names) > count:
        raise ValueError(f"ONNX export: {len(names)} {base} names for {count} {base}s")
    defaults = [base] if count == 1 else [f"{base}_{i}" for i in range(count)]
    return names + defaults[len(names):]


def _dynamic_axes(dynamic_axes: Any, names: list[str]) -> dict[str, dict[int, str]]:
    """Axis 0 of every input and output is the dynamic batch unless ``dynamic_axes`` says
    otherwise (``{}`` for fixed shapes); one axis per input or output can be dynamic (the
    batch: ``{"input": {1: "batch"}}`` for a sequence-first input)."""
    if dynamic_axes is None:
        return {name: {0: BATCH_AXIS_NAME} for name in names}
    axes: dict[str, dict[int, str]] = {}
    for name, spec in dict(dynamic_axes).items():
        if name not in names:
            raise ValueError(f"ONNX export: dynamic_axes names {name!r}, which is neither an "
                             f"input nor an output ({', '.join(names)})")
        spec = dict(spec) if isinstance(spec, dict) else {int(axis): BATCH_AXIS_NAME
                                                          for axis in spec}
        if len(spec) > 1:
            raise NotImplementedError(f"ONNX export: one axis (the batch) can be dynamic, got "
                                      f"axes {sorted(spec)} for {name!r}")
        axes[name] = {int(axis): str(label) for axis, label in spec.items()}
    return axes


def _value_info(onnx: Any, name: str, tensor: Tensor, dynamic: dict[int, str]) -> Any:
    shape = [dynamic.get(axis, size) for axis, size in enumerate(tensor.shape)]
    element = onnx.helper.np_dtype_to_tensor_dtype(tensor._data.dtype)
    return onnx.helper.make_tensor_value_info(name, element, shape)


def export(model: Any, args: Any, f: str | os.PathLike | io.IOBase,
           kwargs: dict[str, Any] | None = None, export_params: bool = True,
           verbose: bool = False, input_names: list[str] | None = None,
           output_names: list[str] | None = None, opset_version: int | None = None,
           dynamic_axes: Any = None) -> Any:
    """Export ``model`` (an ``nn.Module``, Keras model or any callable of ember ops) to ONNX.

    As ``torch.onnx.export``: ``args`` is the example input (a tensor or a tuple), ``f`` a path
    or binary file. The graph comes from tracing one forward pass in eval mode; batch axis 0 of
    every input and output is dynamic unless ``dynamic_axes`` says otherwise. Returns the
    checked ``onnx.ModelProto``.
    """
    onnx = _import_onnx()
    if not export_params:
        raise NotImplementedError("ONNX export: export_params=False (weights left out of the "
                                  "file) is not supported")
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if opset not in SUPPORTED_OPSETS:
        raise ValueError(f"ONNX export: opset_version must be in {SUPPORTED_OPSETS.start}.."
                         f"{SUPPORTED_OPSETS.stop - 1}, got {opset_version}")
    positional, keyword = _split_args(args, kwargs)
    inputs = [as_input(a) for a in positional]
    in_names = _names(input_names, len(inputs), "input")
    modules = list(model.modules()) if hasattr(model, "modules") else []
    modes = [m.training for m in modules]
    for module in modules:
        module.training = False  # as torch.onnx.export's default TrainingMode.EVAL
    try:
        parameter_names = {}
        if hasattr(model, "state_dict"):
            parameter_names = {id(t): name for name, t in
                               model.state_dict(keep_vars=True).items()}
        provisional = _dynamic_axes(None if dynamic_axes is None else {
            name: spec for name, spec in dict(dynamic_axes).items() if name in in_names},
            in_names)  # the outputs' entries are checked once their names are known
        batch_axes = [next(iter(provisional.get(n, {})), None) for n in in_names]
        batch_axes = [None if a is None else a % max(t.ndim, 1) if t.ndim else None
                      for a, t in zip(batch_axes, inputs)]
        batch = next((t.shape[a] for t, a in zip(inputs, batch_axes) if a is not None), None)
        graph = Graph(opset, parameter_names, batch)
        for tensor, name, axis in zip(inputs, in_names, batch_axes):
            graph.bind(tensor, name, axis)
        from ember.autograd.grad_mode import enable_grad

        with tracing(graph), enable_grad():
            result = model(*inputs, **keyword)
    finally:
        for module, mode in zip(modules, modes):
            module.training = mode
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    if not all(isinstance(t, Tensor) for t in outputs):
        raise OnnxExporterError(f"ONNX export: the model must return tensors, got "
                                f"{[type(t).__name__ for t in outputs]}")
    out_names = _names(output_names, len(outputs), "output")
    axes = _dynamic_axes(dynamic_axes, in_names + out_names)
    if dynamic_axes is None:  # each output's batch is where the trace found it, if anywhere
        for tensor, name in zip(outputs, out_names):
            axis = graph.batch_axis(tensor)
            axes[name] = {} if axis is None else {axis: BATCH_AXIS_NAME}
    for tensor, name in zip(outputs, out_names):
        graph.nodes.append(onnx.helper.make_node("Identity", [graph.value(tensor)], [name]))
    proto = _build(onnx, graph, inputs, in_names, outputs, out_names, axes, opset)
    if verbose:
        print(onnx.helper.printable_graph(proto.graph))
    blob = proto.SerializeToString()
    if isinstance(f, (str, os.PathLike)):
        from ember.serialization import atomic_write

        atomic_write(f, lambda handle: handle.write(blob))
    else:
        f.write(blob)
    return proto


def _build(onnx: Any, graph: Graph, inputs: list[Tensor], in_names: list[str],
           outputs: list[Tensor], out_names: list[str], axes: dict[str, dict[int, str]],
           opset: int) -> Any:
    from onnx import numpy_helper

    initializers = [numpy_helper.from_array(np.asarray(array), name)
                    for name, array in graph.initializers.items()]
    body = onnx.helper.make_graph(
        graph.nodes, "ember",
        [_value_info(onnx, n, t, axes.get(n, {})) for n, t in zip(in_names, inputs)],
        [_value_info(onnx, n, t, axes.get(n, {})) for n, t in zip(out_names, outputs)],
        initializers)
    opsets = [onnx.helper.make_opsetid("", opset)]
    proto = onnx.helper.make_model(body, opset_imports=opsets, producer_name="ember",
                                   ir_version=onnx.helper.find_min_ir_version_for(opsets))
    try:
        onnx.checker.check_model(proto, full_check=True)
    except onnx.checker.ValidationError as exc:
        raise OnnxExporterError(f"ONNX export produced an invalid model: {exc}") from None
    return proto
