"""PyTorch-style ``Dataset`` classes over the loaders: ``MNIST``, ``FashionMNIST``, ``GTSRB``.

A sample is ``(image, target)``: the image a uint8 NumPy array (MNIST ``(28, 28)``, GTSRB
``(size, size, 3)``) unless ``transform`` maps it, the target a Python int unless
``target_transform`` maps it. Without transforms, a ``DataLoader`` gathers whole batches
in one indexing step.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

import ember
from ember.datasets.gtsrb import load_gtsrb
from ember.datasets.gtsrb_classes import GTSRB_CLASSES
from ember.datasets.mnist import FASHION_MNIST_CLASSES, load_fashion_mnist, load_mnist
from ember.tensor import Tensor
from ember.utils.data import Dataset


class _ArrayImageDataset(Dataset[tuple[Any, Any]]):
    """Images and integer targets held in two arrays, with optional transforms."""

    classes: tuple[str, ...] = ()

    def __init__(
        self,
        data: np.ndarray,
        targets: np.ndarray,
        transform: Callable[[np.ndarray], Any] | None,
        target_transform: Callable[[int], Any] | None,
    ) -> None:
        self.data = data
        self.targets = targets.astype(np.int64)
        self.transform = transform
        self.target_transform = target_transform
        if transform is None and target_transform is None:
            self._gather = self._gather_arrays

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image, target = self.data[index], int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def _gather_arrays(self, indices: np.ndarray) -> list[Tensor]:
        return [ember.from_numpy(self.data[indices]), ember.from_numpy(self.targets[indices])]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(samples={len(self)}, image_shape={self.data.shape[1:]})"


class MNIST(_ArrayImageDataset):
    """MNIST's training (60,000) or test (10,000) digits; see :func:`load_mnist` for ``root``."""

    classes = tuple(str(digit) for digit in range(10))

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        train: bool = True,
        transform: Callable[[np.ndarray], Any] | None = None,
        target_transform: Callable[[int], Any] | None = None,
        download: bool = True,
    ) -> None:
        train_split, test_split = self._load(root, download)
        images, labels = train_split if train else test_split
        super().__init__(images, labels, transform, target_transform)

    @staticmethod
    def _load(root: str | os.PathLike[str] | None, download: bool) -> tuple[Any, Any]:
        return load_mnist(root, download=download)


class FashionMNIST(MNIST):
    """Fashion-MNIST, laid out as :class:`MNIST`; see :func:`load_fashion_mnist`."""

    classes = FASHION_MNIST_CLASSES

    @staticmethod
    def _load(root: str | os.PathLike[str] | None, download: bool) -> tuple[Any, Any]:
        return load_fashion_mnist(root, download=download)


class GTSRB(_ArrayImageDataset):
    """GTSRB's ``"train"`` or ``"test"`` split as a Dataset; see :func:`load_gtsrb`.

    ``tracks`` holds each sample's track id, for :func:`split_by_track`.
    """

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        split: str = "train",
        transform: Callable[[np.ndarray], Any] | None = None,
        target_transform: Callable[[int], Any] | None = None,
        **load_options: Any,
    ) -> None:
        self.classes = GTSRB_CLASSES
        images, labels, self.tracks = load_gtsrb(root, split, **load_options)
        super().__init__(images, labels, transform, target_transform)
