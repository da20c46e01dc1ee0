"""Keras's ``MultiHeadAttention`` and ``Attention`` layers and the per-sample normalisations
``LayerNormalization`` and ``GroupNormalization``, over ``ember.nn``.

``MultiHeadAttention``'s four projections are ``nn.Linear`` layers; Keras's (in, heads, dim)
kernels are their reshaped transposes. The attention is ``F.scaled_dot_product_attention``'s.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import nn, ops
from ember.keras import initializers
from ember.keras.layers.base import KerasWeight, Layer, initialize
from ember.nn.functional import attention as A
from ember.tensor import Tensor


def _kernel_views(heads: int, dim: int, features: int, output: bool = False) -> tuple[Any, Any]:
    """(to_keras, from_keras) between a Linear weight and Keras's einsum kernel:
    (heads*dim, features) <-> (features, heads, dim), or for the output projection
    (features, heads*dim) <-> (heads, dim, features)."""
    if output:
        return (lambda w: w.T.reshape(heads, dim, features),
                lambda k: k.reshape(heads * dim, features).T)
    return (lambda w: w.T.reshape(features, heads, dim),
            lambda k: k.reshape(features, heads * dim).T)


class MultiHeadAttention(Layer):
    """Keras's multi-head attention: ``layer(query, value, key=None, attention_mask=None,
    return_attention_scores=False, use_causal_mask=False)``; inputs (B, T, E) and (B, S, E_v).

    ``attention_mask`` (B, T, S) is True where a query may attend to a key.
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape: Any = None,
                 attention_axes: Any = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if attention_axes is not None:
            raise NotImplementedError("MultiHeadAttention: attention_axes is not supported "
                                      "(attention runs over the sequence axis)")
        if output_shape is not None and not isinstance(output_shape, int):
            raise NotImplementedError("MultiHeadAttention: only an int output_shape is "
                                      "supported")
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)
        self.value_dim = int(value_dim) if value_dim is not None else self.key_dim
        self.dropout, self.use_bias = float(dropout), use_bias
        self.output_shape_arg = output_shape
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.query_dense: nn.Linear | None = None

    def __call__(self, query: Any, value: Any = None, key: Any = None, **kwargs: Any) -> Any:
        # Keras's call takes query and value separately; the base class wants one input (or a
        # list), so both travel as a list, also through functional models.
        if value is None:
            return super().__call__(query, **kwargs)
        return super().__call__([query, value] + ([key] if key is not None else []), **kwargs)

    def build(self, input_shape: Any) -> None:
        shapes = input_shape if isinstance(input_shape, list) else [input_shape] * 2
        query_dim, value_dim = shapes[0][-1], shapes[1][-1]
        key_dim_in = shapes[2][-1] if len(shapes) > 2 else value_dim
        heads, out_dim = self.num_heads, self.output_shape_arg or query_dim
        self.query_dense = nn.Linear(query_dim, heads * self.key_dim, bias=self.use_bias)
        self.key_dense = nn.Linear(key_dim_in, heads * self.key_dim, bias=self.use_bias)
        self.value_dense = nn.Linear(value_dim, heads * self.value_dim, bias=self.use_bias)
        self.output_dense = nn.Linear(heads * self.value_dim, out_dim, bias=self.use_bias)
        for weight in self.keras_weights():
            initializer = self.kernel_initializer if weight.name.endswith("kernel") \
                else self.bias_initializer
            initialize(weight.tensor, initializer, weight.shape, weight.from_keras)

    def keras_weights(self) -> list[KerasWeight]:
        if self.query_dense is None:
            return []
        heads = self.num_heads
        found = []
        for name, dense, dim in (("query", self.query_dense, self.key_dim),
                                 ("key", self.key_dense, self.key_dim),
                                 ("value", self.value_dense, self.value_dim),
                                 ("attention_output", self.output_dense, self.value_dim)):
            output = name == "attention_output"
            features = dense.out_features if output else dense.in_features
            to_k, from_k = _kernel_views(heads, dim, features, output)
            found.append(KerasWeight(f"{name}/kernel", dense.weight, to_k, from_k))
            if self.use_bias:
                if output:
                    found.append(KerasWeight(f"{name}/bias", dense.bias))
                else:
                    found.append(KerasWeight(f"{name}/bias", dense.bias,
                                             lambda b, d=dim: b.reshape(heads, d),
                                             lambda b: b.reshape(-1)))
        return found

    def call(self, inputs: Any, attention_mask: Any = None,
             return_attention_scores: bool = False, training: bool | None = None,
             use_causal_mask: bool = False, **masks: Any) -> Any:
        if any(v is not None for v in masks.values()):
            raise NotImplementedError(f"MultiHeadAttention: {sorted(masks)} are not supported; "
                                      f"pass attention_mask")
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        heads = self.num_heads

        def split(t: Tensor, dim: int) -> Tensor:  # (B, L, H*d) -> (B, H, L, d)
            return ops.transpose(ops.reshape(t, (t.shape[0], t.shape[1], heads, dim)), 1, 2)

        q = split(self.query_dense(query), self.key_dim)
        k = split(self.key_dense(key), self.key_dim)
        v = split(self.value_dense(value), self.value_dim)
        allowed = None
        if attention_mask is not None:
            data = attention_mask._data if isinstance(attention_mask, Tensor) else attention_mask
            allowed = np.asarray(data).astype(bool)[:, None]  # (B, 1, T, S)
        if use_causal_mask:
            causal = np.tril(np.ones((q.shape[2], k.shape[2]), dtype=bool))
            allowed = causal if allowed is None else allowed & causal
        mask = A._float_mask(allowed, q._data.dtype, blocked_when=False)
        weights = A.attention_weights(q, k, mask, None, self.dropout, bool(training))
        out = ops.matmul(weights, v)  # (B, H, T, value_dim)
        out = ops.reshape(ops.transpose(out, 1, 2), (out.shape[0], out.shape[2], -1))
        out = self.output_dense(out)
        return (out, weights) if return_attention_scores else out

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "output_shape": self.output_shape_arg,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}


