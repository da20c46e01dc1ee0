"""Differentiable gradient rules, for ``backward(create_graph=True)`` and second derivatives.

Each op's everyday gradient rule is NumPy code right under its forward (fast, and what every
first-order ``backward()`` runs). Differentiating a gradient again needs the rule itself recorded
as a graph, so the ops that second-order code meets most (elementwise maths, products, reductions,
shape moves, softmax) also have the same rule written here in ember's own differentiable ops. The
tests check each one against its NumPy twin and against PyTorch's second derivatives. An op
without one raises ``NotImplementedError`` naming it when ``create_graph=True`` reaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember.autograd.engine import Node
from ember.tensor import Tensor

Grads = tuple["Tensor | None", ...]
RULES: dict[str, Callable[[Node, Tensor], Grads]] = {}


def _rule(*names: str) -> Callable[[Callable[[Node, Tensor], Grads]], Any]:
    def register(fn: Callable[[Node, Tensor], Grads]) -> Callable[[Node, Tensor], Grads]:
        for name in names:
            RULES[name] = fn
        return fn
    return register


def differentiable_backward(node: Node, g: Tensor) -> Grads:
    rule = RULES.get(node._name)
    if rule is None:
        raise NotImplementedError(
            f"create_graph=True: {node._name} has no differentiable gradient rule yet, so its "
            f"gradient cannot be differentiated again (ops with one: {', '.join(sorted(RULES))})"
        )
    return rule(node, g)


def sum_to(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``g`` down to ``shape``, undoing broadcasting (the graph twin of ``unbroadcast``)."""
    if tuple(g.shape) == tuple(shape):
        return g
    extra = g.ndim - len(shape)
    dims = tuple(range(extra)) + tuple(i + extra for i, size in enumerate(shape)
                                       if size == 1 and g.shape[i + extra] != 1)
    return (g.sum(dim=dims, keepdim=True) if dims else g).reshape(shape)


def _needs(t: Tensor) -> bool:
    return t.requires_grad


@_rule("AddBackward")
def _add(node: Node, g: Tensor) -> Grads:
    a, b = node.inputs
    return sum_to(g, a.shape), sum_to(g, b.shape)


@_rule("SubBackward")
def _sub(node: Node, g: Tensor) -> Grads:
    a, b = node.inputs
    return sum_to(g, a.shape), sum_to(-g, b.shape)


@_rule("MulBackward")
def _mul(node: Node, g: Tensor) -> Grads:
    a, b = node.inputs
    return (sum_to(g * b, a.shape) if _needs(a) else None,
            sum_to(g * a, b.shape) if _needs(b) else None)


@_rule("DivBackward")
def _div(node: Node, g: Tensor) -> Grads:
    a, b = node.inputs
    return (sum_to(g / b, a.shape) if _needs(a) else None,
            sum_to(-g * a / (b * b), b.shape) if _needs(b) else None)


@_rule("PowBackward")
def _pow(node: Node, g: Tensor) -> Grads:
    from ember.ops.elementwise import where

    a, b = node.inputs
    ga = gb = None
    if _needs(a):
        ga = sum_to(where(b == 0, 0.0, g * b * a ** (b - 1)), a.shape)
    if _needs(b):
        gb = sum_to(where((a == 0) & (b >= 0), 0.0, g * a ** b * a.log()), b.shape)
    return ga, gb


@_rule("NegBackward")
def _neg(node: Node, g: Tensor) -> Grads:
    return (-g,)


@_rule("ExpBackward")
def _exp(node: Node, g: Tensor) -> Grads:
    return (g * node.inputs[0].exp(),)


@_rule("LogBackward")
def _log(node: Node, g: Tensor) -> Grads:
    return (g / node.inputs[0],)


@_rule("Log1PBackward")
def _log1p(node: Node, g: Tensor) -> Grads:
    return (g / (node.inputs[0] + 1),)


@_rule("SqrtBackward")
def _sqrt(node: Node, g: Tensor) -> Grads:
    return (g / (2 * node.inputs[0].sqrt()),)


