"""Elementwise ops, each with its gradient rule right under its forward.

Binary ops broadcast as NumPy does; their backward sums the gradient back to each input's shape
with ``unbroadcast`` (the only place that happens).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.ops._util import as_tensor, each_for_the_other, float_operand, operands, unbroadcast
from ember.tensor import Tensor


def _broadcast_error(name: str, a: Tensor, b: Tensor) -> RuntimeError:
    return RuntimeError(
        f"{name}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together "
        "(trailing dims must be equal or 1)"
    )


def _binary(name: str, fn: Any, a: Tensor, b: Tensor) -> np.ndarray:
    try:
        return fn(a._data, b._data)
    except ValueError:
        raise _broadcast_error(name, a, b) from None


def _divisor_and_dividend(inputs: tuple[Tensor, ...]) -> list[Tensor]:
    a, b = inputs
    return [a, b] if b._requires_grad else [b]


def add(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    out = _binary("add", np.add, a, b)
    a_shape, b_shape = a._data.shape, b._data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return unbroadcast(g, a_shape), unbroadcast(g, b_shape)

    return Tensor._op(out, (a, b), backward, "AddBackward", saved=())


def sub(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    out = _binary("sub", np.subtract, a, b)
    a_shape, b_shape = a._data.shape, b._data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        return unbroadcast(g, a_shape), (unbroadcast(-g, b_shape) if b._requires_grad else None)

    return Tensor._op(out, (a, b), backward, "SubBackward", saved=())


def mul(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    a_data, b_data = a._data, b._data
    out = _binary("mul", np.multiply, a, b)

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        ga = unbroadcast(g * b_data, a_data.shape) if a._requires_grad else None
        gb = unbroadcast(g * a_data, b_data.shape) if b._requires_grad else None
        return ga, gb

    return Tensor._op(out, (a, b), backward, "MulBackward", saved=each_for_the_other)


def div(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    a, b = float_operand(a), float_operand(b)  # true division, as PyTorch
    a_data, b_data = a._data, b._data
    out = _binary("div", np.divide, a, b)

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        # From the inputs, not the output (PyTorch's rule): changing the output in place later
        # must not change the gradient.
        ga = unbroadcast(g / b_data, a_data.shape) if a._requires_grad else None
        gb = (unbroadcast(-g * a_data / (b_data * b_data), b_data.shape) if b._requires_grad
              else None)
        return ga, gb

    return Tensor._op(out, (a, b), backward, "DivBackward", saved=_divisor_and_dividend)


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - PyTorch's name
    a, b = operands(a, b)
    a_data, b_data = a._data, b._data
    if a_data.dtype.kind in "iu" and np.any(b_data < 0):
        raise ValueError("pow: integers to negative integer powers are not allowed")
    out = _binary("pow", np.power, a, b)

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if a._requires_grad:  # x ** 0 has gradient 0 everywhere, also at 0 and inf
                ga = np.where(b_data == 0, 0, g * b_data * np.power(a_data, b_data - 1))
                ga = unbroadcast(ga.astype(g.dtype, copy=False), a_data.shape)
            if b._requires_grad:  # 0 ** y has gradient 0 in y for y >= 0, as in PyTorch
                gb = np.where((a_data == 0) & (b_data >= 0), 0, g * out * np.log(a_data))
                gb = unbroadcast(gb.astype(g.dtype, copy=False), b_data.shape)
        return ga, gb

    # Like PyTorch, the exponent's rule reads the result, so the result is saved when it needs it.
    return Tensor._op(out, (a, b), backward, "PowBackward", saves_output=b._requires_grad)


def floor_divide(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    return Tensor._wrap(_binary("floor_divide", np.floor_divide, a, b))


def remainder(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    return Tensor._wrap(_binary("remainder", np.remainder, a, b))


def _select_between(name: str, a: Any, b: Any, pick_a: Any) -> Tensor:
    """maximum/minimum: the gradient goes to the chosen input, split evenly on ties (PyTorch)."""
    a, b = operands(a, b)
    a_data, b_data = a._data, b._data
    out = _binary(name, np.maximum if name == "maximum" else np.minimum, a, b)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        share_a = pick_a(a_data, b_data) + 0.5 * (a_data == b_data)
        return (unbroadcast(g * share_a, a_data.shape),
                unbroadcast(g * (1 - share_a), b_data.shape))

    return Tensor._op(out, (a, b), backward, name.capitalize() + "Backward")


def maximum(a: Any, b: Any) -> Tensor:
    return _select_between("maximum", a, b, np.greater)


def minimum(a: Any, b: Any) -> Tensor:
    return _select_between("minimum", a, b, np.less)


def where(condition: Any, a: Any = None, b: Any = None) -> Any:
    """Elements of ``a`` where ``condition`` holds, else of ``b`` (all three broadcast);
    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``, as PyTorch's."""
    if a is None and b is None:
        from ember.ops.index_ops import nonzero

        return nonzero(condition if isinstance(condition, Tensor) else Tensor(condition), True)
    cond = np.asarray(condition._data if isinstance(condition, Tensor) else condition, dtype=bool)
    a, b = operands(a, b)
    a_data, b_data = a._data, b._data
    try:
        out = np.where(cond, a_data, b_data)
    except ValueError:
        raise RuntimeError(
            f"where: condition {cond.shape}, input {a_data.shape} and other {b_data.shape} "
            "cannot be broadcast together"
        ) from None

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        zero = np.zeros((), dtype=g.dtype)
        return (unbroadcast(np.where(cond, g, zero), a_data.shape),
                unbroadcast(np.where(cond, zero, g), b_data.shape))

    return Tensor._op(out, (a, b), backward, "WhereBackward", saved=(), ctx=cond)


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """``x`` with ``value`` wherever ``mask`` is true."""
    return where(mask, as_tensor(value, x._data), x)


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit values to ``[min, max]``; the gradient passes where the input was inside the range."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = x
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    if x._data.dtype.kind in "iub" and any(isinstance(b, float) for b in (min, max)):
        x = float_operand(x)  # an integer tensor clamped to float bounds becomes float (PyTorch)
    data = x._data
    out = np.clip(data, min, max)
    if out.dtype != data.dtype:
        out = out.astype(data.dtype)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        inside = np.ones(data.shape, dtype=bool)
        if min is not None:
            inside &= data >= min
        if max is not None:
            inside &= data <= max
        return (g * inside,)

    return Tensor._op(out, (x,), backward, "ClampBackward", ctx=(min, max))


