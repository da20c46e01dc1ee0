"""PyTorch's ``out=`` argument for the ``ember.*`` functions that tutorials call with it
(``torch.matmul(a, b, out=c)``): the result is written into ``out``, which is returned.

As in PyTorch, ``out`` takes the result's shape (it is resized when it differs), the result must
be castable to ``out``'s dtype, and ``out=`` refuses to record autograd history.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ember.autograd.grad_mode import STATE
from ember.tensor import Tensor


def write_out(result: Tensor, out: Any, name: str) -> Tensor:
    """Copy ``result`` into ``out`` (resizing it) and return ``out``."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if STATE.enabled and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    source = result._data
    if not np.can_cast(source.dtype, out._data.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {result.dtype} can't be cast to the desired output type "
                           f"{out.dtype}")
    if out._data.shape == source.shape:
        np.copyto(out._data, source, casting="same_kind")
    else:  # PyTorch resizes out to the result's shape
        out._data = source.astype(out._data.dtype, copy=True)
    out._version += 1
    return out


def with_out(name: str) -> Callable[..., Any]:
    """``ember.<name>`` accepting ``out=``; the op is looked up at each call (so tracing, which
    patches ``ember.ops``, sees it)."""
    from ember import ops

    op = getattr(ops, name)

    names = _OPERAND_NAMES.get(name, ("input",))

    @functools.wraps(op)
    def function(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if any(key in kwargs for key in names):
            args = _operands_by_name(name, names, args, kwargs)
        result = getattr(ops, name)(*args, **kwargs)
        return result if out is None else write_out(result, out, name)

    return function


# PyTorch's names for the leading operands, so ``torch.matmul(input=a, other=b)`` works.
_BINARY = ("input", "other")
_OPERAND_NAMES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("add", "sub", "mul", "div", "matmul", "dot", "maximum", "minimum",
                     "remainder", "fmod", "atan2"), _BINARY),
    "mm": ("input", "mat2"), "bmm": ("input", "mat2"), "pow": ("input", "exponent"),
    "cat": ("tensors",), "stack": ("tensors",), "where": ("condition", "input", "other"),
}


def _operands_by_name(name: str, names: tuple[str, ...], args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Move operands given by PyTorch's keyword names into their positions."""
    args = tuple(args)
    for position, key in enumerate(names):
        if key not in kwargs:
            if position >= len(args):
                break
            continue
        if position < len(args):
            raise TypeError(f"{name}() got multiple values for argument '{key}'")
        if position > len(args):
            raise TypeError(f"{name}() missing argument '{names[len(args)]}'")
        args = (*args, kwargs.pop(key))
    return args
