"""The German Traffic Sign Recognition Benchmark (GTSRB) from its published layout.

Training: ``Final_Training/Images/000NN/*.ppm`` with ``GT-000NN.csv`` in each class folder;
test: ``Final_Test/Images/*.ppm`` with ``GT-final_test.csv``. A bare folder of class
subfolders without CSVs also works (class id from the folder name). Decoded arrays are
cached in an ``.npz`` file, so only the first load decodes the images.
"""

from __future__ import annotations

import csv
import os
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ember.datasets import _npz_cache
from ember.datasets._errors import DatasetError, DatasetWarning, one_line
from ember.datasets._images import RESAMPLING, ImageItem, decode_images
from ember.datasets._paths import cache_dir as user_cache_dir
from ember.datasets._paths import data_dir, is_writable_dir
from ember.datasets.gtsrb_classes import GTSRB_CLASSES

_CACHE_VERSION = 1
_CSV_COLUMNS = ("Filename", "Width", "Height", "Roi.X1", "Roi.Y1", "Roi.X2", "Roi.Y2", "ClassId")
_ADVICE = (
    "put GTSRB's Final_Training/Images/000NN/*.ppm (and Final_Test/) there, "
    "or pass root=, or set EMBER_DATA to a folder holding gtsrb/"
)

__all__ = ["GTSRB_CLASSES", "ImageSet", "load_gtsrb"]


class ImageSet(NamedTuple):
    """Images with labels and group ids; unpacks as ``x, y, tracks = ...``."""

    x: np.ndarray  # (N, size, size, 3) uint8, HWC
    y: np.ndarray  # (N,) int64 class ids
    tracks: np.ndarray  # (N,) str track id '000NN_TTTTT' (test images: their file stem)


class _Entry(NamedTuple):
    item: ImageItem
    label: int
    track: str


