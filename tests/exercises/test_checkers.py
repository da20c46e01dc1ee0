"""Each checker passes a right solution and names each usual mistake, written as a learner would."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import exercises as ex


def _run(checker: Any, fn: Any) -> tuple[bool, str]:
    lines: list[str] = []
    ok = checker(fn, out=lines.append)
    return ok, "\n".join(lines)


# --- solutions as a learner writes them (ember ops or NumPy on the tensors they are given)
def softmax(z: ember.Tensor) -> ember.Tensor:
    e = (z - z.max(dim=1, keepdim=True).values).exp()
    return e / e.sum(dim=1, keepdim=True)


def cross_entropy(p: Any, one_hot: Any) -> Any:
    return -(p * one_hot).sum(dim=1).log()


def accuracy(y_hat: Any, y: Any) -> Any:
    return (y_hat.argmax(dim=1) == y).float().mean()


def backprop(x: Any, y: Any, w1: Any, b1: Any, w2: Any, b2: Any) -> list[np.ndarray]:
    x, y, w1, b1, w2, b2 = (np.asarray(t, dtype=np.float64) for t in (x, y, w1, b1, w2, b2))
    pre = x @ w1 + b1
    h = np.maximum(pre, 0)
    z = h @ w2 + b2
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz = (p - y) / len(x)
    dh = (dz @ w2.T) * (pre > 0)
    return [x.T @ dh, dh.sum(0), h.T @ dz, dz.sum(0)]


def sgd(params: list[Any], grads: list[Any], lr: float, bs: int) -> None:
    for p, g in zip(params, grads):
        p -= lr * g / bs


def conv2d(x: Any, w: Any, b: Any, stride: int, padding: int) -> np.ndarray:
    x, w, b = (np.asarray(t, dtype=np.float64) for t in (x, w, b))
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, _, h, width = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (width - kw) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def batch_norm(x: Any, gamma: Any, beta: Any, eps: float) -> Any:
    mean = x.mean(dim=0, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=0, keepdim=True)
    return gamma * (x - mean) / (var + eps).sqrt() + beta


RIGHT = [
    (ex.check_softmax, softmax),
    (ex.check_softmax, lambda z: F.softmax(z, dim=1)),
    (ex.check_cross_entropy, cross_entropy),
    (ex.check_accuracy, accuracy),
    (ex.check_linear_model, lambda x, w, b: x @ w + b),
    (ex.check_logistic_regression, lambda x, w, b: softmax(x.reshape(x.shape[0], -1) @ w + b)),
    (ex.check_backprop, backprop),
    (ex.check_sgd_step, sgd),
    (ex.check_conv_output_shape, lambda n, k, s, p: (n + 2 * p - k) // s + 1),
    (ex.check_conv2d, conv2d),
    (ex.check_max_pool, lambda x, k, s: F.max_pool2d(x, k, s)),
    (ex.check_batch_norm, batch_norm),
]


@pytest.mark.parametrize("checker,fn", RIGHT, ids=[f"{c.__name__}-{i}" for i, (c, _) in
                                                     enumerate(RIGHT)])
def test_a_right_solution_passes(checker: Any, fn: Any) -> None:
    ok, report = _run(checker, fn)
    assert ok, report
    assert report.endswith("all checks passed")


def _sgd_rebinding(params: list[Any], grads: list[Any], lr: float, bs: int) -> None:
    for p, g in zip(params, grads):
        p = p - lr * g / bs  # noqa: PLW2901 - the mistake under test


WRONG = [
    (ex.check_softmax, lambda z: z.exp() / z.exp().sum(dim=1, keepdim=True), "max-subtraction"),
    (ex.check_softmax, lambda z: F.softmax(z, dim=0), "axis 0"),
    (ex.check_softmax, lambda z: z.exp() / z.exp().sum(), "whole batch"),
    (ex.check_cross_entropy, lambda p, y: cross_entropy(p, y).mean(), "mean over the batch"),
    (ex.check_cross_entropy, lambda p, y: (p * y).sum(dim=1).log(), "minus sign"),
    (ex.check_cross_entropy, lambda p, y: -p.log().sum(dim=1), "every class"),
    (ex.check_accuracy, lambda s, y: (s.argmax(dim=1) == y).sum() // len(y), "integer division"),
    (ex.check_accuracy, lambda s, y: (s.argmax(dim=1) == y).sum(), "count"),
    (ex.check_linear_model, lambda x, w, b: x @ w + b[:, None], "along the batch"),
    (ex.check_linear_model, lambda x, w, b: x @ w.T + b, "transposed"),
    (ex.check_logistic_regression, lambda x, w, b: x.reshape(x.shape[0], -1) @ w + b, "logits"),
    (ex.check_backprop, lambda *a: [g * len(a[0]) for g in backprop(*a)], "1/N"),
    (ex.check_sgd_step, _sgd_rebinding, "in place"),
    (ex.check_sgd_step, lambda ps, gs, lr, bs: [p.sub_(lr * g) for p, g in zip(ps, gs)],
     "batch size"),
    (ex.check_conv_output_shape, lambda n, k, s, p: (n + p - k) // s + 1, "both sides"),
    (ex.check_conv_output_shape, lambda n, k, s, p: (n + 2 * p - k) // s, "+ 1"),
    (ex.check_conv2d, lambda x, w, b, s, p: conv2d(x, np.asarray(w)[:, :, ::-1, ::-1], b, s, p),
     "flipping the kernel"),
    (ex.check_conv2d, lambda x, w, b, s, p: conv2d(x, w, np.zeros(len(b)), s, p), "bias"),
    (ex.check_max_pool, lambda x, k, s: F.avg_pool2d(x, k, s), "averaging"),
    (ex.check_batch_norm, lambda x, g, b, e: g * (x - x.mean(dim=0)) / (x.var(dim=0) + e).sqrt()
     + b, "unbiased"),
    (ex.check_batch_norm, lambda x, g, b, e: (x - x.mean(dim=0)) / (x.var(dim=0, unbiased=False)
                                                                     + e).sqrt(), "gamma"),
]


@pytest.mark.parametrize("checker,fn,mistake", WRONG,
                         ids=[f"{c.__name__}-{m}" for c, _, m in WRONG])
def test_a_usual_mistake_fails_and_is_named(checker: Any, fn: Any, mistake: str) -> None:
    ok, report = _run(checker, fn)
    assert not ok
    assert "this looks like:" in report and mistake in report, report
    assert "expected" in report and "got" in report


def test_a_function_that_raises_is_reported_not_propagated() -> None:
    def broken(z: Any) -> Any:
        raise ValueError("oops")

    ok, report = _run(ex.check_softmax, broken)
    assert not ok and "raised ValueError: oops" in report
