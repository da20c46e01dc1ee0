"""Row-by-row MNIST: an LSTM reads each image as 28 steps of 28 pixels; nn.LSTM(28, 128) and a
linear head, Adam (learning rate 3e-3), batch 64. ember and PyTorch train the same program from
the same initial weights on the same batches in one process; prints each one's test accuracy
after every epoch and its median step time (the two take turns batch by batch).

    EMBER_DATA=../shared/data python bench/bench_lstm_mnist.py [--epochs 2] [--quick]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

import ember
import ember.nn.functional as F
from _common import cpu_model
from ember import nn, optim
from ember.datasets import load_mnist


class RowLSTM(nn.Module):
    def __init__(self, hidden: int = 128) -> None:
        super().__init__()
        self.lstm = nn.LSTM(28, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 10)

    def forward(self, x: ember.Tensor) -> ember.Tensor:
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def torch_twin(model: RowLSTM) -> Any:
    import torch

    class TorchRowLSTM(torch.nn.Module):
        def __init__(self, hidden: int) -> None:
            super().__init__()
            self.lstm = torch.nn.LSTM(28, hidden, batch_first=True)
            self.head = torch.nn.Linear(hidden, 10)

        def forward(self, x: Any) -> Any:
            out, _ = self.lstm(x)
            return self.head(out[:, -1])

    twin = TorchRowLSTM(model.lstm.hidden_size)
    twin.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy())
                          for k, v in model.state_dict().items()})
    return twin


def mnist_rows(train: int, test: int) -> tuple[np.ndarray, ...]:
    (x_train, y_train), (x_test, y_test) = load_mnist()
    scale = np.float32(1 / 255)
    return (x_train[:train].astype(np.float32) * scale, y_train[:train].astype(np.int64),
            x_test[:test].astype(np.float32) * scale, y_test[:test].astype(np.int64))


def run(epochs: int = 2, train: int = 60_000, test: int = 10_000, batch: int = 64,
        threads: int = 2, seed: int = 0, log: Any = print, lr: float = 3e-3,
        frameworks: tuple[str, ...] = ("ember", "torch")) -> dict[str, dict[str, Any]]:
    """Train both; returns {'ember': {...}, 'torch': {...}} with per-epoch test accuracies and
    the median seconds per training step."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads)
    with threadpool_limits(limits=threads):  # NumPy's BLAS gets the same threads as PyTorch
        return _train_both(epochs, train, test, batch, seed, log, lr, frameworks)


def _train_both(epochs: int, train: int, test: int, batch: int, seed: int, log: Any, lr: float,
                frameworks: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    import torch

    x_train, y_train, x_test, y_test = mnist_rows(train, test)
    ember.manual_seed(seed)
    model = RowLSTM()
    twin = torch_twin(model)
    orders = [np.random.default_rng(seed + e).permutation(len(x_train)) for e in range(epochs)]
    results: dict[str, dict[str, Any]] = {}

    def ember_step(xb: np.ndarray, yb: np.ndarray) -> None:
        loss = F.cross_entropy(model(ember.tensor(xb)), ember.tensor(yb))
        ember_opt.zero_grad()
        loss.backward()
        ember_opt.step()

    def ember_accuracy() -> float:
        with ember.no_grad():
            logits = np.concatenate([model(ember.tensor(x_test[i:i + 1000])).numpy()
                                     for i in range(0, len(x_test), 1000)])
        return float((logits.argmax(1) == y_test).mean())

    def torch_step(xb: np.ndarray, yb: np.ndarray) -> None:
        loss = torch.nn.functional.cross_entropy(twin(torch.from_numpy(xb)),
                                                 torch.from_numpy(yb))
        torch_opt.zero_grad()
        loss.backward()
        torch_opt.step()

    def torch_accuracy() -> float:
        with torch.no_grad():
            logits = np.concatenate([twin(torch.from_numpy(x_test[i:i + 1000])).numpy()
                                     for i in range(0, len(x_test), 1000)])
        return float((logits.argmax(1) == y_test).mean())

    ember_opt = optim.Adam(model.parameters(), lr=lr)
    torch_opt = torch.optim.Adam(twin.parameters(), lr=lr)
    runs = {"ember": (ember_step, ember_accuracy), "torch": (torch_step, torch_accuracy)}
    runs = {name: run for name, run in runs.items() if name in frameworks}
    times: dict[str, list[float]] = {name: [] for name in runs}
    accuracies: dict[str, list[float]] = {name: [] for name in runs}
    for epoch, order in enumerate(orders):
        for start in range(0, len(order), batch):
            index = order[start:start + batch]
            # The two frameworks take turns batch by batch, so that other load on the
            # machine falls on both alike.
            for name, (step, _) in runs.items():
                began = time.perf_counter()
                step(x_train[index], y_train[index])
                times[name].append(time.perf_counter() - began)
        for name, (_, accuracy) in runs.items():
            accuracies[name].append(accuracy())
            log(f"{name}: epoch {epoch + 1} test accuracy {accuracies[name][-1]:.4f}, median "
                f"step {np.median(times[name]) * 1000:.1f} ms")
    for name in runs:
        results[name] = {"accuracy": accuracies[name],
                         "step_seconds": float(np.median(times[name]))}
    if len(results) == 2:
        ratio = results["ember"]["step_seconds"] / results["torch"]["step_seconds"]
        log(f"ember step / PyTorch step: {ratio:.2f}x")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--train", type=int, default=60_000)
    parser.add_argument("--test", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--quick", action="store_true", help="2,000 images, 1 epoch")
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}")
    if args.quick:
        run(epochs=1, train=2_000, test=1_000, threads=args.threads)
    else:
        run(args.epochs, args.train, args.test, threads=args.threads, lr=args.lr)


if __name__ == "__main__":
    main()
