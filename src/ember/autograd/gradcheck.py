"""Check a backward rule against finite differences: the tool behind every gradient test.

    x = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: (t * t).sum(dim=1), (x,))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ember.autograd.engine import run_backward
from ember.autograd.grad_mode import no_grad


class GradcheckError(AssertionError):
    """The analytical and numerical gradients disagree."""


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple[Any, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned instead of stored in .grad.

    With ``create_graph=True`` the gradients are recorded, so they can be differentiated again
    (second derivatives); ``materialize_grads=True`` gives zeros instead of None for an unused
    input, as in PyTorch.
    """
    if is_grads_batched:
        raise NotImplementedError("autograd.grad(is_grads_batched=True) is not supported")
    if allow_unused is None:
        allow_unused = materialize_grads
    retain_graph = create_graph if retain_graph is None else retain_graph
    from ember.tensor import Tensor

    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single_input = isinstance(inputs, Tensor)
    inputs = [inputs] if single_input else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, (Tensor, np.ndarray)):
        grad_outputs = [grad_outputs]
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("grad: one of the differentiated tensors does not require grad")
    totals: list[Any] = [None] * len(inputs)
    for i, (out, seed) in enumerate(zip(outputs, grad_outputs)):
        if not out.requires_grad:
            raise RuntimeError("grad: an output does not require grad and has no grad_fn")
        seed = np.ones(out._data.shape, out._data.dtype) if seed is None else np.array(
            seed._data if isinstance(seed, Tensor) else seed, dtype=out._data.dtype)
        keep = retain_graph or i < len(outputs) - 1
        if create_graph:
            from ember.autograd.higher_order import run_backward_with_graph

            found = run_backward_with_graph(out, Tensor._wrap(seed) if not isinstance(
                grad_outputs[i], Tensor) else grad_outputs[i], inputs) or []
        else:
            found = [None if f is None else Tensor._wrap(f)
                     for f in run_backward(out, seed, retain_graph=keep, inputs=inputs) or []]
        totals = [f if t is None else (t if f is None else t + f) for t, f in zip(totals, found)]
    if not allow_unused and any(r is None for r in totals):
        raise RuntimeError("one of the differentiated tensors appears to not have been used in "
                           "the graph; pass allow_unused=True to get None for it")
    if materialize_grads:
        totals = [Tensor._wrap(np.zeros_like(t._data)) if r is None else r
                  for t, r in zip(inputs, totals)]
    return tuple(totals)


def gradcheck(fn: Callable[..., Any], inputs: Sequence[Any], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Compare ``fn``'s backward with central differences, element by element.

    ``inputs`` are the arguments of ``fn``; those that are tensors with ``requires_grad`` are
    checked. Use float64 tensors: in float32, rounding swamps the finite differences.
    """
    from ember.tensor import Tensor

    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    checked = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input tensor has requires_grad=True")
    for t in checked:
        if t._data.dtype != np.float64:
            raise ValueError(f"gradcheck: inputs must be float64 for reliable finite "
                             f"differences, got {t.dtype}")

    def outputs_of() -> list[np.ndarray]:
        result = fn(*inputs)
        result = result if isinstance(result, (tuple, list)) else (result,)
        return [r for r in result if isinstance(r, Tensor)]

    for t in checked:  # the finite differences perturb t's memory through a flat view
        if not t._data.flags.c_contiguous:  # (np.ascontiguousarray would make 0-d into 1-d)
            t._data = t._data.copy(order="C")
    outputs = outputs_of()
    for out_index, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        size = out._data.size
        analytical = [np.zeros((size, t._data.size)) for t in checked]
        for row in range(size):
            seed = np.zeros(out._data.shape, dtype=out._data.dtype)
            seed.reshape(-1)[row] = 1.0
            grads = grad(out, checked, seed, retain_graph=True, allow_unused=True)
            for col, g in enumerate(grads):
                if g is not None:
                    analytical[col][row] = g._data.reshape(-1)
        for col, t in enumerate(checked):
            numerical = _numerical_jacobian(outputs_of, out_index, t, eps)
            if not np.allclose(analytical[col], numerical, atol=atol, rtol=rtol):
                diff = np.abs(analytical[col] - numerical)
                row, k = np.unravel_index(np.argmax(diff), diff.shape)
                message = (
                    f"gradcheck: output {out_index} (shape {tuple(out.shape)}) w.r.t. input "
                    f"{col} (shape {tuple(t.shape)}): analytical {analytical[col][row, k]:.6g} "
                    f"vs numerical {numerical[row, k]:.6g} at output element {row}, input "
                    f"element {k} (max abs diff {diff.max():.3g})"
                )
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True


def _numerical_jacobian(outputs_of: Callable[[], list[Any]], out_index: int, t: Any,
                        eps: float) -> np.ndarray:
    flat = t._data.reshape(-1)
    columns = []
    with no_grad():
        for k in range(flat.size):
            original = flat[k]
            flat[k] = original + eps
            plus = outputs_of()[out_index]._data.astype(np.float64).reshape(-1).copy()
            flat[k] = original - eps
            minus = outputs_of()[out_index]._data.astype(np.float64).reshape(-1).copy()
            flat[k] = original
            columns.append((plus - minus) / (2 * eps))
    size = outputs_of()[out_index]._data.size if not columns else columns[0].size
    return np.stack(columns, axis=1) if columns else np.zeros((size, 0))
