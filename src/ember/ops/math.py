"""More elementwise maths: trigonometric, hyperbolic, logarithmic, error functions and rounding.

Each differentiable function is a NumPy forward with its derivative given right beside it (as a
function of the input and the output); ``_unary`` turns the pair into an op. Binary functions
broadcast as NumPy does and sum their gradients back with ``unbroadcast``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ember.ops._util import float_operand, operands, unbroadcast
from ember.ops.elementwise import _binary, mul, sub
from ember.tensor import Tensor

Derivative = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _special() -> Any:
    import scipy.special  # a scikit-learn dependency; imported on first use to keep import fast

    return scipy.special


def _unary(name: str, forward: Callable[[np.ndarray], np.ndarray], derivative: Derivative,
           backward_name: str) -> Callable[[Any], Tensor]:
    """An op ``forward(x)`` (on floats) whose gradient is ``g * derivative(x, out)``."""

    def op(x: Any) -> Tensor:
        x = float_operand(x if isinstance(x, Tensor) else Tensor(x))
        data = x._data
        with np.errstate(all="ignore"):
            out = np.asarray(forward(data)).astype(data.dtype, copy=False)

        def backward(g: np.ndarray) -> tuple[np.ndarray]:
            with np.errstate(all="ignore"):
                return ((g * derivative(data, out)).astype(g.dtype, copy=False),)

        return Tensor._op(out, (x,), backward, backward_name)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` (PyTorch's ``torch.{name}``), differentiable."
    return op


_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

tan = _unary("tan", np.tan, lambda x, y: 1 + y * y, "TanBackward")
asin = _unary("asin", np.arcsin, lambda x, y: 1 / np.sqrt(1 - x * x), "AsinBackward")
acos = _unary("acos", np.arccos, lambda x, y: -1 / np.sqrt(1 - x * x), "AcosBackward")
atan = _unary("atan", np.arctan, lambda x, y: 1 / (1 + x * x), "AtanBackward")
sinh = _unary("sinh", np.sinh, lambda x, y: np.cosh(x), "SinhBackward")
cosh = _unary("cosh", np.cosh, lambda x, y: np.sinh(x), "CoshBackward")
asinh = _unary("asinh", np.arcsinh, lambda x, y: 1 / np.sqrt(x * x + 1), "AsinhBackward")
acosh = _unary("acosh", np.arccosh, lambda x, y: 1 / np.sqrt(x * x - 1), "AcoshBackward")
atanh = _unary("atanh", np.arctanh, lambda x, y: 1 / (1 - x * x), "AtanhBackward")
log2 = _unary("log2", np.log2, lambda x, y: 1 / (x * _LN2), "Log2Backward")
log10 = _unary("log10", np.log10, lambda x, y: 1 / (x * _LN10), "Log10Backward")
exp2 = _unary("exp2", np.exp2, lambda x, y: y * _LN2, "Exp2Backward")
expm1 = _unary("expm1", np.expm1, lambda x, y: y + 1, "Expm1Backward")
erf = _unary("erf", lambda x: _special().erf(x),
             lambda x, y: _TWO_OVER_SQRT_PI * np.exp(-x * x), "ErfBackward")
erfc = _unary("erfc", lambda x: _special().erfc(x),
              lambda x, y: -_TWO_OVER_SQRT_PI * np.exp(-x * x), "ErfcBackward")
erfinv = _unary("erfinv", lambda x: _special().erfinv(x),
                lambda x, y: 0.5 * math.sqrt(math.pi) * np.exp(y * y), "ErfinvBackward")
lgamma = _unary("lgamma", lambda x: _special().gammaln(x),
                lambda x, y: _special().digamma(x), "LgammaBackward")
digamma = _unary("digamma", lambda x: _special().digamma(x),
                 lambda x, y: _special().polygamma(1, x), "DigammaBackward")
i0 = _unary("i0", lambda x: _special().i0(x), lambda x, y: _special().i1(x), "I0Backward")
rsqrt = _unary("rsqrt", lambda x: 1 / np.sqrt(x), lambda x, y: -0.5 * y * y * y, "RsqrtBackward")
reciprocal = _unary("reciprocal", lambda x: 1 / x, lambda x, y: -y * y, "ReciprocalBackward")
sinc = _unary("sinc", np.sinc,
              lambda x, y: np.where(x == 0, 0, (np.cos(np.pi * x) - y) / np.where(x == 0, 1, x)),
              "SincBackward")
deg2rad = _unary("deg2rad", np.deg2rad, lambda x, y: np.full_like(x, math.pi / 180),
                 "Deg2RadBackward")
rad2deg = _unary("rad2deg", np.rad2deg, lambda x, y: np.full_like(x, 180 / math.pi),
                 "Rad2DegBackward")


def square(x: Tensor) -> Tensor:
    return mul(x, x)


def trunc(x: Tensor) -> Tensor:
    """Round towards zero; the gradient is zero (no graph recorded), as PyTorch's."""
    return Tensor._wrap(np.trunc(x._data))


