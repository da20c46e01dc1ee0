"""``Embedding``: integer ids to learnt vectors, over ``nn.Embedding``."""

from __future__ import annotations

from typing import Any

from ember import nn
from ember.keras import initializers
from ember.keras.layers.base import KerasWeight, Layer, initialize
from ember.tensor import Tensor


class Embedding(Layer):
    """(N, ...) integer ids in [0, input_dim) -> (N, ..., output_dim) vectors."""

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 mask_zero: bool = False, **kwargs: Any) -> None:
        kwargs.pop("input_length", None)  # Keras 2 argument, not needed
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(
            "random_uniform" if embeddings_initializer == "uniform" else embeddings_initializer)
        self.mask_zero = mask_zero
        self.embedding = nn.Embedding(self.input_dim, self.output_dim)
        initialize(self.embedding.weight, self.embeddings_initializer,
                   (self.input_dim, self.output_dim))

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        if x.is_floating_point():
            x = x.long()
        return self.embedding(x)

    def keras_weights(self) -> list[KerasWeight]:
        return [KerasWeight("embeddings", self.embedding.weight)]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim, "mask_zero": self.mask_zero}
