"""The reverse-mode engine: graph nodes and the backward pass.

Every differentiable op creates its output tensor with a ``Node`` holding the op's inputs and a
``backward(grad) -> tuple of input grads`` closure written right under the op's forward. A node
links to what produced each input *at the time of the op* (its ``edges``: the input's node, or the
input itself when it is a leaf), so a later in-place change of an input cannot re-route gradients
that already flowed through it. The engine sorts the nodes topologically (iteratively, so deep
graphs cannot hit the recursion limit) and feeds each node the gradient of its output, summed over
every consumer.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ember._allocator import tune_malloc_once

if TYPE_CHECKING:
    from ember.tensor import Tensor

BackwardFn = Callable[[np.ndarray], Sequence["np.ndarray | None"]]
# Which tensors a node's rule reads at backward time: None for all inputs, a tuple of input
# positions, or a function of the inputs returning the tensors (for rules that read an input only
# when another needs a gradient, as PyTorch's mul and div do).
SavedSpec = None | tuple[int, ...] | Callable[[tuple["Tensor", ...]], Iterable["Tensor"]]


class Node:
    """One recorded operation: its inputs, its gradient rule, and the versions of what it saved.

    Every tensor shares a version counter with each alias of its memory (views, ``detach()``) and
    counts the in-place changes made through any of them. The node remembers the versions of the
    tensors its rule reads (its saved inputs, and its output when the rule reads the output); if
    one has changed by the time the backward pass gets here, the gradient would be computed from
    stale values, so the engine raises instead of returning a wrong answer.
    """

    __slots__ = ("_name", "ctx", "inputs", "edges", "backward_fn", "saved", "output_counter",
                 "output_version", "retained", "hooks", "__weakref__")

    def __init__(
        self,
        name: str,
        inputs: tuple[Tensor, ...],
        backward_fn: BackwardFn,
        saves_output: bool = False,
        saved: SavedSpec = None,
        output: Tensor | None = None,
        ctx: Any = None,
    ) -> None:
        self._name = name
        self.ctx = ctx  # what the op's differentiable rule needs (ember.autograd.higher_order)
        self.inputs = inputs
        edges = []
        for t in inputs:  # edge_of, inlined: this runs for every recorded op
            if not t._requires_grad:
                edges.append(None)
            else:
                if t._base is not None:
                    edge_of(t)
                node = t._node
                edges.append(t if node is None else node)
        self.edges = tuple(edges)
        self.backward_fn: BackwardFn | None = backward_fn
        if saved is None:
            self.saved = tuple([(t, t._vc, t._vc[0]) for t in inputs])
        elif not saved:
            self.saved = ()
        else:
            tensors = saved(inputs) if callable(saved) else [inputs[i] for i in saved]
            self.saved = tuple([(t, t._vc, t._vc[0]) for t in tensors])
        self.output_counter: list[int] | None = None
        self.output_version = 0
        if saves_output and output is not None:
            self.output_counter, self.output_version = output._vc, output._vc[0]
        self.retained: weakref.ref[Tensor] | None = None
        self.hooks: dict[int, Any] | None = None  # Tensor.register_hook on the output

    def __repr__(self) -> str:
        return f"<{self._name}>"

    def name(self) -> str:
        """The op's backward name, e.g. ``'MulBackward'`` (PyTorch's ``grad_fn.name()``)."""
        return self._name

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """PyTorch's view of the edges: ``(node, 0)`` per input, leaves as AccumulateGrad."""
        return tuple((_AccumulateGrad(e) if e is not None and not isinstance(e, Node) else e, 0)
                     for e in self.edges)

    def check_versions(self, output_shape: tuple[int, ...], output_dtype: Any) -> None:
        if self.output_counter is not None and self.output_counter[0] != self.output_version:
            raise _modified_error(output_dtype, output_shape, self.output_counter[0],
                                  self.output_version, f", which is output 0 of {self._name},")
        for tensor, counter, version in self.saved:
            if counter[0] != version:
                raise _modified_error(tensor.dtype, tuple(tensor._data.shape), counter[0],
                                      version, f", which {self._name} saved,")


