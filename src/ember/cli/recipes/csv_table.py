"""``ember train csv --file data.csv --target COLUMN``: an MLP classifier on your own table.

Every column but the target is a feature: numbers standardised, anything else one-hot encoded
(see :mod:`ember.cli.table`). The target's values are the classes. A stratified, seeded 20% of
the rows is held out for validation. The network is the iris recipe's Keras MLP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ember.cli.data import Source, Split
from ember.cli.log import log
from ember.cli.recipes.base import Recipe, keras_trainer
from ember.cli.recipes.toy import build_mlp
from ember.cli.table import is_numeric, read_csv, table_spec, width
from ember.datasets import DatasetError

VAL_FRACTION = 0.2
MAX_CLASSES = 100  # a target with more distinct values is more likely a measurement


@dataclass
class TableSplit(Split):
    """A split of table rows and the encoding fitted on its training rows."""

    spec: dict[str, Any] = field(default_factory=dict)


def _class_order(values: np.ndarray) -> list[str]:
    """The target's distinct values: numerically sorted when they are all numbers."""
    distinct = set(values.tolist())
    if is_numeric(values):
        return sorted(distinct, key=float)
    return sorted(distinct)


def read_table(path: str, target: str, class_names: list[str] | None = None
               ) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """``(x cells (N, F) str, y (N,) int64, feature names, class names)`` of a CSV file."""
    header, rows = read_csv(path)
    if target not in header:
        raise DatasetError(f"{Path(path).expanduser()}: no column {target!r} to predict "
                           f"(columns: {', '.join(header)})")
    cells = np.array(rows, dtype=str)
    column = header.index(target)
    labels = cells[:, column]
    if np.any(labels == ""):
        line = int(np.argmax(labels == "")) + 2
        raise DatasetError(f"{path}: line {line} has no value in the target column {target!r}")
    if class_names is None:
        class_names = _class_order(labels)
        if len(class_names) < 2:
            raise DatasetError(f"{path}: the target column {target!r} holds a single value "
                               f"({class_names[0]!r}); a classifier needs at least two")
        if len(class_names) > MAX_CLASSES:
            raise DatasetError(f"{path}: the target column {target!r} has {len(class_names)} "
                               f"distinct values; a classifier takes at most {MAX_CLASSES}")
    index = {name: i for i, name in enumerate(class_names)}
    unknown = sorted(set(labels.tolist()) - set(index))
    if unknown:
        raise DatasetError(f"{path}: target values {', '.join(unknown[:5])} are not among the "
                           f"model's classes")
    y = np.array([index[v] for v in labels], dtype=np.int64)
    features = [name for i, name in enumerate(header) if i != column]
    if not features:
        raise DatasetError(f"{path}: no feature columns besides the target {target!r}")
    return np.delete(cells, column, axis=1), y, features, class_names


def _split(path: str, target: str, seed: int) -> TableSplit:
    from ember.datasets import train_val_test_split

    x, y, features, classes = read_table(path, target)
    counts = np.bincount(y, minlength=len(classes))
    if counts.min() < 2:
        rare = classes[int(np.argmin(counts))]
        raise DatasetError(f"{path}: class {rare!r} has a single row; each class needs at "
                           "least two (one to train on, one to validate)")
    x_train, x_val, _, y_train, y_val, _ = train_val_test_split(
        x, y, ratios=(1 - VAL_FRACTION, VAL_FRACTION, 0.0), stratify=y, seed=seed)
    spec = {**table_spec(features, x_train), "target": target}
    return TableSplit(x_train, y_train, x_val, y_val, classes, spec=spec)


def _load(source: Source, seed: int) -> Split:
    if source.file is None or source.target is None:
        raise DatasetError("csv needs --file data.csv and --target COLUMN (the column to "
                           "predict)")
    split = _split(source.file, source.target, seed)
    kinds = [c["type"] for c in split.spec["columns"]]
    log.info("%s: %d rows; target %r with %d classes; %d numeric and %d categorical feature "
             "columns", source.file, len(split.y_train) + len(split.y_val), source.target,
             len(split.class_names), kinds.count("numeric"), kinds.count("categorical"))
    log.info("validation: a stratified %d%% of the rows (seed %d): %d training, %d validation",
             round(100 * VAL_FRACTION), seed, len(split.y_train), len(split.y_val))
    split.architecture = {"inputs": width(split.spec), "classes": len(split.class_names)}
    return split


def _preprocessing(split: Split) -> dict[str, Any]:
    assert isinstance(split, TableSplit)
    return split.spec


def evaluation_data(record: dict[str, Any], source: Source, validation: bool
                    ) -> tuple[np.ndarray, np.ndarray, str]:
    """Rows ``ember evaluate`` scores a csv model on: all of ``--file`` (with the training
    target column), or with ``validation`` the held-out rows of that same file."""
    if source.file is None:
        raise DatasetError("evaluating a csv model needs --file data.csv (with the target "
                           "column it was trained on)")
    target = record["preprocessing"]["target"]
    if validation:
        split = _split(source.file, target, int(record.get("split", {}).get("seed", 0)))
        return split.x_val, split.y_val, f"validation rows of {source.file}"
    x, y, _, _ = read_table(source.file, target, list(record["class_names"]))
    return x, y, f"rows of {source.file}"


CSV = Recipe(
    name="csv",
    family="keras",
    dataset="csv",
    description="your own table (--file data.csv --target COLUMN): numbers standardised, "
                "text one-hot, Keras MLP 64-64, Adam, 20% held out",
    load=_load,
    preprocessing=_preprocessing,
    architecture={"inputs": 1, "hidden": [64, 64], "classes": 2, "name": "csv"},
    build=build_mlp,
    train=keras_trainer("sparse_categorical_crossentropy", one_hot=False),
    output="probs",
    epochs=60,
    batch_size=16,
    lr=0.001,
    optimizer="adam",
)
