"""Turn what users pass to ``fit``/``evaluate``/``predict`` into batches of tensors.

Accepted: NumPy arrays or tensors (a list of them for several inputs), an ``ember.utils.data``
``DataLoader`` or ``Dataset``, or a Python generator/iterator of ``(x, y[, sample_weight])``.
Arrays are checked once up front, then batched by one fancy-index gather per batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ember import random as ember_random
from ember.tensor import Tensor

Batch = tuple[Any, Any, Any]


def _as_array(value: Any, what: str) -> np.ndarray:
    if isinstance(value, Tensor):
        value = value.detach().numpy()
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what}: expected an array-like, got {type(value).__name__}") from exc
    if array.dtype == object:
        raise TypeError(f"{what}: expected numeric data of one shape, got ragged or object data")
    return array


def _float_input(array: np.ndarray, keep_integers: bool) -> np.ndarray:
    if array.dtype == np.float32:
        return array
    if array.dtype.kind in "iub" and keep_integers:
        return array.astype(np.int64, copy=False)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"inputs must be numbers, got dtype {array.dtype}")
    return array.astype(np.float32)


def _target(array: np.ndarray) -> np.ndarray:
    return array.astype(np.float32) if array.dtype == np.float64 else array


def _wrap(array: Any) -> Any:
    if isinstance(array, list):
        return [_wrap(a) for a in array]
    return Tensor._wrap(np.ascontiguousarray(array))


def check_batch_size(batch_size: Any, name: str = "batch_size") -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size <= 0:
        raise ValueError(f"{name} must be a positive integer, got {batch_size!r}")
    return int(batch_size)


class ArrayData:
    """In-memory arrays: validated once, optionally shuffled each epoch."""

    def __init__(self, x: Any, y: Any = None, sample_weight: Any = None, batch_size: int = 32,
                 shuffle: bool = False, keep_integer_inputs: bool = False,
                 check_finite: bool = True, what: str = "fit") -> None:
        self.batch_size = check_batch_size(batch_size)
        xs = x if isinstance(x, (list, tuple)) else [x]
        self.multi_input = isinstance(x, (list, tuple))
        self.x = [_float_input(_as_array(v, f"{what}: x"), keep_integer_inputs) for v in xs]
        # A list of target arrays: one per output of a multi-output model.
        # (None for an output that has no loss, when y was a dict of some outputs' targets)
        self.multi_target = isinstance(y, (list, tuple)) and any(t is not None for t in y) \
            and all(t is None or isinstance(t, (np.ndarray, Tensor)) for t in y)
        ys = list(y) if self.multi_target else ([] if y is None else [y])
        targets = [None if t is None else _target(_as_array(t, f"{what}: y")) for t in ys]
        self.y = targets if self.multi_target else (targets[0] if targets else None)
        if isinstance(sample_weight, dict):
            raise NotImplementedError(f"{what}: sample_weight as a dict by output name is not "
                                      "supported; pass one array, which weighs every output")
        self.sample_weight = None if sample_weight is None else \
            _as_array(sample_weight, f"{what}: sample_weight").astype(np.float32)
        count = self.x[0].shape[0] if self.x[0].ndim else 0
        if count == 0:
            raise ValueError(f"{what}: x is empty (0 samples); there is nothing to train on")
        for name, arr in [("x", a) for a in self.x[1:]] + [("y", t) for t in targets] + [
                ("sample_weight", self.sample_weight)]:
            if arr is not None and (arr.ndim == 0 or arr.shape[0] != count):
                got = arr.shape[0] if arr.ndim else "a scalar"
                raise ValueError(f"{what}: x has {count} samples but {name} has {got}; they "
                                 "must match")
        if check_finite:
            for arr, name in [(a, "x") for a in self.x] + [(t, "y") for t in targets]:
                if arr is not None and arr.dtype.kind == "f" and not np.isfinite(arr).all():
                    bad = int((~np.isfinite(arr)).reshape(arr.shape[0], -1).any(axis=1).sum())
                    raise ValueError(f"{what}: {name} contains NaN or infinite values in {bad} "
                                     "sample(s); clean or impute them first")
        self.count = count
        self.shuffle = shuffle

    @property
    def steps(self) -> int:
        return -(-self.count // self.batch_size)

    def split(self, fraction: float) -> tuple[ArrayData, ArrayData]:
        """Keras's ``validation_split``: the last ``fraction`` of samples, before shuffling."""
        if not 0 < fraction < 1:
            raise ValueError(f"validation_split must be in [0, 1), got {fraction}")
        cut = int(self.count * (1 - fraction))
        if cut == 0 or cut == self.count:
            raise ValueError(f"validation_split={fraction} leaves no samples on one side of "
                             f"{self.count}")
        return self._subset(slice(0, cut)), self._subset(slice(cut, self.count))

    def _subset(self, part: slice) -> ArrayData:
        clone = object.__new__(ArrayData)
        clone.__dict__.update(self.__dict__)
        clone.x = [a[part] for a in self.x]
        clone.y = None if self.y is None else (
            [None if t is None else t[part] for t in self.y] if self.multi_target
            else self.y[part])
        clone.sample_weight = None if self.sample_weight is None else self.sample_weight[part]
        clone.count = clone.x[0].shape[0]
        return clone

    def batches(self) -> Iterator[Batch]:
        order = ember_random.rng().permutation(self.count) if self.shuffle else None
        for start in range(0, self.count, self.batch_size):
            if order is None:
                index: Any = slice(start, start + self.batch_size)
            else:
                index = np.sort(order[start:start + self.batch_size])
            xs = [_wrap(a[index]) for a in self.x]
            y = None if self.y is None else (
                [None if t is None else t[index] for t in self.y] if self.multi_target
                else self.y[index])
            sw = None if self.sample_weight is None else self.sample_weight[index]
            yield (xs if self.multi_input else xs[0]), y, sw


