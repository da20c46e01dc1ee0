"""MNIST, Fashion-MNIST, KMNIST and EMNIST from their IDX files, as torchvision's.

Files are looked for in ``root/<ClassName>/raw/`` (torchvision's layout), then
``root/<ClassName>/`` and ``root/`` itself, each plain or gzipped; ``download=True`` fetches
missing ones into ``root/<ClassName>/raw/``, checksum-verified.
"""

from __future__ import annotations

import os
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ember.datasets._download import Resource
from ember.datasets._errors import DatasetError
from ember.datasets._paths import data_dir
from ember.datasets.mnist import (
    FASHION_MNIST_MIRRORS,
    FASHION_MNIST_RESOURCES,
    MNIST_MIRRORS,
    MNIST_RESOURCES,
)
from ember.tensor import Tensor
from ember.vision.datasets import _fetch
from ember.vision.datasets._arrays import ArrayImageDataset


class MNIST(ArrayImageDataset):
    """MNIST's 60,000 training or 10,000 test digits: samples ``(PIL image "L" 28x28, int)``.

    ``data``: uint8 Tensor ``(N, 28, 28)``; ``targets``: int64 Tensor ``(N,)``.
    """

    mirrors: tuple[str, ...] = MNIST_MIRRORS
    resources: tuple[Resource, ...] = MNIST_RESOURCES
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    _mode = "L"

    def __init__(self, root: str | os.PathLike[str] | None = None, train: bool = True,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None,
                 download: bool = False) -> None:
        super().__init__(root if root is not None else data_dir(self._default_name()),
                         transform=transform, target_transform=target_transform)
        self.train = train
        images_file, labels_file = self._file_names()
        folder = self._folder([images_file, labels_file], download)
        self._set_arrays(*self._read(folder, images_file, labels_file))

    @classmethod
    def _default_name(cls) -> str:
        return {"MNIST": "mnist", "FashionMNIST": "fashion_mnist"}.get(cls.__name__,
                                                                      cls.__name__.lower())

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "raw")  # type: ignore[arg-type]

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    @property
    def data(self) -> Tensor:
        return Tensor._wrap(self._images)

    @property
    def targets(self) -> Tensor:
        return Tensor._wrap(self._labels)

    def _file_names(self) -> tuple[str, str]:
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"

    def _folder(self, names: list[str], download: bool) -> Path:
        root = Path(self.root)  # type: ignore[arg-type]
        raw = Path(self.raw_folder)
        found = _fetch.first_folder_with([raw, raw.parent, root], names)
        if found is not None:
            return found
        if not download:
            raise _fetch.missing_error(type(self).__name__, raw, names, self.mirrors)
        self._download(raw, names)
        return raw

    def _download(self, raw: Path, names: list[str]) -> None:
        wanted = [r for r in self.resources if r.filename in names and
                  _fetch.find(raw, r.filename) is None]
        _fetch.download(type(self).__name__, raw, wanted, self.mirrors)

    def _read(self, folder: Path, images_file: str, labels_file: str
              ) -> tuple[np.ndarray, np.ndarray]:
        from ember.datasets.idx import read_idx

        images_path = _fetch.find(folder, images_file)
        labels_path = _fetch.find(folder, labels_file)
        assert images_path is not None and labels_path is not None
        images = read_idx(images_path, ndim=3)
        labels = read_idx(labels_path, ndim=1)
        if len(images) != len(labels):
            raise DatasetError(f"{labels_path}: {len(labels)} labels for {len(images)} images "
                               f"in {images_path.name}")
        return images.astype(np.uint8, copy=False), labels.astype(np.int64)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST, laid out as MNIST."""

    mirrors = FASHION_MNIST_MIRRORS
    resources = FASHION_MNIST_RESOURCES
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST (cursive Japanese characters), laid out as MNIST."""

    mirrors = ("http://codh.rois.ac.jp/kmnist/dataset/kmnist/",)
    resources = (  # MD5s as published with the data set
        Resource("train-images-idx3-ubyte.gz", md5=("bdb82020997e1d708af4cf47b453dcf7",)),
        Resource("train-labels-idx1-ubyte.gz", md5=("e144d726b3acfaa3e44228e80efcd344",)),
        Resource("t10k-images-idx3-ubyte.gz", md5=("5c965bf0a639b31b8f53240b1b52f4d7",)),
        Resource("t10k-labels-idx1-ubyte.gz", md5=("7320c461ea6c1c855c0b718fb2a4b134",)),
    )
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


_EMNIST_MERGED = set("cijklmopsuvwxyz")
_EMNIST_ALL = sorted(set(string.digits + string.ascii_letters))


class EMNIST(MNIST):
    """EMNIST's ``split`` (byclass, bymerge, balanced, letters, digits, mnist), from the
    ``emnist-<split>-<train|test>-*-idx?-ubyte`` files of NIST's ``gzip.zip``. The images are
    stored transposed, as published (and as torchvision returns them)."""

    mirrors = ("https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip",)
    archive = Resource("gzip.zip", md5=("58c8d27c78d21e728a6bc7b3cc06412e",))
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    classes_split_dict = {
        "byclass": _EMNIST_ALL,
        "bymerge": sorted(set(_EMNIST_ALL) - _EMNIST_MERGED),
        "balanced": sorted(set(_EMNIST_ALL) - _EMNIST_MERGED),
        "letters": ["N/A", *string.ascii_lowercase],
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root: str | os.PathLike[str] | None, split: str, **kwargs: Any) -> None:
        if split not in self.splits:
            raise ValueError(f"Unknown value '{split}' for argument split. Valid values are "
                             f"{{{', '.join(repr(s) for s in self.splits)}}}.")
        self.split = split
        self.classes = self.classes_split_dict[split]
        super().__init__(root, **kwargs)

    def _file_names(self) -> tuple[str, str]:
        prefix = f"emnist-{self.split}-{'train' if self.train else 'test'}"
        return f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"

    def _download(self, raw: Path, names: list[str]) -> None:
        archive = raw / self.archive.filename
        if not archive.is_file():
            _fetch.download("EMNIST", raw, [self.archive], self.mirrors)
        _fetch.extract_members(archive, names, raw)
