"""``ember train image-folder --imdir DIR``: the gtsrb-cnn network on any class-per-folder tree.

Classes are the subfolders of ``DIR`` (sorted names, as ``ember.vision.datasets.ImageFolder``
finds them); images of any type Pillow reads are decoded once (in parallel, into an ``.npz``
cache under the user cache) at one square size: ``--size``, else the images' own size when
they all share one square size up to 64 pixels, else 32 (logged). Validation is a stratified,
seeded 20% of each class, or every image of ``--val-dir`` (class folders named as ``DIR``'s).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import ember.nn.functional as F
from ember.cli.augment import random_affine
from ember.cli.data import Source, Split
from ember.cli.log import log
from ember.cli.preprocess import image_spec
from ember.cli.recipes.base import Recipe
from ember.cli.recipes.gtsrb import GTSRB_CNN, build_gtsrb_cnn
from ember.cli.recipes.torch_common import torch_trainer
from ember.cli.training import cosine_schedule
from ember.datasets import DatasetError, DatasetWarning

VAL_FRACTION = 0.2
DEFAULT_SIZE = 32
LARGEST_OWN_SIZE = 64  # bigger images are shrunk: a CPU epoch at 224 px would take hours
_CACHE_VERSION = 1


@dataclass
class FolderImages:
    """Decoded images of one class-per-folder tree."""

    x: np.ndarray  # (N, size, size, 3) uint8
    y: np.ndarray  # (N,) int64 class indices
    classes: list[str]


def _folder(path: str | os.PathLike[str], option: str) -> Path:
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no such folder (given as {option})")
    return folder


def _samples(folder: Path, classes: list[str] | None) -> tuple[list[tuple[str, int]], list[str]]:
    """``(path, class index)`` of every image under ``folder``'s class folders; with
    ``classes`` (a trained model's), folder names must be among them."""
    from ember.vision.datasets.folder import IMG_EXTENSIONS, find_classes, make_dataset

    try:
        found, _ = find_classes(folder)
    except FileNotFoundError:
        raise DatasetError(f"{folder}: no class folders (expected DIR/CLASS_NAME/image files)") \
            from None
    if classes is None:
        if len(found) < 2:
            raise DatasetError(f"{folder}: only one class folder ({found[0]}); training a "
                               "classifier needs at least two")
        classes = found
    unknown = [name for name in found if name not in classes]
    if unknown:
        raise DatasetError(f"{folder}: class folders {', '.join(unknown[:5])} are not among the "
                           f"{len(classes)} classes of the training folder")
    class_to_idx = {name: classes.index(name) for name in found}
    try:
        samples = make_dataset(folder, class_to_idx, extensions=IMG_EXTENSIONS)
    except FileNotFoundError as exc:
        raise DatasetError(f"{folder}: {' '.join(str(exc).split())}") from None
    return samples, classes


def _own_size(paths: list[str]) -> tuple[int, str]:
    """The square size to train at when ``--size`` is not given, and why."""
    from PIL import Image

    sizes: set[tuple[int, int]] = set()
    for path in paths:
        try:
            with Image.open(path) as image:
                sizes.add(image.size)
        except Exception:  # unreadable files are counted and skipped when decoding
            continue
        if len(sizes) > 1:
            break
    if len(sizes) == 1:
        width, height = sizes.pop()
        if width == height and width <= LARGEST_OWN_SIZE:
            return width, f"all images are {width}x{height}"
        return min(LARGEST_OWN_SIZE, width, height) if width == height else DEFAULT_SIZE, \
            f"all images are {width}x{height}: resized (--size to choose)"
    return DEFAULT_SIZE, "the images have mixed sizes: all resized (--size to choose)"


def read_image_folder(path: str | os.PathLike[str], option: str, size: int | None,
                      classes: list[str] | None = None) -> FolderImages:
    """Decode every image under ``path`` at ``size`` (or the size the images suggest)."""
    from ember.datasets import _npz_cache
    from ember.datasets._images import ImageItem, decode_images
    from ember.datasets._paths import cache_dir

    folder = _folder(path, option)
    samples, classes = _samples(folder, classes)
    paths = [p for p, _ in samples]
    if size is None:
        size, why = _own_size(paths)
        log.info("%s: %s; training at %dx%d", folder, why, size, size)
    base = str(folder) + os.sep
    key = _npz_cache.source_key(str(folder), [p.removeprefix(base) for p in paths],
                                {"size": size, "classes": classes, "version": _CACHE_VERSION})
    cache_name = f"ember-folder-{size}px-{key[:16]}.npz"
    cached = _npz_cache.load(cache_dir("image-folder") / cache_name, ("x", "y", "skipped"))
    if cached is not None:
        x, y, skipped = cached["x"], cached["y"], [str(s) for s in cached["skipped"]]
    else:
        images, failures = decode_images([ImageItem(p) for p in paths], size)
        keep = np.array([i not in failures for i in range(len(paths))], dtype=bool)
        x = images[keep]
        y = np.array([label for _, label in samples], dtype=np.int64)[keep]
        skipped = [f"{os.path.relpath(paths[i], folder)}: {reason}"
                   for i, reason in sorted(failures.items())]
        _npz_cache.save([cache_dir("image-folder")], cache_name,
                        {"x": x, "y": y, "skipped": np.array(skipped, dtype=str)})
    if skipped:
        warnings.warn(f"{folder}: skipped {len(skipped)} of {len(paths)} unreadable images; "
                      f"first: {skipped[0]}", DatasetWarning, stacklevel=2)
    if not len(x):
        raise DatasetError(f"{folder}: none of the {len(paths)} image files is readable")
    log.info("%s: %d images in %d classes, decoded at %dx%d", folder, len(x), len(classes),
             size, size)
    return FolderImages(x, y, classes)


def _load(source: Source, seed: int) -> Split:
    from ember.datasets import train_val_test_split

    if source.imdir is None:
        raise DatasetError("image-folder needs --imdir DIR, a folder of class folders "
                           "(DIR/CLASS_NAME/*.jpg, *.png, ...)")
    data = read_image_folder(source.imdir, "--imdir", source.size)
    size = int(data.x.shape[1])
    val_dir = source.val_dir
    if val_dir is not None:
        val = read_image_folder(val_dir, "--val-dir", size, data.classes)
        x_train, y_train, x_val, y_val = data.x, data.y, val.x, val.y
        log.info("validation: every image of %s", val_dir)
    else:
        x_train, x_val, _, y_train, y_val, _ = train_val_test_split(
            data.x, data.y, ratios=(1 - VAL_FRACTION, VAL_FRACTION, 0.0), stratify=data.y,
            seed=seed)
        log.info("validation: a stratified %d%% of each class (seed %d): %d training, %d "
                 "validation images", round(100 * VAL_FRACTION), seed, len(x_train), len(x_val))
    split = Split(x_train, y_train, x_val, y_val, list(data.classes))
    split.architecture = {"size": size, "classes": len(data.classes)}
    return split


def _preprocessing(split: Split) -> dict[str, Any]:
    """Each image standardised on its own, as gtsrb-cnn's, at the size the split was read at."""
    return image_spec(int(split.x_train.shape[1]), 3, [0.0] * 3, [1.0] * 3, layout="nchw",
                      per_image=True)


def evaluation_data(record: dict[str, Any], source: Source, validation: bool
                    ) -> tuple[np.ndarray, np.ndarray, str]:
    """The images ``ember evaluate`` scores an image-folder model on: every image of
    ``--imdir`` (class folders named as at training), or with ``validation`` the held-out
    split of that same training folder."""
    if source.imdir is None:
        raise DatasetError("evaluating an image-folder model needs --imdir DIR (a folder of "
                           "class folders named as the training ones)")
    size = int(record["preprocessing"]["size"])
    if validation:
        seed = int(record.get("split", {}).get("seed", 0))
        split = _load(Source(None, source.imdir, size=size), seed)
        return split.x_val, split.y_val, "image-folder validation split"
    data = read_image_folder(source.imdir, "--imdir", size, list(record["class_names"]))
    return data.x, data.y, f"images of {source.imdir}"


IMAGE_FOLDER = Recipe(
    name="image-folder",
    family="torch",
    dataset="image-folder",
    description="gtsrb-cnn's network on your own class-per-folder images (--imdir DIR, "
                "--size, --val-dir), per-image standardised, augmented, Adam with cosine decay",
    load=_load,
    preprocessing=_preprocessing,
    architecture={"size": DEFAULT_SIZE, "channels": [32, 64, 128], "hidden": 256, "classes": 2,
                  "dropout": 0.3},
    build=build_gtsrb_cnn,
    # gtsrb-cnn's augmentation and optimizer with a per-epoch cosine schedule: unlike its
    # one-cycle, that schedule's first epochs do not depend on the run's length, so a run on
    # unknown data can be resumed with more --epochs as if it had been asked for them at once.
    train=torch_trainer(F.cross_entropy, augment=random_affine, schedule=cosine_schedule),
    output="logits",
    epochs=12,
    batch_size=GTSRB_CNN.batch_size,
    lr=0.002,
    optimizer=GTSRB_CNN.optimizer,
    optimizer_extras=GTSRB_CNN.optimizer_extras,
)