clip = clamp


def neg(x: Tensor) -> Tensor:
    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (-g,)

    return Tensor._op(np.negative(x._data), (x,), backward, "NegBackward", saved=())


def exp(x: Tensor) -> Tensor:
    x = float_operand(x)
    with np.errstate(over="ignore"):
        out = np.exp(x._data)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g * out,)

    return Tensor._op(out, (x,), backward, "ExpBackward", saves_output=True, saved=())


def log(x: Tensor) -> Tensor:
    x = float_operand(x)
    data = x._data
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(data)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(divide="ignore"):
            return (g / data,)

    return Tensor._op(out, (x,), backward, "LogBackward")


def log1p(x: Tensor) -> Tensor:
    x = float_operand(x)
    data = x._data
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log1p(data)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(divide="ignore"):
            return (g / (1 + data),)

    return Tensor._op(out, (x,), backward, "Log1PBackward")


def sqrt(x: Tensor) -> Tensor:
    x = float_operand(x)
    with np.errstate(invalid="ignore"):
        out = np.sqrt(x._data)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(divide="ignore"):
            return (g / (2 * out),)

    return Tensor._op(out, (x,), backward, "SqrtBackward", saves_output=True, saved=())


def abs(x: Tensor) -> Tensor:  # noqa: A001 - PyTorch's name
    data = x._data

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g * np.sign(data),)

    return Tensor._op(np.abs(data), (x,), backward, "AbsBackward")


def sin(x: Tensor) -> Tensor:
    x = float_operand(x)
    data = x._data

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g * np.cos(data),)

    return Tensor._op(np.sin(data), (x,), backward, "SinBackward")


def cos(x: Tensor) -> Tensor:
    x = float_operand(x)
    data = x._data

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (-g * np.sin(data),)

    return Tensor._op(np.cos(data), (x,), backward, "CosBackward")


def _no_grad_unary(fn: Any) -> Any:
    """Piecewise-constant functions: their gradient is zero, so they record nothing."""

    def op(x: Tensor) -> Tensor:
        return Tensor._wrap(fn(x._data))

    op.__name__ = fn.__name__
    return op




def _sign_of(values: np.ndarray) -> np.ndarray:
    """-1, 0 or 1; NaN's sign is 0, as PyTorch's."""
    signs = np.sign(values)
    return np.where(np.isnan(signs), 0, signs).astype(signs.dtype) if signs.dtype.kind == "f" \
        else signs


_sign_of.__name__ = "sign"
sign = _no_grad_unary(_sign_of)
floor = _no_grad_unary(np.floor)
ceil = _no_grad_unary(np.ceil)
round = _no_grad_unary(np.round)  # noqa: A001 - PyTorch's name


def _comparison(fn: Any) -> Any:
    def op(a: Any, b: Any) -> Tensor:
        a, b = operands(a, b)
        return Tensor._wrap(_binary(fn.__name__, fn, a, b))

    op.__name__ = fn.__name__
    return op


eq = _comparison(np.equal)
ne = _comparison(np.not_equal)
lt = _comparison(np.less)
le = _comparison(np.less_equal)
gt = _comparison(np.greater)
ge = _comparison(np.greater_equal)
logical_and = _comparison(np.logical_and)
logical_or = _comparison(np.logical_or)
logical_xor = _comparison(np.logical_xor)


def logical_not(x: Tensor) -> Tensor:
    return Tensor._wrap(np.logical_not(x._data))  # always bool, as PyTorch (``~`` is bitwise)


def isclose(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8,
            equal_nan: bool = False) -> Tensor:
    a, b = operands(a, b)
    return Tensor._wrap(np.isclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    a, b = operands(a, b)
    return bool(np.allclose(a._data, b._data, rtol=rtol, atol=atol))


def equal(a: Tensor, b: Tensor) -> bool:
    """True when both tensors have the same shape and the same values."""
    return a.shape == b.shape and bool(np.array_equal(a._data, b._data))
