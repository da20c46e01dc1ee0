"""How a tensor prints: PyTorch's layout, item for item.

One width for every item, chosen from the items shown (the edge items of a summarized
tensor); floats print as ``1.5000``, as ``3.`` when all are integral, in ``1.0000e-05`` form
when the nonzero values spread over more than three decades or leave [1e-4, 1e8]. A line holds
floor((80 - indent) / (width + 2)) items, a tensor of more than 1000 items shows 3 at each edge
of every dimension, and suffixes (``dtype=``, ``grad_fn=``) move to a new line past 80 columns.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

LINE_WIDTH = 80
THRESHOLD = 1000
EDGE_ITEMS = 3
PRECISION = 4


class _Formatter:
    """Formats single items at one shared width, by PyTorch's rules for the dtype."""

    def __init__(self, shown: np.ndarray) -> None:
        self.floating = shown.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        values = shown.reshape(-1)
        if not self.floating:
            self.width = max((len(self._plain(v)) for v in values), default=1)
            return
        finite = values[np.isfinite(values)].astype(np.float64)
        nonzero = finite[finite != 0]
        if nonzero.size == 0:
            return
        magnitudes = np.abs(nonzero)
        low, high = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(nonzero == np.ceil(nonzero)))
        self.sci_mode = high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
        if self.sci_mode:
            self.width = max(len(f"{v:.{PRECISION}e}") for v in nonzero)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in nonzero)
        else:
            self.width = max(len(f"{v:.{PRECISION}f}") for v in nonzero)

    @staticmethod
    def _plain(value: Any) -> str:
        return str(value.item() if isinstance(value, np.generic) else value)

    def format(self, value: Any) -> str:
        if not self.floating:
            text = self._plain(value)
        else:
            number = float(value)
            if self.sci_mode:
                text = f"{number:.{PRECISION}e}"
            elif self.int_mode:
                text = f"{number:.0f}" + ("" if math.isinf(number) or math.isnan(number) else ".")
            else:
                text = f"{number:.{PRECISION}f}"
        return text.rjust(self.width)


def _edges(array: np.ndarray) -> np.ndarray:
    """The items a summarized print shows: EDGE_ITEMS at each end of every dimension."""
    if array.ndim == 0:
        return array
    if array.shape[0] > 2 * EDGE_ITEMS:
        array = np.concatenate([array[:EDGE_ITEMS], array[-EDGE_ITEMS:]])
    if array.ndim == 1:
        return array
    return np.stack([_edges(row) for row in array])


def _body(array: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if array.ndim == 0:
        return fmt.format(array.item() if fmt.floating else array[()])
    cut = summarize and array.shape[0] > 2 * EDGE_ITEMS
    if array.ndim == 1:
        items = list(array[:EDGE_ITEMS]) + [None] + list(array[-EDGE_ITEMS:]) if cut \
            else list(array)
        texts = [" ..." if v is None else fmt.format(v) for v in items]
        per_line = max(1, (LINE_WIDTH - indent) // (fmt.width + 2))
        lines = [", ".join(texts[i:i + per_line]) for i in range(0, len(texts), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = [array[i] for i in range(EDGE_ITEMS)] + [None] + \
        [array[i] for i in range(len(array) - EDGE_ITEMS, len(array))] if cut else list(array)
    parts = ["..." if row is None else _body(row, indent + 1, summarize, fmt) for row in rows]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _with_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > LINE_WIDTH:
            text += ",\n" + " " * indent + suffix
            last_line = indent + len(suffix)
        else:
            text += ", " + suffix
            last_line += len(suffix) + 2
    return text + ")"


def format_array(array: np.ndarray, suffixes: list[str], prefix: str = "tensor(") -> str:
    """``prefix`` + the array laid out as PyTorch prints a tensor + the suffixes + ``)``."""
    indent = len(prefix)
    if array.size == 0:
        return _with_suffixes(prefix + "[]", suffixes, indent)
    summarize = array.size > THRESHOLD
    fmt = _Formatter(_edges(array) if summarize else array)
    return _with_suffixes(prefix + _body(array, indent, summarize, fmt), suffixes, indent)
