"""Vision data sets with torchvision's names, arguments and samples.

>>> from ember.vision import datasets, transforms
>>> train = datasets.FashionMNIST(root="data", train=True, download=True,
...                               transform=transforms.ToTensor())  # doctest: +SKIP
"""

from ember.vision.datasets._base import VisionDataset
from ember.vision.datasets._fetch import DatasetNotFoundError
from ember.vision.datasets.cifar import CIFAR10, CIFAR100
from ember.vision.datasets.fakedata import FakeData
from ember.vision.datasets.folder import (
    IMG_EXTENSIONS,
    DatasetFolder,
    ImageFolder,
    default_loader,
    find_classes,
    has_file_allowed_extension,
    make_dataset,
)
from ember.vision.datasets.gtsrb import GTSRB
from ember.vision.datasets.mnist import EMNIST, KMNIST, MNIST, FashionMNIST
from ember.vision.datasets.svhn import SVHN

__all__ = [
    "CIFAR10", "CIFAR100", "EMNIST", "GTSRB", "IMG_EXTENSIONS", "KMNIST", "MNIST", "SVHN",
    "DatasetFolder", "DatasetNotFoundError", "FakeData", "FashionMNIST", "ImageFolder",
    "VisionDataset", "default_loader", "find_classes", "has_file_allowed_extension",
    "make_dataset",
]