@_rule("SinBackward")
def _sin(node: Node, g: Tensor) -> Grads:
    return (g * node.inputs[0].cos(),)


@_rule("CosBackward")
def _cos(node: Node, g: Tensor) -> Grads:
    return (-g * node.inputs[0].sin(),)


@_rule("TanhBackward")
def _tanh(node: Node, g: Tensor) -> Grads:
    y = node.inputs[0].tanh()
    return (g * (1 - y * y),)


@_rule("SigmoidBackward")
def _sigmoid(node: Node, g: Tensor) -> Grads:
    s = node.inputs[0].sigmoid()
    return (g * s * (1 - s),)


@_rule("ReluBackward")
def _relu(node: Node, g: Tensor) -> Grads:
    return (g * (node.inputs[0] > 0).to(g.dtype),)


@_rule("AbsBackward")
def _abs(node: Node, g: Tensor) -> Grads:
    return (g * node.inputs[0].sign(),)


@_rule("ClampBackward")
def _clamp(node: Node, g: Tensor) -> Grads:
    low, high = node.ctx
    x = node.inputs[0]
    inside = Tensor._wrap(np.ones(tuple(x.shape), dtype=bool))
    if low is not None:
        inside = inside & (x >= low)
    if high is not None:
        inside = inside & (x <= high)
    return (g * inside.to(g.dtype),)


@_rule("MmBackward")
def _matmul(node: Node, g: Tensor) -> Grads:
    a, b = node.inputs
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    if b.ndim == 1:
        g = g.unsqueeze(-1)
    if a.ndim == 1:
        g = g.unsqueeze(-2)
    ga = sum_to(g @ b2.transpose(-1, -2), tuple(a2.shape)).reshape(a.shape) if _needs(a) else None
    gb = sum_to(a2.transpose(-1, -2) @ g, tuple(b2.shape)).reshape(b.shape) if _needs(b) else None
    return ga, gb


@_rule("LinearBackward")
def _linear(node: Node, g: Tensor) -> Grads:
    x, w = node.inputs[0], node.inputs[1]
    g2 = g.reshape(-1, g.shape[-1])
    grads: list[Tensor | None] = [
        g @ w if _needs(x) else None,
        g2.transpose(0, 1) @ x.reshape(-1, x.shape[-1]) if _needs(w) else None,
    ]
    if len(node.inputs) == 3:
        grads.append(g2.sum(dim=0) if _needs(node.inputs[2]) else None)
    return tuple(grads)


@_rule("SumBackward", "MeanBackward")
def _sum(node: Node, g: Tensor) -> Grads:
    dims, keepdim = node.ctx
    shape = tuple(node.inputs[0].shape)
    if not keepdim:
        for d in sorted(range(len(shape)) if dims is None else dims):
            g = g.unsqueeze(d)
    if node._name == "MeanBackward":
        count = int(np.prod(shape, dtype=np.int64)) // max(g.numel(), 1)
        g = g / max(count, 1)
    return (g.expand(*shape),)


@_rule("ReshapeBackward")
def _reshape(node: Node, g: Tensor) -> Grads:
    return (g.reshape(tuple(node.inputs[0].shape)),)


@_rule("PermuteBackward")
def _permute(node: Node, g: Tensor) -> Grads:
    return (g.permute(*[int(i) for i in node.ctx]),)


@_rule("ExpandBackward")
def _expand(node: Node, g: Tensor) -> Grads:
    return (sum_to(g, tuple(node.inputs[0].shape)),)


@_rule("CloneBackward", "BackwardHookFunctionBackward")
def _clone(node: Node, g: Tensor) -> Grads:
    return (g,)


@_rule("ToCopyBackward")
def _cast(node: Node, g: Tensor) -> Grads:
    return (g.to(node.inputs[0].dtype),)


@_rule("WhereBackward")
def _where(node: Node, g: Tensor) -> Grads:
    from ember.ops.elementwise import where

    a, b = node.inputs
    cond = Tensor._wrap(node.ctx)
    return (sum_to(where(cond, g, 0.0), tuple(a.shape)),
            sum_to(where(cond, 0.0, g), tuple(b.shape)))


