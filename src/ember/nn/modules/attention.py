"""``MultiheadAttention`` with PyTorch's parameters (``in_proj_weight``, ``out_proj``, ...),
masks and defaults; its attention is ``nn.functional.attention``'s."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import ops
from ember.devices import check_device
from ember.nn import functional as F
from ember.nn import init
from ember.nn.functional import attention as A
from ember.nn.modules.linear import Linear, empty_parameter
from ember.nn.modules.module import Module
from ember.tensor import Tensor


class NonDynamicallyQuantizableLinear(Linear):
    """PyTorch's name for the output projection's class (a plain ``Linear``)."""


class MultiheadAttention(Module):
    """Attention over ``num_heads`` heads of ``embed_dim // num_heads`` features each.

    query: (L, N, E) ((N, L, E) with ``batch_first``, or unbatched (L, E)); key/value:
    (S, N, kdim/vdim). Returns ``(output (L, N, E), weights)``: the weights are (N, L, S)
    averaged over heads (or (N, heads, L, S)) when ``need_weights``, else None. Masks: a bool
    ``attn_mask`` (L, S) or (N*heads, L, S) blocks where True, a float one is added;
    ``key_padding_mask`` (N, S) likewise blocks keys.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        check_device(device, "MultiheadAttention")
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if self._qkv_same_embed_dim:
            self.in_proj_weight = empty_parameter((3 * embed_dim, embed_dim), dtype)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = empty_parameter((embed_dim, embed_dim), dtype)
            self.k_proj_weight = empty_parameter((embed_dim, self.kdim), dtype)
            self.v_proj_weight = empty_parameter((embed_dim, self.vdim), dtype)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = empty_parameter((3 * embed_dim,), dtype)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        dtype=dtype)
        if add_bias_kv:
            self.bias_k = empty_parameter((1, 1, embed_dim), dtype)
            self.bias_v = empty_parameter((1, 1, embed_dim), dtype)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _projections(self, query: Tensor, key: Tensor, value: Tensor
                     ) -> tuple[Tensor, Tensor, Tensor]:
        e = self.embed_dim
        bias = self.in_proj_bias
        b_q, b_k, b_v = (None, None, None) if bias is None else (
            bias[:e], bias[e:2 * e], bias[2 * e:])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            if query is key and key is value:  # self-attention: one multiply for all three
                return tuple(ops.chunk(F.linear(query, w, bias), 3, -1))  # type: ignore
            w_q, w_k, w_v = w[:e], w[e:2 * e], w[2 * e:]
        else:
            w_q, w_k, w_v = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        return F.linear(query, w_q, b_q), F.linear(key, w_k, b_k), F.linear(value, w_v, b_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                               "Transformer module method `generate_square_subsequent_mask` to "
                               "create this mask.")
        batched = query.ndim == 3
        if not batched:
            query, key, value = (ops.unsqueeze(t, 1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = ops.unsqueeze(key_padding_mask, 0)
        elif self.batch_first:
            same_kv = key is value
            same_qk = query is key
            query = ops.transpose(query, 0, 1)
            key = query if same_qk else ops.transpose(key, 0, 1)
            value = key if same_kv else ops.transpose(value, 0, 1)
        length, batch, embed = query.shape
        if embed != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but "
                                 f"got {embed}")
        q, k, v = self._projections(query, key, value)  # (L, N, E), (S, N, E), (S, N, E)
        if self.bias_k is not None:
            k = ops.cat([k, ops.expand(self.bias_k, 1, batch, embed)])
            v = ops.cat([v, ops.expand(self.bias_v, 1, batch, embed)])
            attn_mask = _pad_last(attn_mask)
            key_padding_mask = _pad_last(key_padding_mask)
        heads, head_dim = self.num_heads, self.head_dim
        q, k, v = (ops.permute(ops.reshape(t, (t.shape[0], batch, heads, head_dim)), 1, 2, 0, 3)
                   for t in (q, k, v))  # (N, heads, L or S, head_dim)
        if self.add_zero_attn:
            zeros = Tensor._wrap(np.zeros((batch, heads, 1, head_dim), dtype=k._data.dtype))
            k, v = ops.cat([k, zeros], 2), ops.cat([v, zeros], 2)
            attn_mask = _pad_last(attn_mask)
            key_padding_mask = _pad_last(key_padding_mask)
        mask = A.merged_mask(attn_mask, key_padding_mask, batch, heads, length, k.shape[2],
                             q._data.dtype)
        weights = A.attention_weights(q, k, mask, None, self.dropout, self.training)
        out = ops.matmul(weights, v)  # (N, heads, L, head_dim)
        out = ops.reshape(ops.permute(out, 2, 0, 1, 3), (length, batch, embed))
        out = self.out_proj(out)
        if not batched:
            out = ops.squeeze(out, 1)
        elif self.batch_first:
            out = ops.transpose(out, 0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = ops.mean(weights, dim=1)
        if not batched:
            weights = ops.squeeze(weights, 0)
        return out, weights

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """A mask with one more key column that blocks nothing (for bias_k / zero attention)."""
    if mask is None:
        return None
    data = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    filler = np.zeros(data.shape[:-1] + (1,), dtype=data.dtype)  # False or 0.0
    return Tensor._wrap(np.concatenate([data, filler], axis=-1))
