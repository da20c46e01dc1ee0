"""Keras's ``keras.datasets``: ``mnist.load_data()`` and ``fashion_mnist.load_data()``."""

from ember.keras.datasets import fashion_mnist, mnist

__all__ = ["fashion_mnist", "mnist"]
