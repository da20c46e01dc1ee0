"""MNIST MLP of the Keras book (784-512 ReLU-10, RMSprop lr 1e-3, batch 128, one epoch):
ember's core ops and ``ember.optim`` against PyTorch on the CPU, in one process, from the same
initial weights; and, as the floor any NumPy framework stands on, the same network written by
hand in plain NumPy (forward, backward and RMSprop, no framework).

    EMBER_DATA=../shared/data python bench/bench_mlp.py

Prints seconds per epoch for each, their ratios to PyTorch, and test accuracy after the epoch.
"""

from __future__ import annotations

import argparse

import numpy as np

import ember
import ember.nn.functional as F
from _common import best_of, cpu_model, mnist_flat
from _mlp_models import BATCH, EPS, LR, RHO, NumpyMLP, TorchMLP, initial_weights, one_epoch

__all__ = ["BATCH", "EmberMLP", "NumpyMLP", "TorchMLP", "initial_weights", "one_epoch"]


class EmberMLP:
    def __init__(self, weights: list[np.ndarray]) -> None:
        self.params = [ember.tensor(w, requires_grad=True) for w in weights]
        self.opt = ember.optim.RMSprop(self.params, lr=LR, alpha=RHO, eps=EPS)

    def forward(self, x: ember.Tensor) -> ember.Tensor:
        w1, b1, w2, b2 = self.params
        return F.linear(F.relu(F.linear(x, w1, b1)), w2, b2)

    def step(self, x: np.ndarray, y: np.ndarray) -> None:
        loss = F.cross_entropy(self.forward(ember.from_numpy(x)), ember.from_numpy(y))
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        with ember.no_grad():
            return float((self.forward(ember.from_numpy(x)).argmax(1).numpy() == y).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed epochs per framework")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}")
    import torch

    torch.set_num_threads(args.threads)
    x_train, y_train, x_test, y_test = mnist_flat()
    order = np.random.default_rng(0).permutation(len(x_train))
    models = {"ember": EmberMLP(initial_weights(0)), "torch": TorchMLP(torch, initial_weights(0)),
              "numpy": NumpyMLP(initial_weights(0))}
    seconds = {name: float("inf") for name in models}
    accuracy = {}
    # Alternate epochs between the two, so that other load on the machine hits both alike;
    # keep each one's fastest epoch, and its test accuracy after exactly one epoch.
    for round_index in range(args.rounds):
        for name, model in models.items():
            seconds[name] = min(seconds[name], best_of(
                1, lambda m=model: one_epoch(m, x_train, y_train, order)))
            if round_index == 0:
                accuracy[name] = model.accuracy(x_test, y_test)
    for name in models:
        print(f"{name:6s} {seconds[name]:6.2f} s/epoch   test accuracy after one epoch "
              f"{accuracy[name]:.4f}")
    ratio = seconds["ember"] / seconds["torch"]
    gap = 100 * (accuracy["ember"] - accuracy["torch"])
    print(f"ratio ember/torch: {ratio:.2f}x   accuracy difference: {gap:+.2f} points")
    print(f"ratio numpy/torch: {seconds['numpy'] / seconds['torch']:.2f}x (plain NumPy, no "
          f"framework)   ember/numpy: {seconds['ember'] / seconds['numpy']:.2f}x")


if __name__ == "__main__":
    main()
