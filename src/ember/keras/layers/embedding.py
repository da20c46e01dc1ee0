"""``Embedding``: integer ids to learnt vectors, over ``nn.Embedding``."""

from __future__ import annotations

from typing import Any

from ember import nn
from ember.keras import constraints, initializers, regularizers
from ember.keras.layers.base import KerasWeight, Layer, initialize
from ember.tensor import Tensor


class Embedding(Layer):
    """(N, ...) integer ids in [0, input_dim) -> (N, ..., output_dim) vectors.

    With ``mask_zero=True`` id 0 is padding: the output carries a Keras mask (``ids != 0``) that
    mask-aware layers pass on and that the loss applies, as in Keras.
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, embeddings_constraint: Any = None,
                 mask_zero: bool = False, **kwargs: Any) -> None:
        kwargs.pop("input_length", None)  # Keras 2 argument; the length follows the input
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(
            "random_uniform" if embeddings_initializer == "uniform" else embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.embedding = nn.Embedding(self.input_dim, self.output_dim)
        initialize(self.embedding.weight, self.embeddings_initializer,
                   (self.input_dim, self.output_dim))
        self.embeddings.constraint = self.embeddings_constraint

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        if x.is_floating_point():
            x = x.long()
        return self.embedding(x)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return (inputs != 0) if self.mask_zero else None

    @property
    def embeddings(self) -> KerasWeight:
        return KerasWeight("embeddings", self.embedding.weight)

    def keras_weights(self) -> list[KerasWeight]:
        return [self.embeddings]

    def regularization_losses(self) -> list[Tensor]:
        if self.embeddings_regularizer is None:
            return []
        return [self.embeddings_regularizer(self.embedding.weight)]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim, "mask_zero": self.mask_zero,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint)}
