"""Small classic data sets that ship with scikit-learn (no download): iris and digits."""

from __future__ import annotations

from types import ModuleType
from typing import NamedTuple

import numpy as np

from ember.datasets._errors import DatasetError


class ToyDataset(NamedTuple):
    """Features, labels and class names; unpacks as ``x, y, class_names = ...``."""

    x: np.ndarray  # (N, features) float32
    y: np.ndarray  # (N,) int64
    class_names: tuple[str, ...]


def _sklearn_datasets() -> ModuleType:
    try:
        from sklearn import datasets
    except ImportError:
        raise DatasetError(
            "load_iris/load_digits need scikit-learn: pip install scikit-learn"
        ) from None
    return datasets


def load_iris() -> ToyDataset:
    """Fisher's iris: x (150, 4) float32 (sepal/petal length/width in cm), y (150,) int64.

    Classes: setosa, versicolor, virginica.
    """
    bunch = _sklearn_datasets().load_iris()
    names = tuple(str(name) for name in bunch.target_names)
    return ToyDataset(bunch.data.astype(np.float32), bunch.target.astype(np.int64), names)


def load_digits() -> ToyDataset:
    """The 8x8 handwritten digits: x (1797, 64) float32 with values 0..16, y (1797,) int64.

    ``x.reshape(-1, 8, 8)`` gives the images. Classes: the digits "0".."9".
    """
    bunch = _sklearn_datasets().load_digits()
    names = tuple(str(name) for name in bunch.target_names)
    return ToyDataset(bunch.data.astype(np.float32), bunch.target.astype(np.int64), names)
