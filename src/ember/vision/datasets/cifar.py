"""CIFAR-10 and CIFAR-100 from their published Python batches, read without running code.

torchvision's layout: ``root/cifar-10-batches-py/data_batch_1..5, test_batch, batches.meta``
and ``root/cifar-100-python/train, test, meta``. ``download=True`` fetches the published
``.tar.gz`` into ``root`` (MD5-verified) and extracts just those files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ember.datasets._download import Resource, verify
from ember.datasets._errors import DatasetError
from ember.datasets._paths import data_dir
from ember.vision.datasets import _fetch
from ember.vision.datasets._arrays import ArrayImageDataset
from ember.vision.datasets._unpickle import load_plain_pickle


class CIFAR10(ArrayImageDataset):
    """CIFAR-10: 50,000 training or 10,000 test 32x32 colour images in 10 classes.

    Samples are ``(PIL image RGB 32x32, int)``; ``data`` is uint8 ``(N, 32, 32, 3)``,
    ``targets`` a list of ints, ``classes`` the names from the meta file.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    archive = Resource("cifar-10-python.tar.gz", md5=("c58f30108f718f92721af3b95e74349a",))
    train_list = [("data_batch_1", "c99cafc152244af753f735de768cd75f"),
                  ("data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"),
                  ("data_batch_3", "54ebc095f3ab1f0389bbae665268c751"),
                  ("data_batch_4", "634d18415352ddfa80567beed471001a"),
                  ("data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb")]
    test_list = [("test_batch", "40351d587109b95175f43aff81a1287e")]
    meta = {"filename": "batches.meta", "key": "label_names",
            "md5": "5ff9c542aee3614f3951f8cda6e48888"}
    labels_key = "labels"

    def __init__(self, root: str | os.PathLike[str] | None = None, train: bool = True,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None,
                 download: bool = False) -> None:
        super().__init__(root if root is not None else data_dir("cifar"),
                         transform=transform, target_transform=target_transform)
        self.train = train
        folder = Path(self.root) / self.base_folder  # type: ignore[arg-type]
        files = [name for name, _ in (self.train_list if train else self.test_list)]
        needed = [*files, self.meta["filename"]]
        if _fetch.first_folder_with([folder], needed) is None:
            if not download:
                raise _fetch.missing_error(
                    type(self).__name__, Path(self.root),  # type: ignore[arg-type]
                    [self.archive.filename + f" (or its {self.base_folder}/ folder)"],
                    [self.url])
            self._download(folder)
        self._set_arrays(*self._read_batches(folder, files))
        self.classes = list(load_plain_pickle(folder / self.meta["filename"])[self.meta["key"]])
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def _download(self, folder: Path) -> None:
        archive = Path(self.root) / self.archive.filename  # type: ignore[arg-type]
        if archive.is_file():
            verify(archive, self.archive)
        else:
            _fetch.download(type(self).__name__, archive.parent, [self.archive], [self.url])
        names = [name for name, _ in self.train_list + self.test_list] + [self.meta["filename"]]
        _fetch.extract_members(archive, names, folder)

    def _read_batches(self, folder: Path, files: list[str]) -> tuple[np.ndarray, np.ndarray]:
        images, labels = [], []
        for name in files:
            path = folder / name
            entry = load_plain_pickle(path)
            if not isinstance(entry, dict) or "data" not in entry or \
                    self.labels_key not in entry:
                raise DatasetError(f"{path}: expected a dict with 'data' and "
                                   f"'{self.labels_key}' (a CIFAR batch)")
            data = np.asarray(entry["data"])
            if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
                raise DatasetError(f"{path}: expected uint8 data of shape (N, 3072), got "
                                   f"{data.dtype} {data.shape}")
            if len(entry[self.labels_key]) != len(data):
                raise DatasetError(f"{path}: {len(entry[self.labels_key])} labels for "
                                   f"{len(data)} images")
            images.append(data)
            labels.extend(int(v) for v in entry[self.labels_key])
        stacked = np.vstack(images).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return np.ascontiguousarray(stacked), np.asarray(labels, dtype=np.int64)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100: as :class:`CIFAR10` with 100 fine classes (``fine_labels``)."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    archive = Resource("cifar-100-python.tar.gz", md5=("eb9058c3a382ffc7106e4002c42a8d85",))
    train_list = [("train", "16019d7e3df5f24257cddd939b257f8d")]
    test_list = [("test", "f0ef6b0ae62326f3e7ffdfab6717acfc")]
    meta = {"filename": "meta", "key": "fine_label_names",
            "md5": "7973b15100ade9c7d40fb424638fde48"}
    labels_key = "fine_labels"
