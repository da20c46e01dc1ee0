"""``model.summary()``: Keras's table of layers, output shapes and parameter counts."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np


def _format_bytes(count: int) -> str:
    size = count * 4.0  # float32
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


def _shape_text(shape: Any) -> str:
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _box_chars() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "┏━┃└─│".encode(encoding)
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def format_summary(model: Any, line_length: int | None = None) -> str:
    if not model.built:
        raise ValueError(
            f"model {model.name!r} has not been built yet, so its weights and output shapes are "
            "unknown: give the first layer input_shape=..., start with keras.Input(shape), call "
            "build(input_shape), or fit it first"
        )
    connections = getattr(model, "summary_connections", lambda: None)()
    rows = []
    for layer in model.layers:
        count = layer.count_params() if layer.built else 0
        row = [f"{layer.name} ({type(layer).__name__})", _shape_text(layer.output_shape),
               f"{count:,}"]
        if connections is not None:  # a graph with branches: Keras adds "Connected to"
            row.append(connections.get(layer.name, "-"))
        rows.append(tuple(row))
    headers = ("Layer (type)", "Output Shape", "Param #")
    widths = [max(31, *(len(r[0]) + 1 for r in rows)) if rows else 31,
              max(22, *(len(r[1]) + 1 for r in rows)) if rows else 22, 13]
    if connections is not None:
        headers += ("Connected to",)
        widths.append(max(20, *(len(r[3]) + 1 for r in rows)) if rows else 20)
    if line_length:
        widths[0] = max(widths[0], line_length - sum(widths[1:]) - 3 * len(widths) + 2)
    box = _box_chars()
    h, v = ("━", "┃") if box else ("=", "|")

    def line(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def cells(values: tuple[str, ...], sep: str) -> str:
        texts = [f"{values[0]:<{widths[0]}}", f"{values[1]:<{widths[1]}}",
                 f"{values[2]:>{widths[2]}}"] + [f"{x:<{w}}" for x, w in
                                                 zip(values[3:], widths[3:])]
        return f"{sep} " + f" {sep} ".join(texts) + f" {sep}"

    out = [f'Model: "{model.name}"']
    if box:
        out.append(line("┏", "┳", "┓", h))
        out.append(cells(headers, v))
        out.append(line("┡", "╇", "┩", "━"))
        for i, row in enumerate(rows):
            out.append(cells(row, "│"))
            out.append(line("├", "┼", "┤", "─") if i < len(rows) - 1 else line("└", "┴", "┘", "─"))
    else:
        out.append(line("+", "+", "+", "="))
        out.append(cells(headers, "|"))
        out.append(line("+", "+", "+", "="))
        for row in rows:
            out.append(cells(row, "|"))
        out.append(line("+", "+", "+", "-"))
    weights = model.weights
    total = int(sum(np.prod(w.shape) for w in weights))
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    out.append(f" Total params: {total:,} ({_format_bytes(total)})")
    out.append(f" Trainable params: {trainable:,} ({_format_bytes(trainable)})")
    out.append(f" Non-trainable params: {total - trainable:,} ({_format_bytes(total - trainable)})")
    return "\n".join(out)
