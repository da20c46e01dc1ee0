"""GTSRB traffic signs as image files, as torchvision's ``GTSRB`` (original sizes, no crop)."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ember.datasets._errors import DatasetError
from ember.datasets._paths import data_dir
from ember.datasets.gtsrb import _split_folder, _test_entries, _training_entries
from ember.vision.datasets._base import VisionDataset
from ember.vision.datasets.folder import is_image_file, make_dataset, pil_loader


class GTSRB(VisionDataset):
    """GTSRB's ``"train"`` or ``"test"`` split: samples ``(PIL image RGB, class id)``.

    Reads torchvision's layout (``root/gtsrb/GTSRB/Training/000NN/*.ppm``,
    ``root/gtsrb/GTSRB/Final_Test/Images`` with ``root/gtsrb/GT-final_test.csv``) or the
    published one (``Final_Training/Images/000NN/`` with ``GT-000NN.csv`` files) under
    ``root``, ``root/gtsrb``, or ``$EMBER_DATA/gtsrb`` when ``root`` is None.
    """

    def __init__(self, root: str | os.PathLike[str] | None = None, split: str = "train",
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None,
                 download: bool = False) -> None:
        if split not in ("train", "test"):
            raise ValueError(f"Unknown value '{split}' for argument split. Valid values are "
                             "{'train', 'test'}.")
        super().__init__(root, transform=transform, target_transform=target_transform)
        self._split = split
        self._samples = self._find_samples(root, split)
        if download and not self._samples:
            raise DatasetError("GTSRB: download is not available; put the published "
                               "GTSRB_Final_Training_Images.zip contents under root")

    @staticmethod
    def _find_samples(root: str | os.PathLike[str] | None, split: str) -> list[tuple[str, int]]:
        if root is not None:
            base = Path(root).expanduser() / "gtsrb"
            target = base / "GTSRB" / ("Training" if split == "train" else "Final_Test/Images")
            if target.is_dir():
                if split == "train":
                    return make_dataset(target, extensions=(".ppm",))
                with open(base / "GT-final_test.csv", newline="") as handle:
                    rows = csv.DictReader(handle, delimiter=";", skipinitialspace=True)
                    return [(str(target / row["Filename"]), int(row["ClassId"])) for row in rows]
            if base.is_dir():
                root = base
        root_path = data_dir("gtsrb", root)
        folder = _split_folder(root_path, split)
        entries = _training_entries(folder) if split == "train" else \
            _test_entries(folder, root_path)
        if not entries:
            raise DatasetError(f"GTSRB: no images under {folder}")
        return [(entry.item.path, entry.label) for entry in entries
                if is_image_file(entry.item.path)]

    def __len__(self) -> int:
        return len(self._samples)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        path, target = self._samples[index]
        return self._apply(pil_loader(path), target)
