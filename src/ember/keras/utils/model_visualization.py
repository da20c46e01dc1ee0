"""``keras.utils.plot_model``: the layer graph of a Keras model as a picture, as Keras draws it.

The graph is Graphviz DOT with Keras 3's node tables (black title bar with the layer's class and
name, white cells for shapes, dtype and trainability). Graphviz draws it when the ``graphviz``
package and its ``dot`` program are installed; otherwise matplotlib draws the same boxes and
arrows, layer by layer (straight edges: ``splines`` is Graphviz's and needs it).
"""

from __future__ import annotations

import html
import os
import shutil
import sys
from pathlib import Path
from typing import Any

__all__ = ["plot_model"]

# what Graphviz writes for each extension, and the subset matplotlib can write without it
_GRAPHVIZ_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "eps",
                     "ps", "dot", "gv")
_MATPLOTLIB_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "eps", "ps", "tif", "tiff", "dot",
                       "gv")


class _Node:
    """One box: a layer with the shapes it reads and writes and its output dtype."""

    def __init__(self, layer: Any, input_shape: Any, output_shape: Any, dtype: str) -> None:
        self.layer, self.input_shape, self.output_shape, self.dtype = (
            layer, input_shape, output_shape, dtype)


def plot_model(model: Any, to_file: str | os.PathLike[str] = "model.png",
               show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = False, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False,
               splines: str = "ortho", **kwargs: Any) -> Any:
    """Draw ``model``'s layers and their connections to ``to_file`` (Keras 3's arguments and
    defaults). The extension picks the format (none: PNG); a subclassed model is one box.

    Returns an ``IPython.display.Image`` (``SVG`` for .svg) when IPython is installed, so a
    notebook shows it, else None, as Keras does."""
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    if not getattr(model, "built", False):
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"plot_model: rankdir must be 'TB' or 'LR' (or 'BT', 'RL'), got "
                         f"{rankdir!r}")
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1].lower().lstrip(".") or "png"
    nodes, edges = _graph(model)
    if expand_nested and any(_is_model(node.layer) for node in nodes):
        raise NotImplementedError("plot_model: expand_nested=True is not supported for models "
                                  "that contain models")
    options = {"show_shapes": show_shapes, "show_dtype": show_dtype,
               "show_layer_names": show_layer_names,
               "show_layer_activations": show_layer_activations,
               "show_trainable": show_trainable}
    source = _dot_source(nodes, edges, rankdir, dpi, splines, options)
    if extension in ("dot", "gv"):
        data = source.encode()
    elif _graphviz_ready():
        if extension not in _GRAPHVIZ_FORMATS:
            raise ValueError(f"plot_model: cannot write a {extension!r} file; use one of "
                             f"{', '.join(_GRAPHVIZ_FORMATS)}")
        import graphviz

        data = graphviz.Source(source).pipe(format=extension)
    else:
        if extension not in _MATPLOTLIB_FORMATS:
            raise ValueError(f"plot_model: without Graphviz (pip install graphviz, and its dot "
                             f"program) only {', '.join(_MATPLOTLIB_FORMATS)} files can be "
                             f"written, not {extension!r}")
        from ember.keras.utils._model_matplotlib import draw

        data = draw(nodes, edges, rankdir, dpi, extension, lambda n: _cells(n, options))
    from ember.serialization import atomic_write

    atomic_write(Path(to_file), lambda f: f.write(data))
    return _notebook_image(to_file, extension)


def _graph(model: Any) -> tuple[list[_Node], list[tuple[int, int]]]:
    """The boxes and the (source, destination) index pairs between them."""
    from ember.keras.models.functional import Functional
    from ember.keras.models.sequential import Sequential

    if isinstance(model, Functional):
        nodes: list[_Node] = []
        index: dict[int, int] = {}  # id(layer) -> box
        edges: list[tuple[int, int]] = []
        for t in model.order:
            if id(t.layer) not in index:
                inputs = [p.shape for p in t.parents]
                index[id(t.layer)] = len(nodes)
                nodes.append(_Node(t.layer, inputs[0] if len(inputs) == 1 else inputs or None,
                                   t.shape, t.dtype))
            for p in t.parents:
                edge = (index[id(p.layer)], index[id(t.layer)])
                if edge not in edges:
                    edges.append(edge)
        return nodes, edges
    if isinstance(model, Sequential):
        nodes, shape = [], model.build_input_shape
        for layer in model.layers:
            nodes.append(_Node(layer, shape, layer.output_shape, "float32"))
            shape = layer.output_shape
        return nodes, [(i, i + 1) for i in range(len(nodes) - 1)]
    return [_Node(model, None, getattr(model, "output_shape", None), "float32")], []