def _entries_from_csv(csv_path: Path, folder: Path, track_prefix: str | None) -> list[_Entry]:
    try:
        with open(csv_path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{csv_path}: cannot read ({one_line(exc)})") from None
    if rows and any(column not in rows[0] for column in _CSV_COLUMNS):
        raise DatasetError(f"{csv_path}: expected columns {';'.join(_CSV_COLUMNS)}")
    entries = []
    folder_name = str(folder)
    for line, row in enumerate(rows, start=2):
        try:
            numbers = [int(row[column]) for column in _CSV_COLUMNS[1:]]
        except (TypeError, ValueError):
            raise DatasetError(f"{csv_path}: line {line} is malformed: {row}") from None
        width, height, x1, y1, x2, y2, label = numbers
        filename = row["Filename"]
        stem = filename.rsplit(".", 1)[0]
        track = stem if track_prefix is None else f"{track_prefix}_{stem.split('_', 1)[0]}"
        item = ImageItem(os.path.join(folder_name, filename), (x1, y1, x2, y2), (width, height))
        entries.append(_Entry(item, label, track))
    return entries


def _entries_from_files(folder: Path, label: int) -> list[_Entry]:
    entries = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() == ".csv" or not path.is_file():
            continue
        track = f"{folder.name}_{path.stem.split('_', 1)[0]}"
        entries.append(_Entry(ImageItem(str(path)), label, track))
    return entries


def _training_entries(folder: Path) -> list[_Entry]:
    class_dirs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise DatasetError(f"GTSRB: no class folders (000NN/) in {folder}; {_ADVICE}")
    numeric = all(d.name.isdigit() for d in class_dirs)
    entries: list[_Entry] = []
    for index, class_dir in enumerate(class_dirs):
        csv_files = sorted(class_dir.glob("GT-*.csv"))
        if csv_files:
            entries += _entries_from_csv(csv_files[0], class_dir, class_dir.name)
        else:
            entries += _entries_from_files(class_dir, int(class_dir.name) if numeric else index)
    return entries


def _test_entries(folder: Path, root: Path) -> list[_Entry]:
    for candidate in (folder, folder.parent, root):
        csv_path = candidate / "GT-final_test.csv"
        if csv_path.is_file():
            return _entries_from_csv(csv_path, folder, None)
    raise DatasetError(
        f"GTSRB: GT-final_test.csv not found in {folder} (it is published separately, "
        "in GTSRB_Final_Test_GT.zip)"
    )


def _split_folder(root: Path, split: str) -> Path:
    if not root.is_dir():
        raise DatasetError(f"GTSRB: folder not found: {root}; {_ADVICE}")
    name = "Final_Training" if split == "train" else "Final_Test"
    for candidate in (root / name / "Images", root / "GTSRB" / name / "Images"):
        if candidate.is_dir():
            return candidate
    if split == "train" and root.name != "Final_Test":
        return root  # a bare folder of class subfolders
    if split == "test" and root.name == "Images":
        return root
    raise DatasetError(f"GTSRB: no {name}/Images folder in {root}; {_ADVICE}")


def _warn_skipped(folder: Path, skipped: list[str], total: int) -> None:
    missing = sum(reason.endswith(": missing") for reason in skipped)
    warnings.warn(
        f"GTSRB: skipped {len(skipped)} of {total} images under {folder} "
        f"({missing} missing, {len(skipped) - missing} unreadable or not images); "
        f"first: {skipped[0]}",
        DatasetWarning,
        stacklevel=3,
    )


def load_gtsrb(
    root: str | os.PathLike[str] | None = None,
    split: str = "train",
    *,
    size: int = 32,
    resample: str = "bilinear",
    crop_roi: bool = True,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
) -> ImageSet:
    """Load GTSRB's ``"train"`` or ``"test"`` split as ``ImageSet(x, y, tracks)``.

    x: (N, size, size, 3) uint8 RGB; y: (N,) int64 class ids (names in ``GTSRB_CLASSES``);
    tracks: (N,) track ids ``'000NN_TTTTT'`` for :func:`split_by_track`.

    Each image is cropped to the CSV's region of interest when ``crop_roi`` and the CSV's
    Width/Height match the image's real size, then resized with ``resample`` (``"bilinear"``
    or ``"area"``). Images are decoded by ``workers`` processes (default: one per CPU).
    Missing, truncated or non-image files are skipped with one :class:`DatasetWarning`.
    The arrays are cached in an ``.npz`` keyed by the sources' names, sizes and mtimes and
    the options: in ``cache_dir`` if given, else next to the data if writable, else in
    ``~/.cache/ember/gtsrb/``. ``cache=False`` neither reads nor writes it.
    """
    if split not in ("train", "test"):
        raise ValueError(f"load_gtsrb: split must be 'train' or 'test', got {split!r}")
    if resample not in RESAMPLING:
        raise ValueError(f"load_gtsrb: resample must be one of {RESAMPLING}, got {resample!r}")
    if not isinstance(size, int) or size < 1:
        raise ValueError(f"load_gtsrb: size must be a positive int, got {size!r}")
    root_path = data_dir("gtsrb", root)
    folder = _split_folder(root_path, split)
    if split == "train":
        entries = _training_entries(folder)
    else:
        entries = _test_entries(folder, root_path)
    if not entries:
        raise DatasetError(f"GTSRB: no images in {folder}; {_ADVICE}")

    base = str(folder) + os.sep
    csv_files = [str(p) for p in (*folder.glob("*/GT-*.csv"), *folder.glob("GT-*.csv"))]
    sources = sorted({e.item.path.removeprefix(base) for e in entries})
    sources += sorted(p.removeprefix(base) for p in csv_files)
    options = {"split": split, "size": size, "resample": resample, "crop_roi": crop_roi}
    key = _npz_cache.source_key(str(folder), sources, {**options, "version": _CACHE_VERSION})
    cache_name = f"ember-gtsrb-{split}-{size}px-{key[:16]}.npz"
    if cache_dir is not None:
        cache_folders = [Path(cache_dir)]
    else:
        near_data = root_path if is_writable_dir(root_path) else None
        cache_folders = [f for f in (near_data, user_cache_dir("gtsrb")) if f is not None]
    keys = ("x", "y", "tracks", "skipped")
    if cache:
        for cache_folder in cache_folders:
            cached = _npz_cache.load(cache_folder / cache_name, keys)
            if cached is not None:
                if len(cached["skipped"]):
                    _warn_skipped(folder, list(cached["skipped"]), len(entries))
                return ImageSet(cached["x"], cached["y"], cached["tracks"])

    if not crop_roi:
        entries = [e._replace(item=ImageItem(e.item.path)) for e in entries]
    images, failures = decode_images([e.item for e in entries], size, resample, workers)
    skipped = [
        f"{os.path.relpath(entries[i].item.path, folder)}: {reason}"
        for i, reason in sorted(failures.items())
    ]
    if len(failures) == len(entries):
        raise DatasetError(f"GTSRB: none of the {len(entries)} images in {folder} is readable")
    keep = np.array([i not in failures for i in range(len(entries))])
    result = ImageSet(
        images[keep],
        np.array([e.label for e in entries], dtype=np.int64)[keep],
        np.array([e.track for e in entries], dtype=str)[keep],
    )
    if skipped:
        _warn_skipped(folder, skipped, len(entries))
    if cache:
        arrays = {"x": result.x, "y": result.y, "tracks": result.tracks}
        _npz_cache.save(cache_folders, cache_name, {**arrays, "skipped": np.array(skipped, str)})
    return result
