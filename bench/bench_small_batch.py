"""Small-batch training speed: MLP 4-128-128-3 on Iris, batch 16, Adam.

Per-step overhead dominates here (tiny matrices), so this measures the autograd engine, the
modules and the optimizer loop rather than BLAS. ember and PyTorch run side by side, from the
same initial weights, on the real Iris data; prints optimizer steps per second and the ratio.

    python bench/bench_small_batch.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import ember
import ember.nn.functional as F
from _common import cpu_model
from ember import nn, optim

STEPS_PER_ROUND = 2000


def iris() -> tuple[np.ndarray, np.ndarray]:
    from ember.datasets import load_iris

    x, y, _ = load_iris()
    x = ((x - x.mean(axis=0)) / x.std(axis=0)).astype(np.float32)
    return x, y.astype(np.int64)


def ember_model() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                         nn.Linear(128, 3))


def batches(x: np.ndarray, y: np.ndarray, batch: int, steps: int, seed: int = 0
            ) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < steps:
        order = rng.permutation(len(x))
        out += [(x[order[i:i + batch]], y[order[i:i + batch]]) for i in range(0, len(x), batch)]
    return out[:steps]


def run_ember(model: nn.Module, data: list) -> float:
    opt = optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for xb, yb in data:
        loss = F.cross_entropy(model(ember.from_numpy(xb)), ember.from_numpy(yb))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return len(data) / (time.perf_counter() - start)


def run_torch(torch, model, data: list) -> float:  # noqa: ANN001
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for xb, yb in data:
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(xb)),
                                                 torch.from_numpy(yb))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return len(data) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}")
    import torch

    torch.set_num_threads(args.threads)
    x, y = iris()
    data = batches(x, y, 16, STEPS_PER_ROUND)
    ember.manual_seed(0)
    mine = ember_model()
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 128), torch.nn.ReLU(),
                                 torch.nn.Linear(128, 128), torch.nn.ReLU(),
                                 torch.nn.Linear(128, 3))
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                            for k, v in mine.state_dict().items()})
    ember_rate = max(run_ember(mine, data) for _ in range(args.rounds))
    torch_rate = max(run_torch(torch, theirs, data) for _ in range(args.rounds))
    print(f"ember  {ember_rate:8.0f} steps/s")
    print(f"torch  {torch_rate:8.0f} steps/s")
    print(f"ratio ember/torch (steps per second, higher is better): {ember_rate / torch_rate:.2f}x")


if __name__ == "__main__":
    main()