def _is_model(layer: Any) -> bool:
    from ember.keras.models.model import Model

    return isinstance(layer, Model)


def _shape_text(shape: Any) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    return str(tuple(shape))


def _activation_name(layer: Any) -> str | None:
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    return getattr(activation, "name", None) or getattr(activation, "__name__", str(activation))


def _cells(node: _Node, options: dict[str, bool]) -> tuple[str, str | None, list[str]]:
    """(title, activation line, cells) of a box, as plain text."""
    layer, class_name = node.layer, type(node.layer).__name__
    title = f"{layer.name} ({class_name})" if options["show_layer_names"] else class_name
    activation = None
    if options["show_layer_activations"] and _activation_name(layer) is not None:
        activation = f"Activation: {_activation_name(layer)}"
    cells = []
    if options["show_shapes"]:
        if class_name != "InputLayer":
            cells.append(f"Input shape: {_shape_text(node.input_shape)}")
        cells.append(f"Output shape: {_shape_text(node.output_shape)}")
    if options["show_dtype"]:
        cells.append(f"Output dtype: {node.dtype}")
    if options["show_trainable"] and layer.weights:
        cells.append("Trainable" if layer.trainable else "Non-trainable")
    return title, activation, cells


def _html_label(node: _Node, options: dict[str, bool]) -> str:
    title, activation, cells = _cells(node, options)
    span = max(1, len(cells))
    name, rest = (title.split(" ", 1) + [""])[:2] if options["show_layer_names"] else (title, "")
    rows = [f'<tr><td colspan="{span}" bgcolor="black"><font point-size="16" color="white">'
            f'<b>{html.escape(name)}</b>{" " + html.escape(rest) if rest else ""}</font></td></tr>']
    if activation is not None:
        label, value = activation.split(": ", 1)
        rows.append(f'<tr><td bgcolor="white" colspan="{span}"><font point-size="14">'
                    f'{label}: <b>{html.escape(value)}</b></font></td></tr>')
    if cells:
        row = []
        for cell in cells:
            if cell in ("Trainable", "Non-trainable"):
                colour = "forestgreen" if cell == "Trainable" else "firebrick"
                row.append(f'<td bgcolor="{colour}"><font point-size="14" color="white">'
                           f'<b>{cell}</b></font></td>')
            else:
                label, value = cell.split(": ", 1)
                row.append(f'<td bgcolor="white"><font point-size="14">{label}: '
                           f'<b>{html.escape(value)}</b></font></td>')
        rows.append(f"<tr>{''.join(row)}</tr>")
    return ('<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
            + "".join(rows) + "</table>>")


def _dot_source(nodes: list[_Node], edges: list[tuple[int, int]], rankdir: str, dpi: int,
                splines: str, options: dict[str, bool]) -> str:
    lines = ["digraph G {", f"  rankdir={rankdir};", "  concentrate=True;", f"  dpi={int(dpi)};",
             f'  splines="{html.escape(str(splines))}";', "  node [shape=record];"]
    for i, node in enumerate(nodes):
        lines.append(f'  n{i} [label={_html_label(node, options)}, fontname="Helvetica", '
                     f'border=0, margin=0];')
    lines += [f"  n{a} -> n{b} [penwidth=2];" for a, b in edges]
    return "\n".join(lines + ["}"]) + "\n"


def _graphviz_ready() -> bool:
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


def _notebook_image(path: str, extension: str) -> Any:
    if "IPython" not in sys.modules and not _importable("IPython"):
        return None
    from IPython import display

    if extension == "svg":
        return display.SVG(filename=path)
    if extension in ("png", "jpg", "jpeg", "gif"):
        return display.Image(filename=path)
    return None


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