class IterableData:
    """A DataLoader, Dataset or generator yielding ``x`` or ``(x, y[, sample_weight])``."""

    def __init__(self, source: Any, batch_size: int | None = None, shuffle: bool = False,
                 steps: int | None = None, keep_integer_inputs: bool = False) -> None:
        from ember.utils.data import DataLoader, Dataset

        if isinstance(source, Dataset) and not isinstance(source, DataLoader):
            source = DataLoader(source, batch_size=batch_size or 32, shuffle=shuffle)
        self.source = source
        self.keep_integers = keep_integer_inputs
        self.reiterable = isinstance(source, DataLoader)
        self.iterator: Iterator[Any] | None = None
        self.steps = steps if steps is not None else (len(source) if self.reiterable else None)

    def batches(self) -> Iterator[Batch]:
        if self.reiterable:
            iterator = iter(self.source)
        else:
            if self.iterator is None:
                self.iterator = iter(self.source)
            iterator = self.iterator
        for step, item in enumerate(iterator):
            yield self._unpack(item)
            if self.steps is not None and step + 1 >= self.steps:
                return

    def _unpack(self, item: Any) -> Batch:
        if isinstance(item, (tuple, list)) and len(item) in (2, 3) and not (
                isinstance(item, list) and all(isinstance(v, np.ndarray) for v in item)):
            x, y = item[0], item[1]
            sw = item[2] if len(item) == 3 else None
        elif isinstance(item, (tuple, list)) and len(item) == 1:  # (x,): TensorDataset(x)
            x, y, sw = item[0], None, None
        else:
            x, y, sw = item, None, None
        x = _wrap(_float_input(_as_array(x, "x batch"), self.keep_integers))
        if isinstance(y, dict):  # targets by output name
            y = {key: _target(_as_array(value, f"y batch {key!r}")) for key, value in y.items()}
        elif y is not None:
            y = _target(_as_array(y, "y batch"))
        sw = None if sw is None else _as_array(sw, "sample_weight batch").astype(np.float32)
        return x, y, sw


def make_data(x: Any, y: Any = None, sample_weight: Any = None, batch_size: int | None = None,
              shuffle: bool = False, steps: int | None = None, keep_integer_inputs: bool = False,
              what: str = "fit") -> ArrayData | IterableData:
    if x is None:
        raise ValueError(f"{what}: x is required")
    from ember.keras.models.indexed_data import IndexedData
    from ember.keras.utils.py_dataset import is_indexed_dataset

    if is_indexed_dataset(x) and not isinstance(x, (np.ndarray, Tensor, list, tuple)):
        if y is not None:
            raise ValueError(f"{what}: y must not be given when x is a PyDataset (it yields "
                             "the targets)")
        return IndexedData(x, steps, keep_integer_inputs)
    if _is_iterable_source(x):
        if y is not None:
            raise ValueError(f"{what}: y must not be given when x is a DataLoader, Dataset or "
                             "generator (it yields the targets)")
        return IterableData(x, batch_size, shuffle, steps, keep_integer_inputs)
    return ArrayData(x, y, sample_weight, 32 if batch_size is None else batch_size, shuffle,
                     keep_integer_inputs, what=what)


def _is_iterable_source(x: Any) -> bool:
    if isinstance(x, (np.ndarray, Tensor, list, tuple)):
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__") or hasattr(x, "__getitem__")


def class_weights_to_sample_weights(y: np.ndarray, class_weight: dict[int, float]) -> np.ndarray:
    """Each sample weighs as its class: labels, or the argmax of one-hot rows."""
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = labels.astype(np.int64)
    table = np.ones(max(int(labels.max()) + 1, max(class_weight) + 1), dtype=np.float32)
    for cls, weight in class_weight.items():
        table[int(cls)] = weight
    return table[labels]
