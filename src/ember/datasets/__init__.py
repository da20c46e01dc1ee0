"""Data sets and preprocessing: MNIST, Fashion-MNIST, GTSRB, iris, digits.

Loaders return NumPy arrays with Keras's shapes. Files are found under ``root=``,
``$EMBER_DATA/<name>/`` or ``~/.cache/ember/<name>/``; known files are downloaded and
checksum-verified when missing. Pillow and scikit-learn are imported only when needed.

>>> from ember.datasets import load_mnist, to_categorical
>>> (x_train, y_train), (x_test, y_test) = load_mnist()  # doctest: +SKIP
"""

from ember.datasets._errors import DatasetError, DatasetWarning
from ember.datasets.gtsrb import ImageSet, load_gtsrb
from ember.datasets.gtsrb_classes import GTSRB_CLASSES
from ember.datasets.idx import read_idx
from ember.datasets.mnist import FASHION_MNIST_CLASSES, load_fashion_mnist, load_mnist
from ember.datasets.preprocessing import Standardizer, to_categorical, train_val_test_split
from ember.datasets.split import split_by_track
from ember.datasets.toy import ToyDataset, load_digits, load_iris
from ember.datasets.vision import GTSRB, MNIST, FashionMNIST

__all__ = [
    "FASHION_MNIST_CLASSES",
    "GTSRB",
    "MNIST",
    "FashionMNIST",
    "GTSRB_CLASSES",
    "DatasetError",
    "DatasetWarning",
    "ImageSet",
    "Standardizer",
    "ToyDataset",
    "load_digits",
    "load_fashion_mnist",
    "load_gtsrb",
    "load_iris",
    "load_mnist",
    "read_idx",
    "split_by_track",
    "to_categorical",
    "train_val_test_split",
]
