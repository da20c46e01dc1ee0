"""SVHN (Street View House Numbers) from its published ``.mat`` files, read with SciPy."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ember.datasets._download import Resource
from ember.datasets._errors import DatasetError, one_line
from ember.datasets._paths import data_dir
from ember.vision.datasets import _fetch
from ember.vision.datasets._arrays import ArrayImageDataset

_URL = "http://ufldl.stanford.edu/housenumbers/"


class SVHN(ArrayImageDataset):
    """SVHN's ``split`` (``train``, ``test`` or ``extra``) from ``root/<split>_32x32.mat``.

    Samples are ``(PIL image RGB 32x32, int)``; the digit 0, stored as label 10, is 0 here
    (as in torchvision). ``data`` is uint8 ``(N, 3, 32, 32)``, ``labels`` int64 ``(N,)``.
    Reading ``.mat`` files needs SciPy (``pip install scipy``).
    """

    split_list = {
        "train": Resource("train_32x32.mat", md5=("e26dedcc434d2e4c54c9b2d4a06d8373",)),
        "test": Resource("test_32x32.mat", md5=("eb5a983be6a315427106f1b164d9cef3",)),
        "extra": Resource("extra_32x32.mat", md5=("a93ce644f1a588dc4d68dda5feec44a7",)),
    }
    classes = [str(digit) for digit in range(10)]

    def __init__(self, root: str | os.PathLike[str] | None = None, split: str = "train",
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None,
                 download: bool = False) -> None:
        if split not in self.split_list:
            raise ValueError(f"Unknown value '{split}' for argument split. Valid values are "
                             f"{{{', '.join(repr(s) for s in self.split_list)}}}.")
        super().__init__(root if root is not None else data_dir("svhn"),
                         transform=transform, target_transform=target_transform)
        self.split = split
        resource = self.split_list[split]
        path = Path(self.root) / resource.filename  # type: ignore[arg-type]
        if not path.is_file():
            if not download:
                raise _fetch.missing_error("SVHN", path.parent, [resource.filename],
                                           [_URL + resource.filename])
            _fetch.download("SVHN", path.parent, [resource], [_URL])
        self._set_arrays(*self._read(path))

    @staticmethod
    def _read(path: Path) -> tuple[np.ndarray, np.ndarray]:
        try:
            from scipy import io as sio
        except ImportError:
            raise DatasetError(f"{path}: reading SVHN's .mat files needs SciPy: "
                               "pip install scipy") from None
        try:
            mat = sio.loadmat(str(path))
        except Exception as exc:  # SciPy raises many types for a bad file
            raise DatasetError(f"{path}: not a readable .mat file ({one_line(exc)})") from None
        if "X" not in mat or "y" not in mat:
            raise DatasetError(f"{path}: expected variables X and y (an SVHN file)")
        x, y = np.asarray(mat["X"]), np.asarray(mat["y"]).astype(np.int64).reshape(-1)
        if x.ndim != 4 or x.shape[2] != 3 or x.shape[3] != len(y) or x.dtype != np.uint8:
            raise DatasetError(f"{path}: expected uint8 X of shape (32, 32, 3, N) for {len(y)} "
                               f"labels, got {x.dtype} {x.shape}")
        y[y == 10] = 0
        return np.ascontiguousarray(x.transpose(3, 0, 1, 2)), y

    @property
    def data(self) -> np.ndarray:
        return self._images.transpose(0, 3, 1, 2)

    @property
    def labels(self) -> np.ndarray:
        return self._labels

    def extra_repr(self) -> str:
        return f"Split: {self.split}"
