"""``ember.vision``: torchvision's data sets, transforms, image utilities and small models.

>>> from ember.vision import datasets, transforms
>>> data = datasets.FashionMNIST(root="data", train=True, download=True,
...                              transform=transforms.ToTensor())  # doctest: +SKIP
"""

from ember.vision import datasets, transforms

__all__ = ["datasets", "io", "models", "transforms", "utils"]


def __getattr__(name: str) -> object:
    if name in ("io", "models", "utils"):  # models build networks; io, utils use Pillow
        import importlib

        return importlib.import_module(f"ember.vision.{name}")
    raise AttributeError(f"module 'ember.vision' has no attribute {name!r}")
