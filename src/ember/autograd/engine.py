"""The reverse-mode engine: graph nodes and the backward pass.

Every differentiable op creates its output tensor with a ``Node`` holding the op's inputs and a
``backward(grad) -> tuple of input grads`` closure written right under the op's forward. The engine
sorts the graph topologically (iteratively, so deep graphs cannot hit the recursion limit) and feeds
each node the gradient of its output, summed over every consumer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ember.tensor import Tensor

BackwardFn = Callable[[np.ndarray], Sequence["np.ndarray | None"]]


class Node:
    """One recorded operation: its inputs, its gradient rule, and the versions of what it read.

    Every tensor counts its in-place modifications in ``_version``. The node remembers the versions
    of its inputs (and of its output, when the rule reads the output); if one has changed by the
    time the backward pass gets here, the gradient would be computed from stale values, so the
    engine raises instead of returning a wrong answer.
    """

    __slots__ = ("name", "inputs", "backward_fn", "versions", "output_version")

    def __init__(
        self,
        name: str,
        inputs: tuple[Tensor, ...],
        backward_fn: BackwardFn,
        saves_output: bool = False,
    ) -> None:
        self.name = name
        self.inputs = inputs
        self.backward_fn: BackwardFn | None = backward_fn
        self.versions = tuple([t._version for t in inputs])
        self.output_version = 0 if saves_output else None

    def __repr__(self) -> str:
        return f"<{self.name}>"

    def check_versions(self, output: Tensor) -> None:
        stale = None
        if self.output_version is not None and output._version != self.output_version:
            stale, expected = output, self.output_version
        for tensor, version in zip(self.inputs, self.versions):
            if tensor._version != version:
                stale, expected = tensor, version
        if stale is not None:
            raise RuntimeError(
                "one of the tensors needed for gradient computation has been modified by an "
                f"in-place operation: the {stale.dtype} tensor of shape {list(stale.shape)} used "
                f"by {self.name} is at version {stale._version}; expected version {expected}. "
                "Use an out-of-place op (x = x + 1 instead of x += 1) or clone() it first."
            )


def topological_order(root: Tensor) -> list[Tensor]:
    """Tensors reachable from ``root`` through recorded nodes, each after all of its consumers."""
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        tensor, inputs_done = stack.pop()
        if inputs_done:
            order.append(tensor)
            continue
        if id(tensor) in visited:
            continue
        visited.add(id(tensor))
        stack.append((tensor, True))
        node = tensor._node
        if node is not None:
            for inp in node.inputs:
                if inp._requires_grad and id(inp) not in visited:
                    stack.append((inp, False))
    order.reverse()
    return order


def run_backward(root: Tensor, seed: np.ndarray, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) * seed into ``.grad`` of every leaf that requires grad."""
    order = topological_order(root)
    grads: dict[int, np.ndarray] = {id(root): seed}
    handed_to_leaves: set[int] = set()
    for tensor in order:
        grad = grads.pop(id(tensor), None)
        if grad is None:
            continue
        node = tensor._node
        if node is None or tensor._retains_grad:
            _accumulate_into_grad(tensor, grad, handed_to_leaves)
        if node is None:
            continue
        backward_fn = node.backward_fn
        if backward_fn is None:
            raise RuntimeError(
                f"trying to backward through the graph a second time ({node.name}): its saved "
                "values were freed by the first backward(). Pass retain_graph=True to the first "
                "backward() if you need to call it twice."
            )
        node.check_versions(tensor)
        input_grads = backward_fn(grad)
        if not retain_graph:
            node.backward_fn = None
        for inp, inp_grad in zip(node.inputs, input_grads):
            if inp_grad is None or not inp._requires_grad:
                continue
            inp_data = inp._data
            if inp_grad.shape != inp_data.shape:
                raise AssertionError(
                    f"{node.name} returned a gradient of shape {inp_grad.shape} for an input of "
                    f"shape {inp_data.shape}"
                )
            if inp_grad.dtype != inp_data.dtype:
                inp_grad = inp_grad.astype(inp_data.dtype)
            key = id(inp)
            previous = grads.get(key)
            # Out of place: a gradient array may be shared with another branch of the graph.
            grads[key] = inp_grad if previous is None else previous + inp_grad


def _accumulate_into_grad(tensor: Tensor, grad: np.ndarray, handed: set[int]) -> None:
    if tensor.grad is None:
        # A leaf's .grad must own its memory: users and optimizers may change it in place.
        if not grad.flags.owndata or id(grad) in handed or not grad.flags.writeable:
            grad = grad.copy()
        handed.add(id(grad))
        # A plain Tensor even for subclasses (a Parameter's .grad is not itself a Parameter).
        from ember.tensor import Tensor

        tensor.grad = Tensor._wrap(grad)
    else:
        existing = tensor.grad._data
        if existing.shape != grad.shape:
            raise RuntimeError(
                f"cannot accumulate a gradient of shape {grad.shape} into .grad of shape "
                f"{existing.shape}"
            )
        np.add(existing, grad, out=existing, casting="unsafe")
    # register_post_accumulate_grad_hook (DistributedDataParallel's trigger): once per backward.
    hooks = tensor.__dict__.get("_post_accumulate_grad_hooks")
    if hooks:
        for hook in tuple(hooks.values()):
            hook(tensor)
