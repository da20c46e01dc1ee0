"""``sum_over``: NumPy's ``sum`` over some axes, in widened rows where the summed axes are the
outermost of the memory (bias gradients, batch-norm statistics of channels-last images)."""

import numpy as np
import pytest

from ember.ops import _sums
from ember.ops._sums import sum_over


def channels_last(shape, dtype=np.float64):
    """An (N, C, H, W) view of (N, H, W, C) memory, as ember's convolutions return."""
    n, c, h, w = shape
    data = np.random.default_rng(0).standard_normal((n, h, w, c)).astype(dtype)
    return data.transpose(0, 3, 1, 2)


def c_order(shape, dtype=np.float64):
    return np.random.default_rng(1).standard_normal(shape).astype(dtype)


CASES = [
    (c_order((300, 70)), (0,)),  # a bias gradient (300 rows: a remainder after widening)
    (c_order((1024, 32)), (0,)),  # rows that widen exactly
    (c_order((20, 30, 40)), (0, 1)),
    (c_order((300, 70)), (1,)),  # inner axes: NumPy's sum
    (c_order((20, 30, 40)), (0, 2)),
    (channels_last((8, 16, 12, 12)), (0, 2, 3)),  # batch norm after a convolution
    (channels_last((8, 16, 12, 12)), (0,)),
    (np.ascontiguousarray(channels_last((8, 16, 12, 12))), (0, 2, 3)),  # batch norm on NCHW
    (c_order((400, 60)).T, (1,)),  # a transposed view
    (c_order((40, 1, 500)), (0,)),  # a size-1 kept axis
    (c_order((3000, 5000)), (0,)),  # rows wider than a widened row
    (c_order((64, 9)), (0,)),  # small: NumPy's sum
    (c_order((300, 70))[::2], (0,)),  # strided rows: NumPy's sum
    (c_order((300, 70)), (0, 1)),  # everything: NumPy's sum
]


@pytest.mark.parametrize("values, axes", CASES)
def test_sum_over_is_numpys_sum(values, axes):
    got = sum_over(values, axes)
    expected = values.sum(axis=axes)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_sum_over_float32_keeps_its_dtype_and_is_at_least_as_accurate():
    values = channels_last((16, 32, 24, 24), np.float32)
    exact = values.astype(np.float64).sum(axis=(0, 2, 3))
    got = sum_over(values, (0, 2, 3))
    assert got.dtype == np.float32
    assert np.abs(got - exact).max() <= np.abs(values.sum(axis=(0, 2, 3)) - exact).max()


def test_sum_over_propagates_nan_and_inf_as_numpy_does():
    values = c_order((500, 40))
    values[3, 0], values[7, 1], values[8, 2], values[9, 2] = np.nan, np.inf, np.inf, -np.inf
    got, expected = sum_over(values, (0,)), values.sum(axis=0)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got[3:], expected[3:])
    assert got[1] == np.inf


@pytest.mark.parametrize("values, axes, widened", [
    (c_order((300, 70)), (0,), True),
    (channels_last((8, 16, 12, 12)), (0, 2, 3), True),
    (np.ascontiguousarray(channels_last((8, 16, 12, 12))), (0, 2, 3), False),
    (c_order((64, 9)), (0,), False),
    (np.arange(100_000).reshape(1000, 100), (0,), False),  # integers keep NumPy's exact sum
])
def test_which_layouts_are_summed_widened(values, axes, widened, monkeypatch):
    calls = []
    sum_rows = _sums._sum_rows
    monkeypatch.setattr(_sums, "_sum_rows", lambda matrix: calls.append(1) or sum_rows(matrix))
    sum_over(values, axes)
    assert bool(calls) == widened
