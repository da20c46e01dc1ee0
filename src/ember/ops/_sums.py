"""Sums over the outer axes of a big array (bias gradients, batch-norm statistics), fast.

A bias gradient sums a (rows, channels) gradient over its rows, and batch norm sums a
channels-last activation over everything but its channels. NumPy runs such a sum row by row,
each step a vector add only ``channels`` wide, so for 32 or 64 channels the loop overhead
dominates: 2.8 ms for a (131072, 32) float32 matrix on the AMD EPYC. Seen as (rows / k, k *
channels), the same memory sums in rows about 1,024 wide, and a last small sum folds the k
partial results: 0.7 ms for that matrix, with less rounding error (k running sums instead of
one). Single-threaded NumPy, no BLAS: BLAS's ``ones @ matrix`` is faster only in a warm loop
(waking its threads costs more than the sum inside a training step, measured).
This module is the one place that knows it; everything else calls ``sum_over``.
"""

from __future__ import annotations

import numpy as np

MIN_SIZE = 1 << 14  # below this many elements the plain sum is as fast
ROW_WIDTH = 1024  # elements per widened row (measured best at 512-2048 for 32-128 channels);
# rows of 256 or more elements are summed as they are (widening them measured no faster)


def sum_over(values: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """``values.sum(axis=axes)`` (``axes`` non-negative, no keepdims). Where the summed axes are
    the outermost of ``values``' memory (C order, or a channels-last image seen as (N, C, H, W)),
    the rows are summed widened; otherwise this is NumPy's sum."""
    if (values.size < MIN_SIZE or values.dtype.kind != "f" or not axes
            or len(axes) == values.ndim):  # a whole sum is contiguous already
        return values.sum(axis=axes)
    if axes == (0,) and values.ndim == 2 and values.flags.c_contiguous:  # a bias gradient
        return _sum_rows(values)
    order = sorted(range(values.ndim), key=lambda d: -values.strides[d])  # outermost first
    outer = len(axes)
    if set(order[:outer]) != set(axes):
        return values.sum(axis=axes)
    in_memory = values.transpose(order)
    if not in_memory.flags.c_contiguous:
        return values.sum(axis=axes)
    kept_order = order[outer:]
    width = int(np.prod([values.shape[d] for d in kept_order], dtype=np.int64))
    result = _sum_rows(in_memory.reshape(-1, width)).reshape([values.shape[d] for d in kept_order])
    return result.transpose(np.argsort(kept_order))  # the kept axes in their own order


def _sum_rows(matrix: np.ndarray) -> np.ndarray:
    """``matrix.sum(axis=0)`` of a C-contiguous (rows, width) matrix, in widened rows."""
    rows, width = matrix.shape
    fold = ROW_WIDTH // max(1, width)
    if fold < 4:  # rows this wide already sum at full speed
        return matrix.sum(axis=0)
    whole = rows - rows % fold  # rows that fill widened rows
    total = matrix[:whole].reshape(-1, fold * width).sum(axis=0).reshape(fold, width).sum(axis=0)
    if whole < rows:
        total += matrix[whole:].sum(axis=0)
    return total
