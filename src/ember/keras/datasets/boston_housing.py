"""``keras.datasets.boston_housing``: 506 Boston suburbs of the 1970s, 13 features each, and
the median house value (k$), shuffled and split as Keras 3 does.

Keras's documentation warns that the data set has an ethical problem (its feature "B"); use it
to illustrate such issues rather than as a benchmark. The file is Keras's
``boston_housing.npz`` (from ``$EMBER_DATA/boston_housing/`` or downloaded there with its
SHA-256 checked), plain float arrays read with pickles disallowed.
"""

from __future__ import annotations

import numpy as np

from ember.keras.datasets._files import load_npz, locate

# Keras's published file and its SHA-256.
_NPZ = ("boston_housing.npz",
        "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5")

Splits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2,
              seed: int = 113) -> Splits:
    """``(x_train, y_train), (x_test, y_test)``: ``(n, 13)`` features and ``(n,)`` prices.

    The rows are shuffled with ``np.random.RandomState(seed)``; the first
    ``int(n * (1 - test_split))`` are the training split.
    """
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float, np.number)) \
            or not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split!r}. It must be between 0 "
                         "and 1 (exclusive of 1).")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise ValueError(f"boston_housing.load_data: seed must be a non-negative integer or "
                         f"None, got {seed!r}")
    file = locate("boston_housing", path, *_NPZ)
    arrays = load_npz(file, ("x", "y"))
    x, y = arrays["x"], arrays["y"]
    if x.dtype.hasobject or y.dtype.hasobject or len(x) != len(y):
        from ember.datasets._errors import DatasetError

        raise DatasetError(f"{file}: its x ({x.shape}, {x.dtype}) and y "
                         f"({y.shape}, {y.dtype}) are not numeric arrays of equal length")
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
