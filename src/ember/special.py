"""``ember.special``: PyTorch's ``torch.special`` functions, each the ember op of the same
maths (differentiable where the op is)."""

from __future__ import annotations

import math
from typing import Any

from ember import ops
from ember.tensor import Tensor

erf = ops.erf_op
erfc = ops.erfc
erfinv = ops.erfinv
expm1 = ops.expm1
exp2 = ops.exp2
log1p = ops.log1p
gammaln = ops.lgamma
digamma = psi = ops.digamma
i0 = ops.i0
sinc = ops.sinc
xlogy = ops.xlogy
round = ops.round  # noqa: A001 - PyTorch's name
logsumexp = ops.logsumexp
softmax = ops.softmax
log_softmax = ops.log_softmax


def expit(x: Tensor) -> Tensor:
    return ops.sigmoid(x)


def logit(x: Tensor, eps: float | None = None) -> Tensor:
    return ops.logit(x, eps)


def ndtr(x: Tensor) -> Tensor:
    """The standard normal CDF, ``0.5 * erfc(-x / sqrt(2))``."""
    return ops.erfc(x * (-1 / math.sqrt(2.0))) * 0.5


def log_ndtr(x: Tensor) -> Tensor:
    return ops.log(ndtr(x))


def ndtri(p: Tensor) -> Tensor:
    """The inverse of ``ndtr``: ``sqrt(2) * erfinv(2p - 1)``."""
    return ops.erfinv(p * 2 - 1) * math.sqrt(2.0)


def entr(x: Tensor) -> Tensor:
    """``-x log x`` (0 at 0, -inf below 0)."""
    return -ops.xlogy(x, x) + ops.where(x < 0, -math.inf, 0.0)


def xlog1py(x: Any, y: Any) -> Tensor:
    return ops.where(ops.eq(x, 0), 0.0, x * ops.log1p(y))


__all__ = ["digamma", "entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln",
           "i0", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp", "ndtr", "ndtri", "psi",
           "round", "sinc", "softmax", "xlog1py", "xlogy"]
