"""Recording one forward pass through ember's ops as ONNX nodes.

While a ``Tracer`` is active, every public op of ``ember.ops``, ``ember.nn.functional`` and the
``ember`` namespace is swapped for a wrapper, wherever an ember module holds it by name (and
swapped back afterwards, so the ordinary hot path never pays for tracing; ``torch.fx`` patches
the same way; exporting is therefore not thread-safe). A wrapper runs the real op and, when
one of its inputs came from the graph's inputs, asks ``symbolic.OPS`` to emit the op's ONNX nodes.
Ops called inside a recorded op (a composite's parts) are not recorded again. An op without an
entry in the table is an ``UnsupportedOperatorError`` naming it.

Tracing runs with autograd on and the inputs requiring grad, so a value that escaped the wrappers
(an op outside the table's namespaces) still carries the name of the op that made it, which the
error reports instead of silently baking the value into the graph as a constant.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ember.tensor import Tensor

# Public names that are utilities, not ops producing tensors from tensors.
_NOT_OPS = {"as_array", "allclose", "equal", "random_normal", "random_uniform", "erf"}
_ACTIVE: list[Any] = []  # the running Tracer, if any (a list so wrappers read it cheaply)


class OnnxExporterError(RuntimeError):
    """The model cannot be exported as asked (PyTorch's ``torch.onnx.OnnxExporterError``)."""


class UnsupportedOperatorError(OnnxExporterError):
    """An op the model ran has no ONNX mapping in ``ember.onnx.symbolic.OPS``."""

    def __init__(self, op: str, escaped: bool = False) -> None:
        if escaped:
            message = (f"ONNX export: the op {op!r} ran where the trace could not see it (code "
                       "outside ember.ops and ember.nn.functional, or one of their functions "
                       "imported by name before exporting); call ops as ember.X, F.X or tensor "
                       "methods")
        else:
            message = (f"ONNX export: the op {op!r} has no ONNX mapping; add it to "
                       "ember.onnx.symbolic.OPS or avoid it in forward()")
        super().__init__(message)
        self.op = op


def _op_namespaces() -> list[Any]:
    import ember
    import ember.nn.functional as F
    from ember import ops

    return [ops, F, ember]


def traced_functions() -> list[tuple[str, Any]]:
    """Every op a trace wraps, as (public name, function); ``F.relu`` and ``ops.relu`` are two
    functions under one name, and so share one entry of the table."""
    import ember.nn.functional as F
    from ember import ops

    found: list[tuple[str, Any]] = []
    seen: set[int] = set()
    for namespace in (ops, F):
        for name in getattr(namespace, "__all__", []):
            function = getattr(namespace, name)
            if (name in _NOT_OPS or not callable(function) or isinstance(function, type)
                    or id(function) in seen):
                continue
            seen.add(id(function))
            found.append((name, function))
    return found


class Tracer:
    """Values, nodes and initializers of the graph being recorded (see ``symbolic.Graph``)."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self.depth = 0

    def touches(self, args: tuple, kwargs: dict) -> bool:
        """Whether any argument (also inside lists) is a value of the traced graph."""
        def traced(value: Any) -> bool:
            if isinstance(value, Tensor):
                return self.graph.is_traced(value)
            if isinstance(value, (list, tuple)):
                return any(traced(v) for v in value)
            return False

        return any(traced(a) for a in args) or any(traced(v) for v in kwargs.values())


def _wrap(name: str, function: Any) -> Any:
    from ember.onnx.symbolic import OPS

    signature = inspect.signature(function)

    @functools.wraps(function)
    def traced(*args: Any, **kwargs: Any) -> Any:
        tracer = _ACTIVE[-1] if _ACTIVE else None
        if tracer is None or tracer.depth or not tracer.touches(args, kwargs):
            return function(*args, **kwargs)
        converter = OPS.get(name)
        if converter is None:
            raise UnsupportedOperatorError(name)
        tracer.depth += 1
        try:
            out = function(*args, **kwargs)
        finally:
            tracer.depth -= 1
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.update(arguments.pop("kw", {}) or {})
        tracer.graph.record(name, converter, arguments, out)
        return out

    traced.__ember_traced__ = function  # type: ignore[attr-defined]
    return traced


@contextmanager
def tracing(graph: Any) -> Iterator[Tracer]:
    """Patch every op for the duration of one forward pass; always restore them."""
    functions = traced_functions()
    wrappers = {id(f): _wrap(name, f) for name, f in functions}
    names = {name for name, _ in functions}
    patched: list[tuple[Any, str, Any]] = []
    tracer = Tracer(graph)
    public = _op_namespaces()
    try:
        for namespace in public:
            for attr, value in list(vars(namespace).items()):
                if not attr.startswith("_") and id(value) not in wrappers and attr in names \
                        and _is_op_function(value):
                    wrappers[id(value)] = _wrap(attr, value)  # an alias bound separately
        # Every ember module that imported an op by name (``from ...conv import conv2d``) gets
        # the wrapper too, so layers calling it directly are traced like F.conv2d.
        modules = public + [module for name, module in list(sys.modules.items())
                            if name.startswith("ember.") and module is not None
                            and not name.startswith("ember.onnx") and module not in public]
        for namespace in modules:
            for attr, value in list(vars(namespace).items()):
                if id(value) in wrappers:
                    patched.append((namespace, attr, value))
                    setattr(namespace, attr, wrappers[id(value)])
        _ACTIVE.append(tracer)
        yield tracer
    finally:
        if _ACTIVE and _ACTIVE[-1] is tracer:
            _ACTIVE.pop()
        for namespace, attr, value in reversed(patched):
            setattr(namespace, attr, value)


def _is_op_function(value: Any) -> bool:
    module = getattr(value, "__module__", "") or ""
    return inspect.isfunction(value) and module.startswith(("ember.ops", "ember.nn.functional"))


def escaped_op(tensor: Tensor, graph: Any) -> str | None:
    """The op that computed ``tensor`` from graph values without being recorded, if any."""
    frontier, seen = [tensor], set()
    while frontier:
        current = frontier.pop()
        node = current._node
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        for parent in getattr(node, "inputs", None) or ():
            if isinstance(parent, Tensor) and graph.is_traced(parent):
                name = getattr(node, "_name", None) or repr(node)
                return str(name).removesuffix("Backward0").removesuffix("Backward")
            if isinstance(parent, Tensor):
                frontier.append(parent)
    return None


def as_input(value: Any) -> Tensor:
    """A fresh float leaf that requires grad (so escapes are caught), or an integer tensor."""
    tensor = value if isinstance(value, Tensor) else Tensor(np.asarray(value))
    leaf = Tensor._wrap(tensor._data)
    if leaf._data.dtype.kind == "f":
        leaf.requires_grad = True
    return leaf
