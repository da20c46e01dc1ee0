"""``draw_graph``: the computation graph that produced a tensor, as the backprop lessons draw it.

Every recorded op is a node (its backward name without ``Backward``); every tensor on the way is a
box with its shape and, for small tensors, its values and gradient. The picture is Graphviz's:
``graph.source`` is the DOT text (always available), ``graph.render(path)`` writes SVG or PNG with
the ``graphviz`` package and its ``dot`` program, and Jupyter shows the graph inline.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import numpy as np

from ember.autograd.engine import Node
from ember.tensor import Tensor


class ComputationGraph:
    """A drawn graph: ``source`` (DOT), ``render(path)``, inline display in Jupyter."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __str__(self) -> str:
        return self.source

    def pipe(self, format: str = "svg") -> bytes:  # noqa: A002 - graphviz's name
        """The picture as bytes (``'svg'`` or ``'png'``); needs ``pip install graphviz`` and the
        Graphviz ``dot`` program (``apt install graphviz``, ``brew install graphviz``)."""
        if format not in ("svg", "png", "pdf"):
            raise ValueError(f"draw_graph: format must be 'svg', 'png' or 'pdf', got {format!r}")
        try:
            import graphviz
        except ImportError:
            raise ImportError("rendering needs the graphviz package: pip install ember[viz] "
                              "(graph.source has the DOT text without it)") from None
        if shutil.which("dot") is None:
            raise RuntimeError("rendering needs Graphviz's dot program on PATH (apt install "
                               "graphviz); graph.source has the DOT text without it")
        return graphviz.Source(self.source).pipe(format=format)

    def render(self, path: str | os.PathLike[str]) -> str:
        """Write the picture; the file's extension (.svg, .png, .pdf, .dot/.gv) picks the format."""
        path = os.fspath(path)
        extension = os.path.splitext(path)[1].lower().lstrip(".")
        data = (self.source.encode() if extension in ("dot", "gv")
                else self.pipe("png" if extension == "png" else extension or "svg"))
        temporary = f"{path}.tmp-{os.getpid()}"
        with open(temporary, "wb") as f:
            f.write(data)
        os.replace(temporary, path)  # never a half-written picture
        return path

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        try:
            return {"image/svg+xml": self.pipe("svg").decode()}
        except (ImportError, RuntimeError):
            return {"text/plain": self.source}


def draw_graph(tensor: Tensor, values: bool = True, grads: bool = True,
               max_elements: int = 6) -> ComputationGraph:
    """The graph of ops and tensors that produced ``tensor``.

    ``values``/``grads`` print the values and ``.grad`` of tensors with at most ``max_elements``
    elements (call ``backward()`` first, and ``retain_grad()`` on intermediates, to see gradients).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"draw_graph expects a Tensor, got {type(tensor).__name__}")
    lines = ["digraph computation {", '  rankdir="LR";',
             '  node [fontname="Helvetica", fontsize=10];']
    ids: dict[int, str] = {}

    def name_of(obj: Any) -> str:
        if id(obj) not in ids:
            ids[id(obj)] = f"n{len(ids)}"
        return ids[id(obj)]

    def box(t: Tensor, title: str) -> str:
        rows = [title, f"shape {list(t.shape)}  {t.dtype}".replace("ember.", "")]
        if values and t.numel() <= max_elements:
            rows.append("data " + _fmt(t._data))
        if grads and t.grad is not None and t.numel() <= max_elements:
            rows.append("grad " + _fmt(t.grad._data))
        label = "\\n".join(_escape(r) for r in rows)
        style = 'style=filled, fillcolor="#dbe9f6"' if t.grad is not None else ""
        node_id = name_of(t)
        lines.append(f'  {node_id} [shape=box, label="{label}"{", " + style if style else ""}];')
        return node_id

    root_box = box(tensor, "output")
    start = tensor.grad_fn
    if start is not None:
        lines.append(f'  {name_of(start)} -> {root_box};')
    stack: list[Node] = [start] if start is not None else []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        op = node.name().removesuffix("Backward")
        lines.append(f'  {name_of(node)} [shape=ellipse, style=filled, fillcolor="#fde2c4", '
                     f'label="{_escape(op)}"];')
        for edge, inp in zip(node.edges, node.inputs):
            title = "leaf" if isinstance(edge, Tensor) else ("constant" if edge is None
                                                             else "")
            tensor_id = box(inp, title or "intermediate")
            lines.append(f"  {tensor_id} -> {name_of(node)};")
            if isinstance(edge, Node):
                lines.append(f"  {name_of(edge)} -> {tensor_id};")
                stack.append(edge)
    lines.append("}")
    return ComputationGraph("\n".join(dict.fromkeys(lines)))  # each edge once


def _fmt(array: np.ndarray) -> str:
    return np.array2string(np.asarray(array, dtype=np.float64), precision=4, separator=", ",
                           suppress_small=True).replace("\n", "")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
