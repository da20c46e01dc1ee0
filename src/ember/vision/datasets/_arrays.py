"""Data sets held as one uint8 image array in memory (MNIST, CIFAR, SVHN): PIL samples as
torchvision's, and a whole-batch path for a DataLoader when the transforms allow one."""

from __future__ import annotations

from typing import Any

import numpy as np

import ember
from ember.tensor import Tensor
from ember.vision.datasets._base import VisionDataset


class ArrayImageDataset(VisionDataset):
    """``_images``: uint8 ``(N, H, W)`` or ``(N, H, W, C)``; ``_labels``: int64 ``(N,)``.

    A sample is ``(PIL image, int)`` mapped by the transforms. When the transform chain can
    work on whole batches (``transforms.batch_transform``), a DataLoader gathers a batch with
    one indexing step and transforms it at once; the result equals stacking the samples.
    """

    _images: np.ndarray
    _labels: np.ndarray
    _mode: str | None = None  # PIL mode of a sample: "L" for one channel, None to infer

    def _set_arrays(self, images: np.ndarray, labels: np.ndarray) -> None:
        self._images = images
        self._labels = np.asarray(labels, dtype=np.int64)

    @property
    def data(self) -> Any:
        return self._images

    @property
    def targets(self) -> Any:
        return self._labels.tolist()

    def __len__(self) -> int:
        return len(self._labels)

    def _image(self, index: int) -> Any:
        from PIL import Image

        return Image.fromarray(self._images[index], mode=self._mode)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self._apply(self._image(index), int(self._labels[index]))

    def __getattr__(self, name: str) -> Any:
        if name == "_gather":  # a DataLoader asks; present only when the transforms allow it
            batch = self._batch_transform()
            if batch is not None:
                return lambda indices: self._gather_batch(indices, batch)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _batch_transform(self) -> Any:
        from ember.vision.transforms import batch_transform

        if self.transforms is not None or self.target_transform is not None:
            return None
        return batch_transform(self.transform)

    def _gather_batch(self, indices: np.ndarray, batch: Any) -> list[Tensor]:
        images = self._images[indices]
        if images.ndim == 3:
            images = images[..., None]
        return [batch(images), ember.from_numpy(self._labels[indices])]
