"""One training step of `ember train gtsrb-cnn`'s network (3 conv-BN-ReLU-pool stages, linear
256 with batch norm, dropout; Adam) in ember and in PyTorch, same process and initial weights.

    .venv/bin/python bench/bench_gtsrb_cnn.py [--batch 64] [--repeats 20] [--threads 2]

Prints each framework's best per-step median (and fastest step) and the ember / torch ratio. The
images are random: the step's time does not depend on what the pixels show.
"""

from __future__ import annotations

import argparse

import numpy as np

import ember
import ember.nn.functional as F
from _common import cpu_model, interleaved_ms
from ember import optim
from ember.cli.recipes.gtsrb import GTSRB_CNN, build_gtsrb_cnn


def torch_twin(arch: dict):  # type: ignore[no-untyped-def, type-arg]
    """The same network in PyTorch, layer for layer (so the state-dict keys match)."""
    import torch.nn as tnn

    layers = []
    channels = [3, *arch["channels"]]
    for fan_in, fan_out in zip(channels, channels[1:]):
        layers += [tnn.Conv2d(fan_in, fan_out, 3, padding=1, bias=False),
                   tnn.BatchNorm2d(fan_out), tnn.ReLU(), tnn.MaxPool2d(2)]
    side = arch["size"] // 2 ** (len(channels) - 1)
    layers += [tnn.Flatten(), tnn.Dropout(arch["dropout"]),
               tnn.Linear(channels[-1] * side * side, arch["hidden"], bias=False),
               tnn.BatchNorm1d(arch["hidden"]), tnn.ReLU(), tnn.Dropout(arch["dropout"]),
               tnn.Linear(arch["hidden"], arch["classes"])]
    return tnn.Sequential(*layers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=GTSRB_CNN.batch_size)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}")
    import torch

    torch.set_num_threads(args.threads)
    arch = GTSRB_CNN.architecture
    rng = np.random.default_rng(0)
    images = rng.standard_normal((args.batch, 3, arch["size"], arch["size"]), dtype=np.float32)
    labels = rng.integers(0, arch["classes"], args.batch)
    ember.manual_seed(0)
    model = build_gtsrb_cnn(arch)
    reference = torch_twin(arch)
    reference.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                               for k, v in model.state_dict().items()})
    ember_opt = optim.Adam(model.parameters(), lr=1e-3)
    torch_opt = torch.optim.Adam(reference.parameters(), lr=1e-3)
    x, y = ember.tensor(images), ember.tensor(labels)
    tx, ty = torch.from_numpy(images), torch.from_numpy(labels)

    def ember_step() -> None:
        ember_opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        ember_opt.step()

    def torch_step() -> None:
        torch_opt.zero_grad()
        torch.nn.functional.cross_entropy(reference(tx), ty).backward()
        torch_opt.step()

    times = interleaved_ms({"ember": ember_step, "torch": torch_step}, args.repeats)
    (ember_ms, ember_min), (torch_ms, torch_min) = times["ember"], times["torch"]
    print(f"ember training step (batch {args.batch}): median {ember_ms:.1f} ms, fastest "
          f"{ember_min:.1f} ms")
    print(f"torch training step (batch {args.batch}, {args.threads} threads): median "
          f"{torch_ms:.1f} ms, fastest {torch_min:.1f} ms")
    print(f"ratio ember / torch: {ember_ms / torch_ms:.2f} (medians), "
          f"{ember_min / torch_min:.2f} (fastest steps)")


if __name__ == "__main__":
    main()
