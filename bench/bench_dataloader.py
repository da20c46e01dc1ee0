"""Data loading speed: ember.vision datasets and transforms through a DataLoader.

1. Images decoded from files (GTSRB's Final_Training/Images, an ImageFolder) with
   Resize(32), ToTensor, Normalize: images per second with 0 and N worker processes, against
   torchvision's ImageFolder in PyTorch's DataLoader with the same workers when installed.
2. MNIST with ToTensor and Normalize (and with random crops and flips before them): the
   per-image path against the batch path ember takes when the transforms allow it (one gather
   and one vectorised transform per batch, the same random draws), against torchvision's
   per-image MNIST.

Each figure is the best of ``--rounds`` passes over ``--images`` images, batch 64.

    EMBER_DATA=../shared/data python bench/bench_dataloader.py --workers 2
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from _common import cpu_model
from ember.utils.data import DataLoader, Subset
from ember.vision import datasets, transforms

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "vision"))


def _torchvision() -> Any:
    """torchvision (see tests/vision/oracle.py for the stub its CPU import needs), or None."""
    try:
        import pytest  # noqa: F401 - the oracle helper skips through pytest
        from oracle import torchvision

        return torchvision()
    except BaseException:  # pytest's skip is a BaseException
        return None


def images_per_second(loader: Any, rounds: int) -> float:
    best = float("inf")
    count = 0
    for _ in range(rounds):
        start = time.perf_counter()
        count = sum(len(batch[1]) for batch in loader)
        best = min(best, time.perf_counter() - start)
    return count / best


def folder_bench(root: Path, images: int, workers: int, rounds: int, tv: Any) -> None:
    chain = [transforms.Resize((32, 32)), transforms.ToTensor(),
             transforms.Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))]
    folder = datasets.ImageFolder(root, transform=transforms.Compose(chain))
    step = max(1, len(folder) // images)
    subset = Subset(folder, list(range(0, len(folder), step))[:images])
    print(f"ImageFolder {root} ({len(subset)} of {len(folder)} images), Resize(32) + ToTensor "
          "+ Normalize, batch 64:")
    for n in sorted({0, workers}):
        rate = images_per_second(DataLoader(subset, batch_size=64, num_workers=n), rounds)
        print(f"  ember num_workers={n}: {rate:8.0f} images/s")
        if n == 0:
            base = rate
        else:
            print(f"  speed-up with {n} workers: {rate / base:.2f}x")
    if tv is not None:
        import torch

        tt = tv.transforms
        theirs = tv.datasets.ImageFolder(str(root), transform=tt.Compose(
            [tt.Resize((32, 32)), tt.ToTensor(), tt.Normalize((0.5,) * 3, (0.25,) * 3)]))
        their_subset = torch.utils.data.Subset(theirs, subset.indices)
        for n in sorted({0, workers}):
            loader = torch.utils.data.DataLoader(their_subset, batch_size=64, num_workers=n)
            print(f"  PyTorch num_workers={n}: {images_per_second(loader, rounds):8.0f} images/s")


def mnist_bench(images: int, rounds: int, tv: Any) -> None:
    normalize = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.1307,), (0.3081,))])
    per_image = transforms.Compose([*normalize.transforms, transforms.Lambda(lambda t: t)])
    root = Path(os.environ.get("EMBER_DATA", "")) / "mnist"
    fast = Subset(datasets.MNIST(root, transform=normalize), range(images))
    slow = Subset(datasets.MNIST(root, transform=per_image), range(images))
    print(f"MNIST ({images} images), ToTensor + Normalize, batch 64:")
    batched = images_per_second(DataLoader(fast, batch_size=64), rounds)
    single = images_per_second(DataLoader(slow, batch_size=64), rounds)
    print(f"  ember per image:  {single:10.0f} images/s")
    print(f"  ember batch path: {batched:10.0f} images/s ({batched / single:.0f}x)")
    augment = [transforms.RandomCrop(28, padding=2), transforms.RandomHorizontalFlip(),
               *normalize.transforms]
    fast = Subset(datasets.MNIST(root, transform=transforms.Compose(augment)), range(images))
    slow = Subset(datasets.MNIST(root, transform=transforms.Compose(
        [*augment, transforms.Lambda(lambda t: t)])), range(images))
    batched = images_per_second(DataLoader(fast, batch_size=64, shuffle=True), rounds)
    single = images_per_second(DataLoader(slow, batch_size=64, shuffle=True), rounds)
    print("MNIST with RandomCrop(28, padding=2) + RandomHorizontalFlip first (same draws):")
    print(f"  ember per image:  {single:10.0f} images/s")
    print(f"  ember batch path: {batched:10.0f} images/s ({batched / single:.0f}x)")
    if tv is not None:
        import shutil
        import tempfile

        import torch

        with tempfile.TemporaryDirectory() as tmp:  # torchvision wants MNIST/raw/ unzipped
            raw = Path(tmp) / "MNIST" / "raw"
            raw.mkdir(parents=True)
            for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
                import gzip

                with gzip.open(root / f"{name}.gz") as src, open(raw / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            tt = tv.transforms
            theirs = tv.datasets.MNIST(tmp, transform=tt.Compose(
                [tt.ToTensor(), tt.Normalize((0.1307,), (0.3081,))]))
            loader = torch.utils.data.DataLoader(torch.utils.data.Subset(theirs, range(images)),
                                                 batch_size=64)
            rate = images_per_second(loader, rounds)
            print(f"  PyTorch per image, ToTensor + Normalize: {rate:9.0f} images/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--images", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--imdir", default=str(Path(os.environ.get("EMBER_DATA", "")) / "gtsrb"
                                               / "Final_Training" / "Images"))
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}")
    tv = _torchvision()
    folder_bench(Path(args.imdir), args.images, args.workers, args.rounds, tv)
    mnist_bench(min(args.images * 5, 60000), args.rounds, tv)


if __name__ == "__main__":
    main()