@_rule("IndexBackward")
def _index(node: Node, g: Tensor) -> Grads:
    return (_scatter_add(tuple(node.inputs[0].shape), node.ctx, g),)


def _scatter_add(shape: tuple[int, ...], index: Any, g: Tensor) -> Tensor:
    """zeros(shape) with ``g`` added at ``index`` (repeats add up); its gradient: g'[index]."""
    out = np.zeros(shape, dtype=g._data.dtype)
    np.add.at(out, index, g._data)

    def backward(gg: np.ndarray) -> tuple[np.ndarray]:
        return (np.asarray(gg[index]).reshape(g._data.shape),)

    return Tensor._op(out, (g,), backward, "IndexPutBackward_", saved=(), ctx=index)


@_rule("IndexPutBackward_")
def _scatter_add_rule(node: Node, g: Tensor) -> Grads:
    return (g[node.ctx].reshape(tuple(node.inputs[0].shape)),)


@_rule("CatBackward")
def _cat(node: Node, g: Tensor) -> Grads:
    d, bounds = node.ctx
    edges = [0, *[int(b) for b in bounds], g.shape[d]]
    return tuple(g[(slice(None),) * d + (slice(lo, hi),)] for lo, hi in zip(edges, edges[1:]))


@_rule("SoftmaxBackward")
def _softmax(node: Node, g: Tensor) -> Grads:
    y = node.inputs[0].softmax(dim=node.ctx)
    return (y * (g - (g * y).sum(dim=node.ctx, keepdim=True)),)


@_rule("LogSoftmaxBackward")
def _log_softmax(node: Node, g: Tensor) -> Grads:
    y = node.inputs[0].softmax(dim=node.ctx)
    return (g - y * g.sum(dim=node.ctx, keepdim=True),)


def run_backward_with_graph(root: Tensor, seed: Tensor,
                            inputs: list[Tensor] | None = None) -> list[Tensor | None] | None:
    """The backward pass of ``create_graph=True``: every gradient is itself a recorded tensor.

    As ``engine.run_backward``, but the rules above run in place of the NumPy ones, with grad mode
    on, so that the gradients this returns (or leaves in ``.grad``) can be differentiated again.
    """
    from ember.autograd.engine import edge_of, topological_order
    from ember.autograd.grad_mode import enable_grad

    start = edge_of(root)
    wanted = {id(edge_of(t) if t.requires_grad else t): i for i, t in enumerate(inputs or [])}
    results: list[Tensor | None] = [None] * len(inputs or [])
    leaf_grads: dict[int, tuple[Tensor, Tensor]] = {}
    with enable_grad():
        if isinstance(start, Node):
            grads: dict[int, Tensor] = {id(start): seed}
            for node in topological_order(start):
                grad = grads.pop(id(node), None)
                if grad is None:
                    continue
                if id(node) in wanted:
                    results[wanted[id(node)]] = grad
                elif inputs is None and node.retained is not None and node.retained() is not None:
                    _accumulate(node.retained(), grad)
                node.check_versions(tuple(grad.shape), grad._data.dtype)
                for edge, inp_grad in zip(node.edges, differentiable_backward(node, grad)):
                    if inp_grad is None or edge is None:
                        continue
                    if type(edge) is Node:
                        held = grads.get(id(edge))
                        grads[id(edge)] = inp_grad if held is None else held + inp_grad
                    else:
                        held_leaf = leaf_grads.get(id(edge))
                        leaf_grads[id(edge)] = (edge, inp_grad if held_leaf is None
                                                else held_leaf[1] + inp_grad)
        elif start is not None:
            leaf_grads[id(start)] = (start, seed)
    if inputs is not None:
        for key, (_, grad) in leaf_grads.items():
            if key in wanted:
                results[wanted[key]] = grad
        return results
    for leaf, grad in leaf_grads.values():
        _accumulate(leaf, grad)
    return None


def _accumulate(t: Tensor, grad: Tensor) -> None:
    if grad.dtype != t.dtype:
        grad = grad.to(t.dtype)
    t.grad = grad if t.grad is None else t.grad + grad
