"""Embedding lookup: rows of a weight matrix picked by integer indices."""

from __future__ import annotations

import numpy as np

from ember.tensor import Tensor


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """``weight[input]``. input: integer indices of any shape (...); weight: (V, D) -> (..., D).

    Repeated indices accumulate their gradients; row ``padding_idx`` gets none. With
    ``max_norm``, every row looked up whose ``norm_type``-norm exceeds it is first rescaled to
    that norm *in place* in ``weight`` (as PyTorch does, outside the graph). With
    ``scale_grad_by_freq`` each row's gradient is divided by how often the row occurs in
    ``input``. ``sparse=True`` (sparse gradients) is not supported.
    """
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported; "
                                  "use sparse=False")
    indices = input._data if isinstance(input, Tensor) else np.asarray(input)
    if indices.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: indices must be integers (e.g. ember.long), got "
                           f"{indices.dtype}")
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got "
                           f"shape {tuple(weight.shape)}")
    vocabulary, dim = weight._data.shape
    if indices.size and (indices.min() < -vocabulary or indices.max() >= vocabulary):
        raise IndexError(f"embedding: index out of range: got values in [{indices.min()}, "
                         f"{indices.max()}] for {vocabulary} embeddings")
    if padding_idx is not None:
        if not -vocabulary <= padding_idx < vocabulary:
            raise ValueError(f"embedding: padding_idx must be within num_embeddings "
                             f"({vocabulary}), got {padding_idx}")
        padding_idx %= vocabulary
    if max_norm is not None:
        _renorm_rows_(weight, indices, float(max_norm), float(norm_type))
    out = weight._data[indices]

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        g_weight = np.zeros_like(weight._data, dtype=g.dtype)
        flat = indices.reshape(-1) % vocabulary
        np.add.at(g_weight, flat, g.reshape(-1, dim))
        if scale_grad_by_freq:
            counts = np.bincount(flat, minlength=vocabulary)
            g_weight /= np.maximum(counts, 1).astype(g.dtype)[:, None]
        if padding_idx is not None:
            g_weight[padding_idx] = 0
        return (g_weight,)

    return Tensor._op(out, (weight,), backward, "EmbeddingBackward", saved=())


def _renorm_rows_(weight: Tensor, indices: np.ndarray, max_norm: float,
                  norm_type: float) -> None:
    """Rescale, in place, each looked-up row whose norm exceeds ``max_norm`` to ``max_norm``
    (PyTorch's ``embedding_renorm_``, with its 1e-7 guard against dividing by zero)."""
    rows = np.unique(indices.reshape(-1) % weight._data.shape[0])
    if not rows.size:
        return
    data = weight._data
    norms = np.linalg.norm(data[rows].astype(np.float64), ord=norm_type, axis=1)
    too_long = norms > max_norm
    if not too_long.any():
        return
    scale = max_norm / (norms[too_long] + 1e-7)
    data[rows[too_long]] *= scale.astype(data.dtype)[:, None]
    weight._version += 1  # an in-place change, as PyTorch counts it
