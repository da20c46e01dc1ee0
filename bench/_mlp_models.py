"""The benchmarks' MNIST MLP (the Keras book's 784-512 ReLU-10 with RMSprop) without ember: the
plain-NumPy floor, the PyTorch twin, their shared initial weights and the epoch loop. Nothing here
imports ember, so a process that measures NumPy or PyTorch alone (bench_memory.py) can use it.
"""

from __future__ import annotations

import math

import numpy as np

BATCH, HIDDEN, LR, RHO, EPS = 128, 512, 1e-3, 0.9, 1e-7  # Keras's RMSprop defaults


def initial_weights(seed: int) -> list[np.ndarray]:
    """PyTorch's default Linear init, drawn once and given to both frameworks."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in ((784, HIDDEN), (HIDDEN, 10)):
        bound = 1 / math.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return weights


class TorchMLP:
    def __init__(self, torch, weights: list[np.ndarray]) -> None:  # noqa: ANN001
        self.torch = torch
        self.params = [torch.tensor(w, requires_grad=True) for w in weights]
        self.opt = torch.optim.RMSprop(self.params, lr=LR, alpha=RHO, eps=EPS)

    def forward(self, x):  # noqa: ANN001, ANN201
        f = self.torch.nn.functional
        w1, b1, w2, b2 = self.params
        return f.linear(f.relu(f.linear(x, w1, b1)), w2, b2)

    def step(self, x: np.ndarray, y: np.ndarray) -> None:
        loss = self.torch.nn.functional.cross_entropy(
            self.forward(self.torch.from_numpy(x)), self.torch.from_numpy(y))
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        with self.torch.no_grad():
            pred = self.forward(self.torch.from_numpy(x)).argmax(1).numpy()
        return float((pred == y).mean())


class NumpyMLP:
    """The same network and update by hand: what NumPy alone costs, with no framework at all."""

    def __init__(self, weights: list[np.ndarray]) -> None:
        self.params = [w.copy() for w in weights]
        self.square_avgs = [np.zeros_like(w) for w in weights]
        self.scratch = [np.empty_like(w) for w in weights]

    def step(self, x: np.ndarray, y: np.ndarray) -> None:
        w1, b1, w2, b2 = self.params
        hidden = x @ w1.T
        hidden += b1
        active = np.maximum(hidden, 0)
        logits = active @ w2.T
        logits += b2
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        probs[np.arange(len(y)), y] -= 1  # d(mean cross-entropy)/d(logits), times the batch
        probs /= len(y)
        g_active = probs @ w2
        g_active *= hidden > 0
        grads = (g_active.T @ x, g_active.sum(axis=0), probs.T @ active, probs.sum(axis=0))
        for p, g, square_avg, tmp in zip(self.params, grads, self.square_avgs, self.scratch):
            np.multiply(g, g, out=tmp)
            tmp *= 1 - RHO
            square_avg *= RHO
            square_avg += tmp
            np.sqrt(square_avg, out=tmp)
            tmp += EPS
            np.divide(g, tmp, out=tmp)
            tmp *= -LR
            p += tmp

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        w1, b1, w2, b2 = self.params
        return float(((np.maximum(x @ w1.T + b1, 0) @ w2.T + b2).argmax(1) == y).mean())


def one_epoch(model, x: np.ndarray, y: np.ndarray, order: np.ndarray) -> None:  # noqa: ANN001
    for start in range(0, len(order), BATCH):
        idx = order[start:start + BATCH]
        model.step(x[idx], y[idx])
