"""More of ``torch.nn.functional``'s activations and similarity functions, each a composite of
differentiable ops (no gradient rule of its own)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import ops
from ember import random as _random
from ember.nn.functional.activation import maybe_inplace
from ember.tensor import Tensor

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return maybe_inplace(x, ops.clamp(x, min_val, max_val), inplace)


def hardsigmoid(x: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``."""
    return maybe_inplace(x, ops.clamp(x + 3.0, 0.0, 6.0) / 6.0, inplace)


def hardswish(x: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``."""
    return maybe_inplace(x, x * (ops.clamp(x + 3.0, 0.0, 6.0) / 6.0), inplace)


def softsign(x: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return x / (ops.abs(x) + 1.0)


def logsigmoid(x: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for large ``|x|``."""
    return -ops.softplus(-x)


def mish(x: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    return maybe_inplace(x, x * ops.tanh(ops.softplus(x)), inplace)


def celu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: celu: alpha must not be 0")
    return maybe_inplace(x, ops.elu(x / alpha, 1.0) * alpha if alpha != 1.0 else ops.elu(x),
                         inplace)


def selu(x: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants."""
    return maybe_inplace(x, ops.elu(x, _SELU_ALPHA) * _SELU_SCALE, inplace)


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """``max(0, x) + weight * min(0, x)``; ``weight`` has one value or one per channel (dim 1)."""
    if weight.numel() != 1:
        channels = x.shape[1] if x.ndim >= 2 else 1
        if weight.numel() != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = "
                               f"{channels}.")
        weight = ops.reshape(weight, (-1,) + (1,) * (x.ndim - 2)) if x.ndim >= 2 else weight
    return ops.where(x > 0, x, weight * x)


def rrelu(x: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomised leaky ReLU: a random slope in ``[lower, upper]`` per element when training,
    their mean otherwise."""
    if not training:
        return maybe_inplace(x, ops.leaky_relu(x, (lower + upper) / 2), inplace)
    slopes = _random.uniform_array(x.shape, lower, upper, x._data.dtype)
    return maybe_inplace(x, ops.where(x >= 0, x, x * Tensor._wrap(slopes)), inplace)


def glu(x: Tensor, dim: int = -1) -> Tensor:
    """The first half along ``dim`` gated by the sigmoid of the second half."""
    size = x.shape[dim] if x.ndim else 0
    if x.ndim == 0 or size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {size}")
    first, second = ops.chunk(x, 2, dim)
    return first * ops.sigmoid(second)


def softmin(x: Tensor, dim: Any = None, dtype: Any = None, **kw: Any) -> Tensor:
    from ember.nn.functional.activation import softmax

    return softmax(-x, dim, dtype=dtype, **kw) if dtype is not None else softmax(-x, dim, **kw)


def threshold(x: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``."""
    return maybe_inplace(x, ops.where(x > threshold, x, value), inplace)


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """Samples from the Gumbel-softmax distribution; ``hard`` gives one-hot vectors whose
    gradient is the soft sample's (the straight-through estimator)."""
    uniform = _random.uniform_array(logits.shape, 0.0, 1.0, np.dtype(np.float64))
    gumbels = Tensor._wrap((-np.log(-np.log(uniform + eps) + eps)).astype(logits._data.dtype))
    soft = ops.softmax((logits + gumbels) / tau, dim)
    if not hard:
        return soft
    index = np.argmax(soft._data, axis=dim)
    one_hot = np.zeros(soft.shape, dtype=soft._data.dtype)
    np.put_along_axis(one_hot, np.expand_dims(index, dim), 1, axis=dim)
    return Tensor._wrap(one_hot) - soft.detach() + soft


def normalize(x: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim``."""
    if out is not None:
        raise NotImplementedError("normalize(out=...): ember returns a new tensor")
    from ember.linalg import vector_norm

    return x / ops.clamp(vector_norm(x, p, dim, keepdim=True), min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim`` (inputs broadcast)."""
    from ember.linalg import vector_norm

    n1 = ops.clamp(vector_norm(x1, 2, dim), min=eps)
    n2 = ops.clamp(vector_norm(x2, 2, dim), min=eps)
    return ops.sum(x1 * x2, dim) / (n1 * n2)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dim."""
    from ember.linalg import vector_norm

    return vector_norm(x1 - x2 + eps, p, -1, keepdim)
