"""``VisionDataset``: what every ember.vision data set shares (root, transforms, repr)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ember.utils.data import Dataset


class VisionDataset(Dataset[tuple[Any, Any]]):
    """Base class as torchvision's: ``root``, ``transform`` (applied to the image),
    ``target_transform`` (to the target) or ``transforms`` (to both at once, exclusive with the
    other two)."""

    _repr_indent = 4

    def __init__(self, root: str | os.PathLike[str] | None = None,
                 transforms: Callable[[Any, Any], tuple[Any, Any]] | None = None,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None) -> None:
        self.root = None if root is None else os.path.expanduser(str(root)) \
            if isinstance(root, (str, Path)) else root
        if transforms is not None and (transform is not None or target_transform is not None):
            raise ValueError("Only transforms or transform/target_transform can be passed as "
                             "argument")
        self.transform = transform
        self.target_transform = target_transform
        self.transforms = transforms

    def _apply(self, image: Any, target: Any) -> tuple[Any, Any]:
        if self.transforms is not None:
            return self.transforms(image, target)
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            lines.append(f"Root location: {self.root}")
        lines += [line for line in self.extra_repr().splitlines() if line]
        for name in ("transform", "target_transform", "transforms"):
            value = getattr(self, name)
            if value is not None:
                lines.append(f"{name}: {value!r}".replace("\n", "\n" + " " * self._repr_indent))
        body = "\n".join(" " * self._repr_indent + line for line in lines)
        return f"Dataset {type(self).__name__}\n{body}"
