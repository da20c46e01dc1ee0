"""Keras's ``keras.datasets``: ``mnist``, ``fashion_mnist``, ``cifar10`` and ``cifar100``'s
``load_data()``; ``boston_housing``, ``imdb`` and ``reuters`` (with ``get_word_index`` and
Reuters's ``get_label_names``)."""

from ember.keras.datasets import (
    boston_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

__all__ = ["boston_housing", "cifar10", "cifar100", "fashion_mnist", "imdb", "mnist", "reuters"]
