"""Keras's ``keras.datasets``: ``mnist``, ``fashion_mnist``, ``cifar10`` and ``cifar100``'s
``load_data()``."""

from ember.keras.datasets import cifar10, cifar100, fashion_mnist, mnist

__all__ = ["cifar10", "cifar100", "fashion_mnist", "mnist"]
