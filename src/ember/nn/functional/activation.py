"""Activation functions under PyTorch's ``F.*`` names; the maths lives in ``ember.ops``."""

from __future__ import annotations

import warnings
from typing import Any

from ember import ops
from ember.tensor import Tensor


def maybe_inplace(x: Tensor, out: Tensor, inplace: bool) -> Tensor:
    """With ``inplace``, write ``out`` into ``x`` and return ``x``, as PyTorch's in-place
    variants do: autograd records the change (a leaf that requires grad refuses it)."""
    return x.copy_(out) if inplace else out


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    return maybe_inplace(x, ops.relu(x), inplace)


def relu6(x: Tensor, inplace: bool = False) -> Tensor:
    return maybe_inplace(x, ops.clamp(x, 0.0, 6.0), inplace)


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    return maybe_inplace(x, ops.leaky_relu(x, negative_slope), inplace)


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return maybe_inplace(x, ops.elu(x, alpha), inplace)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    return ops.gelu(x, approximate)


def silu(x: Tensor, inplace: bool = False) -> Tensor:
    return maybe_inplace(x, ops.silu(x), inplace)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return ops.softplus(x, beta, threshold)


def sigmoid(x: Tensor) -> Tensor:
    return ops.sigmoid(x)


def tanh(x: Tensor) -> Tensor:
    return ops.tanh(x)


def _implicit_dim(x: Tensor, dim: Any, kw: dict[str, Any], name: str) -> Any:
    """PyTorch's legacy choice when ``F.softmax`` gets no dim (0 for 0-, 1- and 3-D input, else
    1), with its deprecation warning."""
    kw.pop("_stacklevel", None)
    if dim is not None or kw.get("axis") is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  f"to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if x.ndim in (0, 1, 3) else 1


def softmax(x: Tensor, dim: Any = None, **kw: Any) -> Tensor:
    """softmax along ``dim``; ``dtype=`` casts the input first."""
    return ops.softmax(x, _implicit_dim(x, dim, kw, "softmax"), **kw)


def log_softmax(x: Tensor, dim: Any = None, **kw: Any) -> Tensor:
    """log-softmax along ``dim``; ``dtype=`` casts the input first."""
    return ops.log_softmax(x, _implicit_dim(x, dim, kw, "log_softmax"), **kw)
