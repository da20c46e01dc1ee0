"""Finding and loading each recipe's data, with the splits the recipes validate on.

Every loader logs what it uses (folders, counts, shapes) and returns raw arrays; recipes
apply their own preprocessing. Problems surface as ``DatasetError`` with a one-line message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ember.cli.log import log
from ember.datasets import DatasetError

GTSRB_VAL_FRACTION = 0.2
MNIST_VAL_FRACTION = 0.1  # the last 6,000 of the 60,000 training images


@dataclass
class Source:
    """Where the user pointed us: ``--data-dir`` (a folder holding mnist/ or gtsrb/, or the
    data set's own folder) or ``--imdir`` (GTSRB image folder), or neither (the loaders' default
    lookup: ``$EMBER_DATA`` or the user cache)."""

    data_dir: str | None = None
    imdir: str | None = None
    size: int | None = None  # image-folder: --size (square side to train at)
    val_dir: str | None = None  # image-folder: --val-dir (validation class folders)
    file: str | None = None  # csv: --file
    target: str | None = None  # csv: --target (the column to predict)


def source_from_args(args: Any) -> Source:
    """The data options of an ``ember train``/``evaluate`` command line (absent ones None)."""
    return Source(*(getattr(args, name, None) for name in
                    ("data_dir", "imdir", "size", "val_dir", "file", "target")))


@dataclass
class Split:
    """Raw arrays of one run: training, validation and (MNIST) the official test set."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    class_names: list[str]
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    architecture: dict[str, Any] | None = None  # what the data decides (classes, input size)


def _existing_folder(path: str, option: str) -> Path:
    folder = Path(path).expanduser()
    if not folder.exists():
        raise DatasetError(f"{folder}: no such folder (given as {option})")
    if not folder.is_dir():
        raise DatasetError(f"{folder}: is not a folder (given as {option})")
    if not any(folder.iterdir()):
        raise DatasetError(f"{folder}: the folder is empty (given as {option})")
    return folder


def _dataset_root(source: Source, name: str) -> Path | None:
    """The folder to hand to the loader, or None for its default lookup."""
    if source.imdir is not None:
        if name != "gtsrb":
            raise DatasetError(f"{source.imdir}: --imdir is for GTSRB image folders; "
                               f"use --data-dir for {name}")
        return _existing_folder(source.imdir, "--imdir")
    if source.data_dir is not None:
        folder = _existing_folder(source.data_dir, "--data-dir")
        inner = folder / name
        return _existing_folder(str(inner), "--data-dir") if inner.is_dir() else folder
    return None


def _log_arrays(what: str, x: np.ndarray, y: np.ndarray) -> None:
    log.info("%s: %d samples, x %s %s, %d classes present", what, len(x), tuple(x.shape),
             x.dtype, len(np.unique(y)))


def load_mnist_arrays(source: Source) -> tuple[tuple[np.ndarray, np.ndarray],
                                               tuple[np.ndarray, np.ndarray]]:
    """MNIST's training and test arrays from the folder the user named (never downloading
    when a folder was named)."""
    from ember.datasets import load_mnist

    root = _dataset_root(source, "mnist")
    where = root if root is not None else "the default location ($EMBER_DATA/mnist or cache)"
    log.info("MNIST: reading IDX files from %s", where)
    return load_mnist(root, download=root is None)


def mnist_split(source: Source) -> Split:
    """MNIST: train on the first 54,000, validate on the last 6,000, test on the official 10,000."""
    (x, y), (x_test, y_test) = load_mnist_arrays(source)
    cut = len(x) - max(1, round(MNIST_VAL_FRACTION * len(x)))
    split = Split(x[:cut], y[:cut].astype(np.int64), x[cut:], y[cut:].astype(np.int64),
                  [str(d) for d in range(10)], x_test, y_test.astype(np.int64))
    _log_arrays("MNIST training", split.x_train, split.y_train)
    _log_arrays("MNIST validation (last 10% of training)", split.x_val, split.y_val)
    _log_arrays("MNIST test", x_test, y_test)
    return split


