"""Forward+backward time of the seed MNIST CNN in ember vs PyTorch (CPU), same process and weights.

    .venv/bin/python bench/bench_cnn_layers.py [--batch 64] [--repeats 20] [--threads 2]

Prints each framework's best per-step median (and fastest step) and the ember / torch ratio.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import ember
import ember.nn.functional as F
from _common import cpu_model, interleaved_ms

# The benchmarked network is the example's, so the two can't drift apart.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from torch_mnist_cnn import Net  # noqa: E402


def torch_net():  # type: ignore[no-untyped-def]
    import torch
    import torch.nn as tnn
    import torch.nn.functional as TF

    class TorchNet(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = tnn.Conv2d(1, 32, 3, 1)
            self.conv2 = tnn.Conv2d(32, 64, 3, 1)
            self.dropout1 = tnn.Dropout(0.25)
            self.dropout2 = tnn.Dropout(0.5)
            self.fc1 = tnn.Linear(9216, 128)
            self.fc2 = tnn.Linear(128, 10)

        def forward(self, x):  # type: ignore[no-untyped-def]
            x = TF.relu(self.conv1(x))
            x = TF.relu(self.conv2(x))
            x = TF.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = TF.relu(self.fc1(x))
            x = self.dropout2(x)
            return TF.log_softmax(self.fc2(x), dim=1)

    return TorchNet()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}")

    rng = np.random.default_rng(0)
    images = rng.standard_normal((args.batch, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, args.batch)
    ember.manual_seed(0)
    model = Net()
    x, y = ember.tensor(images), ember.tensor(labels)

    def ember_step() -> None:
        model.zero_grad()
        F.nll_loss(model(x), y).backward()

    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(args.threads)
        reference = torch_net()
        reference.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                                   for k, v in model.state_dict().items()})
        tx, ty = torch.from_numpy(images), torch.from_numpy(labels)

        def torch_step() -> None:
            reference.zero_grad()
            torch.nn.functional.nll_loss(reference(tx), ty).backward()

    # Interleaved, so that machine noise hits both alike; the best block's median and, for a
    # busy machine, the fastest single step.
    steps = {"ember": ember_step} if torch is None else {"ember": ember_step, "torch": torch_step}
    times = interleaved_ms(steps, args.repeats)
    ember_ms, ember_min = times["ember"]
    print(f"ember forward+backward (N={args.batch}): median {ember_ms:.1f} ms, "
          f"fastest {ember_min:.1f} ms")
    if torch is not None:
        torch_ms, torch_min = times["torch"]
        print(f"torch forward+backward (N={args.batch}, {args.threads} threads): median "
              f"{torch_ms:.1f} ms, fastest {torch_min:.1f} ms")
        print(f"ratio ember / torch: {ember_ms / torch_ms:.2f} (medians), "
              f"{ember_min / torch_min:.2f} (fastest steps)")

if __name__ == "__main__":
    main()
