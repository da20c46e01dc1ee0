"""Scaled dot-product attention and the multi-head attention forward pass built on it.

Both are composites of matmul, softmax and masking ops (their gradients come from those);
PyTorch's own math path computes the same expression.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ember import ops
from ember.tensor import Tensor


def _float_mask(mask: Tensor | np.ndarray | None, dtype: np.dtype, blocked_when: bool
                ) -> Tensor | None:
    """A mask as an additive float tensor: bool entries equal to ``blocked_when`` become -inf,
    the others 0; a float mask is used as given."""
    if mask is None:
        return None
    data = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if data.dtype == np.bool_:
        additive = np.where(data == blocked_when, -np.inf, 0.0).astype(dtype)
        return Tensor._wrap(additive)
    if data.dtype.kind != "f":
        raise TypeError(f"attention: only bool and floating types of masks are supported, got "
                        f"{data.dtype}")
    return mask if isinstance(mask, Tensor) else Tensor._wrap(data.astype(dtype))


def _causal_mask(length: int, source: int, dtype: np.dtype) -> Tensor:
    """Additive mask letting position i attend to positions j <= i (top-left aligned)."""
    allowed = np.tril(np.ones((length, source), dtype=bool))
    return Tensor._wrap(np.where(allowed, 0.0, -np.inf).astype(dtype))


def _repeat_heads(x: Tensor, times: int) -> Tensor:
    """(..., Hk, S, E) -> (..., Hk * times, S, E), each head repeated ``times`` in a row."""
    shape = tuple(x.shape)
    expanded = ops.expand(ops.unsqueeze(x, -3), *shape[:-2], times, *shape[-2:])
    return ops.reshape(expanded, shape[:-3] + (shape[-3] * times,) + shape[-2:])


def attention_weights(query: Tensor, key: Tensor, mask: Tensor | None, scale: float | None,
                      dropout_p: float, training: bool = True) -> Tensor:
    """``softmax(q k^T * scale + mask)``, then dropout: (..., L, S)."""
    from ember.nn.functional import dropout

    factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = ops.matmul(query * factor, ops.transpose(key, -2, -1))
    if mask is not None:
        scores = scores + mask
    weights = ops.softmax(scores, dim=-1)
    if dropout_p > 0 and training:
        weights = dropout(weights, dropout_p, True)
    return weights


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(q k^T / sqrt(E) + mask) v``, as PyTorch's ``scaled_dot_product_attention``.

    query: (..., L, E); key: (..., S, E); value: (..., S, Ev) -> (..., L, Ev). A bool
    ``attn_mask`` marks the pairs that may attend (True) and a float one is added to the
    scores; ``is_causal`` masks j > i. With ``enable_gqa`` the key/value heads (dim -3) are
    shared by groups of query heads.
    """
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError("scaled_dot_product_attention: query, key and value must have at "
                           "least 2 dims (..., L, E)")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: query {list(query.shape)}, key "
                           f"{list(key.shape)} and value {list(value.shape)} do not fit "
                           f"(..., L, E), (..., S, E), (..., S, Ev)")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        heads, kv_heads = query.shape[-3], key.shape[-3]
        if heads % kv_heads or heads % value.shape[-3]:
            raise RuntimeError(f"scaled_dot_product_attention: number of heads in query "
                               f"({heads}) must be divisible by those of key ({kv_heads}) and "
                               f"value ({value.shape[-3]})")
        key = _repeat_heads(key, heads // kv_heads)
        value = _repeat_heads(value, heads // value.shape[-3])
    dtype = query._data.dtype
    mask = (_causal_mask(query.shape[-2], key.shape[-2], dtype) if is_causal
            else _float_mask(attn_mask, dtype, blocked_when=False))
    weights = attention_weights(query, key, mask, scale, dropout_p)
    return ops.matmul(weights, value)


def merged_mask(attn_mask: Any, key_padding_mask: Any, batch: int, heads: int, length: int,
                source: int, dtype: np.dtype) -> Tensor | None:
    """``nn.MultiheadAttention``'s two masks (bool True = blocked, or additive float) as one
    additive mask broadcastable to (N, heads, L, S)."""
    mask = _float_mask(attn_mask, dtype, blocked_when=True)
    if mask is not None:
        if mask.ndim == 2:
            if tuple(mask.shape) != (length, source):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(mask.shape)}, but "
                                   f"should be {(length, source)}.")
        elif mask.ndim == 3:
            if tuple(mask.shape) != (batch * heads, length, source):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(mask.shape)}, but "
                                   f"should be {(batch * heads, length, source)}.")
            mask = ops.reshape(mask, (batch, heads, length, source))
        else:
            raise RuntimeError(f"attn_mask's dimension {mask.ndim} is not supported")
    padding = _float_mask(key_padding_mask, dtype, blocked_when=True)
    if padding is not None:
        if tuple(padding.shape) != (batch, source):
            raise RuntimeError(f"expecting key_padding_mask shape of {(batch, source)}, but got "
                               f"{tuple(padding.shape)}")
        padding = ops.reshape(padding, (batch, 1, 1, source))
        mask = padding if mask is None else mask + padding
    return mask
