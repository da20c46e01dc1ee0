"""Preprocessing helpers with Keras / scikit-learn semantics: one-hot, scaling, splitting."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike


def to_categorical(y: ArrayLike, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels, as ``keras.utils.to_categorical``.

    y: (...) non-negative ints (a trailing axis of size 1 is dropped, as in Keras).
    Returns float32 (..., num_classes); ``num_classes`` defaults to ``max(y) + 1``.
    """
    labels = np.asarray(y)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        if not np.all(np.mod(labels, 1) == 0):
            raise ValueError(f"to_categorical: labels must be integers, got dtype {labels.dtype}")
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, got {int(labels.min())}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"to_categorical: label {int(labels.max())} out of range for "
            f"num_classes={num_classes} (expected 0..{num_classes - 1})"
        )
    one_hot = np.zeros((labels.size, num_classes), dtype=np.float32)
    one_hot[np.arange(labels.size), labels.reshape(-1)] = 1.0
    return one_hot.reshape(*labels.shape, num_classes)


class Standardizer:
    """Scale features to zero mean and unit variance, like scikit-learn's ``StandardScaler``.

    Fit on the training split only, then transform every split with the stored
    ``mean`` and ``std`` (population std over axis 0; zero stds are replaced by 1).
    """

    def __init__(self, eps: float = 0.0) -> None:
        self.eps = eps
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None

    def fit(self, x: ArrayLike) -> Standardizer:
        """Compute per-feature mean and std of x: (N, ...) over axis 0."""
        data = np.asarray(x, dtype=np.float64)
        if data.ndim == 0 or len(data) == 0:
            raise ValueError(f"Standardizer.fit: need (N, ...) data with N > 0, got {data.shape}")
        self.mean = data.mean(axis=0)
        std = np.sqrt(data.var(axis=0) + self.eps)
        self.std = np.where(std == 0.0, 1.0, std)
        return self

    def _check_fitted(self, x: np.ndarray) -> None:
        if self.mean is None or self.std is None:
            raise RuntimeError("Standardizer: call fit() on the training split first")
        if x.shape[1:] != self.mean.shape:
            raise ValueError(
                f"Standardizer: fitted on features of shape {self.mean.shape}, "
                f"got data of shape {x.shape}"
            )

    def transform(self, x: ArrayLike) -> np.ndarray:
        """(x - mean) / std, as float32 unless x is float64."""
        data = np.asarray(x)
        self._check_fitted(data)
        dtype = np.float64 if data.dtype == np.float64 else np.float32
        return ((data - self.mean) / self.std).astype(dtype)

    def fit_transform(self, x: ArrayLike) -> np.ndarray:
        """fit(x) then transform(x)."""
        return self.fit(x).transform(x)

    def inverse_transform(self, x: ArrayLike) -> np.ndarray:
        """x * std + mean: undo :meth:`transform`."""
        data = np.asarray(x)
        self._check_fitted(data)
        return (data * self.std + self.mean).astype(data.dtype)


def _split_counts(n: int, ratios: np.ndarray) -> np.ndarray:
    """Sizes of the parts of n items by ratios, by largest remainder (they sum to n)."""
    exact = ratios * n
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


def train_val_test_split(
    *arrays: ArrayLike,
    ratios: Sequence[float] = (0.8, 0.1, 0.1),
    stratify: ArrayLike | None = None,
    seed: int = 0,
) -> list[np.ndarray]:
    """Shuffle and split arrays into training, validation and test parts (8:1:1 by default).

    All arrays share their first axis. Returns ``[a_train, a_val, a_test, b_train, ...]``.
    ``stratify``: (N,) labels whose class proportions each part keeps. The same ``seed``
    gives the same split.
    """
    if not arrays:
        raise ValueError("train_val_test_split: need at least one array")
    parts = np.asarray(ratios, dtype=np.float64)
    if parts.shape != (3,) or np.any(parts < 0) or not np.isclose(parts.sum(), 1.0):
        raise ValueError(
            f"train_val_test_split: ratios must be 3 non-negative numbers summing to 1, "
            f"got {tuple(ratios)}"
        )
    data = [np.asarray(a) for a in arrays]
    n = len(data[0])
    if any(len(a) != n for a in data):
        raise ValueError(f"train_val_test_split: arrays differ in length: {[len(a) for a in data]}")
    rng = np.random.default_rng(seed)
    if stratify is None:
        groups = [rng.permutation(n)]
    else:
        labels = np.asarray(stratify)
        if labels.shape != (n,):
            raise ValueError(
                f"train_val_test_split: stratify must have shape ({n},), got {labels.shape}"
            )
        groups = [rng.permutation(np.flatnonzero(labels == c)) for c in np.unique(labels)]
    index_parts: list[list[np.ndarray]] = [[], [], []]
    for group in groups:
        bounds = np.cumsum(_split_counts(len(group), parts))
        for part, chunk in zip(index_parts, np.split(group, bounds[:2])):
            part.append(chunk)
    indices = [rng.permutation(np.concatenate(p)) for p in index_parts]
    return [a[idx] for a in data for idx in indices]