class _AccumulateGrad:
    """What ``next_functions`` shows for a leaf: the tensor its gradient accumulates into."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.next_functions: tuple[Any, ...] = ()

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def _modified_error(dtype: Any, shape: tuple[int, ...], now: int, expected: int,
                    which: str) -> RuntimeError:
    if isinstance(dtype, np.dtype):
        from ember import dtypes

        dtype = dtypes.from_numpy_dtype(dtype)
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{dtype} {list(shape)}]{which} is at version {now}; expected version "
        f"{expected} instead. Use an out-of-place op (x = x + 1 instead of x += 1) or clone() "
        "it first."
    )


def edge_of(tensor: Tensor) -> Node | Tensor | None:
    """Where a gradient for ``tensor`` goes now: its node, itself (a leaf), or nowhere."""
    if not tensor._requires_grad:
        return None
    if tensor._base is not None:
        from ember.ops.views import refresh_view

        refresh_view(tensor)
    return tensor._node if tensor._node is not None else tensor


def topological_order(root: Node) -> list[Node]:
    """Nodes reachable from ``root``, each after all of its consumers."""
    order: list[Node] = []
    visited: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for edge in node.edges:
            if type(edge) is Node and id(edge) not in visited:
                stack.append((edge, False))
    order.reverse()
    return order


def run_backward(root: Tensor, seed: np.ndarray, retain_graph: bool = False,
                 inputs: Sequence[Tensor] | None = None) -> list[np.ndarray | None] | None:
    """Accumulate d(root)/d(leaf) * seed into ``.grad`` of every leaf that requires grad.

    With ``inputs``, nothing is accumulated: the gradients with respect to those tensors (leaves or
    not) are returned instead, in order (``None`` for one the root does not depend on).
    """
    tune_malloc_once()  # from now on, reuse freed activation and gradient buffers
    start = edge_of(root)
    wanted: dict[int, int] = {}
    if inputs is not None:
        for position, t in enumerate(inputs):
            wanted[id(edge_of(t) if t._requires_grad else t)] = position
    results: list[np.ndarray | None] = [None] * (len(inputs) if inputs is not None else 0)
    if not isinstance(start, Node):  # the root is itself a leaf
        if inputs is None:
            accumulate_into_grad(root, _leaf_hooks(root, seed), set())
        elif id(root) in wanted:
            results[wanted[id(root)]] = seed
        return results if inputs is not None else None
    grads: dict[int, np.ndarray] = {id(start): seed}
    leaf_grads: dict[int, tuple[Tensor, np.ndarray]] = {}
    for node in topological_order(start):
        grad = grads.pop(id(node), None)
        if grad is None:
            continue
        if node.hooks:
            grad = _run_hooks(node.hooks, grad)
        if inputs is not None:
            if id(node) in wanted:
                results[wanted[id(node)]] = grad
        elif node.retained is not None:
            kept = node.retained()
            if kept is not None:
                accumulate_into_grad(kept, grad, set())
        backward_fn = node.backward_fn
        if backward_fn is None:
            raise RuntimeError(
                f"trying to backward through the graph a second time ({node._name}): its saved "
                "values were freed by the first backward(). Pass retain_graph=True to the first "
                "backward() if you need to call it twice."
            )
        node.check_versions(grad.shape, grad.dtype)
        input_grads = backward_fn(grad)
        if not retain_graph:
            node.backward_fn = None
        for edge, inp, inp_grad in zip(node.edges, node.inputs, input_grads):
            if inp_grad is None or edge is None:
                continue
            inp_data = inp._data
            if inp_grad.shape != inp_data.shape:
                raise AssertionError(
                    f"{node._name} returned a gradient of shape {inp_grad.shape} for an input of "
                    f"shape {inp_data.shape}"
                )
            if inp_grad.dtype != inp_data.dtype:
                inp_grad = inp_grad.astype(inp_data.dtype)
            key = id(edge)
            if type(edge) is Node:
                previous = grads.get(key)
                # Out of place: a gradient array may be shared with another branch of the graph.
                grads[key] = inp_grad if previous is None else previous + inp_grad
            else:
                held = leaf_grads.get(key)
                leaf_grads[key] = (edge, inp_grad if held is None else held[1] + inp_grad)
    if inputs is not None:
        for key, (leaf, grad) in leaf_grads.items():
            if key in wanted:
                results[wanted[key]] = _leaf_hooks(leaf, grad)
        return results
    handed: set[int] = set()
    for leaf, grad in leaf_grads.values():
        accumulate_into_grad(leaf, _leaf_hooks(leaf, grad), handed)
    return None


def _run_hooks(hooks: dict[int, Any], grad: np.ndarray) -> np.ndarray:
    """Each ``Tensor.register_hook`` hook sees the gradient and may return a replacement."""
    from ember.tensor import Tensor

    for hook in list(hooks.values()):
        replaced = hook(Tensor._wrap(grad))
        if replaced is not None:
            new = replaced._data if isinstance(replaced, Tensor) else np.asarray(replaced)
            if new.shape != grad.shape:
                raise RuntimeError(f"hook {hook!r} returned a gradient of shape "
                                   f"{list(new.shape)}; expected {list(grad.shape)}")
            grad = new
    return grad


def _leaf_hooks(leaf: Tensor, grad: np.ndarray) -> np.ndarray:
    hooks = leaf.__dict__.get("_grad_hooks")
    return _run_hooks(hooks, grad) if hooks else grad


def accumulate_into_grad(tensor: Tensor, grad: np.ndarray, handed: set[int]) -> None:
    # ``_grad`` directly: the engine's gradients have the leaf's shape and dtype already, so the
    # checks of the public ``.grad`` setter would only cost time on every step.
    held = tensor._grad
    if held is None:
        # A leaf's .grad must own its memory: users and optimizers may change it in place.
        if not grad.flags.owndata or id(grad) in handed or not grad.flags.writeable:
            grad = grad.copy()
        handed.add(id(grad))
        # A plain Tensor even for subclasses (a Parameter's .grad is not itself a Parameter).
        from ember.tensor import Tensor

        tensor._grad = Tensor._wrap(grad)
    else:
        existing = held._data
        if existing.shape != grad.shape:
            raise RuntimeError(
                f"cannot accumulate a gradient of shape {grad.shape} into .grad of shape "
                f"{existing.shape}"
            )
        np.add(existing, grad, out=existing, casting="unsafe")
    hooks = tensor.__dict__.get("_post_accumulate_grad_hooks")
    if hooks:
        for hook in list(hooks.values()):
            hook(tensor)
