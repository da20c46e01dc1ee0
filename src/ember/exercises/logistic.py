"""Checkers for the logistic-regression lesson: softmax, cross-entropy, accuracy, the model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember.exercises._checking import check_case, run_checks, to_tensor

_rng = np.random.default_rng


def _softmax(z: np.ndarray, axis: int = 1) -> np.ndarray:
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def check_softmax(fn: Callable[[Any], Any], out: Any = print) -> bool:
    """``fn(logits)``: logits (N, C) -> probabilities (N, C), each row summing to 1."""
    mistakes = [  # the first that matches is named: overflow is checked before the others
        ("no max-subtraction: exp overflows for large logits (subtract each row's max first)",
         lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)),
        ("normalising over axis 0 (the batch) instead of axis 1 (the classes)",
         lambda z: _softmax(z, axis=0)),
        ("dividing by the sum of the whole batch instead of each row's sum",
         lambda z: np.exp(z) / np.exp(z).sum()),
        ("returning exp(z) without dividing by the row sums", lambda z: np.exp(z)),
    ]
    cases = [("small logits", _rng(0).normal(size=(4, 3))),
             ("a batch of one", np.array([[1.0, 2.0, 3.0]])),
             ("large logits (1000 and up)", np.array([[1000.0, 1001.0, 1002.0],
                                                       [-5.0, 0.0, 800.0]]))]
    return run_checks("check_softmax", [
        check_case(f"softmax, {title}", fn, _softmax, mistakes, (z,), to_tensor, out=out)
        for title, z in cases], out)


def _cross_entropy(p: np.ndarray, one_hot: np.ndarray) -> np.ndarray:
    return -np.log(np.sum(p * one_hot, axis=1))


def check_cross_entropy(fn: Callable[[Any, Any], Any], out: Any = print) -> bool:
    """``fn(probabilities, one_hot)``: (N, C), (N, C) -> the loss of each sample, shape (N,)."""
    mistakes = [
        ("returning the mean over the batch: the lesson's cross_entropy returns one loss per "
         "sample", lambda p, y: np.mean(_cross_entropy(p, y))),
        ("returning the sum over the batch instead of one loss per sample",
         lambda p, y: np.sum(_cross_entropy(p, y))),
        ("a missing minus sign (log of a probability is negative)",
         lambda p, y: np.log(np.sum(p * y, axis=1))),
        ("summing -log over every class instead of only the true one (mask with the one-hot)",
         lambda p, y: -np.log(p).sum(axis=1)),
        ("taking log(1 - p) too: that is the binary cross-entropy",
         lambda p, y: -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(axis=1)),
    ]
    rng = _rng(1)
    p = _softmax(rng.normal(size=(5, 4)))
    labels = np.array([0, 3, 1, 1, 2])
    one_hot = np.eye(4)[labels]
    return run_checks("check_cross_entropy", [
        check_case("cross_entropy", fn, _cross_entropy, mistakes, (p, one_hot), to_tensor,
                   out=out)], out)


def _accuracy(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.asarray(np.mean(np.argmax(y_hat, axis=1) == y))


def check_accuracy(fn: Callable[[Any, Any], Any], out: Any = print) -> bool:
    """``fn(y_hat, labels)``: scores (N, C) and class indices (N,) -> the fraction right."""
    mistakes = [
        ("integer division: 3 right out of 4 must give 0.75, not 0",
         lambda s, y: np.asarray(np.sum(np.argmax(s, axis=1) == y) // len(y))),
        ("returning the count of correct predictions instead of the fraction",
         lambda s, y: np.asarray(np.sum(np.argmax(s, axis=1) == y))),
        ("taking the argmax over axis 0 (the batch) instead of axis 1 (the classes)",
         lambda s, y: np.asarray(np.mean(np.argmax(s, axis=0)[: len(y)] == y))),
    ]
    scores = np.array([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.3, 0.3, 0.4], [0.2, 0.5, 0.3]])
    labels = np.array([1, 0, 2, 0])  # 3 of 4 right
    return run_checks("check_accuracy", [
        check_case("accuracy", fn, _accuracy, mistakes, (scores, labels), to_tensor, out=out)],
        out)


def check_linear_model(fn: Callable[[Any, Any, Any], Any], out: Any = print) -> bool:
    """``fn(X, W, b)``: X (N, D), W (D, C), b (C,) -> X @ W + b, shape (N, C)."""
    mistakes = [
        ("the bias added along the batch instead of the classes (b belongs to each class)",
         lambda x, w, b: x @ w + b[:, None]),
        ("multiplying by W transposed", lambda x, w, b: x @ w.T + b),
        ("forgetting the bias", lambda x, w, b: x @ w),
        ("multiplying elementwise instead of with the matrix product",
         lambda x, w, b: (x * w).sum(axis=1, keepdims=True) + b),
    ]
    rng = _rng(2)
    cases = [("square W", (rng.normal(size=(3, 3)), rng.normal(size=(3, 3)),
                           rng.normal(size=(3,)))),
             ("N == C", (rng.normal(size=(4, 5)), rng.normal(size=(5, 4)), rng.normal(size=(4,))))]
    return run_checks("check_linear_model", [
        check_case(f"linear model, {title}", fn, lambda x, w, b: x @ w + b, mistakes, args,
                   to_tensor, out=out) for title, args in cases], out)


def check_logistic_regression(fn: Callable[[Any, Any, Any], Any], out: Any = print) -> bool:
    """``fn(X, W, b)``: images X (N, H, W, 3), W (H*W*3, C), b (C,) -> softmax(flat(X) @ W + b)."""

    def right(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        return _softmax(x.reshape(len(x), -1) @ w + b)

    mistakes = [
        ("returning the logits: apply softmax to X @ W + b",
         lambda x, w, b: x.reshape(len(x), -1) @ w + b),
        ("softmax over axis 0 (the batch) instead of the classes",
         lambda x, w, b: _softmax(x.reshape(len(x), -1) @ w + b, axis=0)),
        ("forgetting the bias", lambda x, w, b: _softmax(x.reshape(len(x), -1) @ w)),
    ]
    rng = _rng(3)
    args = (rng.uniform(size=(3, 4, 4, 3)), rng.normal(size=(48, 5)) * 0.1,
            rng.normal(size=(5,)))
    return run_checks("check_logistic_regression", [
        check_case("logistic regression", fn, right, mistakes, args, to_tensor, out=out)], out)
