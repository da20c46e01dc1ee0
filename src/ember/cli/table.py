"""A CSV table as model input: reading it, typing its columns, and the JSON record that encodes
rows the same way at training, evaluation and prediction time.

A column is numeric when every non-empty cell parses as a number; numeric columns are
standardised with the training part's mean and std (an empty cell becomes the mean),
every other column is one-hot encoded over the categories seen in training (an unseen or empty
category is all zeros). The record, ``{"kind": "table", "columns": [...]}``, lists each
feature column with its statistics or categories.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

from ember.datasets import DatasetError

_MAX_BYTES_SNIFFED = 64 * 1024


def read_csv(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """The header and the rows (as strings) of a CSV file; the delimiter (``,``, ``;`` or tab)
    is detected. Raises :class:`DatasetError` naming the file when it is not a usable table."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file (given as --file)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read it as a text table ({exc})") from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:_MAX_BYTES_SNIFFED], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(text.splitlines(), dialect) if any(c.strip() for c in row)]
    if len(rows) < 2:
        raise DatasetError(f"{path}: expected a header line and at least one row of values")
    header = [name.strip() for name in rows[0]]
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DatasetError(f"{path}: line {line} has {len(row)} fields, the header "
                               f"{len(header)}")
    return header, [[cell.strip() for cell in row] for row in rows[1:]]


def _number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def is_numeric(cells: np.ndarray) -> bool:
    """Whether every non-empty cell of a column is a finite number (and one is non-empty)."""
    filled = [c for c in cells if c != ""]
    return bool(filled) and all(_number(c) is not None for c in filled)


def _numbers(cells: np.ndarray, fill: float) -> np.ndarray:
    return np.array([fill if c == "" else float(c) for c in cells], dtype=np.float64)


def table_spec(names: list[str], x: np.ndarray) -> dict[str, Any]:
    """Fit the encoding of the feature columns ``names`` on the training cells ``x`` (N, F)."""
    columns = []
    for j, name in enumerate(names):
        cells = x[:, j]
        if is_numeric(cells):
            values = np.array([float(c) for c in cells if c != ""])
            mean, std = float(values.mean()), float(values.std())
            columns.append({"name": name, "type": "numeric", "mean": mean,
                            "std": std if std > 0 else 1.0})
        else:
            categories = sorted({c for c in cells if c != ""})
            columns.append({"name": name, "type": "categorical", "categories": categories})
    return {"kind": "table", "columns": columns, "feature_names": list(names)}


def encode(spec: dict[str, Any], raw: np.ndarray) -> np.ndarray:
    """Rows of cells ``(N, F)`` as the model's float32 input ``(N, features)``."""
    cells = np.asarray(raw, dtype=str)
    columns = spec["columns"]
    if cells.ndim != 2 or cells.shape[1] != len(columns):
        names = ", ".join(c["name"] for c in columns)
        raise ValueError(f"expected {len(columns)} values per sample ({names}), got data of "
                         f"shape {cells.shape}")
    parts = []
    for j, column in enumerate(columns):
        if column["type"] == "numeric":
            bad = [c for c in cells[:, j] if c != "" and _number(c) is None]
            if bad:
                raise ValueError(f"column {column['name']!r}: expected numbers, got {bad[0]!r}")
            values = _numbers(cells[:, j], column["mean"])
            parts.append(((values - column["mean"]) / column["std"])[:, None])
        else:
            categories = np.asarray(column["categories"], dtype=str)
            parts.append(cells[:, j][:, None] == categories[None, :])
    return np.concatenate(parts, axis=1).astype(np.float32)


def width(spec: dict[str, Any]) -> int:
    """The number of model inputs the record's columns encode to."""
    return sum(1 if c["type"] == "numeric" else len(c["categories"]) for c in spec["columns"])
