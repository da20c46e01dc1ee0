"""Checkers for the CNN lessons: output sizes, convolution, max pooling, batch normalisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember.creation import tensor
from ember.exercises._checking import check_case, run_checks, to_tensor


def check_conv_output_shape(fn: Callable[..., Any], out: Any = print) -> bool:
    """``fn(size, kernel, stride, padding)`` -> the output size along one dimension."""

    def right(n: int, k: int, s: int, p: int) -> int:
        return (n + 2 * p - k) // s + 1

    mistakes = [
        ("padding counted once: it is added on both sides (2 * padding)",
         lambda n, k, s, p: (n + p - k) // s + 1),
        ("rounding up: a window that does not fit is dropped (floor, not ceil)",
         lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1),
        ("forgetting the + 1 (the first window)", lambda n, k, s, p: (n + 2 * p - k) // s),
    ]
    cases = [(32, 3, 1, 0), (32, 3, 1, 1), (28, 5, 2, 0), (7, 3, 2, 1), (10, 4, 3, 1)]
    return run_checks("check_conv_output_shape", [
        check_case(f"conv output size for {case}", fn, right, mistakes, case, lambda a: a,
                   out=out) for case in cases], out)


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0,
          flip: bool = False) -> np.ndarray:
    import ember.nn.functional as F

    weight = w[:, :, ::-1, ::-1].copy() if flip else w
    return F.conv2d(tensor(x, dtype="float64"), tensor(weight, dtype="float64"),
                    tensor(b, dtype="float64"), stride=stride, padding=padding).numpy()


def check_conv2d(fn: Callable[..., Any], out: Any = print) -> bool:
    """``fn(x, w, b, stride, padding)``: x (N, C, H, W), w (O, C, kh, kw), b (O,) -> (N, O, H', W')
    as ``nn.functional.conv2d`` computes it (a cross-correlation: the kernel is not flipped)."""
    mistakes = [
        ("flipping the kernel: deep-learning 'convolution' slides the kernel as it is",
         lambda x, w, b, s, p: _conv(x, w, b, s, p, flip=True)),
        ("forgetting the bias", lambda x, w, b, s, p: _conv(x, w, np.zeros_like(b), s, p)),
        ("ignoring the stride", lambda x, w, b, s, p: _conv(x, w, b, 1, p)),
        ("ignoring the padding", lambda x, w, b, s, p: _conv(x, w, b, s, 0)),
    ]
    rng = np.random.default_rng(6)
    cases = [("stride 1, no padding", (rng.normal(size=(2, 2, 5, 5)), rng.normal(size=(3, 2, 3, 3)),
                                       rng.normal(size=(3,)), 1, 0)),
             ("stride 2, padding 1", (rng.normal(size=(1, 3, 6, 6)), rng.normal(size=(2, 3, 3, 3)),
                                      rng.normal(size=(2,)), 2, 1))]
    return run_checks("check_conv2d", [
        check_case(f"conv2d, {title}", fn, _conv, mistakes, args, to_tensor, out=out)
        for title, args in cases], out)


def check_max_pool(fn: Callable[..., Any], out: Any = print) -> bool:
    """``fn(x, kernel, stride)``: x (N, C, H, W) -> the maximum of each window."""
    import ember.nn.functional as F

    def right(x: np.ndarray, k: int, s: int) -> np.ndarray:
        return F.max_pool2d(tensor(x, dtype="float64"), k, s).numpy()

    mistakes = [
        ("averaging the window instead of taking its maximum",
         lambda x, k, s: F.avg_pool2d(tensor(x, dtype="float64"), k, s).numpy()),
        ("ignoring the stride (windows one step apart)", lambda x, k, s: right(x, k, 1)),
    ]
    rng = np.random.default_rng(7)
    cases = [(rng.normal(size=(2, 1, 4, 4)), 2, 2), (rng.normal(size=(1, 2, 5, 5)), 3, 2)]
    return run_checks("check_max_pool", [
        check_case(f"max pool, kernel {k}, stride {s}", fn, right, mistakes, (x, k, s),
                   to_tensor, out=out) for x, k, s in cases], out)


def check_batch_norm(fn: Callable[..., Any], out: Any = print) -> bool:
    """``fn(x, gamma, beta, eps)``: x (N, D) normalised per feature over the batch (training
    mode: the biased variance), then ``gamma * x_hat + beta``."""

    def norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float, axis: int = 0,
             ddof: int = 0, use_eps: bool = True) -> np.ndarray:
        mean = x.mean(axis=axis, keepdims=True)
        var = x.var(axis=axis, keepdims=True, ddof=ddof)
        return g * (x - mean) / np.sqrt(var + (eps if use_eps else 0)) + b

    mistakes = [
        ("the unbiased variance (N - 1): batch norm divides by N when training",
         lambda x, g, b, e: norm(x, g, b, e, ddof=1)),
        ("normalising each sample over its features (axis 1) instead of each feature over the "
         "batch (axis 0): that is layer norm", lambda x, g, b, e: norm(x, g, b, e, axis=1)),
        ("forgetting eps inside the square root", lambda x, g, b, e: norm(x, g, b, e,
                                                                           use_eps=False)),
        ("forgetting gamma and beta", lambda x, g, b, e: norm(x, np.ones_like(g),
                                                               np.zeros_like(b), e)),
    ]
    rng = np.random.default_rng(8)
    x = rng.normal(size=(5, 4)) * 3 + 1
    x[:, 3] = 0.001 * rng.normal(size=5)  # a feature with a tiny variance: eps matters
    args = (x, rng.uniform(0.5, 2, size=4), rng.normal(size=4), 1e-3)
    return run_checks("check_batch_norm", [
        check_case("batch norm", fn, norm, mistakes, args, to_tensor, out=out)], out)
