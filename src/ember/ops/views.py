"""Views and in-place changes under autograd, by PyTorch's rules.

A view (a slice, ``reshape``, ``transpose``, ``expand``, ...) shares its base's memory and its
version counter, and remembers how to cut itself out of the base (``_view_fn``, composed back to the
root base). An in-place change that autograd must record is computed out of place from a private
snapshot of the old values and then written into the tensor's own memory, so every alias sees it:

- the tensor's ``_node`` becomes the op's node; the node that produced the old values stays the
  snapshot's, and consumers that read the tensor before the change keep their edges to it;
- through a view, the base's history is rebased too (PyTorch's ``CopySlices``): the base's gradient
  flows to the new values inside the view's region and to the old base outside it;
- a view whose base changed since its node was made gets a fresh node from the base's current one
  when it is next used (``refresh_view``), as PyTorch regenerates a view's ``grad_fn``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from ember.autograd.engine import Node
from ember.autograd.grad_mode import STATE
from ember.tensor import Tensor

ViewFn = Callable[[np.ndarray], np.ndarray]


def make_view(out: Tensor, base: Tensor, view_fn: ViewFn) -> Tensor:
    """Mark ``out`` as a view of ``base`` when its array really shares ``base``'s memory."""
    if not np.may_share_memory(out._data, base._data):  # e.g. a reshape that had to copy
        return out
    root = base._base
    if root is None:
        root, fn = base, view_fn
    else:
        parent_fn = base._view_fn

        def fn(array: np.ndarray) -> np.ndarray:
            return view_fn(parent_fn(array))

    out._vc = root._vc
    out._base = root
    out._view_fn = fn
    out._view_version = root._vc[0]
    return out


def share_version(alias: Tensor, source: Tensor) -> Tensor:
    """``alias`` (e.g. ``detach()``) counts its in-place changes with ``source``."""
    alias._vc = source._vc
    return alias


def _positions(view: Tensor) -> np.ndarray:
    """The flat index in the root base of each element of ``view``."""
    shape = view._base._data.shape
    return view._view_fn(np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape))


def refresh_view(view: Tensor) -> None:
    """Give a view whose base changed in place a node reading the base's current history."""
    if view._vc[0] == view._view_version:
        return
    view._view_version = view._vc[0]
    base = view._base
    if not base._requires_grad:
        return
    positions = _positions(view)
    size, shape = base._data.size, base._data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        flat = np.bincount(positions.ravel(), weights=g.ravel(), minlength=size)
        return (flat.reshape(shape).astype(g.dtype, copy=False),)

    node = Node("AsStridedBackward", (base,), backward, saved=())
    _move_retained(view, node)
    view._node, view._requires_grad = node, True


def _move_retained(t: Tensor, node: Node | None) -> None:
    if t._retains_grad and node is not None:
        if t._node is not None:
            t._node.retained = None
        node.retained = weakref.ref(t)


def records_inplace(x: Tensor, *others: Any) -> bool:
    """Whether an in-place change of ``x`` with ``others`` must be recorded for autograd."""
    if not STATE.enabled:
        return False
    if x._requires_grad or (x._base is not None and x._base._requires_grad):
        return True
    return any(isinstance(o, Tensor) and o._requires_grad for o in others)


def rebase(x: Tensor, compute: Callable[[Tensor], Tensor], name: str) -> Tensor:
    """Record ``x <- compute(old x)``: see the module docstring."""
    base = x._base
    if base is None and x._node is None and x._requires_grad:
        raise RuntimeError(
            f"a leaf Variable that requires grad is being used in an in-place operation "
            f"({name}); wrap parameter updates in `with ember.no_grad():`"
        )
    if base is not None:
        if base._node is None and base._requires_grad:
            raise RuntimeError(
                f"a view of a leaf Variable that requires grad is being used in an in-place "
                f"operation ({name})"
            )
        refresh_view(x)
    check_writable(x, name)
    old = Tensor._wrap(x._data.copy())  # private: the new node may read the old values
    old._requires_grad, old._node = x._requires_grad, x._node
    result = compute(old)
    if result._data.shape != x._data.shape:
        raise RuntimeError(f"{name}: the result has shape {list(result._data.shape)} but the "
                           f"tensor it updates has shape {list(x._data.shape)}")
    np.copyto(x._data, result._data, casting="unsafe")
    if base is None:
        _move_retained(x, result._node)
        x._node, x._requires_grad = result._node, result._requires_grad
        x._version += 1
        if result._node is not None and result._node.output_counter is not None:
            # The rule reads its output: that is x now, whose memory any alias may change.
            result._node.output_counter, result._node.output_version = x._vc, x._vc[0]
        return x
    _rebase_base(x, base, result)
    return x


def _rebase_base(view: Tensor, base: Tensor, result: Tensor) -> None:
    """The base's new history after ``view`` took ``result``'s values (PyTorch's CopySlices)."""
    old_base = Tensor._wrap(base._data)  # only its place in the graph is read, never its values
    old_base._requires_grad, old_base._node = base._requires_grad, base._node
    positions = _positions(view)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g_old = g.copy()
        g_old.reshape(-1)[positions.ravel()] = 0
        return g_old, g.reshape(-1)[positions]

    node = Node("CopySlices", (old_base, result), backward, saved=())
    _move_retained(base, node)
    base._node, base._requires_grad = node, True
    base._version += 1
    refresh_view(view)


def check_writable(x: Tensor, name: str) -> None:
    if not x._data.flags.writeable:
        raise RuntimeError(
            f"{name}: unsupported operation: more than one element of the written-to tensor "
            "refers to a single memory location (an expanded tensor); clone() it first"
        )
