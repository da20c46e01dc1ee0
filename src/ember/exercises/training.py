"""Checkers for the training lessons: a hand-written backward pass and the SGD step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember.creation import tensor
from ember.exercises._checking import check_case, run_checks, to_tensor


def _two_layer_grads(x: np.ndarray, y: np.ndarray, w1: np.ndarray, b1: np.ndarray,
                     w2: np.ndarray, b2: np.ndarray) -> list[np.ndarray]:
    """The reference: ember's autograd on mean cross-entropy of softmax(relu(xW1+b1)W2+b2)."""
    import ember.nn.functional as F

    params = [tensor(p, dtype="float64", requires_grad=True) for p in (w1, b1, w2, b2)]
    h = (tensor(x, dtype="float64") @ params[0] + params[1]).relu()
    logits = h @ params[2] + params[3]
    F.cross_entropy(logits, tensor(y, dtype="float64")).backward()
    return [p.grad.numpy() for p in params]


def _by_hand(x: np.ndarray, y: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray,
             b2: np.ndarray, mean: bool = True, relu_mask: bool = True) -> list[np.ndarray]:
    pre = x @ w1 + b1
    h = np.maximum(pre, 0)
    z = h @ w2 + b2
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz = (p - y) / (len(x) if mean else 1)
    dh = dz @ w2.T * ((pre > 0) if relu_mask else 1)
    return [x.T @ dh, dh.sum(axis=0), h.T @ dz, dz.sum(axis=0)]


def check_backprop(fn: Callable[..., Any], out: Any = print) -> bool:
    """``fn(x, y_one_hot, W1, b1, W2, b2)`` -> ``(dW1, db1, dW2, db2)``.

    The network is ``softmax(relu(x @ W1 + b1) @ W2 + b2)`` and the loss the cross-entropy
    averaged over the batch; your gradients are compared with autograd's.
    """
    rng = np.random.default_rng(4)
    x = rng.normal(size=(6, 4))
    y = np.eye(3)[rng.integers(0, 3, size=6)]
    args = (x, y, rng.normal(size=(4, 5)), rng.normal(size=(5,)) * 0.1,
            rng.normal(size=(5, 3)), rng.normal(size=(3,)) * 0.1)

    def stacked(grads: Any) -> np.ndarray:
        return np.concatenate([np.asarray(getattr(g, "_data", g), dtype=np.float64).ravel()
                               for g in grads])

    mistakes = [
        ("forgetting the 1/N of the mean: the gradients are N times too large",
         lambda *a: stacked(_by_hand(*a, mean=False))),
        ("no ReLU mask in the backward pass: the gradient must be zero where the unit was off",
         lambda *a: stacked(_by_hand(*a, relu_mask=False))),
    ]
    return run_checks("check_backprop", [check_case(
        "backprop", lambda *a: stacked(fn(*a)), lambda *a: stacked(_two_layer_grads(*a)),
        mistakes, args, to_tensor, rtol=1e-3, atol=1e-5, out=out)], out)


def check_sgd_step(fn: Callable[[list[Any], list[Any], float, int], Any],
                   out: Any = print) -> bool:
    """``fn(params, grads, lr, batch_size)`` updates each parameter in place by
    ``param -= lr * grad / batch_size`` (the lesson's loss sums over the batch)."""

    def apply(params: np.ndarray, grads: np.ndarray, lr: float, bs: int) -> np.ndarray:
        tensors = [tensor(p) for p in params]
        fn(tensors, [tensor(g) for g in grads], lr, bs)
        return np.stack([t.numpy() for t in tensors])

    rng = np.random.default_rng(5)
    params, grads = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    mistakes = [
        ("the parameters did not change: update them in place (p -= ... or p.sub_(...)); "
         "p = p - ... only rebinds the loop's name", lambda p, g, lr, bs: p),
        ("forgetting to divide by the batch size", lambda p, g, lr, bs: p - lr * g),
        ("adding the gradient: that climbs the loss instead of descending it",
         lambda p, g, lr, bs: p + lr * g / bs),
    ]
    return run_checks("check_sgd_step", [check_case(
        "sgd step", apply, lambda p, g, lr, bs: p - lr * g / bs, mistakes,
        (params, grads, 0.5, 4), lambda a: a, out=out)], out)
