"""``einsum``: Einstein summation over any number of operands, with ``...``, repeated indices
(traces and diagonals) and implicit output, as ``torch.einsum``.

The forward is one ``np.einsum``; each operand's gradient is another ``np.einsum`` of the
upstream gradient with the other operands, spread back over repeated indices and over indices
that only that operand has.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.ops._util import operands
from ember.tensor import Tensor

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"  # string.ascii_letters


def _parse(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """Subscripts per operand and for the output, with ``...`` replaced by fresh letters."""
    equation = equation.replace(" ", "")
    inputs_part, arrow, output = equation.partition("->")
    subscripts = inputs_part.split(",")
    if len(subscripts) != len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation" if len(shapes) > len(subscripts) else
                           "einsum(): fewer operands were provided than specified in the "
                           "equation")
    for sub in subscripts + [output]:
        for ch in sub.replace("...", ""):
            if ch not in _LETTERS:
                raise RuntimeError(f"einsum(): invalid subscript given at index "
                                   f"{equation.index(ch)} in the equation string, subscripts "
                                   f"must be in [a-zA-Z]")
    used = set(equation)
    fresh = [ch for ch in _LETTERS if ch not in used]
    ellipsis_rank = 0
    explicit = []
    for sub, shape in zip(subscripts, shapes):
        named = len(sub.replace("...", ""))
        if "..." in sub:
            ellipsis_rank = max(ellipsis_rank, len(shape) - named)
        elif named != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) "
                               f"does not match the number of dimensions ({len(shape)}) for "
                               f"operand {len(explicit)} and no ellipsis was given")
        explicit.append(sub)
    ell = "".join(fresh[:ellipsis_rank])
    resolved = []
    for sub, shape in zip(subscripts, shapes):
        if "..." in sub:
            rank = len(shape) - len(sub.replace("...", ""))
            if rank < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation does not "
                                   f"fit operand of {len(shape)} dims")
            sub = sub.replace("...", ell[ellipsis_rank - rank:])
        resolved.append(sub)
    if arrow:
        out = output.replace("...", ell)
    else:  # implicit: the ellipsis dims, then the letters used once, alphabetically
        counts: dict[str, int] = {}
        for sub in resolved:
            for ch in sub:
                counts[ch] = counts.get(ch, 0) + 1
        out = ell + "".join(sorted(ch for ch, n in counts.items() if n == 1 and ch not in ell))
    for ch in out:
        if not any(ch in sub for sub in resolved):
            raise RuntimeError(f"einsum(): output subscript {ch} does not appear in the equation "
                               f"for any input operand")
    if len(set(out)) != len(out):
        raise RuntimeError("einsum(): output subscript appears more than once in the output")
    return resolved, out


def _sizes(subs: list[str], shapes: list[tuple[int, ...]]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for sub, shape in zip(subs, shapes):
        for ch, n in zip(sub, shape):
            if ch in sizes and n != sizes[ch] and 1 not in (n, sizes[ch]):
                raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes "
                                   f"(original->remapped): subscript {ch} has sizes "
                                   f"{sizes[ch]} and {n}")
            sizes[ch] = max(n, sizes.get(ch, 1))
    return sizes


def einsum(equation: str, *tensors: Any) -> Tensor:
    """Sum of products over the indices named in ``equation`` (e.g. ``'bij,bjk->bik'``)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise RuntimeError("einsum(): must provide at least one operand")
    ts = list(tensors)
    if len(ts) > 1:  # one dtype for all, promoted as binary ops promote
        first = ts[0]
        for i in range(1, len(ts)):
            first, ts[i] = operands(first, ts[i])
        ts = [operands(t, first)[0] for t in ts]
    arrays = [t._data for t in ts]
    shapes = [a.shape for a in arrays]
    subs, out_sub = _parse(equation, shapes)
    sizes = _sizes(subs, shapes)
    spec = ",".join(subs) + "->" + out_sub
    try:
        out = np.einsum(spec, *arrays, optimize=len(arrays) > 2)
    except ValueError as exc:
        raise RuntimeError(f"einsum(): operands of shapes {[list(s) for s in shapes]} do not "
                           f"fit {equation!r}: {exc}") from None

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        grads: list[np.ndarray | None] = []
        for k, (t, _sub) in enumerate(zip(ts, subs)):
            if not t._requires_grad:
                grads.append(None)
                continue
            grads.append(_operand_grad(g, out_sub, k, subs, arrays, sizes).astype(g.dtype))
        return tuple(grads)

    return Tensor._op(np.asarray(out), tuple(ts), backward, "EinsumBackward")


def _operand_grad(g: np.ndarray, out_sub: str, k: int, subs: list[str],
                  arrays: list[np.ndarray], sizes: dict[str, int]) -> np.ndarray:
    """d(sum g * out)/d operand k: einsum of g with the others into k's distinct letters, then
    broadcast over letters only k has and placed on the diagonals k's repeated letters name."""
    target = subs[k]
    distinct = "".join(dict.fromkeys(target))
    others = [(s, a) for i, (s, a) in enumerate(zip(subs, arrays)) if i != k]
    present = set(out_sub).union(*(set(s) for s, _ in others)) if others else set(out_sub)
    reachable = "".join(ch for ch in distinct if ch in present)
    operand_specs = [out_sub] + [s for s, _ in others]
    reduced = np.einsum(",".join(operand_specs) + "->" + reachable, g, *(a for _, a in others),
                        optimize=len(others) > 1)
    # Letters only this operand has were summed in the forward: every element gets the gradient.
    full_shape = tuple(sizes[ch] for ch in distinct)
    expand_spec = [sizes[ch] if ch in reachable else 1 for ch in distinct]
    order = [reachable.index(ch) for ch in distinct if ch in reachable]
    reduced = np.transpose(reduced, order) if reduced.ndim else reduced
    grad_distinct = np.broadcast_to(reduced.reshape(expand_spec), full_shape)
    shape = arrays[k].shape
    if len(distinct) == len(target):
        return _unbroadcast_to(grad_distinct, shape)
    # Repeated letters: the gradient sits on the diagonal those letters select.
    grad = np.zeros(tuple(sizes[ch] for ch in target), dtype=g.dtype)
    positions = np.indices(full_shape, sparse=True)
    index = tuple(positions[distinct.index(ch)] for ch in target)
    grad[index] = grad_distinct
    return _unbroadcast_to(grad, shape)


def _unbroadcast_to(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum over size-1 dims of the operand that were broadcast against other operands."""
    if grad.shape == shape:
        return np.ascontiguousarray(grad)
    axes = tuple(i for i, (n, m) in enumerate(zip(grad.shape, shape)) if m == 1 and n != 1)
    return grad.sum(axis=axes, keepdims=True).reshape(shape)
