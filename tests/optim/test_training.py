"""End to end: plain tensors, a DataLoader, an optimizer and a scheduler learn a small problem."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import optim
from ember.optim import lr_scheduler
from ember.utils.data import DataLoader, TensorDataset


def _blobs(n=300, seed=0):
    gen = np.random.default_rng(seed)
    centers = np.array([[2.0, 0.0], [-2.0, 1.5], [0.0, -2.5]], dtype=np.float32)
    labels = gen.integers(0, 3, size=n)
    x = centers[labels] + gen.normal(scale=0.6, size=(n, 2)).astype(np.float32)
    return x, labels


@pytest.mark.parametrize(("make_opt", "lr"), [
    (lambda p, lr: optim.Adam(p, lr=lr), 0.05),
    (lambda p, lr: optim.AdamW(p, lr=lr), 0.05),
    (lambda p, lr: optim.SGD(p, lr=lr, momentum=0.9, nesterov=True), 0.1),
    (lambda p, lr: optim.RMSprop(p, lr=lr), 0.01),
    (lambda p, lr: optim.Adagrad(p, lr=lr), 0.2),
    (lambda p, lr: optim.Adadelta(p, lr=lr), 1.0),
])
def test_small_mlp_reaches_95_percent(make_opt, lr):
    ember.manual_seed(0)
    x, y = _blobs()
    loader = DataLoader(TensorDataset(ember.from_numpy(x), ember.from_numpy(y)), batch_size=32,
                        shuffle=True)
    w1 = (ember.randn(2, 16) * 0.5).requires_grad_()
    b1 = ember.zeros(16, requires_grad=True)
    w2 = (ember.randn(16, 3) * 0.5).requires_grad_()
    b2 = ember.zeros(3, requires_grad=True)
    opt = make_opt([w1, b1, w2, b2], lr)
    sched = lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    for _ in range(10):
        for xb, yb in loader:
            opt.zero_grad()
            logits = ember.relu(xb @ w1 + b1) @ w2 + b2
            F.cross_entropy(logits, yb).backward()
            opt.step()
        sched.step()
    with ember.no_grad():
        logits = ember.relu(ember.from_numpy(x) @ w1 + b1) @ w2 + b2
    accuracy = float((logits.numpy().argmax(1) == y).mean())
    assert accuracy >= 0.95


def test_zero_grad_to_zeros_then_backward_accumulates_fresh():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.zero_grad(set_to_none=False)
    (w * 3.0).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [3.0, 3.0])
