"""``ember.autograd.functional``: Jacobians and Hessians of small functions, as PyTorch's.

Reverse mode, one vector-Jacobian product per output element: meant for the small functions of
lessons and tests, not for large networks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember.autograd.grad_mode import enable_grad
from ember.autograd.gradcheck import grad
from ember.tensor import Tensor


def _as_tuple(value: Any) -> tuple[tuple[Any, ...], bool]:
    return (value, True) if isinstance(value, tuple) else ((value,), False)


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """d func(inputs) / d inputs, shaped ``output.shape + input.shape`` for each pair.

    ``vectorize`` only chooses how PyTorch batches the work; the result is the same, computed
    here row by row. ``strategy='forward-mode'`` is not supported.
    """
    if strategy != "reverse-mode":
        raise NotImplementedError(f"jacobian(strategy={strategy!r}): only 'reverse-mode'")
    inputs_tuple, multi_in = _as_tuple(inputs)
    for t in inputs_tuple:
        if not isinstance(t, Tensor):
            raise TypeError(f"jacobian: inputs must be tensors, got {type(t).__name__}")
    with enable_grad():
        leaves = tuple(t.detach().requires_grad_(True) for t in inputs_tuple)
        outputs, multi_out = _as_tuple(func(*leaves))
        rows: list[list[Tensor]] = []
        for out in outputs:
            per_input: list[list[Tensor]] = [[] for _ in leaves]
            flat = out.reshape(-1)
            for k in range(flat.numel()):
                if not out.requires_grad:
                    if strict:
                        raise RuntimeError("jacobian: the output does not depend on the inputs "
                                           "(strict=True)")
                    found: tuple[Any, ...] = (None,) * len(leaves)
                else:
                    found = grad(flat[k], leaves, retain_graph=True, create_graph=create_graph,
                                 allow_unused=True)
                for i, (leaf, g) in enumerate(zip(leaves, found)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"jacobian: output {k} does not depend on input {i} "
                                               "(strict=True)")
                        g = Tensor._wrap(np.zeros(tuple(leaf.shape), dtype=leaf._data.dtype))
                    per_input[i].append(g)
            rows.append([_stack(gs, tuple(out.shape), tuple(leaf.shape), create_graph)
                         for gs, leaf in zip(per_input, leaves)])
    result = [tuple(r) if multi_in else r[0] for r in rows]
    return tuple(result) if multi_out else result[0]


def _stack(grads: list[Tensor], out_shape: tuple[int, ...], in_shape: tuple[int, ...],
           keep_graph: bool) -> Tensor:
    from ember.ops.shape import stack

    if not grads:
        return Tensor._wrap(np.zeros(out_shape + in_shape, dtype=np.float32))
    joined = stack(grads) if keep_graph else Tensor._wrap(np.stack([g._data for g in grads]))
    return joined.reshape(out_shape + in_shape)


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """Second derivatives of a scalar function: the Jacobian of its gradient."""
    if outer_jacobian_strategy != "reverse-mode":
        raise NotImplementedError(
            f"hessian(outer_jacobian_strategy={outer_jacobian_strategy!r}): only 'reverse-mode'")
    inputs_tuple, multi_in = _as_tuple(inputs)

    def gradient(*xs: Tensor) -> Any:
        out = func(*xs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("hessian: the function must return a single-element tensor")
        found = grad(out.reshape(()), xs, create_graph=True, allow_unused=True)
        found = tuple(Tensor._wrap(np.zeros(tuple(x.shape), dtype=x._data.dtype)) if g is None
                      else g for x, g in zip(xs, found))
        return found if multi_in else found[0]

    return jacobian(gradient, inputs_tuple if multi_in else inputs_tuple[0],
                    create_graph=create_graph, strict=strict)


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), v^T J)``: the output and its vector-Jacobian product."""
    inputs_tuple, multi_in = _as_tuple(inputs)
    with enable_grad():
        leaves = tuple(t.detach().requires_grad_(True) for t in inputs_tuple)
        out = func(*leaves)
        found = grad(out, leaves, grad_outputs=v, create_graph=create_graph, allow_unused=True)
    found = tuple(Tensor._wrap(np.zeros(tuple(x.shape), dtype=x._data.dtype)) if g is None
                  else g for x, g in zip(leaves, found))
    return (out if create_graph else out.detach()), (found if multi_in else found[0])
