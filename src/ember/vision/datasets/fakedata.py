"""``FakeData``: random images with random labels, the same for the same index, for tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember.vision.datasets._base import VisionDataset


class FakeData(VisionDataset):
    """``size`` samples of random PIL images of ``image_size`` (C, H, W) and random targets
    in ``0..num_classes-1``; sample ``i`` is drawn from a generator seeded with
    ``i + random_offset``, so it is the same every time it is read."""

    def __init__(self, size: int = 1000, image_size: tuple[int, int, int] = (3, 224, 224),
                 num_classes: int = 10, transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None,
                 random_offset: int = 0) -> None:
        super().__init__(None, transform=transform, target_transform=target_transform)
        if len(image_size) != 3 or image_size[0] not in (1, 3, 4):
            raise ValueError(f"image_size should be (channels, height, width) with 1, 3 or 4 "
                             f"channels, got {image_size}")
        self.size = size
        self.num_classes = num_classes
        self.image_size = tuple(image_size)
        self.random_offset = random_offset

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        from ember.vision.transforms.functional import to_pil_image

        if not -self.size <= index < self.size:
            raise IndexError(f"{type(self).__name__} index out of range")
        index %= self.size
        rng = np.random.default_rng(index + self.random_offset)
        pixels = rng.standard_normal(self.image_size, dtype=np.float32)
        target = int(rng.integers(0, self.num_classes))
        image = to_pil_image(np.clip(pixels * 0.25 + 0.5, 0.0, 1.0).transpose(1, 2, 0))
        return self._apply(image, target)

    def __len__(self) -> int:
        return self.size
