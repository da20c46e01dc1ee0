"""Embedding lookup: rows of a weight matrix picked by integer indices."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.tensor import Tensor


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: Any = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """``weight[input]``. input: integer indices of any shape (...); weight: (V, D) -> (..., D).

    Repeated indices accumulate their gradients; row ``padding_idx`` gets none.
    """
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are not "
                                  "supported")
    indices = input._data if isinstance(input, Tensor) else np.asarray(input)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers (e.g. ember.long), got "
                        f"{indices.dtype}")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {tuple(weight.shape)}")
    vocabulary, dim = weight._data.shape
    if indices.size and (indices.min() < -vocabulary or indices.max() >= vocabulary):
        raise IndexError(f"embedding: index out of range: got values in [{indices.min()}, "
                         f"{indices.max()}] for {vocabulary} embeddings")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += vocabulary
    out = weight._data[indices]

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        g_weight = np.zeros_like(weight._data, dtype=g.dtype)
        np.add.at(g_weight, indices.reshape(-1), g.reshape(-1, dim))
        if padding_idx is not None:
            g_weight[padding_idx] = 0
        return (g_weight,)

    return Tensor._op(out, (weight,), backward, "EmbeddingBackward")
