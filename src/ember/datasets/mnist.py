"""MNIST and Fashion-MNIST from their IDX files, with Keras's ``load_data`` shapes.

Files are looked for under ``root``, ``$EMBER_DATA/<name>/`` or ``~/.cache/ember/<name>/``
(see :mod:`ember.datasets._paths`) and downloaded, checksum-verified, when missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ember.datasets._download import Resource, ensure_files
from ember.datasets._errors import DatasetError
from ember.datasets._paths import data_dir
from ember.datasets.idx import check_idx, read_idx

MNIST_MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
FASHION_MNIST_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)

# sha256: first the published .gz files (9,912,422 / 28,881 / 1,648,877 / 4,542 bytes),
# then the project's shared/data/mnist copies, which are recompressed (different bytes).
# payload_sha256: the gunzipped IDX content, identical for both and for any other
# recompression; a copy matching any of these digests is accepted.
MNIST_RESOURCES = (
    Resource(
        "train-images-idx3-ubyte.gz",
        sha256=(
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
        ),
        payload_sha256=("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",),
    ),
    Resource(
        "train-labels-idx1-ubyte.gz",
        sha256=(
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203",
        ),
        payload_sha256=("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",),
    ),
    Resource(
        "t10k-images-idx3-ubyte.gz",
        sha256=(
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be",
        ),
        payload_sha256=("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",),
    ),
    Resource(
        "t10k-labels-idx1-ubyte.gz",
        sha256=(
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b",
        ),
        payload_sha256=("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",),
    ),
)

# MD5s published in Fashion-MNIST's README (no SHA-256 is published).
FASHION_MNIST_RESOURCES = (
    Resource("train-images-idx3-ubyte.gz", md5=("8d4fb7e6c68d591d4c3dfef9ec88bf0d",)),
    Resource("train-labels-idx1-ubyte.gz", md5=("25c81989df183df01b3e8a0aad5dffbe",)),
    Resource("t10k-images-idx3-ubyte.gz", md5=("bef4ecab320f06d8554ea6380940ec79",)),
    Resource("t10k-labels-idx1-ubyte.gz", md5=("bb300cfdad3c16e7a12a480ee83cd310",)),
)

FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

Split = tuple[np.ndarray, np.ndarray]


def read_idx_pair(images_path: Path, labels_path: Path, num_classes: int = 10) -> Split:
    """Read an images file and its labels file and check that they agree.

    Returns ``(x, y)``: uint8 ``(N, H, W)`` and uint8 ``(N,)``.
    """
    images = read_idx(images_path, ndim=3)
    labels = read_idx(labels_path, ndim=1)
    if images.dtype != np.uint8 or labels.dtype != np.uint8:
        raise DatasetError(
            f"{images_path.parent}: expected uint8 IDX files, got {images.dtype} images "
            f"and {labels.dtype} labels"
        )
    if len(images) != len(labels):
        raise DatasetError(
            f"{labels_path}: {len(labels)} labels for {len(images)} images in {images_path.name}"
        )
    if labels.size and int(labels.max()) >= num_classes:
        bad = int(np.argmax(labels >= num_classes))
        raise DatasetError(
            f"{labels_path}: label {int(labels[bad])} at index {bad} is out of range "
            f"0..{num_classes - 1}"
        )
    return images, labels


def _find_files(folder: Path, resources: tuple[Resource, ...]) -> dict[str, Path]:
    """Local copies, gzipped or not, by resource name; missing ones are left out."""
    found = {}
    for resource in resources:
        plain = folder / resource.filename.removesuffix(".gz")
        gz = folder / resource.filename
        if gz.is_file() or plain.is_file():
            found[resource.filename] = gz if gz.is_file() else plain
    return found


def _load(
    dataset: str,
    name: str,
    root: str | os.PathLike[str] | None,
    resources: tuple[Resource, ...],
    mirrors: tuple[str, ...],
    download: bool,
) -> tuple[Split, Split]:
    folder = data_dir(name, root)
    paths = _find_files(folder, resources)
    if len(paths) < len(resources):
        if (folder / "mnist.pkl.gz").is_file() or (folder / "mnist.pkl").is_file():
            raise DatasetError(
                f"{folder}: mnist.pkl.gz is a pickle, which ember never loads; "
                "put the four IDX files (train-images-idx3-ubyte.gz, ...) there instead"
            )
        missing = [r for r in resources if r.filename not in paths]
        paths.update(
            ensure_files(dataset, folder, missing, mirrors, download=download, check=check_idx)
        )
    train = read_idx_pair(paths["train-images-idx3-ubyte.gz"], paths["train-labels-idx1-ubyte.gz"])
    test = read_idx_pair(paths["t10k-images-idx3-ubyte.gz"], paths["t10k-labels-idx1-ubyte.gz"])
    return train, test


def load_mnist(
    root: str | os.PathLike[str] | None = None, *, download: bool = True
) -> tuple[Split, Split]:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, like ``keras.datasets.mnist``.

    ``x_*``: uint8 ``(N, 28, 28)`` with pixels 0..255; ``y_*``: uint8 ``(N,)`` with digits
    0..9; N is 60,000 for training and 10,000 for test. ``root`` is the folder holding the
    four IDX files (default ``$EMBER_DATA/mnist`` or ``~/.cache/ember/mnist``); missing
    files are downloaded and checksum-verified unless ``download=False``.
    """
    return _load("MNIST", "mnist", root, MNIST_RESOURCES, MNIST_MIRRORS, download)


def load_fashion_mnist(
    root: str | os.PathLike[str] | None = None, *, download: bool = True
) -> tuple[Split, Split]:
    """Load Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``, shaped as MNIST.

    Class names are in ``FASHION_MNIST_CLASSES``. The default folder is
    ``$EMBER_DATA/fashion_mnist`` or ``~/.cache/ember/fashion_mnist``.
    """
    return _load(
        "Fashion-MNIST",
        "fashion_mnist",
        root,
        FASHION_MNIST_RESOURCES,
        FASHION_MNIST_MIRRORS,
        download,
    )