def _gtsrb_layout(root: Path) -> tuple[bool, bool]:
    """(has training images, has test images) in a folder given on the command line."""
    test = any((root / name).is_dir() for name in ("Final_Test", "GTSRB/Final_Test")) or \
        root.name == "Final_Test" or (root.name == "Images" and root.parent.name == "Final_Test") \
        or (root / "GT-final_test.csv").is_file()
    train = any((root / name).is_dir() for name in ("Final_Training", "GTSRB/Final_Training")) \
        or any(p.is_dir() and p.name.isdigit() for p in root.iterdir())
    return train, test


def load_gtsrb_folder(source: Source, size: int, prefer_test: bool = False
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GTSRB images under the named folder: ``(x, y, tracks)``.

    A ``Final_Training/Images`` layout (class folders) or a ``Final_Test/Images`` one; where
    a folder holds both, the test images when ``prefer_test`` (evaluation), else the training
    ones. Training refuses a folder holding only test images (they have no tracks to split).
    """
    from ember.datasets import load_gtsrb

    root = _dataset_root(source, "gtsrb")
    split = "train"
    if root is not None:
        has_train, has_test = _gtsrb_layout(root)
        if has_test and (prefer_test or not has_train):
            split = "test"
        if split == "test" and not prefer_test:
            raise DatasetError(f"{root}: holds GTSRB's Final_Test images only; training needs "
                               "the Final_Training/Images folder (class folders 000NN/)")
    where = root if root is not None else "the default location ($EMBER_DATA/gtsrb or cache)"
    log.info("GTSRB: reading the %s images under %s at %dx%d", split, where, size, size)
    images = load_gtsrb(root, split, size=size)
    _log_arrays(f"GTSRB {split} images", images.x, images.y)
    return images.x, images.y, images.tracks


def gtsrb_split(source: Source, size: int, seed: int) -> Split:
    """GTSRB: whole tracks split per class, 80% training and 20% validation."""
    from ember.datasets import GTSRB_CLASSES, split_by_track

    x, y, tracks = load_gtsrb_folder(source, size)
    if int(y.max()) >= len(GTSRB_CLASSES) or int(y.min()) < 0:
        raise DatasetError(f"GTSRB: class id {int(y.max())} is out of range "
                           f"0..{len(GTSRB_CLASSES) - 1}")
    train_idx, val_idx = split_by_track(tracks, GTSRB_VAL_FRACTION, seed=seed, labels=y)
    split = Split(x[train_idx], y[train_idx], x[val_idx], y[val_idx], list(GTSRB_CLASSES))
    log.info("GTSRB: track-separated split (seed %d): %d tracks for training, %d for validation",
             seed, len(np.unique(tracks[train_idx])), len(np.unique(tracks[val_idx])))
    _log_arrays("GTSRB training", split.x_train, split.y_train)
    _log_arrays("GTSRB validation", split.x_val, split.y_val)
    return split


def toy_split(name: str, seed: int, val_fraction: float = 0.1) -> Split:
    """Iris or digits from scikit-learn, with a stratified, seeded held-out ``val_fraction``."""
    from ember.datasets import load_digits, load_iris, train_val_test_split

    data = load_iris() if name == "iris" else load_digits()
    log.info("%s: %d samples from scikit-learn, x %s, %d classes", name, len(data.x),
             tuple(data.x.shape), len(data.class_names))
    x_train, x_val, _, y_train, y_val, _ = train_val_test_split(
        data.x, data.y, ratios=(1 - val_fraction, val_fraction, 0.0), stratify=data.y, seed=seed)
    log.info("%s: %d for training, %d held out for validation (stratified, seed %d)", name,
             len(x_train), len(x_val), seed)
    return Split(x_train, y_train, x_val, y_val, list(data.class_names))


def describe_source(source: Source) -> str:
    """The folder a run read, for metrics.json."""
    return source.imdir or source.data_dir or os.environ.get("EMBER_DATA", "") or "(default)"
