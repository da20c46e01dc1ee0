"""A convolutional autoencoder on MNIST (Conv2d down twice, ConvTranspose2d up twice, MSE
reconstruction loss, Adam, batch 128), trained one epoch by ember and by PyTorch from the same
initial weights on the same batches, taking turns batch by batch: test reconstruction loss
and median step time of each.

    EMBER_DATA=../shared/data python bench/bench_conv_autoencoder.py [--quick]
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


def autoencoder(module: Any) -> Any:
    """The same architecture in ember.nn or torch.nn (``module``)."""
    return module.Sequential(
        module.Conv2d(1, 16, 3, stride=2, padding=1), module.ReLU(),  # 28 -> 14
        module.Conv2d(16, 32, 3, stride=2, padding=1), module.ReLU(),  # 14 -> 7
        module.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1),
        module.ReLU(),  # 7 -> 14
        module.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1),
        module.Sigmoid(),  # 14 -> 28
    )


def run(train: int = 60_000, test: int = 10_000, batch: int = 128, threads: int = 2,
        seed: int = 0, log: Any = print) -> dict[str, dict[str, float]]:
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads)
    (x_train, _), (x_test, _) = load_mnist()
    x_train = (x_train[:train].astype(np.float32) / 255)[:, None]
    x_test = (x_test[:test].astype(np.float32) / 255)[:, None]
    ember.manual_seed(seed)
    model = autoencoder(nn)
    twin = autoencoder(torch.nn)
    twin.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy())
                          for k, v in model.state_dict().items()})
    order = np.random.default_rng(seed).permutation(len(x_train))
    ember_opt = optim.Adam(model.parameters(), lr=1e-3)
    torch_opt = torch.optim.Adam(twin.parameters(), lr=1e-3)

    def ember_step(xb: np.ndarray) -> None:
        x = ember.tensor(xb)
        loss = F.mse_loss(model(x), x)
        ember_opt.zero_grad()
        loss.backward()
        ember_opt.step()

    def torch_step(xb: np.ndarray) -> None:
        x = torch.from_numpy(xb)
        loss = torch.nn.functional.mse_loss(twin(x), x)
        torch_opt.zero_grad()
        loss.backward()
        torch_opt.step()

    def ember_test() -> float:
        with ember.no_grad():
            return float(np.mean([F.mse_loss(model(ember.tensor(x_test[i:i + 1000])),
                                             ember.tensor(x_test[i:i + 1000])).item()
                                  for i in range(0, len(x_test), 1000)]))

    def torch_test() -> float:
        with torch.no_grad():
            return float(np.mean([torch.nn.functional.mse_loss(
                twin(torch.from_numpy(x_test[i:i + 1000])),
                torch.from_numpy(x_test[i:i + 1000])).item()
                for i in range(0, len(x_test), 1000)]))

    results: dict[str, dict[str, float]] = {}
    runs = {"ember": (ember_step, ember_test), "torch": (torch_step, torch_test)}
    times: dict[str, list[float]] = {name: [] for name in runs}
    with threadpool_limits(limits=threads):
        for start in range(0, len(order), batch):
            for name, (step, _) in runs.items():  # turns, so load falls on both alike
                began = time.perf_counter()
                step(x_train[order[start:start + batch]])
                times[name].append(time.perf_counter() - began)
        for name, (_, evaluate) in runs.items():
            results[name] = {"test_loss": evaluate(),
                             "step_seconds": float(np.median(times[name]))}
            log(f"{name}: test reconstruction MSE {results[name]['test_loss']:.5f} after one "
                f"epoch of {len(order)} images, median step "
                f"{results[name]['step_seconds'] * 1000:.1f} ms")
    gap = results["ember"]["test_loss"] / results["torch"]["test_loss"] - 1
    log(f"ember's test loss is {gap * 100:+.2f}% of PyTorch's; step time "
        f"{results['ember']['step_seconds'] / results['torch']['step_seconds']:.2f}x")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="2,000 training images")
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}")
    if args.quick:
        run(train=2_000, test=1_000, threads=args.threads)
    else:
        run(threads=args.threads)


if __name__ == "__main__":
    main()
