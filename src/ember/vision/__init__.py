"""``ember.vision``: torchvision's data sets, transforms, image utilities and small models.

>>> from ember.vision import datasets, transforms
>>> data = datasets.FashionMNIST(root="data", train=True, download=True,
...                              transform=transforms.ToTensor())  # doctest: +SKIP
"""

from ember.vision import datasets, transforms

__all__ = ["datasets", "models", "transforms", "utils"]


def __getattr__(name: str) -> object:
    if name in ("models", "utils"):  # models build networks; utils draws with Pillow
        import importlib

        return importlib.import_module(f"ember.vision.{name}")
    raise AttributeError(f"module 'ember.vision' has no attribute {name!r}")
