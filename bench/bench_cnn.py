"""The seed MNIST CNN trained with Adam (batch 64): seconds per 10,000 real training images,
ember against PyTorch on the CPU in one process, from the same initial weights.

    EMBER_DATA=../shared/data python bench/bench_cnn.py [--images 10000] [--rounds 2]

The network (conv 1->32 3x3, conv 32->64 3x3, max-pool 2, dropout 0.25, linear 9216->128,
dropout 0.5, linear 128->10, log_softmax + nll) is the one in bench_cnn_layers.py.
"""

from __future__ import annotations

import argparse

import numpy as np

import ember
import ember.nn.functional as F
from _common import best_of, cpu_model
from bench_cnn_layers import Net, torch_net
from ember import optim
from ember.datasets import load_mnist


def mnist_images(count: int) -> tuple[np.ndarray, np.ndarray]:
    (x_train, y_train), _ = load_mnist()
    x = ((x_train[:count] / 255.0 - 0.1307) / 0.3081).astype(np.float32)[:, None]
    return x, y_train[:count].astype(np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}")
    import torch

    torch.set_num_threads(args.threads)
    x, y = mnist_images(args.images)
    batches = [(x[i:i + 64], y[i:i + 64]) for i in range(0, len(x), 64)]

    ember.manual_seed(0)
    model = Net()
    reference = torch_net()
    reference.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                               for k, v in model.state_dict().items()})
    ember_opt = optim.Adam(model.parameters(), lr=1e-3)
    torch_opt = torch.optim.Adam(reference.parameters(), lr=1e-3)

    def ember_pass() -> None:
        for xb, yb in batches:
            ember_opt.zero_grad()
            F.nll_loss(model(ember.from_numpy(xb)), ember.from_numpy(yb)).backward()
            ember_opt.step()

    def torch_pass() -> None:
        for xb, yb in batches:
            torch_opt.zero_grad()
            torch.nn.functional.nll_loss(reference(torch.from_numpy(xb)),
                                         torch.from_numpy(yb)).backward()
            torch_opt.step()

    ember_s = torch_s = float("inf")
    for _ in range(args.rounds):  # alternate, so machine noise hits both alike
        ember_s = min(ember_s, best_of(1, ember_pass))
        torch_s = min(torch_s, best_of(1, torch_pass))
    scale = 10_000 / args.images
    print(f"ember  {ember_s * scale:6.1f} s per 10,000 images")
    print(f"torch  {torch_s * scale:6.1f} s per 10,000 images ({args.threads} threads)")
    print(f"ratio ember/torch: {ember_s / torch_s:.2f}x")


if __name__ == "__main__":
    main()