fix = trunc


def frac(x: Tensor) -> Tensor:
    """The fractional part ``x - trunc(x)`` with trunc's sign; gradient one."""
    return sub(x, trunc(x))


def sgn(x: Tensor) -> Tensor:
    return Tensor._wrap(np.sign(x._data))


def signbit(x: Tensor) -> Tensor:
    return Tensor._wrap(np.signbit(x._data))


# ------------------------------------------------------------------ binary


def _binary_op(name: str, forward: Callable[[np.ndarray, np.ndarray], np.ndarray],
               grads: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[Any, Any]],
               backward_name: str, floats: bool = True) -> Callable[[Any, Any], Tensor]:
    """A broadcasting op whose ``grads(g, a, b, out)`` returns both inputs' full-shape gradients."""

    def op(a: Any, b: Any) -> Tensor:
        a, b = operands(a, b)
        if floats:
            a, b = float_operand(a), float_operand(b)
        a_data, b_data = a._data, b._data
        with np.errstate(all="ignore"):
            out = np.asarray(_binary(name, forward, a, b))

        def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
            with np.errstate(all="ignore"):
                ga, gb = grads(g, a_data, b_data, out)
            return (None if ga is None else unbroadcast(ga.astype(g.dtype, copy=False),
                                                        a_data.shape),
                    None if gb is None else unbroadcast(gb.astype(g.dtype, copy=False),
                                                        b_data.shape))

        return Tensor._op(out, (a, b), backward, backward_name, saves_output=True)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}(input, other)`` (PyTorch's ``torch.{name}``), broadcast."
    return op


def _atan2_grads(g: Any, a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    denominator = a * a + b * b
    return g * b / denominator, -g * a / denominator


def _hypot_grads(g: Any, a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    return g * a / out, g * b / out


def _logaddexp_grads(g: Any, a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    return g * np.exp(a - out), g * np.exp(b - out)


def _logaddexp2_grads(g: Any, a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    return g * np.exp2(a - out), g * np.exp2(b - out)


def _copysign_grads(g: Any, a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    # d/da copysign(a, b) is out / a (+-1), zero at a == 0 (PyTorch's rule); nothing flows to b.
    ratio = np.where(a == 0, 0, out / np.where(a == 0, 1, a))
    return g * ratio, np.zeros_like(g)


def _fmod_grads(g: Any, a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    return g, -g * np.trunc(a / b)


def _remainder_grads(g: Any, a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    return g, -g * np.floor(a / b)


def _xlogy_grads(g: Any, a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    ga = np.where((a == 0) & ~np.isnan(b), 0, g * np.log(b))
    return ga, g * a / b


def _xlogy_forward(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where((a == 0) & ~np.isnan(b), 0, a * np.log(b))


atan2 = _binary_op("atan2", np.arctan2, _atan2_grads, "Atan2Backward")
arctan2 = atan2
hypot = _binary_op("hypot", np.hypot, _hypot_grads, "HypotBackward")
logaddexp = _binary_op("logaddexp", np.logaddexp, _logaddexp_grads, "LogaddexpBackward")
logaddexp2 = _binary_op("logaddexp2", np.logaddexp2, _logaddexp2_grads, "Logaddexp2Backward")
copysign = _binary_op("copysign", np.copysign, _copysign_grads, "CopysignBackward")
xlogy = _binary_op("xlogy", _xlogy_forward, _xlogy_grads, "XlogyBackward")
_fmod_float = _binary_op("fmod", np.fmod, _fmod_grads, "FmodBackward", floats=False)
_remainder_float = _binary_op("remainder", np.remainder, _remainder_grads, "RemainderBackward",
                              floats=False)


def _integer_division_check(name: str, a: Tensor, b: Tensor) -> None:
    if a._data.dtype.kind in "iub" and b._data.dtype.kind in "iub" and np.any(b._data == 0):
        raise RuntimeError(f"ZeroDivisionError: {name}: integer division by zero")


def fmod(a: Any, b: Any) -> Tensor:
    """C's remainder: the sign of the dividend ``a`` (``fmod(-3, 2) == -1``)."""
    a, b = operands(a, b)
    _integer_division_check("fmod", a, b)
    return _fmod_float(a, b)


def remainder(a: Any, b: Any) -> Tensor:
    """Python's ``%``: the sign of the divisor ``b`` (``remainder(-3, 2) == 1``)."""
    a, b = operands(a, b)
    _integer_division_check("remainder", a, b)
    return _remainder_float(a, b)


def lerp(start: Any, end: Any, weight: Any) -> Tensor:
    """``start + weight * (end - start)``, from the nearer end as PyTorch computes it
    (``end - (1 - weight) * (end - start)`` once ``|weight| >= 0.5``: exact at ``weight == 1``
    and finite towards an infinite ``start``); composed of differentiable ops."""
    from ember.ops.elementwise import abs as magnitude
    from ember.ops.elementwise import where

    diff = end - start
    if not isinstance(weight, Tensor):
        return start + weight * diff if -0.5 < weight < 0.5 else end - diff * (1 - weight)
    near_start = Tensor._wrap(np.asarray(magnitude(weight)._data < 0.5))
    return where(near_start, start + weight * diff, end - diff * (1 - weight))


def true_divide(a: Any, b: Any) -> Tensor:
    return a / b if isinstance(a, Tensor) else Tensor(a) / b


def float_power(a: Any, b: Any) -> Tensor:
    """``a ** b`` computed in float64, as PyTorch's."""
    from ember.ops import cast
    from ember.ops.elementwise import pow as power

    a, b = operands(a, b)
    return power(cast(a, np.dtype(np.float64)), cast(b, np.dtype(np.float64)))


def nan_to_num(x: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """NaN to ``nan``, +-inf to ``posinf``/``neginf`` (default: the dtype's extremes).

    The gradient passes where the value was finite and is zero where it was replaced."""
    data = x._data
    out = np.nan_to_num(data, nan=nan, posinf=posinf, neginf=neginf)
    finite = np.isfinite(data)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g * finite,)

    return Tensor._op(out, (x,), backward, "NanToNumBackward", saved=())


# ------------------------------------------------------------------ predicates


def isnan(x: Tensor) -> Tensor:
    return Tensor._wrap(np.isnan(x._data))


def isinf(x: Tensor) -> Tensor:
    return Tensor._wrap(np.isinf(x._data))


def isposinf(x: Tensor) -> Tensor:
    return Tensor._wrap(np.isposinf(x._data))


def isneginf(x: Tensor) -> Tensor:
    return Tensor._wrap(np.isneginf(x._data))


def isfinite(x: Tensor) -> Tensor:
    return Tensor._wrap(np.isfinite(x._data))


def isreal(x: Tensor) -> Tensor:
    return Tensor._wrap(np.ones(x._data.shape, dtype=bool))


def div(a: Any, b: Any, rounding_mode: str | None = None) -> Tensor:
    """``a / b``; ``rounding_mode='trunc'`` rounds towards zero and ``'floor'`` down (integers
    stay integers then; the rounded quotient has zero gradient, as in PyTorch)."""
    from ember.ops.elementwise import div as true_div

    if rounding_mode is None:
        return true_div(a, b)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found {rounding_mode!r}")
    a, b = operands(a, b)
    _integer_division_check("div", a, b)
    a_data, b_data = a._data, b._data
    if a_data.dtype.kind in "iu":
        quotient = np.floor_divide(a_data, b_data)
        if rounding_mode == "trunc":  # floor rounds negative quotients one too far down
            quotient = quotient + ((quotient < 0) & (quotient * b_data != a_data))
        return Tensor._wrap(quotient.astype(a_data.dtype, copy=False))
    with np.errstate(all="ignore"):
        if rounding_mode == "trunc":
            rounded = np.trunc(a_data / b_data)
        else:
            rounded = _floor_divide_floats(a_data, b_data)
    return Tensor._wrap(rounded.astype(a_data.dtype, copy=False))


def _floor_divide_floats(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Python's (and PyTorch's) float floor division, through fmod: exact where ``floor(a / b)``
    would round the quotient first, and NaN for an infinite dividend."""
    mod = np.fmod(a, b)
    quotient = (a - mod) / b
    quotient = np.where((mod != 0) & ((b < 0) != (mod < 0)), quotient - 1, quotient)
    floored = np.floor(quotient)
    floored = np.where(quotient - floored > 0.5, floored + 1, floored)
    result = np.where(quotient == 0, np.copysign(0.0, a / b), floored)
    return np.where(b == 0, a / b, result)


def round(x: Tensor, decimals: int = 0) -> Tensor:  # noqa: A001 - PyTorch's name
    """Round half to even, to ``decimals`` places (as PyTorch: ``round(x * 10**d) / 10**d``);
    zero gradient, so no graph is recorded."""
    if not decimals:
        return Tensor._wrap(np.round(x._data))
    scale = np.asarray(10.0**decimals, dtype=x._data.dtype if x._data.dtype.kind == "f"
                       else np.float32)
    return Tensor._wrap((np.round(x._data * scale) / scale).astype(x._data.dtype))

