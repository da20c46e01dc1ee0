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
    rows = []
    for layer in model.layers:
        count = layer.count_params() if layer.built else 0
        rows.append((f"{layer.name} ({type(layer).__name__})", _shape_text(layer.output_shape),
                     f"{count:,}"))
    widths = [max(31, *(len(r[0]) + 1 for r in rows)) if rows else 31,
              max(22, *(len(r[1]) + 1 for r in rows)) if rows else 22, 13]
    if line_length:
        widths[0] = max(widths[0], line_length - widths[1] - widths[2] - 4)
    box = _box_chars()
    h, v = ("━", "┃") if box else ("=", "|")

    def line(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def cells(values: tuple[str, str, str], sep: str) -> str:
        name, shape, count = values
        return (f"{sep} {name:<{widths[0]}} {sep} {shape:<{widths[1]}} {sep} "
                f"{count:>{widths[2]}} {sep}")

    out = [f'Model: "{model.name}"']
    if box:
        out.append(line("┏", "┳", "┓", h))
        out.append(cells(("Layer (type)", "Output Shape", "Param #"), v))
        out.append(line("┡", "╇", "┩", "━"))
        for i, row in enumerate(rows):
            out.append(cells(row, "│"))
            out.append(line("├", "┼", "┤", "─") if i < len(rows) - 1 else line("└", "┴", "┘", "─"))
    else:
        out.append(line("+", "+", "+", "="))
        out.append(cells(("Layer (type)", "Output Shape", "Param #"), "|"))
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
