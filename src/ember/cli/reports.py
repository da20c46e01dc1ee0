"""What a run leaves behind: metrics (accuracy, per-class precision/recall, confusion matrix),
``history.csv``, ``metrics.json``, ``curves.png`` and ``confusion.png``, each written atomically.

The plots are drawn with ``ember.plotting`` (matplotlib imported only when a plot is drawn).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from ember.serialization import atomic_write


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """(num_classes, num_classes) counts: row = true class, column = predicted class."""
    index = np.asarray(y_true, np.int64) * num_classes + np.asarray(y_pred, np.int64)
    return np.bincount(index, minlength=num_classes**2).reshape(num_classes, num_classes)


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray,
                           class_names: list[str]) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/support and the confusion matrix, JSON-ready."""
    n = len(class_names)
    matrix = confusion_matrix(y_true, y_pred, n)
    hits = np.diag(matrix).astype(np.float64)
    predicted, actual = matrix.sum(axis=0), matrix.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros(n), where=predicted > 0)
    recall = np.divide(hits, actual, out=np.zeros(n), where=actual > 0)
    per_class = [{"class": i, "name": class_names[i], "precision": round(float(precision[i]), 6),
                  "recall": round(float(recall[i]), 6), "support": int(actual[i])}
                 for i in range(n)]
    return {"accuracy": float(hits.sum() / max(len(y_true), 1)), "samples": int(len(y_true)),
            "per_class": per_class, "confusion_matrix": matrix.tolist()}


def format_metrics(metrics: dict[str, Any], title: str) -> str:
    """A plain-text report: accuracy, then precision/recall per class, then the matrix."""
    lines = [f"{title}: accuracy {metrics['accuracy']:.4f} on {metrics['samples']} samples",
             f"{'class':<36} {'precision':>9} {'recall':>9} {'support':>8}"]
    for row in metrics["per_class"]:
        name = f"{row['class']} {row['name']}"[:36]
        lines.append(f"{name:<36} {row['precision']:>9.4f} {row['recall']:>9.4f} "
                     f"{row['support']:>8d}")
    matrix = np.asarray(metrics["confusion_matrix"])
    width = max(3, len(str(matrix.max())) + 1)
    lines.append("confusion matrix (rows: true class, columns: predicted):")
    lines += ["".join(f"{v:>{width}d}" for v in row) for row in matrix]
    return "\n".join(lines)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    data = text.encode("utf-8")
    atomic_write(path, lambda f: f.write(data))


def write_json(path: Path, obj: Any) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    write_text(path, json.dumps(obj, indent=2) + "\n")


def write_history_csv(path: Path, history: list[dict[str, float]]) -> None:
    """One row per finished epoch: epoch, loss, accuracy, val_loss, val_accuracy, seconds."""
    columns = ["epoch"] + sorted({k for row in history for k in row} - {"epoch"})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in history:
        writer.writerow({k: row.get(k, "") for k in columns})
    write_text(path, buffer.getvalue())


def plot_curves(path: Path, history: list[dict[str, float]], title: str) -> None:
    """Loss and accuracy per epoch, training against validation, side by side."""
    from ember.plotting import plot_history

    keys = ("loss", "accuracy", "val_loss", "val_accuracy")
    plot_history({key: [row.get(key) for row in history] for key in keys}, path, title,
                 names=["loss", "accuracy"], epochs=[row["epoch"] for row in history])


def plot_confusion(path: Path, matrix: np.ndarray, class_names: list[str], title: str) -> None:
    """The confusion matrix as a heat map, counts written in the cells when few classes."""
    from ember.plotting import save_png, subplots

    n = len(class_names)
    side = min(14, 3 + 0.3 * n)
    figure, axis = subplots(figsize=(side, side))
    image = axis.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axis, fraction=0.046)
    labels = class_names if n <= 12 else [str(i) for i in range(n)]
    axis.set_xticks(range(n), labels, rotation=90 if n > 12 else 45, fontsize=8 if n > 12 else 10)
    axis.set_yticks(range(n), labels, fontsize=8 if n > 12 else 10)
    axis.set_xlabel("predicted class")
    axis.set_ylabel("true class")
    if n <= 12:
        top = matrix.max() if matrix.size else 0
        for i in range(n):
            for j in range(n):
                axis.text(j, i, str(matrix[i, j]), ha="center", va="center",
                          color="white" if matrix[i, j] > top / 2 else "black")
    axis.set_title(title)
    save_png(figure, path)
