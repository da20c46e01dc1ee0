"""Activation functions as primitives: each is one NumPy expression forward and one backward."""

from __future__ import annotations

import math

import numpy as np

from ember.ops._util import float_operand
from ember.tensor import Tensor


def relu(x: Tensor) -> Tensor:
    out = np.maximum(x._data, 0)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g * (out > 0),)

    return Tensor._op(out, (x,), backward, "ReluBackward", saves_output=True, saved=())


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    data = x._data
    positive = data > 0
    out = np.where(positive, data, data * np.asarray(negative_slope, dtype=data.dtype))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (np.where(positive, g, g * np.asarray(negative_slope, dtype=g.dtype)),)

    return Tensor._op(out, (x,), backward, "LeakyReluBackward")


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    x = float_operand(x)
    data = x._data
    positive = data > 0
    with np.errstate(over="ignore"):
        exp_minus_one = np.expm1(np.minimum(data, 0))
    out = np.where(positive, data, alpha * exp_minus_one).astype(data.dtype, copy=False)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (np.where(positive, g, g * (alpha * (exp_minus_one + 1))).astype(g.dtype),)

    return Tensor._op(out, (x,), backward, "EluBackward")


def sigmoid(x: Tensor) -> Tensor:
    x = float_operand(x)
    with np.errstate(over="ignore"):
        out = 1 / (1 + np.exp(-x._data))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g * out * (1 - out),)

    return Tensor._op(out, (x,), backward, "SigmoidBackward", saves_output=True, saved=())


def tanh(x: Tensor) -> Tensor:
    x = float_operand(x)
    out = np.tanh(x._data)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g * (1 - out * out),)

    return Tensor._op(out, (x,), backward, "TanhBackward", saves_output=True, saved=())


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    x = float_operand(x)
    data = x._data
    scaled = data * beta
    linear = scaled > threshold
    out = np.where(linear, data, np.logaddexp(0, scaled) / beta).astype(data.dtype, copy=False)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(over="ignore"):
            slope = 1 / (1 + np.exp(-scaled))
        return (np.where(linear, g, g * slope).astype(g.dtype, copy=False),)

    return Tensor._op(out, (x,), backward, "SoftplusBackward")


def silu(x: Tensor) -> Tensor:
    x = float_operand(x)
    data = x._data
    with np.errstate(over="ignore"):
        sig = 1 / (1 + np.exp(-data))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g * sig * (1 + data * (1 - sig)),)

    return Tensor._op(data * sig, (x,), backward, "SiluBackward")


def erf(values: np.ndarray) -> np.ndarray:
    """The error function, vectorised (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7)."""
    sign = np.sign(values)
    a = np.abs(values)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                                                                         + t * 1.061405429))))
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(values.dtype, copy=False)


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit, exact (``'none'``) or with the ``'tanh'`` approximation."""
    x = float_operand(x)
    data = x._data
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (data + 0.044715 * data**3)
        th = np.tanh(inner)
        out = 0.5 * data * (1 + th)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * data**2)
            return (g * (0.5 * (1 + th) + 0.5 * data * (1 - th * th) * d_inner),)

    elif approximate == "none":
        cdf = 0.5 * (1 + erf(data / math.sqrt(2.0)))
        out = data * cdf

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            pdf = np.exp(-0.5 * data * data) / math.sqrt(2 * math.pi)
            return (g * (cdf + data * pdf),)

    else:
        raise RuntimeError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Tensor._op(out.astype(data.dtype, copy=False), (x,), backward, "GeluBackward")