class Attention(Layer):
    """Dot-product (Luong) attention: ``layer([query, value(, key)])``, optionally scaled by a
    learnt scalar (``use_scale``); a value mask blocks padded keys."""

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if score_mode != "dot":
            raise NotImplementedError(f"Attention: score_mode={score_mode!r} is not supported "
                                      f"('dot')")
        self.use_scale, self.score_mode, self.dropout = use_scale, score_mode, float(dropout)
        self.scale: Tensor | None = None

    def build(self, input_shape: Any) -> None:
        if self.use_scale:
            self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

    def call(self, inputs: Any, mask: Any = None, training: bool | None = None,
             return_attention_scores: bool = False, use_causal_mask: bool = False) -> Any:
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        scores = ops.matmul(query, ops.transpose(key, -2, -1))
        if self.scale is not None:
            scores = scores * self.scale
        blocked = np.zeros(tuple(scores.shape), dtype=bool)
        value_mask = mask[1] if isinstance(mask, (list, tuple)) and len(mask) > 1 else None
        if value_mask is not None:
            blocked |= ~np.asarray(value_mask._data, dtype=bool)[:, None, :]
        if use_causal_mask:
            blocked |= ~np.tril(np.ones(tuple(scores.shape[-2:]), dtype=bool))
        if blocked.any():  # Keras subtracts a large number rather than using -inf
            scores = scores - Tensor._wrap((blocked * 1e9).astype(scores._data.dtype))
        weights = ops.softmax(scores, dim=-1)
        if self.dropout and training:
            from ember.nn.functional import dropout

            weights = dropout(weights, self.dropout, True)
        out = ops.matmul(weights, value)
        return (out, weights) if return_attention_scores else out

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout}
